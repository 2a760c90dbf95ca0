/* test_store.c - store: the SQLite backend behind the ops table (open, migrations,
 * reference data, settings, import provenance, transactions, durability). */
#include "test.h"

#include "store/store.h"
#include "store/store_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static const char *tmp_path(const char *name)
{
    static char buf[4][4096];
    static int next;
    char *b = buf[next++ % 4];

    snprintf(b, sizeof(buf[0]), "%s/%s", test_tmpdir(), name);
    return b;
}

static struct store *open_ok(const char *url)
{
    struct cscc_err err = {0};
    struct store *st = store_open(url, &err);

    if (!st)
        test_fail(__FILE__, __LINE__, "store_open(%s): %s", url, err.msg);
    return st;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static const struct store_area areas3[] = {
    {1, "Rogers Park", "Far North Side", "{\"type\":\"Point\",\"coordinates\":[-87.67,42.01]}"},
    {2, "West Ridge", "Far North Side", NULL},
    {25, "Austin", "West Side", "{\"type\":\"Point\",\"coordinates\":[-87.76,41.89]}"},
};

/* Areas as read back. */
struct area_rows {
    int n;
    int number[16];
    char name[16][64];
    char side[16][64];
    char geometry[16][128];
    int has_geometry[16];
    int stop_after; /* return 99 after this many rows (0 = never) */
};

static int collect_area(void *arg, const struct store_area *a)
{
    struct area_rows *r = arg;

    if (r->n < 16) {
        r->number[r->n] = a->number;
        snprintf(r->name[r->n], sizeof(r->name[0]), "%s", a->name);
        snprintf(r->side[r->n], sizeof(r->side[0]), "%s", a->side);
        r->has_geometry[r->n] = a->geometry != NULL;
        snprintf(r->geometry[r->n], sizeof(r->geometry[0]), "%s", a->geometry ? a->geometry : "");
    }
    r->n++;
    return r->stop_after && r->n >= r->stop_after ? 99 : 0;
}

static void read_areas(struct store *st, int with_geometry, struct area_rows *r)
{
    struct cscc_err err = {0};
    int rc;

    memset(r, 0, sizeof(*r));
    rc = store_each_area(st, with_geometry, collect_area, r, &err);
    if (rc)
        test_fail(__FILE__, __LINE__, "store_each_area: %d %s", rc, err.msg);
}

/* Checks that the stored areas are exactly areas3. */
static void check_areas3(struct store *st, int line)
{
    struct area_rows r;
    int i;

    read_areas(st, 1, &r);
    if (r.n != 3) {
        test_fail(__FILE__, line, "expected the 3 original areas, got %d", r.n);
        return;
    }
    for (i = 0; i < 3; i++) {
        if (r.number[i] != areas3[i].number || strcmp(r.name[i], areas3[i].name) != 0)
            test_fail(__FILE__, line, "area %d: %d '%s'", i, r.number[i], r.name[i]);
    }
}

static int count_iucr(void *arg, const struct store_iucr *c)
{
    (void)c;
    ++*(int *)arg;
    return 0;
}

static int count_population(void *arg, const struct store_population *p)
{
    (void)p;
    ++*(int *)arg;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Opening, URLs, migrations                                                 */
/* ------------------------------------------------------------------------ */

TEST(store, open_close_reopen_keeps_data)
{
    const char *path = tmp_path("cscc.db");
    char url[4200], buf[64];
    struct cscc_err err = {0};
    struct store *st;
    int version;

    snprintf(url, sizeof(url), "sqlite:%s", path);
    st = open_ok(url);
    if (!st)
        return;
    version = store_schema_version(st);
    CHECK(version >= 1);
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "timezone", "America/Chicago", &err), 0);
    store_close(st);
    CHECK(exists(path));
    CHECK(!exists(tmp_path("cscc.db-wal"))); /* a clean close checkpoints the WAL */

    st = open_ok(path); /* a bare path works too */
    if (!st)
        return;
    CHECK_INT_EQ(store_schema_version(st), version);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_get_setting(st, "timezone", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "America/Chicago");
    store_close(st);
    store_close(NULL);
}

