/* test_coord.c - coord: who may do what, the state machine, addresses and
 * the gazetteer, the kernel density and priority, intake with duplicates
 * and routing, work orders, escalation, the outbox, metrics, partners and
 * coverage, rate limits, durability on a full disk. */
#include "test.h"

#include "colstore/colstore.h"
#include "coord/catalog.h"
#include "coord/coord.h"
#include "coord/needs.h"
#include "coord/partners.h"
#include "coord/workorders.h"
#include "core/alloc.h"
#include "core/time.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Fixture: a store with the real reference data, the shipped catalogue,     */
/* and a small crimes table whose points are known                          */
/* ------------------------------------------------------------------------ */

static const struct coord_actor ADMIN = {COORD_ROLE_ADMIN, 0, NULL, "admin1"};
static const struct coord_actor COORDINATOR = {COORD_ROLE_COORDINATOR, 0, NULL, "coord1"};
static const struct coord_actor ANON = {COORD_ROLE_PUBLIC, 0, NULL, NULL};
static const struct coord_actor DSS = {COORD_ROLE_DEPARTMENT, 0, "DSS", "dss1"};
static const struct coord_actor CDOT = {COORD_ROLE_DEPARTMENT, 0, "CDOT", "cdot1"};
static const struct coord_actor ANALYST = {COORD_ROLE_ANALYST, 0, NULL, "an1"};

/* Points of known community areas. */
#define AUSTIN_LAT 41.8940
#define AUSTIN_LON (-87.7650)
#define LOOP_LAT   41.8810
#define LOOP_LON   (-87.6298)

struct crow {
    int y, m, d, hour;
    const char *block;
    const char *fbi;
    double lat, lon;
};

/* Violent incidents around Austin's point, others elsewhere; sorted by time. */
static const struct crow crows[] = {
    {2025, 1, 5, 10, "043XX W MADISON ST", "04B", 41.8810, -87.7360}, /* too old for the window */
    {2025, 12, 1, 10, "054XX W MADISON ST", "04B", 41.8940, -87.7650},
    {2025, 12, 2, 11, "054XX W MADISON ST", "03", 41.8941, -87.7652},
    {2025, 12, 3, 12, "054XX W MADISON ST", "08B", 41.8942, -87.7651}, /* not violent */
    {2026, 1, 10, 12, "054XX W MADISON ST", "01A", 41.8950, -87.7660},
    {2026, 1, 11, 12, "056XX W MADISON ST", "02", 41.8945, -87.7700},
    {2026, 1, 12, 12, "052XX W MADISON ST", "04A", 41.8900, -87.7600},
    {2026, 2, 1, 9, "0000X W WASHINGTON ST", "06", 41.8832, -87.6290},
    {2026, 2, 2, 9, "0000X W WASHINGTON ST", "06", 41.8834, -87.6292},
    {2026, 2, 3, 9, "0000X W WASHINGTON ST", "06", 41.8836, -87.6288},
    {2026, 2, 27, 9, "0000X W WASHINGTON ST", "05", 41.8838, -87.6294},
};
#define NCROWS (sizeof(crows) / sizeof(crows[0]))

static void write_crimes(const char *path)
{
    static int64_t date[NCROWS];
    static uint32_t blk[NCROWS], fbi[NCROWS];
    static double lat[NCROWS], lon[NCROWS];
    struct colstore_dict *db = colstore_dict_new(0), *df = colstore_dict_new(0);
    struct colstore_seg sd = {date, NULL, 0, NULL, 0}, sb = {blk, NULL, 4, NULL, 0},
                        sf = {fbi, NULL, 4, NULL, 0}, sla = {lat, NULL, 0, NULL, 0},
                        slo = {lon, NULL, 0, NULL, 0};
    struct colstore_wcol cols[5] = {
        {"date", COLSTORE_I64, NULL, &sd},       {"block", COLSTORE_DICT, db, &sb},
        {"fbi_code", COLSTORE_DICT, df, &sf},    {"latitude", COLSTORE_F64, NULL, &sla},
        {"longitude", COLSTORE_F64, NULL, &slo},
    };
    const uint32_t *pos[1] = {NULL};
    size_t rows[1] = {NCROWS}, i;
    struct colstore_order ord = {pos, rows, NULL};
    struct colstore_wopts o;
    struct cscc_err err;

    for (i = 0; i < NCROWS; i++) {
        date[i] =
            cscc_days_from_civil(crows[i].y, (unsigned)crows[i].m, (unsigned)crows[i].d) * 86400 +
            crows[i].hour * 3600;
        blk[i] = (uint32_t)colstore_dict_intern(db, crows[i].block, strlen(crows[i].block));
        fbi[i] = (uint32_t)colstore_dict_intern(df, crows[i].fbi, strlen(crows[i].fbi));
        lat[i] = crows[i].lat;
        lon[i] = crows[i].lon;
    }
    memset(&o, 0, sizeof(o));
    o.generation = 7;
    o.sort_col = 0;
    o.threads = 1;
    cscc_err_clear(&err);
    if (colstore_write(path, cols, 5, 1, &ord, NCROWS, &o, &err))
        test_fail(__FILE__, __LINE__, "colstore_write: %s", err.msg);
    colstore_dict_free(db);
    colstore_dict_free(df);
}

struct env {
    char db[4096];
    struct store *st;
    struct colstore_table *t;
    struct coord *c;
};

/* 2026-03-02 (a Monday) 15:00 UTC, 09:00 in Chicago. */
static int64_t t0(void)
{
    return cscc_days_from_civil(2026, 3, 2) * 86400 + 15 * 3600;
}

static int env_open(struct env *e, int with_crimes)
{
    struct coord_opts o = {0};
    struct cscc_err err;
    char path[4096];

    setenv("TZ", "America/Chicago", 1);
    tzset();
    memset(e, 0, sizeof(*e));
    cscc_err_clear(&err);
    snprintf(e->db, sizeof(e->db), "%s/cscc.db", test_tmpdir());
    if (!(e->st = store_open(e->db, &err)) ||
        ingest_reference(e->st, TEST_SOURCE_DIR "/data/reference", NULL, &err)) {
        test_fail(__FILE__, __LINE__, "setting up the store: %s", err.msg);
        return -1;
    }
    if (with_crimes) {
        snprintf(path, sizeof(path), "%s/crimes.cst", test_tmpdir());
        write_crimes(path);
        if (!(e->t = colstore_open(path, &err))) {
            test_fail(__FILE__, __LINE__, "colstore_open: %s", err.msg);
            return -1;
        }
    }
    o.st = e->st;
    o.crimes = e->t;
    if (!(e->c = coord_open(&o, &err))) {
        test_fail(__FILE__, __LINE__, "coord_open: %s", err.msg);
        return -1;
    }
    coord_set_now(e->c, t0());
    if (coord_catalog_load_file(e->c, &ADMIN, TEST_SOURCE_DIR "/data/reference/services.json", 0,
                                NULL, &err)) {
        test_fail(__FILE__, __LINE__, "loading the catalogue: %s (%s)", err.msg, err.field);
        return -1;
    }
    return 0;
}

static void env_close(struct env *e)
{
    coord_close(e->c);
    colstore_close(e->t);
    store_close(e->st);
}

static int count_cb(void *arg, const struct store_row *r)
{
    *(int64_t *)arg = store_row_int(r, 0);
    return 0;
}

static int64_t count(struct env *e, const char *sql)
{
    struct cscc_err err;
    int64_t n = -1;

    cscc_err_clear(&err);
    if (store_exec(e->st, "count", sql, NULL, 0, count_cb, &n, &err))
        test_fail(__FILE__, __LINE__, "%s: %s", sql, err.msg);
    return n;
}

static struct coord_need_req point_req(const char *service, double lat, double lon)
{
    struct coord_need_req r;

    memset(&r, 0, sizeof(r));
    r.service_code = service;
    r.has_point = 1;
    r.lat = lat;
    r.lon = lon;
    r.source = "test";
    return r;
}

static const struct coord_answer light_ans[] = {{"light_type", "STREET"}};
static const struct coord_answer graffiti_ans[] = {{"surface", "BRICK"}};

/* Adds a street-light need at a point; returns its id (0 on failure). */
static int64_t add_light(struct env *e, const struct coord_actor *a, double lat, double lon,
                         struct coord_need_ack *ack)
{
    struct coord_need_req r = point_req("streetlight_out", lat, lon);
    struct coord_need_ack local;
    struct cscc_err err;

    r.answers = light_ans;
    r.nanswers = 1;
    cscc_err_clear(&err);
    if (!ack)
        ack = &local;
    if (coord_need_add(e->c, a, &r, ack, &err)) {
        test_fail(__FILE__, __LINE__, "coord_need_add: %s (field %s)", err.msg, err.field);
        return 0;
    }
    return ack->id;
}

/* ------------------------------------------------------------------------ */
/* Who may do what                                                           */
/* ------------------------------------------------------------------------ */

TEST(coord, policy_by_role)
{
    struct coord_actor partner = {COORD_ROLE_PARTNER, 5, NULL, "p1"};
    struct coord_actor newpartner = {COORD_ROLE_PARTNER, 0, NULL, "p2"};
    struct coord_object own = {5, NULL}, other = {6, NULL};
    struct coord_object dss = {0, "DSS"}, cdot = {0, "CDOT"};
    struct cscc_err err;

    cscc_err_clear(&err);
    CHECK(coord_may(&ANON, COORD_NEED_CREATE, NULL));
    CHECK(coord_may(&ANON, COORD_METRICS, NULL));
    CHECK(!coord_may(&ANON, COORD_WO_VIEW, NULL));
    CHECK(!coord_may(&ANON, COORD_ORG_CREATE, NULL));
    CHECK(!coord_may(&ANON, COORD_EVENT_VIEW, NULL));
    CHECK(coord_may(&newpartner, COORD_ORG_CREATE, NULL));
    CHECK(!coord_may(&partner, COORD_ORG_CREATE, NULL));
    CHECK(coord_may(&partner, COORD_ORG_EDIT, &own));
    CHECK(!coord_may(&partner, COORD_ORG_EDIT, &other));
    CHECK(!coord_may(&newpartner, COORD_ORG_EDIT, &own));
    CHECK(coord_may(&partner, COORD_ORG_VIEW_PRIVATE, &own));
    CHECK(!coord_may(&partner, COORD_ORG_VIEW_PRIVATE, &other));
    CHECK(!coord_may(&partner, COORD_ORG_VERIFY, &own));
    CHECK(coord_may(&COORDINATOR, COORD_ORG_VERIFY, &own));
    CHECK(coord_may(&DSS, COORD_WO_VIEW, &dss));
    CHECK(!coord_may(&DSS, COORD_WO_VIEW, &cdot));
    CHECK(coord_may(&ANALYST, COORD_WO_VIEW, &cdot));
    CHECK(!coord_may(&ANALYST, COORD_WO_ASSIGN, NULL));
    CHECK(!coord_may(&DSS, COORD_CATALOG_EDIT, NULL));
    CHECK(coord_may(&COORDINATOR, COORD_CATALOG_EDIT, NULL));
    CHECK(!coord_may(&COORDINATOR, COORD_SETTINGS, NULL));
    CHECK(coord_may(&ADMIN, COORD_SETTINGS, NULL));
    CHECK(!coord_may(NULL, COORD_NEED_CREATE, NULL));
    CHECK_INT_EQ(coord_require(&DSS, COORD_CATALOG_EDIT, NULL, &err), CSCC_EPERM);
    CHECK(strstr(err.msg, "coordinator, admin") != NULL);
    CHECK_INT_EQ(coord_require(&partner, COORD_ORG_EDIT, &other, &err), CSCC_EPERM);
    CHECK(strstr(err.msg, "its own organization") != NULL);
    CHECK_INT_EQ(coord_role_by_name("coordinator"), COORD_ROLE_COORDINATOR);
    CHECK_INT_EQ(coord_role_by_name("nobody"), -1);
}

