/* edit.c - changes after the fact: the audit of a change with the record's
 * values before and after, deletions of allocations, and edits and deletions
 * of spending entries. Each is one transaction with its audit record. */
#include "resources/res_int.h"

#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Snapshots and the audit of a change                                       */
/* ------------------------------------------------------------------------ */

static int alloc_snap_cb(void *arg, const struct res_alloc *a)
{
    json_t **o = arg;

    *o = res_alloc_json(a);
    return *o ? 0 : CSCC_ENOMEM;
}

static json_t *day_json(int64_t day)
{
    char buf[16];

    cscc_format_day(day, buf);
    return json_string(buf);
}

static int spend_snap_cb(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    if (!o)
        return CSCC_ENOMEM;
    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "allocation", json_integer(store_row_int(row, 1)));
    json_object_set_new(o, "day", day_json(store_row_int(row, 2)));
    json_object_set_new(o, "amount", json_real((double)store_row_int(row, 3) / 100.0));
    json_object_set_new(o, "note", json_string(store_row_text(row, 4)));
    *(json_t **)arg = o;
    return 0;
}

static int ms_snap_cb(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    if (!o)
        return CSCC_ENOMEM;
    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "initiative", json_integer(store_row_int(row, 1)));
    json_object_set_new(o, "title", json_string(store_row_text(row, 2)));
    json_object_set_new(o, "due", day_json(store_row_int(row, 3)));
    json_object_set_new(o, "status", json_string(store_row_text(row, 4)));
    json_object_set_new(o, "done",
                        store_row_is_null(row, 5) ? json_null() : day_json(store_row_int(row, 5)));
    *(json_t **)arg = o;
    return 0;
}

int res_snapshot(struct store *st, enum res_kind kind, int64_t id, json_t **out,
                 struct cscc_err *err)
{
    static const char *const what[] = {"allocation", "spending entry", "initiative", "milestone"};
    struct store_val v = STORE_INT(id);
    json_t *arr;
    int rc = 0;

    *out = NULL;
    switch (kind) {
    case RES_K_ALLOC:
        if (!(rc = res_alloc_get(st, id, alloc_snap_cb, out, err)) && *out) {
            json_t *sp = json_array();

            json_object_set_new(*out, "spending", sp);
            rc = res_spending_json(st, id, sp, err);
        }
        break;
    case RES_K_SPEND:
        rc = store_exec(
            st, "read spending",
            "SELECT id, alloc_id, day, amount_cents, note FROM res_spending WHERE id = ?", &v, 1,
            spend_snap_cb, out, err);
        break;
    case RES_K_INIT:
        arr = json_array();
        if (!(rc = res_initiatives_json(st, id, arr, err)))
            *out = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        break;
    case RES_K_MILESTONE:
        rc = store_exec(st, "read milestone",
                        "SELECT id, init_id, title, due_day, status, done_day FROM res_milestones "
                        "WHERE id = ?",
                        &v, 1, ms_snap_cb, out, err);
        break;
    }
    if (rc) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    if (!*out)
        return cscc_err_set(err, CSCC_ENOENT, "there is no %s %lld", what[kind], (long long)id);
    return 0;
}

int res_audit_change(struct store *st, const struct access_actor *who, const char *action,
                     const char *object, json_t *before, json_t *after, int64_t now,
                     struct cscc_err *err)
{
    json_t *d = json_object();
    char *text;
    int rc;

    json_object_set_new(d, "before", before ? before : json_null());
    json_object_set_new(d, "after", after ? after : json_null());
    text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(d);
    if (!text)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory writing the audit record");
    rc = access_audit(st, who, action, object, "ok", text, now, err);
    free(text); /* allocated by jansson */
    return rc;
}

/* Reads kind id before a change (inside the transaction): its snapshot, or
 * the transaction rolled back and the error returned. */
int res_begin_change(struct store *st, enum res_kind kind, int64_t id, json_t **before,
                     struct cscc_err *err)
{
    int rc;

    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = res_snapshot(st, kind, id, before, err)))
        store_rollback(st);
    return rc;
}

