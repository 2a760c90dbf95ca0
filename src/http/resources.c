/* resources.c - the API of src/resources: the capacity gap and funding
 * alignment as public analyses (/api/v1/analyses/capacity-gap and
 * /api/v1/analyses/funding: aggregates by area, sector and strategy, no
 * organization's contacts, no victim's record), funding allocations for City
 * staff, and their edits for coordinators and admins (audited). */
#include "http/http_int.h"

#include "access/audit.h"
#include "access/privacy.h"
#include "analysis/result.h"
#include "analysis/trends.h"
#include "coord/partners.h"
#include "core/json.h"
#include "core/time.h"
#include "resources/resources.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The strategy areas, as the parameters' choices. */
#define STRATEGIES                                                                                 \
    "employment community_revitalization violence_diversion violence_interruption "                \
    "social_services_navigation health_wellness education_youth"

/* ------------------------------------------------------------------------ */
/* The analyses                                                              */
/* ------------------------------------------------------------------------ */

const struct http_param_spec http_gap_params[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"sector", HTTP_P_LIST, 1, 0, 0,
     "healthcare mental_health violence_reduction youth_services victim_services education faith "
     "business elected_officials city_services"},
    {"total", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"verified_only", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_funding_params[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"by", HTTP_P_ENUM, 0, 0, 0, "area area-strategy strategy year quarter"},
    {"strategy", HTTP_P_ENUM, 0, 0, 0, STRATEGIES},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The period of an analysis (from and to are required). */
static int period(struct http_req *r, int64_t *from, int64_t *to, struct cscc_err *err)
{
    const char *f = http_params_get(&r->params, "from"), *t = http_params_get(&r->params, "to");

    if (!f || !t) {
        cscc_err_set(err, CSCC_EINVAL, "give the period: from=YYYY-MM-DD&to=YYYY-MM-DD");
        snprintf(err->field, sizeof(err->field), "%s", f ? "to" : "from");
        return err->code;
    }
    cscc_parse_day(f, from);
    cscc_parse_day(t, to);
    return http_period_check(*from, *to, err);
}

/* The serious victimizations tables the server holds (the victims table when
 * imported, else the crimes' homicides, which need a layer: then unusable). */
struct serious_refs {
    struct serious_tables s;
    struct http_tref *victims, *crimes;
};

static void serious_open(struct http_req *r, struct serious_refs *sr)
{
    struct cscc_err e;

    memset(sr, 0, sizeof(*sr));
    cscc_err_clear(&e);
    if ((sr->victims = http_tables_get(&r->srv->tables, "victims", &e)))
        sr->s.victims = sr->victims->t;
    cscc_err_clear(&e);
    if ((sr->crimes = http_tables_get(&r->srv->tables, "crimes", &e)))
        sr->s.crimes = sr->crimes->t;
}

static void serious_close(struct serious_refs *sr)
{
    if (sr->victims)
        http_tref_put(sr->victims);
    if (sr->crimes)
        http_tref_put(sr->crimes);
}

struct an_result *http_run_capacity_gap(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct res_gap_opts o;
    struct serious_refs sr;
    struct an_result *res;
    struct store *st;
    const char *v;
    size_t i;

    memset(&o, 0, sizeof(o));
    /* The response cache follows the crimes table's generation; organizations and funding
     * change without it, so these answers are not kept. */
    r->no_cache = 1;
    if (period(r, &o.day_from, &o.day_to, err))
        return NULL;
    for (i = 0; i < r->params.n; i++) {
        const char *name = r->params.v[i].name, *s = r->params.v[i].value;

        while (!strcmp(name, "sector") && *s) {
            char code[64];
            size_t n = strcspn(s, ",");
            int k;

            snprintf(code, sizeof(code), "%.*s", (int)(n < 63 ? n : 63), s);
            if ((k = coord_sector_index(code)) >= 0)
                o.sectors |= 1u << k;
            s += n + (s[n] == ',');
        }
    }
    if ((v = http_params_get(&r->params, "total")) && http_parse_bool(v) == 1)
        o.sectors |= RES_GAP_TOTAL;
    if ((v = http_params_get(&r->params, "verified_only")) && http_parse_bool(v) == 1)
        o.verified_only = 1;
    o.with_geometry = geometry;
    if (!(st = http_store_get(r->srv, err)))
        return NULL;
    serious_open(r, &sr);
    res = res_capacity_gap(&sr.s, st, &o, err);
    serious_close(&sr);
    http_store_put(r->srv, st);
    return res;
}

struct an_result *http_run_funding(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct res_funding_opts o;
    struct serious_refs sr;
    struct an_result *res;
    struct store *st;
    const char *v;

    memset(&o, 0, sizeof(o));
    r->no_cache = 1; /* as the capacity gap */
    if (period(r, &o.day_from, &o.day_to, err))
        return NULL;
    if ((v = http_params_get(&r->params, "by")))
        o.by = (enum res_funding_by)res_funding_by_name(v);
    if (geometry && o.by != RES_BY_AREA && o.by != RES_BY_AREA_STRATEGY) {
        cscc_err_set(err, CSCC_EINVAL, "GeoJSON needs by=area or by=area-strategy");
        snprintf(err->field, sizeof(err->field), "format");
        return NULL;
    }
    o.strategy = http_params_get(&r->params, "strategy");
    o.with_geometry = geometry;
    if (!(st = http_store_get(r->srv, err)))
        return NULL;
    serious_open(r, &sr);
    res = res_funding(&sr.s, st, &o, err);
    serious_close(&sr);
    http_store_put(r->srv, st);
    return res;
}

/* ------------------------------------------------------------------------ */
/* What the public sees of the two analyses                                  */
/* ------------------------------------------------------------------------ */

/* The columns derived from an area's serious victimizations. */
static const char *const serious_cols[] = {
    "serious", "burden_per_100k", "burden_score", "gap_index", "explanation", "per_serious", NULL};

static void withhold_row(struct an_result *res, size_t i)
{
    size_t k;

    for (k = 0; serious_cols[k]; k++) {
        int c = an_col_index(res, serious_cols[k]);

        if (c >= 0)
            an_withhold(res, i, (size_t)c);
    }
}

static int small_count(double v)
{
    return isfinite(v) && v >= PRIVACY_MIN_COUNT && v <= PRIVACY_MAX_COUNT;
}

/*
 * Amounts by area and strategy are public City budget facts; the serious
 * victimizations beside them are counts of people. An area's count (a column
 * of areas with its total) goes through privacy_suppress like the other public
 * tables: areas with 1 to 9, and complements, lose the count and every figure
 * derived from it (burden, scores, gap index, explanation, dollars per serious
 * victimization). Without areas (by strategy) the count is the citywide total.
 */
int http_protect_resources(struct an_result *res, struct cscc_err *err)
{
    static const char *const sums[] = {"serious_total", "serious", NULL};
    int cser = an_col_index(res, "serious"), carea = an_col_index(res, "community_area");
    size_t rows = an_nrows(res), i, n = 0, k;
    int idx[256];
    uint64_t cells[256];
    uint8_t supp[257 * 2];
    int rc, total_small = 0;

    for (k = 0; sums[k]; k++)
        if (small_count(an_summary_get(res, sums[k]))) {
            an_withhold_summary(res, sums[k]);
            total_small = 1;
        }
    if (total_small)
        an_withhold_summary(res, "per_serious");
    if (cser < 0 || !rows)
        return 0;
    if (carea < 0) {
        for (i = 0; i < rows; i++)
            if (total_small || small_count(an_cell_num(res, i, (size_t)cser)))
                withhold_row(res, i);
        return 0;
    }
    /* One count per area (rows of an area repeat it, one per sector or strategy). */
    for (k = 0; k < 256; k++)
        idx[k] = -1;
    for (i = 0; i < rows; i++) {
        double a = an_cell_num(res, i, (size_t)carea), v = an_cell_num(res, i, (size_t)cser);

        if (!(a >= 1 && a <= 255) || idx[(int)a] >= 0)
            continue;
        idx[(int)a] = (int)n;
        cells[n++] = isfinite(v) && v > 0 ? (uint64_t)v : 0;
    }
    if (!n)
        return 0;
    if ((rc = privacy_suppress(cells, n, 1, PRIVACY_MIN_COUNT, PRIVACY_MAX_COUNT, supp, NULL, NULL,
                               err)))
        return rc;
    if (supp[n * 2 + 1]) /* the grand total */
        for (k = 0; sums[k]; k++)
            an_withhold_summary(res, sums[k]);
    for (i = 0; i < rows; i++) {
        double a = an_cell_num(res, i, (size_t)carea);

        if (a >= 1 && a <= 255 && idx[(int)a] >= 0 &&
            (supp[idx[(int)a] * 2] || supp[idx[(int)a] * 2 + 1]))
            withhold_row(res, i);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Allocations (staff) and their edits (coordinators, admins)                */
/* ------------------------------------------------------------------------ */

const struct http_param_spec http_funding_list_params[] = {
    {"strategy", HTTP_P_ENUM, 0, 0, 0, STRATEGIES},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"area", HTTP_P_UINT, 0, 1, 254, NULL},
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The fields of an allocation in a JSON body (areas: an array). */
static const struct http_param_spec alloc_body[] = {
    {"ref", HTTP_P_STR, 0, 0, 0, NULL},
    {"source", HTTP_P_STR, 0, 0, 0, NULL},
    {"department", HTTP_P_STR, 0, 0, 0, NULL},
    {"program", HTTP_P_STR, 0, 0, 0, NULL},
    {"strategy", HTTP_P_STR, 0, 0, 0, NULL},
    {"organization", HTTP_P_UINT, 0, 1, 1UL << 62, NULL},
    {"recipient", HTTP_P_STR, 0, 0, 0, NULL},
    {"amount", HTTP_P_STR, 0, 0, 0, NULL},
    {"start", HTTP_P_DATE, 0, 0, 0, NULL},
    {"end", HTTP_P_DATE, 0, 0, 0, NULL},
    {"areas", HTTP_P_UINT, 1, 1, 254, NULL},
    {"notes", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec spend_body[] = {
    {"day", HTTP_P_DATE, 0, 0, 0, NULL},
    {"amount", HTTP_P_STR, 0, 0, 0, NULL},
    {"note", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static int alloc_cb(void *arg, const struct res_alloc *a)
{
    json_t *o = res_alloc_json(a);

    if (!o)
        return CSCC_ENOMEM;
    json_array_append_new(arg, o);
    return 0;
}

/* Writes v (taken) as the JSON answer with status. */
static int answer(struct http_req *r, json_t *v, int status)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;

    json_decref(v);
    if (!text)
        return http_error(r, 507, "out_of_memory", NULL, "the answer is too large");
    strbuf_adds(&r->out, text);
    strbuf_addc(&r->out, '\n');
    free(text); /* allocated by jansson */
    r->ctype = "application/json";
    r->no_cache = 1;
    return status;
}

/* The allocation id of the path, or 0. */
static int64_t path_id(const struct http_req *r)
{
    char *end;
    long long id = strtoll(r->cap[0], &end, 10);

    return r->cap[0][0] && r->cap[0][0] != '+' && !*end && id > 0 ? id : 0;
}

int http_h_funding(struct http_req *r)
{
    struct res_alloc_filter f;
    struct cscc_err err;
    struct store *st;
    const char *v;
    json_t *arr = json_array();
    int rc;

    memset(&f, 0, sizeof(f));
    f.strategy = http_params_get(&r->params, "strategy");
    f.department = http_params_get(&r->params, "department");
    if ((v = http_params_get(&r->params, "area")))
        f.area = (int)strtol(v, NULL, 10);
    if ((v = http_params_get(&r->params, "from")))
        f.has_from = !cscc_parse_day(v, &f.from_day);
    if ((v = http_params_get(&r->params, "to")))
        f.has_to = !cscc_parse_day(v, &f.to_day);
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err))) {
        json_decref(arr);
        return http_error_from(r, &err);
    }
    rc = res_alloc_each(st, &f, alloc_cb, arr, &err);
    http_store_put(r->srv, st);
    if (rc) {
        json_decref(arr);
        return http_error_from(r, &err);
    }
    return answer(r, json_pack("{s:o}", "allocations", arr), 200);
}

int http_h_funding_one(struct http_req *r)
{
    struct cscc_err err;
    struct store *st;
    json_t *arr = json_array(), *spend = json_array(), *o;
    int64_t id = path_id(r);
    int rc;

    if (!id) {
        json_decref(arr);
        json_decref(spend);
        return http_error(r, 404, "not_found", NULL, "there is no allocation '%.20s'", r->cap[0]);
    }
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err))) {
        json_decref(arr);
        json_decref(spend);
        return http_error_from(r, &err);
    }
    rc = res_alloc_get(st, id, alloc_cb, arr, &err);
    if (!rc)
        rc = res_spending_json(st, id, spend, &err);
    http_store_put(r->srv, st);
    if (rc) {
        json_decref(arr);
        json_decref(spend);
        return http_error_from(r, &err);
    }
    o = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    json_object_set_new(o, "spending", spend);
    return answer(r, o, 200);
}

