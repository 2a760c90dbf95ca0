/**
 * coord_int.h - internals shared by the files of src/coord: the handle,
 * transactions, field errors, small allocations, JSON helpers, and the
 * calls one part of the module makes into another. No other module
 * includes it.
 */
#ifndef CSCC_COORD_COORD_INT_H
#define CSCC_COORD_COORD_INT_H

#include "coord/coord.h"
#include "coord/needs.h"
#include "coord/workorders.h"

#include <time.h>

#define COORD_MAX_AREA 255

struct coord {
    struct store *st;
    const struct colstore_table *crimes;
    const struct geo_areas *areas;
    struct geo_areas *own_areas; /* built from the store when none was given */
    int areas_given;
    int cfg_given;
    struct coord_config cfg;
    int64_t fixed_now;
    unsigned char is_priority[COORD_MAX_AREA + 1];
    int priority[COORD_MAX_AREA + 1];
    size_t npriority;
    char *area_name[COORD_MAX_AREA + 1];
    double city_km2; /* area of every community area, 0 when unknown */
    /* the violent incidents of the current window (coord_score_point) */
    struct coord_kde *kde;
    int64_t kde_from, kde_to, kde_today;
    uint64_t kde_generation;
    char kde_key[160]; /* category and its FBI codes the window was built for */
};

/* ---- transactions: one per write; a savepoint inside the caller's ---- */
struct coord__tx {
    int own; /* 1: we began the transaction; 0: a savepoint in the caller's */
    int active;
};
int coord__tx_begin(struct coord *c, struct coord__tx *tx, const char *what, struct cscc_err *err);
/** Commits (rc 0) or rolls back; returns rc, or the commit's error. */
int coord__tx_end(struct coord *c, struct coord__tx *tx, int rc, struct cscc_err *err);

/* ---- errors ---- */
/** Sets err (code, message) with err->field = field; returns code. */
int coord__ferr(struct cscc_err *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/**
 * Checks an input text: NULL reads as "". required: not empty (after
 * trimming spaces); at most max bytes; valid UTF-8; no control characters
 * (single_line: no newline or tab either). CSCC_EINVAL naming field.
 */
int coord__check_text(const char *s, size_t max, int required, int single_line, const char *field,
                      struct cscc_err *err);
/** "" when s is NULL. */
static inline const char *coord__s(const char *s)
{
    return s ? s : "";
}
/** 1 when s is an identifier: 1-max of A-Z a-z 0-9 and the characters of extra. */
int coord__is_ident(const char *s, size_t max, const char *extra);
/** 1 when s is "" or an http(s) URL without spaces, up to max bytes. */
int coord__is_url(const char *s, size_t max);

/* ---- small allocations that live for one call ---- */
struct coord__arena {
    struct coord__chunk *head;
};
void *coord__alloc(struct coord__arena *a, size_t size);
char *coord__strdup(struct coord__arena *a, const char *s);
void coord__arena_free(struct coord__arena *a);

/* ---- time ---- */
/** Local time of t (the process's zone). */
void coord__localtime(int64_t t, struct tm *tm);

/* ---- JSON ---- */
void coord__jstr(json_t *o, const char *key, const char *v);
void coord__jint(json_t *o, const char *key, int64_t v);
void coord__jreal(json_t *o, const char *key, double v); /* null when not finite */
void coord__jbool(json_t *o, const char *key, int v);
void coord__jtime(json_t *o, const char *key, int64_t t); /* null when 0 */
void coord__jday(json_t *o, const char *key, int64_t day);
/** A string of a JSON object: NULL when absent or null; CSCC_EINVAL naming field when not a string.
 */
int coord__jget_str(const json_t *o, const char *key, const char **out, const char *field,
                    struct cscc_err *err);
/** Refuses keys of o not in allowed (NULL-terminated), naming "prefix.key". */
int coord__jcheck_keys(const json_t *o, const char *const *allowed, const char *prefix,
                       struct cscc_err *err);

/* ---- store rows ---- */
/** A row's int column as int64 with NULL read as 0. */
static inline int64_t coord__ri(const struct store_row *r, size_t i)
{
    return store_row_int(r, i);
}

/** A row callback storing column 0 (an id) into *(int64_t *)arg; goes on. */
int coord__row_id(void *arg, const struct store_row *r);
/** A row callback storing column 0 into *(int64_t *)arg and stopping (returns 1). */
int coord__row_first(void *arg, const struct store_row *r);

/* ---- calls between the parts of the module ---- */
/** Checks a contact name (its field named name_field), email and phone (fields
 *  named prefix + "email", prefix + "phone"). */
int coord__check_contacts(const char *name, const char *email, const char *phone,
                          const char *name_field, const char *prefix, struct cscc_err *err);
/** The actor's name for history: its name, or "anonymous". */
const char *coord__actor_name(const struct coord_actor *a);
/** Writes a notification in the current transaction; data is taken (decref'd). */
int coord__outbox_add(struct coord *c, const char *topic, json_t *data, struct cscc_err *err);
/**
 * Creates the work order of need_id (inside the caller's transaction) as
 * routed, with its first history step and a "workorder.created"
 * notification. *wo_id gets its id.
 */
int coord__workorder_create(struct coord *c, const struct coord_actor *a, int64_t need_id,
                            const char *service, int area, double priority,
                            const struct coord_routing *r, int64_t now, int64_t *wo_id,
                            struct cscc_err *err);
/** Loads a service into a holder that owns its strings (catalog.c). */
struct coord__service_copy;
struct coord__service_copy *coord__service_load(struct coord *c, const char *code,
                                                struct cscc_err *err);
const struct coord_service *coord__service_of(const struct coord__service_copy *h);
void coord__service_copy_free(struct coord__service_copy *h);

#endif
