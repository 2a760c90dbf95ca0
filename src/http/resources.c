/* resources.c - the API of src/resources: the capacity gap and funding
 * alignment as public analyses (/api/v1/analyses/capacity-gap and
 * /api/v1/analyses/funding: aggregates by area, sector and strategy, no
 * organization's contacts, no victim's record), funding allocations for City
 * staff, and their edits for coordinators and admins (audited). */
#include "http/http_int.h"

#include "access/audit.h"
#include "analysis/result.h"
#include "analysis/trends.h"
#include "coord/partners.h"
#include "core/json.h"
#include "core/time.h"
#include "resources/resources.h"
#include "store/store.h"

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
    return 0;
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
    memset(who, 0, sizeof(*who));
    snprintf(who->name, sizeof(who->name), "%s", r->who.user[0] ? r->who.user : "anonymous");
    snprintf(who->address, sizeof(who->address), "http");
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
