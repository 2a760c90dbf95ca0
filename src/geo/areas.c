/* areas.c - numbered polygons, a grid index over them, and the point-in-area test. */
#include "geo/areas.h"

#include "core/alloc.h"
#include "core/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How the index stays exact.
 *
 * Every answer comes from edge_crosses(), the predicate documented in areas.h, summed (mod 2)
 * over edges. An area is tested through its bands: the edge list of a band holds every
 * non-horizontal edge whose [y0, y1] overlaps the band, where "the band of y" is the same
 * monotone function of y for edges and for query points, so an edge that spans the point's
 * latitude is always in the point's band. Edges missing from the band cannot span the latitude,
 * and contribute 0, so the band sum equals the sum over all edges.
 *
 * The grid decides which areas need that test at all. An edge marks, for its area, every cell
 * whose rectangle (enlarged by a margin much larger than the rounding of the cell computation)
 * the edge touches. If no edge of area k marks cell c, no boundary of k passes through c, so the
 * crossing parity of k is the same at every point of c: the cell's centre tells it. A cell no
 * edge marks at all stores its answer; other cells store, in the order areas were added, the
 * marked areas (tested per point) and, at most once and last, an unmarked area that contains
 * the whole cell. A point outside [minlon, maxlon) x [minlat, maxlat) crosses no edge an odd
 * number of times, so it is outside without a look at the grid.
 */

struct edge {
    double x0, y0, x1, y1; /* y0 < y1, or y0 == y1 and x0 <= x1 (horizontal) */
};

struct area {
    int id;
    char *name;
    double minx, miny, maxx, maxy;
    struct edge *edges; /* every edge of every ring, horizontal ones included; freed by finish */
    size_t nedges;
    /* Band index, built by finish(). */
    double band_y0, band_inv;
    uint32_t nbands;
    uint32_t *band_off;      /* nbands + 1 offsets into band_edges */
    struct edge *band_edges; /* non-horizontal edges, grouped by band */
    double *verts;           /* distinct vertices (lon, lat pairs), sorted; kept after finish */
    size_t nverts;
};

#define CELL_LIST   0x80000000u /* cell value: offset into lists, else the id (0 = outside) */
#define ENTRY_WHOLE 0x80000000u /* list entry: this area holds the whole cell */

struct geo_areas {
    struct area *areas;
    size_t n, cap;
    uint32_t *slots; /* open-addressing id -> index + 1 */
    size_t nslots;   /* a power of two, at least twice n */
    int finished;
    double bbox[4];
    /* The grid. */
    double gx0, gy0, cw, ch, inv_cw, inv_ch;
    uint32_t nx, ny;
    uint32_t *cells;
    uint32_t *lists; /* per list: count, then count entries (area index | ENTRY_WHOLE) */
    size_t nlists;
};

/* Tuning, measured on Chicago's 77 areas (52,641 edges; a 680 x 619 grid of 1.6 MB) with the
   267,227 located crimes of 2016: 94.3 % of points fall in a cell with a stored answer, and a
   point tests 0.7 edges on average. Coarser grids put more points in boundary cells; finer ones
   cost cache misses. Timings are in the notes of the geo suite (city_boundaries_year_2016). */
#define GRID_CELLS_PER_EDGE 8
#define GRID_MIN_CELLS      4096
#define GRID_MAX_CELLS      ((size_t)1 << 22)
#define EDGES_PER_BAND      1
#define MAX_BANDS           ((uint32_t)1 << 20)
#define JSON_MAX_DEPTH      64

/* ---------------------------------------------------------------- the predicate ---------- */

/* 1 when a ray from (px, py) towards +x crosses e: the rule documented in areas.h. */
static inline int edge_crosses(const struct edge *e, double px, double py)
{
    double lo, hi;

    if (py < e->y0 || py >= e->y1)
        return 0;
    if (e->x0 < e->x1) {
        lo = e->x0;
        hi = e->x1;
    } else {
        lo = e->x1;
        hi = e->x0;
    }
    if (px >= hi)
        return 0;
    if (px < lo)
        return 1;
    return (e->x1 - e->x0) * (py - e->y0) - (e->y1 - e->y0) * (px - e->x0) > 0;
}

/* The cell of offset t (in cells) among n: clamped to 0..n-1, NaN to 0. */
static inline uint32_t cell_of(double t, uint32_t n)
{
    if (!(t > 0))
        return 0;
    if (t >= (double)n)
        return n - 1;
    return (uint32_t)t;
}

static inline uint32_t band_of(const struct area *ar, double y)
{
    return cell_of((y - ar->band_y0) * ar->band_inv, ar->nbands);
}

static int area_contains(const struct area *ar, double px, double py)
{
    const struct edge *e, *end;
    uint32_t b;
    int c = 0;

    /* West of the area, a ray crosses each ring an even number of times. */
    if (!(py >= ar->miny && py < ar->maxy && px >= ar->minx && px < ar->maxx) || !ar->nbands)
        return 0;
    b = band_of(ar, py);
    e = ar->band_edges + ar->band_off[b];
    end = ar->band_edges + ar->band_off[b + 1];
    for (; e < end; e++)
        c ^= edge_crosses(e, px, py);
    return c;
}

/* ---------------------------------------------------------------- parsing -------------- */

