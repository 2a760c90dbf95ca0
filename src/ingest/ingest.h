/**
 * ingest.h - turning the City's public exports into stored tables.
 *
 * Datasets: "crimes" (Crimes - 2001 to present), "victims" (Violence
 * Reduction - Victims of Homicides and Non-Fatal Shootings), and "layer:NAME"
 * (any point layer: 311 requests, licences, an analyst's CSV).
 *
 * Every import is one transaction over its table: it reads all its files,
 * merges the rows with the stored table by key (a newer export replaces a
 * row with the same key; the latest Updated On wins), writes a new table file
 * and puts it in place atomically. An import that fails or is killed leaves
 * the table exactly as it was. Bad rows are counted by reason and written to a
 * rejects file; the import is recorded in the store's provenance table.
 *
 * One import per table at a time (a lock file says who holds it); reads of the
 * table are never blocked.
 */
#ifndef CSCC_INGEST_INGEST_H
#define CSCC_INGEST_INGEST_H

#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define INGEST_MAX_REASONS 32

/** What an import did. */
struct ingest_summary {
    int64_t import_id;
    uint64_t files;
    uint64_t bytes;
    uint64_t rows_read;      /* data records read (excluding headers) */
    uint64_t rows_new;       /* keys not stored before */
    uint64_t rows_updated;   /* stored rows replaced by a newer version */
    uint64_t rows_unchanged; /* identical to (or older than) the stored row */
    uint64_t rows_stale;     /* of unchanged: older than the stored version */
    uint64_t rows_duplicate; /* superseded by a later row with the same key in these files */
    uint64_t rows_rejected;
    uint64_t rows_filtered; /* left out by --where */
    uint64_t rows_placed;   /* community area taken from the coordinates */
    uint64_t rows_unplaced; /* no community area and none could be found */
    uint64_t rows_total;    /* rows in the table after the import */
    size_t nreasons;
    struct {
        char reason[96];
        uint64_t count;
    } reasons[INGEST_MAX_REASONS];
    char rejects_file[1024]; /* "" when nothing was rejected */
    uint64_t generation;     /* table generation after the import */
    double seconds;
    int changed; /* 0 when the table did not need rewriting */
};

/** Options of one import. */
struct ingest_opts {
    const char *data_dir; /* the data directory (tables/, rejects/ live there) */
    struct store *store;  /* open store: reference data and provenance */
    int threads;          /* parser threads (0 = number of CPUs, at most 16) */
    double max_rejected;  /* abort when more than this fraction of rows is rejected (0..1);
                             negative = never abort */
    int progress;         /* show a progress line on a terminal */
    int64_t import_id;    /* a provenance row the caller began (store_import_begin, for the
                             dataset this import writes): the import records into it, and
                             marks it failed if it cannot start; 0 = begin one here */

    /* layer imports only */
    const char *layer;             /* layer name: [a-z0-9_-]{1,40} */
    const char *col_lat, *col_lon; /* WGS84 coordinates, or */
    const char *col_x, *col_y;     /* projected coordinates ... */
    const char *units;             /* ... in "m" or "ft" (the city's State Plane), or */
    const char *crs;               /* ... in this CRS ("EPSG:26971") */
    const char *col_date;          /* optional event date column */
    const char *date_format;       /* strftime-style format, NULL = detect */
    const char *col_id;            /* optional key column (default: row content) */
    const char *const *where;      /* "COL=VALUE" filters, NULL-terminated; NULL = none */
};

/** Imports files (paths, "-" = standard input) into dataset "crimes", "victims" or "layer". */
int ingest_run(const char *dataset, const char *const *files, size_t nfiles,
               const struct ingest_opts *opts, struct ingest_summary *sum, struct cscc_err *err);

/** Path of a dataset's table file in the data directory (buf of cap bytes). */
int ingest_table_path(const char *data_dir, const char *table, char *buf, size_t cap);

/**
 * Settles provenance left RUNNING by a killed import of table: marked OK if
 * the table file carries its id (the import had committed), otherwise
 * INTERRUPTED. Takes the table's lock; CSCC_EBUSY if an import is running.
 */
int ingest_recover(const char *data_dir, struct store *st, const char *table, struct cscc_err *err);

/**
 * ingest_recover for every table with provenance left RUNNING, skipping a
 * table whose import is really running (its lock is held). For readers of
 * provenance (cscc imports, the server at start): an import killed with
 * kill -9 shows as interrupted (or ok) at once, not as running until the
 * next import of its table. Errors other than a held lock are returned.
 */
int ingest_recover_running(const char *data_dir, struct store *st, struct cscc_err *err);

/**
 * Loads the reference data shipped in dir (community_areas.geojson,
 * population.csv, priority_areas.csv, iucr.csv, categories.csv) into the
 * store, replacing what was there, in one transaction. priority_file
 * overrides priority_areas.csv when not NULL.
 */
int ingest_reference(struct store *st, const char *dir, const char *priority_file,
                     struct cscc_err *err);

#endif