TEST(coord, state_machine)
{
    struct cscc_err err;
    size_t n, i;
    const struct coord_transition *t = coord_transitions(&n);

    cscc_err_clear(&err);
    CHECK(n >= 10);
    /* The final states go nowhere. */
    for (i = 0; i < n; i++) {
        CHECK(t[i].from != COORD_CLOSED);
        CHECK(t[i].from != COORD_DUPLICATE);
    }
    CHECK_INT_EQ(coord_check_move(&DSS, "DSS", COORD_NEW, COORD_ACKNOWLEDGED, &err), 0);
    CHECK_INT_EQ(coord_check_move(&DSS, "CDOT", COORD_NEW, COORD_ACKNOWLEDGED, &err), CSCC_EPERM);
    CHECK_STR_EQ(err.field, "state");
    CHECK_INT_EQ(coord_check_move(&DSS, "DSS", COORD_RESOLVED, COORD_CLOSED, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_check_move(&COORDINATOR, "DSS", COORD_RESOLVED, COORD_CLOSED, &err), 0);
    CHECK_INT_EQ(coord_check_move(&ADMIN, "DSS", COORD_CLOSED, COORD_NEW, &err), CSCC_EINVAL);
    CHECK(strstr(err.msg, "final") != NULL);
    CHECK_INT_EQ(coord_check_move(&ADMIN, "DSS", COORD_NEW, COORD_CLOSED, &err), CSCC_EINVAL);
    CHECK(strstr(err.msg, "acknowledged") != NULL);
    CHECK_INT_EQ(coord_check_move(&ANALYST, "DSS", COORD_NEW, COORD_ACKNOWLEDGED, &err),
                 CSCC_EPERM);
    CHECK_INT_EQ(coord_check_move(&ANON, "DSS", COORD_NEW, COORD_ACKNOWLEDGED, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_check_move(&DSS, "DSS", COORD_NEW, COORD_DUPLICATE, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_state_by_name("in-progress"), COORD_IN_PROGRESS);
    CHECK_INT_EQ(coord_state_by_name("done"), -1);
    CHECK(coord_state_is_open(COORD_IN_PROGRESS));
    CHECK(!coord_state_is_open(COORD_RESOLVED));
}

/* ------------------------------------------------------------------------ */
/* Pure helpers                                                              */
/* ------------------------------------------------------------------------ */

TEST(coord, block_addresses)
{
    static const struct {
        const char *in, *out;
        int hundred;
    } ok[] = {
        {"4312 w. Madison Street", "043XX W MADISON ST", 43},
        {"043XX W MADISON ST", "043XX W MADISON ST", 43},
        {"43xx West Madison Avenue", "043XX W MADISON AVE", 43},
        {"  12   n  State  st ", "000XX N STATE ST", 0},
        {"0000X W TERMINAL ST", "000XX W TERMINAL ST", 0},
        {"1234 W 63rd Street, Chicago, IL 60636", "012XX W 63RD ST", 12},
        {"10432 S Michigan Ave Apt 2", "104XX S MICHIGAN AVE", 104},
        {"5500 W Madison St #3", "055XX W MADISON ST", 55},
        {"4300-4310 W Madison St", "043XX W MADISON ST", 43},
        {"1200 S Broadway", "012XX S BROADWAY", 12},
        {"4300 Madison", "043XX MADISON", 43},
    };
    static const char *const bad[] = {"",     "Madison St",      "W Madison St 4300",
                                      "4300", "99999999 W X ST", "430a0 W Madison"};
    char out[COORD_BLOCK_MAX], street[COORD_BLOCK_MAX];
    struct cscc_err err;
    size_t i;
    int h;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        cscc_err_clear(&err);
        h = -1;
        CHECK_INT_EQ(
            coord_block_normalize(ok[i].in, out, sizeof(out), &h, street, sizeof(street), &err), 0);
        CHECK_STR_EQ(out, ok[i].out);
        CHECK_INT_EQ(h, ok[i].hundred);
        CHECK_STR_EQ(street, ok[i].out + 6);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cscc_err_clear(&err);
        CHECK_INT_EQ(coord_block_normalize(bad[i], out, sizeof(out), &h, NULL, 0, &err),
                     CSCC_EINVAL);
        CHECK_STR_EQ(err.field, "address_string");
    }
}

TEST(coord, deadlines_days_hours_routes)
{
    struct coord_route r;
    char buf[16];
    unsigned days;
    int h, a, b;

    CHECK_INT_EQ(coord_parse_deadline("48h", &h), 0);
    CHECK_INT_EQ(h, 48);
    CHECK_INT_EQ(coord_parse_deadline("3d", &h), 0);
    CHECK_INT_EQ(h, 72);
    CHECK_INT_EQ(coord_parse_deadline("5", &h), 0);
    CHECK_INT_EQ(h, 5);
    CHECK_INT_EQ(coord_parse_deadline("0h", &h), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_deadline("366d", &h), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_deadline("-1d", &h), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_deadline("2w", &h), CSCC_EINVAL);
    coord_format_deadline(72, buf, sizeof(buf));
    CHECK_STR_EQ(buf, "3d");
    coord_format_deadline(36, buf, sizeof(buf));
    CHECK_STR_EQ(buf, "36h");
    CHECK_INT_EQ(coord_parse_days("mon-fri", &days), 0);
    CHECK_INT_EQ(days, 0x3e);
    CHECK_INT_EQ(coord_parse_days("sat,sun", &days), 0);
    CHECK_INT_EQ(days, 0x41);
    CHECK_INT_EQ(coord_parse_days("fri-mon", &days), 0);
    CHECK_INT_EQ(days, 0x63);
    CHECK_INT_EQ(coord_parse_days("all", &days), 0);
    CHECK_INT_EQ(days, 0x7f);
    CHECK_INT_EQ(coord_parse_days("monday,Wednesday", &days), 0);
    CHECK_INT_EQ(days, 0x0a);
    CHECK_INT_EQ(coord_parse_days("funday", &days), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_days("mon,", &days), 0);
    CHECK_INT_EQ(coord_parse_hours("08:00-17:30", &a, &b), 0);
    CHECK_INT_EQ(a, 480);
    CHECK_INT_EQ(b, 1050);
    CHECK_INT_EQ(coord_parse_hours("22:00-06:00", &a, &b), 0);
    CHECK_INT_EQ(coord_parse_hours("00:00-24:00", &a, &b), 0);
    CHECK_INT_EQ(b, 1440);
    CHECK_INT_EQ(coord_parse_hours("8-17", &a, &b), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_hours("10:00-10:00", &a, &b), CSCC_EINVAL);
    CHECK_INT_EQ(coord_parse_hours("10:60-11:00", &a, &b), CSCC_EINVAL);

    memset(&r, 0, sizeof(r));
    r.service = "graffiti";
    r.days = 0x41; /* weekends */
    r.minute_from = 22 * 60;
    r.minute_to = 6 * 60; /* nights */
    r.department = "CSCC";
    CHECK(coord_route_matches(&r, "graffiti", 25, 1, 0, 23 * 60));
    CHECK(coord_route_matches(&r, "graffiti", 25, 1, 6, 5 * 60));
    CHECK(!coord_route_matches(&r, "graffiti", 25, 1, 6, 6 * 60));
    CHECK(!coord_route_matches(&r, "graffiti", 25, 1, 1, 23 * 60));
    CHECK(!coord_route_matches(&r, "vacant_lot", 25, 1, 0, 23 * 60));
    r.service = NULL;
    r.priority_only = 1;
    CHECK(coord_route_matches(&r, "vacant_lot", 25, 1, 0, 23 * 60));
    CHECK(!coord_route_matches(&r, "vacant_lot", 7, 0, 0, 23 * 60));
}

TEST(coord, quantiles_match_python_inclusive)
{
    /* statistics.quantiles([...], n=10, method='inclusive') and numpy's default. */
    static const double v4[] = {1, 2, 3, 4};
    static const double v10[] = {0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55};

    CHECK_NEAR(coord_quantile(v4, 4, 0.5), 2.5, 1e-12);
    CHECK_NEAR(coord_quantile(v4, 4, 0.9), 3.7, 1e-12);
    CHECK_NEAR(coord_quantile(v10, 10, 0.5), 6.5, 1e-12);
    CHECK_NEAR(coord_quantile(v10, 10, 0.9), 36.1, 1e-12);
    CHECK_NEAR(coord_quantile(v10, 1, 0.9), 0.5, 1e-12);
    CHECK(isnan(coord_quantile(v10, 0, 0.5)));
}

TEST(coord, answers_checked_against_the_catalogue)
{
    static const struct coord_attr_value yn[] = {{"YES", "Yes"}, {"NO", "No"}};
    static const struct coord_attr_value kinds[] = {{"A", "a"}, {"B", "b"}, {"C", "c"}};
    static const struct coord_attr attrs[] = {
        {"consent", COORD_DT_SINGLEVALUELIST, 1, 1, "Agreed?", "", yn, 2},
        {"kinds", COORD_DT_MULTIVALUELIST, 0, 1, "Which?", "", kinds, 3},
        {"count", COORD_DT_NUMBER, 0, 1, "How many?", "", NULL, 0},
        {"when", COORD_DT_DATETIME, 0, 1, "When?", "", NULL, 0},
        {"note", COORD_DT_STRING, 0, 1, "Note", "", NULL, 0},
        {"info", COORD_DT_TEXT, 0, 0, "Read this", "", NULL, 0},
    };
    static const struct coord_service s = {"svc", "Svc", "",    "", "", "DSS", 24,
                                           1,     1,     attrs, 6,  0,  0};
    static const struct {
        struct coord_answer a[3];
        size_t n;
        int rc;
        const char *field;
    } cases[] = {
        {{{"consent", "YES"}}, 1, 0, ""},
        {{{"consent", "YES"}, {"kinds", "A"}, {"kinds", "C"}}, 3, 0, ""},
        {{{"kinds", "A"}}, 1, CSCC_EINVAL, "attribute[consent]"},
        {{{"consent", "MAYBE"}}, 1, CSCC_EINVAL, "attribute[consent]"},
        {{{"consent", "YES"}, {"consent", "NO"}}, 2, CSCC_EINVAL, "attribute[consent]"},
        {{{"consent", "YES"}, {"kinds", "A"}, {"kinds", "A"}}, 3, CSCC_EINVAL, "attribute[kinds]"},
        {{{"consent", "YES"}, {"count", "12.5"}}, 2, 0, ""},
        {{{"consent", "YES"}, {"count", "12 cars"}}, 2, CSCC_EINVAL, "attribute[count]"},
        {{{"consent", "YES"}, {"count", "inf"}}, 2, CSCC_EINVAL, "attribute[count]"},
        {{{"consent", "YES"}, {"when", "2026-03-02T09:15:00-06:00"}}, 2, 0, ""},
        {{{"consent", "YES"}, {"when", "yesterday"}}, 2, CSCC_EINVAL, "attribute[when]"},
        {{{"consent", "YES"}, {"note", "two\nlines"}}, 2, CSCC_EINVAL, "attribute[note]"},
        {{{"consent", "YES"}, {"info", "x"}}, 2, CSCC_EINVAL, "attribute[info]"},
        {{{"consent", "YES"}, {"colour", "red"}}, 2, CSCC_EINVAL, "attribute[colour]"},
    };
    struct cscc_err err;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cscc_err_clear(&err);
        CHECK_INT_EQ(coord_answers_check(&s, cases[i].a, cases[i].n, &err), cases[i].rc);
        if (cases[i].rc)
            CHECK_STR_EQ(err.field, cases[i].field);
    }
}

TEST(coord, rate_limits)
{
    struct coord_ratelimit *r = coord_ratelimit_new(3, 5, 8);
    int64_t now = 1772463600, retry = 0; /* a whole hour */
    int i;

    for (i = 0; i < 3; i++)
        CHECK_INT_EQ(coord_ratelimit_check(r, "192.0.2.1", now + i, &retry), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "192.0.2.1", now + 3, &retry), CSCC_ELIMIT);
    /* The next hour still counts 3 x (the part of this hour left) until 20 minutes into it. */
    CHECK_INT_EQ(retry, 3600 - 3 + 1200);
    /* Refused attempts are not counted: it may submit once the hour has passed. */
    CHECK_INT_EQ(coord_ratelimit_check(r, "192.0.2.1", now + 3 + retry, NULL), 0);
    /* An IPv6 /64 counts as one address; another /64 is another address. */
    CHECK_INT_EQ(coord_ratelimit_check(r, "2001:db8:1:2::1", now, NULL), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "2001:db8:1:2::2", now, NULL), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "2001:db8:1:2:aaaa::3", now, NULL), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "2001:db8:1:2::4", now, NULL), CSCC_ELIMIT);
    CHECK_INT_EQ(coord_ratelimit_check(r, "2001:db8:1:3::1", now, NULL), 0);
    coord_ratelimit_free(r);

    /* The total limit: 5 an hour from everyone. */
    r = coord_ratelimit_new(100, 5, 64);
    for (i = 0; i < 5; i++) {
        char a[32];

        snprintf(a, sizeof(a), "198.51.100.%d", i);
        CHECK_INT_EQ(coord_ratelimit_check(r, a, now + 100, NULL), 0);
    }
    CHECK_INT_EQ(coord_ratelimit_check(r, "198.51.100.77", now + 100, &retry), CSCC_ELIMIT);
    /* Half way through the next hour, half of the previous hour still counts (2.5 of 5). */
    CHECK_INT_EQ(coord_ratelimit_check(r, "198.51.100.77", now + 3600 + 1800, NULL), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "198.51.100.78", now + 3600 + 1800, NULL), 0);
    CHECK_INT_EQ(coord_ratelimit_check(r, "198.51.100.79", now + 3600 + 1800, NULL), CSCC_ELIMIT);
    coord_ratelimit_free(r);
}

