/**
 * moran.h - Moran's I on community areas: local (LISA) with conditional
 * permutation inference and quadrants, and global, over the counts (or rates
 * per 100,000 residents) of a point selection, with queen (or rook)
 * contiguity from the boundaries, row-standardised (see weights.h for the
 * formulas and conventions).
 */
#ifndef CSCC_ANALYSIS_MORAN_H
#define CSCC_ANALYSIS_MORAN_H

#include "analysis/grid.h"
#include "analysis/points.h"
#include "analysis/weights.h"

struct an_moran_opts {
    int queen;      /* 1 queen, 0 rook */
    int rate;       /* 1: rate per 100,000 residents (latest population), 0: counts */
    unsigned perms; /* permutations (0 = none) */
    uint64_t seed;
    double alpha; /* significance level of the cluster labels */
    int threads;
};

struct an_moran {
    size_t n;
    int ids[256];
    double *value, *ii, *lag, *p;
    int *quadrant;
    size_t *neighbours;
    struct an_moran_global global;
    size_t islands; /* areas without a neighbour */
    struct an_points_info info;
};

/** The label of a quadrant: "HH", "LH", "LL", "HL", or "" (0). */
const char *analysis_moran_quadrant(int q);

/** CSCC_EINVAL (rates without population for an area, values that do not vary). */
int analysis_moran_areas(const struct an_pointsrc *src, const struct an_city *city,
                         const struct an_moran_opts *o, struct an_moran *out, struct cscc_err *err);
void analysis_moran_release(struct an_moran *m);

#endif