/* Reads a JSON body into the request's parameters and checks them against spec;
 * then checks that the user may edit. 0 or the error's status. */
static int edit_prologue(struct http_req *r, const struct http_param_spec *spec,
                         struct access_actor *who)
{
    struct cscc_err err;

    /* Route min_role lets analysts through (roles are ordered); edits are for
     * coordinators and admins only. */
    if (r->who.role != HTTP_ROLE_COORDINATOR && r->who.role != HTTP_ROLE_ADMIN)
        return http_error(r, 403, "forbidden", NULL,
                          "only a coordinator or an admin may change funding");
    cscc_err_clear(&err);
    if (r->params.n)
        return http_error(r, 400, "bad_request", NULL, "give the fields as a JSON body");
    if (!r->body_len || http_parse_json_body(r->body, r->body_len,
                                             r->srv->opts->limits.max_json_depth, &r->params, &err))
        return http_error(r, 400, "bad_body", err.field, "%s",
                          r->body_len ? err.msg : "the body is a JSON object of fields");
    if (http_params_check(&r->params, spec, &err))
        return http_error(r, 400, "bad_parameter", err.field, "%s", err.msg);
    http_actor(&r->who, who);
    return 0;
}

static int amount_param(struct http_req *r, const char *v, int64_t *cents)
{
    if (!v || res_parse_amount(v, cents))
        return http_error(r, 400, "bad_parameter", "amount", "amount is dollars like \"1234.56\"");
    return 0;
}