/* Appends the edges of one ring (array of positions) to *edges. */
static int parse_ring(json_t *ring, const char *where, size_t pi, size_t ri, struct edge **edges,
                      size_t *n, size_t *cap, struct area *ar, struct cscc_err *err)
{
    size_t np, i;
    double px = 0, py = 0, fx = 0, fy = 0;

    if (!json_is_array(ring))
        return cscc_err_set(err, CSCC_EDATA, "%spolygon %zu ring %zu is not an array", where, pi,
                            ri);
    np = json_array_size(ring);
    if (np < 4)
        return cscc_err_set(err, CSCC_EDATA,
                            "%spolygon %zu ring %zu has %zu positions (a ring needs at least 4)",
                            where, pi, ri, np);
    if (*n + np > *cap) {
        size_t ncap = *cap ? *cap : 64;
        struct edge *ne;

        while (ncap < *n + np)
            ncap *= 2;
        ne = cscc_tryreallocarray(*edges, ncap, sizeof(**edges));
        if (!ne)
            return cscc_err_set(err, CSCC_ENOMEM, "%sout of memory for %zu edges", where, ncap);
        *edges = ne;
        *cap = ncap;
    }
    for (i = 0; i < np; i++) {
        json_t *pos = json_array_get(ring, i);
        json_t *jx = json_array_get(pos, 0), *jy = json_array_get(pos, 1);
        double x, y;

        if (!json_is_array(pos) || !json_is_number(jx) || !json_is_number(jy))
            return cscc_err_set(err, CSCC_EDATA,
                                "%spolygon %zu ring %zu position %zu is not [lon, lat] numbers",
                                where, pi, ri, i);
        x = json_number_value(jx);
        y = json_number_value(jy);
        if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90))
            return cscc_err_set(err, CSCC_EDATA,
                                "%spolygon %zu ring %zu position %zu (%.10g, %.10g) is not lon/lat "
                                "in degrees (projected coordinates need converting first)",
                                where, pi, ri, i, x, y);
        if (i == 0) {
            fx = x;
            fy = y;
        } else {
            struct edge *e = &(*edges)[(*n)++];

            if (py < y || (py == y && px <= x)) {
                e->x0 = px, e->y0 = py, e->x1 = x, e->y1 = y;
            } else {
                e->x0 = x, e->y0 = y, e->x1 = px, e->y1 = py;
            }
        }
        if (x < ar->minx)
            ar->minx = x;
        if (x > ar->maxx)
            ar->maxx = x;
        if (y < ar->miny)
            ar->miny = y;
        if (y > ar->maxy)
            ar->maxy = y;
        px = x;
        py = y;
    }
    if (px != fx || py != fy)
        return cscc_err_set(err, CSCC_EDATA,
                            "%spolygon %zu ring %zu is not closed (its last position differs from "
                            "its first)",
                            where, pi, ri);
    return 0;
}

static int parse_polygon(json_t *rings, const char *where, size_t pi, struct edge **edges,
                         size_t *n, size_t *cap, struct area *ar, struct cscc_err *err)
{
    size_t ri;
    int rc;

    if (!json_is_array(rings) || json_array_size(rings) == 0)
        return cscc_err_set(err, CSCC_EDATA, "%spolygon %zu is not a non-empty array of rings",
                            where, pi);
    for (ri = 0; ri < json_array_size(rings); ri++)
        if ((rc = parse_ring(json_array_get(rings, ri), where, pi, ri, edges, n, cap, ar, err)))
            return rc;
    return 0;
}

/* Fills ar's edges and bounding box from a Polygon or MultiPolygon geometry object. */
static int parse_geometry(json_t *geom, const char *where, struct area *ar, struct cscc_err *err)
{
    json_t *type, *coords;
    const char *t;
    struct edge *edges = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    ar->minx = ar->miny = INFINITY;
    ar->maxx = ar->maxy = -INFINITY;
    if (!json_is_object(geom))
        return cscc_err_set(err, CSCC_EDATA, "%sgeometry is %s, not an object", where,
                            json_is_null(geom) ? "null" : "not a GeoJSON geometry");
    type = json_object_get(geom, "type");
    coords = json_object_get(geom, "coordinates");
    t = json_string_value(type);
    if (!t)
        return cscc_err_set(err, CSCC_EDATA, "%sgeometry has no \"type\" string", where);
    if (strcmp(t, "Polygon") && strcmp(t, "MultiPolygon"))
        return cscc_err_set(err, CSCC_EDATA,
                            "%sgeometry type \"%s\" is not Polygon or MultiPolygon", where, t);
    if (!json_is_array(coords))
        return cscc_err_set(err, CSCC_EDATA, "%s%s has no \"coordinates\" array", where, t);
    if (!strcmp(t, "Polygon")) {
        rc = parse_polygon(coords, where, 0, &edges, &n, &cap, ar, err);
    } else {
        if (json_array_size(coords) == 0)
            rc = cscc_err_set(err, CSCC_EDATA, "%sMultiPolygon has no polygons", where);
        for (i = 0; !rc && i < json_array_size(coords); i++)
            rc = parse_polygon(json_array_get(coords, i), where, i, &edges, &n, &cap, ar, err);
    }
    if (rc) {
        cscc_free(edges);
        return rc;
    }
    ar->edges = edges;
    ar->nedges = n;
    return 0;
}

