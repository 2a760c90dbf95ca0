/* reference.c - loading the reference data a city ships (areas, population,
 * priority areas, IUCR codes, categories) into the store. */
#include "ingest/ingest.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "ingest/ingest_int.h"

#include <stdio.h>
#include <string.h>

#define REF_MAX_BYTES (64u << 20)

/* A small CSV table read whole: rows of NUL-terminated cells. */
struct table {
    char *path;
    size_t nrows, ncols;
    char **cells; /* nrows * ncols, row-major; row 0 is the header */
};

static void table_free(struct table *t)
{
    size_t i;

    if (t->cells)
        for (i = 0; i < t->nrows * t->ncols; i++)
            cscc_free(t->cells[i]);
    cscc_free(t->cells);
    cscc_free(t->path);
    memset(t, 0, sizeof(*t));
}

static int table_read(struct table *t, const char *dir, const char *name, const char *path_override,
                      const char *const *need, struct cscc_err *err)
{
    char path[2048];
    struct csv_reader *r;
    struct csv_row row;
    size_t i;
    int rc;

    memset(t, 0, sizeof(*t));
    if (path_override)
        snprintf(path, sizeof(path), "%s", path_override);
    else
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    t->path = cscc_xstrdup(path);
    if (!(r = csv_open_file(path, NULL, err)))
        return err->code;
    while ((rc = csv_next(r, &row, err)) > 0) {
        if (t->nrows == 0) {
            t->ncols = row.nfields;
        } else if (row.nfields != t->ncols) {
            rc = cscc_err_set(err, CSCC_EDATA, "%s:%llu: %zu fields; the header has %zu", path,
                              (unsigned long long)row.row, row.nfields, t->ncols);
            break;
        }
        t->cells = cscc_xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
        for (i = 0; i < t->ncols; i++)
            t->cells[t->nrows * t->ncols + i] = cscc_xstrndup(row.fields[i].p, row.fields[i].len);
        t->nrows++;
    }
    csv_close(r);
    if (rc < 0) {
        cscc_err_at(err, path, 0, 0, NULL);
        return rc;
    }
    for (i = 0; need && need[i]; i++) {
        size_t c;

        for (c = 0; c < t->ncols; c++)
            if (!strcmp(t->cells[c], need[i]))
                break;
        if (c == t->ncols)
            return cscc_err_set(err, CSCC_EDATA, "%s lacks the column '%s'", path, need[i]);
    }
    return 0;
}

static const char *cell(const struct table *t, size_t row, const char *col)
{
    size_t c;

    for (c = 0; c < t->ncols; c++)
        if (!strcmp(t->cells[c], col))
            return t->cells[(row + 1) * t->ncols + c];
    return "";
}

static int cell_int(const struct table *t, size_t row, const char *col, int64_t lo, int64_t hi,
                    int64_t *out, struct cscc_err *err)
{
    const char *s = cell(t, row, col);

    if (ingest__parse_int(s, strlen(s), out) != 0 || *out < lo || *out > hi)
        return cscc_err_set(err, CSCC_EDATA,
                            "%s:%zu: column '%s': '%s' is not a number from %lld to %lld", t->path,
                            row + 2, col, s, (long long)lo, (long long)hi);
    return 0;
}

static int load_areas(struct store *st, const char *dir, struct cscc_err *err)
{
    char path[2048];
    json_t *fc, *features, *f;
    struct store_area *areas = NULL;
    char **geo = NULL;
    size_t n = 0, i;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/community_areas.geojson", dir);
    if (!(fc = cscc_json_load_file(path, REF_MAX_BYTES, 64, err)))
        return err->code;
    features = json_object_get(fc, "features");
    if (!json_is_array(features) || !json_array_size(features)) {
        rc = cscc_err_set(err, CSCC_EDATA, "%s is not a GeoJSON FeatureCollection with features",
                          path);
        goto out;
    }
    n = json_array_size(features);
    areas = cscc_xcalloc(n, sizeof(*areas));
    geo = cscc_xcalloc(n, sizeof(*geo));
    json_array_foreach(features, i, f)
    {
        json_t *props = json_object_get(f, "properties"), *g = json_object_get(f, "geometry");
        json_t *num = json_object_get(props, "area"), *name = json_object_get(props, "name");
        json_t *side = json_object_get(props, "side");

        if (!json_is_integer(num) || json_integer_value(num) < 1 || json_integer_value(num) > 254 ||
            !json_is_string(name) || !json_is_object(g)) {
            rc = cscc_err_set(err, CSCC_EDATA,
                              "%s: feature %zu needs properties \"area\" (a number from 1 to "
                              "254) and \"name\", and a geometry",
                              path, i + 1);
            goto out;
        }
        areas[i].number = (int)json_integer_value(num);
        areas[i].name = json_string_value(name);
        areas[i].side = json_is_string(side) ? json_string_value(side) : "";
        geo[i] = json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(17));
        areas[i].geometry = geo[i];
    }
    rc = store_put_areas(st, areas, n, err);
