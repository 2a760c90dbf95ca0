/* coord.c - the coordination handle, who may do what, settings, time and
 * the small helpers the other files of src/coord share. */
#include "core/strbuf.h"
#include "core/num.h"
#include "coord/coord_int.h"

#include "core/alloc.h"
#include "core/time.h"
#include "geo/areas.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Roles and decisions                                                       */
/* ------------------------------------------------------------------------ */

static const char *const role_names[COORD_NROLES] = {
    "public", "partner", "department", "coordinator", "analyst", "admin",
};

const char *coord_role_name(enum coord_role r)
{
    return (unsigned)r < COORD_NROLES ? role_names[r] : "?";
}

int coord_role_by_name(const char *name)
{
    int i;

    if (!name)
        return -1;
    for (i = 0; i < COORD_NROLES; i++)
        if (!strcasecmp(name, role_names[i]))
            return i;
    if (!strcasecmp(name, "anonymous"))
        return COORD_ROLE_PUBLIC;
    return -1;
}

#define R(x)  (1u << COORD_ROLE_##x)
#define ALL   (R(PUBLIC) | R(PARTNER) | R(DEPARTMENT) | R(COORDINATOR) | R(ANALYST) | R(ADMIN))
#define STAFF (R(COORDINATOR) | R(ADMIN))

/* Which roles may do each action at all, and what the action is, for messages. */
static const struct {
    unsigned roles;
    const char *what;
} rules[COORD_NACTIONS] = {
    [COORD_ORG_CREATE] = {R(PARTNER) | STAFF, "register an organization"},
    [COORD_ORG_EDIT] = {R(PARTNER) | STAFF, "edit this organization"},
    [COORD_ORG_VERIFY] = {STAFF, "verify organizations"},
    [COORD_ORG_VIEW_PRIVATE] = {R(PARTNER) | STAFF, "see this organization's contacts"},
    [COORD_EVENT_CREATE] = {R(PARTNER) | R(DEPARTMENT) | STAFF, "log engagement events"},
    [COORD_EVENT_VIEW] = {R(PARTNER) | R(DEPARTMENT) | R(ANALYST) | STAFF, "see engagement events"},
    [COORD_CATALOG_EDIT] = {STAFF, "edit the service catalogue"},
    [COORD_ROUTE_EDIT] = {STAFF, "edit routing rules"},
    [COORD_ROUTE_VIEW] = {R(PARTNER) | R(DEPARTMENT) | R(ANALYST) | STAFF, "see routing rules"},
    [COORD_NEED_CREATE] = {ALL, "report needs"},
    [COORD_NEED_LIST] = {ALL, "list needs"},
    [COORD_WO_VIEW] = {R(DEPARTMENT) | R(ANALYST) | STAFF, "see these work orders"},
    [COORD_WO_ASSIGN] = {STAFF, "send work orders to another department"},
    [COORD_ESCALATE] = {STAFF, "escalate overdue work orders"},
    [COORD_OUTBOX] = {STAFF, "see or deliver notifications"},
    [COORD_METRICS] = {ALL, "see response metrics"},
    [COORD_SETTINGS] = {R(ADMIN), "change coordination settings"},
};

static int same_dept(const struct coord_actor *a, const char *dept)
{
    return a->department && a->department[0] && dept && !strcmp(a->department, dept);
}

int coord_may(const struct coord_actor *a, enum coord_action act, const struct coord_object *obj)
{
    if (!a || (unsigned)act >= COORD_NACTIONS || (unsigned)a->role >= COORD_NROLES)
        return 0;
    if (!(rules[act].roles & (1u << a->role)))
        return 0;
    switch (act) {
    case COORD_ORG_CREATE:
        /* A partner user registers its own organization, once. */
        return a->role != COORD_ROLE_PARTNER || a->org_id == 0;
    case COORD_ORG_EDIT:
    case COORD_ORG_VIEW_PRIVATE:
        if (a->role != COORD_ROLE_PARTNER)
            return 1;
        return a->org_id != 0 && (!obj || obj->org_id == a->org_id);
    case COORD_WO_VIEW:
        if (a->role != COORD_ROLE_DEPARTMENT)
            return 1;
        return a->department && a->department[0] && (!obj || same_dept(a, obj->department));
    default: return 1;
    }
}

