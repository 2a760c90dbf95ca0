/* crimes.c - the "Crimes - 2001 to present" dataset: columns, header
 * binding and the row parser. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/hash.h"
#include "core/strbuf.h"

#include <math.h>
#include <string.h>

enum {
    C_ID,
    C_CASE,
    C_DATE,
    C_BLOCK,
    C_IUCR,
    C_TYPE,
    C_DESC,
    C_LOCDESC,
    C_ARREST,
    C_DOMESTIC,
    C_BEAT,
    C_DISTRICT,
    C_WARD,
    C_AREA,
    C_AREA_SRC,
    C_FBI,
    C_X,
    C_Y,
    C_UPDATED,
    C_LAT,
    C_LON,
    C_NCOLS
};

static const struct ingest__colspec cols[C_NCOLS] = {
    [C_ID] = {"id", COLSTORE_I64},
    [C_CASE] = {"case_number", COLSTORE_STR},
    [C_DATE] = {"date", COLSTORE_I64},
    [C_BLOCK] = {"block", COLSTORE_DICT},
    [C_IUCR] = {"iucr", COLSTORE_DICT},
    [C_TYPE] = {"primary_type", COLSTORE_DICT},
    [C_DESC] = {"description", COLSTORE_DICT},
    [C_LOCDESC] = {"location_description", COLSTORE_DICT},
    [C_ARREST] = {"arrest", COLSTORE_U8},
    [C_DOMESTIC] = {"domestic", COLSTORE_U8},
    [C_BEAT] = {"beat", COLSTORE_U16},
    [C_DISTRICT] = {"district", COLSTORE_U8},
    [C_WARD] = {"ward", COLSTORE_U8},
    [C_AREA] = {"community_area", COLSTORE_U8},
    [C_AREA_SRC] = {"area_source", COLSTORE_U8},
    [C_FBI] = {"fbi_code", COLSTORE_DICT},
    [C_X] = {"x_coordinate", COLSTORE_I32},
    [C_Y] = {"y_coordinate", COLSTORE_I32},
    [C_UPDATED] = {"updated_on", COLSTORE_I64},
    [C_LAT] = {"latitude", COLSTORE_F64},
    [C_LON] = {"longitude", COLSTORE_F64},
};

/* Source header names of each column (the portal's, matched loosely:
 * "Case Number" also matches the API's "case_number"). */
static const char *const src_names[C_NCOLS] = {
    [C_ID] = "ID",
    [C_CASE] = "Case Number",
    [C_DATE] = "Date",
    [C_BLOCK] = "Block",
    [C_IUCR] = "IUCR",
    [C_TYPE] = "Primary Type",
    [C_DESC] = "Description",
    [C_LOCDESC] = "Location Description",
    [C_ARREST] = "Arrest",
    [C_DOMESTIC] = "Domestic",
    [C_BEAT] = "Beat",
    [C_DISTRICT] = "District",
    [C_WARD] = "Ward",
    [C_AREA] = "Community Area",
    [C_AREA_SRC] = NULL,
    [C_FBI] = "FBI Code",
    [C_X] = "X Coordinate",
    [C_Y] = "Y Coordinate",
    [C_UPDATED] = "Updated On",
    [C_LAT] = "Latitude",
    [C_LON] = "Longitude",
};

struct binding {
    int src[C_NCOLS]; /* source field index of each column, -1 if absent */
    size_t nfields;
};

static void *bind(const struct ingest__dataset *ds, const struct ingest_opts *o,
                  const struct csv_row *h, const char *file, struct cscc_err *err)
{
    struct binding *b = cscc_xcalloc(1, sizeof(*b));
    struct strbuf missing;
    int i;

    (void)ds;
    (void)o;
    b->nfields = h->nfields;
    for (i = 0; i < C_NCOLS; i++)
        b->src[i] = src_names[i] ? ingest__find_col(h, src_names[i]) : -1;
    strbuf_init(&missing, 4096);
    if (b->src[C_DATE] < 0)
        strbuf_adds(&missing, "'Date', ");
    if (b->src[C_TYPE] < 0)
        strbuf_adds(&missing, "'Primary Type', ");
    if (b->src[C_ID] < 0 && b->src[C_CASE] < 0)
        strbuf_adds(&missing, "'ID' or 'Case Number', ");
    if (missing.len) {
        strbuf_setlen(&missing, missing.len - 2);
        if (ingest__find_col(h, "VICTIMIZATION_PRIMARY") >= 0)
            cscc_err_set(err, CSCC_EDATA,
                         "%s is a victims export, not a crimes export; import it with "
                         "'cscc import victims'",
                         file);
        else
            cscc_err_set(err, CSCC_EDATA,
                         "%s is not a \"Crimes - 2001 to present\" export: its header lacks %s",
                         file, missing.buf);
        strbuf_release(&missing);
        cscc_free(b);
        return NULL;
    }
    strbuf_release(&missing);
    return b;
}

