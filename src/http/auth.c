/* auth.c - who a request comes from: the accounts of src/access behind the
 * server's authenticate seam. Session cookies and bearer tokens are checked
 * by access_check over a small pool of store connections; the client's
 * address comes from the peer or a trusted proxy; the CSRF rule and the
 * audit of refusals live here too. */
#include "http/http_int.h"

#include "access/access.h"
#include "core/alloc.h"
#include "core/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define POOL_MAX 32

struct http_access {
    pthread_mutex_t lock;
    char db[4200];
    struct access_config cfg;
    struct http_access_options o;
    char proxy[64];
    struct http_acc free[POOL_MAX];
    size_t nfree;
};

/* ------------------------------------------------------------------------ */
/* The pool                                                                  */
/* ------------------------------------------------------------------------ */

static void acc_close(struct http_acc *x)
{
    access_free(x->a);
    store_close(x->st);
    x->a = NULL;
    x->st = NULL;
}

int http_acc_get(struct http_access *ha, struct http_acc *out, struct cscc_err *err)
{
    memset(out, 0, sizeof(*out));
    pthread_mutex_lock(&ha->lock);
    if (ha->nfree)
        *out = ha->free[--ha->nfree];
    pthread_mutex_unlock(&ha->lock);
    if (out->a)
        return 0;
    if (!(out->st = store_open(ha->db, err)))
        return err->code ? err->code : CSCC_ESTORE;
    /* One access context per connection: its dummy hash (for unknown
     * users at login) is made once and kept with it. */
    out->a = access_new(out->st, &ha->cfg, ha->o.blocklist);
    return 0;
}

void http_acc_put(struct http_access *ha, struct http_acc *x)
{
    if (!x->a)
        return;
    if (store_rollback(x->st) == 0) {
        pthread_mutex_lock(&ha->lock);
        if (ha->nfree < POOL_MAX) {
            ha->free[ha->nfree++] = *x;
            x->a = NULL;
            x->st = NULL;
        }
        pthread_mutex_unlock(&ha->lock);
    }
    acc_close(x);
}

struct http_access *http_access_new(const char *data_dir, const struct http_access_options *o,
                                    struct cscc_err *err)
{
    struct http_access *ha;
    struct http_acc x;

    if (access_init(err))
        return NULL;
    {
        char db[4200];
        struct stat st;

        snprintf(db, sizeof(db), "%s/cscc.db", data_dir);
        if (stat(db, &st) < 0) {
            cscc_err_set(err, CSCC_ENOENT, "'%s' has no cscc database; run 'cscc init' first",
                         data_dir);
            return NULL;
        }
    }
    ha = cscc_xcalloc(1, sizeof(*ha));
    pthread_mutex_init(&ha->lock, NULL);
    snprintf(ha->db, sizeof(ha->db), "%s/cscc.db", data_dir);
    access_config_default(&ha->cfg);
    if (o) {
        ha->o = *o;
        if (o->session_idle > 0)
            ha->cfg.session_idle = o->session_idle;
        if (o->session_absolute > 0)
            ha->cfg.session_absolute = o->session_absolute;
        if (o->trusted_proxy)
            snprintf(ha->proxy, sizeof(ha->proxy), "%s", o->trusted_proxy);
    }
    ha->o.trusted_proxy = ha->proxy[0] ? ha->proxy : NULL;
    if (http_acc_get(ha, &x, err)) {
        http_access_free(ha);
        return NULL;
    }
    http_acc_put(ha, &x);
    return ha;
}

void http_access_free(struct http_access *ha)
{
    if (!ha)
        return;
    while (ha->nfree)
        acc_close(&ha->free[--ha->nfree]);
    pthread_mutex_destroy(&ha->lock);
    cscc_free(ha);
}

int64_t http_access_idle(const struct http_access *ha)
{
    return ha->cfg.session_idle;
}

int64_t http_access_absolute(const struct http_access *ha)
{
    return ha->cfg.session_absolute;
}

/* ------------------------------------------------------------------------ */
/* Headers                                                                   */
/* ------------------------------------------------------------------------ */

int http_cookie_get(const char *header, const char *name, char *out, size_t cap)
{
    const char *p = header;
    size_t nlen = strlen(name);

    if (cap)
        out[0] = '\0';
    while (p && *p) {
        size_t n = strcspn(p, ";");
        const char *e = p + n, *next = *e ? e + 1 : e, *v;

        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if ((size_t)(e - p) > nlen && !strncmp(p, name, nlen) && p[nlen] == '=') {
            v = p + nlen + 1;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e - v >= 2 && *v == '"' && e[-1] == '"') {
                v++;
                e--;
            }
            if ((size_t)(e - v) >= cap)
                return -1;
            memcpy(out, v, (size_t)(e - v));
            out[e - v] = '\0';
            return 1;
        }
        p = next;
    }
    return 0;
}

