/**
 * cli.h - what the subcommands of `cscc` share: the command table entry and
 * the context the global options fill in.
 */
#ifndef CSCC_CLI_CLI_H
#define CSCC_CLI_CLI_H

#include "analysis/grid.h"
#include "analysis/points.h"
#include "analysis/spatial.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct cli_ctx {
    const char *data_dir; /* --data, else $CSCC_DATA, else ./var */
    int quiet;            /* -q: errors only */
};

struct cli_command {
    const char *name;
    int (*run)(struct cli_ctx *ctx, int argc, char **argv);
    const char *summary; /* one line for `cscc --help` */
};

/** Exit statuses (sysexits.h values, named here for the commands). */
enum {
    CLI_OK = 0,
    CLI_USAGE = 64,
    CLI_DATAERR = 65,
    CLI_NOINPUT = 66,
    CLI_SOFTWARE = 70,
    CLI_IOERR = 74
};

/**
 * Handles an option every subcommand accepts (--data DIR, -q). Call from a
 * getopt_long loop with the option's code; returns 1 if it was one of them.
 */
int cli_common_option(struct cli_ctx *ctx, int opt, const char *arg);
#define CLI_COMMON_LONGOPTS                                                                        \
    {"data", required_argument, NULL, 'D'}, {"quiet", no_argument, NULL, 'q'},                     \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }
#define CLI_COMMON_SHORTOPTS "qh"

/*
 * The incident filters shared by `query counts` and the analyses: --from,
 * --to, --category, --type, --fbi, --area, --priority. Put
 * CLI_FILTER_LONGOPTS in a command's long options; in its getopt loop,
 * cli_filter_option() handles one (returns 1, with *rc 0 or the usage error's
 * status) or says it is not one of them (returns 0).
 */
struct counts_query;
#define CLI_FILTER_LONGOPTS                                                                        \
    {"from", required_argument, NULL, 'F'}, {"to", required_argument, NULL, 'T'},                  \
        {"category", required_argument, NULL, 'c'}, {"type", required_argument, NULL, 't'},        \
        {"fbi", required_argument, NULL, 'f'}, {"area", required_argument, NULL, 'a'},             \
    {                                                                                              \
        "priority", no_argument, NULL, 'p'                                                         \
    }
int cli_filter_option(const char *cmd, struct counts_query *q, int opt, const char *arg, int *rc);
/**
 * Refuses a period that ends before it starts, for every command that takes
 * one: when day `from` (of option --FROM_OPT) is after day `to` (of --TO_OPT),
 * prints the usage error "--from 2017-02-01 is after --to 2017-01-01: ..." of
 * cmd and returns CLI_USAGE; else 0. Call it when both ends are given.
 */
int cli_period_check(const char *cmd, const char *from_opt, int64_t from, const char *to_opt,
                     int64_t to);
/** The help lines of the filter options. */
void cli_filter_help(FILE *f);

/*
 * The output options of the analyses: --format csv|json|geojson (codes of
 * analysis/result.h) and --output FILE. CLI_RESULT_LONGOPTS in the long
 * options; cli_result_option() as cli_filter_option().
 */
struct an_result;
#define CLI_RESULT_LONGOPTS                                                                        \
    {"format", required_argument, NULL, 'o'},                                                      \
    {                                                                                              \
        "output", required_argument, NULL, 'O'                                                     \
    }
int cli_result_option(const char *cmd, int *fmt, const char **out, int opt, const char *arg,
                      int *rc);
void cli_result_help(FILE *f);
/** Writes r in format fmt to out (a file, replaced atomically) or stdout; an exit status. */
int cli_write_result(const struct an_result *r, int fmt, const char *out);

/*
 * Where `analyze trends --measure serious` and `analyze priority` count
 * serious victimizations: --source auto|victims|crimes, --shootings-layer
 * NAME (a layer of non-fatal shooting victims, with the crimes' homicides),
 * --shootings-where COL=VALUE (the layer's rows that count; default: when
 * the layer has a shooting_type column, its "nonlethal" rows). Put
 * CLI_SERIOUS_LONGOPTS in the long options; cli_serious_option() as
 * cli_filter_option(); cli_serious_open() opens the tables that exist into
 * s (crimes stays NULL when want_crimes is 0), cli_serious_close() closes
 * them. Defined in cmd_analyze_trends.c.
 */
struct serious_tables;
struct cli_serious {
    int source; /* enum serious_source */
    const char *layer, *where;
    char column[64], value[256]; /* --shootings-where split, or the default */
};
#define CLI_SERIOUS_LONGOPTS                                                                       \
    {"source", required_argument, NULL, 'S'}, {"shootings-layer", required_argument, NULL, 'L'},   \
    {                                                                                              \
        "shootings-where", required_argument, NULL, 'W'                                            \
    }
