/* workorders.c - the work-order state machine, routing rules, the queue,
 * moving and reassigning work orders, escalation and response metrics. */
#include "coord/workorders.h"

#include "coord/catalog.h"
#include "coord/coord_int.h"
#include "core/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* States and transitions                                                    */
/* ------------------------------------------------------------------------ */

static const char *const state_names[COORD_NSTATES] = {
    "new", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate",
};

const char *coord_state_name(enum coord_state s)
{
    return (unsigned)s < COORD_NSTATES ? state_names[s] : "?";
}

int coord_state_by_name(const char *s)
{
    char buf[32];
    size_t i, n;

    if (!s || (n = strlen(s)) >= sizeof(buf))
        return -1;
    for (i = 0; i < n; i++)
        buf[i] = s[i] == '-' || s[i] == ' ' ? '_' : (char)tolower((unsigned char)s[i]);
    buf[n] = '\0';
    for (i = 0; i < COORD_NSTATES; i++)
        if (!strcmp(buf, state_names[i]))
            return (int)i;
    return -1;
}

int coord_state_is_open(enum coord_state s)
{
    return s == COORD_NEW || s == COORD_ACKNOWLEDGED || s == COORD_IN_PROGRESS;
}

#define RB(x)   (1u << COORD_ROLE_##x)
#define DEPT_UP (RB(DEPARTMENT) | RB(COORDINATOR) | RB(ADMIN))
#define COORDS  (RB(COORDINATOR) | RB(ADMIN))

static const struct coord_transition transitions[] = {
    {COORD_NEW, COORD_ACKNOWLEDGED, DEPT_UP, 0},
    {COORD_NEW, COORD_IN_PROGRESS, DEPT_UP, 0},
    {COORD_NEW, COORD_RESOLVED, DEPT_UP, 0},
    {COORD_NEW, COORD_REJECTED, DEPT_UP, 1},
    {COORD_NEW, COORD_DUPLICATE, COORDS, 0},
    {COORD_ACKNOWLEDGED, COORD_IN_PROGRESS, DEPT_UP, 0},
    {COORD_ACKNOWLEDGED, COORD_RESOLVED, DEPT_UP, 0},
    {COORD_ACKNOWLEDGED, COORD_REJECTED, DEPT_UP, 1},
    {COORD_ACKNOWLEDGED, COORD_DUPLICATE, COORDS, 0},
    {COORD_IN_PROGRESS, COORD_RESOLVED, DEPT_UP, 0},
    {COORD_IN_PROGRESS, COORD_REJECTED, DEPT_UP, 1},
    {COORD_IN_PROGRESS, COORD_DUPLICATE, COORDS, 0},
    {COORD_RESOLVED, COORD_CLOSED, COORDS, 0},
    {COORD_RESOLVED, COORD_IN_PROGRESS, DEPT_UP, 0},
    {COORD_REJECTED, COORD_NEW, COORDS, 0},
};
#define NTRANS (sizeof(transitions) / sizeof(transitions[0]))

const struct coord_transition *coord_transitions(size_t *n)
{
    *n = NTRANS;
    return transitions;
}

static const struct coord_transition *find_transition(enum coord_state from, enum coord_state to)
{
    size_t i;

    for (i = 0; i < NTRANS; i++)
        if (transitions[i].from == from && transitions[i].to == to)
            return &transitions[i];
    return NULL;
}

int coord_check_move(const struct coord_actor *a, const char *dept, enum coord_state from,
                     enum coord_state to, struct cscc_err *err)
{
    const struct coord_transition *t = find_transition(from, to);
    char next[160] = "";
    size_t i, n = 0;

    if (!t) {
        for (i = 0; i < NTRANS; i++)
            if (transitions[i].from == from)
                n += (size_t)snprintf(next + n, sizeof(next) - n, "%s%s", n ? ", " : "",
                                      state_names[transitions[i].to]);
        return coord__ferr(err, CSCC_EINVAL, "state",
                           "a work order cannot go from %s to %s (from %s it may go to: %s)",
                           coord_state_name(from), coord_state_name(to), coord_state_name(from),
                           n ? next : "nowhere; it is final");
    }
    if (!a || (unsigned)a->role >= COORD_NROLES || !(t->roles & (1u << a->role)))
        return coord__ferr(err, CSCC_EPERM, "state", "a %s may not move a work order from %s to %s",
                           a ? coord_role_name(a->role) : "nobody", coord_state_name(from),
                           coord_state_name(to));
    if (a->role == COORD_ROLE_DEPARTMENT &&
        !(a->department && dept && a->department[0] && !strcmp(a->department, dept)))
        return coord__ferr(err, CSCC_EPERM, "state",
                           "a department may move only its own work orders (this one is %s's)",
                           coord__s(dept));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Routing rules                                                             */
/* ------------------------------------------------------------------------ */

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_index(const char *s, size_t n)
{
    int i;

    if (n < 3)
        return -1;
    for (i = 0; i < 7; i++)
        if (!strncasecmp(s, day_names[i], 3) &&
            (n == 3 || !strncasecmp(s + 3, "day", n - 3) || n <= 9))
            return i;
    return -1;
}

int coord_parse_days(const char *s, unsigned *days)
{
    unsigned mask = 0;
    const char *p = s;

    if (!s || !*s)
        return CSCC_EINVAL;
    if (!strcasecmp(s, "all") || !strcasecmp(s, "daily") || !strcasecmp(s, "every"))
        p = "sun-sat";
    else if (!strcasecmp(s, "weekdays"))
        p = "mon-fri";
    else if (!strcasecmp(s, "weekends"))
        p = "sat,sun";
    while (*p) {
        size_t n = strcspn(p, ",-");
        int a = day_index(p, n), b;

        if (a < 0)
            return CSCC_EINVAL;
        p += n;
        b = a;
        if (*p == '-') {
            p++;
            n = strcspn(p, ",");
            if ((b = day_index(p, n)) < 0)
                return CSCC_EINVAL;
            p += n;
        }
        for (;;) {
            mask |= 1u << a;
            if (a == b)
                break;
            a = (a + 1) % 7; /* sat-mon wraps */
        }
        if (*p == ',')
            p++;
        else if (*p)
            return CSCC_EINVAL;
        if (!*p)
            break;
    }
    *days = mask;
    return mask ? 0 : CSCC_EINVAL;
}

static int parse_clock(const char *s, size_t n, int *minute)
{
    int h, m;

    if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return CSCC_EINVAL;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m))
        return CSCC_EINVAL;
    *minute = h * 60 + m;
    return 0;
}

