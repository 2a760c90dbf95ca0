/* alloc.c - allocation wrappers: abort-on-OOM and try variants. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long fail_countdown;

static void oom(size_t size)
{
    fprintf(stderr, "cscc: fatal: out of memory allocating %zu bytes\n", size);
    abort();
}

static int hook_fires(void)
{
    if (fail_countdown == 0)
        return 0;
    return --fail_countdown == 0;
}

void cscc_alloc_fail_after(unsigned long n)
{
    fail_countdown = n;
}

void *cscc_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        oom(size);
    return p;
}

void *cscc_xcalloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *cscc_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);

    if (!q)
        oom(size);
    return q;
}

char *cscc_xstrndup(const char *s, size_t n)
{
    char *d = cscc_xmalloc(n + 1);

    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cscc_xstrdup(const char *s)
{
    return cscc_xstrndup(s, strlen(s));
}

void *cscc_trymalloc(size_t size)
{
    if (hook_fires())
        return NULL;
    return malloc(size ? size : 1);
}

void *cscc_trycalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    if (hook_fires())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *cscc_tryrealloc(void *p, size_t size)
{
    if (hook_fires())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *cscc_tryreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return cscc_tryrealloc(p, n * size);
}

void cscc_free(void *p)
{
    free(p);
}
