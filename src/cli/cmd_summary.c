/* cmd_summary.c - `cscc summary`: what the imported crimes say, citywide. */
#include "cli/cli.h"

#include "analysis/counts.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/time.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: cscc summary\n"
               "\n"
               "Prints a citywide summary of the imported crimes: the period covered, counts\n"
               "by year (all, violent, homicide), the most frequent types, the areas with the\n"
               "highest violent-crime rates, and the priority areas against the rest.\n");
}

static struct counts_result *run(const struct colstore_table *t, struct store *st,
                                 struct counts_query *q, struct cscc_err *err)
{
    struct counts_result *r = analysis_counts(t, st, q, err);

    if (!r)
        cli_report_error(err);
    return r;
}

static int cmp_count_desc(const void *a, const void *b)
{
    const struct counts_row *x = *(const struct counts_row *const *)a;
    const struct counts_row *y = *(const struct counts_row *const *)b;

    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int cmp_rate_desc(const void *a, const void *b)
{
    const struct counts_row *x = *(const struct counts_row *const *)a;
    const struct counts_row *y = *(const struct counts_row *const *)b;
    double rx = isnan(x->rate) ? -1 : x->rate, ry = isnan(y->rate) ? -1 : y->rate;

    return rx < ry ? 1 : rx > ry ? -1 : 0;
}

int cmd_summary(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    struct colstore_table *t = NULL;
    struct store *st = NULL;
    struct cscc_err err;
    struct counts_query q;
    struct counts_result *all = NULL, *vio = NULL, *hom = NULL, *types = NULL, *areas = NULL,
                         *pri = NULL;
    char d1[16], d2[16], n1[32], n2[32], n3[32];
    int64_t first, last;
    int opt, rc = CLI_SOFTWARE;
    size_t i;

    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        return cli_usage_error("summary ", "bad option");
    }
    if (optind < argc)
        return cli_usage_error("summary ", "unexpected argument '%s'", argv[optind]);
    if ((rc = cli_open_crimes(ctx, &st, &t)))
        return rc;
    rc = CLI_SOFTWARE; /* until the report is out */
    colstore_day_span(t, &first, &last);
    cscc_format_day(first, d1);
    cscc_format_day(last, d2);
    printf("Crimes in %s: %s rows from %s to %s (table generation %llu)\n\n", ctx->data_dir,
           cli_num(colstore_nrows(t), n1, sizeof(n1)), d1, d2,
           (unsigned long long)colstore_generation(t));

    memset(&q, 0, sizeof(q));
    q.keys[0] = COUNTS_YEAR;
    q.nkeys = 1;
    if (!(all = run(t, st, &q, &err)))
        goto out;
    q.category = "violent";
    if (!(vio = run(t, st, &q, &err)))
        goto out;
    q.category = "homicide";
    if (!(hom = run(t, st, &q, &err)))
        goto out;
    printf("%-6s %12s %12s %12s\n", "year", "all rows", "violent", "homicide");
    for (i = 0; i < counts_nrows(all); i++) {
        char y[32];

        counts_label(all, i, 0, y, sizeof(y));
        printf("%-6s %12s %12s %12s\n", y, cli_num(counts_row_at(all, i)->count, n1, sizeof(n1)),
               cli_num(counts_row_at(vio, i)->count, n2, sizeof(n2)),
               cli_num(counts_row_at(hom, i)->count, n3, sizeof(n3)));
    }
    printf("(violent: FBI codes 01A 02 03 04A 04B; homicides are one row per victim)\n\n");

    memset(&q, 0, sizeof(q));
    q.keys[0] = COUNTS_TYPE;
    q.nkeys = 1;
    if (!(types = run(t, st, &q, &err)))
        goto out;
    {
        size_t n = counts_nrows(types);
        const struct counts_row **rows = cscc_xcalloc(n ? n : 1, sizeof(*rows));
        for (i = 0; i < n; i++)
            rows[i] = counts_row_at(types, i);
        qsort(rows, n, sizeof(*rows), cmp_count_desc);
        printf("Most frequent primary types:\n");
        for (i = 0; i < n && i < 8; i++) {
            size_t idx = (size_t)(rows[i] - counts_row_at(types, 0));
            char lab[128];

            counts_label(types, idx, 0, lab, sizeof(lab));
            printf("  %-36s %10s\n", lab, cli_num(rows[i]->count, n1, sizeof(n1)));
        }
        cscc_free(rows);
    }

    memset(&q, 0, sizeof(q));
    q.keys[0] = COUNTS_AREA;
    q.nkeys = 1;
    q.category = "violent";
    q.rate = 1;
    if (!(areas = run(t, st, &q, &err)))
        goto out;
    {
        size_t n = counts_nrows(areas);
        const struct counts_row **rows = cscc_xcalloc(n ? n : 1, sizeof(*rows));

        for (i = 0; i < n; i++)
            rows[i] = counts_row_at(areas, i);
        qsort(rows, n, sizeof(*rows), cmp_rate_desc);
        printf("\nHighest violent-crime rates per 100,000 residents over the period:\n");
        for (i = 0; i < n && i < 10; i++) {
            size_t idx = (size_t)(rows[i] - counts_row_at(areas, 0));
            char lab[128];

            counts_label(areas, idx, 0, lab, sizeof(lab));
            printf("  %-28s %8s %10.1f\n", lab, cli_num(rows[i]->count, n1, sizeof(n1)),
                   rows[i]->rate);
        }
        cscc_free(rows);
    }
    memset(&q, 0, sizeof(q));
    q.category = "violent";
    q.priority = 1;
    q.rate = 1;
    if (!(pri = run(t, st, &q, &err)))
        goto out;
    if (counts_nrows(pri) && counts_nrows(vio)) {
        uint64_t pv = counts_row_at(pri, 0)->count, tv = counts_total(vio);

        printf("\nPriority areas: %s violent crimes, %.1f%% of the city's (%.1f per 100,000 "
               "residents)\n",
               cli_num(pv, n1, sizeof(n1)), tv ? 100.0 * (double)pv / (double)tv : 0.0,
               counts_row_at(pri, 0)->rate);
    }
    rc = CLI_OK;
out:
    analysis_counts_free(all);
    analysis_counts_free(vio);
    analysis_counts_free(hom);
    analysis_counts_free(types);
    analysis_counts_free(areas);
    analysis_counts_free(pri);
    colstore_close(t);
    store_close(st);
    return rc == CLI_OK ? CLI_OK : cscc_exit_status(err.code ? err.code : CSCC_EINTERNAL);
}
