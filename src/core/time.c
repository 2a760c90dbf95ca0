/* time.c - civil calendar arithmetic and the date parsers for City exports. */
#include "core/time.h"

#include "core/err.h"

#include <stdio.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days, exact for all dates. */
int64_t cscc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void cscc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int cscc_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (days + 4) % 7;

    return (int)(w < 0 ? w + 7 : w);
}

void cscc_iso_week(int64_t days, int *iso_year, int *week)
{
    int wd = cscc_weekday(days);                  /* 0 = Sunday */
    int64_t thursday = days - ((wd + 6) % 7) + 3; /* Thursday of this ISO week */
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(thursday, &y, &m, &d);
    *iso_year = (int)y;
    *week = (int)((thursday - cscc_days_from_civil(y, 1, 1)) / 7 + 1);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cscc_valid_date(int64_t y, unsigned m, unsigned d)
{
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= (unsigned)(mdays[m - 1] + (m == 2 && is_leap(y)));
}

/* Reads 1..max digits at *p (bounded by end); returns -1 when none. */
static int digits(const char **p, const char *end, int min, int max)
{
    int v = 0, n = 0;

    while (*p < end && n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n >= min ? v : -1;
}

static int finish(struct cscc_tparse *out, int64_t y, int mo, int d, int h, int mi, int s)
{
    if (mo < 1 || d < 1 || !cscc_valid_date(y, (unsigned)mo, (unsigned)d))
        return CSCC_EDATA;
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
        return CSCC_EDATA;
    if (s == 60) /* a leap second as written; keep it in the same minute */
        s = 59;
    out->t = cscc_days_from_civil(y, (unsigned)mo, (unsigned)d) * CSCC_SECS_PER_DAY + h * 3600 +
             mi * 60 + s;
    return 0;
}

/* "hh:mm[:ss]" with optional " AM"/" PM" when ampm_ok. */
static int parse_clock(const char **pp, const char *end, int *h, int *mi, int *s, int ampm_ok)
{
    const char *p = *pp;

    *s = 0;
    if ((*h = digits(&p, end, 1, 2)) < 0 || p >= end || *p != ':')
        return CSCC_EDATA;
    p++;
    if ((*mi = digits(&p, end, 2, 2)) < 0)
        return CSCC_EDATA;
    if (p < end && *p == ':') {
        p++;
        if ((*s = digits(&p, end, 2, 2)) < 0)
            return CSCC_EDATA;
        if (p < end && *p == '.') { /* fractional seconds: read and drop */
            p++;
            if (digits(&p, end, 1, 9) < 0)
                return CSCC_EDATA;
        }
    }
    if (ampm_ok && p < end && *p == ' ') {
        const char *q = p + 1;

        if (end - q >= 2 && (q[1] == 'M' || q[1] == 'm')) {
            char c = q[0];

            if (*h < 1 || *h > 12)
                return CSCC_EDATA;
            if (c == 'A' || c == 'a')
                *h = *h == 12 ? 0 : *h;
            else if (c == 'P' || c == 'p')
                *h = *h == 12 ? 12 : *h + 12;
            else
                return CSCC_EDATA;
            p = q + 2;
        }
    }
    *pp = p;
    return 0;
}

int cscc_parse_datetime(const char *s, size_t len, struct cscc_tparse *out)
{
    const char *p = s, *end = s + len;
    int a, b, h = 0, mi = 0, sec = 0;
    int64_t y;

    memset(out, 0, sizeof(*out));
    while (end > p && end[-1] == ' ')
        end--;
    while (p < end && *p == ' ')
        p++;
    if (end - p >= 8 && p[4] == '-') {
        /* ISO 8601 */
        if ((y = digits(&p, end, 4, 4)) < 0 || *p++ != '-' || (a = digits(&p, end, 2, 2)) < 0 ||
            p >= end || *p++ != '-' || (b = digits(&p, end, 2, 2)) < 0)
            return CSCC_EDATA;
        if (p < end && (*p == 'T' || *p == ' ')) {
            p++;
            if (parse_clock(&p, end, &h, &mi, &sec, 0))
                return CSCC_EDATA;
            out->has_time = 1;
            if (p < end && (*p == 'Z' || *p == 'z')) {
                out->has_offset = 1;
                p++;
            } else if (p < end && (*p == '+' || *p == '-')) {
                int sign = *p++ == '-' ? -1 : 1, oh, om = 0;

                if ((oh = digits(&p, end, 2, 2)) < 0 || oh > 23)
                    return CSCC_EDATA;
                if (p < end && *p == ':')
                    p++;
                if (p < end && (om = digits(&p, end, 2, 2)) < 0)
                    return CSCC_EDATA;
                if (om < 0 || om > 59)
                    return CSCC_EDATA;
                out->has_offset = 1;
                out->offset_min = sign * (oh * 60 + om);
            }
        }
        if (p != end)
            return CSCC_EDATA;
        return finish(out, y, a, b, h, mi, sec);
    }
    /* US style MM/DD/YYYY */
    if ((a = digits(&p, end, 1, 2)) < 0 || p >= end || *p++ != '/' ||
        (b = digits(&p, end, 1, 2)) < 0 || p >= end || *p++ != '/' ||
        (y = digits(&p, end, 4, 4)) < 0)
        return CSCC_EDATA;
    if (p < end && *p == ' ') {
        p++;
        if (parse_clock(&p, end, &h, &mi, &sec, 1))
            return CSCC_EDATA;
        out->has_time = 1;
    }
    if (p != end)
        return CSCC_EDATA;
    return finish(out, y, a, b, h, mi, sec);
}

static const char *const month_abbr[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};

int cscc_check_date_format(const char *fmt)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%')
            continue;
        fmt++;
        if (!*fmt || !strchr("YymdHIMSpb%", *fmt))
            return CSCC_EINVAL;
    }
    return 0;
}

