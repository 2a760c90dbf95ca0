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
    unsigned long ul;
    size_t u;

    cli_an_init(&a);
    memset(&o, 0, sizeof(o));
    memset(&m, 0, sizeof(m));
    o.queen = 1;
    o.perms = 999;
    o.seed = 1;
    o.alpha = 0.05;
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'X': o.rate = 1; break;
        case 'r': o.queen = 0; break;
        case 'P':
            if (cli_parse_uint(optarg, 99999, &ul))
                return cli_usage_error(CMD, "--permutations takes a number from 0 to 99999");
            o.perms = (unsigned)ul;
            break;
        case 'S':
            if (cli_parse_uint(optarg, ~0ul, &ul))
                return cli_usage_error(CMD, "--seed takes a non-negative integer");
            o.seed = ul;
            break;
        case 'A':
            if (cli_parse_double(optarg, 1e-6, 0.5, &o.alpha))
                return cli_usage_error(CMD, "--alpha takes a level between 0 and 0.5");
            break;
        }
    }
    if (rc)
        return rc;
    o.threads = a.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_city(&a)))
        goto out;
    if (analysis_moran_areas(&a.src, &a.city, &o, &m, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    r = an_result_new("moran");
    an_param(r, "units", "community areas");
    an_param(r, "value", "%s", o.rate ? "incidents per 100,000 residents" : "incidents");
    if (o.rate)
        an_param(r, "population", "%s", a.city.pop_source);
    an_param(r, "weights", "%s contiguity, row-standardised", o.queen ? "queen" : "rook");
    an_param_num(r, "permutations", o.perms);
    an_param(r, "inference", "conditional permutation (local), random permutation (global)");
    an_param_num(r, "alpha", o.alpha);
    an_seed(r, o.seed);
    cli_an_result(&a, r, &m.info);
    an_summary_num(r, "moran_i", m.global.i);
    an_summary_num(r, "expected_i", m.global.expected);
    an_summary_num(r, "variance_normality", m.global.var_norm);
    an_summary_num(r, "z_normality", m.global.z_norm);
    an_summary_num(r, "p_normality", m.global.p_norm);
    an_summary_num(r, "variance_randomisation", m.global.var_rand);
    an_summary_num(r, "z_randomisation", m.global.z_rand);
    an_summary_num(r, "p_randomisation", m.global.p_rand);
    an_summary_num(r, "p_permutation", m.global.p_sim);
    an_summary_num(r, "areas", (double)m.n);
    if (m.islands)
        an_warn(r, "%zu areas have no neighbour", m.islands);
    an_column(r, "community_area", AN_INT);
    an_column(r, "name", AN_STR);
    an_column(r, "value", AN_NUM);
    an_column(r, "local_i", AN_NUM);
    an_column(r, "lag", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    an_column(r, "quadrant", AN_STR);
    an_column(r, "cluster", AN_STR);
    an_column(r, "neighbours", AN_INT);
    for (u = 0; u < m.n; u++) {
        int sig = o.perms && m.p[u] <= o.alpha;

        an_row(r);
        an_int(r, m.ids[u]);
        an_str(r, a.city.name[m.ids[u]]);
        an_num(r, m.value[u]);
        an_num(r, m.ii[u]);
        an_num(r, m.lag[u]);
        an_num(r, m.p[u]);
        an_str(r, analysis_moran_quadrant(m.quadrant[u]));
        an_str(r, sig ? analysis_moran_quadrant(m.quadrant[u]) : "not significant");
        an_int(r, (int64_t)m.neighbours[u]);
        if (a.city.geometry[m.ids[u]])
            an_geom_json(r, a.city.geometry[m.ids[u]]);
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_moran_release(&m);
    cli_an_close(&a);
    return rc;
}
