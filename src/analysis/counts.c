/* counts.c - filtered, grouped counts over the crimes table.
 *
 * The scan works in blocks of rows: filters turn codes into a 0/1 mask
 * through small lookup tables, keys turn codes (or the day of the time
 * column) into dense group numbers, and counts[group] += mask. No branch
 * depends on the data, and the inner loops are specialised per code width.
 */
#include "analysis/counts.h"

#include "analysis/analysis_int.h"

#include "core/alloc.h"
#include "core/log.h"
#include "core/csv.h"
#include "core/time.h"
#include "core/u64map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK    4096
#define FLAT_MAX ((size_t)1 << 22)

static const char *const key_names[COUNTS_NKEYS] = {
    [COUNTS_AREA] = "area",         [COUNTS_YEAR] = "year", [COUNTS_MONTH] = "month",
    [COUNTS_WEEK] = "week",         [COUNTS_DAY] = "day",   [COUNTS_WEEKDAY] = "weekday",
    [COUNTS_HOUR] = "hour",         [COUNTS_TYPE] = "type", [COUNTS_FBI] = "fbi",
    [COUNTS_DISTRICT] = "district", [COUNTS_BEAT] = "beat", [COUNTS_WARD] = "ward",
};

int counts_key_by_name(const char *name)
{
    int k;

    for (k = 0; k < COUNTS_NKEYS; k++)
        if (!strcmp(name, key_names[k]))
            return k;
    return -1;
}

const char *counts_key_names(void)
{
    return "area, year, month, week, day, weekday, hour, type, fbi, district, beat, ward";
}

/* How a key maps a row to a dense group number. */
struct keydef {
    int kind;
    uint32_t n;                  /* number of groups */
    int ci;                      /* the table column it reads */
    struct colstore_dict *names; /* type and FBI keys: the strings of every row group */
    uint32_t *rank;              /* names code -> key value (alphabetical order) */
    uint32_t *order;             /* key value -> names code */
    const uint32_t *lut;         /* time keys: day offset -> group; NULL otherwise */
    int64_t day_lo, day_hi;      /* time keys: first and last day of the lut */
    int dense;                   /* groups with zero counts are listed too */
    /* time keys: the first period's start, for labels */
    int64_t period0;
};

struct counts_result {
    struct counts_query q;
    struct keydef kd[COUNTS_MAX_KEYS];
    struct counts_row *rows;
    size_t nrows;
    uint64_t total, in_period;
    const struct colstore_table *t; /* for labels (dictionary strings) */
    char *area_name[256];
    int area_known[256];
    double pop[256];
    double pop_scope; /* population of every area in scope */
    char pop_source[64];
    char fbi_list[512]; /* the FBI codes filtered on, for the JSON */
    struct analysis__filter f;
    struct strbuf warn;
    int64_t first_day, last_day; /* the period reported */
};

/* ------------------------------------------------------------------------ */
/* Reference data                                                           */
/* ------------------------------------------------------------------------ */

static int area_cb(void *arg, const struct store_area *a)
{
    struct counts_result *r = arg;

    if (a->number > 0 && a->number < 255) {
        r->area_known[a->number] = 1;
        cscc_free(r->area_name[a->number]);
        r->area_name[a->number] = cscc_xstrdup(a->name);
    }
    return 0;
}

struct popctx {
    struct counts_result *r;
    int year[256];
    const char *want;
    char source[256][64];
};

static int pop_cb(void *arg, const struct store_population *p)
{
    struct popctx *c = arg;

    if (p->area <= 0 || p->area >= 255)
        return 0;
    if (c->want ? !strcmp(p->source, c->want) : p->year > c->year[p->area]) {
        c->year[p->area] = p->year;
        c->r->pop[p->area] = (double)p->population;
        snprintf(c->source[p->area], sizeof(c->source[0]), "%s", p->source);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Time keys                                                                 */
/* ------------------------------------------------------------------------ */

static int64_t month_index(int64_t day)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    return y * 12 + (int64_t)m - 1;
}

static int64_t year_of(int64_t day)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    return y;
}

/* Monday of the ISO week of day. */
static int64_t week_start(int64_t day)
{
    return day - (cscc_weekday(day) + 6) % 7;
}

