/* moran.c - Moran's I on community areas (see moran.h). */
#include "analysis/moran.h"

#include "core/alloc.h"

#include <math.h>
#include <string.h>

const char *analysis_moran_quadrant(int q)
{
    static const char *const names[] = {"", "HH", "LH", "LL", "HL"};

    return q >= 0 && q <= 4 ? names[q] : "";
}

int analysis_moran_areas(const struct an_pointsrc *src, const struct an_city *city,
                         const struct an_moran_opts *o, struct an_moran *out, struct cscc_err *err)
{
    struct an_weights w;
    double sum[256];
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    if ((rc = an_area_sums(src, o->threads, sum, &out->info, err)))
        return rc;
    if ((rc = an_weights_areas(city, o->queen, &w, out->ids, err)))
        return rc;
    out->n = w.n;
    out->value = cscc_xcalloc(w.n + 1, sizeof(double));
    out->ii = cscc_xcalloc(w.n + 1, sizeof(double));
    out->lag = cscc_xcalloc(w.n + 1, sizeof(double));
    out->p = cscc_xcalloc(w.n + 1, sizeof(double));
    out->quadrant = cscc_xcalloc(w.n + 1, sizeof(int));
    out->neighbours = cscc_xcalloc(w.n + 1, sizeof(size_t));
    for (i = 0; i < w.n; i++) {
        int a = out->ids[i];

        out->value[i] = sum[a];
        if (o->rate) {
            if (!(city->pop[a] > 0)) {
                rc = cscc_err_set(err, CSCC_EINVAL, "area %d has no population for a rate", a);
                goto out;
            }
            out->value[i] = sum[a] * 1e5 / city->pop[a];
        }
        out->neighbours[i] = w.off[i + 1] - w.off[i];
        out->islands += out->neighbours[i] == 0;
        out->p[i] = NAN;
    }
    an_weights_row_standardise(&w);
    if ((rc = analysis_moran_global(out->value, &w, o->perms, o->seed, &out->global, err)) ||
        (rc = analysis_moran_local(out->value, &w, o->perms, o->seed, out->ii, out->lag,
                                   out->quadrant, out->p, err)))
        goto out;
out:
    an_weights_release(&w);
    if (rc)
        analysis_moran_release(out);
    return rc;
}

void analysis_moran_release(struct an_moran *m)
{
    cscc_free(m->value);
    cscc_free(m->ii);
    cscc_free(m->lag);
    cscc_free(m->p);
    cscc_free(m->quadrant);
    cscc_free(m->neighbours);
    memset(m, 0, sizeof(*m));
}
