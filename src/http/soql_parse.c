/* soql_parse.c - the lexer and recursive-descent parser of the SoQL subset:
 * expressions ($where), and the lists of $select, $group and $order.
 *
 * Keywords and function names are case-insensitive, as in Socrata; column
 * names are lowercased (the portal's field names are). A string literal is
 * 'text' with '' for a quote. Every error names the parameter, the 1-based
 * position in it and what was expected there.
 */
#include "http/soql_int.h"

#include "core/alloc.h"
#include "core/strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------------ */
/* Arena and errors                                                         */
/* ------------------------------------------------------------------------ */

#define ARENA_BLOCK 16384

void *soql__alloc(struct soql__arena *a, size_t size)
{
    void *p;

    size = (size + 15) & ~(size_t)15;
    if (a->failed)
        return NULL;
    if (!a->blk || a->used + size > a->cap) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        char *b = cscc_trycalloc(1, cap);

        if (!b || (a->nblocks == a->capblocks &&
                   !(a->blocks = cscc_tryreallocarray(
                         a->blocks, a->capblocks = a->capblocks ? a->capblocks * 2 : 16,
                         sizeof(*a->blocks))))) {
            cscc_free(b);
            a->failed = 1;
            return NULL;
        }
        a->blocks[a->nblocks++] = b;
        a->blk = b;
        a->used = 0;
        a->cap = cap;
    }
    p = a->blk + a->used;
    a->used += size;
    return p;
}

void soql__arena_release(struct soql__arena *a)
{
    size_t i;

    for (i = 0; i < a->nblocks; i++)
        cscc_free(a->blocks[i]);
    cscc_free(a->blocks);
    memset(a, 0, sizeof(*a));
}

void soql__seterr(struct soql_error *e, int status, const char *code, const char *param,
                  size_t position, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return;
    e->status = status;
    snprintf(e->code, sizeof(e->code), "%s", code);
    snprintf(e->param, sizeof(e->param), "%s", param ? param : "");
    e->position = position;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Lexer                                                                    */
/* ------------------------------------------------------------------------ */

enum tok {
    T_END = 0,
    T_IDENT,  /* name or `quoted name` */
    T_STRING, /* 'text' */
    T_NUMBER,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_STAR,
    T_OP,     /* = != <> < <= > >= */
    T_ARITH,  /* + - / % || : arithmetic, not in the subset */
    T_SYSTEM, /* :id, :created_at */
    T_BAD,    /* a character outside the language: one UTF-8 character, or one byte */
    T_OPEN,   /* 'text or `name not closed before the end */
};

struct token {
    int kind;
    size_t pos, len; /* in the source; pos 0-based */
    int op;
    int quoted; /* `ident` */
};

static void skip_space(struct soql__parser *p)
{
    while (p->pos < p->len && isspace((unsigned char)p->src[p->pos]))
        p->pos++;
}

/* Reads the next token without consuming it. */
static struct token peek(struct soql__parser *p)
{
    struct token t;
    const char *s;
    size_t i;
    unsigned char c;

    skip_space(p);
    memset(&t, 0, sizeof(t));
    t.pos = p->pos;
    if (p->pos >= p->len)
        return t;
    s = p->src;
    i = p->pos;
    c = (unsigned char)s[i];
    if (isalpha(c) || c == '_') {
        while (i < p->len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        t.kind = T_IDENT;
    } else if (c == '`') {
        i++;
        while (i < p->len && s[i] != '`')
            i++;
        t.kind = i < p->len ? T_IDENT : T_OPEN;
        t.quoted = 1;
        if (i < p->len)
            i++;
    } else if (c == '\'') {
        i++;
        for (;;) {
            if (i >= p->len) {
                t.kind = T_OPEN;
                break;
            }
            if (s[i] == '\'') {
                if (i + 1 < p->len && s[i + 1] == '\'') {
                    i += 2;
                    continue;
                }
                i++;
                t.kind = T_STRING;
                break;
            }
            i++;
        }
    } else if (isdigit(c) || (c == '.' && i + 1 < p->len && isdigit((unsigned char)s[i + 1]))) {
        while (i < p->len && isdigit((unsigned char)s[i]))
            i++;
        if (i < p->len && s[i] == '.') {
            i++;
            while (i < p->len && isdigit((unsigned char)s[i]))
                i++;
        }
        if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
            size_t j = i + 1;

            if (j < p->len && (s[j] == '+' || s[j] == '-'))
                j++;
            if (j < p->len && isdigit((unsigned char)s[j])) {
                i = j;
                while (i < p->len && isdigit((unsigned char)s[i]))
                    i++;
            }
        }
        t.kind = T_NUMBER;
    } else if (c == ':') {
        i++;
        while (i < p->len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '@'))
            i++;
        t.kind = T_SYSTEM;
    } else if (c >= 0x80) {
        /* A whole UTF-8 character, so that messages quote it whole. */
        size_t k = strbuf_utf8_len(s + i, p->len - i);

        i += k ? k : 1;
        t.kind = T_BAD;
    } else {
        i++;
        switch (c) {
        case '(': t.kind = T_LPAREN; break;
        case ')': t.kind = T_RPAREN; break;
        case ',': t.kind = T_COMMA; break;
        case '*': t.kind = T_STAR; break;
        case '=':
            t.kind = T_OP;
            t.op = OP_EQ;
            if (i < p->len && s[i] == '=') /* "==" is accepted as "=" */
                i++;
            break;
        case '!':
            if (i < p->len && s[i] == '=') {
                i++;
                t.kind = T_OP;
                t.op = OP_NE;
            } else {
                t.kind = T_BAD;
            }
            break;
        case '<':
            t.kind = T_OP;
            t.op = OP_LT;
            if (i < p->len && s[i] == '=') {
                i++;
                t.op = OP_LE;
            } else if (i < p->len && s[i] == '>') {
                i++;
                t.op = OP_NE;
            }
            break;
        case '>':
            t.kind = T_OP;
            t.op = OP_GT;
            if (i < p->len && s[i] == '=') {
                i++;
                t.op = OP_GE;
            }
            break;
        case '+':
        case '-':
        case '/':
        case '%': t.kind = T_ARITH; break;
        case '|':
            t.kind = i < p->len && s[i] == '|' ? T_ARITH : T_BAD;
            if (t.kind == T_ARITH)
                i++;
            break;
        default: t.kind = T_BAD;
        }
    }
    t.len = i - p->pos;
    return t;
}

