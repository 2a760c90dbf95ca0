/* server.c - the HTTP server on libmicrohttpd (the one file that includes
 * <microhttpd.h>): listening, the request life cycle (target, route, role,
 * body, handler, response), the response cache with ETags and gzip, the
 * limits that cut slow or greedy clients, and graceful shutdown.
 *
 * Threads: libmicrohttpd's internal pool, one thread per core, each with
 * its own epoll set; connections are kept alive. The calling thread waits
 * for SIGTERM/SIGINT and, every 100 ms, closes connections that passed
 * their header or body deadline (libmicrohttpd's own timeout only covers
 * silence, not a client that trickles a byte at a time). */
#include "http/http_int.h"

#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/gzip.h"
#include "core/hash.h"
#include "core/log.h"
#include "ingest/backup.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */
/* ------------------------------------------------------------------------ */

void http_limits_default(struct http_limits *l)
{
    l->max_body = 64 * 1024;
    l->max_url = 8 * 1024;
    l->max_header = 32 * 1024;
    l->max_params = 64;
    l->max_json_depth = 8;
    l->header_timeout = 10;
    l->body_timeout = 30;
    l->idle_timeout = 60;
    l->max_conns = 1000;
    l->max_conns_per_ip = 64;
    l->cache_bytes = 64u * 1024 * 1024;
    l->threads = 0;
    l->shutdown_grace = 30;
    l->coord_interval = 60;
    l->intake_per_hour = 30;
    l->audit_window = 60;
    l->max_upload = 256u << 20;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Connections and their deadlines                                           */
/* ------------------------------------------------------------------------ */

/* One TCP connection (libmicrohttpd's socket context). */
struct conn {
    struct conn *prev, *next;
    int fd;
    _Atomic int64_t deadline; /* monotonic ms by which the current phase must end; 0 none */
    int cut;
};

struct conns {
    pthread_mutex_t lock;
    struct conn head; /* circular list */
};

/* ------------------------------------------------------------------------ */
/* The response cache                                                        */
/* ------------------------------------------------------------------------ */

/*
 * Public aggregates, kept whole: the key is the route, the caller's role,
 * the path's captures and the normalised parameters; each entry belongs to
 * one generation of the crimes table, and a new generation empties the
 * cache. Entries hold finished libmicrohttpd responses (identity and gzip),
 * which are reference-counted and may be queued by many threads at once, so
 * a hit costs a lookup and a queue. Least recently used entries go first
 * when the cache passes its size.
 */
struct centry {
    struct centry *hnext;         /* hash chain */
    struct centry *lprev, *lnext; /* LRU list, most recent first */
    uint64_t hash;
    char *key;
    size_t klen;
    struct MHD_Response *plain, *gz;
    size_t plain_len, gz_len;
    char etag[48], etag_gz[52];
    size_t bytes;
    int status;
};

#define CACHE_BUCKETS 4096

struct cache {
    pthread_mutex_t lock;
    struct centry *b[CACHE_BUCKETS];
    struct centry lru; /* circular */
    uint64_t generation;
    size_t bytes, max;
    uint64_t seed;
};

static void cache_init(struct cache *c, size_t max)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->lru.lprev = c->lru.lnext = &c->lru;
    c->max = max;
    if (getrandom(&c->seed, sizeof(c->seed), 0) != (ssize_t)sizeof(c->seed))
        c->seed = (uint64_t)now_ms() * 0x9e3779b97f4a7c15ULL;
}

static void centry_free(struct centry *e)
{
    MHD_destroy_response(e->plain);
    if (e->gz)
        MHD_destroy_response(e->gz);
    cscc_free(e->key);
    cscc_free(e);
}

static void cache_unlink(struct cache *c, struct centry *e)
{
    struct centry **pp = &c->b[e->hash % CACHE_BUCKETS];

    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    e->lprev->lnext = e->lnext;
    e->lnext->lprev = e->lprev;
    c->bytes -= e->bytes;
}

static void cache_clear_locked(struct cache *c)
{
    while (c->lru.lnext != &c->lru) {
        struct centry *e = c->lru.lnext;

        cache_unlink(c, e);
        centry_free(e);
    }
}

static void cache_release(struct cache *c)
{
    cache_clear_locked(c);
    pthread_mutex_destroy(&c->lock);
}

/* Takes a reference-free look: the caller queues e's responses under the lock. */
static struct centry *cache_find_locked(struct cache *c, uint64_t gen, const char *key, size_t klen,
                                        uint64_t h)
{
    struct centry *e;

    if (gen != c->generation) {
        cache_clear_locked(c);
        c->generation = gen;
        return NULL;
    }
    for (e = c->b[h % CACHE_BUCKETS]; e; e = e->hnext)
        if (e->hash == h && e->klen == klen && !memcmp(e->key, key, klen)) {
            /* most recently used first */
            e->lprev->lnext = e->lnext;
            e->lnext->lprev = e->lprev;
            e->lnext = c->lru.lnext;
            e->lprev = &c->lru;
            c->lru.lnext->lprev = e;
            c->lru.lnext = e;
            return e;
        }
    return NULL;
}

