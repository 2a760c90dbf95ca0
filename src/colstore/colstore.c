/* colstore.c - writing and memory-mapping table files. */
#include "colstore/colstore.h"

#include "colstore/colstore_int.h"
#include "core/alloc.h"
#include "core/hash.h"
#include "core/time.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

size_t colstore_type_width(enum colstore_type t)
{
    switch (t) {
    case COLSTORE_I64:
    case COLSTORE_F64: return 8;
    case COLSTORE_I32: return 4;
    case COLSTORE_U16: return 2;
    case COLSTORE_U8: return 1;
    default: return 0;
    }
}

const char *colstore_type_name(enum colstore_type t)
{
    switch (t) {
    case COLSTORE_I64: return "i64";
    case COLSTORE_I32: return "i32";
    case COLSTORE_U16: return "u16";
    case COLSTORE_U8: return "u8";
    case COLSTORE_F64: return "f64";
    case COLSTORE_DICT: return "dict";
    case COLSTORE_STR: return "str";
    }
    return "?";
}

static uint64_t align_up(uint64_t x)
{
    return (x + CS_ALIGN - 1) & ~(uint64_t)(CS_ALIGN - 1);
}

static unsigned code_width_for(uint32_t count)
{
    return count <= 256 ? 1 : count <= 65536 ? 2 : 4;
}

/* ======================================================================== */
/* Writer                                                                   */
/* ======================================================================== */

struct dictref {
    uint64_t dict_id;
    uint32_t count;
    uint64_t aux_off, aux_len, aux2_off, aux2_len;
};

struct colstore_writer {
    char *path;
    int fd;
    size_t ncols;
    struct cs_schema *schema;
    int sort_col;
    pthread_mutex_t lock;
    uint64_t end;            /* next free byte of the file */
    struct cs_group *groups; /* [ngroups] */
    struct cs_coldir *dirs;  /* [ngroups * ncols] */
    size_t ngroups, capgroups;
    uint64_t nrows;
    struct dictref *dicts;
    size_t ndicts, capdicts;
    int finished;
};

/* One call of colstore_writer_add: a group being written. */
struct wjob {
    int fd;
    size_t nsegs;
    const struct colstore_wcol *cols;
    struct cs_coldir *dir; /* [ncols] */
    uint8_t *write_dict;   /* [ncols]: this group writes the column's dictionary */
    size_t ncols;
    const struct colstore_order *ord;
    size_t nrows;
    int sort_col; /* written by the calling thread beforehand */
    void (*column_done)(void *arg, size_t col);
    void *arg;
    _Atomic size_t next; /* next column to write */
    _Atomic int failed;
    int err_code;
    int err_errno;
    char err_col[64];
    pthread_mutex_t lock;
};

/*
 * A buffered writer over pwrite. (O_DIRECT was measured here: no faster than
 * the page cache with early write-back, and it leaves the new table out of
 * the cache for the first query.)
 */
#define WB_BYTES (1u << 20)

struct wbuf {
    char buf[WB_BYTES];
    int fd;
    uint64_t off;
    size_t len;
    int err; /* errno of the first failure */
};

static struct wbuf *wb_new(void)
{
    struct wbuf *w = cscc_trymalloc(sizeof(struct wbuf));

    if (w) {
        w->err = 0;
        w->len = 0;
    }
    return w;
}

static void wb_flush(struct wbuf *w)
{
    size_t done = 0, len = w->len;

    while (done < len && !w->err) {
        ssize_t n = pwrite(w->fd, w->buf + done, len - done, (off_t)(w->off + done));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            w->err = errno;
        } else if (n == 0) {
            w->err = EIO;
        } else {
            done += (size_t)n;
        }
    }
    w->off += w->len;
    w->len = 0;
}

static void wb_put(struct wbuf *w, const void *p, size_t n)
{
    const char *s = p;

    while (n) {
        size_t room = sizeof(w->buf) - w->len, k = n < room ? n : room;

        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
        if (w->len == WB_BYTES)
            wb_flush(w);
    }
}

static void wb_start(struct wbuf *w, int fd, uint64_t off)
{
    w->fd = fd;
    w->off = off;
    w->len = 0;
}

/* Bytes per staged value of a column: fixed width, the output code width,
 * or for strings a slot: blob offset | length << 32 | segment << 48. */
static size_t stage_width(const struct colstore_wcol *c, const struct cs_coldir *d)
{
    if (c->type == COLSTORE_DICT)
        return d->width;
    if (c->type == COLSTORE_STR)
        return 8;
    return colstore_type_width(c->type);
}

/* The code of row r in a segment whose codes are w bytes wide. */
static inline uint32_t seg_code(const void *data, unsigned w, size_t r)
{
    switch (w) {
    case 1: return ((const uint8_t *)data)[r];
    case 2: return ((const uint16_t *)data)[r];
    default: return ((const uint32_t *)data)[r];
    }
}

#define SCATTER(T, VALUE)                                                                          \
    do {                                                                                           \
        T *st = stage;                                                                             \
        if (!pos) {                                                                                \
            for (r = 0; r < n; r++)                                                                \
                st[base + r] = (T)(VALUE);                                                         \
            break;                                                                                 \
        }                                                                                          \
        for (r = 0; r < n; r++) {                                                                  \
            uint32_t p = pos[r];                                                                   \
            if (p != COLSTORE_DROP)                                                                \
                st[p] = (T)(VALUE);                                                                \
        }                                                                                          \
    } while (0)

