/* Unit tests of the spatial analyses: published reference values and
 * hand-checkable cases. */
#include "test.h"

#include "analysis/kde.h"
#include "analysis/spatial.h"
#include "analysis/weights.h"
#include "core/alloc.h"
#include "core/time.h"
#include "ingest/ingest.h"

#include <math.h>
#include <stdio.h>
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

#include "analysis/knox.h"
#include "analysis/pai.h"
#include "analysis/rtm.h"
#include "geo/areas.h"

/* Benjamini-Hochberg by hand: p = 0.001 0.008 0.039 0.041 0.042 0.06 0.074
 * 0.205 0.212 0.216 (n = 10). At 0.10 the largest k with p_(k) <= 0.01 k is 7
 * (0.074 <= 0.07? no; 0.06 <= 0.06 yes: k = 6); at 0.05: 0.042 > 0.025, 0.041
 * > 0.02, 0.039 > 0.015, 0.008 <= 0.01: k = 2; at 0.01: 0.001 <= 0.001: k = 1. */
TEST(spatial, benjamini_hochberg_bins)
{
    static const double p[10] = {0.001, 0.008, 0.039, 0.041, 0.042,
                                 0.06,  0.074, 0.205, 0.212, 0.216};
    static const double z[10] = {3.3, -2.6, 2.1, 2.0, -2.0, 1.9, 1.8, 1.3, -1.2, 1.2};
    static const int want_fdr[10] = {3, -2, 1, 1, -1, 1, 0, 0, 0, 0};
    static const int want_raw[10] = {3, -3, 2, 2, -2, 1, 1, 0, 0, 0};
    int bin[10], i;

    analysis_confidence_bins(z, p, 10, 1, bin);
    for (i = 0; i < 10; i++)
        CHECK_INT_EQ(bin[i], want_fdr[i]);
    analysis_confidence_bins(z, p, 10, 0, bin);
    for (i = 0; i < 10; i++)
        CHECK_INT_EQ(bin[i], want_raw[i]);
}

/* A Poisson fit with one binary covariate has a closed form: exp(b0) is the
 * mean count where x = 0, exp(b1) the ratio of the means, and
 * se(b1)^2 = 1/sum(y | x=1) + 1/sum(y | x=0). */
TEST(spatial, poisson_irls_closed_form)
{
    static const double y[8] = {2, 3, 1, 4, 7, 9, 6, 8};
    double X[16];
    struct an_poisson fit;
    struct cscc_err err;
    int i;

    for (i = 0; i < 8; i++) {
        X[2 * i] = 1;
        X[2 * i + 1] = i >= 4;
    }
    CHECK_INT_EQ(analysis_poisson_irls(X, y, 8, 2, &fit, &err), 0);
    CHECK(fit.converged);
    CHECK_NEAR(exp(fit.beta[0]), 10.0 / 4, 1e-9);
    CHECK_NEAR(exp(fit.beta[1]), 30.0 / 10, 1e-9);
    CHECK_NEAR(fit.se[1], sqrt(1.0 / 30 + 1.0 / 10), 1e-9);
    CHECK_NEAR(fit.se[0], sqrt(1.0 / 10), 1e-9);
    /* deviance by hand: 2 sum y log(y / mu) (the residuals sum to 0) */
    {
        double dev = 0;

        for (i = 0; i < 8; i++)
            dev += 2 * y[i] * log(y[i] / (i < 4 ? 2.5 : 7.5));
        CHECK_NEAR(fit.deviance, dev, 1e-9);
    }
    /* a constant column cannot be estimated */
    for (i = 0; i < 8; i++)
        X[2 * i + 1] = 1;
    CHECK_INT_EQ(analysis_poisson_irls(X, y, 8, 2, &fit, &err), CSCC_EINVAL);
}

/* PAI and PEI by hand: 10 cells, test counts below, hot cells 0, 1, 2 (30 % of
 * the area) hold 5 + 0 + 3 = 8 of N = 20: PAI = 0.4 / 0.3; the best three
 * cells hold 5 + 4 + 3 = 12: PAI* = 0.6 / 0.3, PEI = 8 / 12. */