static int build_time_key(struct keydef *k, int64_t lo, int64_t hi)
{
    int64_t span = hi - lo + 1, d;
    uint32_t *lut;

    k->day_lo = lo;
    k->day_hi = hi;
    if (k->kind == COUNTS_WEEKDAY) {
        k->n = 7;
        return 0;
    }
    if (k->kind == COUNTS_HOUR) {
        k->n = 24;
        return 0;
    }
    if (span <= 0) {
        k->n = 0;
        return 0;
    }
    lut = cscc_trymalloc((size_t)span * sizeof(*lut));
    if (!lut)
        return CSCC_ENOMEM;
    switch (k->kind) {
    case COUNTS_DAY:
        for (d = 0; d < span; d++)
            lut[d] = (uint32_t)d;
        k->n = (uint32_t)span;
        k->period0 = lo;
        break;
    case COUNTS_MONTH: {
        int64_t m0 = month_index(lo);

        for (d = 0; d < span; d++)
            lut[d] = (uint32_t)(month_index(lo + d) - m0);
        k->n = lut[span - 1] + 1;
        k->period0 = m0;
        break;
    }
    case COUNTS_YEAR: {
        int64_t y0 = year_of(lo);

        for (d = 0; d < span; d++)
            lut[d] = (uint32_t)(year_of(lo + d) - y0);
        k->n = lut[span - 1] + 1;
        k->period0 = y0;
        break;
    }
    case COUNTS_WEEK: {
        int64_t w0 = week_start(lo);

        for (d = 0; d < span; d++)
            lut[d] = (uint32_t)((week_start(lo + d) - w0) / 7);
        k->n = lut[span - 1] + 1;
        k->period0 = w0;
        break;
    }
    }
    k->lut = lut;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The scan                                                                  */
/* ------------------------------------------------------------------------ */

/* g[j] = g[j] * k->n + group of row lo + j, for one row group. glut maps a
 * dictionary key's codes in this group to key values (nglut entries). */
static void key_groups(const struct keydef *k, const struct colstore_group *gr, int ci_t, size_t lo,
                       size_t n, uint32_t *g, const uint32_t *glut, size_t nglut)
{
    const struct colstore_col *tcol = colstore_group_col(gr, (size_t)ci_t);
    size_t j;

    switch (k->kind) {
    case COUNTS_YEAR:
    case COUNTS_MONTH:
    case COUNTS_WEEK:
    case COUNTS_DAY: {
        const int64_t *t = (const int64_t *)colstore_col_data(tcol) + lo;
        int64_t base = k->day_lo * CSCC_SECS_PER_DAY;

        /* rows in the period have t >= base, so the division is of non-negatives */
        for (j = 0; j < n; j++)
            g[j] = g[j] * k->n + k->lut[(uint64_t)(t[j] - base) / CSCC_SECS_PER_DAY];
        return;
    }
    case COUNTS_WEEKDAY: {
        const int64_t *t = (const int64_t *)colstore_col_data(tcol) + lo;
        int64_t base = k->day_lo * CSCC_SECS_PER_DAY;
        uint32_t wd0 = (uint32_t)((cscc_weekday(k->day_lo) + 6) % 7); /* Monday = 0 */

        for (j = 0; j < n; j++)
            g[j] = g[j] * 7 + (uint32_t)(((uint64_t)(t[j] - base) / CSCC_SECS_PER_DAY + wd0) % 7);
        return;
    }
    case COUNTS_HOUR: {
        const int64_t *t = (const int64_t *)colstore_col_data(tcol) + lo;
        int64_t base = k->day_lo * CSCC_SECS_PER_DAY;

        for (j = 0; j < n; j++)
            g[j] = g[j] * 24 + (uint32_t)((uint64_t)(t[j] - base) % CSCC_SECS_PER_DAY / 3600);
        return;
    }
    default: {
        const struct colstore_col *col = colstore_group_col(gr, (size_t)k->ci);
        const void *d = colstore_col_data(col);

        if (glut) {
            switch (colstore_col_width(col)) {
            case 1:
                for (j = 0; j < n; j++)
                    g[j] = g[j] * k->n + glut[((const uint8_t *)d)[lo + j]];
                break;
            case 2:
                for (j = 0; j < n; j++)
                    g[j] = g[j] * k->n + glut[((const uint16_t *)d)[lo + j]];
                break;
            default:
                for (j = 0; j < n; j++) {
                    uint32_t c = ((const uint32_t *)d)[lo + j];

                    g[j] = g[j] * k->n + glut[c < nglut ? c : nglut - 1];
                }
            }
            return;
        }
        switch (colstore_col_width(col)) {
        case 1:
            for (j = 0; j < n; j++)
                g[j] = g[j] * k->n + ((const uint8_t *)d)[lo + j];
            break;
        case 2:
            for (j = 0; j < n; j++)
                g[j] = g[j] * k->n + ((const uint16_t *)d)[lo + j];
            break;
        default:
            for (j = 0; j < n; j++)
                g[j] = g[j] * k->n + ((const uint32_t *)d)[lo + j];
        }
    }
    }
}

/* A group's map from a dictionary key's codes to the key's values. */
static uint32_t *dict_key_lut(struct keydef *kd, const struct colstore_col *c, size_t *nlut)
{
    uint32_t count = colstore_col_dict_count(c), k;
    uint32_t *lut;

    *nlut = colstore_col_code_space(c);
    lut = cscc_xcalloc(*nlut, sizeof(*lut));
    for (k = 0; k < count; k++) {
        size_t len;
        const char *s = colstore_col_dict_str(c, k, &len);
        int64_t v = colstore_dict_find(kd->names, s, len);

        lut[k] = v < 0 ? 0 : kd->rank[v];
    }
    return lut;
}

static const char *key_col_name(int kind)
{
    switch (kind) {
    case COUNTS_AREA: return "community_area";
    case COUNTS_TYPE: return "primary_type";
    case COUNTS_FBI: return "fbi_code";
    case COUNTS_DISTRICT: return "district";
    case COUNTS_BEAT: return "beat";
    case COUNTS_WARD: return "ward";
    default: return "date";
    }
}

/*
 * The common shape in one pass: up to three filters on 1-byte columns and
 * one key that is a 1-byte column or a day-based period (year, month, week,
 * day). counts[key] += the filters' product, with no branch on the data.
 */
static const uint8_t all_ones[256] = {
#define O4  1, 1, 1, 1
#define O16 O4, O4, O4, O4
#define O64 O16, O16, O16, O16
    O64, O64, O64, O64
#undef O64
#undef O16
#undef O4
};

static int fused_ok(const struct counts_result *r, const struct colstore_group *gr,
                    const struct analysis__cond *filt, size_t nfilt, int ci_t, int use_map,
                    uint32_t *const *klut)
{
    size_t f;
    int kind;

    (void)ci_t;
    if (use_map || r->q.nkeys != 1 || nfilt > 3 || klut[0])
        return 0;
    for (f = 0; f < nfilt; f++)
        if (colstore_col_width(colstore_group_col(gr, (size_t)filt[f].ci)) != 1)
            return 0;
    kind = r->kd[0].kind;
    if (kind == COUNTS_YEAR || kind == COUNTS_MONTH || kind == COUNTS_WEEK || kind == COUNTS_DAY)
        return 1;
    return kind != COUNTS_WEEKDAY && kind != COUNTS_HOUR &&
           colstore_col_width(colstore_group_col(gr, (size_t)r->kd[0].ci)) == 1;
}

/* counts[key] += 1 runs into itself when neighbouring rows share a key:
 * four interleaved tallies let the additions overlap. */
#define FUSED_LOOP(KEY, MASK)                                                                      \
    do {                                                                                           \
        for (j = lo; j + 4 <= hi; j += 4) {                                                        \
            size_t j0 = j, j1 = j + 1, j2 = j + 2, j3 = j + 3;                                     \
            (void)j0;                                                                              \
            h[0][KEY(j0)] += MASK(j0);                                                             \
            h[1][KEY(j1)] += MASK(j1);                                                             \
            h[2][KEY(j2)] += MASK(j2);                                                             \
            h[3][KEY(j3)] += MASK(j3);                                                             \
        }                                                                                          \
        for (; j < hi; j++)                                                                        \
            h[0][KEY(j)] += MASK(j);                                                               \
    } while (0)

static void fused_scan(const struct counts_result *r, const struct colstore_group *gr,
                       const struct analysis__cond *filt, size_t nfilt, uint8_t *const *flut,
                       int ci_t, size_t lo, size_t hi, uint64_t *flat)
{
    const struct keydef *kd = &r->kd[0];
    const uint8_t *c[3] = {NULL, NULL, NULL}, *l[3];
    size_t f, j, n = kd->n;
    uint32_t *h[4], *hist;

    hist = cscc_xcalloc(4 * n, sizeof(*hist));
    for (f = 0; f < 4; f++)
        h[f] = hist + f * n;
    for (f = 0; f < 3; f++) {
        if (f < nfilt) {
            c[f] = colstore_col_data(colstore_group_col(gr, (size_t)filt[f].ci));
            l[f] = flut[f];
        } else { /* no filter: any 1-byte column with a table of ones */
            c[f] = c[0];
            l[f] = all_ones;
        }
    }
#define MASK1(i) (uint32_t) l[0][c[0][i]]
#define MASK2(i) (uint32_t)(l[0][c[0][i]] & l[1][c[1][i]])
#define MASK3(i) (uint32_t)(l[0][c[0][i]] & l[1][c[1][i]] & l[2][c[2][i]])
#define ONE(i)   1u
    if (kd->lut && colstore_group_has_days(gr)) {
        /* A key that follows from the day (year, month, week, day): the day
         * index gives each day's rows, so the time column is not read. */
        const uint32_t *dl = kd->lut;
        int64_t d, dlast = kd->day_hi;

        for (d = r->first_day > kd->day_lo ? r->first_day : kd->day_lo;
             d <= r->last_day && d <= dlast; d++) {
            size_t a, b, i;
            uint64_t sum = 0;

            colstore_group_day_rows(gr, d, d, &a, &b);
            if (a < lo)
                a = lo;
            if (b > hi)
                b = hi;
            if (a >= b)
                continue;
            if (!nfilt) {
                sum = b - a;
            } else if (nfilt == 1) {
                for (i = a; i < b; i++)
                    sum += MASK1(i);
            } else if (nfilt == 2) {
                for (i = a; i < b; i++)
                    sum += MASK2(i);
            } else {
                for (i = a; i < b; i++)
                    sum += MASK3(i);
            }
            h[0][dl[d - kd->day_lo]] += (uint32_t)sum;
        }
    } else if (kd->lut) {
        const int64_t *t = colstore_col_data(colstore_group_col(gr, (size_t)ci_t));
        const uint32_t *dl = kd->lut;
        int64_t base = kd->day_lo * CSCC_SECS_PER_DAY;

#define TKEY(i) dl[(uint64_t)(t[i] - base) / CSCC_SECS_PER_DAY]
        if (!nfilt)
            FUSED_LOOP(TKEY, ONE);
        else if (nfilt == 1)
            FUSED_LOOP(TKEY, MASK1);
        else if (nfilt == 2)
            FUSED_LOOP(TKEY, MASK2);
        else
            FUSED_LOOP(TKEY, MASK3);
#undef TKEY
    } else {
        const uint8_t *k = colstore_col_data(colstore_group_col(gr, (size_t)kd->ci));

#define CKEY(i) k[i]
        if (!nfilt)
            FUSED_LOOP(CKEY, ONE);
        else if (nfilt == 1)
            FUSED_LOOP(CKEY, MASK1);
        else if (nfilt == 2)
            FUSED_LOOP(CKEY, MASK2);
        else
            FUSED_LOOP(CKEY, MASK3);
#undef CKEY
    }
#undef MASK1
#undef MASK2
#undef MASK3
#undef ONE
    for (j = 0; j < n; j++)
        flat[j] += (uint64_t)h[0][j] + h[1][j] + h[2][j] + h[3][j];
    cscc_free(hist);
}

static int cmp_rows(const void *x, const void *y)
{
    const struct counts_row *a = x, *b = y;
    size_t k;

    for (k = 0; k < COUNTS_MAX_KEYS; k++)
        if (a->key[k] != b->key[k])
            return a->key[k] < b->key[k] ? -1 : 1;
    return 0;
}

struct counts_result *analysis_counts(const struct colstore_table *t, struct store *st,
                                      const struct counts_query *q, struct cscc_err *err)
{
    struct counts_result *r = cscc_xcalloc(1, sizeof(*r));
    int ci_t = colstore_col_index(t, "date");
    const struct analysis__cond *filt;
    size_t nfilt, i, k, ngroups = 1, gi;
    uint64_t *flat = NULL;
    struct u64map map;
    int use_map = 0, rc = 0;
    const uint8_t *area_ok;
    uint8_t *mask = NULL;
    uint32_t *g = NULL;

    memset(&map, 0, sizeof(map));
    r->q = *q;
    r->t = t;
    strbuf_init(&r->warn, 65536);
    if (ci_t < 0 || colstore_schema_type(t, (size_t)ci_t) != COLSTORE_I64) {
        cscc_err_set(err, CSCC_EDATA, "the crimes table has no date column");
        goto fail;
    }
    /* Reference data: names, population, priority list, category. */
    if ((rc = store_each_area(st, 0, area_cb, r, err)))
        goto fail;
    {
        struct popctx pc;
        int a;

        memset(&pc, 0, sizeof(pc));
        pc.r = r;
        pc.want = q->population;
        for (a = 0; a < 256; a++)
            r->pop[a] = NAN;
        /* population is only needed for rates */
        if ((q->rate || q->population) && (rc = store_each_population(st, NULL, pop_cb, &pc, err)))
            goto fail;
        for (a = 1; a < 255; a++)
            if (pc.source[a][0]) {
                snprintf(r->pop_source, sizeof(r->pop_source), "%s", pc.source[a]);
                break;
            }
        if (q->population && !r->pop_source[0]) {
            cscc_err_set(err, CSCC_EINVAL, "no population figures from source '%s'", q->population);
            goto fail;
        }
    }
    /* Filters and the period (the query's range, else the table's). */
    if ((rc = analysis__filter_init(&r->f, t, st, q, err)))
        goto fail;
    filt = r->f.c;
    nfilt = r->f.n;
    area_ok = r->f.area_ok;
    r->first_day = r->f.first_day;
    r->last_day = r->f.last_day;
    snprintf(r->fbi_list, sizeof(r->fbi_list), "%s", r->f.fbi_list);
    r->pop_scope = 0;
    for (i = 1; i < 255; i++)
        if (area_ok[i] && r->area_known[i] && !isnan(r->pop[i]))
            r->pop_scope += r->pop[i];

    cscc_debug("counts: reference data read");

    /* Keys. */
    for (k = 0; k < q->nkeys; k++) {
        struct keydef *kd = &r->kd[k];

        kd->kind = q->keys[k];
        kd->ci = colstore_col_index(t, key_col_name(kd->kind));
        if (kd->ci < 0) {
            cscc_err_set(err, CSCC_EDATA, "the table has no column for key '%s'",
                         key_names[kd->kind]);
            goto fail;
        }
        switch (kd->kind) {
        case COUNTS_AREA:
        case COUNTS_DISTRICT:
        case COUNTS_WARD:
            kd->n = 256;
            kd->dense = kd->kind == COUNTS_AREA;
            break;
        case COUNTS_BEAT: kd->n = 65536; break;
        case COUNTS_TYPE:
        case COUNTS_FBI:
            /* the values of every group, in one dictionary */
            kd->names = colstore_dict_new(0);
            for (gi = 0; gi < colstore_ngroups(t); gi++) {
                const struct colstore_col *c =
                    colstore_group_col(colstore_group_at(t, gi), (size_t)kd->ci);
                uint32_t code, cnt = colstore_col_dict_count(c);

                for (code = 0; code < cnt; code++) {
                    size_t len;
                    const char *str = colstore_col_dict_str(c, code, &len);

                    colstore_dict_intern(kd->names, str, len);
                }
            }
            kd->n = colstore_dict_count(kd->names);
            /* key values in alphabetical order, so rows come out sorted */
            kd->order = cscc_xcalloc(kd->n ? kd->n : 1, sizeof(*kd->order));
            kd->rank = cscc_xcalloc(kd->n ? kd->n : 1, sizeof(*kd->rank));
            colstore_dict_sort(kd->names, kd->order);
            for (i = 0; i < kd->n; i++)
                kd->rank[kd->order[i]] = (uint32_t)i;
            break;
        default:
            kd->dense = 1;
            if (build_time_key(kd, r->first_day,
                               r->last_day < r->first_day ? r->first_day - 1 : r->last_day)) {
                cscc_err_set(err, CSCC_ENOMEM, "out of memory");
                goto fail;
            }
        }
        if (kd->n == 0)
            kd->n = 1;
        ngroups *= kd->n;
    }
    use_map = ngroups > FLAT_MAX;
    if (use_map ? u64map_init(&map, 1024) : !(flat = cscc_trycalloc(ngroups, sizeof(*flat)))) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu groups", ngroups);
        goto fail;
    }
    cscc_debug("counts: keys ready");
    mask = cscc_xmalloc(BLOCK);
    g = cscc_xmalloc(BLOCK * sizeof(*g));
    {
        for (gi = 0; gi < colstore_ngroups(t); gi++) {
            const struct colstore_group *gr = colstore_group_at(t, gi);
            struct analysis__group_filter gf;
            size_t nklut[COUNTS_MAX_KEYS] = {0}, lo, hi, f, b;
            int fused;
            uint32_t *klut[COUNTS_MAX_KEYS] = {NULL};

            if (r->first_day > r->last_day)
                break;
            colstore_group_day_rows(gr, r->first_day, r->last_day, &lo, &hi);
            r->in_period += hi - lo;
            analysis__filter_group(&r->f, gr, &gf);
            for (k = 0; k < q->nkeys; k++)
                if (r->kd[k].names)
                    klut[k] = dict_key_lut(&r->kd[k], colstore_group_col(gr, (size_t)r->kd[k].ci),
                                           &nklut[k]);
            /* the columns the scan reads, mapped at once (a fused scan of a
             * key that follows from the day does not read the times) */
            fused = fused_ok(r, gr, filt, nfilt, ci_t, use_map, klut);
            for (f = 0; f < nfilt; f++)
                colstore_col_prefault(colstore_group_col(gr, (size_t)filt[f].ci), lo, hi);
            for (k = 0; k < q->nkeys; k++) {
                int by_time =
                    r->kd[k].lut || r->kd[k].kind == COUNTS_WEEKDAY || r->kd[k].kind == COUNTS_HOUR;

                if (by_time && fused && r->kd[k].lut && colstore_group_has_days(gr))
                    continue;
                colstore_col_prefault(
                    colstore_group_col(gr, (size_t)(by_time ? ci_t : r->kd[k].ci)), lo, hi);
            }
            if (fused) {
                fused_scan(r, gr, filt, nfilt, gf.lut, ci_t, lo, hi, flat);
                goto group_done;
            }
            for (b = lo; b < hi; b += BLOCK) {
                size_t n = hi - b < BLOCK ? hi - b : BLOCK, j;

                memset(mask, 1, n);
                analysis__filter_mask(&r->f, gr, &gf, b, n, mask);
                memset(g, 0, n * sizeof(*g));
                for (k = 0; k < q->nkeys; k++)
                    key_groups(&r->kd[k], gr, ci_t, b, n, g, klut[k], nklut[k]);
                if (!use_map) {
                    for (j = 0; j < n; j++)
                        flat[g[j]] += mask[j];
                } else {
                    for (j = 0; j < n && !rc; j++) {
                        uint64_t *v;

                        if (!mask[j])
                            continue;
                        if (!(v = u64map_upsert(&map, g[j])))
                            rc = CSCC_ENOMEM;
                        else
                            (*v)++;
                    }
                }
            }
        group_done:
            analysis__filter_group_release(&gf);
            for (k = 0; k < q->nkeys; k++)
                cscc_free(klut[k]);
            if (rc) {
                cscc_err_set(err, CSCC_ENOMEM, "out of memory");
                goto fail;
            }
        }
        /* a value no row has is most likely a typo: say so */
        analysis__filter_warnings(&r->f, &r->warn);
    }

    cscc_debug("counts: scanned %llu rows", (unsigned long long)r->in_period);
    /* Rows: every non-empty group; dense keys also list their empty groups. */
    {
        size_t cap = 0, gix;
        int all_dense = 1;

        for (k = 0; k < q->nkeys; k++)
            all_dense &= r->kd[k].dense;
        for (gix = 0; gix < (use_map ? map.cap : ngroups); gix++) {
            uint64_t cnt, key = gix;
            uint32_t kv[COUNTS_MAX_KEYS];
            size_t rem;
            int skip = 0;

            if (use_map) {
                if (!map.used[gix])
                    continue;
                key = map.keys[gix];
                cnt = map.vals[gix];
            } else {
                cnt = flat[gix];
            }
            rem = (size_t)key;
            for (k = q->nkeys; k-- > 0;) {
                kv[k] = (uint32_t)(rem % r->kd[k].n);
                rem /= r->kd[k].n;
            }
            for (k = 0; k < q->nkeys; k++) {
                if (r->kd[k].kind == COUNTS_AREA) {
                    /* dense over the areas in scope; unknown only when it has rows */
                    if (kv[k] == 255 ? cnt == 0 || !area_ok[255]
                                     : !r->area_known[kv[k]] || !area_ok[kv[k]])
                        skip = 1;
                }
            }
            if (skip || (!cnt && !all_dense))
                continue;
            r->total += cnt;
            if (r->nrows == cap) {
                cap = cap ? cap * 2 : 256;
                r->rows = cscc_xrealloc(r->rows, cap * sizeof(*r->rows));
            }
            memcpy(r->rows[r->nrows].key, kv, sizeof(kv));
            r->rows[r->nrows].count = cnt;
            r->rows[r->nrows].rate = NAN;
            if (q->rate) {
                double pop = r->pop_scope;

                for (k = 0; k < q->nkeys; k++)
                    if (r->kd[k].kind == COUNTS_AREA)
                        pop = kv[k] == 255 ? NAN : r->pop[kv[k]];
                if (pop > 0)
                    r->rows[r->nrows].rate = (double)cnt * 100000.0 / pop;
            }
            r->nrows++;
        }
    }
    if (use_map) /* the map's order is arbitrary */
        qsort(r->rows, r->nrows, sizeof(*r->rows), cmp_rows);
    goto out;
fail:
    analysis_counts_free(r);
    r = NULL;
out:
    cscc_free(flat);
    cscc_free(mask);
    cscc_free(g);
    u64map_release(&map);
    return r;
}

