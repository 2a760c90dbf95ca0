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
#include "analysis/spatial.h"

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

/* The command line's and the API's rtm (rtm_result.c): options by name
 * (proximity LAYER:M, density LAYER[:M], distance LAYER, each repeatable, in
 * the order given; table cells|factors; spatial.h says how), the check, the
 * grid (150 m cells unless given), the run over the factors' layer tables
 * (opened by the caller: analysis_rtm_factor_table names each), and the
 * result's table: the relative risk surface (cells) or the factors. */
struct an_rtm_args {
    struct an_rtm_factor f[AN_RTM_MAX_FACTORS];
    char names[AN_RTM_MAX_FACTORS][64]; /* each factor's layer */
    char col[AN_RTM_MAX_FACTORS][96];   /* its column: KIND_LAYER[_N] */
    struct an_points_query q[AN_RTM_MAX_FACTORS];
    struct an_pointsrc src[AN_RTM_MAX_FACTORS];
    size_t nf;
    int factors_table; /* 1: the factors; 0: the cells */
};
void analysis_rtm_args_init(struct an_rtm_args *a);
int analysis_rtm_option(struct an_rtm_args *a, const char *name, const char *value,
                        struct cscc_err *err);
/** At least one factor: CSCC_EINVAL (field "proximity") when none. */
int analysis_rtm_check(const struct an_rtm_args *a, struct cscc_err *err);
/** The option that gave factor k (proximity, density, distance). */
const char *analysis_rtm_kind_name(enum an_rtm_kind k);
/** The points table of factor k's layer (analysis_points_table; field: its option). */
int analysis_rtm_factor_table(struct an_rtm_args *a, size_t k, char *name, size_t size,
                              struct cscc_err *err);
/** Runs the model: tables[k] is factor k's layer table; *cell_area is allocated. */
int analysis_rtm_run(struct an_spatial *s, struct an_rtm_args *a, const struct an_grid *g,
                     const struct colstore_table *const *tables, uint8_t **cell_area,
                     struct an_rtm *rt, struct cscc_err *err);
struct an_result *analysis_rtm_result(struct an_spatial *s, const struct an_rtm_args *a,
                                      const struct an_grid *g, const uint8_t *cell_area,
                                      const struct an_rtm *rt, struct cscc_err *err);

#endif
