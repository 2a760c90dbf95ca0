/* colstore_int.h - the on-disk format of a table file, shared by the writer
 * and the reader of src/colstore only.
 *
 * Layout (all integers little-endian, sections 64-byte aligned):
 *   [0, 4096)   struct cs_header
 *   directory   ncols x struct cs_coldir
 *   metadata    meta_len bytes of JSON text, NUL-terminated
 *   day index   uint32 row starts [ndays + 1] (sorted tables only)
 *   columns     per column: data section; DICT adds dictionary offsets
 *               (uint32 [count + 1]) and the dictionary blob (NUL-terminated
 *               strings); STR adds the string blob.
 * The header is written last, after every other byte, and carries a hash of
 * itself: a torn or half-written file is refused on open.
 */
#ifndef CSCC_COLSTORE_COLSTORE_INT_H
#define CSCC_COLSTORE_COLSTORE_INT_H

#include <stdint.h>

#define CS_MAGIC "CSCCTBL1"
#define CS_VERSION 1
#define CS_HEADER_SPACE 4096
#define CS_ALIGN 64

struct cs_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;
    uint64_t file_size;
    uint64_t nrows;
    uint32_t ncols;
    int32_t sort_col;
    uint64_t generation;
    int64_t import_id;
    int64_t created_at;
    int64_t day_min;
    uint64_t ndays;
    uint64_t dayidx_off;
    uint64_t meta_off;
    uint64_t meta_len;
    uint64_t cols_off;
    uint64_t hash; /* cscc_hash of this struct with hash = 0 */
};

struct cs_coldir {
    char name[56];
    uint8_t type;
    uint8_t width;
    uint8_t pad[2];
    uint32_t dict_count;
    uint64_t data_off, data_len;
    uint64_t aux_off, aux_len;   /* DICT: offsets; STR: blob */
    uint64_t aux2_off, aux2_len; /* DICT: blob */
};

#endif
