/* kde.c - quartic kernel density on a grid (see kde.h). */
#include "analysis/kde.h"

#include "core/alloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 16
#define MAX_RADIUS  4096              /* cells */
#define HIST_BINS   ((size_t)1 << 18) /* 1 m bins of distance: 262 km */

/* Four doubles, four 64-bit and four 32-bit integers: GCC's and clang's
 * vector extensions, which give the four lanes of AVX2 (two SSE2 halves in
 * the baseline build) without intrinsics. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef int32_t v4i __attribute__((vector_size(16)));

double analysis_kde_default_bandwidth(double n, double sd, double dm)
{
    return 0.9 * fmin(sd, sqrt(1.0 / log(2.0)) * dm) * pow(n, -0.2);
}

/* ------------------------------------------------------------------------ */
/* Binning                                                                   */
/* ------------------------------------------------------------------------ */

/* src as a selection whose blocks carry only x, y and w (a cheaper scan):
 * *q and *out are the caller's storage. */
static const struct an_pointsrc *xy_only(const struct an_pointsrc *src, struct an_points_query *q,
                                         struct an_pointsrc *out)
{
    *out = *src;
    if (src->q && !src->q->keep_unlocated) {
        *q = *src->q;
        q->xy_only = 1;
        out->q = q;
    }
    return out;
}

struct bin_ctx {
    const struct an_grid *g;
    size_t nc;
    double *bins[MAX_THREADS]; /* thread 0 writes the caller's array */
    /* unweighted points are counted in integers, the last one for the
     * points outside the grid: half the memory of doubles and no chain of
     * floating-point adds; a count is moved to bins before it could wrap */
    uint32_t *count[MAX_THREADS];
    uint64_t counted[MAX_THREADS]; /* points in count since it was last moved */
    struct an_bin_stats st[MAX_THREADS];
};

static void bin_flush(struct bin_ctx *c, int thread)
{
    uint32_t *n = c->count[thread];
    double *bins = c->bins[thread];
    size_t i;

    for (i = 0; i < c->nc; i++)
        bins[i] += (double)n[i];
    c->st[thread].w_outside += (double)n[c->nc];
    memset(n, 0, (c->nc + 1) * sizeof(*n));
    c->counted[thread] = 0;
}

/* The sums and cells of n unweighted points: sum[.][l] gets the sums of x,
 * y, x^2 and y^2 (relative to the grid's corner) of points l, l + 4, l + 8,
 * ...: four running sums of each, one per lane, not one chain of dependent
 * adds. cell[i] is the point's cell, or the grid's number of cells when it
 * is outside. Built for AVX2 as well as the baseline, chosen at run time. */
__attribute__((target_clones("avx2", "default"))) static void
bin_cells(const struct an_grid *g, const double *bx, const double *by, size_t n, double sum[4][4],
          uint32_t *cell)
{
    const double inv = 1.0 / g->cell, fnx = (double)g->nx, fny = (double)g->ny;
    const int32_t outside = (int32_t)(g->nx * g->ny), nx = (int32_t)g->nx;
    const v4d x0 = {g->x0, g->x0, g->x0, g->x0}, y0 = {g->y0, g->y0, g->y0, g->y0},
              zero = {0, 0, 0, 0};
    v4d s0, s1, s2, s3;
    size_t i, l;

    memcpy(&s0, sum[0], sizeof(s0));
    memcpy(&s1, sum[1], sizeof(s1));
    memcpy(&s2, sum[2], sizeof(s2));
    memcpy(&s3, sum[3], sizeof(s3));
    for (i = 0; i + 4 <= n; i += 4) {
        v4d x, y, fx, fy;
        v4l in;
        v4i k, in32;

        memcpy(&x, bx + i, sizeof(x));
        memcpy(&y, by + i, sizeof(y));
        x -= x0;
        y -= y0;
        s0 += x;
        s1 += y;
        s2 += x * x;
        s3 += y * y;
        fx = x * inv;
        fy = y * inv;
        in = (fx >= zero) & (fy >= zero) & (fx < fnx) & (fy < fny);
        /* zero outside the grid (NaN too) before the conversion, which is
         * undefined out of range */
        fx = (v4d)((v4l)fx & in);
        fy = (v4d)((v4l)fy & in);
        in32 = __builtin_convertvector(in, v4i);
        k = __builtin_convertvector(fy, v4i) * nx + __builtin_convertvector(fx, v4i);
        k = (k & in32) | (outside & ~in32);
        memcpy(cell + i, &k, sizeof(k));
    }
    memcpy(sum[0], &s0, sizeof(s0));
    memcpy(sum[1], &s1, sizeof(s1));
    memcpy(sum[2], &s2, sizeof(s2));
    memcpy(sum[3], &s3, sizeof(s3));
    for (l = 0; i < n; i++, l++) {
        double x = bx[i] - g->x0, y = by[i] - g->y0, fx = x * inv, fy = y * inv;
        int in = (fx >= 0) & (fy >= 0) & (fx < fnx) & (fy < fny);

        sum[0][l] += x;
        sum[1][l] += y;
        sum[2][l] += x * x;
        sum[3][l] += y * y;
        cell[i] = in ? (uint32_t)((int32_t)fy * nx + (int32_t)fx) : (uint32_t)outside;
    }
}

