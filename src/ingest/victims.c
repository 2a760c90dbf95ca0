/* victims.c - the "Violence Reduction - Victims of Homicides and Non-Fatal
 * Shootings" dataset: one row per victim.
 *
 * Privacy: the export carries homicide victims' names
 * (HOMICIDE_VICTIM_FIRST_NAME, _MI, _LAST_NAME). They are never read: no
 * column of the table holds them, and rejected rows keep no copy of the
 * record. The derived MONTH, DAY_OF_WEEK and HOUR columns are not stored
 * either; they follow from DATE.
 */
#include "ingest/ingest_int.h"

#include "core/alloc.h"
#include "core/hash.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

enum {
    V_ID,
    V_UID,
    V_CASE,
    V_DATE,
    V_BLOCK,
    V_VPRIM,
    V_IPRIM,
    V_GUNSHOT,
    V_ZIP,
    V_WARD,
    V_AREA,
    V_AREA_SRC,
    V_OUTREACH,
    V_POLICE_AREA,
    V_DISTRICT,
    V_BEAT,
    V_AGE,
    V_SEX,
    V_RACE,
    V_VFBI,
    V_IFBI,
    V_VFBI_D,
    V_IFBI_D,
    V_VIUCR,
    V_IIUCR,
    V_VIUCR_S,
    V_IIUCR_S,
    V_LOCDESC,
    V_HOUSE,
    V_SENATE,
    V_UPDATED,
    V_LAT,
    V_LON,
    V_NCOLS
};

static const struct ingest__colspec cols[V_NCOLS] = {
    [V_ID] = {"id", COLSTORE_I64},
    [V_UID] = {"unique_id", COLSTORE_STR},
    [V_CASE] = {"case_number", COLSTORE_STR},
    [V_DATE] = {"date", COLSTORE_I64},
    [V_BLOCK] = {"block", COLSTORE_DICT},
    [V_VPRIM] = {"victimization_primary", COLSTORE_DICT},
    [V_IPRIM] = {"incident_primary", COLSTORE_DICT},
    [V_GUNSHOT] = {"gunshot_injury", COLSTORE_U8},
    [V_ZIP] = {"zip_code", COLSTORE_DICT},
    [V_WARD] = {"ward", COLSTORE_U8},
    [V_AREA] = {"community_area", COLSTORE_U8},
    [V_AREA_SRC] = {"area_source", COLSTORE_U8},
    [V_OUTREACH] = {"street_outreach_organization", COLSTORE_DICT},
    [V_POLICE_AREA] = {"police_area", COLSTORE_U8},
    [V_DISTRICT] = {"district", COLSTORE_U8},
    [V_BEAT] = {"beat", COLSTORE_U16},
    [V_AGE] = {"age", COLSTORE_DICT},
    [V_SEX] = {"sex", COLSTORE_DICT},
    [V_RACE] = {"race", COLSTORE_DICT},
    [V_VFBI] = {"victimization_fbi_code", COLSTORE_DICT},
    [V_IFBI] = {"incident_fbi_code", COLSTORE_DICT},
    [V_VFBI_D] = {"victimization_fbi_description", COLSTORE_DICT},
    [V_IFBI_D] = {"incident_fbi_description", COLSTORE_DICT},
    [V_VIUCR] = {"victimization_iucr", COLSTORE_DICT},
    [V_IIUCR] = {"incident_iucr", COLSTORE_DICT},
    [V_VIUCR_S] = {"victimization_iucr_secondary", COLSTORE_DICT},
    [V_IIUCR_S] = {"incident_iucr_secondary", COLSTORE_DICT},
    [V_LOCDESC] = {"location_description", COLSTORE_DICT},
    [V_HOUSE] = {"state_house_district", COLSTORE_U8},
    [V_SENATE] = {"state_senate_district", COLSTORE_U8},
    [V_UPDATED] = {"updated", COLSTORE_I64},
    [V_LAT] = {"latitude", COLSTORE_F64},
    [V_LON] = {"longitude", COLSTORE_F64},
};

static const char *const src_names[V_NCOLS] = {
    [V_UID] = "UNIQUE_ID",
    [V_CASE] = "CASE_NUMBER",
    [V_DATE] = "DATE",
    [V_BLOCK] = "BLOCK",
    [V_VPRIM] = "VICTIMIZATION_PRIMARY",
    [V_IPRIM] = "INCIDENT_PRIMARY",
    [V_GUNSHOT] = "GUNSHOT_INJURY_I",
    [V_ZIP] = "ZIP_CODE",
    [V_WARD] = "WARD",
    [V_AREA] = "COMMUNITY_AREA",
    [V_OUTREACH] = "STREET_OUTREACH_ORGANIZATION",
    [V_POLICE_AREA] = "AREA",
    [V_DISTRICT] = "DISTRICT",
    [V_BEAT] = "BEAT",
    [V_AGE] = "AGE",
    [V_SEX] = "SEX",
    [V_RACE] = "RACE",
    [V_VFBI] = "VICTIMIZATION_FBI_CD",
    [V_IFBI] = "INCIDENT_FBI_CD",
    [V_VFBI_D] = "VICTIMIZATION_FBI_DESCR",
    [V_IFBI_D] = "INCIDENT_FBI_DESCR",
    [V_VIUCR] = "VICTIMIZATION_IUCR_CD",
    [V_IIUCR] = "INCIDENT_IUCR_CD",
    [V_VIUCR_S] = "VICTIMIZATION_IUCR_SECONDARY",
    [V_IIUCR_S] = "INCIDENT_IUCR_SECONDARY",
    [V_LOCDESC] = "LOCATION_DESCRIPTION",
    [V_HOUSE] = "STATE_HOUSE_DISTRICT",
    [V_SENATE] = "STATE_SENATE_DISTRICT",
    [V_UPDATED] = "UPDATED",
    [V_LAT] = "LATITUDE",
    [V_LON] = "LONGITUDE",
};

