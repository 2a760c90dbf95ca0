/* api.c - the handlers of the JSON API: the index, health, metrics, areas,
 * counts, import provenance, and the Socrata /resource/ seam. Each reads its
 * parameters (already checked against the route's list), does its work on
 * one table generation and one store connection, and writes the body into
 * r->out; errors go through http_error. */
#include "http/http_int.h"
#include "http/soql.h"

#include "analysis/counts.h"
#include "analysis/result.h"
#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "store/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Shared                                                                   */
/* ------------------------------------------------------------------------ */

static const char *const ctype_json = "application/json";
static const char *const ctype_geojson = "application/geo+json";
static const char *const ctype_csv = "text/csv; charset=utf-8";

struct http_tref *http_req_crimes(struct http_req *r, struct cscc_err *err)
{
    if (!r->crimes)
        r->crimes = http_tables_get(&r->srv->tables, "crimes", err);
    if (r->crimes)
        r->generation = colstore_generation(r->crimes->t);
    return r->crimes;
}

static int fail_store(struct http_req *r, struct cscc_err *err)
{
    return http_error_from(r, err);
}

/* A store walk that writes a list's items (a JSON array's members) into r->out. */
typedef int (*list_walk_fn)(struct http_req *r, struct store *st, void *arg, struct cscc_err *err);

/* Answers {"<name>":[...]} with the items a walk over one store connection writes. */
static int store_list(struct http_req *r, const char *name, list_walk_fn walk, void *arg)
{
    struct cscc_err err;
    struct store *st;
    int rc;

    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return fail_store(r, &err);
    strbuf_addf(&r->out, "{\"%s\":[", name);
    rc = walk(r, st, arg, &err);
    http_store_put(r->srv, st);
    if (rc)
        return fail_store(r, &err);
    strbuf_adds(&r->out, "]}\n");
    r->ctype = ctype_json;
    return 200;
}

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* Adds text as a JSON string with every absolute path in it cut to its
 * last part ("see the rejects file /srv/cscc/rejects/crimes-4.csv" ->
 * "... crimes-4.csv"): messages recorded by imports name the server's
 * files, and the public should not learn where they are. A path starts
 * with '/' at the start of a word and ends at white space, a quote, a
 * bracket, a comma, a semicolon or a colon. */
static void add_json_no_paths(struct strbuf *sb, const char *text)
{
    struct strbuf t;
    const char *p = text ? text : "";

    strbuf_init(&t, 0);
    while (*p) {
        if (*p == '/' && (p == text || strchr(" \t\n\"'(", p[-1]))) {
            size_t len = strcspn(p, " \t\n\"'(),;:");
            const char *last = p;

            for (size_t i = 0; i < len; i++)
                if (p[i] == '/')
                    last = p + i + 1;
            strbuf_add(&t, last, (size_t)(p + len - last));
            p += len;
            continue;
        }
        strbuf_addc(&t, *p++);
    }
    strbuf_add_json_str(sb, t.len ? t.buf : "", t.len);
    strbuf_release(&t);
}

/* ------------------------------------------------------------------------ */
/* Index, health, metrics                                                    */
/* ------------------------------------------------------------------------ */

int http_h_index(struct http_req *r)
{
    size_t i;
    char m[80];

    strbuf_adds(&r->out, "{\"name\":\"cscc\",\"api\":\"/api/v1/\",\"routes\":[");
    for (i = 0; i < http_nroutes; i++) {
        const struct http_route *rt = &http_routes[i];

        http_methods_format(rt->methods | ((rt->methods & HTTP_GET) ? HTTP_HEAD : 0), m, sizeof(m));
        strbuf_addf(&r->out, "%s\n{\"path\":", i ? "," : "");
        strbuf_add_json_str(&r->out, rt->pattern, strlen(rt->pattern));
        strbuf_addf(&r->out, ",\"methods\":\"%s\",\"role\":\"%s\"}", m,
                    http_role_name(rt->min_role));
    }
    strbuf_adds(&r->out, "]}\n");
    r->ctype = ctype_json;
    return 200;
}

