/* cmd_soql.c - `cscc soql DATASET_ID 'param=value' ...`: the public data
 * API's Socrata queries answered without a server, and the publishing of
 * layers. */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/log.h"
#include "http/soql.h"
#include "colstore/colstore.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: cscc soql DATASET_ID [--format json|csv|geojson] [--header]\n"
            "                 [--access public|aggregate|staff] ['PARAM=VALUE' ...]\n"
            "       cscc soql --list\n"
            "       cscc soql --publish LAYER [--id xxxx-xxxx] | --unpublish LAYER\n"
            "\n"
            "Answers a Socrata (SODA 2) query as the server's /resource/DATASET_ID.FORMAT would:\n"
            "  cscc soql ijzp-q8t2 '$select=primary_type,count(*)' '$group=primary_type' \\\n"
            "            '$order=count DESC'\n"
            "PARAM is $select, $where, $group, $order, $limit (default 1000, at most 50000),\n"
            "$offset, or a column name (a simple filter: 'primary_type=THEFT').\n"
            "\n"
            "Datasets: ijzp-q8t2 (crimes), gumc-mgzr (victims: counts only, staff rows), and\n"
            "the layers (--list shows their ids).\n"
            "\n"
            "Options:\n"
            "  --format F       json (default), csv or geojson\n"
            "  --header         print the HTTP status and the X-SODA2-Fields and X-SODA2-Types\n"
            "                   headers, then a blank line, then the body\n"
            "  --access A       answer as the server answers a caller of this access: public\n"
            "                   (default), aggregate (victims as counts, to be suppressed), staff\n"
            "  --repeat N       run the query N times in this process; print the best and\n"
            "                   median times to stderr (for benchmarks)\n"
            "  --list           list the datasets and their ids\n"
            "  --publish LAYER  publish a point layer (its id: the derived one, or --id)\n"
            "  --unpublish LAYER  withdraw it\n"
            "\n"
            "On a bad query the body is Socrata's error object and the exit status is 65\n"
            "(400), 66 (404), 77 (403) or 70.\n");
}

static const char *access_name(enum soql_access a)
{
    return a == SOQL_PUBLIC ? "public" : a == SOQL_AGGREGATE ? "aggregate" : "staff";
}

static int list(struct cli_ctx *ctx, struct store *st)
{
    struct cscc_err err;
    struct soql_catalog *c;
    size_t i;

    cscc_err_clear(&err);
    if (!(c = soql_catalog_open(ctx->data_dir, st, &err)))
        return cli_fail(&err);
    printf("id,table,access,rows,title\n");
    for (i = 0; i < soql_catalog_count(c); i++) {
        const struct soql_dataset *d = soql_catalog_at(c, i);

        printf("%s,%s,%s,%s,\"%s\"\n", d->id, d->table, access_name(d->min_access),
               access_name(d->min_rows_access), d->title);
    }
    soql_catalog_free(c);
    return CLI_OK;
}

static int status_exit(int status)
{
    switch (status) {
    case 400: return CLI_DATAERR;
    case 404: return CLI_NOINPUT;
    case 403: return 77; /* EX_NOPERM */
    case 507: return CLI_IOERR;
    default: return CLI_SOFTWARE;
    }
}

/* Prints a query error: the body to stdout (for a wrapper to serve), the
 * message to stderr. */
static int fail_query(const struct soql_error *e, int header)
{
    struct strbuf sb;

    strbuf_init(&sb, 0);
    if (header)
        printf("Status: %d\n\n", e->status);
    soql_error_json(e, &sb);
    printf("%s\n", sb.buf);
    fflush(stdout);
    strbuf_release(&sb);
    cscc_error("%s", e->message);
    return status_exit(e->status);
}

