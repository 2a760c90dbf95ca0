/* test_core.c - core: errors, strbuf, civil time, date parsing, allocation hook. */
#include "test.h"

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/num.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(core, err_format_names_location)
{
    struct cscc_err e;
    char buf[600];

    cscc_err_clear(&e);
    cscc_err_set(&e, CSCC_EDATA, "not a date: \"%s\"", "13/45/2016");
    cscc_err_at(&e, "crimes.csv", 17, 3, "Date");
    cscc_err_format(&e, buf, sizeof(buf));
    CHECK_STR_EQ(buf, "crimes.csv:17: column 'Date': not a date: \"13/45/2016\"");
    CHECK_INT_EQ(cscc_exit_status(CSCC_EDATA), 65);
    CHECK_INT_EQ(cscc_exit_status(CSCC_EEXIST), 73);
    CHECK_INT_EQ(cscc_exit_status(CSCC_EIO), 74);
    CHECK_INT_EQ(cscc_exit_status(CSCC_ENOENT), 66);
    CHECK_INT_EQ(cscc_exit_status(CSCC_EINVAL), 64);
    CHECK_INT_EQ(cscc_exit_status(CSCC_EINTERNAL), 70);
}

TEST(core, strbuf_grows_and_caps)
{
    struct strbuf sb;
    size_t len;
    char *p;
    int i;

    strbuf_init(&sb, 100);
    CHECK_STR_EQ(sb.buf, "");
    for (i = 0; i < 9; i++)
        CHECK_INT_EQ(strbuf_addf(&sb, "%d-%s,", i, "abcdefg"), 0);
    CHECK_INT_EQ(sb.len, 90);
    CHECK_INT_EQ(strbuf_adds(&sb, "0123456789X"), CSCC_ELIMIT);
    CHECK_INT_EQ(sb.len, 90); /* unchanged after a refused append */
    CHECK_INT_EQ(strbuf_adds(&sb, "0123456789"), 0);
    p = strbuf_take(&sb, &len);
    CHECK_INT_EQ(len, 100);
    CHECK(memcmp(p, "0-abcdefg,1-", 12) == 0);
    CHECK_INT_EQ(sb.len, 0);
    cscc_free(p);
    strbuf_release(&sb);
}

