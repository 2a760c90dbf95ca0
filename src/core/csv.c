/*
 * csv.c - the CSV reader and writer.
 *
 * The reader keeps one buffer of source bytes. A scanner turns 64 bytes at a
 * time into a bit mask of "events" (delimiter, '"', '\n'), 4 KiB per call;
 * the parser walks the set bits with count-trailing-zeros and looks only at
 * those bytes, so a 236-byte Chicago crimes row costs about 25 steps instead
 * of 236. CRs are not events: they matter only just before a '\n' or after a
 * closing quote, and are looked at there. (Flattening the bits into an array
 * of positions first, as simdjson does, measured slower here: rows have only
 * about 6 events per 64 bytes.)
 *
 * A record is parsed from its first byte to its end inside the buffer. When
 * the buffer ends first, more input is read after it (256 KiB at a time, so
 * the new bytes are still in the L2 cache when they are parsed; the partial
 * record moves to the front when the buffer is full, and the buffer grows up
 * to max_row_bytes for long records) and the record is parsed again from its
 * start. Nothing is committed before a record is complete, so the restart is
 * always safe; quoted fields are unescaped in place only after the record is
 * complete.
 */
#include "core/csv.h"

#include "core/crc32c.h"

#include "core/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define PAD            64   /* readable bytes after the buffer, for 64-byte loads */
#define CHUNK          4096 /* bytes per scanner call */
#define CHUNK_BLOCKS   (CHUNK / 64)
#define MIN_BUF        16                /* smallest read buffer (it grows for long records) */
#define DEF_BUF        ((size_t)4 << 20) /* 4 MiB */
#define DEF_MAX_ROW    ((size_t)1 << 20)
#define DEF_MAX_FIELDS 4096
#define ZIN_BYTES      ((size_t)256 << 10)
#define MAX_READ       ((size_t)1 << 30)
#define READ_STEP      ((size_t)256 << 10) /* bytes per refill: fits the L2 cache */

/* parse() results besides 1 (record), 0 (end) and negative errors. */
#define P_MORE 2

/*
 * A scanner sets bit i of masks[k] when byte p[64 * k + i] is an event (the
 * delimiter, '"' or '\n'), for the bytes p[0..n), n <= CHUNK, and returns the
 * number of masks, (n + 63) / 64; bits of bytes at or after n are clear. It
 * reads whole 64-byte blocks, so up to 63 bytes past p + n (the buffer has PAD
 * bytes of slack).
 */
typedef size_t (*scan_fn)(const char *p, size_t n, char delim, uint64_t *masks);

enum src_kind { SRC_FD, SRC_RANGE, SRC_MEM };

struct csv_reader {
    /* Options. */
    char delim;
    size_t max_row;
    size_t max_fields;

    /* The buffer: buf[0..cap) plus PAD; data is [beg, end), beg is the start of
       the next record; buf[0] is at source offset buf_off. */
    char *buf;
    size_t cap;
    char *beg, *end;
    uint64_t buf_off;
    int eof;     /* the source has no more bytes */
    int started; /* the first fill (and BOM check) is done */
    int bom_ok;  /* a BOM may be skipped (source starts at offset 0) */
    int resync;  /* the last record was bad: skip its first line first */
    int fatal;   /* 0, or the final error code (CSCC_EIO, CSCC_ENOMEM) */
    char fatal_msg[sizeof(((struct cscc_err *)0)->msg)];

    /* Scanner state: m holds the unconsumed events of the 64-byte block at
       blk; masks[mi..mn) are the blocks after it; cnext is the first byte not
       scanned yet. */
    scan_fn scan;
    const char *blk, *cnext;
    uint64_t m;
    size_t mi, mn;
    uint64_t masks[CHUNK_BLOCKS];

    /* Position. */
    uint64_t row, line; /* of the record starting at beg */
    uint64_t stop;      /* range readers: no record starts at or after this */
    uint64_t last_end;  /* csv_offset() */

    /* Fields of the current record; esc lists the quoted fields holding "". */
    struct csv_field *fields;
    size_t *esc;
    size_t fcap;

    /* Source. */
    enum src_kind kind;
    int fd;
    int own_fd;
    uint64_t pos; /* next pread offset (range), next byte (mem) */
    char *mem;
    size_t mem_len;
    int gz;            /* decompressing gzip */
    int gz_member_end; /* inflate reached the end of a gzip member */
    int raw_eof;       /* the raw source has no more bytes */
    z_stream z;
    unsigned char *zin;
    size_t zin_cap;
    uint64_t bytes_in;
    char name[256];

    /* csv_keep_crc: CRC-32C of the source bytes [crc_start, crc_end), taken
       as they are read (before anything in the buffer is unescaped). */
    int crc_on;
    uint32_t crc;
    uint64_t crc_start, crc_end;
};

/* ---- Scanners ---------------------------------------------------------- */

