/* test_colstore.c - colstore: dictionaries, writing and mapping tables, the
 * day index, damaged files, atomic replacement. */
#include "test.h"

#include "colstore/colstore.h"
#include "core/alloc.h"
#include "core/time.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Column `name` of the table's first row group. */
static const struct colstore_col *col0(const struct colstore_table *t, const char *name)
{
    int i = colstore_col_index(t, name);

    return i < 0 || !colstore_ngroups(t) ? NULL
                                         : colstore_group_col(colstore_group_at(t, 0), (size_t)i);
}

static void day_rows0(const struct colstore_table *t, int64_t a, int64_t b, size_t *lo, size_t *hi)
{
    colstore_group_day_rows(colstore_group_at(t, 0), a, b, lo, hi);
}

TEST(colstore, dict_interns_and_finds)
{
    struct colstore_dict *d = colstore_dict_new(0), *c;
    char buf[32];
    size_t len;
    int i;

    CHECK_INT_EQ(colstore_dict_count(d), 1); /* "" */
    CHECK_INT_EQ(colstore_dict_intern(d, "", 0), 0);
    CHECK_INT_EQ(colstore_dict_intern(d, "BATTERY", 7), 1);
    CHECK_INT_EQ(colstore_dict_intern(d, "ROBBERY", 7), 2);
    CHECK_INT_EQ(colstore_dict_intern(d, "BATTERY", 7), 1);
    CHECK_INT_EQ(colstore_dict_find(d, "ROBBERY", 7), 2);
    CHECK_INT_EQ(colstore_dict_find(d, "ROBBER", 6), -1);
    CHECK_STR_EQ(colstore_dict_str(d, 2, &len), "ROBBERY");
    CHECK_INT_EQ(len, 7);
    /* many entries: codes stay dense and stable through rehashing */
    for (i = 0; i < 100000; i++) {
        snprintf(buf, sizeof(buf), "%03dXX W BLOCK %d", i % 997, i);
        CHECK_INT_EQ(colstore_dict_intern(d, buf, strlen(buf)), i + 3);
        if (colstore_dict_count(d) != (uint32_t)i + 4)
            break;
    }
    c = colstore_dict_clone(d);
    snprintf(buf, sizeof(buf), "%03dXX W BLOCK %d", 5 % 997, 5);
    CHECK_INT_EQ(colstore_dict_find(c, buf, strlen(buf)), 8);
    CHECK_INT_EQ(colstore_dict_intern(c, "NEW", 3), 100003);
    CHECK_INT_EQ(colstore_dict_find(d, "NEW", 3), -1); /* the clone is independent */
    colstore_dict_free(c);
    /* cleared: empty again, a new identity, and it fills as a new one would */
    {
        uint64_t id = colstore_dict_id(d);

        colstore_dict_clear(d);
        CHECK(colstore_dict_id(d) != id);
        CHECK_INT_EQ(colstore_dict_count(d), 1);
        CHECK_INT_EQ(colstore_dict_find(d, buf, strlen(buf)), -1);
        CHECK_INT_EQ(colstore_dict_find(d, "", 0), 0);
        CHECK_INT_EQ(colstore_dict_intern(d, "ROBBERY", 7), 1);
        CHECK_INT_EQ(colstore_dict_intern(d, buf, strlen(buf)), 2);
        CHECK_STR_EQ(colstore_dict_str(d, 2, &len), buf);
        CHECK_INT_EQ(colstore_dict_find(d, "ROBBERY", 7), 1);
    }
    colstore_dict_free(d);
}

TEST(colstore, dict_sort_orders_codes_by_bytes)
{
    static const char *const in[] = {"ROBBERY", "BATTERY", "a", "BATTERYX", "ARSON", "Z", "BATTER"};
    static const char *const want[] = {"",         "ARSON",   "BATTER", "BATTERY",
                                       "BATTERYX", "ROBBERY", "Z",      "a"};
    struct colstore_dict *d = colstore_dict_new(0);
    uint32_t order[8], i;

    for (i = 0; i < 7; i++)
        colstore_dict_intern(d, in[i], strlen(in[i]));
    CHECK_INT_EQ(colstore_dict_count(d), 8);
    memset(order, 0xff, sizeof(order));
    colstore_dict_sort(d, order);
    for (i = 0; i < 8; i++)
        CHECK_STR_EQ(colstore_dict_str(d, order[i], NULL), want[i]);
    colstore_dict_free(d);
}

