/* cmd_analyze_pai.c - `cscc analyze pai`: the Predictive Accuracy and
 * Efficiency Indices of a hot spot map made on one period, tested on the next. */
#include "cli/cli.h"

#include "analysis/pai.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
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
    struct cli_an a;
    struct an_pai_args pa;
    struct an_pai p;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    uint8_t *cell_area = NULL;
    int opt, rc;

    cli_an_init(&a);
    analysis_pai_args_init(&pa);
    memset(&p, 0, sizeof(p));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_pai_option(&pa, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    if ((pa.have[0] && pa.have[1] &&
         (rc = cli_period_check(CMD, "train-from", pa.day[0], "train-to", pa.day[1]))) ||
        (pa.have[2] && pa.have[3] &&
         (rc = cli_period_check(CMD, "test-from", pa.day[2], "test-to", pa.day[3]))))
        return rc;
    if (analysis_pai_check(&a.sp, &pa, &err))
        return cli_usage_error(CMD, "%s", err.msg);
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_grid(&a, CMD, 250, &g)))
        goto out;
    if (analysis_pai_run(&a.sp, &pa, &g, &cell_area, &p, &err)) {
        rc = cli_an_refusal(&err); /* e.g. a period with nothing to map or test */
        goto out;
    }
    if (!(r = analysis_pai_result(&a.sp, &pa, &g, cell_area, &p, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_pai_release(&p);
    cscc_free(cell_area);
    cli_an_close(&a);
    return rc;
}