/* ---------------------------------------------------------------- building ------------- */

struct geo_areas *geo_areas_new(void)
{
    return cscc_xcalloc(1, sizeof(struct geo_areas));
}

static uint32_t id_hash(int id)
{
    return (uint32_t)id * 2654435761u;
}

/* Index + 1 of area id, or 0. */
static size_t find_id(const struct geo_areas *a, int id)
{
    size_t mask, i;

    if (!a->nslots)
        return 0;
    mask = a->nslots - 1;
    for (i = id_hash(id) & mask; a->slots[i]; i = (i + 1) & mask)
        if (a->areas[a->slots[i] - 1].id == id)
            return a->slots[i];
    return 0;
}

static int grow(struct geo_areas *a, struct cscc_err *err)
{
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 16;
        struct area *na;

        if (ncap > INT32_MAX)
            return cscc_err_set(err, CSCC_ELIMIT, "too many areas");
        na = cscc_tryreallocarray(a->areas, ncap, sizeof(*na));
        if (!na)
            return cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu areas", ncap);
        a->areas = na;
        a->cap = ncap;
    }
    if ((a->n + 1) * 2 > a->nslots) {
        size_t ns = a->nslots ? a->nslots * 2 : 64, i, j;
        uint32_t *s = cscc_trycalloc(ns, sizeof(*s));

        if (!s)
            return cscc_err_set(err, CSCC_ENOMEM, "out of memory for the area table");
        for (i = 0; i < a->n; i++) {
            for (j = id_hash(a->areas[i].id) & (ns - 1); s[j]; j = (j + 1) & (ns - 1))
                ;
            s[j] = (uint32_t)(i + 1);
        }
        cscc_free(a->slots);
        a->slots = s;
        a->nslots = ns;
    }
    return 0;
}

static int cmp_xy(const void *p, const void *q)
{
    const double *a = p, *b = q;

    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    return (a[1] > b[1]) - (a[1] < b[1]);
}

/* The distinct vertices of ar's edges, sorted (contiguity and extents use them). */
static int area_vertices(struct area *ar)
{
    size_t i, k = 0;
    double *v = cscc_tryreallocarray(NULL, ar->nedges * 2 + 1, 2 * sizeof(double));

    if (!v)
        return CSCC_ENOMEM;
    for (i = 0; i < ar->nedges; i++) {
        v[4 * i] = ar->edges[i].x0;
        v[4 * i + 1] = ar->edges[i].y0;
        v[4 * i + 2] = ar->edges[i].x1;
        v[4 * i + 3] = ar->edges[i].y1;
    }
    qsort(v, ar->nedges * 2, 2 * sizeof(double), cmp_xy);
    for (i = 0; i < ar->nedges * 2; i++) {
        if (k && v[2 * k - 2] == v[2 * i] && v[2 * k - 1] == v[2 * i + 1])
            continue;
        v[2 * k] = v[2 * i];
        v[2 * k + 1] = v[2 * i + 1];
        k++;
    }
    ar->verts = v;
    ar->nverts = k;
    return 0;
}

/* Takes ar (its edges and name) into the set; on error frees them. */
static int add_area(struct geo_areas *a, struct area *ar, struct cscc_err *err)
{
    size_t j;
    int rc;

    if (area_vertices(ar)) {
        cscc_free(ar->edges);
        cscc_free(ar->name);
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for the vertices of area %d", ar->id);
    }

    if ((rc = grow(a, err))) {
        cscc_free(ar->edges);
        cscc_free(ar->verts);
        cscc_free(ar->name);
        return rc;
    }
    for (j = id_hash(ar->id) & (a->nslots - 1); a->slots[j]; j = (j + 1) & (a->nslots - 1))
        ;
    a->slots[j] = (uint32_t)(a->n + 1);
    a->areas[a->n++] = *ar;
    return 0;
}

int geo_areas_add(struct geo_areas *a, int id, const char *name, const char *geometry_json,
                  struct cscc_err *err)
{
    struct area ar;
    char where[48];
    json_t *geom;
    int rc;

    if (a->finished)
        return cscc_err_set(err, CSCC_EINVAL, "area %d: the set is already finished", id);
    if (id <= 0)
        return cscc_err_set(err, CSCC_EINVAL, "area id %d is not a positive integer", id);
    if (find_id(a, id))
        return cscc_err_set(err, CSCC_EINVAL, "area %d: duplicate id", id);
    if (!geometry_json)
        return cscc_err_set(err, CSCC_EINVAL, "area %d: no geometry", id);
    geom = cscc_json_loadb(geometry_json, strlen(geometry_json), JSON_MAX_DEPTH, err);
    if (!geom) {
        char msg[sizeof(err->msg)];

        if (!err)
            return CSCC_EDATA;
        snprintf(msg, sizeof(msg), "%s", err->msg);
        return cscc_err_set(err, err->code, "area %d: geometry: %.400s", id, msg);
    }
    memset(&ar, 0, sizeof(ar));
    ar.id = id;
    snprintf(where, sizeof(where), "area %d: ", id);
    rc = parse_geometry(geom, where, &ar, err);
    json_decref(geom);
    if (rc)
        return rc;
    ar.name = cscc_xstrdup(name ? name : "");
    return add_area(a, &ar, err);
}

