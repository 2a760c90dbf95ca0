/* analyses.c - the analyses the API runs: /api/v1/analyses lists them,
 * /api/v1/analyses/{name} runs one with its parameters in the query string
 * (GET) or as a JSON object in the body (POST), and writes its result
 * (analysis/result.h) as JSON (default), CSV or GeoJSON.
 *
 * Adding an analysis is one entry in http_analyses[]: its name, its
 * parameters (checked before it runs: unknown ones are refused), whether
 * its rows carry geometries, and a function that reads the parameters and
 * runs it through src/analysis. */
#include "http/http_int.h"

#include "analysis/counts.h"
#include "analysis/priority.h"
#include "analysis/result.h"
#include "analysis/trends.h"
#include "colstore/colstore.h"
#include "core/json.h"
#include "core/time.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* counts                                                                    */
/* ------------------------------------------------------------------------ */

static struct an_result *run_counts(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct counts_query q;
    struct counts_result *res;
    struct an_result *ar = NULL;
    struct store *st = NULL;

    res = http_run_counts(r, &q, &st, err);
    if (res)
        ar = counts_as_result(res, &q, st, geometry, err);
    analysis_counts_free(res);
    if (st)
        http_store_put(r->srv, st);
    return ar;
}

/* ------------------------------------------------------------------------ */
/* trends and priority: serious victimizations from several tables           */
/* ------------------------------------------------------------------------ */

/* The options of `cscc analyze trends` and `analyze priority`, as parameters. */
static const struct http_param_spec p_trends[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"measure", HTTP_P_ENUM, 0, 0, 0, "incidents serious"},
    {"category", HTTP_P_STR, 0, 0, 0, NULL},
    {"type", HTTP_P_STR, 1, 0, 0, NULL},
    {"fbi", HTTP_P_STR, 1, 0, 0, NULL},
    {"area", HTTP_P_LIST, 1, 1, 254, NULL},
    {"priority", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"source", HTTP_P_ENUM, 0, 0, 0, "auto victims crimes"},
    {"shootings_layer", HTTP_P_STR, 0, 0, 0, NULL},
    {"shootings_where", HTTP_P_STR, 0, 0, 0, NULL},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec p_priority[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"top", HTTP_P_UINT, 0, 1, 254, NULL},
    {"source", HTTP_P_ENUM, 0, 0, 0, "auto victims crimes"},
    {"shootings_layer", HTTP_P_STR, 0, 0, 0, NULL},
    {"shootings_where", HTTP_P_STR, 0, 0, 0, NULL},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The tables serious victimizations are counted from, held for the request. */
struct serious_refs {
    struct serious_tables s;
    struct http_tref *victims, *layer;
    char column[64], value[128];
};

static void serious_release(struct serious_refs *x)
{
    http_tref_put(x->victims);
    http_tref_put(x->layer);
}

static int bad(struct cscc_err *err, const char *field, const char *msg)
{
    cscc_err_set(err, CSCC_EINVAL, "%s", msg);
    cscc_err_at(err, NULL, 0, 0, field);
    return CSCC_EINVAL;
}

/* Opens the tables the serious measure reads, as the CLI's --source,
 * --shootings-layer and --shootings-where say. */
