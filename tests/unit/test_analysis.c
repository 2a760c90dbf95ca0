/* Unit tests of the analysis module's shared parts: the result writer. */
#include "test.h"

#include "analysis/result.h"
#include "core/alloc.h"

#include <jansson.h>

static struct an_result *sample(void)
{
    struct an_result *r = an_result_new("demo");
    static const double ring[] = {-87.7, 41.8, -87.6, 41.8, -87.6, 41.9, -87.7, 41.9};

    an_param(r, "bandwidth", "%s", "auto");
    an_param_num(r, "cell_m", 250);
    an_data(r, "period", "%s", "2016-01-01/2016-12-31");
    an_data_num(r, "rows", 1730);
    an_seed(r, 42);
    an_summary_num(r, "moran_i", 0.5);
    an_warn(r, "%d cells had no data", 3);
    an_column(r, "name", AN_STR);
    an_column(r, "count", AN_INT);
    an_column(r, "z", AN_NUM);
    an_row(r);
    an_str(r, "=cmd()");
    an_int(r, 7);
    an_num(r, 0.1);
    an_geom_point(r, -87.65, 41.85);
    an_row(r);
    an_str(r, "a, \"b\"");
    an_int(r, -3);
    an_num(r, NAN);
    an_geom_ring(r, ring, 4);
    an_row(r);
    an_str(r, "plain");
    an_int(r, 0);
    an_num(r, 1.0 / 3.0);
    return r;
}

TEST(analysis, result_csv)
{
    struct an_result *r = sample();
    struct strbuf sb;

    strbuf_init(&sb, 0);
    CHECK_INT_EQ(an_result_write(r, AN_CSV, &sb), 0);
    CHECK_STR_EQ(sb.buf, "name,count,z\n"
                         "'=cmd(),7,0.1\n"
                         "\"a, \"\"b\"\"\",-3,\n"
                         "plain,0,0.3333333333333333\n");
    strbuf_release(&sb);
    an_result_free(r);
}

TEST(analysis, result_json_and_geojson)
{
    struct an_result *r = sample();
    struct strbuf sb;
    json_error_t je;
    json_t *j, *f;

    strbuf_init(&sb, 0);
    CHECK_INT_EQ(an_result_write(r, AN_JSON, &sb), 0);
    j = json_loadb(sb.buf, sb.len, 0, &je);
    CHECK(j != NULL);
    if (j) {
        CHECK_STR_EQ(json_string_value(json_object_get(j, "analysis")), "demo");
        CHECK_STR_EQ(
            json_string_value(json_object_get(json_object_get(j, "parameters"), "bandwidth")),
            "auto");
        CHECK(json_number_value(json_object_get(json_object_get(j, "parameters"), "cell_m")) ==
              250);
        CHECK(json_integer_value(json_object_get(j, "seed")) == 42);
        CHECK(json_number_value(json_object_get(json_object_get(j, "summary"), "moran_i")) == 0.5);
        CHECK_INT_EQ(json_array_size(json_object_get(j, "rows")), 3);
        CHECK(json_is_null(json_array_get(json_array_get(json_object_get(j, "rows"), 1), 2)));
        CHECK_STR_EQ(json_string_value(json_array_get(json_object_get(j, "warnings"), 0)),
                     "3 cells had no data");
        json_decref(j);
    }
    strbuf_reset(&sb);
    CHECK_INT_EQ(an_result_write(r, AN_GEOJSON, &sb), 0);
    j = json_loadb(sb.buf, sb.len, 0, &je);
    CHECK(j != NULL);
    if (j) {
        json_t *feats = json_object_get(j, "features");

        CHECK_STR_EQ(json_string_value(json_object_get(j, "type")), "FeatureCollection");
        CHECK_INT_EQ(json_array_size(feats), 3);
        f = json_array_get(feats, 0);
        CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(f, "geometry"), "type")),
                     "Point");
        CHECK(json_integer_value(json_object_get(json_object_get(f, "properties"), "count")) == 7);
        /* the ring is closed as RFC 7946 wants: 5 positions for 4 corners */
        f = json_array_get(feats, 1);
        CHECK_INT_EQ(json_array_size(json_array_get(
                         json_object_get(json_object_get(f, "geometry"), "coordinates"), 0)),
                     5);
        CHECK(json_is_null(json_object_get(json_array_get(feats, 2), "geometry")));
        CHECK_STR_EQ(json_string_value(json_object_get(json_object_get(j, "cscc"), "analysis")),
                     "demo");
        json_decref(j);
    }
    strbuf_release(&sb);
    an_result_free(r);
}

TEST(analysis, result_access_and_limits)
{
    struct an_result *r = sample();
    struct strbuf sb;

    CHECK_INT_EQ(an_nrows(r), 3);
    CHECK_INT_EQ(an_col_index(r, "z"), 2);
    CHECK_INT_EQ(an_col_index(r, "nope"), -1);
    CHECK(an_cell_num(r, 0, 1) == 7);
    CHECK_STR_EQ(an_cell_str(r, 2, 0), "plain");
    CHECK(an_summary_get(r, "moran_i") == 0.5);
    CHECK(isnan(an_summary_get(r, "nope")));
    CHECK_INT_EQ(an_format_by_name("geojson"), AN_GEOJSON);
    CHECK_INT_EQ(an_format_by_name("xml"), -1);
    /* a buffer too small: an error, and the buffer as it was */
    strbuf_init(&sb, 20);
    strbuf_adds(&sb, "keep");
    CHECK(an_result_write(r, AN_JSON, &sb) != 0);
    CHECK_STR_EQ(sb.buf, "keep");
    strbuf_release(&sb);
    an_result_free(r);
}
