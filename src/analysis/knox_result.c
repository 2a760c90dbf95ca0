/* knox_result.c - `analyze knox` for the command line and the API: its
 * options by name, its events, and its result as a table
 * (analysis/result.h). */
#include "analysis/knox.h"

#include "analysis/result.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void analysis_knox_args_init(struct an_knox_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->space_band = 100;
    o->space_bands = 3;
    o->time_band = 2;
    o->time_bands = 2;
    o->iterations = 99;
    o->seed = 1;
}

static int get_int(const char *name, const char *value, unsigned long max, int *out,
                   struct cscc_err *err)
{
    unsigned long ul;

    if (an_opt_uint(value, 1, max, &ul))
        return an_opt_bad(err, name, "takes a number from 1 to %lu, not '%s'", max,
                          value ? value : "");
    *out = (int)ul;
    return 1;
}

int analysis_knox_option(struct an_knox_opts *o, const char *name, const char *value,
                         struct cscc_err *err)
{
    unsigned long ul;

    if (an_opt_is(name, "space-band")) {
        if (an_opt_double(value, 1e-3, 1e5, &o->space_band))
            return an_opt_bad(err, name, "takes metres (above 0), not '%s'", value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "space-bands"))
        return get_int(name, value, 64, &o->space_bands, err);
    if (an_opt_is(name, "time-band"))
        return get_int(name, value, 3650, &o->time_band, err);
    if (an_opt_is(name, "time-bands"))
        return get_int(name, value, 63, &o->time_bands, err);
    if (an_opt_is(name, "iterations"))
        return get_int(name, value, AN_KNOX_MAX_ITERATIONS, &o->iterations, err);
    if (an_opt_is(name, "seed")) {
        if (an_opt_uint(value, 0, ~0ul, &ul))
            return an_opt_bad(err, name, "takes a non-negative integer");
        o->seed = ul;
        return 1;
    }
    if (an_opt_is(name, "metric")) {
        if (value && !strcmp(value, "euclidean"))
            o->manhattan = 0;
        else if (value && !strcmp(value, "manhattan"))
            o->manhattan = 1;
        else
            return an_opt_bad(err, name, "is euclidean or manhattan, not '%s'", value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "intervals")) {
        if (value && !strcmp(value, "labelled"))
            o->nrc_intervals = 0;
        else if (value && !strcmp(value, "nrc"))
            o->nrc_intervals = 1;
        else
            return an_opt_bad(err, name, "is labelled or nrc, not '%s'", value ? value : "");
        return 1;
    }
    return 0;
}

int analysis_knox_events(struct an_spatial *s, const struct colstore_table *t,
                         struct an_knox_events *e, struct cscc_err *err)
{
    size_t i;

    memset(e, 0, sizeof(*e));
    if (analysis_points_load(t, s->st, &s->q, &s->crs, &e->p, err))
        return err->code ? err->code : CSCC_EDATA;
    e->x = cscc_trycalloc(e->p.n + 1, sizeof(*e->x));
    e->y = cscc_trycalloc(e->p.n + 1, sizeof(*e->y));
    e->day = cscc_trycalloc(e->p.n + 1, sizeof(*e->day));
    if (!e->x || !e->y || !e->day) {
        analysis_knox_events_release(e);
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu events", e->p.n);
    }
    for (i = 0; i < e->p.n; i++) {
        if (e->p.t[i] == INT64_MIN) {
            e->untimed++;
            continue;
        }
        e->x[e->n] = e->p.x[i];
        e->y[e->n] = e->p.y[i];
        e->day[e->n] = cscc_day_of(e->p.t[i]);
        e->n++;
    }
    return 0;
}

void analysis_knox_events_release(struct an_knox_events *e)
{
    an_points_release(&e->p);
    cscc_free(e->x);
    cscc_free(e->y);
    cscc_free(e->day);
    memset(e, 0, sizeof(*e));
}