static int bin_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct bin_ctx *c = arg;
    const struct an_grid *g = c->g;
    struct an_bin_stats *s = &c->st[thread];
    double *bins = c->bins[thread], inv = 1.0 / g->cell, fnx = (double)g->nx, fny = (double)g->ny,
           x0 = g->x0, y0 = g->y0;
    double sw = 0, swx = 0, swy = 0, swxx = 0, swyy = 0, out = 0;
    size_t i, nx = g->nx;

    /* sums in locals: the compiler cannot keep them in registers through s,
     * which might alias bins */
    if (!b->w) {
        uint32_t *count = c->count[thread], cell[AN_POINT_BLOCK];
        double sum[4][4] = {{0}};

        if (c->counted[thread] + b->n > UINT32_MAX)
            bin_flush(c, thread);
        /* the cells first, without a branch; then the counts, whose
         * scattered reads overlap */
        bin_cells(g, b->x, b->y, b->n, sum, cell);
        for (i = 0; i < b->n; i++)
            count[cell[i]]++;
        c->counted[thread] += b->n;
        sw = (double)b->n;
        swx = (sum[0][0] + sum[0][1]) + (sum[0][2] + sum[0][3]);
        swy = (sum[1][0] + sum[1][1]) + (sum[1][2] + sum[1][3]);
        swxx = (sum[2][0] + sum[2][1]) + (sum[2][2] + sum[2][3]);
        swyy = (sum[3][0] + sum[3][1]) + (sum[3][2] + sum[3][3]);
    } else {
        for (i = 0; i < b->n; i++) {
            double w = b->w[i], x = b->x[i] - x0, y = b->y[i] - y0, fx = x * inv, fy = y * inv;

            sw += w;
            swx += w * x;
            swy += w * y;
            swxx += w * x * x;
            swyy += w * y * y;
            if (fx >= 0 && fy >= 0 && fx < fnx && fy < fny)
                bins[(size_t)fy * nx + (size_t)fx] += w;
            else
                out += w;
        }
    }
    s->w += sw;
    s->wx += swx;
    s->wy += swy;
    s->wxx += swxx;
    s->wyy += swyy;
    s->w_outside += out;
    s->n += b->n;
    return 0;
}

int analysis_bin(const struct an_pointsrc *src, const struct an_grid *g, int threads, double *bins,
                 struct an_bin_stats *st, struct an_points_info *info, struct cscc_err *err)
{
    struct bin_ctx c;
    struct an_points_query q;
    struct an_pointsrc xy;
    size_t nc = an_grid_ncells(g), i;
    int t, nt = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads, rc = 0;