int http_h_funding_add(struct http_req *r)
{
    struct access_actor who;
    struct res_alloc a;
    struct cscc_err err;
    struct store *st;
    int areas[RES_MAX_AREAS];
    const char *v;
    json_t *arr;
    int64_t id = 0;
    size_t i;
    int rc;

    if ((rc = edit_prologue(r, alloc_body, &who)))
        return rc;
    memset(&a, 0, sizeof(a));
    a.ref = http_params_get(&r->params, "ref");
    a.source = http_params_get(&r->params, "source");
    a.department = http_params_get(&r->params, "department");
    a.program = http_params_get(&r->params, "program");
    a.strategy = http_params_get(&r->params, "strategy");
    a.recipient = http_params_get(&r->params, "recipient");
    a.notes = http_params_get(&r->params, "notes");
    if ((v = http_params_get(&r->params, "organization")))
        a.org_id = strtoll(v, NULL, 10);
    if ((rc = amount_param(r, http_params_get(&r->params, "amount"), &a.amount_cents)))
        return rc;
    if (!http_params_get(&r->params, "start") || !http_params_get(&r->params, "end"))
        return http_error(r, 400, "bad_parameter", "start", "give the period: start and end");
    cscc_parse_day(http_params_get(&r->params, "start"), &a.start_day);
    cscc_parse_day(http_params_get(&r->params, "end"), &a.end_day);
    for (i = 0; i < r->params.n && a.nareas < RES_MAX_AREAS; i++)
        if (!strcmp(r->params.v[i].name, "areas"))
            areas[a.nareas++] = (int)strtol(r->params.v[i].value, NULL, 10);
    a.areas = areas;
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return http_error_from(r, &err);
    arr = json_array();
    rc = res_alloc_add(st, &who, &a, &id, &err);
    if (!rc)
        rc = res_alloc_get(st, id, alloc_cb, arr, &err);
    http_store_put(r->srv, st);
    if (rc) {
        json_decref(arr);
        return http_error_from(r, &err);
    }
    {
        json_t *o = json_incref(json_array_get(arr, 0));

        json_decref(arr);
        return answer(r, o, 201);
    }
}

