/* pai.c - Predictive Accuracy and Efficiency Indices (see pai.h). */
#include "analysis/pai.h"

#include "analysis/gistar.h"
#include "analysis/kde.h"
#include "core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ranked {
    double score;
    size_t unit;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *p = a, *q = b;

    if (p->score != q->score)
        return p->score > q->score ? -1 : 1;
    return (p->unit > q->unit) - (p->unit < q->unit);
}

void analysis_pai_indices(const double *test, const uint8_t *hot, size_t n, struct an_pai *out)
{
    double tot = 0, in = 0, best = 0;
    size_t i, a = 0;

    for (i = 0; i < n; i++) {
        tot += test[i];
        if (hot[i]) {
            in += test[i];
            a++;
        }
    }
    /* n*: the a largest test counts */
    {
        struct ranked *r = cscc_xcalloc(n + 1, sizeof(*r));

        for (i = 0; i < n; i++) {
            r[i].score = test[i];
            r[i].unit = i;
        }
        qsort(r, n, sizeof(*r), cmp_ranked);
        for (i = 0; i < a; i++)
            best += r[i].score;
        cscc_free(r);
    }
    out->cells = n;
    out->hot = a;
    out->N = tot;
    out->n = in;
    out->n_star = best;
    out->hit_rate = tot > 0 ? in / tot : NAN;
    out->pai = tot > 0 && a ? (in / tot) / ((double)a / (double)n) : NAN;
    out->pai_star = tot > 0 && a ? (best / tot) / ((double)a / (double)n) : NAN;
    out->pei = best > 0 ? in / best : NAN;
}

int analysis_pai(const struct an_pointsrc *train, const struct an_pointsrc *test,
                 const struct an_grid *g, const uint8_t *cell_area, const struct an_pai_opts *o,
                 struct an_pai *out, struct cscc_err *err)
{
    size_t nc = an_grid_ncells(g), n = 0, i, k = 0;
    double *bins = cscc_trymalloc((nc ? nc : 1) * sizeof(double)), *score = NULL, *tcount = NULL;
    size_t *unit_cell = cscc_trymalloc((nc ? nc : 1) * sizeof(size_t));
    uint8_t *hot = NULL;
    struct ranked *r = NULL;
    struct an_bin_stats st;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!bins || !unit_cell) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "out of memory for %zu cells", nc);
        goto out;
    }
    if (o->coverage < 0 || o->coverage > 1 || (o->method != AN_HOT_GISTAR && !(o->coverage > 0))) {
        rc = cscc_err_set(err, CSCC_EINVAL, "the coverage is a share of the city above 0, up to 1");
        goto out;
    }
    for (i = 0; i < nc; i++)
        if (cell_area[i])
            unit_cell[n++] = i;
    score = cscc_xcalloc(n + 1, sizeof(double));
    tcount = cscc_xcalloc(n + 1, sizeof(double));
    hot = cscc_xcalloc(n + 1, 1);
    r = cscc_xcalloc(n + 1, sizeof(*r));
    /* the map */
    switch (o->method) {
    case AN_HOT_COUNT:
        if ((rc = analysis_bin(train, g, o->threads, bins, &st, &out->train, err)))
            goto out;
        for (i = 0; i < n; i++)
            score[i] = bins[unit_cell[i]];
        break;
    case AN_HOT_KDE: {
        struct an_kde kd;
        struct an_kde_opts ko;

        memset(&ko, 0, sizeof(ko));
        ko.bandwidth = o->bandwidth;
        ko.threads = o->threads;
        if ((rc = analysis_kde(train, g, &ko, &kd, err)))
            goto out;
        for (i = 0; i < n; i++)
            score[i] = kd.density[unit_cell[i]];
        out->train = kd.info;
        analysis_kde_release(&kd);
        break;
    }
    case AN_HOT_GISTAR: {
        struct an_gistar gs;
        struct an_gistar_opts go;

        memset(&go, 0, sizeof(go));
        go.band = o->band;
        go.fdr = 1;
        go.threads = o->threads;
        if ((rc = analysis_gistar_grid(train, g, cell_area, &go, &gs, err)))
            goto out;
        /* gs's units are the same cells in the same order */
        for (i = 0; i < n && i < gs.n; i++) {
            score[i] = isnan(gs.z[i]) ? -INFINITY : gs.z[i];
            if (!(o->coverage > 0))
                hot[i] = gs.bin[i] == 3;
        }
        out->train = gs.info;
        analysis_gistar_release(&gs);
        break;
    }
    }
    out->N_train = 0;
    for (i = 0; i < n; i++)
        out->N_train += o->method == AN_HOT_COUNT ? score[i] : 0;
    if (o->coverage > 0) {
        size_t want;

        for (i = 0; i < n; i++) {
            r[i].score = score[i];
            r[i].unit = i;
        }
        qsort(r, n, sizeof(*r), cmp_ranked);
        want = (size_t)llround(o->coverage * (double)n);
        if (want < 1)
            want = 1;
        for (i = 0; i < want && i < n; i++)
            hot[r[i].unit] = 1;
    }
    /* the test */
    if ((rc = analysis_bin(test, g, o->threads, bins, &st, &out->test, err)))
        goto out;
    for (i = 0; i < n; i++)
        tcount[i] = bins[unit_cell[i]];
    analysis_pai_indices(tcount, hot, n, out);
    if (!(out->N > 0)) {
        rc = cscc_err_set(err, CSCC_EINVAL, "the test period has no points in the city");
        goto out;
    }
    if (!out->hot) {
        rc = cscc_err_set(err, CSCC_EINVAL,
                          "the map has no hot cell (no Gi* hot spot at 99 %%); "
                          "give a coverage");
        goto out;
    }
    out->area_km2 = (double)n * g->cell * g->cell / 1e6;
    out->hot_km2 = (double)out->hot * g->cell * g->cell / 1e6;
    out->hot_cell = cscc_xcalloc(out->hot, sizeof(size_t));
    out->hot_score = cscc_xcalloc(out->hot, sizeof(double));
    out->hot_test = cscc_xcalloc(out->hot, sizeof(double));
    for (i = 0; i < n; i++) {
        r[i].score = score[i];
        r[i].unit = i;
    }
    qsort(r, n, sizeof(*r), cmp_ranked);
    for (i = 0; i < n; i++)
        if (hot[r[i].unit]) {
            out->hot_cell[k] = unit_cell[r[i].unit];
            out->hot_score[k] = r[i].score;
            out->hot_test[k] = tcount[r[i].unit];
            k++;
        }
out:
    cscc_free(bins);
    cscc_free(unit_cell);
    cscc_free(score);
    cscc_free(tcount);
    cscc_free(hot);
    cscc_free(r);
    if (rc)
        analysis_pai_release(out);
    return rc;
}

void analysis_pai_release(struct an_pai *p)
{
    cscc_free(p->hot_cell);
    cscc_free(p->hot_score);
    cscc_free(p->hot_test);
    p->hot_cell = NULL;
    p->hot_score = p->hot_test = NULL;
}
