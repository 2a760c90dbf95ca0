/* kde.c - violence intensity at a point: a quartic kernel density of the
 * violent incidents of a recent window, and the priority score built on it.
 * A small, exact kernel over the incidents near the point; the analysis
 * engine's gridded KDE serves maps. */
#include "coord/needs.h"

#include "colstore/colstore.h"
#include "coord/coord_int.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EARTH_RADIUS_M 6371008.8
#define M_PER_DEG      (EARTH_RADIUS_M * M_PI / 180)

struct coord_kde {
    size_t n;
    double *lat, *lon; /* sorted by latitude */
};

double coord_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    return 2 * EARTH_RADIUS_M * asin(fmin(1, sqrt(a)));
}

struct pt {
    double lat, lon;
};

static int by_lat(const void *a, const void *b)
{
    double x = ((const struct pt *)a)->lat, y = ((const struct pt *)b)->lat;

    return (x > y) - (x < y);
}

struct coord_kde *coord_kde_new(const struct colstore_table *t, const char *const *fbi, size_t nfbi,
                                int64_t day_from, int64_t day_to, struct cscc_err *err)
{
    struct coord_kde *k = cscc_xcalloc(1, sizeof(*k));
    struct pt *pts = NULL;
    size_t n = 0, cap = 0, g, i, r;
    unsigned char *match = NULL;
    int cf, clat, clon;

    cf = colstore_col_index(t, "fbi_code");
    clat = colstore_col_index(t, "latitude");
    clon = colstore_col_index(t, "longitude");
    if (cf < 0 || clat < 0 || clon < 0 || colstore_schema_type(t, (size_t)cf) != COLSTORE_DICT ||
        colstore_schema_type(t, (size_t)clat) != COLSTORE_F64 ||
        colstore_schema_type(t, (size_t)clon) != COLSTORE_F64) {
        cscc_err_set(err, CSCC_EDATA, "the crimes table lacks fbi_code, latitude or longitude");
        goto fail;
    }
    for (g = 0; g < colstore_ngroups(t); g++) {
        const struct colstore_group *grp = colstore_group_at(t, g);
        const struct colstore_col *fc = colstore_group_col(grp, (size_t)cf);
        const double *la = colstore_col_data(colstore_group_col(grp, (size_t)clat));
        const double *lo = colstore_col_data(colstore_group_col(grp, (size_t)clon));
        const void *codes = colstore_col_data(fc);
        unsigned width = colstore_col_width(fc);
        uint32_t ncodes = colstore_col_dict_count(fc), code;
        size_t lo_row, hi_row;
        int any = 0;

        colstore_group_day_rows(grp, day_from, day_to, &lo_row, &hi_row);
        if (lo_row >= hi_row)
            continue;
        cscc_free(match);
        if (!(match = cscc_trycalloc(ncodes ? ncodes : 1, 1)))
            goto oom;
        for (code = 0; code < ncodes; code++) {
            const char *s = colstore_col_dict_str(fc, code, NULL);

            for (i = 0; s && i < nfbi; i++)
                if (!strcmp(s, fbi[i]))
                    any = match[code] = 1;
        }
        if (!any)
            continue;
        for (r = lo_row; r < hi_row; r++) {
            code = colstore_code_at(codes, width, r);
            if (code >= ncodes || !match[code] || !isfinite(la[r]) || !isfinite(lo[r]) ||
                la[r] == 0 || lo[r] == 0)
                continue;
            if (n == cap) {
                struct pt *np;

                cap = cap ? cap * 2 : 4096;
                if (!(np = cscc_tryreallocarray(pts, cap, sizeof(*pts))))
                    goto oom;
                pts = np;
            }
            pts[n].lat = la[r];
            pts[n].lon = lo[r];
            n++;
        }
    }
    if (n)
        qsort(pts, n, sizeof(*pts), by_lat);
    k->lat = cscc_trycalloc(n ? n : 1, sizeof(double));
    k->lon = cscc_trycalloc(n ? n : 1, sizeof(double));
    if (!k->lat || !k->lon)
        goto oom;
    for (i = 0; i < n; i++) {
        k->lat[i] = pts[i].lat;
        k->lon[i] = pts[i].lon;
    }
    k->n = n;
    cscc_free(pts);
    cscc_free(match);
    return k;
oom:
    cscc_err_set(err, CSCC_ENOMEM, "cannot collect violent incidents: out of memory");
fail:
    cscc_free(pts);
    cscc_free(match);
    coord_kde_free(k);
    return NULL;
}