/* Adds e (the cache owns it then); drops it when it is too big for the cache. */
static void cache_add(struct cache *c, uint64_t gen, struct centry *e)
{
    pthread_mutex_lock(&c->lock);
    if (gen != c->generation) {
        cache_clear_locked(c);
        c->generation = gen;
    }
    if (e->bytes > c->max / 8 || cache_find_locked(c, gen, e->key, e->klen, e->hash)) {
        pthread_mutex_unlock(&c->lock);
        centry_free(e);
        return;
    }
    while (c->bytes + e->bytes > c->max && c->lru.lprev != &c->lru) {
        struct centry *old = c->lru.lprev;

        cache_unlink(c, old);
        centry_free(old);
    }
    e->hnext = c->b[e->hash % CACHE_BUCKETS];
    c->b[e->hash % CACHE_BUCKETS] = e;
    e->lnext = c->lru.lnext;
    e->lprev = &c->lru;
    c->lru.lnext->lprev = e;
    c->lru.lnext = e;
    c->bytes += e->bytes;
    pthread_mutex_unlock(&c->lock);
}

/* ------------------------------------------------------------------------ */
/* Server state                                                              */
/* ------------------------------------------------------------------------ */

struct srv {
    struct http_server s; /* what handlers see */
    struct MHD_Daemon *d;
    struct conns conns;
    struct cache cache;
    atomic_int stopping;
    char csp[640]; /* Content-Security-Policy of the dashboard's pages */
};

/* One request (libmicrohttpd's per-request context). */
struct rq {
    struct http_req req;
    struct srv *srv;
    char *target; /* the raw request target */
    struct timespec t0;
    int route; /* index in http_routes, -1 none */
    int started;
    int body_expected;
    int form; /* the body is application/x-www-form-urlencoded (HTTP_R_FORM routes) */
    int too_big;
    int body_fd;      /* HTTP_R_BODY_FILE: the file the body goes to, -1 none */
    int write_failed; /* writing it failed (a full disk): 503 when the body ends */
    size_t body_size; /* bytes written to it */
    int pending;      /* status of an error answer found before the body */
    int status;
    size_t bytes;
    struct strbuf body;
    const char *xh_name; /* one more header for an error answer (Allow, WWW-Authenticate) */
    char xh_value[96];
};

/* ------------------------------------------------------------------------ */
/* The store pool                                                            */
/* ------------------------------------------------------------------------ */

struct store *http_store_get(struct http_server *s, struct cscc_err *err)
{
    struct store *st = NULL;

    pthread_mutex_lock(&s->stores.lock);
    if (s->stores.nfree)
        st = s->stores.free[--s->stores.nfree];
    pthread_mutex_unlock(&s->stores.lock);
    if (!st)
        st = store_open(s->stores.path, err);
    return st;
}

void http_store_put(struct http_server *s, struct store *st)
{
    if (!st)
        return;
    if (st && store_rollback(st) == 0) {
        pthread_mutex_lock(&s->stores.lock);
        if (s->stores.nfree < sizeof(s->stores.free) / sizeof(s->stores.free[0])) {
            s->stores.free[s->stores.nfree++] = st;
            st = NULL;
        }
        pthread_mutex_unlock(&s->stores.lock);
    }
    store_close(st);
}

static void store_pool_release(struct http_store_pool *p)
{
    while (p->nfree)
        store_close(p->free[--p->nfree]);
    pthread_mutex_destroy(&p->lock);
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                 */
/* ------------------------------------------------------------------------ */

static void add_header(struct MHD_Response *resp, const char *name, const char *value)
{
    if (MHD_add_response_header(resp, name, value) != MHD_YES)
        cscc_debug("cannot add header %s", name);
}

/* Common headers of every answer. */
static void std_headers(struct MHD_Response *resp, const char *ctype, int cacheable)
{
    add_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    add_header(resp, "X-Content-Type-Options", "nosniff");
    add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cacheable ? "public, no-cache" : "no-store");
    if (cacheable)
        add_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
}