/* ------------------------------------------------------------------------ */
/* Catalogue                                                                 */
/* ------------------------------------------------------------------------ */

struct svc_seen {
    int n;
    char codes[32][64];
    size_t nattrs_light;
    int deadline_light;
};

static int svc_cb(void *arg, const struct coord_service *s)
{
    struct svc_seen *x = arg;

    if (x->n < 32)
        snprintf(x->codes[x->n], 64, "%s", s->code);
    x->n++;
    if (!strcmp(s->code, "streetlight_out")) {
        x->nattrs_light = s->nattrs;
        x->deadline_light = s->deadline_hours;
    }
    return 0;
}

TEST(coord, catalogue_defaults_and_edits)
{
    struct env e;
    struct svc_seen seen;
    struct coord_catalog_load res;
    struct cscc_err err;
    json_t *doc;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    memset(&seen, 0, sizeof(seen));
    CHECK_INT_EQ(coord_service_each(e.c, 0, svc_cb, &seen, &err), 0);
    CHECK_INT_EQ(seen.n, 12);
    CHECK_INT_EQ(seen.nattrs_light, 3);
    CHECK_INT_EQ(seen.deadline_light, 72);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_departments"), 8);

    /* A coordinator's edit survives loading the defaults again (init does that). */
    doc = json_loads("{\"service_code\":\"streetlight_out\",\"service_name\":\"Light out\","
                     "\"department\":\"CDOT\",\"deadline\":\"36h\",\"weight\":2}",
                     0, NULL);
    {
        struct coord_service_parsed *p = coord_service_from_json(doc, &err);

        CHECK(p != NULL);
        if (p) {
            CHECK_INT_EQ(coord_service_put(e.c, &DSS, coord_service_parsed_get(p), &err),
                         CSCC_EPERM);
            CHECK_INT_EQ(coord_service_put(e.c, &COORDINATOR, coord_service_parsed_get(p), &err),
                         0);
            coord_service_parsed_free(p);
        }
    }
    json_decref(doc);
    CHECK_INT_EQ(coord_catalog_load_file(
                     e.c, &ADMIN, TEST_SOURCE_DIR "/data/reference/services.json", 0, &res, &err),
                 0);
    CHECK_INT_EQ(res.kept, 12);
    CHECK_INT_EQ(res.services, 0);
    memset(&seen, 0, sizeof(seen));
    CHECK_INT_EQ(coord_service_each(e.c, 0, svc_cb, &seen, &err), 0);
    CHECK_INT_EQ(seen.deadline_light, 36);
    CHECK_INT_EQ(seen.nattrs_light, 0);

    /* Bad services are refused naming the field, and nothing is stored. */
    {
        static const char *const bad[][2] = {
            {"{\"service_code\":\"x y\",\"service_name\":\"X\",\"department\":\"DSS\","
             "\"deadline\":\"1d\"}",
             "service_code"},
            {"{\"service_code\":\"x\",\"service_name\":\"X\",\"department\":\"NOPE\","
             "\"deadline\":\"1d\"}",
             "department"},
            {"{\"service_code\":\"x\",\"service_name\":\"X\",\"department\":\"DSS\","
             "\"deadline\":\"1 week\"}",
             "deadline"},
            {"{\"service_code\":\"x\",\"service_name\":\"X\",\"department\":\"DSS\","
             "\"deadline\":\"1d\",\"colour\":\"red\"}",
             "colour"},
            {"{\"service_code\":\"x\",\"service_name\":\"X\",\"department\":\"DSS\","
             "\"deadline\":\"1d\",\"attributes\":[{\"code\":\"a\",\"datatype\":\"singlevaluelist\","
             "\"description\":\"?\"}]}",
             "attributes[0].values"},
            {"{\"service_code\":\"x\",\"service_name\":\"X\",\"department\":\"DSS\","
             "\"deadline\":\"1d\",\"attributes\":[{\"code\":\"a\",\"datatype\":\"colour\","
             "\"description\":\"?\"}]}",
             "attributes[0].datatype"},
        };
        size_t i;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            struct coord_service_parsed *p;

            doc = json_loads(bad[i][0], 0, NULL);
            cscc_err_clear(&err);
            p = coord_service_from_json(doc, &err);
            if (p) {
                CHECK(coord_service_put(e.c, &ADMIN, coord_service_parsed_get(p), &err) != 0);
                coord_service_parsed_free(p);
            }
            CHECK_STR_EQ(err.field, bad[i][1]);
            json_decref(doc);
        }
    }
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_services"), 12);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Gazetteer and placement                                                   */
/* ------------------------------------------------------------------------ */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

