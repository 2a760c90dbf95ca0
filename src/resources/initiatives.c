/* initiatives.c - Launch Committee initiatives: areas, lead and partner
 * organizations, status, milestones, linked funding. */
#include "resources/res_int.h"

#include "core/alloc.h"
#include "core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const res_initiative_statuses[] = {"proposed",  "planning",  "active", "paused",
                                               "completed", "cancelled", NULL};
const char *const res_milestone_statuses[] = {"planned", "in_progress", "done", "missed", NULL};

int res_err_field(struct cscc_err *err, const char *field)
{
    if (!err)
        return CSCC_EINVAL;
    snprintf(err->field, sizeof(err->field), "%s", field);
    return err->code;
}

static int in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

static int id_fn(void *arg, const struct store_row *row)
{
    *(int64_t *)arg = store_row_int(row, 0);
    return 0;
}

static int count(struct store *st, const char *sql, int64_t id, int64_t *n, struct cscc_err *err)
{
    struct store_val v = STORE_INT(id);

    *n = 0;
    return store_exec(st, "read", sql, &v, 1, id_fn, n, err);
}

static int audit_commit(struct store *st, const struct access_actor *who, const char *action,
                        const char *kind, int64_t id, const char *detail, int64_t now,
                        struct cscc_err *err)
{
    char obj[64];
    int rc;

    snprintf(obj, sizeof(obj), "%s:%lld", kind, (long long)id);
    if ((rc = access_audit(st, who, action, obj, "ok", detail, now, err)) ||
        (rc = store_commit(st, err)))
        store_rollback(st);
    return rc;
}

static int check_initiative(struct store *st, const struct res_initiative *in, struct cscc_err *err)
{
    char field[32];
    size_t i;
    int64_t n;
    int rc;

    if (!in->name || !in->name[0] || strlen(in->name) > 200) {
        cscc_err_set(err, CSCC_EINVAL, "name is required (up to 200 characters)");
        return res_err_field(err, "name");
    }
    if (in->description && strlen(in->description) > 4000) {
        cscc_err_set(err, CSCC_EINVAL, "description is longer than 4000 characters");
        return res_err_field(err, "description");
    }
    if (!in_list(res_initiative_statuses, in->status)) {
        cscc_err_set(err, CSCC_EINVAL,
                     "status is proposed, planning, active, paused, completed or cancelled");
        return res_err_field(err, "status");
    }
    if (in->lead_org_id && (rc = res_check_org(st, in->lead_org_id, "lead", err)))
        return rc;
    if ((rc = res_check_areas(st, in->areas, in->nareas, err)))
        return rc;
    if (in->npartners > RES_MAX_AREAS || in->nfunding > RES_MAX_AREAS) {
        cscc_err_set(err, CSCC_EINVAL, "at most %d partners and %d allocations", RES_MAX_AREAS,
                     RES_MAX_AREAS);
        return res_err_field(err, "partners");
    }
    for (i = 0; i < in->npartners; i++) {
        snprintf(field, sizeof(field), "partners[%zu]", i);
        if ((rc = res_check_org(st, in->partners[i], field, err)))
            return rc;
    }
    for (i = 0; i < in->nfunding; i++) {
        if ((rc = count(st, "SELECT COUNT(*) FROM res_allocations WHERE id = ?", in->funding[i], &n,
                        err)))
            return rc;
        if (!n) {
            snprintf(field, sizeof(field), "funding[%zu]", i);
            cscc_err_set(err, CSCC_ENOENT, "there is no allocation %lld",
                         (long long)in->funding[i]);
            return res_err_field(err, field);
        }
    }
    return 0;
}

