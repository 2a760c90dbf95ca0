/**
 * weights.h - spatial weights between n units (grid cells, community areas)
 * as neighbour lists, and the statistics built on them: Getis-Ord Gi and Gi*,
 * local and global Moran's I, and Benjamini-Hochberg confidence bins.
 *
 * Weights are lists: unit i's neighbours are nb[off[i] .. off[i+1]) with
 * weights w[...] (w NULL: every weight is 1, "binary"). A unit is not its own
 * neighbour in the lists; Gi* adds the unit itself with weight 1, as
 * Getis and Ord (1992, 1995), ArcGIS and esda's G_Local(star=True) do.
 */
#ifndef CSCC_ANALYSIS_WEIGHTS_H
#define CSCC_ANALYSIS_WEIGHTS_H

#include "analysis/grid.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct an_weights {
    size_t n;
    size_t *off; /* n + 1 */
    size_t *nb;
    double *w; /* NULL: binary */
};

void an_weights_release(struct an_weights *w);
/** Divides every unit's weights by their sum (row standardisation); a unit without
 * neighbours keeps none. Allocates w->w if it was binary. */
void an_weights_row_standardise(struct an_weights *w);

/**
 * Grid weights among the cells with mask[c] != 0 (units numbered in cell
 * order; *cell_of gets each unit's cell, allocated for the caller):
 *  - distance band d (metres): the cells whose centres lie within d,
 *  - k nearest (k > 0, d ignored): the k nearest cells by centre distance;
 *    among cells at the same distance, the one further south, then west,
 *    comes first.
 * CSCC_EINVAL, CSCC_ENOMEM.
 */
int an_weights_grid(const struct an_grid *g, const uint8_t *mask, double d, size_t k,
                    struct an_weights *w, size_t **cell_of, struct cscc_err *err);

/**
 * Contiguity weights between the city's community areas (binary; see
 * geo_areas_contiguity: queen shares a vertex, rook at least two). Units are
 * the areas in the order of geo_areas_id_at(); ids[u] gets unit u's area
 * number (ids has room for 256). CSCC_ENOMEM.
 */
int an_weights_areas(const struct an_city *c, int queen, struct an_weights *w, int *ids,
                     struct cscc_err *err);

/** ArcGIS's default distance band: the smallest distance at which every unit (cell in mask)
 * has a neighbour, i.e. the largest nearest-neighbour distance between cell centres. */
double an_grid_default_band(const struct an_grid *g, const uint8_t *mask);

/**
 * Getis-Ord local statistic for every unit: z-scores (the statistic itself
 * is a z-score), with star: the unit counts among its own neighbours (Gi*),
 * without: it does not and the mean and variance leave it out (Gi).
 * z[i] is NaN when the values do not vary or the unit's weights give no
 * variance.
 */
void analysis_getis_ord(const double *x, const struct an_weights *w, int star, double *z);

/** Two-sided p-value of a standard normal z-score (NaN for NaN). */
double analysis_p_normal(double z);

/**
 * ArcGIS's Gi_Bin: +-3, +-2, +-1 for significance at 99, 95, 90 % (sign of
 * z), 0 otherwise. With fdr, a unit is significant at level a when its p is
 * at most the largest p_(k) with p_(k) <= a k / n (Benjamini-Hochberg over
 * the n units with a p-value), else when p <= a.
 */
void analysis_confidence_bins(const double *z, const double *p, size_t n, int fdr, int *bin);

/** Global Moran's I and its inference. */
struct an_moran_global {
    double i, expected, var_norm, z_norm, p_norm, var_rand, z_rand, p_rand;
    double p_sim; /* permutation pseudo p-value (NaN without permutations) */
};

/**
 * Moran's I with the weights as given (row-standardise them first for the
 * usual "r" transform). Variances under normality and randomisation as in
 * Cliff and Ord (1981) (spdep's moran.test, esda's Moran); with perms > 0, a
 * pseudo p-value from perms seeded random permutations of x: (number of
 * permuted I at least as extreme, on the observed side of the mean of the
 * permuted ones, + 1) / (perms + 1).
 */
int analysis_moran_global(const double *x, const struct an_weights *w, unsigned perms,
                          uint64_t seed, struct an_moran_global *out, struct cscc_err *err);

/**
 * Local Moran's I_i = (z_i / m2) sum_j w_ij z_j with z = x - mean and m2 =
 * sum z^2 / n (spdep's localmoran, GeoDa), lag[i] = sum_j w_ij z_j, quadrant
 * 1 HH (z > 0, lag > 0), 2 LH, 3 LL, 4 HL (0 when z or lag is 0). With perms
 * > 0, conditional permutation inference: for unit i, perms times its
 * neighbours' values are drawn without replacement from the other n - 1
 * values (stream i of the seed); p_sim[i] = (min(count of permuted I_i >=
 * I_i, perms - that count) + 1) / (perms + 1), folded as esda and GeoDa do.
 * p_sim may be NULL when perms is 0.
 */
int analysis_moran_local(const double *x, const struct an_weights *w, unsigned perms, uint64_t seed,
                         double *ii, double *lag, int *quadrant, double *p_sim,
                         struct cscc_err *err);

#endif
