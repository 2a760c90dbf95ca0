/* knox.c - the Knox test with the Near Repeat Calculator's bands (see knox.h). */
#include "analysis/knox.h"

#include "analysis/rng.h"
#include "core/alloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct pair {
    uint32_t i, j;
};

struct knox_ctx {
    const struct an_knox_opts *o;
    size_t n;
    const int32_t *day;  /* days from the first */
    struct pair *pairs;  /* close pairs, grouped by space band (band_off) */
    size_t band_off[66]; /* rows 0 .. S, offsets into pairs */
    int rows, cols, nspace;
    const uint8_t *tband; /* day difference -> column, for differences up to maxd */
    int32_t maxd;
    uint64_t *sims; /* iterations * rows * cols (close rows only) */
    int next;
    pthread_mutex_t mu;
};

static void count_close(const struct knox_ctx *c, const int32_t *day, uint64_t *cnt)
{
    int s;

    for (s = 0; s < c->nspace; s++) {
        uint64_t h[64] = {0};
        size_t k;
        int col;

        for (k = c->band_off[s]; k < c->band_off[s + 1]; k++) {
            int32_t d = day[c->pairs[k].i] - day[c->pairs[k].j];

            d = d < 0 ? -d : d;
            h[c->tband[d > c->maxd ? c->maxd : d]]++;
        }
        for (col = 0; col < c->cols; col++)
            cnt[s * c->cols + col] = h[col];
    }
}