TEST(store, urls_and_open_errors)
{
    struct cscc_err err = {0};
    const char *junk = tmp_path("junk.db");
    char url[4200];
    int fd;

    CHECK(store_open("postgresql://cscc@localhost/cscc", &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);
    CHECK(strstr(err.msg, "postgresql backend not built") != NULL);
    cscc_err_clear(&err);
    CHECK(store_open("postgres://localhost/cscc", &err) == NULL);
    CHECK(strstr(err.msg, "postgresql backend not built") != NULL);
    cscc_err_clear(&err);
    CHECK(store_open("mysql://localhost/cscc", &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);
    CHECK(store_open("", &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);
    CHECK(store_open("sqlite:", &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EINVAL);

    /* Only file databases: an in-memory one has no WAL, and is refused the
     * way a file system without shared memory would be. */
    {
        char cwd[4096];

        CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
        CHECK(chdir(test_tmpdir()) == 0);
        cscc_err_clear(&err);
        CHECK(store_open("sqlite::memory:", &err) == NULL);
        CHECK_INT_EQ(err.code, CSCC_ESTORE);
        CHECK(strstr(err.msg, "WAL") != NULL);
        CHECK(!exists(":memory:")); /* no stray file named so */
        CHECK(chdir(cwd) == 0);
    }

    /* A name that looks like an SQLite URI is a plain file name. */
    {
        char cwd[4096];
        struct store *st;

        CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
        CHECK(chdir(test_tmpdir()) == 0);
        st = open_ok("file::memory:");
        CHECK(st != NULL);
        store_close(st);
        CHECK(exists(tmp_path("file::memory:")));
        CHECK(chdir(cwd) == 0);
    }

    /* A directory that does not exist: an I/O error naming the path. */
    snprintf(url, sizeof(url), "sqlite:%s/no/such/dir/x.db", test_tmpdir());
    cscc_err_clear(&err);
    CHECK(store_open(url, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EIO);
    CHECK(strstr(err.msg, "no/such/dir/x.db") != NULL);

    /* A file that is not a database. */
    fd = open(junk, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd >= 0) {
        static const char text[] = "this is not an SQLite database, just some text. "
                                   "0123456789012345678901234567890123456789012345678901234";
        CHECK(write(fd, text, sizeof(text)) == (ssize_t)sizeof(text));
        close(fd);
    }
    cscc_err_clear(&err);
    CHECK(store_open(junk, &err) == NULL);
    CHECK(err.code != 0);
    CHECK(strstr(err.msg, "not a database") != NULL);
    CHECK(strstr(err.msg, "junk.db") != NULL);
}

/* Migrations that log themselves into a settings table the store can read. */
static const char *const test_migrations[] = {
    "CREATE TABLE settings (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n"
    "INSERT INTO settings (key, value) VALUES ('log', '1');",
    "UPDATE settings SET value = value || ',2' WHERE key = 'log';",
    "UPDATE settings SET value = value || ',3' WHERE key = 'log';  -- trailing comment",
    "UPDATE settings SET value = value || ',4' WHERE key = 'log';\n"
    "SELECT * FROM no_such_table;",
};

static void check_log(const char *path, size_t nmig, int version, const char *want, int line)
{
    struct cscc_err err = {0};
    struct store *st = store__sqlite_open_with(path, test_migrations, nmig, &err);
    char buf[64];

    if (!st) {
        test_fail(__FILE__, line, "open with %zu migrations: %s", nmig, err.msg);
        return;
    }
    if (store_schema_version(st) != version)
        test_fail(__FILE__, line, "schema version %d, want %d", store_schema_version(st), version);
    if (store_get_setting(st, "log", buf, sizeof(buf), &err) != 0)
        test_fail(__FILE__, line, "reading the log: %s", err.msg);
    else if (strcmp(buf, want) != 0)
        test_fail(__FILE__, line, "migration log \"%s\", want \"%s\"", buf, want);
    store_close(st);
}

TEST(store, migrations_run_once_in_order)
{
    const char *path = tmp_path("mig.db");
    struct cscc_err err = {0};
    struct store *st;

    check_log(path, 1, 1, "1", __LINE__);
    check_log(path, 1, 1, "1", __LINE__);     /* reopening runs nothing */
    check_log(path, 3, 3, "1,2,3", __LINE__); /* the two pending ones, once each */
    check_log(path, 3, 3, "1,2,3", __LINE__);

    /* A failing migration is rolled back whole (its UPDATE too) and named. */
    st = store__sqlite_open_with(path, test_migrations, 4, &err);
    CHECK(st == NULL);
    store_close(st);
    CHECK(strstr(err.msg, "schema version 4") != NULL);
    CHECK(strstr(err.msg, "no such table") != NULL);
    check_log(path, 3, 3, "1,2,3", __LINE__);

    /* This program knows fewer migrations than the file has. */
    cscc_err_clear(&err);
    st = store__sqlite_open_with(path, test_migrations, 2, &err);
    CHECK(st == NULL);
    store_close(st);
    CHECK(strstr(err.msg, "database schema version 3 is newer than this cscc (2); upgrade cscc") !=
          NULL);
}

TEST(store, real_schema_version_and_too_new_refused)
{
    static const char *const many[40] = {
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
        "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1", "SELECT 1",
    };
    static const char *const foreign[] = {"SELECT 1", "PRAGMA application_id = 7"};
    const char *path = tmp_path("new.db");
    struct cscc_err err = {0};
    struct store *st;
    char want[128];
    int known;

    st = open_ok(tmp_path("real.db"));
    if (!st)
        return;
    known = store_schema_version(st);
    CHECK(known >= 1);
    store_close(st);
    /* The file header (SQLite file format, big-endian): user_version at
     * offset 60, application_id at 68 ("CSCC"). */
    {
        unsigned char h[72] = {0};
        int fd = open(tmp_path("real.db"), O_RDONLY);

        CHECK(fd >= 0);
        if (fd >= 0) {
            CHECK(read(fd, h, sizeof(h)) == (ssize_t)sizeof(h));
            close(fd);
        }
        CHECK_INT_EQ(((long)h[60] << 24) | (h[61] << 16) | (h[62] << 8) | h[63], known);
        CHECK_MEM_EQ(h + 68, 4, "CSCC", 4);
    }

    st = store__sqlite_open_with(path, many, 40, &err);
    CHECK(st != NULL);
    if (st)
        CHECK_INT_EQ(store_schema_version(st), 40);
    store_close(st);
    st = store_open(path, &err);
    CHECK(st == NULL);
    store_close(st);
    snprintf(want, sizeof(want),
             "database schema version 40 is newer than this cscc (%d); "
             "upgrade cscc",
             known);
    CHECK(strstr(err.msg, want) != NULL);
    CHECK(strstr(err.msg, path) != NULL);

    /* Another program's SQLite file is not taken over. */
    cscc_err_clear(&err);
    st = store__sqlite_open_with(tmp_path("other.db"), foreign, 2, &err);
    CHECK(st != NULL);
    store_close(st);
    st = store_open(tmp_path("other.db"), &err);
    CHECK(st == NULL);
    store_close(st);
    CHECK(strstr(err.msg, "not a cscc database") != NULL);
}

TEST(store, wal_file_appears_after_write)
{
    const char *path = tmp_path("wal.db");
    struct cscc_err err = {0};
    struct store *st = open_ok(path);

    if (!st)
        return;
    CHECK_INT_EQ(store_set_setting(st, "city", "Chicago", &err), 0);
    /* In rollback-journal modes there is no -wal file, only a -journal
     * that disappears at commit. */
    CHECK(exists(tmp_path("wal.db-wal")));
    CHECK(exists(tmp_path("wal.db-shm")));
    CHECK(!exists(tmp_path("wal.db-journal")));
    /* New files are private to their owner. */
    {
        struct stat sb;

        CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
        CHECK(stat(tmp_path("wal.db-wal"), &sb) == 0 && (sb.st_mode & 0777) == 0600);
    }
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Reference data                                                            */
/* ------------------------------------------------------------------------ */

TEST(store, areas_round_trip)
{
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("a.db"));
    struct area_rows r;
    int i;

    if (!st)
        return;
    read_areas(st, 1, &r);
    CHECK_INT_EQ(r.n, 0);
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);
    read_areas(st, 1, &r);
    CHECK_INT_EQ(r.n, 3);
    for (i = 0; i < 3 && i < r.n; i++) {
        CHECK_INT_EQ(r.number[i], areas3[i].number);
        CHECK_STR_EQ(r.name[i], areas3[i].name);
        CHECK_STR_EQ(r.side[i], areas3[i].side);
        CHECK_INT_EQ(r.has_geometry[i], areas3[i].geometry != NULL);
        if (areas3[i].geometry)
            CHECK_STR_EQ(r.geometry[i], areas3[i].geometry);
    }
    read_areas(st, 0, &r);
    CHECK_INT_EQ(r.n, 3);
    CHECK_INT_EQ(r.has_geometry[0] + r.has_geometry[1] + r.has_geometry[2], 0);

    /* A put replaces the whole set; side NULL is stored as "". */
    {
        struct store_area two[] = {{77, "Edgewater", NULL, NULL}, {5, "North Center", "", NULL}};

        CHECK_INT_EQ(store_put_areas(st, two, 2, &err), 0);
        read_areas(st, 1, &r);
        CHECK_INT_EQ(r.n, 2);
        CHECK_INT_EQ(r.number[0], 5); /* ordered by number */
        CHECK_INT_EQ(r.number[1], 77);
        CHECK_STR_EQ(r.side[1], "");
    }
    CHECK_INT_EQ(store_put_areas(st, NULL, 0, &err), 0);
    read_areas(st, 1, &r);
    CHECK_INT_EQ(r.n, 0);
    store_close(st);
}

struct pop_rows {
    int n;
    int area[8], year[8];
    int64_t population[8];
    char source[8][32];
};

static int collect_population(void *arg, const struct store_population *p)
{
    struct pop_rows *r = arg;

    if (r->n < 8) {
        r->area[r->n] = p->area;
        r->year[r->n] = p->year;
        r->population[r->n] = p->population;
        snprintf(r->source[r->n], sizeof(r->source[0]), "%s", p->source);
    }
    r->n++;
    return 0;
}

TEST(store, population_round_trip)
{
    static const struct store_population pop[] = {
        {25, "census2010", 2010, 98514},
        {1, "census2010", 2010, 54991},
        {1, "acs2015_2019", 2019, 55062},
        {2, "census2000", 2000, 73199},
    };
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("p.db"));
    struct pop_rows r;

    if (!st)
        return;
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);
    CHECK_INT_EQ(store_put_population(st, pop, 4, &err), 0);

    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_population(st, "census2010", collect_population, &r, &err), 0);
    CHECK_INT_EQ(r.n, 2);
    CHECK_INT_EQ(r.area[0], 1);
    CHECK_INT_EQ(r.population[0], 54991);
    CHECK_INT_EQ(r.area[1], 25);
    CHECK_INT_EQ(r.year[1], 2010);
    CHECK_INT_EQ(r.population[1], 98514);
    CHECK_STR_EQ(r.source[1], "census2010");

    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_population(st, NULL, collect_population, &r, &err), 0);
    CHECK_INT_EQ(r.n, 4);
    CHECK_STR_EQ(r.source[0], "acs2015_2019");
    CHECK_INT_EQ(r.year[0], 2019);

    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_population(st, "census1990", collect_population, &r, &err), 0);
    CHECK_INT_EQ(r.n, 0);
    store_close(st);
}