int coord_require(const struct coord_actor *a, enum coord_action act,
                  const struct coord_object *obj, struct cscc_err *err)
{
    char who[160] = "";
    size_t n = 0;
    int r;

    if (coord_may(a, act, obj))
        return 0;
    if ((unsigned)act >= COORD_NACTIONS)
        return cscc_err_set(err, CSCC_EINTERNAL, "unknown action %d", (int)act);
    if (a && (rules[act].roles & (1u << a->role)))
        return cscc_err_set(err, CSCC_EPERM, "a %s may %s only for its own %s",
                            coord_role_name(a->role), rules[act].what,
                            a->role == COORD_ROLE_DEPARTMENT ? "department" : "organization");
    for (r = 0; r < COORD_NROLES; r++) {
        if (!(rules[act].roles & (1u << r)))
            continue;
        n += (size_t)snprintf(who + n, sizeof(who) - n, "%s%s", n ? ", " : "", role_names[r]);
        if (n >= sizeof(who))
            break;
    }
    return cscc_err_set(err, CSCC_EPERM, "a %s may not %s (allowed: %s)",
                        a ? coord_role_name(a->role) : "nobody", rules[act].what, who);
}

const char *coord__actor_name(const struct coord_actor *a)
{
    return a && a->name && a->name[0] ? a->name : "anonymous";
}

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */
/* ------------------------------------------------------------------------ */

enum ctype { C_REAL, C_INT, C_STR };

static const struct cfg_item {
    const char *key;
    enum ctype type;
    size_t offset, size;
    double min, max;
    const char *def;
    const char *help;
} cfg_items[] = {
#define ITEM(k, t, field, lo, hi, d, h)                                                            \
    {                                                                                              \
        k, t, offsetof(struct coord_config, field), sizeof(((struct coord_config *)0)->field), lo, \
            hi, d, h                                                                               \
    }
    ITEM("duplicate_radius_m", C_REAL, duplicate_radius_m, 0, 5000, "50",
         "an open need of the same service within this many metres is a duplicate (0: never)"),
    ITEM("kde_days", C_INT, kde_days, 1, 3660, "365",
         "days of violent incidents in the violence intensity"),
    ITEM("kde_bandwidth_m", C_REAL, kde_bandwidth_m, 50, 5000, "400",
         "radius of the quartic kernel, in metres"),
    ITEM("kde_category", C_STR, kde_category, 1, 63, "violent",
         "crime category counted as violence"),
    ITEM("violence_coef", C_REAL, violence_coef, 0, 10, "0.5",
         "weight of log2(1 + intensity ratio) in the violence factor"),
    ITEM("priority_factor", C_REAL, priority_factor, 1, 10, "1.5",
         "factor for needs in priority areas"),
    ITEM("priority_list", C_STR, priority_list, 1, 63, "ocos", "the priority area list"),
    ITEM("escalate_batch", C_INT, escalate_batch, 1, 100000, "500",
         "work orders escalated per transaction"),
    ITEM("outbox_backoff_s", C_REAL, outbox_backoff_s, 0, 86400, "30",
         "delay before the first retry of a notification, in seconds (doubles each time)"),
    ITEM("outbox_backoff_max_s", C_REAL, outbox_backoff_max_s, 0, 604800, "3600",
         "longest delay between retries, in seconds"),
    ITEM("outbox_max_attempts", C_INT, outbox_max_attempts, 0, 1000000, "0",
         "attempts before a notification is given up (0: never)"),
    ITEM("webhook_url", C_STR, webhook_url, 0, 511, "",
         "where notifications are posted (http:// or https://)"),
    ITEM("webhook_timeout_s", C_REAL, webhook_timeout_s, 0.1, 300, "10",
         "how long one post may take, in seconds"),
#undef ITEM
};
#define NCFG (sizeof(cfg_items) / sizeof(cfg_items[0]))

static const struct cfg_item *cfg_find(const char *key)
{
    size_t i;

    if (!key)
        return NULL;
    if (!strncmp(key, "coord.", 6))
        key += 6;
    for (i = 0; i < NCFG; i++)
        if (!strcmp(cfg_items[i].key, key))
            return &cfg_items[i];
    return NULL;
}