static void unbind(void *b)
{
    cscc_free(b);
}

#define FIELD(c) (b->src[c] >= 0 ? &f[b->src[c]] : &empty)

static int reject(struct ingest__reject *rej, const char *reason, int c, const struct csv_field *v)
{
    return ingest__reject(rej, reason, src_names[c], v);
}

/* "4B" -> "04B", "2" -> "02": some copies drop the leading zero of FBI codes. */
static size_t norm_fbi(const char *p, size_t len, char out[8])
{
    size_t i, o = 0;

    ingest__trim(&p, &len);
    if (len == 0 || len > 4)
        return 0;
    if (p[0] >= '0' && p[0] <= '9' && (len == 1 || !(p[1] >= '0' && p[1] <= '9')))
        out[o++] = '0';
    for (i = 0; i < len; i++)
        out[o++] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
    return o;
}

/*
 * In the City's data the Primary Type, Description and FBI Code of a row
 * follow from its IUCR code almost always. Each worker remembers, per IUCR
 * code, the dictionary codes it last stored for them; a row only needs its
 * strings compared with those, not hashed and looked up. A mismatch (a
 * reclassified code) simply takes the slow path and refreshes the memo.
 */
#define MEMO_SIZE 1024

struct memo {
    uint32_t key[MEMO_SIZE];     /* the 4 IUCR characters, 0 = empty */
    uint32_t code[MEMO_SIZE][4]; /* iucr, primary type, description, FBI code */
    char upd[32];                /* the last Updated On text, and its value */
    size_t upd_len;
    int64_t upd_t;
};

static void scratch_free(void *p)
{
    cscc_free(p);
}

static inline int same_str(const struct colstore_dict *d, uint32_t code, const char *p, size_t len)
{
    size_t l;
    const char *s = colstore_dict_str(d, code, &l);

    return l == len && cscc_mem_eq(s, p, len);
}

/* Interns the field of column c (trimmed) unless the memo's code matches; updates it. */
static inline int memo_put(struct ingest__seg *s, int c, size_t r, const char *p, size_t len,
                           uint32_t *memo_code, int hit)
{
    int64_t code;

    if (hit && same_str(s->dict[c], *memo_code, p, len)) {
        ((uint32_t *)s->col[c])[r] = *memo_code;
        return 0;
    }
    code = colstore_dict_intern(s->dict[c], p, len);
    if (code < 0)
        return CSCC_ELIMIT;
    ((uint32_t *)s->col[c])[r] = (uint32_t)code;
    *memo_code = (uint32_t)code;
    return 0;
}

/* An X or Y Coordinate (feet): an integer, or a decimal rounded; missing ->
 * the null value. 0 ok, 1 malformed. */
static int coord(const struct csv_field *v, int64_t *out)
{
    double dv;
    int rc = ingest__field_int(v, out);

    if (rc == 1) {
        *out = COLSTORE_NULL_I32;
        return 0;
    }
    if (rc == 0)
        return *out < -2000000000 || *out > 2000000000;
    if (ingest__field_double(v, &dv) != 0 || fabs(dv) > 2e9)
        return 1;
    *out = (int64_t)lround(dv);
    return 0;
}

static int parse(struct ingest__worker *w, const void *bv, const struct csv_row *rec, size_t r,
                 struct ingest__reject *rej)
{
    static const struct csv_field empty = {"", 0};
    const struct binding *b = bv;
    const struct csv_field *f = rec->fields, *v;
    struct ingest__seg *s = w->seg;
    int64_t iv, t;
    double lat = NAN, lon = NAN;
    uint8_t bv8;
    char code[8];
    int rc;
    size_t n;

    /* The block and location dictionaries are big enough to miss the cache:
     * hash their strings now and load the slots while the rest is parsed. */
    const char *bp = FIELD(C_BLOCK)->p, *lp = FIELD(C_LOCDESC)->p;
    size_t bl = FIELD(C_BLOCK)->len, ll = FIELD(C_LOCDESC)->len;
    uint64_t bh, lh;

    ingest__trim(&bp, &bl);
    ingest__trim(&lp, &ll);
    bh = colstore_dict_hash(bp, bl);
    lh = colstore_dict_hash(lp, ll);
    colstore_dict_prefetch(s->dict[C_BLOCK], bh);
    colstore_dict_prefetch(s->dict[C_LOCDESC], lh);

