/* metrics.c - counters of the server and their Prometheus text exposition
 * (format 0.0.4): requests by route and status, a latency histogram by
 * route, requests in flight, the response cache, and each table's
 * generation and rows. Counters are atomics: no lock on the request path. */
#include "http/http_int.h"

#include "colstore/colstore.h"

#include <stdio.h>
#include <string.h>

/* Statuses counted one by one; anything else falls in the last slot ("other"). */
static const int status_slots[HTTP_NSTATUS - 1] = {200, 204, 301, 304, 400, 401, 403, 404, 405, 408,
                                                   409, 413, 414, 415, 429, 431, 500, 501, 503};

/* Upper bounds of the latency buckets, in seconds. */
static const double buckets[HTTP_NBUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   2.5};

static int slot_of(int status)
{
    int i;

    for (i = 0; i < HTTP_NSTATUS - 1; i++)
        if (status_slots[i] == status)
            return i;
    return HTTP_NSTATUS - 1;
}

void http_metrics_observe(struct http_metrics *m, int route, int status, double seconds,
                          size_t bytes)
{
    int b;

    if (route < 0 || route > (int)http_nroutes)
        route = (int)http_nroutes;
    atomic_fetch_add_explicit(&m->requests[route][slot_of(status)], 1, memory_order_relaxed);
    for (b = 0; b < HTTP_NBUCKETS && seconds > buckets[b]; b++)
        ;
    atomic_fetch_add_explicit(&m->latency[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us[route], (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_out, bytes, memory_order_relaxed);
}

static const char *route_label(size_t i)
{
    return i < http_nroutes ? http_routes[i].name : "none";
}

int http_metrics_write(struct http_metrics *m, struct http_tables *ts, struct strbuf *sb)
{
    size_t r, s, i;

    strbuf_adds(sb, "# HELP cscc_http_requests_total HTTP requests answered, by route and "
                    "status.\n# TYPE cscc_http_requests_total counter\n");
    for (r = 0; r <= http_nroutes; r++)
        for (s = 0; s < HTTP_NSTATUS; s++) {
            unsigned long n = atomic_load_explicit(&m->requests[r][s], memory_order_relaxed);
            char code[16];

            if (!n)
                continue;
            if (s < HTTP_NSTATUS - 1)
                snprintf(code, sizeof(code), "%d", status_slots[s]);
            else
                snprintf(code, sizeof(code), "other");
            strbuf_addf(sb, "cscc_http_requests_total{route=\"%s\",status=\"%s\"} %lu\n",
                        route_label(r), code, n);
        }
    strbuf_adds(sb, "# HELP cscc_http_request_duration_seconds Time from a request's header to "
                    "its response, by route.\n"
                    "# TYPE cscc_http_request_duration_seconds histogram\n");
    for (r = 0; r <= http_nroutes; r++) {
        unsigned long cum = 0, n;

        for (i = 0; i <= HTTP_NBUCKETS; i++)
            cum += atomic_load_explicit(&m->latency[r][i], memory_order_relaxed);
        if (!cum)
            continue;
        cum = 0;
        for (i = 0; i < HTTP_NBUCKETS; i++) {
            cum += atomic_load_explicit(&m->latency[r][i], memory_order_relaxed);
            strbuf_addf(sb,
                        "cscc_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                        route_label(r), buckets[i], cum);
        }
        n = cum + atomic_load_explicit(&m->latency[r][HTTP_NBUCKETS], memory_order_relaxed);
        strbuf_addf(sb,
                    "cscc_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n"
                    "cscc_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                    "cscc_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                    route_label(r), n, route_label(r),
                    (double)atomic_load_explicit(&m->latency_sum_us[r], memory_order_relaxed) / 1e6,
                    route_label(r), n);
    }
    strbuf_addf(sb,
                "# HELP cscc_http_requests_in_flight Requests being answered now.\n"
                "# TYPE cscc_http_requests_in_flight gauge\n"
                "cscc_http_requests_in_flight %ld\n"
                "# HELP cscc_http_response_bytes_total Bytes of response bodies sent.\n"
                "# TYPE cscc_http_response_bytes_total counter\n"
                "cscc_http_response_bytes_total %lu\n"
                "# HELP cscc_http_cache_hits_total Responses served from the response cache.\n"
                "# TYPE cscc_http_cache_hits_total counter\n"
                "cscc_http_cache_hits_total %lu\n"
                "# HELP cscc_http_cache_misses_total Cacheable responses that had to be made.\n"
                "# TYPE cscc_http_cache_misses_total counter\n"
                "cscc_http_cache_misses_total %lu\n"
                "# HELP cscc_http_connections_cut_total Connections closed for being too slow.\n"
                "# TYPE cscc_http_connections_cut_total counter\n"
                "cscc_http_connections_cut_total %lu\n",
                atomic_load(&m->in_flight), atomic_load(&m->bytes_out), atomic_load(&m->cache_hits),
                atomic_load(&m->cache_misses), atomic_load(&m->conns_cut));
    strbuf_adds(sb, "# HELP cscc_table_generation Generation of each table being served.\n"
                    "# TYPE cscc_table_generation gauge\n");
    pthread_mutex_lock(&ts->lock);
    for (i = 0; i < ts->n; i++)
        if (ts->v[i].cur)
            strbuf_addf(sb, "cscc_table_generation{table=\"%s\"} %llu\n", ts->v[i].name,
                        (unsigned long long)colstore_generation(ts->v[i].cur->t));
    strbuf_adds(sb, "# HELP cscc_table_rows Rows of each table being served.\n"
                    "# TYPE cscc_table_rows gauge\n");
    for (i = 0; i < ts->n; i++)
        if (ts->v[i].cur)
            strbuf_addf(sb, "cscc_table_rows{table=\"%s\"} %zu\n", ts->v[i].name,
                        colstore_nrows(ts->v[i].cur->t));
    pthread_mutex_unlock(&ts->lock);
    return strbuf_addf(sb,
                       "# HELP cscc_table_reloads_total New table generations taken up while "
                       "running.\n# TYPE cscc_table_reloads_total counter\n"
                       "cscc_table_reloads_total %lu\n",
                       atomic_load(&ts->swaps));
}