TEST(coord, gazetteer_medians_and_addresses)
{
    struct coord_gazetteer_info gi;
    struct coord_place p;
    struct cscc_err err;
    struct env e;
    double la[NCROWS], lo[NCROWS], want_lat, want_lon;
    size_t i, n = 0;
    int built = 0;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(coord_gazetteer_build(e.c, &gi, &err), 0);
    CHECK_INT_EQ(gi.blocks, 5);
    CHECK_INT_EQ(gi.incidents, NCROWS);
    CHECK_INT_EQ(coord_gazetteer_ensure(e.c, &built, &err), 0);
    CHECK_INT_EQ(built, 0);
    /* The median of 054XX W MADISON ST's four incidents, computed here. */
    for (i = 0; i < NCROWS; i++)
        if (!strcmp(crows[i].block, "054XX W MADISON ST")) {
            la[n] = crows[i].lat;
            lo[n++] = crows[i].lon;
        }
    qsort(la, n, sizeof(double), cmp_d);
    qsort(lo, n, sizeof(double), cmp_d);
    want_lat = (la[1] + la[2]) / 2;
    want_lon = (lo[1] + lo[2]) / 2;
    CHECK_INT_EQ(coord_locate_address(e.c, "5423 West Madison Street", &p, &err), 0);
    CHECK_STR_EQ(p.block, "054XX W MADISON ST");
    CHECK_STR_EQ(p.located_by, "block");
    CHECK_NEAR(p.lat, want_lat, 1e-5);
    CHECK_NEAR(p.lon, want_lon, 1e-5);
    CHECK_INT_EQ(p.area, 25);
    /* 053XX was never seen: between 052XX and 054XX. */
    CHECK_INT_EQ(coord_locate_address(e.c, "5300 w madison", &p, &err), 0);
    CHECK_STR_EQ(p.located_by, "street");
    CHECK_NEAR(p.lat, (41.8900 + want_lat) / 2, 1e-5);
    /* Without a direction, the only Madison known is West Madison. */
    CHECK_INT_EQ(coord_locate_address(e.c, "5400 Madison St", &p, &err), 0);
    CHECK_STR_EQ(p.block, "054XX W MADISON ST");
    /* "0000X" blocks are the 000XX block. */
    CHECK_INT_EQ(coord_locate_address(e.c, "10 W Washington", &p, &err), 0);
    CHECK_INT_EQ(coord_locate_address(e.c, "10 W Washington St", &p, &err), 0);
    CHECK_STR_EQ(p.block, "000XX W WASHINGTON ST");
    CHECK_INT_EQ(p.area, 32);
    cscc_err_clear(&err);
    CHECK_INT_EQ(coord_locate_address(e.c, "100 N Nowhere Ave", &p, &err), CSCC_ENOENT);
    CHECK_STR_EQ(err.field, "address_string");
    CHECK_INT_EQ(coord_locate_address(e.c, "9900 W Madison St", &p, &err), CSCC_ENOENT);
    /* A point: its area and, for the public, the nearest block. */
    CHECK_INT_EQ(coord_locate_point(e.c, 41.89405, -87.76505, &p, &err), 0);
    CHECK_INT_EQ(p.area, 25);
    CHECK_STR_EQ(p.block, "054XX W MADISON ST");
    CHECK_NEAR(p.public_lat, want_lat, 1e-5);
    CHECK_INT_EQ(coord_locate_point(e.c, 41.95, -87.70, &p, &err), 0);
    CHECK_STR_EQ(p.block, "");
    CHECK_NEAR(p.public_lat, 41.95, 1e-9);
    CHECK_INT_EQ(coord_locate_point(e.c, 91, -87.70, &p, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "lat");
    CHECK_INT_EQ(coord_locate_point(e.c, 41.9, NAN, &p, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "long");
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Kernel density and priority                                               */
/* ------------------------------------------------------------------------ */

TEST(coord, kernel_density_against_brute_force)
{
    static const char *const violent[] = {"01A", "02", "03", "04A", "04B"};
    struct cscc_err err;
    struct env e;
    struct coord_kde *k;
    double h = 400, want = 0, got;
    int64_t from = cscc_days_from_civil(2025, 3, 3), to = cscc_days_from_civil(2026, 3, 2);
    size_t i, within = 0, want_n = 0;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    k = coord_kde_new(e.t, violent, 5, from, to, &err);
    CHECK(k != NULL);
    if (!k) {
        env_close(&e);
        return;
    }
    CHECK_INT_EQ(coord_kde_count(k), 5);
    /* Independently: haversine distances, the quartic kernel in km. */
    for (i = 0; i < NCROWS; i++) {
        int64_t day = cscc_days_from_civil(crows[i].y, (unsigned)crows[i].m, (unsigned)crows[i].d);
        double d;
        size_t f, is_violent = 0;

        for (f = 0; f < 5; f++)
            is_violent |= !strcmp(crows[i].fbi, violent[f]);
        if (!is_violent || day < from || day > to)
            continue;
        d = coord_distance_m(AUSTIN_LAT, AUSTIN_LON, crows[i].lat, crows[i].lon);
        if (d < h) {
            double u = 1 - (d / h) * (d / h);

            want += 3 / (M_PI * 0.4 * 0.4) * u * u;
            want_n++;
        }
    }
    got = coord_kde_density(k, AUSTIN_LAT, AUSTIN_LON, h, &within);
    CHECK_INT_EQ(within, want_n);
    CHECK_INT_EQ(want_n, 3); /* 0 m, 20 m and 140 m away; the others are 415 m and 445 m */
    CHECK_NEAR(got, want, want * 1e-6);
    CHECK_NEAR(coord_kde_density(k, LOOP_LAT, LOOP_LON, h, &within), 0, 0);
    CHECK_INT_EQ(within, 0);
    CHECK_NEAR(coord_distance_m(41.0, -87.0, 42.0, -87.0), 111195.08, 0.5);
    coord_kde_free(k);
    env_close(&e);
}

TEST(coord, priority_score_components)
{
    struct coord_score s, loop;
    struct cscc_err err;
    struct env e;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(coord_score_point(e.c, 1.5, AUSTIN_LAT, AUSTIN_LON, 25, &s, &err), 0);
    CHECK_INT_EQ(s.until_day, cscc_days_from_civil(2026, 2, 27)); /* the table's last day */
    CHECK_INT_EQ(s.days, 365);
    CHECK_INT_EQ(s.incidents, 3);
    CHECK(s.priority_area);
    CHECK_NEAR(s.area_factor, 1.5, 0);
    CHECK(s.city_density > 0);
    CHECK_NEAR(s.ratio, s.density / s.city_density, 1e-12);
    CHECK_NEAR(s.violence, 1 + 0.5 * log2(1 + s.ratio), 1e-12);
    CHECK_NEAR(s.score, 1.5 * s.violence * 1.5, 1e-12);
    /* The city holds 5 violent incidents in the window over about 600 km^2. */
    CHECK(s.city_density > 5.0 / 650 && s.city_density < 5.0 / 550);
    CHECK_INT_EQ(coord_score_point(e.c, 1.5, LOOP_LAT, LOOP_LON, 32, &loop, &err), 0);
    CHECK_INT_EQ(loop.incidents, 0);
    CHECK_NEAR(loop.violence, 1, 0);
    CHECK(!loop.priority_area);
    CHECK_NEAR(loop.score, 1.5, 1e-12);
    CHECK(s.score > loop.score);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Intake, duplicates, routing, views                                        */
/* ------------------------------------------------------------------------ */

struct got_need {
    int n;
    char status[16], dept[16], contact_email[64];
    int64_t duplicate_of, workorder_id;
    json_t *pub, *full;
};

static int need_cb(void *arg, const struct coord_need *n)
{
    struct got_need *g = arg;

    g->n++;
    snprintf(g->status, sizeof(g->status), "%s", n->status);
    snprintf(g->dept, sizeof(g->dept), "%s", n->department);
    snprintf(g->contact_email, sizeof(g->contact_email), "%s", n->contact_email);
    g->duplicate_of = n->duplicate_of;
    g->workorder_id = n->workorder_id;
    json_decref(g->pub);
    json_decref(g->full);
    g->pub = coord_need_json(n, COORD_VIEW_PUBLIC);
    g->full = coord_need_json(n, COORD_VIEW_FULL);
    return 0;
}

static void got_release(struct got_need *g)
{
    json_decref(g->pub);
    json_decref(g->full);
    memset(g, 0, sizeof(*g));
}

TEST(coord, intake_places_scores_routes_and_keeps_contacts_private)
{
    struct coord_need_req r = point_req("streetlight_out", AUSTIN_LAT, AUSTIN_LON);
    struct coord_need_ack ack;
    struct got_need g = {0};
    struct cscc_err err;
    struct env e;
    char *text;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    r.answers = light_ans;
    r.nanswers = 1;
    r.description = "Three lights out by the bus stop";
    r.contact_name = "Ada Resident";
    r.contact_email = "ada@example.org";
    r.contact_phone = "+1 (312) 555-0100";
    CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &ack, &err), 0);
    CHECK(ack.id > 0);
    CHECK(ack.workorder_id > 0);
    CHECK_INT_EQ(strlen(ack.token), 32);
    CHECK_STR_EQ(ack.department, "CDOT");
    CHECK_INT_EQ(ack.due_at, t0() + 72 * 3600);
    CHECK_STR_EQ(ack.status, "new");
    CHECK_INT_EQ(ack.area, 25);
    CHECK_STR_EQ(ack.block, "054XX W MADISON ST");
    CHECK(ack.score.priority_area);
    CHECK_NEAR(ack.score.weight, 1.5, 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_wo_history"), 1);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE topic = 'workorder.created'"),
                 1);
    CHECK_INT_EQ(coord_need_get(e.c, ack.id, need_cb, &g, &err), 0);
    CHECK_INT_EQ(g.n, 1);
    CHECK_STR_EQ(g.contact_email, "ada@example.org");
    /* Public view: the block, no exact point, no contact, no reporter. */
    text = json_dumps(g.pub, JSON_COMPACT);
    CHECK(text && !strstr(text, "ada@example.org") && !strstr(text, "Ada Resident") &&
          !strstr(text, "555-0100") && !strstr(text, "exact_lat") && !strstr(text, "reporter"));
    CHECK(text && strstr(text, "\"address\":\"054XX W MADISON ST\""));
    CHECK(text && strstr(text, "\"service_request_id\":\"1\""));
    free(text);
    text = json_dumps(g.full, JSON_COMPACT);
    CHECK(text && strstr(text, "ada@example.org") && strstr(text, "\"exact_lat\":41.89"));
    free(text);
    CHECK_STR_EQ(json_string_value(json_object_get(g.pub, "agency_responsible")),
                 "Chicago Department of Transportation");
    CHECK_STR_EQ(json_string_value(json_object_get(g.pub, "expected_datetime")),
                 "2026-03-05T09:00:00-06:00");
    got_release(&g);
    /* The notification carries no contact details. */
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE payload LIKE '%ada@%' OR "
                           "payload LIKE '%Ada%' OR payload LIKE '%555%'"),
                 0);
    env_close(&e);
}

TEST(coord, intake_refuses_bad_requests_naming_the_field)
{
    struct coord_need_req r;
    struct coord_need_ack ack;
    struct cscc_err err;
    struct env e;

    if (env_open(&e, 1))
        return;
#define BAD(setup, want_rc, want_field)                                                            \
    do {                                                                                           \
        r = point_req("streetlight_out", AUSTIN_LAT, AUSTIN_LON);                                  \
        r.answers = light_ans;                                                                     \
        r.nanswers = 1;                                                                            \
        setup;                                                                                     \
        cscc_err_clear(&err);                                                                      \
        CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &ack, &err), want_rc);                         \
        CHECK_STR_EQ(err.field, want_field);                                                       \
    } while (0)
    BAD(r.service_code = "nope", CSCC_ENOENT, "service_code");
    BAD(r.service_code = NULL, CSCC_EINVAL, "service_code");
    BAD(r.nanswers = 0, CSCC_EINVAL, "attribute[light_type]");
    BAD(r.has_point = 0, CSCC_EINVAL, "lat");
    BAD((r.lat = 0, r.lon = 0), CSCC_EINVAL, "lat");
    BAD(r.lon = 200, CSCC_EINVAL, "long");
    BAD(r.contact_email = "not-an-address", CSCC_EINVAL, "email");
    BAD(r.contact_phone = "call me", CSCC_EINVAL, "phone");
    BAD(r.media_url = "javascript:alert(1)", CSCC_EINVAL, "media_url");
    BAD(r.description = "bad \x01 byte", CSCC_EINVAL, "description");
    BAD(r.description = "\xff\xfe", CSCC_EINVAL, "description");
    BAD((r.has_point = 0, r.address = "somewhere"), CSCC_EINVAL, "address_string");
#undef BAD
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_needs"), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_workorders"), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox"), 0);
    /* A retired service takes no new needs. */
    CHECK_INT_EQ(coord_service_set_active(e.c, &COORDINATOR, "graffiti", 0, &err), 0);
    r = point_req("graffiti", AUSTIN_LAT, AUSTIN_LON);
    r.answers = graffiti_ans;
    r.nanswers = 1;
    CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &ack, &err), CSCC_ENOENT);
    CHECK(strstr(err.msg, "retired") != NULL);
    env_close(&e);
}

