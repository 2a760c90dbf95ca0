/* parse.c - reading the input files into segments, in parallel.
 *
 * A big plain file is cut into one byte range per thread at line starts;
 * each thread parses its range into its own segment. A cut could fall inside
 * a quoted field that holds a newline: after the threads finish, each range
 * must have ended exactly where the next began; when one did not, the rest of
 * that file is parsed again, sequentially, from where the good range ended.
 * Compressed files, standard input and small files are read whole, one per
 * thread.
 */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RANGE_MIN_BYTES (16u << 20) /* files smaller than this are not split */
#define MAX_RECORD      (1u << 20)

/* A reject recorded by a worker before its rows' numbers are known. */
struct lrej {
    uint64_t row, line;
    const char *reason, *column;
    char detail[160];
    char *raw;
    size_t raw_len;
};

struct item {
    struct ingest__job *job;
    uint32_t file_index;
    const char *path;    /* path to open ("-" = stdin) */
    const char *display; /* name shown to people */
    int fd;              /* range items: the shared fd */
    int is_range;
    uint64_t start, stop; /* range items */
    const void *binding;  /* range items: bound by the main thread */
    size_t nfields;
    struct ingest__seg *seg;
    uint64_t end_offset; /* csv_offset() when done */
    uint64_t records;    /* records consumed, good or bad */
    uint64_t lines;      /* physical lines the part held */
    uint32_t crc;        /* CRC-32C of the bytes [crc_start, crc_end) of a part (up to
                            its stop), or of the whole file for a whole-file item */
    uint64_t crc_start, crc_end;
    int has_crc;
    uint64_t bytes_in;     /* whole items: bytes read from the file or stdin */
    uint64_t header_lines; /* range items: lines of the file's header */
    uint64_t streamed;     /* rows written as a row group (streaming) */
    int64_t *ids;          /* streaming: the IDs of those rows, for the duplicate check */
    size_t nids;
    uint64_t filtered; /* left out by a filter */
    struct lrej *rej;
    size_t nrej, caprej;
    int fatal;
    struct cscc_err err;
    uint64_t placed, unplaced;
    int dropped; /* replaced by a sequential re-read */
};

static void add_lrej(struct item *it, uint64_t row, uint64_t line, const char *reason,
                     const char *column, const char *detail, const struct csv_row *rec)
{
    struct lrej *r;

    if (it->nrej == it->caprej) {
        size_t cap = it->caprej ? it->caprej * 2 : 64;
        struct lrej *p = cscc_tryreallocarray(it->rej, cap, sizeof(*p));

        if (!p) {
            it->fatal = 1;
            cscc_err_set(&it->err, CSCC_ENOMEM, "out of memory recording rejected rows");
            return;
        }
        it->rej = p;
        it->caprej = cap;
    }
    r = &it->rej[it->nrej++];
    memset(r, 0, sizeof(*r));
    r->row = row;
    r->line = line;
    r->reason = reason;
    r->column = column;
    snprintf(r->detail, sizeof(r->detail), "%s", detail ? detail : "");
    if (rec && !it->job->ds->sensitive) {
        struct strbuf sb;
        size_t i;

        strbuf_init(&sb, 4096);
        for (i = 0; i < rec->nfields && sb.len < 2000; i++) {
            if (i)
                strbuf_addc(&sb, ',');
            csv_write_field(&sb, rec->fields[i].p, rec->fields[i].len, 0);
        }
        r->raw = strbuf_take(&sb, &r->raw_len);
    }
}

static int header_ok(const struct csv_row *h, const char *file, struct cscc_err *err)
{
    char name[256];
    size_t i, j;

    if (h->nfields < 2)
        return cscc_err_set(err, CSCC_EDATA,
                            "%s: the first line has %zu column; a CSV export with a header "
                            "row was expected",
                            file, h->nfields);
    /* A name twice ("Date" and "date", "Case_Number" and "Case Number") would
     * leave which column is read to chance. */
    for (i = 0; i < h->nfields; i++) {
        const char *p = h->fields[i].p;
        size_t len = h->fields[i].len;

        ingest__trim(&p, &len);
        if (!len || len >= sizeof(name))
            continue;
        memcpy(name, p, len);
        name[len] = '\0';
        for (j = i + 1; j < h->nfields; j++)
            if (ingest__name_eq(h->fields[j].p, h->fields[j].len, name)) {
                cscc_err_set(err, CSCC_EDATA,
                             "the header names this column twice (columns %zu and %zu); "
                             "rename one",
                             i + 1, j + 1);
                return cscc_err_at(err, file, 1, (int)(j + 1), name), err->code;
            }
    }
    return 0;
}

