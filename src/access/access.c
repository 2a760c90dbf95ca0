/* access.c - roles, accounts, logins with throttling, sessions and API
 * tokens over the store; every admin action and login is audited. */
#include "access/access_int.h"

#include "core/alloc.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Roles                                                                     */
/* ------------------------------------------------------------------------ */

static const char *const role_names[] = {
    [ACCESS_PUBLIC] = "public",           [ACCESS_PARTNER] = "partner",
    [ACCESS_DEPARTMENT] = "department",   [ACCESS_ANALYST] = "analyst",
    [ACCESS_COORDINATOR] = "coordinator", [ACCESS_ADMIN] = "admin",
};

const char *access_role_name(enum access_role r)
{
    return (unsigned)r <= ACCESS_ADMIN ? role_names[r] : "unknown";
}

int access_role_parse(const char *name, enum access_role *r)
{
    int i;

    for (i = ACCESS_PUBLIC; name && i <= ACCESS_ADMIN; i++) {
        if (!strcmp(name, role_names[i])) {
            *r = (enum access_role)i;
            return 0;
        }
    }
    return CSCC_EINVAL;
}

int access_role_at_least(enum access_role have, enum access_role need)
{
    return (int)have >= (int)need;
}

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

struct access *access_new(struct store *st, const struct access_config *cfg,
                          const struct access_blocklist *bl)
{
    struct access *a = cscc_xcalloc(1, sizeof(*a));

    a->st = st;
    if (cfg)
        a->cfg = *cfg;
    else
        access_config_default(&a->cfg);
    a->bl = bl;
    return a;
}

void access_free(struct access *a)
{
    cscc_free(a);
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static int valid_name(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n < 1 || n > ACCESS_NAME_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i]))
            return 0;
    return 1;
}

static int valid_department(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n < 1 || n >= sizeof(((struct access_user *)0)->department))
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* A name as given at a login, made safe to record (it may be anything). */
static void printable(const char *s, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; s && s[i] && o + 1 < cap && i < ACCESS_NAME_MAX; i++)
        out[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[o] = '\0';
}

static void lower_copy(const char *s, char *out, size_t cap)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[i] = '\0';
}

static int check_scope_fields(enum access_role role, int64_t org_id, const char *department,
                              struct cscc_err *err)
{
    if (role == ACCESS_PUBLIC || (unsigned)role > ACCESS_ADMIN)
        return cscc_err_set(err, CSCC_EINVAL,
                            "an account's role is partner, department, coordinator, analyst or "
                            "admin (public is everyone without an account)");
    if (role == ACCESS_PARTNER && org_id <= 0)
        return cscc_err_set(err, CSCC_EINVAL,
                            "a partner belongs to a community organization: give its id (--org)");
    if (role != ACCESS_PARTNER && org_id)
        return cscc_err_set(err, CSCC_EINVAL, "only a partner belongs to an organization");
    if (role == ACCESS_DEPARTMENT && !valid_department(department))
        return cscc_err_set(err, CSCC_EINVAL,
                            "a department user belongs to one City department: give its name "
                            "(--department, 1-95 printable characters)");
    if (role != ACCESS_DEPARTMENT && department && *department)
        return cscc_err_set(err, CSCC_EINVAL, "only a department user has a department");
    return 0;
}

static int user_copy(void *arg, const struct store_user *u)
{
    struct access_user *out = arg;
    enum access_role r = ACCESS_PUBLIC;

    memset(out, 0, sizeof(*out));
    out->id = u->id;
    snprintf(out->name, sizeof(out->name), "%s", u->name);
    access_role_parse(u->role, &r);
    out->role = r;
    out->org_id = u->org_id;
    snprintf(out->department, sizeof(out->department), "%s", u->department);
    out->disabled = u->disabled;
    out->has_password = u->password_hash[0] != '\0';
    out->created_at = u->created_at;
    out->updated_at = u->updated_at;
    return 0;
}

/* The stored row of a user, with its hash, copied out. */
struct user_row {
    struct access_user u;
    char hash[256];
};

static int user_row_copy(void *arg, const struct store_user *u)
{
    struct user_row *r = arg;

    user_copy(&r->u, u);
    snprintf(r->hash, sizeof(r->hash), "%s", u->password_hash);
    return 0;
}

static int get_row(struct access *a, const char *name, int64_t id, struct user_row *r,
                   struct cscc_err *err)
{
    memset(r, 0, sizeof(*r));
    return store_user_get(a->st, id, name, user_row_copy, r, err);
}

