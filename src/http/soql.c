/* soql.c - the published datasets, their public schemas, and the preparing
 * of a request: its parameters parsed, resolved against the dataset's public
 * columns for the caller's access, type-checked, and turned into output
 * columns, group keys, aggregates and an order (soql_exec.c runs them). */
#include "http/soql_int.h"

#include "core/alloc.h"
#include "core/hash.h"
#include "core/num.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------ */
/* Small things                                                             */
/* ------------------------------------------------------------------------ */

const char *soql__type_name(int t)
{
    switch (t) {
    case ST_TEXT: return "text";
    case ST_NUMBER: return "number";
    case ST_BOOL: return "checkbox";
    case ST_TS: return "floating_timestamp";
    case ST_LOCATION: return "location";
    case ST_POINT: return "point";
    default: return "null";
    }
}

void soql_limits_default(struct soql_limits *l)
{
    l->max_param_len = 8192;
    l->max_total_len = 16384;
    l->max_depth = 64;
    l->max_in = 1000;
    l->max_items = 64;
    l->max_limit = 50000;
    l->max_window = 1000000;
    l->max_groups = 1000000;
    l->max_output = (size_t)256 << 20;
}

const char *soql_content_type(enum soql_format f)
{
    switch (f) {
    case SOQL_CSV: return "text/csv; charset=utf-8";
    case SOQL_GEOJSON: return "application/vnd.geo+json; charset=utf-8";
    default: return "application/json; charset=utf-8";
    }
}

int soql_format_from_ext(const char *ext)
{
    if (!strcmp(ext, "json"))
        return SOQL_JSON;
    if (!strcmp(ext, "csv"))
        return SOQL_CSV;
    if (!strcmp(ext, "geojson"))
        return SOQL_GEOJSON;
    return -1;
}

int soql_error_json(const struct soql_error *e, struct strbuf *sb)
{
    strbuf_adds(sb, "{\"code\":");
    strbuf_add_json_str(sb, e->code, strlen(e->code));
    strbuf_adds(sb, ",\"error\":true,\"message\":");
    strbuf_add_json_text(sb, e->message, strlen(e->message));
    strbuf_adds(sb, ",\"data\":{");
    if (e->param[0]) {
        strbuf_adds(sb, "\"parameter\":");
        strbuf_add_json_text(sb, e->param, strlen(e->param));
        if (e->position)
            strbuf_addf(sb, ",\"position\":%zu", e->position);
    }
    return strbuf_adds(sb, "}}");
}

