/* coord_common.c - what the coordination subcommands share: the acting
 * role, opening the store and the coordination handle, and output as a
 * table, CSV or JSON. */
#include "core/num.h"
#include "cli/coord_cli.h"

#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/time.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ccli_init(struct ccli *x, struct cli_ctx *ctx, const char *cmd)
{
    const char *user = getenv("USER");

    memset(x, 0, sizeof(*x));
    x->ctx = ctx;
    x->cmd = cmd;
    x->actor.role = COORD_ROLE_ADMIN;
    snprintf(x->actor_name, sizeof(x->actor_name), "cli:%s", user && *user ? user : "operator");
    x->actor.name = x->actor_name;
    x->format = CCLI_TABLE;
    x->rows = json_array();
}

int ccli_option(struct ccli *x, int opt, const char *arg, int *rc)
{
    const char *colon;
    char role[32];
    int r;

    *rc = 0;
    if (cli_common_option(x->ctx, opt, arg))
        return 1;
    switch (opt) {
    case 0x101:
        colon = strchr(arg, ':');
        snprintf(role, sizeof(role), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
        if ((r = coord_role_by_name(role)) < 0) {
            *rc = cli_usage_error(x->cmd,
                                  "--as takes public, partner:ORG_ID, department:CODE, "
                                  "coordinator, analyst or admin, not '%s'",
                                  arg);
            return 1;
        }
        x->actor.role = (enum coord_role)r;
        x->actor.org_id = 0;
        x->actor.department = NULL;
        if (r == COORD_ROLE_PARTNER && colon) {
            int64_t id = ccli_id(colon + 1);

            if (id < 0)
                *rc = cli_usage_error(x->cmd, "--as partner:ORG_ID takes an organization id");
            x->actor.org_id = id < 0 ? 0 : id;
        } else if (r == COORD_ROLE_DEPARTMENT) {
            if (!colon || !colon[1]) {
                *rc = cli_usage_error(x->cmd, "--as department:CODE names the department");
                return 1;
            }
            snprintf(x->actor_dept, sizeof(x->actor_dept), "%s", colon + 1);
            x->actor.department = x->actor_dept;
        } else if (colon) {
            *rc = cli_usage_error(x->cmd, "--as %s takes nothing after ':'", role);
        }
        if (r == COORD_ROLE_PUBLIC && !strcmp(x->actor.name, x->actor_name) &&
            !strncmp(x->actor_name, "cli:", 4))
            x->actor.name = NULL; /* anonymous unless --user says otherwise */
        return 1;
    case 0x102:
        snprintf(x->actor_name, sizeof(x->actor_name), "%s", arg);
        x->actor.name = x->actor_name;
        return 1;
    case 0x103:
        if (!strcmp(arg, "table"))
            x->format = CCLI_TABLE;
        else if (!strcmp(arg, "csv"))
            x->format = CCLI_CSV;
        else if (!strcmp(arg, "json"))
            x->format = CCLI_JSON;
        else
            *rc = cli_usage_error(x->cmd, "--format takes table, csv or json, not '%s'", arg);
        return 1;
    case 0x104:
        if (coord_parse_time(arg, &x->now))
            *rc = cli_usage_error(x->cmd,
                                  "--now takes an ISO 8601 time (2026-03-02T09:00:00-06:00), "
                                  "not '%s'",
                                  arg);
        return 1;
    }
    return 0;
}

void ccli_help(FILE *f)
{
    fputs("  --as ROLE         act as public, partner:ORG_ID, department:CODE, coordinator,\n"
          "                    analyst or admin (default admin); the same rules as the API\n"
          "  --user NAME       the name recorded in history (default cli:$USER)\n"
          "  --format F        table (default), csv or json\n"
          "  --now TIME        a fixed clock, ISO 8601 (to replay a day or test)\n",
          f);
}

int ccli_fail(const struct cscc_err *err)
{
    char msg[1400];

    cscc_err_format(err, msg, sizeof(msg));
    /* cscc_err_format says "column 'f'" for a field: coordination fields are not columns. */
    if (err->field[0] && !err->file[0])
        cscc_error("%s (field '%s')", err->msg, err->field);
    else
        cscc_error("%s", msg);
    return cscc_exit_status(err->code ? err->code : CSCC_EINTERNAL);
}

int ccli_open(struct ccli *x)
{
    struct coord_opts o = {0};
    struct cscc_err err;
    char path[PATH_MAX], tz[128];

    cscc_err_clear(&err);
    if (!(x->st = cli_open_store(x->ctx, &err)))
        return cli_fail(&err);
    if (!store_get_setting(x->st, "timezone", tz, sizeof(tz), &err) && tz[0]) {
        setenv("TZ", tz, 1);
        tzset();
    }
    cscc_err_clear(&err);
    ingest_table_path(x->ctx->data_dir, "crimes", path, sizeof(path));
    if (!(x->crimes = colstore_open(path, &err)) && err.code != CSCC_ENOENT)
        return ccli_fail(&err);
    cscc_err_clear(&err);
    o.st = x->st;
    o.crimes = x->crimes;
    if (!(x->c = coord_open(&o, &err)))
        return ccli_fail(&err);
    if (x->now)
        coord_set_now(x->c, x->now);
    return 0;
}

int ccli_close(struct ccli *x, int rc)
{
    coord_close(x->c);
    colstore_close(x->crimes);
    store_close(x->st);
    json_decref(x->rows);
    x->c = NULL;
    x->crimes = NULL;
    x->st = NULL;
    x->rows = NULL;
    return rc;
}

void ccli_row(struct ccli *x, json_t *row)
{
    if (row)
        json_array_append_new(x->rows, row);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

/* A value as plain text for a cell: arrays joined with "; ", objects as JSON. */
static void cell_text(const json_t *v, struct strbuf *sb)
{
    char *dump;
    size_t i;

    switch (json_typeof(v)) {
    case JSON_STRING: strbuf_add(sb, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: strbuf_addf(sb, "%lld", (long long)json_integer_value(v)); break;
    case JSON_REAL: strbuf_addf(sb, "%.10g", json_real_value(v)); break;
    case JSON_TRUE: strbuf_adds(sb, "true"); break;
    case JSON_FALSE: strbuf_adds(sb, "false"); break;
    case JSON_ARRAY:
        for (i = 0; i < json_array_size(v); i++) {
            if (i)
                strbuf_adds(sb, "; ");
            cell_text(json_array_get(v, i), sb);
        }
        break;
    case JSON_OBJECT:
        dump = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (dump)
            strbuf_adds(sb, dump);
        free(dump); /* allocated by jansson */
        break;
    default: break;
    }
}

static void csv_cell(const json_t *v, struct strbuf *out)
{
    struct strbuf sb;
    size_t i;
    int quote;

    strbuf_init(&sb, 0);
    cell_text(v, &sb);
    quote = strpbrk(sb.buf, ",\"\n\r") != NULL;
    if (quote)
        strbuf_addc(out, '"');
    /* A cell that a spreadsheet would run as a formula is made text. */
    if (sb.len && strchr("=+-@\t\r", sb.buf[0]) &&
        !(json_is_number(v) && (sb.buf[0] == '-' || sb.buf[0] == '+')))
        strbuf_addc(out, '\'');
    for (i = 0; i < sb.len; i++) {
        if (sb.buf[i] == '"')
            strbuf_addc(out, '"');
        strbuf_addc(out, sb.buf[i]);
    }
    if (quote)
        strbuf_addc(out, '"');
    strbuf_release(&sb);
}

/* Bytes of the first n UTF-8 characters of s (at most len). */
static size_t utf8_prefix(const char *s, size_t len, size_t n, size_t *chars)
{
    size_t i = 0, c = 0;

    while (i < len && c < n) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        c++;
    }
    *chars = c;
    return i;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t c;

    utf8_prefix(s, len, SIZE_MAX, &c);
    return c;
}

#define CELL_MAX 48

/* The text of a table cell: one line, at most CELL_MAX characters. */
static void table_cell(const json_t *v, struct strbuf *out)
{
    struct strbuf sb;
    size_t i, chars, n;

    strbuf_init(&sb, 0);
    cell_text(v, &sb);
    for (i = 0; i < sb.len; i++)
        if (sb.buf[i] == '\n' || sb.buf[i] == '\r' || sb.buf[i] == '\t')
            sb.buf[i] = ' ';
    n = utf8_prefix(sb.buf, sb.len, CELL_MAX, &chars);
    if (n < sb.len) {
        n = utf8_prefix(sb.buf, sb.len, CELL_MAX - 2, &chars);
        strbuf_add(out, sb.buf, n);
        strbuf_adds(out, "..");
    } else {
        strbuf_add(out, sb.buf, sb.len);
    }
    strbuf_release(&sb);
}

static int write_out(const struct strbuf *sb)
{
    if (fwrite(sb->buf, 1, sb->len, stdout) != sb->len || fflush(stdout))
        return CLI_IOERR;
    return CLI_OK;
}

static int flush_table(const json_t *rows, int single, struct strbuf *out)
{
    const json_t *first = json_array_get(rows, 0);
    size_t ncols = json_object_size(first), i, r, k;
    const char **keys;
    size_t *width;
    struct strbuf cell;
    const char *key;
    json_t *v;

    if (!first)
        return 0;
    if (single && json_array_size(rows) == 1) {
        size_t w = 0;

        json_object_foreach((json_t *)first, key, v)
        {
            (void)v;
            if (strlen(key) > w)
                w = strlen(key);
        }
        json_object_foreach((json_t *)first, key, v)
        {
            strbuf_addf(out, "%-*s  ", (int)w, key);
            cell_text(v, out);
            strbuf_addc(out, '\n');
        }
        return 0;
    }
    keys = cscc_xcalloc(ncols ? ncols : 1, sizeof(*keys));
    width = cscc_xcalloc(ncols ? ncols : 1, sizeof(*width));
    i = 0;
    json_object_foreach((json_t *)first, key, v)
    {
        (void)v;
        keys[i] = key;
        width[i] = utf8_chars(key, strlen(key));
        i++;
    }
    strbuf_init(&cell, 0);
    for (r = 0; r < json_array_size(rows); r++)
        for (k = 0; k < ncols; k++) {
            size_t w;

            strbuf_reset(&cell);
            table_cell(json_object_get(json_array_get(rows, r), keys[k]), &cell);
            w = utf8_chars(cell.buf, cell.len);
            if (w > width[k])
                width[k] = w;
        }
    for (k = 0; k < ncols; k++)
        strbuf_addf(out, "%s%-*s", k ? "  " : "", k + 1 < ncols ? (int)width[k] : 0, keys[k]);
    strbuf_addc(out, '\n');
    for (r = 0; r < json_array_size(rows); r++) {
        for (k = 0; k < ncols; k++) {
            size_t w;

            strbuf_reset(&cell);
            table_cell(json_object_get(json_array_get(rows, r), keys[k]), &cell);
            w = utf8_chars(cell.buf, cell.len);
            strbuf_adds(out, k ? "  " : "");
            strbuf_add(out, cell.buf, cell.len);
            if (k + 1 < ncols)
                for (; w < width[k]; w++)
                    strbuf_addc(out, ' ');
        }
        strbuf_addc(out, '\n');
    }
    strbuf_release(&cell);
    cscc_free(keys);
    cscc_free(width);
    return 0;
}

static void flush_csv(const json_t *rows, struct strbuf *out)
{
    const json_t *first = json_array_get(rows, 0);
    const char *key;
    json_t *v;
    size_t r;
    int k;

    if (!first)
        return;
    k = 0;
    json_object_foreach((json_t *)first, key, v)
    {
        json_t *name = json_string(key);

        if (k++)
            strbuf_addc(out, ',');
        csv_cell(name, out);
        json_decref(name);
        (void)v;
    }
    strbuf_addc(out, '\n');
    for (r = 0; r < json_array_size(rows); r++) {
        k = 0;
        json_object_foreach((json_t *)first, key, v)
        {
            const json_t *cell = json_object_get(json_array_get(rows, r), key);

            (void)v;
            if (k++)
                strbuf_addc(out, ',');
            if (cell)
                csv_cell(cell, out);
        }
        strbuf_addc(out, '\n');
    }
}

int ccli_flush(struct ccli *x, int single)
{
    struct strbuf out;
    int rc = CLI_OK;

    strbuf_init(&out, 0);
    switch (x->format) {
    case CCLI_JSON: {
        const json_t *what =
            single && json_array_size(x->rows) == 1 ? json_array_get(x->rows, 0) : x->rows;
        char *text = json_dumps(what, JSON_INDENT(2) | JSON_REAL_PRECISION(10));

        if (!text) {
            rc = CLI_SOFTWARE;
            break;
        }
        strbuf_adds(&out, text);
        strbuf_addc(&out, '\n');
        free(text); /* allocated by jansson */
        break;
    }
    case CCLI_CSV: flush_csv(x->rows, &out); break;
    default:
        if (flush_table(x->rows, single, &out))
            rc = CLI_SOFTWARE;
        break;
    }
    if (!rc)
        rc = write_out(&out);
    strbuf_release(&out);
    json_array_clear(x->rows);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

int64_t ccli_id(const char *s)
{
    unsigned long v;

    if (cli_parse_uint(s, (unsigned long)INT64_MAX, &v) || v == 0)
        return -1;
    return (int64_t)v;
}

int ccli_day(const char *s, int64_t *day)
{
    return cscc_parse_day(s, day) ? -1 : 0;
}

int ccli_double(const char *s, double *v)
{

    if (!s || !*s)
        return -1;
    return cscc_parse_double(s, v);
}

/* ------------------------------------------------------------------------ */
/* Subcommands and shared options                                            */
/* ------------------------------------------------------------------------ */

int ccli_dispatch(struct cli_ctx *ctx, int argc, char **argv, const struct ccli_sub *subs, size_t n,
                  const char *group, void (*usage)(FILE *f))
{
    struct ccli x;
    size_t i;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (i = 0; i < n; i++)
        if (!strcmp(argv[1], subs[i].name)) {
            ccli_init(&x, ctx, subs[i].cmd);
            optind = 0;
            return ccli_close(&x, subs[i].fn(&x, argc - 1, argv + 1));
        }
    return cli_usage_error(group, "unknown subcommand '%s'", argv[1]);
}

int ccli_plain_opts(struct ccli *x, int argc, char **argv, void (*usage)(FILE *f))
{
    static const struct option longopts[] = {CCLI_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt, rc;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (opt == 'h') {
            usage(stdout);
            return -1;
        }
        return cli_usage_error(x->cmd, "bad option");
    }
    return 0;
}

int ccli_page(struct ccli *x, int opt, const char *arg, unsigned long max, size_t *limit,
              size_t *offset)
{
    unsigned long ul;

    if (cli_parse_uint(arg, max, &ul))
        return cli_usage_error(x->cmd, "--limit and --offset take a number up to %lu", max);
    if (opt == 'l')
        *limit = ul;
    else
        *offset = ul;
    return 0;
}