int http_h_healthz(struct http_req *r)
{
    struct cscc_err err;
    struct store *st;
    struct http_tref *t;
    char buf[16];

    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err))) {
        cscc_error("healthz: %s", err.msg);
        return http_error(r, 503, "unhealthy", NULL, "the database cannot be opened");
    }
    /* A real read, so a broken database shows here. */
    if (store_get_setting(st, "cscc.healthz", buf, sizeof(buf), &err) && err.code != CSCC_ENOENT) {
        http_store_put(r->srv, st);
        cscc_error("healthz: %s", err.msg);
        return http_error(r, 503, "unhealthy", NULL, "the database cannot be read");
    }
    http_store_put(r->srv, st);
    cscc_err_clear(&err);
    strbuf_addf(&r->out, "{\"status\":\"ok\",\"uptime_seconds\":%lld,\"tables\":{",
                (long long)(time(NULL) - r->srv->started));
    t = http_req_crimes(r, &err);
    if (t)
        strbuf_addf(&r->out, "\"crimes\":{\"generation\":%llu,\"rows\":%zu}",
                    (unsigned long long)colstore_generation(t->t), colstore_nrows(t->t));
    else if (err.code == CSCC_ENOENT)
        strbuf_adds(&r->out, "\"crimes\":null");
    else
        return http_error(r, 503, "unhealthy", NULL, "the crimes table cannot be opened");
    strbuf_adds(&r->out, "}}\n");
    r->ctype = ctype_json;
    r->no_cache = 1;
    return 200;
}

int http_h_metrics(struct http_req *r)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    http_req_crimes(r, &err); /* take up a new generation, so the gauges are current */
    http_metrics_write(&r->srv->metrics, &r->srv->tables, &r->out);
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
    r->no_cache = 1;
    return 200;
}

/* ------------------------------------------------------------------------ */
/* Areas                                                                     */
/* ------------------------------------------------------------------------ */

struct area_ctx {
    struct http_req *r;
    int geojson, priority[256];
    int64_t pop[256];
    int only; /* one area's number, 0 for all */
    size_t n;
};

static int pop_cb(void *arg, const struct store_population *p)
{
    struct area_ctx *c = arg;

    if (p->area >= 1 && p->area < 256)
        c->pop[p->area] = p->population;
    return 0;
}

static void area_props(struct strbuf *sb, const struct area_ctx *c, const struct store_area *a)
{
    strbuf_addf(sb, "\"number\":%d,\"name\":", a->number);
    strbuf_add_json_str(sb, a->name, strlen(a->name));
    strbuf_adds(sb, ",\"side\":");
    strbuf_add_json_str(sb, a->side ? a->side : "", a->side ? strlen(a->side) : 0);
    strbuf_addf(sb, ",\"priority\":%s,\"population\":", c->priority[a->number] ? "true" : "false");
    if (c->pop[a->number] >= 0)
        strbuf_addf(sb, "%lld", (long long)c->pop[a->number]);
    else
        strbuf_adds(sb, "null");
}

static int area_cb(void *arg, const struct store_area *a)
{
    struct area_ctx *c = arg;
    struct strbuf *sb = &c->r->out;

    if (a->number < 1 || a->number > 255 || (c->only && a->number != c->only))
        return 0;
    if (c->geojson) {
        strbuf_adds(sb, c->n++ ? ",\n{\"type\":\"Feature\",\"id\":"
                               : "\n{\"type\":\"Feature\",\"id\":");
        strbuf_addf(sb, "%d,\"properties\":{", a->number);
        area_props(sb, c, a);
        strbuf_adds(sb, "},\"geometry\":");
        strbuf_adds(sb, a->geometry && *a->geometry ? a->geometry : "null");
        strbuf_adds(sb, "}");
    } else {
        strbuf_adds(sb, c->n++ ? ",\n{" : "\n{");
        area_props(sb, c, a);
        strbuf_adds(sb, "}");
    }
    return 0;
}

