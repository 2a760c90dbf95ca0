/* funding.c - funding allocations and the spending against them: checks,
 * writes (one transaction each, audited inside it), CSV import, reads. */
#include "resources/res_int.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const res_strategies[RES_NSTRATEGIES] = {
    "employment",
    "community_revitalization",
    "violence_diversion",
    "violence_interruption",
    "social_services_navigation",
    "health_wellness",
    "education_youth",
};

int res_strategy_index(const char *s)
{
    char buf[64];
    size_t i, n = s ? strlen(s) : 0;

    if (!n || n >= sizeof(buf))
        return -1;
    for (i = 0; i < n; i++)
        buf[i] = (s[i] == '-' || s[i] == ' ') ? '_' : (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    for (i = 0; i < RES_NSTRATEGIES; i++)
        if (!strcmp(buf, res_strategies[i]))
            return (int)i;
    return -1;
}

int res_parse_amount(const char *s, int64_t *cents)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;

    if (!s)
        return CSCC_EINVAL;
    if (*s == '$')
        s++;
    for (; *s && *s != '.'; s++) {
        if (*s == ',' && digits)
            continue;
        if (!isdigit((unsigned char)*s) || whole > (INT64_MAX / 100 - 9) / 10)
            return CSCC_EINVAL;
        whole = whole * 10 + (*s - '0');
        digits++;
    }
    if (*s == '.')
        for (s++; *s; s++) {
            if (!isdigit((unsigned char)*s) || ++fdigits > 2)
                return CSCC_EINVAL;
            frac = frac * 10 + (*s - '0');
        }
    if (!digits || (fdigits == 0 && s[-1] == '.'))
        return CSCC_EINVAL;
    if (fdigits == 1)
        frac *= 10;
    *cents = whole * 100 + frac;
    return 0;
}

void res_format_amount(int64_t cents, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%lld.%02lld", cents < 0 ? "-" : "", (long long)llabs(cents / 100),
             (long long)llabs(cents % 100));
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                    */
/* ------------------------------------------------------------------------ */

static int text_field(const char *v, size_t min, size_t max, const char *field,
                      struct cscc_err *err)
{
    size_t n = v ? strlen(v) : 0, at;

    if (n < min || n > max) {
        if (n < min)
            cscc_err_set(err, CSCC_EINVAL, "%s is required", field);
        else
            cscc_err_set(err, CSCC_EINVAL, "%s is longer than %zu characters", field, max);
        return res_err_field(err, field);
    }
    if ((at = strbuf_utf8_invalid(v, n)) != SIZE_MAX) {
        cscc_err_set(err, CSCC_EINVAL,
                     "%s is not UTF-8: byte %zu (0x%02X) does not begin a character; "
                     "convert the file to UTF-8",
                     field, at + 1, (unsigned char)v[at]);
        return res_err_field(err, field);
    }
    return 0;
}

static int exists_fn(void *arg, const struct store_row *row)
{
    *(int64_t *)arg = store_row_int(row, 0);
    return 0;
}

int res_check_area(struct store *st, int area, const char *field, struct cscc_err *err)
{
    struct store_val v = STORE_INT(area);
    int64_t n = 0;
    int rc;

    if (area < 1 || area > 254) {
        cscc_err_set(err, CSCC_EINVAL, "%s: community area %d is not a number from 1 to 254", field,
                     area);
        return res_err_field(err, field);
    }
    if ((rc = store_exec(st, "check area", "SELECT COUNT(*) FROM areas WHERE number = ?", &v, 1,
                         exists_fn, &n, err)))
        return rc;
    if (!n) {
        cscc_err_set(err, CSCC_ENOENT, "%s: there is no community area %d", field, area);
        return res_err_field(err, field);
    }
    return 0;
}

int res_check_org(struct store *st, int64_t org, const char *field, struct cscc_err *err)
{
    struct store_val v = STORE_INT(org);
    int64_t n = 0;
    int rc;

    if ((rc = store_exec(st, "check organization", "SELECT COUNT(*) FROM coord_orgs WHERE id = ?",
                         &v, 1, exists_fn, &n, err)))
        return rc;
    if (!n) {
        cscc_err_set(err, CSCC_ENOENT, "%s: there is no organization %lld (see 'cscc org list')",
                     field, (long long)org);
        return res_err_field(err, field);
    }
    return 0;
}

