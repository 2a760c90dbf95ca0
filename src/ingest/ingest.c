/* ingest.c - one import from start to end: lock, provenance, parse, merge,
 * write, commit; and recovery of imports that were killed. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/log.h"
#include "core/u64map.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int ingest_table_path(const char *data_dir, const char *table, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/tables/%s.cst", data_dir, table);

    return n < 0 || (size_t)n >= cap ? CSCC_ELIMIT : 0;
}

static int ensure_dir(const char *path, struct cscc_err *err)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    return cscc_err_errno(err, CSCC_EIO, errno, "cannot create directory %s", path);
}

/* Takes the table's import lock: one import per table at a time. */
static int lock_table(const char *data_dir, const char *table, int *fdp, struct cscc_err *err)
{
    char path[1100], pid[32];
    int fd, n;

    snprintf(path, sizeof(path), "%s/tables", data_dir);
    if (ensure_dir(path, err))
        return err->code;
    snprintf(path, sizeof(path), "%s/tables/%s.lock", data_dir, table);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot open lock file %s", path);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char other[32] = "";

        n = (int)pread(fd, other, sizeof(other) - 1, 0);
        while (n > 0 && (other[n - 1] == '\n' || other[n - 1] == ' '))
            n--;
        other[n > 0 ? n : 0] = '\0';
        close(fd);
        return cscc_err_set(err, CSCC_EBUSY,
                            "another import into '%s' is running (process %s); wait for it to "
                            "finish",
                            table, other[0] ? other : "unknown");
    }
    n = snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
        cscc_debug("cannot note our pid in %s", path);
    *fdp = fd;
    return 0;
}

static void unlock_table(int fd)
{
    if (fd >= 0) {
        if (ftruncate(fd, 0) < 0)
            cscc_debug("cannot clear the lock file");
        close(fd);
    }
}

struct recover_ctx {
    int64_t ids[64];
    size_t n;
    int64_t keep; /* the caller's own running import, not settled */
};

static int collect_running(void *arg, const struct store_import *imp)
{
    struct recover_ctx *rc = arg;

    if (imp->status == STORE_IMPORT_RUNNING && imp->id != rc->keep && rc->n < 64)
        rc->ids[rc->n++] = imp->id;
    return 0;
}

static int dataset_of_table(const char *table, char *buf, size_t cap)
{
    if (!strncmp(table, "layer_", 6))
        return snprintf(buf, cap, "layer:%s", table + 6) < (int)cap ? 0 : CSCC_ELIMIT;
    return snprintf(buf, cap, "%s", table) < (int)cap ? 0 : CSCC_ELIMIT;
}

/* With the table lock held: settle RUNNING provenance rows of this table. */
static int recover_locked(const char *data_dir, struct store *st, const char *table, int64_t keep,
                          struct cscc_err *err)
{
    struct recover_ctx rc;
    struct colstore_table *t;
    char path[1100], dataset[80], tmp[1200];
    struct cscc_err e;
    int64_t committed = 0;
    size_t i;
    int r;

