/* report.js - report a need: a service from the catalogue (with its
 * questions), a place chosen on the map or a block written out, a
 * description and optional contact details, sent to POST /api/v1/needs as a
 * JSON object. The answer's number is how the resident follows it (/need). The
 * contact details are kept for staff only; the page says so. */
'use strict';

/* The form's element for a field the API names in an error. */
function fieldElement(field) {
    if (!field) return null;
    if (field === 'lat' || field === 'long') return document.getElementById('address');
    if (field === 'address' || field === 'address_string') return document.getElementById('address');
    if (field === 'first_name' || field === 'last_name' || field === 'name') return document.getElementById('first_name');
    const m = /^attribute\[([^\]]+)\]/.exec(field);
    if (m) return document.querySelector('[data-attribute="' + CSS.escape(m[1]) + '"]');
    return document.querySelector('[name="' + CSS.escape(field) + '"]');
}

/* One question of a service (an Open311 attribute) as a form field. */
function attributeField(a) {
    const el = cscc.el;
    const id = 'attr-' + a.code;
    if (!a.variable) return el('p', {class: 'help'}, [a.description]);
    const label = a.description + (a.required ? ' *' : '');
    if (a.datatype === 'singlevaluelist') {
        const sel = el('select', {id, name: 'attribute[' + a.code + ']', 'data-attribute': a.code});
        sel.add(new Option('', ''));
        (a.values || []).forEach((v) => sel.add(new Option(v.name, v.key)));
        if (a.required) sel.required = true;
        return el('div', {class: 'field'}, [el('label', {for: id}, [label]), sel]);
    }
    if (a.datatype === 'multivaluelist') {
        const fs = el('fieldset', {class: 'field checks', 'data-attribute': a.code}, [el('legend', {}, [label])]);
        (a.values || []).forEach((v, i) => {
            const cid = id + '-' + i;
            fs.append(el('label', {for: cid}, [el('input', {type: 'checkbox', id: cid, name: 'attribute[' + a.code + '][]', value: v.key}), ' ' + v.name]));
        });
        return fs;
    }
    const input =
        a.datatype === 'text'
            ? el('textarea', {id, name: 'attribute[' + a.code + ']', rows: '2', 'data-attribute': a.code, maxlength: '1000'})
            : el('input', {id, name: 'attribute[' + a.code + ']', 'data-attribute': a.code, type: a.datatype === 'number' ? 'number' : a.datatype === 'datetime' ? 'datetime-local' : 'text'});
    if (a.required) input.required = true;
    return el('div', {class: 'field'}, [el('label', {for: id}, [label]), input]);
}