int http_h_funding_spend(struct http_req *r)
{
    struct access_actor who;
    struct cscc_err err;
    struct store *st;
    int64_t id = path_id(r), day = 0, cents = 0, sid = 0;
    int rc;

    if (!id)
        return http_error(r, 404, "not_found", NULL, "there is no allocation '%.20s'", r->cap[0]);
    if ((rc = edit_prologue(r, spend_body, &who)) ||
        (rc = amount_param(r, http_params_get(&r->params, "amount"), &cents)))
        return rc;
    if (!http_params_get(&r->params, "day"))
        return http_error(r, 400, "bad_parameter", "day", "give the day of the spending");
    cscc_parse_day(http_params_get(&r->params, "day"), &day);
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return http_error_from(r, &err);
    rc = res_spend(st, &who, id, day, cents, http_params_get(&r->params, "note"), &sid, &err);
    http_store_put(r->srv, st);
    if (rc)
        return http_error_from(r, &err);
    return answer(r,
                  json_pack("{s:I,s:I,s:f}", "spending", (json_int_t)sid, "allocation",
                            (json_int_t)id, "amount", (double)cents / 100.0),
                  201);
}

int http_h_initiatives(struct http_req *r)
{
    struct cscc_err err;
    struct store *st;
    json_t *arr = json_array();
    int rc;

    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err))) {
        json_decref(arr);
        return http_error_from(r, &err);
    }
    rc = res_initiatives_json(st, 0, arr, &err);
    http_store_put(r->srv, st);
    if (rc) {
        json_decref(arr);
        return http_error_from(r, &err);
    }
    return answer(r, json_pack("{s:o}", "initiatives", arr), 200);
}

/* ------------------------------------------------------------------------ */
/* Edits after the fact: PATCH and DELETE of allocations, spending,          */
/* initiatives and milestones; new initiatives and milestones                */
/* ------------------------------------------------------------------------ */

static int editor(struct http_req *r, struct access_actor *who)
{
    if (r->who.role != HTTP_ROLE_COORDINATOR && r->who.role != HTTP_ROLE_ADMIN)
        return http_error(r, 403, "forbidden", NULL,
                          "only a coordinator or an admin may change funding and initiatives");
    http_actor(&r->who, who);
    return 0;
}

/* Reads the JSON object body into *doc; a member not in known (NULL-terminated) is
 * refused naming it. 0 or the error's status. */
static int body_open(struct http_req *r, const char *const *known, json_t **doc)
{
    struct cscc_err err;
    const char *key;
    json_t *v;
    size_t i;

    *doc = NULL;
    cscc_err_clear(&err);
    if (r->params.n)
        return http_error(r, 400, "bad_request", NULL, "give the fields as a JSON body");
    if (!r->body_len)
        return http_error(r, 400, "bad_body", NULL, "the body is a JSON object of fields");
    if (!(*doc = cscc_json_loadb(r->body, r->body_len, r->srv->opts->limits.max_json_depth, &err)))
        return http_error(r, 400, "bad_body", NULL, "%s", err.msg);
    if (!json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        return http_error(r, 400, "bad_body", NULL, "the body is a JSON object of fields");
    }
    json_object_foreach(*doc, key, v)
    {
        for (i = 0; known[i] && strcmp(known[i], key); i++)
            ;
        if (!known[i]) {
            http_error(r, 400, "bad_parameter", key, "there is no field '%.64s' here", key);
            json_decref(*doc);
            *doc = NULL;
            return 400;
        }
    }
    return 0;
}