int coord_parse_hours(const char *s, int *minute_from, int *minute_to)
{
    const char *dash;
    int a, b;

    if (!s || !(dash = strchr(s, '-')) || parse_clock(s, (size_t)(dash - s), &a) ||
        parse_clock(dash + 1, strlen(dash + 1), &b) || a == 1440 || b == 0 || a == b)
        return CSCC_EINVAL;
    *minute_from = a;
    *minute_to = b;
    return 0;
}

int coord_route_matches(const struct coord_route *r, const char *service, int area, int is_priority,
                        int weekday, int minute)
{
    if (r->service && r->service[0] && (!service || strcmp(r->service, service)))
        return 0;
    if (r->area && r->area != area)
        return 0;
    if (r->priority_only && !is_priority)
        return 0;
    if (weekday < 0 || weekday > 6 || !(r->days & (1u << weekday)))
        return 0;
    if (r->minute_from < r->minute_to)
        return minute >= r->minute_from && minute < r->minute_to;
    return minute >= r->minute_from || minute < r->minute_to;
}

static int service_exists(struct coord *c, const char *code, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_TEXT(code)};
    int64_t n = 0;
    int rc =
        store_exec(c->st, "read services", "SELECT count(*) FROM coord_services WHERE code = ?", v,
                   1, coord__row_id, &n, err);

    return rc ? rc : n > 0;
}

