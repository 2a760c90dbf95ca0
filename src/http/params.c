/* params.c - request targets and bodies into parameters: percent-decoding,
 * query strings, JSON bodies, typed checks against a route's list, and the
 * normalised form the response cache is keyed by. No I/O; fuzzed by
 * fuzz/fuzz_http_target.c and fuzz/fuzz_http_body.c. */
#include "http/http_int.h"

#include "core/alloc.h"
#include "core/json.h"
#include "core/time.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Parameter lists                                                          */
/* ------------------------------------------------------------------------ */

void http_params_init(struct http_params *p, size_t max)
{
    p->v = NULL;
    p->n = p->cap = 0;
    p->max = max ? max : 64;
}

void http_params_release(struct http_params *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        cscc_free(p->v[i].name);
        cscc_free(p->v[i].value);
    }
    cscc_free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

int http_params_add(struct http_params *p, const char *name, size_t nlen, const char *value,
                    size_t vlen)
{
    if (p->n >= p->max)
        return CSCC_ELIMIT;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct http_param *v = cscc_tryreallocarray(p->v, cap, sizeof(*v));

        if (!v)
            return CSCC_ENOMEM;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n].name = cscc_xstrndup(name, nlen);
    p->v[p->n].value = cscc_xstrndup(value, vlen);
    p->n++;
    return 0;
}

const char *http_params_get(const struct http_params *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].name, name))
            return p->v[i].value;
    return NULL;
}

size_t http_params_count(const struct http_params *p, const char *name)
{
    size_t i, n = 0;

    for (i = 0; i < p->n; i++)
        n += !strcmp(p->v[i].name, name);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Percent-decoding and the request target                                  */
/* ------------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_unescape(const char *s, size_t len, int plus_space, char *out, size_t *olen)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            int hi, lo;

            if (i + 2 >= len)
                return CSCC_EDATA;
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return CSCC_EDATA;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            out[o++] = ' ';
        } else if (c < 0x20 || c == 0x7f) {
            return CSCC_EDATA; /* a URL has no raw control bytes: they are escaped */
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    *olen = o;
    return 0;
}

int http_control_char(const char *s, size_t len, int multiline)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\t' || c == '\n' || c == '\r')))
            return c;
    }
    return -1;
}

/* Decodes one "name=value" pair of a query string and adds it. Control
 * characters (NUL, escapes) are refused, except tab, CR and LF in values:
 * multi-line text and SoQL, as JSON bodies allow them. */
static int add_pair(const char *p, size_t len, char *tmp, struct http_params *params,
                    struct cscc_err *err)
{
    const char *eq = memchr(p, '=', len);
    size_t nlen = eq ? (size_t)(eq - p) : len, vlen = eq ? len - nlen - 1 : 0, dn, dv;
    char *dec_name = tmp, *dec_value;
    int rc, c;

    if (http_unescape(p, nlen, 1, dec_name, &dn))
        return cscc_err_set(err, CSCC_EDATA,
                            "a parameter name in the query string is not "
                            "valid percent-encoding");
    if (!dn)
        return cscc_err_set(err, CSCC_EDATA, "a parameter in the query string has no name");
    if ((c = http_control_char(dec_name, dn, 0)) >= 0)
        return cscc_err_set(err, CSCC_EDATA,
                            "a control character (0x%02X) is not allowed in a parameter name", c);
    dec_value = tmp + dn + 1;
    if (http_unescape(eq ? eq + 1 : "", vlen, 1, dec_value, &dv)) {
        cscc_err_set(err, CSCC_EDATA,
                     "the value of parameter '%.60s' is not valid percent-encoding", dec_name);
        cscc_err_at(err, NULL, 0, 0, dec_name);
        return CSCC_EDATA;
    }
    if ((c = http_control_char(dec_value, dv, 1)) >= 0) {
        cscc_err_set(err, CSCC_EDATA,
                     "a control character (0x%02X) is not allowed in parameter '%.60s' (only "
                     "tab, CR and LF are)",
                     c, dec_name);
        cscc_err_at(err, NULL, 0, 0, dec_name);
        return CSCC_EDATA;
    }
    rc = http_params_add(params, dec_name, dn, dec_value, dv);
    if (rc == CSCC_ELIMIT)
        return cscc_err_set(err, CSCC_ELIMIT, "too many parameters (at most %zu)", params->max);
    return rc;
}

