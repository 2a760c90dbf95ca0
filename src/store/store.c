/* store.c - the public store functions: URL parsing, argument checks, and
 * dispatch through the backend's struct store_ops. */
#include "store/store_int.h"

#include "cscc_build.h"

#include <assert.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Opening                                                                   */
/* ------------------------------------------------------------------------ */

static int has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct store *open_pgsql(const char *url, struct cscc_err *err)
{
    (void)url;
#if HAVE_PGSQL
    /* libpq was found, but the backend (pg.c) is not written yet. When it
     * is, this branch becomes: return store__pg_open(url, err); */
    cscc_err_set(err, CSCC_EINVAL, "postgresql backend not built (not implemented yet)");
#else
    cscc_err_set(err, CSCC_EINVAL,
                 "postgresql backend not built (cscc was configured without libpq)");
#endif
    return NULL;
}

struct store *store_open(const char *url, struct cscc_err *err)
{
    const char *path;

    if (!url || !*url) {
        cscc_err_set(err, CSCC_EINVAL, "no store given (want sqlite:PATH or a file path)");
        return NULL;
    }
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return open_pgsql(url, err);
    if (has_prefix(url, "sqlite:")) {
        path = url + strlen("sqlite:");
    } else if (strstr(url, "://")) {
        cscc_err_set(err, CSCC_EINVAL,
                     "unknown store url '%s' (want sqlite:PATH, a file path or postgresql://...)",
                     url);
        return NULL;
    } else {
        path = url;
    }
    if (!*path) {
        cscc_err_set(err, CSCC_EINVAL, "no database path in store url '%s'", url);
        return NULL;
    }
    return store__sqlite_open(path, err);
}

void store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}