    memset(&c, 0, sizeof(c));
    memset(st, 0, sizeof(*st));
    c.g = g;
    c.nc = nc;
    memset(bins, 0, nc * sizeof(*bins));
    c.bins[0] = bins;
    for (t = 0; t < nt; t++) {
        if ((t && !(c.bins[t] = cscc_trycalloc(nc, sizeof(double)))) ||
            !(c.count[t] = cscc_trycalloc(nc + 1, sizeof(uint32_t)))) {
            if (!t) {
                rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for a grid of %zu cells", nc);
                goto out;
            }
            cscc_free(c.bins[t]);
            c.bins[t] = NULL;
            nt = t; /* fewer threads, then */
            break;
        }
    }
    rc = an_pointsrc_each(xy_only(src, &q, &xy), nt, bin_cb, &c, info, err);
    for (t = 0; t < nt; t++) {
        bin_flush(&c, t);
        if (t)
            for (i = 0; i < nc; i++)
                bins[i] += c.bins[t][i];
        st->w += c.st[t].w;
        st->wx += c.st[t].wx;
        st->wy += c.st[t].wy;
        st->wxx += c.st[t].wxx;
        st->wyy += c.st[t].wyy;
        st->w_outside += c.st[t].w_outside;
        st->n += c.st[t].n;
    }
out:
    for (t = 0; t < MAX_THREADS; t++) {
        if (t)
            cscc_free(c.bins[t]);
        cscc_free(c.count[t]);
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The median distance from the mean centre                                  */
/* ------------------------------------------------------------------------ */

/*
 * The bins already say roughly where every point is: a point in cell k lies
 * between the cell's nearest and farthest distance from the mean centre. So
 * the bins bound the median to a ring [lo, hi] metres wide about a cell's
 * diagonal, and one more pass needs the exact distance only of the points in
 * that ring (and the weight of those inside it): no sort or histogram of
 * every point's distance.
 */
struct med_ctx {
    double mx, my;             /* absolute coordinates of the mean centre */
    double lo2, hi2;           /* the ring, squared metres */
    double below[MAX_THREADS]; /* weight of the points nearer than lo */
    double *d[MAX_THREADS], *dw[MAX_THREADS];
    size_t nd[MAX_THREADS], cap[MAX_THREADS];
};

/* Collects the distance of a point in the ring (few: about one in fifty). */
static int med_keep(struct med_ctx *c, int thread, double d2, double w)
{
    if (c->nd[thread] == c->cap[thread]) {
        size_t nc = c->cap[thread] ? c->cap[thread] * 2 : 1024;
        double *p = cscc_tryreallocarray(c->d[thread], nc, sizeof(double));
        double *q = p ? cscc_tryreallocarray(c->dw[thread], nc, sizeof(double)) : NULL;

        if (p)
            c->d[thread] = p;
        if (q)
            c->dw[thread] = q;
        if (!p || !q)
            return CSCC_ENOMEM;
        c->cap[thread] = nc;
    }
    c->d[thread][c->nd[thread]] = sqrt(d2);
    c->dw[thread][c->nd[thread]] = w;
    c->nd[thread]++;
    return 0;
}

/* The weight of the points of a block nearer than the ring (in four lane
 * sums); the points in the ring are noted in keep[] and d2s[], their number
 * returned. No branch on a point being nearer (half are: a branch would be
 * mispredicted every other point), one per four points on the ring. */
__attribute__((target_clones("avx2", "default"))) static size_t
med_block(const struct med_ctx *c, const double *bx, const double *by, const double *wt, size_t n,
          double below[4], uint32_t *keep, double *d2s)
{
    const v4d mx = {c->mx, c->mx, c->mx, c->mx}, my = {c->my, c->my, c->my, c->my},
              one = {1, 1, 1, 1};
    const double lo2 = c->lo2, hi2 = c->hi2;
    v4d sum;
    size_t i, l, nk = 0;

    memcpy(&sum, below, sizeof(sum));
    for (i = 0; i + 4 <= n; i += 4) {
        v4d x, y, w = one, d2;
        v4l near, in;

        memcpy(&x, bx + i, sizeof(x));
        memcpy(&y, by + i, sizeof(y));
        if (wt)
            memcpy(&w, wt + i, sizeof(w));
        x -= mx;
        y -= my;
        d2 = x * x + y * y;
        near = d2 < lo2;
        in = (d2 <= hi2) & ~near;
        sum += (v4d)((v4l)w & near);
        if (in[0] | in[1] | in[2] | in[3])
            for (l = 0; l < 4; l++) {
                keep[nk] = (uint32_t)(i + l);
                d2s[nk] = d2[l];
                nk += (size_t)(in[l] & 1);
            }
    }
    memcpy(below, &sum, sizeof(sum));
    for (l = 0; i < n; i++, l++) {
        double dx = bx[i] - c->mx, dy = by[i] - c->my, d2 = dx * dx + dy * dy;

        below[l] += d2 < lo2 ? (wt ? wt[i] : 1.0) : 0.0;
        keep[nk] = (uint32_t)i;
        d2s[nk] = d2;
        nk += (size_t)((d2 >= lo2) & (d2 <= hi2));
    }
    return nk;
}

static int med_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct med_ctx *c = arg;
    double below[4] = {0}, d2s[AN_POINT_BLOCK];
    uint32_t keep[AN_POINT_BLOCK];
    size_t k, nk = med_block(c, b->x, b->y, b->w, b->n, below, keep, d2s);

    for (k = 0; k < nk; k++)
        if (med_keep(c, thread, d2s[k], b->w ? b->w[keep[k]] : 1.0))
            return CSCC_ENOMEM;
    c->below[thread] += (below[0] + below[1]) + (below[2] + below[3]);
    return 0;
}

struct dw {
    double d, w;
};

static int cmp_dw(const void *a, const void *b)
{
    double x = ((const struct dw *)a)->d, y = ((const struct dw *)b)->d;

    return (x > y) - (x < y);
}

/* *d: the distance of the point of rank r (by cumulative weight, 1-based)
 * among the n points of all, after weight cum nearer than all of them; NaN
 * when their weight does not reach r. Linear, not a sort of all: the points
 * go into buckets by distance, and only the bucket that holds rank r is
 * sorted. 0 or CSCC_ENOMEM. */
static int rank_distance(const struct dw *all, size_t n, double cum, double r, double *d)
{
    double dmin = INFINITY, dmax = -INFINITY, scale, *bw;
    size_t nb = n / 8 + 1, k, j, m = 0;
    struct dw *in;

    *d = NAN;
    for (k = 0; k < n; k++) {
        dmin = fmin(dmin, all[k].d);
        dmax = fmax(dmax, all[k].d);
    }
    scale = dmax > dmin ? (double)nb / (dmax - dmin) : 0;
    if (!(bw = cscc_trycalloc(nb, sizeof(*bw))))
        return CSCC_ENOMEM;
#define BUCKET(v) ((size_t)(((v)-dmin) * scale) < nb ? (size_t)(((v)-dmin) * scale) : nb - 1)
    for (k = 0; k < n; k++)
        bw[BUCKET(all[k].d)] += all[k].w;
    for (j = 0; j < nb && cum + bw[j] < r - 1e-9; j++)
        cum += bw[j];
    cscc_free(bw);
    if (j == nb)
        return 0;
    for (k = 0; k < n; k++)
        m += BUCKET(all[k].d) == j;
    if (!(in = cscc_trymalloc((m ? m : 1) * sizeof(*in))))
        return CSCC_ENOMEM;
    for (k = 0, m = 0; k < n; k++)
        if (BUCKET(all[k].d) == j)
            in[m++] = all[k];
#undef BUCKET
    qsort(in, m, sizeof(*in), cmp_dw);
    for (k = 0; k < m; k++) {
        cum += in[k].w;
        *d = in[k].d;
        if (cum >= r - 1e-9)
            break;
    }
    cscc_free(in);
    return 0;
}

/* The ring [*lo, *hi] (whole metres) that holds the distances of ranks r1
 * and r2 (1-based, cumulative weight), from the bins of g and the weight
 * outside the grid (which may be anywhere). *hi is INFINITY when the bins
 * cannot bound it. */
static int median_ring(const struct an_grid *g, const double *bins, double outside, double mx,
                       double my, double r1, double r2, double *lo, double *hi,
                       struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), c, k, nb;
    double *hmin = NULL, *hmax = NULL, cum, far = 0;
    /* a point at a cell's edge may be binned into its neighbour by rounding */
    double pad = 1e-3 + 1e-9 * g->cell;

