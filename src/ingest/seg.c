/* seg.c - segments: column arrays filled by one parser thread. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"

#include <math.h>
#include <string.h>

static size_t col_bytes(const struct ingest__seg *s, size_t c, size_t cap)
{
    enum colstore_type t = s->spec[c].type;
    size_t w = t == COLSTORE_DICT || t == COLSTORE_STR ? 4 : colstore_type_width(t);

    return (t == COLSTORE_STR ? cap + 1 : cap) * w;
}

static int grow(struct ingest__seg *s, size_t cap)
{
    size_t c;

    if (cap > ((size_t)1 << 40))
        return CSCC_ENOMEM;
    for (c = 0; c < s->ncols; c++) {
        void *p =
            cscc_big_realloc(s->col[c], s->cap ? col_bytes(s, c, s->cap) : 0, col_bytes(s, c, cap));

        if (!p)
            return CSCC_ENOMEM;
        s->col[c] = p;
    }
    s->cap = cap;
    return 0;
}

struct ingest__seg *ingest__seg_new(const struct ingest__colspec *spec, size_t ncols,
                                    size_t expect_rows)
{
    struct ingest__seg *s = cscc_xcalloc(1, sizeof(*s));
    size_t c;

    s->spec = spec;
    s->ncols = ncols;
    for (c = 0; c < ncols; c++) {
        if (spec[c].type == COLSTORE_DICT)
            s->dict[c] = colstore_dict_new(0);
        if (spec[c].type == COLSTORE_STR)
            s->str_cols[s->nstr++] = (uint8_t)c;
    }
    if (grow(s, expect_rows < 1024 ? 1024 : expect_rows))
        s->bad = 1;
    return s;
}

void ingest__seg_free(struct ingest__seg *s)
{
    size_t c;

    if (!s)
        return;
    for (c = 0; c < s->ncols; c++) {
        cscc_big_free(s->col[c], s->cap ? col_bytes(s, c, s->cap) : 0);
        cscc_big_free(s->blob[c], s->blob_cap[c]);
        colstore_dict_free(s->dict[c]);
    }
    cscc_free(s);
}

void ingest__seg_reset(struct ingest__seg *s)
{
    size_t c;

    s->n = 0;
    for (c = 0; c < s->ncols; c++) {
        s->blob_len[c] = 0;
        if (s->spec[c].type == COLSTORE_STR && s->col[c])
            ((uint32_t *)s->col[c])[0] = 0;
        if (s->dict[c])
            colstore_dict_clear(s->dict[c]);
    }
}

void ingest__seg_free_col(struct ingest__seg *s, size_t c)
{
    if (c >= s->ncols)
        return;
    cscc_big_free(s->col[c], s->col[c] && s->cap ? col_bytes(s, c, s->cap) : 0);
    cscc_big_free(s->blob[c], s->blob_cap[c]);
    s->col[c] = NULL;
    s->blob[c] = NULL;
    s->blob_cap[c] = 0;
}

ssize_t ingest__row_begin(struct ingest__seg *s, int fill)
{
    size_t r = s->n, c;

    if (s->bad)
        return -1;
    if (r == s->cap && grow(s, s->cap + s->cap / 2)) {
        s->bad = 1;
        return -1;
    }
    if (!fill) { /* strings still need their start */
        for (c = 0; c < s->nstr; c++) {
            uint32_t *o = s->col[s->str_cols[c]];

            o[r + 1] = o[r];
        }
        return (ssize_t)r;
    }
    for (c = 0; c < s->ncols; c++) {
        switch (s->spec[c].type) {
        case COLSTORE_I64: ((int64_t *)s->col[c])[r] = COLSTORE_NULL_I64; break;
        case COLSTORE_I32: ((int32_t *)s->col[c])[r] = COLSTORE_NULL_I32; break;
        case COLSTORE_U16: ((uint16_t *)s->col[c])[r] = COLSTORE_NULL_U16; break;
        case COLSTORE_U8: ((uint8_t *)s->col[c])[r] = COLSTORE_NULL_U8; break;
        case COLSTORE_F64: ((double *)s->col[c])[r] = NAN; break;
        case COLSTORE_DICT: ((uint32_t *)s->col[c])[r] = 0; break;
        case COLSTORE_STR: {
            uint32_t *o = s->col[c];

            o[r + 1] = o[r];
            break;
        }
        }
    }
    return (ssize_t)r;
}

void ingest__row_abort(struct ingest__seg *s)
{
    size_t c;

    for (c = 0; c < s->nstr; c++) {
        size_t k = s->str_cols[c];

        s->blob_len[k] = ((uint32_t *)s->col[k])[s->n];
    }
}

int ingest__put_dict(struct ingest__seg *s, int c, size_t r, const char *p, size_t len)
{
    int64_t code = colstore_dict_intern(s->dict[c], p, len);

    if (code < 0)
        return CSCC_ELIMIT;
    ((uint32_t *)s->col[c])[r] = (uint32_t)code;
    return 0;
}

int ingest__put_str(struct ingest__seg *s, int c, size_t r, const char *p, size_t len)
{
    uint32_t *o = s->col[c];
    size_t need = s->blob_len[c] + len;

    if (need > UINT32_MAX - 16 || len > 65535)
        return CSCC_ELIMIT;
    if (need + 16 > s->blob_cap[c]) { /* 16 spare bytes: the writer copies 16 at a time */
        size_t cap = s->blob_cap[c] ? s->blob_cap[c] : 65536;
        char *b;

        while (cap < need + 16)
            cap += cap / 2;
        b = cscc_big_realloc(s->blob[c], s->blob_cap[c], cap);
        if (!b)
            return CSCC_ENOMEM;
        s->blob[c] = b;
        s->blob_cap[c] = cap;
    }
    memcpy(s->blob[c] + s->blob_len[c], p, len);
    s->blob_len[c] = need;
    o[r + 1] = (uint32_t)need;
    return 0;
}
