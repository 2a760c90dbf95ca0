/* result.c - analysis results: parameters, data used, a table with
 * geometries, and their CSV, JSON and GeoJSON forms. */
#include "analysis/result.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/num.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kv {
    char *key, *text; /* text NULL: a number */
    double num;
};

struct kvlist {
    struct kv *v;
    size_t n, cap;
};

struct cell {
    enum an_type type;
    int withheld; /* an_withhold: written as null (JSON) or empty (CSV) */
    int64_t i;
    double d;
    char *s;
};

struct an_result {
    char *name;
    struct kvlist params, data, summary;
    char **warn;
    size_t nwarn, capwarn;
    int has_seed;
    uint64_t seed;
    char **colname;
    enum an_type *coltype;
    size_t ncols, capcols;
    struct cell *cells;         /* nrows * ncols */
    char **geom;                /* per row: GeoJSON geometry text or NULL */
    size_t nrows, caprows, cur; /* cur: cells filled in the last row */
    size_t nwithheld;           /* cells withheld (an_withhold) */
};

#define BUG(...) cscc_die(70, __VA_ARGS__) /* a caller's mistake: a bug, not bad input */

/* Grows an array to n elements of size bytes (aborts on overflow or OOM). */
static void *grow(void *p, size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        BUG("analysis result too large");
    return cscc_xrealloc(p, n * size);
}

static char *vfmt(const char *fmt, va_list ap)
{
    struct strbuf sb;

    strbuf_init(&sb, 0);
    if (strbuf_vaddf(&sb, fmt, ap))
        BUG("out of memory formatting an analysis result");
    return strbuf_take(&sb, NULL);
}

static void kv_add(struct kvlist *l, const char *key, char *text, double num)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = grow(l->v, l->cap, sizeof(*l->v));
    }
    l->v[l->n].key = cscc_xstrdup(key);
    l->v[l->n].text = text;
    l->v[l->n].num = num;
    l->n++;
}

static void kv_free(struct kvlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        cscc_free(l->v[i].key);
        cscc_free(l->v[i].text);
    }
    cscc_free(l->v);
}

struct an_result *an_result_new(const char *name)
{
    struct an_result *r = cscc_xcalloc(1, sizeof(*r));

    r->name = cscc_xstrdup(name);
    return r;
}

void an_result_free(struct an_result *r)
{
    size_t i;

    if (!r)
        return;
    cscc_free(r->name);
    kv_free(&r->params);
    kv_free(&r->data);
    kv_free(&r->summary);
    for (i = 0; i < r->nwarn; i++)
        cscc_free(r->warn[i]);
    cscc_free(r->warn);
    for (i = 0; i < r->ncols; i++)
        cscc_free(r->colname[i]);
    cscc_free(r->colname);
    cscc_free(r->coltype);
    for (i = 0; i < r->nrows * r->ncols; i++)
        cscc_free(r->cells[i].s);
    cscc_free(r->cells);
    for (i = 0; i < r->nrows; i++)
        cscc_free(r->geom[i]);
    cscc_free(r->geom);
    cscc_free(r);
}

#define KV_FMT(list)                                                                               \
    do {                                                                                           \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        kv_add(&r->list, key, vfmt(fmt, ap), 0);                                                   \
        va_end(ap);                                                                                \
    } while (0)

void an_param(struct an_result *r, const char *key, const char *fmt, ...)
{
    KV_FMT(params);
}

void an_data(struct an_result *r, const char *key, const char *fmt, ...)
{
    KV_FMT(data);
}

void an_summary(struct an_result *r, const char *key, const char *fmt, ...)
{
    KV_FMT(summary);
}

void an_param_num(struct an_result *r, const char *key, double v)
{
    kv_add(&r->params, key, NULL, v);
}

void an_data_num(struct an_result *r, const char *key, double v)
{
    kv_add(&r->data, key, NULL, v);
}

void an_summary_num(struct an_result *r, const char *key, double v)
{
    kv_add(&r->summary, key, NULL, v);
}

void an_seed(struct an_result *r, uint64_t seed)
{
    r->has_seed = 1;
    r->seed = seed;
}

void an_warn(struct an_result *r, const char *fmt, ...)
{
    va_list ap;

    if (r->nwarn == r->capwarn) {
        r->capwarn = r->capwarn ? r->capwarn * 2 : 4;
        r->warn = grow(r->warn, r->capwarn, sizeof(*r->warn));
    }
    va_start(ap, fmt);
    r->warn[r->nwarn++] = vfmt(fmt, ap);
    va_end(ap);
}

