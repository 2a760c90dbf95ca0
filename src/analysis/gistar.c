/* gistar.c - Getis-Ord Gi* on grid cells and community areas (see gistar.h). */
#include "analysis/gistar.h"

#include "analysis/kde.h"
#include "core/alloc.h"

#include <math.h>
#include <string.h>

static void finish(struct an_gistar *out, const struct an_weights *w, int fdr)
{
    size_t i;

    out->z = cscc_xcalloc(out->n + 1, sizeof(double));
    out->p = cscc_xcalloc(out->n + 1, sizeof(double));
    out->bin = cscc_xcalloc(out->n + 1, sizeof(int));
    out->neighbours = cscc_xcalloc(out->n + 1, sizeof(size_t));
    analysis_getis_ord(out->count, w, 1, out->z);
    for (i = 0; i < out->n; i++) {
        out->p[i] = analysis_p_normal(out->z[i]);
        out->neighbours[i] = w->off[i + 1] - w->off[i];
    }
    analysis_confidence_bins(out->z, out->p, out->n, fdr, out->bin);
}

int analysis_gistar_grid(const struct an_pointsrc *src, const struct an_grid *g,
                         const uint8_t *cell_area, const struct an_gistar_opts *o,
                         struct an_gistar *out, struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), i;
    double *bins = cscc_trymalloc((nc ? nc : 1) * sizeof(double)), total = 0;
    struct an_bin_stats st;
    struct an_weights w;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    if (!bins)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", nc);
    if ((rc = analysis_bin(src, g, o->threads, bins, &st, &out->info, err)))
        goto out;
    out->band = o->knn ? 0 : o->band > 0 ? o->band : an_grid_default_band(g, cell_area);
    if ((rc = an_weights_grid(g, cell_area, out->band, o->knn, &w, &out->cell, err)))
        goto out;
    out->n = w.n;
    if (out->n < 3) {
        rc = cscc_err_set(err, CSCC_EINVAL, "the grid has %zu cells in the city; Gi* needs 3",
                          out->n);
        goto out;
    }
    out->count = cscc_xcalloc(out->n, sizeof(double));
    for (i = 0; i < out->n; i++) {
        out->count[i] = bins[out->cell[i]];
        total += out->count[i];
    }
    out->outside = st.w - total;
    finish(out, &w, o->fdr);
out:
    cscc_free(bins);
    an_weights_release(&w);
    if (rc)
        analysis_gistar_release(out);
    return rc;
}

int analysis_gistar_areas(const struct an_pointsrc *src, const struct an_city *city, int queen,
                          const struct an_gistar_opts *o, struct an_gistar *out,
                          struct cscc_err *err)
{
    struct an_weights w;
    double sum[256], total = 0, all = 0;
    size_t i;
    int rc, a;

    memset(out, 0, sizeof(*out));
    if ((rc = an_area_sums(src, o->threads, sum, &out->info, err)))
        return rc;
    if ((rc = an_weights_areas(city, queen, &w, out->ids, err)))
        return rc;
    out->n = w.n;
    out->count = cscc_xcalloc(out->n + 1, sizeof(double));
    for (i = 0; i < out->n; i++) {
        out->count[i] = sum[out->ids[i]];
        total += out->count[i];
    }
    for (a = 1; a < 256; a++)
        all += sum[a];
    out->outside = all - total;
    finish(out, &w, o->fdr);
    an_weights_release(&w);
    return 0;
}

void analysis_gistar_release(struct an_gistar *r)
{
    cscc_free(r->cell);
    cscc_free(r->count);
    cscc_free(r->z);
    cscc_free(r->p);
    cscc_free(r->bin);
    cscc_free(r->neighbours);
    memset(r, 0, sizeof(*r));
}
