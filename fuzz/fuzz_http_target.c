/*
 * fuzz_http_target.c - libFuzzer target for the server's request-target
 * reader and router (src/http/params.c, routes.c): the input is a request
 * target. Whatever it holds, parsing must not crash or leak; a target that
 * parses must have a path that starts with '/' and holds no control byte,
 * parameters whose only control bytes are tab, CR and LF in values, at
 * most the parameter limit, and a normal form that does not depend on
 * the order of distinct names; routing must agree with itself (a route
 * found for GET is found for HEAD), and a path the dashboard's files would
 * be read from stays in its folder. The checks of every route's parameters
 * run too. The same bytes are read as a Cookie header (auth.c): a session
 * cookie found fits its buffer and holds no ';'.
 */
#include "core/strbuf.h"
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_http_target: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[HTTP_PATH_MAX], cap[HTTP_MAX_CAPTURES][128];
    struct http_params p, rev;
    struct cscc_err err;
    struct strbuf a, b;
    unsigned allow, allow2;
    const struct http_route *rt, *rt2;
    size_t i;

    if (size > 16384)
        return 0;
    {
        char *hdr = malloc(size + 1), v[64];
        int rc;

        if (!hdr)
            return 0;
        memcpy(hdr, data, size);
        hdr[size] = '\0';
        rc = http_cookie_get(hdr, http_cookie_name(size & 1), v, sizeof(v));
        if (rc == 1 && (strlen(v) >= sizeof(v) || strchr(v, ';')))
            die("a cookie value overflows or spans pairs");
        if (rc < -1 || rc > 1)
            die("cookie reader answered out of range");
        free(hdr);
    }
    http_params_init(&p, 64);
    cscc_err_clear(&err);
    if (http_parse_target((const char *)data, size, path, sizeof(path), &p, &err)) {
        if (!err.msg[0])
            die("an error without a message");
        http_params_release(&p);
        return 0;
    }
    if (path[0] != '/')
        die("path does not start with '/'");
    for (i = 0; path[i]; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            die("control byte in the path");
    for (i = 0; i < p.n; i++)
        if (http_control_char(p.v[i].name, strlen(p.v[i].name), 0) >= 0 ||
            http_control_char(p.v[i].value, strlen(p.v[i].value), 1) >= 0)
            die("a control byte other than tab, CR or LF in a parameter");
    if (p.n > 64)
        die("more parameters than the limit");
    /* The normal form: the same list reversed gives the same text when
     * every name is distinct. */
    http_params_init(&rev, 64);
    for (i = p.n; i-- > 0;)
        http_params_add(&rev, p.v[i].name, strlen(p.v[i].name), p.v[i].value, strlen(p.v[i].value));
    strbuf_init(&a, 0);
    strbuf_init(&b, 0);
    http_params_canonical(&p, &a);
    http_params_canonical(&rev, &b);
    {
        int distinct = 1;
        size_t j;

        for (i = 0; i < p.n && distinct; i++)
            for (j = 0; j < i; j++)
                if (!strcmp(p.v[i].name, p.v[j].name))
                    distinct = 0;
        if (distinct && strcmp(a.buf, b.buf))
            die("normal form depends on the order of distinct names");
    }
    strbuf_release(&a);
    strbuf_release(&b);
    http_params_release(&rev);

    rt = http_route_find(HTTP_GET, path, cap, &allow);
    rt2 = http_route_find(HTTP_HEAD, path, cap, &allow2);
    if (rt != rt2)
        die("GET and HEAD route differently");
    if (rt) {
        if (!rt->handler)
            die("a route without a handler");
        for (i = 0; i < HTTP_MAX_CAPTURES; i++)
            if (strlen(cap[i]) >= 128)
                die("capture too long");
    }
    /* A file path the dashboard would open never leaves its folder. */
    if (rt && rt->handler == http_h_static) {
        const char *rel = path + strlen("/static/");

        if (http_static_path_ok(rel) &&
            (rel[0] == '.' || rel[0] == '/' || strstr(rel, "/.") || strstr(rel, "//") ||
             strchr(rel, '\\') || rel[strlen(rel) - 1] == '/'))
            die("a static path that leaves its folder or names a folder");
    }
    for (i = 0; i < http_nroutes; i++) {
        cscc_err_clear(&err);
        if (http_routes[i].params && http_params_check(&p, http_routes[i].params, &err) &&
            !err.field[0])
            die("a parameter error that names no field");
    }
    http_params_release(&p);
    return 0;
}
