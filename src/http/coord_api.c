/* coord_api.c - the coordination JSON API under /api/v1/ (needs, work
 * orders, the catalogue, organizations, events, response metrics), the pool
 * of coordination handles the server's requests share, and the timer thread
 * that runs escalation and outbox delivery. The rules are the coordination
 * module's (src/coord); this file maps requests and identities onto it. */
#include "core/num.h"
#include "http/http_int.h"

#include "coord/catalog.h"
#include "coord/coord.h"
#include "coord/needs.h"
#include "coord/partners.h"
#include "coord/workorders.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* The pool of coordination handles                                          */
/* ------------------------------------------------------------------------ */

struct http_coord_ent {
    struct store *st;
    struct coord *c;
    struct http_tref *crimes; /* the generation c was opened over (NULL: none) */
};

static void ent_free(struct http_coord_ent *e)
{
    if (!e)
        return;
    coord_close(e->c);
    store_close(e->st);
    http_tref_put(e->crimes);
    cscc_free(e);
}

struct store *http_coord_store(struct http_coord_ent *e)
{
    return e->st;
}

const struct colstore_table *http_coord_crimes(struct http_coord_ent *e)
{
    return e->crimes ? e->crimes->t : NULL;
}

struct coord *http_coord_of(struct http_coord_ent *e)
{
    return e->c;
}

struct http_coord_ent *http_coord_get(struct http_req *r, struct cscc_err *err)
{
    struct http_coord_pool *p = &r->srv->coords;
    struct http_coord_ent *e = NULL;
    struct http_tref *t;
    struct cscc_err e2;

    cscc_err_clear(&e2);
    t = http_tables_get(&r->srv->tables, "crimes", &e2); /* NULL: none imported yet */
    pthread_mutex_lock(&p->lock);
    if (p->nfree)
        e = p->free[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    if (e && e->crimes == t) {
        http_tref_put(t);
        coord_set_now(e->c, 0);
        return e;
    }
    if (e) { /* a new generation of the crimes table: open over it */
        coord_close(e->c);
        e->c = NULL;
        http_tref_put(e->crimes);
        e->crimes = NULL;
    } else {
        e = cscc_xcalloc(1, sizeof(*e));
        if (!(e->st = store_open(r->srv->stores.path, err))) {
            cscc_free(e);
            http_tref_put(t);
            return NULL;
        }
    }
    {
        struct coord_opts o;

        memset(&o, 0, sizeof(o));
        o.st = e->st;
        o.crimes = t ? t->t : NULL;
        e->crimes = t;
        if (!(e->c = coord_open(&o, err))) {
            ent_free(e);
            return NULL;
        }
    }
    return e;
}

void http_coord_put(struct http_server *s, struct http_coord_ent *e)
{
    struct http_coord_pool *p = &s->coords;

    if (!e)
        return;
    if (store_rollback(e->st)) {
        ent_free(e);
        return;
    }
    pthread_mutex_lock(&p->lock);
    if (p->nfree < sizeof(p->free) / sizeof(p->free[0])) {
        p->free[p->nfree++] = e;
        e = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    ent_free(e);
}

void http_coord_actor(const struct http_req *r, struct coord_actor *a)
{
    memset(a, 0, sizeof(*a));
    a->role = (enum coord_role)r->who.role; /* the same order (checked below) */
    a->org_id = r->who.org_id;
    a->department = r->who.department[0] ? r->who.department : NULL;
    a->name = r->who.user;
}

_Static_assert((int)HTTP_ROLE_PARTNER == (int)COORD_ROLE_PARTNER &&
                   (int)HTTP_ROLE_DEPARTMENT == (int)COORD_ROLE_DEPARTMENT &&
                   (int)HTTP_ROLE_COORDINATOR == (int)COORD_ROLE_COORDINATOR &&
                   (int)HTTP_ROLE_ANALYST == (int)COORD_ROLE_ANALYST &&
                   (int)HTTP_ROLE_ADMIN == (int)COORD_ROLE_ADMIN,
               "http and coord roles differ");

int http_coord_ratelimit(struct http_req *r, struct cscc_err *err)
{
    int64_t retry = 0;
    char buf[32];

    if (r->who.role != HTTP_ROLE_PUBLIC || !r->srv->coords.limit)
        return 0;
    if (!coord_ratelimit_check(r->srv->coords.limit, r->who.address[0] ? r->who.address : "?",
                               (int64_t)time(NULL), &retry))
        return 0;
    snprintf(buf, sizeof(buf), "%lld", (long long)(retry > 0 ? retry : 1));
    http_req_header(r, "Retry-After", buf);
    return cscc_err_set(err, CSCC_ELIMIT,
                        "too many reports from this address; try again in %lld seconds",
                        (long long)(retry > 0 ? retry : 1));
}

/* The timer: escalation of overdue work orders, then outbox delivery when a
 * webhook is configured, every coord_interval seconds. */
static void timer_run(struct http_server *s)
{
    struct coord_actor a = {COORD_ROLE_ADMIN, 0, NULL, "server"};
    struct coord_opts o;
    struct cscc_err err;
    struct store *st;
    struct coord *c;
    size_t n = 0;

    http_refusals_flush(s, 0);
    cscc_err_clear(&err);
    if (!(st = store_open(s->stores.path, &err))) {
        cscc_warn("escalation: %s", err.msg);
        return;
    }
    memset(&o, 0, sizeof(o));
    o.st = st;
    if (!(c = coord_open(&o, &err))) {
        cscc_warn("escalation: %s", err.msg);
        store_close(st);
        return;
    }
    if (coord_escalate(c, &a, &n, &err))
        cscc_warn("escalation: %s", err.msg);
    else if (n)
        cscc_info("escalated %zu overdue work orders", n);
    if (coord_config(c)->webhook_url[0]) {
        struct coord_delivery d;

        cscc_err_clear(&err);
        if (coord_outbox_deliver(c, &a, NULL, 1000, NULL, NULL, &d, &err))
            cscc_warn("outbox: %s", err.msg);
    }
    coord_close(c);
    store_close(st);
}

static void *timer_main(void *arg)
{
    struct http_server *s = arg;
    struct http_coord_pool *p = &s->coords;

    pthread_mutex_lock(&p->timer_lock);
    while (!p->timer_stop) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->opts->limits.coord_interval;
        while (!p->timer_stop &&
               pthread_cond_timedwait(&p->timer_cond, &p->timer_lock, &until) != ETIMEDOUT)
            ;
        if (p->timer_stop)
            break;
        pthread_mutex_unlock(&p->timer_lock);
        timer_run(s);
        pthread_mutex_lock(&p->timer_lock);
    }
    pthread_mutex_unlock(&p->timer_lock);
    return NULL;
}

int http_coord_start(struct http_server *s, struct cscc_err *err)
{
    struct http_coord_pool *p = &s->coords;
    struct store *st;
    char tz[128];

    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->timer_lock, NULL);
    pthread_cond_init(&p->timer_cond, NULL);
    p->limit = coord_ratelimit_new(s->opts->limits.intake_per_hour, 0, 100000);
    /* Times in answers are local: the store's time zone, as the CLI does. */
    if (!(st = store_open(s->stores.path, err)))
        return err->code;
    if (!store_get_setting(st, "timezone", tz, sizeof(tz), err) && tz[0]) {
        setenv("TZ", tz, 1);
        tzset();
    }
    cscc_err_clear(err);
    store_close(st);
    if (s->opts->limits.coord_interval) {
        if (pthread_create(&p->timer, NULL, timer_main, s))
            return cscc_err_set(err, CSCC_EIO, "cannot start the escalation timer thread");
        p->timer_running = 1;
    }
    return 0;
}

