/**
 * spatial.h - what the spatial analyses (kde, gistar, moran, knox, rtm, pai)
 * share, for the command line and the API alike: the options naming their
 * points (layer, victims, weight), the projected CRS (crs) and the grid
 * (cell, grid, extent), read by name from text (a long option's argument or
 * a request's parameter), and what they open (CRS, community areas, grid).
 *
 * Options are named as the CLI's long options; '-' and '_' are the same (the
 * API spells "all_cells" what the CLI spells "--all-cells"). A flag's value
 * is NULL (set), or "true"/"false"/"1"/"0". An option that is refused gets
 * CSCC_EINVAL with a message that begins with the option's name (the CLI
 * puts "--" before it) and the name as the error's field.
 */
#ifndef CSCC_ANALYSIS_SPATIAL_H
#define CSCC_ANALYSIS_SPATIAL_H

#include "analysis/grid.h"
#include "analysis/points.h"

struct an_spatial {
    struct an_points_query q; /* q.f, the incident filter, is the caller's */
    const char *crs_name;     /* NULL: the setting projected_crs, else EPSG:26971 */
    double cell;              /* metres, 0: not given */
    unsigned long gnx, gny;   /* cells, 0: not given */
    int extent_points;        /* 1: the points' extent, 0: the community areas' */
    int threads;
    /* an_spatial_open() and an_spatial_city() */
    struct store *st; /* the caller's */
    struct an_crs crs;
    struct an_city city;
    struct an_pointsrc src;
    int crs_ok, city_ok;
};

void an_spatial_init(struct an_spatial *s);
/** 1 when name is the option of name (with '-' or '_'). */
int an_opt_is(const char *name, const char *option);
/** A flag's value: 1 or 0; -1 when value is not a boolean. */
int an_opt_flag(const char *value);
/** Sets err (CSCC_EINVAL, field name) to "NAME " fmt...; returns -1. */
int an_opt_bad(struct cscc_err *err, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** A number in [min, max] or -1 (strtod; finite). */
int an_opt_double(const char *s, double min, double max, double *out);
/** A decimal number in [min, max] or -1. */
int an_opt_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/**
 * One of the options of the points and the grid: 1 when it was one (set),
 * 0 when name is not one of them, -1 when its value is refused (err).
 * grid: whether the grid's options (cell, grid, extent) apply.
 */
int an_spatial_option(struct an_spatial *s, int grid, const char *name, const char *value,
                      struct cscc_err *err);

/**
 * Opens the CRS of st (s->crs_name) and, given the points' table t (NULL when
 * the analysis reads none), the point source. 0 or an error (a CRS that
 * cannot be used is CSCC_EINVAL with field "crs").
 */
int an_spatial_open(struct an_spatial *s, struct store *st, const struct colstore_table *t,
                    struct cscc_err *err);
/** Loads the community areas (once). */
int an_spatial_city(struct an_spatial *s, struct cscc_err *err);
/**
 * The grid of the options: cell or grid (not both), over the community areas
 * or the points' extent; default_cell metres when neither is given.
 */
int an_spatial_grid(struct an_spatial *s, double default_cell, struct an_grid *g,
                    struct cscc_err *err);
/** How a message names options: as the command line does (--type X) or the API (type=X). */
enum an_spelling { AN_SPELL_CLI, AN_SPELL_API };

/**
 * Whether selection q (read through s's table, store and CRS, after
 * an_spatial_open) has anything in it: a point with a location or, when
 * q->keep_unlocated is set, any row the filters keep. The scan stops at the
 * first block that has one, so it reads the whole selection only when there
 * is none; then *info describes it all (rows in the period, rows selected,
 * the filter's warnings). 1 when there is one, 0 when there is none, or a
 * CSCC_E* code (negative) with err filled.
 */
int an_spatial_any(const struct an_spatial *s, const struct an_points_query *q,
                   struct an_points_info *info, struct cscc_err *err);

/**
 * Refuses to analyse nothing: 0 when s's selection has a point with a
 * location (by_area: a row, located or not, as analyses of community areas
 * count them); else CSCC_EINVAL, the message naming the filters given and
 * what to widen, spelt as sp says ("no events match the filters: --type
 * NOSUCH (no row has primary type 'NOSUCH'); widen --type"), and err's field
 * the filter to widen. Other errors of the scan as an_spatial_any().
 */
int an_spatial_require(const struct an_spatial *s, int by_area, enum an_spelling sp,
                       struct cscc_err *err);

/** Adds the selection's description (analysis_points_describe) to r. */
void an_spatial_describe(const struct an_spatial *s, struct an_result *r,
                         const struct an_points_info *info);
/** Releases what open and city took (not the store nor the table). */
void an_spatial_release(struct an_spatial *s);

#endif
