/* analyst.js - run any analysis the API lists (GET /api/v1/analyses) with
 * its parameters, as a form generated from the parameters' description
 * there (name, type, choices, range: one source of truth, the server's
 * table), and see the result: features on a map (GeoJSON), rows in a table,
 * and links to export it as CSV or GeoJSON (the same request with format=).
 * The analysis and its parameters are in the address. */
'use strict';

/* Rows shown in the table at most (the exports have them all). */
const TABLE_MAX = 200;
/* Property used to shade the map, first found. */
const SHADE_BY = ['gi_bin', 'density_km2', 'count', 'rate', 'value', 'gap', 'score'];
const SHADES = ['#fdd49e', '#fdbb84', '#fc8d59', '#d7301f', '#7f0000'];
const BINS = {'-3': '#2166ac', '-2': '#67a9cf', '-1': '#d1e5f0', 0: '#f7f7f7', 1: '#fddbc7', 2: '#ef8a62', 3: '#b2182b'};

cscc.start('analyst', async () => {
    const t = cscc.t;
    if (!(await staffPages.gate('analyst'))) {
        document.body.dataset.loaded = 'refused';
        return;
    }
    const [list, extent, areaJson] = await Promise.all([cscc.api('/api/v1/analyses'), cscc.dataExtent(), cscc.api('/api/v1/areas', {format: 'geojson'})]);
    const areas = areaJson.features;
    const analyses = list.analyses;
    const sel = document.getElementById('analysis');
    const paramsBox = document.getElementById('params');
    const status = document.getElementById('run-status');
    const el = cscc.el;
    analyses.forEach((a) => sel.add(new Option(a.name, a.name)));
    const start = new URLSearchParams(location.search);
    sel.value = analyses.some((a) => a.name === start.get('analysis')) ? start.get('analysis') : 'kde';
    const current = () => analyses.find((a) => a.name === sel.value);

    /* ---- the form of an analysis, from its parameters */
    const label = (p) => {
        const k = 'analyst.param.' + p.name;
        return t(k) === k ? p.name : t(k);
    };
    function hint(p) {
        if (p.type === 'date') return t('analyst.hint.date');
        if (p.type === 'integer') return t('analyst.hint.range', {min: p.min, max: p.max});
        if (p.type === 'list' && p.choices) return t('analyst.hint.list', {choices: p.choices.split(' ').join(', ')});
        if (p.type === 'list') return t('analyst.hint.list_any', p.max ? {choices: p.min + '–' + p.max} : {choices: '…'});
        if (p.repeatable) return t('analyst.hint.repeat');
        return '';
    }
    function control(p, value) {
        const id = 'p-' + p.name;
        let input;
        if (p.type === 'boolean' || p.type === 'enum') {
            input = el('select', {id, name: p.name});
            input.add(new Option(t('analyst.default'), ''));
            (p.type === 'boolean' ? ['true', 'false'] : p.choices.split(' ')).forEach((c) => input.add(new Option(p.type === 'boolean' ? t('analyst.' + c) : c, c)));
        } else {
            const type = p.type === 'date' ? 'date' : p.type === 'integer' ? 'number' : 'text';
            input = el('input', {id, name: p.name, type});
            if (p.type === 'integer') {
                input.min = p.min;
                input.max = p.max;
            }
        }
        if (value !== null && value !== undefined) input.value = value;
        const h = hint(p);
        const kids = [el('label', {for: id}, [label(p)]), input];
        if (h) {
            const hid = id + '-hint';
            kids.push(el('span', {class: 'hint', id: hid}, [h]));
            input.setAttribute('aria-describedby', hid);
        }
        return el('div', {class: 'field', 'data-param': p.name}, kids);
    }
    function buildForm(fromAddress) {
        const a = current();
        document.getElementById('analysis-summary').textContent = a.summary;
        const q = fromAddress ? start : new URLSearchParams();
        const to = extent.to;
        const defaults = {from: cscc.addDays(to, -27), to};
        paramsBox.replaceChildren(
            ...a.parameters
                .filter((p) => p.name !== 'format')
                .map((p) => control(p, q.has(p.name) ? q.getAll(p.name).join(',') : defaults[p.name]))
        );
    }

    /* ---- the request of the form */
    function query(format) {
        const a = current();
        const q = new URLSearchParams();
        a.parameters.forEach((p) => {
            const input = document.getElementById('p-' + p.name);
            if (!input || input.value.trim() === '') return;
            const v = input.value.trim();
            if (p.repeatable && p.type !== 'list')
                v.split(',')
                    .map((x) => x.trim())
                    .filter(Boolean)
                    .forEach((x) => q.append(p.name, x));
            else q.append(p.name, v);
        });
        if (format) q.set('format', format);
        return q;
    }
    const url = (format) => '/api/v1/analyses/' + encodeURIComponent(current().name) + '?' + query(format).toString();

    /* ---- the result */
    let map = null;
    function draw(fc) {
        const box = document.getElementById('result-map');
        if (map) map.remove();
        map = null;
        const feats = fc ? fc.features.filter((f) => f.geometry) : [];
        box.hidden = !feats.length;
        if (!feats.length) return 0;
        map = staffPages.map(box);
        staffPages.outlines(areas).addTo(map);
        const props = feats[0].properties;
        const by = SHADE_BY.find((k) => typeof props[k] === 'number') || Object.keys(props).find((k) => typeof props[k] === 'number' && !/^(cell|col|row|x|y|area|number|community_area)$/.test(k));
        const vals = feats.map((f) => f.properties[by]).filter((v) => typeof v === 'number' && v > 0).sort((x, y) => x - y);
        const q = [1, 2, 3, 4].map((i) => vals[Math.floor((i * vals.length) / 5)]);
        const colour = (v) => {
            if (by === 'gi_bin') return BINS[String(v)] || BINS[0];
            if (typeof v !== 'number' || v <= 0) return '#f7f7f7';
            let k = 0;
            while (k < 4 && v > q[k]) k++;
            return SHADES[k];
        };
        const layer = L.geoJSON(
            {type: 'FeatureCollection', features: feats},
            {
                renderer: L.canvas(),
                /* cells of nothing (a Gi* bin 0, a density of 0) are drawn clear, so the rest stand out */
                style: (f) => {
                    const c = colour(f.properties[by]);
                    const none = c === BINS[0];
                    return {color: '#555555', weight: none ? 0 : 0.5, stroke: !none, fillColor: c, fillOpacity: none ? 0 : 0.8};
                },
                pointToLayer: (f, ll) => L.circleMarker(ll, {radius: 4}),
            }
        ).addTo(map);
        const b = layer.getBounds();
        if (b.isValid()) map.fitBounds(b, {padding: [8, 8]});
        box.dataset.features = String(feats.length);
        box.dataset.shadeBy = by || '';
        return feats.length;
    }
    function fillTable(columns, rows, total) {
        const tbl = document.getElementById('result-table');
        /* integers as they are (cell and area numbers are names, not amounts) */
        const cell = (v) => (v === null || v === undefined ? '' : typeof v === 'number' && !Number.isInteger(v) ? cscc.formatNumber(v, 3) : String(v));
        tbl.replaceChildren(
            el('caption', {}, [total > rows.length ? t('analyst.rows_some', {n: cscc.formatNumber(rows.length), total: cscc.formatNumber(total)}) : t('analyst.rows_all', {total: cscc.formatNumber(total)})]),
            el('thead', {}, [el('tr', {}, columns.map((c) => el('th', {scope: 'col'}, [c])))]),
            el('tbody', {}, rows.map((r) => el('tr', {}, r.map((v, i) => el(i ? 'td' : 'th', i ? {class: typeof v === 'number' ? 'num' : ''} : {scope: 'row'}, [cell(v)])))))
        );
        tbl.dataset.rows = String(rows.length);
        tbl.dataset.total = String(total);
    }

    async function run() {
        const a = current();
        document.getElementById('page-error').hidden = true;
        paramsBox.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
        const q = query(null);
        q.set('analysis', a.name);
        history.replaceState(null, '', location.pathname + '?' + q.toString() + (cscc.state('lang') ? '&lang=' + cscc.state('lang') : ''));
        document.body.dataset.loaded = '';
        status.textContent = t('analyst.running');
        const spatial = a.formats.includes('geojson');
        let res;
        try {
            res = await cscc.api(url(spatial ? 'geojson' : 'json'));
        } catch (e) {
            status.textContent = '';
            if (e.field) {
                const input = document.getElementById('p-' + e.field);
                if (input) {
                    input.setAttribute('aria-invalid', 'true');
                    input.focus();
                }
            }
            document.body.dataset.loaded = 'error';
            throw e;
        }
        const section = document.getElementById('result');
        section.hidden = false;
        let n;
        if (spatial) {
            const feats = res.features || [];
            const cols = feats.length ? Object.keys(feats[0].properties) : [];
            fillTable(cols, feats.slice(0, TABLE_MAX).map((f) => cols.map((c) => f.properties[c])), feats.length);
            n = draw(res);
        } else {
            fillTable(
                res.columns.map((c) => (typeof c === 'string' ? c : c.name)),
                res.rows.slice(0, TABLE_MAX),
                res.rows.length
            );
            n = draw(null);
        }
        const csv = document.getElementById('export-csv');
        const geo = document.getElementById('export-geojson');
        csv.href = url('csv');
        geo.href = url('geojson');
        geo.hidden = !spatial;
        document.getElementById('result-summary').textContent = t('analyst.summary', {name: a.name, rows: cscc.formatNumber(Number(document.getElementById('result-table').dataset.total)), features: cscc.formatNumber(n)});
        status.textContent = t('analyst.done');
        document.body.dataset.loaded = a.name + '|' + Date.now();
    }

    buildForm(true);
    sel.addEventListener('change', () => {
        buildForm(false);
        document.getElementById('result').hidden = true;
    });
    document.getElementById('analyst-form').addEventListener('submit', (ev) => {
        ev.preventDefault();
        run().catch((e) => cscc.showError(e instanceof cscc.ApiError ? t('error.api', {message: e.message}) : t('error.page', {message: e.message})));
    });
    document.body.dataset.loaded = 'form';
});
