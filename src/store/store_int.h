/**
 * store_int.h - internals shared by the files of src/store: the backend
 * function table and the common header of every backend's handle.
 *
 * Like SQLite's VFS, a backend is a table of function pointers, one per
 * operation of store.h. store.c checks arguments and transaction state, then
 * dispatches through st->ops; a backend may therefore assume that pointers it
 * is given are valid, that put arrays hold n records, that begin is not called
 * inside a transaction and commit only inside one. Each backend's own struct
 * embeds struct store as its first member, so a struct store * can be cast to
 * it. No other module includes this header (unit tests may, to test the
 * store itself or to fake a backend).
 */
#ifndef CSCC_STORE_STORE_INT_H
#define CSCC_STORE_STORE_INT_H

#include "store/store.h"

/** One backend's implementation of the operations of store.h. */
struct store_ops {
    const char *name; /* "sqlite", "postgresql": for messages */

    /** Frees everything the handle holds; an open transaction is rolled back. */
    void (*close)(struct store *st);
    int (*schema_version)(struct store *st);

    /** begin sets st->txn; commit and rollback clear it, also when they fail. */
    int (*begin)(struct store *st, struct cscc_err *err);
    int (*commit)(struct store *st, struct cscc_err *err);
    int (*rollback)(struct store *st);

    int (*put_areas)(struct store *st, const struct store_area *a, size_t n, struct cscc_err *err);
    int (*put_population)(struct store *st, const struct store_population *p, size_t n,
                          struct cscc_err *err);
    int (*put_priority)(struct store *st, const char *list, const int *areas, size_t n,
                        struct cscc_err *err);
    int (*put_iucr)(struct store *st, const struct store_iucr *c, size_t n, struct cscc_err *err);
    int (*put_categories)(struct store *st, const struct store_category *c, size_t n,
                          struct cscc_err *err);

    int (*each_area)(struct store *st, int with_geometry, store_area_fn fn, void *arg,
                     struct cscc_err *err);
    int (*each_population)(struct store *st, const char *source, store_population_fn fn, void *arg,
                           struct cscc_err *err);
    int (*get_priority)(struct store *st, const char *list, int *areas, size_t cap, size_t *n,
                        struct cscc_err *err);
    int (*each_iucr)(struct store *st, store_iucr_fn fn, void *arg, struct cscc_err *err);
    int (*each_category)(struct store *st, store_category_fn fn, void *arg, struct cscc_err *err);
    int (*get_category)(struct store *st, const char *name, char *fbi_codes, size_t cap,
                        struct cscc_err *err);

    /** value NULL deletes the key. */
    int (*set_setting)(struct store *st, const char *key, const char *value, struct cscc_err *err);
    int (*get_setting)(struct store *st, const char *key, char *buf, size_t cap,
                       struct cscc_err *err);
    /** NULL when the backend cannot tell (store.c answers CSCC_EINVAL). */
    int (*data_version)(struct store *st, int64_t *version, struct cscc_err *err);

    /** Never called inside a transaction (it must be durable on return). */
    int (*import_begin)(struct store *st, const char *dataset, const char *files_json, int64_t *id,
                        struct cscc_err *err);
    int (*import_finish)(struct store *st, int64_t id, const struct store_import *imp,
                         struct cscc_err *err);
    int (*each_import)(struct store *st, const char *dataset, size_t limit, store_import_fn fn,
                       void *arg, struct cscc_err *err);
    int (*get_import)(struct store *st, int64_t id, store_import_fn fn, void *arg,
                      struct cscc_err *err);

    int (*user_add)(struct store *st, const struct store_user *u, int64_t *id,
                    struct cscc_err *err);
    int (*user_get)(struct store *st, int64_t id, const char *name, store_user_fn fn, void *arg,
                    struct cscc_err *err);
    int (*each_user)(struct store *st, store_user_fn fn, void *arg, struct cscc_err *err);
    int (*user_update)(struct store *st, const struct store_user *u, struct cscc_err *err);
    int (*cred_add)(struct store *st, const struct store_cred *c, int64_t *id,
                    struct cscc_err *err);
    int (*cred_get)(struct store *st, const uint8_t *hash, store_cred_fn fn, void *arg,
                    struct cscc_err *err);
    int (*cred_touch)(struct store *st, int64_t id, int64_t now, struct cscc_err *err);
    int (*cred_revoke)(struct store *st, int64_t id, int64_t now, struct cscc_err *err);
    int (*cred_revoke_user)(struct store *st, int64_t user_id, int kind, int64_t now, size_t *n,
                            struct cscc_err *err);
    int (*each_cred)(struct store *st, int64_t user_id, int kind, store_cred_fn fn, void *arg,
                     struct cscc_err *err);
    int (*cred_purge)(struct store *st, int64_t before, size_t *n, struct cscc_err *err);
    int (*failure_add)(struct store *st, const char *scope, const char *key, int64_t at,
                       struct cscc_err *err);
    int (*failure_count)(struct store *st, const char *scope, const char *key, int64_t since,
                         int64_t *n, struct cscc_err *err);
    int (*failure_clear)(struct store *st, const char *scope, const char *key, int64_t before,
                         struct cscc_err *err);
    /** The backend must offer no way to change or delete a record. */
    int (*audit_append)(struct store *st, const struct store_audit *a, int64_t *id,
                        struct cscc_err *err);
    int (*each_audit)(struct store *st, int64_t since, const char *actor, size_t limit,
                      store_audit_fn fn, void *arg, struct cscc_err *err);
    /** Never called inside a transaction. */
    int (*backup)(struct store *st, const char *path, struct cscc_err *err);
    int (*restore)(struct store *st, const char *path, struct cscc_err *err);
    /** Generic queries (store.h): args holds nargs values; fn may be NULL. */
    int (*exec)(struct store *st, const char *what, const char *sql, const struct store_val *args,
                size_t nargs, store_row_fn fn, void *arg, struct cscc_err *err);
    int64_t (*changes)(struct store *st);
    int64_t (*last_insert_id)(struct store *st);
    int (*set_max_pages)(struct store *st, uint64_t max_pages, struct cscc_err *err);
};

/** The common header of every backend's handle (its first member). */
struct store {
    const struct store_ops *ops;
    int txn; /* 1 while a transaction opened by store_begin is open; kept by the backend */
};

/** Opens the SQLite database at path (sqlite.c). NULL on error, with err filled. */
struct store *store__sqlite_open(const char *path, struct cscc_err *err);

/**
 * Test hook: store__sqlite_open with another list of migration scripts
 * (scripts[i] takes the schema from version i to i + 1). Lets unit tests
 * check the migration machinery without a second real migration.
 */
struct store *store__sqlite_open_with(const char *path, const char *const *scripts, size_t n,
                                      struct cscc_err *err);

#endif
