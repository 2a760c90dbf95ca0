/* test_csv.c - csv: the CSV reader (RFC 4180 cases, errors and resync, buffer
   refills, gzip, stdin, ranges) and writer, against fixtures, the real portal
   sample and a byte-at-a-time reference parser (fuzz/csv_ref.h). */
#include "test.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/err.h"
#include "core/strbuf.h"
#include "fuzz/csv_ref.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

static const char *const scanners[] = {"avx2", "sse2", "scalar"};

/* ---- Helpers ----------------------------------------------------------- */

/*
 * Reads everything and renders it: each record as [f1|f2|...], each error as
 * {CODE row:line}. Returns a static buffer (overwritten by the next call).
 */
static const char *render_reader(struct csv_reader *r)
{
    static struct strbuf sb;
    struct cscc_err err;
    struct csv_row row;
    int rc, n = 0;

    strbuf_release(&sb);
    strbuf_init(&sb, 0);
    if (!r)
        return "(open failed)";
    while ((rc = csv_next(r, &row, &err)) != 0) {
        size_t i;

        if (++n > 10000) {
            strbuf_adds(&sb, "(no end)");
            break;
        }
        if (rc < 0) {
            strbuf_addf(&sb, "{%s %llu:%llu}",
                        rc == CSCC_EDATA    ? "EDATA"
                        : rc == CSCC_ELIMIT ? "ELIMIT"
                                            : "E?",
                        (unsigned long long)err.row, (unsigned long long)err.line);
            if (rc != CSCC_EDATA && rc != CSCC_ELIMIT)
                break;
            continue;
        }
        strbuf_addc(&sb, '[');
        for (i = 0; i < row.nfields; i++) {
            if (i)
                strbuf_addc(&sb, '|');
            strbuf_add(&sb, row.fields[i].p, row.fields[i].len);
        }
        strbuf_addc(&sb, ']');
    }
    csv_close(r);
    return sb.buf;
}

static const char *render_opts(const char *s, size_t len, size_t buf, size_t max_row,
                               size_t max_fields)
{
    struct csv_opts o = {0};
    struct cscc_err err;

    o.buf_bytes = buf;
    o.max_row_bytes = max_row;
    o.max_fields = max_fields;
    return render_reader(csv_open_mem(s, len, &o, &err));
}

/* Renders s with the default options and checks it against want, with every
   scanner and with several buffer sizes (so records span refills). */
#define CHECK_PARSE(s, want) check_parse(__FILE__, __LINE__, (s), sizeof(s) - 1, (want))

static void check_parse(const char *file, int line, const char *s, size_t len, const char *want)
{
    static const size_t bufs[] = {0, 16, 17, 31, 64, 100};
    size_t b, k;

    for (k = 0; k < 3; k++) {
        if (csv_force_scanner(scanners[k]) != 0)
            continue;
        for (b = 0; b < sizeof(bufs) / sizeof(bufs[0]); b++) {
            const char *got = render_opts(s, len, bufs[b], 0, 0);

            if (strcmp(got, want) != 0)
                test_fail(file, line, "scanner %s, buf %zu: got \"%s\", want \"%s\"", scanners[k],
                          bufs[b], got, want);
        }
    }
    csv_force_scanner(NULL);
}

static int write_file(const char *path, const void *p, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok;

    if (fd < 0)
        return -1;
    ok = write(fd, p, len) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", test_tmpdir(), name);
}

/* A small xorshift generator: fixed seeds, same numbers everywhere. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- RFC 4180 and real-export cases ------------------------------------- */

TEST(csv, plain_records)
{
    CHECK_PARSE("a,b,c\n1,2,3\n", "[a|b|c][1|2|3]");
    CHECK_PARSE("", "");
    CHECK_PARSE("x", "[x]");
    CHECK_PARSE("\n", "");
}

TEST(csv, quoted_delimiter_and_newlines)
{
    CHECK_PARSE("\"a,b\",c\n", "[a,b|c]");
    CHECK_PARSE("\"x\ny\",z\nq\n", "[x\ny|z][q]");
    CHECK_PARSE("\"x\r\ny\",z\r\nq\r\n", "[x\r\ny|z][q]");
    CHECK_PARSE("\"(41.75, -87.66)\"\n", "[(41.75, -87.66)]");
}

TEST(csv, escaped_and_empty_quotes)
{
    CHECK_PARSE("\"a\"\"b\",\"\"\"\"\n", "[a\"b|\"]");
    CHECK_PARSE("\"\",x\n", "[|x]");
    CHECK_PARSE("\"\"\n", "[]");
    CHECK_PARSE("\"\"\"\"\"\"\"\"\n", "[\"\"\"]");
    CHECK_PARSE("\"a\"\"\"\n\"\"\"b\"\n", "[a\"][\"b]");
}

TEST(csv, empty_and_trailing_fields)
{
    CHECK_PARSE(",,\n", "[||]");
    CHECK_PARSE("a,b,\n", "[a|b|]");
    CHECK_PARSE("a,b,", "[a|b|]");
    CHECK_PARSE(",\n", "[|]");
}

TEST(csv, final_record_without_newline)
{
    CHECK_PARSE("a,b\nc,d", "[a|b][c|d]");
    CHECK_PARSE("a,\"b\"", "[a|b]");
    CHECK_PARSE("a,\"b\"\r", "[a|b]");
    CHECK_PARSE("a,b\r", "[a|b]");
}

TEST(csv, quote_inside_unquoted_field_is_data)
{
    CHECK_PARSE("ab\"c,d\"e\"\n", "[ab\"c|d\"e\"]");
    CHECK_PARSE("5\" pipe,x\n", "[5\" pipe|x]");
    CHECK_PARSE(" \"a\",b\n", "[ \"a\"|b]");
}

