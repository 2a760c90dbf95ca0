/**
 * analysis_int.h - what the files of src/analysis share and no other module
 * sees: the incident filter of struct counts_query, compiled once against a
 * table and the store's reference data, then applied group by group.
 *
 * `cscc query counts` and every analysis that selects crimes
 * (analysis/points.h) filter rows through this one piece, so "the violent
 * crimes of the priority areas in 2018" means the same rows everywhere.
 */
#ifndef CSCC_ANALYSIS_ANALYSIS_INT_H
#define CSCC_ANALYSIS_ANALYSIS_INT_H

#include "analysis/counts.h"
#include "colstore/colstore.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* Conditions: areas, types, FBI codes, and the query's column matches. */
#define ANALYSIS__MAX_FILTERS (3 + COUNTS_MAX_MATCH)

/* One condition on a column: its value is one of vals (dictionary columns,
 * compared without case; none of them when negate), or v with fixed[v] set
 * (the area column, 1-byte number columns). */
struct analysis__cond {
    int ci;
    const char *const *vals;
    size_t nvals;
    const uint8_t *fixed; /* a ready 256-entry table (areas, 1-byte numbers), or NULL */
    int negate;           /* dictionary conditions: rows with none of the values */
    const char *what;     /* "primary type", "FBI code", a column name: for warnings */
};

/* A compiled filter; caller-allocated, filled by analysis__filter_init. */
struct analysis__filter {
    struct analysis__cond c[ANALYSIS__MAX_FILTERS];
    size_t n;
    uint8_t area_ok[256];        /* areas in scope; [255] = rows with no area */
    int area_known[256];         /* areas of the store */
    int64_t first_day, last_day; /* the period: the query's, else the table's */
    const char *codes[COUNTS_MAX_VALUES * 2];
    size_t ncodes;
    char catbuf[512];
    char fbi_list[512]; /* the FBI codes filtered on, space-separated ("" when none) */
    uint8_t match_tab[COUNTS_MAX_MATCH][256];                   /* 1-byte number columns matched */
    uint8_t seen[COUNTS_MAX_VALUES * 2][ANALYSIS__MAX_FILTERS]; /* values some group has */
};

/**
 * Compiles q's filters (period, types, FBI codes or category, areas or the
 * priority list, column matches) for table t, with reference data from st.
 * CSCC_EINVAL with err filled for an unknown category, area or column, an
 * empty priority list or a bad match value; CSCC_EDATA when t lacks a column
 * the filter reads. Nothing to free.
 */
int analysis__filter_init(struct analysis__filter *f, const struct colstore_table *t,
                          struct store *st, const struct counts_query *q, struct cscc_err *err);

/* Per-group tables of a filter: lut[i] for condition i (nlut[i] entries). */
struct analysis__group_filter {
    uint8_t *lut[ANALYSIS__MAX_FILTERS];
    size_t nlut[ANALYSIS__MAX_FILTERS];
};

/** Builds group gr's tables (and notes which values it has). */
void analysis__filter_group(struct analysis__filter *f, const struct colstore_group *gr,
                            struct analysis__group_filter *g);
void analysis__filter_group_release(struct analysis__group_filter *g);

/** mask[j] &= the filter's verdict on row lo + j of gr, for j < n. */
void analysis__filter_mask(const struct analysis__filter *f, const struct colstore_group *gr,
                           const struct analysis__group_filter *g, size_t lo, size_t n,
                           uint8_t *mask);

/** Appends "no row has primary type 'X'" for each value no group had ("; "-separated). */
void analysis__filter_warnings(const struct analysis__filter *f, struct strbuf *warn);

#endif
