/* Unit tests of trends and the priority rule: the exact test against R's
 * poisson.test, year shifts, and hand-computed trends and rankings over
 * small tables imported for the test. */
#include "test.h"

#include "analysis/points.h"
#include "analysis/priority.h"
#include "analysis/trends.h"
#include "core/alloc.h"
#include "core/time.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */
/* ------------------------------------------------------------------------ */

TEST(temporal, poisson_test_matches_r)
{
    /* p-values printed by R 4.2's poisson.test(c(a, b), c(ta, tb)) with
     * options(digits = 17). */
    static const struct {
        uint64_t a, b;
        double ta, tb, p;
    } cases[] = {
        {139, 174, 181, 181, 0.054457958085347792},
        {139, 107, 181, 181, 0.047878820234390697},
        {5, 12, 10, 7, 0.023398991338151719},
        {12221, 14522, 181, 184, 3.9232902688427425e-37},
        {0, 3, 1, 1, 0.25000000000000006},
        {7, 0, 1, 1, 0.015625000000000007},
        {3, 3, 1, 2, 0.40740740740740744},
        {1, 20, 30, 1, 3.029938326974922e-29},
        {50, 50, 1, 1, 1},
        {200, 160, 365, 366, 0.034934676968146713},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double p = trends_poisson_test(cases[i].a, cases[i].ta, cases[i].b, cases[i].tb);

        CHECK_NEAR(p / cases[i].p, 1.0, 1e-8);
    }
    CHECK_NEAR(trends_poisson_test(0, 10, 0, 10), 1.0, 0);
}

TEST(temporal, binomial_tails_by_hand)
{
    /* binomial(4, 1/2): 1 4 6 4 1 over 16 */
    CHECK_NEAR(trends_binom_cdf(1, 4, 0.5), 5.0 / 16, 1e-15);
    CHECK_NEAR(trends_binom_cdf(2, 4, 0.5), 11.0 / 16, 1e-15);
    CHECK_NEAR(trends_binom_sf(3, 4, 0.5), 5.0 / 16, 1e-15);
    CHECK_NEAR(trends_binom_sf(0, 4, 0.5), 1.0, 0);
    CHECK_NEAR(trends_binom_cdf(4, 4, 0.5), 1.0, 0);
    /* binomial(3, 0.2): P(X >= 2) = 3 * 0.04 * 0.8 + 0.008 = 0.104 */
    CHECK_NEAR(trends_binom_sf(2, 3, 0.2), 0.104, 1e-15);
    /* 3 against 1 in equal periods: 2 * P(X >= 3) = 0.625; 3 against 0: 0.25 */
    CHECK_NEAR(trends_poisson_test(3, 10, 1, 10), 0.625, 1e-12);
    CHECK_NEAR(trends_poisson_test(3, 10, 0, 10), 0.25, 1e-12);
    CHECK_NEAR(trends_normal_p2(1.959963984540054), 0.05, 1e-12);
}

TEST(temporal, year_before)
{
    int64_t d, want;

    cscc_parse_day("2020-02-29", &d);
    cscc_parse_day("2019-02-28", &want);
    CHECK_INT_EQ(trends_year_before(d), want);
    cscc_parse_day("2021-03-01", &d);
    cscc_parse_day("2020-03-01", &want);
    CHECK_INT_EQ(trends_year_before(d), want);
    cscc_parse_day("2018-12-31", &d);
    cscc_parse_day("2017-12-31", &want);
    CHECK_INT_EQ(trends_year_before(d), want);
}

/* ------------------------------------------------------------------------ */
/* A small data directory                                                    */
/* ------------------------------------------------------------------------ */

#define CRIMES_HEADER                                                                              \
    "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,"         \
    "Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Updated On,"    \
    "Latitude,Longitude\n"

/* One crimes row: id, date (MM/DD/YYYY), area ("" for none), FBI code. */
static void crime(FILE *f, int id, const char *date, const char *area, const char *fbi)
{
    int hom = !strcmp(fbi, "01A");

    fprintf(f,
            "%d,JX%d,%s 10:00:00 AM,001XX W MADISON ST,%s,%s,%s,STREET,false,false,,,,%s,%s,,,"
            "01/01/2019 10:00:00 AM,,\n",
            id, id, date, hom ? "0110" : "0486", hom ? "HOMICIDE" : "BATTERY",
            hom ? "FIRST DEGREE MURDER" : "DOMESTIC BATTERY SIMPLE", area, fbi);
}