TEST(csv, bom_crlf_and_blank_lines)
{
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    static const char bom_in[] = "\xEF\xBB\xBFh\n\n\r\nb,\"x\ny\"\nc\n";

    CHECK_PARSE("\xEF\xBB\xBFid,x\n1,2\n", "[id|x][1|2]");
    CHECK_PARSE("a\n\xEF\xBB\xBF\n", "[a][\xEF\xBB\xBF]"); /* only at the very start */
    CHECK_PARSE("a,b\r\nc,d\r\r\n", "[a|b][c|d]");
    CHECK_PARSE("a\rb,c\r\n", "[a\rb|c]");
    CHECK_PARSE("a\n\n\r\n\nb\n\n", "[a][b]");
    CHECK_PARSE("\r\n\r\n", "");

    /* Rows skip blank lines; lines count them; offsets are bytes of the source. */
    r = csv_open_mem(bom_in, sizeof(bom_in) - 1, NULL, &err);
    CHECK(r != NULL);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 1);
    CHECK_INT_EQ(row.line, 1);
    CHECK_INT_EQ(row.offset, 3);
    CHECK_INT_EQ(csv_offset(r), 5);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 2);
    CHECK_INT_EQ(row.line, 4);
    CHECK_INT_EQ(row.offset, 8);
    CHECK_INT_EQ(row.nfields, 2);
    CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "x\ny", 3);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 3);
    CHECK_INT_EQ(row.line, 6);
    CHECK_INT_EQ(row.offset, 16);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    CHECK_INT_EQ(csv_offset(r), 18);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0); /* stays at the end */
    csv_close(r);
}

TEST(csv, other_delimiters)
{
    struct csv_opts o = {0};
    struct cscc_err err;

    o.delim = ';';
    CHECK_STR_EQ(render_reader(csv_open_mem("a;\"b;c\";d,e\n", 12, &o, &err)), "[a|b;c|d,e]");
    o.delim = '\t';
    CHECK_STR_EQ(render_reader(csv_open_mem("a\tb\t\n", 5, &o, &err)), "[a|b|]");
    o.delim = '"';
    CHECK(csv_open_mem("a", 1, &o, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);
    o.delim = '\n';
    CHECK(csv_open_mem("a", 1, &o, &err) == NULL);
}

TEST(csv, long_fields_across_buffers)
{
    static const size_t bufs[] = {16, 64, 100, 4096};
    struct strbuf in, want;
    size_t b, i, k;

    strbuf_init(&in, 0);
    strbuf_init(&want, 0);
    /* A 5000-byte unquoted field, a 3000-byte quoted one with "" and newlines,
       and many short records, so records start at every buffer position. */
    for (i = 0; i < 5000; i++)
        strbuf_addc(&in, (char)('a' + i % 26));
    strbuf_add(&want, "[", 1);
    strbuf_add(&want, in.buf, in.len);
    strbuf_adds(&in, ",\"");
    strbuf_adds(&want, "|");
    for (i = 0; i < 1000; i++) {
        strbuf_adds(&in, i % 7 ? "x\"\"" : "\r\n,");
        strbuf_adds(&want, i % 7 ? "x\"" : "\r\n,");
    }
    strbuf_adds(&in, "\"\r\n");
    strbuf_adds(&want, "]");
    for (i = 0; i < 300; i++) {
        strbuf_addf(&in, "%zu,\"q%zu\",%s\n", i, i, i % 3 ? "" : "\"\"");
        strbuf_addf(&want, "[%zu|q%zu|]", i, i);
    }
    for (k = 0; k < 3; k++) {
        if (csv_force_scanner(scanners[k]) != 0)
            continue;
        for (b = 0; b < sizeof(bufs) / sizeof(bufs[0]); b++) {
            const char *got = render_opts(in.buf, in.len, bufs[b], 0, 0);

            if (strcmp(got, want.buf) != 0)
                test_fail(__FILE__, __LINE__,
                          "scanner %s, buf %zu: records differ "
                          "(got %zu bytes, want %zu)",
                          scanners[k], bufs[b], strlen(got), want.len);
        }
    }
    csv_force_scanner(NULL);
    strbuf_release(&in);
    strbuf_release(&want);
}

TEST(csv, many_fields)
{
    struct strbuf in;
    struct csv_opts o = {0};
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    size_t i;

    strbuf_init(&in, 0);
    for (i = 0; i < 3000; i++)
        strbuf_addf(&in, i ? ",%zu" : "%zu", i);
    strbuf_adds(&in, "\nlast\n");
    o.buf_bytes = 64;
    r = csv_open_mem(in.buf, in.len, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.nfields, 3000);
    CHECK_MEM_EQ(row.fields[2999].p, row.fields[2999].len, "2999", 4);
    CHECK_MEM_EQ(row.fields[64].p, row.fields[64].len, "64", 2);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "last", 4);
    csv_close(r);
    strbuf_release(&in);
}

/* ---- Golden files: tests/data/csv/<case>.csv and <case>.expected -------- */

/* Reads a whole file into sb; 0 or -1. */
static int slurp(const char *path, struct strbuf *sb)
{
    char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        strbuf_add(sb, buf, (size_t)n);
    close(fd);
    return n < 0 ? -1 : 0;
}

