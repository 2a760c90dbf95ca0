/* account.c - the accounts over HTTP: logging in and out (sessions in
 * cookies, with a CSRF token), the caller's own API tokens, users for
 * admins, and the audit log for admins. The rules (passwords, throttling,
 * timeouts, what is audited) are src/access's; this file reads bodies and
 * writes answers. Every answer here is no-store. */
#include "http/http_int.h"

#include "access/access.h"
#include "core/log.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ctype_json = "application/json";

/* ------------------------------------------------------------------------ */
/* Shared                                                                    */
/* ------------------------------------------------------------------------ */

/* The accounts, or an error answer (501 without them; 503). */
static int acc_open(struct http_req *r, struct http_acc *x)
{
    struct http_access *ha = r->srv->opts->access;
    struct cscc_err err;

    memset(x, 0, sizeof(*x));
    if (!ha)
        return http_error(r, 501, "not_implemented", NULL,
                          "this server has no accounts (it was started without them)");
    cscc_err_clear(&err);
    if (http_acc_get(ha, x, &err)) {
        cscc_error("accounts: %s", err.msg);
        return http_error(r, 503, "busy", NULL, "the accounts cannot be read; try again");
    }
    return 0;
}

static void acc_close(struct http_req *r, struct http_acc *x)
{
    http_acc_put(r->srv->opts->access, x);
}

/*
 * The parameters of a JSON body, checked against spec: 0, or the status of
 * an error answer already written. The query string must be empty.
 */
static int body_params(struct http_req *r, const struct http_param_spec *spec, int need_body)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    if (r->params.n)
        return http_error(r, 400, "bad_parameter", r->params.v[0].name,
                          "give the fields as a JSON object in the body, not in the query string");
    if (!r->body_len) {
        if (need_body)
            return http_error(r, 400, "bad_body", NULL, "a JSON object is expected in the body");
        return 0;
    }
    if (http_parse_json_body(r->body, r->body_len, r->srv->opts->limits.max_json_depth, &r->params,
                             &err))
        return http_error(r, 400, "bad_body", err.field, "%s", err.msg);
    if (http_params_check(&r->params, spec, &err))
        return http_error(r, 400, "bad_parameter", err.field, "%s", err.msg);
    return 0;
}

/* Wipes secrets the request carried (the body and its parsed copies). */
static void wipe(struct http_req *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->params.n; i++)
        if (!strcmp(r->params.v[i].name, name))
            explicit_bzero(r->params.v[i].value, strlen(r->params.v[i].value));
    if (r->body)
        explicit_bzero((char *)r->body, r->body_len);
}

/* The answer for an error of src/access: its status and code. */
static int access_error(struct http_req *r, const struct cscc_err *err)
{
    switch (err->code) {
    case CSCC_EPERM: return http_error(r, 403, "forbidden", err->field, "%s", err->msg);
    case CSCC_ELIMIT: return http_error(r, 429, "too_many_requests", NULL, "%s", err->msg);
    default: return http_error_from(r, err);
    }
}

static void json_kv_str(struct strbuf *sb, const char *key, const char *v)
{
    strbuf_addf(sb, "\"%s\":", key);
    strbuf_add_json_str(sb, v, strlen(v));
}

