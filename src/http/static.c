/* static.c - the dashboard's files: its pages (/ and /{page}), their
 * scripts, styles and message catalogues (/static/...), the front-end
 * libraries from Debian's packages (/static/lib/leaflet/, /static/lib/chart.js/)
 * and the dashboard's settings (/api/v1/dashboard: languages, map tiles).
 *
 * Files are read at each request: they are small, so an edited page shows at
 * once, and the answer carries a validator (an ETag from the file's size,
 * modification time and inode) that turns a repeat visit into a 304. Paths are
 * checked segment by segment before anything touches the disk: no "..", no
 * hidden files, nothing outside the mounted folders. */
#include "http/http_int.h"

#include "core/json.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The largest file served (Chart.js unminified is 0.55 MB). */
#define STATIC_MAX_BYTES (8u << 20)
/* The largest message catalogue read for its language's name. */
#define CATALOGUE_MAX_BYTES (256u * 1024)
/* Languages listed at most. */
#define MAX_LANGUAGES 32

/* ------------------------------------------------------------------------ */
/* Paths and content types                                                   */
/* ------------------------------------------------------------------------ */

int http_static_path_ok(const char *rel)
{
    const char *s = rel;

    if (!*s)
        return 0;
    for (;;) {
        size_t n = strcspn(s, "/");
        size_t i;

        if (n == 0 || s[0] == '.')
            return 0;
        for (i = 0; i < n; i++) {
            char c = s[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-'))
                return 0;
        }
        if (!s[n])
            return 1;
        s += n + 1;
    }
}

static const struct {
    const char *ext;
    const char *ctype;
} ctypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".geojson", "application/geo+json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

const char *http_static_ctype(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t i;

    if (dot && !strchr(dot, '/'))
        for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
            if (!strcmp(dot, ctypes[i].ext))
                return ctypes[i].ctype;
    return "application/octet-stream";
}

void http_static_csp(const char *tile_url, char *buf, size_t cap)
{
    char origin[256] = "";

    /* The tiles' origin: scheme://host[:port] of the URL template. */
    if (tile_url) {
        const char *p = strstr(tile_url, "://");

        if (p) {
            size_t n = (size_t)(p + 3 - tile_url) + strcspn(p + 3, "/?#");

            if (n < sizeof(origin) - 1)
                snprintf(origin, sizeof(origin), " %.*s", (int)n, tile_url);
        }
    }
    snprintf(buf, cap,
             "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:%s; connect-src 'self'; object-src 'none'; base-uri 'none'; "
             "frame-ancestors 'none'; form-action 'self'",
             origin);
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

static int not_found(struct http_req *r)
{
    return http_error(r, 404, "not_found", NULL, "there is nothing at this path");
}

/* Answers the file dir/rel (rel already checked) with its type and validator. */
static int serve_file(struct http_req *r, const char *dir, const char *sub, const char *rel)
{
    char path[4096];
    struct stat st;
    int fd, n;
    size_t got = 0;

    if (!dir || !*dir)
        return http_error(r, 404, "not_found", NULL,
                          "this server has no dashboard files; start it with --web DIR");
    if (sub)
        n = snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, rel);
    else
        n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof(path))
        return not_found(r);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return not_found(r);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return not_found(r);
    }
    if ((size_t)st.st_size > STATIC_MAX_BYTES) {
        close(fd);
        cscc_error("%s: %lld bytes, more than the %u a static file may have", path,
                   (long long)st.st_size, STATIC_MAX_BYTES);
        return http_error(r, 500, "internal", NULL, "internal error; the server log says more");
    }
    strbuf_reset(&r->out);
    if (strbuf_grow(&r->out, (size_t)st.st_size)) {
        close(fd);
        return http_error(r, 507, "out_of_memory", NULL,
                          "the server is out of memory for this request");
    }
    for (;;) {
        char chunk[16384];
        ssize_t k = read(fd, chunk, sizeof(chunk));

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0 || got + (size_t)k > (size_t)st.st_size)
            break;
        strbuf_add(&r->out, chunk, (size_t)k); /* cannot fail: room was made */
        got += (size_t)k;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        cscc_error("%s: read %zu bytes, not %lld (was it changed while read?)", path, got,
                   (long long)st.st_size);
        return http_error(r, 500, "internal", NULL, "internal error; the server log says more");
    }
    snprintf(r->etag, sizeof(r->etag), "\"%llx-%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec,
             (unsigned long long)st.st_ino);
    r->ctype = http_static_ctype(rel);
    r->no_cache = 1; /* not the response cache's: the validator does the work */
    return 200;
}

/* ------------------------------------------------------------------------ */
/* Handlers                                                                  */
/* ------------------------------------------------------------------------ */

/* A page's name: lowercase letters, digits and '-', at most 63 bytes. */
static int page_name_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

    return n > 0 && n < 64 && s[n] == '\0' && s[0] != '-';
}