/* Renders every record and error of a reader as JSON lines. */
static void render_json(struct csv_reader *r, struct strbuf *out)
{
    struct cscc_err err;
    struct csv_row row;
    int rc;

    while ((rc = csv_next(r, &row, &err)) != 0) {
        size_t i;

        if (rc < 0) {
            strbuf_addf(out,
                        "{\"error\":\"%s\",\"row\":%llu,\"line\":%llu,\"column\":%d,"
                        "\"message\":",
                        rc == CSCC_EDATA    ? "EDATA"
                        : rc == CSCC_ELIMIT ? "ELIMIT"
                                            : "other",
                        (unsigned long long)err.row, (unsigned long long)err.line, err.column);
            strbuf_add_json_str(out, err.msg, strlen(err.msg));
            strbuf_adds(out, "}\n");
            if (rc != CSCC_EDATA && rc != CSCC_ELIMIT)
                break;
            continue;
        }
        strbuf_addf(out, "{\"row\":%llu,\"line\":%llu,\"offset\":%llu,\"fields\":[",
                    (unsigned long long)row.row, (unsigned long long)row.line,
                    (unsigned long long)row.offset);
        for (i = 0; i < row.nfields; i++) {
            if (i)
                strbuf_addc(out, ',');
            strbuf_add_json_str(out, row.fields[i].p, row.fields[i].len);
        }
        strbuf_adds(out, "]}\n");
    }
    strbuf_addf(out, "{\"end\":%llu}\n", (unsigned long long)csv_offset(r));
}

static void check_golden(const char *name, const struct csv_opts *base)
{
    char csv[256], exp[256];
    struct strbuf want, got;
    static const size_t bufs[] = {0, 16, 33};
    size_t b, k;

    snprintf(csv, sizeof(csv), "csv/%s.csv", name);
    snprintf(exp, sizeof(exp), "csv/%s.expected", name);
    strbuf_init(&want, 0);
    CHECK_INT_EQ(slurp(test_data(exp), &want), 0);
    for (k = 0; k < 3; k++) {
        if (csv_force_scanner(scanners[k]) != 0)
            continue;
        for (b = 0; b < 3; b++) {
            struct csv_opts o = *base;
            struct cscc_err err;
            struct csv_reader *r;

            o.buf_bytes = bufs[b];
            r = csv_open_file(test_data(csv), &o, &err);
            CHECK(r != NULL);
            if (!r)
                continue;
            strbuf_init(&got, 0);
            render_json(r, &got);
            csv_close(r);
            if (strcmp(got.buf, want.buf) != 0)
                test_fail(__FILE__, __LINE__, "%s, scanner %s, buf %zu: got\n%s\nwant\n%s", name,
                          scanners[k], bufs[b], got.buf, want.buf);
            strbuf_release(&got);
        }
    }
    csv_force_scanner(NULL);
    strbuf_release(&want);
}

TEST(csv, golden_edge_cases)
{
    struct csv_opts o = {0};

    check_golden("edge_cases", &o);
    o.max_fields = 3;
    o.max_row_bytes = 40;
    check_golden("limits", &o);
}

/* ---- Errors and resynchronisation --------------------------------------- */

TEST(csv, error_after_closing_quote)
{
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    static const char in[] = "h\na,\"b\"x,c\nd,e\n";

    r = csv_open_mem(in, sizeof(in) - 1, NULL, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_EDATA);
    CHECK_INT_EQ(err.code, CSCC_EDATA);
    CHECK_STR_EQ(err.msg, "unexpected character after closing quote");
    CHECK_INT_EQ(err.row, 2);
    CHECK_INT_EQ(err.line, 2);
    CHECK_INT_EQ(err.column, 2);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 3);
    CHECK_INT_EQ(row.line, 3);
    CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "e", 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);

    /* A bad multi-line record: the reader goes on at the line after its first
       line, and reads what is there as it stands. */
    CHECK_PARSE("h\n\"a\nb\"x\nc\n", "[h]{EDATA 2:2}[b\"x][c]");
    CHECK_PARSE("\"a\" ,b\n", "{EDATA 1:1}");
    CHECK_PARSE("\"a\"\r\rb\nc\n", "{EDATA 1:1}[c]");
}

TEST(csv, error_unterminated_quote)
{
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    static const char in[] = "a\n\n\"bc\nd\n";

    r = csv_open_mem(in, sizeof(in) - 1, NULL, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.msg, "unterminated quoted field");
    CHECK_INT_EQ(err.row, 2);
    CHECK_INT_EQ(err.line, 3);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 3);
    CHECK_INT_EQ(row.line, 4);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "d", 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);
    CHECK_PARSE("\"", "{EDATA 1:1}");
    CHECK_PARSE("x,\"abc", "{EDATA 1:1}");
}

TEST(csv, error_limits)
{
    struct csv_opts o = {0};
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    struct strbuf in;
    size_t i;

    /* Row bytes: 10 is allowed, 11 is not; the newline does not count. */
    CHECK_STR_EQ(render_opts("0123456789\n01234567890\nok\n", 26, 16, 10, 0),
                 "[0123456789]{ELIMIT 2:2}[ok]");
    /* CRs before the newline count. */
    CHECK_STR_EQ(render_opts("\"0123\"\"56\"\r\n", 12, 16, 11, 0), "[0123\"56]");
    CHECK_STR_EQ(render_opts("\"0123\"\"56\"\r\n", 12, 16, 10, 0), "{ELIMIT 1:1}");
    CHECK_STR_EQ(render_opts("\"0123\"\"567\"\n", 12, 16, 10, 0), "{ELIMIT 1:1}");
    CHECK_STR_EQ(render_opts("0123456789", 10, 16, 10, 0), "[0123456789]");
    CHECK_STR_EQ(render_opts("01234567890", 11, 16, 10, 0), "{ELIMIT 1:1}");

    /* A 100 kB line with a 16-byte buffer and a 1000-byte limit: the reader
       skips the whole line, over many refills, and goes on. */
    strbuf_init(&in, 0);
    strbuf_adds(&in, "head\n\"");
    for (i = 0; i < 100000; i++)
        strbuf_addc(&in, (char)('0' + i % 10));
    strbuf_adds(&in, "\nnext,1\n");
    o.buf_bytes = 16;
    o.max_row_bytes = 1000;
    r = csv_open_mem(in.buf, in.len, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_ELIMIT);
    CHECK_STR_EQ(err.msg, "record longer than 1000 bytes (max_row_bytes)");
    CHECK_INT_EQ(err.row, 2);
    CHECK_INT_EQ(err.line, 2);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.row, 3);
    CHECK_INT_EQ(row.line, 3);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "next", 4);
    csv_close(r);
    strbuf_release(&in);

    /* Fields. */
    CHECK_STR_EQ(render_opts("a,b,c\na,b,c,d\n\"x,y\",z\n", 22, 0, 0, 3),
                 "[a|b|c]{ELIMIT 2:2}[x,y|z]");
    o.buf_bytes = 0;
    o.max_row_bytes = 0;
    o.max_fields = 3;
    r = csv_open_mem("a,b,c,d\n", 8, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_ELIMIT);
    CHECK_STR_EQ(err.msg, "record has more than 3 fields (max_fields)");
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);
}

