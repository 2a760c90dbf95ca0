/* alloc.c - allocation wrappers: abort-on-OOM and try variants. */
#include "core/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

/* Below this, plain malloc is as good. */
#define BIG_MIN ((size_t)4 << 20)

static size_t big_round(size_t size)
{
    return (size + 4095) & ~(size_t)4095;
}

void *cscc_big_alloc(size_t size)
{
    void *p;

    if (hook_fires())
        return NULL;
    if (size < BIG_MIN)
        return calloc(1, size ? size : 1);
    p = mmap(NULL, big_round(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, big_round(size), MADV_HUGEPAGE);
    return p;
}

void *cscc_big_realloc(void *p, size_t old_size, size_t new_size)
{
    void *q;

    if (!p)
        return cscc_big_alloc(new_size);
    if (old_size < BIG_MIN) {
        if (new_size < BIG_MIN) {
            if (hook_fires())
                return NULL;
            q = realloc(p, new_size ? new_size : 1);
            if (q && new_size > old_size)
                memset((char *)q + old_size, 0, new_size - old_size);
            return q;
        }
        q = cscc_big_alloc(new_size);
        if (!q)
            return NULL;
        memcpy(q, p, old_size < new_size ? old_size : new_size);
        free(p);
        return q;
    }
    if (new_size <= old_size)
        return p; /* never shrinks */
    if (hook_fires())
        return NULL;
    q = mremap(p, big_round(old_size), big_round(new_size), MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        return NULL;
    if (new_size > old_size)
        madvise(q, big_round(new_size), MADV_HUGEPAGE);
    return q;
}

void cscc_big_free(void *p, size_t size)
{
    if (!p)
        return;
    if (size < BIG_MIN)
        free(p);
    else
        munmap(p, big_round(size));
}
