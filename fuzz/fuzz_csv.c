/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (src/core/csv.c).
 *
 * The first three bytes choose the options (delimiter, limits, buffer size,
 * scanner); the rest is the CSV text. The reader must agree exactly with the
 * byte-at-a-time reference parser in csv_ref.h on every record (fields, row,
 * line, offset) and every error (code, row, line), and each record written
 * back with csv_write_row() must read back as the same fields.
 */
#include "core/csv.h"

#include "core/alloc.h"
#include "core/strbuf.h"
#include "csv_ref.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, uint64_t n)
{
    fprintf(stderr, "fuzz_csv: mismatch: %s (record or step %llu)\n", what, (unsigned long long)n);
    abort();
}

/* Writes one record and reads it back after a first line (so a leading BOM in
   a field is not taken for the source's BOM). */
static void check_roundtrip(const struct csv_row *row)
{
    struct strbuf sb;
    struct cscc_err err;
    struct csv_reader *r;
    struct csv_row back;
    struct csv_opts o;
    size_t i;

    if (row->nfields == 1 && row->fields[0].len == 0)
        return; /* one empty field is an empty line: CSV cannot say it */
    strbuf_init(&sb, 0);
    strbuf_adds(&sb, "x\n");
    if (csv_write_row(&sb, row->fields, row->nfields, 0) != 0)
        die("csv_write_row failed", row->row);
    memset(&o, 0, sizeof(o));
    o.buf_bytes = 256; /* the default 4 MiB would make each run slow */
    r = csv_open_mem(sb.buf, sb.len, &o, &err);
    if (!r)
        die("csv_open_mem failed", row->row);
    if (csv_next(r, &back, &err) != 1 || csv_next(r, &back, &err) != 1)
        die("written record does not read back", row->row);
    if (back.nfields != row->nfields)
        die("written record has another field count", row->row);
    for (i = 0; i < back.nfields; i++)
        if (back.fields[i].len != row->fields[i].len ||
            memcmp(back.fields[i].p, row->fields[i].p, back.fields[i].len) != 0)
            die("written field reads back different", row->row);
    if (csv_next(r, &back, &err) != 0)
        die("written record reads back as more than one", row->row);
    csv_close(r);
    strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[4] = {',', ';', '\t', '|'};
    static const char *const scanners[4] = {NULL, "sse2", "scalar", "avx2"};
    struct csv_opts o;
    struct csv_reader *r;
    struct csv_ref ref;
    struct cscc_err err;
    struct csv_row row;
    const char *text;
    size_t len;
    uint64_t step;

    if (size < 3)
        return 0;
    memset(&o, 0, sizeof(o));
    o.delim = delims[data[0] & 3];
    o.max_fields = (data[0] & 0x80) ? 0 : 1 + ((data[0] >> 2) & 15);
    o.max_row_bytes = (data[1] & 0x80) ? 0 : 1 + (size_t)(data[1] & 0x7f) * 3;
    o.buf_bytes = 16 + (size_t)(data[2] & 0x3f) * 5;
    if (csv_force_scanner(scanners[data[2] >> 6]) != 0)
        csv_force_scanner(NULL); /* avx2 not on this CPU */
    text = (const char *)data + 3;
    len = size - 3;

    r = csv_open_mem(text, len, &o, &err);
    if (!r)
        die("csv_open_mem failed", 0);
    csv_ref_init(&ref, text, len, o.delim, o.max_row_bytes, o.max_fields);
    for (step = 0;; step++) {
        int a = csv_next(r, &row, &err);
        int b = csv_ref_next(&ref);
        size_t i;

        if (step > 2 * len + 4)
            die("reader does not stop", step);
        if (a != b) {
            fprintf(stderr, "reader %d (%s), reference %d\n", a, a < 0 ? err.msg : "", b);
            die("result code", step);
        }
        if (a == 0)
            break;
        if (a < 0) {
            if (err.row != ref.err_row || err.line != ref.err_line)
                die("error row/line", step);
            if (err.msg[0] == '\0')
                die("error without a message", step);
            continue;
        }
        if (row.nfields != ref.nf || row.row != ref.rec_row || row.line != ref.rec_line ||
            row.offset != ref.rec_offset || csv_offset(r) != ref.end_offset)
            die("record shape or position", step);
        for (i = 0; i < row.nfields; i++)
            if (row.fields[i].len != ref.len[i] ||
                memcmp(row.fields[i].p, ref.bytes + ref.off[i], ref.len[i]) != 0)
                die("field bytes", step);
        if (o.delim == ',')
            check_roundtrip(&row);
    }
    csv_close(r);
    csv_ref_release(&ref);
    csv_force_scanner(NULL);
    return 0;
}
