/* map.js - the city map: community areas shaded by the count or the rate of
 * a category of incidents over a period (quantile classes), priority areas
 * outlined, suppressed cells hatched; a legend, a ranked table (the map's
 * content for keyboards and screen readers), and each area a link to its page. */
'use strict';

/* Five classes, light to dark (ColorBrewer OrRd), then no incidents and suppressed. */
const CLASS_COLORS = ['#fdd49e', '#fdbb84', '#fc8d59', '#d7301f', '#7f0000'];
const ZERO_COLOR = '#f7f7f7';
const SUPPRESSED_FILL = 'url(#hatch)';

/** Up to five class breaks (upper bounds) over the positive values, by quantile. */
function classBreaks(values) {
    const v = values.filter((x) => x > 0).sort((a, b) => a - b);
    if (!v.length) return [];
    const breaks = [];
    for (let i = 1; i <= 5; i++) {
        const b = v[Math.min(v.length - 1, Math.ceil((i / 5) * v.length) - 1)];
        if (!breaks.length || b > breaks[breaks.length - 1]) breaks.push(b);
    }
    return breaks;
}

function classOf(value, breaks) {
    for (let i = 0; i < breaks.length; i++) if (value <= breaks[i]) return i;
    return breaks.length - 1;
}

/* Colours for as many classes as there are breaks, spread over the five. */
function colorsFor(n) {
    if (n >= 5) return CLASS_COLORS;
    return Array.from({length: n}, (x, i) => CLASS_COLORS[Math.round((i * 4) / Math.max(1, n - 1))]);
}

