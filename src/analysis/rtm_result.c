/* rtm_result.c - `analyze rtm` for the command line and the API: its
 * options by name, its factors' layers, and its result as a table
 * (analysis/result.h). */
#include "analysis/rtm.h"

#include "analysis/result.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The normal quantile of a 95 % interval. */
#define Z975 1.959963984540054

void analysis_rtm_args_init(struct an_rtm_args *a)
{
    memset(a, 0, sizeof(*a));
}

const char *analysis_rtm_kind_name(enum an_rtm_kind k)
{
    return k == AN_RTM_PROXIMITY ? "proximity" : k == AN_RTM_DENSITY ? "density" : "distance";
}

/* Factor k's own column: KIND_LAYER, numbered when a layer comes twice in
 * one kind (proximity_bars, proximity_bars_2). */
static void factor_column(struct an_rtm_args *a, size_t k)
{
    const char *kind = analysis_rtm_kind_name(a->f[k].kind);
    size_t j, same = 0;

    for (j = 0; j < k; j++)
        same += a->f[j].kind == a->f[k].kind && !strcmp(a->names[j], a->names[k]);
    if (same)
        snprintf(a->col[k], sizeof(a->col[k]), "%s_%s_%zu", kind, a->names[k], same + 1);
    else
        snprintf(a->col[k], sizeof(a->col[k]), "%s_%s", kind, a->names[k]);
}

int analysis_rtm_option(struct an_rtm_args *a, const char *name, const char *value,
                        struct cscc_err *err)
{
    enum an_rtm_kind kind;
    const char *colon;
    size_t len;
    struct an_rtm_factor *f;

    if (an_opt_is(name, "table")) {
        if (value && !strcmp(value, "cells"))
            a->factors_table = 0;
        else if (value && !strcmp(value, "factors"))
            a->factors_table = 1;
        else
            return an_opt_bad(err, name, "is cells or factors, not '%s'", value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "proximity"))
        kind = AN_RTM_PROXIMITY;
    else if (an_opt_is(name, "density"))
        kind = AN_RTM_DENSITY;
    else if (an_opt_is(name, "distance"))
        kind = AN_RTM_DISTANCE;
    else
        return 0;
    if (!value)
        value = "";
    if (a->nf == AN_RTM_MAX_FACTORS)
        return an_opt_bad(err, name, "makes too many factors: at most %d in all",
                          AN_RTM_MAX_FACTORS);
    colon = strchr(value, ':');
    len = colon ? (size_t)(colon - value) : strlen(value);
    f = &a->f[a->nf];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    if (kind == AN_RTM_PROXIMITY && (!colon || !len))
        return an_opt_bad(err, name, "takes LAYER:METRES, not '%s'", value);
    if (kind == AN_RTM_DISTANCE && colon)
        return an_opt_bad(err, name, "takes a layer's name (no ':METRES'), not '%s'", value);
    if (!len || len >= sizeof(a->names[0]))
        return an_opt_bad(err, name, "takes a layer's name%s, not '%s'",
                          kind == AN_RTM_DENSITY ? " (LAYER or LAYER:METRES)" : "", value);
    if (colon && an_opt_double(colon + 1, 1e-3, 1e6, &f->param))
        return an_opt_bad(err, name, "'%s': the distance after ':' is metres above 0", value);
    memcpy(a->names[a->nf], value, len);
    a->names[a->nf][len] = '\0';
    f->name = a->names[a->nf];
    factor_column(a, a->nf);
    a->nf++;
    return 1;
}

int analysis_rtm_check(const struct an_rtm_args *a, struct cscc_err *err)
{
    if (a->nf)
        return 0;
    cscc_err_set(err, CSCC_EINVAL, "give at least one factor (--proximity, --density, --distance)");
    cscc_err_at(err, NULL, 0, 0, "proximity");
    return CSCC_EINVAL;
}

int analysis_rtm_factor_table(struct an_rtm_args *a, size_t k, char *name, size_t size,
                              struct cscc_err *err)
{
    memset(&a->q[k], 0, sizeof(a->q[k]));
    a->q[k].source = AN_SRC_LAYER;
    a->q[k].layer = a->names[k];
    if (analysis_points_table(&a->q[k], name, size, err)) {
        cscc_err_at(err, NULL, 0, 0, analysis_rtm_kind_name(a->f[k].kind));
        return err->code ? err->code : CSCC_EINVAL;
    }
    return 0;
}

int analysis_rtm_run(struct an_spatial *s, struct an_rtm_args *a, const struct an_grid *g,
                     const struct colstore_table *const *tables, uint8_t **cell_area,
                     struct an_rtm *rt, struct cscc_err *err)
{
    size_t k;

    for (k = 0; k < a->nf; k++) {
        a->src[k].t = tables[k];
        a->src[k].st = s->st;
        a->src[k].q = &a->q[k];
        a->src[k].crs = &s->crs;
        a->f[k].src = &a->src[k];
    }
    if (an_spatial_city(s, err) || an_city_cell_areas(&s->city, g, &s->crs, cell_area, err))
        return err->code ? err->code : CSCC_EDATA;
    return analysis_rtm(&s->src, g, *cell_area, a->f, a->nf, s->threads, rt, err);
}