/* Keeps the bits of the bytes before n in the block at `at`. */
static inline uint64_t tail_mask(size_t n, size_t at)
{
    return n - at >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (n - at)) - 1;
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* 0x80 in each byte of x that is zero, 0 elsewhere (exact: no false hits). */
static inline uint64_t swar_zero(uint64_t x)
{
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7Full;

    return ~(((x & lo7) + lo7) | x | lo7);
}

/* The portable scanner: 8 bytes at a time in a 64-bit word (SWAR). */
static size_t scan_scalar(const char *p, size_t n, char delim, uint64_t *masks)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t bd = ones * (unsigned char)delim, bq = ones * '"', bn = ones * '\n';
    size_t at, nb = 0;
    int k;

    for (at = 0; at < n; at += 64) {
        uint64_t m = 0;

        for (k = 0; k < 8; k++) {
            uint64_t x, z;

            memcpy(&x, p + at + 8 * k, 8);
            z = swar_zero(x ^ bd) | swar_zero(x ^ bq) | swar_zero(x ^ bn);
            /* Gathers the 0x80 bits of the 8 bytes into the low 8 bits. */
            m |= ((z * 0x0002040810204081ull) >> 56) << (8 * k);
        }
        masks[nb++] = m & tail_mask(n, at);
    }
    return nb;
}
#else
static size_t scan_scalar(const char *p, size_t n, char delim, uint64_t *masks)
{
    size_t i, nb = (n + 63) / 64;

    for (i = 0; i < nb; i++)
        masks[i] = 0;
    for (i = 0; i < n; i++) {
        char c = p[i];

        if (c == delim || c == '"' || c == '\n')
            masks[i / 64] |= (uint64_t)1 << (i % 64);
    }
    return nb;
}
#endif

#if defined(__x86_64__)
static size_t scan_sse2(const char *p, size_t n, char delim, uint64_t *masks)
{
    const __m128i vd = _mm_set1_epi8(delim);
    const __m128i vq = _mm_set1_epi8('"');
    const __m128i vn = _mm_set1_epi8('\n');
    size_t at, nb = 0;
    int k;

    for (at = 0; at < n; at += 64) {
        uint64_t m = 0;

        for (k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + at + 16 * k));
            __m128i c = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vq)),
                                     _mm_cmpeq_epi8(v, vn));

            m |= (uint64_t)(uint32_t)_mm_movemask_epi8(c) << (16 * k);
        }
        masks[nb++] = m & tail_mask(n, at);
    }
    return nb;
}

__attribute__((target("avx2"))) static size_t scan_avx2(const char *p, size_t n, char delim,
                                                        uint64_t *masks)
{
    const __m256i vd = _mm256_set1_epi8(delim);
    const __m256i vq = _mm256_set1_epi8('"');
    const __m256i vn = _mm256_set1_epi8('\n');
    size_t at, nb = 0;

    for (at = 0; at < n; at += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(p + at));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + at + 32));
        __m256i ca =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(a, vd), _mm256_cmpeq_epi8(a, vq)),
                            _mm256_cmpeq_epi8(a, vn));
        __m256i cb =
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(b, vd), _mm256_cmpeq_epi8(b, vq)),
                            _mm256_cmpeq_epi8(b, vn));
        uint64_t m = (uint64_t)(uint32_t)_mm256_movemask_epi8(ca) |
                     (uint64_t)(uint32_t)_mm256_movemask_epi8(cb) << 32;

        masks[nb++] = m & tail_mask(n, at);
    }
    return nb;
}
#endif

/* Set only by the csv_force_scanner() test hook. */
static scan_fn forced_scan;

static scan_fn best_scan(void)
{
    if (forced_scan)
        return forced_scan;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return scan_avx2;
    return scan_sse2;
#else
    return scan_scalar;
#endif
}

int csv_force_scanner(const char *name)
{
    if (!name) {
        forced_scan = NULL;
        return 0;
    }
    if (!strcmp(name, "scalar")) {
        forced_scan = scan_scalar;
        return 0;
    }
#if defined(__x86_64__)
    if (!strcmp(name, "sse2")) {
        forced_scan = scan_sse2;
        return 0;
    }
    __builtin_cpu_init();
    if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2")) {
        forced_scan = scan_avx2;
        return 0;
    }
#endif
    return CSCC_EINVAL;
}

const char *csv_scanner_name(void)
{
    scan_fn s = best_scan();

#if defined(__x86_64__)
    if (s == scan_avx2)
        return "avx2";
    if (s == scan_sse2)
        return "sse2";
#endif
    (void)s;
    return "scalar";
}

/* ---- Sources: plain fd, pread range, memory, gzip ---------------------- */

