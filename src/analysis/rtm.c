/* rtm.c - risk terrain: factors on a grid, Poisson regression by IRLS (see rtm.h). */
#include "analysis/rtm.h"

#include "analysis/kde.h"
#include "core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Poisson regression                                                        */
/* ------------------------------------------------------------------------ */

/* Cholesky of the p x p matrix a (in place, lower); 0 or -1 if not positive definite. */
static int cholesky(double *a, size_t p)
{
    size_t i, j, k;

    for (j = 0; j < p; j++) {
        double d = a[j * p + j];

        for (k = 0; k < j; k++)
            d -= a[j * p + k] * a[j * p + k];
        if (!(d > 1e-12 * (fabs(a[j * p + j]) + 1e-300)))
            return -1;
        a[j * p + j] = sqrt(d);
        for (i = j + 1; i < p; i++) {
            double s = a[i * p + j];

            for (k = 0; k < j; k++)
                s -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = s / a[j * p + j];
        }
    }
    return 0;
}

/* Solves L L' x = b in place. */
static void chol_solve(const double *l, size_t p, double *b)
{
    size_t i, k;

    for (i = 0; i < p; i++) {
        for (k = 0; k < i; k++)
            b[i] -= l[i * p + k] * b[k];
        b[i] /= l[i * p + i];
    }
    for (i = p; i-- > 0;) {
        for (k = i + 1; k < p; k++)
            b[i] -= l[k * p + i] * b[k];
        b[i] /= l[i * p + i];
    }
}

static double deviance(const double *y, const double *mu, size_t n)
{
    double d = 0;
    size_t i;

    for (i = 0; i < n; i++)
        d += 2 * ((y[i] > 0 ? y[i] * log(y[i] / mu[i]) : 0) - (y[i] - mu[i]));
    return d;
}

int analysis_poisson_irls(const double *X, const double *y, size_t n, size_t p,
                          struct an_poisson *out, struct cscc_err *err)
{
    double *mu = NULL, *eta = NULL, a[(AN_RTM_MAX_FACTORS + 1) * (AN_RTM_MAX_FACTORS + 1)];
    double b[AN_RTM_MAX_FACTORS + 1], dev_old = INFINITY, ybar = 0;
    size_t i, j, k;
    int it, rc = 0;

    memset(out, 0, sizeof(*out));
    out->p = p;
    if (p < 1 || p > AN_RTM_MAX_FACTORS + 1 || n <= p)
        return cscc_err_set(err, CSCC_EINVAL,
                            "a Poisson fit of %zu coefficients needs more than "
                            "%zu cells",
                            p, p);
    for (i = 0; i < n; i++) {
        if (!(y[i] >= 0))
            return cscc_err_set(err, CSCC_EINVAL, "counts must not be negative");
        ybar += y[i];
    }
    ybar /= (double)n;
    mu = cscc_trymalloc(n * sizeof(*mu));
    eta = cscc_trymalloc(n * sizeof(*eta));
    if (!mu || !eta) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", n);
        goto out;
    }
    /* start as R's glm does: mu = y + 0.1 */
    for (i = 0; i < n; i++) {
        mu[i] = y[i] + 0.1;
        eta[i] = log(mu[i]);
    }
    for (it = 1; it <= 100; it++) {
        double dev;

        memset(a, 0, sizeof(a));
        memset(b, 0, sizeof(b));
        for (i = 0; i < n; i++) {
            const double *xi = X + i * p;
            double w = mu[i], z = eta[i] + (y[i] - mu[i]) / mu[i];

            for (j = 0; j < p; j++) {
                b[j] += w * xi[j] * z;
                for (k = 0; k <= j; k++)
                    a[j * p + k] += w * xi[j] * xi[k];
            }
        }
        for (j = 0; j < p; j++)
            for (k = j + 1; k < p; k++)
                a[j * p + k] = a[k * p + j];
        if (cholesky(a, p)) {
            rc = cscc_err_set(err, CSCC_EINVAL,
                              "the factors cannot be estimated together: one is constant over "
                              "the cells or repeats others");
            goto out;
        }
        chol_solve(a, p, b);
        memcpy(out->beta, b, p * sizeof(double));
        for (i = 0; i < n; i++) {
            const double *xi = X + i * p;
            double e = 0;

            for (j = 0; j < p; j++)
                e += xi[j] * b[j];
            eta[i] = e;
            mu[i] = exp(e);
        }
        dev = deviance(y, mu, n);
        out->iterations = it;
        if (fabs(dev - dev_old) / (fabs(dev) + 0.1) < 1e-10) {
            out->converged = 1;
            break;
        }
        dev_old = dev;
    }
    /* standard errors: the inverse of X'WX at the fit */
    memset(a, 0, sizeof(a));
    for (i = 0; i < n; i++) {
        const double *xi = X + i * p;

        for (j = 0; j < p; j++)
            for (k = 0; k <= j; k++)
                a[j * p + k] += mu[i] * xi[j] * xi[k];
    }
    for (j = 0; j < p; j++)
        for (k = j + 1; k < p; k++)
            a[j * p + k] = a[k * p + j];
    if (cholesky(a, p)) {
        rc = cscc_err_set(err, CSCC_EINVAL, "the fit's information matrix is singular");
        goto out;
    }
    for (j = 0; j < p; j++) {
        double e[AN_RTM_MAX_FACTORS + 1];

        memset(e, 0, sizeof(e));
        e[j] = 1;
        chol_solve(a, p, e);
        out->se[j] = sqrt(e[j]);
        out->z[j] = out->beta[j] / out->se[j];
        out->pval[j] = erfc(fabs(out->z[j]) / sqrt(2.0));
    }
    out->deviance = deviance(y, mu, n);
    for (i = 0; i < n; i++) {
        out->loglik += y[i] * log(mu[i]) - mu[i] - lgamma(y[i] + 1);
        mu[i] = ybar;
    }
    out->null_deviance = ybar > 0 ? deviance(y, mu, n) : 0;
    out->aic = -2 * out->loglik + 2 * (double)p;
