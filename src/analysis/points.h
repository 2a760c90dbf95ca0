/**
 * points.h - the incidents a spatial analysis works on: selected from a
 * table, located in metres in the city's projected CRS.
 *
 * A selection reads one table of the data directory:
 *  - the crimes table, filtered exactly as `cscc query counts` filters
 *    (struct counts_query: period, primary types, FBI codes or a category,
 *    areas or the priority list; the same code decides, analysis_int.h);
 *  - the victims table, or any layer table (tables/layer_NAME.cst written by
 *    `cscc import layer`), filtered by period and areas only.
 * Each point has x, y in metres in the projected CRS, its time (civil seconds
 * of core/time.h; COLSTORE_NULL_I64 when the row has none), its community
 * area (255 when unknown) and a weight (1 unless a layer column is named).
 * Rows without a usable location are left out and counted.
 *
 * The projected CRS (struct an_crs) is the store's setting "projected_crs",
 * or EPSG:26971 (NAD83 / Illinois East, metres) when it is not set; results go
 * back to WGS84 through it. Crimes carry the City's State Plane X/Y in US
 * survey feet (EPSG:3435); when the CRS is that zone in metres (EPSG:26971)
 * they are converted by the exact factor 1200/3937 m per US survey foot (both
 * systems put the false easting at the same place: 984,250 ft = 300,000 m).
 * Otherwise, and for rows without X/Y, latitude/longitude go through PROJ,
 * a block of rows at a time.
 *
 * Two ways to read a selection:
 *  - analysis_points_scan() streams blocks of points to a callback, from
 *    `threads` threads at once (binning 8 million points needs no array of
 *    them);
 *  - analysis_points_load() gathers every point into struct an_points, in
 *    the table's order (deterministic: permutation tests depend on it).
 *
 * Thread safety: a selection reads immutable tables; the struct an_crs given
 * to a scan is only read (each thread makes its own PROJ converter).
 */
#ifndef CSCC_ANALYSIS_POINTS_H
#define CSCC_ANALYSIS_POINTS_H

#include "analysis/counts.h"
#include "analysis/result.h"
#include "colstore/colstore.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* The projected CRS                                                         */
/* ------------------------------------------------------------------------ */

#define AN_DEFAULT_CRS "EPSG:26971"

struct geo_proj;

/** The projected CRS of an analysis and its converter to and from WGS84. */
struct an_crs {
    char name[64];        /* "EPSG:26971" */
    int state_plane_m;    /* 1: crimes' X/Y feet convert by the exact factor */
    struct geo_proj *wgs; /* EPSG:4326 -> name */
};

/**
 * Sets up crs: name if not NULL, else the store's setting "projected_crs",
 * else AN_DEFAULT_CRS. st may be NULL (no setting read). A name given must be
 * a projected CRS in metres (geo_crs_check_metres): one in degrees or feet is
 * CSCC_EINVAL, with a message that begins with the name and says what to give
 * instead. CSCC_EDATA/ENOENT from PROJ (unknown CRS, no proj.db) with err
 * filled.
 */
int an_crs_init(struct an_crs *crs, struct store *st, const char *name, struct cscc_err *err);
void an_crs_release(struct an_crs *crs);
/** Projected (x, y) in place -> WGS84 (lon, lat), n points. 0 or CSCC_EDATA. */
int an_crs_to_wgs84(struct an_crs *crs, double *x, double *y, size_t n);
/** WGS84 (lon, lat) in place -> projected (x, y), n points. 0 or CSCC_EDATA. */
int an_crs_from_wgs84(struct an_crs *crs, double *x, double *y, size_t n);

/* ------------------------------------------------------------------------ */
/* Selections                                                                */
/* ------------------------------------------------------------------------ */

enum an_source { AN_SRC_CRIMES, AN_SRC_VICTIMS, AN_SRC_LAYER };

