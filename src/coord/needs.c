/* needs.c - intake of needs (checks, placement, duplicates, priority,
 * routing, all in one transaction) and reading them back in a viewer's view. */
#include "coord/needs.h"

#include "coord/coord_int.h"
#include "core/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* ------------------------------------------------------------------------ */
/* Intake                                                                    */
/* ------------------------------------------------------------------------ */

static int new_token(char *out, struct cscc_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[16];
    size_t got = 0, i;

    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);

        if (n < 0)
            return cscc_err_errno(err, CSCC_EIO, errno, "cannot make a request token");
        got += (size_t)n;
    }
    for (i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[32] = '\0';
    return 0;
}

static const char *reporter_kind(enum coord_role r)
{
    switch (r) {
    case COORD_ROLE_PUBLIC: return "resident";
    case COORD_ROLE_PARTNER: return "partner";
    default: return "staff";
    }
}

struct dup_search {
    double lat, lon, radius;
    int64_t id;
    double dist;
};

static int dup_row(void *arg, const struct store_row *r)
{
    struct dup_search *d = arg;
    double m = coord_distance_m(d->lat, d->lon, store_row_real(r, 1), store_row_real(r, 2));

    if (m <= d->radius) {
        d->id = store_row_int(r, 0);
        d->dist = m;
        return 1; /* rows come oldest first: the earliest one wins */
    }
    return 0;
}

/* What a duplicate takes from the need it follows. */
struct followed {
    char status[16];
    int open;
    char note[2001];
    int64_t wo_id, due_at;
    char department[64];
};

static int followed_row(void *arg, const struct store_row *r)
{
    struct followed *f = arg;

    snprintf(f->status, sizeof(f->status), "%s", store_row_text(r, 0));
    f->open = (int)store_row_int(r, 1);
    snprintf(f->note, sizeof(f->note), "%s", store_row_text(r, 2));
    f->wo_id = store_row_int(r, 3);
    f->due_at = store_row_int(r, 4);
    snprintf(f->department, sizeof(f->department), "%s", store_row_text(r, 5));
    return 0;
}

static int check_request(struct coord *c, const struct coord_need_req *r,
                         const struct coord_service *svc, struct cscc_err *err)
{
    int rc;

    (void)c;
    if (!svc->active)
        return coord__ferr(err, CSCC_ENOENT, "service_code",
                           "service '%s' is retired and takes no new requests", svc->code);
    if ((rc = coord__check_text(r->description, 4000, 0, 0, "description", err)) ||
        (rc = coord_answers_check(svc, r->answers, r->nanswers, err)) ||
        (rc = coord__check_contacts(r->contact_name, r->contact_email, r->contact_phone,
                                    "first_name", "", err)))
        return rc;
    if (!coord__is_url(r->media_url, 1000))
        return coord__ferr(err, CSCC_EINVAL, "media_url",
                           "media_url must be an http:// or https:// address");
    if (r->source && !coord__is_ident(r->source, 16, "_-"))
        return coord__ferr(err, CSCC_EINVAL, "source", "source must be a short word, like 'web'");
    if (r->address && (rc = coord__check_text(r->address, 255, 0, 1, "address_string", err)))
        return rc;
    return 0;
}

int coord_need_add(struct coord *c, const struct coord_actor *a, const struct coord_need_req *r,
                   struct coord_need_ack *ack, struct cscc_err *err)
{
    struct coord__service_copy *sc = NULL;
    const struct coord_service *svc;
    struct coord_place place;
    struct coord_score score;
    struct coord__tx tx = {0, 0};
    struct dup_search dup = {0};
    struct followed fol;
    struct coord_routing route;
    int64_t now = coord_now(c), id = 0, wo = 0;
    char token[33];
    size_t i;
    int rc;

