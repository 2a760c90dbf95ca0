/* ingest_int.h - what the files of src/ingest share: the batch of parsed
 * rows (segments), dataset descriptions, field parsers. Internal to ingest. */
#ifndef CSCC_INGEST_INGEST_INT_H
#define CSCC_INGEST_INGEST_INT_H

#include "colstore/colstore.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "geo/areas.h"
#include "ingest/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define IB_MAX_COLS 64
#define IB_MAX_SEGS 200

/* ------------------------------------------------------------------------ */
/* Segments: the rows one parser thread produced from one range of a file.  */
/* ------------------------------------------------------------------------ */

struct ingest__colspec {
    const char *name; /* column name in the table */
    enum colstore_type type;
};

struct ingest__seg {
    size_t n, cap;
    size_t ncols;
    const struct ingest__colspec *spec;
    void *col[IB_MAX_COLS];  /* DICT: uint32 codes; STR: uint32 offsets [cap + 1] */
    char *blob[IB_MAX_COLS]; /* STR bytes */
    size_t blob_len[IB_MAX_COLS], blob_cap[IB_MAX_COLS];
    struct colstore_dict *dict[IB_MAX_COLS]; /* DICT: this segment's own dictionary */
    uint32_t file_index;                     /* which input file */
    int bad;                                 /* allocation failed: the import must stop */
    uint8_t str_cols[IB_MAX_COLS];           /* the STR columns, for each row's start */
    size_t nstr;
};

struct ingest__seg *ingest__seg_new(const struct ingest__colspec *spec, size_t ncols,
                                    size_t expect_rows);
void ingest__seg_free(struct ingest__seg *s);
/* Empties a segment for reuse: its arrays stay mapped, its dictionaries restart. */
void ingest__seg_reset(struct ingest__seg *s);
/* Frees one column's arrays (after they were written); idempotent. */
void ingest__seg_free_col(struct ingest__seg *s, size_t c);
/* Starts row n (every column set to its null value, unless the parser sets
 * them all itself: fill == 0); -1 when out of memory. */
ssize_t ingest__row_begin(struct ingest__seg *s, int fill);
static inline void ingest__row_commit(struct ingest__seg *s)
{
    s->n++;
}
void ingest__row_abort(struct ingest__seg *s);

static inline void ingest__put_i64(struct ingest__seg *s, int c, size_t r, int64_t v)
{
    ((int64_t *)s->col[c])[r] = v;
}
static inline void ingest__put_u32(struct ingest__seg *s, int c, size_t r, uint32_t v)
{
    ((uint32_t *)s->col[c])[r] = v;
}
static inline void ingest__put_i32(struct ingest__seg *s, int c, size_t r, int32_t v)
{
    ((int32_t *)s->col[c])[r] = v;
}
static inline void ingest__put_u16(struct ingest__seg *s, int c, size_t r, uint16_t v)
{
    ((uint16_t *)s->col[c])[r] = v;
}
static inline void ingest__put_u8(struct ingest__seg *s, int c, size_t r, uint8_t v)
{
    ((uint8_t *)s->col[c])[r] = v;
}
static inline void ingest__put_f64(struct ingest__seg *s, int c, size_t r, double v)
{
    ((double *)s->col[c])[r] = v;
}
/* Interns p into the column's dictionary; CSCC_ELIMIT when it is full. */
int ingest__put_dict(struct ingest__seg *s, int c, size_t r, const char *p, size_t len);
/* Appends the string of row r; CSCC_ENOMEM / CSCC_ELIMIT (4 GiB). */
int ingest__put_str(struct ingest__seg *s, int c, size_t r, const char *p, size_t len);

/* ------------------------------------------------------------------------ */
/* Datasets                                                                 */
/* ------------------------------------------------------------------------ */

/* A row that cannot be stored: why, and in which column. */
struct ingest__reject {
    const char *reason; /* a fixed phrase, counted by: "bad date" */
    const char *column; /* source column name, may be NULL */
    char detail[160];   /* the offending value or more words */
};

/* Fills rej: the reason, the source column and the offending value (quoted,
 * cut at 60 bytes; v NULL: none). Returns 1, what a parse function returns
 * for a rejected row. */