TEST(spatial, pai_pei_by_hand)
{
    static const double test[10] = {5, 0, 3, 4, 1, 2, 0, 3, 1, 1};
    static const uint8_t hot[10] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    struct an_pai p;

    memset(&p, 0, sizeof(p));
    analysis_pai_indices(test, hot, 10, &p);
    CHECK_NEAR(p.N, 20, 0);
    CHECK_NEAR(p.n, 8, 0);
    CHECK_NEAR(p.n_star, 12, 0);
    CHECK_NEAR(p.pai, 0.4 / 0.3, 1e-12);
    CHECK_NEAR(p.pai_star, 0.6 / 0.3, 1e-12);
    CHECK_NEAR(p.pei, 8.0 / 12, 1e-12);
}

/* Four events: A (0,0) day 0, B (50,0) day 1, C (0,0) day 10, D (1000,0)
 * day 1. Pairs: AB 50 m 1 d, AC 0 m 10 d, AD 1000 m 1 d, BC 50 m 9 d,
 * BD 950 m 0 d, CD 1000 m 9 d. With b = 100 m, S = 1, t = 2, T = 2 (labelled
 * bands: 0-2, 3-4, more than 4 days): same location: AC (more than 4);
 * 1-100: AB (0-2), BC (more than 4); more than 100: AD, BD (0-2), CD (more
 * than 4). */
TEST(spatial, knox_by_hand)
{
    static const double x[4] = {0, 50, 0, 1000}, y[4] = {0, 0, 0, 0};
    static const int64_t day[4] = {0, 1, 10, 1};
    static const uint64_t want[9] = {0, 0, 1, 1, 0, 1, 2, 0, 1};
    struct an_knox_opts o;
    struct an_knox k, k2;
    struct cscc_err err;
    int i;

    memset(&o, 0, sizeof(o));
    o.space_band = 100;
    o.space_bands = 1;
    o.time_band = 2;
    o.time_bands = 2;
    o.iterations = 99;
    o.seed = 7;
    o.threads = 2;
    CHECK_INT_EQ(analysis_knox(x, y, day, 4, &o, &k, &err), 0);
    CHECK_INT_EQ(k.rows, 3);
    CHECK_INT_EQ(k.cols, 3);
    CHECK_INT_EQ(k.pairs, 6);
    for (i = 0; i < 9; i++)
        CHECK_INT_EQ(k.observed[i], want[i]);
    /* every permutation keeps the pairs of each time band: 3 within 0-2 days,
     * none in 3-4, 3 beyond */
    for (i = 0; i < 3; i++) {
        CHECK_NEAR(k.mean[0 * 3 + i] + k.mean[1 * 3 + i] + k.mean[2 * 3 + i],
                   (double)(want[i] + want[3 + i] + want[6 + i]), 1e-12);
        CHECK(k.p[i] > 0 && k.p[i] <= 1);
    }
    /* the same seed gives the same result with one thread */
    o.threads = 1;
    CHECK_INT_EQ(analysis_knox(x, y, day, 4, &o, &k2, &err), 0);
    for (i = 0; i < 9; i++) {
        CHECK_NEAR(k.mean[i], k2.mean[i], 0);
        CHECK_NEAR(k.p[i], k2.p[i], 0);
    }
    analysis_knox_release(&k2);
    /* the Calculator's intervals: BD (950 m) is far, AB is [1, 100) m,
     * time columns [0, 2), [2, 4), 4 or more: AB and BD are 0-1 days */
    o.nrc_intervals = 1;
    CHECK_INT_EQ(analysis_knox(x, y, day, 4, &o, &k2, &err), 0);
    for (i = 0; i < 9; i++)
        CHECK_INT_EQ(k2.observed[i], want[i]);
    analysis_knox_release(&k2);
    analysis_knox_release(&k);
    /* manhattan: (0,0)-(30,40) is 70 m, Euclidean 50 m: band 1 of 60 m only
     * for the Euclidean metric */
    {
        static const double x2[2] = {0, 30}, y2[2] = {0, 40};
        static const int64_t d2[2] = {0, 0};

        o.nrc_intervals = 0;
        o.space_band = 60;
        CHECK_INT_EQ(analysis_knox(x2, y2, d2, 2, &o, &k, &err), 0);
        CHECK_INT_EQ(k.observed[1 * 3 + 0], 1);
        analysis_knox_release(&k);
        o.manhattan = 1;
        CHECK_INT_EQ(analysis_knox(x2, y2, d2, 2, &o, &k, &err), 0);
        CHECK_INT_EQ(k.observed[2 * 3 + 0], 1);
        analysis_knox_release(&k);
    }
}

