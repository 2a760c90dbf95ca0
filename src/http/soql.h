/**
 * soql.h - the Socrata (SODA 2) query subset over the column store: what
 * `/resource/{xxxx-xxxx}.json|.csv|.geojson?<params>` answers, without the
 * socket. The server (and `cscc soql`) calls it; nothing here does HTTP.
 *
 * Datasets are published under Socrata-style ids ("four by four"):
 *   ijzp-q8t2  crimes  "Crimes - 2001 to present", the City's own id and
 *              public column names and types; rows are public.
 *   gumc-mgzr  victims "Violence Reduction - Victims of Homicides and
 *              Non-Fatal Shootings", the City's id. Never public row by row:
 *              SOQL_AGGREGATE callers get counts only (see enum soql_access).
 *   layers     a point layer NAME gets a stable id derived from its name
 *              (soql_layer_id), or the id its publisher gave; it is visible
 *              to SOQL_PUBLIC callers only once published (soql_publish_layer).
 *
 * Use: soql_catalog_open() once per data directory (or after an import),
 * soql_catalog_find() the dataset, open its table (soql_table_path()), then
 * soql_prepare() the request's parameters, send soql_fields_header() and
 * soql_types_header() as X-SODA2-Fields / X-SODA2-Types, and soql_run() the
 * query into the response body. Every failure fills a struct soql_error with
 * the HTTP status and Socrata's error code; soql_error_json() writes the body.
 *
 * Thread safety: a catalog and a table are read-only once open and may be
 * shared; a struct soql_query belongs to one thread.
 */
#ifndef CSCC_HTTP_SOQL_H
#define CSCC_HTTP_SOQL_H

#include "core/err.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct colstore_table;

/** Output formats: the extension of the resource path. */
enum soql_format {
    SOQL_JSON = 0,
    SOQL_CSV = 1,
    SOQL_GEOJSON = 2,
};

/**
 * Who is asking. The access module maps roles to these:
 *   SOQL_PUBLIC     anyone: public datasets and columns only; a published
 *                   layer's coordinates rounded to 3 decimals (about 100 m).
 *   SOQL_AGGREGATE  may also query the victims dataset, but only as counts
 *                   (count(*), count(col)) grouped by coarse columns; the
 *                   caller must apply small-cell suppression (counts 1-9, and
 *                   complementary cells) before the result leaves the server.
 *   SOQL_STAFF      every dataset, column and row (victims' records included).
 */
enum soql_access {
    SOQL_PUBLIC = 0,
    SOQL_AGGREGATE = 1,
    SOQL_STAFF = 2,
};

enum soql_kind {
    SOQL_DS_CRIMES = 1,
    SOQL_DS_VICTIMS = 2,
    SOQL_DS_LAYER = 3,
};

/** A published dataset. */
struct soql_dataset {
    char id[16];     /* "ijzp-q8t2" */
    char table[72];  /* the table file's name: "crimes", "victims", "layer_NAME" */
    char title[128]; /* "Crimes - 2001 to present" */
    enum soql_kind kind;
    enum soql_access min_access;      /* to query it at all */
    enum soql_access min_rows_access; /* to see rows rather than counts */
};

/** An error for the HTTP response: status, Socrata's code, and a message
 * naming the parameter, the position in it and what was expected. */
struct soql_error {
    int status;        /* 400, 403, 404, 500, 507 */
    char code[64];     /* "query.compiler.malformed", "query.soql.no-such-column", ... */
    char message[512]; /* for people: "$where: ... at position 12: expected ..." */
    char param[64];    /* "$where", a column filter's name, or "" */
    size_t position;   /* 1-based character in that parameter's value, 0 if none */
};

/** Writes {"code":...,"error":true,"message":...,"data":{...}}: Socrata's shape. */
int soql_error_json(const struct soql_error *e, struct strbuf *sb);