/* Writes back a row's mutable fields. */
static int put_row(struct access *a, const struct user_row *r, struct cscc_err *err)
{
    struct store_user s;

    memset(&s, 0, sizeof(s));
    s.id = r->u.id;
    s.name = r->u.name;
    s.role = access_role_name(r->u.role);
    s.org_id = r->u.org_id;
    s.department = r->u.department;
    s.password_hash = r->hash;
    s.disabled = r->u.disabled;
    return store_user_update(a->st, &s, err);
}

static void object_user(char *buf, size_t cap, const char *name)
{
    char p[ACCESS_NAME_MAX + 1];

    printable(name, p, sizeof(p));
    snprintf(buf, cap, "user:%s", p);
}

/* Audits an admin action; on failure the outcome is "failed" with the error. */
static int audited(struct access *a, const struct access_actor *by, const char *action,
                   const char *object, const char *detail, int64_t now, int rc,
                   struct cscc_err *err)
{
    char d[768];

    if (rc)
        snprintf(d, sizeof(d), "%s%s%s", detail ? detail : "", detail && *detail ? ": " : "",
                 err ? err->msg : "");
    access_audit(a->st, by, action, object, rc ? "failed" : "ok", rc ? d : detail, now, NULL);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Accounts                                                                  */
/* ------------------------------------------------------------------------ */

int access_user_add(struct access *a, const char *name, enum access_role role, int64_t org_id,
                    const char *department, const char *password, size_t pwlen,
                    const struct access_actor *by, int64_t now, int64_t *id, struct cscc_err *err)
{
    struct store_user s;
    char hash[128] = "", obj[96], detail[256];
    int rc;

    object_user(obj, sizeof(obj), name);
    snprintf(detail, sizeof(detail), "role %s", access_role_name(role));
    if (org_id > 0) {
        size_t l = strlen(detail);

        snprintf(detail + l, sizeof(detail) - l, ", organization %lld", (long long)org_id);
    }
    if (department && *department) {
        size_t l = strlen(detail);

        snprintf(detail + l, sizeof(detail) - l, ", department %.96s", department);
    }
    if (!valid_name(name))
        rc = cscc_err_set(err, CSCC_EINVAL,
                          "a user name has 1 to 64 letters, digits, '.', '_', '-' or '@'");
    else
        rc = check_scope_fields(role, org_id, department, err);
    if (!rc && password)
        rc = access_password_check(a, name, password, pwlen, err);
    if (!rc && password && access__hash_password(a, password, pwlen, hash))
        rc = cscc_err_set(err, CSCC_ENOMEM, "cannot hash the password: out of memory");
    if (!rc) {
        memset(&s, 0, sizeof(s));
        s.name = name;
        s.role = access_role_name(role);
        s.org_id = org_id;
        s.department = department ? department : "";
        s.password_hash = hash;
        rc = store_user_add(a->st, &s, id, err);
        if (rc == CSCC_EEXIST)
            cscc_err_set(err, CSCC_EEXIST, "there is already a user named '%s'", name);
    }
    return audited(a, by, "user.add", obj, detail, now, rc, err);
}

int access_user_get(struct access *a, const char *name, struct access_user *out,
                    struct cscc_err *err)
{
    memset(out, 0, sizeof(*out));
    return store_user_get(a->st, 0, name ? name : "", user_copy, out, err);
}

int access_user_set_role(struct access *a, const char *name, enum access_role role, int64_t org_id,
                         const char *department, const struct access_actor *by, int64_t now,
                         struct cscc_err *err)
{
    struct user_row r;
    char obj[96], detail[256];
    int rc;