cscc.start('index', async () => {
    const t = cscc.t;
    const [extent, cats, areas] = await Promise.all([
        cscc.dataExtent(),
        cscc.api('/api/v1/categories'),
        cscc.api('/api/v1/areas', {format: 'geojson'}),
    ]);

    /* ---- controls, from the URL's state */
    const periodSel = document.getElementById('period');
    const catSel = document.getElementById('category');
    const periods = cscc.periods(extent);
    periods.forEach((p) => periodSel.add(new Option(p.label, p.id)));
    periodSel.value = periods.some((p) => p.id === cscc.state('period')) ? cscc.state('period') : periods[0].id;
    const categories = cats.categories.slice().sort((a, b) => cscc.categoryName(a).localeCompare(cscc.categoryName(b), cscc.lang()));
    categories.forEach((c) => catSel.add(new Option(cscc.categoryName(c), c.name)));
    catSel.value = categories.some((c) => c.name === cscc.state('category')) ? cscc.state('category') : 'violent';
    const measureOf = () => document.querySelector('input[name="measure"]:checked').value;
    if (cscc.state('measure') === 'rate') document.querySelector('input[value="rate"]').checked = true;

    /* ---- the map: boundaries on a plain background (tiles only when configured) */
    const map = L.map('map', {zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true});
    map.attributionControl.setPrefix('');
    const tiles = cscc.settings && cscc.settings.tiles;
    if (tiles && tiles.url) L.tileLayer(tiles.url, {attribution: tiles.attribution || '', maxZoom: 18}).addTo(map);
    let values = new Map(); // area number -> {value, suppressed}
    let breaks = [];
    let colors = [];
    const measureText = (c) => {
        if (c.suppressed) return t('value.suppressed');
        return measureOf() === 'rate' ? cscc.formatNumber(c.value, 1) : cscc.formatNumber(c.value);
    };
    const fillOf = (n) => {
        const c = values.get(n);
        if (!c) return ZERO_COLOR;
        if (c.suppressed) return SUPPRESSED_FILL;
        if (c.value === 0) return ZERO_COLOR;
        return colors[classOf(c.value, breaks)];
    };
    const style = (f) => {
        const prio = f.properties.priority;
        return {
            fillColor: fillOf(f.properties.number),
            fillOpacity: 0.9,
            color: prio ? '#000000' : '#6b6b6b',
            weight: prio ? 3 : 1,
            opacity: 1,
        };
    };
    const areaLink = (n) => cscc.link('/area', {number: n, category: catSel.value, period: periodSel.value});
    const layer = L.geoJSON(areas, {
        style,
        onEachFeature: (f, l) => {
            l.on('click', () => {
                location.href = areaLink(f.properties.number);
            });
            l.bindTooltip(() => {
                const c = values.get(f.properties.number) || {value: 0, suppressed: false};
                const pr = f.properties.priority ? ' · ' + t('legend.priority') : '';
                return '<strong>' + escapeHtml(f.properties.name) + '</strong><br>' + escapeHtml(measureText(c)) + escapeHtml(pr);
            }, {sticky: true});
            l.on('add', () => {
                const el = l.getElement && l.getElement();
                if (el) {
                    el.setAttribute('data-area', f.properties.number);
                    el.setAttribute('aria-hidden', 'true'); // the table below carries the same, for keyboards
                }
            });
        },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), {padding: [4, 4]});
    window.addEventListener('resize', () => map.invalidateSize());

    /* ---- the counts of the chosen period and category */
    async function refresh() {
        const p = periods.find((x) => x.id === periodSel.value);
        const rate = measureOf() === 'rate';
        cscc.setState({period: p.id, category: catSel.value, measure: rate ? 'rate' : null});
        document.getElementById('main').setAttribute('aria-busy', 'true');
        const d = await cscc.api('/api/v1/counts', {by: 'area', from: p.from, to: p.to, category: catSel.value, rate: rate ? 'true' : null});
        const field = rate ? 'rate_per_100k' : 'count';
        values = new Map(d.rows.map((r) => [r.community_area, cscc.cell(r, field)]));
        const published = [...values.values()].filter((c) => !c.suppressed).map((c) => c.value);
        breaks = classBreaks(published);
        colors = colorsFor(breaks.length);
        layer.setStyle(style);
        const nSuppressed = [...values.values()].filter((c) => c.suppressed).length;
        const catName = catSel.options[catSel.selectedIndex].text;
        const total = d.rows.reduce((s, r) => s + (cscc.cell(r, 'count').suppressed ? 0 : r.count), 0);
        document.getElementById('summary').textContent =
            t(nSuppressed ? 'map.summary_suppressed' : 'map.summary', {
                total: cscc.formatNumber(total),
                category: catName.toLowerCase(),
                from: cscc.formatDay(p.from),
                to: cscc.formatDay(p.to),
                suppressed: nSuppressed,
            });
        renderLegend(rate, nSuppressed);
        renderTable(rate);
        document.getElementById('main').removeAttribute('aria-busy');
        document.body.dataset.loaded = p.id + '|' + catSel.value + '|' + (rate ? 'rate' : 'count');
    }

    function renderLegend(rate, nSuppressed) {
        const ul = document.getElementById('legend-items');
        const items = [];
        const fmt = (x) => (rate ? cscc.formatNumber(x, 1) : cscc.formatNumber(x));
        let lo = rate ? 0 : 1;
        breaks.forEach((b, i) => {
            const label = rate ? (i === 0 ? t('legend.upto', {to: fmt(b)}) : t('legend.range', {from: fmt(lo), to: fmt(b)})) : lo === b ? fmt(b) : t('legend.range', {from: fmt(lo), to: fmt(b)});
            items.push({swatch: 'background:' + colors[i], label});
            lo = rate ? b : b + 1;
        });
        items.push({swatch: 'background:' + ZERO_COLOR, label: t('legend.zero')});
        if (nSuppressed) items.push({swatch: '', cls: 'hatched', label: t('legend.suppressed')});
        items.push({swatch: 'background:#ffffff', cls: 'priority', label: t('legend.priority')});
        ul.replaceChildren(
            ...items.map((it) => {
                const li = document.createElement('li');
                const sw = document.createElement('span');
                sw.className = 'swatch' + (it.cls ? ' ' + it.cls : '');
                if (it.swatch) sw.setAttribute('style', it.swatch);
                sw.setAttribute('aria-hidden', 'true');
                li.append(sw, document.createTextNode(it.label));
                return li;
            })
        );
        document.getElementById('legend-title').textContent = t('legend.title') + ': ' + t(rate ? 'measure.rate' : 'measure.count').toLowerCase();
    }

    function renderTable(rate) {
        const rows = areas.features.map((f) => ({f, c: values.get(f.properties.number) || {value: 0, suppressed: false}}));
        rows.sort((a, b) => {
            if (a.c.suppressed !== b.c.suppressed) return a.c.suppressed ? 1 : -1;
            return b.c.value - a.c.value || a.f.properties.number - b.f.properties.number;
        });
        document.getElementById('value-head').textContent = t(rate ? 'measure.rate' : 'measure.count');
        const p = periods.find((x) => x.id === periodSel.value);
        document.getElementById('table-caption').textContent = t('table.caption', {
            category: catSel.options[catSel.selectedIndex].text,
            period: p.label,
        });
        const tbody = document.querySelector('#area-table tbody');
        tbody.replaceChildren(
            ...rows.map(({f, c}) => {
                const tr = document.createElement('tr');
                const a = document.createElement('a');
                a.href = areaLink(f.properties.number);
                a.textContent = f.properties.name;
                const td1 = document.createElement('td');
                td1.appendChild(a);
                const td2 = document.createElement('td');
                td2.className = 'num' + (c.suppressed ? ' suppressed' : '');
                td2.textContent = measureText(c);
                const td3 = document.createElement('td');
                td3.textContent = f.properties.priority ? t('table.yes') : '';
                tr.dataset.area = f.properties.number;
                tr.append(td1, td2, td3);
                return tr;
            })
        );
    }

    const onChange = () => refresh().catch((e) => cscc.showError(t('error.api', {message: e.message})));
    periodSel.addEventListener('change', onChange);
    catSel.addEventListener('change', onChange);
    document.querySelectorAll('input[name="measure"]').forEach((r) => r.addEventListener('change', onChange));
    document.getElementById('controls').addEventListener('submit', (e) => e.preventDefault());
    await refresh();
});

function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]);
}
