/* partner.js - a signed-in partner's page: its organization's record (view
 * and edit through PATCH /api/v1/organizations/{id}; verification is shown,
 * a coordinator's step), the needs it reported and the events it logged
 * (GET /api/v1/organizations/{id}/needs and /events, its own only), and a
 * form to log an event (POST /api/v1/events). */
'use strict';

/* the kinds of event the API takes (coord_event_types in src/coord/partners.c) */
const EVENT_TYPES = ['community_meeting', 'peace_walk', 'resource_fair', 'launch_committee', 'coordination_meeting', 'training', 'other'];

cscc.start('partner', async () => {
    const t = cscc.t;
    const el = cscc.el;
    const who = await cscc.session();
    if (who.authenticated) staff.header(who, 'partner');
    if (!who.authenticated || !who.org_id) {
        cscc.showError(who.authenticated ? t('partner.no_org') : t('partner.sign_in'));
        document.body.dataset.loaded = 'partner';
        return;
    }
    const base = '/api/v1/organizations/' + who.org_id;
    const form = document.getElementById('org-form');
    function fill(o) {
        form.elements.name.value = o.name || '';
        form.elements.description.value = o.description || '';
        form.elements.website.value = o.website || '';
        form.elements.capacity_per_week.value = o.capacity_per_week === undefined ? '' : o.capacity_per_week;
        const c = o.contact || {};
        form.elements.contact_name.value = c.name || o.contact_name || '';
        form.elements.contact_email.value = c.email || o.contact_email || '';
        document.getElementById('org-verified').textContent = o.verified ? t('partner.verified') : t('partner.unverified');
        document.getElementById('org-verified').dataset.verified = o.verified ? '1' : '0';
    }
    fill(await cscc.api(base));
    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        document.getElementById('page-error').hidden = true;
        const body = {
            name: form.elements.name.value.trim(),
            description: form.elements.description.value,
            website: form.elements.website.value.trim(),
            contact_name: form.elements.contact_name.value.trim(),
            contact_email: form.elements.contact_email.value.trim(),
        };
        if (form.elements.capacity_per_week.value !== '') body.capacity_per_week = Number(form.elements.capacity_per_week.value);
        try {
            fill(await cscc.send('PATCH', base, body));
            document.getElementById('saved').textContent = t('partner.saved');
            document.body.dataset.saved = String(Date.now());
        } catch (err) {
            cscc.showError(t('partner.save_failed', {message: err.message}));
        }
    });
    const needs = (await cscc.api(base + '/needs')).needs;
    document.getElementById('needs-list').replaceChildren(
        ...(needs.length
            ? needs.map((n) => el('li', {'data-need': n.service_request_id}, [el('a', {href: cscc.link('/need', {id: n.service_request_id})}, ['#' + n.service_request_id]), ' ', n.service_name || n.service_code, ' — ', t('status.' + (n.detailed_status || n.status))]))
            : [el('li', {}, [t('partner.no_needs')])])
    );
    let events = (await cscc.api(base + '/events')).events;
    function listEvents() {
        document.getElementById('events-list').replaceChildren(
            ...(events.length ? events.map((v) => el('li', {'data-event': String(v.id)}, [(v.date || '') + ' — ' + (v.title || t('event_type.' + v.type)) + (v.attendance ? ' (' + t('partner.attendance', {n: v.attendance}) + ')' : '')])) : [el('li', {}, [t('partner.no_events')])])
        );
    }
    listEvents();

    /* logging an event: POST /api/v1/events records it as this organization's */
    const ev = document.getElementById('event-form');
    ev.elements.type.replaceChildren(...EVENT_TYPES.map((k) => el('option', {value: k}, [t('event_type.' + k)])));
    const areas = (await cscc.api('/api/v1/areas')).areas;
    ev.elements.area.replaceChildren(el('option', {value: ''}, [t('partner.event_citywide')]), ...areas.map((a) => el('option', {value: String(a.number)}, [a.number + ' ' + a.name])));
    const today = new Date();
    ev.elements.date.value = new Date(today.getTime() - today.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    ev.addEventListener('submit', async (e) => {
        e.preventDefault();
        document.getElementById('page-error').hidden = true;
        const body = {type: ev.elements.type.value, title: ev.elements.title.value.trim(), date: ev.elements.date.value};
        if (ev.elements.area.value) body.area = Number(ev.elements.area.value);
        if (ev.elements.attendance.value !== '') body.attendance = Number(ev.elements.attendance.value);
        if (ev.elements.notes.value.trim()) body.notes = ev.elements.notes.value.trim();
        try {
            const made = await cscc.send('POST', '/api/v1/events', body);
            events = [made, ...events.filter((x) => x.id !== made.id)];
            listEvents();
            ev.elements.title.value = '';
            ev.elements.attendance.value = '';
            ev.elements.notes.value = '';
            document.getElementById('event-logged').textContent = t('partner.event_logged', {title: made.title || body.title});
            document.body.dataset.logged = String(made.id);
        } catch (err) {
            cscc.showError(t('partner.event_failed', {message: err.message}));
        }
    });
    document.body.dataset.loaded = 'partner';
});
