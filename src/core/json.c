/* json.c - jansson behind explicit size and depth limits. */
#include "core/json.h"

#include "core/alloc.h"
#include "core/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

static int depth_ok(const char *buf, size_t len, int max_depth, size_t *where)
{
    int depth = 0, in_str = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = buf[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                *where = i;
                return 0;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 1;
}

json_t *cscc_json_loadb(const char *buf, size_t len, int max_depth, struct cscc_err *err)
{
    json_error_t jerr;
    json_t *v;
    size_t at;

    if (max_depth > 0 && !depth_ok(buf, len, max_depth, &at)) {
        cscc_err_set(err, CSCC_ELIMIT, "json nested deeper than %d levels at byte %zu", max_depth,
                     at + 1);
        return NULL;
    }
    v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        cscc_err_set(err, CSCC_EDATA, "invalid json at line %d, column %d: %s", jerr.line,
                     jerr.column, jerr.text);
        if (err && jerr.line > 0)
            err->line = (uint64_t)jerr.line;
    }
    return v;
}

int cscc_read_file(const char *path, size_t max_bytes, char **bufp, size_t *lenp,
                   struct cscc_err *err)
{
    struct strbuf sb;
    gzFile gz;
    char chunk[65536];
    int n, rc = 0;

    *bufp = NULL;
    *lenp = 0;
    gz = gzopen(path, "rb");
    if (!gz)
        return cscc_err_errno(err, errno == ENOENT ? CSCC_ENOENT : CSCC_EIO, errno,
                              "cannot open %s", path);
    strbuf_init(&sb, max_bytes);
    while ((n = gzread(gz, chunk, sizeof(chunk))) > 0) {
        if ((rc = strbuf_add(&sb, chunk, (size_t)n))) {
            if (rc == CSCC_ELIMIT)
                cscc_err_set(err, rc, "%s is larger than the limit of %zu bytes", path, max_bytes);
            else
                cscc_err_set(err, rc, "out of memory reading %s", path);
            goto out;
        }
    }
    if (n < 0) {
        int zerr;
        const char *msg = gzerror(gz, &zerr);

        rc = cscc_err_set(err, CSCC_EIO, "cannot read %s: %s", path, msg);
        goto out;
    }
    *lenp = sb.len;
    *bufp = strbuf_take(&sb, NULL);
out:
    gzclose(gz);
    strbuf_release(&sb);
    return rc;
}

json_t *cscc_json_load_file(const char *path, size_t max_bytes, int max_depth, struct cscc_err *err)
{
    char *buf;
    size_t len;
    json_t *v;

    if (cscc_read_file(path, max_bytes, &buf, &len, err))
        return NULL;
    v = cscc_json_loadb(buf, len, max_depth, err);
    if (!v)
        cscc_err_at(err, path, 0, 0, NULL);
    cscc_free(buf);
    return v;
}