TEST(csv, allocation_failures)
{
    struct strbuf in;
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    size_t i;

    /* Opening: the buffer is sized by input, so its failure is CSCC_ENOMEM. */
    cscc_alloc_fail_after(1);
    CHECK(csv_open_mem("a,b\n", 4, NULL, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_ENOMEM);
    cscc_alloc_fail_after(0);

    /* Growing the field array for a 100-field record: final CSCC_ENOMEM. */
    strbuf_init(&in, 0);
    for (i = 0; i < 100; i++)
        strbuf_adds(&in, i ? ",x" : "x");
    strbuf_adds(&in, "\n");
    r = csv_open_mem(in.buf, in.len, NULL, &err);
    CHECK(r != NULL);
    cscc_alloc_fail_after(1);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_ENOMEM);
    cscc_alloc_fail_after(0);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_ENOMEM); /* final */
    csv_close(r);
    strbuf_release(&in);
}

/* ---- Files, gzip, stdin ------------------------------------------------- */

static const char gz_text[] = "id,name\n1,\"a,b\"\n2,\"x\ny\"\n";

TEST(csv, open_file_errors)
{
    struct cscc_err err;
    char path[4096];

    CHECK(csv_open_file("/nonexistent/x.csv", NULL, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_ENOENT);
    CHECK_STR_EQ(err.file, "/nonexistent/x.csv");
    CHECK(strstr(err.msg, "/nonexistent/x.csv") != NULL);
    CHECK(csv_open_file(test_tmpdir(), NULL, &err) == NULL);
    CHECK(err.code != 0);

    path_in_tmp(path, sizeof(path), "plain.csv");
    CHECK_INT_EQ(write_file(path, gz_text, sizeof(gz_text) - 1), 0);
    CHECK_STR_EQ(render_reader(csv_open_file(path, NULL, &err)), "[id|name][1|a,b][2|x\ny]");
}

TEST(csv, gzip_file)
{
    struct csv_opts o = {0};
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    char path[4096];
    gzFile gz;
    int n = 0, rc;
    size_t i;
    off_t size;
    int fd;

    /* Two gzip members, as `cat a.gz b.gz` makes; the second one is long
       enough for several buffer refills. */
    path_in_tmp(path, sizeof(path), "t.csv.gz");
    gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    gzwrite(gz, gz_text, sizeof(gz_text) - 1);
    gzclose(gz);
    gz = gzopen(path, "ab");
    for (i = 3; i < 2000; i++)
        gzprintf(gz, "%zu,\"v\"\"%zu\"\n", i, i);
    gzclose(gz);

    o.buf_bytes = 100;
    r = csv_open_file(path, &o, &err);
    CHECK(r != NULL);
    while ((rc = csv_next(r, &row, &err)) == 1) {
        n++;
        if (n == 3)
            CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "x\ny", 3);
        if (n == 2000) {
            CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "1999", 4);
            CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "v\"1999", 6);
            CHECK_INT_EQ(row.line, 2001);
        }
    }
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(n, 2000);
    fd = open(path, O_RDONLY);
    size = lseek(fd, 0, SEEK_END);
    close(fd);
    CHECK_INT_EQ(csv_bytes_in(r), size);
    CHECK(csv_offset(r) > (uint64_t)size); /* decompressed offsets */
    csv_close(r);
}