/* Parses value into cfg's field of it; CSCC_EINVAL naming the key. */
static int cfg_apply(struct coord_config *cfg, const struct cfg_item *it, const char *value,
                     int code, struct cscc_err *err)
{
    char *p = (char *)cfg + it->offset;
    double d;

    switch (it->type) {
    case C_REAL:
    case C_INT:
        if (cscc_parse_double(value, &d) || d < it->min || d > it->max ||
            (it->type == C_INT && d != floor(d)))
            return coord__ferr(err, code, it->key, "setting %s must be %s from %g to %g, not '%s'",
                               it->key, it->type == C_INT ? "a whole number" : "a number", it->min,
                               it->max, value);
        if (it->type == C_INT)
            *(int *)p = (int)d;
        else
            *(double *)p = d;
        return 0;
    case C_STR:
        if (strlen(value) > (size_t)it->max || strlen(value) < (size_t)it->min)
            return coord__ferr(err, code, it->key, "setting %s must be %g to %g characters",
                               it->key, it->min, it->max);
        if (!strcmp(it->key, "webhook_url") && !coord__is_url(value, 511))
            return coord__ferr(err, code, it->key,
                               "setting webhook_url must be an http:// or https:// URL, not '%s'",
                               value);
        snprintf(p, it->size, "%s", value);
        return 0;
    }
    return CSCC_EINTERNAL;
}

void coord_config_init(struct coord_config *cfg)
{
    size_t i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < NCFG; i++)
        cfg_apply(cfg, &cfg_items[i], cfg_items[i].def, CSCC_EINTERNAL, NULL);
}

int coord_config_load(struct store *st, struct coord_config *cfg, struct cscc_err *err)
{
    char key[96], value[1024];
    size_t i;
    int rc;

    coord_config_init(cfg);
    for (i = 0; i < NCFG; i++) {
        snprintf(key, sizeof(key), "coord.%s", cfg_items[i].key);
        rc = store_get_setting(st, key, value, sizeof(value), err);
        if (rc == CSCC_ENOENT)
            continue;
        if (rc)
            return rc;
        if ((rc = cfg_apply(cfg, &cfg_items[i], value, CSCC_EDATA, err)))
            return rc;
    }
    cscc_err_clear(err);
    return 0;
}

int coord_config_set(struct store *st, const struct coord_actor *a, const char *key,
                     const char *value, struct cscc_err *err)
{
    const struct cfg_item *it = cfg_find(key);
    struct coord_config tmp;
    char full[96];
    int rc;

    if ((rc = coord_require(a, COORD_SETTINGS, NULL, err)))
        return rc;
    if (!it)
        return coord__ferr(err, CSCC_EINVAL, key ? key : "", "no coordination setting '%s'",
                           key ? key : "");
    coord_config_init(&tmp);
    if (value && (rc = cfg_apply(&tmp, it, value, CSCC_EINVAL, err)))
        return rc;
    snprintf(full, sizeof(full), "coord.%s", it->key);
    return store_set_setting(st, full, value, err);
}

