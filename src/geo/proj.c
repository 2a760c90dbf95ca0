/* proj.c - the one file that talks to PROJ.
 *
 * PROJ is loaded when the first converter is made (dlopen), not when cscc
 * starts: linked in, it and the 40 libraries it pulls (curl, TLS, TIFF,
 * Kerberos...) cost every command ~15 ms of start-up, and most commands never
 * convert a coordinate. Only PROJ's header is used at build time. */
#include "geo/proj.h"

#include "core/alloc.h"
#include "cscc_build.h"

#include <dlfcn.h>
#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The PROJ functions cscc calls, resolved from the library at first use. */
#define PROJ_FUNCS(X)                                                                              \
    X(proj_context_create)                                                                         \
    X(proj_context_destroy)                                                                        \
    X(proj_context_errno)                                                                          \
    X(proj_context_errno_string)                                                                   \
    X(proj_context_get_database_path)                                                              \
    X(proj_context_set_enable_network)                                                             \
    X(proj_coord)                                                                                  \
    X(proj_create)                                                                                 \
    X(proj_create_crs_to_crs)                                                                      \
    X(proj_crs_get_coordinate_system)                                                              \
    X(proj_crs_get_sub_crs)                                                                        \
    X(proj_cs_get_axis_count)                                                                      \
    X(proj_cs_get_axis_info)                                                                       \
    X(proj_destroy)                                                                                \
    X(proj_errno)                                                                                  \
    X(proj_errno_reset)                                                                            \
    X(proj_get_source_crs)                                                                         \
    X(proj_get_type)                                                                               \
    X(proj_log_func)                                                                               \
    X(proj_normalize_for_visualization)                                                            \
    X(proj_trans)                                                                                  \
    X(proj_trans_generic)

static struct {
#define X(f) __typeof__(&f) f;
    PROJ_FUNCS(X)
#undef X
} lib;
static char lib_error[512];
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;

static void lib_load(void)
{
    static const char *const names[] = {CSCC_PROJ_SONAME, "libproj.so"};
    void *h = NULL;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]) && !h; i++)
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(lib_error, sizeof(lib_error),
                 "cannot load the PROJ library (%s): %s; install the Debian package libproj25 "
                 "(scripts/install-deps does)",
                 CSCC_PROJ_SONAME, dlerror());
        return;
    }
