/**
 * alloc.h - the only place that calls malloc, realloc and free.
 *
 * cscc_x* abort the program with a message on out-of-memory: use them for
 * small, fixed-size allocations. cscc_try* return NULL instead: use them for
 * anything sized by input (columns, import buffers, grids), and turn NULL into
 * CSCC_ENOMEM. All are thread-safe. cscc_free(NULL) is a no-op.
 */
#ifndef CSCC_CORE_ALLOC_H
#define CSCC_CORE_ALLOC_H

#include <stddef.h>

void *cscc_xmalloc(size_t size);
/** Checks n * size for overflow (aborts on overflow as on OOM). Zeroed. */
void *cscc_xcalloc(size_t n, size_t size);
void *cscc_xrealloc(void *p, size_t size);
char *cscc_xstrdup(const char *s);
char *cscc_xstrndup(const char *s, size_t n);

/** NULL on failure (or when the failure hook fires). */
void *cscc_trymalloc(size_t size);
/** NULL on failure or when n * size overflows. Zeroed. */
void *cscc_trycalloc(size_t n, size_t size);
/** NULL on failure; p is then left untouched and still owned by the caller. */
void *cscc_tryrealloc(void *p, size_t size);
/** cscc_tryrealloc for arrays: NULL when n * size overflows. */
void *cscc_tryreallocarray(void *p, size_t n, size_t size);

void cscc_free(void *p);

/**
 * Large arrays that grow (the columns of an import). Memory is mapped
 * directly and asked to be backed by 2 MiB pages where the kernel allows:
 * first writes to fresh memory cost far less. Pages are zeroed. The caller
 * keeps the size; blocks only grow (new_size >= old_size). NULL on failure (the old block stays
 * valid on a failed realloc). cscc_big_free(NULL, 0) is a no-op.
 */
void *cscc_big_alloc(size_t size);
void *cscc_big_realloc(void *p, size_t old_size, size_t new_size);
void cscc_big_free(void *p, size_t size);

/**
 * Test hook (curl torture style): make the n-th following cscc_try* call fail
 * (n >= 1); 0 disables. Not thread-safe; for tests only.
 */
void cscc_alloc_fail_after(unsigned long n);

#endif
