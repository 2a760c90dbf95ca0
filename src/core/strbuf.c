/* strbuf.c - growable, capped byte buffers. */
#include "core/strbuf.h"

#include "core/alloc.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

static char empty_buf[1];

void strbuf_init(struct strbuf *sb, size_t max)
{
    sb->buf = empty_buf;
    sb->len = 0;
    sb->cap = 0;
    sb->max = max ? max : (size_t)1 << 30;
}

void strbuf_release(struct strbuf *sb)
{
    if (sb->cap)
        cscc_free(sb->buf);
    sb->buf = empty_buf;
    sb->len = sb->cap = 0;
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    if (sb->cap)
        sb->buf[0] = '\0';
}

char *strbuf_take(struct strbuf *sb, size_t *len)
{
    char *p;

    if (len)
        *len = sb->len;
    if (!sb->cap) {
        p = cscc_xmalloc(1);
        p[0] = '\0';
    } else {
        p = sb->buf;
    }
    sb->buf = empty_buf;
    sb->len = sb->cap = 0;
    return p;
}

int strbuf_grow(struct strbuf *sb, size_t n)
{
    size_t need, cap;
    char *p;

    if (n > sb->max || sb->len > sb->max - n)
        return CSCC_ELIMIT;
    need = sb->len + n + 1;
    if (need <= sb->cap)
        return 0;
    cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap = cap < ((size_t)1 << 62) ? cap * 2 : need;
    p = cscc_tryrealloc(sb->cap ? sb->buf : NULL, cap);
    if (!p)
        return CSCC_ENOMEM;
    if (!sb->cap)
        p[0] = '\0';
    sb->buf = p;
    sb->cap = cap;
    return 0;
}

int strbuf_add(struct strbuf *sb, const void *p, size_t len)
{
    int rc = strbuf_grow(sb, len);

    if (rc)
        return rc;
    if (len)
        memcpy(sb->buf + sb->len, p, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
    return 0;
}

int strbuf_adds(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_addc(struct strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

int strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    char small[256];
    int n;
    int rc;

    va_copy(cp, ap);
    n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0)
        return CSCC_EINVAL;
    if ((size_t)n < sizeof(small))
        return strbuf_add(sb, small, (size_t)n);
    rc = strbuf_grow(sb, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
    return rc;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
    if (len > sb->len)
        return;
    sb->len = len;
    if (sb->cap)
        sb->buf[len] = '\0';
}

/* Appends s[0, len) escaped for the inside of a JSON string. */
static int add_json_chars(struct strbuf *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, start = 0;
    int rc;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7];
        size_t elen = 2;

        if (c >= 0x80) {
            size_t n = strbuf_utf8_len(s + i, len - i);

            if (n) {
                i += n - 1;
                continue;
            }
            /* not UTF-8 (a stray byte of another encoding): U+FFFD, so the
             * output stays valid JSON */
            if ((rc = strbuf_add(sb, s + start, i - start)) || (rc = strbuf_add(sb, "\\ufffd", 6)))
                return rc;
            start = i + 1;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if ((rc = strbuf_add(sb, s + start, i - start)) || (rc = strbuf_add(sb, esc, elen)))
            return rc;
        start = i + 1;
    }
    return strbuf_add(sb, s + start, len - start);
}

int strbuf_add_json_str(struct strbuf *sb, const char *s, size_t len)
{
    int rc;

    if ((rc = strbuf_addc(sb, '"')) || (rc = add_json_chars(sb, s, len)))
        return rc;
    return strbuf_addc(sb, '"');
}

size_t strbuf_utf8_len(const char *s, size_t avail)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i;

    if (!avail)
        return 0;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* Overlong forms, UTF-16 surrogates, and code points above U+10FFFF. */
    if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
        (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}

size_t strbuf_utf8_invalid(const char *s, size_t len)
{
    uint64_t w, hi = 0;
    size_t i, k;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        hi |= w;
    }
    for (; i < len; i++)
        hi |= (unsigned char)s[i];
    if (!(hi & 0x8080808080808080ull))
        return SIZE_MAX;
    for (i = 0; i < len; i += k)
        if (!(k = strbuf_utf8_len(s + i, len - i)))
            return i;
    return SIZE_MAX;
}

int strbuf_add_json_text(struct strbuf *sb, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, start = 0, k;
    int rc;

    if ((rc = strbuf_addc(sb, '"')))
        return rc;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        /* In JSON, the text \xFF is written "\\xFF". */
        char esc[6] = {'\\', '\\', 'x', hex[c >> 4], hex[c & 15], '\0'};

        if (c < 0x80 || (k = strbuf_utf8_len(s + i, len - i))) {
            i += c < 0x80 ? 1 : k;
            continue;
        }
        if ((rc = add_json_chars(sb, s + start, i - start)) || (rc = strbuf_add(sb, esc, 5)))
            return rc;
        start = ++i;
    }
    if ((rc = add_json_chars(sb, s + start, len - start)))
        return rc;
    return strbuf_addc(sb, '"');
}
