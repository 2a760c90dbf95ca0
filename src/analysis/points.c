/* points.c - point selections in metres (see points.h).
 *
 * A scan cuts the rows of the period into chunks (a run of at most CHUNK
 * rows of one row group); thread t of n takes chunks t, t + n, t + 2n, ... and,
 * a block of rows at a time, masks them with the shared filter, converts the
 * kept rows' coordinates and hands the block to the callback. The chunks of
 * a thread are fixed, not taken in turn, so that sums a callback keeps per
 * thread (weights, the moments of a kernel density's bandwidth) add up in the
 * same order on every run: the same data gives the same result, bit for bit. */
#include "core/num.h"
#include "analysis/points.h"

#include "analysis/analysis_int.h"
#include "core/alloc.h"
#include "core/time.h"
#include "geo/proj.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BLOCK   AN_POINT_BLOCK
#define CHUNK   ((size_t)1 << 16)
#define FT_TO_M (1200.0 / 3937.0) /* the US survey foot */

/* ------------------------------------------------------------------------ */
/* CRS                                                                       */
/* ------------------------------------------------------------------------ */

int an_crs_init(struct an_crs *crs, struct store *st, const char *name, struct cscc_err *err)
{
    char buf[64];
    int rc;

    memset(crs, 0, sizeof(*crs));
    if (name) {
        /* Distances, cells and densities are stated in metres: a CRS given
         * in degrees or feet would be labelled wrongly, so it is refused. */
        if (strlen(name) >= sizeof(crs->name))
            return cscc_err_set(err, CSCC_EINVAL,
                                "%.40s... is too long for a CRS name (%zu at most)", name,
                                sizeof(crs->name) - 1);
        if ((rc = geo_crs_check_metres(name, err)))
            return rc;
    }
    if (!name && st && store_get_setting(st, "projected_crs", buf, sizeof(buf), NULL) == 0 &&
        buf[0])
        name = buf;
    if (!name)
        name = AN_DEFAULT_CRS;
    if (strlen(name) >= sizeof(crs->name))
        return cscc_err_set(err, CSCC_EINVAL, "the CRS name '%.80s' is too long", name);
    snprintf(crs->name, sizeof(crs->name), "%s", name);
    crs->state_plane_m = !strcasecmp(crs->name, "EPSG:26971");
    if (!(crs->wgs = geo_proj_new("EPSG:4326", crs->name, err)))
        return err ? err->code : CSCC_EDATA;
    return 0;
}

void an_crs_release(struct an_crs *crs)
{
    geo_proj_free(crs->wgs);
    crs->wgs = NULL;
}

int an_crs_to_wgs84(struct an_crs *crs, double *x, double *y, size_t n)
{
    return geo_proj_inv_n(crs->wgs, x, y, n);
}

int an_crs_from_wgs84(struct an_crs *crs, double *x, double *y, size_t n)
{
    return geo_proj_fwd_n(crs->wgs, x, y, n);
}

/* ------------------------------------------------------------------------ */
/* The scan                                                                  */
/* ------------------------------------------------------------------------ */

int analysis_points_table(const struct an_points_query *q, char *buf, size_t cap,
                          struct cscc_err *err)
{
    size_t i;

    switch (q->source) {
    case AN_SRC_CRIMES: snprintf(buf, cap, "crimes"); return 0;
    case AN_SRC_VICTIMS: snprintf(buf, cap, "victims"); return 0;
    case AN_SRC_LAYER: break;
    }
    if (!q->layer || !q->layer[0] || strlen(q->layer) > 40)
        return cscc_err_set(err, CSCC_EINVAL, "a layer name has 1 to 40 characters");
    for (i = 0; q->layer[i]; i++) {
        unsigned char c = (unsigned char)q->layer[i];

        if (!(islower(c) || isdigit(c) || c == '_' || c == '-'))
            return cscc_err_set(err, CSCC_EINVAL,
                                "'%s' is not a layer name (lowercase letters, digits, _ and -)",
                                q->layer);
    }
    snprintf(buf, cap, "layer_%s", q->layer);
    return 0;
}

struct chunk {
    size_t group, lo, hi;
};