/* Where a record's text is not UTF-8: 0 when it all is, else 1 with the
 * 1-based field and the byte's offset in it. */
static int not_utf8(const struct csv_row *rec, size_t *field, size_t *at, unsigned char *byte)
{
    size_t i, j;

    for (i = 0; i < rec->nfields; i++)
        if ((j = strbuf_utf8_invalid(rec->fields[i].p, rec->fields[i].len)) != SIZE_MAX) {
            *field = i + 1;
            *at = j;
            *byte = (unsigned char)rec->fields[i].p[j];
            return 1;
        }
    return 0;
}

static void parse_loop(struct item *it, struct csv_reader *r, const void *binding, size_t nfields)
{
    struct ingest__job *job = it->job;
    const struct ingest__dataset *ds = job->ds;
    struct ingest__worker w;
    struct csv_row rec;
    struct cscc_err e;
    uint64_t last_bytes = 0, n = 0;
    int rc, prc;
    size_t bad_field, bad_at;
    unsigned char bad_byte;

    memset(&w, 0, sizeof(w));
    cscc_err_clear(&e);
    w.seg = it->seg;
    w.job = job;
    w.max_area = job->max_area;
    w.opts = job->opts;
    for (;;) {
        rc = csv_next(r, &rec, &e);
        if (rc == 0)
            break;
        it->records++;
        if (rc < 0) {
            if (e.code == CSCC_EIO || e.code == CSCC_ENOMEM) {
                it->fatal = 1;
                it->err = e;
                cscc_err_at(&it->err, it->display, 0, 0, NULL);
                break;
            }
            add_lrej(it, e.row, e.line,
                     e.code == CSCC_ELIMIT ? "record too long or too many fields" : "malformed CSV",
                     NULL, e.msg, NULL);
        } else if (rec.nfields != nfields) {
            char d[96];

            snprintf(d, sizeof(d), "%zu fields; the header has %zu", rec.nfields, nfields);
            add_lrej(it, rec.row, rec.line, "wrong number of fields", NULL, d, &rec);
        } else if (not_utf8(&rec, &bad_field, &bad_at, &bad_byte)) {
            char d[160];

            snprintf(d, sizeof(d),
                     "column %zu, byte %zu: 0x%02X does not begin a UTF-8 character; "
                     "convert the file to UTF-8 (iconv -f WINDOWS-1252 -t UTF-8)",
                     bad_field, bad_at + 1, bad_byte);
            add_lrej(it, rec.row, rec.line, "text is not UTF-8", NULL, d, &rec);
        } else {
            struct ingest__reject rj;
            ssize_t row = ingest__row_begin(it->seg, !ds->sets_all);

            if (row < 0) {
                it->fatal = 1;
                cscc_err_set(&it->err, CSCC_ENOMEM, "out of memory after %llu rows of %s",
                             (unsigned long long)it->seg->n, it->display);
                break;
            }
            rj.reason = NULL;
            rj.column = NULL;
            rj.detail[0] = '\0';
            prc = ds->parse(&w, binding, &rec, (size_t)row, &rj);
            if (prc == 2) {
                ingest__row_abort(it->seg);
                it->filtered++;
            } else if (prc) {
                ingest__row_abort(it->seg);
                add_lrej(it, rec.row, rec.line, rj.reason, rj.column, rj.detail, &rec);
            } else {
                ingest__row_commit(it->seg);
            }
        }
        if (it->fatal)
            break;
        if ((++n & 4095) == 0) {
            uint64_t b = csv_bytes_in(r);

            atomic_fetch_add(&job->bytes_done, b - last_bytes);
            atomic_fetch_add(&job->rows_done, 4096);
            last_bytes = b;
        }
    }
    atomic_fetch_add(&job->bytes_done, csv_bytes_in(r) - last_bytes);
    it->end_offset = csv_offset(r);
    it->lines = csv_next_line(r) - 1; /* readers count from line 1 */
    it->placed = w.placed;
    it->unplaced = w.unplaced;
    if (w.scratch && ds->scratch_free)
        ds->scratch_free(w.scratch);
}