/* Adds the "&"-separated pairs of s[start, len). */
static int parse_pairs(const char *s, size_t start, size_t len, struct http_params *params,
                       struct cscc_err *err)
{
    char *tmp = cscc_trymalloc(len + 2);
    size_t i;
    int rc = 0;

    if (!tmp)
        return cscc_err_set(err, CSCC_ENOMEM, "out of memory reading the parameters");
    for (i = start; i <= len; i++) {
        if (i < len && s[i] != '&')
            continue;
        if (i > start && (rc = add_pair(s + start, i - start, tmp, params, err)))
            break;
        start = i + 1;
    }
    cscc_free(tmp);
    return rc;
}

int http_parse_target(const char *target, size_t len, char *path, size_t cap,
                      struct http_params *params, struct cscc_err *err)
{
    const char *q = memchr(target, '?', len), *frag;
    size_t plen = q ? (size_t)(q - target) : len, dlen;
    int c;

    frag = memchr(target, '#', len);
    if (frag && (!q || frag < q))
        plen = (size_t)(frag - target);
    if (plen == 0 || target[0] != '/')
        return cscc_err_set(err, CSCC_EDATA, "the request target must start with '/'");
    if (plen + 1 > cap)
        return cscc_err_set(err, CSCC_ELIMIT, "the path is longer than %zu bytes", cap - 1);
    if (http_unescape(target, plen, 0, path, &dlen))
        return cscc_err_set(err, CSCC_EDATA, "the path is not valid percent-encoding");
    if ((c = http_control_char(path, dlen, 0)) >= 0)
        return cscc_err_set(err, CSCC_EDATA,
                            "a control character (0x%02X) is not allowed in the path", c);
    if (!q)
        return 0;
    /* The query ends at a fragment, which a client should not send anyway. */
    {
        const char *end = target + len, *hash = memchr(q, '#', (size_t)(end - q));

        len = (size_t)((hash ? hash : end) - target);
    }
    return parse_pairs(target, plen + 1, len, params, err);
}

int http_parse_form(const char *body, size_t len, struct http_params *params, struct cscc_err *err)
{
    return parse_pairs(body, 0, len, params, err);
}

/* ------------------------------------------------------------------------ */
/* JSON bodies                                                              */
/* ------------------------------------------------------------------------ */

/* The text of a scalar JSON value as a parameter value; -1 for other types. */
static int scalar_text(json_t *v, char *buf, size_t cap, const char **s, size_t *len)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        *s = json_string_value(v);
        *len = json_string_length(v);
        return 0;
    case JSON_INTEGER: snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: snprintf(buf, cap, "%.17g", json_real_value(v)); break;
    case JSON_TRUE: snprintf(buf, cap, "true"); break;
    case JSON_FALSE: snprintf(buf, cap, "false"); break;
    default: return -1;
    }
    *s = buf;
    *len = strlen(buf);
    return 0;
}