struct scan {
    const struct colstore_table *t;
    const struct an_points_query *q;
    const struct an_crs *crs;
    struct analysis__filter f;
    struct analysis__group_filter *gf; /* per group */
    struct chunk *chunks;
    size_t nchunks;
    size_t nthreads; /* thread t takes chunks t, t + nthreads, ... */
    atomic_int stop;
    int ci_x, ci_y, ci_lat, ci_lon, ci_t, ci_area, ci_w;
    an_points_fn fn;
    void *arg;
    int rc;
    struct cscc_err err;
    pthread_mutex_t mu;
};

struct worker {
    struct scan *s;
    int thread;
    uint64_t selected, no_location, by_factor;
    struct geo_proj *proj;
    double x[BLOCK], y[BLOCK], w[BLOCK];
    int64_t t[BLOCK];
    uint8_t area[BLOCK], mask[BLOCK], keep[BLOCK];
    size_t fix[BLOCK]; /* rows of the block that need PROJ */
    double px[BLOCK], py[BLOCK];
};

static void fail(struct scan *s, int rc, const char *msg)
{
    pthread_mutex_lock(&s->mu);
    if (!s->rc) {
        s->rc = rc;
        if (msg)
            cscc_err_set(&s->err, rc, "%s", msg);
    }
    pthread_mutex_unlock(&s->mu);
    atomic_store(&s->stop, 1);
}

static int parse_weight(const char *p, size_t len, double *w)
{
    char buf[64];

    if (!len || len >= sizeof(buf))
        return -1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return cscc_parse_double(buf, w);
}

/*
 * Moves the n rows of x and y with keep[j] set to the front, in order, and
 * returns their number (nkeep). The rows selected (sel[j]) but not kept go
 * to bad[*nbad]. Few rows dropped (no filter): runs of kept rows are moved
 * whole; else one branch-free pass.
 */
static size_t compact(double *x, double *y, const uint8_t *keep, const uint8_t *sel, size_t n,
                      size_t nkeep, size_t *bad, size_t *nbad)
{
    size_t j = 0, m = 0, nb = 0;

    if (nkeep == n)
        return n;
    if ((n - nkeep) * 16 > n) {
        for (j = 0; j < n; j++) {
            x[m] = x[j];
            y[m] = y[j];
            m += keep[j];
            bad[nb] = j;
            nb += (size_t)(sel[j] & !keep[j]);
        }
    } else {
        while (j < n) {
            const uint8_t *z;
            size_t a;

            for (; j < n && !keep[j]; j++)
                if (sel[j])
                    bad[nb++] = j;
            a = j;
            z = j < n ? memchr(keep + j, 0, n - j) : NULL;
            j = z ? (size_t)(z - keep) : n;
            if (a != m) {
                memmove(x + m, x + a, (j - a) * sizeof(*x));
                memmove(y + m, y + a, (j - a) * sizeof(*y));
            }
            m += j - a;
        }
    }
    *nbad = nb;
    return m;
}

