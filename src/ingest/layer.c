/* layer.c - point layers: any CSV with coordinates (311 requests, business
 * and liquor licences, the gunshot-victims file, an analyst's own list).
 *
 * The table keeps typed columns for what analyses need (date, latitude,
 * longitude, community area) and every other source column as text. Rows are
 * known by --id when given, otherwise by a hash of the whole record plus its
 * occurrence, so importing the same file twice changes nothing.
 */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/hash.h"
#include "core/time.h"
#include "geo/proj.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

enum { L_ID, L_ROWHASH, L_DATE, L_LAT, L_LON, L_AREA, L_AREA_SRC, L_FIXED };

#define MAX_WHERE 32

struct layer {
    struct ingest__dataset ds;
    struct ingest__colspec cols[IB_MAX_COLS];
    char colname[IB_MAX_COLS][COLSTORE_NAME_MAX + 1];
    char srcname[IB_MAX_COLS][256]; /* source header name of each attribute column */
    int area_attr;                  /* attribute column holding a community area, or -1 */
    char crs[64];                   /* CRS of --x/--y, "" for --lat/--lon */
    struct {
        char col[256];
        char val[256];
    } where[MAX_WHERE];
    size_t nwhere;
};

struct binding {
    const struct layer *l;
    int src[IB_MAX_COLS]; /* source field of each attribute column */
    int c_lat, c_lon, c_x, c_y, c_date, c_id;
    int where_src[MAX_WHERE];
};

struct scratch {
    struct geo_proj *proj;
    int proj_failed;
};

static int is_fixed_name(const char *s)
{
    static const char *const fixed[] = {"id",        "row_hash",       "date",       "latitude",
                                        "longitude", "community_area", "area_source"};
    size_t i;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (!strcmp(s, fixed[i]))
            return 1;
    return 0;
}

/* "Service Request Number" -> "service_request_number". */
static void sanitize(const char *p, size_t len, char *out, size_t cap)
{
    size_t i, o = 0;
    int us = 0;

    for (i = 0; i < len && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];

        if (isalnum(c)) {
            out[o++] = (char)tolower(c);
            us = 0;
        } else if (!us && o) {
            out[o++] = '_';
            us = 1;
        }
    }
    while (o && out[o - 1] == '_')
        o--;
    out[o] = '\0';
    if (!o)
        snprintf(out, cap, "column");
}

static int header_is(const struct csv_field *f, const char *name)
{
    return name && ingest__name_eq(f->p, f->len, name);
}

static void scratch_free(void *p)
{
    struct scratch *s = p;

    if (!s)
        return;
    geo_proj_free(s->proj);
    cscc_free(s);
}

static void *bind(const struct ingest__dataset *ds, const struct ingest_opts *o,
                  const struct csv_row *h, const char *file, struct cscc_err *err)
{
    const struct layer *l = (const struct layer *)ds;
    struct binding *b = cscc_xcalloc(1, sizeof(*b));
    size_t c, i;

    b->l = l;
    b->c_lat = o->col_lat ? ingest__find_col(h, o->col_lat) : -1;
    b->c_lon = o->col_lon ? ingest__find_col(h, o->col_lon) : -1;
    b->c_x = o->col_x ? ingest__find_col(h, o->col_x) : -1;
    b->c_y = o->col_y ? ingest__find_col(h, o->col_y) : -1;
    b->c_date = o->col_date ? ingest__find_col(h, o->col_date) : -1;
    b->c_id = o->col_id ? ingest__find_col(h, o->col_id) : -1;
#define NEED(opt, idx, what)                                                                       \
    if (o->opt && b->idx < 0) {                                                                    \
        cscc_err_set(err, CSCC_EDATA, "%s has no column '%s' (given with %s)", file, o->opt,       \
                     what);                                                                        \
        goto fail;                                                                                 \
    }
    NEED(col_lat, c_lat, "--lat")
    NEED(col_lon, c_lon, "--lon")
    NEED(col_x, c_x, "--x")
    NEED(col_y, c_y, "--y")
    NEED(col_date, c_date, "--date")
    NEED(col_id, c_id, "--id")
#undef NEED
    for (c = L_FIXED; c < l->ds.ncols; c++) {
        b->src[c] = ingest__find_col(h, l->srcname[c]);
        if (b->src[c] < 0) {
            cscc_err_set(err, CSCC_EDATA,
                         "%s has no column '%s', which the first file of this import has; "
                         "import files with different columns as separate layers",
                         file, l->srcname[c]);
            goto fail;
        }
    }
    for (i = 0; i < l->nwhere; i++) {
        b->where_src[i] = ingest__find_col(h, l->where[i].col);
        if (b->where_src[i] < 0) {
            cscc_err_set(err, CSCC_EDATA, "%s has no column '%s' (given with --where)", file,
                         l->where[i].col);
            goto fail;
        }
    }
    return b;
fail:
    cscc_free(b);
    return NULL;
}

