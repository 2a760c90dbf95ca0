/**
 * access_int.h - internals shared by the files of src/access: the context,
 * password hashing, secrets. No other module includes it.
 */
#ifndef CSCC_ACCESS_ACCESS_INT_H
#define CSCC_ACCESS_ACCESS_INT_H

#include "access/access.h"

struct access {
    struct store *st;
    struct access_config cfg;
    const struct access_blocklist *bl;
    char dummy_hash[128]; /* a hash to verify against for unknown users (same cost) */
};

/** Hashes a password with argon2id at the context's cost into out
 * (128 bytes). CSCC_ENOMEM when libsodium cannot (out of memory). */
int access__hash_password(const struct access *a, const char *pw, size_t len, char *out);
/** 1 when pw matches hash (an argon2id string), 0 otherwise. */
int access__verify_password(const char *hash, const char *pw, size_t len);
/** 1 when hash was made with less than the context's cost. */
int access__needs_rehash(const struct access *a, const char *hash);
/** The BLAKE2b-256 hash of a token (STORE_CRED_HASH_LEN bytes). */
void access__token_hash(const char *token, size_t len, uint8_t *out);
/** A new random token with prefix ("cscc_s_" or "cscc_t_") into out
 * (ACCESS_TOKEN_SIZE bytes). */
void access__token_new(const char *prefix, char *out);

#endif