TEST(coord, duplicates_follow_the_earlier_need)
{
    struct coord_need_ack a1, a2, a3, a4, a5;
    struct coord_move mv;
    struct got_need g = {0};
    struct cscc_err err;
    struct env e;
    int64_t wo;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a1);
    /* 30 m north: a duplicate of the first. */
    add_light(&e, &ANON, AUSTIN_LAT + 30 / 111194.9, AUSTIN_LON, &a2);
    CHECK_INT_EQ(a2.duplicate_of, a1.id);
    CHECK_NEAR(a2.duplicate_m, 30, 0.1);
    CHECK_INT_EQ(a2.workorder_id, 0);
    CHECK_STR_EQ(a2.department, "CDOT");
    /* 80 m away: not a duplicate. */
    add_light(&e, &ANON, AUSTIN_LAT + 80 / 111194.9, AUSTIN_LON, &a3);
    CHECK_INT_EQ(a3.duplicate_of, 0);
    CHECK(a3.workorder_id > 0);
    /* Another service at the same point: not a duplicate. */
    {
        struct coord_need_req r = point_req("graffiti", AUSTIN_LAT, AUSTIN_LON);

        r.answers = graffiti_ans;
        r.nanswers = 1;
        CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &a4, &err), 0);
        CHECK_INT_EQ(a4.duplicate_of, 0);
    }
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_workorders"), 3);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE topic = 'need.duplicate'"), 1);

    /* The duplicate's reporter follows the first need's status. */
    wo = a1.workorder_id;
    memset(&mv, 0, sizeof(mv));
    mv.to = COORD_ACKNOWLEDGED;
    mv.public_note = "Crew scheduled";
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, wo, &mv, &err), 0);
    CHECK_INT_EQ(coord_need_get(e.c, a2.id, need_cb, &g, &err), 0);
    CHECK_STR_EQ(g.status, "acknowledged");
    CHECK_INT_EQ(g.workorder_id, wo);
    CHECK_STR_EQ(json_string_value(json_object_get(g.pub, "status_notes")), "Crew scheduled");
    CHECK_STR_EQ(json_string_value(json_object_get(g.pub, "duplicate_of")), "1");
    mv.to = COORD_RESOLVED;
    mv.public_note = "Lights repaired";
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, wo, &mv, &err), 0);
    CHECK_INT_EQ(coord_need_get(e.c, a2.id, need_cb, &g, &err), 0);
    CHECK_STR_EQ(g.status, "resolved");
    CHECK_STR_EQ(json_string_value(json_object_get(g.pub, "status")), "closed");
    /* Once the first is resolved, a new report at the same place is a new need. */
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a5);
    CHECK_INT_EQ(a5.duplicate_of, 0);
    CHECK(a5.workorder_id > 0);

    /* A coordinator marks the third need a duplicate of the fifth: it follows it. */
    mv.to = COORD_DUPLICATE;
    mv.public_note = "";
    mv.duplicate_of = a1.id; /* closed: refused */
    CHECK_INT_EQ(coord_workorder_move(e.c, &COORDINATOR, a3.workorder_id, &mv, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "duplicate_of");
    mv.duplicate_of = a4.id; /* another service: refused */
    CHECK_INT_EQ(coord_workorder_move(e.c, &COORDINATOR, a3.workorder_id, &mv, &err), CSCC_EINVAL);
    mv.duplicate_of = a5.id;
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a3.workorder_id, &mv, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_workorder_move(e.c, &COORDINATOR, a3.workorder_id, &mv, &err), 0);
    CHECK_INT_EQ(coord_need_get(e.c, a3.id, need_cb, &g, &err), 0);
    CHECK_INT_EQ(g.duplicate_of, a5.id);
    CHECK_STR_EQ(g.status, "new");
    got_release(&g);
    env_close(&e);
}

struct need_ids {
    int64_t id[16];
    size_t n;
};

static int collect_need_id(void *arg, const struct coord_need *n)
{
    struct need_ids *l = arg;

    if (l->n < 16)
        l->id[l->n++] = n->id;
    return 0;
}

/* Open311's lists (by_time) run newest first by the time a need was
 * reported, also where ids are not in that order (needs stored with an
 * earlier time after later ones); a page is a slice of that order; the
 * API's own lists keep the order of ids. */
TEST(coord, open311_lists_newest_first_by_time)
{
    static const int64_t at[4] = {300, 100, 400, 200}; /* seconds after t0, in the order added */
    struct coord_need_filter f;
    struct need_ids l;
    struct cscc_err err;
    struct env e;
    int64_t id[4];
    size_t i;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    for (i = 0; i < 4; i++) {
        coord_set_now(e.c, t0() + at[i]);
        id[i] = add_light(&e, &ANON, AUSTIN_LAT + (double)i * 200 / 111194.9, AUSTIN_LON, NULL);
    }
    memset(&f, 0, sizeof(f));
    f.has_from = f.has_to = 1;
    f.from = t0();
    f.to = t0() + 1000;
    f.newest_first = f.by_time = 1;
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 4);
    CHECK_INT_EQ(l.id[0], id[2]); /* t0 + 400 */
    CHECK_INT_EQ(l.id[1], id[0]); /* t0 + 300 */
    CHECK_INT_EQ(l.id[2], id[3]); /* t0 + 200 */
    CHECK_INT_EQ(l.id[3], id[1]); /* t0 + 100 */
    f.limit = 2;
    f.offset = 1;
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 2);
    CHECK_INT_EQ(l.id[0], id[0]);
    CHECK_INT_EQ(l.id[1], id[3]);
    /* oldest first; and the period still filters */
    f.newest_first = 0;
    f.limit = 0;
    f.offset = 0;
    f.to = t0() + 250;
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 2);
    CHECK_INT_EQ(l.id[0], id[1]);
    CHECK_INT_EQ(l.id[1], id[3]);
    /* without by_time: the order of ids */
    f.to = t0() + 1000;
    f.newest_first = 1;
    f.by_time = 0;
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 4);
    for (i = 0; i < 4; i++)
        CHECK_INT_EQ(l.id[i], id[3 - i]);
    env_close(&e);
}

struct hidden_from {
    int anon, other, partner, staff;
    const struct coord_actor *partner_a, *other_a;
};

static int hidden_cb(void *arg, const struct coord_need *n)
{
    struct hidden_from *h = arg;

    h->anon = coord_need_hidden(&ANON, n) && coord_need_hidden(NULL, n);
    h->other = coord_need_hidden(h->other_a, n);
    h->partner = coord_need_hidden(h->partner_a, n);
    h->staff = coord_need_hidden(&ADMIN, n) || coord_need_hidden(&COORDINATOR, n) ||
               coord_need_hidden(&DSS, n) || coord_need_hidden(&CDOT, n) ||
               coord_need_hidden(&ANALYST, n);
    return 0;
}

/* A need of a private service (a victim services referral) is a person's
 * record: lists for the public and for other partners leave it out, by id it
 * is hidden from them, staff and the partner that reported it see it; and in
 * every public view a need's answers and receipt token are left out. */
TEST(coord, private_service_needs_stay_out_of_public_views)
{
    static const struct coord_answer vs_ans[] = {{"consent", "YES"}, {"needs", "RELOCATION"}};
    static const char *const sec[] = {"victim_services"};
    struct coord_need_req r = point_req("victim_services", AUSTIN_LAT, AUSTIN_LON);
    struct coord_actor partner = {COORD_ROLE_PARTNER, 0, NULL, "p1"};
    struct coord_actor other = {COORD_ROLE_PARTNER, 0, NULL, "p2"};
    const struct coord_actor *see[] = {&ADMIN, &COORDINATOR, &DSS, &ANALYST};
    struct coord_need_filter f;
    struct coord_need_ack ack;
    struct got_need g = {0};
    struct hidden_from h = {0, 0, 0, 0, &partner, &other};
    struct need_ids l;
    struct coord_org o;
    struct cscc_err err;
    struct env e;
    int64_t light, vs, vs_anon;
    size_t i;
    char *text;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    memset(&o, 0, sizeof(o));
    o.name = "Austin Victim Advocates";
    o.sectors = sec;
    o.nsectors = 1;
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &partner.org_id, &err), 0);
    o.name = "Other Org";
    CHECK_INT_EQ(coord_org_create(e.c, &other, &o, &other.org_id, &err), 0);
    light = add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, NULL);
    r.answers = vs_ans;
    r.nanswers = 2;
    r.description = "Family needs to move after the shooting";
    CHECK_INT_EQ(coord_need_add(e.c, &partner, &r, &ack, &err), 0);
    vs = ack.id;
    CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &ack, &err), 0);
    vs_anon = ack.id;

    /* lists */
    memset(&f, 0, sizeof(f));
    coord_need_filter_for(&f, &ANON);
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 1);
    CHECK_INT_EQ(l.id[0], light);
    memset(&f, 0, sizeof(f));
    coord_need_filter_for(&f, &other);
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 1);
    memset(&f, 0, sizeof(f));
    coord_need_filter_for(&f, &partner);
    memset(&l, 0, sizeof(l));
    CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
    CHECK_INT_EQ(l.n, 2);
    CHECK_INT_EQ(l.id[1], vs);
    for (i = 0; i < sizeof(see) / sizeof(see[0]); i++) {
        memset(&f, 0, sizeof(f));
        coord_need_filter_for(&f, see[i]);
        memset(&l, 0, sizeof(l));
        CHECK_INT_EQ(coord_need_each(e.c, &f, collect_need_id, &l, &err), 0);
        CHECK_INT_EQ(l.n, 3);
    }

    /* one need, by id */
    CHECK_INT_EQ(coord_need_get(e.c, vs, hidden_cb, &h, &err), 0);
    CHECK(h.anon && h.other && !h.partner && !h.staff);
    CHECK_INT_EQ(coord_need_get(e.c, vs_anon, hidden_cb, &h, &err), 0);
    CHECK(h.anon && h.other && h.partner && !h.staff);
    CHECK_INT_EQ(coord_need_get(e.c, light, hidden_cb, &h, &err), 0);
    CHECK(!h.anon && !h.other && !h.partner && !h.staff);

    /* the public view of any need: no answers, no token; staff see answers */
    CHECK_INT_EQ(coord_need_get(e.c, vs, need_cb, &g, &err), 0);
    text = json_dumps(g.pub, JSON_COMPACT);
    CHECK(text && !strstr(text, "RELOCATION") && !strstr(text, "\"attributes\"") &&
          !strstr(text, "\"token\""));
    free(text);
    text = json_dumps(g.full, JSON_COMPACT);
    CHECK(text && strstr(text, "RELOCATION") && strstr(text, "\"token\""));
    free(text);
    got_release(&g);
    env_close(&e);
}

