/* password.c - the password policy (NIST SP 800-63B), the blocklist of
 * common passwords, argon2id hashing and token secrets with libsodium. */
#include "access/access_int.h"

#include "core/alloc.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD_MAX_BYTES 1024

/* ------------------------------------------------------------------------ */
/* Setup                                                                     */
/* ------------------------------------------------------------------------ */

int access_init(struct cscc_err *err)
{
    if (sodium_init() < 0)
        return cscc_err_set(err, CSCC_EINTERNAL, "cannot start libsodium");
    return 0;
}

void access_config_default(struct access_config *c)
{
    memset(c, 0, sizeof(*c));
    c->session_idle = 30 * 60;
    c->session_absolute = 12 * 3600;
    c->touch_interval = 60;
    c->throttle_max = 100;
    c->throttle_window = 3600;
    c->password_min = 15;
    c->password_max = 256;
    c->pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    c->pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

/* ------------------------------------------------------------------------ */
/* Blocklist                                                                 */
/* ------------------------------------------------------------------------ */

struct access_blocklist {
    char **w; /* lower case, sorted, unique */
    size_t n;
};

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static void lower(char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        s[i] = (char)tolower((unsigned char)s[i]);
}

struct access_blocklist *access_blocklist_new(void)
{
    return cscc_xcalloc(1, sizeof(struct access_blocklist));
}

struct access_blocklist *access_blocklist_load(const char *path, struct cscc_err *err)
{
    struct access_blocklist *b;
    FILE *f = fopen(path, "r");
    char line[1100];
    size_t cap = 0, i, k;

    if (!f) {
        cscc_err_errno(err, CSCC_ENOENT, errno, "cannot read the password blocklist %s", path);
        return NULL;
    }
    b = access_blocklist_new();
    while (fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\r\n");

        if (!len || line[0] == '#')
            continue;
        line[len] = '\0';
        lower(line, len);
        if (b->n == cap) {
            cap = cap ? cap * 2 : 4096;
            b->w = cscc_xrealloc(b->w, cap * sizeof(*b->w));
        }
        b->w[b->n++] = cscc_xstrdup(line);
    }
    if (ferror(f)) {
        cscc_err_errno(err, CSCC_EIO, errno, "cannot read the password blocklist %s", path);
        fclose(f);
        access_blocklist_free(b);
        return NULL;
    }
    fclose(f);
    if (b->n)
        qsort(b->w, b->n, sizeof(*b->w), cmp_str);
    for (i = k = 0; i < b->n; i++) {
        if (k && !strcmp(b->w[k - 1], b->w[i])) {
            cscc_free(b->w[i]);
            continue;
        }
        b->w[k++] = b->w[i];
    }
    b->n = k;
    return b;
}

void access_blocklist_free(struct access_blocklist *b)
{
    size_t i;

    if (!b)
        return;
    for (i = 0; i < b->n; i++)
        cscc_free(b->w[i]);
    cscc_free(b->w);
    cscc_free(b);
}

size_t access_blocklist_count(const struct access_blocklist *b)
{
    return b ? b->n : 0;
}

int access_blocklist_has(const struct access_blocklist *b, const char *pw, size_t len)
{
    char buf[PASSWORD_MAX_BYTES + 1];
    size_t lo = 0, hi;

    if (!b || !b->n || len > PASSWORD_MAX_BYTES)
        return 0;
    memcpy(buf, pw, len);
    buf[len] = '\0';
    if (strlen(buf) != len) /* an embedded NUL: not a line of the list */
        return 0;
    lower(buf, len);
    hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->w[mid], buf);

        if (!c)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Policy                                                                    */
/* ------------------------------------------------------------------------ */

/* Unicode code points of UTF-8 text (bytes that do not continue one). */
static size_t code_points(const char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The shortest period of s (lower case): s[i] == s[i - p] for every i >= p. */
static size_t period(const char *s, size_t n)
{
    size_t *fail = cscc_xcalloc(n ? n : 1, sizeof(*fail)), i, k = 0, p;

    for (i = 1; i < n; i++) {
        while (k && s[i] != s[k])
            k = fail[k - 1];
        if (s[i] == s[k])
            k++;
        fail[i] = k;
    }
    p = n ? n - fail[n - 1] : 0;
    cscc_free(fail);
    return p;
}

/* The next character of a run: digits wrap (9 -> 0), letters do not. */
static int follows(unsigned char a, unsigned char b, int step)
{
    if (isdigit(a) && isdigit(b))
        return (a - '0' + 10 + step) % 10 == b - '0';
    return (int)b - (int)a == step;
}

static int is_run(const char *s, size_t n)
{
    int step;

    for (step = -1; step <= 1; step += 2) {
        size_t i;

        for (i = 1; i < n && follows((unsigned char)s[i - 1], (unsigned char)s[i], step); i++)
            ;
        if (n > 1 && i == n)
            return 1;
    }
    return 0;
}

/* 1 when s (lower case) is a walk along a keyboard's rows, either way
 * ("qwertyuiopasdfgh", "0987654321poiuyt"). */
static int is_keyboard_walk(const char *s, size_t n)
{
    static const char rows[] = "1234567890qwertyuiopasdfghjklzxcvbnm";
    static const char back[] = "mnbvcxzlkjhgfdsapoiuytrewq0987654321";
    char buf[sizeof(rows)];

    if (n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return strstr(rows, buf) != NULL || strstr(back, buf) != NULL;
}

int access_password_check(const struct access *a, const char *user, const char *pw, size_t len,
                          struct cscc_err *err)
{
    char low[PASSWORD_MAX_BYTES + 1], name[ACCESS_NAME_MAX + 1];
    size_t cp, p, ulen;

    if (!pw)
        return cscc_err_set(err, CSCC_EINVAL, "no password given");
    if (len > PASSWORD_MAX_BYTES || code_points(pw, len) > a->cfg.password_max)
        return cscc_err_set(err, CSCC_EINVAL, "the password is longer than %zu characters",
                            a->cfg.password_max);
    cp = code_points(pw, len);
    if (cp < a->cfg.password_min)
        return cscc_err_set(err, CSCC_EINVAL,
                            "the password has %zu characters; it needs at least %zu (a "
                            "passphrase of a few words is easy to remember)",
                            cp, a->cfg.password_min);
    if (memchr(pw, '\0', len))
        return cscc_err_set(err, CSCC_EINVAL, "the password holds a NUL character");
    memcpy(low, pw, len);
    low[len] = '\0';
    lower(low, len);
    if (access_blocklist_has(a->bl, low, len))
        return cscc_err_set(err, CSCC_EINVAL,
                            "the password is on the list of common passwords; choose another");
    p = period(low, len);
    if (p < len && (p <= 4 || access_blocklist_has(a->bl, low, p)))
        return cscc_err_set(err, CSCC_EINVAL, "the password repeats %s; choose one that does not",
                            p <= 4 ? "a short pattern" : "a common password");
    if (is_run(low, len) || is_keyboard_walk(low, len))
        return cscc_err_set(err, CSCC_EINVAL,
                            "the password is a run of consecutive characters; choose another");
    ulen = user ? strlen(user) : 0;
    if (ulen >= 3 && ulen <= ACCESS_NAME_MAX) {
        memcpy(name, user, ulen + 1);
        lower(name, ulen);
        if (strstr(low, name))
            return cscc_err_set(err, CSCC_EINVAL, "the password contains the user name");
    }
    sodium_memzero(low, sizeof(low));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Hashing and secrets                                                       */
/* ------------------------------------------------------------------------ */

int access__hash_password(const struct access *a, const char *pw, size_t len, char *out)
{
    if (crypto_pwhash_str_alg(out, pw, len, a->cfg.pwhash_ops, a->cfg.pwhash_mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return CSCC_ENOMEM;
    return 0;
}

int access__verify_password(const char *hash, const char *pw, size_t len)
{
    if (!hash || strncmp(hash, "$argon2id$", 10))
        return 0;
    return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

int access__needs_rehash(const struct access *a, const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, a->cfg.pwhash_ops, a->cfg.pwhash_mem) != 0;
}

void access__token_hash(const char *token, size_t len, uint8_t *out)
{
    crypto_generichash(out, STORE_CRED_HASH_LEN, (const unsigned char *)token, len, NULL, 0);
}

void access__token_new(const char *prefix, char *out)
{
    unsigned char raw[32];
    size_t plen = strlen(prefix);

    randombytes_buf(raw, sizeof(raw));
    memcpy(out, prefix, plen);
    sodium_bin2base64(out + plen, ACCESS_TOKEN_SIZE - plen, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
}

int access_csrf_token(const char *session_token, char *csrf)
{
    static const char ctx[] = "cscc csrf v1";
    unsigned char mac[32];
    size_t klen = session_token ? strlen(session_token) : 0;

    csrf[0] = '\0';
    if (klen < crypto_generichash_KEYBYTES_MIN || klen > crypto_generichash_KEYBYTES_MAX)
        return CSCC_EINVAL;
    crypto_generichash(mac, sizeof(mac), (const unsigned char *)ctx, sizeof(ctx) - 1,
                       (const unsigned char *)session_token, klen);
    sodium_bin2base64(csrf, ACCESS_CSRF_SIZE, mac, sizeof(mac),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int access_csrf_check(const char *session_token, const char *presented)
{
    char want[ACCESS_CSRF_SIZE];
    size_t n;

    if (!presented || access_csrf_token(session_token, want))
        return 0;
    n = strlen(want);
    if (strlen(presented) != n)
        return 0;
    return sodium_memcmp(want, presented, n) == 0;
}