#define X(f)                                                                                       \
    if (!(lib.f = (__typeof__(&f))dlsym(h, #f))) {                                                 \
        snprintf(lib_error, sizeof(lib_error), "the PROJ library lacks %s", #f);                   \
        return;                                                                                    \
    }
    PROJ_FUNCS(X)
#undef X
    lib_ok = 1;
}

struct geo_proj {
    PJ_CONTEXT *ctx;
    PJ *pj;        /* normalised for visualisation: lon, lat / easting, northing */
    char msg[256]; /* the last error PROJ logged, or why the last conversion failed */
};

/* PROJ reports details (a CRS it does not know, a missing proj.db) only through its logger;
   keep the latest error for our messages instead of letting PROJ print to stderr. */
static void on_log(void *data, int level, const char *msg)
{
    struct geo_proj *p = data;

    if (level <= PJ_LOG_ERROR && msg)
        snprintf(p->msg, sizeof(p->msg), "%s", msg);
}

struct geo_proj *geo_proj_new(const char *from, const char *to, struct cscc_err *err)
{
    struct geo_proj *p;

    pthread_once(&lib_once, lib_load);
    if (!lib_ok) {
        cscc_err_set(err, CSCC_ENOENT, "%s", lib_error);
        return NULL;
    }
    p = cscc_xcalloc(1, sizeof(*p));
    PJ *raw = NULL;

    if (!from || !to) {
        cscc_err_set(err, CSCC_EINVAL, "no CRS given to convert %s", from ? "to" : "from");
        goto fail;
    }
    p->ctx = lib.proj_context_create();
    if (!p->ctx) {
        cscc_err_set(err, CSCC_ENOMEM, "cannot create a PROJ context");
        goto fail;
    }
    lib.proj_log_func(p->ctx, p, on_log);
    lib.proj_context_set_enable_network(p->ctx, 0);
    raw = lib.proj_create_crs_to_crs(p->ctx, from, to, NULL);
    if (!raw) {
        const char *env = getenv("PROJ_DATA");

        if (!lib.proj_context_get_database_path(p->ctx))
            cscc_err_set(err, CSCC_ENOENT,
                         "cannot convert from %s to %s: PROJ cannot find its database proj.db "
                         "(install the Debian package proj-data, or set PROJ_DATA to the "
                         "directory that holds proj.db%s%s%s)",
                         from, to, env ? "; PROJ_DATA is now \"" : "", env ? env : "",
                         env ? "\"" : "");
        else
            cscc_err_set(
                err, CSCC_EDATA, "cannot convert from %s to %s: %s", from, to,
                p->msg[0] ? p->msg
                          : lib.proj_context_errno_string(p->ctx, lib.proj_context_errno(p->ctx)));
        goto fail;
    }
    p->pj = lib.proj_normalize_for_visualization(p->ctx, raw);
    lib.proj_destroy(raw);
    if (!p->pj) {
        cscc_err_set(err, CSCC_EDATA, "cannot convert from %s to %s: %s", from, to,
                     p->msg[0] ? p->msg : "cannot normalise the axis order");
        goto fail;
    }
    p->msg[0] = '\0';
    return p;
fail:
    geo_proj_free(p);
    return NULL;
}

static int trans1(struct geo_proj *p, PJ_DIRECTION dir, double *x, double *y)
{
    PJ_COORD c;

    if (!isfinite(*x) || !isfinite(*y)) {
        snprintf(p->msg, sizeof(p->msg), "coordinate is not a finite number");
        return CSCC_EDATA;
    }
    lib.proj_errno_reset(p->pj);
    c = lib.proj_trans(p->pj, dir, lib.proj_coord(*x, *y, 0, HUGE_VAL));
    if (!isfinite(c.xy.x) || !isfinite(c.xy.y)) {
        int e = lib.proj_errno(p->pj);

        snprintf(p->msg, sizeof(p->msg), "cannot convert (%.10g, %.10g): %s", *x, *y,
                 e ? lib.proj_context_errno_string(p->ctx, e) : "outside the projection's domain");
        lib.proj_errno_reset(p->pj);
        return CSCC_EDATA;
    }
    *x = c.xy.x;
    *y = c.xy.y;
    return 0;
}

static int trans_n(struct geo_proj *p, PJ_DIRECTION dir, double *x, double *y, size_t n)
{
    size_t i, bad_in = 0, bad_out = 0;

    for (i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            x[i] = y[i] = NAN;
            bad_in++;
        }
    if (bad_in == n)
        return 0;
    lib.proj_errno_reset(p->pj);
    lib.proj_trans_generic(p->pj, dir, x, sizeof(double), n, y, sizeof(double), n, NULL, 0, 0, NULL,
                           0, 0);
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            x[i] = y[i] = NAN;
            bad_out++;
        }
    lib.proj_errno_reset(p->pj);
    if (bad_out > bad_in) {
        snprintf(p->msg, sizeof(p->msg), "%zu of %zu points could not be converted",
                 bad_out - bad_in, n);
        return CSCC_EDATA;
    }
    return 0;
}

int geo_proj_fwd(struct geo_proj *p, double *x, double *y)
{
    return trans1(p, PJ_FWD, x, y);
}

int geo_proj_inv(struct geo_proj *p, double *x, double *y)
{
    return trans1(p, PJ_INV, x, y);
}

int geo_proj_fwd_n(struct geo_proj *p, double *x, double *y, size_t n)
{
    return trans_n(p, PJ_FWD, x, y, n);
}

int geo_proj_inv_n(struct geo_proj *p, double *x, double *y, size_t n)
{
    return trans_n(p, PJ_INV, x, y, n);
}

const char *geo_proj_errmsg(const struct geo_proj *p)
{
    return p->msg;
}

void geo_proj_free(struct geo_proj *p)
{
    if (!p)
        return;
    if (p->pj)
        lib.proj_destroy(p->pj);
    if (p->ctx)
        lib.proj_context_destroy(p->ctx);
    cscc_free(p);
}

/* What a PROJ type is, for people: "EPSG:5703 is a vertical CRS (heights)". */
static const char *crs_kind(PJ_TYPE t)
{
    switch (t) {
    case PJ_TYPE_GEOCENTRIC_CRS: return "geocentric (x, y, z from the earth's centre)";
    case PJ_TYPE_VERTICAL_CRS: return "a vertical CRS (heights)";
    case PJ_TYPE_TEMPORAL_CRS: return "a temporal CRS";
    case PJ_TYPE_ENGINEERING_CRS: return "an engineering CRS";
    case PJ_TYPE_CONVERSION:
    case PJ_TYPE_TRANSFORMATION:
    case PJ_TYPE_CONCATENATED_OPERATION:
    case PJ_TYPE_OTHER_COORDINATE_OPERATION: return "a coordinate operation, not a CRS";
    default: return "not a projected CRS";
    }
}

static int is_crs(PJ_TYPE t)
{
    return t >= PJ_TYPE_CRS && t <= PJ_TYPE_OTHER_CRS;
}

#define METRIC_EXAMPLE "such as EPSG:26971 (Illinois East) or EPSG:26916 (UTM zone 16N)"

int geo_crs_check_metres(const char *crs, struct cscc_err *err)
{
    struct geo_proj log; /* where PROJ's logger leaves its last error */
    PJ *obj = NULL, *base = NULL, *sub = NULL, *cs = NULL;
    const PJ *c;
    PJ_TYPE type;
    int rc = 0, i, n;

    pthread_once(&lib_once, lib_load);
    if (!lib_ok)
        return cscc_err_set(err, CSCC_ENOENT, "%s", lib_error);
    if (!crs || !*crs)
        return cscc_err_set(err, CSCC_EINVAL, "no CRS given");
    memset(&log, 0, sizeof(log));
    if (!(log.ctx = lib.proj_context_create()))
        return cscc_err_set(err, CSCC_ENOMEM, "cannot create a PROJ context");
    lib.proj_log_func(log.ctx, &log, on_log);
    lib.proj_context_set_enable_network(log.ctx, 0);
    obj = lib.proj_create(log.ctx, crs);
    /* A PROJ string without +type=crs is read as a conversion; PROJ takes it
     * as the CRS it defines when converting (proj_create_crs_to_crs), so
     * read it so here too. */
    if (obj && strstr(crs, "+proj=") && !strstr(crs, "+type=crs") &&
        !is_crs(lib.proj_get_type(obj))) {
        char def[1024];

        if (snprintf(def, sizeof(def), "%s +type=crs", crs) < (int)sizeof(def)) {
            lib.proj_destroy(obj);
            obj = lib.proj_create(log.ctx, def);
        }
    }
    if (!obj) {
        if (!lib.proj_context_get_database_path(log.ctx))
            rc = cscc_err_set(err, CSCC_ENOENT,
                              "%s cannot be read: PROJ cannot find its database proj.db "
                              "(install the Debian package proj-data, or set PROJ_DATA to the "
                              "directory that holds proj.db)",
                              crs);
        else
            rc = cscc_err_set(err, CSCC_EDATA, "%s is not a CRS that PROJ knows (%s)", crs,
                              log.msg[0] ? log.msg
                                         : lib.proj_context_errno_string(
                                               log.ctx, lib.proj_context_errno(log.ctx)));
        goto out;
    }
    /* What to check: a bound CRS's base, a compound CRS's horizontal part. */
    c = obj;
    if (lib.proj_get_type(c) == PJ_TYPE_BOUND_CRS && (base = lib.proj_get_source_crs(log.ctx, c)))
        c = base;
    if (lib.proj_get_type(c) == PJ_TYPE_COMPOUND_CRS &&
        (sub = lib.proj_crs_get_sub_crs(log.ctx, c, 0)))
        c = sub;
    type = lib.proj_get_type(c);
    if (type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS) {
        rc = cscc_err_set(
            err, CSCC_EINVAL,
            "%s is geographic (degrees); give a projected CRS in metres " METRIC_EXAMPLE, crs);
        goto out;
    }
    if (type != PJ_TYPE_PROJECTED_CRS) {
        rc = cscc_err_set(err, CSCC_EINVAL,
                          "%s is %s; give a projected CRS in metres " METRIC_EXAMPLE, crs,
                          crs_kind(type));
        goto out;
    }
    if (!(cs = lib.proj_crs_get_coordinate_system(log.ctx, c)) ||
        (n = lib.proj_cs_get_axis_count(log.ctx, cs)) < 2) {
        rc = cscc_err_set(err, CSCC_EDATA, "%s: PROJ cannot read its axes", crs);
        goto out;
    }
    for (i = 0; i < 2; i++) {
        const char *unit = NULL;
        double factor = 0;

        if (!lib.proj_cs_get_axis_info(log.ctx, cs, i, NULL, NULL, NULL, &factor, &unit, NULL,
                                       NULL)) {
            rc = cscc_err_set(err, CSCC_EDATA, "%s: PROJ cannot read its axes", crs);
            goto out;
        }
        /* A metre is 1 m exactly; PROJ gives other linear units' size in metres. */
        if (!(fabs(factor - 1) < 1e-12)) {
            rc = cscc_err_set(
                err, CSCC_EINVAL,
                "%s measures its axes in the unit '%s' (%.12g m), not in metres; give a "
                "projected CRS in metres " METRIC_EXAMPLE,
                crs, unit && *unit ? unit : "unnamed", factor);
            goto out;
        }
    }
out:
    if (cs)
        lib.proj_destroy(cs);
    if (sub)
        lib.proj_destroy(sub);
    if (base)
        lib.proj_destroy(base);
    if (obj)
        lib.proj_destroy(obj);
    lib.proj_context_destroy(log.ctx);
    return rc;
}

const char *geo_city_crs_for_units(const char *units)
{
    static const char *const feet[] = {"ft", "feet", "foot", "us-ft", "ftus", "us_ft"};
    static const char *const metres[] = {"m", "metre", "meter", "metres", "meters"};
    size_t i;

    if (!units)
        return NULL;
    for (i = 0; i < sizeof(feet) / sizeof(feet[0]); i++)
        if (!strcasecmp(units, feet[i]))
            return "EPSG:3435";
    for (i = 0; i < sizeof(metres) / sizeof(metres[0]); i++)
        if (!strcasecmp(units, metres[i]))
            return "EPSG:26971";
    return NULL;
}