static void unbind(void *b)
{
    cscc_free(b);
}

static int field_eq_ci(const struct csv_field *f, const char *s)
{
    const char *p = f->p;
    size_t len = f->len;

    ingest__trim(&p, &len);
    return len == strlen(s) && !strncasecmp(p, s, len);
}

static int parse(struct ingest__worker *w, const void *bv, const struct csv_row *rec, size_t r,
                 struct ingest__reject *rej)
{
    const struct binding *b = bv;
    const struct layer *l = b->l;
    const struct ingest_opts *o = w->opts;
    const struct csv_field *f = rec->fields;
    struct ingest__seg *s = w->seg;
    double lat = NAN, lon = NAN;
    uint64_t h = 0;
    size_t c, i, j;
    int rc, area = -1;

    /* --where: every column named must equal one of its values. */
    for (i = 0; i < l->nwhere; i++) {
        int ok = 0, seen = 0;

        for (j = 0; j < i; j++)
            seen |= !strcasecmp(l->where[j].col, l->where[i].col);
        if (seen)
            continue;
        for (j = i; j < l->nwhere; j++)
            if (!strcasecmp(l->where[j].col, l->where[i].col) &&
                field_eq_ci(&f[b->where_src[j]], l->where[j].val))
                ok = 1;
        if (!ok)
            return 2; /* filtered out, not rejected */
    }
    for (i = 0; i < rec->nfields; i++)
        h = cscc_hash(f[i].p, f[i].len, h ^ (uint64_t)i);
    ingest__put_i64(s, L_ROWHASH, r, (int64_t)(h >> 1));
    if (b->c_id >= 0) {
        const char *p = f[b->c_id].p;
        size_t len = f[b->c_id].len;
        int64_t id;

        ingest__trim(&p, &len);
        if (!len)
            return ingest__reject(rej, "missing id", o->col_id, NULL);
        if (ingest__parse_int(p, len, &id) != 0 || id <= 0)
            id = (int64_t)(cscc_hash(p, len, 0) >> 1);
        ingest__put_i64(s, L_ID, r, id);
    }
    if (b->c_date >= 0) {
        const struct csv_field *v = &f[b->c_date];
        struct cscc_tparse tp;
        const char *p = v->p;
        size_t len = v->len;

        ingest__trim(&p, &len);
        if (len) {
            rc = o->date_format ? cscc_parse_datetime_fmt(p, len, o->date_format, &tp)
                                : cscc_parse_datetime(p, len, &tp);
            if (rc)
                return ingest__reject(
                    rej, o->date_format ? "date does not match --date-format" : "bad date",
                    o->col_date, v);
            if (tp.has_offset && !o->date_format)
                return ingest__reject(
                    rej,
                    "date has a time-zone offset; give --date-format to say how to "
                    "read it",
                    o->col_date, v);
            ingest__put_i64(s, L_DATE, r, tp.t);
        }
    }
    if (b->c_lat >= 0) {
        rc = ingest__field_double(&f[b->c_lat], &lat);
        if (rc < 0 || (rc == 0 && fabs(lat) > 90))
            return ingest__reject(rej, "bad latitude", o->col_lat, &f[b->c_lat]);
        rc = ingest__field_double(&f[b->c_lon], &lon);
        if (rc < 0 || (rc == 0 && fabs(lon) > 180))
            return ingest__reject(rej, "bad longitude", o->col_lon, &f[b->c_lon]);
    } else {
        double x, y;
        int rx = ingest__field_double(&f[b->c_x], &x);
        int ry = ingest__field_double(&f[b->c_y], &y);

        if (rx < 0)
            return ingest__reject(rej, "bad x coordinate", o->col_x, &f[b->c_x]);
        if (ry < 0)
            return ingest__reject(rej, "bad y coordinate", o->col_y, &f[b->c_y]);
        if (rx == 0 && ry == 0) {
            struct scratch *sc = w->scratch;

            if (!sc)
                sc = w->scratch = cscc_xcalloc(1, sizeof(*sc));
            if (!sc->proj && !sc->proj_failed) {
                struct cscc_err e;

                cscc_err_clear(&e);
                sc->proj = geo_proj_new(l->crs, "EPSG:4326", &e);
                sc->proj_failed = !sc->proj;
            }
            if (!sc->proj)
                return ingest__reject(rej, "cannot convert coordinates (PROJ is not available)",
                                      o->col_x, NULL);
            if (geo_proj_fwd(sc->proj, &x, &y))
                return ingest__reject(rej, "coordinates outside the projection", o->col_x,
                                      &f[b->c_x]);
            lon = x;
            lat = y;
        }
    }
    if (isnan(lat) != isnan(lon))
        return ingest__reject(rej, "only one coordinate", isnan(lat) ? o->col_lat : o->col_lon,
                              NULL);
    ingest__put_f64(s, L_LAT, r, lat);
    ingest__put_f64(s, L_LON, r, lon);
    for (c = L_FIXED; c < l->ds.ncols; c++) {
        const char *p = f[b->src[c]].p;
        size_t len = f[b->src[c]].len;

        ingest__trim(&p, &len);
        if (ingest__put_dict(s, (int)c, r, p, len))
            return ingest__reject(rej, "too many distinct values", l->srcname[c], NULL);
        if ((int)c == l->area_attr && len) {
            int64_t a;

            if (ingest__parse_int(p, len, &a) == 0 && a > 0 && a <= w->max_area)
                area = (int)a;
        }
    }
    if (area > 0) {
        ingest__put_u8(s, L_AREA, r, (uint8_t)area);
        ingest__put_u8(s, L_AREA_SRC, r, 0);
    } else if ((area = ingest__place(w, lat, lon)) > 0) {
        ingest__put_u8(s, L_AREA, r, (uint8_t)area);
        ingest__put_u8(s, L_AREA_SRC, r, 1);
        w->placed++;
    } else {
        w->unplaced++;
    }
    return 0;
}