struct fixture {
    char dir[512];
    struct store *st;
    struct colstore_table *crimes, *victims, *layer;
};

static struct colstore_table *open_table(const char *dir, const char *name)
{
    char path[1024];
    struct cscc_err err;

    cscc_err_clear(&err);
    ingest_table_path(dir, name, path, sizeof(path));
    return colstore_open(path, &err);
}

static int import(struct fixture *fx, const char *dataset, const char *file, struct ingest_opts *o)
{
    struct ingest_summary sum;
    struct cscc_err err;
    const char *files[1] = {file};
    int rc;

    cscc_err_clear(&err);
    o->data_dir = fx->dir;
    o->store = fx->st;
    o->threads = 1;
    o->max_rejected = 0;
    rc = ingest_run(dataset, files, 1, o, &sum, &err);
    if (rc)
        test_note("import %s: %s", dataset, err.msg);
    return rc;
}

static int fixture_open(struct fixture *fx)
{
    struct cscc_err err;
    struct ingest_opts o;
    char path[1024], ref[1024];
    FILE *f;

    memset(fx, 0, sizeof(*fx));
    cscc_err_clear(&err);
    snprintf(fx->dir, sizeof(fx->dir), "%s", test_tmpdir());
    snprintf(path, sizeof(path), "%s/cscc.db", fx->dir);
    snprintf(ref, sizeof(ref), "%s/data/reference", TEST_SOURCE_DIR);
    if (!(fx->st = store_open(path, &err)) || ingest_reference(fx->st, ref, NULL, &err)) {
        test_note("store: %s", err.msg);
        return -1;
    }

    /* Crimes: the period 2018-03-01..10, prior 2018-02-19..28, a year
     * earlier 2017-03-01..10. Austin (25) and North Lawndale (29) are
     * priority areas, Rogers Park (1) is not. */
    snprintf(path, sizeof(path), "%s/crimes.csv", fx->dir);
    f = fopen(path, "w");
    fputs(CRIMES_HEADER, f);
    crime(f, 1, "03/01/2018", "25", "08B");
    crime(f, 2, "03/05/2018", "25", "08B");
    crime(f, 3, "03/10/2018", "25", "08B");
    crime(f, 4, "03/11/2018", "25", "08B"); /* after the period */
    crime(f, 5, "02/20/2018", "25", "08B"); /* prior */
    crime(f, 6, "02/18/2018", "25", "08B"); /* before the prior period */
    crime(f, 7, "02/19/2018", "29", "08B"); /* prior */
    crime(f, 8, "02/28/2018", "29", "08B"); /* prior */
    crime(f, 9, "03/02/2017", "29", "08B"); /* year ago */
    crime(f, 10, "03/10/2017", "29", "08B");
    crime(f, 11, "03/03/2018", "1", "08B");
    crime(f, 12, "03/01/2017", "1", "08B");
    crime(f, 13, "03/02/2017", "1", "08B");
    crime(f, 14, "03/03/2017", "1", "08B");
    crime(f, 15, "03/04/2017", "1", "08B");
    crime(f, 16, "03/04/2018", "", "08B"); /* no area: citywide only */
    crime(f, 17, "06/15/2018", "29", "01A");
    crime(f, 18, "06/16/2018", "29", "01A");
    crime(f, 19, "06/17/2016", "25", "01A"); /* before 2018 */
    fclose(f);
    memset(&o, 0, sizeof(o));
    if (import(fx, "crimes", path, &o))
        return -1;

    snprintf(path, sizeof(path), "%s/victims.csv", fx->dir);
    f = fopen(path, "w");
    fputs("CASE_NUMBER,DATE,VICTIMIZATION_PRIMARY,GUNSHOT_INJURY_I,UNIQUE_ID,COMMUNITY_AREA\n"
          "JV1,05/01/2018 10:00:00 AM,HOMICIDE,YES,HOM-JV1-#1,25\n"
          "JV2,06/01/2019 10:00:00 AM,HOMICIDE,NO,HOM-JV2-#1,AUSTIN\n"
          "JV3,07/01/2018 10:00:00 AM,BATTERY,YES,SHOT-JV3-#1,25\n"
          "JV4,01/05/2020 10:00:00 AM,BATTERY,YES,SHOT-JV4-#1,29\n"
          "JV5,02/01/2020 10:00:00 AM,BATTERY,NO,SHOT-JV5-#1,29\n"
          "JV6,03/03/2019 10:00:00 AM,ROBBERY,YES,SHOT-JV6-#1,1\n"
          "JV7,12/31/2017 10:00:00 AM,HOMICIDE,YES,HOM-JV7-#1,1\n",
          f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    if (import(fx, "victims", path, &o))
        return -1;

    snprintf(path, sizeof(path), "%s/shots.csv", fx->dir);
    f = fopen(path, "w");
    fputs("datetime,shooting_type,lat,lng\n"
          "2019-05-05T10:00:00Z,nonlethal,41.880379,-87.752495\n"
          "2019-05-06T10:00:00Z,lethal,41.880379,-87.752495\n"
          "2020-05-05T10:00:00Z,nonlethal,41.861717,-87.721386\n"
          "2016-01-01T10:00:00Z,nonlethal,41.861717,-87.721386\n",
          f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    o.layer = "shots";
    o.col_lat = "lat";
    o.col_lon = "lng";
    o.col_date = "datetime";
    o.date_format = "%Y-%m-%dT%H:%M:%SZ";
    if (import(fx, "layer", path, &o))
        return -1;
    fx->crimes = open_table(fx->dir, "crimes");
    fx->victims = open_table(fx->dir, "victims");
    fx->layer = open_table(fx->dir, "layer_shots");
    return fx->crimes && fx->victims && fx->layer ? 0 : -1;
}

static void fixture_close(struct fixture *fx)
{
    colstore_close(fx->crimes);
    colstore_close(fx->victims);
    colstore_close(fx->layer);
    store_close(fx->st);
}

/* The row of result r whose column `col` (text) is v, or -1. */
static long row_where(const struct an_result *r, const char *col, const char *v)
{
    int c = an_col_index(r, col);
    size_t i;

    for (i = 0; c >= 0 && i < an_nrows(r); i++)
        if (!strcmp(an_cell_str(r, i, (size_t)c), v))
            return (long)i;
    return -1;
}

static long area_row(const struct an_result *r, int area)
{
    int c = an_col_index(r, "community_area");
    size_t i;

    for (i = 0; c >= 0 && i < an_nrows(r); i++)
        if (an_cell_num(r, i, (size_t)c) == area)
            return (long)i;
    return -1;
}

static double cell(const struct an_result *r, long row, const char *col)
{
    int c = an_col_index(r, col);

    if (row < 0 || c < 0) {
        test_fail(__FILE__, __LINE__, "no cell %ld/%s", row, col);
        return NAN;
    }
    return an_cell_num(r, (size_t)row, (size_t)c);
}

TEST(temporal, trends_by_hand)
{
    struct fixture fx;
    struct counts_query q;
    struct an_result *r;
    struct cscc_err err;
    long i;

    if (fixture_open(&fx)) {
        test_fail(__FILE__, __LINE__, "fixture");
        fixture_close(&fx);
        return;
    }
    memset(&q, 0, sizeof(q));
    cscc_err_clear(&err);
    q.has_from = q.has_to = 1;
    cscc_parse_day("2018-03-01", &q.day_from);
    cscc_parse_day("2018-03-10", &q.day_to);
    q.nfbi = 1;
    q.fbi[0] = "08B";
    r = analysis_trends(fx.crimes, NULL, fx.st, &q, TRENDS_INCIDENTS, &err);
    CHECK(r != NULL);
    if (!r) {
        test_note("%s", err.msg);
        fixture_close(&fx);
        return;
    }
    /* Austin: 3 now, 1 before, 0 a year ago. */
    i = area_row(r, 25);
    CHECK_NEAR(cell(r, i, "count"), 3, 0);
    CHECK_NEAR(cell(r, i, "priority"), 1, 0);
    CHECK_NEAR(cell(r, i, "prior_count"), 1, 0);
    CHECK_NEAR(cell(r, i, "prior_change"), 2, 0);
    CHECK_NEAR(cell(r, i, "prior_change_pct"), 200, 1e-12);
    CHECK_NEAR(cell(r, i, "prior_p"), 0.625, 1e-12);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 0, 0);
    CHECK(isnan(cell(r, i, "year_ago_change_pct")));
    CHECK_NEAR(cell(r, i, "year_ago_p"), 0.25, 1e-12);
    /* North Lawndale: 0, 2, 2. */
    i = area_row(r, 29);
    CHECK_NEAR(cell(r, i, "count"), 0, 0);
    CHECK_NEAR(cell(r, i, "prior_count"), 2, 0);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 2, 0);
    CHECK_NEAR(cell(r, i, "prior_change_pct"), -100, 1e-12);
    /* Rogers Park: 1, 0, 4 (1 against 4 in equal periods: p = 0.375). */
    i = area_row(r, 1);
    CHECK_NEAR(cell(r, i, "priority"), 0, 0);
    CHECK_NEAR(cell(r, i, "count"), 1, 0);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 4, 0);
    CHECK_NEAR(cell(r, i, "year_ago_change_pct"), -75, 1e-12);
    CHECK_NEAR(cell(r, i, "year_ago_p"), 0.375, 1e-12);
    /* Groups: priority 3/3/2, rest 1/0/4, citywide 5/3/6 (one row has no area). */
    i = row_where(r, "unit", "priority");
    CHECK_NEAR(cell(r, i, "count"), 3, 0);
    CHECK_NEAR(cell(r, i, "prior_count"), 3, 0);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 2, 0);
    i = row_where(r, "unit", "rest");
    CHECK_NEAR(cell(r, i, "count"), 1, 0);
    CHECK_NEAR(cell(r, i, "prior_count"), 0, 0);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 4, 0);
    i = row_where(r, "unit", "citywide");
    CHECK_NEAR(cell(r, i, "count"), 5, 0);
    CHECK_NEAR(cell(r, i, "prior_count"), 3, 0);
    CHECK_NEAR(cell(r, i, "year_ago_count"), 6, 0);
    CHECK_INT_EQ(an_nrows(r), 77 + 3);
    /* priority vs rest, a year ago: (3/2)/(1/4) = 6, z = ln 6 / sqrt(1/3+1/2+1+1/4) */
    CHECK_NEAR(an_summary_get(r, "priority_vs_rest_year_ago_change_ratio"), 6, 1e-12);
    CHECK_NEAR(an_summary_get(r, "priority_vs_rest_year_ago_z"),
               log(6) / sqrt(1.0 / 3 + 0.5 + 1 + 0.25), 1e-12);
    CHECK(isnan(an_summary_get(r, "priority_vs_rest_prior_z"))); /* rest had 0 before */
    CHECK_NEAR(an_summary_get(r, "priority_share"), 0.6, 1e-12);
    an_result_free(r);

    /* --area 1 --area 25: two areas, no rows without an area. */
    q.nareas = 2;
    q.areas[0] = 1;
    q.areas[1] = 25;
    r = analysis_trends(fx.crimes, NULL, fx.st, &q, TRENDS_INCIDENTS, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT_EQ(an_nrows(r), 2 + 3);
        CHECK_NEAR(cell(r, row_where(r, "unit", "citywide"), "count"), 4, 0);
        an_result_free(r);
    }
    fixture_close(&fx);
}

