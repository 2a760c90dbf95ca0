/* grid.c - grids of square cells in metres, and the city under them. */
#include "analysis/grid.h"

#include "core/alloc.h"
#include "geo/areas.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_cells(double nx, double ny, struct cscc_err *err)
{
    if (!(nx >= 1 && ny >= 1))
        return cscc_err_set(err, CSCC_EINVAL, "the grid's extent is empty");
    if (nx * ny > (double)AN_GRID_MAX_CELLS)
        return cscc_err_set(err, CSCC_ELIMIT,
                            "a grid of %.0f x %.0f cells is more than the limit of %zu cells; "
                            "choose larger cells",
                            nx, ny, AN_GRID_MAX_CELLS);
    return 0;
}

int an_grid_init(struct an_grid *g, const double bbox[4], double cell, struct cscc_err *err)
{
    double nx, ny;
    int rc;

    memset(g, 0, sizeof(*g));
    if (!(cell > 0) || !isfinite(cell))
        return cscc_err_set(err, CSCC_EINVAL, "the cell size must be a positive number of metres");
    if (!(bbox[2] >= bbox[0] && bbox[3] >= bbox[1]))
        return cscc_err_set(err, CSCC_EINVAL, "the grid's extent is empty");
    nx = floor((bbox[2] - bbox[0]) / cell) + 1;
    ny = floor((bbox[3] - bbox[1]) / cell) + 1;
    if ((rc = check_cells(nx, ny, err)))
        return rc;
    g->x0 = bbox[0];
    g->y0 = bbox[1];
    g->cell = cell;
    g->nx = (size_t)nx;
    g->ny = (size_t)ny;
    return 0;
}

int an_grid_init_n(struct an_grid *g, const double bbox[4], size_t nx, size_t ny,
                   struct cscc_err *err)
{
    double w = bbox[2] - bbox[0], h = bbox[3] - bbox[1], cell;
    int rc;

    memset(g, 0, sizeof(*g));
    if ((rc = check_cells((double)nx, (double)ny, err)))
        return rc;
    if (!(w > 0 || h > 0))
        return cscc_err_set(err, CSCC_EINVAL, "the grid's extent is empty");
    cell = fmax(w / (double)nx, h / (double)ny);
    g->cell = cell;
    g->nx = nx;
    g->ny = ny;
    g->x0 = (bbox[0] + bbox[2]) / 2 - cell * (double)nx / 2;
    g->y0 = (bbox[1] + bbox[3]) / 2 - cell * (double)ny / 2;
    return 0;
}

int an_grid_corners_wgs84(const struct an_grid *g, struct an_crs *crs, double **lon, double **lat,
                          struct cscc_err *err)
{
    size_t n = (g->nx + 1) * (g->ny + 1), i, j;
    double *x = cscc_trymalloc(n * sizeof(*x)), *y = cscc_trymalloc(n * sizeof(*y));

    *lon = *lat = NULL;
    if (!x || !y) {
        cscc_free(x);
        cscc_free(y);
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for the grid's corners");
    }
    for (j = 0; j <= g->ny; j++)
        for (i = 0; i <= g->nx; i++) {
            x[j * (g->nx + 1) + i] = g->x0 + (double)i * g->cell;
            y[j * (g->nx + 1) + i] = g->y0 + (double)j * g->cell;
        }
    if (an_crs_to_wgs84(crs, x, y, n)) {
        cscc_free(x);
        cscc_free(y);
        return cscc_err_set(err, CSCC_EDATA, "PROJ cannot convert the grid's corners to WGS84");
    }
    *lon = x;
    *lat = y;
    return 0;
}

void an_grid_ring(const struct an_grid *g, const double *lon, const double *lat, size_t c,
                  double ring[10])
{
    size_t i = c % g->nx, j = c / g->nx, w = g->nx + 1;
    size_t k[5] = {j * w + i, j * w + i + 1, (j + 1) * w + i + 1, (j + 1) * w + i, j * w + i};
    int m;

    for (m = 0; m < 5; m++) {
        ring[2 * m] = lon[k[m]];
        ring[2 * m + 1] = lat[k[m]];
    }
}

struct city_ctx {
    struct an_city *c;
    struct cscc_err *err;
    int rc;
    int year[256];
};

static int city_area(void *arg, const struct store_area *a)
{
    struct city_ctx *x = arg;

    if (a->number <= 0 || a->number >= 255)
        return 0;
    snprintf(x->c->name[a->number], sizeof(x->c->name[0]), "%s", a->name);
    if (!a->geometry || !a->geometry[0])
        return 0;
    cscc_free(x->c->geometry[a->number]);
    /* results give the boundary as GeoJSON, whose rings RFC 7946 orients */
    if (!(x->c->geometry[a->number] = geo_geometry_rfc7946(a->geometry, x->err)))
        return x->rc = x->err->code ? x->err->code : CSCC_EDATA;
    x->rc = geo_areas_add(x->c->areas, a->number, a->name, a->geometry, x->err);
    return x->rc;
}

static int city_pop(void *arg, const struct store_population *p)
{
    struct city_ctx *x = arg;

    if (p->area > 0 && p->area < 255 && p->year > x->year[p->area]) {
        x->year[p->area] = p->year;
        x->c->pop[p->area] = (double)p->population;
        snprintf(x->c->pop_source, sizeof(x->c->pop_source), "%s", p->source);
    }
    return 0;
}

