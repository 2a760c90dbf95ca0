/**
 * coord.h - coordination: the handle, who may do what, settings, and the
 * conventions every coordination function follows.
 *
 * The coordination module keeps the CSCC's third promise: partners and
 * their engagement (partners.h), the service catalogue (catalog.h), needs
 * reported by residents, partners and staff (needs.h), and the work orders
 * that route them to City departments, with deadlines, escalation,
 * notifications and response metrics (workorders.h). It holds rules, not
 * transport: the CLI and the HTTP server call it with thin wrappers.
 *
 * Conventions of every coord_* function:
 *  - The caller says who acts with a struct coord_actor (role, organization
 *    or department, user name). Each write checks it with the same pure
 *    decision functions the server may call beforehand (coord_may and
 *    friends) and fails with CSCC_EPERM when the actor may not act.
 *  - Input is checked before anything is stored. A bad field fails with
 *    CSCC_EINVAL (or CSCC_ENOENT for a reference to nothing, CSCC_EEXIST
 *    for a taken name), a message for people, and err->field naming the
 *    field as the HTTP API and Open311 spell it ("service_code", "lat",
 *    "attribute[WHERE]", "sectors[2]"), so the server can answer
 *    {"error":{"code":...,"message":...,"field":...}}.
 *  - Each write is one transaction: all of it is stored or none of it. When
 *    the caller holds no transaction, the write is committed (synchronous=
 *    FULL: on disk) before the function returns, so a returned id is never
 *    lost. Inside the caller's store_begin transaction it is a savepoint,
 *    made durable by the caller's commit. A full disk (CSCC_EIO) or a
 *    read-only database (CSCC_EPERM) fail cleanly and store nothing.
 *  - Reads hand records to a callback; strings in a record are valid during
 *    the callback only. Callbacks return 0 to go on, nonzero to stop (that
 *    value is returned).
 *  - Records become JSON (for the API and the CLI) through coord_*_json with
 *    a view: what the viewer may see. Residents' contact details appear only
 *    in COORD_VIEW_FULL, never in public views, logs or notifications.
 *  - Times are Unix seconds (UTC) in the store and ISO 8601 with the local
 *    offset ("2026-03-02T09:15:00-06:00") in JSON; days are "YYYY-MM-DD".
 *    Local time is the process's time zone: the CLI and server set TZ from
 *    the store's "timezone" setting (America/Chicago) before calling in.
 *
 * Threads: a struct coord is used by one thread at a time, like the struct
 * store it works on (open one per thread). Pure functions (the policy, the
 * state machine, address normalisation, answer checks, route matching) are
 * thread-safe; so is the rate limiter.
 */
#ifndef CSCC_COORD_COORD_H
#define CSCC_COORD_COORD_H

#include "core/err.h"
#include "core/json.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct colstore_table;
struct geo_areas;

/* ------------------------------------------------------------------------ */
/* Who acts                                                                  */
/* ------------------------------------------------------------------------ */

/** The roles of the access module (PRODUCT.md §2); the server maps its users onto these. */
enum coord_role {
    COORD_ROLE_PUBLIC = 0, /* anonymous resident */
    COORD_ROLE_PARTNER,    /* a community organization's member */
    COORD_ROLE_DEPARTMENT, /* one City department's liaison */
    COORD_ROLE_COORDINATOR,
    COORD_ROLE_ANALYST,
    COORD_ROLE_ADMIN,
    COORD_NROLES
};

/** "public", "partner", "department", "coordinator", "analyst", "admin". */
const char *coord_role_name(enum coord_role r);
/** The role named name, or -1. */
int coord_role_by_name(const char *name);

/** Who is acting. */
struct coord_actor {
    enum coord_role role;
    int64_t org_id;         /* partner: the organization the user belongs to, 0 when none yet */
    const char *department; /* department: its code; else NULL */
    const char *name;       /* user name recorded in history; NULL or "" for anonymous */
};

