/* soql_int.h - what the files of the SoQL subset share: the syntax tree, the
 * public schemas, the prepared query. Internal to src/http (soql*.c). */
#ifndef CSCC_HTTP_SOQL_INT_H
#define CSCC_HTTP_SOQL_INT_H

#include "http/soql.h"

#include "colstore/colstore.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Types, the syntax tree                                                   */
/* ------------------------------------------------------------------------ */

/* SoQL types (the names of X-SODA2-Types). */
enum soql__type {
    ST_NULL = 0,
    ST_TEXT,
    ST_NUMBER,
    ST_BOOL,     /* "checkbox" */
    ST_TS,       /* "floating_timestamp": civil seconds, no zone */
    ST_LOCATION, /* "location": the crimes export's (latitude, longitude) */
    ST_POINT,    /* "point": a layer's coordinates */
};
const char *soql__type_name(int t);

enum soql__node_kind {
    N_IDENT = 1, /* a column or an alias */
    N_STR,
    N_NUM,
    N_BOOL,
    N_NULL,
    N_STAR, /* count(*) */
    N_CMP,  /* a op b */
    N_AND,
    N_OR,
    N_NOT,
    N_IN,      /* a [NOT] IN (args) */
    N_BETWEEN, /* a [NOT] BETWEEN b AND c */
    N_ISNULL,  /* a IS [NOT] NULL */
    N_LIKE,    /* a [NOT] LIKE b */
    N_CALL,    /* func(args) */
};

enum soql__op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

enum soql__func {
    F_NONE = 0,
    F_COUNT,
    F_SUM,
    F_AVG,
    F_MIN,
    F_MAX,
    F_DT_Y,
    F_DT_YM,
    F_DT_YMD,
    F_WITHIN_CIRCLE,
    F_WITHIN_BOX,
};
#define SOQL_IS_AGG(f) ((f) >= F_COUNT && (f) <= F_MAX)

struct soql__node {
    int kind;
    int op;          /* N_CMP */
    int neg;         /* NOT IN, NOT BETWEEN, IS NOT NULL, NOT LIKE */
    int func;        /* N_CALL */
    size_t pos, end; /* 1-based first character and one past the last, in the parameter */
    const char *s;   /* N_IDENT (lowercased), N_STR (unescaped), N_CALL (name) */
    size_t len;
    double num; /* N_NUM, N_BOOL */
    int64_t ts; /* a text literal read as a floating timestamp (resolved) */
    int ts_ms;  /* its milliseconds */
    struct soql__node *a, *b, *c;
    struct soql__node **args; /* N_IN, N_CALL */
    size_t nargs;
    /* resolved */
    int col;  /* N_IDENT: public column index, or -1 */
    int type; /* the expression's type */
};

/* A bump allocator for one query's nodes and strings; memory sized by the
 * query comes from cscc_try*, so a failure is CSCC_ENOMEM. */
struct soql__arena {
    char *blk;
    size_t used, cap;
    void **blocks;
    size_t nblocks, capblocks;
    int failed;
};
void *soql__alloc(struct soql__arena *a, size_t size);
void soql__arena_release(struct soql__arena *a);

/* A parsed clause. */
struct soql__item {
    struct soql__node *e;
    const char *alias; /* NULL when none */
    int desc;          /* $order */
    int star;          /* $select: '*' */
};

struct soql__parser {
    const char *param; /* "$where" */
    const char *src;
    size_t len, pos;
    size_t depth;
    const struct soql_limits *lim;
    struct soql__arena *arena;
    struct soql_error *e;
};