/* Puts every kept row of column c into staging order. */
static void scatter(const struct wjob *j, const struct colstore_wcol *c, size_t width, void *stage)
{
    size_t s, r, base = 0;

    for (s = 0; s < j->nsegs; base += j->ord->seg_rows[s], s++) {
        const uint32_t *pos = j->ord->pos[s];
        const void *src = c->segs[s].data;
        size_t n = j->ord->seg_rows[s];

        if (c->type == COLSTORE_STR) {
            /* a slot: offset in the segment's blob, length, segment */
            const uint32_t *o = src;

            SCATTER(uint64_t,
                    (uint64_t)o[r] | (uint64_t)(o[r + 1] - o[r]) << 32 | (uint64_t)s << 48);
        } else if (c->type == COLSTORE_DICT && c->segs[s].code_map) {
            unsigned sw = c->segs[s].code_width;
            const uint32_t *map = c->segs[s].code_map;
            uint32_t mn = c->segs[s].code_map_len, k;

#define MAPPED (k = seg_code(src, sw, r), k < mn ? map[k] : 0)
            if (width == 1)
                SCATTER(uint8_t, MAPPED);
            else if (width == 2)
                SCATTER(uint16_t, MAPPED);
            else
                SCATTER(uint32_t, MAPPED);
#undef MAPPED
        } else if (c->type == COLSTORE_DICT) {
            unsigned sw = c->segs[s].code_width;

            if (width == 1)
                SCATTER(uint8_t, seg_code(src, sw, r));
            else if (width == 2)
                SCATTER(uint16_t, seg_code(src, sw, r));
            else
                SCATTER(uint32_t, seg_code(src, sw, r));
        } else if (width == 8) {
            SCATTER(uint64_t, ((const uint64_t *)src)[r]);
        } else if (width == 4) {
            SCATTER(uint32_t, ((const uint32_t *)src)[r]);
        } else if (width == 2) {
            SCATTER(uint16_t, ((const uint16_t *)src)[r]);
        } else {
            SCATTER(uint8_t, ((const uint8_t *)src)[r]);
        }
    }
}

/* Writes a staged fixed-width column in output order. */
#define GATHER(T)                                                                                  \
    do {                                                                                           \
        const T *st = stage;                                                                       \
        size_t i = 0;                                                                              \
        while (i < j->nrows) {                                                                     \
            size_t k = (sizeof(w->buf) - w->len) / sizeof(T), e;                                   \
            char *out;                                                                             \
            if (!k) {                                                                              \
                wb_flush(w);                                                                       \
                continue;                                                                          \
            }                                                                                      \
            e = i + k < j->nrows ? i + k : j->nrows;                                               \
            out = w->buf + w->len;                                                                 \
            if (fine) {                                                                            \
                for (; i < e; i++, out += sizeof(T))                                               \
                    memcpy(out, &st[fine[i]], sizeof(T));                                          \
            } else {                                                                               \
                memcpy(out, &st[i], (e - i) * sizeof(T));                                          \
                out += (e - i) * sizeof(T);                                                        \
                i = e;                                                                             \
            }                                                                                      \
            w->len = (size_t)(out - w->buf);                                                       \
        }                                                                                          \
    } while (0)

static void gather(const struct wjob *j, size_t width, const void *stage, struct wbuf *w)
{
    const uint32_t *fine = j->ord->fine;

    switch (width) {
    case 8: GATHER(uint64_t); break;
    case 4: GATHER(uint32_t); break;
    case 2: GATHER(uint16_t); break;
    default: GATHER(uint8_t); break;
    }
}

static void write_dict_tables(const struct wjob *j, const struct colstore_wcol *c,
                              const struct cs_coldir *d, struct wbuf *w)
{
    uint32_t n = colstore_dict_count(c->dict), k, off = 0;

    wb_flush(w);
    wb_start(w, j->fd, d->aux_off);
    for (k = 0; k <= n; k++) {
        wb_put(w, &off, 4);
        if (k < n) {
            size_t len;

            colstore_dict_str(c->dict, k, &len);
            off += (uint32_t)len + 1;
        }
    }
    wb_flush(w);
    wb_start(w, j->fd, d->aux2_off);
    for (k = 0; k < n; k++) {
        size_t len;
        const char *str = colstore_dict_str(c->dict, k, &len);

        wb_put(w, str, len + 1);
    }
}

static void write_str(const struct wjob *j, const struct colstore_wcol *c,
                      const struct cs_coldir *d, const uint64_t *slots, struct wbuf *w)
{
    const uint32_t *fine = j->ord->fine;
    const char *blob[256];
    uint32_t off = 0;
    size_t i, s;

    for (s = 0; s < j->nsegs; s++)
        blob[s] = c->segs[s].blob;
    for (i = 0; i < j->nrows; i++) {
        uint64_t sl = slots[fine ? fine[i] : i];

        if (w->len + 4 > sizeof(w->buf))
            wb_flush(w);
        memcpy(w->buf + w->len, &off, 4);
        w->len += 4;
        off += (uint32_t)(sl >> 32) & 0xffff;
    }
    wb_put(w, &off, 4);
    wb_flush(w);
    wb_start(w, j->fd, d->aux_off);
    for (i = 0; i < j->nrows; i++) {
        uint64_t sl = slots[fine ? fine[i] : i];
        size_t len = (sl >> 32) & 0xffff;
        const char *p = blob[sl >> 48] + (uint32_t)sl;

        if (i + 8 < j->nrows) {
            uint64_t nx = slots[fine ? fine[i + 8] : i + 8];

            __builtin_prefetch(blob[nx >> 48] + (uint32_t)nx);
        }
        if (!len)
            continue;
        if (len <= 16 && w->len + 16 <= sizeof(w->buf)) {
            /* sources keep 16 readable bytes after every string */
            memcpy(w->buf + w->len, p, 16);
            w->len += len;
        } else {
            wb_put(w, p, len);
        }
    }
}

/*
 * Stages and writes column ci. stage is this thread's staging buffer (8 bytes
 * a row, reused for every column: first writes to fresh memory are slow);
 * staged says the column is already in it. Returns 0; I/O errors are in w->err.
 */
