/**
 * rtm.h - built-environment risk in the manner of Risk Terrain Modeling
 * (Caplan and Kennedy): risk factors from point layers measured on a grid,
 * a Poisson regression of incident counts per cell on them, relative risk
 * values exp(beta) with 95 % confidence intervals, and the combined relative
 * risk surface.
 *
 * A factor is one layer's points and how they act on a cell:
 *  - proximity: 1 when a feature lies within D metres of the cell's centre;
 *  - density: 1 when the layer's quartic kernel density at the cell's
 *    centre (bandwidth D, or ArcGIS's rule when 0) is at least the mean
 *    plus two standard deviations over the city's cells (RTMDx's rule);
 *  - distance: the distance from the cell's centre to the nearest feature,
 *    in kilometres (a continuous variable).
 * The model is a Poisson GLM with a log link fitted by iteratively
 * reweighted least squares (as R's glm(family = poisson)); standard errors
 * from the inverse Fisher information. RTMDx selects factors by penalised and
 * stepwise regression; here every factor given is kept (a factor present in
 * every cell or in none cannot be estimated and is refused). A cell's
 * relative risk score is exp(sum of beta_k x_k): its expected count relative
 * to a cell with no factor present (and at distance 0 for distance factors).
 */
#ifndef CSCC_ANALYSIS_RTM_H
#define CSCC_ANALYSIS_RTM_H

#include "analysis/grid.h"
#include "analysis/points.h"

#define AN_RTM_MAX_FACTORS 32

struct an_poisson {
    size_t p; /* coefficients, the intercept first */
    double beta[AN_RTM_MAX_FACTORS + 1], se[AN_RTM_MAX_FACTORS + 1];
    double z[AN_RTM_MAX_FACTORS + 1], pval[AN_RTM_MAX_FACTORS + 1];
    double deviance, null_deviance, aic, loglik;
    int iterations, converged;
};

/**
 * Fits log E[y] = X beta by IRLS: X is n x p, row-major, with the intercept
 * column included by the caller. CSCC_EINVAL when X'WX is singular (a column
 * is constant or repeats another), when y has a negative value, or n <= p.
 */
int analysis_poisson_irls(const double *X, const double *y, size_t n, size_t p,
                          struct an_poisson *out, struct cscc_err *err);

enum an_rtm_kind { AN_RTM_PROXIMITY, AN_RTM_DENSITY, AN_RTM_DISTANCE };

struct an_rtm_factor {
    const char *name;
    enum an_rtm_kind kind;
    double param;                  /* proximity: metres; density: bandwidth (0 = rule) */
    const struct an_pointsrc *src; /* the layer's points */
};

struct an_rtm {
    size_t n;      /* cells in the city */
    size_t *cell;  /* each unit's grid cell */
    double *count; /* incidents per cell */
    double *x;     /* n x nf factor values */
    size_t nf;
    double threshold[AN_RTM_MAX_FACTORS]; /* density factors: the cut (per km^2) */
    double present[AN_RTM_MAX_FACTORS];   /* cells where a binary factor is 1 */
    struct an_poisson fit;
    double *rrs; /* relative risk score per cell */
    struct an_points_info info;
};

int analysis_rtm(const struct an_pointsrc *incidents, const struct an_grid *g,
                 const uint8_t *cell_area, const struct an_rtm_factor *f, size_t nf, int threads,
                 struct an_rtm *out, struct cscc_err *err);
void analysis_rtm_release(struct an_rtm *r);

#endif
