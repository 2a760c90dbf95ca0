/* cmd_analyze_pai.c - `cscc analyze pai`: the Predictive Accuracy and
 * Efficiency Indices of a hot spot map made on one period, tested on the next. */
#include "cli/cli.h"

#include "analysis/pai.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char *const CMD = "analyze pai ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze pai --train-from D --train-to D --test-from D --test-to D\n"
          "           [--method count|kde|gistar] [--coverage PCT] [--bandwidth M]\n"
          "           [--distance M] [--cell M] [points and filters]\n"
          "\n"
          "Makes a hot spot map from the training period's points and tests it on the\n"
          "test period's: the Predictive Accuracy Index PAI = (n/N) / (a/A) and the\n"
          "Predictive Efficiency Index PEI = n / n* (Hunt 2016), n* being the test points\n"
          "of the best map of the same size. The table lists the hot cells.\n"
          "\n"
          "Options:\n"
          "  --method M        count (most points; default), kde (highest density) or\n"
          "                    gistar (highest Gi* z; without --coverage, the cells hot\n"
          "                    at 99 %, FDR-corrected)\n"
          "  --coverage PCT    hot cells as a percentage of the city's cells (default 5,\n"
          "                    none for gistar)\n"
          "  --bandwidth M     kde: bandwidth in metres (default ArcGIS's rule)\n"
          "  --distance M      gistar: distance band (default ArcGIS's)\n"
          "  --cell M          cell size (default 250 m)\n"
          "  (--from and --to are replaced by the two periods)\n",
          f);
    cli_an_help(f, 1);
}

