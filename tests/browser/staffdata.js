#!/usr/bin/env node
/* staffdata.js - the partner page and the data page, in a real browser
 * (Debian's chromium, headless, driven by playwright-core), against a running
 * `cscc serve`:
 *
 *   PW=... ORG_A=ID ORG_B=ID FIXTURES=DIR node tests/browser/staffdata.js URL ARTIFACTS_DIR
 *
 * Accounts (made by web_staffdata.sh, password PW): westside (partner of
 * ORG_A), southside (partner of ORG_B), ana (analyst). Each signs in through
 * the API (POST /api/v1/session in the page's context, so the browser holds
 * the cookie). A partner edits its record and sees it saved, sees the need it
 * reported and the event it logged; another partner's organization is
 * refused; a partner cannot upload. The analyst uploads a small crimes CSV on
 * /data and watches it finish with the right counts; a malformed one shows
 * its rejected row and column and changes nothing. Spanish, 360 px, axe-core;
 * screenshots in ARTIFACTS_DIR. */
'use strict';

const fs = require('fs');
const path = require('path');
const {BASE, EN, ES, check, newPage, noProblems, shot, elapsed, main} = require('./lib.js');

const PW = process.env.PW || '';
const ORG_A = Number(process.env.ORG_A || 0);
const ORG_B = Number(process.env.ORG_B || 0);
const FIX = process.env.FIXTURES || '';

/* A page whose context is signed in as user (the session cookie). */
async function signedIn(browser, user, opts) {
    const page = await newPage(browser, Object.assign({bypassCSP: true}, opts || {})); // axe is injected
    const r = await page.request.post(BASE + '/api/v1/session', {data: {name: user, password: PW}});
    check(user + ' signs in', r.ok(), r.status());
    return page;
}

/* A request from the page's signed-in context, with its CSRF token. */
async function call(page, method, p, body, type) {
    const s = await (await page.request.get(BASE + '/api/v1/session')).json();
    const headers = {'X-CSRF-Token': s.csrf_token || '', 'Content-Type': type || 'application/json'};
    const r = await page.request.fetch(BASE + p, {method, headers, data: body === undefined ? undefined : type ? body : JSON.stringify(body)});
    let json = null;
    try {
        json = await r.json();
    } catch (e) {
        json = null;
    }
    return {status: r.status(), json};
}

async function narrow(page, name, heading) {
    check(name + ': the heading is in the page\'s language', (await page.textContent('h1')) === heading, await page.textContent('h1'));
    const wide = await page.evaluate(() =>
        [...document.querySelectorAll('main *, header *')]
            .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map((e) => e.tagName + (e.id ? '#' + e.id : ''))
            .slice(0, 5)
    );
    check(name + ': nothing sticks out at 360 px', wide.length === 0, wide.join(' '));
}

async function axeOn(page, what) {
    await page.addScriptTag({path: path.join(__dirname, '..', 'node_modules', 'axe-core', 'axe.min.js')});
    const res = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
    );
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    check('axe: ' + what + ' has no serious or critical violations', bad.length === 0, bad.map((v) => v.id + ' ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')).join('; '));
    check('axe: ' + what + ' ran its rules', res.passes.length > 20, res.passes.length);
}

