/* crc32c.c - CRC-32C: the SSE 4.2 crc32 instruction where the CPU has it,
 * else a slice-by-8 table; combining by GF(2) matrix powers (as zlib's
 * crc32_combine does for its polynomial). */
#include "core/crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    uint32_t i, k, c;

    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
        table[0][i] = c;
    }
    for (i = 0; i < 256; i++)
        for (k = 1; k < 8; k++)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
}

static uint32_t crc_soft(uint32_t c, const unsigned char *p, size_t n)
{
    pthread_once(&table_once, make_table);
    while (n >= 8) {
        uint64_t w;

        memcpy(&w, p, 8);
        w ^= c;
        c = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
            table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
            table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xff];
    return c;
}

#if defined(__x86_64__)
/*
 * The crc32 instruction takes 3 cycles but can start one every cycle: three
 * CRCs over neighbouring lanes run at once, then are joined with
 * shift_lane() (the register after LANE zero bytes, a linear map kept as
 * four byte tables built once from the bit operators further down).
 */
#define LANE 4096

static uint32_t lane_table[4][256];
static pthread_once_t lane_once = PTHREAD_ONCE_INIT;

static void make_lane_table(void)
{
    uint32_t bit[32];
    int k, b, i;

    for (i = 0; i < 32; i++)
        bit[i] = cscc_crc32c_combine((uint32_t)1 << i, 0, LANE);
    for (k = 0; k < 4; k++)
        for (b = 0; b < 256; b++) {
            uint32_t v = 0;

            for (i = 0; i < 8; i++)
                if (b >> i & 1)
                    v ^= bit[8 * k + i];
            lane_table[k][b] = v;
        }
}

static inline uint32_t shift_lane(uint32_t c)
{
    return lane_table[0][c & 0xff] ^ lane_table[1][(c >> 8) & 0xff] ^
           lane_table[2][(c >> 16) & 0xff] ^ lane_table[3][c >> 24];
}

__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p,
                                                         size_t n)
{
    uint64_t c64 = c;

    if (n >= 3 * LANE) {
        pthread_once(&lane_once, make_lane_table);
        do {
            uint64_t c1 = 0, c2 = 0, w0, w1, w2;
            size_t i;

            for (i = 0; i < LANE; i += 8) {
                memcpy(&w0, p + i, 8);
                memcpy(&w1, p + LANE + i, 8);
                memcpy(&w2, p + 2 * LANE + i, 8);
                c64 = __builtin_ia32_crc32di(c64, w0);
                c1 = __builtin_ia32_crc32di(c1, w1);
                c2 = __builtin_ia32_crc32di(c2, w2);
            }
            c64 = shift_lane(shift_lane((uint32_t)c64) ^ (uint32_t)c1) ^ (uint32_t)c2;
            p += 3 * LANE;
            n -= 3 * LANE;
        } while (n >= 3 * LANE);
    }
    while (n >= 8) {
        uint64_t w;

        memcpy(&w, p, 8);
        c64 = __builtin_ia32_crc32di(c64, w);
        p += 8;
        n -= 8;
    }
    c = (uint32_t)c64;
    while (n--)
        c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

uint32_t cscc_crc32c(uint32_t crc, const void *p, size_t n)
{
    uint32_t c = ~crc;

#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2"))
        return ~crc_hw(c, p, n);
#endif
    return ~crc_soft(c, p, n);
}

/* GF(2) 32x32 matrices as 32 column vectors. */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
    uint32_t sum = 0;

    for (; vec; vec >>= 1, mat++)
        if (vec & 1)
            sum ^= *mat;
    return sum;
}

static void gf2_square(uint32_t *sq, const uint32_t *mat)
{
    int n;

    for (n = 0; n < 32; n++)
        sq[n] = gf2_times(mat, mat[n]);
}

uint32_t cscc_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
    uint32_t even[32], odd[32], row = 1;
    int n;

    if (!len_b)
        return crc_a;
    odd[0] = POLY; /* the operator for one zero bit */
    for (n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_square(even, odd); /* two zero bits */
    gf2_square(odd, even); /* four */
    /* apply len_b zero bytes to crc_a */
    do {
        gf2_square(even, odd);
        if (len_b & 1)
            crc_a = gf2_times(even, crc_a);
        len_b >>= 1;
        if (!len_b)
            break;
        gf2_square(odd, even);
        if (len_b & 1)
            crc_a = gf2_times(odd, crc_a);
        len_b >>= 1;
    } while (len_b);
    return crc_a ^ crc_b;
}