void http_coord_stop(struct http_server *s)
{
    struct http_coord_pool *p = &s->coords;

    if (!p->limit)
        return; /* never started */
    if (p->timer_running) {
        pthread_mutex_lock(&p->timer_lock);
        p->timer_stop = 1;
        pthread_cond_signal(&p->timer_cond);
        pthread_mutex_unlock(&p->timer_lock);
        pthread_join(p->timer, NULL);
        p->timer_running = 0;
    }
    while (p->nfree)
        ent_free(p->free[--p->nfree]);
    coord_ratelimit_free(p->limit);
    p->limit = NULL;
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->timer_lock);
    pthread_cond_destroy(&p->timer_cond);
}

/* ------------------------------------------------------------------------ */
/* Answers                                                                   */
/* ------------------------------------------------------------------------ */

/* The error answer of a coordination call. A write refused by the store
 * (read-only database, full disk, busy) is a 503 with Retry-After: the
 * request may be retried later and nothing was stored. */
static int coord_fail(struct http_req *r, const struct cscc_err *err)
{
    if (err->code == CSCC_EPERM)
        return http_error(r, 403, "forbidden", err->field, "%s", err->msg);
    if (err->code == CSCC_EIO || err->code == CSCC_ESTORE || err->code == CSCC_EBUSY ||
        err->code == CSCC_EROFS) {
        cscc_error("%s %s: %s", r->route ? r->route->name : "-", r->path, err->msg);
        http_req_header(r, "Retry-After", "60");
        return http_error(r, 503, "unavailable", NULL, "%s",
                          err->code == CSCC_EROFS ? HTTP_MSG_READONLY
                                                  : "the database cannot take this change now "
                                                    "(full or busy); nothing was stored; try "
                                                    "again later");
    }
    if (err->code == CSCC_ELIMIT)
        return http_error(r, 429, "rate_limited", err->field, "%s", err->msg);
    return http_error_from(r, err);
}

/* Writes j (taken) as the JSON answer. */
static int send_json(struct http_req *r, int status, json_t *j)
{
    char *s;

    if (!j)
        return http_error(r, 507, "out_of_memory", NULL, "out of memory");
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return http_error(r, 507, "out_of_memory", NULL, "out of memory");
    strbuf_reset(&r->out);
    strbuf_adds(&r->out, s);
    strbuf_addc(&r->out, '\n');
    free(s);
    r->ctype = "application/json";
    r->no_cache = 1;
    return status;
}

/* Answers the first element of arr (taken), or 404 when it is empty. */
static int send_first(struct http_req *r, int status, json_t *arr)
{
    json_t *j = json_incref(json_array_get(arr, 0));

    json_decref(arr);
    if (!j)
        return http_error(r, 404, "not_found", NULL, "there is nothing at this path");
    return send_json(r, status, j);
}

