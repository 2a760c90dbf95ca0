/* fields.c - parsing the values of City exports: integers, decimals,
 * booleans, the portal's timestamps, IUCR codes. Hot path of every import. */
#include "core/num.h"
#include "ingest/ingest_int.h"

#include "core/time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int ingest__parse_int(const char *p, size_t len, int64_t *out)
{
    const char *e;
    int neg = 0;
    uint64_t v = 0;
    size_t nd = 0, i;

    /* the common case: 1 to 18 plain digits */
    if (len && len <= 18) {
        for (i = 0; i < len && (unsigned)(p[i] - '0') < 10; i++)
            v = v * 10 + (uint64_t)(p[i] - '0');
        if (i == len) {
            *out = (int64_t)v;
            return 0;
        }
        v = 0;
    }
    ingest__trim(&p, &len);
    if (!len)
        return 1;
    e = p + len;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    while (p < e && *p >= '0' && *p <= '9') {
        if (++nd > 18)
            return -1;
        v = v * 10 + (uint64_t)(*p++ - '0');
    }
    if (!nd)
        return -1;
    /* "17.0", "17.00": pandas writes integers of a column with gaps this way */
    if (p < e && *p == '.') {
        p++;
        while (p < e && *p == '0')
            p++;
    }
    if (p != e)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int ingest__parse_double(const char *p, size_t len, double *out)
{
    const char *s, *e;
    uint64_t m = 0;
    int neg = 0, frac = 0, nd = 0;
    char buf[64];

    ingest__trim(&p, &len);
    if (!len)
        return 1;
    s = p;
    e = p + len;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    /* Fast exact path: up to 18 significant digits and at most 22 decimals.
     * m and 10^frac are exact doubles when m < 2^53, and one IEEE division
     * is correctly rounded, so the result equals strtod's. */
    while (p < e && *p >= '0' && *p <= '9') {
        m = m * 10 + (uint64_t)(*p++ - '0');
        nd++;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && *p >= '0' && *p <= '9' && nd < 19) {
            m = m * 10 + (uint64_t)(*p++ - '0');
            nd++;
            frac++;
        }
    }
    if (p == e && nd > 0 && m < ((uint64_t)1 << 53) && frac <= 22) {
        double v = (double)m / pow10_tab[frac];

        *out = neg ? -v : v;
        return 0;
    }
    /* Anything else (exponents, long mantissas): strtod on a NUL-terminated copy. */
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return cscc_parse_double(buf, out);
}

/* ---- Fields straight from the CSV reader: 8 bytes at a time ------------ */

/* The reader keeps at least 64 readable bytes after every field (its buffer
 * padding), so 8-byte loads may run past a field's end. */
