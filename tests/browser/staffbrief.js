#!/usr/bin/env node
/* staffbrief.js - the weekly brief (/brief) and the analyst page (/analyst)
 * in a real browser (Debian's chromium, headless, driven by playwright-core),
 * against a running `cscc serve` with staff accounts:
 *
 *   COORD_PW=.. ANALYST_PW=.. PARTNER_PW=.. node tests/browser/staffbrief.js URL ARTIFACTS_DIR
 *
 * A coordinator opens /brief (by default the last whole week of the data; then
 * a week given in the address): every section is shown with the numbers of
 * GET /api/v1/brief (violence table and chart, hot cells on the map and in the
 * table, needs, engagement, funding); page.pdf() prints it with one heading per
 * area (read back with pdftotext). An analyst runs kde and gistar on /analyst:
 * the map layer and the table hold the API's features, and the export links
 * answer CSV and GeoJSON. A partner and the public are refused both pages and
 * the brief's API (403/401); a coordinator is refused /analyst. axe-core finds
 * no serious violation; nothing scrolls sideways at 360 px. Screenshots go to
 * ARTIFACTS_DIR. Ends with "N passed, N failed". */
'use strict';

const fs = require('fs');
const path = require('path');
const {execFileSync} = require('child_process');
const {BASE, OUT, EN, ES, check, apiGet, newPage, ready, noProblems, shot, axe, main} = require('./lib.js');

const WEEK = process.env.BRIEF_WEEK || '2018-W10';
const ACCOUNTS = {
    coordinator: ['coord1', process.env.COORD_PW],
    analyst: ['ana1', process.env.ANALYST_PW],
    partner: ['partner1', process.env.PARTNER_PW],
};

main('staffbrief.js', run);

/* Signs the page's context in through the API (the context keeps the cookie). */
async function signIn(page, role) {
    const [name, password] = ACCOUNTS[role];
    const r = await page.request.post(BASE + '/api/v1/session', {data: {name, password}});
    check('sign in as ' + role, r.ok(), r.status());
}

/* A page signed in as role (or the public), opened at url and ready. */
async function open(browser, role, url, opts) {
    const page = await newPage(browser, opts);
    if (role) await signIn(page, role);
    await page.goto(BASE + url);
    await ready(page);
    return page;
}

const numText = (s) => Number(String(s).replace(/[^0-9.\-]/g, ''));

function isoWeekOf(day) {
    const d = new Date(day + 'T00:00:00Z');
    const wd = (d.getUTCDay() + 6) % 7;
    const th = new Date(d.getTime() + (3 - wd) * 86400000);
    const jan1 = Date.UTC(th.getUTCFullYear(), 0, 1);
    return th.getUTCFullYear() + '-W' + String(1 + Math.floor((th - jan1) / 86400000 / 7)).padStart(2, '0');
}

async function run(browser) {
    const extent = await apiGet('/api/v1/counts?by=year');
    await briefPage(browser, extent.query.to);
    await analystPage(browser);
    await roles(browser);
    await accessibility(browser);
}

/* ------------------------------------------------------------------------ */
/* /brief                                                                    */
/* ------------------------------------------------------------------------ */

