/* trends.c - a period against the prior period and the year before, per
 * area, priority areas against the rest, citywide; serious victimizations.
 *
 * Every count comes from analysis_counts() (counts.c) grouped by area (and
 * year), so trends count exactly what `query counts` counts. */
#include "analysis/trends.h"

#include "analysis/arearef.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */
/* ------------------------------------------------------------------------ */

/* log P(X = k) for X ~ binomial(n, p), 0 < p < 1. */
static double lpmf(uint64_t k, uint64_t n, double lp, double lq, double lfn)
{
    return lfn - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) + (double)k * lp +
           (double)(n - k) * lq;
}

/*
 * Sums P(X = i) from i = k stepping by dir (-1 down to 0, +1 up to n). The
 * caller starts on the far side of the mode, where the terms only shrink,
 * so the sum stops once they no longer change it.
 */
static double tail_from(uint64_t k, uint64_t n, double p, int dir)
{
    double lp = log(p), lq = log1p(-p), lfn = lgamma((double)n + 1);
    double sum = 0, term;
    uint64_t i = k;

    for (;;) {
        term = exp(lpmf(i, n, lp, lq, lfn));
        sum += term;
        if (term <= sum * 1e-17 || (dir < 0 && i == 0) || (dir > 0 && i == n))
            break;
        i = dir < 0 ? i - 1 : i + 1;
    }
    return sum;
}

/* The mode of binomial(n, p): floor((n + 1) p), at most n. */
static uint64_t binom_mode(uint64_t n, double p)
{
    double m = floor(((double)n + 1) * p);

    return m >= (double)n ? n : (uint64_t)m;
}

double trends_binom_cdf(uint64_t k, uint64_t n, double p)
{
    if (k >= n)
        return 1.0;
    if (k < binom_mode(n, p))
        return tail_from(k, n, p, -1);
    return 1.0 - tail_from(k + 1, n, p, +1);
}

double trends_binom_sf(uint64_t k, uint64_t n, double p)
{
    if (k == 0)
        return 1.0;
    if (k > n)
        return 0.0;
    if (k > binom_mode(n, p))
        return tail_from(k, n, p, +1);
    return 1.0 - tail_from(k - 1, n, p, -1);
}

double trends_poisson_test(uint64_t a, double ta, uint64_t b, double tb)
{
    uint64_t n = a + b, lo, hi, j;
    double p = ta / (ta + tb), m, lp, lq, lfn, d, pv;

    if (n == 0 || !(ta > 0) || !(tb > 0))
        return 1.0;
    m = (double)n * p;
    lp = log(p);
    lq = log1p(-p);
    lfn = lgamma((double)n + 1);
    /* R's binom.test: outcomes no more likely than the observed one, with
     * a relative tolerance so that ties in exact arithmetic stay ties. */
    d = lpmf(a, n, lp, lq, lfn) + log1p(1e-7);
    if ((double)a == m)
        return 1.0;
    if ((double)a < m) {
        /* The other side: the first j >= ceil(m) with P(j) <= d. P falls
         * from the mode on, so a binary search finds it. */
        lo = (uint64_t)ceil(m);
        hi = n + 1;
        while (lo < hi) {
            j = lo + (hi - lo) / 2;
            if (lpmf(j, n, lp, lq, lfn) <= d)
                hi = j;
            else
                lo = j + 1;
        }
        pv = trends_binom_cdf(a, n, p) + (lo <= n ? trends_binom_sf(lo, n, p) : 0.0);
    } else {
        /* The last j <= floor(m) with P(j) <= d (P rises up to the mode). */
        uint64_t top = (uint64_t)floor(m);

        lo = 0;
        hi = top + 1; /* answer in [0, top] or none: the count of such j */
        while (lo < hi) {
            j = lo + (hi - lo) / 2;
            if (lpmf(j, n, lp, lq, lfn) <= d)
                lo = j + 1;
            else
                hi = j;
        }
        /* lo is the number of j in [0, top] with P(j) <= d */
        pv = (lo ? trends_binom_cdf(lo - 1, n, p) : 0.0) + trends_binom_sf(a, n, p);
    }
    return pv > 1.0 ? 1.0 : pv;
}

double trends_normal_p2(double z)
{
    if (isnan(z))
        return NAN;
    return erfc(fabs(z) / sqrt(2.0));
}

int64_t trends_year_before(int64_t day)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    return cscc_days_from_civil(y - 1, m, d);
}