TEST(core, strbuf_json_escapes)
{
    struct strbuf sb;

    strbuf_init(&sb, 0);
    strbuf_add_json_str(&sb, "a\"b\\c\n\x01", 7);
    CHECK_STR_EQ(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\"");
    strbuf_release(&sb);
    /* NUL is escaped; well-formed UTF-8 (2, 3 and 4 bytes) passes whole; a
     * stray byte, a truncated sequence, an overlong form and a surrogate
     * become U+FFFD, so the output is always valid JSON */
    strbuf_init(&sb, 0);
    strbuf_add_json_str(&sb, "\0\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 10);
    CHECK_STR_EQ(sb.buf, "\"\\u0000\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"");
    strbuf_release(&sb);
    strbuf_init(&sb, 0);
    strbuf_add_json_str(&sb,
                        "a\xff"
                        "b\xc3\xc0\xafx\xed\xa0\x80\xe4\xb8",
                        12);
    CHECK_STR_EQ(sb.buf, "\"a\\ufffdb\\ufffd\\ufffd\\ufffdx\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
    strbuf_release(&sb);
}

TEST(core, strbuf_json_text_is_utf8)
{
    struct strbuf sb;

    /* valid characters pass; a byte that is not UTF-8 becomes the text \xFF */
    strbuf_init(&sb, 0);
    strbuf_add_json_text(&sb, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"\n", 11);
    CHECK_STR_EQ(sb.buf, "\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\\\"\\n\"");
    strbuf_reset(&sb);
    strbuf_add_json_text(&sb,
                         "a\xff"
                         "b\xc3",
                         4);
    CHECK_STR_EQ(sb.buf, "\"a\\\\xFFb\\\\xC3\"");
    strbuf_reset(&sb);
    /* a character cut short, an overlong form, a surrogate */
    strbuf_add_json_text(&sb, "\xe4\xb8|\xc0\xaf|\xed\xa0\x80", 9);
    CHECK_STR_EQ(sb.buf, "\"\\\\xE4\\\\xB8|\\\\xC0\\\\xAF|\\\\xED\\\\xA0\\\\x80\"");
    strbuf_release(&sb);
    CHECK_INT_EQ(strbuf_utf8_len("\xc2\xa0", 2), 2);
    CHECK_INT_EQ(strbuf_utf8_len("\xc2\xa0", 1), 0);
    CHECK_INT_EQ(strbuf_utf8_len("\xf4\x90\x80\x80", 4), 0); /* above U+10FFFF */
    CHECK_INT_EQ(strbuf_utf8_len("", 0), 0);
    /* the first byte that is not UTF-8: past the eight-byte ASCII words too */
    CHECK(strbuf_utf8_invalid("", 0) == SIZE_MAX);
    CHECK(strbuf_utf8_invalid("0123456789abcdef", 16) == SIZE_MAX);
    CHECK(strbuf_utf8_invalid("0123456789 CAF\xc3\x89", 16) == SIZE_MAX);
    CHECK_INT_EQ(strbuf_utf8_invalid("0123456789 CAF\xc9!", 16), 14);
    CHECK_INT_EQ(strbuf_utf8_invalid("\xff", 1), 0);
    CHECK_INT_EQ(strbuf_utf8_invalid("abc\xc3", 4), 3); /* cut short at the end */
    CHECK_INT_EQ(strbuf_utf8_invalid("ab\xed\xa0\x80", 5), 2);
}

TEST(core, parse_double_reads_decimal_only)
{
    static const char *const good[] = {"41.8781", "-87.6298", "+1",     "0",  ".5",
                                       "5.",      "1e3",      "2.5E-2", " 7", "-0.0"};
    static const double want[] = {41.8781, -87.6298, 1, 0, 0.5, 5, 1000, 0.025, 7, 0};
    static const char *const bad[] = {
        "",   " ",  "0x10", "0x1p5", "-0x57.a", "inf", "nan", "Infinity", "1e999", "1e-999",
        "1e", "e5", ".",    "-",     "1.2.3",   "7 ",  "1,5", "\t7",      "12abc"};
    size_t i;
    double v;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        v = -1;
        CHECK_INT_EQ(cscc_parse_double(good[i], &v), 0);
        CHECK_NEAR(v, want[i], 1e-15);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = 99;
        if (cscc_parse_double(bad[i], &v) != -1 || v != 99)
            test_fail(__FILE__, __LINE__, "'%s' was read as a number", bad[i]);
    }
}

/* The slow form cscc_fmt_double() must equal: each width tried with
 * snprintf until strtod reads v back. */
static void fmt_reference(double v, char *buf, size_t cap)
{
    int prec;

    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(buf, cap, "%.0f", v);
        if (!strcmp(buf, "-0"))
            snprintf(buf, cap, "0");
        return;
    }
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static int fmt_same(double v)
{
    char want[64], got[CSCC_FMT_DOUBLE_MAX + 8];
    size_t n;

    fmt_reference(v, want, sizeof(want));
    memset(got, 'Z', sizeof(got));
    n = cscc_fmt_double(v, got);
    if (strcmp(got, want) || n != strlen(want) || strtod(got, NULL) != v) {
        test_fail(__FILE__, __LINE__, "%a: wrote '%s', want '%s'", v, got, want);
        return 0;
    }
    return 1;
}

/* Byte for byte the slow form, over every kind of double: chosen ones (ties
 * of the 17 digits, carries, the edges of the fixed form), decimals as data
 * holds them, results of arithmetic, and random bit patterns. */
TEST(core, fmt_double_is_the_shortest_round_trip)
{
    static const double chosen[] = {0.1,
                                    0.2,
                                    0.3,
                                    1.0 / 3,
                                    2.0 / 3,
                                    -0.0,
                                    0,
                                    1,
                                    -1,
                                    0.5,
                                    1e15,
                                    1e16,
                                    9007199254740992.0,
                                    9007199254740993.0,
                                    1e300,
                                    1e-300,
                                    5e-324,
                                    2.2250738585072014e-308,
                                    1.7976931348623157e308,
                                    0.0001,
                                    0.00001,
                                    0.000123456789,
                                    123456789012345.6,
                                    9.9999999999999995e-5,
                                    99999999999999.99,
                                    0.99999999999999989,
                                    9.5,
                                    41.891822718,
                                    -87.762013635,
                                    358822.18511792546,
                                    0.06221914038630731,
                                    3 / M_PI,
                                    1e21,
                                    1.5e-7,
                                    123.456e10};
    uint64_t st = 0x9e3779b97f4a7c15ull;
    char buf[CSCC_FMT_DOUBLE_MAX];
    size_t i, ok = 0, want = 0;

    for (i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++, want += 2) {
        ok += (size_t)fmt_same(chosen[i]);
        ok += (size_t)fmt_same(-chosen[i]);
    }
    for (i = 0; i < 300000; i++, want += 4) {
        uint64_t bits;
        double v;

        st ^= st << 13, st ^= st >> 7, st ^= st << 17;
        bits = st;
        memcpy(&v, &bits, sizeof(v));
        if (!isfinite(v))
            v = (double)(bits >> 11);
        ok += (size_t)fmt_same(v);
        /* a subnormal number: units in the last place wider than 17 digits */
        bits = (st >> 12) >> (st & 31);
        memcpy(&v, &bits, sizeof(v));
        ok += (size_t)fmt_same(v);
        /* a decimal of a few digits, as a coordinate or a rate is written */
        ok += (size_t)fmt_same((double)(int64_t)(st % 200000000001ull - 100000000000ll) /
                               pow(10, (double)(st >> 60)));
        /* a computed value: a density, a z-score */
        ok +=
            (size_t)fmt_same(((double)(st >> 11) / 9007199254740992.0) * 1e-3 * (double)(i % 977));
    }
    CHECK_INT_EQ(ok, want);
    CHECK_INT_EQ(cscc_fmt_double(-0.0, buf), 1);
    CHECK_STR_EQ(buf, "0");
    cscc_fmt_double(0.1, buf);
    CHECK_STR_EQ(buf, "0.1");
    cscc_fmt_double(1.0 / 3, buf);
    CHECK_STR_EQ(buf, "0.3333333333333333");
    cscc_fmt_double(0.1 + 0.2, buf);
    CHECK_STR_EQ(buf, "0.30000000000000004");
    cscc_fmt_double(1e-300, buf);
    CHECK_STR_EQ(buf, "1e-300");
    cscc_fmt_double(-1.7976931348623157e308, buf);
    CHECK_STR_EQ(buf, "-1.7976931348623157e+308");
    cscc_fmt_double(NAN, buf);
    CHECK_STR_EQ(buf, "nan");
}

TEST(core, alloc_failure_hook)
{
    void *p;

    cscc_alloc_fail_after(2);
    p = cscc_trymalloc(10);
    CHECK(p != NULL);
    cscc_free(p);
    CHECK(cscc_trymalloc(10) == NULL);
    p = cscc_trymalloc(10);
    CHECK(p != NULL);
    cscc_free(p);
    CHECK(cscc_trycalloc((size_t)1 << 62, 16) == NULL); /* overflow */
}

TEST(core, civil_days_roundtrip)
{
    int64_t z, y;
    unsigned m, d;
    int iy, w;

    CHECK_INT_EQ(cscc_days_from_civil(1970, 1, 1), 0);
    CHECK_INT_EQ(cscc_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT_EQ(cscc_days_from_civil(1969, 12, 31), -1);
    for (z = -800000; z < 800000; z += 37) {
        cscc_civil_from_days(z, &y, &m, &d);
        if (cscc_days_from_civil(y, m, d) != z) {
            CHECK_INT_EQ(cscc_days_from_civil(y, m, d), z);
            break;
        }
    }
    CHECK_INT_EQ(cscc_weekday(cscc_days_from_civil(2016, 1, 3)), 0); /* a Sunday */
    cscc_iso_week(cscc_days_from_civil(2016, 1, 3), &iy, &w);
    CHECK_INT_EQ(iy, 2015);
    CHECK_INT_EQ(w, 53);
    cscc_iso_week(cscc_days_from_civil(2018, 12, 31), &iy, &w);
    CHECK_INT_EQ(iy, 2019);
    CHECK_INT_EQ(w, 1);
    CHECK_INT_EQ(cscc_day_of(-1), -1);
    CHECK_INT_EQ(cscc_day_of(86399), 0);
}

TEST(core, parse_portal_and_iso_dates)
{
    struct cscc_tparse tp;
    char buf[32];

    CHECK_INT_EQ(cscc_parse_datetime("01/03/2016 11:57:00 PM", 22, &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2016-01-03T23:57:00");
    CHECK_INT_EQ(cscc_parse_datetime("01/01/2016 12:01:00 AM", 22, &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2016-01-01T00:01:00");
    CHECK_INT_EQ(cscc_parse_datetime("12/26/2024 16:46", 16, &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2024-12-26T16:46:00");
    CHECK_INT_EQ(cscc_parse_datetime("2022-07-14T10:05:00Z", 20, &tp), 0);
    CHECK_INT_EQ(tp.has_offset, 1);
    CHECK_INT_EQ(cscc_parse_datetime("2011-01-01T00:00:00.000", 23, &tp), 0);
    CHECK_INT_EQ(tp.has_offset, 0);
    CHECK_INT_EQ(cscc_parse_datetime("2020-02-29 08:00:00-05:00", 25, &tp), 0);
    CHECK_INT_EQ(tp.offset_min, -300);
    CHECK_INT_EQ(cscc_parse_datetime("2019-02-29", 10, &tp), CSCC_EDATA);
    CHECK_INT_EQ(cscc_parse_datetime("13/01/2016 01:00:00 AM", 22, &tp), CSCC_EDATA);
    CHECK_INT_EQ(cscc_parse_datetime("01/01/2016 13:00:00 PM", 22, &tp), CSCC_EDATA);
    CHECK_INT_EQ(cscc_parse_datetime("", 0, &tp), CSCC_EDATA);
    CHECK_INT_EQ(cscc_parse_datetime("yesterday", 9, &tp), CSCC_EDATA);
}

TEST(core, parse_date_with_format)
{
    struct cscc_tparse tp;
    char buf[32];

    CHECK_INT_EQ(cscc_parse_datetime_fmt("19/04/2016", 10, "%d/%m/%Y", &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2016-04-19T00:00:00");
    CHECK_INT_EQ(cscc_parse_datetime_fmt("2021-09-26T08:20:00Z", 20, "%Y-%m-%dT%H:%M:%SZ", &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2021-09-26T08:20:00");
    CHECK_INT_EQ(cscc_parse_datetime_fmt("Mar 5 2019 7:05 pm", 18, "%b %d %Y %I:%M %p", &tp), 0);
    cscc_format_civil(tp.t, buf);
    CHECK_STR_EQ(buf, "2019-03-05T19:05:00");
    CHECK_INT_EQ(cscc_parse_datetime_fmt("2016-04-19", 10, "%d/%m/%Y", &tp), CSCC_EDATA);
    CHECK_INT_EQ(cscc_check_date_format("%Y-%j"), CSCC_EINVAL);
}

TEST(core, hash_is_stable)
{
    CHECK(cscc_hash("BATTERY", 7, 0) == cscc_hash("BATTERY", 7, 0));
    CHECK(cscc_hash("BATTERY", 7, 0) != cscc_hash("BATTERZ", 7, 0));
    CHECK(cscc_hash("", 0, 0) != cscc_hash("", 0, 1));
    CHECK(cscc_hash_u64(1) != cscc_hash_u64(2));
    /* Stored keys (victims without ID, layer rows) are these values: they
     * must not change between versions. */
    CHECK(cscc_hash("BATTERY", 7, 0) == 7141149873217193111ULL);
    CHECK(cscc_hash("0123456789abcdefXYZ", 19, 42) == 1451027156874614221ULL);
}

TEST(core, mem_eq_equals_memcmp)
{
    char a[48], b[48];
    size_t n, i;

    for (n = 0; n <= 40; n++) {
        memset(a, 'q', sizeof(a));
        memset(b, 'q', sizeof(b));
        CHECK(cscc_mem_eq(a, b, n));
        for (i = 0; i < n; i++) {
            b[i] = 'r';
            CHECK(!cscc_mem_eq(a, b, n));
            CHECK(cscc_mem_eq(a, b, i)); /* the bytes before it still match */
            b[i] = 'q';
        }
        b[n] = 'r'; /* a difference just past the end does not count */
        CHECK(cscc_mem_eq(a, b, n));
    }
}

TEST(core, hash_mem_sees_every_byte)
{
    char s[48], t[48];
    size_t len, i, n = 0, dup = 0;
    uint64_t *h = cscc_xcalloc(40 * 256, sizeof(*h));

    /* Each byte of strings of 0 to 40 bytes changes the hash. */
    memset(s, 'a', sizeof(s));
    for (len = 1; len <= 40; len++) {
        uint64_t base = cscc_hash_mem(s, len, 7);

        for (i = 0; i < len; i++) {
            memcpy(t, s, sizeof(t));
            t[i] = 'b';
            CHECK(cscc_hash_mem(t, len, 7) != base);
        }
        CHECK(cscc_hash_mem(s, len, 7) != cscc_hash_mem(s, len - 1, 7));
    }
    /* 10,240 near-identical strings ("x<len><byte>") hash apart. */
    for (len = 1; len <= 40; len++)
        for (i = 0; i < 256; i++) {
            memset(t, 'x', sizeof(t));
            t[len - 1] = (char)i;
            h[n++] = cscc_hash_mem(t, len, 7);
        }
    for (i = 0; i < n; i++) {
        size_t j;

        for (j = i + 1; j < n; j++)
            dup += h[i] == h[j];
    }
    CHECK_INT_EQ(dup, 0);
    cscc_free(h);
}

TEST(core, crc32c_known_values_and_combine)
{
    static const char digits[] = "123456789";
    char big[10000];
    uint32_t a, b, whole;
    size_t i, cut;

    /* the standard check value of CRC-32C */
    CHECK_INT_EQ(cscc_crc32c(0, digits, 9), 0xE3069283u);
    CHECK_INT_EQ(cscc_crc32c(0, "", 0), 0);
    /* incremental equals one pass */
    CHECK_INT_EQ(cscc_crc32c(cscc_crc32c(0, digits, 4), digits + 4, 5), 0xE3069283u);
    for (i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 131 + (i >> 7));
    whole = cscc_crc32c(0, big, sizeof(big));
    for (cut = 0; cut <= sizeof(big); cut += 997) {
        a = cscc_crc32c(0, big, cut);
        b = cscc_crc32c(0, big + cut, sizeof(big) - cut);
        CHECK_INT_EQ(cscc_crc32c_combine(a, b, sizeof(big) - cut), whole);
    }
}

TEST(core, crc32c_long_buffers_equal_short_steps)
{
    /* Long buffers take the interleaved path; steps of 11 bytes never do. */
    size_t n = 100003, i, len;
    unsigned char *big = cscc_xmalloc(n);
    uint32_t step;

    for (i = 0; i < n; i++)
        big[i] = (unsigned char)(i * 2654435761u >> 13);
    for (len = 12287; len <= n; len += 29411) {
        step = 0;
        for (i = 0; i < len; i += 11)
            step = cscc_crc32c(step, big + i, len - i < 11 ? len - i : 11);
        CHECK_INT_EQ(cscc_crc32c(0, big, len), step);
        CHECK_INT_EQ(cscc_crc32c(cscc_crc32c(0, big, 5), big + 5, len - 5), step);
    }
    /* 1 MiB of zeros. */
    cscc_free(big);
    big = cscc_xcalloc(1 << 20, 1);
    CHECK_INT_EQ(cscc_crc32c(0, big, 1 << 20),
                 0x14298c12u); /* computed bit by bit, independently */
    cscc_free(big);
}