/* 1 when the client accepts gzip (a "gzip" coding without q=0). */
static int accepts_gzip(struct MHD_Connection *c)
{
    const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    const char *p = ae;

    while (p && *p) {
        size_t n = strcspn(p, ",");
        const char *tok = p, *semi;

        while (tok < p + n && (*tok == ' ' || *tok == '\t'))
            tok++;
        if ((size_t)(p + n - tok) >= 4 && !strncasecmp(tok, "gzip", 4) &&
            (tok + 4 == p + n || tok[4] == ';' || tok[4] == ' ')) {
            semi = memchr(tok, ';', (size_t)(p + n - tok));
            if (!semi)
                return 1;
            /* q=0, q=0.0, q=0.000 refuse it */
            {
                const char *q = strstr(semi, "q=");

                if (!q || q > p + n)
                    return 1;
                q += 2;
                if (*q != '0')
                    return 1;
                q++;
                if (*q == '.')
                    q++;
                while (*q == '0')
                    q++;
                return !(q >= p + n || *q == ',' || *q == ' ' || *q == '\0') ? 1 : 0;
            }
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

/* 1 when If-None-Match lists etag or etag_gz (weak or strong), or is "*". */
static int etag_matches(struct MHD_Connection *c, const char *etag, const char *etag_gz)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    const char *p = inm;

    while (p && *p) {
        size_t n;

        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (*p == '*')
            return 1;
        if (!strncmp(p, "W/", 2))
            p += 2;
        n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if ((n == strlen(etag) && !memcmp(p, etag, n)) ||
            (etag_gz && n == strlen(etag_gz) && !memcmp(p, etag_gz, n)))
            return 1;
        p += n;
        p += strcspn(p, ",");
    }
    return 0;
}

static enum MHD_Result queue(struct rq *q, struct MHD_Connection *c, int status,
                             struct MHD_Response *resp, size_t bytes)
{
    enum MHD_Result ret;

    q->status = status;
    q->bytes = bytes;
    if (atomic_load(&q->srv->stopping))
        add_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ret = MHD_queue_response(c, (unsigned)status, resp);
    return ret;
}

static enum MHD_Result queue_304(struct rq *q, struct MHD_Connection *c, const char *etag)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    add_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    add_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, no-cache");
    add_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    ret = queue(q, c, 304, resp, 0);
    MHD_destroy_response(resp);
    return ret;
}

int http_req_header(struct http_req *r, const char *name, const char *value)
{
    if (strbuf_add(&r->headers, name, strlen(name) + 1) ||
        strbuf_add(&r->headers, value, strlen(value) + 1))
        return CSCC_ENOMEM;
    return 0;
}

/* The headers a handler added (http_req_header). */
static void handler_headers(struct MHD_Response *resp, const struct http_req *r)
{
    const char *p = r->headers.buf, *end = p + r->headers.len;

    while (p && p < end) {
        const char *v = p + strlen(p) + 1;

        add_header(resp, p, v);
        p = v + strlen(v) + 1;
    }
}

/* Sends the request's out buffer as the answer (taking its bytes). */
static enum MHD_Result send_plain(struct rq *q, struct MHD_Connection *c, int status)
{
    struct http_req *r = &q->req;
    struct MHD_Response *resp;
    size_t len;
    char *body;
    enum MHD_Result ret;
    int gz = 0, wants_gz = r->out.len >= 1024 && accepts_gzip(c) && status < 300;
    char etag_gz[72];

    /* A file with a validator: 304 when the client has this variant. */
    if (r->etag[0] && status == 200) {
        snprintf(etag_gz, sizeof(etag_gz), "%.*s-gz\"", (int)strlen(r->etag) - 1, r->etag);
        if (etag_matches(c, r->etag, etag_gz))
            return queue_304(q, c, wants_gz ? etag_gz : r->etag);
    }
    if (wants_gz) {
        struct strbuf z;

        strbuf_init(&z, r->out.len + 1024);
        if (!cscc_gzip(r->out.buf, r->out.len, 4, &z)) {
            strbuf_release(&r->out);
            r->out = z;
            gz = 1;
        } else {
            strbuf_release(&z);
        }
    }
    body = strbuf_take(&r->out, &len);
    resp = MHD_create_response_from_buffer_with_free_callback(len, body, cscc_free);
    if (!resp) {
        cscc_free(body);
        return MHD_NO;
    }
    std_headers(resp, r->ctype ? r->ctype : "application/json", r->etag[0] && status == 200);
    if (gz)
        add_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (r->etag[0] && status == 200)
        add_header(resp, MHD_HTTP_HEADER_ETAG, gz ? etag_gz : r->etag);
    if (r->ctype && !strncmp(r->ctype, "text/html", 9)) {
        add_header(resp, "Content-Security-Policy", q->srv->csp);
        add_header(resp, "Referrer-Policy", "same-origin");
    }
    if (r->filename[0]) {
        char cd[128];

        snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", r->filename);
        add_header(resp, "Content-Disposition", cd);
    }
    if (q->xh_name)
        add_header(resp, q->xh_name, q->xh_value);
    handler_headers(resp, r);
    if (r->set_cookie[0])
        add_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->retry_after) {
        char ra[24];

        snprintf(ra, sizeof(ra), "%u", r->retry_after);
        add_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    ret = queue(q, c, status, resp, len);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct rq *q, struct MHD_Connection *c, int status,
                                  const char *code, const char *field, const char *msg)
{
    http_error(&q->req, status, code, field, "%s", msg);
    return send_plain(q, c, status);
}

/* Builds a cache entry from a finished 200 answer (takes r->out's bytes). */
static struct centry *make_entry(struct rq *q, const char *key, size_t klen, uint64_t h)
{
    struct http_req *r = &q->req;
    struct centry *e = cscc_xcalloc(1, sizeof(*e));
    uint64_t bh = cscc_hash(r->out.buf, r->out.len, 0x63736363);
    size_t len;
    char *body;

    e->hash = h;
    e->key = cscc_xstrndup(key, klen);
    e->klen = klen;
    e->status = 200;
    snprintf(e->etag, sizeof(e->etag), "\"%llx-%016llx\"", (unsigned long long)r->generation,
             (unsigned long long)bh);
    snprintf(e->etag_gz, sizeof(e->etag_gz), "\"%llx-%016llx-gz\"",
             (unsigned long long)r->generation, (unsigned long long)bh);
    if (r->out.len >= 1024) {
        struct strbuf z;

        strbuf_init(&z, r->out.len + 1024);
        if (!cscc_gzip(r->out.buf, r->out.len, 6, &z)) {
            e->bytes += z.len;
            body = strbuf_take(&z, &len);
            e->gz_len = len;
            e->gz = MHD_create_response_from_buffer_with_free_callback(len, body, cscc_free);
            std_headers(e->gz, r->ctype, 1);
            add_header(e->gz, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
            add_header(e->gz, MHD_HTTP_HEADER_ETAG, e->etag_gz);
        }
        strbuf_release(&z);
    }
    e->bytes += r->out.len + klen + sizeof(*e);
    body = strbuf_take(&r->out, &len);
    e->plain_len = len;
    e->plain = MHD_create_response_from_buffer_with_free_callback(len, body, cscc_free);
    std_headers(e->plain, r->ctype, 1);
    add_header(e->plain, MHD_HTTP_HEADER_ETAG, e->etag);
    if (r->filename[0]) {
        char cd[128];

        snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", r->filename);
        add_header(e->plain, "Content-Disposition", cd);
        if (e->gz)
            add_header(e->gz, "Content-Disposition", cd);
    }
    handler_headers(e->plain, r);
    if (e->gz)
        handler_headers(e->gz, r);
    return e;
}

/* Answers from entry e: 304 when the client has it, else the right encoding. */
static enum MHD_Result send_entry(struct rq *q, struct MHD_Connection *c, struct centry *e)
{
    int gz = e->gz && accepts_gzip(c);

    if (etag_matches(c, e->etag, e->etag_gz))
        return queue_304(q, c, gz ? e->etag_gz : e->etag);
    if (gz)
        return queue(q, c, 200, e->gz, e->gz_len);
    return queue(q, c, 200, e->plain, e->plain_len);
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                  */
/* ------------------------------------------------------------------------ */

/* The cache key of a request: route, role, captures, parameters. */
static int cache_key(struct rq *q, struct strbuf *key)
{
    struct http_req *r = &q->req;

    strbuf_addf(key, "%d|%d|%s|%s|", q->route, (int)r->who.role, r->cap[0], r->cap[1]);
    return http_params_canonical(&r->params, key);
}

static int body_file_end(struct rq *q, char *msg, size_t cap);

/* Runs the handler of a complete request and queues its answer. */
static enum MHD_Result dispatch(struct rq *q, struct MHD_Connection *c)
{
    struct http_req *r = &q->req;
    const struct http_route *rt = r->route;
    struct cscc_err err;
    struct strbuf key;
    uint64_t h = 0;
    int status, cacheable;
    enum MHD_Result ret;

    cscc_err_clear(&err);
    if (q->body_fd >= 0) {
        char msg[160];
        int bad = body_file_end(q, msg, sizeof(msg));

        if (bad)
            return send_error(q, c, bad, bad == 413 ? "too_large" : "unavailable", NULL, msg);
    }
    if (q->form && !q->too_big && http_parse_form(q->body.buf, q->body.len, &r->params, &err))
        return send_error(q, c, http_status_of(err.code), "bad_request", err.field, err.msg);
    if (!(rt->flags & HTTP_R_PARAMS_IN_HANDLER) && http_params_check(&r->params, rt->params, &err))
        return send_error(q, c, 400, "bad_parameter", err.field, err.msg);
    if (q->too_big) {
        char msg[128];

        snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes", rt->max_body);
        return send_error(q, c, 413, "too_large", NULL, msg);
    }
    r->body = q->body.len ? q->body.buf : NULL;
    r->body_len = r->body_file[0] ? q->body_size : q->body.len;
    r->body_form = q->form;
    cacheable =
        (rt->flags & HTTP_R_CACHE) && (r->method & (HTTP_GET | HTTP_HEAD)) && q->srv->cache.max > 0;
    strbuf_init(&key, 64 * 1024);
    if (cacheable) {
        struct http_tref *t = http_req_crimes(r, &err);
        struct centry *e;

        cscc_err_clear(&err);
        if (!t)
            r->generation = 0;
        if (cache_key(q, &key)) {
            cacheable = 0;
        } else {
            h = cscc_hash(key.buf, key.len, q->srv->cache.seed);
            pthread_mutex_lock(&q->srv->cache.lock);
            e = cache_find_locked(&q->srv->cache, r->generation, key.buf, key.len, h);
            if (e && !atomic_load(&q->srv->stopping)) {
                ret = send_entry(q, c, e);
                pthread_mutex_unlock(&q->srv->cache.lock);
                atomic_fetch_add_explicit(&q->srv->s.metrics.cache_hits, 1, memory_order_relaxed);
                strbuf_release(&key);
                return ret;
            }
            pthread_mutex_unlock(&q->srv->cache.lock);
            atomic_fetch_add_explicit(&q->srv->s.metrics.cache_misses, 1, memory_order_relaxed);
        }
    }
    {
        uint64_t gen_before = r->generation;

        status = rt->handler(r);
        if (r->generation != gen_before && gen_before)
            cacheable = 0; /* should not happen: the handler used the request's table */
    }
    if (cacheable && status == 200 && !r->no_cache) {
        struct centry *e = make_entry(q, key.buf, key.len, h);

        strbuf_release(&key);
        ret = send_entry(q, c, e);
        cache_add(&q->srv->cache, r->generation, e);
        return ret;
    }
    strbuf_release(&key);
    return send_plain(q, c, status);
}

/* The peer's address as text. */
static void peer_address(struct MHD_Connection *c, char *buf, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    snprintf(buf, cap, "?");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf,
                  (socklen_t)cap);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, buf,
                  (socklen_t)cap);
}

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci ? ci->socket_context : NULL;
}