void analysis_counts_free(struct counts_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < COUNTS_MAX_KEYS; i++) {
        cscc_free((void *)r->kd[i].lut);
        colstore_dict_free(r->kd[i].names);
        cscc_free(r->kd[i].rank);
        cscc_free(r->kd[i].order);
    }
    for (i = 0; i < 256; i++)
        cscc_free(r->area_name[i]);
    strbuf_release(&r->warn);
    cscc_free(r->rows);
    cscc_free(r);
}

size_t counts_nrows(const struct counts_result *r)
{
    return r->nrows;
}

const struct counts_row *counts_row_at(const struct counts_result *r, size_t i)
{
    return i < r->nrows ? &r->rows[i] : NULL;
}

uint64_t counts_total(const struct counts_result *r)
{
    return r->total;
}

uint64_t counts_rows_in_period(const struct counts_result *r)
{
    return r->in_period;
}

const char *counts_warnings(const struct counts_result *r)
{
    return r->warn.buf;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static const char *const weekday_names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                             "Friday", "Saturday", "Sunday"};

/* Column names of a key in CSV headers and JSON members. */
static const char *key_column(int kind)
{
    switch (kind) {
    case COUNTS_AREA: return "community_area";
    case COUNTS_TYPE: return "primary_type";
    case COUNTS_FBI: return "fbi_code";
    default: return key_names[kind];
    }
}

