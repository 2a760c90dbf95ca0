/* catalog.c - departments, the service catalogue with its Open311
 * attributes, checking intake answers, and loading a catalogue file. */
#include "core/num.h"
#include "coord/catalog.h"

#include "coord/coord_int.h"
#include "core/alloc.h"
#include "core/time.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Departments                                                               */
/* ------------------------------------------------------------------------ */

static int check_department(const struct coord_department *d, struct cscc_err *err)
{
    if (!coord__is_ident(d->code, 32, "_-"))
        return coord__ferr(err, CSCC_EINVAL, "code",
                           "department code must be 1-32 letters, digits, '_' or '-', not '%s'",
                           coord__s(d->code));
    return coord__check_text(d->name, 200, 1, 1, "name", err);
}

static int put_department(struct coord *c, const struct coord_department *d, int64_t now,
                          struct cscc_err *err)
{
    struct store_val v[4] = {STORE_TEXT(d->code), STORE_TEXT(d->name), STORE_INT(d->active ? 1 : 0),
                             STORE_INT(now)};

    return store_exec(c->st, "store department",
                      "INSERT INTO coord_departments (code, name, active, updated_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                      "active = excluded.active, updated_at = excluded.updated_at",
                      v, 4, NULL, NULL, err);
}

int coord_department_put(struct coord *c, const struct coord_actor *a,
                         const struct coord_department *d, struct cscc_err *err)
{
    int rc;

    if ((rc = coord_require(a, COORD_CATALOG_EDIT, NULL, err)) || (rc = check_department(d, err)))
        return rc;
    return put_department(c, d, coord_now(c), err);
}

struct dept_each {
    coord_department_fn fn;
    void *arg;
};

static int dept_row(void *arg, const struct store_row *r)
{
    struct dept_each *e = arg;
    struct coord_department d = {store_row_text(r, 0), store_row_text(r, 1),
                                 (int)store_row_int(r, 2)};

    return e->fn(e->arg, &d);
}

int coord_department_each(struct coord *c, coord_department_fn fn, void *arg, struct cscc_err *err)
{
    struct dept_each e = {fn, arg};

    return store_exec(c->st, "read departments",
                      "SELECT code, name, active FROM coord_departments ORDER BY code", NULL, 0,
                      dept_row, &e, err);
}

static int count_row(void *arg, const struct store_row *r)
{
    *(int64_t *)arg = store_row_int(r, 0);
    return 0;
}

int coord_department_exists(struct coord *c, const char *code, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_TEXT(code)};
    int64_t n = 0;
    int rc;

    if (!code || !*code)
        return 0;
    if ((rc = store_exec(c->st, "read departments",
                         "SELECT count(*) FROM coord_departments WHERE code = ? AND active = 1", v,
                         1, count_row, &n, err)))
        return rc;
    return n > 0;
}

/* ------------------------------------------------------------------------ */
/* Datatypes and deadlines                                                   */
/* ------------------------------------------------------------------------ */

static const char *const dt_names[COORD_NDATATYPES] = {
    "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist",
};

const char *coord_datatype_name(enum coord_datatype t)
{
    return (unsigned)t < COORD_NDATATYPES ? dt_names[t] : "?";
}

int coord_datatype_by_name(const char *s)
{
    int i;

    for (i = 0; s && i < COORD_NDATATYPES; i++)
        if (!strcmp(s, dt_names[i]))
            return i;
    return -1;
}

static int is_list(enum coord_datatype t)
{
    return t == COORD_DT_SINGLEVALUELIST || t == COORD_DT_MULTIVALUELIST;
}

void coord_format_deadline(int hours, char *buf, size_t cap)
{
    if (hours > 0 && hours % 24 == 0)
        snprintf(buf, cap, "%dd", hours / 24);
    else
        snprintf(buf, cap, "%dh", hours);
}

int coord_parse_deadline(const char *s, int *hours)
{
    char *end;
    long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return CSCC_EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s)
        return CSCC_EINVAL;
    if (*end == 'd' || *end == 'D') {
        if (v > 365)
            return CSCC_EINVAL;
        v *= 24;
        end++;
    } else if (*end == 'h' || *end == 'H') {
        end++;
    }
    if (*end || v < 1 || v > 365 * 24)
        return CSCC_EINVAL;
    *hours = (int)v;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Services: checks and writes                                               */
/* ------------------------------------------------------------------------ */

