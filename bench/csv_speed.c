/*
 * csv_speed.c - CSV tokenizer throughput: reads a file with the cscc CSV
 * reader and prints MB/s and the record count.
 *
 *   csv-speed [-t THREADS] [-r REPEAT] [-b BUF_BYTES] [-s avx2|sse2|scalar] FILE
 *
 * With one thread the file is read sequentially with csv_open_file (so gzip
 * works too); with more, a plain file is cut at line starts
 * (csv_find_line_start) into THREADS ranges read in parallel with
 * csv_open_range on one shared fd. Each run touches every field (sums their
 * lengths) so nothing is optimised away; the best of REPEAT runs is printed.
 * Run it twice for warm-cache figures.
 */
#include "core/csv.h"

#include "core/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct job {
    int fd;
    uint64_t start, stop;
    struct csv_opts opts;
    uint64_t records, fields, bytes, errors, end;
    int rc;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds (user + system) of the whole process so far. */
static double cpu_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static void drain(struct csv_reader *r, struct job *j)
{
    struct cscc_err err;
    struct csv_row row;
    int rc;

    while ((rc = csv_next(r, &row, &err)) != 0) {
        size_t i;

        if (rc < 0) {
            if (j->errors++ < 5)
                fprintf(stderr, "csv-speed: row %llu line %llu: %s\n", (unsigned long long)err.row,
                        (unsigned long long)err.line, err.msg);
            if (rc == CSCC_EIO || rc == CSCC_ENOMEM || rc == CSCC_EINTERNAL) {
                j->rc = rc;
                break;
            }
            continue;
        }
        j->records++;
        j->fields += row.nfields;
        for (i = 0; i < row.nfields; i++)
            j->bytes += row.fields[i].len;
    }
    j->end = csv_offset(r);
}

static void *run_range(void *arg)
{
    struct job *j = arg;
    struct cscc_err err;
    struct csv_reader *r = csv_open_range(j->fd, j->start, j->stop, 1, 1, &j->opts, &err);

    if (!r) {
        fprintf(stderr, "csv-speed: %s\n", err.msg);
        j->rc = err.code;
        return NULL;
    }
    drain(r, j);
    csv_close(r);
    return NULL;
}

static long parse_num(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v <= 0) {
        fprintf(stderr, "csv-speed: not a positive number: %s\n", s);
        exit(64);
    }
    return v;
}

int main(int argc, char **argv)
{
    struct csv_opts opts = {0};
    long threads = 1, repeat = 3, t, k;
    const char *path = NULL;
    double best = 1e30, best_cpu = 1e30;
    struct job total = {0};
    struct stat st;
    int i, fd;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-t") && i + 1 < argc)
            threads = parse_num(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            repeat = parse_num(argv[++i]);
        else if (!strcmp(argv[i], "-b") && i + 1 < argc)
            opts.buf_bytes = (size_t)parse_num(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            if (csv_force_scanner(argv[++i]) != 0) {
                fprintf(stderr, "csv-speed: no scanner %s here\n", argv[i]);
                return 64;
            }
        } else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: csv-speed [-t THREADS] [-r REPEAT] [-b BUF_BYTES] "
                            "[-s avx2|sse2|scalar] FILE\n");
            return 64;
        }
    }
    if (!path) {
        fprintf(stderr, "csv-speed: no file\n");
        return 64;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "csv-speed: cannot open %s: %s\n", path, strerror(errno));
        return 66;
    }
    for (k = 0; k < repeat; k++) {
        struct job *jobs = cscc_xcalloc((size_t)threads, sizeof(*jobs));
        uint64_t *cut = cscc_xcalloc((size_t)threads + 1, sizeof(*cut));
        pthread_t *tid = cscc_xcalloc((size_t)threads, sizeof(*tid));
        struct cscc_err err;
        double t0 = now(), c0 = cpu_now(), dt, dc;

        if (threads == 1) {
            struct csv_reader *r = csv_open_file(path, &opts, &err);

            if (!r) {
                fprintf(stderr, "csv-speed: %s\n", err.msg);
                return 66;
            }
            drain(r, &jobs[0]);
            csv_close(r);
        } else {
            cut[0] = 0;
            cut[threads] = (uint64_t)st.st_size;
            for (t = 1; t < threads; t++) {
                uint64_t want = (uint64_t)st.st_size / (uint64_t)threads * (uint64_t)t;

                if (csv_find_line_start(fd, want, (uint64_t)st.st_size, &cut[t], &err) != 0) {
                    fprintf(stderr, "csv-speed: %s\n", err.msg);
                    return 74;
                }
            }
            for (t = 0; t < threads; t++) {
                jobs[t].fd = fd;
                jobs[t].start = cut[t];
                jobs[t].stop = cut[t + 1];
                jobs[t].opts = opts;
                pthread_create(&tid[t], NULL, run_range, &jobs[t]);
            }
            for (t = 0; t < threads; t++)
                pthread_join(tid[t], NULL);
            for (t = 0; t + 1 < threads; t++)
                if (jobs[t].end != cut[t + 1])
                    fprintf(stderr,
                            "csv-speed: range %ld ends at %llu, not at the cut %llu "
                            "(a cut fell inside a quoted field)\n",
                            t, (unsigned long long)jobs[t].end, (unsigned long long)cut[t + 1]);
        }
        dt = now() - t0;
        dc = cpu_now() - c0;
        memset(&total, 0, sizeof(total));
        for (t = 0; t < threads; t++) {
            total.records += jobs[t].records;
            total.fields += jobs[t].fields;
            total.bytes += jobs[t].bytes;
            total.errors += jobs[t].errors;
            if (jobs[t].end > total.end)
                total.end = jobs[t].end;
            if (jobs[t].rc)
                total.rc = jobs[t].rc;
        }
        if (dt < best)
            best = dt;
        if (dc < best_cpu)
            best_cpu = dc;
        cscc_free(jobs);
        cscc_free(cut);
        cscc_free(tid);
        if (total.rc)
            return 74;
    }
    /* Wall time says what a user waits; CPU time (user + system, all threads)
       says what one core does, and is the figure to trust on a busy machine. */
    printf("%s: %.1f MB, %ld thread%s, %s scanner, best of %ld: wall %.3f s = %.0f MB/s; "
           "cpu %.3f s = %.0f MB/s per core\n"
           "%llu records, %llu fields, %llu field bytes, %llu bad records\n",
           path, (double)st.st_size / 1e6, threads, threads == 1 ? "" : "s", csv_scanner_name(),
           repeat, best, (double)st.st_size / 1e6 / best, best_cpu,
           (double)st.st_size / 1e6 / best_cpu, (unsigned long long)total.records,
           (unsigned long long)total.fields, (unsigned long long)total.bytes,
           (unsigned long long)total.errors);
    if (total.end != (uint64_t)st.st_size) /* gzip: MB/s above are of compressed bytes */
        printf("%.1f MB decompressed = %.0f MB/s decompressed\n", (double)total.end / 1e6,
               (double)total.end / 1e6 / best);
    close(fd);
    return 0;
}
