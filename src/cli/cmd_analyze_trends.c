/* cmd_analyze_trends.c - `cscc analyze trends`: a period against the prior
 * period and the same period a year earlier, per area, priority areas
 * against the rest, citywide; and the options shared with `analyze
 * priority` that say where serious victimizations are counted from. */
#include "cli/cli.h"

#include "access/audit.h"
#include "analysis/result.h"
#include "analysis/trends.h"
#include "colstore/colstore.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <limits.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Serious victimizations: options and tables                                */
/* ------------------------------------------------------------------------ */

int cli_serious_option(const char *cmd, struct cli_serious *o, int opt, const char *arg, int *rc)
{
    const char *eq;

    *rc = 0;
    switch (opt) {
    case 'S':
        if (!strcmp(arg, "auto"))
            o->source = SERIOUS_AUTO;
        else if (!strcmp(arg, "victims"))
            o->source = SERIOUS_VICTIMS;
        else if (!strcmp(arg, "crimes"))
            o->source = SERIOUS_CRIMES;
        else
            *rc = cli_usage_error(cmd, "--source is auto, victims or crimes, not '%s'", arg);
        return 1;
    case 'L': {
        size_t i, n = strlen(arg);

        for (i = 0; i < n; i++)
            if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", arg[i]))
                break;
        if (!n || n > 40 || i < n)
            *rc = cli_usage_error(cmd,
                                  "--shootings-layer takes a layer name ([a-z0-9_-], at "
                                  "most 40), not '%s'",
                                  arg);
        o->layer = arg;
        return 1;
    }
    case 'W':
        eq = strchr(arg, '=');
        if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(o->column) ||
            strlen(eq + 1) >= sizeof(o->value)) {
            *rc = cli_usage_error(cmd, "--shootings-where takes COLUMN=VALUE, not '%s'", arg);
            return 1;
        }
        o->where = arg;
        snprintf(o->column, sizeof(o->column), "%.*s", (int)(eq - arg), arg);
        snprintf(o->value, sizeof(o->value), "%s", eq + 1);
        return 1;
    }
    return 0;
}

void cli_serious_help(FILE *f)
{
    fputs("  --source S        where serious victimizations (homicide plus non-fatal shooting\n"
          "                    victims) come from: victims (the victims table), crimes (FBI\n"
          "                    01A crimes rows plus a layer of non-fatal shooting victims), or\n"
          "                    auto (default: victims where imported, else crimes)\n"
          "  --shootings-layer NAME  the layer of non-fatal shooting victims (with crimes)\n"
          "  --shootings-where COL=VALUE  the layer's rows that count (default: rows with\n"
          "                    shooting_type = nonlethal when the layer has that column,\n"
          "                    else every row)\n",
          f);
}

/* Opens table name of the data directory: NULL when it was never imported. */
static int open_table(const struct cli_ctx *ctx, const char *name,
                      const struct colstore_table **out)
{
    char path[PATH_MAX];
    struct colstore_table *t;
    struct cscc_err err;

    cscc_err_clear(&err);
    *out = NULL;
    if (ingest_table_path(ctx->data_dir, name, path, sizeof(path)))
        return cli_usage_error("analyze ", "data directory path too long");
    t = colstore_open(path, &err);
    if (!t && err.code != CSCC_ENOENT)
        return cli_fail(&err);
    *out = t;
    return 0;
}

int cli_serious_open(const struct cli_ctx *ctx, struct cli_serious *o, int want_crimes,
                     struct serious_tables *s)
{
    int rc;

    memset(s, 0, sizeof(*s));
    s->source = (enum serious_source)o->source;
    if (o->source != SERIOUS_CRIMES && (rc = open_table(ctx, "victims", &s->victims)))
        return rc;
    if (want_crimes && (rc = open_table(ctx, "crimes", &s->crimes)))
        goto fail;
    if (o->layer) {
        char name[64];

        snprintf(name, sizeof(name), "layer_%s", o->layer);
        if ((rc = open_table(ctx, name, &s->layer)))
            goto fail;
        if (!s->layer) {
            cscc_error("no layer named '%s' has been imported; import it with 'cscc import "
                       "layer %s FILE --lat COL --lon COL'",
                       o->layer, o->layer);
            rc = CLI_NOINPUT;
            goto fail;
        }
        s->layer_name = o->layer;
        if (o->where) {
            s->layer_column = o->column;
            s->layer_value = o->value;
        } else if (colstore_col_index(s->layer, "shooting_type") >= 0) {
            s->layer_column = "shooting_type";
            s->layer_value = "nonlethal";
        }
    }
    return 0;
fail:
    cli_serious_close(s);
    return rc;
}