/* One block of rows [lo, lo + n) of group gr. */
static int do_block(struct worker *wk, const struct colstore_group *gr, size_t gi, size_t lo,
                    size_t n)
{
    struct scan *s = wk->s;
    const double *lat = colstore_col_data(colstore_group_col(gr, (size_t)s->ci_lat));
    const double *lon = colstore_col_data(colstore_group_col(gr, (size_t)s->ci_lon));
    const int32_t *xf =
        s->ci_x >= 0 ? colstore_col_data(colstore_group_col(gr, (size_t)s->ci_x)) : NULL;
    const int32_t *yf =
        s->ci_y >= 0 ? colstore_col_data(colstore_group_col(gr, (size_t)s->ci_y)) : NULL;
    const int64_t *tt = colstore_col_data(colstore_group_col(gr, (size_t)s->ci_t));
    const uint8_t *ar = colstore_col_data(colstore_group_col(gr, (size_t)s->ci_area));
    const struct colstore_col *wc = s->ci_w >= 0 ? colstore_group_col(gr, (size_t)s->ci_w) : NULL;
    size_t j, m = 0, nfix = 0, k, sel = 0, nfix_keep = 0;
    struct an_point_block b;

    memset(wk->mask, 1, n);
    analysis__filter_mask(&s->f, gr, &s->gf[gi], lo, n, wk->mask);
    if (xf && s->crs->state_plane_m && !wc && s->q->xy_only && !s->q->keep_unlocated) {
        /* only x and y asked for: nothing else is copied. Every row is
         * converted (a loop the compiler vectorises), then the rows not
         * kept are squeezed out. The selected rows without X/Y (about one
         * in a hundred) are looked up after that, so that their reads of
         * latitude and longitude (a cache miss each) overlap instead of
         * stalling the loop; their points follow the block's others. */
        double *bx = wk->x, *by = wk->y;
        const uint8_t *mk = wk->mask;
        uint8_t *keep = wk->keep;
        size_t *bad = wk->fix, nbad = 0, nkeep = 0, bi;

        for (j = 0; j < n; j++) {
            int32_t xv = xf[lo + j], yv = yf[lo + j];

            bx[j] = (double)xv * FT_TO_M;
            by[j] = (double)yv * FT_TO_M;
            keep[j] = mk[j] & (uint8_t)((xv > 0) & (yv > 0));
            sel += mk[j];
            nkeep += keep[j];
        }
        m = compact(bx, by, keep, mk, n, nkeep, bad, &nbad);
        wk->selected += sel;
        wk->by_factor += m;
        for (bi = 0; bi < nbad; bi++) {
            size_t r = lo + bad[bi];

            if (isfinite(lat[r]) && isfinite(lon[r]) && lat[r] != 0 && lon[r] != 0) {
                bx[m] = lon[r];
                by[m] = lat[r];
                bad[nfix++] = m; /* nfix <= bi: the rows still to read are after it */
                m++;
            } else {
                wk->no_location++;
            }
        }
        goto convert;
    }
    if (xf && s->crs->state_plane_m && !wc) {
        /* the common case, without branches on the data but for the rare
         * row without X/Y: State Plane feet to metres */
        for (j = 0; j < n; j++) {
            size_t r = lo + j;
            int32_t xv = xf[r], yv = yf[r];
            int ok = wk->mask[j] & (xv > 0) & (yv > 0);

            wk->x[m] = (double)xv * FT_TO_M;
            wk->y[m] = (double)yv * FT_TO_M;
            wk->t[m] = tt[r];
            wk->area[m] = ar[r];
            sel += wk->mask[j];
            m += (size_t)ok;
            if (wk->mask[j] && !ok) {
                if (isfinite(lat[r]) && isfinite(lon[r]) && lat[r] != 0 && lon[r] != 0) {
                    wk->x[m] = lon[r];
                    wk->y[m] = lat[r];
                    wk->t[m] = tt[r];
                    wk->area[m] = ar[r];
                    wk->fix[nfix++] = m;
                    m++;
                } else {
                    wk->no_location++;
                    if (s->q->keep_unlocated) {
                        wk->x[m] = wk->y[m] = NAN;
                        wk->t[m] = tt[r];
                        wk->area[m] = ar[r];
                        m++;
                        nfix_keep++;
                    }
                }
            }
        }
        wk->selected += sel;
        wk->by_factor += m - nfix - nfix_keep;
        goto convert;
    }
    for (j = 0; j < n; j++) {
        size_t r = lo + j;

        if (!wk->mask[j])
            continue;
        wk->selected++;
        if (wc) {
            size_t len;
            const char *p = colstore_col_str(wc, r, &len);

            if (parse_weight(p, len, &wk->w[m])) {
                wk->no_location++;
                continue;
            }
        }
        if (xf && s->crs->state_plane_m && xf[r] != COLSTORE_NULL_I32 &&
            yf[r] != COLSTORE_NULL_I32 && xf[r] > 0 && yf[r] > 0) {
            wk->x[m] = (double)xf[r] * FT_TO_M;
            wk->y[m] = (double)yf[r] * FT_TO_M;
            wk->by_factor++;
        } else if (isfinite(lat[r]) && isfinite(lon[r]) && lat[r] != 0 && lon[r] != 0) {
            wk->x[m] = lon[r];
            wk->y[m] = lat[r];
            wk->fix[nfix++] = m;
        } else {
            wk->no_location++;
            if (!s->q->keep_unlocated)
                continue;
            wk->x[m] = wk->y[m] = NAN;
        }
        wk->t[m] = tt[r];
        wk->area[m] = ar[r];
        m++;
    }
convert:
    if (nfix) {
        struct cscc_err e;

        if (!wk->proj && !(wk->proj = geo_proj_new("EPSG:4326", s->crs->name, &e))) {
            fail(s, e.code ? e.code : CSCC_EDATA, e.msg);
            return s->rc;
        }
        for (k = 0; k < nfix; k++) {
            wk->px[k] = wk->x[wk->fix[k]];
            wk->py[k] = wk->y[wk->fix[k]];
        }
        geo_proj_fwd_n(wk->proj, wk->px, wk->py, nfix);
        for (k = 0; k < nfix; k++) {
            wk->x[wk->fix[k]] = wk->px[k];
            wk->y[wk->fix[k]] = wk->py[k];
        }
        /* points PROJ could not convert (NaN) are left out */
        for (j = k = 0; j < m; j++) {
            if (!isfinite(wk->x[j]) || !isfinite(wk->y[j])) {
                int fixed = 0;

                for (size_t f = 0; f < nfix && !fixed; f++)
                    fixed = wk->fix[f] == j;
                if (fixed) /* PROJ could not convert it */
                    wk->no_location++;
                if (!s->q->keep_unlocated)
                    continue;
                wk->x[j] = wk->y[j] = NAN;
            }
            wk->x[k] = wk->x[j];
            wk->y[k] = wk->y[j];
            wk->t[k] = wk->t[j];
            wk->area[k] = wk->area[j];
            wk->w[k] = wk->w[j];
            k++;
        }
        m = k;
    }
    if (!m)
        return 0;
    b.n = m;
    b.x = wk->x;
    b.y = wk->y;
    b.t = wk->t;
    b.area = wk->area;
    b.w = wc ? wk->w : NULL;
    return s->fn(s->arg, wk->thread, &b);
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct scan *s = wk->s;

    size_t c;

    for (c = (size_t)wk->thread; c < s->nchunks && !atomic_load(&s->stop); c += s->nthreads) {
        const struct chunk *ch;
        const struct colstore_group *gr;
        size_t b;

        ch = &s->chunks[c];
        gr = colstore_group_at(s->t, ch->group);
        for (b = ch->lo; b < ch->hi && !atomic_load(&s->stop); b += BLOCK) {
            size_t n = ch->hi - b < BLOCK ? ch->hi - b : BLOCK;
            int rc = do_block(wk, gr, ch->group, b, n);

            if (rc) {
                fail(s, rc, NULL);
                break;
            }
        }
    }
    return NULL;
}

