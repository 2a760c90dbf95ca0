/* soql_exec.c - running a prepared SoQL query over the column store, and
 * writing its answer as Socrata does (JSON, CSV, GeoJSON).
 *
 * $where becomes a tree of predicates evaluated a block of rows at a time
 * into bytes of three-valued logic (0 false, 1 NULL, 2 true: AND is the
 * minimum, OR the maximum, NOT is 2 - x). A condition on one column of few
 * values (a dictionary column, a small integer, a day of the time column)
 * is evaluated once per distinct value into a lookup table, so a row costs a
 * load and a table lookup. Conditions on the time column also narrow each
 * row group to a run of days (the day index), and those that then hold for
 * the whole run are dropped. Groups are numbered densely from their keys'
 * codes (a flat array when the key space is small, a hash map otherwise);
 * a query that only counts adds the mask into the counts directly.
 */
#include "http/soql_int.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/num.h"
#include "core/time.h"
#include "core/u64map.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK    4096
#define FLAT_MAX ((uint64_t)1 << 22)
#define EARTH_R  6371008.8

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

/* One value of a public column (or date_trunc of one). */
struct sval {
    int null;
    double num;    /* number, checkbox (0/1), year */
    int64_t ts;    /* floating timestamp: civil seconds */
    const char *s; /* text */
    size_t len;
    double lat, lon; /* location */
    char buf[24];    /* text written from a number (district "006") */
};

/* The columns of one row group a query reads. */
struct gctx {
    const struct colstore_group *g;
    size_t lo, hi;  /* rows in the time range */
    size_t dayrows; /* first row with a time (rows before have none) */
    int has_days;
};

static const void *col_data(const struct colstore_group *g, int ci)
{
    return colstore_col_data(colstore_group_col(g, (size_t)ci));
}

/* out[j] = lut[code of row b + j] of dictionary column c, any code width (a
 * code past the table reads its last entry). */