/* KDE of points in memory: one point at a cell's centre with a bandwidth of
 * one cell gives 3/(pi h^2) there (per km^2 with h in metres), exact and
 * binned alike; the default bandwidth follows ArcGIS's formula. */
TEST(spatial, kde_points)
{
    struct an_points pts;
    struct an_pointsrc src;
    struct an_grid g;
    struct an_kde_opts o;
    struct an_kde k;
    struct cscc_err err;
    static const double bbox[4] = {0, 0, 999, 999};
    double x[5] = {450, 0, 0, 0, 0}, y[5] = {450, 0, 0, 0, 0};
    int64_t t[5] = {0};
    uint8_t area[5] = {1, 1, 1, 1, 1};

    memset(&pts, 0, sizeof(pts));
    memset(&src, 0, sizeof(src));
    memset(&o, 0, sizeof(o));
    pts.n = 1;
    pts.x = x;
    pts.y = y;
    pts.t = t;
    pts.area = area;
    src.pts = &pts;
    CHECK_INT_EQ(an_grid_init(&g, bbox, 100, &err), 0);
    CHECK_INT_EQ(g.nx, 10);
    o.bandwidth = 100;
    o.threads = 2;
    for (o.exact = 0; o.exact < 2; o.exact++) {
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k, &err), 0);
        CHECK_NEAR(k.density[4 * 10 + 4], 3 / (M_PI * 100 * 100) * 1e6, 1e-9);
        CHECK_NEAR(k.density[4 * 10 + 5], 0, 0); /* 100 m away: the kernel's edge */
        analysis_kde_release(&k);
    }
    /* five points: mean centre (20, 20); distances 0..; SD and the median */
    {
        double xs[5] = {0, 100, 0, 0, 0}, ys[5] = {0, 0, 100, 0, 0}, sd, dm, mx = 20, my = 20;
        double d[5];
        int i;

        pts.n = 5;
        pts.x = xs;
        pts.y = ys;
        o.bandwidth = 0;
        o.exact = 0;
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k, &err), 0);
        sd = 0;
        for (i = 0; i < 5; i++) {
            sd += (xs[i] - mx) * (xs[i] - mx) + (ys[i] - my) * (ys[i] - my);
            d[i] = hypot(xs[i] - mx, ys[i] - my);
        }
        sd = sqrt(sd / 5);
        dm = d[0]; /* three points at (0,0): the median distance is theirs */
        CHECK_NEAR(k.sd, sd, 1e-9);
        CHECK_NEAR(k.dm, dm, 1e-9);
        CHECK_NEAR(k.bandwidth, 0.9 * fmin(sd, sqrt(1 / log(2.0)) * dm) * pow(5, -0.2), 1e-9);
        analysis_kde_release(&k);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The default bandwidth's median distance, bounded by the bins and then
 * found exactly, equals a sort of every distance: 20,001 and 20,000 points
 * (odd and even counts), a tenth of them outside the grid, with and without
 * weights; the same points give the same bits twice over. */
