/* queue.js - a department's work queue: its work orders in the API's order
 * (GET /api/v1/workorders: overdue and soonest due first; a department sees
 * only its own), each with its need (block, description, priority), its
 * history, and the next steps its state allows (POST .../transitions with a
 * public and an internal note); then the department's response times against
 * all departments (GET /api/v1/response-metrics?by=department) as a chart
 * and a table. Coordinators and admins see every department's orders. */
'use strict';

cscc.start('queue', async () => {
    const t = cscc.t;
    const el = cscc.el;
    const who = await staff.require('queue', ['department', 'coordinator', 'admin']);
    if (!who) return;
    const num = (x, d) => cscc.formatNumber(x, d);
    const status = document.getElementById('queue-status');
    const showAll = document.getElementById('show-all');
    showAll.checked = cscc.state('all') === '1';

    /* The steps of the state machine (src/coord/workorders.h) each role may take. */
    const STEPS = {
        new: ['acknowledged', 'in_progress', 'resolved', 'rejected'],
        acknowledged: ['in_progress', 'resolved', 'rejected'],
        in_progress: ['resolved', 'rejected'],
        resolved: ['in_progress'],
        rejected: [],
    };
    const COORD_STEPS = {new: ['duplicate'], acknowledged: ['duplicate'], in_progress: ['duplicate'], resolved: ['closed'], rejected: ['new']};
    const steps = (state) => (STEPS[state] || []).concat(who.role === 'department' ? [] : (COORD_STEPS[state] || []).filter((s) => s !== 'duplicate'));

    const [catalog, depts] = await Promise.all([cscc.api('/api/v1/catalog'), cscc.api('/api/v1/departments')]);
    const svcName = new Map(catalog.services.map((s) => [s.service_code, s.service_name]));
    const deptName = new Map(depts.departments.map((d) => [d.code, d.name]));

    /* ---- one work order */
    function card(w, n) {
        const li = el('li', {class: 'card' + (w.overdue ? ' overdue' : ''), id: 'wo-' + w.id, 'data-wo': w.id, 'data-state': w.state});
        const title = t('queue.card_title', {id: w.id, service: svcName.get(w.service_code) || w.service_code});
        const stateLine = el('p', {class: 'state-line'}, [el('strong', {}, [t('status.' + w.state)])]);
        if (w.overdue) stateLine.append(' ', el('span', {class: 'badge overdue-badge'}, [t('queue.overdue')]));
        const meta = [t('queue.need', {id: w.service_request_id}), n && (n.block || n.address), w.area ? t('triage.area', {area: w.area}) : '', t('triage.due', {when: staff.when(w.due_at)}), t('queue.priority', {score: num(w.priority, 2)})].filter((x) => x);
        const parts = [el('h3', {}, [title]), stateLine, el('p', {class: 'meta'}, [meta.join(' · ')])];
        if (who.role !== 'department') parts.push(el('p', {class: 'current-dept'}, [t('triage.current_dept', {department: deptName.get(w.department) || w.department})]));
        if (n && n.description) parts.push(el('blockquote', {class: 'description'}, [n.description]));
        const c = n && n.contact;
        if (c && (c.name || c.email || c.phone)) parts.push(el('details', {class: 'contact'}, [el('summary', {}, [t('triage.contact')]), el('p', {}, [[c.name, c.email, c.phone].filter((x) => x).join(' · ')])]));
        parts.push(history(w));
        const next = steps(w.state);
        if (next.length) parts.push(moveForm(w, next));
        li.replaceChildren(el('article', {}, parts));
        return li;
    }

    /* Its history, read when opened. */
    function history(w) {
        const list = el('ol', {class: 'history'});
        const d = el('details', {class: 'wo-history'}, [el('summary', {}, [t('queue.history')]), list]);
        d.addEventListener('toggle', async () => {
            if (!d.open || d.dataset.read) return;
            d.dataset.read = '1';
            try {
                const h = await cscc.api('/api/v1/workorders/' + w.id + '/history');
                list.replaceChildren(
                    ...h.history.map((ev) => {
                        const bits = [el('time', {datetime: ev.at || ''}, [staff.when(ev.at)]), ' ', el('strong', {}, [ev.to ? t('status.' + ev.to) : '']), ev.actor ? ' (' + ev.actor + ')' : ''];
                        if (ev.department && ev.from === ev.to) bits.push(' ' + t('queue.sent_to', {department: deptName.get(ev.department) || ev.department}));
                        if (ev.public_note) bits.push(el('br'), t('queue.public_said', {note: ev.public_note}));
                        if (ev.internal_note) bits.push(el('br'), t('queue.internal_said', {note: ev.internal_note}));
                        return el('li', {}, bits);
                    })
                );
            } catch (x) {
                list.replaceChildren(el('li', {}, [t('error.api', {message: x.message})]));
            }
        });
        return d;
    }

    /* The next step, with its notes. */
    function moveForm(w, next) {
        const id = 'move-' + w.id;
        const sel = el('select', {id: id + '-state', name: 'state'});
        next.forEach((s) => sel.add(new Option(t(w.state === 'resolved' && s === 'in_progress' ? 'queue.step_reopen' : 'queue.step_' + s), s)));
        const pub = staff.note(id + '-public', 'staff.public_note', 'staff.public_note_help');
        const internal = staff.note(id + '-internal', 'staff.internal_note', 'staff.internal_note_help');
        const button = el('button', {type: 'submit', class: 'primary'}, [t('queue.update')]);
        const form = el('form', {class: 'move', 'aria-label': t('queue.move_label', {id: w.id})}, [el('div', {class: 'field'}, [el('label', {for: id + '-state'}, [t('queue.next_step')]), sel]), pub.field, internal.field, el('p', {}, [button])]);
        form.addEventListener('submit', async (e) => {
            e.preventDefault();
            button.disabled = true;
            document.getElementById('page-error').hidden = true;
            try {
                const moved = await cscc.send('POST', '/api/v1/workorders/' + w.id + '/transitions', {
                    state: sel.value,
                    public_note: pub.input.value.trim() || undefined,
                    internal_note: internal.input.value.trim() || undefined,
                });
                const li = document.getElementById('wo-' + w.id);
                const fresh = card(moved, needs.get(moved.service_request_id));
                li.replaceWith(fresh);
                status.textContent = t('queue.moved', {id: w.id, state: t('status.' + moved.state)});
                await metrics();
                document.body.dataset.moved = moved.id + '|' + moved.state;
                const f = fresh.querySelector('select');
                (f || fresh.querySelector('h3')).focus();
            } catch (x) {
                cscc.showError(t('queue.move_failed', {id: w.id, message: x.message}));
                button.disabled = false;
            }
        });
        return form;
    }

    /* ---- the queue, a page at a time (?limit=N, 100 by default): "Show more"
     * reads the next page with the cursor the API gives (after=) */
    const per = Math.min(500, Math.max(1, Math.floor(Number(cscc.state('limit'))) || 100));
    const wos = [];
    const needs = new Map();
    let next = null;
    let mine = null;
    const moreButton = document.getElementById('queue-more');
    async function readPage() {
        const got = await cscc.api('/api/v1/workorders', {limit: per, all: showAll.checked ? 'true' : undefined, after: next || undefined});
        if (!wos.length && got.workorders.length) {
            const codes = [...new Set(got.workorders.map((w) => w.department))];
            mine = who.role === 'department' && codes.length === 1 ? codes[0] : null;
            const list = await cscc.api('/api/v1/needs', {department: mine || undefined, limit: 1000});
            list.needs.forEach((n) => needs.set(n.service_request_id, n));
        }
        /* the needs of this page not read yet (beyond the first thousand) */
        const missing = [...new Set(got.workorders.map((w) => w.service_request_id).filter((id) => !needs.has(id)))];
        (await Promise.all(missing.map((id) => cscc.api('/api/v1/needs/' + id).catch(() => null)))).forEach((n) => n && needs.set(n.service_request_id, n));
        wos.push(...got.workorders);
        next = got.next;
        document.getElementById('queue-list').append(...got.workorders.map((w) => card(w, needs.get(w.service_request_id))));
        const late = wos.filter((w) => w.overdue).length;
        document.getElementById('queue-summary').textContent = !wos.length ? t('queue.empty') : next ? t('queue.count_more', {n: wos.length, overdue: late}) : t('queue.count', {n: wos.length, overdue: late});
        moreButton.hidden = !next;
        document.body.dataset.orders = String(wos.length);
    }
    await readPage();
    if (mine) document.getElementById('queue-heading').textContent = t('queue.heading_dept', {department: deptName.get(mine) || mine});
    moreButton.addEventListener('click', async () => {
        moreButton.disabled = true;
        try {
            await readPage();
        } catch (x) {
            cscc.showError(t('error.api', {message: x.message}));
        }
        moreButton.disabled = false;
    });
    showAll.addEventListener('change', () => {
        cscc.setState({all: showAll.checked ? '1' : null});
        location.reload();
    });

    /* ---- response times: this department against all (read again after each step) */
    const FIG = ['ack_median_h', 'ack_p90_h', 'resolve_median_h', 'resolve_p90_h'];
    const COLORS = ['#12355b', '#b35c00'];
    const hours = (v) => (v === null || v === undefined ? t('queue.no_figure') : t('triage.hours_n', {n: num(v, 1)}));
    const canvas = document.getElementById('metrics-chart');
    let chart = null;
    async function metrics() {
        const [byDept, all] = await Promise.all([cscc.api('/api/v1/response-metrics', {by: 'department'}), cscc.api('/api/v1/response-metrics')]);
        const total = all.metrics[0] || null;
        const own = mine ? byDept.metrics.find((m) => m.key === mine) : null;
        const rows = [own, total].filter((x) => x);
        const label = (m) => (m === total ? t('queue.all_departments') : deptName.get(m.key) || m.label);
        const counted = own || total;
        document.getElementById('metrics-summary').textContent = counted ? t('queue.metrics_counts', {n: counted.workorders, open: counted.open, overdue: counted.overdue, resolved: counted.resolved}) : '';
        const caption = t('queue.metrics_caption');
        canvas.setAttribute('aria-label', caption + ' ' + rows.map((m) => label(m) + ': ' + FIG.map((f) => t('queue.fig_' + f) + ' ' + hours(m[f])).join(', ')).join('; '));
        document.getElementById('metrics-caption').textContent = caption;
        if (typeof Chart !== 'undefined') {
            if (chart) chart.destroy();
            // eslint-disable-next-line no-undef
            chart = new Chart(canvas, {
                type: 'bar',
                data: {
                    labels: FIG.map((f) => t('queue.fig_' + f)),
                    datasets: rows.map((m, i) => ({label: label(m), data: FIG.map((f) => m[f]), backgroundColor: COLORS[i], borderColor: COLORS[i]})),
                },
                options: {
                    responsive: true,
                    maintainAspectRatio: false,
                    animation: false,
                    scales: {x: {ticks: {color: '#333333'}, grid: {display: false}}, y: {beginAtZero: true, ticks: {color: '#333333'}, title: {display: true, text: t('queue.hours'), color: '#333333'}}},
                    plugins: {legend: {position: 'bottom', labels: {color: '#1b1b1b'}}, tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + hours(c.raw)}}},
                },
            });
        }
        /* the table: a figure a row, so it fits a phone */
        document.getElementById('metrics-table').replaceChildren(
            staff.table(
                t('queue.metrics_table'),
                [t('queue.figure'), ...rows.map(label)],
                [
                    [t('queue.workorders'), ...rows.map((m) => num(m.workorders))],
                    [t('queue.open'), ...rows.map((m) => num(m.open))],
                    [t('queue.overdue'), ...rows.map((m) => num(m.overdue))],
                    ...FIG.map((f) => [t('queue.fig_' + f), ...rows.map((m) => hours(m[f]))]),
                ]
            )
        );
    }
    await metrics();
    document.body.dataset.loaded = 'queue';
});
