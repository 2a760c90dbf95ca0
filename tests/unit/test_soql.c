/* Unit tests of the SoQL subset (src/http/soql*.c): the parser (every
 * construct, every error), the checks against the public schema and the
 * caller's access, and execution over the shipped portal sample.
 *
 * Expected counts on tests/data/crimes/portal_export_sample_2016-01-01_03.csv
 * were computed independently with SQLite over the CSV (the same queries as
 * tests/tools/soql_ref.py, which the integration test soql_realdata runs at
 * test time). */
#include "test.h"

#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "http/soql.h"
#include "http/soql_int.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <jansson.h>
#include <stdarg.h>
#include <sys/stat.h>

#define SAMPLE "crimes/portal_export_sample_2016-01-01_03.csv"

struct fx {
    char dir[4096];
    struct store *st;
    struct soql_catalog *cat;
    const struct soql_dataset *ds;
    struct colstore_table *t;
    int ok;
};

/* A data directory with the portal sample imported as crimes. */
static void fx_open(struct fx *f, const char *victims)
{
    struct cscc_err err;
    struct ingest_opts o;
    struct ingest_summary sum;
    char p[4200];
    const char *files[1];

    memset(f, 0, sizeof(*f));
    cscc_err_clear(&err);
    snprintf(f->dir, sizeof(f->dir), "%s/var", test_tmpdir());
    mkdir(f->dir, 0700);
    snprintf(p, sizeof(p), "%s/tables", f->dir);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/rejects", f->dir);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/cscc.db", f->dir);
    f->st = store_open(p, &err);
    CHECK(f->st != NULL);
    if (!f->st)
        return;
    CHECK_INT_EQ(ingest_reference(f->st, TEST_SOURCE_DIR "/data/reference", NULL, &err), 0);
    memset(&o, 0, sizeof(o));
    o.data_dir = f->dir;
    o.store = f->st;
    o.threads = 1;
    o.max_rejected = 0.5;
    files[0] = test_data(SAMPLE);
    CHECK_INT_EQ(ingest_run("crimes", files, 1, &o, &sum, &err), 0);
    if (victims) {
        files[0] = victims;
        CHECK_INT_EQ(ingest_run("victims", files, 1, &o, &sum, &err), 0);
    }
    f->cat = soql_catalog_open(f->dir, f->st, &err);
    CHECK(f->cat != NULL);
    if (!f->cat)
        return;
    f->ds = soql_catalog_find(f->cat, "ijzp-q8t2");
    CHECK(f->ds != NULL);
    if (!f->ds)
        return;
    CHECK_INT_EQ(soql_table_path(f->dir, f->ds, p, sizeof(p)), 0);
    f->t = colstore_open(p, &err);
    CHECK(f->t != NULL);
    f->ok = f->t != NULL;
}

static void fx_close(struct fx *f)
{
    colstore_close(f->t);
    soql_catalog_free(f->cat);
    store_close(f->st);
}

/* Runs "name=value" parameters (NULL-terminated) as access a on dataset ds
 * (NULL: crimes); returns the body (cscc_free it) or NULL with *e. */
static char *vrun(struct fx *f, const struct soql_dataset *ds, struct colstore_table *t,
                  enum soql_access a, enum soql_format fmt, struct soql_error *e, va_list ap)
{
    struct soql_param ps[16];
    char *bufs[16];
    size_t n = 0, i;
    const char *s;
    struct soql_query *q;
    struct strbuf sb;
    char *out = NULL;

    while ((s = va_arg(ap, const char *)) && n < 16) {
        const char *eq = strchr(s, '=');

        bufs[n] = cscc_xstrdup(s);
        bufs[n][eq - s] = '\0';
        ps[n].name = bufs[n];
        ps[n].value = bufs[n] + (eq - s) + 1;
        n++;
    }
    q = soql_prepare(ds ? ds : f->ds, t ? t : f->t, ps, n, a, NULL, e);
    for (i = 0; i < n; i++)
        cscc_free(bufs[i]);
    if (!q)
        return NULL;
    strbuf_init(&sb, 0);
    if (!soql_run(q, fmt, &sb, e))
        out = strbuf_take(&sb, NULL);
    strbuf_release(&sb);
    soql_query_free(q);
    return out;
}

static char *run(struct fx *f, enum soql_format fmt, struct soql_error *e, ...)
{
    va_list ap;
    char *r;

    va_start(ap, e);
    r = vrun(f, NULL, NULL, SOQL_PUBLIC, fmt, e, ap);
    va_end(ap);
    return r;
}