int ingest__reject(struct ingest__reject *rej, const char *reason, const char *column,
                   const struct csv_field *v);

struct ingest__worker;

struct ingest__dataset {
    const char *name; /* "crimes" */
    int sensitive;    /* rows hold personal data: rejects keep no raw record */
    int sets_all;     /* parse() sets every column of a row it stores */
    char table[64];   /* table file name: "crimes", "layer_liquor" */
    const struct ingest__colspec *cols;
    size_t ncols;
    int col_id;      /* I64 id (NULL when missing), or -1 */
    int col_t;       /* I64 civil time: the sort key; rows need one */
    int col_updated; /* I64 revision time, or -1 */
    int col_area;    /* U8 community area, or -1 */
    int ckey[4];     /* columns hashed into the composite key */
    size_t nckey;
    /* Maps the header to the dataset; returns a binding or NULL with err
     * (CSCC_EDATA naming what is missing or what the file looks like). */
    void *(*bind)(const struct ingest__dataset *ds, const struct ingest_opts *o,
                  const struct csv_row *header, const char *file, struct cscc_err *err);
    /* Parses one record into row r of w's segment: 0 stored, 1 rejected (rej
     * filled), 2 skipped by a filter (--where). */
    int (*parse)(struct ingest__worker *w, const void *binding, const struct csv_row *rec, size_t r,
                 struct ingest__reject *rej);
    void (*unbind)(void *binding);
    void (*scratch_free)(void *scratch); /* frees a worker's scratch, may be NULL */
    void *ctx;                           /* dataset-specific state (layer options) */
};

const struct ingest__dataset *ingest__crimes(void);
const struct ingest__dataset *ingest__victims(void);
/* A layer dataset for opts->layer; freed with ingest__layer_free. */
struct ingest__dataset *ingest__layer(const struct ingest_opts *opts, const char *const *files,
                                      struct cscc_err *err);
void ingest__layer_free(struct ingest__dataset *ds);

/* Per-thread parsing state. */
struct ingest__worker {
    struct ingest__seg *seg;
    struct ingest__job *job;
    const struct geo_areas *areas; /* loaded on first use by ingest__place() */
    int max_area;                  /* largest valid area number */
    const struct ingest_opts *opts;
    uint64_t placed, unplaced;
    void *scratch; /* dataset-specific per-thread state */
};

/* Finds a column by header name: case-insensitive, ' ' and '_' equal,
 * surrounding spaces ignored. Returns its index or -1. */
int ingest__find_col(const struct csv_row *header, const char *name);
/* Normalised header-name comparison used by ingest__find_col. */
int ingest__name_eq(const char *a, size_t alen, const char *b);

/* The boundaries of the areas (loaded on the first call, thread-safe), or NULL. */
const struct geo_areas *ingest__job_areas(struct ingest__job *job);
/* Places a row in an area from WGS84 coordinates: the area or 0. */
int ingest__place(struct ingest__worker *w, double lat, double lon);

/* ------------------------------------------------------------------------ */
/* Field parsers: 0 = ok, 1 = empty (missing), -1 = malformed.              */
/* ------------------------------------------------------------------------ */

int ingest__parse_int(const char *p, size_t len, int64_t *out); /* also "17.0" */
int ingest__parse_double(const char *p, size_t len, double *out);
/* The same for a field the CSV reader returned, faster: these read 8 bytes
 * at a time, past the field's end (the reader's buffer is padded). */
int ingest__field_int(const struct csv_field *f, int64_t *out);
int ingest__field_double(const struct csv_field *f, double *out);
int ingest__field_time(const struct csv_field *f, int64_t *out);
/* An optional integer in [lo, hi]: 0 with *out set (-1 when empty), 1 when
 * malformed or out of range. */
int ingest__field_small_int(const struct csv_field *f, int64_t lo, int64_t hi, int64_t *out);
int ingest__parse_bool(const char *p, size_t len, uint8_t *out); /* true/false/yes/no/y/n/1/0 */
/* Portal "MM/DD/YYYY hh:mm:ss AM" fast, else every form of cscc_parse_datetime. */
int ingest__parse_time(const char *p, size_t len, int64_t *out);
/* Left-pads a 1-3 character IUCR code with zeros ("110" -> "0110"), uppercases;
 * writes at most 8 bytes to out; returns the length or -1 if not a code. */