static int check_service(struct coord *c, const struct coord_service *s, struct cscc_err *err)
{
    char field[96];
    size_t i, j, k;
    int rc;

    if (!coord__is_ident(s->code, 64, "_-."))
        return coord__ferr(err, CSCC_EINVAL, "service_code",
                           "service code must be 1-64 letters, digits, '_', '-' or '.', not '%s'",
                           coord__s(s->code));
    if ((rc = coord__check_text(s->name, 200, 1, 1, "service_name", err)) ||
        (rc = coord__check_text(s->group, 200, 0, 1, "group", err)) ||
        (rc = coord__check_text(s->description, 4000, 0, 0, "description", err)) ||
        (rc = coord__check_text(s->keywords, 1000, 0, 1, "keywords", err)))
        return rc;
    if ((rc = coord_department_exists(c, s->department, err)) < 0)
        return rc;
    if (!rc)
        return coord__ferr(err, CSCC_ENOENT, "department", "no active department '%s'",
                           coord__s(s->department));
    if (s->deadline_hours < 1 || s->deadline_hours > 365 * 24)
        return coord__ferr(err, CSCC_EINVAL, "deadline",
                           "deadline must be from 1 hour to 365 days, not %d hours",
                           s->deadline_hours);
    if (!isfinite(s->weight) || s->weight < 0 || s->weight > 10)
        return coord__ferr(err, CSCC_EINVAL, "weight", "weight must be from 0 to 10, not %g",
                           s->weight);
    if (s->nattrs > COORD_MAX_ATTRS)
        return coord__ferr(err, CSCC_EINVAL, "attributes", "at most %d attributes, not %zu",
                           COORD_MAX_ATTRS, s->nattrs);
    for (i = 0; i < s->nattrs; i++) {
        const struct coord_attr *at = &s->attrs[i];

        snprintf(field, sizeof(field), "attributes[%zu].code", i);
        if (!coord__is_ident(at->code, 64, "_-"))
            return coord__ferr(err, CSCC_EINVAL, field,
                               "attribute code must be 1-64 letters, digits, '_' or '-', not '%s'",
                               coord__s(at->code));
        for (j = 0; j < i; j++)
            if (!strcmp(s->attrs[j].code, at->code))
                return coord__ferr(err, CSCC_EINVAL, field, "attribute '%s' is there twice",
                                   at->code);
        snprintf(field, sizeof(field), "attributes[%zu].datatype", i);
        if ((unsigned)at->datatype >= COORD_NDATATYPES)
            return coord__ferr(err, CSCC_EINVAL, field, "unknown datatype");
        snprintf(field, sizeof(field), "attributes[%zu].description", i);
        if ((rc = coord__check_text(at->description, 1000, 1, 0, field, err)))
            return rc;
        snprintf(field, sizeof(field), "attributes[%zu].datatype_description", i);
        if ((rc = coord__check_text(at->datatype_description, 1000, 0, 0, field, err)))
            return rc;
        snprintf(field, sizeof(field), "attributes[%zu].values", i);
        if (is_list(at->datatype) && at->nvalues == 0)
            return coord__ferr(err, CSCC_EINVAL, field, "a %s needs values",
                               coord_datatype_name(at->datatype));
        if (!is_list(at->datatype) && at->nvalues)
            return coord__ferr(err, CSCC_EINVAL, field, "a %s has no values",
                               coord_datatype_name(at->datatype));
        if (at->nvalues > COORD_MAX_VALUES)
            return coord__ferr(err, CSCC_EINVAL, field, "at most %d values", COORD_MAX_VALUES);
        for (j = 0; j < at->nvalues; j++) {
            snprintf(field, sizeof(field), "attributes[%zu].values[%zu].key", i, j);
            if ((rc = coord__check_text(at->values[j].key, 100, 1, 1, field, err)))
                return rc;
            for (k = 0; k < j; k++)
                if (!strcmp(at->values[k].key, at->values[j].key))
                    return coord__ferr(err, CSCC_EINVAL, field, "value '%s' is there twice",
                                       at->values[j].key);
            snprintf(field, sizeof(field), "attributes[%zu].values[%zu].name", i, j);
            if ((rc = coord__check_text(at->values[j].name, 200, 1, 1, field, err)))
                return rc;
        }
    }
    return 0;
}

/* Stores s (checked) inside the caller's transaction. */
static int put_service(struct coord *c, const struct coord_service *s, int64_t now,
                       struct cscc_err *err)
{
    struct store_val v[11] = {
        STORE_TEXT(s->code),
        STORE_TEXT(s->name),
        STORE_TEXT(coord__s(s->group)),
        STORE_TEXT(coord__s(s->description)),
        STORE_TEXT(coord__s(s->keywords)),
        STORE_TEXT(s->department),
        STORE_INT(s->deadline_hours),
        STORE_REAL(s->weight),
        STORE_INT(s->active ? 1 : 0),
        STORE_INT(now),
        STORE_INT(s->is_private ? 1 : 0),
    };
    struct store_val k[1] = {STORE_TEXT(s->code)};
    size_t i, j;
    int rc;