/* The single "count" of a JSON answer, or -1. */
static long long count_of(struct fx *f, ...)
{
    struct soql_error e;
    va_list ap;
    char *body;
    json_t *j;
    long long n = -1;

    va_start(ap, f);
    body = vrun(f, NULL, NULL, SOQL_PUBLIC, SOQL_JSON, &e, ap);
    va_end(ap);
    if (!body) {
        test_note("query failed: %s", e.message);
        return -2;
    }
    j = json_loads(body, 0, NULL);
    if (j && json_array_size(j) == 1) {
        const char *s = json_string_value(json_object_get(json_array_get(j, 0), "count"));

        if (s)
            n = atoll(s);
    }
    json_decref(j);
    cscc_free(body);
    return n;
}

/* Prepares a query expected to fail; checks the status, the code, the
 * parameter, the position and a part of the message. */
static void expect_error(struct fx *f, int status, const char *code, const char *param, size_t pos,
                         const char *msg_part, ...)
{
    struct soql_error e;
    va_list ap;
    char *body;

    memset(&e, 0, sizeof(e));
    va_start(ap, msg_part);
    body = vrun(f, NULL, NULL, SOQL_PUBLIC, SOQL_JSON, &e, ap);
    va_end(ap);
    CHECK(body == NULL);
    cscc_free(body);
    CHECK_INT_EQ(e.status, status);
    CHECK_STR_EQ(e.code, code);
    CHECK_STR_EQ(e.param, param);
    if (pos != (size_t)-1)
        CHECK_INT_EQ(e.position, pos);
    if (!strstr(e.message, msg_part))
        test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", e.message, msg_part);
}

/* ------------------------------------------------------------------------ */

TEST(soql, parse_constructs)
{
    static const char *const ok[] = {
        "a = 1",
        "a != 1 and b <> 2 or c < 3 AND d <= 4 Or e > 5 and f >= 6",
        "NOT (a = 'x' OR b = 'y')",
        "a IN ('x', 'y', 'z') and b not in (1, 2)",
        "a BETWEEN 1 AND 2 and b not between '2016-01-01T00:00:00' and '2016-02-01T00:00:00'",
        "a IS NULL and b is not null",
        "a like '%X_' and b NOT LIKE 'y%'",
        "a = 'it''s' and b = -1.5e3 and c = .5 and d = true and e = FALSE and f = null",
        "within_circle(location, 41.88, -87.63, 500) and within_box(location, 42, -88, 41, -87)",
        "date_trunc_ym(date) = '2016-01-01T00:00:00.000'",
        "`primary_type` = 'THEFT' and ((((a = 1))))",
        "a == 1",
    };
    struct soql_limits lim;
    struct soql__arena arena;
    struct soql_error e;
    size_t i;

    soql_limits_default(&lim);
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct soql__parser p = {"$where", ok[i], strlen(ok[i]), 0, 0, &lim, &arena, &e};
        struct soql__node *n = NULL;

        memset(&arena, 0, sizeof(arena));
        memset(&e, 0, sizeof(e));
        if (soql__parse_expr(&p, &n))
            test_fail(__FILE__, __LINE__, "'%s' did not parse: %s", ok[i], e.message);
        soql__arena_release(&arena);
    }
    /* the tree of one: a quote inside a string, precedence of AND over OR */
    {
        const char *s = "a = 'it''s' or b = 1 and c = 2";
        struct soql__parser p = {"$where", s, strlen(s), 0, 0, &lim, &arena, &e};
        struct soql__node *n = NULL;

        memset(&arena, 0, sizeof(arena));
        CHECK_INT_EQ(soql__parse_expr(&p, &n), 0);
        CHECK(n && n->kind == N_OR);
        if (n && n->kind == N_OR) {
            CHECK_STR_EQ(n->a->b->s, "it's");
            CHECK_INT_EQ(n->b->kind, N_AND);
        }
        soql__arena_release(&arena);
    }
    /* lists: aliases, ASC/DESC */
    {
        const char *s = "primary_type AS t, count(*) , date_trunc_y(date) as `y`";
        struct soql__parser p = {"$select", s, strlen(s), 0, 0, &lim, &arena, &e};
        struct soql__item *it = NULL;
        size_t n = 0;

        memset(&arena, 0, sizeof(arena));
        CHECK_INT_EQ(soql__parse_list(&p, 1, 0, &it, &n), 0);
        CHECK_INT_EQ(n, 3);
        if (n == 3) {
            CHECK_STR_EQ(it[0].alias, "t");
            CHECK(it[1].alias == NULL);
            CHECK_STR_EQ(it[2].alias, "y");
        }
        soql__arena_release(&arena);
        s = "count DESC, primary_type asc, date";
        p.param = "$order";
        p.src = s;
        p.len = strlen(s);
        memset(&arena, 0, sizeof(arena));
        CHECK_INT_EQ(soql__parse_list(&p, 0, 1, &it, &n), 0);
        CHECK_INT_EQ(n, 3);
        if (n == 3)
            CHECK(it[0].desc && !it[1].desc && !it[2].desc);
        soql__arena_release(&arena);
    }
}