static int valid_name(const char *n)
{
    size_t i, len = strlen(n);

    if (len < 1 || len > 40)
        return 0;
    for (i = 0; i < len; i++)
        if (!(islower((unsigned char)n[i]) || isdigit((unsigned char)n[i]) || n[i] == '_' ||
              n[i] == '-'))
            return 0;
    return 1;
}

struct ingest__dataset *ingest__layer(const struct ingest_opts *o, const char *const *files,
                                      struct cscc_err *err)
{
    struct layer *l = NULL;
    struct csv_reader *r = NULL;
    struct csv_row h;
    size_t i, c;
    int rc;

    if (!o->layer || !valid_name(o->layer)) {
        cscc_err_set(err, CSCC_EINVAL,
                     "layer name '%s' must be 1 to 40 lowercase letters, digits, '_' or '-'",
                     o->layer ? o->layer : "");
        return NULL;
    }
    if (!((o->col_lat && o->col_lon && !o->col_x && !o->col_y) ||
          (o->col_x && o->col_y && !o->col_lat && !o->col_lon))) {
        cscc_err_set(err, CSCC_EINVAL,
                     "a layer needs its coordinates: --lat COL --lon COL, or --x COL --y COL "
                     "with --units m|ft or --crs");
        return NULL;
    }
    if (o->col_x && !o->units == !o->crs) {
        cscc_err_set(err, CSCC_EINVAL, "--x/--y need either --units m|ft or --crs EPSG:N");
        return NULL;
    }
    if (o->units && !geo_city_crs_for_units(o->units)) {
        cscc_err_set(err, CSCC_EINVAL, "--units is m or ft, not '%s'", o->units);
        return NULL;
    }
    if (o->date_format && (!o->col_date || cscc_check_date_format(o->date_format))) {
        cscc_err_set(err, CSCC_EINVAL,
                     o->col_date ? "--date-format '%s' uses a directive cscc does not know "
                                   "(%%Y %%y %%m %%d %%H %%I %%M %%S %%p %%b)"
                                 : "--date-format '%s' needs --date COL",
                     o->date_format);
        return NULL;
    }
    l = cscc_xcalloc(1, sizeof(*l));
    l->area_attr = -1;
    snprintf(l->ds.table, sizeof(l->ds.table), "layer_%s", o->layer);
    for (i = 0; l->ds.table[i]; i++)
        if (l->ds.table[i] == '-')
            l->ds.table[i] = '_';
    if (o->col_x)
        snprintf(l->crs, sizeof(l->crs), "%s", o->crs ? o->crs : geo_city_crs_for_units(o->units));
    for (i = 0; o->where && o->where[i]; i++) {
        const char *eq = strchr(o->where[i], '=');

        if (i == MAX_WHERE) {
            cscc_err_set(err, CSCC_EINVAL, "at most %d --where filters", MAX_WHERE);
            goto fail;
        }
        snprintf(l->where[i].col, sizeof(l->where[i].col), "%.*s", (int)(eq - o->where[i]),
                 o->where[i]);
        snprintf(l->where[i].val, sizeof(l->where[i].val), "%s", eq + 1);
        l->nwhere++;
    }
    /* The schema comes from the first file's header. */
    if (!files || !files[0]) {
        cscc_err_set(err, CSCC_EINVAL, "no input files");
        goto fail;
    }
    if (!strcmp(files[0], "-")) {
        cscc_err_set(err, CSCC_EINVAL,
                     "a layer is imported from files, not standard input (its columns are read "
                     "first)");
        goto fail;
    }
    if (!(r = csv_open_file(files[0], NULL, err)))
        goto fail;
    rc = csv_next(r, &h, err);
    if (rc <= 0) {
        if (rc == 0)
            cscc_err_set(err, CSCC_EDATA, "%s is empty: a header row was expected", files[0]);
        goto fail;
    }
    l->cols[L_ID] = (struct ingest__colspec){"id", COLSTORE_I64};
    l->cols[L_ROWHASH] = (struct ingest__colspec){"row_hash", COLSTORE_I64};
    l->cols[L_DATE] = (struct ingest__colspec){"date", COLSTORE_I64};
    l->cols[L_LAT] = (struct ingest__colspec){"latitude", COLSTORE_F64};
    l->cols[L_LON] = (struct ingest__colspec){"longitude", COLSTORE_F64};
    l->cols[L_AREA] = (struct ingest__colspec){"community_area", COLSTORE_U8};
    l->cols[L_AREA_SRC] = (struct ingest__colspec){"area_source", COLSTORE_U8};
    c = L_FIXED;
    for (i = 0; i < h.nfields; i++) {
        const struct csv_field *f = &h.fields[i];
        size_t k;

        if (header_is(f, o->col_lat) || header_is(f, o->col_lon) || header_is(f, o->col_x) ||
            header_is(f, o->col_y) || header_is(f, o->col_date))
            continue;
        if (c == IB_MAX_COLS) {
            cscc_err_set(err, CSCC_ELIMIT, "%s has more than %d columns; a layer keeps at most %d",
                         files[0], IB_MAX_COLS - L_FIXED, IB_MAX_COLS - L_FIXED);
            goto fail;
        }
        snprintf(l->srcname[c], sizeof(l->srcname[0]), "%.*s", (int)f->len, f->p);
        sanitize(f->p, f->len, l->colname[c], sizeof(l->colname[0]) - 4);
        if (is_fixed_name(l->colname[c]))
            snprintf(l->colname[c] + strlen(l->colname[c]), 5, "_src");
        for (k = L_FIXED; k < c; k++) {
            if (!strcmp(l->colname[k], l->colname[c])) {
                size_t n = strlen(l->colname[c]);

                /* a repeated header name: tell the columns apart by position */
                snprintf(l->colname[c] + (n > 48 ? 48 : n), 7, "_%u", (unsigned)(i + 1) % 10000);
                break;
            }
        }
        if (!strcmp(l->colname[c], "community_area_src"))
            l->area_attr = (int)c;
        l->cols[c] = (struct ingest__colspec){l->colname[c], COLSTORE_DICT};
        c++;
    }
    csv_close(r);
    l->ds.name = "layer";
    l->ds.cols = l->cols;
    l->ds.ncols = c;
    l->ds.col_id = L_ID;
    l->ds.col_t = L_DATE;
    l->ds.col_updated = -1;
    l->ds.col_area = L_AREA;
    l->ds.ckey[0] = L_ROWHASH;
    l->ds.nckey = 1;
    l->ds.bind = bind;
    l->ds.parse = parse;
    l->ds.unbind = unbind;
    l->ds.scratch_free = scratch_free;
    return &l->ds;
fail:
    csv_close(r);
    cscc_free(l);
    return NULL;
}

void ingest__layer_free(struct ingest__dataset *ds)
{
    cscc_free(ds);
}