/* Reads an area number: a JSON integer, an integral real or a string of decimal digits. */
static int parse_id(json_t *v, int *id)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);

        if (i <= 0 || i > INT_MAX)
            return -1;
        *id = (int)i;
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);

        if (!(d >= 1 && d <= INT_MAX) || d != floor(d))
            return -1;
        *id = (int)d;
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v), *p;
        char *end;
        long l;

        while (*s == ' ')
            s++;
        for (p = s; *p >= '0' && *p <= '9'; p++)
            ;
        if (p == s)
            return -1;
        while (*p == ' ')
            p++;
        if (*p)
            return -1;
        errno = 0;
        l = strtol(s, &end, 10);
        if (errno || l <= 0 || l > INT_MAX)
            return -1;
        *id = (int)l;
        return 0;
    }
    return -1;
}

/* Says what v is, for error messages: "\"abc\"", "-3", "an array"... */
static void describe(json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        snprintf(buf, size, "\"%.40s\"", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.17g", json_real_value(v));
    else
        snprintf(buf, size, "%s",
                 json_is_array(v)    ? "an array"
                 : json_is_object(v) ? "an object"
                 : json_is_null(v)   ? "null"
                                     : "a boolean");
}

/* Refuses a legacy "crs" member that names anything but lon/lat WGS84 (RFC 7946 drops crs). */
static int check_crs(json_t *root, struct cscc_err *err)
{
    json_t *crs = json_object_get(root, "crs");
    const char *name;

    if (!crs || json_is_null(crs))
        return 0;
    name = json_string_value(json_object_get(json_object_get(crs, "properties"), "name"));
    if (name && (strstr(name, "CRS84") || strstr(name, "crs84") || strstr(name, "EPSG::4326") ||
                 strstr(name, "EPSG:4326") || strstr(name, "EPSG::4269")))
        return 0;
    return cscc_err_set(err, CSCC_EDATA,
                        "crs \"%s\" is not lon/lat (RFC 7946 GeoJSON is WGS84 longitude, latitude)",
                        name ? name : "(unnamed)");
}

static struct geo_areas *load_root(json_t *root, const char *id_prop, const char *name_prop,
                                   struct cscc_err *err)
{
    struct geo_areas *a = NULL;
    json_t *features;
    const char *type;
    size_t i, n;

    type = json_string_value(json_object_get(root, "type"));
    if (!json_is_object(root) || !type || strcmp(type, "FeatureCollection")) {
        cscc_err_set(err, CSCC_EDATA, "not a GeoJSON FeatureCollection (type is \"%s\")",
                     type ? type : "missing");
        return NULL;
    }
    if (check_crs(root, err))
        return NULL;
    features = json_object_get(root, "features");
    if (!json_is_array(features)) {
        cscc_err_set(err, CSCC_EDATA, "FeatureCollection has no \"features\" array");
        return NULL;
    }
    n = json_array_size(features);
    if (!n) {
        cscc_err_set(err, CSCC_EDATA, "FeatureCollection has no features");
        return NULL;
    }
    a = geo_areas_new();
    for (i = 0; i < n; i++) {
        json_t *f = json_array_get(features, i), *props, *jid, *jname;
        struct area ar;
        char where[48];
        size_t dup;
        int id;

        snprintf(where, sizeof(where), "features[%zu]: ", i);
        props = json_object_get(f, "properties");
        if (!json_is_object(f) || !json_is_object(props)) {
            cscc_err_set(err, CSCC_EDATA, "%s%s", where,
                         json_is_object(f) ? "no \"properties\" object" : "not an object");
            goto fail;
        }
        jid = json_object_get(props, id_prop);
        if (!jid) {
            cscc_err_set(err, CSCC_EDATA, "%smissing property \"%s\"", where, id_prop);
            goto fail;
        }
        if (parse_id(jid, &id)) {
            char what[64];

            describe(jid, what, sizeof(what));
            cscc_err_set(err, CSCC_EDATA, "%sproperty \"%s\" is %s, not a positive integer", where,
                         id_prop, what);
            goto fail;
        }
        if ((dup = find_id(a, id))) {
            cscc_err_set(err, CSCC_EDATA, "%sduplicate area id %d (also in features[%zu])", where,
                         id, dup - 1);
            goto fail;
        }
        jname = NULL;
        if (name_prop) {
            jname = json_object_get(props, name_prop);
            if (!jname) {
                cscc_err_set(err, CSCC_EDATA, "%smissing property \"%s\"", where, name_prop);
                goto fail;
            }
            if (!json_is_string(jname) && !json_is_null(jname)) {
                cscc_err_set(err, CSCC_EDATA, "%sproperty \"%s\" is not a string", where,
                             name_prop);
                goto fail;
            }
        }
        memset(&ar, 0, sizeof(ar));
        ar.id = id;
        if (parse_geometry(json_object_get(f, "geometry"), where, &ar, err))
            goto fail;
        ar.name = cscc_xstrdup(json_is_string(jname) ? json_string_value(jname) : "");
        if (add_area(a, &ar, err))
            goto fail;
    }
    if (geo_areas_finish(a, err))
        goto fail;
    return a;
fail:
    geo_areas_free(a);
    return NULL;
}

struct geo_areas *geo_areas_load_json(const char *buf, size_t len, const char *id_prop,
                                      const char *name_prop, struct cscc_err *err)
{
    struct geo_areas *a;
    json_t *root;

    root = cscc_json_loadb(buf, len, JSON_MAX_DEPTH, err);
    if (!root)
        return NULL;
    a = load_root(root, id_prop, name_prop, err);
    json_decref(root);
    return a;
}

struct geo_areas *geo_areas_load_file(const char *path, const char *id_prop, const char *name_prop,
                                      struct cscc_err *err)
{
    struct geo_areas *a;
    json_t *root;

    root = cscc_json_load_file(path, GEO_AREAS_MAX_FILE, JSON_MAX_DEPTH, err);
    if (!root)
        return NULL;
    a = load_root(root, id_prop, name_prop, err);
    json_decref(root);
    if (!a)
        cscc_err_at(err, path, 0, 0, NULL);
    return a;
}

/* Builds ar's band index. */
static int build_bands(struct area *ar, struct cscc_err *err)
{
    size_t i, nh = 0, total = 0;
    uint32_t b, b0, b1, nb;
    uint32_t *fill = NULL;

    for (i = 0; i < ar->nedges; i++)
        nh += ar->edges[i].y0 < ar->edges[i].y1;
    if (!nh || !(ar->maxy > ar->miny))
        return 0; /* nothing can be crossed: nbands stays 0, the area holds no point */
    nb = nh / EDGES_PER_BAND > MAX_BANDS ? MAX_BANDS : (uint32_t)(nh / EDGES_PER_BAND);
    if (nb < 1)
        nb = 1;
    ar->nbands = nb;
    ar->band_y0 = ar->miny;
    ar->band_inv = nb / (ar->maxy - ar->miny);
    ar->band_off = cscc_trycalloc((size_t)nb + 1, sizeof(*ar->band_off));
    fill = cscc_trycalloc(nb, sizeof(*fill));
    if (!ar->band_off || !fill)
        goto nomem;
    for (i = 0; i < ar->nedges; i++) {
        const struct edge *e = &ar->edges[i];

        if (e->y0 == e->y1)
            continue;
        b0 = band_of(ar, e->y0);
        b1 = band_of(ar, e->y1);
        total += (size_t)(b1 - b0) + 1;
        for (b = b0; b <= b1; b++)
            ar->band_off[b + 1]++;
    }
    if (total > UINT32_MAX) {
        cscc_free(fill);
        return cscc_err_set(err, CSCC_ELIMIT, "area %d: too many band entries", ar->id);
    }
    for (b = 0; b < nb; b++)
        ar->band_off[b + 1] += ar->band_off[b];
    ar->band_edges = cscc_trymalloc(total * sizeof(*ar->band_edges) + 1);
    if (!ar->band_edges)
        goto nomem;
    for (i = 0; i < ar->nedges; i++) {
        const struct edge *e = &ar->edges[i];

        if (e->y0 == e->y1)
            continue;
        b0 = band_of(ar, e->y0);
        b1 = band_of(ar, e->y1);
        for (b = b0; b <= b1; b++)
            ar->band_edges[ar->band_off[b] + fill[b]++] = *e;
    }
    cscc_free(fill);
    return 0;
nomem:
    cscc_free(fill);
    return cscc_err_set(err, CSCC_ENOMEM, "out of memory for the index of area %d", ar->id);
}

static inline uint32_t col_of(const struct geo_areas *a, double x)
{
    return cell_of((x - a->gx0) * a->inv_cw, a->nx);
}

static inline uint32_t row_of(const struct geo_areas *a, double y)
{
    return cell_of((y - a->gy0) * a->inv_ch, a->ny);
}

/* A growable array of uint64_t or uint32_t, by element size. */
struct vec {
    void *p;
    size_t n, cap, size;
};

static int vec_push(struct vec *v, const void *x)
{
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4096;
        void *np = cscc_tryreallocarray(v->p, ncap, v->size);

        if (!np)
            return CSCC_ENOMEM;
        v->p = np;
        v->cap = ncap;
    }
    memcpy((char *)v->p + v->n * v->size, x, v->size);
    v->n++;
    return 0;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t x = *(const uint64_t *)pa, y = *(const uint64_t *)pb;

    return x < y ? -1 : x > y;
}

