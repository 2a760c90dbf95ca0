/* pai_result.c - `analyze pai` for the command line and the API: its
 * options by name, their checks, and its result as a table
 * (analysis/result.h). */
#include "analysis/pai.h"

#include "analysis/result.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const METHODS[] = {"count", "kde", "gistar"};
/* The dates' options, in the order of an_pai_args.day. */
static const char *const DATES[] = {"train-from", "train-to", "test-from", "test-to"};
static const char *const FIELDS[] = {"train_from", "train_to", "test_from", "test_to"};

void analysis_pai_args_init(struct an_pai_args *a)
{
    memset(a, 0, sizeof(*a));
    a->pct = 5;
}

int analysis_pai_option(struct an_pai_args *a, const char *name, const char *value,
                        struct cscc_err *err)
{
    size_t i;

    for (i = 0; i < 4; i++)
        if (an_opt_is(name, DATES[i])) {
            if (!value || cscc_parse_day(value, &a->day[i]))
                return an_opt_bad(err, name, "takes a date YYYY-MM-DD, not '%s'",
                                  value ? value : "");
            a->have[i] = 1;
            return 1;
        }
    if (an_opt_is(name, "method")) {
        for (i = 0; i < 3 && (!value || strcmp(value, METHODS[i])); i++)
            ;
        if (i == 3)
            return an_opt_bad(err, name, "is count, kde or gistar, not '%s'", value ? value : "");
        a->o.method = (enum an_hot_method)i;
        return 1;
    }
    if (an_opt_is(name, "coverage")) {
        if (an_opt_double(value, 1e-6, 100, &a->pct))
            return an_opt_bad(err, name, "is a percentage above 0, up to 100");
        a->cov_given = 1;
        return 1;
    }
    if (an_opt_is(name, "bandwidth")) {
        if (an_opt_double(value, 1e-3, 1e6, &a->o.bandwidth))
            return an_opt_bad(err, name, "takes metres (above 0)");
        return 1;
    }
    if (an_opt_is(name, "distance")) {
        if (an_opt_double(value, 1e-3, 1e6, &a->o.band))
            return an_opt_bad(err, name, "takes metres (above 0)");
        return 1;
    }
    return 0;
}

static int refused(struct cscc_err *err, const char *field, const char *msg)
{
    cscc_err_set(err, CSCC_EINVAL, "%s", msg);
    cscc_err_at(err, NULL, 0, 0, field);
    return CSCC_EINVAL;
}

int analysis_pai_check(const struct an_spatial *s, struct an_pai_args *a, struct cscc_err *err)
{
    size_t i;

    for (i = 0; i < 4; i++)
        if (!a->have[i])
            return refused(err, FIELDS[i],
                           "give --train-from, --train-to, --test-from and --test-to");
    if (s->q.f.has_from || s->q.f.has_to)
        return refused(err, s->q.f.has_from ? "from" : "to",
                       "--from and --to do not apply: give the two periods");
    for (i = 0; i < 4; i += 2)
        if (a->day[i] > a->day[i + 1]) {
            char d0[16], d1[16];

            cscc_format_day(a->day[i], d0);
            cscc_format_day(a->day[i + 1], d1);
            cscc_err_set(err, CSCC_EINVAL,
                         "%s %s is after %s %s: the %s period ends before it starts", FIELDS[i], d0,
                         FIELDS[i + 1], d1, i ? "test" : "training");
            cscc_err_at(err, NULL, 0, 0, FIELDS[i + 1]);
            return CSCC_EINVAL;
        }
    a->o.coverage = a->o.method == AN_HOT_GISTAR && !a->cov_given ? 0 : a->pct / 100;
    a->o.threads = s->threads;
    return 0;
}

