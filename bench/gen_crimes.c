/*
 * gen_crimes.c - `gen-crimes`: writes a synthetic "Crimes - 2001 to present"
 * export with the portal's 22-column header, for the import/query benchmark.
 *
 *   gen-crimes --rows N --seed S [--model FILE] [--order date-desc|random] > out.csv
 *
 * Every value is drawn from bench/crimes_model.tsv (written by bench/make-model
 * from the real 2013-2018 rows): the joint (IUCR, Primary Type, Description,
 * FBI Code) mix with its arrest and domestic rates, Location Description per
 * Primary Type, real blocks with their Beat/District/Ward/Community Area and a
 * jittered coordinate, and the yearly trend and month, day, hour and minute
 * shapes. Dates span 2001-01-01 to 2024-12-31. Rows come newest first, as in
 * the portal's own export (its unmodified sample in ../shared, 1,730 rows, is
 * in Date order, descending, without exception); --order random shuffles
 * them instead. IDs increase row by row.
 * About 1 % of rows have no coordinates, and half of those (0.5 % of all rows)
 * no Community Area either.
 *
 * The output depends only on (rows, seed, model): xoshiro256** seeded by
 * splitmix64, Walker/Vose alias tables for O(1) draws, and rows formatted by
 * hand into a 4 MiB buffer (no printf per field), so 8 M rows take seconds.
 */
#include "cscc_build.h"
#include "core/alloc.h"
#include "core/err.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MODEL CSCC_SOURCE_DIR "/bench/crimes_model.tsv"
#define MAX_FIELDS    12
#define OUT_BUF       (4u << 20)
#define MAX_ROW       2048 /* longest row we can format; model strings are capped below */
#define MAX_STR       200  /* longest model string after CSV quoting */
#define FIRST_YEAR    2001
#define NPREFIX       26 /* case-number prefixes 2001..2026 */

static const char header[] =
    "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,"
    "Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,Year,"
    "Updated On,Latitude,Longitude,Location\n";

/*
 * Case-number prefixes by year, as the CPD assigns them: HW was 2013, HZ 2016,
 * JA 2017; earlier and later years follow the same sequence, which skips I, O,
 * Q and U.
 */
static const char prefixes[NPREFIX][3] = {
    "HG", "HH", "HJ", "HK", "HL", "HM", "HN", "HP", "HR", "HS", "HT", "HV", "HW",
    "HX", "HY", "HZ", "JA", "JB", "JC", "JD", "JE", "JF", "JG", "JH", "JJ", "JK",
};