out:
    cscc_free(mu);
    cscc_free(eta);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Factors                                                                   */
/* ------------------------------------------------------------------------ */

struct prox_ctx {
    const struct an_grid *g;
    double d;
    uint8_t *hit; /* per grid cell (one thread) */
};

static int prox_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct prox_ctx *c = arg;
    const struct an_grid *g = c->g;
    size_t i;

    (void)thread;
    for (i = 0; i < b->n; i++) {
        double px = b->x[i], py = b->y[i], d2 = c->d * c->d;
        long x0 = (long)ceil((px - c->d - g->x0) / g->cell - 0.5),
             x1 = (long)floor((px + c->d - g->x0) / g->cell - 0.5),
             y0 = (long)ceil((py - c->d - g->y0) / g->cell - 0.5),
             y1 = (long)floor((py + c->d - g->y0) / g->cell - 0.5), x, y;

        if (!isfinite(px) || !isfinite(py))
            continue;
        if (x0 < 0)
            x0 = 0;
        if (y0 < 0)
            y0 = 0;
        if (x1 >= (long)g->nx)
            x1 = (long)g->nx - 1;
        if (y1 >= (long)g->ny)
            y1 = (long)g->ny - 1;
        for (y = y0; y <= y1; y++)
            for (x = x0; x <= x1; x++) {
                double cx = g->x0 + ((double)x + 0.5) * g->cell - px,
                       cy = g->y0 + ((double)y + 0.5) * g->cell - py;

                if (cx * cx + cy * cy <= d2)
                    c->hit[(size_t)y * g->nx + (size_t)x] = 1;
            }
    }
    return 0;
}

struct xy {
    double x, y;
};

struct collect_ctx {
    struct xy *p;
    size_t n, cap;
};

static int collect_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct collect_ctx *c = arg;
    size_t i;

    (void)thread;
    for (i = 0; i < b->n; i++) {
        if (c->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 4096;
            struct xy *np = cscc_tryreallocarray(c->p, nc, sizeof(*np));

            if (!np)
                return CSCC_ENOMEM;
            c->p = np;
            c->cap = nc;
        }
        c->p[c->n].x = b->x[i];
        c->p[c->n].y = b->y[i];
        c->n++;
    }
    return 0;
}

static int cmp_x(const void *a, const void *b)
{
    double p = ((const struct xy *)a)->x, q = ((const struct xy *)b)->x;

    return (p > q) - (p < q);
}