int ingest__norm_iucr(const char *p, size_t len, char out[8]);

/* Trims spaces at both ends. */
static inline void ingest__trim(const char **p, size_t *len)
{
    /* the usual case: nothing to trim (space and tab are both <= ' ') */
    if (!*len || ((unsigned char)(*p)[0] > ' ' && (unsigned char)(*p)[*len - 1] > ' '))
        return;
    while (*len && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*len)--;
    }
    while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t'))
        (*len)--;
}

/* The text of a field without the spaces at its ends. */
static inline void ingest__field_text(const struct csv_field *v, const char **p, size_t *len)
{
    *p = v->p;
    *len = v->len;
    ingest__trim(p, len);
}

/* ------------------------------------------------------------------------ */
/* The import pipeline                                                      */
/* ------------------------------------------------------------------------ */

struct ingest__job;

/* ingest__parse_files: the streamed import must start again without streaming. */
#define INGEST__RETRY 1

/* Sorts n times (NULL first) and fills order with the row numbers in time
 * order, ties in row order. 0 or CSCC_ENOMEM. */
int ingest__sort_by_time(const int64_t *t, size_t n, uint32_t *order);

/* Parses every file into segments (or, when streaming, into row groups of
 * job->stream). Returns INGEST__RETRY when streaming cannot go on. */
int ingest__parse_files(struct ingest__job *job, const char *const *files, size_t nfiles,
                        struct cscc_err *err);
/* Merges the segments with the stored table and writes the new table file
 * (not yet committed) to tmp_path; sets *changed = 0 when nothing differs. */
int ingest__merge_write(struct ingest__job *job, const char *tmp_path, int *changed,
                        struct cscc_err *err);

/* The metadata JSON stored with the table (built from job->sum); owned by the job. */
const char *ingest__meta_json(struct ingest__job *job);

/* Rejects: one CSV file per import. */
struct ingest__rejects;
struct ingest__rejects *ingest__rejects_new(const char *path);
/* Records a rejected row (thread-safe). raw may be NULL. */
void ingest__rejects_add(struct ingest__rejects *rj, const char *file, uint64_t row, uint64_t line,
                         const char *reason, const char *column, const char *detail,
                         const char *raw, size_t raw_len);
/* Closes the file (removing it when empty); fills counts into sum. 0 or CSCC_EIO. */
int ingest__rejects_close(struct ingest__rejects *rj, struct ingest_summary *sum,
                          struct cscc_err *err);
uint64_t ingest__rejects_count(struct ingest__rejects *rj);

struct ingest__job {
    const struct ingest__dataset *ds;
    const struct ingest_opts *opts;
    struct ingest_summary *sum;
    struct colstore_table *old;               /* the stored table, NULL if none */
    struct colstore_dict *gdict[IB_MAX_COLS]; /* global dictionaries (seeded from old) */
    struct ingest__seg *segs[IB_MAX_SEGS];
    size_t nsegs;
    struct geo_areas *areas; /* boundaries, loaded when a row first needs them */
    pthread_mutex_t areas_lock;
    int areas_state; /* 0 not loaded, 1 loaded, -1 failed */
    int max_area;
    struct ingest__rejects *rejects;
    const char *const *files; /* display names of the inputs */
    uint64_t *file_crc;       /* CRC-32C of each input file's bytes */
    uint8_t *file_has_crc;    /* 0: no checksum (standard input) */
    uint64_t *file_size;
    _Atomic uint64_t bytes_done; /* for the progress line */
    _Atomic uint64_t rows_done;
    uint64_t bytes_total;
    int64_t import_id;
    char *meta_json;
    /* streaming (a fresh table): each parsed part is written at once */
    struct colstore_writer *stream;
    uint64_t streamed;
    int64_t *stream_ids[IB_MAX_SEGS];
    size_t stream_nids[IB_MAX_SEGS];
    size_t nstream_ids;
    struct ingest__seg *spare[16];
    size_t nspare;
    pthread_mutex_t spare_lock;
};

#endif
