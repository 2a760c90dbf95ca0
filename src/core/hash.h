/**
 * hash.h - a fast, non-cryptographic 64-bit hash for short keys (dictionary
 * strings, composite keys). Not for anything an attacker controls where
 * collisions would matter; the HTTP layer uses libsodium for that.
 */
#ifndef CSCC_CORE_HASH_H
#define CSCC_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t cscc_hash_mix(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;

    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t cscc_hash_read8(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return v;
}

/** Hashes len bytes at p. Deterministic across runs and machines (little-endian). */
static inline uint64_t cscc_hash(const void *key, size_t len, uint64_t seed)
{
    const unsigned char *p = key;
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
    uint64_t h = seed ^ k0 ^ (uint64_t)len * k1;
    size_t i = 0;

    for (; i + 8 <= len; i += 8)
        h = cscc_hash_mix(h ^ cscc_hash_read8(p + i), k1);
    if (i < len) {
        uint64_t t = 0;

        memcpy(&t, p + i, len - i);
        h = cscc_hash_mix(h ^ t ^ k0, k1);
    }
    return cscc_hash_mix(h, h ^ k0);
}

static inline uint64_t cscc_hash_read4(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

/**
 * Hashes len bytes at p for tables kept in memory (dictionaries): on short
 * strings about three times faster than cscc_hash (overlapping loads, no
 * byte loop or call for the tail; wyhash's construction), but its values
 * may change from one version of cscc to the next: never store them.
 */
static inline uint64_t cscc_hash_mem(const void *key, size_t len, uint64_t seed)
{
    const unsigned char *p = key;
    const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
    uint64_t a, b;

    if (len <= 16) {
        if (len >= 4) {
            size_t m = (len >> 3) << 2; /* 0 for 4..7 bytes, 4 for 8..16 */

            a = cscc_hash_read4(p) << 32 | cscc_hash_read4(p + m);
            b = cscc_hash_read4(p + len - 4) << 32 | cscc_hash_read4(p + len - 4 - m);
        } else if (len) {
            a = (uint64_t)p[0] << 16 | (uint64_t)p[len >> 1] << 8 | p[len - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        const unsigned char *q = p;
        size_t i = len;

        do {
            seed = cscc_hash_mix(cscc_hash_read8(q) ^ k1, cscc_hash_read8(q + 8) ^ seed);
            q += 16;
            i -= 16;
        } while (i > 16);
        a = cscc_hash_read8(p + len - 16);
        b = cscc_hash_read8(p + len - 8);
    }
    return cscc_hash_mix(k0 ^ len, cscc_hash_mix(a ^ k1, b ^ seed ^ k0));
}

/** 1 if n bytes at a and b are equal: for short strings, cheaper than a
 * call to memcmp (8 bytes at a time, the last word overlapping, inline). */
static inline int cscc_mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    size_t i;

    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8)
            if (cscc_hash_read8(x + i) != cscc_hash_read8(y + i))
                return 0;
        return cscc_hash_read8(x + n - 8) == cscc_hash_read8(y + n - 8);
    }
    if (n >= 4)
        return cscc_hash_read4(x) == cscc_hash_read4(y) &&
               cscc_hash_read4(x + n - 4) == cscc_hash_read4(y + n - 4);
    for (i = 0; i < n; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/** Hashes one 64-bit integer. */
static inline uint64_t cscc_hash_u64(uint64_t x)
{
    return cscc_hash_mix(x ^ 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL);
}

#endif