static int write_column(struct wjob *j, size_t ci, struct wbuf *w, void *stage, int staged)
{
    const struct colstore_wcol *c = &j->cols[ci];
    const struct cs_coldir *d = &j->dir[ci];
    size_t width = stage_width(c, d);

    /* One segment keeping every row in place (a streamed part): a fixed
     * column is gathered straight from its source. */
    if (!staged && j->nsegs == 1 && !j->ord->pos[0] && c->type != COLSTORE_DICT &&
        c->type != COLSTORE_STR) {
        stage = (void *)c->segs[0].data;
        staged = 1;
    }
    if (!staged)
        scatter(j, c, width, stage);
    if (c->type != COLSTORE_STR && j->column_done)
        j->column_done(j->arg, ci);
    wb_start(w, j->fd, d->data_off);
    if (c->type == COLSTORE_STR) {
        write_str(j, c, d, stage, w);
        if (j->column_done)
            j->column_done(j->arg, ci);
    } else {
        gather(j, width, stage, w);
        if (c->type == COLSTORE_DICT && j->write_dict[ci])
            write_dict_tables(j, c, d, w);
    }
    wb_flush(w);
    /* Start writing this column back to disk now, so the final fsync has
     * less left to wait for. */
    if (!w->err)
        sync_file_range(j->fd, (off_t)d->data_off, (off_t)(w->off - d->data_off),
                        SYNC_FILE_RANGE_WRITE);
    return 0;
}

static void fail_job(struct wjob *j, int code, int errnum, const char *col)
{
    pthread_mutex_lock(&j->lock);
    if (!j->err_code) {
        j->err_code = code;
        j->err_errno = errnum;
        snprintf(j->err_col, sizeof(j->err_col), "%s", col);
    }
    pthread_mutex_unlock(&j->lock);
    j->failed = 1;
}

static void *writer_thread(void *arg)
{
    struct wjob *j = arg;
    struct wbuf *w = wb_new();
    size_t ci, bytes = (j->nrows ? j->nrows : 1) * 8;
    void *stage = NULL;

    if (!w || !(stage = cscc_big_alloc(bytes))) {
        cscc_free(w);
        fail_job(j, CSCC_ENOMEM, 0, "");
        return NULL;
    }
    while (!j->failed && (ci = atomic_fetch_add(&j->next, 1)) < j->ncols) {
        if ((int)ci == j->sort_col)
            continue;
        write_column(j, ci, w, stage, 0);
        if (w->err) {
            fail_job(j, CSCC_EIO, w->err, j->cols[ci].name);
            break;
        }
    }
    cscc_free(w);
    cscc_big_free(stage, bytes);
    return NULL;
}

/* The day index of a staged time column: x[k] = first output row on day
 * day_min + k. Rows with no time come first and are outside the index. */
static int day_index(const int64_t *st, const uint32_t *fine, size_t nrows, int64_t *day_min,
                     uint64_t *ndays, uint32_t **idx)
{
    size_t i, first = 0;
    int64_t last_day, d, prev;
    uint32_t *x;

#define TV(i) st[fine ? fine[i] : (i)]
    *idx = NULL;
    *ndays = 0;
    *day_min = 0;
    while (first < nrows && TV(first) == COLSTORE_NULL_I64)
        first++;
    if (first == nrows)
        return 0;
    *day_min = cscc_day_of(TV(first));
    last_day = cscc_day_of(TV(nrows - 1));
    if (last_day < *day_min)
        return CSCC_EINVAL;
    *ndays = (uint64_t)(last_day - *day_min + 1);
    x = cscc_trycalloc(*ndays + 1, sizeof(*x));
    if (!x)
        return CSCC_ENOMEM;
    prev = *day_min - 1;
    for (i = first; i < nrows; i++) {
        if (TV(i) == COLSTORE_NULL_I64 || (d = cscc_day_of(TV(i))) < prev) {
            cscc_free(x);
            return CSCC_EINVAL;
        }
        while (prev < d) {
            prev++;
            x[prev - *day_min] = (uint32_t)i;
        }
    }
    x[*ndays] = (uint32_t)nrows;
#undef TV
    *idx = x;
    return 0;
}

static uint64_t dict_blob_bytes(const struct colstore_dict *d)
{
    uint32_t n = colstore_dict_count(d), k;
    uint64_t blob = 0;

    for (k = 0; k < n; k++) {
        size_t len;

        colstore_dict_str(d, k, &len);
        blob += len + 1;
    }
    return blob;
}

/* Sizes of a group's sections, relative to its start (offsets are made
 * absolute once space is reserved). Shared dictionaries already written
 * keep their offsets (absolute: marked by write_dict[ci] == 0). */
static uint64_t layout_group(struct colstore_writer *w, const struct wjob *j, uint64_t dayidx_len,
                             uint64_t *dayidx_rel, int *too_big)
{
    size_t ci, s, r;
    uint64_t pos = 0;

    *too_big = 0;
    for (ci = 0; ci < j->ncols; ci++) {
        const struct colstore_wcol *c = &j->cols[ci];
        struct cs_coldir *d = &j->dir[ci];

        memset(d, 0, sizeof(*d));
        d->type = (uint8_t)c->type;
        pos = align_up(pos);
        d->data_off = pos;
        if (c->type == COLSTORE_DICT) {
            uint32_t n = colstore_dict_count(c->dict);
            size_t k;

            d->dict_count = n;
            d->width = (uint8_t)code_width_for(n);
            d->data_len = (uint64_t)j->nrows * d->width;
            pos = d->data_off + d->data_len + CS_PAD;
            for (k = 0; k < w->ndicts; k++)
                if (w->dicts[k].dict_id == colstore_dict_id(c->dict))
                    break;
            if (k < w->ndicts) {
                d->aux_off = w->dicts[k].aux_off;
                d->aux_len = w->dicts[k].aux_len;
                d->aux2_off = w->dicts[k].aux2_off;
                d->aux2_len = w->dicts[k].aux2_len;
                j->write_dict[ci] = 0;
            } else {
                d->aux_off = align_up(pos);
                d->aux_len = ((uint64_t)n + 1) * 4;
                d->aux2_off = align_up(d->aux_off + d->aux_len + CS_PAD);
                d->aux2_len = dict_blob_bytes(c->dict);
                pos = d->aux2_off + d->aux2_len + CS_PAD;
                j->write_dict[ci] = 1;
            }
        } else if (c->type == COLSTORE_STR) {
            uint64_t blob = 0;

            for (s = 0; s < j->nsegs; s++) {
                const uint32_t *o = c->segs[s].data, *p = j->ord->pos[s];
                size_t n = j->ord->seg_rows[s];

                if (!p) {
                    blob += o[n] - o[0];
                    continue;
                }
                for (r = 0; r < n; r++)
                    if (p[r] != COLSTORE_DROP)
                        blob += o[r + 1] - o[r];
            }
            if (blob > UINT32_MAX)
                *too_big = 1;
            d->width = 4;
            d->data_len = ((uint64_t)j->nrows + 1) * 4;
            d->aux_off = align_up(d->data_off + d->data_len + CS_PAD);
            d->aux_len = blob;
            pos = d->aux_off + d->aux_len + CS_PAD;
        } else {
            d->width = (uint8_t)colstore_type_width(c->type);
            d->data_len = (uint64_t)j->nrows * d->width;
            pos = d->data_off + d->data_len + CS_PAD;
        }
    }
    *dayidx_rel = align_up(pos);
    pos = *dayidx_rel + dayidx_len + CS_PAD;
    return align_up(pos);
}