/* A positive id from a path segment, or 0. */
static int64_t path_id(const char *s)
{
    char *end;
    long long v;

    if (!*s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    return (*end || errno || v < 1) ? 0 : (int64_t)v;
}

static size_t param_size(const struct http_req *r, const char *name, size_t dflt)
{
    const char *v = http_params_get(&r->params, name);

    return v ? (size_t)strtoul(v, NULL, 10) : dflt;
}

/* ------------------------------------------------------------------------ */
/* Needs                                                                     */
/* ------------------------------------------------------------------------ */

struct need_list {
    const struct coord_actor *a;
    json_t *arr;
    int64_t last_id;       /* of the last need listed: the cursor of the next page */
    int staff_only_public; /* the public sees public fields only */
};

/* Appends j (NULL: out of memory) to arr: a row callback's answer. */
static int append_json(json_t *arr, json_t *j)
{
    return !j || json_array_append_new(arr, j) ? CSCC_ENOMEM : 0;
}

static int need_cb(void *arg, const struct coord_need *n)
{
    struct need_list *l = arg;
    json_t *j;

    l->last_id = n->id;
    if (coord_need_hidden(l->a, n))
        return 0; /* only by id: lists leave them out (coord_need_filter_for) */
    j = coord_need_json(n, coord_need_view(l->a, n));
    return append_json(l->arr, j);
}

int http_need_req_from_params(const struct http_req *r, struct coord_need_req *q,
                              struct coord_answer *ans, char (*codes)[72], size_t nmax,
                              const char *source, struct cscc_err *err)
{
    const char *lat = http_params_get(&r->params, "lat");
    const char *lon = http_params_get(&r->params, "long");
    const char *name = http_params_get(&r->params, "first_name");
    const char *last = http_params_get(&r->params, "last_name");
    size_t i, n = 0;

    memset(q, 0, sizeof(*q));
    q->service_code = http_params_get(&r->params, "service_code");
    if (!q->service_code || !*q->service_code) {
        cscc_err_set(err, CSCC_EINVAL, "service_code is required");
        return coord_err_field(err, "service_code");
    }
    q->description = http_params_get(&r->params, "description");
    if (!q->description)
        q->description = "";
    if ((lat && *lat) || (lon && *lon)) {

        if (!lat || !lon || !*lat || !*lon) {
            cscc_err_set(err, CSCC_EINVAL, "give both lat and long, or an address_string");
            return coord_err_field(err, lat && *lat ? "long" : "lat");
        }
        int bad_lat = cscc_parse_double(lat, &q->lat), bad_lon = cscc_parse_double(lon, &q->lon);

        if (bad_lat || bad_lon) {
            cscc_err_set(err, CSCC_EINVAL, "%s must be decimal degrees (WGS84), not '%.40s'",
                         bad_lat ? "lat" : "long", bad_lat ? lat : lon);
            return coord_err_field(err, bad_lat ? "lat" : "long");
        }
        q->has_point = 1;
    }
    q->address = http_params_get(&r->params, "address_string");
    if (!q->address)
        q->address = http_params_get(&r->params, "address");
    if (q->address && !*q->address)
        q->address = NULL;
    if (!q->has_point && !q->address) {
        cscc_err_set(err, CSCC_EINVAL,
                     "a location is required: lat and long, or address_string (a block "
                     "such as \"043XX W MADISON ST\")");
        return coord_err_field(err, "lat");
    }
    for (i = 0; i < r->params.n; i++) {
        const char *pn = r->params.v[i].name;
        size_t len = strlen(pn);

        if (strncmp(pn, "attribute[", 10) || len < 12 || pn[len - 1] != ']')
            continue;
        if (n >= nmax) {
            cscc_err_set(err, CSCC_EINVAL, "too many attribute answers (at most %zu)", nmax);
            return coord_err_field(err, "%s", pn);
        }
        /* "attribute[CODE]" and "attribute[CODE][]" (a multivaluelist) */
        len = strcspn(pn + 10, "]");
        if (len >= 72) {
            cscc_err_set(err, CSCC_EINVAL, "an attribute code is at most 64 characters");
            return coord_err_field(err, "%.80s", pn);
        }
        memcpy(codes[n], pn + 10, len);
        codes[n][len] = '\0';
        ans[n].attr = codes[n];
        ans[n].value = r->params.v[i].value;
        n++;
    }
    q->answers = ans;
    q->nanswers = n;
    if (name && last && *last) {
        /* Open311 sends first_name and last_name: kept together as the contact name. */
        static __thread char full[420];

        snprintf(full, sizeof(full), "%.200s %.200s", name, last);
        name = full;
    }
    q->contact_name = name ? name : "";
    q->contact_email = http_params_get(&r->params, "email");
    if (!q->contact_email)
        q->contact_email = "";
    q->contact_phone = http_params_get(&r->params, "phone");
    if (!q->contact_phone)
        q->contact_phone = "";
    q->media_url = http_params_get(&r->params, "media_url");
    if (!q->media_url)
        q->media_url = "";
    q->source = source;
    return 0;
}

static int needs_post(struct http_req *r)
{
    struct coord_answer ans[COORD_MAX_ATTRS * 2];
    char codes[COORD_MAX_ATTRS * 2][72];
    struct coord_need_req q;
    struct coord_need_ack ack;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct need_list l;
    struct cscc_err err;
    int rc;

    cscc_err_clear(&err);
    if (r->body && http_parse_json_body(r->body, r->body_len, 4, &r->params, &err))
        return http_error_from(r, &err);
    if (http_need_req_from_params(r, &q, ans, codes, COORD_MAX_ATTRS * 2, "api", &err))
        return http_error_from(r, &err);
    if (http_coord_ratelimit(r, &err))
        return coord_fail(r, &err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    rc = coord_need_add(e->c, &a, &q, &ack, &err);
    if (!rc) {
        l.a = &a;
        l.arr = json_array();
        rc = coord_need_get(e->c, ack.id, need_cb, &l, &err);
        http_coord_put(r->srv, e);
        {
            char loc[64];

            snprintf(loc, sizeof(loc), "/api/v1/needs/%lld", (long long)ack.id);
            http_req_header(r, "Location", loc);
        }
        if (rc) { /* stored, but not read back: still acknowledged */
            char id[24];

            json_decref(l.arr);
            snprintf(id, sizeof(id), "%lld", (long long)ack.id);
            return send_json(r, 201,
                             json_pack("{s:s,s:s}", "service_request_id", id, "token", ack.token));
        }
        return send_first(r, 201, l.arr);
    }
    http_coord_put(r->srv, e);
    return coord_fail(r, &err);
}

static const struct http_param_spec p_needs[] = {
    {"service_code", HTTP_P_STR, 0, 0, 0, NULL},
    {"status", HTTP_P_ENUM, 0, 0, 0, "open closed"},
    {"area", HTTP_P_UINT, 0, 1, 77, NULL},
    {"start_date", HTTP_P_STR, 0, 0, 0, NULL},
    {"end_date", HTTP_P_STR, 0, 0, 0, NULL},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 1000, NULL},
    {"offset", HTTP_P_UINT, 0, 0, 100000000, NULL},
    {"after", HTTP_P_UINT, 0, 1, 9000000000000000000UL, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* Answers the needs matching f, each in the caller's view. */
static int needs_answer(struct http_req *r, const struct coord_need_filter *f)
{
    struct coord_need_filter vf;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct need_list l;
    struct cscc_err err;
    int rc;

    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    l.a = &a;
    l.arr = json_array();
    l.last_id = 0;
    vf = *f;
    coord_need_filter_for(&vf, &a);
    rc = coord_need_each(e->c, &vf, need_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    /* next: the `after` of the next page (newest first: the needs below the
     * last id), null on the last page */
    return send_json(r, 200,
                     json_pack("{s:o,s:o}", "needs", l.arr, "next",
                               json_array_size(l.arr) == f->limit && l.last_id
                                   ? json_sprintf("%lld", (long long)l.last_id)
                                   : json_null()));
}

int http_h_needs(struct http_req *r)
{
    struct coord_need_filter f;
    struct cscc_err err;
    const char *v;

    if (r->method == HTTP_POST)
        return needs_post(r);
    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_needs, &err))
        return http_error_from(r, &err);
    memset(&f, 0, sizeof(f));
    f.service = http_params_get(&r->params, "service_code");
    if ((v = http_params_get(&r->params, "status")))
        f.open = !strcmp(v, "open") ? 1 : 2;
    f.area = (int)param_size(r, "area", 0);
    if ((v = http_params_get(&r->params, "start_date"))) {
        if (coord_parse_time(v, &f.from))
            return http_error(r, 400, "bad_parameter", "start_date",
                              "start_date must be an ISO 8601 time or date");
        f.has_from = 1;
    }
    if ((v = http_params_get(&r->params, "end_date"))) {
        if (coord_parse_time(v, &f.to))
            return http_error(r, 400, "bad_parameter", "end_date",
                              "end_date must be an ISO 8601 time or date");
        f.has_to = 1;
    }
    f.department = http_params_get(&r->params, "department");
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    f.after = (int64_t)param_size(r, "after", 0);
    f.newest_first = 1;
    return needs_answer(r, &f);
}

struct wo_hist {
    enum coord_view v;
    json_t *arr;
};

static int hist_cb(void *arg, const struct coord_wo_event *ev)
{
    struct wo_hist *h = arg;
    json_t *j = coord_wo_event_json(ev, h->v);

    return append_json(h->arr, j);
}

struct need_one {
    const struct coord_actor *a;
    json_t *j;
    int64_t wo_id;
    enum coord_view v;
    int hidden;
};

static int need_one_cb(void *arg, const struct coord_need *n)
{
    struct need_one *o = arg;

    if ((o->hidden = coord_need_hidden(o->a, n)))
        return 0;
    o->v = coord_need_view(o->a, n);
    o->j = coord_need_json(n, o->v);
    o->wo_id = n->duplicate_of ? 0 : n->workorder_id;
    return o->j ? 0 : CSCC_ENOMEM;
}

int http_h_need(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct need_one o = {0};
    struct wo_hist h;
    struct cscc_err err;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no need '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    o.a = &a;
    rc = coord_need_get(e->c, id, need_one_cb, &o, &err);
    if (!rc && o.hidden) {
        http_coord_put(r->srv, e);
        /* as for a need that does not exist */
        return http_error(r, 404, "not_found", "service_request_id", "no request %lld",
                          (long long)id);
    }
    if (!rc && o.wo_id) {
        /* its history: public notes for everyone, the rest for staff */
        h.v = o.v;
        h.arr = json_array();
        rc = coord_workorder_history(e->c, o.wo_id, hist_cb, &h, &err);
        json_object_set_new(o.j, "history", h.arr);
    }
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(o.j);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, o.j);
}

/* ------------------------------------------------------------------------ */
/* Work orders                                                               */
/* ------------------------------------------------------------------------ */

static const struct http_param_spec p_workorders[] = {
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"state", HTTP_P_LIST, 0, 0, 0,
     "new acknowledged in_progress resolved closed rejected duplicate"},
    {"all", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"overdue", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"area", HTTP_P_UINT, 0, 1, 77, NULL},
    {"service_code", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 100000, NULL},
    {"offset", HTTP_P_UINT, 0, 0, 100000000, NULL},
    {"after", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* A page of the queue, and the cursor after its last work order. */
struct wo_page {
    json_t *arr;
    char next[COORD_WO_CURSOR_MAX];
};

static int wo_page_cb(void *arg, const struct coord_workorder *w)
{
    struct wo_page *p = arg;
    json_t *j = coord_workorder_json(w);

    coord_wo_cursor(w, p->next, sizeof(p->next));
    return append_json(p->arr, j);
}

static int wo_cb(void *arg, const struct coord_workorder *w)
{
    json_t *arr = arg, *j = coord_workorder_json(w);

    return append_json(arr, j);
}

int http_h_workorders(struct http_req *r)
{
    struct coord_wo_filter f;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    struct wo_page p;
    const char *v;
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_workorders, &err))
        return http_error_from(r, &err);
    memset(&f, 0, sizeof(f));
    http_coord_actor(r, &a);
    f.department = http_params_get(&r->params, "department");
    if (a.role == COORD_ROLE_DEPARTMENT && f.department &&
        (!a.department || strcmp(f.department, a.department)))
        return http_error(r, 403, "forbidden", "department",
                          "a department sees only its own work orders");
    if ((v = http_params_get(&r->params, "state"))) {
        char buf[200];
        char *save = NULL, *w;

        snprintf(buf, sizeof(buf), "%s", v);
        for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
            int s = coord_state_by_name(w);

            if (s >= 0)
                f.states |= 1u << s;
        }
    }
    if ((v = http_params_get(&r->params, "all")) && http_parse_bool(v) == 1)
        f.all_states = 1;
    if ((v = http_params_get(&r->params, "overdue")) && http_parse_bool(v) == 1)
        f.overdue_only = 1;
    f.area = (int)param_size(r, "area", 0);
    f.service = http_params_get(&r->params, "service_code");
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    if ((v = http_params_get(&r->params, "after")) && coord_wo_cursor_parse(v, &f, &err))
        return http_error_from(r, &err);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    p.arr = json_array();
    p.next[0] = '\0';
    rc = coord_workorder_each(e->c, &a, &f, wo_page_cb, &p, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(p.arr);
        return coord_fail(r, &err);
    }
    /* next: the `after` of the next page, null on the last page */
    return send_json(r, 200,
                     json_pack("{s:o,s:o}", "workorders", p.arr, "next",
                               json_array_size(p.arr) == f.limit && p.next[0] ? json_string(p.next)
                                                                              : json_null()));
}

