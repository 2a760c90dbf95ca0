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
 * A table is made of row groups. Every group holds all the columns for its
 * rows, with its own dictionaries (groups may share one), and its rows are
 * sorted by the table's I64 civil-time column (seconds, see core/time.h) with
 * a per-day index, so a date range maps to a row range of each group without
 * a scan. Groups may overlap in time. An import that rewrites a table writes
 * one group; a fresh import of a big file writes one group per part of the
 * file, each as soon as it is parsed.
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
#define COLSTORE_NULL_U8  UINT8_MAX
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
/* Empties d for reuse, keeping its memory; it counts as a new dictionary
 * (a new colstore_dict_id). */
void colstore_dict_clear(struct colstore_dict *d);
/** Copies another dictionary (same codes). */
struct colstore_dict *colstore_dict_clone(const struct colstore_dict *d);
/**
 * The code of p[0..len), adding it if new. Returns the code, or -1 when the
 * dictionary is full (max_entries). Not thread-safe for one dictionary.
 */
int64_t colstore_dict_intern(struct colstore_dict *d, const char *p, size_t len);
/**
 * The same, in two steps, so a caller can start loading the dictionary's
 * slot (prefetch) well before it needs the code: h = colstore_dict_hash(p,
 * len), colstore_dict_prefetch(d, h), other work, then
 * colstore_dict_intern_hashed(d, p, len, h).
 */
uint64_t colstore_dict_hash(const char *p, size_t len);
void colstore_dict_prefetch(const struct colstore_dict *d, uint64_t h);
int64_t colstore_dict_intern_hashed(struct colstore_dict *d, const char *p, size_t len, uint64_t h);
/** The code of p[0..len), or -1 if absent. */
int64_t colstore_dict_find(const struct colstore_dict *d, const char *p, size_t len);
uint32_t colstore_dict_count(const struct colstore_dict *d);
/** A number no other dictionary of this process has, ever (addresses are reused). */
uint64_t colstore_dict_id(const struct colstore_dict *d);
/** The string of code (not NUL-terminated when len is given; it is NUL-terminated anyway). */
const char *colstore_dict_str(const struct colstore_dict *d, uint32_t code, size_t *len);
/** Fills order[0 .. count) with the codes of d sorted by their strings (byte
 * order, shorter first on a tie; "" at code 0 comes first). Cannot fail. */
void colstore_dict_sort(const struct colstore_dict *d, uint32_t *order);

/* ------------------------------------------------------------------------ */
/* Writing a table                                                          */
/* ------------------------------------------------------------------------ */

/**
 * One column's values in one segment of input. Output rows are gathered from
 * segments (for example: the rows of the old table, then the batches parsed
 * by each import thread), so nothing is copied twice.
 */
struct colstore_seg {
    const void *data;         /* fixed types: values; DICT: codes; STR: uint32 offsets [n+1] */
    const char *blob;         /* STR: the bytes the offsets index, followed by at least 16
                                 readable bytes; each string at most 65535 bytes */
    uint8_t code_width;       /* DICT: bytes per code in data (1, 2 or 4) */
    const uint32_t *code_map; /* DICT: maps this segment's codes to the column's dictionary
                                 (a stored group with its own dictionary), or NULL */
    uint32_t code_map_len;    /* entries of code_map; a code past it maps to 0 ("") */
};

/** One output column. */
struct colstore_wcol {
    const char *name; /* at most COLSTORE_NAME_MAX bytes */
    enum colstore_type type;
    const struct colstore_dict *dict; /* DICT: the dictionary every segment's codes refer to */
    const struct colstore_seg *segs;  /* [nsegs] */
};

struct colstore_wopts {
    uint64_t generation;   /* increases with every commit of a table */
    int64_t import_id;     /* provenance id of the import that wrote it, 0 if none */
    const char *meta_json; /* free-form metadata (time zone, schema, import summary), may be NULL */
    /* for colstore_write only: */
    int sort_col; /* index of the I64 time column rows are sorted by, or -1 */
    int threads;  /* columns written in parallel by this many threads (>= 1) */
    /* Called (from a writer thread) once the source data of column i is no
     * longer needed, e.g. to free it or drop an old table's pages from
     * memory. May be NULL. */
    void (*column_done)(void *arg, size_t col);
    void *arg;
};

#define COLSTORE_DROP UINT32_MAX

/**
 * The order of the output rows, in two levels, so that reordering a big
 * unsorted input touches memory in cache-sized windows instead of at random:
 * every source row has a staging position (pos[s][r], or COLSTORE_DROP for a
 * row not written), and output row i is the row at staging position
 * fine[i]. Each column is first scattered into staging order (sequential
 * reads), then gathered in output order; the gather stays within a window
 * of the staging order when fine moves within windows (an import sorts
 * rows by time within day buckets of at most 64K rows). Staging positions
 * must be a permutation of 0 .. nrows-1.
 */
struct colstore_order {
    const uint32_t *const *pos; /* [nsegs] arrays of seg_rows[s] positions; a NULL array means
                                   every row kept, at positions following the previous
                                   segments' rows (for one segment: the identity) */
    const size_t *seg_rows;     /* [nsegs] rows in each segment */
    const uint32_t *fine;       /* [nrows] staging position of each output row; NULL = identity */
};

