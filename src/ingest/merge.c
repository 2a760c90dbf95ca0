/* merge.c - merging parsed rows with the stored table, and writing the new
 * table file.
 *
 * Keys. A row with an ID is known by its ID. A row without one (old yearly
 * extracts) is known by its composite key: the dataset's key columns (for
 * crimes: Case Number, Date, IUCR) plus its occurrence among rows with the
 * same values (homicides have one row per victim, so a case can repeat).
 * An ID-less stored row is also matched by an incoming row with an ID and the
 * same composite key: the newer export upgrades it instead of doubling it.
 *
 * Decisions for a matched pair: identical content -> unchanged; otherwise
 * the incoming row replaces the stored one when its Updated On is the same or
 * later, and is ignored (stale) when earlier. Within one import, rows with
 * the same ID keep the latest Updated On, and the later row on a tie.
 */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/time.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ST_NEW = 0, ST_DUP = 1, ST_UPDATED = 2, ST_SAME = 3 };

/* A uniform read-only view of one source of rows (old table or a segment). */
struct view {
    size_t n;
    const void *data[IB_MAX_COLS];
    const char *blob[IB_MAX_COLS];
    uint8_t width[IB_MAX_COLS];
    uint32_t *map[IB_MAX_COLS]; /* a stored group's DICT codes -> the job's dictionary */
    uint32_t mapn[IB_MAX_COLS];
    const struct colstore_col *col[IB_MAX_COLS]; /* a stored group's columns */
    void *owned[IB_MAX_COLS]; /* null columns made up for an old table lacking them */
};

static void view_from_seg(struct view *v, const struct ingest__dataset *ds,
                          const struct ingest__seg *s)
{
    size_t c;

    memset(v, 0, sizeof(*v));
    v->n = s->n;
    for (c = 0; c < ds->ncols; c++) {
        v->data[c] = s->col[c];
        v->blob[c] = s->blob[c];
        v->width[c] = ds->cols[c].type == COLSTORE_DICT ? 4 : 0;
    }
}

/* A view of group g of the stored table; its dictionary codes are mapped
 * onto the job's dictionaries (interning the group's strings there). */
static int view_from_group(struct view *v, struct ingest__job *job, const struct colstore_table *t,
                           size_t g, struct cscc_err *err)
{
    const struct ingest__dataset *ds = job->ds;
    const struct colstore_group *gr = colstore_group_at(t, g);
    size_t c, n = colstore_group_nrows(gr), i;

    memset(v, 0, sizeof(*v));
    v->n = n;
    for (c = 0; c < ds->ncols; c++) {
        int ci = colstore_col_index(t, ds->cols[c].name);
        enum colstore_type ty = ds->cols[c].type;
        const struct colstore_col *col = ci >= 0 ? colstore_group_col(gr, (size_t)ci) : NULL;

        if (col && colstore_col_type(col) == ty) {
            v->col[c] = col;
            v->data[c] = colstore_col_data(col);
            v->width[c] = (uint8_t)colstore_col_width(col);
            if (ty == COLSTORE_STR) {
                size_t len;

                /* the blob starts where row 0's string starts */
                v->blob[c] = n ? colstore_col_str(col, 0, &len) : "";
            } else if (ty == COLSTORE_DICT) {
                uint32_t k, cnt = colstore_col_dict_count(col);

                v->map[c] = cscc_trymalloc((size_t)(cnt ? cnt : 1) * sizeof(uint32_t));
                if (!v->map[c])
                    return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
                v->mapn[c] = cnt;
                for (k = 0; k < cnt; k++) {
                    size_t len;
                    const char *str = colstore_col_dict_str(col, k, &len);
                    int64_t code = colstore_dict_intern(job->gdict[c], str, len);

                    if (code < 0)
                        return cscc_err_set(err, CSCC_ELIMIT,
                                            "column '%s' has too many distinct values",
                                            ds->cols[c].name);
                    v->map[c][k] = (uint32_t)code;
                }
            }
            continue;
        }
        if (col)
            return cscc_err_set(err, CSCC_EDATA,
                                "the stored table's column '%s' is %s, this cscc expects %s; "
                                "re-import into a new data directory",
                                ds->cols[c].name, colstore_type_name(colstore_col_type(col)),
                                colstore_type_name(ty));
        /* An older table without this column: all values missing. */
        {
            size_t w = ty == COLSTORE_DICT ? 1 : ty == COLSTORE_STR ? 4 : colstore_type_width(ty);
            size_t cnt = ty == COLSTORE_STR ? n + 1 : n;
            void *p = cscc_trycalloc(cnt ? cnt : 1, w);

            if (!p)
                return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
            for (i = 0; i < n; i++) {
                switch (ty) {
                case COLSTORE_I64: ((int64_t *)p)[i] = COLSTORE_NULL_I64; break;
                case COLSTORE_I32: ((int32_t *)p)[i] = COLSTORE_NULL_I32; break;
                case COLSTORE_U16: ((uint16_t *)p)[i] = COLSTORE_NULL_U16; break;
                case COLSTORE_U8: ((uint8_t *)p)[i] = COLSTORE_NULL_U8; break;
                case COLSTORE_F64: ((double *)p)[i] = NAN; break;
                default: break;
                }
            }
            v->owned[c] = p;
            v->data[c] = p;
            v->blob[c] = "";
            v->width[c] = ty == COLSTORE_DICT ? 1 : 0;
        }
    }
    return 0;
}