TEST(temporal, serious_sources_by_hand)
{
    struct fixture fx;
    struct serious_tables s;
    struct counts_query q;
    enum serious_source use;
    struct cscc_err err;
    uint64_t acc[256 * 3], rows = 0;
    char desc[512];

    if (fixture_open(&fx)) {
        test_fail(__FILE__, __LINE__, "fixture");
        fixture_close(&fx);
        return;
    }
    memset(&s, 0, sizeof(s));
    memset(&q, 0, sizeof(q));
    cscc_err_clear(&err);
    s.victims = fx.victims;
    s.crimes = fx.crimes;
    s.layer = fx.layer;
    s.layer_name = "shots";
    s.layer_column = "shooting_type";
    s.layer_value = "nonlethal";
    q.has_from = q.has_to = 1;
    cscc_parse_day("2018-01-01", &q.day_from);
    cscc_parse_day("2020-12-31", &q.day_to);

    /* victims: homicides and other victims shot, by year 2018..2020 */
    CHECK_INT_EQ(serious_resolve(&s, &use, desc, sizeof(desc), &err), 0);
    CHECK_INT_EQ(use, SERIOUS_VICTIMS);
    memset(acc, 0, sizeof(acc));
    CHECK_INT_EQ(serious_count(&s, use, fx.st, &q, 2018, 3, acc, &rows, &err), 0);
    CHECK_INT_EQ(acc[25 * 3 + 0], 2); /* homicide and shooting of 2018 */
    CHECK_INT_EQ(acc[25 * 3 + 1], 1); /* homicide without gunshot, 2019 */
    CHECK_INT_EQ(acc[29 * 3 + 2], 1); /* the unshot battery victim is not counted */
    CHECK_INT_EQ(acc[1 * 3 + 1], 1);
    CHECK_INT_EQ(acc[1 * 3 + 0], 0); /* 2017 */
    CHECK_INT_EQ(rows, 6);

    /* crimes + layer: FBI 01A rows and the layer's nonlethal rows */
    s.source = SERIOUS_CRIMES;
    CHECK_INT_EQ(serious_resolve(&s, &use, desc, sizeof(desc), &err), 0);
    CHECK_INT_EQ(use, SERIOUS_CRIMES);
    CHECK(strstr(desc, "layer 'shots'") != NULL);
    memset(acc, 0, sizeof(acc));
    CHECK_INT_EQ(serious_count(&s, use, fx.st, &q, INT64_MIN, 1, acc, NULL, &err), 0);
    CHECK_INT_EQ(acc[29], 3);
    CHECK_INT_EQ(acc[25], 1);

    /* no layer: refused, saying what to import */
    s.layer = NULL;
    CHECK_INT_EQ(serious_resolve(&s, &use, desc, sizeof(desc), &err), CSCC_EINVAL);
    CHECK(strstr(err.msg, "import layer") != NULL);
    /* a crimes filter does not apply */
    s.layer = fx.layer;
    q.category = "violent";
    CHECK_INT_EQ(serious_count(&s, SERIOUS_CRIMES, fx.st, &q, INT64_MIN, 1, acc, NULL, &err),
                 CSCC_EINVAL);
    fixture_close(&fx);
}

