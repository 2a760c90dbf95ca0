/* brief_api.c - GET /api/v1/brief: the weekly coordination brief (brief/brief.h)
 * as JSON (byte for byte what `cscc brief --format json` writes), Markdown or
 * a printable HTML page, for coordinators, analysts and admins.
 *
 * Weeks are ISO weeks in the store's time zone: the server set TZ from the
 * store once, before its threads started (http_coord_start), never per request.
 *
 * A brief takes seconds (Gi* over four weeks, every priority area), so the
 * answers for weeks that have ended are kept: a kept answer is used while the
 * crimes table is the same generation and the store has not changed since it
 * was built. "Has not changed" is SQLite's data_version, read on a connection
 * of the cache's own that never writes: any commit by another connection (a
 * need, a work order step, an event, an allocation, from this server or the
 * command line) changes it. A week that has not ended depends on the clock
 * (overdue is judged at "now") and is never kept. */
#include "http/http_int.h"

#include "brief/brief.h"
#include "colstore/colstore.h"
#include "coord/coord.h"
#include "core/alloc.h"
#include "core/log.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct http_param_spec http_brief_params[] = {
    {"week", HTTP_P_STR, 0, 0, 0, NULL},
    {"area", HTTP_P_UINT, 0, 1, 255, NULL},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json md html"},
    {NULL, 0, 0, 0, 0, NULL},
};

/* ------------------------------------------------------------------------ */
/* The cache                                                                 */
/* ------------------------------------------------------------------------ */

void http_brief_cache_init(struct http_brief_cache *bc, int enabled)
{
    memset(bc, 0, sizeof(*bc));
    pthread_mutex_init(&bc->lock, NULL);
    bc->enabled = enabled;
}

void http_brief_cache_release(struct http_brief_cache *bc)
{
    size_t i;

    for (i = 0; i < HTTP_BRIEF_CACHED; i++)
        cscc_free(bc->v[i].body);
    store_close(bc->st);
    pthread_mutex_destroy(&bc->lock);
    memset(bc, 0, sizeof(*bc));
}

/* The store's data version now, on the cache's own connection (lock held).
 * -1 when it cannot be told: nothing is kept then. */
static int64_t data_version(struct http_server *s)
{
    struct http_brief_cache *bc = &s->briefs;
    struct cscc_err err;
    int64_t v;

    cscc_err_clear(&err);
    if (!bc->st && !(bc->st = store_open(s->stores.path, &err))) {
        cscc_warn("brief cache: %s", err.msg);
        return -1;
    }
    if (store_data_version(bc->st, &v, &err)) {
        cscc_warn("brief cache: %s", err.msg);
        return -1;
    }
    return v;
}

/* Copies a kept answer for key into r->out: 1 when there was one. */
static int cache_get(struct http_server *s, const char *key, uint64_t gen, int64_t version,
                     struct http_req *r)
{
    struct http_brief_cache *bc = &s->briefs;
    size_t i;

    for (i = 0; i < HTTP_BRIEF_CACHED; i++) {
        if (!bc->v[i].body || strcmp(bc->v[i].key, key) || bc->v[i].generation != gen ||
            bc->v[i].version != version)
            continue;
        if (strbuf_add(&r->out, bc->v[i].body, bc->v[i].len))
            return 0;
        bc->v[i].used = ++bc->clock;
        return 1;
    }
    return 0;
}

/* Keeps a copy of sb for key in the least recently used slot (nothing when memory is short). */
static void cache_put(struct http_server *s, const char *key, uint64_t gen, int64_t version,
                      const struct strbuf *sb)
{
    struct http_brief_cache *bc = &s->briefs;
    size_t i, pick = 0;
    char *copy;

    if (!(copy = cscc_trymalloc(sb->len ? sb->len : 1)))
        return;
    memcpy(copy, sb->buf, sb->len);
    for (i = 0; i < HTTP_BRIEF_CACHED; i++) {
        if (bc->v[i].body && !strcmp(bc->v[i].key, key)) {
            pick = i; /* the same brief, older data: replaced */
            break;
        }
        if (!bc->v[i].body || bc->v[i].used < bc->v[pick].used)
            pick = i;
        if (!bc->v[i].body)
            break;
    }
    cscc_free(bc->v[pick].body);
    snprintf(bc->v[pick].key, sizeof(bc->v[pick].key), "%s", key);
    bc->v[pick].generation = gen;
    bc->v[pick].version = version;
    bc->v[pick].body = copy;
    bc->v[pick].len = sb->len;
    bc->v[pick].used = ++bc->clock;
}

/* ------------------------------------------------------------------------ */
/* The handler                                                               */
/* ------------------------------------------------------------------------ */

int http_h_brief(struct http_req *r)
{
    const char *week = http_params_get(&r->params, "week");
    const char *area = http_params_get(&r->params, "area");
    const char *format = http_params_get(&r->params, "format");
    const struct colstore_table *crimes;
    struct http_brief_cache *bc = &r->srv->briefs;
    struct http_coord_ent *e;
    struct coord_actor actor;
    struct brief_opts o;
    struct cscc_err err;
    char key[64];
    int64_t monday, version = -1;
    uint64_t gen;
    int kept, rc;
    json_t *b;

    cscc_err_clear(&err);
    memset(&o, 0, sizeof(o));
    if (!format)
        format = "json";
    if (!week)
        return http_error(r, 400, "bad_parameter", "week",
                          "give the week: week=YYYY-Www (an ISO week, e.g. 2018-W10)");
    if (brief_parse_week(week, &o.iso_year, &o.week, &monday, &err))
        return http_error_from(r, &err);
    o.area = area ? (int)strtol(area, NULL, 10) : 0; /* checked: 1 to 255 */
    r->no_cache = 1; /* not the response cache's: the brief reads more than the crimes */
    r->ctype = !strcmp(format, "json") ? "application/json"
               : !strcmp(format, "md") ? "text/markdown; charset=utf-8"
                                       : "text/html; charset=utf-8";
    http_coord_actor(r, &actor);
    if (!(e = http_coord_get(r, &err)))
        return http_error_from(r, &err);
    crimes = http_coord_crimes(e);
    gen = crimes ? colstore_generation(crimes) : 0;
    snprintf(key, sizeof(key), "%04d-W%02d|%d|%s", o.iso_year, o.week, o.area, format);
    /* Kept only once the week is over everywhere (a day's margin for time zones). */
    kept = bc->enabled && crimes && monday + 8 < (int64_t)(time(NULL) / 86400);
    if (kept) {
        pthread_mutex_lock(&bc->lock);
        version = data_version(r->srv);
        rc = version >= 0 && cache_get(r->srv, key, gen, version, r);
        pthread_mutex_unlock(&bc->lock);
        if (rc) {
            http_coord_put(r->srv, e);
            r->generation = gen;
            return 200;
        }
    }
    b = brief_build(http_coord_store(e), crimes, http_coord_of(e), &actor, &o, &err);
    http_coord_put(r->srv, e);
    if (!b)
        return http_error_from(r, &err);
    strbuf_reset(&r->out);
    rc = !strcmp(format, "json") ? brief_write_json(b, &r->out)
         : !strcmp(format, "md") ? brief_write_md(b, &r->out)
                                 : brief_write_html(b, &r->out);
    json_decref(b);
    if (rc)
        return http_error(r, 507, "out_of_memory", NULL, "the brief is too large");
    if (kept && version >= 0) {
        pthread_mutex_lock(&bc->lock);
        cache_put(r->srv, key, gen, version, &r->out);
        pthread_mutex_unlock(&bc->lock);
    }
    r->generation = gen;
    return 200;
}
