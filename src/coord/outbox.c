/* outbox.c - notifications written with the change they announce, and
 * their delivery to a webhook with retries and backoff. The one file that
 * includes <curl/curl.h>. */
#include "coord/workorders.h"

#include "cscc_build.h"
#include "coord/coord_int.h"
#include "core/alloc.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int coord__outbox_add(struct coord *c, const char *topic, json_t *data, struct cscc_err *err)
{
    int64_t now = coord_now(c);
    char *text = data ? json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    int rc;

    json_decref(data);
    if (!text)
        return cscc_err_set(err, CSCC_ENOMEM, "cannot write notification '%s': out of memory",
                            topic);
    {
        struct store_val v[4] = {STORE_INT(now), STORE_TEXT(topic), STORE_TEXT(text),
                                 STORE_INT(now)};

        rc = store_exec(c->st, "write notification",
                        "INSERT INTO coord_outbox (created_at, topic, payload, next_at) "
                        "VALUES (?, ?, ?, ?)",
                        v, 4, NULL, NULL, err);
    }
    free(text); /* jansson allocated it with its own (the C library's) allocator */
    return rc;
}

#define OUTBOX_COLUMNS "id, created_at, topic, payload, attempts, next_at, delivered_at, last_error"

static void msg_from_row(const struct store_row *r, struct coord_outbox_msg *m)
{
    m->id = store_row_int(r, 0);
    m->created_at = store_row_int(r, 1);
    m->topic = store_row_text(r, 2);
    m->payload = store_row_text(r, 3);
    m->attempts = store_row_int(r, 4);
    m->next_at = store_row_int(r, 5);
    m->delivered_at = store_row_int(r, 6);
    m->last_error = store_row_text(r, 7);
}

struct msg_each {
    coord_outbox_fn fn;
    void *arg;
};

static int msg_row(void *arg, const struct store_row *r)
{
    struct msg_each *e = arg;
    struct coord_outbox_msg m;

    msg_from_row(r, &m);
    return e->fn(e->arg, &m);
}

int coord_outbox_each(struct coord *c, const struct coord_actor *a, int pending_only, size_t limit,
                      coord_outbox_fn fn, void *arg, struct cscc_err *err)
{
    struct msg_each e = {fn, arg};
    struct store_val v[2] = {STORE_INT(pending_only ? 1 : 0),
                             STORE_INT((int64_t)(limit ? limit : 1000))};
    int rc;

    if ((rc = coord_require(a, COORD_OUTBOX, NULL, err)))
        return rc;
    return store_exec(c->st, "read notifications",
                      "SELECT " OUTBOX_COLUMNS " FROM coord_outbox "
                      "WHERE (? = 0 OR delivered_at IS NULL) ORDER BY id LIMIT ?",
                      v, 2, msg_row, &e, err);
}

json_t *coord_outbox_json(const struct coord_outbox_msg *m)
{
    json_t *j = json_object(), *data = json_loads(m->payload, 0, NULL);

    coord__jint(j, "id", m->id);
    coord__jstr(j, "topic", m->topic);
    coord__jtime(j, "created_at", m->created_at);
    coord__jint(j, "attempts", m->attempts);
    coord__jtime(j, "delivered_at", m->delivered_at);
    coord__jtime(j, "next_attempt_at", m->delivered_at ? 0 : m->next_at);
    coord__jstr(j, "last_error", m->last_error);
    json_object_set_new(j, "data", data ? data : json_null());
    return j;
}

/* ------------------------------------------------------------------------ */
/* Delivery                                                                  */
/* ------------------------------------------------------------------------ */

/* The body posted: {"id", "topic", "created_at", "data"}. */
static char *body_of(const struct coord_outbox_msg *m)
{
    json_t *j = json_object(), *data = json_loads(m->payload, 0, NULL);
    char *text, *copy;

    json_object_set_new(j, "id", json_sprintf("%lld", (long long)m->id));
    coord__jstr(j, "topic", m->topic);
    coord__jtime(j, "created_at", m->created_at);
    json_object_set_new(j, "data", data ? data : json_null());
    text = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    copy = text ? cscc_xstrdup(text) : NULL;
    free(text);
    return copy;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

int coord_post_curl(void *arg, const char *url, const struct coord_outbox_msg *m, double timeout_s,
                    long *status, char *errbuf, size_t errcap)
{
    char cerr[CURL_ERROR_SIZE] = "", h1[64], h2[128];
    struct curl_slist *headers = NULL;
    char *body = body_of(m);
    CURL *h;
    CURLcode cc;
    int rc = 0;

    (void)arg;
    *status = 0;
    pthread_once(&curl_once, curl_start);
    if (!body || !(h = curl_easy_init())) {
        cscc_free(body);
        snprintf(errbuf, errcap, "cannot start an HTTP request");
        return CSCC_ENOMEM;
    }
    snprintf(h1, sizeof(h1), "X-CSCC-Delivery: %lld", (long long)m->id);
    snprintf(h2, sizeof(h2), "X-CSCC-Topic: %s", m->topic);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, h1);
    headers = curl_slist_append(headers, h2);
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cscc/" CSCC_VERSION);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        snprintf(errbuf, errcap, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        rc = CSCC_EIO;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    cscc_free(body);
    return rc;
}