    rc = store_exec(c->st, "store service",
                    "INSERT INTO coord_services (code, name, grp, description, keywords, "
                    "department, deadline_hours, weight, active, updated_at, private) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                    "name = excluded.name, grp = excluded.grp, description = excluded.description, "
                    "keywords = excluded.keywords, department = excluded.department, "
                    "deadline_hours = excluded.deadline_hours, weight = excluded.weight, "
                    "active = excluded.active, updated_at = excluded.updated_at, "
                    "private = excluded.private",
                    v, 11, NULL, NULL, err);
    if (!rc)
        rc = store_exec(c->st, "store service",
                        "DELETE FROM coord_service_attr_values WHERE service = ?", k, 1, NULL, NULL,
                        err);
    if (!rc)
        rc = store_exec(c->st, "store service", "DELETE FROM coord_service_attrs WHERE service = ?",
                        k, 1, NULL, NULL, err);
    for (i = 0; !rc && i < s->nattrs; i++) {
        const struct coord_attr *at = &s->attrs[i];
        struct store_val av[8] = {
            STORE_TEXT(s->code),
            STORE_TEXT(at->code),
            STORE_INT(i + 1),
            STORE_TEXT(coord_datatype_name(at->datatype)),
            STORE_INT(at->required ? 1 : 0),
            STORE_INT(at->variable ? 1 : 0),
            STORE_TEXT(coord__s(at->description)),
            STORE_TEXT(coord__s(at->datatype_description)),
        };

        rc = store_exec(c->st, "store service attribute",
                        "INSERT INTO coord_service_attrs (service, code, position, datatype, "
                        "required, variable, description, datatype_description) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        av, 8, NULL, NULL, err);
        for (j = 0; !rc && j < at->nvalues; j++) {
            struct store_val vv[5] = {STORE_TEXT(s->code), STORE_TEXT(at->code), STORE_INT(j + 1),
                                      STORE_TEXT(at->values[j].key),
                                      STORE_TEXT(at->values[j].name)};

            rc = store_exec(c->st, "store service attribute value",
                            "INSERT INTO coord_service_attr_values (service, attr, position, key, "
                            "name) VALUES (?, ?, ?, ?, ?)",
                            vv, 5, NULL, NULL, err);
        }
    }
    return rc;
}

int coord_service_put(struct coord *c, const struct coord_actor *a, const struct coord_service *s,
                      struct cscc_err *err)
{
    struct coord__tx tx;
    int rc;