static int need_col(const struct colstore_table *t, const char *name, enum colstore_type type,
                    const char *src, struct cscc_err *err)
{
    int ci = colstore_col_index(t, name);

    if (ci < 0 || colstore_schema_type(t, (size_t)ci) != type)
        return cscc_err_set(err, CSCC_EDATA, "the %s table has no %s column", src, name);
    return ci;
}

int analysis_points_scan(const struct colstore_table *t, struct store *st,
                         const struct an_points_query *q, const struct an_crs *crs, int threads,
                         an_points_fn fn, void *arg, struct an_points_info *info,
                         struct cscc_err *err)
{
    struct scan *s = cscc_xcalloc(1, sizeof(*s));
    struct worker **wk = NULL;
    pthread_t tid[16];
    size_t gi, ng = colstore_ngroups(t), cap = 0, i;
    int rc = 0, nt, started = 0;
    char tname[64];
    struct strbuf warn;

    memset(info, 0, sizeof(*info));
    pthread_mutex_init(&s->mu, NULL);
    s->t = t;
    s->q = q;
    s->crs = crs;
    s->fn = fn;
    s->arg = arg;
    s->ci_x = s->ci_y = s->ci_w = -1;
    if ((rc = analysis_points_table(q, tname, sizeof(tname), err)))
        goto out;
    snprintf(info->source, sizeof(info->source), "%s",
             q->source == AN_SRC_LAYER ? "layer:" : tname);
    if (q->source == AN_SRC_LAYER)
        snprintf(info->source, sizeof(info->source), "layer:%s", q->layer);
    if (q->source != AN_SRC_CRIMES && (q->f.ntypes || q->f.nfbi || q->f.category)) {
        rc = cscc_err_set(err, CSCC_EINVAL,
                          "--type, --fbi and --category select crimes; the %s table takes only "
                          "--from, --to, --area and --priority",
                          info->source);
        goto out;
    }
    if (q->weight && q->source != AN_SRC_LAYER) {
        rc = cscc_err_set(err, CSCC_EINVAL, "weights come from a layer's column (--layer)");
        goto out;
    }
    if ((s->ci_t = need_col(t, "date", COLSTORE_I64, info->source, err)) < 0 ||
        (s->ci_lat = need_col(t, "latitude", COLSTORE_F64, info->source, err)) < 0 ||
        (s->ci_lon = need_col(t, "longitude", COLSTORE_F64, info->source, err)) < 0 ||
        (s->ci_area = need_col(t, "community_area", COLSTORE_U8, info->source, err)) < 0) {
        rc = CSCC_EDATA;
        goto out;
    }
    if (q->source == AN_SRC_CRIMES) {
        s->ci_x = colstore_col_index(t, "x_coordinate");
        s->ci_y = colstore_col_index(t, "y_coordinate");
        if (s->ci_x < 0 || s->ci_y < 0 ||
            colstore_schema_type(t, (size_t)s->ci_x) != COLSTORE_I32 ||
            colstore_schema_type(t, (size_t)s->ci_y) != COLSTORE_I32)
            s->ci_x = s->ci_y = -1;
    }
    if (q->weight) {
        char col[COLSTORE_NAME_MAX + 1];
        size_t k, o = 0;

        /* layer columns are stored under sanitised names ("Num Units" -> num_units) */
        for (k = 0; q->weight[k] && o + 1 < sizeof(col); k++) {
            unsigned char c = (unsigned char)q->weight[k];

            col[o++] = isalnum(c) ? (char)tolower(c) : '_';
        }
        col[o] = '\0';
        s->ci_w = colstore_col_index(t, col);
        if (s->ci_w < 0 || colstore_schema_type(t, (size_t)s->ci_w) != COLSTORE_STR) {
            rc = cscc_err_set(err, CSCC_EINVAL, "the %s table has no column '%s' for weights",
                              info->source, q->weight);
            goto out;
        }
    }
    if ((rc = analysis__filter_init(&s->f, t, st, &q->f, err)))
        goto out;
    info->first_day = s->f.first_day;
    info->last_day = s->f.last_day;
    info->generation = colstore_generation(t);
    snprintf(info->fbi_list, sizeof(info->fbi_list), "%s", s->f.fbi_list);
    s->gf = cscc_xcalloc(ng ? ng : 1, sizeof(*s->gf));
    for (gi = 0; gi < ng; gi++) {
        const struct colstore_group *gr = colstore_group_at(t, gi);
        size_t lo, hi, c;

        analysis__filter_group(&s->f, gr, &s->gf[gi]);
        if (!q->f.has_from && !q->f.has_to) {
            /* no period asked: every row, those without a date too (a layer of
             * licences has none) */
            lo = 0;
            hi = colstore_group_nrows(gr);
        } else {
            if (s->f.first_day > s->f.last_day)
                continue;
            colstore_group_day_rows(gr, s->f.first_day, s->f.last_day, &lo, &hi);
        }
        info->rows_in_period += hi - lo;
        for (c = lo; c < hi; c += CHUNK) {
            if (s->nchunks == cap) {
                cap = cap ? cap * 2 : 64;
                s->chunks = cscc_xrealloc(s->chunks, cap * sizeof(*s->chunks));
            }
            s->chunks[s->nchunks].group = gi;
            s->chunks[s->nchunks].lo = c;
            s->chunks[s->nchunks].hi = hi - c < CHUNK ? hi : c + CHUNK;
            s->nchunks++;
        }
    }
    nt = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    if ((size_t)nt > s->nchunks)
        nt = s->nchunks ? (int)s->nchunks : 1;
    wk = cscc_xcalloc((size_t)nt, sizeof(*wk));
    for (i = 0; i < (size_t)nt; i++) {
        if (!(wk[i] = cscc_trycalloc(1, sizeof(**wk)))) {
            rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory");
            goto out;
        }
        wk[i]->s = s;
        wk[i]->thread = (int)i;
    }
    s->nthreads = (size_t)nt;
    for (i = 1; i < (size_t)nt; i++) {
        if (pthread_create(&tid[i], NULL, worker_main, wk[i]))
            break;
        started++;
    }
    worker_main(wk[0]);
    for (i = 1; i <= (size_t)started; i++)
        pthread_join(tid[i], NULL);
    for (i = (size_t)started + 1; i < (size_t)nt;
         i++) /* the chunks of threads that did not start */
        worker_main(wk[i]);
    for (i = 0; i < (size_t)nt; i++) {
        info->rows_selected += wk[i]->selected;
        info->rows_no_location += wk[i]->no_location;
        info->by_factor += wk[i]->by_factor;
    }
    info->points = info->rows_selected - info->rows_no_location;
    strbuf_init(&warn, 0);
    analysis__filter_warnings(&s->f, &warn);
    snprintf(info->warnings, sizeof(info->warnings), "%s", warn.len ? warn.buf : "");
    strbuf_release(&warn);
    if (s->rc) {
        rc = s->rc;
        if (s->err.code && err)
            *err = s->err;
    }
out:
    if (wk) {
        for (i = 0; i < (size_t)nt; i++) {
            if (wk[i])
                geo_proj_free(wk[i]->proj);
            cscc_free(wk[i]);
        }
    }
    cscc_free(wk);
    if (s->gf)
        for (gi = 0; gi < ng; gi++)
            analysis__filter_group_release(&s->gf[gi]);
    cscc_free(s->gf);
    cscc_free(s->chunks);
    pthread_mutex_destroy(&s->mu);
    cscc_free(s);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */

struct loader {
    struct an_points *p;
    size_t cap;
    int weighted;
};

static int load_cb(void *arg, int thread, const struct an_point_block *b)
{
    struct loader *l = arg;
    struct an_points *p = l->p;

    (void)thread;
    if (p->n + b->n > l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 65536;
        double *x, *y, *w = NULL;
        int64_t *t;
        uint8_t *a;

        while (nc < p->n + b->n)
            nc *= 2;
        x = cscc_tryreallocarray(p->x, nc, sizeof(*x));
        if (x)
            p->x = x;
        y = cscc_tryreallocarray(p->y, nc, sizeof(*y));
        if (y)
            p->y = y;
        t = cscc_tryreallocarray(p->t, nc, sizeof(*t));
        if (t)
            p->t = t;
        a = cscc_tryreallocarray(p->area, nc, 1);
        if (a)
            p->area = a;
        if (b->w || p->w) {
            w = cscc_tryreallocarray(p->w, nc, sizeof(*w));
            if (w)
                p->w = w;
        }
        if (!x || !y || !t || !a || ((b->w || p->w) && !w))
            return CSCC_ENOMEM;
        l->cap = nc;
    }
    memcpy(p->x + p->n, b->x, b->n * sizeof(double));
    memcpy(p->y + p->n, b->y, b->n * sizeof(double));
    memcpy(p->t + p->n, b->t, b->n * sizeof(int64_t));
    memcpy(p->area + p->n, b->area, b->n);
    if (b->w)
        memcpy(p->w + p->n, b->w, b->n * sizeof(double));
    p->n += b->n;
    return 0;
}

int analysis_points_load(const struct colstore_table *t, struct store *st,
                         const struct an_points_query *q, const struct an_crs *crs,
                         struct an_points *p, struct cscc_err *err)
{
    struct loader l;
    int rc;

