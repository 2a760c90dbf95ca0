/* privacy.c - primary and complementary suppression of a table of counts
 * with its margins (the rule is in privacy.h). */
#include "access/privacy.h"

#include "core/alloc.h"

#include <string.h>

struct table {
    size_t R, C;       /* extended: rows + 1, columns + 1 */
    const uint64_t *v; /* R * C values */
    uint8_t *s;        /* R * C flags */
};

/* 1 when entry x is a better complement than entry y (-1: none yet):
 * non-zero before zero, then smaller, then earlier. */
static int better(const struct table *t, size_t x, long long y)
{
    uint64_t a = t->v[x], b;

    if (y < 0)
        return 1;
    b = t->v[y];
    if ((a == 0) != (b == 0))
        return a != 0;
    return a < b;
}

/* Rule 2 over every line once; 1 when something was suppressed. */
static int lines(struct table *t)
{
    size_t i, j, R = t->R, C = t->C;
    int changed = 0;

    for (i = 0; i < R; i++) {
        size_t n = 0;
        long long best = -1;

        for (j = 0; j < C; j++)
            n += t->s[i * C + j];
        if (n != 1)
            continue;
        for (j = 0; j < C; j++)
            if (!t->s[i * C + j] && better(t, i * C + j, best))
                best = (long long)(i * C + j);
        if (best >= 0) {
            t->s[best] = 1;
            changed = 1;
        }
    }
    for (j = 0; j < C; j++) {
        size_t n = 0;
        long long best = -1;

        for (i = 0; i < R; i++)
            n += t->s[i * C + j];
        if (n != 1)
            continue;
        for (i = 0; i < R; i++)
            if (!t->s[i * C + j] && better(t, i * C + j, best))
                best = (long long)(i * C + j);
        if (best >= 0) {
            t->s[best] = 1;
            changed = 1;
        }
    }
    return changed;
}

/*
 * The graph of suppressed entries: nodes 0..R-1 are rows, R..R+C-1
 * columns; entry (i, j) joins i and R + j. Adjacency in CSR form; each
 * adjacency holds the neighbour and the entry's index (the edge's name).
 */
struct graph {
    size_t n;
    size_t *start; /* n + 1 */
    size_t *nbr, *edge;
    /* DFS state */
    size_t *disc, *low, *it, *pedge, *stack;
    uint8_t *mark;
};

static void graph_build(struct graph *g, const struct table *t)
{
    size_t i, j, e = 0, R = t->R, C = t->C, *fill;

    g->n = R + C;
    memset(g->start, 0, (g->n + 1) * sizeof(*g->start));
    for (i = 0; i < R; i++)
        for (j = 0; j < C; j++)
            if (t->s[i * C + j]) {
                g->start[i + 1]++;
                g->start[R + j + 1]++;
                e++;
            }
    for (i = 0; i < g->n; i++)
        g->start[i + 1] += g->start[i];
    fill = g->it; /* scratch */
    memcpy(fill, g->start, g->n * sizeof(*fill));
    for (i = 0; i < R; i++)
        for (j = 0; j < C; j++)
            if (t->s[i * C + j]) {
                size_t k = i * C + j;

                g->nbr[fill[i]] = R + j;
                g->edge[fill[i]++] = k;
                g->nbr[fill[R + j]] = i;
                g->edge[fill[R + j]++] = k;
            }
}

#define NONE ((size_t)-1)

/* Finds a bridge (Tarjan, iterative): its entry index, or NONE. */
static size_t find_bridge(struct graph *g)
{
    size_t time = 1, root, sp;

    memset(g->disc, 0, g->n * sizeof(*g->disc));
    for (root = 0; root < g->n; root++) {
        if (g->disc[root])
            continue;
        sp = 0;
        g->stack[sp++] = root;
        g->disc[root] = g->low[root] = time++;
        g->it[root] = g->start[root];
        g->pedge[root] = NONE;
        while (sp) {
            size_t u = g->stack[sp - 1];

            if (g->it[u] < g->start[u + 1]) {
                size_t k = g->it[u]++, w = g->nbr[k];

                if (g->edge[k] == g->pedge[u])
                    continue;
                if (g->disc[w]) {
                    if (g->disc[w] < g->low[u])
                        g->low[u] = g->disc[w];
                    continue;
                }
                g->disc[w] = g->low[w] = time++;
                g->it[w] = g->start[w];
                g->pedge[w] = g->edge[k];
                g->stack[sp++] = w;
                continue;
            }
            sp--;
            if (sp) {
                size_t p = g->stack[sp - 1];

                if (g->low[u] < g->low[p])
                    g->low[p] = g->low[u];
                if (g->low[u] > g->disc[p])
                    return g->pedge[u];
            }
        }
    }
    return NONE;
}

/* Marks (with m) the nodes reachable from a without using entry skip. */
static void reach(struct graph *g, size_t a, size_t skip, uint8_t m)
{
    size_t sp = 0, k;

    g->stack[sp++] = a;
    g->mark[a] = m;
    while (sp) {
        size_t u = g->stack[--sp];

        for (k = g->start[u]; k < g->start[u + 1]; k++) {
            size_t w = g->nbr[k];

            if (g->edge[k] == skip || g->mark[w])
                continue;
            g->mark[w] = m;
            g->stack[sp++] = w;
        }
    }
}

