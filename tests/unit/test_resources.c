/* test_resources.c - the capacity gap index (pure), amounts, and the
 * all-or-nothing CSV import of funding allocations. */
#include "test.h"

#include "ingest/ingest.h"
#include "resources/resources.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct res_gap_area area(int n, double pop, double serious, double cap0, double cap1)
{
    struct res_gap_area a;

    memset(&a, 0, sizeof(a));
    a.area = n;
    a.population = pop;
    a.serious = serious;
    a.capacity[0] = cap0;
    a.capacity[1] = cap1;
    a.orgs[0] = cap0 > 0;
    a.orgs[1] = cap1 > 0;
    return a;
}

TEST(resources, gap_index_components_and_order)
{
    /* burden per 100k a year (2 years): 1: 100, 2: 50, 3: 100, 4: 0 */
    struct res_gap_area in[] = {
        area(1, 100000, 200, 0, 50),  /* high burden, no healthcare capacity */
        area(2, 200000, 200, 100, 0), /* half burden, the most healthcare capacity */
        area(3, 50000, 100, 25, 0),   /* high burden, healthcare 50/100k */
        area(4, 100000, 0, 0, 0),     /* no burden */
        area(5, 0, 10, 10, 10),       /* no population: left out */
    };
    struct res_gap_row rows[5 * 11];
    size_t n = res_gap_index(in, 5, 2.0, 1u << 0, rows);

    CHECK_INT_EQ(n, 4);
    /* capacity per 100k (healthcare): 1: 0, 2: 50, 3: 50, 4: 0; highest 50 */
    CHECK_INT_EQ(rows[0].area, 1);
    CHECK_NEAR(rows[0].burden_per_100k, 100, 1e-9);
    CHECK_NEAR(rows[0].burden_score, 1, 1e-12);
    CHECK_NEAR(rows[0].capacity_score, 0, 1e-12);
    CHECK_NEAR(rows[0].index, 1, 1e-12);
    CHECK_INT_EQ(rows[0].rank, 1);
    /* area 3: 1 x (1 - 1) = 0; area 2: 0.5 x (1 - 1) = 0; area 4: 0 x (1 - 0) = 0:
     * ties broken by burden (3, then 2), then 4 */
    CHECK_INT_EQ(rows[1].area, 3);
    CHECK_NEAR(rows[1].capacity_per_100k, 50, 1e-9);
    CHECK_NEAR(rows[1].index, 0, 1e-12);
    CHECK_INT_EQ(rows[2].area, 2);
    CHECK_NEAR(rows[2].burden_score, 0.5, 1e-12);
    CHECK_INT_EQ(rows[3].area, 4);
    CHECK_INT_EQ(rows[3].rank, 4);
    CHECK_INT_EQ(rows[0].sector, 0);
}

TEST(resources, gap_index_sectors_total_and_empty)
{
    struct res_gap_area in[] = {
        area(1, 100000, 10, 10, 30),
        area(2, 100000, 20, 0, 0),
    };
    struct res_gap_row rows[2 * 11];
    size_t n, i;

    /* both sectors and the total: 6 rows; area 2 (highest burden, no capacity) first */
    n = res_gap_index(in, 2, 1.0, (1u << 0) | (1u << 1) | RES_GAP_TOTAL, rows);
    CHECK_INT_EQ(n, 6);
    for (i = 0; i < 3; i++) {
        CHECK_INT_EQ(rows[i].area, 2);
        CHECK_NEAR(rows[i].index, 1, 1e-12);
    }
    CHECK_INT_EQ(rows[0].sector, -1); /* ties by sector, the total (-1) first */
    for (i = 3; i < 6; i++) {
        CHECK_INT_EQ(rows[i].area, 1);
        CHECK_NEAR(rows[i].burden_score, 0.5, 1e-12);
        CHECK_NEAR(rows[i].index, 0, 1e-12); /* it has the highest capacity of each */
    }
    for (i = 0; i < n; i++)
        if (rows[i].sector == -1 && rows[i].area == 1)
            CHECK_NEAR(rows[i].capacity, 40, 1e-12);
    /* no burden anywhere, no capacity anywhere: every index 0, no division by zero */
    in[0].serious = in[1].serious = 0;
    memset(in[0].capacity, 0, sizeof(in[0].capacity));
    n = res_gap_index(in, 2, 1.0, 1u << 3, rows);
    CHECK_INT_EQ(n, 2);
    CHECK(rows[0].index == 0 && rows[1].index == 0 && !isnan(rows[0].capacity_score));
    CHECK_INT_EQ(rows[0].area, 1);
}

