/* u64map.c - open addressing with linear probing on 64-bit keys. */
#include "core/u64map.h"

#include "core/alloc.h"
#include "core/err.h"
#include "core/hash.h"

#include <string.h>

static int alloc_slots(struct u64map *m, size_t cap)
{
    m->keys = cscc_trymalloc(cap * sizeof(*m->keys));
    m->vals = cscc_trymalloc(cap * sizeof(*m->vals));
    m->used = cscc_trycalloc(cap, 1);
    if (!m->keys || !m->vals || !m->used) {
        cscc_free(m->keys);
        cscc_free(m->vals);
        cscc_free(m->used);
        m->keys = m->vals = NULL;
        m->used = NULL;
        return CSCC_ENOMEM;
    }
    m->cap = cap;
    return 0;
}

int u64map_init(struct u64map *m, size_t n)
{
    size_t cap = 16;

    memset(m, 0, sizeof(*m));
    while (cap < n * 2)
        cap *= 2;
    return alloc_slots(m, cap);
}

void u64map_release(struct u64map *m)
{
    cscc_free(m->keys);
    cscc_free(m->vals);
    cscc_free(m->used);
    memset(m, 0, sizeof(*m));
}

static size_t find(const struct u64map *m, uint64_t key)
{
    size_t mask = m->cap - 1, i = (size_t)cscc_hash_u64(key) & mask;

    while (m->used[i] && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static int grow(struct u64map *m)
{
    struct u64map old = *m;
    size_t i;

    if (alloc_slots(m, old.cap * 2)) {
        *m = old;
        return CSCC_ENOMEM;
    }
    m->count = old.count;
    for (i = 0; i < old.cap; i++) {
        if (old.used[i]) {
            size_t j = find(m, old.keys[i]);

            m->used[j] = 1;
            m->keys[j] = old.keys[i];
            m->vals[j] = old.vals[i];
        }
    }
    u64map_release(&old);
    return 0;
}

uint64_t *u64map_upsert(struct u64map *m, uint64_t key)
{
    size_t i;

    if ((m->count + 1) * 2 > m->cap && grow(m))
        return NULL;
    i = find(m, key);
    if (!m->used[i]) {
        m->used[i] = 1;
        m->keys[i] = key;
        m->vals[i] = 0;
        m->count++;
    }
    return &m->vals[i];
}

uint64_t *u64map_get(const struct u64map *m, uint64_t key)
{
    size_t i;

    if (!m->cap)
        return NULL;
    i = find(m, key);
    return m->used[i] ? &m->vals[i] : NULL;
}

int u64map_next(const struct u64map *m, size_t *pos, uint64_t *key, uint64_t *val)
{
    while (*pos < m->cap) {
        size_t i = (*pos)++;

        if (m->used[i]) {
            *key = m->keys[i];
            *val = m->vals[i];
            return 1;
        }
    }
    return 0;
}