TEST(colstore, dict_limit)
{
    struct colstore_dict *d = colstore_dict_new(3);

    CHECK_INT_EQ(colstore_dict_intern(d, "a", 1), 1);
    CHECK_INT_EQ(colstore_dict_intern(d, "b", 1), 2);
    CHECK_INT_EQ(colstore_dict_intern(d, "c", 1), -1);
    CHECK_INT_EQ(colstore_dict_intern(d, "a", 1), 1);
    colstore_dict_free(d);
}

/* A two-segment table: segment 0 has rows on days 0,2 ; segment 1 on 1,3,3. */
struct fixture {
    int64_t t0[2], t1[3];
    double f0[2], f1[3];
    uint8_t u0[2], u1[3];
    uint32_t d0[2], d1[3];
    uint32_t s0off[3], s1off[4];
    const char *s0blob, *s1blob;
    struct colstore_dict *dict;
    struct colstore_seg seg_t[2], seg_f[2], seg_u[2], seg_d[2], seg_s[2];
    struct colstore_wcol cols[5];
};

static void fixture_init(struct fixture *fx, uint32_t dict_entries)
{
    int64_t day = cscc_days_from_civil(2016, 1, 1) * CSCC_SECS_PER_DAY;
    uint32_t i;
    char buf[32];

    fx->t0[0] = day + 3600;
    fx->t0[1] = day + 2 * CSCC_SECS_PER_DAY + 7200;
    fx->t1[0] = day + CSCC_SECS_PER_DAY + 60;
    fx->t1[1] = day + 3 * CSCC_SECS_PER_DAY;
    fx->t1[2] = day + 3 * CSCC_SECS_PER_DAY + 86399;
    fx->f0[0] = 41.753985135;
    fx->f0[1] = NAN;
    fx->f1[0] = -87.664263469;
    fx->f1[1] = 0.5;
    fx->f1[2] = 1e300;
    fx->u0[0] = 25;
    fx->u0[1] = COLSTORE_NULL_U8;
    fx->u1[0] = 71;
    fx->u1[1] = 1;
    fx->u1[2] = 77;
    fx->dict = colstore_dict_new(0);
    for (i = 1; i < dict_entries; i++) {
        snprintf(buf, sizeof(buf), "value %u", i);
        colstore_dict_intern(fx->dict, buf, strlen(buf));
    }
    fx->d0[0] = 1;
    fx->d0[1] = dict_entries - 1;
    fx->d1[0] = 0;
    fx->d1[1] = dict_entries / 2;
    fx->d1[2] = 2;
    /* string sources keep 16 readable bytes after their last string */
    fx->s0blob = "HZ100001JA2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    fx->s0off[0] = 0;
    fx->s0off[1] = 8;
    fx->s0off[2] = 11;
    fx->s1blob = "ABC\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    fx->s1off[0] = 0;
    fx->s1off[1] = 0;
    fx->s1off[2] = 1;
    fx->s1off[3] = 3;
    fx->seg_t[0] = (struct colstore_seg){fx->t0, NULL, 0, NULL, 0};
    fx->seg_t[1] = (struct colstore_seg){fx->t1, NULL, 0, NULL, 0};
    fx->seg_f[0] = (struct colstore_seg){fx->f0, NULL, 0, NULL, 0};
    fx->seg_f[1] = (struct colstore_seg){fx->f1, NULL, 0, NULL, 0};
    fx->seg_u[0] = (struct colstore_seg){fx->u0, NULL, 0, NULL, 0};
    fx->seg_u[1] = (struct colstore_seg){fx->u1, NULL, 0, NULL, 0};
    fx->seg_d[0] = (struct colstore_seg){fx->d0, NULL, 4, NULL, 0};
    fx->seg_d[1] = (struct colstore_seg){fx->d1, NULL, 4, NULL, 0};
    fx->seg_s[0] = (struct colstore_seg){fx->s0off, fx->s0blob, 0, NULL, 0};
    fx->seg_s[1] = (struct colstore_seg){fx->s1off, fx->s1blob, 0, NULL, 0};
    fx->cols[0] = (struct colstore_wcol){"date", COLSTORE_I64, NULL, fx->seg_t};
    fx->cols[1] = (struct colstore_wcol){"lat", COLSTORE_F64, NULL, fx->seg_f};
    fx->cols[2] = (struct colstore_wcol){"area", COLSTORE_U8, NULL, fx->seg_u};
    fx->cols[3] = (struct colstore_wcol){"type", COLSTORE_DICT, fx->dict, fx->seg_d};
    fx->cols[4] = (struct colstore_wcol){"case", COLSTORE_STR, NULL, fx->seg_s};
}

