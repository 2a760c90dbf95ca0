#!/usr/bin/env node
/* staff.js - the staff side of the dashboard in a real browser (Debian's
 * chromium, headless, driven by playwright-core) against a running `cscc
 * serve` with these accounts (made by tests/integration/web_staff.sh):
 *
 *   COORD=name:password DEPT=name:password (of DSS) ADMIN=name:password \
 *       node tests/browser/staff.js URL ARTIFACTS_DIR
 *
 * The whole flow: a resident reports a need on /report; a
 * coordinator signs in on /login (a wrong password is refused first), sees
 * it on /triage ranked by priority with the score's reasons and its
 * duplicate, and sends it to Streets and Sanitation with a public and an
 * internal note; the department's user signs in, finds it on /queue and
 * acknowledges, starts and resolves it there, with notes; the resident's
 * /need page then says resolved with the public notes only. Role limits: the
 * anonymous are sent to /login, a department opening /triage is refused and
 * its data calls get 403, only an admin sees the users. No public answer
 * carries the resident's contact details. Spanish, 360 px, axe-core and a
 * screenshot of each page in ARTIFACTS_DIR; throttled sign-ins last (they
 * block this address for an hour). */
'use strict';

const {BASE, EN, ES, check, apiGet, newPage, ready, noProblems, noWide, shot, axePage, elapsed, main} = require('./lib.js');

const account = (v) => {
    const [name, ...pw] = (process.env[v] || '').split(':');
    return {name, password: pw.join(':')};
};
const COORD = account('COORD');
const DEPT = account('DEPT');
const ADMIN = account('ADMIN');
const EMAIL = 'staff.canary@example.org';
const PHONE = '312-555-0199';
const NAME = 'Canary Staffcheck';
const INTERNAL = ['INTERNAL-TRIAGE-CANARY', 'INTERNAL-QUEUE-CANARY'];

const staffPage = (browser, opts) => newPage(browser, Object.assign({bypassCSP: true}, opts || {}));

/** Signs in on /login (from a staff page's redirect or directly); waits for the page it lands on. */
async function signIn(page, who, lands) {
    if (!page.url().includes('/login')) await page.goto(BASE + '/login');
    await page.waitForFunction(() => (document.body.dataset.loaded || '').startsWith('login'), null, {timeout: 30000});
    await page.fill('#login-name', who.name);
    await page.fill('#login-password', who.password);
    await Promise.all([page.waitForURL(new RegExp('/' + lands), {timeout: 30000}), page.click('#login-submit')]);
    await page.waitForFunction((want) => document.body.dataset.loaded === want, lands, {timeout: 30000});
}

/** A request from inside the page (its cookie, its CSRF token): {status, text}. */
const inPage = (page, method, p, body) =>
    page.evaluate(
        async ([m, u, b]) => {
            const who = await cscc.session();
            const headers = {Accept: 'application/json', 'Content-Type': 'application/json'};
            if (who.csrf_token) headers['X-CSRF-Token'] = who.csrf_token;
            const r = await fetch(u, {method: m, headers, body: b ? JSON.stringify(b) : undefined, credentials: 'same-origin'});
            return {status: r.status, text: await r.text()};
        },
        [method, p, body]
    );

