/* need.js - follow a report by its number: GET /api/v1/needs/{id} answers
 * the public view (the block, never the reporter) with its work order's
 * history of public notes. */
'use strict';

cscc.start('need', async () => {
    const t = cscc.t;
    const el = cscc.el;
    const input = document.getElementById('need-id');
    const box = document.getElementById('need');
    const when = (s) => (s ? new Intl.DateTimeFormat(cscc.lang(), {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(s)) : '');

    async function show(id) {
        document.getElementById('page-error').hidden = true;
        box.hidden = true;
        let n;
        try {
            n = await cscc.api('/api/v1/needs/' + encodeURIComponent(id));
        } catch (e) {
            cscc.showError(e.status === 404 ? t('need.unknown', {id}) : t('error.api', {message: e.message}));
            return;
        }
        cscc.setState({id});
        document.getElementById('need-title').textContent = t('need.number', {id: n.service_request_id, service: n.service_name || n.service_code});
        const status = document.getElementById('need-status');
        status.textContent = t('status.' + (n.detailed_status || n.status)) + (n.status_notes ? ' — ' + n.status_notes : '');
        status.dataset.status = n.detailed_status || n.status;
        const facts = [
            [t('need.place'), n.block || n.address || ''],
            [t('need.area'), n.area ? String(n.area) : ''],
            [t('need.department'), n.agency_responsible || ''],
            [t('need.requested'), when(n.requested_datetime)],
            [t('need.expected'), when(n.expected_datetime)],
            [t('need.updated'), when(n.updated_datetime)],
        ];
        if (n.duplicate_of) facts.push([t('need.duplicate_of'), n.duplicate_of]);
        document.getElementById('need-facts').replaceChildren(...facts.filter((f) => f[1]).flatMap((f) => [el('dt', {}, [f[0]]), el('dd', {}, [f[1]])]));
        const hist = (n.history || []).map((h) =>
            el('li', {}, [el('time', {datetime: h.at || h.datetime || ''}, [when(h.at || h.datetime)]), ' ', el('strong', {}, [t('status.' + (h.state || h.to || ''))]), h.public_note ? ' — ' + h.public_note : ''])
        );
        document.getElementById('need-history').replaceChildren(...(hist.length ? hist : [el('li', {}, [t('need.no_history')])]));
        box.hidden = false;
        document.body.dataset.need = n.service_request_id + '|' + (n.detailed_status || n.status);
    }

    document.getElementById('need-form').addEventListener('submit', (e) => {
        e.preventDefault();
        const id = input.value.trim();
        if (!/^[0-9]+$/.test(id)) {
            input.setAttribute('aria-invalid', 'true');
            cscc.showError(t('need.bad_id'));
            return;
        }
        input.removeAttribute('aria-invalid');
        show(id);
    });
    const id = cscc.state('id');
    if (id && /^[0-9]+$/.test(id)) {
        input.value = id;
        await show(id);
    }
    document.body.dataset.loaded = 'need';
});