async function run(browser) {
    /* ---- the partner */
    console.log('-- partner (' + elapsed() + ')');
    let page = await signedIn(browser, 'westside');
    const catalog = await (await page.request.get(BASE + '/api/v1/catalog')).json();
    const svc = catalog.services.find((s) => s.active !== false && !(s.metadata && s.attributes && s.attributes.some((a) => a.required)));
    const need = await call(page, 'POST', '/api/v1/needs', {service_code: (svc || catalog.services[0]).service_code, lat: '41.8804', long: '-87.7525', description: 'Reported by the partner'});
    check('the partner reports a need', need.status === 201, JSON.stringify(need.json));
    const ev = await call(page, 'POST', '/api/v1/events', {type: 'peace_walk', title: 'Madison Street peace walk', date: '2026-03-14', area: 25, attendance: 40});
    check('the partner logs an event', ev.status === 201 && ev.json.title === 'Madison Street peace walk', JSON.stringify(ev.json));
    const other = await call(page, 'PATCH', '/api/v1/organizations/' + ORG_B, {description: 'not mine'});
    check('a partner cannot edit another organization', other.status === 403, other.status);
    const otherNeeds = await call(page, 'GET', '/api/v1/organizations/' + ORG_B + '/needs');
    check('a partner cannot list another organization\'s needs', otherNeeds.status === 403, otherNeeds.status);
    const up = await call(page, 'POST', '/api/v1/imports?dataset=crimes', 'ID\n1\n', 'text/csv');
    check('a partner cannot upload an export', up.status === 403, up.status);
    const imps = await call(page, 'GET', '/api/v1/imports/1');
    check('a partner sees no rejected rows of an import', imps.status === 200 && imps.json.rejected_rows === undefined, imps.status);

    await page.goto(BASE + '/partner');
    await page.waitForFunction(() => document.body.dataset.loaded === 'partner', null, {timeout: 30000});
    check('partner: its record is shown', (await page.inputValue('#org-name')) === 'Westside Youth Works', await page.inputValue('#org-name'));
    check('partner: verification is shown', (await page.textContent('#org-verified')) === EN['partner.unverified'], await page.textContent('#org-verified'));
    const needId = need.json && need.json.service_request_id;
    check('partner: the need it reported is listed with its status', (await page.$$eval('#needs-list li[data-need]', (xs) => xs.map((x) => x.dataset.need + '|' + x.textContent))).some((x) => x.startsWith(needId + '|') && x.includes(EN['status.new'])));
    check('partner: the event it logged is listed', (await page.textContent('#events-list')).includes('Madison Street peace walk'));
    await page.fill('#org-description', 'After-school programs on the West Side.');
    await page.fill('#org-capacity', '55');
    await page.click('#org-save');
    await page.waitForFunction(() => document.body.dataset.saved, null, {timeout: 10000});
    check('partner: the page says saved', (await page.textContent('#saved')) === EN['partner.saved']);
    const stored = await call(page, 'GET', '/api/v1/organizations/' + ORG_A);
    check('partner: the edit is stored', stored.json.description === 'After-school programs on the West Side.' && stored.json.capacity_per_week === 55, JSON.stringify(stored.json));
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.loaded === 'partner', null, {timeout: 30000});
    check('partner: the saved record shows after a reload', (await page.inputValue('#org-capacity')) === '55');
    check('partner: no sign-in entry in the navigation once signed in', (await page.$$('#site-nav a[href^="/login"]')).length === 0 && (await page.$$('#site-nav a[href^="/partner"]')).length === 1);
    /* logging an event on the page */
    await page.selectOption('#event-type', 'resource_fair');
    await page.fill('#event-title', 'Garfield Park resource fair');
    await page.fill('#event-date', '2026-05-02');
    await page.selectOption('#event-area', '26');
    await page.fill('#event-attendance', '140');
    await page.click('#event-save');
    await page.waitForFunction(() => document.body.dataset.logged, null, {timeout: 10000});
    const loggedId = await page.evaluate(() => document.body.dataset.logged);
    check('partner: the page says the event is logged', (await page.textContent('#event-logged')) === EN['partner.event_logged'].replace('{title}', 'Garfield Park resource fair'), await page.textContent('#event-logged'));
    check('partner: the new event is listed first', (await page.$$eval('#events-list li[data-event]', (xs) => xs.map((x) => x.dataset.event + '|' + x.textContent)))[0] === loggedId + '|2026-05-02 — Garfield Park resource fair (' + EN['partner.attendance'].replace('{n}', '140') + ')');
    const evs = await call(page, 'GET', '/api/v1/organizations/' + ORG_A + '/events');
    const logged = (evs.json.events || []).find((v) => String(v.id) === loggedId);
    check('partner: the event is stored as the organization\'s, with its fields', logged && logged.type === 'resource_fair' && logged.area === 26 && logged.attendance === 140 && logged.date === '2026-05-02', JSON.stringify(logged));
    check('partner: the form is cleared for the next event', (await page.inputValue('#event-title')) === '');
    await noProblems(page, 'partner');
    await shot(page, 'partner-1280-saved');
    await axeOn(page, 'partner (en)');
    await page.context().close();

    page = await signedIn(browser, 'southside', {viewport: {width: 360, height: 740}});
    await page.goto(BASE + '/partner?lang=es');
    await page.waitForFunction(() => document.body.dataset.loaded === 'partner', null, {timeout: 30000});
    check('partner (other): sees its own organization', (await page.inputValue('#org-name')) === 'Southside Health Partners');
    check('partner (other): not the first partner\'s need', (await page.$$('#needs-list li[data-need]')).length === 0);
    check('partner (other): the kinds of event in Spanish', (await page.textContent('#event-type option[value="peace_walk"]')) === ES['event_type.peace_walk']);
    await narrow(page, 'partner-360-es', ES['partner.heading']);
    await noProblems(page, 'partner (es, 360)');
    await shot(page, 'partner-360-es');
    await axeOn(page, 'partner (es)');
    await page.context().close();

    /* ---- the analyst and the data page */
    console.log('-- data (' + elapsed() + ')');
    page = await signedIn(browser, 'ana');
    await page.goto(BASE + '/data');
    await page.waitForFunction(() => document.body.dataset.loaded === 'data', null, {timeout: 30000});
    const before = Number(await page.evaluate(() => document.body.dataset.rows));
    check('data: the crimes table\'s rows are shown', before > 0, before);
    const nImports = (await page.$$('#imports tbody tr')).length;
    check('data: the imports are listed', nImports >= 1, nImports);
    const small = path.join(FIX, 'upload_small.csv');
    const smallRows = fs.readFileSync(small, 'utf8').trim().split('\n').length - 1;
    await page.setInputFiles('#upload-file', small);
    await page.click('#upload-send');
    await page.waitForFunction(() => (document.body.dataset.imported || '').includes('|'), null, {timeout: 60000});
    const done = await page.evaluate(() => document.body.dataset.imported);
    check('data: the upload is imported', done.endsWith('|ok'), done);
    const after = Number(await page.evaluate(() => document.body.dataset.rows));
    check('data: the table grew by the file\'s rows', after === before + smallRows, before + ' + ' + smallRows + ' != ' + after);
    const status = await page.textContent('#upload-status');
    check('data: the page shows the row counts', status.includes(String(smallRows) + ' rows') || status.includes(String(smallRows)), status);
    await noProblems(page, 'data upload');
    await shot(page, 'data-1280-done');

    await page.setInputFiles('#upload-file', path.join(FIX, 'upload_malformed.csv'));
    await page.click('#upload-send');
    await page.waitForFunction((d) => (document.body.dataset.imported || '') !== d, done, {timeout: 60000});
    const bad = await page.evaluate(() => document.body.dataset.imported);
    check('data: the malformed upload fails', bad.endsWith('|failed'), bad);
    const rej = await page.textContent('#upload-rejects');
    check('data: its rejected row and column are shown', rej.includes('3') && rej.includes('Date') && rej.includes('5'), rej);
    check('data: the error is shown', !(await page.$eval('#page-error', (e) => e.hidden)));
    check('data: the counts are unchanged', Number(await page.evaluate(() => document.body.dataset.rows)) === after);
    await shot(page, 'data-1280-failed');
    await axeOn(page, 'data (en)');
    await page.context().close();

    page = await signedIn(browser, 'ana', {viewport: {width: 360, height: 740}});
    await page.goto(BASE + '/data');
    await page.waitForFunction(() => document.body.dataset.loaded === 'data', null, {timeout: 30000});
    await narrow(page, 'data-360-en', EN['data.heading']);
    check('data-360-en: the imports table scrolls in its own box', await page.$eval('.table-wrap', (w) => w.getBoundingClientRect().right <= document.documentElement.clientWidth + 1));
    await shot(page, 'data-360-en');
    await page.goto(BASE + '/data?lang=es');
    await page.waitForFunction(() => document.body.dataset.loaded === 'data', null, {timeout: 30000});
    await axeOn(page, 'data (es)');
    await page.context().close();
}

main('staffdata.js', run);