/* ---------------------------------------------------------------- PRNG */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* A number in [0, n) from the high 32 bits (Lemire's multiply, bias < 2^-32 * n). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---------------------------------------------------------------- alias tables */

/* Draws index i with probability w[i] / sum(w) in O(1) (Vose's alias method). */
struct alias {
    uint32_t n;
    uint64_t *prob; /* threshold on a 32-bit draw: 2^32 means "always keep i" */
    uint32_t *other;
};

static void alias_build(struct alias *a, const double *w, uint32_t n)
{
    double sum = 0, *p = cscc_xcalloc(n ? n : 1, sizeof(*p));
    uint32_t *small = cscc_xcalloc(n ? n : 1, sizeof(*small));
    uint32_t *large = cscc_xcalloc(n ? n : 1, sizeof(*large));
    uint32_t ns = 0, nl = 0;

    a->n = n;
    a->prob = cscc_xcalloc(n ? n : 1, sizeof(*a->prob));
    a->other = cscc_xcalloc(n ? n : 1, sizeof(*a->other));
    for (uint32_t i = 0; i < n; i++)
        sum += w[i];
    for (uint32_t i = 0; i < n; i++) {
        p[i] = sum > 0 ? w[i] * n / sum : 1.0;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[--nl];

        a->prob[s] = (uint64_t)(p[s] * 4294967296.0);
        a->other[s] = l;
        p[l] = (p[l] + p[s]) - 1.0;
        if (p[l] < 1.0)
            small[ns++] = l;
        else
            large[nl++] = l;
    }
    /* What is left is 1.0 up to rounding: always keep it. */
    while (nl) {
        uint32_t l = large[--nl];
        a->prob[l] = 4294967296ULL;
        a->other[l] = l;
    }
    while (ns) {
        uint32_t s = small[--ns];
        a->prob[s] = 4294967296ULL;
        a->other[s] = s;
    }
    cscc_free(p);
    cscc_free(small);
    cscc_free(large);
}

static void alias_release(struct alias *a)
{
    cscc_free(a->prob);
    cscc_free(a->other);
    a->prob = NULL;
    a->other = NULL;
}

static inline uint32_t alias_draw(const struct alias *a, struct rng *r)
{
    uint64_t x = rng_next(r);
    uint32_t i = (uint32_t)(((x >> 32) * (uint64_t)a->n) >> 32);

    return (x & 0xffffffffULL) < a->prob[i] ? i : a->other[i];
}

/* ---------------------------------------------------------------- the model */

/* A string as it goes into the CSV: quoted and escaped when it needs to be. */
struct str {
    char *p;
    uint32_t len;
};

struct offense {
    struct str head; /* "IUCR,Primary Type,Description," */
    struct str fbi;
    uint32_t type;             /* index into model.types */
    uint64_t arrest, domestic; /* thresholds on a 32-bit draw */
};

struct block {
    struct str name;  /* "001XX N STATE ST" */
    struct str bdw;   /* "0111,001,42," : Beat, District, Ward */
    struct str ca;    /* "32" */
    int32_t x, y;     /* Illinois State Plane East, feet */
    int64_t lat, lon; /* degrees * 1e9 */
};

struct ptype {
    char *name; /* unescaped, to match @locations */
    struct str *locs;
    double *w;
    uint32_t nloc, cap;
    struct alias pick;
};

/* A small table: a value per entry and its alias table (years, hours, ...). */
struct shape {
    int values[64];
    double w[64];
    uint32_t n;
    struct alias pick;
};

struct model {
    struct shape years, months, mdays, hours, minutes;
    struct offense *off;
    uint32_t noff, capoff;
    double *offw;
    struct alias offpick;
    struct ptype *types;
    uint32_t ntypes, captypes;
    struct block *blocks;
    uint32_t nblocks, capblocks;
    double *blockw;
    struct alias blockpick;
};

struct field {
    const char *p;
    size_t len;
};

/* Copies s into a new string, quoted as RFC 4180 asks when it holds , " or newlines. */
static void str_csv(struct str *out, const char *s, size_t len, const char *suffix)
{
    size_t slen = strlen(suffix), n = 0;
    int quote = 0;
    char *p;

    for (size_t i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = 1;
    p = cscc_xmalloc(2 * len + 3 + slen);
    if (quote)
        p[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            p[n++] = '"';
        p[n++] = s[i];
    }
    if (quote)
        p[n++] = '"';
    memcpy(p + n, suffix, slen);
    n += slen;
    p[n] = '\0';
    out->p = p;
    out->len = (uint32_t)n;
}

/* Concatenates fields with commas after each, CSV-quoting each one. */
static void str_join(struct str *out, const struct field *f, int nf)
{
    struct str part;
    size_t cap = 16, n = 0;
    char *p;

    for (int i = 0; i < nf; i++)
        cap += 2 * f[i].len + 3;
    p = cscc_xmalloc(cap);
    for (int i = 0; i < nf; i++) {
        str_csv(&part, f[i].p, f[i].len, ",");
        memcpy(p + n, part.p, part.len);
        n += part.len;
        cscc_free(part.p);
    }
    p[n] = '\0';
    out->p = p;
    out->len = (uint32_t)n;
}

static int parse_i64(const struct field *f, int64_t lo, int64_t hi, int64_t *out)
{
    char buf[32], *end;
    long long v;

    if (f->len == 0 || f->len >= sizeof(buf))
        return -1;
    memcpy(buf, f->p, f->len);
    buf[f->len] = '\0';
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses a decimal degree like -87.664263469 into degrees * 1e9. */
static int parse_deg(const struct field *f, int64_t *out)
{
    char buf[32], *end;
    double v;

    if (f->len == 0 || f->len >= sizeof(buf))
        return -1;
    memcpy(buf, f->p, f->len);
    buf[f->len] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    if (errno || *end || v < -180.0 || v > 180.0)
        return -1;
    *out = (int64_t)(v * 1e9 + (v < 0 ? -0.5 : 0.5));
    return 0;
}

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 64;
    if (*cap < need)
        *cap = need;
    return cscc_xrealloc(p, (size_t)*cap * size);
}

static uint32_t type_index(struct model *m, const struct field *f)
{
    for (uint32_t i = 0; i < m->ntypes; i++)
        if (strlen(m->types[i].name) == f->len && memcmp(m->types[i].name, f->p, f->len) == 0)
            return i;
    m->types = grow(m->types, &m->captypes, m->ntypes + 1, sizeof(*m->types));
    memset(&m->types[m->ntypes], 0, sizeof(*m->types));
    m->types[m->ntypes].name = cscc_xstrndup(f->p, f->len);
    return m->ntypes++;
}

enum section {
    S_NONE,
    S_YEARS,
    S_MONTHS,
    S_MDAYS,
    S_HOURS,
    S_MINUTES,
    S_OFFENSES,
    S_LOCATIONS,
    S_BLOCKS,
    S_END
};

static int shape_add(struct shape *s, const struct field *f, int nf, int lo, int hi)
{
    int64_t w, v;

    if (nf != 2 || s->n >= 64 || parse_i64(&f[0], 0, INT64_MAX / 2, &w) ||
        parse_i64(&f[1], lo, hi, &v))
        return -1;
    s->values[s->n] = (int)v;
    s->w[s->n++] = (double)w;
    return 0;
}

static int add_offense(struct model *m, const struct field *f, int nf)
{
    struct offense *o;
    int64_t w, arrest, dom;

    if (nf != 7 || parse_i64(&f[0], 0, INT64_MAX / 2, &w) || parse_i64(&f[5], 0, 10000, &arrest) ||
        parse_i64(&f[6], 0, 10000, &dom) || f[1].len + f[2].len + f[3].len > MAX_STR / 2 ||
        f[4].len > 8)
        return -1;
    m->off = grow(m->off, &m->capoff, m->noff + 1, sizeof(*m->off));
    m->offw = cscc_xrealloc(m->offw, (size_t)m->capoff * sizeof(*m->offw));
    o = &m->off[m->noff];
    str_join(&o->head, &f[1], 3);
    str_csv(&o->fbi, f[4].p, f[4].len, "");
    o->type = type_index(m, &f[2]);
    o->arrest = (uint64_t)arrest * 4294967296ULL / 10000;
    o->domestic = (uint64_t)dom * 4294967296ULL / 10000;
    m->offw[m->noff++] = (double)w;
    return 0;
}

static int add_location(struct model *m, const struct field *f, int nf)
{
    struct ptype *t;
    int64_t w;

    if (nf != 3 || parse_i64(&f[0], 0, INT64_MAX / 2, &w) || f[2].len > MAX_STR / 2)
        return -1;
    t = &m->types[type_index(m, &f[1])];
    t->locs = grow(t->locs, &t->cap, t->nloc + 1, sizeof(*t->locs));
    t->w = cscc_xrealloc(t->w, (size_t)t->cap * sizeof(*t->w));
    str_csv(&t->locs[t->nloc], f[2].p, f[2].len, "");
    t->w[t->nloc++] = (double)w;
    return 0;
}

static int add_block(struct model *m, const struct field *f, int nf)
{
    struct block *b;
    int64_t w, x, y, ca;

    if (nf != 10 || parse_i64(&f[0], 0, INT64_MAX / 2, &w) || f[1].len > MAX_STR / 2 ||
        f[2].len + f[3].len + f[4].len > 24 || parse_i64(&f[5], 1, 99, &ca) ||
        parse_i64(&f[6], 0, 10000000, &x) || parse_i64(&f[7], 0, 10000000, &y))
        return -1;
    m->blocks = grow(m->blocks, &m->capblocks, m->nblocks + 1, sizeof(*m->blocks));
    m->blockw = cscc_xrealloc(m->blockw, (size_t)m->capblocks * sizeof(*m->blockw));
    b = &m->blocks[m->nblocks];
    if (parse_deg(&f[8], &b->lat) || parse_deg(&f[9], &b->lon))
        return -1;
    str_csv(&b->name, f[1].p, f[1].len, "");
    str_join(&b->bdw, &f[2], 3);
    str_csv(&b->ca, f[5].p, f[5].len, "");
    b->x = (int32_t)x;
    b->y = (int32_t)y;
    m->blockw[m->nblocks++] = (double)w;
    return 0;
}

static enum section section_named(const char *p, size_t len)
{
    static const struct {
        const char *name;
        enum section s;
    } names[] = {
        {"@years", S_YEARS},         {"@months", S_MONTHS},   {"@mdays", S_MDAYS},
        {"@hours", S_HOURS},         {"@minutes", S_MINUTES}, {"@offenses", S_OFFENSES},
        {"@locations", S_LOCATIONS}, {"@blocks", S_BLOCKS},   {"@end", S_END},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == len && memcmp(names[i].name, p, len) == 0)
            return names[i].s;
    return S_NONE;
}

static int model_parse_line(struct model *m, enum section *sec, const char *line, size_t len)
{
    struct field f[MAX_FIELDS];
    int nf = 0;
    size_t start = 0;

    if (len == 0 || line[0] == '#')
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == '\t') {
            if (nf == MAX_FIELDS)
                return -1;
            f[nf].p = line + start;
            f[nf++].len = i - start;
            start = i + 1;
        }
    }
    if (line[0] == '@') {
        *sec = section_named(f[0].p, f[0].len);
        return *sec == S_NONE ? -1 : 0;
    }
    switch (*sec) {
    case S_YEARS: return shape_add(&m->years, f, nf, FIRST_YEAR, FIRST_YEAR + NPREFIX - 3);
    case S_MONTHS: return shape_add(&m->months, f, nf, 1, 12);
    case S_MDAYS: return shape_add(&m->mdays, f, nf, 1, 31);
    case S_HOURS: return shape_add(&m->hours, f, nf, 0, 23);
    case S_MINUTES: return shape_add(&m->minutes, f, nf, 0, 59);
    case S_OFFENSES: return add_offense(m, f, nf);
    case S_LOCATIONS: return add_location(m, f, nf);
    case S_BLOCKS: return add_block(m, f, nf);
    case S_NONE:
    case S_END: return -1;
    }
    return -1;
}