static struct csv_opts reader_opts(void)
{
    struct csv_opts o;

    memset(&o, 0, sizeof(o));
    o.max_row_bytes = MAX_RECORD;
    o.max_fields = 1024;
    return o;
}

/* A whole file (or stdin): header, binding and rows, in this thread. */
/* CRC-32C of bytes [start, end) of fd. 0 or an errno. */
static int crc_range(int fd, uint64_t start, uint64_t end, uint32_t *crc)
{
    size_t cap = 1u << 20;
    char *buf = cscc_trymalloc(cap);
    uint32_t c = 0;

    if (!buf)
        return ENOMEM;
    while (start < end) {
        size_t want = end - start < cap ? (size_t)(end - start) : cap;
        ssize_t n = pread(fd, buf, want, (off_t)start);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;

            cscc_free(buf);
            return e;
        }
        c = cscc_crc32c(c, buf, (size_t)n);
        start += (uint64_t)n;
    }
    cscc_free(buf);
    *crc = c;
    return 0;
}

/* A segment for an item: reused from a streamed item when there is one
 * (its memory is already mapped: first writes to fresh memory are slow). */
static struct ingest__seg *seg_take(struct ingest__job *job, size_t expect_rows)
{
    struct ingest__seg *s = NULL;

    pthread_mutex_lock(&job->spare_lock);
    if (job->nspare)
        s = job->spare[--job->nspare];
    pthread_mutex_unlock(&job->spare_lock);
    return s ? s : ingest__seg_new(job->ds->cols, job->ds->ncols, expect_rows);
}

static void seg_put(struct ingest__job *job, struct ingest__seg *s)
{
    pthread_mutex_lock(&job->spare_lock);
    if (job->nspare < sizeof(job->spare) / sizeof(job->spare[0])) {
        ingest__seg_reset(s);
        job->spare[job->nspare++] = s;
        s = NULL;
    }
    pthread_mutex_unlock(&job->spare_lock);
    ingest__seg_free(s);
}

/* Streaming: the item's rows, sorted by time, become a row group of the
 * new table now; the segment goes back for the next item. */
static void stream_item(struct item *it)
{
    struct ingest__job *job = it->job;
    const struct ingest__dataset *ds = job->ds;
    struct ingest__seg *s = it->seg;
    struct colstore_wcol wcols[IB_MAX_COLS];
    struct colstore_seg wsegs[IB_MAX_COLS];
    struct colstore_order ord;
    const uint32_t *nopos[1] = {NULL};
    size_t rows[1], c;
    uint32_t *fine = NULL;

    if (s->bad) {
        it->fatal = 1;
        cscc_err_set(&it->err, CSCC_ENOMEM, "out of memory reading %s", it->display);
        return;
    }
    if (ds->col_id >= 0 && s->n) {
        it->ids = cscc_big_alloc(s->n * sizeof(int64_t));
        if (!it->ids)
            goto nomem;
        memcpy(it->ids, s->col[ds->col_id], s->n * sizeof(int64_t));
        it->nids = s->n;
    }
    if (s->n) {
        if (!(fine = cscc_trymalloc(s->n * sizeof(*fine))) ||
            ingest__sort_by_time(s->col[ds->col_t], s->n, fine))
            goto nomem;
        for (c = 0; c < ds->ncols; c++) {
            wsegs[c].data = s->col[c];
            wsegs[c].blob = s->blob[c];
            wsegs[c].code_width = 4;
            wsegs[c].code_map = NULL;
            wsegs[c].code_map_len = 0;
            wcols[c].name = ds->cols[c].name;
            wcols[c].type = ds->cols[c].type;
            wcols[c].dict = s->dict[c];
            wcols[c].segs = &wsegs[c];
        }
        rows[0] = s->n;
        ord.pos = nopos;
        ord.seg_rows = rows;
        ord.fine = fine;
        if (colstore_writer_add(job->stream, wcols, 1, &ord, s->n, 1, NULL, NULL, &it->err)) {
            it->fatal = 1;
            cscc_err_at(&it->err, it->display, 0, 0, NULL);
        }
        it->streamed = s->n;
    }
    cscc_free(fine);
    it->seg = NULL;
    seg_put(job, s);
    return;
nomem:
    cscc_free(fine);
    it->fatal = 1;
    cscc_err_set(&it->err, CSCC_ENOMEM, "out of memory writing the rows of %s", it->display);
}