static void advance(struct soql__parser *p, const struct token *t)
{
    p->pos = t->pos + t->len;
}

/* 1 if t is the keyword kw (case-insensitive, not `quoted`). */
static int is_kw(const struct soql__parser *p, const struct token *t, const char *kw)
{
    return t->kind == T_IDENT && !t->quoted && t->len == strlen(kw) &&
           !strncasecmp(p->src + t->pos, kw, t->len);
}

/* A short description of a token for messages: "'abc'", "'é'", "byte 0xFF",
 * "end of input". At most 40 bytes of the token, cut between characters. */
static void describe(const struct soql__parser *p, const struct token *t, char *buf, size_t cap)
{
    const char *s = p->src + t->pos;
    size_t n = 0, k;

    if (t->kind == T_END) {
        snprintf(buf, cap, "end of input");
        return;
    }
    if (t->kind == T_BAD && !strbuf_utf8_len(s, t->len)) {
        snprintf(buf, cap, "byte 0x%02X, which is not UTF-8", (unsigned char)s[0]);
        return;
    }
    /* A byte that is not UTF-8 counts as one; the error body shows it as \xFF. */
    while (n < t->len) {
        if (!(k = strbuf_utf8_len(s + n, t->len - n)))
            k = 1;
        if (n + k > 40)
            break;
        n += k;
    }
    snprintf(buf, cap, "'%.*s'", (int)n, s);
}