/** Limits on a request; soql_limits_default() gives the documented ones. */
struct soql_limits {
    size_t max_param_len; /* bytes of one parameter's value (8192) */
    size_t max_total_len; /* bytes of every parameter together (16384) */
    size_t max_depth;     /* nesting of an expression (64) */
    size_t max_in;        /* values of one IN (...) list (1000) */
    size_t max_items;     /* $select items, $group or $order terms (64, 8, 8) */
    size_t max_limit;     /* largest $limit (50000); the default is 1000 */
    size_t max_window;    /* $offset + $limit of an ordered row query (1000000) */
    size_t max_groups;    /* distinct groups of one query (1000000) */
    size_t max_output;    /* bytes of a response body (256 MiB) */
};
void soql_limits_default(struct soql_limits *l);

/* ------------------------------------------------------------------------ */
/* Datasets                                                                 */
/* ------------------------------------------------------------------------ */

struct soql_catalog;

/**
 * The datasets of a data directory: crimes and victims when their tables
 * exist, and every layer table (published or not, see min_access). The
 * store gives the published layers and their ids. NULL on error.
 */
struct soql_catalog *soql_catalog_open(const char *data_dir, struct store *st,
                                       struct cscc_err *err);
void soql_catalog_free(struct soql_catalog *c); /* accepts NULL */
size_t soql_catalog_count(const struct soql_catalog *c);
const struct soql_dataset *soql_catalog_at(const struct soql_catalog *c, size_t i);
/** The dataset with this id, or NULL. */
const struct soql_dataset *soql_catalog_find(const struct soql_catalog *c, const char *id);
/** Path of a dataset's table file (buf of cap bytes): 0 or CSCC_ELIMIT. */
int soql_table_path(const char *data_dir, const struct soql_dataset *ds, char *buf, size_t cap);

/** 1 if s is a Socrata-style id: four lowercase letters or digits, '-', four more. */
int soql_is_id(const char *s);
/** The id a layer gets unless its publisher chose one (stable: a hash of the name). */
void soql_layer_id(const char *layer, char out[16]);
/**
 * Publishes layer NAME (its table must exist) under id (NULL = the derived
 * id), or withdraws it (publish = 0). CSCC_EINVAL for a bad id or one already
 * in use, CSCC_ENOENT for an unknown layer.
 */
int soql_publish_layer(const char *data_dir, struct store *st, const char *layer, const char *id,
                       int publish, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Queries                                                                  */
/* ------------------------------------------------------------------------ */

/** One query-string parameter, already URL-decoded. */
struct soql_param {
    const char *name;  /* "$where", "$select", ... or a column name (a simple filter) */
    const char *value; /* NUL-terminated */
};

struct soql_query;

/**
 * Parses and checks the parameters against the dataset's public schema for
 * this caller. NULL on error with e filled (400 for a bad query, 403 when the
 * caller may not see the dataset or the query's shape, 507 out of memory).
 * The table must stay open until soql_query_free().
 */
struct soql_query *soql_prepare(const struct soql_dataset *ds, const struct colstore_table *t,
                                const struct soql_param *params, size_t nparams,
                                enum soql_access access, const struct soql_limits *lim,
                                struct soql_error *e);
void soql_query_free(struct soql_query *q); /* accepts NULL */

/** The X-SODA2-Fields and X-SODA2-Types header values: JSON arrays. */
const char *soql_fields_header(const struct soql_query *q);
const char *soql_types_header(const struct soql_query *q);

/**
 * Runs the query and appends the body in format f to out. 0, or a negative
 * CSCC_E* code with e filled (out may then hold part of a body: discard it).
 */
int soql_run(struct soql_query *q, enum soql_format f, struct strbuf *out, struct soql_error *e);

/** Rows the last soql_run scanned (after the time range was applied). */
uint64_t soql_rows_scanned(const struct soql_query *q);

/** "application/json; charset=utf-8", "text/csv; charset=utf-8", "application/vnd.geo+json; ..." */
const char *soql_content_type(enum soql_format f);
/** The format of a resource extension ("json", "csv", "geojson"); -1 if none. */
int soql_format_from_ext(const char *ext);

#endif
