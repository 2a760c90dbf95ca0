/* uploads.c - POST /api/v1/imports: a City export uploaded by a signed-in
 * analyst or admin, imported in the background with the same code as `cscc
 * import` (ingest_run). The server (server.c) writes the body to a file under
 * DATA/uploads/ as it arrives; this handler records the import in provenance
 * at once (status "running"), so GET /api/v1/imports/{id} follows it from the
 * first answer, and queues it for one worker thread. A finished import is seen
 * by the next request (the tables reload by generation, tables.c); a failed
 * one leaves the table as it was, with its row and column in the message. */
#include "http/http_int.h"

#include "core/alloc.h"
#include "core/csv.h"
#include "core/log.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct http_upload_job {
    struct http_upload_job *next;
    int64_t import_id;
    char dataset[16];
    char path[1200];
    char name[128];
    uint64_t size;
    struct http_identity who; /* the uploader, for the audit record of the end */
};

/* ------------------------------------------------------------------------ */
/* The worker                                                                */
/* ------------------------------------------------------------------------ */

static void run_job(struct http_server *s, struct http_upload_job *j)
{
    const char *files[1] = {j->path};
    struct ingest_opts o;
    struct ingest_summary sum;
    struct cscc_err err;
    struct store *st;
    char object[48], detail[700];
    int rc;

    cscc_err_clear(&err);
    memset(&sum, 0, sizeof(sum));
    snprintf(object, sizeof(object), "table:%s", j->dataset);
    if (!(st = store_open(s->stores.path, &err))) {
        cscc_error("upload %lld: %s", (long long)j->import_id, err.msg);
        return;
    }
    memset(&o, 0, sizeof(o));
    o.data_dir = s->opts->data_dir;
    o.store = st;
    o.threads = 2; /* the server keeps its other cores for requests */
    o.max_rejected = 0.10;
    o.import_id = j->import_id;
    rc = ingest_run(j->dataset, files, 1, &o, &sum, &err);
    if (rc) {
        char msg[600];

        cscc_err_format(&err, msg, sizeof(msg));
        snprintf(detail, sizeof(detail), "import %lld of upload %s: %s", (long long)j->import_id,
                 j->name, msg);
        cscc_warn("%s", detail);
    } else {
        snprintf(detail, sizeof(detail),
                 "import %lld of upload %s: %llu rows read, %llu new, %llu updated, %llu "
                 "rejected",
                 (long long)j->import_id, j->name, (unsigned long long)sum.rows_read,
                 (unsigned long long)sum.rows_new, (unsigned long long)sum.rows_updated,
                 (unsigned long long)sum.rows_rejected);
        cscc_info("%s", detail);
    }
    http_audit(s, &j->who, "import", object, rc ? "failed" : "ok", detail);
    store_close(st);
}

static void *worker_main(void *arg)
{
    struct http_server *s = arg;
    struct http_uploads *u = &s->uploads;

    pthread_mutex_lock(&u->lock);
    for (;;) {
        struct http_upload_job *j;

        while (!u->stop && !u->head)
            pthread_cond_wait(&u->cond, &u->lock);
        if (u->stop)
            break;
        j = u->head;
        u->head = j->next;
        if (!u->head)
            u->tail = NULL;
        pthread_mutex_unlock(&u->lock);
        run_job(s, j);
        unlink(j->path); /* the rows are in the table now, or were refused */
        cscc_free(j);
        pthread_mutex_lock(&u->lock);
    }
    pthread_mutex_unlock(&u->lock);
    return NULL;
}

int http_uploads_start(struct http_server *s, struct cscc_err *err)
{
    struct http_uploads *u = &s->uploads;

    pthread_mutex_init(&u->lock, NULL);
    pthread_cond_init(&u->cond, NULL);
    u->inited = 1;
    if (pthread_create(&u->worker, NULL, worker_main, s))
        return cscc_err_set(err, CSCC_EIO, "cannot start the upload worker thread");
    u->running = 1;
    return 0;
}