int res_end_change(struct store *st, const struct access_actor *who, const char *action,
                   enum res_kind kind, int64_t id, json_t *before, int deleted, int64_t now,
                   struct cscc_err *err)
{
    static const char *const prefix[] = {"allocation", "spending", "initiative", "milestone"};
    json_t *after = NULL;
    char obj[64];
    int rc;

    snprintf(obj, sizeof(obj), "%s:%lld", prefix[kind], (long long)id);
    if ((!deleted && (rc = res_snapshot(st, kind, id, &after, err))) ||
        (rc = res_audit_change(st, who, action, obj, json_incref(before), after, now, err)) ||
        (rc = store_commit(st, err)))
        store_rollback(st);
    json_decref(before);
    return rc;
}

int res_delete_one(struct store *st, const struct access_actor *who, enum res_kind kind, int64_t id,
                   const char *sql, const char *action, struct cscc_err *err)
{
    json_t *before;
    int rc;

    if ((rc = res_begin_change(st, kind, id, &before, err)))
        return rc;
    if ((rc = store_exec(st, action, sql, (struct store_val[]){STORE_INT(id)}, 1, NULL, NULL,
                         err))) {
        store_rollback(st);
        json_decref(before);
        return rc;
    }
    return res_end_change(st, who, action, kind, id, before, 1, access_now(), err);
}

/* ------------------------------------------------------------------------ */
/* Allocations and spending                                                  */
/* ------------------------------------------------------------------------ */

int res_alloc_delete(struct store *st, const struct access_actor *who, int64_t id,
                     struct cscc_err *err)
{
    return res_delete_one(st, who, RES_K_ALLOC, id, "DELETE FROM res_allocations WHERE id = ?",
                          "funding.delete", err);
}

int res_spend_update(struct store *st, const struct access_actor *who, int64_t id,
                     const struct res_spend_edit *e, struct cscc_err *err)
{
    json_t *before;
    int rc = 0;

    if (!e->has_day && !e->has_amount && !e->note) {
        cscc_err_set(err, CSCC_EINVAL, "nothing to change: give day, amount or note");
        return res_err_field(err, "day");
    }
    if (e->has_amount && e->cents <= 0) {
        cscc_err_set(err, CSCC_EINVAL, "a spending amount must be more than zero");
        return res_err_field(err, "amount");
    }
    if (e->note && strlen(e->note) > 1000) {
        cscc_err_set(err, CSCC_EINVAL, "note is longer than 1000 characters");
        return res_err_field(err, "note");
    }
    if ((rc = res_begin_change(st, RES_K_SPEND, id, &before, err)))
        return rc;
    if (e->has_day)
        rc = store_exec(st, "update spending", "UPDATE res_spending SET day = ? WHERE id = ?",
                        (struct store_val[]){STORE_INT(e->day), STORE_INT(id)}, 2, NULL, NULL, err);
    if (!rc && e->has_amount)
        rc = store_exec(
            st, "update spending", "UPDATE res_spending SET amount_cents = ? WHERE id = ?",
            (struct store_val[]){STORE_INT(e->cents), STORE_INT(id)}, 2, NULL, NULL, err);
    if (!rc && e->note)
        rc = store_exec(st, "update spending", "UPDATE res_spending SET note = ? WHERE id = ?",
                        (struct store_val[]){STORE_TEXT(e->note), STORE_INT(id)}, 2, NULL, NULL,
                        err);
    if (rc) {
        store_rollback(st);
        json_decref(before);
        return rc;
    }
    return res_end_change(st, who, "funding.spend.edit", RES_K_SPEND, id, before, 0, access_now(),
                          err);
}

int res_spend_delete(struct store *st, const struct access_actor *who, int64_t id,
                     struct cscc_err *err)
{
    return res_delete_one(st, who, RES_K_SPEND, id, "DELETE FROM res_spending WHERE id = ?",
                          "funding.spend.delete", err);
}

int res_spending_one_json(struct store *st, int64_t id, json_t **out, struct cscc_err *err)
{
    return res_snapshot(st, RES_K_SPEND, id, out, err);
}

int res_milestone_json(struct store *st, int64_t id, json_t **out, struct cscc_err *err)
{
    return res_snapshot(st, RES_K_MILESTONE, id, out, err);
}
