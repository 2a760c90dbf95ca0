/* partners.c - partner organizations, engagement events and the coverage
 * report. */
#include "coord/partners.h"

#include "coord/catalog.h"
#include "coord/coord_int.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Sectors                                                                   */
/* ------------------------------------------------------------------------ */

const char *const coord_sectors[COORD_NSECTORS] = {
    "healthcare", "mental_health", "violence_reduction", "youth_services",    "victim_services",
    "education",  "faith",         "business",           "elected_officials", "city_services",
};

const char *const coord_sector_labels[COORD_NSECTORS] = {
    "Healthcare",        "Mental health", "Violence reduction",  "Youth services",
    "Victim services",   "Education",     "Faith organizations", "Local businesses",
    "Elected officials", "City services",
};

int coord_sector_index(const char *s)
{
    char buf[40];
    size_t i, n;

    if (!s || (n = strlen(s)) == 0 || n >= sizeof(buf))
        return -1;
    for (i = 0; i < n; i++)
        buf[i] = s[i] == '-' || s[i] == ' ' ? '_' : (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    for (i = 0; i < COORD_NSECTORS; i++)
        if (!strcmp(buf, coord_sectors[i]))
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Checks shared by organizations and events                                 */
/* ------------------------------------------------------------------------ */

static int check_sectors(const char *const *sec, size_t n, int required, int *idx,
                         struct cscc_err *err)
{
    char field[32];
    size_t i, j;

    if (n > COORD_NSECTORS * 2)
        return coord__ferr(err, CSCC_EINVAL, "sectors", "too many sectors (%zu)", n);
    if (required && n == 0)
        return coord__ferr(err, CSCC_EINVAL, "sectors",
                           "sectors is required: at least one of healthcare, mental_health, "
                           "violence_reduction, youth_services, victim_services, education, "
                           "faith, business, elected_officials, city_services");
    for (i = 0; i < n; i++) {
        snprintf(field, sizeof(field), "sectors[%zu]", i);
        if ((idx[i] = coord_sector_index(sec[i])) < 0)
            return coord__ferr(err, CSCC_EINVAL, field,
                               "no sector '%.60s' (healthcare, mental_health, violence_reduction, "
                               "youth_services, victim_services, education, faith, business, "
                               "elected_officials, city_services)",
                               coord__s(sec[i]));
        for (j = 0; j < i; j++)
            if (idx[j] == idx[i])
                return coord__ferr(err, CSCC_EINVAL, field, "sector '%s' is listed twice",
                                   coord_sectors[idx[i]]);
    }
    return 0;
}

static int check_area(struct coord *c, int area, const char *field, struct cscc_err *err)
{
    if (!coord_area_name(c, area)[0])
        return coord__ferr(err, CSCC_EINVAL, field, "no community area %d", area);
    return 0;
}

static int check_email(const char *s, const char *field, struct cscc_err *err)
{
    const char *at, *p;

    if (!s || !*s)
        return 0;
    at = strchr(s, '@');
    if (strlen(s) > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
        at[1] == '.' || s[strlen(s) - 1] == '.')
        return coord__ferr(err, CSCC_EINVAL, field, "%s is not an email address", field);
    for (p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',' || *p == '<' || *p == '>')
            return coord__ferr(err, CSCC_EINVAL, field, "%s is not an email address", field);
    return 0;
}

static int check_phone(const char *s, const char *field, struct cscc_err *err)
{
    int digits = 0;

    if (!s || !*s)
        return 0;
    if (strlen(s) > 40)
        return coord__ferr(err, CSCC_EINVAL, field, "%s is longer than 40 characters", field);
    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            digits++;
        else if (!strchr(" +-().", *s))
            return coord__ferr(err, CSCC_EINVAL, field,
                               "%s may hold only digits, spaces and + - ( ) .", field);
    }
    if (digits < 3)
        return coord__ferr(err, CSCC_EINVAL, field, "%s has too few digits", field);
    return 0;
}

int coord__check_contacts(const char *name, const char *email, const char *phone,
                          const char *name_field, const char *prefix, struct cscc_err *err)
{
    char ef[40], pf[40];
    int rc;

    snprintf(ef, sizeof(ef), "%semail", prefix);
    snprintf(pf, sizeof(pf), "%sphone", prefix);
    if ((rc = coord__check_text(name, 200, 0, 1, name_field, err)) ||
        (rc = check_email(email, ef, err)) || (rc = check_phone(phone, pf, err)))
        return rc;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Organizations: writes                                                     */
/* ------------------------------------------------------------------------ */

static int check_org(struct coord *c, const struct coord_org *o, unsigned fields, int *sec_idx,
                     struct cscc_err *err)
{
    char field[32];
    size_t i, j;
    int rc;

    if ((fields & COORD_ORG_NAME) && (rc = coord__check_text(o->name, 200, 1, 1, "name", err)))
        return rc;
    if ((fields & COORD_ORG_DESCRIPTION) &&
        (rc = coord__check_text(o->description, 4000, 0, 0, "description", err)))
        return rc;
    if ((fields & COORD_ORG_WEBSITE) && !coord__is_url(o->website, 500))
        return coord__ferr(err, CSCC_EINVAL, "website",
                           "website must be an http:// or https:// address");
    if ((fields & COORD_ORG_SECTORS) &&
        (rc = check_sectors(o->sectors, o->nsectors, 1, sec_idx, err)))
        return rc;
    if (fields & COORD_ORG_AREAS) {
        if (o->nareas > COORD_MAX_AREA)
            return coord__ferr(err, CSCC_EINVAL, "areas", "too many areas (%zu)", o->nareas);
        for (i = 0; i < o->nareas; i++) {
            snprintf(field, sizeof(field), "areas[%zu]", i);
            if ((rc = check_area(c, o->areas[i], field, err)))
                return rc;
            for (j = 0; j < i; j++)
                if (o->areas[j] == o->areas[i])
                    return coord__ferr(err, CSCC_EINVAL, field, "area %d is listed twice",
                                       o->areas[i]);
        }
    }
    if (fields & COORD_ORG_SERVICES) {
        if (o->nservices > COORD_MAX_LIST)
            return coord__ferr(err, CSCC_EINVAL, "services", "at most %d services", COORD_MAX_LIST);
        for (i = 0; i < o->nservices; i++) {
            snprintf(field, sizeof(field), "services[%zu]", i);
            if ((rc = coord__check_text(o->services[i], 200, 1, 1, field, err)))
                return rc;
        }
    }
    if (fields & COORD_ORG_CAPACITY) {
        if (o->capacity_per_week < 0 || o->capacity_per_week > 1000000)
            return coord__ferr(err, CSCC_EINVAL, "capacity_per_week",
                               "capacity_per_week must be from 0 to 1000000");
        if (o->capacity_unit && *o->capacity_unit && strcmp(o->capacity_unit, "people") &&
            strcmp(o->capacity_unit, "slots"))
            return coord__ferr(err, CSCC_EINVAL, "capacity_unit",
                               "capacity_unit must be 'people' or 'slots'");
    }
    if ((fields & COORD_ORG_CONTACTS) &&
        (rc = coord__check_contacts(o->contact_name, o->contact_email, o->contact_phone,
                                    "contact_name", "contact_", err)))
        return rc;
    return 0;
}

/* CSCC_EEXIST when another organization (not self) has this name in any case. */
static int name_free(struct coord *c, const char *name, int64_t self, struct cscc_err *err)
{
    struct store_val v[2] = {STORE_TEXT(name), STORE_INT(self)};
    int64_t other = 0;
    int rc = store_exec(c->st, "read organizations",
                        "SELECT id FROM coord_orgs WHERE lower(name) = lower(?) AND id <> ?", v, 2,
                        coord__row_first, &other, err);

    if (rc < 0)
        return rc;
    if (other)
        return coord__ferr(err, CSCC_EEXIST, "name",
                           "an organization named '%s' is registered already (id %lld)", name,
                           (long long)other);
    return 0;
}

static int put_org_lists(struct coord *c, int64_t id, const struct coord_org *o, unsigned fields,
                         const int *sec_idx, struct cscc_err *err)
{
    struct store_val k[1] = {STORE_INT(id)};
    size_t i;
    int rc = 0;

    if (fields & COORD_ORG_SECTORS) {
        rc = store_exec(c->st, "store organization",
                        "DELETE FROM coord_org_sectors WHERE org_id = ?", k, 1, NULL, NULL, err);
        for (i = 0; !rc && i < o->nsectors; i++) {
            struct store_val v[2] = {STORE_INT(id), STORE_TEXT(coord_sectors[sec_idx[i]])};

            rc = store_exec(c->st, "store organization",
                            "INSERT INTO coord_org_sectors (org_id, sector) VALUES (?, ?)", v, 2,
                            NULL, NULL, err);
        }
    }
    if (!rc && (fields & COORD_ORG_AREAS)) {
        rc = store_exec(c->st, "store organization", "DELETE FROM coord_org_areas WHERE org_id = ?",
                        k, 1, NULL, NULL, err);
        for (i = 0; !rc && i < o->nareas; i++) {
            struct store_val v[2] = {STORE_INT(id), STORE_INT(o->areas[i])};

            rc = store_exec(c->st, "store organization",
                            "INSERT INTO coord_org_areas (org_id, area) VALUES (?, ?)", v, 2, NULL,
                            NULL, err);
        }
    }
    if (!rc && (fields & COORD_ORG_SERVICES)) {
        rc = store_exec(c->st, "store organization",
                        "DELETE FROM coord_org_services WHERE org_id = ?", k, 1, NULL, NULL, err);
        for (i = 0; !rc && i < o->nservices; i++) {
            struct store_val v[3] = {STORE_INT(id), STORE_INT(i + 1), STORE_TEXT(o->services[i])};

            rc = store_exec(c->st, "store organization",
                            "INSERT INTO coord_org_services (org_id, position, service) "
                            "VALUES (?, ?, ?)",
                            v, 3, NULL, NULL, err);
        }
    }
    return rc;
}

int coord_org_create(struct coord *c, const struct coord_actor *a, const struct coord_org *o,
                     int64_t *id, struct cscc_err *err)
{
    int sec_idx[COORD_NSECTORS * 2];
    int64_t now = coord_now(c), new_id = 0;
    struct coord__tx tx;
    int rc;

    *id = 0;
    if ((rc = coord_require(a, COORD_ORG_CREATE, NULL, err)) ||
        (rc = check_org(c, o, COORD_ORG_ALL, sec_idx, err)))
        return rc;
    if ((rc = coord__tx_begin(c, &tx, "register organization", err)))
        return rc;
    if (!(rc = name_free(c, o->name, 0, err))) {
        struct store_val v[12] = {
            STORE_TEXT(o->name),
            STORE_TEXT(coord__s(o->description)),
            STORE_TEXT(coord__s(o->website)),
            STORE_INT(o->capacity_per_week),
            STORE_TEXT(o->capacity_unit && *o->capacity_unit ? o->capacity_unit : "people"),
            STORE_TEXT(coord__s(o->contact_name)),
            STORE_TEXT(coord__s(o->contact_email)),
            STORE_TEXT(coord__s(o->contact_phone)),
            STORE_TEXT(coord__actor_name(a)),
            STORE_INT(now),
            STORE_INT(now),
        };

        rc = store_exec(c->st, "register organization",
                        "INSERT INTO coord_orgs (name, description, website, capacity_per_week, "
                        "capacity_unit, contact_name, contact_email, contact_phone, created_by, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                        v, 11, coord__row_id, &new_id, err);
    }
    if (!rc)
        rc = put_org_lists(c, new_id, o, COORD_ORG_ALL, sec_idx, err);
    if ((rc = coord__tx_end(c, &tx, rc, err)))
        return rc;
    *id = new_id;
    return 0;
}

static int org_exists(struct coord *c, int64_t id, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_INT(id)};
    int64_t found = 0;
    int rc = store_exec(c->st, "read organization", "SELECT id FROM coord_orgs WHERE id = ?", v, 1,
                        coord__row_first, &found, err);

    if (rc < 0)
        return rc;
    if (!found)
        return coord__ferr(err, CSCC_ENOENT, "id", "no organization %lld", (long long)id);
    return 0;
}

int coord_org_update(struct coord *c, const struct coord_actor *a, int64_t id,
                     const struct coord_org *o, unsigned fields, struct cscc_err *err)
{
    struct coord_object obj = {id, NULL};
    int sec_idx[COORD_NSECTORS * 2];
    struct coord__tx tx;
    int64_t now = coord_now(c);
    int rc;

    if ((rc = coord_require(a, COORD_ORG_EDIT, &obj, err)) ||
        (rc = check_org(c, o, fields, sec_idx, err)))
        return rc;
    if ((rc = coord__tx_begin(c, &tx, "change organization", err)))
        return rc;
    rc = org_exists(c, id, err);
    if (!rc && (fields & COORD_ORG_NAME) && !(rc = name_free(c, o->name, id, err))) {
        struct store_val v[2] = {STORE_TEXT(o->name), STORE_INT(id)};

        rc = store_exec(c->st, "change organization", "UPDATE coord_orgs SET name = ? WHERE id = ?",
                        v, 2, NULL, NULL, err);
    }
    if (!rc && (fields & COORD_ORG_DESCRIPTION)) {
        struct store_val v[2] = {STORE_TEXT(coord__s(o->description)), STORE_INT(id)};

        rc =
            store_exec(c->st, "change organization",
                       "UPDATE coord_orgs SET description = ? WHERE id = ?", v, 2, NULL, NULL, err);
    }
    if (!rc && (fields & COORD_ORG_WEBSITE)) {
        struct store_val v[2] = {STORE_TEXT(coord__s(o->website)), STORE_INT(id)};

        rc = store_exec(c->st, "change organization",
                        "UPDATE coord_orgs SET website = ? WHERE id = ?", v, 2, NULL, NULL, err);
    }
    if (!rc && (fields & COORD_ORG_CAPACITY)) {
        struct store_val v[3] = {
            STORE_INT(o->capacity_per_week),
            STORE_TEXT(o->capacity_unit && *o->capacity_unit ? o->capacity_unit : "people"),
            STORE_INT(id)};

        rc = store_exec(c->st, "change organization",
                        "UPDATE coord_orgs SET capacity_per_week = ?, capacity_unit = ? "
                        "WHERE id = ?",
                        v, 3, NULL, NULL, err);
    }
    if (!rc && (fields & COORD_ORG_CONTACTS)) {
        struct store_val v[4] = {STORE_TEXT(coord__s(o->contact_name)),
                                 STORE_TEXT(coord__s(o->contact_email)),
                                 STORE_TEXT(coord__s(o->contact_phone)), STORE_INT(id)};

        rc = store_exec(c->st, "change organization",
                        "UPDATE coord_orgs SET contact_name = ?, contact_email = ?, "
                        "contact_phone = ? WHERE id = ?",
                        v, 4, NULL, NULL, err);
    }
    if (!rc)
        rc = put_org_lists(c, id, o, fields, sec_idx, err);
    if (!rc) {
        struct store_val v[2] = {STORE_INT(now), STORE_INT(id)};

        rc = store_exec(c->st, "change organization",
                        "UPDATE coord_orgs SET updated_at = ? WHERE id = ?", v, 2, NULL, NULL, err);
    }
    return coord__tx_end(c, &tx, rc, err);
}

int coord_org_verify(struct coord *c, const struct coord_actor *a, int64_t id, int verified,
                     struct cscc_err *err)
{
    int64_t now = coord_now(c);
    struct store_val v[5] = {STORE_INT(verified ? 1 : 0),
                             STORE_TEXT(verified ? coord__actor_name(a) : ""),
                             STORE_OPT_INT(verified, now), STORE_INT(now), STORE_INT(id)};
    int rc;

    if ((rc = coord_require(a, COORD_ORG_VERIFY, NULL, err)))
        return rc;
    rc = store_exec(c->st, "verify organization",
                    "UPDATE coord_orgs SET verified = ?, verified_by = ?, verified_at = ?, "
                    "updated_at = ? WHERE id = ?",
                    v, 5, NULL, NULL, err);
    if (!rc && store_changes(c->st) == 0)
        rc = coord__ferr(err, CSCC_ENOENT, "id", "no organization %lld", (long long)id);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Organizations: reads                                                      */
/* ------------------------------------------------------------------------ */

/* A list of records read into an arena, then completed and handed on. */
struct org_list {
    struct coord__arena arena;
    struct coord_org *v;
    size_t n, cap;
};

#define ORG_COLUMNS                                                                                \
    "id, name, description, website, capacity_per_week, capacity_unit, contact_name, "             \
    "contact_email, contact_phone, verified, verified_by, verified_at, created_by, created_at, "   \
    "updated_at"

static int org_row(void *arg, const struct store_row *r)
{
    struct org_list *l = arg;
    struct coord_org *o;
    struct coord__arena *ar = &l->arena;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = cscc_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    o = &l->v[l->n++];
    memset(o, 0, sizeof(*o));
    o->id = store_row_int(r, 0);
    o->name = coord__strdup(ar, store_row_text(r, 1));
    o->description = coord__strdup(ar, store_row_text(r, 2));
    o->website = coord__strdup(ar, store_row_text(r, 3));
    o->capacity_per_week = store_row_int(r, 4);
    o->capacity_unit = coord__strdup(ar, store_row_text(r, 5));
    o->contact_name = coord__strdup(ar, store_row_text(r, 6));
    o->contact_email = coord__strdup(ar, store_row_text(r, 7));
    o->contact_phone = coord__strdup(ar, store_row_text(r, 8));
    o->verified = (int)store_row_int(r, 9);
    o->verified_by = coord__strdup(ar, store_row_text(r, 10));
    o->verified_at = store_row_int(r, 11);
    o->created_by = coord__strdup(ar, store_row_text(r, 12));
    o->created_at = store_row_int(r, 13);
    o->updated_at = store_row_int(r, 14);
    return 0;
}

/* A growing list of strings or integers in an arena, for one record. */
struct sublist {
    struct coord__arena *arena;
    const char **s;
    int *i;
    int64_t *i64;
    size_t n, cap;
};

static int sub_text(void *arg, const struct store_row *r)
{
    struct sublist *l = arg;

    if (l->n == l->cap) {
        const char **nv;

        l->cap = l->cap ? l->cap * 2 : 8;
        nv = coord__alloc(l->arena, l->cap * sizeof(*nv));
        if (l->n)
            memcpy(nv, l->s, l->n * sizeof(*nv));
        l->s = nv;
    }
    l->s[l->n++] = coord__strdup(l->arena, store_row_text(r, 0));
    return 0;
}

static int sub_int(void *arg, const struct store_row *r)
{
    struct sublist *l = arg;

    if (l->n == l->cap) {
        int *nv;
        int64_t *nv64;

        l->cap = l->cap ? l->cap * 2 : 8;
        nv = coord__alloc(l->arena, l->cap * sizeof(*nv));
        nv64 = coord__alloc(l->arena, l->cap * sizeof(*nv64));
        if (l->n) {
            memcpy(nv, l->i, l->n * sizeof(*nv));
            memcpy(nv64, l->i64, l->n * sizeof(*nv64));
        }
        l->i = nv;
        l->i64 = nv64;
    }
    l->i[l->n] = (int)store_row_int(r, 0);
    l->i64[l->n++] = store_row_int(r, 0);
    return 0;
}

static int org_complete(struct coord *c, struct org_list *l, struct cscc_err *err)
{
    size_t k;
    int rc = 0;

    for (k = 0; !rc && k < l->n; k++) {
        struct coord_org *o = &l->v[k];
        struct store_val v[1] = {STORE_INT(o->id)};
        struct sublist sec = {.arena = &l->arena}, ar = {.arena = &l->arena},
                       sv = {.arena = &l->arena};

        rc = store_exec(c->st, "read organization",
                        "SELECT sector FROM coord_org_sectors WHERE org_id = ? ORDER BY sector", v,
                        1, sub_text, &sec, err);
        if (!rc)
            rc = store_exec(c->st, "read organization",
                            "SELECT area FROM coord_org_areas WHERE org_id = ? ORDER BY area", v, 1,
                            sub_int, &ar, err);
        if (!rc)
            rc = store_exec(c->st, "read organization",
                            "SELECT service FROM coord_org_services WHERE org_id = ? "
                            "ORDER BY position",
                            v, 1, sub_text, &sv, err);
        o->sectors = sec.s;
        o->nsectors = sec.n;
        o->areas = ar.i;
        o->nareas = ar.n;
        o->services = sv.s;
        o->nservices = sv.n;
    }
    return rc;
}

static int org_deliver(struct org_list *l, coord_org_fn fn, void *arg)
{
    size_t k;
    int rc = 0;

    for (k = 0; !rc && k < l->n; k++)
        rc = fn(arg, &l->v[k]);
    return rc;
}

static void org_list_free(struct org_list *l)
{
    coord__arena_free(&l->arena);
    cscc_free(l->v);
}

int coord_org_get(struct coord *c, int64_t id, coord_org_fn fn, void *arg, struct cscc_err *err)
{
    struct org_list l = {{NULL}, NULL, 0, 0};
    struct store_val v[1] = {STORE_INT(id)};
    int rc;

    rc = store_exec(c->st, "read organization",
                    "SELECT " ORG_COLUMNS " FROM coord_orgs WHERE id = ?", v, 1, org_row, &l, err);
    if (!rc && !l.n)
        rc = coord__ferr(err, CSCC_ENOENT, "id", "no organization %lld", (long long)id);
    if (!rc)
        rc = org_complete(c, &l, err);
    if (!rc)
        rc = org_deliver(&l, fn, arg);
    org_list_free(&l);
    return rc;
}

/* A LIKE pattern matching text anywhere, with % _ and \ escaped. */
static void like_pattern(const char *text, char *buf, size_t cap)
{
    size_t n = 0;

    if (cap < 3) {
        buf[0] = '\0';
        return;
    }
    buf[n++] = '%';
    for (; *text && n + 3 < cap; text++) {
        if (*text == '%' || *text == '_' || *text == '\\')
            buf[n++] = '\\';
        buf[n++] = (char)tolower((unsigned char)*text);
    }
    buf[n++] = '%';
    buf[n] = '\0';
}

int coord_org_each(struct coord *c, const struct coord_org_filter *f, coord_org_fn fn, void *arg,
                   struct cscc_err *err)
{
    static const struct coord_org_filter none = {0};
    struct org_list l = {{NULL}, NULL, 0, 0};
    char pattern[420];
    size_t limit;
    int rc, sec;

    if (!f)
        f = &none;
    limit = f->limit ? f->limit : 1000;
    sec = f->sector ? coord_sector_index(f->sector) : -1;
    if (f->sector && sec < 0)
        return coord__ferr(err, CSCC_EINVAL, "sector", "no sector '%s'", f->sector);
    like_pattern(coord__s(f->name), pattern, sizeof(pattern));
    {
        struct store_val v[10] = {
            STORE_INT(sec >= 0),
            STORE_TEXT(sec >= 0 ? coord_sectors[sec] : ""),
            STORE_INT(f->area),
            STORE_INT(f->area),
            STORE_INT(f->verified_only ? 1 : 0),
            STORE_INT(f->name && *f->name),
            STORE_TEXT(pattern),
            STORE_INT((int64_t)limit),
            STORE_INT((int64_t)f->offset),
        };

        rc = store_exec(
            c->st, "read organizations",
            "SELECT " ORG_COLUMNS " FROM coord_orgs o WHERE "
            "(? = 0 OR id IN (SELECT org_id FROM coord_org_sectors WHERE sector = ?)) AND "
            "(? = 0 OR id IN (SELECT org_id FROM coord_org_areas WHERE area = ?) OR "
            " NOT EXISTS (SELECT 1 FROM coord_org_areas x WHERE x.org_id = o.id)) AND "
            "verified >= ? AND (? = 0 OR lower(name) LIKE ? ESCAPE '\\') "
            "ORDER BY lower(name), id LIMIT ? OFFSET ?",
            v, 9, org_row, &l, err);
    }
    if (!rc)
        rc = org_complete(c, &l, err);
    if (!rc)
        rc = org_deliver(&l, fn, arg);
    org_list_free(&l);
    return rc;
}

enum coord_view coord_org_view(const struct coord_actor *a, const struct coord_org *o)
{
    struct coord_object obj = {o ? o->id : 0, NULL};

    return coord_may(a, COORD_ORG_VIEW_PRIVATE, &obj) ? COORD_VIEW_FULL : COORD_VIEW_PUBLIC;
}

static json_t *str_array(const char *const *v, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(coord__s(v[i])));
    return a;
}

json_t *coord_org_json(const struct coord_org *o, enum coord_view v)
{
    json_t *j = json_object(), *areas = json_array();
    size_t i;

    if (!j || !areas) {
        json_decref(j);
        json_decref(areas);
        return NULL;
    }
    coord__jint(j, "id", o->id);
    coord__jstr(j, "name", o->name);
    coord__jstr(j, "description", o->description);
    coord__jstr(j, "website", o->website);
    json_object_set_new(j, "sectors", str_array(o->sectors, o->nsectors));
    for (i = 0; i < o->nareas; i++)
        json_array_append_new(areas, json_integer(o->areas[i]));
    json_object_set_new(j, "areas", areas);
    json_object_set_new(j, "services", str_array(o->services, o->nservices));
    coord__jint(j, "capacity_per_week", o->capacity_per_week);
    coord__jstr(j, "capacity_unit", o->capacity_unit);
    coord__jbool(j, "verified", o->verified);
    coord__jtime(j, "verified_at", o->verified_at);
    coord__jtime(j, "created_at", o->created_at);
    coord__jtime(j, "updated_at", o->updated_at);
    if (v >= COORD_VIEW_STAFF) {
        coord__jstr(j, "verified_by", o->verified_by);
        coord__jstr(j, "created_by", o->created_by);
    }
    if (v >= COORD_VIEW_FULL) {
        json_t *ct = json_object();

        coord__jstr(ct, "name", o->contact_name);
        coord__jstr(ct, "email", o->contact_email);
        coord__jstr(ct, "phone", o->contact_phone);
        json_object_set_new(j, "contact", ct);
    }
    return j;
}

/* ------------------------------------------------------------------------ */
/* Events                                                                    */
/* ------------------------------------------------------------------------ */

const char *const coord_event_types[] = {
    "community_meeting",    "peace_walk", "resource_fair", "launch_committee",
    "coordination_meeting", "training",   "other",         NULL,
};

int coord_event_type_valid(const char *s)
{
    size_t i;

    for (i = 0; s && coord_event_types[i]; i++)
        if (!strcmp(s, coord_event_types[i]))
            return 1;
    return 0;
}

static int check_event(struct coord *c, const struct coord_event *e, int *sec_idx,
                       struct cscc_err *err)
{
    char field[48];
    size_t i, j;
    int rc;

    if (!coord_event_type_valid(e->type))
        return coord__ferr(err, CSCC_EINVAL, "type",
                           "type must be one of community_meeting, peace_walk, resource_fair, "
                           "launch_committee, coordination_meeting, training, other; not '%.60s'",
                           coord__s(e->type));
    if ((rc = coord__check_text(e->title, 200, 0, 1, "title", err)) ||
        (rc = coord__check_text(e->notes, 4000, 0, 0, "notes", err)))
        return rc;
    if (e->day < cscc_days_from_civil(2000, 1, 1) || e->day > cscc_days_from_civil(2100, 12, 31))
        return coord__ferr(err, CSCC_EINVAL, "date", "date must be from 2000 to 2100");
    if (e->area && (rc = check_area(c, e->area, "area", err)))
        return rc;
    if (e->attendance < 0 || e->attendance > 1000000)
        return coord__ferr(err, CSCC_EINVAL, "attendance", "attendance must be from 0 to 1000000");
    if (e->norgs > COORD_MAX_LIST || e->ndepartments > COORD_MAX_LIST ||
        e->ncommitments > COORD_MAX_LIST)
        return coord__ferr(err, CSCC_EINVAL,
                           e->norgs > COORD_MAX_LIST          ? "orgs"
                           : e->ndepartments > COORD_MAX_LIST ? "departments"
                                                              : "commitments",
                           "at most %d in one list", COORD_MAX_LIST);
    for (i = 0; i < e->norgs; i++) {
        snprintf(field, sizeof(field), "orgs[%zu]", i);
        if ((rc = org_exists(c, e->orgs[i], err)))
            return rc == CSCC_ENOENT ? coord__ferr(err, CSCC_ENOENT, field, "no organization %lld",
                                                   (long long)e->orgs[i])
                                     : rc;
        for (j = 0; j < i; j++)
            if (e->orgs[j] == e->orgs[i])
                return coord__ferr(err, CSCC_EINVAL, field, "organization %lld is listed twice",
                                   (long long)e->orgs[i]);
    }
    for (i = 0; i < e->ndepartments; i++) {
        snprintf(field, sizeof(field), "departments[%zu]", i);
        if ((rc = coord_department_exists(c, e->departments[i], err)) < 0)
            return rc;
        if (!rc)
            return coord__ferr(err, CSCC_ENOENT, field, "no department '%.40s'",
                               coord__s(e->departments[i]));
        for (j = 0; j < i; j++)
            if (!strcmp(e->departments[j], e->departments[i]))
                return coord__ferr(err, CSCC_EINVAL, field, "department '%s' is listed twice",
                                   e->departments[i]);
    }
    if ((rc = check_sectors(e->sectors, e->nsectors, 0, sec_idx, err)))
        return rc;
    for (i = 0; i < e->ncommitments; i++) {
        const struct coord_commitment *cm = &e->commitments[i];

        snprintf(field, sizeof(field), "commitments[%zu].text", i);
        if ((rc = coord__check_text(cm->text, 1000, 1, 0, field, err)))
            return rc;
        snprintf(field, sizeof(field), "commitments[%zu].party", i);
        if ((rc = coord__check_text(cm->party, 200, 0, 1, field, err)))
            return rc;
    }
    return 0;
}

int coord_event_create(struct coord *c, const struct coord_actor *a, const struct coord_event *e,
                       int64_t *id, struct cscc_err *err)
{
    int sec_idx[COORD_NSECTORS * 2];
    int64_t now = coord_now(c), new_id = 0;
    struct coord__tx tx;
    size_t i;
    int rc;

    *id = 0;
    if ((rc = coord_require(a, COORD_EVENT_CREATE, NULL, err)))
        return rc;
    if ((rc = coord__tx_begin(c, &tx, "record event", err)))
        return rc;
    if (!(rc = check_event(c, e, sec_idx, err))) {
        struct store_val v[10] = {
            STORE_TEXT(e->type),
            STORE_TEXT(coord__s(e->title)),
            STORE_INT(e->day),
            STORE_OPT_INT(e->area, e->area),
            STORE_INT(e->attendance),
            STORE_TEXT(coord__s(e->notes)),
            STORE_TEXT(coord__actor_name(a)),
            STORE_OPT_INT(a->role == COORD_ROLE_PARTNER && a->org_id, a->org_id),
            STORE_INT(now),
            STORE_INT(now),
        };

        rc = store_exec(c->st, "record event",
                        "INSERT INTO coord_events (type, title, day, area, attendance, notes, "
                        "created_by, created_by_org, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        v, 10, coord__row_id, &new_id, err);
    }
    for (i = 0; !rc && i < e->norgs; i++) {
        struct store_val v[2] = {STORE_INT(new_id), STORE_INT(e->orgs[i])};

        rc = store_exec(c->st, "record event",
                        "INSERT INTO coord_event_orgs (event_id, org_id) VALUES (?, ?)", v, 2, NULL,
                        NULL, err);
    }
    for (i = 0; !rc && i < e->ndepartments; i++) {
        struct store_val v[2] = {STORE_INT(new_id), STORE_TEXT(e->departments[i])};

        rc = store_exec(c->st, "record event",
                        "INSERT INTO coord_event_departments (event_id, department) VALUES (?, ?)",
                        v, 2, NULL, NULL, err);
    }
    for (i = 0; !rc && i < e->nsectors; i++) {
        struct store_val v[2] = {STORE_INT(new_id), STORE_TEXT(coord_sectors[sec_idx[i]])};

        rc = store_exec(c->st, "record event",
                        "INSERT INTO coord_event_sectors (event_id, sector) VALUES (?, ?)", v, 2,
                        NULL, NULL, err);
    }
    for (i = 0; !rc && i < e->ncommitments; i++) {
        const struct coord_commitment *cm = &e->commitments[i];
        struct store_val v[5] = {STORE_INT(new_id), STORE_INT(i + 1), STORE_TEXT(cm->text),
                                 STORE_TEXT(coord__s(cm->party)),
                                 STORE_OPT_INT(cm->has_due, cm->due_day)};

        rc = store_exec(c->st, "record event",
                        "INSERT INTO coord_event_commitments (event_id, position, text, party, "
                        "due_day) VALUES (?, ?, ?, ?, ?)",
                        v, 5, NULL, NULL, err);
    }
    if ((rc = coord__tx_end(c, &tx, rc, err)))
        return rc;
    *id = new_id;
    return 0;
}

struct event_list {
    struct coord__arena arena;
    struct coord_event *v;
    size_t n, cap;
};

#define EVENT_COLUMNS                                                                              \
    "id, type, title, day, area, attendance, notes, created_by, created_by_org, created_at"

static int event_row(void *arg, const struct store_row *r)
{
    struct event_list *l = arg;
    struct coord_event *e;

    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = cscc_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    e = &l->v[l->n++];
    memset(e, 0, sizeof(*e));
    e->id = store_row_int(r, 0);
    e->type = coord__strdup(&l->arena, store_row_text(r, 1));
    e->title = coord__strdup(&l->arena, store_row_text(r, 2));
    e->day = store_row_int(r, 3);
    e->area = (int)store_row_int(r, 4);
    e->attendance = store_row_int(r, 5);
    e->notes = coord__strdup(&l->arena, store_row_text(r, 6));
    e->created_by = coord__strdup(&l->arena, store_row_text(r, 7));
    e->created_by_org = store_row_int(r, 8);
    e->created_at = store_row_int(r, 9);
    return 0;
}

struct commit_list {
    struct coord__arena *arena;
    struct coord_commitment *v;
    size_t n, cap;
};

static int commit_row(void *arg, const struct store_row *r)
{
    struct commit_list *l = arg;

    if (l->n == l->cap) {
        struct coord_commitment *nv;

        l->cap = l->cap ? l->cap * 2 : 8;
        nv = coord__alloc(l->arena, l->cap * sizeof(*nv));
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof(*nv));
        l->v = nv;
    }
    l->v[l->n].text = coord__strdup(l->arena, store_row_text(r, 0));
    l->v[l->n].party = coord__strdup(l->arena, store_row_text(r, 1));
    l->v[l->n].has_due = !store_row_is_null(r, 2);
    l->v[l->n].due_day = store_row_int(r, 2);
    l->n++;
    return 0;
}

/* The sectors an event represents (see partners.h): a query both files use. */
#define REPRESENTED_SQL                                                                            \
    "SELECT event_id, sector FROM coord_event_sectors "                                            \
    "UNION SELECT eo.event_id, os.sector FROM coord_event_orgs eo "                                \
    "JOIN coord_org_sectors os ON os.org_id = eo.org_id "                                          \
    "UNION SELECT event_id, 'city_services' FROM coord_event_departments"

static int event_complete(struct coord *c, struct event_list *l, struct cscc_err *err)
{
    size_t k;
    int rc = 0;

    for (k = 0; !rc && k < l->n; k++) {
        struct coord_event *e = &l->v[k];
        struct store_val v[1] = {STORE_INT(e->id)};
        struct sublist orgs = {.arena = &l->arena}, depts = {.arena = &l->arena},
                       secs = {.arena = &l->arena}, rep = {.arena = &l->arena};
        struct commit_list cm = {&l->arena, NULL, 0, 0};

        rc = store_exec(c->st, "read event",
                        "SELECT org_id FROM coord_event_orgs WHERE event_id = ? ORDER BY org_id", v,
                        1, sub_int, &orgs, err);
        if (!rc)
            rc = store_exec(c->st, "read event",
                            "SELECT department FROM coord_event_departments WHERE event_id = ? "
                            "ORDER BY department",
                            v, 1, sub_text, &depts, err);
        if (!rc)
            rc = store_exec(c->st, "read event",
                            "SELECT sector FROM coord_event_sectors WHERE event_id = ? "
                            "ORDER BY sector",
                            v, 1, sub_text, &secs, err);
        if (!rc)
            rc = store_exec(c->st, "read event",
                            "SELECT text, party, due_day FROM coord_event_commitments "
                            "WHERE event_id = ? ORDER BY position",
                            v, 1, commit_row, &cm, err);
        if (!rc)
            rc = store_exec(c->st, "read event",
                            "SELECT DISTINCT r.sector FROM (" REPRESENTED_SQL ") r "
                            "WHERE r.event_id = ? ORDER BY r.sector",
                            v, 1, sub_text, &rep, err);
        e->orgs = orgs.i64;
        e->norgs = orgs.n;
        e->departments = depts.s;
        e->ndepartments = depts.n;
        e->sectors = secs.s;
        e->nsectors = secs.n;
        e->commitments = cm.v;
        e->ncommitments = cm.n;
        e->represented = rep.s;
        e->nrepresented = rep.n;
    }
    return rc;
}

static void event_list_free(struct event_list *l)
{
    coord__arena_free(&l->arena);
    cscc_free(l->v);
}

static int event_deliver(struct event_list *l, coord_event_fn fn, void *arg)
{
    size_t k;
    int rc = 0;

    for (k = 0; !rc && k < l->n; k++)
        rc = fn(arg, &l->v[k]);
    return rc;
}

int coord_event_get(struct coord *c, int64_t id, coord_event_fn fn, void *arg, struct cscc_err *err)
{
    struct event_list l = {{NULL}, NULL, 0, 0};
    struct store_val v[1] = {STORE_INT(id)};
    int rc;

    rc = store_exec(c->st, "read event", "SELECT " EVENT_COLUMNS " FROM coord_events WHERE id = ?",
                    v, 1, event_row, &l, err);
    if (!rc && !l.n)
        rc = coord__ferr(err, CSCC_ENOENT, "id", "no event %lld", (long long)id);
    if (!rc)
        rc = event_complete(c, &l, err);
    if (!rc)
        rc = event_deliver(&l, fn, arg);
    event_list_free(&l);
    return rc;
}

int coord_event_each(struct coord *c, const struct coord_event_filter *f, coord_event_fn fn,
                     void *arg, struct cscc_err *err)
{
    static const struct coord_event_filter none = {0};
    struct event_list l = {{NULL}, NULL, 0, 0};
    int rc;

    if (!f)
        f = &none;
    {
        struct store_val v[10] = {
            STORE_INT(f->has_from ? f->from_day : INT32_MIN),
            STORE_INT(f->has_to ? f->to_day : INT32_MAX),
            STORE_INT(f->area),
            STORE_INT(f->area),
            STORE_INT(f->type && *f->type),
            STORE_TEXT(coord__s(f->type)),
            STORE_INT(f->logged_by_org),
            STORE_INT(f->logged_by_org),
            STORE_INT((int64_t)(f->limit ? f->limit : 1000)),
            STORE_INT((int64_t)f->offset),
        };

        rc = store_exec(c->st, "read events",
                        "SELECT " EVENT_COLUMNS " FROM coord_events WHERE day >= ? AND day <= ? "
                        "AND (? = 0 OR area = ?) AND (? = 0 OR type = ?) "
                        "AND (? = 0 OR created_by_org = ?) "
                        "ORDER BY day DESC, id DESC LIMIT ? OFFSET ?",
                        v, 10, event_row, &l, err);
    }
    if (!rc)
        rc = event_complete(c, &l, err);
    if (!rc)
        rc = event_deliver(&l, fn, arg);
    event_list_free(&l);
    return rc;
}

json_t *coord_event_json(const struct coord_event *e, enum coord_view v)
{
    json_t *j = json_object(), *orgs = json_array(), *cms = json_array();
    size_t i;

    coord__jint(j, "id", e->id);
    coord__jstr(j, "type", e->type);
    coord__jstr(j, "title", e->title);
    coord__jday(j, "date", e->day);
    if (e->area)
        coord__jint(j, "area", e->area);
    else
        json_object_set_new(j, "area", json_null());
    coord__jint(j, "attendance", e->attendance);
    for (i = 0; i < e->norgs; i++)
        json_array_append_new(orgs, json_integer(e->orgs[i]));
    json_object_set_new(j, "orgs", orgs);
    json_object_set_new(j, "departments", str_array(e->departments, e->ndepartments));
    json_object_set_new(j, "sectors", str_array(e->sectors, e->nsectors));
    json_object_set_new(j, "sectors_represented", str_array(e->represented, e->nrepresented));
    for (i = 0; i < e->ncommitments; i++) {
        json_t *cm = json_object();

        coord__jstr(cm, "text", e->commitments[i].text);
        coord__jstr(cm, "party", e->commitments[i].party);
        if (e->commitments[i].has_due)
            coord__jday(cm, "due", e->commitments[i].due_day);
        else
            json_object_set_new(cm, "due", json_null());
        json_array_append_new(cms, cm);
    }
    json_object_set_new(j, "commitments", cms);
    coord__jtime(j, "created_at", e->created_at);
    if (v >= COORD_VIEW_STAFF) {
        coord__jstr(j, "notes", e->notes);
        coord__jstr(j, "created_by", e->created_by);
    }
    return j;
}

/* ------------------------------------------------------------------------ */
/* Coverage                                                                  */
/* ------------------------------------------------------------------------ */

struct coverage {
    struct coord_coverage_row rows[COORD_MAX_AREA + 1]; /* by area number */
    int64_t citywide_orgs;
};

static int cov_events(void *arg, const struct store_row *r)
{
    struct coverage *cv = arg;
    int64_t area = store_row_int(r, 0);

    if (area < 1 || area > COORD_MAX_AREA)
        return 0;
    cv->rows[area].events = store_row_int(r, 1);
    cv->rows[area].attendance = store_row_int(r, 2);
    return 0;
}

static int cov_sectors(void *arg, const struct store_row *r)
{
    struct coverage *cv = arg;
    int64_t area = store_row_int(r, 0);
    int s = coord_sector_index(store_row_text(r, 1));

    if (area < 1 || area > COORD_MAX_AREA || s < 0)
        return 0;
    cv->rows[area].sector_events[s] = store_row_int(r, 2);
    return 0;
}

static int cov_orgs(void *arg, const struct store_row *r)
{
    struct coverage *cv = arg;
    int64_t area = store_row_int(r, 0);

    if (area >= 1 && area <= COORD_MAX_AREA)
        cv->rows[area].orgs_serving = store_row_int(r, 1);
    return 0;
}

static int cov_citywide(void *arg, const struct store_row *r)
{
    ((struct coverage *)arg)->citywide_orgs = store_row_int(r, 0);
    return 0;
}

int coord_coverage(struct coord *c, const struct coord_actor *a, int64_t from_day, int64_t to_day,
                   int all_areas, int (*fn)(void *arg, const struct coord_coverage_row *r),
                   void *arg, struct cscc_err *err)
{
    struct store_val v[2] = {STORE_INT(from_day), STORE_INT(to_day)};
    struct coverage *cv;
    size_t i;
    int rc, s;

    if ((rc = coord_require(a, COORD_EVENT_VIEW, NULL, err)))
        return rc;
    if (from_day > to_day)
        return coord__ferr(err, CSCC_EINVAL, "from", "the period ends before it starts");
    cv = cscc_xcalloc(1, sizeof(*cv));
    rc = store_exec(c->st, "read coverage",
                    "SELECT area, count(*), sum(attendance) FROM coord_events "
                    "WHERE day >= ? AND day <= ? AND area IS NOT NULL GROUP BY area",
                    v, 2, cov_events, cv, err);
    if (!rc)
        rc = store_exec(c->st, "read coverage",
                        "SELECT e.area, r.sector, count(DISTINCT e.id) FROM coord_events e "
                        "JOIN (" REPRESENTED_SQL ") r ON r.event_id = e.id "
                        "WHERE e.day >= ? AND e.day <= ? AND e.area IS NOT NULL "
                        "GROUP BY e.area, r.sector",
                        v, 2, cov_sectors, cv, err);
    if (!rc)
        rc = store_exec(c->st, "read coverage",
                        "SELECT area, count(*) FROM coord_org_areas GROUP BY area", NULL, 0,
                        cov_orgs, cv, err);
    if (!rc)
        rc = store_exec(c->st, "read coverage",
                        "SELECT count(*) FROM coord_orgs o WHERE NOT EXISTS "
                        "(SELECT 1 FROM coord_org_areas x WHERE x.org_id = o.id)",
                        NULL, 0, cov_citywide, cv, err);
    if (!rc) {
        int areas[COORD_MAX_AREA + 1];
        size_t n = 0;

        if (all_areas) {
            for (i = 1; i <= COORD_MAX_AREA; i++)
                if (coord_area_name(c, (int)i)[0])
                    areas[n++] = (int)i;
        } else {
            for (i = 0; i < c->npriority; i++)
                areas[n++] = c->priority[i];
        }
        for (i = 0; !rc && i < n; i++) {
            struct coord_coverage_row *row = &cv->rows[areas[i]];

            row->area = areas[i];
            row->name = coord_area_name(c, areas[i]);
            row->priority = coord_is_priority_area(c, areas[i]);
            row->orgs_serving += cv->citywide_orgs;
            for (s = 0; s < COORD_NSECTORS; s++)
                row->sectors_covered += row->sector_events[s] > 0;
            rc = fn(arg, row);
        }
    }
    cscc_free(cv);
    return rc;
}

json_t *coord_coverage_json(const struct coord_coverage_row *r)
{
    json_t *j = json_object(), *sec = json_object(), *missing = json_array();
    int s;

    coord__jint(j, "area", r->area);
    coord__jstr(j, "name", r->name);
    coord__jbool(j, "priority", r->priority);
    coord__jint(j, "events", r->events);
    coord__jint(j, "attendance", r->attendance);
    coord__jint(j, "sectors_covered", r->sectors_covered);
    for (s = 0; s < COORD_NSECTORS; s++) {
        json_object_set_new(sec, coord_sectors[s], json_integer(r->sector_events[s]));
        if (!r->sector_events[s])
            json_array_append_new(missing, json_string(coord_sectors[s]));
    }
    json_object_set_new(j, "sectors", sec);
    json_object_set_new(j, "missing", missing);
    coord__jint(j, "orgs_serving", r->orgs_serving);
    return j;
}