static void run_whole(struct item *it)
{
    struct ingest__job *job = it->job;
    struct csv_opts o = reader_opts();
    struct csv_reader *r;
    struct csv_row h;
    void *binding = NULL;
    int rc;

    r = csv_open_file(it->path, &o, &it->err);
    if (!r) {
        cscc_err_at(&it->err, it->display, 0, 0, NULL);
        it->fatal = 1;
        return;
    }
    csv_keep_crc(r);
    rc = csv_next(r, &h, &it->err);
    if (rc <= 0) {
        if (rc == 0)
            cscc_err_set(&it->err, CSCC_EDATA, "%s is empty: a header row was expected",
                         it->display);
        else
            cscc_err_at(&it->err, it->display, 0, 0, NULL);
        it->fatal = 1;
        goto out;
    }
    if (header_ok(&h, it->display, &it->err) ||
        !(binding = job->ds->bind(job->ds, job->opts, &h, it->display, &it->err))) {
        it->fatal = 1;
        goto out;
    }
    it->nfields = h.nfields;
    if (!it->seg)
        it->seg = seg_take(job, job->file_size[it->file_index] / 160 + 1024);
    it->seg->file_index = it->file_index;
    parse_loop(it, r, binding, h.nfields);
    it->bytes_in = csv_bytes_in(r);
    if (!it->fatal) {
        /* the file's own bytes (compressed ones for gzip), as read */
        it->crc = csv_crc(r, &it->crc_start, &it->crc_end);
        it->has_crc = !strcmp(it->path, "-") || it->crc_end == job->file_size[it->file_index];
    }
    if (job->stream && !it->fatal)
        stream_item(it);
out:
    if (binding)
        job->ds->unbind(binding);
    csv_close(r);
}

static void run_range(struct item *it)
{
    struct csv_opts o = reader_opts();
    struct csv_reader *r;

    if (!it->seg)
        it->seg = seg_take(it->job, (it->stop - it->start) / 160 + 1024);
    it->seg->file_index = it->file_index;
    r = csv_open_range(it->fd, it->start, it->stop, 1, 1, &o, &it->err);
    if (!r) {
        cscc_err_at(&it->err, it->display, 0, 0, NULL);
        it->fatal = 1;
        return;
    }
    csv_keep_crc(r);
    parse_loop(it, r, it->binding, it->nfields);
    if (!it->fatal) {
        it->crc = csv_crc(r, &it->crc_start, &it->crc_end);
        it->has_crc = 1;
    }
    csv_close(r);
    cscc_debug("part at byte %llu of %s: %zu rows parsed", (unsigned long long)it->start,
               it->display, it->seg ? it->seg->n : 0);
    if (it->job->stream && !it->fatal) {
        stream_item(it);
        cscc_debug("part at byte %llu of %s: written", (unsigned long long)it->start, it->display);
    }
}

struct pool {
    struct item **items;
    size_t nitems;
    _Atomic size_t next;
    _Atomic int stop;
};

static void *pool_thread(void *arg)
{
    struct pool *p = arg;
    size_t i;

    while (!p->stop && (i = atomic_fetch_add(&p->next, 1)) < p->nitems) {
        struct item *it = p->items[i];

        if (it->is_range)
            run_range(it);
        else
            run_whole(it);
        if (it->fatal)
            p->stop = 1;
    }
    return NULL;
}

static void progress(struct ingest__job *job, const char *what)
{
    uint64_t b = atomic_load(&job->bytes_done), rows = atomic_load(&job->rows_done);

    if (job->bytes_total)
        cscc_log_progress("importing %s: %.0f%% (%.1f of %.1f MB, about %llu rows)", what,
                          100.0 * (double)b / (double)job->bytes_total, (double)b / 1e6,
                          (double)job->bytes_total / 1e6, (unsigned long long)rows);
    else
        cscc_log_progress("importing %s: %.1f MB, about %llu rows", what, (double)b / 1e6,
                          (unsigned long long)rows);
}

