/* gap.c - the capacity gap index (violence burden against partner capacity,
 * per area and sector) and funding alignment (dollars per resident and per
 * serious victimization, the share reaching the priority areas, change over
 * time). The definitions are in README.md, "### Resources". */
#include "resources/res_int.h"

#include "analysis/arearef.h"
#include "analysis/priority.h"
#include "analysis/result.h"
#include "analysis/trends.h"
#include "coord/partners.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(RES_NSECTORS == COORD_NSECTORS, "the sectors are coord's");

/* ------------------------------------------------------------------------ */
/* The index (pure)                                                          */
/* ------------------------------------------------------------------------ */

/* Figures are compared to 9 decimals: capacities split by population shares
 * that are equal on paper differ in their last bits, and must tie. */
static int cmp9(double a, double b)
{
    long long x = llround(a * 1e9), y = llround(b * 1e9);

    return (x > y) - (x < y);
}

static int cmp_gap(const void *x, const void *y)
{
    const struct res_gap_row *a = x, *b = y;
    int c;

    if ((c = cmp9(b->index, a->index)) || (c = cmp9(b->burden_score, a->burden_score)) ||
        (c = cmp9(a->capacity_per_100k, b->capacity_per_100k)))
        return c;
    if (a->area != b->area)
        return a->area < b->area ? -1 : 1;
    return (a->sector > b->sector) - (a->sector < b->sector);
}

static int has_pop(const struct res_gap_area *a)
{
    return a->population > 0 && !isnan(a->population);
}

size_t res_gap_index(const struct res_gap_area *areas, size_t n, double years, unsigned sectors,
                     struct res_gap_row *rows)
{
    double max_burden = 0, max_cap[RES_NSECTORS + 1];
    size_t i, nrows = 0;
    int s;

    memset(max_cap, 0, sizeof(max_cap));
    for (i = 0; i < n; i++) {
        const struct res_gap_area *a = &areas[i];
        double b, total = 0;

        if (!has_pop(a))
            continue;
        b = years > 0 ? a->serious / years / a->population * 1e5 : 0;
        if (b > max_burden)
            max_burden = b;
        for (s = 0; s < RES_NSECTORS; s++) {
            double c = a->capacity[s] / a->population * 1e5;

            total += a->capacity[s];
            if (c > max_cap[s])
                max_cap[s] = c;
        }
        if (total / a->population * 1e5 > max_cap[RES_NSECTORS])
            max_cap[RES_NSECTORS] = total / a->population * 1e5;
    }
    for (i = 0; i < n; i++) {
        const struct res_gap_area *a = &areas[i];

        if (!has_pop(a))
            continue;
        for (s = 0; s <= RES_NSECTORS; s++) {
            struct res_gap_row *r = &rows[nrows];
            double cap = 0;
            int orgs = 0, k;

            if (!(sectors & (1u << s)))
                continue;
            if (s < RES_NSECTORS) {
                cap = a->capacity[s];
                orgs = a->orgs[s];
            } else {
                for (k = 0; k < RES_NSECTORS; k++) {
                    cap += a->capacity[k];
                    orgs = a->orgs[k] > orgs ? a->orgs[k] : orgs;
                }
            }
            memset(r, 0, sizeof(*r));
            r->area = a->area;
            r->sector = s < RES_NSECTORS ? s : -1;
            r->burden_per_100k = years > 0 ? a->serious / years / a->population * 1e5 : 0;
            r->burden_score = max_burden > 0 ? r->burden_per_100k / max_burden : 0;
            r->capacity = cap;
            r->capacity_per_100k = cap / a->population * 1e5;
            r->capacity_score = max_cap[s] > 0 ? r->capacity_per_100k / max_cap[s] : 0;
            r->index = r->burden_score * (1 - r->capacity_score);
            r->orgs = orgs;
            nrows++;
        }
    }
    qsort(rows, nrows, sizeof(*rows), cmp_gap);
    for (i = 0; i < nrows; i++)
        rows[i].rank = i + 1;
    return nrows;
}

/* ------------------------------------------------------------------------ */
/* Inputs from the store                                                     */
/* ------------------------------------------------------------------------ */

/* Serious victimizations per area in the period into serious[256]; 0 when the
 * source cannot be used (desc then says why). */
