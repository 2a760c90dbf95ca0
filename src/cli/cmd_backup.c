/* cmd_backup.c - `cscc backup DEST` and `cscc restore SRC`. */
#include "cli/cli.h"

#include "core/log.h"
#include "ingest/backup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage_backup(FILE *f)
{
    fprintf(f, "Usage: cscc backup [--copy] DEST\n"
               "\n"
               "Copies the data directory into DEST (a new or empty directory), consistently,\n"
               "while a server or an import may be running: the database with SQLite's online\n"
               "backup, the table files (never changed once in place) by hard link when DEST\n"
               "is on the same file system, else by copy. DEST is itself a data directory\n"
               "(cscc --data DEST ... works on it); 'cscc restore DEST' puts it back.\n"
               "\n"
               "Options:\n"
               "  --copy    copy the table files even where a hard link would do\n");
}

static void usage_restore(FILE *f)
{
    fprintf(f, "Usage: cscc restore SRC\n"
               "\n"
               "Puts the backup SRC back into the data directory (--data DIR; created if\n"
               "missing): its database, tables and rejects files replace those there. Refused\n"
               "while a server uses the directory or an import runs into it. SRC is checked\n"
               "first; nothing is changed when it is not a whole cscc backup.\n");
}

static void report(const char *what, const struct ingest_backup_info *in)
{
    cscc_info("%s: database, %u table%s (%u hard-linked), %u rejects file%s, %llu bytes copied; "
              "crimes generation %llu",
              what, in->tables, in->tables == 1 ? "" : "s", in->linked, in->rejects,
              in->rejects == 1 ? "" : "s", (unsigned long long)in->bytes,
              (unsigned long long)in->crimes_gen);
}

int cmd_backup(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"copy", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct ingest_backup_info info;
    struct cscc_err err;
    int opt, copy = 0;

    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage_backup(stdout); return CLI_OK;
        case 'c': copy = 1; break;
        default: return cli_usage_error("backup ", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("backup ", "say where to put the backup: cscc backup DEST");
    if (ingest_backup(ctx->data_dir, argv[optind], copy, &info, &err))
        return cli_fail(&err);
    report("backup", &info);
    return CLI_OK;
}

int cmd_restore(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct ingest_backup_info info;
    struct cscc_err err;
    int opt;

    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage_restore(stdout); return CLI_OK;
        default: return cli_usage_error("restore ", "bad option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("restore ", "say which backup to restore: cscc restore SRC");
    if (ingest_restore(argv[optind], ctx->data_dir, &info, &err))
        return cli_fail(&err);
    report("restored", &info);
    return CLI_OK;
}