/* Rule 3: puts one bridge on a cycle; 1 when something was suppressed. */
static int links(struct table *t, struct graph *g)
{
    size_t b, i, j, R = t->R, C = t->C;
    long long best = -1;

    graph_build(g, t);
    if ((b = find_bridge(g)) == NONE)
        return 0;
    memset(g->mark, 0, g->n);
    reach(g, b / C, b, 1);
    reach(g, R + b % C, b, 2);
    for (i = 0; i < R; i++) {
        for (j = 0; j < C; j++) {
            uint8_t mi = g->mark[i], mj = g->mark[R + j];

            if (t->s[i * C + j] || !mi || !mj || mi == mj)
                continue;
            if (better(t, i * C + j, best))
                best = (long long)(i * C + j);
        }
    }
    if (best < 0) { /* cannot happen after rule 2; make progress anyway */
        for (j = 0; j < C; j++)
            if (!t->s[(b / C) * C + j] && better(t, (b / C) * C + j, best))
                best = (long long)((b / C) * C + j);
        if (best < 0)
            return 0;
    }
    t->s[best] = 1;
    return 1;
}

int privacy_suppress(const uint64_t *cells, size_t nrows, size_t ncols, uint64_t lo, uint64_t hi,
                     uint8_t *supp, uint64_t *totals, size_t *nsupp, struct cscc_err *err)
{
    return privacy_suppress_forced(cells, nrows, ncols, lo, hi, NULL, supp, totals, nsupp, err);
}

int privacy_suppress_forced(const uint64_t *cells, size_t nrows, size_t ncols, uint64_t lo,
                            uint64_t hi, const uint8_t *forced, uint8_t *supp, uint64_t *totals,
                            size_t *nsupp, struct cscc_err *err)
{
    struct table t;
    struct graph g;
    uint64_t *v = NULL;
    size_t i, j, n, R, C;
    int rc = 0;

    if (nsupp)
        *nsupp = 0;
    if (!nrows || !ncols || !cells || !supp || lo > hi)
        return cscc_err_set(err, CSCC_EINVAL, "cannot suppress: empty table or bad range");
    if (nrows > PRIVACY_MAX_CELLS || ncols > PRIVACY_MAX_CELLS / nrows)
        return cscc_err_set(err, CSCC_ELIMIT, "cannot suppress: more than %u cells",
                            PRIVACY_MAX_CELLS);
    R = nrows + 1;
    C = ncols + 1;
    n = R * C;
    memset(&g, 0, sizeof(g));
    v = cscc_trycalloc(n, sizeof(*v));
    g.start = cscc_trycalloc(R + C + 1, sizeof(size_t));
    g.nbr = cscc_trycalloc(2 * n, sizeof(size_t));
    g.edge = cscc_trycalloc(2 * n, sizeof(size_t));
    g.disc = cscc_trycalloc(R + C, sizeof(size_t));
    g.low = cscc_trycalloc(R + C, sizeof(size_t));
    g.it = cscc_trycalloc(R + C, sizeof(size_t));
    g.pedge = cscc_trycalloc(R + C, sizeof(size_t));
    g.stack = cscc_trycalloc(R + C, sizeof(size_t));
    g.mark = cscc_trycalloc(R + C, 1);
    if (!v || !g.start || !g.nbr || !g.edge || !g.disc || !g.low || !g.it || !g.pedge || !g.stack ||
        !g.mark) {
        rc = cscc_err_set(err, CSCC_ENOMEM, "cannot suppress: out of memory");
        goto out;
    }
    for (i = 0; i < nrows; i++) {
        for (j = 0; j < ncols; j++) {
            uint64_t x = cells[i * ncols + j];

            v[i * C + j] = x;
            v[i * C + ncols] += x;
            v[nrows * C + j] += x;
            v[nrows * C + ncols] += x;
        }
    }
    memset(supp, 0, n);
    for (i = 0; i < n; i++)
        supp[i] = (v[i] >= lo && v[i] <= hi) || (forced && forced[i]);
    t.R = R;
    t.C = C;
    t.v = v;
    t.s = supp;
    /* Rules 2 and 3 until neither adds anything (each adds one entry at
     * least, so this ends). */
    for (;;) {
        while (lines(&t))
            ;
        if (!links(&t, &g))
            break;
    }
    if (totals)
        memcpy(totals, v, n * sizeof(*v));
    if (nsupp)
        for (i = 0; i < n; i++)
            *nsupp += supp[i];
out:
    cscc_free(v);
    cscc_free(g.start);
    cscc_free(g.nbr);
    cscc_free(g.edge);
    cscc_free(g.disc);
    cscc_free(g.low);
    cscc_free(g.it);
    cscc_free(g.pedge);
    cscc_free(g.stack);
    cscc_free(g.mark);
    return rc;
}
