/* cmd_analyze_knox.c - `cscc analyze knox`: the Knox test for near repeats
 * with the Near Repeat Calculator's bands. */
#include "cli/cli.h"

#include "analysis/knox.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const CMD = "analyze knox ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze knox --layer NAME | --category C [filters]\n"
          "           --space-band M --space-bands S --time-band D --time-bands T\n"
          "           [--iterations N] [--seed S] [--metric euclidean|manhattan]\n"
          "\n"
          "The Knox test for near repeats, as the Near Repeat Calculator runs it: every\n"
          "pair of events falls in a space band (same location, then bands of M metres,\n"
          "then more than S x M) and a time band (0 to D days, then bands of D days, then\n"
          "more than T x D). Per band: observed pairs, the mean (and median, min, max) of\n"
          "the pairs when the events' dates are shuffled among them N times, the Knox\n"
          "ratio observed / mean expected, and p = (1 + shuffles with as many pairs or\n"
          "more) / (N + 1).\n"
          "\n"
          "Options:\n"
          "  --space-band M    spatial bandwidth in metres (default 100)\n"
          "  --space-bands S   number of spatial bands (default 3)\n"
          "  --time-band D     temporal bandwidth in days (default 2)\n"
          "  --time-bands T    number of temporal bands (default 2)\n"
          "  --iterations N    Monte Carlo iterations (default 99)\n"
          "  --seed S          random seed (default 1)\n"
          "  --metric M        euclidean (default) or manhattan distance\n"
          "  --intervals I     labelled (default): the bands as labelled (same location =\n"
          "                    distance 0, \"1 to 100\" = (0, 100] m, \"0 to 2\" = 0-2 days);\n"
          "                    nrc: what the Calculator 1.3 computes, one unit below its\n"
          "                    labels (same location < 1 m, [0, 100) m, [0, 2) days)\n",
          f);
    cli_an_help(f, 0);
}

static int get_int(const char *arg, unsigned long max, int *out, const char *opt)
{
    unsigned long ul;

    if (cli_parse_uint(arg, max, &ul) || !ul)
        return cli_usage_error(CMD, "%s takes a number from 1 to %lu, not '%s'", opt, max, arg);
    *out = (int)ul;
    return 0;
}