int res_check_areas(struct store *st, const int *areas, size_t n, struct cscc_err *err)
{
    size_t i, j;
    char field[32];
    int rc;

    if (n > RES_MAX_AREAS) {
        cscc_err_set(err, CSCC_EINVAL, "at most %d areas", RES_MAX_AREAS);
        return res_err_field(err, "areas");
    }
    for (i = 0; i < n; i++) {
        snprintf(field, sizeof(field), "areas[%zu]", i);
        if ((rc = res_check_area(st, areas[i], field, err)))
            return rc;
        for (j = 0; j < i; j++)
            if (areas[j] == areas[i]) {
                cscc_err_set(err, CSCC_EINVAL, "area %d is listed twice", areas[i]);
                return res_err_field(err, field);
            }
    }
    return 0;
}

/* Checks the fields of a named by fields. */
static int check_alloc(struct store *st, const struct res_alloc *a, unsigned fields,
                       struct cscc_err *err)
{
    int rc = 0;

    if ((fields & RES_A_SOURCE) && (rc = text_field(a->source, 1, 200, "source", err)))
        return rc;
    if ((fields & RES_A_DEPARTMENT) && (rc = text_field(a->department, 1, 200, "department", err)))
        return rc;
    if ((fields & RES_A_PROGRAM) && (rc = text_field(a->program, 1, 200, "program", err)))
        return rc;
    if ((fields & RES_A_STRATEGY) && res_strategy_index(a->strategy) < 0) {
        cscc_err_set(err, CSCC_EINVAL,
                     "strategy '%.60s' is not one of employment, community_revitalization, "
                     "violence_diversion, violence_interruption, social_services_navigation, "
                     "health_wellness, education_youth",
                     a->strategy ? a->strategy : "");
        return res_err_field(err, "strategy");
    }
    if (fields & RES_A_RECIPIENT) {
        if ((rc = text_field(a->recipient, 0, 200, "recipient", err)))
            return rc;
        if (a->org_id && (rc = res_check_org(st, a->org_id, "organization", err)))
            return rc;
    }
    if ((fields & RES_A_AMOUNT) && a->amount_cents < 0) {
        cscc_err_set(err, CSCC_EINVAL, "amount must not be negative");
        return res_err_field(err, "amount");
    }
    if ((fields & RES_A_PERIOD) && a->end_day < a->start_day) {
        cscc_err_set(err, CSCC_EINVAL, "the period ends before it starts");
        return res_err_field(err, "end");
    }
    if ((fields & RES_A_AREAS) && (rc = res_check_areas(st, a->areas, a->nareas, err)))
        return rc;
    if ((fields & RES_A_NOTES) && (rc = text_field(a->notes, 0, 4000, "notes", err)))
        return rc;
    return 0;
}

static int put_areas(struct store *st, const char *del, const char *ins, int64_t id,
                     const int *areas, size_t n, struct cscc_err *err)
{
    struct store_val v[2] = {STORE_INT(id), STORE_NULL_V};
    size_t i;
    int rc;

    if ((rc = store_exec(st, "store areas", del, v, 1, NULL, NULL, err)))
        return rc;
    for (i = 0; i < n; i++) {
        v[1] = STORE_INT(areas[i]);
        if ((rc = store_exec(st, "store areas", ins, v, 2, NULL, NULL, err)))
            return rc;
    }
    return 0;
}

static int put_alloc_areas(struct store *st, int64_t id, const int *areas, size_t n,
                           struct cscc_err *err)
{
    return put_areas(st, "DELETE FROM res_allocation_areas WHERE alloc_id = ?",
                     "INSERT INTO res_allocation_areas (alloc_id, area) VALUES (?, ?)", id, areas,
                     n, err);
}