/* Records (cell, area k) for every cell the edge touches, cells enlarged by pad. */
static int mark_edge(const struct geo_areas *a, const struct edge *e, uint32_t k, double pad,
                     struct vec *pairs)
{
    double ex0 = e->x0 < e->x1 ? e->x0 : e->x1, ex1 = e->x0 < e->x1 ? e->x1 : e->x0;
    double dx = e->x1 - e->x0, dy = e->y1 - e->y0;
    /* Interpolating x at a row's edge is accurate to far below pad unless the edge is nearly
       horizontal; such an edge spans one or two rows, where its whole x range is used. */
    int interp = dy > 1e-3 * fabs(dx);
    uint32_t r, r0 = row_of(a, e->y0 - pad), r1 = row_of(a, e->y1 + pad), c, c0, c1;

    for (r = r0; r <= r1; r++) {
        double rylo = a->gy0 + r * a->ch - pad, ryhi = a->gy0 + (r + 1) * a->ch + pad;
        double ya = e->y0 > rylo ? e->y0 : rylo, yb = e->y1 < ryhi ? e->y1 : ryhi;
        double xa = ex0, xb = ex1;

        if (ya > yb)
            continue;
        if (interp && (ya > e->y0 || yb < e->y1)) {
            xa = e->x0 + (ya - e->y0) / dy * dx;
            xb = e->x0 + (yb - e->y0) / dy * dx;
            if (xa > xb) {
                double t = xa;

                xa = xb;
                xb = t;
            }
            xa = xa < ex0 ? ex0 : xa;
            xb = xb > ex1 ? ex1 : xb;
        }
        c0 = col_of(a, xa - pad);
        c1 = col_of(a, xb + pad);
        for (c = c0; c <= c1; c++) {
            uint64_t pr = ((uint64_t)r * a->nx + c) << 32 | k;

            if (vec_push(pairs, &pr))
                return CSCC_ENOMEM;
        }
    }
    return 0;
}