int analysis_pai_run(struct an_spatial *s, const struct an_pai_args *a, const struct an_grid *g,
                     uint8_t **cell_area, struct an_pai *p, struct cscc_err *err)
{
    struct an_points_query qtrain = s->q, qtest = s->q;
    struct an_pointsrc strain = s->src, stest = s->src;
    struct an_points_info info;
    int rc;

    qtrain.f.has_from = qtrain.f.has_to = qtest.f.has_from = qtest.f.has_to = 1;
    qtrain.f.day_from = a->day[0];
    qtrain.f.day_to = a->day[1];
    qtest.f.day_from = a->day[2];
    qtest.f.day_to = a->day[3];
    strain.q = &qtrain;
    stest.q = &qtest;
    /* A map made from no points would rank cells by nothing (all scores 0),
     * and its PAI would be that of the first cells in index order. */
    if ((rc = an_spatial_any(s, &qtrain, &info, err)) < 0)
        return rc;
    if (!rc) {
        const struct counts_query *f = &s->q.f;
        int filtered = f->category || f->ntypes || f->nfbi || f->nareas || f->priority;
        char d0[16], d1[16], why[600];

        cscc_format_day(a->day[0], d0);
        cscc_format_day(a->day[1], d1);
        /* why: "" or " (no row has primary type 'NOSUCH')" */
        snprintf(why, sizeof(why), "%s%s%s", info.warnings[0] ? " (" : "", info.warnings,
                 info.warnings[0] ? ")" : "");
        cscc_err_set(err, CSCC_EINVAL,
                     "the training period (%s to %s) has no points%s%s; choose a training "
                     "period%s with data",
                     d0, d1,
                     info.rows_selected ? " with a location"
                     : filtered         ? " that match the filters"
                                        : "",
                     why, filtered ? " or filters" : "");
        cscc_err_at(err, NULL, 0, 0, FIELDS[0]);
        return CSCC_EINVAL;
    }
    if (an_spatial_city(s, err) || an_city_cell_areas(&s->city, g, &s->crs, cell_area, err))
        return err->code ? err->code : CSCC_EDATA;
    return analysis_pai(&strain, &stest, g, *cell_area, &a->o, p, err);
}

struct an_result *analysis_pai_result(struct an_spatial *s, const struct an_pai_args *a,
                                      const struct an_grid *g, const uint8_t *cell_area,
                                      const struct an_pai *p, struct cscc_err *err)
{
    struct an_result *r;
    double *lon = NULL, *lat = NULL;
    char d0[16], d1[16];
    size_t i;

    if (an_grid_corners_wgs84(g, &s->crs, &lon, &lat, err))
        return NULL;
    r = an_result_new("pai");
    an_param(r, "method", "%s", METHODS[a->o.method]);
    if (a->o.coverage > 0)
        an_param_num(r, "coverage_percent", a->o.coverage * 100);
    else
        an_param(r, "hot_cells", "Gi_Bin +3 (99 %%, Benjamini-Hochberg)");
    if (a->o.method == AN_HOT_KDE)
        an_param(r, "bandwidth", "%s", a->o.bandwidth > 0 ? "given" : "ArcGIS rule");
    if (a->o.bandwidth > 0)
        an_param_num(r, "bandwidth_m", a->o.bandwidth);
    an_grid_describe(g, r);
    cscc_format_day(a->day[0], d0);
    cscc_format_day(a->day[1], d1);
    an_param(r, "train_period", "%s/%s", d0, d1);
    cscc_format_day(a->day[2], d0);
    cscc_format_day(a->day[3], d1);
    an_param(r, "test_period", "%s/%s", d0, d1);
    an_spatial_describe(s, r, &p->test);
    an_data_num(r, "train_points", (double)p->train.points);
    an_data_num(r, "test_points", (double)p->test.points);
    an_summary_num(r, "cells", (double)p->cells);
    an_summary_num(r, "hot_cells", (double)p->hot);
    an_summary_num(r, "area_km2", p->area_km2);
    an_summary_num(r, "hot_area_km2", p->hot_km2);
    an_summary_num(r, "test_points_in_city", p->N);
    an_summary_num(r, "test_points_in_hot_cells", p->n);
    an_summary_num(r, "hit_rate", p->hit_rate);
    an_summary_num(r, "pai", p->pai);
    an_summary_num(r, "pai_max", p->pai_star);
    an_summary_num(r, "pei", p->pei);
    an_column(r, "rank", AN_INT);
    an_column(r, "cell", AN_INT);
    an_column(r, "col", AN_INT);
    an_column(r, "row", AN_INT);
    an_column(r, "community_area", AN_INT);
    an_column(r, "train_score", AN_NUM);
    an_column(r, "test_count", AN_NUM);
    for (i = 0; i < p->hot; i++) {
        double ring[10];
        size_t c = p->hot_cell[i];

        an_row(r);
        an_int(r, (int64_t)i + 1);
        an_int(r, (int64_t)c);
        an_int(r, (int64_t)(c % g->nx));
        an_int(r, (int64_t)(c / g->nx));
        an_int(r, cell_area[c]);
        an_num(r, p->hot_score[i]);
        an_num(r, p->hot_test[i]);
        an_grid_ring(g, lon, lat, c, ring);
        an_geom_ring(r, ring, 5);
    }
    cscc_free(lon);
    cscc_free(lat);
    return r;
}