struct binding {
    int src[V_NCOLS];
};

static void *bind(const struct ingest__dataset *ds, const struct ingest_opts *o,
                  const struct csv_row *h, const char *file, struct cscc_err *err)
{
    struct binding *b = cscc_xcalloc(1, sizeof(*b));
    int i;

    (void)ds;
    (void)o;
    for (i = 0; i < V_NCOLS; i++)
        b->src[i] = src_names[i] ? ingest__find_col(h, src_names[i]) : -1;
    if (b->src[V_DATE] < 0 || b->src[V_VPRIM] < 0 || (b->src[V_UID] < 0 && b->src[V_CASE] < 0)) {
        if (ingest__find_col(h, "Primary Type") >= 0 && ingest__find_col(h, "IUCR") >= 0)
            cscc_err_set(err, CSCC_EDATA,
                         "%s is a crimes export, not a victims export; import it with "
                         "'cscc import crimes'",
                         file);
        else
            cscc_err_set(err, CSCC_EDATA,
                         "%s is not a \"Violence Reduction - Victims of Homicides and Non-Fatal "
                         "Shootings\" export: its header lacks %s",
                         file,
                         b->src[V_DATE] < 0    ? "'DATE'"
                         : b->src[V_VPRIM] < 0 ? "'VICTIMIZATION_PRIMARY'"
                                               : "'UNIQUE_ID' or 'CASE_NUMBER'");
        cscc_free(b);
        return NULL;
    }
    return b;
}

static void unbind(void *b)
{
    cscc_free(b);
}

/* Per-worker: area names (upper case, letters and digits only) to numbers. */
struct scratch {
    int built;
    size_t n;
    char name[255][48];
    int id[255];
};

static void scratch_free(void *p)
{
    cscc_free(p);
}

static size_t norm_name(const char *p, size_t len, char *out, size_t cap)
{
    size_t i, o = 0;

    for (i = 0; i < len && o + 1 < cap; i++)
        if (isalnum((unsigned char)p[i]))
            out[o++] = (char)toupper((unsigned char)p[i]);
    out[o] = '\0';
    return o;
}

static int area_by_name(struct ingest__worker *w, const char *p, size_t len)
{
    struct scratch *s = w->scratch;
    char key[48];
    size_t i;

    if (!s)
        s = w->scratch = cscc_xcalloc(1, sizeof(*s));
    if (!w->areas)
        w->areas = ingest__job_areas(w->job);
    if (!s->built && w->areas) {
        size_t n = geo_areas_count(w->areas);

        for (i = 0; i < n && s->n < 255; i++) {
            int id = geo_areas_id_at(w->areas, i);
            const char *nm = geo_areas_name(w->areas, id);

            if (!nm)
                continue;
            norm_name(nm, strlen(nm), s->name[s->n], sizeof(s->name[0]));
            s->id[s->n++] = id;
        }
        s->built = 1;
    }
    norm_name(p, len, key, sizeof(key));
    for (i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], key))
            return s->id[i];
    return -1;
}

static int reject(struct ingest__reject *rej, const char *reason, int c, const struct csv_field *v)
{
    return ingest__reject(rej, reason, src_names[c], v);
}

#define FIELD(c) (b->src[c] >= 0 ? &f[b->src[c]] : &empty)

static int put_dict(struct ingest__seg *s, int c, size_t r, const struct csv_field *v)
{
    const char *p;
    size_t len;

    ingest__field_text(v, &p, &len);
    return ingest__put_dict(s, c, r, p, len);
}

static int parse(struct ingest__worker *w, const void *bv, const struct csv_row *rec, size_t r,
                 struct ingest__reject *rej)
{
    static const struct csv_field empty = {"", 0};
    static const int dicts[] = {V_BLOCK, V_VPRIM, V_IPRIM,   V_ZIP,     V_OUTREACH, V_AGE,
                                V_SEX,   V_RACE,  V_VFBI,    V_IFBI,    V_VFBI_D,   V_IFBI_D,
                                V_VIUCR, V_IIUCR, V_VIUCR_S, V_IIUCR_S, V_LOCDESC};
    static const int small[] = {V_WARD, V_POLICE_AREA, V_DISTRICT, V_HOUSE, V_SENATE};
    const struct binding *b = bv;
    const struct csv_field *f = rec->fields, *v;
    struct ingest__seg *s = w->seg;
    const char *p;
    size_t len, i;
    int64_t iv, t;
    double lat = NAN, lon = NAN;
    uint8_t b8;
    int rc;