/* The long name of option code val. */
static const char *longopts_name(const struct option *o, int val)
{
    for (; o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

int cmd_analyze_pai(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        CLI_AN_GRID_LONGOPTS,
        {"train-from", required_argument, NULL, 1},
        {"train-to", required_argument, NULL, 2},
        {"test-from", required_argument, NULL, 3},
        {"test-to", required_argument, NULL, 4},
        {"method", required_argument, NULL, 'm'},
        {"coverage", required_argument, NULL, 'v'},
        {"bandwidth", required_argument, NULL, 'b'},
        {"distance", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    static const char *const methods[] = {"count", "kde", "gistar"};
    struct cli_an a;
    struct an_pai_opts o;
    struct an_pai p;
    struct an_grid g;
    struct an_points_query qtrain, qtest;
    struct an_pointsrc strain, stest;
    struct an_result *r = NULL;
    struct cscc_err err;
    int64_t day[4];
    int have[4] = {0, 0, 0, 0}, opt, rc, cov_given = 0;
    double pct = 5, *lon = NULL, *lat = NULL;
    uint8_t *cell_area = NULL;
    size_t i;

    cli_an_init(&a);
    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 1:
        case 2:
        case 3:
        case 4:
            if (cscc_parse_day(optarg, &day[opt - 1]))
                return cli_usage_error(CMD, "--%s takes a date YYYY-MM-DD, not '%s'",
                                       longopts_name(longopts, opt), optarg);
            have[opt - 1] = 1;
            break;
        case 'm':
            for (i = 0; i < 3 && strcmp(optarg, methods[i]); i++)
                ;
            if (i == 3)
                return cli_usage_error(CMD, "--method is count, kde or gistar, not '%s'", optarg);
            o.method = (enum an_hot_method)i;
            break;
        case 'v':
            if (cli_parse_double(optarg, 1e-6, 100, &pct))
                return cli_usage_error(CMD, "--coverage is a percentage above 0, up to 100");
            cov_given = 1;
            break;
        case 'b':
            if (cli_parse_double(optarg, 1e-3, 1e6, &o.bandwidth))
                return cli_usage_error(CMD, "--bandwidth takes metres (above 0)");
            break;
        case 'd':
            if (cli_parse_double(optarg, 1e-3, 1e6, &o.band))
                return cli_usage_error(CMD, "--distance takes metres (above 0)");
            break;
        }
    }
    if (rc)
        return rc;
    if (!have[0] || !have[1] || !have[2] || !have[3])
        return cli_usage_error(CMD, "give --train-from, --train-to, --test-from and --test-to");
    if (a.q.f.has_from || a.q.f.has_to)
        return cli_usage_error(CMD, "--from and --to do not apply: give the two periods");
    if (day[0] > day[1] || day[2] > day[3])
        return cli_usage_error(CMD, "a period ends before it starts");
    o.coverage = o.method == AN_HOT_GISTAR && !cov_given ? 0 : pct / 100;
    o.threads = a.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_grid(&a, CMD, 250, &g)))
        goto out;
    qtrain = a.q;
    qtest = a.q;
    qtrain.f.has_from = qtrain.f.has_to = qtest.f.has_from = qtest.f.has_to = 1;
    qtrain.f.day_from = day[0];
    qtrain.f.day_to = day[1];
    qtest.f.day_from = day[2];
    qtest.f.day_to = day[3];
    strain = a.src;
    strain.q = &qtrain;
    stest = a.src;
    stest.q = &qtest;
    if (an_city_cell_areas(&a.city, &g, &a.crs, &cell_area, &err) ||
        analysis_pai(&strain, &stest, &g, cell_area, &o, &p, &err) ||
        an_grid_corners_wgs84(&g, &a.crs, &lon, &lat, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    r = an_result_new("pai");
    an_param(r, "method", "%s", methods[o.method]);
    if (o.coverage > 0)
        an_param_num(r, "coverage_percent", o.coverage * 100);
    else
        an_param(r, "hot_cells", "Gi_Bin +3 (99 %%, Benjamini-Hochberg)");
    if (o.method == AN_HOT_KDE)
        an_param(r, "bandwidth", "%s", o.bandwidth > 0 ? "given" : "ArcGIS rule");
    if (o.bandwidth > 0)
        an_param_num(r, "bandwidth_m", o.bandwidth);
    an_grid_describe(&g, r);
    {
        char d0[16], d1[16];

        cscc_format_day(day[0], d0);
        cscc_format_day(day[1], d1);
        an_param(r, "train_period", "%s/%s", d0, d1);
        cscc_format_day(day[2], d0);
        cscc_format_day(day[3], d1);
        an_param(r, "test_period", "%s/%s", d0, d1);
    }
    cli_an_result(&a, r, &p.test);
    an_data_num(r, "train_points", (double)p.train.points);
    an_data_num(r, "test_points", (double)p.test.points);
    an_summary_num(r, "cells", (double)p.cells);
    an_summary_num(r, "hot_cells", (double)p.hot);
    an_summary_num(r, "area_km2", p.area_km2);
    an_summary_num(r, "hot_area_km2", p.hot_km2);
    an_summary_num(r, "test_points_in_city", p.N);
    an_summary_num(r, "test_points_in_hot_cells", p.n);
    an_summary_num(r, "hit_rate", p.hit_rate);
    an_summary_num(r, "pai", p.pai);
    an_summary_num(r, "pai_max", p.pai_star);
    an_summary_num(r, "pei", p.pei);
    an_column(r, "rank", AN_INT);
    an_column(r, "cell", AN_INT);
    an_column(r, "col", AN_INT);
    an_column(r, "row", AN_INT);
    an_column(r, "community_area", AN_INT);
    an_column(r, "train_score", AN_NUM);
    an_column(r, "test_count", AN_NUM);
    for (i = 0; i < p.hot; i++) {
        double ring[10];
        size_t c = p.hot_cell[i];

        an_row(r);
        an_int(r, (int64_t)i + 1);
        an_int(r, (int64_t)c);
        an_int(r, (int64_t)(c % g.nx));
        an_int(r, (int64_t)(c / g.nx));
        an_int(r, cell_area[c]);
        an_num(r, p.hot_score[i]);
        an_num(r, p.hot_test[i]);
        an_grid_ring(&g, lon, lat, c, ring);
        an_geom_ring(r, ring, 5);
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_pai_release(&p);
    cscc_free(cell_area);
    cscc_free(lon);
    cscc_free(lat);
    cli_an_close(&a);
    return rc;
}
