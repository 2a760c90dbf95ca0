/* kde_result.c - `analyze kde` for the command line and the API: its
 * options by name, and its result as a table (analysis/result.h). */
#include "analysis/kde.h"

#include "analysis/result.h"
#include "core/alloc.h"

#include <math.h>
#include <string.h>

void analysis_kde_args_init(struct an_kde_args *a)
{
    memset(a, 0, sizeof(*a));
}

int analysis_kde_option(struct an_kde_args *a, const char *name, const char *value,
                        struct cscc_err *err)
{
    int f;

    if (an_opt_is(name, "bandwidth")) {
        if (an_opt_double(value, 1e-3, 1e6, &a->o.bandwidth))
            return an_opt_bad(err, name, "takes metres (above 0), not '%s'", value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "exact") || an_opt_is(name, "all-cells")) {
        if ((f = an_opt_flag(value)) < 0)
            return an_opt_bad(err, name, "is true or false");
        *(an_opt_is(name, "exact") ? &a->o.exact : &a->all_cells) = f;
        return 1;
    }
    return 0;
}

int analysis_kde_prepare(struct an_spatial *s, struct an_kde_args *a, struct an_grid *g,
                         struct cscc_err *err)
{
    if (!s->cell && !s->gnx)
        s->gnx = s->gny = 500;
    a->o.threads = s->threads;
    return an_spatial_grid(s, 0, g, err);
}

struct an_result *analysis_kde_result(struct an_spatial *s, const struct an_kde_args *a,
                                      const struct an_grid *g, const struct an_kde *k,
                                      struct cscc_err *err)
{
    struct an_result *r;
    double *lon = NULL, *lat = NULL, sum = 0, mx = 0, area = g->cell * g->cell / 1e6;
    size_t c;

    if (an_grid_corners_wgs84(g, &s->crs, &lon, &lat, err))
        return NULL;
    r = an_result_new("kde");
    an_param(r, "kernel", "quartic");
    an_param_num(r, "bandwidth_m", k->bandwidth);
    an_param(r, "bandwidth_rule", "%s",
             k->default_rule ? "ArcGIS default: 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2" : "given");
    an_param(r, "method", "%s", a->o.exact ? "exact" : "binned (points at their cell's centre)");
    an_grid_describe(g, r);
    an_param(r, "units", "density_km2: per square kilometre; expected: per cell");
    an_spatial_describe(s, r, &k->info);
    an_summary_num(r, "bandwidth_m", k->bandwidth);
    if (k->default_rule) {
        an_summary_num(r, "n", k->n);
        an_summary_num(r, "standard_distance_m", k->sd);
        an_summary_num(r, "median_distance_m", k->dm);
    }
    an_summary_num(r, "weight", k->weight);
    an_summary_num(r, "weight_outside_grid", k->weight_outside);
    for (c = 0; c < an_grid_ncells(g); c++) {
        sum += k->density[c] * area;
        mx = fmax(mx, k->density[c]);
    }
    an_summary_num(r, "expected_total", sum);
    an_summary_num(r, "max_density_km2", mx);
    an_column(r, "cell", AN_INT);
    an_column(r, "col", AN_INT);
    an_column(r, "row", AN_INT);
    an_column(r, "x", AN_NUM);
    an_column(r, "y", AN_NUM);
    an_column(r, "density_km2", AN_NUM);
    an_column(r, "expected", AN_NUM);
    for (c = 0; c < an_grid_ncells(g); c++) {
        double x, y, ring[10];

        if (!a->all_cells && !(k->density[c] > 0))
            continue;
        an_grid_centre(g, c, &x, &y);
        an_row(r);
        an_int(r, (int64_t)c);
        an_int(r, (int64_t)(c % g->nx));
        an_int(r, (int64_t)(c / g->nx));
        an_num(r, x);
        an_num(r, y);
        an_num(r, k->density[c]);
        an_num(r, k->density[c] * area);
        an_grid_ring(g, lon, lat, c, ring);
        an_geom_ring(r, ring, 5);
    }
    cscc_free(lon);
    cscc_free(lat);
    return r;
}
