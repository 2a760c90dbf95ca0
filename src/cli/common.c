/* common.c - what several subcommands need: the data directory, the store,
 * the reference data directory, number formatting. */
#include "cli/cli.h"

#include "cscc_build.h"
#include "access/access.h"
#include "analysis/counts.h"
#include "colstore/colstore.h"
#include "core/time.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cli_db_path(const struct cli_ctx *ctx, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/cscc.db", ctx->data_dir);

    return n > 0 && (size_t)n < cap ? 0 : -1;
}

struct store *cli_open_store(const struct cli_ctx *ctx, struct cscc_err *err)
{
    char path[PATH_MAX];
    struct stat st;

    if (stat(ctx->data_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cscc_err_set(err, CSCC_ENOENT,
                     "no data directory at '%s'; run 'cscc init' first (or pass --data DIR, or "
                     "set CSCC_DATA)",
                     ctx->data_dir);
        return NULL;
    }
    if (cli_db_path(ctx, path, sizeof(path)) || stat(path, &st) < 0) {
        cscc_err_set(err, CSCC_ENOENT, "'%s' has no cscc database; run 'cscc init' first",
                     ctx->data_dir);
        return NULL;
    }
    return store_open(path, err);
}

int cli_open_crimes(const struct cli_ctx *ctx, struct store **st, struct colstore_table **t)
{
    struct cscc_err err;
    char path[PATH_MAX];

    cscc_err_clear(&err);
    *t = NULL;
    if (!(*st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    ingest_table_path(ctx->data_dir, "crimes", path, sizeof(path));
    if ((*t = colstore_open(path, &err)))
        return CLI_OK;
    store_close(*st);
    *st = NULL;
    if (err.code == CSCC_ENOENT) {
        cscc_error("no crimes have been imported into %s yet; run 'cscc import crimes FILE'",
                   ctx->data_dir);
        return CLI_NOINPUT;
    }
    return cli_fail(&err);
}

/* 1 when dir/probe can be read. */
static int has_file(const char *dir, const char *probe)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s/%s", dir, probe);
    return access(p, R_OK) == 0;
}

int cli_asset_dir(const char *env, const char *const *beside, const char *src_rel, const char *name,
                  const char *probe, char *buf, size_t cap)
{
    const char *e = getenv(env);
    char exe[PATH_MAX];
    ssize_t n;
    size_t i;

    if (e && *e) {
        snprintf(buf, cap, "%s", e);
        return has_file(buf, probe) ? 0 : -1;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;

        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            for (i = 0; beside[i]; i++) {
                snprintf(buf, cap, "%s/%s", exe, beside[i]);
                if (has_file(buf, probe))
                    return 0;
            }
        }
    }
    snprintf(buf, cap, "%s/%s", CSCC_SOURCE_DIR, src_rel);
    if (has_file(buf, probe))
        return 0;
    snprintf(buf, cap, "%s/%s", CSCC_DATADIR, name);
    return has_file(buf, probe) ? 0 : -1;
}

int cli_reference_dir(char *buf, size_t cap)
{
    /* build/cscc -> ../data/reference; installed bin/cscc -> ../share/cscc/reference */
    static const char *const beside[] = {"../data/reference", "../share/cscc/reference", NULL};

    return cli_asset_dir("CSCC_REFERENCE", beside, "data/reference", "reference",
                         "community_areas.geojson", buf, cap);
}

void cli_report_error(const struct cscc_err *err)
{
    char msg[1400];

    cscc_err_format(err, msg, sizeof(msg));
    cscc_error("%s", msg);
}

int cli_fail(const struct cscc_err *err)
{
    cli_report_error(err);
    return cscc_exit_status(err->code ? err->code : CSCC_EINTERNAL);
}

void cli_utc(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!t || !gmtime_r(&tt, &tm)) {
        snprintf(buf, cap, "-");
        return;
    }
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

const char *cli_num(uint64_t v, char *buf, size_t cap)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), i, o = 0;

    for (i = 0; i < n && (size_t)o + 1 < cap; i++) {
        if (i && (n - i) % 3 == 0 && (size_t)o + 2 < cap)
            buf[o++] = ',';
        buf[o++] = tmp[i];
    }
    buf[o] = '\0';
    return buf;
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