int http_h_page(struct http_req *r)
{
    const struct http_options *o = r->srv ? r->srv->opts : NULL;
    const char *name = r->cap[0][0] ? r->cap[0] : "index";
    char file[80];

    /* Pages read their state (an area, a language) from the query string. */
    if (!page_name_ok(name))
        return not_found(r);
    snprintf(file, sizeof(file), "%s.html", name);
    return serve_file(r, o ? o->web_dir : NULL, NULL, file);
}

/* Where /static/... comes from: the libraries first, then web/ itself. */
static const struct {
    const char *prefix;
    int library;     /* 1: under js_dir (Debian's libjs-* packages); 0: under web_dir */
    const char *sub; /* the library's folder in js_dir */
} mounts[] = {
    {"/static/lib/leaflet/", 1, "leaflet"},
    {"/static/lib/chart.js/", 1, "chart.js"},
    {"/static/", 0, NULL},
};

int http_h_static(struct http_req *r)
{
    const struct http_options *o = r->srv ? r->srv->opts : NULL;
    size_t i;

    for (i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
        size_t n = strlen(mounts[i].prefix);
        const char *rel = r->path + n;

        if (strncmp(r->path, mounts[i].prefix, n))
            continue;
        if (!http_static_path_ok(rel) || !o)
            return not_found(r);
        if (mounts[i].library)
            return serve_file(r, o->js_dir, mounts[i].sub, rel);
        return serve_file(r, o->web_dir, NULL, rel);
    }
    return not_found(r);
}

/* ------------------------------------------------------------------------ */
/* The dashboard's settings                                                  */
/* ------------------------------------------------------------------------ */

struct lang {
    char code[16];
    char name[64];
};

static int lang_cmp(const void *a, const void *b)
{
    return strcmp(((const struct lang *)a)->code, ((const struct lang *)b)->code);
}

/* A catalogue's language code from its file name: "es.json", "pt-BR.json". */
static int lang_code(const char *file, char *code, size_t cap)
{
    size_t n = strlen(file), i;

    if (n < 7 || n - 5 >= cap || strcmp(file + n - 5, ".json"))
        return -1;
    for (i = 0; i < n - 5; i++) {
        char c = file[i];

        if (!((c >= 'a' && c <= 'z') ||
              (i >= 2 && (c == '-' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))))
            return -1;
    }
    snprintf(code, cap, "%.*s", (int)(n - 5), file);
    return 0;
}

/* The languages of web/i18n/: every catalogue there, with the name it gives itself. */
static size_t languages(const char *web_dir, struct lang *v, size_t cap)
{
    char dir[4096];
    struct dirent *de;
    DIR *d;
    size_t n = 0;

    if (!web_dir)
        return 0;
    snprintf(dir, sizeof(dir), "%s/i18n", web_dir);
    if (!(d = opendir(dir)))
        return 0;
    while ((de = readdir(d)) && n < cap) {
        char path[4400];
        struct cscc_err err;
        json_t *doc, *name;

        if (lang_code(de->d_name, v[n].code, sizeof(v[n].code)))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        cscc_err_clear(&err);
        if (!(doc = cscc_json_load_file(path, CATALOGUE_MAX_BYTES, 4, &err))) {
            cscc_warn("dashboard: %s", err.msg);
            continue;
        }
        name = json_object_get(doc, "_language");
        snprintf(v[n].name, sizeof(v[n].name), "%s",
                 json_is_string(name) ? json_string_value(name) : v[n].code);
        json_decref(doc);
        n++;
    }
    closedir(d);
    qsort(v, n, sizeof(v[0]), lang_cmp);
    return n;
}

int http_h_dashboard(struct http_req *r)
{
    const struct http_options *o = r->srv->opts;
    struct lang langs[MAX_LANGUAGES];
    size_t n = languages(o->web_dir, langs, MAX_LANGUAGES), i;

    strbuf_adds(&r->out, "{\"languages\":[");
    for (i = 0; i < n; i++) {
        strbuf_addf(&r->out, "%s{\"code\":", i ? "," : "");
        strbuf_add_json_str(&r->out, langs[i].code, strlen(langs[i].code));
        strbuf_adds(&r->out, ",\"name\":");
        strbuf_add_json_str(&r->out, langs[i].name, strlen(langs[i].name));
        strbuf_adds(&r->out, "}");
    }
    strbuf_adds(&r->out, "],\"tiles\":");
    if (o->tile_url) {
        const char *attr = o->tile_attribution ? o->tile_attribution : "";

        strbuf_adds(&r->out, "{\"url\":");
        strbuf_add_json_str(&r->out, o->tile_url, strlen(o->tile_url));
        strbuf_adds(&r->out, ",\"attribution\":");
        strbuf_add_json_str(&r->out, attr, strlen(attr));
        strbuf_adds(&r->out, "}");
    } else {
        strbuf_adds(&r->out, "null");
    }
    strbuf_adds(&r->out, "}\n");
    r->ctype = "application/json";
    r->no_cache = 1;
    return 200;
}