TEST(soql, parse_errors)
{
    struct fx f;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    expect_error(&f, 400, "query.compiler.malformed", "$where", 16, "expected a column, a value",
                 "$where=primary_type = \"THEFT\"", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 7,
                 "expected a column, a value or a function, found end of input",
                 "$where=ward =", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 9,
                 "position 9: the text starting there is not closed with a quote (')",
                 "$where=block = 'THEFT", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 14,
                 "position 14: the text starting there is not closed with a quote (')",
                 "$where=primary_type='abc", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$select", 7,
                 "the name starting there is not closed with a backquote (`)",
                 "$select=ward, `block", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 10, "expected ')'",
                 "$where=(ward = 1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 10,
                 "AND, OR or the end of the expression", "$where=ward = 1 2", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 16, "AND between the bounds",
                 "$where=ward between 1 or 2", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 10, "IN, BETWEEN or LIKE after NOT",
                 "$where=ward not = 1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 9, "NULL or NOT NULL after IS",
                 "$where=ward is 1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 9, "at least one value",
                 "$where=ward in ()", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 6, "arithmetic",
                 "$where=ward + 1 = 2", NULL);
    expect_error(&f, 400, "query.soql.no-such-function", "$where", 1, "no such function 'upper'",
                 "$where=upper(block) = 'X'", NULL);
    expect_error(&f, 400, "query.soql.no-such-column", "$where", 1, "system field ':id'",
                 "$where=:id = 1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$select", 13, "',', AS or the end",
                 "$select=ward, block block", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$select", 8, "a name after AS",
                 "$select=ward as", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$order", 6, "ASC, DESC", "$order=ward up",
                 NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$group", 1, "a column to group by",
                 "$group=", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 1, "an expression",
                 "$where=", NULL);
    /* limits: depth, IN list, length */
    {
        char deep[300], in[8000];
        size_t i, o = 0;

        /* 70 '(' around "ward = 1" (sizes fixed: 7 + 70 + 8 + 70 + 1 < 300) */
        o = (size_t)snprintf(deep, sizeof(deep), "$where=");
        for (i = 0; i < 70; i++)
            deep[o++] = '(';
        memcpy(deep + o, "ward = 1", 8);
        o += 8;
        for (i = 0; i < 70; i++)
            deep[o++] = ')';
        deep[o] = '\0';
        expect_error(&f, 400, "query.compiler.malformed", "$where", (size_t)-1,
                     "nested more than 64 deep", deep, NULL);
        o = (size_t)snprintf(in, sizeof(in), "$where=ward in (");
        for (i = 0; i < 1001; i++)
            o += (size_t)snprintf(in + o, sizeof(in) - o, "%s%zu", i ? "," : "", i % 50);
        snprintf(in + o, sizeof(in) - o, ")");
        expect_error(&f, 400, "query.compiler.malformed", "$where", (size_t)-1,
                     "more than 1000 values", in, NULL);
    }
out:
    fx_close(&f);
}