    object_user(obj, sizeof(obj), name);
    snprintf(detail, sizeof(detail), "role %s", access_role_name(role));
    rc = check_scope_fields(role, org_id, department, err);
    if (!rc && !(rc = get_row(a, name, 0, &r, err))) {
        snprintf(detail, sizeof(detail), "role %s -> %s", access_role_name(r.u.role),
                 access_role_name(role));
        r.u.role = role;
        r.u.org_id = org_id;
        snprintf(r.u.department, sizeof(r.u.department), "%s", department ? department : "");
        rc = put_row(a, &r, err);
    }
    return audited(a, by, "user.set_role", obj, detail, now, rc, err);
}

int access_user_set_disabled(struct access *a, const char *name, int disabled,
                             const struct access_actor *by, int64_t now, struct cscc_err *err)
{
    struct user_row r;
    char obj[96], detail[128] = "";
    size_t revoked = 0;
    int rc;

    object_user(obj, sizeof(obj), name);
    if (!(rc = get_row(a, name, 0, &r, err))) {
        r.u.disabled = disabled != 0;
        /* One transaction: a disabled account keeps no live credential. */
        if (!(rc = store_begin(a->st, err))) {
            rc = put_row(a, &r, err);
            if (!rc && disabled)
                rc = store_cred_revoke_user(a->st, r.u.id, 0, now, &revoked, err);
            rc = rc ? rc : store_commit(a->st, err);
            if (rc)
                store_rollback(a->st);
        }
        if (disabled)
            snprintf(detail, sizeof(detail), "%zu sessions and tokens revoked", revoked);
    }
    return audited(a, by, disabled ? "user.disable" : "user.enable", obj, detail, now, rc, err);
}

int access_user_set_password(struct access *a, const char *name, const char *password, size_t pwlen,
                             const struct access_actor *by, int64_t now, struct cscc_err *err)
{
    struct user_row r;
    char obj[96];
    int rc;

    object_user(obj, sizeof(obj), name);
    if (!(rc = get_row(a, name, 0, &r, err)) &&
        !(rc = access_password_check(a, r.u.name, password, pwlen, err))) {
        if (access__hash_password(a, password, pwlen, r.hash))
            rc = cscc_err_set(err, CSCC_ENOMEM, "cannot hash the password: out of memory");
        else if (!(rc = store_begin(a->st, err))) {
            rc = put_row(a, &r, err);
            if (!rc)
                rc = store_cred_revoke_user(a->st, r.u.id, STORE_CRED_SESSION, now, NULL, err);
            rc = rc ? rc : store_commit(a->st, err);
            if (rc)
                store_rollback(a->st);
        }
    }
    return audited(a, by, "user.set_password", obj, "sessions ended", now, rc, err);
}

struct each_user_ctx {
    access_user_fn fn;
    void *arg;
};

static int each_user_cb(void *arg, const struct store_user *u)
{
    struct each_user_ctx *c = arg;
    struct access_user au;

    user_copy(&au, u);
    return c->fn(c->arg, &au);
}

int access_each_user(struct access *a, access_user_fn fn, void *arg, struct cscc_err *err)
{
    struct each_user_ctx c = {fn, arg};

    return store_each_user(a->st, each_user_cb, &c, err);
}

/* ------------------------------------------------------------------------ */
/* Login, sessions                                                           */
/* ------------------------------------------------------------------------ */

static int throttled(struct access *a, const char *account, const char *address, int64_t now,
                     int *hit, struct cscc_err *err)
{
    int64_t n = 0, since = now - a->cfg.throttle_window + 1;
    int rc;

    *hit = 0;
    if ((rc = store_failure_count(a->st, "account", account, since, &n, err)))
        return rc;
    if (n >= a->cfg.throttle_max) {
        *hit = 1;
        return 0;
    }
    if ((rc = store_failure_count(a->st, "address", address, since, &n, err)))
        return rc;
    *hit = n >= a->cfg.throttle_max;
    return 0;
}

/* Fills the session view of a credential and its user. */
static void session_fill(struct access_session *out, const struct store_cred *c,
                         const struct access_user *u, const struct access_config *cfg)
{
    memset(out, 0, sizeof(*out));
    out->cred_id = c->id;
    out->kind = c->kind == STORE_CRED_SESSION ? ACCESS_SESSION : ACCESS_API_TOKEN;
    out->user = *u;
    out->created_at = c->created_at;
    out->last_used_at = c->last_used_at;
    out->expires_at = c->expires_at;
    if (c->kind == STORE_CRED_SESSION && c->last_used_at + cfg->session_idle < out->expires_at)
        out->expires_at = c->last_used_at + cfg->session_idle;
}

int access_login(struct access *a, const char *name, const char *password, size_t pwlen,
                 const char *address, int64_t now, char *token, struct access_session *out,
                 struct cscc_err *err)
{
    struct access_actor who;
    struct user_row r;
    struct store_cred c;
    struct cscc_err e2;
    char account[ACCESS_NAME_MAX + 1], obj[96];
    uint8_t hash[STORE_CRED_HASH_LEN];
    int hit, rc, ok;

