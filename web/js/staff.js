/* staff.js - what the staff pages share (load it after app.js): who is
 * signed in, the pages each role may open, the header element with the
 * user's name and a sign-out button, the page a role starts on after
 * signing in, and a page's refusal when the role may not use it.
 *
 *   const who = await staff.require('triage', ['coordinator', 'admin']);
 *   if (!who) return; // sent to /login, or refused (the page says why)
 *
 * The server decides what each role may do (every data call is checked by
 * the API); these checks only spare people a page of errors. */
'use strict';

const staff = (() => {
    const t = cscc.t;
    const el = cscc.el;

    /* The page each role starts on after signing in (the city map for a role
     * without one); other staff pages add their role here. */
    const HOME = {coordinator: '/triage', admin: '/triage', department: '/queue', analyst: '/analyst', partner: '/partner'};

    /* Staff pages in the navigation, with the roles that may open them. */
    const PAGES = [
        {href: '/triage', key: 'staff.nav_triage', page: 'triage', roles: ['coordinator', 'admin']},
        {href: '/queue', key: 'staff.nav_queue', page: 'queue', roles: ['department', 'coordinator', 'admin']},
        {href: '/brief', key: 'staff.nav_brief', page: 'brief', roles: ['coordinator', 'analyst', 'admin']},
        {href: '/analyst', key: 'staff.nav_analyst', page: 'analyst', roles: ['analyst', 'admin']},
        {href: '/data', key: 'staff.nav_data', page: 'data', roles: ['analyst', 'admin']},
        {href: '/partner', key: 'staff.nav_partner', page: 'partner', roles: ['partner']},
    ];

    const roleName = (role) => t('staff.role_' + role);

    /** Where role starts: its page, else the city map. */
    const home = (role) => cscc.link(HOME[role] || '/');

    /** Ends the session and opens the sign-in page. */
    async function signOut() {
        try {
            await cscc.send('DELETE', '/api/v1/session');
        } catch (e) {
            if (e.status !== 401) {
                cscc.showError(t('staff.signout_failed', {message: e.message}));
                return;
            }
        }
        location.assign(cscc.link('/login', {signed_out: '1'}));
    }

    /** The header's staff part: the pages the role may open, who is signed in, sign out. */
    function header(who, page) {
        const nav = document.querySelector('#site-nav ul');
        if (nav) {
            /* signed in: the public "Staff" entry (the sign-in page) gives way to the role's pages */
            nav.querySelectorAll('a[href^="/login"]').forEach((a) => a.closest('li').remove());
            PAGES.filter((p) => p.roles.includes(who.role)).forEach((p) => {
                const a = el('a', {href: cscc.link(p.href)}, [t(p.key)]);
                if (p.page === page) a.setAttribute('aria-current', 'page');
                nav.append(el('li', {class: 'staff-nav'}, [a]));
            });
        }
        const head = document.getElementById('site-header');
        if (!head || document.getElementById('staff-user')) return;
        const button = el('button', {type: 'button', id: 'sign-out', class: 'link-button'}, [t('staff.sign_out')]);
        button.addEventListener('click', signOut);
        const box = el('div', {id: 'staff-user', class: 'staff-user'}, [el('span', {id: 'staff-who'}, [t('staff.signed_in_as', {user: who.user, role: roleName(who.role)})]), button]);
        head.append(box);
    }

    /**
     * The caller's session when its role is one of roles (the header then
     * shows it); null after sending an anonymous caller to /login, or after
     * showing the page's refusal to another role.
     */
    async function require(page, roles) {
        const who = await cscc.session();
        if (!who.authenticated) {
            location.replace(cscc.link('/login', {next: location.pathname + location.search}));
            return null;
        }
        header(who, page);
        if (roles.includes(who.role)) return who;
        const content = document.getElementById('staff-content');
        if (content) content.hidden = true;
        const back = el('a', {href: home(who.role)}, [t('staff.refused_home')]);
        const box = el('section', {id: 'staff-refused', class: 'panel refused', role: 'alert'}, [
            el('h2', {}, [t('staff.refused_title')]),
            el('p', {}, [t('staff.refused', {role: roleName(who.role), roles: roles.map(roleName).join(', ')})]),
            el('p', {}, [back]),
        ]);
        document.getElementById('main').append(box);
        document.body.dataset.loaded = 'refused';
        return null;
    }

    /** A date and time for people, in the page's language ('' for none). */
    const when = (s) => (s ? new Intl.DateTimeFormat(cscc.lang(), {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(s)) : '');

    /** A table with a caption, header cells and rows of cells (strings or nodes); on a phone each row stacks, its cells labelled. */
    function table(caption, head, rows) {
        return el('div', {class: 'table-wrap'}, [
            el('table', {class: 'stack'}, [
                el('caption', {}, [caption]),
                el('thead', {}, [el('tr', {}, head.map((h) => el('th', {scope: 'col'}, [h])))]),
                el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', {'data-label': head[i]}, [c === null || c === undefined ? '' : c]))))),
            ]),
        ]);
    }

    /** A labelled textarea for a note: {field, input}. */
    function note(id, key, help) {
        const input = el('textarea', {id, rows: '2', maxlength: '4000'});
        const parts = [el('label', {for: id}, [t(key)]), input];
        if (help) {
            input.setAttribute('aria-describedby', id + '-help');
            parts.push(el('p', {class: 'help', id: id + '-help'}, [t(help)]));
        }
        return {field: el('div', {class: 'field'}, parts), input};
    }

    return {HOME, PAGES, home, signOut, header, require, roleName, when, table, note};
})();