TEST(soql, check_errors)
{
    struct fx f;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    expect_error(&f, 400, "query.soql.no-such-column", "$where", 1, "no such column 'foo'",
                 "$where=foo = 1", NULL);
    expect_error(&f, 400, "query.soql.no-such-column", "foo", 0, "unknown parameter 'foo'", "foo=1",
                 NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$foo", 0, "unknown parameter '$foo'",
                 "$foo=1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$limit", 0, "given twice", "$limit=1",
                 "$limit=2", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$limit", 1, "not a whole number",
                 "$limit=ten", NULL);
    expect_error(&f, 400, "query.soql.limit-exceeded", "$limit", 1, "above the maximum of 50000",
                 "$limit=50001", NULL);
    expect_error(&f, 400, "query.soql.limit-exceeded", "$offset", 1, "may not pass 1000000",
                 "$order=date", "$offset=999999", "$limit=2", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$q", 0, "not supported", "$q=theft", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 12,
                 "'district' is text and cannot be compared with a number", "$where=district = 6",
                 NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 8, "'ward' is a number",
                 "$where=ward = 'x'", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 8, "is a floating timestamp",
                 "$where=date > 'yesterday'", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 10, "is a checkbox",
                 "$where=arrest = 'maybe'", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 1, "LIKE needs text",
                 "$where=ward like '1%'", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 1, "use within_circle",
                 "$where=location = 'x'", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 8, "comparing two columns",
                 "$where=ward = beat", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 1, "a condition was expected",
                 "$where=ward", NULL);
    expect_error(&f, 400, "query.soql.aggregate-in-wrong-position", "$where", 1,
                 "aggregate count()", "$where=count(*) > 1", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$select", 5, "must be a column",
                 "$select=max(min(ward))", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$select", 1, "sum() needs a number",
                 "$select=sum(block)", NULL);
    expect_error(&f, 400, "query.soql.column-not-in-group-bys", "$select", 1,
                 "'block' must be in $group", "$select=block, count(*)", NULL);
    expect_error(&f, 400, "query.soql.column-not-in-group-bys", "$order", 1,
                 "'ward' must be in $group", "$select=count(*)", "$order=ward", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$select", 7, "two columns are named 'ward'",
                 "$select=ward, ward", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 25,
                 "within_circle() at position 1: the centre's latitude (argument 2) must lie in "
                 "[-90, 90], not 95",
                 "$where=within_circle(location, 95, -87, 10)", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 34,
                 "the radius in metres (argument 4) must be above 0, not -5",
                 "$where=within_circle(location, 41, -87, -5)", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 24,
                 "argument 2 of within_circle(), the centre's latitude, must be a number, not 'a'",
                 "$where=within_circle(location,'a',-87.6,500)", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 35,
                 "argument 4 of within_circle(), the radius in metres, must be a number, not true",
                 "$where=within_circle(location,41.8,-87.6,true)", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 26,
                 "within_box() at position 1: the north-west corner's longitude (argument 3) "
                 "must lie in [-180, 180], not -187",
                 "$where=within_box(location, 42, -187, 41, -87)", NULL);
    expect_error(&f, 400, "query.compiler.malformed", "$where", 31,
                 "the south-east corner's latitude (argument 4) must lie in [-90, 90], not 141",
                 "$where=within_box(location, 42, -88, 141, -87)", NULL);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)",
                          "$where=within_circle(location, '41.88', '-87.63', '5000')", NULL),
                 count_of(&f, "$select=count(*)",
                          "$where=within_circle(location, 41.88, -87.63, 5000)", NULL));
    expect_error(&f, 400, "query.compiler.malformed", "$where", 1, "takes a location column",
                 "$where=within_circle(location, 41, -87)", NULL);
    expect_error(&f, 400, "query.soql.type-mismatch", "$where", 15, "needs a location column",
                 "$where=within_circle(block, 41, -87, 10)", NULL);
    {
        char big[9000];

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        memcpy(big, "$where=", 7);
        expect_error(&f, 400, "query.soql.limit-exceeded", "$where", 0, "too long", big, NULL);
    }
out:
    fx_close(&f);
}

TEST(soql, counts_on_sample)
{
    struct fx f;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    /* values from SQLite over the same CSV (see the comment at the top) */
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", NULL), 1730);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=primary_type = 'THEFT'", NULL), 355);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "primary_type=THEFT", NULL), 355);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=primary_type = 'theft'", NULL), 0);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)",
                          "$where=date between '2016-01-02T00:00:00' and '2016-01-02T23:59:59'",
                          NULL),
                 523);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=date >= '2016-01-02'", NULL), 523 + 566);
    CHECK_INT_EQ(
        count_of(&f, "$select=count(*)", "$where=date_trunc_ymd(date) = '2016-01-03'", NULL), 566);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=year = 2016 and year != 2015", NULL),
                 1730);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=year = 2015", NULL), 0);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=x_coordinate IS NULL", NULL), 188);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=location IS NOT NULL", NULL), 1730 - 188);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=arrest", NULL),
                 count_of(&f, "$select=count(*)", "arrest=true", NULL));
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=arrest OR NOT arrest", NULL), 1730);
    /* a literal condition (the fuzzer found "$where=true" crashing the compiler) */
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=true", NULL), 1730);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=false", NULL), 0);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=NOT false AND true", NULL), 1730);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=arrest OR false", NULL),
                 count_of(&f, "$select=count(*)", "$where=arrest", NULL));
    /* NULL is neither equal nor unequal */
    CHECK_INT_EQ(
        count_of(&f, "$select=count(*)", "$where=x_coordinate = 1 or x_coordinate != 1", NULL),
        1730 - 188);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=ward = null", NULL), 0);
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=block = 'it''s'", NULL), 0);
    CHECK_INT_EQ(count_of(&f, "$select=count(latitude)", NULL), -1); /* named count_latitude */
    /* tab, CR and LF are white space: Socrata takes multi-line SoQL */
    CHECK_INT_EQ(count_of(&f, "$select=count(*)", "$where=ward=28\nAND\tarrest=true\r\n", NULL),
                 count_of(&f, "$select=count(*)", "$where=ward=28 AND arrest=true", NULL));
    CHECK(count_of(&f, "$select=count(*)", "$where=ward=28 AND arrest=true", NULL) > 0);