/* The label of key value v; *is_num set when it is a bare number (JSON). */
static void key_label(const struct counts_result *r, size_t k, uint32_t v, char *buf, size_t cap,
                      int *is_num, int *is_null)
{
    const struct keydef *kd = &r->kd[k];

    *is_num = 0;
    *is_null = 0;
    switch (kd->kind) {
    case COUNTS_AREA:
    case COUNTS_DISTRICT:
    case COUNTS_WARD:
        if (v == 255) {
            buf[0] = '\0';
            *is_null = 1;
        } else {
            snprintf(buf, cap, "%u", v);
            *is_num = 1;
        }
        return;
    case COUNTS_BEAT:
        if (v == 65535) {
            buf[0] = '\0';
            *is_null = 1;
        } else {
            snprintf(buf, cap, "%04u", v);
        }
        return;
    case COUNTS_TYPE:
    case COUNTS_FBI: {
        size_t len;
        const char *s = colstore_dict_str(kd->names, kd->order[v % kd->n], &len);

        snprintf(buf, cap, "%.*s", (int)len, s);
        if (!len)
            *is_null = 1;
        return;
    }
    case COUNTS_YEAR:
        snprintf(buf, cap, "%lld", (long long)(kd->period0 + v));
        *is_num = 1;
        return;
    case COUNTS_MONTH: {
        int64_t mi = kd->period0 + v;

        snprintf(buf, cap, "%04lld-%02lld", (long long)(mi / 12), (long long)(mi % 12 + 1));
        return;
    }
    case COUNTS_WEEK: {
        int iy, w;

        cscc_iso_week(kd->period0 + (int64_t)v * 7, &iy, &w);
        snprintf(buf, cap, "%04d-W%02d", iy, w);
        return;
    }
    case COUNTS_DAY:
        if (cap >= 11)
            cscc_format_day(kd->period0 + v, buf);
        return;
    case COUNTS_WEEKDAY: snprintf(buf, cap, "%s", weekday_names[v % 7]); return;
    case COUNTS_HOUR:
        snprintf(buf, cap, "%u", v);
        *is_num = 1;
        return;
    }
    buf[0] = '\0';
}

