/**
 * json.h - reading JSON documents (through jansson) with explicit limits and
 * error messages that name the line and column.
 *
 * This is the one header that includes <jansson.h>; other modules reach
 * jansson's json_t through it. Values returned are owned by the caller
 * (json_decref). Thread-safe.
 */
#ifndef CSCC_CORE_JSON_H
#define CSCC_CORE_JSON_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

/** Parses len bytes at buf; refuses documents nested deeper than max_depth. */
json_t *cscc_json_loadb(const char *buf, size_t len, int max_depth, struct cscc_err *err);

/** Reads and parses a file (plain or gzip) of at most max_bytes bytes. */
json_t *cscc_json_load_file(const char *path, size_t max_bytes, int max_depth,
                            struct cscc_err *err);

/** Reads a whole file (plain or gzip-compressed) of at most max_bytes. */
int cscc_read_file(const char *path, size_t max_bytes, char **buf, size_t *len,
                   struct cscc_err *err);

#endif
