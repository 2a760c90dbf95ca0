#!/usr/bin/env node
/* intake.js - a resident reports a need and follows it, in a real browser
 * (Debian's chromium, headless, driven by playwright-core), against a running
 * `cscc serve`:
 *
 *   DEPT_TOKEN=... node tests/browser/intake.js URL ARTIFACTS_DIR
 *
 * The report page lists the catalogue's services with their questions,
 * refuses a report without a service or a place (naming the field), names a
 * block it cannot place, takes a place from a click on the map and sends the
 * report; the number it answers opens the follow page. The department (its
 * API token in DEPT_TOKEN) works the order to resolved with a public and an
 * internal note; the resident's page then says resolved, with the public note
 * only, and no public answer carries the resident's contact details. Spanish,
 * 360 px and axe-core as for the other pages; screenshots in ARTIFACTS_DIR. */
'use strict';

const {BASE, EN, ES, check, apiGet, newPage, ready, noProblems, noWide, shot, axe, elapsed, main} = require('./lib.js');

const DEPT = process.env.DEPT_TOKEN || '';
const EMAIL = 'resident.canary@example.org';
const PHONE = '312-555-0142';

async function asDept(method, p, body) {
    const r = await fetch(BASE + p, {method, headers: {Authorization: 'Bearer ' + DEPT, 'Content-Type': 'application/json'}, body: body ? JSON.stringify(body) : undefined});
    const text = await r.text();
    if (!r.ok) throw new Error(method + ' ' + p + ': ' + r.status + ' ' + text);
    return JSON.parse(text);
}