TEST(resources, amounts)
{
    int64_t c = -1;
    char buf[32];

    CHECK(!res_parse_amount("1234.56", &c) && c == 123456);
    CHECK(!res_parse_amount("$1,234.5", &c) && c == 123450);
    CHECK(!res_parse_amount("7", &c) && c == 700);
    CHECK(res_parse_amount("1.234", &c));
    CHECK(res_parse_amount("-5", &c));
    CHECK(res_parse_amount("", &c));
    CHECK(res_parse_amount("12.", &c));
    CHECK(res_parse_amount("99999999999999999999", &c));
    res_format_amount(123405, buf, sizeof(buf));
    CHECK_STR_EQ(buf, "1234.05");
    CHECK_INT_EQ(res_strategy_index("Violence-Interruption"), 3);
    CHECK_INT_EQ(res_strategy_index("policing"), -1);
}

static int count_cb(void *arg, const struct store_row *r)
{
    *(int64_t *)arg = store_row_int(r, 0);
    return 0;
}

static int64_t count(struct store *st, const char *sql)
{
    struct cscc_err err;
    int64_t n = -1;

    cscc_err_clear(&err);
    if (store_exec(st, "count", sql, NULL, 0, count_cb, &n, &err))
        return -1;
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(resources, import_all_or_nothing)
{
    struct access_actor who;
    struct store *st;
    struct cscc_err err;
    char db[4096], a[4096], s[4096];
    size_t na = 0, ns = 0;

    cscc_err_clear(&err);
    snprintf(db, sizeof(db), "%s/cscc.db", test_tmpdir());
    snprintf(a, sizeof(a), "%s/a.csv", test_tmpdir());
    snprintf(s, sizeof(s), "%s/s.csv", test_tmpdir());
    st = store_open(db, &err);
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK_INT_EQ(ingest_reference(st, TEST_SOURCE_DIR "/data/reference", NULL, &err), 0);
    memset(&who, 0, sizeof(who));
    snprintf(who.name, sizeof(who.name), "tester");
    write_file(a, "ref,source,department,program,strategy,amount,start,end,areas\n"
                  "A1,Fund,Dept,P,employment,10.00,2021-01-01,2021-12-31,25;29\n"
                  "A2,Fund,Dept,P,education_youth,5,2021-01-01,2021-06-30,\n");
    write_file(s, "ref,day,amount\nA1,2021-02-01,1.00\nA2,2021-02-01,-1\n");
    /* bad spending: neither file's rows are kept, the failure is audited */
    CHECK(res_import(st, &who, a, s, &na, &ns, &err) == CSCC_EDATA);
    CHECK(strstr(err.msg, "s.csv: row 3, column 3 (amount)") != NULL);
    CHECK_INT_EQ(err.row, 3);
    CHECK_INT_EQ(err.column, 3);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM res_allocations"), 0);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM res_allocation_areas"), 0);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM res_spending"), 0);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM audit_log WHERE action = 'funding.import' AND "
                           "outcome = 'failed' AND actor = 'tester'"),
                 1);
    /* good: everything */
    write_file(s, "ref,day,amount,note\nA1,2021-02-01,1.00,x\nA2,2021-02-01,2.50,\n");
    cscc_err_clear(&err);
    CHECK_INT_EQ(res_import(st, &who, a, s, &na, &ns, &err), 0);
    CHECK_INT_EQ(na, 2);
    CHECK_INT_EQ(ns, 2);
    CHECK_INT_EQ(count(st, "SELECT SUM(amount_cents) FROM res_allocations"), 1500);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM res_allocation_areas"), 2);
    CHECK_INT_EQ(count(st, "SELECT SUM(amount_cents) FROM res_spending"), 350);
    /* again: the refs are taken, nothing more is stored */
    CHECK(res_import(st, &who, a, NULL, &na, &ns, &err) == CSCC_EDATA);
    CHECK(strstr(err.msg, "row 2, column 1 (ref)") != NULL);
    CHECK_INT_EQ(count(st, "SELECT COUNT(*) FROM res_allocations"), 2);
    store_close(st);
}

/* ---- the API's edits, through the handlers with a signed-in user ---- */

#include "http/http_int.h"

#include <pthread.h>

struct api_env {
    struct http_options opts;
    struct http_server srv;
    struct store *st;
};

static int api_open(struct api_env *e)
{
    struct cscc_err err;

    memset(e, 0, sizeof(*e));
    cscc_err_clear(&err);
    http_limits_default(&e->opts.limits);
    e->srv.opts = &e->opts;
    pthread_mutex_init(&e->srv.stores.lock, NULL);
    snprintf(e->srv.stores.path, sizeof(e->srv.stores.path), "%s/api.db", test_tmpdir());
    if (!(e->st = store_open(e->srv.stores.path, &err)) ||
        ingest_reference(e->st, TEST_SOURCE_DIR "/data/reference", NULL, &err)) {
        test_fail(__FILE__, __LINE__, "setting up the store: %s", err.msg);
        return -1;
    }
    return 0;
}

