/*
 * fuzz_soql.c - libFuzzer target for the SoQL subset (src/http/soql*.c): the
 * parser, the checks and the execution.
 *
 * The first byte chooses the caller's access and the output format; the rest
 * is a request's parameters, one "name=value" a line (as `cscc soql` takes
 * them). They run against the portal sample (tests/data), imported once into
 * a temporary data directory. A query must either be refused with a status
 * and a message, or run; a JSON or GeoJSON answer must be valid JSON, and an
 * error must have a 4xx/5xx status and a code.
 */
#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/strbuf.h"
#include "http/soql.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FUZZ_SOURCE_DIR
#error "FUZZ_SOURCE_DIR must be defined by the build"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct colstore_table *crimes, *victims;
static const struct soql_dataset *ds_crimes, *ds_victims;
static struct soql_catalog *cat;
static char dir[256];

static void cleanup(void)
{
    char cmd[600];

    colstore_close(crimes);
    colstore_close(victims);
    soql_catalog_free(cat);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (dir[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz_soql: could not remove %s\n", dir);
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_soql: %s\n", what);
    abort();
}

static void setup(void)
{
    struct cscc_err err;
    struct ingest_opts o;
    struct ingest_summary sum;
    struct store *st;
    char p[512];
    const char *files[1];

    cscc_err_clear(&err);
    snprintf(dir, sizeof(dir), "/tmp/cscc-fuzz-soql-XXXXXX");
    if (!mkdtemp(dir))
        die("cannot make a temporary directory");
    atexit(cleanup);
    snprintf(p, sizeof(p), "%s/tables", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/rejects", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof(p), "%s/cscc.db", dir);
    if (!(st = store_open(p, &err)) ||
        ingest_reference(st, FUZZ_SOURCE_DIR "/data/reference", NULL, &err))
        die(err.msg);
    memset(&o, 0, sizeof(o));
    o.data_dir = dir;
    o.store = st;
    o.threads = 1;
    o.max_rejected = 0.5;
    files[0] = FUZZ_SOURCE_DIR "/tests/data/crimes/portal_export_sample_2016-01-01_03.csv";
    if (ingest_run("crimes", files, 1, &o, &sum, &err))
        die(err.msg);
    files[0] = FUZZ_SOURCE_DIR "/tests/data/victims/victims.csv";
    if (ingest_run("victims", files, 1, &o, &sum, &err))
        die(err.msg);
    if (!(cat = soql_catalog_open(dir, st, &err)))
        die(err.msg);
    store_close(st);
    ds_crimes = soql_catalog_find(cat, "ijzp-q8t2");
    ds_victims = soql_catalog_find(cat, "gumc-mgzr");
    if (!ds_crimes || !ds_victims)
        die("datasets missing");
    soql_table_path(dir, ds_crimes, p, sizeof(p));
    if (!(crimes = colstore_open(p, &err)))
        die(err.msg);
    soql_table_path(dir, ds_victims, p, sizeof(p));
    if (!(victims = colstore_open(p, &err)))
        die(err.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct soql_param ps[16];
    struct soql_limits lim;
    struct soql_error e;
    struct soql_query *q;
    char *text, *line, *save = NULL;
    size_t n = 0;
    enum soql_access access;
    enum soql_format fmt;
    int vict;

    if (!crimes)
        setup();
    if (size < 1)
        return 0;
    access = (enum soql_access)(data[0] % 3);
    fmt = (enum soql_format)((data[0] / 3) % 3);
    vict = (data[0] / 9) % 4 == 0;
    text = cscc_xstrndup((const char *)data + 1, size - 1);
    for (line = strtok_r(text, "\n", &save); line && n < 16; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');

        if (!eq)
            continue;
        *eq = '\0';
        ps[n].name = line;
        ps[n].value = eq + 1;
        n++;
    }
    soql_limits_default(&lim);
    lim.max_output = 128 << 10; /* larger answers stop early: more inputs a second */
    q = soql_prepare(vict ? ds_victims : ds_crimes, vict ? victims : crimes, ps, n, access, &lim,
                     &e);
    if (!q) {
        if (e.status < 400 || e.status > 599 || !e.code[0] || !e.message[0])
            die("an error without a status, a code or a message");
    } else {
        struct strbuf sb;

        if (!soql_fields_header(q) || !soql_types_header(q))
            die("no headers");
        strbuf_init(&sb, 0);
        if (soql_run(q, fmt, &sb, &e)) {
            if (e.status < 400 || !e.code[0])
                die("a failed run without a status");
        } else if (fmt != SOQL_CSV) {
            json_error_t je;
            json_t *j = json_loadb(sb.buf, sb.len, 0, &je);

            if (!j) {
                fprintf(stderr, "fuzz_soql: not JSON: %s\n%.2000s\n", je.text, sb.buf);
                abort();
            }
            json_decref(j);
        }
        strbuf_release(&sb);
        soql_query_free(q);
    }
    cscc_free(text);
    return 0;
}