cscc.start('report', async () => {
    const t = cscc.t;
    const form = document.getElementById('report-form');
    const serviceSel = document.getElementById('service');
    const [catalog, areas] = await Promise.all([cscc.api('/api/v1/catalog'), cscc.api('/api/v1/areas', {format: 'geojson'})]);
    const services = catalog.services.filter((s) => s.active !== false);
    const byCode = new Map(services.map((s) => [s.service_code, s]));

    /* ---- services, grouped as the catalogue groups them */
    serviceSel.add(new Option(t('report.choose'), ''));
    const groups = new Map();
    services.forEach((s) => {
        const g = s.group || '';
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(s);
    });
    [...groups.keys()].sort().forEach((g) => {
        const og = document.createElement('optgroup');
        og.label = g || t('report.other');
        groups.get(g).forEach((s) => og.append(new Option(s.service_name, s.service_code)));
        serviceSel.append(og);
    });
    if (byCode.has(cscc.state('service'))) serviceSel.value = cscc.state('service');

    const attrsBox = document.getElementById('attributes');
    const attrsFields = document.getElementById('attribute-fields');
    async function showService() {
        const s = byCode.get(serviceSel.value);
        document.getElementById('service-help').textContent = s ? s.description : '';
        attrsFields.replaceChildren();
        attrsBox.hidden = true;
        if (!s || !s.metadata) return;
        const def = await cscc.api('/api/v1/catalog/' + encodeURIComponent(s.service_code));
        const attrs = (def.attributes || []).slice().sort((a, b) => a.order - b.order);
        attrs.forEach((a) => attrsFields.append(attributeField(a)));
        attrsBox.hidden = attrs.length === 0;
    }
    serviceSel.addEventListener('change', () => showService().catch((e) => cscc.showError(t('error.api', {message: e.message}))));
    await showService();
    document.body.dataset.loaded = 'report';

    /* ---- the place: a click on the map (or Enter on it: its centre) */
    const map = L.map('report-map', {zoomSnap: 0.25, scrollWheelZoom: false});
    map.attributionControl.setPrefix('');
    const tiles = cscc.settings && cscc.settings.tiles;
    if (tiles && tiles.url) L.tileLayer(tiles.url, {attribution: tiles.attribution || '', maxZoom: 19}).addTo(map);
    const outline = L.geoJSON(areas, {style: {color: '#5a6b7b', weight: 1, fillColor: '#ffffff', fillOpacity: 0.6}, interactive: false}).addTo(map);
    map.fitBounds(outline.getBounds());
    let marker = null;
    const lat = document.getElementById('lat');
    const lon = document.getElementById('long');
    const picked = document.getElementById('where-picked');
    function pick(ll) {
        lat.value = ll.lat.toFixed(6);
        lon.value = ll.lng.toFixed(6);
        if (marker) marker.setLatLng(ll);
        else marker = L.circleMarker(ll, {radius: 8, color: '#12355b', weight: 3, fillColor: '#f6c343', fillOpacity: 1}).addTo(map);
        picked.textContent = t('report.picked', {lat: lat.value, long: lon.value});
    }
    map.on('click', (e) => pick(e.latlng));
    document.getElementById('report-map').addEventListener('keydown', (e) => {
        if (e.key === 'Enter') pick(map.getCenter());
    });

    /* ---- sending */
    function clearInvalid() {
        form.querySelectorAll('[aria-invalid]').forEach((x) => x.removeAttribute('aria-invalid'));
    }
    form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clearInvalid();
        document.getElementById('page-error').hidden = true;
        if (!serviceSel.value) {
            serviceSel.setAttribute('aria-invalid', 'true');
            serviceSel.focus();
            cscc.showError(t('report.need_service'));
            return;
        }
        if (!lat.value && !document.getElementById('address').value.trim()) {
            document.getElementById('address').setAttribute('aria-invalid', 'true');
            document.getElementById('address').focus();
            cscc.showError(t('report.need_place'));
            return;
        }
        /* a JSON object of the Open311 fields; a multivaluelist's answers as an array */
        const body = {};
        new FormData(form).forEach((v, k) => {
            if (typeof v !== 'string' || v.trim() === '') return;
            if (k.endsWith('[]')) (body[k] = body[k] || []).push(v.trim());
            else body[k] = v.trim();
        });
        if (lat.value) delete body.address_string;
        const button = document.getElementById('submit');
        button.disabled = true;
        try {
            const need = await cscc.send('POST', '/api/v1/needs', body);
            const id = need.service_request_id;
            form.hidden = true;
            const done = document.getElementById('report-done');
            document.getElementById('done-text').textContent = t('report.done', {id, service: need.service_name || '', department: need.agency_responsible || t('report.department_unknown')});
            document.getElementById('done-link').href = cscc.link('/need', {id});
            done.hidden = false;
            done.focus();
            document.body.dataset.reported = id;
        } catch (e) {
            const target = fieldElement(e.field);
            if (target) {
                target.setAttribute('aria-invalid', 'true');
                target.focus();
            }
            cscc.showError(e.status === 429 ? t('report.too_many') : t('report.failed', {message: e.message}));
        } finally {
            button.disabled = false;
        }
    });
});