TEST(store, priority_round_trip)
{
    static const int ocos[] = {25, 1, 2};
    static const int other[] = {2};
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("pr.db"));
    int got[8] = {0};
    size_t n = 99;

    if (!st)
        return;
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);
    CHECK_INT_EQ(store_put_priority(st, "ocos", ocos, 3, &err), 0);
    CHECK_INT_EQ(store_put_priority(st, "other", other, 1, &err), 0);

    CHECK_INT_EQ(store_get_priority(st, "ocos", got, 8, &n, &err), 0);
    CHECK_INT_EQ(n, 3);
    CHECK_INT_EQ(got[0], 25); /* the stored order, not sorted */
    CHECK_INT_EQ(got[1], 1);
    CHECK_INT_EQ(got[2], 2);

    CHECK_INT_EQ(store_get_priority(st, "other", got, 8, &n, &err), 0);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(got[0], 2);

    memset(got, 0, sizeof(got));
    CHECK_INT_EQ(store_get_priority(st, "ocos", got, 2, &n, &err), CSCC_ELIMIT);
    CHECK_INT_EQ(n, 3);
    CHECK_INT_EQ(got[0], 25);
    CHECK_INT_EQ(got[1], 1);
    CHECK_INT_EQ(got[2], 0);

    CHECK_INT_EQ(store_get_priority(st, "never", got, 8, &n, &err), 0);
    CHECK_INT_EQ(n, 0);

    /* Replacing one list leaves the other alone. */
    CHECK_INT_EQ(store_put_priority(st, "ocos", other, 1, &err), 0);
    CHECK_INT_EQ(store_get_priority(st, "ocos", got, 8, &n, &err), 0);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(store_get_priority(st, "other", got, 8, &n, &err), 0);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(store_put_priority(st, "", other, 1, &err), CSCC_EINVAL);
    store_close(st);
}

struct iucr_rows {
    int n;
    char text[8][160];
};

static int collect_iucr(void *arg, const struct store_iucr *c)
{
    struct iucr_rows *r = arg;

    if (r->n < 8)
        snprintf(r->text[r->n], sizeof(r->text[0]), "%s|%s|%s|%s|%s", c->iucr, c->primary_type,
                 c->description, c->index_code, c->fbi_code);
    r->n++;
    return 0;
}

TEST(store, iucr_round_trip)
{
    static const struct store_iucr codes[] = {
        {"031A", "ROBBERY", "ARMED: HANDGUN", "I", "03"},
        {"0110", "HOMICIDE", "FIRST DEGREE MURDER", "I", "01A"},
        {"1811", "NARCOTICS", "POSS: CANNABIS 30GMS OR LESS", "N", NULL},
    };
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("i.db"));
    struct iucr_rows r = {0};

    if (!st)
        return;
    CHECK_INT_EQ(store_put_iucr(st, codes, 3, &err), 0);
    CHECK_INT_EQ(store_each_iucr(st, collect_iucr, &r, &err), 0);
    CHECK_INT_EQ(r.n, 3);
    CHECK_STR_EQ(r.text[0], "0110|HOMICIDE|FIRST DEGREE MURDER|I|01A");
    CHECK_STR_EQ(r.text[1], "031A|ROBBERY|ARMED: HANDGUN|I|03");
    CHECK_STR_EQ(r.text[2], "1811|NARCOTICS|POSS: CANNABIS 30GMS OR LESS|N|");
    store_close(st);
}

struct cat_rows {
    int n;
    char text[8][200];
};

static int collect_category(void *arg, const struct store_category *c)
{
    struct cat_rows *r = arg;

    if (r->n < 8)
        snprintf(r->text[r->n], sizeof(r->text[0]), "%s|%s|%s|%s", c->name, c->label, c->fbi_codes,
                 c->description);
    r->n++;
    return 0;
}