/* Reads up to n raw bytes. Returns the count, 0 at end, -1 with errno set. */
static ssize_t raw_read(struct csv_reader *r, void *dst, size_t n)
{
    ssize_t k;

    if (n > MAX_READ)
        n = MAX_READ;
    switch (r->kind) {
    case SRC_MEM:
        k = (ssize_t)(r->mem_len - r->pos < n ? r->mem_len - r->pos : n);
        memcpy(dst, r->mem + r->pos, (size_t)k);
        r->pos += (uint64_t)k;
        break;
    case SRC_RANGE:
        do
            k = pread(r->fd, dst, n, (off_t)r->pos);
        while (k < 0 && errno == EINTR);
        if (k > 0) {
            /* a range's checksum covers its bytes up to stop, not the
             * read-ahead that finishes its last record */
            if (r->crc_on && r->pos < r->stop) {
                size_t c = r->stop - r->pos < (uint64_t)k ? (size_t)(r->stop - r->pos) : (size_t)k;

                r->crc = cscc_crc32c(r->crc, dst, c);
                r->crc_end = r->pos + c;
            }
            r->pos += (uint64_t)k;
        }
        break;
    default:
        do
            k = read(r->fd, dst, n);
        while (k < 0 && errno == EINTR);
        if (k > 0 && r->crc_on) {
            r->crc = cscc_crc32c(r->crc, dst, (size_t)k);
            r->crc_end += (uint64_t)k;
        }
        break;
    }
    if (k > 0)
        r->bytes_in += (uint64_t)k;
    return k;
}

static int read_error(struct csv_reader *r, struct cscc_err *err, int errnum)
{
    cscc_err_clear(err);
    cscc_err_errno(err, CSCC_EIO, errnum, "cannot read %s", r->name[0] ? r->name : "input");
    return CSCC_EIO;
}

/* Decompresses up to n bytes. Returns the count, 0 at end, or a negative code. */
static ssize_t gz_read(struct csv_reader *r, char *dst, size_t n, struct cscc_err *err)
{
    const char *what = r->name[0] ? r->name : "input";

    if (n > MAX_READ)
        n = MAX_READ;
    for (;;) {
        int zrc;
        size_t got;

        if (r->z.avail_in == 0 && !r->raw_eof) {
            ssize_t k = raw_read(r, r->zin, r->zin_cap);

            if (k < 0)
                return read_error(r, err, errno);
            if (k == 0)
                r->raw_eof = 1;
            r->z.next_in = r->zin;
            r->z.avail_in = (uInt)k;
        }
        if (r->gz_member_end) {
            /* Another gzip member may follow (pigz, bgzip, cat a.gz b.gz). */
            if (r->z.avail_in == 0 && r->raw_eof)
                return 0;
            if (r->z.avail_in == 0)
                continue;
            if (r->z.next_in[0] != 0x1f) {
                cscc_err_clear(err);
                cscc_err_set(err, CSCC_EIO, "cannot read %s: trailing garbage after gzip data",
                             what);
                return CSCC_EIO;
            }
            if (inflateReset(&r->z) != Z_OK) {
                cscc_err_clear(err);
                cscc_err_set(err, CSCC_EIO, "cannot read %s: inflateReset failed", what);
                return CSCC_EIO;
            }
            r->gz_member_end = 0;
        }
        r->z.next_out = (Bytef *)dst;
        r->z.avail_out = (uInt)n;
        zrc = inflate(&r->z, Z_NO_FLUSH);
        got = n - r->z.avail_out;
        if (zrc == Z_STREAM_END)
            r->gz_member_end = 1;
        else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            cscc_err_clear(err);
            cscc_err_set(err, CSCC_EIO, "cannot read %s: corrupt gzip data (%s)", what,
                         r->z.msg ? r->z.msg : "inflate failed");
            return CSCC_EIO;
        }
        if (got)
            return (ssize_t)got;
        if (zrc != Z_STREAM_END && r->z.avail_in == 0 && r->raw_eof) {
            cscc_err_clear(err);
            cscc_err_set(err, CSCC_EIO, "cannot read %s: truncated gzip data", what);
            return CSCC_EIO;
        }
    }
}

static ssize_t src_read(struct csv_reader *r, char *dst, size_t n, struct cscc_err *err)
{
    ssize_t k;

    if (r->gz)
        return gz_read(r, dst, n, err);
    k = raw_read(r, dst, n);
    if (k < 0)
        return read_error(r, err, errno);
    return k;
}

/* Switches to gzip mode; the raw bytes already read (buf[0..end)) are its start. */
static int gz_start(struct csv_reader *r, struct cscc_err *err)
{
    size_t have = (size_t)(r->end - r->buf);

    r->zin_cap = ZIN_BYTES;
    r->zin = cscc_trymalloc(r->zin_cap);
    if (!r->zin)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory for the gzip buffer of %s", r->name);
    memset(&r->z, 0, sizeof(r->z));
    if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK) {
        cscc_free(r->zin);
        r->zin = NULL;
        return cscc_err_set(err, CSCC_ENOMEM, "cannot start gzip decompression of %s", r->name);
    }
    memcpy(r->zin, r->buf, have);
    r->z.next_in = r->zin;
    r->z.avail_in = (uInt)have;
    r->gz = 1;
    r->end = r->beg = r->buf;
    return 0;
}

/* ---- Buffer management ------------------------------------------------- */

/* Restarts the event scan at p (after the buffer moved, or a resync). */
static void scan_reset(struct csv_reader *r, const char *p)
{
    r->blk = r->cnext = p;
    r->m = 0;
    r->mi = r->mn = 0;
}