/* Inserts a (checked) inside the caller's transaction. */
static int insert_alloc(struct store *st, const struct access_actor *who, const struct res_alloc *a,
                        int64_t now, int64_t *id, struct cscc_err *err)
{
    struct store_val v[14];
    int64_t newid = 0;
    int rc;

    v[0] = STORE_TEXT(a->ref);
    v[1] = STORE_TEXT(a->source);
    v[2] = STORE_TEXT(a->department);
    v[3] = STORE_TEXT(a->program);
    v[4] = STORE_TEXT(res_strategies[res_strategy_index(a->strategy)]);
    v[5] = STORE_OPT_INT(a->org_id != 0, a->org_id);
    v[6] = STORE_TEXT(a->recipient ? a->recipient : "");
    v[7] = STORE_INT(a->amount_cents);
    v[8] = STORE_INT(a->start_day);
    v[9] = STORE_INT(a->end_day);
    v[10] = STORE_TEXT(a->notes ? a->notes : "");
    v[11] = STORE_TEXT(who->name);
    v[12] = STORE_INT(now);
    v[13] = STORE_INT(now);
    rc = store_exec(st, "store allocation",
                    "INSERT INTO res_allocations (ref, source, department, program, strategy, "
                    "org_id, recipient, amount_cents, start_day, end_day, notes, created_by, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    v, 14, exists_fn, &newid, err);
    if (rc == CSCC_EEXIST) {
        cscc_err_set(err, CSCC_EEXIST, "an allocation with ref '%.100s' is already stored", a->ref);
        return res_err_field(err, "ref");
    }
    if (rc || (rc = put_alloc_areas(st, newid, a->areas, a->nareas, err)))
        return rc;
    *id = newid;
    return 0;
}

int res_alloc_add(struct store *st, const struct access_actor *who, const struct res_alloc *a,
                  int64_t *id, struct cscc_err *err)
{
    char obj[64], detail[512], amt[32];
    int64_t now = access_now();
    int rc;

    if ((rc = text_field(a->ref, 1, 100, "ref", err)) || (rc = check_alloc(st, a, ~0u, err)))
        return rc;
    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = insert_alloc(st, who, a, now, id, err)))
        goto fail;
    snprintf(obj, sizeof(obj), "allocation:%lld", (long long)*id);
    res_format_amount(a->amount_cents, amt, sizeof(amt));
    snprintf(detail, sizeof(detail), "ref %.100s, %s, %.100s, amount %s", a->ref, a->strategy,
             a->program, amt);
    if ((rc = access_audit(st, who, "funding.add", obj, "ok", detail, now, err)) ||
        (rc = store_commit(st, err)))
        goto fail;
    return 0;
fail:
    store_rollback(st);
    return rc;
}

int res_alloc_update(struct store *st, const struct access_actor *who, int64_t id,
                     const struct res_alloc *a, unsigned fields, struct cscc_err *err)
{
    static const char *const sql[] = {
        "UPDATE res_allocations SET source = ? WHERE id = ?",
        "UPDATE res_allocations SET department = ? WHERE id = ?",
        "UPDATE res_allocations SET program = ? WHERE id = ?",
        "UPDATE res_allocations SET strategy = ? WHERE id = ?",
    };
    struct store_val v[3];
    json_t *before = NULL;
    int64_t now = access_now(), n = 0, start = 0, end = 0;
    int rc;

    if (!fields) {
        cscc_err_set(err, CSCC_EINVAL, "nothing to change");
        return rc = CSCC_EINVAL;
    }
    v[0] = STORE_INT(id);
    if ((rc = store_exec(st, "read allocation", "SELECT COUNT(*) FROM res_allocations WHERE id = ?",
                         v, 1, exists_fn, &n, err)))
        return rc;
    if (!n)
        return cscc_err_set(err, CSCC_ENOENT, "there is no allocation %lld", (long long)id);
    if ((rc = check_alloc(st, a, fields, err)))
        return rc;
    if ((rc = res_begin_change(st, RES_K_ALLOC, id, &before, err)))
        return rc;
    for (unsigned b = 0; b < 4; b++) {
        const char *val[] = {
            a->source, a->department, a->program,
            (fields & RES_A_STRATEGY) ? res_strategies[res_strategy_index(a->strategy)] : NULL};

        if (!(fields & (1u << b)))
            continue;
        v[0] = STORE_TEXT(val[b]);
        v[1] = STORE_INT(id);
        if ((rc = store_exec(st, "update allocation", sql[b], v, 2, NULL, NULL, err)))
            goto fail;
    }
    if (fields & RES_A_RECIPIENT) {
        v[0] = STORE_OPT_INT(a->org_id != 0, a->org_id);
        v[1] = STORE_TEXT(a->recipient ? a->recipient : "");
        v[2] = STORE_INT(id);
        if ((rc = store_exec(st, "update allocation",
                             "UPDATE res_allocations SET org_id = ?, recipient = ? WHERE id = ?", v,
                             3, NULL, NULL, err)))
            goto fail;
    }
    if (fields & RES_A_AMOUNT) {
        v[0] = STORE_INT(a->amount_cents);
        v[1] = STORE_INT(id);
        if ((rc = store_exec(st, "update allocation",
                             "UPDATE res_allocations SET amount_cents = ? WHERE id = ?", v, 2, NULL,
                             NULL, err)))
            goto fail;
    }
    if (fields & RES_A_PERIOD) {
        start = a->start_day;
        end = a->end_day;
        v[0] = STORE_INT(start);
        v[1] = STORE_INT(end);
        v[2] = STORE_INT(id);
        if ((rc = store_exec(st, "update allocation",
                             "UPDATE res_allocations SET start_day = ?, end_day = ? WHERE id = ?",
                             v, 3, NULL, NULL, err)))
            goto fail;
    }
    if ((fields & RES_A_AREAS) && (rc = put_alloc_areas(st, id, a->areas, a->nareas, err)))
        goto fail;
    if (fields & RES_A_NOTES) {
        v[0] = STORE_TEXT(a->notes ? a->notes : "");
        v[1] = STORE_INT(id);
        if ((rc = store_exec(st, "update allocation",
                             "UPDATE res_allocations SET notes = ? WHERE id = ?", v, 2, NULL, NULL,
                             err)))
            goto fail;
    }
    v[0] = STORE_INT(now);
    v[1] = STORE_INT(id);
    if ((rc = store_exec(st, "update allocation",
                         "UPDATE res_allocations SET updated_at = ? WHERE id = ?", v, 2, NULL, NULL,
                         err)))
        goto fail;
    return res_end_change(st, who, "funding.edit", RES_K_ALLOC, id, before, 0, now, err);
fail:
    store_rollback(st);
    json_decref(before);
    return rc;
}