int store_schema_version(struct store *st)
{
    assert(st);
    return st->ops->schema_version(st);
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

int store_begin(struct store *st, struct cscc_err *err)
{
    assert(st);
    if (st->txn)
        return cscc_err_set(err, CSCC_EINVAL, "cannot begin a transaction: one is already open");
    return st->ops->begin(st, err);
}

int store_commit(struct store *st, struct cscc_err *err)
{
    assert(st);
    if (!st->txn)
        return cscc_err_set(err, CSCC_EINVAL, "cannot commit: no transaction is open");
    return st->ops->commit(st, err);
}

int store_rollback(struct store *st)
{
    assert(st);
    if (!st->txn)
        return 0;
    return st->ops->rollback(st);
}

/* ------------------------------------------------------------------------ */
/* Reference data                                                            */
/* ------------------------------------------------------------------------ */

static int check_array(const void *a, size_t n, const char *what, struct cscc_err *err)
{
    if (n && !a)
        return cscc_err_set(err, CSCC_EINVAL, "cannot store %s: %zu records but no array", what, n);
    return 0;
}

int store_put_areas(struct store *st, const struct store_area *a, size_t n, struct cscc_err *err)
{
    assert(st);
    if (check_array(a, n, "areas", err))
        return CSCC_EINVAL;
    return st->ops->put_areas(st, a, n, err);
}

int store_put_population(struct store *st, const struct store_population *p, size_t n,
                         struct cscc_err *err)
{
    assert(st);
    if (check_array(p, n, "population", err))
        return CSCC_EINVAL;
    return st->ops->put_population(st, p, n, err);
}

int store_put_priority(struct store *st, const char *list, const int *areas, size_t n,
                       struct cscc_err *err)
{
    assert(st);
    if (!list || !*list)
        return cscc_err_set(err, CSCC_EINVAL, "cannot store priority areas: no list name");
    if (check_array(areas, n, "priority areas", err))
        return CSCC_EINVAL;
    return st->ops->put_priority(st, list, areas, n, err);
}

int store_put_iucr(struct store *st, const struct store_iucr *c, size_t n, struct cscc_err *err)
{
    assert(st);
    if (check_array(c, n, "iucr codes", err))
        return CSCC_EINVAL;
    return st->ops->put_iucr(st, c, n, err);
}

int store_put_categories(struct store *st, const struct store_category *c, size_t n,
                         struct cscc_err *err)
{
    assert(st);
    if (check_array(c, n, "categories", err))
        return CSCC_EINVAL;
    return st->ops->put_categories(st, c, n, err);
}

int store_each_area(struct store *st, int with_geometry, store_area_fn fn, void *arg,
                    struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_area(st, with_geometry, fn, arg, err);
}

int store_each_population(struct store *st, const char *source, store_population_fn fn, void *arg,
                          struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_population(st, source, fn, arg, err);
}

int store_get_priority(struct store *st, const char *list, int *areas, size_t cap, size_t *n,
                       struct cscc_err *err)
{
    assert(st && n);
    *n = 0;
    if (!list || !*list)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read priority areas: no list name");
    if (cap && !areas)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read priority areas: no buffer");
    return st->ops->get_priority(st, list, areas, cap, n, err);
}

int store_each_iucr(struct store *st, store_iucr_fn fn, void *arg, struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_iucr(st, fn, arg, err);
}

int store_each_category(struct store *st, store_category_fn fn, void *arg, struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_category(st, fn, arg, err);
}

int store_get_category(struct store *st, const char *name, char *fbi_codes, size_t cap,
                       struct cscc_err *err)
{
    assert(st);
    if (!name || !*name)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read category: no name");
    if (!fbi_codes || !cap)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read category '%s': no buffer", name);
    fbi_codes[0] = '\0';
    return st->ops->get_category(st, name, fbi_codes, cap, err);
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */
/* ------------------------------------------------------------------------ */

int store_set_setting(struct store *st, const char *key, const char *value, struct cscc_err *err)
{
    assert(st);
    if (!key || !*key)
        return cscc_err_set(err, CSCC_EINVAL, "cannot store setting: no key");
    return st->ops->set_setting(st, key, value, err);
}

int store_get_setting(struct store *st, const char *key, char *buf, size_t cap,
                      struct cscc_err *err)
{
    assert(st);
    if (!key || !*key)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read setting: no key");
    if (!buf || !cap)
        return cscc_err_set(err, CSCC_EINVAL, "cannot read setting '%s': no buffer", key);
    buf[0] = '\0';
    return st->ops->get_setting(st, key, buf, cap, err);
}

int store_data_version(struct store *st, int64_t *version, struct cscc_err *err)
{
    assert(st && version);
    *version = 0;
    if (!st->ops->data_version)
        return cscc_err_set(err, CSCC_EINVAL, "this store cannot tell when its data changed");
    return st->ops->data_version(st, version, err);
}

/* ------------------------------------------------------------------------ */
/* Import provenance                                                         */
/* ------------------------------------------------------------------------ */

int store_import_begin(struct store *st, const char *dataset, const char *files_json, int64_t *id,
                       struct cscc_err *err)
{
    assert(st && id);
    *id = 0;
    if (!dataset || !*dataset)
        return cscc_err_set(err, CSCC_EINVAL, "cannot record import start: no dataset name");
    /* The running marker is what crash recovery looks for, so it must be on
     * disk before the import starts: a caller's transaction would delay it. */
    if (st->txn)
        return cscc_err_set(err, CSCC_EINVAL,
                            "cannot record import start inside a transaction (it must be "
                            "durable on return)");
    return st->ops->import_begin(st, dataset, files_json, id, err);
}

int store_import_finish(struct store *st, int64_t id, const struct store_import *imp,
                        struct cscc_err *err)
{
    assert(st && imp);
    if ((int)imp->status < STORE_IMPORT_RUNNING || (int)imp->status > STORE_IMPORT_INTERRUPTED)
        return cscc_err_set(err, CSCC_EINVAL, "cannot record end of import %lld: bad status %d",
                            (long long)id, (int)imp->status);
    return st->ops->import_finish(st, id, imp, err);
}

int store_each_import(struct store *st, const char *dataset, size_t limit, store_import_fn fn,
                      void *arg, struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_import(st, dataset, limit, fn, arg, err);
}

int store_get_import(struct store *st, int64_t id, store_import_fn fn, void *arg,
                     struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->get_import(st, id, fn, arg, err);
}

/* ------------------------------------------------------------------------ */
/* Users, credentials, login failures, audit                                 */
/* ------------------------------------------------------------------------ */

static int check_scope(const char *scope, struct cscc_err *err)
{
    if (!scope || (strcmp(scope, "account") && strcmp(scope, "address")))
        return cscc_err_set(err, CSCC_EINVAL, "login failure scope is 'account' or 'address'");
    return 0;
}

int store_user_add(struct store *st, const struct store_user *u, int64_t *id, struct cscc_err *err)
{
    int64_t dummy;

    assert(st && u);
    if (!u->name || !*u->name)
        return cscc_err_set(err, CSCC_EINVAL, "cannot add a user: no name");
    return st->ops->user_add(st, u, id ? id : &dummy, err);
}

int store_user_get(struct store *st, int64_t id, const char *name, store_user_fn fn, void *arg,
                   struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->user_get(st, id, name, fn, arg, err);
}

int store_each_user(struct store *st, store_user_fn fn, void *arg, struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_user(st, fn, arg, err);
}

int store_user_update(struct store *st, const struct store_user *u, struct cscc_err *err)
{
    assert(st && u);
    return st->ops->user_update(st, u, err);
}

int store_cred_add(struct store *st, const struct store_cred *c, int64_t *id, struct cscc_err *err)
{
    int64_t dummy;

    assert(st && c);
    if (!c->hash || (c->kind != STORE_CRED_SESSION && c->kind != STORE_CRED_TOKEN))
        return cscc_err_set(err, CSCC_EINVAL, "cannot store a credential: no hash or bad kind");
    return st->ops->cred_add(st, c, id ? id : &dummy, err);
}

int store_cred_get(struct store *st, const uint8_t *hash, store_cred_fn fn, void *arg,
                   struct cscc_err *err)
{
    assert(st && hash && fn);
    return st->ops->cred_get(st, hash, fn, arg, err);
}

int store_cred_touch(struct store *st, int64_t id, int64_t now, struct cscc_err *err)
{
    assert(st);
    return st->ops->cred_touch(st, id, now, err);
}

int store_cred_revoke(struct store *st, int64_t id, int64_t now, struct cscc_err *err)
{
    assert(st);
    return st->ops->cred_revoke(st, id, now, err);
}

int store_cred_revoke_user(struct store *st, int64_t user_id, int kind, int64_t now, size_t *n,
                           struct cscc_err *err)
{
    size_t dummy;

    assert(st);
    return st->ops->cred_revoke_user(st, user_id, kind, now, n ? n : &dummy, err);
}

int store_each_cred(struct store *st, int64_t user_id, int kind, store_cred_fn fn, void *arg,
                    struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_cred(st, user_id, kind, fn, arg, err);
}

int store_cred_purge(struct store *st, int64_t before, size_t *n, struct cscc_err *err)
{
    size_t dummy;

    assert(st);
    return st->ops->cred_purge(st, before, n ? n : &dummy, err);
}

int store_failure_add(struct store *st, const char *scope, const char *key, int64_t at,
                      struct cscc_err *err)
{
    assert(st);
    if (check_scope(scope, err))
        return CSCC_EINVAL;
    return st->ops->failure_add(st, scope, key ? key : "", at, err);
}

int store_failure_count(struct store *st, const char *scope, const char *key, int64_t since,
                        int64_t *n, struct cscc_err *err)
{
    assert(st && n);
    *n = 0;
    if (check_scope(scope, err))
        return CSCC_EINVAL;
    return st->ops->failure_count(st, scope, key ? key : "", since, n, err);
}

int store_failure_clear(struct store *st, const char *scope, const char *key, int64_t before,
                        struct cscc_err *err)
{
    assert(st);
    if (check_scope(scope, err))
        return CSCC_EINVAL;
    return st->ops->failure_clear(st, scope, key, before, err);
}

int store_audit_append(struct store *st, const struct store_audit *a, int64_t *id,
                       struct cscc_err *err)
{
    int64_t dummy;

    assert(st && a);
    if (!a->action || !*a->action)
        return cscc_err_set(err, CSCC_EINVAL, "cannot append to the audit log: no action");
    return st->ops->audit_append(st, a, id ? id : &dummy, err);
}

int store_each_audit(struct store *st, int64_t since, const char *actor, size_t limit,
                     store_audit_fn fn, void *arg, struct cscc_err *err)
{
    assert(st && fn);
    return st->ops->each_audit(st, since, actor, limit, fn, arg, err);
}

/* Backup and restore                                                        */
/* ------------------------------------------------------------------------ */

int store_backup(struct store *st, const char *path, struct cscc_err *err)
{
    assert(st && path);
    if (st->txn)
        return cscc_err_set(err, CSCC_EINVAL, "cannot back up inside a transaction");
    return st->ops->backup(st, path, err);
}

int store_restore(struct store *st, const char *path, struct cscc_err *err)
{
    assert(st && path);
    if (st->txn)
        return cscc_err_set(err, CSCC_EINVAL, "cannot restore inside a transaction");
    return st->ops->restore(st, path, err);
}

const char *store_import_status_name(enum store_import_status s)
{
    switch (s) {
    case STORE_IMPORT_RUNNING: return "running";
    case STORE_IMPORT_OK: return "ok";
    case STORE_IMPORT_FAILED: return "failed";
    case STORE_IMPORT_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}

/* ------------------------------------------------------------------------ */
/* Generic queries                                                           */
/* ------------------------------------------------------------------------ */

int store_exec(struct store *st, const char *what, const char *sql, const struct store_val *args,
               size_t nargs, store_row_fn fn, void *arg, struct cscc_err *err)
{
    assert(st);
    if (!what || !*what)
        what = "run a query";
    if (!sql || !*sql)
        return cscc_err_set(err, CSCC_EINVAL, "cannot %s: no statement", what);
    if (nargs && !args)
        return cscc_err_set(err, CSCC_EINVAL, "cannot %s: %zu values but no array", what, nargs);
    return st->ops->exec(st, what, sql, args, nargs, fn, arg, err);
}

int64_t store_changes(struct store *st)
{
    assert(st);
    return st->ops->changes(st);
}

int64_t store_last_insert_id(struct store *st)
{
    assert(st);
    return st->ops->last_insert_id(st);
}

int store_in_transaction(const struct store *st)
{
    assert(st);
    return st->txn;
}

int store_set_max_pages(struct store *st, uint64_t max_pages, struct cscc_err *err)
{
    assert(st);
    return st->ops->set_max_pages(st, max_pages, err);
}

int64_t store_row_int(const struct store_row *row, size_t i)
{
    if (!row || i >= row->ncols)
        return 0;
    switch (row->col[i].type) {
    case STORE_V_INT: return row->col[i].i;
    case STORE_V_REAL: return (int64_t)row->col[i].r;
    default: return 0;
    }
}

double store_row_real(const struct store_row *row, size_t i)
{
    if (!row || i >= row->ncols)
        return NAN;
    switch (row->col[i].type) {
    case STORE_V_INT: return (double)row->col[i].i;
    case STORE_V_REAL: return row->col[i].r;
    default: return 0;
    }
}

const char *store_row_text(const struct store_row *row, size_t i)
{
    if (!row || i >= row->ncols || row->col[i].type != STORE_V_TEXT || !row->col[i].s)
        return "";
    return row->col[i].s;
}

int store_row_is_null(const struct store_row *row, size_t i)
{
    return !row || i >= row->ncols || row->col[i].type == STORE_V_NULL;
}
