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

struct wjob {
    int fd;
    const struct colstore_wcol *cols;
    struct cs_coldir *dir;
    size_t ncols;
    const uint8_t *order_seg;
    const uint32_t *order_row;
    size_t nrows;
    const struct colstore_wopts *opts;
    _Atomic size_t next;     /* next column to write */
    _Atomic int failed;
    int err_code;
    int err_errno;
    char err_col[64];
    pthread_mutex_t lock;
};

/* A small buffered writer over pwrite. */
struct wbuf {
    int fd;
    uint64_t off;
    size_t len;
    int err; /* errno of the first failure */
    char buf[1 << 20];
};

static void wb_flush(struct wbuf *w)
{
    size_t done = 0;

    while (done < w->len && !w->err) {
        ssize_t n = pwrite(w->fd, w->buf + done, w->len - done, (off_t)(w->off + done));

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
        if (w->len == sizeof(w->buf))
            wb_flush(w);
    }
}

static void wb_start(struct wbuf *w, int fd, uint64_t off)
{
    w->fd = fd;
    w->off = off;
    w->len = 0;
}

/* Reads the value of row r of segment s of a fixed-width column into out. */
static inline const char *seg_val(const struct colstore_wcol *c, uint8_t s, uint32_t r, size_t w)
{
    return (const char *)c->segs[s].data + (size_t)r * w;
}

static void write_fixed(struct wjob *j, size_t ci, struct wbuf *w)
{
    const struct colstore_wcol *c = &j->cols[ci];
    size_t width = colstore_type_width(c->type), i;
    const uint8_t *os = j->order_seg;
    const uint32_t *orow = j->order_row;

    /* Specialised loops: the gather is the hot part of writing a table. */
    if (width == 8) {
        for (i = 0; i < j->nrows; i++) {
            uint8_t s = os ? os[i] : 0;

            if (w->len + 8 > sizeof(w->buf))
                wb_flush(w);
            memcpy(w->buf + w->len, seg_val(c, s, orow[i], 8), 8);
            w->len += 8;
        }
    } else if (width == 4) {
        for (i = 0; i < j->nrows; i++) {
            uint8_t s = os ? os[i] : 0;

            if (w->len + 4 > sizeof(w->buf))
                wb_flush(w);
            memcpy(w->buf + w->len, seg_val(c, s, orow[i], 4), 4);
            w->len += 4;
        }
    } else {
        for (i = 0; i < j->nrows; i++) {
            uint8_t s = os ? os[i] : 0;

            if (w->len + width > sizeof(w->buf))
                wb_flush(w);
            memcpy(w->buf + w->len, seg_val(c, s, orow[i], width), width);
            w->len += width;
        }
    }
}

static void write_dict(struct wjob *j, size_t ci, struct wbuf *w)
{
    const struct colstore_wcol *c = &j->cols[ci];
    const struct cs_coldir *d = &j->dir[ci];
    unsigned ow = d->width;
    uint32_t n = colstore_dict_count(c->dict), k, off = 0;
    size_t i;

    for (i = 0; i < j->nrows; i++) {
        uint8_t s = j->order_seg ? j->order_seg[i] : 0;
        const struct colstore_seg *sg = &c->segs[s];
        uint32_t code = colstore_code_at(sg->data, sg->code_width, j->order_row[i]);

        if (w->len + 4 > sizeof(w->buf))
            wb_flush(w);
        if (ow == 1)
            w->buf[w->len] = (char)(uint8_t)code;
        else if (ow == 2) {
            uint16_t v = (uint16_t)code;

            memcpy(w->buf + w->len, &v, 2);
        } else
            memcpy(w->buf + w->len, &code, 4);
        w->len += ow;
    }
    wb_flush(w);
    /* dictionary offsets, then the strings */
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
        const char *s = colstore_dict_str(c->dict, k, &len);

        wb_put(w, s, len + 1);
    }
}

static void write_str(struct wjob *j, size_t ci, struct wbuf *w)
{
    const struct colstore_wcol *c = &j->cols[ci];
    const struct cs_coldir *d = &j->dir[ci];
    uint32_t off = 0;
    size_t i;

    for (i = 0; i < j->nrows; i++) {
        uint8_t s = j->order_seg ? j->order_seg[i] : 0;
        const uint32_t *o = c->segs[s].data;
        uint32_t r = j->order_row[i];

        wb_put(w, &off, 4);
        off += o[r + 1] - o[r];
    }
    wb_put(w, &off, 4);
    wb_flush(w);
    wb_start(w, j->fd, d->aux_off);
    for (i = 0; i < j->nrows; i++) {
        uint8_t s = j->order_seg ? j->order_seg[i] : 0;
        const uint32_t *o = c->segs[s].data;
        uint32_t r = j->order_row[i];

        wb_put(w, c->segs[s].blob + o[r], o[r + 1] - o[r]);
    }
}