void soql__seterr(struct soql_error *e, int status, const char *code, const char *param,
                  size_t position, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Parsers of each parameter: 0, or -1 with p->e filled. */
int soql__parse_expr(struct soql__parser *p, struct soql__node **out);
int soql__parse_list(struct soql__parser *p, int select, int order, struct soql__item **items,
                     size_t *n);

/* ------------------------------------------------------------------------ */
/* Public schemas                                                           */
/* ------------------------------------------------------------------------ */

/* How a public column is read from the table. */
enum soql__src {
    SRC_I64 = 1, /* number */
    SRC_I32,     /* number */
    SRC_F64,     /* number */
    SRC_U8NUM,   /* number; 255 = NULL */
    SRC_U16NUM,  /* number; 65535 = NULL */
    SRC_U8TXT,   /* text written with pad digits ("006"); 255 = NULL */
    SRC_U16TXT,  /* text written with pad digits ("0611"); 65535 = NULL */
    SRC_BOOL,    /* checkbox from U8 0/1; 255 = NULL */
    SRC_YESNO,   /* text "YES"/"NO" from U8 0/1 */
    SRC_DICT,    /* text; code 0 ("") = NULL */
    SRC_STR,     /* text; "" = NULL */
    SRC_TS,      /* floating timestamp from I64 civil seconds */
    SRC_YEAR,    /* number: the year of the time column */
    SRC_LOC,     /* location/point from the latitude and longitude columns */
};

struct soql__pcol {
    const char *name;   /* public field name */
    int type;           /* enum soql__type */
    int src;            /* enum soql__src */
    const char *store;  /* the table column; SRC_LOC: latitude */
    const char *store2; /* SRC_LOC: longitude */
    int pad;            /* SRC_U8TXT, SRC_U16TXT: digits */
    int min_access;     /* the least access that sees the column */
    int round3;         /* coordinates rounded to 3 decimals below SOQL_STAFF */
    /* resolved against the table */
    int ci, ci2;
};

/* ------------------------------------------------------------------------ */
/* The prepared query                                                       */
/* ------------------------------------------------------------------------ */

#define SOQL_MAX_OUT  64
#define SOQL_MAX_KEYS 8

/* An output column. */
struct soql__out {
    char name[128];
    int type;
    struct soql__node *e; /* the expression */
    int agg;              /* index into q->aggs, or -1 */
    int key;              /* index into q->keys, or -1 */
    int hidden;           /* computed for $order only */
};

/* An aggregate to compute. */
struct soql__agg {
    int func;             /* F_COUNT ... F_MAX */
    struct soql__node *e; /* the call */
    int col;              /* argument's public column, -1 for count(*) */
};

/* An $order term, resolved to an output column (grouped queries) or an
 * expression evaluated per row (row queries). */
struct soql__order {
    struct soql__node *e;
    int out; /* grouped: output column index */
    int desc;
};

struct soql_query {
    const struct soql_dataset *ds;
    const struct colstore_table *t;
    struct soql_limits lim;
    int access;
    struct soql__arena arena;
    struct soql__pcol *cols; /* the dataset's public columns (all, with min_access) */
    size_t ncols;
    int ci_time;              /* the table's sort column (time), or -1 */
    int time_pcol;            /* the public column reading it, or -1 */
    struct soql__node *where; /* $where AND the simple filters, or NULL */
    struct soql__out out[SOQL_MAX_OUT];
    size_t nout;
    size_t nvisible;
    int grouped; /* aggregates or $group */
    struct soql__node *keys[SOQL_MAX_KEYS];
    size_t nkeys;
    struct soql__agg aggs[SOQL_MAX_OUT];
    size_t naggs;
    struct soql__order order[SOQL_MAX_KEYS];
    size_t norder;
    uint64_t limit, offset;
    char *fields_hdr, *types_hdr;
    uint64_t scanned;
};

/* Execution (soql_exec.c). */
int soql__execute(struct soql_query *q, enum soql_format f, struct strbuf *out,
                  struct soql_error *e);
/* The public columns of a dataset for a table (soql.c); NULL with e. */
struct soql__pcol *soql__schema(const struct soql_dataset *ds, const struct colstore_table *t,
                                size_t *n, struct soql__arena *a, struct soql_error *e);
/* Reads a floating timestamp literal: 0 and *t (seconds), *ms; -1 if not one. */
int soql__parse_ts(const char *s, size_t len, int64_t *t, int *ms);

#endif