TEST(coord, routing_rules_decide_department_and_deadline)
{
    struct coord_route r;
    struct coord_routing out;
    struct coord_need_ack ack;
    struct cscc_err err;
    struct env e;
    int64_t id1 = 0, id2 = 0, scratch = 0;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    memset(&r, 0, sizeof(r));
    r.service = "streetlight_out";
    r.priority_only = 1;
    r.days = 0x7f;
    r.minute_from = 0;
    r.minute_to = 1440;
    r.department = "CSCC";
    r.deadline_hours = 24;
    CHECK_INT_EQ(coord_route_add(e.c, &DSS, &r, &id1, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_route_add(e.c, &COORDINATOR, &r, &id1, &err), 0);
    /* Nights at weekends, any service, go to the CSCC with 12 hours. */
    memset(&r, 0, sizeof(r));
    r.days = 0x41;
    r.minute_from = 22 * 60;
    r.minute_to = 6 * 60;
    r.department = "CSCC";
    r.deadline_hours = 12;
    CHECK_INT_EQ(coord_route_add(e.c, &COORDINATOR, &r, &id2, &err), 0);
    r.department = "NOPE";
    CHECK_INT_EQ(coord_route_add(e.c, &COORDINATOR, &r, &scratch, &err), CSCC_ENOENT);
    CHECK_STR_EQ(err.field, "department");
    r.department = "CSCC";
    r.service = "nope";
    CHECK_INT_EQ(coord_route_add(e.c, &COORDINATOR, &r, &scratch, &err), CSCC_ENOENT);
    CHECK_STR_EQ(err.field, "service");

    /* Monday 09:00 in Austin (a priority area): the first rule. */
    CHECK_INT_EQ(coord_route_decide(e.c, "streetlight_out", 25, t0(), &out, &err), 0);
    CHECK_STR_EQ(out.department, "CSCC");
    CHECK_INT_EQ(out.deadline_hours, 24);
    CHECK_INT_EQ(out.route_id, id1);
    /* In the Loop: the service's defaults. */
    CHECK_INT_EQ(coord_route_decide(e.c, "streetlight_out", 32, t0(), &out, &err), 0);
    CHECK_STR_EQ(out.department, "CDOT");
    CHECK_INT_EQ(out.route_id, 0);
    CHECK_INT_EQ(out.due_at, t0() + 72 * 3600);
    /* Saturday 23:30 local (Sunday 05:30 UTC), in the Loop: the night rule. */
    {
        int64_t sat = (cscc_days_from_civil(2026, 3, 8) * 86400) + 5 * 3600 + 30 * 60;

        CHECK_INT_EQ(coord_route_decide(e.c, "graffiti", 32, sat, &out, &err), 0);
        CHECK_STR_EQ(out.department, "CSCC");
        CHECK_INT_EQ(out.deadline_hours, 12);
        CHECK_INT_EQ(out.route_id, id2);
    }
    /* Intake uses the rules. */
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &ack);
    CHECK_STR_EQ(ack.department, "CSCC");
    CHECK_INT_EQ(ack.due_at, t0() + 24 * 3600);
    CHECK_INT_EQ(coord_route_remove(e.c, &COORDINATOR, id1, &err), 0);
    CHECK_INT_EQ(coord_route_remove(e.c, &COORDINATOR, id1, &err), CSCC_ENOENT);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Work orders                                                               */
/* ------------------------------------------------------------------------ */

struct hist {
    int n;
    char to[8][16], actor[8][16], pub[8][64], internal[8][64];
    json_t *pubjson;
};

static int hist_cb(void *arg, const struct coord_wo_event *ev)
{
    struct hist *h = arg;

    if (h->n < 8) {
        snprintf(h->to[h->n], 16, "%s", ev->to_state);
        snprintf(h->actor[h->n], 16, "%s", ev->actor);
        snprintf(h->pub[h->n], 64, "%s", ev->public_note);
        snprintf(h->internal[h->n], 64, "%s", ev->internal_note);
        if (h->n == 2) {
            json_decref(h->pubjson);
            h->pubjson = coord_wo_event_json(ev, COORD_VIEW_PUBLIC);
        }
    }
    h->n++;
    return 0;
}

struct queue {
    int n;
    int64_t ids[16];
    int overdue[16];
};

static int queue_cb(void *arg, const struct coord_workorder *w)
{
    struct queue *q = arg;

    if (q->n < 16) {
        q->ids[q->n] = w->id;
        q->overdue[q->n] = w->overdue;
    }
    q->n++;
    return 0;
}

TEST(coord, workorder_steps_history_and_queue)
{
    struct coord_need_ack a1, a2;
    struct coord_move mv;
    struct hist h;
    struct queue q;
    struct coord_wo_filter f;
    struct cscc_err err;
    struct env e;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a1);
    add_light(&e, &ANON, LOOP_LAT, LOOP_LON, &a2);
    memset(&mv, 0, sizeof(mv));
    mv.to = COORD_IN_PROGRESS;
    CHECK_INT_EQ(coord_workorder_move(e.c, &ANON, a1.workorder_id, &mv, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_workorder_move(e.c, &DSS, a1.workorder_id, &mv, &err), CSCC_EPERM);
    mv.to = COORD_REJECTED;
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a1.workorder_id, &mv, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "public_note");
    mv.to = COORD_CLOSED;
    CHECK_INT_EQ(coord_workorder_move(e.c, &ADMIN, a1.workorder_id, &mv, &err), CSCC_EINVAL);
    CHECK_INT_EQ(coord_workorder_move(e.c, &ADMIN, 999, &mv, &err), CSCC_ENOENT);
    coord_set_now(e.c, t0() + 3600);
    mv.to = COORD_ACKNOWLEDGED;
    mv.public_note = "We have it";
    mv.internal_note = "Pole 12 damaged by a car";
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a1.workorder_id, &mv, &err), 0);
    coord_set_now(e.c, t0() + 5 * 3600);
    mv.to = COORD_RESOLVED;
    mv.public_note = "Fixed";
    mv.internal_note = "";
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a1.workorder_id, &mv, &err), 0);
    mv.to = COORD_CLOSED;
    mv.public_note = "";
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a1.workorder_id, &mv, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_workorder_move(e.c, &COORDINATOR, a1.workorder_id, &mv, &err), 0);
    memset(&h, 0, sizeof(h));
    CHECK_INT_EQ(coord_workorder_history(e.c, a1.workorder_id, hist_cb, &h, &err), 0);
    CHECK_INT_EQ(h.n, 4);
    CHECK_STR_EQ(h.to[0], "new");
    CHECK_STR_EQ(h.actor[0], "anonymous");
    CHECK_STR_EQ(h.to[1], "acknowledged");
    CHECK_STR_EQ(h.actor[1], "cdot1");
    CHECK_STR_EQ(h.internal[1], "Pole 12 damaged by a car");
    CHECK_STR_EQ(h.to[2], "resolved");
    CHECK_STR_EQ(h.to[3], "closed");
    CHECK_STR_EQ(h.actor[3], "coord1");
    CHECK(h.pubjson && !json_object_get(h.pubjson, "internal_note") &&
          !json_object_get(h.pubjson, "actor"));
    json_decref(h.pubjson);
    CHECK_INT_EQ(
        count(&e, "SELECT acknowledged_at - created_at FROM coord_workorders WHERE id = 1"), 3600);
    CHECK_INT_EQ(count(&e, "SELECT resolved_at - created_at FROM coord_workorders WHERE id = 1"),
                 5 * 3600);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE topic = 'workorder.state'"), 3);

    /* The queue: CDOT's open work orders, most urgent first; DSS may not see it. */
    memset(&f, 0, sizeof(f));
    memset(&q, 0, sizeof(q));
    CHECK_INT_EQ(coord_workorder_each(e.c, &CDOT, &f, queue_cb, &q, &err), 0);
    CHECK_INT_EQ(q.n, 1);
    CHECK_INT_EQ(q.ids[0], a2.workorder_id);
    f.department = "CDOT";
    CHECK_INT_EQ(coord_workorder_each(e.c, &DSS, &f, queue_cb, &q, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_workorder_each(e.c, &ANON, &f, queue_cb, &q, &err), CSCC_EPERM);
    f.all_states = 1;
    memset(&q, 0, sizeof(q));
    CHECK_INT_EQ(coord_workorder_each(e.c, &ANALYST, &f, queue_cb, &q, &err), 0);
    CHECK_INT_EQ(q.n, 2);
    /* Reassigning moves it to DSS's queue. */
    CHECK_INT_EQ(coord_workorder_assign(e.c, &CDOT, a2.workorder_id, "DSS", "", "", &err),
                 CSCC_EPERM);
    CHECK_INT_EQ(coord_workorder_assign(e.c, &COORDINATOR, a2.workorder_id, "NOPE", "", "", &err),
                 CSCC_ENOENT);
    CHECK_INT_EQ(coord_workorder_assign(e.c, &COORDINATOR, a2.workorder_id, "DSS", "",
                                        "tree branches, not the light", &err),
                 0);
    memset(&f, 0, sizeof(f));
    memset(&q, 0, sizeof(q));
    CHECK_INT_EQ(coord_workorder_each(e.c, &DSS, &f, queue_cb, &q, &err), 0);
    CHECK_INT_EQ(q.n, 1);
    CHECK_INT_EQ(q.overdue[0], 0);
    coord_set_now(e.c, t0() + 73 * 3600);
    memset(&q, 0, sizeof(q));
    f.overdue_only = 1;
    CHECK_INT_EQ(coord_workorder_each(e.c, &DSS, &f, queue_cb, &q, &err), 0);
    CHECK_INT_EQ(q.n, 1);
    CHECK_INT_EQ(q.overdue[0], 1);
    env_close(&e);
}

TEST(coord, escalation_once_per_overdue_workorder)
{
    struct coord_need_ack a1, a2;
    struct coord_move mv;
    struct cscc_err err;
    struct env e;
    size_t n = 0;

    if (env_open(&e, 1))
        return;
    cscc_err_clear(&err);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a1);
    add_light(&e, &ANON, LOOP_LAT, LOOP_LON, &a2);
    CHECK_INT_EQ(coord_escalate(e.c, &ADMIN, &n, &err), 0);
    CHECK_INT_EQ(n, 0);
    memset(&mv, 0, sizeof(mv));
    mv.to = COORD_RESOLVED;
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a2.workorder_id, &mv, &err), 0);
    coord_set_now(e.c, t0() + 80 * 3600);
    CHECK_INT_EQ(coord_escalate(e.c, &DSS, &n, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_escalate(e.c, &ADMIN, &n, &err), 0);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE topic = 'workorder.overdue'"),
                 1);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_wo_history WHERE actor = 'admin1' AND "
                           "internal_note LIKE 'overdue: it was due 2026-03-05T09:00:00-06:00%'"),
                 1);
    CHECK_INT_EQ(coord_escalate(e.c, &ADMIN, &n, &err), 0);
    CHECK_INT_EQ(n, 0);
    env_close(&e);
}

