/* place.c - where a need is: block addresses in the City's form, the block
 * gazetteer built from the crimes table, and placing addresses and points. */
#include "coord/needs.h"

#include "colstore/colstore.h"
#include "coord/coord_int.h"
#include "core/alloc.h"
#include "geo/areas.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Block addresses                                                           */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *from, *to;
} street_types[] = {
    {"STREET", "ST"},    {"STR", "ST"},          {"AVENUE", "AVE"}, {"AV", "AVE"},
    {"AVN", "AVE"},      {"BOULEVARD", "BLVD"},  {"BLV", "BLVD"},   {"ROAD", "RD"},
    {"DRIVE", "DR"},     {"DRV", "DR"},          {"PLACE", "PL"},   {"COURT", "CT"},
    {"PARKWAY", "PKWY"}, {"PKY", "PKWY"},        {"LANE", "LN"},    {"TERRACE", "TER"},
    {"HIGHWAY", "HWY"},  {"EXPRESSWAY", "EXPY"}, {"SQUARE", "SQ"},  {"CIRCLE", "CIR"},
    {"PLAZA", "PLZ"},
};

static const char *direction_of(const char *w)
{
    if (!strcmp(w, "N") || !strcmp(w, "NORTH"))
        return "N";
    if (!strcmp(w, "S") || !strcmp(w, "SOUTH"))
        return "S";
    if (!strcmp(w, "E") || !strcmp(w, "EAST"))
        return "E";
    if (!strcmp(w, "W") || !strcmp(w, "WEST"))
        return "W";
    return NULL;
}

/* Words that start the part of an address after the street (a unit). */
static int is_unit_word(const char *w)
{
    return !strcmp(w, "APT") || !strcmp(w, "UNIT") || !strcmp(w, "STE") || !strcmp(w, "SUITE") ||
           !strcmp(w, "FL") || !strcmp(w, "FLOOR") || !strcmp(w, "RM") || !strcmp(w, "ROOM") ||
           w[0] == '#';
}

#define MAX_WORDS 16

/*
 * The hundred-block of a house number word: "4312" -> 43, "043XX" -> 43,
 * "0000X" -> 0 (the City's block of numbers 0-9), "4312A" and "4300-4310"
 * -> 43. -1 when the word is no house number.
 */
static long hundred_of(const char *w)
{
    size_t nd = 0, nx = 0;
    long v = 0;

    while (isdigit((unsigned char)w[nd]) && nd < 7)
        v = v * 10 + (w[nd++] - '0');
    if (nd == 0 || isdigit((unsigned char)w[nd]))
        return -1;
    while (w[nd + nx] == 'X')
        nx++;
    if (nx && w[nd + nx] == '\0') {
        /* A block form: the digits stand for the number without its last nx digits. */
        if (nx == 1)
            return v / 10;
        for (; nx > 2; nx--)
            v *= 10;
        return v;
    }
    if (nx)
        return -1;
    if (w[nd] &&
        !(w[nd] == '-' || (isalpha((unsigned char)w[nd]) && w[nd + 1] == '\0') || w[nd] == '/'))
        return -1;
    return v / 100;
}