async function run(browser) {
    check('accounts are given (COORD, DEPT, ADMIN)', COORD.password && DEPT.password && ADMIN.password);

    /* ---- the anonymous are sent to sign in */
    console.log('-- anonymous (' + elapsed() + ')');
    let page = await staffPage(browser);
    for (const p of ['/triage', '/queue']) {
        await page.goto(BASE + p);
        await page.waitForURL(/\/login\?/, {timeout: 30000});
        await page.waitForFunction(() => (document.body.dataset.loaded || '').startsWith('login'), null, {timeout: 30000});
        check(p + ': the anonymous are sent to /login with the page to come back to', new URL(page.url()).searchParams.get('next') === p, page.url());
    }
    page.problems = [];
    await shot(page, 'login-1280-en');
    await page.context().close();

    /* ---- a resident reports a need */
    console.log('-- a resident reports (' + elapsed() + ')');
    page = await newPage(browser);
    await page.goto(BASE + '/report');
    await page.waitForFunction(() => document.body.dataset.loaded === 'report', null, {timeout: 30000});
    await page.selectOption('#service', 'streetlight_out');
    await page.waitForFunction(() => !document.getElementById('attributes').hidden, null, {timeout: 10000});
    await page.selectOption('#attr-light_type', 'ALLEY');
    const box = await (await page.$('#report-map')).boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const lat = await page.inputValue('#lat');
    const lon = await page.inputValue('#long');
    await page.fill('#description', 'The alley light behind the school is out.');
    await page.fill('#first_name', NAME);
    await page.fill('#email', EMAIL);
    await page.fill('#phone', PHONE);
    await page.click('#submit');
    await page.waitForSelector('#report-done:not([hidden])', {timeout: 30000});
    const id = await page.evaluate(() => document.body.dataset.reported);
    check('report: the need has a number', /^[0-9]+$/.test(id || ''), id);
    await noProblems(page, 'report');
    await page.context().close();

    /* two more needs by the API: the same light again (a duplicate), and a need elsewhere */
    const post = async (body) => {
        const r = await fetch(BASE + '/api/v1/needs', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
        check('POST a need: ' + body.service_code, r.status === 201, r.status);
        return r.json();
    };
    const dup = await post({service_code: 'streetlight_out', lat, long: lon, 'attribute[light_type]': 'ALLEY', description: 'Same light, still out.'});
    check('the second report of the light is a duplicate of the first', String(dup.duplicate_of) === id, JSON.stringify(dup.duplicate_of));
    const car = await post({service_code: 'abandoned_vehicle', address_string: '011XX S STATE ST', description: 'A car without plates.'});
    const other = await post({service_code: 'safe_passage', address_string: '043XX W MADISON ST', 'attribute[school]': 'Manley High School', description: 'The corner needs a Safe Passage worker.'});
    check('the needs went to DSS and CPS', car.agency_responsible !== other.agency_responsible, car.agency_responsible + ' ' + other.agency_responsible);

    /* ---- the coordinator: a wrong password, then the triage board */
    console.log('-- coordinator (' + elapsed() + ')');
    page = await staffPage(browser);
    await page.goto(BASE + '/login');
    await page.waitForFunction(() => document.body.dataset.loaded === 'login', null, {timeout: 30000});
    check('login: the heading', (await page.textContent('h1')) === EN['login.heading']);
    await page.fill('#login-name', COORD.name);
    await page.fill('#login-password', 'not the password at all');
    await page.click('#login-submit');
    await page.waitForSelector('#page-error:not([hidden])', {timeout: 10000});
    check('login: a wrong password is refused in words', (await page.textContent('#page-error')) === EN['login.wrong'], await page.textContent('#page-error'));
    check('login: the fields are marked', (await page.getAttribute('#login-password', 'aria-invalid')) === 'true');
    check('login: the password field is emptied', (await page.inputValue('#login-password')) === '');
    await shot(page, 'login-1280-wrong');
    page.problems = []; // the 401 was on purpose
    await signIn(page, COORD, 'triage');
    check('login: a coordinator lands on /triage', new URL(page.url()).pathname === '/triage', page.url());
    check('header: who is signed in', (await page.textContent('#staff-who')).includes(COORD.name), await page.textContent('#staff-who'));
    check('header: the triage page is current', (await page.getAttribute('#site-nav a[aria-current="page"]', 'href')).startsWith('/triage'));

    /* ranked by priority, with the reasons */
    const staffNeeds = JSON.parse((await inPage(page, 'GET', '/api/v1/needs?status=open&limit=1000')).text).needs;
    const want = staffNeeds
        .filter((n) => n.detailed_status === 'new' && !n.duplicate_of)
        .sort((a, b) => b.priority.score - a.priority.score)
        .map((n) => n.service_request_id);
    const shown = await page.$$eval('#triage-list > li', (ls) => ls.map((l) => l.dataset.need));
    check('triage: the new needs, the highest priority first', JSON.stringify(shown) === JSON.stringify(want) && shown.length === 3, shown.join(',') + ' / ' + want.join(','));
    check('triage: the duplicate is not a card of its own', !shown.includes(dup.service_request_id));
    const mine = staffNeeds.find((n) => n.service_request_id === id);
    const card = '#need-' + id;
    const why = await page.$$eval(card + ' .why li', (ls) => ls.map((l) => l.textContent));
    check('triage: three reasons for the score', why.length === 3, why.join(' | '));
    check('triage: the service weight is a reason', why[0] && why[0].includes('1.5'), why[0]);
    check('triage: the violence nearby is a reason, with its incidents', why[1] && why[1].includes(String(mine.priority.incidents_within_bandwidth)) && why[1].includes('400'), why[1]);
    check('triage: the score is shown', (await page.textContent(card + ' .score')).includes(mine.priority.score.toFixed(2)), await page.textContent(card + ' .score'));
    check('triage: the duplicate is linked', (await page.$(card + ' .dupes a[href*="id=' + dup.service_request_id + '"]')) !== null);
    check('triage: the coordinator sees the reporter\'s contact', (await page.textContent(card + ' .contact')).includes(EMAIL));
    check('triage: the routing rules section answers', (await page.textContent('#rules')).includes(EN['triage.no_rules']));
    check('triage: the catalogue is listed', (await page.$$('#catalog tbody tr')).length >= 10);
    check('triage: users are for admins only', (await page.textContent('#users')) === EN['triage.users_admin_only']);
    check('triage: nothing is overdue yet', (await page.textContent('#overdue')) === EN['triage.none_overdue']);
    await noProblems(page, 'triage');
    await shot(page, 'triage-1280-en');
    await axePage(page, 'triage (en)');

    /* assign it to Streets and Sanitation, with notes */
    await page.selectOption('#assign-' + id + '-dept', 'DSS');
    await page.fill('#assign-' + id + '-public', 'Alley lights are fixed by Streets and Sanitation.');
    await page.fill('#assign-' + id + '-internal', INTERNAL[0] + ' sent on');
    await page.click(card + ' .assign button');
    await page.waitForFunction((want) => document.body.dataset.assigned === want, id + '|DSS', {timeout: 30000});
    check('triage: the page says where it went', (await page.textContent('#triage-status')).includes('Streets and Sanitation'));
    const wo = JSON.parse((await inPage(page, 'GET', '/api/v1/workorders/' + mine.workorder_id)).text);
    check('triage: the work order is now with DSS', wo.department === 'DSS', wo.department);
    await noProblems(page, 'triage after assigning');
    await shot(page, 'triage-1280-assigned');

    /* sign out */
    await Promise.all([page.waitForURL(/\/login\?signed_out=1/, {timeout: 30000}), page.click('#sign-out')]);
    await page.waitForFunction(() => document.body.dataset.loaded === 'login', null, {timeout: 30000});
    check('sign out: the page says so', (await page.textContent('#login-notice')) === EN['login.signed_out']);
    check('sign out: the session is over', JSON.parse((await inPage(page, 'GET', '/api/v1/session')).text).authenticated === false);
    await page.context().close();

    /* ---- the department works it on /queue */
    console.log('-- department (' + elapsed() + ')');
    page = await staffPage(browser);
    await page.goto(BASE + '/queue');
    await page.waitForURL(/\/login\?/, {timeout: 30000});
    await signIn(page, DEPT, 'queue');
    check('login: back to the page asked for', new URL(page.url()).pathname === '/queue', page.url());
    const wcard = '#wo-' + mine.workorder_id;
    check('queue: the need is in the department\'s queue', (await page.$(wcard)) !== null, await page.$$eval('#queue-list > li', (ls) => ls.map((l) => l.id).join(',')));
    check('queue: it shows the need\'s description', (await page.textContent(wcard)).includes('The alley light behind the school is out.'));
    await shot(page, 'queue-1280-en');
    await axePage(page, 'queue (en)');
    const steps = [
        ['acknowledged', 'A crew is scheduled.', ''],
        ['in_progress', '', ''],
        ['resolved', 'The alley light is repaired.', INTERNAL[1] + ' crew 7, ladder truck'],
    ];
    for (const [state, pub, internal] of steps) {
        await page.selectOption('#move-' + mine.workorder_id + '-state', state);
        if (pub) await page.fill('#move-' + mine.workorder_id + '-public', pub);
        if (internal) await page.fill('#move-' + mine.workorder_id + '-internal', internal);
        await page.click(wcard + ' .move button');
        await page.waitForFunction((want) => document.body.dataset.moved === want, mine.workorder_id + '|' + state, {timeout: 30000});
        check('queue: ' + state + ' is shown', (await page.getAttribute(wcard, 'data-state')) === state);
    }
    check('queue: a resolved order offers only reopening', JSON.stringify(await page.$$eval('#move-' + mine.workorder_id + '-state option', (os) => os.map((o) => o.value))) === '["in_progress"]');
    await page.click(wcard + ' .wo-history summary');
    await page.waitForFunction((sel) => document.querySelectorAll(sel + ' .wo-history li').length >= 4, wcard, {timeout: 30000});
    const hist = await page.textContent(wcard + ' .wo-history');
    check('queue: staff see the internal notes in the history', hist.includes(INTERNAL[0]) && hist.includes(INTERNAL[1]), hist);
    check('queue: the response-time chart is drawn', await page.$eval('#metrics-chart', (c) => c.width > 0 && c.getAttribute('aria-label').length > 20));
    const mhead = await page.$$eval('#metrics-table thead th', (hs) => hs.map((h) => h.textContent));
    check('queue: the figures of the department and of all', mhead.length === 3 && mhead[1].includes('Streets and Sanitation'), mhead.join(' | '));
    const resolvedRow = await page.$$eval('#metrics-table tbody tr', (rs) => rs.map((r) => [...r.cells].map((c) => c.textContent)));
    check('queue: the resolution counts once it is resolved', resolvedRow.some((r) => r[0] === EN['queue.fig_resolve_median_h'] && r[1] !== EN['queue.no_figure']), JSON.stringify(resolvedRow));
    await noProblems(page, 'queue');
    await shot(page, 'queue-1280-resolved');

    /* the queue a page at a time: three more needs for DSS, two orders a page */
    for (const [i, lat, lon] of [[1, '41.8870', '-87.7010'], [2, '41.8790', '-87.6900'], [3, '41.8700', '-87.7150']]) {
        const r = await inPage(page, 'POST', '/api/v1/needs', {service_code: 'abandoned_vehicle', lat, long: lon, description: 'Paging check ' + i});
        check('queue paging: need ' + i + ' is taken', r.status === 201, r.status + ' ' + r.text);
    }
    const open = JSON.parse((await inPage(page, 'GET', '/api/v1/workorders?limit=500')).text).workorders.map((w) => String(w.id));
    check('queue paging: DSS has three open orders or more', open.length >= 3, open.length);
    await page.goto(BASE + '/queue?limit=2');
    await page.waitForFunction(() => document.body.dataset.loaded === 'queue', null, {timeout: 30000});
    check('queue paging: the first page holds two orders', (await page.$$('#queue-list > li')).length === 2);
    check('queue paging: the summary says there are more', (await page.textContent('#queue-summary')) === EN['queue.count_more'].replace('{n}', '2').replace('{overdue}', String(await page.$$eval('#queue-list > li.overdue', (ls) => ls.length))), await page.textContent('#queue-summary'));
    for (let k = 0; k < 10 && (await page.isVisible('#queue-more')); k++) {
        const had = Number(await page.evaluate(() => document.body.dataset.orders));
        await page.click('#queue-more');
        await page.waitForFunction((n) => Number(document.body.dataset.orders) > n || document.getElementById('queue-more').hidden, had, {timeout: 30000});
    }
    const pagedIds = await page.$$eval("#queue-list > li", (ls) => ls.map((l) => l.dataset.wo));
    check('queue paging: "Show more" reaches every open order once, in the API\'s order', JSON.stringify(pagedIds) === JSON.stringify(open), JSON.stringify(pagedIds) + ' vs ' + JSON.stringify(open));
    check('queue paging: no more button on the last page', !(await page.isVisible('#queue-more')));
    check('queue paging: each card shows its need', (await page.textContent('#queue-list')).includes('Paging check 3'));
    await noProblems(page, 'queue (paged)');
    await shot(page, 'queue-1280-paged');

    /* a department on the triage board: refused, and so are the data calls */
    await page.goto(BASE + '/triage');
    await page.waitForFunction(() => document.body.dataset.loaded === 'refused', null, {timeout: 30000});
    check('triage as a department: refused in words', (await page.textContent('#staff-refused h2')) === EN['staff.refused_title']);
    check('triage as a department: no board shown', await page.$eval('#staff-content', (e) => e.hidden));
    for (const p of ['/api/v1/routing-rules', '/api/v1/users', '/api/v1/workorders?department=CDOT', '/api/v1/audit']) {
        const r = await inPage(page, 'GET', p);
        check('as a department, GET ' + p + ' is refused (403)', r.status === 403, r.status);
    }
    const otherMove = await inPage(page, 'POST', '/api/v1/workorders/' + staffNeeds.find((n) => n.service_request_id === other.service_request_id).workorder_id + '/transitions', {state: 'acknowledged'});
    check('as a department, moving another department\'s order is refused', otherMove.status === 403 || otherMove.status === 404, otherMove.status);
    page.problems = [];
    await shot(page, 'triage-1280-refused');
    await page.context().close();

    /* ---- the resident sees it resolved, public notes only */
    console.log('-- the resident follows it (' + elapsed() + ')');
    page = await newPage(browser);
    await page.goto(BASE + '/need?id=' + id);
    await page.waitForFunction(() => document.body.dataset.loaded === 'need', null, {timeout: 30000});
    check('follow: the resident sees it resolved', (await page.evaluate(() => document.body.dataset.need)) === id + '|resolved');
    const pub = await page.textContent('#need-history');
    check('follow: the public notes are shown', pub.includes('A crew is scheduled.') && pub.includes('The alley light is repaired.') && pub.includes('Streets and Sanitation'), pub);
    const html = await page.content();
    check('follow: no internal note', !INTERNAL.some((x) => html.includes(x)));
    check('follow: no contact details', ![EMAIL, PHONE, NAME].some((x) => html.includes(x)));
    await noProblems(page, 'follow');
    await shot(page, 'need-1280-resolved');
    await page.context().close();
    for (const p of ['/api/v1/needs', '/api/v1/needs/' + id, '/api/v1/needs/' + dup.service_request_id, '/open311/v2/requests.json?extensions=true', '/open311/v2/requests/' + id + '.json?extensions=true']) {
        const r = await fetch(BASE + p);
        const text = await r.text();
        check(p + ': no contact details or internal notes in the public answer', r.ok && ![EMAIL, PHONE, NAME, ...INTERNAL].some((x) => text.includes(x)), r.status);
    }

    /* ---- an admin sees the users */
    console.log('-- admin, Spanish, 360 px (' + elapsed() + ')');
    page = await staffPage(browser);
    await page.goto(BASE + '/triage');
    await page.waitForURL(/\/login\?/, {timeout: 30000});
    await signIn(page, ADMIN, 'triage');
    const users = await page.$$eval('#users tbody tr', (rs) => rs.map((r) => r.cells[0].textContent));
    check('triage as an admin: the users are listed', users.includes(COORD.name) && users.includes(DEPT.name) && users.includes(ADMIN.name), users.join(','));
    check('triage as an admin: the assigned need has left the board', (await page.$('#need-' + id)) === null);
    await noProblems(page, 'triage (admin)');
    await shot(page, 'triage-1280-admin');
    /* Spanish */
    await page.goto(BASE + '/triage?lang=es');
    await page.waitForFunction(() => document.body.dataset.loaded === 'triage', null, {timeout: 30000});
    check('triage (es): the heading', (await page.textContent('h1')) === ES['triage.heading']);
    check('triage (es): the sign-out button', (await page.textContent('#sign-out')) === ES['staff.sign_out']);
    await axePage(page, 'triage (es)');
    await shot(page, 'triage-1280-es');
    await page.goto(BASE + '/queue?lang=es');
    await page.waitForFunction(() => document.body.dataset.loaded === 'queue', null, {timeout: 30000});
    check('queue (es): the heading', (await page.textContent('h1')) === ES['queue.heading']);
    await axePage(page, 'queue (es)');
    await noProblems(page, 'queue (es, admin)');
    await page.context().close();

    /* 360 px: sign-in, the board and the queue */
    page = await staffPage(browser, {viewport: {width: 360, height: 740}});
    await page.goto(BASE + '/login?lang=es');
    await page.waitForFunction(() => document.body.dataset.loaded === 'login', null, {timeout: 30000});
    check('login (es): the heading', (await page.textContent('h1')) === ES['login.heading']);
    await noWide(page, 'login-360-es');
    await axePage(page, 'login (es)');
    await shot(page, 'login-360-es');
    await signIn(page, COORD, 'triage');
    check('triage-360-es: the language follows from the sign-in page', (await page.textContent('h1')) === ES['triage.heading']);
    await noWide(page, 'triage-360-es');
    await noProblems(page, 'triage-360-es');
    await shot(page, 'triage-360-es');
    await page.click('#sign-out');
    await page.waitForURL(/\/login\?signed_out=1/, {timeout: 30000});
    await page.waitForFunction(() => document.body.dataset.loaded === 'login', null, {timeout: 30000});
    await signIn(page, DEPT, 'queue');
    await page.click('#show-all');
    await page.waitForFunction(() => document.body.dataset.loaded === 'queue' && document.getElementById('show-all').checked, null, {timeout: 30000});
    check('queue: finished orders on asking', (await page.$('#wo-' + mine.workorder_id)) !== null);
    check('queue-360-es: the heading', (await page.textContent('h1')).startsWith(ES['queue.heading']));
    await noWide(page, 'queue-360-es');
    await noProblems(page, 'queue-360-es');
    await shot(page, 'queue-360-es');
    await page.context().close();

    /* ---- throttling, last: it blocks this address for an hour */
    console.log('-- throttled sign-in (' + elapsed() + ')');
    let st = 0;
    for (let i = 0; i < 120 && st !== 429; i++) {
        const r = await fetch(BASE + '/api/v1/session', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'nobody-' + i, password: 'wrong wrong wrong'})});
        st = r.status;
    }
    check('repeated failed sign-ins are throttled (429)', st === 429, st);
    page = await staffPage(browser);
    await page.goto(BASE + '/login');
    await page.waitForFunction(() => document.body.dataset.loaded === 'login', null, {timeout: 30000});
    await page.fill('#login-name', COORD.name);
    await page.fill('#login-password', COORD.password);
    await page.click('#login-submit');
    await page.waitForSelector('#page-error:not([hidden])', {timeout: 10000});
    check('login: throttling is said in words', (await page.textContent('#page-error')) === EN['login.throttled'], await page.textContent('#page-error'));
    await shot(page, 'login-1280-throttled');
    await page.context().close();
}

main('staff.js', run);