/* Inserts spending (checked) inside the caller's transaction. */
static int insert_spend(struct store *st, const struct access_actor *who, int64_t alloc_id,
                        int64_t day, int64_t cents, const char *note, int64_t now, int64_t *id,
                        struct cscc_err *err)
{
    struct store_val v[6] = {STORE_INT(alloc_id),          STORE_INT(day),        STORE_INT(cents),
                             STORE_TEXT(note ? note : ""), STORE_TEXT(who->name), STORE_INT(now)};

    return store_exec(st, "store spending",
                      "INSERT INTO res_spending (alloc_id, day, amount_cents, note, created_by, "
                      "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                      v, 6, exists_fn, id, err);
}

static int check_spend(int64_t cents, const char *note, struct cscc_err *err)
{
    if (cents <= 0) {
        cscc_err_set(err, CSCC_EINVAL, "a spending amount must be more than zero");
        return res_err_field(err, "amount");
    }
    return text_field(note, 0, 1000, "note", err);
}

int res_spend(struct store *st, const struct access_actor *who, int64_t alloc_id, int64_t day,
              int64_t cents, const char *note, int64_t *id, struct cscc_err *err)
{
    struct store_val v = STORE_INT(alloc_id);
    char obj[64], detail[128], amt[32];
    int64_t now = access_now(), n = 0, sid = 0;
    int rc;

    if ((rc = check_spend(cents, note, err)))
        return rc;
    if ((rc = store_exec(st, "read allocation", "SELECT COUNT(*) FROM res_allocations WHERE id = ?",
                         &v, 1, exists_fn, &n, err)))
        return rc;
    if (!n)
        return cscc_err_set(err, CSCC_ENOENT, "there is no allocation %lld", (long long)alloc_id);
    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = insert_spend(st, who, alloc_id, day, cents, note, now, &sid, err)))
        goto fail;
    snprintf(obj, sizeof(obj), "allocation:%lld", (long long)alloc_id);
    res_format_amount(cents, amt, sizeof(amt));
    snprintf(detail, sizeof(detail), "spending %lld: %s", (long long)sid, amt);
    if ((rc = access_audit(st, who, "funding.spend", obj, "ok", detail, now, err)) ||
        (rc = store_commit(st, err)))
        goto fail;
    if (id)
        *id = sid;
    return 0;
fail:
    store_rollback(st);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Import                                                                    */
/* ------------------------------------------------------------------------ */

#define MAXCOL 12

/* A CSV file's header mapped onto known column names. */
struct cols {
    int at[MAXCOL]; /* field index of names[i], or -1 */
};

static int map_header(const struct csv_row *h, const char *const *names, size_t nnames,
                      const char *const *required, const char *path, struct cols *c,
                      struct cscc_err *err)
{
    size_t i, j;

    for (i = 0; i < nnames; i++)
        c->at[i] = -1;
    for (j = 0; j < h->nfields; j++) {
        const struct csv_field *f = &h->fields[j];
        int found = 0;

        for (i = 0; i < nnames; i++)
            if (strlen(names[i]) == f->len && !strncasecmp(names[i], f->p, f->len)) {
                c->at[i] = (int)j;
                found = 1;
            }
        if (!found) {
            cscc_err_set(err, CSCC_EDATA, "%s: row 1, column %zu: unknown column '%.*s'", path,
                         j + 1, (int)(f->len > 60 ? 60 : f->len), f->p);
            err->row = 1;
            err->column = (int)j + 1;
            return CSCC_EDATA;
        }
    }
    for (i = 0; required[i]; i++)
        for (j = 0; j < nnames; j++)
            if (!strcmp(names[j], required[i]) && c->at[j] < 0) {
                cscc_err_set(err, CSCC_EDATA, "%s: row 1: the header has no column '%s'", path,
                             required[i]);
                err->row = 1;
                return CSCC_EDATA;
            }
    return 0;
}