int soql__parse_ts(const char *s, size_t len, int64_t *t, int *ms)
{
    struct cscc_tparse tp;
    char buf[40];
    size_t i, dot = 0;

    /* Socrata writes '2016-01-01T00:00:00' or with '.000'; a bare date is
     * midnight. Civil time only: a zone or an offset is refused. */
    if (len < 10 || len >= sizeof(buf) || s[4] != '-')
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *ms = 0;
    for (i = 0; i < len; i++)
        if (buf[i] == '.')
            dot = i;
    if (dot) {
        size_t nd = len - dot - 1;
        int v = 0;

        if (nd < 1 || nd > 3)
            return -1;
        for (i = dot + 1; i < len; i++) {
            if (!isdigit((unsigned char)buf[i]))
                return -1;
            v = v * 10 + (buf[i] - '0');
        }
        while (nd++ < 3)
            v *= 10;
        *ms = v;
        buf[dot] = '\0';
        len = dot;
    }
    if (cscc_parse_datetime(buf, len, &tp) || tp.has_offset)
        return -1;
    *t = tp.t;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Public schemas                                                           */
/* ------------------------------------------------------------------------ */

#define PUB SOQL_PUBLIC
#define AGG SOQL_AGGREGATE
#define STF SOQL_STAFF

/* "Crimes - 2001 to present" (ijzp-q8t2): the portal's field names and types. */
static const struct soql__pcol crimes_cols[] = {
    {"id", ST_NUMBER, SRC_I64, "id", NULL, 0, PUB, 0, 0, 0},
    {"case_number", ST_TEXT, SRC_STR, "case_number", NULL, 0, PUB, 0, 0, 0},
    {"date", ST_TS, SRC_TS, "date", NULL, 0, PUB, 0, 0, 0},
    {"block", ST_TEXT, SRC_DICT, "block", NULL, 0, PUB, 0, 0, 0},
    {"iucr", ST_TEXT, SRC_DICT, "iucr", NULL, 0, PUB, 0, 0, 0},
    {"primary_type", ST_TEXT, SRC_DICT, "primary_type", NULL, 0, PUB, 0, 0, 0},
    {"description", ST_TEXT, SRC_DICT, "description", NULL, 0, PUB, 0, 0, 0},
    {"location_description", ST_TEXT, SRC_DICT, "location_description", NULL, 0, PUB, 0, 0, 0},
    {"arrest", ST_BOOL, SRC_BOOL, "arrest", NULL, 0, PUB, 0, 0, 0},
    {"domestic", ST_BOOL, SRC_BOOL, "domestic", NULL, 0, PUB, 0, 0, 0},
    {"beat", ST_TEXT, SRC_U16TXT, "beat", NULL, 4, PUB, 0, 0, 0},
    {"district", ST_TEXT, SRC_U8TXT, "district", NULL, 3, PUB, 0, 0, 0},
    {"ward", ST_NUMBER, SRC_U8NUM, "ward", NULL, 0, PUB, 0, 0, 0},
    {"community_area", ST_TEXT, SRC_U8TXT, "community_area", NULL, 0, PUB, 0, 0, 0},
    {"fbi_code", ST_TEXT, SRC_DICT, "fbi_code", NULL, 0, PUB, 0, 0, 0},
    {"x_coordinate", ST_NUMBER, SRC_I32, "x_coordinate", NULL, 0, PUB, 0, 0, 0},
    {"y_coordinate", ST_NUMBER, SRC_I32, "y_coordinate", NULL, 0, PUB, 0, 0, 0},
    {"year", ST_NUMBER, SRC_YEAR, "date", NULL, 0, PUB, 0, 0, 0},
    {"updated_on", ST_TS, SRC_TS, "updated_on", NULL, 0, PUB, 0, 0, 0},
    {"latitude", ST_NUMBER, SRC_F64, "latitude", NULL, 0, PUB, 0, 0, 0},
    {"longitude", ST_NUMBER, SRC_F64, "longitude", NULL, 0, PUB, 0, 0, 0},
    {"location", ST_LOCATION, SRC_LOC, "latitude", "longitude", 0, PUB, 0, 0, 0},
};

/* "Violence Reduction - Victims of Homicides and Non-Fatal Shootings"
 * (gumc-mgzr): never public row by row. Columns an aggregate may group or
 * filter by are AGG; those that point at a person or a place finer than a
 * beat are STF (staff only). Victims' names are never stored at all. */
static const struct soql__pcol victims_cols[] = {
    {"case_number", ST_TEXT, SRC_STR, "case_number", NULL, 0, STF, 0, 0, 0},
    {"date", ST_TS, SRC_TS, "date", NULL, 0, AGG, 0, 0, 0},
    {"block", ST_TEXT, SRC_DICT, "block", NULL, 0, STF, 0, 0, 0},
    {"victimization_primary", ST_TEXT, SRC_DICT, "victimization_primary", NULL, 0, AGG, 0, 0, 0},
    {"incident_primary", ST_TEXT, SRC_DICT, "incident_primary", NULL, 0, AGG, 0, 0, 0},
    {"gunshot_injury_i", ST_TEXT, SRC_YESNO, "gunshot_injury", NULL, 0, AGG, 0, 0, 0},
    {"unique_id", ST_TEXT, SRC_STR, "unique_id", NULL, 0, STF, 0, 0, 0},
    {"zip_code", ST_TEXT, SRC_DICT, "zip_code", NULL, 0, AGG, 0, 0, 0},
    {"ward", ST_NUMBER, SRC_U8NUM, "ward", NULL, 0, AGG, 0, 0, 0},
    {"community_area", ST_NUMBER, SRC_U8NUM, "community_area", NULL, 0, AGG, 0, 0, 0},
    {"street_outreach_organization", ST_TEXT, SRC_DICT, "street_outreach_organization", NULL, 0,
     AGG, 0, 0, 0},
    {"area", ST_TEXT, SRC_U8TXT, "police_area", NULL, 0, AGG, 0, 0, 0},
    {"district", ST_TEXT, SRC_U8TXT, "district", NULL, 0, AGG, 0, 0, 0},
    {"beat", ST_TEXT, SRC_U16TXT, "beat", NULL, 0, AGG, 0, 0, 0},
    {"age", ST_TEXT, SRC_DICT, "age", NULL, 0, AGG, 0, 0, 0},
    {"sex", ST_TEXT, SRC_DICT, "sex", NULL, 0, AGG, 0, 0, 0},
    {"race", ST_TEXT, SRC_DICT, "race", NULL, 0, AGG, 0, 0, 0},
    {"victimization_fbi_cd", ST_TEXT, SRC_DICT, "victimization_fbi_code", NULL, 0, AGG, 0, 0, 0},
    {"incident_fbi_cd", ST_TEXT, SRC_DICT, "incident_fbi_code", NULL, 0, AGG, 0, 0, 0},
    {"victimization_fbi_descr", ST_TEXT, SRC_DICT, "victimization_fbi_description", NULL, 0, AGG, 0,
     0, 0},
    {"incident_fbi_descr", ST_TEXT, SRC_DICT, "incident_fbi_description", NULL, 0, AGG, 0, 0, 0},
    {"victimization_iucr_cd", ST_TEXT, SRC_DICT, "victimization_iucr", NULL, 0, AGG, 0, 0, 0},
    {"incident_iucr_cd", ST_TEXT, SRC_DICT, "incident_iucr", NULL, 0, AGG, 0, 0, 0},
    {"victimization_iucr_secondary", ST_TEXT, SRC_DICT, "victimization_iucr_secondary", NULL, 0,
     AGG, 0, 0, 0},
    {"incident_iucr_secondary", ST_TEXT, SRC_DICT, "incident_iucr_secondary", NULL, 0, AGG, 0, 0,
     0},
    {"location_description", ST_TEXT, SRC_DICT, "location_description", NULL, 0, AGG, 0, 0, 0},
    {"state_house_district", ST_NUMBER, SRC_U8NUM, "state_house_district", NULL, 0, AGG, 0, 0, 0},
    {"state_senate_district", ST_NUMBER, SRC_U8NUM, "state_senate_district", NULL, 0, AGG, 0, 0, 0},
    {"updated", ST_TS, SRC_TS, "updated", NULL, 0, STF, 0, 0, 0},
    {"latitude", ST_NUMBER, SRC_F64, "latitude", NULL, 0, STF, 0, 0, 0},
    {"longitude", ST_NUMBER, SRC_F64, "longitude", NULL, 0, STF, 0, 0, 0},
    {"location", ST_LOCATION, SRC_LOC, "latitude", "longitude", 0, STF, 0, 0, 0},
};

/* A layer's fixed columns; every other column of its table is text. */
static const struct soql__pcol layer_cols[] = {
    {"id", ST_NUMBER, SRC_I64, "id", NULL, 0, PUB, 0, 0, 0},
    {"date", ST_TS, SRC_TS, "date", NULL, 0, PUB, 0, 0, 0},
    {"community_area", ST_NUMBER, SRC_U8NUM, "community_area", NULL, 0, PUB, 0, 0, 0},
    {"latitude", ST_NUMBER, SRC_F64, "latitude", NULL, 0, PUB, 1, 0, 0},
    {"longitude", ST_NUMBER, SRC_F64, "longitude", NULL, 0, PUB, 1, 0, 0},
    {"location", ST_POINT, SRC_LOC, "latitude", "longitude", 0, PUB, 1, 0, 0},
};

/* The table types each source kind needs. */
static int src_ok(int src, enum colstore_type t)
{
    switch (src) {
    case SRC_I64:
    case SRC_TS:
    case SRC_YEAR: return t == COLSTORE_I64;
    case SRC_I32: return t == COLSTORE_I32;
    case SRC_F64:
    case SRC_LOC: return t == COLSTORE_F64;
    case SRC_U8NUM:
    case SRC_U8TXT:
    case SRC_BOOL:
    case SRC_YESNO: return t == COLSTORE_U8;
    case SRC_U16NUM:
    case SRC_U16TXT: return t == COLSTORE_U16;
    case SRC_DICT: return t == COLSTORE_DICT;
    case SRC_STR: return t == COLSTORE_STR;
    }
    return 0;
}

struct soql__pcol *soql__schema(const struct soql_dataset *ds, const struct colstore_table *t,
                                size_t *n, struct soql__arena *a, struct soql_error *e)
{
    const struct soql__pcol *fixed;
    size_t nfixed, i, extra = 0, k = 0, nc = colstore_ncols(t);
    struct soql__pcol *cols;

    switch (ds->kind) {
    case SOQL_DS_CRIMES:
        fixed = crimes_cols;
        nfixed = sizeof(crimes_cols) / sizeof(crimes_cols[0]);
        break;
    case SOQL_DS_VICTIMS:
        fixed = victims_cols;
        nfixed = sizeof(victims_cols) / sizeof(victims_cols[0]);
        break;
    default:
        fixed = layer_cols;
        nfixed = sizeof(layer_cols) / sizeof(layer_cols[0]);
        extra = nc;
    }
    if (!(cols = soql__alloc(a, (nfixed + extra) * sizeof(*cols)))) {
        soql__seterr(e, 507, "query.execution.out-of-memory", NULL, 0, "out of memory");
        return NULL;
    }
    for (i = 0; i < nfixed; i++) {
        struct soql__pcol *c = &cols[k];

        *c = fixed[i];
        c->ci = colstore_col_index(t, c->store);
        c->ci2 = c->store2 ? colstore_col_index(t, c->store2) : -1;
        if (c->ci < 0 || !src_ok(c->src, colstore_schema_type(t, (size_t)c->ci)) ||
            (c->store2 &&
             (c->ci2 < 0 || !src_ok(c->src, colstore_schema_type(t, (size_t)c->ci2))))) {
            if (ds->kind == SOQL_DS_LAYER)
                continue; /* a layer without dates, say */
            soql__seterr(e, 500, "internal_error", NULL, 0,
                         "the %s table has no usable column '%s' for field '%s'; re-import it",
                         ds->table, c->store, c->name);
            return NULL;
        }
        k++;
    }
    /* a layer's attributes: every text column */
    for (i = 0; i < extra; i++) {
        const char *name = colstore_schema_name(t, i);
        struct soql__pcol *c = &cols[k];

        if (colstore_schema_type(t, i) != COLSTORE_DICT)
            continue;
        memset(c, 0, sizeof(*c));
        c->name = name;
        c->store = name;
        c->type = ST_TEXT;
        c->src = SRC_DICT;
        c->min_access = PUB;
        c->ci = (int)i;
        c->ci2 = -1;
        k++;
    }
    *n = k;
    return cols;
}

/* ------------------------------------------------------------------------ */
/* The catalog                                                              */
/* ------------------------------------------------------------------------ */

struct soql_catalog {
    struct soql_dataset *ds;
    size_t n;
};

int soql_is_id(const char *s)
{
    int i;

    for (i = 0; i < 9; i++) {
        if (i == 4 ? s[i] != '-' : !(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
            return 0;
    }
    return s[9] == '\0';
}

void soql_layer_id(const char *layer, char out[16])
{
    /* Socrata's ids use these 32 characters (no 0, 1, l, o). */
    static const char alpha[] = "23456789abcdefghijkmnpqrstuvwxyz";
    uint64_t h = cscc_hash(layer, strlen(layer), 0x736f716c6c617972ULL);
    int i, o = 0;

    for (i = 0; i < 8; i++) {
        if (i == 4)
            out[o++] = '-';
        out[o++] = alpha[h & 31];
        h >>= 5;
    }
    out[o] = '\0';
}

int soql_table_path(const char *data_dir, const struct soql_dataset *ds, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/tables/%s.cst", data_dir, ds->table);

    return n < 0 || (size_t)n >= cap ? CSCC_ELIMIT : 0;
}

static int file_exists(const char *data_dir, const char *table)
{
    char p[4096];
    struct stat st;

    snprintf(p, sizeof(p), "%s/tables/%s.cst", data_dir, table);
    return stat(p, &st) == 0;
}

static void add_ds(struct soql_catalog *c, const char *id, const char *table, const char *title,
                   enum soql_kind kind, enum soql_access min, enum soql_access rows)
{
    struct soql_dataset *d;

    c->ds = cscc_xrealloc(c->ds, (c->n + 1) * sizeof(*c->ds));
    d = &c->ds[c->n++];
    memset(d, 0, sizeof(*d));
    snprintf(d->id, sizeof(d->id), "%s", id);
    snprintf(d->table, sizeof(d->table), "%s", table);
    snprintf(d->title, sizeof(d->title), "%s", title);
    d->kind = kind;
    d->min_access = min;
    d->min_rows_access = rows;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct soql_catalog *soql_catalog_open(const char *data_dir, struct store *st, struct cscc_err *err)
{
    struct soql_catalog *c = cscc_xcalloc(1, sizeof(*c));
    char dir[4096];
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t nnames = 0, i;

    if (file_exists(data_dir, "crimes"))
        add_ds(c, "ijzp-q8t2", "crimes", "Crimes - 2001 to present", SOQL_DS_CRIMES, SOQL_PUBLIC,
               SOQL_PUBLIC);
    if (file_exists(data_dir, "victims"))
        add_ds(c, "gumc-mgzr", "victims",
               "Violence Reduction - Victims of Homicides and Non-Fatal Shootings", SOQL_DS_VICTIMS,
               SOQL_AGGREGATE, SOQL_STAFF);
    snprintf(dir, sizeof(dir), "%s/tables", data_dir);
    if ((d = opendir(dir))) {
        while ((de = readdir(d))) {
            size_t len = strlen(de->d_name);

            if (len > 10 && !strncmp(de->d_name, "layer_", 6) &&
                !strcmp(de->d_name + len - 4, ".cst")) {
                names = cscc_xrealloc(names, (nnames + 1) * sizeof(*names));
                names[nnames++] = cscc_xstrndup(de->d_name + 6, len - 10);
            }
        }
        closedir(d);
    }
    if (nnames)
        qsort(names, nnames, sizeof(*names), cmp_names);
    for (i = 0; i < nnames; i++) {
        char key[128], id[64], table[72], title[128];
        int rc;

        snprintf(key, sizeof(key), "soql.layer.%s", names[i]);
        rc = st ? store_get_setting(st, key, id, sizeof(id), err) : CSCC_ENOENT;
        if (rc && rc != CSCC_ENOENT) {
            for (; i < nnames; i++)
                cscc_free(names[i]);
            cscc_free(names);
            soql_catalog_free(c);
            return NULL;
        }
        cscc_err_clear(err);
        snprintf(table, sizeof(table), "layer_%s", names[i]);
        snprintf(title, sizeof(title), "Layer %s", names[i]);
        if (!rc && soql_is_id(id)) {
            add_ds(c, id, table, title, SOQL_DS_LAYER, SOQL_PUBLIC, SOQL_PUBLIC);
        } else {
            soql_layer_id(names[i], id);
            add_ds(c, id, table, title, SOQL_DS_LAYER, SOQL_STAFF, SOQL_STAFF);
        }
        cscc_free(names[i]);
    }
    cscc_free(names);
    return c;
}

void soql_catalog_free(struct soql_catalog *c)
{
    if (!c)
        return;
    cscc_free(c->ds);
    cscc_free(c);
}

size_t soql_catalog_count(const struct soql_catalog *c)
{
    return c->n;
}

const struct soql_dataset *soql_catalog_at(const struct soql_catalog *c, size_t i)
{
    return i < c->n ? &c->ds[i] : NULL;
}

const struct soql_dataset *soql_catalog_find(const struct soql_catalog *c, const char *id)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        if (!strcmp(c->ds[i].id, id))
            return &c->ds[i];
    return NULL;
}

int soql_publish_layer(const char *data_dir, struct store *st, const char *layer, const char *id,
                       int publish, struct cscc_err *err)
{
    char key[128], table[72], own[16];
    struct soql_catalog *c;
    const struct soql_dataset *other;
    int rc;

    snprintf(table, sizeof(table), "layer_%s", layer);
    if (strlen(layer) > 40 || !file_exists(data_dir, table))
        return cscc_err_set(err, CSCC_ENOENT,
                            "there is no layer '%s' in %s; import it with 'cscc import layer'",
                            layer, data_dir);
    snprintf(key, sizeof(key), "soql.layer.%s", layer);
    if (!publish)
        return store_set_setting(st, key, NULL, err);
    if (!id) {
        soql_layer_id(layer, own);
        id = own;
    }
    if (!soql_is_id(id))
        return cscc_err_set(err, CSCC_EINVAL,
                            "'%s' is not a dataset id: four lowercase letters or digits, a dash, "
                            "four more (like ijzp-q8t2)",
                            id);
    if (!(c = soql_catalog_open(data_dir, st, err)))
        return err->code ? err->code : CSCC_EINVAL;
    other = soql_catalog_find(c, id);
    rc = other && strcmp(other->table, table)
             ? cscc_err_set(err, CSCC_EINVAL, "id %s is already used by %s", id, other->title)
             : 0;
    soql_catalog_free(c);
    if (rc)
        return rc;
    return store_set_setting(st, key, id, err);
}

/* ------------------------------------------------------------------------ */
/* Resolving and checking expressions                                       */
/* ------------------------------------------------------------------------ */

enum ctx { CTX_WHERE, CTX_SELECT, CTX_GROUP, CTX_ORDER };

struct resolver {
    struct soql_query *q;
    const char *param;
    struct soql_error *e;
    int ctx;
    int in_agg;
};

static int find_col(const struct soql_query *q, const char *name)
{
    size_t i;

    for (i = 0; i < q->ncols; i++)
        if (!strcmp(q->cols[i].name, name))
            return q->cols[i].min_access <= q->access ? (int)i : -2;
    return -1;
}

static int no_column(struct resolver *r, const struct soql__node *n)
{
    int c = find_col(r->q, n->s);

    if (c == -2)
        soql__seterr(r->e, 400, "query.soql.no-such-column", r->param, n->pos,
                     "%s: column '%s' of %s (position %zu) is not published at this access "
                     "level",
                     r->param, n->s, r->q->ds->id, n->pos);
    else
        soql__seterr(r->e, 400, "query.soql.no-such-column", r->param, n->pos,
                     "%s: no such column '%s' in %s (position %zu)", r->param, n->s, r->q->ds->id,
                     n->pos);
    return -1;
}

static int mismatch(struct resolver *r, const struct soql__node *n, const char *fmt, const char *a,
                    const char *b)
{
    char msg[256];

    snprintf(msg, sizeof(msg), fmt, a, b);
    soql__seterr(r->e, 400, "query.soql.type-mismatch", r->param, n->pos, "%s: %s (position %zu)",
                 r->param, msg, n->pos);
    return -1;
}

static int is_literal(const struct soql__node *n)
{
    return n->kind == N_STR || n->kind == N_NUM || n->kind == N_BOOL || n->kind == N_NULL;
}

/* Converts literal n to type t in place (Socrata's implicit conversions of
 * text literals: to numbers, checkboxes and floating timestamps). */
static int convert(struct resolver *r, struct soql__node *n, int t, const char *colname)
{
    if (n->kind == N_NULL) {
        n->type = ST_NULL;
        return 0;
    }
    switch (t) {
    case ST_TEXT:
        if (n->kind != N_STR)
            return mismatch(r, n, "'%s' is text and cannot be compared with %s; quote the value",
                            colname, n->kind == N_BOOL ? "a checkbox value" : "a number");
        break;
    case ST_NUMBER:
        if (n->kind == N_STR) {
            double v;

            if (cscc_parse_double(n->s, &v))
                return mismatch(r, n, "'%s' is a number, and '%s' is not one", colname, n->s);
            n->kind = N_NUM;
            n->num = v;
        } else if (n->kind != N_NUM) {
            return mismatch(r, n, "'%s' is a number, and %s is not one", colname, "true/false");
        }
        break;
    case ST_BOOL:
        if (n->kind == N_STR) {
            if (!strcasecmp(n->s, "true"))
                n->num = 1;
            else if (!strcasecmp(n->s, "false"))
                n->num = 0;
            else
                return mismatch(r, n, "'%s' is a checkbox: compare it with true or false, not '%s'",
                                colname, n->s);
            n->kind = N_BOOL;
        } else if (n->kind != N_BOOL) {
            return mismatch(r, n, "'%s' is a checkbox: compare it with %s", colname,
                            "true or false");
        }
        break;
    case ST_TS:
        if (n->kind != N_STR || soql__parse_ts(n->s, n->len, &n->ts, &n->ts_ms))
            return mismatch(r, n,
                            "'%s' is a floating timestamp: write '2016-01-01T00:00:00' (got %s)",
                            colname, n->kind == N_STR ? n->s : "a number");
        break;
    default:
        return mismatch(r, n, "'%s' is a %s and cannot be compared; use within_circle or IS NULL",
                        colname, "location");
    }
    n->type = t;
    return 0;
}

static int resolve(struct resolver *r, struct soql__node *n);

/* The offset of the first byte of s that does not begin a UTF-8 character,
 * or SIZE_MAX when s is all UTF-8. */
static size_t bad_utf8(const char *s)
{
    return strbuf_utf8_invalid(s, strlen(s));
}

/* A column, or a scalar function of one (date_trunc_*): what a comparison,
 * a group key or an order term is made of. */
static int is_colexpr(const struct soql__node *n)
{
    return n->kind == N_IDENT || (n->kind == N_CALL && n->func >= F_DT_Y && n->func <= F_DT_YMD);
}

static const char *expr_name(const struct soql_query *q, const struct soql__node *n)
{
    if (n->kind == N_IDENT && n->col >= 0)
        return q->cols[n->col].name;
    if (n->kind == N_CALL && n->nargs && n->args[0]->kind == N_IDENT && n->args[0]->col >= 0)
        return q->cols[n->args[0]->col].name;
    return "the expression";
}

static int need_literal(struct resolver *r, struct soql__node *n)
{
    if (is_literal(n))
        return 0;
    soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                 "%s: a value (a number or a quoted text) was expected at position %zu; "
                 "comparing two columns is not part of the supported subset",
                 r->param, n->pos);
    return -1;
}

/* What the numbers of within_circle() and within_box() are, for messages. */
static const char *const circle_args[] = {"the centre's latitude", "the centre's longitude",
                                          "the radius in metres"};
static const char *const box_args[] = {
    "the north-west corner's latitude", "the north-west corner's longitude",
    "the south-east corner's latitude", "the south-east corner's longitude"};

/* Reads argument i (0-based) of call, a literal, as a number: a number, or
 * text that is one. */
static int number_arg(struct resolver *r, const struct soql__node *call, struct soql__node *v,
                      size_t i, const char *what)
{
    char got[64], msg[200];

    if (v->kind == N_STR) {
        double d;

        if (!cscc_parse_double(v->s, &d)) {
            v->kind = N_NUM;
            v->num = d;
        }
    }
    if (v->kind == N_NUM) {
        v->type = ST_NUMBER;
        return 0;
    }
    if (v->kind == N_STR)
        snprintf(got, sizeof(got), "'%.40s'", v->s);
    else
        snprintf(got, sizeof(got), "%s", v->kind == N_NULL ? "null" : v->num ? "true" : "false");
    snprintf(msg, sizeof(msg), "argument %zu of %s(), %s, must be a number, not %s", i + 1, call->s,
             what, got);
    return mismatch(r, v, "%s%s", msg, "");
}

static int resolve_call(struct resolver *r, struct soql__node *n)
{
    size_t i;
    struct soql__node *a0 = n->nargs ? n->args[0] : NULL;

    if (SOQL_IS_AGG(n->func)) {
        if (r->ctx == CTX_WHERE || r->ctx == CTX_GROUP) {
            soql__seterr(r->e, 400, "query.soql.aggregate-in-wrong-position", r->param, n->pos,
                         "%s: aggregate %s() at position %zu is not allowed here; aggregates "
                         "belong in $select and $order",
                         r->param, n->s, n->pos);
            return -1;
        }
        if (r->in_agg) {
            soql__seterr(r->e, 400, "query.soql.aggregate-in-wrong-position", r->param, n->pos,
                         "%s: aggregates cannot be nested (position %zu)", r->param, n->pos);
            return -1;
        }
        if (n->nargs != 1) {
            soql__seterr(r->e, 400, "query.soql.no-such-function", r->param, n->pos,
                         "%s: %s() takes one argument (position %zu)", r->param, n->s, n->pos);
            return -1;
        }
        if (a0->kind == N_STAR) {
            if (n->func != F_COUNT) {
                soql__seterr(r->e, 400, "query.compiler.malformed", r->param, a0->pos,
                             "%s: only count accepts * (position %zu)", r->param, a0->pos);
                return -1;
            }
            n->type = ST_NUMBER;
            return 0;
        }
        if (a0->kind != N_IDENT) {
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, a0->pos,
                         "%s: the argument of %s() must be a column (position %zu)", r->param, n->s,
                         a0->pos);
            return -1;
        }
        r->in_agg = 1;
        if (resolve(r, a0))
            return -1;
        r->in_agg = 0;
        switch (n->func) {
        case F_COUNT: n->type = ST_NUMBER; break;
        case F_SUM:
        case F_AVG:
            if (a0->type != ST_NUMBER)
                return mismatch(r, n, "%s() needs a number column, and '%s' is not one", n->s,
                                expr_name(r->q, a0));
            n->type = ST_NUMBER;
            break;
        default:
            if (a0->type == ST_LOCATION || a0->type == ST_POINT ||
                r->q->cols[a0->col].src == SRC_STR)
                return mismatch(r, n, "%s() of '%s' is not supported", n->s, expr_name(r->q, a0));
            n->type = a0->type;
        }
        return 0;
    }
    if (n->func >= F_DT_Y && n->func <= F_DT_YMD) {
        if (n->nargs != 1 || a0->kind != N_IDENT) {
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                         "%s: %s() takes one floating timestamp column (position %zu)", r->param,
                         n->s, n->pos);
            return -1;
        }
        if (resolve(r, a0))
            return -1;
        if (a0->type != ST_TS)
            return mismatch(r, n, "%s() needs a floating timestamp, and '%s' is not one", n->s,
                            expr_name(r->q, a0));
        n->type = ST_TS;
        return 0;
    }
    /* within_circle(location, lat, lon, radius_m), within_box(location, nw_lat, nw_lon, se_lat,
     * se_lon) */
    {
        size_t want = n->func == F_WITHIN_CIRCLE ? 4 : 5;

        if (r->ctx != CTX_WHERE) {
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                         "%s: %s() belongs in $where (position %zu)", r->param, n->s, n->pos);
            return -1;
        }
        if (n->nargs != want || a0->kind != N_IDENT) {
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                         "%s: %s() takes a location column and %zu numbers (position %zu)",
                         r->param, n->s, want - 1, n->pos);
            return -1;
        }
        if (resolve(r, a0))
            return -1;
        if (a0->type != ST_LOCATION && a0->type != ST_POINT)
            return mismatch(r, a0, "%s() needs a location column, and '%s' is not one", n->s,
                            expr_name(r->q, a0));
        for (i = 1; i < want; i++) {
            struct soql__node *v = n->args[i];
            const char *what = (want == 4 ? circle_args : box_args)[i - 1];
            /* latitudes and longitudes alternate; a circle's radius is last */
            double lim = want == 4 && i == 3 ? 0 : i % 2 ? 90 : 180;
            char num[40];

            if (need_literal(r, v) || number_arg(r, n, v, i, what))
                return -1;
            if (lim ? fabs(v->num) <= lim : v->num > 0)
                continue;
            cscc_fmt_double(v->num, num);
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, v->pos,
                         "%s: %s() at position %zu: %s (argument %zu) must %s, not %s", r->param,
                         n->s, n->pos, what, i + 1,
                         !lim        ? "be above 0"
                         : lim == 90 ? "lie in [-90, 90]"
                                     : "lie in [-180, 180]",
                         num);
            return -1;
        }
        n->type = ST_BOOL;
        return 0;
    }
}