static int add_member(struct http_params *params, const char *key, json_t *v, struct cscc_err *err)
{
    char buf[64];
    const char *s;
    size_t len, i;
    int rc;

    if (json_is_array(v)) {
        if (json_array_size(v) == 0) {
            cscc_err_set(err, CSCC_EDATA, "'%.60s' is an empty list", key);
            goto bad;
        }
        for (i = 0; i < json_array_size(v); i++) {
            if (scalar_text(json_array_get(v, i), buf, sizeof(buf), &s, &len)) {
                cscc_err_set(err, CSCC_EDATA,
                             "'%.60s' must be a list of strings, numbers or booleans", key);
                goto bad;
            }
            if ((rc = http_params_add(params, key, strlen(key), s, len)))
                goto limit;
        }
        return 0;
    }
    if (scalar_text(v, buf, sizeof(buf), &s, &len)) {
        cscc_err_set(err, CSCC_EDATA, "'%.60s' must be a string, a number, a boolean or a list",
                     key);
        goto bad;
    }
    if (!(rc = http_params_add(params, key, strlen(key), s, len)))
        return 0;
limit:
    if (rc == CSCC_ELIMIT)
        return cscc_err_set(err, CSCC_ELIMIT, "too many parameters (at most %zu)", params->max);
    return cscc_err_set(err, rc, "out of memory reading the body");
bad:
    cscc_err_at(err, NULL, 0, 0, key);
    return CSCC_EDATA;
}

int http_parse_json_body(const char *body, size_t len, int max_depth, struct http_params *params,
                         struct cscc_err *err)
{
    const char *key;
    json_t *doc, *v;
    int rc = 0;

    doc = cscc_json_loadb(body, len, max_depth, err);
    if (!doc) {
        if (err && err->code == CSCC_ELIMIT)
            err->code = CSCC_EDATA; /* too deep is a bad body, not a size limit */
        return CSCC_EDATA;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return cscc_err_set(err, CSCC_EDATA, "the body must be a JSON object of parameters");
    }
    json_object_foreach(doc, key, v)
    {
        if (strlen(key) == 0 || strlen(key) > 64) {
            rc = cscc_err_set(err, CSCC_EDATA, "a member name of the body is empty or too long");
            break;
        }
        if ((rc = add_member(params, key, v, err)))
            break;
    }
    json_decref(doc);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Typed checks                                                             */
/* ------------------------------------------------------------------------ */

int http_parse_bool(const char *s)
{
    if (!strcmp(s, "true") || !strcmp(s, "1"))
        return 1;
    if (!strcmp(s, "false") || !strcmp(s, "0"))
        return 0;
    return -1;
}

int http_period_check(int64_t from, int64_t to, struct cscc_err *err)
{
    char a[16], b[16];

    if (from <= to)
        return 0;
    cscc_format_day(from, a);
    cscc_format_day(to, b);
    cscc_err_set(err, CSCC_EINVAL, "from %s is after to %s: the period ends before it starts", a,
                 b);
    cscc_err_at(err, NULL, 0, 0, "from");
    return CSCC_EINVAL;
}

/* 1 when word [p, p+len) is one of the space-separated words of choices. */
static int in_choices(const char *choices, const char *p, size_t len)
{
    const char *c = choices;

    while (*c) {
        size_t n = strcspn(c, " ");

        if (n == len && !memcmp(c, p, len))
            return 1;
        c += n;
        while (*c == ' ')
            c++;
    }
    return 0;
}

static int check_uint(const char *s, size_t len, unsigned long min, unsigned long max)
{
    unsigned long v = 0;
    size_t i;

    if (!len || len > 10)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    return v >= min && v <= max ? 0 : -1;
}

static int check_value(const struct http_param_spec *sp, const char *v, struct cscc_err *err)
{
    int64_t day;
    size_t len = strlen(v);

    switch (sp->type) {
    case HTTP_P_STR:
        if (!len || len > 200)
            return cscc_err_set(err, CSCC_EINVAL, "'%s' takes text of 1 to 200 bytes", sp->name);
        return 0;
    case HTTP_P_SECRET:
        if (!len || len > 1024)
            return cscc_err_set(err, CSCC_EINVAL, "'%s' takes text of 1 to 1024 bytes", sp->name);
        return 0;
    case HTTP_P_DATE:
        if (cscc_parse_day(v, &day))
            return cscc_err_set(err, CSCC_EINVAL, "'%s' takes a date YYYY-MM-DD, not '%.40s'",
                                sp->name, v);
        return 0;
    case HTTP_P_BOOL:
        if (http_parse_bool(v) < 0)
            return cscc_err_set(err, CSCC_EINVAL, "'%s' takes true or false, not '%.40s'", sp->name,
                                v);
        return 0;
    case HTTP_P_UINT:
        if (check_uint(v, len, sp->min, sp->max))
            return cscc_err_set(err, CSCC_EINVAL,
                                "'%s' takes a number from %lu to %lu, not '%.40s'", sp->name,
                                sp->min, sp->max, v);
        return 0;
    case HTTP_P_ENUM:
        if (!in_choices(sp->choices, v, len))
            return cscc_err_set(err, CSCC_EINVAL, "'%s' is one of: %s; not '%.40s'", sp->name,
                                sp->choices, v);
        return 0;
    case HTTP_P_LIST: {
        const char *p = v;

        if (!len || len > 1000)
            return cscc_err_set(err, CSCC_EINVAL, "'%s' takes a comma-separated list", sp->name);
        for (;;) {
            size_t n = strcspn(p, ",");

            if (!n)
                return cscc_err_set(err, CSCC_EINVAL, "'%s' has an empty item in its list",
                                    sp->name);
            if (sp->choices && !in_choices(sp->choices, p, n))
                return cscc_err_set(err, CSCC_EINVAL, "'%s' takes items of: %s; not '%.*s'",
                                    sp->name, sp->choices, (int)(n > 40 ? 40 : n), p);
            if (!sp->choices && sp->max && check_uint(p, n, sp->min, sp->max))
                return cscc_err_set(err, CSCC_EINVAL,
                                    "'%s' takes numbers from %lu to %lu; not '%.*s'", sp->name,
                                    sp->min, sp->max, (int)(n > 40 ? 40 : n), p);
            if (!p[n])
                return 0;
            p += n + 1;
        }
    }
    }
    return CSCC_EINTERNAL;
}

int http_params_check(const struct http_params *p, const struct http_param_spec *spec,
                      struct cscc_err *err)
{
    size_t i, j;