static int syntax(struct soql__parser *p, const struct token *t, const char *expected)
{
    char got[64];

    if (t->kind == T_OPEN) {
        soql__seterr(p->e, 400, "query.compiler.malformed", p->param, t->pos + 1,
                     "%s: syntax error at position %zu: the %s starting there is not closed "
                     "with a %s",
                     p->param, t->pos + 1, t->quoted ? "name" : "text",
                     t->quoted ? "backquote (`)" : "quote (')");
        return -1;
    }
    describe(p, t, got, sizeof(got));
    soql__seterr(p->e, 400, "query.compiler.malformed", p->param, t->pos + 1,
                 "%s: syntax error at position %zu: expected %s, found %s", p->param, t->pos + 1,
                 expected, got);
    return -1;
}

static int oom(struct soql__parser *p)
{
    soql__seterr(p->e, 507, "query.execution.out-of-memory", p->param, 0,
                 "%s: out of memory while parsing", p->param);
    return -1;
}

static struct soql__node *new_node(struct soql__parser *p, int kind, const struct token *t)
{
    struct soql__node *n = soql__alloc(p->arena, sizeof(*n));

    if (!n)
        return NULL;
    n->kind = kind;
    n->pos = t->pos + 1;
    n->end = t->pos + t->len + 1;
    n->col = -1;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Expressions                                                              */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int func;
} funcs[] = {
    {"count", F_COUNT},
    {"sum", F_SUM},
    {"avg", F_AVG},
    {"min", F_MIN},
    {"max", F_MAX},
    {"date_trunc_y", F_DT_Y},
    {"date_trunc_ym", F_DT_YM},
    {"date_trunc_ymd", F_DT_YMD},
    {"within_circle", F_WITHIN_CIRCLE},
    {"within_box", F_WITHIN_BOX},
};

static const char *const reserved[] = {"and",  "or",     "not",   "in",    "between", "is",
                                       "null", "like",   "true",  "false", "as",      "asc",
                                       "desc", "select", "where", "group", "order",   "limit"};

static int is_reserved(const struct soql__parser *p, const struct token *t)
{
    size_t i;

    for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (is_kw(p, t, reserved[i]))
            return 1;
    return 0;
}

static int parse_or(struct soql__parser *p, struct soql__node **out);

static int enter(struct soql__parser *p, const struct token *t)
{
    if (++p->depth > p->lim->max_depth) {
        soql__seterr(p->e, 400, "query.compiler.malformed", p->param, t->pos + 1,
                     "%s: the expression is nested more than %zu deep (at position %zu)", p->param,
                     p->lim->max_depth, t->pos + 1);
        return -1;
    }
    return 0;
}

/* Copies an identifier, lowercased (quoted: without the backquotes). */
static int ident_text(struct soql__parser *p, const struct token *t, struct soql__node *n)
{
    size_t off = t->quoted ? 1 : 0, len = t->len - 2 * off, i;
    char *s = soql__alloc(p->arena, len + 1);

    if (!s)
        return oom(p);
    for (i = 0; i < len; i++)
        s[i] = (char)tolower((unsigned char)p->src[t->pos + off + i]);
    s[len] = '\0';
    n->s = s;
    n->len = len;
    return 0;
}

static int parse_args(struct soql__parser *p, struct soql__node *n, int allow_star, size_t max,
                      const char *what)
{
    struct soql__node *tmp[1024];
    struct token t = peek(p);
    size_t cap = max < 1024 ? max : 1024;

    n->nargs = 0;
    if (t.kind == T_RPAREN) {
        advance(p, &t);
        return 0;
    }
    for (;;) {
        struct soql__node *a;

        t = peek(p);
        if (t.kind == T_STAR && allow_star) {
            advance(p, &t);
            if (!(a = new_node(p, N_STAR, &t)))
                return oom(p);
        } else if (parse_or(p, &a)) {
            return -1;
        }
        if (n->nargs == cap) {
            soql__seterr(p->e, 400, "query.compiler.malformed", p->param, a->pos,
                         "%s: %s has more than %zu values (at position %zu)", p->param, what, max,
                         a->pos);
            return -1;
        }
        tmp[n->nargs++] = a;
        t = peek(p);
        if (t.kind == T_COMMA) {
            advance(p, &t);
            continue;
        }
        if (t.kind == T_RPAREN) {
            advance(p, &t);
            break;
        }
        return syntax(p, &t, "',' or ')'");
    }
    if (!(n->args = soql__alloc(p->arena, n->nargs * sizeof(*n->args))))
        return oom(p);
    memcpy(n->args, tmp, n->nargs * sizeof(*n->args));
    return 0;
}

