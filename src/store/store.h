/**
 * store.h - transactional storage of cscc behind one interface.
 *
 * The store keeps what must never be lost and is small next to the incident
 * data: reference data (community areas, populations, priority areas, the IUCR
 * code table, crime categories) and import provenance; later issues add
 * partners, needs, work orders, users and the audit log. SQLite is the
 * default backend (WAL, synchronous=FULL: a commit that returned is on disk);
 * a PostgreSQL backend implements the same struct store_ops.
 *
 * A struct store is used by one thread at a time (open one per thread).
 * Functions return 0 or a negative CSCC_E* code and fill err; on error a
 * write leaves the stored data as it was (each call is one transaction unless
 * the caller holds one with store_begin).
 */
#ifndef CSCC_STORE_STORE_H
#define CSCC_STORE_STORE_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;

/** One community area (or the area unit of another city). */
struct store_area {
    int number;           /* 1..N */
    const char *name;     /* "Rogers Park" */
    const char *side;     /* "Far North Side", may be "" */
    const char *geometry; /* GeoJSON geometry object as text (WGS84), may be NULL */
};

/** A population figure for one area from one source. */
struct store_population {
    int area;
    const char *source; /* "census2000", "census2010", "acs2015_2019" */
    int year;           /* the year the figure describes (2000, 2010, 2019) */
    int64_t population;
};

/** One IUCR code of the City's table. */
struct store_iucr {
    const char *iucr; /* 4 characters, left-padded: "0110", "031A" */
    const char *primary_type;
    const char *description;
    const char *index_code; /* "I" index crime, "N" non-index */
    const char *fbi_code;   /* "01A", may be "" when unknown */
};

/** A named crime category: a set of FBI codes (violent, homicide, ...). */
struct store_category {
    const char *name;      /* "violent" */
    const char *label;     /* "Violent crime" */
    const char *fbi_codes; /* space-separated: "01A 02 03 04A 04B" */
    const char *description;
};

/** Outcome of an import, as recorded in provenance. */
enum store_import_status {
    STORE_IMPORT_RUNNING = 0,
    STORE_IMPORT_OK = 1,
    STORE_IMPORT_FAILED = 2,
    STORE_IMPORT_INTERRUPTED = 3, /* found running after a crash and not committed */
};

/** One import, as recorded in provenance. Strings are owned by the store
 * and valid during the callback when given by store_each_import or
 * store_get_import. */
struct store_import {
    int64_t id;
    const char *dataset; /* "crimes", "victims", "layer:NAME" */
    const char *files;   /* JSON array: [{"path":..., "size":..., "sha256":...}] */
    int64_t started_at;  /* Unix seconds, UTC */
    int64_t finished_at; /* 0 while running */
    enum store_import_status status;
    int64_t rows_read, rows_new, rows_updated, rows_unchanged, rows_rejected;
    const char *rejects_by_reason; /* JSON object {"reason": count}, "" when none */
    const char *rejects_file;      /* path of the rejects CSV, "" when none */
    const char *message;           /* error message when failed, else "" */
    int64_t generation;            /* colstore generation the import produced, 0 if none */
};

/** "running", "ok", "failed", "interrupted"; "unknown" for other values. */
const char *store_import_status_name(enum store_import_status s);

struct store_ops;

/**
 * Opens (creating if needed) the store named by url: "sqlite:PATH" or a bare
 * path for SQLite; "postgresql://..." when built with PostgreSQL. Applies any
 * pending migrations. A new SQLite file is created with mode 0600; the file
 * system must support WAL (shared memory), so ":memory:" is refused, and so
 * is a database whose schema is newer than this program. NULL on error, with
 * err filled.
 */
struct store *store_open(const char *url, struct cscc_err *err);
/** Closes the store; accepts NULL. */
void store_close(struct store *st);

/** The schema version after migrations (the highest migration applied). */
int store_schema_version(struct store *st);

/**
 * Explicit transactions for multi-call changes. Not nestable (store_begin in
 * a transaction is CSCC_EINVAL). Inside one, a write that fails undoes only
 * itself; an error after which the backend dropped the whole transaction
 * (disk full, I/O error) makes later writes and store_commit fail. A
 * store_commit that fails has rolled everything back; store_rollback without
 * an open transaction does nothing.
 */