static int done_json(struct http_req *r, int status)
{
    strbuf_adds(&r->out, "\n");
    r->ctype = ctype_json;
    r->no_cache = 1;
    return status;
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                  */
/* ------------------------------------------------------------------------ */

static void session_json(struct http_req *r, const char *user, const char *role, int cookie,
                         const char *session, int64_t expires_at)
{
    char csrf[ACCESS_CSRF_SIZE];

    strbuf_adds(&r->out, "{\"authenticated\":true,");
    json_kv_str(&r->out, "user", user);
    strbuf_adds(&r->out, ",");
    json_kv_str(&r->out, "role", role);
    strbuf_addf(&r->out, ",\"credential\":\"%s\",\"expires_at\":", cookie ? "session" : "token");
    http_json_utc(&r->out, expires_at);
    if (session && session[0] && !access_csrf_token(session, csrf)) {
        strbuf_adds(&r->out, ",");
        json_kv_str(&r->out, "csrf_token", csrf);
    }
    strbuf_adds(&r->out, "}");
}

int http_h_session_get(struct http_req *r)
{
    const struct http_identity *who = &r->who;

    if (who->cred == HTTP_CRED_NONE) {
        strbuf_adds(&r->out, "{\"authenticated\":false,\"role\":\"public\"}");
        return done_json(r, 200);
    }
    session_json(r, who->user, http_role_name(who->role), who->cred == HTTP_CRED_COOKIE,
                 who->session, who->expires_at);
    if (who->org_id && r->out.len) { /* a partner's pages need its organization */
        r->out.len--;
        strbuf_addf(&r->out, ",\"org_id\":%lld}", (long long)who->org_id);
    }
    return done_json(r, 200);
}

static const struct http_param_spec p_login[] = {
    {"name", HTTP_P_STR, 0, 0, 0, NULL},
    {"password", HTTP_P_SECRET, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_session_post(struct http_req *r)
{
    struct http_acc x;
    struct access_session s;
    struct cscc_err err;
    const char *name, *pw;
    char token[ACCESS_TOKEN_SIZE];
    int st, rc;

    if ((st = body_params(r, p_login, 1))) {
        wipe(r, "password");
        return st;
    }
    name = http_params_get(&r->params, "name");
    pw = http_params_get(&r->params, "password");
    if (!name || !pw) {
        wipe(r, "password");
        return http_error(r, 400, "bad_parameter", name ? "password" : "name",
                          "a login needs \"name\" and \"password\"");
    }
    if ((st = acc_open(r, &x))) {
        wipe(r, "password");
        return st;
    }
    cscc_err_clear(&err);
    rc = access_login(x.a, name, pw, strlen(pw), r->who.address, access_now(), token, &s, &err);
    acc_close(r, &x);
    wipe(r, "password");
    if (rc == CSCC_EPERM)
        return http_error(r, 401, "unauthorized", NULL, "%s", err.msg);
    if (rc == CSCC_ELIMIT) {
        r->retry_after = 3600;
        return http_error(r, 429, "too_many_requests", NULL, "%s", err.msg);
    }
    if (rc)
        return http_error_from(r, &err);
    http_cookie_set(r->set_cookie, sizeof(r->set_cookie), r->who.secure, token,
                    http_access_absolute(r->srv->opts->access));
    session_json(r, s.user.name, access_role_name(s.user.role), 1, token, s.expires_at);
    explicit_bzero(token, sizeof(token));
    return done_json(r, 200);
}

int http_h_session_delete(struct http_req *r)
{
    struct http_acc x;
    struct cscc_err err;
    int st, rc;

    if (r->who.cred != HTTP_CRED_COOKIE && !r->who.session[0])
        return http_error(r, 400, "bad_request", NULL,
                          "an API token does not log out: revoke it (DELETE /api/v1/tokens/ID)");
    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    rc = access_logout(x.a, r->who.session, r->who.address, access_now(), &err);
    acc_close(r, &x);
    if (rc)
        return access_error(r, &err);
    if (r->who.cred == HTTP_CRED_COOKIE)
        http_cookie_set(r->set_cookie, sizeof(r->set_cookie), r->who.secure, "", 0);
    strbuf_adds(&r->out, "{\"authenticated\":false,\"role\":\"public\"}");
    return done_json(r, 200);
}

/* ------------------------------------------------------------------------ */
/* API tokens: the caller's own                                              */
/* ------------------------------------------------------------------------ */

struct cred_list {
    struct strbuf *sb;
    size_t n;
    int64_t find; /* tokens_find: the id looked for */
    int found;
};

static int token_cb(void *arg, const struct access_cred_info *c)
{
    struct cred_list *l = arg;
    struct strbuf *sb = l->sb;

    if (c->kind != ACCESS_API_TOKEN)
        return 0;
    strbuf_adds(sb, l->n++ ? ",\n{" : "\n{");
    strbuf_addf(sb, "\"id\":%lld,", (long long)c->id);
    json_kv_str(sb, "label", c->label ? c->label : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "prefix", c->prefix ? c->prefix : "");
    strbuf_adds(sb, ",\"created_at\":");
    http_json_utc(sb, c->created_at);
    strbuf_adds(sb, ",\"last_used_at\":");
    http_json_utc(sb, c->last_used_at);
    strbuf_adds(sb, ",\"expires_at\":");
    http_json_utc(sb, c->expires_at);
    strbuf_adds(sb, ",\"revoked_at\":");
    http_json_utc(sb, c->revoked_at);
    strbuf_adds(sb, "}");
    return 0;
}

int http_h_tokens_get(struct http_req *r)
{
    struct cred_list l = {&r->out, 0, 0, 0};
    struct http_acc x;
    struct cscc_err err;
    int st, rc;

    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    strbuf_adds(&r->out, "{\"user\":");
    strbuf_add_json_str(&r->out, r->who.user, strlen(r->who.user));
    strbuf_adds(&r->out, ",\"tokens\":[");
    rc = access_each_cred(x.a, r->who.user, ACCESS_API_TOKEN, token_cb, &l, &err);
    acc_close(r, &x);
    if (rc)
        return access_error(r, &err);
    strbuf_adds(&r->out, "]}");
    return done_json(r, 200);
}

static const struct http_param_spec p_token[] = {
    {"label", HTTP_P_STR, 0, 0, 0, NULL},
    {"expires", HTTP_P_DATE, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_tokens_post(struct http_req *r)
{
    struct access_actor by;
    struct http_acc x;
    struct cscc_err err;
    const char *label, *exp;
    char token[ACCESS_TOKEN_SIZE];
    int64_t id = 0, exp_at = 0, day;
    int st, rc;

    if ((st = body_params(r, p_token, 1)))
        return st;
    if (!(label = http_params_get(&r->params, "label")))
        return http_error(r, 400, "bad_parameter", "label", "a token needs a \"label\"");
    if ((exp = http_params_get(&r->params, "expires"))) {
        cscc_parse_day(exp, &day);
        exp_at = day * CSCC_SECS_PER_DAY;
    }
    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    http_actor(&r->who, &by);
    rc = access_token_create(x.a, r->who.user, label, exp_at, &by, access_now(), token, &id, &err);
    acc_close(r, &x);
    if (rc == CSCC_EINVAL) {
        cscc_err_at(&err, NULL, 0, 0, exp_at && strstr(err.msg, "expire") ? "expires" : "label");
        return http_error_from(r, &err);
    }
    if (rc)
        return access_error(r, &err);
    strbuf_addf(&r->out, "{\"id\":%lld,", (long long)id);
    json_kv_str(&r->out, "label", label);
    strbuf_adds(&r->out, ",");
    json_kv_str(&r->out, "token", token);
    strbuf_adds(&r->out, ",\"expires_at\":");
    http_json_utc(&r->out, exp_at);
    strbuf_adds(&r->out, ",\"note\":\"the token is shown only this once\"}");
    explicit_bzero(token, sizeof(token));
    return done_json(r, 201);
}

static int find_cb(void *arg, const struct access_cred_info *c)
{
    struct cred_list *l = arg;

    if (c->kind == ACCESS_API_TOKEN && c->id == l->find && !c->revoked_at)
        l->found = 1;
    return 0;
}

/* A positive decimal id of a path segment, or 0. */
static int64_t path_id(const char *s)
{
    char *end;
    long long v;

    if (!s[0] || s[0] < '0' || s[0] > '9' || strlen(s) > 18)
        return 0;
    v = strtoll(s, &end, 10);
    return *end || v < 1 ? 0 : (int64_t)v;
}

int http_h_token_delete(struct http_req *r)
{
    struct cred_list l = {NULL, 0, 0, 0};
    struct access_actor by;
    struct http_acc x;
    struct cscc_err err;
    int st, rc;

    if (!(l.find = path_id(r->cap[0])))
        return http_error(r, 404, "not_found", NULL, "there is no token '%.20s'", r->cap[0]);
    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    /* Only the caller's own live tokens: another's is "not found" (and
     * audited as a refusal), so ids of others' tokens tell nothing. */
    rc = access_each_cred(x.a, r->who.user, ACCESS_API_TOKEN, find_cb, &l, &err);
    if (!rc && !l.found) {
        char obj[48];

        acc_close(r, &x);
        snprintf(obj, sizeof(obj), "credential:%lld", (long long)l.find);
        http_audit(r->srv, &r->who, "authz.denied", obj, "denied",
                   "token.revoke: not a live token of the caller");
        return http_error(r, 404, "not_found", NULL, "you have no live token %lld",
                          (long long)l.find);
    }
    if (!rc) {
        http_actor(&r->who, &by);
        rc = access_revoke(x.a, l.find, &by, access_now(), &err);
    }
    acc_close(r, &x);
    if (rc)
        return access_error(r, &err);
    strbuf_addf(&r->out, "{\"id\":%lld,\"revoked\":true}", (long long)l.find);
    return done_json(r, 200);
}

/* ------------------------------------------------------------------------ */
/* Users (admin)                                                             */
/* ------------------------------------------------------------------------ */

static void user_json(struct strbuf *sb, const struct access_user *u)
{
    strbuf_addf(sb, "{\"id\":%lld,", (long long)u->id);
    json_kv_str(sb, "name", u->name);
    strbuf_adds(sb, ",");
    json_kv_str(sb, "role", access_role_name(u->role));
    strbuf_adds(sb, ",\"org_id\":");
    if (u->org_id)
        strbuf_addf(sb, "%lld", (long long)u->org_id);
    else
        strbuf_adds(sb, "null");
    strbuf_adds(sb, ",\"department\":");
    if (u->department[0])
        strbuf_add_json_str(sb, u->department, strlen(u->department));
    else
        strbuf_adds(sb, "null");
    strbuf_addf(sb, ",\"disabled\":%s,\"has_password\":%s,\"created_at\":",
                u->disabled ? "true" : "false", u->has_password ? "true" : "false");
    http_json_utc(sb, u->created_at);
    strbuf_adds(sb, ",\"updated_at\":");
    http_json_utc(sb, u->updated_at);
    strbuf_adds(sb, "}");
}

static int user_cb(void *arg, const struct access_user *u)
{
    struct cred_list *l = arg;

    strbuf_adds(l->sb, l->n++ ? ",\n" : "\n");
    user_json(l->sb, u);
    return 0;
}

int http_h_users_get(struct http_req *r)
{
    struct cred_list l = {&r->out, 0, 0, 0};
    struct http_acc x;
    struct cscc_err err;
    int st, rc;

    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    strbuf_adds(&r->out, "{\"users\":[");
    rc = access_each_user(x.a, user_cb, &l, &err);
    acc_close(r, &x);
    if (rc)
        return access_error(r, &err);
    strbuf_adds(&r->out, "]}");
    return done_json(r, 200);
}

int http_h_user_get(struct http_req *r)
{
    struct access_user u;
    struct http_acc x;
    struct cscc_err err;
    int st, rc;

    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    rc = access_user_get(x.a, r->cap[0], &u, &err);
    acc_close(r, &x);
    if (rc == CSCC_ENOENT)
        return http_error(r, 404, "not_found", NULL, "there is no user '%.64s'", r->cap[0]);
    if (rc)
        return access_error(r, &err);
    user_json(&r->out, &u);
    return done_json(r, 200);
}

static const struct http_param_spec p_user_add[] = {
    {"name", HTTP_P_STR, 0, 0, 0, NULL},
    {"role", HTTP_P_ENUM, 0, 0, 0, "partner department analyst coordinator admin"},
    {"org", HTTP_P_UINT, 0, 1, 2000000000, NULL},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"password", HTTP_P_SECRET, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The field an account error is about, for the answer. */
static const char *user_field(const struct cscc_err *err)
{
    if (strstr(err->msg, "password") || strstr(err->msg, "characters") ||
        strstr(err->msg, "common"))
        return "password";
    if (strstr(err->msg, "organization"))
        return "org";
    if (strstr(err->msg, "department"))
        return "department";
    if (strstr(err->msg, "name"))
        return "name";
    return "role";
}

int http_h_users_post(struct http_req *r)
{
    struct access_actor by;
    struct access_user u;
    struct http_acc x;
    struct cscc_err err;
    enum access_role role;
    const char *name, *rn, *org, *dept, *pw;
    int64_t id = 0;
    int st, rc;

    if ((st = body_params(r, p_user_add, 1))) {
        wipe(r, "password");
        return st;
    }
    name = http_params_get(&r->params, "name");
    rn = http_params_get(&r->params, "role");
    org = http_params_get(&r->params, "org");
    dept = http_params_get(&r->params, "department");
    pw = http_params_get(&r->params, "password");
    if (!name || !rn) {
        wipe(r, "password");
        return http_error(r, 400, "bad_parameter", name ? "role" : "name",
                          "a user needs a \"name\" and a \"role\"");
    }
    access_role_parse(rn, &role);
    if ((st = acc_open(r, &x))) {
        wipe(r, "password");
        return st;
    }
    cscc_err_clear(&err);
    http_actor(&r->who, &by);
    rc = access_user_add(x.a, name, role, org ? strtoll(org, NULL, 10) : 0, dept, pw,
                         pw ? strlen(pw) : 0, &by, access_now(), &id, &err);
    wipe(r, "password");
    if (!rc)
        rc = access_user_get(x.a, name, &u, &err);
    acc_close(r, &x);
    if (rc == CSCC_EINVAL) {
        cscc_err_at(&err, NULL, 0, 0, user_field(&err));
        return http_error_from(r, &err);
    }
    if (rc)
        return access_error(r, &err);
    user_json(&r->out, &u);
    return done_json(r, 201);
}

static const struct http_param_spec p_user_patch[] = {
    {"role", HTTP_P_ENUM, 0, 0, 0, "partner department analyst coordinator admin"},
    {"org", HTTP_P_UINT, 0, 1, 2000000000, NULL},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"disabled", HTTP_P_BOOL, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_user_patch(struct http_req *r)
{
    struct access_actor by;
    struct access_user u;
    struct http_acc x;
    struct cscc_err err;
    enum access_role role;
    const char *rn, *org, *dept, *dis;
    int st, rc = 0;

    if ((st = body_params(r, p_user_patch, 1)))
        return st;
    rn = http_params_get(&r->params, "role");
    org = http_params_get(&r->params, "org");
    dept = http_params_get(&r->params, "department");
    dis = http_params_get(&r->params, "disabled");
    if (!rn && !dis)
        return http_error(r, 400, "bad_parameter", NULL,
                          "give \"role\" (with \"org\" or \"department\") or \"disabled\"");
    if (!rn && (org || dept))
        return http_error(r, 400, "bad_parameter", org ? "org" : "department",
                          "\"org\" and \"department\" go with \"role\"");
    /* An admin does not lock themself out: another admin must do that. */
    if (!strcasecmp(r->cap[0], r->who.user) &&
        ((dis && http_parse_bool(dis) == 1) || (rn && strcmp(rn, "admin"))))
        return http_error(r, 409, "conflict", rn ? "role" : "disabled",
                          "you cannot disable your own account or lower your own role");
    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    http_actor(&r->who, &by);
    if (rn) {
        access_role_parse(rn, &role);
        rc = access_user_set_role(x.a, r->cap[0], role, org ? strtoll(org, NULL, 10) : 0, dept, &by,
                                  access_now(), &err);
    }
    if (!rc && dis)
        rc = access_user_set_disabled(x.a, r->cap[0], http_parse_bool(dis) == 1, &by, access_now(),
                                      &err);
    if (!rc)
        rc = access_user_get(x.a, r->cap[0], &u, &err);
    acc_close(r, &x);
    if (rc == CSCC_ENOENT)
        return http_error(r, 404, "not_found", NULL, "there is no user '%.64s'", r->cap[0]);
    if (rc == CSCC_EINVAL) {
        cscc_err_at(&err, NULL, 0, 0, user_field(&err));
        return http_error_from(r, &err);
    }
    if (rc)
        return access_error(r, &err);
    user_json(&r->out, &u);
    return done_json(r, 200);
}

/* ------------------------------------------------------------------------ */
/* The audit log (admin)                                                     */
/* ------------------------------------------------------------------------ */

static int audit_cb(void *arg, const struct store_audit *a)
{
    struct cred_list *l = arg;
    struct strbuf *sb = l->sb;

    strbuf_adds(sb, l->n++ ? ",\n{" : "\n{");
    strbuf_addf(sb, "\"id\":%lld,\"at\":", (long long)a->id);
    http_json_utc(sb, a->at);
    strbuf_adds(sb, ",");
    json_kv_str(sb, "actor", a->actor ? a->actor : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "address", a->address ? a->address : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "action", a->action ? a->action : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "object", a->object ? a->object : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "outcome", a->outcome ? a->outcome : "");
    strbuf_adds(sb, ",");
    json_kv_str(sb, "detail", a->detail ? a->detail : "");
    strbuf_adds(sb, "}");
    return 0;
}

int http_h_audit(struct http_req *r)
{
    struct cred_list l = {&r->out, 0, 0, 0};
    struct http_acc x;
    struct cscc_err err;
    const char *since = http_params_get(&r->params, "since");
    const char *actor = http_params_get(&r->params, "actor");
    const char *lim = http_params_get(&r->params, "limit");
    int64_t from = 0, day;
    int st, rc;

    if (since) {
        cscc_parse_day(since, &day);
        from = day * CSCC_SECS_PER_DAY;
    }
    if ((st = acc_open(r, &x)))
        return st;
    cscc_err_clear(&err);
    strbuf_adds(&r->out, "{\"records\":[");
    rc = store_each_audit(x.st, from, actor, lim ? strtoul(lim, NULL, 10) : 1000, audit_cb, &l,
                          &err);
    acc_close(r, &x);
    if (rc)
        return access_error(r, &err);
    strbuf_adds(&r->out, "]}");
    /* Reading the log is itself an admin action on record. */
    http_audit(r->srv, &r->who, "audit.read", "audit_log", "ok", NULL);
    return done_json(r, 200);
}