int http_h_workorder(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    json_t *arr;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no work order '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    arr = json_array();
    rc = coord_workorder_get(e->c, &a, id, wo_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return coord_fail(r, &err);
    }
    return send_first(r, 200, arr);
}

int http_h_workorder_history(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    struct wo_hist h;
    json_t *arr;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no work order '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    /* may the caller see this work order? (a department: its own) */
    arr = json_array();
    rc = coord_workorder_get(e->c, &a, id, wo_cb, arr, &err);
    json_decref(arr);
    h.v = COORD_VIEW_STAFF;
    h.arr = json_array();
    if (!rc)
        rc = coord_workorder_history(e->c, id, hist_cb, &h, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(h.arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "history", h.arr));
}

static const struct http_param_spec p_move[] = {
    {"state", HTTP_P_ENUM, 0, 0, 0,
     "new acknowledged in_progress resolved closed rejected duplicate"},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"public_note", HTTP_P_STR, 0, 0, 0, NULL},
    {"internal_note", HTTP_P_STR, 0, 0, 0, NULL},
    {"duplicate_of", HTTP_P_UINT, 0, 1, 4000000000UL, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_workorder_move(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    const char *state, *dept;
    json_t *arr;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no work order '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    if (r->body && http_parse_json_body(r->body, r->body_len, 4, &r->params, &err))
        return http_error_from(r, &err);
    if (http_params_check(&r->params, p_move, &err))
        return http_error_from(r, &err);
    state = http_params_get(&r->params, "state");
    dept = http_params_get(&r->params, "department");
    if (!state == !dept)
        return http_error(r, 400, "bad_parameter", "state",
                          "give either state (a transition) or department (a reassignment)");
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    {
        /* The caller must see it first (a department: its own), so a refusal
         * of another's work order is a 404, not a hint that it exists. */
        arr = json_array();
        rc = coord_workorder_get(e->c, &a, id, wo_cb, arr, &err);
        json_decref(arr);
    }
    if (!rc && state) {
        struct coord_move m;

        memset(&m, 0, sizeof(m));
        m.to = (enum coord_state)coord_state_by_name(state);
        m.public_note = http_params_get(&r->params, "public_note");
        m.internal_note = http_params_get(&r->params, "internal_note");
        m.duplicate_of = (int64_t)param_size(r, "duplicate_of", 0);
        rc = coord_workorder_move(e->c, &a, id, &m, &err);
    } else if (!rc) {
        rc = coord_workorder_assign(e->c, &a, id, dept, http_params_get(&r->params, "public_note"),
                                    http_params_get(&r->params, "internal_note"), &err);
    }
    if (rc && err.code == CSCC_EPERM) {
        http_coord_put(r->srv, e);
        return http_error(r, 403, "forbidden", err.field, "%s", err.msg);
    }
    arr = json_array();
    if (!rc)
        rc = coord_workorder_get(e->c, &a, id, wo_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return coord_fail(r, &err);
    }
    return send_first(r, 200, arr);
}

/* ------------------------------------------------------------------------ */
/* The catalogue                                                             */
/* ------------------------------------------------------------------------ */

static int svc_cb(void *arg, const struct coord_service *s)
{
    json_t *arr = arg, *j = coord_service_json(s, 1);

    return append_json(arr, j);
}

int http_h_catalog(struct http_req *r)
{
    struct http_coord_ent *e;
    struct cscc_err err;
    json_t *arr;
    int rc;

    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    arr = json_array();
    rc = coord_service_each(e->c, r->who.role >= HTTP_ROLE_COORDINATOR, svc_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "services", arr));
}