static void model_release(struct model *m)
{
    struct shape *shapes[] = {&m->years, &m->months, &m->mdays, &m->hours, &m->minutes};

    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        alias_release(&shapes[i]->pick);
    for (uint32_t i = 0; i < m->noff; i++) {
        cscc_free(m->off[i].head.p);
        cscc_free(m->off[i].fbi.p);
    }
    for (uint32_t i = 0; i < m->ntypes; i++) {
        for (uint32_t j = 0; j < m->types[i].nloc; j++)
            cscc_free(m->types[i].locs[j].p);
        cscc_free(m->types[i].locs);
        cscc_free(m->types[i].w);
        cscc_free(m->types[i].name);
        alias_release(&m->types[i].pick);
    }
    for (uint32_t i = 0; i < m->nblocks; i++) {
        cscc_free(m->blocks[i].name.p);
        cscc_free(m->blocks[i].bdw.p);
        cscc_free(m->blocks[i].ca.p);
    }
    cscc_free(m->off);
    cscc_free(m->offw);
    cscc_free(m->types);
    cscc_free(m->blocks);
    cscc_free(m->blockw);
    alias_release(&m->offpick);
    alias_release(&m->blockpick);
    memset(m, 0, sizeof(*m));
}

/*
 * Reads and checks the model file. On error, fills err (with the line) and
 * returns a negative code; m is then released.
 */
