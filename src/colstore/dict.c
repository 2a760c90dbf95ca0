/* dict.c - string dictionaries: interning strings to dense uint32 codes. */
#include "colstore/colstore.h"

#include "core/alloc.h"
#include "core/hash.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A slot holds what a lookup needs to compare without touching other
 * arrays: the hash's high half, the code, and where the string is. */
struct slot {
    uint32_t tag;
    uint32_t code1; /* code + 1; 0 = empty */
    uint32_t off;
    uint32_t len;
};

struct colstore_dict {
    uint64_t id;    /* unique in the process: tells dictionaries apart */
    uint32_t count; /* entries, including "" at code 0 */
    uint32_t max;   /* most entries allowed */
    uint32_t *off;  /* [count + 1] offsets into blob; entry i is blob[off[i] .. off[i+1]-1) */
    size_t off_cap;
    char *blob; /* each string followed by a NUL */
    size_t blob_len, blob_cap;
    struct slot *slots; /* open addressing; code + 1 == 0 marks an empty slot */
    size_t nslots;      /* power of two */
};

#define SEED 0x9e3779b97f4a7c15ULL

static _Atomic uint64_t next_id = 1;

uint64_t colstore_dict_id(const struct colstore_dict *d)
{
    return d->id;
}

static void put_slot(struct colstore_dict *d, uint64_t h, uint32_t code)
{
    size_t mask = d->nslots - 1, i = (size_t)h & mask;

    while (d->slots[i].code1)
        i = (i + 1) & mask;
    d->slots[i].tag = (uint32_t)(h >> 32);
    d->slots[i].code1 = code + 1;
    d->slots[i].off = d->off[code];
    d->slots[i].len = d->off[code + 1] - d->off[code] - 1;
}

static void rehash(struct colstore_dict *d, size_t nslots)
{
    uint32_t c;

    cscc_free(d->slots);
    d->slots = cscc_xcalloc(nslots, sizeof(*d->slots));
    d->nslots = nslots;
    for (c = 0; c < d->count; c++) {
        const char *s = d->blob + d->off[c];
        size_t len = d->off[c + 1] - d->off[c] - 1;

        put_slot(d, cscc_hash_mem(s, len, SEED), c);
    }
}

static void append(struct colstore_dict *d, const char *p, size_t len)
{
    if (d->blob_len + len + 1 > d->blob_cap) {
        size_t cap = d->blob_cap ? d->blob_cap : 1024;

        while (cap < d->blob_len + len + 1)
            cap *= 2;
        d->blob = cscc_xrealloc(d->blob, cap);
        d->blob_cap = cap;
    }
    if ((size_t)d->count + 2 > d->off_cap) {
        d->off_cap = d->off_cap ? d->off_cap * 2 : 64;
        d->off = cscc_xrealloc(d->off, d->off_cap * sizeof(*d->off));
    }
    if (len)
        memcpy(d->blob + d->blob_len, p, len);
    d->blob[d->blob_len + len] = '\0';
    d->blob_len += len + 1;
    d->count++;
    d->off[d->count] = (uint32_t)d->blob_len;
}

struct colstore_dict *colstore_dict_new(uint32_t max_entries)
{
    struct colstore_dict *d = cscc_xcalloc(1, sizeof(*d));

    d->id = atomic_fetch_add(&next_id, 1);
    d->max = max_entries ? max_entries : UINT32_MAX;
    d->off_cap = 64;
    d->off = cscc_xmalloc(d->off_cap * sizeof(*d->off));
    d->off[0] = 0;
    append(d, "", 0);
    rehash(d, 64);
    return d;
}

void colstore_dict_free(struct colstore_dict *d)
{
    if (!d)
        return;
    cscc_free(d->off);
    cscc_free(d->blob);
    cscc_free(d->slots);
    cscc_free(d);
}