static void fmt_rate(double rate, char *buf, size_t cap)
{
    if (isnan(rate))
        buf[0] = '\0';
    else
        snprintf(buf, cap, "%.2f", rate);
}

static const char *area_name(const struct counts_result *r, uint32_t v)
{
    if (v == 255)
        return "(unknown)";
    return v < 256 && r->area_name[v] ? r->area_name[v] : "";
}

void counts_label(const struct counts_result *r, size_t i, size_t k, char *buf, size_t cap)
{
    int isnum, isnull;
    char tmp[128];

    if (i >= r->nrows || k >= r->q.nkeys || !cap) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    key_label(r, k, r->rows[i].key[k], tmp, sizeof(tmp), &isnum, &isnull);
    if (r->kd[k].kind == COUNTS_AREA)
        snprintf(buf, cap, "%s%s%s", tmp, tmp[0] ? " " : "", area_name(r, r->rows[i].key[k]));
    else
        snprintf(buf, cap, "%s", tmp);
}

static int write_csv(const struct counts_result *r, const uint8_t *withheld, struct strbuf *sb)
{
    size_t i, k;
    char buf[128];
    int isnum, isnull;

    for (k = 0; k < r->q.nkeys; k++) {
        strbuf_adds(sb, k ? "," : "");
        strbuf_adds(sb, key_column(r->kd[k].kind));
        if (r->kd[k].kind == COUNTS_AREA)
            strbuf_adds(sb, ",name");
    }
    strbuf_adds(sb, r->q.nkeys ? ",count" : "count");
    if (r->q.rate)
        strbuf_adds(sb, ",rate_per_100k");
    if (withheld)
        strbuf_adds(sb, ",suppressed");
    strbuf_addc(sb, '\n');
    for (i = 0; i < r->nrows; i++) {
        const struct counts_row *row = &r->rows[i];

        for (k = 0; k < r->q.nkeys; k++) {
            if (k)
                strbuf_addc(sb, ',');
            key_label(r, k, row->key[k], buf, sizeof(buf), &isnum, &isnull);
            csv_write_field(sb, buf, strlen(buf), isnum ? 0 : CSV_NEUTRALIZE);
            if (r->kd[k].kind == COUNTS_AREA) {
                const char *name = area_name(r, row->key[k]);

                strbuf_addc(sb, ',');
                csv_write_field(sb, name, strlen(name), CSV_NEUTRALIZE);
            }
        }
        if (withheld && withheld[i]) {
            /* withheld: the count and its rate are empty cells */
            strbuf_adds(sb, r->q.nkeys ? "," : "");
            strbuf_adds(sb, r->q.rate ? ",,1" : ",1");
        } else {
            strbuf_addf(sb, "%s%llu", r->q.nkeys ? "," : "", (unsigned long long)row->count);
            if (r->q.rate) {
                fmt_rate(row->rate, buf, sizeof(buf));
                strbuf_addc(sb, ',');
                strbuf_adds(sb, buf);
            }
            if (withheld)
                strbuf_adds(sb, ",0");
        }
        if (strbuf_addc(sb, '\n'))
            return CSCC_ENOMEM;
    }
    return 0;
}