/* The oldest pending message still to be tried. */
struct pending {
    int found;
    int64_t id, created_at, attempts, next_at;
    char topic[64];
    char *payload;
};

static int pending_row(void *arg, const struct store_row *r)
{
    struct pending *p = arg;

    p->found = 1;
    p->id = store_row_int(r, 0);
    p->created_at = store_row_int(r, 1);
    snprintf(p->topic, sizeof(p->topic), "%s", store_row_text(r, 2));
    p->payload = cscc_xstrdup(store_row_text(r, 3));
    p->attempts = store_row_int(r, 4);
    p->next_at = store_row_int(r, 5);
    return 1;
}

static int count_pending(void *arg, const struct store_row *r)
{
    *(size_t *)arg = (size_t)store_row_int(r, 0);
    return 0;
}

int coord_outbox_deliver(struct coord *c, const struct coord_actor *a, const char *url, size_t max,
                         coord_post_fn post, void *post_arg, struct coord_delivery *out,
                         struct cscc_err *err)
{
    struct coord_delivery d = {0, 0, 0, 0};
    int max_attempts = c->cfg.outbox_max_attempts;
    int rc;

    if (out)
        *out = d;
    if ((rc = coord_require(a, COORD_OUTBOX, NULL, err)))
        return rc;
    if (!url || !*url)
        url = c->cfg.webhook_url;
    if (!url || !*url)
        return coord__ferr(err, CSCC_EINVAL, "webhook_url",
                           "no webhook to deliver to: set coord.webhook_url or give a URL");
    if (!coord__is_url(url, 1000))
        return coord__ferr(err, CSCC_EINVAL, "webhook_url",
                           "the webhook must be an http:// or https:// URL, not '%s'", url);
    if (!post)
        post = coord_post_curl;
    for (;;) {
        struct store_val v[2] = {STORE_INT(max_attempts), STORE_INT(max_attempts)};
        struct pending p = {0};
        struct coord_outbox_msg m;
        char why[CURL_ERROR_SIZE + 64] = "";
        long status = 0;
        int64_t now;
        int prc;

        if (max && d.delivered + d.failed >= max)
            break;
        rc =
            store_exec(c->st, "read notifications",
                       "SELECT id, created_at, topic, payload, attempts, next_at FROM coord_outbox "
                       "WHERE delivered_at IS NULL AND (? = 0 OR attempts < ?) ORDER BY id LIMIT 1",
                       v, 2, pending_row, &p, err);
        if (rc > 0)
            rc = 0;
        if (rc || !p.found) {
            cscc_free(p.payload);
            break;
        }
        now = coord_now(c);
        if (p.next_at > now) {
            /* The oldest one waits: later ones wait behind it, in order. */
            d.next_at = p.next_at;
            cscc_free(p.payload);
            break;
        }
        memset(&m, 0, sizeof(m));
        m.id = p.id;
        m.created_at = p.created_at;
        m.topic = p.topic;
        m.payload = p.payload;
        m.attempts = p.attempts;
        m.next_at = p.next_at;
        m.last_error = "";
        prc = post(post_arg, url, &m, c->cfg.webhook_timeout_s, &status, why, sizeof(why));
        now = coord_now(c);
        if (!prc && status >= 200 && status < 300) {
            struct store_val u[3] = {STORE_INT(now), STORE_INT(p.attempts + 1), STORE_INT(p.id)};

            rc = store_exec(c->st, "record delivery",
                            "UPDATE coord_outbox SET delivered_at = ?, attempts = ?, "
                            "last_error = '' WHERE id = ?",
                            u, 3, NULL, NULL, err);
            d.delivered++;
        } else {
            double delay = c->cfg.outbox_backoff_s * pow(2, (double)p.attempts);
            int64_t next;

            if (delay > c->cfg.outbox_backoff_max_s)
                delay = c->cfg.outbox_backoff_max_s;
            next = now + (int64_t)ceil(delay);
            if (!prc)
                snprintf(why, sizeof(why), "the receiver answered HTTP %ld", status);
            {
                struct store_val u[4] = {STORE_INT(p.attempts + 1), STORE_INT(next),
                                         STORE_TEXT(why), STORE_INT(p.id)};

                rc = store_exec(c->st, "record failed delivery",
                                "UPDATE coord_outbox SET attempts = ?, next_at = ?, last_error = ? "
                                "WHERE id = ?",
                                u, 4, NULL, NULL, err);
            }
            d.failed++;
            d.next_at = next;
            cscc_free(p.payload);
            break; /* the receiver is likely down: keep the order, try later */
        }
        cscc_free(p.payload);
        if (rc)
            break;
    }
    if (!rc) {
        struct store_val v[2] = {STORE_INT(max_attempts), STORE_INT(max_attempts)};

        rc = store_exec(c->st, "read notifications",
                        "SELECT count(*) FROM coord_outbox WHERE delivered_at IS NULL AND "
                        "(? = 0 OR attempts < ?)",
                        v, 2, count_pending, &d.pending, err);
    }
    if (!d.pending)
        d.next_at = 0;
    if (out)
        *out = d;
    return rc;
}
