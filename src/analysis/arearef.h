/**
 * arearef.h - the reference data of community areas an analysis reports
 * with: names, boundaries (GeoJSON, for GeoJSON output), the latest
 * population, the priority list, and which areas a query's area filters
 * (--area, --priority) keep in scope.
 *
 * Read from the store once per analysis; a struct arearef belongs to its
 * caller (not shared between threads).
 */
#ifndef CSCC_ANALYSIS_AREAREF_H
#define CSCC_ANALYSIS_AREAREF_H

#include "analysis/counts.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>

/** Priority list the analyses use (the OCOS list of data/reference). */
#define ANALYSIS_PRIORITY_LIST "ocos"

struct arearef {
    int known[256];          /* 1 for a stored area */
    char *name[256];         /* NULL when unknown */
    char *geometry[256];     /* GeoJSON geometry text, or NULL */
    double pop[256];         /* latest population of each area, NaN when none */
    char pop_source[64];     /* the source of the latest figures, "" when none */
    int priority[256];       /* 1 for an area of the priority list */
    int in_scope[256];       /* areas kept by the query's --area / --priority (all known ones
                                when it has neither) */
    int unknown_in_scope;    /* rows of no area count (no area filter given) */
    char priority_text[512]; /* the priority list as "25 29 23 ...", "" when none */
};

/**
 * Reads the areas (with their boundaries when with_geometry), population
 * and priority list, and the scope of q's area filters (q may be NULL: every
 * area). NULL with err filled on a store error or an area filter naming an
 * area that is not stored (CSCC_EINVAL).
 */
struct arearef *analysis_arearef_load(struct store *st, const struct counts_query *q,
                                      int with_geometry, struct cscc_err *err);
void analysis_arearef_free(struct arearef *a);

#endif