static void set_deadline(struct MHD_Connection *c, unsigned seconds)
{
    struct conn *cn = conn_of(c);

    if (cn)
        atomic_store(&cn->deadline, seconds ? now_ms() + (int64_t)seconds * 1000 : 0);
}

/* The first call for a request: its header is complete. */
static int fail(struct rq *q, int status, const char *code, const char *field, const char *msg)
{
    /* The Socrata endpoint's clients read its errors in Socrata's shape. */
    if (q->target && !strncmp(q->target, "/resource/", 10))
        return http_resource_error(&q->req, status, code, field, msg);
    return http_error(&q->req, status, code, field, "%s", msg);
}

/* Audits a refused request: who, the route, why. */
static void refused(struct rq *q, const char *action, const char *why)
{
    struct http_req *r = &q->req;
    char obj[160], detail[200];
    char m[16];

    http_methods_format((unsigned)r->method, m, sizeof(m));
    snprintf(obj, sizeof(obj), "route:%s %s", m[0] ? m : "?", r->route->pattern);
    snprintf(detail, sizeof(detail), "%s (needs %s; has %s)", why,
             http_role_name(r->route->min_role), http_role_name(r->who.role));
    http_audit_refusal(&q->srv->s, &r->who, action, obj, detail);
}

/* An upload: the body goes to a new file under DATA/uploads/ as it arrives
 * (limits.max_upload; 413 at once when Content-Length says more). */
