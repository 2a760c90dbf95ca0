/**
 * needs.h - needs (Open311 "service requests"): intake, placement,
 * duplicates, risk-informed priority, and what the public may see.
 *
 * Intake (coord_need_add) checks the request against the catalogue, places
 * it (a latitude/longitude, or a block address such as "043XX W MADISON ST"
 * or "4300 w. Madison Street" found in the block gazetteer), puts it in its
 * community area, links it to an earlier open need of the same service
 * within coord.duplicate_radius_m (its reporter then follows that need's
 * status, and no second work order is made), scores its priority, routes it
 * to a department as a work order with a due time (workorders.h), and
 * writes a notification to the outbox: all in one transaction, committed
 * before it returns.
 *
 * Priority, stored with its components so anyone can see why:
 *   score = weight x violence x area_factor
 *   weight      the service's weight in the catalogue (1 ordinary)
 *   density     a quartic kernel density of violent incidents (category
 *               coord.kde_category) within coord.kde_bandwidth_m of the
 *               point over the coord.kde_days days up to the newest incident
 *               of the crimes table or today, whichever is earlier; in
 *               incidents per km^2: sum of 3/(pi h^2) (1 - d^2/h^2)^2
 *   city_density  those incidents over the area of every community area
 *   ratio       density / city_density (1 = the city's average)
 *   violence    1 + coord.violence_coef x log2(1 + ratio)
 *   area_factor coord.priority_factor in a priority area, else 1
 * Without a crimes table the violence factor is 1.
 *
 * Privacy: residents may report anonymously. Contact details (name, email,
 * phone) and who reported are kept in the store but appear only in
 * COORD_VIEW_FULL; public views carry the block and a block-level point (the
 * gazetteer's point of the block, or the position rounded to 0.001 degree),
 * never the exact point.
 *
 * See coord.h for the conventions.
 */
#ifndef CSCC_COORD_NEEDS_H
#define CSCC_COORD_NEEDS_H

#include "coord/catalog.h"
#include "coord/coord.h"

/* ------------------------------------------------------------------------ */
/* Addresses and the block gazetteer                                         */
/* ------------------------------------------------------------------------ */

/** Longest block string, with its NUL. */
#define COORD_BLOCK_MAX 96

/**
 * Writes the City's block form of a street address into out: "4312 w.
 * Madison Street" -> "043XX W MADISON ST"; "43xx W Madison" -> "043XX W
 * MADISON"; a block string is returned as it is (upper case, single
 * spaces). Directions (N, S, E, W, North, ...) and the usual street types
 * (Street -> ST, Avenue -> AVE, Boulevard -> BLVD, ...) are abbreviated as
 * the City's data writes them; punctuation is dropped. *hundred gets the
 * house number / 100 (NULL allowed) and street (cap street_cap, may be
 * NULL) the part after the block number. A pure function. CSCC_EINVAL
 * (field "address") when there is no house number or no street name.
 */
int coord_block_normalize(const char *addr, char *out, size_t cap, int *hundred, char *street,
                          size_t street_cap, struct cscc_err *err);

/** What the gazetteer build did. */
struct coord_gazetteer_info {
    size_t blocks;       /* blocks stored */
    size_t incidents;    /* incidents with a block and coordinates */
    uint64_t generation; /* of the crimes table it was built from */
};

/**
 * Builds the block gazetteer from the crimes table: each Block string with
 * the median latitude and longitude of its incidents and the community area
 * most of them are in. Replaces the stored gazetteer in one transaction.
 * CSCC_ENOENT when the handle has no crimes table.
 */
int coord_gazetteer_build(struct coord *c, struct coord_gazetteer_info *info, struct cscc_err *err);
/**
 * Builds the gazetteer when it was never built or was built from another
 * generation of the crimes table; *built says whether it did. Without a
 * crimes table it does nothing (returns 0).
 */
int coord_gazetteer_ensure(struct coord *c, int *built, struct cscc_err *err);

/** Where an address or a point was placed. */
struct coord_place {
    double lat, lon;               /* the point */
    double public_lat, public_lon; /* the block-level point shown to the public */
    int area;                      /* community area, 0 when outside every area */
    char block[COORD_BLOCK_MAX];   /* the block, "" when none is near */
    const char *located_by;        /* "point", "block" (the address's block is known), or
                                      "street" (a block of the street not seen: placed between
                                      the nearest known blocks of that street) */
};

/**
 * Places an address: the block's gazetteer point; when that block was never
 * seen, a point between the nearest known blocks of the same street (or the
 * nearest one, when only one side is known, up to 8 blocks away). CSCC_EINVAL
 * for an address that is not one; CSCC_ENOENT (field "address") when the
 * gazetteer knows no block of that street.
 */
int coord_locate_address(struct coord *c, const char *addr, struct coord_place *p,
                         struct cscc_err *err);
/**
 * Places a point: its community area, and the nearest gazetteer block within
 * 250 m (else the position rounded to 0.001 degree) for the public.
 * CSCC_EINVAL (field "lat" or "long") for a point that is not a position.
 */
