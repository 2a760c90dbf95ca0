/* gistar_result.c - `analyze gistar` for the command line and the API: its
 * options by name, and its result as a table (analysis/result.h). */
#include "analysis/gistar.h"

#include "analysis/result.h"
#include "core/alloc.h"

#include <math.h>
#include <string.h>

void analysis_gistar_args_init(struct an_gistar_args *a)
{
    memset(a, 0, sizeof(*a));
    a->o.fdr = 1;
}

int analysis_gistar_option(struct an_gistar_args *a, const char *name, const char *value,
                           struct cscc_err *err)
{
    unsigned long ul;
    int f;

    if (an_opt_is(name, "distance")) {
        if (an_opt_double(value, 1e-3, 1e6, &a->o.band))
            return an_opt_bad(err, name, "takes metres (above 0), not '%s'", value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "knn")) {
        if (an_opt_uint(value, 1, 10000, &ul))
            return an_opt_bad(err, name, "takes a number from 1 to 10000");
        a->o.knn = ul;
        return 1;
    }
    if (an_opt_is(name, "no-fdr") || an_opt_is(name, "areas") || an_opt_is(name, "rook")) {
        if ((f = an_opt_flag(value)) < 0)
            return an_opt_bad(err, name, "is true or false");
        if (an_opt_is(name, "no-fdr"))
            a->o.fdr = !f;
        else
            *(an_opt_is(name, "areas") ? &a->areas : &a->rook) = f;
        return 1;
    }
    return 0;
}

int analysis_gistar_check(const struct an_spatial *s, const struct an_gistar_args *a,
                          struct cscc_err *err)
{
    const char *bad = NULL, *field = NULL;

    if (a->o.knn && a->o.band > 0)
        bad = "give --distance or --knn, not both", field = "knn";
    else if (a->rook && !a->areas)
        bad = "--rook goes with --areas", field = "rook";
    else if (a->areas && (a->o.knn || a->o.band > 0 || s->cell || s->gnx))
        bad = "--areas takes no grid options (--cell, --distance, --knn)", field = "areas";
    if (bad) {
        cscc_err_set(err, CSCC_EINVAL, "%s", bad);
        cscc_err_at(err, NULL, 0, 0, field);
        return CSCC_EINVAL;
    }
    return 0;
}

int analysis_gistar_prepare(struct an_spatial *s, struct an_gistar_args *a, struct an_grid *g,
                            struct cscc_err *err)
{
    if (analysis_gistar_check(s, a, err))
        return err->code;
    a->o.threads = s->threads;
    if (an_spatial_city(s, err))
        return err->code;
    return a->areas ? 0 : an_spatial_grid(s, 250, g, err);
}

int analysis_gistar_run(struct an_spatial *s, const struct an_gistar_args *a,
                        const struct an_grid *g, uint8_t **cell_area, struct an_gistar *gs,
                        struct cscc_err *err)
{
    if (a->areas)
        return analysis_gistar_areas(&s->src, &s->city, !a->rook, &a->o, gs, err);
    if (an_city_cell_areas(&s->city, g, &s->crs, cell_area, err))
        return err->code ? err->code : CSCC_EDATA;
    return analysis_gistar_grid(&s->src, g, *cell_area, &a->o, gs, err);
}

struct an_result *analysis_gistar_result(struct an_spatial *s, const struct an_gistar_args *a,
                                         const struct an_grid *g, const uint8_t *cell_area,
                                         const struct an_gistar *gs, struct cscc_err *err)
{
    struct an_result *r;
    double *lon = NULL, *lat = NULL;
    int areas = a->areas;
    size_t u, hot = 0, cold = 0;

    if (!areas && an_grid_corners_wgs84(g, &s->crs, &lon, &lat, err))
        return NULL;
    r = an_result_new("gistar");
    an_param(r, "statistic", "Getis-Ord Gi* (binary weights, the unit itself included)");
    an_param(r, "units", "%s",
             areas ? "community areas" : "grid cells whose centre is in the city");
    if (areas) {
        an_param(r, "weights", "%s contiguity from the boundaries", a->rook ? "rook" : "queen");
        an_param(r, "count", "rows by their Community Area (also rows without coordinates)");
    } else {
        an_grid_describe(g, r);
        if (a->o.knn) {
            an_param(r, "weights", "k nearest cells");
            an_param_num(r, "knn", (double)a->o.knn);
        } else {
            an_param(r, "weights", "fixed distance band%s",
                     a->o.band > 0 ? "" : " (ArcGIS default)");
            an_param_num(r, "distance_m", gs->band);
        }
    }
    an_param(r, "fdr", "%s", a->o.fdr ? "Benjamini-Hochberg" : "none");
    an_spatial_describe(s, r, &gs->info);
    an_summary_num(r, "units", (double)gs->n);
    if (areas) {
        /* areas count rows by their Community Area, as the City does: rows
         * without coordinates too */
        double in = 0;

        for (u = 0; u < gs->n; u++)
            in += gs->count[u];
        an_summary_num(r, "rows_in_units", in);
        an_summary_num(r, "rows_outside_units", gs->info.rows_selected - in);
    } else {
        an_summary_num(r, "points_in_units", gs->info.points - gs->outside);
        an_summary_num(r, "points_outside_units", gs->outside);
    }
    for (u = 0; u < gs->n; u++) {
        hot += gs->bin[u] > 0;
        cold += gs->bin[u] < 0;
    }
    an_summary_num(r, "hot_units", (double)hot);
    an_summary_num(r, "cold_units", (double)cold);
    if (areas) {
        an_column(r, "community_area", AN_INT);
        an_column(r, "name", AN_STR);
    } else {
        an_column(r, "cell", AN_INT);
        an_column(r, "col", AN_INT);
        an_column(r, "row", AN_INT);
        an_column(r, "community_area", AN_INT);
    }
    an_column(r, "count", AN_NUM);
    an_column(r, "gi_z", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    an_column(r, "gi_bin", AN_INT);
    an_column(r, "neighbours", AN_INT);
    for (u = 0; u < gs->n; u++) {
        an_row(r);
        if (areas) {
            an_int(r, gs->ids[u]);
            an_str(r, s->city.name[gs->ids[u]]);
        } else {
            double ring[10];
            size_t c = gs->cell[u];

            an_int(r, (int64_t)c);
            an_int(r, (int64_t)(c % g->nx));
            an_int(r, (int64_t)(c / g->nx));
            an_int(r, cell_area[c]);
            an_grid_ring(g, lon, lat, c, ring);
            an_geom_ring(r, ring, 5);
        }
        an_num(r, gs->count[u]);
        an_num(r, gs->z[u]);
        an_num(r, gs->p[u]);
        an_int(r, gs->bin[u]);
        an_int(r, (int64_t)gs->neighbours[u]);
        if (areas && s->city.geometry[gs->ids[u]])
            an_geom_json(r, s->city.geometry[gs->ids[u]]);
    }
    cscc_free(lon);
    cscc_free(lat);
    return r;
}
