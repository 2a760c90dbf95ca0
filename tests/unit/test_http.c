/* test_http.c - routing, request targets, parameters and JSON bodies of the
 * server (src/http), without a socket; and gzip (core/gzip.h). */
#include "test.h"

#include "core/gzip.h"
#include "core/strbuf.h"
#include "http/http_int.h"

#include <stdlib.h>

static int parse(const char *target, char *path, struct http_params *p, struct cscc_err *err)
{
    http_params_init(p, 8);
    cscc_err_clear(err);
    return http_parse_target(target, strlen(target), path, HTTP_PATH_MAX, p, err);
}

TEST(http, unescape)
{
    char out[64];
    size_t n;

    CHECK_INT_EQ(http_unescape("a%20b+c", 7, 1, out, &n), 0);
    CHECK_STR_EQ(out, "a b c");
    CHECK_INT_EQ(n, 5);
    CHECK_INT_EQ(http_unescape("a+b", 3, 0, out, &n), 0);
    CHECK_STR_EQ(out, "a+b");
    CHECK_INT_EQ(http_unescape("%e2%82%AC", 9, 0, out, &n), 0);
    CHECK_STR_EQ(out, "\xe2\x82\xac");
    CHECK_INT_EQ(http_unescape("%zz", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("ab%4", 4, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("ab%", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("%00", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("a%0Ab", 5, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("%02", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("%7f", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("a\tb", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_unescape("%41", 3, 0, out, &n), 0);
    CHECK_STR_EQ(out, "A");
}

TEST(http, target)
{
    char path[HTTP_PATH_MAX];
    struct http_params p;
    struct cscc_err err;

    CHECK_INT_EQ(parse("/api/v1/counts?by=area,month&type=THEFT&type=ROBBERY&rate", path, &p, &err),
                 0);
    CHECK_STR_EQ(path, "/api/v1/counts");
    CHECK_INT_EQ(p.n, 4);
    CHECK_STR_EQ(http_params_get(&p, "by"), "area,month");
    CHECK_INT_EQ(http_params_count(&p, "type"), 2);
    CHECK_STR_EQ(p.v[2].value, "ROBBERY");
    CHECK_STR_EQ(http_params_get(&p, "rate"), "");
    CHECK(http_params_get(&p, "nope") == NULL);
    http_params_release(&p);

    /* Empty pairs are skipped; '+' and escapes decode; a fragment ends it. */
    CHECK_INT_EQ(parse("/a%20b?&&type=WEAPONS+VIOLATION&x=%2C#frag&y=1", path, &p, &err), 0);
    CHECK_STR_EQ(path, "/a b");
    CHECK_INT_EQ(p.n, 2);
    CHECK_STR_EQ(http_params_get(&p, "type"), "WEAPONS VIOLATION");
    CHECK_STR_EQ(http_params_get(&p, "x"), ",");
    http_params_release(&p);

    /* Errors. */
    CHECK_INT_EQ(parse("nope", path, &p, &err), CSCC_EDATA);
    http_params_release(&p);
    CHECK_INT_EQ(parse("/a?=1", path, &p, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "no name") != NULL);
    http_params_release(&p);
    CHECK_INT_EQ(parse("/a?from=%zz", path, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.field, "from");
    http_params_release(&p);
    CHECK_INT_EQ(parse("/a%00b", path, &p, &err), CSCC_EDATA);
    http_params_release(&p);
    CHECK_INT_EQ(parse("/a?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", path, &p, &err), CSCC_ELIMIT);
    CHECK(strstr(err.msg, "too many parameters") != NULL);
    http_params_release(&p);
    {
        char *longpath = malloc(HTTP_PATH_MAX + 10);

        memset(longpath, 'a', HTTP_PATH_MAX + 9);
        longpath[0] = '/';
        longpath[HTTP_PATH_MAX + 9] = '\0';
        CHECK_INT_EQ(parse(longpath, path, &p, &err), CSCC_ELIMIT);
        http_params_release(&p);
        free(longpath);
    }
}

TEST(http, json_body)
{
    struct http_params p;
    struct cscc_err err;
    const char *ok = "{\"by\":[\"area\",\"month\"],\"rate\":true,\"area\":25,\"x\":1.5}";

    http_params_init(&p, 16);
    cscc_err_clear(&err);
    CHECK_INT_EQ(http_parse_json_body(ok, strlen(ok), 8, &p, &err), 0);
    CHECK_INT_EQ(p.n, 5);
    CHECK_INT_EQ(http_params_count(&p, "by"), 2);
    CHECK_STR_EQ(http_params_get(&p, "rate"), "true");
    CHECK_STR_EQ(http_params_get(&p, "area"), "25");
    CHECK_STR_EQ(http_params_get(&p, "x"), "1.5");
    http_params_release(&p);

    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"by\":{\"a\":1}}", 14, 8, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.field, "by");
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":null}", 10, 8, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.field, "a");
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":[[1]]}", 11, 8, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.field, "a");
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":[]}", 8, 8, &p, &err), CSCC_EDATA);
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("[1,2]", 5, 8, &p, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "JSON object") != NULL);
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":", 5, 8, &p, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "invalid json") != NULL);
    http_params_release(&p);
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":1,\"a\":2}", 13, 8, &p, &err), CSCC_EDATA);
    http_params_release(&p);
    /* Depth: three levels pass a limit of 3, four do not. */
    http_params_init(&p, 16);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":[[1]]}", 11, 1, &p, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "deeper than 1") != NULL);
    http_params_release(&p);
    http_params_init(&p, 2);
    CHECK_INT_EQ(http_parse_json_body("{\"a\":[1,2,3]}", 13, 8, &p, &err), CSCC_ELIMIT);
    http_params_release(&p);
}