/* ------------------------------------------------------------------------ */
/* Counting through analysis_counts                                          */
/* ------------------------------------------------------------------------ */

static int64_t year_of_day(int64_t day)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    return y;
}

/*
 * Runs q over t grouped by area (and by year when nyears > 1 or year0 is
 * not INT64_MIN) and adds the counts into acc as serious_count says.
 */
static int count_into(const struct colstore_table *t, struct store *st,
                      const struct counts_query *q, int64_t year0, size_t nyears, uint64_t *acc,
                      uint64_t *rows, struct cscc_err *err)
{
    struct counts_query c = *q;
    struct counts_result *r;
    int by_year = year0 != INT64_MIN;
    int64_t y_first = year_of_day(q->day_from);
    size_t i;

    c.nkeys = 0;
    c.keys[c.nkeys++] = COUNTS_AREA;
    if (by_year)
        c.keys[c.nkeys++] = COUNTS_YEAR;
    c.rate = 0;
    c.population = NULL;
    if (!(r = analysis_counts(t, st, &c, err)))
        return err->code ? err->code : CSCC_EINTERNAL;
    for (i = 0; i < counts_nrows(r); i++) {
        const struct counts_row *row = counts_row_at(r, i);
        size_t yi = 0;

        if (by_year) {
            int64_t y = y_first + (int64_t)row->key[1];

            if (y < year0 || y >= year0 + (int64_t)nyears) {
                analysis_counts_free(r);
                return cscc_err_set(err, CSCC_EINVAL, "year %lld is outside the years asked for",
                                    (long long)y);
            }
            yi = (size_t)(y - year0);
        }
        acc[(size_t)(row->key[0] & 255) * nyears + yi] += row->count;
    }
    if (rows)
        *rows += counts_rows_in_period(r);
    analysis_counts_free(r);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Serious victimizations                                                    */
/* ------------------------------------------------------------------------ */

int serious_resolve(const struct serious_tables *s, enum serious_source *use, char *desc,
                    size_t cap, struct cscc_err *err)
{
    enum serious_source u = s->source;

    if (u == SERIOUS_AUTO)
        u = s->victims && colstore_nrows(s->victims) ? SERIOUS_VICTIMS : SERIOUS_CRIMES;
    if (u == SERIOUS_VICTIMS) {
        if (!s->victims)
            return cscc_err_set(err, CSCC_EINVAL,
                                "no victims have been imported; import the \"Violence Reduction - "
                                "Victims of Homicides and Non-Fatal Shootings\" export with 'cscc "
                                "import victims FILE'");
        snprintf(desc, cap,
                 "victims table: homicide victims (VICTIMIZATION_PRIMARY HOMICIDE) plus "
                 "non-fatal shooting victims (other victims with GUNSHOT_INJURY_I YES)");
    } else {
        if (!s->crimes || !s->layer)
            return cscc_err_set(
                err, CSCC_EINVAL,
                "cannot count serious victimizations: no victims table, and %s; import the "
                "victims export ('cscc import victims FILE'), or the crimes and a layer of "
                "non-fatal shooting victims ('cscc import layer gunshots FILE --lat .. --lon ..', "
                "then --shootings-layer gunshots)",
                !s->crimes ? "no crimes have been imported" : "no shootings layer was given");
        if (s->layer_column)
            snprintf(desc, cap,
                     "crimes table: homicide victims (FBI code 01A, a row per victim) plus layer "
                     "'%s': non-fatal shooting victims (rows with %s = %s)",
                     s->layer_name ? s->layer_name : "", s->layer_column,
                     s->layer_value ? s->layer_value : "");
        else
            snprintf(desc, cap,
                     "crimes table: homicide victims (FBI code 01A, a row per victim) plus layer "
                     "'%s': non-fatal shooting victims (every row)",
                     s->layer_name ? s->layer_name : "");
    }
    *use = u;
    return 0;
}

int serious_count(const struct serious_tables *s, enum serious_source use, struct store *st,
                  const struct counts_query *q, int64_t year0, size_t nyears, uint64_t *acc,
                  uint64_t *rows, struct cscc_err *err)
{
    struct counts_query b = *q;
    int rc;

    if (q->ntypes || q->nfbi || q->category || q->nmatch)
        return cscc_err_set(err, CSCC_EINVAL,
                            "serious victimizations are homicide and non-fatal shooting victims: "
                            "--type, --fbi and --category do not apply to them");
    if (!q->has_from || !q->has_to)
        return cscc_err_set(err, CSCC_EINVAL, "serious victimizations need a period");
    if (use == SERIOUS_VICTIMS) {
        b.nmatch = 1;
        b.match[0] = (struct counts_match){"victimization_primary", {"HOMICIDE"}, 1, 0};
        if ((rc = count_into(s->victims, st, &b, year0, nyears, acc, rows, err)))
            return rc;
        /* Non-fatal shooting victims: every other victim shot. Their rows
         * were in the period already, so they are not counted again. */
        b.nmatch = 2;
        b.match[0].negate = 1;
        b.match[1] = (struct counts_match){"gunshot_injury", {"1"}, 1, 0};
        return count_into(s->victims, st, &b, year0, nyears, acc, NULL, err);
    }
    b.nfbi = 1;
    b.fbi[0] = "01A";
    if ((rc = count_into(s->crimes, st, &b, year0, nyears, acc, NULL, err)))
        return rc;
    b.nfbi = 0;
    if (s->layer_column) {
        b.nmatch = 1;
        b.match[0] = (struct counts_match){s->layer_column, {s->layer_value}, 1, 0};
    }
    /* Rows in the period: the layer's (the crimes table holds every kind of crime). */
    return count_into(s->layer, st, &b, year0, nyears, acc, rows, err);
}

/* ------------------------------------------------------------------------ */
/* Trends                                                                    */
/* ------------------------------------------------------------------------ */

/* One comparison period and the counts of every area there. */
struct period {
    int64_t from, to;
    uint64_t by_area[256];
    uint64_t rows;
};

static int count_period(const struct colstore_table *crimes, const struct serious_tables *s,
                        enum serious_source use, struct store *st, const struct counts_query *q,
                        enum trends_measure measure, struct period *p, struct cscc_err *err)
{
    struct counts_query c = *q;

    c.has_from = c.has_to = 1;
    c.day_from = p->from;
    c.day_to = p->to;
    memset(p->by_area, 0, sizeof(p->by_area));
    p->rows = 0;
    if (measure == TRENDS_SERIOUS)
        return serious_count(s, use, st, &c, INT64_MIN, 1, p->by_area, &p->rows, err);
    return count_into(crimes, st, &c, INT64_MIN, 1, p->by_area, &p->rows, err);
}

static double pct(uint64_t now, uint64_t then)
{
    return then ? ((double)now - (double)then) * 100.0 / (double)then : NAN;
}

static double rate(uint64_t n, double pop)
{
    return pop > 0 ? (double)n * 100000.0 / pop : NAN;
}

/* The cells of one row after unit, community_area, name and priority. */
static void trend_cells(struct an_result *r, const struct period *p, uint64_t cur, uint64_t prior,
                        uint64_t ago, double pop)
{
    double len = (double)(p[0].to - p[0].from + 1);

    an_int(r, (int64_t)cur);
    an_num(r, rate(cur, pop));
    an_int(r, (int64_t)prior);
    an_int(r, (int64_t)cur - (int64_t)prior);
    an_num(r, pct(cur, prior));
    an_num(r, trends_poisson_test(cur, len, prior, (double)(p[1].to - p[1].from + 1)));
    an_int(r, (int64_t)ago);
    an_int(r, (int64_t)cur - (int64_t)ago);
    an_num(r, pct(cur, ago));
    an_num(r, trends_poisson_test(cur, len, ago, (double)(p[2].to - p[2].from + 1)));
}

/* Log ratio of change ratios of the priority areas and the rest, its z and p. */
static void change_contrast(struct an_result *r, const char *name, uint64_t ap, uint64_t bp,
                            uint64_t ar, uint64_t br)
{
    char key[96];
    double ratio = NAN, z = NAN;

    if (ap && bp && ar && br) {
        double l = log(((double)ap / (double)bp) / ((double)ar / (double)br));

        ratio = exp(l);
        z = l / sqrt(1.0 / (double)ap + 1.0 / (double)bp + 1.0 / (double)ar + 1.0 / (double)br);
    }
    snprintf(key, sizeof(key), "priority_vs_rest_%s_change_ratio", name);
    an_summary_num(r, key, ratio);
    snprintf(key, sizeof(key), "priority_vs_rest_%s_z", name);
    an_summary_num(r, key, z);
    snprintf(key, sizeof(key), "priority_vs_rest_%s_p", name);
    an_summary_num(r, key, trends_normal_p2(z));
}

static void day_text(int64_t day, char *buf)
{
    cscc_format_day(day, buf);
}

struct an_result *analysis_trends(const struct colstore_table *crimes,
                                  const struct serious_tables *s, struct store *st,
                                  const struct counts_query *q, enum trends_measure measure,
                                  struct cscc_err *err)
{
    struct an_result *r = NULL;
    struct arearef *ar = NULL;
    struct period *p = NULL;
    enum serious_source use = SERIOUS_AUTO;
    char desc[512] = "", d1[16], d2[16];
    uint64_t tot[3][3]; /* [period][priority, rest, citywide] */
    double pop_pri = 0, pop_rest = 0, pop_all = 0;
    int64_t first = 0, last = -1, len;
    const struct colstore_table *span_table;
    size_t i, k;
    int a;

    if (!q->has_from || !q->has_to)
        return cscc_err_set(err, CSCC_EINVAL, "trends need a period: give --from and --to"), NULL;
    if (q->day_from > q->day_to)
        return cscc_err_set(err, CSCC_EINVAL, "the period ends before it starts"), NULL;
    if (measure == TRENDS_SERIOUS) {
        if (!s || serious_resolve(s, &use, desc, sizeof(desc), err))
            return s ? NULL
                     : (cscc_err_set(err, CSCC_EINVAL, "no source of serious victimizations"),
                        NULL);
        span_table = use == SERIOUS_VICTIMS ? s->victims : s->layer;
    } else {
        if (!crimes)
            return cscc_err_set(err, CSCC_EINVAL, "no crimes table"), NULL;
        span_table = crimes;
    }
    if (!(ar = analysis_arearef_load(st, q, 1, err)))
        return NULL;
    len = q->day_to - q->day_from + 1;
    p = cscc_xcalloc(3, sizeof(*p));
    p[0].from = q->day_from;
    p[0].to = q->day_to;
    p[1].from = q->day_from - len;
    p[1].to = q->day_from - 1;
    p[2].from = trends_year_before(q->day_from);
    p[2].to = trends_year_before(q->day_to);
    for (i = 0; i < 3; i++)
        if (count_period(crimes, s, use, st, q, measure, &p[i], err))
            goto fail;

    r = an_result_new("trends");
    day_text(p[0].from, d1);
    day_text(p[0].to, d2);
    an_param(r, "period", "%s/%s", d1, d2);
    an_param(r, "measure", "%s", measure == TRENDS_SERIOUS ? "serious" : "incidents");
    if (q->category)
        an_param(r, "category", "%s", q->category);
    for (i = 0; i < q->ntypes; i++)
        an_param(r, "type", "%s", q->types[i]);
    for (i = 0; i < q->nfbi; i++)
        an_param(r, "fbi", "%s", q->fbi[i]);
    for (i = 0; i < q->nareas; i++)
        an_param_num(r, "area", q->areas[i]);
    if (q->priority)
        an_param(r, "priority", "%s", "only the priority areas");
    an_param(r, "test",
             "exact conditional test of two Poisson counts (binomial given their sum, "
             "two-sided, as R's poisson.test)");
    if (measure == TRENDS_SERIOUS)
        an_data(r, "source", "%s", desc);
    else
        an_data(r, "source", "%s", "crimes table (incidents; homicides: a row per victim)");
    an_data(r, "period", "%s/%s", d1, d2);
    an_data_num(r, "period_days", (double)len);
    day_text(p[1].from, d1);
    day_text(p[1].to, d2);
    an_data(r, "prior_period", "%s/%s", d1, d2);
    day_text(p[2].from, d1);
    day_text(p[2].to, d2);
    an_data(r, "year_ago_period", "%s/%s", d1, d2);
    an_data_num(r, "year_ago_days", (double)(p[2].to - p[2].from + 1));
    an_data_num(r, "rows_in_period", (double)p[0].rows);
    an_data_num(r, "rows_in_prior_period", (double)p[1].rows);
    an_data_num(r, "rows_in_year_ago_period", (double)p[2].rows);
    an_data(r, "population", "%s", ar->pop_source[0] ? ar->pop_source : "none");
    an_data(r, "priority_list", "%s", ar->priority_text);
    an_data(r, "timezone", "%s", "America/Chicago");
    colstore_day_span(span_table, &first, &last);
    if (last < first) {
        an_warn(r, "the table counted has no rows");
    } else {
        static const char *const names[3] = {"the period", "the prior period",
                                             "the year-earlier period"};

        day_text(first, d1);
        day_text(last, d2);
        an_data(r, "data_span", "%s/%s", d1, d2);
        for (i = 0; i < 3; i++)
            if (p[i].from < first || p[i].to > last)
                an_warn(r,
                        "the data run from %s to %s: %s (%s) is not wholly covered, so its "
                        "counts may be short",
                        d1, d2, names[i], i == 0 ? "asked for" : "compared with");
    }

    an_column(r, "unit", AN_STR);
    an_column(r, "community_area", AN_NUM);
    an_column(r, "name", AN_STR);
    an_column(r, "priority", AN_INT);
    an_column(r, "count", AN_INT);
    an_column(r, "rate_per_100k", AN_NUM);
    an_column(r, "prior_count", AN_INT);
    an_column(r, "prior_change", AN_INT);
    an_column(r, "prior_change_pct", AN_NUM);
    an_column(r, "prior_p", AN_NUM);
    an_column(r, "year_ago_count", AN_INT);
    an_column(r, "year_ago_change", AN_INT);
    an_column(r, "year_ago_change_pct", AN_NUM);
    an_column(r, "year_ago_p", AN_NUM);

    memset(tot, 0, sizeof(tot));
    for (a = 1; a < 255; a++) {
        if (!ar->in_scope[a])
            continue;
        an_row(r);
        an_str(r, "area");
        an_num(r, a);
        an_str(r, ar->name[a] ? ar->name[a] : "");
        an_int(r, ar->priority[a]);
        trend_cells(r, p, p[0].by_area[a], p[1].by_area[a], p[2].by_area[a], ar->pop[a]);
        if (ar->geometry[a])
            an_geom_json(r, ar->geometry[a]);
        for (i = 0; i < 3; i++)
            tot[i][ar->priority[a] ? 0 : 1] += p[i].by_area[a];
        if (!isnan(ar->pop[a])) {
            if (ar->priority[a])
                pop_pri += ar->pop[a];
            else
                pop_rest += ar->pop[a];
        }
    }
    pop_all = pop_pri + pop_rest;
    for (i = 0; i < 3; i++) {
        tot[i][2] = tot[i][0] + tot[i][1];
        if (ar->unknown_in_scope)
            tot[i][2] += p[i].by_area[255];
    }
    {
        static const char *const units[3] = {"priority", "rest", "citywide"};
        static const char *const labels[3] = {"Priority areas", "Other areas", "Citywide"};
        double pops[3];

        pops[0] = pop_pri;
        pops[1] = pop_rest;
        pops[2] = pop_all;
        for (k = 0; k < 3; k++) {
            an_row(r);
            an_str(r, units[k]);
            an_num(r, NAN);
            an_str(r, labels[k]);
            an_int(r, k == 0);
            trend_cells(r, p, tot[0][k], tot[1][k], tot[2][k], pops[k]);
        }
        if (ar->unknown_in_scope && p[0].by_area[255])
            an_warn(r,
                    "%llu rows of the period have no community area: they are in the "
                    "citywide count only",
                    (unsigned long long)p[0].by_area[255]);
    }
    an_summary_num(r, "count", (double)tot[0][2]);
    an_summary_num(r, "prior_count", (double)tot[1][2]);
    an_summary_num(r, "year_ago_count", (double)tot[2][2]);
    an_summary_num(r, "priority_count", (double)tot[0][0]);
    an_summary_num(r, "rest_count", (double)tot[0][1]);
    an_summary_num(r, "priority_share", tot[0][2] ? (double)tot[0][0] / (double)tot[0][2] : NAN);
    an_summary_num(r, "priority_rate_per_100k", rate(tot[0][0], pop_pri));
    an_summary_num(r, "rest_rate_per_100k", rate(tot[0][1], pop_rest));
    an_summary_num(r, "priority_vs_rest_rate_ratio",
                   rate(tot[0][0], pop_pri) / rate(tot[0][1], pop_rest));
    change_contrast(r, "prior", tot[0][0], tot[1][0], tot[0][1], tot[1][1]);
    change_contrast(r, "year_ago", tot[0][0], tot[2][0], tot[0][1], tot[2][1]);
    goto out;
fail:
    an_result_free(r);
    r = NULL;
out:
    cscc_free(p);
    analysis_arearef_free(ar);
    return r;
}
