/**
 * partners.h - community partner organizations, engagement events, and the
 * coverage report (which sectors took part, per priority area and period).
 *
 * Organizations keep a record they maintain themselves: name, sectors (the
 * ten of PRODUCT.md §1), community areas served, services offered, capacity
 * per week, private contacts; a coordinator verifies them. The public
 * directory (COORD_VIEW_PUBLIC) omits contacts and who verified.
 *
 * Engagement events record a meeting, walk or fair: type, day, area,
 * organizations and departments present, attendance, sectors represented
 * and commitments made. An event represents a sector when the sector is
 * listed on the event, when an organization present works in it, or (for
 * "city_services") when a City department was present.
 *
 * See coord.h for the conventions (actors, errors with fields, durability,
 * callbacks, views).
 */
#ifndef CSCC_COORD_PARTNERS_H
#define CSCC_COORD_PARTNERS_H

#include "coord/coord.h"

/* ------------------------------------------------------------------------ */
/* Sectors                                                                   */
/* ------------------------------------------------------------------------ */

#define COORD_NSECTORS 10

/**
 * The sector codes, in PRODUCT.md's order: healthcare, mental_health,
 * violence_reduction, youth_services, victim_services, education, faith,
 * business, elected_officials, city_services.
 */
extern const char *const coord_sectors[COORD_NSECTORS];
/** The label of sector i for people ("Mental health"). */
extern const char *const coord_sector_labels[COORD_NSECTORS];
/** The index of sector code s (case-insensitive; "-" and " " read as "_"), or -1. */
int coord_sector_index(const char *s);

/* ------------------------------------------------------------------------ */
/* Organizations                                                             */
/* ------------------------------------------------------------------------ */

#define COORD_MAX_LIST 64 /* most sectors, areas, services, orgs ... in one list */

/** An organization (input of create/update, output of reads). */
struct coord_org {
    int64_t id;
    const char *name;        /* 1-200 characters, unique (case-insensitive) */
    const char *description; /* up to 4000 */
    const char *website;     /* "" or http(s)://... */
    const char *const *sectors;
    size_t nsectors; /* at least 1 on create */
    const int *areas;
    size_t nareas; /* community areas served; none = citywide */
    const char *const *services;
    size_t nservices;          /* services offered, free text, each up to 200 */
    int64_t capacity_per_week; /* people or slots a week, >= 0 */
    const char *capacity_unit; /* "people" (default) or "slots" */
    const char *contact_name, *contact_email, *contact_phone; /* private */
    int verified;
    const char *verified_by; /* private */
    int64_t verified_at;     /* 0 when not verified */
    const char *created_by;  /* private */
    int64_t created_at, updated_at;
};

/** Fields of an update (coord_org_update): a bit per field, COORD_ORG_ALL for all. */
enum {
    COORD_ORG_NAME = 1 << 0,
    COORD_ORG_DESCRIPTION = 1 << 1,
    COORD_ORG_WEBSITE = 1 << 2,
    COORD_ORG_SECTORS = 1 << 3,
    COORD_ORG_AREAS = 1 << 4,
    COORD_ORG_SERVICES = 1 << 5,
    COORD_ORG_CAPACITY = 1 << 6, /* capacity_per_week and capacity_unit */
    COORD_ORG_CONTACTS = 1 << 7, /* the three contact fields */
    COORD_ORG_ALL = (1 << 8) - 1
};

/**
 * Registers an organization; *id gets its id. Needs COORD_ORG_CREATE. It
 * starts unverified (verified is ignored). Field errors: name, description,
 * website, sectors[i], areas[i], services[i], capacity_per_week,
 * capacity_unit, contact_email; CSCC_EEXIST when the name is taken.
 */
int coord_org_create(struct coord *c, const struct coord_actor *a, const struct coord_org *o,
                     int64_t *id, struct cscc_err *err);
/**
 * Changes the fields of organization id named by the bits of fields (lists
 * are replaced whole). Needs COORD_ORG_EDIT on it. CSCC_ENOENT when there
 * is no such organization.
 */
int coord_org_update(struct coord *c, const struct coord_actor *a, int64_t id,
                     const struct coord_org *o, unsigned fields, struct cscc_err *err);
/** Sets (verified 1) or clears the verified flag; needs COORD_ORG_VERIFY. */
int coord_org_verify(struct coord *c, const struct coord_actor *a, int64_t id, int verified,
                     struct cscc_err *err);

typedef int (*coord_org_fn)(void *arg, const struct coord_org *o);

/** Filters of coord_org_each (zero = no filter). */
struct coord_org_filter {
    const char *sector;   /* works in this sector */
    int area;             /* serves this area (citywide organizations included) */
    int verified_only;    /* only verified organizations */
    const char *name;     /* name contains this text (case-insensitive) */
    size_t limit, offset; /* limit 0 = 1000 */
};

