/* cmd_import.c - `cscc import crimes|victims|layer ...`. */
#include "cli/cli.h"

#include "access/audit.h"
#include "core/alloc.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(
        f, "Usage: cscc import crimes FILE...\n"
           "       cscc import victims FILE...\n"
           "       cscc import layer NAME FILE... (--lat COL --lon COL | --x COL --y COL\n"
           "                   --units m|ft | --x COL --y COL --crs EPSG:N)\n"
           "                   [--date COL [--date-format FMT]] [--id COL] [--where COL=VALUE]...\n"
           "\n"
           "Imports City exports into the data directory. FILE may be plain CSV or gzip, or '-'\n"
           "for standard input. Columns are found by their header names, in any order.\n"
           "Importing the same rows again changes nothing; a newer export replaces rows with\n"
           "the same key (ID, or the documented composite key for rows without one). An\n"
           "import is all or nothing: if it fails or is killed, the data is as it was.\n"
           "\n"
           "  crimes   \"Crimes - 2001 to present\" (the 22-column portal export or the\n"
           "           20-column variant); rows without a Community Area are placed in one\n"
           "           from their Latitude/Longitude\n"
           "  victims  \"Violence Reduction - Victims of Homicides and Non-Fatal Shootings\";\n"
           "           victims' names are never stored\n"
           "  layer    any point layer (311 requests, licences, an analyst's CSV) as NAME\n"
           "\n"
           "Options:\n"
           "  --threads N          parser threads (default: one per CPU)\n"
           "  --max-rejected P     fail if more than P%% of rows are rejected (default 10)\n"
           "  --lat COL, --lon COL    WGS84 coordinate columns of a layer\n"
           "  --x COL, --y COL        projected coordinate columns of a layer, in the city's\n"
           "                          State Plane (--units m or ft) or in --crs\n"
           "  --date COL           the event date column of a layer\n"
           "  --date-format FMT    its format, e.g. %%d/%%m/%%Y (default: detected)\n"
           "  --id COL             a column that identifies a layer's rows\n"
           "  --where COL=VALUE    keep only rows whose COL equals VALUE (case-insensitive);\n"
           "                       repeat for several values (OR) or columns (AND)\n"
           "  --no-progress        no progress line\n"
           "\n"
           "Rejected rows are written with their row number and reason to\n"
           "DATA/rejects/TABLE-IMPORT.csv. Exit status: 0 imported, 65 bad data (wrong file\n"
           "or too many rejected rows), 66 no such file, 74 I/O error.\n");
}

static void print_summary(const char *dataset, const struct ingest_summary *s)
{
    char a[32], b[32], c[32], d[32], e[32];
    size_t i;

    cscc_info("import %lld of %s: %llu file%s, %.1f MB in %.2f s", (long long)s->import_id, dataset,
              (unsigned long long)s->files, s->files == 1 ? "" : "s", (double)s->bytes / 1e6,
              s->seconds);
    cscc_info("  read %s rows: %s new, %s updated, %s unchanged, %s rejected",
              cli_num(s->rows_read, a, sizeof(a)), cli_num(s->rows_new, b, sizeof(b)),
              cli_num(s->rows_updated, c, sizeof(c)), cli_num(s->rows_unchanged, d, sizeof(d)),
              cli_num(s->rows_rejected, e, sizeof(e)));
    if (s->rows_stale)
        cscc_info("  %s of the unchanged rows were older than the stored version",
                  cli_num(s->rows_stale, a, sizeof(a)));
    if (s->rows_duplicate)
        cscc_info("  %s rows were superseded by a later row with the same key in these files",
                  cli_num(s->rows_duplicate, a, sizeof(a)));
    if (s->rows_filtered)
        cscc_info("  %s rows were left out by --where", cli_num(s->rows_filtered, a, sizeof(a)));
    for (i = 0; i < s->nreasons; i++)
        cscc_info("  rejected %s: %s", cli_num(s->reasons[i].count, a, sizeof(a)),
                  s->reasons[i].reason);
    if (s->rejects_file[0])
        cscc_info("  rejected rows are listed in %s", s->rejects_file);
    if (s->rows_placed || s->rows_unplaced)
        cscc_info("  community area placed from coordinates for %s rows; %s rows have none",
                  cli_num(s->rows_placed, a, sizeof(a)), cli_num(s->rows_unplaced, b, sizeof(b)));
    cscc_info("  %s now holds %s rows%s", dataset, cli_num(s->rows_total, a, sizeof(a)),
              s->changed ? "" : " (nothing changed)");
}