/* An upload that was never imported: its provenance says so. */
static void drop_job(struct http_server *s, struct http_upload_job *j)
{
    struct store_import imp;
    struct cscc_err err;
    struct store *st;

    cscc_err_clear(&err);
    memset(&imp, 0, sizeof(imp));
    imp.status = STORE_IMPORT_FAILED;
    imp.message = "the server stopped before this upload was imported; upload it again";
    imp.rejects_by_reason = "";
    imp.rejects_file = "";
    if ((st = store_open(s->stores.path, &err))) {
        if (store_import_finish(st, j->import_id, &imp, &err))
            cscc_warn("upload %lld: %s", (long long)j->import_id, err.msg);
        store_close(st);
    }
    unlink(j->path);
}

void http_uploads_stop(struct http_server *s)
{
    struct http_uploads *u = &s->uploads;

    if (!u->inited)
        return;
    if (u->running) {
        pthread_mutex_lock(&u->lock);
        u->stop = 1;
        pthread_cond_signal(&u->cond);
        pthread_mutex_unlock(&u->lock);
        pthread_join(u->worker, NULL);
        u->running = 0;
    }
    while (u->head) {
        struct http_upload_job *j = u->head;

        u->head = j->next;
        drop_job(s, j);
        cscc_free(j);
    }
    u->tail = NULL;
    pthread_cond_destroy(&u->cond);
    pthread_mutex_destroy(&u->lock);
    u->inited = 0;
}

/* ------------------------------------------------------------------------ */
/* Rejected rows                                                             */
/* ------------------------------------------------------------------------ */

void http_rejects_json(struct strbuf *sb, const char *path, size_t max)
{
    /* The rejects file's columns (rejects.c): file,row,line,reason,column,detail,record. */
    static const char *const names[] = {NULL, "row", "line", "reason", "column", "detail"};
    struct csv_reader *rd;
    struct csv_row row;
    struct cscc_err err;
    size_t n = 0, i;

    cscc_err_clear(&err);
    strbuf_addc(sb, '[');
    if (!(rd = csv_open_file(path, NULL, &err))) {
        strbuf_addc(sb, ']');
        return;
    }
    if (csv_next(rd, &row, &err) == 1) { /* the header */
        while (n < max && csv_next(rd, &row, &err) == 1) {
            if (row.nfields < 6)
                continue;
            strbuf_adds(sb, n++ ? ",{" : "{");
            for (i = 1; i < 6; i++) {
                const struct csv_field *f = &row.fields[i];
                int num = i == 1 || i == 2;

                strbuf_adds(sb, i > 1 ? "," : "");
                strbuf_add_json_str(sb, names[i], strlen(names[i]));
                strbuf_addc(sb, ':');
                if (num && f->len && f->len < 20 && strspn(f->p, "0123456789") >= f->len)
                    strbuf_add(sb, f->p, f->len);
                else if (num)
                    strbuf_adds(sb, "null");
                else
                    strbuf_add_json_str(sb, f->p, f->len);
            }
            strbuf_addc(sb, '}');
        }
    }
    csv_close(rd);
    strbuf_addc(sb, ']');
}

/* ------------------------------------------------------------------------ */
/* The handler                                                               */
/* ------------------------------------------------------------------------ */