int res_initiative_add(struct store *st, const struct access_actor *who,
                       const struct res_initiative *in, int64_t *id, struct cscc_err *err)
{
    struct store_val v[6];
    int64_t now = access_now(), newid = 0;
    size_t i;
    int rc;

    if ((rc = check_initiative(st, in, err)) || (rc = store_begin(st, err)))
        return rc;
    v[0] = STORE_TEXT(in->name);
    v[1] = STORE_OPT_INT(in->lead_org_id != 0, in->lead_org_id);
    v[2] = STORE_TEXT(in->status);
    v[3] = STORE_TEXT(in->description ? in->description : "");
    v[4] = STORE_TEXT(who->name);
    v[5] = STORE_INT(now);
    rc = store_exec(st, "store initiative",
                    "INSERT INTO res_initiatives (name, lead_org_id, status, description, "
                    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (struct store_val[]){v[0], v[1], v[2], v[3], v[4], v[5], v[5]}, 7, id_fn,
                    &newid, err);
    if (rc == CSCC_EEXIST) {
        cscc_err_set(err, CSCC_EEXIST, "an initiative named '%.100s' exists", in->name);
        res_err_field(err, "name");
    }
    for (i = 0; !rc && i < in->nareas; i++)
        rc = store_exec(st, "store initiative",
                        "INSERT INTO res_initiative_areas (init_id, area) VALUES (?, ?)",
                        (struct store_val[]){STORE_INT(newid), STORE_INT(in->areas[i])}, 2, NULL,
                        NULL, err);
    for (i = 0; !rc && i < in->npartners; i++)
        rc = store_exec(st, "store initiative",
                        "INSERT INTO res_initiative_partners (init_id, org_id) VALUES (?, ?) "
                        "ON CONFLICT (init_id, org_id) DO NOTHING",
                        (struct store_val[]){STORE_INT(newid), STORE_INT(in->partners[i])}, 2, NULL,
                        NULL, err);
    for (i = 0; !rc && i < in->nfunding; i++)
        rc = store_exec(st, "store initiative",
                        "INSERT INTO res_initiative_funding (init_id, alloc_id) VALUES (?, ?) "
                        "ON CONFLICT (init_id, alloc_id) DO NOTHING",
                        (struct store_val[]){STORE_INT(newid), STORE_INT(in->funding[i])}, 2, NULL,
                        NULL, err);
    if (rc) {
        store_rollback(st);
        return rc;
    }
    if ((rc = audit_commit(st, who, "initiative.add", "initiative", newid, in->name, now, err)))
        return rc;
    *id = newid;
    return 0;
}

int res_initiative_set_status(struct store *st, const struct access_actor *who, int64_t id,
                              const char *status, struct cscc_err *err)
{
    int64_t now = access_now(), n;
    int rc;

    if (!in_list(res_initiative_statuses, status)) {
        cscc_err_set(err, CSCC_EINVAL,
                     "status is proposed, planning, active, paused, completed or cancelled");
        return res_err_field(err, "status");
    }
    if ((rc = count(st, "SELECT COUNT(*) FROM res_initiatives WHERE id = ?", id, &n, err)))
        return rc;
    if (!n)
        return cscc_err_set(err, CSCC_ENOENT, "there is no initiative %lld", (long long)id);
    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = store_exec(st, "update initiative",
                         "UPDATE res_initiatives SET status = ?, updated_at = ? WHERE id = ?",
                         (struct store_val[]){STORE_TEXT(status), STORE_INT(now), STORE_INT(id)}, 3,
                         NULL, NULL, err))) {
        store_rollback(st);
        return rc;
    }
    return audit_commit(st, who, "initiative.status", "initiative", id, status, now, err);
}