/* Time order: s0r0 (day0), s1r0 (day1), s0r1 (day2), s1r1, s1r2 (day3).
 * Two ways to say it: staging already in time order (fine = identity), or a
 * scrambled staging order put right by fine. */
static const uint32_t pos0_id[2] = {0, 2}, pos1_id[3] = {1, 3, 4};
static const uint32_t pos0_sc[2] = {4, 0}, pos1_sc[3] = {3, 2, 1};
static const uint32_t fine_sc[5] = {4, 3, 0, 2, 1};
static const size_t seg_rows[2] = {2, 3};

static struct colstore_order order_of(int scrambled)
{
    static const uint32_t *pid[2] = {pos0_id, pos1_id}, *psc[2] = {pos0_sc, pos1_sc};
    struct colstore_order o;

    o.pos = scrambled ? psc : pid;
    o.seg_rows = seg_rows;
    o.fine = scrambled ? fine_sc : NULL;
    return o;
}

static int write_fixture(struct fixture *fx, const char *path, int threads, uint64_t gen)
{
    struct colstore_wopts o;
    struct colstore_order ord = order_of(threads % 2 == 0);
    struct cscc_err err;

    memset(&o, 0, sizeof(o));
    o.generation = gen;
    o.import_id = 42;
    o.meta_json = "{\"dataset\":\"test\"}";
    o.sort_col = 0;
    o.threads = threads;
    cscc_err_clear(&err);
    return colstore_write(path, fx->cols, 5, 2, &ord, 5, &o, &err);
}