    /* ID and Case Number: a row needs one to be identified. */
    v = FIELD(C_ID);
    rc = ingest__field_int(v, &iv);
    if (rc < 0 || (rc == 0 && iv <= 0))
        return reject(rej, "bad ID", C_ID, v);
    ingest__put_i64(s, C_ID, r, rc == 0 ? iv : COLSTORE_NULL_I64);
    v = FIELD(C_CASE);
    {
        const char *p;
        size_t len;

        ingest__field_text(v, &p, &len);
        if (!len && rc != 0)
            return reject(rej, "no ID and no Case Number", C_CASE, NULL);
        if (len > 64)
            return reject(rej, "bad Case Number", C_CASE, v);
        if (ingest__put_str(s, C_CASE, r, p, len))
            return reject(rej, "out of memory", C_CASE, NULL);
    }
    v = FIELD(C_DATE);
    rc = ingest__field_time(v, &t);
    if (rc == 1)
        return reject(rej, "missing date", C_DATE, NULL);
    if (rc < 0)
        return reject(rej, "bad date", C_DATE, v);
    ingest__put_i64(s, C_DATE, r, t);

    /* Updated On takes few values (bulk refreshes): remember the last one. */
    {
        struct memo *mm = w->scratch;

        if (!mm)
            mm = w->scratch = cscc_xcalloc(1, sizeof(*mm));
        v = FIELD(C_UPDATED);
        if (v->len == mm->upd_len && v->len <= sizeof(mm->upd) && mm->upd_len &&
            cscc_mem_eq(v->p, mm->upd, v->len)) {
            t = mm->upd_t;
            rc = 0;
        } else {
            rc = ingest__field_time(v, &t);
            if (rc < 0)
                return reject(rej, "bad Updated On date", C_UPDATED, v);
            if (rc == 0 && v->len <= sizeof(mm->upd)) {
                memcpy(mm->upd, v->p, v->len);
                mm->upd_len = v->len;
                mm->upd_t = t;
            }
        }
        ingest__put_i64(s, C_UPDATED, r, rc == 0 ? t : COLSTORE_NULL_I64);
    }

    {
        struct memo *mm = w->scratch;
        uint32_t key = 0, slot, *mc;
        const char *p;
        size_t len;
        int hit;

        if (!mm)
            mm = w->scratch = cscc_xcalloc(1, sizeof(*mm));
        v = FIELD(C_IUCR);
        if (v->len) {
            if (ingest__norm_iucr(v->p, v->len, code) < 0)
                return reject(rej, "bad IUCR code", C_IUCR, v);
            memcpy(&key, code, 4);
        }
        slot = (key * 2654435761u) >> 22;
        hit = key && mm->key[slot] == key;
        mc = mm->code[slot];
        if (key && !hit) {
            int64_t ic = colstore_dict_intern(s->dict[C_IUCR], code, 4);

            if (ic < 0)
                return reject(rej, "too many distinct values", C_IUCR, NULL);
            mm->key[slot] = key;
            mc[0] = (uint32_t)ic;
        }
        ingest__put_u32(s, C_IUCR, r, key ? mc[0] : 0);
        v = FIELD(C_TYPE);
        ingest__field_text(v, &p, &len);
        if (memo_put(s, C_TYPE, r, p, len, &mc[1], hit))
            return reject(rej, "too many distinct values", C_TYPE, NULL);
        v = FIELD(C_DESC);
        ingest__field_text(v, &p, &len);
        if (memo_put(s, C_DESC, r, p, len, &mc[2], hit))
            return reject(rej, "too many distinct values", C_DESC, NULL);
        v = FIELD(C_FBI);
        n = norm_fbi(v->p, v->len, code);
        if (memo_put(s, C_FBI, r, code, n, &mc[3], hit))
            return reject(rej, "too many distinct values", C_FBI, NULL);
        if (!key) /* no IUCR: nothing to remember */
            mm->key[slot] = 0;
    }

    v = FIELD(C_ARREST);
    rc = ingest__parse_bool(v->p, v->len, &bv8);
    if (rc < 0)
        return reject(rej, "bad Arrest value", C_ARREST, v);
    ingest__put_u8(s, C_ARREST, r, rc == 0 ? bv8 : COLSTORE_NULL_U8);
    v = FIELD(C_DOMESTIC);
    rc = ingest__parse_bool(v->p, v->len, &bv8);
    if (rc < 0)
        return reject(rej, "bad Domestic value", C_DOMESTIC, v);
    ingest__put_u8(s, C_DOMESTIC, r, rc == 0 ? bv8 : COLSTORE_NULL_U8);

