/**
 * coord_cli.h - what the coordination subcommands share (org, event,
 * catalog, need, workorder, route, escalate, outbox, metrics, config): who
 * acts, opening the store with the crimes table and the coordination
 * handle, and writing records as a table, CSV or JSON.
 */
#ifndef CSCC_CLI_COORD_CLI_H
#define CSCC_CLI_COORD_CLI_H

#include "cli/cli.h"
#include "coord/coord.h"

#include <getopt.h>

enum ccli_format { CCLI_TABLE, CCLI_CSV, CCLI_JSON };

/** One coordination command's state. */
struct ccli {
    struct cli_ctx *ctx;
    const char *cmd; /* "need add ": for usage messages */
    struct store *st;
    struct colstore_table *crimes;
    struct coord *c;
    struct coord_actor actor;
    char actor_name[128];
    char actor_dept[64];
    enum ccli_format format;
    int64_t now;  /* 0 = the clock */
    json_t *rows; /* records collected for output */
};

/*
 * Options every coordination subcommand takes: --as ROLE[:ORG|:DEPT] (act
 * as that role; default admin), --user NAME (the name recorded in history;
 * default cli:$USER), --format table|csv|json, --now TIME (a fixed clock,
 * to replay or test), with --data, -q and --help.
 */
#define CCLI_LONGOPTS                                                                              \
    CLI_COMMON_LONGOPTS, {"as", required_argument, NULL, 0x101},                                   \
        {"user", required_argument, NULL, 0x102}, {"format", required_argument, NULL, 0x103},      \
    {                                                                                              \
        "now", required_argument, NULL, 0x104                                                      \
    }

/** Sets up x for command cmd (defaults: admin, table). */
void ccli_init(struct ccli *x, struct cli_ctx *ctx, const char *cmd);
/**
 * Handles one of the options above (returns 1, with *rc 0 or a usage
 * error's status), or says it is not one of them (0).
 */
int ccli_option(struct ccli *x, int opt, const char *arg, int *rc);
/** The help lines of those options. */
void ccli_help(FILE *f);
/**
 * Opens the store, the crimes table (when imported) and the coordination
 * handle; sets the time zone from the store. 0, or the exit status after
 * printing why.
 */
int ccli_open(struct ccli *x);
/** Frees everything; returns rc. */
int ccli_close(struct ccli *x, int rc);
/** Prints err ("cscc: error: ... (field 'x')") and returns its exit status. */
int ccli_fail(const struct cscc_err *err);

/** Adds a record (taken) to the output. */
void ccli_row(struct ccli *x, json_t *row);
/**
 * Writes the records collected: a table (one line per record, or "key:
 * value" lines when single and not a list), CSV (a header, cells beginning
 * with = + - @ neutralized), or JSON (an array, or the object when single).
 * Returns CLI_OK or CLI_IOERR.
 */
int ccli_flush(struct ccli *x, int single);

/** Parses a positive id; -1 when not one. */
int64_t ccli_id(const char *s);
/** Parses a day "YYYY-MM-DD" into a day number; -1 on error. */
int ccli_day(const char *s, int64_t *day);
/** Parses a double; -1 when not a finite number. */
int ccli_double(const char *s, double *v);

/** A subcommand of a command group: its name, its usage prefix, its function. */
struct ccli_sub {
    const char *name, *cmd;
    int (*fn)(struct ccli *x, int argc, char **argv);
};

/**
 * Runs the subcommand argv[1] of group ("org ") from subs with a fresh
 * struct ccli, closing it after; with no subcommand or --help prints usage.
 * Returns the exit status.
 */
int ccli_dispatch(struct cli_ctx *ctx, int argc, char **argv, const struct ccli_sub *subs, size_t n,
                  const char *group, void (*usage)(FILE *f));
/**
 * Parses the common options only (for subcommands that take no others): 0,
 * -1 after --help (usage printed), or a usage error's exit status.
 */
int ccli_plain_opts(struct ccli *x, int argc, char **argv, void (*usage)(FILE *f));
/**
 * Reads --limit (opt 'l') or --offset ('O') of a list, each at most max,
 * into *limit or *offset: 0, or a usage error's exit status.
 */
int ccli_page(struct ccli *x, int opt, const char *arg, unsigned long max, size_t *limit,
              size_t *offset);

/* The subcommands' entry points (cli.h lists them in the command table). */

#endif
