/* brief.c - the weekly coordination brief (brief.h): counts and Gi* from the
 * analyses, needs, work orders, events and coverage from coordination. */
#include "brief/brief.h"

#include "analysis/counts.h"
#include "analysis/gistar.h"
#include "analysis/grid.h"
#include "analysis/points.h"
#include "coord/needs.h"
#include "coord/partners.h"
#include "coord/workorders.h"
#include "core/alloc.h"
#include "core/time.h"
#include "resources/resources.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Weeks                                                                     */
/* ------------------------------------------------------------------------ */

int64_t brief_week_monday(int iso_year, int week)
{
    int64_t jan4 = cscc_days_from_civil(iso_year, 1, 4);
    int wd = cscc_weekday(jan4); /* 0 = Sunday */
    int64_t monday1 = jan4 - (wd == 0 ? 6 : wd - 1);

    return monday1 + (int64_t)(week - 1) * 7;
}

int brief_parse_week(const char *s, int *iso_year, int *week, int64_t *monday, struct cscc_err *err)
{
    char *end;
    long y, w;
    int yy, ww;

    if (!s || strlen(s) < 7 || s[4] != '-' || (s[5] != 'W' && s[5] != 'w'))
        goto bad;
    y = strtol(s, &end, 10);
    if (end != s + 4 || y < 1900 || y > 9999)
        goto bad;
    w = strtol(s + 6, &end, 10);
    if (*end || end == s + 6 || end - (s + 6) > 2 || w < 1 || w > 53)
        goto bad;
    *monday = brief_week_monday((int)y, (int)w);
    cscc_iso_week(*monday, &yy, &ww);
    if (yy != y || ww != w) {
        cscc_err_set(err, CSCC_EINVAL, "%ld has no ISO week %ld (its last week is 52)", y, w);
        return coord_err_field(err, "week");
    }
    *iso_year = (int)y;
    *week = (int)w;
    return 0;
bad:
    cscc_err_set(err, CSCC_EINVAL, "the week '%s' is not an ISO week; give YYYY-Www, e.g. 2018-W10",
                 s ? s : "");
    return coord_err_field(err, "week");
}