    if (ingest__field_small_int(FIELD(C_BEAT), 1, 65534, &iv))
        return reject(rej, "bad Beat", C_BEAT, FIELD(C_BEAT));
    ingest__put_u16(s, C_BEAT, r, iv >= 0 ? (uint16_t)iv : COLSTORE_NULL_U16);
    if (ingest__field_small_int(FIELD(C_DISTRICT), 0, 254, &iv))
        return reject(rej, "bad District", C_DISTRICT, FIELD(C_DISTRICT));
    ingest__put_u8(s, C_DISTRICT, r, iv > 0 ? (uint8_t)iv : COLSTORE_NULL_U8);
    if (ingest__field_small_int(FIELD(C_WARD), 0, 254, &iv))
        return reject(rej, "bad Ward", C_WARD, FIELD(C_WARD));
    ingest__put_u8(s, C_WARD, r, iv > 0 ? (uint8_t)iv : COLSTORE_NULL_U8);

    if (coord(FIELD(C_X), &iv))
        return reject(rej, "bad X Coordinate", C_X, FIELD(C_X));
    ingest__put_i32(s, C_X, r, (int32_t)iv);
    if (coord(FIELD(C_Y), &iv))
        return reject(rej, "bad Y Coordinate", C_Y, FIELD(C_Y));
    ingest__put_i32(s, C_Y, r, (int32_t)iv);
    v = FIELD(C_LAT);
    rc = ingest__field_double(v, &lat);
    if (rc < 0 || (rc == 0 && fabs(lat) > 90))
        return reject(rej, "bad Latitude", C_LAT, v);
    if (rc == 1)
        lat = NAN;
    v = FIELD(C_LON);
    rc = ingest__field_double(v, &lon);
    if (rc < 0 || (rc == 0 && fabs(lon) > 180))
        return reject(rej, "bad Longitude", C_LON, v);
    if (rc == 1)
        lon = NAN;
    if (isnan(lat) != isnan(lon))
        return reject(rej, "only one of Latitude and Longitude", isnan(lat) ? C_LAT : C_LON, NULL);
    ingest__put_f64(s, C_LAT, r, lat);
    ingest__put_f64(s, C_LON, r, lon);

    {
        int64_t lc = ll ? colstore_dict_intern_hashed(s->dict[C_LOCDESC], lp, ll, lh) : 0;
        int64_t bc = bl ? colstore_dict_intern_hashed(s->dict[C_BLOCK], bp, bl, bh) : 0;

        if (lc < 0)
            return reject(rej, "too many distinct values", C_LOCDESC, NULL);
        if (bc < 0)
            return reject(rej, "too many distinct values", C_BLOCK, NULL);
        ingest__put_u32(s, C_LOCDESC, r, (uint32_t)lc);
        ingest__put_u32(s, C_BLOCK, r, (uint32_t)bc);
    }

    /* Community Area: as given (0 means unknown in the City's data), else
     * placed from the coordinates. */
    v = FIELD(C_AREA);
    if (ingest__field_small_int(v, 0, 254, &iv) || iv > w->max_area)
        return reject(rej, "bad Community Area", C_AREA, v);
    if (iv > 0) {
        ingest__put_u8(s, C_AREA, r, (uint8_t)iv);
        ingest__put_u8(s, C_AREA_SRC, r, 0);
    } else {
        int a = ingest__place(w, lat, lon);

        if (a > 0) {
            ingest__put_u8(s, C_AREA, r, (uint8_t)a);
            ingest__put_u8(s, C_AREA_SRC, r, 1);
            w->placed++;
        } else {
            ingest__put_u8(s, C_AREA, r, COLSTORE_NULL_U8);
            ingest__put_u8(s, C_AREA_SRC, r, COLSTORE_NULL_U8);
            w->unplaced++;
        }
    }
    return 0;
}

static const struct ingest__dataset crimes = {
    .name = "crimes",
    .sets_all = 1,
    .table = "crimes",
    .cols = cols,
    .ncols = C_NCOLS,
    .col_id = C_ID,
    .col_t = C_DATE,
    .col_updated = C_UPDATED,
    .col_area = C_AREA,
    .ckey = {C_CASE, C_DATE, C_IUCR},
    .nckey = 3,
    .bind = bind,
    .parse = parse,
    .unbind = unbind,
    .scratch_free = scratch_free,
};

const struct ingest__dataset *ingest__crimes(void)
{
    return &crimes;
}
