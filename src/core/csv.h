/**
 * csv.h - a fast, streaming CSV reader (RFC 4180 plus what real exports do)
 * and a CSV field writer.
 *
 * Reading. A struct csv_reader reads records from a file (plain or gzip),
 * standard input, a memory buffer, or a byte range of a plain file (so that
 * several threads can read one big file in parallel). Each csv_next() returns
 * one record as an array of fields that point into the reader's buffer; they
 * stay valid until the next csv_next() or csv_close() (zsv style). Fields are
 * unescaped ("" inside a quoted field becomes ") but not NUL-terminated.
 *
 * Parsing rules:
 *  - records end at '\n'; CRs directly before it (outside quotes) are dropped,
 *    so CRLF and CR CR LF both work; end of input also ends a record (the
 *    final record needs no newline, and CRs before the end are dropped too);
 *  - a UTF-8 byte-order mark at the very start of the source is skipped;
 *  - an empty line (nothing but CRs before its '\n') is skipped, but counted
 *    in the line numbers;
 *  - a field that starts with '"' is quoted: "" inside is one ", delimiters
 *    and newlines inside are data, and after the closing quote only a
 *    delimiter or the end of the record (CRs then '\n', or end of input) may
 *    follow;
 *  - a '"' anywhere else in an unquoted field is data.
 *
 * Errors. csv_next() returns <0 for a malformed record and fills err with the
 * code, a message, err->row and err->line (where the record starts) and
 * err->column (the 1-based field, when known). Codes:
 *  - CSCC_EDATA "unexpected character after closing quote" or
 *    "unterminated quoted field";
 *  - CSCC_ELIMIT when the record does not end within max_row_bytes bytes
 *    (counting from its first byte up to, not including, its '\n'; CRs
 *    before the '\n' count), or has more than
 *    max_fields fields; the message names the limit. The length limit is
 *    checked as bytes are scanned: a record whose first max_row_bytes + 1
 *    bytes hold no end of record is ELIMIT even if a data error follows;
 *  - CSCC_EIO when reading or decompressing fails (also for a truncated or
 *    corrupt gzip stream, or bytes after it that are not another gzip
 *    member); CSCC_ENOMEM when a buffer cannot grow. These are final: every
 *    later csv_next() returns the same code again.
 * After CSCC_EDATA and CSCC_ELIMIT the reader skips to the start of the
 * physical line after the bad record's first line, so the caller may call
 * csv_next() again to go on. The bad record still takes a record number: the
 * record after it has row = err->row + 1.
 *
 * Speed. Delimiters, quotes and newlines are found 64 bytes at a time with
 * SSE2 or, when the CPU has it, AVX2 (chosen at run time); other
 * architectures use a portable 8-bytes-at-a-time scanner. Only the bytes at
 * those positions are looked at one by one. Files are read with read()/pread()
 * 256 KiB at a time into the buffer (not mmap: a file truncated while mapped
 * would kill the process with SIGBUS). bench/csv_speed.c measures it.
 *
 * Thread safety: a reader belongs to one thread at a time; different readers
 * are independent (range readers may share one fd). csv_force_scanner() is
 * global and not thread-safe.
 */
#ifndef CSCC_CORE_CSV_H
#define CSCC_CORE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

/** Reader options; zero-initialise and set what you need (0 = default). */
struct csv_opts {
    char delim;           /* ',' when 0; must not be '"', '\r' or '\n' */
    size_t max_row_bytes; /* a record longer than this is an error (CSCC_ELIMIT); 1 MiB when 0 */
    size_t max_fields;    /* more fields than this is an error (CSCC_ELIMIT); 4096 when 0 */
    size_t buf_bytes;     /* read buffer size; 4 MiB when 0 (it grows for longer records) */
};

/** One field: unescaped bytes, NOT NUL-terminated. */
struct csv_field {
    const char *p;
    size_t len;
};

/** One record, as returned by csv_next(). */
struct csv_row {
    const struct csv_field *fields; /* valid until the next csv_next()/csv_close() */
    size_t nfields;                 /* >= 1 */
    uint64_t row;    /* 1-based record number in the source (the header is record 1); for a range
                        reader, counted from the first record of the range as given by first_row */
    uint64_t line;   /* 1-based physical line where the record starts (same base rule) */
    uint64_t offset; /* byte offset of the record's first byte in the (decompressed) source */
};

struct csv_reader;

/**
 * Opens a file for reading; path "-" is standard input. gzip input (magic
 * bytes 1f 8b) is detected for files and stdin alike and decompressed on the
 * fly (multi-member gzip files are read to the end). Returns NULL on error
 * with err filled and err->file naming the file (CSCC_ENOENT, CSCC_EIO,
 * CSCC_EINVAL for bad options, CSCC_ENOMEM).
 */
struct csv_reader *csv_open_file(const char *path, const struct csv_opts *opts,
                                 struct cscc_err *err);

