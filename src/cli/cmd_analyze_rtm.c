/* cmd_analyze_rtm.c - `cscc analyze rtm`: built-environment risk in the
 * manner of Risk Terrain Modeling. */
#include "cli/cli.h"

#include "analysis/rtm.h"
#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "analyze rtm ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze rtm --proximity LAYER:M | --density LAYER[:M] | --distance LAYER\n"
          "           ... [--cell M] [--table cells|factors] [points and filters]\n"
          "\n"
          "Risk terrain: each factor is a layer measured on a grid of the city; a Poisson\n"
          "regression (IRLS) of the incidents per cell on the factors gives each factor's\n"
          "relative risk value exp(beta) with a 95 % confidence interval, and each cell a\n"
          "relative risk score exp(sum beta x): its expected incidents relative to a cell\n"
          "with no factor present.\n"
          "\n"
          "Options:\n"
          "  --proximity L:M   1 where a feature of layer L is within M metres\n"
          "  --density L[:M]   1 where layer L's kernel density (bandwidth M, default\n"
          "                    ArcGIS's rule) is at least its mean + 2 SD\n"
          "  --distance L      distance to the nearest feature of L, in km\n"
          "  --cell M          cell size (default 150 m)\n"
          "  --table T         cells (default: the relative risk surface) or factors\n",
          f);
    cli_an_help(f, 1);
}

int cmd_analyze_rtm(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        CLI_AN_GRID_LONGOPTS,
        {"proximity", required_argument, NULL, 'x'},
        {"density", required_argument, NULL, 'y'},
        {"distance", required_argument, NULL, 'z'},
        {"table", required_argument, NULL, 'Z'},
        {NULL, 0, NULL, 0},
    };
    struct cli_an a;
    struct an_rtm_args ra;
    struct colstore_table *t[AN_RTM_MAX_FACTORS];
    struct an_rtm rt;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    uint8_t *cell_area = NULL;
    size_t k;
    int opt, rc;

    cli_an_init(&a);
    analysis_rtm_args_init(&ra);
    memset(&rt, 0, sizeof(rt));
    memset(t, 0, sizeof(t));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_rtm_option(&ra, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    if (analysis_rtm_check(&ra, &err))
        return cli_usage_error(CMD, "%s", err.msg);
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_require(&a, 0)) ||
        (rc = cli_an_grid(&a, CMD, 150, &g)))
        goto out;
    for (k = 0; k < ra.nf; k++) {
        char tname[64], path[PATH_MAX];

        if (analysis_rtm_factor_table(&ra, k, tname, sizeof(tname), &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ingest_table_path(ctx->data_dir, tname, path, sizeof(path));
        if (!(t[k] = colstore_open(path, &err))) {
            if (err.code == CSCC_ENOENT) {
                cscc_error("there is no layer '%s'; import it with 'cscc import layer %s FILE'",
                           ra.names[k], ra.names[k]);
                rc = CLI_NOINPUT;
            } else {
                rc = cli_fail(&err);
            }
            goto out;
        }
    }
    if (analysis_rtm_run(&a.sp, &ra, &g, (const struct colstore_table *const *)t, &cell_area, &rt,
                         &err) ||
        !(r = analysis_rtm_result(&a.sp, &ra, &g, cell_area, &rt, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_rtm_release(&rt);
    for (k = 0; k < ra.nf; k++)
        colstore_close(t[k]);
    cscc_free(cell_area);
    cli_an_close(&a);
    return rc;
}
