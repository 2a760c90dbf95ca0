/* test_brief.c - the weekly brief's ISO weeks (brief/brief.h), checked
 * against dates Python's datetime.date.fromisocalendar gives. */
#include "test.h"

#include "brief/brief.h"
#include "core/time.h"

#include <string.h>

TEST(brief, week_mondays)
{
    /* (iso year, week) -> its Monday, from datetime.date.fromisocalendar(y, w, 1) */
    static const struct {
        int y, w;
        int yy;
        unsigned m, d;
    } cases[] = {
        {2018, 10, 2018, 3, 5},   {2018, 1, 2018, 1, 1},    {2017, 10, 2017, 3, 6},
        {2016, 1, 2016, 1, 4},    {2015, 53, 2015, 12, 28}, {2021, 1, 2021, 1, 4},
        {2020, 53, 2020, 12, 28}, {2019, 1, 2018, 12, 31},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t want = cscc_days_from_civil(cases[i].yy, cases[i].m, cases[i].d);
        int y, w;

        CHECK_INT_EQ(brief_week_monday(cases[i].y, cases[i].w), want);
        cscc_iso_week(want + 6, &y, &w);
        CHECK_INT_EQ(y, cases[i].y);
        CHECK_INT_EQ(w, cases[i].w);
    }
}

TEST(brief, parse_week)
{
    struct cscc_err err;
    int y, w;
    int64_t monday;

    cscc_err_clear(&err);
    CHECK_INT_EQ(brief_parse_week("2018-W10", &y, &w, &monday, &err), 0);
    CHECK_INT_EQ(y, 2018);
    CHECK_INT_EQ(w, 10);
    CHECK_INT_EQ(monday, cscc_days_from_civil(2018, 3, 5));
    CHECK_INT_EQ(brief_parse_week("2020-w53", &y, &w, &monday, &err), 0);
    CHECK_INT_EQ(monday, cscc_days_from_civil(2020, 12, 28));
    CHECK_INT_EQ(brief_parse_week("2018-W53", &y, &w, &monday, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.field, "week");
    CHECK(strstr(err.msg, "2018 has no ISO week 53") != NULL);
    CHECK_INT_EQ(brief_parse_week("2018-10", &y, &w, &monday, &err), CSCC_EINVAL);
    CHECK_INT_EQ(brief_parse_week("2018-W00", &y, &w, &monday, &err), CSCC_EINVAL);
    CHECK_INT_EQ(brief_parse_week("2018-W101", &y, &w, &monday, &err), CSCC_EINVAL);
    CHECK_INT_EQ(brief_parse_week("2018-W1x", &y, &w, &monday, &err), CSCC_EINVAL);
    CHECK_INT_EQ(brief_parse_week("", &y, &w, &monday, &err), CSCC_EINVAL);
}