/* Puts a comparison into the form "column-expression op literal". */
static int orient(struct resolver *r, struct soql__node *n)
{
    static const int flip[] = {[OP_EQ] = OP_EQ, [OP_NE] = OP_NE, [OP_LT] = OP_GT,
                               [OP_LE] = OP_GE, [OP_GT] = OP_LT, [OP_GE] = OP_LE};

    if (is_literal(n->a) && !is_literal(n->b)) {
        struct soql__node *t = n->a;

        n->a = n->b;
        n->b = t;
        n->op = flip[n->op];
    }
    if (!is_colexpr(n->a)) {
        soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->a->pos,
                     "%s: a column was expected at position %zu", r->param, n->a->pos);
        return -1;
    }
    return 0;
}

/* A checkbox column used as a condition ("$where=arrest") means "arrest = true". */
static int wrap_bool(struct resolver *r, struct soql__node **np)
{
    struct soql__node *n = *np, *c, *v;

    if (n->kind != N_IDENT || n->type != ST_BOOL)
        return 0;
    c = soql__alloc(&r->q->arena, sizeof(*c));
    v = soql__alloc(&r->q->arena, sizeof(*v));
    if (!c || !v) {
        soql__seterr(r->e, 507, "query.execution.out-of-memory", NULL, 0, "out of memory");
        return -1;
    }
    v->kind = N_BOOL;
    v->type = ST_BOOL;
    v->num = 1;
    v->col = -1;
    v->pos = n->pos;
    c->kind = N_CMP;
    c->op = OP_EQ;
    c->type = ST_BOOL;
    c->a = n;
    c->b = v;
    c->col = -1;
    c->pos = n->pos;
    c->end = n->end;
    *np = c;
    return 0;
}