TEST(spatial, kde_median_distance)
{
    enum { N = 20001 };
    struct an_points pts;
    struct an_pointsrc src;
    struct an_grid g;
    struct an_kde_opts o;
    struct an_kde k, k2;
    struct cscc_err err;
    static const double bbox[4] = {0, 0, 9999, 9999};
    double *x = cscc_xcalloc(N, sizeof(double)), *y = cscc_xcalloc(N, sizeof(double));
    double *w = cscc_xcalloc(N, sizeof(double)), *d = cscc_xcalloc(N, sizeof(double));
    double *dw = cscc_xcalloc(2 * N, sizeof(double));
    int64_t *t = cscc_xcalloc(N, sizeof(int64_t));
    uint8_t *area = cscc_xcalloc(N, 1);
    uint64_t s = 12345;
    size_t i, n;

    for (i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (double)(s >> 11) / 9007199254740992.0 * (i % 10 ? 10000 : 30000);
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        y[i] = (double)(s >> 11) / 9007199254740992.0 * (i % 10 ? 10000 : 30000) - 5;
        w[i] = 1 + (double)(i % 7);
    }
    memset(&pts, 0, sizeof(pts));
    memset(&src, 0, sizeof(src));
    memset(&o, 0, sizeof(o));
    pts.x = x;
    pts.y = y;
    pts.t = t;
    pts.area = area;
    src.pts = &pts;
    o.threads = 2;
    CHECK_INT_EQ(an_grid_init(&g, bbox, 100, &err), 0);
    for (n = N - 1; n <= N; n++) {
        double mx = 0, my = 0, want, sw = 0, cum = 0, wx = 0, wy = 0;
        size_t out;

        pts.n = n;
        pts.w = NULL;
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k, &err), 0);
        for (i = 0; i < n; i++) {
            mx += x[i] / (double)n;
            my += y[i] / (double)n;
        }
        for (i = 0; i < n; i++)
            d[i] = hypot(x[i] - k.mean_x, y[i] - k.mean_y);
        qsort(d, n, sizeof(double), cmp_double);
        want = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
        CHECK_NEAR(k.mean_x, mx, 1e-6);
        CHECK_NEAR(k.mean_y, my, 1e-6);
        for (i = 0, out = 0; i < n; i++)
            out += x[i] < g.x0 || y[i] < g.y0 || x[i] >= g.x0 + (double)g.nx * g.cell ||
                   y[i] >= g.y0 + (double)g.ny * g.cell;
        CHECK(out > 1000);
        CHECK_NEAR(k.weight_outside, (double)out, 0);
        CHECK_NEAR(k.dm, want, 1e-9);
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k2, &err), 0);
        CHECK(k2.bandwidth == k.bandwidth);
        CHECK(!memcmp(k.density, k2.density, an_grid_ncells(&g) * sizeof(double)));
        analysis_kde_release(&k);
        analysis_kde_release(&k2);
        /* weighted: the first distance whose cumulative weight reaches half */
        pts.w = w;
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k, &err), 0);
        for (i = 0; i < n; i++) {
            sw += w[i];
            wx += w[i] * x[i];
            wy += w[i] * y[i];
        }
        CHECK_NEAR(k.mean_x, wx / sw, 1e-6);
        CHECK_NEAR(k.mean_y, wy / sw, 1e-6);
        for (i = 0; i < n; i++) {
            dw[2 * i] = hypot(x[i] - k.mean_x, y[i] - k.mean_y);
            dw[2 * i + 1] = w[i];
        }
        qsort(dw, n, 2 * sizeof(double), cmp_double);
        for (i = 0, want = NAN; i < n; i++) {
            cum += dw[2 * i + 1];
            if (cum >= sw / 2 - 1e-9) {
                want = dw[2 * i];
                break;
            }
        }
        CHECK_NEAR(k.dm, want, 1e-9);
        analysis_kde_release(&k);
    }
    cscc_free(x);
    cscc_free(y);
    cscc_free(w);
    cscc_free(d);
    cscc_free(dw);
    cscc_free(t);
    cscc_free(area);
}

/* Writes and imports the crimes of the scan test into dir: n rows of two FBI
 * codes, most with X/Y, one in 97 with only latitude/longitude and one in
 * 89 with neither. The coordinates of row i are x[i], y[i] in metres (NaN:
 * none), found independently of the scan: X/Y by the survey-foot factor,
 * latitude/longitude through crs. */
static int scan_fixture(const char *dir, struct store **st, struct colstore_table **t, size_t n,
                        struct an_crs *crs, double *x, double *y, char *fbi)
{
    char path[1024];
    const char *files[1] = {path};
    struct ingest_opts o;
    struct ingest_summary sum;
    struct cscc_err err;
    uint64_t s = 777;
    size_t i;
    FILE *f;