TEST(csv, gzip_corrupt_and_truncated)
{
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    char path[4096];
    unsigned char buf[4096];
    uLongf len = sizeof(buf);
    z_stream z;
    int fd, rc;
    ssize_t n;
    static char big[20000];
    size_t i;

    for (i = 0; i < sizeof(big); i++)
        big[i] = (i % 50 == 49) ? '\n' : (char)('a' + i * 7 % 26);
    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)big;
    z.avail_in = sizeof(big);
    z.next_out = buf;
    z.avail_out = (uInt)len;
    deflate(&z, Z_FINISH);
    len = z.total_out;
    deflateEnd(&z);

    /* Truncated: the records before the cut come out, then CSCC_EIO, final. */
    path_in_tmp(path, sizeof(path), "trunc.csv.gz");
    CHECK_INT_EQ(write_file(path, buf, len / 2), 0);
    r = csv_open_file(path, NULL, &err);
    CHECK(r != NULL);
    while ((rc = csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT_EQ(rc, CSCC_EIO);
    CHECK(strstr(err.msg, "truncated gzip") != NULL);
    CHECK_INT_EQ(csv_next(r, &row, &err), CSCC_EIO);
    csv_close(r);

    /* Corrupt: bytes flipped in the middle of the deflate data. */
    for (i = len / 3; i < len / 3 + 8; i++)
        buf[i] ^= 0x55;
    path_in_tmp(path, sizeof(path), "bad.csv.gz");
    CHECK_INT_EQ(write_file(path, buf, len), 0);
    r = csv_open_file(path, NULL, &err);
    while ((rc = csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT_EQ(rc, CSCC_EIO);
    csv_close(r);

    /* Garbage after a good member. */
    path_in_tmp(path, sizeof(path), "trail.csv.gz");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (i = len / 3; i < len / 3 + 8; i++)
        buf[i] ^= 0x55;
    n = write(fd, buf, len);
    CHECK_INT_EQ(n, (ssize_t)len);
    n = write(fd, "junk", 4);
    close(fd);
    r = csv_open_file(path, NULL, &err);
    while ((rc = csv_next(r, &row, &err)) == 1)
        ;
    CHECK_INT_EQ(rc, CSCC_EIO);
    CHECK(strstr(err.msg, "trailing garbage") != NULL);
    csv_close(r);
}

/* Reads path as standard input ("-"). */
static const char *render_stdin(const char *path)
{
    struct cscc_err err;
    const char *got;
    int saved = dup(0), fd = open(path, O_RDONLY);

    dup2(fd, 0);
    close(fd);
    got = render_reader(csv_open_file("-", NULL, &err));
    dup2(saved, 0);
    close(saved);
    return got;
}

TEST(csv, stdin_plain_and_gzip)
{
    char path[4096];
    gzFile gz;

    path_in_tmp(path, sizeof(path), "in.csv");
    CHECK_INT_EQ(write_file(path, gz_text, sizeof(gz_text) - 1), 0);
    CHECK_STR_EQ(render_stdin(path), "[id|name][1|a,b][2|x\ny]");
    path_in_tmp(path, sizeof(path), "in.csv.gz");
    gz = gzopen(path, "wb");
    gzwrite(gz, gz_text, sizeof(gz_text) - 1);
    gzclose(gz);
    CHECK_STR_EQ(render_stdin(path), "[id|name][1|a,b][2|x\ny]");
    /* One byte only: not enough for the gzip magic, still a record. */
    path_in_tmp(path, sizeof(path), "one.csv");
    CHECK_INT_EQ(write_file(path, "\x1f", 1), 0);
    CHECK_STR_EQ(render_stdin(path), "[\x1f]");
}

/* ---- Ranges ------------------------------------------------------------- */

struct rec_list {
    struct strbuf text; /* rendered records with row, line, offset */
    uint64_t count;
};

static void render_rec(struct strbuf *sb, const struct csv_row *row)
{
    size_t i;

    strbuf_addf(sb, "%llu:%llu:%llu[", (unsigned long long)row->row, (unsigned long long)row->line,
                (unsigned long long)row->offset);
    for (i = 0; i < row->nfields; i++) {
        if (i)
            strbuf_addc(sb, '|');
        strbuf_add(sb, row->fields[i].p, row->fields[i].len);
    }
    strbuf_adds(sb, "]\n");
}

/* Lines before offset `at` + 1. */
static uint64_t line_at(const char *s, uint64_t at)
{
    uint64_t i, n = 1;

    for (i = 0; i < at; i++)
        n += s[i] == '\n';
    return n;
}

TEST(csv, range_boundaries)
{
    static const char in[] = "h1,h2\nr2,\"a\nb\"\n\nr3,x\nr4,y";
    struct csv_opts o = {0};
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    char path[4096];
    int fd;

    path_in_tmp(path, sizeof(path), "range.csv");
    CHECK_INT_EQ(write_file(path, in, sizeof(in) - 1), 0);
    fd = open(path, O_RDONLY);
    o.buf_bytes = 16;

    /* [0, 7): the record at 6 starts before stop and runs past it to 15. */
    r = csv_open_range(fd, 0, 7, 1, 1, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.offset, 0);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.offset, 6);
    CHECK_INT_EQ(row.row, 2);
    CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "a\nb", 3);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    CHECK_INT_EQ(csv_offset(r), 15);
    csv_close(r);

    /* [6, 6): empty. [6, 16): the blank line at 15 is no record; the record at
       16 is not before stop. Numbering comes from first_row/first_line. */
    r = csv_open_range(fd, 6, 6, 2, 2, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);
    r = csv_open_range(fd, 6, 16, 2, 2, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.line, 2);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);

    /* [15, 17): skips the blank line, returns r3 (starts at 16 < 17). */
    r = csv_open_range(fd, 15, 17, 3, 5, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.offset, 16);
    CHECK_INT_EQ(row.row, 3);
    CHECK_INT_EQ(row.line, 6);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "r3", 2);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    CHECK_INT_EQ(csv_offset(r), 21);
    csv_close(r);

    /* Bytes that look like a BOM are data unless the range starts at 0. */
    CHECK_INT_EQ(write_file(path,
                            "\xEF\xBB\xBF"
                            "a\n"
                            "\xEF\xBB\xBF"
                            "b\n",
                            10),
                 0);
    r = csv_open_range(fd, 5, 10, 2, 2, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len,
                 "\xEF\xBB\xBF"
                 "b",
                 4);
    csv_close(r);
    r = csv_open_range(fd, 0, 5, 1, 1, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "a", 1);
    CHECK_INT_EQ(row.offset, 3);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    csv_close(r);
    CHECK_INT_EQ(write_file(path, in, sizeof(in) - 1), 0);

    /* The last record has no newline; stop past the end is fine. */
    r = csv_open_range(fd, 21, 1000, 4, 7, &o, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_MEM_EQ(row.fields[1].p, row.fields[1].len, "y", 1);
    CHECK_INT_EQ(csv_next(r, &row, &err), 0);
    CHECK_INT_EQ(csv_offset(r), sizeof(in) - 1);
    csv_close(r);
    close(fd);
}

