/**
 * audit.h - the audit log: who did what, when, from where, to what, and how
 * it ended. Every login (success and failure), failed authorization, admin
 * action, import and read of sensitive records is appended here; the store
 * keeps the log append-only (no update or delete path in the code, and
 * triggers refuse UPDATE and DELETE).
 *
 * Never give a password or a token to these functions: details are for
 * people. As a safety net, anything in detail or object that looks like a
 * cscc token ("cscc_s_...", "cscc_t_...") is replaced by "[token]".
 *
 * Thread safety: as the store (one struct store per thread).
 */
#ifndef CSCC_ACCESS_AUDIT_H
#define CSCC_ACCESS_AUDIT_H

#include "core/err.h"
#include "store/store.h"

#include <stdint.h>

/** Who acts: a user of the server, or the person at the command line. */
struct access_actor {
    char name[96];    /* user name, "anonymous", or "cli:LOGIN" */
    int64_t id;       /* the user's id, 0 when none */
    char address[64]; /* client address ("203.0.113.5"), "local" for the command line */
};

/** The command line's actor: "cli:LOGIN" (the OS user), address "local". */
void access_actor_cli(struct access_actor *who);

/** The current time, Unix seconds (UTC). Every function of src/access takes
 * `now` as an argument instead of reading the clock, so tests inject time. */
int64_t access_now(void);

/**
 * Appends one record: action ("login", "user.add", "import", ...), object
 * ("user:alice", "table:crimes", may be NULL), outcome ("ok", "denied",
 * "failed"; NULL = "ok"), detail (may be NULL). On failure returns the error
 * (err may be NULL: the failure is then logged as a warning, since a lost
 * audit record must not pass unnoticed).
 */
int access_audit(struct store *st, const struct access_actor *who, const char *action,
                 const char *object, const char *outcome, const char *detail, int64_t now,
                 struct cscc_err *err);

#endif
