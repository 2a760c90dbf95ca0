/* backup.c - copies of a data directory taken while it is in use, and
 * putting them back: the database through the store's online backup, the
 * immutable table files by hard link or copy, the rejects files by copy. */
#include "ingest/backup.h"

#include "colstore/colstore.h"
#include "core/log.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATHCAP 4200

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int ensure_dir(const char *path, struct cscc_err *err)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    return cscc_err_errno(err, CSCC_EIO, errno, "cannot create directory %s", path);
}

/* Copies the file open as fd into a new file dst (fsync'd); adds to *bytes. */
static int copy_fd(int in, const char *dst, uint64_t *bytes, struct cscc_err *err)
{
    char buf[1 << 16];
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), rc = 0;
    ssize_t n;

    if (out < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", dst);
    while ((n = read(in, buf, sizeof(buf))) != 0) {
        size_t off = 0;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot read the file copied to %s", dst);
            break;
        }
        while (off < (size_t)n) {
            ssize_t w = write(out, buf + off, (size_t)n - off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot write %s", dst);
                break;
            }
            off += (size_t)w;
        }
        if (rc)
            break;
        *bytes += (uint64_t)n;
    }
    if (!rc && fsync(out) < 0)
        rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot write %s", dst);
    close(out);
    if (rc)
        unlink(dst);
    return rc;
}

static int copy_path(const char *src, const char *dst, uint64_t *bytes, struct cscc_err *err)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), rc;

    if (in < 0)
        return cscc_err_errno(err, errno == ENOENT ? CSCC_ENOENT : CSCC_EIO, errno,
                              "cannot open %s", src);
    rc = copy_fd(in, dst, bytes, err);
    close(in);
    return rc;
}

/* 1 when name ends with suffix (and is longer). */
static int ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n > s && !strcmp(name + n - s, suffix);
}

/* Removes dir's regular files and dir (one level below too). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATHCAP];

    if (!d)
        return;
    while ((e = readdir(d))) {
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ------------------------------------------------------------------------ */
/* Locks                                                                     */
/* ------------------------------------------------------------------------ */

int ingest_dir_lock(const char *data_dir, int exclusive, struct cscc_err *err)
{
    char path[PATHCAP];
    int fd;

    snprintf(path, sizeof(path), "%s/cscc.lock", data_dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot open lock file %s", path);
    if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
        close(fd);
        return cscc_err_set(err, CSCC_EBUSY,
                            exclusive ? "a server is using %s; stop it first ('cscc serve' holds "
                                        "%s/cscc.lock)"
                                      : "%s is being restored; wait for 'cscc restore' to end "
                                        "(it holds %s/cscc.lock)",
                            data_dir, data_dir);
    }
    return fd;
}

void ingest_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* Takes the import lock of every table in dir/tables: *fds gets them. */
static int lock_imports(const char *data_dir, int *fds, size_t cap, size_t *n, struct cscc_err *err)
{
    char dir[PATHCAP], p[PATHCAP];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    *n = 0;
    snprintf(dir, sizeof(dir), "%s/tables", data_dir);
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d))) {
        struct stat sb;
        int fd;

        /* Every lock file, and a lock for every table without one yet
         * (each table once: its .cst is skipped when its .lock exists). */
        if (ends_with(e->d_name, ".lock")) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        } else if (ends_with(e->d_name, ".cst")) {
            snprintf(p, sizeof(p), "%s/%.*s.lock", dir, (int)(strlen(e->d_name) - 4), e->d_name);
            if (stat(p, &sb) == 0)
                continue;
        } else {
            continue;
        }
        if (*n == cap) {
            rc = cscc_err_set(err, CSCC_ELIMIT, "too many tables in %s", dir);
            break;
        }
        fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot open lock file %s", p);
            break;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
            close(fd);
            rc = cscc_err_set(err, CSCC_EBUSY,
                              "an import is running into %s (it holds %s); wait for it to end",
                              data_dir, p);
            break;
        }
        fds[(*n)++] = fd;
    }
    closedir(d);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Backup                                                                    */
/* ------------------------------------------------------------------------ */

struct known_ctx {
    int found;
};

static int known_cb(void *arg, const struct store_import *imp)
{
    (void)imp;
    ((struct known_ctx *)arg)->found = 1;
    return 0;
}

/*
 * Brings the table files of data_dir into dest/tables and checks each
 * against the database copy bk: a table written by an import the copy does
 * not know began after the database was copied. *stale is set then (the
 * caller starts again).
 */