static int set_fatal(struct csv_reader *r, struct cscc_err *err, int code)
{
    r->fatal = code;
    snprintf(r->fatal_msg, sizeof(r->fatal_msg), "%s", err ? err->msg : "read failed");
    return code;
}

/*
 * Reads more input after end: at least READ_STEP bytes (less when the buffer
 * is smaller) and at least as many as the partial record [beg, end) holds, so
 * that re-parsing a long record after each read costs linear time in all.
 * Reading a step at a time into the big buffer keeps the freshly read bytes in
 * the L2 cache for the parser. Moves [beg, end) to the front when the step does
 * not fit after end, and grows the buffer (up to max_row_bytes + 1) when the
 * partial record needs it. Returns 0 or a negative code (err filled).
 */
static int refill(struct csv_reader *r, struct cscc_err *err)
{
    size_t keep = (size_t)(r->end - r->beg);
    size_t step = r->cap < READ_STEP ? r->cap : READ_STEP;
    size_t want = keep > step ? keep : step;
    size_t room;

    if (r->eof) { /* nothing more to read (a memory reader starts so) */
        scan_reset(r, r->beg);
        return 0;
    }
    if ((size_t)(r->buf + r->cap - r->end) < want && r->beg != r->buf) {
        memmove(r->buf, r->beg, keep);
        r->buf_off += (uint64_t)(r->beg - r->buf);
        r->beg = r->buf;
        r->end = r->buf + keep;
    }
    if (keep + want > r->cap && r->cap <= r->max_row) {
        size_t ncap = keep + want < r->max_row + 1 ? keep + want : r->max_row + 1;
        char *nb = cscc_tryrealloc(r->buf, ncap + PAD);

        if (!nb) {
            cscc_err_clear(err);
            cscc_err_set(err, CSCC_ENOMEM, "out of memory for a %zu-byte record buffer", ncap);
            return CSCC_ENOMEM;
        }
        memset(nb + ncap, 0, PAD);
        r->end = nb + (r->end - r->buf);
        r->beg = nb + (r->beg - r->buf);
        r->buf = nb;
        r->cap = ncap;
    }
    room = (size_t)(r->buf + r->cap - r->end);
    if (want > room)
        want = room;
    while (want > 0 && !r->eof) {
        ssize_t k = src_read(r, r->end, want, err);

        if (k < 0)
            return (int)k;
        if (k == 0)
            r->eof = 1;
        r->end += k;
        want -= (size_t)k;
    }
    scan_reset(r, r->beg);
    return 0;
}

/* Room for one more field; CSCC_ELIMIT when nf reaches max_fields. */
static int grow_fields(struct csv_reader *r, size_t nf)
{
    size_t ncap;
    struct csv_field *f;
    size_t *e;

    if (nf >= r->max_fields)
        return CSCC_ELIMIT;
    ncap = r->fcap * 2 < r->max_fields ? r->fcap * 2 : r->max_fields;
    f = cscc_tryreallocarray(r->fields, ncap, sizeof(*f));
    if (!f)
        return CSCC_ENOMEM;
    r->fields = f;
    e = cscc_tryreallocarray(r->esc, ncap, sizeof(*e));
    if (!e)
        return CSCC_ENOMEM;
    r->esc = e;
    r->fcap = ncap;
    return 0;
}

/* Turns each "" into " in place; returns the new length. */
static size_t unescape(char *p, size_t len)
{
    char *w = memchr(p, '"', len);
    const char *rd, *end = p + len;

    if (!w)
        return len;
    w++;        /* keep the first quote of the pair */
    rd = w + 1; /* and drop the second */
    while (rd < end) {
        char c = *rd++;

        *w++ = c;
        if (c == '"')
            rd++;
    }
    return (size_t)(w - p);
}

/* ---- The parser -------------------------------------------------------- */