    cscc_err_clear(&err);
    snprintf(path, sizeof(path), "%s/cscc.db", dir);
    if (!(*st = store_open(path, &err)))
        return -1;
    snprintf(path, sizeof(path), "%s/data/reference", TEST_SOURCE_DIR);
    if (ingest_reference(*st, path, NULL, &err))
        return -1;
    snprintf(path, sizeof(path), "%s/crimes.csv", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fputs("ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location Description,Arrest,"
          "Domestic,Beat,District,Ward,Community Area,FBI Code,X Coordinate,Y Coordinate,"
          "Updated On,Latitude,Longitude\n",
          f);
    for (i = 0; i < n; i++) {
        long xf, yf;
        double lat, lon;

        s = s * 6364136223846793005ull + 1442695040888963407ull;
        xf = 1090000 + (long)((s >> 33) % 120000);
        yf = 1790000 + (long)((s >> 13) % 170000);
        lat = 41.70 + (double)((s >> 40) % 2500) * 1e-4;
        lon = -87.80 + (double)((s >> 20) % 2500) * 1e-4;
        fbi[i] = i % 3 ? 'T' : 'B'; /* 06 theft, 08B battery */
        x[i] = y[i] = NAN;
        if (i % 89 == 5) {
            fprintf(f,
                    "%zu,JS%zu,01/%02zu/2018 10:00:00 AM,001XX W MADISON ST,0486,BATTERY,"
                    "SIMPLE,STREET,false,false,,,,25,%s,,,01/01/2019 10:00:00 AM,,\n",
                    i + 1, i + 1, 1 + i % 28, fbi[i] == 'B' ? "08B" : "06");
            continue;
        }
        if (i % 97 == 3) {
            x[i] = lon;
            y[i] = lat;
            if (an_crs_from_wgs84(crs, &x[i], &y[i], 1))
                return -1;
            xf = yf = 0;
        } else {
            x[i] = (double)xf * (1200.0 / 3937.0);
            y[i] = (double)yf * (1200.0 / 3937.0);
        }
        fprintf(f,
                "%zu,JS%zu,01/%02zu/2018 10:00:00 AM,001XX W MADISON ST,0486,BATTERY,SIMPLE,STREET,"
                "false,false,,,,25,%s,",
                i + 1, i + 1, 1 + i % 28, fbi[i] == 'B' ? "08B" : "06");
        if (xf)
            fprintf(f, "%ld,%ld,", xf, yf);
        else
            fputs(",,", f);
        fprintf(f, "01/01/2019 10:00:00 AM,%.4f,%.4f\n", lat, lon);
    }
    fclose(f);
    memset(&o, 0, sizeof(o));
    o.data_dir = dir;
    o.store = *st;
    o.threads = 1;
    o.max_rejected = 0;
    if (ingest_run("crimes", files, 1, &o, &sum, &err)) {
        test_note("import: %s", err.msg);
        return -1;
    }
    ingest_table_path(dir, "crimes", path, sizeof(path));
    return (*t = colstore_open(path, &err)) ? 0 : -1;
}

/* A kernel density read straight from the crimes table (the scan that
 * reads only X/Y, squeezes out the rows it does not keep and looks up
 * latitude/longitude for rows without X/Y) bins every point where an
 * independent computation puts it, and finds the exact median distance:
 * 9,000 rows in blocks of 4,096, without a filter and with one that keeps
 * a third of them. */
TEST(spatial, kde_scan_matches_rows)
{
    enum { N = 9000 };
    static const double bbox[4] = {335000, 550000, 365000, 590000};
    struct store *st = NULL;
    struct colstore_table *t = NULL;
    struct an_crs crs;
    struct an_grid g;
    struct an_kde_opts o;
    struct an_kde k;
    struct cscc_err err;
    double *x = cscc_xcalloc(N, sizeof(double)), *y = cscc_xcalloc(N, sizeof(double));
    double *d = cscc_xcalloc(N, sizeof(double)), *want = NULL;
    char *fbi = cscc_xcalloc(N, 1);
    int filtered;

    cscc_err_clear(&err);
    if (an_crs_init(&crs, NULL, "EPSG:26971", &err) ||
        scan_fixture(test_tmpdir(), &st, &t, N, &crs, x, y, fbi)) {
        test_fail(__FILE__, __LINE__, "fixture: %s", err.msg);
        goto out;
    }
    CHECK_INT_EQ(an_grid_init(&g, bbox, 250, &err), 0);
    want = cscc_xcalloc(an_grid_ncells(&g), sizeof(double));
    memset(&o, 0, sizeof(o));
    o.threads = 2;
    for (filtered = 0; filtered < 2; filtered++) {
        struct an_points_query q;
        struct an_pointsrc src;
        double mx = 0, my = 0, out = 0, dm;
        size_t i, n = 0, kept = 0, c;

        memset(&q, 0, sizeof(q));
        q.source = AN_SRC_CRIMES;
        if (filtered) {
            q.f.fbi[0] = "08B";
            q.f.nfbi = 1;
        }
        memset(&src, 0, sizeof(src));
        src.t = t;
        src.st = st;
        src.q = &q;
        src.crs = &crs;
        memset(want, 0, an_grid_ncells(&g) * sizeof(double));
        for (i = 0; i < N; i++) {
            double fx, fy;

            if (filtered && fbi[i] != 'B')
                continue;
            kept++;
            if (isnan(x[i]))
                continue;
            mx += x[i];
            my += y[i];
            d[n++] = (double)i;
            fx = floor((x[i] - g.x0) / g.cell);
            fy = floor((y[i] - g.y0) / g.cell);
            if (fx >= 0 && fy >= 0 && fx < (double)g.nx && fy < (double)g.ny)
                want[(size_t)fy * g.nx + (size_t)fx] += 1;
            else
                out += 1;
        }
        mx /= (double)n;
        my /= (double)n;
        CHECK_INT_EQ(analysis_kde(&src, &g, &o, &k, &err), 0);
        CHECK_INT_EQ(k.info.rows_selected, kept);
        CHECK_INT_EQ(k.info.points, n);
        CHECK(n > 2000);
        CHECK(out > 100);
        CHECK_NEAR(k.weight_outside, out, 0);
        CHECK_NEAR(k.mean_x, mx, 1e-6);
        CHECK_NEAR(k.mean_y, my, 1e-6);
        /* the bins themselves: analysis_bin, as gistar and pai use them */
        {
            double *bins = cscc_xcalloc(an_grid_ncells(&g), sizeof(double));
            struct an_bin_stats bs;
            struct an_points_info info;

            CHECK_INT_EQ(analysis_bin(&src, &g, 2, bins, &bs, &info, &err), 0);
            for (c = 0; c < an_grid_ncells(&g); c++)
                if (bins[c] != want[c]) {
                    test_fail(__FILE__, __LINE__, "cell %zu: %g points, want %g", c, bins[c],
                              want[c]);
                    break;
                }
            cscc_free(bins);
        }
        for (i = 0; i < n; i++) {
            size_t r = (size_t)d[i];

            d[i] = hypot(x[r] - k.mean_x, y[r] - k.mean_y);
        }
        qsort(d, n, sizeof(double), cmp_double);
        dm = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
        CHECK_NEAR(k.dm, dm, 1e-9);
        analysis_kde_release(&k);
    }
out:
    colstore_close(t);
    store_close(st);
    an_crs_release(&crs);
    cscc_free(x);
    cscc_free(y);
    cscc_free(d);
    cscc_free(want);
    cscc_free(fbi);
}

/* A selection with nothing to analyse is refused before an analysis runs,
 * naming the filters given and the one to widen, as the command line spells
 * them or as the API does; the check reads the table only up to the first
 * point. A CRS in degrees or feet is refused when the spatial options open. */
TEST(spatial, empty_selection_refused)
{
    enum { N = 9000 };
    static const char *const nosuch[] = {"NOSUCH"};
    static const char *const fbi_01a[] = {"01A"};
    struct store *st = NULL;
    struct colstore_table *t = NULL;
    struct an_crs crs;
    struct an_spatial s;
    struct an_points_info info;
    struct cscc_err err;
    double *x = cscc_xcalloc(N, sizeof(double)), *y = cscc_xcalloc(N, sizeof(double));
    char *fbi = cscc_xcalloc(N, 1);
    int by_area;

    cscc_err_clear(&err);
    if (an_crs_init(&crs, NULL, "EPSG:26971", &err) ||
        scan_fixture(test_tmpdir(), &st, &t, N, &crs, x, y, fbi)) {
        test_fail(__FILE__, __LINE__, "fixture: %s", err.msg);
        goto out;
    }
    an_spatial_init(&s);
    CHECK_INT_EQ(an_spatial_open(&s, st, t, &err), 0);
    /* every row: there is a point, found in the first block of 4,096 rows */
    CHECK_INT_EQ(an_spatial_any(&s, &s.q, &info, &err), 1);
    CHECK(info.rows_selected > 0 && info.rows_selected < N);
    for (by_area = 0; by_area < 2; by_area++)
        CHECK_INT_EQ(an_spatial_require(&s, by_area, AN_SPELL_CLI, &err), 0);

    /* an FBI code no row has, located or not */
    s.q.f.fbi[0] = fbi_01a[0];
    s.q.f.nfbi = 1;
    CHECK_INT_EQ(an_spatial_any(&s, &s.q, &info, &err), 0);
    CHECK_INT_EQ(info.rows_selected, 0);
    CHECK_INT_EQ(info.rows_in_period, N);
    for (by_area = 0; by_area < 2; by_area++) {
        cscc_err_clear(&err);
        CHECK_INT_EQ(an_spatial_require(&s, by_area, AN_SPELL_CLI, &err), CSCC_EINVAL);
        CHECK_STR_EQ(err.msg, "no events match the filters: --fbi 01A (no row has FBI code "
                              "'01A'); widen --fbi");
        CHECK_STR_EQ(err.field, "fbi");
    }
    /* the API's spelling, a period with rows: the filter is what to widen */
    s.q.f.has_from = s.q.f.has_to = 1;
    CHECK_INT_EQ(cscc_parse_day("2018-01-01", &s.q.f.day_from), 0);
    CHECK_INT_EQ(cscc_parse_day("2018-01-31", &s.q.f.day_to), 0);
    cscc_err_clear(&err);
    CHECK_INT_EQ(an_spatial_require(&s, 0, AN_SPELL_API, &err), CSCC_EINVAL);
    CHECK_STR_EQ(err.msg, "no events match the filters: from=2018-01-01 to=2018-01-31 fbi=01A "
                          "(no row has FBI code '01A'); widen from/to or fbi");
    CHECK_STR_EQ(err.field, "fbi");
    /* a period without rows: the period is what to widen */
    s.q.f.nfbi = 0;
    s.q.f.types[0] = nosuch[0];
    s.q.f.ntypes = 1;
    CHECK_INT_EQ(cscc_parse_day("2019-01-01", &s.q.f.day_from), 0);
    CHECK_INT_EQ(cscc_parse_day("2019-12-31", &s.q.f.day_to), 0);
    cscc_err_clear(&err);
    CHECK_INT_EQ(an_spatial_require(&s, 0, AN_SPELL_CLI, &err), CSCC_EINVAL);
    CHECK(strstr(err.msg, "no events match the filters: --from 2019-01-01 --to 2019-12-31 "
                          "--type NOSUCH") == err.msg);
    CHECK(strstr(err.msg, "; widen --from/--to or --type") != NULL);
    CHECK_STR_EQ(err.field, "from");
    an_spatial_release(&s);

    /* the CRS: degrees and feet are refused, naming the option */
    an_spatial_init(&s);
    s.crs_name = "EPSG:3435";
    cscc_err_clear(&err);
    CHECK_INT_EQ(an_spatial_open(&s, st, t, &err), CSCC_EINVAL);
    CHECK(strstr(err.msg, "crs EPSG:3435 measures its axes in the unit 'US survey foot'") ==
          err.msg);
    CHECK_STR_EQ(err.field, "crs");
    an_spatial_release(&s);
    {
        struct an_crs c2;

        cscc_err_clear(&err);
        CHECK_INT_EQ(an_crs_init(&c2, st, "EPSG:4326", &err), CSCC_EINVAL);
        CHECK(strstr(err.msg, "EPSG:4326 is geographic (degrees)") == err.msg);
        CHECK(c2.wgs == NULL);
    }
out:
    colstore_close(t);
    store_close(st);
    an_crs_release(&crs);
    cscc_free(x);
    cscc_free(y);
    cscc_free(fbi);
}

/* RFC 7946 3.1.6: a clockwise exterior ring and a counterclockwise hole are
 * turned; rings already right, and other geometries, are left as they are. */
TEST(spatial, geometry_rfc7946_orientation)
{
    struct cscc_err err;
    char *s;

    s = geo_geometry_rfc7946(
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0,4],[4,4],[4,0],[0,0]],"
        "[[1,1],[2,1],[2,2],[1,2],[1,1]]]}",
        &err);
    CHECK_STR_EQ(s, "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[4,0],[4,4],[0,4],"
                    "[0,0]],[[1,1],[1,2],[2,2],[2,1],[1,1]]]}");
    cscc_free(s);
    s = geo_geometry_rfc7946("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],"
                             "[0,0]]],[[[5,5],[5,6],[6,6],[5,5]]]]}",
                             &err);
    CHECK_STR_EQ(s, "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],"
                    "[0,0]]],[[[5,5],[6,6],[5,6],[5,5]]]]}");
    cscc_free(s);
    s = geo_geometry_rfc7946("{\"type\":\"Point\",\"coordinates\":[1.5,2]}", &err);
    CHECK_STR_EQ(s, "{\"type\":\"Point\",\"coordinates\":[1.5,2]}");
    cscc_free(s);
    CHECK(geo_geometry_rfc7946("[1,2]", &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EDATA);
}