int cli_serious_option(const char *cmd, struct cli_serious *o, int opt, const char *arg, int *rc);
void cli_serious_help(FILE *f);
int cli_serious_open(const struct cli_ctx *ctx, struct cli_serious *o, int want_crimes,
                     struct serious_tables *s);
/* Records in the audit log that cmd read victim-level records, when s's
 * source is the victims table (a read of sensitive records). */
void cli_serious_audit(struct store *st, const struct serious_tables *s, const char *cmd);
void cli_serious_close(struct serious_tables *s);

/*
 * The spatial analyses (cmd_analyze_*.c, analyze_spatial.c): the points they
 * read (--layer NAME, --victims, --weight COL, the filters), the projected CRS
 * (--crs), the grid (--cell, --grid, --extent), --repeat, and the output. Put
 * CLI_AN_LONGOPTS (and CLI_AN_GRID_LONGOPTS for grids) in the long options;
 * cli_an_option() handles these and the filter and output options.
 */
struct cli_an {
    int parsing;          /* cli_an_next() has started */
    struct an_spatial sp; /* the points, CRS and grid (analysis/spatial.h) */
    int fmt;
    const char *out;
    unsigned long repeat;
    /* filled by cli_an_open */
    struct colstore_table *t;
};
#define CLI_AN_LONGOPTS                                                                            \
    {"layer", required_argument, NULL, 'L'}, {"victims", no_argument, NULL, 'V'},                  \
        {"crs", required_argument, NULL, 'C'}, {"weight", required_argument, NULL, 'W'},           \
    {                                                                                              \
        "repeat", required_argument, NULL, 'R'                                                     \
    }
#define CLI_AN_GRID_LONGOPTS                                                                       \
    {"cell", required_argument, NULL, 's'}, {"grid", required_argument, NULL, 'g'},                \
    {                                                                                              \
        "extent", required_argument, NULL, 'e'                                                     \
    }
void cli_an_init(struct cli_an *a);
/**
 * The getopt_long() loop of an analysis command: call until it returns -1.
 * Handles the common options (--data, -q), the filters, the output and the
 * point and grid options itself, and returns the code of each other option
 * (the command's own, and 'h'), optarg set. At the end *rc is 0, or the
 * usage error's status when an option or argument was refused (already
 * reported: unknown options and stray arguments too).
 */
struct option;
int cli_an_next(struct cli_ctx *ctx, struct cli_an *a, const char *cmd, int argc, char **argv,
                const struct option *longopts, int *rc);
int cli_an_option(const char *cmd, struct cli_an *a, int opt, const char *arg, int *rc);
void cli_an_help(FILE *f, int grid);
/** Opens the store, the CRS and (need_table) the points' table; an exit status. */
int cli_an_open(struct cli_ctx *ctx, struct cli_an *a, int need_table);
/**
 * Refuses a selection with nothing to analyse (an_spatial_require: no row
 * matches the filters, or none that does has a location; by_area: rows are
 * counted by community area, located or not): prints why, naming the filters
 * to widen, and returns 64 as the other refusals of input; else 0.
 */
int cli_an_require(struct cli_an *a, int by_area);
/* Reports an analysis's error: a refusal of the input (CSCC_EINVAL, whose
 * message names the options) as a usage error, anything else as cli_fail. */
int cli_an_refusal(const struct cscc_err *err);
/** Loads the community areas (boundaries, extent, population); an exit status. */
int cli_an_city(struct cli_an *a);
/** The grid of the options (default_cell metres when none is given); an exit status. */
int cli_an_grid(struct cli_an *a, const char *cmd, double default_cell, struct an_grid *g);
void cli_an_close(struct cli_an *a);
/** Adds the selection's description to r. */
void cli_an_result(struct cli_an *a, struct an_result *r, const struct an_points_info *info);
double cli_now_ms(void);
/** Prints best and median of n timings (sorts ms). */
void cli_an_timing(const char *what, double *ms, size_t n);
/**
 * The usage error for the option getopt_long() just refused (call it on '?',
 * with getopt's own message off: opterr = 0): names the option and says
 * whether it is unknown, needs a value or takes none. Returns CLI_USAGE.
 */
struct option;
int cli_bad_option(const char *cmd, const struct option *longopts, char **argv);
/** Parses a number in [min, max]; -1 when not one. */
int cli_parse_double(const char *s, double min, double max, double *out);

/** The long option of longopts whose code is opt ("" when none). */
const char *cli_opt_name(const struct option *longopts, int opt);
/** An option the analysis refused (err from analysis/spatial.h's options):
 * the usage error "--MESSAGE"; returns CLI_USAGE. */
