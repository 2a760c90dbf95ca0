/* area.js - one community area: its incidents week by week (the last 26
 * whole weeks of the data) and month by month (the last 12 whole months),
 * each against the same weeks or months a year earlier, and a breakdown by
 * type of incident. Every chart has its numbers in a table; suppressed
 * cells are gaps in a chart and "suppressed" in a table, never a number.
 *
 * More sections (hotspots, near repeats, partners, needs, funding) join
 * SECTIONS below when the API offers them; none is shown before it does. */
'use strict';

const COLOR_NOW = '#0b5cad';
const COLOR_BEFORE = '#8a4b08';

/* Sections beyond the counts, each shown only when the API lists what it
 * needs (an analysis of /api/v1/analyses by name). */
const SECTIONS = [];

cscc.start('area', async () => {
    const t = cscc.t;
    const number = Number(cscc.state('number'));
    const [extent, cats, list] = await Promise.all([cscc.dataExtent(), cscc.api('/api/v1/categories'), cscc.api('/api/v1/areas')]);

    /* ---- the area, and the controls */
    const areaSel = document.getElementById('area-select');
    list.areas.forEach((a) => areaSel.add(new Option(a.number + ' · ' + a.name, a.number)));
    const area = list.areas.find((a) => a.number === number);
    const catSel = document.getElementById('category');
    const categories = cats.categories.slice().sort((a, b) => cscc.categoryName(a).localeCompare(cscc.categoryName(b), cscc.lang()));
    categories.forEach((c) => catSel.add(new Option(cscc.categoryName(c), c.name)));
    catSel.value = categories.some((c) => c.name === cscc.state('category')) ? cscc.state('category') : 'violent';
    const back = () => cscc.link('/', {category: catSel.value, period: cscc.state('period') || ''});
    document.getElementById('back-link').href = back();
    areaSel.addEventListener('change', () => {
        location.href = cscc.link('/area', {number: areaSel.value, category: catSel.value, period: cscc.state('period') || ''});
    });
    document.getElementById('controls').addEventListener('submit', (e) => e.preventDefault());
    if (!area) {
        areaSel.selectedIndex = -1;
        document.querySelectorAll('section.panel').forEach((s) => (s.hidden = true));
        throw new Error(t('area.none', {number: cscc.state('number') || ''}));
    }
    areaSel.value = String(number);
    panel('weekly', 'area.weekly');
    panel('monthly', 'area.monthly');
    document.getElementById('area-name').textContent = area.name;
    document.title = t('area.title_named', {name: area.name});
    document.getElementById('area-facts').textContent = [
        t('area.number', {number: area.number}),
        area.side,
        area.population ? t('area.population', {population: cscc.formatNumber(area.population)}) : null,
        area.priority ? t('area.priority') : null,
    ]
        .filter(Boolean)
        .join(' · ');

    /* ---- the windows: whole weeks and whole months up to the data's end */
    const weekEnd = cscc.lastSunday(extent.to);
    const weeks = {from: cscc.addDays(weekEnd, -26 * 7 + 1), to: weekEnd};
    const monthEnd = cscc.lastMonthEnd(extent.to);
    const months = {from: monthsBack(monthEnd, 11), to: monthEnd};
    const charts = [];

    async function counts(by, w, yearsBack) {
        const from = yearsBack ? shift(w.from, by) : w.from;
        const to = yearsBack ? shift(w.to, by) : w.to;
        return cscc.api('/api/v1/counts', {by, area: number, category: catSel.value, from, to});
    }
    /* A window a year earlier: 52 weeks (same weekdays), or the same days
     * of the calendar (a month's end stays a month's end). */
    function shift(day, by) {
        if (by === 'week') return cscc.addDays(day, -364);
        const y = Number(day.slice(0, 4)) - 1;
        const m = Number(day.slice(5, 7));
        if (day === cscc.lastMonthEnd(day)) return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
        return y + day.slice(4);
    }

    async function refresh() {
        cscc.setState({number, category: catSel.value});
        document.getElementById('back-link').href = back();
        document.getElementById('main').setAttribute('aria-busy', 'true');
        const [wNow, wBefore, mNow, mBefore, tNow, tBefore] = await Promise.all([
            counts('week', weeks, false),
            counts('week', weeks, true),
            counts('month', months, false),
            counts('month', months, true),
            counts('type', months, false),
            counts('type', months, true),
        ]);
        charts.splice(0).forEach((c) => c.destroy());

        /* weeks: one key a Monday */
        const wKeys = [];
        for (let d = weeks.from; d <= weeks.to; d = cscc.addDays(d, 7)) wKeys.push({now: cscc.isoWeek(d), before: cscc.isoWeek(cscc.addDays(d, -364)), day: d});
        series({
            id: 'weekly',
            keys: wKeys,
            now: byKey(wNow.rows, 'week'),
            before: byKey(wBefore.rows, 'week'),
            label: (k) => cscc.formatDay(k.day),
            head: t('area.week_of'),
            window: weeks,
        });
        /* months */
        const mKeys = [];
        for (let m = months.from.slice(0, 7); m <= months.to.slice(0, 7); m = nextMonth(m)) mKeys.push({now: m, before: Number(m.slice(0, 4)) - 1 + m.slice(4)});
        series({
            id: 'monthly',
            keys: mKeys,
            now: byKey(mNow.rows, 'month'),
            before: byKey(mBefore.rows, 'month'),
            label: (k) => cscc.formatMonth(k.now),
            head: t('area.month'),
            window: months,
        });
        types(byKey(tNow.rows, 'primary_type'), byKey(tBefore.rows, 'primary_type'));
        document.getElementById('main').removeAttribute('aria-busy');
        document.body.dataset.loaded = number + '|' + catSel.value;
    }

    /** A line chart of a window against a year earlier, its caption, note and table. */
    function series(s) {
        const now = s.keys.map((k) => cscc.cell(s.now.get(k.now), 'count'));
        const before = s.keys.map((k) => cscc.cell(s.before.get(k.before), 'count'));
        const labels = s.keys.map(s.label);
        const sum = (v) => v.reduce((a, c) => a + (c.suppressed ? 0 : c.value), 0);
        const nSup = now.concat(before).filter((c) => c.suppressed).length;
        const cat = catSel.options[catSel.selectedIndex].text;
        const caption = t(nSup ? 'chart.caption_suppressed' : 'chart.caption', {
            category: cat,
            from: cscc.formatDay(s.window.from),
            to: cscc.formatDay(s.window.to),
            now: cscc.formatNumber(sum(now)),
            before: cscc.formatNumber(sum(before)),
        });
        document.getElementById(s.id + '-caption').textContent = caption;
        document.getElementById(s.id + '-note').textContent = nSup ? t('chart.suppressed', {n: nSup}) : '';
        const canvas = document.getElementById(s.id + '-chart');
        canvas.setAttribute('aria-label', caption);
        charts.push(
            new Chart(canvas, {
                type: 'line',
                data: {
                    labels,
                    datasets: [
                        {label: t('chart.this_year'), data: now.map((c) => c.value), borderColor: COLOR_NOW, backgroundColor: COLOR_NOW, borderWidth: 2.5, pointRadius: 2.5, spanGaps: false},
                        {label: t('chart.year_earlier'), data: before.map((c) => c.value), borderColor: COLOR_BEFORE, backgroundColor: COLOR_BEFORE, borderDash: [6, 4], borderWidth: 2, pointRadius: 2, pointStyle: 'rect', spanGaps: false},
                    ],
                },
                options: {
                    responsive: true,
                    maintainAspectRatio: false,
                    animation: false,
                    interaction: {mode: 'index', intersect: false},
                    scales: {
                        x: {ticks: {color: '#333333', maxRotation: 0, autoSkipPadding: 12}, grid: {display: false}},
                        y: {beginAtZero: true, ticks: {color: '#333333', precision: 0}, title: {display: true, text: t('chart.incidents'), color: '#333333'}},
                    },
                    plugins: {
                        legend: {position: 'bottom', labels: {color: '#1b1b1b', usePointStyle: true}},
                        tooltip: {callbacks: {label: (c) => c.dataset.label + ': ' + (c.raw === null ? t('value.suppressed') : cscc.formatNumber(c.raw))}},
                    },
                },
            })
        );
        const rows = s.keys.map((k, i) => [labels[i], now[i], before[i]]);
        fillTable(document.getElementById(s.id + '-table'), [s.head, t('chart.this_year'), t('chart.year_earlier')], rows, caption);
    }

    function types(now, before) {
        const names = new Set([...now.keys(), ...before.keys()]);
        const rows = [...names].map((n) => ({name: n, now: cscc.cell(now.get(n), 'count'), before: cscc.cell(before.get(n), 'count')}));
        rows.sort((a, b) => (b.now.value || 0) - (a.now.value || 0) || a.name.localeCompare(b.name));
        const max = Math.max(1, ...rows.map((r) => r.now.value || 0));
        const table = document.getElementById('types-table');
        const cat = catSel.options[catSel.selectedIndex].text;
        document.getElementById('types-note').textContent = t('types.note', {category: cat, from: cscc.formatDay(months.from), to: cscc.formatDay(months.to)});
        if (!rows.length) {
            table.replaceChildren();
            document.getElementById('types-note').textContent += ' ' + t('types.none');
            return;
        }
        fillTable(
            table,
            [t('types.type'), t('chart.this_year'), t('chart.year_earlier'), t('types.change')],
            rows.map((r) => [cscc.typeName(r.name), r.now, r.before, change(r.now, r.before)]),
            t('types.caption', {category: cat}),
            (tr, i) => {
                /* a bar for the last twelve months, drawn in the first cell */
                const r = rows[i];
                if (r.now.suppressed || !r.now.value) return;
                const bar = document.createElement('span');
                bar.className = 'bar';
                bar.setAttribute('aria-hidden', 'true');
                bar.style.width = Math.max(2, Math.round((100 * r.now.value) / max)) + '%';
                tr.cells[0].appendChild(bar);
            }
        );
    }

    function change(now, before) {
        if (now.suppressed || before.suppressed) return '–';
        if (before.value === 0) return now.value === 0 ? '0' : t('types.new');
        const pct = (100 * (now.value - before.value)) / before.value;
        return (pct > 0 ? '+' : pct < 0 ? '−' : '') + cscc.formatNumber(Math.abs(pct)) + ' %';
    }

    catSel.addEventListener('change', () => refresh().catch((e) => cscc.showError(t('error.api', {message: e.message}))));
    await refresh();
});