static int begin_file(struct rq *q, struct MHD_Connection *c, const char *cl)
{
    const struct http_options *o = q->srv->s.opts;
    struct http_req *r = &q->req;
    unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    char dir[1024];

    if (n > o->limits.max_upload) {
        char msg[128];

        snprintf(msg, sizeof(msg),
                 "the upload is larger than %zu bytes (the server's --max-upload)",
                 o->limits.max_upload);
        return fail(q, 413, "too_large", NULL, msg);
    }
    if (!ct || (strncasecmp(ct, "text/csv", 8) && strncasecmp(ct, "application/gzip", 16) &&
                strncasecmp(ct, "application/octet-stream", 24)))
        return fail(q, 415, "unsupported_media_type", NULL,
                    "the body is the export itself: text/csv, or application/gzip for a .csv.gz");
    snprintf(dir, sizeof(dir), "%s/uploads", o->data_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        cscc_error("cannot create %s: %s", dir, strerror(errno));
        return fail(q, 503, "unavailable", NULL,
                    "the upload cannot be stored now; try again later");
    }
    snprintf(r->body_file, sizeof(r->body_file), "%s/.upload-XXXXXX", dir);
    if ((q->body_fd = mkstemp(r->body_file)) < 0) {
        cscc_error("cannot create a file in %s: %s", dir, strerror(errno));
        r->body_file[0] = '\0';
        return fail(q, 503, "unavailable", NULL,
                    "the upload cannot be stored now; try again later");
    }
    /* A large export takes longer than a JSON body: ten times the body deadline. */
    set_deadline(c, o->limits.body_timeout * 10);
    return 0;
}

/* Appends an upload's chunk to its file, up to the limit. */
static void body_file_add(struct rq *q, const char *data, size_t n)
{
    if (q->too_big || q->write_failed)
        return;
    if (n > q->srv->s.opts->limits.max_upload - q->body_size) {
        q->too_big = 1; /* the rest is read and dropped; 413 when it ends */
        return;
    }
    while (n) {
        ssize_t w = write(q->body_fd, data, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            cscc_error("cannot write %s: %s", q->req.body_file, strerror(errno));
            q->write_failed = 1;
            return;
        }
        data += w;
        n -= (size_t)w;
        q->body_size += (size_t)w;
    }
}

/* The upload has ended: the file closed, or an error answer (the file removed). */
static int body_file_end(struct rq *q, char *msg, size_t cap)
{
    struct http_req *r = &q->req;
    int bad = q->too_big ? 413 : q->write_failed ? 503 : 0;

    if (close(q->body_fd) < 0 && !bad)
        bad = 503;
    q->body_fd = -1;
    if (bad == 413)
        snprintf(msg, cap, "the upload is larger than %zu bytes (the server's --max-upload)",
                 q->srv->s.opts->limits.max_upload);
    else if (bad)
        snprintf(msg, cap,
                 "the upload cannot be stored now (the disk may be full); nothing was "
                 "imported; try again later");
    if (bad) {
        unlink(r->body_file);
        r->body_file[0] = '\0';
    }
    r->body_len = q->body_size;
    return bad;
}

/* Counts a request's Content-Length and Transfer-Encoding headers. */
static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    unsigned *n = cls;

    (void)kind;
    (void)value;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        n[0]++;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        n[1]++;
    return MHD_YES;
}

/*
 * The first call for a request: its header is complete. Returns 0 to go on
 * and read the body, or the status of an error answer already written in
 * q->req.out.
 */