static int resolve(struct resolver *r, struct soql__node *n)
{
    size_t i;
    const char *cn;

    switch (n->kind) {
    case N_IDENT:
        if ((n->col = find_col(r->q, n->s)) < 0)
            return no_column(r, n);
        n->type = r->q->cols[n->col].type;
        return 0;
    case N_STR: n->type = ST_TEXT; return 0;
    case N_NUM: n->type = ST_NUMBER; return 0;
    case N_BOOL: n->type = ST_BOOL; return 0;
    case N_NULL: n->type = ST_NULL; return 0;
    case N_STAR:
        soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                     "%s: '*' at position %zu is only allowed in count(*)", r->param, n->pos);
        return -1;
    case N_CALL: return resolve_call(r, n);
    case N_AND:
    case N_OR:
    case N_NOT:
        if (r->ctx != CTX_WHERE)
            break;
        if (resolve(r, n->a) || (n->b && resolve(r, n->b)) || wrap_bool(r, &n->a) ||
            (n->b && wrap_bool(r, &n->b)))
            return -1;
        if (n->a->type != ST_BOOL || (n->b && n->b->type != ST_BOOL))
            return mismatch(r, n, "AND, OR and NOT combine conditions%s%s", "", "");
        n->type = ST_BOOL;
        return 0;
    case N_CMP:
    case N_IN:
    case N_BETWEEN:
    case N_ISNULL:
    case N_LIKE:
        if (r->ctx != CTX_WHERE)
            break;
        /* an aggregate here is refused by resolve_call, with its reason */
        if (n->a->kind == N_CALL && SOQL_IS_AGG(n->a->func))
            return resolve(r, n->a);
        if (n->kind == N_CMP && n->b->kind == N_CALL && SOQL_IS_AGG(n->b->func))
            return resolve(r, n->b);
        if (n->kind == N_CMP ? orient(r, n) : 0)
            return -1;
        if (!is_colexpr(n->a)) {
            soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->a->pos,
                         "%s: a column was expected at position %zu", r->param, n->a->pos);
            return -1;
        }
        if (resolve(r, n->a))
            return -1;
        cn = expr_name(r->q, n->a);
        if (n->kind == N_ISNULL) {
            n->type = ST_BOOL;
            return 0;
        }
        if (n->a->type == ST_LOCATION || n->a->type == ST_POINT)
            return mismatch(r, n->a, "'%s' is a %s: use within_circle, within_box or IS NULL", cn,
                            "location");
        if (n->kind == N_LIKE) {
            if (n->a->type != ST_TEXT)
                return mismatch(r, n->a, "LIKE needs text, and '%s' is %s", cn,
                                soql__type_name(n->a->type));
            if (need_literal(r, n->b) || convert(r, n->b, ST_TEXT, cn))
                return -1;
        } else if (n->kind == N_IN) {
            for (i = 0; i < n->nargs; i++)
                if (need_literal(r, n->args[i]) || convert(r, n->args[i], n->a->type, cn))
                    return -1;
        } else {
            if (need_literal(r, n->b) || convert(r, n->b, n->a->type, cn))
                return -1;
            if (n->c && (need_literal(r, n->c) || convert(r, n->c, n->a->type, cn)))
                return -1;
        }
        n->type = ST_BOOL;
        return 0;
    }
    soql__seterr(r->e, 400, "query.compiler.malformed", r->param, n->pos,
                 "%s: a condition at position %zu is only allowed in $where", r->param, n->pos);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Preparing a query                                                        */
