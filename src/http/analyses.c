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
#include "analysis/result.h"
#include "core/json.h"
#include "store/store.h"

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
/* The table                                                                 */
/* ------------------------------------------------------------------------ */

const struct http_analysis http_analyses[] = {
    {"counts", "incidents counted by area, period, type (the parameters of /api/v1/counts)",
     http_counts_params, 1, run_counts},
    {"capacity-gap",
     "violence burden against partner capacity per area and sector, ranked (src/resources)",
     http_gap_params, 1, http_run_capacity_gap},
    {"funding", "funding per resident and per serious victimization; priority share; change",
     http_funding_params, 1, http_run_funding},
};

const size_t http_nanalyses = sizeof(http_analyses) / sizeof(http_analyses[0]);

/* ------------------------------------------------------------------------ */
/* Handlers                                                                  */
/* ------------------------------------------------------------------------ */

static void spec_json(struct strbuf *sb, const struct http_param_spec *sp)
{
    static const char *const types[] = {"string", "date", "boolean", "integer", "enum", "list"};
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
    if (!(res = a->run(r, fmt == AN_GEOJSON, &err)))
        return http_error_from(r, &err);
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