static int rec_error(struct csv_reader *r, struct cscc_err *err, int code, int column,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fills err for the record at beg (its row and first line) and asks for a resync. */
static int rec_error(struct csv_reader *r, struct cscc_err *err, int code, int column,
                     const char *fmt, ...)
{
    va_list ap;

    r->resync = 1;
    if (!err)
        return code;
    cscc_err_clear(err);
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    cscc_err_at(err, r->name[0] ? r->name : NULL, r->row, column, NULL);
    err->line = r->line;
    return code;
}

static int too_long(struct csv_reader *r, struct cscc_err *err)
{
    return rec_error(r, err, CSCC_ELIMIT, 0, "record longer than %zu bytes (max_row_bytes)",
                     r->max_row);
}

#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/*
 * Next event (delimiter, quote or newline) after the ones consumed; jumps to
 * `none` when the data in the buffer has no more. Scans the next chunk when
 * the masks run out. Uses the locals of parse().
 */
#define NEXT_EVENT(e, none)                                                                        \
    do {                                                                                           \
        while (UNLIKELY(m == 0)) {                                                                 \
            if (mi == mn) {                                                                        \
                size_t left_ = (size_t)(end - cnext);                                              \
                                                                                                   \
                if (cnext >= end)                                                                  \
                    goto none;                                                                     \
                if (left_ > CHUNK)                                                                 \
                    left_ = CHUNK;                                                                 \
                mn = scan(cnext, left_, delim, masks);                                             \
                mi = 0;                                                                            \
                blk = cnext;                                                                       \
                cnext += left_;                                                                    \
            } else {                                                                               \
                blk += 64;                                                                         \
            }                                                                                      \
            m = masks[mi++];                                                                       \
        }                                                                                          \
        (e) = blk + (unsigned)__builtin_ctzll(m);                                                  \
        m &= m - 1;                                                                                \
    } while (0)

/*
 * Parses the record at r->beg. Returns 1 with *row filled, 0 at the end,
 * P_MORE when the buffer ends before the record does (nothing committed), or
 * a negative code for a bad record (resync set).
 *
 * The length limit: lim is the last byte a record may use before its '\n'.
 * Delimiters are not checked against it (that is the hot path); every
 * decision is: a record's end, an error, and P_MORE (csv_next checks the
 * buffered length then), so the outcome is the same as checking every byte.
 */
static int parse(struct csv_reader *r, struct csv_row *row, struct cscc_err *err)
{
    const char delim = r->delim;
    char *const end = r->end;
    const int eof = r->eof;
    const scan_fn scan = r->scan;
    uint64_t *const masks = r->masks;
    const char *blk = r->blk, *cnext = r->cnext;
    uint64_t m = r->m;
    size_t mi = r->mi, mn = r->mn;
    struct csv_field *f = r->fields, *fp, *fend;
    size_t nesc, i;
    const char *beg, *fs, *lim, *next, *e;
    uint64_t line;
    int rc;

next_record:
    beg = r->beg;
    if (r->buf_off + (uint64_t)(beg - r->buf) >= r->stop) {
        rc = 0;
        goto out;
    }
    lim = (size_t)(end - beg) > r->max_row ? beg + r->max_row : end;
    line = r->line;
    fp = f;
    fend = f + (r->fcap < r->max_fields ? r->fcap : r->max_fields);
    nesc = 0;
    fs = beg;
    for (;;) {
        char c;

        NEXT_EVENT(e, unquoted_none);
        c = *e;
        if (LIKELY(c == delim)) {
            fp->p = fs;
            fp->len = (size_t)(e - fs);
            fs = e + 1;
            if (UNLIKELY(++fp == fend))
                goto more_fields;
            continue;
        }
        if (UNLIKELY(e > lim))
            goto too_long;
        if (c == '\n') {
            const char *t = e;

            while (t > fs && t[-1] == '\r')
                t--;
            if (UNLIKELY(fp == f && t == beg)) { /* an empty line */
                r->beg = (char *)e + 1;
                r->line = line + 1;
                goto next_record;
            }
            fp->p = fs;
            fp->len = (size_t)(t - fs);
            fp++;
            line++;
            next = e + 1;
            goto record;
        }
        if (e != fs)
            continue; /* a quote inside an unquoted field is data */

        /* A quoted field: find its closing quote. */
        {
            int has_esc = 0;
            const char *x;

            for (;;) {
                NEXT_EVENT(e, quoted_none);
                if (UNLIKELY(e > lim))
                    goto too_long;
                if (*e == '"') {
                    if (e + 1 == end) {
                        if (!eof)
                            goto need_more;
                        break;
                    }
                    if (LIKELY(e[1] != '"'))
                        break;
                    NEXT_EVENT(e, quoted_none); /* the second quote of "" */
                    if (UNLIKELY(e > lim))
                        goto too_long;
                    has_esc = 1;
                } else if (*e == '\n') {
                    line++;
                }
            }
            /* e is the closing quote. */
            fp->p = fs + 1;
            fp->len = (size_t)(e - fs - 1);
            if (UNLIKELY(has_esc))
                r->esc[nesc++] = (size_t)(fp - f);
            x = e + 1;
            if (UNLIKELY(x > lim))
                goto too_long;
            if (x == end) { /* eof, checked above */
                fp++;
                next = end;
                goto record;
            }
            if (*x == delim) {
                NEXT_EVENT(e, internal); /* the delimiter at x */
                fs = e + 1;
                if (UNLIKELY(++fp == fend))
                    goto more_fields;
                continue;
            }
            if (*x == '\r') {
                while (x < end && *x == '\r')
                    x++;
                if (x > lim)
                    goto too_long;
                if (x == end) {
                    if (!eof)
                        goto need_more;
                    fp++;
                    next = end;
                    goto record;
                }
            }
            if (LIKELY(*x == '\n')) {
                NEXT_EVENT(e, internal); /* the newline at x */
                fp++;
                line++;
                next = e + 1;
                goto record;
            }
            rc = rec_error(r, err, CSCC_EDATA, (int)(fp - f + 1),
                           "unexpected character after closing quote");
            goto out;
        }
    }

more_fields:
    /* e is the delimiter that ended field fend[-1]: one more field follows. */
    if (e > lim)
        goto too_long;
    rc = grow_fields(r, (size_t)(fp - f));
    if (rc == CSCC_ELIMIT) {
        rc = rec_error(r, err, CSCC_ELIMIT, 0, "record has more than %zu fields (max_fields)",
                       r->max_fields);
        goto out;
    }
    if (rc) {
        cscc_err_clear(err);
        cscc_err_set(err, rc, "out of memory for %zu fields", (size_t)(fp - f) + 1);
        rc = set_fatal(r, err, rc);
        goto out;
    }
    /* The array grew (a few times per reader at most): parse the record again
       from its start; nothing is committed yet. */
    f = r->fields;
    blk = cnext = r->beg;
    m = 0;
    mi = mn = 0;
    goto next_record;

unquoted_none:
    if (!eof)
        goto need_more;
    if (end > lim)
        goto too_long;
    {
        const char *t = end;

        while (t > fs && t[-1] == '\r')
            t--;
        if (fp == f && t == beg) { /* nothing but CRs (or nothing) before the end */
            r->beg = end;
            rc = 0;
            goto out;
        }
        fp->p = fs;
        fp->len = (size_t)(t - fs);
        fp++;
        next = end;
        goto record;
    }

quoted_none:
    if (!eof)
        goto need_more;
    if (end > lim)
        goto too_long;
    rc = rec_error(r, err, CSCC_EDATA, (int)(fp - f + 1), "unterminated quoted field");
    goto out;

internal:
    cscc_err_clear(err);
    cscc_err_set(err, CSCC_EINTERNAL, "csv scanner lost an event");
    rc = set_fatal(r, err, CSCC_EINTERNAL);
    goto out;

too_long:
    rc = too_long(r, err);
    goto out;

need_more:
    rc = P_MORE;
    goto out;

record:
    for (i = 0; i < nesc; i++) {
        struct csv_field *g = &f[r->esc[i]];

        g->len = unescape((char *)g->p, g->len);
    }
    row->fields = f;
    row->nfields = (size_t)(fp - f);
    row->row = r->row;
    row->line = r->line;
    row->offset = r->buf_off + (uint64_t)(beg - r->buf);
    r->row++;
    r->line = line;
    r->beg = (char *)next;
    r->last_end = r->buf_off + (uint64_t)(next - r->buf);
    rc = 1;

out:
    r->blk = blk;
    r->cnext = cnext;
    r->m = m;
    r->mi = mi;
    r->mn = mn;
    return rc;
}

/* Skips to the start of the line after the bad record's first line. */
static int resync(struct csv_reader *r, struct cscc_err *err)
{
    for (;;) {
        char *nl = memchr(r->beg, '\n', (size_t)(r->end - r->beg));
        int rc;

        if (nl) {
            r->beg = nl + 1;
            break;
        }
        r->beg = r->end;
        if (r->eof)
            break;
        rc = refill(r, err);
        if (rc)
            return rc;
    }
    r->line++;
    r->row++;
    r->resync = 0;
    scan_reset(r, r->beg);
    return 0;
}

int csv_next(struct csv_reader *r, struct csv_row *row, struct cscc_err *err)
{
    int rc;

    if (r->fatal) {
        cscc_err_clear(err);
        cscc_err_set(err, r->fatal, "%s", r->fatal_msg);
        return r->fatal;
    }
    if (!r->started) {
        r->started = 1;
        rc = refill(r, err);
        if (rc)
            return set_fatal(r, err, rc);
        if (r->bom_ok && r->end - r->beg >= 3 && !memcmp(r->beg, "\xEF\xBB\xBF", 3)) {
            r->beg += 3;
            scan_reset(r, r->beg);
        }
    }
    if (r->resync) {
        rc = resync(r, err);
        if (rc)
            return set_fatal(r, err, rc);
    }
    for (;;) {
        rc = parse(r, row, err);
        if (rc != P_MORE)
            return rc;
        if ((size_t)(r->end - r->beg) > r->max_row)
            return too_long(r, err);
        rc = refill(r, err);
        if (rc)
            return set_fatal(r, err, rc);
    }
}

/* ---- Opening and closing ----------------------------------------------- */

static struct csv_reader *reader_new(const struct csv_opts *opts, const char *name,
                                     struct cscc_err *err)
{
    struct csv_opts o = {0};
    struct csv_reader *r;

    if (opts)
        o = *opts;
    if (!o.delim)
        o.delim = ',';
    if (o.delim == '"' || o.delim == '\n' || o.delim == '\r') {
        cscc_err_set(err, CSCC_EINVAL, "the csv delimiter cannot be a quote, CR or LF");
        return NULL;
    }
    if (!o.max_row_bytes)
        o.max_row_bytes = DEF_MAX_ROW;
    if (o.max_row_bytes > SIZE_MAX / 4)
        o.max_row_bytes = SIZE_MAX / 4;
    if (!o.max_fields)
        o.max_fields = DEF_MAX_FIELDS;
    if (!o.buf_bytes)
        o.buf_bytes = DEF_BUF;
    if (o.buf_bytes < MIN_BUF)
        o.buf_bytes = MIN_BUF;
    if (o.buf_bytes > SIZE_MAX / 4)
        o.buf_bytes = SIZE_MAX / 4;

    r = cscc_xcalloc(1, sizeof(*r));
    r->delim = o.delim;
    r->max_row = o.max_row_bytes;
    r->max_fields = o.max_fields;
    r->cap = o.buf_bytes;
    r->buf = cscc_trymalloc(r->cap + PAD);
    r->fcap = o.max_fields < 64 ? o.max_fields : 64;
    r->fields = cscc_trycalloc(r->fcap, sizeof(*r->fields));
    r->esc = cscc_trycalloc(r->fcap, sizeof(*r->esc));
    if (!r->buf || !r->fields || !r->esc) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory for a %zu-byte csv buffer", r->cap);
        cscc_free(r->buf);
        cscc_free(r->fields);
        cscc_free(r->esc);
        cscc_free(r);
        return NULL;
    }
    memset(r->buf + r->cap, 0, PAD);
    r->beg = r->end = r->buf;
    r->scan = best_scan();
    r->row = 1;
    r->line = 1;
    r->stop = UINT64_MAX;
    r->bom_ok = 1;
    r->fd = -1;
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    scan_reset(r, r->beg);
    return r;
}

