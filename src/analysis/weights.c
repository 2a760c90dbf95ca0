/* weights.c - spatial weights, Getis-Ord Gi and Gi*, Moran's I (see weights.h). */
#include "analysis/weights.h"

#include "analysis/rng.h"
#include "core/alloc.h"
#include "geo/areas.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void an_weights_release(struct an_weights *w)
{
    cscc_free(w->off);
    cscc_free(w->nb);
    cscc_free(w->w);
    memset(w, 0, sizeof(*w));
}

void an_weights_row_standardise(struct an_weights *w)
{
    size_t i, k, m = w->off[w->n];

    if (!w->w) {
        w->w = cscc_xcalloc(m + 1, sizeof(double));
        for (k = 0; k < m; k++)
            w->w[k] = 1.0;
    }
    for (i = 0; i < w->n; i++) {
        double s = 0;

        for (k = w->off[i]; k < w->off[i + 1]; k++)
            s += w->w[k];
        if (s > 0)
            for (k = w->off[i]; k < w->off[i + 1]; k++)
                w->w[k] /= s;
    }
}

/* ------------------------------------------------------------------------ */
/* Grid weights                                                              */
/* ------------------------------------------------------------------------ */

struct offset {
    long dx, dy;
    double d2; /* in cells squared */
};

static int cmp_offset(const void *a, const void *b)
{
    const struct offset *p = a, *q = b;

    if (p->d2 != q->d2)
        return p->d2 < q->d2 ? -1 : 1;
    if (p->dy != q->dy)
        return p->dy < q->dy ? -1 : 1;
    return (p->dx > q->dx) - (p->dx < q->dx);
}

/* Offsets within r cells (not (0,0)), nearest first. */
static struct offset *offsets(long r, double maxd2, size_t *n)
{
    struct offset *o = cscc_trymalloc((size_t)(2 * r + 1) * (size_t)(2 * r + 1) * sizeof(*o));
    long dx, dy;
    size_t m = 0;

    if (!o)
        return NULL;
    for (dy = -r; dy <= r; dy++)
        for (dx = -r; dx <= r; dx++) {
            double d2 = (double)(dx * dx + dy * dy);

            if ((dx || dy) && d2 <= maxd2) {
                o[m].dx = dx;
                o[m].dy = dy;
                o[m].d2 = d2;
                m++;
            }
        }
    qsort(o, m, sizeof(*o), cmp_offset);
    *n = m;
    return o;
}

int an_weights_grid(const struct an_grid *g, const uint8_t *mask, double d, size_t k,
                    struct an_weights *w, size_t **cell_of, struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), n = 0, c, no = 0, cap = 0, i, used = 0;
    long r;
    double maxd2;
    struct offset *o = NULL;
    uint32_t *unit = NULL;
    size_t *cells = NULL;
    int rc = 0;

    memset(w, 0, sizeof(*w));
    *cell_of = NULL;
    if (!k && !(d > 0))
        return cscc_err_set(err, CSCC_EINVAL, "the distance band must be a positive number");
    if (k) {
        r = (long)(g->nx > g->ny ? g->nx : g->ny);
        maxd2 = INFINITY;
    } else {
        double rc_ = d / g->cell;

        if (rc_ > 4096)
            return cscc_err_set(err, CSCC_ELIMIT, "a band of %.0f m spans more than 4096 cells", d);
        r = (long)floor(rc_ * (1 + 1e-12));
        maxd2 = rc_ * rc_ * (1 + 1e-12);
    }
    unit = cscc_trymalloc((nc + 1) * sizeof(*unit));
    cells = cscc_trymalloc((nc + 1) * sizeof(*cells));
    w->off = cscc_trycalloc(nc + 2, sizeof(*w->off));
    if (!unit || !cells || !w->off || !(o = offsets(r, maxd2, &no))) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the weights of %zu cells", nc);
        goto out;
    }
    for (c = 0; c < nc; c++)
        if (mask[c]) {
            unit[c] = (uint32_t)n;
            cells[n++] = c;
        }
    w->n = n;
    for (i = 0; i < n; i++) {
        long cx = (long)(cells[i] % g->nx), cy = (long)(cells[i] / g->nx);
        size_t found = 0, m;

        for (m = 0; m < no; m++) {
            long x = cx + o[m].dx, y = cy + o[m].dy;
            size_t cc;

            if (x < 0 || y < 0 || x >= (long)g->nx || y >= (long)g->ny)
                continue;
            cc = (size_t)y * g->nx + (size_t)x;
            if (!mask[cc])
                continue;
            if (used == cap) {
                size_t ncap = cap ? cap * 2 : 1024;
                size_t *nb = cscc_tryreallocarray(w->nb, ncap, sizeof(*nb));

                if (!nb) {
                    rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the weights");
                    goto out;
                }
                w->nb = nb;
                cap = ncap;
            }
            w->nb[used++] = unit[cc];
            if (k && ++found == k)
                break;
        }
        w->off[i + 1] = used;
    }
    *cell_of = cells;
    cells = NULL;