static int bad_field(struct http_req *r, const char *key, const char *what)
{
    return http_error(r, 400, "bad_parameter", key, "%s is %s", key, what);
}

/* Text member key (null reads as ""): *out NULL when absent. 0 or the status. */
static int j_str(struct http_req *r, json_t *doc, const char *key, const char **out)
{
    json_t *v = json_object_get(doc, key);

    *out = NULL;
    if (!v)
        return 0;
    if (json_is_null(v))
        *out = "";
    else if (json_is_string(v))
        *out = json_string_value(v);
    else
        return bad_field(r, key, "text");
    return 0;
}

/* A day "YYYY-MM-DD"; *has 0 when absent. */
static int j_day(struct http_req *r, json_t *doc, const char *key, int64_t *day, int *has)
{
    json_t *v = json_object_get(doc, key);

    *has = 0;
    if (!v)
        return 0;
    if (!json_is_string(v) || cscc_parse_day(json_string_value(v), day))
        return bad_field(r, key, "a day like \"2024-07-01\"");
    *has = 1;
    return 0;
}

/* Money: a number of dollars or text like "1,234.56". */
static int j_amount(struct http_req *r, json_t *doc, const char *key, int64_t *cents, int *has)
{
    json_t *v = json_object_get(doc, key);
    char buf[64];

    *has = 0;
    if (!v)
        return 0;
    if (json_is_number(v)) {
        double d = json_number_value(v);

        if (!isfinite(d) || d < 0 || d > 1e13)
            return bad_field(r, key, "dollars from 0 to 10,000,000,000,000");
        snprintf(buf, sizeof(buf), "%.2f", d);
    } else if (json_is_string(v)) {
        snprintf(buf, sizeof(buf), "%.60s", json_string_value(v));
    } else {
        return bad_field(r, key, "dollars like 1234.56");
    }
    if (res_parse_amount(buf, cents))
        return bad_field(r, key, "dollars like 1234.56");
    *has = 1;
    return 0;
}

/* A positive id, or null (0). */
static int j_id(struct http_req *r, json_t *doc, const char *key, int64_t *id, int *has)
{
    json_t *v = json_object_get(doc, key);

    *has = 0;
    if (!v)
        return 0;
    if (json_is_null(v))
        *id = 0;
    else if (json_is_integer(v) && json_integer_value(v) > 0)
        *id = json_integer_value(v);
    else
        return bad_field(r, key, "an id (a positive whole number) or null");
    *has = 1;
    return 0;
}

/* An array of positive ids (at most RES_MAX_AREAS). */
static int j_ids(struct http_req *r, json_t *doc, const char *key, int64_t *ids, size_t *n,
                 int *has)
{
    json_t *v = json_object_get(doc, key), *e;
    size_t i;

    *has = 0;
    *n = 0;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > RES_MAX_AREAS)
        return bad_field(r, key, "an array of at most 77 ids");
    json_array_foreach(v, i, e)
    {
        if (!json_is_integer(e) || json_integer_value(e) <= 0)
            return bad_field(r, key, "an array of ids (positive whole numbers)");
        ids[(*n)++] = json_integer_value(e);
    }
    *has = 1;
    return 0;
}

static int j_areas(struct http_req *r, json_t *doc, int *areas, size_t *n, int *has)
{
    int64_t ids[RES_MAX_AREAS];
    size_t i;
    int rc;

    if ((rc = j_ids(r, doc, "areas", ids, n, has)))
        return rc;
    for (i = 0; i < *n; i++) {
        if (ids[i] > 254)
            return bad_field(r, "areas", "an array of community area numbers");
        areas[i] = (int)ids[i];
    }
    return 0;
}

/* The id in the path (or 404 naming what). */
static int64_t path_id_or_404(struct http_req *r, const char *what, int *status)
{
    int64_t id = path_id(r);

    *status =
        id ? 0 : http_error(r, 404, "not_found", NULL, "there is no %s '%.20s'", what, r->cap[0]);
    return id;
}

/* Runs the store part of an edit and answers with kind id as it is now (status 200 or 201),
 * or {"deleted": what, "id": id} when gone. */
struct edit_run {
    int (*fn)(struct store *st, struct edit_run *e, struct cscc_err *err);
    struct access_actor who;
    int64_t id;
    const void *arg;
    unsigned fields;
};

static int init_json_cb(struct store *st, int64_t id, json_t **o, struct cscc_err *err)
{
    json_t *arr = json_array();
    int rc = res_initiatives_json(st, id, arr, err);

    *o = rc ? NULL : json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return rc;
}