out:
    fx_close(&f);
}

TEST(soql, output_formats)
{
    struct fx f;
    struct soql_error e;
    char *b;
    json_t *j;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    /* JSON: numbers as strings, checkboxes as booleans, NULLs left out */
    b = run(&f, SOQL_JSON, &e, "$where=case_number = 'HZ103159'", NULL);
    CHECK(b != NULL);
    j = b ? json_loads(b, 0, NULL) : NULL;
    CHECK(j && json_array_size(j) == 1);
    if (j && json_array_size(j) == 1) {
        json_t *r = json_array_get(j, 0), *loc = json_object_get(r, "location");

        CHECK_STR_EQ(json_string_value(json_object_get(r, "id")), "10367002");
        CHECK_STR_EQ(json_string_value(json_object_get(r, "date")), "2016-01-03T23:57:00.000");
        CHECK(json_is_false(json_object_get(r, "arrest")));
        CHECK(json_is_true(json_object_get(r, "domestic")));
        CHECK_STR_EQ(json_string_value(json_object_get(r, "beat")), "0611");
        CHECK_STR_EQ(json_string_value(json_object_get(r, "district")), "006");
        CHECK_STR_EQ(json_string_value(json_object_get(r, "ward")), "17");
        CHECK_STR_EQ(json_string_value(json_object_get(r, "latitude")), "41.753985135");
        CHECK_STR_EQ(json_string_value(json_object_get(loc, "longitude")), "-87.664263469");
        CHECK(json_object_get(loc, "human_address") != NULL);
    }
    json_decref(j);
    cscc_free(b);
    /* a row without coordinates has no such members */
    b = run(&f, SOQL_JSON, &e, "$where=latitude is null", "$limit=1", NULL);
    CHECK(b && !strstr(b, "\"latitude\"") && !strstr(b, "\"location\"") && strstr(b, "\"id\""));
    cscc_free(b);
    /* CSV: a header of field names, empty NULLs, formulas neutralised */
    b = run(&f, SOQL_CSV, &e, "$select=case_number,ward,arrest,location",
            "$where=case_number = 'HZ103159'", NULL);
    CHECK_STR_EQ(b, "case_number,ward,arrest,location\n"
                    "HZ103159,17,false,\"(41.753985135, -87.664263469)\"\n");
    cscc_free(b);
    b = run(&f, SOQL_CSV, &e, "$select=block AS `=cmd()`", "$limit=0", NULL);
    CHECK_STR_EQ(b, "'=cmd()\n");
    cscc_free(b);
    /* GeoJSON: the location is the geometry, the rest properties */
    b = run(&f, SOQL_GEOJSON, &e, "$select=id, location, primary_type",
            "$where=case_number in ('HZ103159', 'HZ108618')", "$order=id", NULL);
    j = b ? json_loads(b, 0, NULL) : NULL;
    CHECK(j != NULL);
    if (j) {
        json_t *fs = json_object_get(j, "features"), *f0 = json_array_get(fs, 0),
               *f1 = json_array_get(fs, 1);

        CHECK_STR_EQ(json_string_value(json_object_get(j, "type")), "FeatureCollection");
        CHECK_INT_EQ(json_array_size(fs), 2);
        CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(f0, "properties"), "id")),
                     "10367002");
        CHECK_NEAR(json_number_value(json_array_get(
                       json_object_get(json_object_get(f0, "geometry"), "coordinates"), 0)),
                   -87.664263469, 1e-12);
        CHECK(json_object_get(json_object_get(f0, "properties"), "location") == NULL);
        CHECK(json_is_null(json_object_get(f1, "geometry")));
    }
    json_decref(j);
    cscc_free(b);