int http_h_catalog_service(struct http_req *r)
{
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    json_t *arr;
    int rc;

    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (r->method == HTTP_PUT) {
        struct coord_service_parsed *p;
        json_t *doc;

        if (!coord_may(&a, COORD_CATALOG_EDIT, NULL))
            return http_error(r, 403, "forbidden", NULL,
                              "only a coordinator or an admin may edit the service catalogue");
        if (!r->body)
            return http_error(r, 400, "bad_request", NULL, "the service is the JSON body");
        if (!(doc = cscc_json_loadb(r->body, r->body_len, 8, &err)))
            return http_error(r, 400, "bad_request", NULL, "%s", err.msg);
        if (json_is_object(doc) && !json_object_get(doc, "service_code"))
            json_object_set_new(doc, "service_code", json_string(r->cap[0]));
        if (!(p = coord_service_from_json(doc, &err))) {
            json_decref(doc);
            return http_error_from(r, &err);
        }
        if (strcmp(coord_service_parsed_get(p)->code, r->cap[0])) {
            coord_service_parsed_free(p);
            json_decref(doc);
            return http_error(r, 400, "bad_parameter", "service_code",
                              "service_code differs from the path");
        }
        if (!(e = http_coord_get(r, &err))) {
            coord_service_parsed_free(p);
            json_decref(doc);
            return coord_fail(r, &err);
        }
        rc = coord_service_put(e->c, &a, coord_service_parsed_get(p), &err);
        coord_service_parsed_free(p);
        json_decref(doc);
    } else {
        if (!(e = http_coord_get(r, &err)))
            return coord_fail(r, &err);
        rc = 0;
    }
    arr = json_array();
    if (!rc)
        rc = coord_service_get(e->c, r->cap[0], svc_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return err.code == CSCC_EINVAL || err.code == CSCC_ENOENT ? http_error_from(r, &err)
                                                                  : coord_fail(r, &err);
    }
    return send_first(r, 200, arr);
}

/* ------------------------------------------------------------------------ */
/* Departments and routing rules (read only; the staff pages show them)      */
/* ------------------------------------------------------------------------ */

static int dept_cb(void *arg, const struct coord_department *d)
{
    json_t *arr = arg, *j = json_pack("{s:s,s:s,s:b}", "code", d->code, "name",
                                      d->name ? d->name : "", "active", d->active);

    return append_json(arr, j);
}

static int route_cb(void *arg, const struct coord_route *rt)
{
    json_t *arr = arg, *j = coord_route_json(rt);

    return append_json(arr, j);
}

/* GET /api/v1/departments (rules 0) and /api/v1/routing-rules (rules 1). */
static int list_answer(struct http_req *r, int rules)
{
    struct http_coord_ent *e;
    struct cscc_err err;
    json_t *arr;
    int rc;

    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    arr = json_array();
    rc = rules ? coord_route_each(e->c, route_cb, arr, &err)
               : coord_department_each(e->c, dept_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", rules ? "rules" : "departments", arr));
}

int http_h_departments(struct http_req *r)
{
    return list_answer(r, 0);
}

int http_h_routing_rules(struct http_req *r)
{
    return list_answer(r, 1);
}

/* ------------------------------------------------------------------------ */
/* Organizations, events, metrics                                            */
/* ------------------------------------------------------------------------ */

struct org_list {
    const struct coord_actor *a;
    json_t *arr;
};

static int org_cb(void *arg, const struct coord_org *o)
{
    struct org_list *l = arg;
    json_t *j = coord_org_json(o, coord_org_view(l->a, o));

    return append_json(l->arr, j);
}

static const struct http_param_spec p_orgs[] = {
    {"sector", HTTP_P_STR, 0, 0, 0, NULL},
    {"area", HTTP_P_UINT, 0, 1, 77, NULL},
    {"verified", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"name", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 1000, NULL},
    {"offset", HTTP_P_UINT, 0, 0, 100000000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_orgs(struct http_req *r)
{
    struct coord_org_filter f;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct org_list l;
    struct cscc_err err;
    const char *v;
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_orgs, &err))
        return http_error_from(r, &err);
    memset(&f, 0, sizeof(f));
    f.sector = http_params_get(&r->params, "sector");
    f.area = (int)param_size(r, "area", 0);
    f.verified_only = (v = http_params_get(&r->params, "verified")) && http_parse_bool(v) == 1;
    f.name = http_params_get(&r->params, "name");
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    l.a = &a;
    l.arr = json_array();
    rc = coord_org_each(e->c, &f, org_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "organizations", l.arr));
}