/* ------------------------------------------------------------------------ */

static int nodes_equal(const struct soql__node *a, const struct soql__node *b)
{
    size_t i;

    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case N_IDENT: return a->col == b->col;
    case N_STAR: return 1;
    case N_CALL:
        if (a->func != b->func || a->nargs != b->nargs)
            return 0;
        for (i = 0; i < a->nargs; i++)
            if (!nodes_equal(a->args[i], b->args[i]))
                return 0;
        return 1;
    default: return 0;
    }
}

static const char *const known_params[] = {"$select",
                                           "$where",
                                           "$group",
                                           "$order",
                                           "$limit",
                                           "$offset",
                                           "$q",
                                           "$having",
                                           "$query",
                                           "$$app_token",
                                           "$$exclude_system_fields"};

static int add_out(struct soql_query *q, struct soql__node *e, const char *alias, int hidden,
                   struct soql_error *err)
{
    struct soql__out *o;
    size_t i;

    if (q->nout == SOQL_MAX_OUT) {
        soql__seterr(err, 400, "query.compiler.malformed", "$select", 0,
                     "$select: more than %d columns", SOQL_MAX_OUT);
        return -1;
    }
    o = &q->out[q->nout];
    memset(o, 0, sizeof(*o));
    o->e = e;
    o->type = e->type;
    o->agg = o->key = -1;
    o->hidden = hidden;
    if (alias)
        snprintf(o->name, sizeof(o->name), "%s", alias);
    else if (e->kind == N_IDENT)
        snprintf(o->name, sizeof(o->name), "%s", q->cols[e->col].name);
    else if (e->kind == N_CALL && e->args[0]->kind == N_STAR)
        snprintf(o->name, sizeof(o->name), "%s", e->s);
    else
        snprintf(o->name, sizeof(o->name), "%s_%s", e->s, q->cols[e->args[0]->col].name);
    if (!hidden)
        for (i = 0; i < q->nout; i++)
            if (!q->out[i].hidden && !strcmp(q->out[i].name, o->name)) {
                soql__seterr(err, 400, "query.compiler.malformed", "$select", e->pos,
                             "$select: two columns are named '%s'; give one another name with "
                             "AS",
                             o->name);
                return -1;
            }
    q->nout++;
    return 0;
}

