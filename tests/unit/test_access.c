/* Unit tests of src/access: the password policy, logins with wrong
 * passwords and throttling, session expiry with injected time, API token
 * revocation, CSRF tokens, authorization refusals, the append-only audit
 * log, and small-cell suppression attacked by solving the margins. */
#include "test.h"

#include "access/access.h"
#include "access/privacy.h"
#include "core/alloc.h"

#include <sqlite3.h>
#include <stdlib.h>

#define T0 1700000000 /* an injected "now" */

struct fx {
    struct store *st;
    struct access_blocklist *bl;
    struct access *a;
    struct access_actor admin;
    char db[1024];
};

static struct access_config cheap_config(void)
{
    struct access_config c;

    access_config_default(&c);
    /* argon2id at its least cost, so that hundreds of logins run fast; the
     * cost does not change the rules under test. */
    c.pwhash_ops = 1;
    c.pwhash_mem = 8192;
    return c;
}

static int fx_open(struct fx *f, const struct access_config *cfg)
{
    struct cscc_err err;
    char path[1024];

    memset(f, 0, sizeof(*f));
    cscc_err_clear(&err);
    CHECK_INT_EQ(access_init(&err), 0);
    snprintf(f->db, sizeof(f->db), "%s/cscc.db", test_tmpdir());
    snprintf(path, sizeof(path), "%s/data/reference/common_passwords.txt", TEST_SOURCE_DIR);
    f->st = store_open(f->db, &err);
    f->bl = access_blocklist_load(path, &err);
    if (!f->st || !f->bl) {
        test_fail(__FILE__, __LINE__, "fixture: %s", err.msg);
        return -1;
    }
    f->a = access_new(f->st, cfg, f->bl);
    snprintf(f->admin.name, sizeof(f->admin.name), "cli:test");
    snprintf(f->admin.address, sizeof(f->admin.address), "local");
    return 0;
}

static void fx_close(struct fx *f)
{
    access_free(f->a);
    access_blocklist_free(f->bl);
    store_close(f->st);
}

static const char good_pw[] = "violet harbor lantern seven";

static int add_user(struct fx *f, const char *name, enum access_role role)
{
    struct cscc_err err;
    int rc;

    cscc_err_clear(&err);
    rc = access_user_add(f->a, name, role, role == ACCESS_PARTNER ? 7 : 0,
                         role == ACCESS_DEPARTMENT ? "Streets and Sanitation" : NULL, good_pw,
                         strlen(good_pw), &f->admin, T0, NULL, &err);
    if (rc)
        test_note("add %s: %s", name, err.msg);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Passwords and roles                                                       */
/* ------------------------------------------------------------------------ */

static int pw_ok(struct fx *f, const char *user, const char *pw)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    return access_password_check(f->a, user, pw, strlen(pw), &err) == 0;
}

TEST(access, password_policy)
{
    struct fx f;
    char longpw[300];

    if (fx_open(&f, NULL))
        return;
    CHECK(access_blocklist_count(f.bl) > 3400); /* 3,585 lines, 3,450 without regard to case */
    CHECK(access_blocklist_has(f.bl, "PassWord", 8));
    CHECK(!pw_ok(&f, "ann", "fourteen chars")); /* 14 */
    CHECK(pw_ok(&f, "ann", "fifteen  chars!")); /* 15 */
    /* no composition rules: lower case words are fine */
    CHECK(pw_ok(&f, "ann", "correct llama fusion bridge"));
    /* characters are code points: 15 accented letters (30 bytes) pass */
    CHECK(pw_ok(&f, "ann", "\xc3\xa9t\xc3\xa9 \xc3\xa0 la plage d\xc3\xa9j\xc3\xa0"));
    memset(longpw, 0, sizeof(longpw));
    memset(longpw, 'x', 256);
    CHECK(!pw_ok(&f, "ann", longpw)); /* a repeated character */
    {
        size_t i;

        for (i = 0; i < 256; i++)
            longpw[i] = (char)('a' + (i * 7 + i / 26) % 26);
        CHECK(pw_ok(&f, "ann", longpw)); /* 256 allowed */
        longpw[256] = 'q';
        CHECK(!pw_ok(&f, "ann", longpw)); /* 257 refused */
    }
    /* blocklist, any case */
    CHECK(!pw_ok(&f, "ann", "iloveyouforever"));
    CHECK(!pw_ok(&f, "ann", "ILoveYouForever"));
    /* a common password repeated, a short pattern repeated, runs, walks */
    CHECK(!pw_ok(&f, "ann", "passwordpassword"));
    CHECK(!pw_ok(&f, "ann", "abcabcabcabcabcab"));
    CHECK(!pw_ok(&f, "ann", "123456789012345"));
    CHECK(!pw_ok(&f, "ann", "zyxwvutsrqponmlk"));
    CHECK(!pw_ok(&f, "ann", "qwertyuiopasdfgh"));
    /* the user's name */
    CHECK(!pw_ok(&f, "rosalind", "my name is ROSALIND ok"));
    fx_close(&f);
}

