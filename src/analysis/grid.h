/**
 * grid.h - a grid of square cells over the city, in metres of the projected
 * CRS, and the city it covers.
 *
 * Cell (i, j) is column i (west to east) and row j (south to north); its
 * index is j * nx + i. It covers [x0 + i*cell, x0 + (i+1)*cell) x
 * [y0 + j*cell, y0 + (j+1)*cell); its centre is the middle of that. Cells go
 * out as WGS84 polygons whose corners are inverse-projected (the edges of a
 * cell are straight in metres, so a ring of its four corners is exact at the
 * corners and within centimetres between them at these sizes).
 *
 * The city is the store's community areas: their boundaries (a point-in-area
 * index) and their extent in the projected CRS (every vertex projected).
 */
#ifndef CSCC_ANALYSIS_GRID_H
#define CSCC_ANALYSIS_GRID_H

#include "analysis/points.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/** Most cells a grid may have (a limit for memory: 16 M cells). */
#define AN_GRID_MAX_CELLS ((size_t)1 << 24)

struct an_grid {
    double x0, y0; /* south-west corner, metres */
    double cell;   /* side of a cell, metres */
    size_t nx, ny;
};

/**
 * A grid of cell-metre cells covering [minx, maxx] x [miny, maxy] from its
 * south-west corner (the last column and row may reach past the extent).
 * CSCC_EINVAL for a cell size that is not positive or an empty extent,
 * CSCC_ELIMIT beyond AN_GRID_MAX_CELLS.
 */
int an_grid_init(struct an_grid *g, const double bbox[4], double cell, struct cscc_err *err);

/**
 * A grid of exactly nx x ny square cells around the extent's centre: the
 * cell is the larger of width/nx and height/ny (the other side is padded).
 */
int an_grid_init_n(struct an_grid *g, const double bbox[4], size_t nx, size_t ny,
                   struct cscc_err *err);

static inline size_t an_grid_ncells(const struct an_grid *g)
{
    return g->nx * g->ny;
}

/** The index of the cell holding (x, y), or -1 outside the grid (and for NaN). */
static inline int64_t an_grid_cell(const struct an_grid *g, double x, double y)
{
    double fx = (x - g->x0) / g->cell, fy = (y - g->y0) / g->cell;

    if (!(fx >= 0 && fy >= 0 && fx < (double)g->nx && fy < (double)g->ny))
        return -1;
    return (int64_t)fy * (int64_t)g->nx + (int64_t)fx;
}

/** The centre of cell c. */
static inline void an_grid_centre(const struct an_grid *g, size_t c, double *x, double *y)
{
    *x = g->x0 + ((double)(c % g->nx) + 0.5) * g->cell;
    *y = g->y0 + ((double)(c / g->nx) + 0.5) * g->cell;
}

/**
 * The WGS84 longitudes and latitudes of every cell corner, (nx+1) x (ny+1)
 * of them, corner (i, j) at index j * (nx + 1) + i; allocated for the caller
 * (cscc_free). CSCC_ENOMEM, or CSCC_EDATA when PROJ cannot convert a corner.
 */
int an_grid_corners_wgs84(const struct an_grid *g, struct an_crs *crs, double **lon, double **lat,
                          struct cscc_err *err);

/** The closed ring (5 lon/lat pairs) of cell c from the corners above. */
void an_grid_ring(const struct an_grid *g, const double *lon, const double *lat, size_t c,
                  double ring[10]);

struct geo_areas;

/** The city: community areas with their boundaries, and their projected extent. */
struct an_city {
    struct geo_areas *areas;
    double bbox[4];     /* minx, miny, maxx, maxy in the CRS */
    char name[256][64]; /* area names by number */
    double pop[256];    /* latest population by area, NaN when unknown */
    char pop_source[64];
    char *geometry[256]; /* GeoJSON geometry text by area number, or NULL */
};

/**
 * Counts (or sums the weights of) the points of src per community area:
 * sum[a] for a = 1..254, sum[255] for points without one. Same errors as the
 * point source.
 */
int an_area_sums(const struct an_pointsrc *src, int threads, double sum[256],
                 struct an_points_info *info, struct cscc_err *err);

/** Loads the areas of st (with boundaries). CSCC_ENOENT when the store has none. */
int an_city_load(struct an_city *c, struct store *st, struct an_crs *crs, struct cscc_err *err);
void an_city_release(struct an_city *c);

/**
 * The community area of each cell's centre (0 outside the city), nx*ny bytes
 * allocated for the caller. Centres are inverse-projected in bulk.
 */
int an_city_cell_areas(const struct an_city *c, const struct an_grid *g, struct an_crs *crs,
                       uint8_t **area, struct cscc_err *err);

/** Adds the grid's parameters to a result (cell size, columns, rows, extent). */
void an_grid_describe(const struct an_grid *g, struct an_result *r);

#endif