int http_h_org(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct org_list l;
    struct cscc_err err;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no organization '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    l.a = &a;
    l.arr = json_array();
    rc = coord_org_get(e->c, id, org_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    return send_first(r, 200, l.arr);
}

/* Sets a field error (code CSCC_EINVAL) on err: the field, then the message. */
static int field_err(struct cscc_err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int field_err(struct cscc_err *err, const char *field, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->code = CSCC_EINVAL;
    snprintf(err->field, sizeof(err->field), "%s", field);
    return CSCC_EINVAL;
}

/* The fields of an organization's JSON body, as coord_org_update takes them. */
struct org_body {
    struct coord_org o;
    const char *sectors[COORD_MAX_LIST], *services[COORD_MAX_LIST];
    int areas[COORD_MAX_LIST];
    unsigned fields;
};

/* A JSON array of strings into out (at most COORD_MAX_LIST): 0 or a field error. */
static int str_list(json_t *v, const char *name, const char **out, size_t *n, struct cscc_err *err)
{
    size_t i;

    if (!json_is_array(v) || json_array_size(v) > COORD_MAX_LIST)
        return field_err(err, name, "%s must be an array of at most %d strings", name,
                         COORD_MAX_LIST);
    for (i = 0; i < json_array_size(v); i++) {
        if (!json_is_string(json_array_get(v, i)))
            return field_err(err, name, "%s[%zu] must be a string", name, i);
        out[i] = json_string_value(json_array_get(v, i));
    }
    *n = i;
    return 0;
}

static const char *const org_keys[] = {
    "name",
    "description",
    "website",
    "sectors",
    "areas",
    "services",
    "capacity_per_week",
    "capacity_unit",
    "contact_name",
    "contact_email",
    "contact_phone",
    "id",
    "verified",
    NULL,
};

/* Reads the fields given in doc (PATCH: those present; PUT: all of them). */
static int org_from_json(json_t *doc, int whole, struct org_body *b, struct cscc_err *err)
{
    const char *k;
    json_t *v;
    size_t i;

    memset(b, 0, sizeof(*b));
    if (!json_is_object(doc))
        return field_err(err, "", "the body must be a JSON object of the fields");
    json_object_foreach(doc, k, v)
    {
        for (i = 0; org_keys[i] && strcmp(org_keys[i], k); i++)
            ;
        if (!org_keys[i])
            return field_err(err, k, "unknown field '%.40s'", k);
    }
#define ORG_STR(key, member, bit)                                                                  \
    if ((v = json_object_get(doc, key)) || whole) {                                                \
        if (v && !json_is_string(v) && !json_is_null(v))                                           \
            return field_err(err, key, "%s must be a string", key);                                \
        b->o.member = v && json_is_string(v) ? json_string_value(v) : (whole ? NULL : "");         \
        b->fields |= bit;                                                                          \
    }
    ORG_STR("name", name, COORD_ORG_NAME)
    ORG_STR("description", description, COORD_ORG_DESCRIPTION)
    ORG_STR("website", website, COORD_ORG_WEBSITE)
    ORG_STR("capacity_unit", capacity_unit, COORD_ORG_CAPACITY)
    ORG_STR("contact_name", contact_name, COORD_ORG_CONTACTS)
    ORG_STR("contact_email", contact_email, COORD_ORG_CONTACTS)
    ORG_STR("contact_phone", contact_phone, COORD_ORG_CONTACTS)
#undef ORG_STR
    if ((v = json_object_get(doc, "sectors")) || whole) {
        if (v && str_list(v, "sectors", b->sectors, &b->o.nsectors, err))
            return err->code;
        b->o.sectors = b->sectors;
        b->fields |= COORD_ORG_SECTORS;
    }
    if ((v = json_object_get(doc, "services")) || whole) {
        if (v && str_list(v, "services", b->services, &b->o.nservices, err))
            return err->code;
        b->o.services = b->services;
        b->fields |= COORD_ORG_SERVICES;
    }
    if ((v = json_object_get(doc, "areas")) || whole) {
        if (v && (!json_is_array(v) || json_array_size(v) > COORD_MAX_LIST))
            return field_err(err, "areas", "areas must be an array of community area numbers");
        for (i = 0; v && i < json_array_size(v); i++) {
            json_t *a = json_array_get(v, i);

            if (!json_is_integer(a) || json_integer_value(a) < 1 || json_integer_value(a) > 77)
                return field_err(err, "areas", "areas[%zu] must be a community area number (1-77)",
                                 i);
            b->areas[i] = (int)json_integer_value(a);
        }
        b->o.nareas = v ? json_array_size(v) : 0;
        b->o.areas = b->areas;
        b->fields |= COORD_ORG_AREAS;
    }
    if ((v = json_object_get(doc, "capacity_per_week")) || whole) {
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0))
            return field_err(err, "capacity_per_week",
                             "capacity_per_week must be a whole number, 0 or more");
        b->o.capacity_per_week = v ? json_integer_value(v) : 0;
        b->fields |= COORD_ORG_CAPACITY;
    }
    return 0;
}