TEST(temporal, priority_rule_by_hand)
{
    struct fixture fx;
    struct serious_tables s;
    struct an_result *r;
    struct cscc_err err;
    int computed[256], pri[256];
    size_t n = 0, np = 0;
    int64_t from, to, id = 0;
    long i;

    if (fixture_open(&fx)) {
        test_fail(__FILE__, __LINE__, "fixture");
        fixture_close(&fx);
        return;
    }
    memset(&s, 0, sizeof(s));
    cscc_err_clear(&err);
    s.victims = fx.victims;
    cscc_parse_day("2018-01-01", &from);
    cscc_parse_day("2020-12-31", &to);
    r = analysis_priority(&s, fx.st, from, to, 2, computed, &n, &err);
    CHECK(r != NULL);
    if (!r) {
        test_note("%s", err.msg);
        fixture_close(&fx);
        return;
    }
    /* Austin 3 (mean 1 a year); North Lawndale and Rogers Park 1 each: the
     * tie is broken by area number, so Rogers Park makes the top 2. */
    CHECK_INT_EQ(n, 2);
    CHECK_INT_EQ(computed[0], 25);
    CHECK_INT_EQ(computed[1], 1);
    i = row_where(r, "name", "Austin");
    CHECK_NEAR(cell(r, i, "rank"), 1, 0);
    CHECK_NEAR(cell(r, i, "serious"), 3, 0);
    CHECK_NEAR(cell(r, i, "mean_per_year"), 1.0, 1e-12);
    CHECK_NEAR(cell(r, i, "count_2018"), 2, 0);
    CHECK_NEAR(cell(r, i, "count_2019"), 1, 0);
    CHECK_STR_EQ(an_cell_str(r, (size_t)i, (size_t)an_col_index(r, "status")), "both");
    i = row_where(r, "name", "Rogers Park");
    CHECK_STR_EQ(an_cell_str(r, (size_t)i, (size_t)an_col_index(r, "status")), "only computed");
    i = row_where(r, "name", "North Lawndale");
    CHECK_STR_EQ(an_cell_str(r, (size_t)i, (size_t)an_col_index(r, "status")), "only configured");
    CHECK_NEAR(an_summary_get(r, "in_both"), 1, 0);
    CHECK_NEAR(an_summary_get(r, "only_configured"), 14, 0);
    CHECK_NEAR(an_summary_get(r, "only_computed"), 1, 0);
    CHECK_INT_EQ(an_nrows(r), 77);
    an_result_free(r);

    /* Applying replaces the list and records it in provenance. */
    CHECK_INT_EQ(analysis_priority_apply(fx.st, computed, n, "test", &id, &err), 0);
    CHECK(id > 0);
    CHECK_INT_EQ(store_get_priority(fx.st, "ocos", pri, 256, &np, &err), 0);
    CHECK_INT_EQ(np, 2);
    CHECK_INT_EQ(pri[0], 25);
    CHECK_INT_EQ(pri[1], 1);
    /* A bad list (an area that does not exist) changes nothing and is
     * recorded as failed. */
    computed[0] = 200;
    CHECK(analysis_priority_apply(fx.st, computed, 1, "bad", &id, &err) != 0);
    CHECK_INT_EQ(store_get_priority(fx.st, "ocos", pri, 256, &np, &err), 0);
    CHECK_INT_EQ(np, 2);
    fixture_close(&fx);
}