TEST(access, roles)
{
    enum access_role r;

    CHECK_INT_EQ(access_role_parse("coordinator", &r), 0);
    CHECK_INT_EQ(r, ACCESS_COORDINATOR);
    CHECK(access_role_parse("root", &r) != 0);
    CHECK(access_role_at_least(ACCESS_ADMIN, ACCESS_ANALYST));
    CHECK(!access_role_at_least(ACCESS_PARTNER, ACCESS_ANALYST));
    CHECK_STR_EQ(access_role_name(ACCESS_DEPARTMENT), "department");
}

TEST(access, accounts)
{
    struct fx f;
    struct cscc_err err;
    struct access_user u;

    if (fx_open(&f, NULL))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(add_user(&f, "Alice", ACCESS_ANALYST), 0);
    /* names are unique regardless of case */
    CHECK_INT_EQ(access_user_add(f.a, "alice", ACCESS_ADMIN, 0, NULL, good_pw, strlen(good_pw),
                                 &f.admin, T0, NULL, &err),
                 CSCC_EEXIST);
    /* a partner needs an organization, a department user a department */
    CHECK_INT_EQ(
        access_user_add(f.a, "p1", ACCESS_PARTNER, 0, NULL, NULL, 0, &f.admin, T0, NULL, &err),
        CSCC_EINVAL);
    CHECK_INT_EQ(
        access_user_add(f.a, "d1", ACCESS_DEPARTMENT, 0, "", NULL, 0, &f.admin, T0, NULL, &err),
        CSCC_EINVAL);
    CHECK_INT_EQ(
        access_user_add(f.a, "x y", ACCESS_ADMIN, 0, NULL, NULL, 0, &f.admin, T0, NULL, &err),
        CSCC_EINVAL);
    CHECK_INT_EQ(
        access_user_add(f.a, "weak", ACCESS_ADMIN, 0, NULL, "short", 5, &f.admin, T0, NULL, &err),
        CSCC_EINVAL);
    CHECK_INT_EQ(add_user(&f, "p1", ACCESS_PARTNER), 0);
    CHECK_INT_EQ(access_user_get(f.a, "P1", &u, &err), 0);
    CHECK_INT_EQ(u.role, ACCESS_PARTNER);
    CHECK_INT_EQ(u.org_id, 7);
    CHECK_INT_EQ(access_user_set_role(f.a, "p1", ACCESS_DEPARTMENT, 0, "Water Management", &f.admin,
                                      T0, &err),
                 0);
    CHECK_INT_EQ(access_user_get(f.a, "p1", &u, &err), 0);
    CHECK_INT_EQ(u.role, ACCESS_DEPARTMENT);
    CHECK_STR_EQ(u.department, "Water Management");
    CHECK_INT_EQ(u.org_id, 0);
    CHECK_INT_EQ(access_user_set_role(f.a, "nobody", ACCESS_ADMIN, 0, NULL, &f.admin, T0, &err),
                 CSCC_ENOENT);
    fx_close(&f);
}

/* ------------------------------------------------------------------------ */
/* Logins, throttling, sessions, tokens                                      */
/* ------------------------------------------------------------------------ */