static const struct http_param_spec spec[] = {
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},       {"rate", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 100, NULL},    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv"},
    {"by", HTTP_P_LIST, 1, 0, 0, "area month"}, {"area", HTTP_P_LIST, 1, 1, 77, NULL},
    {"type", HTTP_P_STR, 1, 0, 0, NULL},        {NULL, 0, 0, 0, 0, NULL},
};

/* The field a query fails on, "" when it passes. */
static const char *check_field(const char *target)
{
    static char field[64];
    char path[HTTP_PATH_MAX];
    struct http_params p;
    struct cscc_err err;

    http_params_init(&p, 32);
    cscc_err_clear(&err);
    if (http_parse_target(target, strlen(target), path, sizeof(path), &p, &err) == 0 &&
        http_params_check(&p, spec, &err) == 0)
        err.field[0] = '\0';
    else if (!err.field[0])
        snprintf(err.field, sizeof(err.field), "?");
    snprintf(field, sizeof(field), "%s", err.field);
    http_params_release(&p);
    return field;
}

TEST(http, params_check)
{
    CHECK_STR_EQ(check_field("/x?from=2016-02-29&rate=true&limit=100&format=csv&by=area,month"
                             "&by=area&area=1,77&type=THEFT&type=X"),
                 "");
    CHECK_STR_EQ(check_field("/x?bogus=1"), "bogus");
    CHECK_STR_EQ(check_field("/x?from=2017-02-29"), "from");
    CHECK_STR_EQ(check_field("/x?from=2016-01-01&from=2016-01-02"), "from");
    CHECK_STR_EQ(check_field("/x?rate=yes"), "rate");
    CHECK_STR_EQ(check_field("/x?rate=1"), "");
    CHECK_STR_EQ(check_field("/x?limit=0"), "limit");
    CHECK_STR_EQ(check_field("/x?limit=101"), "limit");
    CHECK_STR_EQ(check_field("/x?limit=1x"), "limit");
    CHECK_STR_EQ(check_field("/x?limit=99999999999999999999"), "limit");
    CHECK_STR_EQ(check_field("/x?format=xml"), "format");
    CHECK_STR_EQ(check_field("/x?by=area,,month"), "by");
    CHECK_STR_EQ(check_field("/x?by=areas"), "by");
    CHECK_STR_EQ(check_field("/x?area=78"), "area");
    CHECK_STR_EQ(check_field("/x?area=0"), "area");
    CHECK_STR_EQ(check_field("/x?type="), "type");
    CHECK_INT_EQ(http_parse_bool("false"), 0);
    CHECK_INT_EQ(http_parse_bool("0"), 0);
    CHECK_INT_EQ(http_parse_bool("TRUE"), -1);
}

