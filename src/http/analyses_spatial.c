/* analyses_spatial.c - the spatial analyses over the API: kde, gistar,
 * moran, knox, rtm and pai under /api/v1/analyses/{name}, with the options of
 * `cscc analyze NAME` as parameters (spelt with '_' for '-'). Options,
 * defaults and tables are the CLI's own (src/analysis/spatial.h and
 * NAME_result.c); this file reads the request into them, opens the tables,
 * and applies the public limits (what suppress.c withholds comes after):
 *  - the public reads the crimes table only: layer, victims and weight are
 *    for staff (a layer may hold victim-level points);
 *  - a public KDE has a bandwidth of HTTP_PUBLIC_MIN_BANDWIDTH metres or
 *    more (given or from the default rule): no surface sharper than a block;
 *  - knox: at most HTTP_PUBLIC_KNOX_ITERATIONS iterations and
 *    HTTP_PUBLIC_KNOX_EVENTS events for the public, HTTP_KNOX_ITERATIONS
 *    for staff (the CLI goes further), so one request stays in seconds;
 *  - rtm and pai are for staff only (their rows in http_analyses[] have no
 *    protect function): rtm's factors are layers, and both tables hold
 *    incident counts per grid cell. */
#include "http/http_int.h"

#include "analysis/gistar.h"
#include "analysis/kde.h"
#include "analysis/knox.h"
#include "analysis/moran.h"
#include "analysis/pai.h"
#include "analysis/result.h"
#include "analysis/rtm.h"
#include "core/alloc.h"

#include <stdio.h>
#include <string.h>

#define HTTP_PUBLIC_MIN_BANDWIDTH   200.0
#define HTTP_PUBLIC_KNOX_ITERATIONS 99
#define HTTP_PUBLIC_KNOX_EVENTS     100000
#define HTTP_KNOX_ITERATIONS        999

/* The parameters every spatial analysis takes: the filters of counts, the
 * points, the CRS and the format; GRID_PARAMS for those on a grid. */
#define SPATIAL_PARAMS                                                                             \
    {"from", HTTP_P_DATE, 0, 0, 0, NULL}, {"to", HTTP_P_DATE, 0, 0, 0, NULL},                      \
        {"category", HTTP_P_STR, 0, 0, 0, NULL}, {"type", HTTP_P_STR, 1, 0, 0, NULL},              \
        {"fbi", HTTP_P_STR, 1, 0, 0, NULL}, {"area", HTTP_P_LIST, 1, 1, 254, NULL},                \
        {"priority", HTTP_P_BOOL, 0, 0, 0, NULL}, {"layer", HTTP_P_STR, 0, 0, 0, NULL},            \
        {"victims", HTTP_P_BOOL, 0, 0, 0, NULL}, {"weight", HTTP_P_STR, 0, 0, 0, NULL},            \
        {"crs", HTTP_P_STR, 0, 0, 0, NULL},                                                        \
    {                                                                                              \
        "format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"                                         \
    }
#define GRID_PARAMS                                                                                \
    {"cell", HTTP_P_STR, 0, 0, 0, NULL}, {"grid", HTTP_P_STR, 0, 0, 0, NULL},                      \
    {                                                                                              \
        "extent", HTTP_P_ENUM, 0, 0, 0, "areas points"                                             \
    }