static int count_serious(const struct serious_tables *s, struct store *st, int64_t from, int64_t to,
                         double *serious, char *desc, size_t cap, struct cscc_err *err)
{
    enum serious_source use;
    struct counts_query q;
    uint64_t acc[256], rows = 0;
    size_t i;

    if (!s)
        return cscc_err_set(err, CSCC_EINVAL, "no serious victimizations source");
    if (serious_resolve(s, &use, desc, cap, err))
        return err->code;
    memset(&q, 0, sizeof(q));
    q.has_from = q.has_to = 1;
    q.day_from = from;
    q.day_to = to;
    memset(acc, 0, sizeof(acc));
    if (serious_count(s, use, st, &q, INT64_MIN, 1, acc, &rows, err))
        return err->code;
    for (i = 0; i < 256; i++)
        serious[i] = (double)acc[i];
    return 0;
}

/* Splits amount among the n areas (none: every area with a population) in
 * proportion to their residents, adding into out[256]. */
static void split_by_pop(const struct arearef *ar, const int *areas, size_t n, double amount,
                         double *out)
{
    double total = 0;
    size_t i;
    int a;

    if (n) {
        for (i = 0; i < n; i++)
            if (ar->pop[areas[i]] > 0)
                total += ar->pop[areas[i]];
        for (i = 0; i < n && total > 0; i++)
            if (ar->pop[areas[i]] > 0)
                out[areas[i]] += amount * ar->pop[areas[i]] / total;
        return;
    }
    for (a = 1; a < 255; a++)
        if (ar->known[a] && ar->pop[a] > 0)
            total += ar->pop[a];
    for (a = 1; a < 255 && total > 0; a++)
        if (ar->known[a] && ar->pop[a] > 0)
            out[a] += amount * ar->pop[a] / total;
}

struct cap_ctx {
    struct store *st;
    const struct arearef *ar;
    struct res_gap_area *ga; /* indexed by area number */
    int verified_only;
    struct cscc_err *err;
    size_t norgs;
};

static int sector_fn(void *arg, const struct store_row *row)
{
    int *flags = arg, i = coord_sector_index(store_row_text(row, 0));

    if (i >= 0)
        flags[i] = 1;
    return 0;
}

static int org_fn(void *arg, const struct store_row *row)
{
    struct cap_ctx *c = arg;
    struct res_int_list l;
    struct store_val v = STORE_INT(store_row_int(row, 0));
    int sec[RES_NSECTORS] = {0}, areas[RES_MAX_AREAS], k = 0, s, rc;
    double share[256];
    size_t i;

    if (c->verified_only && !store_row_int(row, 2))
        return 0;
    if ((rc = store_exec(c->st, "read sectors",
                         "SELECT sector FROM coord_org_sectors WHERE org_id = ?", &v, 1, sector_fn,
                         sec, c->err)) ||
        (rc = res_int_list_read(c->st, "SELECT area FROM coord_org_areas WHERE org_id = ?", v.i, &l,
                                c->err)))
        return rc;
    for (s = 0; s < RES_NSECTORS; s++)
        k += sec[s];
    if (!k)
        return 0;
    for (i = 0; i < l.n; i++)
        areas[i] = (int)l.v[i];
    memset(share, 0, sizeof(share));
    split_by_pop(c->ar, areas, l.n, (double)store_row_int(row, 1), share);
    for (i = 1; i < 255; i++) {
        if (share[i] <= 0)
            continue;
        for (s = 0; s < RES_NSECTORS; s++)
            if (sec[s]) {
                c->ga[i].capacity[s] += share[i] / k;
                c->ga[i].orgs[s]++;
            }
    }
    c->norgs++;
    return 0;
}

static const char *sector_label(int s)
{
    return s < 0 ? "all" : coord_sectors[s];
}