static void json_day(struct strbuf *sb, int64_t day)
{
    char d[16];

    cscc_format_day(day, d);
    strbuf_addf(sb, "\"%s\"", d);
}

static void json_strs(struct strbuf *sb, const char *const *v, size_t n)
{
    size_t i;

    strbuf_addc(sb, '[');
    for (i = 0; i < n; i++) {
        if (i)
            strbuf_addc(sb, ',');
        strbuf_add_json_str(sb, v[i], strlen(v[i]));
    }
    strbuf_addc(sb, ']');
}

static int write_json(const struct counts_result *r, const uint8_t *withheld, int total_withheld,
                      struct strbuf *sb)
{
    const struct counts_query *q = &r->q;
    size_t i, k;
    char buf[128];
    int isnum, isnull;

    strbuf_adds(sb, "{\"query\":{\"by\":[");
    for (k = 0; k < q->nkeys; k++)
        strbuf_addf(sb, "%s\"%s\"", k ? "," : "", key_names[q->keys[k]]);
    strbuf_adds(sb, "],\"from\":");
    json_day(sb, r->first_day);
    strbuf_adds(sb, ",\"to\":");
    json_day(sb, r->last_day);
    strbuf_adds(sb, ",\"types\":");
    json_strs(sb, q->types, q->ntypes);
    strbuf_adds(sb, ",\"fbi_codes\":");
    if (r->fbi_list[0]) {
        strbuf_add_json_str(sb, r->fbi_list, strlen(r->fbi_list));
    } else {
        strbuf_adds(sb, "null");
    }
    strbuf_adds(sb, ",\"category\":");
    if (q->category)
        strbuf_add_json_str(sb, q->category, strlen(q->category));
    else
        strbuf_adds(sb, "null");
    strbuf_adds(sb, ",\"areas\":[");
    for (i = 0; i < q->nareas; i++)
        strbuf_addf(sb, "%s%d", i ? "," : "", q->areas[i]);
    strbuf_addf(sb, "],\"priority\":%s,\"rate\":%s", q->priority ? "true" : "false",
                q->rate ? "true" : "false");
    if (q->rate) {
        strbuf_adds(sb, ",\"population\":");
        strbuf_add_json_str(sb, r->pop_source, strlen(r->pop_source));
    }
    strbuf_addf(sb, "},\"data\":{\"dataset\":\"crimes\",\"generation\":%llu,\"rows_in_period\":",
                (unsigned long long)colstore_generation(r->t));
    /* A withheld total may equal the rows in the period (no filter): a
     * small one goes with it. */
    if (total_withheld && r->in_period <= 9)
        strbuf_adds(sb, "null");
    else
        strbuf_addf(sb, "%llu", (unsigned long long)r->in_period);
    strbuf_adds(sb, ",\"rows_counted\":");
    if (total_withheld)
        strbuf_adds(sb, "null");
    else
        strbuf_addf(sb, "%llu", (unsigned long long)r->total);
    strbuf_adds(sb, ",\"timezone\":\"America/Chicago\"}");
    if (r->warn.len) {
        strbuf_adds(sb, ",\"warnings\":");
        strbuf_add_json_str(sb, r->warn.buf, r->warn.len);
    }
    strbuf_adds(sb, ",\"rows\":[");
    for (i = 0; i < r->nrows; i++) {
        const struct counts_row *row = &r->rows[i];

        strbuf_adds(sb, i ? ",\n{" : "\n{");
        for (k = 0; k < q->nkeys; k++) {
            key_label(r, k, row->key[k], buf, sizeof(buf), &isnum, &isnull);
            strbuf_addf(sb, "%s\"%s\":", k ? "," : "", key_column(r->kd[k].kind));
            if (isnull)
                strbuf_adds(sb, "null");
            else if (isnum)
                strbuf_adds(sb, buf);
            else
                strbuf_add_json_str(sb, buf, strlen(buf));
            if (r->kd[k].kind == COUNTS_AREA) {
                const char *name = area_name(r, row->key[k]);

                strbuf_adds(sb, ",\"name\":");
                strbuf_add_json_str(sb, name, strlen(name));
            }
        }
        if (withheld && withheld[i]) {
            strbuf_addf(sb, "%s\"count\":null", q->nkeys ? "," : "");
            if (q->rate)
                strbuf_adds(sb, ",\"rate_per_100k\":null");
            strbuf_adds(sb, ",\"suppressed\":true}");
            continue;
        }
        strbuf_addf(sb, "%s\"count\":%llu", q->nkeys ? "," : "", (unsigned long long)row->count);
        if (q->rate) {
            fmt_rate(row->rate, buf, sizeof(buf));
            strbuf_addf(sb, ",\"rate_per_100k\":%s", buf[0] ? buf : "null");
        }
        if (withheld)
            strbuf_adds(sb, ",\"suppressed\":false");
        strbuf_addc(sb, '}');
    }
    return strbuf_adds(sb, "]}\n");
}