/* Field i of the row as a NUL-terminated, trimmed copy in buf ("" when absent). */
static const char *cell(const struct csv_row *r, const struct cols *c, int i, char *buf, size_t cap)
{
    const char *p;
    size_t n;

    buf[0] = '\0';
    if (c->at[i] < 0 || (size_t)c->at[i] >= r->nfields)
        return buf;
    p = r->fields[c->at[i]].p;
    n = r->fields[c->at[i]].len;
    while (n && isspace((unsigned char)*p))
        p++, n--;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

int res_parse_areas(const char *s, int *areas, size_t *n, struct cscc_err *err)
{
    *n = 0;
    while (*s) {
        char *end;
        long v;

        while (*s == ' ' || *s == ';' || *s == ',')
            s++;
        if (!*s)
            break;
        v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 254 || (*end && *end != ';' && *end != ',' && *end != ' ')) {
            cscc_err_set(err, CSCC_EINVAL,
                         "areas are community area numbers separated by ';', not '%.40s'", s);
            return res_err_field(err, "areas");
        }
        if (*n == RES_MAX_AREAS) {
            cscc_err_set(err, CSCC_EINVAL, "at most %d areas", RES_MAX_AREAS);
            return res_err_field(err, "areas");
        }
        areas[(*n)++] = (int)v;
        s = end;
    }
    return 0;
}

/* Turns a field error of row into a message naming file, row and column. */
static int row_error(struct cscc_err *err, const char *path, const struct csv_row *r,
                     const struct cols *c, const char *const *names, size_t nnames)
{
    char msg[sizeof(err->msg)];
    size_t i;
    int col = 0;

    for (i = 0; i < nnames; i++)
        if (err->field[0] && !strncmp(err->field, names[i], strlen(names[i])) && c->at[i] >= 0)
            col = c->at[i] + 1;
    snprintf(msg, sizeof(msg), "%.200s: row %llu", path, (unsigned long long)r->row);
    if (col)
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ", column %d (%s)", col, err->field);
    snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), ": %.280s", err->msg);
    memcpy(err->msg, msg, sizeof(msg));
    /* A row that cannot be stored is bad data, whatever the field's check said. */
    if (err->code == CSCC_EINVAL || err->code == CSCC_ENOENT || err->code == CSCC_EEXIST)
        err->code = CSCC_EDATA;
    snprintf(err->file, sizeof(err->file), "%s", path);
    err->row = r->row;
    err->line = r->line;
    err->column = col;
    return err->code;
}

/* Finds an organization by id or exact name (any case). */
static int find_org(struct store *st, const char *s, int64_t *id, struct cscc_err *err)
{
    struct store_val v;
    char *end;
    long long n = strtoll(s, &end, 10);
    int rc;

    *id = 0;
    if (*s && !*end && n > 0) {
        if ((rc = res_check_org(st, n, "organization", err)))
            return rc;
        *id = n;
        return 0;
    }
    v = STORE_TEXT(s);
    if ((rc = store_exec(st, "find organization",
                         "SELECT id FROM coord_orgs WHERE lower(name) = lower(?)", &v, 1, exists_fn,
                         id, err)))
        return rc;
    if (!*id) {
        cscc_err_set(err, CSCC_ENOENT, "there is no organization named '%.100s'", s);
        return res_err_field(err, "organization");
    }
    return 0;
}

static int parse_day_field(const char *s, const char *field, int64_t *day, struct cscc_err *err)
{
    if (cscc_parse_day(s, day)) {
        cscc_err_set(err, CSCC_EINVAL, "%s takes a date YYYY-MM-DD, not '%.40s'", field, s);
        return res_err_field(err, field);
    }
    return 0;
}

enum {
    C_REF,
    C_SOURCE,
    C_DEPT,
    C_PROGRAM,
    C_STRATEGY,
    C_ORG,
    C_RECIP,
    C_AMOUNT,
    C_START,
    C_END,
    C_AREAS,
    C_NOTES,
    C_NALLOC
};
static const char *const alloc_cols[C_NALLOC] = {
    "ref",       "source", "department", "program", "strategy", "organization",
    "recipient", "amount", "start",      "end",     "areas",    "notes",
};
static const char *const alloc_required[] = {
    "ref", "source", "department", "program", "strategy", "amount", "start", "end", NULL};