    for (i = 0; i < p->n; i++) {
        const struct http_param_spec *sp = NULL;

        for (j = 0; spec && spec[j].name; j++)
            if (!strcmp(spec[j].name, p->v[i].name)) {
                sp = &spec[j];
                break;
            }
        if (!sp) {
            cscc_err_set(err, CSCC_EINVAL, "unknown parameter '%.60s'", p->v[i].name);
            goto bad;
        }
        if (!sp->repeat) {
            for (j = 0; j < i; j++)
                if (!strcmp(p->v[j].name, sp->name)) {
                    cscc_err_set(err, CSCC_EINVAL, "'%s' is given more than once", sp->name);
                    goto bad;
                }
        }
        if (check_value(sp, p->v[i].value, err))
            goto bad;
    }
    return 0;
bad:
    cscc_err_at(err, NULL, 0, 0, p->v[i].name);
    return CSCC_EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Normal form                                                              */
/* ------------------------------------------------------------------------ */

static int cmp_param(const void *a, const void *b)
{
    const struct http_param *const *x = a, *const *y = b;
    int c = strcmp((*x)->name, (*y)->name);

    if (c)
        return c;
    /* equal names keep their order: compare positions */
    return *x < *y ? -1 : *x > *y;
}

int http_params_canonical(const struct http_params *p, struct strbuf *sb)
{
    const struct http_param **v;
    size_t i;
    int rc = 0;

    if (!p->n)
        return 0;
    v = cscc_trycalloc(p->n, sizeof(*v));
    if (!v)
        return CSCC_ENOMEM;
    for (i = 0; i < p->n; i++)
        v[i] = &p->v[i];
    qsort(v, p->n, sizeof(*v), cmp_param);
    for (i = 0; i < p->n && !rc; i++)
        rc = strbuf_addf(sb, "%zu:%s%zu:%s;", strlen(v[i]->name), v[i]->name, strlen(v[i]->value),
                         v[i]->value);
    cscc_free(v);
    return rc;
}