const char *http_cookie_name(int secure)
{
    /* __Host-: the browser keeps it only when set Secure, with Path=/ and
     * no Domain, so no other host or plain-HTTP page can plant one. */
    return secure ? "__Host-cscc_session" : "cscc_session";
}

void http_cookie_set(char *buf, size_t cap, int secure, const char *token, int64_t max_age)
{
    snprintf(buf, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
             http_cookie_name(secure), token, (long long)max_age, secure ? "; Secure" : "");
}

/* The last address of X-Forwarded-For (the one the trusted proxy saw),
 * when it looks like an address; else leaves out as it is. */
static void forwarded_address(const char *xff, char *out, size_t cap)
{
    const char *last = strrchr(xff, ','), *s = last ? last + 1 : xff;
    size_t n, i;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strcspn(s, " \t");
    if (!n || n >= cap || n >= 64)
        return;
    for (i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF.:", s[i]))
            return;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The role of the HTTP side named as the account's role. */
static enum http_role role_of(enum access_role r)
{
    const char *name = access_role_name(r);
    int i;

    for (i = 0; i < HTTP_NROLES; i++)
        if (!strcmp(http_role_name((enum http_role)i), name))
            return (enum http_role)i;
    return HTTP_ROLE_PUBLIC;
}

int http_access_authenticate(void *arg, const struct http_auth_request *rq,
                             struct http_identity *id)
{
    struct http_access *ha = arg;
    struct access_session s;
    struct http_acc x;
    struct cscc_err err;
    char token[ACCESS_TOKEN_SIZE + 8];
    enum http_cred cred = HTTP_CRED_NONE;
    int from_proxy, rc;

    memset(id, 0, sizeof(*id));
    id->role = HTTP_ROLE_PUBLIC;
    snprintf(id->address, sizeof(id->address), "%s", rq->address ? rq->address : "?");
    from_proxy = ha->proxy[0] && rq->address && !strcmp(rq->address, ha->proxy);
    if (from_proxy && rq->forwarded_for)
        forwarded_address(rq->forwarded_for, id->address, sizeof(id->address));
    id->secure = ha->o.secure_cookies ||
                 (from_proxy && rq->forwarded_proto && !strcasecmp(rq->forwarded_proto, "https"));
    token[0] = '\0';
    if (rq->authorization) {
        const char *t = rq->authorization;

        if (strncasecmp(t, "Bearer ", 7))
            return CSCC_EPERM; /* only bearer tokens are taken */
        t += 7;
        while (*t == ' ')
            t++;
        if (strlen(t) >= ACCESS_TOKEN_SIZE)
            return CSCC_EPERM;
        snprintf(token, sizeof(token), "%s", t);
        cred = HTTP_CRED_BEARER;
    } else if (rq->cookie &&
               http_cookie_get(rq->cookie, http_cookie_name(id->secure), token,
                               ACCESS_TOKEN_SIZE) == 1 &&
               token[0]) {
        cred = HTTP_CRED_COOKIE;
    }
    if (cred == HTTP_CRED_NONE)
        return 0;
    cscc_err_clear(&err);
    if ((rc = http_acc_get(ha, &x, &err)) == 0) {
        rc = access_check(x.a, token, access_now(), &s, &err);
        http_acc_put(ha, &x);
    }
    if (rc) {
        memset(token, 0, sizeof(token));
        if (rc != CSCC_EPERM) {
            cscc_error("cannot check a credential: %s", err.msg);
            return rc;
        }
        /* A stale cookie leaves the caller public; a bad token is refused. */
        return cred == HTTP_CRED_COOKIE ? 0 : CSCC_EPERM;
    }
    id->cred = cred;
    id->role = role_of(s.user.role);
    snprintf(id->user, sizeof(id->user), "%s", s.user.name);
    id->user_id = s.user.id;
    id->org_id = s.user.org_id;
    snprintf(id->department, sizeof(id->department), "%s", s.user.department);
    id->cred_id = s.cred_id;
    id->expires_at = s.expires_at;
    if (s.kind == ACCESS_SESSION)
        snprintf(id->session, sizeof(id->session), "%s", token);
    if (cred == HTTP_CRED_COOKIE)
        id->csrf_ok = rq->csrf && access_csrf_check(token, rq->csrf);
    memset(token, 0, sizeof(token));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Rules the dispatcher applies                                              */
/* ------------------------------------------------------------------------ */

int http_staff(const struct http_identity *who)
{
    return who->role >= HTTP_ROLE_COORDINATOR && who->role < HTTP_NROLES;
}

int http_csrf_missing(const struct http_route *rt, int method, const struct http_identity *who)
{
    if (who->cred != HTTP_CRED_COOKIE || (rt->flags & HTTP_R_NO_CSRF))
        return 0;
    if (method & (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS))
        return 0;
    return !who->csrf_ok;
}

void http_actor(const struct http_identity *who, struct access_actor *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->name, sizeof(a->name), "%s", who->user[0] ? who->user : "anonymous");
    a->id = who->user_id;
    snprintf(a->address, sizeof(a->address), "%s", who->address);
}

void http_audit(struct http_server *srv, const struct http_identity *who, const char *action,
                const char *object, const char *outcome, const char *detail)
{
    struct http_access *ha = srv ? srv->opts->access : NULL;
    struct access_actor a;
    struct http_acc x;
    struct cscc_err err;

    if (!ha)
        return;
    cscc_err_clear(&err);
    if (http_acc_get(ha, &x, &err)) {
        cscc_warn("could not write the audit log (%s %s): %s", action, object ? object : "",
                  err.msg);
        return;
    }
    http_actor(who, &a);
    access_audit(x.st, &a, action, object, outcome, detail, access_now(), NULL);
    http_acc_put(ha, &x);
}

static uint64_t refusal_key(const char *address, const char *action, const char *object)
{
    const char *parts[3] = {address, action, object};
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    size_t i;

    for (i = 0; i < 3; i++) {
        for (const char *p = parts[i]; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        h = (h ^ 0x1f) * 1099511628211ull;
    }
    return h ? h : 1;
}

/* Writes "N more" for a window taken out of its slot. */
static void refusal_write_more(struct http_server *srv, const struct http_refusal *f)
{
    struct http_identity who;
    char detail[320], t0[32], t1[32];
    time_t a = (time_t)f->first, b = (time_t)f->last;
    struct tm ta, tb;

    memset(&who, 0, sizeof(who));
    snprintf(who.address, sizeof(who.address), "%s", f->address);
    gmtime_r(&a, &ta);
    gmtime_r(&b, &tb);
    strftime(t0, sizeof(t0), "%Y-%m-%dT%H:%M:%SZ", &ta);
    strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", &tb);
    snprintf(detail, sizeof(detail), "%lu more like this from %s to %s: %s", f->more, t0, t1,
             f->detail);
    http_audit(srv, &who, f->action, f->object, "denied", detail);
}

void http_audit_refusal(struct http_server *srv, const struct http_identity *who,
                        const char *action, const char *object, const char *detail)
{
    unsigned window = srv && srv->opts ? srv->opts->limits.audit_window : 0;
    struct http_refusals *rf;
    struct http_refusal done[2];
    size_t ndone = 0, i, k;
    uint64_t key;
    int64_t now;
    int first = 1;

    if (!window || who->user_id || !srv->opts->access) {
        http_audit(srv, who, action, object, "denied", detail);
        return;
    }
    rf = &srv->refusals;
    key = refusal_key(who->address, action, object ? object : "");
    now = access_now();
    pthread_mutex_lock(&rf->lock);
    /* a slot further on whose window has ended: its count is written now */
    k = rf->sweep++ % HTTP_REFUSAL_SLOTS;
    if (rf->slot[k].key && now - rf->slot[k].first >= (int64_t)window) {
        if (rf->slot[k].more)
            done[ndone++] = rf->slot[k];
        rf->slot[k].key = 0;
    }
    i = key % HTTP_REFUSAL_SLOTS;
    if (rf->slot[i].key == key && now - rf->slot[i].first < (int64_t)window) {
        rf->slot[i].more++;
        rf->slot[i].last = now;
        first = 0;
    } else {
        /* another window, or another caller in the slot: what it holds is written */
        if (rf->slot[i].key && rf->slot[i].more)
            done[ndone++] = rf->slot[i];
        memset(&rf->slot[i], 0, sizeof(rf->slot[i]));
        rf->slot[i].key = key;
        rf->slot[i].first = rf->slot[i].last = now;
        snprintf(rf->slot[i].address, sizeof(rf->slot[i].address), "%s", who->address);
        snprintf(rf->slot[i].action, sizeof(rf->slot[i].action), "%s", action);
        snprintf(rf->slot[i].object, sizeof(rf->slot[i].object), "%s", object ? object : "");
        snprintf(rf->slot[i].detail, sizeof(rf->slot[i].detail), "%s", detail ? detail : "");
    }
    pthread_mutex_unlock(&rf->lock);
    for (k = 0; k < ndone; k++)
        refusal_write_more(srv, &done[k]);
    if (first)
        http_audit(srv, who, action, object, "denied", detail);
}

void http_refusals_flush(struct http_server *srv, int force)
{
    struct http_refusals *rf = &srv->refusals;
    unsigned window = srv->opts ? srv->opts->limits.audit_window : 0;
    int64_t now = access_now();
    size_t i;

    for (i = 0; i < HTTP_REFUSAL_SLOTS; i++) {
        struct http_refusal f;

        pthread_mutex_lock(&rf->lock);
        f = rf->slot[i];
        if (f.key && (force || now - f.first >= (int64_t)window))
            rf->slot[i].key = 0;
        else
            f.key = 0;
        pthread_mutex_unlock(&rf->lock);
        if (f.key && f.more)
            refusal_write_more(srv, &f);
    }
}
