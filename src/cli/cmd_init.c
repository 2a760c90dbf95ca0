/* cmd_init.c - `cscc init`: create the data directory, its database, and
 * load the reference data. Safe to run again: it refreshes the reference
 * data and leaves imported data alone. */
#include "cli/cli.h"

#include "coord/catalog.h"
#include "core/log.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f, "Usage: cscc init [--reference DIR] [--priority FILE]\n"
               "\n"
               "Creates the data directory (--data DIR, else $CSCC_DATA, else ./var) with its\n"
               "database, and loads the reference data: community areas and their\n"
               "boundaries, population, the priority areas, the IUCR code table and the\n"
               "crime categories, and the default service catalogue (services.json; services\n"
               "already stored are kept). Running it again refreshes the reference data and\n"
               "keeps everything imported.\n"
               "\n"
               "Options:\n"
               "  --reference DIR  reference data to load (default: the data shipped with cscc)\n"
               "  --priority FILE  a CSV with a community_area column: the priority areas to\n"
               "                   use instead of the shipped list\n");
}

static int count_area(void *arg, const struct store_area *x)
{
    (void)x;
    (*(size_t *)arg)++;
    return 0;
}

static int count_pop(void *arg, const struct store_population *x)
{
    (void)x;
    (*(size_t *)arg)++;
    return 0;
}

static int count_iucr(void *arg, const struct store_iucr *x)
{
    (void)x;
    (*(size_t *)arg)++;
    return 0;
}

static int count_cat(void *arg, const struct store_category *x)
{
    (void)x;
    (*(size_t *)arg)++;
    return 0;
}

/*
 * Loads the default service catalogue shipped beside the reference data
 * (services.json), keeping the services already stored: a coordinator's
 * edits survive a second init. A reference folder without one is fine.
 */
static int load_catalogue(struct store *st, const char *ref, struct coord_catalog_load *out,
                          struct cscc_err *err)
{
    static const struct coord_actor init = {COORD_ROLE_ADMIN, 0, NULL, "cscc init"};
    struct coord_opts o = {0};
    struct coord *c;
    char path[PATH_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(path, sizeof(path), "%s/services.json", ref);
    if (access(path, F_OK) != 0)
        return 0;
    o.st = st;
    if (!(c = coord_open(&o, err)))
        return err->code;
    rc = coord_catalog_load_file(c, &init, path, 0, out, err);
    coord_close(c);
    return rc;
}

static int mkdir_p(const char *path, struct cscc_err *err)
{
    char buf[PATH_MAX];
    size_t i, n = strlen(path);

    if (n >= sizeof(buf))
        return cscc_err_set(err, CSCC_EINVAL, "data directory path is too long");
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];

            buf[i] = '\0';
            if (mkdir(buf, 0750) < 0 && errno != EEXIST)
                return cscc_err_errno(err, CSCC_EIO, errno, "cannot create directory %s", buf);
            buf[i] = c;
        }
    }
    return 0;
}

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"reference", required_argument, NULL, 'r'},
        {"priority", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *ref = NULL, *priority = NULL;
    char refbuf[PATH_MAX], db[PATH_MAX], sub[PATH_MAX];
    struct cscc_err err;
    struct store *st;
    size_t nareas = 0, npop = 0, niucr = 0, ncat = 0, npri = 0;
    struct coord_catalog_load cat = {0, 0, 0};
    int prio[256];
    int opt, rc;

    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'r': ref = optarg; break;
        case 'p': priority = optarg; break;
        default: return cli_usage_error("init ", "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error("init ", "unexpected argument '%s'", argv[optind]);
    if (!ref) {
        if (cli_reference_dir(refbuf, sizeof(refbuf)) < 0) {
            cscc_error("cannot find the reference data shipped with cscc (data/reference); "
                       "pass --reference DIR or set CSCC_REFERENCE");
            return CLI_NOINPUT;
        }
        ref = refbuf;
    }
    if (mkdir_p(ctx->data_dir, &err))
        return cli_fail(&err);
    snprintf(sub, sizeof(sub), "%s/tables", ctx->data_dir);
    if (mkdir_p(sub, &err))
        return cli_fail(&err);
    snprintf(sub, sizeof(sub), "%s/rejects", ctx->data_dir);
    if (mkdir_p(sub, &err))
        return cli_fail(&err);
    if (cli_db_path(ctx, db, sizeof(db)) < 0)
        return cli_usage_error("init ", "data directory path is too long");
    if (!(st = store_open(db, &err)))
        return cli_fail(&err);
    rc = ingest_reference(st, ref, priority, &err);
    if (!rc)
        rc = store_set_setting(st, "timezone", "America/Chicago", &err);
    if (!rc)
        rc = load_catalogue(st, ref, &cat, &err);
    if (!rc)
        rc = store_each_area(st, 0, count_area, &nareas, &err);
    if (!rc)
        rc = store_each_population(st, NULL, count_pop, &npop, &err);
    if (!rc)
        rc = store_each_iucr(st, count_iucr, &niucr, &err);
    if (!rc)
        rc = store_each_category(st, count_cat, &ncat, &err);
    if (!rc)
        rc = store_get_priority(st, "ocos", prio, 256, &npri, &err);
    if (!rc) {
        static const char *const tables[] = {"crimes", "victims"};
        size_t i;

        for (i = 0; i < 2 && !rc; i++)
            rc = ingest_recover(ctx->data_dir, st, tables[i], &err);
    }
    if (rc) {
        store_close(st);
        return cli_fail(&err);
    }
    cscc_info("data directory %s is ready (database schema version %d)", ctx->data_dir,
              store_schema_version(st));
    cscc_info("reference data from %s: %zu community areas, %zu population figures, %zu "
              "priority areas, %zu IUCR codes, %zu crime categories",
              ref, nareas, npop, npri, niucr, ncat);
    if (cat.departments)
        cscc_info("service catalogue: %zu departments, %zu services added, %zu kept as they were",
                  cat.departments, cat.services, cat.kept);
    store_close(st);
    return CLI_OK;
}
