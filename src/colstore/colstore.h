/**
 * colstore.h - the columnar incident store: typed, dictionary-encoded columns
 * in one file per table, opened by memory-mapping.
 *
 * A table file holds N rows in C columns. Types: fixed-width numbers (I64,
 * I32, U16, U8, F64), DICT (codes into a string dictionary stored with the
 * column; code widths 1, 2 or 4 bytes, chosen when written), and STR
 * (variable-length strings: N+1 uint32 offsets into a blob). Missing values
 * are sentinels: COLSTORE_NULL_* below, NaN for F64, code 0 ("") for DICT.
 *
 * Rows may be sorted by an I64 civil-time column (seconds, see core/time.h);
 * the file then carries a per-day index so a date range maps to a row range
 * without a scan.
 *
 * Files are written whole (colstore_write) to a temporary path and put in
 * place with colstore_commit (fsync + atomic rename + fsync of the directory):
 * a reader sees the old table or the new one, never a mix, and a crash
 * leaves the old one. An open table stays valid after it is replaced (the
 * mapping keeps the old file alive). A struct colstore_table is immutable
 * and may be read from many threads.
 */
#ifndef CSCC_COLSTORE_COLSTORE_H
#define CSCC_COLSTORE_COLSTORE_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

enum colstore_type {
    COLSTORE_I64 = 1,
    COLSTORE_I32 = 2,
    COLSTORE_U16 = 3,
    COLSTORE_U8 = 4,
    COLSTORE_F64 = 5,
    COLSTORE_DICT = 6,
    COLSTORE_STR = 7,
};

#define COLSTORE_NULL_I64 INT64_MIN
#define COLSTORE_NULL_I32 INT32_MIN
#define COLSTORE_NULL_U16 UINT16_MAX
#define COLSTORE_NULL_U8 UINT8_MAX
#define COLSTORE_NAME_MAX 55

/** Bytes per value of a fixed-width type (0 for DICT and STR). */
size_t colstore_type_width(enum colstore_type t);
const char *colstore_type_name(enum colstore_type t);

/* ------------------------------------------------------------------------ */
/* Dictionaries: strings interned to dense codes. Code 0 is always "".       */
/* ------------------------------------------------------------------------ */

struct colstore_dict;

/** A new dictionary holding only "" (code 0); at most max_entries entries
 * (0 = UINT32_MAX). Aborts on OOM (dictionaries are small next to columns). */
struct colstore_dict *colstore_dict_new(uint32_t max_entries);
void colstore_dict_free(struct colstore_dict *d);
/** Copies another dictionary (same codes). */
struct colstore_dict *colstore_dict_clone(const struct colstore_dict *d);
/**
 * The code of p[0..len), adding it if new. Returns the code, or -1 when the
 * dictionary is full (max_entries). Not thread-safe for one dictionary.
 */
int64_t colstore_dict_intern(struct colstore_dict *d, const char *p, size_t len);
/** The code of p[0..len), or -1 if absent. */
int64_t colstore_dict_find(const struct colstore_dict *d, const char *p, size_t len);
uint32_t colstore_dict_count(const struct colstore_dict *d);
/** The string of code (not NUL-terminated when len is given; it is NUL-terminated anyway). */
const char *colstore_dict_str(const struct colstore_dict *d, uint32_t code, size_t *len);

/* ------------------------------------------------------------------------ */
/* Writing a table                                                          */
/* ------------------------------------------------------------------------ */

/**
 * One column's values in one segment of input. Output rows are gathered from
 * segments (for example: the rows of the old table, then the batches parsed
 * by each import thread), so nothing is copied twice.
 */
struct colstore_seg {
    const void *data;      /* fixed types: values; DICT: codes; STR: uint32 offsets [n+1] */
    const char *blob;      /* STR: the bytes the offsets index */
    uint8_t code_width;    /* DICT: bytes per code in data (1, 2 or 4) */
};

/** One output column. */
struct colstore_wcol {
    const char *name;                    /* at most COLSTORE_NAME_MAX bytes */
    enum colstore_type type;
    const struct colstore_dict *dict;    /* DICT: the dictionary every segment's codes refer to */
    const struct colstore_seg *segs;     /* [nsegs] */
};

