/* suppress.c - public aggregates with small cells withheld: the results of
 * counts, trends and priority are read back as tables of counts with their
 * margins, access/privacy.h decides what to withhold (counts 1 to 9 and
 * their complements), and the cells and every figure derived from them
 * (rates, changes, p-values, summaries) are withheld in the result
 * (an_withhold). Staff never come here. */
#include "http/http_int.h"

#include "access/privacy.h"
#include "analysis/result.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LO PRIVACY_MIN_COUNT
#define HI PRIVACY_MAX_COUNT

/* 1 when figure v of a result is a small count (published on its own, it
 * would be a small cell). */
static int small(double v)
{
    return isfinite(v) && v >= LO && v <= HI;
}

static void withhold_col(struct an_result *res, size_t i, const char *col)
{
    int c = an_col_index(res, col);

    if (c >= 0)
        an_withhold(res, i, (size_t)c);
}

/* Data figures named keys (NULL-terminated) that are small counts go. */
static void withhold_small_data(struct an_result *res, const char *const *keys)
{
    size_t i;

    for (i = 0; keys[i]; i++)
        if (small(an_data_get(res, keys[i])))
            an_withhold_data(res, keys[i]);
}

static int too_big(size_t cells, struct cscc_err *err)
{
    cscc_err_set(err, CSCC_EINVAL,
                 "the answer has too many groups (%zu) to publish with small counts withheld: "
                 "ask for fewer keys or a shorter period, or sign in as staff",
                 cells);
    cscc_err_at(err, NULL, 0, 0, "by");
    return CSCC_EINVAL;
}

/* ------------------------------------------------------------------------ */
/* Counts: keys x count                                                      */
/* ------------------------------------------------------------------------ */

struct keyref {
    const char *s;
    size_t row;
};

static int cmp_keyref(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int c = strcmp(x->s, y->s);

    return c ? c : (x->row > y->row) - (x->row < y->row);
}

/*
 * Gives each row the index of its value of column col among the distinct
 * values (into id), *n the number of values. text holds each row's value
 * as text (rows of 64 bytes).
 */
static void index_key(const struct an_result *res, int col, size_t *id, size_t *n, char *text)
{
    size_t i, rows = an_nrows(res);
    struct keyref *v = cscc_xcalloc(rows ? rows : 1, sizeof(*v));

    for (i = 0; i < rows; i++) {
        char *t = text + i * 64;
        double d = an_cell_num(res, i, (size_t)col);
        const char *s = an_cell_str(res, i, (size_t)col);

        if (s[0])
            snprintf(t, 64, "s%.62s", s);
        else if (isnan(d))
            snprintf(t, 64, "n");
        else
            snprintf(t, 64, "d%.17g", d);
        v[i].s = t;
        v[i].row = i;
    }
    qsort(v, rows, sizeof(*v), cmp_keyref);
    *n = 0;
    for (i = 0; i < rows; i++) {
        if (i && strcmp(v[i].s, v[i - 1].s))
            (*n)++;
        id[v[i].row] = *n;
    }
    if (rows)
        (*n)++;
    cscc_free(v);
}