/* Reads areas (all, or one), with priority flags and latest population. */
static int areas_read(struct http_req *r, struct area_ctx *c, struct store *st,
                      struct cscc_err *err)
{
    int pri[256];
    size_t np = 0, i;

    for (i = 0; i < 256; i++)
        c->pop[i] = -1;
    if (store_get_priority(st, "ocos", pri, 256, &np, err))
        return err->code;
    for (i = 0; i < np; i++)
        if (pri[i] >= 1 && pri[i] < 256)
            c->priority[pri[i]] = 1;
    if (store_each_population(st, "acs2015_2019", pop_cb, c, err))
        return err->code;
    return store_each_area(st, c->geojson, area_cb, c, err);
}

int http_h_areas(struct http_req *r)
{
    struct area_ctx c;
    struct cscc_err err;
    struct store *st;
    const char *f = http_params_get(&r->params, "format");
    int rc;

    memset(&c, 0, sizeof(c));
    cscc_err_clear(&err);
    c.r = r;
    c.geojson = f && !strcmp(f, "geojson");
    if (!(st = http_store_get(r->srv, &err)))
        return fail_store(r, &err);
    strbuf_adds(&r->out,
                c.geojson ? "{\"type\":\"FeatureCollection\",\"features\":[" : "{\"areas\":[");
    rc = areas_read(r, &c, st, &err);
    http_store_put(r->srv, st);
    if (rc)
        return fail_store(r, &err);
    strbuf_adds(&r->out, "]}\n");
    r->ctype = c.geojson ? ctype_geojson : ctype_json;
    return 200;
}

/* ------------------------------------------------------------------------ */
/* Categories                                                                */
/* ------------------------------------------------------------------------ */

static int category_cb(void *arg, const struct store_category *c)
{
    struct http_req *r = arg;
    const char *p = c->fbi_codes;
    int first = 1;

    strbuf_addf(&r->out, "%s\n{\"name\":", r->out.buf[r->out.len - 1] == '[' ? "" : ",");
    strbuf_add_json_str(&r->out, c->name, strlen(c->name));
    strbuf_adds(&r->out, ",\"label\":");
    strbuf_add_json_str(&r->out, c->label, strlen(c->label));
    strbuf_adds(&r->out, ",\"fbi_codes\":[");
    while (*p) {
        size_t n = strcspn(p, " ");

        if (n) {
            strbuf_adds(&r->out, first ? "" : ",");
            strbuf_add_json_str(&r->out, p, n);
            first = 0;
        }
        p += n + (p[n] == ' ');
    }
    strbuf_adds(&r->out, "],\"description\":");
    strbuf_add_json_str(&r->out, c->description, strlen(c->description));
    strbuf_adds(&r->out, "}");
    return 0;
}

static int walk_categories(struct http_req *r, struct store *st, void *arg, struct cscc_err *err)
{
    (void)arg;
    return store_each_category(st, category_cb, r, err);
}

int http_h_categories(struct http_req *r)
{
    return store_list(r, "categories", walk_categories, NULL);
}