static int alloc_json_cb(struct store *st, int64_t id, json_t **o, struct cscc_err *err)
{
    json_t *arr = json_array(), *sp = json_array();
    int rc = res_alloc_get(st, id, alloc_cb, arr, err);

    if (!rc)
        rc = res_spending_json(st, id, sp, err);
    *o = rc ? NULL : json_incref(json_array_get(arr, 0));
    if (*o)
        json_object_set(*o, "spending", sp);
    json_decref(sp);
    json_decref(arr);
    return rc;
}

static int run_edit(struct http_req *r, struct edit_run *e, const char *deleted,
                    int (*show)(struct store *, int64_t, json_t **, struct cscc_err *),
                    int64_t show_id, int status)
{
    struct cscc_err err;
    struct store *st;
    json_t *o = NULL;
    int rc;

    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return http_error_from(r, &err);
    rc = e->fn(st, e, &err);
    if (!rc && show)
        rc = show(st, show_id ? show_id : e->id, &o, &err);
    http_store_put(r->srv, st);
    /* A reference to nothing in the body (a partner, an allocation) is bad input. */
    if (rc == CSCC_ENOENT && err.field[0])
        return http_error(r, 400, "bad_parameter", err.field, "%s", err.msg);
    if (rc)
        return http_error_from(r, &err);
    if (!show)
        o = json_pack("{s:s,s:I}", "deleted", deleted, "id", (json_int_t)e->id);
    return answer(r, o, status);
}

/* DELETE of kind `what` by the id in the path, with fn; answers {"deleted": deleted, "id"}. */
static int delete_route(struct http_req *r, const char *what, const char *deleted,
                        int (*fn)(struct store *, struct edit_run *, struct cscc_err *))
{
    struct edit_run e;
    int rc;

    memset(&e, 0, sizeof(e));
    if (!(e.id = path_id_or_404(r, what, &rc)) || (rc = editor(r, &e.who)))
        return rc;
    e.fn = fn;
    return run_edit(r, &e, deleted, NULL, 0, 200);
}

/* An add or change through a JSON body: the id in the path (when what names one), the
 * editor's role, the body's known fields; read fills the edit (its arg and fields) from the
 * body into the caller's storage; then fn runs and show answers with status. */
struct edit_kind {
    const char *what; /* the kind in the path, or NULL when the path names none */
    const char *const *fields;
    int (*read)(struct http_req *r, json_t *doc, void *body, struct edit_run *e);
    int (*fn)(struct store *st, struct edit_run *e, struct cscc_err *err);
    int (*show)(struct store *, int64_t, json_t **, struct cscc_err *);
    int status;
};

static int edit_route(struct http_req *r, const struct edit_kind *k, void *body)
{
    struct edit_run e;
    json_t *doc;
    int rc;

    memset(&e, 0, sizeof(e));
    if (k->what && !(e.id = path_id_or_404(r, k->what, &rc)))
        return rc;
    if ((rc = editor(r, &e.who)) || (rc = body_open(r, k->fields, &doc)))
        return rc;
    if (!(rc = k->read(r, doc, body, &e))) {
        e.fn = k->fn;
        rc = run_edit(r, &e, NULL, k->show, 0, k->status);
    }
    json_decref(doc);
    return rc;
}

/* ---- allocations ---- */

static const char *const alloc_patch_fields[] = {
    "source", "department", "program", "strategy", "organization", "recipient",
    "amount", "start",      "end",     "areas",    "notes",        NULL};

struct alloc_patch {
    struct res_alloc a;
    int areas[RES_MAX_AREAS];
    char recipient[256];
};

static int cur_alloc_cb(void *arg, const struct res_alloc *a)
{
    struct alloc_patch *p = arg;

    p->a.org_id = a->org_id;
    snprintf(p->recipient, sizeof(p->recipient), "%s", a->recipient ? a->recipient : "");
    p->a.recipient = p->recipient;
    p->a.start_day = a->start_day;
    p->a.end_day = a->end_day;
    return 0;
}

static int do_alloc_patch(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_alloc_update(st, &e->who, e->id, e->arg, e->fields, err);
}