int coord_block_normalize(const char *addr, char *out, size_t cap, int *hundred, char *street,
                          size_t street_cap, struct cscc_err *err)
{
    char buf[256], *words[MAX_WORDS], st[COORD_BLOCK_MAX];
    size_t nw = 0, i, len, sl = 0, k;
    const char *dir;
    long h;
    int n;

    if (out && cap)
        out[0] = '\0';
    if (!addr || !*addr || strlen(addr) >= sizeof(buf))
        return coord__ferr(err, CSCC_EINVAL, "address_string",
                           "address must be 1-255 characters, like '4300 W Madison St'");
    /* Only the street part: ", Chicago, IL 60624" and the like go. */
    len = strcspn(addr, ",");
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)addr[i];

        if (ch < 0x20 || ch >= 0x7f)
            return coord__ferr(err, CSCC_EINVAL, "address_string",
                               "address may hold only plain letters, digits and punctuation");
        buf[i] = (char)(ch == '.' || ch == ';' || ch == ':' ? ' ' : toupper(ch));
    }
    buf[len] = '\0';
    for (i = 0; i < len && nw < MAX_WORDS;) {
        while (i < len && buf[i] == ' ')
            i++;
        if (i == len)
            break;
        words[nw++] = &buf[i];
        while (i < len && buf[i] != ' ')
            i++;
        buf[i++] = '\0';
    }
    if (nw < 2 || (h = hundred_of(words[0])) < 0)
        return coord__ferr(err, CSCC_EINVAL, "address_string",
                           "address '%.100s' has no house number and street, like '4300 W "
                           "Madison St' or '043XX W MADISON ST'",
                           addr);
    if (h > 999)
        return coord__ferr(err, CSCC_EINVAL, "address_string",
                           "house number of '%.100s' is too large", addr);
    /* Drop a unit ("APT 2", "#3") and what follows. */
    for (k = 1; k < nw; k++)
        if (is_unit_word(words[k]))
            break;
    nw = k;
    st[0] = '\0';
    for (k = 1; k < nw; k++) {
        const char *w = words[k];

        if (k == 1 && nw > 2 && (dir = direction_of(w)))
            w = dir;
        else if (k == nw - 1 && k > 1)
            for (i = 0; i < sizeof(street_types) / sizeof(street_types[0]); i++)
                if (!strcmp(w, street_types[i].from))
                    w = street_types[i].to;
        n = snprintf(st + sl, sizeof(st) - sl, "%s%s", sl ? " " : "", w);
        if (n < 0 || (size_t)n >= sizeof(st) - sl)
            return coord__ferr(err, CSCC_EINVAL, "address_string", "street name is too long");
        sl += (size_t)n;
    }
    if (!sl)
        return coord__ferr(err, CSCC_EINVAL, "address_string", "address '%.100s' has no street",
                           addr);
    if (hundred)
        *hundred = (int)h;
    if (street && street_cap)
        snprintf(street, street_cap, "%s", st);
    if (out && cap && (size_t)snprintf(out, cap, "%03ldXX %s", h, st) >= cap)
        return coord__ferr(err, CSCC_EINVAL, "address_string", "address is too long");
    return 0;
}

/* 1 when street starts with a direction word ("W MADISON ST"). */
static int has_direction(const char *street)
{
    return (street[0] == 'N' || street[0] == 'S' || street[0] == 'E' || street[0] == 'W') &&
           street[1] == ' ';
}

/* ------------------------------------------------------------------------ */
/* The gazetteer                                                             */
/* ------------------------------------------------------------------------ */

/* Median of v[0..n) (reorders v): the mean of the two middle values when n is even. */
static double median(float *v, size_t n)
{
    size_t k = n / 2, lo = 0, hi = n - 1;
    double upper, lower;

    /* Quickselect for the k-th value. */
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;

        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                float t = v[i];

                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    upper = v[k];
    if (n % 2)
        return upper;
    /* The largest value below position k is the other middle one. */
    lower = -INFINITY;
    for (lo = 0; lo < k; lo++)
        if (v[lo] > lower)
            lower = v[lo];
    return (lower + upper) / 2;
}

struct gz_block {
    char *block, *street;
    int hundred;
    size_t count, start;
};

static int gz_insert(struct coord *c, const struct gz_block *b, double lat, double lon,
                     struct cscc_err *err)
{
    int area = c->areas ? geo_areas_locate(c->areas, lon, lat) : 0;
    struct store_val v[7] = {STORE_TEXT(b->block),
                             STORE_TEXT(b->street),
                             STORE_INT(b->hundred),
                             STORE_REAL(lat),
                             STORE_REAL(lon),
                             STORE_OPT_INT(area, area),
                             STORE_INT((int64_t)b->count)};

    return store_exec(c->st, "store block gazetteer",
                      "INSERT INTO coord_blocks (block, street, hundred, lat, lon, area, "
                      "incidents) VALUES (?, ?, ?, ?, ?, ?, ?)",
                      v, 7, NULL, NULL, err);
}