struct colstore_writer *colstore_writer_new(const char *path,
                                            const struct colstore_schema_col *schema, size_t ncols,
                                            int sort_col, struct cscc_err *err)
{
    struct colstore_writer *w;
    size_t i;

    if (!ncols || ncols > 4096) {
        cscc_err_set(err, CSCC_EINVAL, "a table has 1 to 4096 columns");
        return NULL;
    }
    for (i = 0; i < ncols; i++) {
        if (!schema[i].name[0] || strlen(schema[i].name) > COLSTORE_NAME_MAX) {
            cscc_err_set(err, CSCC_EINVAL, "bad column name '%s'", schema[i].name);
            return NULL;
        }
    }
    if (sort_col >= (int)ncols || (sort_col >= 0 && schema[sort_col].type != COLSTORE_I64)) {
        cscc_err_set(err, CSCC_EINVAL, "sort column must be an i64 column");
        return NULL;
    }
    w = cscc_xcalloc(1, sizeof(*w));
    w->path = cscc_xstrdup(path);
    w->ncols = ncols;
    w->sort_col = sort_col;
    w->schema = cscc_xcalloc(ncols, sizeof(*w->schema));
    for (i = 0; i < ncols; i++) {
        snprintf(w->schema[i].name, sizeof(w->schema[i].name), "%s", schema[i].name);
        w->schema[i].type = (uint8_t)schema[i].type;
    }
    w->end = CS_HEADER_SPACE;
    pthread_mutex_init(&w->lock, NULL);
    w->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", path);
        w->finished = 1; /* nothing to remove */
        colstore_writer_free(w);
        return NULL;
    }
    return w;
}

void colstore_writer_free(struct colstore_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (!w->finished)
        unlink(w->path);
    pthread_mutex_destroy(&w->lock);
    cscc_free(w->path);
    cscc_free(w->schema);
    cscc_free(w->groups);
    cscc_free(w->dirs);
    cscc_free(w->dicts);
    cscc_free(w);
}

static void shift(uint64_t *off, uint64_t base)
{
    *off += base;
}

