/* Unit tests of the spatial analyses: published reference values and
 * hand-checkable cases. */
#include "test.h"

#include "analysis/kde.h"
#include "analysis/weights.h"
#include "core/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Binary weights among points within distance d of each other. */
static void band_weights(const double *x, const double *y, size_t n, double d, struct an_weights *w)
{
    size_t i, j, m = 0;

    w->n = n;
    w->off = cscc_xcalloc(n + 1, sizeof(size_t));
    w->nb = cscc_xcalloc(n * n + 1, sizeof(size_t));
    w->w = NULL;
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++)
            if (i != j && hypot(x[i] - x[j], y[i] - y[j]) <= d)
                w->nb[m++] = j;
        w->off[i + 1] = m;
    }
}

/* esda's G_Local test (libpysal DistanceBand threshold 15, binary):
 * Gi* z of the first point -1.39727626, Gi z -1.0136729. */
TEST(spatial, getis_ord_esda_reference)
{
    static const double x[] = {10, 20, 40, 15, 30, 30}, y[] = {10, 10, 10, 20, 20, 30};
    static const double v[] = {2, 3, 3.2, 5, 8, 7};
    struct an_weights w;
    double z[6];

    band_weights(x, y, 6, 15, &w);
    analysis_getis_ord(v, &w, 1, z);
    CHECK_NEAR(z[0], -1.39727626, 1e-8);
    analysis_getis_ord(v, &w, 0, z);
    CHECK_NEAR(z[0], -1.0136729, 1e-7);
    an_weights_release(&w);
}

/* The 3 x 3 rook lattice with y = 1..9: Moran's I = 0.5 (binary weights),
 * E[I] = -1/8. */
TEST(spatial, moran_lattice_reference)
{
    double y[9];
    struct an_weights w;
    struct an_moran_global g;
    struct cscc_err err;
    size_t i, m = 0;

    memset(&w, 0, sizeof(w));
    w.n = 9;
    w.off = cscc_xcalloc(10, sizeof(size_t));
    w.nb = cscc_xcalloc(36, sizeof(size_t));
    for (i = 0; i < 9; i++) {
        long r = (long)i / 3, c = (long)i % 3;

        y[i] = (double)i + 1;
        if (r > 0)
            w.nb[m++] = i - 3;
        if (c > 0)
            w.nb[m++] = i - 1;
        if (c < 2)
            w.nb[m++] = i + 1;
        if (r < 2)
            w.nb[m++] = i + 3;
        w.off[i + 1] = m;
    }
    CHECK_INT_EQ(analysis_moran_global(y, &w, 99, 1, &g, &err), 0);
    CHECK_NEAR(g.i, 0.5, 1e-12);
    CHECK_NEAR(g.expected, -0.125, 1e-15);
    CHECK(g.p_sim > 0 && g.p_sim <= 1);
    an_weights_release(&w);
}

TEST(spatial, quartic_kernel_centre)
{
    CHECK_NEAR(analysis_quartic(0, 1), 3 / M_PI, 1e-15);
    CHECK_NEAR(analysis_quartic(0.25, 1), 3 / M_PI * 0.75 * 0.75, 1e-15);
    CHECK(analysis_quartic(1, 1) == 0);
    CHECK(analysis_quartic(4, 1) == 0);
}