async function run(browser) {
    console.log('-- report a need (' + elapsed() + ')');
    const catalog = await apiGet('/api/v1/catalog');
    const active = catalog.services.filter((s) => s.active !== false);
    let page = await newPage(browser);
    await page.goto(BASE + '/report');
    await ready(page);
    await page.waitForFunction(() => document.body.dataset.loaded === 'report', null, {timeout: 30000});
    const options = await page.$$eval('#service option', (os) => os.filter((o) => o.value).map((o) => o.value));
    check('report: every active service is offered', options.length === active.length && active.every((s) => options.includes(s.service_code)), options.join(','));
    check('report: the navigation has the report page, current', (await page.getAttribute('#site-nav a[aria-current="page"]', 'href')).startsWith('/report'));
    await shot(page, 'report-1280-en');

    /* nothing chosen: the service is named */
    await page.click('#submit');
    check('report: no service is refused on the page', (await page.textContent('#page-error')) === EN['report.need_service']);
    check('report: the service field is marked', (await page.getAttribute('#service', 'aria-invalid')) === 'true');

    /* a service with questions shows them */
    const light = active.find((s) => s.service_code === 'streetlight_out') || active.find((s) => s.metadata);
    await page.selectOption('#service', light.service_code);
    await page.waitForFunction(() => !document.getElementById('attributes').hidden, null, {timeout: 10000});
    const def = await apiGet('/api/v1/catalog/' + light.service_code);
    const asked = await page.$$eval('[data-attribute]', (xs) => xs.map((x) => x.dataset.attribute));
    const variable = def.attributes.filter((a) => a.variable).map((a) => a.code);
    check('report: the service\'s questions are asked', JSON.stringify(asked.sort()) === JSON.stringify(variable.sort()), asked + ' / ' + variable);
    for (const a of def.attributes.filter((x) => x.variable && x.required)) {
        if (a.datatype === 'singlevaluelist') await page.selectOption('#attr-' + a.code, a.values[0].key);
        else if (a.datatype === 'multivaluelist') await page.check('#attr-' + a.code + '-0');
        else if (a.datatype === 'number') await page.fill('#attr-' + a.code, '1');
        else await page.fill('#attr-' + a.code, 'yes');
    }

    /* no place: the place is asked for */
    await page.click('#submit');
    check('report: no place is refused on the page', (await page.textContent('#page-error')) === EN['report.need_place']);

    /* a block the server cannot place: its message, the address field marked */
    await page.fill('#address', '999XX Z NOWHERE ST');
    await page.click('#submit');
    await page.waitForFunction(() => document.querySelector('#address').getAttribute('aria-invalid') === 'true', null, {timeout: 10000}).catch(() => {});
    const unplaced = await page.textContent('#page-error');
    check('report: an unknown block is refused with the server\'s reason', unplaced.startsWith(EN['report.failed'].split('{')[0]) && unplaced.length > 30, unplaced);
    check('report: the address field is marked', (await page.getAttribute('#address', 'aria-invalid')) === 'true');
    const before = (await apiGet('/api/v1/needs?limit=1000')).needs.length;
    check('report: a refused report stores nothing', before === 0, before);

    /* a place from the map, a description, contact details */
    await page.fill('#address', '');
    const box = await page.$('#report-map');
    const bb = await box.boundingBox();
    await page.mouse.click(bb.x + bb.width / 2, bb.y + bb.height / 2);
    check('report: a click on the map picks the place', /^4[12]\.\d+$/.test(await page.inputValue('#lat')) && /^-8[78]\.\d+$/.test(await page.inputValue('#long')), (await page.inputValue('#lat')) + ',' + (await page.inputValue('#long')));
    await page.fill('#description', 'The light on the corner has been out for a week.');
    await page.fill('#first_name', 'Canary Resident');
    await page.fill('#email', EMAIL);
    await page.fill('#phone', PHONE);
    page.problems = []; // the refusals above were 400s on purpose
    await page.click('#submit');
    await page.waitForSelector('#report-done:not([hidden])', {timeout: 30000});
    const id = await page.evaluate(() => document.body.dataset.reported);
    check('report: the answer gives a number', /^[0-9]+$/.test(id || ''), id);
    check('report: the number is shown', (await page.textContent('#done-text')).includes(id));
    await noProblems(page, 'report sent');
    await shot(page, 'report-1280-sent');

    /* the public view of it has no contact details */
    for (const p of ['/api/v1/needs/' + id, '/api/v1/needs', '/open311/v2/requests/' + id + '.json?extensions=true', '/open311/v2/requests.xml']) {
        const r = await fetch(BASE + p);
        const text = await r.text();
        check(p + ': no contact details in the public answer', r.ok && !text.includes(EMAIL) && !text.includes(PHONE) && !text.includes('Canary Resident'), r.status);
    }

    /* ---- following it */
    console.log('-- follow a report (' + elapsed() + ')');
    await page.click('#done-link');
    await page.waitForURL(/\/need\?/, {timeout: 30000});
    await page.waitForFunction(() => document.body.dataset.loaded === 'need', null, {timeout: 30000});
    const first = await page.evaluate(() => document.body.dataset.need);
    check('follow: the report is shown, new', first === id + '|new', first);
    check('follow: its status in words', (await page.textContent('#need-status')).startsWith(EN['status.new']));
    await context_close(page);

    /* the department works it */
    const queue = await asDept('GET', '/api/v1/workorders?limit=1000');
    const wo = queue.workorders.find((w) => w.service_request_id === id);
    check('department: the order is in its queue', !!wo, JSON.stringify(queue.workorders.map((w) => w.service_request_id)));
    if (wo) {
        await asDept('POST', '/api/v1/workorders/' + wo.id + '/transitions', {state: 'acknowledged', public_note: 'A crew is scheduled.'});
        await asDept('POST', '/api/v1/workorders/' + wo.id + '/transitions', {state: 'in_progress'});
        await asDept('POST', '/api/v1/workorders/' + wo.id + '/transitions', {state: 'resolved', public_note: 'The light is repaired.', internal_note: 'INTERNAL-CANARY crew 7'});
    }
    page = await newPage(browser);
    await page.goto(BASE + '/need?id=' + id);
    await page.waitForFunction(() => document.body.dataset.loaded === 'need', null, {timeout: 30000});
    check('follow: the resident sees it resolved', (await page.evaluate(() => document.body.dataset.need)) === id + '|resolved');
    const hist = await page.textContent('#need-history');
    check('follow: the public notes are shown', hist.includes('A crew is scheduled.') && hist.includes('The light is repaired.'), hist);
    check('follow: the internal note is not', !(await page.content()).includes('INTERNAL-CANARY'));
    await noProblems(page, 'follow');
    await shot(page, 'need-1280-resolved');
    await context_close(page);

    /* an unknown number */
    page = await newPage(browser);
    await page.goto(BASE + '/need?id=987654');
    await page.waitForFunction(() => document.body.dataset.loaded === 'need', null, {timeout: 30000});
    check('follow: an unknown number says so', (await page.textContent('#page-error')).includes('987654'));
    await context_close(page);

    /* ---- Spanish, 360 px */
    console.log('-- languages and 360 px (' + elapsed() + ')');
    for (const [url, name, heading] of [
        ['/report?lang=es', 'report-360-es', ES['report.heading']],
        ['/need?lang=es&id=' + id, 'need-360-es', ES['need.heading']],
        ['/report', 'report-360-en', EN['report.heading']],
    ]) {
        page = await newPage(browser, {viewport: {width: 360, height: 740}});
        await page.goto(BASE + url);
        await page.waitForFunction(() => document.body.dataset.loaded, null, {timeout: 30000});
        check(name + ': the heading is in the page\'s language', (await page.textContent('h1')) === heading, await page.textContent('h1'));
        await noWide(page, name);
        await noProblems(page, name);
        await shot(page, name);
        await context_close(page);
    }

    console.log('-- accessibility (' + elapsed() + ')');
    await axe(browser, '/report', 'report (en)');
    await axe(browser, '/report?lang=es', 'report (es)');
    await axe(browser, '/need?id=' + id, 'follow (en)');
    await axe(browser, '/need?lang=es&id=' + id, 'follow (es)');
}

async function context_close(page) {
    await page.context().close();
}

main('intake.js', run);
