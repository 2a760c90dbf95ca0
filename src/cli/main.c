/* main.c - `cscc`: global options and the table of subcommands. */
#include "cli/cli.h"

#include "cscc_build.h"
#include "core/log.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
    {"init", cmd_init, "create the data directory and load the reference data"},
    {"import", cmd_import, "import crimes, victims or a point layer from City exports"},
    {"imports", cmd_imports, "list past imports and what they did (provenance)"},
    {"query", cmd_query, "count incidents by area, month, type ... (query counts)"},
    {"summary", cmd_summary, "a citywide summary of the imported crimes"},
    {"analyze", cmd_analyze, "hotspots, kernel density, near repeats, trends ... (analyze NAME)"},
    {"user", cmd_user, "accounts of the server: add, list, disable, set-role, tokens"},
    {"audit", cmd_audit, "the audit log: logins, admin actions, imports, sensitive reads"},
    {"serve", cmd_serve, "serve the data and analyses over HTTP (JSON API, CSV, GeoJSON)"},
    {"backup", cmd_backup, "copy the data directory, even while it is in use"},
    {"restore", cmd_restore, "put a backup back into the data directory"},
    {"soql", cmd_soql, "answer a Socrata (SODA) query on a published dataset, as the server would"},
    {"org", cmd_org, "partner organizations: register, edit, verify, list"},
    {"event", cmd_event, "engagement events and the sector coverage report"},
    {"catalog", cmd_catalog, "the service catalogue (Open311 services) and departments"},
    {"need", cmd_need, "report needs, show and list them; the block gazetteer"},
    {"workorder", cmd_workorder, "the queue of work orders; move, reassign"},
    {"route", cmd_route, "routing rules: which department, which deadline"},
    {"escalate", cmd_escalate, "escalate overdue work orders to coordinators (for cron)"},
    {"outbox", cmd_outbox, "notifications: list, deliver to the webhook"},
    {"metrics", cmd_metrics, "response times by department, service, area (metrics response)"},
    {"config", cmd_config, "coordination settings (coord.*)"},
    {"funding", cmd_funding, "funding allocations and spending: import, add, edit, list"},
    {"initiative", cmd_initiative, "Launch Committee initiatives and their milestones"},
    {"brief", cmd_brief, "the weekly coordination brief (violence, hot spots, needs, events)"},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    const struct cli_command *c;

    fprintf(f, "Usage: cscc [--data DIR] [-q] COMMAND [ARGS]\n"
               "\n"
               "cscc runs a Community Safety Coordination Center: public violence data,\n"
               "analysis, community needs and the City services that answer them.\n"
               "\n"
               "Commands:\n");
    for (c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n"
               "Options:\n"
               "  --data DIR   data directory (default: $CSCC_DATA, else ./var)\n"
               "  -q, --quiet  print errors only\n"
               "  -v, --verbose  print what is done, with timings\n"
               "  --version    print the version and exit\n"
               "  -h, --help   print this help and exit\n"
               "\n"
               "Run 'cscc COMMAND --help' for a command's options.\n");
}

int cli_common_option(struct cli_ctx *ctx, int opt, const char *arg)
{
    switch (opt) {
    case 'D': ctx->data_dir = arg; return 1;
    case 'q':
        ctx->quiet = 1;
        cscc_log_set_level(CSCC_LOG_WARN);
        return 1;
    }
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cscc_error("%s", msg);
    fprintf(stderr, "Run 'cscc %s--help' for usage.\n", cmd ? cmd : "");
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, 'D'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},    {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0},
    };
    struct cli_ctx ctx = {0};
    const struct cli_command *c;
    char cmdhint[64];
    int opt;

    ctx.data_dir = getenv("CSCC_DATA");
    if (!ctx.data_dir || !*ctx.data_dir)
        ctx.data_dir = "var";
    /* "+": stop at the first non-option, the command name. */
    while ((opt = getopt_long(argc, argv, "+qvh", longopts, NULL)) != -1) {
        if (cli_common_option(&ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'v': cscc_log_set_level(CSCC_LOG_DEBUG); break;
        case 'h': usage(stdout); return CLI_OK;
        case 'V': printf("cscc %s\n", CSCC_VERSION); return CLI_OK;
        default: return cli_usage_error(NULL, "unknown option; see the list below");
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    for (c = commands; c->name; c++) {
        if (!strcmp(c->name, argv[optind])) {
            argc -= optind;
            argv += optind;
            optind = 0; /* reset getopt for the subcommand (glibc: 0 re-initialises) */
            return c->run(&ctx, argc, argv);
        }
    }
    snprintf(cmdhint, sizeof(cmdhint), "%s", "");
    return cli_usage_error(cmdhint, "unknown command '%s'", argv[optind]);
}
