/**
 * pai.h - how well a hot spot map predicts: the Predictive Accuracy Index
 * (Chainey, Tompson and Uhlig 2008) and the Predictive Efficiency Index
 * (Hunt 2016) of a map made on one period and tested on the next.
 *
 * The map marks hot cells of a grid over the city (cells whose centre lies in
 * a community area) from the training points:
 *  - count: the cells with the most training points,
 *  - kde: the cells of highest quartic kernel density (binned; bandwidth
 *    given or ArcGIS's rule),
 *  - gistar: with a coverage, the cells of highest Gi* z-score; without, the
 *    cells with Gi_Bin +3 (hot at 99 %, FDR-corrected), as an analyst reads
 *    ArcGIS's map.
 * With a coverage c (a fraction of the city's cells), exactly round(c n)
 * cells are hot (at least 1); ties are broken by the cell's index (south-west
 * first). Then, with N test points in the city, n of them in hot cells, a hot
 * cells of A:
 *     PAI  = (n / N) / (a / A)
 *     PAI* = (n* / N) / (a / A), n* = test points in the a cells that hold
 *            the most test points (the best map of that size in hindsight)
 *     PEI  = PAI / PAI* = n / n*
 */
#ifndef CSCC_ANALYSIS_PAI_H
#define CSCC_ANALYSIS_PAI_H

#include "analysis/grid.h"
#include "analysis/points.h"
#include "analysis/spatial.h"

enum an_hot_method { AN_HOT_COUNT, AN_HOT_KDE, AN_HOT_GISTAR };

struct an_pai_opts {
    enum an_hot_method method;
    double coverage;  /* fraction of the city's cells (0: gistar's 99 % bins) */
    double bandwidth; /* kde: metres, 0 = rule */
    double band;      /* gistar: distance band, 0 = ArcGIS default */
    int threads;
};

struct an_pai {
    size_t cells;      /* in the city */
    size_t hot;        /* hot cells */
    size_t *hot_cell;  /* grid cell of each hot cell, best first */
    double *hot_score; /* the training score of each */
    double *hot_test;  /* test points in each */
    double n, n_star, N, N_train;
    double area_km2, hot_km2;
    double hit_rate, pai, pai_star, pei;
    struct an_points_info train, test;
};

/** Rates the map of method o on train, tested on test. CSCC_EINVAL (no test points in the
 * city, no hot cell), CSCC_ENOMEM, errors of the point sources. */
int analysis_pai(const struct an_pointsrc *train, const struct an_pointsrc *test,
                 const struct an_grid *g, const uint8_t *cell_area, const struct an_pai_opts *o,
                 struct an_pai *out, struct cscc_err *err);

/** The indices from the counts alone (for tests): hot marks the hot cells among n. */
void analysis_pai_indices(const double *test, const uint8_t *hot, size_t n, struct an_pai *out);

void analysis_pai_release(struct an_pai *p);

/* The command line's and the API's pai (pai_result.c): options by name
 * (train-from, train-to, test-from, test-to, method count|kde|gistar,
 * coverage PCT, bandwidth M, distance M; spatial.h says how), the check (the
 * four dates given, no from or to, periods in order), the grid (250 m cells
 * unless given), the run and the result's table: the hot cells. */
struct an_pai_args {
    struct an_pai_opts o;
    int64_t day[4]; /* train from, to; test from, to */
    int have[4];
    double pct; /* coverage in percent (5 unless given) */
    int cov_given;
};
void analysis_pai_args_init(struct an_pai_args *a);
int analysis_pai_option(struct an_pai_args *a, const char *name, const char *value,
                        struct cscc_err *err);
/** CSCC_EINVAL (field set) when refused; sets the coverage and the threads. */
int analysis_pai_check(const struct an_spatial *s, struct an_pai_args *a, struct cscc_err *err);
/** Rates the map: *cell_area is allocated. */
int analysis_pai_run(struct an_spatial *s, const struct an_pai_args *a, const struct an_grid *g,
                     uint8_t **cell_area, struct an_pai *p, struct cscc_err *err);
struct an_result *analysis_pai_result(struct an_spatial *s, const struct an_pai_args *a,
                                      const struct an_grid *g, const uint8_t *cell_area,
                                      const struct an_pai *p, struct cscc_err *err);

#endif