int cli_an_refused(const char *cmd, const struct cscc_err *err);

/** Prints "cscc: error: ..." and the usage hint; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Path of the database in the data directory. */
int cli_db_path(const struct cli_ctx *ctx, char *buf, size_t cap);
/** Opens the store of an existing data directory (says to run init if none). */
struct store *cli_open_store(const struct cli_ctx *ctx, struct cscc_err *err);
struct colstore_table;
/**
 * Opens the store and the crimes table of the data directory. On failure
 * prints why (and what to run first) and returns the exit status, non-zero.
 */
int cli_open_crimes(const struct cli_ctx *ctx, struct store **st, struct colstore_table **t);
/**
 * Finds a folder of files shipped with cscc, the one holding `probe`: the
 * environment variable env when set (and only it); else each of `beside`
 * (NULL-terminated paths relative to the binary's folder), then the source
 * tree's src_rel, then the installed DATADIR/name. 0 with the folder in buf,
 * or -1 when none has it.
 */
int cli_asset_dir(const char *env, const char *const *beside, const char *src_rel, const char *name,
                  const char *probe, char *buf, size_t cap);
/** Finds the reference data shipped with cscc; 0 or -1 when not found. */
int cli_reference_dir(char *buf, size_t cap);
struct access_blocklist;
/**
 * Loads the common-password blocklist of the reference data (for `cscc
 * user` and `cscc serve`): the list, or NULL with an error printed and the
 * exit status in *rc.
 */
struct access_blocklist *cli_load_blocklist(int *rc);
/** Prints err for people ("cscc: error: ..."). */
void cli_report_error(const struct cscc_err *err);
/** cli_report_error, then the exit status for err. */
int cli_fail(const struct cscc_err *err);
/** Formats Unix seconds t as "2026-01-02T03:04:05Z" ("-" for 0) into buf. */
void cli_utc(int64_t t, char *buf, size_t cap);
/** Formats v with thousands separators: "1,234,567". */
const char *cli_num(uint64_t v, char *buf, size_t cap);
/** Parses a decimal number no larger than max; -1 when not one. */
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);
/** Milliseconds from a to b (two CLOCK_MONOTONIC readings). */
double cli_elapsed_ms(const struct timespec *a, const struct timespec *b);
/** For --repeat: sorts ms[0 .. n) (n >= 1) and logs the best and the median
 * run, then note ("" for none). Cannot fail. */
void cli_log_timing(double *ms, unsigned long n, const char *note);

/* The subcommands. */
int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cmd_imports(struct cli_ctx *ctx, int argc, char **argv);
int cmd_query(struct cli_ctx *ctx, int argc, char **argv);
int cmd_summary(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit(struct cli_ctx *ctx, int argc, char **argv);
/* The analyses (cmd_analyze_NAME.c), run by cmd_analyze with argv[0] = NAME. */
int cmd_analyze_trends(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_priority(struct cli_ctx *ctx, int argc, char **argv);
int cmd_serve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_backup(struct cli_ctx *ctx, int argc, char **argv);
int cmd_restore(struct cli_ctx *ctx, int argc, char **argv);
int cmd_soql(struct cli_ctx *ctx, int argc, char **argv);
/* Coordination (cmd_org.c, cmd_need.c, cmd_workorder.c; helpers in coord_cli.h). */
int cmd_org(struct cli_ctx *ctx, int argc, char **argv);
int cmd_event(struct cli_ctx *ctx, int argc, char **argv);
int cmd_catalog(struct cli_ctx *ctx, int argc, char **argv);
int cmd_need(struct cli_ctx *ctx, int argc, char **argv);
int cmd_workorder(struct cli_ctx *ctx, int argc, char **argv);
int cmd_route(struct cli_ctx *ctx, int argc, char **argv);
int cmd_escalate(struct cli_ctx *ctx, int argc, char **argv);
int cmd_outbox(struct cli_ctx *ctx, int argc, char **argv);
int cmd_metrics(struct cli_ctx *ctx, int argc, char **argv);
int cmd_config(struct cli_ctx *ctx, int argc, char **argv);
/* Resources (cmd_funding.c; analyses in cmd_analyze_resources.c). */
int cmd_funding(struct cli_ctx *ctx, int argc, char **argv);
int cmd_initiative(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_capacity_gap(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_funding(struct cli_ctx *ctx, int argc, char **argv);
/* The weekly coordination brief (cmd_brief.c). */
int cmd_brief(struct cli_ctx *ctx, int argc, char **argv);

/* The spatial analyses (cscc analyze NAME). */
int cmd_analyze_kde(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_gistar(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_moran(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_knox(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_rtm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_analyze_pai(struct cli_ctx *ctx, int argc, char **argv);

#endif