int res_milestone_add(struct store *st, const struct access_actor *who, int64_t init_id,
                      const char *title, int64_t due_day, int64_t *id, struct cscc_err *err)
{
    int64_t now = access_now(), n, newid = 0;
    int rc;

    if (!title || !title[0] || strlen(title) > 200) {
        cscc_err_set(err, CSCC_EINVAL, "a milestone needs a title (up to 200 characters)");
        return res_err_field(err, "title");
    }
    if ((rc = count(st, "SELECT COUNT(*) FROM res_initiatives WHERE id = ?", init_id, &n, err)))
        return rc;
    if (!n)
        return cscc_err_set(err, CSCC_ENOENT, "there is no initiative %lld", (long long)init_id);
    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = store_exec(
             st, "store milestone",
             "INSERT INTO res_milestones (init_id, title, due_day, status) VALUES "
             "(?, ?, ?, 'planned') RETURNING id",
             (struct store_val[]){STORE_INT(init_id), STORE_TEXT(title), STORE_INT(due_day)}, 3,
             id_fn, &newid, err))) {
        store_rollback(st);
        return rc;
    }
    if ((rc =
             audit_commit(st, who, "initiative.milestone", "initiative", init_id, title, now, err)))
        return rc;
    if (id)
        *id = newid;
    return 0;
}

int res_milestone_set(struct store *st, const struct access_actor *who, int64_t id,
                      const char *status, int64_t day, int64_t *init_id, struct cscc_err *err)
{
    int64_t now = access_now(), init = 0;
    char detail[64];
    int rc;

    if (!in_list(res_milestone_statuses, status)) {
        cscc_err_set(err, CSCC_EINVAL, "status is planned, in_progress, done or missed");
        return res_err_field(err, "status");
    }
    if ((rc = count(st, "SELECT init_id FROM res_milestones WHERE id = ?", id, &init, err)))
        return rc;
    if (!init)
        return cscc_err_set(err, CSCC_ENOENT, "there is no milestone %lld", (long long)id);
    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = store_exec(st, "update milestone",
                         "UPDATE res_milestones SET status = ?, done_day = ? WHERE id = ?",
                         (struct store_val[]){STORE_TEXT(status),
                                              STORE_OPT_INT(!strcmp(status, "done"), day),
                                              STORE_INT(id)},
                         3, NULL, NULL, err))) {
        store_rollback(st);
        return rc;
    }
    snprintf(detail, sizeof(detail), "milestone %lld: %s", (long long)id, status);
    if (init_id)
        *init_id = init;
    return audit_commit(st, who, "initiative.milestone", "initiative", init, detail, now, err);
}

/* ---- reads ---- */

struct rd {
    struct store *st;
    json_t *arr;
    struct cscc_err *err;
};

static json_t *day_json(int64_t day)
{
    char buf[16];

    cscc_format_day(day, buf);
    return json_string(buf);
}

static int name_row(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "name", json_string(store_row_text(row, 1)));
    json_array_append_new(arg, o);
    return 0;
}

static int ms_row(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "title", json_string(store_row_text(row, 1)));
    json_object_set_new(o, "due", day_json(store_row_int(row, 2)));
    json_object_set_new(o, "status", json_string(store_row_text(row, 3)));
    json_object_set_new(o, "done",
                        store_row_is_null(row, 4) ? json_null() : day_json(store_row_int(row, 4)));
    json_array_append_new(arg, o);
    return 0;
}

static int fund_row(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "ref", json_string(store_row_text(row, 1)));
    json_object_set_new(o, "program", json_string(store_row_text(row, 2)));
    json_object_set_new(o, "strategy", json_string(store_row_text(row, 3)));
    json_object_set_new(o, "amount", json_real((double)store_row_int(row, 4) / 100.0));
    json_object_set_new(o, "spent", json_real((double)store_row_int(row, 5) / 100.0));
    json_array_append_new(arg, o);
    return 0;
}