int store_begin(struct store *st, struct cscc_err *err);
int store_commit(struct store *st, struct cscc_err *err);
int store_rollback(struct store *st);

/* ---- reference data: each put replaces the whole set, in one transaction.
 * A record that breaks a rule (duplicate key, empty name, IUCR code not 4
 * characters, ...) fails the whole put with CSCC_EDATA, naming the record.
 * Population and priority lists may only name stored areas (checked at
 * commit: put the areas first). ---- */
int store_put_areas(struct store *st, const struct store_area *a, size_t n, struct cscc_err *err);
int store_put_population(struct store *st, const struct store_population *p, size_t n,
                         struct cscc_err *err);
/** Replaces the priority list named list (e.g. "ocos") with these area numbers. */
int store_put_priority(struct store *st, const char *list, const int *areas, size_t n,
                       struct cscc_err *err);
int store_put_iucr(struct store *st, const struct store_iucr *c, size_t n, struct cscc_err *err);
int store_put_categories(struct store *st, const struct store_category *c, size_t n,
                         struct cscc_err *err);

/* ---- reference data: reads. Callbacks return 0 to go on, nonzero to stop
 * (that value is then returned). Strings are valid during the callback. A
 * callback may call other functions on the same store. ---- */
typedef int (*store_area_fn)(void *arg, const struct store_area *a);
typedef int (*store_population_fn)(void *arg, const struct store_population *p);
typedef int (*store_iucr_fn)(void *arg, const struct store_iucr *c);
typedef int (*store_category_fn)(void *arg, const struct store_category *c);
typedef int (*store_import_fn)(void *arg, const struct store_import *imp);

int store_each_area(struct store *st, int with_geometry, store_area_fn fn, void *arg,
                    struct cscc_err *err);
/** Populations of source (NULL = every source). */
int store_each_population(struct store *st, const char *source, store_population_fn fn, void *arg,
                          struct cscc_err *err);
/**
 * Fills areas (capacity cap) with the list's area numbers in their stored
 * order; *n gets the count. A list never stored has no areas (*n = 0). When
 * the list has more than cap areas, the first cap are filled, *n gets the
 * full count and CSCC_ELIMIT is returned.
 */
int store_get_priority(struct store *st, const char *list, int *areas, size_t cap, size_t *n,
                       struct cscc_err *err);
int store_each_iucr(struct store *st, store_iucr_fn fn, void *arg, struct cscc_err *err);
int store_each_category(struct store *st, store_category_fn fn, void *arg, struct cscc_err *err);
/** The FBI codes of the category named name, or CSCC_ENOENT. Copied into
 * fbi_codes; CSCC_ELIMIT (and "") when they do not fit in cap bytes. */
int store_get_category(struct store *st, const char *name, char *fbi_codes, size_t cap,
                       struct cscc_err *err);

/* ---- settings: small key/value facts (data time zone, city name, ...) ---- */
/** Sets key to value; value NULL removes the key. */
int store_set_setting(struct store *st, const char *key, const char *value, struct cscc_err *err);
/** Copies the value into buf; CSCC_ENOENT when the key is not set, CSCC_ELIMIT
 * (and "") when it does not fit in cap bytes. */
int store_get_setting(struct store *st, const char *key, char *buf, size_t cap,
                      struct cscc_err *err);

/**
 * A number that changes whenever another connection (of this process or any
 * other) has committed a change to the database since this connection last
 * asked: SQLite's PRAGMA data_version. A connection that never writes can
 * tell "nothing changed" from it, to keep answers built from the store (the
 * server's weekly brief). CSCC_EINVAL when the backend cannot tell.
 */
int store_data_version(struct store *st, int64_t *version, struct cscc_err *err);

/* ---- import provenance ---- */
/**
 * Records the start of an import (status RUNNING, started_at now); *id gets
 * its id (ids are never reused). Durable on return, so it is refused
 * (CSCC_EINVAL) inside a store_begin transaction. files_json NULL means "[]";
 * text that is not JSON is CSCC_EDATA.
 */
int store_import_begin(struct store *st, const char *dataset, const char *files_json, int64_t *id,
                       struct cscc_err *err);