void an_column(struct an_result *r, const char *name, enum an_type type)
{
    if (r->nrows)
        BUG("an_column('%s') after the first row", name);
    if (r->ncols == r->capcols) {
        r->capcols = r->capcols ? r->capcols * 2 : 8;
        r->colname = grow(r->colname, r->capcols, sizeof(*r->colname));
        r->coltype = grow(r->coltype, r->capcols, sizeof(*r->coltype));
    }
    r->colname[r->ncols] = cscc_xstrdup(name);
    r->coltype[r->ncols++] = type;
}

void an_row(struct an_result *r)
{
    if (r->nrows && r->cur != r->ncols)
        BUG("analysis row %zu has %zu cells of %zu", r->nrows, r->cur, r->ncols);
    if (r->nrows == r->caprows) {
        r->caprows = r->caprows ? r->caprows * 2 : 64;
        r->cells = grow(r->cells, r->caprows * (r->ncols ? r->ncols : 1), sizeof(*r->cells));
        r->geom = grow(r->geom, r->caprows, sizeof(*r->geom));
    }
    r->geom[r->nrows] = NULL;
    r->nrows++;
    r->cur = 0;
}

static struct cell *next_cell(struct an_result *r, enum an_type t)
{
    struct cell *c;

    if (!r->nrows || r->cur >= r->ncols)
        BUG("analysis cell beyond the %zu columns", r->ncols);
    c = &r->cells[(r->nrows - 1) * r->ncols + r->cur++];
    memset(c, 0, sizeof(*c));
    c->type = t;
    return c;
}

void an_int(struct an_result *r, int64_t v)
{
    next_cell(r, AN_INT)->i = v;
}

void an_num(struct an_result *r, double v)
{
    next_cell(r, AN_NUM)->d = v;
}

void an_str(struct an_result *r, const char *s)
{
    next_cell(r, AN_STR)->s = cscc_xstrdup(s ? s : "");
}

static void set_geom(struct an_result *r, char *g)
{
    if (!r->nrows)
        BUG("analysis geometry before the first row");
    cscc_free(r->geom[r->nrows - 1]);
    r->geom[r->nrows - 1] = g;
}

static void add_num(struct strbuf *sb, double v)
{
    char buf[CSCC_FMT_DOUBLE_MAX];

    cscc_fmt_double(v, buf);
    if (strbuf_adds(sb, buf))
        BUG("out of memory writing a geometry");
}

void an_geom_point(struct an_result *r, double lon, double lat)
{
    struct strbuf sb;

    strbuf_init(&sb, 0);
    strbuf_adds(&sb, "{\"type\":\"Point\",\"coordinates\":[");
    add_num(&sb, lon);
    strbuf_addc(&sb, ',');
    add_num(&sb, lat);
    strbuf_adds(&sb, "]}");
    set_geom(r, strbuf_take(&sb, NULL));
}

void an_geom_ring(struct an_result *r, const double *lonlat, size_t n)
{
    struct strbuf sb;
    size_t i;
    int closed = n > 1 && lonlat[0] == lonlat[2 * (n - 1)] && lonlat[1] == lonlat[2 * (n - 1) + 1];

    strbuf_init(&sb, 0);
    strbuf_adds(&sb, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (i = 0; i <= n; i++) {
        size_t k = i < n ? i : 0;

        if (i == n && closed)
            break;
        if (i)
            strbuf_addc(&sb, ',');
        strbuf_addc(&sb, '[');
        add_num(&sb, lonlat[2 * k]);
        strbuf_addc(&sb, ',');
        add_num(&sb, lonlat[2 * k + 1]);
        strbuf_addc(&sb, ']');
    }
    strbuf_adds(&sb, "]]}");
    set_geom(r, strbuf_take(&sb, NULL));
}

void an_geom_json(struct an_result *r, const char *geometry)
{
    set_geom(r, cscc_xstrdup(geometry));
}

size_t an_nrows(const struct an_result *r)
{
    return r->nrows;
}

size_t an_ncols(const struct an_result *r)
{
    return r->ncols;
}

double an_cell_num(const struct an_result *r, size_t i, size_t c)
{
    const struct cell *x;

    if (i >= r->nrows || c >= r->ncols)
        return NAN;
    x = &r->cells[i * r->ncols + c];
    if (x->withheld)
        return NAN;
    return x->type == AN_INT ? (double)x->i : x->type == AN_NUM ? x->d : NAN;
}

const char *an_cell_str(const struct an_result *r, size_t i, size_t c)
{
    const struct cell *x;

    if (i >= r->nrows || c >= r->ncols)
        return "";
    x = &r->cells[i * r->ncols + c];
    return x->type == AN_STR && x->s ? x->s : "";
}

int an_col_index(const struct an_result *r, const char *name)
{
    size_t c;

    for (c = 0; c < r->ncols; c++)
        if (!strcmp(r->colname[c], name))
            return (int)c;
    return -1;
}

static double kv_get(const struct kvlist *l, const char *key)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].key, key))
            return l->v[i].text ? strtod(l->v[i].text, NULL) : l->v[i].num;
    return NAN;
}

