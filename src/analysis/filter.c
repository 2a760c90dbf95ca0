/* filter.c - the incident filter of struct counts_query, shared by
 * `query counts` and the analyses (see analysis_int.h). */
#include "analysis/analysis_int.h"

#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int area_cb(void *arg, const struct store_area *a)
{
    struct analysis__filter *f = arg;

    if (a->number > 0 && a->number < 255)
        f->area_known[a->number] = 1;
    return 0;
}

/* The condition of column match m: a dictionary column's values, or tab for
 * a 1-byte number column. */
static int match_init(struct analysis__filter *f, const struct colstore_table *t,
                      const struct counts_match *m, uint8_t *tab, struct cscc_err *err)
{
    struct analysis__cond *c = &f->c[f->n++];
    int ci = m->column ? colstore_col_index(t, m->column) : -1;
    size_t v;

    if (ci < 0)
        return cscc_err_set(err, CSCC_EINVAL, "the table has no column '%s'",
                            m->column ? m->column : "");
    if (m->nvalues > sizeof(m->values) / sizeof(m->values[0]))
        return cscc_err_set(err, CSCC_EINVAL, "too many values for column '%s'", m->column);
    c->ci = ci;
    c->what = m->column;
    c->negate = m->negate;
    if (colstore_schema_type(t, (size_t)ci) == COLSTORE_DICT) {
        c->vals = m->values;
        c->nvals = m->nvalues;
        return 0;
    }
    if (colstore_schema_type(t, (size_t)ci) != COLSTORE_U8)
        return cscc_err_set(err, CSCC_EINVAL,
                            "column '%s' cannot be filtered on (a text or 1-byte number column "
                            "can)",
                            m->column);
    memset(tab, m->negate ? 1 : 0, 256);
    for (v = 0; v < m->nvalues; v++) {
        unsigned long x = COLSTORE_NULL_U8;
        char *end = NULL;

        if (m->values[v][0]) {
            x = strtoul(m->values[v], &end, 10);
            if (*end || x >= COLSTORE_NULL_U8)
                return cscc_err_set(err, CSCC_EINVAL,
                                    "column '%s' holds numbers 0 to 254, not '%s'", m->column,
                                    m->values[v]);
        }
        tab[x] = m->negate ? 0 : 1;
    }
    c->fixed = tab;
    return 0;
}

int analysis__filter_init(struct analysis__filter *f, const struct colstore_table *t,
                          struct store *st, const struct counts_query *q, struct cscc_err *err)
{
    size_t i;
    int rc;
    int64_t first, last;

    memset(f, 0, sizeof(*f));
    if ((rc = store_each_area(st, 0, area_cb, f, err)))
        return rc;
    if (q->nareas || q->priority) {
        for (i = 0; i < q->nareas; i++) {
            if (q->areas[i] <= 0 || q->areas[i] >= 255 || !f->area_known[q->areas[i]])
                return cscc_err_set(err, CSCC_EINVAL, "there is no community area %d", q->areas[i]);
            f->area_ok[q->areas[i]] = 1;
        }
        if (q->priority) {
            int pri[256];
            size_t np = 0;

            if ((rc = store_get_priority(st, "ocos", pri, 256, &np, err)))
                return rc;
            if (!np)
                return cscc_err_set(err, CSCC_EINVAL, "no priority areas are configured");
            for (i = 0; i < np; i++)
                if (pri[i] > 0 && pri[i] < 255)
                    f->area_ok[pri[i]] = 1;
        }
    } else {
        for (i = 1; i < 255; i++)
            f->area_ok[i] = (uint8_t)f->area_known[i];
        f->area_ok[255] = 1; /* unknown area: kept when no area filter is given */
    }
    /* Period: the query's range, else the table's. */
    colstore_day_span(t, &first, &last);
    f->first_day = q->has_from ? q->day_from : first;
    f->last_day = q->has_to ? q->day_to : last;