static void run_pool(struct ingest__job *job, struct item **items, size_t nitems, int threads)
{
    struct pool p;
    pthread_t tid[16];
    int started = 0, t;

    p.items = items;
    p.nitems = nitems;
    atomic_init(&p.next, 0);
    atomic_init(&p.stop, 0);
    if (threads > (int)nitems)
        threads = (int)nitems;
    for (t = 0; t < threads && t < 16; t++) {
        if (pthread_create(&tid[t], NULL, pool_thread, &p) != 0)
            break;
        started++;
    }
    if (!started) {
        pool_thread(&p);
        return;
    }
    if (job->opts->progress && cscc_log_is_tty()) {
        /* Wait, showing progress; workers finish on their own. */
        for (;;) {
            struct timespec ts = {0, 200 * 1000 * 1000};

            /* Each thread takes one index past the end as it leaves. */
            if (atomic_load(&p.next) >= nitems + (size_t)started || p.stop)
                break;
            progress(job, items[0]->file_index == items[nitems - 1]->file_index ? items[0]->display
                                                                                : "files");
            nanosleep(&ts, NULL);
        }
    }
    for (t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    cscc_log_progress_done();
}

/* Reads a plain file's header at offset 0; fills binding, nfields and the data start. */
static int bind_range_file(struct ingest__job *job, int fd, const char *display, void **binding,
                           size_t *nfields, uint64_t *data_start, uint64_t *header_lines,
                           uint32_t *header_crc, struct cscc_err *err)
{
    struct csv_opts o = reader_opts();
    struct csv_reader *r = csv_open_range(fd, 0, 1, 1, 1, &o, err);
    struct csv_row h;
    int rc;

    if (!r)
        return cscc_err_at(err, display, 0, 0, NULL), err->code;
    rc = csv_next(r, &h, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = cscc_err_set(err, CSCC_EDATA, "%s is empty: a header row was expected", display);
        csv_close(r);
        return rc;
    }
    if ((rc = header_ok(&h, display, err))) {
        csv_close(r);
        return rc;
    }
    *binding = job->ds->bind(job->ds, job->opts, &h, display, err);
    *nfields = h.nfields;
    *data_start = csv_offset(r);
    *header_lines = csv_next_line(r) - 1;
    if (crc_range(fd, 0, *data_start, header_crc)) {
        csv_close(r);
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot read %s", display);
    }
    csv_close(r);
    return *binding ? 0 : err->code ? err->code : CSCC_EDATA;
}

static int is_gzip_fd(int fd)
{
    unsigned char m[2];

    return pread(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

int ingest__parse_files(struct ingest__job *job, const char *const *files, size_t nfiles,
                        struct cscc_err *err)
{
    struct item *items[IB_MAX_SEGS];
    void *bindings[IB_MAX_SEGS];
    uint32_t *header_crc = cscc_xcalloc(nfiles ? nfiles : 1, sizeof(*header_crc));
    uint64_t *data_start = cscc_xcalloc(nfiles ? nfiles : 1, sizeof(*data_start));
    int fds[IB_MAX_SEGS];
    size_t nitems = 0, nbind = 0, nfds = 0, f, i;
    int threads = job->opts->threads, rc = 0;

    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        threads = n < 1 ? 1 : n > 16 ? 16 : (int)n;
    }
    memset(items, 0, sizeof(items));
    for (f = 0; f < nfiles; f++) {
        const char *path = files[f];
        const char *display = !strcmp(path, "-") ? "standard input" : path;
        struct stat st;
        int fd = -1;
        int split = 0;
        size_t nparts;

        if (strcmp(path, "-") != 0) {
            fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                rc = cscc_err_errno(err, errno == ENOENT ? CSCC_ENOENT : CSCC_EIO, errno,
                                    "cannot open %s", path);
                goto out;
            }
            if (fstat(fd, &st) < 0) {
                rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot stat %s", path);
                close(fd);
                goto out;
            }
            if (S_ISDIR(st.st_mode)) {
                rc = cscc_err_set(err, CSCC_EINVAL, "%s is a directory, not a file", path);
                close(fd);
                goto out;
            }
            job->file_size[f] = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
            job->bytes_total += job->file_size[f];
            split = threads > 1 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= RANGE_MIN_BYTES &&
                    !is_gzip_fd(fd);
        }
        /* Several parts per thread: while one part is written, the next is
         * read (when streaming), and uneven parts even out. */
        nparts = 1;
        if (split) {
            uint64_t sz = (uint64_t)st.st_size;

            nparts = (size_t)threads * 8;
            while (nparts > (size_t)threads && sz / nparts < RANGE_MIN_BYTES)
                nparts--;
        }
        if (nitems + nparts > IB_MAX_SEGS - 1) {
            if (fd >= 0)
                close(fd);
            rc = cscc_err_set(err, CSCC_ELIMIT,
                              "too many input files in one import (at most %d); import them in "
                              "smaller groups",
                              IB_MAX_SEGS / 2);
            goto out;
        }
        if (!split) {
            struct item *it = cscc_xcalloc(1, sizeof(*it));

            if (fd >= 0)
                close(fd);
            it->job = job;
            it->file_index = (uint32_t)f;
            it->path = path;
            it->display = display;
            it->fd = -1;
            items[nitems++] = it;
        } else {
            void *binding = NULL;
            size_t nfields = 0;
            uint64_t header_lines = 1;
            uint64_t start = 0, size = (uint64_t)st.st_size, prev;
            int k;

            fds[nfds++] = fd;
            rc = bind_range_file(job, fd, display, &binding, &nfields, &start, &header_lines,
                                 &header_crc[f], err);
            if (rc)
                goto out;
            bindings[nbind++] = binding;
            data_start[f] = start;
            prev = start;
            for (k = 0; k < (int)nparts; k++) {
                struct item *it = cscc_xcalloc(1, sizeof(*it));
                uint64_t stop;

                if (k == (int)nparts - 1) {
                    stop = size;
                } else {
                    uint64_t guess = start + (size - start) / (uint64_t)nparts * (uint64_t)(k + 1);

                    if ((rc = csv_find_line_start(fd, guess, size, &stop, err))) {
                        cscc_free(it);
                        goto out;
                    }
                }
                it->job = job;
                it->file_index = (uint32_t)f;
                it->path = path;
                it->display = display;
                it->fd = fd;
                it->is_range = 1;
                it->start = prev;
                it->stop = stop;
                it->binding = binding;
                it->nfields = nfields;
                it->header_lines = header_lines;
                items[nitems++] = it;
                prev = stop;
            }
        }
    }

    run_pool(job, items, nitems, threads);

    /* Check each range ended where the next began; re-read the rest of a
     * file sequentially from the last good boundary when not. */
    for (i = 0; i < nitems; i++) {
        if (items[i]->fatal) {
            *err = items[i]->err;
            rc = err->code ? err->code : CSCC_EIO;
            goto out;
        }
    }
    for (i = 0; i + 1 < nitems; i++) {
        struct item *a = items[i], *b = items[i + 1];
        size_t j;

        if (!a->is_range || !b->is_range || a->file_index != b->file_index || b->dropped)
            continue;
        if (a->end_offset == b->start)
            continue;
        if (job->stream) {
            /* b's rows are already written: start again without streaming */
            rc = INGEST__RETRY;
            goto out;
        }
        /* Mismatch: drop b and every later range of this file; one item
         * takes the rest of the file from a's end. */
        cscc_debug("range boundary at byte %llu of %s fell inside a record; re-reading",
                   (unsigned long long)b->start, a->display);
        for (j = i + 1; j < nitems && items[j]->is_range && items[j]->file_index == a->file_index;
             j++) {
            items[j]->dropped = 1;
            ingest__seg_free(items[j]->seg);
            items[j]->seg = NULL;
            while (items[j]->nrej)
                cscc_free(items[j]->rej[--items[j]->nrej].raw);
            items[j]->records = 0;
            items[j]->filtered = 0;
            items[j]->placed = items[j]->unplaced = 0;
        }
        b->dropped = 0;
        b->start = a->end_offset;
        b->stop = job->file_size[a->file_index];
        b->end_offset = 0;
        run_range(b);
        if (b->fatal) {
            *err = b->err;
            rc = err->code ? err->code : CSCC_EIO;
            goto out;
        }
    }

    /* Each file's checksum: the header's, then each part's, combined in
     * file order. The parts' bytes tile the file when its cuts held; a gap
     * (a part read again from elsewhere) or the end is read here; an
     * overlap cannot be combined, and the file is read again. */
    {
        uint64_t *to = cscc_xcalloc(nfiles ? nfiles : 1, sizeof(*to));

        for (i = 0; i < nitems; i++) {
            struct item *it = items[i];
            uint32_t fi = it->file_index, piece;
            uint64_t size = job->file_size[fi];
            int last = i + 1 == nitems || items[i + 1]->file_index != fi;

            if (!it->is_range) {
                job->file_crc[fi] = it->has_crc ? it->crc : 0;
                job->file_has_crc[fi] = (uint8_t)it->has_crc;
                if (!strcmp(it->path, "-"))
                    job->file_size[fi] = it->bytes_in;
                continue;
            }
            if (!it->dropped) {
                if (it->start == data_start[fi]) {
                    job->file_crc[fi] = header_crc[fi];
                    job->file_has_crc[fi] = 1;
                    to[fi] = data_start[fi];
                }
                if (!it->has_crc || it->crc_start < to[fi]) {
                    job->file_has_crc[fi] = 0;
                } else if (job->file_has_crc[fi]) {
                    if (it->crc_start > to[fi]) {
                        if (crc_range(it->fd, to[fi], it->crc_start, &piece) == 0)
                            job->file_crc[fi] = cscc_crc32c_combine((uint32_t)job->file_crc[fi],
                                                                    piece, it->crc_start - to[fi]);
                        else
                            job->file_has_crc[fi] = 0;
                    }
                    job->file_crc[fi] = cscc_crc32c_combine((uint32_t)job->file_crc[fi], it->crc,
                                                            it->crc_end - it->crc_start);
                    to[fi] = it->crc_end;
                }
            }
            if (!last)
                continue;
            if (job->file_has_crc[fi] && to[fi] < size) {
                if (crc_range(it->fd, to[fi], size, &piece) == 0)
                    job->file_crc[fi] =
                        cscc_crc32c_combine((uint32_t)job->file_crc[fi], piece, size - to[fi]);
                else
                    job->file_has_crc[fi] = 0;
            }
            if (!job->file_has_crc[fi] && crc_range(it->fd, 0, size, &piece) == 0) {
                job->file_crc[fi] = piece;
                job->file_has_crc[fi] = 1;
            }
        }
        cscc_free(to);
    }

    /* Hand the segments to the job in input order, and the rejects to the
     * rejects file with their final row numbers. */
    {
        uint64_t row_base = 0, line_base = 0;
        uint32_t cur_file = UINT32_MAX;

        for (i = 0; i < nitems; i++) {
            struct item *it = items[i];
            size_t k;

            if (it->file_index != cur_file) {
                cur_file = it->file_index;
                /* ranges count rows and lines from after the header */
                row_base = it->is_range ? 1 : 0;
                line_base = it->is_range ? it->header_lines : 0;
            }
            if (it->dropped)
                continue;
            for (k = 0; k < it->nrej; k++) {
                struct lrej *r = &it->rej[k];

                ingest__rejects_add(job->rejects, it->display, r->row + row_base,
                                    r->line + line_base, r->reason, r->column, r->detail, r->raw,
                                    r->raw_len);
            }
            row_base += it->records;
            line_base += it->lines;
            job->sum->rows_read += it->records;
            job->sum->rows_placed += it->placed;
            job->sum->rows_filtered += it->filtered;
            job->sum->rows_unplaced += it->unplaced;
            if (job->stream) {
                job->streamed += it->streamed;
                job->stream_ids[job->nstream_ids] = it->ids;
                job->stream_nids[job->nstream_ids++] = it->nids;
                it->ids = NULL;
            } else {
                job->segs[job->nsegs++] = it->seg;
                it->seg = NULL;
            }
        }
    }
out:
    for (i = 0; i < nitems; i++) {
        struct item *it = items[i];
        size_t k;

        for (k = 0; k < it->nrej; k++)
            cscc_free(it->rej[k].raw);
        cscc_free(it->rej);
        ingest__seg_free(it->seg);
        cscc_big_free(it->ids, it->nids * sizeof(int64_t));
        cscc_free(it);
    }
    for (i = 0; i < nbind; i++)
        job->ds->unbind(bindings[i]);
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    cscc_free(header_crc);
    cscc_free(data_start);
    return rc;
}
