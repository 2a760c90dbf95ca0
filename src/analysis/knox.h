/**
 * knox.h - the Knox test for near repeats, with the Near Repeat Calculator's
 * parameterisation (Ratcliffe, NRC 1.3).
 *
 * Every pair of events is put in a space band and a time band:
 *  - space (rows): 0 "same location" (distance exactly 0), then k = 1..S:
 *    ((k-1) b, k b] metres ("1 to b", "b+1 to 2b", ...), then S+1 "more than
 *    S b";
 *  - time (columns), by the difference of the events' days (whole days of
 *    their dates, as the Calculator reads them): 0: [0, t], k = 1..T-1:
 *    (k t, (k+1) t], then T: "more than T t".
 * With nrc_intervals, the bands are those the Calculator (version 1.3)
 * actually counts, which are one unit below their labels (Davies's NearRepeat
 * notebook "Inconsistency with Near Repeat Calculator" shows it on the 2016
 * burglaries; cscc reproduces the Calculator's observed table there exactly):
 * "same location" is a distance of exactly 0 (as for the labelled bands),
 * band 1 is (0, b), band k > 1 is [(k-1) b, k b), and time column k is
 * [k t, (k+1) t) days. (Whether the Calculator's "same location" is 0 or
 * under 1 m, its 2016 table comes out the same; cscc keeps one definition.)
 * Distances are Euclidean or Manhattan, in metres. The expected counts come
 * from Monte Carlo permutations: the events' days are shuffled among the
 * events (iteration i draws from stream i of the seed, so the result does not
 * depend on the number of threads). Per cell: the observed pairs, the mean
 * and median of the permuted counts, the Knox ratio observed / mean expected
 * and p = (1 + permutations with a count >= observed) / (iterations + 1),
 * which is what the Calculator reports (0.05 at best with 19 iterations).
 *
 * Cost: the pairs closer than S b are found once with a grid of S b cells;
 * each permutation recounts only their time bands. Pairs further apart are
 * the total pairs of each time band (which no permutation changes, as it
 * moves days between events) minus the close ones.
 */
#ifndef CSCC_ANALYSIS_KNOX_H
#define CSCC_ANALYSIS_KNOX_H

#include "analysis/spatial.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

/** Most close pairs kept in memory (about 2.5 GB). */
#define AN_KNOX_MAX_PAIRS ((size_t)1 << 28)

struct an_knox_opts {
    double space_band; /* b, metres */
    int space_bands;   /* S >= 1 */
    int time_band;     /* t, days */
    int time_bands;    /* T >= 1 */
    int iterations;    /* >= 1 */
    uint64_t seed;
    int manhattan;
    int nrc_intervals; /* 1: the intervals the Calculator computes (see above) */
    int threads;
};

struct an_knox {
    int rows, cols;        /* S + 2, T + 1 */
    uint64_t *observed;    /* rows * cols */
    double *mean, *median; /* of the permuted counts */
    double *ratio, *p;     /* observed / mean; p-value */
    uint64_t *min, *max;   /* of the permuted counts */
    uint64_t pairs;        /* n (n - 1) / 2 */
    uint64_t close_pairs;  /* pairs within S b */
    size_t events;
};

/**
 * Runs the test on n events at (x[i], y[i]) metres on day[i]. CSCC_EINVAL
 * (bad parameters, fewer than 2 events), CSCC_ELIMIT (more close pairs than
 * AN_KNOX_MAX_PAIRS), CSCC_ENOMEM.
 */
int analysis_knox(const double *x, const double *y, const int64_t *day, size_t n,
                  const struct an_knox_opts *o, struct an_knox *out, struct cscc_err *err);
void analysis_knox_release(struct an_knox *k);

/* The command line's and the API's knox (knox_result.c): the defaults (the
 * Calculator's: 100 m x 3, 2 days x 2, 99 iterations, seed 1), options by
 * name (space-band, space-bands, time-band, time-bands, iterations, seed,
 * metric, intervals; spatial.h says how), the events (the points of the
 * selection with a date), and the result's table. */
#define AN_KNOX_MAX_ITERATIONS 100000
struct an_knox_events {
    struct an_points p;
    double *x, *y;
    int64_t *day;
    size_t n, untimed;
};
void analysis_knox_args_init(struct an_knox_opts *o);
int analysis_knox_option(struct an_knox_opts *o, const char *name, const char *value,
                         struct cscc_err *err);
int analysis_knox_events(struct an_spatial *s, const struct colstore_table *t,
                         struct an_knox_events *e, struct cscc_err *err);
void analysis_knox_events_release(struct an_knox_events *e);
struct an_result *analysis_knox_result(const struct an_spatial *s, const struct an_knox_opts *o,
                                       const struct an_knox_events *e, const struct an_knox *k);

#endif