int coord_gazetteer_build(struct coord *c, struct coord_gazetteer_info *info, struct cscc_err *err)
{
    const struct colstore_table *t = c->crimes;
    struct colstore_dict *names = NULL;
    struct gz_block *blocks = NULL;
    size_t nblocks = 0, capblocks = 0, total = 0, g, i, ng;
    float *lat = NULL, *lon = NULL;
    uint32_t *map = NULL;
    size_t *fill = NULL;
    int cb, clat, clon, pass, rc = 0;
    struct coord__tx tx = {0, 0};
    char gen[32];

    if (info)
        memset(info, 0, sizeof(*info));
    if (!t)
        return cscc_err_set(err, CSCC_ENOENT,
                            "no crimes table to build the block gazetteer from; import crimes "
                            "first");
    cb = colstore_col_index(t, "block");
    clat = colstore_col_index(t, "latitude");
    clon = colstore_col_index(t, "longitude");
    if (cb < 0 || clat < 0 || clon < 0 || colstore_schema_type(t, (size_t)cb) != COLSTORE_DICT ||
        colstore_schema_type(t, (size_t)clat) != COLSTORE_F64 ||
        colstore_schema_type(t, (size_t)clon) != COLSTORE_F64)
        return cscc_err_set(err, CSCC_EDATA,
                            "the crimes table lacks block, latitude or longitude columns");
    names = colstore_dict_new(0);
    ng = colstore_ngroups(t);
    /* Pass 0 counts each block's incidents with coordinates; pass 1 gathers them. */
    for (pass = 0; pass < 2 && !rc; pass++) {
        if (pass == 1) {
            size_t off = 0;

            lat = cscc_trycalloc(total ? total : 1, sizeof(*lat));
            lon = cscc_trycalloc(total ? total : 1, sizeof(*lon));
            fill = cscc_trycalloc(nblocks ? nblocks : 1, sizeof(*fill));
            if (!lat || !lon || !fill) {
                rc = cscc_err_set(err, CSCC_ENOMEM,
                                  "cannot build the block gazetteer: out of memory for %zu points",
                                  total);
                break;
            }
            for (i = 0; i < nblocks; i++) {
                blocks[i].start = off;
                off += blocks[i].count;
            }
        }
        for (g = 0; g < ng && !rc; g++) {
            const struct colstore_group *grp = colstore_group_at(t, g);
            const struct colstore_col *bc = colstore_group_col(grp, (size_t)cb);
            const double *la = colstore_col_data(colstore_group_col(grp, (size_t)clat));
            const double *lo = colstore_col_data(colstore_group_col(grp, (size_t)clon));
            const void *codes = colstore_col_data(bc);
            unsigned width = colstore_col_width(bc);
            uint32_t ncodes = colstore_col_dict_count(bc), k;
            size_t nrows = colstore_group_nrows(grp), r;

            /* This group's codes -> blocks ((uint32_t)-1: not a block address). */
            cscc_free(map);
            map = cscc_trycalloc(ncodes ? ncodes : 1, sizeof(*map));
            if (!map) {
                rc = cscc_err_set(err, CSCC_ENOMEM,
                                  "cannot build the block gazetteer: out of memory");
                break;
            }
            for (k = 0; k < ncodes; k++) {
                char norm[COORD_BLOCK_MAX], street[COORD_BLOCK_MAX];
                const char *s = colstore_col_dict_str(bc, k, NULL);
                int hundred;
                int64_t id;

                map[k] = UINT32_MAX;
                if (!s || !*s ||
                    coord_block_normalize(s, norm, sizeof(norm), &hundred, street, sizeof(street),
                                          NULL) ||
                    !has_direction(street))
                    continue;
                if ((id = colstore_dict_intern(names, norm, strlen(norm))) < 1)
                    continue;
                map[k] = (uint32_t)(id - 1); /* code 0 is "" */
                if ((size_t)(id - 1) == nblocks) {
                    if (nblocks == capblocks) {
                        capblocks = capblocks ? capblocks * 2 : 4096;
                        blocks = cscc_xrealloc(blocks, capblocks * sizeof(*blocks));
                    }
                    memset(&blocks[nblocks], 0, sizeof(blocks[nblocks]));
                    blocks[nblocks].block = cscc_xstrdup(norm);
                    blocks[nblocks].street = cscc_xstrdup(street);
                    blocks[nblocks].hundred = hundred;
                    nblocks++;
                }
            }
            for (r = 0; r < nrows; r++) {
                uint32_t code = colstore_code_at(codes, width, r), b;

                if (code >= ncodes || (b = map[code]) == UINT32_MAX || !isfinite(la[r]) ||
                    !isfinite(lo[r]) || la[r] == 0 || lo[r] == 0)
                    continue;
                if (pass == 0) {
                    blocks[b].count++;
                    total++;
                } else {
                    size_t at = blocks[b].start + fill[b]++;

                    lat[at] = (float)la[r];
                    lon[at] = (float)lo[r];
                }
            }
        }
    }
    if (!rc)
        rc = coord__tx_begin(c, &tx, "store block gazetteer", err);
    if (!rc)
        rc = store_exec(c->st, "store block gazetteer", "DELETE FROM coord_blocks", NULL, 0, NULL,
                        NULL, err);
    for (i = 0; !rc && i < nblocks; i++) {
        struct gz_block *b = &blocks[i];
        double mlat, mlon;

        if (!b->count)
            continue;
        mlat = median(lat + b->start, b->count);
        mlon = median(lon + b->start, b->count);
        rc = gz_insert(c, b, mlat, mlon, err);
        if (!rc && info)
            info->blocks++;
    }
    snprintf(gen, sizeof(gen), "%llu", (unsigned long long)colstore_generation(t));
    if (!rc)
        rc = store_set_setting(c->st, "gazetteer.generation", gen, err);
    rc = coord__tx_end(c, &tx, rc, err);
    if (!rc && info) {
        info->incidents = total;
        info->generation = colstore_generation(t);
    }
    for (i = 0; i < nblocks; i++) {
        cscc_free(blocks[i].block);
        cscc_free(blocks[i].street);
    }
    cscc_free(blocks);
    cscc_free(map);
    cscc_free(fill);
    cscc_free(lat);
    cscc_free(lon);
    colstore_dict_free(names);
    return rc;
}