/* Registers the aggregates of an output column. */
static int add_agg(struct soql_query *q, struct soql__out *o)
{
    size_t i;

    for (i = 0; i < q->naggs; i++)
        if (nodes_equal(q->aggs[i].e, o->e)) {
            o->agg = (int)i;
            return 0;
        }
    q->aggs[q->naggs].func = o->e->func;
    q->aggs[q->naggs].e = o->e;
    q->aggs[q->naggs].col = o->e->args[0]->kind == N_STAR ? -1 : o->e->args[0]->col;
    o->agg = (int)q->naggs++;
    return 0;
}

/* A simple filter "column=value": equality, the value read as the column's type. */
static struct soql__node *simple_filter(struct soql_query *q, const struct soql_param *p,
                                        struct soql_error *e)
{
    struct soql__node *c = soql__alloc(&q->arena, sizeof(*c)),
                      *id = soql__alloc(&q->arena, sizeof(*id)),
                      *v = soql__alloc(&q->arena, sizeof(*v));
    struct resolver r = {q, p->name, e, CTX_WHERE, 0};
    char *nm, *val;

    if (!c || !id || !v) {
        soql__seterr(e, 507, "query.execution.out-of-memory", NULL, 0, "out of memory");
        return NULL;
    }
    /* the parameters need not outlive soql_prepare: keep copies */
    id->len = strlen(p->name);
    v->len = strlen(p->value);
    id->s = nm = soql__alloc(&q->arena, id->len + 1);
    v->s = val = soql__alloc(&q->arena, v->len + 1);
    if (!nm || !val) {
        soql__seterr(e, 507, "query.execution.out-of-memory", NULL, 0, "out of memory");
        return NULL;
    }
    memcpy(nm, p->name, id->len + 1);
    memcpy(val, p->value, v->len + 1);
    id->kind = N_IDENT;
    id->col = -1;
    id->pos = 0;
    v->kind = N_STR;
    v->pos = 1;
    v->col = -1;
    c->kind = N_CMP;
    c->op = OP_EQ;
    c->a = id;
    c->b = v;
    c->col = -1;
    c->pos = 1;
    if ((id->col = find_col(q, p->name)) < 0) {
        soql__seterr(e, 400, "query.soql.no-such-column", p->name, 0,
                     "unknown parameter '%s': no such column in %s, and not a SoQL parameter "
                     "($select, $where, $group, $order, $limit, $offset)",
                     p->name, q->ds->id);
        return NULL;
    }
    id->type = q->cols[id->col].type;
    if (resolve(&r, c))
        return NULL;
    return c;
}

static int parse_count(const char *name, const char *v, uint64_t max, uint64_t *out,
                       struct soql_error *e)
{
    uint64_t x = 0;
    const char *p = v;

    if (!*p)
        goto bad;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || x > (UINT64_MAX - 9) / 10)
            goto bad;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (x > max) {
        soql__seterr(e, 400, "query.soql.limit-exceeded", name, 1,
                     "%s: %llu is above the maximum of %llu", name, (unsigned long long)x,
                     (unsigned long long)max);
        return -1;
    }
    *out = x;
    return 0;
bad:
    soql__seterr(e, 400, "query.compiler.malformed", name, 1,
                 "%s: '%.40s' is not a whole number of rows", name, v);
    return -1;
}

static char *json_array(struct soql_query *q, int types)
{
    struct strbuf sb;
    size_t i;
    int first = 1;

    strbuf_init(&sb, 0);
    strbuf_addc(&sb, '[');
    for (i = 0; i < q->nout; i++) {
        const char *s = types ? soql__type_name(q->out[i].type) : q->out[i].name;

        if (q->out[i].hidden)
            continue;
        if (!first)
            strbuf_addc(&sb, ',');
        first = 0;
        strbuf_add_json_str(&sb, s, strlen(s));
    }
    strbuf_addc(&sb, ']');
    return strbuf_take(&sb, NULL);
}

/* The aggregate-only rule (victims below SOQL_STAFF): counts, grouped by
 * columns or date_trunc_*, never a row. */
