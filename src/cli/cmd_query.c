/* cmd_query.c - `cscc query counts ...`. */
#include "cli/cli.h"

#include "analysis/counts.h"
#include "core/log.h"
#include "core/time.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include "core/alloc.h"
#include <limits.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: cscc query counts --by KEY[,KEY] [--from DATE] [--to DATE]\n"
            "           [--category NAME] [--type \"PRIMARY TYPE\"]... [--fbi CODE]...\n"
            "           [--area N]... [--priority] [--rate [--population SOURCE]]\n"
            "           [--format csv|json|table]\n"
            "\n"
            "Counts imported crime rows, grouped by one or two keys:\n"
            "  area, year, month, week (ISO), day, weekday, hour, type, fbi, district, beat, ward\n"
            "Dates are YYYY-MM-DD and inclusive; times are the City's local time. Areas and\n"
            "time periods are listed even when their count is 0; other groups when non-empty.\n"
            "Rows without a community area are counted as area \"(unknown)\".\n"
            "\n"
            "Options:\n"
            "  --by KEY[,KEY]    what to group by (one or two keys); none = one total\n");
    cli_filter_help(f);
    fprintf(f,
            "  --rate            add rate_per_100k: count per 100,000 residents of the area (or\n"
            "                    of all areas in scope) over the whole period\n"
            "  --population S    population source for rates (default: the latest, %s)\n"
            "  --format F        csv (default), json or table\n"
            "  --repeat N        run the query N times in this process and print the best\n"
            "                    and median times to stderr (for benchmarks)\n"
            "\n"
            "Filters of different kinds must all hold (AND); values of one kind are\n"
            "alternatives (OR).\n",
            "acs2015_2019");
}

static int add_keys(struct counts_query *q, char *arg)
{
    char *save = NULL, *tok;

    for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int k = counts_key_by_name(tok);
        size_t i;

        if (k < 0)
            return cli_usage_error("query counts ", "unknown key '%s' for --by (one of: %s)", tok,
                                   counts_key_names());
        for (i = 0; i < q->nkeys; i++)
            if (q->keys[i] == k)
                return cli_usage_error("query counts ", "key '%s' given twice", tok);
        if (q->nkeys == COUNTS_MAX_KEYS)
            return cli_usage_error("query counts ", "--by takes at most %d keys", COUNTS_MAX_KEYS);
        q->keys[q->nkeys++] = k;
    }
    return 0;
}

int cmd_query(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        {"by", required_argument, NULL, 'b'},
        {"rate", no_argument, NULL, 'r'},
        {"population", required_argument, NULL, 'P'},
        {"format", required_argument, NULL, 'o'},
        {"repeat", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    struct counts_query q;
    struct counts_result *res = NULL;
    struct colstore_table *t = NULL;
    struct store *st = NULL;
    struct cscc_err err;
    struct strbuf out;
    enum counts_format fmt = COUNTS_CSV;
    unsigned long repeat = 0;
    int opt, rc;

    memset(&q, 0, sizeof(q));
    cscc_err_clear(&err);
    if (argc >= 2 && !strcmp(argv[1], "--help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc < 2 || strcmp(argv[1], "counts") != 0)
        return cli_usage_error("query counts ", "say which query: 'cscc query counts ...'");
    argc--;
    argv++;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (cli_filter_option("query counts ", &q, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'b':
            if ((rc = add_keys(&q, optarg)))
                return rc;
            break;
        case 'r': q.rate = 1; break;
        case 'P': q.population = optarg; break;
        case 'R':
            if (cli_parse_uint(optarg, 100000, &repeat) || !repeat)
                return cli_usage_error("query counts ", "--repeat takes a number from 1 to 100000");
            break;
        case 'o':
            if (!strcmp(optarg, "csv"))
                fmt = COUNTS_CSV;
            else if (!strcmp(optarg, "json"))
                fmt = COUNTS_JSON;
            else if (!strcmp(optarg, "table"))
                fmt = COUNTS_TABLE;
            else
                return cli_usage_error("query counts ", "--format is csv, json or table, not '%s'",
                                       optarg);
            break;
        default: return cli_usage_error("query counts ", "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error("query counts ", "unexpected argument '%s'", argv[optind]);
    if (q.has_from && q.has_to &&
        (rc = cli_period_check("query counts ", "from", q.day_from, "to", q.day_to)))
        return rc;
    cscc_debug("query: arguments read");
    if ((rc = cli_open_crimes(ctx, &st, &t)))
        return rc;
    cscc_debug("query: table open");
    if (repeat) {
        /* Timing: the query run again and again in this process, as a
         * server would answer it (the table and the database stay open). */
        double *ms = cscc_xcalloc(repeat, sizeof(*ms));
        unsigned long i;

        for (i = 0; i < repeat; i++) {
            struct timespec a, b;

            clock_gettime(CLOCK_MONOTONIC, &a);
            res = analysis_counts(t, st, &q, &err);
            clock_gettime(CLOCK_MONOTONIC, &b);
            if (!res)
                break;
            ms[i] = cli_elapsed_ms(&a, &b);
            if (i + 1 < repeat)
                analysis_counts_free(res);
        }
        if (res)
            cli_log_timing(ms, repeat, "");
        cscc_free(ms);
    } else {
        res = analysis_counts(t, st, &q, &err);
    }
    cscc_debug("query: counted");
    if (!res) {
        colstore_close(t);
        store_close(st);
        return cli_fail(&err);
    }
    if (counts_warnings(res)[0])
        cscc_warn("%s", counts_warnings(res));
    strbuf_init(&out, 0);
    rc = counts_write(res, fmt, &out);
    if (!rc && fwrite(out.buf, 1, out.len, stdout) != out.len)
        rc = CSCC_EIO;
    if (!rc && fflush(stdout))
        rc = CSCC_EIO;
    strbuf_release(&out);
    analysis_counts_free(res);
    colstore_close(t);
    store_close(st);
    if (rc) {
        cscc_error("cannot write the result: %s", cscc_strerror(rc));
        return cscc_exit_status(rc);
    }
    return CLI_OK;
}