    memset(p, 0, sizeof(*p));
    memset(&l, 0, sizeof(l));
    l.p = p;
    rc = analysis_points_scan(t, st, q, crs, 1, load_cb, &l, &p->info, err);
    if (rc == CSCC_ENOMEM && !err->code)
        cscc_err_set(err, CSCC_ENOMEM, "out of memory for %llu points",
                     (unsigned long long)p->info.points);
    if (rc) {
        struct an_points_info keep = p->info;

        an_points_release(p);
        p->info = keep;
    }
    return rc;
}

struct mem_scan {
    const struct an_points *p;
    size_t nthreads; /* thread t takes blocks t, t + nthreads, ... (as a scan's chunks) */
    atomic_int stop;
    an_points_fn fn;
    void *arg;
    int rc;
};

struct mem_worker {
    struct mem_scan *s;
    int thread;
};

static void *mem_main(void *arg)
{
    struct mem_worker *w = arg;
    struct mem_scan *s = w->s;

    size_t b;

    for (b = (size_t)w->thread * BLOCK; b < s->p->n && !atomic_load(&s->stop);
         b += s->nthreads * BLOCK) {
        struct an_point_block blk;
        int rc;

        blk.n = s->p->n - b < BLOCK ? s->p->n - b : BLOCK;
        blk.x = s->p->x + b;
        blk.y = s->p->y + b;
        blk.t = s->p->t + b;
        blk.area = s->p->area + b;
        blk.w = s->p->w ? s->p->w + b : NULL;
        if ((rc = s->fn(s->arg, w->thread, &blk))) {
            s->rc = rc; /* only this thread's; the first to stop wins below */
            atomic_store(&s->stop, 1);
        }
    }
    return NULL;
}

int an_pointsrc_each(const struct an_pointsrc *src, int threads, an_points_fn fn, void *arg,
                     struct an_points_info *info, struct cscc_err *err)
{
    struct mem_scan s;
    struct mem_worker w[16];
    pthread_t tid[16];
    int nt, i, started = 0;