int http_h_area(struct http_req *r)
{
    struct area_ctx c;
    struct cscc_err err;
    struct store *st;
    unsigned long n = 0;
    size_t i, len = strlen(r->cap[0]);
    int rc;

    for (i = 0; i < len && len <= 3; i++) {
        if (r->cap[0][i] < '0' || r->cap[0][i] > '9')
            break;
        n = n * 10 + (unsigned long)(r->cap[0][i] - '0');
    }
    if (!len || i < len || len > 3 || n < 1 || n > 254)
        return http_error(r, 404, "not_found", NULL, "there is no community area '%.20s'",
                          r->cap[0]);
    memset(&c, 0, sizeof(c));
    cscc_err_clear(&err);
    c.r = r;
    c.geojson = 1;
    c.only = (int)n;
    if (!(st = http_store_get(r->srv, &err)))
        return fail_store(r, &err);
    rc = areas_read(r, &c, st, &err);
    http_store_put(r->srv, st);
    if (rc)
        return fail_store(r, &err);
    if (!c.n)
        return http_error(r, 404, "not_found", NULL, "there is no community area %lu", n);
    /* areas_read wrote "\n{...Feature...}": the body is that one Feature. */
    r->ctype = ctype_geojson;
    return strbuf_addc(&r->out, '\n') ? http_error(r, 507, "out_of_memory", NULL, "no memory")
                                      : 200;
}

/* ------------------------------------------------------------------------ */
/* Counts                                                                    */
/* ------------------------------------------------------------------------ */

int http_counts_query(struct http_req *r, struct counts_query *q, struct cscc_err *err)
{
    size_t i;

    memset(q, 0, sizeof(*q));
    for (i = 0; i < r->params.n; i++) {
        const char *name = r->params.v[i].name, *v = r->params.v[i].value;

        if (!strcmp(name, "by") || !strcmp(name, "area")) {
            const char *p = v;

            while (*p) {
                size_t n = strcspn(p, ",");
                char word[32];

                snprintf(word, sizeof(word), "%.*s", (int)(n < 31 ? n : 31), p);
                if (name[0] == 'b') {
                    int k = counts_key_by_name(word);
                    size_t j;

                    for (j = 0; j < q->nkeys; j++)
                        if (q->keys[j] == k)
                            goto twice;
                    if (q->nkeys == COUNTS_MAX_KEYS) {
                        cscc_err_set(err, CSCC_EINVAL, "'by' takes at most %d keys",
                                     COUNTS_MAX_KEYS);
                        goto bad;
                    }
                    q->keys[q->nkeys++] = k;
                } else if (q->nareas < 254) {
                    q->areas[q->nareas++] = (int)strtol(word, NULL, 10);
                }
                p += n + (p[n] == ',');
            }
        } else if (!strcmp(name, "from")) {
            cscc_parse_day(v, &q->day_from);
            q->has_from = 1;
        } else if (!strcmp(name, "to")) {
            cscc_parse_day(v, &q->day_to);
            q->has_to = 1;
        } else if (!strcmp(name, "category")) {
            q->category = v;
        } else if (!strcmp(name, "type") || !strcmp(name, "fbi")) {
            size_t *n = name[0] == 't' ? &q->ntypes : &q->nfbi;
            const char **a = name[0] == 't' ? q->types : q->fbi;

            if (*n == COUNTS_MAX_VALUES) {
                cscc_err_set(err, CSCC_EINVAL, "too many '%s' values (at most %d)", name,
                             COUNTS_MAX_VALUES);
                goto bad;
            }
            a[(*n)++] = v;
        } else if (!strcmp(name, "priority")) {
            q->priority = http_parse_bool(v) == 1;
        } else if (!strcmp(name, "rate")) {
            q->rate = http_parse_bool(v) == 1;
        } else if (!strcmp(name, "population")) {
            q->population = v;
        }
    }
    if (q->has_from && q->has_to)
        return http_period_check(q->day_from, q->day_to, err);
    return 0;
twice:
    cscc_err_set(err, CSCC_EINVAL, "a key is given twice in 'by'");
bad:
    cscc_err_at(err, NULL, 0, 0, r->params.v[i].name);
    return CSCC_EINVAL;
}

/* The parameter a query error of analysis_counts is about, for the answer. */
static const char *counts_field(const struct cscc_err *err)
{
    if (strstr(err->msg, "category"))
        return "category";
    if (strstr(err->msg, "population"))
        return "population";
    if (strstr(err->msg, "priority"))
        return "priority";
    if (strstr(err->msg, "area"))
        return "area";
    return NULL;
}