static int copy_tables(const char *data_dir, const char *dest, int copy, struct store *bk,
                       struct ingest_backup_info *info, int *stale, struct cscc_err *err)
{
    char sdir[PATHCAP], ddir[PATHCAP], src[PATHCAP], dst[PATHCAP];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    *stale = 0;
    snprintf(sdir, sizeof(sdir), "%s/tables", data_dir);
    snprintf(ddir, sizeof(ddir), "%s/tables", dest);
    if ((rc = ensure_dir(ddir, err)))
        return rc;
    if (!(d = opendir(sdir)))
        return errno == ENOENT ? 0 : cscc_err_errno(err, CSCC_EIO, errno, "cannot read %s", sdir);
    while ((e = readdir(d)) && !rc) {
        struct colstore_table *t;
        struct cscc_err e2;

        if (!ends_with(e->d_name, ".cst"))
            continue;
        snprintf(src, sizeof(src), "%s/%s", sdir, e->d_name);
        snprintf(dst, sizeof(dst), "%s/%s", ddir, e->d_name);
        unlink(dst);
        /* link(2) takes whatever file the name holds at this instant: a
         * whole generation, which is never written again. */
        if (!copy && link(src, dst) == 0) {
            info->linked++;
        } else if (copy || errno == EXDEV || errno == EPERM || errno == EMLINK) {
            if ((rc = copy_path(src, dst, &info->bytes, err)))
                break;
        } else if (errno == ENOENT) {
            continue; /* renamed away meanwhile: no such table now */
        } else {
            rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot link %s to %s", src, dst);
            break;
        }
        info->tables++;
        cscc_err_clear(&e2);
        if (!(t = colstore_open(dst, &e2))) {
            rc = cscc_err_set(err, e2.code, "the copy of %s is not a whole table: %s", src, e2.msg);
            break;
        }
        if (colstore_import_id(t) > 0) {
            struct known_ctx k = {0};

            cscc_err_clear(&e2);
            if (store_get_import(bk, colstore_import_id(t), known_cb, &k, &e2) == CSCC_ENOENT)
                *stale = 1;
        }
        if (!strcmp(e->d_name, "crimes.cst"))
            info->crimes_gen = colstore_generation(t);
        colstore_close(t);
    }
    closedir(d);
    if (!rc)
        fsync_dir(ddir);
    return rc;
}

/* Copies the regular files of src_dir/sub into dst_dir/sub. */
static int copy_dir_files(const char *src_dir, const char *dst_dir, const char *sub,
                          unsigned *count, uint64_t *bytes, struct cscc_err *err)
{
    char sdir[PATHCAP], ddir[PATHCAP], src[PATHCAP], dst[PATHCAP];
    struct dirent *e;
    DIR *d;
    int rc = 0;

    snprintf(sdir, sizeof(sdir), "%s/%s", src_dir, sub);
    snprintf(ddir, sizeof(ddir), "%s/%s", dst_dir, sub);
    if (!(d = opendir(sdir)))
        return 0;
    if ((rc = ensure_dir(ddir, err))) {
        closedir(d);
        return rc;
    }
    while ((e = readdir(d)) && !rc) {
        struct stat st;

        snprintf(src, sizeof(src), "%s/%s", sdir, e->d_name);
        if (e->d_name[0] == '.' || lstat(src, &st) < 0 || !S_ISREG(st.st_mode) ||
            ends_with(e->d_name, ".tmp"))
            continue;
        snprintf(dst, sizeof(dst), "%s/%s", ddir, e->d_name);
        rc = copy_path(src, dst, bytes, err);
        if (rc == CSCC_ENOENT) {
            rc = 0; /* gone meanwhile */
            cscc_err_clear(err);
            continue;
        }
        (*count)++;
    }
    closedir(d);
    if (!rc)
        fsync_dir(ddir);
    return rc;
}

int ingest_backup(const char *data_dir, const char *dest, int copy, struct ingest_backup_info *info,
                  struct cscc_err *err)
{
    char db[PATHCAP], bdb[PATHCAP];
    struct store *st = NULL, *bk = NULL;
    struct stat sb;
    int rc = 0, made = 0, stale = 1;
    DIR *d;