/* Every import goes into the audit log: who ran it, on what, how it ended. */
static void audit_import(struct store *st, const char *what, int layer,
                         const struct ingest_summary *s, const struct cscc_err *err)
{
    struct access_actor who;
    char object[96], detail[600];

    access_actor_cli(&who);
    snprintf(object, sizeof(object), "table:%s%s", layer ? "layer_" : "", what);
    if (err)
        snprintf(detail, sizeof(detail), "import %lld: %s", (long long)s->import_id, err->msg);
    else
        snprintf(detail, sizeof(detail),
                 "import %lld: %llu rows read, %llu new, %llu updated, %llu rejected",
                 (long long)s->import_id, (unsigned long long)s->rows_read,
                 (unsigned long long)s->rows_new, (unsigned long long)s->rows_updated,
                 (unsigned long long)s->rows_rejected);
    access_audit(st, &who, "import", object, err ? "failed" : "ok", detail, access_now(), NULL);
}

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"threads", required_argument, NULL, 't'},
        {"max-rejected", required_argument, NULL, 'm'},
        {"no-progress", no_argument, NULL, 'P'},
        {"lat", required_argument, NULL, 'a'},
        {"lon", required_argument, NULL, 'o'},
        {"x", required_argument, NULL, 'x'},
        {"y", required_argument, NULL, 'y'},
        {"units", required_argument, NULL, 'u'},
        {"crs", required_argument, NULL, 'c'},
        {"date", required_argument, NULL, 'd'},
        {"date-format", required_argument, NULL, 'f'},
        {"id", required_argument, NULL, 'i'},
        {"where", required_argument, NULL, 'w'},
        {NULL, 0, NULL, 0},
    };
    struct ingest_opts o;
    struct ingest_summary sum;
    struct cscc_err err;
    struct store *st = NULL;
    const char **where = NULL;
    size_t nwhere = 0;
    const char *dataset;
    int opt, rc, first_file;
    unsigned long ul;

    memset(&o, 0, sizeof(o));
    o.max_rejected = 0.10;
    o.progress = 1;
    cscc_err_clear(&err);
    where = cscc_xcalloc((size_t)argc + 1, sizeof(*where));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h':
            usage(stdout);
            cscc_free(where);
            return CLI_OK;
        case 't':
            if (cli_parse_uint(optarg, 16, &ul) || ul < 1) {
                cscc_free(where);
                return cli_usage_error("import ", "--threads takes a number from 1 to 16");
            }
            o.threads = (int)ul;
            break;
        case 'm': {
            char *end;
            double p = strtod(optarg, &end);

            if (end == optarg || (*end && strcmp(end, "%")) || !(p >= 0 && p <= 100)) {
                cscc_free(where);
                return cli_usage_error("import ",
                                       "--max-rejected takes a percentage from 0 to 100");
            }
            o.max_rejected = p / 100.0;
            break;
        }
        case 'P': o.progress = 0; break;
        case 'a': o.col_lat = optarg; break;
        case 'o': o.col_lon = optarg; break;
        case 'x': o.col_x = optarg; break;
        case 'y': o.col_y = optarg; break;
        case 'u': o.units = optarg; break;
        case 'c': o.crs = optarg; break;
        case 'd': o.col_date = optarg; break;
        case 'f': o.date_format = optarg; break;
        case 'i': o.col_id = optarg; break;
        case 'w':
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                cscc_free(where);
                return cli_usage_error("import ", "--where takes COLUMN=VALUE, not '%s'", optarg);
            }
            where[nwhere++] = optarg;
            break;
        default: cscc_free(where); return cli_usage_error("import ", "bad option");
        }
    }
    if (optind >= argc) {
        cscc_free(where);
        return cli_usage_error("import ", "say what to import: crimes, victims or layer");
    }
    dataset = argv[optind];
    first_file = optind + 1;
    if (!strcmp(dataset, "layer")) {
        if (first_file >= argc) {
            cscc_free(where);
            return cli_usage_error("import ", "'import layer' needs a NAME and files");
        }
        o.layer = argv[first_file++];
    } else if (strcmp(dataset, "crimes") && strcmp(dataset, "victims")) {
        cscc_free(where);
        return cli_usage_error("import ", "unknown dataset '%s' (crimes, victims or layer)",
                               dataset);
    }
    if (first_file >= argc) {
        cscc_free(where);
        return cli_usage_error("import ", "no files to import");
    }
    o.where = nwhere ? where : NULL;
    o.data_dir = ctx->data_dir;
    if (!(st = cli_open_store(ctx, &err))) {
        cscc_free(where);
        return cli_fail(&err);
    }
    o.store = st;
    memset(&sum, 0, sizeof(sum));
    rc = ingest_run(dataset, (const char *const *)argv + first_file, (size_t)(argc - first_file),
                    &o, &sum, &err);
    if (rc) {
        cli_report_error(&err);
        if (sum.rejects_file[0])
            cscc_info("rejected rows so far are listed in %s", sum.rejects_file);
    } else {
        print_summary(o.layer ? o.layer : dataset, &sum);
    }
    audit_import(st, o.layer ? o.layer : dataset, o.layer != NULL, &sum, rc ? &err : NULL);
    store_close(st);
    cscc_free(where);
    return rc ? cscc_exit_status(rc) : CLI_OK;
}