TEST(http, canonical)
{
    char path[HTTP_PATH_MAX];
    struct http_params a, b;
    struct cscc_err err;
    struct strbuf x, y;

    CHECK_INT_EQ(parse("/c?by=area&type=B&from=2016-01-01&type=A", path, &a, &err), 0);
    CHECK_INT_EQ(parse("/c?type=B&from=2016-01-01&type=A&by=area", path, &b, &err), 0);
    strbuf_init(&x, 0);
    strbuf_init(&y, 0);
    CHECK_INT_EQ(http_params_canonical(&a, &x), 0);
    CHECK_INT_EQ(http_params_canonical(&b, &y), 0);
    CHECK_STR_EQ(x.buf, y.buf);
    CHECK_STR_EQ(x.buf, "2:by4:area;4:from10:2016-01-01;4:type1:B;4:type1:A;");
    http_params_release(&b);
    /* Values of one name keep their order: another order is another query. */
    CHECK_INT_EQ(parse("/c?by=area&type=A&from=2016-01-01&type=B", path, &b, &err), 0);
    strbuf_reset(&y);
    http_params_canonical(&b, &y);
    CHECK(strcmp(x.buf, y.buf) != 0);
    /* Lengths keep "a=b&c" apart from "a=b%26c". */
    http_params_release(&a);
    http_params_release(&b);
    CHECK_INT_EQ(parse("/c?a=b&c", path, &a, &err), 0);
    CHECK_INT_EQ(parse("/c?a=b%26c", path, &b, &err), 0);
    strbuf_reset(&x);
    strbuf_reset(&y);
    http_params_canonical(&a, &x);
    http_params_canonical(&b, &y);
    CHECK(strcmp(x.buf, y.buf) != 0);
    http_params_release(&a);
    http_params_release(&b);
    strbuf_release(&x);
    strbuf_release(&y);
}

TEST(http, routes)
{
    char cap[HTTP_MAX_CAPTURES][128];
    const struct http_route *rt;
    unsigned allow;
    char m[80];
    size_t i;

    rt = http_route_find(HTTP_GET, "/api/v1/counts", cap, &allow);
    CHECK(rt && rt->handler == http_h_counts);
    rt = http_route_find(HTTP_HEAD, "/api/v1/counts", cap, &allow);
    CHECK(rt && rt->handler == http_h_counts);
    rt = http_route_find(HTTP_GET, "/api/v1/areas/25", cap, &allow);
    CHECK(rt && rt->handler == http_h_area);
    CHECK_STR_EQ(cap[0], "25");
    rt = http_route_find(HTTP_GET, "/resource/ijzp-q8t2.json", cap, &allow);
    CHECK(rt && rt->handler == http_h_resource);
    CHECK_STR_EQ(cap[0], "ijzp-q8t2.json");
    rt = http_route_find(HTTP_POST, "/api/v1/analyses/counts", cap, &allow);
    CHECK(rt && rt->handler == http_h_analysis);
    CHECK_STR_EQ(cap[0], "counts");

    /* A known path with another method: 405 with the methods it allows. */
    rt = http_route_find(HTTP_DELETE, "/api/v1/counts", cap, &allow);
    CHECK(rt == NULL);
    http_methods_format(allow, m, sizeof(m));
    CHECK_STR_EQ(m, "GET, HEAD");
    rt = http_route_find(HTTP_PUT, "/api/v1/analyses/counts", cap, &allow);
    http_methods_format(allow, m, sizeof(m));
    CHECK_STR_EQ(m, "GET, HEAD, POST");
    /* Unknown paths: 404. */
    CHECK(http_route_find(HTTP_GET, "/api/v1/counts/", cap, &allow) == NULL);
    CHECK_INT_EQ(allow, 0);
    CHECK(http_route_find(HTTP_GET, "/api/v1/areas/", cap, &allow) == NULL);
    CHECK_INT_EQ(allow, 0);
    CHECK(http_route_find(HTTP_GET, "/api/v1/areas/1/2", cap, &allow) == NULL);
    CHECK(http_route_find(HTTP_GET, "/api/v2/counts", cap, &allow) == NULL);
    CHECK(http_route_find(HTTP_GET, "", cap, &allow) == NULL);

    /* Every route: a handler, a name, a role, methods; only analyses take a body. */
    for (i = 0; i < http_nroutes; i++) {
        CHECK(http_routes[i].handler != NULL);
        CHECK(http_routes[i].name && http_routes[i].name[0]);
        CHECK(http_routes[i].methods != 0);
        CHECK((int)http_routes[i].min_role >= 0 && http_routes[i].min_role < HTTP_NROLES);
        CHECK(http_routes[i].params || (http_routes[i].flags & HTTP_R_PARAMS_IN_HANDLER));
        if (http_routes[i].max_body)
            CHECK(http_routes[i].methods & HTTP_POST);
    }
    CHECK_INT_EQ(http_method_parse("GET"), HTTP_GET);
    CHECK_INT_EQ(http_method_parse("get"), HTTP_OTHER);
    CHECK_INT_EQ(http_method_parse("BREW"), HTTP_OTHER);
    CHECK_STR_EQ(http_role_name(HTTP_ROLE_ANALYST), "analyst");
    CHECK_STR_EQ(http_role_name(HTTP_NROLES), "?");
}

