/* num.c - reading and writing numbers in decimal (num.h). */
#include "core/num.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when s (from its first non-space) is a decimal number and nothing more. */
static int decimal(const char *s)
{
    int nd = 0;

    while (*s == ' ')
        s++;
    if (*s == '+' || *s == '-')
        s++;
    for (; digit(*s); s++)
        nd++;
    if (*s == '.')
        for (s++; digit(*s); s++)
            nd++;
    if (!nd)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!digit(*s))
            return 0;
        while (digit(*s))
            s++;
    }
    return *s == '\0';
}

int cscc_parse_double(const char *s, double *out)
{
    double v;

    if (!s || !decimal(s))
        return -1;
    errno = 0;
    v = strtod(s, NULL);
    if (errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/*
 * Writes the p significant digits d (value d[0].d[1]d[2]... x 10^x) as printf's
 * "%.{p}g" does: exponent form when x < -4 or x >= p, else fixed; trailing
 * zeros of the fraction dropped. Returns the length.
 */
static size_t g_style(int neg, const char *d, int p, int x, char *out)
{
    size_t n = 0;
    int last = p - 1, i;

    if (neg)
        out[n++] = '-';
    if (x < -4 || x >= p) {
        while (last > 0 && d[last] == '0')
            last--;
        out[n++] = d[0];
        if (last > 0) {
            out[n++] = '.';
            memcpy(out + n, d + 1, (size_t)last);
            n += (size_t)last;
        }
        n += (size_t)snprintf(out + n, CSCC_FMT_DOUBLE_MAX - n, "e%c%02d", x < 0 ? '-' : '+',
                              x < 0 ? -x : x);
        return n;
    }
    while (last > x && last > 0 && d[last] == '0')
        last--;
    if (x >= 0) {
        memcpy(out + n, d, (size_t)x + 1);
        n += (size_t)x + 1;
        if (last > x) {
            out[n++] = '.';
            memcpy(out + n, d + x + 1, (size_t)(last - x));
            n += (size_t)(last - x);
        }
    } else {
        out[n++] = '0';
        out[n++] = '.';
        for (i = 0; i < -x - 1; i++)
            out[n++] = '0';
        memcpy(out + n, d, (size_t)last + 1);
        n += (size_t)last + 1;
    }
    out[n] = '\0';
    return n;
}

/* Writes a whole number |v| < 2^53. */
static size_t fmt_whole(double v, char *buf)
{
    char t[24];
    size_t n = 0, k = 0;
    uint64_t u = (uint64_t)fabs(v);

    if (v < 0 && u)
        buf[n++] = '-';
    do
        t[k++] = (char)('0' + u % 10);
    while ((u /= 10));
    while (k)
        buf[n++] = t[--k];
    buf[n] = '\0';
    return n;
}

/*
 * The p (15 or 16) digits printf's "%.{p}g" writes, formatted so, rounded
 * from d, the 17 correctly rounded digits of v with exponent x. Rounding
 * again gives what printf would except when the dropped digits are a tie (5
 * then zeros): the exact value may lie on either side, so printf decides.
 * Returns the length of out; *same is 1 when out reads back as v.
 */
static size_t fewer_digits(double v, int neg, const char *d, int x, int p, char *out, int *same)
{
    char r[17];
    int i, tie = d[p] == '5', up;
    size_t n;

    for (i = p + 1; tie && i < 17; i++)
        tie = d[i] == '0';
    if (tie) {
        n = (size_t)snprintf(out, CSCC_FMT_DOUBLE_MAX, "%.*g", p, v);
    } else {
        memcpy(r, d, (size_t)p);
        up = d[p] >= '5';
        for (i = p - 1; up && i >= 0; i--) {
            if (r[i] == '9') {
                r[i] = '0';
            } else {
                r[i]++;
                up = 0;
            }
        }
        if (up) { /* 9.99... became 10.0... */
            r[0] = '1';
            x++;
        }
        n = g_style(neg, r, p, x, out);
    }
    *same = strtod(out, NULL) == v;
    return n;
}

size_t cscc_fmt_double(double v, char *buf)
{
    char e[40], d[17];
    int neg, x, same;
    size_t n;

    if (!isfinite(v))
        return (size_t)snprintf(buf, CSCC_FMT_DOUBLE_MAX, "%.17g", v);
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        return fmt_whole(v, buf);
    /* The 17 digits, correctly rounded: "-d.dddddddddddddddde-xx" */
    snprintf(e, sizeof(e), "%.16e", v);
    neg = e[0] == '-';
    d[0] = e[neg];
    memcpy(d + 1, e + neg + 2, 16);
    x = (int)strtol(e + neg + 19, NULL, 10);
    /* 15 digits can read back as v only when v lies within half a unit in
     * the last place of them: at most 1.11 units of the 16th digit away,
     * so that digit is 0, 1, 8 or 9. Otherwise 16 are tried at once. (Not
     * so for subnormal numbers, whose units in the last place are wider.) */
    if (fabs(v) < DBL_MIN || d[15] == '0' || d[15] == '1' || d[15] == '8' || d[15] == '9') {
        n = fewer_digits(v, neg, d, x, 15, buf, &same);
        if (same)
            return n;
    }
    n = fewer_digits(v, neg, d, x, 16, buf, &same);
    return same ? n : g_style(neg, d, 17, x, buf);
}
