/**
 * strbuf.h - a growable byte buffer with a size cap (git strbuf, curl dynbuf).
 *
 * struct strbuf is transparent and caller-allocated: strbuf_init() it, append,
 * then strbuf_release() or strbuf_take() the bytes. buf is always
 * NUL-terminated. Appends that would pass `max` fail with CSCC_ELIMIT and
 * leave the buffer as it was; appends that cannot allocate return CSCC_ENOMEM.
 * Not thread-safe.
 */
#ifndef CSCC_CORE_STRBUF_H
#define CSCC_CORE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    char *buf;  /* NUL-terminated contents; never NULL after init */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated; 0 while buf points at a static "" */
    size_t max; /* largest len allowed */
};

/** Initialises an empty buffer that may grow to max bytes (0 = 1 GiB). */
void strbuf_init(struct strbuf *sb, size_t max);
/** Frees the bytes; the buffer is then empty and may be reused. */
void strbuf_release(struct strbuf *sb);
/** Empties the buffer, keeping its allocation. */
void strbuf_reset(struct strbuf *sb);
/** Gives the bytes to the caller (free with cscc_free); the buffer is emptied. */
char *strbuf_take(struct strbuf *sb, size_t *len);

int strbuf_add(struct strbuf *sb, const void *p, size_t len);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addc(struct strbuf *sb, char c);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/** Makes room for n more bytes (a later add of n bytes cannot fail). */
int strbuf_grow(struct strbuf *sb, size_t n);
/** Shortens the buffer to len bytes (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);

/**
 * Appends s as a JSON string literal, with quotes and escapes; a byte that
 * does not begin a valid UTF-8 character becomes U+FFFD, so the result is
 * always valid JSON.
 */
int strbuf_add_json_str(struct strbuf *sb, const char *s, size_t len);

/**
 * Appends s as a JSON string literal like strbuf_add_json_str(), except that
 * a byte which does not begin a valid UTF-8 character is written as the four
 * characters \xFF (a backslash, x and two hex digits), so the result is
 * always valid UTF-8 and valid JSON. For messages that quote input.
 */
int strbuf_add_json_text(struct strbuf *sb, const char *s, size_t len);

/**
 * The length (1 to 4) of the valid UTF-8 character that starts s[0, avail),
 * or 0 when avail is 0 or the bytes there are not one (a stray continuation
 * byte, a truncated, overlong or surrogate sequence, above U+10FFFF).
 * Cannot fail.
 */
size_t strbuf_utf8_len(const char *s, size_t avail);

/**
 * The offset of the first byte of s[0, len) that does not begin a valid
 * UTF-8 character (as strbuf_utf8_len() judges), or SIZE_MAX when all of it
 * is UTF-8. ASCII is passed eight bytes at a time. Cannot fail.
 */
size_t strbuf_utf8_invalid(const char *s, size_t len);

#endif