/* Contiguity of a 2 x 2 block of unit squares: queen makes every pair
 * neighbours (the diagonal ones share the centre vertex), rook only the
 * four pairs that share an edge. */
TEST(spatial, contiguity_queen_rook)
{
    struct geo_areas *a = geo_areas_new();
    struct cscc_err err;
    size_t *off, *nb;
    int i;

    for (i = 0; i < 4; i++) {
        char g[256];
        double x = -87.6 + (i % 2) * 0.01, y = 41.8 + (i / 2) * 0.01;

        snprintf(g, sizeof(g),
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],"
                 "[%.4f,%.4f],[%.4f,%.4f]]]}",
                 x, y, x + 0.01, y, x + 0.01, y + 0.01, x, y + 0.01, x, y);
        CHECK_INT_EQ(geo_areas_add(a, i + 1, NULL, g, &err), 0);
    }
    CHECK_INT_EQ(geo_areas_finish(a, &err), 0);
    CHECK_INT_EQ(geo_areas_contiguity(a, 1, 1.5e-8, &off, &nb, &err), 0);
    for (i = 0; i < 4; i++)
        CHECK_INT_EQ(off[i + 1] - off[i], 3);
    cscc_free(off);
    cscc_free(nb);
    CHECK_INT_EQ(geo_areas_contiguity(a, 0, 1.5e-8, &off, &nb, &err), 0);
    for (i = 0; i < 4; i++)
        CHECK_INT_EQ(off[i + 1] - off[i], 2);
    /* square 1 (south-west) touches 2 (east) and 3 (north), not 4 */
    CHECK_INT_EQ(nb[off[0]], 1);
    CHECK_INT_EQ(nb[off[0] + 1], 2);
    cscc_free(off);
    cscc_free(nb);
    geo_areas_free(a);
}