/* Distance from (x, y) to the nearest of n points sorted by x. */
static double nearest(const struct xy *p, size_t n, double x, double y)
{
    size_t lo = 0, hi = n, k;
    double best = INFINITY;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (p[mid].x < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (k = lo; k < n && p[k].x - x < best; k++)
        best = fmin(best, hypot(p[k].x - x, p[k].y - y));
    for (k = lo; k-- > 0 && x - p[k].x < best;)
        best = fmin(best, hypot(p[k].x - x, p[k].y - y));
    return best;
}

static int factor_values(const struct an_rtm_factor *f, const struct an_grid *g, const size_t *cell,
                         size_t n, int threads, double *col, double *cut, struct cscc_err *err)
{
    struct an_points_info info;
    size_t i;
    int rc = 0;

    *cut = NAN;
    switch (f->kind) {
    case AN_RTM_PROXIMITY: {
        struct prox_ctx c;

        c.g = g;
        c.d = f->param;
        c.hit = cscc_trycalloc(an_grid_ncells(g), 1);
        if (!c.hit)
            return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
        rc = an_pointsrc_each(f->src, 1, prox_cb, &c, &info, err);
        for (i = 0; i < n && !rc; i++)
            col[i] = c.hit[cell[i]];
        cscc_free(c.hit);
        return rc;
    }
    case AN_RTM_DENSITY: {
        struct an_kde k;
        struct an_kde_opts o;
        double sum = 0, sq = 0, mean, sd;

        memset(&o, 0, sizeof(o));
        o.bandwidth = f->param;
        o.threads = threads;
        if ((rc = analysis_kde(f->src, g, &o, &k, err)))
            return rc;
        for (i = 0; i < n; i++) {
            col[i] = k.density[cell[i]];
            sum += col[i];
            sq += col[i] * col[i];
        }
        mean = sum / (double)n;
        sd = sqrt(fmax(0, sq / (double)n - mean * mean));
        *cut = mean + 2 * sd;
        for (i = 0; i < n; i++)
            col[i] = col[i] >= *cut && col[i] > 0 ? 1 : 0;
        analysis_kde_release(&k);
        return 0;
    }
    case AN_RTM_DISTANCE: {
        struct collect_ctx c;

        memset(&c, 0, sizeof(c));
        if ((rc = an_pointsrc_each(f->src, 1, collect_cb, &c, &info, err))) {
            cscc_free(c.p);
            return rc == CSCC_ENOMEM ? cscc_err_set(err, rc, "out of memory") : rc;
        }
        if (!c.n) {
            cscc_free(c.p);
            return cscc_err_set(err, CSCC_EINVAL, "factor %s has no points", f->name);
        }
        qsort(c.p, c.n, sizeof(*c.p), cmp_x);
        for (i = 0; i < n; i++) {
            double x, y;

            an_grid_centre(g, cell[i], &x, &y);
            col[i] = nearest(c.p, c.n, x, y) / 1000;
        }
        cscc_free(c.p);
        return 0;
    }
    }
    return CSCC_EINVAL;
}

int analysis_rtm(const struct an_pointsrc *incidents, const struct an_grid *g,
                 const uint8_t *cell_area, const struct an_rtm_factor *f, size_t nf, int threads,
                 struct an_rtm *out, struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), i, k, p = nf + 1;
    double *bins = NULL, *X = NULL, *col = NULL;
    struct an_bin_stats st;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (nf < 1 || nf > AN_RTM_MAX_FACTORS)
        return cscc_err_set(err, CSCC_EINVAL, "risk terrain takes 1 to %d factors",
                            AN_RTM_MAX_FACTORS);
    out->nf = nf;
    bins = cscc_trymalloc((nc ? nc : 1) * sizeof(*bins));
    out->cell = cscc_trymalloc((nc ? nc : 1) * sizeof(size_t));
    if (!bins || !out->cell) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", nc);
        goto out;
    }
    for (i = 0; i < nc; i++)
        if (cell_area[i])
            out->cell[out->n++] = i;
    if ((rc = analysis_bin(incidents, g, threads, bins, &st, &out->info, err)))
        goto out;
    out->count = cscc_xcalloc(out->n + 1, sizeof(double));
    out->x = cscc_trycalloc(out->n * nf + 1, sizeof(double));
    X = cscc_trycalloc(out->n * p + 1, sizeof(double));
    col = cscc_trycalloc(out->n + 1, sizeof(double));
    out->rrs = cscc_trycalloc(out->n + 1, sizeof(double));
    if (!out->x || !X || !col || !out->rrs) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", out->n);
        goto out;
    }
    for (i = 0; i < out->n; i++)
        out->count[i] = bins[out->cell[i]];
    for (k = 0; k < nf; k++) {
        if ((rc =
                 factor_values(&f[k], g, out->cell, out->n, threads, col, &out->threshold[k], err)))
            goto out;
        out->present[k] = 0;
        for (i = 0; i < out->n; i++) {
            out->x[i * nf + k] = col[i];
            out->present[k] += col[i] != 0;
        }
        if (f[k].kind != AN_RTM_DISTANCE && (out->present[k] == 0 || out->present[k] == out->n)) {
            rc = cscc_err_set(err, CSCC_EINVAL,
                              "factor %s is present in %s cell; it cannot be estimated", f[k].name,
                              out->present[k] == 0 ? "no" : "every");
            goto out;
        }
    }
    for (i = 0; i < out->n; i++) {
        X[i * p] = 1;
        for (k = 0; k < nf; k++)
            X[i * p + 1 + k] = out->x[i * nf + k];
    }
    if ((rc = analysis_poisson_irls(X, out->count, out->n, p, &out->fit, err)))
        goto out;
    for (i = 0; i < out->n; i++) {
        double e = 0;

        for (k = 0; k < nf; k++)
            e += out->fit.beta[k + 1] * out->x[i * nf + k];
        out->rrs[i] = exp(e);
    }
out:
    cscc_free(bins);
    cscc_free(X);
    cscc_free(col);
    if (rc)
        analysis_rtm_release(out);
    return rc;
}

void analysis_rtm_release(struct an_rtm *r)
{
    cscc_free(r->cell);
    cscc_free(r->count);
    cscc_free(r->x);
    cscc_free(r->rrs);
    memset(r, 0, sizeof(*r));
}
