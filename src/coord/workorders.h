/**
 * workorders.h - routing rules, work orders and their state machine,
 * escalation of what is overdue, the notification outbox, and response
 * metrics.
 *
 * Routing: each need goes to one department as a work order due a deadline
 * after intake. The first rule (by position) that matches the need's
 * service, area (or "any priority area") and local time of day and day of
 * the week decides the department and, if it sets one, the deadline; with no
 * rule matching, the service's default department and deadline apply.
 *
 * States and who may move a work order (coord_transitions lists them):
 *
 *   from          to            roles
 *   new           acknowledged  department (its own), coordinator, admin
 *   new           in_progress   department (its own), coordinator, admin
 *   acknowledged  in_progress   department (its own), coordinator, admin
 *   new, acknowledged, in_progress
 *                 resolved      department (its own), coordinator, admin
 *   new, acknowledged, in_progress
 *                 rejected      department (its own), coordinator, admin  (public note required)
 *   new, acknowledged, in_progress
 *                 duplicate     coordinator, admin (names the need it duplicates)
 *   resolved      closed        coordinator, admin
 *   resolved      in_progress   department (its own), coordinator, admin (reopened)
 *   rejected      new           coordinator, admin (reopened)
 *
 * closed and duplicate are final. Every step (and the creation, a
 * reassignment, an escalation) is recorded with who, when, the public note
 * and the internal note. A need's status is its work order's state; needs
 * that follow it (duplicates) take the same status. Each step writes a
 * notification to the outbox in the same transaction.
 *
 * See coord.h for the conventions.
 */
#ifndef CSCC_COORD_WORKORDERS_H
#define CSCC_COORD_WORKORDERS_H

#include "coord/coord.h"

/* ------------------------------------------------------------------------ */
/* States                                                                    */
/* ------------------------------------------------------------------------ */

enum coord_state {
    COORD_NEW = 0,
    COORD_ACKNOWLEDGED,
    COORD_IN_PROGRESS,
    COORD_RESOLVED,
    COORD_CLOSED,
    COORD_REJECTED,
    COORD_DUPLICATE,
    COORD_NSTATES
};

/** "new", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate". */
const char *coord_state_name(enum coord_state s);
/** The state named s ("in-progress" and "in progress" too), or -1. */
int coord_state_by_name(const char *s);
/** 1 for new, acknowledged and in_progress: the work is still to do (Open311 "open"). */
int coord_state_is_open(enum coord_state s);

/** One allowed step of the state machine. */
struct coord_transition {
    enum coord_state from, to;
    unsigned roles;    /* bit (1 << role) for each role allowed */
    int note_required; /* a public note must say why */
};

/** The allowed steps (the table at the top of this file); *n gets their number. */
const struct coord_transition *coord_transitions(size_t *n);

/**
 * Decides whether actor a may move a work order of department dept from one
 * state to another: 0; CSCC_EINVAL (field "state") when no such step exists,
 * naming the states it may go to; CSCC_EPERM when the step exists but not
 * for this actor (a department moves only its own work orders). Pure.
 */
