/**
 * test.h - the unit-test harness of cscc-test.
 *
 * A test file defines cases with TEST(suite, name) { ... }; each registers
 * itself before main() runs. `cscc-test SUITE [CASE]` runs one suite (or one
 * case); `cscc-test` runs all. CHECK* macros print file:line and both values
 * on failure, mark the case failed, and go on. The run ends with the line
 * "N passed, N failed" and exits 1 if any case failed.
 */
#ifndef CSCC_TESTS_TEST_H
#define CSCC_TESTS_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void test_register(const char *suite, const char *name, void (*fn)(void));
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** A fresh, empty directory for the running case; removed afterwards. */
const char *test_tmpdir(void);
/** Path of tests/data/<rel> in the source tree (static buffer per call site is not kept). */
const char *test_data(const char *rel);
/** Path of ../shared/data/<rel> if that file exists, else NULL. */
const char *test_shared(const char *rel);
/** Prints a note in the case's output (e.g. why a branch could not run). */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(suite, name)                                                                          \
    static void test_##suite##_##name(void);                                                       \
    __attribute__((constructor)) static void test_reg_##suite##_##name(void)                       \
    {                                                                                              \
        test_register(#suite, #name, test_##suite##_##name);                                       \
    }                                                                                              \
    static void test_##suite##_##name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);                              \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_)                                                                              \
            test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_);               \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                                     \
            test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                    \
                      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                     \
    } while (0)

#define CHECK_MEM_EQ(a, alen, b, blen)                                                             \
    do {                                                                                           \
        size_t al_ = (alen), bl_ = (blen);                                                         \
        if (al_ != bl_ || memcmp((a), (b), al_) != 0)                                              \
            test_fail(__FILE__, __LINE__, "%s == %s: \"%.*s\" != \"%.*s\"", #a, #b, (int)al_,      \
                      (const char *)(a), (int)bl_, (const char *)(b));                             \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (tol)))                                                             \
            test_fail(__FILE__, __LINE__, "%s ~= %s: %.12g != %.12g (tolerance %g)", #a, #b, a_,   \
                      b_, (double)(tol));                                                          \
    } while (0)

#endif