    memset(&rc, 0, sizeof(rc));
    rc.keep = keep;
    if (dataset_of_table(table, dataset, sizeof(dataset)))
        return 0;
    if ((r = store_each_import(st, dataset, 0, collect_running, &rc, err)))
        return r;
    /* A leftover temporary table file of a killed import. */
    ingest_table_path(data_dir, table, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    if (!rc.n)
        return 0;
    cscc_err_clear(&e);
    t = colstore_open(path, &e);
    if (t) {
        committed = colstore_import_id(t);
        colstore_close(t);
    }
    for (i = 0; i < rc.n; i++) {
        struct store_import imp;

        memset(&imp, 0, sizeof(imp));
        imp.finished_at = (int64_t)time(NULL);
        if (rc.ids[i] == committed) {
            imp.status = STORE_IMPORT_OK;
            imp.message = "completed; recorded after a restart (the counts were not kept)";
        } else {
            imp.status = STORE_IMPORT_INTERRUPTED;
            imp.message = "interrupted before it committed; the table was left as it was";
        }
        imp.rejects_by_reason = "";
        imp.rejects_file = "";
        if ((r = store_import_finish(st, rc.ids[i], &imp, err)))
            return r;
        cscc_warn("import %lld of %s was %s", (long long)rc.ids[i], dataset,
                  imp.status == STORE_IMPORT_OK ? "completed before a crash; recorded it now"
                                                : "interrupted; the table is as it was before it");
    }
    return 0;
}

int ingest_recover(const char *data_dir, struct store *st, const char *table, struct cscc_err *err)
{
    int fd = -1, rc;

    if ((rc = lock_table(data_dir, table, &fd, err)))
        return rc;
    rc = recover_locked(data_dir, st, table, 0, err);
    unlock_table(fd);
    return rc;
}

struct running_tables {
    char table[16][80];
    size_t n;
};

static int collect_running_table(void *arg, const struct store_import *imp)
{
    struct running_tables *rt = arg;
    char table[80];
    size_t i;

    if (imp->status != STORE_IMPORT_RUNNING || !imp->dataset || rt->n >= 16)
        return 0;
    if (!strncmp(imp->dataset, "layer:", 6))
        snprintf(table, sizeof(table), "layer_%s", imp->dataset + 6);
    else
        snprintf(table, sizeof(table), "%s", imp->dataset);
    for (i = 0; i < rt->n; i++)
        if (!strcmp(rt->table[i], table))
            return 0;
    memcpy(rt->table[rt->n++], table, sizeof(table));
    return 0;
}

int ingest_recover_running(const char *data_dir, struct store *st, struct cscc_err *err)
{
    struct running_tables rt;
    size_t i;
    int rc;

    memset(&rt, 0, sizeof(rt));
    if ((rc = store_each_import(st, NULL, 200, collect_running_table, &rt, err)))
        return rc;
    for (i = 0; i < rt.n; i++) {
        rc = ingest_recover(data_dir, st, rt.table[i], err);
        if (rc == CSCC_EBUSY) { /* really running */
            cscc_err_clear(err);
            rc = 0;
        }
        if (rc)
            return rc;
    }
    return 0;
}

struct areas_ctx {
    struct geo_areas *g;
    int max;
    struct cscc_err *err;
    int rc;
};

static int add_area(void *arg, const struct store_area *a)
{
    struct areas_ctx *c = arg;

    if (a->number > c->max)
        c->max = a->number;
    if (!c->g || !a->geometry || !a->geometry[0])
        return 0;
    c->rc = geo_areas_add(c->g, a->number, a->name, a->geometry, c->err);
    return c->rc;
}

/* The largest area number (the boundaries are loaded later, if needed). */
static int max_area(struct store *st, int *out, struct cscc_err *err)
{
    struct areas_ctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.err = err;
    if ((rc = store_each_area(st, 0, add_area, &c, err)))
        return rc;
    if (c.max == 0)
        return cscc_err_set(err, CSCC_ENOENT,
                            "the data directory has no community areas; run 'cscc init' first");
    *out = c.max > 254 ? 254 : c.max;
    return 0;
}

const struct geo_areas *ingest__job_areas(struct ingest__job *job)
{
    struct areas_ctx c;
    struct cscc_err err;
    int rc;

    pthread_mutex_lock(&job->areas_lock);
    if (job->areas_state == 0) {
        memset(&c, 0, sizeof(c));
        cscc_err_clear(&err);
        c.g = geo_areas_new();
        c.err = &err;
        /* The store handle belongs to the main thread, which waits for the
         * workers without using it; this call happens under the lock. */
        rc = store_each_area(job->opts->store, 1, add_area, &c, &err);
        if (!rc && c.rc)
            rc = c.rc;
        if (!rc)
            rc = geo_areas_finish(c.g, &err);
        if (rc) {
            cscc_warn("cannot load the community area boundaries (%s); rows without a "
                      "community area stay without one",
                      err.msg);
            geo_areas_free(c.g);
            job->areas_state = -1;
        } else {
            job->areas = c.g;
            job->areas_state = 1;
        }
    }
    pthread_mutex_unlock(&job->areas_lock);
    return job->areas_state == 1 ? job->areas : NULL;
}

/* [{"path":..., "size":..., "crc32c":"8 hex digits"}]: size and checksum
 * once the files were read (job != NULL). */
static void json_files(struct strbuf *sb, const char *const *files, size_t n,
                       const struct ingest__job *job)
{
    size_t i;

    strbuf_addc(sb, '[');
    for (i = 0; i < n; i++) {
        if (i)
            strbuf_addc(sb, ',');
        strbuf_adds(sb, "{\"path\":");
        strbuf_add_json_str(sb, files[i], strlen(files[i]));
        if (job) {
            strbuf_addf(sb, ",\"size\":%llu", (unsigned long long)job->file_size[i]);
            if (job->file_has_crc[i])
                strbuf_addf(sb, ",\"crc32c\":\"%08x\"", (unsigned)job->file_crc[i]);
        }
        strbuf_addc(sb, '}');
    }
    strbuf_addc(sb, ']');
}

static void json_reasons(struct strbuf *sb, const struct ingest_summary *s)
{
    size_t i;

    strbuf_addc(sb, '{');
    for (i = 0; i < s->nreasons; i++) {
        if (i)
            strbuf_addc(sb, ',');
        strbuf_add_json_str(sb, s->reasons[i].reason, strlen(s->reasons[i].reason));
        strbuf_addf(sb, ":%llu", (unsigned long long)s->reasons[i].count);
    }
    strbuf_addc(sb, '}');
}

const char *ingest__meta_json(struct ingest__job *job)
{
    struct strbuf sb;
    const struct ingest_summary *s = job->sum;

    cscc_free(job->meta_json);
    strbuf_init(&sb, 0);
    strbuf_adds(&sb, "{\"dataset\":");
    strbuf_add_json_str(&sb, job->ds->name, strlen(job->ds->name));
    strbuf_adds(&sb, ",\"table\":");
    strbuf_add_json_str(&sb, job->ds->table, strlen(job->ds->table));
    strbuf_addf(&sb,
                ",\"timezone\":\"America/Chicago\",\"import_id\":%lld,\"rows_read\":%llu,"
                "\"rows_new\":%llu,\"rows_updated\":%llu,\"rows_unchanged\":%llu,"
                "\"rows_rejected\":%llu,\"files\":",
                (long long)job->import_id, (unsigned long long)s->rows_read,
                (unsigned long long)s->rows_new, (unsigned long long)s->rows_updated,
                (unsigned long long)s->rows_unchanged, (unsigned long long)s->rows_rejected);
    json_files(&sb, job->files, s->files, job);
    strbuf_addc(&sb, '}');
    job->meta_json = strbuf_take(&sb, NULL);
    return job->meta_json;
}

static const struct ingest__dataset *find_dataset(const char *name, const struct ingest_opts *o,
                                                  const char *const *files,
                                                  struct ingest__dataset **owned,
                                                  struct cscc_err *err)
{
    *owned = NULL;
    if (!strcmp(name, "crimes"))
        return ingest__crimes();
    if (!strcmp(name, "victims"))
        return ingest__victims();
    if (!strcmp(name, "layer")) {
        *owned = ingest__layer(o, files, err);
        return *owned;
    }
    cscc_err_set(err, CSCC_EINVAL, "unknown dataset '%s' (crimes, victims or layer)", name);
    return NULL;
}

static void finish_provenance(struct store *st, struct ingest__job *job, int ok, const char *msg)
{
    struct store_import imp;
    struct strbuf reasons, files;
    struct cscc_err e;
    const struct ingest_summary *s = job->sum;

    memset(&imp, 0, sizeof(imp));
    strbuf_init(&reasons, 0);
    json_reasons(&reasons, s);
    imp.finished_at = (int64_t)time(NULL);
    imp.status = ok ? STORE_IMPORT_OK : STORE_IMPORT_FAILED;
    imp.rows_read = (int64_t)s->rows_read;
    imp.rows_new = (int64_t)s->rows_new;
    imp.rows_updated = (int64_t)s->rows_updated;
    imp.rows_unchanged = (int64_t)s->rows_unchanged;
    imp.rows_rejected = (int64_t)s->rows_rejected;
    imp.rejects_by_reason = reasons.buf;
    imp.rejects_file = s->rejects_file;
    imp.message = msg ? msg : "";
    imp.generation = (int64_t)s->generation;
    strbuf_init(&files, 0);
    json_files(&files, job->files, (size_t)s->files, job);
    imp.files = files.buf;
    cscc_err_clear(&e);
    if (store_import_finish(st, job->import_id, &imp, &e))
        cscc_error("cannot record the end of import %lld: %s", (long long)job->import_id, e.msg);
    strbuf_release(&reasons);
    strbuf_release(&files);
}

/* An import the caller began that failed before it read anything: its
 * provenance says why (the table is untouched). */
static void fail_begun(struct store *st, int64_t id, const struct cscc_err *why)
{
    struct store_import imp;
    struct cscc_err e;
    char msg[1200];

    memset(&imp, 0, sizeof(imp));
    cscc_err_format(why, msg, sizeof(msg));
    imp.status = STORE_IMPORT_FAILED;
    imp.rejects_by_reason = "";
    imp.rejects_file = "";
    imp.message = msg;
    cscc_err_clear(&e);
    if (store_import_finish(st, id, &imp, &e))
        cscc_error("cannot record the end of import %lld: %s", (long long)id, e.msg);
}

/*
 * Failure injection for tests: CSCC_CRASH_AT=parsed|written|committed kills
 * the process with SIGKILL at that point of an import, as a power cut or
 * `kill -9` would. Nothing else reads it.
 */
static double since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void crash_point(const char *where)
{
    const char *at = getenv("CSCC_CRASH_AT");

    if (at && !strcmp(at, where)) {
        cscc_warn("CSCC_CRASH_AT=%s: killing this import now", where);
        raise(SIGKILL);
    }
}

/* ------------------------------------------------------------------------ */
/* Streaming a fresh table                                                  */
/* ------------------------------------------------------------------------ */

static struct colstore_writer *stream_start(struct ingest__job *job, const char *tmp,
                                            struct cscc_err *err)
{
    struct colstore_schema_col schema[IB_MAX_COLS];
    size_t c;