out:
    cscc_free(o);
    cscc_free(unit);
    cscc_free(cells);
    if (rc)
        an_weights_release(w);
    return rc;
}

int an_weights_areas(const struct an_city *c, int queen, struct an_weights *w, int *ids,
                     struct cscc_err *err)
{
    size_t i, n = geo_areas_count(c->areas);
    int rc;

    memset(w, 0, sizeof(*w));
    if ((rc = geo_areas_contiguity(c->areas, queen, 1.5e-8, &w->off, &w->nb, err)))
        return rc;
    w->n = n;
    for (i = 0; i < n && i < 256; i++)
        ids[i] = geo_areas_id_at(c->areas, i);
    return 0;
}

double an_grid_default_band(const struct an_grid *g, const uint8_t *mask)
{
    size_t nc = an_grid_ncells(g), c, no, m;
    long r = (long)(g->nx > g->ny ? g->nx : g->ny);
    struct offset *o = offsets(r > 64 ? 64 : r, INFINITY, &no);
    double worst = 0;

    if (!o)
        return g->cell;
    for (c = 0; c < nc; c++) {
        long cx = (long)(c % g->nx), cy = (long)(c / g->nx);

        if (!mask[c])
            continue;
        for (m = 0; m < no; m++) {
            long x = cx + o[m].dx, y = cy + o[m].dy;

            if (x < 0 || y < 0 || x >= (long)g->nx || y >= (long)g->ny ||
                !mask[(size_t)y * g->nx + (size_t)x])
                continue;
            worst = fmax(worst, sqrt(o[m].d2));
            break;
        }
    }
    cscc_free(o);
    return (worst > 0 ? worst : 1) * g->cell;
}

/* ------------------------------------------------------------------------ */
/* Getis-Ord                                                                 */
/* ------------------------------------------------------------------------ */

void analysis_getis_ord(const double *x, const struct an_weights *w, int star, double *z)
{
    size_t n = w->n, i, k;
    double sx = 0, sxx = 0;

    for (i = 0; i < n; i++) {
        sx += x[i];
        sxx += x[i] * x[i];
    }
    for (i = 0; i < n; i++) {
        double wi = 0, s1 = 0, lag = 0, mean, s, nn, var;

        for (k = w->off[i]; k < w->off[i + 1]; k++) {
            double wk = w->w ? w->w[k] : 1.0;

            wi += wk;
            s1 += wk * wk;
            lag += wk * x[w->nb[k]];
        }
        if (star) {
            wi += 1;
            s1 += 1;
            lag += x[i];
            nn = (double)n;
            mean = sx / nn;
            s = sqrt(fmax(0, sxx / nn - mean * mean));
        } else {
            nn = (double)n - 1;
            mean = (sx - x[i]) / nn;
            s = sqrt(fmax(0, (sxx - x[i] * x[i]) / nn - mean * mean));
        }
        var = (nn * s1 - wi * wi) / (nn - 1);
        z[i] = s > 0 && var > 0 && nn > 1 ? (lag - mean * wi) / (s * sqrt(var)) : NAN;
    }
}

