/* gzip.c - whole-buffer gzip through zlib's deflate and inflate. */
#include "core/gzip.h"

#include "core/err.h"

#include <stdint.h>
#include <zlib.h>

int cscc_gzip(const void *p, size_t len, int level, struct strbuf *out)
{
    size_t start = out->len, bound;
    z_stream zs = {0};
    int rc, zrc;

    if (level < 1 || level > 9)
        level = 6;
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return CSCC_ENOMEM;
    /* deflateBound covers the gzip wrapper too (the stream knows it is gzip). */
    bound = deflateBound(&zs, (uLong)len);
    if ((rc = strbuf_grow(out, bound))) {
        deflateEnd(&zs);
        return rc;
    }
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out->buf + start;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        strbuf_setlen(out, start);
        return CSCC_EINTERNAL;
    }
    out->len = start + zs.total_out;
    out->buf[out->len] = '\0';
    return 0;
}

int cscc_gunzip(const void *p, size_t len, struct strbuf *out)
{
    size_t start = out->len;
    z_stream zs = {0};
    int rc = 0, zrc;

    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return CSCC_ENOMEM;
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)len;
    do {
        if ((rc = strbuf_grow(out, 65536)))
            break;
        zs.next_out = (Bytef *)out->buf + out->len;
        zs.avail_out = 65536;
        zrc = inflate(&zs, Z_NO_FLUSH);
        out->len += 65536 - zs.avail_out;
        out->buf[out->len] = '\0';
        if (zrc == Z_STREAM_END)
            break;
        if (zrc != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0)) {
            rc = CSCC_EDATA;
            break;
        }
    } while (1);
    if (!rc && zs.avail_in != 0)
        rc = CSCC_EDATA;
    inflateEnd(&zs);
    if (rc)
        strbuf_setlen(out, start);
    return rc;
}
