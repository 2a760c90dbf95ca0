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
    an_spatial_init(&a->sp);
}

const char *cli_opt_name(const struct option *longopts, int opt)
{
    const struct option *o;

    for (o = longopts; o->name; o++)
        if (o->val == opt)
            return o->name;
    return "";
}

int cli_an_refused(const char *cmd, const struct cscc_err *err)
{
    return cli_usage_error(cmd, "--%s", err->msg);
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    return an_opt_double(s, min, max, out);
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
    else if (a->sp.q.f.has_from && a->sp.q.f.has_to)
        *rc = cli_period_check(cmd, "from", a->sp.q.f.day_from, "to", a->sp.q.f.day_to);
    return -1;
}

int cli_an_option(const char *cmd, struct cli_an *a, int opt, const char *arg, int *rc)
{
    static const struct option names[] = {
        CLI_AN_LONGOPTS,
        CLI_AN_GRID_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct cscc_err err;
    unsigned long ul;
    int got;

    *rc = 0;
    if (cli_filter_option(cmd, &a->sp.q.f, opt, arg, rc) ||
        cli_result_option(cmd, &a->fmt, &a->out, opt, arg, rc))
        return 1;
    if (opt == 'R') {
        if (cli_parse_uint(arg, 10000, &ul) || !ul)
            *rc = cli_usage_error(cmd, "--repeat takes a number from 1 to 10000");
        a->repeat = ul;
        return 1;
    }
    cscc_err_clear(&err);
    got = an_spatial_option(&a->sp, 1, cli_opt_name(names, opt), arg, &err);
    if (got < 0)
        *rc = cli_an_refused(cmd, &err);
    return got != 0;
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
    struct store *st;

    cscc_err_clear(&err);
    if (!(st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    if (need_table) {
        if (analysis_points_table(&a->sp.q, name, sizeof(name), &err)) {
            store_close(st);
            return cli_fail(&err);
        }
        ingest_table_path(ctx->data_dir, name, path, sizeof(path));
        if (!(a->t = colstore_open(path, &err))) {
            store_close(st);
            if (err.code == CSCC_ENOENT) {
                if (a->sp.q.source == AN_SRC_LAYER)
                    cscc_error("there is no layer '%s' in %s; import it with 'cscc import layer "
                               "%s FILE ...'",
                               a->sp.q.layer, ctx->data_dir, a->sp.q.layer);
                else
                    cscc_error("no %s have been imported into %s yet; run 'cscc import %s FILE'",
                               name, ctx->data_dir, name);
                return CLI_NOINPUT;
            }
            return cli_fail(&err);
        }
    }
    if (an_spatial_open(&a->sp, st, a->t, &err)) {
        cli_an_close(a);
        if (a->sp.crs_name && err.code == CSCC_EINVAL) {
            cscc_error("--%s", err.msg);
            return CLI_USAGE;
        }
        return cli_fail(&err);
    }
    return 0;
}

int cli_an_refusal(const struct cscc_err *err)
{
    if (err->code != CSCC_EINVAL)
        return cli_fail(err);
    /* the message names the options itself; the field is the API's */
    cscc_error("%s", err->msg);
    return CLI_USAGE;
}

int cli_an_require(struct cli_an *a, int by_area)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    if (!an_spatial_require(&a->sp, by_area, AN_SPELL_CLI, &err))
        return 0;
    return cli_an_refusal(&err);
}

int cli_an_city(struct cli_an *a)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    return an_spatial_city(&a->sp, &err) ? cli_fail(&err) : 0;
}

int cli_an_grid(struct cli_an *a, const char *cmd, double default_cell, struct an_grid *g)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    if (a->sp.gnx && a->sp.cell)
        return cli_usage_error(cmd, "give --cell or --grid, not both");
    return an_spatial_grid(&a->sp, default_cell, g, &err) ? cli_fail(&err) : 0;
}

void cli_an_close(struct cli_an *a)
{
    an_spatial_release(&a->sp);
    colstore_close(a->t);
    store_close(a->sp.st);
    a->t = NULL;
    a->sp.st = NULL;
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
    an_spatial_describe(&a->sp, r, info);
}