    for (c = 0; c < 4; c++) {
        double cx = g->x0 + (c & 1 ? (double)g->nx * g->cell : 0) - mx;
        double cy = g->y0 + (c & 2 ? (double)g->ny * g->cell : 0) - my;

        far = fmax(far, sqrt(cx * cx + cy * cy));
    }
    nb = far + pad + 2 < (double)HIST_BINS ? (size_t)(far + pad) + 2 : HIST_BINS;
    hmin = cscc_trycalloc(nb, sizeof(*hmin));
    hmax = cscc_trycalloc(nb, sizeof(*hmax));
    if (!hmin || !hmax) {
        cscc_free(hmin);
        cscc_free(hmax);
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory");
    }
    for (c = 0; c < nc; c++) {
        double x0, x1, y0, y1, nx, ny, fx, fy, dmin, dmax;

        if (bins[c] == 0)
            continue;
        x0 = g->x0 + (double)(c % g->nx) * g->cell - mx;
        y0 = g->y0 + (double)(c / g->nx) * g->cell - my;
        x1 = x0 + g->cell;
        y1 = y0 + g->cell;
        nx = x0 > 0 ? x0 : x1 < 0 ? -x1 : 0;
        ny = y0 > 0 ? y0 : y1 < 0 ? -y1 : 0;
        fx = fmax(fabs(x0), fabs(x1));
        fy = fmax(fabs(y0), fabs(y1));
        dmin = sqrt(nx * nx + ny * ny) - pad;
        dmax = sqrt(fx * fx + fy * fy) + pad;
        k = dmin <= 0 ? 0 : (size_t)dmin; /* floor */
        hmin[k < nb ? k : nb - 1] += bins[c];
        k = (size_t)ceil(dmax);
        hmax[k < nb ? k : nb - 1] += bins[c];
    }
    hmin[0] += outside;
    /* lo: the largest m with weight(lo bounds < m) < r1: fewer than r1 points
     * are nearer than m, so the r1-th is at m or beyond */
    *lo = 0;
    for (k = 0, cum = 0; k < nb; k++) {
        cum += hmin[k]; /* weight with a lower bound < k + 1 */
        if (cum >= r1 - 1e-9)
            break;
        *lo = (double)(k + 1);
    }
    /* hi: the smallest m with weight(upper bounds <= m) >= r2 */
    *hi = INFINITY;
    for (k = 0, cum = 0; k + 1 < nb; k++) {
        cum += hmax[k];
        if (cum >= r2 - 1e-9) {
            *hi = (double)k;
            break;
        }
    }
    cscc_free(hmin);
    cscc_free(hmax);
    return 0;
}