struct csv_reader *csv_open_file(const char *path, const struct csv_opts *opts,
                                 struct cscc_err *err)
{
    struct csv_reader *r = NULL;
    int is_stdin = !strcmp(path, "-");
    struct stat st;
    int fd;

    cscc_err_clear(err);
    fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        cscc_err_errno(err, e == ENOENT ? CSCC_ENOENT : CSCC_EIO, e, "cannot open %s", path);
        cscc_err_at(err, path, 0, 0, NULL);
        return NULL;
    }
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            cscc_err_set(err, CSCC_EINVAL, "cannot read %s: it is a directory", path);
            goto fail;
        }
        if (S_ISREG(st.st_mode))
            posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    r = reader_new(opts, is_stdin ? "stdin" : path, err);
    if (!r)
        goto fail;
    r->kind = SRC_FD;
    r->fd = fd;
    r->own_fd = !is_stdin;
    /* Read two bytes to see whether this is gzip. */
    while (r->end - r->buf < 2 && !r->eof) {
        ssize_t k = raw_read(r, r->end, (size_t)(2 - (r->end - r->buf)));

        if (k < 0) {
            read_error(r, err, errno);
            goto fail;
        }
        if (k == 0)
            r->eof = 1;
        r->end += k;
    }
    if (r->end - r->buf == 2 && (unsigned char)r->buf[0] == 0x1f &&
        (unsigned char)r->buf[1] == 0x8b) {
        r->eof = 0;
        if (gz_start(r, err))
            goto fail;
    }
    return r;