    token[0] = '\0';
    memset(&who, 0, sizeof(who));
    printable(name, who.name, sizeof(who.name));
    snprintf(who.address, sizeof(who.address), "%s", address ? address : "");
    lower_copy(who.name, account, sizeof(account));
    object_user(obj, sizeof(obj), who.name);
    if ((rc = throttled(a, account, who.address, now, &hit, err)))
        return rc;
    if (hit) {
        access_audit(a->st, &who, "login.throttled", obj, "denied",
                     "too many failed logins for this account or address", now, NULL);
        return cscc_err_set(err, CSCC_ELIMIT,
                            "too many failed logins; wait an hour or ask an administrator");
    }
    cscc_err_clear(&e2);
    rc = valid_name(name) ? get_row(a, name, 0, &r, &e2) : CSCC_ENOENT;
    if (rc && rc != CSCC_ENOENT)
        return cscc_err_set(err, rc, "%s", e2.msg);
    if (!rc && r.hash[0] && !r.u.disabled) {
        ok = access__verify_password(r.hash, password, pwlen);
    } else {
        /* No such user, no password or disabled: spend the same time on a
         * hash anyway, so the answer's timing does not tell which. */
        if (!a->dummy_hash[0] && access__hash_password(a, "cscc-dummy", 10, a->dummy_hash))
            return cscc_err_set(err, CSCC_ENOMEM, "cannot hash: out of memory");
        access__verify_password(a->dummy_hash, password, pwlen);
        ok = 0;
    }
    if (!ok) {
        if ((rc = store_failure_add(a->st, "account", account, now, err)) ||
            (rc = store_failure_add(a->st, "address", who.address, now, err)))
            return rc;
        access_audit(a->st, &who, "login.failed", obj, "denied",
                     "wrong user name or password, or account disabled", now, NULL);
        return cscc_err_set(err, CSCC_EPERM, "wrong user name or password");
    }
    who.id = r.u.id;
    if (access__needs_rehash(a, r.hash) && !access__hash_password(a, password, pwlen, r.hash))
        put_row(a, &r, NULL);
    store_failure_clear(a->st, "account", account, 0, NULL);
    access__token_new("cscc_s_", token);
    access__token_hash(token, strlen(token), hash);
    memset(&c, 0, sizeof(c));
    c.kind = STORE_CRED_SESSION;
    c.user_id = r.u.id;
    c.hash = hash;
    c.prefix = "";
    c.address = who.address;
    c.created_at = c.last_used_at = now;
    c.expires_at = now + a->cfg.session_absolute;
    if ((rc = store_cred_add(a->st, &c, &c.id, err))) {
        token[0] = '\0';
        return rc;
    }
    access_audit(a->st, &who, "login", obj, "ok", "session started", now, NULL);
    if (out)
        session_fill(out, &c, &r.u, &a->cfg);
    return 0;
}

/* The credential row of a lookup, copied out with its hash. */
struct cred_row {
    struct store_cred c;
    uint8_t hash[STORE_CRED_HASH_LEN];
    char label[96], prefix[32], address[64];
};

static int cred_copy(void *arg, const struct store_cred *c)
{
    struct cred_row *r = arg;

    r->c = *c;
    memcpy(r->hash, c->hash, STORE_CRED_HASH_LEN);
    r->c.hash = r->hash;
    snprintf(r->label, sizeof(r->label), "%s", c->label);
    snprintf(r->prefix, sizeof(r->prefix), "%s", c->prefix);
    snprintf(r->address, sizeof(r->address), "%s", c->address);
    r->c.label = r->label;
    r->c.prefix = r->prefix;
    r->c.address = r->address;
    return 0;
}

/* 1 when token has the shape of a cscc token; *kind gets its kind. */
static int token_shape(const char *token, int *kind)
{
    size_t i, n = token ? strlen(token) : 0;

    if (n != 7 + 43 || strncmp(token, "cscc_", 5) || token[6] != '_')
        return 0;
    if (token[5] == 's')
        *kind = STORE_CRED_SESSION;
    else if (token[5] == 't')
        *kind = STORE_CRED_TOKEN;
    else
        return 0;
    for (i = 7; i < n; i++)
        if (!isalnum((unsigned char)token[i]) && token[i] != '-' && token[i] != '_')
            return 0;
    return 1;
}

/* Finds the live credential of token; CSCC_EPERM for anything not live. */
static int find_cred(struct access *a, const char *token, struct cred_row *r, struct cscc_err *err)
{
    uint8_t hash[STORE_CRED_HASH_LEN];
    struct cscc_err e2;
    int kind = 0, rc;

    if (!token_shape(token, &kind))
        return cscc_err_set(err, CSCC_EPERM, "not logged in (no valid session or token)");
    access__token_hash(token, strlen(token), hash);
    memset(r, 0, sizeof(*r));
    cscc_err_clear(&e2);
    rc = store_cred_get(a->st, hash, cred_copy, r, &e2);
    if (rc == CSCC_ENOENT)
        return cscc_err_set(err, CSCC_EPERM, "not logged in (no valid session or token)");
    if (rc)
        return cscc_err_set(err, rc, "%s", e2.msg);
    /* The lookup was by hash; compare again in constant time all the same. */
    if (sodium_memcmp(r->hash, hash, STORE_CRED_HASH_LEN) != 0 || r->c.kind != kind)
        return cscc_err_set(err, CSCC_EPERM, "not logged in (no valid session or token)");
    if (r->c.revoked_at)
        return cscc_err_set(err, CSCC_EPERM, "the session or token was ended");
    return 0;
}

int access_check(struct access *a, const char *token, int64_t now, struct access_session *out,
                 struct cscc_err *err)
{
    struct cred_row r;
    struct user_row u;
    struct cscc_err e2;
    int rc;