static inline uint64_t load8(const char *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0xF0F0F0F0F0F0F0F0ULL

/* Non-zero bits in each byte of v that is not an ASCII digit (exact up to and
 * including the first such byte, which is all callers look at). */
static inline uint64_t nondigits(uint64_t v)
{
    return ((v & HIGHS) ^ (0x30 * ONES)) | (((v + 0x06 * ONES) & HIGHS) ^ (0x30 * ONES));
}

/* The value of n (1..8) ASCII digits at p, or -1 when one is not a digit. */
static inline int64_t digits8(const char *p, size_t n)
{
    uint64_t v = load8(p);

    /* the n digits to the top bytes, '0's below them */
    if (n < 8)
        v = v << (8 * (8 - n)) | (0x30 * ONES) >> (8 * n);
    if (nondigits(v))
        return -1;
    v -= 0x30 * ONES;
    v = v * 10 + (v >> 8);
    v = ((v & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
    v = ((v & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
    return (int64_t)v;
}

/* The value of n (1..16) ASCII digits at p, or -1. */
static inline int64_t digits16(const char *p, size_t n)
{
    int64_t hi, lo;

    if (n <= 8)
        return digits8(p, n);
    hi = digits8(p, n - 8);
    lo = digits8(p + n - 8, 8);
    return hi < 0 || lo < 0 ? -1 : hi * 100000000 + lo;
}

int ingest__field_int(const struct csv_field *f, int64_t *out)
{
    if (f->len && f->len <= 16) {
        int64_t v = digits16(f->p, f->len);

        if (v >= 0) {
            *out = v;
            return 0;
        }
    }
    return ingest__parse_int(f->p, f->len, out);
}

/* The portal's "MM/DD/YYYY hh:mm:ss AM", three 8-byte loads: the digits
 * checked and paired a word at a time, the separators compared at once. */
int ingest__field_time(const struct csv_field *f, int64_t *out)
{
    /* digit bytes: 0,1,3,4,6,7 of the first two words, 0,1,3,4 of the last */
    const uint64_t dm = 0xFFFF00FFFF00FFFFULL, dmc = 0x000000FFFF00FFFFULL;
    const char *p = f->p;
    uint64_t a, b, c, ta, tb, tc;

    if (f->len != 22)
        return ingest__parse_time(f->p, f->len, out);
    a = load8(p);      /* MM/DD/YY */
    b = load8(p + 8);  /* YY hh:mm */
    c = load8(p + 14); /* mm:ss AM */
    if ((a & ~dm) != ((uint64_t)'/' << 16 | (uint64_t)'/' << 40) ||
        (b & ~dm) != ((uint64_t)' ' << 16 | (uint64_t)':' << 40) ||
        (c & 0x0000FF0000FF0000ULL) != ((uint64_t)':' << 16 | (uint64_t)' ' << 40) ||
        ((c >> 56) | 32) != 'm' ||
        nondigits((a & dm) | (0x30 * ONES & ~dm)) | nondigits((b & dm) | (0x30 * ONES & ~dm)) |
            nondigits((c & dmc) | (0x30 * ONES & ~dmc)))
        return ingest__parse_time(f->p, f->len, out);
    /* each digit pair to one byte: byte k = 10 * digit k + digit k+1 */
    ta = ((a & dm) - (0x30 * ONES & dm)) * 10 + (((a & dm) - (0x30 * ONES & dm)) >> 8);
    tb = ((b & dm) - (0x30 * ONES & dm)) * 10 + (((b & dm) - (0x30 * ONES & dm)) >> 8);
    tc = ((c & dmc) - (0x30 * ONES & dmc)) * 10 + (((c & dmc) - (0x30 * ONES & dmc)) >> 8);
    {
        unsigned mo = (unsigned)(ta & 0xFF), d = (unsigned)(ta >> 24 & 0xFF);
        unsigned y = (unsigned)(ta >> 48 & 0xFF) * 100 + (unsigned)(tb & 0xFF);
        unsigned h = (unsigned)(tb >> 24 & 0xFF), mi = (unsigned)(tb >> 48 & 0xFF);
        unsigned sec = (unsigned)(tc >> 24 & 0xFF);
        unsigned ap = (unsigned)(c >> 48 & 0xFF) | 32;
        /* rows come in runs of one day: remember the last date's day number */
        static _Thread_local unsigned last_ymd;
        static _Thread_local int64_t last_day;
        unsigned ymd = (y * 16 + mo) * 32 + d;

        if (mo - 1 > 11 || d - 1 > 30 || h < 1 || h > 12 || mi > 59 || sec > 59 ||
            (ap != 'a' && ap != 'p'))
            return -1;
        if (ymd != last_ymd) {
            if (!cscc_valid_date(y, mo, d))
                return -1;
            last_day = cscc_days_from_civil(y, mo, d);
            last_ymd = ymd;
        }
        if (h == 12)
            h = 0;
        if (ap == 'p')
            h += 12;
        *out = last_day * CSCC_SECS_PER_DAY + h * 3600 + mi * 60 + sec;
    }
    return 0;
}

int ingest__field_small_int(const struct csv_field *f, int64_t lo, int64_t hi, int64_t *out)
{
    int rc = ingest__field_int(f, out);

    if (rc == 1) {
        *out = -1;
        return 0;
    }
    return rc < 0 || *out < lo || *out > hi;
}

int ingest__field_double(const struct csv_field *f, double *out)
{
    const char *p = f->p;
    size_t len = f->len, i;
    int neg = 0;

    if (len && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
        len--;
    }
    /* [digits].[digits]: the City's coordinates ("41.879113638") */
    i = len ? (size_t)__builtin_ctzll(nondigits(load8(p)) | 1ULL << 63) / 8 : 0;
    if (i >= 1 && i < len && i < 8 && p[i] == '.' && len - 1 <= 18 && len - i - 1 <= 16) {
        size_t nf = len - i - 1;
        int64_t ip = digits8(p, i), fp = nf ? digits16(p + i + 1, nf) : 0;

        /* at most 18 digits: the mantissa is below 10^18 < 2^63; as in
         * ingest__parse_double, exact (and so equal to strtod) below 2^53 */
        if (ip >= 0 && fp >= 0) {
            uint64_t m = (uint64_t)ip * (uint64_t)pow10_tab[nf] + (uint64_t)fp;

            if (m < ((uint64_t)1 << 53)) {
                double v = (double)m / pow10_tab[nf];

                *out = neg ? -v : v;
                return 0;
            }
        }
    }
    return ingest__parse_double(f->p, f->len, out);
}

int ingest__parse_bool(const char *p, size_t len, uint8_t *out)
{
    /* the portal's own spelling first */
    if (len == 4 && !memcmp(p, "true", 4))
        return *out = 1, 0;
    if (len == 5 && !memcmp(p, "false", 5))
        return *out = 0, 0;
    ingest__trim(&p, &len);
    if (!len)
        return 1;
    switch (p[0] | 32) {
    case 't':
        if (len == 4 && !strncasecmp(p, "true", 4))
            return *out = 1, 0;
        if (len == 1)
            return *out = 1, 0;
        break;
    case 'f':
        if (len == 5 && !strncasecmp(p, "false", 5))
            return *out = 0, 0;
        if (len == 1)
            return *out = 0, 0;
        break;
    case 'y':
        if (len == 1 || (len == 3 && !strncasecmp(p, "yes", 3)))
            return *out = 1, 0;
        break;
    case 'n':
        if (len == 1 || (len == 2 && !strncasecmp(p, "no", 2)))
            return *out = 0, 0;
        break;
    }
    if (len == 1 && (p[0] == '1' || p[0] == '0'))
        return *out = (uint8_t)(p[0] == '1'), 0;
    return -1;
}

static inline int d2(const char *p)
{
    unsigned a = (unsigned)(p[0] - '0'), b = (unsigned)(p[1] - '0');

    return a < 10 && b < 10 ? (int)(a * 10 + b) : -1;
}

int ingest__parse_time(const char *p, size_t len, int64_t *out)
{
    struct cscc_tparse tp;

    ingest__trim(&p, &len);
    if (!len)
        return 1;
    /* The portal's own form, fixed width: "01/03/2016 11:57:00 PM". */
    if (len == 22 && p[2] == '/' && p[5] == '/' && p[10] == ' ' && p[13] == ':' && p[16] == ':' &&
        p[19] == ' ' && (p[21] == 'M' || p[21] == 'm')) {
        int mo = d2(p), d = d2(p + 3), yh = d2(p + 6), yl = d2(p + 8), h = d2(p + 11),
            mi = d2(p + 14), s = d2(p + 17);
        char ap = (char)(p[20] | 32);

        if (mo < 1 || d < 0 || yh < 0 || yl < 0 || h < 1 || h > 12 || mi < 0 || mi > 59 || s < 0 ||
            s > 59 || (ap != 'a' && ap != 'p') ||
            !cscc_valid_date(yh * 100 + yl, (unsigned)mo, (unsigned)d))
            return -1;
        if (h == 12)
            h = 0;
        if (ap == 'p')
            h += 12;
        {
            /* rows come in runs of one day: remember the last date's day number */
            static _Thread_local int last_ymd = -1;
            static _Thread_local int64_t last_day;
            int ymd = ((yh * 100 + yl) * 16 + mo) * 32 + d;

            if (ymd != last_ymd) {
                last_day = cscc_days_from_civil(yh * 100 + yl, (unsigned)mo, (unsigned)d);
                last_ymd = ymd;
            }
            *out = last_day * CSCC_SECS_PER_DAY + h * 3600 + mi * 60 + s;
        }
        return 0;
    }
    if (cscc_parse_datetime(p, len, &tp))
        return -1;
    *out = tp.t;
    return 0;
}

int ingest__norm_iucr(const char *p, size_t len, char out[8])
{
    size_t i, pad;

    ingest__trim(&p, &len);
    if (len == 0 || len > 4)
        return -1;
    pad = 4 - len;
    for (i = 0; i < pad; i++)
        out[i] = '0';
    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return -1;
        out[pad + i] = c;
    }
    out[4] = '\0';
    return 4;
}

int ingest__name_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b), i;

    ingest__trim(&a, &alen);
    if (alen != blen)
        return 0;
    for (i = 0; i < alen; i++) {
        char x = a[i], y = b[i];

        if (x == '_')
            x = ' ';
        if (y == '_')
            y = ' ';
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (char)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

int ingest__find_col(const struct csv_row *header, const char *name)
{
    size_t i;

    for (i = 0; i < header->nfields; i++)
        if (ingest__name_eq(header->fields[i].p, header->fields[i].len, name))
            return (int)i;
    return -1;
}

int ingest__place(struct ingest__worker *w, double lat, double lon)
{
    int a;

    if (isnan(lat) || isnan(lon))
        return 0;
    if (!w->areas && !(w->areas = ingest__job_areas(w->job)))
        return 0;
    a = geo_areas_locate(w->areas, lon, lat);
    return a > 0 && a <= w->max_area ? a : 0;
}