    if (q->nareas || q->priority) {
        f->c[f->n].ci = colstore_col_index(t, "community_area");
        f->c[f->n].fixed = f->area_ok;
        f->n++;
    }
    if (q->ntypes) {
        f->c[f->n].ci = colstore_col_index(t, "primary_type");
        f->c[f->n].vals = q->types;
        f->c[f->n].nvals = q->ntypes;
        f->c[f->n].what = "primary type";
        f->n++;
    }
    if (q->nfbi || q->category) {
        char *save = NULL, *tok;

        for (i = 0; i < q->nfbi; i++)
            f->codes[f->ncodes++] = q->fbi[i];
        if (q->category) {
            if ((rc = store_get_category(st, q->category, f->catbuf, sizeof(f->catbuf), err))) {
                if (rc == CSCC_ENOENT)
                    rc = cscc_err_set(err, CSCC_EINVAL,
                                      "unknown category '%s'; 'cscc init' loads the categories of "
                                      "data/reference/categories.csv",
                                      q->category);
                return rc;
            }
            for (tok = strtok_r(f->catbuf, " ,", &save); tok && f->ncodes < COUNTS_MAX_VALUES * 2;
                 tok = strtok_r(NULL, " ,", &save))
                f->codes[f->ncodes++] = tok;
        }
        for (i = 0; i < f->ncodes; i++) {
            size_t l = strlen(f->fbi_list);

            snprintf(f->fbi_list + l, sizeof(f->fbi_list) - l, "%s%s", i ? " " : "", f->codes[i]);
        }
        f->c[f->n].ci = colstore_col_index(t, "fbi_code");
        f->c[f->n].vals = f->codes;
        f->c[f->n].nvals = f->ncodes;
        f->c[f->n].what = "FBI code";
        f->n++;
    }
    if (q->nmatch > COUNTS_MAX_MATCH)
        return cscc_err_set(err, CSCC_EINVAL, "at most %d column filters", COUNTS_MAX_MATCH);
    for (i = 0; i < q->nmatch; i++)
        if ((rc = match_init(f, t, &q->match[i], f->match_tab[i], err)))
            return rc;
    for (i = 0; i < f->n; i++)
        if (f->c[i].ci < 0)
            return cscc_err_set(err, CSCC_EDATA,
                                "the crimes table lacks a column this query needs");
    return 0;
}

/* The condition's table for one group's dictionary: 1 for the wanted strings. */
static uint8_t *dict_filter(const struct colstore_col *c, const char *const *vals, size_t n,
                            int negate, uint8_t (*seen)[ANALYSIS__MAX_FILTERS], size_t fi,
                            size_t *nlut)
{
    uint32_t count = colstore_col_dict_count(c), k;
    size_t i;
    uint8_t *lut;

    *nlut = colstore_col_code_space(c);
    lut = cscc_xcalloc(*nlut, 1);
    for (k = 0; k < count; k++) {
        size_t len;
        const char *s = colstore_col_dict_str(c, k, &len);

        for (i = 0; i < n; i++) {
            if (len == strlen(vals[i]) && !strncasecmp(s, vals[i], len)) {
                lut[k] = 1;
                seen[i][fi] = 1;
            }
        }
    }
    if (negate)
        for (k = 0; k < *nlut; k++)
            lut[k] ^= 1;
    return lut;
}

void analysis__filter_group(struct analysis__filter *f, const struct colstore_group *gr,
                            struct analysis__group_filter *g)
{
    size_t i;

    memset(g, 0, sizeof(*g));
    for (i = 0; i < f->n; i++) {
        const struct colstore_col *c = colstore_group_col(gr, (size_t)f->c[i].ci);

        if (f->c[i].fixed) {
            g->lut[i] = cscc_xmalloc(256);
            memcpy(g->lut[i], f->c[i].fixed, 256);
            g->nlut[i] = 256;
        } else {
            g->lut[i] = dict_filter(c, f->c[i].vals, f->c[i].nvals, f->c[i].negate, f->seen, i,
                                    &g->nlut[i]);
        }
    }
}

void analysis__filter_group_release(struct analysis__group_filter *g)
{
    size_t i;

    for (i = 0; i < ANALYSIS__MAX_FILTERS; i++) {
        cscc_free(g->lut[i]);
        g->lut[i] = NULL;
    }
}

/* out[j] &= lut[code of row lo + j] for a column of any code width. */
static void codes_lut(const struct colstore_col *c, size_t lo, size_t n, const uint8_t *lut,
                      size_t nlut, uint8_t *out)
{
    const void *d = colstore_col_data(c);
    size_t j;

    switch (colstore_col_width(c)) {
    case 1: {
        const uint8_t *p = (const uint8_t *)d + lo;

        for (j = 0; j < n; j++)
            out[j] &= lut[p[j]];
        break;
    }
    case 2: {
        const uint16_t *p = (const uint16_t *)d + lo;

        for (j = 0; j < n; j++)
            out[j] &= lut[p[j]];
        break;
    }
    default: {
        const uint32_t *p = (const uint32_t *)d + lo;

        for (j = 0; j < n; j++)
            out[j] &= lut[p[j] < nlut ? p[j] : nlut - 1];
    }
    }
}

void analysis__filter_mask(const struct analysis__filter *f, const struct colstore_group *gr,
                           const struct analysis__group_filter *g, size_t lo, size_t n,
                           uint8_t *mask)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        codes_lut(colstore_group_col(gr, (size_t)f->c[i].ci), lo, n, g->lut[i], g->nlut[i], mask);
}

void analysis__filter_warnings(const struct analysis__filter *f, struct strbuf *warn)
{
    size_t i, v;

    for (i = 0; i < f->n; i++) {
        for (v = 0; v < f->c[i].nvals; v++) {
            if (f->seen[v][i])
                continue;
            if (warn->len)
                strbuf_adds(warn, "; ");
            strbuf_addf(warn, "no row has %s '%s'", f->c[i].what, f->c[i].vals[v]);
        }
    }
}