TEST(csv, ranges_cover_a_file_exactly)
{
    struct strbuf in, seq, par;
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    struct csv_opts o = {0};
    char path[4096];
    size_t i;
    int fd, trial, rc;

    /* Records with quoted fields (no newlines inside, so every line start is a
       record start), blank lines, CRLF, a BOM. */
    rng_state = 0x9e3779b97f4a7c15ull;
    strbuf_init(&in, 0);
    strbuf_adds(&in, "\xEF\xBB\xBFid,t,loc\r\n");
    for (i = 0; i < 3000; i++) {
        strbuf_addf(&in, "%zu,%s,\"(41.%zu, -87.%zu)\"%s", i, i % 5 ? "x" : "\"q,\"\"\"",
                    rnd() % 1000, rnd() % 1000, i % 2 ? "\r\n" : "\n");
        if (rnd() % 50 == 0)
            strbuf_adds(&in, "\n");
    }
    path_in_tmp(path, sizeof(path), "big.csv");
    CHECK_INT_EQ(write_file(path, in.buf, in.len), 0);
    fd = open(path, O_RDONLY);

    strbuf_init(&seq, 0);
    r = csv_open_file(path, NULL, &err);
    while ((rc = csv_next(r, &row, &err)) == 1)
        render_rec(&seq, &row);
    CHECK_INT_EQ(rc, 0);
    csv_close(r);

    for (trial = 0; trial < 20; trial++) {
        uint64_t cuts[12], next_row = 1;
        int nr = 2 + (int)(rnd() % 10), k;

        strbuf_init(&par, 0);
        cuts[0] = 0;
        for (k = 1; k < nr; k++) {
            uint64_t want = in.len / (uint64_t)nr * (uint64_t)k + rnd() % 100;

            CHECK_INT_EQ(csv_find_line_start(fd, want, in.len, &cuts[k], &err), 0);
        }
        cuts[nr] = in.len;
        o.buf_bytes = trial % 2 ? 0 : 64 + rnd() % 500;
        for (k = 0; k < nr; k++) {
            r = csv_open_range(fd, cuts[k], cuts[k + 1], next_row, line_at(in.buf, cuts[k]), &o,
                               &err);
            CHECK(r != NULL);
            while ((rc = csv_next(r, &row, &err)) == 1) {
                CHECK(row.offset >= cuts[k] && row.offset < cuts[k + 1]);
                render_rec(&par, &row);
                next_row = row.row + 1;
            }
            CHECK_INT_EQ(rc, 0);
            /* The range ends at its stop, give or take blank lines: the
               speculative cut was a true record boundary. */
            if (k + 1 < nr) {
                uint64_t e = csv_offset(r);

                CHECK(e >= cuts[k] && e <= cuts[k + 1]);
                while (e < cuts[k + 1] && (in.buf[e] == '\n' || in.buf[e] == '\r'))
                    e++;
                CHECK_INT_EQ(e, cuts[k + 1]);
            }
            csv_close(r);
        }
        if (strcmp(par.buf, seq.buf) != 0)
            test_fail(__FILE__, __LINE__, "trial %d: %d ranges do not give the sequential records",
                      trial, nr);
        strbuf_release(&par);
    }
    close(fd);
    strbuf_release(&in);
    strbuf_release(&seq);
}

TEST(csv, find_line_start)
{
    static const char in[] = "ab\ncd\n\nef";
    struct cscc_err err;
    char path[4096];
    uint64_t out = 99;
    int fd;

    path_in_tmp(path, sizeof(path), "lines.csv");
    CHECK_INT_EQ(write_file(path, in, sizeof(in) - 1), 0);
    fd = open(path, O_RDONLY);
    CHECK_INT_EQ(csv_find_line_start(fd, 0, 9, &out, &err), 0);
    CHECK_INT_EQ(out, 3);
    CHECK_INT_EQ(csv_find_line_start(fd, 2, 9, &out, &err), 0); /* at the '\n' */
    CHECK_INT_EQ(out, 3);
    CHECK_INT_EQ(csv_find_line_start(fd, 3, 9, &out, &err), 0); /* at a line start: the next */
    CHECK_INT_EQ(out, 6);
    CHECK_INT_EQ(csv_find_line_start(fd, 6, 9, &out, &err), 0);
    CHECK_INT_EQ(out, 7);
    CHECK_INT_EQ(csv_find_line_start(fd, 7, 9, &out, &err), 0); /* no '\n' after */
    CHECK_INT_EQ(out, 9);
    CHECK_INT_EQ(csv_find_line_start(fd, 9, 9, &out, &err), 0);
    CHECK_INT_EQ(out, 9);
    CHECK_INT_EQ(csv_find_line_start(fd, 4, 5, &out, &err), 0); /* size bounds the search */
    CHECK_INT_EQ(out, 5);
    close(fd);
    CHECK_INT_EQ(csv_find_line_start(-1, 0, 9, &out, &err), CSCC_EIO);
}

/* ---- The real portal export sample ------------------------------------- */

static void check_portal_sample(const char *path, const char *scanner, size_t buf)
{
    struct csv_opts o = {0};
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    uint64_t n = 0;
    int rc, bad = 0;

    o.buf_bytes = buf;
    CHECK_INT_EQ(csv_force_scanner(scanner), 0);
    r = csv_open_file(path, &o, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    while ((rc = csv_next(r, &row, &err)) == 1) {
        n++;
        if (row.nfields != 22)
            bad++;
        if (n == 1) {
            CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "ID", 2);
            CHECK_MEM_EQ(row.fields[21].p, row.fields[21].len, "Location", 8);
        } else if (n == 2) {
            CHECK_MEM_EQ(row.fields[0].p, row.fields[0].len, "10367002", 8);
            CHECK_MEM_EQ(row.fields[21].p, row.fields[21].len, "(41.753985135, -87.664263469)", 29);
        } else if (row.fields[21].len && row.nfields == 22) {
            if (row.fields[21].p[0] != '(' || row.fields[21].p[row.fields[21].len - 1] != ')')
                bad++;
        }
        if (row.row != n || row.line != n)
            bad++;
    }
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(n, 1731);
    CHECK_INT_EQ(bad, 0);
    CHECK_INT_EQ(csv_offset(r), 398882);
    csv_close(r);
    csv_force_scanner(NULL);
}

