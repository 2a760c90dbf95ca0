/* cmd_analyze_resources.c - `cscc analyze capacity-gap` (violence burden
 * against partner capacity, per area and sector) and `cscc analyze funding`
 * (funding alignment), over src/resources. */
#include "cli/cli.h"

#include "analysis/result.h"
#include "analysis/trends.h"
#include "coord/partners.h"
#include "core/time.h"
#include "resources/resources.h"

#include <getopt.h>
#include <string.h>

/* Parses --from/--to into *day; 0, or a usage error's status. */
static int period_option(const char *cmd, int opt, const char *arg, int64_t *from, int64_t *to,
                         int *has)
{
    if (cscc_parse_day(arg, opt == 'F' ? from : to))
        return cli_usage_error(cmd, "--%s takes a date YYYY-MM-DD, not '%s'",
                               opt == 'F' ? "from" : "to", arg);
    *has |= opt == 'F' ? 1 : 2;
    return 0;
}

/* Opens the store and the serious victimizations tables, runs fn, writes its result. */
struct run {
    struct cli_ctx *ctx;
    struct cli_serious so;
    int fmt;
    const char *out;
    int need_serious; /* 0: run without serious counts when none can be opened */
};

static int run_result(struct run *rn, const char *what,
                      struct an_result *(*fn)(const struct serious_tables *s, struct store *st,
                                              const void *opts, struct cscc_err *err),
                      const void *opts)
{
    struct serious_tables s;
    struct store *st;
    struct an_result *r;
    struct cscc_err err;
    int rc, have;

    cscc_err_clear(&err);
    if (!(st = cli_open_store(rn->ctx, &err)))
        return cli_fail(&err);
    have = !(rc = cli_serious_open(rn->ctx, &rn->so, 1, &s));
    if (!have && rn->need_serious) {
        store_close(st);
        return rc;
    }
    if (have)
        cli_serious_audit(st, &s, what);
    r = fn(have ? &s : NULL, st, opts, &err);
    if (have)
        cli_serious_close(&s);
    store_close(st);
    if (!r)
        return cli_fail(&err);
    rc = cli_write_result(r, rn->fmt, rn->out);
    an_result_free(r);
    return rc;
}

/* Parses the options of an analysis: the common, result, serious and period
 * ones here, the others by opt_fn (0 or a usage error's status). -1 after
 * --help, else 0 or a usage error's status. */