static int begin(struct rq *q, struct MHD_Connection *c, const char *method)
{
    struct http_req *r = &q->req;
    const struct http_options *o = q->srv->s.opts;
    const struct http_route *rt;
    const char *cl, *te;
    struct cscc_err err;
    unsigned allow;
    size_t tlen;

    q->started = 1;
    cscc_err_clear(&err);
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    q->body_expected = (cl && strcmp(cl, "0")) || te;
    r->method = http_method_parse(method);
    {
        /* A body's length said twice, or two ways, is how requests are
         * smuggled past a proxy that reads it otherwise (RFC 9112 6.3):
         * refused, and the connection closed. */
        unsigned n[2] = {0, 0};

        MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, n);
        if (n[0] > 1 || n[1] > 1 || (n[0] && n[1])) {
            q->body_expected = 1;
            return fail(q, 400, "bad_request", n[0] > 1 ? "Content-Length" : "Transfer-Encoding",
                        n[0] > 1   ? "the request has more than one Content-Length header; send one"
                        : n[1] > 1 ? "the request has more than one Transfer-Encoding header; "
                                     "send one"
                                   : "the request has both Content-Length and Transfer-Encoding; "
                                     "send one of them");
        }
    }
    tlen = q->target ? strlen(q->target) : 0;
    if (!q->target || tlen > o->limits.max_url) {
        char msg[96];

        snprintf(msg, sizeof(msg), "the request target is longer than %zu bytes",
                 o->limits.max_url);
        return fail(q, 414, "uri_too_long", NULL, msg);
    }
    if (http_parse_target(q->target, tlen, r->path, sizeof(r->path), &r->params, &err)) {
        int st = err.code == CSCC_ELIMIT && !strstr(err.msg, "parameters") ? 414 : 400;

        return fail(q, st, st == 414 ? "uri_too_long" : "bad_request", err.field, err.msg);
    }
    {
        const char *qm = strchr(q->target, '?');

        r->query = qm ? qm + 1 : "";
    }
    rt = http_route_find(r->method, r->path, r->cap, &allow);
    if (!rt) {
        if (allow) {
            char msg[160];

            http_methods_format(allow, q->xh_value, sizeof(q->xh_value));
            q->xh_name = MHD_HTTP_HEADER_ALLOW;
            snprintf(msg, sizeof(msg), "%.20s is not allowed here; allowed: %s", method,
                     q->xh_value);
            return fail(q, 405, "method_not_allowed", NULL, msg);
        }
        return fail(q, 404, "not_found", NULL, "there is nothing at this path");
    }
    r->route = rt;
    q->route = (int)(rt - http_routes);
    /* Who is calling: the one seam the access module connects to. */
    memset(&r->who, 0, sizeof(r->who));
    r->who.role = HTTP_ROLE_PUBLIC;
    peer_address(c, r->who.address, sizeof(r->who.address));
    if (o->authenticate || o->access) {
        struct http_auth_request ar;
        char addr[64];
        int rc;

        snprintf(addr, sizeof(addr), "%s", r->who.address);
        ar.method = method;
        ar.path = r->path;
        ar.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        ar.cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
        ar.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        ar.forwarded_for = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
        ar.forwarded_proto = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
        ar.address = addr;
        rc = o->authenticate ? o->authenticate(o->auth_arg, &ar, &r->who)
                             : http_access_authenticate(o->access, &ar, &r->who);
        if (!r->who.address[0])
            snprintf(r->who.address, sizeof(r->who.address), "%s", addr);
        if (rc == CSCC_EPERM) {
            r->who.role = HTTP_ROLE_PUBLIC;
            q->xh_name = MHD_HTTP_HEADER_WWW_AUTHENTICATE;
            snprintf(q->xh_value, sizeof(q->xh_value), "Bearer");
            refused(q, "authn.failed", "the credentials given are not valid");
            return fail(q, 401, "unauthorized", NULL, "the credentials given are not valid");
        }
        if (rc)
            return fail(q, 503, "busy", NULL, "the accounts cannot be read; try again");
    }
    switch (http_authorize(rt, &r->who)) {
    case 0: break;
    case 401: {
        char msg[96];

        q->xh_name = MHD_HTTP_HEADER_WWW_AUTHENTICATE;
        snprintf(q->xh_value, sizeof(q->xh_value), "Bearer");
        snprintf(msg, sizeof(msg), "sign in: this needs the %s role or above",
                 http_role_name(rt->min_role));
        refused(q, "authz.denied", msg);
        return fail(q, 401, "unauthorized", NULL, msg);
    }
    default:
        refused(q, "authz.denied", "role too low");
        return fail(q, 403, "forbidden", NULL, "your role may not do this");
    }
    if (http_csrf_missing(rt, r->method, &r->who)) {
        refused(q, "csrf.denied", "no valid X-CSRF-Token with a session cookie");
        return fail(q, 403, "csrf", NULL,
                    "a change made with a session cookie needs the session's X-CSRF-Token "
                    "header (GET /api/v1/session gives it)");
    }
    /* The body: refused up front when it cannot fit. */
    if (q->body_expected && (rt->flags & HTTP_R_BODY_FILE))
        return begin_file(q, c, cl);
    if (q->body_expected) {
        size_t max = rt->max_body < o->limits.max_body ? rt->max_body : o->limits.max_body;
        unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
        const char *ct =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

        if (!max)
            return fail(q, 413, "too_large", NULL, "this request takes no body");
        if (n > max) {
            char msg[96];

            snprintf(msg, sizeof(msg), "the request body is larger than %zu bytes", max);
            return fail(q, 413, "too_large", NULL, msg);
        }
        if (ct && (rt->flags & HTTP_R_FORM) &&
            !strncasecmp(ct, "application/x-www-form-urlencoded", 33))
            q->form = 1;
        else if (!ct || strncasecmp(ct, "application/json", 16))
            return fail(q, 415, "unsupported_media_type", NULL,
                        (rt->flags & HTTP_R_FORM)
                            ? "the body must be application/x-www-form-urlencoded or "
                              "application/json"
                            : "the body must be application/json");
        strbuf_init(&q->body, max);
        set_deadline(c, o->limits.body_timeout);
    } else {
        set_deadline(c, 0);
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **ctx)
{
    struct srv *s = cls;
    struct rq *q = *ctx;

    (void)url;
    (void)version;
    if (!q)
        return MHD_NO; /* no context: the URI callback did not run */
    if (!q->started) {
        int st = begin(q, c, method);

        if (!st)
            return MHD_YES;
        /* With a body on its way, answer now (the connection then closes);
         * without one, answer in the final call, keeping the connection. */
        if (q->body_expected)
            return send_plain(q, c, st);
        q->pending = st;
        return MHD_YES;
    }
    if (*upload_size && q->body_fd >= 0) {
        body_file_add(q, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && strbuf_add(&q->body, upload_data, *upload_size))
            q->too_big = 1; /* the rest is read and dropped; 413 when it ends */
        *upload_size = 0;
        return MHD_YES;
    }
    set_deadline(c, 0);
    (void)s;
    if (q->pending)
        return send_plain(q, c, q->pending);
    return dispatch(q, c);
}