    if (!src->pts)
        return analysis_points_scan(src->t, src->st, src->q, src->crs, threads, fn, arg, info, err);
    *info = src->pts->info;
    memset(&s, 0, sizeof(s));
    s.p = src->pts;
    s.fn = fn;
    s.arg = arg;
    nt = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    for (i = 0; i < nt; i++) {
        w[i].s = &s;
        w[i].thread = i;
    }
    s.nthreads = (size_t)nt;
    for (i = 1; i < nt; i++) {
        if (pthread_create(&tid[i], NULL, mem_main, &w[i]))
            break;
        started++;
    }
    mem_main(&w[0]);
    for (i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
    for (i = started + 1; i < nt; i++) /* the blocks of threads that did not start */
        mem_main(&w[i]);
    return s.rc;
}

void an_points_release(struct an_points *p)
{
    cscc_free(p->x);
    cscc_free(p->y);
    cscc_free(p->t);
    cscc_free(p->area);
    cscc_free(p->w);
    memset(p, 0, sizeof(*p));
}

void analysis_points_describe(const struct an_points_info *info, const struct an_points_query *q,
                              const struct an_crs *crs, struct an_result *r)
{
    char a[16], b[16];
    size_t i;

    an_data(r, "source", "%s", info->source);
    an_data_num(r, "generation", (double)info->generation);
    if (info->first_day <= info->last_day) {
        cscc_format_day(info->first_day, a);
        cscc_format_day(info->last_day, b);
        an_data(r, "from", "%s", a);
        an_data(r, "to", "%s", b);
    }
    an_data(r, "timezone", "America/Chicago");
    if (q->f.category)
        an_data(r, "category", "%s", q->f.category);
    if (info->fbi_list[0])
        an_data(r, "fbi_codes", "%s", info->fbi_list);
    if (q->f.ntypes) {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        for (i = 0; i < q->f.ntypes; i++)
            strbuf_addf(&sb, "%s%s", i ? "|" : "", q->f.types[i]);
        an_data(r, "types", "%s", sb.buf);
        strbuf_release(&sb);
    }
    if (q->f.nareas) {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        for (i = 0; i < q->f.nareas; i++)
            strbuf_addf(&sb, "%s%d", i ? " " : "", q->f.areas[i]);
        an_data(r, "areas", "%s", sb.buf);
        strbuf_release(&sb);
    }
    if (q->f.priority)
        an_data(r, "priority_areas", "ocos");
    if (q->weight)
        an_data(r, "weight_column", "%s", q->weight);
    an_data_num(r, "rows_in_period", (double)info->rows_in_period);
    an_data_num(r, "rows_selected", (double)info->rows_selected);
    an_data_num(r, "rows_without_location", (double)info->rows_no_location);
    an_data_num(r, "points", (double)info->points);
    an_data(r, "crs", "%s", crs->name);
    an_data(r, "coordinates", "%s",
            info->by_factor == info->points && info->points ? "State Plane feet x 1200/3937"
            : info->by_factor ? "State Plane feet x 1200/3937, else latitude/longitude via PROJ"
                              : "latitude/longitude via PROJ");
    if (info->warnings[0])
        an_warn(r, "%s", info->warnings);
    if (info->rows_no_location)
        an_warn(r, "%llu selected rows have no usable location and are left out",
                (unsigned long long)info->rows_no_location);
}