void coord_kde_free(struct coord_kde *k)
{
    if (!k)
        return;
    cscc_free(k->lat);
    cscc_free(k->lon);
    cscc_free(k);
}

size_t coord_kde_count(const struct coord_kde *k)
{
    return k ? k->n : 0;
}

/* The first index whose latitude is >= lat. */
static size_t lower_bound(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

double coord_kde_density(const struct coord_kde *k, double lat, double lon, double h,
                         size_t *within)
{
    double dlat, kx, h2, sum = 0, hk;
    size_t i, n = 0;

    if (within)
        *within = 0;
    if (!k || !k->n || !(h > 0) || !isfinite(lat) || !isfinite(lon))
        return 0;
    dlat = h / M_PER_DEG;
    kx = M_PER_DEG * cos(lat * M_PI / 180);
    h2 = h * h;
    for (i = lower_bound(k->lat, k->n, lat - dlat); i < k->n && k->lat[i] <= lat + dlat; i++) {
        double dy = (k->lat[i] - lat) * M_PER_DEG, dx = (k->lon[i] - lon) * kx;
        double d2 = dx * dx + dy * dy;

        if (d2 < h2) {
            double u = 1 - d2 / h2;

            sum += u * u;
            n++;
        }
    }
    if (within)
        *within = n;
    hk = h / 1000;
    return 3.0 / (M_PI * hk * hk) * sum;
}

/* ------------------------------------------------------------------------ */
/* The priority score                                                        */
/* ------------------------------------------------------------------------ */

/* Today's day number in local (civil) time. */
static int64_t local_today(const struct coord *c)
{
    struct tm tm;
    int64_t now = coord_now(c);

    coord__localtime(now, &tm);
    return cscc_day_of(now + tm.tm_gmtoff);
}

/* Makes sure c->kde holds the window ending today (or at the table's last day). */
static int kde_window(struct coord *c, struct cscc_err *err)
{
    char codes[128], key[sizeof(c->kde_key)], *p;
    const char *fbi[32];
    size_t nfbi = 0;
    int64_t first, last, today = local_today(c), to, from;
    struct coord_kde *k;
    int rc;

    colstore_day_span(c->crimes, &first, &last);
    to = last < today ? last : today;
    from = to - c->cfg.kde_days + 1;
    snprintf(key, sizeof(key), "%s", c->cfg.kde_category);
    if (c->kde && !strcmp(key, c->kde_key) && c->kde_from == from && c->kde_to == to &&
        c->kde_generation == colstore_generation(c->crimes))
        return 0;
    rc = store_get_category(c->st, c->cfg.kde_category, codes, sizeof(codes), err);
    if (rc == CSCC_ENOENT)
        return coord__ferr(err, CSCC_EINVAL, "kde_category",
                           "setting kde_category names no crime category ('%s')",
                           c->cfg.kde_category);
    if (rc)
        return rc;
    for (p = codes; *p && nfbi < 32;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        fbi[nfbi++] = p;
        while (*p && *p != ' ')
            p++;
    }
    if (!(k = coord_kde_new(c->crimes, fbi, nfbi, from, to, err)))
        return err ? err->code : CSCC_ENOMEM;
    coord_kde_free(c->kde);
    c->kde = k;
    c->kde_from = from;
    c->kde_to = to;
    c->kde_today = today;
    c->kde_generation = colstore_generation(c->crimes);
    snprintf(c->kde_key, sizeof(c->kde_key), "%s", key);
    return 0;
}

int coord_score_point(struct coord *c, double weight, double lat, double lon, int area,
                      struct coord_score *s, struct cscc_err *err)
{
    size_t within = 0;
    int rc;

    memset(s, 0, sizeof(*s));
    s->weight = weight;
    s->bandwidth_m = c->cfg.kde_bandwidth_m;
    s->days = c->cfg.kde_days;
    s->violence = 1;
    if (c->crimes) {
        if ((rc = kde_window(c, err)))
            return rc;
        s->density = coord_kde_density(c->kde, lat, lon, c->cfg.kde_bandwidth_m, &within);
        s->incidents = (int64_t)within;
        s->until_day = c->kde_to;
        s->city_density = c->city_km2 > 0 ? (double)coord_kde_count(c->kde) / c->city_km2 : 0;
        s->ratio = s->city_density > 0 ? s->density / s->city_density : 0;
        s->violence = 1 + c->cfg.violence_coef * log2(1 + s->ratio);
    }
    s->priority_area = coord_is_priority_area(c, area);
    s->area_factor = s->priority_area ? c->cfg.priority_factor : 1;
    s->score = s->weight * s->violence * s->area_factor;
    return 0;
}