async function briefPage(browser, lastDay) {
    /* the default week: the last whole ISO week of the data */
    let page = await open(browser, 'coordinator', '/brief');
    const lastSunday = (() => {
        const d = new Date(lastDay + 'T00:00:00Z');
        return new Date(d.getTime() - d.getUTCDay() * 86400000).toISOString().slice(0, 10);
    })();
    const want = isoWeekOf(lastSunday);
    await page.waitForFunction(() => document.body.dataset.loaded, null, {timeout: 60000});
    check('/brief defaults to the last whole week of the data (' + want + ')', (await page.inputValue('#week')) === want, await page.inputValue('#week'));
    check('/brief loaded that week for every priority area', (await page.evaluate(() => document.body.dataset.loaded)) === want + '|all', await page.evaluate(() => document.body.dataset.loaded));
    await page.context().close();

    /* the week of the fixtures, every priority area and citywide */
    page = await open(browser, 'coordinator', '/brief?week=' + WEEK);
    await page.waitForFunction((w) => document.body.dataset.loaded === w + '|all', WEEK, {timeout: 60000});
    const r = await page.request.get(BASE + '/api/v1/brief?week=' + WEEK);
    check('the API answers the coordinator', r.ok(), r.status());
    const b = await r.json();
    const shown = await page.evaluate(() =>
        [...document.querySelectorAll('section.brief-unit')].map((s) => ({
            unit: s.dataset.unit,
            area: Number(s.dataset.area),
            heading: s.querySelector('h2').textContent,
            violence: [...s.querySelectorAll('tr[data-category]')].map((tr) => ({
                category: tr.dataset.category,
                week: tr.querySelector('[data-field="week"]').textContent,
                prior: tr.querySelector('[data-field="prior_4_weeks"]').textContent,
                mean: tr.querySelector('[data-field="prior_4_weeks_mean"]').textContent,
                year: tr.querySelector('[data-field="year_ago"]').textContent,
            })),
            chart: (() => {
                const c = s.querySelector('canvas');
                // eslint-disable-next-line no-undef
                const ch = c && Chart.getChart(c);
                return ch ? ch.data.datasets.map((d) => d.data) : null;
            })(),
            mapCells: Number(s.querySelector('.brief-map').dataset.cells),
            mapPaths: s.querySelectorAll('.brief-map path.leaflet-interactive').length,
            cellRows: [...s.querySelectorAll('tr[data-cell]')].map((tr) => Number(tr.dataset.cell)),
            needs: s.querySelector('[data-field="needs"]').dataset,
            depts: [...s.querySelectorAll('tr[data-department]')].map((tr) => [tr.dataset.department, tr.querySelector('[data-field="new_needs"]').textContent, tr.querySelector('[data-field="overdue"]').textContent]),
            events: (s.querySelector('[data-field="engagement"]') || {dataset: {}}).dataset.events,
            funding: (s.querySelector('[data-field="funding"]') || {dataset: {}}).dataset,
        }))
    );
    check('one section per section of the API (' + b.sections.length + ')', shown.length === b.sections.length, shown.length);
    let bad = [];
    b.sections.forEach((s, i) => {
        const p = shown[i] || {};
        const name = s.unit === 'area' ? s.area + ' ' + s.name : EN['brief.citywide'];
        if (!p.heading || !p.heading.startsWith(name)) bad.push(i + ': heading ' + p.heading + ' vs ' + name);
        if ((p.area || 0) !== (s.area || 0)) bad.push(i + ': area');
        s.violence.forEach((v, k) => {
            const row = (p.violence || [])[k] || {};
            if (row.category !== v.category || numText(row.week) !== v.week || numText(row.prior) !== v.prior_4_weeks || numText(row.year) !== v.year_ago || Math.abs(numText(row.mean) - v.prior_4_weeks_mean) > 0.006)
                bad.push(i + ': violence ' + v.category + ' ' + JSON.stringify(row));
        });
        if (!p.chart || JSON.stringify(p.chart) !== JSON.stringify([s.violence.map((v) => v.week), s.violence.map((v) => v.prior_4_weeks_mean), s.violence.map((v) => v.year_ago)]))
            bad.push(i + ': chart ' + JSON.stringify(p.chart));
        const cells = s.hotspots.features.map((f) => f.properties.cell);
        if (JSON.stringify(p.cellRows) !== JSON.stringify(cells) || p.mapCells !== cells.length || p.mapPaths < cells.length) bad.push(i + ': hot cells ' + p.cellRows + ' / ' + p.mapPaths + ' vs ' + cells);
        if (Number(p.needs.newNeeds) !== s.needs.new_needs || Number(p.needs.overdue) !== s.needs.overdue_workorders) bad.push(i + ': needs');
        const depts = s.needs.by_department.map((d) => [d.department || d.name, String(d.new_needs), String(d.overdue)]);
        if (JSON.stringify(p.depts) !== JSON.stringify(depts)) bad.push(i + ': departments ' + JSON.stringify(p.depts) + ' vs ' + JSON.stringify(depts));
        if (Number(p.events) !== (s.engagement ? s.engagement.events : NaN)) bad.push(i + ': events');
        if (s.funding && (Number(p.funding.allocations) !== s.funding.allocations || Number(p.funding.amount) !== s.funding.amount)) bad.push(i + ': funding');
        if (!s.funding && p.funding.allocations !== undefined) bad.push(i + ': funding shown without data');
    });
    check('every section shows the API numbers (violence table and chart, hot cells, needs, events, funding)', bad.length === 0, bad.slice(0, 5).join('; '));
    const austin = b.sections.find((s) => s.area === 25);
    check('the fixtures show: Austin has new needs, an overdue order and an event', austin && austin.needs.new_needs === 2 && austin.needs.overdue_workorders === 1 && austin.engagement.events === 1, JSON.stringify(austin && austin.needs));
    check('some section has hot cells drawn on its map', shown.some((s) => s.mapPaths > 0 && s.cellRows.length > 0));
    check('funding is shown where the API has it', b.sections.some((s) => s.funding) && shown.some((s) => s.funding.allocations !== undefined));
    await noProblems(page, '/brief');
    await shot(page, 'brief-1280-en');

    /* printed: one page per area, headings readable in the PDF */
    const pdfPath = path.join(OUT, 'brief-' + WEEK + '.pdf');
    fs.mkdirSync(OUT, {recursive: true});
    const pdf = await page.pdf({path: pdfPath, format: 'A4', printBackground: true});
    check('page.pdf() gives a PDF', pdf.slice(0, 5).toString() === '%PDF-', pdf.slice(0, 8).toString());
    let text = '';
    try {
        text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], {encoding: 'utf8'});
    } catch (e) {
        check('pdftotext reads the PDF (poppler-utils: scripts/install-deps --test)', false, e.message);
    }
    const pages = text.split('\f').filter((p) => p.trim());
    const missing = b.sections.filter((s) => !text.includes(s.unit === 'area' ? s.area + ' ' + s.name : EN['brief.citywide']));
    check('the PDF has every area heading', missing.length === 0, missing.map((s) => s.name).join(', '));
    check('the PDF has a page (or more) per area: ' + pages.length + ' pages for ' + b.sections.length + ' sections', pages.length >= b.sections.length);
    /* page breaks between areas: no two area headings on one page */
    const pageOf = b.sections.map((s) => {
        const h = s.unit === 'area' ? s.area + ' ' + s.name : EN['brief.citywide'];
        return pages.findIndex((p) => p.split('\n').some((l) => l.trim().startsWith(h)));
    });
    check('each area begins its own page of the PDF', pageOf.every((p, i) => p >= 0 && (i === 0 || p > pageOf[i - 1])), pageOf.join(','));
    check('the PDF has no navigation or controls', !text.includes(EN['nav.map']) && !text.includes(EN['brief.print']));
    await page.emulateMedia({media: 'print'});
    await page.setViewportSize({width: 794, height: 1123});
    await page.screenshot({path: path.join(OUT, 'brief-print.png'), fullPage: false});
    await page.context().close();

    /* one area, in Spanish, at 360 px */
    page = await open(browser, 'coordinator', '/brief?week=' + WEEK + '&area=25&lang=es', {viewport: {width: 360, height: 780}, locale: 'es-ES'});
    await page.waitForFunction((w) => document.body.dataset.loaded === w + '|25', WEEK, {timeout: 60000});
    check('/brief?area=25 shows one area and citywide', (await page.$$('section.brief-unit')).length === 2);
    check('/brief in Spanish', (await page.textContent('main h1')).startsWith('Informe semanal') && (await page.textContent('main')).includes(ES['brief.violence']));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check('/brief does not scroll sideways at 360 px', wide <= 361, wide);
    await noProblems(page, '/brief at 360 px');
    await shot(page, 'brief-360-es');
    /* another area from the picker */
    await page.selectOption('#area', '8');
    await page.waitForFunction((w) => document.body.dataset.loaded === w + '|8', WEEK, {timeout: 60000});
    check('the area picker loads that area', (await page.textContent('section.brief-unit h2')).startsWith('8 '));
    check('the address keeps the area', new URL(page.url()).searchParams.get('area') === '8');
    /* a bad week: the API's refusal is shown */
    await page.fill('#week', '2018-W53').catch(() => undefined);
    await page.context().close();
}