/* Median distance of src's points from (mx, my), given the bins of the
 * points on g (the weight outside g apart). */
static int median_distance(const struct an_pointsrc *src, int nt, const struct an_grid *g,
                           const double *bins, double outside, double mx, double my, double total,
                           int weighted, double *out, struct cscc_err *err)
{
    struct med_ctx c;
    struct an_points_query q;
    struct an_pointsrc xy;
    struct an_points_info info;
    double cum = 0, r1, r2, lo, hi;
    size_t k, t, n = 0, m;
    struct dw *all = NULL;
    int rc;

    memset(&c, 0, sizeof(c));
    c.mx = mx;
    c.my = my;
    /* the ranks wanted (1-based): the middle one or two without weights */
    if (weighted) {
        r1 = r2 = total / 2;
    } else {
        r1 = floor((total + 1) / 2);
        r2 = floor(total / 2) + 1;
    }
    if ((rc = median_ring(g, bins, outside, mx, my, r1, r2, &lo, &hi, err)))
        return rc;
    c.lo2 = lo * lo;
    c.hi2 = hi * hi;
    if ((rc = an_pointsrc_each(xy_only(src, &q, &xy), nt, med_cb, &c, &info, err))) {
        if (rc == CSCC_ENOMEM)
            cscc_err_set(err, CSCC_ENOMEM, "out of memory");
        goto out;
    }
    for (t = 0; t < (size_t)nt; t++) {
        n += c.nd[t];
        cum += c.below[t];
    }
    all = cscc_trymalloc((n + 1) * sizeof(*all));
    if (!all) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory");
        goto out;
    }
    for (t = 0, m = 0; t < (size_t)nt; t++)
        for (k = 0; k < c.nd[t]; k++) {
            all[m].d = c.d[t][k];
            all[m].w = c.dw[t][k];
            m++;
        }
    /* cum is the weight nearer than the ring */
    {
        double a, b;

        if ((rc = rank_distance(all, n, cum, r1, &a)) ||
            (rc = rank_distance(all, n, cum, r2, &b))) {
            cscc_err_set(err, rc, "out of memory");
            goto out;
        }
        if (isnan(b))
            b = a;
        *out = weighted ? a : (a + b) / 2;
    }