TEST(temporal, counts_match_filters)
{
    struct fixture fx;
    struct counts_query q;
    struct counts_result *r;
    struct cscc_err err;

    if (fixture_open(&fx)) {
        test_fail(__FILE__, __LINE__, "fixture");
        fixture_close(&fx);
        return;
    }
    memset(&q, 0, sizeof(q));
    cscc_err_clear(&err);
    /* victims not killed and shot: JV3, JV4, JV6 */
    q.nmatch = 2;
    q.match[0] = (struct counts_match){"victimization_primary", {"homicide"}, 1, 1};
    q.match[1] = (struct counts_match){"gunshot_injury", {"1"}, 1, 0};
    r = analysis_counts(fx.victims, fx.st, &q, &err);
    CHECK(r != NULL);
    if (r) {
        CHECK_INT_EQ(counts_total(r), 3);
        analysis_counts_free(r);
    }
    /* the spatial analyses select with the same filter: the same 3 rows */
    {
        struct an_points_query pq;
        struct an_crs crs;
        struct an_points pts;

        memset(&pq, 0, sizeof(pq));
        memset(&pts, 0, sizeof(pts));
        pq.source = AN_SRC_VICTIMS;
        pq.f = q;
        pq.keep_unlocated = 1;
        CHECK_INT_EQ(an_crs_init(&crs, fx.st, NULL, &err), 0);
        CHECK_INT_EQ(analysis_points_load(fx.victims, fx.st, &pq, &crs, &pts, &err), 0);
        CHECK_INT_EQ(pts.info.rows_selected, 3);
        an_points_release(&pts);
        /* not killed and not shot: points and counts agree */
        pq.f.match[1].negate = 1;
        CHECK_INT_EQ(analysis_points_load(fx.victims, fx.st, &pq, &crs, &pts, &err), 0);
        CHECK(pts.info.rows_selected > 0);
        r = analysis_counts(fx.victims, fx.st, &pq.f, &err);
        CHECK(r != NULL);
        if (r) {
            CHECK_INT_EQ(counts_total(r), pts.info.rows_selected);
            analysis_counts_free(r);
        }
        an_points_release(&pts);
        an_crs_release(&crs);
    }
    /* a column that does not exist, a number out of range */
    q.nmatch = 1;
    q.match[0] = (struct counts_match){"no_such", {"x"}, 1, 0};
    CHECK(analysis_counts(fx.victims, fx.st, &q, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);
    q.match[0] = (struct counts_match){"gunshot_injury", {"300"}, 1, 0};
    CHECK(analysis_counts(fx.victims, fx.st, &q, &err) == NULL);
    fixture_close(&fx);
}