/** What an actor may want to do (see coord_may). */
enum coord_action {
    COORD_ORG_CREATE,       /* register an organization (a partner: only while it has none) */
    COORD_ORG_EDIT,         /* edit an organization's record (a partner: its own) */
    COORD_ORG_VERIFY,       /* set or clear the verified flag */
    COORD_ORG_VIEW_PRIVATE, /* see contacts (a partner: its own organization's) */
    COORD_EVENT_CREATE,     /* log an engagement event */
    COORD_EVENT_VIEW,       /* see events and the coverage report */
    COORD_CATALOG_EDIT,     /* edit services and departments */
    COORD_ROUTE_EDIT,       /* edit routing rules */
    COORD_ROUTE_VIEW,       /* see routing rules */
    COORD_NEED_CREATE,      /* report a need (anyone; the public is rate-limited) */
    COORD_NEED_LIST,        /* list needs (each in the viewer's view) */
    COORD_WO_VIEW,          /* see work orders (a department: its own) */
    COORD_WO_ASSIGN,        /* route a work order to another department */
    COORD_ESCALATE,         /* run the escalation of overdue work orders */
    COORD_OUTBOX,           /* see and deliver notifications */
    COORD_METRICS,          /* response metrics (aggregates; everyone) */
    COORD_SETTINGS,         /* change coordination settings */
    COORD_NACTIONS
};

/** The owner of the object acted on: an organization, a department, or none (0, NULL). */
struct coord_object {
    int64_t org_id;
    const char *department;
};

/**
 * 1 when actor a may do act on obj (NULL: no particular object; an action
 * whose rule depends on ownership then allows what the role may do on its
 * own objects), else 0. A pure function of its arguments: the server calls
 * it to answer 403 before reading a body. The rules, by role:
 *   public: create needs, list needs (public view), metrics.
 *   partner: + create its organization (when it has none), edit and see its
 *     own organization in full, log events, see events and routing rules.
 *   department: + log events, see events, rules and its own department's
 *     work orders (and move them: coord_check_move).
 *   analyst: + see events, rules and every work order (read only).
 *   coordinator: everything but settings.  admin: everything.
 */
int coord_may(const struct coord_actor *a, enum coord_action act, const struct coord_object *obj);

/**
 * The same as coord_may, as an error: 0, or CSCC_EPERM with a message
 * saying who may ("only a coordinator or an admin may edit the service
 * catalogue").
 */
int coord_require(const struct coord_actor *a, enum coord_action act,
                  const struct coord_object *obj, struct cscc_err *err);

/** How much of a record a viewer sees. */
enum coord_view {
    COORD_VIEW_PUBLIC = 0, /* what anyone may see: no contacts, no internal notes, block-level
                              locations, no reporter */
    COORD_VIEW_STAFF,      /* + exact locations, internal notes, reporter (no contacts) */
    COORD_VIEW_FULL,       /* + residents' and partners' contact details */
};

/* ------------------------------------------------------------------------ */
/* Settings                                                                  */
/* ------------------------------------------------------------------------ */

/** Tunable rules, kept in the store's settings under "coord.*". */
struct coord_config {
    double duplicate_radius_m;   /* coord.duplicate_radius_m: 50; 0 disables duplicate links */
    int kde_days;                /* coord.kde_days: 365, the window of violent incidents */
    double kde_bandwidth_m;      /* coord.kde_bandwidth_m: 400, the quartic kernel's radius */
    char kde_category[64];       /* coord.kde_category: "violent", a crime category */
    double violence_coef;        /* coord.violence_coef: 0.5 (see needs.h, priority) */
    double priority_factor;      /* coord.priority_factor: 1.5, for needs in priority areas */
    char priority_list[64];      /* coord.priority_list: "ocos" */
    int escalate_batch;          /* coord.escalate_batch: 500 work orders per transaction */
    double outbox_backoff_s;     /* coord.outbox_backoff_s: 30, first retry delay (doubles) */
    double outbox_backoff_max_s; /* coord.outbox_backoff_max_s: 3600 */
    int outbox_max_attempts;     /* coord.outbox_max_attempts: 0 = retry for ever */
    char webhook_url[512];       /* coord.webhook_url: "" = none configured */
    double webhook_timeout_s;    /* coord.webhook_timeout_s: 10 */
};

