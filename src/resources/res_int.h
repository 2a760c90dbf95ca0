/* res_int.h - what the files of src/resources share. */
#ifndef CSCC_RESOURCES_RES_INT_H
#define CSCC_RESOURCES_RES_INT_H

#include "resources/resources.h"

/* Sets err->field (printf-style) and returns err->code. */
int res_err_field(struct cscc_err *err, const char *field);
/* Checks one area / every area of a list / an organization id, naming field in errors. */
int res_check_area(struct store *st, int area, const char *field, struct cscc_err *err);
int res_check_areas(struct store *st, const int *areas, size_t n, struct cscc_err *err);
int res_check_org(struct store *st, int64_t org, const char *field, struct cscc_err *err);

/* A list of integers read with one query (its first column). */
struct res_int_list {
    int64_t v[RES_MAX_AREAS];
    size_t n;
};
int res_int_list_read(struct store *st, const char *sql, int64_t id, struct res_int_list *l,
                      struct cscc_err *err);

/* Records that a change reads before and after (edit.c). */
enum res_kind { RES_K_ALLOC, RES_K_SPEND, RES_K_INIT, RES_K_MILESTONE };
/* kind id as JSON (*out, owned by the caller); CSCC_ENOENT when there is none. */
int res_snapshot(struct store *st, enum res_kind kind, int64_t id, json_t **out,
                 struct cscc_err *err);
/* Audits action on object with detail {"before": before, "after": after} (both taken, may be
 * NULL) inside the caller's transaction. */
int res_audit_change(struct store *st, const struct access_actor *who, const char *action,
                     const char *object, json_t *before, json_t *after, int64_t now,
                     struct cscc_err *err);
/* Begins a transaction and reads kind id as it is (*before); on error nothing is open. */
int res_begin_change(struct store *st, enum res_kind kind, int64_t id, json_t **before,
                     struct cscc_err *err);
/* Reads kind id after the change (unless deleted), audits action with both, commits; on error
 * rolls back. Takes before. */
int res_end_change(struct store *st, const struct access_actor *who, const char *action,
                   enum res_kind kind, int64_t id, json_t *before, int deleted, int64_t now,
                   struct cscc_err *err);
/* Deletes kind id with sql (one "?" for the id) in a transaction, audited as action with
 * the record as it was (ON DELETE CASCADE takes what hangs on it). */
int res_delete_one(struct store *st, const struct access_actor *who, enum res_kind kind, int64_t id,
                   const char *sql, const char *action, struct cscc_err *err);

#endif
