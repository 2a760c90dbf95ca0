/* app.js - what every dashboard page shares: the message catalogue and the
 * language switch, the page header and navigation, calls to the JSON API,
 * periods relative to the data's last day, number and date formats, and the
 * reading of counts rows (a suppressed cell is never shown as a number).
 *
 * Plain browser JavaScript, no build step, no framework. Pages are shells:
 * their data comes from /api/v1 with the API's own roles, so a staff page
 * is one more HTML file, one more script and one more NAV entry below. */
'use strict';

const cscc = (() => {
    /* ------------------------------------------------------------------ */
    /* Messages                                                            */
    /* ------------------------------------------------------------------ */

    const FALLBACK = 'en';
    let lang = FALLBACK;
    let messages = {};
    let fallback = {};
    let languages = [{code: 'en', name: 'English'}];

    /** The text of key in the page's language (English when missing), {name} filled from vars. */
    function t(key, vars) {
        let s = messages[key];
        if (s === undefined) s = fallback[key];
        if (s === undefined) return key;
        if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
        return s;
    }

    /** Like t(), but undefined when no catalogue has key (for optional names: crime types). */
    function tMaybe(key) {
        if (messages[key] !== undefined) return messages[key];
        return fallback[key];
    }

    async function loadCatalogue(code) {
        const r = await fetch('/static/i18n/' + encodeURIComponent(code) + '.json');
        if (!r.ok) throw new Error('no message catalogue for ' + code);
        return r.json();
    }

    /** The language asked for: ?lang=, then the last choice, then the browser's. */
    function wantedLanguage(available) {
        const codes = available.map((l) => l.code);
        const pick = (c) => {
            if (!c) return null;
            if (codes.includes(c)) return c;
            const base = c.split('-')[0];
            return codes.includes(base) ? base : null;
        };
        const fromUrl = pick(new URLSearchParams(location.search).get('lang'));
        if (fromUrl) return fromUrl;
        let stored = null;
        try {
            stored = localStorage.getItem('cscc.lang');
        } catch (e) {
            stored = null;
        }
        return pick(stored) || (navigator.languages || [navigator.language]).map(pick).find((c) => c) || FALLBACK;
    }

    /** Fills every [data-i18n] element's text, and [data-i18n-ATTR] attributes. */
    function translate(root) {
        (root || document).querySelectorAll('[data-i18n]').forEach((el) => {
            el.textContent = t(el.dataset.i18n);
        });
        (root || document).querySelectorAll('[data-i18n-label]').forEach((el) => {
            el.setAttribute('aria-label', t(el.dataset.i18nLabel));
        });
        (root || document).querySelectorAll('[data-i18n-title]').forEach((el) => {
            el.setAttribute('title', t(el.dataset.i18nTitle));
        });
    }

    /* ------------------------------------------------------------------ */
    /* The API                                                             */
    /* ------------------------------------------------------------------ */

    class ApiError extends Error {
        constructor(message, status, field) {
            super(message);
            this.status = status || 0;
            this.field = field || null;
        }
    }

    /** GET path with params (arrays repeat); the parsed JSON, or an ApiError with the API's message. */
    async function api(path, params) {
        const q = new URLSearchParams();
        Object.entries(params || {}).forEach(([k, v]) => {
            if (v === undefined || v === null || v === '') return;
            (Array.isArray(v) ? v : [v]).forEach((x) => q.append(k, x));
        });
        const url = path + (q.toString() ? '?' + q.toString() : '');
        let r;
        try {
            r = await fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
        } catch (e) {
            throw new ApiError(t('error.network'));
        }
        let body = null;
        try {
            body = await r.json();
        } catch (e) {
            body = null;
        }
        if (!r.ok) throw apiError(r, body);
        return body;
    }

    function apiError(r, body) {
        const e = body && body.error;
        return new ApiError(e && e.message ? e.message : r.status + ' ' + r.statusText, r.status, e && e.field);
    }

    /** Who is calling (GET /api/v1/session), asked once per page. */
    let sessionP = null;
    function session() {
        if (!sessionP) sessionP = api('/api/v1/session').catch(() => ({authenticated: false, role: 'public'}));
        return sessionP;
    }

    /**
     * A state-changing request: body a URLSearchParams (sent as a form) or an
     * object (JSON); a signed-in session's CSRF token goes with it. The parsed
     * answer, or an ApiError with the API's message, status and field.
     */
    async function send(method, path, body) {
        const headers = {Accept: 'application/json'};
        let data;
        if (body instanceof URLSearchParams) {
            headers['Content-Type'] = 'application/x-www-form-urlencoded';
            data = body.toString();
        } else if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            data = JSON.stringify(body);
        }
        const who = await session();
        if (who.authenticated && who.csrf_token) headers['X-CSRF-Token'] = who.csrf_token;
        let r;
        try {
            r = await fetch(path, {method, headers, body: data, credentials: 'same-origin'});
        } catch (e) {
            throw new ApiError(t('error.network'));
        }
        let parsed = null;
        try {
            parsed = await r.json();
        } catch (e) {
            parsed = null;
        }
        if (!r.ok) throw apiError(r, parsed);
        return parsed;
    }

    /**
     * A counts row's value: {suppressed: true} when the API withheld it
     * (small cells: "suppressed": true, or a null count), else {value}.
     */
    function cell(row, field) {
        if (!row) return {value: 0, suppressed: false};
        const v = row[field];
        if (row.suppressed === true || v === null || v === undefined) return {value: null, suppressed: true};
        return {value: Number(v), suppressed: false};
    }

    /* ------------------------------------------------------------------ */
    /* Dates and periods (the data's days are Chicago days, YYYY-MM-DD)     */
    /* ------------------------------------------------------------------ */

    const DAY = 86400000;
    const parseDay = (s) => new Date(s + 'T00:00:00Z');
    const fmtDay = (d) => d.toISOString().slice(0, 10);
    const addDays = (s, n) => fmtDay(new Date(parseDay(s).getTime() + n * DAY));

    /** The days of the data: {from, to, years}, from an uncounted query's defaults. */
    async function dataExtent() {
        const d = await api('/api/v1/counts', {by: 'year'});
        return {from: d.query.from, to: d.query.to, years: d.rows.map((r) => r.year)};
    }

    /** The choosable periods, relative to the data's last day; ids go in the URL. */
    function periods(extent) {
        const to = extent.to;
        const clip = (f) => (f < extent.from ? extent.from : f);
        const list = [
            {id: 'last12m', label: t('period.last12m'), from: clip(addDays(to, -364)), to},
            {id: 'last3m', label: t('period.last3m'), from: clip(addDays(to, -90)), to},
            {id: 'last4w', label: t('period.last4w'), from: clip(addDays(to, -27)), to},
        ];
        extent.years
            .slice()
            .reverse()
            .forEach((y) => {
                const f = clip(y + '-01-01');
                const e = y + '-12-31' > to ? to : y + '-12-31';
                list.push({id: String(y), label: e < y + '-12-31' ? t('period.year_partial', {year: y, to: formatDay(e)}) : String(y), from: f, to: e});
            });
        return list;
    }

    /** The last Sunday on or before day s (weeks are ISO weeks, Monday to Sunday). */
    function lastSunday(s) {
        const wd = parseDay(s).getUTCDay(); // 0 = Sunday
        return addDays(s, -wd);
    }

    /** The last day of the last whole month on or before day s. */
    function lastMonthEnd(s) {
        const d = parseDay(s);
        const next = addDays(s, 1);
        if (parseDay(next).getUTCDate() === 1) return s;
        return fmtDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0)));
    }

    /** The ISO week key (2018-W05) of a day. */
    function isoWeek(s) {
        const d = parseDay(s);
        const wd = (d.getUTCDay() + 6) % 7; // Monday = 0
        const thursday = new Date(d.getTime() + (3 - wd) * DAY);
        const y = thursday.getUTCFullYear();
        const jan1 = Date.UTC(y, 0, 1);
        const w = 1 + Math.floor((thursday.getTime() - jan1) / DAY / 7);
        return y + '-W' + String(w).padStart(2, '0');
    }

    /* ------------------------------------------------------------------ */
    /* Formats                                                             */
    /* ------------------------------------------------------------------ */

    const formatNumber = (n, digits) =>
        new Intl.NumberFormat(lang, {maximumFractionDigits: digits === undefined ? 0 : digits, minimumFractionDigits: digits === undefined ? 0 : Math.min(digits, 1)}).format(n);
    const formatDay = (s) => new Intl.DateTimeFormat(lang, {year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC'}).format(parseDay(s));
    const formatMonth = (ym) => new Intl.DateTimeFormat(lang, {year: 'numeric', month: 'short', timeZone: 'UTC'}).format(parseDay(ym + '-01'));

    /** A crime type's name in the page's language (the data's English otherwise). */
    function typeName(primaryType) {
        const m = tMaybe('type.' + primaryType);
        if (m) return m;
        return primaryType.toLowerCase().replace(/(^|[\s/-])\S/g, (c) => c.toUpperCase());
    }

    /** A category's name: the catalogue's, else the label the API gives. */
    function categoryName(c) {
        return tMaybe('category.' + c.name) || c.label;
    }

    /* ------------------------------------------------------------------ */
    /* The page frame                                                      */
    /* ------------------------------------------------------------------ */

    /* The navigation: staff pages add entries with the role they need. */
    const NAV = [
        {href: '/', key: 'nav.map', page: 'index'},
        {href: '/report', key: 'nav.report', page: 'report'},
        {href: '/need', key: 'nav.follow', page: 'need'},
        {href: '/login', key: 'login.nav', page: 'login'},
    ];

    /** A URL on this site with the current language and the given query. */
    function link(path, params) {
        const q = new URLSearchParams(params || {});
        if (lang !== FALLBACK || new URLSearchParams(location.search).has('lang')) q.set('lang', lang);
        const s = q.toString();
        return path + (s ? '?' + s : '');
    }

    /** Replaces the page's query (state: period, category...) without a reload. */
    function setState(params) {
        const q = new URLSearchParams(location.search);
        Object.entries(params).forEach(([k, v]) => {
            if (v === null || v === undefined || v === '') q.delete(k);
            else q.set(k, v);
        });
        history.replaceState(null, '', location.pathname + '?' + q.toString());
    }

    function state(name) {
        return new URLSearchParams(location.search).get(name);
    }

    /** An element with attributes and children (strings become text). */
    function el(tag, attrs, children) {
        const e = document.createElement(tag);
        Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
        (children || []).forEach((c) => e.append(c));
        return e;
    }

    /** The skip link, the header (name, navigation, language switch) and the footer of every page. */
    function buildFrame(page) {
        document.body.prepend(el('a', {class: 'skip', href: '#main'}, [t('skip')]));
        const header = document.getElementById('site-header');
        if (header) {
            const items = NAV.map((n) => {
                const a = el('a', {href: link(n.href)}, [t(n.key)]);
                if (n.page === page) a.setAttribute('aria-current', 'page');
                return el('li', {}, [a]);
            });
            const sel = el('select', {id: 'lang-select'});
            languages.forEach((l) => {
                const o = new Option(l.name, l.code, false, l.code === lang);
                o.lang = l.code;
                sel.add(o);
            });
            sel.addEventListener('change', () => {
                try {
                    localStorage.setItem('cscc.lang', sel.value);
                } catch (e) {
                    /* private browsing: the URL still carries it */
                }
                const q = new URLSearchParams(location.search);
                q.set('lang', sel.value);
                location.search = q.toString();
            });
            header.replaceChildren(
                el('p', {class: 'brand'}, [el('a', {href: link('/')}, [t('site.name')])]),
                el('nav', {id: 'site-nav', 'aria-label': t('nav.label')}, [el('ul', {}, items)]),
                el('div', {class: 'lang'}, [el('label', {for: 'lang-select'}, [t('lang.label')]), sel])
            );
        }
        const footer = document.getElementById('site-footer');
        if (footer) footer.replaceChildren(el('p', {}, [t('footer.suppression')]), el('p', {}, [t('footer.source')]));
    }

    /** Shows a message for people in the page's alert region. */
    function showError(msg) {
        const box = document.getElementById('page-error');
        if (!box) return;
        box.textContent = msg;
        box.hidden = false;
    }

    /**
     * Starts a page: settings and languages from the API, the catalogue,
     * the header; then run(). Errors are shown, not thrown.
     */
    async function start(page, run) {
        try {
            const settings = await api('/api/v1/dashboard');
            if (settings.languages && settings.languages.length) languages = settings.languages;
            cscc.settings = settings;
        } catch (e) {
            cscc.settings = {languages, tiles: null};
        }
        lang = wantedLanguage(languages);
        try {
            fallback = await loadCatalogue(FALLBACK);
            messages = lang === FALLBACK ? fallback : await loadCatalogue(lang);
        } catch (e) {
            messages = fallback;
        }
        document.documentElement.lang = lang;
        translate();
        buildFrame(page);
        try {
            await run();
        } catch (e) {
            showError(e instanceof ApiError ? t('error.api', {message: e.message}) : t('error.page', {message: e.message}));
            if (!(e instanceof ApiError)) console.error(e);
        }
        document.body.dataset.ready = '1';
    }

    return {
        t,
        translate,
        api,
        send,
        session,
        ApiError,
        cell,
        dataExtent,
        periods,
        addDays,
        lastSunday,
        lastMonthEnd,
        isoWeek,
        formatNumber,
        formatDay,
        formatMonth,
        typeName,
        categoryName,
        link,
        setState,
        state,
        showError,
        start,
        el,
        lang: () => lang,
        settings: null,
    };
})();