static void *writer_thread(void *arg)
{
    struct wjob *j = arg;
    struct wbuf *w = cscc_trymalloc(sizeof(*w));
    size_t ci;

    if (!w) {
        j->failed = 1;
        pthread_mutex_lock(&j->lock);
        j->err_code = CSCC_ENOMEM;
        pthread_mutex_unlock(&j->lock);
        return NULL;
    }
    w->err = 0;
    while (!j->failed && (ci = atomic_fetch_add(&j->next, 1)) < j->ncols) {
        const struct colstore_wcol *c = &j->cols[ci];
        const struct cs_coldir *d = &j->dir[ci];

        wb_start(w, j->fd, d->data_off);
        if (c->type == COLSTORE_DICT)
            write_dict(j, ci, w);
        else if (c->type == COLSTORE_STR)
            write_str(j, ci, w);
        else
            write_fixed(j, ci, w);
        wb_flush(w);
        if (w->err) {
            pthread_mutex_lock(&j->lock);
            if (!j->err_code) {
                j->err_code = CSCC_EIO;
                j->err_errno = w->err;
                snprintf(j->err_col, sizeof(j->err_col), "%s", c->name);
            }
            pthread_mutex_unlock(&j->lock);
            j->failed = 1;
            break;
        }
        /* Start writing this column back to disk now, so the final fsync
         * has less left to wait for. */
        sync_file_range(j->fd, (off_t)d->data_off,
                         (off_t)(w->off - d->data_off), SYNC_FILE_RANGE_WRITE);
        if (j->opts->column_done)
            j->opts->column_done(j->opts->arg, ci);
    }
    cscc_free(w);
    return NULL;
}

/* Lays out sections; fills dir and returns the file size. */
static uint64_t layout(const struct colstore_wcol *cols, size_t ncols, size_t nsegs,
                       const uint8_t *order_seg, const uint32_t *order_row, size_t nrows,
                       struct cs_coldir *dir, uint64_t pos, int *too_big)
{
    size_t ci, i;

    *too_big = 0;
    for (ci = 0; ci < ncols; ci++) {
        const struct colstore_wcol *c = &cols[ci];
        struct cs_coldir *d = &dir[ci];

        memset(d, 0, sizeof(*d));
        snprintf(d->name, sizeof(d->name), "%s", c->name);
        d->type = (uint8_t)c->type;
        pos = align_up(pos);
        d->data_off = pos;
        if (c->type == COLSTORE_DICT) {
            uint32_t n = colstore_dict_count(c->dict), k;
            uint64_t blob = 0;

            for (k = 0; k < n; k++) {
                size_t len;

                colstore_dict_str(c->dict, k, &len);
                blob += len + 1;
            }
            d->dict_count = n;
            d->width = (uint8_t)code_width_for(n);
            d->data_len = (uint64_t)nrows * d->width;
            d->aux_off = align_up(d->data_off + d->data_len);
            d->aux_len = ((uint64_t)n + 1) * 4;
            d->aux2_off = align_up(d->aux_off + d->aux_len);
            d->aux2_len = blob;
            pos = d->aux2_off + d->aux2_len;
        } else if (c->type == COLSTORE_STR) {
            uint64_t blob = 0;

            for (i = 0; i < nrows; i++) {
                uint8_t s = order_seg ? order_seg[i] : 0;
                const uint32_t *o = c->segs[s].data;
                uint32_t r = order_row[i];

                blob += o[r + 1] - o[r];
            }
            if (blob > UINT32_MAX)
                *too_big = 1;
            d->width = 4;
            d->data_len = ((uint64_t)nrows + 1) * 4;
            d->aux_off = align_up(d->data_off + d->data_len);
            d->aux_len = blob;
            pos = d->aux_off + d->aux_len;
        } else {
            d->width = (uint8_t)colstore_type_width(c->type);
            d->data_len = (uint64_t)nrows * d->width;
            pos = d->data_off + d->data_len;
        }
    }
    (void)nsegs;
    return align_up(pos);
}