static void check_table(struct fixture *fx, const char *path, uint32_t dict_entries)
{
    struct cscc_err err;
    struct colstore_table *t;
    const struct colstore_col *c;
    const int64_t *tv;
    const double *fv;
    const uint8_t *uv;
    size_t lo, hi, len;
    int64_t d0 = cscc_days_from_civil(2016, 1, 1), first, last;
    const char *s;
    unsigned w;

    cscc_err_clear(&err);
    t = colstore_open(path, &err);
    CHECK(t != NULL);
    if (!t) {
        test_note("open failed: %s", err.msg);
        return;
    }
    CHECK_INT_EQ(colstore_nrows(t), 5);
    CHECK_INT_EQ(colstore_ncols(t), 5);
    CHECK_INT_EQ(colstore_import_id(t), 42);
    CHECK_STR_EQ(colstore_meta(t), "{\"dataset\":\"test\"}");
    tv = colstore_col_data(col0(t, "date"));
    CHECK_INT_EQ(tv[0], fx->t0[0]);
    CHECK_INT_EQ(tv[1], fx->t1[0]);
    CHECK_INT_EQ(tv[2], fx->t0[1]);
    CHECK_INT_EQ(tv[4], fx->t1[2]);
    fv = colstore_col_data(col0(t, "lat"));
    CHECK(fv[0] == 41.753985135);
    CHECK(isnan(fv[2]));
    CHECK(fv[4] == 1e300);
    uv = colstore_col_data(col0(t, "area"));
    CHECK_INT_EQ(uv[0], 25);
    CHECK_INT_EQ(uv[1], 71);
    CHECK_INT_EQ(uv[2], COLSTORE_NULL_U8);
    c = col0(t, "type");
    CHECK(c != NULL);
    w = colstore_col_width(c);
    CHECK_INT_EQ(w, dict_entries <= 256 ? 1 : dict_entries <= 65536 ? 2 : 4);
    CHECK_INT_EQ(colstore_col_dict_count(c), dict_entries);
    /* a table by code covers every code the width holds, or the dictionary and one more */
    CHECK_INT_EQ(colstore_col_code_space(c), w == 1   ? 256
                                             : w == 2 ? 65536
                                                      : (size_t)dict_entries + 1);
    CHECK_INT_EQ(colstore_code_at(colstore_col_data(c), w, 0), 1);
    CHECK_INT_EQ(colstore_code_at(colstore_col_data(c), w, 1), 0);
    CHECK_INT_EQ(colstore_code_at(colstore_col_data(c), w, 2), dict_entries - 1);
    CHECK_INT_EQ(colstore_code_at(colstore_col_data(c), w, 3), dict_entries / 2);
    CHECK_STR_EQ(colstore_col_dict_str(c, 1, &len), "value 1");
    CHECK_INT_EQ(colstore_col_dict_find(c, "value 2", 7), 2);
    c = col0(t, "case");
    s = colstore_col_str(c, 0, &len);
    CHECK_MEM_EQ(s, len, "HZ100001", 8);
    s = colstore_col_str(c, 1, &len);
    CHECK_INT_EQ(len, 0);
    s = colstore_col_str(c, 2, &len);
    CHECK_MEM_EQ(s, len, "JA2", 3);
    s = colstore_col_str(c, 4, &len);
    CHECK_MEM_EQ(s, len, "BC", 2);
    CHECK(col0(t, "nope") == NULL);
    /* day index */
    colstore_day_span(t, &first, &last);
    CHECK_INT_EQ(first, d0);
    CHECK_INT_EQ(last, d0 + 3);
    day_rows0(t, d0, d0, &lo, &hi);
    CHECK_INT_EQ(lo, 0);
    CHECK_INT_EQ(hi, 1);
    day_rows0(t, d0 + 1, d0 + 2, &lo, &hi);
    CHECK_INT_EQ(lo, 1);
    CHECK_INT_EQ(hi, 3);
    day_rows0(t, d0 + 3, d0 + 100, &lo, &hi);
    CHECK_INT_EQ(lo, 3);
    CHECK_INT_EQ(hi, 5);
    day_rows0(t, d0 - 10, d0 - 1, &lo, &hi);
    CHECK_INT_EQ(hi - lo, 0);
    day_rows0(t, d0 - 10, d0 + 10, &lo, &hi);
    CHECK_INT_EQ(lo, 0);
    CHECK_INT_EQ(hi, 5);
    colstore_close(t);
}

TEST(colstore, write_and_read_back)
{
    static const uint32_t sizes[] = {10, 300, 70000};
    size_t i;

    for (i = 0; i < 3; i++) {
        struct fixture fx;
        char path[4096];

        memset(&fx, 0, sizeof(fx));
        fixture_init(&fx, sizes[i]);
        snprintf(path, sizeof(path), "%s/t%zu.cst", test_tmpdir(), i);
        CHECK_INT_EQ(write_fixture(&fx, path, (int)i + 1, 7), 0);
        check_table(&fx, path, sizes[i]);
        colstore_dict_free(fx.dict);
    }
}

TEST(colstore, refuses_unsorted_rows)
{
    static const uint32_t b0[2] = {1, 2}, b1[3] = {0, 3, 4}; /* day1 before day0 */
    static const uint32_t *bp[2] = {b0, b1};
    struct colstore_order ord = {bp, seg_rows, NULL};
    struct fixture fx;
    struct colstore_wopts o;
    struct cscc_err err;
    char path[4096];

    memset(&fx, 0, sizeof(fx));
    fixture_init(&fx, 10);
    memset(&o, 0, sizeof(o));
    o.sort_col = 0;
    o.threads = 1;
    cscc_err_clear(&err);
    snprintf(path, sizeof(path), "%s/bad.cst", test_tmpdir());
    CHECK(colstore_write(path, fx.cols, 5, 2, &ord, 5, &o, &err) != 0);
    CHECK(strstr(err.msg, "time order") != NULL);
    CHECK(access(path, F_OK) != 0); /* nothing left behind */
    colstore_dict_free(fx.dict);
}