int coord_config_each(const struct coord_config *cfg,
                      int (*fn)(void *arg, const char *key, const char *value, const char *help),
                      void *arg)
{
    char buf[600];
    size_t i;
    int rc;

    for (i = 0; i < NCFG; i++) {
        const struct cfg_item *it = &cfg_items[i];
        const char *p = (const char *)cfg + it->offset;

        switch (it->type) {
        case C_REAL: snprintf(buf, sizeof(buf), "%g", *(const double *)p); break;
        case C_INT: snprintf(buf, sizeof(buf), "%d", *(const int *)p); break;
        case C_STR: snprintf(buf, sizeof(buf), "%s", p); break;
        }
        if ((rc = fn(arg, it->key, buf, it->help)))
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The handle                                                                */
/* ------------------------------------------------------------------------ */

/* Area of a GeoJSON ring in km^2 (equirectangular about its mean latitude). */
static double ring_km2(const json_t *ring)
{
    size_t i, n = json_array_size(ring);
    double lat0 = 0, sum = 0, kx, ky = 111.19492664;

    if (n < 4)
        return 0;
    for (i = 0; i < n; i++)
        lat0 += json_number_value(json_array_get(json_array_get(ring, i), 1));
    lat0 /= (double)n;
    kx = ky * cos(lat0 * M_PI / 180);
    for (i = 0; i + 1 < n; i++) {
        const json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);
        double x1 = json_number_value(json_array_get(p, 0)) * kx;
        double y1 = json_number_value(json_array_get(p, 1)) * ky;
        double x2 = json_number_value(json_array_get(q, 0)) * kx;
        double y2 = json_number_value(json_array_get(q, 1)) * ky;

        sum += x1 * y2 - x2 * y1;
    }
    return fabs(sum) / 2;
}

static double polygon_km2(const json_t *poly)
{
    double a = 0;
    size_t i;

    for (i = 0; i < json_array_size(poly); i++)
        a += (i == 0 ? 1 : -1) * ring_km2(json_array_get(poly, i));
    return a;
}

/* The area of a GeoJSON Polygon or MultiPolygon, km^2; 0 when unreadable. */
static double geometry_km2(const char *text)
{
    json_t *g = text ? json_loads(text, 0, NULL) : NULL;
    const char *type = json_string_value(json_object_get(g, "type"));
    const json_t *coords = json_object_get(g, "coordinates");
    double a = 0;
    size_t i;

    if (type && !strcmp(type, "Polygon"))
        a = polygon_km2(coords);
    else if (type && !strcmp(type, "MultiPolygon"))
        for (i = 0; i < json_array_size(coords); i++)
            a += polygon_km2(json_array_get(coords, i));
    json_decref(g);
    return a;
}

struct area_load {
    struct coord *c;
    struct geo_areas *build; /* NULL when areas were given */
    struct cscc_err *err;
    int rc;
};

static int area_cb(void *arg, const struct store_area *a)
{
    struct area_load *l = arg;

    if (a->number < 1 || a->number > COORD_MAX_AREA)
        return 0;
    cscc_free(l->c->area_name[a->number]);
    l->c->area_name[a->number] = cscc_xstrdup(a->name ? a->name : "");
    if (a->geometry) {
        l->c->city_km2 += geometry_km2(a->geometry);
        if (l->build && (l->rc = geo_areas_add(l->build, a->number, a->name, a->geometry, l->err)))
            return l->rc;
    }
    return 0;
}

static void clear_areas(struct coord *c)
{
    size_t i;

    for (i = 0; i <= COORD_MAX_AREA; i++) {
        cscc_free(c->area_name[i]);
        c->area_name[i] = NULL;
    }
    geo_areas_free(c->own_areas);
    c->own_areas = NULL;
    c->city_km2 = 0;
}

int coord_reload(struct coord *c, struct cscc_err *err)
{
    struct area_load l = {c, NULL, err, 0};
    int prio[COORD_MAX_AREA + 1];
    size_t n = 0, i;
    int rc;

    if (!c->cfg_given && (rc = coord_config_load(c->st, &c->cfg, err)))
        return rc;
    clear_areas(c);
    if (!c->areas_given) {
        c->areas = NULL;
        l.build = geo_areas_new();
    }
    rc = store_each_area(c->st, 1, area_cb, &l, err);
    if (!rc && l.build) {
        rc = geo_areas_finish(l.build, err);
        c->own_areas = l.build;
        c->areas = c->own_areas;
        l.build = NULL;
    }
    geo_areas_free(l.build);
    if (rc)
        return rc;
    memset(c->is_priority, 0, sizeof(c->is_priority));
    c->npriority = 0;
    rc = store_get_priority(c->st, c->cfg.priority_list, prio, COORD_MAX_AREA + 1, &n, err);
    if (rc)
        return rc;
    for (i = 0; i < n; i++) {
        if (prio[i] < 1 || prio[i] > COORD_MAX_AREA)
            continue;
        c->is_priority[prio[i]] = 1;
        c->priority[c->npriority++] = prio[i];
    }
    /* The violence window is rebuilt on next use: settings may have changed. */
    c->kde_key[0] = '\0';
    return 0;
}

struct coord *coord_open(const struct coord_opts *o, struct cscc_err *err)
{
    struct coord *c;

    if (!o || !o->st) {
        cscc_err_set(err, CSCC_EINVAL, "cannot open coordination: no store");
        return NULL;
    }
    c = cscc_xcalloc(1, sizeof(*c));
    c->st = o->st;
    c->crimes = o->crimes;
    c->areas = o->areas;
    c->areas_given = o->areas != NULL;
    if (o->cfg) {
        c->cfg = *o->cfg;
        c->cfg_given = 1;
    }
    if (coord_reload(c, err)) {
        coord_close(c);
        return NULL;
    }
    return c;
}

void coord_close(struct coord *c)
{
    if (!c)
        return;
    clear_areas(c);
    coord_kde_free(c->kde);
    cscc_free(c);
}

struct store *coord_store(struct coord *c)
{
    return c->st;
}

const struct coord_config *coord_config(const struct coord *c)
{
    return &c->cfg;
}

void coord_set_now(struct coord *c, int64_t now)
{
    c->fixed_now = now;
}

int64_t coord_now(const struct coord *c)
{
    return c->fixed_now ? c->fixed_now : (int64_t)time(NULL);
}

int coord_is_priority_area(const struct coord *c, int area)
{
    return area >= 1 && area <= COORD_MAX_AREA && c->is_priority[area];
}

const char *coord_area_name(const struct coord *c, int area)
{
    if (area < 1 || area > COORD_MAX_AREA || !c->area_name[area])
        return "";
    return c->area_name[area];
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

int coord__tx_begin(struct coord *c, struct coord__tx *tx, const char *what, struct cscc_err *err)
{
    int rc;

    tx->active = 0;
    tx->own = !store_in_transaction(c->st);
    if (tx->own)
        rc = store_begin(c->st, err);
    else
        rc = store_exec(c->st, what, "SAVEPOINT coord_write", NULL, 0, NULL, NULL, err);
    if (!rc)
        tx->active = 1;
    return rc;
}

int coord__tx_end(struct coord *c, struct coord__tx *tx, int rc, struct cscc_err *err)
{
    if (!tx->active)
        return rc;
    tx->active = 0;
    if (tx->own) {
        if (rc) {
            store_rollback(c->st);
            return rc;
        }
        return store_commit(c->st, err);
    }
    if (rc) {
        store_exec(c->st, "undo a write", "ROLLBACK TO SAVEPOINT coord_write", NULL, 0, NULL, NULL,
                   NULL);
        store_exec(c->st, "undo a write", "RELEASE SAVEPOINT coord_write", NULL, 0, NULL, NULL,
                   NULL);
        return rc;
    }
    return store_exec(c->st, "finish a write", "RELEASE SAVEPOINT coord_write", NULL, 0, NULL, NULL,
                      err);
}

/* ------------------------------------------------------------------------ */
/* Errors and input checks                                                   */
/* ------------------------------------------------------------------------ */

int coord__ferr(struct cscc_err *err, int code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    return code;
}

int coord_err_field(struct cscc_err *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return CSCC_EINVAL;
    va_start(ap, fmt);
    vsnprintf(err->field, sizeof(err->field), fmt, ap);
    va_end(ap);
    return err->code;
}

int coord__check_text(const char *s, size_t max, int required, int single_line, const char *field,
                      struct cscc_err *err)
{
    const unsigned char *p = (const unsigned char *)coord__s(s);
    const unsigned char *start = p;
    size_t len = strlen((const char *)p), k;
    int blank = 1;

    if (len > max)
        return coord__ferr(err, CSCC_EINVAL, field, "%s is %zu bytes long (at most %zu)", field,
                           len, max);
    while (*p) {
        if (*p < 0x20 || *p == 0x7f) {
            if (single_line || (*p != '\n' && *p != '\t' && *p != '\r'))
                return coord__ferr(err, CSCC_EINVAL, field,
                                   "%s holds a control character (byte 0x%02x)%s", field, *p,
                                   single_line ? "; it must be one line" : "");
        } else if (*p != ' ') {
            blank = 0;
        }
        if (!(k = strbuf_utf8_len((const char *)p, len - (size_t)(p - start))))
            return coord__ferr(err, CSCC_EINVAL, field, "%s is not valid UTF-8", field);
        p += k;
    }
    if (required && blank)
        return coord__ferr(err, CSCC_EINVAL, field, "%s is required", field);
    return 0;
}

int coord__is_ident(const char *s, size_t max, const char *extra)
{
    size_t n = 0;

    if (!s || !*s)
        return 0;
    for (; *s; s++, n++) {
        unsigned char ch = (unsigned char)*s;

        if (n >= max)
            return 0;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              (extra && strchr(extra, ch))))
            return 0;
    }
    return 1;
}