    if ((rc = coord_require(a, COORD_CATALOG_EDIT, NULL, err)) || (rc = check_service(c, s, err)))
        return rc;
    if ((rc = coord__tx_begin(c, &tx, "store service", err)))
        return rc;
    rc = put_service(c, s, coord_now(c), err);
    return coord__tx_end(c, &tx, rc, err);
}

int coord_service_set_active(struct coord *c, const struct coord_actor *a, const char *code,
                             int active, struct cscc_err *err)
{
    struct store_val v[3] = {STORE_INT(active ? 1 : 0), STORE_INT(coord_now(c)), STORE_TEXT(code)};
    int rc;

    if ((rc = coord_require(a, COORD_CATALOG_EDIT, NULL, err)))
        return rc;
    rc = store_exec(c->st, "change service",
                    "UPDATE coord_services SET active = ?, updated_at = ? WHERE code = ?", v, 3,
                    NULL, NULL, err);
    if (!rc && store_changes(c->st) == 0)
        rc = coord__ferr(err, CSCC_ENOENT, "service_code", "no service '%s'", coord__s(code));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Services: reads                                                           */
/* ------------------------------------------------------------------------ */

/* A service read from the store, with its strings in an arena. */
struct coord__service_copy {
    struct coord__arena arena;
    struct coord_service s;
    struct coord_attr attrs[COORD_MAX_ATTRS];
    size_t nvalues[COORD_MAX_ATTRS];
};

static int svc_row(void *arg, const struct store_row *r)
{
    struct coord__service_copy *h = arg;
    struct coord__arena *ar = &h->arena;

    h->s.code = coord__strdup(ar, store_row_text(r, 0));
    h->s.name = coord__strdup(ar, store_row_text(r, 1));
    h->s.group = coord__strdup(ar, store_row_text(r, 2));
    h->s.description = coord__strdup(ar, store_row_text(r, 3));
    h->s.keywords = coord__strdup(ar, store_row_text(r, 4));
    h->s.department = coord__strdup(ar, store_row_text(r, 5));
    h->s.deadline_hours = (int)store_row_int(r, 6);
    h->s.weight = store_row_real(r, 7);
    h->s.active = (int)store_row_int(r, 8);
    h->s.updated_at = store_row_int(r, 9);
    h->s.is_private = (int)store_row_int(r, 10);
    return 0;
}

static int attr_row(void *arg, const struct store_row *r)
{
    struct coord__service_copy *h = arg;
    struct coord_attr *at;
    int dt;

    if (h->s.nattrs >= COORD_MAX_ATTRS)
        return 0;
    at = &h->attrs[h->s.nattrs++];
    at->code = coord__strdup(&h->arena, store_row_text(r, 0));
    dt = coord_datatype_by_name(store_row_text(r, 1));
    at->datatype = dt < 0 ? COORD_DT_STRING : (enum coord_datatype)dt;
    at->required = (int)store_row_int(r, 2);
    at->variable = (int)store_row_int(r, 3);
    at->description = coord__strdup(&h->arena, store_row_text(r, 4));
    at->datatype_description = coord__strdup(&h->arena, store_row_text(r, 5));
    return 0;
}

static int value_row(void *arg, const struct store_row *r)
{
    struct coord__service_copy *h = arg;
    const char *attr = store_row_text(r, 0);
    size_t i;

    for (i = 0; i < h->s.nattrs; i++) {
        struct coord_attr *at = &h->attrs[i];
        struct coord_attr_value *vals = (struct coord_attr_value *)at->values;

        if (strcmp(at->code, attr))
            continue;
        if (!vals) {
            vals = coord__alloc(&h->arena, COORD_MAX_VALUES * sizeof(*vals));
            at->values = vals;
        }
        if (at->nvalues < COORD_MAX_VALUES) {
            vals[at->nvalues].key = coord__strdup(&h->arena, store_row_text(r, 1));
            vals[at->nvalues].name = coord__strdup(&h->arena, store_row_text(r, 2));
            at->nvalues++;
        }
        break;
    }
    return 0;
}

void coord__service_copy_free(struct coord__service_copy *h)
{
    if (!h)
        return;
    coord__arena_free(&h->arena);
    cscc_free(h);
}

const struct coord_service *coord__service_of(const struct coord__service_copy *h)
{
    return &h->s;
}

struct coord__service_copy *coord__service_load(struct coord *c, const char *code,
                                                struct cscc_err *err)
{
    struct coord__service_copy *h = cscc_xcalloc(1, sizeof(*h));
    struct store_val k[1] = {STORE_TEXT(code)};

    h->s.attrs = h->attrs;
    if (store_exec(c->st, "read service",
                   "SELECT code, name, grp, description, keywords, department, deadline_hours, "
                   "weight, active, updated_at, private FROM coord_services WHERE code = ?",
                   k, 1, svc_row, h, err))
        goto fail;
    if (!h->s.code) {
        coord__ferr(err, CSCC_ENOENT, "service_code", "no service '%s' in the catalogue",
                    coord__s(code));
        goto fail;
    }
    if (store_exec(c->st, "read service",
                   "SELECT code, datatype, required, variable, description, datatype_description "
                   "FROM coord_service_attrs WHERE service = ? ORDER BY position",
                   k, 1, attr_row, h, err) ||
        store_exec(c->st, "read service",
                   "SELECT attr, key, name FROM coord_service_attr_values WHERE service = ? "
                   "ORDER BY attr, position",
                   k, 1, value_row, h, err))
        goto fail;
    return h;
fail:
    coord__service_copy_free(h);
    return NULL;
}

int coord_service_get(struct coord *c, const char *code, coord_service_fn fn, void *arg,
                      struct cscc_err *err)
{
    struct coord__service_copy *h = coord__service_load(c, code, err);
    int rc;

    if (!h)
        return err ? err->code : CSCC_ENOENT;
    rc = fn(arg, &h->s);
    coord__service_copy_free(h);
    return rc;
}

static int code_row(void *arg, const struct store_row *r)
{
    struct {
        char **codes;
        size_t n, cap;
    } *l = arg;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->codes = cscc_xrealloc(l->codes, l->cap * sizeof(*l->codes));
    }
    l->codes[l->n++] = cscc_xstrdup(store_row_text(r, 0));
    return 0;
}

int coord_service_each(struct coord *c, int with_inactive, coord_service_fn fn, void *arg,
                       struct cscc_err *err)
{
    struct {
        char **codes;
        size_t n, cap;
    } l = {NULL, 0, 0};
    struct store_val v[1] = {STORE_INT(with_inactive ? 0 : 1)};
    size_t i;
    int rc;

