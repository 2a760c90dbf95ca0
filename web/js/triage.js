/* triage.js - the coordinators' triage board: new needs ranked by their
 * risk-informed priority with the score's parts in words (GET /api/v1/needs
 * gives staff the components), the needs that duplicate each, the
 * reporter's contact (only in the coordinator's view of the API), and a form
 * to send a need's work order to a department with a public and an internal
 * note (POST /api/v1/workorders/{id}/transitions, {department}). Then
 * escalations (overdue work orders), and read-only views of the catalogue,
 * the routing rules and, for an admin, the users. */
'use strict';

cscc.start('triage', async () => {
    const t = cscc.t;
    const el = cscc.el;
    const who = await staff.require('triage', ['coordinator', 'admin']);
    if (!who) return;
    const num = (x, d) => cscc.formatNumber(x, d);
    const needLink = (id) => el('a', {href: cscc.link('/need', {id})}, ['#' + id]);

    const [needs, depts, catalog, overdue, rules] = await Promise.all([
        cscc.api('/api/v1/needs', {status: 'open', limit: 1000}),
        cscc.api('/api/v1/departments'),
        cscc.api('/api/v1/catalog'),
        cscc.api('/api/v1/workorders', {overdue: 'true', limit: 500}),
        cscc.api('/api/v1/routing-rules'),
    ]);
    const deptName = new Map(depts.departments.map((d) => [d.code, d.name]));
    const svcName = new Map(catalog.services.map((s) => [s.service_code, s.service_name]));
    const status = document.getElementById('triage-status');

    /* ---- why a need is ranked so: the score's parts in words */
    function reasons(p, n) {
        const items = [el('li', {}, [t('triage.why_weight', {weight: num(p.weight, 2)})])];
        if (p.window_until) {
            items.push(
                el('li', {}, [
                    t('triage.why_violence', {
                        factor: num(p.violence_factor, 2),
                        incidents: num(p.incidents_within_bandwidth),
                        metres: num(p.bandwidth_m),
                        days: num(p.window_days),
                        until: cscc.formatDay(p.window_until),
                        ratio: num(p.density_ratio, 1),
                    }),
                ])
            );
        } else {
            items.push(el('li', {}, [t('triage.why_no_crimes')]));
        }
        items.push(el('li', {}, [p.priority_area ? t('triage.why_priority_area', {factor: num(p.area_factor, 2), area: n.area}) : t('triage.why_other_area', {area: n.area || '?'})]));
        return el('ul', {class: 'why'}, items);
    }

    /* ---- assigning a need's work order to a department */
    function assignForm(n) {
        const id = 'assign-' + n.service_request_id;
        const sel = el('select', {id: id + '-dept', name: 'department'});
        depts.departments
            .filter((d) => d.active)
            .forEach((d) => sel.add(new Option(d.name + ' (' + d.code + ')', d.code, false, d.code === n.department)));
        const pub = staff.note(id + '-public', 'staff.public_note', 'staff.public_note_help');
        const internal = staff.note(id + '-internal', 'staff.internal_note', 'staff.internal_note_help');
        const button = el('button', {type: 'submit', class: 'primary'}, [t('triage.assign')]);
        const form = el('form', {class: 'assign', 'aria-label': t('triage.assign_label', {id: n.service_request_id})}, [
            el('div', {class: 'field'}, [el('label', {for: id + '-dept'}, [t('triage.department')]), sel]),
            pub.field,
            internal.field,
            el('p', {}, [button]),
        ]);
        form.addEventListener('submit', async (e) => {
            e.preventDefault();
            button.disabled = true;
            document.getElementById('page-error').hidden = true;
            try {
                const wo = await cscc.send('POST', '/api/v1/workorders/' + n.workorder_id + '/transitions', {
                    department: sel.value,
                    public_note: pub.input.value.trim() || undefined,
                    internal_note: internal.input.value.trim() || undefined,
                });
                n.department = wo.department;
                form.closest('li').querySelector('.current-dept').textContent = t('triage.current_dept', {department: deptName.get(wo.department) || wo.department});
                pub.input.value = '';
                internal.input.value = '';
                status.textContent = t('triage.assigned', {id: n.service_request_id, department: deptName.get(wo.department) || wo.department});
                document.body.dataset.assigned = n.service_request_id + '|' + wo.department;
            } catch (x) {
                cscc.showError(t('triage.assign_failed', {id: n.service_request_id, message: x.message}));
            } finally {
                button.disabled = false;
            }
        });
        return form;
    }

    /* ---- the new needs, the highest priority first */
    const dupes = new Map();
    needs.needs.filter((n) => n.duplicate_of).forEach((n) => {
        const k = String(n.duplicate_of);
        if (!dupes.has(k)) dupes.set(k, []);
        dupes.get(k).push(n);
    });
    const fresh = needs.needs.filter((n) => n.detailed_status === 'new' && !n.duplicate_of && n.workorder_id).sort((a, b) => (b.priority ? b.priority.score : 0) - (a.priority ? a.priority.score : 0));
    document.getElementById('new-summary').textContent = fresh.length ? t('triage.new_count', {n: fresh.length}) : t('triage.none_new');
    const cards = fresh.map((n, i) => {
        const p = n.priority || {score: 0, weight: 1, area_factor: 1};
        const parts = [
            el('h3', {}, [t('triage.card_title', {rank: i + 1, id: n.service_request_id, service: n.service_name || svcName.get(n.service_code) || n.service_code})]),
            el('p', {class: 'meta'}, [[n.block || n.address, n.area ? t('triage.area', {area: n.area}) : '', t('triage.reported', {when: staff.when(n.requested_datetime)}), t('triage.due', {when: staff.when(n.expected_datetime)})].filter((x) => x).join(' · ')]),
            el('p', {class: 'current-dept'}, [t('triage.current_dept', {department: deptName.get(n.department) || n.agency_responsible || n.department})]),
            el('p', {class: 'score'}, [t('triage.score', {score: num(p.score, 2)})]),
            reasons(p, n),
        ];
        if (n.description) parts.push(el('blockquote', {class: 'description'}, [n.description]));
        const same = dupes.get(n.service_request_id) || [];
        if (same.length) {
            const links = [];
            same.forEach((d, k) => {
                if (k) links.push(', ');
                links.push(needLink(d.service_request_id), ' (' + t('triage.metres', {m: num(d.duplicate_m || 0)}) + ')');
            });
            parts.push(el('p', {class: 'dupes'}, [t('triage.duplicates', {n: same.length}) + ' ', ...links]));
        }
        const c = n.contact;
        if (c && (c.name || c.email || c.phone)) {
            parts.push(el('details', {class: 'contact'}, [el('summary', {}, [t('triage.contact')]), el('p', {}, [[c.name, c.email, c.phone].filter((x) => x).join(' · ')])]));
        }
        parts.push(assignForm(n));
        return el('li', {class: 'card', id: 'need-' + n.service_request_id, 'data-need': n.service_request_id}, [el('article', {}, parts)]);
    });
    document.getElementById('triage-list').replaceChildren(...cards);

    /* ---- escalations */
    const od = overdue.workorders;
    document.getElementById('overdue').replaceChildren(
        od.length
            ? staff.table(
                  t('triage.overdue_caption', {n: od.length}),
                  [t('staff.workorder'), t('staff.need'), t('staff.service'), t('triage.department'), t('staff.state'), t('staff.due'), t('triage.escalated')],
                  od.map((w) => ['#' + w.id, needLink(w.service_request_id), svcName.get(w.service_code) || w.service_code, deptName.get(w.department) || w.department, t('status.' + w.state), staff.when(w.due_at), staff.when(w.escalated_at)])
              )
            : el('p', {class: 'note'}, [t('triage.none_overdue')])
    );

    /* ---- catalogue, rules, users (read only) */
    document.getElementById('catalog').replaceChildren(
        staff.table(
            t('triage.catalog_caption', {n: catalog.services.length}),
            [t('staff.service'), t('triage.code'), t('triage.department'), t('triage.deadline'), t('triage.weight'), t('triage.active')],
            catalog.services.map((s) => [s.service_name, s.service_code, deptName.get(s.department) || s.department, s.deadline, num(s.weight, 1), s.active === false ? t('triage.no') : t('triage.yes')])
        )
    );
    const dayName = (d) => t('triage.day_' + d);
    document.getElementById('rules').replaceChildren(
        rules.rules.length
            ? staff.table(
                  t('triage.rules_caption', {n: rules.rules.length}),
                  ['#', t('triage.rule_name'), t('staff.service'), t('triage.area_col'), t('triage.days'), t('triage.hours'), t('triage.department'), t('triage.deadline')],
                  rules.rules.map((r) => [
                      String(r.position),
                      r.name,
                      r.service_code ? svcName.get(r.service_code) || r.service_code : t('triage.any'),
                      r.area ? String(r.area) : r.priority_areas_only ? t('triage.priority_areas') : t('triage.any'),
                      r.days.length === 7 ? t('triage.every_day') : r.days.map(dayName).join(', '),
                      r.hours,
                      deptName.get(r.department) || r.department,
                      r.deadline_hours ? t('triage.hours_n', {n: r.deadline_hours}) : t('triage.service_deadline'),
                  ])
              )
            : el('p', {class: 'note'}, [t('triage.no_rules')])
    );
    if (who.role === 'admin') {
        const users = await cscc.api('/api/v1/users');
        document.getElementById('users').replaceChildren(
            staff.table(
                t('triage.users_caption', {n: users.users.length}),
                [t('triage.user'), t('triage.role'), t('triage.department'), t('triage.state_col')],
                users.users.map((u) => [u.name, staff.roleName(u.role), u.department ? deptName.get(u.department) || u.department : u.org_id ? t('triage.org', {id: u.org_id}) : '', u.disabled ? t('triage.disabled') : t('triage.enabled')])
            )
        );
    } else {
        document.getElementById('users').replaceChildren(el('p', {class: 'note'}, [t('triage.users_admin_only')]));
    }
    document.body.dataset.loaded = 'triage';
});