/** A column of a table's schema. */
struct colstore_schema_col {
    const char *name; /* at most COLSTORE_NAME_MAX bytes */
    enum colstore_type type;
};

struct colstore_writer;

/**
 * Starts writing a table to path (created or truncated; use a temporary name
 * and colstore_commit). sort_col is the I64 time column every group is
 * sorted by (NULL values first), or -1. NULL on error.
 */
struct colstore_writer *colstore_writer_new(const char *path,
                                            const struct colstore_schema_col *schema, size_t ncols,
                                            int sort_col, struct cscc_err *err);
/**
 * Appends a row group: the kept rows of nsegs segments in the two-level
 * order. cols[i] must have the schema's name and type. May be called from
 * several threads at once; each call writes its columns with `threads`
 * threads, and calls column_done(arg, i) (may be NULL) once column i's source
 * data is no longer needed. A dictionary given to several groups must not
 * change in between: it is written once and shared.
 */
int colstore_writer_add(struct colstore_writer *w, const struct colstore_wcol *cols, size_t nsegs,
                        const struct colstore_order *order, size_t nrows, int threads,
                        void (*column_done)(void *arg, size_t col), void *arg,
                        struct cscc_err *err);
/** Writes the directory and the header: the table is complete (make it
 * durable and visible with colstore_commit). */
int colstore_writer_finish(struct colstore_writer *w, const struct colstore_wopts *opts,
                           struct cscc_err *err);
/** Frees the writer; the file is removed unless colstore_writer_finish succeeded. */
void colstore_writer_free(struct colstore_writer *w);

/**
 * Writes a one-group table of nrows rows to path: colstore_writer_new, _add
 * and _finish in one call. When opts->sort_col >= 0 the caller guarantees
 * the output order is ascending on that column (NULL values first).
 * On error the file at path is removed and err says what failed.
 */
int colstore_write(const char *path, const struct colstore_wcol *cols, size_t ncols, size_t nsegs,
                   const struct colstore_order *order, size_t nrows,
                   const struct colstore_wopts *opts, struct cscc_err *err);

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

/** The table's columns: their number is colstore_ncols(). */
const char *colstore_schema_name(const struct colstore_table *t, size_t i);
enum colstore_type colstore_schema_type(const struct colstore_table *t, size_t i);
/** The index of the column named name, or -1. */
int colstore_col_index(const struct colstore_table *t, const char *name);
/** Index of the sort (time) column, or -1. */
int colstore_sort_col(const struct colstore_table *t);

struct colstore_group;

size_t colstore_ngroups(const struct colstore_table *t);
const struct colstore_group *colstore_group_at(const struct colstore_table *t, size_t g);
size_t colstore_group_nrows(const struct colstore_group *g);
/** Column i (schema index) of a group. */
const struct colstore_col *colstore_group_col(const struct colstore_group *g, size_t i);
/**
 * Rows of group g whose sort-column value falls on days [day_from, day_to]
 * (inclusive, day numbers of core/time.h) are rows [*lo, *hi). Without a sort
 * column the whole group is returned. Never fails.
 */
void colstore_group_day_rows(const struct colstore_group *g, int64_t day_from, int64_t day_to,
                             size_t *lo, size_t *hi);
/** 1 when group g has a day index (its table has a sort column). */
int colstore_group_has_days(const struct colstore_group *g);

const char *colstore_col_name(const struct colstore_col *c);
enum colstore_type colstore_col_type(const struct colstore_col *c);
/** Fixed types: bytes per value; DICT: bytes per code; STR: 4 (offset width). */
unsigned colstore_col_width(const struct colstore_col *c);
/** Fixed types: the value array; DICT: the code array; STR: the offsets [nrows+1]. */
const void *colstore_col_data(const struct colstore_col *c);

/** DICT: number of entries; the string of a code; the code of a string (-1 if absent).
 * A code at or past the count (only in a damaged file) reads as "": code
 * users that index tables by code must size them for every code the width
 * allows, or clamp. */
uint32_t colstore_col_dict_count(const struct colstore_col *c);
/** DICT: the entries a table indexed by c's codes needs so that no code in
 * the file reads outside it: every code the width allows (1 and 2 bytes), or
 * the dictionary and one more (4 bytes: the caller clamps codes past the
 * count to the last entry). Cannot fail. */
size_t colstore_col_code_space(const struct colstore_col *c);
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

/** First and last day of any group (0, -1 when empty or unsorted). */
void colstore_day_span(const struct colstore_table *t, int64_t *first, int64_t *last);

/** Maps rows [lo, hi) of column c into memory in one go (a scan about to
 * read them faults far less). A hint: never fails. */
void colstore_col_prefault(const struct colstore_col *c, size_t lo, size_t hi);

/** Drops the pages of column c from this process's memory (they stay in the
 * page cache); later reads fault them back in. For long scans. */
void colstore_col_release(const struct colstore_col *c);

#endif
