/* test_http.c - routing, request targets, parameters and JSON bodies of the
 * server (src/http), without a socket; and gzip (core/gzip.h). */
#include "test.h"

#include "access/access.h"
#include "analysis/result.h"
#include "core/gzip.h"
#include "core/strbuf.h"
#include "http/http_int.h"

#include <math.h>
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
    /* escaped control bytes are valid percent-encoding: decoded, for the
     * caller to judge; raw ones are not */
    CHECK_INT_EQ(http_unescape("%00", 3, 0, out, &n), 0);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(http_unescape("a%0Ab", 5, 0, out, &n), 0);
    CHECK_STR_EQ(out, "a\nb");
    CHECK_INT_EQ(http_unescape("a\tb", 3, 0, out, &n), CSCC_EDATA);
    CHECK_INT_EQ(http_control_char("a\tb\r\n", 5, 1), -1);
    CHECK_INT_EQ(http_control_char("a\tb", 3, 0), '\t');
    CHECK_INT_EQ(http_control_char("a\x7f", 2, 1), 0x7f);
    CHECK_INT_EQ(http_control_char("\x02", 1, 1), 2);
    CHECK_INT_EQ(http_control_char("ab", 3, 1), 0); /* the NUL at the end */
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
    CHECK_STR_EQ(err.msg, "a control character (0x00) is not allowed in the path");
    http_params_release(&p);
    CHECK_INT_EQ(parse("/a%0Ab", path, &p, &err), CSCC_EDATA);
    http_params_release(&p);

    /* Tab, CR and LF are allowed in values (multi-line SoQL, text); other
     * control characters are not, in values or names. */
    CHECK_INT_EQ(parse("/r?$where=ward=28%0AAND%09arrest=true%0D%0A", path, &p, &err), 0);
    CHECK_STR_EQ(http_params_get(&p, "$where"), "ward=28\nAND\tarrest=true\r\n");
    http_params_release(&p);
    CHECK_INT_EQ(parse("/r?$where=ward%00", path, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.msg, "a control character (0x00) is not allowed in parameter '$where' (only "
                          "tab, CR and LF are)");
    CHECK_STR_EQ(err.field, "$where");
    http_params_release(&p);
    CHECK_INT_EQ(parse("/r?x=%1B%5B2J", path, &p, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "(0x1B)") != NULL);
    http_params_release(&p);
    CHECK_INT_EQ(parse("/r?a%0Ab=1", path, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.msg, "a control character (0x0A) is not allowed in a parameter name");
    http_params_release(&p);
    CHECK_INT_EQ(parse("/r?x=%zz", path, &p, &err), CSCC_EDATA);
    CHECK_STR_EQ(err.msg, "the value of parameter 'x' is not valid percent-encoding");
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

    /* The route list moved to /api/v1; / and /{page} are the dashboard's
     * pages, /static/... its files (any depth), after every API route. */
    rt = http_route_find(HTTP_GET, "/api/v1", cap, &allow);
    CHECK(rt && rt->handler == http_h_index);
    rt = http_route_find(HTTP_GET, "/", cap, &allow);
    CHECK(rt && rt->handler == http_h_page);
    rt = http_route_find(HTTP_GET, "/area", cap, &allow);
    CHECK(rt && rt->handler == http_h_page);
    CHECK_STR_EQ(cap[0], "area");
    rt = http_route_find(HTTP_GET, "/healthz", cap, &allow);
    CHECK(rt && rt->handler == http_h_healthz);
    rt = http_route_find(HTTP_GET, "/static/lib/leaflet/images/layers.png", cap, &allow);
    CHECK(rt && rt->handler == http_h_static);
    rt = http_route_find(HTTP_HEAD, "/static/js/app.js", cap, &allow);
    CHECK(rt && rt->handler == http_h_static);
    CHECK(http_route_find(HTTP_GET, "/static/", cap, &allow) == NULL);
    rt = http_route_find(HTTP_GET, "/static", cap, &allow); /* a page (none: 404) */
    CHECK(rt && rt->handler == http_h_page);
    rt = http_route_find(HTTP_POST, "/", cap, &allow);
    CHECK(rt == NULL);
    http_methods_format(allow, m, sizeof(m));
    CHECK_STR_EQ(m, "GET, HEAD");
    CHECK(http_route_find(HTTP_GET, "/api/v1/nothing", cap, &allow) == NULL);

    /* Every route: a handler, a name, a role, methods; only routes with POST, PUT or PATCH take a
     * body. */
    for (i = 0; i < http_nroutes; i++) {
        CHECK(http_routes[i].handler != NULL);
        CHECK(http_routes[i].name && http_routes[i].name[0]);
        CHECK(http_routes[i].methods != 0);
        CHECK((int)http_routes[i].min_role >= 0 && http_routes[i].min_role < HTTP_NROLES);
        CHECK(http_routes[i].params || (http_routes[i].flags & HTTP_R_PARAMS_IN_HANDLER));
        if (http_routes[i].max_body)
            CHECK(http_routes[i].methods & (HTTP_POST | HTTP_PUT | HTTP_PATCH));
    }
    CHECK_INT_EQ(http_method_parse("GET"), HTTP_GET);
    CHECK_INT_EQ(http_method_parse("get"), HTTP_OTHER);
    CHECK_INT_EQ(http_method_parse("BREW"), HTTP_OTHER);
    CHECK_STR_EQ(http_role_name(HTTP_ROLE_ANALYST), "analyst");
    CHECK_STR_EQ(http_role_name(HTTP_NROLES), "?");
}

TEST(http, static_paths)
{
    char csp[640];

    CHECK_INT_EQ(http_static_path_ok("js/app.js"), 1);
    CHECK_INT_EQ(http_static_path_ok("i18n/es.json"), 1);
    CHECK_INT_EQ(http_static_path_ok("images/marker-icon-2x.png"), 1);
    CHECK_INT_EQ(http_static_path_ok("Chart.min.js"), 1);
    /* No way up, no hidden files, no empty or absolute paths, no other bytes. */
    CHECK_INT_EQ(http_static_path_ok(""), 0);
    CHECK_INT_EQ(http_static_path_ok(".."), 0);
    CHECK_INT_EQ(http_static_path_ok("../etc/passwd"), 0);
    CHECK_INT_EQ(http_static_path_ok("js/../../x"), 0);
    CHECK_INT_EQ(http_static_path_ok("js/.."), 0);
    CHECK_INT_EQ(http_static_path_ok("./app.js"), 0);
    CHECK_INT_EQ(http_static_path_ok(".git/config"), 0);
    CHECK_INT_EQ(http_static_path_ok("/etc/passwd"), 0);
    CHECK_INT_EQ(http_static_path_ok("js//app.js"), 0);
    CHECK_INT_EQ(http_static_path_ok("js/"), 0);
    CHECK_INT_EQ(http_static_path_ok("js\\..\\x"), 0);
    CHECK_INT_EQ(http_static_path_ok("a b.js"), 0);
    CHECK_INT_EQ(http_static_path_ok("caf\xc3\xa9.js"), 0);

    CHECK_STR_EQ(http_static_ctype("index.html"), "text/html; charset=utf-8");
    CHECK_STR_EQ(http_static_ctype("js/app.js"), "text/javascript; charset=utf-8");
    CHECK_STR_EQ(http_static_ctype("css/cscc.css"), "text/css; charset=utf-8");
    CHECK_STR_EQ(http_static_ctype("i18n/es.json"), "application/json");
    CHECK_STR_EQ(http_static_ctype("images/layers.png"), "image/png");
    CHECK_STR_EQ(http_static_ctype("icon.svg"), "image/svg+xml");
    CHECK_STR_EQ(http_static_ctype("README"), "application/octet-stream");
    CHECK_STR_EQ(http_static_ctype("a.js/README"), "application/octet-stream");
    CHECK_STR_EQ(http_static_ctype("x.exe"), "application/octet-stream");

    http_static_csp(NULL, csp, sizeof(csp));
    CHECK(strstr(csp, "default-src 'self'") != NULL);
    CHECK(strstr(csp, "img-src 'self' data:;") != NULL);
    http_static_csp("https://tiles.example.org:8443/{z}/{x}/{y}.png", csp, sizeof(csp));
    CHECK(strstr(csp, "img-src 'self' data: https://tiles.example.org:8443;") != NULL);
    http_static_csp("not a url", csp, sizeof(csp));
    CHECK(strstr(csp, "img-src 'self' data:;") != NULL);
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
    struct http_identity who;
    int role;
    size_t i;

    memset(&who, 0, sizeof(who));
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
    /* The public reaches exactly the public routes. */
    who.role = HTTP_ROLE_PUBLIC;
    for (i = 0; i < http_nroutes; i++)
        CHECK_INT_EQ(http_authorize(&http_routes[i], &who),
                     http_routes[i].min_role == HTTP_ROLE_PUBLIC ? 0 : 401);
}

/* The server's roles and the accounts' roles are one order: a role's rank
 * in the route table is its rank for access_role_at_least(). */
TEST(http, role_order)
{
    int i;

    for (i = 0; i < HTTP_NROLES; i++)
        CHECK_STR_EQ(http_role_name((enum http_role)i), access_role_name((enum access_role)i));
    CHECK_INT_EQ(HTTP_NROLES, ACCESS_ADMIN + 1);
}

/* ------------------------------------------------------------------------ */
/* Accounts: cookies, CSRF, staff                                            */
/* ------------------------------------------------------------------------ */

TEST(http, cookies)
{
    char v[64], big[8];

    CHECK_INT_EQ(http_cookie_get("a=1; cscc_session=cscc_s_abc; b=2", "cscc_session", v, 64), 1);
    CHECK_STR_EQ(v, "cscc_s_abc");
    CHECK_INT_EQ(http_cookie_get("cscc_session=\"q\"", "cscc_session", v, 64), 1);
    CHECK_STR_EQ(v, "q");
    /* a longer name that starts with it, or the name as a value, is not it */
    CHECK_INT_EQ(
        http_cookie_get("xcscc_session=1;cscc_sessionx=2; a=cscc_session", "cscc_session", v, 64),
        0);
    CHECK_INT_EQ(http_cookie_get("", "cscc_session", v, 64), 0);
    CHECK_INT_EQ(http_cookie_get(";;; ;", "cscc_session", v, 64), 0);
    CHECK_INT_EQ(http_cookie_get("cscc_session=", "cscc_session", v, 64), 1);
    CHECK_STR_EQ(v, "");
    CHECK_INT_EQ(http_cookie_get("cscc_session=0123456789", "cscc_session", big, sizeof(big)), -1);
    CHECK_STR_EQ(http_cookie_name(1), "__Host-cscc_session");
    CHECK_INT_EQ(
        http_cookie_get("cscc_session=1; __Host-cscc_session=2", http_cookie_name(1), v, 64), 1);
    CHECK_STR_EQ(v, "2");
    {
        char sc[256];

        http_cookie_set(sc, sizeof(sc), 1, "t", 5);
        CHECK_STR_EQ(sc,
                     "__Host-cscc_session=t; Path=/; HttpOnly; SameSite=Strict; Max-Age=5; Secure");
        http_cookie_set(sc, sizeof(sc), 0, "", 0);
        CHECK_STR_EQ(sc, "cscc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
}

TEST(http, csrf_and_staff)
{
    static const struct http_route post = {"/p", HTTP_POST, HTTP_ROLE_PARTNER, 1,
                                           0,    NULL,      http_h_index,      "p"};
    static const struct http_route login = {"/l",           HTTP_POST, HTTP_ROLE_PUBLIC, 1,
                                            HTTP_R_NO_CSRF, NULL,      http_h_index,     "l"};
    struct http_identity who;
    int m, role;

    memset(&who, 0, sizeof(who));
    who.role = HTTP_ROLE_ADMIN;
    /* Every method x credential: only a cookie's change without its token is refused. */
    for (m = HTTP_GET; m <= HTTP_OPTIONS; m <<= 1) {
        int change = !(m & (HTTP_GET | HTTP_HEAD | HTTP_OPTIONS));

        who.cred = HTTP_CRED_COOKIE;
        who.csrf_ok = 0;
        CHECK_INT_EQ(http_csrf_missing(&post, m, &who), change);
        CHECK_INT_EQ(http_csrf_missing(&login, m, &who), 0);
        who.csrf_ok = 1;
        CHECK_INT_EQ(http_csrf_missing(&post, m, &who), 0);
        who.csrf_ok = 0;
        who.cred = HTTP_CRED_BEARER;
        CHECK_INT_EQ(http_csrf_missing(&post, m, &who), 0);
        who.cred = HTTP_CRED_NONE;
        CHECK_INT_EQ(http_csrf_missing(&post, m, &who), 0);
    }
    for (role = 0; role < HTTP_NROLES; role++) {
        who.role = (enum http_role)role;
        CHECK_INT_EQ(http_staff(&who), role >= HTTP_ROLE_COORDINATOR);
    }
}

/* ------------------------------------------------------------------------ */
/* Public aggregates: small cells withheld                                   */
/* ------------------------------------------------------------------------ */

static uint64_t lcg = 0x243F6A8885A308D3ULL;

static unsigned rnd(unsigned n)
{
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((lcg >> 33) % n);
}

TEST(http, protect_counts)
{
    struct an_result *r = an_result_new("counts");
    struct strbuf sb;
    struct cscc_err err;
    static const int counts[6] = {120, 3, 0, 45, 60, 12};
    size_t i;

    cscc_err_clear(&err);
    an_summary_num(r, "total", 240);
    an_column(r, "community_area", AN_NUM);
    an_column(r, "name", AN_STR);
    an_column(r, "count", AN_INT);
    an_column(r, "rate_per_100k", AN_NUM);
    for (i = 0; i < 6; i++) {
        an_row(r);
        an_num(r, (double)(i + 1));
        an_str(r, "x");
        an_int(r, counts[i]);
        an_num(r, counts[i] * 2.5);
    }
    CHECK_INT_EQ(http_protect_counts(r, &err), 0);
    /* 3 is withheld with its rate, and one more cell (the smallest
     * non-zero: 12) so that it cannot be worked out from the total. */
    CHECK(an_withheld(r, 1, 2) && an_withheld(r, 1, 3));
    CHECK(an_withheld(r, 5, 2));
    CHECK_INT_EQ(an_nwithheld(r), 4);
    CHECK(an_summary_get(r, "total") == 240);
    strbuf_init(&sb, 0);
    CHECK_INT_EQ(an_result_write(r, AN_CSV, &sb), 0);
    CHECK(strstr(sb.buf, "community_area,name,count,rate_per_100k,suppressed\n") != NULL);
    CHECK(strstr(sb.buf, "\n2,x,,,1\n") != NULL);
    CHECK(strstr(sb.buf, "\n1,x,120,300,0\n") != NULL);
    strbuf_reset(&sb);
    CHECK_INT_EQ(an_result_write(r, AN_JSON, &sb), 0);
    CHECK(strstr(sb.buf, "[2,\"x\",null,null,true]") != NULL);
    CHECK(strstr(sb.buf, "{\"name\":\"suppressed\",\"type\":\"boolean\"}") != NULL);
    strbuf_release(&sb);
    an_result_free(r);

    /* A total of 1 to 9 is withheld with every cell. */
    r = an_result_new("counts");
    an_summary_num(r, "total", 4);
    an_column(r, "count", AN_INT);
    an_row(r);
    an_int(r, 4);
    CHECK_INT_EQ(http_protect_counts(r, &err), 0);
    CHECK(an_withheld(r, 0, 0));
    CHECK(isnan(an_summary_get(r, "total")));
    an_result_free(r);
}

/*
 * 1 when withheld unknown x (of n) follows from the equations eq (m rows of
 * n + 1: coefficients, then the published value): e_x in their row space.
 */
static int determined(const double *eq, size_t m, size_t n, size_t x)
{
    double *a = calloc((m + 1) * n, sizeof(*a));
    size_t r = 0, c, i, j, rank_a = 0;
    int det;

    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++)
            a[i * n + j] = eq[i * (n + 1) + j];
    /* rank of the equations, then with e_x added */
    for (int pass = 0; pass < 2; pass++) {
        size_t rows = pass ? m + 1 : m;

        if (pass) {
            for (i = 0; i < m; i++)
                for (j = 0; j < n; j++)
                    a[i * n + j] = eq[i * (n + 1) + j];
            memset(a + m * n, 0, n * sizeof(*a));
            a[m * n + x] = 1;
        }
        r = 0;
        for (c = 0; c < n && r < rows; c++) {
            size_t p = r;

            for (i = r; i < rows; i++)
                if (fabs(a[i * n + c]) > fabs(a[p * n + c]))
                    p = i;
            if (fabs(a[p * n + c]) < 1e-9)
                continue;
            for (j = 0; j < n; j++) {
                double t = a[r * n + j];

                a[r * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
            for (i = 0; i < rows; i++) {
                double f;

                if (i == r)
                    continue;
                f = a[i * n + c] / a[r * n + c];
                for (j = 0; j < n; j++)
                    a[i * n + j] -= f * a[r * n + j];
            }
            r++;
        }
        if (!pass)
            rank_a = r;
    }
    det = r == rank_a;
    free(a);
    return det;
}

TEST(http, protect_trends_resists_attack)
{
    int trial;

    for (trial = 0; trial < 60; trial++) {
        size_t np = 1 + rnd(6), nr = 1 + rnd(8), na = np + nr, n = (na + 1) * 3, m = 0, i, k;
        uint64_t *v = calloc(n, sizeof(*v)), tot[3][3] = {{0}};
        double *eq = calloc((n + 12) * (n + 1), sizeof(*eq));
        struct an_result *r = an_result_new("trends");
        struct cscc_err err;
        static const char *const cols[3] = {"count", "prior_count", "year_ago_count"};

        /* unknowns: area a, period k -> a * 3 + k; rows of no area -> na * 3 + k */
        for (i = 0; i < n; i++)
            v[i] = rnd(4) == 0 ? rnd(10) : rnd(40);
        an_column(r, "unit", AN_STR);
        an_column(r, "priority", AN_INT);
        for (k = 0; k < 3; k++)
            an_column(r, cols[k], AN_INT);
        for (i = 0; i <= na + 2; i++) {
            const char *unit = i < na        ? "area"
                               : i == na     ? "priority"
                               : i == na + 1 ? "rest"
                                             : "citywide";

            an_row(r);
            an_str(r, unit);
            an_int(r, i < np);
            for (k = 0; k < 3; k++) {
                uint64_t x;

                if (i < na) {
                    x = v[i * 3 + k];
                    tot[i < np ? 0 : 1][k] += x;
                    tot[2][k] += x;
                } else {
                    x = i == na ? tot[0][k] : i == na + 1 ? tot[1][k] : tot[2][k] + v[na * 3 + k];
                }
                an_int(r, (int64_t)x);
            }
        }
        cscc_err_clear(&err);
        CHECK_INT_EQ(http_protect_trends(r, &err), 0);
        /* What is published: cells, group rows and citywide (with the rows of no area). */
        for (i = 0; i <= na + 2; i++)
            for (k = 0; k < 3; k++) {
                double *e = eq + m * (n + 1);

                if (an_withheld(r, i, 2 + k))
                    continue;
                CHECK(!(an_cell_num(r, i, 2 + k) >= 1 && an_cell_num(r, i, 2 + k) <= 9));
                if (i < na) {
                    e[i * 3 + k] = 1;
                } else {
                    size_t a;

                    for (a = 0; a < na; a++)
                        if (i == na + 2 || (i == na) == (a < np))
                            e[a * 3 + k] = 1;
                    if (i == na + 2)
                        e[na * 3 + k] = 1;
                }
                m++;
            }
        /* No withheld cell of an area, a group or citywide follows from them. */
        for (i = 0; i < na; i++)
            for (k = 0; k < 3; k++)
                if (an_withheld(r, i, 2 + k) && determined(eq, m, n, i * 3 + k))
                    test_fail(__FILE__, __LINE__, "trial %d: area %zu period %zu recovered", trial,
                              i, k);
        an_result_free(r);
        free(v);
        free(eq);
    }
}
