#!/usr/bin/env node
/* lib.js - what the browser tests share: playwright-core and Debian's
 * chromium, the server's URL and the artifacts folder from the command line
 * (URL ARTIFACTS_DIR), the message catalogues, checks and their count, pages
 * that record failed requests, script errors and any request leaving this
 * machine, screenshots, axe-core, and the run itself (run(browser), then
 * "N passed, N failed" and the exit status). */
'use strict';

const fs = require('fs');
const path = require('path');

const here = path.dirname(__filename);
const modules = path.join(here, '..', 'node_modules');
let chromium;
try {
    ({chromium} = require(path.join(modules, 'playwright-core')));
} catch (e) {
    console.log('FAIL: playwright-core is not installed in tests/node_modules; run scripts/install-deps --test');
    console.log('0 passed, 1 failed');
    process.exit(1);
}
const AXE = path.join(modules, 'axe-core', 'axe.min.js');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BASE = (process.argv[2] || '').replace(/\/$/, '');
const OUT = process.argv[3] || 'test-artifacts';
const EN = JSON.parse(fs.readFileSync(path.join(here, '..', '..', 'web', 'i18n', 'en.json'), 'utf8'));
const ES = JSON.parse(fs.readFileSync(path.join(here, '..', '..', 'web', 'i18n', 'es.json'), 'utf8'));

const counts = {passed: 0, failed: 0};
function check(what, ok, detail) {
    if (ok) {
        counts.passed++;
    } else {
        counts.failed++;
        console.log('FAIL: ' + what + (detail !== undefined ? ': ' + detail : ''));
    }
}

async function apiGet(p) {
    const r = await fetch(BASE + p);
    if (!r.ok) throw new Error(p + ': ' + r.status);
    return r.json();
}

/* A fresh page: records failed requests, page errors and console errors, and
 * refuses (and records) every request that would leave 127.0.0.1. */
async function newPage(browser, opts) {
    const context = await browser.newContext(Object.assign({viewport: {width: 1280, height: 900}, locale: 'en-US'}, opts || {}));
    const page = await context.newPage();
    page.problems = [];
    page.outside = [];
    await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.origin !== new URL(BASE).origin) {
            page.outside.push(u.href);
            return route.abort();
        }
        return route.continue();
    });
    page.on('pageerror', (e) => page.problems.push('page error: ' + e.message));
    page.on('console', (m) => {
        if (m.type() === 'error') page.problems.push('console: ' + m.text());
    });
    page.on('requestfailed', (r) => page.problems.push('request failed: ' + r.url()));
    page.on('response', (r) => {
        if (r.status() >= 400) page.problems.push(r.status() + ' ' + r.url());
    });
    return page;
}

async function ready(page, loaded) {
    await page.waitForSelector('body[data-ready="1"]', {timeout: 30000});
    if (loaded) await page.waitForFunction((want) => (document.body.dataset.loaded || '').startsWith(want), loaded, {timeout: 30000});
}

async function noProblems(page, what) {
    const err = await page.$eval('#page-error', (e) => (e.hidden ? '' : e.textContent));
    check(what + ': no error shown', err === '', err);
    check(what + ': no failed requests or script errors', page.problems.length === 0, page.problems.join('; '));
    check(what + ': nothing fetched from outside this machine', page.outside.length === 0, page.outside.join(' '));
}

/* Nothing in the header or the page sticks out to the right (a phone's width: no sideways scrolling). */
async function noWide(page, name) {
    const wide = await page.evaluate(() =>
        [...document.querySelectorAll('main *, header *')]
            .filter((e) => !e.closest('.leaflet-container') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map((e) => e.tagName + (e.id ? '#' + e.id : ''))
            .slice(0, 5)
    );
    check(name + ': nothing sticks out at 360 px', wide.length === 0, wide.join(' '));
}

async function shot(page, name) {
    fs.mkdirSync(OUT, {recursive: true});
    await page.screenshot({path: path.join(OUT, name + '.png'), fullPage: true});
    await page.screenshot({path: path.join(OUT, name + '-screen.png')}); // what a first look shows
}

/* axe-core over the page: no serious or critical violation of WCAG 2.1 A/AA.
 * prepare(page), when given, runs before the page is opened (to sign in). */
async function axe(browser, url, what, viewport, prepare) {
    const page = await newPage(browser, {bypassCSP: true, viewport: viewport || {width: 1280, height: 900}});
    if (prepare) await prepare(page);
    await page.goto(BASE + url);
    await ready(page, url.startsWith('/area') ? '' : '');
    await page.waitForFunction(() => document.body.dataset.loaded, null, {timeout: 30000});
    await axePage(page, what);
    await page.context().close();
}

/* axe-core over a page already loaded (a signed-in staff page, say). */
async function axePage(page, what) {
    await page.addScriptTag({path: AXE});
    const res = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})
    );
    const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const describe = (v) => v.id + ' (' + v.impact + ', ' + v.nodes.length + ': ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ') + ')';
    check('axe: ' + what + ' has no serious or critical violations', bad.length === 0, bad.map(describe).join('; '));
    const minor = res.violations.filter((v) => !bad.includes(v));
    if (minor.length) console.log('note: axe, ' + what + ': ' + minor.map(describe).join('; '));
    check('axe: ' + what + ' ran its rules', res.passes.length > 20, res.passes.length);
}


const t0 = Date.now();
const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1) + ' s';

/** Launches chromium, runs run(browser), prints the tally and exits. */
function main(name, run) {
    (async () => {
        if (!BASE) {
            console.log('usage: ' + name + ' URL ARTIFACTS_DIR');
            process.exit(64);
        }
        if (!fs.existsSync(CHROMIUM)) {
            console.log('FAIL: no chromium at ' + CHROMIUM + '; run scripts/install-deps --test');
            console.log('0 passed, 1 failed');
            process.exit(1);
        }
        const browser = await chromium.launch({executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
        try {
            await run(browser);
        } catch (e) {
            check('the browser run finished', false, e.stack);
        }
        await browser.close();
        console.log('browser run took ' + elapsed());
        console.log(counts.passed + ' passed, ' + counts.failed + ' failed');
        process.exit(counts.failed ? 1 : 0);
    })();
}

module.exports = {BASE, OUT, EN, ES, check, apiGet, newPage, ready, noProblems, noWide, shot, axe, axePage, elapsed, main};