out:
    fx_close(&f);
}

TEST(soql, headers_names_and_order)
{
    struct fx f;
    struct soql_error e;
    struct soql_param ps[3] = {{"$select", "primary_type, count(*), count(ward), "
                                           "date_trunc_ym(date), max(date) AS last"},
                               {"$group", "primary_type, date_trunc_ym(date)"},
                               {"$order", "count DESC, primary_type"}};
    struct soql_query *q;
    char *b;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    q = soql_prepare(f.ds, f.t, ps, 3, SOQL_PUBLIC, NULL, &e);
    CHECK(q != NULL);
    if (q) {
        CHECK_STR_EQ(soql_fields_header(q),
                     "[\"primary_type\",\"count\",\"count_ward\",\"date_trunc_ym_date\",\"last\"]");
        CHECK_STR_EQ(
            soql_types_header(q),
            "[\"text\",\"number\",\"number\",\"floating_timestamp\",\"floating_timestamp\"]");
        soql_query_free(q);
    }
    b = run(&f, SOQL_CSV, &e, "$select=primary_type, count(*)", "$group=primary_type",
            "$order=count DESC, primary_type", "$limit=3", NULL);
    CHECK_STR_EQ(b, "primary_type,count\nBATTERY,442\nTHEFT,355\nCRIMINAL DAMAGE,249\n");
    cscc_free(b);
    /* ordering by an aggregate not selected; $offset on groups */
    b = run(&f, SOQL_CSV, &e, "$select=primary_type", "$group=primary_type", "$order=count(*) DESC",
            "$offset=1", "$limit=2", NULL);
    CHECK_STR_EQ(b, "primary_type\nTHEFT\nCRIMINAL DAMAGE\n");
    cscc_free(b);
    /* NULLs last ascending, first descending */
    b = run(&f, SOQL_CSV, &e, "$select=x_coordinate, count(*)", "$group=x_coordinate",
            "$order=x_coordinate DESC", "$limit=1", NULL);
    CHECK_STR_EQ(b, "x_coordinate,count\n,188\n");
    cscc_free(b);
    b = run(&f, SOQL_CSV, &e, "$select=id", "$order=x_coordinate, id", "$limit=1", NULL);
    CHECK(b && strncmp(b, "id\n", 3) == 0);
    cscc_free(b);
    /* an aggregate of no rows is one row */
    b = run(&f, SOQL_JSON, &e, "$select=count(*), sum(ward)", "$where=ward > 100", NULL);
    CHECK_STR_EQ(b, "[\n{\"count\":\"0\"}\n]\n");
    cscc_free(b);
    b = run(&f, SOQL_JSON, &e, "$where=ward > 100", NULL);
    CHECK_STR_EQ(b, "[]\n");
    cscc_free(b);
out:
    fx_close(&f);
}

TEST(soql, access_and_victims)
{
    struct fx f;
    struct soql_error e;
    const struct soql_dataset *v;
    struct colstore_table *vt = NULL;
    char p[4300];
    struct cscc_err err;
    struct soql_param one = {"$limit", "1"};
    struct soql_param sel[2] = {{"$select", "sex, count(*)"}, {"$group", "sex"}};
    struct soql_param bad[2] = {{"$select", "date, count(*)"}, {"$group", "date"}};
    struct soql_query *q;

    fx_open(&f, test_data("victims/victims.csv"));
    if (!f.ok)
        goto out;
    cscc_err_clear(&err);
    v = soql_catalog_find(f.cat, "gumc-mgzr");
    CHECK(v != NULL);
    if (!v)
        goto out;
    soql_table_path(f.dir, v, p, sizeof(p));
    vt = colstore_open(p, &err);
    CHECK(vt != NULL);
    if (!vt)
        goto out;
    /* public: refused */
    CHECK(soql_prepare(v, vt, &one, 1, SOQL_PUBLIC, NULL, &e) == NULL);
    CHECK_INT_EQ(e.status, 403);
    CHECK_STR_EQ(e.code, "permission_denied");
    /* aggregate: counts only, never rows, never the exact time, no personal columns */
    CHECK(soql_prepare(v, vt, &one, 1, SOQL_AGGREGATE, NULL, &e) == NULL);
    CHECK_INT_EQ(e.status, 403);
    CHECK(soql_prepare(v, vt, bad, 2, SOQL_AGGREGATE, NULL, &e) == NULL);
    CHECK_INT_EQ(e.status, 403);
    {
        struct soql_param blk[2] = {{"$select", "block, count(*)"}, {"$group", "block"}};

        CHECK(soql_prepare(v, vt, blk, 2, SOQL_AGGREGATE, NULL, &e) == NULL);
        CHECK_STR_EQ(e.code, "query.soql.no-such-column");
    }
    q = soql_prepare(v, vt, sel, 2, SOQL_AGGREGATE, NULL, &e);
    CHECK(q != NULL);
    if (q) {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        CHECK_INT_EQ(soql_run(q, SOQL_CSV, &sb, &e), 0);
        CHECK_STR_EQ(sb.buf, "sex,count\nF,13\nM,26\n");
        strbuf_release(&sb);
        soql_query_free(q);
    }
    /* staff: rows, and every column */
    q = soql_prepare(v, vt, &one, 1, SOQL_STAFF, NULL, &e);
    CHECK(q != NULL);
    if (q) {
        CHECK(strstr(soql_fields_header(q), "\"unique_id\"") != NULL);
        soql_query_free(q);
    }
out:
    colstore_close(vt);
    fx_close(&f);
}