/* Local midnight starting day number day, in Unix seconds (TZ of the process). */
static int64_t local_midnight(int64_t day)
{
    int64_t y;
    unsigned m, d;
    struct tm tm;

    cscc_civil_from_days(day, &y, &m, &d);
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

static json_t *jday(int64_t day)
{
    char buf[16];

    cscc_format_day(day, buf);
    return json_string(buf);
}

/* ------------------------------------------------------------------------ */
/* The build                                                                 */
/* ------------------------------------------------------------------------ */

/* Violence: homicide, shootings (when the store defines that category), violent. */
static const char *const CATS[] = {"homicide", "shootings", "violent"};
#define NCATS 3
enum { P_WEEK, P_PRIOR, P_YEAR, NPERIODS };

struct dept_row {
    char code[64], name[128];
    int64_t new_needs, overdue;
};

struct unit {
    int area; /* 0: citywide */
    uint64_t counts[NCATS][NPERIODS];
    json_t *hot; /* GeoJSON FeatureCollection */
    size_t nhot;
    struct dept_row *depts;
    size_t ndepts;
    int64_t new_needs, overdue;
    json_t *coverage; /* coord_coverage_json, or the citywide summary */
};

struct build {
    struct store *st;
    const struct colstore_table *crimes;
    struct coord *c;
    const struct coord_actor *actor;
    struct unit *units; /* [0..nunits-1] areas, then citywide */
    size_t nunits;
    int64_t days[NPERIODS][2];
    int has_cat[NCATS];
    char fbi[NCATS][256];
    int64_t wo_asof, t_from, t_to; /* Unix seconds */
    int64_t cov_from, cov_to;
    struct cscc_err *err;
};

static struct unit *unit_of(struct build *b, int area)
{
    size_t i;

    for (i = 0; i + 1 < b->nunits; i++)
        if (b->units[i].area == area)
            return &b->units[i];
    return NULL;
}

static int count_violence(struct build *b)
{
    int k, p;
    size_t i;

    for (k = 0; k < NCATS; k++) {
        if (!b->has_cat[k])
            continue;
        for (p = 0; p < NPERIODS; p++) {
            struct counts_query q;
            struct counts_result *r;

            memset(&q, 0, sizeof(q));
            q.keys[0] = COUNTS_AREA;
            q.nkeys = 1;
            q.has_from = q.has_to = 1;
            q.day_from = b->days[p][0];
            q.day_to = b->days[p][1];
            q.category = CATS[k];
            if (!(r = analysis_counts(b->crimes, b->st, &q, b->err)))
                return b->err->code;
            for (i = 0; i < counts_nrows(r); i++) {
                char cell[32];
                struct unit *u;

                if (counts_cell(r, i, 0, cell, sizeof(cell)) != COUNTS_CELL_NUM)
                    continue;
                if ((u = unit_of(b, (int)strtol(cell, NULL, 10))))
                    u->counts[k][p] = counts_row_at(r, i)->count;
            }
            b->units[b->nunits - 1].counts[k][p] = counts_total(r);
            analysis_counts_free(r);
        }
    }
    return 0;
}

/* Gi* hot cells (95 % or more, FDR) of violent incidents in the last four weeks. */
struct hotcell {
    size_t unit;
    double z;
};

static int cmp_hot(const void *x, const void *y)
{
    const struct hotcell *a = x, *b = y;

    return (a->z < b->z) - (a->z > b->z);
}

static int hotspots(struct build *b, json_t *data)
{
    struct an_crs crs;
    struct an_city city;
    struct an_grid g;
    struct an_points_query pq;
    struct an_pointsrc src;
    struct an_gistar_opts go;
    struct an_gistar gs;
    struct hotcell *hot = NULL;
    uint8_t *cell_area = NULL;
    double *lon = NULL, *lat = NULL;
    size_t u, nhot = 0, i;
    int rc, crs_ok = 0, city_ok = 0, gs_ok = 0;
    json_t *d;

    memset(&gs, 0, sizeof(gs));
    memset(&pq, 0, sizeof(pq));
    memset(&go, 0, sizeof(go));
    pq.source = AN_SRC_CRIMES;
    pq.f.has_from = pq.f.has_to = 1;
    pq.f.day_from = b->days[P_WEEK][0] - 21; /* the last four weeks: this one and three before */
    pq.f.day_to = b->days[P_WEEK][1];
    pq.f.category = "violent";
    go.fdr = 1;
    go.threads = 2;
    if ((rc = an_crs_init(&crs, b->st, NULL, b->err)))
        goto out;
    crs_ok = 1;
    if ((rc = an_city_load(&city, b->st, &crs, b->err)))
        goto out;
    city_ok = 1;
    if ((rc = an_grid_init(&g, city.bbox, 250, b->err)) ||
        (rc = an_city_cell_areas(&city, &g, &crs, &cell_area, b->err)))
        goto out;
    memset(&src, 0, sizeof(src));
    src.t = b->crimes;
    src.st = b->st;
    src.q = &pq;
    src.crs = &crs;
    if ((rc = analysis_gistar_grid(&src, &g, cell_area, &go, &gs, b->err)))
        goto out;
    gs_ok = 1;
    if ((rc = an_grid_corners_wgs84(&g, &crs, &lon, &lat, b->err)))
        goto out;
    if (!(hot = cscc_trycalloc(gs.n ? gs.n : 1, sizeof(*hot)))) {
        rc = cscc_err_set(b->err, CSCC_ENOMEM, "out of memory for %zu hot spot cells", gs.n);
        goto out;
    }
    for (u = 0; u < gs.n; u++)
        if (gs.bin[u] >= 2 && gs.count[u] > 0)
            hot[nhot++] = (struct hotcell){u, gs.z[u]};
    qsort(hot, nhot, sizeof(*hot), cmp_hot);
    for (i = 0; i < nhot; i++) {
        size_t cell = gs.cell[hot[i].unit];
        int area = cell_area[cell];
        struct unit *targets[2] = {unit_of(b, area), &b->units[b->nunits - 1]};
        int t;

        for (t = 0; t < 2; t++) {
            struct unit *un = targets[t];
            json_t *f, *geom, *ring, *coords, *props;
            double rg[10];
            int k;

            if (!un || un->nhot >= BRIEF_TOP_HOTSPOTS)
                continue;
            an_grid_ring(&g, lon, lat, cell, rg);
            ring = json_array();
            for (k = 0; k < 5; k++)
                json_array_append_new(ring, json_pack("[ff]", rg[2 * k], rg[2 * k + 1]));
            coords = json_array();
            json_array_append_new(coords, ring);
            geom = json_pack("{s:s,s:o}", "type", "Polygon", "coordinates", coords);
            props = json_pack("{s:I,s:i,s:f,s:f,s:f,s:i}", "cell", (json_int_t)cell, "area", area,
                              "count", gs.count[hot[i].unit], "gi_z",
                              round(gs.z[hot[i].unit] * 1e3) / 1e3, "p", gs.p[hot[i].unit],
                              "gi_bin", gs.bin[hot[i].unit]);
            f = json_pack("{s:s,s:o,s:o}", "type", "Feature", "geometry", geom, "properties",
                          props);
            json_array_append_new(json_object_get(un->hot, "features"), f);
            un->nhot++;
        }
    }
    d = json_object();
    json_object_set_new(
        d, "analysis",
        json_string("Getis-Ord Gi* (analyze gistar): 250 m grid cells whose centre "
                    "is in the city, fixed distance band (ArcGIS default), "
                    "Benjamini-Hochberg bins; hot cells of 95 % confidence or more, "
                    "strongest first"));
    json_object_set_new(d, "source", json_string("crimes table, category violent"));
    json_object_set_new(d, "from", jday(pq.f.day_from));
    json_object_set_new(d, "to", jday(pq.f.day_to));
    json_object_set_new(d, "points", json_integer((json_int_t)gs.info.points));
    json_object_set_new(d, "hot_cells", json_integer((json_int_t)nhot));
    json_object_set_new(data, "hotspots", d);
out:
    cscc_free(hot);
    cscc_free(lon);
    cscc_free(lat);
    cscc_free(cell_area);
    if (gs_ok)
        analysis_gistar_release(&gs);
    if (city_ok)
        an_city_release(&city);
    if (crs_ok)
        an_crs_release(&crs);
    return rc;
}

static struct dept_row *dept_of(struct build *b, struct unit *u, const char *code, const char *name)
{
    size_t i;
    struct dept_row *d;

    (void)b;
    for (i = 0; i < u->ndepts; i++)
        if (!strcmp(u->depts[i].code, code ? code : ""))
            return &u->depts[i];
    d = cscc_tryreallocarray(u->depts, u->ndepts + 1, sizeof(*d));
    if (!d)
        return NULL;
    u->depts = d;
    d = &u->depts[u->ndepts++];
    memset(d, 0, sizeof(*d));
    snprintf(d->code, sizeof(d->code), "%s", code ? code : "");
    snprintf(d->name, sizeof(d->name), "%s", name && *name ? name : (code ? code : ""));
    return d;
}

/* Adds one to a department's field in the need's area and citywide. */
static int tally(struct build *b, int area, const char *code, const char *name, int overdue)
{
    struct unit *targets[2] = {unit_of(b, area), &b->units[b->nunits - 1]};
    int t;

    for (t = 0; t < 2; t++) {
        struct dept_row *d;

        if (!targets[t])
            continue;
        if (!(d = dept_of(b, targets[t], code, name)))
            return cscc_err_set(b->err, CSCC_ENOMEM, "out of memory for the departments");
        if (overdue) {
            d->overdue++;
            targets[t]->overdue++;
        } else {
            d->new_needs++;
            targets[t]->new_needs++;
        }
    }
    return 0;
}

struct each_ctx {
    struct build *b;
    size_t seen;
    int rc;
};

static int need_cb(void *arg, const struct coord_need *n)
{
    struct each_ctx *x = arg;

    x->seen++;
    if ((x->rc = tally(x->b, n->area, n->department, n->department_name, 0)))
        return 1;
    return 0;
}

static int wo_cb(void *arg, const struct coord_workorder *w)
{
    struct each_ctx *x = arg;
    struct build *b = x->b;
    int64_t asof = b->wo_asof, done = 0;

    x->seen++;
    if (w->state == COORD_REJECTED || w->state == COORD_DUPLICATE)
        return 0; /* no longer work to do; their time of rejection is not kept */
    if (w->resolved_at)
        done = w->resolved_at;
    if (w->closed_at && (!done || w->closed_at < done))
        done = w->closed_at;
    if (w->created_at > asof || w->due_at >= asof || (done && done <= asof))
        return 0;
    if ((x->rc = tally(b, w->area, w->department, NULL, 1)))
        return 1;
    return 0;
}

static int coord_part(struct build *b)
{
    struct coord_need_filter nf;
    struct coord_wo_filter wf;
    struct each_ctx x;
    size_t off;
    int rc;

    for (off = 0;; off += 1000) {
        memset(&nf, 0, sizeof(nf));
        nf.has_from = nf.has_to = 1;
        nf.from = b->t_from;
        nf.to = b->t_to;
        nf.limit = 1000;
        nf.offset = off;
        memset(&x, 0, sizeof(x));
        x.b = b;
        if ((rc = coord_need_each(b->c, &nf, need_cb, &x, b->err)) && !x.rc)
            return rc;
        if (x.rc)
            return x.rc;
        if (x.seen < 1000)
            break;
    }
    for (off = 0;; off += 100000) {
        memset(&wf, 0, sizeof(wf));
        wf.all_states = 1;
        wf.limit = 100000;
        wf.offset = off;
        memset(&x, 0, sizeof(x));
        x.b = b;
        if ((rc = coord_workorder_each(b->c, b->actor, &wf, wo_cb, &x, b->err)) && !x.rc)
            return rc;
        if (x.rc)
            return x.rc;
        if (x.seen < 100000)
            break;
    }
    return 0;
}

static int cov_cb(void *arg, const struct coord_coverage_row *r)
{
    struct build *b = arg;
    struct unit *u = unit_of(b, r->area);

    if (u && !u->coverage)
        u->coverage = coord_coverage_json(r);
    return 0;
}

struct city_events {
    int64_t events, attendance, citywide_events;
    int sectors[COORD_NSECTORS];
    size_t seen;
};

static int event_cb(void *arg, const struct coord_event *e)
{
    struct city_events *ce = arg;
    size_t i;
    int s;

    ce->seen++;
    ce->events++;
    ce->attendance += e->attendance;
    if (!e->area)
        ce->citywide_events++;
    for (i = 0; i < e->nrepresented; i++)
        for (s = 0; s < COORD_NSECTORS; s++)
            if (!strcmp(e->represented[i], coord_sectors[s]))
                ce->sectors[s]++;
    return 0;
}

static int engagement(struct build *b)
{
    struct coord_event_filter f;
    struct city_events ce;
    json_t *j, *sec, *missing;
    int rc, s, covered = 0;
    size_t off;

    if ((rc = coord_coverage(b->c, b->actor, b->cov_from, b->cov_to, 1, cov_cb, b, b->err)))
        return rc;
    memset(&ce, 0, sizeof(ce));
    for (off = 0;; off += 1000) {
        memset(&f, 0, sizeof(f));
        f.has_from = f.has_to = 1;
        f.from_day = b->cov_from;
        f.to_day = b->cov_to;
        f.limit = 1000;
        f.offset = off;
        ce.seen = 0;
        if ((rc = coord_event_each(b->c, &f, event_cb, &ce, b->err)))
            return rc;
        if (ce.seen < 1000)
            break;
    }
    j = json_object();
    sec = json_object();
    missing = json_array();
    for (s = 0; s < COORD_NSECTORS; s++) {
        json_object_set_new(sec, coord_sectors[s], json_integer(ce.sectors[s]));
        if (ce.sectors[s])
            covered++;
        else
            json_array_append_new(missing, json_string(coord_sectors[s]));
    }
    json_object_set_new(j, "events", json_integer(ce.events));
    json_object_set_new(j, "citywide_events", json_integer(ce.citywide_events));
    json_object_set_new(j, "attendance", json_integer(ce.attendance));
    json_object_set_new(j, "sectors_covered", json_integer(covered));
    json_object_set_new(j, "sectors", sec);
    json_object_set_new(j, "missing", missing);
    b->units[b->nunits - 1].coverage = j;
    return 0;
}

/*
 * Funding (src/resources): the allocations whose period overlaps the week,
 * read once (funding_read); a section counts those that reach its area
 * (citywide ones included, and counted apart) and citywide counts all, with
 * their amounts and what has been spent against them, by strategy area. No
 * allocation in the store at all: no funding section.
 */
struct fund_row {
    uint8_t reach[78]; /* areas reached; all zero = citywide */
    int citywide;
    int strategy;
    int64_t cents, spent;
};

struct fund {
    struct fund_row *rows;
    size_t n, cap;
    int64_t in_store; /* allocations of any period */
};

static int fund_cb(void *arg, const struct res_alloc *a)
{
    struct fund *f = arg;
    struct fund_row *r;
    size_t k;

    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->rows = cscc_xrealloc(f->rows, f->cap * sizeof(*f->rows));
    }
    r = &f->rows[f->n++];
    memset(r, 0, sizeof(*r));
    r->citywide = a->nareas == 0;
    for (k = 0; k < a->nareas; k++)
        if (a->areas[k] > 0 && a->areas[k] < 78)
            r->reach[a->areas[k]] = 1;
    r->strategy = res_strategy_index(a->strategy);
    r->cents = a->amount_cents;
    r->spent = a->spent_cents;
    return 0;
}