    if ((rc = find_cred(a, token, &r, err)))
        return rc;
    if (r.c.kind == STORE_CRED_SESSION &&
        (now >= r.c.expires_at || now >= r.c.last_used_at + a->cfg.session_idle)) {
        cscc_err_clear(&e2);
        store_cred_revoke(a->st, r.c.id, now, &e2);
        return cscc_err_set(err, CSCC_EPERM, "the session has expired; log in again");
    }
    if (r.c.kind == STORE_CRED_TOKEN && r.c.expires_at && now >= r.c.expires_at)
        return cscc_err_set(err, CSCC_EPERM, "the API token has expired");
    cscc_err_clear(&e2);
    if ((rc = get_row(a, NULL, r.c.user_id, &u, &e2)))
        return cscc_err_set(err, rc == CSCC_ENOENT ? CSCC_EPERM : rc, "%s", e2.msg);
    if (u.u.disabled)
        return cscc_err_set(err, CSCC_EPERM, "the account is disabled");
    if (now - r.c.last_used_at >= a->cfg.touch_interval) {
        if ((rc = store_cred_touch(a->st, r.c.id, now, err)))
            return rc;
        r.c.last_used_at = now;
    }
    if (out)
        session_fill(out, &r.c, &u.u, &a->cfg);
    return 0;
}

int access_authorize(struct access *a, const struct access_session *s, enum access_role need,
                     const char *action, const char *object, const char *address, int64_t now,
                     struct cscc_err *err)
{
    struct access_actor who;
    char detail[160];

    if (s && !s->user.disabled && access_role_at_least(s->user.role, need))
        return 0;
    if (!s && need == ACCESS_PUBLIC)
        return 0;
    memset(&who, 0, sizeof(who));
    snprintf(who.name, sizeof(who.name), "%s", s ? s->user.name : "anonymous");
    who.id = s ? s->user.id : 0;
    snprintf(who.address, sizeof(who.address), "%s", address ? address : "");
    snprintf(detail, sizeof(detail), "%s needs role %s; has %s", action ? action : "",
             access_role_name(need), s ? access_role_name(s->user.role) : "public");
    access_audit(a->st, &who, "authz.denied", object, "denied", detail, now, NULL);
    return cscc_err_set(err, CSCC_EPERM, "not allowed: this needs the role %s",
                        access_role_name(need));
}

int access_logout(struct access *a, const char *token, const char *address, int64_t now,
                  struct cscc_err *err)
{
    struct access_session s;
    struct access_actor who;
    int rc;

    if ((rc = access_check(a, token, now, &s, err)))
        return rc;
    if (s.kind != ACCESS_SESSION)
        return cscc_err_set(err, CSCC_EPERM, "an API token cannot log out; revoke it");
    if ((rc = store_cred_revoke(a->st, s.cred_id, now, err)))
        return rc;
    memset(&who, 0, sizeof(who));
    snprintf(who.name, sizeof(who.name), "%s", s.user.name);
    who.id = s.user.id;
    snprintf(who.address, sizeof(who.address), "%s", address ? address : "");
    access_audit(a->st, &who, "logout", "", "ok", "session ended", now, NULL);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* API tokens                                                                */
/* ------------------------------------------------------------------------ */

int access_token_create(struct access *a, const char *user, const char *label, int64_t expires_at,
                        const struct access_actor *by, int64_t now, char *token, int64_t *id,
                        struct cscc_err *err)
{
    struct user_row r;
    struct store_cred c;
    uint8_t hash[STORE_CRED_HASH_LEN];
    char obj[96], prefix[16], detail[160];
    size_t llen = label ? strlen(label) : 0;
    int rc;

