/* cmd_imports.c - `cscc imports`: the provenance of every import. */
#include "cli/cli.h"
#include "ingest/ingest.h"

#include "core/log.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <getopt.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: cscc imports [--dataset NAME] [--limit N] [--json]\n"
               "\n"
               "Lists imports, newest first: when, which files, what they did, and how they\n"
               "ended (ok, failed, interrupted, running).\n"
               "\n"
               "Options:\n"
               "  --dataset NAME  only imports of crimes, victims or layer:NAME\n"
               "  --limit N       at most N imports (default 20; 0 = all)\n"
               "  --json          JSON lines, one import per line\n");
}

struct ctx {
    int json;
};

static int print_one(void *arg, const struct store_import *imp)
{
    const struct ctx *c = arg;
    char s[32], e[32], n1[32], n2[32], n3[32], n4[32], n5[32];

    cli_utc(imp->started_at, s, sizeof(s));
    cli_utc(imp->finished_at, e, sizeof(e));
    if (c->json) {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        strbuf_addf(&sb, "{\"id\":%lld,\"dataset\":", (long long)imp->id);
        strbuf_add_json_str(&sb, imp->dataset, strlen(imp->dataset));
        strbuf_addf(&sb, ",\"status\":\"%s\",\"started_at\":\"%s\",\"finished_at\":",
                    store_import_status_name(imp->status), s);
        if (imp->finished_at)
            strbuf_addf(&sb, "\"%s\"", e);
        else
            strbuf_adds(&sb, "null");
        strbuf_addf(
            &sb,
            ",\"rows_read\":%lld,\"rows_new\":%lld,\"rows_updated\":%lld,"
            "\"rows_unchanged\":%lld,\"rows_rejected\":%lld,\"generation\":%lld,\"files\":%s,"
            "\"rejects_by_reason\":%s,\"rejects_file\":",
            (long long)imp->rows_read, (long long)imp->rows_new, (long long)imp->rows_updated,
            (long long)imp->rows_unchanged, (long long)imp->rows_rejected,
            (long long)imp->generation, imp->files && imp->files[0] ? imp->files : "[]",
            imp->rejects_by_reason && imp->rejects_by_reason[0] ? imp->rejects_by_reason : "{}");
        strbuf_add_json_str(&sb, imp->rejects_file ? imp->rejects_file : "",
                            imp->rejects_file ? strlen(imp->rejects_file) : 0);
        strbuf_adds(&sb, ",\"message\":");
        strbuf_add_json_str(&sb, imp->message ? imp->message : "",
                            imp->message ? strlen(imp->message) : 0);
        strbuf_adds(&sb, "}\n");
        fwrite(sb.buf, 1, sb.len, stdout);
        strbuf_release(&sb);
        return 0;
    }
    printf("import %lld  %s  %s  started %s  finished %s\n", (long long)imp->id, imp->dataset,
           store_import_status_name(imp->status), s, e);
    printf("  files: %s\n", imp->files ? imp->files : "");
    printf("  read %s, new %s, updated %s, unchanged %s, rejected %s\n",
           cli_num((uint64_t)imp->rows_read, n1, sizeof(n1)),
           cli_num((uint64_t)imp->rows_new, n2, sizeof(n2)),
           cli_num((uint64_t)imp->rows_updated, n3, sizeof(n3)),
           cli_num((uint64_t)imp->rows_unchanged, n4, sizeof(n4)),
           cli_num((uint64_t)imp->rows_rejected, n5, sizeof(n5)));
    if (imp->rejects_by_reason && imp->rejects_by_reason[0] && strcmp(imp->rejects_by_reason, "{}"))
        printf("  rejected by reason: %s\n", imp->rejects_by_reason);
    if (imp->rejects_file && imp->rejects_file[0])
        printf("  rejects file: %s\n", imp->rejects_file);
    if (imp->message && imp->message[0])
        printf("  %s\n", imp->message);
    return 0;
}

int cmd_imports(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"dataset", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    struct ctx c = {0};
    struct cscc_err err;
    struct store *st;
    const char *dataset = NULL;
    unsigned long limit = 20;
    int opt, rc;

    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'd': dataset = optarg; break;
        case 'n':
            if (cli_parse_uint(optarg, 1000000000UL, &limit))
                return cli_usage_error("imports ", "--limit takes a number");
            break;
        case 'j': c.json = 1; break;
        default: return cli_usage_error("imports ", "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error("imports ", "unexpected argument '%s'", argv[optind]);
    if (!(st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    /* imports killed (kill -9) since: interrupted, not running */
    if (ingest_recover_running(ctx->data_dir, st, &err)) {
        cscc_warn("could not settle interrupted imports: %s", err.msg);
        cscc_err_clear(&err);
    }
    rc = store_each_import(st, dataset, limit, print_one, &c, &err);
    store_close(st);
    return rc ? cli_fail(&err) : CLI_OK;
}