/* ------------------------------------------------------------------------ */
/* /analyst                                                                  */
/* ------------------------------------------------------------------------ */

async function runAnalysis(page, name, params) {
    await page.selectOption('#analysis', name);
    for (const [k, v] of Object.entries(params)) {
        const sel = '#p-' + k;
        if ((await page.$eval(sel, (e) => e.tagName)) === 'SELECT') await page.selectOption(sel, v);
        else await page.fill(sel, v);
    }
    await page.click('#run');
    await page.waitForFunction((n) => (document.body.dataset.loaded || '').startsWith(n + '|') || document.body.dataset.loaded === 'error', name, {timeout: 120000});
    check(name + ' ran', (await page.evaluate(() => document.body.dataset.loaded)).startsWith(name + '|'), await page.textContent('#page-error'));
}

async function analystPage(browser) {
    const page = await open(browser, 'analyst', '/analyst');
    await page.waitForFunction(() => document.body.dataset.loaded === 'form', null, {timeout: 30000});
    const list = await (await page.request.get(BASE + '/api/v1/analyses')).json();
    const options = await page.$$eval('#analysis option', (os) => os.map((o) => o.value));
    check('/analyst lists every analysis of the API', JSON.stringify(options) === JSON.stringify(list.analyses.map((a) => a.name)), options.join(' '));
    const kde = list.analyses.find((a) => a.name === 'kde');
    const fields = await page.$$eval('#params [data-param]', (ds) => ds.map((d) => d.dataset.param));
    check('the kde form has a field per parameter of the API but format', JSON.stringify(fields) === JSON.stringify(kde.parameters.map((p) => p.name).filter((n) => n !== 'format')), fields.join(' '));
    check('enum parameters are choices', (await page.$$eval('#p-extent option', (os) => os.map((o) => o.value))).join(' ') === ' areas points');
    check('dates are date fields', (await page.getAttribute('#p-from', 'type')) === 'date');

    for (const [name, params] of [
        ['kde', {from: '2018-03-01', to: '2018-03-31', area: '25', cell: '250'}],
        ['gistar', {from: '2018-01-01', to: '2018-03-31', area: '25,26,27', cell: '250'}],
    ]) {
        await runAnalysis(page, name, params);
        const q = new URLSearchParams(params);
        q.set('format', 'geojson');
        const api = await (await page.request.get(BASE + '/api/v1/analyses/' + name + '?' + q)).json();
        const n = api.features.length;
        const drawn = await page.evaluate(() => document.getElementById('result-map').dataset.features);
        check(name + ': the map layer holds the API features (' + n + ')', Number(drawn) === n && n > 0, drawn);
        check(name + ': the map drew a canvas layer', (await page.$$('#result-map canvas')).length > 0);
        const rows = await page.$$eval('#result-table tbody tr', (t) => t.length);
        check(name + ': the table has the rows (' + Math.min(n, 200) + ')', rows === Math.min(n, 200), rows);
        const head = await page.$$eval('#result-table thead th', (t) => t.map((x) => x.textContent));
        check(name + ': the table columns are the properties', JSON.stringify(head) === JSON.stringify(Object.keys(api.features[0].properties)), head.join(','));
        const first = await page.$eval('#result-table tbody tr th', (e) => e.textContent);
        check(name + ': the first row is the first feature', numText(first) === api.features[0].properties[head[0]], first);
        const csvHref = await page.getAttribute('#export-csv', 'href');
        const geoHref = await page.getAttribute('#export-geojson', 'href');
        const csv = await page.request.get(BASE + csvHref);
        check(name + ': the CSV export is CSV', csv.ok() && csv.headers()['content-type'].startsWith('text/csv'), csv.status() + ' ' + csv.headers()['content-type']);
        const lines = (await csv.text()).trim().split('\n');
        check(name + ': the CSV has a header and a line per feature', lines.length === n + 1 && lines[0].includes(head[0]), lines.length + ' ' + lines[0]);
        const geo = await page.request.get(BASE + geoHref);
        const gj = await geo.json();
        check(name + ': the GeoJSON export is GeoJSON', geo.headers()['content-type'] === 'application/geo+json' && gj.type === 'FeatureCollection' && gj.features.length === n, geo.headers()['content-type']);
        check(name + ': the address keeps the analysis', new URL(page.url()).searchParams.get('analysis') === name);
        await shot(page, 'analyst-' + name + '-1280');
    }
    /* a refused parameter: the API's message, the field marked */
    await page.selectOption('#analysis', 'kde');
    await page.fill('#p-from', '2018-03-31');
    await page.fill('#p-to', '2018-03-01');
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.loaded === 'error', null, {timeout: 30000});
    check('a refused parameter is shown', !(await page.$eval('#page-error', (e) => e.hidden)));
    page.problems = page.problems.filter((p) => !p.startsWith('400 ') && !p.includes('status of 400'));
    check('no script errors on /analyst', page.problems.length === 0, page.problems.join('; '));
    check('nothing fetched from outside on /analyst', page.outside.length === 0);
    await page.context().close();

    /* 360 px, Spanish */
    const small = await open(browser, 'analyst', '/analyst?analysis=gistar&from=2018-01-01&to=2018-03-31&area=25&cell=250&lang=es', {viewport: {width: 360, height: 780}, locale: 'es-ES'});
    await small.waitForFunction(() => document.body.dataset.loaded === 'form', null, {timeout: 30000});
    check('/analyst reads its state from the address', (await small.inputValue('#p-area')) === '25' && (await small.inputValue('#analysis')) === 'gistar');
    await small.click('#run');
    await small.waitForFunction(() => (document.body.dataset.loaded || '').startsWith('gistar|'), null, {timeout: 120000});
    check('/analyst in Spanish', (await small.textContent('main h1')) === ES['analyst.heading'] && (await small.textContent('#run')) === ES['analyst.run']);
    const wide = await small.evaluate(() => document.documentElement.scrollWidth);
    check('/analyst does not scroll sideways at 360 px', wide <= 361, wide);
    await noProblems(small, '/analyst at 360 px');
    await shot(small, 'analyst-gistar-360-es');
    await small.context().close();
}

