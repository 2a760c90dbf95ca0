/* arearef.c - community areas' names, boundaries, population, priority
 * list and the scope of a query's area filters, for analyses' output. */
#include "analysis/arearef.h"

#include "core/alloc.h"
#include "geo/areas.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int area_cb(void *arg, const struct store_area *s)
{
    struct arearef *a = arg;

    if (s->number <= 0 || s->number >= 255)
        return 0;
    a->known[s->number] = 1;
    cscc_free(a->name[s->number]);
    a->name[s->number] = cscc_xstrdup(s->name);
    cscc_free(a->geometry[s->number]);
    /* Boundaries as RFC 7946 wants them (the City's rings run clockwise); one that
     * cannot be read is written as stored. */
    a->geometry[s->number] = s->geometry ? geo_geometry_rfc7946(s->geometry, NULL) : NULL;
    if (s->geometry && !a->geometry[s->number])
        a->geometry[s->number] = cscc_xstrdup(s->geometry);
    return 0;
}

struct popctx {
    struct arearef *a;
    int year[256];
};

/* The latest figure of each area, as `query counts --rate` takes it. */
static int pop_cb(void *arg, const struct store_population *p)
{
    struct popctx *c = arg;

    if (p->area <= 0 || p->area >= 255 || p->year <= c->year[p->area])
        return 0;
    c->year[p->area] = p->year;
    c->a->pop[p->area] = (double)p->population;
    snprintf(c->a->pop_source, sizeof(c->a->pop_source), "%s", p->source);
    return 0;
}

struct arearef *analysis_arearef_load(struct store *st, const struct counts_query *q,
                                      int with_geometry, struct cscc_err *err)
{
    struct arearef *a = cscc_xcalloc(1, sizeof(*a));
    struct popctx pc;
    int pri[256];
    size_t np = 0, i;

    memset(&pc, 0, sizeof(pc));
    pc.a = a;
    for (i = 0; i < 256; i++)
        a->pop[i] = NAN;
    if (store_each_area(st, with_geometry, area_cb, a, err) ||
        store_each_population(st, NULL, pop_cb, &pc, err) ||
        store_get_priority(st, ANALYSIS_PRIORITY_LIST, pri, 256, &np, err))
        goto fail;
    for (i = 0; i < np; i++) {
        size_t len = strlen(a->priority_text);

        if (pri[i] > 0 && pri[i] < 255)
            a->priority[pri[i]] = 1;
        snprintf(a->priority_text + len, sizeof(a->priority_text) - len, "%s%d", i ? " " : "",
                 pri[i]);
    }
    if (q && (q->nareas || q->priority)) {
        for (i = 0; i < q->nareas; i++) {
            int n = q->areas[i];

            if (n <= 0 || n >= 255 || !a->known[n]) {
                cscc_err_set(err, CSCC_EINVAL, "there is no community area %d", n);
                goto fail;
            }
            a->in_scope[n] = 1;
        }
        if (q->priority) {
            if (!np) {
                cscc_err_set(err, CSCC_EINVAL, "no priority areas are configured");
                goto fail;
            }
            for (i = 1; i < 255; i++)
                a->in_scope[i] |= a->priority[i] && a->known[i];
        }
    } else {
        for (i = 1; i < 255; i++)
            a->in_scope[i] = a->known[i];
        a->unknown_in_scope = 1;
    }
    return a;
fail:
    analysis_arearef_free(a);
    return NULL;
}

void analysis_arearef_free(struct arearef *a)
{
    size_t i;

    if (!a)
        return;
    for (i = 0; i < 256; i++) {
        cscc_free(a->name[i]);
        cscc_free(a->geometry[i]);
    }
    cscc_free(a);
}