static int build_grid(struct geo_areas *a, struct cscc_err *err)
{
    struct vec pairs = {NULL, 0, 0, sizeof(uint64_t)}, lists = {NULL, 0, 0, sizeof(uint32_t)};
    double w = a->bbox[2] - a->bbox[0], h = a->bbox[3] - a->bbox[1], pad;
    size_t total = 0, target, i, k, ncells, pi = 0, np;
    uint32_t *cand = NULL, *rowareas = NULL;
    size_t nrow = 0;
    int rc = 0;

    for (k = 0; k < a->n; k++)
        total += a->areas[k].nedges;
    target = total * GRID_CELLS_PER_EDGE;
    target = target < GRID_MIN_CELLS ? GRID_MIN_CELLS : target;
    target = target > GRID_MAX_CELLS ? GRID_MAX_CELLS : target;
    if (w > 0 && h > 0) {
        double nx = ceil(sqrt((double)target * w / h));

        nx = nx < 1 ? 1 : nx > 65535 ? 65535 : nx;
        a->nx = (uint32_t)nx;
        a->ny = (uint32_t)((target + a->nx - 1) / a->nx);
        a->ny = a->ny > 65535 ? 65535 : a->ny;
    } else {
        a->nx = a->ny = 1;
        w = w > 0 ? w : 1;
        h = h > 0 ? h : 1;
    }
    a->gx0 = a->bbox[0];
    a->gy0 = a->bbox[1];
    a->cw = w / a->nx;
    a->ch = h / a->ny;
    a->inv_cw = a->nx / w;
    a->inv_ch = a->ny / h;
    /* Far above the rounding of col_of()/row_of() (~1e-13 degree), far below a cell. */
    pad = 1e-4 * (a->cw > a->ch ? a->cw : a->ch);
    pad = pad < 1e-10 ? 1e-10 : pad;
    ncells = (size_t)a->nx * a->ny;
    a->cells = cscc_trycalloc(ncells, sizeof(*a->cells));
    cand = cscc_trycalloc(a->n ? a->n : 1, sizeof(*cand));
    rowareas = cscc_trycalloc(a->n ? a->n : 1, sizeof(*rowareas));
    if (!a->cells || !cand || !rowareas)
        goto nomem;
    for (k = 0; k < a->n; k++)
        for (i = 0; i < a->areas[k].nedges; i++)
            if (mark_edge(a, &a->areas[k].edges[i], (uint32_t)k, pad, &pairs))
                goto nomem;
    if (pairs.n)
        qsort(pairs.p, pairs.n, sizeof(uint64_t), cmp_u64);
    np = pairs.n;
    for (i = 0; i < ncells; i++) {
        const uint64_t *pp = pairs.p;
        double cx = a->gx0 + ((double)(i % a->nx) + 0.5) * a->cw;
        double cy = a->gy0 + ((double)(i / a->nx) + 0.5) * a->ch;
        size_t nc = 0, ci = 0, start;
        uint32_t v = 0;

        while (pi < np && (pp[pi] >> 32) == i) {
            uint32_t ak = (uint32_t)pp[pi];

            if (!nc || cand[nc - 1] != ak)
                cand[nc++] = ak;
            pi++;
        }
        if (i % a->nx == 0) {
            /* The areas that can hold this row's cell centres, in order. */
            nrow = 0;
            for (k = 0; k < a->n; k++)
                if (cy >= a->areas[k].miny && cy < a->areas[k].maxy)
                    rowareas[nrow++] = (uint32_t)k;
        }
        if (!nc) {
            for (k = 0; k < nrow; k++)
                if (area_contains(&a->areas[rowareas[k]], cx, cy)) {
                    v = (uint32_t)a->areas[rowareas[k]].id;
                    break;
                }
            a->cells[i] = v;
            continue;
        }
        /* Marked areas in order, up to the first unmarked one holding the whole cell. */
        start = lists.n;
        if (lists.n > CELL_LIST - 1 - a->n - 1) {
            rc = cscc_err_set(err, CSCC_ELIMIT, "area index too large");
            goto out;
        }
        if (vec_push(&lists, &v))
            goto nomem;
        for (k = 0; k < a->n; k++) {
            uint32_t entry = (uint32_t)k;

            if (ci < nc && cand[ci] == k) {
                ci++;
            } else if (area_contains(&a->areas[k], cx, cy)) {
                entry |= ENTRY_WHOLE;
            } else {
                continue;
            }
            if (lists.n == start + 1 && (entry & ENTRY_WHOLE)) {
                /* An area holds the whole cell before any boundary matters. */
                lists.n = start;
                a->cells[i] = (uint32_t)a->areas[k].id;
                goto next_cell;
            }
            if (vec_push(&lists, &entry))
                goto nomem;
            if (entry & ENTRY_WHOLE)
                break;
        }
        ((uint32_t *)lists.p)[start] = (uint32_t)(lists.n - start - 1);
        a->cells[i] = CELL_LIST | (uint32_t)start;
    next_cell:;
    }
    a->lists = lists.p;
    a->nlists = lists.n;
    lists.p = NULL;
    goto out;
nomem:
    rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the area grid");
out:
    cscc_free(rowareas);
    cscc_free(cand);
    cscc_free(pairs.p);
    cscc_free(lists.p);
    return rc;
}

