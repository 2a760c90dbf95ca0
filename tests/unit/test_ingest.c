/* Unit tests of ingest's field parsers: the 8-bytes-at-a-time paths must
 * give exactly what the general parsers (and strtod) give, and never look
 * at the bytes after a field, whatever they are. */
#include "test.h"

#include "ingest/ingest_int.h"

#include <stdlib.h>

/* A field holding s, followed in memory by `after` and then padding, as the
 * CSV reader leaves it. */
struct padded {
    char buf[128];
    struct csv_field f;
};

static const struct csv_field *field(struct padded *pd, const char *s, const char *after)
{
    size_t n = strlen(s);

    memset(pd->buf, '7', sizeof(pd->buf)); /* digits after the field: must be ignored */
    memcpy(pd->buf, s, n);
    memcpy(pd->buf + n, after, strlen(after));
    pd->f.p = pd->buf;
    pd->f.len = n;
    return &pd->f;
}

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

TEST(ingest, field_int_agrees_with_parse_int)
{
    static const char *const cases[] = {
        "0",
        "7",
        "42",
        "1234567",
        "12345678",
        "123456789",
        "1234567890123456",
        "12345678901234567",
        "999999999999999999",
        "9999999999999999999",
        "-5",
        "+5",
        " 12",
        "12 ",
        "17.0",
        "17.00",
        "17.5",
        "1a",
        "a1",
        "",
        " ",
        "0012",
        "1.",
        "--1",
        "8/9",
        ":1",
    };
    static const char *const afters[] = {"", ",", "5", "99999999", "\n", ".0"};
    struct padded pd;
    size_t i, j;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (j = 0; j < sizeof(afters) / sizeof(afters[0]); j++) {
            int64_t a = -99, b = -99;
            int ra = ingest__parse_int(cases[i], strlen(cases[i]), &a);
            int rb = ingest__field_int(field(&pd, cases[i], afters[j]), &b);

            CHECK_INT_EQ(rb, ra);
            if (ra == 0 && rb == 0 && a != b)
                test_fail(__FILE__, __LINE__, "'%s': %lld, want %lld", cases[i], (long long)b,
                          (long long)a);
        }
    /* random digit strings with a stray byte now and then */
    for (i = 0; i < 200000; i++) {
        char s[24];
        size_t n = 1 + rnd() % 20, k;
        int64_t a = -99, b = -99;

        for (k = 0; k < n; k++)
            s[k] = (char)('0' + rnd() % 10);
        if (rnd() % 8 == 0)
            s[rnd() % n] = "/:. -x"[rnd() % 6];
        s[n] = '\0';
        CHECK_INT_EQ(ingest__field_int(field(&pd, s, "1234"), &b), ingest__parse_int(s, n, &a));
        CHECK(a == b);
    }
}

TEST(ingest, field_double_equals_strtod)
{
    static const char *const cases[] = {
        "41.879113638",
        "-87.667584534",
        "41.8",
        "-87.6",
        "0.0",
        "-0.0",
        "1.",
        "12345678.5",
        "1234567.123456789012",
        "1.234567890123456789",
        "4.5e3",
        ".5",
        "-.5",
        "+2.25",
        " 41.9",
        "41.9 ",
        "41..9",
        "41.9x",
        "x",
        "",
        "-",
        "99999999999.99",
        "0.000000000000000001",
        "9007199254740993.0",
        "1.7976931348623157e308",
    };
    struct padded pd;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double a = -99, b = -99;
        int ra = ingest__parse_double(cases[i], strlen(cases[i]), &a);
        int rb = ingest__field_double(field(&pd, cases[i], "77"), &b);

        CHECK_INT_EQ(rb, ra);
        if (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0)
            test_fail(__FILE__, __LINE__, "'%s': %.17g, want %.17g", cases[i], b, a);
    }
    /* coordinates as the City writes them, and longer and shorter ones */
    for (i = 0; i < 300000; i++) {
        char s[40];
        int ip = (int)(rnd() % 100000), nf = (int)(rnd() % 14);
        uint64_t fp = rnd() % 100000000000000ULL;
        double want, got = -99;

        snprintf(s, sizeof(s), "%s%d.%0*llu", rnd() % 2 ? "-" : "", ip, nf,
                 (unsigned long long)(nf ? fp % (uint64_t)pow(10, nf) : 0));
        if (!nf)
            s[strlen(s) - 1] = '\0'; /* "41." with no digit after the point */
        want = strtod(s, NULL);
        CHECK_INT_EQ(ingest__field_double(field(&pd, s, "5555"), &got), 0);
        if (memcmp(&want, &got, sizeof(want)) != 0) {
            test_fail(__FILE__, __LINE__, "'%s': %.17g, want %.17g", s, got, want);
            break;
        }
    }
}