static int analyze_opts(struct run *rn, const char *cmd, int argc, char **argv,
                        const struct option *longopts, void (*usage)(FILE *f),
                        int (*opt_fn)(void *o, const char *cmd, int opt, const char *arg), void *o,
                        int64_t *from, int64_t *to)
{
    int opt, rc, has = 0;

    rn->fmt = AN_CSV;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(rn->ctx, opt, optarg))
            continue;
        if (cli_result_option(cmd, &rn->fmt, &rn->out, opt, optarg, &rc) ||
            cli_serious_option(cmd, &rn->so, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (opt == 'h') {
            usage(stdout);
            return -1;
        }
        if (opt == 'F' || opt == 'T') {
            if ((rc = period_option(cmd, opt, optarg, from, to, &has)))
                return rc;
        } else if ((rc = opt_fn(o, cmd, opt, optarg))) {
            return rc;
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (has != 3)
        return cli_usage_error(cmd, "give the period: --from DATE --to DATE");
    return cli_period_check(cmd, "from", *from, "to", *to);
}

static struct an_result *gap_fn(const struct serious_tables *s, struct store *st, const void *opts,
                                struct cscc_err *err)
{
    return res_capacity_gap(s, st, opts, err);
}

static struct an_result *funding_fn(const struct serious_tables *s, struct store *st,
                                    const void *opts, struct cscc_err *err)
{
    return res_funding(s, st, opts, err);
}

static void gap_usage(FILE *f)
{
    fputs("Usage: cscc analyze capacity-gap --from DATE --to DATE [--sector S]... [--total]\n"
          "           [--verified-only] [--source auto|victims|crimes]\n"
          "           [--shootings-layer NAME] [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Where communities need more capacity: for each community area and sector, the\n"
          "violence burden (serious victimizations a year per 100,000 residents) against\n"
          "the partner organizations' weekly capacity per 100,000 residents, as a ranked\n"
          "index: gap = burden_score x (1 - capacity_score), each score relative to the\n"
          "highest area. High burden and low capacity come first. An organization's\n"
          "capacity is divided equally among its sectors and among the areas it serves\n"
          "by residents (none listed: citywide).\n"
          "\n"
          "Options:\n"
          "  --from, --to      the period of serious victimizations, YYYY-MM-DD, inclusive\n"
          "  --sector S        only this sector (repeatable; default the ten)\n"
          "  --total           one row per area with every sector's capacity together\n"
          "  --verified-only   count only verified organizations\n",
          f);
    cli_serious_help(f);
    cli_result_help(f);
}

static int gap_opt(void *arg, const char *cmd, int opt, const char *val)
{
    struct res_gap_opts *o = arg;
    int i;

    switch (opt) {
    case 's':
        if ((i = coord_sector_index(val)) < 0)
            return cli_usage_error(cmd, "there is no sector '%s' (see 'cscc org --help')", val);
        o->sectors |= 1u << i;
        return 0;
    case 't': o->sectors |= RES_GAP_TOTAL; return 0;
    case 'v': o->verified_only = 1; return 0;
    }
    return cli_usage_error(cmd, "bad option");
}

int cmd_analyze_capacity_gap(struct cli_ctx *ctx, int argc, char **argv)
{
    static const char cmd[] = "analyze capacity-gap ";
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_SERIOUS_LONGOPTS,
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"sector", required_argument, NULL, 's'},
        {"total", no_argument, NULL, 't'},
        {"verified-only", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    struct res_gap_opts o;
    struct run rn;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&rn, 0, sizeof(rn));
    rn.ctx = ctx;
    rn.need_serious = 1;
    if ((rc = analyze_opts(&rn, cmd, argc, argv, longopts, gap_usage, gap_opt, &o, &o.day_from,
                           &o.day_to)))
        return rc < 0 ? CLI_OK : rc;
    o.with_geometry = rn.fmt == AN_GEOJSON;
    return run_result(&rn, "analyze capacity-gap", gap_fn, &o);
}

static void funding_usage(FILE *f)
{
    fputs("Usage: cscc analyze funding --from DATE --to DATE\n"
          "           [--by area|area-strategy|strategy|year|quarter] [--strategy S]\n"
          "           [--source auto|victims|crimes] [--shootings-layer NAME]\n"
          "           [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Funding alignment: the dollars allocated in the period (each allocation prorated\n"
          "by its days inside the period) and spent, split among the allocation's areas\n"
          "by residents (citywide: every area), per resident and per serious\n"
          "victimization, by area, area and strategy, or strategy; the share reaching the\n"
          "priority areas (summary, and per strategy, year or quarter); --by year|quarter\n"
          "gives the change from one to the next. Without serious victimization data the\n"
          "per_serious figures are empty.\n"
          "\n"
          "Options:\n"
          "  --from, --to      the period, YYYY-MM-DD, inclusive\n"
          "  --by B            area (default), area-strategy, strategy, year or quarter\n"
          "  --strategy S      only this strategy area\n",
          f);
    cli_serious_help(f);
    cli_result_help(f);
}

static int funding_opt(void *arg, const char *cmd, int opt, const char *val)
{
    struct res_funding_opts *o = arg;
    int by;

    switch (opt) {
    case 'b':
        if ((by = res_funding_by_name(val)) < 0)
            return cli_usage_error(
                cmd, "--by takes area, area-strategy, strategy, year or quarter, not '%s'", val);
        o->by = (enum res_funding_by)by;
        return 0;
    case 'g':
        if (res_strategy_index(val) < 0)
            return cli_usage_error(cmd, "there is no strategy area '%s'", val);
        o->strategy = val;
        return 0;
    }
    return cli_usage_error(cmd, "bad option");
}

int cmd_analyze_funding(struct cli_ctx *ctx, int argc, char **argv)
{
    static const char cmd[] = "analyze funding ";
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_SERIOUS_LONGOPTS,
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"by", required_argument, NULL, 'b'},
        {"strategy", required_argument, NULL, 'g'},
        {NULL, 0, NULL, 0},
    };
    struct res_funding_opts o;
    struct run rn;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&rn, 0, sizeof(rn));
    rn.ctx = ctx;
    if ((rc = analyze_opts(&rn, cmd, argc, argv, longopts, funding_usage, funding_opt, &o,
                           &o.day_from, &o.day_to)))
        return rc < 0 ? CLI_OK : rc;
    if (rn.fmt == AN_GEOJSON && o.by != RES_BY_AREA && o.by != RES_BY_AREA_STRATEGY)
        return cli_usage_error(cmd, "GeoJSON needs --by area or area-strategy");
    o.with_geometry = rn.fmt == AN_GEOJSON;
    return run_result(&rn, "analyze funding", funding_fn, &o);
}
