/**
 * access.h - accounts, roles, passwords, sessions and API tokens: what the
 * server (src/http) and the command line (`cscc user`) call to decide who
 * someone is and what they may do. No HTTP here: the server reads the
 * cookie or Authorization header and the client address, and passes them.
 *
 * Roles, least to most: public (anonymous; no account), partner (belongs
 * to one community organization: an organization id), department (one City
 * department), coordinator, analyst, admin (the order of the server's route
 * table, src/http/http.h: an analyst may also read what a coordinator may,
 * and the victims' records). access_role_at_least() compares
 * them for a route's least role; partner and department are also scoped (to
 * their organization or department): the server checks "own versus
 * another's object" with the session's org_id / department.
 *
 * Passwords follow NIST SP 800-63B: at least 15 characters (Unicode code
 * points) for an account whose only factor is its password, at most 256
 * (and 1,024 bytes); no composition rules and no expiry; refused when on
 * the blocklist (data/reference/common_passwords.txt, compared without
 * regard to case), when they are one character or a short pattern
 * repeated, a run of consecutive characters ("123456789012345") or a
 * keyboard walk ("qwertyuiopasdfgh"), a
 * blocklisted word repeated, or contain the user's name. Stored as
 * argon2id strings (libsodium crypto_pwhash_str), rehashed at login when the
 * configured cost has grown.
 *
 * Login throttling: a login is refused without checking the password once
 * an account, or a client address, has had throttle_max failures (100)
 * within throttle_window seconds (an hour). A successful login clears the
 * account's failures (not the address's).
 *
 * Sessions: a login makes a session token, "cscc_s_" and 43 characters of
 * base64url (32 random bytes from libsodium's randombytes). Only its
 * BLAKE2b-256 hash is stored. A session ends after session_idle seconds
 * without use (30 min) or session_absolute seconds after login (12 h),
 * whichever is first, or at logout or revocation. Its CSRF token is derived
 * from the session token (BLAKE2b keyed by it), so it needs no storage and
 * changes with the session; compare it with access_csrf_check (constant
 * time) on every state-changing request.
 *
 * API tokens for scripts: "cscc_t_" and 43 characters, stored hashed,
 * named, listed (by their first 12 characters, never whole), revocable,
 * optionally expiring. They act with their user's current role.
 *
 * Every login (success or failure), refusal of authorization and admin
 * action is appended to the audit log (access/audit.h). Passwords and
 * tokens are never logged or stored in clear.
 *
 * Time: every function takes `now` (Unix seconds, access_now()) so tests
 * inject it. Errors: CSCC_EPERM for a wrong password, unknown or disabled
 * user, or a missing/expired/revoked credential (HTTP 401; the message
 * does not say which, so nothing leaks); CSCC_ELIMIT for throttling (429);
 * CSCC_EINVAL for a password that breaks the policy or bad arguments (400);
 * CSCC_EEXIST for a taken name (409); CSCC_ENOENT for an unknown user in
 * admin calls (404); store errors as the store gives them.
 *
 * Thread safety: a struct access uses one struct store, so it belongs to
 * one thread; make one per thread. A struct access_blocklist is immutable
 * once loaded and may be shared. Call access_init() once before anything.
 */
#ifndef CSCC_ACCESS_ACCESS_H
#define CSCC_ACCESS_ACCESS_H

#include "access/audit.h"
#include "core/err.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

enum access_role {
    ACCESS_PUBLIC = 0,
    ACCESS_PARTNER = 1,
    ACCESS_DEPARTMENT = 2,
    ACCESS_COORDINATOR = 3,
    ACCESS_ANALYST = 4,
    ACCESS_ADMIN = 5,
};

/** "public", "partner", ... */
const char *access_role_name(enum access_role r);
/** The role named name; CSCC_EINVAL when unknown. */
int access_role_parse(const char *name, enum access_role *r);
/** 1 when have is the role need or above it. */
int access_role_at_least(enum access_role have, enum access_role need);