static int check_aggregate_only(struct soql_query *q, struct soql_error *e)
{
    size_t i;
    int counts = 0;

    for (i = 0; i < q->nout; i++) {
        struct soql__out *o = &q->out[i];

        if (o->agg >= 0) {
            if (o->e->func != F_COUNT) {
                soql__seterr(e, 403, "permission_denied", "$select", o->e->pos,
                             "%s is published as counts only: %s() is not allowed, use count(*)",
                             q->ds->id, o->e->s);
                return -1;
            }
            counts++;
        }
    }
    for (i = 0; i < q->nkeys; i++) {
        if (q->keys[i]->kind == N_IDENT && q->keys[i]->type == ST_TS) {
            soql__seterr(e, 403, "permission_denied", "$group", q->keys[i]->pos,
                         "%s is published as counts only: group by date_trunc_ymd(%s) or "
                         "coarser, not by the exact time",
                         q->ds->id, q->cols[q->keys[i]->col].name);
            return -1;
        }
    }
    if (!q->grouped || !counts) {
        soql__seterr(e, 403, "permission_denied", "$select", 0,
                     "%s is not published row by row: ask for counts, e.g. "
                     "$select=community_area,count(*)&$group=community_area",
                     q->ds->id);
        return -1;
    }
    return 0;
}

struct soql_query *soql_prepare(const struct soql_dataset *ds, const struct colstore_table *t,
                                const struct soql_param *params, size_t nparams,
                                enum soql_access access, const struct soql_limits *lim,
                                struct soql_error *e)
{
    struct soql_query *q = cscc_xcalloc(1, sizeof(*q));
    const struct soql_param *pv[8] = {NULL};
    struct soql__item *sel = NULL, *grp = NULL, *ord = NULL;
    size_t nsel = 0, ngrp = 0, nord = 0, i, j, total = 0;
    struct soql__node *filters = NULL;
    struct soql__parser p;
    int has_agg = 0;

    memset(e, 0, sizeof(*e));
    q->ds = ds;
    q->t = t;
    q->access = (int)access;
    if (lim)
        q->lim = *lim;
    else
        soql_limits_default(&q->lim);
    q->limit = 1000;
    if (access < ds->min_access) {
        if (ds->kind == SOQL_DS_LAYER)
            soql__seterr(e, 404, "not_found", NULL, 0, "no dataset %s is published here", ds->id);
        else
            soql__seterr(e, 403, "permission_denied", NULL, 0,
                         "%s (%s) holds victims' records: it is not public, and is published "
                         "only as counts with small cells suppressed",
                         ds->id, ds->title);
        goto fail;
    }
    if (!(q->cols = soql__schema(ds, t, &q->ncols, &q->arena, e)))
        goto fail;
    q->ci_time = colstore_sort_col(t);
    q->time_pcol = -1;
    for (i = 0; i < q->ncols; i++)
        if (q->cols[i].src == SRC_TS && q->cols[i].ci == q->ci_time && q->ci_time >= 0)
            q->time_pcol = (int)i;

    /* Parameters: each at most once, within the length limits, in UTF-8. */
    for (i = 0; i < nparams; i++) {
        const struct soql_param *pa = &params[i];
        size_t len = strlen(pa->value), bad;
        int k = -1;

        total += len + strlen(pa->name);
        if (len > q->lim.max_param_len || total > q->lim.max_total_len) {
            soql__seterr(e, 400, "query.soql.limit-exceeded", pa->name, 0,
                         "%s: the query is too long (at most %zu bytes a parameter, %zu in all)",
                         pa->name, q->lim.max_param_len, q->lim.max_total_len);
            goto fail;
        }
        if ((bad = bad_utf8(pa->name)) != SIZE_MAX) {
            soql__seterr(e, 400, "query.compiler.malformed", pa->name, 0,
                         "a parameter name holds byte 0x%02X, which is not UTF-8; send the "
                         "query in UTF-8",
                         (unsigned char)pa->name[bad]);
            goto fail;
        }
        if ((bad = bad_utf8(pa->value)) != SIZE_MAX) {
            soql__seterr(e, 400, "query.compiler.malformed", pa->name, bad + 1,
                         "%s: byte 0x%02X at position %zu is not UTF-8; send the query in UTF-8",
                         pa->name, (unsigned char)pa->value[bad], bad + 1);
            goto fail;
        }
        if (pa->name[0] != '$') {
            struct soql__node *f = simple_filter(q, pa, e), *a;

            if (!f)
                goto fail;
            if (!filters) {
                filters = f;
            } else {
                if (!(a = soql__alloc(&q->arena, sizeof(*a))))
                    goto oom;
                a->kind = N_AND;
                a->type = ST_BOOL;
                a->a = filters;
                a->b = f;
                filters = a;
            }
            continue;
        }
        for (j = 0; j < sizeof(known_params) / sizeof(known_params[0]); j++)
            if (!strcmp(pa->name, known_params[j]))
                k = (int)j;
        if (k < 0) {
            soql__seterr(e, 400, "query.compiler.malformed", pa->name, 0,
                         "unknown parameter '%s' (the supported ones are $select, $where, "
                         "$group, $order, $limit, $offset)",
                         pa->name);
            goto fail;
        }
        if (k >= 6 && k <= 8) {
            soql__seterr(e, 400, "query.compiler.malformed", pa->name, 0,
                         "%s is not supported here (%s)", pa->name,
                         k == 6   ? "full-text search; filter with $where and LIKE"
                         : k == 7 ? "filter groups in your client, or narrow $where"
                                  : "send the clauses as $select, $where, ... parameters");
            goto fail;
        }
        if (k >= 9)
            continue; /* app tokens and display options change nothing here */
        if (pv[k]) {
            soql__seterr(e, 400, "query.compiler.malformed", pa->name, 0,
                         "%s is given twice; give it once", pa->name);
            goto fail;
        }
        pv[k] = pa;
    }

    memset(&p, 0, sizeof(p));
    p.lim = &q->lim;
    p.arena = &q->arena;
    p.e = e;
#define PARSER(K) (p.param = pv[K]->name, p.src = pv[K]->value, p.len = strlen(pv[K]->value), &p)
    if (pv[0] && soql__parse_list(PARSER(0), 1, 0, &sel, &nsel))
        goto fail;
    if (pv[1] && soql__parse_expr(PARSER(1), &q->where))
        goto fail;
    if (pv[2] && soql__parse_list(PARSER(2), 0, 0, &grp, &ngrp))
        goto fail;
    if (pv[3] && soql__parse_list(PARSER(3), 0, 1, &ord, &nord))
        goto fail;
#undef PARSER
    if (pv[4] && parse_count("$limit", pv[4]->value, q->lim.max_limit, &q->limit, e))
        goto fail;
    if (pv[5] && parse_count("$offset", pv[5]->value, UINT64_MAX / 4, &q->offset, e))
        goto fail;
    if (q->arena.failed)
        goto oom;

    /* $where, then the simple filters. */
    if (q->where) {
        struct resolver r = {q, "$where", e, CTX_WHERE, 0};

        if (resolve(&r, q->where) || wrap_bool(&r, &q->where))
            goto fail;
        if (q->where->type != ST_BOOL) {
            soql__seterr(e, 400, "query.soql.type-mismatch", "$where", 1,
                         "$where: a condition was expected, not a value");
            goto fail;
        }
    }
    if (filters) {
        if (q->where) {
            struct soql__node *a = soql__alloc(&q->arena, sizeof(*a));

            if (!a)
                goto oom;
            a->kind = N_AND;
            a->type = ST_BOOL;
            a->a = q->where;
            a->b = filters;
            q->where = a;
        } else {
            q->where = filters;
        }
    }

