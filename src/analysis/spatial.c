/* spatial.c - the options and set-up the spatial analyses share (see
 * spatial.h), for the command line and the API. */
#include "core/num.h"
#include "analysis/spatial.h"

#include "core/alloc.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void an_spatial_init(struct an_spatial *s)
{
    memset(s, 0, sizeof(*s));
    s->q.source = AN_SRC_CRIMES;
    s->threads = 2;
}

int an_opt_is(const char *name, const char *option)
{
    for (; *name && *option; name++, option++)
        if (*name != *option && !(strchr("-_", *name) && strchr("-_", *option)))
            return 0;
    return !*name && !*option;
}

int an_opt_flag(const char *value)
{
    if (!value || !strcmp(value, "true") || !strcmp(value, "1"))
        return 1;
    if (!strcmp(value, "false") || !strcmp(value, "0"))
        return 0;
    return -1;
}

int an_opt_bad(struct cscc_err *err, const char *name, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cscc_err_set(err, CSCC_EINVAL, "%s %s", name, msg);
    cscc_err_at(err, NULL, 0, 0, name);
    return -1;
}

int an_opt_double(const char *s, double min, double max, double *out)
{
    double v;

    if (!s || !*s)
        return -1;
    if (cscc_parse_double(s, &v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int an_opt_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!s || *s < '0' || *s > '9')
        return -1;
    v = strtoul(s, &end, 10);
    if (*end || v < min || v > max || (v == ~0ul && max != ~0ul))
        return -1;
    *out = v;
    return 0;
}

int an_spatial_option(struct an_spatial *s, int grid, const char *name, const char *value,
                      struct cscc_err *err)
{
    if (an_opt_is(name, "layer")) {
        s->q.source = AN_SRC_LAYER;
        s->q.layer = value;
        return 1;
    }
    if (an_opt_is(name, "victims")) {
        int f = an_opt_flag(value);

        if (f < 0)
            return an_opt_bad(err, name, "is true or false");
        if (f)
            s->q.source = AN_SRC_VICTIMS;
        return 1;
    }
    if (an_opt_is(name, "crs")) {
        s->crs_name = value;
        return 1;
    }
    if (an_opt_is(name, "weight")) {
        s->q.weight = value;
        return 1;
    }
    if (!grid)
        return 0;
    if (an_opt_is(name, "cell")) {
        if (an_opt_double(value, 1, INFINITY, &s->cell))
            return an_opt_bad(err, name, "takes a cell size in metres (1 or more), not '%s'",
                              value ? value : "");
        return 1;
    }
    if (an_opt_is(name, "grid")) {
        char *end;
        unsigned long nx, ny;

        nx = ny = value && *value >= '0' && *value <= '9' ? strtoul(value, &end, 10) : 0;
        if (nx && *end == 'x')
            ny = end[1] >= '0' && end[1] <= '9' ? strtoul(end + 1, &end, 10) : 0;
        if (!nx || !ny || *end || nx > 16384 || ny > 16384)
            return an_opt_bad(err, name, "takes NX or NXxNY cells (up to 16384), not '%s'",
                              value ? value : "");
        s->gnx = nx;
        s->gny = ny;
        return 1;
    }
    if (an_opt_is(name, "extent")) {
        if (value && !strcmp(value, "areas"))
            s->extent_points = 0;
        else if (value && !strcmp(value, "points"))
            s->extent_points = 1;
        else
            return an_opt_bad(err, name, "is areas or points, not '%s'", value ? value : "");
        return 1;
    }
    return 0;
}

/* Metres on the ground between two points given in degrees (a sphere of
 * the Earth's mean radius: within 0.5 % of the ellipsoid). */
static double ground_m(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, k = M_PI / 180;
    double a = sin((lat2 - lat1) * k / 2), b = sin((lon2 - lon1) * k / 2);

    return 2 * r * asin(sqrt(a * a + cos(lat1 * k) * cos(lat2 * k) * b * b));
}

/*
 * A CRS in metres can still be the wrong one for the city: Web Mercator's
 * metre is 0.75 m on the ground at 41.8 N, a UTM zone far away stretches
 * more. A kilometre of the CRS east and north of the city's centre is
 * measured on the ground; more than 5 % off is refused.
 */
static int crs_scale_check(struct an_spatial *s, struct cscc_err *err)
{
    double x[3], y[3], cx, cy, ex, ny;
    int rc;

    if ((rc = an_spatial_city(s, err)))
        return rc;
    cx = (s->city.bbox[0] + s->city.bbox[2]) / 2;
    cy = (s->city.bbox[1] + s->city.bbox[3]) / 2;
    x[0] = cx, y[0] = cy;
    x[1] = cx + 1000, y[1] = cy;
    x[2] = cx, y[2] = cy + 1000;
    if (an_crs_to_wgs84(&s->crs, x, y, 3) || !isfinite(x[0] + x[1] + x[2] + y[0] + y[1] + y[2]))
        ex = ny = NAN;
    else {
        ex = ground_m(x[0], y[0], x[1], y[1]);
        ny = ground_m(x[0], y[0], x[2], y[2]);
    }
    if (!(fabs(ex / 1000 - 1) <= 0.05 && fabs(ny / 1000 - 1) <= 0.05)) {
        if (isfinite(ex) && isfinite(ny))
            cscc_err_set(err, CSCC_EINVAL,
                         "crs %s does not keep distances in the city: 1 km of it is %.0f m on "
                         "the ground east-west and %.0f m north-south at %.2f, %.2f; give a "
                         "projected CRS suited to the city, such as EPSG:26971 or its UTM zone",
                         s->crs_name, ex, ny, y[0], x[0]);
        else
            cscc_err_set(err, CSCC_EINVAL,
                         "crs %s cannot place the city (PROJ gives no position for its centre); "
                         "give a projected CRS suited to the city, such as EPSG:26971",
                         s->crs_name);
        return cscc_err_at(err, NULL, 0, 0, "crs"), err->code;
    }
    return 0;
}

int an_spatial_open(struct an_spatial *s, struct store *st, const struct colstore_table *t,
                    struct cscc_err *err)
{
    s->st = st;
    if (an_crs_init(&s->crs, st, s->crs_name, err)) {
        if (s->crs_name) {
            char msg[sizeof(err->msg)];

            /* A message that names the CRS first needs no more than the
             * option's name: "crs EPSG:4326 is geographic ...". */
            snprintf(msg, sizeof(msg), "%s", err->msg);
            if (!strncmp(msg, s->crs_name, strlen(s->crs_name)))
                cscc_err_set(err, CSCC_EINVAL, "crs %s", msg);
            else
                cscc_err_set(err, CSCC_EINVAL, "crs %s: %s", s->crs_name, msg);
            cscc_err_at(err, NULL, 0, 0, "crs");
        }
        return err->code;
    }
    s->crs_ok = 1;
    if (s->crs_name && crs_scale_check(s, err))
        return err->code;
    s->src.t = t;
    s->src.st = st;
    s->src.q = &s->q;
    s->src.crs = &s->crs;
    return 0;
}

int an_spatial_city(struct an_spatial *s, struct cscc_err *err)
{
    if (s->city_ok)
        return 0;
    if (an_city_load(&s->city, s->st, &s->crs, err))
        return err->code ? err->code : CSCC_EDATA;
    s->city_ok = 1;
    return 0;
}

struct bbox_ctx {
    double b[16][4];
};

static int bbox_cb(void *arg, int thread, const struct an_point_block *blk)
{
    struct bbox_ctx *c = arg;
    double *b = c->b[thread];
    size_t i;

    for (i = 0; i < blk->n; i++) {
        b[0] = fmin(b[0], blk->x[i]);
        b[1] = fmin(b[1], blk->y[i]);
        b[2] = fmax(b[2], blk->x[i]);
        b[3] = fmax(b[3], blk->y[i]);
    }
    return 0;
}

int an_spatial_grid(struct an_spatial *s, double default_cell, struct an_grid *g,
                    struct cscc_err *err)
{
    double bbox[4];
    int rc, t;

    if ((rc = an_spatial_city(s, err)))
        return rc;
    memcpy(bbox, s->city.bbox, sizeof(bbox));
    if (s->extent_points) {
        struct bbox_ctx c;
        struct an_points_info info;

        for (t = 0; t < 16; t++) {
            c.b[t][0] = c.b[t][1] = INFINITY;
            c.b[t][2] = c.b[t][3] = -INFINITY;
        }
        if ((rc = an_pointsrc_each(&s->src, s->threads, bbox_cb, &c, &info, err)))
            return rc;
        for (t = 1; t < 16; t++) {
            c.b[0][0] = fmin(c.b[0][0], c.b[t][0]);
            c.b[0][1] = fmin(c.b[0][1], c.b[t][1]);
            c.b[0][2] = fmax(c.b[0][2], c.b[t][2]);
            c.b[0][3] = fmax(c.b[0][3], c.b[t][3]);
        }
        if (!(c.b[0][0] <= c.b[0][2])) {
            cscc_err_set(err, CSCC_EDATA,
                         "the selection has no points, so --extent points has no extent");
            return CSCC_EDATA;
        }
        memcpy(bbox, c.b[0], sizeof(bbox));
    }
    if (s->gnx && s->cell) {
        cscc_err_set(err, CSCC_EINVAL, "give --cell or --grid, not both");
        cscc_err_at(err, NULL, 0, 0, "grid");
        return CSCC_EINVAL;
    }
    if (s->gnx)
        return an_grid_init_n(g, bbox, s->gnx, s->gny, err);
    return an_grid_init(g, bbox, s->cell ? s->cell : default_cell, err);
}

/* ------------------------------------------------------------------------ */
/* An empty selection                                                        */
/* ------------------------------------------------------------------------ */

/* Stops the scan at the first block with a point in it. */
static int any_cb(void *arg, int thread, const struct an_point_block *b)
{
    (void)arg;
    (void)thread;
    return b->n > 0;
}

int an_spatial_any(const struct an_spatial *s, const struct an_points_query *q,
                   struct an_points_info *info, struct cscc_err *err)
{
    struct an_points_query q2 = *q;
    struct an_pointsrc src = s->src;
    int rc;

    q2.xy_only = !q->keep_unlocated; /* the scan's fast path: only x and y are read */
    src.q = &q2;
    rc = an_pointsrc_each(&src, s->threads, any_cb, NULL, info, err);
    return rc == 1 ? 1 : rc;
}

/* Appends option `name` (and its value, when not NULL) as sp spells it. */
static void add_opt(struct strbuf *sb, enum an_spelling sp, const char *name, const char *value)
{
    if (sp == AN_SPELL_CLI)
        strbuf_addf(sb, " --%s%s%s", name, value ? " " : "", value ? value : "");
    else
        strbuf_addf(sb, " %s=%s", name, value ? value : "true");
}

int an_spatial_require(const struct an_spatial *s, int by_area, enum an_spelling sp,
                       struct cscc_err *err)
{
    const struct counts_query *f = &s->q.f;
    const char *dash = sp == AN_SPELL_CLI ? "--" : "", *field = NULL;
    const char *widen[6];
    struct an_points_query q = s->q;
    struct an_points_info info;
    struct strbuf given;
    char day[16], num[16], what[80];
    size_t i, nw = 0;
    int rc;

    q.keep_unlocated = by_area;
    if ((rc = an_spatial_any(s, &q, &info, err)))
        return rc < 0 ? rc : 0;
    /* The filters given, as they were given, and which of them to widen. */
    strbuf_init(&given, 0);
    if (f->has_from) {
        cscc_format_day(f->day_from, day);
        add_opt(&given, sp, "from", day);
    }
    if (f->has_to) {
        cscc_format_day(f->day_to, day);
        add_opt(&given, sp, "to", day);
    }
    if (f->category)
        add_opt(&given, sp, "category", f->category);
    for (i = 0; i < f->ntypes; i++)
        add_opt(&given, sp, "type", f->types[i]);
    for (i = 0; i < f->nfbi; i++)
        add_opt(&given, sp, "fbi", f->fbi[i]);
    for (i = 0; i < f->nareas; i++) {
        snprintf(num, sizeof(num), "%d", f->areas[i]);
        add_opt(&given, sp, "area", num);
    }
    if (f->priority)
        add_opt(&given, sp, "priority", NULL);
    if (f->ntypes)
        widen[nw++] = "type";
    if (f->nfbi)
        widen[nw++] = "fbi";
    if (f->category)
        widen[nw++] = "category";
    if (f->nareas)
        widen[nw++] = "area";
    if (f->priority)
        widen[nw++] = "priority";
    /* A period with no rows at all is what to widen first; else a filter. */
    if ((f->has_from || f->has_to) && (!info.rows_in_period || !nw))
        field = "from";
    else if (nw)
        field = widen[0];
    if (s->q.source == AN_SRC_LAYER)
        snprintf(what, sizeof(what), "points of layer '%s'", s->q.layer);
    else
        snprintf(what, sizeof(what), "%s", s->q.source == AN_SRC_VICTIMS ? "victims" : "events");
    if (!info.rows_selected && !given.len)
        cscc_err_set(err, CSCC_EINVAL, "there are no %s to analyse: the table has no rows", what);
    else if (!info.rows_selected)
        cscc_err_set(err, CSCC_EINVAL, "no %s match the filters:%s%s%s%s", what, given.buf,
                     info.warnings[0] ? " (" : "", info.warnings, info.warnings[0] ? ")" : "");
    else
        cscc_err_set(err, CSCC_EINVAL, "none of the %llu %s has a usable location%s%s%s",
                     (unsigned long long)info.rows_selected, what, given.len ? " (filters:" : "",
                     given.buf, given.len ? ")" : "");
    if (field) {
        /* "; widen --from/--to, --type or --area" */
        strbuf_reset(&given);
        if (f->has_from || f->has_to)
            strbuf_addf(&given, "%sfrom/%sto", dash, dash);
        for (i = 0; i < nw; i++)
            strbuf_addf(&given, "%s%s%s",
                        !given.len    ? ""
                        : i + 1 == nw ? " or "
                                      : ", ",
                        dash, widen[i]);
        i = strlen(err->msg);
        snprintf(err->msg + i, sizeof(err->msg) - i, "; widen %s", given.buf);
        cscc_err_at(err, NULL, 0, 0, field);
    }
    strbuf_release(&given);
    return CSCC_EINVAL;
}

void an_spatial_describe(const struct an_spatial *s, struct an_result *r,
                         const struct an_points_info *info)
{
    analysis_points_describe(info, &s->q, &s->crs, r);
}

void an_spatial_release(struct an_spatial *s)
{
    if (s->city_ok)
        an_city_release(&s->city);
    if (s->crs_ok)
        an_crs_release(&s->crs);
    s->city_ok = s->crs_ok = 0;
}