#define CELL 4096 /* a cell's bytes kept (longer text is cut: the checks then refuse it) */

/* The rows of one CSV file: its columns, the required ones, and what stores a row. */
struct import_spec {
    const char *const *cols;
    size_t ncols;
    const char *const *required;
    int (*row)(struct store *st, const struct access_actor *who, int64_t now, char (*b)[CELL],
               struct cscc_err *err);
};

/* Stores the rows of path by sp->row, inside the caller's transaction; the
 * first bad row stops it with its file, row and column. */
static int import_csv(struct store *st, const struct access_actor *who, const char *path,
                      int64_t now, const struct import_spec *sp, size_t *count,
                      struct cscc_err *err)
{
    struct csv_reader *rd;
    struct csv_row row;
    struct cols c;
    char(*b)[CELL];
    int rc, first = 1;

    if (!(rd = csv_open_file(path, NULL, err)))
        return err->code;
    b = cscc_xcalloc(MAXCOL, sizeof(*b));
    while ((rc = csv_next(rd, &row, err)) > 0) {
        size_t i;

        if (first) {
            first = 0;
            if ((rc = map_header(&row, sp->cols, sp->ncols, sp->required, path, &c, err)))
                break;
            continue;
        }
        for (i = 0; i < sp->ncols; i++)
            cell(&row, &c, (int)i, b[i], CELL);
        if ((rc = sp->row(st, who, now, b, err))) {
            rc = row_error(err, path, &row, &c, sp->cols, sp->ncols);
            break;
        }
        (*count)++;
    }
    if (rc < 0 && !err->file[0])
        snprintf(err->file, sizeof(err->file), "%s", path);
    if (!rc && first)
        rc = cscc_err_set(err, CSCC_EDATA, "%s: the file is empty (no header)", path);
    free(b);
    csv_close(rd);
    return rc < 0 ? rc : 0;
}

static int amount_cell(const char *s, int64_t *cents, struct cscc_err *err)
{
    if (!res_parse_amount(s, cents))
        return 0;
    cscc_err_set(err, CSCC_EINVAL, "amount is dollars like 1234.56, not '%.40s'", s);
    return res_err_field(err, "amount");
}

static int alloc_import_row(struct store *st, const struct access_actor *who, int64_t now,
                            char (*b)[CELL], struct cscc_err *err)
{
    struct res_alloc a;
    int areas[RES_MAX_AREAS], rc;
    int64_t id;

    memset(&a, 0, sizeof(a));
    a.ref = b[C_REF];
    a.source = b[C_SOURCE];
    a.department = b[C_DEPT];
    a.program = b[C_PROGRAM];
    a.strategy = b[C_STRATEGY];
    a.recipient = b[C_RECIP];
    a.notes = b[C_NOTES];
    a.areas = areas;
    if ((rc = text_field(a.ref, 1, 100, "ref", err)) ||
        (b[C_ORG][0] && (rc = find_org(st, b[C_ORG], &a.org_id, err))) ||
        (rc = amount_cell(b[C_AMOUNT], &a.amount_cents, err)) ||
        (rc = parse_day_field(b[C_START], "start", &a.start_day, err)) ||
        (rc = parse_day_field(b[C_END], "end", &a.end_day, err)) ||
        (rc = res_parse_areas(b[C_AREAS], areas, &a.nareas, err)) ||
        (rc = check_alloc(st, &a, ~0u, err)))
        return rc;
    return insert_alloc(st, who, &a, now, &id, err);
}

enum { S_REF, S_DAY, S_AMOUNT, S_NOTE, S_NCOLS };
static const char *const spend_cols[S_NCOLS] = {"ref", "day", "amount", "note"};
static const char *const spend_required[] = {"ref", "day", "amount", NULL};

static int spend_import_row(struct store *st, const struct access_actor *who, int64_t now,
                            char (*b)[CELL], struct cscc_err *err)
{
    struct store_val v = STORE_TEXT(b[S_REF]);
    int64_t alloc = 0, day, cents, id;
    int rc;

    if ((rc = store_exec(st, "find allocation", "SELECT id FROM res_allocations WHERE ref = ?", &v,
                         1, exists_fn, &alloc, err)))
        return rc;
    if (!alloc) {
        cscc_err_set(err, CSCC_ENOENT, "there is no allocation with ref '%.100s'", b[S_REF]);
        return res_err_field(err, "ref");
    }
    if ((rc = parse_day_field(b[S_DAY], "day", &day, err)) ||
        (rc = amount_cell(b[S_AMOUNT], &cents, err)) || (rc = check_spend(cents, b[S_NOTE], err)))
        return rc;
    return insert_spend(st, who, alloc, day, cents, b[S_NOTE], now, &id, err);
}

