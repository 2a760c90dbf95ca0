/* priority.c - priority areas by the OCOS rule: the top areas by mean
 * yearly serious victimizations; comparison with the configured list and
 * its replacement, recorded in provenance. */
#include "analysis/priority.h"

#include "analysis/arearef.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ranked {
    int area;
    uint64_t total;
};

static int cmp_ranked(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;

    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return (a->area > b->area) - (a->area < b->area);
}

static void civil(int64_t day, int64_t *y, unsigned *m, unsigned *d)
{
    cscc_civil_from_days(day, y, m, d);
}

double priority_period_years(int64_t day_from, int64_t day_to)
{
    int64_t y0, y1;
    unsigned m0, d0, m1, d1;

    civil(day_from, &y0, &m0, &d0);
    civil(day_to, &y1, &m1, &d1);
    if (m0 == 1 && d0 == 1 && m1 == 12 && d1 == 31)
        return (double)(y1 - y0 + 1);
    return (double)(day_to - day_from + 1) / 365.2425;
}

/* "25 Austin, 29 North Lawndale" for the areas with flag set, in rank order. */
static void area_list(struct strbuf *sb, const struct ranked *rk, size_t n, const int *flag,
                      const struct arearef *ar)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        int a = rk[i].area;

        if (!flag[a])
            continue;
        strbuf_addf(sb, "%s%d %s", k++ ? ", " : "", a, ar->name[a] ? ar->name[a] : "");
    }
}

struct an_result *analysis_priority(const struct serious_tables *s, struct store *st,
                                    int64_t day_from, int64_t day_to, size_t top, int *computed,
                                    size_t *ncomputed, struct cscc_err *err)
{
    struct an_result *r = NULL;
    struct arearef *ar = NULL;
    struct counts_query q;
    enum serious_source use;
    struct ranked rk[256];
    uint64_t *acc = NULL, rows = 0;
    int in_comp[256], in_both[256], only_conf[256], only_comp[256];
    size_t nareas = 0, nyears, i, nboth = 0, nconf = 0, ncomp = 0, nconf_total = 0;
    int64_t y0, y1, first, last;
    unsigned m0, d0, m1, d1;
    double years;
    char desc[512], a[16], b[16];

    *ncomputed = 0;
    if (day_from > day_to)
        return cscc_err_set(err, CSCC_EINVAL, "the period ends before it starts"), NULL;
    if (top == 0)
        return cscc_err_set(err, CSCC_EINVAL, "--top must be at least 1"), NULL;
    civil(day_from, &y0, &m0, &d0);
    civil(day_to, &y1, &m1, &d1);
    nyears = (size_t)(y1 - y0 + 1);
    if (nyears > PRIORITY_MAX_YEARS)
        return cscc_err_set(err, CSCC_EINVAL, "the period spans more than %d years",
                            PRIORITY_MAX_YEARS),
               NULL;
    if (serious_resolve(s, &use, desc, sizeof(desc), err))
        return NULL;
    if (!(ar = analysis_arearef_load(st, NULL, 1, err)))
        return NULL;
    memset(&q, 0, sizeof(q));
    q.has_from = q.has_to = 1;
    q.day_from = day_from;
    q.day_to = day_to;
    acc = cscc_xcalloc(256 * nyears, sizeof(*acc));
    if (serious_count(s, use, st, &q, y0, nyears, acc, &rows, err))
        goto fail;

    years = priority_period_years(day_from, day_to);
    for (i = 1; i < 255; i++) {
        size_t y;
        uint64_t t = 0;

        if (!ar->known[i])
            continue;
        for (y = 0; y < nyears; y++)
            t += acc[i * nyears + y];
        rk[nareas].area = (int)i;
        rk[nareas].total = t;
        nareas++;
    }
    if (top > nareas) {
        cscc_err_set(err, CSCC_EINVAL, "--top %zu is more than the %zu areas", top, nareas);
        goto fail;
    }
    qsort(rk, nareas, sizeof(*rk), cmp_ranked);
    memset(in_comp, 0, sizeof(in_comp));
    for (i = 0; i < top; i++) {
        in_comp[rk[i].area] = 1;
        computed[i] = rk[i].area;
    }
    *ncomputed = top;
    for (i = 0; i < 256; i++) {
        in_both[i] = in_comp[i] && ar->priority[i];
        only_conf[i] = !in_comp[i] && ar->priority[i];
        only_comp[i] = in_comp[i] && !ar->priority[i];
        nboth += (size_t)in_both[i];
        nconf += (size_t)only_conf[i];
        ncomp += (size_t)only_comp[i];
        nconf_total += (size_t)ar->priority[i];
    }

    r = an_result_new("priority");
    cscc_format_day(day_from, a);
    cscc_format_day(day_to, b);
    an_param(r, "period", "%s/%s", a, b);
    an_param_num(r, "top", (double)top);
    an_param(r, "rule",
             "areas ranked by mean yearly serious victimizations (homicide plus non-fatal "
             "shooting victims), ties by area number");
    an_data(r, "source", "%s", desc);
    an_data_num(r, "rows_in_period", (double)rows);
    an_data_num(r, "years", years);
    if (!(m0 == 1 && d0 == 1 && m1 == 12 && d1 == 31))
        an_warn(r, "the period is not whole calendar years: the mean per year divides by its "
                   "days / 365.2425");
    an_data(r, "configured_list", "%s", ar->priority_text);
    an_data(r, "timezone", "%s", "America/Chicago");
    colstore_day_span(use == SERIOUS_VICTIMS ? s->victims : s->layer, &first, &last);
    if (last >= first && (day_from < first || day_to > last)) {
        char f[16], l[16];

        cscc_format_day(first, f);
        cscc_format_day(last, l);
        an_warn(r, "the data run from %s to %s: the period is not wholly covered", f, l);
    }
    if (top < nareas && rk[top - 1].total == rk[top].total)
        an_warn(r,
                "areas %d and %d tie at the cut (%llu serious victimizations each): the tie is "
                "broken by area number",
                rk[top - 1].area, rk[top].area, (unsigned long long)rk[top].total);
    if (!nconf_total)
        an_warn(r, "no priority list is configured");

    an_column(r, "rank", AN_INT);
    an_column(r, "community_area", AN_INT);
    an_column(r, "name", AN_STR);
    an_column(r, "serious", AN_INT);
    an_column(r, "mean_per_year", AN_NUM);
    if (nyears <= 12) {
        for (i = 0; i < nyears; i++) {
            char col[32];

            snprintf(col, sizeof(col), "count_%lld", (long long)(y0 + (int64_t)i));
            an_column(r, col, AN_INT);
        }
    }
    an_column(r, "configured", AN_INT);
    an_column(r, "computed", AN_INT);
    an_column(r, "status", AN_STR);
    for (i = 0; i < nareas; i++) {
        int n = rk[i].area;
        size_t y;

        an_row(r);
        an_int(r, (int64_t)i + 1);
        an_int(r, n);
        an_str(r, ar->name[n] ? ar->name[n] : "");
        an_int(r, (int64_t)rk[i].total);
        an_num(r, (double)rk[i].total / years);
        if (nyears <= 12)
            for (y = 0; y < nyears; y++)
                an_int(r, (int64_t)acc[(size_t)n * nyears + y]);
        an_int(r, ar->priority[n]);
        an_int(r, in_comp[n]);
        an_str(r, in_both[n]     ? "both"
                  : only_conf[n] ? "only configured"
                  : only_comp[n] ? "only computed"
                                 : "");
        if (ar->geometry[n])
            an_geom_json(r, ar->geometry[n]);
    }
    an_summary_num(r, "in_both", (double)nboth);
    an_summary_num(r, "only_configured", (double)nconf);
    an_summary_num(r, "only_computed", (double)ncomp);
    {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        area_list(&sb, rk, nareas, in_comp, ar);
        an_summary(r, "computed", "%s", sb.buf ? sb.buf : "");
        strbuf_reset(&sb);
        area_list(&sb, rk, nareas, only_conf, ar);
        an_summary(r, "only_configured_areas", "%s", sb.buf ? sb.buf : "");
        strbuf_reset(&sb);
        area_list(&sb, rk, nareas, only_comp, ar);
        an_summary(r, "only_computed_areas", "%s", sb.buf ? sb.buf : "");
        strbuf_release(&sb);
    }
    goto out;
fail:
    an_result_free(r);
    r = NULL;
    *ncomputed = 0;
out:
    cscc_free(acc);
    analysis_arearef_free(ar);
    return r;
}