#define MAP_CODES(c, b, n, out, lut, nlut)                                                         \
    do {                                                                                           \
        const void *d_ = colstore_col_data(c);                                                     \
        size_t j_;                                                                                 \
        switch (colstore_col_width(c)) {                                                           \
        case 1:                                                                                    \
            for (j_ = 0; j_ < (n); j_++)                                                           \
                (out)[j_] = (lut)[((const uint8_t *)d_)[(b) + j_]];                                \
            break;                                                                                 \
        case 2:                                                                                    \
            for (j_ = 0; j_ < (n); j_++)                                                           \
                (out)[j_] = (lut)[((const uint16_t *)d_)[(b) + j_]];                               \
            break;                                                                                 \
        default:                                                                                   \
            for (j_ = 0; j_ < (n); j_++) {                                                         \
                uint32_t k_ = ((const uint32_t *)d_)[(b) + j_];                                    \
                (out)[j_] = (lut)[k_ < (nlut) ? k_ : (nlut)-1];                                    \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

static int64_t trunc_ts(int64_t t, int func)
{
    int64_t day = cscc_day_of(t), y;
    unsigned m, d;

    if (func == F_DT_YMD)
        return day * CSCC_SECS_PER_DAY;
    cscc_civil_from_days(day, &y, &m, &d);
    return cscc_days_from_civil(y, func == F_DT_Y ? 1 : m, 1) * CSCC_SECS_PER_DAY;
}

static int64_t year_of_day(int64_t day)
{
    int64_t y;
    unsigned m, d;

    cscc_civil_from_days(day, &y, &m, &d);
    return y;
}

/* Fills v from a raw small integer of a U8/U16 source (for tables over the
 * whole domain) or from row i. */
static void small_val(const struct soql__pcol *pc, unsigned x, struct sval *v)
{
    unsigned null = pc->src == SRC_U16NUM || pc->src == SRC_U16TXT ? 65535 : 255;

    memset(v, 0, offsetof(struct sval, buf));
    if (x == null) {
        v->null = 1;
        return;
    }
    v->num = x;
    switch (pc->src) {
    case SRC_U8TXT:
    case SRC_U16TXT:
        v->len = (size_t)snprintf(v->buf, sizeof(v->buf), "%0*u", pc->pad, x);
        v->s = v->buf;
        break;
    case SRC_YESNO:
        if (x > 1) {
            v->null = 1;
            break;
        }
        v->s = x ? "YES" : "NO";
        v->len = strlen(v->s);
        break;
    case SRC_BOOL:
        if (x > 1)
            v->null = 1;
        break;
    }
}

/* The value of public column pc (date-truncated by func) at row i of g. */
static void get_val(const struct soql_query *q, const struct soql__pcol *pc, int func,
                    const struct colstore_group *g, size_t i, struct sval *v)
{
    const void *d = col_data(g, pc->ci);

    memset(v, 0, offsetof(struct sval, buf));
    switch (pc->src) {
    case SRC_I64: {
        int64_t x = ((const int64_t *)d)[i];

        v->null = x == COLSTORE_NULL_I64;
        v->num = (double)x;
        return;
    }
    case SRC_I32: {
        int32_t x = ((const int32_t *)d)[i];

        v->null = x == COLSTORE_NULL_I32;
        v->num = x;
        return;
    }
    case SRC_F64:
        v->num = ((const double *)d)[i];
        v->null = isnan(v->num);
        if (pc->round3 && q->access < SOQL_STAFF)
            v->num = round3(v->num);
        return;
    case SRC_U8NUM:
    case SRC_U8TXT:
    case SRC_BOOL:
    case SRC_YESNO: small_val(pc, ((const uint8_t *)d)[i], v); return;
    case SRC_U16NUM:
    case SRC_U16TXT: small_val(pc, ((const uint16_t *)d)[i], v); return;
    case SRC_DICT: {
        const struct colstore_col *c = colstore_group_col(g, (size_t)pc->ci);
        uint32_t code = colstore_code_at(d, colstore_col_width(c), i);

        v->s = colstore_col_dict_str(c, code, &v->len);
        v->null = v->len == 0;
        return;
    }
    case SRC_STR:
        v->s = colstore_col_str(colstore_group_col(g, (size_t)pc->ci), i, &v->len);
        v->null = v->len == 0;
        return;
    case SRC_TS:
    case SRC_YEAR: {
        int64_t t = ((const int64_t *)d)[i];

        if (t == COLSTORE_NULL_I64) {
            v->null = 1;
            return;
        }
        if (pc->src == SRC_YEAR) {
            v->num = (double)year_of_day(cscc_day_of(t));
            return;
        }
        v->ts = func ? trunc_ts(t, func) : t;
        v->num = (double)v->ts * 1000.0;
        return;
    }
    case SRC_LOC:
        v->lat = ((const double *)d)[i];
        v->lon = ((const double *)col_data(g, pc->ci2))[i];
        v->null = isnan(v->lat) || isnan(v->lon);
        if (pc->round3 && q->access < SOQL_STAFF) {
            v->lat = round3(v->lat);
            v->lon = round3(v->lon);
        }
        return;
    }
}

/* ------------------------------------------------------------------------ */
/* Conditions on one value                                                  */
/* ------------------------------------------------------------------------ */

static int like_match(const char *s, size_t n, const char *p, size_t m)
{
    /* '%' any run, '_' one byte; iterative with one backtrack point */
    size_t i = 0, j = 0, star_j = (size_t)-1, star_i = 0;

    while (i < n) {
        if (j < m && (p[j] == '_' || (p[j] != '%' && p[j] == s[i]))) {
            i++;
            j++;
        } else if (j < m && p[j] == '%') {
            star_j = j++;
            star_i = i;
        } else if (star_j != (size_t)-1) {
            j = star_j + 1;
            i = ++star_i;
        } else {
            return 0;
        }
    }
    while (j < m && p[j] == '%')
        j++;
    return j == m;
}

/* Compares value v of type t with literal n: <0, 0, >0. */
static int cmp_lit(const struct sval *v, int t, const struct soql__node *n)
{
    switch (t) {
    case ST_TEXT: {
        size_t l = v->len < n->len ? v->len : n->len;
        int c = memcmp(v->s, n->s, l);

        return c ? c : (v->len > n->len) - (v->len < n->len);
    }
    case ST_TS: {
        int64_t a = v->ts, b = n->ts;

        if (a != b)
            return a < b ? -1 : 1;
        return n->ts_ms > 0 ? -1 : 0;
    }
    default: return (v->num > n->num) - (v->num < n->num);
    }
}

static uint8_t tv(int b)
{
    return b ? 2 : 0;
}

/* A leaf condition on value v of its column expression: 0, 1 (NULL) or 2. */
static uint8_t eval_leaf(const struct soql__node *n, const struct sval *v)
{
    int t = n->a->type;
    uint8_t r;
    size_t i;

    if (n->kind == N_ISNULL)
        return tv(v->null != n->neg);
    if (v->null)
        return 1;
    switch (n->kind) {
    case N_CMP: {
        int c;

        if (n->b->kind == N_NULL)
            return 1;
        c = cmp_lit(v, t, n->b);
        switch (n->op) {
        case OP_EQ: return tv(c == 0);
        case OP_NE: return tv(c != 0);
        case OP_LT: return tv(c < 0);
        case OP_LE: return tv(c <= 0);
        case OP_GT: return tv(c > 0);
        default: return tv(c >= 0);
        }
    }
    case N_IN: {
        int null = 0;

        r = 0;
        for (i = 0; i < n->nargs && !r; i++) {
            if (n->args[i]->kind == N_NULL)
                null = 1;
            else if (!cmp_lit(v, t, n->args[i]))
                r = 2;
        }
        if (!r && null)
            return 1;
        break;
    }
    case N_BETWEEN:
        if (n->b->kind == N_NULL || n->c->kind == N_NULL)
            return 1;
        r = tv(cmp_lit(v, t, n->b) >= 0 && cmp_lit(v, t, n->c) <= 0);
        break;
    case N_LIKE: r = tv(like_match(v->s, v->len, n->b->s, n->b->len)); break;
    default: return 1;
    }
    return n->neg ? (uint8_t)(2 - r) : r;
}

/* ------------------------------------------------------------------------ */
/* Compiled predicates                                                      */
/* ------------------------------------------------------------------------ */

enum pk {
    PK_TRUE = 1,
    PK_FALSE,
    PK_AND,
    PK_OR,
    PK_NOT,
    PK_SMALL, /* U8/U16 column: table over its domain */
    PK_DICT,  /* dictionary column: table per dictionary */
    PK_DAY,   /* time column, a condition constant over each day: table over days */
    PK_RANGE, /* number/time column between two bounds */
    PK_GEN,   /* anything else: the value of each row, then eval_leaf */
    PK_CIRCLE,
    PK_BOX,
};

struct pred {
    int kind;
    const struct soql__node *n;
    const struct soql__pcol *pc;
    int func; /* date_trunc_* applied to the column */
    uint8_t *lut;
    size_t nlut;
    uint8_t nullval;      /* PK_DAY: rows without a time */
    const char *dict_key; /* PK_DICT: the dictionary the table is for */
    uint32_t dict_n;
    double lo, hi; /* PK_RANGE: bounds (times in milliseconds) */
    int lo_incl, hi_incl, neg;
    double lat, lon, rad, box[4]; /* PK_CIRCLE, PK_BOX */
    struct pred *a, *b;
    uint8_t *tmp; /* BLOCK bytes */
};

struct exec {
    struct soql_query *q;
    const struct colstore_table *t;
    struct soql_error *e;
    int64_t first_day, last_day; /* the table's days */
    int64_t dlo, dhi;            /* days the query may touch */
    int empty;                   /* $where can hold for no row */
    int restricted;              /* $where needs a time: rows without one are out */
    struct pred *where;
    int used[256]; /* table columns read (for prefaulting), by index */
    size_t nused;
};

static int exec_oom(struct exec *x)
{
    soql__seterr(x->e, 507, "query.execution.out-of-memory", NULL, 0,
                 "out of memory while running the query");
    return CSCC_ENOMEM;
}

static void use_col(struct exec *x, int ci)
{
    size_t i;

    if (ci < 0)
        return;
    for (i = 0; i < x->nused; i++)
        if (x->used[i] == ci)
            return;
    if (x->nused < 256)
        x->used[x->nused++] = ci;
}

static void pred_free(struct pred *p)
{
    if (!p)
        return;
    pred_free(p->a);
    pred_free(p->b);
    cscc_free(p->lut);
    cscc_free(p->tmp);
    cscc_free(p);
}

static struct pred *new_pred(int kind)
{
    struct pred *p = cscc_trycalloc(1, sizeof(*p));

    if (p) {
        p->kind = kind;
        if (!(p->tmp = cscc_trymalloc(BLOCK))) {
            cscc_free(p);
            return NULL;
        }
    }
    return p;
}

/* Is a condition on the time column constant over each day? Comparisons
 * with midnight (<, >=) or with 23:59:59 (<=, >) are. */
static int day_aligned(const struct soql__node *n)
{
    int64_t s0, s1;

    switch (n->kind) {
    case N_ISNULL: return 1;
    case N_CMP:
        if (n->b->kind == N_NULL)
            return 1;
        s0 = n->b->ts - cscc_day_of(n->b->ts) * CSCC_SECS_PER_DAY;
        if (n->op == OP_LT || n->op == OP_GE)
            return s0 == 0 && n->b->ts_ms == 0;
        if (n->op == OP_LE || n->op == OP_GT)
            return s0 == CSCC_SECS_PER_DAY - 1;
        return 0;
    case N_BETWEEN:
        if (n->b->kind == N_NULL || n->c->kind == N_NULL)
            return 1;
        s0 = n->b->ts - cscc_day_of(n->b->ts) * CSCC_SECS_PER_DAY;
        s1 = n->c->ts - cscc_day_of(n->c->ts) * CSCC_SECS_PER_DAY;
        return s0 == 0 && n->b->ts_ms == 0 && s1 == CSCC_SECS_PER_DAY - 1;
    default: return 0;
    }
}

/* Bounds of a comparison or BETWEEN on a number or time column. */
static int range_of(const struct soql__node *n, struct pred *p)
{
    const struct soql__node *b = n->b, *c = n->c;
    double vb, vc;
    int ts = n->a->type == ST_TS;

    if (n->kind == N_CMP && (b->kind == N_NULL || n->op == OP_NE || n->op == OP_EQ))
        return n->kind == N_CMP && n->op == OP_EQ && b->kind != N_NULL && !ts
                   ? (p->lo = p->hi = b->num, p->lo_incl = p->hi_incl = 1, 0)
                   : -1;
    if (n->kind == N_BETWEEN && (b->kind == N_NULL || c->kind == N_NULL))
        return -1;
    if (n->kind != N_CMP && n->kind != N_BETWEEN)
        return -1;
    vb = ts ? (double)b->ts * 1000.0 + b->ts_ms : b->num;
    p->lo = -INFINITY;
    p->hi = INFINITY;
    p->lo_incl = p->hi_incl = 1;
    p->neg = n->neg;
    if (n->kind == N_BETWEEN) {
        vc = ts ? (double)c->ts * 1000.0 + c->ts_ms : c->num;
        p->lo = vb;
        p->hi = vc;
        return 0;
    }
    switch (n->op) {
    case OP_LT: p->hi = vb, p->hi_incl = 0; break;
    case OP_LE: p->hi = vb; break;
    case OP_GT: p->lo = vb, p->lo_incl = 0; break;
    default: p->lo = vb;
    }
    return 0;
}

static int compile(struct exec *x, const struct soql__node *n, struct pred **out);

static int compile_leaf(struct exec *x, const struct soql__node *n, struct pred **out)
{
    const struct soql_query *q = x->q;
    const struct soql__node *col = n->a;
    const struct soql__pcol *pc;
    struct pred *p;
    int func = F_NONE;

    if (n->kind == N_BOOL) { /* a literal condition: "$where=true" */
        if (!(p = new_pred(n->num ? PK_TRUE : PK_FALSE)))
            return exec_oom(x);
        p->n = n;
        *out = p;
        return 0;
    }
    if (n->kind == N_CALL) { /* within_circle, within_box */
        pc = &q->cols[n->args[0]->col];
        if (!(p = new_pred(n->func == F_WITHIN_CIRCLE ? PK_CIRCLE : PK_BOX)))
            return exec_oom(x);
        p->n = n;
        p->pc = pc;
        p->lat = n->args[1]->num;
        p->lon = n->args[2]->num;
        p->rad = n->args[3]->num;
        if (n->func == F_WITHIN_BOX) {
            p->box[0] = n->args[1]->num; /* north-west latitude */
            p->box[1] = n->args[2]->num; /* north-west longitude */
            p->box[2] = n->args[3]->num; /* south-east latitude */
            p->box[3] = n->args[4]->num; /* south-east longitude */
        }
        use_col(x, pc->ci);
        use_col(x, pc->ci2);
        *out = p;
        return 0;
    }
    if (col->kind == N_CALL) {
        func = col->func;
        col = col->args[0];
    }
    pc = &q->cols[col->col];
    use_col(x, pc->ci);
    use_col(x, pc->ci2);
    if (pc->ci == q->ci_time && (pc->src == SRC_YEAR || (pc->src == SRC_TS && q->ci_time >= 0)) &&
        (func || pc->src == SRC_YEAR || day_aligned(n)) && x->last_day >= x->first_day) {
        int64_t d, span = x->last_day - x->first_day + 1;
        struct sval v;

        if (!(p = new_pred(PK_DAY)) || !(p->lut = cscc_trymalloc((size_t)span))) {
            pred_free(p);
            return exec_oom(x);
        }
        for (d = 0; d < span; d++) {
            int64_t t = (x->first_day + d) * CSCC_SECS_PER_DAY;

            memset(&v, 0, sizeof(v));
            if (pc->src == SRC_YEAR) {
                v.num = (double)year_of_day(x->first_day + d);
            } else {
                v.ts = func ? trunc_ts(t, func) : t;
                v.num = (double)v.ts * 1000.0;
            }
            p->lut[d] = eval_leaf(n, &v);
        }
        memset(&v, 0, sizeof(v));
        v.null = 1;
        p->nullval = eval_leaf(n, &v);
        p->nlut = (size_t)span;
    } else if (!func && (pc->src == SRC_U8NUM || pc->src == SRC_U8TXT || pc->src == SRC_BOOL ||
                         pc->src == SRC_YESNO || pc->src == SRC_U16NUM || pc->src == SRC_U16TXT)) {
        size_t dom = pc->src == SRC_U16NUM || pc->src == SRC_U16TXT ? 65536 : 256, i;
        struct sval v;

        if (!(p = new_pred(PK_SMALL)) || !(p->lut = cscc_trymalloc(dom))) {
            pred_free(p);
            return exec_oom(x);
        }
        for (i = 0; i < dom; i++) {
            small_val(pc, (unsigned)i, &v);
            p->lut[i] = eval_leaf(n, &v);
        }
        p->nlut = dom;
    } else if (!func && pc->src == SRC_DICT) {
        if (!(p = new_pred(PK_DICT)))
            return exec_oom(x);
    } else {
        if (!(p = new_pred(PK_GEN)))
            return exec_oom(x);
        if (!func && n->kind != N_ISNULL &&
            (pc->src == SRC_I64 || pc->src == SRC_I32 || pc->src == SRC_F64 || pc->src == SRC_TS) &&
            !range_of(n, p))
            p->kind = PK_RANGE;
    }
    p->n = n;
    p->pc = pc;
    p->func = func;
    *out = p;
    return 0;
}

static int compile(struct exec *x, const struct soql__node *n, struct pred **out)
{
    struct pred *p;
    int rc;

    *out = NULL;
    switch (n->kind) {
    case N_AND:
    case N_OR:
    case N_NOT:
        if (!(p = new_pred(n->kind == N_AND ? PK_AND : n->kind == N_OR ? PK_OR : PK_NOT)))
            return exec_oom(x);
        p->n = n;
        if ((rc = compile(x, n->a, &p->a)) || (n->b && (rc = compile(x, n->b, &p->b)))) {
            pred_free(p);
            return rc;
        }
        *out = p;
        return 0;
    default: return compile_leaf(x, n, out);
    }
}

/* The days a top-level condition on the time column allows: narrows
 * [x->dlo, x->dhi]; sets x->empty when none. */
static void narrow_days(struct exec *x, struct pred *p)
{
    if (!p)
        return;
    if (p->kind == PK_AND) {
        narrow_days(x, p->a);
        narrow_days(x, p->b);
        return;
    }
    if (p->kind == PK_DAY) {
        int64_t d, lo = INT64_MAX, hi = INT64_MIN;

        for (d = 0; d < (int64_t)p->nlut; d++)
            if (p->lut[d] == 2) {
                if (lo == INT64_MAX)
                    lo = d;
                hi = d;
            }
        if (lo == INT64_MAX) {
            x->empty = 1;
            return;
        }
        x->restricted |= p->nullval != 2;
        if (x->first_day + lo > x->dlo)
            x->dlo = x->first_day + lo;
        if (x->first_day + hi < x->dhi)
            x->dhi = x->first_day + hi;
        return;
    }
    if (p->kind == PK_RANGE && !p->neg && p->pc->src == SRC_TS && p->pc->ci == x->q->ci_time) {
        x->restricted = 1;
        if (isfinite(p->lo)) {
            int64_t d = cscc_day_of((int64_t)floor(p->lo / 1000.0));

            if (d > x->dlo)
                x->dlo = d;
        }
        if (isfinite(p->hi)) {
            int64_t d = cscc_day_of((int64_t)ceil(p->hi / 1000.0));

            if (d < x->dhi)
                x->dhi = d;
        }
    }
}

/* Top-level day conditions that hold on every day of the range are dropped. */
static void drop_settled(struct exec *x, struct pred *p)
{
    if (!p)
        return;
    if (p->kind == PK_AND) {
        drop_settled(x, p->a);
        drop_settled(x, p->b);
        return;
    }
    if (p->kind == PK_DAY && x->dlo >= x->first_day && x->dhi <= x->last_day) {
        int64_t d;

        for (d = x->dlo; d <= x->dhi; d++)
            if (p->lut[d - x->first_day] != 2)
                return;
        p->kind = PK_TRUE;
    }
}

/* The table of a dictionary column's condition for this group's dictionary. */
static int dict_lut(struct exec *x, struct pred *p, const struct colstore_col *c)
{
    uint32_t n = colstore_col_dict_count(c), k;
    size_t nlut = colstore_col_code_space(c);
    const char *key = colstore_col_dict_str(c, 0, NULL);

    if (p->lut && p->dict_key == key && p->dict_n == n)
        return 0;
    cscc_free(p->lut);
    if (!(p->lut = cscc_trymalloc(nlut)))
        return exec_oom(x);
    p->nlut = nlut;
    {
        struct sval v;

        memset(&v, 0, sizeof(v));
        v.null = 1;
        memset(p->lut, eval_leaf(p->n, &v), nlut); /* codes past the dictionary read as "" */
    }
    for (k = 1; k < n; k++) {
        struct sval v;

        memset(&v, 0, offsetof(struct sval, buf));
        v.s = colstore_col_dict_str(c, k, &v.len);
        v.null = v.len == 0;
        p->lut[k] = eval_leaf(p->n, &v);
    }
    p->dict_key = key;
    p->dict_n = n;
    return 0;
}

/* Prepares a group's tables (dictionary conditions). */
static int pred_group(struct exec *x, struct pred *p, const struct colstore_group *g)
{
    int rc;

    if (!p)
        return 0;
    if ((rc = pred_group(x, p->a, g)) || (rc = pred_group(x, p->b, g)))
        return rc;
    if (p->kind == PK_DICT)
        return dict_lut(x, p, colstore_group_col(g, (size_t)p->pc->ci));
    return 0;
}

static double haversine(double la1, double lo1, double la2, double lo2)
{
    double r = M_PI / 180.0, dla = (la2 - la1) * r, dlo = (lo2 - lo1) * r;
    double a =
        sin(dla / 2) * sin(dla / 2) + cos(la1 * r) * cos(la2 * r) * sin(dlo / 2) * sin(dlo / 2);

    return 2 * EARTH_R * asin(sqrt(a < 1 ? a : 1));
}

/* Evaluates p over rows [b, b + n) of group gc into out. */
static void pred_eval(const struct exec *x, const struct pred *p, const struct gctx *gc, size_t b,
                      size_t n, uint8_t *out)
{
    const struct colstore_group *g = gc->g;
    size_t j;

    switch (p->kind) {
    case PK_TRUE: memset(out, 2, n); return;
    case PK_FALSE: memset(out, 0, n); return;
    case PK_AND:
    case PK_OR: {
        uint8_t *t = p->tmp;
        int any = 0;

        pred_eval(x, p->a, gc, b, n, out);
        if (p->kind == PK_AND) {
            for (j = 0; j < n; j++)
                any |= out[j];
            if (!any)
                return; /* all false: nothing to combine */
            pred_eval(x, p->b, gc, b, n, t);
            for (j = 0; j < n; j++)
                out[j] = out[j] < t[j] ? out[j] : t[j];
        } else {
            pred_eval(x, p->b, gc, b, n, t);
            for (j = 0; j < n; j++)
                out[j] = out[j] > t[j] ? out[j] : t[j];
        }
        return;
    }
    case PK_NOT:
        pred_eval(x, p->a, gc, b, n, out);
        for (j = 0; j < n; j++)
            out[j] = (uint8_t)(2 - out[j]);
        return;
    case PK_SMALL:
        if (p->nlut == 256) {
            const uint8_t *d = (const uint8_t *)col_data(g, p->pc->ci) + b;

            for (j = 0; j < n; j++)
                out[j] = p->lut[d[j]];
        } else {
            const uint16_t *d = (const uint16_t *)col_data(g, p->pc->ci) + b;

            for (j = 0; j < n; j++)
                out[j] = p->lut[d[j]];
        }
        return;
    case PK_DICT:
        MAP_CODES(colstore_group_col(g, (size_t)p->pc->ci), b, n, out, p->lut, p->nlut);
        return;
    case PK_DAY: {
        const int64_t *t = col_data(g, p->pc->ci);
        size_t r = b, e = b + n;

        if (!gc->has_days) {
            for (j = 0; j < n; j++) {
                int64_t tt = t[b + j], d;

                d = tt == COLSTORE_NULL_I64 ? -1 : cscc_day_of(tt) - x->first_day;
                out[j] = d < 0 || d >= (int64_t)p->nlut ? p->nullval : p->lut[d];
            }
            return;
        }
        while (r < e && r < gc->dayrows)
            out[r++ - b] = p->nullval;
        while (r < e) {
            int64_t d = cscc_day_of(t[r]);
            size_t lo, hi;
            uint8_t val;

            colstore_group_day_rows(g, d, d, &lo, &hi);
            if (hi <= r) /* cannot happen in a sound file; go row by row */
                hi = r + 1;
            if (hi > e)
                hi = e;
            val = d - x->first_day >= 0 && d - x->first_day < (int64_t)p->nlut
                      ? p->lut[d - x->first_day]
                      : p->nullval;
            memset(out + (r - b), val, hi - r);
            r = hi;
        }
        return;
    }
    case PK_RANGE: {
        const struct soql__pcol *pc = p->pc;
        const void *d = col_data(g, pc->ci);
        double lo = p->lo, hi = p->hi;
        int li = p->lo_incl, hin = p->hi_incl;
        uint8_t yes = p->neg ? 0 : 2, no = p->neg ? 2 : 0;

#define RANGE(V, ISNULL)                                                                           \
    for (j = 0; j < n; j++) {                                                                      \
        double v_ = (V);                                                                           \
        int in_ = (li ? v_ >= lo : v_ > lo) && (hin ? v_ <= hi : v_ < hi);                         \
        out[j] = (ISNULL) ? 1 : in_ ? yes : no;                                                    \
    }
        switch (pc->src) {
        case SRC_I64: {
            const int64_t *a = (const int64_t *)d + b;

            RANGE((double)a[j], a[j] == COLSTORE_NULL_I64);
            break;
        }
        case SRC_TS: {
            const int64_t *a = (const int64_t *)d + b;

            RANGE((double)a[j] * 1000.0, a[j] == COLSTORE_NULL_I64);
            break;
        }
        case SRC_I32: {
            const int32_t *a = (const int32_t *)d + b;

            RANGE((double)a[j], a[j] == COLSTORE_NULL_I32);
            break;
        }
        default: {
            const double *a = (const double *)d + b;

            if (pc->round3 && x->q->access < SOQL_STAFF) {
                RANGE(round3(a[j]), isnan(a[j]));
            } else {
                RANGE(a[j], isnan(a[j]));
            }
        }
        }
#undef RANGE
        return;
    }
    case PK_GEN: {
        struct sval v;

        for (j = 0; j < n; j++) {
            get_val(x->q, p->pc, p->func, g, b + j, &v);
            out[j] = eval_leaf(p->n, &v);
        }
        return;
    }
    case PK_CIRCLE:
    case PK_BOX: {
        const double *la = col_data(g, p->pc->ci), *lo = col_data(g, p->pc->ci2);
        int r3 = p->pc->round3 && x->q->access < SOQL_STAFF;
        double dlat = p->rad / EARTH_R * 180.0 / M_PI * 1.01, dlon;

        dlon = fabs(p->lat) + dlat < 89.0 ? dlat / cos((fabs(p->lat) + dlat) * M_PI / 180.0) : 360;
        for (j = 0; j < n; j++) {
            double a = la[b + j], o = lo[b + j];

            if (isnan(a) || isnan(o)) {
                out[j] = 1;
                continue;
            }
            if (r3) {
                a = round3(a);
                o = round3(o);
            }
            if (p->kind == PK_BOX)
                out[j] = tv(a <= p->box[0] && a >= p->box[2] && o >= p->box[1] && o <= p->box[3]);
            else if (fabs(a - p->lat) > dlat || fabs(o - p->lon) > dlon)
                out[j] = 0;
            else
                out[j] = tv(haversine(p->lat, p->lon, a, o) <= p->rad);
        }
        return;
    }
    }
}

/* ------------------------------------------------------------------------ */
/* Group keys                                                               */
/* ------------------------------------------------------------------------ */

enum kk {
    KK_DICT = 1, /* global code of a dictionary column */
    KK_SMALL,    /* the U8/U16 value */
    KK_DAY,      /* a period of the time column (year, date_trunc_*) */
    KK_HASH,     /* any other value, numbered as first seen */
};

struct key {
    int kind;
    const struct soql__node *e;
    const struct soql__pcol *pc;
    int func;
    uint64_t n; /* ids are below n (KK_HASH: grows) */
    /* KK_DICT (and KK_HASH of text): every string seen, and its rank */
    struct colstore_dict *names;
    uint32_t *rank;
    uint32_t *glut; /* this group's code -> names code */
    size_t nglut;
    const char *glut_key;
    uint32_t glut_n;
    /* KK_SMALL of text: rank of each value by its text */
    uint32_t *srank;
    /* KK_DAY: day -> period id; each period's value */
    uint32_t *dlut;
    int64_t *pval;
    /* KK_HASH: value bits -> id, and each id's value */
    struct u64map map;
    double *hval;
    size_t hcap;
};

static void key_release(struct key *k)
{
    colstore_dict_free(k->names);
    cscc_free(k->rank);
    cscc_free(k->glut);
    cscc_free(k->srank);
    cscc_free(k->dlut);
    cscc_free(k->pval);
    u64map_release(&k->map);
    cscc_free(k->hval);
}

/* rank[code] = the place of code's string in byte order. */
static int rank_dict(struct colstore_dict *d, uint32_t **rank)
{
    uint32_t n = colstore_dict_count(d), i, *order;

    if (!(order = cscc_trymalloc((n + 1) * sizeof(*order))) ||
        !(*rank = cscc_trymalloc((n + 1) * sizeof(**rank)))) {
        cscc_free(order);
        return CSCC_ENOMEM;
    }
    colstore_dict_sort(d, order);
    for (i = 0; i < n; i++)
        (*rank)[order[i]] = i;
    cscc_free(order);
    return 0;
}

/* A group's codes of column c mapped to codes of names (0 when absent). */
static uint32_t *map_to_names(const struct colstore_col *c, const struct colstore_dict *names,
                              size_t *nmap)
{
    uint32_t n = colstore_col_dict_count(c), i, *m;

    *nmap = colstore_col_code_space(c);
    if (!(m = cscc_trycalloc(*nmap, sizeof(*m))))
        return NULL;
    for (i = 1; i < n; i++) {
        size_t len;
        const char *str = colstore_col_dict_str(c, i, &len);
        int64_t v = colstore_dict_find(names, str, len);

        m[i] = v < 0 ? 0 : (uint32_t)v;
    }
    return m;
}

/* The strings of a dictionary column across every group, ranked. */
static int global_dict(struct exec *x, const struct soql__pcol *pc, struct colstore_dict **names,
                       uint32_t **rank)
{
    size_t gi;

    *names = colstore_dict_new(0);
    for (gi = 0; gi < colstore_ngroups(x->t); gi++) {
        const struct colstore_col *c =
            colstore_group_col(colstore_group_at(x->t, gi), (size_t)pc->ci);
        uint32_t k, n = colstore_col_dict_count(c);

        for (k = 1; k < n; k++) {
            size_t len;
            const char *s = colstore_col_dict_str(c, k, &len);

            if (colstore_dict_intern(*names, s, len) < 0)
                return exec_oom(x);
        }
    }
    return rank_dict(*names, rank) ? exec_oom(x) : 0;
}

static _Thread_local const struct soql__pcol *sort_pc;

static int cmp_small_text(const void *a, const void *b)
{
    struct sval va, vb;
    size_t l;
    int c;

    small_val(sort_pc, *(const uint32_t *)a, &va);
    small_val(sort_pc, *(const uint32_t *)b, &vb);
    if (va.null || vb.null)
        return va.null - vb.null;
    l = va.len < vb.len ? va.len : vb.len;
    c = memcmp(va.s, vb.s, l);
    return c ? c : (va.len > vb.len) - (va.len < vb.len);
}

/* Ranks of a U8/U16 text column's values by their text ("10" < "2"). */
static int small_text_rank(const struct soql__pcol *pc, uint32_t **rank)
{
    size_t dom = pc->src == SRC_U16TXT ? 65536 : 256, i;
    uint32_t *order = cscc_trymalloc(dom * sizeof(*order));

    if (!order || !(*rank = cscc_trymalloc(dom * sizeof(**rank)))) {
        cscc_free(order);
        return CSCC_ENOMEM;
    }
    for (i = 0; i < dom; i++)
        order[i] = (uint32_t)i;
    sort_pc = pc;
    qsort(order, dom, sizeof(*order), cmp_small_text);
    for (i = 0; i < dom; i++)
        (*rank)[order[i]] = (uint32_t)i;
    cscc_free(order);
    return 0;
}

static int key_init(struct exec *x, struct key *k, const struct soql__node *e)
{
    const struct soql_query *q = x->q;

    memset(k, 0, sizeof(*k));
    k->e = e;
    if (e->kind == N_CALL) {
        k->func = e->func;
        e = e->args[0];
    }
    k->pc = &q->cols[e->col];
    use_col(x, k->pc->ci);
    if (!k->func && k->pc->src == SRC_DICT) {
        k->kind = KK_DICT;
        if (global_dict(x, k->pc, &k->names, &k->rank))
            return CSCC_ENOMEM;
        k->n = colstore_dict_count(k->names);
        return 0;
    }
    if (!k->func && (k->pc->src == SRC_U8NUM || k->pc->src == SRC_U8TXT || k->pc->src == SRC_BOOL ||
                     k->pc->src == SRC_YESNO)) {
        k->kind = KK_SMALL;
        k->n = 256;
    } else if (!k->func && (k->pc->src == SRC_U16NUM || k->pc->src == SRC_U16TXT)) {
        k->kind = KK_SMALL;
        k->n = 65536;
    }
    if (k->kind == KK_SMALL) {
        if ((k->pc->src == SRC_U8TXT || k->pc->src == SRC_U16TXT) &&
            small_text_rank(k->pc, &k->srank))
            return exec_oom(x);
        return 0;
    }
    if (k->pc->ci == q->ci_time && (k->pc->src == SRC_YEAR || k->func) &&
        x->last_day >= x->first_day) {
        int64_t span = x->last_day - x->first_day + 1, d, prev = INT64_MIN;
        uint32_t id = 0;

        k->kind = KK_DAY;
        if (!(k->dlut = cscc_trymalloc((size_t)span * sizeof(*k->dlut))) ||
            !(k->pval = cscc_trymalloc(((size_t)span + 1) * sizeof(*k->pval))))
            return exec_oom(x);
        for (d = 0; d < span; d++) {
            int64_t day = x->first_day + d, v = k->pc->src == SRC_YEAR
                                                    ? year_of_day(day)
                                                    : trunc_ts(day * CSCC_SECS_PER_DAY, k->func);

            if (d && v != prev)
                id++;
            k->dlut[d] = id;
            k->pval[id] = v;
            prev = v;
        }
        k->n = (uint64_t)id + 2; /* the last id is for rows without a time */
        return 0;
    }
    k->kind = KK_HASH;
    if (k->pc->src == SRC_STR) {
        k->names = colstore_dict_new(0);
        k->n = 1; /* code 0: "" (NULL) */
        return 0;
    }
    if (u64map_init(&k->map, 1024))
        return exec_oom(x);
    k->n = 0;
    return 0;
}

/* Per group: dictionary codes to global codes. */
static int key_group(struct exec *x, struct key *k, const struct colstore_group *g)
{
    const struct colstore_col *c;
    uint32_t n;
    const char *key;

    if (k->kind != KK_DICT)
        return 0;
    c = colstore_group_col(g, (size_t)k->pc->ci);
    n = colstore_col_dict_count(c);
    key = colstore_col_dict_str(c, 0, NULL);
    if (k->glut && k->glut_key == key && k->glut_n == n)
        return 0;
    cscc_free(k->glut);
    if (!(k->glut = map_to_names(c, k->names, &k->nglut)))
        return exec_oom(x);
    k->glut_key = key;
    k->glut_n = n;
    return 0;
}

/* ids[j] = the key's id for rows [b, b + n) (only where sel[j]). */
static int key_ids(struct exec *x, struct key *k, const struct gctx *gc, size_t b, size_t n,
                   const uint8_t *sel, uint32_t *ids)
{
    const struct colstore_group *g = gc->g;
    size_t j;

    switch (k->kind) {
    case KK_DICT:
        MAP_CODES(colstore_group_col(g, (size_t)k->pc->ci), b, n, ids, k->glut, k->nglut);
        return 0;
    case KK_SMALL:
        if (k->n == 256) {
            const uint8_t *d = (const uint8_t *)col_data(g, k->pc->ci) + b;

            for (j = 0; j < n; j++)
                ids[j] = d[j];
        } else {
            const uint16_t *d = (const uint16_t *)col_data(g, k->pc->ci) + b;

            for (j = 0; j < n; j++)
                ids[j] = d[j];
        }
        return 0;
    case KK_DAY: {
        const int64_t *t = col_data(g, k->pc->ci);
        uint32_t nullid = (uint32_t)k->n - 1;
        int64_t span = x->last_day - x->first_day + 1;
        size_t r = b, e = b + n;

        if (gc->has_days) {
            while (r < e && r < gc->dayrows)
                ids[r++ - b] = nullid;
            while (r < e) {
                int64_t d = cscc_day_of(t[r]) - x->first_day;
                size_t lo, hi, i;
                uint32_t id = d >= 0 && d < span ? k->dlut[d] : nullid;

                colstore_group_day_rows(g, d + x->first_day, d + x->first_day, &lo, &hi);
                if (hi <= r)
                    hi = r + 1;
                if (hi > e)
                    hi = e;
                for (i = r; i < hi; i++)
                    ids[i - b] = id;
                r = hi;
            }
            return 0;
        }
        for (j = 0; j < n; j++) {
            int64_t tt = t[b + j],
                    d = tt == COLSTORE_NULL_I64 ? -1 : cscc_day_of(tt) - x->first_day;

            ids[j] = d >= 0 && d < span ? k->dlut[d] : nullid;
        }
        return 0;
    }
    default: {
        struct sval v;

        for (j = 0; j < n; j++) {
            uint64_t bits, *slot;

            if (!sel[j])
                continue;
            get_val(x->q, k->pc, k->func, g, b + j, &v);
            if (k->pc->src == SRC_STR) {
                int64_t c = v.null ? 0 : colstore_dict_intern(k->names, v.s, v.len);

                if (c < 0)
                    return exec_oom(x);
                ids[j] = (uint32_t)c;
                if ((uint64_t)c >= k->n)
                    k->n = (uint64_t)c + 1;
                continue;
            }
            if (v.null)
                bits = 0x7ff8dead0000beefULL; /* one id for NULL */
            else if (k->pc->src == SRC_TS)
                memcpy(&bits, &v.ts, 8);
            else
                memcpy(&bits, &v.num, 8);
            if (!(slot = u64map_upsert(&k->map, bits)))
                return exec_oom(x);
            if (!*slot) {
                if (k->n == k->hcap) {
                    size_t cap = k->hcap ? k->hcap * 2 : 1024;
                    double *h = cscc_tryrealloc(k->hval, cap * sizeof(*h));

                    if (!h)
                        return exec_oom(x);
                    k->hval = h;
                    k->hcap = cap;
                }
                k->hval[k->n] = v.null ? NAN : k->pc->src == SRC_TS ? (double)v.ts : v.num;
                *slot = ++k->n;
            }
            ids[j] = (uint32_t)(*slot - 1);
        }
        return 0;
    }
    }
}

/* A sortable value of key id (nulls report 1 in *null). */
static double key_sortval(const struct key *k, uint32_t id, int *null)
{
    *null = 0;
    switch (k->kind) {
    case KK_DICT: *null = id == 0; return k->rank[id];
    case KK_SMALL: {
        struct sval v;

        small_val(k->pc, id, &v);
        *null = v.null;
        return k->srank ? k->srank[id] : id;
    }
    case KK_DAY: *null = id == k->n - 1; return id;
    default:
        if (k->pc->src == SRC_STR) {
            *null = id == 0;
            return k->rank ? k->rank[id] : id;
        }
        *null = isnan(k->hval[id]);
        return k->hval[id];
    }
}

/* The value of key id, for output. */
static void key_value(const struct exec *x, const struct key *k, uint32_t id, struct sval *v)
{
    memset(v, 0, offsetof(struct sval, buf));
    switch (k->kind) {
    case KK_DICT:
        v->s = colstore_dict_str(k->names, id, &v->len);
        v->null = id == 0;
        return;
    case KK_SMALL: small_val(k->pc, id, v); return;
    case KK_DAY:
        if (id == k->n - 1) {
            v->null = 1;
        } else if (k->pc->src == SRC_YEAR) {
            v->num = (double)k->pval[id];
        } else {
            v->ts = k->pval[id];
            v->num = (double)v->ts * 1000.0;
        }
        return;
    default:
        (void)x;
        if (k->pc->src == SRC_STR) {
            v->s = colstore_dict_str(k->names, id, &v->len);
            v->null = id == 0;
            return;
        }
        v->num = k->hval[id];
        v->null = isnan(v->num);
        if (k->pc->src == SRC_TS && !v->null)
            v->ts = (int64_t)v->num;
    }
}

/* ------------------------------------------------------------------------ */
/* Writing values                                                           */
/* ------------------------------------------------------------------------ */

static void fmt_ts(int64_t t, char *buf)
{
    cscc_format_civil(t, buf);
    memcpy(buf + 19, ".000", 5);
}

/* A value as JSON (Socrata: numbers as strings, checkboxes as booleans). */
static void json_value(struct strbuf *sb, int type, const struct sval *v)
{
    char b[64], c[64];

    switch (type) {
    case ST_TEXT: strbuf_add_json_str(sb, v->s, v->len); return;
    case ST_NUMBER:
        cscc_fmt_double(v->num, b);
        strbuf_addf(sb, "\"%s\"", b);
        return;
    case ST_BOOL: strbuf_adds(sb, v->num ? "true" : "false"); return;
    case ST_TS:
        fmt_ts(v->ts, b);
        strbuf_addf(sb, "\"%s\"", b);
        return;
    case ST_LOCATION:
        cscc_fmt_double(v->lat, b);
        cscc_fmt_double(v->lon, c);
        strbuf_addf(
            sb,
            "{\"latitude\":\"%s\",\"longitude\":\"%s\",\"human_address\":\"{\\\"address\\\": "
            "\\\"\\\", \\\"city\\\": \\\"\\\", \\\"state\\\": \\\"\\\", \\\"zip\\\": "
            "\\\"\\\"}\"}",
            b, c);
        return;
    case ST_POINT:
        cscc_fmt_double(v->lat, b);
        cscc_fmt_double(v->lon, c);
        strbuf_addf(sb, "{\"type\":\"Point\",\"coordinates\":[%s,%s]}", c, b);
        return;
    }
    strbuf_adds(sb, "null");
}

static void csv_value(struct strbuf *sb, int type, const struct sval *v)
{
    char b[64], c[64], w[160];

    if (v->null)
        return;
    switch (type) {
    case ST_TEXT: csv_write_field(sb, v->s, v->len, CSV_NEUTRALIZE); return;
    case ST_NUMBER:
        cscc_fmt_double(v->num, b);
        strbuf_adds(sb, b);
        return;
    case ST_BOOL: strbuf_adds(sb, v->num ? "true" : "false"); return;
    case ST_TS:
        fmt_ts(v->ts, b);
        strbuf_adds(sb, b);
        return;
    case ST_LOCATION:
        cscc_fmt_double(v->lat, b);
        cscc_fmt_double(v->lon, c);
        snprintf(w, sizeof(w), "(%s, %s)", b, c);
        csv_write_field(sb, w, strlen(w), 0);
        return;
    case ST_POINT:
        cscc_fmt_double(v->lat, b);
        cscc_fmt_double(v->lon, c);
        snprintf(w, sizeof(w), "POINT (%s %s)", c, b);
        csv_write_field(sb, w, strlen(w), 0);
        return;
    }
}

struct writer {
    enum soql_format f;
    struct strbuf *sb;
    const struct soql_query *q;
    size_t rows;
    int geom; /* GeoJSON: the output column that is the geometry, or -1 */
};

static void w_begin(struct writer *w)
{
    size_t i;

    w->geom = -1;
    if (w->f == SOQL_CSV) {
        for (i = 0; i < w->q->nvisible; i++) {
            if (i)
                strbuf_addc(w->sb, ',');
            csv_write_field(w->sb, w->q->out[i].name, strlen(w->q->out[i].name), CSV_NEUTRALIZE);
        }
        strbuf_addc(w->sb, '\n');
    } else if (w->f == SOQL_GEOJSON) {
        for (i = 0; i < w->q->nvisible && w->geom < 0; i++)
            if (w->q->out[i].type == ST_LOCATION || w->q->out[i].type == ST_POINT)
                w->geom = (int)i;
        strbuf_adds(w->sb, "{\"type\":\"FeatureCollection\",\"features\":[");
    } else {
        strbuf_addc(w->sb, '[');
    }
}

/* Writes one row: vals[i] is output column i's value. */
static int w_row(struct writer *w, const struct sval *vals)
{
    const struct soql_query *q = w->q;
    size_t i;
    int first = 1;

    if (w->f == SOQL_CSV) {
        for (i = 0; i < q->nvisible; i++) {
            if (i)
                strbuf_addc(w->sb, ',');
            csv_value(w->sb, q->out[i].type, &vals[i]);
        }
        w->rows++;
        return strbuf_addc(w->sb, '\n');
    }
    if (w->f == SOQL_GEOJSON) {
        strbuf_adds(w->sb, w->rows ? ",\n{\"type\":\"Feature\",\"geometry\":"
                                   : "\n{\"type\":\"Feature\",\"geometry\":");
        if (w->geom >= 0 && !vals[w->geom].null) {
            char b[64], c[64];

            cscc_fmt_double(vals[w->geom].lat, b);
            cscc_fmt_double(vals[w->geom].lon, c);
            strbuf_addf(w->sb, "{\"type\":\"Point\",\"coordinates\":[%s,%s]}", c, b);
        } else {
            strbuf_adds(w->sb, "null");
        }
        strbuf_adds(w->sb, ",\"properties\":{");
    } else {
        strbuf_adds(w->sb, w->rows ? ",\n{" : "\n{");
    }
    for (i = 0; i < q->nvisible; i++) {
        if (vals[i].null || (int)i == w->geom)
            continue;
        if (!first)
            strbuf_addc(w->sb, ',');
        first = 0;
        strbuf_add_json_str(w->sb, q->out[i].name, strlen(q->out[i].name));
        strbuf_addc(w->sb, ':');
        json_value(w->sb, q->out[i].type, &vals[i]);
    }
    w->rows++;
    return strbuf_adds(w->sb, w->f == SOQL_GEOJSON ? "}}" : "}");
}

static int w_end(struct writer *w)
{
    if (w->f == SOQL_CSV)
        return strbuf_adds(w->sb, "");
    if (w->f == SOQL_GEOJSON)
        return strbuf_adds(w->sb, w->rows ? "\n]}\n" : "]}\n");
    return strbuf_adds(w->sb, w->rows ? "\n]\n" : "]\n");
}

static int out_error(struct exec *x, int rc)
{
    if (rc == CSCC_ELIMIT)
        soql__seterr(x->e, 400, "query.soql.limit-exceeded", "$limit", 0,
                     "the response would be larger than %zu bytes; ask for fewer rows or columns",
                     x->q->lim.max_output);
    else
        exec_oom(x);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The scan                                                                 */
/* ------------------------------------------------------------------------ */

/* Sets up a group: its rows in the time range. Returns 0 when it has none. */
static int group_range(struct exec *x, size_t gi, struct gctx *gc)
{
    const struct colstore_group *g = colstore_group_at(x->t, gi);
    size_t lo, hi, i;

    memset(gc, 0, sizeof(*gc));
    gc->g = g;
    gc->has_days = x->q->ci_time >= 0 && colstore_group_has_days(g);
    gc->lo = 0;
    gc->hi = colstore_group_nrows(g);
    if (gc->has_days) {
        colstore_group_day_rows(g, INT64_MIN / 4, INT64_MAX / 4, &lo, &hi);
        gc->dayrows = lo;
        if (x->restricted || x->dlo > x->first_day || x->dhi < x->last_day) {
            colstore_group_day_rows(g, x->dlo, x->dhi, &gc->lo, &gc->hi);
        }
    }
    if (gc->lo >= gc->hi)
        return 0;
    for (i = 0; i < x->nused; i++)
        colstore_col_prefault(colstore_group_col(g, (size_t)x->used[i]), gc->lo, gc->hi);
    return 1;
}

/* The rows of [b, b + n) that pass $where: sel[j] = 1. */
static void select_rows(struct exec *x, const struct gctx *gc, size_t b, size_t n, uint8_t *sel)
{
    size_t j;

    if (!x->where) {
        memset(sel, 1, n);
        return;
    }
    pred_eval(x, x->where, gc, b, n, sel);
    for (j = 0; j < n; j++)
        sel[j] >>= 1; /* 2 -> 1; NULL and false -> 0 */
}

/* ---- grouped queries ---------------------------------------------------- */

struct aggst {
    double a; /* sum, min */
    double b; /* max */
    uint64_t n;
};

struct grouped {
    struct key keys[SOQL_MAX_KEYS];
    size_t nkeys;
    int flat;       /* key space indexed directly */
    uint64_t nflat; /* its size */
    uint64_t mul[SOQL_MAX_KEYS];
    uint32_t *slot;   /* flat: key -> group + 1 */
    uint64_t *counts; /* flat, count-only queries: key -> count */
    struct u64map map;
    uint32_t *gkeys;  /* ngroups x nkeys ids */
    struct aggst *st; /* ngroups x naggs */
    size_t ngroups, cap;
    int count_only;
    /* aggregate inputs: global dictionaries of text min/max */
    struct colstore_dict *anames[SOQL_MAX_OUT];
    uint32_t *arank[SOQL_MAX_OUT];
    uint32_t *alut[SOQL_MAX_OUT];
    size_t nalut[SOQL_MAX_OUT];
    const char *alut_key[SOQL_MAX_OUT];
    uint32_t *asrank[SOQL_MAX_OUT];
};

static int new_group(struct exec *x, struct grouped *G, const uint32_t *ids, uint32_t *gid)
{
    size_t naggs = x->q->naggs;

    if (G->ngroups >= x->q->lim.max_groups) {
        soql__seterr(x->e, 400, "query.soql.limit-exceeded", "$group", 0,
                     "the query makes more than %zu groups; group by fewer or coarser columns",
                     x->q->lim.max_groups);
        return CSCC_ELIMIT;
    }
    if (G->ngroups == G->cap) {
        size_t cap = G->cap ? G->cap * 2 : 256;
        uint32_t *k = cscc_tryreallocarray(G->gkeys, cap, (G->nkeys ? G->nkeys : 1) * sizeof(*k));
        struct aggst *s;

        if (!k)
            return exec_oom(x);
        G->gkeys = k;
        if (!(s = cscc_tryreallocarray(G->st, cap, (naggs ? naggs : 1) * sizeof(*s))))
            return exec_oom(x);
        G->st = s;
        G->cap = cap;
    }
    memcpy(G->gkeys + G->ngroups * G->nkeys, ids, G->nkeys * sizeof(*ids));
    memset(G->st + G->ngroups * naggs, 0, naggs * sizeof(*G->st));
    *gid = (uint32_t)G->ngroups++;
    return 0;
}

/* The numeric value an aggregate reads at row i (text: its rank). */
static double agg_input(struct exec *x, struct grouped *G, size_t a, const struct gctx *gc,
                        size_t i, int *null)
{
    const struct soql__agg *ag = &x->q->aggs[a];
    const struct soql__pcol *pc = &x->q->cols[ag->col];
    struct sval v;

    if (pc->src == SRC_DICT) {
        const struct colstore_col *c = colstore_group_col(gc->g, (size_t)pc->ci);
        uint32_t code = colstore_code_at(colstore_col_data(c), colstore_col_width(c), i);

        if (!G->alut[a]) { /* count(col): only whether it is there */
            *null = code == 0 || code >= colstore_col_dict_count(c);
            return 0;
        }
        if (code >= G->nalut[a])
            code = 0;
        *null = G->alut[a][code] == 0;
        return *null ? 0 : G->arank[a][G->alut[a][code]];
    }
    get_val(x->q, pc, F_NONE, gc->g, i, &v);
    *null = v.null;
    if (G->asrank[a] && !v.null)
        return G->asrank[a][(unsigned)v.num];
    return pc->type == ST_TS ? (double)v.ts : v.num;
}

static int agg_group(struct exec *x, struct grouped *G, const struct gctx *gc)
{
    size_t a;

    for (a = 0; a < x->q->naggs; a++) {
        const struct soql__agg *ag = &x->q->aggs[a];
        const struct colstore_col *c;
        const char *key;

        if (ag->col < 0 || !G->anames[a])
            continue;
        c = colstore_group_col(gc->g, (size_t)x->q->cols[ag->col].ci);
        key = colstore_col_dict_str(c, 0, NULL);
        if (G->alut[a] && G->alut_key[a] == key)
            continue;
        cscc_free(G->alut[a]);
        if (!(G->alut[a] = map_to_names(c, G->anames[a], &G->nalut[a])))
            return exec_oom(x);
        G->alut_key[a] = key;
    }
    return 0;
}

static inline void agg_upd(struct aggst *s, int func, double v)
{
    if (func == F_SUM || func == F_AVG) {
        s->a += v;
    } else if (func == F_MIN || func == F_MAX) {
        if (!s->n || v < s->a)
            s->a = v;
        if (!s->n || v > s->b)
            s->b = v;
    }
    s->n++;
}

/* Aggregate a over the selected rows [b, b + n) of a group; gids[j] is row
 * j's group. Numbers are read straight from their column. */
static void agg_block(struct exec *x, struct grouped *G, size_t a, const struct gctx *gc, size_t b,
                      size_t n, const uint8_t *sel, const uint32_t *gids)
{
    const struct soql_query *q = x->q;
    const struct soql__agg *ag = &q->aggs[a];
    struct aggst *st;
    size_t na = q->naggs, j;
    const struct soql__pcol *pc;
    const void *d;
    int f = ag->func;

    /* Every selected row has a group by now: with none, no row is selected
     * (and G->st may still be NULL, which must not be offset). */
    if (!G->ngroups)
        return;
    st = G->st + a;
    if (ag->col < 0) {
        for (j = 0; j < n; j++)
            if (sel[j])
                st[(size_t)gids[j] * na].n++;
        return;
    }
    pc = &q->cols[ag->col];
    d = col_data(gc->g, pc->ci);
#define AGG_LOOP(T, ISNULL, VAL)                                                                   \
    do {                                                                                           \
        const T *p_ = (const T *)d + b;                                                            \
        for (j = 0; j < n; j++)                                                                    \
            if (sel[j] && !(ISNULL))                                                               \
                agg_upd(&st[(size_t)gids[j] * na], f, (VAL));                                      \
    } while (0)
    switch (pc->src) {
    case SRC_I64:
    case SRC_TS: AGG_LOOP(int64_t, p_[j] == COLSTORE_NULL_I64, (double)p_[j]); return;
    case SRC_I32: AGG_LOOP(int32_t, p_[j] == COLSTORE_NULL_I32, (double)p_[j]); return;
    case SRC_F64:
        if (pc->round3 && q->access < SOQL_STAFF)
            break;
        AGG_LOOP(double, isnan(p_[j]), p_[j]);
        return;
    case SRC_U8NUM: AGG_LOOP(uint8_t, p_[j] == COLSTORE_NULL_U8, (double)p_[j]); return;
    case SRC_U16NUM: AGG_LOOP(uint16_t, p_[j] == COLSTORE_NULL_U16, (double)p_[j]); return;
    case SRC_BOOL: AGG_LOOP(uint8_t, p_[j] > 1, (double)p_[j]); return;
    }
#undef AGG_LOOP
    for (j = 0; j < n; j++) {
        int null = 0;
        double v;

        if (!sel[j])
            continue;
        v = agg_input(x, G, a, gc, b + j, &null);
        if (!null)
            agg_upd(&st[(size_t)gids[j] * na], f, v);
    }
}

static int scan_grouped(struct exec *x, struct grouped *G)
{
    const struct soql_query *q = x->q;
    uint8_t *sel = cscc_trymalloc(BLOCK);
    uint32_t *ids = cscc_trymalloc((size_t)BLOCK * SOQL_MAX_KEYS * sizeof(*ids));
    uint64_t *flat = cscc_trymalloc(BLOCK * sizeof(*flat));
    uint32_t *gids = cscc_trymalloc(BLOCK * sizeof(*gids));
    size_t gi, k, j, a;
    int rc = 0;

    if (!sel || !ids || !flat || !gids) {
        rc = exec_oom(x);
        goto out;
    }
    for (gi = 0; gi < colstore_ngroups(x->t) && !rc && !x->empty; gi++) {
        struct gctx gc;
        size_t b;

        if (!group_range(x, gi, &gc))
            continue;
        x->q->scanned += gc.hi - gc.lo;
        if ((rc = pred_group(x, x->where, gc.g)))
            break;
        for (k = 0; k < G->nkeys && !rc; k++)
            rc = key_group(x, &G->keys[k], gc.g);
        if (rc || (rc = agg_group(x, G, &gc)))
            break;
        for (b = gc.lo; b < gc.hi && !rc; b += BLOCK) {
            size_t n = gc.hi - b < BLOCK ? gc.hi - b : BLOCK;

            select_rows(x, &gc, b, n, sel);
            for (k = 0; k < G->nkeys && !rc; k++)
                rc = key_ids(x, &G->keys[k], &gc, b, n, sel, ids + k * BLOCK);
            if (rc)
                break;
            if (G->flat) {
                for (j = 0; j < n; j++)
                    flat[j] = 0;
                for (k = 0; k < G->nkeys; k++) {
                    const uint32_t *ik = ids + k * BLOCK;
                    uint64_t m = G->mul[k];

                    for (j = 0; j < n; j++)
                        flat[j] += ik[j] * m;
                }
                if (G->count_only) {
                    for (j = 0; j < n; j++)
                        G->counts[flat[j]] += sel[j];
                    continue;
                }
            }
            /* each selected row's group (new groups made as they appear) */
            for (j = 0; j < n && !rc; j++) {
                uint32_t gid, rowids[SOQL_MAX_KEYS];

                if (!sel[j])
                    continue;
                for (k = 0; k < G->nkeys; k++)
                    rowids[k] = ids[k * BLOCK + j];
                if (G->flat) {
                    if (!G->slot[flat[j]]) {
                        if ((rc = new_group(x, G, rowids, &gid)))
                            break;
                        G->slot[flat[j]] = gid + 1;
                    }
                    gid = G->slot[flat[j]] - 1;
                } else {
                    uint64_t key = 0, *v;

                    for (k = 0; k < G->nkeys; k++)
                        key += rowids[k] * G->mul[k];
                    if (!(v = u64map_upsert(&G->map, key))) {
                        rc = exec_oom(x);
                        break;
                    }
                    if (!*v) {
                        if ((rc = new_group(x, G, rowids, &gid)))
                            break;
                        *v = gid + 1;
                    }
                    gid = (uint32_t)(*v - 1);
                }
                gids[j] = gid;
            }
            /* then each aggregate over the block, reading its column directly */
            for (a = 0; a < q->naggs && !rc; a++)
                agg_block(x, G, a, &gc, b, n, sel, gids);
        }
    }
out:
    cscc_free(sel);
    cscc_free(ids);
    cscc_free(flat);
    cscc_free(gids);
    return rc;
}

/* Sorting groups. */
struct gsort {
    struct exec *x;
    struct grouped *G;
};
static _Thread_local struct gsort *gs;

/* Output column o of group gid as a sortable number. */
static double out_sortval(struct exec *x, struct grouped *G, size_t gid, size_t o, int *null)
{
    const struct soql__out *out = &x->q->out[o];

    if (out->key >= 0)
        return key_sortval(&G->keys[out->key], G->gkeys[gid * G->nkeys + (size_t)out->key], null);
    {
        const struct aggst *st = &G->st[gid * x->q->naggs + (size_t)out->agg];
        int f = x->q->aggs[out->agg].func;

        *null = 0;
        switch (f) {
        case F_COUNT: return (double)st->n;
        case F_SUM: *null = !st->n; return st->a;
        case F_AVG: *null = !st->n; return st->n ? st->a / (double)st->n : 0;
        case F_MIN: *null = !st->n; return st->a;
        default: *null = !st->n; return st->b;
        }
    }
}

static int cmp_vals(double a, int an, double b, int bn, int desc)
{
    int c;

    /* PostgreSQL's (and Socrata's) order: NULL after every value ascending,
     * before every value descending */
    if (an || bn)
        c = an - bn;
    else
        c = (a > b) - (a < b);
    return desc ? -c : c;
}

static int cmp_groups(const void *pa, const void *pb)
{
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    struct exec *x = gs->x;
    struct grouped *G = gs->G;
    size_t i;

    for (i = 0; i < x->q->norder; i++) {
        int an, bn, c;
        double va = out_sortval(x, G, a, (size_t)x->q->order[i].out, &an),
               vb = out_sortval(x, G, b, (size_t)x->q->order[i].out, &bn);

        if ((c = cmp_vals(va, an, vb, bn, x->q->order[i].desc)))
            return c;
    }
    for (i = 0; i < G->nkeys; i++) {
        int an, bn, c;
        double va = key_sortval(&G->keys[i], G->gkeys[a * G->nkeys + i], &an),
               vb = key_sortval(&G->keys[i], G->gkeys[b * G->nkeys + i], &bn);

        if ((c = cmp_vals(va, an, vb, bn, 0)))
            return c;
    }
    return (a > b) - (a < b);
}

/* The value of output column o for group gid. */
static void group_value(struct exec *x, struct grouped *G, size_t gid, size_t o, struct sval *v)
{
    const struct soql__out *out = &x->q->out[o];
    const struct aggst *st;
    const struct soql__agg *ag;

    if (out->key >= 0) {
        key_value(x, &G->keys[out->key], G->gkeys[gid * G->nkeys + (size_t)out->key], v);
        return;
    }
    memset(v, 0, offsetof(struct sval, buf));
    st = &G->st[gid * x->q->naggs + (size_t)out->agg];
    ag = &x->q->aggs[out->agg];
    switch (ag->func) {
    case F_COUNT: v->num = (double)st->n; return;
    case F_SUM:
        v->num = st->a;
        v->null = !st->n;
        return;
    case F_AVG:
        v->num = st->n ? st->a / (double)st->n : 0;
        v->null = !st->n;
        return;
    default: {
        double r = ag->func == F_MIN ? st->a : st->b;
        const struct soql__pcol *pc = &x->q->cols[ag->col];
        size_t a = (size_t)out->agg;

        v->null = !st->n;
        if (v->null)
            return;
        if (pc->src == SRC_DICT) {
            /* r is a rank: find its string */
            uint32_t k, n = colstore_dict_count(G->anames[a]);

            for (k = 0; k < n; k++)
                if (G->arank[a][k] == (uint32_t)r)
                    break;
            v->s = colstore_dict_str(G->anames[a], k < n ? k : 0, &v->len);
        } else if (G->asrank[a]) {
            size_t dom = pc->src == SRC_U16TXT ? 65536 : 256, k;

            for (k = 0; k < dom; k++)
                if (G->asrank[a][k] == (uint32_t)r)
                    break;
            small_val(pc, (unsigned)k, v);
        } else if (pc->type == ST_TS) {
            v->ts = (int64_t)r;
        } else {
            v->num = r;
        }
    }
    }
}

static int run_grouped(struct exec *x, struct writer *w)
{
    struct soql_query *q = x->q;
    struct grouped *G = cscc_xcalloc(1, sizeof(*G));
    uint32_t *order = NULL;
    struct sval vals[SOQL_MAX_OUT];
    size_t k, i, a;
    int rc = 0, dynamic = 0;
    uint64_t space = 1, bits = 0;

    G->nkeys = q->nkeys;
    for (k = 0; k < q->nkeys && !rc; k++)
        rc = key_init(x, &G->keys[k], q->keys[k]);
    for (a = 0; a < q->naggs && !rc; a++) {
        const struct soql__agg *ag = &q->aggs[a];
        const struct soql__pcol *pc;

        if (ag->col < 0)
            continue;
        pc = &q->cols[ag->col];
        use_col(x, pc->ci);
        if (ag->func != F_MIN && ag->func != F_MAX)
            continue;
        if (pc->src == SRC_DICT)
            rc = global_dict(x, pc, &G->anames[a], &G->arank[a]);
        else if ((pc->src == SRC_U8TXT || pc->src == SRC_U16TXT) &&
                 small_text_rank(pc, &G->asrank[a]))
            rc = exec_oom(x);
    }
    if (rc)
        goto out;
    G->count_only = 1;
    for (a = 0; a < q->naggs; a++)
        if (q->aggs[a].col >= 0)
            G->count_only = 0;
    /* The key space: flat when every key is bounded and the product small. */
    for (k = 0; k < q->nkeys; k++) {
        uint64_t n = G->keys[k].n;

        if (G->keys[k].kind == KK_HASH) {
            dynamic = 1;
            n = (uint64_t)1 << 32;
        }
        bits += n <= 1 ? 1 : (uint64_t)(64 - __builtin_clzll(n - 1));
        space = space > FLAT_MAX ? space : space * (n ? n : 1);
    }
    if (bits > 64) {
        soql__seterr(x->e, 400, "query.soql.limit-exceeded", "$group", 0,
                     "$group: these columns together have too many combinations; group by "
                     "fewer of them");
        rc = CSCC_ELIMIT;
        goto out;
    }
    {
        uint64_t m = 1;

        for (k = q->nkeys; k-- > 0;) {
            uint64_t n = G->keys[k].kind == KK_HASH ? (uint64_t)1 << 32 : G->keys[k].n;

            G->mul[k] = m;
            m = k ? m * (n ? n : 1) : m;
        }
    }
    G->flat = !dynamic && space <= FLAT_MAX;
    if (G->flat) {
        G->nflat = space;
        if (G->count_only ? !(G->counts = cscc_trycalloc(space, sizeof(*G->counts)))
                          : !(G->slot = cscc_trycalloc(space, sizeof(*G->slot)))) {
            rc = exec_oom(x);
            goto out;
        }
    } else if (u64map_init(&G->map, 1024)) {
        rc = exec_oom(x);
        goto out;
    }
    if ((rc = scan_grouped(x, G)))
        goto out;
    /* Flat counts become groups. */
    if (G->flat && G->count_only) {
        uint64_t f;

        for (f = 0; f < G->nflat && !rc; f++) {
            uint32_t ids[SOQL_MAX_KEYS], gid;
            uint64_t rem = f;

            if (!G->counts[f] && q->nkeys)
                continue;
            for (k = 0; k < q->nkeys; k++) {
                ids[k] = (uint32_t)(rem / G->mul[k]);
                rem %= G->mul[k];
            }
            if ((rc = new_group(x, G, ids, &gid)))
                break;
            for (a = 0; a < q->naggs; a++)
                G->st[(size_t)gid * q->naggs + a].n = G->counts[f];
        }
        if (rc)
            goto out;
    }
    if (!q->nkeys && !G->ngroups) { /* an aggregate of no rows is one row */
        uint32_t gid, none[1] = {0};

        if ((rc = new_group(x, G, none, &gid)))
            goto out;
    }
    /* KK_HASH text keys sort by their strings */
    for (k = 0; k < q->nkeys; k++)
        if (G->keys[k].kind == KK_HASH && G->keys[k].names &&
            rank_dict(G->keys[k].names, &G->keys[k].rank)) {
            rc = exec_oom(x);
            goto out;
        }
    if (!(order = cscc_trymalloc((G->ngroups + 1) * sizeof(*order)))) {
        rc = exec_oom(x);
        goto out;
    }
    for (i = 0; i < G->ngroups; i++)
        order[i] = (uint32_t)i;
    {
        struct gsort s = {x, G};

        gs = &s;
        qsort(order, G->ngroups, sizeof(*order), cmp_groups);
        gs = NULL;
    }
    w_begin(w);
    for (i = (size_t)q->offset; i < G->ngroups && i < q->offset + q->limit; i++) {
        size_t o;

        for (o = 0; o < q->nvisible; o++)
            group_value(x, G, order[i], o, &vals[o]);
        if ((rc = w_row(w, vals)))
            break;
    }
    if (!rc)
        rc = w_end(w);
    if (rc)
        rc = out_error(x, rc);
out:
    for (k = 0; k < G->nkeys; k++)
        key_release(&G->keys[k]);
    for (a = 0; a < SOQL_MAX_OUT; a++) {
        colstore_dict_free(G->anames[a]);
        cscc_free(G->arank[a]);
        cscc_free(G->alut[a]);
        cscc_free(G->asrank[a]);
    }
    u64map_release(&G->map);
    cscc_free(G->slot);
    cscc_free(G->counts);
    cscc_free(G->gkeys);
    cscc_free(G->st);
    cscc_free(order);
    cscc_free(G);
    return rc;
}

/* ---- row queries --------------------------------------------------------- */

/* The value of output column o (a column or date_trunc of one) at a row. */
static void row_value(const struct exec *x, size_t o, const struct colstore_group *g, size_t i,
                      struct sval *v)
{
    const struct soql__node *e = x->q->out[o].e;
    int func = F_NONE;

    if (e->kind == N_CALL) {
        func = e->func;
        e = e->args[0];
    }
    get_val(x->q, &x->q->cols[e->col], func, g, i, v);
}

/* One sort key of a row: a number, or a rank or a string for text. */
struct skey {
    double d;
    const char *s;
    uint32_t len;
    uint8_t null;
};

struct rsort {
    struct exec *x;
    size_t nk;
    size_t esize; /* bytes of one entry: uint32 group, uint32 row, nk skeys */
    struct colstore_dict *names[SOQL_MAX_KEYS];
    uint32_t *rank[SOQL_MAX_KEYS];
    uint32_t *glut[SOQL_MAX_KEYS]; /* this group's codes -> names codes */
    size_t nglut[SOQL_MAX_KEYS];
    uint32_t *srank[SOQL_MAX_KEYS];
    int desc[SOQL_MAX_KEYS];
};
static _Thread_local const struct rsort *rs;

static struct skey *entry_keys(void *e)
{
    return (struct skey *)((uint32_t *)e + 2);
}

static int cmp_entries(const void *pa, const void *pb)
{
    const struct skey *a = entry_keys((void *)pa), *b = entry_keys((void *)pb);
    const uint32_t *ia = pa, *ib = pb;
    size_t k;

    for (k = 0; k < rs->nk; k++) {
        int c;

        if (a[k].null || b[k].null) {
            c = a[k].null - b[k].null;
        } else if (a[k].s) {
            size_t l = a[k].len < b[k].len ? a[k].len : b[k].len;

            c = memcmp(a[k].s, b[k].s, l);
            if (!c)
                c = (a[k].len > b[k].len) - (a[k].len < b[k].len);
        } else {
            c = (a[k].d > b[k].d) - (a[k].d < b[k].d);
        }
        if (c)
            return rs->desc[k] ? -c : c;
    }
    if (ia[0] != ib[0])
        return ia[0] < ib[0] ? -1 : 1;
    return (ia[1] > ib[1]) - (ia[1] < ib[1]);
}

static void row_keys(struct exec *x, struct rsort *r, const struct colstore_group *g, size_t i,
                     struct skey *out)
{
    size_t k;

    for (k = 0; k < r->nk; k++) {
        const struct soql__node *e = x->q->order[k].e;
        const struct soql__pcol *pc;
        int func = F_NONE;
        struct sval v;

        if (e->kind == N_CALL) {
            func = e->func;
            e = e->args[0];
        }
        pc = &x->q->cols[e->col];
        memset(&out[k], 0, sizeof(out[k]));
        if (pc->src == SRC_DICT && r->glut[k]) {
            const struct colstore_col *c = colstore_group_col(g, (size_t)pc->ci);
            uint32_t code = colstore_code_at(colstore_col_data(c), colstore_col_width(c), i);
            uint32_t gc = r->glut[k][code < r->nglut[k] ? code : 0];

            out[k].null = gc == 0;
            out[k].d = r->rank[k][gc];
            continue;
        }
        get_val(x->q, pc, func, g, i, &v);
        out[k].null = (uint8_t)v.null;
        if (v.null)
            continue;
        if (pc->src == SRC_STR) {
            out[k].s = v.s;
            out[k].len = (uint32_t)v.len;
        } else if (r->srank[k]) {
            out[k].d = r->srank[k][(unsigned)v.num];
        } else {
            out[k].d = pc->type == ST_TS ? (double)v.ts : v.num;
        }
    }
}

/* Sift-down in a max-heap of n entries ("max" = last in the order). */
static void heap_down(char *h, size_t n, size_t i, size_t es, char *tmp)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;

        if (l < n && cmp_entries(h + l * es, h + m * es) > 0)
            m = l;
        if (r < n && cmp_entries(h + r * es, h + m * es) > 0)
            m = r;
        if (m == i)
            return;
        memcpy(tmp, h + i * es, es);
        memcpy(h + i * es, h + m * es, es);
        memcpy(h + m * es, tmp, es);
        i = m;
    }
}

static void heap_up(char *h, size_t i, size_t es, char *tmp)
{
    while (i) {
        size_t p = (i - 1) / 2;

        if (cmp_entries(h + i * es, h + p * es) <= 0)
            return;
        memcpy(tmp, h + i * es, es);
        memcpy(h + i * es, h + p * es, es);
        memcpy(h + p * es, tmp, es);
        i = p;
    }
}

static int emit_row(struct exec *x, struct writer *w, size_t gi, size_t row)
{
    struct sval vals[SOQL_MAX_OUT];
    const struct colstore_group *g = colstore_group_at(x->t, gi);
    size_t o;

    for (o = 0; o < x->q->nvisible; o++)
        row_value(x, o, g, row, &vals[o]);
    return w_row(w, vals);
}

static int run_rows(struct exec *x, struct writer *w)
{
    struct soql_query *q = x->q;
    uint8_t *sel = cscc_trymalloc(BLOCK);
    uint64_t skip = q->offset, want = q->limit;
    size_t gi, o, k;
    int rc = 0;
    struct rsort r;
    char *heap = NULL, *tmp = NULL;
    size_t hn = 0, hcap = 0;

    memset(&r, 0, sizeof(r));
    if (!sel)
        return exec_oom(x);
    for (o = 0; o < q->nvisible; o++) {
        const struct soql__node *e = q->out[o].e;

        if (e->kind == N_CALL)
            e = e->args[0];
        use_col(x, q->cols[e->col].ci);
        use_col(x, q->cols[e->col].ci2);
    }
    if (q->norder) {
        r.x = x;
        r.nk = q->norder;
        r.esize = 2 * sizeof(uint32_t) + q->norder * sizeof(struct skey);
        hcap = (size_t)(q->offset + q->limit);
        for (k = 0; k < q->norder && !rc; k++) {
            const struct soql__node *e = q->order[k].e;
            const struct soql__pcol *pc;

            r.desc[k] = q->order[k].desc;
            if (e->kind == N_CALL)
                e = e->args[0];
            pc = &q->cols[e->col];
            use_col(x, pc->ci);
            if (pc->src == SRC_DICT && e == q->order[k].e)
                rc = global_dict(x, pc, &r.names[k], &r.rank[k]);
            else if ((pc->src == SRC_U8TXT || pc->src == SRC_U16TXT) && e == q->order[k].e &&
                     small_text_rank(pc, &r.srank[k]))
                rc = exec_oom(x);
        }
        if (!rc && hcap &&
            (!(heap = cscc_trymalloc(hcap * r.esize)) || !(tmp = cscc_trymalloc(2 * r.esize))))
            rc = exec_oom(x);
    }
    if (!rc)
        w_begin(w);
    for (gi = 0; gi < colstore_ngroups(x->t) && !rc && !x->empty; gi++) {
        struct gctx gc;
        size_t b, j;

        if (!q->norder && !want)
            break;
        if (!group_range(x, gi, &gc))
            continue;
        if ((rc = pred_group(x, x->where, gc.g)))
            break;
        for (k = 0; k < r.nk && !rc; k++) {
            if (r.names[k]) {
                const struct colstore_col *c =
                    colstore_group_col(gc.g, (size_t)q->cols[q->order[k].e->col].ci);

                cscc_free(r.glut[k]);
                if (!(r.glut[k] = map_to_names(c, r.names[k], &r.nglut[k])))
                    rc = exec_oom(x);
            }
        }
        for (b = gc.lo; b < gc.hi && !rc; b += BLOCK) {
            size_t n = gc.hi - b < BLOCK ? gc.hi - b : BLOCK;

            q->scanned += n;
            select_rows(x, &gc, b, n, sel);
            for (j = 0; j < n && !rc; j++) {
                if (!sel[j])
                    continue;
                if (!q->norder) {
                    if (skip) {
                        skip--;
                        continue;
                    }
                    if (!want)
                        break;
                    want--;
                    rc = emit_row(x, w, gi, b + j);
                    continue;
                }
                if (!hcap)
                    continue;
                {
                    char *e = hn < hcap ? heap + hn * r.esize : tmp + r.esize;
                    uint32_t *ids = (uint32_t *)e;

                    ids[0] = (uint32_t)gi;
                    ids[1] = (uint32_t)(b + j);
                    rs = &r;
                    row_keys(x, &r, gc.g, b + j, entry_keys(e));
                    if (hn < hcap) {
                        heap_up(heap, hn++, r.esize, tmp);
                    } else if (cmp_entries(e, heap) < 0) {
                        memcpy(heap, e, r.esize);
                        heap_down(heap, hn, 0, r.esize, tmp);
                    }
                }
            }
            if (!q->norder && !want)
                break;
        }
    }
    if (!rc && q->norder && hn) {
        size_t i;

        rs = &r;
        qsort(heap, hn, r.esize, cmp_entries);
        for (i = (size_t)q->offset; i < hn && !rc; i++) {
            const uint32_t *ids = (const uint32_t *)(heap + i * r.esize);

            rc = emit_row(x, w, ids[0], ids[1]);
        }
    }
    rs = NULL;
    if (!rc)
        rc = w_end(w);
    if (rc && !x->e->status)
        rc = out_error(x, rc);
    for (k = 0; k < SOQL_MAX_KEYS; k++) {
        colstore_dict_free(r.names[k]);
        cscc_free(r.rank[k]);
        cscc_free(r.glut[k]);
        cscc_free(r.srank[k]);
    }
    cscc_free(heap);
    cscc_free(tmp);
    cscc_free(sel);
    return rc;
}

int soql__execute(struct soql_query *q, enum soql_format f, struct strbuf *out,
                  struct soql_error *e)
{
    struct exec x;
    struct writer w;
    int rc;

    memset(&x, 0, sizeof(x));
    x.q = q;
    x.t = q->t;
    x.e = e;
    q->scanned = 0;
    colstore_day_span(q->t, &x.first_day, &x.last_day);
    x.dlo = x.first_day;
    x.dhi = x.last_day;
    if (q->where && (rc = compile(&x, q->where, &x.where)))
        return rc;
    narrow_days(&x, x.where);
    if (x.dlo > x.dhi && x.last_day >= x.first_day)
        x.empty = 1;
    if (!x.empty)
        drop_settled(&x, x.where);
    if (out->max > q->lim.max_output)
        out->max = q->lim.max_output;
    memset(&w, 0, sizeof(w));
    w.f = f;
    w.sb = out;
    w.q = q;
    rc = q->grouped ? run_grouped(&x, &w) : run_rows(&x, &w);
    pred_free(x.where);
    return rc;
}
