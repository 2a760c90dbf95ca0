/**
 * rng.h - the random numbers of the analyses: xoshiro256** seeded through
 * splitmix64, so a seed gives the same sequence on every machine.
 *
 * A stream is derived from (seed, stream number) so that work split among
 * threads (permutation i of a test, area i of a local statistic) draws the
 * same numbers whatever the number of threads. Not thread-safe per state;
 * one state per thread.
 */
#ifndef CSCC_ANALYSIS_RNG_H
#define CSCC_ANALYSIS_RNG_H

#include <stdint.h>

struct an_rng {
    uint64_t s[4];
};

static inline uint64_t an_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/** The state of stream `stream` of seed `seed`. */
static inline void an_rng_init(struct an_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull + 0x2545f4914f6cdd1dull);
    int i;

    for (i = 0; i < 4; i++)
        r->s[i] = an_splitmix64(&x);
}

static inline uint64_t an_rng_next(struct an_rng *r)
{
    uint64_t *s = r->s, res = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s[3] << 45 | s[3] >> 19;
    return res;
}

/** Uniform in [0, n) without bias (Lemire's method), n >= 1. */
static inline uint64_t an_rng_below(struct an_rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)an_rng_next(r) * n;
    uint64_t l = (uint64_t)m;

    if (l < n) {
        uint64_t t = -n % n;

        while (l < t) {
            m = (unsigned __int128)an_rng_next(r) * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

#endif
