/* main.c - the cscc-test runner: registered cases, filtered by suite and name. */
#include "test.h"

#include "core/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TEST_SOURCE_DIR
#error "TEST_SOURCE_DIR must be defined by the build"
#endif

struct test_case {
    const char *suite;
    const char *name;
    void (*fn)(void);
};

static struct test_case *cases;
static size_t ncases, capcases;
static int case_failed;
static char tmpdir[4096];

void test_register(const char *suite, const char *name, void (*fn)(void))
{
    if (ncases == capcases) {
        capcases = capcases ? capcases * 2 : 64;
        cases = cscc_xrealloc(cases, capcases * sizeof(*cases));
    }
    cases[ncases].suite = suite;
    cases[ncases].name = name;
    cases[ncases].fn = fn;
    ncases++;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    case_failed = 1;
}

void test_note(const char *fmt, ...)
{
    va_list ap;

    fputs("    note: ", stdout);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;

    if (!d) {
        unlink(path);
        return;
    }
    while ((e = readdir(d))) {
        char sub[4096];
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            rm_rf(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/cscc-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "cscc-test: cannot create a temporary directory: %s\n",
                    strerror(errno));
            exit(2);
        }
    }
    return tmpdir;
}

const char *test_data(const char *rel)
{
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];

    snprintf(b, sizeof(buf[0]), "%s/tests/data/%s", TEST_SOURCE_DIR, rel);
    return b;
}

const char *test_shared(const char *rel)
{
    static char buf[8][4096];
    static int next;
    char *b = buf[next++ % 8];
    const char *root = getenv("CSCC_SHARED_DATA");

    if (root)
        snprintf(b, sizeof(buf[0]), "%s/%s", root, rel);
    else
        snprintf(b, sizeof(buf[0]), "%s/../shared/data/%s", TEST_SOURCE_DIR, rel);
    return access(b, R_OK) == 0 ? b : NULL;
}

int main(int argc, char **argv)
{
    const char *suite = argc > 1 ? argv[1] : NULL;
    const char *only = argc > 2 ? argv[2] : NULL;
    size_t i, passed = 0, failed = 0;

    if (suite && !strcmp(suite, "--list")) {
        for (i = 0; i < ncases; i++)
            printf("%s %s\n", cases[i].suite, cases[i].name);
        return 0;
    }
    for (i = 0; i < ncases; i++) {
        struct test_case *c = &cases[i];

        if (suite && strcmp(suite, c->suite))
            continue;
        if (only && strcmp(only, c->name))
            continue;
        case_failed = 0;
        tmpdir[0] = '\0';
        printf("  %s.%s ...\n", c->suite, c->name);
        fflush(stdout);
        c->fn();
        if (tmpdir[0])
            rm_rf(tmpdir);
        printf("  %s %s.%s\n", case_failed ? "FAIL" : "ok  ", c->suite, c->name);
        if (case_failed)
            failed++;
        else
            passed++;
    }
    if (!passed && !failed) {
        fprintf(stderr, "cscc-test: no test case matches '%s%s%s'\n", suite ? suite : "",
                only ? " " : "", only ? only : "");
        return 2;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
