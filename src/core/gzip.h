/**
 * gzip.h - gzip compression of whole buffers in memory (RFC 1952), for
 * responses of the server. zlib stays behind this header (core owns it).
 *
 * Thread-safe: each call has its own stream.
 */
#ifndef CSCC_CORE_GZIP_H
#define CSCC_CORE_GZIP_H

#include "core/strbuf.h"

#include <stddef.h>

/**
 * Appends the gzip encoding of p[0..len) to out, at level 1 (fastest) to 9
 * (smallest). Returns 0, CSCC_ENOMEM, or CSCC_ELIMIT when out's cap would be
 * passed; on error out is as it was.
 */
int cscc_gzip(const void *p, size_t len, int level, struct strbuf *out);

/**
 * Appends the decoded bytes of one gzip member p[0..len) to out. Returns 0,
 * CSCC_EDATA when p is not valid gzip (or has trailing bytes), CSCC_ENOMEM,
 * or CSCC_ELIMIT (out's cap); on error out is as it was.
 */
int cscc_gunzip(const void *p, size_t len, struct strbuf *out);

#endif
