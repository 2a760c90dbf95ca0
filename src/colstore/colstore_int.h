/* colstore_int.h - the on-disk format of a table file, shared by the writer
 * and the reader of src/colstore only.
 *
 * Layout (integers little-endian, sections 64-byte aligned, each followed
 * by at least 16 bytes before the next, so a reader may load 16 bytes at the
 * start of the last value):
 *   [0, 4096)  struct cs_header, written last, with a hash of itself
 *   groups     for each row group, in the order they were written: each
 *              column's sections (data; DICT: dictionary offsets uint32
 *              [count + 1] and the NUL-terminated strings, possibly shared
 *              with other groups; STR: the string bytes), and the group's
 *              day index (uint32 row starts [ndays + 1])
 *   footer     schema: ncols x struct cs_schema
 *              groups: ngroups x struct cs_group
 *              column directories: ngroups x ncols x struct cs_coldir
 *              metadata: meta_len bytes of JSON, NUL-terminated
 * A torn or half-written file fails the header's hash or its bounds.
 */
#ifndef CSCC_COLSTORE_COLSTORE_INT_H
#define CSCC_COLSTORE_COLSTORE_INT_H

#include <stdint.h>

#define CS_MAGIC        "CSCCTBL2"
#define CS_VERSION      2
#define CS_HEADER_SPACE 4096
#define CS_ALIGN        64
#define CS_PAD          16

struct cs_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t file_size;
    uint64_t nrows;
    uint32_t ncols;
    int32_t sort_col;
    uint64_t ngroups;
    uint64_t generation;
    int64_t import_id;
    int64_t created_at;
    uint64_t schema_off;
    uint64_t groups_off;
    uint64_t coldirs_off;
    uint64_t meta_off;
    uint64_t meta_len;
    uint64_t hash; /* cscc_hash of this struct with hash = 0 */
};

struct cs_schema {
    char name[56];
    uint8_t type;
    uint8_t pad[7];
};

struct cs_group {
    uint64_t nrows;
    int64_t day_min;
    uint64_t ndays;
    uint64_t dayidx_off; /* 0 when the group has no day index */
};

struct cs_coldir {
    uint8_t type;
    uint8_t width;
    uint8_t pad[2];
    uint32_t dict_count;
    uint64_t data_off, data_len;
    uint64_t aux_off, aux_len;   /* DICT: offsets; STR: blob */
    uint64_t aux2_off, aux2_len; /* DICT: strings */
};

#endif
