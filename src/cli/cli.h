/**
 * cli.h - what the subcommands of `cscc` share: the command table entry and
 * the context the global options fill in.
 */
#ifndef CSCC_CLI_CLI_H
#define CSCC_CLI_CLI_H

#include <stdio.h>

struct cli_ctx {
    const char *data_dir;   /* --data, else $CSCC_DATA, else ./var */
    int quiet;              /* -q: errors only */
};

struct cli_command {
    const char *name;
    int (*run)(struct cli_ctx *ctx, int argc, char **argv);
    const char *summary;    /* one line for `cscc --help` */
};

/** Exit statuses (sysexits.h values, named here for the commands). */
enum { CLI_OK = 0, CLI_USAGE = 64, CLI_DATAERR = 65, CLI_NOINPUT = 66, CLI_SOFTWARE = 70,
       CLI_IOERR = 74 };

/**
 * Handles an option every subcommand accepts (--data DIR, -q). Call from a
 * getopt_long loop with the option's code; returns 1 if it was one of them.
 */
int cli_common_option(struct cli_ctx *ctx, int opt, const char *arg);
#define CLI_COMMON_LONGOPTS {"data", required_argument, NULL, 'D'}, \
                            {"quiet", no_argument, NULL, 'q'},      \
                            {"help", no_argument, NULL, 'h'}
#define CLI_COMMON_SHORTOPTS "qh"

/** Prints "cscc: error: ..." and the usage hint; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
