/**
 * gistar.h - Getis-Ord Gi* hot spots, as ArcGIS's Hot Spot Analysis reports
 * them: on a grid of cells over the city (incident counts per cell; a fixed
 * distance band or k nearest neighbours) or on community areas (counts per
 * area; contiguity from the boundaries). Binary weights, the unit itself
 * included (Gi*); z-scores, two-sided normal p-values and Gi_Bin confidence
 * bins with or without the Benjamini-Hochberg false discovery rate (see
 * weights.h).
 *
 * Grid units are the cells whose centre lies in a community area (a fishnet
 * clipped to the city, zero counts included); points outside them are
 * reported, not counted.
 */
#ifndef CSCC_ANALYSIS_GISTAR_H
#define CSCC_ANALYSIS_GISTAR_H

#include "analysis/grid.h"
#include "analysis/points.h"
#include "analysis/spatial.h"
#include "analysis/weights.h"

struct an_gistar_opts {
    double band; /* metres; 0 = ArcGIS's default (every cell gets a neighbour) */
    size_t knn;  /* > 0: k nearest neighbours instead of a band */
    int fdr;     /* Benjamini-Hochberg bins */
    int threads;
};

struct an_gistar {
    size_t n;      /* units */
    size_t *cell;  /* grid: the unit's cell; areas: NULL */
    int ids[256];  /* areas: the unit's area number */
    double *count; /* incidents (weight) in the unit */
    double *z, *p;
    int *bin;
    size_t *neighbours; /* neighbours of the unit, itself excluded */
    double band;        /* grid: the band used (metres), 0 with knn */
    double outside;     /* weight of points in no unit */
    struct an_points_info info;
};

/** Gi* on grid g over the cells with cell_area[c] != 0 (an_city_cell_areas). */
int analysis_gistar_grid(const struct an_pointsrc *src, const struct an_grid *g,
                         const uint8_t *cell_area, const struct an_gistar_opts *o,
                         struct an_gistar *out, struct cscc_err *err);

/** Gi* on the city's community areas, queen (or rook) contiguity. */
int analysis_gistar_areas(const struct an_pointsrc *src, const struct an_city *city, int queen,
                          const struct an_gistar_opts *o, struct an_gistar *out,
                          struct cscc_err *err);

void analysis_gistar_release(struct an_gistar *r);

/* The command line's and the API's gistar (gistar_result.c): options by
 * name (distance, knn, no-fdr, areas, rook; spatial.h says how), their
 * checks and the grid (250 m cells unless given), the run (cell_area is
 * allocated for a grid), and the result's table. */
struct an_gistar_args {
    struct an_gistar_opts o;
    int areas, rook;
};
void analysis_gistar_args_init(struct an_gistar_args *a);
int analysis_gistar_option(struct an_gistar_args *a, const char *name, const char *value,
                           struct cscc_err *err);
/** The options' combinations: CSCC_EINVAL (field set) when refused. */
int analysis_gistar_check(const struct an_spatial *s, const struct an_gistar_args *a,
                          struct cscc_err *err);
int analysis_gistar_prepare(struct an_spatial *s, struct an_gistar_args *a, struct an_grid *g,
                            struct cscc_err *err);
int analysis_gistar_run(struct an_spatial *s, const struct an_gistar_args *a,
                        const struct an_grid *g, uint8_t **cell_area, struct an_gistar *gs,
                        struct cscc_err *err);
struct an_result *analysis_gistar_result(struct an_spatial *s, const struct an_gistar_args *a,
                                         const struct an_grid *g, const uint8_t *cell_area,
                                         const struct an_gistar *gs, struct cscc_err *err);

#endif
