/**
 * kde.h - kernel density of points on a grid: the quartic kernel as CrimeStat
 * and ArcGIS Pro (Kernel Density, Silverman 1986) define it.
 *
 * The density at a cell's centre is
 *     D = sum over points i within h of  w_i * 3 / (pi h^2) * (1 - d_i^2 / h^2)^2
 * with h the bandwidth (search radius) and d_i the distance to point i, in
 * points (or weight) per square metre; results are given per square kilometre
 * (ArcGIS with area units of square kilometres; CrimeStat's "relative
 * densities" in points per square kilometre) and as the expected points in
 * the cell (density x cell area, which sums to the weight near the grid's
 * interior; CrimeStat's "absolute densities" scale the same way).
 *
 * Bandwidth: given in metres, or ArcGIS's default rule
 *     h = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n^(-0.2)
 * with SD the (weighted) standard distance, Dm the (weighted) median distance
 * from the (weighted) mean centre and n the number of points (the sum of the
 * weights when weighted). Every selected point counts in the rule, also one
 * outside the grid. The median is exact: for an even count without weights it
 * is the mean of the two middle distances (numpy's convention); with weights,
 * the first distance whose cumulative weight reaches half the total.
 *
 * Two methods:
 *  - binned (the default, and what makes 8 million points fast): points are
 *    summed into their cells, then each cell's sum spreads to the cells
 *    whose centres lie within h of its centre. A point is thus taken at its
 *    cell's centre: a shift of at most half a diagonal.
 *  - exact: every point spreads from its own position (the tools' result;
 *    cost grows with points x cells within h).
 * Points outside the grid add nothing (their weight is reported).
 */
#ifndef CSCC_ANALYSIS_KDE_H
#define CSCC_ANALYSIS_KDE_H

#include "analysis/grid.h"
#include "analysis/points.h"

/** The quartic kernel at squared distance d2 for bandwidth h, per square metre. */
static inline double analysis_quartic(double d2, double h)
{
    double u = 1.0 - d2 / (h * h);

    return d2 < h * h ? 3.0 / (3.14159265358979323846 * h * h) * u * u : 0.0;
}

/** ArcGIS's default bandwidth from n, SD and Dm (metres). */
double analysis_kde_default_bandwidth(double n, double sd, double dm);

struct an_kde_opts {
    double bandwidth; /* metres; 0 = ArcGIS's default rule */
    int exact;        /* 1: every point at its place; 0: binned */
    int threads;      /* 1 or more */
};

struct an_kde {
    struct an_grid g;
    double *density;       /* nx*ny, per square kilometre (cscc_free) */
    double bandwidth;      /* the bandwidth used, metres */
    int default_rule;      /* 1 when the bandwidth came from the rule */
    double n, sd, dm;      /* the rule's inputs (NaN when not computed) */
    double mean_x, mean_y; /* the (weighted) mean centre */
    double weight;         /* total weight of the points (their count without weights) */
    double weight_outside; /* of it, points outside the grid */
    struct an_points_info info;
};

/**
 * The density of src's points on grid g. CSCC_EINVAL for a bandwidth that is
 * not positive (also a rule with fewer than 2 distinct points), CSCC_ELIMIT
 * when the bandwidth spans more than 4096 cells, CSCC_ENOMEM; errors of the
 * point source. out is empty on error.
 */
int analysis_kde(const struct an_pointsrc *src, const struct an_grid *g,
                 const struct an_kde_opts *o, struct an_kde *out, struct cscc_err *err);
void analysis_kde_release(struct an_kde *k);

/**
 * Stats and binning over a point source in one pass, for analyses that bin:
 * the weight per cell of g (nx*ny doubles, caller-allocated, zeroed here),
 * and the sums the bandwidth rule needs. Returns as analysis_kde().
 */
struct an_bin_stats {
    double w, wx, wy, wxx, wyy; /* sums, coordinates relative to the grid's corner */
    double w_outside;
    uint64_t n; /* points */
};
int analysis_bin(const struct an_pointsrc *src, const struct an_grid *g, int threads, double *bins,
                 struct an_bin_stats *st, struct an_points_info *info, struct cscc_err *err);

#endif