/**
 * Records the end of an import: every field of imp except id, dataset and
 * started_at. files (JSON) replaces the list given at the start unless it is
 * NULL: sizes and checksums are known only once the files are read.
 * finished_at 0 means now (unless status is RUNNING). Other NULL strings are
 * stored as "". CSCC_ENOENT when there is no import id.
 */
int store_import_finish(struct store *st, int64_t id, const struct store_import *imp,
                        struct cscc_err *err);
/** Newest first; at most limit rows (0 = all); dataset NULL = every dataset. */
int store_each_import(struct store *st, const char *dataset, size_t limit, store_import_fn fn,
                      void *arg, struct cscc_err *err);
/** One import by id, or CSCC_ENOENT. */
int store_get_import(struct store *st, int64_t id, store_import_fn fn, void *arg,
                     struct cscc_err *err);

/* ---- users, sessions and API tokens, login failures, audit log (used by
 * src/access, which holds the rules: roles, password hashing, timeouts,
 * throttling). Times are Unix seconds (UTC). ---- */

/** An account. Strings are owned by the store and valid during the callback. */
struct store_user {
    int64_t id;
    const char *name;          /* login name: unique regardless of case, 1-64 bytes */
    const char *role;          /* "partner", "department", "coordinator", "analyst", "admin" */
    int64_t org_id;            /* partner: the community organization's id (> 0); else 0 */
    const char *department;    /* department: the City department; else "" */
    const char *password_hash; /* an argon2id string; "" for an account without a password */
    int disabled;              /* 1: may not log in, and its credentials are refused */
    int64_t created_at, updated_at;
};

enum store_cred_kind { STORE_CRED_SESSION = 1, STORE_CRED_TOKEN = 2 };

/** A session or an API token: only a hash of the secret is kept. */
struct store_cred {
    int64_t id;
    int kind; /* enum store_cred_kind */
    int64_t user_id;
    const uint8_t *hash; /* STORE_CRED_HASH_LEN bytes */
    const char *label;   /* API token: its name; session: "" */
    const char *prefix;  /* the secret's first characters, to recognise it in lists */
    const char *address; /* client address it was created from */
    int64_t created_at, last_used_at;
    int64_t expires_at; /* 0: never (tokens); sessions always have one */
    int64_t revoked_at; /* 0: not revoked */
};
#define STORE_CRED_HASH_LEN 32

/** One record of the audit log (append-only: there is no way to change one). */
struct store_audit {
    int64_t id;
    int64_t at;
    const char *actor;   /* user name, "anonymous", or "cli:LOGIN" */
    int64_t actor_id;    /* the user's id, 0 when none */
    const char *address; /* client address, "local" for the command line */
    const char *action;  /* "login", "login.failed", "user.add", "import", ... */
    const char *object;  /* what it was done to: "user:alice", "table:crimes", ... */
    const char *outcome; /* "ok", "denied", "failed" */
    const char *detail;  /* free text for people; never a password or a token */
};

typedef int (*store_user_fn)(void *arg, const struct store_user *u);
typedef int (*store_cred_fn)(void *arg, const struct store_cred *c);
typedef int (*store_audit_fn)(void *arg, const struct store_audit *a);

/** Adds an account (id, created_at and updated_at of u are ignored: now);
 * *id gets its id. CSCC_EEXIST when the name is taken (in any case),
 * CSCC_EDATA when a field breaks a rule (role unknown, partner without an
 * organization, department without a department, ...). */
int store_user_add(struct store *st, const struct store_user *u, int64_t *id, struct cscc_err *err);
/** Calls fn with the account of id (name NULL) or of name (any case);
 * CSCC_ENOENT when there is none. */
int store_user_get(struct store *st, int64_t id, const char *name, store_user_fn fn, void *arg,
                   struct cscc_err *err);
/** Every account, by name. */
int store_each_user(struct store *st, store_user_fn fn, void *arg, struct cscc_err *err);
/** Replaces role, org_id, department, password_hash and disabled of account
 * u->id (updated_at: now). CSCC_ENOENT, CSCC_EDATA as store_user_add. */
int store_user_update(struct store *st, const struct store_user *u, struct cscc_err *err);

/** Adds a credential (c->id ignored); *id gets its id. CSCC_EEXIST when the
 * hash is already stored. */