static void view_release(struct view *v)
{
    size_t c;

    for (c = 0; c < IB_MAX_COLS; c++) {
        cscc_free(v->owned[c]);
        cscc_free(v->map[c]);
    }
}

static inline int64_t vi64(const struct view *v, int c, size_t r)
{
    return ((const int64_t *)v->data[c])[r];
}

static inline uint32_t vcode(const struct view *v, int c, size_t r)
{
    uint32_t k = colstore_code_at(v->data[c], v->width[c], r);

    return v->map[c] ? (k < v->mapn[c] ? v->map[c][k] : 0) : k;
}

static inline const char *vstr(const struct view *v, int c, size_t r, size_t *len)
{
    const uint32_t *o = v->data[c];

    *len = o[r + 1] - o[r];
    return v->blob[c] + o[r];
}

static int same_row(const struct ingest__dataset *ds, const struct view *a, size_t ra,
                    const struct view *b, size_t rb)
{
    size_t c;

    for (c = 0; c < ds->ncols; c++) {
        switch (ds->cols[c].type) {
        case COLSTORE_DICT:
            if (vcode(a, (int)c, ra) != vcode(b, (int)c, rb))
                return 0;
            break;
        case COLSTORE_STR: {
            size_t la, lb;
            const char *pa = vstr(a, (int)c, ra, &la), *pb = vstr(b, (int)c, rb, &lb);

            if (la != lb || memcmp(pa, pb, la))
                return 0;
            break;
        }
        default: {
            size_t w = colstore_type_width(ds->cols[c].type);

            if (memcmp((const char *)a->data[c] + ra * w, (const char *)b->data[c] + rb * w, w))
                return 0;
        }
        }
    }
    return 1;
}

/* The composite key's base: a hash of the key columns' values. */
static uint64_t ckey_base(const struct ingest__dataset *ds, const struct view *v, size_t r)
{
    uint64_t h = 0x243f6a8885a308d3ULL;
    size_t k;

    for (k = 0; k < ds->nckey; k++) {
        int c = ds->ckey[k];

        switch (ds->cols[c].type) {
        case COLSTORE_STR: {
            size_t len;
            const char *p = vstr(v, c, r, &len);

            h = cscc_hash(p, len, h);
            break;
        }
        case COLSTORE_DICT: h = cscc_hash_u64(h ^ vcode(v, c, r)); break;
        case COLSTORE_I64: h = cscc_hash_u64(h ^ (uint64_t)vi64(v, c, r)); break;
        default: {
            size_t w = colstore_type_width(ds->cols[c].type);

            h = cscc_hash((const char *)v->data[c] + r * w, w, h);
        }
        }
    }
    return h;
}

/* ------------------------------------------------------------------------ */
/* An index from 64-bit keys to row numbers: a direct array when the keys    */
/* are dense (the City's IDs are), else open addressing.                     */
/* ------------------------------------------------------------------------ */

struct keyidx {
    uint64_t *keys; /* hashed mode */
    uint32_t *vals; /* value + 1; 0 = empty slot */
    size_t mask;    /* hashed mode: slots - 1 */
    int direct;     /* direct mode: vals[key - lo] */
    uint64_t lo, span;
};

static int map_init(struct keyidx *m, size_t n)
{
    size_t cap = 16;

    memset(m, 0, sizeof(*m));
    while (cap < n * 2)
        cap *= 2;
    m->mask = cap - 1;
    m->keys = cscc_trymalloc(cap * sizeof(*m->keys));
    m->vals = cscc_trycalloc(cap, sizeof(*m->vals));
    if (!m->keys || !m->vals) {
        cscc_free(m->keys);
        cscc_free(m->vals);
        m->keys = NULL;
        m->vals = NULL;
        return CSCC_ENOMEM;
    }
    return 0;
}

/* Direct mode for keys in [lo, hi]: 4 bytes per possible key. */
static int map_init_direct(struct keyidx *m, uint64_t lo, uint64_t hi)
{
    memset(m, 0, sizeof(*m));
    m->direct = 1;
    m->lo = lo;
    m->span = hi - lo + 1;
    m->vals = cscc_trycalloc(m->span, sizeof(*m->vals));
    return m->vals ? 0 : CSCC_ENOMEM;
}

static void map_free(struct keyidx *m)
{
    cscc_free(m->keys);
    cscc_free(m->vals);
}

/* Returns the slot of key: vals[slot] == 0 when absent; SIZE_MAX when the
 * key cannot be in a direct map. */
static size_t map_slot(const struct keyidx *m, uint64_t key)
{
    size_t i;

    if (m->direct)
        return key - m->lo < m->span ? (size_t)(key - m->lo) : SIZE_MAX;
    i = (size_t)cscc_hash_u64(key) & m->mask;
    while (m->vals[i] && m->keys[i] != key)
        i = (i + 1) & m->mask;
    return i;
}