struct an_result *res_capacity_gap(const struct serious_tables *s, struct store *st,
                                   const struct res_gap_opts *o, struct cscc_err *err)
{
    struct res_gap_area *ga = NULL, *list = NULL;
    struct res_gap_row *rows = NULL;
    struct arearef *ar = NULL;
    struct an_result *r = NULL;
    struct cap_ctx c;
    double serious[256], years, total_serious = 0;
    unsigned sectors = o->sectors ? o->sectors : RES_GAP_TOTAL - 1;
    char desc[512], a[16], b[16];
    size_t i, n = 0, nrows;

    if (o->day_from > o->day_to)
        return cscc_err_set(err, CSCC_EINVAL, "the period ends before it starts"), NULL;
    if (count_serious(s, st, o->day_from, o->day_to, serious, desc, sizeof(desc), err))
        return NULL;
    if (!(ar = analysis_arearef_load(st, NULL, o->with_geometry, err)))
        return NULL;
    ga = cscc_xcalloc(256, sizeof(*ga));
    memset(&c, 0, sizeof(c));
    c.st = st;
    c.ar = ar;
    c.ga = ga;
    c.verified_only = o->verified_only;
    c.err = err;
    if (store_exec(st, "read organizations",
                   "SELECT id, capacity_per_week, verified FROM coord_orgs WHERE "
                   "capacity_per_week > 0 ORDER BY id",
                   NULL, 0, org_fn, &c, err))
        goto done;
    list = cscc_xcalloc(256, sizeof(*list));
    for (i = 1; i < 255; i++) {
        if (!ar->known[i])
            continue;
        list[n] = ga[i];
        list[n].area = (int)i;
        list[n].population = ar->pop[i];
        list[n].serious = serious[i];
        total_serious += serious[i];
        n++;
    }
    years = priority_period_years(o->day_from, o->day_to);
    rows = cscc_xcalloc(n * (RES_NSECTORS + 1) + 1, sizeof(*rows));
    nrows = res_gap_index(list, n, years, sectors, rows);

    r = an_result_new("capacity-gap");
    cscc_format_day(o->day_from, a);
    cscc_format_day(o->day_to, b);
    an_param(r, "period", "%s/%s", a, b);
    an_param(r, "verified_only", "%s", o->verified_only ? "yes" : "no");
    an_param(r, "index",
             "burden_score * (1 - capacity_score); burden_score = serious victimizations per "
             "100,000 residents a year / the highest area's; capacity_score = weekly partner "
             "capacity per 100,000 residents / the highest area's in the same sector");
    an_param(r, "capacity_split",
             "an organization's weekly capacity is divided equally among its sectors, and among "
             "the areas it serves in proportion to their residents (none listed: citywide)");
    an_data(r, "source", "%s", desc);
    an_data(r, "population", "%s", ar->pop_source);
    an_data_num(r, "years", years);
    an_data_num(r, "organizations_with_capacity", (double)c.norgs);
    an_summary_num(r, "serious_total", total_serious);
    an_summary_num(r, "areas", (double)(nrows ? n : 0));
    if (!c.norgs)
        an_warn(r, "no partner organization has a weekly capacity: every capacity is 0 (see "
                   "'cscc org add --capacity')");
    an_column(r, "rank", AN_INT);
    an_column(r, "community_area", AN_INT);
    an_column(r, "name", AN_STR);
    an_column(r, "priority", AN_INT);
    an_column(r, "sector", AN_STR);
    an_column(r, "population", AN_INT);
    an_column(r, "serious", AN_INT);
    an_column(r, "burden_per_100k", AN_NUM);
    an_column(r, "burden_score", AN_NUM);
    an_column(r, "organizations", AN_INT);
    an_column(r, "capacity_per_week", AN_NUM);
    an_column(r, "capacity_per_100k", AN_NUM);
    an_column(r, "capacity_score", AN_NUM);
    an_column(r, "gap_index", AN_NUM);
    an_column(r, "explanation", AN_STR);
    for (i = 0; i < nrows; i++) {
        const struct res_gap_row *g = &rows[i];
        char why[512];

        snprintf(why, sizeof(why),
                 "%.0f serious victimizations a year per 100,000 residents (%.0f%% of the "
                 "highest); %s capacity %.1f a week per 100,000 from %d organization%s (%.0f%% of "
                 "the highest); gap %.3f = %.3f x (1 - %.3f)",
                 g->burden_per_100k, g->burden_score * 100, sector_label(g->sector),
                 g->capacity_per_100k, g->orgs, g->orgs == 1 ? "" : "s", g->capacity_score * 100,
                 g->index, g->burden_score, g->capacity_score);
        an_row(r);
        an_int(r, (int64_t)g->rank);
        an_int(r, g->area);
        an_str(r, ar->name[g->area] ? ar->name[g->area] : "");
        an_int(r, ar->priority[g->area]);
        an_str(r, sector_label(g->sector));
        an_int(r, (int64_t)ar->pop[g->area]);
        an_int(r, (int64_t)serious[g->area]);
        an_num(r, g->burden_per_100k);
        an_num(r, g->burden_score);
        an_int(r, g->orgs);
        an_num(r, g->capacity);
        an_num(r, g->capacity_per_100k);
        an_num(r, g->capacity_score);
        an_num(r, g->index);
        an_str(r, why);
        if (o->with_geometry && ar->geometry[g->area])
            an_geom_json(r, ar->geometry[g->area]);
    }
done:
    free(rows);
    free(list);
    free(ga);
    analysis_arearef_free(ar);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Funding alignment                                                         */
/* ------------------------------------------------------------------------ */

int res_funding_by_name(const char *s)
{
    static const char *const names[] = {"area", "area-strategy", "strategy", "year", "quarter"};
    size_t i;

    for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

#define MAX_BUCKETS 400 /* quarters in 100 years */

struct fund_ctx {
    const struct res_funding_opts *o;
    const struct arearef *ar;
    int strategy;                       /* -1 = all */
    double alloc[256][RES_NSTRATEGIES]; /* allocated dollars in the period */
    double spent[256][RES_NSTRATEGIES]; /* spent dollars in the period */
    double bucket[MAX_BUCKETS];         /* allocated dollars by year or quarter */
    double bucket_pri[MAX_BUCKETS];     /* ... reaching priority areas */
    int64_t b0;                         /* first bucket (year*1 or year*4+quarter) */
    size_t nbuckets;
    size_t nallocs;
    struct store *st;
    struct cscc_err *err;
};

static int64_t bucket_of(int64_t day, int quarter)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    return quarter ? y * 4 + (m - 1) / 3 : y;
}

static int64_t bucket_start(int64_t b, int quarter)
{
    if (quarter)
        return cscc_days_from_civil(b / 4, (unsigned)(b % 4) * 3 + 1, 1);
    return cscc_days_from_civil(b, 1, 1);
}

static double overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
    int64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

    return hi >= lo ? (double)(hi - lo + 1) : 0;
}