/** Fills cfg with the defaults above. Cannot fail. */
void coord_config_init(struct coord_config *cfg);
/** Defaults, then the store's "coord.*" settings. A stored value out of range is CSCC_EDATA. */
int coord_config_load(struct store *st, struct coord_config *cfg, struct cscc_err *err);
/**
 * Checks and stores one setting ("coord.duplicate_radius_m" or just
 * "duplicate_radius_m"); value NULL restores the default. CSCC_EINVAL with
 * err->field = key for an unknown key or a value out of range (the message
 * gives the range). Requires COORD_SETTINGS.
 */
int coord_config_set(struct store *st, const struct coord_actor *a, const char *key,
                     const char *value, struct cscc_err *err);
/** Calls fn for each setting with its key (without "coord.") and current value as text. */
int coord_config_each(const struct coord_config *cfg,
                      int (*fn)(void *arg, const char *key, const char *value, const char *help),
                      void *arg);

/* ------------------------------------------------------------------------ */
/* The handle                                                                */
/* ------------------------------------------------------------------------ */

struct coord;

struct coord_opts {
    struct store *st;                    /* required; not owned */
    const struct colstore_table *crimes; /* the crimes table, for violence intensity and the
                                            block gazetteer; NULL: intensity 0, no gazetteer
                                            rebuild; not owned */
    const struct geo_areas *areas;       /* community areas; NULL: built from the store's
                                            boundaries (owned by the handle then) */
    const struct coord_config *cfg;      /* NULL: coord_config_load from the store */
};

/**
 * A coordination handle over an open store. Reads the settings, the
 * priority list and the area boundaries once; they are refreshed by
 * coord_reload. NULL on error, with err filled.
 */
struct coord *coord_open(const struct coord_opts *o, struct cscc_err *err);
/** Frees the handle (not the store or the tables). Accepts NULL. */
void coord_close(struct coord *c);
/** Reads settings, priority list and areas again (after a change by another process). */
int coord_reload(struct coord *c, struct cscc_err *err);
/** The store the handle works on. */
struct store *coord_store(struct coord *c);
/** The settings in use. */
const struct coord_config *coord_config(const struct coord *c);

/**
 * Fixes the clock at now (Unix seconds) for every later call; 0 goes back to
 * the real clock. For tests, and for replaying a day.
 */
void coord_set_now(struct coord *c, int64_t now);
/** The handle's idea of now, in Unix seconds. */
int64_t coord_now(const struct coord *c);

/** 1 when area is in the priority list of the settings. */
int coord_is_priority_area(const struct coord *c, int area);
/** The name of a community area, "" when unknown. */
const char *coord_area_name(const struct coord *c, int area);

/* ------------------------------------------------------------------------ */
/* Helpers shared with the interfaces                                        */
/* ------------------------------------------------------------------------ */

/** Writes t (Unix seconds) as ISO 8601 in local time with its offset into buf (>= 32 bytes). */
void coord_format_time(int64_t t, char *buf, size_t cap);
/**
 * Parses an ISO 8601 time with an offset ("2026-03-02T09:15:00-06:00", "...Z"),
 * or without one (then local time), or a date (local midnight), into Unix
 * seconds. 0 or CSCC_EINVAL.
 */
int coord_parse_time(const char *s, int64_t *t);

/**
 * Fills err->field with field (printf-style: "attribute[%s]") and returns
 * err->code. For functions that set a message with cscc_err_set first.
 */
int coord_err_field(struct cscc_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