/* ---- helpers */

/** A chart panel (the page's template) with ids ID-title, ID-note, ID-chart, ID-caption, ID-table. */
function panel(id, titleKey) {
    const node = document.getElementById('series-panel').content.firstElementChild.cloneNode(true);
    node.setAttribute('aria-labelledby', id + '-title');
    const h = node.querySelector('h2');
    h.id = id + '-title';
    h.textContent = cscc.t(titleKey);
    node.querySelector('.series-note').id = id + '-note';
    node.querySelector('canvas').id = id + '-chart';
    node.querySelector('figcaption').id = id + '-caption';
    node.querySelector('.table-wrap').setAttribute('aria-labelledby', id + '-title');
    node.querySelector('table').id = id + '-table';
    cscc.translate(node);
    document.getElementById('series').appendChild(node);
}

function byKey(rows, key) {
    return new Map(rows.map((r) => [r[key], r]));
}

function nextMonth(ym) {
    let y = Number(ym.slice(0, 4));
    let m = Number(ym.slice(5, 7)) + 1;
    if (m > 12) {
        m = 1;
        y++;
    }
    return y + '-' + String(m).padStart(2, '0');
}

/* The first day of the month n months before day's month. */
function monthsBack(day, n) {
    let y = Number(day.slice(0, 4));
    let m = Number(day.slice(5, 7)) - n;
    while (m < 1) {
        m += 12;
        y--;
    }
    return y + '-' + String(m).padStart(2, '0') + '-01';
}