static int model_load(struct model *m, const char *path, struct cscc_err *err)
{
    struct shape *shapes[] = {&m->years, &m->months, &m->mdays, &m->hours, &m->minutes};
    static const char *shape_names[] = {"@years", "@months", "@mdays", "@hours", "@minutes"};
    enum section sec = S_NONE;
    char *buf = NULL;
    size_t len = 0, cap = 1 << 20, n, lineno = 0;
    FILE *f;
    int rc = 0;

    memset(m, 0, sizeof(*m));
    f = fopen(path, "rb");
    if (!f)
        return cscc_err_errno(err, errno == ENOENT ? CSCC_ENOENT : CSCC_EIO, errno,
                              "cannot open model %s", path);
    buf = cscc_xmalloc(cap + 1);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            if (cap >= (64u << 20)) {
                rc = cscc_err_set(err, CSCC_ELIMIT, "model %s is larger than 64 MiB", path);
                goto out;
            }
            cap *= 2;
            buf = cscc_xrealloc(buf, cap + 1);
        }
    }
    if (ferror(f)) {
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot read model %s", path);
        goto out;
    }
    buf[len] = '\0';
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len, l = end - pos;

        lineno++;
        if (l && buf[pos + l - 1] == '\r')
            l--;
        if (model_parse_line(m, &sec, buf + pos, l) < 0) {
            rc = cscc_err_set(err, CSCC_EDATA, "model %s: line %zu: bad line", path, lineno);
            goto out;
        }
        pos = end + 1;
    }
    if (sec != S_END) {
        rc = cscc_err_set(err, CSCC_EDATA, "model %s: truncated (no @end line)", path);
        goto out;
    }
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        if (shapes[i]->n == 0) {
            rc = cscc_err_set(err, CSCC_EDATA, "model %s: section %s is empty", path,
                              shape_names[i]);
            goto out;
        }
        alias_build(&shapes[i]->pick, shapes[i]->w, shapes[i]->n);
    }
    if (m->noff == 0 || m->nblocks == 0) {
        rc = cscc_err_set(err, CSCC_EDATA, "model %s: no offenses or no blocks", path);
        goto out;
    }
    alias_build(&m->offpick, m->offw, m->noff);
    alias_build(&m->blockpick, m->blockw, m->nblocks);
    for (uint32_t i = 0; i < m->ntypes; i++)
        alias_build(&m->types[i].pick, m->types[i].w, m->types[i].nloc);