static int init_row(void *arg, const struct store_row *row)
{
    struct rd *c = arg;
    struct res_int_list l;
    json_t *o = json_object(), *areas = json_array(), *partners = json_array(), *ms = json_array(),
           *fund = json_array();
    struct store_val v;
    int64_t id = store_row_int(row, 0);
    size_t i;
    int rc;

    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "name", json_string(store_row_text(row, 1)));
    json_object_set_new(o, "status", json_string(store_row_text(row, 2)));
    json_object_set_new(o, "description", json_string(store_row_text(row, 3)));
    if (store_row_is_null(row, 4)) {
        json_object_set_new(o, "lead", json_null());
    } else {
        json_t *lead = json_object();

        json_object_set_new(lead, "id", json_integer(store_row_int(row, 4)));
        json_object_set_new(lead, "name", json_string(store_row_text(row, 5)));
        json_object_set_new(o, "lead", lead);
    }
    json_object_set_new(o, "areas", areas);
    json_object_set_new(o, "partners", partners);
    json_object_set_new(o, "milestones", ms);
    json_object_set_new(o, "funding", fund);
    json_array_append_new(c->arr, o);
    if ((rc = res_int_list_read(
             c->st, "SELECT area FROM res_initiative_areas WHERE init_id = ? ORDER BY area", id, &l,
             c->err)))
        return rc;
    for (i = 0; i < l.n; i++)
        json_array_append_new(areas, json_integer(l.v[i]));
    v = STORE_INT(id);
    if ((rc = store_exec(c->st, "read partners",
                         "SELECT o.id, o.name FROM res_initiative_partners p JOIN coord_orgs o ON "
                         "o.id = p.org_id WHERE p.init_id = ? ORDER BY o.name",
                         &v, 1, name_row, partners, c->err)) ||
        (rc = store_exec(c->st, "read milestones",
                         "SELECT id, title, due_day, status, done_day FROM res_milestones WHERE "
                         "init_id = ? ORDER BY due_day, id",
                         &v, 1, ms_row, ms, c->err)))
        return rc;
    return store_exec(c->st, "read funding",
                      "SELECT a.id, a.ref, a.program, a.strategy, a.amount_cents, "
                      "COALESCE((SELECT SUM(s.amount_cents) FROM res_spending s WHERE s.alloc_id "
                      "= a.id), 0) FROM res_initiative_funding f JOIN res_allocations a ON a.id = "
                      "f.alloc_id WHERE f.init_id = ? ORDER BY a.id",
                      &v, 1, fund_row, fund, c->err);
}

int res_initiatives_json(struct store *st, int64_t id, json_t *arr, struct cscc_err *err)
{
    struct rd c = {st, arr, err};
    size_t before = json_array_size(arr);
    int rc;

    rc = store_exec(st, "read initiatives",
                    "SELECT i.id, i.name, i.status, i.description, i.lead_org_id, "
                    "COALESCE(o.name, '') FROM res_initiatives i LEFT JOIN coord_orgs o ON o.id = "
                    "i.lead_org_id WHERE ? = 0 OR i.id = ? ORDER BY i.id",
                    (struct store_val[]){STORE_INT(id), STORE_INT(id)}, 2, init_row, &c, err);
    if (!rc && id && json_array_size(arr) == before)
        rc = cscc_err_set(err, CSCC_ENOENT, "there is no initiative %lld", (long long)id);
    return rc;
}

/* ---- edits ---- */

/* An initiative as stored, with its lists. */
struct init_now {
    char name[256];
    char *description;
    int64_t lead;
    char status[32];
    int found;
};

static int init_now_row(void *arg, const struct store_row *row)
{
    struct init_now *c = arg;
    const char *d = store_row_text(row, 1);

    snprintf(c->name, sizeof(c->name), "%s", store_row_text(row, 0));
    c->description = cscc_xstrdup(d ? d : "");
    c->lead = store_row_is_null(row, 2) ? 0 : store_row_int(row, 2);
    snprintf(c->status, sizeof(c->status), "%s", store_row_text(row, 3));
    c->found = 1;
    return 0;
}

static int put_list(struct store *st, const char *del, const char *ins, int64_t id,
                    const int64_t *v, size_t n, struct cscc_err *err)
{
    size_t i;
    int rc;

    if ((rc = store_exec(st, "update initiative", del, (struct store_val[]){STORE_INT(id)}, 1, NULL,
                         NULL, err)))
        return rc;
    for (i = 0; i < n; i++)
        if ((rc = store_exec(st, "update initiative", ins,
                             (struct store_val[]){STORE_INT(id), STORE_INT(v[i])}, 2, NULL, NULL,
                             err)))
            return rc;
    return 0;
}