static int fund_count_cb(void *arg, const struct res_alloc *a)
{
    (void)a;
    ((struct fund *)arg)->in_store++;
    return 0;
}

static int funding_read(struct build *b, struct fund *f)
{
    struct res_alloc_filter flt;

    memset(f, 0, sizeof(*f));
    memset(&flt, 0, sizeof(flt));
    if (res_alloc_each(b->st, &flt, fund_count_cb, f, b->err))
        return -1;
    if (!f->in_store)
        return 0;
    flt.has_from = flt.has_to = 1;
    flt.from_day = b->days[P_WEEK][0];
    flt.to_day = b->days[P_WEEK][1];
    return res_alloc_each(b->st, &flt, fund_cb, f, b->err) ? -1 : 0;
}

static json_t *dollars(int64_t cents)
{
    return json_real((double)cents / 100.0);
}

static int funding_section(struct build *b, const struct fund *f, const struct unit *u,
                           json_t *section)
{
    int64_t n = 0, ncity = 0, cents = 0, spent = 0, sn[RES_NSTRATEGIES] = {0},
            sc[RES_NSTRATEGIES] = {0};
    json_t *by;
    size_t i;
    int k;

    (void)b;
    if (!f->in_store)
        return 0;
    for (i = 0; i < f->n; i++) {
        const struct fund_row *r = &f->rows[i];

        if (u->area && !r->citywide && !r->reach[u->area])
            continue;
        n++;
        ncity += r->citywide;
        cents += r->cents;
        spent += r->spent;
        if (r->strategy >= 0) {
            sn[r->strategy]++;
            sc[r->strategy] += r->cents;
        }
    }
    by = json_array();
    for (k = 0; k < RES_NSTRATEGIES; k++)
        if (sn[k])
            json_array_append_new(by, json_pack("{s:s,s:I,s:o}", "strategy", res_strategies[k],
                                                "allocations", (json_int_t)sn[k], "amount",
                                                dollars(sc[k])));
    json_object_set_new(section, "funding",
                        json_pack("{s:I,s:I,s:o,s:o,s:o}", "allocations", (json_int_t)n,
                                  "citywide_allocations", (json_int_t)ncity, "amount",
                                  dollars(cents), "spent", dollars(spent), "by_strategy", by));
    return 0;
}

