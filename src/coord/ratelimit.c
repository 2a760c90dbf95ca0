/* ratelimit.c - how many anonymous needs an address (and everyone) may
 * submit per hour: a sliding hour over two clock-hour buckets, in memory. */
#include "coord/needs.h"

#include "core/alloc.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define KEY_MAX 48

struct slot {
    char key[KEY_MAX]; /* "" when free */
    int64_t hour;      /* the clock hour of cur */
    unsigned cur, prev;
    int64_t last; /* last submission, to forget the least recent */
};

struct coord_ratelimit {
    pthread_mutex_t lock;
    unsigned per_address, total;
    size_t nslots;
    struct slot *slots;
    struct slot all; /* everyone */
};

struct coord_ratelimit *coord_ratelimit_new(unsigned per_address, unsigned total,
                                            size_t max_addresses)
{
    struct coord_ratelimit *r = cscc_xcalloc(1, sizeof(*r));

    pthread_mutex_init(&r->lock, NULL);
    r->per_address = per_address;
    r->total = total;
    r->nslots = max_addresses ? max_addresses : 1;
    r->slots = cscc_xcalloc(r->nslots, sizeof(*r->slots));
    return r;
}

void coord_ratelimit_free(struct coord_ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    cscc_free(r->slots);
    cscc_free(r);
}

/* The key an address counts under: IPv6 by its /64, anything else as written. */
static void address_key(const char *address, char *key)
{
    unsigned char a6[16];

    if (address && strchr(address, ':') && inet_pton(AF_INET6, address, a6) == 1) {
        memset(a6 + 8, 0, 8);
        if (inet_ntop(AF_INET6, a6, key, KEY_MAX))
            return;
    }
    snprintf(key, KEY_MAX, "%s", address ? address : "");
}

static void roll(struct slot *s, int64_t hour)
{
    if (s->hour == hour)
        return;
    s->prev = s->hour == hour - 1 ? s->cur : 0;
    s->cur = 0;
    s->hour = hour;
}

/*
 * Submissions counted in the hour before t (t at or after the slot's hour):
 * the clock hour of t, plus the one before it weighted by the part of it
 * still within the hour.
 */
static double count_at(const struct slot *s, int64_t t)
{
    int64_t hour = t / 3600;
    double frac = (double)(3600 - t % 3600) / 3600;

    if (hour == s->hour)
        return s->cur + s->prev * frac;
    if (hour == s->hour + 1)
        return s->cur * frac;
    return 0;
}

/* Seconds from now until one more submission fits under limit (counts only fall). */
static int64_t wait_for(const struct slot *s, int64_t now, unsigned limit)
{
    int64_t lo = 1, hi = 7200;

    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;

        if (count_at(s, now + mid) + 1 <= limit)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int coord_ratelimit_check(struct coord_ratelimit *r, const char *address, int64_t now,
                          int64_t *retry_after)
{
    char key[KEY_MAX];
    struct slot *s = NULL, *oldest = NULL;
    int64_t hour = now / 3600;
    size_t i;
    int rc = 0;

    if (retry_after)
        *retry_after = 0;
    address_key(address, key);
    pthread_mutex_lock(&r->lock);
    for (i = 0; i < r->nslots; i++) {
        struct slot *x = &r->slots[i];

        if (x->key[0] && !strcmp(x->key, key)) {
            s = x;
            break;
        }
        if (!oldest || !x->key[0] || (oldest->key[0] && x->last < oldest->last))
            oldest = x;
    }
    if (!s) {
        s = oldest;
        memset(s, 0, sizeof(*s));
        snprintf(s->key, sizeof(s->key), "%s", key);
        s->hour = hour;
    }
    roll(s, hour);
    roll(&r->all, hour);
    if (count_at(s, now) + 1 > r->per_address) {
        if (retry_after)
            *retry_after = wait_for(s, now, r->per_address);
        rc = CSCC_ELIMIT;
    } else if (r->total && count_at(&r->all, now) + 1 > r->total) {
        if (retry_after)
            *retry_after = wait_for(&r->all, now, r->total);
        rc = CSCC_ELIMIT;
    } else {
        s->cur++;
        r->all.cur++;
    }
    s->last = now;
    pthread_mutex_unlock(&r->lock);
    return rc;
}