out:
    for (i = 0; geo && i < n; i++)
        free(geo[i]); /* allocated by jansson */
    cscc_free(geo);
    cscc_free(areas);
    json_decref(fc);
    return rc;
}

static int load_population(struct store *st, const char *dir, struct cscc_err *err)
{
    static const char *const need[] = {"community_area", "source", "year", "population", NULL};
    struct table t;
    struct store_population *p = NULL;
    size_t i, n;
    int rc;

    if ((rc = table_read(&t, dir, "population.csv", NULL, need, err)))
        goto out;
    n = t.nrows - 1;
    p = cscc_xcalloc(n ? n : 1, sizeof(*p));
    for (i = 0; i < n; i++) {
        int64_t a, y, v;

        if ((rc = cell_int(&t, i, "community_area", 1, 254, &a, err)) ||
            (rc = cell_int(&t, i, "year", 1800, 3000, &y, err)) ||
            (rc = cell_int(&t, i, "population", 0, 100000000, &v, err)))
            goto out;
        p[i].area = (int)a;
        p[i].year = (int)y;
        p[i].population = v;
        p[i].source = cell(&t, i, "source");
    }
    rc = store_put_population(st, p, n, err);
out:
    cscc_free(p);
    table_free(&t);
    return rc;
}

static int load_priority(struct store *st, const char *dir, const char *file, struct cscc_err *err)
{
    static const char *const need[] = {"community_area", NULL};
    struct table t;
    int *a = NULL;
    size_t i, n;
    int rc;

    if ((rc = table_read(&t, dir, "priority_areas.csv", file, need, err)))
        goto out;
    n = t.nrows - 1;
    a = cscc_xcalloc(n ? n : 1, sizeof(*a));
    for (i = 0; i < n; i++) {
        int64_t v;

        if ((rc = cell_int(&t, i, "community_area", 1, 254, &v, err)))
            goto out;
        a[i] = (int)v;
    }
    rc = store_put_priority(st, "ocos", a, n, err);
out:
    cscc_free(a);
    table_free(&t);
    return rc;
}

static int load_iucr(struct store *st, const char *dir, struct cscc_err *err)
{
    static const char *const need[] = {"iucr",       "primary_type", "description",
                                       "index_code", "fbi_code",     NULL};
    struct table t;
    struct store_iucr *c = NULL;
    size_t i, n;
    int rc;

    if ((rc = table_read(&t, dir, "iucr.csv", NULL, need, err)))
        goto out;
    n = t.nrows - 1;
    c = cscc_xcalloc(n ? n : 1, sizeof(*c));
    for (i = 0; i < n; i++) {
        c[i].iucr = cell(&t, i, "iucr");
        c[i].primary_type = cell(&t, i, "primary_type");
        c[i].description = cell(&t, i, "description");
        c[i].index_code = cell(&t, i, "index_code");
        c[i].fbi_code = cell(&t, i, "fbi_code");
    }
    rc = store_put_iucr(st, c, n, err);
out:
    cscc_free(c);
    table_free(&t);
    return rc;
}

static int load_categories(struct store *st, const char *dir, struct cscc_err *err)
{
    static const char *const need[] = {"category", "label", "fbi_codes", "description", NULL};
    struct table t;
    struct store_category *c = NULL;
    size_t i, n;
    int rc;

    if ((rc = table_read(&t, dir, "categories.csv", NULL, need, err)))
        goto out;
    n = t.nrows - 1;
    c = cscc_xcalloc(n ? n : 1, sizeof(*c));
    for (i = 0; i < n; i++) {
        c[i].name = cell(&t, i, "category");
        c[i].label = cell(&t, i, "label");
        c[i].fbi_codes = cell(&t, i, "fbi_codes");
        c[i].description = cell(&t, i, "description");
    }
    rc = store_put_categories(st, c, n, err);
out:
    cscc_free(c);
    table_free(&t);
    return rc;
}

int ingest_reference(struct store *st, const char *dir, const char *priority_file,
                     struct cscc_err *err)
{
    int rc;

    if ((rc = store_begin(st, err)))
        return rc;
    if ((rc = load_areas(st, dir, err)) || (rc = load_population(st, dir, err)) ||
        (rc = load_priority(st, dir, priority_file, err)) || (rc = load_iucr(st, dir, err)) ||
        (rc = load_categories(st, dir, err))) {
        store_rollback(st);
        return rc;
    }
    return store_commit(st, err);
}