static json_t *violence_json(struct build *b, const struct unit *u)
{
    json_t *arr = json_array();
    int k;

    for (k = 0; k < NCATS; k++) {
        double mean;
        json_t *v;

        if (!b->has_cat[k])
            continue;
        mean = (double)u->counts[k][P_PRIOR] / 4.0;
        v = json_object();
        json_object_set_new(v, "category", json_string(CATS[k]));
        json_object_set_new(v, "week", json_integer((json_int_t)u->counts[k][P_WEEK]));
        json_object_set_new(v, "prior_4_weeks", json_integer((json_int_t)u->counts[k][P_PRIOR]));
        json_object_set_new(v, "prior_4_weeks_mean", json_real(mean));
        json_object_set_new(v, "change_vs_mean", json_real((double)u->counts[k][P_WEEK] - mean));
        json_object_set_new(v, "year_ago", json_integer((json_int_t)u->counts[k][P_YEAR]));
        json_object_set_new(
            v, "change_vs_year_ago",
            json_integer((json_int_t)u->counts[k][P_WEEK] - (json_int_t)u->counts[k][P_YEAR]));
        json_array_append_new(arr, v);
    }
    return arr;
}

static json_t *needs_json(const struct unit *u)
{
    json_t *j = json_object(), *arr = json_array();
    size_t i;

    for (i = 0; i < u->ndepts; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:I,s:I}", "department", u->depts[i].code,
                                             "name", u->depts[i].name, "new_needs",
                                             (json_int_t)u->depts[i].new_needs, "overdue",
                                             (json_int_t)u->depts[i].overdue));
    json_object_set_new(j, "new_needs", json_integer(u->new_needs));
    json_object_set_new(j, "overdue_workorders", json_integer(u->overdue));
    json_object_set_new(j, "by_department", arr);
    return j;
}