struct counts_result *http_run_counts(struct http_req *r, struct counts_query *q,
                                      struct store **stp, struct cscc_err *err)
{
    struct counts_result *res;
    struct http_tref *t;

    *stp = NULL;
    if (http_counts_query(r, q, err))
        return NULL;
    if (!(t = http_req_crimes(r, err)))
        return NULL;
    if (!(*stp = http_store_get(r->srv, err)))
        return NULL;
    res = analysis_counts(t->t, *stp, q, err);
    if (!res && err->code == CSCC_EINVAL && !err->field[0]) {
        const char *f = counts_field(err);

        if (f)
            cscc_err_at(err, NULL, 0, 0, f);
    }
    return res;
}

int http_h_counts(struct http_req *r)
{
    struct counts_query q;
    struct counts_result *res;
    struct store *st = NULL;
    struct cscc_err err;
    const char *f = http_params_get(&r->params, "format");
    int rc = 200;

    cscc_err_clear(&err);
    if (f && !strcmp(f, "geojson") && !http_params_get(&r->params, "by"))
        return http_error(r, 400, "bad_parameter", "format",
                          "format=geojson needs the counts grouped by area (by=area)");
    res = http_run_counts(r, &q, &st, &err);
    if (!res) {
        if (st)
            http_store_put(r->srv, st);
        return http_error_from(r, &err);
    }
    if (f && !strcmp(f, "geojson")) {
        struct an_result *ar;
        size_t k;
        int has_area = 0;

        for (k = 0; k < q.nkeys; k++)
            has_area |= counts_key_is(res, k, COUNTS_AREA);
        if (!has_area) {
            rc = http_error(r, 400, "bad_parameter", "format",
                            "format=geojson needs the counts grouped by area (by=area)");
        } else if (!(ar = counts_as_result(res, &q, st, 1, &err))) {
            rc = http_error_from(r, &err);
        } else {
            if (!http_staff(&r->who) && http_protect_counts(ar, &err))
                rc = http_error_from(r, &err);
            else if (an_result_write(ar, AN_GEOJSON, &r->out))
                rc = http_error(r, 507, "out_of_memory", NULL, "the answer is too large");
            r->ctype = ctype_geojson;
            an_result_free(ar);
        }
    } else {
        enum counts_format cf = f && !strcmp(f, "csv") ? COUNTS_CSV : COUNTS_JSON;
        uint8_t *withheld = NULL;
        int total_withheld = 0, wrc;

        /* Not staff: the small cells, found on the result form of the same
         * rows, are withheld from the CLI's format. */
        if (!http_staff(&r->who)) {
            struct an_result *ar = counts_as_result(res, &q, st, 0, &err);
            size_t i, n = counts_nrows(res);
            int cc = ar ? an_col_index(ar, "count") : -1;

            if (!ar || http_protect_counts(ar, &err)) {
                an_result_free(ar);
                analysis_counts_free(res);
                http_store_put(r->srv, st);
                return http_error_from(r, &err);
            }
            withheld = cscc_xcalloc(n ? n : 1, 1);
            for (i = 0; i < n; i++)
                withheld[i] = (uint8_t)an_withheld(ar, i, (size_t)cc);
            total_withheld = isnan(an_summary_get(ar, "total"));
            an_result_free(ar);
        }
        wrc = withheld ? counts_write_withheld(res, cf, withheld, total_withheld, &r->out)
                       : counts_write(res, cf, &r->out);
        cscc_free(withheld);
        if (wrc)
            rc = http_error(r, 507, "out_of_memory", NULL, "the answer is too large");
        r->ctype = cf == COUNTS_CSV ? ctype_csv : ctype_json;
        if (cf == COUNTS_CSV)
            snprintf(r->filename, sizeof(r->filename), "counts.csv");
    }
    analysis_counts_free(res);
    http_store_put(r->srv, st);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Import provenance                                                         */
/* ------------------------------------------------------------------------ */

void http_json_utc(struct strbuf *sb, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];

    if (!t || !gmtime_r(&tt, &tm)) {
        strbuf_adds(sb, "null");
        return;
    }
    strftime(buf, sizeof(buf), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
    strbuf_adds(sb, buf);
}

/*
 * The files of an import, with file names only: where files lay on the
 * server that imported them is not the public's business.
 */
static void files_public(struct strbuf *sb, const char *files)
{
    json_t *doc = files && *files ? cscc_json_loadb(files, strlen(files), 4, NULL) : NULL;
    size_t i;

    if (!doc || !json_is_array(doc)) {
        strbuf_adds(sb, "[]");
        json_decref(doc);
        return;
    }
    strbuf_addc(sb, '[');
    for (i = 0; i < json_array_size(doc); i++) {
        json_t *f = json_array_get(doc, i), *v;
        const char *key;
        size_t n = 0;

        strbuf_adds(sb, i ? ",{" : "{");
        json_object_foreach(f, key, v)
        {
            char *s;

            strbuf_adds(sb, n++ ? "," : "");
            strbuf_add_json_str(sb, key, strlen(key));
            strbuf_addc(sb, ':');
            if (!strcmp(key, "path") && json_is_string(v)) {
                const char *b = basename_of(json_string_value(v));

                strbuf_add_json_str(sb, b, strlen(b));
                continue;
            }
            s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            strbuf_adds(sb, s ? s : "null");
            free(s); /* jansson's allocation */
        }
        strbuf_addc(sb, '}');
    }
    strbuf_addc(sb, ']');
    json_decref(doc);
}

struct imp_ctx {
    struct strbuf *sb;
    size_t n;
    char rejects[1024]; /* the last import's rejects file, "" when none */
};

static int import_cb(void *arg, const struct store_import *imp)
{
    struct imp_ctx *c = arg;
    struct strbuf *sb = c->sb;
    const char *rej = imp->rejects_file && *imp->rejects_file ? basename_of(imp->rejects_file) : "";

    snprintf(c->rejects, sizeof(c->rejects), "%s", imp->rejects_file ? imp->rejects_file : "");

    strbuf_adds(sb, c->n++ ? ",\n{" : "\n{");
    strbuf_addf(sb, "\"id\":%lld,\"dataset\":", (long long)imp->id);
    strbuf_add_json_str(sb, imp->dataset, strlen(imp->dataset));
    strbuf_addf(sb, ",\"status\":\"%s\",\"started_at\":", store_import_status_name(imp->status));
    http_json_utc(sb, imp->started_at);
    strbuf_adds(sb, ",\"finished_at\":");
    http_json_utc(sb, imp->finished_at);
    strbuf_addf(sb,
                ",\"rows_read\":%lld,\"rows_new\":%lld,\"rows_updated\":%lld,"
                "\"rows_unchanged\":%lld,\"rows_rejected\":%lld,\"generation\":%lld,\"files\":",
                (long long)imp->rows_read, (long long)imp->rows_new, (long long)imp->rows_updated,
                (long long)imp->rows_unchanged, (long long)imp->rows_rejected,
                (long long)imp->generation);
    files_public(sb, imp->files);
    strbuf_addf(sb, ",\"rejects_by_reason\":%s,\"rejects_file\":",
                imp->rejects_by_reason && imp->rejects_by_reason[0] ? imp->rejects_by_reason
                                                                    : "{}");
    strbuf_add_json_str(sb, rej, strlen(rej));
    strbuf_adds(sb, ",\"message\":");
    add_json_no_paths(sb, imp->message);
    strbuf_addc(sb, '}');
    return 0;
}

static int walk_imports(struct http_req *r, struct store *st, void *arg, struct cscc_err *err)
{
    const char *lim = http_params_get(&r->params, "limit");

    return store_each_import(st, http_params_get(&r->params, "dataset"),
                             lim ? strtoul(lim, NULL, 10) : 100, import_cb, arg, err);
}

int http_h_imports(struct http_req *r)
{
    struct imp_ctx c = {&r->out, 0, ""};

    return store_list(r, "imports", walk_imports, &c);
}

int http_h_import(struct http_req *r)
{
    struct imp_ctx c = {&r->out, 0, ""};
    struct cscc_err err;
    struct store *st;
    char *end;
    long long id = strtoll(r->cap[0], &end, 10);
    int rc;

    if (!r->cap[0][0] || *end || id < 1 || r->cap[0][0] == '+')
        return http_error(r, 404, "not_found", NULL, "there is no import '%.20s'", r->cap[0]);
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return fail_store(r, &err);
    rc = store_get_import(st, id, import_cb, &c, &err);
    http_store_put(r->srv, st);
    if (rc == CSCC_ENOENT)
        return http_error(r, 404, "not_found", NULL, "there is no import %lld", id);
    if (rc)
        return fail_store(r, &err);
    /* import_cb wrote "\n{...}": drop the newline */
    memmove(r->out.buf, r->out.buf + 1, r->out.len);
    r->out.len--;
    /* Analysts and admins, who may see every dataset's rows, see where the
     * first rejected rows were (row, column, reason) without leaving the page. */
    if (r->who.role >= HTTP_ROLE_ANALYST && c.rejects[0] && r->out.len) {
        r->out.len--; /* the closing brace */
        strbuf_adds(&r->out, ",\"rejected_rows\":");
        http_rejects_json(&r->out, c.rejects, 20);
        strbuf_addc(&r->out, '}');
    }
    strbuf_addc(&r->out, '\n');
    r->ctype = ctype_json;
    return 200;
}

/* ------------------------------------------------------------------------ */
/* Socrata-compatible datasets (/resource/{id}.json|.csv|.geojson)           */
/* ------------------------------------------------------------------------ */

/* What a role may see of the datasets: analysts and admins see victims'
 * rows and unpublished layers; everyone else the public datasets only. (The
 * aggregate access, victims as counts, needs small-cell suppression of
 * SoQL answers, which is not done here: no role is given it.) */
static enum soql_access soql_access_of(enum http_role role)
{
    return role >= HTTP_ROLE_ANALYST ? SOQL_STAFF : SOQL_PUBLIC;
}

/* Answers a SoQL error in Socrata's own shape, which its clients read. */
static int soql_fail(struct http_req *r, const struct soql_error *e)
{
    strbuf_reset(&r->out);
    soql_error_json(e, &r->out);
    strbuf_addc(&r->out, '\n');
    r->ctype = ctype_json;
    r->no_cache = 1;
    r->filename[0] = '\0';
    return e->status;
}

int http_resource_error(struct http_req *r, int status, const char *code, const char *param,
                        const char *msg)
{
    struct soql_error e;

    memset(&e, 0, sizeof(e));
    e.status = status;
    snprintf(e.code, sizeof(e.code), "%s", code);
    snprintf(e.message, sizeof(e.message), "%s", msg);
    snprintf(e.param, sizeof(e.param), "%s", param ? param : "");
    return soql_fail(r, &e);
}

/* A 404 in Socrata's shape, with a message made from fmt. */
static int soql_not_found(struct http_req *r, const char *fmt, const char *arg)
{
    struct soql_error e;

    memset(&e, 0, sizeof(e));
    e.status = 404;
    snprintf(e.code, sizeof(e.code), "not_found");
    snprintf(e.message, sizeof(e.message), fmt, arg);
    return soql_fail(r, &e);
}

static int soql_fail_err(struct http_req *r, const struct cscc_err *err)
{
    struct soql_error e;

    memset(&e, 0, sizeof(e));
    e.status = http_status_of(err->code);
    if (e.status >= 500) {
        cscc_error("/resource/%s: %s", r->cap[0], err->msg);
        snprintf(e.code, sizeof(e.code), "internal");
        snprintf(e.message, sizeof(e.message), "internal error; the server log says more");
    } else {
        snprintf(e.code, sizeof(e.code), "%s", e.status == 404 ? "not_found" : "bad_request");
        snprintf(e.message, sizeof(e.message), "%s", err->msg);
    }
    return soql_fail(r, &e);
}

int http_h_resource(struct http_req *r)
{
    const char *dot = strrchr(r->cap[0], '.');
    const struct soql_dataset *ds;
    struct soql_catalog *cat = NULL;
    struct soql_query *q = NULL;
    struct soql_param *pv = NULL;
    struct http_tref *tr = NULL, *own = NULL;
    struct soql_error qe;
    struct cscc_err err;
    struct store *st;
    char id[64];
    int fmt, status;
    size_t i;

    cscc_err_clear(&err);
    memset(&qe, 0, sizeof(qe));
    fmt = dot ? soql_format_from_ext(dot + 1) : -1;
    if (fmt < 0)
        return soql_not_found(r, "%s", "a dataset is /resource/ID.json, ID.csv or ID.geojson");
    snprintf(id, sizeof(id), "%.*s", (int)(dot - r->cap[0] < 63 ? dot - r->cap[0] : 63), r->cap[0]);

    /* The catalog: the tables there are and the layers published now. */
    if (!(st = http_store_get(r->srv, &err)))
        return soql_fail_err(r, &err);
    cat = soql_catalog_open(r->srv->opts->data_dir, st, &err);
    http_store_put(r->srv, st);
    if (!cat)
        return soql_fail_err(r, &err);
    if (!(ds = soql_catalog_find(cat, id))) {
        status = soql_not_found(r, "there is no published dataset '%s'", id);
        goto out;
    }

    /* The table's current generation, held to the end of the answer. */
    if (!strcmp(ds->table, "crimes"))
        tr = http_req_crimes(r, &err);
    else if ((tr = own = http_tables_get(&r->srv->tables, ds->table, &err)))
        r->generation = colstore_generation(tr->t);
    if (!tr) {
        status = soql_fail_err(r, &err);
        goto out;
    }

    pv = cscc_xcalloc(r->params.n + 1, sizeof(*pv));
    for (i = 0; i < r->params.n; i++) {
        pv[i].name = r->params.v[i].name;
        pv[i].value = r->params.v[i].value;
    }
    if (!(q = soql_prepare(ds, tr->t, pv, r->params.n, soql_access_of(r->who.role), NULL, &qe))) {
        status = soql_fail(r, &qe);
        goto out;
    }
    if (soql_run(q, (enum soql_format)fmt, &r->out, &qe)) {
        status = soql_fail(r, &qe);
        goto out;
    }
    if (http_req_header(r, "X-SODA2-Fields", soql_fields_header(q)) ||
        http_req_header(r, "X-SODA2-Types", soql_types_header(q))) {
        cscc_err_set(&err, CSCC_ENOMEM, "out of memory for the response headers");
        status = soql_fail_err(r, &err);
        goto out;
    }
    r->ctype = soql_content_type((enum soql_format)fmt);
    status = 200;
    if (ds->min_rows_access > SOQL_PUBLIC) {
        /* victims' records (or an unpublished layer) read: audited, as
         * which dataset and how much, never the query's values */
        char detail[160];

        r->no_cache = 1;
        snprintf(detail, sizeof(detail), "/resource/%s.%s: %zu bytes", ds->id, dot + 1, r->out.len);
        http_audit(r->srv, &r->who, "read.sensitive", ds->table, "ok", detail);
    }
out:
    soql_query_free(q);
    cscc_free(pv);
    http_tref_put(own);
    soql_catalog_free(cat);
    return status;
}