TEST(soql, layer_ids_and_publishing)
{
    char a[16], b[16];
    struct fx f;
    struct cscc_err err;

    soql_layer_id("liquor", a);
    soql_layer_id("liquor", b);
    CHECK_STR_EQ(a, b);
    CHECK(soql_is_id(a));
    soql_layer_id("gunshots", b);
    CHECK(strcmp(a, b) != 0);
    CHECK(soql_is_id("ijzp-q8t2"));
    CHECK(!soql_is_id("IJZP-Q8T2"));
    CHECK(!soql_is_id("ijzp-q8t"));
    CHECK(!soql_is_id("ijzpq8t22"));
    CHECK_INT_EQ(soql_format_from_ext("geojson"), SOQL_GEOJSON);
    CHECK_INT_EQ(soql_format_from_ext("xml"), -1);
    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    cscc_err_clear(&err);
    CHECK_INT_EQ(soql_publish_layer(f.dir, f.st, "nosuch", NULL, 1, &err), CSCC_ENOENT);
out:
    fx_close(&f);
}

TEST(soql, error_json)
{
    struct soql_error e;
    struct strbuf sb;

    memset(&e, 0, sizeof(e));
    e.status = 400;
    snprintf(e.code, sizeof(e.code), "query.compiler.malformed");
    snprintf(e.message, sizeof(e.message), "$where: \"x\"");
    snprintf(e.param, sizeof(e.param), "$where");
    e.position = 3;
    strbuf_init(&sb, 0);
    soql_error_json(&e, &sb);
    CHECK_STR_EQ(sb.buf,
                 "{\"code\":\"query.compiler.malformed\",\"error\":true,\"message\":"
                 "\"$where: \\\"x\\\"\",\"data\":{\"parameter\":\"$where\",\"position\":3}}");
    strbuf_release(&sb);
}

/* The error of a query, as the JSON body a client gets; NULL if it ran. */
static json_t *error_body(struct fx *f, struct soql_error *e, ...)
{
    va_list ap;
    char *body;
    struct strbuf sb;
    json_t *j;
    json_error_t je;

    memset(e, 0, sizeof(*e));
    va_start(ap, e);
    body = vrun(f, NULL, NULL, SOQL_PUBLIC, SOQL_JSON, e, ap);
    va_end(ap);
    if (body) {
        cscc_free(body);
        return NULL;
    }
    strbuf_init(&sb, 0);
    soql_error_json(e, &sb);
    /* jansson refuses text that is not UTF-8 */
    j = json_loadb(sb.buf, sb.len, 0, &je);
    if (!j)
        test_note("not JSON (%s): %s", je.text, sb.buf);
    strbuf_release(&sb);
    return j;
}

static void expect_message(json_t *j, const char *part)
{
    const char *m = json_string_value(json_object_get(j, "message"));

    CHECK(m != NULL);
    if (m && !strstr(m, part))
        test_fail(__FILE__, __LINE__, "message \"%s\" lacks \"%s\"", m, part);
}

