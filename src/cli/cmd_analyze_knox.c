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
          "                    labels (same location = distance 0, then (0, 100) m,\n"
          "                    [100, 200) m, ...; [0, 2) days)\n",
          f);
    cli_an_help(f, 0);
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
    struct an_knox_events e;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *ms = NULL;
    int opt, rc;
    unsigned long it, runs;

    cli_an_init(&a);
    analysis_knox_args_init(&o);
    memset(&k, 0, sizeof(k));
    memset(&e, 0, sizeof(e));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (analysis_knox_option(&o, cli_opt_name(longopts, opt), optarg, &err) < 0)
            return cli_an_refused(CMD, &err);
    }
    if (rc)
        return rc;
    o.threads = a.sp.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_require(&a, 0)))
        goto out;
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (it = 0; it < runs; it++) {
        double t0 = cli_now_ms();

        analysis_knox_events_release(&e);
        analysis_knox_release(&k);
        if (analysis_knox_events(&a.sp, a.t, &e, &err) ||
            analysis_knox(e.x, e.y, e.day, e.n, &o, &k, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[it] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("knox", ms, runs);
    r = analysis_knox_result(&a.sp, &o, &e, &k);
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_knox_release(&k);
    analysis_knox_events_release(&e);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