static const struct http_param_spec p_upload[] = {
    {"dataset", HTTP_P_ENUM, 0, 0, 0, "crimes victims"},
    {"name", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

/* The file name as given, kept to letters, digits, '.', '-' and '_' (at most 100). */
static void safe_name(const char *in, char *out, size_t cap)
{
    size_t o = 0;

    for (; in && *in && o + 1 < cap && o < 100; in++) {
        char ch = *in;

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '.' || ch == '-' || ch == '_')
            out[o++] = ch;
        else if (o && out[o - 1] != '_')
            out[o++] = '_';
    }
    out[o] = '\0';
    if (!o || out[0] == '.')
        snprintf(out, cap, "upload.csv");
}

int http_h_import_upload(struct http_req *r)
{
    struct http_uploads *u = &r->srv->uploads;
    struct http_upload_job *j;
    struct cscc_err err;
    struct store *st;
    struct strbuf fj;
    const char *dataset;
    char detail[300], object[48];
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_upload, &err))
        return http_error_from(r, &err);
    if (!(dataset = http_params_get(&r->params, "dataset")))
        return http_error(r, 400, "bad_parameter", "dataset",
                          "say which export this is: ?dataset=crimes or ?dataset=victims");
    if (!r->body_file[0] || !r->body_len)
        return http_error(r, 400, "bad_request", NULL,
                          "the body is the export itself (CSV, or gzip), and it is empty");
    j = cscc_xcalloc(1, sizeof(*j));
    snprintf(j->dataset, sizeof(j->dataset), "%s", dataset);
    safe_name(http_params_get(&r->params, "name"), j->name, sizeof(j->name));
    j->size = r->body_len;
    j->who = r->who;
    strbuf_init(&fj, 0);
    strbuf_adds(&fj, "[{\"path\":");
    strbuf_add_json_str(&fj, j->name, strlen(j->name));
    strbuf_addf(&fj, ",\"size\":%llu}]", (unsigned long long)j->size);
    if (!(st = http_store_get(r->srv, &err))) {
        strbuf_release(&fj);
        cscc_free(j);
        return http_error_from(r, &err);
    }
    rc = store_import_begin(st, dataset, fj.buf, &j->import_id, &err);
    http_store_put(r->srv, st);
    strbuf_release(&fj);
    if (rc) {
        cscc_free(j);
        return http_error_from(r, &err);
    }
    /* The upload keeps its name beside its import's id: DATA/uploads/ID-NAME. */
    snprintf(j->path, sizeof(j->path), "%s/uploads/%lld-%s", r->srv->opts->data_dir,
             (long long)j->import_id, j->name);
    if (rename(r->body_file, j->path) < 0) {
        cscc_error("cannot rename %s: %s", r->body_file, strerror(errno));
        snprintf(j->path, sizeof(j->path), "%s", r->body_file);
    }
    r->body_file[0] = '\0'; /* the worker removes it when the import ends */
    snprintf(object, sizeof(object), "table:%s", dataset);
    snprintf(detail, sizeof(detail), "upload %s, %llu bytes, as import %lld", j->name,
             (unsigned long long)j->size, (long long)j->import_id);
    http_audit(r->srv, &r->who, "import.upload", object, "ok", detail);
    {
        char loc[64];

        /* The answer first: once queued, the job belongs to the worker. */
        snprintf(loc, sizeof(loc), "/api/v1/imports/%lld", (long long)j->import_id);
        http_req_header(r, "Location", loc);
        strbuf_reset(&r->out);
        strbuf_addf(&r->out, "{\"id\":%lld,\"dataset\":", (long long)j->import_id);
        strbuf_add_json_str(&r->out, dataset, strlen(dataset));
        strbuf_adds(&r->out, ",\"status\":\"running\",\"file\":");
        strbuf_add_json_str(&r->out, j->name, strlen(j->name));
        strbuf_addf(&r->out, ",\"size\":%llu,\"url\":", (unsigned long long)j->size);
        strbuf_add_json_str(&r->out, loc, strlen(loc));
        strbuf_adds(&r->out, "}\n");
        pthread_mutex_lock(&u->lock);
        if (u->tail)
            u->tail->next = j;
        else
            u->head = j;
        u->tail = j;
        pthread_cond_signal(&u->cond);
        pthread_mutex_unlock(&u->lock);
    }
    r->ctype = "application/json";
    r->no_cache = 1;
    return 202;
}