double an_summary_get(const struct an_result *r, const char *key)
{
    return kv_get(&r->summary, key);
}

double an_data_get(const struct an_result *r, const char *key)
{
    return kv_get(&r->data, key);
}

void an_withhold_warning(struct an_result *r, size_t i)
{
    if (i >= r->nwarn)
        return;
    cscc_free(r->warn[i]);
    r->warn[i] = cscc_xstrdup("(withheld: it would give a small count)");
}

void an_withhold(struct an_result *r, size_t i, size_t c)
{
    struct cell *x;

    if (i >= r->nrows || c >= r->ncols || (i == r->nrows - 1 && c >= r->cur))
        BUG("an_withhold(%zu, %zu) outside the table", i, c);
    x = &r->cells[i * r->ncols + c];
    if (x->withheld)
        return;
    /* The value goes: nothing downstream can print it by mistake. */
    cscc_free(x->s);
    x->s = NULL;
    x->i = 0;
    x->d = NAN;
    x->withheld = 1;
    r->nwithheld++;
}

int an_withheld(const struct an_result *r, size_t i, size_t c)
{
    return i < r->nrows && c < r->ncols && r->cells[i * r->ncols + c].withheld;
}

size_t an_nwithheld(const struct an_result *r)
{
    return r->nwithheld;
}

static void kv_withhold(struct kvlist *l, const char *key)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].key, key)) {
            cscc_free(l->v[i].text);
            l->v[i].text = NULL;
            l->v[i].num = NAN;
        }
}

void an_withhold_summary(struct an_result *r, const char *key)
{
    kv_withhold(&r->summary, key);
}

void an_withhold_data(struct an_result *r, const char *key)
{
    kv_withhold(&r->data, key);
}

size_t an_nwarnings(const struct an_result *r)
{
    return r->nwarn;
}

const char *an_warning_at(const struct an_result *r, size_t i)
{
    return i < r->nwarn ? r->warn[i] : "";
}

int an_format_by_name(const char *name)
{
    if (!strcmp(name, "csv"))
        return AN_CSV;
    if (!strcmp(name, "json"))
        return AN_JSON;
    if (!strcmp(name, "geojson"))
        return AN_GEOJSON;
    return -1;
}

/* ---- Writing ----------------------------------------------------------- */

/* An output that remembers its first error (the strbuf's size limit or
 * memory); later writes are skipped. */
struct out {
    struct strbuf *sb;
    int err;
};

static void put(struct out *o, const char *s)
{
    if (!o->err)
        o->err = strbuf_adds(o->sb, s);
}

static void putch(struct out *o, char c)
{
    if (!o->err)
        o->err = strbuf_addc(o->sb, c);
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct out *o, const char *fmt, ...)
{
    va_list ap;

    if (o->err)
        return;
    va_start(ap, fmt);
    o->err = strbuf_vaddf(o->sb, fmt, ap);
    va_end(ap);
}

static void put_str(struct out *o, const char *s)
{
    if (!o->err)
        o->err = strbuf_add_json_str(o->sb, s, strlen(s));
}

static void put_csv(struct out *o, const char *s)
{
    if (!o->err)
        o->err = csv_write_field(o->sb, s, strlen(s), CSV_NEUTRALIZE);
}

static void put_num(struct out *o, double v)
{
    char buf[40];

    if (!isfinite(v)) {
        put(o, "null");
        return;
    }
    cscc_fmt_double(v, buf);
    put(o, buf);
}

static void put_kv(struct out *o, const char *name, const struct kvlist *l)
{
    size_t i;

    put_str(o, name);
    put(o, ":{");
    for (i = 0; i < l->n; i++) {
        if (i)
            putch(o, ',');
        put_str(o, l->v[i].key);
        putch(o, ':');
        if (l->v[i].text)
            put_str(o, l->v[i].text);
        else
            put_num(o, l->v[i].num);
    }
    putch(o, '}');
}

/* "analysis", "parameters", "data", "seed", "summary", "warnings", no braces. */
static void put_head(struct out *o, const struct an_result *r)
{
    size_t i;

    put(o, "\"analysis\":");
    put_str(o, r->name);
    putch(o, ',');
    put_kv(o, "parameters", &r->params);
    putch(o, ',');
    put_kv(o, "data", &r->data);
    put(o, ",\"seed\":");
    if (r->has_seed)
        putf(o, "%llu", (unsigned long long)r->seed);
    else
        put(o, "null");
    putch(o, ',');
    put_kv(o, "summary", &r->summary);
    put(o, ",\"warnings\":[");
    for (i = 0; i < r->nwarn; i++) {
        if (i)
            putch(o, ',');
        put_str(o, r->warn[i]);
    }
    putch(o, ']');
}