/* Called when the request line is read: the raw target, before unescaping. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct srv *s = cls;
    struct rq *q = cscc_xcalloc(1, sizeof(*q));

    (void)c;
    q->srv = s;
    q->route = -1;
    q->body_fd = -1;
    q->target = cscc_xstrdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &q->t0);
    q->req.srv = &s->s;
    q->req.query = "";
    http_params_init(&q->req.params, s->s.opts->limits.max_params);
    strbuf_init(&q->req.out, 0);
    strbuf_init(&q->req.headers, 0);
    strbuf_init(&q->body, 1);
    atomic_fetch_add(&s->s.metrics.in_flight, 1);
    return q;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    struct srv *s = cls;
    struct rq *q = *ctx;
    struct http_options const *o = s->s.opts;

    if (!q)
        return;
    *ctx = NULL;
    /* Requests answered by libmicrohttpd itself (431, a broken connection)
     * have no status of ours. */
    if (q->status)
        http_metrics_observe(&s->s.metrics, q->route, q->status, seconds_since(&q->t0), q->bytes);
    if (cscc_log_get_level() >= CSCC_LOG_DEBUG)
        cscc_debug("%s %d %.3f ms%s", q->req.path[0] ? q->req.path : "-", q->status,
                   seconds_since(&q->t0) * 1e3,
                   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
    if (q->body_fd >= 0)
        close(q->body_fd);
    if (q->req.body_file[0])
        unlink(q->req.body_file); /* an upload no handler took */
    http_tref_put(q->req.crimes);
    http_params_release(&q->req.params);
    strbuf_release(&q->req.out);
    strbuf_release(&q->req.headers);
    strbuf_release(&q->body);
    cscc_free(q->target);
    cscc_free(q);
    /* The connection now waits for its next request header. */
    set_deadline(c, o->limits.header_timeout);
    atomic_fetch_sub(&s->s.metrics.in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct srv *s = cls;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        struct conn *cn = cscc_xcalloc(1, sizeof(*cn));
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

        cn->fd = ci ? ci->connect_fd : -1;
        atomic_init(&cn->deadline, now_ms() + (int64_t)s->s.opts->limits.header_timeout * 1000);
        pthread_mutex_lock(&s->conns.lock);
        cn->next = s->conns.head.next;
        cn->prev = &s->conns.head;
        s->conns.head.next->prev = cn;
        s->conns.head.next = cn;
        pthread_mutex_unlock(&s->conns.lock);
        *socket_context = cn;
        return;
    }
    /* Closed: libmicrohttpd closes the socket only after this returns, so
     * the reaper (which holds the lock while it shuts a socket down) never
     * touches a reused descriptor. */
    if (*socket_context) {
        struct conn *cn = *socket_context;

        pthread_mutex_lock(&s->conns.lock);
        cn->prev->next = cn->next;
        cn->next->prev = cn->prev;
        pthread_mutex_unlock(&s->conns.lock);
        cscc_free(cn);
        *socket_context = NULL;
    }
}

/* Cuts connections past their deadline (slow headers or bodies). */
static void reap(struct srv *s)
{
    int64_t now = now_ms();
    struct conn *cn;

    pthread_mutex_lock(&s->conns.lock);
    for (cn = s->conns.head.next; cn != &s->conns.head; cn = cn->next) {
        int64_t d = atomic_load(&cn->deadline);

        if (d && now > d && !cn->cut && cn->fd >= 0) {
            cn->cut = 1;
            shutdown(cn->fd, SHUT_RDWR);
            atomic_fetch_add(&s->s.metrics.conns_cut, 1);
        }
    }
    pthread_mutex_unlock(&s->conns.lock);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    cscc_debug("microhttpd: %s", msg);
}

/* ------------------------------------------------------------------------ */
/* Listening and running                                                     */
/* ------------------------------------------------------------------------ */

/* Parses "host:port", "[v6]:port" or ":port" into addr. */
static int parse_listen(const char *s, struct sockaddr_storage *addr, socklen_t *alen, int *v6,
                        struct cscc_err *err)
{
    char host[256];
    const char *colon;
    unsigned long port;
    char *end;

    memset(addr, 0, sizeof(*addr));
    *v6 = 0;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');

        if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
            goto bad;
        snprintf(host, sizeof(host), "%.*s", (int)(rb - s - 1), s + 1);
        colon = rb + 1;
        *v6 = 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof(host))
            goto bad;
        snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
    }
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || errno || port > 65535)
        goto bad;
    if (*v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)addr;

        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            goto bad;
        *alen = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)addr;

        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (!host[0])
            a->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            goto bad;
        *alen = sizeof(*a);
    }
    return 0;
bad:
    return cscc_err_set(err, CSCC_EINVAL,
                        "--listen takes HOST:PORT, [IPV6]:PORT or :PORT with a numeric address, "
                        "not '%s'",
                        s);
}

static unsigned cpu_threads(unsigned want)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (want)
        return want > 16 ? 16 : want;
    if (n < 1)
        n = 1;
    return n > 16 ? 16 : (unsigned)n;
}