static int spent_fn(void *arg, const struct store_row *row)
{
    *(double *)arg += (double)store_row_int(row, 0) / 100.0;
    return 0;
}

static int fund_alloc(void *arg, const struct res_alloc *a)
{
    struct fund_ctx *c = arg;
    const struct res_funding_opts *o = c->o;
    int s = res_strategy_index(a->strategy), quarter = o->by == RES_BY_QUARTER, ar_;
    double days = (double)(a->end_day - a->start_day + 1), dollars = a->amount_cents / 100.0,
           share[256], spent = 0, pri_share = 0, tot_share = 0;
    size_t i;
    int rc;

    if (s < 0 || (c->strategy >= 0 && s != c->strategy))
        return 0;
    if ((rc = store_exec(
             c->st, "read spending",
             "SELECT amount_cents FROM res_spending WHERE alloc_id = ? AND day >= ? "
             "AND day <= ?",
             (struct store_val[]){STORE_INT(a->id), STORE_INT(o->day_from), STORE_INT(o->day_to)},
             3, spent_fn, &spent, c->err)))
        return rc;
    memset(share, 0, sizeof(share));
    split_by_pop(c->ar, a->areas, a->nareas, 1.0, share);
    for (ar_ = 1; ar_ < 255; ar_++) {
        double in = dollars * overlap(a->start_day, a->end_day, o->day_from, o->day_to) / days;

        if (share[ar_] <= 0)
            continue;
        c->alloc[ar_][s] += in * share[ar_];
        c->spent[ar_][s] += spent * share[ar_];
        tot_share += share[ar_];
        if (c->ar->priority[ar_])
            pri_share += share[ar_];
    }
    if (o->by == RES_BY_YEAR || quarter)
        for (i = 0; i < c->nbuckets; i++) {
            int64_t b = c->b0 + (int64_t)i, bs = bucket_start(b, quarter),
                    be = bucket_start(b + 1, quarter) - 1;
            double in;

            if (bs < o->day_from)
                bs = o->day_from;
            if (be > o->day_to)
                be = o->day_to;
            in = dollars * overlap(a->start_day, a->end_day, bs, be) / days;
            c->bucket[i] += in * tot_share;
            c->bucket_pri[i] += in * pri_share;
        }
    c->nallocs++;
    return 0;
}

