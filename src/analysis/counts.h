/**
 * counts.h - counts of incidents by area, period, type and more: the
 * question every other analysis starts from.
 *
 * A query filters the crimes table (date range, primary types, FBI codes or a
 * named category, community areas or the priority list) and groups the rows
 * by one or two keys. Time keys use the civil (local) time of the incident.
 * Groups of areas and of time periods are dense (every area, every period in
 * the range, with zero counts); groups of other keys appear when non-empty.
 * With rates, each group's count is divided by the population of its area
 * (or of every area in scope when not grouped by area), per 100,000
 * residents, over the whole period (not annualised).
 *
 * Reentrant: a query reads an immutable table and allocates its own result.
 */
#ifndef CSCC_ANALYSIS_COUNTS_H
#define CSCC_ANALYSIS_COUNTS_H

#include "colstore/colstore.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum counts_key {
    COUNTS_AREA,
    COUNTS_YEAR,
    COUNTS_MONTH,
    COUNTS_WEEK,
    COUNTS_DAY,
    COUNTS_WEEKDAY,
    COUNTS_HOUR,
    COUNTS_TYPE,
    COUNTS_FBI,
    COUNTS_DISTRICT,
    COUNTS_BEAT,
    COUNTS_WARD,
    COUNTS_NKEYS
};

/** The key named name ("area", "month", ...), or -1. */
int counts_key_by_name(const char *name);
/** The names of all keys, comma-separated, for messages. */
const char *counts_key_names(void);

#define COUNTS_MAX_KEYS   2
#define COUNTS_MAX_VALUES 64
#define COUNTS_MAX_MATCH  4

/**
 * A filter on any column of the table by name, for tables other than the
 * crimes (victims, layers): rows whose value is one of values (or, with
 * negate, is none of them). A dictionary column matches strings in any case;
 * a 1-byte number column (U8) matches decimal numbers 0..254, and "" matches
 * its missing value. Used by the analyses that count victims or layer rows
 * (analysis/trends.h); `query counts` has no option for it.
 */
struct counts_match {
    const char *column;
    const char *values[8];
    size_t nvalues;
    int negate;
};

struct counts_query {
    int keys[COUNTS_MAX_KEYS];
    size_t nkeys;
    int has_from, has_to;
    int64_t day_from, day_to;             /* inclusive day numbers (core/time.h) */
    const char *types[COUNTS_MAX_VALUES]; /* primary types, any case */
    size_t ntypes;
    const char *fbi[COUNTS_MAX_VALUES]; /* FBI codes */
    size_t nfbi;
    const char *category; /* a category of the store ("violent"), or NULL */
    int areas[256];
    size_t nareas;
    int priority;                                /* only the priority areas */
    int rate;                                    /* add rate_per_100k */
    const char *population;                      /* population source, NULL = the latest one */
    struct counts_match match[COUNTS_MAX_MATCH]; /* all must hold */
    size_t nmatch;
};

struct counts_row {
    uint32_t key[COUNTS_MAX_KEYS]; /* dense key codes; see counts_key_label() */
    uint64_t count;
    double rate; /* NaN when not asked for or unknown */
};

struct counts_result;

/**
 * Runs the query over table t, with reference data (area names, population,
 * categories, priority list) from st. t is the crimes table, or any table
 * with an I64 "date" column (and "community_area" for the area key or
 * filters; the type and FBI filters need "primary_type" and "fbi_code").
 * Returns NULL with err filled on a bad query (CSCC_EINVAL: unknown
 * category, no such area or column...), CSCC_EDATA (the table lacks a
 * column) or CSCC_ENOMEM.
 */
struct counts_result *analysis_counts(const struct colstore_table *t, struct store *st,
                                      const struct counts_query *q, struct cscc_err *err);
void analysis_counts_free(struct counts_result *r);

size_t counts_nrows(const struct counts_result *r);
const struct counts_row *counts_row_at(const struct counts_result *r, size_t i);
/** Total of every count. */
uint64_t counts_total(const struct counts_result *r);
/** Rows of the table in the date range, before the other filters. */
uint64_t counts_rows_in_period(const struct counts_result *r);
/** Warnings for people (e.g. a type no row has), "" when none. */
const char *counts_warnings(const struct counts_result *r);

/**
 * The label of key k of row i, for people: "2016", "2016-03", "BATTERY",
 * "25 Austin" (area number and name), "" for a missing value.
 */
void counts_label(const struct counts_result *r, size_t i, size_t k, char *buf, size_t cap);

enum counts_format { COUNTS_CSV, COUNTS_JSON, COUNTS_TABLE };
/** Appends the result in a format. 0, or CSCC_ENOMEM / CSCC_ELIMIT from sb. */
int counts_write(const struct counts_result *r, enum counts_format f, struct strbuf *sb);

/**
 * As counts_write (CSV or JSON), for a public answer with small cells
 * withheld: withheld has a flag per row; a flagged row's count and rate are
 * written empty (CSV) or null (JSON), and every row gets "suppressed" (CSV
 * 1/0, JSON true/false). total_withheld writes the JSON's rows_counted
 * (the grand total) as null. CSCC_EINVAL for COUNTS_TABLE.
 */
int counts_write_withheld(const struct counts_result *r, enum counts_format f,
                          const uint8_t *withheld, int total_withheld, struct strbuf *sb);

/*
 * Cells of the result, for writers other than counts_write (the server's
 * GeoJSON, analysis results): the column name of key k ("community_area",
 * "month", "primary_type"), whether key k is a given key, and the value of
 * key k in row i as CSV and JSON write it, with its kind. An area key's
 * value is its number; counts_area_name() gives the name of an area code
 * (counts_row_at()->key[k]), "(unknown)" for rows without one.
 */
enum { COUNTS_CELL_TEXT, COUNTS_CELL_NUM, COUNTS_CELL_NULL };
const char *counts_key_column(const struct counts_result *r, size_t k);
int counts_key_is(const struct counts_result *r, size_t k, enum counts_key key);
/** buf must hold at least 16 bytes (128 for every value). */
int counts_cell(const struct counts_result *r, size_t i, size_t k, char *buf, size_t cap);
const char *counts_area_name(const struct counts_result *r, uint32_t area);
/** 1 when the query asked for rates. */
int counts_has_rate(const struct counts_result *r);

/**
 * The result as an analysis result (analysis/result.h): the query as
 * parameters, the data used, the total as summary, one row per group with
 * the same columns as the CSV; with geometry, each row grouped by area
 * carries its area's boundary (from st) for GeoJSON. q is the query that
 * made r. NULL with err filled when the store cannot be read.
 */
struct an_result;
struct an_result *counts_as_result(const struct counts_result *r, const struct counts_query *q,
                                   struct store *st, int geometry, struct cscc_err *err);

#endif