/** One organization, or CSCC_ENOENT. */
int coord_org_get(struct coord *c, int64_t id, coord_org_fn fn, void *arg, struct cscc_err *err);
/** Organizations by name. */
int coord_org_each(struct coord *c, const struct coord_org_filter *f, coord_org_fn fn, void *arg,
                   struct cscc_err *err);
/** The view actor a has of organization o: FULL for its own partner, coordinators, admins. */
enum coord_view coord_org_view(const struct coord_actor *a, const struct coord_org *o);
/** o as a JSON object in view v (NULL only when out of memory). */
json_t *coord_org_json(const struct coord_org *o, enum coord_view v);

/* ------------------------------------------------------------------------ */
/* Engagement events                                                         */
/* ------------------------------------------------------------------------ */

/** The event types: community_meeting, peace_walk, resource_fair, launch_committee,
 * coordination_meeting, training, other. */
extern const char *const coord_event_types[];
/** 1 when s is an event type. */
int coord_event_type_valid(const char *s);

/** A commitment made at an event. */
struct coord_commitment {
    const char *text;  /* what, 1-1000 characters */
    const char *party; /* who committed: an organization, a department, a person; may be "" */
    int has_due;
    int64_t due_day; /* day number (core/time.h) when has_due */
};

/** An engagement event (input of create, output of reads). */
struct coord_event {
    int64_t id;
    const char *type;  /* coord_event_types */
    const char *title; /* up to 200 */
    int64_t day;       /* day number of the event */
    int area;          /* community area, 0 = citywide */
    int64_t attendance;
    const char *notes; /* up to 4000 */
    const int64_t *orgs;
    size_t norgs; /* organizations present */
    const char *const *departments;
    size_t ndepartments; /* department codes present */
    const char *const *sectors;
    size_t nsectors; /* sectors present beyond those of the organizations */
    const struct coord_commitment *commitments;
    size_t ncommitments;
    /* output only */
    const char *const *represented; /* every sector represented (see the top of this file) */
    size_t nrepresented;
    const char *created_by;
    int64_t created_by_org;
    int64_t created_at;
};

/**
 * Records an event; *id gets its id. Needs COORD_EVENT_CREATE. Field errors:
 * type, title, day, area, attendance, orgs[i] (no such organization),
 * departments[i], sectors[i], commitments[i].text, notes.
 */
int coord_event_create(struct coord *c, const struct coord_actor *a, const struct coord_event *e,
                       int64_t *id, struct cscc_err *err);

typedef int (*coord_event_fn)(void *arg, const struct coord_event *e);

struct coord_event_filter {
    int has_from, has_to;
    int64_t from_day, to_day; /* inclusive */
    int area;                 /* 0 = any */
    const char *type;         /* NULL = any */
    int64_t logged_by_org;    /* logged by a partner of this organization, 0 = any */
    size_t limit, offset;     /* limit 0 = 1000 */
};

/** One event, or CSCC_ENOENT. */
int coord_event_get(struct coord *c, int64_t id, coord_event_fn fn, void *arg,
                    struct cscc_err *err);
/** Events by day, newest first. */
int coord_event_each(struct coord *c, const struct coord_event_filter *f, coord_event_fn fn,
                     void *arg, struct cscc_err *err);
/** e as a JSON object (events are public but for notes and who recorded them: STAFF+). */
json_t *coord_event_json(const struct coord_event *e, enum coord_view v);

/* ------------------------------------------------------------------------ */
/* Coverage                                                                  */
/* ------------------------------------------------------------------------ */

/** One area's participation in a period. */
struct coord_coverage_row {
    int area;
    const char *name;
    int priority;                          /* in the priority list */
    int64_t events;                        /* events held in the area */
    int64_t attendance;                    /* their total attendance */
    int64_t sector_events[COORD_NSECTORS]; /* events that represented each sector */
    int sectors_covered;                   /* sectors with at least one event */
    int64_t orgs_serving;                  /* organizations that serve the area (or citywide) */
};

/**
 * For each priority area (all areas when all_areas), in list order, the
 * events held there from from_day to to_day (inclusive) and which sectors
 * took part. Needs COORD_EVENT_VIEW.
 */
int coord_coverage(struct coord *c, const struct coord_actor *a, int64_t from_day, int64_t to_day,
                   int all_areas, int (*fn)(void *arg, const struct coord_coverage_row *r),
                   void *arg, struct cscc_err *err);
/** A row as JSON: area, name, priority, events, attendance, sectors {code: events}, missing [...].
 */
json_t *coord_coverage_json(const struct coord_coverage_row *r);

#endif
