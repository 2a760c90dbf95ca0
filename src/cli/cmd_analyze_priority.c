/* cmd_analyze_priority.c - `cscc analyze priority`: the priority areas by
 * the OCOS rule, compared with (or replacing) the configured list. */
#include "cli/cli.h"

#include "access/audit.h"
#include "analysis/priority.h"
#include "analysis/result.h"
#include "core/log.h"
#include "core/time.h"

#include <getopt.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze priority --from DATE --to DATE [--top N] [--apply]\n"
          "           [--source auto|victims|crimes] [--shootings-layer NAME]\n"
          "           [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Ranks the community areas by mean yearly serious victimizations (homicide\n"
          "plus non-fatal shooting victims), the rule by which \"Our City, Our Safety\"\n"
          "chose its priority areas (top 15, 2018-2020), and compares the top N with\n"
          "the configured priority list: in both, only configured, only computed.\n"
          "\n"
          "Options:\n"
          "  --from, --to      the period, YYYY-MM-DD, inclusive (whole years: the mean\n"
          "                    divides by the number of years)\n"
          "  --top N           how many areas the rule picks (default 15)\n"
          "  --apply           replace the configured priority list with the computed one\n"
          "                    (recorded in 'cscc imports' and the audit log)\n",
          f);
    cli_serious_help(f);
    cli_result_help(f);
}

int cmd_analyze_priority(struct cli_ctx *ctx, int argc, char **argv)
{
    static const char cmd[] = "analyze priority ";
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_SERIOUS_LONGOPTS,
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"top", required_argument, NULL, 'n'},
        {"apply", no_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    struct cli_serious so;
    struct serious_tables s;
    struct an_result *r;
    struct store *st = NULL;
    struct cscc_err err;
    const char *out = NULL;
    int64_t from = 0, to = 0, id = 0;
    int has_from = 0, has_to = 0, apply = 0, opt, rc, fmt = AN_CSV, computed[256];
    unsigned long top = 15;
    size_t ncomputed = 0;

    memset(&so, 0, sizeof(so));
    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (cli_result_option(cmd, &fmt, &out, opt, optarg, &rc) ||
            cli_serious_option(cmd, &so, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'F':
            if (cscc_parse_day(optarg, &from))
                return cli_usage_error(cmd, "--from takes a date YYYY-MM-DD, not '%s'", optarg);
            has_from = 1;
            break;
        case 'T':
            if (cscc_parse_day(optarg, &to))
                return cli_usage_error(cmd, "--to takes a date YYYY-MM-DD, not '%s'", optarg);
            has_to = 1;
            break;
        case 'n':
            if (cli_parse_uint(optarg, 254, &top) || !top)
                return cli_usage_error(cmd, "--top takes a number from 1 to 254, not '%s'", optarg);
            break;
        case 'A': apply = 1; break;
        default: return cli_usage_error(cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!has_from || !has_to)
        return cli_usage_error(cmd, "give the period: --from DATE --to DATE");
    if ((rc = cli_period_check(cmd, "from", from, "to", to)))
        return rc;
    if (!(st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    if ((rc = cli_serious_open(ctx, &so, 1, &s))) {
        store_close(st);
        return rc;
    }
    cli_serious_audit(st, &s, "analyze priority");
    r = analysis_priority(&s, st, from, to, (size_t)top, computed, &ncomputed, &err);
    cli_serious_close(&s);
    if (!r) {
        store_close(st);
        return cli_fail(&err);
    }
    if (apply) {
        char why[512], a[16], b[16];
        struct access_actor who;

        cscc_format_day(from, a);
        cscc_format_day(to, b);
        snprintf(why, sizeof(why), "rule: top %lu by mean yearly serious victimizations %s/%s", top,
                 a, b);
        access_actor_cli(&who);
        rc = analysis_priority_apply(st, computed, ncomputed, why, &id, &err);
        /* The audit log says who changed the list, whether it worked or not. */
        access_audit(st, &who, "priority.apply", "priority:ocos", rc ? "failed" : "ok", why,
                     access_now(), NULL);
        if (rc) {
            an_result_free(r);
            store_close(st);
            return cli_fail(&err);
        }
        an_summary(r, "applied", "the configured list is now the computed one (import %lld)",
                   (long long)id);
        cscc_info("priority list replaced with the %zu computed areas (import %lld)", ncomputed,
                  (long long)id);
    }
    store_close(st);
    rc = cli_write_result(r, fmt, out);
    an_result_free(r);
    return rc;
}