struct an_points_query {
    enum an_source source;
    const char *layer;     /* AN_SRC_LAYER: the layer's name */
    struct counts_query f; /* the filters (keys and rate are ignored) */
    const char *weight;    /* a layer's column of numeric weights, or NULL (all 1) */
    int keep_unlocated;    /* 1: rows without a location are kept with x = y = NaN (for counts
                              by community area); they still count in rows_no_location */
    int xy_only;           /* 1: the callback reads only x, y and w of a block (t and area are
                              left unset) */
};

/** What a selection used: every result states it (analysis_points_describe). */
struct an_points_info {
    char source[64];             /* "crimes", "victims", "layer:NAME" */
    uint64_t generation;         /* of the table read */
    int64_t first_day, last_day; /* the period */
    uint64_t rows_in_period;     /* rows of the table in the period */
    uint64_t rows_selected;      /* of those, rows the filters kept */
    uint64_t rows_no_location;   /* of those, rows left out: no usable location */
    uint64_t points;             /* = rows_selected - rows_no_location */
    uint64_t by_factor;          /* points converted from State Plane feet by the factor */
    char fbi_list[512];          /* FBI codes filtered on ("" when none) */
    char warnings[512];          /* "no row has primary type 'X'"..., "" when none */
};

/** The most points a block holds. */
#define AN_POINT_BLOCK 4096

/** A block of points handed to a scan's callback (valid during the call). */
struct an_point_block {
    size_t n;
    const double *x, *y;
    const int64_t *t;
    const uint8_t *area;
    const double *w; /* NULL: every weight is 1 */
};

/**
 * Called for each block, from thread number `thread` (0 .. threads-1); blocks
 * of one thread come one at a time. Returns 0 to go on, else stops the scan
 * (that value is returned).
 */
typedef int (*an_points_fn)(void *arg, int thread, const struct an_point_block *b);

/** The file name a query reads ("crimes", "victims", "layer_NAME"); CSCC_EINVAL on a bad
 * layer name. */
int analysis_points_table(const struct an_points_query *q, char *buf, size_t cap,
                          struct cscc_err *err);

/**
 * Streams the points of q in table t (opened by the caller from
 * analysis_points_table()) through fn, with `threads` threads (1 or more).
 * info gets what was used. Returns 0, fn's non-zero value, or a CSCC_E*
 * code with err filled (bad filter, unknown weight column, PROJ missing).
 */
int analysis_points_scan(const struct colstore_table *t, struct store *st,
                         const struct an_points_query *q, const struct an_crs *crs, int threads,
                         an_points_fn fn, void *arg, struct an_points_info *info,
                         struct cscc_err *err);

/** Every point of a selection, in table order. Caller-owned; release with
 * an_points_release(). */
struct an_points {
    size_t n;
    double *x, *y;
    int64_t *t;
    uint8_t *area;
    double *w; /* NULL when every weight is 1 */
    struct an_points_info info;
};

/** Loads the points of q (one thread, table order). CSCC_ENOMEM when they do
 * not fit; other errors as analysis_points_scan(). p is empty on error. */
int analysis_points_load(const struct colstore_table *t, struct store *st,
                         const struct an_points_query *q, const struct an_crs *crs,
                         struct an_points *p, struct cscc_err *err);
void an_points_release(struct an_points *p);

/**
 * Where an analysis gets its points: points already in memory (pts), or a
 * table to scan (t, st, q, crs). Analyses take one of these, so the same code
 * serves a stored selection and a test's hand-made points.
 */
struct an_pointsrc {
    const struct an_points *pts;
    const struct colstore_table *t;
    struct store *st;
    const struct an_points_query *q;
    const struct an_crs *crs;
};

/**
 * Streams the points of src through fn as analysis_points_scan() does (for
 * points in memory: blocks of them, threads taking blocks in turn; info is
 * then pts->info). Same returns.
 */
int an_pointsrc_each(const struct an_pointsrc *src, int threads, an_points_fn fn, void *arg,
                     struct an_points_info *info, struct cscc_err *err);

/** Adds what a selection used to a result's "data" (source, period, rows,
 * filters, CRS, conversion) and its warnings. */
void analysis_points_describe(const struct an_points_info *info, const struct an_points_query *q,
                              const struct an_crs *crs, struct an_result *r);

#endif