    token[0] = '\0';
    object_user(obj, sizeof(obj), user);
    snprintf(detail, sizeof(detail), "token '%.64s'", label ? label : "");
    if (llen < 1 || llen > 64)
        rc = cscc_err_set(err, CSCC_EINVAL, "a token's name has 1 to 64 characters");
    else if (expires_at && expires_at <= now)
        rc = cscc_err_set(err, CSCC_EINVAL, "the token would expire before it is made");
    else if (!(rc = get_row(a, user, 0, &r, err)) && r.u.disabled)
        rc = cscc_err_set(err, CSCC_EPERM, "user '%s' is disabled", r.u.name);
    if (!rc) {
        access__token_new("cscc_t_", token);
        access__token_hash(token, strlen(token), hash);
        snprintf(prefix, sizeof(prefix), "%.12s", token);
        memset(&c, 0, sizeof(c));
        c.kind = STORE_CRED_TOKEN;
        c.user_id = r.u.id;
        c.hash = hash;
        c.label = label;
        c.prefix = prefix;
        c.address = by ? by->address : "";
        c.created_at = c.last_used_at = now;
        c.expires_at = expires_at;
        rc = store_cred_add(a->st, &c, id, err);
        if (rc)
            token[0] = '\0';
        else
            snprintf(detail, sizeof(detail), "token '%.64s' (%s...)", label, prefix);
    }
    return audited(a, by, "token.create", obj, detail, now, rc, err);
}

struct each_cred_ctx {
    struct access *a;
    access_cred_fn fn;
    void *arg;
    int64_t user_id;
    char user[ACCESS_NAME_MAX + 1];
};

static int each_cred_cb(void *arg, const struct store_cred *c)
{
    struct each_cred_ctx *x = arg;
    struct access_cred_info i;
    struct access_user u;
    struct cscc_err e2;

    if (c->user_id != x->user_id) {
        cscc_err_clear(&e2);
        if (store_user_get(x->a->st, c->user_id, NULL, user_copy, &u, &e2) == 0)
            snprintf(x->user, sizeof(x->user), "%s", u.name);
        else
            x->user[0] = '\0';
        x->user_id = c->user_id;
    }
    memset(&i, 0, sizeof(i));
    i.id = c->id;
    i.kind = c->kind == STORE_CRED_SESSION ? ACCESS_SESSION : ACCESS_API_TOKEN;
    i.user_id = c->user_id;
    i.user = x->user;
    i.label = c->label;
    i.prefix = c->prefix;
    i.address = c->address;
    i.created_at = c->created_at;
    i.last_used_at = c->last_used_at;
    i.expires_at = c->expires_at;
    i.revoked_at = c->revoked_at;
    return x->fn(x->arg, &i);
}

int access_each_cred(struct access *a, const char *user, int kind, access_cred_fn fn, void *arg,
                     struct cscc_err *err)
{
    struct each_cred_ctx x;
    struct access_user u;
    int rc;

    memset(&x, 0, sizeof(x));
    x.a = a;
    x.fn = fn;
    x.arg = arg;
    x.user_id = -1;
    if (user) {
        if ((rc = access_user_get(a, user, &u, err)))
            return rc;
        return store_each_cred(a->st, u.id, kind, each_cred_cb, &x, err);
    }
    return store_each_cred(a->st, 0, kind, each_cred_cb, &x, err);
}

int access_revoke(struct access *a, int64_t id, const struct access_actor *by, int64_t now,
                  struct cscc_err *err)
{
    char obj[48];
    int rc = store_cred_revoke(a->st, id, now, err);

    snprintf(obj, sizeof(obj), "credential:%lld", (long long)id);
    return audited(a, by, "credential.revoke", obj, "", now, rc, err);
}

int access_purge(struct access *a, int64_t now, struct cscc_err *err)
{
    int rc;

    if ((rc = store_cred_purge(a->st, now, NULL, err)))
        return rc;
    if ((rc = store_failure_clear(a->st, "account", NULL, now - a->cfg.throttle_window, err)))
        return rc;
    return store_failure_clear(a->st, "address", NULL, now - a->cfg.throttle_window, err);
}