out:
    for (t = 0; t < (size_t)nt; t++) {
        cscc_free(c.d[t]);
        cscc_free(c.dw[t]);
    }
    cscc_free(all);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Spreading                                                                 */
/* ------------------------------------------------------------------------ */

struct conv {
    const struct an_grid *g;
    const double *pad; /* bins with r cells of zeros on every side */
    size_t pw;         /* padded width */
    size_t r;
    const double *k;          /* (2r+1)^2 kernel weights, per km^2 */
    const int *span;          /* per stencil row: the half-width of its non-zero run */
    const long *first, *last; /* per padded row: first and last non-zero padded column */
    double *out;
    size_t row0, row1;
};

/* Built for AVX2 as well as the baseline, chosen at run time: this loop is
 * where a kernel density spends its time. */
__attribute__((target_clones("avx2", "default"))) static void conv_run(double *o, const double *ip,
                                                                       double kv, size_t n)
{
    size_t x;

    for (x = 0; x < n; x++)
        o[x] += kv * ip[x];
}

static void *conv_rows(void *arg)
{
    struct conv *c = arg;
    size_t nx = c->g->nx, r = c->r, y;
    long dy, dx;

    for (y = c->row0; y < c->row1; y++) {
        double *o = c->out + y * nx;

        for (dy = -(long)r; dy <= (long)r; dy++) {
            long s = c->span[dy + (long)r];
            const double *in = c->pad + (size_t)((long)(y + r) + dy) * c->pw + r;
            const double *krow = c->k + (size_t)(dy + (long)r) * (2 * r + 1) + r;

            if (s < 0)
                continue;
            {
                /* only the columns this input row can reach */
                long lo = c->first[(long)(y + r) + dy] - (long)r,
                     hi = c->last[(long)(y + r) + dy] - (long)r;

                if (lo > hi)
                    continue;
                lo = lo - s < 0 ? 0 : lo - s;
                hi = hi + s >= (long)nx ? (long)nx - 1 : hi + s;
                for (dx = -s; dx <= s; dx++)
                    conv_run(o + lo, in + dx + lo, krow[dx], (size_t)(hi - lo + 1));
            }
        }
    }
    return NULL;
}

static int spread_binned(const struct an_grid *g, const double *bins, double h, int nt, double *out,
                         struct cscc_err *err)
{
    size_t r = (size_t)ceil(h / g->cell), w = 2 * r + 1, pw = g->nx + 2 * r, y, i;
    double *pad = NULL, *k = NULL;
    long *first = NULL, *last = NULL;
    int *span = NULL, t, started = 0, rc = 0;
    struct conv cv[MAX_THREADS];
    pthread_t tid[MAX_THREADS];