int http_protect_counts(struct an_result *res, struct cscc_err *err)
{
    size_t rows = an_nrows(res), ncols = an_ncols(res), i, c, n0 = 1, n1 = 1, nk = 0;
    int keys[2] = {-1, -1}, ccount = an_col_index(res, "count");
    size_t *id0 = NULL, *id1 = NULL;
    uint64_t *cells = NULL;
    uint8_t *supp = NULL;
    char *text = NULL;
    int rc = 0;

    if (ccount < 0)
        return cscc_err_set(err, CSCC_EINTERNAL, "a counts result without a count column");
    for (c = 0; c < ncols && nk < 2; c++) {
        /* Key columns: everything but the count, its rate and an area's name. */
        if ((int)c == ccount || (int)c == an_col_index(res, "rate_per_100k") ||
            (int)c == an_col_index(res, "name"))
            continue;
        keys[nk++] = (int)c;
    }
    id0 = cscc_xcalloc(rows ? rows : 1, sizeof(*id0));
    id1 = cscc_xcalloc(rows ? rows : 1, sizeof(*id1));
    text = cscc_xcalloc(rows ? rows : 1, 64);
    if (nk >= 1)
        index_key(res, keys[0], id0, &n0, text);
    if (nk == 2)
        index_key(res, keys[1], id1, &n1, text);
    if (!rows)
        goto out; /* nothing to withhold */
    if ((n0 + 1) * (n1 + 1) > HTTP_PUBLIC_MAX_CELLS) {
        rc = too_big(n0 * n1, err);
        goto out;
    }
    cells = cscc_xcalloc(n0 * n1, sizeof(*cells));
    supp = cscc_xcalloc((n0 + 1) * (n1 + 1), 1);
    for (i = 0; i < rows; i++) {
        double v = an_cell_num(res, i, (size_t)ccount);

        cells[id0[i] * n1 + id1[i]] = isfinite(v) && v > 0 ? (uint64_t)v : 0;
    }
    if ((rc = privacy_suppress(cells, n0, n1, LO, HI, supp, NULL, NULL, err)))
        goto out;
    for (i = 0; i < rows; i++) {
        if (!supp[id0[i] * (n1 + 1) + id1[i]])
            continue;
        an_withhold(res, i, (size_t)ccount);
        withhold_col(res, i, "rate_per_100k");
    }
    if (supp[n0 * (n1 + 1) + n1]) {
        an_withhold_summary(res, "total");
        /* without filters, the rows in the period are the total */
        if (small(an_data_get(res, "rows_in_period")))
            an_withhold_data(res, "rows_in_period");
    }
out:
    cscc_free(id0);
    cscc_free(id1);
    cscc_free(text);
    cscc_free(cells);
    cscc_free(supp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Trends: areas x (period, prior, year ago), in groups                      */
/* ------------------------------------------------------------------------ */

/*
 * The published counts of trends form a hierarchy: the area rows add up to
 * the "priority" and "rest" rows, and those with the rows of no area to
 * "citywide", in each of the three periods. Each level is a table with its
 * margins: T0 = {priority, rest, no area} x periods (column totals:
 * citywide), P = priority areas x periods (column totals: the priority row),
 * R = the other areas x periods (column totals: the rest row). A margin
 * withheld in P or R is forced in T0 and T0's withheld entries are forced
 * as P's and R's margins, until neither changes; then every table's
 * withheld entries lie on cycles of withheld entries (access/privacy.h).
 */

#define NPER 3
static const char *const per_col[NPER] = {"count", "prior_count", "year_ago_count"};

struct level {
    size_t n;        /* rows */
    size_t *row;     /* result row of each */
    uint64_t *cells; /* n x NPER */
    uint8_t *supp, *forced;
};

static void level_init(struct level *l, size_t cap)
{
    memset(l, 0, sizeof(*l));
    l->row = cscc_xcalloc(cap ? cap : 1, sizeof(*l->row));
    l->cells = cscc_xcalloc((cap ? cap : 1) * NPER, sizeof(*l->cells));
    l->supp = cscc_xcalloc((cap + 1) * (NPER + 1), 1);
    l->forced = cscc_xcalloc((cap + 1) * (NPER + 1), 1);
}

static void level_release(struct level *l)
{
    cscc_free(l->row);
    cscc_free(l->cells);
    cscc_free(l->supp);
    cscc_free(l->forced);
}

/* Suppresses level l; an empty level withholds nothing. */
static int level_run(struct level *l, struct cscc_err *err)
{
    if (!l->n) {
        memset(l->supp, 0, NPER + 1);
        return 0;
    }
    return privacy_suppress_forced(l->cells, l->n, NPER, LO, HI, l->forced, l->supp, NULL, NULL,
                                   err);
}

static uint64_t count_at(const struct an_result *res, size_t i, const char *col)
{
    int c = an_col_index(res, col);
    double v = c >= 0 ? an_cell_num(res, i, (size_t)c) : NAN;

    return isfinite(v) && v > 0 ? (uint64_t)v : 0;
}

/* Withholds what a row's withheld counts (flags per period) let one work out. */
static void trends_row(struct an_result *res, size_t i, const uint8_t *w)
{
    size_t k;

    for (k = 0; k < NPER; k++)
        if (w[k])
            withhold_col(res, i, per_col[k]);
    if (w[0])
        withhold_col(res, i, "rate_per_100k");
    if (w[0] || w[1]) {
        withhold_col(res, i, "prior_change");
        withhold_col(res, i, "prior_change_pct");
        withhold_col(res, i, "prior_p");
    }
    if (w[0] || w[2]) {
        withhold_col(res, i, "year_ago_change");
        withhold_col(res, i, "year_ago_change_pct");
        withhold_col(res, i, "year_ago_p");
    }
}

int http_protect_trends(struct an_result *res, struct cscc_err *err)
{
    static const char *const data_keys[] = {"rows_in_period", "rows_in_prior_period",
                                            "rows_in_year_ago_period", NULL};
    size_t rows = an_nrows(res), i, k, round;
    int cunit = an_col_index(res, "unit"), cpri = an_col_index(res, "priority");
    long long grp[3] = {-1, -1, -1}; /* result rows of priority, rest, citywide */
    uint64_t city[NPER] = {0, 0, 0};
    struct level t0, lv[2];
    int rc = 0;

    if (cunit < 0 || cpri < 0)
        return cscc_err_set(err, CSCC_EINTERNAL, "a trends result without its columns");
    level_init(&t0, 3);
    level_init(&lv[0], rows);
    level_init(&lv[1], rows);
    for (i = 0; i < rows; i++) {
        const char *unit = an_cell_str(res, i, (size_t)cunit);

        if (!strcmp(unit, "area")) {
            struct level *l = &lv[an_cell_num(res, i, (size_t)cpri) == 1 ? 0 : 1];

            l->row[l->n] = i;
            for (k = 0; k < NPER; k++)
                l->cells[l->n * NPER + k] = count_at(res, i, per_col[k]);
            l->n++;
        } else if (!strcmp(unit, "priority")) {
            grp[0] = (long long)i;
        } else if (!strcmp(unit, "rest")) {
            grp[1] = (long long)i;
        } else if (!strcmp(unit, "citywide")) {
            grp[2] = (long long)i;
        }
    }
    /* T0: priority, rest, and the rows of no area (citywide less both). */
    t0.n = 3;
    for (k = 0; k < NPER; k++) {
        uint64_t p = grp[0] >= 0 ? count_at(res, (size_t)grp[0], per_col[k]) : 0;
        uint64_t r = grp[1] >= 0 ? count_at(res, (size_t)grp[1], per_col[k]) : 0;

        city[k] = grp[2] >= 0 ? count_at(res, (size_t)grp[2], per_col[k]) : p + r;
        t0.cells[0 * NPER + k] = p;
        t0.cells[1 * NPER + k] = r;
        t0.cells[2 * NPER + k] = city[k] >= p + r ? city[k] - p - r : 0;
    }
    for (round = 0; round < 64; round++) {
        int changed = 0, g;

        if ((rc = level_run(&t0, err)))
            goto out;
        for (g = 0; g < 2; g++) {
            struct level *l = &lv[g];

            /* P's (R's) margins are T0's row g. */
            for (k = 0; k <= NPER; k++)
                l->forced[l->n * (NPER + 1) + k] = t0.supp[(size_t)g * (NPER + 1) + k];
            if ((rc = level_run(l, err)))
                goto out;
            if (!l->n)
                continue;
            for (k = 0; k <= NPER; k++)
                if (l->supp[l->n * (NPER + 1) + k] && !t0.supp[(size_t)g * (NPER + 1) + k]) {
                    t0.forced[(size_t)g * (NPER + 1) + k] = 1;
                    changed = 1;
                }
        }
        if (!changed)
            break;
    }
    /* The cells, then what follows from them. */
    for (k = 0; k < 2; k++) {
        struct level *l = &lv[k];

        for (i = 0; i < l->n; i++)
            trends_row(res, l->row[i], &l->supp[i * (NPER + 1)]);
    }
    for (k = 0; k < 2; k++)
        if (grp[k] >= 0)
            trends_row(res, (size_t)grp[k], &t0.supp[k * (NPER + 1)]);
    if (grp[2] >= 0)
        trends_row(res, (size_t)grp[2], &t0.supp[3 * (NPER + 1)]);
    {
        const uint8_t *pw = &t0.supp[0], *rw = &t0.supp[NPER + 1], *cw = &t0.supp[3 * (NPER + 1)];

        if (cw[0])
            an_withhold_summary(res, "count");
        if (cw[1])
            an_withhold_summary(res, "prior_count");
        if (cw[2])
            an_withhold_summary(res, "year_ago_count");
        if (pw[0]) {
            an_withhold_summary(res, "priority_count");
            an_withhold_summary(res, "priority_rate_per_100k");
        }
        if (rw[0]) {
            an_withhold_summary(res, "rest_count");
            an_withhold_summary(res, "rest_rate_per_100k");
        }
        if (pw[0] || cw[0])
            an_withhold_summary(res, "priority_share");
        if (pw[0] || rw[0])
            an_withhold_summary(res, "priority_vs_rest_rate_ratio");
        if (pw[0] || pw[1] || rw[0] || rw[1]) {
            an_withhold_summary(res, "priority_vs_rest_prior_change_ratio");
            an_withhold_summary(res, "priority_vs_rest_prior_z");
            an_withhold_summary(res, "priority_vs_rest_prior_p");
        }
        if (pw[0] || pw[2] || rw[0] || rw[2]) {
            an_withhold_summary(res, "priority_vs_rest_year_ago_change_ratio");
            an_withhold_summary(res, "priority_vs_rest_year_ago_z");
            an_withhold_summary(res, "priority_vs_rest_year_ago_p");
        }
        /* The warning that counts the rows of no area gives T0's third row. */
        if (t0.supp[2 * (NPER + 1)])
            for (i = 0; i < an_nwarnings(res); i++)
                if (strstr(an_warning_at(res, i), "have no community area"))
                    an_withhold_warning(res, i);
    }
    withhold_small_data(res, data_keys);
out:
    level_release(&t0);
    level_release(&lv[0]);
    level_release(&lv[1]);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Priority: areas x years, with the period's total per area                 */
/* ------------------------------------------------------------------------ */

int http_protect_priority(struct an_result *res, struct cscc_err *err)
{
    static const char *const data_keys[] = {"rows_in_period", NULL};
    size_t rows = an_nrows(res), ncols = an_ncols(res), ny = 0, i, j, c;
    int cser = an_col_index(res, "serious"), *ycol;
    uint64_t *cells;
    uint8_t *supp;
    int rc = 0;

    if (cser < 0)
        return cscc_err_set(err, CSCC_EINTERNAL, "a priority result without its columns");
    withhold_small_data(res, data_keys);
    if (!rows)
        return 0;
    ycol = cscc_xcalloc(ncols, sizeof(*ycol));
    /* The years' columns; without them the table is the totals alone. */
    for (c = 0; c < ncols; c++) {
        char name[32];

        for (j = 1900; j < 2200; j++) {
            snprintf(name, sizeof(name), "count_%zu", j);
            if (an_col_index(res, name) == (int)c)
                ycol[ny++] = (int)c;
        }
    }
    if (!ny)
        ycol[ny++] = cser;
    if ((rows + 1) * (ny + 1) > HTTP_PUBLIC_MAX_CELLS) {
        cscc_free(ycol);
        return too_big(rows * ny, err);
    }
    cells = cscc_xcalloc(rows * ny, sizeof(*cells));
    supp = cscc_xcalloc((rows + 1) * (ny + 1), 1);
    for (i = 0; i < rows; i++)
        for (j = 0; j < ny; j++) {
            double v = an_cell_num(res, i, (size_t)ycol[j]);

            cells[i * ny + j] = isfinite(v) && v > 0 ? (uint64_t)v : 0;
        }
    if (!(rc = privacy_suppress(cells, rows, ny, LO, HI, supp, NULL, NULL, err))) {
        for (i = 0; i < rows; i++) {
            for (j = 0; j < ny; j++)
                if (supp[i * (ny + 1) + j])
                    an_withhold(res, i, (size_t)ycol[j]);
            /* The row total is the period's serious victimizations. */
            if (supp[i * (ny + 1) + ny] || (ycol[0] == cser && supp[i * (ny + 1)])) {
                an_withhold(res, i, (size_t)cser);
                withhold_col(res, i, "mean_per_year");
            }
        }
    }
    cscc_free(ycol);
    cscc_free(cells);
    cscc_free(supp);
    return rc;
}