int res_initiative_update(struct store *st, const struct access_actor *who, int64_t id,
                          const struct res_initiative *in, unsigned fields, struct cscc_err *err)
{
    struct init_now cur;
    struct res_initiative m;
    struct res_int_list la, lp, lf;
    int areas[RES_MAX_AREAS];
    int64_t now = access_now();
    json_t *before = NULL;
    size_t i;
    int rc;

    if (!fields) {
        cscc_err_set(err, CSCC_EINVAL, "nothing to change");
        return res_err_field(err, "name");
    }
    memset(&cur, 0, sizeof(cur));
    if ((rc = store_exec(st, "read initiative",
                         "SELECT name, description, lead_org_id, status FROM res_initiatives "
                         "WHERE id = ?",
                         (struct store_val[]){STORE_INT(id)}, 1, init_now_row, &cur, err)))
        goto out;
    if (!cur.found) {
        rc = cscc_err_set(err, CSCC_ENOENT, "there is no initiative %lld", (long long)id);
        goto out;
    }
    if ((rc = res_int_list_read(st, "SELECT area FROM res_initiative_areas WHERE init_id = ?", id,
                                &la, err)) ||
        (rc = res_int_list_read(st, "SELECT org_id FROM res_initiative_partners WHERE init_id = ?",
                                id, &lp, err)) ||
        (rc = res_int_list_read(st, "SELECT alloc_id FROM res_initiative_funding WHERE init_id = ?",
                                id, &lf, err)))
        goto out;
    for (i = 0; i < la.n; i++)
        areas[i] = (int)la.v[i];
    /* The initiative as it will be, checked whole. */
    m.name = fields & RES_I_NAME ? in->name : cur.name;
    m.description = fields & RES_I_DESCRIPTION ? in->description : cur.description;
    m.lead_org_id = fields & RES_I_LEAD ? in->lead_org_id : cur.lead;
    m.status = fields & RES_I_STATUS ? in->status : cur.status;
    m.areas = fields & RES_I_AREAS ? in->areas : areas;
    m.nareas = fields & RES_I_AREAS ? in->nareas : la.n;
    m.partners = fields & RES_I_PARTNERS ? in->partners : lp.v;
    m.npartners = fields & RES_I_PARTNERS ? in->npartners : lp.n;
    m.funding = fields & RES_I_FUNDING ? in->funding : lf.v;
    m.nfunding = fields & RES_I_FUNDING ? in->nfunding : lf.n;
    if ((rc = check_initiative(st, &m, err)) ||
        (rc = res_begin_change(st, RES_K_INIT, id, &before, err)))
        goto out;
    rc = store_exec(st, "update initiative",
                    "UPDATE res_initiatives SET name = ?, description = ?, lead_org_id = ?, "
                    "status = ?, updated_at = ? WHERE id = ?",
                    (struct store_val[]){STORE_TEXT(m.name),
                                         STORE_TEXT(m.description ? m.description : ""),
                                         STORE_OPT_INT(m.lead_org_id != 0, m.lead_org_id),
                                         STORE_TEXT(m.status), STORE_INT(now), STORE_INT(id)},
                    6, NULL, NULL, err);
    if (rc == CSCC_EEXIST) {
        cscc_err_set(err, CSCC_EEXIST, "an initiative named '%.100s' exists", m.name);
        res_err_field(err, "name");
    }
    if (!rc && (fields & RES_I_AREAS)) {
        int64_t a64[RES_MAX_AREAS];

        for (i = 0; i < in->nareas && i < RES_MAX_AREAS; i++)
            a64[i] = in->areas[i];
        rc = put_list(st, "DELETE FROM res_initiative_areas WHERE init_id = ?",
                      "INSERT INTO res_initiative_areas (init_id, area) VALUES (?, ?) "
                      "ON CONFLICT (init_id, area) DO NOTHING",
                      id, a64, i, err);
    }
    if (!rc && (fields & RES_I_PARTNERS))
        rc = put_list(st, "DELETE FROM res_initiative_partners WHERE init_id = ?",
                      "INSERT INTO res_initiative_partners (init_id, org_id) VALUES (?, ?) "
                      "ON CONFLICT (init_id, org_id) DO NOTHING",
                      id, in->partners, in->npartners, err);
    if (!rc && (fields & RES_I_FUNDING))
        rc = put_list(st, "DELETE FROM res_initiative_funding WHERE init_id = ?",
                      "INSERT INTO res_initiative_funding (init_id, alloc_id) VALUES (?, ?) "
                      "ON CONFLICT (init_id, alloc_id) DO NOTHING",
                      id, in->funding, in->nfunding, err);
    if (rc) {
        store_rollback(st);
        json_decref(before);
        goto out;
    }
    rc = res_end_change(st, who, "initiative.edit", RES_K_INIT, id, before, 0, now, err);
out:
    cscc_free(cur.description);
    return rc;
}