static const struct import_spec alloc_spec = {alloc_cols, C_NALLOC, alloc_required,
                                              alloc_import_row};
static const struct import_spec spend_spec = {spend_cols, S_NCOLS, spend_required,
                                              spend_import_row};

int res_import(struct store *st, const struct access_actor *who, const char *allocs,
               const char *spending, size_t *nalloc, size_t *nspend, struct cscc_err *err)
{
    char detail[600];
    size_t na = 0, ns = 0;
    int64_t now = access_now();
    int rc;

    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = import_csv(st, who, allocs, now, &alloc_spec, &na, err)) ||
        (spending && (rc = import_csv(st, who, spending, now, &spend_spec, &ns, err))))
        goto fail;
    snprintf(detail, sizeof(detail), "%zu allocations from %.250s, %zu spending entries%s%.250s",
             na, allocs, ns, spending ? " from " : "", spending ? spending : "");
    if ((rc = access_audit(st, who, "funding.import", "table:res_allocations", "ok", detail, now,
                           err)) ||
        (rc = store_commit(st, err)))
        goto fail;
    if (nalloc)
        *nalloc = na;
    if (nspend)
        *nspend = ns;
    return 0;
fail:
    store_rollback(st);
    snprintf(detail, sizeof(detail), "%.500s", err->msg);
    access_audit(st, who, "funding.import", "table:res_allocations", "failed", detail, now, NULL);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Reads                                                                     */
/* ------------------------------------------------------------------------ */

struct each_ctx {
    struct store *st;
    res_alloc_fn fn;
    void *arg;
    struct cscc_err *err;
    int found;
};

static int area_fn(void *arg, const struct store_row *row)
{
    struct res_int_list *l = arg;

    if (l->n < RES_MAX_AREAS)
        l->v[l->n++] = store_row_int(row, 0);
    return 0;
}

int res_int_list_read(struct store *st, const char *sql, int64_t id, struct res_int_list *l,
                      struct cscc_err *err)
{
    struct store_val v = STORE_INT(id);

    l->n = 0;
    return store_exec(st, "read list", sql, &v, 1, area_fn, l, err);
}

static int alloc_row(void *arg, const struct store_row *row)
{
    struct each_ctx *c = arg;
    struct res_alloc a;
    struct res_int_list l;
    int areas[RES_MAX_AREAS];
    size_t i;
    int rc;

    memset(&a, 0, sizeof(a));
    a.id = store_row_int(row, 0);
    a.ref = store_row_text(row, 1);
    a.source = store_row_text(row, 2);
    a.department = store_row_text(row, 3);
    a.program = store_row_text(row, 4);
    a.strategy = store_row_text(row, 5);
    a.org_id = store_row_int(row, 6);
    a.recipient = store_row_text(row, 7);
    a.amount_cents = store_row_int(row, 8);
    a.start_day = store_row_int(row, 9);
    a.end_day = store_row_int(row, 10);
    a.notes = store_row_text(row, 11);
    a.created_by = store_row_text(row, 12);
    a.created_at = store_row_int(row, 13);
    a.updated_at = store_row_int(row, 14);
    a.spent_cents = store_row_int(row, 15);
    a.org_name = store_row_text(row, 16);
    if ((rc = res_int_list_read(
             c->st, "SELECT area FROM res_allocation_areas WHERE alloc_id = ? ORDER BY area", a.id,
             &l, c->err)))
        return rc;
    for (i = 0; i < l.n; i++)
        areas[i] = (int)l.v[i];
    a.areas = areas;
    a.nareas = l.n;
    c->found = 1;
    return c->fn(c->arg, &a);
}

#define ALLOC_SELECT                                                                               \
    "SELECT a.id, a.ref, a.source, a.department, a.program, a.strategy, a.org_id, a.recipient, "   \
    "a.amount_cents, a.start_day, a.end_day, a.notes, a.created_by, a.created_at, a.updated_at, "  \
    "COALESCE((SELECT SUM(s.amount_cents) FROM res_spending s WHERE s.alloc_id = a.id), 0), "      \
    "COALESCE(o.name, '') FROM res_allocations a LEFT JOIN coord_orgs o ON o.id = a.org_id "

