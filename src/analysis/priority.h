/**
 * priority.h - priority areas by rule: the areas with the most serious
 * victimizations (homicide plus non-fatal shooting victims), by their mean
 * per year over a period, the rule by which "Our City, Our Safety" chose
 * its 15 priority community areas (2018-2020).
 *
 * The mean per year is the period's total over its number of calendar
 * years when the period is whole years (1 January to 31 December), else
 * over its days / 365.2425. Areas are ranked by it, ties by area number;
 * the top N are the computed list, compared with the configured one (the
 * store's priority list "ocos"). Serious victimizations are counted as
 * analysis/trends.h's serious_count says, from the source it resolves.
 *
 * Reentrant; analysis_priority_apply writes the store (one transaction).
 */
#ifndef CSCC_ANALYSIS_PRIORITY_H
#define CSCC_ANALYSIS_PRIORITY_H

#include "analysis/result.h"
#include "analysis/trends.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define PRIORITY_MAX_YEARS 100

/**
 * The length in years of days [day_from, day_to] as the mean per year
 * divides by it: the number of calendar years when the period is whole
 * years (1 January to 31 December), else its days / 365.2425.
 */
double priority_period_years(int64_t day_from, int64_t day_to);

/**
 * Ranks every stored area by mean yearly serious victimizations over days
 * [day_from, day_to] and compares the top `top` with the configured list.
 * The table: rank, community_area, name, serious (the period's total),
 * mean_per_year, count_YYYY per calendar year (periods of at most 12 years),
 * configured and computed (0/1), status ("both", "only configured", "only
 * computed" or ""); rows in rank order, each with the area's boundary. The
 * summary counts the areas in both lists and in only one, and lists them.
 * computed (capacity top) gets the top areas in rank order, *ncomputed how
 * many. NULL with err filled: CSCC_EINVAL for a bad period or top, or a
 * source that cannot be used.
 */
struct an_result *analysis_priority(const struct serious_tables *s, struct store *st,
                                    int64_t day_from, int64_t day_to, size_t top, int *computed,
                                    size_t *ncomputed, struct cscc_err *err);

/**
 * Replaces the configured priority list with areas (n of them), and records
 * it in the import provenance as dataset "priority:ocos" (status ok, or
 * failed with the reason), with what the list was, what it is and why
 * (`why`, e.g. the rule and period). *import_id (may be NULL) gets the
 * provenance id. On error the list is unchanged.
 */
int analysis_priority_apply(struct store *st, const int *areas, size_t n, const char *why,
                            int64_t *import_id, struct cscc_err *err);

#endif