struct access_config {
    int64_t session_idle;     /* seconds without use that end a session (1800) */
    int64_t session_absolute; /* seconds after login that end a session (43200) */
    int64_t touch_interval;   /* a session's last use is written at most this often (60) */
    int throttle_max;         /* failures allowed per account and per address ... (100) */
    int64_t throttle_window;  /* ... within this many seconds (3600) */
    size_t password_min;      /* characters (15) */
    size_t password_max;      /* characters (256) */
    /* argon2id cost (libsodium's INTERACTIVE limits: 2 passes, 64 MiB) */
    unsigned long long pwhash_ops;
    size_t pwhash_mem;
};

/** The defaults above. */
void access_config_default(struct access_config *c);

/** Initialises libsodium; call once before the other functions (thread-safe
 * afterwards). CSCC_EINTERNAL when it cannot start. */
int access_init(struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Blocklist                                                                 */
/* ------------------------------------------------------------------------ */

struct access_blocklist;

/** Loads a list of common passwords (one a line; "#" starts a comment).
 * NULL with err filled when it cannot be read. */
struct access_blocklist *access_blocklist_load(const char *path, struct cscc_err *err);
/** An empty list (for tests of other rules). */
struct access_blocklist *access_blocklist_new(void);
void access_blocklist_free(struct access_blocklist *b);
/** Entries loaded. */
size_t access_blocklist_count(const struct access_blocklist *b);
/** 1 when pw (len bytes) is on the list, in any case. */
int access_blocklist_has(const struct access_blocklist *b, const char *pw, size_t len);

/* ------------------------------------------------------------------------ */
/* The context                                                               */
/* ------------------------------------------------------------------------ */

struct access;

/** A context over an open store (borrowed), with cfg (copied; NULL: the
 * defaults) and a blocklist (borrowed; must outlive the context). */
struct access *access_new(struct store *st, const struct access_config *cfg,
                          const struct access_blocklist *bl);
void access_free(struct access *a);

/* ------------------------------------------------------------------------ */
/* Passwords                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Checks a new password (len bytes) for user against the policy. 0, or
 * CSCC_EINVAL with the reason for people in err (never the password).
 */
int access_password_check(const struct access *a, const char *user, const char *pw, size_t len,
                          struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Accounts (admin actions: each is audited with `by` as the actor)          */
/* ------------------------------------------------------------------------ */

#define ACCESS_NAME_MAX 64

/** An account as the server sees it (no password hash). */
struct access_user {
    int64_t id;
    char name[ACCESS_NAME_MAX + 1];
    enum access_role role;
    int64_t org_id;      /* partner: its organization */
    char department[96]; /* department: its department */
    int disabled;
    int has_password;
    int64_t created_at, updated_at;
};

/**
 * Adds an account. Names: 1-64 characters of letters, digits, '.', '_',
 * '-', '@'. role is not ACCESS_PUBLIC; a partner needs org_id > 0, a
 * department a department (others have neither). password NULL makes an
 * account without one (it can hold API tokens only); else it must pass
 * access_password_check. *id (may be NULL) gets the new id.
 */
int access_user_add(struct access *a, const char *name, enum access_role role, int64_t org_id,
                    const char *department, const char *password, size_t pwlen,
                    const struct access_actor *by, int64_t now, int64_t *id, struct cscc_err *err);
/** Changes an account's role (and organization or department, as for add). */
int access_user_set_role(struct access *a, const char *name, enum access_role role, int64_t org_id,
                         const char *department, const struct access_actor *by, int64_t now,
                         struct cscc_err *err);
/** Disables (disabled 1: its sessions and tokens are revoked too) or
 * enables an account. */
int access_user_set_disabled(struct access *a, const char *name, int disabled,
                             const struct access_actor *by, int64_t now, struct cscc_err *err);
/** Sets a new password (checked by the policy); ends the user's sessions. */
int access_user_set_password(struct access *a, const char *name, const char *password, size_t pwlen,
                             const struct access_actor *by, int64_t now, struct cscc_err *err);
/** The account named name (any case); CSCC_ENOENT when none. */
int access_user_get(struct access *a, const char *name, struct access_user *out,
                    struct cscc_err *err);
typedef int (*access_user_fn)(void *arg, const struct access_user *u);
/** Every account, by name; fn returns non-zero to stop. */
int access_each_user(struct access *a, access_user_fn fn, void *arg, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Sessions and API tokens                                                   */
/* ------------------------------------------------------------------------ */

/** Room for a token with its NUL ("cscc_s_" + 43). */
#define ACCESS_TOKEN_SIZE 64
/** Room for a CSRF token with its NUL (43 characters of base64url). */
#define ACCESS_CSRF_SIZE 48

enum access_cred { ACCESS_SESSION = 1, ACCESS_API_TOKEN = 2 };

/** Who a request comes from, once its credential is checked. */
struct access_session {
    int64_t cred_id; /* the session's or token's id (for logout, revocation) */
    enum access_cred kind;
    struct access_user user;
    int64_t created_at, last_used_at;
    int64_t expires_at; /* the earlier of the idle and absolute ends (sessions); a token's
                           expiry or 0 */
};

/**
 * Logs in with a user name and password from address (the client's): on
 * success writes a new session token into token (ACCESS_TOKEN_SIZE bytes;
 * give it to the client, e.g. as a cookie) and fills out (may be NULL).
 * CSCC_ELIMIT when throttled, CSCC_EPERM for wrong credentials. Audited.
 */
int access_login(struct access *a, const char *name, const char *password, size_t pwlen,
                 const char *address, int64_t now, char *token, struct access_session *out,
                 struct cscc_err *err);

/**
 * Checks a presented session or API token: fills out with the session and
 * its user (current role), records its use (at most every touch_interval
 * seconds). CSCC_EPERM when it is malformed, unknown, revoked, expired
 * (idle or absolute), or its user is disabled; an expired session is
 * revoked. Not audited (a server sees many stale cookies): audit refusals
 * with access_authorize.
 */
int access_check(struct access *a, const char *token, int64_t now, struct access_session *out,
                 struct cscc_err *err);

/**
 * Authorization: 0 when s (NULL: anonymous) has at least role need, else
 * CSCC_EPERM, with the refusal appended to the audit log (action, object,
 * address as given).
 */
int access_authorize(struct access *a, const struct access_session *s, enum access_role need,
                     const char *action, const char *object, const char *address, int64_t now,
                     struct cscc_err *err);

/** Ends the session of token (logout). CSCC_EPERM when it is not a live
 * session. Audited. */
int access_logout(struct access *a, const char *token, const char *address, int64_t now,
                  struct cscc_err *err);

/** The CSRF token of a session token, into csrf (ACCESS_CSRF_SIZE bytes). */
int access_csrf_token(const char *session_token, char *csrf);
/** 1 when presented is the CSRF token of session_token (constant time). */
int access_csrf_check(const char *session_token, const char *presented);

/**
 * Creates an API token for user, named label (1-64 characters), expiring at
 * expires_at (0: never): the token is written into token (shown once; only
 * its hash is kept), its id into *id (may be NULL). The user must exist and
 * be enabled. Audited.
 */
int access_token_create(struct access *a, const char *user, const char *label, int64_t expires_at,
                        const struct access_actor *by, int64_t now, char *token, int64_t *id,
                        struct cscc_err *err);

/** A session or token as listed (never the secret). */
struct access_cred_info {
    int64_t id;
    enum access_cred kind;
    int64_t user_id;
    const char *user; /* the user's name */
    const char *label, *prefix, *address;
    int64_t created_at, last_used_at, expires_at, revoked_at;
};
typedef int (*access_cred_fn)(void *arg, const struct access_cred_info *c);
/** The sessions and tokens of user (NULL: everyone's) of kind (0: both),
 * newest first. */
int access_each_cred(struct access *a, const char *user, int kind, access_cred_fn fn, void *arg,
                     struct cscc_err *err);
/** Revokes the session or token id. CSCC_ENOENT when there is no live one.
 * Audited. */
int access_revoke(struct access *a, int64_t id, const struct access_actor *by, int64_t now,
                  struct cscc_err *err);
/** Housekeeping: deletes sessions that ended and login failures older than
 * the throttle window. */
int access_purge(struct access *a, int64_t now, struct cscc_err *err);

#endif