static int write_table(const struct counts_result *r, struct strbuf *sb)
{
    struct strbuf csv;
    size_t widths[8] = {0}, ncol = 0, c, pos;
    int rc, pass;

    /* Render as CSV-like cells first, then pad each column to its width. */
    strbuf_init(&csv, 0);
    if ((rc = write_csv(r, NULL, &csv)))
        goto out;
    for (pass = 0; pass < 2; pass++) {
        const char *p = csv.buf, *e = csv.buf + csv.len;

        while (p < e) {
            const char *nl = memchr(p, '\n', (size_t)(e - p));
            size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);

            c = 0;
            pos = 0;
            while (pos <= len && c < 8) {
                size_t start = pos, w;
                int inq = 0;
                char cell[256];
                size_t cl = 0;

                while (pos < len && (inq || p[pos] != ',')) {
                    if (p[pos] == '"') {
                        if (inq && pos + 1 < len && p[pos + 1] == '"') {
                            if (cl < sizeof(cell) - 1)
                                cell[cl++] = '"';
                            pos += 2;
                            continue;
                        }
                        inq = !inq;
                    } else if (cl < sizeof(cell) - 1) {
                        cell[cl++] = p[pos];
                    }
                    pos++;
                }
                cell[cl] = '\0';
                w = cl;
                (void)start;
                if (pass == 0) {
                    if (w > widths[c])
                        widths[c] = w;
                } else {
                    int right = cell[0] && (cell[0] == '-' || (cell[0] >= '0' && cell[0] <= '9')) &&
                                strspn(cell, "0123456789.-") == cl;

                    if (c)
                        strbuf_adds(sb, "  ");
                    if (right)
                        strbuf_addf(sb, "%*s", (int)widths[c], cell);
                    else
                        strbuf_addf(sb, "%-*s", (int)widths[c], cell);
                }
                c++;
                pos++;
            }
            if (c > ncol)
                ncol = c;
            if (pass == 1) {
                while (sb->len && sb->buf[sb->len - 1] == ' ')
                    strbuf_setlen(sb, sb->len - 1);
                strbuf_addc(sb, '\n');
            }
            p = nl ? nl + 1 : e;
        }
    }
