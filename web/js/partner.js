/* partner.js - a signed-in partner's page: its organization's record (view
 * and edit through PATCH /api/v1/organizations/{id}; verification is shown,
 * a coordinator's step), the needs it reported and the events it logged
 * (GET /api/v1/organizations/{id}/needs and /events, its own only). The
 * "signed in as" line is this page's own, to be replaced by the shared staff
 * header (web/js/staff.js) when that lands. */
'use strict';

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
    const events = (await cscc.api(base + '/events')).events;
    document.getElementById('events-list').replaceChildren(
        ...(events.length ? events.map((v) => el('li', {'data-event': String(v.id)}, [(v.date || '') + ' — ' + (v.title || v.type) + (v.attendance ? ' (' + t('partner.attendance', {n: v.attendance}) + ')' : '')])) : [el('li', {}, [t('partner.no_events')])])
    );
    document.body.dataset.loaded = 'partner';
});