TEST(store, categories_round_trip)
{
    static const struct store_category cats[] = {
        {"violent", "Violent crime", "01A 02 03 04A 04B", "FBI violent index crimes"},
        {"homicide", "Homicide", "01A", NULL},
    };
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("c.db"));
    struct cat_rows r = {0};
    char codes[64], small[5];

    if (!st)
        return;
    CHECK_INT_EQ(store_put_categories(st, cats, 2, &err), 0);
    CHECK_INT_EQ(store_each_category(st, collect_category, &r, &err), 0);
    CHECK_INT_EQ(r.n, 2);
    CHECK_STR_EQ(r.text[0], "homicide|Homicide|01A|");
    CHECK_STR_EQ(r.text[1], "violent|Violent crime|01A 02 03 04A 04B|FBI violent index crimes");

    CHECK_INT_EQ(store_get_category(st, "violent", codes, sizeof(codes), &err), 0);
    CHECK_STR_EQ(codes, "01A 02 03 04A 04B");
    CHECK_INT_EQ(store_get_category(st, "nonesuch", codes, sizeof(codes), &err), CSCC_ENOENT);
    CHECK(strstr(err.msg, "nonesuch") != NULL);
    CHECK_INT_EQ(store_get_category(st, "violent", small, sizeof(small), &err), CSCC_ELIMIT);
    CHECK_STR_EQ(small, "");
    CHECK_INT_EQ(store_get_category(st, "homicide", small, sizeof(small), &err), 0);
    CHECK_STR_EQ(small, "01A");
    store_close(st);
}

TEST(store, settings_round_trip)
{
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("s.db"));
    char buf[32], tiny[4];

    if (!st)
        return;
    CHECK_INT_EQ(store_get_setting(st, "city", buf, sizeof(buf), &err), CSCC_ENOENT);
    CHECK_INT_EQ(store_set_setting(st, "city", "Chicago", &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "timezone", "America/Chicago", &err), 0);
    CHECK_INT_EQ(store_get_setting(st, "city", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "Chicago");
    CHECK_INT_EQ(store_set_setting(st, "city", "Chicago, IL", &err), 0); /* overwrite */
    CHECK_INT_EQ(store_get_setting(st, "city", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "Chicago, IL");
    CHECK_INT_EQ(store_get_setting(st, "city", tiny, sizeof(tiny), &err), CSCC_ELIMIT);
    CHECK_STR_EQ(tiny, "");
    CHECK_INT_EQ(store_set_setting(st, "city", NULL, &err), 0); /* delete */
    CHECK_INT_EQ(store_get_setting(st, "city", buf, sizeof(buf), &err), CSCC_ENOENT);
    CHECK_INT_EQ(store_get_setting(st, "timezone", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "America/Chicago");
    CHECK_INT_EQ(store_set_setting(st, "", "x", &err), CSCC_EINVAL);
    /* SQL text in values is data, nothing more. */
    CHECK_INT_EQ(store_set_setting(st, "q", "x'); DROP TABLE settings; --", &err), 0);
    CHECK_INT_EQ(store_get_setting(st, "q", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "x'); DROP TABLE settings; --");
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Failing puts leave the previous set                                       */
/* ------------------------------------------------------------------------ */

TEST(store, failing_put_leaves_previous_set)
{
    static const struct store_area dup[] = {
        {3, "Uptown", "", NULL}, {4, "Lincoln Square", "", NULL}, {3, "Uptown again", "", NULL}};
    static const struct store_area zero[] = {{0, "Nowhere", "", NULL}};
    static const struct store_area noname[] = {{6, NULL, "", NULL}};
    static const struct store_area badgeo[] = {{6, "Lake View", "", "{not json"}};
    static const struct store_area drop25[] = {{1, "Rogers Park", "", NULL}};
    static const struct store_iucr good[] = {
        {"0110", "HOMICIDE", "FIRST DEGREE MURDER", "I", "01A"}};
    static const struct store_iucr short_code[] = {
        {"0486", "BATTERY", "DOMESTIC BATTERY SIMPLE", "N", "08B"},
        {"486", "BATTERY", "DOMESTIC BATTERY SIMPLE", "N", "08B"}};
    static const struct store_iucr bad_index[] = {{"0486", "BATTERY", "X", "Q", "08B"}};
    static const struct store_population pop_ok[] = {{25, "census2010", 2010, 98514}};
    static const struct store_population pop_bad[] = {{99, "census2010", 2010, 1}};
    static const struct store_category bad_cat[] = {{"violent", "V", NULL, ""}};
    static const int prio_dup[] = {1, 25, 1};
    static const int prio_ok[] = {25, 1};
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("f.db"));
    int n, got[4];
    size_t np;

    if (!st)
        return;
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);

    CHECK_INT_EQ(store_put_areas(st, dup, 3, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "UNIQUE constraint failed") != NULL);
    CHECK(strstr(err.msg, "record 3") != NULL);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_put_areas(st, zero, 1, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "CHECK constraint failed") != NULL);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_put_areas(st, noname, 1, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "NOT NULL constraint failed: areas.name") != NULL);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_put_areas(st, badgeo, 1, &err), CSCC_EDATA);
    check_areas3(st, __LINE__);

    CHECK_INT_EQ(store_put_iucr(st, good, 1, &err), 0);
    CHECK_INT_EQ(store_put_iucr(st, short_code, 2, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "'486'") != NULL);
    CHECK_INT_EQ(store_put_iucr(st, bad_index, 1, &err), CSCC_EDATA);
    n = 0;
    CHECK_INT_EQ(store_each_iucr(st, count_iucr, &n, &err), 0);
    CHECK_INT_EQ(n, 1);

    CHECK_INT_EQ(store_put_categories(st, bad_cat, 1, &err), CSCC_EDATA);

    /* Population and priority lists may only name stored areas. */
    CHECK_INT_EQ(store_put_population(st, pop_ok, 1, &err), 0);
    CHECK_INT_EQ(store_put_population(st, pop_bad, 1, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "FOREIGN KEY") != NULL);
    n = 0;
    CHECK_INT_EQ(store_each_population(st, NULL, count_population, &n, &err), 0);
    CHECK_INT_EQ(n, 1);
    /* ... so areas still in use cannot be dropped. */
    CHECK_INT_EQ(store_put_areas(st, drop25, 1, &err), CSCC_EDATA);
    check_areas3(st, __LINE__);
    /* Replacing areas by the same numbers is fine. */
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);

    CHECK_INT_EQ(store_put_priority(st, "ocos", prio_ok, 2, &err), 0);
    CHECK_INT_EQ(store_put_priority(st, "ocos", prio_dup, 3, &err), CSCC_EDATA);
    CHECK_INT_EQ(store_get_priority(st, "ocos", got, 4, &np, &err), 0);
    CHECK_INT_EQ(np, 2);
    CHECK_INT_EQ(got[0], 25);
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                              */
/* ------------------------------------------------------------------------ */