TEST(csv, portal_export_sample)
{
    const char *path = test_data("crimes/portal_export_sample_2016-01-01_03.csv");
    size_t k;

    for (k = 0; k < 3; k++)
        if (csv_force_scanner(scanners[k]) == 0) {
            check_portal_sample(path, scanners[k], 0);
            check_portal_sample(path, scanners[k], 200);
        }
    csv_force_scanner(NULL);
}

TEST(csv, shared_full_year_gzip)
{
    const char *path = test_shared("chicago/crimes/full/crimes_2016.csv.gz");
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    uint64_t n = 0, bad = 0;
    int rc;

    if (!path) {
        test_note("../shared/data absent: the full-year gzip check did not run");
        return;
    }
    r = csv_open_file(path, NULL, &err);
    CHECK(r != NULL);
    while ((rc = csv_next(r, &row, &err)) == 1) {
        n++;
        bad += row.nfields != 20;
    }
    CHECK_INT_EQ(rc, 0);
    CHECK_INT_EQ(n, 268814);
    CHECK_INT_EQ(bad, 0);
    CHECK_INT_EQ(csv_offset(r), 54141021);
    csv_close(r);
}

/* ---- Differential test against the reference parser -------------------- */

/* Runs reader and reference side by side; returns 0 when they agree. */
static int differ(const char *s, size_t len, const struct csv_opts *o, char *why, size_t whylen)
{
    struct csv_reader *r;
    struct csv_ref ref;
    struct cscc_err err;
    struct csv_row row;
    int step, out = 0;

    r = csv_open_mem(s, len, o, &err);
    if (!r) {
        snprintf(why, whylen, "open failed: %s", err.msg);
        return 1;
    }
    csv_ref_init(&ref, s, len, o->delim, o->max_row_bytes, o->max_fields);
    for (step = 0;; step++) {
        int a = csv_next(r, &row, &err), b = csv_ref_next(&ref);
        size_t i;

        if (a != b) {
            snprintf(why, whylen, "step %d: reader %d (%s), reference %d", step, a,
                     a < 0 ? err.msg : "", b);
            out = 1;
            break;
        }
        if (a == 0 || step > (int)len + 5)
            break;
        if (a < 0) {
            if (err.row != ref.err_row || err.line != ref.err_line) {
                snprintf(why, whylen, "step %d: error at %llu:%llu, reference %llu:%llu", step,
                         (unsigned long long)err.row, (unsigned long long)err.line,
                         (unsigned long long)ref.err_row, (unsigned long long)ref.err_line);
                out = 1;
                break;
            }
            continue;
        }
        if (row.nfields != ref.nf || row.row != ref.rec_row || row.line != ref.rec_line ||
            row.offset != ref.rec_offset || csv_offset(r) != ref.end_offset) {
            snprintf(why, whylen,
                     "step %d: record %zu fields %llu:%llu@%llu, reference %zu "
                     "fields %llu:%llu@%llu",
                     step, row.nfields, (unsigned long long)row.row, (unsigned long long)row.line,
                     (unsigned long long)row.offset, ref.nf, (unsigned long long)ref.rec_row,
                     (unsigned long long)ref.rec_line, (unsigned long long)ref.rec_offset);
            out = 1;
            break;
        }
        for (i = 0; i < row.nfields; i++)
            if (row.fields[i].len != ref.len[i] ||
                memcmp(row.fields[i].p, ref.bytes + ref.off[i], ref.len[i]) != 0) {
                snprintf(why, whylen, "step %d: field %zu differs", step, i);
                out = 1;
                break;
            }
        if (out)
            break;
    }
    csv_close(r);
    csv_ref_release(&ref);
    return out;
}

TEST(csv, differential_random_inputs)
{
    /* Weighted alphabet: the bytes that matter, and some that do not. */
    static const char alpha[] = "aab,,,\"\"\"\n\n\r; x\xEF\xBB\xBF";
    char *buf = cscc_xmalloc(20000);
    char why[1024];
    int i, failures = 0;
    size_t k;

    rng_state = 20260101;
    for (i = 0; i < 4000 && failures < 5; i++) {
        size_t len = (size_t)(rnd() % (i % 10 == 0 ? 20000 : 300));
        struct csv_opts o = {0};

        for (k = 0; k < len; k++)
            buf[k] = alpha[rnd() % (sizeof(alpha) - 1)];
        if (i % 7 == 0 && len >= 3)
            memcpy(buf, "\xEF\xBB\xBF", 3);
        o.delim = i % 5 == 4 ? ';' : ',';
        o.buf_bytes = i % 3 == 0 ? 0 : 16 + (size_t)(rnd() % 300);
        o.max_row_bytes = i % 4 == 0 ? 0 : 1 + (size_t)(rnd() % 80);
        o.max_fields = i % 4 == 1 ? 0 : 1 + (size_t)(rnd() % 12);
        for (k = 0; k < 3; k++) {
            if (csv_force_scanner(scanners[k]) != 0)
                continue;
            if (differ(buf, len, &o, why, sizeof(why))) {
                test_fail(__FILE__, __LINE__,
                          "input %d (%zu bytes, scanner %s, buf %zu, "
                          "max_row %zu, max_fields %zu): %s",
                          i, len, scanners[k], o.buf_bytes, o.max_row_bytes, o.max_fields, why);
                failures++;
            }
        }
    }
    csv_force_scanner(NULL);
    cscc_free(buf);
}