struct colstore_wopts {
    uint64_t generation;   /* increases with every commit of a table */
    int64_t import_id;     /* provenance id of the import that wrote it, 0 if none */
    const char *meta_json; /* free-form metadata (time zone, schema, import summary), may be NULL */
    int sort_col;          /* index of the I64 time column rows are sorted by, or -1 */
    int threads;           /* columns written in parallel by this many threads (>= 1) */
    /* Called (from a writer thread) once column i has been written, e.g. to
     * drop source pages of an old table from memory. May be NULL. */
    void (*column_done)(void *arg, size_t col);
    void *arg;
};

/**
 * Writes a table to path (created or truncated; use a temporary name and
 * colstore_commit). Output row i is row order_row[i] of segment
 * order_seg[i] (order_seg may be NULL when nsegs == 1). When sort_col >= 0
 * the caller guarantees the order is ascending on that column.
 * On error the file at path is removed and err says what failed.
 */
int colstore_write(const char *path, const struct colstore_wcol *cols, size_t ncols,
                   size_t nsegs, const uint8_t *order_seg, const uint32_t *order_row,
                   size_t nrows, const struct colstore_wopts *opts, struct cscc_err *err);

/**
 * Makes the table at tmp_path durable and moves it to final_path atomically:
 * fsync(tmp), rename(tmp, final), fsync(directory). On error the old file
 * at final_path is unchanged.
 */
int colstore_commit(const char *tmp_path, const char *final_path, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Reading a table                                                          */
/* ------------------------------------------------------------------------ */

struct colstore_table;
struct colstore_col;

/** Maps the table at path. CSCC_ENOENT (in err->code) if it does not exist;
 * CSCC_EDATA if the file is damaged (the message says how). */
struct colstore_table *colstore_open(const char *path, struct cscc_err *err);
void colstore_close(struct colstore_table *t); /* accepts NULL */

size_t colstore_nrows(const struct colstore_table *t);
size_t colstore_ncols(const struct colstore_table *t);
uint64_t colstore_generation(const struct colstore_table *t);
int64_t colstore_import_id(const struct colstore_table *t);
int64_t colstore_created_at(const struct colstore_table *t);
/** The metadata JSON text (NUL-terminated), "" if none. */
const char *colstore_meta(const struct colstore_table *t);
/** The file's device and inode, to notice it was replaced. */
void colstore_file_id(const struct colstore_table *t, uint64_t *dev, uint64_t *ino);

/** The column named name, or NULL. */
const struct colstore_col *colstore_col(const struct colstore_table *t, const char *name);
const struct colstore_col *colstore_col_at(const struct colstore_table *t, size_t i);
const char *colstore_col_name(const struct colstore_col *c);
enum colstore_type colstore_col_type(const struct colstore_col *c);
/** Fixed types: bytes per value; DICT: bytes per code; STR: 4 (offset width). */
unsigned colstore_col_width(const struct colstore_col *c);
/** Fixed types: the value array; DICT: the code array; STR: the offsets [nrows+1]. */
const void *colstore_col_data(const struct colstore_col *c);

/** DICT: number of entries; the string of a code; the code of a string (-1 if absent). */
uint32_t colstore_col_dict_count(const struct colstore_col *c);
const char *colstore_col_dict_str(const struct colstore_col *c, uint32_t code, size_t *len);
int64_t colstore_col_dict_find(const struct colstore_col *c, const char *p, size_t len);
/** Loads a DICT column's dictionary into a new colstore_dict (same codes). */
struct colstore_dict *colstore_col_dict_load(const struct colstore_col *c);

/** DICT: the code at row i (any width). */
static inline uint32_t colstore_code_at(const void *codes, unsigned width, size_t i)
{
    switch (width) {
    case 1: return ((const uint8_t *)codes)[i];
    case 2: return ((const uint16_t *)codes)[i];
    default: return ((const uint32_t *)codes)[i];
    }
}
/** STR: the string at row i. */
const char *colstore_col_str(const struct colstore_col *c, size_t i, size_t *len);

/**
 * Rows whose sort-column value falls on days [day_from, day_to] (inclusive,
 * day numbers of core/time.h) are rows [*lo, *hi). Without a day index (the
 * table is not sorted) the whole table is returned. Never fails.
 */
void colstore_day_rows(const struct colstore_table *t, int64_t day_from, int64_t day_to,
                       size_t *lo, size_t *hi);
/** First and last day present (0, -1 when empty or unsorted). */
void colstore_day_span(const struct colstore_table *t, int64_t *first, int64_t *last);

/** Drops the pages of column c from this process's memory (they stay in the
 * page cache); later reads fault them back in. For long scans. */
void colstore_col_release(const struct colstore_col *c);

#endif
