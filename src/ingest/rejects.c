/* rejects.c - the rejects file of an import: one CSV line per rejected row,
 * saying where it was and why, with counts by reason. */
#include "ingest/ingest_int.h"

#include "core/alloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct ingest__rejects {
    char path[1024];
    FILE *f;
    int io_errno;
    uint64_t count;
    size_t nreasons;
    struct {
        char reason[96];
        uint64_t count;
    } reasons[INGEST_MAX_REASONS];
    uint64_t other;
    pthread_mutex_t lock;
};

int ingest__reject(struct ingest__reject *rej, const char *reason, const char *column,
                   const struct csv_field *v)
{
    rej->reason = reason;
    rej->column = column;
    if (v) {
        int n = v->len > 60 ? 60 : (int)v->len;

        snprintf(rej->detail, sizeof(rej->detail), "'%.*s'", n, v->p);
    } else {
        rej->detail[0] = '\0';
    }
    return 1;
}

struct ingest__rejects *ingest__rejects_new(const char *path)
{
    struct ingest__rejects *rj = cscc_xcalloc(1, sizeof(*rj));

    snprintf(rj->path, sizeof(rj->path), "%s", path);
    pthread_mutex_init(&rj->lock, NULL);
    return rj;
}

static void put_field(struct strbuf *sb, const char *s, size_t len, int first)
{
    if (!first)
        strbuf_addc(sb, ',');
    csv_write_field(sb, s, len, CSV_NEUTRALIZE);
}

void ingest__rejects_add(struct ingest__rejects *rj, const char *file, uint64_t row, uint64_t line,
                         const char *reason, const char *column, const char *detail,
                         const char *raw, size_t raw_len)
{
    struct strbuf sb;
    char num[32];
    size_t i;

    pthread_mutex_lock(&rj->lock);
    rj->count++;
    for (i = 0; i < rj->nreasons; i++)
        if (!strcmp(rj->reasons[i].reason, reason))
            break;
    if (i < rj->nreasons) {
        rj->reasons[i].count++;
    } else if (rj->nreasons < INGEST_MAX_REASONS) {
        snprintf(rj->reasons[i].reason, sizeof(rj->reasons[i].reason), "%s", reason);
        rj->reasons[i].count = 1;
        rj->nreasons++;
    } else {
        rj->other++;
    }
    if (!rj->f && !rj->io_errno) {
        rj->f = fopen(rj->path, "w");
        if (!rj->f)
            rj->io_errno = errno;
        else
            fputs("file,row,line,reason,column,detail,record\n", rj->f);
    }
    if (rj->f) {
        strbuf_init(&sb, 0);
        put_field(&sb, file, strlen(file), 1);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)row);
        put_field(&sb, num, strlen(num), 0);
        if (line)
            snprintf(num, sizeof(num), "%llu", (unsigned long long)line);
        else
            num[0] = '\0';
        put_field(&sb, num, strlen(num), 0);
        put_field(&sb, reason, strlen(reason), 0);
        put_field(&sb, column ? column : "", column ? strlen(column) : 0, 0);
        put_field(&sb, detail ? detail : "", detail ? strlen(detail) : 0, 0);
        put_field(&sb, raw ? raw : "", raw ? raw_len : 0, 0);
        strbuf_addc(&sb, '\n');
        if (fwrite(sb.buf, 1, sb.len, rj->f) != sb.len && !rj->io_errno)
            rj->io_errno = errno ? errno : EIO;
        strbuf_release(&sb);
    }
    pthread_mutex_unlock(&rj->lock);
}

uint64_t ingest__rejects_count(struct ingest__rejects *rj)
{
    return rj->count;
}

int ingest__rejects_close(struct ingest__rejects *rj, struct ingest_summary *sum,
                          struct cscc_err *err)
{
    size_t i;
    int rc = 0;

    if (!rj)
        return 0;
    if (rj->f && (fflush(rj->f) || fsync(fileno(rj->f))) && !rj->io_errno)
        rj->io_errno = errno;
    if (rj->f && fclose(rj->f) && !rj->io_errno)
        rj->io_errno = errno;
    if (sum) {
        sum->rows_rejected = rj->count;
        sum->nreasons = 0;
        for (i = 0; i < rj->nreasons; i++) {
            snprintf(sum->reasons[i].reason, sizeof(sum->reasons[i].reason), "%s",
                     rj->reasons[i].reason);
            sum->reasons[i].count = rj->reasons[i].count;
            sum->nreasons++;
        }
        if (rj->other && sum->nreasons < INGEST_MAX_REASONS) {
            snprintf(sum->reasons[sum->nreasons].reason, sizeof(sum->reasons[0].reason),
                     "other reasons");
            sum->reasons[sum->nreasons++].count = rj->other;
        }
        if (rj->count)
            snprintf(sum->rejects_file, sizeof(sum->rejects_file), "%s", rj->path);
    }
    if (rj->io_errno)
        rc = cscc_err_errno(err, CSCC_EIO, rj->io_errno, "cannot write the rejects file %s",
                            rj->path);
    pthread_mutex_destroy(&rj->lock);
    cscc_free(rj);
    return rc;
}