TEST(soql, utf8_in_errors)
{
    struct fx f;
    struct soql_error e;
    json_t *j;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    /* a character outside the language is quoted whole */
    j = error_body(&f, &e, "$where=\xc3\xa9 = 1", NULL);
    CHECK(j != NULL);
    expect_message(j, "position 1: expected a column, a value or a function, found '\xc3\xa9'");
    json_decref(j);
    j = error_body(&f, &e, "$where=ward = \xe4\xb8\xad", NULL);
    CHECK(j != NULL);
    expect_message(j, "found '\xe4\xb8\xad'");
    json_decref(j);
    j = error_body(&f, &e,
                   "$where=ward =\xc2\xa0"
                   "1",
                   NULL);
    CHECK(j != NULL);
    expect_message(j, "position 7: expected a column, a value or a function, found '\xc2\xa0'");
    json_decref(j);
    /* text cut at 40 bytes is cut between characters */
    j = error_body(&f, &e, "$where=ward = 1 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xe4\xb8\xad'",
                   NULL);
    CHECK(j != NULL);
    expect_message(j, "found ''aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
    json_decref(j);
    /* bytes that are not UTF-8: named, in a message that stays UTF-8 */
    j = error_body(&f, &e, "$where=\xff=1", NULL);
    CHECK(j != NULL);
    expect_message(j, "$where: byte 0xFF at position 1 is not UTF-8");
    CHECK_INT_EQ(e.position, 1);
    json_decref(j);
    j = error_body(&f, &e, "$where=block = 'ab\xc3'", NULL);
    CHECK(j != NULL);
    expect_message(j, "byte 0xC3 at position 12 is not UTF-8");
    json_decref(j);
    j = error_body(&f, &e, "\xff=1", NULL);
    CHECK(j != NULL);
    expect_message(j, "a parameter name holds byte 0xFF, which is not UTF-8");
    CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(j, "data"), "parameter")),
                 "\\xFF");
    json_decref(j);
    /* a column name in backquotes is quoted back whole */
    j = error_body(&f, &e, "$where=`w\xc3\xa9` = 1", NULL);
    CHECK(j != NULL);
    expect_message(j, "no such column 'w\xc3\xa9'");
    json_decref(j);
out:
    fx_close(&f);
}

/* Checks that JSON answers a and b hold the same rows (at least min) in
 * the same order, b's column kb named ka in a, and the same counts. */
static void expect_renamed(const char *a, const char *b, const char *ka, const char *kb, size_t min)
{
    json_t *ja = a ? json_loads(a, 0, NULL) : NULL, *jb = b ? json_loads(b, 0, NULL) : NULL;
    size_t i;

    CHECK(ja != NULL && jb != NULL);
    CHECK(json_array_size(ja) >= min);
    CHECK_INT_EQ(json_array_size(ja), json_array_size(jb));
    for (i = 0; i < json_array_size(jb); i++) {
        json_t *ra = json_array_get(ja, i), *rb = json_array_get(jb, i);

        CHECK(json_equal(json_object_get(ra, ka), json_object_get(rb, kb)));
        CHECK(json_equal(json_object_get(ra, "count"), json_object_get(rb, "count")));
        CHECK(json_object_get(ra, kb) == NULL);
        CHECK_INT_EQ(json_object_size(ra), json_object_size(rb));
    }
    json_decref(ja);
    json_decref(jb);
}

TEST(soql, group_by_alias)
{
    struct fx f;
    struct soql_error e;
    char *a, *b;

    fx_open(&f, NULL);
    if (!f.ok)
        goto out;
    /* the same groups as without the alias, the column renamed */
    a = run(&f, SOQL_JSON, &e, "$select=ward as w,count(*)", "$group=w", NULL);
    if (!a)
        test_note("query failed: %s", e.message);
    b = run(&f, SOQL_JSON, &e, "$select=ward,count(*)", "$group=ward", NULL);
    expect_renamed(a, b, "w", "ward", 10);
    cscc_free(a);
    cscc_free(b);
    /* an alias of a text column, and ordering by it */
    a = run(&f, SOQL_JSON, &e, "$select=primary_type as t,count(*)", "$group=t", "$order=t DESC",
            NULL);
    b = run(&f, SOQL_JSON, &e, "$select=primary_type,count(*)", "$group=primary_type",
            "$order=primary_type DESC", NULL);
    expect_renamed(a, b, "t", "primary_type", 5);
    cscc_free(a);
    cscc_free(b);
    /* a column's own name wins over an alias: ward as beat groups by beat */
    expect_error(&f, 400, "query.soql.column-not-in-group-bys", "$select", 1,
                 "'beat' must be in $group", "$select=ward as beat,count(*)", "$group=beat", NULL);
out:
    fx_close(&f);
}