TEST(ingest, field_small_int_ranges)
{
    struct padded pd;
    int64_t v;

    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "77", ","), 0, 254, &v), 0);
    CHECK_INT_EQ(v, 77);
    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "", ","), 0, 254, &v), 0);
    CHECK_INT_EQ(v, -1);
    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "255", ","), 0, 254, &v), 1);
    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "0", ","), 1, 254, &v), 1);
    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "17.0", ","), 0, 254, &v), 0);
    CHECK_INT_EQ(v, 17);
    CHECK_INT_EQ(ingest__field_small_int(field(&pd, "x", ","), 0, 254, &v), 1);
}

TEST(ingest, field_time_agrees_with_parse_time)
{
    static const char *const cases[] = {
        "01/03/2016 11:57:00 PM",
        "12/31/2024 12:00:00 AM",
        "12/31/2024 12:00:00 PM",
        "02/29/2016 01:02:03 am",
        "02/29/2017 01:02:03 AM",
        "13/01/2016 01:00:00 AM",
        "00/01/2016 01:00:00 AM",
        "01/32/2016 01:00:00 AM",
        "01/00/2016 01:00:00 AM",
        "04/31/2016 01:00:00 AM",
        "01/03/2016 13:57:00 PM",
        "01/03/2016 00:57:00 PM",
        "01/03/2016 11:60:00 PM",
        "01/03/2016 11:57:60 PM",
        "01/03/2016 11:57:00 XM",
        "01/03/2016 11:57:00 PX",
        "01-03-2016 11:57:00 PM",
        "01/03/2016T11:57:00 PM",
        "0a/03/2016 11:57:00 PM",
        "01/03/20l6 11:57:00 PM",
        "01/03/2016 11:57:0O PM",
        "2016-01-03T23:57:00",
        "2016-01-03",
        " 01/03/2016 11:57:00 PM",
        "",
        "17/01/2015 01:00:00 AM",
    };
    struct padded pd;
    size_t i, k;

    /* twice, so that the remembered last date is both cold and warm */
    for (k = 0; k < 2; k++)
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            int64_t a = -99, b = -99;
            int ra = ingest__parse_time(cases[i], strlen(cases[i]), &a);
            int rb = ingest__field_time(field(&pd, cases[i], ",9"), &b);

            CHECK_INT_EQ(rb, ra);
            if (ra == 0 && a != b)
                test_fail(__FILE__, __LINE__, "'%s': %lld, want %lld", cases[i], (long long)b,
                          (long long)a);
        }
    /* an impossible month right after a valid date whose day number it
     * would share if months were not checked first */
    {
        int64_t t;

        CHECK_INT_EQ(ingest__field_time(field(&pd, "01/05/2016 01:00:00 AM", ","), &t), 0);
        CHECK_INT_EQ(ingest__field_time(field(&pd, "17/05/2015 01:00:00 AM", ","), &t), -1);
    }
    /* random valid and broken timestamps */
    for (i = 0; i < 200000; i++) {
        char s[32];
        int64_t a = -99, b = -99;

        snprintf(s, sizeof(s), "%02d/%02d/%04d %02d:%02d:%02d %cM", (int)(rnd() % 14),
                 (int)(rnd() % 33), (int)(1990 + rnd() % 40), (int)(rnd() % 14), (int)(rnd() % 62),
                 (int)(rnd() % 62), rnd() % 2 ? 'A' : 'P');
        if (rnd() % 16 == 0)
            s[rnd() % 22] = "0/: x"[rnd() % 5];
        CHECK_INT_EQ(ingest__field_time(field(&pd, s, ","), &b),
                     ingest__parse_time(s, strlen(s), &a));
        CHECK(a == b);
    }
}