int an_city_load(struct an_city *c, struct store *st, struct an_crs *crs, struct cscc_err *err)
{
    struct city_ctx x;
    size_t i, k, n;
    int rc, a;

    memset(c, 0, sizeof(*c));
    memset(&x, 0, sizeof(x));
    for (a = 0; a < 256; a++)
        c->pop[a] = NAN;
    x.c = c;
    x.err = err;
    c->areas = geo_areas_new();
    if ((rc = store_each_area(st, 1, city_area, &x, err)) ||
        (rc = store_each_population(st, NULL, city_pop, &x, err)) ||
        (rc = geo_areas_finish(c->areas, err)))
        goto fail;
    if (!geo_areas_count(c->areas)) {
        rc = cscc_err_set(err, CSCC_ENOENT,
                          "the data directory has no community area boundaries; run 'cscc init'");
        goto fail;
    }
    c->bbox[0] = c->bbox[1] = INFINITY;
    c->bbox[2] = c->bbox[3] = -INFINITY;
    for (i = 0; i < geo_areas_count(c->areas); i++) {
        const double *v = geo_areas_vertices(c->areas, geo_areas_id_at(c->areas, i), &n);
        double *x2 = cscc_xmalloc((n + 1) * sizeof(double)),
               *y2 = cscc_xmalloc((n + 1) * sizeof(double));

        for (k = 0; k < n; k++) {
            x2[k] = v[2 * k];
            y2[k] = v[2 * k + 1];
        }
        rc = an_crs_from_wgs84(crs, x2, y2, n);
        for (k = 0; k < n && !rc; k++) {
            c->bbox[0] = fmin(c->bbox[0], x2[k]);
            c->bbox[1] = fmin(c->bbox[1], y2[k]);
            c->bbox[2] = fmax(c->bbox[2], x2[k]);
            c->bbox[3] = fmax(c->bbox[3], y2[k]);
        }
        cscc_free(x2);
        cscc_free(y2);
        if (rc) {
            rc = cscc_err_set(err, CSCC_EDATA, "PROJ cannot convert the boundary of area %d to %s",
                              geo_areas_id_at(c->areas, i), crs->name);
            goto fail;
        }
    }
    return 0;
fail:
    an_city_release(c);
    return rc ? rc : CSCC_EINTERNAL;
}

void an_city_release(struct an_city *c)
{
    int a;

    geo_areas_free(c->areas);
    c->areas = NULL;
    for (a = 0; a < 256; a++) {
        cscc_free(c->geometry[a]);
        c->geometry[a] = NULL;
    }
}

struct sums_ctx {
    double s[16][256];
};

static int sums_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct sums_ctx *c = arg;
    double *s = c->s[thread];
    size_t i;

    for (i = 0; i < b->n; i++)
        s[b->area[i] ? b->area[i] : 255] += b->w ? b->w[i] : 1.0;
    return 0;
}

int an_area_sums(const struct an_pointsrc *src, int threads, double sum[256],
                 struct an_points_info *info, struct cscc_err *err)
{
    struct sums_ctx *c = cscc_xcalloc(1, sizeof(*c));
    struct an_pointsrc s2 = *src;
    struct an_points_query q2;
    int rc, t, a;

    if (threads > 16)
        threads = 16;
    /* a row counts in its area even without coordinates */
    if (!src->pts) {
        q2 = *src->q;
        q2.keep_unlocated = 1;
        s2.q = &q2;
    }
    rc = an_pointsrc_each(&s2, threads, sums_cb, c, info, err);
    for (a = 0; a < 256; a++) {
        sum[a] = 0;
        for (t = 0; t < 16; t++)
            sum[a] += c->s[t][a];
    }
    cscc_free(c);
    return rc;
}

int an_city_cell_areas(const struct an_city *c, const struct an_grid *g, struct an_crs *crs,
                       uint8_t **area, struct cscc_err *err)
{
    size_t n = an_grid_ncells(g), i;
    double *x = cscc_trymalloc(n * sizeof(*x)), *y = cscc_trymalloc(n * sizeof(*y));
    uint8_t *a = cscc_trymalloc(n ? n : 1);

    *area = NULL;
    if (!x || !y || !a) {
        cscc_free(x);
        cscc_free(y);
        cscc_free(a);
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", n);
    }
    for (i = 0; i < n; i++)
        an_grid_centre(g, i, &x[i], &y[i]);
    an_crs_to_wgs84(crs, x, y, n); /* a centre PROJ cannot convert is NaN: outside */
    for (i = 0; i < n; i++) {
        int id = geo_areas_locate(c->areas, x[i], y[i]);

        a[i] = (uint8_t)(id > 0 && id < 255 ? id : 0);
    }
    cscc_free(x);
    cscc_free(y);
    *area = a;
    return 0;
}

void an_grid_describe(const struct an_grid *g, struct an_result *r)
{
    an_param_num(r, "cell_m", g->cell);
    an_param_num(r, "columns", (double)g->nx);
    an_param_num(r, "rows", (double)g->ny);
    an_param(r, "extent", "%.3f %.3f %.3f %.3f", g->x0, g->y0, g->x0 + g->cell * (double)g->nx,
             g->y0 + g->cell * (double)g->ny);
}