/* ------------------------------------------------------------------------ */
/* Role limits                                                               */
/* ------------------------------------------------------------------------ */

async function roles(browser) {
    for (const [role, url] of [
        ['partner', '/brief?week=' + WEEK],
        ['partner', '/analyst'],
        [null, '/brief?week=' + WEEK],
        ['coordinator', '/analyst'],
    ]) {
        const page = await open(browser, role, url);
        await page.waitForFunction(() => document.body.dataset.loaded, null, {timeout: 30000});
        const who = role || 'the public';
        check(who + ' is refused ' + url, (await page.evaluate(() => document.body.dataset.loaded)) === 'refused' && !(await page.$eval('#refusal', (e) => e.hidden)));
        check(who + ' sees no brief or analysis on ' + url, (await page.$$('section.brief-unit')).length === 0 && (await page.$$('#analysis option')).length === 0);
        if (!role) check('the public is asked to sign in', (await page.$$('#refusal a[href^="/login"]')).length === 1);
        const api = await page.request.get(BASE + (role === 'coordinator' ? '/api/v1/analyses/kde?format=csv&area=25&from=2018-03-01&to=2018-03-31' : '/api/v1/brief?week=' + WEEK));
        const want = role === 'coordinator' ? 200 : role ? 403 : 401;
        check(who + ': ' + (role === 'coordinator' ? 'the analyses API (public) answers' : 'GET /api/v1/brief is ' + want), api.status() === want, api.status());
        await shot(page, 'refused-' + (role || 'public') + url.split('?')[0].replace('/', '-'));
        await page.context().close();
    }
    /* the analyses' API is public with small cells withheld: a partner gets the gistar bins without z-scores */
    const page = await open(browser, 'partner', '/');
    const g = await (await page.request.get(BASE + '/api/v1/analyses/gistar?from=2018-01-01&to=2018-03-31&area=25&cell=250&format=geojson')).json();
    const p = g.features[0].properties;
    check('a partner gets gistar without z-scores or counts', p.gi_z === null && p.count === null && p.p_value === null && typeof p.gi_bin === 'number', JSON.stringify(p));
    await page.context().close();
}

/* ------------------------------------------------------------------------ */
/* Accessibility                                                             */
/* ------------------------------------------------------------------------ */

async function accessibility(browser) {
    const as = (role) => (page) => signIn(page, role);
    await axe(browser, '/brief?week=' + WEEK + '&area=25', '/brief (en)', null, as('coordinator'));
    await axe(browser, '/brief?week=' + WEEK + '&area=25&lang=es', '/brief (es, 360 px)', {width: 360, height: 780}, as('coordinator'));
    await axe(browser, '/analyst', '/analyst (en)', null, as('analyst'));
    await axe(browser, '/analyst?lang=es', '/analyst (es, 360 px)', {width: 360, height: 780}, as('analyst'));
    await axe(browser, '/brief', '/brief refused (public)', null, null);
}
