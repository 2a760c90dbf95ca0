/**
 * trends.h - how counts change: a period against the prior period of the
 * same length and against the same period a year earlier, per community
 * area, for the priority areas and the rest, and citywide; and the counting
 * of "serious victimizations" (homicide victims plus non-fatal shooting
 * victims) that trends and the priority rule (analysis/priority.h) share.
 *
 * The test of a change. Two counts a (period A, t_a days) and b (period B,
 * t_b days) are taken as Poisson with rates per day r_a and r_b. Given their
 * sum n = a + b, a is binomial(n, t_a / (t_a + t_b)) when r_a = r_b: the
 * exact conditional test of Przyborowski and Wilenski (1940), as R's
 * poisson.test(c(a, b), c(t_a, t_b)) computes it. The two-sided p-value sums
 * the probabilities of every outcome no more likely than the one observed
 * (R's binom.test rule, with its relative tolerance of 1e-7). It is exact for
 * any count and needs no continuity correction; with n = 0 it is 1.
 *
 * Priority areas against the rest: their rates per 100,000 residents in the
 * period, the ratio of those rates, and whether their changes differ: the
 * ratio of the two change ratios, (a_p / b_p) / (a_r / b_r), with a Wald z
 * on its logarithm (standard error sqrt(1/a_p + 1/b_p + 1/a_r + 1/b_r), the
 * interaction of a Poisson log-linear model); NaN when a count is 0.
 *
 * Reentrant: each call reads immutable tables and builds its own result.
 */
#ifndef CSCC_ANALYSIS_TRENDS_H
#define CSCC_ANALYSIS_TRENDS_H

#include "analysis/counts.h"
#include "analysis/result.h"
#include "colstore/colstore.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Two-sided p-value of the exact conditional test that counts a (over
 * exposure ta) and b (over exposure tb) come from one Poisson rate. ta and
 * tb are positive (days). 1 when a + b = 0. Never fails.
 */
double trends_poisson_test(uint64_t a, double ta, uint64_t b, double tb);

/** Binomial probabilities of n trials of success probability p (0 < p < 1):
 * P(X <= k) and P(X >= k). For tests and checks. */
double trends_binom_cdf(uint64_t k, uint64_t n, double p);
double trends_binom_sf(uint64_t k, uint64_t n, double p);

/** The standard normal's two-sided p-value of z (NaN for NaN). */
double trends_normal_p2(double z);

/** The day a year before day (29 February becomes 28 February). */
int64_t trends_year_before(int64_t day);

/* ------------------------------------------------------------------------ */
/* Serious victimizations                                                    */
/* ------------------------------------------------------------------------ */

enum serious_source {
    SERIOUS_AUTO = 0,    /* the victims table where it is imported, else crimes + layer */
    SERIOUS_VICTIMS = 1, /* victims table: HOMICIDE victims + non-homicide gunshot victims */
    SERIOUS_CRIMES = 2,  /* crimes rows of FBI code 01A + a layer of non-fatal shooting victims */
};

/** Where serious victimizations are counted from. Tables may be NULL when
 * not imported; they are borrowed. */
struct serious_tables {
    enum serious_source source;
    const struct colstore_table *victims;
    const struct colstore_table *crimes;
    const struct colstore_table *layer; /* non-fatal shooting victims, one row each */
    const char *layer_name;             /* for the description */
    /* The layer's rows that count: column = value (any case), or every row
     * when layer_column is NULL. */
    const char *layer_column, *layer_value;
};

/**
 * Decides the source (SERIOUS_AUTO: the victims table when it has rows, else
 * crimes + layer) and describes it for people in desc ("victims table: ...").
 * CSCC_EINVAL, with what to import in the message, when the source cannot be
 * used (no victims table; no crimes or no layer).
 */
int serious_resolve(const struct serious_tables *s, enum serious_source *use, char *desc,
                    size_t cap, struct cscc_err *err);

/**
 * Serious victimizations over the days and areas of q (its from/to, area and
 * priority filters; type, FBI and category filters are CSCC_EINVAL: they do
 * not apply), added into acc: acc[area * nyears + (year - year0)] for areas
 * 0..255 (255: no area), years year0 .. year0 + nyears - 1 (a count of a
 * year outside them is CSCC_EINVAL: a caller's mistake). nyears 1 with
 * year0 = INT64_MIN adds every year into one column. *rows (may be NULL) gets
 * the rows of the tables in the period. use is from serious_resolve.
 */
int serious_count(const struct serious_tables *s, enum serious_source use, struct store *st,
                  const struct counts_query *q, int64_t year0, size_t nyears, uint64_t *acc,
                  uint64_t *rows, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Trends                                                                    */
/* ------------------------------------------------------------------------ */

enum trends_measure {
    TRENDS_INCIDENTS = 0, /* crimes rows (incidents; homicides: victims) with q's filters */
    TRENDS_SERIOUS = 1,   /* serious victimizations (s) */
};

/**
 * The trends of the period [q->day_from, q->day_to] (both required):
 * measure counted there, in the prior period of the same length (the days
 * just before), and in the same days a year earlier (trends_year_before of
 * each end). q's filters apply (the crimes measure: every filter of `query
 * counts`; serious: the areas and --priority only); q's keys are ignored.
 *
 * The table has a row per community area in scope, then "priority", "rest"
 * (the areas in scope not on the priority list) and "citywide" (every row in
 * scope, with those of no area): unit, community_area (empty for groups),
 * name, priority (1 for a priority area), count, rate_per_100k (period
 * count per 100,000 residents, latest population), then for "prior" and
 * "year_ago": _count, _change (count - that), _change_pct (NaN when that is
 * 0), _p (trends_poisson_test with the periods' lengths). Area rows carry
 * the area's boundary for GeoJSON. A prior or year-earlier period that
 * starts before the data is flagged in the warnings.
 *
 * crimes may be NULL for TRENDS_SERIOUS from the victims table; s may be
 * NULL for TRENDS_INCIDENTS. NULL with err filled on a bad request
 * (CSCC_EINVAL) or a table that lacks a column (CSCC_EDATA).
 */
struct an_result *analysis_trends(const struct colstore_table *crimes,
                                  const struct serious_tables *s, struct store *st,
                                  const struct counts_query *q, enum trends_measure measure,
                                  struct cscc_err *err);

#endif
