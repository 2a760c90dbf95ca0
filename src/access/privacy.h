/**
 * privacy.h - small-cell suppression of public tables of counts.
 *
 * A public table of counts (for example community areas x months) is
 * published with its margins: row totals, column totals and the grand
 * total. Counts from 1 to 9 identify too few people to publish (the primary
 * suppression; 0 is published). Withholding them is not enough: a suppressed
 * value could be recovered by subtracting the published cells of its row
 * from the row's total. So other entries are withheld too (complementary
 * suppression), until no withheld value can be worked out from what is
 * published.
 *
 * The rule, applied to the table extended with its margins (its rows and
 * columns each sum to their total), repeated until nothing changes:
 *  1. Primary: every entry (cell or margin) from lo to hi (1 to 9) is
 *     suppressed.
 *  2. Lines: a row or column of the extended table with exactly one
 *     suppressed entry gets a second one: its smallest published entry
 *     (non-zero ones first; ties: the first in the line).
 *  3. Links: rule 2 is not enough on its own. Take rows and columns as the
 *     nodes of a graph and suppressed entries as its edges: a suppressed
 *     value is determined by the margins exactly when its edge lies on no
 *     cycle (a bridge). For each bridge, the smallest published entry that
 *     joins the two sides of the bridge (non-zero first) is suppressed,
 *     putting the bridge on a cycle.
 * At the fixed point every suppressed entry lies on a cycle of suppressed
 * entries, so adding +1 and -1 alternately around it changes no total: no
 * suppressed value follows from the published ones by any linear
 * combination of the margins (tests/unit/test_access.c checks this by
 * solving the equations). The rule does not bound how narrow the range of
 * a suppressed value may be; it protects against exact recovery.
 *
 * Pure functions; thread-safe.
 */
#ifndef CSCC_ACCESS_PRIVACY_H
#define CSCC_ACCESS_PRIVACY_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define PRIVACY_MIN_COUNT 1 /* the smallest count suppressed */
#define PRIVACY_MAX_COUNT 9 /* the largest count suppressed */
#define PRIVACY_MAX_CELLS (1u << 22)

/**
 * Decides what to withhold from the nrows x ncols table cells (row-major)
 * with its margins. supp receives (nrows + 1) x (ncols + 1) flags, row-major:
 * supp[i * (ncols + 1) + j] for cell (i, j), column ncols for the row
 * totals, row nrows for the column totals, the last entry for the grand
 * total; 1 = withhold. totals (may be NULL) gets the extended table's
 * values in the same layout. *nsupp (may be NULL) gets how many are
 * withheld. Counts from lo to hi are the primary suppression (PRIVACY_MIN_COUNT,
 * PRIVACY_MAX_COUNT for public tables). CSCC_EINVAL for an empty table or
 * lo > hi, CSCC_ELIMIT above PRIVACY_MAX_CELLS cells, CSCC_ENOMEM.
 */
int privacy_suppress(const uint64_t *cells, size_t nrows, size_t ncols, uint64_t lo, uint64_t hi,
                     uint8_t *supp, uint64_t *totals, size_t *nsupp, struct cscc_err *err);

/**
 * As privacy_suppress, with entries withheld from the start: forced (NULL:
 * none) has the layout of supp, and its non-zero entries are suppressed
 * along with the primary ones (for a table whose margins are cells of
 * another published table, where they were withheld: hierarchical tables).
 * forced and supp must not overlap.
 */
int privacy_suppress_forced(const uint64_t *cells, size_t nrows, size_t ncols, uint64_t lo,
                            uint64_t hi, const uint8_t *forced, uint8_t *supp, uint64_t *totals,
                            size_t *nsupp, struct cscc_err *err);

#endif