struct audit_scan {
    int logins, failed, throttled, denied, leaked;
    const char *secret;
};

static int audit_cb(void *arg, const struct store_audit *a)
{
    struct audit_scan *s = arg;

    s->logins += !strcmp(a->action, "login");
    s->failed += !strcmp(a->action, "login.failed");
    s->throttled += !strcmp(a->action, "login.throttled");
    s->denied += !strcmp(a->action, "authz.denied");
    if (s->secret && (strstr(a->detail, s->secret) || strstr(a->object, s->secret)))
        s->leaked++;
    if (strstr(a->detail, good_pw) || strstr(a->detail, "cscc_s_") || strstr(a->detail, "cscc_t_"))
        s->leaked++;
    return 0;
}

TEST(access, login_wrong_password_and_sessions)
{
    struct access_config cfg = cheap_config();
    struct fx f;
    struct cscc_err err;
    struct access_session s;
    struct audit_scan scan;
    char tok[ACCESS_TOKEN_SIZE], csrf[ACCESS_CSRF_SIZE], tok2[ACCESS_TOKEN_SIZE];

    if (fx_open(&f, &cfg))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(add_user(&f, "bob", ACCESS_COORDINATOR), 0);
    CHECK_INT_EQ(access_login(f.a, "bob", "violet harbor lantern six", 25, "198.51.100.7", T0, tok,
                              NULL, &err),
                 CSCC_EPERM);
    CHECK_STR_EQ(tok, "");
    CHECK_INT_EQ(
        access_login(f.a, "nobody", good_pw, strlen(good_pw), "198.51.100.7", T0, tok, NULL, &err),
        CSCC_EPERM);
    CHECK_STR_EQ(err.msg, "wrong user name or password"); /* the same for both */
    CHECK_INT_EQ(
        access_login(f.a, "BOB", good_pw, strlen(good_pw), "198.51.100.7", T0, tok, &s, &err), 0);
    CHECK_INT_EQ(strlen(tok), 50);
    CHECK(!strncmp(tok, "cscc_s_", 7));
    CHECK_INT_EQ(s.user.role, ACCESS_COORDINATOR);
    CHECK_INT_EQ(s.expires_at, T0 + cfg.session_idle);

    /* idle timeout: used within 30 minutes it lives on; then it ends */
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 1799, &s, &err), 0);
    CHECK_INT_EQ(s.last_used_at, T0 + 1799);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 1799 + 1800, &s, &err), CSCC_EPERM);
    CHECK(strstr(err.msg, "expired") != NULL);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 1799 + 1801, &s, &err), CSCC_EPERM);

    /* absolute timeout: used every 20 minutes, it still ends after 12 hours */
    CHECK_INT_EQ(
        access_login(f.a, "bob", good_pw, strlen(good_pw), "198.51.100.7", T0, tok, &s, &err), 0);
    {
        int64_t t;
        int ok = 1;

        for (t = T0 + 1200; t < T0 + 43200; t += 1200)
            ok &= access_check(f.a, tok, t, &s, &err) == 0;
        CHECK(ok);
        CHECK_INT_EQ(access_check(f.a, tok, T0 + 43200, &s, &err), CSCC_EPERM);
    }

    /* CSRF token: derived from the session, checked in constant time */
    CHECK_INT_EQ(
        access_login(f.a, "bob", good_pw, strlen(good_pw), "198.51.100.7", T0, tok, &s, &err), 0);
    CHECK_INT_EQ(
        access_login(f.a, "bob", good_pw, strlen(good_pw), "198.51.100.7", T0, tok2, &s, &err), 0);
    CHECK_INT_EQ(access_csrf_token(tok, csrf), 0);
    CHECK_INT_EQ(strlen(csrf), 43);
    CHECK(access_csrf_check(tok, csrf));
    CHECK(!access_csrf_check(tok2, csrf));
    csrf[5] ^= 1;
    CHECK(!access_csrf_check(tok, csrf));
    CHECK(!access_csrf_check(tok, ""));

    /* logout ends only that session */
    CHECK_INT_EQ(access_logout(f.a, tok, "198.51.100.7", T0 + 5, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 6, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(access_check(f.a, tok2, T0 + 6, &s, &err), 0);
    /* a tampered or foreign token */
    tok2[10] = tok2[10] == 'A' ? 'B' : 'A';
    CHECK_INT_EQ(access_check(f.a, tok2, T0 + 6, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(access_check(f.a, "cscc_s_short", T0 + 6, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(access_check(f.a, NULL, T0 + 6, &s, &err), CSCC_EPERM);

    /* audited: two failures, the logins; no password or token in any record */
    memset(&scan, 0, sizeof(scan));
    scan.secret = tok;
    CHECK_INT_EQ(store_each_audit(f.st, 0, NULL, 0, audit_cb, &scan, &err), 0);
    CHECK_INT_EQ(scan.failed, 2);
    CHECK_INT_EQ(scan.logins, 4);
    CHECK_INT_EQ(scan.leaked, 0);
    fx_close(&f);
}

TEST(access, throttling_per_account_and_address)
{
    struct access_config cfg = cheap_config();
    struct fx f;
    struct cscc_err err;
    struct audit_scan scan;
    char tok[ACCESS_TOKEN_SIZE];
    int i, refused = 0;

    if (fx_open(&f, &cfg))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(add_user(&f, "carol", ACCESS_ANALYST), 0);
    CHECK_INT_EQ(add_user(&f, "dave", ACCESS_ANALYST), 0);
    /* 100 failures for carol, each from another address, within the hour */
    for (i = 0; i < 100; i++) {
        char addr[32];

        snprintf(addr, sizeof(addr), "203.0.113.%d", i);
        refused += access_login(f.a, "carol", "wrong wrong wrong", 17, addr, T0 + i, tok, NULL,
                                &err) == CSCC_EPERM;
    }
    CHECK_INT_EQ(refused, 100);
    /* the 101st attempt is refused unchecked, even with the right password */
    CHECK_INT_EQ(access_login(f.a, "carol", good_pw, strlen(good_pw), "192.0.2.1", T0 + 200, tok,
                              NULL, &err),
                 CSCC_ELIMIT);
    /* other accounts are not affected */
    CHECK_INT_EQ(
        access_login(f.a, "dave", good_pw, strlen(good_pw), "192.0.2.1", T0 + 200, tok, NULL, &err),
        0);
    /* an hour after the first failures, the oldest fall out of the window */
    CHECK_INT_EQ(access_login(f.a, "carol", good_pw, strlen(good_pw), "192.0.2.1", T0 + 3600, tok,
                              NULL, &err),
                 0);

    /* 100 failures from one address, against names that do not exist */
    for (i = 0; i < 100; i++) {
        char name[32];

        snprintf(name, sizeof(name), "guess%d", i);
        access_login(f.a, name, "wrong wrong wrong", 17, "198.51.100.99", T0 + 4000, tok, NULL,
                     &err);
    }
    CHECK_INT_EQ(access_login(f.a, "dave", good_pw, strlen(good_pw), "198.51.100.99", T0 + 4001,
                              tok, NULL, &err),
                 CSCC_ELIMIT);
    CHECK_INT_EQ(access_login(f.a, "dave", good_pw, strlen(good_pw), "198.51.100.100", T0 + 4001,
                              tok, NULL, &err),
                 0);
    /* purging old failures keeps those of the last hour */
    CHECK_INT_EQ(access_purge(f.a, T0 + 4002, &err), 0);
    CHECK_INT_EQ(access_login(f.a, "dave", good_pw, strlen(good_pw), "198.51.100.99", T0 + 4003,
                              tok, NULL, &err),
                 CSCC_ELIMIT);
    memset(&scan, 0, sizeof(scan));
    CHECK_INT_EQ(store_each_audit(f.st, 0, NULL, 0, audit_cb, &scan, &err), 0);
    CHECK_INT_EQ(scan.throttled, 3);
    CHECK_INT_EQ(scan.failed, 200);
    fx_close(&f);
}

struct count_creds {
    int tokens, revoked;
};

static int creds_cb(void *arg, const struct access_cred_info *c)
{
    struct count_creds *n = arg;

    n->tokens += c->kind == ACCESS_API_TOKEN;
    n->revoked += c->revoked_at != 0;
    return 0;
}

TEST(access, api_tokens_revocation_and_disabled_users)
{
    struct access_config cfg = cheap_config();
    struct fx f;
    struct cscc_err err;
    struct access_session s;
    struct count_creds n;
    char tok[ACCESS_TOKEN_SIZE], tok2[ACCESS_TOKEN_SIZE], sess[ACCESS_TOKEN_SIZE];
    int64_t id = 0, id2 = 0;

    if (fx_open(&f, &cfg))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(add_user(&f, "erin", ACCESS_ANALYST), 0);
    CHECK_INT_EQ(
        access_user_add(f.a, "bot", ACCESS_ANALYST, 0, NULL, NULL, 0, &f.admin, T0, NULL, &err), 0);
    CHECK_INT_EQ(access_token_create(f.a, "bot", "nightly export", 0, &f.admin, T0, tok, &id, &err),
                 0);
    CHECK(!strncmp(tok, "cscc_t_", 7));
    CHECK_INT_EQ(
        access_token_create(f.a, "bot", "expiring", T0 + 100, &f.admin, T0, tok2, &id2, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 10, &s, &err), 0);
    CHECK_INT_EQ(s.kind, ACCESS_API_TOKEN);
    CHECK_STR_EQ(s.user.name, "bot");
    /* tokens do not expire by idleness, only at their date */
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 86400 * 30, &s, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok2, T0 + 99, &s, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok2, T0 + 100, &s, &err), CSCC_EPERM);
    /* an account without a password cannot log in */
    CHECK_INT_EQ(access_login(f.a, "bot", "", 0, "192.0.2.9", T0, sess, NULL, &err), CSCC_EPERM);
    /* revoked: refused from then on, and listed as revoked */
    CHECK_INT_EQ(access_revoke(f.a, id, &f.admin, T0 + 20, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 21, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(access_revoke(f.a, id, &f.admin, T0 + 22, &err), CSCC_ENOENT);
    memset(&n, 0, sizeof(n));
    CHECK_INT_EQ(access_each_cred(f.a, "bot", 0, creds_cb, &n, &err), 0);
    CHECK_INT_EQ(n.tokens, 2);
    CHECK_INT_EQ(n.revoked, 1);
    /* disabling a user ends its sessions and revokes its tokens */
    CHECK_INT_EQ(access_token_create(f.a, "erin", "script", 0, &f.admin, T0, tok, NULL, &err), 0);
    CHECK_INT_EQ(
        access_login(f.a, "erin", good_pw, strlen(good_pw), "192.0.2.9", T0, sess, NULL, &err), 0);
    CHECK_INT_EQ(access_user_set_disabled(f.a, "erin", 1, &f.admin, T0 + 30, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 31, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(access_check(f.a, sess, T0 + 31, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(
        access_login(f.a, "erin", good_pw, strlen(good_pw), "192.0.2.9", T0 + 32, sess, NULL, &err),
        CSCC_EPERM);
    /* enabled again, it logs in (old credentials stay revoked) */
    CHECK_INT_EQ(access_user_set_disabled(f.a, "erin", 0, &f.admin, T0 + 40, &err), 0);
    CHECK_INT_EQ(access_check(f.a, tok, T0 + 41, &s, &err), CSCC_EPERM);
    CHECK_INT_EQ(
        access_login(f.a, "erin", good_pw, strlen(good_pw), "192.0.2.9", T0 + 42, sess, NULL, &err),
        0);
    /* a new password ends the sessions */
    CHECK_INT_EQ(access_user_set_password(f.a, "erin", "amber quarry dolphin tide", 25, &f.admin,
                                          T0 + 50, &err),
                 0);
    CHECK_INT_EQ(access_check(f.a, sess, T0 + 51, &s, &err), CSCC_EPERM);
    fx_close(&f);
}

TEST(access, authorization_refusals_are_audited)
{
    struct access_config cfg = cheap_config();
    struct fx f;
    struct cscc_err err;
    struct access_session s;
    struct audit_scan scan;
    char tok[ACCESS_TOKEN_SIZE];

    if (fx_open(&f, &cfg))
        return;
    cscc_err_clear(&err);
    CHECK_INT_EQ(add_user(&f, "pat", ACCESS_PARTNER), 0);
    CHECK_INT_EQ(access_login(f.a, "pat", good_pw, strlen(good_pw), "192.0.2.3", T0, tok, &s, &err),
                 0);
    CHECK_INT_EQ(
        access_authorize(f.a, NULL, ACCESS_PUBLIC, "GET /api/v1/areas", "", "192.0.2.4", T0, &err),
        0);
    CHECK_INT_EQ(access_authorize(f.a, NULL, ACCESS_ANALYST, "GET /api/v1/victims", "table:victims",
                                  "192.0.2.4", T0, &err),
                 CSCC_EPERM);
    CHECK_INT_EQ(
        access_authorize(f.a, &s, ACCESS_PARTNER, "POST /api/v1/needs", "", "192.0.2.3", T0, &err),
        0);
    CHECK_INT_EQ(
        access_authorize(f.a, &s, ACCESS_ADMIN, "POST /api/v1/users", "", "192.0.2.3", T0, &err),
        CSCC_EPERM);
    memset(&scan, 0, sizeof(scan));
    CHECK_INT_EQ(store_each_audit(f.st, 0, NULL, 0, audit_cb, &scan, &err), 0);
    CHECK_INT_EQ(scan.denied, 2);
    fx_close(&f);
}

TEST(access, audit_log_is_append_only)
{
    struct fx f;
    struct cscc_err err;
    struct access_actor who;
    sqlite3 *db = NULL;
    char *msg = NULL;
    int src;

    if (fx_open(&f, NULL))
        return;
    cscc_err_clear(&err);
    access_actor_cli(&who);
    CHECK(!strncmp(who.name, "cli:", 4));
    CHECK_INT_EQ(access_audit(f.st, &who, "import", "table:crimes", "ok",
                              "read 3 rows; session cscc_s_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA "
                              "leaked",
                              T0, &err),
                 0);
    CHECK_INT_EQ(sqlite3_open(f.db, &db), SQLITE_OK);
    src = sqlite3_exec(db, "UPDATE audit_log SET actor = 'someone else'", NULL, NULL, &msg);
    CHECK_INT_EQ(src, SQLITE_CONSTRAINT);
    CHECK(msg && strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    src = sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, &msg);
    CHECK_INT_EQ(src, SQLITE_CONSTRAINT);
    sqlite3_free(msg);
    {
        sqlite3_stmt *stmt = NULL;

        CHECK_INT_EQ(
            sqlite3_prepare_v2(db, "SELECT count(*), max(detail) FROM audit_log", -1, &stmt, NULL),
            SQLITE_OK);
        CHECK_INT_EQ(sqlite3_step(stmt), SQLITE_ROW);
        CHECK_INT_EQ(sqlite3_column_int(stmt, 0), 1);
        /* a token given by mistake is scrubbed */
        CHECK_STR_EQ((const char *)sqlite3_column_text(stmt, 1),
                     "read 3 rows; session [token] leaked");
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    fx_close(&f);
}

/* ------------------------------------------------------------------------ */
/* Suppression, attacked by solving the margins                              */
/* ------------------------------------------------------------------------ */

/*
 * The attacker: knows every published entry of the extended table (cells,
 * row totals, column totals, grand total) and that each row and column sums
 * to its total. Solves the linear equations for the suppressed entries by
 * Gauss-Jordan elimination; an unknown is recovered when its row of the
 * reduced system has no free variable. Returns how many suppressed entries
 * it recovers, and checks each recovered value against the truth.
 */
static size_t attack(const uint64_t *ext, const uint8_t *supp, size_t R, size_t C)
{
    size_t nu = 0, ne = R + C, i, j, k, *idx, row, recovered = 0;
    long *var = cscc_xcalloc(R * C, sizeof(long));
    double *A, *b;

    for (k = 0; k < R * C; k++)
        var[k] = supp[k] ? (long)nu++ : -1;
    if (!nu) {
        cscc_free(var);
        return 0;
    }
    A = cscc_xcalloc(ne * nu, sizeof(double));
    b = cscc_xcalloc(ne, sizeof(double));
    idx = cscc_xcalloc(nu, sizeof(size_t));
    /* row i: sum_j<C-1 x_ij - x_i,C-1 = 0; column j: sum_i<R-1 x_ij - x_R-1,j = 0 */
    for (i = 0; i < R; i++)
        for (j = 0; j < C; j++) {
            double coef_r = j + 1 < C ? 1 : -1, coef_c = i + 1 < R ? 1 : -1;
            size_t er = i, ec = R + j;

            k = i * C + j;
            if (var[k] >= 0) {
                A[er * nu + (size_t)var[k]] += coef_r;
                A[ec * nu + (size_t)var[k]] += coef_c;
            } else {
                b[er] -= coef_r * (double)ext[k];
                b[ec] -= coef_c * (double)ext[k];
            }
        }
    /* Gauss-Jordan with partial pivoting */
    row = 0;
    for (k = 0; k < nu && row < ne; k++) {
        size_t p = row, r2;
        double best = 0;

        for (r2 = row; r2 < ne; r2++)
            if (fabs(A[r2 * nu + k]) > best) {
                best = fabs(A[r2 * nu + k]);
                p = r2;
            }
        if (best < 1e-9)
            continue;
        for (j = 0; j < nu; j++) {
            double t = A[row * nu + j];

            A[row * nu + j] = A[p * nu + j];
            A[p * nu + j] = t;
        }
        {
            double t = b[row], piv = A[row * nu + k];

            b[row] = b[p];
            b[p] = t;
            for (j = 0; j < nu; j++)
                A[row * nu + j] /= piv;
            b[row] /= piv;
        }
        for (r2 = 0; r2 < ne; r2++) {
            double fct = A[r2 * nu + k];

            if (r2 == row || fabs(fct) < 1e-12)
                continue;
            for (j = 0; j < nu; j++)
                A[r2 * nu + j] -= fct * A[row * nu + j];
            b[r2] -= fct * b[row];
        }
        idx[row] = k;
        row++;
    }
    for (i = 0; i < row; i++) {
        size_t nz = 0;

        for (j = 0; j < nu; j++)
            nz += fabs(A[i * nu + j]) > 1e-9;
        if (nz == 1) {
            /* the attacker knows this value: is it the true one? */
            for (k = 0; k < R * C; k++)
                if (var[k] == (long)idx[i] && fabs(b[i] - (double)ext[k]) > 1e-6)
                    test_fail(__FILE__, __LINE__, "attack recovered a wrong value");
            recovered++;
        }
    }
    cscc_free(A);
    cscc_free(b);
    cscc_free(idx);
    cscc_free(var);
    return recovered;
}

TEST(access, suppression_by_hand)
{
    /* 5 20 | 25
     * 30 40 | 70
     * 35 60 | 95 : the 5, and then its row's and column's smallest, and the
     * 40 to close the square; the margins stay published. */
    static const uint64_t cells[] = {5, 20, 30, 40};
    static const uint8_t want[] = {1, 1, 0, 1, 1, 0, 0, 0, 0};
    uint8_t supp[12]; /* room for the 3 x 2 table below: (3 + 1) x (2 + 1) */
    uint64_t ext[12];
    size_t n = 0;
    struct cscc_err err;

    cscc_err_clear(&err);
    CHECK_INT_EQ(privacy_suppress(cells, 2, 2, 1, 9, supp, ext, &n, &err), 0);
    CHECK_MEM_EQ(supp, 9, want, 9);
    CHECK_INT_EQ(n, 4);
    CHECK_INT_EQ(ext[8], 95);
    CHECK_INT_EQ(attack(ext, supp, 3, 3), 0);
    /* zeros are published, and no complement is needed for them */
    {
        static const uint64_t z[] = {0, 20, 30, 40};

        CHECK_INT_EQ(privacy_suppress(z, 2, 2, 1, 9, supp, ext, &n, &err), 0);
        CHECK_INT_EQ(n, 0);
    }
    /* a margin of 1-9 is suppressed too: a row of 3 and 4 (total 7) */
    {
        static const uint64_t m[] = {3, 4, 30, 40, 50, 60};

        CHECK_INT_EQ(privacy_suppress(m, 3, 2, 1, 9, supp, ext, &n, &err), 0);
        CHECK_INT_EQ(ext[0 * 3 + 2], 7);
        CHECK(supp[0 * 3 + 2]); /* the row total 7 */
        CHECK_INT_EQ(attack(ext, supp, 4, 3), 0);
    }
    CHECK_INT_EQ(privacy_suppress(cells, 0, 2, 1, 9, supp, NULL, &n, &err), CSCC_EINVAL);
}

TEST(access, suppression_attack_finds_naive_leak)
{
    /*
     * Rows A B C D, columns 1 2 3 4 (and margins). Suppressed: A1 A2 B1 B2
     * and C3 C4 D3 D4 (two squares) and A3 linking them: every row and
     * column has two or more suppressed, so the line rule alone stops here,
     * but A3 lies on no cycle: (row A + row B) - (column 1 + column 2)
     * gives it. The attacker must find exactly that one.
     */
    static const uint64_t cells[16] = {5, 6, 7, 50, 8, 9, 60, 70, 80, 90, 4, 3, 55, 65, 2, 6};
    uint64_t ext[25];
    uint8_t supp[25], mine[25];
    size_t i, j, n;
    struct cscc_err err;

    cscc_err_clear(&err);
    memset(supp, 0, sizeof(supp));
    for (i = 0; i < 5; i++)
        for (j = 0; j < 5; j++) {
            uint64_t v = 0;
            size_t a, c;

            if (i < 4 && j < 4)
                v = cells[i * 4 + j];
            else if (i < 4)
                for (c = 0; c < 4; c++)
                    v += cells[i * 4 + c];
            else if (j < 4)
                for (a = 0; a < 4; a++)
                    v += cells[a * 4 + j];
            else
                for (a = 0; a < 16; a++)
                    v += cells[a];
            ext[i * 5 + j] = v;
        }
    supp[0] = supp[1] = supp[5] = supp[6] = 1;     /* A1 A2 B1 B2 */
    supp[12] = supp[13] = supp[17] = supp[18] = 1; /* C3 C4 D3 D4 */
    supp[2] = 1;                                   /* A3 */
    CHECK_INT_EQ(attack(ext, supp, 5, 5), 1);
    /* privacy_suppress on the same table leaks nothing */
    CHECK_INT_EQ(privacy_suppress(cells, 4, 4, 1, 9, mine, NULL, &n, &err), 0);
    CHECK_INT_EQ(attack(ext, mine, 5, 5), 0);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(access, suppression_random_tables_resist_attack)
{
    struct cscc_err err;
    int t, leaks = 0, primaries_missed = 0;
    size_t total_supp = 0;

    cscc_err_clear(&err);
    for (t = 0; t < 300; t++) {
        size_t R = 1 + next() % 8, C = 1 + next() % 8, i, j, n;
        uint64_t cells[64], ext[81];
        uint8_t supp[81];

        for (i = 0; i < R * C; i++) {
            uint64_t k = next() % 10;

            /* many small counts, some zeros, some large */
            cells[i] = k < 2 ? 0 : k < 6 ? 1 + next() % 9 : 10 + next() % 200;
        }
        if (privacy_suppress(cells, R, C, 1, 9, supp, ext, &n, &err)) {
            test_fail(__FILE__, __LINE__, "suppress: %s", err.msg);
            break;
        }
        total_supp += n;
        for (i = 0; i <= R; i++)
            for (j = 0; j <= C; j++) {
                uint64_t v = ext[i * (C + 1) + j];

                primaries_missed += v >= 1 && v <= 9 && !supp[i * (C + 1) + j];
            }
        leaks += attack(ext, supp, R + 1, C + 1) != 0;
    }
    CHECK_INT_EQ(primaries_missed, 0);
    CHECK_INT_EQ(leaks, 0);
    CHECK(total_supp > 0);
}
