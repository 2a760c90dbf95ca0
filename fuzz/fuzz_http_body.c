/*
 * fuzz_http_body.c - libFuzzer target for the server's JSON body reader
 * (http_parse_json_body in src/http/params.c): the first byte chooses the
 * depth limit (1-16), the rest is the body. The reader must not crash or
 * leak; an accepted body gives at most the parameter limit, each with a
 * name of 1 to 64 bytes; a refused one has a message. Accepted parameters
 * are checked against the counts parameters as the server does.
 */
#include "http/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
    fprintf(stderr, "fuzz_http_body: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_params p;
    struct cscc_err err;
    size_t i;
    int depth;

    if (size < 1 || size > 65536)
        return 0;
    depth = 1 + (data[0] & 15);
    http_params_init(&p, 32);
    cscc_err_clear(&err);
    if (http_parse_json_body((const char *)data + 1, size - 1, depth, &p, &err)) {
        if (!err.msg[0])
            die("an error without a message");
        http_params_release(&p);
        return 0;
    }
    if (p.n > 32)
        die("more parameters than the limit");
    for (i = 0; i < p.n; i++)
        if (!p.v[i].name[0] || strlen(p.v[i].name) > 64)
            die("a parameter name out of bounds");
    cscc_err_clear(&err);
    if (http_params_check(&p, http_counts_params, &err) && !err.field[0])
        die("a parameter error that names no field");
    http_params_release(&p);
    return 0;
}