static void corrupt(const char *path, off_t off, int delta)
{
    int fd = open(path, O_RDWR);
    unsigned char b;

    if (fd < 0)
        return;
    if (pread(fd, &b, 1, off) == 1) {
        b = (unsigned char)(b + delta);
        if (pwrite(fd, &b, 1, off) != 1)
            test_note("pwrite failed");
    }
    close(fd);
}

TEST(colstore, damaged_files_are_refused)
{
    struct fixture fx;
    struct cscc_err err;
    char path[4096];
    struct stat st;
    int fd;

    memset(&fx, 0, sizeof(fx));
    fixture_init(&fx, 10);
    snprintf(path, sizeof(path), "%s/d.cst", test_tmpdir());

    CHECK_INT_EQ(write_fixture(&fx, path, 1, 1), 0);
    corrupt(path, 20, 1); /* a header byte: checksum mismatch */
    cscc_err_clear(&err);
    CHECK(colstore_open(path, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EDATA);
    CHECK(strstr(err.msg, "damaged") != NULL);

    CHECK_INT_EQ(write_fixture(&fx, path, 1, 1), 0);
    stat(path, &st);
    fd = open(path, O_RDWR);
    CHECK_INT_EQ(ftruncate(fd, st.st_size - 1), 0); /* torn write */
    close(fd);
    cscc_err_clear(&err);
    CHECK(colstore_open(path, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_EDATA);

    CHECK_INT_EQ(write_fixture(&fx, path, 1, 1), 0);
    corrupt(path, 0, 1); /* magic */
    cscc_err_clear(&err);
    CHECK(colstore_open(path, &err) == NULL);
    CHECK(strstr(err.msg, "not a cscc table") != NULL);

    cscc_err_clear(&err);
    snprintf(path, sizeof(path), "%s/none.cst", test_tmpdir());
    CHECK(colstore_open(path, &err) == NULL);
    CHECK_INT_EQ(err.code, CSCC_ENOENT);
    colstore_dict_free(fx.dict);
}

TEST(colstore, commit_replaces_atomically_and_old_maps_stay_valid)
{
    struct fixture fx;
    struct cscc_err err;
    struct colstore_table *old, *cur;
    char tmp[4096], path[4096];

    memset(&fx, 0, sizeof(fx));
    fixture_init(&fx, 10);
    snprintf(tmp, sizeof(tmp), "%s/c.cst.tmp", test_tmpdir());
    snprintf(path, sizeof(path), "%s/c.cst", test_tmpdir());
    cscc_err_clear(&err);
    CHECK_INT_EQ(write_fixture(&fx, tmp, 2, 1), 0);
    CHECK_INT_EQ(colstore_commit(tmp, path, &err), 0);
    old = colstore_open(path, &err);
    CHECK(old != NULL);
    fx.t0[0] += 5; /* the new generation differs */
    CHECK_INT_EQ(write_fixture(&fx, tmp, 2, 2), 0);
    CHECK_INT_EQ(colstore_commit(tmp, path, &err), 0);
    CHECK(access(tmp, F_OK) != 0);
    cur = colstore_open(path, &err);
    CHECK(cur != NULL);
    if (old && cur) {
        CHECK_INT_EQ(colstore_generation(old), 1);
        CHECK_INT_EQ(colstore_generation(cur), 2);
        /* the old mapping still reads the old rows */
        CHECK_INT_EQ(((const int64_t *)colstore_col_data(col0(old, "date")))[0], fx.t0[0] - 5);
        CHECK_INT_EQ(((const int64_t *)colstore_col_data(col0(cur, "date")))[0], fx.t0[0]);
    }
    colstore_close(old);
    colstore_close(cur);
    /* a commit into a missing directory fails and says where */
    cscc_err_clear(&err);
    CHECK_INT_EQ(write_fixture(&fx, tmp, 1, 3), 0);
    CHECK(colstore_commit(tmp, "/nonexistent-dir/x.cst", &err) != 0);
    CHECK(strstr(err.msg, "/nonexistent-dir/x.cst") != NULL);
    colstore_dict_free(fx.dict);
}

TEST(colstore, write_failure_leaves_nothing)
{
    struct fixture fx;
    struct colstore_wopts o;
    struct colstore_order ord = order_of(0);
    struct cscc_err err;

    memset(&fx, 0, sizeof(fx));
    fixture_init(&fx, 10);
    memset(&o, 0, sizeof(o));
    o.sort_col = 0;
    o.threads = 1;
    cscc_err_clear(&err);
    CHECK_INT_EQ(colstore_write("/nonexistent-dir/t.cst", fx.cols, 5, 2, &ord, 5, &o, &err),
                 CSCC_EIO);
    CHECK(strstr(err.msg, "cannot create /nonexistent-dir/t.cst") != NULL);
    colstore_dict_free(fx.dict);
}

TEST(colstore, empty_table)
{
    static const uint32_t nopos[1] = {0};
    static const uint32_t *pp[1] = {nopos};
    static const size_t zero[1] = {0};
    struct colstore_order ord = {pp, zero, NULL};
    struct colstore_wcol col = {"date", COLSTORE_I64, NULL, NULL};
    struct colstore_seg seg = {"", NULL, 0, NULL, 0};
    struct colstore_wopts o;
    struct cscc_err err;
    struct colstore_table *t;
    char path[4096];
    size_t lo, hi;

    col.segs = &seg;
    memset(&o, 0, sizeof(o));
    o.sort_col = 0;
    o.threads = 1;
    snprintf(path, sizeof(path), "%s/e.cst", test_tmpdir());
    cscc_err_clear(&err);
    CHECK_INT_EQ(colstore_write(path, &col, 1, 1, &ord, 0, &o, &err), 0);
    t = colstore_open(path, &err);
    CHECK(t != NULL);
    if (t) {
        CHECK_INT_EQ(colstore_nrows(t), 0);
        CHECK_INT_EQ(colstore_ngroups(t), 1);
        day_rows0(t, 0, 100000, &lo, &hi);
        CHECK_INT_EQ(hi - lo, 0);
        colstore_close(t);
    }
}

TEST(colstore, dropped_rows_and_bad_orders)
{
    /* segment 1's middle row is dropped; the output has four rows */
    static const uint32_t p0[2] = {0, 2}, p1[3] = {1, COLSTORE_DROP, 3};
    static const uint32_t *pp[2] = {p0, p1};
    struct colstore_order ord = {pp, seg_rows, NULL};
    struct fixture fx;
    struct colstore_wopts o;
    struct cscc_err err;
    struct colstore_table *t;
    char path[4096];
    size_t len;

    memset(&fx, 0, sizeof(fx));
    fixture_init(&fx, 10);
    memset(&o, 0, sizeof(o));
    o.sort_col = 0;
    o.threads = 2;
    snprintf(path, sizeof(path), "%s/drop.cst", test_tmpdir());
    cscc_err_clear(&err);
    CHECK_INT_EQ(colstore_write(path, fx.cols, 5, 2, &ord, 4, &o, &err), 0);
    t = colstore_open(path, &err);
    CHECK(t != NULL);
    if (t) {
        const int64_t *tv = colstore_col_data(col0(t, "date"));
        const char *cs;

        CHECK_INT_EQ(colstore_nrows(t), 4);
        CHECK_INT_EQ(tv[3], fx.t1[2]);
        cs = colstore_col_str(col0(t, "case"), 3, &len);
        CHECK_MEM_EQ(cs, len, "BC", 2);
        colstore_close(t);
    }
    /* the kept rows must number exactly nrows */
    cscc_err_clear(&err);
    CHECK_INT_EQ(colstore_write(path, fx.cols, 5, 2, &ord, 5, &o, &err), CSCC_EINVAL);
    colstore_dict_free(fx.dict);
}

TEST(colstore, groups_with_their_own_and_shared_dictionaries)
{
    /* Two groups from two writers' calls: group A has its own dictionary,
     * group B shares A's; the reader sees both, each with its day index. */
    struct fixture fa, fb;
    struct colstore_schema_col schema[5];
    struct colstore_wopts o;
    struct colstore_writer *w;
    struct colstore_table *t;
    struct cscc_err err;
    struct colstore_order ord = order_of(1);
    char path[4096];
    size_t i, lo, hi, len;
    int64_t first, last, d0 = cscc_days_from_civil(2016, 1, 1);

    memset(&fa, 0, sizeof(fa));
    memset(&fb, 0, sizeof(fb));
    fixture_init(&fa, 300);
    fixture_init(&fb, 10);
    for (i = 0; i < 2; i++) /* group B: the same rows a year later */
        fb.t0[i] += 366 * CSCC_SECS_PER_DAY;
    for (i = 0; i < 3; i++)
        fb.t1[i] += 366 * CSCC_SECS_PER_DAY;
    fb.cols[3].dict = fa.dict; /* shared: written once */
    for (i = 0; i < 5; i++) {
        schema[i].name = fa.cols[i].name;
        schema[i].type = fa.cols[i].type;
    }
    snprintf(path, sizeof(path), "%s/g.cst", test_tmpdir());
    cscc_err_clear(&err);
    w = colstore_writer_new(path, schema, 5, 0, &err);
    CHECK(w != NULL);
    if (!w)
        return;
    CHECK_INT_EQ(colstore_writer_add(w, fa.cols, 2, &ord, 5, 2, NULL, NULL, &err), 0);
    CHECK_INT_EQ(colstore_writer_add(w, fb.cols, 2, &ord, 5, 1, NULL, NULL, &err), 0);
    memset(&o, 0, sizeof(o));
    o.generation = 3;
    CHECK_INT_EQ(colstore_writer_finish(w, &o, &err), 0);
    colstore_writer_free(w);
    t = colstore_open(path, &err);
    CHECK(t != NULL);
    if (t) {
        const struct colstore_group *ga = colstore_group_at(t, 0), *gb = colstore_group_at(t, 1);
        int ct = colstore_col_index(t, "type"), cc = colstore_col_index(t, "case");

        CHECK_INT_EQ(colstore_nrows(t), 10);
        CHECK_INT_EQ(colstore_ngroups(t), 2);
        CHECK_INT_EQ(colstore_generation(t), 3);
        CHECK_STR_EQ(colstore_schema_name(t, 4), "case");
        CHECK(colstore_group_at(t, 2) == NULL);
        colstore_day_span(t, &first, &last);
        CHECK_INT_EQ(first, d0);
        CHECK_INT_EQ(last, d0 + 366 + 3);
        colstore_group_day_rows(ga, d0 + 366, d0 + 400, &lo, &hi);
        CHECK_INT_EQ(hi - lo, 0);
        colstore_group_day_rows(gb, d0 + 366, d0 + 400, &lo, &hi);
        CHECK_INT_EQ(hi - lo, 5);
        /* group B's codes index the shared dictionary: 300 entries, 2-byte codes */
        CHECK_INT_EQ(colstore_col_dict_count(colstore_group_col(gb, (size_t)ct)), 300);
        CHECK_INT_EQ(colstore_col_width(colstore_group_col(gb, (size_t)ct)), 2);
        CHECK_STR_EQ(colstore_col_dict_str(colstore_group_col(gb, (size_t)ct), 299, &len),
                     "value 299");
        CHECK_MEM_EQ(colstore_col_str(colstore_group_col(gb, (size_t)cc), 0, &len), 8, "HZ100001",
                     8);
        colstore_close(t);
    }
    /* a group whose columns do not match the schema is refused */
    w = colstore_writer_new(path, schema, 5, 0, &err);
    if (w) {
        fb.cols[1].type = COLSTORE_I64;
        CHECK_INT_EQ(colstore_writer_add(w, fb.cols, 2, &ord, 5, 1, NULL, NULL, &err), CSCC_EINVAL);
        colstore_writer_free(w); /* not finished: the file is removed */
        CHECK(access(path, F_OK) != 0);
    }
    colstore_dict_free(fa.dict);
    colstore_dict_free(fb.dict);
}
