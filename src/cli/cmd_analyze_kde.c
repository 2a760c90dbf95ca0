/* cmd_analyze_kde.c - `cscc analyze kde`: quartic kernel density on a grid. */
#include "cli/cli.h"

#include "analysis/kde.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
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
    struct an_kde_args ka;
    struct an_kde k;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *ms = NULL;
    int opt, rc;
    unsigned long i, runs;

    cli_an_init(&a);
    analysis_kde_args_init(&ka);
    memset(&k, 0, sizeof(k));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_kde_option(&ka, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    if (a.sp.gnx && a.sp.cell)
        return cli_usage_error(CMD, "give --cell or --grid, not both");
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_require(&a, 0)))
        goto out;
    if (analysis_kde_prepare(&a.sp, &ka, &g, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (i = 0; i < runs; i++) {
        double t0 = cli_now_ms();

        if (i)
            analysis_kde_release(&k);
        if (analysis_kde(&a.sp.src, &g, &ka.o, &k, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[i] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("kde", ms, runs);
    if (!(r = analysis_kde_result(&a.sp, &ka, &g, &k, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_kde_release(&k);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