    memset(ack, 0, sizeof(*ack));
    memset(&fol, 0, sizeof(fol));
    if ((rc = coord_require(a, COORD_NEED_CREATE, NULL, err)))
        return rc;
    if (!r->service_code || !*r->service_code)
        return coord__ferr(err, CSCC_EINVAL, "service_code", "service_code is required");
    if (a->role == COORD_ROLE_PARTNER && a->org_id) {
        struct store_val v[1] = {STORE_INT(a->org_id)};
        int64_t found = 0;

        if ((rc = store_exec(c->st, "read organization", "SELECT id FROM coord_orgs WHERE id = ?",
                             v, 1, coord__row_first, &found, err)) < 0)
            return rc;
        if (!found)
            return coord__ferr(err, CSCC_EPERM, "reporter_org",
                               "the reporting partner's organization %lld is not registered",
                               (long long)a->org_id);
    }
    if (!(sc = coord__service_load(c, r->service_code, err)))
        return err ? err->code : CSCC_ENOENT;
    svc = coord__service_of(sc);
    if ((rc = check_request(c, r, svc, err)))
        goto out;
    /* Where (the gazetteer places addresses and gives points their block). */
    if ((r->has_point || (r->address && *r->address)) &&
        (rc = coord_gazetteer_ensure(c, NULL, err)))
        goto out;
    if (r->has_point) {
        rc = coord_locate_point(c, r->lat, r->lon, &place, err);
    } else if (r->address && *r->address) {
        rc = coord_locate_address(c, r->address, &place, err);
    } else {
        rc = coord__ferr(err, CSCC_EINVAL, "lat",
                         "a location is required: lat and long, or address_string");
    }
    if (rc)
        goto out;
    if (!place.area && c->areas && coord_area_name(c, 1)[0]) {
        rc = coord__ferr(err, CSCC_EINVAL, r->has_point ? "lat" : "address_string",
                         "the location (%.5f, %.5f) is outside every community area", place.lat,
                         place.lon);
        goto out;
    }
    if ((rc = coord_score_point(c, svc->weight, place.lat, place.lon, place.area, &score, err)) ||
        (rc = new_token(token, err)))
        goto out;
    if ((rc = coord__tx_begin(c, &tx, "store need", err)))
        goto out;
    /* An open need of the same service nearby: this one follows it. */
    if (c->cfg.duplicate_radius_m > 0) {
        double dlat = c->cfg.duplicate_radius_m / 111194.9;
        double dlon = dlat / fmax(cos(place.lat * M_PI / 180), 0.01);
        struct store_val v[5] = {STORE_TEXT(svc->code), STORE_REAL(place.lat - dlat),
                                 STORE_REAL(place.lat + dlat), STORE_REAL(place.lon - dlon),
                                 STORE_REAL(place.lon + dlon)};

        dup.lat = place.lat;
        dup.lon = place.lon;
        dup.radius = c->cfg.duplicate_radius_m;
        rc = store_exec(c->st, "look for duplicates",
                        "SELECT id, lat, lon FROM coord_needs WHERE service = ? AND open = 1 AND "
                        "duplicate_of IS NULL AND lat >= ? AND lat <= ? AND lon >= ? AND lon <= ? "
                        "ORDER BY id",
                        v, 5, dup_row, &dup, err);
        if (rc > 0)
            rc = 0;
    }
    if (!rc && dup.id) {
        struct store_val v[1] = {STORE_INT(dup.id)};

        rc = store_exec(c->st, "look for duplicates",
                        "SELECT n.status, n.open, n.status_note, w.id, w.due_at, w.department "
                        "FROM coord_needs n LEFT JOIN coord_workorders w ON w.need_id = n.id "
                        "WHERE n.id = ?",
                        v, 1, followed_row, &fol, err);
    } else {
        snprintf(fol.status, sizeof(fol.status), "new");
        fol.open = 1;
    }
    if (!rc) {
        struct store_val v[36] = {
            STORE_TEXT(token),
            STORE_TEXT(svc->code),
            STORE_TEXT(coord__s(r->description)),
            STORE_REAL(place.lat),
            STORE_REAL(place.lon),
            STORE_REAL(place.public_lat),
            STORE_REAL(place.public_lon),
            STORE_TEXT(coord__s(r->address)),
            STORE_TEXT(place.block),
            STORE_TEXT(place.located_by),
            STORE_OPT_INT(place.area, place.area),
            STORE_TEXT(r->source ? r->source : "api"),
            STORE_TEXT(reporter_kind(a->role)),
            STORE_TEXT(a->name ? a->name : ""),
            STORE_OPT_INT(a->role == COORD_ROLE_PARTNER && a->org_id, a->org_id),
            STORE_TEXT(a->role == COORD_ROLE_DEPARTMENT ? coord__s(a->department) : ""),
            STORE_TEXT(coord__s(r->contact_name)),
            STORE_TEXT(coord__s(r->contact_email)),
            STORE_TEXT(coord__s(r->contact_phone)),
            STORE_TEXT(coord__s(r->media_url)),
            STORE_OPT_INT(dup.id, dup.id),
            dup.id ? STORE_REAL(dup.dist) : STORE_NULL_V,
            STORE_TEXT(fol.status),
            STORE_INT(fol.open),
            STORE_TEXT(fol.note),
            STORE_REAL(score.score),
            STORE_REAL(score.weight),
            STORE_REAL(score.density),
            STORE_REAL(score.city_density),
            STORE_REAL(score.violence),
            STORE_INT(score.priority_area),
            STORE_REAL(score.area_factor),
            STORE_INT(score.incidents),
            STORE_REAL(score.bandwidth_m),
            STORE_INT(score.days),
            STORE_INT(score.until_day),
        };
        struct store_val tail[2] = {STORE_INT(now), STORE_INT(now)};
        struct store_val all[38];

        memcpy(all, v, sizeof(v));
        memcpy(all + 36, tail, sizeof(tail));
        rc = store_exec(c->st, "store need",
                        "INSERT INTO coord_needs (token, service, description, lat, lon, "
                        "public_lat, public_lon, address, block, located_by, area, source, "
                        "reporter_kind, reporter, reporter_org, reporter_department, contact_name, "
                        "contact_email, contact_phone, media_url, duplicate_of, duplicate_m, "
                        "status, open, status_note, score, score_weight, score_density, "
                        "score_city_density, score_violence, score_priority_area, "
                        "score_area_factor, score_incidents, score_bandwidth_m, score_days, "
                        "score_until_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        all, 38, coord__row_id, &id, err);
    }
    for (i = 0; !rc && i < r->nanswers; i++) {
        struct store_val v[4] = {STORE_INT(id), STORE_TEXT(r->answers[i].attr), STORE_INT(i + 1),
                                 STORE_TEXT(r->answers[i].value)};

        rc = store_exec(c->st, "store need",
                        "INSERT INTO coord_need_answers (need_id, attr, position, value) "
                        "VALUES (?, ?, ?, ?)",
                        v, 4, NULL, NULL, err);
    }
    if (!rc && !dup.id) {
        rc = coord_route_decide(c, svc->code, place.area, now, &route, err);
        if (!rc)
            rc = coord__workorder_create(c, a, id, svc->code, place.area, score.score, &route, now,
                                         &wo, err);
        if (!rc) {
            snprintf(fol.department, sizeof(fol.department), "%s", route.department);
            fol.due_at = route.due_at;
        }
    } else if (!rc) {
        json_t *d = json_object();

        json_object_set_new(d, "service_request_id", json_sprintf("%lld", (long long)id));
        json_object_set_new(d, "duplicate_of", json_sprintf("%lld", (long long)dup.id));
        coord__jstr(d, "service_code", svc->code);
        coord__jreal(d, "distance_m", round(dup.dist * 10) / 10);
        rc = coord__outbox_add(c, "need.duplicate", d, err);
    }
    rc = coord__tx_end(c, &tx, rc, err);
    if (rc)
        goto out;
    ack->id = id;
    memcpy(ack->token, token, sizeof(ack->token));
    ack->duplicate_of = dup.id;
    ack->duplicate_m = dup.id ? dup.dist : 0;
    ack->workorder_id = wo;
    snprintf(ack->department, sizeof(ack->department), "%s", fol.department);
    ack->due_at = fol.due_at;
    snprintf(ack->status, sizeof(ack->status), "%s", fol.status);
    ack->area = place.area;
    snprintf(ack->block, sizeof(ack->block), "%s", place.block);
    ack->score = score;
out:
    coord__service_copy_free(sc);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Reading needs                                                             */
/* ------------------------------------------------------------------------ */

#define NEED_COLUMNS                                                                               \
    "n.id, n.token, n.service, s.name, n.description, n.lat, n.lon, n.public_lat, n.public_lon, "  \
    "n.address, n.block, n.located_by, n.area, n.source, n.reporter_kind, n.reporter, "            \
    "n.reporter_org, n.reporter_department, n.contact_name, n.contact_email, n.contact_phone, "    \
    "n.media_url, n.duplicate_of, n.duplicate_m, n.status, n.open, n.status_note, n.score, "       \
    "n.score_weight, n.score_density, n.score_city_density, n.score_violence, "                    \
    "n.score_priority_area, n.score_area_factor, n.score_incidents, n.score_bandwidth_m, "         \
    "n.score_days, n.score_until_day, n.created_at, n.updated_at, w.id, w.department, d.name, "    \
    "w.due_at, s.private"

#define NEED_FROM                                                                                  \
    " FROM coord_needs n LEFT JOIN coord_services s ON s.code = n.service "                        \
    "LEFT JOIN coord_workorders w ON w.need_id = COALESCE(n.duplicate_of, n.id) "                  \
    "LEFT JOIN coord_departments d ON d.code = w.department "

static void need_from_row(const struct store_row *r, struct coord_need *n)
{
    size_t k = 0;

    memset(n, 0, sizeof(*n));
    n->id = store_row_int(r, k++);
    n->token = store_row_text(r, k++);
    n->service = store_row_text(r, k++);
    n->service_name = store_row_text(r, k++);
    n->description = store_row_text(r, k++);
    n->lat = store_row_real(r, k++);
    n->lon = store_row_real(r, k++);
    n->public_lat = store_row_real(r, k++);
    n->public_lon = store_row_real(r, k++);
    n->address = store_row_text(r, k++);
    n->block = store_row_text(r, k++);
    n->located_by = store_row_text(r, k++);
    n->area = (int)store_row_int(r, k++);
    n->source = store_row_text(r, k++);
    n->reporter_kind = store_row_text(r, k++);
    n->reporter = store_row_text(r, k++);
    n->reporter_org = store_row_int(r, k++);
    n->reporter_department = store_row_text(r, k++);
    n->contact_name = store_row_text(r, k++);
    n->contact_email = store_row_text(r, k++);
    n->contact_phone = store_row_text(r, k++);
    n->media_url = store_row_text(r, k++);
    n->duplicate_of = store_row_int(r, k++);
    n->duplicate_m = store_row_real(r, k++);
    n->status = store_row_text(r, k++);
    n->open = (int)store_row_int(r, k++);
    n->status_note = store_row_text(r, k++);
    n->score.score = store_row_real(r, k++);
    n->score.weight = store_row_real(r, k++);
    n->score.density = store_row_real(r, k++);
    n->score.city_density = store_row_real(r, k++);
    n->score.violence = store_row_real(r, k++);
    n->score.ratio = n->score.city_density > 0 ? n->score.density / n->score.city_density : 0;
    n->score.priority_area = (int)store_row_int(r, k++);
    n->score.area_factor = store_row_real(r, k++);
    n->score.incidents = store_row_int(r, k++);
    n->score.bandwidth_m = store_row_real(r, k++);
    n->score.days = (int)store_row_int(r, k++);
    n->score.until_day = store_row_int(r, k++);
    n->created_at = store_row_int(r, k++);
    n->updated_at = store_row_int(r, k++);
    n->workorder_id = store_row_int(r, k++);
    n->department = store_row_text(r, k++);
    n->department_name = store_row_text(r, k++);
    n->due_at = store_row_int(r, k++);
    n->is_private = (int)store_row_int(r, k++);
}

struct need_each {
    coord_need_fn fn;
    void *arg;
    size_t rows;
};

static int need_row(void *arg, const struct store_row *r)
{
    struct need_each *e = arg;
    struct coord_need n;

    need_from_row(r, &n);
    e->rows++;
    return e->fn(e->arg, &n);
}

/* One need and its answers: the row is kept until the answers are read. */
struct need_one {
    struct coord__arena arena;
    struct coord_need n;
    int found;
    struct coord_answer *ans;
    size_t nans, cap;
};

static int need_one_row(void *arg, const struct store_row *r)
{
    struct need_one *o = arg;
    struct coord_need n;
    struct coord__arena *a = &o->arena;

    need_from_row(r, &n);
    o->n = n;
    /* The strings live in the statement; copy them before the next query. */
#define KEEP(f) o->n.f = coord__strdup(a, n.f)
    KEEP(token);
    KEEP(service);
    KEEP(service_name);
    KEEP(description);
    KEEP(address);
    KEEP(block);
    KEEP(located_by);
    KEEP(source);
    KEEP(reporter_kind);
    KEEP(reporter);
    KEEP(reporter_department);
    KEEP(contact_name);
    KEEP(contact_email);
    KEEP(contact_phone);
    KEEP(media_url);
    KEEP(status);
    KEEP(status_note);
    KEEP(department);
    KEEP(department_name);
#undef KEEP
    o->found = 1;
    return 0;
}

static int answer_row(void *arg, const struct store_row *r)
{
    struct need_one *o = arg;

    if (o->nans == o->cap) {
        struct coord_answer *nv;

        o->cap = o->cap ? o->cap * 2 : 8;
        nv = coord__alloc(&o->arena, o->cap * sizeof(*nv));
        if (o->nans)
            memcpy(nv, o->ans, o->nans * sizeof(*nv));
        o->ans = nv;
    }
    o->ans[o->nans].attr = coord__strdup(&o->arena, store_row_text(r, 0));
    o->ans[o->nans].value = coord__strdup(&o->arena, store_row_text(r, 1));
    o->nans++;
    return 0;
}

int coord_need_get(struct coord *c, int64_t id, coord_need_fn fn, void *arg, struct cscc_err *err)
{
    struct need_one o;
    struct store_val v[1] = {STORE_INT(id)};
    int rc;

    memset(&o, 0, sizeof(o));
    rc = store_exec(c->st, "read need", "SELECT " NEED_COLUMNS NEED_FROM "WHERE n.id = ?", v, 1,
                    need_one_row, &o, err);
    if (!rc && !o.found)
        rc = coord__ferr(err, CSCC_ENOENT, "service_request_id", "no request %lld", (long long)id);
    if (!rc)
        rc = store_exec(c->st, "read need",
                        "SELECT attr, value FROM coord_need_answers WHERE need_id = ? "
                        "ORDER BY position",
                        v, 1, answer_row, &o, err);
    if (!rc) {
        o.n.answers = o.ans;
        o.n.nanswers = o.nans;
        rc = fn(arg, &o.n);
    }
    coord__arena_free(&o.arena);
    return rc;
}

int coord_need_get_by_token(struct coord *c, const char *token, coord_need_fn fn, void *arg,
                            struct cscc_err *err)
{
    struct store_val v[1] = {STORE_TEXT(token)};
    int64_t id = 0;
    int rc;

    if (!token || !coord__is_ident(token, 64, ""))
        return coord__ferr(err, CSCC_ENOENT, "token", "no request with that token");
    rc = store_exec(c->st, "read need", "SELECT id FROM coord_needs WHERE token = ?", v, 1,
                    coord__row_first, &id, err);
    if (rc < 0)
        return rc;
    if (!id)
        return coord__ferr(err, CSCC_ENOENT, "token", "no request with that token");
    return coord_need_get(c, id, fn, arg, err);
}

/* Calls fn for the need id when it exists (ids of Open311 GET requests). */
static int need_by_id(struct coord *c, int64_t id, struct need_each *e, struct cscc_err *err)
{
    struct store_val v[1] = {STORE_INT(id)};

    return store_exec(c->st, "read need", "SELECT " NEED_COLUMNS NEED_FROM "WHERE n.id = ?", v, 1,
                      need_row, e, err);
}

/* C is "n." or, to keep the planner off the index on created_at when no
 * date is given (it would then sort every need to find a page), "+n.". */
#define NEED_WHERE(C)                                                                              \
    "WHERE (? = 0 OR n.service = ?) AND " C "created_at >= ? AND " C "created_at <= ? AND "        \
    "(? = 0 OR n.open = ?) AND (? = 0 OR n.status = ?) AND (? = 0 OR n.area = ?) AND "             \
    "(? = 0 OR w.department = ?) AND (? = 0 OR n.reporter_org = ?) AND "                           \
    "(? = 0 OR COALESCE(s.private, 0) = 0 OR n.reporter_org = ?) "

int coord_need_each(struct coord *c, const struct coord_need_filter *f, coord_need_fn fn, void *arg,
                    struct cscc_err *err)
{
    static const struct coord_need_filter none = {0};
    struct need_each e = {fn, arg, 0};
    size_t i;
    int rc = 0;

    if (!f)
        f = &none;
    if (f->nids) {
        if (f->nids > 100)
            return coord__ferr(err, CSCC_EINVAL, "service_request_id",
                               "at most 100 requests at once");
        for (i = 0; !rc && i < f->nids; i++)
            rc = need_by_id(c, f->ids[i], &e, err);
        return rc;
    }
    {
        int64_t after = f->after ? f->after : f->newest_first ? INT64_MAX : INT64_MIN;
        struct store_val v[20] = {
            STORE_INT(f->service && *f->service),
            STORE_TEXT(coord__s(f->service)),
            STORE_INT(f->has_from ? f->from : INT64_MIN),
            STORE_INT(f->has_to ? f->to : INT64_MAX),
            STORE_INT(f->open),
            STORE_INT(f->open == 1 ? 1 : 0),
            STORE_INT(f->status && *f->status),
            STORE_TEXT(coord__s(f->status)),
            STORE_INT(f->area),
            STORE_INT(f->area),
            STORE_INT(f->department && *f->department),
            STORE_TEXT(coord__s(f->department)),
            STORE_INT(f->reporter_org),
            STORE_INT(f->reporter_org),
            STORE_INT(f->public_view),
            STORE_INT(f->public_view && f->viewer_org ? f->viewer_org : -1),
            STORE_INT(after),
            STORE_INT((int64_t)(f->limit ? f->limit : 1000)),
            STORE_INT((int64_t)f->offset),
        };

        int dated = f->has_from || f->has_to;

        /* index coord_needs_created holds (created_at, id): read down (or
         * up) it, the first page costs a page, not a sort of the period */
        if (dated && f->by_time && !f->after && f->newest_first)
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "n.") "AND n.id < ? ORDER BY n.created_at DESC, n.id DESC "
                                      "LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
        else if (dated && f->by_time && !f->after)
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "n.") "AND n.id > ? ORDER BY n.created_at, n.id LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
        else if (f->newest_first && dated)
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "n.") "AND n.id < ? ORDER BY n.id DESC LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
        else if (f->newest_first)
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "+n.") "AND n.id < ? ORDER BY n.id DESC LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
        else if (dated)
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "n.") "AND n.id > ? ORDER BY n.id LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
        else
            rc = store_exec(c->st, "read needs",
                            "SELECT " NEED_COLUMNS NEED_FROM NEED_WHERE(
                                "+n.") "AND n.id > ? ORDER BY n.id LIMIT ? OFFSET ?",
                            v, 19, need_row, &e, err);
    }
    return rc;
}

