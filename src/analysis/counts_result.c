/* counts_result.c - a counts result as an analysis result (result.h), so
 * counts are written as CSV, JSON or GeoJSON like every other analysis: the
 * server's /api/v1/analyses/counts and the GeoJSON of /api/v1/counts. */
#include "analysis/counts.h"

#include "analysis/result.h"
#include "core/alloc.h"
#include "core/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct geoms {
    char *g[256];
};

static int geom_cb(void *arg, const struct store_area *a)
{
    struct geoms *gs = arg;

    if (a->number >= 1 && a->number < 255 && a->geometry) {
        cscc_free(gs->g[a->number]);
        gs->g[a->number] = cscc_xstrdup(a->geometry);
    }
    return 0;
}

static void params_of(struct an_result *res, const struct counts_query *q)
{
    char buf[1024];
    size_t i, o = 0;

    for (i = 0; i < q->nkeys && o < sizeof(buf); i++) {
        static const char *const names[COUNTS_NKEYS] = {"area", "year",     "month", "week",
                                                        "day",  "weekday",  "hour",  "type",
                                                        "fbi",  "district", "beat",  "ward"};

        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "," : "", names[q->keys[i]]);
    }
    an_param(res, "by", "%s", q->nkeys ? buf : "");
    if (q->has_from) {
        cscc_format_day(q->day_from, buf);
        an_param(res, "from", "%s", buf);
    }
    if (q->has_to) {
        cscc_format_day(q->day_to, buf);
        an_param(res, "to", "%s", buf);
    }
    if (q->category)
        an_param(res, "category", "%s", q->category);
    for (i = 0; i < q->ntypes; i++)
        an_param(res, "type", "%s", q->types[i]);
    for (i = 0; i < q->nfbi; i++)
        an_param(res, "fbi", "%s", q->fbi[i]);
    for (i = 0; i < q->nareas; i++)
        an_param_num(res, "area", q->areas[i]);
    if (q->priority)
        an_param(res, "priority", "true");
    if (q->rate)
        an_param(res, "rate", "true");
    if (q->population)
        an_param(res, "population", "%s", q->population);
}

struct an_result *counts_as_result(const struct counts_result *r, const struct counts_query *q,
                                   struct store *st, int geometry, struct cscc_err *err)
{
    struct an_result *res = NULL;
    struct geoms gs;
    size_t i, k;
    int area_key = -1;

    memset(&gs, 0, sizeof(gs));
    for (k = 0; k < q->nkeys; k++)
        if (counts_key_is(r, k, COUNTS_AREA))
            area_key = (int)k;
    if (geometry && area_key >= 0 && store_each_area(st, 1, geom_cb, &gs, err))
        goto out;
    res = an_result_new("counts");
    params_of(res, q);
    an_data(res, "dataset", "crimes");
    an_data_num(res, "rows_in_period", (double)counts_rows_in_period(r));
    an_data(res, "timezone", "America/Chicago");
    an_summary_num(res, "total", (double)counts_total(r));
    if (counts_warnings(r)[0])
        an_warn(res, "%s", counts_warnings(r));
    /* Columns: the keys as the CSV has them; numbers where the values are. */
    for (k = 0; k < q->nkeys; k++) {
        int num = counts_key_is(r, k, COUNTS_AREA) || counts_key_is(r, k, COUNTS_YEAR) ||
                  counts_key_is(r, k, COUNTS_HOUR) || counts_key_is(r, k, COUNTS_DISTRICT) ||
                  counts_key_is(r, k, COUNTS_WARD);

        an_column(res, counts_key_column(r, k), num ? AN_NUM : AN_STR);
        if ((int)k == area_key)
            an_column(res, "name", AN_STR);
    }
    an_column(res, "count", AN_INT);
    if (q->rate)
        an_column(res, "rate_per_100k", AN_NUM);
    for (i = 0; i < counts_nrows(r); i++) {
        const struct counts_row *row = counts_row_at(r, i);

        an_row(res);
        for (k = 0; k < q->nkeys; k++) {
            char buf[128];
            int kind = counts_cell(r, i, k, buf, sizeof(buf));

            if (kind == COUNTS_CELL_NUM)
                an_num(res, strtod(buf, NULL));
            else if (kind == COUNTS_CELL_NULL && counts_key_is(r, k, COUNTS_AREA))
                an_num(res, NAN);
            else if (kind == COUNTS_CELL_NULL &&
                     (counts_key_is(r, k, COUNTS_DISTRICT) || counts_key_is(r, k, COUNTS_WARD)))
                an_num(res, NAN);
            else
                an_str(res, buf);
            if ((int)k == area_key)
                an_str(res, counts_area_name(r, row->key[k]));
        }
        an_int(res, (int64_t)row->count);
        if (q->rate)
            an_num(res, row->rate);
        if (area_key >= 0 && row->key[area_key] < 256 && gs.g[row->key[area_key]])
            an_geom_json(res, gs.g[row->key[area_key]]);
    }
out:
    for (i = 0; i < 256; i++)
        cscc_free(gs.g[i]);
    return res;
}