TEST(coord, escalation_in_batches)
{
    struct coord_config cfg;
    struct coord_opts o = {0};
    struct cscc_err err;
    struct env e;
    struct coord *c2;
    size_t n = 0;
    int i;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    for (i = 0; i < 7; i++)
        add_light(&e, &ANON, LOOP_LAT, LOOP_LON - i * 0.01, NULL);
    coord_config_init(&cfg);
    cfg.escalate_batch = 3;
    o.st = e.st;
    o.cfg = &cfg;
    c2 = coord_open(&o, &err);
    CHECK(c2 != NULL);
    if (c2) {
        coord_set_now(c2, t0() + 100 * 3600);
        CHECK_INT_EQ(coord_escalate(c2, &ADMIN, &n, &err), 0);
        CHECK_INT_EQ(n, 7);
        coord_close(c2);
    }
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_workorders WHERE escalated_at IS NULL"), 0);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Outbox                                                                    */
/* ------------------------------------------------------------------------ */

/* A receiver that is down for its first `fail` posts, then answers 200. */
struct receiver {
    int fail, posts;
    int64_t ids[32];
    char last_body_topic[64];
};

static int fake_post(void *arg, const char *url, const struct coord_outbox_msg *m, double timeout_s,
                     long *status, char *errbuf, size_t errcap)
{
    struct receiver *r = arg;

    (void)url;
    (void)timeout_s;
    r->posts++;
    if (r->fail > 0) {
        r->fail--;
        if (r->fail % 2) {
            snprintf(errbuf, errcap, "connection refused");
            return CSCC_EIO;
        }
        *status = 503;
        return 0;
    }
    if (r->posts <= 32)
        r->ids[r->posts - 1] = m->id;
    snprintf(r->last_body_topic, sizeof(r->last_body_topic), "%s", m->topic);
    *status = 204;
    return 0;
}

TEST(coord, outbox_retries_with_backoff_and_keeps_order)
{
    struct receiver rcv = {0};
    struct coord_delivery d;
    struct cscc_err err;
    struct env e;
    int64_t now;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, NULL);
    add_light(&e, &ANON, LOOP_LAT, LOOP_LON, NULL);
    add_light(&e, &ANON, LOOP_LAT + 0.01, LOOP_LON, NULL);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL"), 3);
    CHECK_INT_EQ(coord_outbox_deliver(e.c, &ADMIN, NULL, 0, fake_post, &rcv, &d, &err),
                 CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "webhook_url");
    CHECK_INT_EQ(
        coord_outbox_deliver(e.c, &DSS, "http://127.0.0.1:9/", 0, fake_post, &rcv, &d, &err),
        CSCC_EPERM);
    rcv.fail = 2;
    now = t0();
    /* Down: one attempt, then it waits 30 s. */
    CHECK_INT_EQ(
        coord_outbox_deliver(e.c, &ADMIN, "http://127.0.0.1:9/", 0, fake_post, &rcv, &d, &err), 0);
    CHECK_INT_EQ(d.delivered, 0);
    CHECK_INT_EQ(d.failed, 1);
    CHECK_INT_EQ(d.pending, 3);
    CHECK_INT_EQ(d.next_at, now + 30);
    /* Too early: nothing is tried. */
    CHECK_INT_EQ(
        coord_outbox_deliver(e.c, &ADMIN, "http://127.0.0.1:9/", 0, fake_post, &rcv, &d, &err), 0);
    CHECK_INT_EQ(rcv.posts, 1);
    /* Down again: the delay doubles. */
    coord_set_now(e.c, now + 30);
    CHECK_INT_EQ(
        coord_outbox_deliver(e.c, &ADMIN, "http://127.0.0.1:9/", 0, fake_post, &rcv, &d, &err), 0);
    CHECK_INT_EQ(d.next_at, now + 30 + 60);
    CHECK_INT_EQ(count(&e, "SELECT last_error FROM coord_outbox WHERE id = 1") == -1, 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE id = 1 AND attempts = 2 AND "
                           "last_error LIKE '%503%'"),
                 1);
    /* Up: everything goes, in order. */
    coord_set_now(e.c, now + 90);
    CHECK_INT_EQ(
        coord_outbox_deliver(e.c, &ADMIN, "http://127.0.0.1:9/", 0, fake_post, &rcv, &d, &err), 0);
    CHECK_INT_EQ(d.delivered, 3);
    CHECK_INT_EQ(d.pending, 0);
    CHECK_INT_EQ(rcv.ids[2], 1);
    CHECK_INT_EQ(rcv.ids[3], 2);
    CHECK_INT_EQ(rcv.ids[4], 3);
    CHECK_STR_EQ(rcv.last_body_topic, "workorder.created");
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL"), 0);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Metrics                                                                   */
/* ------------------------------------------------------------------------ */

struct mrows {
    int n;
    char key[8][16];
    int64_t wo[8], acked[8], resolved[8], open[8];
    double ack_med[8], ack_p90[8], res_med[8];
};

static int metrics_cb(void *arg, const struct coord_metrics_row *r)
{
    struct mrows *m = arg;

    if (m->n < 8) {
        snprintf(m->key[m->n], 16, "%s", r->key);
        m->wo[m->n] = r->workorders;
        m->acked[m->n] = r->acknowledged;
        m->resolved[m->n] = r->resolved;
        m->open[m->n] = r->open;
        m->ack_med[m->n] = r->ack_median_h;
        m->ack_p90[m->n] = r->ack_p90_h;
        m->res_med[m->n] = r->resolve_median_h;
    }
    m->n++;
    return 0;
}

TEST(coord, response_metrics_by_department_and_priority)
{
    static const int ack_hours[4] = {1, 2, 3, 4};
    struct coord_need_ack a[4];
    struct coord_move mv;
    struct mrows m;
    struct cscc_err err;
    struct env e;
    int i;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    /* Four lights (CDOT) in Austin and one graffiti (DSS) in the Loop. */
    for (i = 0; i < 4; i++)
        add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON + i * 0.004, &a[i]);
    {
        struct coord_need_req r = point_req("graffiti", LOOP_LAT, LOOP_LON);
        struct coord_need_ack g;

        r.answers = graffiti_ans;
        r.nanswers = 1;
        CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &g, &err), 0);
    }
    memset(&mv, 0, sizeof(mv));
    for (i = 0; i < 4; i++) {
        coord_set_now(e.c, t0() + ack_hours[i] * 3600);
        mv.to = COORD_ACKNOWLEDGED;
        CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a[i].workorder_id, &mv, &err), 0);
    }
    coord_set_now(e.c, t0() + 10 * 3600);
    mv.to = COORD_RESOLVED;
    CHECK_INT_EQ(coord_workorder_move(e.c, &CDOT, a[0].workorder_id, &mv, &err), 0);
    memset(&m, 0, sizeof(m));
    CHECK_INT_EQ(
        coord_metrics_response(e.c, &ANON, COORD_BY_DEPARTMENT, 0, 0, metrics_cb, &m, &err), 0);
    CHECK_INT_EQ(m.n, 2);
    CHECK_STR_EQ(m.key[0], "CDOT");
    CHECK_INT_EQ(m.wo[0], 4);
    CHECK_INT_EQ(m.acked[0], 4);
    CHECK_INT_EQ(m.resolved[0], 1);
    CHECK_INT_EQ(m.open[0], 3);
    CHECK_NEAR(m.ack_med[0], 2.5, 1e-9);
    CHECK_NEAR(m.ack_p90[0], 3.7, 1e-9);
    CHECK_NEAR(m.res_med[0], 10, 1e-9);
    CHECK_STR_EQ(m.key[1], "DSS");
    CHECK(isnan(m.ack_med[1]));
    memset(&m, 0, sizeof(m));
    CHECK_INT_EQ(coord_metrics_response(e.c, &ANON, COORD_BY_PRIORITY, 0, 0, metrics_cb, &m, &err),
                 0);
    CHECK_INT_EQ(m.n, 2);
    CHECK_STR_EQ(m.key[0], "priority");
    CHECK_INT_EQ(m.wo[0], 4);
    CHECK_STR_EQ(m.key[1], "other");
    CHECK_INT_EQ(m.wo[1], 1);
    /* A period with nothing in it. */
    memset(&m, 0, sizeof(m));
    CHECK_INT_EQ(coord_metrics_response(e.c, &ANON, COORD_BY_AREA, 1, 2, metrics_cb, &m, &err), 0);
    CHECK_INT_EQ(m.n, 0);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Partners, events, coverage                                                */
/* ------------------------------------------------------------------------ */

struct orgs_seen {
    int n;
    json_t *pub, *full;
    int verified;
    size_t nsectors;
};

static int org_cb(void *arg, const struct coord_org *o)
{
    struct orgs_seen *s = arg;

    s->n++;
    json_decref(s->pub);
    json_decref(s->full);
    s->pub = coord_org_json(o, COORD_VIEW_PUBLIC);
    s->full = coord_org_json(o, COORD_VIEW_FULL);
    s->verified = o->verified;
    s->nsectors = o->nsectors;
    return 0;
}

struct cov {
    int n;
    int area[80];
    int64_t events[80], youth[80], city[80], mental[80];
    int covered[80];
};

static int cov_cb(void *arg, const struct coord_coverage_row *r)
{
    struct cov *c = arg;

    if (c->n < 80) {
        c->area[c->n] = r->area;
        c->events[c->n] = r->events;
        c->youth[c->n] = r->sector_events[3];
        c->mental[c->n] = r->sector_events[1];
        c->city[c->n] = r->sector_events[9];
        c->covered[c->n] = r->sectors_covered;
    }
    c->n++;
    return 0;
}