static int serious_open(struct http_req *r, struct serious_refs *x, struct cscc_err *err)
{
    const char *src = http_params_get(&r->params, "source");
    const char *layer = http_params_get(&r->params, "shootings_layer");
    const char *where = http_params_get(&r->params, "shootings_where");
    struct http_tref *t;
    struct cscc_err e2;

    memset(x, 0, sizeof(*x));
    x->s.source = !src || !strcmp(src, "auto") ? SERIOUS_AUTO
                  : !strcmp(src, "victims")    ? SERIOUS_VICTIMS
                                               : SERIOUS_CRIMES;
    cscc_err_clear(&e2);
    if (x->s.source != SERIOUS_CRIMES) {
        x->victims = http_tables_get(&r->srv->tables, "victims", &e2);
        if (!x->victims && e2.code != CSCC_ENOENT)
            return cscc_err_set(err, e2.code, "%s", e2.msg);
        x->s.victims = x->victims ? x->victims->t : NULL;
    }
    if ((t = http_req_crimes(r, &e2)))
        x->s.crimes = t->t;
    if (layer) {
        char name[64];
        size_t i, n = strlen(layer);

        for (i = 0; i < n; i++)
            if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", layer[i]))
                break;
        if (n > 40 || i < n)
            return bad(err, "shootings_layer", "a layer name has at most 40 of a-z 0-9 _ -");
        snprintf(name, sizeof(name), "layer_%s", layer);
        cscc_err_clear(&e2);
        if (!(x->layer = http_tables_get(&r->srv->tables, name, &e2))) {
            if (e2.code != CSCC_ENOENT)
                return cscc_err_set(err, e2.code, "%s", e2.msg);
            return bad(err, "shootings_layer", "no layer of that name has been imported");
        }
        x->s.layer = x->layer->t;
        x->s.layer_name = layer;
        if (where) {
            const char *eq = strchr(where, '=');

            if (!eq || eq == where || (size_t)(eq - where) >= sizeof(x->column) ||
                strlen(eq + 1) >= sizeof(x->value))
                return bad(err, "shootings_where", "shootings_where takes COLUMN=VALUE");
            snprintf(x->column, sizeof(x->column), "%.*s", (int)(eq - where), where);
            snprintf(x->value, sizeof(x->value), "%s", eq + 1);
            x->s.layer_column = x->column;
            x->s.layer_value = x->value;
        } else if (colstore_col_index(x->s.layer, "shooting_type") >= 0) {
            x->s.layer_column = "shooting_type";
            x->s.layer_value = "nonlethal";
        }
    } else if (where) {
        return bad(err, "shootings_where", "shootings_where goes with shootings_layer");
    }
    return 0;
}

/* Reading the victims table is a read of sensitive records: audited. */
static void serious_audit(struct http_req *r, const struct serious_refs *x, const char *what)
{
    enum serious_source use;
    char desc[512], detail[160];

    /* The answer depends on tables other than the crimes: not cached. */
    r->no_cache = 1;
    if (serious_resolve(&x->s, &use, desc, sizeof(desc), NULL) || use != SERIOUS_VICTIMS)
        return;
    snprintf(detail, sizeof(detail), "%s over HTTP: victims' records counted into aggregates",
             what);
    http_audit(r->srv, &r->who, "read.sensitive", "table:victims", "ok", detail);
}

/* from and to, both required. */
static int period(struct http_req *r, int64_t *from, int64_t *to, struct cscc_err *err)
{
    const char *f = http_params_get(&r->params, "from"), *t = http_params_get(&r->params, "to");

    if (!f || !t)
        return bad(err, f ? "to" : "from", "give the period: from and to (YYYY-MM-DD)");
    cscc_parse_day(f, from);
    cscc_parse_day(t, to);
    return http_period_check(*from, *to, err);
}

static struct an_result *run_trends(struct http_req *r, int geometry, struct cscc_err *err)
{
    const char *m = http_params_get(&r->params, "measure");
    int serious = m && !strcmp(m, "serious");
    struct serious_refs x;
    struct counts_query q;
    struct an_result *res = NULL;
    struct store *st = NULL;
    struct http_params keep = r->params;
    struct http_tref *t = NULL;
    size_t i;

    (void)geometry;
    memset(&x, 0, sizeof(x));
    memset(&q, 0, sizeof(q));
    if (period(r, &q.day_from, &q.day_to, err))
        return NULL;
    if (serious)
        for (i = 0; i < r->params.n; i++)
            if (!strcmp(r->params.v[i].name, "type") || !strcmp(r->params.v[i].name, "fbi") ||
                !strcmp(r->params.v[i].name, "category")) {
                bad(err, r->params.v[i].name,
                    "type, fbi and category do not apply to measure=serious");
                return NULL;
            }
    if (!serious &&
        (http_params_get(&r->params, "source") || http_params_get(&r->params, "shootings_layer") ||
         http_params_get(&r->params, "shootings_where"))) {
        bad(err, http_params_get(&r->params, "source") ? "source" : "shootings_layer",
            "source and shootings_* go with measure=serious");
        return NULL;
    }
    /* The filters are the counts' parameters: read them as counts reads them,
     * over the parameters that are counts parameters. */
    {
        struct http_params sub;

        http_params_init(&sub, r->params.max);
        for (i = 0; i < r->params.n; i++) {
            const char *n = r->params.v[i].name;

            if (!strcmp(n, "category") || !strcmp(n, "type") || !strcmp(n, "fbi") ||
                !strcmp(n, "area") || !strcmp(n, "priority") || !strcmp(n, "from") ||
                !strcmp(n, "to"))
                http_params_add(&sub, n, strlen(n), r->params.v[i].value,
                                strlen(r->params.v[i].value));
        }
        r->params = sub;
        i = (size_t)http_counts_query(r, &q, err);
        r->params = keep;
        if (i) {
            http_params_release(&sub);
            return NULL;
        }
        if (!(st = http_store_get(r->srv, err))) {
            http_params_release(&sub);
            return NULL;
        }
        if (serious) {
            if (!serious_open(r, &x, err))
                serious_audit(r, &x, "trends");
            if (!err->code)
                res = analysis_trends(x.s.crimes, &x.s, st, &q, TRENDS_SERIOUS, err);
        } else if ((t = http_req_crimes(r, err))) {
            res = analysis_trends(t->t, NULL, st, &q, TRENDS_INCIDENTS, err);
        }
        /* q points into sub's values: released once the analysis ran */
        http_params_release(&sub);
    }
    serious_release(&x);
    http_store_put(r->srv, st);
    return res;
}