/* The provenance message: what the list was, what it is now (or would
 * have been), and why. */
static void apply_message(struct strbuf *msg, const int *old, size_t nold, const int *areas,
                          size_t n, const char *why, const char *failure)
{
    size_t i;

    if (failure)
        strbuf_addf(msg, "failed: %s; ", failure);
    strbuf_adds(msg, "priority list '" ANALYSIS_PRIORITY_LIST "' was:");
    for (i = 0; i < nold; i++)
        strbuf_addf(msg, " %d", old[i]);
    strbuf_adds(msg, failure ? "; not replaced by:" : "; now:");
    for (i = 0; i < n; i++)
        strbuf_addf(msg, " %d", areas[i]);
    if (why && *why)
        strbuf_addf(msg, "; %s", why);
}

int analysis_priority_apply(struct store *st, const int *areas, size_t n, const char *why,
                            int64_t *import_id, struct cscc_err *err)
{
    struct store_import imp;
    struct strbuf msg;
    struct cscc_err e2;
    int old[256], rc;
    size_t nold = 0, i, k, added = 0;
    int64_t id = 0;

    if (import_id)
        *import_id = 0;
    if ((rc = store_get_priority(st, ANALYSIS_PRIORITY_LIST, old, 256, &nold, err)))
        return rc;
    for (i = 0; i < n; i++) {
        int found = 0;

        for (k = 0; k < nold; k++)
            found |= old[k] == areas[i];
        added += (size_t)!found;
    }
    /* The running record is durable first; the list and its record then
     * change in one transaction, so neither is ever without the other. */
    if ((rc = store_import_begin(st, "priority:" ANALYSIS_PRIORITY_LIST, "[]", &id, err)))
        return rc;
    if (import_id)
        *import_id = id;
    memset(&imp, 0, sizeof(imp));
    imp.rows_read = (int64_t)n;
    strbuf_init(&msg, 0);
    rc = store_begin(st, err);
    if (!rc)
        rc = store_put_priority(st, ANALYSIS_PRIORITY_LIST, areas, n, err);
    if (!rc) {
        apply_message(&msg, old, nold, areas, n, why, NULL);
        imp.status = STORE_IMPORT_OK;
        imp.rows_new = (int64_t)added;
        imp.rows_unchanged = (int64_t)(n - added);
        imp.message = msg.buf;
        rc = store_import_finish(st, id, &imp, err);
    }
    if (!rc)
        rc = store_commit(st, err);
    if (rc) {
        store_rollback(st);
        strbuf_reset(&msg);
        apply_message(&msg, old, nold, areas, n, why, err->msg);
        imp.status = STORE_IMPORT_FAILED;
        imp.rows_new = imp.rows_unchanged = 0;
        imp.message = msg.buf;
        cscc_err_clear(&e2);
        store_import_finish(st, id, &imp, &e2);
    }
    strbuf_release(&msg);
    return rc;
}