    v = FIELD(V_UID);
    ingest__field_text(v, &p, &len);
    if (len) {
        ingest__put_i64(s, V_ID, r, (int64_t)(cscc_hash(p, len, 0) >> 1));
        if (ingest__put_str(s, V_UID, r, p, len))
            return reject(rej, "out of memory", V_UID, NULL);
    }
    v = FIELD(V_CASE);
    ingest__field_text(v, &p, &len);
    if (!len && b->src[V_UID] >= 0 && !FIELD(V_UID)->len)
        return reject(rej, "no UNIQUE_ID and no CASE_NUMBER", V_CASE, NULL);
    if (ingest__put_str(s, V_CASE, r, p, len))
        return reject(rej, "out of memory", V_CASE, NULL);
    v = FIELD(V_DATE);
    rc = ingest__field_time(v, &t);
    if (rc == 1)
        return reject(rej, "missing date", V_DATE, NULL);
    if (rc < 0)
        return reject(rej, "bad date", V_DATE, v);
    ingest__put_i64(s, V_DATE, r, t);
    v = FIELD(V_UPDATED);
    rc = ingest__field_time(v, &t);
    if (rc < 0)
        return reject(rej, "bad UPDATED date", V_UPDATED, v);
    if (rc == 0)
        ingest__put_i64(s, V_UPDATED, r, t);
    for (i = 0; i < sizeof(dicts) / sizeof(dicts[0]); i++)
        if (put_dict(s, dicts[i], r, FIELD(dicts[i])))
            return reject(rej, "too many distinct values", dicts[i], NULL);
    v = FIELD(V_GUNSHOT);
    rc = ingest__parse_bool(v->p, v->len, &b8);
    if (rc < 0)
        return reject(rej, "bad GUNSHOT_INJURY_I value", V_GUNSHOT, v);
    if (rc == 0)
        ingest__put_u8(s, V_GUNSHOT, r, b8);
    for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        if (ingest__field_small_int(FIELD(small[i]), 0, 254, &iv))
            return reject(rej, "bad number", small[i], FIELD(small[i]));
        if (iv > 0)
            ingest__put_u8(s, small[i], r, (uint8_t)iv);
    }
    if (ingest__field_small_int(FIELD(V_BEAT), 0, 65534, &iv))
        return reject(rej, "bad BEAT", V_BEAT, FIELD(V_BEAT));
    if (iv > 0)
        ingest__put_u16(s, V_BEAT, r, (uint16_t)iv);
    v = FIELD(V_LAT);
    rc = ingest__field_double(v, &lat);
    if (rc < 0 || (rc == 0 && fabs(lat) > 90))
        return reject(rej, "bad LATITUDE", V_LAT, v);
    if (rc == 1)
        lat = NAN;
    v = FIELD(V_LON);
    rc = ingest__field_double(v, &lon);
    if (rc < 0 || (rc == 0 && fabs(lon) > 180))
        return reject(rej, "bad LONGITUDE", V_LON, v);
    if (rc == 1)
        lon = NAN;
    ingest__put_f64(s, V_LAT, r, lat);
    ingest__put_f64(s, V_LON, r, lon);

    /* COMMUNITY_AREA is the area's name in current exports, its number in
     * older ones; when missing or unknown, the coordinates place the row. */
    v = FIELD(V_AREA);
    ingest__field_text(v, &p, &len);
    iv = -1;
    if (len) {
        if (ingest__parse_int(p, len, &iv) == 0) {
            if (iv < 0 || iv > w->max_area)
                return reject(rej, "bad COMMUNITY_AREA", V_AREA, v);
            if (iv == 0)
                iv = -1;
        } else if ((iv = area_by_name(w, p, len)) < 0) {
            return reject(rej, "unknown COMMUNITY_AREA name", V_AREA, v);
        }
    }
    if (iv > 0) {
        ingest__put_u8(s, V_AREA, r, (uint8_t)iv);
        ingest__put_u8(s, V_AREA_SRC, r, 0);
    } else {
        int a = ingest__place(w, lat, lon);

        if (a > 0) {
            ingest__put_u8(s, V_AREA, r, (uint8_t)a);
            ingest__put_u8(s, V_AREA_SRC, r, 1);
            w->placed++;
        } else {
            w->unplaced++;
        }
    }
    return 0;
}

static const struct ingest__dataset victims = {
    .name = "victims",
    .sensitive = 1,
    .table = "victims",
    .cols = cols,
    .ncols = V_NCOLS,
    .col_id = V_ID,
    .col_t = V_DATE,
    .col_updated = V_UPDATED,
    .col_area = V_AREA,
    .ckey = {V_CASE, V_DATE, V_VPRIM},
    .nckey = 3,
    .bind = bind,
    .parse = parse,
    .unbind = unbind,
    .scratch_free = scratch_free,
};

const struct ingest__dataset *ingest__victims(void)
{
    return &victims;
}