int cmd_analyze_knox(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        {"space-band", required_argument, NULL, 'b'},
        {"space-bands", required_argument, NULL, 'B'},
        {"time-band", required_argument, NULL, 'd'},
        {"time-bands", required_argument, NULL, 'E'},
        {"iterations", required_argument, NULL, 'I'},
        {"seed", required_argument, NULL, 'S'},
        {"metric", required_argument, NULL, 'M'},
        {"intervals", required_argument, NULL, 'Y'},
        {NULL, 0, NULL, 0},
    };
    struct cli_an a;
    struct an_knox_opts o;
    struct an_knox k;
    struct an_points p;
    struct an_result *r = NULL;
    struct cscc_err err;
    int64_t *day = NULL;
    double *x = NULL, *y = NULL, *ms = NULL;
    size_t i, n = 0, untimed = 0;
    int opt, rc, s, c;
    unsigned long ul, it, runs;

    cli_an_init(&a);
    memset(&o, 0, sizeof(o));
    memset(&k, 0, sizeof(k));
    memset(&p, 0, sizeof(p));
    o.space_band = 100;
    o.space_bands = 3;
    o.time_band = 2;
    o.time_bands = 2;
    o.iterations = 99;
    o.seed = 1;
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        rc = 0;
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'b':
            if (cli_parse_double(optarg, 1e-3, 1e5, &o.space_band))
                return cli_usage_error(CMD, "--space-band takes metres (above 0), not '%s'",
                                       optarg);
            break;
        case 'B': rc = get_int(optarg, 64, &o.space_bands, "--space-bands"); break;
        case 'd': rc = get_int(optarg, 3650, &o.time_band, "--time-band"); break;
        case 'E': rc = get_int(optarg, 63, &o.time_bands, "--time-bands"); break;
        case 'I': rc = get_int(optarg, 100000, &o.iterations, "--iterations"); break;
        case 'S':
            if (cli_parse_uint(optarg, ~0ul, &ul))
                return cli_usage_error(CMD, "--seed takes a non-negative integer");
            o.seed = ul;
            break;
        case 'M':
            if (!strcmp(optarg, "euclidean"))
                o.manhattan = 0;
            else if (!strcmp(optarg, "manhattan"))
                o.manhattan = 1;
            else
                return cli_usage_error(CMD, "--metric is euclidean or manhattan, not '%s'", optarg);
            break;
        case 'Y':
            if (!strcmp(optarg, "labelled"))
                o.nrc_intervals = 0;
            else if (!strcmp(optarg, "nrc"))
                o.nrc_intervals = 1;
            else
                return cli_usage_error(CMD, "--intervals is labelled or nrc, not '%s'", optarg);
            break;
        }
        if (rc)
            return rc;
    }
    if (rc)
        return rc;
    o.threads = a.threads;
    if ((rc = cli_an_open(ctx, &a, 1)))
        goto out;
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (it = 0; it < runs; it++) {
        double t0 = cli_now_ms();

        an_points_release(&p);
        analysis_knox_release(&k);
        cscc_free(x);
        cscc_free(y);
        cscc_free(day);
        if (analysis_points_load(a.t, a.st, &a.q, &a.crs, &p, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        x = cscc_xcalloc(p.n + 1, sizeof(*x));
        y = cscc_xcalloc(p.n + 1, sizeof(*y));
        day = cscc_xcalloc(p.n + 1, sizeof(*day));
        for (i = n = untimed = 0; i < p.n; i++) {
            if (p.t[i] == INT64_MIN) {
                untimed++;
                continue;
            }
            x[n] = p.x[i];
            y[n] = p.y[i];
            day[n] = cscc_day_of(p.t[i]);
            n++;
        }
        if (analysis_knox(x, y, day, n, &o, &k, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[it] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("knox", ms, runs);
    r = an_result_new("knox");
    an_param_num(r, "space_band_m", o.space_band);
    an_param_num(r, "space_bands", o.space_bands);
    an_param_num(r, "time_band_days", o.time_band);
    an_param_num(r, "time_bands", o.time_bands);
    an_param_num(r, "iterations", o.iterations);
    an_param(r, "metric", "%s", o.manhattan ? "manhattan" : "euclidean");
    an_param(r, "bands",
             "same location and more-than bands added as the Near Repeat "
             "Calculator does; time by whole days of the dates");
    an_param(r, "intervals", "%s",
             o.nrc_intervals ? "nrc: same location < 1 m, [(k-1)b, kb) m, [kt, (k+1)t) days"
                             : "labelled: same location 0 m, ((k-1)b, kb] m, 0-t then "
                               "(kt, (k+1)t] days");
    an_seed(r, o.seed);
    cli_an_result(&a, r, &p.info);
    an_data_num(r, "events", (double)n);
    if (untimed)
        an_warn(r, "%zu points have no date and are left out", untimed);
    an_summary_num(r, "events", (double)n);
    an_summary_num(r, "pairs", (double)k.pairs);
    an_summary_num(r, "close_pairs", (double)k.close_pairs);
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
    for (s = 0; s < k.rows; s++)
        for (c = 0; c < k.cols; c++) {
            size_t cell = (size_t)(s * k.cols + c);
            char sl[64], tl[64];
            double d0, d1;
            int64_t t0, t1;

            if (s == 0) {
                snprintf(sl, sizeof(sl), "Same location");
                d0 = d1 = 0;
            } else if (s <= o.space_bands) {
                d0 = o.space_band * (s - 1);
                d1 = o.space_band * s;
                snprintf(sl, sizeof(sl), "%g to %g", s == 1 ? 1 : d0 + 1, d1);
            } else {
                d0 = o.space_band * o.space_bands;
                d1 = INFINITY;
                snprintf(sl, sizeof(sl), "More than %g", d0);
            }
            if (c == 0) {
                t0 = 0;
                t1 = o.time_band;
            } else if (c < o.time_bands) {
                t0 = (int64_t)o.time_band * c + 1;
                t1 = (int64_t)o.time_band * (c + 1);
            } else {
                t0 = (int64_t)o.time_band * o.time_bands + 1;
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
            an_int(r, (int64_t)k.observed[cell]);
            an_num(r, k.mean[cell]);
            an_num(r, k.median[cell]);
            an_int(r, (int64_t)k.min[cell]);
            an_int(r, (int64_t)k.max[cell]);
            an_num(r, k.ratio[cell]);
            an_num(r, k.p[cell]);
        }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_knox_release(&k);
    an_points_release(&p);
    cscc_free(x);
    cscc_free(y);
    cscc_free(day);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