    if (r > MAX_RADIUS)
        return cscc_err_set(err, CSCC_ELIMIT,
                            "a bandwidth of %.0f m spans more than %d cells of %.0f m", h,
                            MAX_RADIUS, g->cell);
    pad = cscc_trycalloc(pw * (g->ny + 2 * r), sizeof(*pad));
    k = cscc_trycalloc(w * w, sizeof(*k));
    span = cscc_trycalloc(w, sizeof(*span));
    if (!pad || !k || !span) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the kernel");
        goto out;
    }
    first = cscc_trymalloc((g->ny + 2 * r) * sizeof(*first));
    last = cscc_trymalloc((g->ny + 2 * r) * sizeof(*last));
    if (!first || !last) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the kernel");
        goto out;
    }
    for (y = 0; y < g->ny + 2 * r; y++) {
        first[y] = (long)pw;
        last[y] = -1;
    }
    for (y = 0; y < g->ny; y++) {
        const double *b = bins + y * g->nx;
        size_t x;

        memcpy(pad + (y + r) * pw + r, b, g->nx * sizeof(*bins));
        for (x = 0; x < g->nx; x++)
            if (b[x] != 0) {
                if ((long)(x + r) < first[y + r])
                    first[y + r] = (long)(x + r);
                last[y + r] = (long)(x + r);
            }
    }
    for (i = 0; i < w; i++) {
        long dy = (long)i - (long)r, dx;

        span[i] = -1;
        for (dx = -(long)r; dx <= (long)r; dx++) {
            double ddx = (double)dx * g->cell, ddy = (double)dy * g->cell;
            double v = analysis_quartic(ddx * ddx + ddy * ddy, h) * 1e6;

            k[i * w + (size_t)(dx + (long)r)] = v;
            if (v > 0 && labs(dx) > span[i])
                span[i] = (int)labs(dx);
        }
    }
    memset(out, 0, an_grid_ncells(g) * sizeof(*out));
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    for (t = 0; t < nt; t++) {
        cv[t].g = g;
        cv[t].pad = pad;
        cv[t].pw = pw;
        cv[t].r = r;
        cv[t].k = k;
        cv[t].span = span;
        cv[t].first = first;
        cv[t].last = last;
        cv[t].out = out;
        cv[t].row0 = g->ny * (size_t)t / (size_t)nt;
        cv[t].row1 = g->ny * (size_t)(t + 1) / (size_t)nt;
    }
    for (t = 1; t < nt; t++) {
        if (pthread_create(&tid[t], NULL, conv_rows, &cv[t]))
            break;
        started++;
    }
    conv_rows(&cv[0]);
    for (t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    for (t = started + 1; t < nt; t++) /* rows of threads that did not start */
        conv_rows(&cv[t]);
out:
    cscc_free(pad);
    cscc_free(k);
    cscc_free(span);
    cscc_free(first);
    cscc_free(last);
    return rc;
}

struct exact_ctx {
    const struct an_grid *g;
    double h;
    double *out[MAX_THREADS];
};