int res_initiative_delete(struct store *st, const struct access_actor *who, int64_t id,
                          struct cscc_err *err)
{
    return res_delete_one(st, who, RES_K_INIT, id, "DELETE FROM res_initiatives WHERE id = ?",
                          "initiative.delete", err);
}

int res_milestone_delete(struct store *st, const struct access_actor *who, int64_t id,
                         struct cscc_err *err)
{
    return res_delete_one(st, who, RES_K_MILESTONE, id, "DELETE FROM res_milestones WHERE id = ?",
                          "initiative.milestone.delete", err);
}

int res_milestone_update(struct store *st, const struct access_actor *who, int64_t id,
                         const char *title, int has_due, int64_t due_day, const char *status,
                         int64_t day, struct cscc_err *err)
{
    json_t *before;
    int rc = 0;

    if (!title && !has_due && !status) {
        cscc_err_set(err, CSCC_EINVAL, "nothing to change: give title, due or status");
        return res_err_field(err, "status");
    }
    if (title && (!title[0] || strlen(title) > 200)) {
        cscc_err_set(err, CSCC_EINVAL, "a milestone needs a title (up to 200 characters)");
        return res_err_field(err, "title");
    }
    if (status && !in_list(res_milestone_statuses, status)) {
        cscc_err_set(err, CSCC_EINVAL, "status is planned, in_progress, done or missed");
        return res_err_field(err, "status");
    }
    if ((rc = res_begin_change(st, RES_K_MILESTONE, id, &before, err)))
        return rc;
    if (title)
        rc = store_exec(st, "update milestone", "UPDATE res_milestones SET title = ? WHERE id = ?",
                        (struct store_val[]){STORE_TEXT(title), STORE_INT(id)}, 2, NULL, NULL, err);
    if (!rc && has_due)
        rc =
            store_exec(st, "update milestone", "UPDATE res_milestones SET due_day = ? WHERE id = ?",
                       (struct store_val[]){STORE_INT(due_day), STORE_INT(id)}, 2, NULL, NULL, err);
    if (!rc && status)
        rc = store_exec(st, "update milestone",
                        "UPDATE res_milestones SET status = ?, done_day = ? WHERE id = ?",
                        (struct store_val[]){STORE_TEXT(status),
                                             STORE_OPT_INT(!strcmp(status, "done"), day),
                                             STORE_INT(id)},
                        3, NULL, NULL, err);
    if (rc) {
        store_rollback(st);
        json_decref(before);
        return rc;
    }
    return res_end_change(st, who, "initiative.milestone.edit", RES_K_MILESTONE, id, before, 0,
                          access_now(), err);
}