static int fill_day_index(const struct colstore_wcol *c, const uint8_t *order_seg,
                          const uint32_t *order_row, size_t nrows, int64_t *day_min,
                          uint64_t *ndays, uint32_t **idx)
{
    size_t i, first = 0;
    int64_t last_day, d, prev;
    uint32_t *x;

    *idx = NULL;
    *ndays = 0;
    *day_min = 0;
#define TVAL(i) (*(const int64_t *)seg_val(c, order_seg ? order_seg[i] : 0, order_row[i], 8))
    while (first < nrows && TVAL(first) == COLSTORE_NULL_I64)
        first++;
    if (first == nrows)
        return 0;
    *day_min = cscc_day_of(TVAL(first));
    last_day = cscc_day_of(TVAL(nrows - 1));
    if (last_day < *day_min)
        return CSCC_EINVAL;
    *ndays = (uint64_t)(last_day - *day_min + 1);
    x = cscc_trycalloc(*ndays + 1, sizeof(*x));
    if (!x)
        return CSCC_ENOMEM;
    /* x[k] = first row whose day >= day_min + k */
    prev = *day_min - 1;
    for (i = first; i < nrows; i++) {
        d = cscc_day_of(TVAL(i));
        if (d < prev) {
            cscc_free(x);
            return CSCC_EINVAL;
        }
        while (prev < d) {
            prev++;
            x[prev - *day_min] = (uint32_t)i;
        }
    }
    x[*ndays] = (uint32_t)nrows;
#undef TVAL
    *idx = x;
    return 0;
}

int colstore_write(const char *path, const struct colstore_wcol *cols, size_t ncols,
                   size_t nsegs, const uint8_t *order_seg, const uint32_t *order_row,
                   size_t nrows, const struct colstore_wopts *opts, struct cscc_err *err)
{
    struct cs_header h;
    struct cs_coldir *dir = NULL;
    uint32_t *dayidx = NULL;
    pthread_t tids[16];
    struct wjob job;
    size_t meta_len = opts->meta_json ? strlen(opts->meta_json) : 0, ci;
    uint64_t pos, size;
    int fd = -1, rc = 0, too_big, nthreads, started = 0, t;

    memset(&job, 0, sizeof(job));
    if (nrows >= UINT32_MAX)
        return cscc_err_set(err, CSCC_ELIMIT, "a table holds at most %u rows", UINT32_MAX - 1);
    if (nsegs > 256 || (nsegs > 1 && !order_seg))
        return cscc_err_set(err, CSCC_EINVAL, "colstore_write: bad segment list");
    for (ci = 0; ci < ncols; ci++) {
        if (strlen(cols[ci].name) > COLSTORE_NAME_MAX || !cols[ci].name[0])
            return cscc_err_set(err, CSCC_EINVAL, "bad column name '%s'", cols[ci].name);
        if (cols[ci].type == COLSTORE_DICT && !cols[ci].dict)
            return cscc_err_set(err, CSCC_EINVAL, "dictionary column '%s' has no dictionary",
                                cols[ci].name);
    }
    if (opts->sort_col >= (int)ncols ||
        (opts->sort_col >= 0 && cols[opts->sort_col].type != COLSTORE_I64))
        return cscc_err_set(err, CSCC_EINVAL, "sort column must be an i64 column");

    memset(&h, 0, sizeof(h));
    memcpy(h.magic, CS_MAGIC, 8);
    h.version = CS_VERSION;
    h.header_size = sizeof(h);
    h.nrows = nrows;
    h.ncols = (uint32_t)ncols;
    h.sort_col = opts->sort_col;
    h.generation = opts->generation;
    h.import_id = opts->import_id;
    h.created_at = (int64_t)time(NULL);

    dir = cscc_trycalloc(ncols ? ncols : 1, sizeof(*dir));
    if (!dir)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", path);
    if (opts->sort_col >= 0) {
        rc = fill_day_index(&cols[opts->sort_col], order_seg, order_row, nrows, &h.day_min,
                            &h.ndays, &dayidx);
        if (rc) {
            cscc_err_set(err, rc, rc == CSCC_ENOMEM ? "out of memory for the day index"
                                                    : "rows are not in time order");
            goto out;
        }
    }
    pos = CS_HEADER_SPACE;
    h.cols_off = pos;
    pos = align_up(pos + ncols * sizeof(*dir));
    h.meta_off = pos;
    h.meta_len = meta_len;
    pos = align_up(pos + meta_len + 1);
    if (dayidx) {
        h.dayidx_off = pos;
        pos = align_up(pos + (h.ndays + 1) * 4);
    }
    size = layout(cols, ncols, nsegs, order_seg, order_row, nrows, dir, pos, &too_big);
    if (too_big) {
        rc = cscc_err_set(err, CSCC_ELIMIT, "a string column holds more than 4 GiB");
        goto out;
    }
    h.file_size = size;

    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", path);
        goto out;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot size %s to %llu bytes", path,
                            (unsigned long long)size);
        goto out;
    }
    /* Directory, metadata and day index first; columns in parallel; header last. */
    {
        struct wbuf *w = cscc_trymalloc(sizeof(*w));

        if (!w) {
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", path);
            goto out;
        }
        w->err = 0;
        wb_start(w, fd, h.cols_off);
        wb_put(w, dir, ncols * sizeof(*dir));
        wb_flush(w);
        wb_start(w, fd, h.meta_off);
        wb_put(w, meta_len ? opts->meta_json : "", meta_len);
        wb_put(w, "", 1);
        wb_flush(w);
        if (dayidx) {
            wb_start(w, fd, h.dayidx_off);
            wb_put(w, dayidx, (h.ndays + 1) * 4);
            wb_flush(w);
        }
        rc = w->err;
        cscc_free(w);
        if (rc) {
            rc = cscc_err_errno(err, CSCC_EIO, rc, "cannot write %s", path);
            goto out;
        }
    }
    job.fd = fd;
    job.cols = cols;
    job.dir = dir;
    job.ncols = ncols;
    job.order_seg = order_seg;
    job.order_row = order_row;
    job.nrows = nrows;
    job.opts = opts;
    pthread_mutex_init(&job.lock, NULL);
    nthreads = opts->threads < 1 ? 1 : opts->threads > 16 ? 16 : opts->threads;
    for (t = 1; t < nthreads; t++) {
        if (pthread_create(&tids[started], NULL, writer_thread, &job) != 0)
            break;
        started++;
    }
    writer_thread(&job);
    for (t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&job.lock);
    if (job.failed) {
        if (job.err_code == CSCC_ENOMEM)
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory writing %s", path);
        else
            rc = cscc_err_errno(err, CSCC_EIO, job.err_errno, "cannot write column '%s' of %s",
                                job.err_col, path);
        goto out;
    }
    h.hash = 0;
    h.hash = cscc_hash(&h, sizeof(h), 0);
    if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot write the header of %s", path);
        goto out;
    }
