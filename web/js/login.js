/* login.js - staff sign-in: the name and password go to POST /api/v1/session
 * (the session cookie comes back; the password is never kept by the page),
 * then the page the user's role starts on (or the page that sent them here,
 * ?next=/a-page-of-this-site). Wrong passwords and the server's throttling of
 * repeated failures are said in words. Signed in already: who, and sign out. */
'use strict';

cscc.start('login', async () => {
    const t = cscc.t;
    const form = document.getElementById('login-form');
    const name = document.getElementById('login-name');
    const pass = document.getElementById('login-password');
    const submit = document.getElementById('login-submit');
    const errBox = document.getElementById('page-error');

    /* Only a path of this site: never another site (an open redirect). */
    function nextPage() {
        const n = cscc.state('next');
        if (n && /^\/[A-Za-z0-9_-]*(\?[^#]*)?$/.test(n) && !n.startsWith('//') && !n.startsWith('/login')) return n;
        return null;
    }

    function go(role) {
        location.assign(nextPage() || staff.home(role));
    }

    if (cscc.state('signed_out')) {
        const n = document.getElementById('login-notice');
        n.textContent = t('login.signed_out');
        n.hidden = false;
    }

    const who = await cscc.session();
    if (who.authenticated) {
        staff.header(who, 'login');
        document.getElementById('already-text').textContent = t('staff.signed_in_as', {user: who.user, role: staff.roleName(who.role)});
        document.getElementById('already-home').href = nextPage() || staff.home(who.role);
        document.getElementById('login-already').hidden = false;
        form.hidden = true;
        document.body.dataset.loaded = 'login-already';
        return;
    }

    form.addEventListener('submit', async (e) => {
        e.preventDefault();
        errBox.hidden = true;
        [name, pass].forEach((i) => i.removeAttribute('aria-invalid'));
        const missing = [name, pass].filter((i) => !i.value);
        if (missing.length) {
            missing.forEach((i) => i.setAttribute('aria-invalid', 'true'));
            cscc.showError(t('login.missing'));
            missing[0].focus();
            return;
        }
        submit.disabled = true;
        try {
            const r = await fetch('/api/v1/session', {
                method: 'POST',
                headers: {'Content-Type': 'application/json', Accept: 'application/json'},
                credentials: 'same-origin',
                body: JSON.stringify({name: name.value.trim(), password: pass.value}),
            });
            let body = null;
            try {
                body = await r.json();
            } catch (x) {
                body = null;
            }
            if (r.ok && body && body.authenticated) {
                pass.value = '';
                document.body.dataset.signedIn = body.role;
                go(body.role);
                return;
            }
            pass.value = '';
            if (r.status === 401) {
                name.setAttribute('aria-invalid', 'true');
                pass.setAttribute('aria-invalid', 'true');
                cscc.showError(t('login.wrong'));
            } else if (r.status === 429) {
                cscc.showError(t('login.throttled'));
            } else {
                cscc.showError(t('login.failed', {message: body && body.error ? body.error.message : r.status + ' ' + r.statusText}));
            }
            pass.focus();
        } catch (x) {
            cscc.showError(t('error.network'));
        } finally {
            submit.disabled = false;
        }
    });
    document.body.dataset.loaded = 'login';
});
