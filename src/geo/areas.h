/**
 * areas.h - community areas (or any set of numbered polygons): which area holds a point.
 *
 * A struct geo_areas holds numbered Polygon/MultiPolygon areas in RFC 7946 lon/lat degrees and
 * answers geo_areas_locate() through a uniform grid index: a grid cell that no area boundary
 * crosses answers at once; a cell that boundaries cross tests the point only against the areas
 * whose edges cross it, each through a per-area index of horizontal bands. The answer is always
 * the same as the plain crossing-number test over every edge of every area (below), which the
 * unit tests check point by point on a year of real data.
 *
 * The point-in-area rule (even-odd crossing number with a half-open convention):
 *  - A point is inside an area when a ray from it towards +longitude crosses the area's edges
 *    (all rings of all its polygons, holes included) an odd number of times. An edge from a to b
 *    with a.lat < b.lat is crossed when a.lat <= lat < b.lat and the point lies strictly west of
 *    it: lon < min(a.lon, b.lon), or lon < max(a.lon, b.lon) and
 *    (b.lon - a.lon) * (lat - a.lat) - (b.lat - a.lat) * (lon - a.lon) > 0, computed in doubles
 *    exactly so. East-west (horizontal) edges are never crossed.
 *  - Consequence for boundaries: a point exactly on a boundary belongs to the area that holds
 *    the points just east of it; on an east-west boundary, to the area just north of it (at a
 *    vertex, the area holding the points a tiny step east and a tinier step north). Two areas
 *    that share an edge (the same two vertices) therefore never both claim a point on it, and
 *    one of them does unless the edge is the outer boundary on that side. A point on the outer
 *    east or north boundary of the whole set is outside (0).
 *  - Areas should not overlap; if they do, the one added (or listed) first wins.
 *  - NaN or infinite coordinates are outside (0).
 *
 * Ownership and threads: the caller owns the struct geo_areas and frees it with
 * geo_areas_free(). After geo_areas_finish() (the loaders call it) the object is immutable and
 * every read function is thread-safe; geo_areas_add()/geo_areas_finish() are not.
 */
#ifndef CSCC_GEO_AREAS_H
#define CSCC_GEO_AREAS_H

#include "core/err.h"

#include <stddef.h>

struct geo_areas;

/** Largest GeoJSON text geo_areas_load_file() reads, in bytes (after gzip decompression). */
#define GEO_AREAS_MAX_FILE ((size_t)512 << 20)

/**
 * Loads a GeoJSON FeatureCollection (plain or gzip-compressed file) whose features are Polygon
 * or MultiPolygon areas in lon/lat. id_prop names the property holding the area number, a
 * positive integer (JSON integer, integral real, or a string of decimal digits such as "35");
 * name_prop names a string property used as the area's name, or is NULL.
 * Returns the finished index, or NULL with err filled: CSCC_ENOENT/CSCC_EIO when the file cannot
 * be read, CSCC_EDATA naming the feature ("features[12]: ...") and the problem (missing or
 * non-integer id property, duplicate id, geometry type not Polygon/MultiPolygon, ring not
 * closed or with fewer than 4 positions, non-numeric or out-of-range coordinates, a "crs" that
 * is not lon/lat), CSCC_ENOMEM.
 */
struct geo_areas *geo_areas_load_file(const char *path, const char *id_prop, const char *name_prop,
                                      struct cscc_err *err);

/** As geo_areas_load_file(), from len bytes of GeoJSON text at buf. */
struct geo_areas *geo_areas_load_json(const char *buf, size_t len, const char *id_prop,
                                      const char *name_prop, struct cscc_err *err);

/**
 * The GeoJSON geometry text geometry_json with every Polygon's rings turned
 * as RFC 7946 section 3.1.6 requires (the right-hand rule: exterior rings
 * counterclockwise, holes clockwise); other geometry types come back as they
 * are. Numbers are written with 17 significant digits. Returns a new string
 * (cscc_free), or NULL with err filled (CSCC_EDATA: not a JSON object).
 */
char *geo_geometry_rfc7946(const char *geometry_json, struct cscc_err *err);

/** An empty set, to fill with geo_areas_add() and then geo_areas_finish(). Cannot fail. */
struct geo_areas *geo_areas_new(void);

/**
 * Adds area id (> 0, not already present) named name (copied; may be NULL) whose geometry is
 * geometry_json, a GeoJSON Polygon or MultiPolygon geometry object as text (as stored in the
 * database). Returns 0, or CSCC_EINVAL (bad id, duplicate id, already finished) or CSCC_EDATA
 * (bad geometry; the message says what is wrong) or CSCC_ENOMEM; on error the set is unchanged.
 */
int geo_areas_add(struct geo_areas *a, int id, const char *name, const char *geometry_json,
                  struct cscc_err *err);

/**
 * Builds the index; call once after the last add. Returns 0, CSCC_EINVAL when called twice, or
 * CSCC_ENOMEM (the set is then unusable: locate() answers 0; free it). An empty set is allowed.
 */
int geo_areas_finish(struct geo_areas *a, struct cscc_err *err);

/** Number of areas. */
size_t geo_areas_count(const struct geo_areas *a);

/**
 * The id of the area containing (lon, lat), or 0 when the point is outside every area, is not
 * finite, or the set is not finished. Boundary points follow the rule at the top of this file.
 * Thread-safe; typically well under a microsecond.
 */
int geo_areas_locate(const struct geo_areas *a, double lon, double lat);

/** The name of area id ("" when it has none), or NULL if id is not an area of the set. */
const char *geo_areas_name(const struct geo_areas *a, int id);

/**
 * The id of the i-th area in the order added (i < geo_areas_count()), so callers can list the
 * areas. Returns 0 when i is out of range.
 */
int geo_areas_id_at(const struct geo_areas *a, size_t i);

/** The bounding box of all areas: minlon, minlat, maxlon, maxlat (all 0 for an empty set). */
void geo_areas_bbox(const struct geo_areas *a, double bbox[4]);

/**
 * The distinct vertices of area id (lon, lat pairs, sorted by lon then lat; *n pairs), or NULL
 * (*n = 0) when id is not an area of the set. Valid until the set is freed.
 */
const double *geo_areas_vertices(const struct geo_areas *a, int id, size_t *n);

/**
 * Contiguity between the areas, as spdep's poly2nb() decides it: two areas are neighbours when
 * at least one vertex of each lies within snap (in degrees, per coordinate) of a vertex of the
 * other (queen), or at least two distinct vertices do (rook: a shared edge). snap = 1.5e-8 is
 * spdep's default (the square root of the machine epsilon). Areas are numbered by their order
 * in the set (geo_areas_id_at): *off (n + 1 offsets) and *nb (the neighbour indices of area i
 * are nb[off[i] .. off[i+1]), ascending) are allocated for the caller (cscc_free). Returns 0,
 * CSCC_EINVAL (bad snap) or CSCC_ENOMEM. O(vertices log vertices + n^2).
 */
int geo_areas_contiguity(const struct geo_areas *a, int queen, double snap, size_t **off,
                         size_t **nb, struct cscc_err *err);

/** Frees the set. Accepts NULL. */
void geo_areas_free(struct geo_areas *a);

#endif