    for (c = 0; c < job->ds->ncols; c++) {
        schema[c].name = job->ds->cols[c].name;
        schema[c].type = job->ds->cols[c].type;
    }
    return colstore_writer_new(tmp, schema, job->ds->ncols, job->ds->col_t, err);
}

/* 1 if an ID occurs twice among the streamed rows (then the ordinary path
 * decides which version stays). */
static int stream_has_duplicates(struct ingest__job *job)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    size_t i, r, n = 0;
    uint8_t *seen;
    int dup = 0;

    for (i = 0; i < job->nstream_ids; i++)
        for (r = 0; r < job->stream_nids[i]; r++) {
            int64_t id = job->stream_ids[i][r];

            if (id == COLSTORE_NULL_I64)
                continue;
            lo = id < lo ? id : lo;
            hi = id > hi ? id : hi;
            n++;
        }
    if (n < 2)
        return 0;
    if ((uint64_t)(hi - lo) < 64 * (uint64_t)n + (1u << 20)) {
        /* dense IDs (the City's are): one bit each */
        size_t bits = (size_t)((uint64_t)(hi - lo) + 1);

        if (!(seen = cscc_trycalloc(bits / 8 + 1, 1)))
            return 1; /* cannot tell: take the ordinary path */
        for (i = 0; i < job->nstream_ids && !dup; i++)
            for (r = 0; r < job->stream_nids[i] && !dup; r++) {
                int64_t id = job->stream_ids[i][r];
                size_t b;

                if (id == COLSTORE_NULL_I64)
                    continue;
                b = (size_t)(id - lo);
                dup = (seen[b >> 3] >> (b & 7)) & 1;
                seen[b >> 3] |= (uint8_t)(1u << (b & 7));
            }
        cscc_free(seen);
        return dup;
    } else {
        struct u64map m;

        if (u64map_init(&m, n))
            return 1;
        for (i = 0; i < job->nstream_ids && !dup; i++)
            for (r = 0; r < job->stream_nids[i] && !dup; r++) {
                int64_t id = job->stream_ids[i][r];
                uint64_t *v;

                if (id == COLSTORE_NULL_I64)
                    continue;
                if (!(v = u64map_upsert(&m, (uint64_t)id)))
                    dup = 1;
                else
                    dup = (*v)++ > 0;
            }
        u64map_release(&m);
        return dup;
    }
}