int geo_areas_finish(struct geo_areas *a, struct cscc_err *err)
{
    size_t k;
    int rc;

    if (a->finished)
        return cscc_err_set(err, CSCC_EINVAL, "the area set is already finished");
    memset(a->bbox, 0, sizeof(a->bbox));
    for (k = 0; k < a->n; k++) {
        const struct area *ar = &a->areas[k];

        if (!k || ar->minx < a->bbox[0])
            a->bbox[0] = ar->minx;
        if (!k || ar->miny < a->bbox[1])
            a->bbox[1] = ar->miny;
        if (!k || ar->maxx > a->bbox[2])
            a->bbox[2] = ar->maxx;
        if (!k || ar->maxy > a->bbox[3])
            a->bbox[3] = ar->maxy;
    }
    for (k = 0; k < a->n; k++)
        if ((rc = build_bands(&a->areas[k], err)))
            goto fail;
    if ((rc = build_grid(a, err)))
        goto fail;
    /* Queries read only the bands, which hold copies of the edges they need. */
    for (k = 0; k < a->n; k++) {
        cscc_free(a->areas[k].edges);
        a->areas[k].edges = NULL;
    }
    a->finished = 1;
    return 0;
fail:
    /* An empty box makes locate() answer 0 without touching the half-built grid. */
    memset(a->bbox, 0, sizeof(a->bbox));
    return rc;
}

/* ---------------------------------------------------------------- queries -------------- */

int geo_areas_locate(const struct geo_areas *a, double lon, double lat)
{
    const uint32_t *l;
    uint32_t v, n, i;

    /* Also false for NaN, and for an unfinished set (its box is empty). */
    if (!(lon >= a->bbox[0] && lon < a->bbox[2] && lat >= a->bbox[1] && lat < a->bbox[3]) ||
        !a->finished)
        return 0;
    v = a->cells[(size_t)row_of(a, lat) * a->nx + col_of(a, lon)];
    if (!(v & CELL_LIST))
        return (int)v;
    l = a->lists + (v & ~CELL_LIST);
    n = l[0];
    for (i = 1; i <= n; i++) {
        const struct area *ar = &a->areas[l[i] & ~ENTRY_WHOLE];

        if ((l[i] & ENTRY_WHOLE) || area_contains(ar, lon, lat))
            return ar->id;
    }
    return 0;
}

size_t geo_areas_count(const struct geo_areas *a)
{
    return a->n;
}

const char *geo_areas_name(const struct geo_areas *a, int id)
{
    size_t k = find_id(a, id);

    return k ? a->areas[k - 1].name : NULL;
}

int geo_areas_id_at(const struct geo_areas *a, size_t i)
{
    return i < a->n ? a->areas[i].id : 0;
}

void geo_areas_bbox(const struct geo_areas *a, double bbox[4])
{
    memcpy(bbox, a->bbox, sizeof(a->bbox));
}

void geo_areas_free(struct geo_areas *a)
{
    size_t k;

    if (!a)
        return;
    for (k = 0; k < a->n; k++) {
        cscc_free(a->areas[k].name);
        cscc_free(a->areas[k].edges);
        cscc_free(a->areas[k].verts);
        cscc_free(a->areas[k].band_off);
        cscc_free(a->areas[k].band_edges);
    }
    cscc_free(a->areas);
    cscc_free(a->slots);
    cscc_free(a->cells);
    cscc_free(a->lists);
    cscc_free(a);
}

const double *geo_areas_vertices(const struct geo_areas *a, int id, size_t *n)
{
    size_t k = find_id(a, id);

    *n = k ? a->areas[k - 1].nverts : 0;
    return k ? a->areas[k - 1].verts : NULL;
}

/* ---------------------------------------------------------------- contiguity ------------- */

struct vref {
    double x, y;
    uint32_t area; /* index in the set */
};

static int cmp_vref(const void *p, const void *q)
{
    const struct vref *a = p, *b = q;

    return (a->x > b->x) - (a->x < b->x);
}