out:
    strbuf_release(&csv);
    return rc;
}

int counts_write(const struct counts_result *r, enum counts_format f, struct strbuf *sb)
{
    switch (f) {
    case COUNTS_CSV: return write_csv(r, NULL, sb);
    case COUNTS_JSON: return write_json(r, NULL, 0, sb);
    case COUNTS_TABLE: return write_table(r, sb);
    }
    return CSCC_EINVAL;
}

int counts_write_withheld(const struct counts_result *r, enum counts_format f,
                          const uint8_t *withheld, int total_withheld, struct strbuf *sb)
{
    switch (f) {
    case COUNTS_CSV: return write_csv(r, withheld, sb);
    case COUNTS_JSON: return write_json(r, withheld, total_withheld, sb);
    case COUNTS_TABLE: break;
    }
    return CSCC_EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Cells, for other writers (the server's GeoJSON and analysis results)      */
/* ------------------------------------------------------------------------ */

const char *counts_key_column(const struct counts_result *r, size_t k)
{
    return k < r->q.nkeys ? key_column(r->kd[k].kind) : "";
}

int counts_key_is(const struct counts_result *r, size_t k, enum counts_key key)
{
    return k < r->q.nkeys && r->kd[k].kind == (int)key;
}

int counts_cell(const struct counts_result *r, size_t i, size_t k, char *buf, size_t cap)
{
    int isnum, isnull;

    if (i >= r->nrows || k >= r->q.nkeys || cap < 16) {
        if (cap)
            buf[0] = '\0';
        return COUNTS_CELL_NULL;
    }
    key_label(r, k, r->rows[i].key[k], buf, cap, &isnum, &isnull);
    return isnull ? COUNTS_CELL_NULL : isnum ? COUNTS_CELL_NUM : COUNTS_CELL_TEXT;
}

const char *counts_area_name(const struct counts_result *r, uint32_t area)
{
    return area_name(r, area);
}

int counts_has_rate(const struct counts_result *r)
{
    return r->q.rate;
}