double analysis_p_normal(double z)
{
    return isnan(z) ? NAN : erfc(fabs(z) / sqrt(2.0));
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void analysis_confidence_bins(const double *z, const double *p, size_t n, int fdr, int *bin)
{
    static const double alpha[3] = {0.10, 0.05, 0.01};
    double cut[3] = {0.10, 0.05, 0.01}, *sorted = NULL;
    size_t m = 0, i, k;
    int l;

    if (fdr) {
        sorted = cscc_xcalloc(n + 1, sizeof(double));
        for (i = 0; i < n; i++)
            if (!isnan(p[i]))
                sorted[m++] = p[i];
        qsort(sorted, m, sizeof(double), cmp_dbl);
        for (l = 0; l < 3; l++) {
            cut[l] = -1; /* none significant */
            for (k = m; k-- > 0;)
                if (sorted[k] <= alpha[l] * (double)(k + 1) / (double)m) {
                    cut[l] = sorted[k];
                    break;
                }
        }
        cscc_free(sorted);
    }
    for (i = 0; i < n; i++) {
        int b = 0;

        if (!isnan(p[i]))
            for (l = 0; l < 3; l++)
                if (p[i] <= cut[l])
                    b = l + 1;
        bin[i] = z[i] < 0 ? -b : b;
    }
}

/* ------------------------------------------------------------------------ */
/* Moran's I                                                                 */
/* ------------------------------------------------------------------------ */

static double moran_i(const double *z, const struct an_weights *w, double s0, double den)
{
    size_t i, k;
    double num = 0;

    for (i = 0; i < w->n; i++) {
        double lag = 0;

        for (k = w->off[i]; k < w->off[i + 1]; k++)
            lag += (w->w ? w->w[k] : 1.0) * z[w->nb[k]];
        num += z[i] * lag;
    }
    return (double)w->n / s0 * num / den;
}

int analysis_moran_global(const double *x, const struct an_weights *w, unsigned perms,
                          uint64_t seed, struct an_moran_global *out, struct cscc_err *err)
{
    size_t n = w->n, i, k, m;
    double mean = 0, den = 0, m4 = 0, s0 = 0, s1 = 0, s2 = 0, nn = (double)n, e, kurt;
    double *z, *colsum, *rowsum, *pz;

    memset(out, 0, sizeof(*out));
    out->p_sim = NAN;
    if (n < 4)
        return cscc_err_set(err, CSCC_EINVAL, "Moran's I needs at least 4 units");
    z = cscc_xcalloc(n, sizeof(double));
    colsum = cscc_xcalloc(n, sizeof(double));
    rowsum = cscc_xcalloc(n, sizeof(double));
    for (i = 0; i < n; i++)
        mean += x[i];
    mean /= nn;
    for (i = 0; i < n; i++) {
        z[i] = x[i] - mean;
        den += z[i] * z[i];
        m4 += z[i] * z[i] * z[i] * z[i];
    }
    /* S0, S1, S2 of Cliff and Ord; S1 needs w_ji: look it up in j's list */
    for (i = 0; i < n; i++)
        for (k = w->off[i]; k < w->off[i + 1]; k++) {
            double wij = w->w ? w->w[k] : 1.0, wji = 0;
            size_t j = w->nb[k];

            for (m = w->off[j]; m < w->off[j + 1]; m++)
                if (w->nb[m] == i)
                    wji = w->w ? w->w[m] : 1.0;
            s0 += wij;
            s1 += (wij + wji) * (wij + wji);
            rowsum[i] += wij;
            colsum[j] += wij;
        }
    s1 /= 2;
    /* pairs where only w_ji exists were not visited from i: add them */
    for (i = 0; i < n; i++)
        for (k = w->off[i]; k < w->off[i + 1]; k++) {
            size_t j = w->nb[k];
            int back = 0;

            for (m = w->off[j]; m < w->off[j + 1]; m++)
                back |= w->nb[m] == i;
            if (!back) {
                double wij = w->w ? w->w[k] : 1.0;

                s1 += wij * wij / 2;
            }
        }
    for (i = 0; i < n; i++)
        s2 += (rowsum[i] + colsum[i]) * (rowsum[i] + colsum[i]);
    if (!(den > 0) || !(s0 > 0)) {
        cscc_free(z);
        cscc_free(colsum);
        cscc_free(rowsum);
        return cscc_err_set(err, CSCC_EINVAL,
                            den > 0 ? "no unit has a neighbour" : "the values do not vary");
    }
    e = -1.0 / (nn - 1);
    out->i = moran_i(z, w, s0, den);
    out->expected = e;
    out->var_norm = (nn * nn * s1 - nn * s2 + 3 * s0 * s0) / ((nn * nn - 1) * s0 * s0) - e * e;
    kurt = (m4 / nn) / ((den / nn) * (den / nn));
    out->var_rand = (nn * ((nn * nn - 3 * nn + 3) * s1 - nn * s2 + 3 * s0 * s0) -
                     kurt * ((nn * nn - nn) * s1 - 2 * nn * s2 + 6 * s0 * s0)) /
                        ((nn - 1) * (nn - 2) * (nn - 3) * s0 * s0) -
                    e * e;
    out->z_norm = (out->i - e) / sqrt(out->var_norm);
    out->p_norm = analysis_p_normal(out->z_norm);
    out->z_rand = (out->i - e) / sqrt(out->var_rand);
    out->p_rand = analysis_p_normal(out->z_rand);
    if (perms) {
        struct an_rng rng;
        unsigned p, larger = 0;

        pz = cscc_xcalloc(n, sizeof(double));
        memcpy(pz, z, n * sizeof(double));
        an_rng_init(&rng, seed, 0);
        for (p = 0; p < perms; p++) {
            for (i = n - 1; i > 0; i--) {
                size_t j = (size_t)an_rng_below(&rng, i + 1);
                double t = pz[i];

                pz[i] = pz[j];
                pz[j] = t;
            }
            if (moran_i(pz, w, s0, den) >= out->i)
                larger++;
        }
        if (perms - larger < larger)
            larger = perms - larger;
        out->p_sim = (larger + 1.0) / (perms + 1.0);
        cscc_free(pz);
    }
    cscc_free(z);
    cscc_free(colsum);
    cscc_free(rowsum);
    return 0;
}

int analysis_moran_local(const double *x, const struct an_weights *w, unsigned perms, uint64_t seed,
                         double *ii, double *lag, int *quadrant, double *p_sim,
                         struct cscc_err *err)
{
    size_t n = w->n, i, k;
    double mean = 0, m2 = 0, nn = (double)n;
    double *z;
    size_t *idx;

    if (n < 3)
        return cscc_err_set(err, CSCC_EINVAL, "local Moran's I needs at least 3 units");
    z = cscc_xcalloc(n, sizeof(double));
    idx = cscc_xcalloc(n, sizeof(size_t));
    for (i = 0; i < n; i++)
        mean += x[i];
    mean /= nn;
    for (i = 0; i < n; i++) {
        z[i] = x[i] - mean;
        m2 += z[i] * z[i];
    }
    m2 /= nn;
    if (!(m2 > 0)) {
        cscc_free(z);
        cscc_free(idx);
        return cscc_err_set(err, CSCC_EINVAL, "the values do not vary");
    }
    for (i = 0; i < n; i++) {
        double l = 0;

        for (k = w->off[i]; k < w->off[i + 1]; k++)
            l += (w->w ? w->w[k] : 1.0) * z[w->nb[k]];
        lag[i] = l;
        ii[i] = z[i] / m2 * l;
        quadrant[i] = z[i] > 0 && l > 0   ? 1
                      : z[i] < 0 && l > 0 ? 2
                      : z[i] < 0 && l < 0 ? 3
                      : z[i] > 0 && l < 0 ? 4
                                          : 0;
    }
    if (perms && p_sim) {
        for (i = 0; i < n; i++) {
            struct an_rng rng;
            size_t ki = w->off[i + 1] - w->off[i], m = 0, j;
            unsigned p, larger = 0;

            for (j = 0; j < n; j++)
                if (j != i)
                    idx[m++] = j;
            an_rng_init(&rng, seed, i + 1);
            for (p = 0; p < perms; p++) {
                double l = 0;

                /* a partial Fisher-Yates shuffle draws ki distinct others */
                for (j = 0; j < ki; j++) {
                    size_t r = j + (size_t)an_rng_below(&rng, m - j), t = idx[j];

                    idx[j] = idx[r];
                    idx[r] = t;
                    l += (w->w ? w->w[w->off[i] + j] : 1.0) * z[idx[j]];
                }
                if (z[i] / m2 * l >= ii[i])
                    larger++;
            }
            if (perms - larger < larger)
                larger = perms - larger;
            p_sim[i] = (larger + 1.0) / (perms + 1.0);
        }
    }
    cscc_free(z);
    cscc_free(idx);
    return 0;
}