static int parse_primary(struct soql__parser *p, struct soql__node **out)
{
    struct token t = peek(p);
    struct soql__node *n = NULL;

    switch (t.kind) {
    case T_NUMBER: {
        char buf[64];

        advance(p, &t);
        if (!(n = new_node(p, N_NUM, &t)))
            return oom(p);
        if (t.len >= sizeof(buf))
            return syntax(p, &t, "a number of at most 63 characters");
        memcpy(buf, p->src + t.pos, t.len);
        buf[t.len] = '\0';
        n->num = strtod(buf, NULL);
        break;
    }
    case T_STRING: {
        size_t i, o = 0;
        char *s;

        advance(p, &t);
        if (!(n = new_node(p, N_STR, &t)) || !(s = soql__alloc(p->arena, t.len)))
            return oom(p);
        for (i = t.pos + 1; i < t.pos + t.len - 1; i++) {
            s[o++] = p->src[i];
            if (p->src[i] == '\'')
                i++; /* '' stands for one quote */
        }
        s[o] = '\0';
        n->s = s;
        n->len = o;
        break;
    }
    case T_LPAREN:
        advance(p, &t);
        if (enter(p, &t) || parse_or(p, &n))
            return -1;
        p->depth--;
        t = peek(p);
        if (t.kind != T_RPAREN)
            return syntax(p, &t, "')'");
        advance(p, &t);
        break;
    case T_IDENT: {
        struct token nx;

        if (is_kw(p, &t, "true") || is_kw(p, &t, "false")) {
            advance(p, &t);
            if (!(n = new_node(p, N_BOOL, &t)))
                return oom(p);
            n->num = is_kw(p, &t, "true");
            break;
        }
        if (is_kw(p, &t, "null")) {
            advance(p, &t);
            if (!(n = new_node(p, N_NULL, &t)))
                return oom(p);
            break;
        }
        if (is_reserved(p, &t))
            return syntax(p, &t, "a column, a value or a function");
        advance(p, &t);
        nx = peek(p);
        if (nx.kind == T_LPAREN && !t.quoted) {
            size_t i;
            int f = F_NONE;

            for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
                if (t.len == strlen(funcs[i].name) &&
                    !strncasecmp(p->src + t.pos, funcs[i].name, t.len))
                    f = funcs[i].func;
            if (f == F_NONE) {
                soql__seterr(p->e, 400, "query.soql.no-such-function", p->param, t.pos + 1,
                             "%s: no such function '%.*s' at position %zu (the subset has count, "
                             "sum, avg, min, max, date_trunc_y, date_trunc_ym, date_trunc_ymd, "
                             "within_circle, within_box)",
                             p->param, (int)(t.len > 40 ? 40 : t.len), p->src + t.pos, t.pos + 1);
                return -1;
            }
            advance(p, &nx);
            if (!(n = new_node(p, N_CALL, &t)) || ident_text(p, &t, n))
                return oom(p);
            n->func = f;
            if (enter(p, &t) || parse_args(p, n, f == F_COUNT, 8, "a function call"))
                return -1;
            p->depth--;
            n->end = p->pos + 1;
            break;
        }
        if (!(n = new_node(p, N_IDENT, &t)) || ident_text(p, &t, n))
            return oom(p);
        if (!n->len)
            return syntax(p, &t, "a column name between the backquotes");
        break;
    }
    case T_SYSTEM:
        soql__seterr(p->e, 400, "query.soql.no-such-column", p->param, t.pos + 1,
                     "%s: system field '%.*s' at position %zu is not published here; use the "
                     "dataset's own columns",
                     p->param, (int)(t.len > 40 ? 40 : t.len), p->src + t.pos, t.pos + 1);
        return -1;
    case T_ARITH:
        if (p->src[t.pos] == '-' || p->src[t.pos] == '+') {
            /* a signed number */
            struct token nt;
            int minus = p->src[t.pos] == '-';

            advance(p, &t);
            nt = peek(p);
            if (nt.kind != T_NUMBER || nt.pos != t.pos + 1)
                return syntax(p, &nt, "a number after the sign");
            if (parse_primary(p, &n))
                return -1;
            if (minus)
                n->num = -n->num;
            n->pos = t.pos + 1;
            break;
        }
        return syntax(p, &t, "a column, a value or a function");
    default: return syntax(p, &t, "a column, a value or a function");
    }
    *out = n;
    return 0;
}