int colstore_writer_add(struct colstore_writer *w, const struct colstore_wcol *cols, size_t nsegs,
                        const struct colstore_order *order, size_t nrows, int threads,
                        void (*column_done)(void *arg, size_t col), void *arg, struct cscc_err *err)
{
    struct cs_group g;
    struct wjob job;
    struct wbuf *wb = NULL;
    void *tstage = NULL;
    uint32_t *dayidx = NULL;
    pthread_t tids[16];
    uint64_t size, base = 0, dayidx_rel, total = 0;
    size_t ci, s, r;
    int rc = 0, too_big, started = 0, t, locked = 0;

    memset(&job, 0, sizeof(job));
    memset(&g, 0, sizeof(g));
    if (nsegs < 1 || nsegs > 256 || !order || !order->pos || !order->seg_rows)
        return cscc_err_set(err, CSCC_EINVAL, "colstore: bad segment list");
    if (nrows >= UINT32_MAX)
        return cscc_err_set(err, CSCC_ELIMIT, "a group holds at most %u rows", UINT32_MAX - 1);
    for (s = 0; s < nsegs; s++) {
        if (!order->pos[s]) {
            total += order->seg_rows[s];
            continue;
        }
        for (r = 0; r < order->seg_rows[s]; r++)
            total += order->pos[s][r] != COLSTORE_DROP;
    }
    if (total != nrows)
        return cscc_err_set(err, CSCC_EINVAL, "colstore: %llu rows kept, %zu expected",
                            (unsigned long long)total, nrows);
    for (ci = 0; ci < w->ncols; ci++) {
        if (strcmp(cols[ci].name, w->schema[ci].name) || cols[ci].type != w->schema[ci].type)
            return cscc_err_set(err, CSCC_EINVAL, "colstore: column %zu is not '%s'", ci,
                                w->schema[ci].name);
        if (cols[ci].type == COLSTORE_DICT && !cols[ci].dict)
            return cscc_err_set(err, CSCC_EINVAL, "dictionary column '%s' has no dictionary",
                                cols[ci].name);
    }
    job.fd = w->fd;
    job.nsegs = nsegs;
    job.cols = cols;
    job.ncols = w->ncols;
    job.ord = order;
    job.nrows = nrows;
    job.sort_col = w->sort_col;
    job.column_done = column_done;
    job.arg = arg;
    job.dir = cscc_trycalloc(w->ncols, sizeof(*job.dir));
    job.write_dict = cscc_trycalloc(w->ncols, 1);
    wb = wb_new();
    pthread_mutex_init(&job.lock, NULL);
    if (!job.dir || !job.write_dict || !wb) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", w->path);
        goto out;
    }
    g.nrows = nrows;
    if (w->sort_col >= 0) {
        /* The sort column is staged first: the day index comes from it. */
        tstage = cscc_big_alloc((nrows ? nrows : 1) * 8);
        if (!tstage) {
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", w->path);
            goto out;
        }
        scatter(&job, &cols[w->sort_col], 8, tstage);
        rc = day_index(tstage, order->fine, nrows, &g.day_min, &g.ndays, &dayidx);
        if (rc) {
            cscc_err_set(err, rc,
                         rc == CSCC_ENOMEM ? "out of memory for the day index"
                                           : "rows are not in time order");
            goto out;
        }
    }
    /* Reserve this group's space; claim the dictionaries it introduces. */
    pthread_mutex_lock(&w->lock);
    locked = 1;
    size = layout_group(w, &job, dayidx ? (g.ndays + 1) * 4 : 0, &dayidx_rel, &too_big);
    if (too_big) {
        rc = cscc_err_set(err, CSCC_ELIMIT, "a string column holds more than 4 GiB in one group");
        goto out;
    }
    base = w->end;
    w->end += size;
    for (ci = 0; ci < w->ncols; ci++) {
        struct cs_coldir *d = &job.dir[ci];

        shift(&d->data_off, base);
        if (d->type == COLSTORE_STR || (d->type == COLSTORE_DICT && job.write_dict[ci]))
            shift(&d->aux_off, base);
        if (d->type == COLSTORE_DICT && job.write_dict[ci]) {
            struct dictref *ref;

            shift(&d->aux2_off, base);
            if (w->ndicts == w->capdicts) {
                w->capdicts = w->capdicts ? w->capdicts * 2 : 16;
                w->dicts = cscc_xrealloc(w->dicts, w->capdicts * sizeof(*w->dicts));
            }
            ref = &w->dicts[w->ndicts++];
            ref->dict_id = colstore_dict_id(cols[ci].dict);
            ref->count = d->dict_count;
            ref->aux_off = d->aux_off;
            ref->aux_len = d->aux_len;
            ref->aux2_off = d->aux2_off;
            ref->aux2_len = d->aux2_len;
        }
    }
    if (dayidx)
        g.dayidx_off = base + dayidx_rel;
    pthread_mutex_unlock(&w->lock);
    locked = 0;

    /* The day index and the sort column here; the others in threads. */
    if (dayidx) {
        wb_start(wb, w->fd, g.dayidx_off);
        wb_put(wb, dayidx, (g.ndays + 1) * 4);
        wb_flush(wb);
    }
    if (w->sort_col >= 0 && !wb->err)
        write_column(&job, (size_t)w->sort_col, wb, tstage, 1);
    if (wb->err) {
        rc = cscc_err_errno(err, CSCC_EIO, wb->err, "cannot write %s", w->path);
        goto out;
    }
    cscc_big_free(tstage, (nrows ? nrows : 1) * 8);
    tstage = NULL;
    threads = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    for (t = 1; t < threads; t++) {
        if (pthread_create(&tids[started], NULL, writer_thread, &job) != 0)
            break;
        started++;
    }
    writer_thread(&job);
    for (t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    if (job.failed) {
        if (job.err_code == CSCC_ENOMEM)
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory writing column '%s' of %s",
                              job.err_col, w->path);
        else
            rc = cscc_err_errno(err, CSCC_EIO, job.err_errno, "cannot write column '%s' of %s",
                                job.err_col, w->path);
        goto out;
    }
    /* Register the group. */
    pthread_mutex_lock(&w->lock);
    if (w->ngroups == w->capgroups) {
        w->capgroups = w->capgroups ? w->capgroups * 2 : 8;
        w->groups = cscc_xrealloc(w->groups, w->capgroups * sizeof(*w->groups));
        w->dirs = cscc_xrealloc(w->dirs, w->capgroups * w->ncols * sizeof(*w->dirs));
    }
    w->groups[w->ngroups] = g;
    memcpy(&w->dirs[w->ngroups * w->ncols], job.dir, w->ncols * sizeof(*job.dir));
    w->ngroups++;
    w->nrows += nrows;
    pthread_mutex_unlock(&w->lock);
out:
    if (locked)
        pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&job.lock);
    cscc_big_free(tstage, (nrows ? nrows : 1) * 8);
    cscc_free(dayidx);
    cscc_free(job.dir);
    cscc_free(job.write_dict);
    cscc_free(wb);
    return rc;
}

int colstore_writer_finish(struct colstore_writer *w, const struct colstore_wopts *opts,
                           struct cscc_err *err)
{
    struct cs_header h;
    struct wbuf *wb = wb_new();
    size_t meta_len = opts->meta_json ? strlen(opts->meta_json) : 0;
    uint64_t pos = align_up(w->end);
    int rc = 0;

    if (!wb)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", w->path);
    if (w->nrows >= UINT32_MAX) {
        cscc_free(wb);
        return cscc_err_set(err, CSCC_ELIMIT, "a table holds at most %u rows", UINT32_MAX - 1);
    }
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, CS_MAGIC, 8);
    h.version = CS_VERSION;
    h.header_size = sizeof(h);
    h.nrows = w->nrows;
    h.ncols = (uint32_t)w->ncols;
    h.sort_col = w->sort_col;
    h.ngroups = w->ngroups;
    h.generation = opts->generation;
    h.import_id = opts->import_id;
    h.created_at = (int64_t)time(NULL);
    h.schema_off = pos;
    pos = align_up(pos + w->ncols * sizeof(struct cs_schema));
    h.groups_off = pos;
    pos = align_up(pos + w->ngroups * sizeof(struct cs_group));
    h.coldirs_off = pos;
    pos = align_up(pos + w->ngroups * w->ncols * sizeof(struct cs_coldir));
    h.meta_off = pos;
    h.meta_len = meta_len;
    pos = align_up(pos + meta_len + 1 + CS_PAD);
    h.file_size = pos;
    wb_start(wb, w->fd, h.schema_off);
    wb_put(wb, w->schema, w->ncols * sizeof(struct cs_schema));
    wb_flush(wb);
    wb_start(wb, w->fd, h.groups_off);
    wb_put(wb, w->groups, w->ngroups * sizeof(struct cs_group));
    wb_flush(wb);
    wb_start(wb, w->fd, h.coldirs_off);
    wb_put(wb, w->dirs, w->ngroups * w->ncols * sizeof(struct cs_coldir));
    wb_flush(wb);
    wb_start(wb, w->fd, h.meta_off);
    wb_put(wb, meta_len ? opts->meta_json : "", meta_len);
    wb_put(wb, "", 1);
    wb_flush(wb);
    if (!wb->err && ftruncate(w->fd, (off_t)h.file_size) < 0)
        wb->err = errno;
    if (!wb->err) {
        h.hash = 0;
        h.hash = cscc_hash(&h, sizeof(h), 0);
        wb_start(wb, w->fd, 0);
        wb_put(wb, &h, sizeof(h));
        wb_flush(wb);
    }
    if (wb->err) {
        rc = cscc_err_errno(err, CSCC_EIO, wb->err, "cannot write %s", w->path);
    } else if (close(w->fd) < 0) {
        w->fd = -1;
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot close %s", w->path);
    } else {
        w->fd = -1;
        w->finished = 1;
    }
    cscc_free(wb);
    return rc;
}

