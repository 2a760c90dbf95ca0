/**
 * err.h - error codes and the error record every fallible call can fill.
 *
 * Fallible functions return 0 or a negative CSCC_E* code. Those that return a
 * pointer return NULL and fill a caller-owned struct cscc_err, which also
 * carries where the problem was (file, row, column, field) for parsers.
 * Thread safety: none needed; a struct cscc_err belongs to one caller.
 */
#ifndef CSCC_CORE_ERR_H
#define CSCC_CORE_ERR_H

#include <stddef.h>
#include <stdint.h>

enum {
    CSCC_OK = 0,
    CSCC_EINVAL = -1,     /* bad argument or usage */
    CSCC_ENOMEM = -2,     /* an input-sized allocation failed */
    CSCC_EIO = -3,        /* read, write, fsync, rename failed */
    CSCC_ENOENT = -4,     /* file or object does not exist */
    CSCC_EDATA = -5,      /* input data is malformed */
    CSCC_ELIMIT = -6,     /* a configured limit was exceeded */
    CSCC_EEXIST = -7,     /* already exists */
    CSCC_EBUSY = -8,      /* locked by another process */
    CSCC_ESTORE = -9,     /* the database reported an error */
    CSCC_EINTERNAL = -10, /* a bug: should not happen */
    CSCC_EPERM = -11,     /* not allowed */
    CSCC_ECANCELED = -12, /* stopped on request */
    CSCC_EROFS = -13      /* the database (or a file) cannot be written: read-only,
                             no permission; nothing was stored */
};

/** Where and what went wrong. Zero-initialise, or call cscc_err_clear(). */
struct cscc_err {
    int code;       /* CSCC_E*, 0 when no error */
    char msg[512];  /* lowercase, no full stop, says what failed first */
    char file[256]; /* input file, "" when not applicable */
    uint64_t row;   /* 1-based record number (header is row 1), 0 when unknown */
    uint64_t line;  /* 1-based physical line, 0 when unknown */
    int column;     /* 1-based column (field index), 0 when unknown */
    char field[64]; /* column or field name, "" when unknown */
};

/** Resets err to "no error". Accepts NULL. */
void cscc_err_clear(struct cscc_err *err);

/**
 * Records an error: code and a printf-style message. Returns code, so a
 * caller can write `return cscc_err_set(err, CSCC_EDATA, "...")`.
 * Accepts err == NULL (the message is then dropped).
 */
int cscc_err_set(struct cscc_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Like cscc_err_set, appending ": strerror(errnum)" to the message. */
int cscc_err_errno(struct cscc_err *err, int code, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** Sets the location fields of err (any may be NULL/0 to leave unchanged). */
void cscc_err_at(struct cscc_err *err, const char *file, uint64_t row, int column,
                 const char *field);

/**
 * Formats err for people: "file:row: column 'field': message" with the parts
 * that are known. Writes at most size bytes into buf, always NUL-terminated.
 */
void cscc_err_format(const struct cscc_err *err, char *buf, size_t size);

/** A short name for a code, e.g. "bad data". Never NULL. */
const char *cscc_strerror(int code);

/** Maps a code to a sysexits.h exit status (65 bad data, 74 I/O, ...). */
int cscc_exit_status(int code);

#endif