void cli_serious_audit(struct store *st, const struct serious_tables *s, const char *cmd)
{
    struct access_actor who;
    enum serious_source use;
    char desc[512], detail[160];

    if (serious_resolve(s, &use, desc, sizeof(desc), NULL) || use != SERIOUS_VICTIMS)
        return;
    access_actor_cli(&who);
    snprintf(detail, sizeof(detail), "%s: victims' records counted into aggregates", cmd);
    access_audit(st, &who, "read.sensitive", "table:victims", "ok", detail, access_now(), NULL);
}

void cli_serious_close(struct serious_tables *s)
{
    colstore_close((struct colstore_table *)s->victims);
    colstore_close((struct colstore_table *)s->crimes);
    colstore_close((struct colstore_table *)s->layer);
    memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------------ */
/* analyze trends                                                            */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("Usage: cscc analyze trends --from DATE --to DATE [--measure incidents|serious]\n"
          "           [filters] [--format csv|json|geojson] [--output FILE]\n"
          "\n"
          "Counts of a period against the prior period of the same length and against\n"
          "the same days a year earlier, for each community area, the priority areas,\n"
          "the other areas and the city: counts, changes, percentage changes and the\n"
          "p-value of each change (the exact conditional test of two Poisson counts,\n"
          "as R's poisson.test). The summary compares the priority areas with the rest.\n"
          "\n"
          "Options:\n"
          "  --measure M       incidents (crimes rows with the filters; default) or serious\n"
          "                    (homicide plus non-fatal shooting victims)\n",
          f);
    cli_filter_help(f);
    cli_serious_help(f);
    cli_result_help(f);
}

int cmd_analyze_trends(struct cli_ctx *ctx, int argc, char **argv)
{
    static const char cmd[] = "analyze trends ";
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        CLI_FILTER_LONGOPTS,
        CLI_RESULT_LONGOPTS,
        CLI_SERIOUS_LONGOPTS,
        {"measure", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    struct counts_query q;
    struct cli_serious so;
    struct serious_tables s;
    struct an_result *r;
    struct store *st = NULL;
    struct cscc_err err;
    enum trends_measure measure = TRENDS_INCIDENTS;
    const char *out = NULL;
    int opt, rc, fmt = AN_CSV;

    memset(&q, 0, sizeof(q));
    memset(&so, 0, sizeof(so));
    memset(&s, 0, sizeof(s));
    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (cli_filter_option(cmd, &q, opt, optarg, &rc) ||
            cli_result_option(cmd, &fmt, &out, opt, optarg, &rc) ||
            cli_serious_option(cmd, &so, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'm':
            if (!strcmp(optarg, "incidents"))
                measure = TRENDS_INCIDENTS;
            else if (!strcmp(optarg, "serious"))
                measure = TRENDS_SERIOUS;
            else
                return cli_usage_error(cmd, "--measure is incidents or serious, not '%s'", optarg);
            break;
        default: return cli_usage_error(cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!q.has_from || !q.has_to)
        return cli_usage_error(cmd, "give the period: --from DATE --to DATE");
    if ((rc = cli_period_check(cmd, "from", q.day_from, "to", q.day_to)))
        return rc;
    if (measure == TRENDS_SERIOUS && (q.ntypes || q.nfbi || q.category))
        return cli_usage_error(cmd, "--type, --fbi and --category do not apply to "
                                    "--measure serious (homicide and non-fatal shooting victims)");
    if (measure == TRENDS_INCIDENTS && (so.layer || so.where || so.source))
        return cli_usage_error(cmd, "--source and --shootings-* go with --measure serious");

    if (measure == TRENDS_INCIDENTS) {
        struct colstore_table *t;

        if ((rc = cli_open_crimes(ctx, &st, &t)))
            return rc;
        s.crimes = t;
    } else {
        if (!(st = cli_open_store(ctx, &err)))
            return cli_fail(&err);
        if ((rc = cli_serious_open(ctx, &so, 1, &s))) {
            store_close(st);
            return rc;
        }
    }
    if (measure == TRENDS_SERIOUS)
        cli_serious_audit(st, &s, "analyze trends");
    r = analysis_trends(s.crimes, &s, st, &q, measure, &err);
    cli_serious_close(&s);
    store_close(st);
    if (!r)
        return cli_fail(&err);
    rc = cli_write_result(r, fmt, out);
    an_result_free(r);
    return rc;
}
