/**
 * crc32c.h - CRC-32C (Castagnoli), the checksum import provenance records
 * for each input file: standard (iSCSI, ext4, cloud storage: `gsutil hash
 * -c`), and fast with the SSE 4.2 instruction. Pure functions, thread-safe.
 */
#ifndef CSCC_CORE_CRC32C_H
#define CSCC_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/** Extends crc (0 to start) with n bytes at p. */
uint32_t cscc_crc32c(uint32_t crc, const void *p, size_t n);

/** The CRC of A then B, from crc(A), crc(B) and the length of B. */
uint32_t cscc_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

#endif