/* Drops what streaming did, so the import can run again from the start. */
static void stream_reset(struct ingest__job *job, struct ingest_summary *sum,
                         const char *rejects_path)
{
    struct ingest_summary keep = *sum;
    struct cscc_err e;
    size_t i;

    colstore_writer_free(job->stream);
    job->stream = NULL;
    for (i = 0; i < job->nstream_ids; i++)
        cscc_big_free(job->stream_ids[i], job->stream_nids[i] * sizeof(int64_t));
    job->nstream_ids = 0;
    job->streamed = 0;
    for (i = 0; i < job->nsegs; i++)
        ingest__seg_free(job->segs[i]);
    job->nsegs = 0;
    cscc_err_clear(&e);
    ingest__rejects_close(job->rejects, NULL, &e);
    unlink(rejects_path);
    job->rejects = ingest__rejects_new(rejects_path);
    atomic_store(&job->bytes_done, 0);
    atomic_store(&job->rows_done, 0);
    memset(sum, 0, sizeof(*sum));
    sum->import_id = keep.import_id;
    sum->files = keep.files;
}

static int stream_finish(struct ingest__job *job, int *changed, struct cscc_err *err)
{
    struct colstore_wopts wo;
    struct ingest_summary *sum = job->sum;
    int rc;

    sum->rows_new = job->streamed;
    sum->rows_total = job->streamed;
    *changed = job->streamed > 0;
    if (!*changed) /* nothing stored: no table */
        return 0;
    memset(&wo, 0, sizeof(wo));
    wo.generation = 1;
    wo.import_id = job->import_id;
    wo.meta_json = ingest__meta_json(job);
    sum->generation = 1;
    rc = colstore_writer_finish(job->stream, &wo, err);
    cscc_debug("import %lld: %llu rows streamed in %zu row groups", (long long)job->import_id,
               (unsigned long long)job->streamed, job->nstream_ids);
    return rc;
}