out:
    if (fd >= 0 && close(fd) < 0 && !rc)
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot close %s", path);
    if (rc)
        unlink(path);
    cscc_free(dayidx);
    cscc_free(dir);
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
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot rename %s to %s", tmp_path,
                              final_path);
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
    const struct colstore_table *t;
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

struct colstore_table {
    const char *map;
    size_t map_len;
    struct cs_header h;
    struct colstore_col *cols;
    const uint32_t *dayidx;
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

static int check_col(const struct cs_header *h, const struct cs_coldir *d, uint64_t size,
                     const char *map)
{
    uint64_t n = h->nrows;

    if (!memchr(d->name, '\0', sizeof(d->name)) || !d->name[0])
        return 0;
    if (!in_file(d->data_off, d->data_len, size) || d->data_off % 8)
        return 0;
    switch (d->type) {
    case COLSTORE_I64:
    case COLSTORE_I32:
    case COLSTORE_U16:
    case COLSTORE_U8:
    case COLSTORE_F64:
        return d->width == colstore_type_width(d->type) && d->data_len == n * d->width;
    case COLSTORE_DICT: {
        const uint32_t *off;
        uint32_t k;

        if ((d->width != 1 && d->width != 2 && d->width != 4) || d->data_len != n * d->width ||
            d->dict_count < 1 || d->aux_len != ((uint64_t)d->dict_count + 1) * 4 ||
            !in_file(d->aux_off, d->aux_len, size) || d->aux_off % 4 ||
            !in_file(d->aux2_off, d->aux2_len, size))
            return 0;
        off = (const uint32_t *)(map + d->aux_off);
        if (off[0] != 0 || off[d->dict_count] != d->aux2_len)
            return 0;
        for (k = 0; k < d->dict_count; k++)
            if (off[k + 1] <= off[k] || map[d->aux2_off + off[k + 1] - 1] != '\0')
                return 0;
        return 1;
    }
    case COLSTORE_STR: {
        const uint32_t *off;

        if (d->width != 4 || d->data_len != (n + 1) * 4 || !in_file(d->aux_off, d->aux_len, size))
            return 0;
        off = (const uint32_t *)(map + d->data_off);
        /* The last offset bounds every string; each is checked on read. */
        return off[0] == 0 && off[n] == d->aux_len;
    }
    }
    return 0;
}

struct colstore_table *colstore_open(const char *path, struct cscc_err *err)
{
    struct colstore_table *t = NULL;
    struct cs_header h;
    struct stat st;
    const struct cs_coldir *dir;
    uint64_t hash;
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
    if (memcmp(h.magic, CS_MAGIC, 8) != 0) {
        damaged(err, path, "not a cscc table file");
        goto fail;
    }
    if (h.version != CS_VERSION || h.header_size != sizeof(h)) {
        cscc_err_set(err, CSCC_EDATA, "table file %s has format version %u; this cscc reads %u",
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
    if (h.nrows >= UINT32_MAX || h.ncols > 4096 ||
        !in_file(h.cols_off, (uint64_t)h.ncols * sizeof(struct cs_coldir), h.file_size) ||
        !in_file(h.meta_off, h.meta_len + 1, h.file_size) ||
        ((const char *)map)[h.meta_off + h.meta_len] != '\0' ||
        (h.sort_col >= 0 && (uint32_t)h.sort_col >= h.ncols) ||
        (h.ndays && !in_file(h.dayidx_off, (h.ndays + 1) * 4, h.file_size))) {
        damaged(err, path, "bad section bounds");
        goto fail;
    }
    t = cscc_trycalloc(1, sizeof(*t));
    if (!t || !(t->cols = cscc_trycalloc(h.ncols ? h.ncols : 1, sizeof(*t->cols)))) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory opening %s", path);
        goto fail;
    }
    dir = (const struct cs_coldir *)((const char *)map + h.cols_off);
    for (i = 0; i < h.ncols; i++) {
        struct colstore_col *c = &t->cols[i];
        const struct cs_coldir *d = &dir[i];

        if (!check_col(&h, d, h.file_size, map)) {
            char what[128];

            snprintf(what, sizeof(what), "column %u is inconsistent", i + 1);
            damaged(err, path, what);
            goto fail;
        }
        c->t = t;
        snprintf(c->name, sizeof(c->name), "%s", d->name);
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
    if (h.ndays) {
        const uint32_t *x = (const uint32_t *)((const char *)map + h.dayidx_off);
        uint64_t k;

        for (k = 0; k < h.ndays; k++)
            if (x[k] > x[k + 1]) {
                damaged(err, path, "day index out of order");
                goto fail;
            }
        if (x[h.ndays] != h.nrows) {
            damaged(err, path, "day index does not end at the last row");
            goto fail;
        }
        t->dayidx = x;
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
    if (t)
        cscc_free(t->cols);
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

const struct colstore_col *colstore_col(const struct colstore_table *t, const char *name)
{
    uint32_t i;

    for (i = 0; i < t->h.ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

const struct colstore_col *colstore_col_at(const struct colstore_table *t, size_t i)
{
    return i < t->h.ncols ? &t->cols[i] : NULL;
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

const char *colstore_col_dict_str(const struct colstore_col *c, uint32_t code, size_t *len)
{
    if (code >= c->dict_count) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = c->dict_off[code + 1] - c->dict_off[code] - 1;
    return c->dict_blob + c->dict_off[code];
}

int64_t colstore_col_dict_find(const struct colstore_col *c, const char *p, size_t len)
{
    uint32_t k;

    for (k = 0; k < c->dict_count; k++)
        if (c->dict_off[k + 1] - c->dict_off[k] - 1 == len &&
            !memcmp(c->dict_blob + c->dict_off[k], p, len))
            return k;
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

void colstore_day_rows(const struct colstore_table *t, int64_t day_from, int64_t day_to,
                       size_t *lo, size_t *hi)
{
    int64_t last;

    if (!t->dayidx) {
        *lo = 0;
        *hi = (size_t)t->h.nrows;
        return;
    }
    last = t->h.day_min + (int64_t)t->h.ndays - 1;
    if (day_to < day_from || day_to < t->h.day_min || day_from > last) {
        *lo = *hi = 0;
        return;
    }
    if (day_from < t->h.day_min)
        day_from = t->h.day_min;
    if (day_to > last)
        day_to = last;
    *lo = t->dayidx[day_from - t->h.day_min];
    *hi = t->dayidx[day_to - t->h.day_min + 1];
}

void colstore_day_span(const struct colstore_table *t, int64_t *first, int64_t *last)
{
    if (!t->dayidx) {
        *first = 0;
        *last = -1;
        return;
    }
    *first = t->h.day_min;
    *last = t->h.day_min + (int64_t)t->h.ndays - 1;
}

void colstore_col_release(const struct colstore_col *c)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)c->data & ~(page - 1);
    uintptr_t b = (uintptr_t)c->data + c->data_len;

    madvise((void *)a, b - a, MADV_DONTNEED);
}