/* Answers organization id as the caller may see it (200). */
static int org_answer(struct http_req *r, struct http_coord_ent *e, const struct coord_actor *a,
                      int64_t id)
{
    struct org_list l;
    struct cscc_err err;
    int rc;

    cscc_err_clear(&err);
    l.a = a;
    l.arr = json_array();
    rc = coord_org_get(e->c, id, org_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    return send_first(r, 200, l.arr);
}

int http_h_org_edit(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_object obj = {id, NULL};
    struct coord_actor a;
    struct http_coord_ent *e;
    struct org_body b;
    struct cscc_err err;
    json_t *doc;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no organization '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    /* A partner edits its own organization; coordinators and admins any. */
    if (!coord_may(&a, COORD_ORG_EDIT, &obj))
        return http_error(r, 403, "forbidden", NULL,
                          a.role == COORD_ROLE_PARTNER
                              ? "a partner may edit only its own organization"
                              : "only the organization's partners, coordinators and admins may "
                                "edit an organization");
    if (!r->body)
        return http_error(r, 400, "bad_request", NULL,
                          "the organization's fields are the JSON body");
    if (!(doc = cscc_json_loadb(r->body, r->body_len, 8, &err)))
        return http_error(r, 400, "bad_request", NULL, "%s", err.msg);
    if (org_from_json(doc, r->method == HTTP_PUT, &b, &err)) {
        json_decref(doc);
        return http_error_from(r, &err);
    }
    if (json_object_get(doc, "verified")) {
        json_decref(doc);
        return http_error(r, 400, "bad_parameter", "verified",
                          "verification is a coordinator's step: POST "
                          "/api/v1/organizations/{id}/verification");
    }
    if (!(e = http_coord_get(r, &err))) {
        json_decref(doc);
        return coord_fail(r, &err);
    }
    rc = b.fields ? coord_org_update(e->c, &a, id, &b.o, b.fields, &err) : 0;
    json_decref(doc);
    if (rc) {
        http_coord_put(r->srv, e);
        return coord_fail(r, &err);
    }
    return org_answer(r, e, &a, id);
}

int http_h_org_verify(struct http_req *r)
{
    int64_t id = path_id(r->cap[0]);
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    json_t *doc, *v;
    int rc, verified;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no organization '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!coord_may(&a, COORD_ORG_VERIFY, NULL))
        return http_error(r, 403, "forbidden", NULL,
                          "only a coordinator or an admin may verify organizations");
    if (!r->body || !(doc = cscc_json_loadb(r->body, r->body_len, 4, &err)))
        return http_error(r, 400, "bad_request", NULL, "the body is {\"verified\": true|false}");
    v = json_object_get(doc, "verified");
    verified = json_is_true(v);
    if (!json_is_boolean(v) || json_object_size(doc) != 1) {
        json_decref(doc);
        return http_error(r, 400, "bad_parameter", "verified",
                          "the body is {\"verified\": true|false}");
    }
    json_decref(doc);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    if ((rc = coord_org_verify(e->c, &a, id, verified, &err))) {
        http_coord_put(r->srv, e);
        return coord_fail(r, &err);
    }
    return org_answer(r, e, &a, id);
}

struct ev_list {
    enum coord_view v;
    json_t *arr;
};

static int ev_cb(void *arg, const struct coord_event *ev)
{
    struct ev_list *l = arg;
    json_t *j = coord_event_json(ev, l->v);

    return append_json(l->arr, j);
}

static const struct http_param_spec p_events[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"area", HTTP_P_UINT, 0, 1, 77, NULL},
    {"type", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 1000, NULL},
    {"offset", HTTP_P_UINT, 0, 0, 100000000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* A civil day number of "YYYY-MM-DD" (already checked). */
static int64_t day_of(const char *s)
{
    int64_t t = 0;

    coord_parse_time(s, &t);
    return (t + 12 * 3600) / 86400;
}

int http_h_events(struct http_req *r)
{
    struct coord_event_filter f;
    struct http_coord_ent *e;
    struct ev_list l;
    struct cscc_err err;
    const char *v;
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_events, &err))
        return http_error_from(r, &err);
    memset(&f, 0, sizeof(f));
    if ((v = http_params_get(&r->params, "from"))) {
        f.has_from = 1;
        f.from_day = day_of(v);
    }
    if ((v = http_params_get(&r->params, "to"))) {
        f.has_to = 1;
        f.to_day = day_of(v);
    }
    f.area = (int)param_size(r, "area", 0);
    f.type = http_params_get(&r->params, "type");
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    l.v = r->who.role >= HTTP_ROLE_DEPARTMENT ? COORD_VIEW_STAFF : COORD_VIEW_PUBLIC;
    l.arr = json_array();
    rc = coord_event_each(e->c, &f, ev_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "events", l.arr));
}

static const struct http_param_spec p_metrics[] = {
    {"by", HTTP_P_ENUM, 0, 0, 0, "none department service category area priority"},
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static int metrics_cb(void *arg, const struct coord_metrics_row *row)
{
    json_t *arr = arg, *j = coord_metrics_json(row);

    return append_json(arr, j);
}

int http_h_coord_metrics(struct http_req *r)
{
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    const char *by = http_params_get(&r->params, "by"), *v;
    int64_t from = 0, to = 0;
    json_t *arr;
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_metrics, &err))
        return http_error_from(r, &err);
    if ((v = http_params_get(&r->params, "from")))
        coord_parse_time(v, &from);
    if ((v = http_params_get(&r->params, "to"))) {
        coord_parse_time(v, &to);
        to += 86400 - 1;
    }
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    arr = json_array();
    rc = coord_metrics_response(e->c, &a,
                                (enum coord_metrics_by)coord_metrics_by_name(by ? by : "none"),
                                from, to, metrics_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "metrics", arr));
}

/* ------------------------------------------------------------------------ */
/* A partner's own records: its needs and events, logging an event           */
/* ------------------------------------------------------------------------ */

/* The organization of an /organizations/{id}/... path the caller may list:
 * its own for a partner; any for staff (departments and analysts see who
 * reported a need in their staff view already). 0 with the answer written. */
static int64_t own_org(struct http_req *r, int *status)
{
    int64_t id = path_id(r->cap[0]);

    *status = 0;
    if (!id)
        *status =
            http_error(r, 404, "not_found", NULL, "there is no organization '%.20s'", r->cap[0]);
    else if (r->who.role == HTTP_ROLE_PARTNER && r->who.org_id != id)
        *status = http_error(r, 403, "forbidden", NULL,
                             "a partner sees the needs and events of its own organization only");
    return *status ? 0 : id;
}

static const struct http_param_spec p_org_list[] = {
    {"limit", HTTP_P_UINT, 0, 1, 1000, NULL},
    {"offset", HTTP_P_UINT, 0, 0, 100000000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

int http_h_org_needs(struct http_req *r)
{
    struct coord_need_filter f;
    struct cscc_err err;
    int64_t id;
    int status;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_org_list, &err))
        return http_error_from(r, &err);
    if (!(id = own_org(r, &status)))
        return status;
    memset(&f, 0, sizeof(f));
    f.reporter_org = id;
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    f.newest_first = 1;
    return needs_answer(r, &f);
}

