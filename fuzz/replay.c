/*
 * replay.c - runs LLVMFuzzerTestOneInput on every file in the directories (or
 * files) named on the command line, for builds without libFuzzer; meson test
 * runs it over the checked-in corpus. Exits 1 when an argument cannot be read;
 * a failing input aborts inside the target.
 */
#include "core/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;

    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            buf = cscc_xrealloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        fclose(f);
        cscc_free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    cscc_free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long files = 0;
    int i, status = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *d;
        struct dirent *e;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot stat %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) != 0)
                status = 1;
            else
                files++;
            continue;
        }
        d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "replay: cannot open %s: %s\n", argv[i], strerror(errno));
            status = 1;
            continue;
        }
        while ((e = readdir(d))) {
            char path[4096];

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            if (run_file(path) != 0)
                status = 1;
            else
                files++;
        }
        closedir(d);
    }
    printf("replayed %lu inputs\n", files);
    if (files == 0)
        status = 1;
    return status;
}