TEST(http, errors)
{
    struct http_req r;
    struct cscc_err err;

    memset(&r, 0, sizeof(r));
    strbuf_init(&r.out, 0);
    strbuf_adds(&r.out, "partial");
    CHECK_INT_EQ(http_error(&r, 400, "bad_parameter", "from", "'from' takes a \"date\""), 400);
    CHECK_STR_EQ(r.out.buf, "{\"error\":{\"code\":\"bad_parameter\",\"message\":\"'from' takes a "
                            "\\\"date\\\"\",\"field\":\"from\"}}\n");
    CHECK_INT_EQ(http_error(&r, 404, "not_found", NULL, "x"), 404);
    CHECK(strstr(r.out.buf, "\"field\":null") != NULL);
    /* Internal errors do not leak their message. */
    cscc_err_clear(&err);
    cscc_err_set(&err, CSCC_ESTORE, "cannot read /secret/path: disk I/O error");
    CHECK_INT_EQ(http_error_from(&r, &err), 500);
    CHECK(strstr(r.out.buf, "secret") == NULL);
    CHECK(strstr(r.out.buf, "\"internal\"") != NULL);
    cscc_err_set(&err, CSCC_EINVAL, "unknown category 'x'");
    cscc_err_at(&err, NULL, 0, 0, "category");
    CHECK_INT_EQ(http_error_from(&r, &err), 400);
    CHECK(strstr(r.out.buf, "\"field\":\"category\"") != NULL);
    CHECK_INT_EQ(http_status_of(CSCC_ENOMEM), 507);
    CHECK_INT_EQ(http_status_of(CSCC_ENOENT), 404);
    strbuf_release(&r.out);
}

TEST(http, gzip)
{
    struct strbuf in, z, back;
    size_t i;

    strbuf_init(&in, 0);
    strbuf_init(&z, 0);
    strbuf_init(&back, 0);
    for (i = 0; i < 5000; i++)
        strbuf_addf(&in, "{\"community_area\":%zu,\"count\":%zu},\n", i % 77 + 1, i * 7919 % 1000);
    CHECK_INT_EQ(cscc_gzip(in.buf, in.len, 6, &z), 0);
    CHECK(z.len < in.len / 4);
    CHECK_INT_EQ((unsigned char)z.buf[0], 0x1f);
    CHECK_INT_EQ((unsigned char)z.buf[1], 0x8b);
    CHECK_INT_EQ(cscc_gunzip(z.buf, z.len, &back), 0);
    CHECK_MEM_EQ(back.buf, back.len, in.buf, in.len);
    /* Damaged or truncated input is refused, leaving the output as it was. */
    strbuf_reset(&back);
    CHECK_INT_EQ(cscc_gunzip(z.buf, z.len / 2, &back), CSCC_EDATA);
    CHECK_INT_EQ(back.len, 0);
    CHECK_INT_EQ(cscc_gunzip("not gzip", 8, &back), CSCC_EDATA);
    /* An empty body compresses and comes back empty. */
    strbuf_reset(&z);
    CHECK_INT_EQ(cscc_gzip("", 0, 1, &z), 0);
    CHECK_INT_EQ(cscc_gunzip(z.buf, z.len, &back), 0);
    CHECK_INT_EQ(back.len, 0);
    strbuf_release(&in);
    strbuf_release(&z);
    strbuf_release(&back);
}

TEST(http, authorize)
{
    static const struct http_route open_route = {"/x", HTTP_GET, HTTP_ROLE_PUBLIC, 0,
                                                 0,    NULL,     http_h_index,     "x"};
    static const struct http_route staff = {"/y", HTTP_GET, HTTP_ROLE_COORDINATOR, 0,
                                            0,    NULL,     http_h_index,          "y"};
    struct http_identity who = {.role = HTTP_ROLE_PUBLIC};
    int role;
    size_t i;

    /* Every role against a route for coordinators and up: public must sign
     * in (401), roles below are refused (403), the rest pass. */
    for (role = 0; role < HTTP_NROLES; role++) {
        who.role = (enum http_role)role;
        CHECK_INT_EQ(http_authorize(&open_route, &who), 0);
        CHECK_INT_EQ(http_authorize(&staff, &who), role == HTTP_ROLE_PUBLIC       ? 401
                                                   : role < HTTP_ROLE_COORDINATOR ? 403
                                                                                  : 0);
    }
    who.role = HTTP_NROLES;
    CHECK_INT_EQ(http_authorize(&open_route, &who), 403);
    /* Today every route of the table is open to the public. */
    who.role = HTTP_ROLE_PUBLIC;
    for (i = 0; i < http_nroutes; i++)
        CHECK_INT_EQ(http_authorize(&http_routes[i], &who), 0);
}
