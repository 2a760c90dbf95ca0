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

#endif
