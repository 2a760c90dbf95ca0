/**
 * csv_ref.h - a deliberately simple, byte-at-a-time CSV parser with the same
 * rules as src/core/csv.c, used as the oracle by the differential unit test
 * (tests/unit/test_csv.c) and the fuzz target (fuzz/fuzz_csv.c).
 *
 * It reads an in-memory input one byte at a time with an explicit state
 * machine and no look-ahead, so each rule of csv.h is one line here:
 *  - BOM (EF BB BF) skipped at the start of the input;
 *  - every byte position is checked against max_row_bytes before it is
 *    looked at (the end of input counts as a position too): a record that has
 *    not ended by byte max_row_bytes of the record is CSCC_ELIMIT;
 *  - a delimiter that would make field max_fields + 1 is CSCC_ELIMIT;
 *  - CRs are dropped before '\n' and before the end of input (outside quotes);
 *  - a record that is one empty unquoted field is an empty line: skipped;
 *  - after an error the parser goes on at the line after the record's first
 *    line; the bad record takes a row number.
 * Not fast, not for production. Header-only; everything is static.
 */
#ifndef CSCC_FUZZ_CSV_REF_H
#define CSCC_FUZZ_CSV_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/err.h"

struct csv_ref {
    /* Input and options. */
    const char *s;
    size_t n;
    char delim;
    size_t max_row;
    size_t max_fields;
    /* Position. */
    size_t pos;
    uint64_t row, line;
    int started;
    /* The last record: field i is bytes[off[i] .. off[i] + len[i]). */
    char *bytes;
    size_t nbytes, cap_bytes;
    size_t *off, *len;
    size_t nf, cap_f;
    uint64_t rec_row, rec_line, rec_offset, end_offset;
    /* The last error. */
    uint64_t err_row, err_line;
};

static inline void csv_ref_init(struct csv_ref *r, const char *s, size_t n, char delim,
                                size_t max_row, size_t max_fields)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    r->n = n;
    r->delim = delim ? delim : ',';
    r->max_row = max_row ? max_row : (size_t)1 << 20;
    r->max_fields = max_fields ? max_fields : 4096;
    r->row = 1;
    r->line = 1;
    r->cap_bytes = 64;
    r->bytes = cscc_xmalloc(r->cap_bytes); /* never NULL, even for empty fields */
}

static inline void csv_ref_release(struct csv_ref *r)
{
    cscc_free(r->bytes);
    cscc_free(r->off);
    cscc_free(r->len);
}

static inline void csv_ref_addc(struct csv_ref *r, char c)
{
    if (r->nbytes == r->cap_bytes) {
        r->cap_bytes *= 2;
        r->bytes = cscc_xrealloc(r->bytes, r->cap_bytes);
    }
    r->bytes[r->nbytes++] = c;
}

/* Ends the current field, which started at bytes[start]. */
static inline void csv_ref_endfield(struct csv_ref *r, size_t start, int trim_cr)
{
    if (trim_cr)
        while (r->nbytes > start && r->bytes[r->nbytes - 1] == '\r')
            r->nbytes--;
    if (r->nf == r->cap_f) {
        r->cap_f = r->cap_f ? r->cap_f * 2 : 16;
        r->off = cscc_xrealloc(r->off, r->cap_f * sizeof(*r->off));
        r->len = cscc_xrealloc(r->len, r->cap_f * sizeof(*r->len));
    }
    r->off[r->nf] = start;
    r->len[r->nf] = r->nbytes - start;
    r->nf++;
}

/* Records an error for the record at rs and moves to the next physical line. */
static inline int csv_ref_fail(struct csv_ref *r, size_t rs, int code)
{
    const char *nl = memchr(r->s + rs, '\n', r->n - rs);

    r->err_row = r->row;
    r->err_line = r->line;
    r->pos = nl ? (size_t)(nl - r->s) + 1 : r->n;
    r->row++;
    r->line++;
    return code;
}

/** 1: a record (nf, off, len, bytes, rec_*); 0: end; <0: CSCC_EDATA/CSCC_ELIMIT (err_*). */
static inline int csv_ref_next(struct csv_ref *r)
{
    enum { FSTART, UNQ, QUOTED, QQ, CRS } st;
    size_t rs, p, fstart;
    uint64_t line;
    int quoted0;

    if (!r->started) {
        r->started = 1;
        if (r->n >= 3 && !memcmp(r->s, "\xEF\xBB\xBF", 3))
            r->pos = 3;
    }
again:
    if (r->pos >= r->n)
        return 0;
    rs = r->pos;
    line = r->line;
    r->nf = 0;
    r->nbytes = 0;
    fstart = 0;
    quoted0 = 0;
    st = FSTART;
    for (p = rs;;) {
        char c;

        if (p - rs > r->max_row)
            return csv_ref_fail(r, rs, CSCC_ELIMIT);
        if (p == r->n) {
            if (st == QUOTED)
                return csv_ref_fail(r, rs, CSCC_EDATA);
            csv_ref_endfield(r, fstart, st == UNQ);
            break;
        }
        c = r->s[p];
        switch (st) {
        case FSTART:
            if (c == '"') {
                if (r->nf == 0)
                    quoted0 = 1;
                st = QUOTED;
                p++;
            } else {
                st = UNQ; /* look at c again as field data */
            }
            break;
        case UNQ:
            if (c == r->delim) {
                csv_ref_endfield(r, fstart, 0);
                if (r->nf >= r->max_fields)
                    return csv_ref_fail(r, rs, CSCC_ELIMIT);
                fstart = r->nbytes;
                st = FSTART;
            } else if (c == '\n') {
                csv_ref_endfield(r, fstart, 1);
                line++;
                p++;
                goto done;
            } else {
                csv_ref_addc(r, c);
            }
            p++;
            break;
        case QUOTED:
            if (c == '"') {
                st = QQ;
            } else {
                if (c == '\n')
                    line++;
                csv_ref_addc(r, c);
            }
            p++;
            break;
        case QQ:
            if (c == '"') {
                csv_ref_addc(r, '"');
                st = QUOTED;
            } else if (c == r->delim) {
                csv_ref_endfield(r, fstart, 0);
                if (r->nf >= r->max_fields)
                    return csv_ref_fail(r, rs, CSCC_ELIMIT);
                fstart = r->nbytes;
                st = FSTART;
            } else if (c == '\n') {
                csv_ref_endfield(r, fstart, 0);
                line++;
                p++;
                goto done;
            } else if (c == '\r') {
                st = CRS;
            } else {
                return csv_ref_fail(r, rs, CSCC_EDATA);
            }
            p++;
            break;
        case CRS:
            if (c == '\n') {
                csv_ref_endfield(r, fstart, 0);
                line++;
                p++;
                goto done;
            }
            if (c != '\r')
                return csv_ref_fail(r, rs, CSCC_EDATA);
            p++;
            break;
        }
    }
done:
    if (r->nf == 1 && !quoted0 && r->len[0] == 0) { /* an empty line */
        r->pos = p;
        r->line = line;
        goto again;
    }
    r->rec_row = r->row;
    r->rec_line = r->line;
    r->rec_offset = rs;
    r->end_offset = p;
    r->pos = p;
    r->row++;
    r->line = line;
    return 1;
}

#endif