void colstore_dict_clear(struct colstore_dict *d)
{
    d->id = atomic_fetch_add(&next_id, 1);
    d->count = 0;
    d->blob_len = 0;
    d->off[0] = 0;
    memset(d->slots, 0, d->nslots * sizeof(*d->slots));
    append(d, "", 0);
    put_slot(d, cscc_hash_mem("", 0, SEED), 0);
}

struct colstore_dict *colstore_dict_clone(const struct colstore_dict *s)
{
    struct colstore_dict *d = cscc_xcalloc(1, sizeof(*d));

    *d = *s;
    d->id = atomic_fetch_add(&next_id, 1);
    d->off = cscc_xmalloc(s->off_cap * sizeof(*d->off));
    memcpy(d->off, s->off, ((size_t)s->count + 1) * sizeof(*d->off));
    d->blob = cscc_xmalloc(s->blob_cap ? s->blob_cap : 1);
    memcpy(d->blob, s->blob, s->blob_len);
    d->slots = cscc_xmalloc(s->nslots * sizeof(*d->slots));
    memcpy(d->slots, s->slots, s->nslots * sizeof(*d->slots));
    return d;
}

static int64_t lookup(const struct colstore_dict *d, const char *p, size_t len, uint64_t h)
{
    size_t mask = d->nslots - 1, i = (size_t)h & mask;
    uint32_t tag = (uint32_t)(h >> 32);
    const struct slot *s;

    while ((s = &d->slots[i])->code1) {
        if (s->tag == tag && s->len == len && cscc_mem_eq(d->blob + s->off, p, len))
            return s->code1 - 1;
        i = (i + 1) & mask;
    }
    return -1;
}

int64_t colstore_dict_find(const struct colstore_dict *d, const char *p, size_t len)
{
    if (!len)
        return 0;
    return lookup(d, p, len, cscc_hash_mem(p, len, SEED));
}

uint64_t colstore_dict_hash(const char *p, size_t len)
{
    return cscc_hash_mem(p, len, SEED);
}

void colstore_dict_prefetch(const struct colstore_dict *d, uint64_t h)
{
    __builtin_prefetch(&d->slots[(size_t)h & (d->nslots - 1)]);
}

int64_t colstore_dict_intern(struct colstore_dict *d, const char *p, size_t len)
{
    return len ? colstore_dict_intern_hashed(d, p, len, cscc_hash_mem(p, len, SEED)) : 0;
}

int64_t colstore_dict_intern_hashed(struct colstore_dict *d, const char *p, size_t len, uint64_t h)
{
    int64_t c;

    if (!len)
        return 0;
    c = lookup(d, p, len, h);
    if (c >= 0)
        return c;
    if (d->count >= d->max || d->blob_len + len + 1 > UINT32_MAX)
        return -1;
    append(d, p, len);
    if ((size_t)d->count * 2 > d->nslots)
        rehash(d, d->nslots * 2);
    else
        put_slot(d, h, d->count - 1);
    return d->count - 1;
}

uint32_t colstore_dict_count(const struct colstore_dict *d)
{
    return d->count;
}

const char *colstore_dict_str(const struct colstore_dict *d, uint32_t code, size_t *len)
{
    if (code >= d->count) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = d->off[code + 1] - d->off[code] - 1;
    return d->blob + d->off[code];
}

static int cmp_codes(const void *x, const void *y, void *arg)
{
    const struct colstore_dict *d = arg;
    size_t la, lb;
    const char *a = colstore_dict_str(d, *(const uint32_t *)x, &la);
    const char *b = colstore_dict_str(d, *(const uint32_t *)y, &lb);
    int c = memcmp(a, b, la < lb ? la : lb);

    return c ? c : (la > lb) - (la < lb);
}

void colstore_dict_sort(const struct colstore_dict *d, uint32_t *order)
{
    uint32_t i;

    for (i = 0; i < d->count; i++)
        order[i] = i;
    qsort_r(order, d->count, sizeof(*order), cmp_codes, (void *)d);
}