int ingest_run(const char *dataset, const char *const *files, size_t nfiles,
               const struct ingest_opts *opts, struct ingest_summary *sum, struct cscc_err *err)
{
    struct ingest__dataset *owned = NULL;
    const struct ingest__dataset *ds;
    struct ingest__job job;
    struct strbuf fj;
    struct timespec t0, t1;
    char path[1100], tmp[1200], rpath[1200];
    int lockfd = -1, rc = 0, changed = 0, provenance = 0, stream;
    size_t i;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(sum, 0, sizeof(*sum));
    memset(&job, 0, sizeof(job));
    pthread_mutex_init(&job.areas_lock, NULL);
    pthread_mutex_init(&job.spare_lock, NULL);
    strbuf_init(&fj, 0);
    if (!nfiles) {
        rc = cscc_err_set(err, CSCC_EINVAL, "no input files");
        goto early;
    }
    if (!(ds = find_dataset(dataset, opts, files, &owned, err))) {
        rc = err->code ? err->code : CSCC_EINVAL;
        goto early;
    }
    if ((rc = lock_table(opts->data_dir, ds->table, &lockfd, err)))
        goto out;
    if ((rc = recover_locked(opts->data_dir, opts->store, ds->table, opts->import_id, err)))
        goto out;
    if ((rc = max_area(opts->store, &job.max_area, err)))
        goto out;
    job.ds = ds;
    job.opts = opts;
    job.sum = sum;
    job.files = files;
    job.file_size = cscc_xcalloc(nfiles, sizeof(*job.file_size));
    job.file_crc = cscc_xcalloc(nfiles, sizeof(*job.file_crc));
    job.file_has_crc = cscc_xcalloc(nfiles, 1);
    sum->files = nfiles;

    /* The stored table, if there is one. */
    ingest_table_path(opts->data_dir, ds->table, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    {
        struct cscc_err e;

        cscc_err_clear(&e);
        job.old = colstore_open(path, &e);
        if (!job.old && e.code != CSCC_ENOENT) {
            *err = e;
            rc = e.code;
            goto out;
        }
    }
    for (i = 0; i < ds->ncols; i++)
        if (ds->cols[i].type == COLSTORE_DICT)
            job.gdict[i] = colstore_dict_new(0);

    /* Provenance: the import is on record before it touches anything. */
    json_files(&fj, files, nfiles, NULL);
    dataset_of_table(ds->table, rpath, sizeof(rpath));
    if (opts->import_id > 0)
        job.import_id = opts->import_id; /* begun by the caller (an upload to the server) */
    else if ((rc = store_import_begin(opts->store, rpath, fj.buf, &job.import_id, err)))
        goto out;
    provenance = 1;
    sum->import_id = job.import_id;
    snprintf(rpath, sizeof(rpath), "%s/rejects", opts->data_dir);
    if ((rc = ensure_dir(rpath, err)))
        goto out;
    snprintf(rpath, sizeof(rpath), "%s/rejects/%s-%lld.csv", opts->data_dir, ds->table,
             (long long)job.import_id);
    job.rejects = ingest__rejects_new(rpath);

    cscc_debug("import %lld: set up in %.3f s", (long long)job.import_id, since(&t0));
    /* A fresh table is written while it is read: each parsed part becomes a
     * row group at once. If that cannot hold (a part boundary inside a
     * quoted newline, or the same ID twice), the import starts again the
     * ordinary way. */
    stream = !job.old && !getenv("CSCC_NO_STREAMING");
again:
    if (stream && !(job.stream = stream_start(&job, tmp, err))) {
        rc = err->code;
        goto out;
    }
    rc = ingest__parse_files(&job, files, nfiles, err);
    if (!rc && stream && stream_has_duplicates(&job))
        rc = INGEST__RETRY;
    if (rc == INGEST__RETRY) {
        cscc_debug("import %lld: streaming gave up; reading again", (long long)job.import_id);
        stream_reset(&job, sum, rpath);
        stream = 0;
        goto again;
    }
    if (rc)
        goto out;
    cscc_debug("import %lld: parsed %llu rows in %.3f s", (long long)job.import_id,
               (unsigned long long)sum->rows_read, since(&t0));
    for (i = 0; i < nfiles; i++)
        sum->bytes += job.file_size[i];
    if (opts->max_rejected >= 0 && sum->rows_read > 0) {
        uint64_t nrej = ingest__rejects_count(job.rejects);

        if ((double)nrej > opts->max_rejected * (double)sum->rows_read) {
            rc = cscc_err_set(err, CSCC_EDATA,
                              "%llu of %llu rows were rejected, more than the %.0f%% allowed; "
                              "nothing was imported. See the rejects file %s (or raise "
                              "--max-rejected)",
                              (unsigned long long)nrej, (unsigned long long)sum->rows_read,
                              opts->max_rejected * 100.0, rpath);
            goto out;
        }
    }
    sum->rows_rejected = ingest__rejects_count(job.rejects);
    crash_point("parsed");
    if (stream)
        rc = stream_finish(&job, &changed, err);
    else
        rc = ingest__merge_write(&job, tmp, &changed, err);
    if (rc)
        goto out;
    cscc_debug("import %lld: merged and written in %.3f s", (long long)job.import_id, since(&t0));
    crash_point("written");
    if (changed && (rc = colstore_commit(tmp, path, err)))
        goto out;
    cscc_debug("import %lld: committed in %.3f s", (long long)job.import_id, since(&t0));
    crash_point("committed");
    if (!changed)
        sum->rows_total = job.old ? colstore_nrows(job.old) : 0;
    sum->changed = changed;
    if (!changed && job.old)
        sum->generation = colstore_generation(job.old);
out:
    if (job.rejects) {
        struct cscc_err e;

        cscc_err_clear(&e);
        if (ingest__rejects_close(job.rejects, sum, &e) && !rc) {
            *err = e;
            rc = e.code;
        }
    }
    if (rc)
        unlink(tmp);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sum->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (provenance) {
        char msg[1200];

        if (rc)
            cscc_err_format(err, msg, sizeof(msg));
        finish_provenance(opts->store, &job, rc == 0, rc ? msg : NULL);
    } else if (rc && opts->import_id > 0) {
        fail_begun(opts->store, opts->import_id, err);
    }
    for (i = 0; i < job.nsegs; i++)
        ingest__seg_free(job.segs[i]);
    for (i = 0; i < job.nspare; i++)
        ingest__seg_free(job.spare[i]);
    for (i = 0; i < job.nstream_ids; i++)
        cscc_big_free(job.stream_ids[i], job.stream_nids[i] * sizeof(int64_t));
    colstore_writer_free(job.stream); /* removes the file unless it was finished */
    pthread_mutex_destroy(&job.spare_lock);
    for (i = 0; i < IB_MAX_COLS; i++)
        colstore_dict_free(job.gdict[i]);
    colstore_close(job.old);
    cscc_free(job.meta_json);
    cscc_free(job.file_size);
    cscc_free(job.file_crc);
    cscc_free(job.file_has_crc);
    geo_areas_free(job.areas);
    pthread_mutex_destroy(&job.areas_lock);
    strbuf_release(&fj);
    unlock_table(lockfd);
    ingest__layer_free(owned);
    return rc;
early:
    if (opts->import_id > 0)
        fail_begun(opts->store, opts->import_id, err);
    strbuf_release(&fj);
    pthread_mutex_destroy(&job.areas_lock);
    pthread_mutex_destroy(&job.spare_lock);
    return rc;
}