static int no_arith(struct soql__parser *p)
{
    struct token t = peek(p);

    if (t.kind == T_ARITH || t.kind == T_STAR) {
        soql__seterr(p->e, 400, "query.compiler.malformed", p->param, t.pos + 1,
                     "%s: arithmetic ('%.*s' at position %zu) is not part of the supported "
                     "subset",
                     p->param, (int)t.len, p->src + t.pos, t.pos + 1);
        return -1;
    }
    return 0;
}

/* A value that is not followed by arithmetic (outside the subset). */
static int parse_operand(struct soql__parser *p, struct soql__node **out)
{
    return parse_primary(p, out) || no_arith(p) ? -1 : 0;
}

/* value [op value | [NOT] IN (...) | [NOT] BETWEEN a AND b | IS [NOT] NULL | [NOT] LIKE v] */
static int parse_pred(struct soql__parser *p, struct soql__node **out)
{
    struct soql__node *a, *n;
    struct token t, t2;
    int neg = 0, kind;

    if (parse_operand(p, &a))
        return -1;
    t = peek(p);
    if (is_kw(p, &t, "not")) {
        advance(p, &t);
        t = peek(p);
        if (!is_kw(p, &t, "in") && !is_kw(p, &t, "between") && !is_kw(p, &t, "like"))
            return syntax(p, &t, "IN, BETWEEN or LIKE after NOT");
        neg = 1;
    }
    if (t.kind == T_OP)
        kind = N_CMP;
    else if (is_kw(p, &t, "is"))
        kind = N_ISNULL;
    else if (is_kw(p, &t, "in"))
        kind = N_IN;
    else if (is_kw(p, &t, "between"))
        kind = N_BETWEEN;
    else if (is_kw(p, &t, "like"))
        kind = N_LIKE;
    else {
        *out = a;
        return 0;
    }
    advance(p, &t);
    if (!(n = new_node(p, kind, &t)))
        return oom(p);
    if (kind == N_CMP)
        n->op = t.op;
    n->neg = neg;
    n->a = a;
    n->pos = a->pos;
    switch (kind) {
    case N_ISNULL:
        t2 = peek(p);
        if (is_kw(p, &t2, "not")) {
            n->neg = 1;
            advance(p, &t2);
            t2 = peek(p);
        }
        if (!is_kw(p, &t2, "null"))
            return syntax(p, &t2, n->neg ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
        advance(p, &t2);
        n->end = t2.pos + t2.len + 1;
        break;
    case N_IN:
        t2 = peek(p);
        if (t2.kind != T_LPAREN)
            return syntax(p, &t2, "'(' after IN");
        advance(p, &t2);
        if (enter(p, &t) || parse_args(p, n, 0, p->lim->max_in, "an IN list"))
            return -1;
        p->depth--;
        if (!n->nargs)
            return syntax(p, &t2, "at least one value in IN (...)");
        n->end = p->pos + 1;
        break;
    case N_BETWEEN:
        if (parse_operand(p, &n->b))
            return -1;
        t2 = peek(p);
        if (!is_kw(p, &t2, "and"))
            return syntax(p, &t2, "AND between the bounds of BETWEEN");
        advance(p, &t2);
        if (parse_operand(p, &n->c))
            return -1;
        n->end = n->c->end;
        break;
    default: /* N_CMP, N_LIKE: one more value */
        if (parse_operand(p, &n->b))
            return -1;
        n->end = n->b->end;
    }
    *out = n;
    return 0;
}

static int parse_not(struct soql__parser *p, struct soql__node **out)
{
    struct token t = peek(p);

    if (is_kw(p, &t, "not")) {
        struct soql__node *n;

        advance(p, &t);
        if (!(n = new_node(p, N_NOT, &t)))
            return oom(p);
        if (enter(p, &t) || parse_not(p, &n->a))
            return -1;
        p->depth--;
        n->end = n->a->end;
        *out = n;
        return 0;
    }
    return parse_pred(p, out);
}

static int parse_binary(struct soql__parser *p, struct soql__node **out, int or)
{
    struct soql__node *l;

    if (or ? parse_binary(p, &l, 0) : parse_not(p, &l))
        return -1;
    for (;;) {
        struct token t = peek(p);
        struct soql__node *n;

        if (!is_kw(p, &t, or ? "or" : "and"))
            break;
        advance(p, &t);
        if (!(n = new_node(p, or ? N_OR : N_AND, &t)))
            return oom(p);
        n->a = l;
        if (or ? parse_binary(p, &n->b, 0) : parse_not(p, &n->b))
            return -1;
        n->pos = l->pos;
        n->end = n->b->end;
        l = n;
    }
    *out = l;
    return 0;
}

static int parse_or(struct soql__parser *p, struct soql__node **out)
{
    size_t depth = p->depth;
    int rc = parse_binary(p, out, 1);

    p->depth = depth;
    return rc;
}

int soql__parse_expr(struct soql__parser *p, struct soql__node **out)
{
    struct token t;

    p->pos = 0;
    p->depth = 0;
    t = peek(p);
    if (t.kind == T_END)
        return syntax(p, &t, "an expression");
    if (parse_or(p, out))
        return -1;
    t = peek(p);
    if (t.kind != T_END)
        return syntax(p, &t, "AND, OR or the end of the expression");
    return 0;
}

/* ------------------------------------------------------------------------ */
/* $select, $group and $order lists                                         */
/* ------------------------------------------------------------------------ */

int soql__parse_list(struct soql__parser *p, int select, int order, struct soql__item **items,
                     size_t *n)
{
    size_t cap = select ? p->lim->max_items : p->lim->max_items < 8 ? p->lim->max_items : 8;
    struct soql__item *it;
    struct token t;

    p->pos = 0;
    p->depth = 0;
    *n = 0;
    if (!(it = soql__alloc(p->arena, (cap + 1) * sizeof(*it))))
        return oom(p);
    *items = it;
    t = peek(p);
    if (t.kind == T_END)
        return syntax(p, &t,
                      select  ? "a column or an expression to select"
                      : order ? "a column to order by"
                              : "a column to group by");
    for (;;) {
        struct soql__item *x;

        t = peek(p);
        if (*n == cap) {
            soql__seterr(p->e, 400, "query.compiler.malformed", p->param, t.pos + 1,
                         "%s: more than %zu terms (at position %zu)", p->param, cap, t.pos + 1);
            return -1;
        }
        x = &it[(*n)++];
        memset(x, 0, sizeof(*x));
        if (select && t.kind == T_STAR) {
            advance(p, &t);
            x->star = 1;
        } else {
            if (parse_or(p, &x->e))
                return -1;
            if (no_arith(p))
                return -1;
        }
        t = peek(p);
        if (select && !x->star && is_kw(p, &t, "as")) {
            struct soql__node tmp;

            advance(p, &t);
            t = peek(p);
            if (t.kind != T_IDENT || is_reserved(p, &t))
                return syntax(p, &t, "a name after AS");
            advance(p, &t);
            memset(&tmp, 0, sizeof(tmp));
            if (ident_text(p, &t, &tmp))
                return -1;
            if (!tmp.len)
                return syntax(p, &t, "a name between the backquotes");
            x->alias = tmp.s;
            t = peek(p);
        }
        if (order && (is_kw(p, &t, "asc") || is_kw(p, &t, "desc"))) {
            x->desc = is_kw(p, &t, "desc");
            advance(p, &t);
            t = peek(p);
        }
        if (t.kind == T_COMMA) {
            advance(p, &t);
            continue;
        }
        if (t.kind == T_END)
            return 0;
        return syntax(p, &t,
                      select  ? "',', AS or the end of $select"
                      : order ? "',', ASC, DESC or the end of $order"
                              : "',' or the end of $group");
    }
}