static void add_periods(struct build *b, json_t *root, int iso_year, int week)
{
    json_t *p = json_object();
    char wk[16];
    int yy, ww;

    snprintf(wk, sizeof(wk), "%04d-W%02d", iso_year, week);
    json_object_set_new(p, "week",
                        json_pack("{s:s,s:o,s:o}", "week", wk, "from", jday(b->days[P_WEEK][0]),
                                  "to", jday(b->days[P_WEEK][1])));
    json_object_set_new(
        p, "prior_4_weeks",
        json_pack("{s:o,s:o}", "from", jday(b->days[P_PRIOR][0]), "to", jday(b->days[P_PRIOR][1])));
    cscc_iso_week(b->days[P_YEAR][0], &yy, &ww);
    snprintf(wk, sizeof(wk), "%04d-W%02d", yy, ww);
    json_object_set_new(p, "year_ago",
                        json_pack("{s:s,s:o,s:o}", "week", wk, "from", jday(b->days[P_YEAR][0]),
                                  "to", jday(b->days[P_YEAR][1])));
    json_object_set_new(root, "periods", p);
}

json_t *brief_build(struct store *st, const struct colstore_table *crimes, struct coord *c,
                    const struct coord_actor *actor, const struct brief_opts *o,
                    struct cscc_err *err)
{
    struct build b;
    struct fund fund;
    int areas[256], k, yweek, rc = 0;
    size_t n = 0, i;
    int64_t monday, first, last, now;
    json_t *root = NULL, *data, *sections, *notes, *cats;
    char tz[128], buf[32];