    memset(info, 0, sizeof(*info));
    snprintf(db, sizeof(db), "%s/cscc.db", data_dir);
    if (stat(db, &sb) < 0)
        return cscc_err_set(err, CSCC_ENOENT, "'%s' has no cscc database; nothing to back up",
                            data_dir);
    if ((d = opendir(dest))) {
        struct dirent *e;
        int empty = 1;

        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                empty = 0;
        closedir(d);
        if (!empty)
            return cscc_err_set(err, CSCC_EEXIST,
                                "%s exists and is not empty; give a new directory for the backup",
                                dest);
    } else if (mkdir(dest, 0700) < 0) {
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", dest);
    } else {
        made = 1;
    }
    if (!(st = store_open(db, err))) {
        rc = err->code;
        goto out;
    }
    snprintf(bdb, sizeof(bdb), "%s/cscc.db", dest);
    /* Database first, then tables; again if an import began and ended in
     * between (its table would be newer than the copied provenance). */
    while (stale && info->attempts < 5) {
        info->attempts++;
        store_close(bk);
        bk = NULL;
        info->tables = info->linked = 0;
        if ((rc = store_backup(st, bdb, err)))
            goto out;
        if (!(bk = store_open(bdb, err))) {
            rc = err->code;
            goto out;
        }
        if ((rc = copy_tables(data_dir, dest, copy, bk, info, &stale, err)))
            goto out;
    }
    if (stale) {
        rc = cscc_err_set(err, CSCC_EBUSY,
                          "imports kept finishing while the backup was taken; try again");
        goto out;
    }
    if ((rc = copy_dir_files(data_dir, dest, "rejects", &info->rejects, &info->bytes, err)))
        goto out;
    fsync_dir(dest);
out:
    store_close(bk);
    store_close(st);
    if (rc && made)
        remove_tree(dest);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Restore                                                                   */
/* ------------------------------------------------------------------------ */

/* Checks that every table file of the backup is whole. */
static int check_backup(const char *src, struct cscc_err *err)
{
    char dir[PATHCAP], p[PATHCAP];
    struct dirent *e;
    struct stat sb;
    DIR *d;
    int rc = 0;

    snprintf(p, sizeof(p), "%s/cscc.db", src);
    if (stat(p, &sb) < 0 || !S_ISREG(sb.st_mode))
        return cscc_err_set(err, CSCC_ENOENT, "%s is not a cscc backup: it has no cscc.db", src);
    snprintf(dir, sizeof(dir), "%s/tables", src);
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d)) && !rc) {
        struct colstore_table *t;
        struct cscc_err e2;

        if (!ends_with(e->d_name, ".cst"))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        cscc_err_clear(&e2);
        if (!(t = colstore_open(p, &e2)))
            rc = cscc_err_set(err, CSCC_EDATA, "the backup's table %s is damaged: %s", p, e2.msg);
        colstore_close(t);
    }
    closedir(d);
    return rc;
}

int ingest_restore(const char *src, const char *data_dir, struct ingest_backup_info *info,
                   struct cscc_err *err)
{
    char sdir[PATHCAP], ddir[PATHCAP], a[PATHCAP], b[PATHCAP], db[PATHCAP];
    int fds[64], dirfd = -1, rc;
    size_t nfds = 0, i;
    struct store *st = NULL;
    struct dirent *e;
    DIR *d;

    memset(info, 0, sizeof(*info));
    if ((rc = check_backup(src, err)))
        return rc;
    if (mkdir(data_dir, 0700) < 0 && errno != EEXIST)
        return cscc_err_errno(err, CSCC_EIO, errno, "cannot create %s", data_dir);
    if ((dirfd = ingest_dir_lock(data_dir, 1, err)) < 0)
        return err->code;
    if ((rc = lock_imports(data_dir, fds, 64, &nfds, err)))
        goto out;
    snprintf(sdir, sizeof(sdir), "%s/tables", src);
    snprintf(ddir, sizeof(ddir), "%s/tables", data_dir);
    if ((rc = ensure_dir(ddir, err)))
        goto out;
    /* Tables: each copied beside its place, then renamed over it. */
    if ((d = opendir(sdir))) {
        while ((e = readdir(d)) && !rc) {
            if (!ends_with(e->d_name, ".cst"))
                continue;
            snprintf(a, sizeof(a), "%s/%s", sdir, e->d_name);
            snprintf(b, sizeof(b), "%s/%s.restore", ddir, e->d_name);
            if ((rc = copy_path(a, b, &info->bytes, err)))
                break;
            snprintf(a, sizeof(a), "%s/%s", ddir, e->d_name);
            if (rename(b, a) < 0) {
                rc = cscc_err_errno(err, CSCC_EIO, errno, "cannot put %s in place", a);
                unlink(b);
                break;
            }
            info->tables++;
        }
        closedir(d);
        if (rc)
            goto out;
    }
    /* Tables the backup does not have go. */
    if ((d = opendir(ddir))) {
        while ((e = readdir(d))) {
            struct stat sb;

            if (!ends_with(e->d_name, ".cst"))
                continue;
            snprintf(a, sizeof(a), "%s/%s", sdir, e->d_name);
            if (stat(a, &sb) == 0)
                continue;
            snprintf(b, sizeof(b), "%s/%s", ddir, e->d_name);
            unlink(b);
        }
        closedir(d);
    }
    fsync_dir(ddir);
    /* The database: one transaction over the live file (its WAL included). */
    snprintf(db, sizeof(db), "%s/cscc.db", data_dir);
    snprintf(a, sizeof(a), "%s/cscc.db", src);
    if (!(st = store_open(db, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = store_restore(st, a, err)))
        goto out;
    store_close(st);
    st = NULL;
    rc = copy_dir_files(src, data_dir, "rejects", &info->rejects, &info->bytes, err);
    {
        struct colstore_table *t;
        struct cscc_err e2;

        ingest_table_path(data_dir, "crimes", a, sizeof(a));
        cscc_err_clear(&e2);
        if ((t = colstore_open(a, &e2)))
            info->crimes_gen = colstore_generation(t);
        colstore_close(t);
    }
out:
    store_close(st);
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    ingest_dir_unlock(dirfd);
    return rc;
}