TEST(store, explicit_transactions)
{
    static const struct store_area other[] = {{7, "Lincoln Park", "North Side", NULL}};
    static const struct store_area dup[] = {{8, "A", "", NULL}, {8, "B", "", NULL}};
    static const struct store_iucr good[] = {
        {"0110", "HOMICIDE", "FIRST DEGREE MURDER", "I", "01A"}};
    static const struct store_population orphan[] = {{50, "census2010", 2010, 1}};
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("t.db"));
    struct area_rows r;
    char buf[32];
    int n;

    if (!st)
        return;
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);

    /* Rollback discards every change. */
    CHECK_INT_EQ(store_begin(st, &err), 0);
    CHECK_INT_EQ(store_begin(st, &err), CSCC_EINVAL); /* not nestable */
    CHECK_INT_EQ(store_put_areas(st, other, 1, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "k", "v", &err), 0);
    read_areas(st, 0, &r); /* the transaction sees its own changes */
    CHECK_INT_EQ(r.n, 1);
    CHECK_INT_EQ(store_rollback(st), 0);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_get_setting(st, "k", buf, sizeof(buf), &err), CSCC_ENOENT);
    CHECK_INT_EQ(store_rollback(st), 0); /* no transaction: nothing to do */
    CHECK_INT_EQ(store_commit(st, &err), CSCC_EINVAL);

    /* Commit keeps them; a failing write inside undoes only itself. */
    CHECK_INT_EQ(store_begin(st, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "k", "v", &err), 0);
    CHECK_INT_EQ(store_put_areas(st, dup, 2, &err), CSCC_EDATA);
    CHECK_INT_EQ(store_put_iucr(st, good, 1, &err), 0);
    {
        int64_t id = 0;

        CHECK_INT_EQ(store_import_begin(st, "crimes", "[]", &id, &err), CSCC_EINVAL);
        CHECK(strstr(err.msg, "durable") != NULL);
    }
    CHECK_INT_EQ(store_commit(st, &err), 0);
    check_areas3(st, __LINE__);
    CHECK_INT_EQ(store_get_setting(st, "k", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "v");
    n = 0;
    CHECK_INT_EQ(store_each_iucr(st, count_iucr, &n, &err), 0);
    CHECK_INT_EQ(n, 1);

    /* A deferred foreign key fails at commit, which then rolls back. */
    CHECK_INT_EQ(store_begin(st, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "k", "changed", &err), 0);
    CHECK_INT_EQ(store_put_population(st, orphan, 1, &err), 0);
    CHECK_INT_EQ(store_commit(st, &err), CSCC_EDATA);
    CHECK(strstr(err.msg, "FOREIGN KEY") != NULL);
    CHECK_INT_EQ(store_get_setting(st, "k", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "v");
    n = 0;
    CHECK_INT_EQ(store_each_population(st, NULL, count_population, &n, &err), 0);
    CHECK_INT_EQ(n, 0);
    CHECK_INT_EQ(store_begin(st, &err), 0); /* the failed commit closed it */
    CHECK_INT_EQ(store_commit(st, &err), 0);

    /* Closing with an open transaction rolls it back. */
    CHECK_INT_EQ(store_begin(st, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "k", "lost", &err), 0);
    store_close(st);
    st = open_ok(tmp_path("t.db"));
    if (!st)
        return;
    CHECK_INT_EQ(store_get_setting(st, "k", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "v");
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

struct nested {
    struct store *st;
    int calls, inner_rows, errors;
};

/* Calls back into the store while its statement is still stepping. */
static int nested_area(void *arg, const struct store_area *a)
{
    struct nested *x = arg;
    struct cscc_err err = {0};
    struct area_rows inner;
    char buf[32];

    x->calls++;
    memset(&inner, 0, sizeof(inner));
    if (store_each_area(x->st, 0, collect_area, &inner, &err) != 0)
        x->errors++;
    x->inner_rows += inner.n;
    if (store_get_setting(x->st, "city", buf, sizeof(buf), &err) != 0 || strcmp(buf, "Chicago"))
        x->errors++;
    if (store_set_setting(x->st, "last", a->name, &err) != 0)
        x->errors++;
    return 0;
}

TEST(store, callbacks_stop_and_nest)
{
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("cb.db"));
    struct nested x = {0};
    struct area_rows r;
    char buf[32];

    if (!st)
        return;
    CHECK_INT_EQ(store_put_areas(st, areas3, 3, &err), 0);
    CHECK_INT_EQ(store_set_setting(st, "city", "Chicago", &err), 0);

    memset(&r, 0, sizeof(r));
    r.stop_after = 2;
    CHECK_INT_EQ(store_each_area(st, 1, collect_area, &r, &err), 99);
    CHECK_INT_EQ(r.n, 2);
    /* The stopped statement was reset: the next read starts over. */
    read_areas(st, 1, &r);
    CHECK_INT_EQ(r.n, 3);

    x.st = st;
    CHECK_INT_EQ(store_each_area(st, 0, nested_area, &x, &err), 0);
    CHECK_INT_EQ(x.calls, 3);
    CHECK_INT_EQ(x.inner_rows, 9);
    CHECK_INT_EQ(x.errors, 0);
    CHECK_INT_EQ(store_get_setting(st, "last", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "Austin");
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Import provenance                                                         */
/* ------------------------------------------------------------------------ */

struct import_rows {
    int n;
    int64_t id[8];
    char dataset[8][32];
    struct store_import last; /* scalar fields of the last row */
    char files[256], rejects_by_reason[128], rejects_file[128], message[128];
    int stop_after;
};

static int collect_import(void *arg, const struct store_import *imp)
{
    struct import_rows *r = arg;

    if (r->n < 8) {
        r->id[r->n] = imp->id;
        snprintf(r->dataset[r->n], sizeof(r->dataset[0]), "%s", imp->dataset);
    }
    r->n++;
    r->last = *imp;
    snprintf(r->files, sizeof(r->files), "%s", imp->files);
    snprintf(r->rejects_by_reason, sizeof(r->rejects_by_reason), "%s", imp->rejects_by_reason);
    snprintf(r->rejects_file, sizeof(r->rejects_file), "%s", imp->rejects_file);
    snprintf(r->message, sizeof(r->message), "%s", imp->message);
    r->last.dataset = r->last.files = r->last.rejects_by_reason = NULL;
    r->last.rejects_file = r->last.message = NULL;
    return r->stop_after && r->n >= r->stop_after ? 42 : 0;
}

TEST(store, import_round_trip)
{
    static const char files[] =
        "[{\"path\":\"crimes 2018.csv\",\"size\":123456,\"sha256\":\"ab12\"}]";
    struct cscc_err err = {0};
    struct store *st = open_ok(tmp_path("imp.db"));
    struct store_import fin;
    struct import_rows r;
    int64_t id1 = 0, id2 = 0, id3 = 0, before, after;

    if (!st)
        return;
    before = (int64_t)time(NULL);
    CHECK_INT_EQ(store_import_begin(st, "crimes", files, &id1, &err), 0);
    CHECK_INT_EQ(store_import_begin(st, "victims", NULL, &id2, &err), 0);
    CHECK_INT_EQ(store_import_begin(st, "crimes", "[]", &id3, &err), 0);
    after = (int64_t)time(NULL);
    CHECK(id1 > 0);
    CHECK(id2 > id1);
    CHECK(id3 > id2);

    /* A running import as recorded. */
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_get_import(st, id1, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 1);
    CHECK_INT_EQ(r.last.id, id1);
    CHECK_STR_EQ(r.dataset[0], "crimes");
    CHECK_STR_EQ(r.files, files);
    CHECK_INT_EQ(r.last.status, STORE_IMPORT_RUNNING);
    CHECK(r.last.started_at >= before && r.last.started_at <= after);
    CHECK_INT_EQ(r.last.finished_at, 0);
    CHECK_INT_EQ(r.last.rows_read, 0);
    CHECK_STR_EQ(r.message, "");
    CHECK_STR_EQ(r.rejects_by_reason, "");

    memset(&fin, 0, sizeof(fin));
    fin.finished_at = 1700000123;
    fin.status = STORE_IMPORT_OK;
    fin.rows_read = 5000000000LL; /* more than 32 bits */
    fin.rows_new = 1200;
    fin.rows_updated = 34;
    fin.rows_unchanged = 4999998700LL;
    fin.rows_rejected = 66;
    fin.rejects_by_reason = "{\"bad date\":60,\"no iucr\":6}";
    fin.rejects_file = "/var/cscc/rejects/1.csv";
    fin.message = "";
    fin.generation = 17;
    fin.dataset = "ignored";
    CHECK_INT_EQ(store_import_finish(st, id1, &fin, &err), 0);

    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_get_import(st, id1, collect_import, &r, &err), 0);
    CHECK_STR_EQ(r.dataset[0], "crimes"); /* not changed by finish */
    CHECK_STR_EQ(r.files, files);
    CHECK(r.last.started_at >= before && r.last.started_at <= after);
    CHECK_INT_EQ(r.last.finished_at, 1700000123);
    CHECK_INT_EQ(r.last.status, STORE_IMPORT_OK);
    CHECK_INT_EQ(r.last.rows_read, 5000000000LL);
    CHECK_INT_EQ(r.last.rows_new, 1200);
    CHECK_INT_EQ(r.last.rows_updated, 34);
    CHECK_INT_EQ(r.last.rows_unchanged, 4999998700LL);
    CHECK_INT_EQ(r.last.rows_rejected, 66);
    CHECK_STR_EQ(r.rejects_by_reason, "{\"bad date\":60,\"no iucr\":6}");
    CHECK_STR_EQ(r.rejects_file, "/var/cscc/rejects/1.csv");
    CHECK_INT_EQ(r.last.generation, 17);

    /* A failed import: message kept, finished_at 0 means now. */
    memset(&fin, 0, sizeof(fin));
    fin.status = STORE_IMPORT_FAILED;
    fin.message = "crimes.csv:17: column 'Date': not a date";
    CHECK_INT_EQ(store_import_finish(st, id2, &fin, &err), 0);
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_get_import(st, id2, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.last.status, STORE_IMPORT_FAILED);
    CHECK_STR_EQ(r.message, "crimes.csv:17: column 'Date': not a date");
    CHECK_STR_EQ(r.files, "[]");
    CHECK(r.last.finished_at >= before && r.last.finished_at <= (int64_t)time(NULL));

    /* Newest first, limit, dataset filter. */
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_import(st, NULL, 0, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 3);
    CHECK_INT_EQ(r.id[0], id3);
    CHECK_INT_EQ(r.id[1], id2);
    CHECK_INT_EQ(r.id[2], id1);
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_import(st, NULL, 2, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 2);
    CHECK_INT_EQ(r.id[0], id3);
    CHECK_INT_EQ(r.id[1], id2);
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_import(st, "crimes", 0, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 2);
    CHECK_INT_EQ(r.id[0], id3);
    CHECK_INT_EQ(r.id[1], id1);
    CHECK_STR_EQ(r.dataset[1], "crimes");
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_each_import(st, "crimes", 1, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 1);
    CHECK_INT_EQ(r.id[0], id3);
    memset(&r, 0, sizeof(r));
    r.stop_after = 1;
    CHECK_INT_EQ(store_each_import(st, NULL, 0, collect_import, &r, &err), 42);
    CHECK_INT_EQ(r.n, 1);

    /* Errors. */
    CHECK_INT_EQ(store_get_import(st, id3 + 100, collect_import, &r, &err), CSCC_ENOENT);
    CHECK_INT_EQ(store_import_finish(st, id3 + 100, &fin, &err), CSCC_ENOENT);
    CHECK_INT_EQ(store_import_begin(st, "crimes", "[not json", &id1, &err), CSCC_EDATA);
    CHECK_INT_EQ(id1, 0);
    CHECK_INT_EQ(store_import_begin(st, "", "[]", &id1, &err), CSCC_EINVAL);
    fin.status = (enum store_import_status)9;
    CHECK_INT_EQ(store_import_finish(st, id3, &fin, &err), CSCC_EINVAL);
    memset(&fin, 0, sizeof(fin));
    fin.status = STORE_IMPORT_OK;
    fin.rejects_by_reason = "{oops";
    CHECK_INT_EQ(store_import_finish(st, id3, &fin, &err), CSCC_EDATA);
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_get_import(st, id3, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.last.status, STORE_IMPORT_RUNNING); /* the failed finish changed nothing */
    store_close(st);
}

/* ------------------------------------------------------------------------ */
/* Durability and concurrency                                                */
/* ------------------------------------------------------------------------ */

TEST(store, import_begin_durable_without_close)
{
    const char *path = tmp_path("dur.db");
    struct cscc_err err = {0};
    struct import_rows r;
    struct store *st;
    int64_t id = 0;
    int fds[2], status = 0;
    pid_t pid;

    /* Create the schema first, so the child only does the import marker. */
    st = open_ok(path);
    if (!st)
        return;
    store_close(st);

    CHECK(pipe(fds) == 0);
    fflush(stdout);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        struct cscc_err cerr = {0};
        struct store *cst = store_open(path, &cerr);
        int64_t cid = 0;

        close(fds[0]);
        if (!cst || store_import_begin(cst, "crimes", "[]", &cid, &cerr) != 0)
            _exit(3);
        if (write(fds[1], &cid, sizeof(cid)) != (ssize_t)sizeof(cid))
            _exit(4);
        _exit(0); /* no close, no checkpoint: as if the process died */
    }
    close(fds[1]);
    CHECK(read(fds[0], &id, sizeof(id)) == (ssize_t)sizeof(id));
    close(fds[0]);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(id > 0);
    CHECK(exists(tmp_path("dur.db-wal"))); /* the record is in the WAL, not checkpointed */

    st = open_ok(path);
    if (!st)
        return;
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(store_get_import(st, id, collect_import, &r, &err), 0);
    CHECK_INT_EQ(r.n, 1);
    CHECK_STR_EQ(r.dataset[0], "crimes");
    CHECK_INT_EQ(r.last.status, STORE_IMPORT_RUNNING);
    store_close(st);
}

TEST(store, two_handles_same_file)
{
    static const struct store_area one[] = {{9, "Edison Park", "Far North Side", NULL}};
    const char *path = tmp_path("two.db");
    struct cscc_err err = {0};
    struct store *a = open_ok(path), *b = open_ok(path);
    struct area_rows r;
    char buf[32];

    if (!a || !b) {
        store_close(a);
        store_close(b);
        return;
    }
    CHECK_INT_EQ(store_schema_version(a), store_schema_version(b));
    CHECK_INT_EQ(store_put_areas(a, areas3, 3, &err), 0);
    check_areas3(b, __LINE__);
    CHECK_INT_EQ(store_set_setting(b, "from", "b", &err), 0);
    CHECK_INT_EQ(store_get_setting(a, "from", buf, sizeof(buf), &err), 0);
    CHECK_STR_EQ(buf, "b");

    /* A reader does not see, and is not blocked by, another's open transaction. */
    CHECK_INT_EQ(store_begin(a, &err), 0);
    CHECK_INT_EQ(store_put_areas(a, one, 1, &err), 0);
    check_areas3(b, __LINE__);
    CHECK_INT_EQ(store_commit(a, &err), 0);
    read_areas(b, 0, &r);
    CHECK_INT_EQ(r.n, 1);
    CHECK_INT_EQ(r.number[0], 9);
    store_close(a);
    store_close(b);
}

/* ------------------------------------------------------------------------ */
/* Generic queries (store_exec)                                              */
/* ------------------------------------------------------------------------ */

struct exec_rows {
    int n;
    enum store_vtype types[8];
    int64_t i;
    double r;
    char s[64];
    int stop_at;
};

static int exec_cb(void *arg, const struct store_row *row)
{
    struct exec_rows *x = arg;
    size_t k;

    for (k = 0; k < row->ncols && k < 8; k++)
        x->types[k] = row->col[k].type;
    x->i = store_row_int(row, 0);
    x->r = store_row_real(row, 1);
    snprintf(x->s, sizeof(x->s), "%s", store_row_text(row, 2));
    x->n++;
    return x->stop_at && x->n == x->stop_at ? 42 : 0;
}

TEST(store, exec_binds_types_changes_and_ids)
{
    struct store *st = open_ok(tmp_path("exec.db"));
    struct store_val args[4] = {STORE_INT(7), STORE_REAL(2.5), STORE_TEXT("seven"), STORE_NULL_V};
    struct exec_rows x;
    struct cscc_err err;
    int64_t id = 0;

    if (!st)
        return;
    cscc_err_clear(&err);
    memset(&x, 0, sizeof(x));
    CHECK_INT_EQ(store_exec(st, "select values", "SELECT ?, ?, ?, ?", args, 4, exec_cb, &x, &err),
                 0);
    CHECK_INT_EQ(x.n, 1);
    CHECK_INT_EQ(x.types[0], STORE_V_INT);
    CHECK_INT_EQ(x.types[1], STORE_V_REAL);
    CHECK_INT_EQ(x.types[2], STORE_V_TEXT);
    CHECK_INT_EQ(x.types[3], STORE_V_NULL);
    CHECK_INT_EQ(x.i, 7);
    CHECK_NEAR(x.r, 2.5, 0);
    CHECK_STR_EQ(x.s, "seven");
    {
        struct store_val v[2] = {STORE_TEXT("k1"), STORE_TEXT("v1")};

        CHECK_INT_EQ(store_exec(st, "store setting",
                                "INSERT INTO settings (key, value) VALUES (?, ?)", v, 2, NULL, NULL,
                                &err),
                     0);
        CHECK_INT_EQ(store_changes(st), 1);
        /* A taken key is CSCC_EEXIST, and says what was being done. */
        CHECK_INT_EQ(store_exec(st, "store setting",
                                "INSERT INTO settings (key, value) VALUES (?, ?)", v, 2, NULL, NULL,
                                &err),
                     CSCC_EEXIST);
        CHECK(strstr(err.msg, "cannot store setting") != NULL);
    }
    {
        struct store_val v[2] = {STORE_TEXT("crimes"), STORE_INT(1)};

        CHECK_INT_EQ(store_exec(st, "record import",
                                "INSERT INTO imports (dataset, started_at) VALUES (?, ?) "
                                "RETURNING id",
                                v, 2, exec_cb, &x, &err),
                     0);
        id = x.i;
        CHECK(id > 0);
        CHECK_INT_EQ(store_last_insert_id(st), id);
    }
    /* Updates count their rows; a callback's value stops the rows and is returned. */
    CHECK_INT_EQ(
        store_exec(st, "change", "UPDATE settings SET value = 'x'", NULL, 0, NULL, NULL, &err), 0);
    CHECK_INT_EQ(store_changes(st), 1);
    memset(&x, 0, sizeof(x));
    x.stop_at = 2;
    CHECK_INT_EQ(store_exec(st, "count",
                            "SELECT 1, 0, '' UNION ALL SELECT 2, 0, '' UNION ALL "
                            "SELECT 3, 0, ''",
                            NULL, 0, exec_cb, &x, &err),
                 42);
    CHECK_INT_EQ(x.n, 2);
    /* Mistakes of the caller. */
    CHECK_INT_EQ(store_exec(st, "x", "SELECT ?", NULL, 0, NULL, NULL, &err), CSCC_EINVAL);
    CHECK_INT_EQ(store_exec(st, "x", "SELECT 1; SELECT 2", NULL, 0, NULL, NULL, &err), CSCC_EINVAL);
    CHECK_INT_EQ(store_exec(st, "x", "SELEKT 1", NULL, 0, NULL, NULL, &err), CSCC_ESTORE);
    CHECK_INT_EQ(store_exec(st, "x", "", NULL, 0, NULL, NULL, &err), CSCC_EINVAL);
    store_close(st);
}

static int nested_cb(void *arg, const struct store_row *row)
{
    struct store *st = arg;
    struct store_val v[1] = {STORE_INT(store_row_int(row, 0))};
    struct exec_rows x;
    struct cscc_err err;

    memset(&x, 0, sizeof(x));
    cscc_err_clear(&err);
    /* The same statement text while it is running: a second statement is used. */
    return store_exec(st, "nested", "SELECT ? + 100, 0, '' UNION ALL SELECT 2, 0, ''", v, 1,
                      exec_cb, &x, &err) ||
           x.n != 2;
}

TEST(store, exec_nests_caches_and_undoes_one_statement_in_a_transaction)
{
    struct store *st = open_ok(tmp_path("exec2.db"));
    struct store_val one[1] = {STORE_INT(1)};
    struct exec_rows x;
    struct cscc_err err;
    char sql[64];
    int i, rc = 0;

    if (!st)
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(store_exec(st, "nested", "SELECT ? + 100, 0, '' UNION ALL SELECT 2, 0, ''", one, 1,
                            nested_cb, st, &err),
                 0);
    /* More statements than the cache holds: older ones are prepared again. */
    for (i = 0; i < 300 && !rc; i++) {
        snprintf(sql, sizeof(sql), "SELECT ? + %d, 0, ''", i % 150);
        memset(&x, 0, sizeof(x));
        rc = store_exec(st, "many", sql, one, 1, exec_cb, &x, &err);
        if (x.i != 1 + i % 150)
            rc = -100;
    }
    CHECK_INT_EQ(rc, 0);
    /* In a transaction, a failing statement undoes itself only. */
    CHECK_INT_EQ(store_begin(st, &err), 0);
    CHECK(store_in_transaction(st));
    {
        struct store_val a[2] = {STORE_TEXT("a"), STORE_TEXT("1")};
        struct store_val b[2] = {STORE_TEXT("b"), STORE_NULL_V}; /* value NOT NULL */

        CHECK_INT_EQ(store_exec(st, "put", "INSERT INTO settings (key, value) VALUES (?, ?)", a, 2,
                                NULL, NULL, &err),
                     0);
        CHECK_INT_EQ(store_exec(st, "put", "INSERT INTO settings (key, value) VALUES (?, ?)", b, 2,
                                NULL, NULL, &err),
                     CSCC_EDATA);
    }
    CHECK_INT_EQ(store_commit(st, &err), 0);
    CHECK(!store_in_transaction(st));
    memset(&x, 0, sizeof(x));
    CHECK_INT_EQ(
        store_exec(st, "count", "SELECT count(*), 0, '' FROM settings", NULL, 0, exec_cb, &x, &err),
        0);
    CHECK_INT_EQ(x.i, 1);
    store_close(st);
}

TEST(store, exec_on_a_read_only_database_fails_cleanly)
{
    const char *path = tmp_path("ro.db");
    struct store *st = open_ok(path);
    struct store_val v[2] = {STORE_TEXT("k"), STORE_TEXT("v")};
    struct cscc_err err;

    if (!st)
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(store_exec(st, "put", "INSERT INTO settings (key, value) VALUES (?, ?)", v, 2,
                            NULL, NULL, &err),
                 0);
    store_close(st);
    CHECK_INT_EQ(chmod(path, 0400), 0);
    if (geteuid() == 0) {
        /* root writes through file modes: a read-only connection stands in for it. */
        st = store_open(path, &err);
        CHECK(st != NULL);
        if (st) {
            CHECK_INT_EQ(
                store_exec(st, "readonly", "PRAGMA query_only = 1", NULL, 0, NULL, NULL, &err), 0);
            v[0] = STORE_TEXT("k2");
            CHECK_INT_EQ(store_exec(st, "store setting",
                                    "INSERT INTO settings (key, value) VALUES (?, ?)", v, 2, NULL,
                                    NULL, &err),
                         CSCC_EROFS);
            CHECK(strstr(err.msg, "cannot store setting") != NULL);
            CHECK(strstr(err.msg, "cannot be written") != NULL);
            store_close(st);
        }
    } else {
        CHECK(store_open(path, &err) == NULL);
        CHECK_INT_EQ(err.code, CSCC_EROFS);
        CHECK(strstr(err.msg, "read-only") != NULL);
    }
    chmod(path, 0600);
}

TEST(store, data_version_changes_on_another_connections_commit)
{
    struct cscc_err err = {0};
    struct store *reader, *writer;
    int64_t v1 = -1, v2 = -1, v3 = -1, v4 = -1;

    if (!(writer = open_ok(tmp_path("dv.db"))))
        return;
    if (!(reader = open_ok(tmp_path("dv.db")))) {
        store_close(writer);
        return;
    }
    CHECK_INT_EQ(store_data_version(reader, &v1, &err), 0);
    CHECK_INT_EQ(store_data_version(reader, &v2, &err), 0);
    CHECK(v1 == v2); /* nothing committed in between */
    CHECK_INT_EQ(store_set_setting(writer, "city", "Chicago", &err), 0);
    CHECK_INT_EQ(store_data_version(reader, &v3, &err), 0);
    CHECK(v3 != v2); /* another connection committed */
    /* the connection's own commits do not count: a cache's reader never writes */
    CHECK_INT_EQ(store_set_setting(reader, "city", "Evanston", &err), 0);
    CHECK_INT_EQ(store_data_version(reader, &v4, &err), 0);
    CHECK(v4 == v3);
    store_close(reader);
    store_close(writer);
}