const struct http_param_spec http_kde_params[] = {
    SPATIAL_PARAMS,
    GRID_PARAMS,
    {"bandwidth", HTTP_P_STR, 0, 0, 0, NULL},
    {"exact", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"all_cells", HTTP_P_BOOL, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_gistar_params[] = {
    SPATIAL_PARAMS,
    GRID_PARAMS,
    {"distance", HTTP_P_STR, 0, 0, 0, NULL},
    {"knn", HTTP_P_UINT, 0, 1, 10000, NULL},
    {"no_fdr", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"areas", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"rook", HTTP_P_BOOL, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_moran_params[] = {
    SPATIAL_PARAMS,
    {"rate", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"rook", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"permutations", HTTP_P_UINT, 0, 0, 99999, NULL},
    {"seed", HTTP_P_STR, 0, 0, 0, NULL},
    {"alpha", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_knox_params[] = {
    SPATIAL_PARAMS,
    {"space_band", HTTP_P_STR, 0, 0, 0, NULL},
    {"space_bands", HTTP_P_UINT, 0, 1, 64, NULL},
    {"time_band", HTTP_P_UINT, 0, 1, 3650, NULL},
    {"time_bands", HTTP_P_UINT, 0, 1, 63, NULL},
    {"iterations", HTTP_P_UINT, 0, 1, HTTP_KNOX_ITERATIONS, NULL},
    {"seed", HTTP_P_STR, 0, 0, 0, NULL},
    {"metric", HTTP_P_ENUM, 0, 0, 0, "euclidean manhattan"},
    {"intervals", HTTP_P_ENUM, 0, 0, 0, "labelled nrc"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_rtm_params[] = {
    SPATIAL_PARAMS,
    GRID_PARAMS,
    {"proximity", HTTP_P_STR, 1, 0, 0, NULL},
    {"density", HTTP_P_STR, 1, 0, 0, NULL},
    {"distance", HTTP_P_STR, 1, 0, 0, NULL},
    {"table", HTTP_P_ENUM, 0, 0, 0, "cells factors"},
    {NULL, 0, 0, 0, 0, NULL},
};

const struct http_param_spec http_pai_params[] = {
    SPATIAL_PARAMS,
    GRID_PARAMS,
    {"train_from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"train_to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"test_from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"test_to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"method", HTTP_P_ENUM, 0, 0, 0, "count kde gistar"},
    {"coverage", HTTP_P_STR, 0, 0, 0, NULL},
    {"bandwidth", HTTP_P_STR, 0, 0, 0, NULL},
    {"distance", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* What a spatial request holds while it runs. */
struct sp_req {
    struct an_spatial sp;
    struct store *st;
    struct http_tref *t;
};

typedef int (*sp_option_fn)(void *args, const char *name, const char *value, struct cscc_err *err);

static int refuse(struct cscc_err *err, int code, const char *field, const char *msg)
{
    cscc_err_set(err, code, "%s", msg);
    cscc_err_at(err, NULL, 0, 0, field);
    return code;
}

static int is_filter(const char *name)
{
    static const char *const f[] = {"from", "to",   "category", "type",
                                    "fbi",  "area", "priority", "format"};
    size_t i;

    for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (!strcmp(name, f[i]))
            return 1;
    return 0;
}

/* Reads the request into x (the analysis's own options through opt), opens
 * the store, the points' table and the CRS. */
static int sp_open(struct http_req *r, struct sp_req *x, int grid, sp_option_fn opt, void *args,
                   struct cscc_err *err)
{
    char name[64];
    size_t i;

    memset(x, 0, sizeof(*x));
    an_spatial_init(&x->sp);
    if (http_counts_query(r, &x->sp.q.f, err))
        return err->code;
    for (i = 0; i < r->params.n; i++) {
        const char *n = r->params.v[i].name, *v = r->params.v[i].value;
        int got;

        if (is_filter(n))
            continue;
        if ((got = an_spatial_option(&x->sp, grid, n, v, err)) == 0)
            got = opt(args, n, v, err);
        if (got < 0)
            return err->code;
    }
    if (!http_staff(&r->who) && (x->sp.q.source != AN_SRC_CRIMES || x->sp.q.weight))
        return refuse(err, CSCC_EPERM,
                      x->sp.q.weight  ? "weight"
                      : x->sp.q.layer ? "layer"
                                      : "victims",
                      "the public analyses read the crimes table: layers, victims and weights "
                      "are for staff");
    if (x->sp.q.weight && x->sp.q.source != AN_SRC_LAYER)
        return refuse(err, CSCC_EINVAL, "weight", "weight goes with layer");
    if (analysis_points_table(&x->sp.q, name, sizeof(name), err)) {
        cscc_err_at(err, NULL, 0, 0, "layer");
        return err->code;
    }
    if (x->sp.q.source != AN_SRC_CRIMES)
        r->no_cache = 1; /* the answer depends on another table */
    if (x->sp.q.source == AN_SRC_VICTIMS)
        http_audit(r->srv, &r->who, "read.sensitive", "table:victims", "ok",
                   "a spatial analysis over HTTP: victims' records");
    if (!(x->t = http_tables_get(&r->srv->tables, name, err))) {
        if (err->code == CSCC_ENOENT)
            refuse(err, CSCC_ENOENT, x->sp.q.source == AN_SRC_LAYER ? "layer" : "victims",
                   x->sp.q.source == AN_SRC_LAYER ? "no layer of that name has been imported"
                                                  : "no such table has been imported yet");
        return err->code;
    }
    if (!(x->st = http_store_get(r->srv, err)))
        return err->code;
    return an_spatial_open(&x->sp, x->st, x->t->t, err);
}

static void sp_close(struct http_req *r, struct sp_req *x)
{
    an_spatial_release(&x->sp);
    http_tref_put(x->t);
    if (x->st)
        http_store_put(r->srv, x->st);
}

/* ------------------------------------------------------------------------ */

static int kde_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_kde_option(a, name, value, err);
}

struct an_result *http_run_kde(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_kde_args ka;
    struct an_kde k;
    struct an_grid g;
    struct an_result *res = NULL;
    int pub = !http_staff(&r->who);

    (void)geometry;
    analysis_kde_args_init(&ka);
    memset(&k, 0, sizeof(k));
    if (sp_open(r, &x, 1, kde_opt, &ka, err) || an_spatial_require(&x.sp, 0, AN_SPELL_API, err))
        goto out;
    if (x.sp.gnx && x.sp.cell) {
        refuse(err, CSCC_EINVAL, "grid", "give cell or grid, not both");
        goto out;
    }
    if (pub && ka.o.bandwidth > 0 && ka.o.bandwidth < HTTP_PUBLIC_MIN_BANDWIDTH) {
        refuse(err, CSCC_EPERM, "bandwidth",
               "a public kernel density has a bandwidth of 200 m or more");
        goto out;
    }
    if (analysis_kde_prepare(&x.sp, &ka, &g, err) || analysis_kde(&x.sp.src, &g, &ka.o, &k, err))
        goto out;
    if (pub && k.bandwidth < HTTP_PUBLIC_MIN_BANDWIDTH) {
        refuse(err, CSCC_EPERM, "bandwidth",
               "the default bandwidth of this selection is under 200 m, finer than a public "
               "kernel density may be: give a bandwidth of 200 m or more");
        goto out;
    }
    res = analysis_kde_result(&x.sp, &ka, &g, &k, err);
out:
    analysis_kde_release(&k);
    sp_close(r, &x);
    return res;
}

static int gistar_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_gistar_option(a, name, value, err);
}

struct an_result *http_run_gistar(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_gistar_args ga;
    struct an_gistar gs;
    struct an_grid g;
    struct an_result *res = NULL;
    uint8_t *cell_area = NULL;

    (void)geometry;
    analysis_gistar_args_init(&ga);
    memset(&gs, 0, sizeof(gs));
    memset(&g, 0, sizeof(g));
    if (sp_open(r, &x, 1, gistar_opt, &ga, err) || analysis_gistar_check(&x.sp, &ga, err) ||
        an_spatial_require(&x.sp, ga.areas, AN_SPELL_API, err))
        goto out;
    if (x.sp.gnx && x.sp.cell) {
        refuse(err, CSCC_EINVAL, "grid", "give cell or grid, not both");
        goto out;
    }
    if (analysis_gistar_prepare(&x.sp, &ga, &g, err) ||
        analysis_gistar_run(&x.sp, &ga, &g, &cell_area, &gs, err))
        goto out;
    res = analysis_gistar_result(&x.sp, &ga, &g, cell_area, &gs, err);
out:
    analysis_gistar_release(&gs);
    cscc_free(cell_area);
    sp_close(r, &x);
    return res;
}

static int moran_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_moran_option(a, name, value, err);
}

struct an_result *http_run_moran(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_moran_opts o;
    struct an_moran m;
    struct an_result *res = NULL;

    (void)geometry;
    analysis_moran_args_init(&o);
    memset(&m, 0, sizeof(m));
    if (sp_open(r, &x, 0, moran_opt, &o, err) || an_spatial_require(&x.sp, 1, AN_SPELL_API, err))
        goto out;
    o.threads = x.sp.threads;
    if (an_spatial_city(&x.sp, err) || analysis_moran_areas(&x.sp.src, &x.sp.city, &o, &m, err))
        goto out;
    res = analysis_moran_result(&x.sp, &o, &m);
out:
    analysis_moran_release(&m);
    sp_close(r, &x);
    return res;
}

static int knox_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_knox_option(a, name, value, err);
}

struct an_result *http_run_knox(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_knox_opts o;
    struct an_knox k;
    struct an_knox_events e;
    struct an_result *res = NULL;
    int pub = !http_staff(&r->who);

    (void)geometry;
    analysis_knox_args_init(&o);
    memset(&k, 0, sizeof(k));
    memset(&e, 0, sizeof(e));
    if (sp_open(r, &x, 0, knox_opt, &o, err) || an_spatial_require(&x.sp, 0, AN_SPELL_API, err))
        goto out;
    if (pub && o.iterations > HTTP_PUBLIC_KNOX_ITERATIONS) {
        refuse(err, CSCC_EPERM, "iterations",
               "a public knox test runs at most 99 iterations; sign in as staff for more");
        goto out;
    }
    o.threads = x.sp.threads;
    if (analysis_knox_events(&x.sp, x.t->t, &e, err))
        goto out;
    if (pub && e.n > HTTP_PUBLIC_KNOX_EVENTS) {
        cscc_err_set(err, CSCC_ELIMIT,
                     "the selection has %zu events; a public knox test takes at most %d: "
                     "choose a shorter period, a type or an area",
                     e.n, HTTP_PUBLIC_KNOX_EVENTS);
        cscc_err_at(err, NULL, 0, 0, "from");
        goto out;
    }
    if (analysis_knox(e.x, e.y, e.day, e.n, &o, &k, err))
        goto out;
    res = analysis_knox_result(&x.sp, &o, &e, &k);
out:
    analysis_knox_release(&k);
    analysis_knox_events_release(&e);
    sp_close(r, &x);
    return res;
}

static int rtm_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_rtm_option(a, name, value, err);
}

struct an_result *http_run_rtm(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_rtm_args ra;
    struct an_rtm rt;
    struct an_grid g;
    struct http_tref *lt[AN_RTM_MAX_FACTORS];
    const struct colstore_table *t[AN_RTM_MAX_FACTORS];
    struct an_result *res = NULL;
    uint8_t *cell_area = NULL;
    size_t k;

    (void)geometry;
    analysis_rtm_args_init(&ra);
    memset(&rt, 0, sizeof(rt));
    memset(lt, 0, sizeof(lt));
    if (sp_open(r, &x, 1, rtm_opt, &ra, err) || analysis_rtm_check(&ra, err) ||
        an_spatial_require(&x.sp, 0, AN_SPELL_API, err) || an_spatial_grid(&x.sp, 150, &g, err))
        goto out;
    r->no_cache = 1; /* the answer depends on the layers */
    for (k = 0; k < ra.nf; k++) {
        char name[64];

        if (analysis_rtm_factor_table(&ra, k, name, sizeof(name), err))
            goto out;
        if (!(lt[k] = http_tables_get(&r->srv->tables, name, err))) {
            if (err->code == CSCC_ENOENT)
                refuse(err, CSCC_ENOENT, analysis_rtm_kind_name(ra.f[k].kind),
                       "no layer of that name has been imported");
            goto out;
        }
        t[k] = lt[k]->t;
    }
    if (analysis_rtm_run(&x.sp, &ra, &g, t, &cell_area, &rt, err))
        goto out;
    res = analysis_rtm_result(&x.sp, &ra, &g, cell_area, &rt, err);
out:
    analysis_rtm_release(&rt);
    cscc_free(cell_area);
    for (k = 0; k < ra.nf; k++)
        http_tref_put(lt[k]);
    sp_close(r, &x);
    return res;
}

static int pai_opt(void *a, const char *name, const char *value, struct cscc_err *err)
{
    return analysis_pai_option(a, name, value, err);
}

struct an_result *http_run_pai(struct http_req *r, int geometry, struct cscc_err *err)
{
    struct sp_req x;
    struct an_pai_args pa;
    struct an_pai p;
    struct an_grid g;
    struct an_result *res = NULL;
    uint8_t *cell_area = NULL;

    (void)geometry;
    analysis_pai_args_init(&pa);
    memset(&p, 0, sizeof(p));
    if (sp_open(r, &x, 1, pai_opt, &pa, err) || analysis_pai_check(&x.sp, &pa, err) ||
        an_spatial_grid(&x.sp, 250, &g, err) ||
        analysis_pai_run(&x.sp, &pa, &g, &cell_area, &p, err))
        goto out;
    res = analysis_pai_result(&x.sp, &pa, &g, cell_area, &p, err);
out:
    analysis_pai_release(&p);
    cscc_free(cell_area);
    sp_close(r, &x);
    return res;
}