TEST(coord, partners_events_and_coverage)
{
    static const char *const sec1[] = {"youth_services", "Violence-Reduction"};
    static const char *const sec_bad[] = {"astrology"};
    static const int areas1[] = {25, 26};
    static const char *const svc1[] = {"Mentoring", "Summer jobs"};
    struct coord_org o;
    struct coord_event ev;
    struct orgs_seen seen = {0};
    struct cov cv;
    struct cscc_err err;
    struct env e;
    int64_t org1 = 0, org2 = 0, ev1 = 0, ev2 = 0;
    struct coord_actor partner = {COORD_ROLE_PARTNER, 0, NULL, "p1"};
    char *text;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    memset(&o, 0, sizeof(o));
    o.name = "Austin Youth Alliance";
    o.sectors = sec1;
    o.nsectors = 2;
    o.areas = areas1;
    o.nareas = 2;
    o.services = svc1;
    o.nservices = 2;
    o.capacity_per_week = 40;
    o.contact_name = "Pat Partner";
    o.contact_email = "pat@aya.example";
    CHECK_INT_EQ(coord_org_create(e.c, &ANON, &o, &org1, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &org1, &err), 0);
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &org2, &err), CSCC_EEXIST);
    o.name = "AUSTIN youth alliance";
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &org2, &err), CSCC_EEXIST);
    CHECK_STR_EQ(err.field, "name");
    o.name = "Other";
    o.sectors = sec_bad;
    o.nsectors = 1;
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &org2, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "sectors[0]");
    o.sectors = sec1;
    o.nsectors = 2;
    o.nareas = 0; /* citywide */
    o.contact_email = "x@";
    CHECK_INT_EQ(coord_org_create(e.c, &partner, &o, &org2, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "contact_email");
    o.contact_email = "";
    o.sectors = (const char *const[]){"mental_health"};
    o.nsectors = 1;
    CHECK_INT_EQ(coord_org_create(e.c, &COORDINATOR, &o, &org2, &err), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_orgs"), 2);

    /* The partner edits its own record only; a coordinator verifies it. */
    partner.org_id = org1;
    memset(&o, 0, sizeof(o));
    o.capacity_per_week = 60;
    o.capacity_unit = "slots";
    CHECK_INT_EQ(coord_org_update(e.c, &partner, org1, &o, COORD_ORG_CAPACITY, &err), 0);
    CHECK_INT_EQ(coord_org_update(e.c, &partner, org2, &o, COORD_ORG_CAPACITY, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_org_update(e.c, &COORDINATOR, 99, &o, COORD_ORG_CAPACITY, &err),
                 CSCC_ENOENT);
    CHECK_INT_EQ(coord_org_verify(e.c, &partner, org1, 1, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_org_verify(e.c, &COORDINATOR, org1, 1, &err), 0);
    CHECK_INT_EQ(coord_org_get(e.c, org1, org_cb, &seen, &err), 0);
    CHECK_INT_EQ(seen.verified, 1);
    CHECK_INT_EQ(seen.nsectors, 2);
    CHECK_INT_EQ(json_integer_value(json_object_get(seen.pub, "capacity_per_week")), 60);
    text = json_dumps(seen.pub, JSON_COMPACT);
    CHECK(text && !strstr(text, "pat@aya.example") && !strstr(text, "Pat Partner") &&
          !strstr(text, "coord1"));
    CHECK(text && strstr(text, "\"sectors\":[\"violence_reduction\",\"youth_services\"]"));
    free(text);
    text = json_dumps(seen.full, JSON_COMPACT);
    CHECK(text && strstr(text, "pat@aya.example"));
    free(text);
    {
        struct coord_org x;

        memset(&x, 0, sizeof(x));
        x.id = org1;
        CHECK_INT_EQ(coord_org_view(&partner, &x), COORD_VIEW_FULL);
        x.id = org2;
        CHECK_INT_EQ(coord_org_view(&partner, &x), COORD_VIEW_PUBLIC);
        CHECK_INT_EQ(coord_org_view(&ANON, &x), COORD_VIEW_PUBLIC);
    }
    /* The directory: by sector and area (citywide organizations serve every area). */
    {
        struct coord_org_filter f = {0};

        seen.n = 0;
        f.area = 7;
        CHECK_INT_EQ(coord_org_each(e.c, &f, org_cb, &seen, &err), 0);
        CHECK_INT_EQ(seen.n, 1);
        seen.n = 0;
        f.area = 25;
        f.sector = "youth_services";
        CHECK_INT_EQ(coord_org_each(e.c, &f, org_cb, &seen, &err), 0);
        CHECK_INT_EQ(seen.n, 1);
        seen.n = 0;
        f.sector = NULL;
        f.area = 0;
        f.name = "youth";
        CHECK_INT_EQ(coord_org_each(e.c, &f, org_cb, &seen, &err), 0);
        CHECK_INT_EQ(seen.n, 1);
    }

    /* Events: in Austin, org1 present (youth, violence reduction) and DSS. */
    memset(&ev, 0, sizeof(ev));
    ev.type = "peace_walk";
    ev.day = cscc_days_from_civil(2026, 2, 14);
    ev.area = 25;
    ev.attendance = 120;
    ev.orgs = (const int64_t[]){org1};
    ev.norgs = 1;
    ev.departments = (const char *const[]){"DSS"};
    ev.ndepartments = 1;
    ev.sectors = (const char *const[]){"faith"};
    ev.nsectors = 1;
    ev.commitments = (const struct coord_commitment[]){
        {"Fix the lights on Madison", "CDOT", 1, cscc_days_from_civil(2026, 3, 1)}};
    ev.ncommitments = 1;
    CHECK_INT_EQ(coord_event_create(e.c, &ANON, &ev, &ev1, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_event_create(e.c, &partner, &ev, &ev1, &err), 0);
    ev.type = "fiesta";
    CHECK_INT_EQ(coord_event_create(e.c, &partner, &ev, &ev2, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "type");
    ev.type = "community_meeting";
    ev.orgs = (const int64_t[]){999};
    CHECK_INT_EQ(coord_event_create(e.c, &partner, &ev, &ev2, &err), CSCC_ENOENT);
    CHECK_STR_EQ(err.field, "orgs[0]");
    /* A second event in Austin with the citywide mental-health organization, outside the period
     * too; and one in Lincoln Park (not a priority area). */
    ev.orgs = (const int64_t[]){org2};
    ev.ndepartments = 0;
    ev.nsectors = 0;
    ev.ncommitments = 0;
    CHECK_INT_EQ(coord_event_create(e.c, &COORDINATOR, &ev, &ev2, &err), 0);
    ev.day = cscc_days_from_civil(2025, 6, 1);
    CHECK_INT_EQ(coord_event_create(e.c, &COORDINATOR, &ev, &ev2, &err), 0);
    ev.area = 7;
    ev.day = cscc_days_from_civil(2026, 2, 1);
    CHECK_INT_EQ(coord_event_create(e.c, &COORDINATOR, &ev, &ev2, &err), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_events"), 4);

    memset(&cv, 0, sizeof(cv));
    CHECK_INT_EQ(coord_coverage(e.c, &ANON, 0, 1, 0, cov_cb, &cv, &err), CSCC_EPERM);
    CHECK_INT_EQ(coord_coverage(e.c, &DSS, cscc_days_from_civil(2026, 1, 1),
                                cscc_days_from_civil(2026, 3, 31), 0, cov_cb, &cv, &err),
                 0);
    CHECK_INT_EQ(cv.n, 15);
    CHECK_INT_EQ(cv.area[0], 25); /* the list's order */
    CHECK_INT_EQ(cv.events[0], 2);
    CHECK_INT_EQ(cv.youth[0], 1);
    CHECK_INT_EQ(cv.mental[0], 1);
    CHECK_INT_EQ(cv.city[0], 1);
    /* youth, violence reduction, faith, city services, mental health */
    CHECK_INT_EQ(cv.covered[0], 5);
    CHECK_INT_EQ(cv.events[1], 0);
    memset(&cv, 0, sizeof(cv));
    CHECK_INT_EQ(coord_coverage(e.c, &DSS, cscc_days_from_civil(2026, 1, 1),
                                cscc_days_from_civil(2026, 3, 31), 1, cov_cb, &cv, &err),
                 0);
    CHECK_INT_EQ(cv.n, 77);
    CHECK_INT_EQ(cv.area[6], 7);
    CHECK_INT_EQ(cv.events[6], 1);
    json_decref(seen.pub);
    json_decref(seen.full);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */
/* ------------------------------------------------------------------------ */

TEST(coord, settings_are_checked_and_used)
{
    struct coord_config cfg;
    struct coord_need_ack a1, a2;
    struct cscc_err err;
    struct env e;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(coord_config_set(e.st, &COORDINATOR, "duplicate_radius_m", "100", &err),
                 CSCC_EPERM);
    CHECK_INT_EQ(coord_config_set(e.st, &ADMIN, "duplicate_radius_m", "-5", &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "duplicate_radius_m");
    CHECK_INT_EQ(coord_config_set(e.st, &ADMIN, "nope", "1", &err), CSCC_EINVAL);
    CHECK_INT_EQ(coord_config_set(e.st, &ADMIN, "webhook_url", "ftp://x", &err), CSCC_EINVAL);
    CHECK_INT_EQ(coord_config_set(e.st, &ADMIN, "coord.duplicate_radius_m", "100", &err), 0);
    CHECK_INT_EQ(coord_config_load(e.st, &cfg, &err), 0);
    CHECK_NEAR(cfg.duplicate_radius_m, 100, 0);
    CHECK_INT_EQ(coord_reload(e.c, &err), 0);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a1);
    add_light(&e, &ANON, AUSTIN_LAT + 80 / 111194.9, AUSTIN_LON, &a2);
    CHECK_INT_EQ(a2.duplicate_of, a1.id);
    CHECK_INT_EQ(coord_config_set(e.st, &ADMIN, "duplicate_radius_m", NULL, &err), 0);
    CHECK_INT_EQ(coord_config_load(e.st, &cfg, &err), 0);
    CHECK_NEAR(cfg.duplicate_radius_m, 50, 0);
    env_close(&e);
}

/* ------------------------------------------------------------------------ */
/* Durability: a full disk and a read-only database                          */
/* ------------------------------------------------------------------------ */

TEST(coord, full_disk_stores_nothing_and_recovers)
{
    struct coord_need_req r = point_req("streetlight_out", AUSTIN_LAT, AUSTIN_LON);
    struct coord_need_ack ack;
    struct cscc_err err;
    struct env e;
    int64_t pages = 0, before;
    char ok[16] = "";
    int i, rc = 0;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    r.answers = light_ans;
    r.nanswers = 1;
    /* Cap the database at its current size: the next page it needs is not there. */
    pages = count(&e, "PRAGMA page_count");
    CHECK_INT_EQ(store_set_max_pages(e.st, (uint64_t)pages, &err), 0);
    before = count(&e, "SELECT count(*) FROM coord_needs");
    for (i = 0; i < 500 && !rc; i++) {
        r.lat = AUSTIN_LAT + i * 0.001; /* far enough apart not to be duplicates */
        rc = coord_need_add(e.c, &ANON, &r, &ack, &err);
        if (!rc)
            before++;
    }
    CHECK_INT_EQ(rc, CSCC_EIO);
    CHECK(strstr(err.msg, "full") != NULL);
    CHECK(strstr(err.msg, "nothing was stored") != NULL);
    /* Every need acknowledged is whole; the failed one left nothing behind. */
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_needs"), before);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_workorders"), before);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_wo_history"), before);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_outbox"), before);
    {
        struct cscc_err e2;

        cscc_err_clear(&e2);
        store_exec(e.st, "check", "PRAGMA integrity_check", NULL, 0, NULL, NULL, &e2);
        CHECK_INT_EQ(e2.code, 0);
    }
    (void)ok;
    /* With room again, intake goes on. */
    CHECK_INT_EQ(store_set_max_pages(e.st, 0, &err), 0);
    r.lat = AUSTIN_LAT - 0.01;
    CHECK_INT_EQ(coord_need_add(e.c, &ANON, &r, &ack, &err), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_needs"), before + 1);
    env_close(&e);
}

TEST(coord, inside_a_callers_transaction_a_failed_write_undoes_only_itself)
{
    struct coord_need_ack a1;
    struct coord_need_req r = point_req("streetlight_out", AUSTIN_LAT, AUSTIN_LON);
    struct cscc_err err;
    struct env e;

    if (env_open(&e, 0))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(store_begin(e.st, &err), 0);
    add_light(&e, &ANON, AUSTIN_LAT, AUSTIN_LON, &a1);
    r.nanswers = 0; /* refused before anything is written */
    CHECK(coord_need_add(e.c, &ANON, &r, &a1, &err) != 0);
    r.answers = light_ans;
    r.nanswers = 1;
    r.contact_email = "bad";
    CHECK(coord_need_add(e.c, &ANON, &r, &a1, &err) != 0);
    CHECK_INT_EQ(store_commit(e.st, &err), 0);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_needs"), 1);
    CHECK_INT_EQ(count(&e, "SELECT count(*) FROM coord_workorders"), 1);
    env_close(&e);
}