int coord_route_add(struct coord *c, const struct coord_actor *a, const struct coord_route *r,
                    int64_t *id, struct cscc_err *err)
{
    int64_t pos = r->position;
    int rc;

    *id = 0;
    if ((rc = coord_require(a, COORD_ROUTE_EDIT, NULL, err)))
        return rc;
    if ((rc = coord__check_text(r->name, 200, 0, 1, "name", err)))
        return rc;
    if (r->service && r->service[0]) {
        if ((rc = service_exists(c, r->service, err)) < 0)
            return rc;
        if (!rc)
            return coord__ferr(err, CSCC_ENOENT, "service", "no service '%s'", r->service);
    }
    if (r->area && !coord_area_name(c, r->area)[0])
        return coord__ferr(err, CSCC_EINVAL, "area", "no community area %d", r->area);
    if (r->days < 1 || r->days > 0x7f)
        return coord__ferr(err, CSCC_EINVAL, "days", "days must name at least one day");
    if (r->minute_from < 0 || r->minute_from > 1439 || r->minute_to < 1 || r->minute_to > 1440 ||
        r->minute_from == r->minute_to)
        return coord__ferr(err, CSCC_EINVAL, "hours",
                           "hours must be a span like 08:00-17:00 (22:00-06:00 wraps midnight)");
    if ((rc = coord_department_exists(c, r->department, err)) < 0)
        return rc;
    if (!rc)
        return coord__ferr(err, CSCC_ENOENT, "department", "no active department '%s'",
                           coord__s(r->department));
    if (r->deadline_hours < 0 || r->deadline_hours > 365 * 24)
        return coord__ferr(err, CSCC_EINVAL, "deadline", "deadline must be up to 365 days");
    if (pos <= 0) {
        rc = store_exec(c->st, "read routing rules",
                        "SELECT COALESCE(max(position), 0) + 10 FROM coord_routes", NULL, 0,
                        coord__row_id, &pos, err);
        if (rc)
            return rc;
    }
    {
        struct store_val v[11] = {
            STORE_INT(pos),
            STORE_TEXT(coord__s(r->name)),
            r->service && r->service[0] ? STORE_TEXT(r->service) : STORE_NULL_V,
            STORE_OPT_INT(r->area, r->area),
            STORE_INT(r->priority_only ? 1 : 0),
            STORE_INT(r->days),
            STORE_INT(r->minute_from),
            STORE_INT(r->minute_to),
            STORE_TEXT(r->department),
            STORE_OPT_INT(r->deadline_hours, r->deadline_hours),
            STORE_TEXT(coord__actor_name(a)),
        };
        struct store_val all[12];

        memcpy(all, v, sizeof(v));
        all[11] = STORE_INT(coord_now(c));
        rc = store_exec(c->st, "store routing rule",
                        "INSERT INTO coord_routes (position, name, service, area, priority_only, "
                        "days, minute_from, minute_to, department, deadline_hours, created_by, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        all, 12, coord__row_id, id, err);
    }
    return rc;
}

int coord_route_remove(struct coord *c, const struct coord_actor *a, int64_t id,
                       struct cscc_err *err)
{
    struct store_val v[1] = {STORE_INT(id)};
    int rc;

    if ((rc = coord_require(a, COORD_ROUTE_EDIT, NULL, err)))
        return rc;
    rc = store_exec(c->st, "remove routing rule", "DELETE FROM coord_routes WHERE id = ?", v, 1,
                    NULL, NULL, err);
    if (!rc && store_changes(c->st) == 0)
        rc = coord__ferr(err, CSCC_ENOENT, "id", "no routing rule %lld", (long long)id);
    return rc;
}

struct route_each {
    coord_route_fn fn;
    void *arg;
};

static void route_from_row(const struct store_row *row, struct coord_route *r)
{
    r->id = store_row_int(row, 0);
    r->position = (int)store_row_int(row, 1);
    r->name = store_row_text(row, 2);
    r->service = store_row_text(row, 3);
    r->area = (int)store_row_int(row, 4);
    r->priority_only = (int)store_row_int(row, 5);
    r->days = (unsigned)store_row_int(row, 6);
    r->minute_from = (int)store_row_int(row, 7);
    r->minute_to = (int)store_row_int(row, 8);
    r->department = store_row_text(row, 9);
    r->deadline_hours = (int)store_row_int(row, 10);
    r->created_by = store_row_text(row, 11);
    r->created_at = store_row_int(row, 12);
}

static int route_row(void *arg, const struct store_row *row)
{
    struct route_each *e = arg;
    struct coord_route r;

    route_from_row(row, &r);
    return e->fn(e->arg, &r);
}

#define ROUTE_SELECT                                                                               \
    "SELECT id, position, name, service, area, priority_only, days, minute_from, minute_to, "      \
    "department, deadline_hours, created_by, created_at FROM coord_routes ORDER BY position, id"

int coord_route_each(struct coord *c, coord_route_fn fn, void *arg, struct cscc_err *err)
{
    struct route_each e = {fn, arg};

    return store_exec(c->st, "read routing rules", ROUTE_SELECT, NULL, 0, route_row, &e, err);
}

json_t *coord_route_json(const struct coord_route *r)
{
    json_t *j = json_object(), *days = json_array();
    char hours[16];
    int d;

    coord__jint(j, "id", r->id);
    coord__jint(j, "position", r->position);
    coord__jstr(j, "name", r->name);
    if (r->service && r->service[0])
        coord__jstr(j, "service_code", r->service);
    else
        json_object_set_new(j, "service_code", json_null());
    if (r->area)
        coord__jint(j, "area", r->area);
    else
        json_object_set_new(j, "area", json_null());
    coord__jbool(j, "priority_areas_only", r->priority_only);
    for (d = 0; d < 7; d++)
        if (r->days & (1u << d))
            json_array_append_new(days, json_string(day_names[d]));
    json_object_set_new(j, "days", days);
    snprintf(hours, sizeof(hours), "%02d:%02d-%02d:%02d", r->minute_from / 60, r->minute_from % 60,
             r->minute_to / 60, r->minute_to % 60);
    coord__jstr(j, "hours", hours);
    coord__jstr(j, "department", r->department);
    if (r->deadline_hours)
        coord__jint(j, "deadline_hours", r->deadline_hours);
    else
        json_object_set_new(j, "deadline_hours", json_null());
    coord__jstr(j, "created_by", r->created_by);
    coord__jtime(j, "created_at", r->created_at);
    return j;
}

struct decide {
    const char *service;
    int area, is_priority, weekday, minute;
    struct coord_routing *out;
};

static int decide_row(void *arg, const struct store_row *row)
{
    struct decide *d = arg;
    struct coord_route r;

    route_from_row(row, &r);
    if (!coord_route_matches(&r, d->service, d->area, d->is_priority, d->weekday, d->minute))
        return 0;
    snprintf(d->out->department, sizeof(d->out->department), "%s", r.department);
    if (r.deadline_hours)
        d->out->deadline_hours = r.deadline_hours;
    d->out->route_id = r.id;
    return 1;
}

struct svc_defaults {
    int found;
    char department[64];
    int deadline_hours;
};

static int svc_defaults_row(void *arg, const struct store_row *r)
{
    struct svc_defaults *s = arg;

    s->found = 1;
    snprintf(s->department, sizeof(s->department), "%s", store_row_text(r, 0));
    s->deadline_hours = (int)store_row_int(r, 1);
    return 0;
}

int coord_route_decide(struct coord *c, const char *service, int area, int64_t at,
                       struct coord_routing *out, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_TEXT(service)};
    struct svc_defaults sd = {0};
    struct decide d;
    struct tm tm;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_exec(c->st, "route need",
                    "SELECT department, deadline_hours FROM coord_services WHERE code = ?", v, 1,
                    svc_defaults_row, &sd, err);
    if (rc)
        return rc;
    if (!sd.found)
        return coord__ferr(err, CSCC_ENOENT, "service_code", "no service '%s'", coord__s(service));
    snprintf(out->department, sizeof(out->department), "%s", sd.department);
    out->deadline_hours = sd.deadline_hours;
    coord__localtime(at, &tm);
    d.service = service;
    d.area = area;
    d.is_priority = coord_is_priority_area(c, area);
    d.weekday = tm.tm_wday;
    d.minute = tm.tm_hour * 60 + tm.tm_min;
    d.out = out;
    rc = store_exec(c->st, "route need", ROUTE_SELECT, NULL, 0, decide_row, &d, err);
    if (rc < 0)
        return rc;
    out->due_at = at + (int64_t)out->deadline_hours * 3600;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Work orders: creation and history                                         */
/* ------------------------------------------------------------------------ */

static int add_history(struct coord *c, const struct coord_actor *a, int64_t wo, int64_t at,
                       const char *from, const char *to, const char *dept, const char *public_note,
                       const char *internal_note, struct cscc_err *err)
{
    struct store_val v[9] = {STORE_INT(wo),
                             STORE_INT(at),
                             STORE_TEXT(coord__actor_name(a)),
                             STORE_TEXT(a ? coord_role_name(a->role) : "system"),
                             STORE_TEXT(from),
                             STORE_TEXT(to),
                             STORE_TEXT(dept),
                             STORE_TEXT(coord__s(public_note)),
                             STORE_TEXT(coord__s(internal_note))};

    return store_exec(c->st, "record work order step",
                      "INSERT INTO coord_wo_history (wo_id, at, actor, actor_role, from_state, "
                      "to_state, department, public_note, internal_note) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      v, 9, NULL, NULL, err);
}

/* The common part of every work-order notification. */
static json_t *wo_note(int64_t wo, int64_t need, const char *service, int area, const char *dept,
                       const char *state)
{
    json_t *d = json_object();

    coord__jint(d, "workorder_id", wo);
    json_object_set_new(d, "service_request_id", json_sprintf("%lld", (long long)need));
    coord__jstr(d, "service_code", service);
    if (area)
        coord__jint(d, "area", area);
    else
        json_object_set_new(d, "area", json_null());
    coord__jstr(d, "department", dept);
    coord__jstr(d, "state", state);
    return d;
}

int coord__workorder_create(struct coord *c, const struct coord_actor *a, int64_t need_id,
                            const char *service, int area, double priority,
                            const struct coord_routing *r, int64_t now, int64_t *wo_id,
                            struct cscc_err *err)
{
    struct store_val v[9] = {STORE_INT(need_id),   STORE_TEXT(r->department),
                             STORE_TEXT(service),  STORE_OPT_INT(area, area),
                             STORE_REAL(priority), STORE_OPT_INT(r->route_id, r->route_id),
                             STORE_INT(now),       STORE_INT(r->due_at),
                             STORE_INT(now)};
    json_t *d;
    int rc;

    *wo_id = 0;
    rc = store_exec(c->st, "create work order",
                    "INSERT INTO coord_workorders (need_id, department, service, area, priority, "
                    "state, open, route_id, created_at, due_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, 'new', 1, ?, ?, ?, ?) RETURNING id",
                    v, 9, coord__row_id, wo_id, err);
    if (!rc)
        rc = add_history(c, a, *wo_id, now, NULL, "new", r->department, "", "", err);
    if (!rc) {
        d = wo_note(*wo_id, need_id, service, area, r->department, "new");
        coord__jtime(d, "due_at", r->due_at);
        coord__jreal(d, "priority", priority);
        rc = coord__outbox_add(c, "workorder.created", d, err);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Work orders: reading                                                      */
/* ------------------------------------------------------------------------ */

#define WO_COLUMNS                                                                                 \
    "id, need_id, department, service, area, priority, state, route_id, created_at, due_at, "      \
    "acknowledged_at, resolved_at, closed_at, escalated_at, updated_at"

static void wo_from_row(const struct store_row *r, int64_t now, struct coord_workorder *w)
{
    int st;

    w->id = store_row_int(r, 0);
    w->need_id = store_row_int(r, 1);
    w->department = store_row_text(r, 2);
    w->service = store_row_text(r, 3);
    w->area = (int)store_row_int(r, 4);
    w->priority = store_row_real(r, 5);
    st = coord_state_by_name(store_row_text(r, 6));
    w->state = st < 0 ? COORD_NEW : (enum coord_state)st;
    w->route_id = store_row_int(r, 7);
    w->created_at = store_row_int(r, 8);
    w->due_at = store_row_int(r, 9);
    w->acknowledged_at = store_row_int(r, 10);
    w->resolved_at = store_row_int(r, 11);
    w->closed_at = store_row_int(r, 12);
    w->escalated_at = store_row_int(r, 13);
    w->updated_at = store_row_int(r, 14);
    w->overdue = coord_state_is_open(w->state) && w->due_at < now;
}

struct wo_each {
    coord_workorder_fn fn;
    void *arg;
    int64_t now;
    size_t rows;
};

static int wo_row(void *arg, const struct store_row *r)
{
    struct wo_each *e = arg;
    struct coord_workorder w;

    wo_from_row(r, e->now, &w);
    e->rows++;
    return e->fn(e->arg, &w);
}

/* The row value (due_at, id) > (?, ?) is the cursor (the smallest key when
 * there is none): a range on the index, not a filter after it. */
#define WO_FILTER                                                                                  \
    "state IN (?, ?, ?, ?, ?, ?, ?) AND due_at < ? AND (? = 0 OR area = ?) AND "                   \
    "(? = 0 OR service = ?) AND (due_at, id) > (?, ?) ORDER BY due_at, id LIMIT ? OFFSET ?"

void coord_wo_cursor(const struct coord_workorder *w, char *buf, size_t cap)
{
    snprintf(buf, cap, "%lld:%lld", (long long)w->due_at, (long long)w->id);
}

int coord_wo_cursor_parse(const char *s, struct coord_wo_filter *f, struct cscc_err *err)
{
    long long due = 0, id = 0;
    char *end = NULL;
    int ok = 0;

    if (s && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) {
        errno = 0;
        due = strtoll(s, &end, 10);
        if (!errno && *end == ':' && end[1] >= '0' && end[1] <= '9') {
            id = strtoll(end + 1, &end, 10);
            ok = !errno && !*end && id >= 1;
        }
    }
    if (!ok)
        return coord__ferr(err, CSCC_EINVAL, "after",
                           "after must be the 'next' of an earlier page (DUE_AT:ID, e.g. "
                           "1767225600:42), not '%.40s'",
                           s ? s : "");
    f->has_after = 1;
    f->after_due = (int64_t)due;
    f->after_id = (int64_t)id;
    return 0;
}

int coord_workorder_each(struct coord *c, const struct coord_actor *a,
                         const struct coord_wo_filter *f, coord_workorder_fn fn, void *arg,
                         struct cscc_err *err)
{
    static const struct coord_wo_filter none = {0};
    struct wo_each e = {fn, arg, coord_now(c), 0};
    struct store_val v[20];
    const char *dept;
    struct coord_object obj = {0, NULL};
    unsigned states;
    size_t limit, k = 0;
    int only_open, i, rc;

    if (!f)
        f = &none;
    dept = f->department && f->department[0] ? f->department : NULL;
    if (a && a->role == COORD_ROLE_DEPARTMENT && !dept)
        dept = a->department;
    obj.department = dept;
    if ((rc = coord_require(a, COORD_WO_VIEW,
                            dept || (a && a->role == COORD_ROLE_DEPARTMENT) ? &obj : NULL, err)))
        return rc;
    limit = f->limit ? f->limit : 100;
    if (limit > 100000)
        return coord__ferr(err, CSCC_EINVAL, "limit", "limit must be at most 100000");
    states = f->all_states ? (1u << COORD_NSTATES) - 1
             : f->states
                 ? f->states
                 : (1u << COORD_NEW) | (1u << COORD_ACKNOWLEDGED) | (1u << COORD_IN_PROGRESS);
    only_open =
        !(states & ~((1u << COORD_NEW) | (1u << COORD_ACKNOWLEDGED) | (1u << COORD_IN_PROGRESS)));
    if (dept)
        v[k++] = STORE_TEXT(dept);
    for (i = 0; i < COORD_NSTATES; i++)
        v[k++] = STORE_TEXT(states & (1u << i) ? state_names[i] : "");
    v[k++] = STORE_INT(f->overdue_only ? e.now : INT64_MAX);
    v[k++] = STORE_INT(f->area);
    v[k++] = STORE_INT(f->area);
    v[k++] = STORE_INT(f->service && f->service[0]);
    v[k++] = STORE_TEXT(coord__s(f->service));
    v[k++] = STORE_INT(f->has_after ? f->after_due : INT64_MIN);
    v[k++] = STORE_INT(f->has_after ? f->after_id : INT64_MIN);
    v[k++] = STORE_INT((int64_t)limit);
    v[k++] = STORE_INT((int64_t)f->offset);
    /* The queue of one department runs down the index (department, open, due_at, id);
     * in any state, (department, due_at, id) (migration 5). */
    if (dept && only_open)
        rc = store_exec(c->st, "read work orders",
                        "SELECT " WO_COLUMNS " FROM coord_workorders WHERE department = ? AND "
                        "open = 1 AND " WO_FILTER,
                        v, k, wo_row, &e, err);
    else if (dept)
        rc = store_exec(c->st, "read work orders",
                        "SELECT " WO_COLUMNS
                        " FROM coord_workorders WHERE department = ? AND " WO_FILTER,
                        v, k, wo_row, &e, err);
    else if (only_open) /* the index (open, due_at, id) */
        rc = store_exec(c->st, "read work orders",
                        "SELECT " WO_COLUMNS " FROM coord_workorders WHERE open = 1 AND " WO_FILTER,
                        v, k, wo_row, &e, err);
    else
        rc = store_exec(c->st, "read work orders",
                        "SELECT " WO_COLUMNS " FROM coord_workorders WHERE " WO_FILTER, v, k,
                        wo_row, &e, err);
    return rc;
}

struct wo_one {
    struct coord_workorder w;
    char dept[64], service[72];
    int found;
};

static int wo_one_row(void *arg, const struct store_row *r)
{
    struct wo_one *o = arg;

    wo_from_row(r, INT64_MIN, &o->w);
    snprintf(o->dept, sizeof(o->dept), "%s", o->w.department);
    snprintf(o->service, sizeof(o->service), "%s", o->w.service);
    o->w.department = o->dept;
    o->w.service = o->service;
    o->found = 1;
    return 0;
}

static int wo_load(struct coord *c, int64_t id, struct wo_one *o, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_INT(id)};
    int rc;

    memset(o, 0, sizeof(*o));
    rc = store_exec(c->st, "read work order",
                    "SELECT " WO_COLUMNS " FROM coord_workorders WHERE id = ?", v, 1, wo_one_row, o,
                    err);
    if (!rc && !o->found)
        rc = coord__ferr(err, CSCC_ENOENT, "id", "no work order %lld", (long long)id);
    o->w.overdue = coord_state_is_open(o->w.state) && o->w.due_at < coord_now(c);
    return rc;
}

int coord_workorder_get(struct coord *c, const struct coord_actor *a, int64_t id,
                        coord_workorder_fn fn, void *arg, struct cscc_err *err)
{
    struct wo_one o;
    struct coord_object obj = {0, NULL};
    int rc;

    if ((rc = wo_load(c, id, &o, err)))
        return rc;
    obj.department = o.dept;
    if ((rc = coord_require(a, COORD_WO_VIEW, &obj, err)))
        return rc;
    return fn(arg, &o.w);
}

json_t *coord_workorder_json(const struct coord_workorder *w)
{
    json_t *j = json_object();

    coord__jint(j, "id", w->id);
    json_object_set_new(j, "service_request_id", json_sprintf("%lld", (long long)w->need_id));
    coord__jstr(j, "department", w->department);
    coord__jstr(j, "service_code", w->service);
    if (w->area)
        coord__jint(j, "area", w->area);
    else
        json_object_set_new(j, "area", json_null());
    coord__jreal(j, "priority", round(w->priority * 1000) / 1000);
    coord__jstr(j, "state", coord_state_name(w->state));
    coord__jbool(j, "overdue", w->overdue);
    coord__jtime(j, "created_at", w->created_at);
    coord__jtime(j, "due_at", w->due_at);
    coord__jtime(j, "acknowledged_at", w->acknowledged_at);
    coord__jtime(j, "resolved_at", w->resolved_at);
    coord__jtime(j, "closed_at", w->closed_at);
    coord__jtime(j, "escalated_at", w->escalated_at);
    if (w->route_id)
        coord__jint(j, "route_id", w->route_id);
    else
        json_object_set_new(j, "route_id", json_null());
    return j;
}

struct hist_each {
    coord_wo_event_fn fn;
    void *arg;
};

static int hist_row(void *arg, const struct store_row *r)
{
    struct hist_each *h = arg;
    struct coord_wo_event e;

    e.id = store_row_int(r, 0);
    e.wo_id = store_row_int(r, 1);
    e.at = store_row_int(r, 2);
    e.actor = store_row_text(r, 3);
    e.actor_role = store_row_text(r, 4);
    e.from_state = store_row_text(r, 5);
    e.to_state = store_row_text(r, 6);
    e.department = store_row_text(r, 7);
    e.public_note = store_row_text(r, 8);
    e.internal_note = store_row_text(r, 9);
    return h->fn(h->arg, &e);
}

int coord_workorder_history(struct coord *c, int64_t wo_id, coord_wo_event_fn fn, void *arg,
                            struct cscc_err *err)
{
    struct hist_each h = {fn, arg};
    struct store_val v[1] = {STORE_INT(wo_id)};

    return store_exec(
        c->st, "read work order history",
        "SELECT id, wo_id, at, actor, actor_role, from_state, to_state, department, "
        "public_note, internal_note FROM coord_wo_history WHERE wo_id = ? ORDER BY id",
        v, 1, hist_row, &h, err);
}

json_t *coord_wo_event_json(const struct coord_wo_event *e, enum coord_view v)
{
    json_t *j = json_object();

    coord__jtime(j, "at", e->at);
    if (e->from_state && e->from_state[0])
        coord__jstr(j, "from", e->from_state);
    else
        json_object_set_new(j, "from", json_null());
    coord__jstr(j, "to", e->to_state);
    coord__jstr(j, "department", e->department);
    coord__jstr(j, "public_note", e->public_note);
    if (v >= COORD_VIEW_STAFF) {
        coord__jstr(j, "actor", e->actor);
        coord__jstr(j, "actor_role", e->actor_role);
        coord__jstr(j, "internal_note", e->internal_note);
    }
    return j;
}

/* ------------------------------------------------------------------------ */
/* Work orders: moving and reassigning                                       */
/* ------------------------------------------------------------------------ */

/* The need a duplicate ends up following: the root of target's chain. */
struct target {
    int found, open;
    int64_t id, duplicate_of;
    char service[72], status[16], note[2001];
};

static int target_row(void *arg, const struct store_row *r)
{
    struct target *t = arg;

    t->found = 1;
    t->id = store_row_int(r, 0);
    t->duplicate_of = store_row_int(r, 1);
    snprintf(t->service, sizeof(t->service), "%s", store_row_text(r, 2));
    t->open = (int)store_row_int(r, 3);
    snprintf(t->status, sizeof(t->status), "%s", store_row_text(r, 4));
    snprintf(t->note, sizeof(t->note), "%s", store_row_text(r, 5));
    return 0;
}

static int load_target(struct coord *c, int64_t id, struct target *t, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_INT(id)};

    memset(t, 0, sizeof(*t));
    return store_exec(
        c->st, "read need",
        "SELECT id, duplicate_of, service, open, status, status_note FROM coord_needs "
        "WHERE id = ?",
        v, 1, target_row, t, err);
}

/* Sets the status of need and of the needs that follow it. */
static int set_need_status(struct coord *c, int64_t need, const char *status, int open,
                           const char *note, int64_t now, struct cscc_err *err)
{
    struct store_val v[7] = {STORE_TEXT(status),
                             STORE_INT(open),
                             STORE_TEXT(coord__s(note)),
                             STORE_TEXT(coord__s(note)),
                             STORE_INT(now),
                             STORE_INT(need),
                             STORE_INT(need)};

    return store_exec(c->st, "change need status",
                      "UPDATE coord_needs SET status = ?, open = ?, status_note = "
                      "CASE WHEN ? <> '' THEN ? ELSE status_note END, updated_at = ? "
                      "WHERE id = ? OR duplicate_of = ?",
                      v, 7, NULL, NULL, err);
}

int coord_workorder_move(struct coord *c, const struct coord_actor *a, int64_t id,
                         const struct coord_move *m, struct cscc_err *err)
{
    const struct coord_transition *t;
    struct coord__tx tx;
    struct target tg;
    struct wo_one o;
    int64_t now = coord_now(c);
    enum coord_state to = m->to;
    int rc, open;

    if ((unsigned)to >= COORD_NSTATES)
        return coord__ferr(err, CSCC_EINVAL, "state", "unknown state");
    if ((rc = coord__check_text(m->public_note, 2000, 0, 0, "public_note", err)) ||
        (rc = coord__check_text(m->internal_note, 4000, 0, 0, "internal_note", err)))
        return rc;
    if ((rc = coord__tx_begin(c, &tx, "move work order", err)))
        return rc;
    if ((rc = wo_load(c, id, &o, err)) || (rc = coord_check_move(a, o.dept, o.w.state, to, err)))
        goto out;
    t = find_transition(o.w.state, to);
    if (t->note_required && !(m->public_note && m->public_note[0])) {
        rc = coord__ferr(err, CSCC_EINVAL, "public_note",
                         "moving a work order to %s needs a public note saying why",
                         coord_state_name(to));
        goto out;
    }
    if (to == COORD_DUPLICATE) {
        if (!m->duplicate_of) {
            rc = coord__ferr(err, CSCC_EINVAL, "duplicate_of",
                             "duplicate_of must name the need this one duplicates");
            goto out;
        }
        if ((rc = load_target(c, m->duplicate_of, &tg, err)))
            goto out;
        if (tg.found && tg.duplicate_of && (rc = load_target(c, tg.duplicate_of, &tg, err)))
            goto out;
        if (!tg.found || tg.id == o.w.need_id || !tg.open || strcmp(tg.service, o.service)) {
            rc = coord__ferr(err, CSCC_EINVAL, "duplicate_of",
                             "need %lld cannot be followed: it must be another open need of "
                             "service %s",
                             (long long)m->duplicate_of, o.service);
            goto out;
        }
    }
    open = coord_state_is_open(to);
    {
        int acked = to == COORD_ACKNOWLEDGED || to == COORD_IN_PROGRESS || to == COORD_RESOLVED ||
                    to == COORD_CLOSED;
        int resolved = to == COORD_RESOLVED || to == COORD_CLOSED;
        struct store_val v[7] = {STORE_TEXT(coord_state_name(to)),
                                 STORE_INT(open),
                                 STORE_OPT_INT(acked, now),
                                 STORE_OPT_INT(resolved, now),
                                 STORE_OPT_INT(to == COORD_CLOSED, now),
                                 STORE_INT(now),
                                 STORE_INT(id)};

        rc = store_exec(c->st, "move work order",
                        "UPDATE coord_workorders SET state = ?, open = ?, "
                        "acknowledged_at = COALESCE(acknowledged_at, ?), "
                        "resolved_at = COALESCE(resolved_at, ?), closed_at = ?, updated_at = ? "
                        "WHERE id = ?",
                        v, 7, NULL, NULL, err);
    }
    if (!rc)
        rc = add_history(c, a, id, now, coord_state_name(o.w.state), coord_state_name(to), o.dept,
                         m->public_note, m->internal_note, err);
    if (!rc && to == COORD_DUPLICATE) {
        struct store_val v[7] = {
            STORE_INT(tg.id), STORE_TEXT(tg.status),  STORE_INT(tg.open),    STORE_TEXT(tg.note),
            STORE_INT(now),   STORE_INT(o.w.need_id), STORE_INT(o.w.need_id)};

        rc = store_exec(c->st, "link duplicate need",
                        "UPDATE coord_needs SET duplicate_of = ?, status = ?, open = ?, "
                        "status_note = ?, updated_at = ? WHERE id = ? OR duplicate_of = ?",
                        v, 7, NULL, NULL, err);
    } else if (!rc) {
        rc = set_need_status(c, o.w.need_id, coord_state_name(to), open, m->public_note, now, err);
    }
    if (!rc) {
        json_t *d = wo_note(id, o.w.need_id, o.service, o.w.area, o.dept, coord_state_name(to));

        coord__jstr(d, "from", coord_state_name(o.w.state));
        coord__jstr(d, "public_note", m->public_note);
        coord__jtime(d, "at", now);
        if (to == COORD_DUPLICATE)
            json_object_set_new(d, "duplicate_of", json_sprintf("%lld", (long long)tg.id));
        rc = coord__outbox_add(c, "workorder.state", d, err);
    }
out:
    return coord__tx_end(c, &tx, rc, err);
}

int coord_workorder_assign(struct coord *c, const struct coord_actor *a, int64_t id,
                           const char *department, const char *public_note,
                           const char *internal_note, struct cscc_err *err)
{
    struct coord__tx tx;
    struct wo_one o;
    int64_t now = coord_now(c);
    int rc;

    if ((rc = coord_require(a, COORD_WO_ASSIGN, NULL, err)) ||
        (rc = coord__check_text(public_note, 2000, 0, 0, "public_note", err)) ||
        (rc = coord__check_text(internal_note, 4000, 0, 0, "internal_note", err)))
        return rc;
    if ((rc = coord_department_exists(c, department, err)) < 0)
        return rc;
    if (!rc)
        return coord__ferr(err, CSCC_ENOENT, "department", "no active department '%s'",
                           coord__s(department));
    if ((rc = coord__tx_begin(c, &tx, "reassign work order", err)))
        return rc;
    if ((rc = wo_load(c, id, &o, err)))
        goto out;
    if (!coord_state_is_open(o.w.state)) {
        rc =
            coord__ferr(err, CSCC_EINVAL, "state", "work order %lld is %s: it cannot be reassigned",
                        (long long)id, coord_state_name(o.w.state));
        goto out;
    }
    {
        struct store_val v[3] = {STORE_TEXT(department), STORE_INT(now), STORE_INT(id)};

        rc = store_exec(c->st, "reassign work order",
                        "UPDATE coord_workorders SET department = ?, updated_at = ? WHERE id = ?",
                        v, 3, NULL, NULL, err);
    }
    if (!rc)
        rc = add_history(c, a, id, now, coord_state_name(o.w.state), coord_state_name(o.w.state),
                         department, public_note, internal_note, err);
    if (!rc) {
        json_t *d =
            wo_note(id, o.w.need_id, o.service, o.w.area, department, coord_state_name(o.w.state));

        coord__jstr(d, "previous_department", o.dept);
        coord__jtime(d, "due_at", o.w.due_at);
        rc = coord__outbox_add(c, "workorder.assigned", d, err);
    }
out:
    return coord__tx_end(c, &tx, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Escalation                                                                */
/* ------------------------------------------------------------------------ */

struct overdue {
    struct {
        int64_t id, need, due;
        int area;
        char dept[64], service[72], state[16];
    } * v;
    size_t n, cap;
};

static int overdue_row(void *arg, const struct store_row *r)
{
    struct overdue *o = arg;

    if (o->n == o->cap)
        return 1;
    o->v[o->n].id = store_row_int(r, 0);
    o->v[o->n].need = store_row_int(r, 1);
    snprintf(o->v[o->n].dept, sizeof(o->v[o->n].dept), "%s", store_row_text(r, 2));
    snprintf(o->v[o->n].service, sizeof(o->v[o->n].service), "%s", store_row_text(r, 3));
    o->v[o->n].area = (int)store_row_int(r, 4);
    o->v[o->n].due = store_row_int(r, 5);
    snprintf(o->v[o->n].state, sizeof(o->v[o->n].state), "%s", store_row_text(r, 6));
    o->n++;
    return 0;
}

int coord_escalate(struct coord *c, const struct coord_actor *a, size_t *n, struct cscc_err *err)
{
    struct overdue o = {NULL, 0, 0};
    int64_t now = coord_now(c);
    size_t total = 0, i;
    int rc;

    if (n)
        *n = 0;
    if ((rc = coord_require(a, COORD_ESCALATE, NULL, err)))
        return rc;
    o.cap = (size_t)(c->cfg.escalate_batch > 0 ? c->cfg.escalate_batch : 500);
    o.v = cscc_xcalloc(o.cap, sizeof(*o.v));
    for (;;) {
        struct store_val v[2] = {STORE_INT(now), STORE_INT((int64_t)o.cap)};
        struct coord__tx tx;

        o.n = 0;
        rc = store_exec(c->st, "find overdue work orders",
                        "SELECT id, need_id, department, service, area, due_at, state "
                        "FROM coord_workorders WHERE open = 1 AND escalated_at IS NULL AND "
                        "due_at < ? ORDER BY due_at, id LIMIT ?",
                        v, 2, overdue_row, &o, err);
        if (rc > 0)
            rc = 0;
        if (rc || !o.n)
            break;
        if ((rc = coord__tx_begin(c, &tx, "escalate work orders", err)))
            break;
        for (i = 0; !rc && i < o.n; i++) {
            struct store_val u[3] = {STORE_INT(now), STORE_INT(now), STORE_INT(o.v[i].id)};
            char note[160], due[40];
            json_t *d;

            coord_format_time(o.v[i].due, due, sizeof(due));
            snprintf(note, sizeof(note), "overdue: it was due %s; escalated to coordinators", due);
            rc = store_exec(c->st, "escalate work order",
                            "UPDATE coord_workorders SET escalated_at = ?, updated_at = ? "
                            "WHERE id = ? AND escalated_at IS NULL",
                            u, 3, NULL, NULL, err);
            if (!rc)
                rc = add_history(c, a, o.v[i].id, now, o.v[i].state, o.v[i].state, o.v[i].dept, "",
                                 note, err);
            if (!rc) {
                d = wo_note(o.v[i].id, o.v[i].need, o.v[i].service, o.v[i].area, o.v[i].dept,
                            o.v[i].state);
                coord__jtime(d, "due_at", o.v[i].due);
                coord__jint(d, "overdue_hours", (now - o.v[i].due) / 3600);
                rc = coord__outbox_add(c, "workorder.overdue", d, err);
            }
        }
        if ((rc = coord__tx_end(c, &tx, rc, err)))
            break;
        total += o.n;
        if (o.n < o.cap)
            break;
    }
    cscc_free(o.v);
    if (n)
        *n = total;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Response metrics                                                          */
/* ------------------------------------------------------------------------ */

int coord_metrics_by_name(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "none") || !strcmp(s, "all"))
        return COORD_BY_NONE;
    if (!strcmp(s, "department"))
        return COORD_BY_DEPARTMENT;
    if (!strcmp(s, "service") || !strcmp(s, "category"))
        return COORD_BY_SERVICE;
    if (!strcmp(s, "area"))
        return COORD_BY_AREA;
    if (!strcmp(s, "priority"))
        return COORD_BY_PRIORITY;
    return -1;
}

double coord_quantile(const double *v, size_t n, double q)
{
    double h;
    size_t lo;

    if (!n)
        return NAN;
    if (n == 1)
        return v[0];
    h = (double)(n - 1) * q;
    lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

struct mgroup {
    char key[80], label[208];
    int64_t sort; /* area number, or 0 */
    int64_t workorders, acknowledged, resolved, open, overdue;
    double *ack, *res;
    size_t nack, nres, capack, capres;
};

struct metrics {
    struct coord *c;
    enum coord_metrics_by by;
    int64_t now;
    struct mgroup *g;
    size_t n, cap;
    int oom;
};

static struct mgroup *mgroup_find(struct metrics *m, const char *key, const char *label,
                                  int64_t sort)
{
    size_t i;

    for (i = 0; i < m->n; i++)
        if (!strcmp(m->g[i].key, key))
            return &m->g[i];
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 32;
        m->g = cscc_xrealloc(m->g, m->cap * sizeof(*m->g));
    }
    memset(&m->g[m->n], 0, sizeof(m->g[m->n]));
    snprintf(m->g[m->n].key, sizeof(m->g[m->n].key), "%s", key);
    snprintf(m->g[m->n].label, sizeof(m->g[m->n].label), "%s", label);
    m->g[m->n].sort = sort;
    return &m->g[m->n++];
}

static int push(double **v, size_t *n, size_t *cap, double x)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        double *nv = cscc_tryreallocarray(*v, nc, sizeof(**v));

        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return 0;
}

static int metrics_row(void *arg, const struct store_row *r)
{
    struct metrics *m = arg;
    const char *dept = store_row_text(r, 0), *service = store_row_text(r, 2);
    int area = (int)store_row_int(r, 4), st = coord_state_by_name(store_row_text(r, 5));
    int64_t created = store_row_int(r, 6), ack = store_row_int(r, 7), res = store_row_int(r, 8);
    int64_t due = store_row_int(r, 9);
    char key[80], label[208];
    struct mgroup *g;
    int64_t sort = 0;

    switch (m->by) {
    case COORD_BY_DEPARTMENT:
        snprintf(key, sizeof(key), "%s", dept);
        snprintf(label, sizeof(label), "%s", store_row_text(r, 1));
        break;
    case COORD_BY_SERVICE:
        snprintf(key, sizeof(key), "%s", service);
        snprintf(label, sizeof(label), "%s", store_row_text(r, 3));
        break;
    case COORD_BY_AREA:
        snprintf(key, sizeof(key), "%d", area);
        snprintf(label, sizeof(label), "%s", area ? coord_area_name(m->c, area) : "(unknown)");
        sort = area;
        break;
    case COORD_BY_PRIORITY:
        sort = coord_is_priority_area(m->c, area) ? 0 : 1;
        snprintf(key, sizeof(key), "%s", sort ? "other" : "priority");
        snprintf(label, sizeof(label), "%s", sort ? "Other areas" : "Priority areas");
        break;
    default:
        snprintf(key, sizeof(key), "all");
        snprintf(label, sizeof(label), "All work orders");
        break;
    }
    g = mgroup_find(m, key, label, sort);
    g->workorders++;
    if (st >= 0 && coord_state_is_open((enum coord_state)st)) {
        g->open++;
        g->overdue += due < m->now;
    }
    if (st == COORD_REJECTED || st == COORD_DUPLICATE)
        return 0;
    if (ack) {
        g->acknowledged++;
        m->oom |= push(&g->ack, &g->nack, &g->capack, (double)(ack - created) / 3600);
    }
    if (res) {
        g->resolved++;
        m->oom |= push(&g->res, &g->nres, &g->capres, (double)(res - created) / 3600);
    }
    return m->oom ? CSCC_ENOMEM : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int cmp_group(const void *a, const void *b)
{
    const struct mgroup *x = a, *y = b;

    if (x->sort != y->sort)
        return x->sort < y->sort ? -1 : 1;
    return strcmp(x->key, y->key);
}

int coord_metrics_response(struct coord *c, const struct coord_actor *a, enum coord_metrics_by by,
                           int64_t from, int64_t to,
                           int (*fn)(void *arg, const struct coord_metrics_row *r), void *arg,
                           struct cscc_err *err)
{
    struct metrics m = {c, by, coord_now(c), NULL, 0, 0, 0};
    struct store_val v[2] = {STORE_INT(from ? from : INT64_MIN), STORE_INT(to ? to : INT64_MAX)};
    size_t i;
    int rc;

    if ((rc = coord_require(a, COORD_METRICS, NULL, err)))
        return rc;
    if ((unsigned)by > COORD_BY_PRIORITY)
        return coord__ferr(err, CSCC_EINVAL, "by", "unknown grouping");
    rc =
        store_exec(c->st, "read response times",
                   "SELECT w.department, COALESCE(d.name, ''), w.service, COALESCE(s.name, ''), "
                   "w.area, w.state, w.created_at, w.acknowledged_at, w.resolved_at, w.due_at "
                   "FROM coord_workorders w LEFT JOIN coord_departments d ON d.code = w.department "
                   "LEFT JOIN coord_services s ON s.code = w.service "
                   "WHERE w.created_at >= ? AND w.created_at <= ?",
                   v, 2, metrics_row, &m, err);
    if (rc == CSCC_ENOMEM)
        rc = cscc_err_set(err, CSCC_ENOMEM, "cannot compute response times: out of memory");
    if (!rc && by == COORD_BY_PRIORITY) {
        mgroup_find(&m, "priority", "Priority areas", 0);
        mgroup_find(&m, "other", "Other areas", 1);
    }
    if (!rc && m.n)
        qsort(m.g, m.n, sizeof(*m.g), cmp_group);
    for (i = 0; !rc && i < m.n; i++) {
        struct mgroup *g = &m.g[i];
        struct coord_metrics_row row;

        /* A group with no times has no arrays, and qsort must not get NULL. */
        if (g->nack)
            qsort(g->ack, g->nack, sizeof(double), cmp_double);
        if (g->nres)
            qsort(g->res, g->nres, sizeof(double), cmp_double);
        row.key = g->key;
        row.label = g->label;
        row.workorders = g->workorders;
        row.acknowledged = g->acknowledged;
        row.resolved = g->resolved;
        row.open = g->open;
        row.overdue = g->overdue;
        row.ack_median_h = coord_quantile(g->ack, g->nack, 0.5);
        row.ack_p90_h = coord_quantile(g->ack, g->nack, 0.9);
        row.resolve_median_h = coord_quantile(g->res, g->nres, 0.5);
        row.resolve_p90_h = coord_quantile(g->res, g->nres, 0.9);
        rc = fn(arg, &row);
    }
    for (i = 0; i < m.n; i++) {
        cscc_free(m.g[i].ack);
        cscc_free(m.g[i].res);
    }
    cscc_free(m.g);
    return rc;
}

json_t *coord_metrics_json(const struct coord_metrics_row *r)
{
    json_t *j = json_object();

    coord__jstr(j, "key", r->key);
    coord__jstr(j, "label", r->label);
    coord__jint(j, "workorders", r->workorders);
    coord__jint(j, "acknowledged", r->acknowledged);
    coord__jint(j, "resolved", r->resolved);
    coord__jint(j, "open", r->open);
    coord__jint(j, "overdue", r->overdue);
    coord__jreal(j, "ack_median_h", r->ack_median_h);
    coord__jreal(j, "ack_p90_h", r->ack_p90_h);
    coord__jreal(j, "resolve_median_h", r->resolve_median_h);
    coord__jreal(j, "resolve_p90_h", r->resolve_p90_h);
    return j;
}