int colstore_write(const char *path, const struct colstore_wcol *cols, size_t ncols, size_t nsegs,
                   const struct colstore_order *order, size_t nrows,
                   const struct colstore_wopts *opts, struct cscc_err *err)
{
    struct colstore_schema_col schema[4096];
    struct colstore_writer *w;
    size_t i;
    int rc;

    if (ncols > 4096)
        return cscc_err_set(err, CSCC_EINVAL, "a table has at most 4096 columns");
    for (i = 0; i < ncols; i++) {
        schema[i].name = cols[i].name;
        schema[i].type = cols[i].type;
    }
    if (!(w = colstore_writer_new(path, schema, ncols, opts->sort_col, err)))
        return err ? err->code : CSCC_EIO;
    rc = colstore_writer_add(w, cols, nsegs, order, nrows, opts->threads, opts->column_done,
                             opts->arg, err);
    if (!rc)
        rc = colstore_writer_finish(w, opts, err);
    colstore_writer_free(w);
    return rc;
}

int colstore_commit(const char *tmp_path, const char *final_path, struct cscc_err *err)
{
    char dirbuf[4096];
    int fd, dfd;

    fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot open %s", tmp_path);
    if (fsync(fd) < 0) {
        int e = errno;

        close(fd);
        return cscc_err_errno(err, CSCC_EIO, e, "cannot flush %s to disk", tmp_path);
    }
    close(fd);
    if (rename(tmp_path, final_path) < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot rename %s to %s", tmp_path, final_path);
    snprintf(dirbuf, sizeof(dirbuf), "%s", final_path);
    dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot open the directory of %s", final_path);
    if (fsync(dfd) < 0) {
        int e = errno;

        close(dfd);
        return cscc_err_errno(err, CSCC_EIO, e, "cannot flush the directory of %s", final_path);
    }
    close(dfd);
    return 0;
}

/* ======================================================================== */
/* Reader                                                                   */
/* ======================================================================== */

struct colstore_col {
    char name[COLSTORE_NAME_MAX + 1];
    enum colstore_type type;
    unsigned width;
    const void *data;
    size_t data_len;
    uint32_t dict_count;
    const uint32_t *dict_off;
    const char *dict_blob;
    size_t dict_blob_len;
    const char *blob; /* STR */
    size_t blob_len;
};

struct colstore_group {
    size_t nrows;
    int64_t day_min;
    uint64_t ndays;
    const uint32_t *dayidx;
    struct colstore_col *cols; /* [ncols] */
};

struct colstore_table {
    const char *map;
    size_t map_len;
    struct cs_header h;
    const struct cs_schema *schema;
    struct colstore_group *groups;
    struct colstore_col *cols; /* [ngroups * ncols] */
    const char *meta;
    uint64_t dev, ino;
};

static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int damaged(struct cscc_err *err, const char *path, const char *what)
{
    return cscc_err_set(err, CSCC_EDATA,
                        "table file %s is damaged (%s); re-import the data or restore a backup",
                        path, what);
}

static int check_col(uint64_t n, const struct cs_coldir *d, uint8_t type, uint64_t size)
{
    if (d->type != type || !in_file(d->data_off, d->data_len, size) || d->data_off % 8)
        return 0;
    switch (d->type) {
    case COLSTORE_I64:
    case COLSTORE_I32:
    case COLSTORE_U16:
    case COLSTORE_U8:
    case COLSTORE_F64:
        return d->width == colstore_type_width(d->type) && d->data_len == n * d->width;
    case COLSTORE_DICT:
        /* Bounds only: open reads nothing of the columns themselves (a
         * table of many groups would fault in pages all over the file).
         * Each dictionary string is checked when read, and a code past the
         * dictionary reads as "" (see colstore.h). */
        return (d->width == 1 || d->width == 2 || d->width == 4) && d->data_len == n * d->width &&
               d->dict_count >= 1 && d->aux_len == ((uint64_t)d->dict_count + 1) * 4 &&
               in_file(d->aux_off, d->aux_len, size) && d->aux_off % 4 == 0 &&
               in_file(d->aux2_off, d->aux2_len, size);
    case COLSTORE_STR:
        /* Each string is checked against the blob's bounds when read. */
        return d->width == 4 && d->data_len == (n + 1) * 4 && in_file(d->aux_off, d->aux_len, size);
    }
    return 0;
}

struct colstore_table *colstore_open(const char *path, struct cscc_err *err)
{
    struct colstore_table *t = NULL;
    struct cs_header h;
    struct stat st;
    const struct cs_group *gd;
    const struct cs_coldir *dirs;
    uint64_t hash, g, total = 0;
    void *map = MAP_FAILED;
    uint32_t i;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cscc_err_errno(err, errno == ENOENT ? CSCC_ENOENT : CSCC_EIO, errno, "cannot open %s",
                       path);
        return NULL;
    }
    if (fstat(fd, &st) < 0) {
        cscc_err_errno(err, CSCC_EIO, errno, "cannot stat %s", path);
        goto fail;
    }
    if ((uint64_t)st.st_size < CS_HEADER_SPACE) {
        damaged(err, path, "shorter than its header");
        goto fail;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        cscc_err_errno(err, CSCC_EIO, errno, "cannot map %s", path);
        goto fail;
    }
    memcpy(&h, map, sizeof(h));
    if (memcmp(h.magic, "CSCCTBL", 7) != 0) {
        damaged(err, path, "not a cscc table file");
        goto fail;
    }
    if (h.version != CS_VERSION || h.header_size != sizeof(h) || memcmp(h.magic, CS_MAGIC, 8)) {
        cscc_err_set(err, CSCC_EDATA,
                     "table file %s has format version %u; this cscc reads %u (re-import the data)",
                     path, h.version, CS_VERSION);
        goto fail;
    }
    hash = h.hash;
    h.hash = 0;
    if (cscc_hash(&h, sizeof(h), 0) != hash) {
        damaged(err, path, "header checksum mismatch");
        goto fail;
    }
    h.hash = hash;
    if (h.file_size != (uint64_t)st.st_size) {
        damaged(err, path, "size differs from its header");
        goto fail;
    }
    if (h.nrows >= UINT32_MAX || h.ncols == 0 || h.ncols > 4096 || h.ngroups > h.nrows + 1 ||
        h.ngroups > ((uint64_t)1 << 20) ||
        !in_file(h.schema_off, (uint64_t)h.ncols * sizeof(struct cs_schema), h.file_size) ||
        !in_file(h.groups_off, h.ngroups * sizeof(struct cs_group), h.file_size) ||
        !in_file(h.coldirs_off, h.ngroups * h.ncols * sizeof(struct cs_coldir), h.file_size) ||
        !in_file(h.meta_off, h.meta_len + 1, h.file_size) ||
        ((const char *)map)[h.meta_off + h.meta_len] != '\0' ||
        (h.sort_col >= 0 && (uint32_t)h.sort_col >= h.ncols)) {
        damaged(err, path, "bad section bounds");
        goto fail;
    }
    t = cscc_trycalloc(1, sizeof(*t));
    if (!t || !(t->groups = cscc_trycalloc(h.ngroups ? h.ngroups : 1, sizeof(*t->groups))) ||
        !(t->cols = cscc_trycalloc(h.ngroups ? h.ngroups * h.ncols : 1, sizeof(*t->cols)))) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory opening %s", path);
        goto fail;
    }
    t->schema = (const struct cs_schema *)((const char *)map + h.schema_off);
    for (i = 0; i < h.ncols; i++) {
        if (!memchr(t->schema[i].name, '\0', sizeof(t->schema[i].name)) || !t->schema[i].name[0] ||
            t->schema[i].type < COLSTORE_I64 || t->schema[i].type > COLSTORE_STR) {
            damaged(err, path, "bad column schema");
            goto fail;
        }
    }
    if (h.sort_col >= 0 && t->schema[h.sort_col].type != COLSTORE_I64) {
        damaged(err, path, "the sort column is not i64");
        goto fail;
    }
    gd = (const struct cs_group *)((const char *)map + h.groups_off);
    dirs = (const struct cs_coldir *)((const char *)map + h.coldirs_off);
    for (g = 0; g < h.ngroups; g++) {
        struct colstore_group *gr = &t->groups[g];

        gr->nrows = (size_t)gd[g].nrows;
        total += gd[g].nrows;
        if (total > h.nrows) {
            damaged(err, path, "groups hold more rows than the table");
            goto fail;
        }
        gr->cols = &t->cols[g * h.ncols];
        for (i = 0; i < h.ncols; i++) {
            const struct cs_coldir *d = &dirs[g * h.ncols + i];
            struct colstore_col *c = &gr->cols[i];

            if (!check_col(gd[g].nrows, d, t->schema[i].type, h.file_size)) {
                char what[128];

                snprintf(what, sizeof(what), "column '%s' of group %llu is inconsistent",
                         t->schema[i].name, (unsigned long long)g + 1);
                damaged(err, path, what);
                goto fail;
            }
            snprintf(c->name, sizeof(c->name), "%s", t->schema[i].name);
            c->type = (enum colstore_type)d->type;
            c->width = d->width;
            c->data = (const char *)map + d->data_off;
            c->data_len = d->data_len;
            if (c->type == COLSTORE_DICT) {
                c->dict_count = d->dict_count;
                c->dict_off = (const uint32_t *)((const char *)map + d->aux_off);
                c->dict_blob = (const char *)map + d->aux2_off;
                c->dict_blob_len = d->aux2_len;
            } else if (c->type == COLSTORE_STR) {
                c->blob = (const char *)map + d->aux_off;
                c->blob_len = d->aux_len;
            }
        }
        if (gd[g].dayidx_off) {
            const uint32_t *x;
            uint64_t k;

            if (gd[g].ndays > ((uint64_t)1 << 24) ||
                !in_file(gd[g].dayidx_off, (gd[g].ndays + 1) * 4, h.file_size) ||
                gd[g].dayidx_off % 4) {
                damaged(err, path, "bad day index bounds");
                goto fail;
            }
            x = (const uint32_t *)((const char *)map + gd[g].dayidx_off);
            for (k = 0; k < gd[g].ndays; k++)
                if (x[k] > x[k + 1]) {
                    damaged(err, path, "day index out of order");
                    goto fail;
                }
            if (x[gd[g].ndays] != gd[g].nrows) {
                damaged(err, path, "day index does not end at the last row");
                goto fail;
            }
            gr->dayidx = x;
            gr->day_min = gd[g].day_min;
            gr->ndays = gd[g].ndays;
        }
    }
    if (total != h.nrows) {
        damaged(err, path, "groups hold fewer rows than the table");
        goto fail;
    }
    t->map = map;
    t->map_len = (size_t)st.st_size;
    t->h = h;
    t->meta = (const char *)map + h.meta_off;
    t->dev = (uint64_t)st.st_dev;
    t->ino = (uint64_t)st.st_ino;
    close(fd);
    return t;