    memset(&b, 0, sizeof(b));
    memset(&fund, 0, sizeof(fund));
    b.st = st;
    b.crimes = crimes;
    b.c = c;
    b.actor = actor;
    b.err = err;
    if (!crimes) {
        cscc_err_set(err, CSCC_ENOENT,
                     "no crimes have been imported yet; run 'cscc import crimes FILE'");
        return NULL;
    }
    if (actor->role < COORD_ROLE_COORDINATOR) {
        cscc_err_set(err, CSCC_EPERM,
                     "only a coordinator, an analyst or an admin may read the weekly brief (it "
                     "lists every department's work orders)");
        return NULL;
    }
    if (coord_require(actor, COORD_WO_VIEW, NULL, err) ||
        coord_require(actor, COORD_EVENT_VIEW, NULL, err))
        return NULL;
    if (o->area) {
        if (!*coord_area_name(c, o->area)) {
            cscc_err_set(err, CSCC_EINVAL, "there is no community area %d", o->area);
            coord_err_field(err, "area");
            return NULL;
        }
        areas[0] = o->area;
        n = 1;
    } else if (store_get_priority(st, coord_config(c)->priority_list, areas, 256, &n, err)) {
        return NULL;
    }
    b.nunits = n + 1;
    if (!(b.units = cscc_trycalloc(b.nunits, sizeof(*b.units)))) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory for the brief");
        return NULL;
    }
    for (i = 0; i < b.nunits; i++) {
        b.units[i].area = i < n ? areas[i] : 0;
        b.units[i].hot = json_pack("{s:s,s:[]}", "type", "FeatureCollection", "features");
    }
    monday = brief_week_monday(o->iso_year, o->week);
    b.days[P_WEEK][0] = monday;
    b.days[P_WEEK][1] = monday + 6;
    b.days[P_PRIOR][0] = monday - 28;
    b.days[P_PRIOR][1] = monday - 1;
    /* the same ISO week a year earlier (week 52 when that year has no week 53) */
    yweek = o->week;
    if (yweek == 53) {
        int yy, ww;

        cscc_iso_week(brief_week_monday(o->iso_year - 1, 53), &yy, &ww);
        if (ww != 53)
            yweek = 52;
    }
    b.days[P_YEAR][0] = brief_week_monday(o->iso_year - 1, yweek);
    b.days[P_YEAR][1] = b.days[P_YEAR][0] + 6;
    b.t_from = local_midnight(monday);
    b.t_to = local_midnight(monday + 7) - 1;
    now = o->now ? o->now : coord_now(c);
    b.wo_asof = now < b.t_to ? now : b.t_to;
    b.cov_from = monday;
    b.cov_to = monday + 6;
    for (k = 0; k < NCATS; k++) {
        struct cscc_err e2;

        cscc_err_clear(&e2);
        b.has_cat[k] = !store_get_category(st, CATS[k], b.fbi[k], sizeof(b.fbi[k]), &e2);
    }

    root = json_object();
    notes = json_array();
    data = json_object();
    if ((rc = count_violence(&b)) || (rc = hotspots(&b, data)) || (rc = coord_part(&b)) ||
        (rc = engagement(&b)) || (rc = funding_read(&b, &fund)))
        goto fail;

    snprintf(buf, sizeof(buf), "%04d-W%02d", o->iso_year, o->week);
    json_object_set_new(root, "week", json_string(buf));
    tz[0] = 0;
    {
        struct cscc_err e2;

        cscc_err_clear(&e2);
        if (store_get_setting(st, "timezone", tz, sizeof(tz), &e2))
            tz[0] = 0;
    }
    json_object_set_new(root, "timezone", json_string(tz[0] ? tz : "local"));
    add_periods(&b, root, o->iso_year, o->week);
    colstore_day_span(crimes, &first, &last);
    cats = json_array();
    for (k = 0; k < NCATS; k++)
        if (b.has_cat[k])
            json_array_append_new(
                cats, json_pack("{s:s,s:s}", "category", CATS[k], "fbi_codes", b.fbi[k]));
        else
            json_array_append_new(
                notes, json_pack("s", k == 1 ? "the store defines no 'shootings' category: "
                                               "shootings are not counted separately"
                                             : "the store lacks a violence category"));
    json_object_set_new(
        data, "violence",
        json_pack("{s:s,s:s,s:o,s:o,s:I,s:o}", "source", "crimes table", "computed_by",
                  "query counts --by area --category C, per period (civil days, the "
                  "incidents' local time); citywide includes rows without an area",
                  "first_day", last >= first ? jday(first) : json_null(), "last_day",
                  last >= first ? jday(last) : json_null(), "generation",
                  (json_int_t)colstore_generation(crimes), "categories", cats));
    json_object_set_new(data, "needs",
                        json_string("coordination store: needs created in the week (by the "
                                    "department their work order went to; a duplicate counts under "
                                    "the department of the need it follows); work orders open and "
                                    "past due at the end of the week (or now, if earlier)"));
    json_object_set_new(data, "engagement",
                        json_string("coordination store: engagement events held in the week and "
                                    "the sectors they represented (event coverage)"));
    json_object_set_new(
        data, "funding",
        json_string(fund.in_store
                        ? "funding allocations (resources) whose period overlaps the week and "
                          "that reach the area (citywide ones included and counted apart): "
                          "their amounts in dollars, and what has been spent against them so far"
                        : "no funding data in the store: the brief has no funding section"));
    {
        char asof[40];

        coord_format_time(b.wo_asof, asof, sizeof(asof));
        json_object_set_new(data, "overdue_as_of", json_string(asof));
    }
    json_object_set_new(root, "data", data);
    data = NULL;
    if (last < first)
        json_array_append_new(notes, json_string("the crimes table is empty"));
    else if (b.days[P_WEEK][1] > last) {
        char d1[16];

        cscc_format_day(last, d1);
        json_array_append_new(notes,
                              json_pack("s++", "the crimes data ends on ", d1,
                                        b.days[P_WEEK][0] > last
                                            ? ", before this week: its violence counts are 0 "
                                              "for want of data, not because none happened"
                                            : ", during this week: its violence counts are "
                                              "incomplete"));
    }
    if (b.days[P_YEAR][0] < first && last >= first)
        json_array_append_new(notes, json_string("the crimes data begins after the week a year "
                                                 "earlier started: that comparison is incomplete"));
    else if (b.days[P_PRIOR][0] < first && last >= first)
        json_array_append_new(notes, json_string("the crimes data begins after the four weeks "
                                                 "before started: that comparison is incomplete"));
    json_object_set_new(root, "notes", notes);
    notes = NULL;

    sections = json_array();
    for (i = 0; i < b.nunits; i++) {
        struct unit *u = &b.units[i];
        json_t *s = json_object();

        if (u->area) {
            json_object_set_new(s, "unit", json_string("area"));
            json_object_set_new(s, "area", json_integer(u->area));
            json_object_set_new(s, "name", json_string(coord_area_name(c, u->area)));
            json_object_set_new(s, "priority", json_boolean(coord_is_priority_area(c, u->area)));
        } else {
            json_object_set_new(s, "unit", json_string("citywide"));
            json_object_set_new(s, "name", json_string("Citywide"));
        }
        json_object_set_new(s, "violence", violence_json(&b, u));
        json_object_set_new(s, "hotspots", u->hot);
        u->hot = NULL;
        json_object_set_new(s, "needs", needs_json(u));
        json_object_set_new(s, "engagement", u->coverage ? u->coverage : json_null());
        u->coverage = NULL;
        if ((rc = funding_section(&b, &fund, u, s))) {
            json_decref(s);
            json_decref(sections);
            goto fail;
        }
        json_array_append_new(sections, s);
    }
    json_object_set_new(root, "sections", sections);
    goto done;
fail:
    json_decref(notes);
    json_decref(data);
    json_decref(root);
    root = NULL;
    (void)rc;
done:
    cscc_free(fund.rows);
    for (i = 0; i < b.nunits; i++) {
        json_decref(b.units[i].hot);
        json_decref(b.units[i].coverage);
        cscc_free(b.units[i].depts);
    }
    cscc_free(b.units);
    return root;
}
