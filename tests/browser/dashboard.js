#!/usr/bin/env node
/* dashboard.js - the public pages in a real browser (Debian's chromium,
 * headless, driven by playwright-core), against a running `cscc serve`:
 *
 *   node tests/browser/dashboard.js URL ARTIFACTS_DIR
 *
 * Checks that the city map loads real data and shades the areas as the API
 * counts them (priority areas outlined, suppressed cells hatched), that an
 * area opens its page and the page charts the API's weekly and monthly
 * counts, that the language switch changes the pages and sticks, that axe-core
 * finds no serious or critical WCAG 2.1 A/AA violation on any page, that
 * nothing scrolls sideways at 360 px, that keyboards reach the controls and
 * the areas, and that no request leaves this machine. Saves a screenshot of
 * every page in ARTIFACTS_DIR. Prints one line per failure and ends with
 * "N passed, N failed"; exit status 1 when anything failed. */
'use strict';

const {BASE, EN, ES, check, apiGet, newPage, ready, noProblems, shot, axe, elapsed, main} = require('./lib.js');

/* The server withholds small cells from the public (counts of 1 to 9, and
 * their complements): the count is null. */
const withheld = (r) => r.count === null || r.suppressed === true;

main('dashboard.js', run);

async function run(browser) {
    const extent = await apiGet('/api/v1/counts?by=year');
    const to = extent.query.to;
    const from12 = addDays(to, -364);

    /* ---------------------------------------------------------------- */
    /* The city map                                                      */
    /* ---------------------------------------------------------------- */
    console.log('-- the city map (' + elapsed() + ')');
    let page = await newPage(browser);
    await page.goto(BASE + '/');
    await ready(page, 'last12m|violent|count');
    await noProblems(page, 'map');
    check('map: title', (await page.title()) === EN['map.title'], await page.title());
    check('map: heading in English', (await page.textContent('h1')) === EN['map.heading']);
    const paths = await page.$$eval('path.leaflet-interactive', (ps) => ps.map((p) => ({area: Number(p.getAttribute('data-area')), fill: p.getAttribute('fill'), width: p.getAttribute('stroke-width')})));
    check('map: 77 areas drawn', paths.length === 77, paths.length);
    const fills = new Set(paths.map((p) => p.fill));
    check('map: areas shaded in several classes', fills.size >= 4, [...fills].join(' '));
    check('map: 15 priority areas outlined', paths.filter((p) => p.width === '3').length === 15, paths.filter((p) => p.width === '3').length);
    /* the shading follows the API's counts: the area with most incidents is darkest */
    const counts = await apiGet('/api/v1/counts?by=area&category=violent&from=' + from12 + '&to=' + to);
    const top = counts.rows.filter((r) => !withheld(r)).sort((a, b) => b.count - a.count)[0];
    const least = counts.rows.filter((r) => !withheld(r) && r.count > 0).sort((a, b) => a.count - b.count)[0];
    check('map: the top area has the darkest class', paths.find((p) => p.area === top.community_area).fill === '#7f0000', JSON.stringify(top));
    check('map: the least area has the lightest class', paths.find((p) => p.area === least.community_area).fill === '#fdd49e', JSON.stringify(least));
    const rows = await page.$$eval('#area-table tbody tr', (trs) => trs.map((tr) => [Number(tr.dataset.area), tr.cells[1].textContent]));
    check('map: the table lists 77 areas', rows.length === 77, rows.length);
    check('map: the table starts with the top area and its count', rows[0][0] === top.community_area && rows[0][1] === top.count.toLocaleString('en-US'), JSON.stringify(rows[0]));
    const total = counts.rows.reduce((s, r) => s + (withheld(r) ? 0 : r.count), 0);
    const summary = await page.textContent('#summary');
    check('map: the summary gives the citywide total', summary.includes(total.toLocaleString('en-US')), summary + ' / ' + total);
    const legend = await page.$$eval('#legend-items li', (li) => li.map((x) => x.textContent));
    check('map: the legend has classes, zero and priority', legend.length >= 5 && legend.includes(EN['legend.priority']) && legend.includes(EN['legend.zero']), legend.join(' | '));
    check('map: a suppressed entry in the legend exactly when cells are withheld', legend.includes(EN['legend.suppressed']) === counts.rows.some(withheld));
    await shot(page, 'map-1280-en');

    /* rate per 100,000: the table's figures follow */
    await page.check('input[value="rate"]');
    await ready(page, 'last12m|violent|rate');
    const rates = await apiGet('/api/v1/counts?by=area&rate=true&category=violent&from=' + from12 + '&to=' + to);
    const topRate = rates.rows.slice().sort((a, b) => b.rate_per_100k - a.rate_per_100k)[0];
    const first = await page.$eval('#area-table tbody tr', (tr) => [Number(tr.dataset.area), tr.cells[1].textContent]);
    check('map: rates rank the areas', first[0] === topRate.community_area, JSON.stringify(first) + ' ' + JSON.stringify(topRate));
    check('map: rate shown with a decimal', first[1] === topRate.rate_per_100k.toLocaleString('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1}), first[1]);
    check('map: the state is in the URL', page.url().includes('measure=rate'), page.url());

    /* keyboard: the skip link first (it leads to the content), then a category chosen with keys */
    await page.goto(BASE + '/?measure=rate');
    await ready(page, 'last12m|violent|rate');
    await page.keyboard.press('Tab');
    check('keyboard: the skip link comes first', (await page.evaluate(() => document.activeElement.className)) === 'skip');
    await page.keyboard.press('Enter');
    check('keyboard: the skip link leads to the content', (await page.evaluate(() => document.activeElement.id)) === 'main');
    await page.focus('#category');
    await page.keyboard.press('End');
    await page.waitForFunction(() => !(document.body.dataset.loaded || '').includes('|violent|'), null, {timeout: 30000});
    check('keyboard: a category chosen with keys loads', !(await page.evaluate(() => document.body.dataset.loaded)).includes('|violent|'));
    const tabbable = await page.$$eval('#area-table a', (as) => as.filter((a) => a.tabIndex >= 0).length);
    check('keyboard: every area is a link in the table', tabbable === 77, tabbable);

    /* clicking an area opens its page */
    await page.goto(BASE + '/?category=violent');
    await ready(page, 'last12m|violent');
    await page.$eval('path[data-area="25"]', (p) => p.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 10, clientY: 10})));
    await page.waitForURL(/\/area\?/, {timeout: 30000});
    check('map: a click opens the area page', /number=25/.test(page.url()) && /category=violent/.test(page.url()), page.url());
    await page.context().close();

    /* suppressed cells: hatched, in the legend, "suppressed" in the table, never a number */
    page = await newPage(browser);
    await page.goto(BASE + '/?period=last4w&category=homicide');
    await ready(page, 'last4w|homicide|count');
    const supp = await page.$$eval('path.leaflet-interactive', (ps) => ps.filter((p) => p.getAttribute('fill') === 'url(#hatch)').map((p) => Number(p.getAttribute('data-area'))));
    const small = (await apiGet('/api/v1/counts?by=area&category=homicide&from=' + addDays(to, -27) + '&to=' + to)).rows.filter(withheld).map((r) => r.community_area);
    check('suppressed: some cells to test with', small.length > 0, small.length);
    check('suppressed: exactly those areas hatched', JSON.stringify(supp.sort((a, b) => a - b)) === JSON.stringify(small.sort((a, b) => a - b)), supp + ' / ' + small);
    const supLegend = await page.$$eval('#legend-items li', (li) => li.map((x) => x.textContent));
    check('suppressed: in the legend', supLegend.includes(EN['legend.suppressed']), supLegend.join(' | '));
    const supCells = await page.$$eval('#area-table td.suppressed', (tds) => tds.map((td) => td.textContent));
    check('suppressed: marked in the table', supCells.length === small.length && supCells.every((s) => s === EN['value.suppressed']), supCells.join(','));
    check('suppressed: the summary says so', (await page.textContent('#summary')).includes(String(small.length)));
    await noProblems(page, 'map with suppressed cells');
    await shot(page, 'map-1280-suppressed');
    await page.context().close();

    /* ---------------------------------------------------------------- */
    /* The area page                                                     */
    /* ---------------------------------------------------------------- */
    console.log('-- the area page (' + elapsed() + ')');
    page = await newPage(browser);
    await page.goto(BASE + '/area?number=25');
    await ready(page, '25|violent');
    await noProblems(page, 'area');
    check('area: named', (await page.textContent('h1')) === 'Austin');
    const weekly = await page.evaluate(() => {
        // eslint-disable-next-line no-undef
        const c = Chart.getChart(document.getElementById('weekly-chart'));
        return {n: c.data.labels.length, sets: c.data.datasets.map((d) => d.data)};
    });
    check('area: weekly chart of 26 weeks, two lines', weekly.n === 26 && weekly.sets.length === 2 && weekly.sets.every((d) => d.length === 26), JSON.stringify(weekly).slice(0, 200));
    /* its numbers are the API's: the last whole week and its year-earlier week */
    const lastSun = lastSunday(to);
    const wk = await apiGet('/api/v1/counts?by=week&area=25&category=violent&from=' + addDays(lastSun, -6) + '&to=' + lastSun);
    const wkBefore = await apiGet('/api/v1/counts?by=week&area=25&category=violent&from=' + addDays(lastSun, -370) + '&to=' + addDays(lastSun, -364));
    check('area: the last week as the API counts it', weekly.sets[0][25] === wk.rows[0].count, weekly.sets[0][25] + ' vs ' + JSON.stringify(wk.rows));
    check('area: its year-earlier week too', weekly.sets[1][25] === wkBefore.rows[0].count, weekly.sets[1][25] + ' vs ' + JSON.stringify(wkBefore.rows));
    const monthly = await page.evaluate(() => {
        // eslint-disable-next-line no-undef
        const c = Chart.getChart(document.getElementById('monthly-chart'));
        return {n: c.data.labels.length, sets: c.data.datasets.map((d) => d.data)};
    });
    check('area: monthly chart of 12 months, two lines', monthly.n === 12 && monthly.sets.every((d) => d.length === 12), JSON.stringify(monthly).slice(0, 200));
    const lastMonth = lastMonthEnd(to);
    const mo = await apiGet('/api/v1/counts?by=month&area=25&category=violent&from=' + lastMonth.slice(0, 8) + '01&to=' + lastMonth);
    check('area: the last month as the API counts it', monthly.sets[0][11] === mo.rows[0].count, monthly.sets[0][11] + ' vs ' + JSON.stringify(mo.rows));
    const inked = await page.$eval('#weekly-chart', (c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i + 2] > 120 && d[i] < 60) n++; // the blue line
        return n;
    });
    check('area: the weekly chart is drawn', inked > 200, inked);
    const types = await page.$$eval('#types-table tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]));
    const apiTypes = await apiGet('/api/v1/counts?by=type&area=25&category=violent&from=' + monthsBack(lastMonth, 11) + '&to=' + lastMonth);
    check('area: one row per type', types.length >= apiTypes.rows.length && apiTypes.rows.length > 0, types.length + ' / ' + apiTypes.rows.length);
    const topType = apiTypes.rows.slice().sort((a, b) => b.count - a.count)[0];
    check('area: the commonest type first, with its count', types[0][1] === topType.count.toLocaleString('en-US'), JSON.stringify(types[0]) + ' ' + JSON.stringify(topType));
    await page.click('#weekly-title + p + figure + details > summary');
    check('area: the chart\'s table opens', await page.isVisible('#weekly-table tbody tr'));
    await shot(page, 'area-1280-en');
    /* another category reloads the charts */
    await page.selectOption('#category', 'homicide');
    await ready(page, '25|homicide');
    check('area: category in the URL', page.url().includes('category=homicide'));
    await page.context().close();

    /* an unknown area: a message, no charts */
    page = await newPage(browser);
    await page.goto(BASE + '/area?number=99');
    await page.waitForSelector('body[data-ready="1"]');
    check('area: an unknown area says so', (await page.textContent('#page-error')).includes('99'));
    await page.context().close();

    /* suppressed weeks: gaps in the chart, "suppressed" in its table */
    page = await newPage(browser);
    await page.goto(BASE + '/area?number=25&category=homicide');
    await ready(page, '25|homicide');
    const gaps = await page.evaluate(() => {
        // eslint-disable-next-line no-undef
        const c = Chart.getChart(document.getElementById('weekly-chart'));
        return c.data.datasets[0].data.filter((v) => v === null).length;
    });
    const supT = await page.$$eval('#weekly-table td.suppressed', (tds) => tds.length);
    check('area suppressed: gaps in the chart', gaps > 0, gaps);
    check('area suppressed: marked in the table', supT >= gaps, supT + ' / ' + gaps);
    check('area suppressed: a note says how many', (await page.textContent('#weekly-note')).length > 0);
    const supCaption = await page.textContent('#weekly-caption');
    check('area suppressed: no total that would count withheld cells', supCaption.endsWith(EN['chart.caption_suppressed'].split('{to}')[1]), supCaption);
    await noProblems(page, 'area with suppressed cells');
    await shot(page, 'area-1280-suppressed');
    await page.context().close();

    /* ---------------------------------------------------------------- */
    /* Languages                                                         */
    /* ---------------------------------------------------------------- */
    console.log('-- languages (' + elapsed() + ')');
    page = await newPage(browser);
    await page.goto(BASE + '/');
    await ready(page, 'last12m');
    const langs = await page.$$eval('#lang-select option', (os) => os.map((o) => o.value));
    check('language: the switch offers English and Spanish', langs.includes('en') && langs.includes('es'), langs.join(','));
    await Promise.all([page.waitForURL(/lang=es/), page.selectOption('#lang-select', 'es')]);
    await ready(page, 'last12m');
    check('language: the heading in Spanish', (await page.textContent('h1')) === ES['map.heading'], await page.textContent('h1'));
    check('language: html lang', (await page.getAttribute('html', 'lang')) === 'es');
    check('language: categories named in Spanish', (await page.$eval('#category', (s) => s.options[s.selectedIndex].text)) === ES['category.violent']);
    check('language: the legend in Spanish', (await page.$$eval('#legend-items li', (li) => li.map((x) => x.textContent))).includes(ES['legend.zero']));
    const areaHref = await page.$eval('#area-table a', (a) => a.getAttribute('href'));
    check('language: links keep it', areaHref.includes('lang=es'), areaHref);
    await page.goto(BASE + '/area?number=25');
    await ready(page, '25|');
    check('language: remembered on the next page', (await page.textContent('#back-link')) === ES['area.back']);
    check('language: chart labels in Spanish', await page.evaluate((label) => Chart.getChart(document.getElementById('weekly-chart')).data.datasets[1].label === label, ES['chart.year_earlier']));
    await noProblems(page, 'area in Spanish');
    await page.selectOption('#lang-select', 'en');
    await page.waitForURL(/lang=en/);
    await ready(page, '25|');
    check('language: back to English', (await page.textContent('#back-link')) === EN['area.back']);
    await page.context().close();

    /* ---------------------------------------------------------------- */
    /* 360 px: no sideways scrolling; screenshots                        */
    /* ---------------------------------------------------------------- */
    console.log('-- 360 px (' + elapsed() + ')');
    for (const [url, name, loaded] of [
        ['/?lang=es', 'map-360-es', 'last12m'],
        ['/?lang=en', 'map-360-en', 'last12m'],
        ['/area?number=68&lang=es', 'area-360-es', '68|'],
        ['/area?number=68&lang=en', 'area-360-en', '68|'],
    ]) {
        page = await newPage(browser, {viewport: {width: 360, height: 740}, isMobile: true, hasTouch: true});
        await page.goto(BASE + url);
        await ready(page, loaded);
        const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.body.scrollWidth]);
        check(name + ': no horizontal scroll at 360 px', w[0] <= w[1] && w[2] <= w[1], w.join(' '));
        const wide = await page.evaluate(() =>
            [...document.querySelectorAll('main *, header *')]
                .filter((e) => !e.closest('.table-wrap, .leaflet-container, svg.defs') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)
                .slice(0, 5)
        );
        check(name + ': nothing sticks out at 360 px', wide.length === 0, wide.join(' '));
        await noProblems(page, name);
        await shot(page, name);
        await page.context().close();
    }

    /* ---------------------------------------------------------------- */
    /* Accessibility                                                     */
    /* ---------------------------------------------------------------- */
    console.log('-- accessibility (' + elapsed() + ')');
    await axe(browser, '/', 'map (en)');
    await axe(browser, '/?lang=es&measure=rate', 'map (es, rate)');
    await axe(browser, '/area?number=25', 'area (en)');
    await axe(browser, '/area?number=25&lang=es', 'area (es)');
    await axe(browser, '/?lang=es', 'map at 360 px', {width: 360, height: 740});
    await axe(browser, '/area?number=68', 'area at 360 px', {width: 360, height: 740});
}

/* ---- dates, as the pages count them */
function addDays(s, n) {
    return new Date(Date.parse(s + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
}
function lastSunday(s) {
    return addDays(s, -new Date(s + 'T00:00:00Z').getUTCDay());
}
function lastMonthEnd(s) {
    if (addDays(s, 1).endsWith('-01')) return s;
    const d = new Date(s + 'T00:00:00Z');
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0)).toISOString().slice(0, 10);
}
function monthsBack(day, n) {
    const d = new Date(day + 'T00:00:00Z');
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 1)).toISOString().slice(0, 10);
}
