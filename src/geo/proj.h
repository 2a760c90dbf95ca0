/**
 * proj.h - coordinate conversion between reference systems, through PROJ.
 *
 * A struct geo_proj converts points from one CRS to another. Coordinates are always in
 * "traditional GIS order", whatever the CRS definition says: longitude, latitude (degrees) for
 * geographic systems, x (easting), y (northing) for projected ones, in the CRS's unit (US survey
 * feet for EPSG:3435, metres for EPSG:26971 and EPSG:26916).
 *
 * PROJ needs its database, proj.db, to understand "EPSG:nnnn" codes. On Debian it is in the
 * package proj-data (scripts/install-deps installs it); PROJ looks in /usr/share/proj, or in the
 * directory named by the environment variable PROJ_DATA. When it is missing, geo_proj_new()
 * fails with a message that says so. Network access to PROJ's grid CDN is disabled: only grids
 * installed locally are used, so the chosen operation never depends on the network.
 *
 * Threads: a struct geo_proj (it owns a PROJ context) must be used by one thread at a time;
 * create one per thread. geo_proj_new() itself may be called from any thread.
 */
#ifndef CSCC_GEO_PROJ_H
#define CSCC_GEO_PROJ_H

#include "core/err.h"

#include <stddef.h>

struct geo_proj;

/**
 * A converter from CRS `from` to CRS `to`, each any string PROJ accepts ("EPSG:4326",
 * "EPSG:3435", "EPSG:26971", "EPSG:26916", a PROJ string, WKT). Returns NULL and fills err:
 * CSCC_EDATA when PROJ does not know a CRS or finds no operation between them (the message
 * names both and gives PROJ's reason), CSCC_ENOENT when PROJ cannot find proj.db (the message
 * says to install proj-data or set PROJ_DATA), CSCC_ENOMEM.
 */
struct geo_proj *geo_proj_new(const char *from, const char *to, struct cscc_err *err);

/**
 * Converts one point in place, from -> to. Returns 0, or CSCC_EDATA when the input is not
 * finite or PROJ cannot convert it (outside the projection's domain); *x and *y are then left
 * unchanged and geo_proj_errmsg() says why.
 */
int geo_proj_fwd(struct geo_proj *p, double *x, double *y);

/**
 * Converts n points in place (x[i], y[i]), from -> to, in one call (proj_trans_generic).
 * A point whose input is not finite, or that PROJ cannot convert, becomes (NaN, NaN); the
 * others are converted. Returns 0 when every point with finite input converted, else
 * CSCC_EDATA (after converting all it could).
 */
int geo_proj_fwd_n(struct geo_proj *p, double *x, double *y, size_t n);

/** As geo_proj_fwd(), in the inverse direction (to -> from). */
int geo_proj_inv(struct geo_proj *p, double *x, double *y);

/** As geo_proj_fwd_n(), in the inverse direction (to -> from). */
int geo_proj_inv_n(struct geo_proj *p, double *x, double *y, size_t n);

/** Why the last conversion on p failed ("" if none has). Valid until the next call on p. */
const char *geo_proj_errmsg(const struct geo_proj *p);

/** Frees p and its PROJ context. Accepts NULL. */
void geo_proj_free(struct geo_proj *p);

/**
 * Checks that crs (any string geo_proj_new() takes) is a projected CRS whose two horizontal
 * axes are in metres, the unit in which distances, cell sizes and densities are stated. A
 * bound CRS is judged by its base, a compound one by its horizontal part; a PROJ string
 * without +type=crs is read as the CRS it defines, as geo_proj_new() reads it.
 *
 * Returns 0, or fills err: CSCC_EINVAL when the CRS is refused (geographic: degrees;
 * geocentric or not a CRS; projected in another unit, which the message names, such as the
 * US survey foot of EPSG:3435), with a message that begins with crs and says what to give
 * instead; CSCC_EDATA when PROJ does not know it; CSCC_ENOENT when PROJ or proj.db cannot be
 * found; CSCC_ENOMEM. Leaves nothing behind. Any thread.
 */
int geo_crs_check_metres(const char *crs, struct cscc_err *err);

/**
 * The CRS of Chicago's projected coordinates (Illinois State Plane East, NAD83) given their
 * unit: "ft" (also "feet", "foot", "us-ft", "ftUS") gives "EPSG:3435" (US survey feet; the
 * crime data's X/Y Coordinate columns), "m" (also "metre", "meter", "metres", "meters") gives
 * "EPSG:26971". Case-insensitive. NULL for any other unit or NULL.
 */
const char *geo_city_crs_for_units(const char *units);

#endif