int coord_check_move(const struct coord_actor *a, const char *dept, enum coord_state from,
                     enum coord_state to, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Routing rules                                                             */
/* ------------------------------------------------------------------------ */

/** A routing rule. */
struct coord_route {
    int64_t id;
    int position;           /* rules are tried by position, then id */
    const char *name;       /* for people, may be "" */
    const char *service;    /* a service code, NULL or "" = any */
    int area;               /* a community area, 0 = any */
    int priority_only;      /* 1: only needs in priority areas */
    unsigned days;          /* bit (1 << weekday), 0 = Sunday; 0x7f = every day */
    int minute_from;        /* local time of day, minutes 0-1439 */
    int minute_to;          /* 1-1440; from > to wraps midnight (22:00-06:00) */
    const char *department; /* where it goes */
    int deadline_hours;     /* 0 = the service's deadline */
    const char *created_by; /* output only */
    int64_t created_at;     /* output only */
};

/** Adds a rule (COORD_ROUTE_EDIT); *id gets its id. Field errors: service, area, days,
 * hours, department, deadline. */
int coord_route_add(struct coord *c, const struct coord_actor *a, const struct coord_route *r,
                    int64_t *id, struct cscc_err *err);
/** Removes rule id (COORD_ROUTE_EDIT); CSCC_ENOENT when none. */
int coord_route_remove(struct coord *c, const struct coord_actor *a, int64_t id,
                       struct cscc_err *err);
typedef int (*coord_route_fn)(void *arg, const struct coord_route *r);
/** The rules in the order they are tried. */
int coord_route_each(struct coord *c, coord_route_fn fn, void *arg, struct cscc_err *err);
json_t *coord_route_json(const struct coord_route *r);

/**
 * 1 when rule r matches a need of service in area (is_priority: the area is
 * a priority area) at local weekday (0 = Sunday) and minute of the day. Pure.
 */
int coord_route_matches(const struct coord_route *r, const char *service, int area, int is_priority,
                        int weekday, int minute);

/** Where a need goes. */
struct coord_routing {
    char department[64];
    int deadline_hours;
    int64_t route_id; /* the rule that decided, 0 = the service's defaults */
    int64_t due_at;   /* at + deadline */
};

/**
 * Routes a need of service (an active service) in area made at time at
 * (Unix seconds; local time decides). CSCC_ENOENT (field service_code) for
 * no such service.
 */
int coord_route_decide(struct coord *c, const char *service, int area, int64_t at,
                       struct coord_routing *out, struct cscc_err *err);

/** Parses "mon-fri", "sat,sun", "all", "mon,wed-fri" into a days mask. 0 or CSCC_EINVAL. */
int coord_parse_days(const char *s, unsigned *days);
/** Parses "08:00-17:00" (or "22:00-06:00") into minutes. 0 or CSCC_EINVAL. */
int coord_parse_hours(const char *s, int *minute_from, int *minute_to);

/* ------------------------------------------------------------------------ */
/* Work orders                                                               */
/* ------------------------------------------------------------------------ */

struct coord_workorder {
    int64_t id;
    int64_t need_id;
    const char *department;
    const char *service;
    int area;
    double priority; /* the need's score */
    enum coord_state state;
    int64_t route_id;
    int64_t created_at, due_at;
    int64_t acknowledged_at, resolved_at, closed_at, escalated_at; /* 0 when not (yet) */
    int64_t updated_at;
    int overdue; /* open and past due at the handle's now */
};

typedef int (*coord_workorder_fn)(void *arg, const struct coord_workorder *w);

/** Filters of coord_workorder_each (zero = no filter). */
struct coord_wo_filter {
    const char *department; /* required for a department actor (its own) */
    unsigned states;        /* bit (1 << state); 0 = the open states */
    int all_states;         /* 1: any state (states ignored) */
    int overdue_only;       /* open and past due */
    int area;
    const char *service;
    size_t limit, offset; /* limit 0 = 100; at most 100000 */
    /* Keyset paging: only work orders after (after_due, after_id) in the
     * queue's order, when has_after (see coord_wo_cursor_parse). */
    int has_after;
    int64_t after_due, after_id;
};

/**
 * The queue: work orders matching f, most urgent first (due time, then id:
 * open overdue ones come first), as actor a may see them (COORD_WO_VIEW: a
 * department sees only its own, and must name it or have f->department
 * NULL, which then means its own). A department's open queue runs down the
 * index (department, open, due_at, id), from the cursor when there is one,
 * so a page deep in the queue costs what the first one does.
 */
int coord_workorder_each(struct coord *c, const struct coord_actor *a,
                         const struct coord_wo_filter *f, coord_workorder_fn fn, void *arg,
                         struct cscc_err *err);
/**
 * The queue cursor after w, "DUE_AT:ID" (Unix seconds and id), into buf (at
 * least COORD_WO_CURSOR_MAX bytes): the `after` of the next page.
 */
#define COORD_WO_CURSOR_MAX 48
void coord_wo_cursor(const struct coord_workorder *w, char *buf, size_t cap);
/** Reads a cursor of coord_wo_cursor into f (has_after set); CSCC_EINVAL, field "after". */
int coord_wo_cursor_parse(const char *s, struct coord_wo_filter *f, struct cscc_err *err);

/** One work order (COORD_WO_VIEW on it), or CSCC_ENOENT. */
int coord_workorder_get(struct coord *c, const struct coord_actor *a, int64_t id,
                        coord_workorder_fn fn, void *arg, struct cscc_err *err);
json_t *coord_workorder_json(const struct coord_workorder *w);

/** A step of a work order's history. */
struct coord_wo_event {
    int64_t id, wo_id, at;
    const char *actor, *actor_role; /* "system" for escalation */
    const char *from_state;         /* "" for the creation */
    const char *to_state;
    const char *department; /* the department after the step */
    const char *public_note, *internal_note;
};
typedef int (*coord_wo_event_fn)(void *arg, const struct coord_wo_event *e);
/** The history of work order wo_id, oldest first. */
int coord_workorder_history(struct coord *c, int64_t wo_id, coord_wo_event_fn fn, void *arg,
                            struct cscc_err *err);
/** e as JSON; PUBLIC omits the actor and the internal note. */
json_t *coord_wo_event_json(const struct coord_wo_event *e, enum coord_view v);

/** A step asked for. */
struct coord_move {
    enum coord_state to;
    const char *public_note;   /* shown to the reporter and the public, up to 2000 */
    const char *internal_note; /* staff only, up to 4000 */
    int64_t duplicate_of;      /* to duplicate: the need this one duplicates */
};

/**
 * Moves work order id (coord_check_move decides), records the step, updates
 * the need and its followers, and writes a notification. For duplicate, the
 * need and its followers then follow duplicate_of's need (which must be
 * another open need of the same service). CSCC_ENOENT for no such work
 * order; CSCC_EINVAL (field state, public_note, duplicate_of).
 */
int coord_workorder_move(struct coord *c, const struct coord_actor *a, int64_t id,
                         const struct coord_move *m, struct cscc_err *err);
/**
 * Sends work order id to another department (COORD_WO_ASSIGN), keeping its
 * state and due time; recorded with the notes. Field errors: department.
 */
int coord_workorder_assign(struct coord *c, const struct coord_actor *a, int64_t id,
                           const char *department, const char *public_note,
                           const char *internal_note, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Escalation                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Escalates every open work order past its due time not escalated yet: marks
 * it, records the step (actor "system") and writes a "workorder.overdue"
 * notification for coordinators, in one transaction per
 * coord.escalate_batch work orders. The server's timer and `cscc escalate`
 * call it. *n (may be NULL) gets how many were escalated. COORD_ESCALATE.
 */
int coord_escalate(struct coord *c, const struct coord_actor *a, size_t *n, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Notification outbox                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Notifications are rows written in the same transaction as the change they
 * announce (so none is lost, and none is sent for a change that was rolled
 * back), then delivered at least once, in order of id, to a webhook: an
 * HTTP POST of the JSON body {"id", "topic", "created_at", "data"} (data is
 * the stored payload; id is a string) with
 * headers Content-Type: application/json, X-CSCC-Delivery: ID and
 * X-CSCC-Topic: TOPIC. A 2xx answer marks it delivered; anything else (or
 * no answer) counts an attempt and retries after coord.outbox_backoff_s,
 * doubling up to coord.outbox_backoff_max_s. Receivers de-duplicate by id.
 * Topics: workorder.created, workorder.state, workorder.assigned,
 * workorder.overdue, need.duplicate. Payloads carry no contact details.
 */
struct coord_outbox_msg {
    int64_t id;
    int64_t created_at;
    const char *topic;
    const char *payload; /* the JSON object posted as "data" */
    int64_t attempts;
    int64_t next_at;
    int64_t delivered_at; /* 0 while pending */
    const char *last_error;
};
typedef int (*coord_outbox_fn)(void *arg, const struct coord_outbox_msg *m);
/** Messages, oldest first; pending only when pending_only; at most limit (0 = 1000). */
int coord_outbox_each(struct coord *c, const struct coord_actor *a, int pending_only, size_t limit,
                      coord_outbox_fn fn, void *arg, struct cscc_err *err);

/**
 * Posts one message: returns 0 and sets *status to the HTTP status, or a
 * negative code with errbuf saying why there was no answer. The default
 * (libcurl) is used when a delivery is given no poster; tests give their own.
 */
typedef int (*coord_post_fn)(void *arg, const char *url, const struct coord_outbox_msg *m,
                             double timeout_s, long *status, char *errbuf, size_t errcap);

struct coord_delivery {
    size_t delivered;
    size_t failed;   /* attempts that failed in this run */
    size_t pending;  /* left pending (including those not yet due) */
    int64_t next_at; /* the earliest next attempt of those pending, 0 when none */
};

/**
 * Delivers the due pending messages, oldest first, at most max (0 = all due),
 * to url (NULL = coord.webhook_url; CSCC_EINVAL when neither is set). Each
 * outcome is committed before the next post. After a failure the run stops
 * (the receiver is likely down; later messages keep their order). post
 * NULL = libcurl. COORD_OUTBOX.
 */
int coord_outbox_deliver(struct coord *c, const struct coord_actor *a, const char *url, size_t max,
                         coord_post_fn post, void *post_arg, struct coord_delivery *out,
                         struct cscc_err *err);
/** The libcurl poster (POST with the headers above, no redirects, TLS verified). */
int coord_post_curl(void *arg, const char *url, const struct coord_outbox_msg *m, double timeout_s,
                    long *status, char *errbuf, size_t errcap);
json_t *coord_outbox_json(const struct coord_outbox_msg *m);

/* ------------------------------------------------------------------------ */
/* Response metrics                                                          */
/* ------------------------------------------------------------------------ */

enum coord_metrics_by {
    COORD_BY_NONE = 0, /* one row: everything */
    COORD_BY_DEPARTMENT,
    COORD_BY_SERVICE,
    COORD_BY_AREA,
    COORD_BY_PRIORITY, /* two rows: priority areas, other areas */
};
/** The key named s ("department", "service" or "category", "area", "priority", "none"), or -1. */
int coord_metrics_by_name(const char *s);

/** Response times of one group, in hours (NaN when the group has none). */
struct coord_metrics_row {
    const char *key;   /* department code, service code, area number, "priority"/"other", "all" */
    const char *label; /* its name */
    int64_t workorders;
    int64_t acknowledged, resolved, open, overdue;
    double ack_median_h, ack_p90_h;
    double resolve_median_h, resolve_p90_h;
};

/**
 * Time to acknowledge (first acknowledged, in progress or resolved) and to
 * resolve (first resolved or closed), from creation, for the work orders
 * created in [from, to] (Unix seconds, inclusive; from 0 and to 0 = all),
 * grouped by. Median and 90th percentile by linear interpolation between
 * order statistics (the 'inclusive' method of Python's statistics.quantiles,
 * numpy's default). Duplicates and rejected work orders count in workorders
 * but not in times. COORD_METRICS.
 */
int coord_metrics_response(struct coord *c, const struct coord_actor *a, enum coord_metrics_by by,
                           int64_t from, int64_t to,
                           int (*fn)(void *arg, const struct coord_metrics_row *r), void *arg,
                           struct cscc_err *err);
json_t *coord_metrics_json(const struct coord_metrics_row *r);
/** The q-quantile (0..1) of sorted values v[0..n) by linear interpolation; NaN when n is 0. */
double coord_quantile(const double *v, size_t n, double q);

#endif