int store_cred_add(struct store *st, const struct store_cred *c, int64_t *id, struct cscc_err *err);
/** Calls fn with the credential whose hash is hash (STORE_CRED_HASH_LEN
 * bytes), revoked or not; CSCC_ENOENT when there is none. */
int store_cred_get(struct store *st, const uint8_t *hash, store_cred_fn fn, void *arg,
                   struct cscc_err *err);
/** Sets last_used_at of credential id (CSCC_ENOENT when none). */
int store_cred_touch(struct store *st, int64_t id, int64_t now, struct cscc_err *err);
/** Revokes credential id at now (kept for lists until purged); CSCC_ENOENT
 * when there is none or it was revoked already. */
int store_cred_revoke(struct store *st, int64_t id, int64_t now, struct cscc_err *err);
/** Revokes every live credential of user_id of kind (0: both); *n (may be
 * NULL) gets how many. */
int store_cred_revoke_user(struct store *st, int64_t user_id, int kind, int64_t now, size_t *n,
                           struct cscc_err *err);
/** Credentials of user_id (0: everyone's) of kind (0: both), newest first. */
int store_each_cred(struct store *st, int64_t user_id, int kind, store_cred_fn fn, void *arg,
                    struct cscc_err *err);
/** Deletes sessions that expired or were revoked before `before`, and
 * tokens revoked before it; *n (may be NULL) gets how many. */
int store_cred_purge(struct store *st, int64_t before, size_t *n, struct cscc_err *err);

/** Records a failed login against key in scope ("account" or "address"). */
int store_failure_add(struct store *st, const char *scope, const char *key, int64_t at,
                      struct cscc_err *err);
/** *n gets the failures of key in scope at or after since. */
int store_failure_count(struct store *st, const char *scope, const char *key, int64_t since,
                        int64_t *n, struct cscc_err *err);
/** Forgets the failures of key in scope (key NULL: of every key), or those
 * before `before` when it is not 0. */
int store_failure_clear(struct store *st, const char *scope, const char *key, int64_t before,
                        struct cscc_err *err);

/** Appends a record to the audit log (a->id ignored; a->at 0 means now);
 * *id (may be NULL) gets its id. NULL strings are stored as "". */
int store_audit_append(struct store *st, const struct store_audit *a, int64_t *id,
                       struct cscc_err *err);
/** Audit records at or after since (0: all) of actor (NULL: everyone),
 * oldest first, at most limit (0: all). */
int store_each_audit(struct store *st, int64_t since, const char *actor, size_t limit,
                     store_audit_fn fn, void *arg, struct cscc_err *err);

/* ---- backup and restore ---- */
/**
 * Writes a consistent copy of the whole database to path (a new file,
 * mode 0600, replacing one there; made durable and put in place by
 * rename): a snapshot of one moment, taken while other connections and
 * processes go on reading and writing (SQLite's online backup API).
 * On error nothing is left at path but what was there before.
 */
int store_backup(struct store *st, const char *path, struct cscc_err *err);
/**
 * Replaces the whole database with the copy at path (a file store_backup
 * wrote), in one transaction, then applies pending migrations. A file that
 * is not a cscc database, or is newer than this program, is refused
 * (CSCC_EDATA) and the database is left as it was.
 */
int store_restore(struct store *st, const char *path, struct cscc_err *err);

/* ---- generic queries: for modules with many small entities (coordination:
 * partners, needs, work orders, ...) that would otherwise need dozens of
 * typed operations. SQL is written once for every backend:
 *  - placeholders are '?' only (numbered forms like ?1 or $1 are not
 *    portable); the PostgreSQL backend rewrites them to $1, $2, ... and
 *    sends each bind's type (int8, float8, text) so that "? IS NULL" works;
 *  - use only what SQLite (3.35+) and PostgreSQL both accept: standard types
 *    in DML, COALESCE (not IFNULL), CASE, || for text, LIMIT ? OFFSET ?,
 *    INSERT ... RETURNING, ON CONFLICT (...) DO UPDATE/NOTHING, SAVEPOINT,
 *    RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT; no SQLite-only functions
 *    (json_*, ifnull, printf) and no PostgreSQL casts (::);
 *  - booleans are INTEGER 0/1, times INTEGER Unix seconds, money none.
 * Schema changes go in the backend's migrations, not through store_exec. ---- */