double cli_elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

void cli_log_timing(double *ms, unsigned long n, const char *note)
{
    qsort(ms, n, sizeof(*ms), cmp_double);
    cscc_info("timing: %lu runs in this process: best %.3f ms, median %.3f ms%s", n, ms[0],
              ms[n / 2], note);
}

int cli_filter_option(const char *cmd, struct counts_query *q, int opt, const char *arg, int *rc)
{
    unsigned long ul;

    *rc = 0;
    switch (opt) {
    case 'F':
        if (cscc_parse_day(arg, &q->day_from))
            *rc = cli_usage_error(cmd, "--from takes a date YYYY-MM-DD, not '%s'", arg);
        q->has_from = 1;
        return 1;
    case 'T':
        if (cscc_parse_day(arg, &q->day_to))
            *rc = cli_usage_error(cmd, "--to takes a date YYYY-MM-DD, not '%s'", arg);
        q->has_to = 1;
        return 1;
    case 'c': q->category = arg; return 1;
    case 't':
        if (q->ntypes == COUNTS_MAX_VALUES)
            *rc = cli_usage_error(cmd, "too many --type values (at most %d)", COUNTS_MAX_VALUES);
        else
            q->types[q->ntypes++] = arg;
        return 1;
    case 'f':
        if (q->nfbi == COUNTS_MAX_VALUES)
            *rc = cli_usage_error(cmd, "too many --fbi values (at most %d)", COUNTS_MAX_VALUES);
        else
            q->fbi[q->nfbi++] = arg;
        return 1;
    case 'a':
        if (cli_parse_uint(arg, 254, &ul) || ul == 0)
            *rc = cli_usage_error(cmd, "--area takes a community area number, not '%s'", arg);
        else if (q->nareas < 254)
            q->areas[q->nareas++] = (int)ul;
        return 1;
    case 'p': q->priority = 1; return 1;
    }
    return 0;
}

int cli_period_check(const char *cmd, const char *from_opt, int64_t from, const char *to_opt,
                     int64_t to)
{
    char a[16], b[16];

    if (from <= to)
        return 0;
    cscc_format_day(from, a);
    cscc_format_day(to, b);
    return cli_usage_error(cmd, "--%s %s is after --%s %s: the period ends before it starts",
                           from_opt, a, to_opt, b);
}

void cli_filter_help(FILE *f)
{
    fputs("  --from, --to      the period, YYYY-MM-DD, inclusive (default: all the data)\n"
          "  --category NAME   a crime category: violent, homicide, robbery, ... (see\n"
          "                    data/reference/categories.csv)\n"
          "  --type T          a Primary Type (repeatable; any of them)\n"
          "  --fbi CODE        an FBI code (repeatable; any of them, with --category's)\n"
          "  --area N          a community area number (repeatable)\n"
          "  --priority        only the priority areas\n",
          f);
}

struct access_blocklist *cli_load_blocklist(int *rc)
{
    struct access_blocklist *bl;
    struct cscc_err err;
    char path[PATH_MAX];

    cscc_err_clear(&err);
    if (cli_reference_dir(path, sizeof(path)) < 0) {
        cscc_error("cannot find the reference data (data/reference) with the password "
                   "blocklist; set CSCC_REFERENCE");
        *rc = CLI_SOFTWARE;
        return NULL;
    }
    snprintf(path + strlen(path), sizeof(path) - strlen(path), "/common_passwords.txt");
    if (!(bl = access_blocklist_load(path, &err)))
        *rc = cli_fail(&err);
    return bl;
}
