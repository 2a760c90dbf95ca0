/**
 * backup.h - the data directory as a whole: copies taken while it is in
 * use, putting a copy back, and the lock that says a server is using it.
 *
 * A backup is a directory with the same layout as a data directory
 * (cscc.db, tables/NAME.cst, rejects/): it can be served or queried as it
 * is (cscc --data BACKUP ...). The database is copied with SQLite's online
 * backup API (a snapshot of one moment); table files, which are never
 * changed once renamed into place, are hard-linked (or copied when the
 * backup is on another file system, or when asked). The copy is
 * consistent: a table in the backup was written by an import the backed-up
 * database knows of, so recovery after a restore settles provenance just
 * as after a crash at that moment.
 */
#ifndef CSCC_INGEST_BACKUP_H
#define CSCC_INGEST_BACKUP_H

#include "core/err.h"

#include <stdint.h>

/** What a backup or restore did. */
struct ingest_backup_info {
    unsigned tables;     /* table files */
    unsigned linked;     /* of which hard-linked (not copied) */
    unsigned rejects;    /* rejects files */
    uint64_t bytes;      /* bytes copied (not counting links) */
    uint64_t crimes_gen; /* generation of the crimes table, 0 if none */
    unsigned attempts;   /* tries until the copy was consistent */
};

/**
 * Copies data_dir into dest (a new directory, or an empty one). copy: copy
 * table files even when a hard link would do. Safe while a server runs and
 * while an import runs. On error dest is removed again (when it made it).
 */
int ingest_backup(const char *data_dir, const char *dest, int copy, struct ingest_backup_info *info,
                  struct cscc_err *err);

/**
 * Puts the backup at src back into data_dir (created if missing): its
 * database replaces the database, its tables replace the tables (tables
 * that the backup lacks are removed), its rejects files are copied.
 * Refused with CSCC_EBUSY while a server uses data_dir or an import runs
 * into it; holds their locks meanwhile, so none starts. src is checked
 * first (a cscc database; every table file whole) and nothing is changed
 * when it is not a good backup.
 */
int ingest_restore(const char *src, const char *data_dir, struct ingest_backup_info *info,
                   struct cscc_err *err);

/**
 * Locks data_dir (the file cscc.lock in it): shared for a server (several
 * may serve one directory), exclusive for a restore. Never waits: returns
 * CSCC_EBUSY (negative) when the other kind is held, else the lock's file
 * descriptor (>= 0), to give to ingest_dir_unlock.
 */
int ingest_dir_lock(const char *data_dir, int exclusive, struct cscc_err *err);
void ingest_dir_unlock(int fd);

#endif