int http_serve(const struct http_options *o, struct cscc_err *err)
{
    struct sockaddr_storage addr;
    socklen_t alen;
    struct srv *s = NULL;
    sigset_t sigs, old;
    char db[4200], url[300], host[128];
    const union MHD_DaemonInfo *di;
    unsigned threads, port = 0;
    struct stat stt;
    int v6, lockfd = -1, rc = 0, sig;
    unsigned flags;

    if (parse_listen(o->listen, &addr, &alen, &v6, err))
        return err->code;
    snprintf(db, sizeof(db), "%s/cscc.db", o->data_dir);
    if (stat(db, &stt) < 0)
        return cscc_err_set(err, CSCC_ENOENT,
                            "'%s' has no cscc database; run 'cscc init' first (or pass --data DIR)",
                            o->data_dir);
    if ((lockfd = ingest_dir_lock(o->data_dir, 0, err)) < 0)
        return err->code;
    s = cscc_xcalloc(1, sizeof(*s));
    s->s.opts = o;
    s->s.started = time(NULL);
    pthread_mutex_init(&s->s.refusals.lock, NULL);
    http_static_csp(o->tile_url, s->csp, sizeof(s->csp));
    http_tables_init(&s->s.tables, o->data_dir);
    pthread_mutex_init(&s->s.stores.lock, NULL);
    snprintf(s->s.stores.path, sizeof(s->s.stores.path), "%s", db);
    pthread_mutex_init(&s->conns.lock, NULL);
    s->conns.head.next = s->conns.head.prev = &s->conns.head;
    cache_init(&s->cache, o->limits.cache_bytes);
    http_brief_cache_init(&s->s.briefs, o->limits.cache_bytes > 0);
    {
        /* Open the database once now, so a broken one stops the start. */
        struct store *st = http_store_get(&s->s, err);

        if (!st) {
            rc = err->code;
            goto out;
        }
        http_store_put(&s->s, st);
    }
    if (http_coord_start(&s->s, err) || http_uploads_start(&s->s, err)) {
        rc = err->code;
        goto out;
    }
    {
        /* The tables folder exists from the start, and the crimes table
         * (if any) is mapped before the first request. */
        char dir[4200];
        struct cscc_err e2;
        struct http_tref *t;

        snprintf(dir, sizeof(dir), "%s/tables", o->data_dir);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            cscc_warn("cannot create %s: %s", dir, strerror(errno));
        cscc_err_clear(&e2);
        t = http_tables_get(&s->s.tables, "crimes", &e2);
        if (!t && e2.code != CSCC_ENOENT)
            cscc_warn("%s", e2.msg);
        http_tref_put(t);
    }

    /* Signals: every thread blocks them; this one waits for them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    signal(SIGPIPE, SIG_IGN);

    threads = cpu_threads(o->limits.threads);
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
            MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    if (o->tls_cert_pem && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        rc = cscc_err_set(err, CSCC_EINVAL,
                          "this libmicrohttpd was built without TLS; serve plain HTTP behind a "
                          "TLS proxy instead");
        goto out;
    }
    {
        /* TLS (optional): the certificate chain and key, PEM, in memory. */
        struct MHD_OptionItem tls[] = {
            {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert_pem},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key_pem},
            {MHD_OPTION_END, 0, NULL},
        };

        if (o->tls_cert_pem)
            flags |= MHD_USE_TLS;
        else
            tls[0].option = MHD_OPTION_END;
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, o->limits.max_conns,
            MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->limits.max_conns_per_ip,
            MHD_OPTION_CONNECTION_TIMEOUT, o->limits.idle_timeout,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->limits.max_header, MHD_OPTION_URI_LOG_CALLBACK,
            on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
            on_connection, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
            MHD_OPTION_LISTEN_BACKLOG_SIZE, 511, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
    }
    if (!s->d) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        rc = cscc_err_set(err, CSCC_EIO,
                          "cannot listen on %s (is the port in use, or the address not "
                          "this machine's?%s)",
                          o->listen,
                          o->tls_cert_pem ? " or is the TLS certificate or key unreadable, or "
                                            "not a pair?"
                                          : "");
        goto out;
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (di)
        port = di->port;
    if (v6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof(host));
        snprintf(url, sizeof(url), "%s://[%s]:%u/", o->tls_cert_pem ? "https" : "http", host, port);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof(host));
        snprintf(url, sizeof(url), "%s://%s:%u/", o->tls_cert_pem ? "https" : "http", host, port);
    }
    cscc_info("serving %s on %s (%u threads)", o->data_dir, url, threads);
    if (o->ready)
        o->ready(o->ready_arg, url);

    for (;;) {
        struct timespec tick = {0, 100 * 1000 * 1000};

        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        reap(s);
    }

    /* Graceful stop: no new connections; requests in flight finish. */
    cscc_info("stopping: no new connections; finishing %ld requests in flight",
              atomic_load(&s->s.metrics.in_flight));
    atomic_store(&s->stopping, 1);
    {
        MHD_socket lfd = MHD_quiesce_daemon(s->d);
        int64_t until = now_ms() + (int64_t)o->limits.shutdown_grace * 1000;

        if (lfd != MHD_INVALID_SOCKET)
            close(lfd);
        while (atomic_load(&s->s.metrics.in_flight) > 0 && now_ms() < until) {
            struct timespec ms10 = {0, 10 * 1000 * 1000};

            reap(s);
            nanosleep(&ms10, NULL);
        }
        if (atomic_load(&s->s.metrics.in_flight) > 0)
            cscc_warn("%ld requests still running after %u s; closing them",
                      atomic_load(&s->s.metrics.in_flight), o->limits.shutdown_grace);
    }
    MHD_stop_daemon(s->d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    cscc_info("stopped");
out:
    http_uploads_stop(&s->s);
    http_coord_stop(&s->s);
    http_refusals_flush(&s->s, 1);
    pthread_mutex_destroy(&s->s.refusals.lock);
    cache_release(&s->cache);
    http_brief_cache_release(&s->s.briefs);
    store_pool_release(&s->s.stores);
    http_tables_release(&s->s.tables);
    pthread_mutex_destroy(&s->conns.lock);
    cscc_free(s);
    ingest_dir_unlock(lockfd);
    return rc;
}
