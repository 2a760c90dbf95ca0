/* brief.js - the weekly coordination brief (GET /api/v1/brief) as a printable
 * page: for each priority area (or one area) and citywide, violence in the
 * week against the four weeks before and the same week a year earlier (a
 * chart and its table), the Gi* hot cells on a map, new needs and overdue
 * work orders by department, engagement and sector coverage, and funding.
 * The week (ISO, defaults to the last whole week of the data) and the area
 * are in the address. Printing (or Save as PDF) gives one area per page. */
'use strict';

/* Hot cells by Gi* bin: 3 (99 %), 2 (95 %), 1 (90 %). */
const HOT_COLORS = {3: '#b30000', 2: '#e34a33', 1: '#fc8d59'};

cscc.start('brief', async () => {
    const t = cscc.t;
    if (!(await staffPages.gate('coordinator'))) {
        document.body.dataset.loaded = 'refused';
        return;
    }
    const [extent, areas, cats] = await Promise.all([cscc.dataExtent(), cscc.api('/api/v1/areas', {format: 'geojson'}), cscc.api('/api/v1/categories')]);
    const catLabel = new Map(cats.categories.map((c) => [c.name, c]));
    const features = areas.features;
    const byNumber = new Map(features.map((f) => [f.properties.number, f]));

    /* ---- controls, from the address */
    const weekIn = document.getElementById('week');
    const areaSel = document.getElementById('area');
    const lastWeek = cscc.isoWeek(cscc.lastSunday(extent.to));
    weekIn.min = cscc.isoWeek(extent.from);
    weekIn.max = cscc.isoWeek(cscc.addDays(extent.to, 6));
    weekIn.value = /^\d{4}-W\d{2}$/.test(cscc.state('week') || '') ? cscc.state('week') : lastWeek;
    areaSel.add(new Option(t('brief.area_all'), ''));
    features
        .slice()
        .sort((a, b) => a.properties.number - b.properties.number)
        .forEach((f) => areaSel.add(new Option(f.properties.number + ' ' + f.properties.name, String(f.properties.number))));
    areaSel.value = byNumber.has(Number(cscc.state('area'))) ? cscc.state('area') : '';
    document.getElementById('print').addEventListener('click', () => window.print());

    const maps = [];
    const charts = [];
    const num = (n, d) => cscc.formatNumber(n, d);
    const money = (n) => new Intl.NumberFormat(cscc.lang(), {style: 'currency', currency: 'USD', maximumFractionDigits: 0}).format(n);
    const el = cscc.el;
    const td = (text, cls, field) => {
        const e = el('td', cls ? {class: cls} : {}, [text]);
        if (field) e.dataset.field = field;
        return e;
    };
    const table = (caption, heads, rows) =>
        el('div', {class: 'table-wrap', tabindex: '0', role: 'group', 'aria-label': caption}, [
            el('table', {}, [
                el('caption', {}, [caption]),
                el('thead', {}, [el('tr', {}, heads.map((h, i) => el('th', {scope: 'col', class: i ? 'num' : ''}, [h])))]),
                el('tbody', {}, rows),
            ]),
        ]);
    const sectorName = (s) => {
        const k = 'brief.sector.' + s;
        const v = t(k);
        return v === k ? s.replace(/_/g, ' ') : v;
    };

    /* ---- one section: an area or citywide */
    function violence(s, name) {
        const box = el('div', {class: 'brief-block'}, [el('h3', {}, [t('brief.violence')])]);
        const cats = s.violence.map((v) => cscc.categoryName(catLabel.get(v.category) || {name: v.category, label: v.category}));
        const canvas = el('canvas', {role: 'img', 'aria-label': t('brief.chart_label', {area: name})});
        box.append(el('figure', {class: 'chart brief-chart'}, [el('div', {class: 'chart-box'}, [canvas]), el('figcaption', {}, [t('brief.chart_caption')])]));
        const rows = s.violence.map((v, i) =>
            el('tr', {'data-category': v.category}, [
                el('th', {scope: 'row'}, [cats[i]]),
                td(num(v.week), 'num', 'week'),
                td(num(v.prior_4_weeks), 'num', 'prior_4_weeks'),
                td(num(v.prior_4_weeks_mean, 2), 'num', 'prior_4_weeks_mean'),
                td(num(v.year_ago), 'num', 'year_ago'),
            ])
        );
        box.append(table(t('brief.violence_caption', {area: name}), [t('brief.category'), t('brief.this_week'), t('brief.prior_4'), t('brief.prior_mean'), t('brief.year_ago')], rows));
        const chart = new Chart(canvas, {
            type: 'bar',
            data: {
                labels: cats,
                datasets: [
                    {label: t('brief.this_week'), data: s.violence.map((v) => v.week), backgroundColor: '#b30000'},
                    {label: t('brief.prior_mean'), data: s.violence.map((v) => v.prior_4_weeks_mean), backgroundColor: '#fc8d59'},
                    {label: t('brief.year_ago'), data: s.violence.map((v) => v.year_ago), backgroundColor: '#6b6b6b'},
                ],
            },
            options: {responsive: true, maintainAspectRatio: false, animation: false, plugins: {legend: {position: 'bottom'}}, scales: {y: {beginAtZero: true}}},
        });
        charts.push(chart);
        return box;
    }

    function hotspots(s, name) {
        const box = el('div', {class: 'brief-block'}, [el('h3', {}, [t('brief.hotspots')])]);
        const cells = (s.hotspots && s.hotspots.features) || [];
        const div = el('div', {class: 'brief-map', role: 'region', 'aria-label': t('brief.map_label', {area: name})});
        box.append(div);
        if (!cells.length) {
            box.append(el('p', {class: 'note'}, [t('brief.no_hotspots')]));
        } else {
            const rows = cells.map((f) =>
                el('tr', {'data-cell': String(f.properties.cell)}, [
                    el('th', {scope: 'row'}, [String(f.properties.cell)]),
                    td(String(f.properties.area || ''), 'num', 'area'),
                    td(num(f.properties.count), 'num', 'count'),
                    td(num(f.properties.gi_z, 2), 'num', 'gi_z'),
                ])
            );
            box.append(table(t('brief.hotspots_caption', {area: name}), [t('brief.cell'), t('brief.area'), t('brief.incidents'), t('brief.gi_z')], rows));
        }
        /* drawn once the section is in the page (Leaflet needs the div's size) */
        div.draw = () => {
            const m = staffPages.map(div);
            maps.push(m);
            const own = s.area ? [byNumber.get(s.area)].filter(Boolean) : features;
            const base = staffPages.outlines(own).addTo(m);
            const hot = L.geoJSON(s.hotspots, {
                style: (f) => ({color: '#000000', weight: 1, fillColor: HOT_COLORS[f.properties.gi_bin] || HOT_COLORS[1], fillOpacity: 0.85}),
                onEachFeature: (f, layer) => layer.bindTooltip(t('brief.cell_tip', {cell: f.properties.cell, count: num(f.properties.count), z: num(f.properties.gi_z, 2)})),
            }).addTo(m);
            const b = cells.length && s.area ? hot.getBounds().extend(base.getBounds()) : base.getBounds();
            if (b.isValid()) m.fitBounds(b, {padding: [8, 8]});
            div.dataset.cells = String(cells.length);
        };
        return box;
    }

    function needs(s, name) {
        const n = s.needs;
        const box = el('div', {class: 'brief-block'}, [el('h3', {}, [t('brief.needs')])]);
        const p = el('p', {'data-field': 'needs'}, [t('brief.needs_line', {new: num(n.new_needs), overdue: num(n.overdue_workorders)})]);
        p.dataset.newNeeds = String(n.new_needs);
        p.dataset.overdue = String(n.overdue_workorders);
        box.append(p);
        if (n.by_department.length) {
            const rows = n.by_department.map((d) =>
                el('tr', {'data-department': d.department || d.name}, [el('th', {scope: 'row'}, [d.name]), td(num(d.new_needs), 'num', 'new_needs'), td(num(d.overdue), 'num', 'overdue')])
            );
            box.append(table(t('brief.needs_caption', {area: name}), [t('brief.department'), t('brief.new_needs'), t('brief.overdue')], rows));
        }
        return box;
    }

    function engagement(s) {
        const e = s.engagement;
        const box = el('div', {class: 'brief-block'}, [el('h3', {}, [t('brief.engagement')])]);
        if (!e) {
            box.append(el('p', {class: 'note'}, [t('brief.no_engagement')]));
            return box;
        }
        const p = el('p', {'data-field': 'engagement'}, [
            t('brief.engagement_line', {events: num(e.events), attendance: num(e.attendance), covered: num(e.sectors_covered), total: num(Object.keys(e.sectors || {}).length)}),
        ]);
        p.dataset.events = String(e.events);
        p.dataset.attendance = String(e.attendance);
        p.dataset.covered = String(e.sectors_covered);
        box.append(p);
        if (e.missing && e.missing.length) box.append(el('p', {}, [t('brief.missing', {sectors: e.missing.map(sectorName).join(', ')})]));
        return box;
    }

    function funding(s) {
        const f = s.funding;
        const box = el('div', {class: 'brief-block'}, [el('h3', {}, [t('brief.funding')])]);
        if (!f) {
            box.append(el('p', {class: 'note'}, [t('brief.no_funding')]));
            return box;
        }
        const p = el('p', {'data-field': 'funding'}, [
            t('brief.funding_line', {n: num(f.allocations), citywide: num(f.citywide_allocations), amount: money(f.amount), spent: money(f.spent)}),
        ]);
        p.dataset.allocations = String(f.allocations);
        p.dataset.amount = String(f.amount);
        box.append(p);
        if (f.by_strategy && f.by_strategy.length) {
            const rows = f.by_strategy.map((r) => el('tr', {}, [el('th', {scope: 'row'}, [r.strategy]), td(money(r.amount), 'num', 'amount'), td(num(r.allocations), 'num', 'allocations')]));
            box.append(table(t('brief.funding_caption'), [t('brief.strategy'), t('brief.amount'), t('brief.allocations')], rows));
        }
        return box;
    }

    function section(s, i) {
        const name = s.unit === 'area' ? s.area + ' ' + s.name : t('brief.citywide');
        const id = 'unit-' + i;
        const sec = el('section', {class: 'brief-unit panel', 'aria-labelledby': id, 'data-unit': s.unit, 'data-area': String(s.area || 0)}, [
            el('h2', {id}, [name + (s.priority ? ' · ' + t('brief.priority') : '')]),
        ]);
        sec.append(violence(s, name), hotspots(s, name), needs(s, name), engagement(s), funding(s));
        return sec;
    }

    /* ---- the brief of the chosen week and area */
    async function load() {
        const week = weekIn.value || lastWeek;
        const area = areaSel.value;
        cscc.setState({week, area});
        document.body.dataset.loaded = '';
        maps.splice(0).forEach((m) => m.remove());
        charts.splice(0).forEach((c) => c.destroy());
        const out = document.getElementById('brief-sections');
        out.replaceChildren(el('p', {class: 'note'}, [t('brief.loading')]));
        let b;
        try {
            b = await cscc.api('/api/v1/brief', {week, area});
        } catch (e) {
            out.replaceChildren();
            if (e.field === 'week') weekIn.setAttribute('aria-invalid', 'true');
            throw e;
        }
        weekIn.removeAttribute('aria-invalid');
        document.getElementById('brief-heading').textContent = t('brief.heading_week', {week: b.week});
        const p = b.periods;
        document.getElementById('brief-periods').textContent = t('brief.periods', {
            from: cscc.formatDay(p.week.from),
            to: cscc.formatDay(p.week.to),
            pfrom: cscc.formatDay(p.prior_4_weeks.from),
            pto: cscc.formatDay(p.prior_4_weeks.to),
            yweek: p.year_ago.week,
            tz: b.timezone,
        });
        document.getElementById('brief-notes').replaceChildren(...b.notes.map((n) => el('p', {class: 'note brief-note'}, [n])));
        out.replaceChildren(...b.sections.map(section));
        out.querySelectorAll('.brief-map').forEach((d) => d.draw());
        const v = b.data.violence;
        document.getElementById('brief-sources-list').replaceChildren(
            el('dt', {}, [t('brief.violence')]),
            el('dd', {}, [v.source + ', ' + v.first_day + ' – ' + v.last_day + '. ' + v.computed_by]),
            el('dt', {}, [t('brief.hotspots')]),
            el('dd', {}, [b.data.hotspots ? b.data.hotspots.analysis : '']),
            el('dt', {}, [t('brief.needs')]),
            el('dd', {}, [b.data.needs]),
            el('dt', {}, [t('brief.engagement')]),
            el('dd', {}, [b.data.engagement]),
            el('dt', {}, [t('brief.funding')]),
            el('dd', {}, [b.data.funding])
        );
        document.body.dataset.loaded = week + '|' + (area || 'all');
    }

    const reload = () =>
        load().catch((e) => {
            cscc.showError(e instanceof cscc.ApiError ? t('error.api', {message: e.message}) : t('error.page', {message: e.message}));
            document.body.dataset.loaded = 'error';
        });
    weekIn.addEventListener('change', () => {
        document.getElementById('page-error').hidden = true;
        if (weekIn.value) reload();
    });
    areaSel.addEventListener('change', () => {
        document.getElementById('page-error').hidden = true;
        reload();
    });
    await load();
});