int geo_areas_contiguity(const struct geo_areas *a, int queen, double snap, size_t **off,
                         size_t **nb, struct cscc_err *err)
{
    size_t n = a->n, total = 0, i, j, k, m = 0;
    struct vref *v = NULL;
    uint32_t *shared = NULL;
    size_t *o = NULL, *list = NULL;
    int rc = 0;

    *off = NULL;
    *nb = NULL;
    if (snap < 0 || !isfinite(snap))
        return cscc_err_set(err, CSCC_EINVAL, "the snap distance must be a non-negative number");
    for (i = 0; i < n; i++)
        total += a->areas[i].nverts;
    v = cscc_tryreallocarray(NULL, total + 1, sizeof(*v));
    shared = cscc_trycalloc(n * n + 1, sizeof(*shared));
    o = cscc_trycalloc(n + 1, sizeof(*o));
    if (!v || !shared || !o) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the contiguity of %zu areas", n);
        goto out;
    }
    for (i = 0; i < n; i++)
        for (k = 0; k < a->areas[i].nverts; k++) {
            v[m].x = a->areas[i].verts[2 * k];
            v[m].y = a->areas[i].verts[2 * k + 1];
            v[m].area = (uint32_t)i;
            m++;
        }
    qsort(v, m, sizeof(*v), cmp_vref);
    /* shared[i * n + j]: vertices of area i within snap of a vertex of area j. A vertex of i
     * that meets several vertices of j counts once. */
    for (i = 0; i < m; i++) {
        uint32_t *seen = NULL, nseen = 0, s;
        uint32_t small[64];

        seen = small;
        /* look both ways along x, so each vertex finds all its matches */
        for (k = i; k-- > 0 && v[i].x - v[k].x <= snap;)
            if (v[k].area != v[i].area && fabs(v[k].y - v[i].y) <= snap && nseen < 64)
                seen[nseen++] = v[k].area;
        for (k = i + 1; k < m && v[k].x - v[i].x <= snap; k++)
            if (v[k].area != v[i].area && fabs(v[k].y - v[i].y) <= snap && nseen < 64)
                seen[nseen++] = v[k].area;
        for (s = 0; s < nseen; s++) {
            uint32_t t;
            int dup = 0;

            for (t = 0; t < s; t++)
                dup |= seen[t] == seen[s];
            if (!dup)
                shared[(size_t)v[i].area * n + seen[s]]++;
        }
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            uint32_t c =
                shared[i * n + j] < shared[j * n + i] ? shared[i * n + j] : shared[j * n + i];

            if (i != j && c >= (queen ? 1u : 2u))
                o[i + 1]++;
        }
    for (i = 0; i < n; i++)
        o[i + 1] += o[i];
    list = cscc_trycalloc(o[n] + 1, sizeof(*list));
    if (!list) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the contiguity of %zu areas", n);
        goto out;
    }
    for (i = 0, k = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            uint32_t c =
                shared[i * n + j] < shared[j * n + i] ? shared[i * n + j] : shared[j * n + i];

            if (i != j && c >= (queen ? 1u : 2u))
                list[k++] = j;
        }
    *off = o;
    *nb = list;
    o = NULL;
out:
    cscc_free(v);
    cscc_free(shared);
    cscc_free(o);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* RFC 7946 ring orientation                                                 */
/* ------------------------------------------------------------------------ */

/* Twice the signed area of a ring of [lon, lat] positions (> 0: counterclockwise). */
static double ring_area2(const json_t *ring)
{
    size_t i, n = json_array_size(ring);
    double s = 0;

    for (i = 0; i + 1 < n; i++) {
        const json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);

        s += json_number_value(json_array_get(p, 0)) * json_number_value(json_array_get(q, 1)) -
             json_number_value(json_array_get(q, 0)) * json_number_value(json_array_get(p, 1));
    }
    return s;
}

/* Turns the rings of one polygon's coordinates: the first counterclockwise,
 * the others clockwise. */
static void orient_polygon(json_t *rings)
{
    size_t r, i, n;

    for (r = 0; r < json_array_size(rings); r++) {
        json_t *ring = json_array_get(rings, r), *rev;
        double a = ring_area2(ring);

        if (!json_is_array(ring) || (r == 0 ? a >= 0 : a <= 0))
            continue;
        rev = json_array();
        n = json_array_size(ring);
        for (i = n; i > 0; i--)
            json_array_append(rev, json_array_get(ring, i - 1));
        json_array_set_new(rings, r, rev);
    }
}

char *geo_geometry_rfc7946(const char *geometry_json, struct cscc_err *err)
{
    json_t *g = cscc_json_loadb(geometry_json, strlen(geometry_json), 32, err), *coords;
    const char *type;
    char *text, *out;
    size_t i;

    if (!g)
        return NULL;
    if (!json_is_object(g)) {
        json_decref(g);
        cscc_err_set(err, CSCC_EDATA, "a geometry is a JSON object");
        return NULL;
    }
    type = json_string_value(json_object_get(g, "type"));
    coords = json_object_get(g, "coordinates");
    if (type && json_is_array(coords)) {
        if (!strcmp(type, "Polygon"))
            orient_polygon(coords);
        else if (!strcmp(type, "MultiPolygon"))
            for (i = 0; i < json_array_size(coords); i++)
                orient_polygon(json_array_get(coords, i));
    }
    text = json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(g);
    if (!text) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory");
        return NULL;
    }
    out = cscc_xstrdup(text);
    free(text); /* allocated by jansson */
    return out;
}