static void put_cell(struct out *o, const struct cell *c)
{
    if (c->withheld) {
        put(o, "null");
        return;
    }
    switch (c->type) {
    case AN_INT: putf(o, "%lld", (long long)c->i); break;
    case AN_NUM: put_num(o, c->d); break;
    case AN_STR: put_str(o, c->s ? c->s : ""); break;
    }
}

/* 1 when row i has a withheld cell. */
static int row_withheld(const struct an_result *r, size_t i)
{
    size_t c;

    for (c = 0; c < r->ncols; c++)
        if (r->cells[i * r->ncols + c].withheld)
            return 1;
    return 0;
}

static void write_csv(struct out *o, const struct an_result *r)
{
    size_t i, c;

    for (c = 0; c < r->ncols; c++) {
        if (c)
            putch(o, ',');
        put_csv(o, r->colname[c]);
    }
    if (r->nwithheld)
        put(o, ",suppressed");
    putch(o, '\n');
    for (i = 0; i < r->nrows; i++) {
        for (c = 0; c < r->ncols; c++) {
            const struct cell *x = &r->cells[i * r->ncols + c];

            if (c)
                putch(o, ',');
            if (x->withheld)
                continue;
            if (x->type == AN_INT)
                putf(o, "%lld", (long long)x->i);
            else if (x->type == AN_NUM && isfinite(x->d))
                put_num(o, x->d);
            else if (x->type == AN_STR && x->s)
                put_csv(o, x->s);
        }
        if (r->nwithheld)
            put(o, row_withheld(r, i) ? ",1" : ",0");
        putch(o, '\n');
    }
}

static void write_json(struct out *o, const struct an_result *r)
{
    static const char *const tname[] = {"integer", "number", "string"};
    size_t i, c;

    putch(o, '{');
    put_head(o, r);
    put(o, ",\"columns\":[");
    for (c = 0; c < r->ncols; c++) {
        if (c)
            putch(o, ',');
        put(o, "{\"name\":");
        put_str(o, r->colname[c]);
        putf(o, ",\"type\":\"%s\"}", tname[r->coltype[c]]);
    }
    if (r->nwithheld)
        put(o, ",{\"name\":\"suppressed\",\"type\":\"boolean\"}");
    put(o, "],\"rows\":[");
    for (i = 0; i < r->nrows; i++) {
        put(o, i ? ",\n[" : "\n[");
        for (c = 0; c < r->ncols; c++) {
            if (c)
                putch(o, ',');
            put_cell(o, &r->cells[i * r->ncols + c]);
        }
        if (r->nwithheld)
            put(o, row_withheld(r, i) ? ",true" : ",false");
        putch(o, ']');
    }
    put(o, "]}\n");
}

static void write_geojson(struct out *o, const struct an_result *r)
{
    size_t i, c;

    put(o, "{\"type\":\"FeatureCollection\",\"cscc\":{");
    put_head(o, r);
    put(o, "},\"features\":[");
    for (i = 0; i < r->nrows; i++) {
        put(o,
            i ? ",\n{\"type\":\"Feature\",\"geometry\":" : "\n{\"type\":\"Feature\",\"geometry\":");
        put(o, r->geom[i] ? r->geom[i] : "null");
        put(o, ",\"properties\":{");
        for (c = 0; c < r->ncols; c++) {
            if (c)
                putch(o, ',');
            put_str(o, r->colname[c]);
            putch(o, ':');
            put_cell(o, &r->cells[i * r->ncols + c]);
        }
        if (r->nwithheld)
            put(o, row_withheld(r, i) ? ",\"suppressed\":true" : ",\"suppressed\":false");
        put(o, "}}");
    }
    put(o, "\n]}\n");
}

int an_result_write(const struct an_result *r, enum an_format f, struct strbuf *sb)
{
    struct out o = {sb, 0};
    size_t before = sb->len;

    if (r->nrows && r->cur != r->ncols)
        BUG("analysis row %zu has %zu cells of %zu", r->nrows, r->cur, r->ncols);
    switch (f) {
    case AN_CSV: write_csv(&o, r); break;
    case AN_JSON: write_json(&o, r); break;
    case AN_GEOJSON: write_geojson(&o, r); break;
    }
    if (o.err)
        strbuf_setlen(sb, before);
    return o.err;
}