    rc = store_exec(c->st, "read services",
                    "SELECT code FROM coord_services WHERE active >= ? ORDER BY grp, code", v, 1,
                    code_row, &l, err);
    for (i = 0; !rc && i < l.n; i++)
        rc = coord_service_get(c, l.codes[i], fn, arg, err);
    for (i = 0; i < l.n; i++)
        cscc_free(l.codes[i]);
    cscc_free(l.codes);
    return rc;
}

json_t *coord_service_json(const struct coord_service *s, int with_attrs)
{
    json_t *o = json_object();
    char dl[32];
    size_t i, j;

    coord__jstr(o, "service_code", s->code);
    coord__jstr(o, "service_name", s->name);
    coord__jstr(o, "description", s->description);
    coord__jbool(o, "metadata", s->nattrs > 0);
    coord__jstr(o, "type", "realtime");
    coord__jstr(o, "keywords", s->keywords);
    coord__jstr(o, "group", s->group);
    coord__jstr(o, "department", s->department);
    coord__jint(o, "deadline_hours", s->deadline_hours);
    coord_format_deadline(s->deadline_hours, dl, sizeof(dl));
    coord__jstr(o, "deadline", dl);
    coord__jreal(o, "weight", s->weight);
    coord__jbool(o, "active", s->active);
    coord__jbool(o, "private", s->is_private);
    if (!with_attrs)
        return o;
    json_t *attrs = json_array();
    for (i = 0; i < s->nattrs; i++) {
        const struct coord_attr *at = &s->attrs[i];
        json_t *a = json_object();

        coord__jbool(a, "variable", at->variable);
        coord__jstr(a, "code", at->code);
        coord__jstr(a, "datatype", coord_datatype_name(at->datatype));
        coord__jbool(a, "required", at->required);
        coord__jstr(a, "datatype_description", at->datatype_description);
        coord__jint(a, "order", (int64_t)i + 1);
        coord__jstr(a, "description", at->description);
        if (is_list(at->datatype)) {
            json_t *vals = json_array();

            for (j = 0; j < at->nvalues; j++) {
                json_t *v = json_object();

                coord__jstr(v, "key", at->values[j].key);
                coord__jstr(v, "name", at->values[j].name);
                json_array_append_new(vals, v);
            }
            json_object_set_new(a, "values", vals);
        }
        json_array_append_new(attrs, a);
    }
    json_object_set_new(o, "attributes", attrs);
    return o;
}

/* ------------------------------------------------------------------------ */
/* Answers                                                                   */
/* ------------------------------------------------------------------------ */

static int has_key(const struct coord_attr *at, const char *v)
{
    size_t i;

    for (i = 0; i < at->nvalues; i++)
        if (!strcmp(at->values[i].key, v))
            return 1;
    return 0;
}

static int check_value(const struct coord_attr *at, const char *v, char *field,
                       struct cscc_err *err)
{
    struct cscc_tparse tp;
    double d;

    switch (at->datatype) {
    case COORD_DT_STRING: return coord__check_text(v, 255, 0, 1, field, err);
    case COORD_DT_TEXT: return coord__check_text(v, 4000, 0, 0, field, err);
    case COORD_DT_NUMBER:
        if (*v == ' ' || strlen(v) > 64 || cscc_parse_double(v, &d))
            return coord__ferr(err, CSCC_EINVAL, field, "%s must be a number, not '%.60s'", field,
                               v);
        return 0;
    case COORD_DT_DATETIME:
        if (strlen(v) > 64 || cscc_parse_datetime(v, strlen(v), &tp) || v[4] != '-')
            return coord__ferr(err, CSCC_EINVAL, field,
                               "%s must be an ISO 8601 time (2026-03-02T09:15:00-06:00), not "
                               "'%.60s'",
                               field, v);
        return 0;
    case COORD_DT_SINGLEVALUELIST:
    case COORD_DT_MULTIVALUELIST:
        if (!has_key(at, v))
            return coord__ferr(err, CSCC_EINVAL, field, "%s has no value '%.60s'", field, v);
        return 0;
    default: return coord__ferr(err, CSCC_EINTERNAL, field, "unknown datatype");
    }
}

int coord_answers_check(const struct coord_service *s, const struct coord_answer *ans, size_t n,
                        struct cscc_err *err)
{
    char field[96];
    size_t i, j, k;
    int rc;