static void fund_columns(struct an_result *r, int area, int strategy)
{
    if (area) {
        an_column(r, "community_area", AN_INT);
        an_column(r, "name", AN_STR);
        an_column(r, "priority", AN_INT);
    }
    if (strategy)
        an_column(r, "strategy", AN_STR);
    an_column(r, "population", AN_INT);
    an_column(r, "serious", AN_INT);
    an_column(r, "allocated", AN_NUM);
    an_column(r, "spent", AN_NUM);
    an_column(r, "per_resident", AN_NUM);
    an_column(r, "per_serious", AN_NUM);
}

static void fund_cells(struct an_result *r, double pop, double serious, double alloc, double spent)
{
    an_int(r, (int64_t)pop);
    an_int(r, (int64_t)serious);
    an_num(r, alloc);
    an_num(r, spent);
    an_num(r, pop > 0 ? alloc / pop : NAN);
    an_num(r, serious > 0 ? alloc / serious : NAN);
}

struct an_result *res_funding(const struct serious_tables *s, struct store *st,
                              const struct res_funding_opts *o, struct cscc_err *err)
{
    struct res_alloc_filter f;
    struct fund_ctx *c = NULL;
    struct arearef *ar = NULL;
    struct an_result *r = NULL;
    double serious[256], pop = 0, ser = 0, total = 0, pri = 0, spent = 0;
    char desc[512], a[16], b[16];
    struct cscc_err serr;
    int have_serious, i, k, quarter = o->by == RES_BY_QUARTER;

    if (o->day_from > o->day_to)
        return cscc_err_set(err, CSCC_EINVAL, "the period ends before it starts"), NULL;
    c = cscc_xcalloc(1, sizeof(*c));
    c->strategy = -1;
    if (o->strategy && (c->strategy = res_strategy_index(o->strategy)) < 0) {
        cscc_err_set(err, CSCC_EINVAL, "there is no strategy area '%.60s'", o->strategy);
        res_err_field(err, "strategy");
        goto done;
    }
    c->b0 = bucket_of(o->day_from, quarter);
    c->nbuckets = (size_t)(bucket_of(o->day_to, quarter) - c->b0 + 1);
    if ((o->by == RES_BY_YEAR || quarter) && c->nbuckets > MAX_BUCKETS) {
        cscc_err_set(err, CSCC_EINVAL, "the period spans more than %d quarters", MAX_BUCKETS);
        goto done;
    }
    cscc_err_clear(&serr);
    memset(serious, 0, sizeof(serious));
    have_serious =
        !count_serious(s, st, o->day_from, o->day_to, serious, desc, sizeof(desc), &serr);
    if (!(ar = analysis_arearef_load(st, NULL, o->with_geometry, err)))
        goto done;
    c->o = o;
    c->ar = ar;
    c->st = st;
    c->err = err;
    memset(&f, 0, sizeof(f));
    f.has_from = f.has_to = 1;
    f.from_day = o->day_from;
    f.to_day = o->day_to;
    if (res_alloc_each(st, &f, fund_alloc, c, err))
        goto done;

    r = an_result_new("funding");
    cscc_format_day(o->day_from, a);
    cscc_format_day(o->day_to, b);
    an_param(r, "period", "%s/%s", a, b);
    an_param(r, "by", "%s",
             (const char *[]){"area", "area-strategy", "strategy", "year", "quarter"}[o->by]);
    if (o->strategy)
        an_param(r, "strategy", "%s", res_strategies[c->strategy]);
    an_param(r, "rule",
             "allocated = amount x (days of the allocation inside the period / its days); "
             "allocated and spent are split among the allocation's areas by residents "
             "(citywide: every area)");
    an_data(r, "source", "%s", have_serious ? desc : serr.msg);
    an_data(r, "population", "%s", ar->pop_source);
    an_data_num(r, "allocations", (double)c->nallocs);
    an_data(r, "priority_list", "%s", ar->priority_text);
    if (!have_serious)
        an_warn(r, "no serious victimizations: %s; per_serious is empty", serr.msg);
    for (i = 1; i < 255; i++) {
        if (!ar->known[i])
            continue;
        if (ar->pop[i] > 0)
            pop += ar->pop[i];
        ser += serious[i];
        for (k = 0; k < RES_NSTRATEGIES; k++) {
            total += c->alloc[i][k];
            spent += c->spent[i][k];
            if (ar->priority[i])
                pri += c->alloc[i][k];
        }
    }
    an_summary_num(r, "allocated", total);
    an_summary_num(r, "spent", spent);
    an_summary_num(r, "priority_allocated", pri);
    an_summary_num(r, "priority_share", total > 0 ? pri / total : NAN);
    an_summary_num(r, "population", pop);
    an_summary_num(r, "per_resident", pop > 0 ? total / pop : NAN);
    an_summary_num(r, "serious", have_serious ? ser : NAN);
    an_summary_num(r, "per_serious", have_serious && ser > 0 ? total / ser : NAN);

    switch (o->by) {
    case RES_BY_AREA:
    case RES_BY_AREA_STRATEGY:
        fund_columns(r, 1, o->by == RES_BY_AREA_STRATEGY);
        for (i = 1; i < 255; i++) {
            double al = 0, sp = 0;

            if (!ar->known[i])
                continue;
            for (k = 0; k < RES_NSTRATEGIES; k++) {
                if (o->by == RES_BY_AREA) {
                    al += c->alloc[i][k];
                    sp += c->spent[i][k];
                    if (k < RES_NSTRATEGIES - 1)
                        continue;
                } else {
                    if (c->strategy >= 0 && k != c->strategy)
                        continue;
                    al = c->alloc[i][k];
                    sp = c->spent[i][k];
                }
                an_row(r);
                an_int(r, i);
                an_str(r, ar->name[i] ? ar->name[i] : "");
                an_int(r, ar->priority[i]);
                if (o->by == RES_BY_AREA_STRATEGY)
                    an_str(r, res_strategies[k]);
                fund_cells(r, ar->pop[i] > 0 ? ar->pop[i] : 0, have_serious ? serious[i] : NAN, al,
                           sp);
                if (o->with_geometry && ar->geometry[i])
                    an_geom_json(r, ar->geometry[i]);
            }
        }
        break;
    case RES_BY_STRATEGY:
        fund_columns(r, 0, 1);
        an_column(r, "priority_allocated", AN_NUM);
        an_column(r, "priority_share", AN_NUM);
        for (k = 0; k < RES_NSTRATEGIES; k++) {
            double al = 0, sp = 0, pa = 0;

            if (c->strategy >= 0 && k != c->strategy)
                continue;
            for (i = 1; i < 255; i++) {
                al += c->alloc[i][k];
                sp += c->spent[i][k];
                if (ar->priority[i])
                    pa += c->alloc[i][k];
            }
            an_row(r);
            an_str(r, res_strategies[k]);
            fund_cells(r, pop, have_serious ? ser : NAN, al, sp);
            an_num(r, pa);
            an_num(r, al > 0 ? pa / al : NAN);
        }
        break;
    case RES_BY_YEAR:
    case RES_BY_QUARTER:
        an_column(r, "period", AN_STR);
        an_column(r, "allocated", AN_NUM);
        an_column(r, "priority_allocated", AN_NUM);
        an_column(r, "priority_share", AN_NUM);
        an_column(r, "per_resident", AN_NUM);
        an_column(r, "change", AN_NUM);
        for (size_t j = 0; j < c->nbuckets; j++) {
            int64_t bk = c->b0 + (int64_t)j;
            char label[32];

            if (quarter)
                snprintf(label, sizeof(label), "%lldQ%lld", (long long)(bk / 4),
                         (long long)(bk % 4 + 1));
            else
                snprintf(label, sizeof(label), "%lld", (long long)bk);
            an_row(r);
            an_str(r, label);
            an_num(r, c->bucket[j]);
            an_num(r, c->bucket_pri[j]);
            an_num(r, c->bucket[j] > 0 ? c->bucket_pri[j] / c->bucket[j] : NAN);
            an_num(r, pop > 0 ? c->bucket[j] / pop : NAN);
            an_num(r, j && c->bucket[j - 1] > 0 ? c->bucket[j] / c->bucket[j - 1] - 1 : NAN);
        }
        break;
    }
done:
    analysis_arearef_free(ar);
    free(c);
    return r;
}