enum coord_view coord_need_view(const struct coord_actor *a, const struct coord_need *n)
{
    if (!a)
        return COORD_VIEW_PUBLIC;
    switch (a->role) {
    case COORD_ROLE_ADMIN:
    case COORD_ROLE_COORDINATOR: return COORD_VIEW_FULL;
    case COORD_ROLE_DEPARTMENT:
        return a->department && a->department[0] && n->department &&
                       !strcmp(a->department, n->department)
                   ? COORD_VIEW_FULL
                   : COORD_VIEW_STAFF;
    case COORD_ROLE_ANALYST: return COORD_VIEW_STAFF;
    case COORD_ROLE_PARTNER:
        return a->org_id && n->reporter_org == a->org_id ? COORD_VIEW_FULL : COORD_VIEW_PUBLIC;
    default: return COORD_VIEW_PUBLIC;
    }
}

int coord_need_hidden(const struct coord_actor *a, const struct coord_need *n)
{
    return n->is_private && coord_need_view(a, n) == COORD_VIEW_PUBLIC;
}

void coord_need_filter_for(struct coord_need_filter *f, const struct coord_actor *a)
{
    int staff = a && (a->role == COORD_ROLE_ADMIN || a->role == COORD_ROLE_COORDINATOR ||
                      a->role == COORD_ROLE_DEPARTMENT || a->role == COORD_ROLE_ANALYST);

    f->public_view = !staff;
    f->viewer_org = !staff && a && a->role == COORD_ROLE_PARTNER ? a->org_id : 0;
}