/**
 * Opens a reader over a private copy of buf[0..len): the caller may free buf
 * as soon as this returns. The copy is the reader's buffer (one copy, len
 * bytes), unless opts->buf_bytes asks for a smaller buffer, which is then fed
 * from the copy as from a file (tests use this to force refills). NULL on
 * error (CSCC_EINVAL, CSCC_ENOMEM).
 */
struct csv_reader *csv_open_mem(const char *buf, size_t len, const struct csv_opts *opts,
                                struct cscc_err *err);

/**
 * Reads records of a plain (uncompressed) file open on fd, starting exactly at
 * byte `start` (the caller guarantees or assumes a record starts there), and
 * returns every record whose first byte is < `stop`; the last one may extend
 * past stop and is read to its end. Uses pread only, so several range readers
 * may share one fd from different threads; the caller keeps fd open and owns
 * it. Row and line numbers start at first_row and first_line; offsets are
 * absolute file offsets. A BOM is skipped only when start is 0. NULL on error.
 */
struct csv_reader *csv_open_range(int fd, uint64_t start, uint64_t stop, uint64_t first_row,
                                  uint64_t first_line, const struct csv_opts *opts,
                                  struct cscc_err *err);

/**
 * Reads the next record into *row. Returns 1 when a record is in *row, 0 at
 * the end of input (or, for a range reader, at the first record starting at or
 * after stop), <0 for a bad record or a read error (see the header comment for
 * the codes and how to go on).
 */
int csv_next(struct csv_reader *r, struct csv_row *row, struct cscc_err *err);

/**
 * Keeps a CRC-32C of the bytes the reader takes from its source, as it reads
 * them: for a file or stdin all its bytes (the compressed ones for gzip), for
 * a range reader its bytes from start up to stop (not the read-ahead that
 * finishes the last record). Call before the first csv_next(). 0, or
 * CSCC_EINVAL for a memory reader or one already started.
 */
int csv_keep_crc(struct csv_reader *r);

/**
 * The CRC kept by csv_keep_crc so far, of the source bytes [*start, *end).
 * After csv_next() returned 0 that is the whole file (or range); compare
 * *end with what was expected before trusting it.
 */
uint32_t csv_crc(const struct csv_reader *r, uint64_t *start, uint64_t *end);

/** Offset just past the last record returned (past its newline, if any). */
uint64_t csv_offset(const struct csv_reader *r);

/** The line number the next record starts on (same base as csv_row.line):
 * after the last record of a range, first_line + the lines it held. */
uint64_t csv_next_line(const struct csv_reader *r);

/** Bytes consumed from the underlying file (compressed bytes for gzip), for progress lines. */
uint64_t csv_bytes_in(const struct csv_reader *r);

/** Closes the reader (and the file it opened, not a caller's fd). Accepts NULL. */
void csv_close(struct csv_reader *r);

/**
 * Finds the first record start after pos in a plain file of `size` bytes: the
 * byte after the first '\n' at or after pos. Speculative: it assumes pos is not
 * inside a quoted field (callers verify, e.g. by checking that the previous
 * range reader's csv_offset() ends exactly there). Sets *out to that offset, or
 * to size when there is no '\n' after pos. Returns 0 or CSCC_EIO. Uses pread.
 */
int csv_find_line_start(int fd, uint64_t pos, uint64_t size, uint64_t *out, struct cscc_err *err);

/**
 * Test hook: forces the byte scanner, "avx2", "sse2" or "scalar"; NULL goes
 * back to the best one the CPU supports. Returns 0, or CSCC_EINVAL when the
 * scanner does not exist on this machine. Affects readers opened afterwards.
 */
int csv_force_scanner(const char *name);

/** Name of the scanner new readers will use ("avx2", "sse2" or "scalar"). */
const char *csv_scanner_name(void);

/* ---- Writing ---------------------------------------------------------- */

enum {
    /* Prefix a text cell that starts with = + - @ TAB or CR with a single
       quote (') so spreadsheets do not run it as a formula (OWASP CSV
       injection). Plain numbers such as -87.66 or +1e3 are left alone. */
    CSV_NEUTRALIZE = 1
};

/**
 * Appends one field to sb (no delimiter, no newline), quoted when it contains
 * ',', '"', '\r' or '\n' or starts or ends with a space; '"' is doubled inside
 * quotes. flags: 0 or CSV_NEUTRALIZE. Returns 0, or CSCC_ELIMIT/CSCC_ENOMEM
 * from the strbuf, in which case sb is unchanged.
 */
int csv_write_field(struct strbuf *sb, const char *p, size_t len, int flags);

/**
 * Appends n fields separated by ',' and a final '\n'. Returns 0, or an error
 * from csv_write_field, in which case sb is unchanged.
 */
int csv_write_row(struct strbuf *sb, const struct csv_field *fields, size_t n, int flags);

#endif