static struct an_result *run_priority(struct http_req *r, int geometry, struct cscc_err *err)
{
    const char *top = http_params_get(&r->params, "top");
    struct serious_refs x;
    struct an_result *res = NULL;
    struct store *st = NULL;
    int64_t from, to;
    int computed[256];
    size_t ncomputed = 0;

    (void)geometry;
    if (period(r, &from, &to, err))
        return NULL;
    if (!(st = http_store_get(r->srv, err)))
        return NULL;
    if (!serious_open(r, &x, err)) {
        serious_audit(r, &x, "priority");
        res = analysis_priority(&x.s, st, from, to, top ? strtoul(top, NULL, 10) : 15, computed,
                                &ncomputed, err);
    }
    serious_release(&x);
    http_store_put(r->srv, st);
    return res;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                 */
/* ------------------------------------------------------------------------ */

const struct http_analysis http_analyses[] = {
    {"counts", "incidents counted by area, period, type (the parameters of /api/v1/counts)",
     http_counts_params, 1, run_counts, http_protect_counts},
    {"trends",
     "a period against the prior period and the same days a year earlier, per area, priority "
     "areas against the rest, citywide (cscc analyze trends)",
     p_trends, 1, run_trends, http_protect_trends},
    {"priority",
     "community areas ranked by mean yearly serious victimizations, against the configured "
     "priority list (cscc analyze priority; the list is changed only from the command line)",
     p_priority, 1, run_priority, http_protect_priority},
    {"kde",
     "quartic kernel density of incidents on a grid (cscc analyze kde; public: crimes only, "
     "bandwidth 200 m or more)",
     http_kde_params, 1, http_run_kde, http_protect_kde},
    {"gistar",
     "Getis-Ord Gi* hot spots on grid cells or community areas (cscc analyze gistar; public: "
     "the bins, without counts, z-scores and p-values)",
     http_gistar_params, 1, http_run_gistar, http_protect_gistar},
    {"moran",
     "local Moran's I on community areas with permutation inference (cscc analyze moran; "
     "public: values withheld when any is a count of 1 to 9 or a rate)",
     http_moran_params, 1, http_run_moran, http_protect_moran},
    {"knox",
     "near repeat (Knox) test as the Near Repeat Calculator reports it (cscc analyze knox; "
     "public: at most 99 iterations and 100,000 events)",
     http_knox_params, 0, http_run_knox, http_protect_knox},
    {"rtm",
     "risk terrain: layers as proximity, density or distance factors on a grid, a Poisson "
     "regression (IRLS), relative risk exp(beta) with 95 % intervals and the relative risk "
     "surface (cscc analyze rtm; staff only)",
     http_rtm_params, 1, http_run_rtm, NULL},
    {"pai",
     "Predictive Accuracy Index and PEI of a hot spot map made on one period, tested on the "
     "next (cscc analyze pai; staff only)",
     http_pai_params, 1, http_run_pai, NULL},
    {"capacity-gap",
     "violence burden against partner capacity per area and sector, ranked (src/resources)",
     http_gap_params, 1, http_run_capacity_gap, http_protect_resources},
    {"funding", "funding per resident and per serious victimization; priority share; change",
     http_funding_params, 1, http_run_funding, http_protect_resources},
};

const size_t http_nanalyses = sizeof(http_analyses) / sizeof(http_analyses[0]);

/* ------------------------------------------------------------------------ */
/* Handlers                                                                  */
/* ------------------------------------------------------------------------ */

static void spec_json(struct strbuf *sb, const struct http_param_spec *sp)
{
    static const char *const types[] = {"string", "date", "boolean", "integer",
                                        "enum",   "list", "secret"};
    size_t i;

    strbuf_addc(sb, '[');
    for (i = 0; sp && sp[i].name; i++) {
        strbuf_addf(sb, "%s{\"name\":\"%s\",\"type\":\"%s\",\"repeatable\":%s", i ? "," : "",
                    sp[i].name, types[sp[i].type], sp[i].repeat ? "true" : "false");
        if (sp[i].choices) {
            strbuf_adds(sb, ",\"choices\":");
            strbuf_add_json_str(sb, sp[i].choices, strlen(sp[i].choices));
        }
        if (sp[i].type == HTTP_P_UINT || (sp[i].type == HTTP_P_LIST && sp[i].max))
            strbuf_addf(sb, ",\"min\":%lu,\"max\":%lu", sp[i].min, sp[i].max);
        strbuf_addc(sb, '}');
    }
    strbuf_addc(sb, ']');
}

int http_h_analyses(struct http_req *r)
{
    size_t i;

    strbuf_adds(&r->out, "{\"analyses\":[");
    for (i = 0; i < http_nanalyses; i++) {
        const struct http_analysis *a = &http_analyses[i];

        strbuf_addf(&r->out, "%s\n{\"name\":\"%s\",\"summary\":", i ? "," : "", a->name);
        strbuf_add_json_str(&r->out, a->summary, strlen(a->summary));
        strbuf_addf(&r->out, ",\"formats\":[\"json\",\"csv\"%s],\"parameters\":",
                    a->spatial ? ",\"geojson\"" : "");
        spec_json(&r->out, a->params);
        strbuf_addc(&r->out, '}');
    }
    strbuf_adds(&r->out, "]}\n");
    r->ctype = "application/json";
    return 200;
}

int http_h_analysis(struct http_req *r)
{
    const struct http_analysis *a = NULL;
    struct an_result *res;
    struct cscc_err err;
    const char *f;
    int fmt = AN_JSON, rc = 200;
    size_t i;

    cscc_err_clear(&err);
    for (i = 0; i < http_nanalyses; i++)
        if (!strcmp(http_analyses[i].name, r->cap[0]))
            a = &http_analyses[i];
    if (!a)
        return http_error(r, 404, "not_found", NULL, "there is no analysis '%.60s'", r->cap[0]);
    if (r->method == HTTP_POST) {
        if (r->params.n)
            return http_error(r, 400, "bad_request", NULL,
                              "give the parameters in the body or in the query string, not both");
        if (r->body_len &&
            http_parse_json_body(r->body, r->body_len, r->srv->opts->limits.max_json_depth,
                                 &r->params, &err))
            return http_error(r, 400, "bad_body", err.field, "%s", err.msg);
    }
    if (http_params_check(&r->params, a->params, &err))
        return http_error(r, 400, "bad_parameter", err.field, "%s", err.msg);
    if ((f = http_params_get(&r->params, "format")) && (fmt = an_format_by_name(f)) < 0)
        return http_error(r, 400, "bad_parameter", "format", "format is json, csv or geojson");
    if (fmt == AN_GEOJSON && !a->spatial)
        return http_error(r, 400, "bad_parameter", "format",
                          "the %s analysis has no geometries: format is json or csv", a->name);
    if (!a->protect && !http_staff(&r->who)) {
        http_audit(r->srv, &r->who, "authz.denied", a->name, "denied",
                   "an analysis for staff only");
        return http_error(r, 403, "forbidden", NULL, "the %s analysis is for staff only", a->name);
    }
    if (!(res = a->run(r, fmt == AN_GEOJSON, &err)))
        return http_error_from(r, &err);
    /* Not staff: small cells withheld, with what follows from them. */
    if (!http_staff(&r->who) && a->protect(res, &err)) {
        an_result_free(res);
        return http_error_from(r, &err);
    }
    if (an_result_write(res, (enum an_format)fmt, &r->out))
        rc = http_error(r, 507, "out_of_memory", NULL, "the answer is too large");
    else
        r->ctype = fmt == AN_CSV       ? "text/csv; charset=utf-8"
                   : fmt == AN_GEOJSON ? "application/geo+json"
                                       : "application/json";
    if (rc == 200 && fmt == AN_CSV)
        snprintf(r->filename, sizeof(r->filename), "%s.csv", a->name);
    an_result_free(res);
    return rc;
}