int coord__is_url(const char *s, size_t max)
{
    const char *p;

    if (!s || !*s)
        return 1;
    if (strlen(s) > max)
        return 0;
    if (strncasecmp(s, "http://", 7) && strncasecmp(s, "https://", 8))
        return 0;
    p = strstr(s, "://") + 3;
    if (!*p || *p == '/')
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Arena                                                                     */
/* ------------------------------------------------------------------------ */

struct coord__chunk {
    struct coord__chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *coord__alloc(struct coord__arena *a, size_t size)
{
    struct coord__chunk *ch = a->head;

    size = (size + 15) & ~(size_t)15;
    if (!ch || ch->cap - ch->used < size) {
        size_t cap = size > 16384 ? size : 16384;

        ch = cscc_xmalloc(sizeof(*ch) + cap);
        ch->cap = cap;
        ch->used = 0;
        ch->next = a->head;
        a->head = ch;
    }
    ch->used += size;
    return ch->data + ch->used - size;
}

char *coord__strdup(struct coord__arena *a, const char *s)
{
    size_t n = strlen(coord__s(s));
    char *p = coord__alloc(a, n + 1);

    memcpy(p, coord__s(s), n + 1);
    return p;
}

void coord__arena_free(struct coord__arena *a)
{
    while (a->head) {
        struct coord__chunk *next = a->head->next;

        cscc_free(a->head);
        a->head = next;
    }
}

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

void coord__localtime(int64_t t, struct tm *tm)
{
    time_t tt = (time_t)t;

    if (!localtime_r(&tt, tm))
        memset(tm, 0, sizeof(*tm));
}

void coord_format_time(int64_t t, char *buf, size_t cap)
{
    struct tm tm;
    long off;
    char sign = '+';

    coord__localtime(t, &tm);
    off = tm.tm_gmtoff / 60;
    if (off < 0) {
        sign = '-';
        off = -off;
    }
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

int coord_parse_time(const char *s, int64_t *t)
{
    struct cscc_tparse p;
    struct tm tm;
    int64_t days, secs, y;
    unsigned m, d;
    time_t tt;

    if (!s || cscc_parse_datetime(s, strlen(s), &p) || !(s[4] == '-'))
        return CSCC_EINVAL;
    if (p.has_offset) {
        *t = p.t - (int64_t)p.offset_min * 60;
        return 0;
    }
    /* Local wall-clock time: let the C library apply the zone's rules. */
    days = cscc_day_of(p.t);
    secs = p.t - days * CSCC_SECS_PER_DAY;
    cscc_civil_from_days(days, &y, &m, &d);
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = (int)(secs / 3600);
    tm.tm_min = (int)(secs / 60 % 60);
    tm.tm_sec = (int)(secs % 60);
    tm.tm_isdst = -1;
    tt = mktime(&tm);
    if (tt == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
        return CSCC_EINVAL;
    *t = (int64_t)tt;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */
/* ------------------------------------------------------------------------ */

void coord__jstr(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, json_string(coord__s(v)));
}

void coord__jint(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

void coord__jreal(json_t *o, const char *key, double v)
{
    json_object_set_new(o, key, isfinite(v) ? json_real(v) : json_null());
}

void coord__jbool(json_t *o, const char *key, int v)
{
    json_object_set_new(o, key, json_boolean(v));
}

void coord__jtime(json_t *o, const char *key, int64_t t)
{
    char buf[40];

    if (!t) {
        json_object_set_new(o, key, json_null());
        return;
    }
    coord_format_time(t, buf, sizeof(buf));
    json_object_set_new(o, key, json_string(buf));
}

void coord__jday(json_t *o, const char *key, int64_t day)
{
    char buf[16];

    cscc_format_day(day, buf);
    json_object_set_new(o, key, json_string(buf));
}

int coord__jget_str(const json_t *o, const char *key, const char **out, const char *field,
                    struct cscc_err *err)
{
    const json_t *v = json_object_get(o, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return coord__ferr(err, CSCC_EINVAL, field, "%s must be a string", field);
    *out = json_string_value(v);
    return 0;
}

int coord__jcheck_keys(const json_t *o, const char *const *allowed, const char *prefix,
                       struct cscc_err *err)
{
    const char *key;
    json_t *v;
    size_t i;

    json_object_foreach((json_t *)o, key, v)
    {
        (void)v;
        for (i = 0; allowed[i]; i++)
            if (!strcmp(key, allowed[i]))
                break;
        if (!allowed[i]) {
            char field[128];

            snprintf(field, sizeof(field), "%s%s%s", prefix ? prefix : "",
                     prefix && *prefix ? "." : "", key);
            return coord__ferr(err, CSCC_EINVAL, field, "unknown field '%s'", field);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Row helpers                                                               */
/* ------------------------------------------------------------------------ */

int coord__row_id(void *arg, const struct store_row *r)
{
    *(int64_t *)arg = store_row_int(r, 0);
    return 0;
}

int coord__row_first(void *arg, const struct store_row *r)
{
    *(int64_t *)arg = store_row_int(r, 0);
    return 1;
}