static void *perm_main(void *arg)
{
    struct knox_ctx *c = arg;
    int32_t *day = cscc_xmalloc(c->n * sizeof(*day));

    for (;;) {
        struct an_rng rng;
        int it;
        size_t i;

        pthread_mutex_lock(&c->mu);
        it = c->next++;
        pthread_mutex_unlock(&c->mu);
        if (it >= c->o->iterations)
            break;
        memcpy(day, c->day, c->n * sizeof(*day));
        an_rng_init(&rng, c->o->seed, (uint64_t)it + 1);
        for (i = c->n - 1; i > 0; i--) {
            size_t j = (size_t)an_rng_below(&rng, i + 1);
            int32_t t = day[i];

            day[i] = day[j];
            day[j] = t;
        }
        count_close(c, day, c->sims + (size_t)it * (size_t)(c->nspace * c->cols));
    }
    cscc_free(day);
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

struct pt {
    double x, y;
    uint32_t idx;
    uint32_t cell;
};

static int cmp_cell(const void *a, const void *b)
{
    const struct pt *p = a, *q = b;

    if (p->cell != q->cell)
        return p->cell < q->cell ? -1 : 1;
    return (p->idx > q->idx) - (p->idx < q->idx);
}

int analysis_knox(const double *x, const double *y, const int64_t *day, size_t n,
                  const struct an_knox_opts *o, struct an_knox *out, struct cscc_err *err)
{
    struct knox_ctx c;
    int S = o->space_bands, T = o->time_bands, rows = S + 2, cols = T + 1, s, col, t;
    double maxd = o->space_band * S, minx = INFINITY, miny = INFINITY, maxx = -INFINITY,
           maxy = -INFINITY;
    int64_t dmin = INT64_MAX, dmax = INT64_MIN;
    size_t i, nx, ny, *cellstart = NULL, npairs = 0, cap = 0;
    struct pt *pts = NULL;
    int32_t *rday = NULL;
    uint8_t *tband = NULL;
    uint64_t *dayhist = NULL, *colpairs = NULL;
    struct pair *pairs[66] = {NULL};
    size_t npb[66] = {0}, capb[66] = {0};
    pthread_t tid[16];
    int rc = 0, nt, started = 0;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    if (!(o->space_band > 0) || S < 1 || S > 64 || o->time_band < 1 || T < 1 || T > 63 ||
        o->iterations < 1 || o->iterations > 100000)
        return cscc_err_set(err, CSCC_EINVAL,
                            "Knox bands: a space band above 0 m, 1 to 64 space bands, a time band "
                            "of 1 day or more, 1 to 63 time bands, 1 to 100000 iterations");
    if (n < 2 || n > UINT32_MAX)
        return cscc_err_set(err, CSCC_EINVAL, "the Knox test needs at least 2 events (%zu given)",
                            n);
    for (i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return cscc_err_set(err, CSCC_EINVAL, "event %zu has no location", i);
        minx = fmin(minx, x[i]);
        miny = fmin(miny, y[i]);
        maxx = fmax(maxx, x[i]);
        maxy = fmax(maxy, y[i]);
        dmin = day[i] < dmin ? day[i] : dmin;
        dmax = day[i] > dmax ? day[i] : dmax;
    }
    if (dmax - dmin > INT32_MAX / 2)
        return cscc_err_set(err, CSCC_EINVAL, "the events span too many days");
    out->rows = rows;
    out->cols = cols;
    out->events = n;
    out->pairs = (uint64_t)n * (n - 1) / 2;
    /* day difference -> column */
    c.maxd = (int32_t)T * o->time_band + 1;
    tband = cscc_xmalloc((size_t)c.maxd + 1);
    for (t = 0; t <= c.maxd; t++) {
        if (o->nrc_intervals) /* [k t, (k+1) t) */
            tband[t] = (uint8_t)(t / o->time_band > T ? T : t / o->time_band);
        else /* [0, t], then (k t, (k+1) t] */
            tband[t] = (uint8_t)(t <= o->time_band      ? 0
                                 : t > T * o->time_band ? T
                                                        : (t - 1) / o->time_band);
    }
    rday = cscc_trymalloc(n * sizeof(*rday));
    pts = cscc_trymalloc(n * sizeof(*pts));
    if (!rday || !pts) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu events", n);
        goto out;
    }
    for (i = 0; i < n; i++)
        rday[i] = (int32_t)(day[i] - dmin);
    /* grid of cells of the largest distance: close pairs are in neighbouring cells */
    {
        double cell = maxd > 0 ? maxd : 1;

        nx = (size_t)fmin(floor((maxx - minx) / cell) + 1, 65535);
        ny = (size_t)fmin(floor((maxy - miny) / cell) + 1, 65535);
        cell = fmax(cell, fmax((maxx - minx) / (double)nx, (maxy - miny) / (double)ny) * 1.0000001);
        for (i = 0; i < n; i++) {
            size_t cx = (size_t)((x[i] - minx) / cell), cy = (size_t)((y[i] - miny) / cell);

            cx = cx >= nx ? nx - 1 : cx;
            cy = cy >= ny ? ny - 1 : cy;
            pts[i].x = x[i];
            pts[i].y = y[i];
            pts[i].idx = (uint32_t)i;
            pts[i].cell = (uint32_t)(cy * nx + cx);
        }
    }
    if (nx * ny > ((size_t)1 << 31)) {
        rc = cscc_err_set(err, CSCC_ELIMIT, "the events spread over too many %g m cells", maxd);
        goto out;
    }
    qsort(pts, n, sizeof(*pts), cmp_cell);
    cellstart = cscc_trycalloc(nx * ny + 1, sizeof(*cellstart));
    if (!cellstart) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the event grid");
        goto out;
    }
    for (i = 0; i < n; i++)
        cellstart[pts[i].cell + 1]++;
    for (i = 0; i < nx * ny; i++)
        cellstart[i + 1] += cellstart[i];
    /* close pairs, each once: the same cell (later points) and four of the
     * eight neighbouring cells */
    for (i = 0; i < n; i++) {
        size_t cx = pts[i].cell % nx, cy = pts[i].cell / nx;
        static const int nbx[5] = {0, 1, -1, 0, 1}, nby[5] = {0, 0, 1, 1, 1};
        int q;

        for (q = 0; q < 5; q++) {
            long xx = (long)cx + nbx[q], yy = (long)cy + nby[q];
            size_t cc, k, k0;

            if (xx < 0 || yy < 0 || xx >= (long)nx || yy >= (long)ny)
                continue;
            cc = (size_t)yy * nx + (size_t)xx;
            k0 = q == 0 ? i + 1 : cellstart[cc];
            for (k = k0; k < cellstart[cc + 1]; k++) {
                double dx = fabs(pts[k].x - pts[i].x), dy = fabs(pts[k].y - pts[i].y);
                double d = o->manhattan ? dx + dy : sqrt(dx * dx + dy * dy);
                int b;

                if (o->nrc_intervals) { /* exactly 0, then [(k-1) b, k b) */
                    if (d >= maxd)
                        continue;
                    b = d == 0 ? 0 : (int)floor(d / o->space_band) + 1;
                } else { /* exactly 0, then ((k-1) b, k b] */
                    if (d > maxd)
                        continue;
                    b = d == 0 ? 0 : (int)ceil(d / o->space_band);
                }
                if (b < 1 && d > 0 && !o->nrc_intervals)
                    b = 1;
                if (b > S)
                    b = S;
                if (npb[b] == capb[b]) {
                    size_t nc = capb[b] ? capb[b] * 2 : 4096;
                    struct pair *np = cscc_tryreallocarray(pairs[b], nc, sizeof(*np));

                    if (!np) {
                        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for the close pairs");
                        goto out;
                    }
                    pairs[b] = np;
                    capb[b] = nc;
                }
                pairs[b][npb[b]].i = pts[i].idx;
                pairs[b][npb[b]].j = pts[k].idx;
                npb[b]++;
                if (++npairs > AN_KNOX_MAX_PAIRS) {
                    rc = cscc_err_set(err, CSCC_ELIMIT,
                                      "more than %zu pairs of events lie within %g m; choose "
                                      "fewer events or smaller bands",
                                      AN_KNOX_MAX_PAIRS, maxd);
                    goto out;
                }
            }
        }
    }
    out->close_pairs = npairs;
    /* one array grouped by band, in the order found (deterministic) */
    c.pairs = cscc_trymalloc((npairs + 1) * sizeof(*c.pairs));
    if (!c.pairs) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu pairs", npairs);
        goto out;
    }
    for (s = 0; s <= S; s++) {
        c.band_off[s + 1] = c.band_off[s] + npb[s];
        if (npb[s])
            memcpy(c.pairs + c.band_off[s], pairs[s], npb[s] * sizeof(*c.pairs));
        cscc_free(pairs[s]);
        pairs[s] = NULL;
    }
    (void)cap;
    /* pairs of every distance by time band: from the events per day */
    {
        size_t span = (size_t)(dmax - dmin) + 1, d, e;

        dayhist = cscc_trycalloc(span, sizeof(*dayhist));
        colpairs = cscc_xcalloc((size_t)cols, sizeof(*colpairs));
        if (!dayhist) {
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory");
            goto out;
        }
        for (i = 0; i < n; i++)
            dayhist[rday[i]]++;
        for (d = 0; d < span; d++) {
            uint64_t cd = dayhist[d];

            if (!cd)
                continue;
            colpairs[0] += cd * (cd - 1) / 2;
            for (e = d + 1; e < span && e - d <= (size_t)(T * o->time_band); e++)
                colpairs[tband[e - d]] += cd * dayhist[e];
        }
        {
            uint64_t near = 0;

            for (col = 0; col < T; col++)
                near += colpairs[col];
            colpairs[T] = out->pairs - near;
        }
    }
    c.o = o;
    c.n = n;
    c.day = rday;
    c.rows = rows;
    c.cols = cols;
    c.nspace = S + 1;
    c.tband = tband;
    out->observed = cscc_xcalloc((size_t)(rows * cols), sizeof(uint64_t));
    count_close(&c, rday, out->observed);
    for (col = 0; col < cols; col++) {
        uint64_t close = 0;

        for (s = 0; s <= S; s++)
            close += out->observed[s * cols + col];
        out->observed[(S + 1) * cols + col] = colpairs[col] - close;
    }
    /* the permutations */
    c.sims = cscc_trycalloc((size_t)o->iterations * (size_t)((S + 1) * cols), sizeof(uint64_t));
    if (!c.sims) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %d iterations", o->iterations);
        goto out;
    }
    pthread_mutex_init(&c.mu, NULL);
    nt = o->threads < 1 ? 1 : o->threads > 16 ? 16 : o->threads;
    for (t = 1; t < nt; t++) {
        if (pthread_create(&tid[t], NULL, perm_main, &c))
            break;
        started++;
    }
    perm_main(&c);
    for (t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&c.mu);
    out->mean = cscc_xcalloc((size_t)(rows * cols), sizeof(double));
    out->median = cscc_xcalloc((size_t)(rows * cols), sizeof(double));
    out->ratio = cscc_xcalloc((size_t)(rows * cols), sizeof(double));
    out->p = cscc_xcalloc((size_t)(rows * cols), sizeof(double));
    out->min = cscc_xcalloc((size_t)(rows * cols), sizeof(uint64_t));
    out->max = cscc_xcalloc((size_t)(rows * cols), sizeof(uint64_t));
    {
        uint64_t *v = cscc_xcalloc((size_t)o->iterations, sizeof(uint64_t));

        for (s = 0; s < rows; s++)
            for (col = 0; col < cols; col++) {
                size_t cell = (size_t)(s * cols + col), it;
                double sum = 0;
                uint64_t ge = 0;

                for (it = 0; it < (size_t)o->iterations; it++) {
                    uint64_t sc;

                    if (s <= S) {
                        sc = c.sims[it * (size_t)((S + 1) * cols) + cell];
                    } else { /* the far row: what the close rows leave */
                        uint64_t close = 0;
                        int s2;

                        for (s2 = 0; s2 <= S; s2++)
                            close +=
                                c.sims[it * (size_t)((S + 1) * cols) + (size_t)(s2 * cols + col)];
                        sc = colpairs[col] - close;
                    }
                    v[it] = sc;
                    sum += (double)sc;
                    ge += sc >= out->observed[cell];
                }
                qsort(v, (size_t)o->iterations, sizeof(*v), cmp_u64);
                out->mean[cell] = sum / o->iterations;
                out->median[cell] =
                    o->iterations % 2
                        ? (double)v[o->iterations / 2]
                        : ((double)v[o->iterations / 2 - 1] + (double)v[o->iterations / 2]) / 2;
                out->min[cell] = v[0];
                out->max[cell] = v[o->iterations - 1];
                out->ratio[cell] =
                    out->mean[cell] > 0 ? (double)out->observed[cell] / out->mean[cell] : NAN;
                out->p[cell] = (double)(1 + ge) / (o->iterations + 1);
            }
        cscc_free(v);
    }
out:
    for (s = 0; s < 66; s++)
        cscc_free(pairs[s]);
    cscc_free(c.pairs);
    cscc_free(c.sims);
    cscc_free(pts);
    cscc_free(rday);
    cscc_free(tband);
    cscc_free(cellstart);
    cscc_free(dayhist);
    cscc_free(colpairs);
    if (rc)
        analysis_knox_release(out);
    return rc;
}

void analysis_knox_release(struct an_knox *k)
{
    cscc_free(k->observed);
    cscc_free(k->mean);
    cscc_free(k->median);
    cscc_free(k->ratio);
    cscc_free(k->p);
    cscc_free(k->min);
    cscc_free(k->max);
    memset(k, 0, sizeof(*k));
}
