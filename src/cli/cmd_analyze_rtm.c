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
#include <math.h>
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

struct factor_src {
    struct an_points_query q;
    struct colstore_table *t;
    struct an_pointsrc src;
};

static const char *kind_name(enum an_rtm_kind k)
{
    return k == AN_RTM_PROXIMITY ? "proximity" : k == AN_RTM_DENSITY ? "density" : "distance";
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
    struct an_rtm_factor f[AN_RTM_MAX_FACTORS];
    struct factor_src fs[AN_RTM_MAX_FACTORS];
    char names[AN_RTM_MAX_FACTORS][64], col[AN_RTM_MAX_FACTORS][96];
    struct an_rtm rt;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *lon = NULL, *lat = NULL;
    uint8_t *cell_area = NULL;
    size_t nf = 0, i, k;
    int opt, rc, factors_table = 0;

    cli_an_init(&a);
    memset(&rt, 0, sizeof(rt));
    memset(fs, 0, sizeof(fs));
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'x':
        case 'y':
        case 'z': {
            const char *colon = strchr(optarg, ':');
            size_t len = colon ? (size_t)(colon - optarg) : strlen(optarg);

            if (nf == AN_RTM_MAX_FACTORS)
                return cli_usage_error(CMD, "at most %d factors", AN_RTM_MAX_FACTORS);
            if (!len || len >= sizeof(names[0]))
                return cli_usage_error(CMD, "a factor is LAYER or LAYER:METRES, not '%s'", optarg);
            memcpy(names[nf], optarg, len);
            names[nf][len] = '\0';
            memset(&f[nf], 0, sizeof(f[nf]));
            f[nf].name = names[nf];
            f[nf].kind = opt == 'x'   ? AN_RTM_PROXIMITY
                         : opt == 'y' ? AN_RTM_DENSITY
                                      : AN_RTM_DISTANCE;
            if (colon && (opt == 'z' || cli_parse_double(colon + 1, 1e-3, 1e6, &f[nf].param)))
                return cli_usage_error(CMD, "'%s': the distance after ':' is metres above 0%s",
                                       optarg, opt == 'z' ? " (and --distance takes none)" : "");
            if (opt == 'x' && !colon)
                return cli_usage_error(CMD, "--proximity takes LAYER:METRES, not '%s'", optarg);
            nf++;
            break;
        }
        case 'Z':
            if (!strcmp(optarg, "cells"))
                factors_table = 0;
            else if (!strcmp(optarg, "factors"))
                factors_table = 1;
            else
                return cli_usage_error(CMD, "--table is cells or factors, not '%s'", optarg);
            break;
        }
    }
    if (rc)
        return rc;
    if (!nf)
        return cli_usage_error(CMD, "give at least one factor (--proximity, --density, "
                                    "--distance)");
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_grid(&a, CMD, 150, &g)))
        goto out;
    for (k = 0; k < nf; k++) {
        char tname[64], path[PATH_MAX];

        fs[k].q.source = AN_SRC_LAYER;
        fs[k].q.layer = names[k];
        if (analysis_points_table(&fs[k].q, tname, sizeof(tname), &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ingest_table_path(ctx->data_dir, tname, path, sizeof(path));
        if (!(fs[k].t = colstore_open(path, &err))) {
            if (err.code == CSCC_ENOENT) {
                cscc_error("there is no layer '%s'; import it with 'cscc import layer %s FILE'",
                           names[k], names[k]);
                rc = CLI_NOINPUT;
            } else {
                rc = cli_fail(&err);
            }
            goto out;
        }
        fs[k].src.t = fs[k].t;
        fs[k].src.st = a.st;
        fs[k].src.q = &fs[k].q;
        fs[k].src.crs = &a.crs;
        f[k].src = &fs[k].src;
    }
    if (an_city_cell_areas(&a.city, &g, &a.crs, &cell_area, &err) ||
        analysis_rtm(&a.src, &g, cell_area, f, nf, a.threads, &rt, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    r = an_result_new("rtm");
    an_param(r, "model", "Poisson regression, log link, IRLS; every factor kept");
    an_grid_describe(&g, r);
    for (k = 0; k < nf; k++) {
        char key[96];

        snprintf(key, sizeof(key), "factor_%zu", k + 1);
        if (f[k].kind == AN_RTM_DISTANCE)
            an_param(r, key, "%s: distance to nearest (km)", names[k]);
        else if (f[k].kind == AN_RTM_PROXIMITY)
            an_param(r, key, "%s: proximity within %g m", names[k], f[k].param);
        else if (f[k].param > 0)
            an_param(r, key, "%s: density (bandwidth %g m) >= mean + 2 SD", names[k], f[k].param);
        else
            an_param(r, key, "%s: density (ArcGIS bandwidth rule) >= mean + 2 SD", names[k]);
    }
    cli_an_result(&a, r, &rt.info);
    an_summary_num(r, "cells", (double)rt.n);
    an_summary_num(r, "iterations", rt.fit.iterations);
    an_summary(r, "converged", "%s", rt.fit.converged ? "yes" : "no");
    an_summary_num(r, "deviance", rt.fit.deviance);
    an_summary_num(r, "null_deviance", rt.fit.null_deviance);
    an_summary_num(r, "aic", rt.fit.aic);
    an_summary_num(r, "intercept", rt.fit.beta[0]);
    /* each factor's own name: KIND_LAYER, numbered when a layer comes twice
     * in one kind (proximity_bars, proximity_bars_2) */
    for (k = 0; k < nf; k++) {
        size_t j, same = 0;
        char key[96];

        for (j = 0; j < k; j++)
            same += f[j].kind == f[k].kind && !strcmp(names[j], names[k]);
        if (same)
            snprintf(col[k], sizeof(col[k]), "%s_%s_%zu", kind_name(f[k].kind), names[k], same + 1);
        else
            snprintf(col[k], sizeof(col[k]), "%s_%s", kind_name(f[k].kind), names[k]);
        snprintf(key, sizeof(key), "rr_%s", col[k]);
        an_summary_num(r, key, exp(rt.fit.beta[k + 1]));
    }
    if (!rt.fit.converged)
        an_warn(r, "the regression did not converge in %d iterations", rt.fit.iterations);
    if (factors_table) {
        an_column(r, "factor", AN_STR);
        an_column(r, "kind", AN_STR);
        an_column(r, "parameter_m", AN_NUM);
        an_column(r, "cells_present", AN_NUM);
        an_column(r, "coefficient", AN_NUM);
        an_column(r, "std_error", AN_NUM);
        an_column(r, "z", AN_NUM);
        an_column(r, "p_value", AN_NUM);
        an_column(r, "relative_risk", AN_NUM);
        an_column(r, "rr_ci_low", AN_NUM);
        an_column(r, "rr_ci_high", AN_NUM);
        an_row(r);
        an_str(r, "(intercept)");
        an_str(r, "");
        an_num(r, NAN);
        an_num(r, (double)rt.n);
        an_num(r, rt.fit.beta[0]);
        an_num(r, rt.fit.se[0]);
        an_num(r, rt.fit.z[0]);
        an_num(r, rt.fit.pval[0]);
        an_num(r, exp(rt.fit.beta[0]));
        an_num(r, exp(rt.fit.beta[0] - 1.959963984540054 * rt.fit.se[0]));
        an_num(r, exp(rt.fit.beta[0] + 1.959963984540054 * rt.fit.se[0]));
        for (k = 0; k < nf; k++) {
            double b = rt.fit.beta[k + 1], se = rt.fit.se[k + 1];

            an_row(r);
            an_str(r, names[k]);
            an_str(r, kind_name(f[k].kind));
            an_num(r, f[k].param > 0 ? f[k].param : NAN);
            an_num(r, f[k].kind == AN_RTM_DISTANCE ? NAN : rt.present[k]);
            an_num(r, b);
            an_num(r, se);
            an_num(r, rt.fit.z[k + 1]);
            an_num(r, rt.fit.pval[k + 1]);
            an_num(r, exp(b));
            an_num(r, exp(b - 1.959963984540054 * se));
            an_num(r, exp(b + 1.959963984540054 * se));
        }
    } else {
        if (an_grid_corners_wgs84(&g, &a.crs, &lon, &lat, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        an_column(r, "cell", AN_INT);
        an_column(r, "col", AN_INT);
        an_column(r, "row", AN_INT);
        an_column(r, "community_area", AN_INT);
        an_column(r, "count", AN_NUM);
        for (k = 0; k < nf; k++)
            an_column(r, col[k], AN_NUM);
        an_column(r, "relative_risk", AN_NUM);
        for (i = 0; i < rt.n; i++) {
            double ring[10];
            size_t c = rt.cell[i];

            an_row(r);
            an_int(r, (int64_t)c);
            an_int(r, (int64_t)(c % g.nx));
            an_int(r, (int64_t)(c / g.nx));
            an_int(r, cell_area[c]);
            an_num(r, rt.count[i]);
            for (k = 0; k < nf; k++)
                an_num(r, rt.x[i * nf + k]);
            an_num(r, rt.rrs[i]);
            an_grid_ring(&g, lon, lat, c, ring);
            an_geom_ring(r, ring, 5);
        }
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_rtm_release(&rt);
    for (k = 0; k < nf; k++)
        colstore_close(fs[k].t);
    cscc_free(cell_area);
    cscc_free(lon);
    cscc_free(lat);
    cli_an_close(&a);
    return rc;
}