/* Local Moran by hand on a path of 4 units 1-2-3-4 with y = 1, 2, 3, 10
 * (binary weights): mean 4, z = -3, -2, -1, 6, m2 = 50/4 = 12.5;
 * I_1 = z1/m2 * z2 = 6/12.5. Conditional permutations of a unit with one
 * neighbour draw one of the other three values. */
TEST(spatial, local_moran_by_hand)
{
    static const double y[4] = {1, 2, 3, 10};
    size_t off[5] = {0, 1, 3, 5, 6}, nb[6] = {1, 0, 2, 1, 3, 2};
    struct an_weights w;
    double ii[4], lag[4], p[4];
    int q[4];
    struct cscc_err err;

    w.n = 4;
    w.off = off;
    w.nb = nb;
    w.w = NULL;
    CHECK_INT_EQ(analysis_moran_local(y, &w, 999, 3, ii, lag, q, p, &err), 0);
    CHECK_NEAR(ii[0], -3.0 / 12.5 * -2.0, 1e-12);
    CHECK_NEAR(ii[3], 6.0 / 12.5 * -1.0, 1e-12);
    CHECK_NEAR(lag[1], -3 + -1, 1e-12);
    CHECK_INT_EQ(q[0], 3); /* LL */
    CHECK_INT_EQ(q[3], 4); /* HL */
    /* unit 1's permuted I: z1/m2 * one of {-2, -1, 6}: I1 = 0.48 is beaten or
     * equalled only by drawing -2 (about a third of the time): folded, p is
     * near 1/3 */
    CHECK(p[0] > 0.28 && p[0] < 0.39);
}