TEST(csv, differential_realistic_rows)
{
    struct strbuf in;
    char why[1024];
    size_t i, k;
    struct csv_opts o = {0};

    /* Long inputs with crimes-like rows, so the scanner crosses its 4 KiB
       chunks and the buffer refills land everywhere. */
    rng_state = 77;
    strbuf_init(&in, 0);
    for (i = 0; i < 5000; i++) {
        unsigned q = (unsigned)(rnd() % 20);

        strbuf_addf(&in,
                    "%llu,HZ%llu,01/03/2016 11:57:00 PM,016XX W 77TH ST,0486,BATTERY,%s,"
                    "RESIDENCE,false,true,0611,006,17,71,08B,1166811,1853653,2016,"
                    "01/10/2016 08:46:55 AM,41.75,-87.66,\"(41.%llu, -87.%llu)\"%s",
                    (unsigned long long)rnd() % 100000000, (unsigned long long)rnd() % 1000000,
                    q == 0   ? "\"SIMPLE, \"\"AGG\"\"\""
                    : q == 1 ? "\"TWO\nLINES\""
                             : "SIMPLE",
                    (unsigned long long)rnd() % 1000000000, (unsigned long long)rnd() % 1000000000,
                    q == 2   ? "\r\n"
                    : q == 3 ? "\n\n"
                             : "\n");
    }
    for (k = 0; k < 3; k++) {
        size_t b;
        static const size_t bufs[] = {0, 1000, 4097, 65536};

        if (csv_force_scanner(scanners[k]) != 0)
            continue;
        for (b = 0; b < 4; b++) {
            o.buf_bytes = bufs[b];
            if (differ(in.buf, in.len, &o, why, sizeof(why)))
                test_fail(__FILE__, __LINE__, "scanner %s, buf %zu: %s", scanners[k], bufs[b], why);
        }
    }
    csv_force_scanner(NULL);
    strbuf_release(&in);
}

/* ---- Writer ------------------------------------------------------------- */

static const char *written(const char *p, int flags)
{
    static struct strbuf sb;

    strbuf_release(&sb);
    strbuf_init(&sb, 0);
    CHECK_INT_EQ(csv_write_field(&sb, p, strlen(p), flags), 0);
    return sb.buf;
}

TEST(csv, writer_quoting)
{
    CHECK_STR_EQ(written("plain", 0), "plain");
    CHECK_STR_EQ(written("", 0), "");
    CHECK_STR_EQ(written("a,b", 0), "\"a,b\"");
    CHECK_STR_EQ(written("say \"hi\"", 0), "\"say \"\"hi\"\"\"");
    CHECK_STR_EQ(written("two\nlines", 0), "\"two\nlines\"");
    CHECK_STR_EQ(written("cr\r", 0), "\"cr\r\"");
    CHECK_STR_EQ(written(" lead", 0), "\" lead\"");
    CHECK_STR_EQ(written("trail ", 0), "\"trail \"");
    CHECK_STR_EQ(written("in side", 0), "in side");
    CHECK_STR_EQ(written("=1+2", 0), "=1+2"); /* no neutralising unless asked */
}

TEST(csv, writer_neutralizes_formulas)
{
    CHECK_STR_EQ(written("=HYPERLINK(\"x\")", CSV_NEUTRALIZE), "\"'=HYPERLINK(\"\"x\"\")\"");
    CHECK_STR_EQ(written("=1+2", CSV_NEUTRALIZE), "'=1+2");
    CHECK_STR_EQ(written("+cmd", CSV_NEUTRALIZE), "'+cmd");
    CHECK_STR_EQ(written("-2+3", CSV_NEUTRALIZE), "'-2+3");
    CHECK_STR_EQ(written("@SUM(A1)", CSV_NEUTRALIZE), "'@SUM(A1)");
    CHECK_STR_EQ(written("\tx", CSV_NEUTRALIZE), "'\tx");
    CHECK_STR_EQ(written("\rx", CSV_NEUTRALIZE), "\"'\rx\"");
    CHECK_STR_EQ(written("-", CSV_NEUTRALIZE), "'-");
    /* Numbers stay numbers. */
    CHECK_STR_EQ(written("-87.664263469", CSV_NEUTRALIZE), "-87.664263469");
    CHECK_STR_EQ(written("+1e3", CSV_NEUTRALIZE), "+1e3");
    CHECK_STR_EQ(written("-.5", CSV_NEUTRALIZE), "-.5");
    CHECK_STR_EQ(written("safe", CSV_NEUTRALIZE), "safe");
    CHECK_STR_EQ(written("a=b", CSV_NEUTRALIZE), "a=b");
}

TEST(csv, writer_rows_read_back)
{
    static const struct csv_field f[] = {{"id", 2}, {"a,b", 3},    {"q\"q", 3},
                                         {"", 0},   {"x\r\ny", 4}, {" s ", 3}};
    struct strbuf sb;
    struct cscc_err err;
    struct csv_row row;
    struct csv_reader *r;
    size_t i;

    strbuf_init(&sb, 0);
    CHECK_INT_EQ(csv_write_row(&sb, f, 6, 0), 0);
    CHECK_STR_EQ(sb.buf, "id,\"a,b\",\"q\"\"q\",,\"x\r\ny\",\" s \"\n");
    CHECK_INT_EQ(csv_write_row(&sb, f, 2, 0), 0);
    r = csv_open_mem(sb.buf, sb.len, NULL, &err);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.nfields, 6);
    for (i = 0; i < 6 && i < row.nfields; i++)
        CHECK_MEM_EQ(row.fields[i].p, row.fields[i].len, f[i].p, f[i].len);
    CHECK_INT_EQ(csv_next(r, &row, &err), 1);
    CHECK_INT_EQ(row.nfields, 2);
    csv_close(r);
    strbuf_release(&sb);

    /* A full buffer refuses the whole row and keeps what it had. */
    strbuf_init(&sb, 12);
    CHECK_INT_EQ(csv_write_row(&sb, f, 2, 0), 0);
    CHECK_INT_EQ(csv_write_row(&sb, f, 6, 0), CSCC_ELIMIT);
    CHECK_STR_EQ(sb.buf, "id,\"a,b\"\n");
    CHECK_INT_EQ(csv_write_field(&sb, "\"\"\"", 3, 0), CSCC_ELIMIT);
    CHECK_STR_EQ(sb.buf, "id,\"a,b\"\n");
    strbuf_release(&sb);
}