fail:
    if (t) {
        cscc_free(t->groups);
        cscc_free(t->cols);
    }
    cscc_free(t);
    if (map != MAP_FAILED)
        munmap(map, (size_t)st.st_size);
    close(fd);
    return NULL;
}

void colstore_close(struct colstore_table *t)
{
    if (!t)
        return;
    munmap((void *)t->map, t->map_len);
    cscc_free(t->groups);
    cscc_free(t->cols);
    cscc_free(t);
}

size_t colstore_nrows(const struct colstore_table *t)
{
    return (size_t)t->h.nrows;
}

size_t colstore_ncols(const struct colstore_table *t)
{
    return t->h.ncols;
}

uint64_t colstore_generation(const struct colstore_table *t)
{
    return t->h.generation;
}

int64_t colstore_import_id(const struct colstore_table *t)
{
    return t->h.import_id;
}

int64_t colstore_created_at(const struct colstore_table *t)
{
    return t->h.created_at;
}

const char *colstore_meta(const struct colstore_table *t)
{
    return t->meta;
}

void colstore_file_id(const struct colstore_table *t, uint64_t *dev, uint64_t *ino)
{
    *dev = t->dev;
    *ino = t->ino;
}

const char *colstore_schema_name(const struct colstore_table *t, size_t i)
{
    return i < t->h.ncols ? t->schema[i].name : NULL;
}