int http_h_funding_patch(struct http_req *r)
{
    struct alloc_patch p;
    struct edit_run e;
    struct cscc_err err;
    struct store *st;
    json_t *doc;
    int rc, has, has_org, has_start, has_end;
    int64_t org = 0, start = 0, end = 0;
    const char *recipient;

    memset(&e, 0, sizeof(e));
    memset(&p, 0, sizeof(p));
    if (!(e.id = path_id_or_404(r, "allocation", &rc)))
        return rc;
    if ((rc = editor(r, &e.who)) || (rc = body_open(r, alloc_patch_fields, &doc)))
        return rc;
    {
        static const char *const names[] = {"source", "department", "program", "strategy", "notes"};
        static const unsigned bits[] = {RES_A_SOURCE, RES_A_DEPARTMENT, RES_A_PROGRAM,
                                        RES_A_STRATEGY, RES_A_NOTES};
        const char **dst[] = {&p.a.source, &p.a.department, &p.a.program, &p.a.strategy,
                              &p.a.notes};

        for (size_t i = 0; i < 5; i++) {
            if ((rc = j_str(r, doc, names[i], dst[i])))
                goto out;
            if (*dst[i])
                e.fields |= bits[i];
        }
    }
    if ((rc = j_str(r, doc, "recipient", &recipient)) ||
        (rc = j_id(r, doc, "organization", &org, &has_org)) ||
        (rc = j_amount(r, doc, "amount", &p.a.amount_cents, &has)))
        goto out;
    if (has)
        e.fields |= RES_A_AMOUNT;
    if ((rc = j_day(r, doc, "start", &start, &has_start)) ||
        (rc = j_day(r, doc, "end", &end, &has_end)) ||
        (rc = j_areas(r, doc, p.areas, &p.a.nareas, &has)))
        goto out;
    p.a.areas = p.areas;
    if (has)
        e.fields |= RES_A_AREAS;
    if (recipient || has_org || has_start || has_end) {
        /* The recipient and the period are stored in pairs: the half not given is kept. */
        cscc_err_clear(&err);
        if (!(st = http_store_get(r->srv, &err))) {
            rc = http_error_from(r, &err);
            goto out;
        }
        rc = res_alloc_get(st, e.id, cur_alloc_cb, &p, &err);
        http_store_put(r->srv, st);
        if (rc) {
            rc = http_error_from(r, &err);
            goto out;
        }
        if (recipient || has_org) {
            e.fields |= RES_A_RECIPIENT;
            if (has_org)
                p.a.org_id = org;
            if (recipient)
                p.a.recipient = recipient;
        }
        if (has_start || has_end) {
            e.fields |= RES_A_PERIOD;
            if (has_start)
                p.a.start_day = start;
            if (has_end)
                p.a.end_day = end;
        }
    }
    if (!e.fields) {
        rc = http_error(r, 400, "bad_body", NULL,
                        "nothing to change: give one or more of the "
                        "allocation's fields (ref cannot change)");
        goto out;
    }
    e.fn = do_alloc_patch;
    e.arg = &p.a;
    rc = run_edit(r, &e, NULL, alloc_json_cb, 0, 200);
out:
    json_decref(doc);
    return rc;
}

static int do_alloc_delete(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_alloc_delete(st, &e->who, e->id, err);
}

int http_h_funding_delete(struct http_req *r)
{
    return delete_route(r, "allocation", "allocation", do_alloc_delete);
}

/* ---- spending ---- */

static const char *const spend_fields[] = {"day", "amount", "note", NULL};

static int do_spend_patch(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_spend_update(st, &e->who, e->id, e->arg, err);
}

static int spend_show(struct store *st, int64_t id, json_t **o, struct cscc_err *err)
{
    return res_spending_one_json(st, id, o, err);
}

static int read_spend(struct http_req *r, json_t *doc, void *body, struct edit_run *e)
{
    struct res_spend_edit *se = body;
    int rc;

    if ((rc = j_day(r, doc, "day", &se->day, &se->has_day)) ||
        (rc = j_amount(r, doc, "amount", &se->cents, &se->has_amount)) ||
        (rc = j_str(r, doc, "note", &se->note)))
        return rc;
    e->arg = se;
    return 0;
}

int http_h_spending_patch(struct http_req *r)
{
    static const struct edit_kind k = {"spending entry", spend_fields, read_spend,
                                       do_spend_patch,   spend_show,   200};
    struct res_spend_edit se;

    memset(&se, 0, sizeof(se));
    return edit_route(r, &k, &se);
}

static int do_spend_delete(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_spend_delete(st, &e->who, e->id, err);
}

int http_h_spending_delete(struct http_req *r)
{
    return delete_route(r, "spending entry", "spending", do_spend_delete);
}

/* ---- initiatives ---- */

static const char *const init_fields[] = {"name",  "description", "lead",    "status",
                                          "areas", "partners",    "funding", NULL};

struct init_body {
    struct res_initiative in;
    int areas[RES_MAX_AREAS];
    int64_t partners[RES_MAX_AREAS], funding[RES_MAX_AREAS];
};

/* Reads an initiative's fields; *fields gets the RES_I_* bits of those given. */
static int read_initiative(struct http_req *r, json_t *doc, struct init_body *b, unsigned *fields)
{
    int rc, has;

    *fields = 0;
    if ((rc = j_str(r, doc, "name", &b->in.name)) ||
        (rc = j_str(r, doc, "description", &b->in.description)) ||
        (rc = j_str(r, doc, "status", &b->in.status)))
        return rc;
    *fields |= (b->in.name ? RES_I_NAME : 0) | (b->in.description ? RES_I_DESCRIPTION : 0) |
               (b->in.status ? RES_I_STATUS : 0);
    if ((rc = j_id(r, doc, "lead", &b->in.lead_org_id, &has)))
        return rc;
    *fields |= has ? RES_I_LEAD : 0;
    if ((rc = j_areas(r, doc, b->areas, &b->in.nareas, &has)))
        return rc;
    *fields |= has ? RES_I_AREAS : 0;
    if ((rc = j_ids(r, doc, "partners", b->partners, &b->in.npartners, &has)))
        return rc;
    *fields |= has ? RES_I_PARTNERS : 0;
    if ((rc = j_ids(r, doc, "funding", b->funding, &b->in.nfunding, &has)))
        return rc;
    *fields |= has ? RES_I_FUNDING : 0;
    b->in.areas = b->areas;
    b->in.partners = b->partners;
    b->in.funding = b->funding;
    return 0;
}

