/* cmd_analyze_kde.c - `cscc analyze kde`: quartic kernel density on a grid. */
#include "cli/cli.h"

#include "analysis/kde.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char *const CMD = "analyze kde ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze kde [--bandwidth M] [--exact] [--cell M | --grid NXxNY]\n"
          "           [points and filters] [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Quartic kernel density (as CrimeStat and ArcGIS define it) of the points on a\n"
          "grid. density_km2 is points (or weight) per square kilometre at the cell's\n"
          "centre; expected is density x cell area (points expected in the cell).\n"
          "\n"
          "Options:\n"
          "  --bandwidth M     search radius in metres (default: ArcGIS's rule,\n"
          "                    0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2)\n"
          "  --exact           spread every point from its own position (default: points\n"
          "                    are summed into cells first, then spread: fast)\n"
          "  --all-cells       list every cell (default: cells with a density above 0)\n"
          "  (the default grid is 500 x 500 cells over the community areas)\n",
          f);
    cli_an_help(f, 1);
}

int cmd_analyze_kde(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        CLI_AN_GRID_LONGOPTS,
        {"bandwidth", required_argument, NULL, 'b'},
        {"exact", no_argument, NULL, 'x'},
        {"all-cells", no_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    struct cli_an a;
    struct an_kde_opts o;
    struct an_kde k;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *lon = NULL, *lat = NULL, *ms = NULL;
    int opt, rc, all = 0;
    unsigned long i, runs;

    cli_an_init(&a);
    memset(&o, 0, sizeof(o));
    memset(&k, 0, sizeof(k));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'b':
            if (cli_parse_double(optarg, 1e-3, 1e6, &o.bandwidth))
                return cli_usage_error(CMD, "--bandwidth takes metres (above 0), not '%s'", optarg);
            break;
        case 'x': o.exact = 1; break;
        case 'A': all = 1; break;
        }
    }
    if (rc)
        return rc;
    if (!a.cell && !a.gnx)
        a.gnx = a.gny = 500;
    o.threads = a.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_grid(&a, CMD, 0, &g)))
        goto out;
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (i = 0; i < runs; i++) {
        double t0 = cli_now_ms();

        if (i)
            analysis_kde_release(&k);
        if (analysis_kde(&a.src, &g, &o, &k, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[i] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("kde", ms, runs);
    if (an_grid_corners_wgs84(&g, &a.crs, &lon, &lat, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    r = an_result_new("kde");
    an_param(r, "kernel", "quartic");
    an_param_num(r, "bandwidth_m", k.bandwidth);
    an_param(r, "bandwidth_rule", "%s",
             k.default_rule ? "ArcGIS default: 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2" : "given");
    an_param(r, "method", "%s", o.exact ? "exact" : "binned (points at their cell's centre)");
    an_grid_describe(&g, r);
    an_param(r, "units", "density_km2: per square kilometre; expected: per cell");
    cli_an_result(&a, r, &k.info);
    an_summary_num(r, "bandwidth_m", k.bandwidth);
    if (k.default_rule) {
        an_summary_num(r, "n", k.n);
        an_summary_num(r, "standard_distance_m", k.sd);
        an_summary_num(r, "median_distance_m", k.dm);
    }
    an_summary_num(r, "weight", k.weight);
    an_summary_num(r, "weight_outside_grid", k.weight_outside);
    {
        double sum = 0, mx = 0, area = g.cell * g.cell / 1e6;
        size_t c;

        for (c = 0; c < an_grid_ncells(&g); c++) {
            sum += k.density[c] * area;
            mx = fmax(mx, k.density[c]);
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
        for (c = 0; c < an_grid_ncells(&g); c++) {
            double x, y, ring[10];

            if (!all && !(k.density[c] > 0))
                continue;
            an_grid_centre(&g, c, &x, &y);
            an_row(r);
            an_int(r, (int64_t)c);
            an_int(r, (int64_t)(c % g.nx));
            an_int(r, (int64_t)(c / g.nx));
            an_num(r, x);
            an_num(r, y);
            an_num(r, k.density[c]);
            an_num(r, k.density[c] * area);
            an_grid_ring(&g, lon, lat, c, ring);
            an_geom_ring(r, ring, 5);
        }
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_kde_release(&k);
    cscc_free(lon);
    cscc_free(lat);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