int coord_locate_point(struct coord *c, double lat, double lon, struct coord_place *p,
                       struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Violence intensity: a quartic kernel density                              */
/* ------------------------------------------------------------------------ */

/** The incidents of one window, indexed for density queries. */
struct coord_kde;

/**
 * Collects the incidents of table t from day_from to day_to (inclusive,
 * civil day numbers) whose FBI code is one of fbi[0..nfbi) and that have
 * coordinates. NULL with err filled (CSCC_ENOMEM, CSCC_EDATA when the table
 * lacks latitude, longitude or fbi_code).
 */
struct coord_kde *coord_kde_new(const struct colstore_table *t, const char *const *fbi, size_t nfbi,
                                int64_t day_from, int64_t day_to, struct cscc_err *err);
void coord_kde_free(struct coord_kde *k);
/** Incidents collected. */
size_t coord_kde_count(const struct coord_kde *k);
/**
 * The quartic kernel density at (lat, lon) with bandwidth h metres, in
 * incidents per km^2: sum over incidents within h of 3/(pi h^2) (1 -
 * d^2/h^2)^2, h and d in km, d the great-circle distance on a sphere of
 * 6,371,008.8 m (equirectangular at this scale). *within (may be NULL) gets
 * how many incidents were within h. Pure; thread-safe.
 */
double coord_kde_density(const struct coord_kde *k, double lat, double lon, double h,
                         size_t *within);

/** Distance in metres between two points (haversine, mean Earth radius). */
double coord_distance_m(double lat1, double lon1, double lat2, double lon2);

/** The components of a need's priority (see the top of this file). */
struct coord_score {
    double score;
    double weight;
    double density;      /* incidents per km^2 */
    double city_density; /* incidents per km^2 over the whole city */
    double ratio;        /* density / city_density */
    double violence;     /* 1 + coef log2(1 + ratio) */
    int priority_area;
    double area_factor;
    int64_t incidents; /* violent incidents within the bandwidth */
    double bandwidth_m;
    int days;
    int64_t until_day; /* last day of the window; 0 when there was no crimes table */
};

/**
 * Scores a need of the given weight at a point in area. Reads the crimes
 * table on first use (then keeps the window's incidents until the day or the
 * table changes).
 */
int coord_score_point(struct coord *c, double weight, double lat, double lon, int area,
                      struct coord_score *s, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Intake                                                                    */
/* ------------------------------------------------------------------------ */

/** A reported need. */
struct coord_need_req {
    const char *service_code; /* required, an active service */
    const char *description;  /* up to 4000 characters; may be "" */
    int has_point;            /* 1: lat and lon are given */
    double lat, lon;
    const char *address; /* a block address, when there is no point (both: the point
                            places the need, the address is kept as written) */
    const struct coord_answer *answers;
    size_t nanswers;
    const char *contact_name;  /* up to 200; private */
    const char *contact_email; /* "" or one address, up to 254; private */
    const char *contact_phone; /* "" or digits, spaces and + - ( ) . up to 40; private */
    const char *media_url;     /* "" or http(s)://..., up to 1000 */
    const char *source;        /* "web", "api", "open311", "cli", "phone"; NULL = "api" */
};

/** What intake tells the reporter (and the caller): the acknowledgement. */
struct coord_need_ack {
    int64_t id;
    char token[33];       /* an opaque token for Open311's tokens/{token} */
    int64_t duplicate_of; /* the earlier need this one follows, 0 when none */
    double duplicate_m;   /* its distance in metres */
    int64_t workorder_id; /* 0 for a duplicate */
    char department[64];  /* the department it went to (the followed need's for a duplicate) */
    int64_t due_at;
    char status[16];
    int area;
    char block[COORD_BLOCK_MAX];
    struct coord_score score;
};

/**
 * Takes in a need from actor a (COORD_NEED_CREATE): a resident (public,
 * anonymous unless contact details are given), a partner (recorded as its
 * organization's report) or staff. Rate limits are the caller's
 * (coord_ratelimit_check before calling). Field errors: service_code,
 * description, lat, long, address_string, attribute[CODE], email, phone,
 * first_name (the contact name), media_url. CSCC_ENOENT (field
 * service_code) for an unknown or retired service; CSCC_EINVAL (field lat)
 * for a point outside every community area.
 */
int coord_need_add(struct coord *c, const struct coord_actor *a, const struct coord_need_req *r,
                   struct coord_need_ack *ack, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Reading needs                                                             */
/* ------------------------------------------------------------------------ */

/** A stored need, with what its work order says. */
struct coord_need {
    int64_t id;
    const char *token;
    const char *service, *service_name;
    const char *description;
    double lat, lon;               /* exact: staff only */
    double public_lat, public_lon; /* block level */
    const char *address, *block, *located_by;
    int area;
    const char *source;
    const char *reporter_kind; /* "resident", "partner", "staff" */
    const char *reporter;      /* user name, "" when anonymous */
    int64_t reporter_org;
    const char *reporter_department;
    const char *contact_name, *contact_email, *contact_phone; /* private */
    const char *media_url;
    int64_t duplicate_of; /* 0 when none */
    double duplicate_m;
    const char *status; /* the work order's state (the followed need's for a duplicate) */
    int open;
    const char *status_note; /* the latest public note */
    struct coord_score score;
    int64_t created_at, updated_at;
    /* its work order (the followed need's for a duplicate): 0 / "" when none */
    int64_t workorder_id;
    const char *department, *department_name;
    int64_t due_at;
    int is_private; /* of a private service (coord_service.is_private) */
    /* answers, only from coord_need_get */
    const struct coord_answer *answers;
    size_t nanswers;
};

typedef int (*coord_need_fn)(void *arg, const struct coord_need *n);

/** Filters of coord_need_each (zero = no filter); the Open311 GET requests parameters. */
struct coord_need_filter {
    const int64_t *ids;
    size_t nids;          /* needs by id (at most 100), in this order; the other filters then do not
                             apply, as in Open311; an id with no need is left out */
    const char *service;  /* one service code, NULL = any */
    int has_from, has_to; /* created in [from, to] (Unix seconds, inclusive) */
    int64_t from, to;
    int open;               /* 1: open only, 2: closed only, 0: both */
    const char *status;     /* one detailed status ("in_progress"), NULL = any */
    int area;               /* 0 = any */
    const char *department; /* routed to this department */
    int64_t reporter_org;   /* reported by this organization, 0 = any */
    int public_view;        /* for a viewer with the public view: leaves out the needs of
                               private services, but those viewer_org reported */
    int64_t viewer_org;     /* the viewer's organization, 0 = none */
    int newest_first;       /* order by id descending (default ascending) */
    int by_time;            /* with a period and no `after`: order by the time reported,
                               then id (Open311's lists: a range of the created_at
                               index, read in order, rather than a sort of the period) */
    size_t limit, offset;   /* limit 0 = 1000 */
    int64_t after;          /* keyset paging: only needs after this id in the order
                               (below it when newest_first), 0 = from the start */
};

/** One need with its answers; CSCC_ENOENT (field service_request_id) when none. */
int coord_need_get(struct coord *c, int64_t id, coord_need_fn fn, void *arg, struct cscc_err *err);
/** One need by its token; CSCC_ENOENT (field token). */
int coord_need_get_by_token(struct coord *c, const char *token, coord_need_fn fn, void *arg,
                            struct cscc_err *err);
/** Needs matching f (answers not included). */
int coord_need_each(struct coord *c, const struct coord_need_filter *f, coord_need_fn fn, void *arg,
                    struct cscc_err *err);

/**
 * The view actor a has of need n: FULL for coordinators and admins, for the
 * department it was routed to, and for the partner organization that
 * reported it; STAFF for analysts and other departments; PUBLIC otherwise.
 */
enum coord_view coord_need_view(const struct coord_actor *a, const struct coord_need *n);

/**
 * 1 when actor a may not see need n at all: a need of a private service
 * (a victim services referral) is a person's record, shown only to staff and
 * to the partner organization that reported it, never in a public view.
 */
int coord_need_hidden(const struct coord_actor *a, const struct coord_need *n);

/** Sets f's public_view and viewer_org for actor a (NULL: anonymous). */
void coord_need_filter_for(struct coord_need_filter *f, const struct coord_actor *a);

/**
 * n as JSON in view v: service_request_id (a string, as Open311 wants),
 * service_code, service_name, description, status (open or closed),
 * detailed_status, status_notes, agency_responsible (department name),
 * requested_datetime, updated_datetime, expected_datetime, address, block,
 * lat and long (block level in PUBLIC), area, duplicate_of, media_url,
 * priority {score and components}; STAFF adds exact_lat, exact_long,
 * located_by, reporter_kind, reporter, reporter_org, department code and the
 * answers (attributes) when present; FULL adds token and contact {name,
 * email, phone}.
 */
json_t *coord_need_json(const struct coord_need *n, enum coord_view v);

/* ------------------------------------------------------------------------ */
/* Rate limiting of anonymous intake                                         */
/* ------------------------------------------------------------------------ */

/**
 * A table of recent anonymous submissions per address (an IPv6 address
 * counts by its /64) and in all, over a sliding hour (the current and the
 * previous clock hour, the previous one weighted by how much of it is still
 * within the hour). Kept in memory by the server: it forgets on restart.
 * Thread-safe.
 */
struct coord_ratelimit;

/**
 * A table allowing per_address submissions per address per hour and total
 * submissions per hour from everyone (0 = no total limit), remembering at
 * most max_addresses addresses (the least recent are forgotten first).
 */
struct coord_ratelimit *coord_ratelimit_new(unsigned per_address, unsigned total,
                                            size_t max_addresses);
void coord_ratelimit_free(struct coord_ratelimit *r);
/**
 * Decides whether address may submit at now (Unix seconds): 0, and the
 * submission is counted; or CSCC_ELIMIT, with *retry_after (may be NULL)
 * the seconds until it may (for Retry-After), and nothing counted.
 */
int coord_ratelimit_check(struct coord_ratelimit *r, const char *address, int64_t now,
                          int64_t *retry_after);

#endif