struct an_result *analysis_knox_result(const struct an_spatial *s, const struct an_knox_opts *o,
                                       const struct an_knox_events *e, const struct an_knox *k)
{
    struct an_result *r = an_result_new("knox");
    int sb, c;

    an_param_num(r, "space_band_m", o->space_band);
    an_param_num(r, "space_bands", o->space_bands);
    an_param_num(r, "time_band_days", o->time_band);
    an_param_num(r, "time_bands", o->time_bands);
    an_param_num(r, "iterations", o->iterations);
    an_param(r, "metric", "%s", o->manhattan ? "manhattan" : "euclidean");
    an_param(r, "bands",
             "same location and more-than bands added as the Near Repeat "
             "Calculator does; time by whole days of the dates");
    an_param(r, "intervals", "%s",
             o->nrc_intervals
                 ? "nrc: same location 0 m, (0, b) then [(k-1)b, kb) m, [kt, (k+1)t) days"
                 : "labelled: same location 0 m, ((k-1)b, kb] m, 0-t then "
                   "(kt, (k+1)t] days");
    an_seed(r, o->seed);
    an_spatial_describe(s, r, &e->p.info);
    an_data_num(r, "events", (double)e->n);
    if (e->untimed)
        an_warn(r, "%zu points have no date and are left out", e->untimed);
    an_summary_num(r, "events", (double)e->n);
    an_summary_num(r, "pairs", (double)k->pairs);
    an_summary_num(r, "close_pairs", (double)k->close_pairs);
    an_column(r, "space_band", AN_STR);
    an_column(r, "time_band", AN_STR);
    an_column(r, "distance_from_m", AN_NUM);
    an_column(r, "distance_to_m", AN_NUM);
    an_column(r, "days_from", AN_INT);
    an_column(r, "days_to", AN_INT);
    an_column(r, "observed", AN_INT);
    an_column(r, "mean_expected", AN_NUM);
    an_column(r, "median_expected", AN_NUM);
    an_column(r, "min_expected", AN_INT);
    an_column(r, "max_expected", AN_INT);
    an_column(r, "knox_ratio", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    for (sb = 0; sb < k->rows; sb++)
        for (c = 0; c < k->cols; c++) {
            size_t cell = (size_t)(sb * k->cols + c);
            char sl[64], tl[64];
            double d0, d1;
            int64_t t0, t1;

            if (sb == 0) {
                snprintf(sl, sizeof(sl), "Same location");
                d0 = d1 = 0;
            } else if (sb <= o->space_bands) {
                d0 = o->space_band * (sb - 1);
                d1 = o->space_band * sb;
                snprintf(sl, sizeof(sl), "%g to %g", sb == 1 ? 1 : d0 + 1, d1);
            } else {
                d0 = o->space_band * o->space_bands;
                d1 = INFINITY;
                snprintf(sl, sizeof(sl), "More than %g", d0);
            }
            if (c == 0) {
                t0 = 0;
                t1 = o->time_band;
            } else if (c < o->time_bands) {
                t0 = (int64_t)o->time_band * c + 1;
                t1 = (int64_t)o->time_band * (c + 1);
            } else {
                t0 = (int64_t)o->time_band * o->time_bands + 1;
                t1 = -1;
            }
            if (t1 >= 0)
                snprintf(tl, sizeof(tl), "%lld to %lld", (long long)t0, (long long)t1);
            else
                snprintf(tl, sizeof(tl), "More than %lld", (long long)(t0 - 1));
            an_row(r);
            an_str(r, sl);
            an_str(r, tl);
            an_num(r, d0);
            an_num(r, d1);
            an_int(r, t0);
            if (t1 >= 0)
                an_int(r, t1);
            else
                an_num(r, NAN);
            an_int(r, (int64_t)k->observed[cell]);
            an_num(r, k->mean[cell]);
            an_num(r, k->median[cell]);
            an_int(r, (int64_t)k->min[cell]);
            an_int(r, (int64_t)k->max[cell]);
            an_num(r, k->ratio[cell]);
            an_num(r, k->p[cell]);
        }
    return r;
}