fail:
    cscc_err_at(err, path, 0, 0, NULL);
    if (r) {
        csv_close(r);
    } else if (!is_stdin) {
        close(fd);
    }
    return NULL;
}

struct csv_reader *csv_open_mem(const char *buf, size_t len, const struct csv_opts *opts,
                                struct cscc_err *err)
{
    struct csv_opts o = {0};
    struct csv_reader *r;

    cscc_err_clear(err);
    if (opts)
        o = *opts;
    if (!o.buf_bytes || o.buf_bytes >= len) {
        /* The usual case: the copy is the buffer, read once and for all. */
        o.buf_bytes = len ? len : MIN_BUF;
        r = reader_new(&o, NULL, err);
        if (!r)
            return NULL;
        r->kind = SRC_MEM;
        if (len)
            memcpy(r->buf, buf, len);
        r->end = r->buf + len;
        r->eof = 1;
        return r;
    }
    /* A buffer smaller than the input was asked for (tests, fuzzing): keep a
       copy and feed the buffer from it as a file would. */
    r = reader_new(&o, NULL, err);
    if (!r)
        return NULL;
    r->kind = SRC_MEM;
    r->mem = cscc_trymalloc(len);
    if (!r->mem) {
        cscc_err_set(err, CSCC_ENOMEM, "out of memory for a %zu-byte csv copy", len);
        csv_close(r);
        return NULL;
    }
    memcpy(r->mem, buf, len);
    r->mem_len = len;
    return r;
}

struct csv_reader *csv_open_range(int fd, uint64_t start, uint64_t stop, uint64_t first_row,
                                  uint64_t first_line, const struct csv_opts *opts,
                                  struct cscc_err *err)
{
    struct csv_reader *r;

    cscc_err_clear(err);
    r = reader_new(opts, NULL, err);
    if (!r)
        return NULL;
    r->kind = SRC_RANGE;
    r->fd = fd;
    r->pos = start;
    r->buf_off = start;
    r->last_end = start;
    r->stop = stop;
    r->row = first_row ? first_row : 1;
    r->line = first_line ? first_line : 1;
    r->bom_ok = start == 0;
    return r;
}