int http_h_org_events(struct http_req *r)
{
    struct coord_event_filter f;
    struct http_coord_ent *e;
    struct ev_list l;
    struct cscc_err err;
    int64_t id;
    int rc, status;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_org_list, &err))
        return http_error_from(r, &err);
    if (!(id = own_org(r, &status)))
        return status;
    memset(&f, 0, sizeof(f));
    f.logged_by_org = id;
    f.limit = param_size(r, "limit", 100);
    f.offset = param_size(r, "offset", 0);
    if (!(e = http_coord_get(r, &err)))
        return coord_fail(r, &err);
    /* The organization's own partners see their notes, as staff do. */
    l.v = COORD_VIEW_STAFF;
    l.arr = json_array();
    rc = coord_event_each(e->c, &f, ev_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return coord_fail(r, &err);
    }
    return send_json(r, 200, json_pack("{s:o}", "events", l.arr));
}

static const char *const event_keys[] = {
    "type", "title", "date", "area", "attendance", "notes", "orgs", "departments", "sectors", NULL,
};

/* POST /api/v1/events: {"type", "title", "date": "YYYY-MM-DD", "area", "attendance",
 * "notes", "orgs": [ids], "departments": [codes], "sectors": [codes]}. A partner's
 * event is recorded as its organization's, which is listed as present. */
int http_h_event_add(struct http_req *r)
{
    const char *departments[COORD_MAX_LIST], *sectors[COORD_MAX_LIST], *k;
    int64_t orgs[COORD_MAX_LIST + 1], id = 0, t = 0;
    struct coord_event ev;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct ev_list l;
    struct cscc_err err;
    json_t *doc, *v;
    size_t i;
    int rc;

    cscc_err_clear(&err);
    http_coord_actor(r, &a);
    if (!coord_may(&a, COORD_EVENT_CREATE, NULL))
        return http_error(r, 403, "forbidden", NULL,
                          "partners, departments, coordinators and admins log events");
    if (!r->body || !(doc = cscc_json_loadb(r->body, r->body_len, 4, &err)))
        return http_error(r, 400, "bad_request", NULL, "the event is a JSON object: %s",
                          err.msg[0] ? err.msg : "no body");
    memset(&ev, 0, sizeof(ev));
    rc = 0;
    if (!json_is_object(doc))
        rc = field_err(&err, "", "the body must be a JSON object of the event's fields");
    json_object_foreach(doc, k, v)
    {
        for (i = 0; event_keys[i] && strcmp(event_keys[i], k); i++)
            ;
        if (!rc && !event_keys[i])
            rc = field_err(&err, k, "unknown field '%.40s'", k);
    }
    if (!rc && (v = json_object_get(doc, "type")) && !json_is_string(v))
        rc = field_err(&err, "type", "type must be a string");
    ev.type = json_string_value(json_object_get(doc, "type"));
    if (!rc && (v = json_object_get(doc, "title")) && !json_is_string(v))
        rc = field_err(&err, "title", "title must be a string");
    ev.title = json_string_value(json_object_get(doc, "title"));
    if (!rc && (v = json_object_get(doc, "notes")) && !json_is_string(v))
        rc = field_err(&err, "notes", "notes must be a string");
    ev.notes = json_string_value(json_object_get(doc, "notes"));
    v = json_object_get(doc, "date");
    if (!rc && (!json_is_string(v) || strlen(json_string_value(v)) != 10 ||
                coord_parse_time(json_string_value(v), &t)))
        rc = field_err(&err, "date", "date is the day of the event, YYYY-MM-DD");
    ev.day = (t + 12 * 3600) / 86400;
    v = json_object_get(doc, "area");
    if (!rc && v &&
        (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 77))
        rc = field_err(&err, "area", "area is a community area number (1-77), or 0 for citywide");
    ev.area = v ? (int)json_integer_value(v) : 0;
    v = json_object_get(doc, "attendance");
    if (!rc && v && !json_is_integer(v))
        rc = field_err(&err, "attendance", "attendance is a whole number");
    ev.attendance = v ? json_integer_value(v) : 0;
    if (!rc && (v = json_object_get(doc, "departments")))
        rc = str_list(v, "departments", departments, &ev.ndepartments, &err);
    ev.departments = departments;
    if (!rc && (v = json_object_get(doc, "sectors")))
        rc = str_list(v, "sectors", sectors, &ev.nsectors, &err);
    ev.sectors = sectors;
    v = json_object_get(doc, "orgs");
    if (!rc && v && (!json_is_array(v) || json_array_size(v) > COORD_MAX_LIST))
        rc = field_err(&err, "orgs", "orgs is an array of organization ids");
    for (i = 0; !rc && v && i < json_array_size(v); i++) {
        json_t *o = json_array_get(v, i);

        if (!json_is_integer(o) || json_integer_value(o) < 1)
            rc = field_err(&err, "orgs", "orgs[%zu] must be an organization id", i);
        else
            orgs[ev.norgs++] = json_integer_value(o);
    }
    if (!rc && a.role == COORD_ROLE_PARTNER && a.org_id) {
        for (i = 0; i < ev.norgs && orgs[i] != a.org_id; i++)
            ;
        if (i == ev.norgs)
            orgs[ev.norgs++] = a.org_id;
    }
    ev.orgs = orgs;
    if (rc) {
        json_decref(doc);
        return http_error_from(r, &err);
    }
    if (!(e = http_coord_get(r, &err))) {
        json_decref(doc);
        return coord_fail(r, &err);
    }
    rc = coord_event_create(e->c, &a, &ev, &id, &err);
    json_decref(doc);
    if (rc) {
        http_coord_put(r->srv, e);
        return coord_fail(r, &err);
    }
    l.v = COORD_VIEW_STAFF;
    l.arr = json_array();
    rc = coord_event_get(e->c, id, ev_cb, &l, &err);
    http_coord_put(r->srv, e);
    {
        char loc[64];

        snprintf(loc, sizeof(loc), "/api/v1/events/%lld", (long long)id);
        http_req_header(r, "Location", loc);
    }
    if (rc) {
        json_decref(l.arr);
        return send_json(r, 201, json_pack("{s:I}", "id", (json_int_t)id));
    }
    return send_first(r, 201, l.arr);
}