    if (n && !ans)
        return cscc_err_set(err, CSCC_EINVAL, "answers missing");
    if (n > COORD_MAX_ATTRS * COORD_MAX_VALUES)
        return coord__ferr(err, CSCC_EINVAL, "attribute", "too many answers (%zu)", n);
    for (i = 0; i < n; i++) {
        const struct coord_attr *at = NULL;

        snprintf(field, sizeof(field), "attribute[%.60s]", coord__s(ans[i].attr));
        for (k = 0; k < s->nattrs; k++)
            if (ans[i].attr && !strcmp(s->attrs[k].code, ans[i].attr))
                at = &s->attrs[k];
        if (!at || !at->variable)
            return coord__ferr(err, CSCC_EINVAL, field, "service '%s' asks no question '%.60s'",
                               s->code, coord__s(ans[i].attr));
        if (!ans[i].value)
            return coord__ferr(err, CSCC_EINVAL, field, "%s has no value", field);
        if ((rc = check_value(at, ans[i].value, field, err)))
            return rc;
        for (j = 0; j < i; j++) {
            if (strcmp(ans[j].attr, at->code))
                continue;
            if (at->datatype != COORD_DT_MULTIVALUELIST)
                return coord__ferr(err, CSCC_EINVAL, field, "%s takes one answer", field);
            if (!strcmp(ans[j].value, ans[i].value))
                return coord__ferr(err, CSCC_EINVAL, field, "%s has '%.60s' twice", field,
                                   ans[i].value);
        }
    }
    for (k = 0; k < s->nattrs; k++) {
        const struct coord_attr *at = &s->attrs[k];
        int seen = 0;

        if (!at->required || !at->variable)
            continue;
        for (i = 0; i < n && !seen; i++)
            seen = ans[i].attr && !strcmp(ans[i].attr, at->code) && ans[i].value &&
                   (ans[i].value[0] || is_list(at->datatype));
        if (!seen) {
            snprintf(field, sizeof(field), "attribute[%s]", at->code);
            return coord__ferr(err, CSCC_EINVAL, field, "%s is required: %s", field,
                               at->description);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Reading a catalogue                                                       */
/* ------------------------------------------------------------------------ */

struct coord_service_parsed {
    struct coord_service s;
    struct coord_attr attrs[COORD_MAX_ATTRS];
    struct coord_attr_value values[COORD_MAX_ATTRS][COORD_MAX_VALUES];
};

const struct coord_service *coord_service_parsed_get(const struct coord_service_parsed *p)
{
    return &p->s;
}

void coord_service_parsed_free(struct coord_service_parsed *p)
{
    cscc_free(p);
}

static int jbool(const json_t *o, const char *key, int def, int *out, const char *field,
                 struct cscc_err *err)
{
    const json_t *v = json_object_get(o, key);

    *out = def;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return coord__ferr(err, CSCC_EINVAL, field, "%s must be true or false", field);
    *out = json_is_true(v);
    return 0;
}

static int parse_attr(const json_t *j, struct coord_attr *at, struct coord_attr_value *vals,
                      size_t i, struct cscc_err *err)
{
    static const char *const keys[] = {"code",     "datatype",    "required",
                                       "variable", "description", "datatype_description",
                                       "values",   "order",       NULL};
    char prefix[48], field[96];
    const char *dt = NULL;
    const json_t *values;
    size_t k;
    int rc, t;

    snprintf(prefix, sizeof(prefix), "attributes[%zu]", i);
    if (!json_is_object(j))
        return coord__ferr(err, CSCC_EINVAL, prefix, "%s must be an object", prefix);
    if ((rc = coord__jcheck_keys(j, keys, prefix, err)))
        return rc;
#define STR(key, dst)                                                                              \
    (snprintf(field, sizeof(field), "%s.%s", prefix, key),                                         \
     coord__jget_str(j, key, &(dst), field, err))
    if ((rc = STR("code", at->code)) || (rc = STR("datatype", dt)) ||
        (rc = STR("description", at->description)) ||
        (rc = STR("datatype_description", at->datatype_description)))
        return rc;
    snprintf(field, sizeof(field), "%s.datatype", prefix);
    if ((t = coord_datatype_by_name(dt ? dt : "string")) < 0)
        return coord__ferr(err, CSCC_EINVAL, field,
                           "%s must be string, number, datetime, text, singlevaluelist or "
                           "multivaluelist, not '%s'",
                           field, dt);
    at->datatype = (enum coord_datatype)t;
    snprintf(field, sizeof(field), "%s.required", prefix);
    if ((rc = jbool(j, "required", 0, &at->required, field, err)))
        return rc;
    snprintf(field, sizeof(field), "%s.variable", prefix);
    if ((rc = jbool(j, "variable", 1, &at->variable, field, err)))
        return rc;
    values = json_object_get(j, "values");
    at->values = vals;
    at->nvalues = 0;
    if (values && !json_is_null(values)) {
        snprintf(field, sizeof(field), "%s.values", prefix);
        if (!json_is_array(values))
            return coord__ferr(err, CSCC_EINVAL, field, "%s must be an array", field);
        if (json_array_size(values) > COORD_MAX_VALUES)
            return coord__ferr(err, CSCC_EINVAL, field, "at most %d values", COORD_MAX_VALUES);
        for (k = 0; k < json_array_size(values); k++) {
            static const char *const vkeys[] = {"key", "name", NULL};
            const json_t *v = json_array_get(values, k);
            char vp[80];

            snprintf(vp, sizeof(vp), "%s.values[%zu]", prefix, k);
            if (!json_is_object(v))
                return coord__ferr(err, CSCC_EINVAL, vp, "%s must be an object", vp);
            if ((rc = coord__jcheck_keys(v, vkeys, vp, err)))
                return rc;
            snprintf(field, sizeof(field), "%s.key", vp);
            if ((rc = coord__jget_str(v, "key", &vals[k].key, field, err)))
                return rc;
            snprintf(field, sizeof(field), "%s.name", vp);
            if ((rc = coord__jget_str(v, "name", &vals[k].name, field, err)))
                return rc;
            if (!vals[k].name)
                vals[k].name = vals[k].key;
            at->nvalues++;
        }
    }
#undef STR
    return 0;
}

struct coord_service_parsed *coord_service_from_json(const json_t *j, struct cscc_err *err)
{
    static const char *const keys[] = {
        "service_code",   "service_name", "group",  "description", "keywords",
        "department",     "deadline",     "weight", "active",      "attributes",
        "deadline_hours", "metadata",     "type",   "private",     NULL};
    struct coord_service_parsed *p = cscc_xcalloc(1, sizeof(*p));
    struct coord_service *s = &p->s;
    const json_t *v, *attrs;
    size_t i;

    s->attrs = p->attrs;
    if (!json_is_object(j)) {
        coord__ferr(err, CSCC_EINVAL, "", "a service must be a JSON object");
        goto fail;
    }
    if (coord__jcheck_keys(j, keys, "", err) ||
        coord__jget_str(j, "service_code", &s->code, "service_code", err) ||
        coord__jget_str(j, "service_name", &s->name, "service_name", err) ||
        coord__jget_str(j, "group", &s->group, "group", err) ||
        coord__jget_str(j, "description", &s->description, "description", err) ||
        coord__jget_str(j, "keywords", &s->keywords, "keywords", err) ||
        coord__jget_str(j, "department", &s->department, "department", err) ||
        jbool(j, "active", 1, &s->active, "active", err) ||
        jbool(j, "private", 0, &s->is_private, "private", err))
        goto fail;
    v = json_object_get(j, "deadline");
    if (!v)
        v = json_object_get(j, "deadline_hours");
    if (json_is_integer(v)) {
        json_int_t h = json_integer_value(v);

        s->deadline_hours = h > 0 && h <= 365 * 24 ? (int)h : -1;
    } else if (!json_is_string(v) ||
               coord_parse_deadline(json_string_value(v), &s->deadline_hours)) {
        s->deadline_hours = -1;
    }
    if (s->deadline_hours < 0) {
        coord__ferr(err, CSCC_EINVAL, "deadline",
                    "deadline must be hours (48) or text like \"48h\" or \"3d\", up to 365 days");
        goto fail;
    }
    v = json_object_get(j, "weight");
    s->weight = 1;
    if (v && !json_is_null(v)) {
        if (!json_is_number(v)) {
            coord__ferr(err, CSCC_EINVAL, "weight", "weight must be a number");
            goto fail;
        }
        s->weight = json_number_value(v);
    }
    attrs = json_object_get(j, "attributes");
    if (attrs && !json_is_null(attrs)) {
        if (!json_is_array(attrs)) {
            coord__ferr(err, CSCC_EINVAL, "attributes", "attributes must be an array");
            goto fail;
        }
        if (json_array_size(attrs) > COORD_MAX_ATTRS) {
            coord__ferr(err, CSCC_EINVAL, "attributes", "at most %d attributes", COORD_MAX_ATTRS);
            goto fail;
        }
        for (i = 0; i < json_array_size(attrs); i++) {
            if (parse_attr(json_array_get(attrs, i), &p->attrs[i], p->values[i], i, err))
                goto fail;
            s->nattrs++;
        }
    }
    return p;
fail:
    cscc_free(p);
    return NULL;
}

/* Prefixes err's field (and message) with the element's place in the document. */
static int in_element(struct cscc_err *err, const char *where)
{
    char field[sizeof(err->field)], msg[sizeof(err->msg)];

    if (!err)
        return CSCC_EINVAL;
    snprintf(field, sizeof(field), "%s%s%s", where, err->field[0] ? "." : "", err->field);
    snprintf(err->field, sizeof(err->field), "%s", field);
    snprintf(msg, sizeof(msg), "%s: %s", where, err->msg);
    snprintf(err->msg, sizeof(err->msg), "%s", msg);
    return err->code;
}

static int service_exists(struct coord *c, const char *code, struct cscc_err *err, int *exists)
{
    struct store_val v[1] = {STORE_TEXT(code)};
    int64_t n = 0;
    int rc =
        store_exec(c->st, "read services", "SELECT count(*) FROM coord_services WHERE code = ?", v,
                   1, count_row, &n, err);

    *exists = n > 0;
    return rc;
}

int coord_catalog_load_json(struct coord *c, const struct coord_actor *a, const json_t *doc,
                            int replace, struct coord_catalog_load *out, struct cscc_err *err)
{
    static const char *const keys[] = {"departments", "services", "comment", NULL};
    struct coord_catalog_load res = {0, 0, 0};
    const json_t *depts, *svcs;
    struct coord__tx tx;
    int64_t now = coord_now(c);
    char where[48];
    size_t i;
    int rc;

    if (out)
        *out = res;
    if ((rc = coord_require(a, COORD_CATALOG_EDIT, NULL, err)))
        return rc;
    if (!json_is_object(doc))
        return coord__ferr(err, CSCC_EINVAL, "", "a catalogue must be a JSON object");
    if ((rc = coord__jcheck_keys(doc, keys, "", err)))
        return rc;
    depts = json_object_get(doc, "departments");
    svcs = json_object_get(doc, "services");
    if ((depts && !json_is_array(depts)) || (svcs && !json_is_array(svcs)))
        return coord__ferr(err, CSCC_EINVAL,
                           depts && !json_is_array(depts) ? "departments" : "services",
                           "departments and services must be arrays");
    if ((rc = coord__tx_begin(c, &tx, "load catalogue", err)))
        return rc;
    for (i = 0; !rc && i < json_array_size(depts); i++) {
        static const char *const dkeys[] = {"code", "name", "active", NULL};
        const json_t *j = json_array_get(depts, i);
        struct coord_department d = {NULL, NULL, 1};

        snprintf(where, sizeof(where), "departments[%zu]", i);
        if (!json_is_object(j))
            rc = coord__ferr(err, CSCC_EINVAL, where, "%s must be an object", where);
        else if ((rc = coord__jcheck_keys(j, dkeys, "", err)) ||
                 (rc = coord__jget_str(j, "code", &d.code, "code", err)) ||
                 (rc = coord__jget_str(j, "name", &d.name, "name", err)) ||
                 (rc = jbool(j, "active", 1, &d.active, "active", err)) ||
                 (rc = check_department(&d, err)))
            rc = in_element(err, where);
        else if (!(rc = put_department(c, &d, now, err)))
            res.departments++;
    }
    for (i = 0; !rc && i < json_array_size(svcs); i++) {
        struct coord_service_parsed *p;
        int exists = 0;

        snprintf(where, sizeof(where), "services[%zu]", i);
        if (!(p = coord_service_from_json(json_array_get(svcs, i), err))) {
            rc = in_element(err, where);
            break;
        }
        if ((rc = check_service(c, &p->s, err)))
            rc = in_element(err, where);
        else if (!(rc = service_exists(c, p->s.code, err, &exists)) && exists && !replace)
            res.kept++;
        else if (!rc && !(rc = put_service(c, &p->s, now, err)))
            res.services++;
        coord_service_parsed_free(p);
    }
    rc = coord__tx_end(c, &tx, rc, err);
    if (!rc && out)
        *out = res;
    return rc;
}

int coord_catalog_load_file(struct coord *c, const struct coord_actor *a, const char *path,
                            int replace, struct coord_catalog_load *out, struct cscc_err *err)
{
    json_t *doc = cscc_json_load_file(path, 4u << 20, 32, err);
    int rc;

    if (!doc) {
        cscc_err_at(err, path, 0, 0, NULL);
        return err ? err->code : CSCC_EDATA;
    }
    rc = coord_catalog_load_json(c, a, doc, replace, out, err);
    if (rc)
        cscc_err_at(err, path, 0, 0, NULL);
    json_decref(doc);
    return rc;
}