enum colstore_type colstore_schema_type(const struct colstore_table *t, size_t i)
{
    return i < t->h.ncols ? (enum colstore_type)t->schema[i].type : (enum colstore_type)0;
}

int colstore_col_index(const struct colstore_table *t, const char *name)
{
    uint32_t i;

    for (i = 0; i < t->h.ncols; i++)
        if (!strcmp(t->schema[i].name, name))
            return (int)i;
    return -1;
}

int colstore_sort_col(const struct colstore_table *t)
{
    return t->h.sort_col;
}

size_t colstore_ngroups(const struct colstore_table *t)
{
    return (size_t)t->h.ngroups;
}

const struct colstore_group *colstore_group_at(const struct colstore_table *t, size_t g)
{
    return g < t->h.ngroups ? &t->groups[g] : NULL;
}

size_t colstore_group_nrows(const struct colstore_group *g)
{
    return g->nrows;
}

const struct colstore_col *colstore_group_col(const struct colstore_group *g, size_t i)
{
    return &g->cols[i];
}

void colstore_group_day_rows(const struct colstore_group *g, int64_t day_from, int64_t day_to,
                             size_t *lo, size_t *hi)
{
    int64_t last;

    if (!g->dayidx) {
        *lo = 0;
        *hi = g->nrows;
        return;
    }
    last = g->day_min + (int64_t)g->ndays - 1;
    if (day_to < day_from || day_to < g->day_min || day_from > last) {
        *lo = *hi = 0;
        return;
    }
    if (day_from < g->day_min)
        day_from = g->day_min;
    if (day_to > last)
        day_to = last;
    *lo = g->dayidx[day_from - g->day_min];
    *hi = g->dayidx[day_to - g->day_min + 1];
}

int colstore_group_has_days(const struct colstore_group *g)
{
    return g->dayidx != NULL;
}

void colstore_day_span(const struct colstore_table *t, int64_t *first, int64_t *last)
{
    uint64_t g;

    *first = 0;
    *last = -1;
    for (g = 0; g < t->h.ngroups; g++) {
        const struct colstore_group *gr = &t->groups[g];
        int64_t l;

        if (!gr->dayidx || !gr->ndays)
            continue;
        l = gr->day_min + (int64_t)gr->ndays - 1;
        if (*last < *first || gr->day_min < *first)
            *first = gr->day_min;
        if (l > *last)
            *last = l;
    }
}

const char *colstore_col_name(const struct colstore_col *c)
{
    return c->name;
}

enum colstore_type colstore_col_type(const struct colstore_col *c)
{
    return c->type;
}

unsigned colstore_col_width(const struct colstore_col *c)
{
    return c->width;
}

const void *colstore_col_data(const struct colstore_col *c)
{
    return c->data;
}

uint32_t colstore_col_dict_count(const struct colstore_col *c)
{
    return c->dict_count;
}

size_t colstore_col_code_space(const struct colstore_col *c)
{
    return c->width == 1 ? 256 : c->width == 2 ? 65536 : (size_t)c->dict_count + 1;
}

const char *colstore_col_dict_str(const struct colstore_col *c, uint32_t code, size_t *len)
{
    uint32_t a, b;

    if (code >= c->dict_count || (a = c->dict_off[code]) >= (b = c->dict_off[code + 1]) ||
        b > c->dict_blob_len || c->dict_blob[b - 1] != '\0') {
        /* past the dictionary, or a damaged entry: never read outside it */
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = b - a - 1;
    return c->dict_blob + a;
}

int64_t colstore_col_dict_find(const struct colstore_col *c, const char *p, size_t len)
{
    uint32_t k;

    for (k = 0; k < c->dict_count; k++) {
        size_t l;
        const char *s = colstore_col_dict_str(c, k, &l);

        if (l == len && !memcmp(s, p, len) && (len || k == 0))
            return k;
    }
    return -1;
}

struct colstore_dict *colstore_col_dict_load(const struct colstore_col *c)
{
    struct colstore_dict *d = colstore_dict_new(0);
    uint32_t k;

    for (k = 1; k < c->dict_count; k++) {
        size_t len;
        const char *s = colstore_col_dict_str(c, k, &len);

        colstore_dict_intern(d, s, len);
    }
    return d;
}

const char *colstore_col_str(const struct colstore_col *c, size_t i, size_t *len)
{
    const uint32_t *off = c->data;
    uint32_t a = off[i], b = off[i + 1];

    if (b < a || b > c->blob_len) { /* a damaged offset: never read outside the blob */
        *len = 0;
        return "";
    }
    *len = b - a;
    return c->blob + a;
}

void colstore_col_release(const struct colstore_col *c)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)c->data & ~(page - 1);
    uintptr_t b = (uintptr_t)c->data + c->data_len;

    madvise((void *)a, b - a, MADV_DONTNEED);
}

void colstore_col_prefault(const struct colstore_col *c, size_t lo, size_t hi)
{
#ifdef MADV_POPULATE_READ
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)c->data + lo * c->width) & ~(page - 1);
    uintptr_t b = (uintptr_t)c->data + hi * c->width;

    if (hi > lo && c->type != COLSTORE_STR)
        madvise((void *)a, b - a, MADV_POPULATE_READ);
#else
    (void)c;
    (void)lo;
    (void)hi;
#endif
}
