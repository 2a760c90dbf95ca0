/* cmd_analyze_gistar.c - `cscc analyze gistar`: Getis-Ord Gi* hot spots on a
 * grid of cells or on community areas. */
#include "cli/cli.h"

#include "analysis/gistar.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
#include <string.h>

static const char *const CMD = "analyze gistar ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze gistar [--cell M] [--distance M | --knn K] [--no-fdr]\n"
          "       cscc analyze gistar --areas [--rook] [--no-fdr]\n"
          "           [points and filters] [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Getis-Ord Gi* hot spots as ArcGIS's Hot Spot Analysis reports them: for each\n"
          "unit (a grid cell whose centre is in the city, or a community area) the count\n"
          "of points, gi_z (the Gi* z-score), its two-sided p-value and gi_bin: +3/-3,\n"
          "+2/-2, +1/-1 for a hot/cold spot at 99, 95, 90 % confidence, 0 otherwise.\n"
          "\n"
          "Options:\n"
          "  --cell M          grid cell size in metres (default 250)\n"
          "  --distance M      fixed distance band between cell centres (default: the\n"
          "                    smallest that gives every cell a neighbour, as ArcGIS)\n"
          "  --knn K           the K nearest cells instead of a distance band\n"
          "  --no-fdr          bins from plain p-values (default: Benjamini-Hochberg false\n"
          "                    discovery rate correction)\n"
          "  --areas           community areas instead of grid cells, contiguity weights\n"
          "                    built from the boundaries (queen: a shared vertex)\n"
          "  --rook            with --areas: neighbours share an edge (two vertices)\n",
          f);
    cli_an_help(f, 1);
}

int cmd_analyze_gistar(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        CLI_AN_GRID_LONGOPTS,
        {"distance", required_argument, NULL, 'd'},
        {"knn", required_argument, NULL, 'k'},
        {"no-fdr", no_argument, NULL, 'N'},
        {"areas", no_argument, NULL, 'U'},
        {"rook", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    struct cli_an a;
    struct an_gistar_args ga;
    struct an_gistar gs;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *ms = NULL;
    uint8_t *cell_area = NULL;
    int opt, rc;
    unsigned long i, runs;

    cli_an_init(&a);
    analysis_gistar_args_init(&ga);
    memset(&gs, 0, sizeof(gs));
    memset(&g, 0, sizeof(g));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_gistar_option(&ga, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    if (analysis_gistar_check(&a.sp, &ga, &err))
        return cli_usage_error(CMD, "%s", err.msg);
    if (a.sp.gnx && a.sp.cell)
        return cli_usage_error(CMD, "give --cell or --grid, not both");
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_require(&a, ga.areas)))
        goto out;
    if (analysis_gistar_prepare(&a.sp, &ga, &g, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (i = 0; i < runs; i++) {
        double t0 = cli_now_ms();

        analysis_gistar_release(&gs);
        cscc_free(cell_area);
        cell_area = NULL;
        if (analysis_gistar_run(&a.sp, &ga, &g, &cell_area, &gs, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[i] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("gistar", ms, runs);
    if (!(r = analysis_gistar_result(&a.sp, &ga, &g, cell_area, &gs, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_gistar_release(&gs);
    cscc_free(cell_area);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
