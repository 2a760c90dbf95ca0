/* cmd_analyze_moran.c - `cscc analyze moran`: local and global Moran's I on
 * community areas. */
#include "cli/cli.h"

#include "analysis/moran.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static const char *const CMD = "analyze moran ";

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze moran [--rate] [--rook] [--permutations N] [--seed S]\n"
          "           [--alpha A] [points and filters] [--format csv|json|geojson]\n"
          "\n"
          "Local Moran's I (LISA) of the community areas' counts (or rates), queen\n"
          "contiguity from the boundaries, row-standardised; conditional permutation\n"
          "pseudo p-values (as GeoDa and esda), quadrants HH/LH/LL/HL and the cluster of\n"
          "each area at level A; the summary has the global Moran's I, E[I], its\n"
          "variance, z and p under normality and randomisation, and a permutation p.\n"
          "\n"
          "Options:\n"
          "  --rate            incidents per 100,000 residents (latest population)\n"
          "  --rook            rook contiguity (a shared edge) instead of queen\n"
          "  --permutations N  permutations (default 999; 0 = none)\n"
          "  --seed S          random seed (default 1)\n"
          "  --alpha A         significance level of the clusters (default 0.05)\n",
          f);
    cli_an_help(f, 0);
}

int cmd_analyze_moran(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_AN_LONGOPTS,
        {"rate", no_argument, NULL, 'X'},
        {"rook", no_argument, NULL, 'r'},
        {"permutations", required_argument, NULL, 'P'},
        {"seed", required_argument, NULL, 'S'},
        {"alpha", required_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    struct cli_an a;
    struct an_moran_opts o;
    struct an_moran m;
    struct an_result *r = NULL;
    struct cscc_err err;
    int opt, rc;

    cli_an_init(&a);
    analysis_moran_args_init(&o);
    memset(&m, 0, sizeof(m));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_moran_option(&o, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    o.threads = a.sp.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_require(&a, 1)) || (rc = cli_an_city(&a)))
        goto out;
    if (analysis_moran_areas(&a.sp.src, &a.sp.city, &o, &m, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    r = analysis_moran_result(&a.sp, &o, &m);
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_moran_release(&m);
    cli_an_close(&a);
    return rc;
}