static void map_set(struct keyidx *m, size_t slot, uint64_t key, uint32_t val)
{
    if (!m->direct)
        m->keys[slot] = key;
    m->vals[slot] = val;
}

/* ------------------------------------------------------------------------ */
/* Sorting                                                                  */
/* ------------------------------------------------------------------------ */

/* Stable LSD radix sort of a[] by the high 32 bits. tmp has n slots. */
static void radix_hi32(uint64_t *a, uint64_t *tmp, size_t n)
{
    static const int shifts[3] = {32, 43, 54};
    uint64_t *src = a, *dst = tmp, *t;
    size_t i, p;

    for (p = 0; p < 3; p++) {
        size_t cnt[2048] = {0}, sum = 0;
        int sh = shifts[p];

        for (i = 0; i < n; i++)
            cnt[(src[i] >> sh) & 2047]++;
        if (cnt[(src[0] >> sh) & 2047] == n)
            continue; /* every key has the same digit here */
        for (i = 0; i < 2048; i++) {
            size_t c = cnt[i];

            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[(src[i] >> sh) & 2047]++] = src[i];
        t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
}

struct tg {
    int64_t t;
    uint32_t g;
};

static int cmp_tg(const void *x, const void *y)
{
    const struct tg *a = x, *b = y;

    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

int ingest__sort_by_time(const int64_t *t, size_t n, uint32_t *order)
{
    int64_t tmin = INT64_MAX, tmax = INT64_MIN;
    uint64_t *keys, *tmp;
    size_t i, nnull = 0, k = 0;

    if (!n)
        return 0;
    for (i = 0; i < n; i++) {
        if (t[i] == COLSTORE_NULL_I64) {
            nnull++;
            continue;
        }
        tmin = t[i] < tmin ? t[i] : tmin;
        tmax = t[i] > tmax ? t[i] : tmax;
    }
    /* rows without a time first, in row order */
    for (i = 0; i < n && nnull; i++)
        if (t[i] == COLSTORE_NULL_I64)
            order[k++] = (uint32_t)i;
    if (k == n)
        return 0;
    if (!nnull) {
        /* Exports usually come in time order, newest first (the portal's):
         * then the order is the rows reversed, each run of equal times kept
         * in row order. Oldest first: the rows as they are. */
        int up = 1, down = 1;

        for (i = 1; i < n && (up || down); i++) {
            up &= t[i] >= t[i - 1];
            down &= t[i] <= t[i - 1];
        }
        if (up) {
            for (i = 0; i < n; i++)
                order[i] = (uint32_t)i;
            return 0;
        }
        if (down) {
            size_t o = 0, end = n;

            while (end > 0) {
                size_t start = end - 1;

                while (start > 0 && t[start - 1] == t[end - 1])
                    start--;
                for (i = start; i < end; i++)
                    order[o++] = (uint32_t)i;
                end = start;
            }
            return 0;
        }
    }
    if ((uint64_t)tmax - (uint64_t)tmin >= ((uint64_t)1 << 32)) {
        struct tg *a = cscc_trymalloc((n - k) * sizeof(*a));
        size_t m = 0;

        if (!a)
            return CSCC_ENOMEM;
        for (i = 0; i < n; i++)
            if (t[i] != COLSTORE_NULL_I64) {
                a[m].t = t[i];
                a[m++].g = (uint32_t)i;
            }
        qsort(a, m, sizeof(*a), cmp_tg);
        for (i = 0; i < m; i++)
            order[k + i] = a[i].g;
        cscc_free(a);
        return 0;
    }
    keys = cscc_big_alloc((n - k) * sizeof(*keys));
    tmp = cscc_big_alloc((n - k) * sizeof(*tmp));
    if (!keys || !tmp) {
        cscc_big_free(keys, (n - k) * sizeof(*keys));
        cscc_big_free(tmp, (n - k) * sizeof(*tmp));
        return CSCC_ENOMEM;
    }
    {
        size_t m = 0;

        for (i = 0; i < n; i++)
            if (t[i] != COLSTORE_NULL_I64)
                keys[m++] = ((uint64_t)(t[i] - tmin) << 32) | (uint32_t)i;
        radix_hi32(keys, tmp, m);
        for (i = 0; i < m; i++)
            order[k + i] = (uint32_t)keys[i];
    }
    cscc_big_free(keys, (n - k) * sizeof(*keys));
    cscc_big_free(tmp, (n - k) * sizeof(*tmp));
    return 0;
}

struct bo {
    uint64_t base;
    uint32_t idx; /* old row, or new global index */
    uint8_t noid;
};

static int cmp_bo(const void *x, const void *y)
{
    const struct bo *a = x, *b = y;

    if (a->base != b->base)
        return a->base < b->base ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* ------------------------------------------------------------------------ */

struct merge {
    struct ingest__job *job;
    const struct ingest__dataset *ds;
    struct view *ov; /* the stored table's groups */
    size_t nov;
    size_t *obase; /* [nov + 1]: global index of each group's first row */
    size_t nold;   /* stored rows */
    int has_old;
    struct view nv[IB_MAX_SEGS];
    size_t nsegs;
    size_t base[IB_MAX_SEGS + 1]; /* global index of each segment's first row */
    size_t N;
    uint8_t *gseg;     /* per new row: its segment */
    uint8_t *state;    /* per new row */
    uint8_t *old_drop; /* per old row */
};

/* The stored group holding stored row o (a global index), and o's row in it. */
static inline const struct view *old_view(const struct merge *m, size_t o, size_t *r)
{
    size_t lo = 0, hi = m->nov;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (m->obase[mid] <= o)
            lo = mid;
        else
            hi = mid;
    }
    *r = o - m->obase[lo];
    return &m->ov[lo];
}

static inline size_t seg_of(const struct merge *m, size_t g)
{
    return m->gseg[g];
}

static inline const struct view *nview(const struct merge *m, size_t g, size_t *r)
{
    size_t s = seg_of(m, g);

    *r = g - m->base[s];
    return &m->nv[s];
}

static inline int64_t new_updated(const struct merge *m, size_t g)
{
    size_t r;
    const struct view *v = nview(m, g, &r);

    return m->ds->col_updated >= 0 ? vi64(v, m->ds->col_updated, r) : COLSTORE_NULL_I64;
}

/* Decides a matched pair: old row o, new row g. */
static void decide(struct merge *m, size_t o, size_t g, int force_replace, int force_keep)
{
    const struct ingest__dataset *ds = m->ds;
    size_t r, orow;
    const struct view *v = nview(m, g, &r), *ovw = old_view(m, o, &orow);
    int64_t nu, ou;

    if (force_keep || same_row(ds, ovw, orow, v, r)) {
        m->state[g] = ST_SAME;
        return;
    }
    nu = ds->col_updated >= 0 ? vi64(v, ds->col_updated, r) : COLSTORE_NULL_I64;
    ou = ds->col_updated >= 0 ? vi64(ovw, ds->col_updated, orow) : COLSTORE_NULL_I64;
    if (force_replace || nu >= ou) {
        m->state[g] = ST_UPDATED;
        m->old_drop[o] = 1;
    } else {
        m->state[g] = ST_SAME;
        m->job->sum->rows_stale++;
    }
}

static int match_ids(struct merge *m, struct cscc_err *err)
{
    const struct ingest__dataset *ds = m->ds;
    struct keyidx map;
    size_t g, nid = 0, o, gi;
    int cid = ds->col_id, rc;

    if (cid < 0)
        return 0;
    for (g = 0; g < m->N; g++) {
        size_t r;
        const struct view *v = nview(m, g, &r);

        nid += vi64(v, cid, r) != COLSTORE_NULL_I64;
    }
    if (!nid)
        return 0;
    {
        int64_t lo = INT64_MAX, hi = INT64_MIN;

        for (g = 0; g < m->N; g++) {
            size_t r;
            const struct view *v = nview(m, g, &r);
            int64_t id = vi64(v, cid, r);

            if (id == COLSTORE_NULL_I64)
                continue;
            lo = id < lo ? id : lo;
            hi = id > hi ? id : hi;
        }
        /* IDs are mostly dense: index them directly when that is not much
         * bigger than hashing them. */
        rc = (uint64_t)(hi - lo) < 4 * (uint64_t)nid + (1u << 20)
                 ? map_init_direct(&map, (uint64_t)lo, (uint64_t)hi)
                 : map_init(&map, nid);
        if (rc)
            return cscc_err_set(err, CSCC_ENOMEM, "out of memory matching %zu IDs", nid);
    }
    for (g = 0; g < m->N; g++) {
        size_t r, s;
        const struct view *v = nview(m, g, &r);
        int64_t id = vi64(v, cid, r);

        if (id == COLSTORE_NULL_I64)
            continue;
        s = map_slot(&map, (uint64_t)id);
        if (!map.vals[s]) {
            map_set(&map, s, (uint64_t)id, (uint32_t)g + 1);
        } else {
            size_t w = map.vals[s] - 1;

            /* Latest Updated On wins; on a tie, the later row. */
            if (new_updated(m, g) >= new_updated(m, w)) {
                m->state[w] = ST_DUP;
                map.vals[s] = (uint32_t)g + 1;
            } else {
                m->state[g] = ST_DUP;
            }
        }
    }
    for (gi = 0; gi < m->nov; gi++) {
        const struct view *ov = &m->ov[gi];

        for (o = 0; o < ov->n; o++) {
            int64_t id = vi64(ov, cid, o);
            size_t s;

            if (id == COLSTORE_NULL_I64)
                continue;
            s = map_slot(&map, (uint64_t)id);
            if (s != SIZE_MAX && map.vals[s])
                decide(m, m->obase[gi] + o, map.vals[s] - 1, 0, 0);
        }
    }
    map_free(&map);
    return 0;
}

/* Matching by composite key against the stored table (see the top comment). */
static int match_ckeys(struct merge *m, struct cscc_err *err)
{
    const struct ingest__dataset *ds = m->ds;
    struct bo *nw = NULL, *ol = NULL;
    size_t nn = 0, no = 0, g, o, i, j;
    struct keyidx set;
    int cid = ds->col_id, old_has_noid = 0, rc = 0;

    if (!m->has_old || !ds->nckey)
        return 0;
    if (cid < 0) {
        old_has_noid = 1;
    } else {
        for (o = 0; o < m->nold && !old_has_noid; o++) {
            size_t r;
            const struct view *ovw = old_view(m, o, &r);

            old_has_noid = vi64(ovw, cid, r) == COLSTORE_NULL_I64;
        }
    }
    /* Incoming rows that need it: without an ID; with an ID that matched
     * nothing, when stored rows without an ID exist. */
    nw = cscc_trymalloc((m->N ? m->N : 1) * sizeof(*nw));
    if (!nw)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
    for (g = 0; g < m->N; g++) {
        size_t r;
        const struct view *v = nview(m, g, &r);
        int noid = cid < 0 || vi64(v, cid, r) == COLSTORE_NULL_I64;

        if (m->state[g] != ST_NEW || (!noid && !old_has_noid))
            continue;
        nw[nn].base = ckey_base(ds, v, r);
        nw[nn].idx = (uint32_t)g;
        nw[nn].noid = (uint8_t)noid;
        nn++;
    }
    if (!nn)
        goto out;
    if (map_init(&set, nn)) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < nn; i++) {
        size_t s = map_slot(&set, nw[i].base);

        map_set(&set, s, nw[i].base, 1);
    }
    for (o = 0; o < m->nold; o++) {
        uint64_t b;
        size_t orow;
        const struct view *ovw;

        if (m->old_drop[o])
            continue;
        ovw = old_view(m, o, &orow);
        b = ckey_base(ds, ovw, orow);
        if (!set.vals[map_slot(&set, b)])
            continue;
        if (no % 1024 == 0) {
            struct bo *p = cscc_tryreallocarray(ol, no + 1024, sizeof(*ol));

            if (!p) {
                map_free(&set);
                rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory");
                goto out;
            }
            ol = p;
        }
        ol[no].base = b;
        ol[no].idx = (uint32_t)o;
        ol[no].noid = (uint8_t)(cid < 0 || vi64(ovw, cid, orow) == COLSTORE_NULL_I64);
        no++;
    }
    map_free(&set);
    qsort(nw, nn, sizeof(*nw), cmp_bo);
    if (no)
        qsort(ol, no, sizeof(*ol), cmp_bo);
    /* Walk the groups of equal base in both lists. */
    for (i = 0, j = 0; i < nn;) {
        size_t ie = i, je, k, used_pos = 0;
        uint64_t b = nw[i].base;
        uint8_t used[256];

        while (ie < nn && nw[ie].base == b)
            ie++;
        while (j < no && ol[j].base < b)
            j++;
        je = j;
        while (je < no && ol[je].base == b)
            je++;
        memset(used, 0, sizeof(used));
        /* Rows without ID first, paired in order with any stored row... */
        for (k = i; k < ie; k++) {
            if (!nw[k].noid)
                continue;
            while (j + used_pos < je && used_pos < sizeof(used) && used[used_pos])
                used_pos++;
            if (j + used_pos >= je || used_pos >= sizeof(used))
                break;
            used[used_pos] = 1;
            /* a stored row with an ID is better identified: keep it */
            decide(m, ol[j + used_pos].idx, nw[k].idx, 0, !ol[j + used_pos].noid);
        }
        /* ...then rows with an ID, paired with stored rows without one. */
        for (k = i; k < ie; k++) {
            size_t p;

            if (nw[k].noid)
                continue;
            for (p = 0; j + p < je && p < sizeof(used); p++) {
                if (!used[p] && ol[j + p].noid) {
                    used[p] = 1;
                    decide(m, ol[j + p].idx, nw[k].idx, 1, 0);
                    break;
                }
            }
        }
        i = ie;
        j = je;
    }
out:
    cscc_free(nw);
    cscc_free(ol);
    return rc;
}

/* Maps each segment's dictionary codes onto the job's global dictionaries. */
static int unify_dicts(struct ingest__job *job, struct cscc_err *err)
{
    const struct ingest__dataset *ds = job->ds;
    size_t c, s, r;

    for (c = 0; c < ds->ncols; c++) {
        if (ds->cols[c].type != COLSTORE_DICT)
            continue;
        for (s = 0; s < job->nsegs; s++) {
            struct ingest__seg *sg = job->segs[s];
            uint32_t n = colstore_dict_count(sg->dict[c]), k;
            uint32_t *map = cscc_trymalloc((size_t)n * sizeof(*map));
            uint32_t *codes = sg->col[c];

            if (!map)
                return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
            for (k = 0; k < n; k++) {
                size_t len;
                const char *p = colstore_dict_str(sg->dict[c], k, &len);
                int64_t g = colstore_dict_intern(job->gdict[c], p, len);

                if (g < 0) {
                    cscc_free(map);
                    return cscc_err_set(err, CSCC_ELIMIT,
                                        "column '%s' has too many distinct values",
                                        ds->cols[c].name);
                }
                map[k] = (uint32_t)g;
            }
            for (r = 0; r < sg->n; r++)
                codes[r] = map[codes[r]];
            cscc_free(map);
        }
    }
    return 0;
}

/* A column's sources are no longer needed: drop the stored table's pages of
 * it from memory and free the parsed segments' arrays. */
static void column_done(void *arg, size_t col)
{
    struct merge *m = arg;
    size_t s;

    for (s = 0; s < m->nov; s++)
        if (m->ov[s].col[col])
            colstore_col_release(m->ov[s].col[col]);
    for (s = 0; s < m->nsegs; s++)
        ingest__seg_free_col(m->job->segs[s], col);
}

/* ------------------------------------------------------------------------ */
/* Ordering: rows into day buckets of at most BUCKET_ROWS rows (staging      */
/* order), then sorted by time within each bucket (fine order).             */
/* ------------------------------------------------------------------------ */

#define BUCKET_ROWS 65536

struct plan {
    uint32_t *pos[256]; /* staging position of each row of each segment */
    size_t seg_rows[256];
    uint32_t *fine;
    size_t nbuckets;
};

static void plan_release(struct plan *p)
{
    size_t s;

    for (s = 0; s < 256; s++)
        cscc_big_free(p->pos[s], (p->seg_rows[s] ? p->seg_rows[s] : 1) * sizeof(uint32_t));
    cscc_free(p->fine);
}

/* The time of row r of a view, and whether that row is kept. */
static inline int64_t row_t(const struct merge *m, const struct view *v, size_t r)
{
    return vi64(v, m->ds->col_t, r);
}

/* Sorts pairs (key << 32 | position) by key, stable on position order as given. */
static void radix_pairs(uint64_t *a, uint64_t *tmp, size_t n)
{
    radix_hi32(a, tmp, n);
}

static int plan_order(struct merge *m, size_t nout, struct plan *p, struct cscc_err *err)
{
    const struct view *views[256];
    int64_t dmin = INT64_MAX, dmax = INT64_MIN;
    uint32_t *count = NULL, *bucket_of = NULL, *cursor = NULL, *bstart = NULL;
    int64_t *st = NULL;
    uint64_t *pairs = NULL, *tmp = NULL;
    size_t nviews = 0, v, r, span = 0, nb = 0, b;
    int rc = 0;

    for (v = 0; v < m->nov; v++)
        views[nviews++] = &m->ov[v];
    for (v = 0; v < m->nsegs; v++)
        views[nviews++] = &m->nv[v];
#define KEPT(vi, r)                                                                                \
    ((vi) < m->nov ? !m->old_drop[m->obase[vi] + (r)]                                              \
                   : (m->state[m->base[(vi)-m->nov] + (r)] == ST_NEW ||                            \
                      m->state[m->base[(vi)-m->nov] + (r)] == ST_UPDATED))
    for (v = 0; v < nviews; v++) {
        for (r = 0; r < views[v]->n; r++) {
            int64_t t;

            if (!KEPT(v, r))
                continue;
            t = row_t(m, views[v], r);
            if (t == COLSTORE_NULL_I64)
                continue;
            t = cscc_day_of(t);
            dmin = t < dmin ? t : dmin;
            dmax = t > dmax ? t : dmax;
        }
    }
    /* Day slot 0 holds rows without a time; days follow from slot 1. */
    span = dmax >= dmin ? (size_t)(dmax - dmin + 1) : 0;
    count = cscc_trycalloc(span + 1, sizeof(*count));
    bucket_of = cscc_trycalloc(span + 1, sizeof(*bucket_of));
    if (!count || !bucket_of)
        goto nomem;
    for (v = 0; v < nviews; v++) {
        for (r = 0; r < views[v]->n; r++) {
            int64_t t;

            if (!KEPT(v, r))
                continue;
            t = row_t(m, views[v], r);
            count[t == COLSTORE_NULL_I64 ? 0 : (size_t)(cscc_day_of(t) - dmin) + 1]++;
        }
    }
    /* Consecutive days into buckets of at most BUCKET_ROWS rows (a busier
     * day gets a bucket of its own). Bucket 0 holds rows without a time. */
    {
        size_t d, fill = 0;

        bucket_of[0] = 0;
        nb = 1;
        for (d = 1; d <= span; d++) {
            if (fill && fill + count[d] > BUCKET_ROWS) {
                nb++;
                fill = 0;
            }
            bucket_of[d] = (uint32_t)nb;
            fill += count[d];
        }
        if (span)
            nb++;
    }
    p->nbuckets = nb;
    cursor = cscc_trycalloc(nb + 1, sizeof(*cursor));
    bstart = cscc_trycalloc(nb + 1, sizeof(*bstart));
    if (!cursor || !bstart)
        goto nomem;
    {
        size_t d;

        for (d = 0; d <= span; d++)
            bstart[bucket_of[d] + 1] += count[d];
        for (b = 0; b < nb; b++)
            bstart[b + 1] += bstart[b];
        memcpy(cursor, bstart, (nb + 1) * sizeof(*cursor));
    }
    /* Staging positions, in the order segments are given (stored rows first,
     * then files in input order), and the staged times. */
    st = cscc_big_alloc((nout ? nout : 1) * sizeof(*st));
    if (!st)
        goto nomem;
    for (v = 0; v < nviews; v++) {
        uint32_t *pos;

        p->seg_rows[v] = views[v]->n;
        pos = p->pos[v] = cscc_big_alloc((views[v]->n ? views[v]->n : 1) * sizeof(uint32_t));
        if (!pos)
            goto nomem;
        for (r = 0; r < views[v]->n; r++) {
            int64_t t;
            size_t slot;

            if (!KEPT(v, r)) {
                pos[r] = COLSTORE_DROP;
                continue;
            }
            t = row_t(m, views[v], r);
            slot = t == COLSTORE_NULL_I64 ? 0 : (size_t)(cscc_day_of(t) - dmin) + 1;
            pos[r] = cursor[bucket_of[slot]]++;
            st[pos[r]] = t;
        }
    }
#undef KEPT
    /* Fine order: within each bucket by time, stable on staging order. */
    p->fine = cscc_trymalloc((nout ? nout : 1) * sizeof(*p->fine));
    pairs = cscc_trymalloc((BUCKET_ROWS + 1) * sizeof(*pairs));
    tmp = cscc_trymalloc((BUCKET_ROWS + 1) * sizeof(*tmp));
    if (!p->fine || !pairs || !tmp)
        goto nomem;
    for (b = 0; b < nb; b++) {
        size_t lo = bstart[b], hi = bstart[b + 1], n = hi - lo, i;
        int64_t tmin = INT64_MAX, tmax = INT64_MIN;

        if (!n)
            continue;
        if (b == 0) { /* rows without a time: staging order */
            for (i = lo; i < hi; i++)
                p->fine[i] = (uint32_t)i;
            continue;
        }
        for (i = lo; i < hi; i++) {
            tmin = st[i] < tmin ? st[i] : tmin;
            tmax = st[i] > tmax ? st[i] : tmax;
        }
        if (n > BUCKET_ROWS) { /* one very busy day */
            uint64_t *big = cscc_trymalloc(n * sizeof(*big)), *bt = cscc_trymalloc(n * sizeof(*bt));

            if (!big || !bt) {
                cscc_free(big);
                cscc_free(bt);
                goto nomem;
            }
            for (i = 0; i < n; i++)
                big[i] = ((uint64_t)(st[lo + i] - tmin) << 32) | (uint32_t)i;
            radix_pairs(big, bt, n);
            for (i = 0; i < n; i++)
                p->fine[lo + i] = (uint32_t)(lo + (big[i] & 0xffffffffu));
            cscc_free(big);
            cscc_free(bt);
            continue;
        }
        if ((uint64_t)(tmax - tmin) >= ((uint64_t)1 << 32)) {
            /* a bucket spanning over a century (sparse old data): plain sort */
            {
                struct tg *a = cscc_trymalloc(n * sizeof(*a));

                if (!a)
                    goto nomem;
                for (i = 0; i < n; i++) {
                    a[i].t = st[lo + i];
                    a[i].g = (uint32_t)i;
                }
                qsort(a, n, sizeof(*a), cmp_tg);
                for (i = 0; i < n; i++)
                    p->fine[lo + i] = (uint32_t)(lo + a[i].g);
                cscc_free(a);
            }
            continue;
        }
        for (i = 0; i < n; i++)
            pairs[i] = ((uint64_t)(st[lo + i] - tmin) << 32) | (uint32_t)i;
        radix_pairs(pairs, tmp, n);
        for (i = 0; i < n; i++)
            p->fine[lo + i] = (uint32_t)(lo + (pairs[i] & 0xffffffffu));
    }
    goto out;
nomem:
    rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory ordering %zu rows", nout);
out:
    cscc_big_free(st, (nout ? nout : 1) * sizeof(*st));
    cscc_free(pairs);
    cscc_free(tmp);
    cscc_free(count);
    cscc_free(bucket_of);
    cscc_free(cursor);
    cscc_free(bstart);
    return rc;
}

int ingest__merge_write(struct ingest__job *job, const char *tmp_path, int *changed,
                        struct cscc_err *err)
{
    const struct ingest__dataset *ds = job->ds;
    struct ingest_summary *sum = job->sum;
    struct merge *m = cscc_xcalloc(1, sizeof(*m));
    struct colstore_wcol wcols[IB_MAX_COLS];
    struct colstore_seg *wsegs = NULL;
    struct plan plan;
    size_t g, nkeep = 0, nout = 0, s, c;
    int rc = 0, seg_off;

    memset(&plan, 0, sizeof(plan));
    *changed = 0;
    m->job = job;
    m->ds = ds;
    m->nsegs = job->nsegs;
    if (job->old) {
        size_t ng = colstore_ngroups(job->old);

        if (ng + job->nsegs > 256) {
            rc =
                cscc_err_set(err, CSCC_ELIMIT,
                             "the stored table has %zu row groups; import fewer files at once", ng);
            goto out;
        }
        m->ov = cscc_xcalloc(ng ? ng : 1, sizeof(*m->ov));
        m->obase = cscc_xcalloc(ng + 1, sizeof(*m->obase));
        for (g = 0; g < ng; g++) {
            m->nov++;
            if ((rc = view_from_group(&m->ov[g], job, job->old, g, err)))
                goto out;
            m->obase[g] = m->nold;
            m->nold += m->ov[g].n;
        }
        m->obase[ng] = m->nold;
        m->has_old = ng > 0;
    }
    if ((rc = unify_dicts(job, err)))
        goto out;
    for (s = 0; s < job->nsegs; s++) {
        view_from_seg(&m->nv[s], ds, job->segs[s]);
        m->base[s] = m->N;
        m->N += job->segs[s]->n;
    }
    m->base[job->nsegs] = m->N;
    if (m->N + m->nold >= UINT32_MAX) {
        rc = cscc_err_set(err, CSCC_ELIMIT, "a table holds at most %u rows", UINT32_MAX - 1);
        goto out;
    }
    m->state = cscc_trycalloc(m->N ? m->N : 1, 1);
    m->gseg = cscc_trymalloc(m->N ? m->N : 1);
    m->old_drop = cscc_trycalloc(m->nold ? m->nold : 1, 1);
    if (!m->state || !m->old_drop || !m->gseg) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory merging %zu rows", m->N);
        goto out;
    }
    for (s = 0; s < m->nsegs; s++)
        memset(m->gseg + m->base[s], (int)s, m->base[s + 1] - m->base[s]);
    if ((rc = match_ids(m, err)) || (rc = match_ckeys(m, err)))
        goto out;
    for (g = 0; g < m->N; g++) {
        switch (m->state[g]) {
        case ST_NEW:
            sum->rows_new++;
            nkeep++;
            break;
        case ST_UPDATED:
            sum->rows_updated++;
            nkeep++;
            break;
        case ST_SAME: sum->rows_unchanged++; break;
        case ST_DUP: sum->rows_duplicate++; break;
        }
    }
    sum->rows_total = m->nold + sum->rows_new;
    cscc_debug("merge: keys matched");
    if (!nkeep) {
        rc = 0;
        goto out; /* nothing to write: the stored table stays as it is */
    }
    *changed = 1;

    /* Order: every kept row by time; ties keep stored rows first, then
     * incoming rows in input order. */
    nout = m->nold - (size_t)sum->rows_updated + nkeep;
    if ((rc = plan_order(m, nout, &plan, err)))
        goto out;
    cscc_debug("merge: %zu rows ordered in %zu day buckets", nout, plan.nbuckets);

    /* Columns: the stored table's groups first, then the parsed segments. */
    seg_off = (int)m->nov;
    wsegs = cscc_xcalloc(ds->ncols * (m->nsegs + m->nov), sizeof(*wsegs));
    for (c = 0; c < ds->ncols; c++) {
        struct colstore_seg *sg = &wsegs[c * (m->nsegs + m->nov)];

        for (s = 0; s < m->nov; s++) {
            sg[s].data = m->ov[s].data[c];
            sg[s].blob = m->ov[s].blob[c];
            sg[s].code_width = m->ov[s].width[c];
            sg[s].code_map = m->ov[s].map[c];
            sg[s].code_map_len = m->ov[s].mapn[c];
        }
        for (s = 0; s < m->nsegs; s++) {
            sg[s + (size_t)seg_off].data = m->nv[s].data[c];
            sg[s + (size_t)seg_off].blob = m->nv[s].blob[c];
            sg[s + (size_t)seg_off].code_width = 4;
        }
        wcols[c].name = ds->cols[c].name;
        wcols[c].type = ds->cols[c].type;
        wcols[c].dict = job->gdict[c];
        wcols[c].segs = sg;
    }
    {
        struct colstore_wopts wo;
        struct colstore_order ord;

        memset(&wo, 0, sizeof(wo));
        wo.generation = job->old ? colstore_generation(job->old) + 1 : 1;
        wo.import_id = job->import_id;
        wo.meta_json = ingest__meta_json(job);
        wo.sort_col = ds->col_t;
        wo.threads = job->opts->threads > 0 ? job->opts->threads : 2;
        wo.column_done = column_done;
        wo.arg = m;
        sum->generation = wo.generation;
        ord.pos = (const uint32_t *const *)plan.pos;
        ord.seg_rows = plan.seg_rows;
        ord.fine = plan.fine;
        rc = colstore_write(tmp_path, wcols, ds->ncols, m->nsegs + (size_t)seg_off, &ord, nout, &wo,
                            err);
    }
out:
    cscc_free(wsegs);
    plan_release(&plan);
    cscc_free(m->state);
    cscc_free(m->gseg);
    cscc_free(m->old_drop);
    for (s = 0; s < m->nov; s++)
        view_release(&m->ov[s]);
    cscc_free(m->ov);
    cscc_free(m->obase);
    cscc_free(m);
    return rc;
}
