/**
 * u64map.h - an open-addressing hash map from 64-bit keys to 64-bit values,
 * for aggregation and joins on integer keys. Grows as needed. Not
 * thread-safe. Memory comes from cscc_try*: inserts report CSCC_ENOMEM.
 */
#ifndef CSCC_CORE_U64MAP_H
#define CSCC_CORE_U64MAP_H

#include <stddef.h>
#include <stdint.h>

struct u64map {
    uint64_t *keys;
    uint64_t *vals;
    uint8_t *used;
    size_t cap; /* power of two */
    size_t count;
};

/** Initialises an empty map sized for about n entries. 0 or CSCC_ENOMEM. */
int u64map_init(struct u64map *m, size_t n);
void u64map_release(struct u64map *m);
/** Pointer to the value of key, inserting it with value 0 if absent; NULL on ENOMEM. */
uint64_t *u64map_upsert(struct u64map *m, uint64_t key);
/** Pointer to the value of key, or NULL if absent. */
uint64_t *u64map_get(const struct u64map *m, uint64_t key);
/** Iterates: start with *pos = 0; returns 1 with key/value set, 0 at the end. */
int u64map_next(const struct u64map *m, size_t *pos, uint64_t *key, uint64_t *val);

#endif