    /* $select: '*' is every visible column. */
    if (!nsel) {
        static struct soql__item star = {NULL, NULL, 0, 1};

        sel = &star;
        nsel = 1;
    }
    for (i = 0; i < nsel; i++) {
        struct resolver r = {q, "$select", e, CTX_SELECT, 0};

        if (sel[i].star) {
            for (j = 0; j < q->ncols; j++) {
                struct soql__node *n;

                if (q->cols[j].min_access > q->access)
                    continue;
                if (!(n = soql__alloc(&q->arena, sizeof(*n))))
                    goto oom;
                n->kind = N_IDENT;
                n->col = (int)j;
                n->type = q->cols[j].type;
                n->s = q->cols[j].name;
                n->pos = 1;
                if (add_out(q, n, NULL, 0, e))
                    goto fail;
            }
            continue;
        }
        if (resolve(&r, sel[i].e))
            goto fail;
        if (!is_colexpr(sel[i].e) && !(sel[i].e->kind == N_CALL && SOQL_IS_AGG(sel[i].e->func))) {
            soql__seterr(e, 400, "query.compiler.malformed", "$select", sel[i].e->pos,
                         "$select: a column, date_trunc_*(column) or an aggregate was expected "
                         "at position %zu",
                         sel[i].e->pos);
            goto fail;
        }
        if (add_out(q, sel[i].e, sel[i].alias, 0, e))
            goto fail;
    }
    q->nvisible = q->nout;

    /* $group: columns, date_trunc_*(column) or $select aliases (of a column
     * or of date_trunc_*(column)); a column's own name wins over an alias. */
    for (i = 0; i < ngrp; i++) {
        struct resolver r = {q, "$group", e, CTX_GROUP, 0};
        struct soql__node *g = grp[i].e;

        if (g->kind == N_IDENT && find_col(q, g->s) < 0)
            for (j = 0; j < q->nvisible; j++)
                if (!strcmp(q->out[j].name, g->s))
                    g = q->out[j].e;
        if (g == grp[i].e && resolve(&r, g))
            goto fail;
        if (!is_colexpr(g)) {
            soql__seterr(e, 400, "query.compiler.malformed", "$group", g->pos,
                         "$group: a column or date_trunc_*(column) was expected at position %zu",
                         g->pos);
            goto fail;
        }
        if (g->type == ST_LOCATION || g->type == ST_POINT ||
            (g->kind == N_IDENT && q->cols[g->col].src == SRC_STR && 0)) {
            soql__seterr(e, 400, "query.compiler.malformed", "$group", g->pos,
                         "$group: grouping by a location is not supported (position %zu)", g->pos);
            goto fail;
        }
        for (j = 0; j < q->nkeys; j++)
            if (nodes_equal(q->keys[j], g))
                break;
        if (j == q->nkeys)
            q->keys[q->nkeys++] = g;
    }
    for (i = 0; i < q->nout; i++)
        if (q->out[i].e->kind == N_CALL && SOQL_IS_AGG(q->out[i].e->func))
            has_agg = 1;

    /* $order: an output name, a column, or an expression of those kinds. */
    for (i = 0; i < nord; i++) {
        struct resolver r = {q, "$order", e, CTX_ORDER, 0};
        struct soql__node *o = ord[i].e;
        int out = -1;

        if (o->kind == N_IDENT)
            for (j = 0; j < q->nvisible; j++)
                if (!strcmp(q->out[j].name, o->s))
                    out = (int)j;
        if (out < 0 && resolve(&r, o))
            goto fail;
        if (out < 0 && !is_colexpr(o) && !(o->kind == N_CALL && SOQL_IS_AGG(o->func))) {
            soql__seterr(e, 400, "query.compiler.malformed", "$order", o->pos,
                         "$order: a column, an output name or an aggregate was expected at "
                         "position %zu",
                         o->pos);
            goto fail;
        }
        if (out < 0 && o->kind == N_CALL && SOQL_IS_AGG(o->func))
            has_agg = 1;
        q->order[i].e = out >= 0 ? q->out[out].e : o;
        q->order[i].out = out;
        q->order[i].desc = ord[i].desc;
    }
    q->norder = nord;
    q->grouped = has_agg || q->nkeys;

    if (q->grouped) {
        /* Every output is an aggregate or one of the group keys. */
        for (i = 0; i < q->nout; i++) {
            struct soql__out *o = &q->out[i];

            if (o->e->kind == N_CALL && SOQL_IS_AGG(o->e->func)) {
                add_agg(q, o);
                continue;
            }
            for (j = 0; j < q->nkeys; j++)
                if (nodes_equal(q->keys[j], o->e))
                    o->key = (int)j;
            if (o->key < 0) {
                soql__seterr(e, 400, "query.soql.column-not-in-group-bys", "$select", o->e->pos,
                             "$select: '%s' must be in $group or inside an aggregate such as "
                             "count(*)",
                             o->name);
                goto fail;
            }
        }
        for (i = 0; i < q->norder; i++) {
            struct soql__order *so = &q->order[i];

            if (so->out >= 0)
                continue;
            for (j = 0; j < q->nout; j++)
                if (nodes_equal(q->out[j].e, so->e))
                    so->out = (int)j;
            if (so->out < 0) {
                int is_agg = so->e->kind == N_CALL && SOQL_IS_AGG(so->e->func);

                for (j = 0; !is_agg && j < q->nkeys; j++)
                    if (nodes_equal(q->keys[j], so->e))
                        break;
                if (!is_agg && j == q->nkeys) {
                    soql__seterr(e, 400, "query.soql.column-not-in-group-bys", "$order", so->e->pos,
                                 "$order: '%s' must be in $group or inside an aggregate",
                                 expr_name(q, so->e));
                    goto fail;
                }
                if (add_out(q, so->e, "", 1, e))
                    goto fail;
                so->out = (int)q->nout - 1;
                if (is_agg)
                    add_agg(q, &q->out[so->out]);
                else
                    q->out[so->out].key = (int)j;
            }
        }
    } else {
        for (i = 0; i < q->norder; i++)
            if (q->order[i].e->type == ST_LOCATION || q->order[i].e->type == ST_POINT) {
                soql__seterr(e, 400, "query.compiler.malformed", "$order", q->order[i].e->pos,
                             "$order: ordering by a location is not supported");
                goto fail;
            }
        if (q->norder && q->offset + q->limit > q->lim.max_window) {
            soql__seterr(e, 400, "query.soql.limit-exceeded", "$offset", 1,
                         "$offset + $limit may not pass %zu rows when $order is given; narrow "
                         "$where on the ordered column to page further",
                         q->lim.max_window);
            goto fail;
        }
    }
    if (access < ds->min_rows_access && check_aggregate_only(q, e))
        goto fail;
    if (q->arena.failed)
        goto oom;
    q->fields_hdr = json_array(q, 0);
    q->types_hdr = json_array(q, 1);
    return q;
oom:
    soql__seterr(e, 507, "query.execution.out-of-memory", NULL, 0, "out of memory");
fail:
    soql_query_free(q);
    return NULL;
}

void soql_query_free(struct soql_query *q)
{
    if (!q)
        return;
    soql__arena_release(&q->arena);
    cscc_free(q->fields_hdr);
    cscc_free(q->types_hdr);
    cscc_free(q);
}

const char *soql_fields_header(const struct soql_query *q)
{
    return q->fields_hdr;
}

const char *soql_types_header(const struct soql_query *q)
{
    return q->types_hdr;
}

uint64_t soql_rows_scanned(const struct soql_query *q)
{
    return q->scanned;
}

int soql_run(struct soql_query *q, enum soql_format f, struct strbuf *out, struct soql_error *e)
{
    memset(e, 0, sizeof(*e));
    return soql__execute(q, f, out, e);
}
