/* cmd_analyze_gistar.c - `cscc analyze gistar`: Getis-Ord Gi* hot spots on a
 * grid of cells or on community areas. */
#include "cli/cli.h"

#include "analysis/gistar.h"
#include "core/alloc.h"
#include "core/log.h"

#include <getopt.h>
#include <math.h>
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
    struct an_gistar_opts o;
    struct an_gistar gs;
    struct an_grid g;
    struct an_result *r = NULL;
    struct cscc_err err;
    double *lon = NULL, *lat = NULL, *ms = NULL;
    uint8_t *cell_area = NULL;
    int opt, rc, areas = 0, rook = 0;
    unsigned long i, runs, ul;
    size_t u;

    cli_an_init(&a);
    memset(&o, 0, sizeof(o));
    memset(&gs, 0, sizeof(gs));
    o.fdr = 1;
    cscc_err_clear(&err);
    while ((opt = cli_an_next(ctx, &a, CMD, argc, argv, longopts, &rc)) != -1) {
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'd':
            if (cli_parse_double(optarg, 1e-3, 1e6, &o.band))
                return cli_usage_error(CMD, "--distance takes metres (above 0), not '%s'", optarg);
            break;
        case 'k':
            if (cli_parse_uint(optarg, 10000, &ul) || !ul)
                return cli_usage_error(CMD, "--knn takes a number from 1 to 10000");
            o.knn = ul;
            break;
        case 'N': o.fdr = 0; break;
        case 'U': areas = 1; break;
        case 'r': rook = 1; break;
        }
    }
    if (rc)
        return rc;
    if (o.knn && o.band > 0)
        return cli_usage_error(CMD, "give --distance or --knn, not both");
    if (rook && !areas)
        return cli_usage_error(CMD, "--rook goes with --areas");
    if (areas && (o.knn || o.band > 0 || a.cell || a.gnx))
        return cli_usage_error(CMD, "--areas takes no grid options (--cell, --distance, --knn)");
    o.threads = a.threads;
    if ((rc = cli_an_open(ctx, &a, 1)) || (rc = cli_an_city(&a)))
        goto out;
    if (!areas) {
        if ((rc = cli_an_grid(&a, CMD, 250, &g)))
            goto out;
    }
    runs = a.repeat ? a.repeat : 1;
    ms = cscc_xcalloc(runs, sizeof(*ms));
    for (i = 0; i < runs; i++) {
        double t0 = cli_now_ms();

        analysis_gistar_release(&gs);
        cscc_free(cell_area);
        cell_area = NULL;
        if (areas ? analysis_gistar_areas(&a.src, &a.city, !rook, &o, &gs, &err)
                  : an_city_cell_areas(&a.city, &g, &a.crs, &cell_area, &err) ||
                        analysis_gistar_grid(&a.src, &g, cell_area, &o, &gs, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        ms[i] = cli_now_ms() - t0;
    }
    if (a.repeat)
        cli_an_timing("gistar", ms, runs);
    r = an_result_new("gistar");
    an_param(r, "statistic", "Getis-Ord Gi* (binary weights, the unit itself included)");
    an_param(r, "units", "%s",
             areas ? "community areas" : "grid cells whose centre is in the city");
    if (areas) {
        an_param(r, "weights", "%s contiguity from the boundaries", rook ? "rook" : "queen");
        an_param(r, "count", "rows by their Community Area (also rows without coordinates)");
    } else {
        an_grid_describe(&g, r);
        if (o.knn) {
            an_param(r, "weights", "k nearest cells");
            an_param_num(r, "knn", (double)o.knn);
        } else {
            an_param(r, "weights", "fixed distance band%s", o.band > 0 ? "" : " (ArcGIS default)");
            an_param_num(r, "distance_m", gs.band);
        }
    }
    an_param(r, "fdr", "%s", o.fdr ? "Benjamini-Hochberg" : "none");
    cli_an_result(&a, r, &gs.info);
    an_summary_num(r, "units", (double)gs.n);
    if (areas) {
        /* areas count rows by their Community Area, as the City does: rows
         * without coordinates too */
        double in = 0;

        for (u = 0; u < gs.n; u++)
            in += gs.count[u];
        an_summary_num(r, "rows_in_units", in);
        an_summary_num(r, "rows_outside_units", gs.info.rows_selected - in);
    } else {
        an_summary_num(r, "points_in_units", gs.info.points - gs.outside);
        an_summary_num(r, "points_outside_units", gs.outside);
    }
    {
        size_t hot = 0, cold = 0;

        for (u = 0; u < gs.n; u++) {
            hot += gs.bin[u] > 0;
            cold += gs.bin[u] < 0;
        }
        an_summary_num(r, "hot_units", (double)hot);
        an_summary_num(r, "cold_units", (double)cold);
    }
    if (areas) {
        an_column(r, "community_area", AN_INT);
        an_column(r, "name", AN_STR);
    } else {
        an_column(r, "cell", AN_INT);
        an_column(r, "col", AN_INT);
        an_column(r, "row", AN_INT);
        an_column(r, "community_area", AN_INT);
        if (an_grid_corners_wgs84(&g, &a.crs, &lon, &lat, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    an_column(r, "count", AN_NUM);
    an_column(r, "gi_z", AN_NUM);
    an_column(r, "p_value", AN_NUM);
    an_column(r, "gi_bin", AN_INT);
    an_column(r, "neighbours", AN_INT);
    for (u = 0; u < gs.n; u++) {
        an_row(r);
        if (areas) {
            an_int(r, gs.ids[u]);
            an_str(r, a.city.name[gs.ids[u]]);
        } else {
            double ring[10];
            size_t c = gs.cell[u];

            an_int(r, (int64_t)c);
            an_int(r, (int64_t)(c % g.nx));
            an_int(r, (int64_t)(c / g.nx));
            an_int(r, cell_area[c]);
            an_grid_ring(&g, lon, lat, c, ring);
            an_geom_ring(r, ring, 5);
        }
        an_num(r, gs.count[u]);
        an_num(r, gs.z[u]);
        an_num(r, gs.p[u]);
        an_int(r, gs.bin[u]);
        an_int(r, (int64_t)gs.neighbours[u]);
        if (areas && a.city.geometry[gs.ids[u]])
            an_geom_json(r, a.city.geometry[gs.ids[u]]);
    }
    rc = cli_write_result(r, a.fmt, a.out);
out:
    an_result_free(r);
    analysis_gistar_release(&gs);
    cscc_free(cell_area);
    cscc_free(lon);
    cscc_free(lat);
    cscc_free(ms);
    cli_an_close(&a);
    return rc;
}