/** The type of a bound value or of a result column. */
enum store_vtype {
    STORE_V_NULL = 0,
    STORE_V_INT = 1,  /* 64-bit integer */
    STORE_V_REAL = 2, /* double */
    STORE_V_TEXT = 3, /* NUL-terminated UTF-8 */
};

/** A value bound to a '?' or read from a result column. */
struct store_val {
    enum store_vtype type;
    int64_t i;
    double r;
    const char *s; /* TEXT; bound text is copied by the backend only as needed */
};

/** Bound values, for argument lists: STORE_INT(42), STORE_TEXT(name) (NULL binds NULL). */
#define STORE_NULL_V  ((struct store_val){STORE_V_NULL, 0, 0, NULL})
#define STORE_INT(v)  ((struct store_val){STORE_V_INT, (int64_t)(v), 0, NULL})
#define STORE_REAL(v) ((struct store_val){STORE_V_REAL, 0, (double)(v), NULL})
#define STORE_TEXT(v) store_val_text(v)
/** An integer, or NULL when present is 0 (optional foreign keys, times not reached). */
#define STORE_OPT_INT(present, v) ((present) ? STORE_INT(v) : STORE_NULL_V)

static inline struct store_val store_val_text(const char *s)
{
    struct store_val v = {s ? STORE_V_TEXT : STORE_V_NULL, 0, 0, s};

    return v;
}

/** One result row: ncols values, valid only during the callback. */
struct store_row {
    size_t ncols;
    const struct store_val *col;
};

/** Column i as an integer (0 for NULL or out of range; a REAL is truncated). */
int64_t store_row_int(const struct store_row *row, size_t i);
/** Column i as a double (0 for NULL; NaN when out of range). */
double store_row_real(const struct store_row *row, size_t i);
/** Column i as text ("" for NULL or out of range; a number is not converted: ""). */
const char *store_row_text(const struct store_row *row, size_t i);
/** 1 when column i is NULL (or out of range). */
int store_row_is_null(const struct store_row *row, size_t i);

/** Called for each result row; return 0 to go on, nonzero to stop (returned by store_exec). */
typedef int (*store_row_fn)(void *arg, const struct store_row *row);

/** Most columns a result row may have. */
#define STORE_MAX_COLS 64

/**
 * Runs one SQL statement with nargs bound values, calling fn (may be NULL)
 * for each result row. what says what the statement does, for messages:
 * "store need" gives "cannot store need: database or disk is full".
 * Outside a store_begin transaction the statement commits by itself (durable
 * on return); inside one, a failing statement undoes only itself, unless the
 * backend had to drop the whole transaction (disk full, I/O error): then this
 * and every later statement fail until store_rollback. Statements are
 * prepared once and cached by their text (keep the text constant). Errors:
 * CSCC_EEXIST (a unique key is taken), CSCC_EDATA (another constraint, a
 * foreign key), CSCC_EIO (disk full, I/O), CSCC_EPERM (read-only), CSCC_EBUSY
 * (locked too long), CSCC_ELIMIT (more than STORE_MAX_COLS columns),
 * CSCC_ESTORE (bad SQL: a bug), or fn's nonzero value. fn may call store_exec
 * on the same store.
 */
int store_exec(struct store *st, const char *what, const char *sql, const struct store_val *args,
               size_t nargs, store_row_fn fn, void *arg, struct cscc_err *err);

/** Rows changed by the last INSERT, UPDATE or DELETE of store_exec. */
int64_t store_changes(struct store *st);
/** The id the last INSERT of store_exec gave its row (prefer INSERT ... RETURNING id). */
int64_t store_last_insert_id(struct store *st);
/** 1 while a transaction opened by store_begin is open. */
int store_in_transaction(const struct store *st);

/**
 * Caps the database at max_pages pages of the backend (SQLite: PRAGMA
 * max_page_count; 0 = no cap beyond the backend's own). A write past the cap
 * fails with CSCC_EIO as a full disk would, and stores nothing. For quotas,
 * and to test a full disk without filling one. $CSCC_STORE_MAX_PAGES sets it
 * at open.
 */
int store_set_max_pages(struct store *st, uint64_t max_pages, struct cscc_err *err);

#endif