/**
 * Fills a table: a caption, a header row, and rows whose cells are text or
 * counts cells ({value, suppressed}: numbers right-aligned, suppressed
 * marked). decorate(tr, i) may add to each row.
 */
function fillTable(table, head, rows, caption, decorate) {
    const cap = document.createElement('caption');
    cap.textContent = caption;
    const thead = document.createElement('thead');
    const htr = document.createElement('tr');
    head.forEach((h, i) => {
        const th = document.createElement('th');
        th.scope = 'col';
        th.textContent = h;
        if (i) th.className = 'num';
        htr.appendChild(th);
    });
    thead.appendChild(htr);
    const tbody = document.createElement('tbody');
    rows.forEach((r, i) => {
        const tr = document.createElement('tr');
        r.forEach((c, j) => {
            const td = document.createElement(j ? 'td' : 'th');
            if (!j) td.scope = 'row';
            if (c && typeof c === 'object') {
                td.className = 'num' + (c.suppressed ? ' suppressed' : '');
                td.textContent = c.suppressed ? cscc.t('value.suppressed') : cscc.formatNumber(c.value);
            } else {
                if (j) td.className = 'num';
                td.textContent = c;
            }
            tr.appendChild(td);
        });
        if (decorate) decorate(tr, i);
        tbody.appendChild(tr);
    });
    table.replaceChildren(cap, thead, tbody);
}
