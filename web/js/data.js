/* data.js - the data page (analysts and admins): every import with its
 * provenance (GET /api/v1/imports), and an export uploaded with POST
 * /api/v1/imports, whose import is followed at /api/v1/imports/{id} until it
 * ends; a refused file shows its rejected rows (row, column, reason). The
 * "signed in as" line is this page's own, to be replaced by the shared staff
 * header (web/js/staff.js) when that lands. */
'use strict';

cscc.start('data', async () => {
    const t = cscc.t;
    const el = cscc.el;
    const who = await cscc.session();
    if (who.authenticated) staff.header(who, 'data');
    const when = (s) => (s ? new Intl.DateTimeFormat(cscc.lang(), {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(s)) : '');

    async function rows() {
        try {
            const r = await cscc.api('/resource/ijzp-q8t2.json', {$select: 'count(*)'});
            return r[0] ? Number(r[0].count) : 0;
        } catch (e) {
            return 0;
        }
    }
    async function refresh() {
        const n = await rows();
        document.getElementById('crimes-rows').textContent = cscc.formatNumber(n);
        document.body.dataset.rows = String(n);
        const list = (await cscc.api('/api/v1/imports', {limit: 50})).imports;
        document.querySelector('#imports tbody').replaceChildren(
            ...list.map((i) =>
                el('tr', {'data-import': String(i.id)}, [
                    el('td', {}, [String(i.id)]),
                    el('td', {}, [i.dataset]),
                    el('td', {}, [t('data.status_' + i.status)]),
                    el('td', {}, [when(i.started_at)]),
                    el('td', {}, [[i.rows_read, i.rows_new, i.rows_rejected].map((x) => cscc.formatNumber(x)).join(' / ')]),
                    el('td', {}, [(i.files || []).map((f) => f.path).join(', ')]),
                ])
            )
        );
    }
    await refresh();

    const status = document.getElementById('upload-status');
    document.getElementById('upload-form').addEventListener('submit', async (e) => {
        e.preventDefault();
        document.getElementById('page-error').hidden = true;
        document.getElementById('upload-rejects').replaceChildren();
        const file = document.getElementById('upload-file').files[0];
        if (!file) {
            cscc.showError(t('data.need_file'));
            return;
        }
        const dataset = document.getElementById('upload-dataset').value;
        const headers = {'Content-Type': /\.gz$/i.test(file.name) ? 'application/gzip' : 'text/csv'};
        if (who.csrf_token) headers['X-CSRF-Token'] = who.csrf_token;
        status.textContent = t('data.uploading', {name: file.name});
        let r, body;
        try {
            r = await fetch('/api/v1/imports?' + new URLSearchParams({dataset, name: file.name}), {method: 'POST', headers, body: file, credentials: 'same-origin'});
            body = await r.json();
        } catch (err) {
            cscc.showError(t('error.network'));
            return;
        }
        if (!r.ok) {
            status.textContent = '';
            cscc.showError(t('data.refused', {message: body && body.error ? body.error.message : r.status}));
            return;
        }
        let imp = body;
        while (imp.status === 'running') {
            status.textContent = t('data.running', {id: imp.id, name: file.name});
            await new Promise((ok) => setTimeout(ok, 500));
            imp = await cscc.api('/api/v1/imports/' + body.id);
        }
        await refresh();
        document.body.dataset.imported = imp.id + '|' + imp.status;
        if (imp.status === 'ok') {
            status.textContent = t('data.done', {id: imp.id, read: cscc.formatNumber(imp.rows_read), new: cscc.formatNumber(imp.rows_new), rejected: cscc.formatNumber(imp.rows_rejected)});
        } else {
            status.textContent = '';
            cscc.showError(t('data.failed', {id: imp.id, message: imp.message}));
            document.getElementById('upload-rejects').replaceChildren(
                ...(imp.rejected_rows || []).map((x) => el('li', {}, [t('data.reject_row', {row: x.row, column: x.column || '-', reason: x.reason, detail: x.detail})]))
            );
        }
    });
    document.body.dataset.loaded = 'data';
});