static void api_close(struct api_env *e)
{
    while (e->srv.stores.nfree)
        store_close(e->srv.stores.free[--e->srv.stores.nfree]);
    store_close(e->st);
    pthread_mutex_destroy(&e->srv.stores.lock);
}

/* Runs handler h as role on path capture cap with body; returns the status, out in *out. */
static int api_call(struct api_env *e, int (*h)(struct http_req *), enum http_role role,
                    const char *cap, const char *body, struct strbuf *out)
{
    struct http_req r;
    int status;

    memset(&r, 0, sizeof(r));
    r.method = HTTP_POST;
    r.srv = &e->srv;
    r.who.role = role;
    snprintf(r.who.user, sizeof(r.who.user), "carla");
    snprintf(r.cap[0], sizeof(r.cap[0]), "%s", cap);
    r.body = body;
    r.body_len = strlen(body);
    http_params_init(&r.params, 64);
    strbuf_init(&r.out, 0);
    strbuf_init(&r.headers, 0);
    status = h(&r);
    strbuf_reset(out);
    strbuf_add(out, r.out.buf ? r.out.buf : "", r.out.len);
    http_params_release(&r.params);
    strbuf_release(&r.out);
    strbuf_release(&r.headers);
    return status;
}

TEST(resources, api_edits_by_role_audited)
{
    static const char alloc[] =
        "{\"ref\":\"API-1\",\"source\":\"Corporate Fund\",\"department\":\"Public Health\","
        "\"program\":\"Healing Hubs\",\"strategy\":\"health_wellness\",\"amount\":\"2500.75\","
        "\"start\":\"2021-01-01\",\"end\":\"2021-12-31\",\"areas\":[25,29]}";
    struct api_env e;
    struct strbuf out;

    if (api_open(&e))
        return;
    strbuf_init(&out, 0);
    /* an analyst passes the route's least role (coordinator) but may not edit */
    CHECK_INT_EQ(api_call(&e, http_h_funding_add, HTTP_ROLE_ANALYST, "", alloc, &out), 403);
    CHECK_INT_EQ(count(e.st, "SELECT COUNT(*) FROM res_allocations"), 0);
    CHECK_INT_EQ(api_call(&e, http_h_funding_add, HTTP_ROLE_COORDINATOR, "", alloc, &out), 201);
    CHECK(strstr(out.buf, "\"ref\":\"API-1\"") != NULL);
    CHECK(strstr(out.buf, "\"areas\":[25,29]") != NULL);
    CHECK_INT_EQ(count(e.st, "SELECT amount_cents FROM res_allocations WHERE ref = 'API-1'"),
                 250075);
    /* a bad field is a 400 naming it, nothing stored */
    CHECK_INT_EQ(api_call(&e, http_h_funding_add, HTTP_ROLE_ADMIN, "",
                          "{\"ref\":\"API-2\",\"source\":\"s\",\"department\":\"d\","
                          "\"program\":\"p\",\"strategy\":\"policing\",\"amount\":\"1\","
                          "\"start\":\"2021-01-01\",\"end\":\"2021-12-31\"}",
                          &out),
                 400);
    CHECK(strstr(out.buf, "\"field\":\"strategy\"") != NULL);
    CHECK_INT_EQ(api_call(&e, http_h_funding_add, HTTP_ROLE_ADMIN, "", "{\"ref\":[{}]}", &out),
                 400);
    CHECK_INT_EQ(count(e.st, "SELECT COUNT(*) FROM res_allocations"), 1);
    /* spending */
    CHECK_INT_EQ(api_call(&e, http_h_funding_spend, HTTP_ROLE_COORDINATOR, "1",
                          "{\"amount\":\"100.25\",\"day\":\"2021-03-01\",\"note\":\"invoice\"}",
                          &out),
                 201);
    CHECK_INT_EQ(api_call(&e, http_h_funding_spend, HTTP_ROLE_COORDINATOR, "7",
                          "{\"amount\":\"1\",\"day\":\"2021-03-01\"}", &out),
                 404);
    CHECK_INT_EQ(count(e.st, "SELECT SUM(amount_cents) FROM res_spending"), 10025);
    CHECK_INT_EQ(count(e.st, "SELECT COUNT(*) FROM audit_log WHERE actor = 'carla' AND "
                             "action IN ('funding.add', 'funding.spend')"),
                 2);
    strbuf_release(&out);
    api_close(&e);
}
