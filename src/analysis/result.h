/**
 * result.h - what every analysis hands back, and how it is written.
 *
 * An analysis result states what was asked and what it used, so that anyone
 * can check it or run it again: the analysis's name, its parameters (in the
 * order given), the data it used (period, categories, rows, layers...), its
 * random seed when it has one, summary figures (a global statistic, totals),
 * warnings for people, and a table: named, typed columns and rows, each row
 * with an optional geometry in WGS84 (a point, a polygon ring, or a GeoJSON
 * geometry such as a community area's boundary).
 *
 * Formats:
 *  - CSV: the table only (header, then rows; text cells neutralised against
 *    spreadsheet formulas); numbers printed in full precision, in the
 *    fewest digits that read back the same (cscc_fmt_double).
 *  - JSON: {"analysis", "parameters", "data", "seed", "summary",
 *    "warnings", "columns": [{"name","type"}], "rows": [[...], ...]}; a row's
 *    geometry is not included (use GeoJSON).
 *  - GeoJSON (RFC 7946): a FeatureCollection, one Feature per row with its
 *    geometry (null when it has none) and its cells as properties; the
 *    result's description is the foreign member "cscc" (analysis,
 *    parameters, data, seed, summary, warnings).
 * NaN and infinities are written as empty CSV cells and JSON null.
 *
 * Not thread-safe; a result belongs to one thread. Memory errors abort
 * (results are small next to the tables they come from).
 */
#ifndef CSCC_ANALYSIS_RESULT_H
#define CSCC_ANALYSIS_RESULT_H

#include "core/strbuf.h"

#include <stddef.h>
#include <stdint.h>

enum an_type { AN_INT, AN_NUM, AN_STR };

enum an_format { AN_CSV, AN_JSON, AN_GEOJSON };

struct an_result;

/** A new, empty result of the analysis named name ("kde", "gistar"...). */
struct an_result *an_result_new(const char *name);
void an_result_free(struct an_result *r);

/* What was asked and what was used: key/value pairs kept in order. A value
 * given as text is written as a JSON string, a number as a JSON number. */
void an_param(struct an_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void an_param_num(struct an_result *r, const char *key, double v);
void an_data(struct an_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void an_data_num(struct an_result *r, const char *key, double v);
void an_summary_num(struct an_result *r, const char *key, double v);
void an_summary(struct an_result *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void an_seed(struct an_result *r, uint64_t seed);
void an_warn(struct an_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Adds a column; columns come before the first row. */
void an_column(struct an_result *r, const char *name, enum an_type type);

/** Starts a row; then one an_int/an_num/an_str per column, in order. */
void an_row(struct an_result *r);
void an_int(struct an_result *r, int64_t v);
void an_num(struct an_result *r, double v);
void an_str(struct an_result *r, const char *s);
/* The current row's geometry (GeoJSON output), WGS84 longitude/latitude. */
void an_geom_point(struct an_result *r, double lon, double lat);
/* A polygon of one ring: n points (lon, lat pairs), closed or not. */
void an_geom_ring(struct an_result *r, const double *lonlat, size_t n);
/* Any GeoJSON geometry object, as JSON text (copied). */
void an_geom_json(struct an_result *r, const char *geometry);

size_t an_nrows(const struct an_result *r);
size_t an_ncols(const struct an_result *r);
/** Cell (i, c) as a number (an AN_STR cell: NaN). */
double an_cell_num(const struct an_result *r, size_t i, size_t c);
/** Cell (i, c) as text ("" for a number cell). */
const char *an_cell_str(const struct an_result *r, size_t i, size_t c);
/** The index of the column named name, or -1. */
int an_col_index(const struct an_result *r, const char *name);
/** A summary (or data) figure by key; NaN when there is none or it is text. */
double an_summary_get(const struct an_result *r, const char *key);
double an_data_get(const struct an_result *r, const char *key);
/**
 * Withholding (small-cell suppression of public results): cell (i, c) of a
 * filled row is withheld: its value is dropped at once, and it is written
 * as null (JSON, GeoJSON) or an empty cell (CSV). A result with withheld
 * cells gets one more column when written, "suppressed" (JSON and GeoJSON:
 * true/false; CSV: 1/0), saying which rows lost a cell. an_cell_num gives
 * NaN for a withheld cell.
 */
void an_withhold(struct an_result *r, size_t i, size_t c);
int an_withheld(const struct an_result *r, size_t i, size_t c);
size_t an_nwithheld(const struct an_result *r);
/** A summary or data figure's value is withheld: written as null. */
void an_withhold_summary(struct an_result *r, const char *key);
void an_withhold_data(struct an_result *r, const char *key);
/** Warning i is replaced by a note that it was withheld. */
void an_withhold_warning(struct an_result *r, size_t i);

/** The warnings, in order: how many, and the i-th. */
size_t an_nwarnings(const struct an_result *r);
const char *an_warning_at(const struct an_result *r, size_t i);

/** The format named "csv", "json" or "geojson"; -1 otherwise. */
int an_format_by_name(const char *name);
/** Appends the result in format f. 0, or CSCC_ENOMEM / CSCC_ELIMIT from sb. */
int an_result_write(const struct an_result *r, enum an_format f, struct strbuf *sb);

#endif
