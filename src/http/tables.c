/* tables.c - the column-store tables a running server reads, by generation.
 *
 * An import writes a new table file and renames it over the old one. Each
 * request asks for the current table: a stat(2) of the path says whether
 * the file is still the one open (same device and inode); if not, the new
 * file is opened (a mapping, no read) and becomes current. A request keeps
 * the table it started with until it ends (a reference count), so the old
 * mapping is unmapped only when its last request lets go: every response is
 * made from one whole generation. */
#include "http/http_int.h"

#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void http_tables_init(struct http_tables *ts, const char *data_dir)
{
    memset(ts, 0, sizeof(*ts));
    pthread_mutex_init(&ts->lock, NULL);
    snprintf(ts->dir, sizeof(ts->dir), "%s/tables", data_dir);
}

void http_tref_put(struct http_tref *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        colstore_close(r->t);
        cscc_free(r);
    }
}

void http_tables_release(struct http_tables *ts)
{
    size_t i;

    for (i = 0; i < ts->n; i++)
        http_tref_put(ts->v[i].cur);
    ts->n = 0;
    pthread_mutex_destroy(&ts->lock);
}

/* The slot of table name, added if new; -1 when the list is full. */
static int slot_of(struct http_tables *ts, const char *name)
{
    size_t i;

    for (i = 0; i < ts->n; i++)
        if (!strcmp(ts->v[i].name, name))
            return (int)i;
    if (ts->n == sizeof(ts->v) / sizeof(ts->v[0]) || strlen(name) >= sizeof(ts->v[0].name))
        return -1;
    snprintf(ts->v[ts->n].name, sizeof(ts->v[0].name), "%s", name);
    ts->v[ts->n].cur = NULL;
    return (int)ts->n++;
}

struct http_tref *http_tables_get(struct http_tables *ts, const char *name, struct cscc_err *err)
{
    char path[4200];
    struct stat st;
    struct http_tref *r = NULL, *old = NULL;
    int i;

    snprintf(path, sizeof(path), "%s/%s.cst", ts->dir, name);
    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            cscc_err_set(err, CSCC_ENOENT, "no %s have been imported yet", name);
        else
            cscc_err_errno(err, CSCC_EIO, errno, "cannot read the %s table", name);
        return NULL;
    }
    pthread_mutex_lock(&ts->lock);
    if ((i = slot_of(ts, name)) < 0) {
        pthread_mutex_unlock(&ts->lock);
        cscc_err_set(err, CSCC_EINTERNAL, "too many tables open");
        return NULL;
    }
    r = ts->v[i].cur;
    if (!r || r->dev != (uint64_t)st.st_dev || r->ino != (uint64_t)st.st_ino) {
        /* A new generation (or the first): open it. The lock is held while
         * the file is mapped (a few system calls), so that concurrent
         * requests open it once. */
        struct colstore_table *t = colstore_open(path, err);

        if (!t) {
            /* Keep serving the generation we have, if any; say why once. */
            if (r) {
                cscc_warn("cannot open the new %s table, still serving generation %llu: %s", name,
                          (unsigned long long)colstore_generation(r->t), err->msg);
                cscc_err_clear(err);
            } else {
                /* A table that is there but cannot be read is the
                 * server's trouble, not the client's: an internal error. */
                if (err && err->code != CSCC_ENOENT)
                    err->code = CSCC_EIO;
                pthread_mutex_unlock(&ts->lock);
                return NULL;
            }
        } else {
            uint64_t dev, ino;
            struct http_tref *n = cscc_xcalloc(1, sizeof(*n));

            colstore_file_id(t, &dev, &ino);
            n->t = t;
            n->dev = dev;
            n->ino = ino;
            atomic_init(&n->refs, 1); /* the slot's own reference */
            old = r;
            r = n;
            ts->v[i].cur = n;
            if (old)
                atomic_fetch_add(&ts->swaps, 1);
            cscc_info("serving %s generation %llu (%zu rows)", name,
                      (unsigned long long)colstore_generation(t), colstore_nrows(t));
        }
    }
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_unlock(&ts->lock);
    http_tref_put(old); /* the slot's reference to the old generation */
    return r;
}