int res_alloc_each(struct store *st, const struct res_alloc_filter *f, res_alloc_fn fn, void *arg,
                   struct cscc_err *err)
{
    struct each_ctx c = {st, fn, arg, err, 0};
    struct store_val v[7];

    v[0] = STORE_TEXT(f && f->strategy ? f->strategy : NULL);
    v[1] = STORE_TEXT(f && f->department ? f->department : NULL);
    v[2] = STORE_INT(f ? f->area : 0);
    v[3] = STORE_INT(f && f->has_to ? f->to_day : INT64_MAX);
    v[4] = STORE_INT(f && f->has_from ? f->from_day : INT64_MIN);
    return store_exec(st, "list allocations",
                      ALLOC_SELECT
                      "WHERE (? IS NULL OR a.strategy = ?) AND (? IS NULL OR lower(a.department) = "
                      "lower(?)) AND (? = 0 OR NOT EXISTS (SELECT 1 FROM res_allocation_areas x "
                      "WHERE x.alloc_id = a.id) OR EXISTS (SELECT 1 FROM res_allocation_areas x "
                      "WHERE x.alloc_id = a.id AND x.area = ?)) AND a.start_day <= ? AND "
                      "a.end_day >= ? ORDER BY a.id",
                      (struct store_val[]){v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[4]}, 8,
                      alloc_row, &c, err);
}

int res_alloc_get(struct store *st, int64_t id, res_alloc_fn fn, void *arg, struct cscc_err *err)
{
    struct each_ctx c = {st, fn, arg, err, 0};
    struct store_val v = STORE_INT(id);
    int rc;

    if ((rc = store_exec(st, "read allocation", ALLOC_SELECT "WHERE a.id = ?", &v, 1, alloc_row, &c,
                         err)))
        return rc;
    if (!c.found)
        return cscc_err_set(err, CSCC_ENOENT, "there is no allocation %lld", (long long)id);
    return 0;
}

static json_t *day_json(int64_t day)
{
    char buf[16];

    cscc_format_day(day, buf);
    return json_string(buf);
}

json_t *res_alloc_json(const struct res_alloc *a)
{
    json_t *o = json_object(), *areas = json_array();
    size_t i;

    if (!o || !areas) {
        json_decref(o);
        json_decref(areas);
        return NULL;
    }
    for (i = 0; i < a->nareas; i++)
        json_array_append_new(areas, json_integer(a->areas[i]));
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "ref", json_string(a->ref));
    json_object_set_new(o, "source", json_string(a->source));
    json_object_set_new(o, "department", json_string(a->department));
    json_object_set_new(o, "program", json_string(a->program));
    json_object_set_new(o, "strategy", json_string(a->strategy));
    json_object_set_new(o, "organization", a->org_id ? json_integer(a->org_id) : json_null());
    json_object_set_new(o, "organization_name", json_string(a->org_name ? a->org_name : ""));
    json_object_set_new(o, "recipient", json_string(a->recipient ? a->recipient : ""));
    json_object_set_new(o, "amount", json_real((double)a->amount_cents / 100.0));
    json_object_set_new(o, "spent", json_real((double)a->spent_cents / 100.0));
    json_object_set_new(o, "start", day_json(a->start_day));
    json_object_set_new(o, "end", day_json(a->end_day));
    json_object_set_new(o, "areas", areas);
    json_object_set_new(o, "citywide", json_boolean(a->nareas == 0));
    json_object_set_new(o, "notes", json_string(a->notes ? a->notes : ""));
    return o;
}

static int spend_row(void *arg, const struct store_row *row)
{
    json_t *o = json_object();

    if (!o)
        return CSCC_ENOMEM;
    json_object_set_new(o, "id", json_integer(store_row_int(row, 0)));
    json_object_set_new(o, "day", day_json(store_row_int(row, 1)));
    json_object_set_new(o, "amount", json_real((double)store_row_int(row, 2) / 100.0));
    json_object_set_new(o, "note", json_string(store_row_text(row, 3)));
    json_array_append_new(arg, o);
    return 0;
}

int res_spending_json(struct store *st, int64_t id, json_t *arr, struct cscc_err *err)
{
    struct store_val v = STORE_INT(id);

    return store_exec(st, "read spending",
                      "SELECT id, day, amount_cents, note FROM res_spending WHERE alloc_id = ? "
                      "ORDER BY day, id",
                      &v, 1, spend_row, arr, err);
}