int cmd_soql(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"format", required_argument, NULL, 'o'},
        {"header", no_argument, NULL, 'H'},
        {"access", required_argument, NULL, 'A'},
        {"repeat", required_argument, NULL, 'R'},
        {"list", no_argument, NULL, 'L'},
        {"publish", required_argument, NULL, 'P'},
        {"unpublish", required_argument, NULL, 'U'},
        {"id", required_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    enum soql_format fmt = SOQL_JSON;
    enum soql_access access = SOQL_PUBLIC;
    int header = 0, do_list = 0, opt, rc = CLI_OK;
    const char *publish = NULL, *unpublish = NULL, *id = NULL, *dsid;
    unsigned long repeat = 0;
    struct soql_param *params = NULL;
    size_t nparams = 0;
    struct store *st = NULL;
    struct soql_catalog *cat = NULL;
    struct colstore_table *t = NULL;
    struct soql_query *q = NULL;
    struct soql_error qe;
    struct cscc_err err;
    struct strbuf out;
    char path[PATH_MAX];

    cscc_err_clear(&err);
    strbuf_init(&out, 0);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'o': {
            int f = soql_format_from_ext(optarg);

            if (f < 0)
                return cli_usage_error("soql ", "--format is json, csv or geojson, not '%s'",
                                       optarg);
            fmt = (enum soql_format)f;
            break;
        }
        case 'H': header = 1; break;
        case 'A':
            if (!strcmp(optarg, "public"))
                access = SOQL_PUBLIC;
            else if (!strcmp(optarg, "aggregate"))
                access = SOQL_AGGREGATE;
            else if (!strcmp(optarg, "staff"))
                access = SOQL_STAFF;
            else
                return cli_usage_error("soql ", "--access is public, aggregate or staff, not '%s'",
                                       optarg);
            break;
        case 'R':
            if (cli_parse_uint(optarg, 100000, &repeat) || !repeat)
                return cli_usage_error("soql ", "--repeat takes a number from 1 to 100000");
            break;
        case 'L': do_list = 1; break;
        case 'P': publish = optarg; break;
        case 'U': unpublish = optarg; break;
        case 'I': id = optarg; break;
        default: return cli_usage_error("soql ", "bad option");
        }
    }
    if (do_list || publish || unpublish) {
        if (optind < argc)
            return cli_usage_error("soql ", "unexpected argument '%s'", argv[optind]);
        if (!(st = cli_open_store(ctx, &err)))
            return cli_fail(&err);
        if (do_list) {
            rc = list(ctx, st);
        } else if (soql_publish_layer(ctx->data_dir, st, publish ? publish : unpublish, id,
                                      publish != NULL, &err)) {
            rc = cli_fail(&err);
        } else if (publish) {
            char own[16];

            if (!id)
                soql_layer_id(publish, own);
            cscc_info("layer %s is published as /resource/%s.json", publish, id ? id : own);
        } else {
            cscc_info("layer %s is no longer published", unpublish);
        }
        store_close(st);
        return rc;
    }
    if (id)
        return cli_usage_error("soql ", "--id goes with --publish");
    if (optind >= argc)
        return cli_usage_error("soql ", "say which dataset: 'cscc soql ijzp-q8t2 ...' "
                                        "('cscc soql --list' lists them)");
    dsid = argv[optind++];
    params = cscc_xcalloc((size_t)(argc - optind) + 1, sizeof(*params));
    for (; optind < argc; optind++) {
        char *eq = strchr(argv[optind], '=');

        if (!eq || eq == argv[optind]) {
            cscc_free(params);
            return cli_usage_error("soql ", "'%s' is not PARAM=VALUE", argv[optind]);
        }
        *eq = '\0';
        params[nparams].name = argv[optind];
        params[nparams].value = eq + 1;
        nparams++;
    }
    if (!(st = cli_open_store(ctx, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (!(cat = soql_catalog_open(ctx->data_dir, st, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    {
        const struct soql_dataset *ds = soql_catalog_find(cat, dsid);
        struct soql_limits lim;

        if (!ds) {
            memset(&qe, 0, sizeof(qe));
            qe.status = 404;
            snprintf(qe.code, sizeof(qe.code), "not_found");
            snprintf(qe.message, sizeof(qe.message),
                     "no dataset %.20s is published in %.200s ('cscc soql --list' lists them)",
                     dsid, ctx->data_dir);
            rc = fail_query(&qe, header);
            goto out;
        }
        if (soql_table_path(ctx->data_dir, ds, path, sizeof(path)) ||
            !(t = colstore_open(path, &err))) {
            rc = cli_fail(&err);
            goto out;
        }
        soql_limits_default(&lim);
        if (!(q = soql_prepare(ds, t, params, nparams, access, &lim, &qe))) {
            rc = fail_query(&qe, header);
            goto out;
        }
    }
    if (repeat) {
        double *ms = cscc_xcalloc(repeat, sizeof(*ms));
        unsigned long r;

        for (r = 0; r < repeat && !rc; r++) {
            struct timespec a, b;

            strbuf_reset(&out);
            clock_gettime(CLOCK_MONOTONIC, &a);
            if (soql_run(q, fmt, &out, &qe))
                rc = -1;
            clock_gettime(CLOCK_MONOTONIC, &b);
            ms[r] = cli_elapsed_ms(&a, &b);
        }
        if (!rc) {
            char note[64];

            snprintf(note, sizeof(note), " (%llu rows scanned)",
                     (unsigned long long)soql_rows_scanned(q));
            cli_log_timing(ms, repeat, note);
        }
        cscc_free(ms);
    } else if (soql_run(q, fmt, &out, &qe)) {
        rc = -1;
    }
    if (rc) {
        rc = fail_query(&qe, header);
        goto out;
    }
    if (header)
        printf("Status: 200\nContent-Type: %s\nX-SODA2-Fields: %s\nX-SODA2-Types: %s\n\n",
               soql_content_type(fmt), soql_fields_header(q), soql_types_header(q));
    if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
        cscc_error("cannot write the result: %s", cscc_strerror(CSCC_EIO));
        rc = CLI_IOERR;
    }
out:
    soql_query_free(q);
    colstore_close(t);
    soql_catalog_free(cat);
    store_close(st);
    strbuf_release(&out);
    cscc_free(params);
    return rc;
}