json_t *coord_need_json(const struct coord_need *n, enum coord_view v)
{
    json_t *j = json_object(), *pr = json_object();
    size_t i;

    json_object_set_new(j, "service_request_id", json_sprintf("%lld", (long long)n->id));
    if (v >= COORD_VIEW_FULL) /* the reporter's receipt */
        coord__jstr(j, "token", n->token);
    coord__jstr(j, "service_code", n->service);
    coord__jstr(j, "service_name", n->service_name);
    coord__jstr(j, "description", n->description);
    coord__jstr(j, "status", n->open ? "open" : "closed");
    coord__jstr(j, "detailed_status", n->status);
    coord__jstr(j, "status_notes", n->status_note);
    coord__jstr(j, "agency_responsible", n->department_name);
    coord__jstr(j, "service_notice", "");
    coord__jtime(j, "requested_datetime", n->created_at);
    coord__jtime(j, "updated_datetime", n->updated_at);
    coord__jtime(j, "expected_datetime", n->due_at);
    /* Addresses are kept at block level in every view: the block is what
     * the City publishes; the exact point is for staff. */
    coord__jstr(j, "address", n->block[0] ? n->block : "");
    coord__jstr(j, "block", n->block);
    coord__jreal(j, "lat", n->public_lat);
    coord__jreal(j, "long", n->public_lon);
    if (n->area)
        coord__jint(j, "area", n->area);
    else
        json_object_set_new(j, "area", json_null());
    if (n->duplicate_of)
        json_object_set_new(j, "duplicate_of", json_sprintf("%lld", (long long)n->duplicate_of));
    else
        json_object_set_new(j, "duplicate_of", json_null());
    coord__jstr(j, "media_url", n->media_url);
    coord__jreal(pr, "score", n->score.score);
    coord__jreal(pr, "weight", n->score.weight);
    coord__jreal(pr, "violence_factor", n->score.violence);
    coord__jreal(pr, "density_per_km2", n->score.density);
    coord__jreal(pr, "city_density_per_km2", n->score.city_density);
    coord__jreal(pr, "density_ratio", n->score.ratio);
    coord__jint(pr, "incidents_within_bandwidth", n->score.incidents);
    coord__jreal(pr, "bandwidth_m", n->score.bandwidth_m);
    coord__jint(pr, "window_days", n->score.days);
    if (n->score.until_day)
        coord__jday(pr, "window_until", n->score.until_day);
    else
        json_object_set_new(pr, "window_until", json_null());
    coord__jbool(pr, "priority_area", n->score.priority_area);
    coord__jreal(pr, "area_factor", n->score.area_factor);
    json_object_set_new(j, "priority", pr);
    if (n->nanswers && v >= COORD_VIEW_STAFF) {
        /* answers are free text and a person's circumstances: staff only */
        json_t *ans = json_array();

        for (i = 0; i < n->nanswers; i++) {
            json_t *x = json_object();

            coord__jstr(x, "code", n->answers[i].attr);
            coord__jstr(x, "value", n->answers[i].value);
            json_array_append_new(ans, x);
        }
        json_object_set_new(j, "attributes", ans);
    }
    if (v >= COORD_VIEW_STAFF) {
        coord__jreal(j, "exact_lat", n->lat);
        coord__jreal(j, "exact_long", n->lon);
        coord__jstr(j, "address_string", n->address);
        coord__jstr(j, "located_by", n->located_by);
        coord__jstr(j, "source", n->source);
        coord__jstr(j, "reporter_kind", n->reporter_kind);
        coord__jstr(j, "reporter", n->reporter);
        if (n->reporter_org)
            coord__jint(j, "reporter_org", n->reporter_org);
        else
            json_object_set_new(j, "reporter_org", json_null());
        coord__jstr(j, "department", n->department);
        if (n->workorder_id)
            coord__jint(j, "workorder_id", n->workorder_id);
        else
            json_object_set_new(j, "workorder_id", json_null());
        if (n->duplicate_of)
            coord__jreal(j, "duplicate_m", round(n->duplicate_m * 10) / 10);
    }
    if (v >= COORD_VIEW_FULL) {
        json_t *ct = json_object();

        coord__jstr(ct, "name", n->contact_name);
        coord__jstr(ct, "email", n->contact_email);
        coord__jstr(ct, "phone", n->contact_phone);
        json_object_set_new(j, "contact", ct);
    }
    return j;
}