int csv_keep_crc(struct csv_reader *r)
{
    if (r->started || r->kind == SRC_MEM)
        return CSCC_EINVAL;
    r->crc_on = 1;
    r->crc = 0;
    r->crc_start = r->crc_end = r->kind == SRC_RANGE ? r->pos : 0;
    /* csv_open_file has already read the first bytes (the gzip check) */
    if (r->kind == SRC_FD) {
        size_t have =
            r->gz ? (size_t)(r->z.next_in - r->zin) + r->z.avail_in : (size_t)(r->end - r->buf);
        const void *p = r->gz ? (const void *)r->zin : (const void *)r->buf;

        r->crc = cscc_crc32c(0, p, have);
        r->crc_end = have;
    }
    return 0;
}

uint32_t csv_crc(const struct csv_reader *r, uint64_t *start, uint64_t *end)
{
    *start = r->crc_start;
    *end = r->crc_end;
    return r->crc;
}

uint64_t csv_offset(const struct csv_reader *r)
{
    return r->last_end;
}

uint64_t csv_next_line(const struct csv_reader *r)
{
    return r->line;
}

uint64_t csv_bytes_in(const struct csv_reader *r)
{
    return r->bytes_in;
}

void csv_close(struct csv_reader *r)
{
    if (!r)
        return;
    if (r->gz)
        inflateEnd(&r->z);
    if (r->own_fd && r->fd >= 0)
        close(r->fd);
    cscc_free(r->zin);
    cscc_free(r->mem);
    cscc_free(r->buf);
    cscc_free(r->fields);
    cscc_free(r->esc);
    cscc_free(r);
}

int csv_find_line_start(int fd, uint64_t pos, uint64_t size, uint64_t *out, struct cscc_err *err)
{
    char buf[16384];

    while (pos < size) {
        size_t n = size - pos < sizeof(buf) ? (size_t)(size - pos) : sizeof(buf);
        ssize_t k;
        const char *nl;

        do
            k = pread(fd, buf, n, (off_t)pos);
        while (k < 0 && errno == EINTR);
        if (k < 0)
            return cscc_err_errno(err, CSCC_EIO, errno, "cannot read a csv file at offset %llu",
                                  (unsigned long long)pos);
        if (k == 0)
            break;
        nl = memchr(buf, '\n', (size_t)k);
        if (nl) {
            *out = pos + (uint64_t)(nl - buf) + 1;
            return 0;
        }
        pos += (uint64_t)k;
    }
    *out = size;
    return 0;
}

/* ---- Writing ----------------------------------------------------------- */

/* A plain decimal number: [+-]digits[.digits][e[+-]digits], at least one digit. */
static int is_number(const char *p, size_t len)
{
    size_t i = 0, digits = 0;

    if (i < len && (p[i] == '+' || p[i] == '-'))
        i++;
    while (i < len && p[i] >= '0' && p[i] <= '9')
        i++, digits++;
    if (i < len && p[i] == '.') {
        i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < len && (p[i] == 'e' || p[i] == 'E')) {
        size_t d = 0;

        i++;
        if (i < len && (p[i] == '+' || p[i] == '-'))
            i++;
        while (i < len && p[i] >= '0' && p[i] <= '9')
            i++, d++;
        if (!d)
            return 0;
    }
    return i == len;
}

int csv_write_field(struct strbuf *sb, const char *p, size_t len, int flags)
{
    int prefix = 0, quote = 0, rc;
    size_t i, quotes = 0, need;
    char *w;

    if ((flags & CSV_NEUTRALIZE) && len &&
        (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@' || p[0] == '\t' ||
         p[0] == '\r') &&
        !is_number(p, len))
        prefix = 1;
    if (len && (p[0] == ' ' || p[len - 1] == ' '))
        quote = 1;
    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c == ',' || c == '\r' || c == '\n')
            quote = 1;
        else if (c == '"')
            quote = 1, quotes++;
    }
    if (!quote && !prefix)
        return strbuf_add(sb, p, len);
    need = len + (size_t)prefix + (quote ? 2 + quotes : 0);
    rc = strbuf_grow(sb, need);
    if (rc)
        return rc;
    w = sb->buf + sb->len;
    if (quote)
        *w++ = '"';
    if (prefix)
        *w++ = '\'';
    for (i = 0; i < len; i++) {
        *w++ = p[i];
        if (quote && p[i] == '"')
            *w++ = '"';
    }
    if (quote)
        *w++ = '"';
    sb->len += need;
    sb->buf[sb->len] = '\0';
    return 0;
}

int csv_write_row(struct strbuf *sb, const struct csv_field *fields, size_t n, int flags)
{
    size_t old = sb->len, i;
    int rc = 0;

    for (i = 0; i < n && !rc; i++) {
        if (i)
            rc = strbuf_addc(sb, ',');
        if (!rc)
            rc = csv_write_field(sb, fields[i].p, fields[i].len, flags);
    }
    if (!rc)
        rc = strbuf_addc(sb, '\n');
    if (rc)
        strbuf_setlen(sb, old);
    return rc;
}
