/* analyze_spatial.c - what the spatial analyses' commands share: where the
 * points come from (--layer, --victims, the crime filters), the projected
 * CRS (--crs), the grid (--cell, --grid, --extent), timing (--repeat), and
 * opening all of it. */
#include "cli/cli.h"

#include "analysis/grid.h"
#include "analysis/points.h"
#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_an_init(struct cli_an *a)
{
    memset(a, 0, sizeof(*a));
    a->q.source = AN_SRC_CRIMES;
    a->threads = 2;
}

static int parse_pos(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end || !(v > 0) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    if (!s || !*s)
        return -1;
    v = strtod(s, &end);
    if (*end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_bad_option(const char *cmd, const struct option *longopts, char **argv)
{
    const struct option *o, *hit = NULL;
    const char *arg = argv[optind - 1], *name;
    size_t len;
    int hits = 0;

    if (strncmp(arg, "--", 2))
        return cli_usage_error(cmd, "unknown option '-%c'", optopt ? optopt : '?');
    name = arg + 2;
    len = strcspn(name, "=");
    /* getopt_long takes a unique abbreviation too */
    for (o = longopts; o->name; o++) {
        if (strncmp(o->name, name, len))
            continue;
        if (strlen(o->name) == len) {
            hit = o;
            hits = 1;
            break;
        }
        hit = o;
        hits++;
    }
    if (hits != 1)
        return cli_usage_error(cmd, "%s option '--%.*s'", hits ? "ambiguous" : "unknown", (int)len,
                               name);
    if (hit->has_arg == required_argument)
        return cli_usage_error(cmd, "--%s needs a value", hit->name);
    return cli_usage_error(cmd, "--%s takes no value", hit->name);
}

int cli_an_next(struct cli_ctx *ctx, struct cli_an *a, const char *cmd, int argc, char **argv,
                const struct option *longopts, int *rc)
{
    int opt;

    *rc = 0;
    if (!a->parsing) {
        a->parsing = 1;
        optind = 1;
        opterr = 0; /* cli_bad_option() says what is wrong */
    }
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (opt == '?') {
            *rc = cli_bad_option(cmd, longopts, argv);
            return -1;
        }
        if (cli_an_option(cmd, a, opt, optarg, rc)) {
            if (*rc)
                return -1;
            continue;
        }
        return opt;
    }
    if (optind < argc)
        *rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return -1;
}

int cli_an_option(const char *cmd, struct cli_an *a, int opt, const char *arg, int *rc)
{
    unsigned long ul;

    *rc = 0;
    if (cli_filter_option(cmd, &a->q.f, opt, arg, rc) ||
        cli_result_option(cmd, &a->fmt, &a->out, opt, arg, rc))
        return 1;
    switch (opt) {
    case 'L':
        a->q.source = AN_SRC_LAYER;
        a->q.layer = arg;
        return 1;
    case 'V': a->q.source = AN_SRC_VICTIMS; return 1;
    case 'C': a->crs_name = arg; return 1;
    case 'W': a->q.weight = arg; return 1;
    case 'R':
        if (cli_parse_uint(arg, 10000, &ul) || !ul)
            *rc = cli_usage_error(cmd, "--repeat takes a number from 1 to 10000");
        a->repeat = ul;
        return 1;
    case 's':
        if (parse_pos(arg, &a->cell) || a->cell < 1)
            *rc = cli_usage_error(cmd, "--cell takes a cell size in metres (1 or more), not '%s'",
                                  arg);
        return 1;
    case 'g': {
        char *end;
        unsigned long nx = strtoul(arg, &end, 10), ny = nx;

        if (*end == 'x')
            ny = strtoul(end + 1, &end, 10);
        if (*end || !nx || !ny || nx > 16384 || ny > 16384)
            *rc =
                cli_usage_error(cmd, "--grid takes NX or NXxNY cells (up to 16384), not '%s'", arg);
        a->gnx = nx;
        a->gny = ny;
        return 1;
    }
    case 'e':
        if (!strcmp(arg, "areas"))
            a->extent_points = 0;
        else if (!strcmp(arg, "points"))
            a->extent_points = 1;
        else
            *rc = cli_usage_error(cmd, "--extent is areas or points, not '%s'", arg);
        return 1;
    }
    return 0;
}

void cli_an_help(FILE *f, int grid)
{
    fputs("Points (default: the crimes table, with the filters below):\n"
          "  --layer NAME      the points of a layer (cscc import layer NAME ...)\n"
          "  --victims         the victims table\n"
          "  --weight COL      a layer's numeric column as the points' weights\n",
          f);
    cli_filter_help(f);
    fputs("  --crs CRS         projected CRS in metres (default: the setting projected_crs,\n"
          "                    else EPSG:26971, NAD83 / Illinois East)\n",
          f);
    if (grid)
        fputs("Grid:\n"
              "  --cell M          cell size in metres\n"
              "  --grid NX[xNY]    exactly NX x NY square cells over the extent\n"
              "  --extent E        areas (the community areas; default) or points\n",
              f);
    fputs("Output:\n", f);
    cli_result_help(f);
    fputs("  --repeat N        run the analysis N times in this process and print the best\n"
          "                    and median times to stderr (for benchmarks)\n",
          f);
}

int cli_an_open(struct cli_ctx *ctx, struct cli_an *a, int need_table)
{
    struct cscc_err err;
    char name[64], path[PATH_MAX];

    cscc_err_clear(&err);
    if (!(a->st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    if (an_crs_init(&a->crs, a->st, a->crs_name, &err)) {
        cli_an_close(a);
        if (a->crs_name) {
            cscc_error("--crs %s: %s", a->crs_name, err.msg);
            return CLI_USAGE;
        }
        return cli_fail(&err);
    }
    a->crs_ok = 1;
    if (!need_table)
        return 0;
    if (analysis_points_table(&a->q, name, sizeof(name), &err)) {
        cli_an_close(a);
        return cli_fail(&err);
    }
    ingest_table_path(ctx->data_dir, name, path, sizeof(path));
    if (!(a->t = colstore_open(path, &err))) {
        cli_an_close(a);
        if (err.code == CSCC_ENOENT) {
            if (a->q.source == AN_SRC_LAYER)
                cscc_error("there is no layer '%s' in %s; import it with 'cscc import layer %s "
                           "FILE ...'",
                           a->q.layer, ctx->data_dir, a->q.layer);
            else
                cscc_error("no %s have been imported into %s yet; run 'cscc import %s FILE'", name,
                           ctx->data_dir, name);
            return CLI_NOINPUT;
        }
        return cli_fail(&err);
    }
    a->src.t = a->t;
    a->src.st = a->st;
    a->src.q = &a->q;
    a->src.crs = &a->crs;
    return 0;
}

int cli_an_city(struct cli_an *a)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    if (a->city_ok)
        return 0;
    if (an_city_load(&a->city, a->st, &a->crs, &err))
        return cli_fail(&err);
    a->city_ok = 1;
    return 0;
}

struct bbox_ctx {
    double b[16][4];
};

static int bbox_cb(void *arg, int thread, const struct an_point_block *blk)
{
    struct bbox_ctx *c = arg;
    double *b = c->b[thread];
    size_t i;

    for (i = 0; i < blk->n; i++) {
        b[0] = fmin(b[0], blk->x[i]);
        b[1] = fmin(b[1], blk->y[i]);
        b[2] = fmax(b[2], blk->x[i]);
        b[3] = fmax(b[3], blk->y[i]);
    }
    return 0;
}

int cli_an_grid(struct cli_an *a, const char *cmd, double default_cell, struct an_grid *g)
{
    struct cscc_err err;
    double bbox[4];
    int rc, t;

    cscc_err_clear(&err);
    if ((rc = cli_an_city(a)))
        return rc;
    memcpy(bbox, a->city.bbox, sizeof(bbox));
    if (a->extent_points) {
        struct bbox_ctx c;
        struct an_points_info info;

        for (t = 0; t < 16; t++) {
            c.b[t][0] = c.b[t][1] = INFINITY;
            c.b[t][2] = c.b[t][3] = -INFINITY;
        }
        if (an_pointsrc_each(&a->src, a->threads, bbox_cb, &c, &info, &err))
            return cli_fail(&err);
        for (t = 1; t < 16; t++) {
            c.b[0][0] = fmin(c.b[0][0], c.b[t][0]);
            c.b[0][1] = fmin(c.b[0][1], c.b[t][1]);
            c.b[0][2] = fmax(c.b[0][2], c.b[t][2]);
            c.b[0][3] = fmax(c.b[0][3], c.b[t][3]);
        }
        if (!(c.b[0][0] <= c.b[0][2])) {
            cscc_error("%sthe selection has no points, so --extent points has no extent", cmd);
            return CLI_DATAERR;
        }
        memcpy(bbox, c.b[0], sizeof(bbox));
    }
    if (a->gnx && a->cell)
        return cli_usage_error(cmd, "give --cell or --grid, not both");
    if (a->gnx)
        rc = an_grid_init_n(g, bbox, a->gnx, a->gny, &err);
    else
        rc = an_grid_init(g, bbox, a->cell ? a->cell : default_cell, &err);
    return rc ? cli_fail(&err) : 0;
}

void cli_an_close(struct cli_an *a)
{
    if (a->city_ok)
        an_city_release(&a->city);
    if (a->crs_ok)
        an_crs_release(&a->crs);
    colstore_close(a->t);
    store_close(a->st);
    a->t = NULL;
    a->st = NULL;
    a->city_ok = a->crs_ok = 0;
}

double cli_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_dbl(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return (a > b) - (a < b);
}

void cli_an_timing(const char *what, double *ms, size_t n)
{
    if (!n)
        return;
    qsort(ms, n, sizeof(*ms), cmp_dbl);
    cscc_info("timing: %s, %zu runs in this process: best %.3f ms, median %.3f ms", what, n, ms[0],
              ms[n / 2]);
}

void cli_an_result(struct cli_an *a, struct an_result *r, const struct an_points_info *info)
{
    analysis_points_describe(info, &a->q, &a->crs, r);
}