int coord_gazetteer_ensure(struct coord *c, int *built, struct cscc_err *err)
{
    char gen[32], want[32];
    int rc;

    if (built)
        *built = 0;
    if (!c->crimes)
        return 0;
    snprintf(want, sizeof(want), "%llu", (unsigned long long)colstore_generation(c->crimes));
    rc = store_get_setting(c->st, "gazetteer.generation", gen, sizeof(gen), err);
    if (rc && rc != CSCC_ENOENT && rc != CSCC_ELIMIT)
        return rc;
    if (!rc && !strcmp(gen, want))
        return 0;
    if ((rc = coord_gazetteer_build(c, NULL, err)))
        return rc;
    if (built)
        *built = 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Placing addresses and points                                              */
/* ------------------------------------------------------------------------ */

struct gz_hit {
    int found;
    int hundred;
    double lat, lon;
    char block[COORD_BLOCK_MAX];
};

static int gz_hit_row(void *arg, const struct store_row *r)
{
    struct gz_hit *h = arg;

    h->found = 1;
    h->hundred = (int)store_row_int(r, 0);
    h->lat = store_row_real(r, 1);
    h->lon = store_row_real(r, 2);
    snprintf(h->block, sizeof(h->block), "%s", store_row_text(r, 3));
    return 1;
}

struct street_list {
    char streets[8][COORD_BLOCK_MAX];
    size_t n;
};

static int street_row(void *arg, const struct store_row *r)
{
    struct street_list *l = arg;
    const char *s = store_row_text(r, 0);
    size_t i;

    for (i = 0; i < l->n; i++)
        if (!strcmp(l->streets[i], s))
            return 0;
    if (l->n < 8)
        snprintf(l->streets[l->n++], COORD_BLOCK_MAX, "%s", s);
    return 0;
}

/*
 * The gazetteer's name of the street written: itself, or the one street
 * that begins with it ("W MADISON" -> "W MADISON ST"); each direction is
 * tried when none was written ("MADISON ST" -> "W MADISON ST" when only
 * West Madison is known). More than one candidate is an error naming two.
 * A street the gazetteer does not know is left as it is.
 */
static int resolve_street(struct coord *c, const char *addr, char *street, size_t cap,
                          struct cscc_err *err)
{
    static const char dirs[] = "NSEW";
    struct street_list exact = {.n = 0}, prefix = {.n = 0};
    char cand[4][COORD_BLOCK_MAX], lo[COORD_BLOCK_MAX + 2], hi[COORD_BLOCK_MAX + 2];
    size_t i, ncand = 0;
    int rc;

    if (has_direction(street)) {
        snprintf(cand[ncand++], COORD_BLOCK_MAX, "%s", street);
    } else {
        for (i = 0; i < 4; i++)
            snprintf(cand[ncand++], COORD_BLOCK_MAX, "%c %.*s", dirs[i], COORD_BLOCK_MAX - 3,
                     street);
    }
    for (i = 0; i < ncand; i++) {
        struct store_val v[1] = {STORE_TEXT(cand[i])};

        if ((rc = store_exec(c->st, "read block gazetteer",
                             "SELECT street FROM coord_blocks WHERE street = ? LIMIT 1", v, 1,
                             street_row, &exact, err)))
            return rc;
    }
    for (i = 0; !exact.n && i < ncand; i++) {
        /* Streets that begin with "CAND ": between "CAND " and "CAND!" (' ' + 1). */
        struct store_val v[2] = {STORE_TEXT(lo), STORE_TEXT(hi)};

        snprintf(lo, sizeof(lo), "%s ", cand[i]);
        snprintf(hi, sizeof(hi), "%s!", cand[i]);
        if ((rc = store_exec(c->st, "read block gazetteer",
                             "SELECT DISTINCT street FROM coord_blocks WHERE street >= ? AND "
                             "street < ? ORDER BY street LIMIT 8",
                             v, 2, street_row, &prefix, err)))
            return rc;
    }
    {
        const struct street_list *l = exact.n ? &exact : &prefix;

        if (l->n > 1)
            return coord__ferr(err, CSCC_EINVAL, "address_string",
                               "address '%.100s' could be %s or %s: say which", addr, l->streets[0],
                               l->streets[1]);
        if (l->n == 1)
            snprintf(street, cap, "%s", l->streets[0]);
    }
    return 0;
}

/* How far along the street a block may be from the nearest known one. */
#define MAX_BLOCK_GAP 8

int coord_locate_address(struct coord *c, const char *addr, struct coord_place *p,
                         struct cscc_err *err)
{
    char block[COORD_BLOCK_MAX], street[COORD_BLOCK_MAX];
    struct gz_hit below = {0}, above = {0};
    int hundred, rc;

    memset(p, 0, sizeof(*p));
    if ((rc = coord_block_normalize(addr, block, sizeof(block), &hundred, street, sizeof(street),
                                    err)))
        return rc;
    if ((rc = resolve_street(c, addr, street, sizeof(street), err)))
        return rc;
    snprintf(block, sizeof(block), "%03dXX %s", hundred, street);
    {
        struct store_val v[1] = {STORE_TEXT(block)};

        if ((rc = store_exec(c->st, "read block gazetteer",
                             "SELECT hundred, lat, lon, block FROM coord_blocks WHERE block = ?", v,
                             1, gz_hit_row, &below, err)) < 0)
            return rc;
    }
    if (below.found) {
        p->lat = p->public_lat = below.lat;
        p->lon = p->public_lon = below.lon;
        p->located_by = "block";
    } else {
        struct store_val v[2] = {STORE_TEXT(street), STORE_INT(hundred)};

        below.found = 0;
        if ((rc = store_exec(c->st, "read block gazetteer",
                             "SELECT hundred, lat, lon, block FROM coord_blocks WHERE street = ? "
                             "AND hundred < ? ORDER BY hundred DESC LIMIT 1",
                             v, 2, gz_hit_row, &below, err)) < 0 ||
            (rc = store_exec(c->st, "read block gazetteer",
                             "SELECT hundred, lat, lon, block FROM coord_blocks WHERE street = ? "
                             "AND hundred > ? ORDER BY hundred LIMIT 1",
                             v, 2, gz_hit_row, &above, err)) < 0)
            return rc;
        if (below.found && hundred - below.hundred > MAX_BLOCK_GAP)
            below.found = 0;
        if (above.found && above.hundred - hundred > MAX_BLOCK_GAP)
            above.found = 0;
        if (!below.found && !above.found)
            return coord__ferr(err, CSCC_ENOENT, "address_string",
                               "cannot place '%.100s': the block gazetteer knows no block of %s "
                               "near %s; give lat and long instead",
                               addr, street, block);
        if (below.found && above.found) {
            double f = (double)(hundred - below.hundred) / (double)(above.hundred - below.hundred);

            p->lat = below.lat + f * (above.lat - below.lat);
            p->lon = below.lon + f * (above.lon - below.lon);
        } else {
            p->lat = below.found ? below.lat : above.lat;
            p->lon = below.found ? below.lon : above.lon;
        }
        p->public_lat = p->lat;
        p->public_lon = p->lon;
        p->located_by = "street";
    }
    snprintf(p->block, sizeof(p->block), "%s", block);
    p->area = c->areas ? geo_areas_locate(c->areas, p->lon, p->lat) : 0;
    return 0;
}

struct nearest {
    double lat, lon, best;
    struct gz_hit hit;
};

static int nearest_row(void *arg, const struct store_row *r)
{
    struct nearest *n = arg;
    double la = store_row_real(r, 1), lo = store_row_real(r, 2);
    double d = coord_distance_m(n->lat, n->lon, la, lo);

    if (d < n->best) {
        n->best = d;
        n->hit.found = 1;
        n->hit.lat = la;
        n->hit.lon = lo;
        snprintf(n->hit.block, sizeof(n->hit.block), "%s", store_row_text(r, 0));
    }
    return 0;
}

/* Within this distance of a point, the nearest block stands for it in public. */
#define NEAR_BLOCK_M 250.0

int coord_locate_point(struct coord *c, double lat, double lon, struct coord_place *p,
                       struct cscc_err *err)
{
    struct nearest n = {lat, lon, NEAR_BLOCK_M, {0}};
    double dlat = NEAR_BLOCK_M / 111194.9, dlon;
    int rc;

    memset(p, 0, sizeof(*p));
    if (!isfinite(lat) || lat < -90 || lat > 90)
        return coord__ferr(err, CSCC_EINVAL, "lat", "lat must be a latitude from -90 to 90");
    if (!isfinite(lon) || lon < -180 || lon > 180)
        return coord__ferr(err, CSCC_EINVAL, "long", "long must be a longitude from -180 to 180");
    dlon = dlat / fmax(cos(lat * M_PI / 180), 0.01);
    {
        struct store_val v[4] = {STORE_REAL(lat - dlat), STORE_REAL(lat + dlat),
                                 STORE_REAL(lon - dlon), STORE_REAL(lon + dlon)};

        if ((rc = store_exec(c->st, "read block gazetteer",
                             "SELECT block, lat, lon FROM coord_blocks WHERE lat >= ? AND lat <= ? "
                             "AND lon >= ? AND lon <= ?",
                             v, 4, nearest_row, &n, err)))
            return rc;
    }
    p->lat = lat;
    p->lon = lon;
    p->located_by = "point";
    if (n.hit.found) {
        snprintf(p->block, sizeof(p->block), "%s", n.hit.block);
        p->public_lat = n.hit.lat;
        p->public_lon = n.hit.lon;
    } else {
        p->public_lat = round(lat * 1000) / 1000;
        p->public_lon = round(lon * 1000) / 1000;
    }
    p->area = c->areas ? geo_areas_locate(c->areas, lon, lat) : 0;
    return 0;
}