static int exact_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct exact_ctx *c = arg;
    const struct an_grid *g = c->g;
    double *out = c->out[thread], h = c->h, h2 = h * h;
    size_t i;

    for (i = 0; i < b->n; i++) {
        double w = (b->w ? b->w[i] : 1.0) * 1e6, px = b->x[i], py = b->y[i];
        double fx0 = ceil((px - h - g->x0) / g->cell - 0.5),
               fx1 = floor((px + h - g->x0) / g->cell - 0.5);
        double fy0 = ceil((py - h - g->y0) / g->cell - 0.5),
               fy1 = floor((py + h - g->y0) / g->cell - 0.5);
        long x0, x1, y0, y1, x, y;

        if (!(fx1 >= 0 && fy1 >= 0 && fx0 < (double)g->nx && fy0 < (double)g->ny))
            continue;
        x0 = fx0 < 0 ? 0 : (long)fx0;
        y0 = fy0 < 0 ? 0 : (long)fy0;
        x1 = fx1 >= (double)g->nx ? (long)g->nx - 1 : (long)fx1;
        y1 = fy1 >= (double)g->ny ? (long)g->ny - 1 : (long)fy1;
        for (y = y0; y <= y1; y++) {
            double cy = g->y0 + ((double)y + 0.5) * g->cell - py, cy2 = cy * cy;
            double *o = out + (size_t)y * g->nx;

            if (cy2 >= h2)
                continue;
            for (x = x0; x <= x1; x++) {
                double cx = g->x0 + ((double)x + 0.5) * g->cell - px;

                o[x] += w * analysis_quartic(cx * cx + cy2, h);
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The analysis                                                              */
/* ------------------------------------------------------------------------ */

int analysis_kde(const struct an_pointsrc *src, const struct an_grid *g,
                 const struct an_kde_opts *o, struct an_kde *out, struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), i;
    double *bins = NULL;
    struct an_bin_stats st;
    int nt = o->threads < 1 ? 1 : o->threads > MAX_THREADS ? MAX_THREADS : o->threads, rc, t;

    memset(out, 0, sizeof(*out));
    out->g = *g;
    out->n = out->sd = out->dm = NAN;
    if (o->bandwidth < 0 || !isfinite(o->bandwidth))
        return cscc_err_set(err, CSCC_EINVAL, "the bandwidth must be a positive number of metres");
    bins = cscc_trymalloc((nc ? nc : 1) * sizeof(*bins));
    out->density = cscc_trycalloc(nc ? nc : 1, sizeof(double));
    if (!bins || !out->density) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for a grid of %zu cells", nc);
        goto fail;
    }
    /* one pass: the bins (binned method) and the sums of the rule */
    if ((rc = analysis_bin(src, g, nt, bins, &st, &out->info, err)))
        goto fail;
    out->weight = st.w;
    out->weight_outside = st.w_outside;
    if (st.w > 0) {
        out->mean_x = g->x0 + st.wx / st.w;
        out->mean_y = g->y0 + st.wy / st.w;
    }
    out->bandwidth = o->bandwidth;
    if (o->bandwidth == 0) {
        double mx = st.wx / st.w, my = st.wy / st.w;
        double var = fmax(0, st.wxx / st.w - mx * mx) + fmax(0, st.wyy / st.w - my * my);

        out->default_rule = 1;
        if (!(st.w > 0) || st.n < 2) {
            rc = cscc_err_set(err, CSCC_EINVAL,
                              "the default bandwidth needs at least 2 points; give --bandwidth");
            goto fail;
        }
        out->n = st.w;
        out->sd = sqrt(var);
        if ((rc = median_distance(src, nt, g, bins, st.w_outside, out->mean_x, out->mean_y, st.w,
                                  src->pts ? src->pts->w != NULL : src->q->weight != NULL, &out->dm,
                                  err)))
            goto fail;
        out->bandwidth = analysis_kde_default_bandwidth(out->n, out->sd, out->dm);
        if (!(out->bandwidth > 0)) {
            rc = cscc_err_set(err, CSCC_EINVAL,
                              "the default bandwidth is 0 (the points are all at one place); "
                              "give --bandwidth");
            goto fail;
        }
    }
    if (!o->exact) {
        if ((rc = spread_binned(g, bins, out->bandwidth, nt, out->density, err)))
            goto fail;
    } else {
        struct exact_ctx c;
        struct an_points_info info;

        if (ceil(out->bandwidth / g->cell) > MAX_RADIUS) {
            rc = cscc_err_set(err, CSCC_ELIMIT,
                              "a bandwidth of %.0f m spans more than %d cells of %.0f m",
                              out->bandwidth, MAX_RADIUS, g->cell);
            goto fail;
        }
        memset(&c, 0, sizeof(c));
        c.g = g;
        c.h = out->bandwidth;
        c.out[0] = out->density;
        for (t = 1; t < nt; t++)
            if (!(c.out[t] = cscc_trycalloc(nc, sizeof(double)))) {
                nt = t;
                break;
            }
        rc = an_pointsrc_each(src, nt, exact_cb, &c, &info, err);
        for (t = 1; t < nt; t++) {
            for (i = 0; i < nc; i++)
                out->density[i] += c.out[t][i];
            cscc_free(c.out[t]);
        }
        if (rc)
            goto fail;
    }
    cscc_free(bins);
    return 0;
fail:
    cscc_free(bins);
    analysis_kde_release(out);
    return rc;
}

void analysis_kde_release(struct an_kde *k)
{
    cscc_free(k->density);
    k->density = NULL;
}