static int do_init_add(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_initiative_add(st, &e->who, e->arg, &e->id, err);
}

static int read_init_add(struct http_req *r, json_t *doc, void *body, struct edit_run *e)
{
    struct init_body *b = body;
    int rc = read_initiative(r, doc, b, &e->fields);

    if (!rc && !b->in.status)
        b->in.status = "proposed";
    e->arg = &b->in;
    return rc;
}

int http_h_initiative_add(struct http_req *r)
{
    static const struct edit_kind k = {NULL,        init_fields,  read_init_add,
                                       do_init_add, init_json_cb, 201};
    struct init_body b;

    memset(&b, 0, sizeof(b));
    return edit_route(r, &k, &b);
}

int http_h_initiative_one(struct http_req *r)
{
    struct cscc_err err;
    struct store *st;
    json_t *o = NULL;
    int64_t id;
    int rc;

    if (!(id = path_id_or_404(r, "initiative", &rc)))
        return rc;
    cscc_err_clear(&err);
    if (!(st = http_store_get(r->srv, &err)))
        return http_error_from(r, &err);
    rc = init_json_cb(st, id, &o, &err);
    http_store_put(r->srv, st);
    return rc ? http_error_from(r, &err) : answer(r, o, 200);
}

static int do_init_patch(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_initiative_update(st, &e->who, e->id, e->arg, e->fields, err);
}

static int read_init_patch(struct http_req *r, json_t *doc, void *body, struct edit_run *e)
{
    struct init_body *b = body;

    e->arg = &b->in;
    return read_initiative(r, doc, b, &e->fields);
}

int http_h_initiative_patch(struct http_req *r)
{
    static const struct edit_kind k = {"initiative",  init_fields,  read_init_patch,
                                       do_init_patch, init_json_cb, 200};
    struct init_body b;

    memset(&b, 0, sizeof(b));
    return edit_route(r, &k, &b);
}

static int do_init_delete(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_initiative_delete(st, &e->who, e->id, err);
}

int http_h_initiative_delete(struct http_req *r)
{
    return delete_route(r, "initiative", "initiative", do_init_delete);
}

/* ---- milestones ---- */

static const char *const ms_fields[] = {"title", "due", "status", "day", NULL};

struct ms_body {
    const char *title, *status;
    int has_due, has_day;
    int64_t due, day, init;
};

static int read_milestone(struct http_req *r, json_t *doc, void *body, struct edit_run *e)
{
    struct ms_body *m = body;
    int rc;

    e->arg = m;

    if ((rc = j_str(r, doc, "title", &m->title)) || (rc = j_str(r, doc, "status", &m->status)) ||
        (rc = j_day(r, doc, "due", &m->due, &m->has_due)) ||
        (rc = j_day(r, doc, "day", &m->day, &m->has_day)))
        return rc;
    if (!m->has_day)
        m->day = cscc_day_of(access_now());
    return 0;
}

static int do_ms_add(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    struct ms_body *m = (struct ms_body *)e->arg;
    int64_t mid = 0;
    int rc;

    if (!m->has_due) {
        cscc_err_set(err, CSCC_EINVAL, "give the milestone's due day");
        snprintf(err->field, sizeof(err->field), "due");
        return err->code;
    }
    if ((rc = res_milestone_add(st, &e->who, e->id, m->title, m->due, &mid, err)))
        return rc;
    if (m->status && strcmp(m->status, "planned"))
        rc = res_milestone_update(st, &e->who, mid, NULL, 0, 0, m->status, m->day, err);
    return rc;
}

int http_h_milestone_add(struct http_req *r)
{
    static const struct edit_kind k = {"initiative", ms_fields,    read_milestone,
                                       do_ms_add,    init_json_cb, 201};
    struct ms_body m;

    memset(&m, 0, sizeof(m));
    return edit_route(r, &k, &m);
}

static int do_ms_patch(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    const struct ms_body *m = e->arg;

    return res_milestone_update(st, &e->who, e->id, m->title, m->has_due, m->due, m->status, m->day,
                                err);
}

static int ms_show(struct store *st, int64_t id, json_t **o, struct cscc_err *err)
{
    return res_milestone_json(st, id, o, err);
}

int http_h_milestone_patch(struct http_req *r)
{
    static const struct edit_kind k = {"milestone", ms_fields, read_milestone,
                                       do_ms_patch, ms_show,   200};
    struct ms_body m;

    memset(&m, 0, sizeof(m));
    return edit_route(r, &k, &m);
}

static int do_ms_delete(struct store *st, struct edit_run *e, struct cscc_err *err)
{
    return res_milestone_delete(st, &e->who, e->id, err);
}

int http_h_milestone_delete(struct http_req *r)
{
    return delete_route(r, "milestone", "milestone", do_ms_delete);
}