static void factors_rows(struct an_result *r, const struct an_rtm_args *a, const struct an_rtm *rt)
{
    size_t k;

    an_column(r, "factor", AN_STR);
    an_column(r, "kind", AN_STR);
    an_column(r, "parameter_m", AN_NUM);
    an_column(r, "cells_present", AN_NUM);
    an_column(r, "coefficient", AN_NUM);
    an_column(r, "std_error", AN_NUM);
    an_column(r, "z", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    an_column(r, "relative_risk", AN_NUM);
    an_column(r, "rr_ci_low", AN_NUM);
    an_column(r, "rr_ci_high", AN_NUM);
    an_row(r);
    an_str(r, "(intercept)");
    an_str(r, "");
    an_num(r, NAN);
    an_num(r, (double)rt->n);
    an_num(r, rt->fit.beta[0]);
    an_num(r, rt->fit.se[0]);
    an_num(r, rt->fit.z[0]);
    an_num(r, rt->fit.pval[0]);
    an_num(r, exp(rt->fit.beta[0]));
    an_num(r, exp(rt->fit.beta[0] - Z975 * rt->fit.se[0]));
    an_num(r, exp(rt->fit.beta[0] + Z975 * rt->fit.se[0]));
    for (k = 0; k < a->nf; k++) {
        double b = rt->fit.beta[k + 1], se = rt->fit.se[k + 1];

        an_row(r);
        an_str(r, a->names[k]);
        an_str(r, analysis_rtm_kind_name(a->f[k].kind));
        an_num(r, a->f[k].param > 0 ? a->f[k].param : NAN);
        an_num(r, a->f[k].kind == AN_RTM_DISTANCE ? NAN : rt->present[k]);
        an_num(r, b);
        an_num(r, se);
        an_num(r, rt->fit.z[k + 1]);
        an_num(r, rt->fit.pval[k + 1]);
        an_num(r, exp(b));
        an_num(r, exp(b - Z975 * se));
        an_num(r, exp(b + Z975 * se));
    }
}

struct an_result *analysis_rtm_result(struct an_spatial *s, const struct an_rtm_args *a,
                                      const struct an_grid *g, const uint8_t *cell_area,
                                      const struct an_rtm *rt, struct cscc_err *err)
{
    struct an_result *r;
    double *lon = NULL, *lat = NULL;
    size_t nf = a->nf, i, k;

    if (!a->factors_table && an_grid_corners_wgs84(g, &s->crs, &lon, &lat, err))
        return NULL;
    r = an_result_new("rtm");
    an_param(r, "model", "Poisson regression, log link, IRLS; every factor kept");
    an_grid_describe(g, r);
    for (k = 0; k < nf; k++) {
        const struct an_rtm_factor *f = &a->f[k];
        char key[96];

        snprintf(key, sizeof(key), "factor_%zu", k + 1);
        if (f->kind == AN_RTM_DISTANCE)
            an_param(r, key, "%s: distance to nearest (km)", a->names[k]);
        else if (f->kind == AN_RTM_PROXIMITY)
            an_param(r, key, "%s: proximity within %g m", a->names[k], f->param);
        else if (f->param > 0)
            an_param(r, key, "%s: density (bandwidth %g m) >= mean + 2 SD", a->names[k], f->param);
        else
            an_param(r, key, "%s: density (ArcGIS bandwidth rule) >= mean + 2 SD", a->names[k]);
    }
    an_spatial_describe(s, r, &rt->info);
    an_summary_num(r, "cells", (double)rt->n);
    an_summary_num(r, "iterations", rt->fit.iterations);
    an_summary(r, "converged", "%s", rt->fit.converged ? "yes" : "no");
    an_summary_num(r, "deviance", rt->fit.deviance);
    an_summary_num(r, "null_deviance", rt->fit.null_deviance);
    an_summary_num(r, "aic", rt->fit.aic);
    an_summary_num(r, "intercept", rt->fit.beta[0]);
    for (k = 0; k < nf; k++) {
        char key[128];

        snprintf(key, sizeof(key), "rr_%s", a->col[k]);
        an_summary_num(r, key, exp(rt->fit.beta[k + 1]));
    }
    if (!rt->fit.converged)
        an_warn(r, "the regression did not converge in %d iterations", rt->fit.iterations);
    if (a->factors_table) {
        factors_rows(r, a, rt);
        return r;
    }
    an_column(r, "cell", AN_INT);
    an_column(r, "col", AN_INT);
    an_column(r, "row", AN_INT);
    an_column(r, "community_area", AN_INT);
    an_column(r, "count", AN_NUM);
    for (k = 0; k < nf; k++)
        an_column(r, a->col[k], AN_NUM);
    an_column(r, "relative_risk", AN_NUM);
    for (i = 0; i < rt->n; i++) {
        double ring[10];
        size_t c = rt->cell[i];

        an_row(r);
        an_int(r, (int64_t)c);
        an_int(r, (int64_t)(c % g->nx));
        an_int(r, (int64_t)(c / g->nx));
        an_int(r, cell_area[c]);
        an_num(r, rt->count[i]);
        for (k = 0; k < nf; k++)
            an_num(r, rt->x[i * nf + k]);
        an_num(r, rt->rrs[i]);
        an_grid_ring(g, lon, lat, c, ring);
        an_geom_ring(r, ring, 5);
    }
    cscc_free(lon);
    cscc_free(lat);
    return r;
}