out:
    fclose(f);
    cscc_free(buf);
    if (rc)
        model_release(m);
    return rc;
}

/* ---------------------------------------------------------------- formatting */

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930"
                                 "31323334353637383940414243444546474849505152535455565758596061"
                                 "62636465666768697071727374757677787980818283848586878889909192"
                                 "93949596979899";

static inline char *put_2(char *p, unsigned v)
{
    memcpy(p, digits2 + 2 * v, 2);
    return p + 2;
}

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static inline char *put_str(char *p, const struct str *s)
{
    memcpy(p, s->p, s->len);
    return p + s->len;
}

/* Degrees * 1e9 as the portal writes them: up to 9 decimals, no trailing zeros. */
static inline char *put_deg(char *p, int64_t v)
{
    uint64_t a;
    uint32_t frac;
    char f[9];
    int n = 9;

    if (v < 0) {
        *p++ = '-';
        a = (uint64_t)(-v);
    } else {
        a = (uint64_t)v;
    }
    p = put_u64(p, a / 1000000000u);
    frac = (uint32_t)(a % 1000000000u);
    for (int i = 8; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    while (n > 1 && f[n - 1] == '0')
        n--;
    *p++ = '.';
    memcpy(p, f, (size_t)n);
    return p + n;
}

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static unsigned month_days(int y, unsigned m)
{
    static const unsigned char md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return md[m - 1] + (m == 2 && leap);
}

/* Seconds since 1970 (Chicago wall clock, no zone) as MM/DD/YYYY hh:mm:ss AM. */
static char *put_stamp(char *p, int64_t t)
{
    int64_t days = t / 86400;
    unsigned sod = (unsigned)(t % 86400), hh = sod / 3600, h12;
    unsigned m, d;
    int y;

    civil_from_days(days, &y, &m, &d);
    p = put_2(p, m);
    *p++ = '/';
    p = put_2(p, d);
    *p++ = '/';
    p = put_2(p, (unsigned)y / 100);
    p = put_2(p, (unsigned)y % 100);
    *p++ = ' ';
    h12 = hh % 12 ? hh % 12 : 12;
    p = put_2(p, h12);
    *p++ = ':';
    p = put_2(p, sod / 60 % 60);
    *p++ = ':';
    p = put_2(p, sod % 60);
    memcpy(p, hh < 12 ? " AM" : " PM", 3);
    return p + 3;
}

/* ---------------------------------------------------------------- rows */

struct gen {
    const struct model *m;
    struct rng rng;
    uint64_t id;
    uint32_t case_next[NPREFIX];
    /* Thresholds on 32 bits: no coordinates; no Community Area given no coordinates; ... */
    uint64_t no_coords, no_ca, late_case, odd_second, bulk_update;
};

/* Fraction f of the 32-bit range, for `(draw & 0xffffffff) < threshold` tests. */
static uint64_t frac32(double f)
{
    return (uint64_t)(f * 4294967296.0);
}

static inline int chance(struct rng *r, uint64_t threshold)
{
    return (rng_next(r) & 0xffffffffULL) < threshold;
}

/* The portal's bulk refreshes: one a year, Feb 10 at 3:50:01 PM. */
static int64_t bulk_refresh(int year)
{
    return days_from_civil(year, 2, 10) * 86400 + 15 * 3600 + 50 * 60 + 1;
}

/* Formats one row into p (at least MAX_ROW bytes); returns the end. */
/* An incident time drawn from the model's year, month, day, hour and minute shapes. */
static int64_t draw_when(const struct model *m, struct rng *r, uint64_t odd_second)
{
    int year = m->years.values[alias_draw(&m->years.pick, r)];
    unsigned month = (unsigned)m->months.values[alias_draw(&m->months.pick, r)];
    unsigned mlen = month_days(year, month), day, sec = 0;
    unsigned hour = (unsigned)m->hours.values[alias_draw(&m->hours.pick, r)];
    unsigned minute = (unsigned)m->minutes.values[alias_draw(&m->minutes.pick, r)];

    do
        day = (unsigned)m->mdays.values[alias_draw(&m->mdays.pick, r)];
    while (day > mlen);
    if (chance(r, odd_second))
        sec = rng_below(r, 60);
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + sec;
}

static int year_of(int64_t when)
{
    int64_t z = when / 86400 + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

    return (int)((int64_t)yoe + era * 400 + (mp >= 10));
}

static char *gen_row(struct gen *g, char *p, int64_t when)
{
    const struct model *m = g->m;
    struct rng *r = &g->rng;
    const struct offense *o = &m->off[alias_draw(&m->offpick, r)];
    const struct ptype *t = &m->types[o->type];
    const struct block *b = &m->blocks[alias_draw(&m->blockpick, r)];
    int year = year_of(when);
    int64_t updated;
    unsigned pfx;
    int missing;

    /* ID, Case Number (a late report carries the next year's prefix), Date. */
    g->id += 1 + (rng_next(r) & 1);
    p = put_u64(p, g->id);
    *p++ = ',';
    pfx = (unsigned)(year - FIRST_YEAR) + (chance(r, g->late_case) ? 1 : 0);
    memcpy(p, prefixes[pfx], 2);
    p = put_u64(p + 2, 100000u + g->case_next[pfx]++);
    *p++ = ',';
    p = put_stamp(p, when);
    *p++ = ',';

    /* Block, IUCR, Primary Type, Description, Location Description. */
    p = put_str(p, &b->name);
    *p++ = ',';
    p = put_str(p, &o->head);
    if (t->nloc)
        p = put_str(p, &t->locs[alias_draw(&t->pick, r)]);
    *p++ = ',';

    /* Arrest, Domestic, Beat, District, Ward, Community Area, FBI Code. */
    {
        uint64_t x = rng_next(r);
        int arrest = (x & 0xffffffffULL) < o->arrest, dom = (x >> 32) < o->domestic;

        memcpy(p, arrest ? "true," : "false,", arrest ? 5 : 6);
        p += arrest ? 5 : 6;
        memcpy(p, dom ? "true," : "false,", dom ? 5 : 6);
        p += dom ? 5 : 6;
    }
    /*
     * Only rows without coordinates lack a Community Area: cscc places rows
     * that have coordinates in an area on import, the peers cannot, and the
     * benchmark's counts must be the same in every tool.
     */
    missing = chance(r, g->no_coords);
    p = put_str(p, &b->bdw);
    if (!missing || !chance(r, g->no_ca))
        p = put_str(p, &b->ca);
    *p++ = ',';
    p = put_str(p, &o->fbi);
    *p++ = ',';

    /* X, Y (jittered up to 150 ft around the block's point), Year, Updated On. */
    {
        uint64_t x = rng_next(r);
        int32_t dx = (int32_t)(x % 301) - 150, dy = (int32_t)((x >> 32) % 301) - 150;
        int64_t lat = b->lat + (int64_t)dy * 2744, lon = b->lon + (int64_t)dx * 3675;

        if (!missing) {
            p = put_u64(p, (uint64_t)(b->x + dx));
            *p++ = ',';
            p = put_u64(p, (uint64_t)(b->y + dy));
            *p++ = ',';
        } else {
            *p++ = ',';
            *p++ = ',';
        }
        p = put_u64(p, (uint64_t)year);
        *p++ = ',';

        /*
         * Updated On: most rows were last touched by a yearly bulk refresh at
         * least a week after the incident; the others within a month of it.
         */
        if (chance(r, g->bulk_update)) {
            int y = year;
            while (bulk_refresh(y) < when + 7 * 86400)
                y++;
            updated = bulk_refresh(y);
        } else {
            updated = when + 86400 * (1 + (int64_t)rng_below(r, 30)) + rng_below(r, 86400);
        }
        p = put_stamp(p, updated);
        *p++ = ',';

        /* Latitude, Longitude, Location "(lat, lon)". */
        if (!missing) {
            char *lat_at = p, *lon_at;
            size_t lat_len, lon_len;

            p = put_deg(p, lat);
            lat_len = (size_t)(p - lat_at);
            *p++ = ',';
            lon_at = p;
            p = put_deg(p, lon);
            lon_len = (size_t)(p - lon_at);
            memcpy(p, ",\"(", 3);
            p += 3;
            memmove(p, lat_at, lat_len);
            p += lat_len;
            memcpy(p, ", ", 2);
            p += 2;
            memmove(p, lon_at, lon_len);
            p += lon_len;
            memcpy(p, ")\"", 2);
            p += 2;
        } else {
            *p++ = ',';
            *p++ = ',';
        }
    }
    *p++ = '\n';
    return p;
}

/* ---------------------------------------------------------------- main */

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: gen-crimes [--rows N] [--seed S] [--model FILE] [--order ORDER] > out.csv\n"
            "\n"
            "Writes a synthetic City of Chicago \"Crimes - 2001 to present\" CSV export\n"
            "(22 columns, the portal's format) to standard output.\n"
            "\n"
            "  --rows N      data rows to write (default 8000000)\n"
            "  --seed S      PRNG seed; the same rows, seed and model give the same bytes\n"
            "                (default 1)\n"
            "  --model FILE  distribution model (default %s)\n"
            "  --order ORDER date-desc (newest first, like the portal's export; default)\n"
            "                or random\n"
            "  -h, --help    print this help\n",
            DEFAULT_MODEL);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'n'},  {"seed", required_argument, NULL, 's'},
        {"model", required_argument, NULL, 'm'}, {"order", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *model_path = DEFAULT_MODEL;
    uint64_t rows = 8000000, seed = 1;
    struct cscc_err err = {0};
    struct model m;
    struct gen g;
    int64_t *when = NULL;
    char *buf, *p;
    int opt, rc, random_order = 0;

    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (parse_u64(optarg, &rows) || rows > (1ULL << 40)) {
                fprintf(stderr, "gen-crimes: error: --rows wants a count, not '%s'\n", optarg);
                return 64;
            }
            break;
        case 's':
            if (parse_u64(optarg, &seed)) {
                fprintf(stderr, "gen-crimes: error: --seed wants a number, not '%s'\n", optarg);
                return 64;
            }
            break;
        case 'm': model_path = optarg; break;
        case 'o':
            if (!strcmp(optarg, "random"))
                random_order = 1;
            else if (strcmp(optarg, "date-desc")) {
                fprintf(stderr, "gen-crimes: error: --order is date-desc or random\n");
                return 64;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 64;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "gen-crimes: error: unexpected argument '%s'\n", argv[optind]);
        return 64;
    }
    rc = model_load(&m, model_path, &err);
    if (rc) {
        fprintf(stderr, "gen-crimes: error: %s\n", err.msg);
        return cscc_exit_status(rc);
    }

    memset(&g, 0, sizeof(g));
    g.m = &m;
    rng_seed(&g.rng, seed);
    g.id = 1300000;
    g.no_coords = frac32(0.01);
    g.no_ca = frac32(0.5); /* half of the 1 %: 0.5 % of all rows */
    g.late_case = frac32(0.015);
    g.odd_second = frac32(0.002);
    g.bulk_update = frac32(0.75);

    buf = cscc_xmalloc(OUT_BUF + MAX_ROW);
    memcpy(buf, header, sizeof(header) - 1);
    p = buf + sizeof(header) - 1;
    rc = 0;
    /* Incident times first (their own random stream), newest first unless
     * asked for random order. */
    {
        struct rng tr;

        rng_seed(&tr, seed ^ 0x5eed0fda7e5ULL);
        when = cscc_xcalloc(rows ? rows : 1, sizeof(*when));
        for (uint64_t i = 0; i < rows; i++)
            when[i] = draw_when(&m, &tr, g.odd_second);
        if (!random_order)
            qsort(when, rows, sizeof(*when), cmp_desc);
    }
    for (uint64_t i = 0; i < rows; i++) {
        p = gen_row(&g, p, when[i]);
        if ((size_t)(p - buf) >= OUT_BUF) {
            if (fwrite(buf, 1, (size_t)(p - buf), stdout) != (size_t)(p - buf)) {
                rc = 1;
                break;
            }
            p = buf;
        }
    }
    if (!rc && p > buf && fwrite(buf, 1, (size_t)(p - buf), stdout) != (size_t)(p - buf))
        rc = 1;
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = 1;
    cscc_free(buf);
    cscc_free(when);
    model_release(&m);
    if (rc) {
        fprintf(stderr, "gen-crimes: error: cannot write the output: %s\n", strerror(errno));
        return 74;
    }
    return 0;
}