int cscc_parse_datetime_fmt(const char *s, size_t len, const char *fmt, struct cscc_tparse *out)
{
    const char *p = s, *end = s + len;
    int64_t y = 1970;
    int mo = 1, d = 1, h = 0, mi = 0, sec = 0, pm = -1, h12 = 0;

    memset(out, 0, sizeof(*out));
    if (cscc_check_date_format(fmt))
        return CSCC_EINVAL;
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            if (p >= end || *p != *fmt)
                return CSCC_EDATA;
            p++;
            continue;
        }
        switch (*++fmt) {
        case 'Y':
            y = digits(&p, end, 4, 4);
            if (y < 0)
                return CSCC_EDATA;
            break;
        case 'y':
            if ((y = digits(&p, end, 2, 2)) < 0)
                return CSCC_EDATA;
            y += y < 69 ? 2000 : 1900; /* POSIX strptime's pivot */
            break;
        case 'm':
            if ((mo = digits(&p, end, 1, 2)) < 0)
                return CSCC_EDATA;
            break;
        case 'd':
            if ((d = digits(&p, end, 1, 2)) < 0)
                return CSCC_EDATA;
            break;
        case 'H':
            if ((h = digits(&p, end, 1, 2)) < 0)
                return CSCC_EDATA;
            out->has_time = 1;
            break;
        case 'I':
            if ((h = digits(&p, end, 1, 2)) < 0 || h < 1 || h > 12)
                return CSCC_EDATA;
            h12 = 1;
            out->has_time = 1;
            break;
        case 'M':
            if ((mi = digits(&p, end, 2, 2)) < 0)
                return CSCC_EDATA;
            break;
        case 'S':
            if ((sec = digits(&p, end, 2, 2)) < 0)
                return CSCC_EDATA;
            break;
        case 'p':
            if (end - p < 2 || (p[1] != 'M' && p[1] != 'm'))
                return CSCC_EDATA;
            if (p[0] == 'A' || p[0] == 'a')
                pm = 0;
            else if (p[0] == 'P' || p[0] == 'p')
                pm = 1;
            else
                return CSCC_EDATA;
            p += 2;
            break;
        case 'b': {
            int i, found = 0;

            for (i = 0; i < 12 && !found; i++) {
                if (end - p >= 3 && (p[0] | 32) == month_abbr[i][0] &&
                    (p[1] | 32) == month_abbr[i][1] && (p[2] | 32) == month_abbr[i][2]) {
                    mo = i + 1;
                    p += 3;
                    found = 1;
                }
            }
            if (!found)
                return CSCC_EDATA;
            break;
        }
        case '%':
            if (p >= end || *p != '%')
                return CSCC_EDATA;
            p++;
            break;
        }
    }
    if (p != end)
        return CSCC_EDATA;
    if (h12) {
        if (pm < 0)
            return CSCC_EDATA;
        h = h == 12 ? (pm ? 12 : 0) : (pm ? h + 12 : h);
    }
    return finish(out, y, mo, d, h, mi, sec);
}

int cscc_parse_day(const char *s, int64_t *day)
{
    struct cscc_tparse tp;
    size_t n = strlen(s);

    if (n != 10 || s[4] != '-' || cscc_parse_datetime(s, n, &tp))
        return CSCC_EINVAL;
    *day = cscc_day_of(tp.t);
    return 0;
}

/* Writes v as n decimal digits (zero-padded) at p. */
static void put_digits(char *p, unsigned v, int n)
{
    while (n--) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void cscc_format_day(int64_t day, char *buf)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    put_digits(buf, (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y), 4);
    buf[4] = '-';
    put_digits(buf + 5, m, 2);
    buf[7] = '-';
    put_digits(buf + 8, d, 2);
    buf[10] = '\0';
}

void cscc_format_civil(int64_t t, char *buf)
{
    int64_t day = cscc_day_of(t);
    unsigned sod = (unsigned)(t - day * CSCC_SECS_PER_DAY);

    cscc_format_day(day, buf);
    buf[10] = 'T';
    put_digits(buf + 11, sod / 3600, 2);
    buf[13] = ':';
    put_digits(buf + 14, sod / 60 % 60, 2);
    buf[16] = ':';
    put_digits(buf + 17, sod % 60, 2);
    buf[19] = '\0';
}
