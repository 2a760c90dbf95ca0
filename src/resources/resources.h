/**
 * resources.h - the City's resources through the lens of violence reduction:
 * funding allocations (and the spending against them), Launch Committee
 * initiatives, and two analyses that put them next to violence: the
 * capacity gap and funding alignment (gap.c).
 *
 * This module sits above analysis (serious victimizations, results), coord
 * (its tables: organizations, their sectors, areas and capacity) and access
 * (the audit log); http and the CLI call it with thin wrappers.
 *
 * Conventions:
 *  - Money is whole cents (int64). Text "1234.5", "1234.56" or "1,234.56"
 *    (an optional leading "$") reads as cents: res_parse_amount.
 *  - Days are day numbers (core/time.h), inclusive periods.
 *  - Every write is one transaction, audited (access_audit) inside it with
 *    the actor: all of it is stored with its audit record, or nothing.
 *    Who may write is decided by the caller (the CLI is the operator; the
 *    server's routes require a coordinator or an admin).
 *  - Bad input fails with CSCC_EINVAL (CSCC_ENOENT for a reference to
 *    nothing, CSCC_EEXIST for a taken ref or name) and err->field naming the
 *    field; imports also fill err->file, err->row and err->column.
 */
#ifndef CSCC_RESOURCES_RESOURCES_H
#define CSCC_RESOURCES_RESOURCES_H

#include "access/audit.h"
#include "core/err.h"
#include "core/json.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Strategy areas                                                            */
/* ------------------------------------------------------------------------ */

#define RES_NSTRATEGIES 7

/**
 * The CSCC's seven strategy areas: employment, community_revitalization,
 * violence_diversion, violence_interruption, social_services_navigation,
 * health_wellness, education_youth.
 */
extern const char *const res_strategies[RES_NSTRATEGIES];
/** The index of strategy s (any case; "-" and " " read as "_"), or -1. */
int res_strategy_index(const char *s);

/** Parses an amount of money into cents; 0 or CSCC_EINVAL. */
int res_parse_amount(const char *s, int64_t *cents);
/** Writes cents as "1234.56" into buf (>= 32 bytes). */
void res_format_amount(int64_t cents, char *buf, size_t cap);

#define RES_MAX_AREAS 77 /* community areas in one list */

/** Parses "8;32;33" (or commas) into areas (at most RES_MAX_AREAS); CSCC_EINVAL, field "areas". */
int res_parse_areas(const char *s, int *areas, size_t *n, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Funding allocations                                                       */
/* ------------------------------------------------------------------------ */

/** An allocation (input of add/update, output of reads). */
struct res_alloc {
    int64_t id;
    const char *ref;        /* the funder's reference, unique, 1-100 characters */
    const char *source;     /* funding source ("Corporate Fund", "ARPA"), 1-200 */
    const char *department; /* City department, 1-200 */
    const char *program;    /* 1-200 */
    const char *strategy;   /* res_strategies */
    int64_t org_id;         /* recipient organization (coord_orgs), 0 = none */
    const char *recipient;  /* recipient's name when not an organization, up to 200 */
    int64_t amount_cents;   /* >= 0 */
    int64_t start_day, end_day;
    const int *areas; /* community areas reached; none = citywide */
    size_t nareas;
    const char *notes; /* up to 4000 */
    /* output only */
    int64_t spent_cents;
    const char *org_name; /* "" when none */
    const char *created_by;
    int64_t created_at, updated_at;
};

/** Fields of res_alloc_update: a bit each. */
enum {
    RES_A_SOURCE = 1 << 0,
    RES_A_DEPARTMENT = 1 << 1,
    RES_A_PROGRAM = 1 << 2,
    RES_A_STRATEGY = 1 << 3,
    RES_A_RECIPIENT = 1 << 4, /* org_id and recipient */
    RES_A_AMOUNT = 1 << 5,
    RES_A_PERIOD = 1 << 6, /* start_day and end_day */
    RES_A_AREAS = 1 << 7,
    RES_A_NOTES = 1 << 8,
};

/** Stores a new allocation; *id gets its id. Audited as "funding.add". */
int res_alloc_add(struct store *st, const struct access_actor *who, const struct res_alloc *a,
                  int64_t *id, struct cscc_err *err);
/** Changes the fields named by the bits of fields. Audited as "funding.edit". */
int res_alloc_update(struct store *st, const struct access_actor *who, int64_t id,
                     const struct res_alloc *a, unsigned fields, struct cscc_err *err);
/** Records spending against allocation id on day. Audited as "funding.spend". */
int res_spend(struct store *st, const struct access_actor *who, int64_t alloc_id, int64_t day,
              int64_t cents, const char *note, int64_t *id, struct cscc_err *err);

/**
 * Deletes allocation id with its spending, areas and links to initiatives.
 * Audited as "funding.delete" with the allocation as it was.
 */
int res_alloc_delete(struct store *st, const struct access_actor *who, int64_t id,
                     struct cscc_err *err);

/** What res_spend_update changes: the day, the amount, the note (NULL: kept). */
struct res_spend_edit {
    int has_day, has_amount;
    int64_t day, cents;
    const char *note;
};
/** Changes spending entry id. Audited as "funding.spend.edit" with before and after. */
int res_spend_update(struct store *st, const struct access_actor *who, int64_t id,
                     const struct res_spend_edit *e, struct cscc_err *err);
/** Spending entry id (id, allocation, day, amount, note) as a JSON object (*out), or CSCC_ENOENT.
 */
int res_spending_one_json(struct store *st, int64_t id, json_t **out, struct cscc_err *err);
/** Deletes spending entry id. Audited as "funding.spend.delete" with the entry as it was. */
int res_spend_delete(struct store *st, const struct access_actor *who, int64_t id,
                     struct cscc_err *err);

/**
 * Imports allocations from the CSV file allocs (header: ref, source,
 * department, program, strategy, amount, start, end required; organization
 * (an id or an exact name), recipient, areas ("8;32;33", empty = citywide),
 * notes optional) and, when spending is not NULL, spending entries from
 * that CSV file (ref, day, amount required; note optional; ref names an
 * allocation of allocs or one already stored). One transaction: on any error
 * nothing is stored, and err names the file, row, column and field. *nalloc
 * and *nspend (may be NULL) get the rows stored. Audited as "funding.import".
 */
int res_import(struct store *st, const struct access_actor *who, const char *allocs,
               const char *spending, size_t *nalloc, size_t *nspend, struct cscc_err *err);

struct res_alloc_filter {
    const char *strategy;   /* NULL = any */
    const char *department; /* exact, any case; NULL = any */
    int area;               /* reaches this area (citywide included); 0 = any */
    int has_from, has_to;   /* overlaps [from_day, to_day] */
    int64_t from_day, to_day;
};

typedef int (*res_alloc_fn)(void *arg, const struct res_alloc *a);
/** Allocations by id. */
int res_alloc_each(struct store *st, const struct res_alloc_filter *f, res_alloc_fn fn, void *arg,
                   struct cscc_err *err);
/** One allocation, or CSCC_ENOENT. */
int res_alloc_get(struct store *st, int64_t id, res_alloc_fn fn, void *arg, struct cscc_err *err);
/** a as JSON (amounts as numbers of dollars with cents; days "YYYY-MM-DD"). */
json_t *res_alloc_json(const struct res_alloc *a);
/** Each spending entry of allocation id as JSON objects appended to arr. */
int res_spending_json(struct store *st, int64_t id, json_t *arr, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Initiatives                                                               */
/* ------------------------------------------------------------------------ */

/** Initiative statuses: proposed, planning, active, paused, completed, cancelled. */
extern const char *const res_initiative_statuses[];
/** Milestone statuses: planned, in_progress, done, missed. */
extern const char *const res_milestone_statuses[];

struct res_initiative {
    int64_t id;
    const char *name; /* unique, 1-200 */
    const char *description;
    int64_t lead_org_id; /* 0 = none */
    const char *status;  /* res_initiative_statuses */
    const int *areas;
    size_t nareas;
    const int64_t *partners; /* organization ids */
    size_t npartners;
    const int64_t *funding; /* allocation ids */
    size_t nfunding;
};

/** Stores a new initiative. Audited as "initiative.add". */
int res_initiative_add(struct store *st, const struct access_actor *who,
                       const struct res_initiative *in, int64_t *id, struct cscc_err *err);
/** Sets the status of initiative id. Audited as "initiative.status". */
int res_initiative_set_status(struct store *st, const struct access_actor *who, int64_t id,
                              const char *status, struct cscc_err *err);
/** Adds a milestone (status "planned"). Audited as "initiative.milestone". */
int res_milestone_add(struct store *st, const struct access_actor *who, int64_t init_id,
                      const char *title, int64_t due_day, int64_t *id, struct cscc_err *err);
/**
 * Sets a milestone's status (done: done_day = day); *init_id (may be NULL)
 * gets its initiative. Audited as "initiative.milestone".
 */
int res_milestone_set(struct store *st, const struct access_actor *who, int64_t id,
                      const char *status, int64_t day, int64_t *init_id, struct cscc_err *err);
/** Fields of res_initiative_update: a bit each (lists are replaced whole). */
enum {
    RES_I_NAME = 1 << 0,
    RES_I_DESCRIPTION = 1 << 1,
    RES_I_LEAD = 1 << 2,
    RES_I_STATUS = 1 << 3,
    RES_I_AREAS = 1 << 4,
    RES_I_PARTNERS = 1 << 5,
    RES_I_FUNDING = 1 << 6,
};
/** Changes the fields of initiative id named by fields. Audited as "initiative.edit". */
int res_initiative_update(struct store *st, const struct access_actor *who, int64_t id,
                          const struct res_initiative *in, unsigned fields, struct cscc_err *err);
/** Deletes initiative id with its milestones and links. Audited as "initiative.delete". */
int res_initiative_delete(struct store *st, const struct access_actor *who, int64_t id,
                          struct cscc_err *err);
/**
 * Changes milestone id: title (NULL: kept), due day (when has_due), status
 * (NULL: kept; done: done_day = day, otherwise no done day). Audited as
 * "initiative.milestone.edit" with before and after.
 */
int res_milestone_update(struct store *st, const struct access_actor *who, int64_t id,
                         const char *title, int has_due, int64_t due_day, const char *status,
                         int64_t day, struct cscc_err *err);
/** Milestone id (id, initiative, title, due, status, done) as a JSON object, or CSCC_ENOENT. */
int res_milestone_json(struct store *st, int64_t id, json_t **out, struct cscc_err *err);
/** Deletes milestone id. Audited as "initiative.milestone.delete". */
int res_milestone_delete(struct store *st, const struct access_actor *who, int64_t id,
                         struct cscc_err *err);

/**
 * Every initiative (id 0) or one (CSCC_ENOENT when none) as JSON objects
 * appended to arr: with areas, lead and partners (names only), milestones,
 * and linked funding (ref, program, amount, spent).
 */
int res_initiatives_json(struct store *st, int64_t id, json_t *arr, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Capacity gap (gap.c)                                                      */
/* ------------------------------------------------------------------------ */

#define RES_NSECTORS 10 /* coord's sectors (coord/partners.h) */

/** One area's inputs of the capacity gap index. */
struct res_gap_area {
    int area;
    double population;             /* residents (latest figures); <= 0 or NaN: left out */
    double serious;                /* serious victimizations in the period */
    double capacity[RES_NSECTORS]; /* weekly capacity attributed to the area, by sector */
    int orgs[RES_NSECTORS];        /* organizations serving the area, by sector */
};

/** One row of the index: an area and a sector (sector -1: every sector together). */
struct res_gap_row {
    int area, sector;
    double burden_per_100k;   /* serious / years / population * 100,000 */
    double burden_score;      /* burden / the highest burden of any area (0..1) */
    double capacity;          /* weekly capacity attributed */
    double capacity_per_100k; /* capacity / population * 100,000 */
    double capacity_score;    /* capacity per 100k / the highest of any area in the sector (0..1) */
    double index;             /* burden_score * (1 - capacity_score) */
    int orgs;
    size_t rank; /* 1-based, after sorting */
};

/**
 * The capacity gap index of n areas over a period of `years` years, for the
 * sectors whose bit is set in sectors (bit i: sector i; RES_GAP_TOTAL: one
 * row per area with every sector's capacity together). Areas without a
 * population are left out. Rows are sorted: index descending, then burden
 * descending, capacity ascending, area, sector; rank is set. *nrows gets the
 * row count (at most n * (RES_NSECTORS + 1)). A pure function.
 */
#define RES_GAP_TOTAL (1u << RES_NSECTORS)
size_t res_gap_index(const struct res_gap_area *areas, size_t n, double years, unsigned sectors,
                     struct res_gap_row *rows);

struct serious_tables;
struct an_result;

/**
 * Capacity is attributed to areas as the README says: an organization's
 * weekly capacity is divided equally among its sectors, and among the areas
 * it serves in proportion to their residents (an organization serving no
 * listed area is citywide: every area with a population). verified_only:
 * only verified organizations count.
 */
struct res_gap_opts {
    int64_t day_from, day_to;
    unsigned sectors; /* as res_gap_index; 0 = the ten sectors */
    int verified_only;
    int with_geometry;
};

/** The capacity gap as an analysis result ("capacity-gap"). NULL with err filled. */
struct an_result *res_capacity_gap(const struct serious_tables *s, struct store *st,
                                   const struct res_gap_opts *o, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Funding alignment (gap.c)                                                 */
/* ------------------------------------------------------------------------ */

enum res_funding_by {
    RES_BY_AREA = 0,
    RES_BY_AREA_STRATEGY,
    RES_BY_STRATEGY,
    RES_BY_YEAR,
    RES_BY_QUARTER,
};
/** "area", "area-strategy", "strategy", "year", "quarter"; -1 otherwise. */
int res_funding_by_name(const char *s);

struct res_funding_opts {
    int64_t day_from, day_to;
    enum res_funding_by by;
    const char *strategy; /* only this strategy; NULL = all */
    int with_geometry;
};

/**
 * Funding alignment ("funding"): allocated dollars in the period (each
 * allocation prorated by the days of its period inside the period), spent
 * dollars (entries dated in the period), split among the allocation's areas
 * in proportion to their residents (citywide: every area with a
 * population); per resident, per serious victimization, the share reaching
 * the priority areas, and the change from one year or quarter to the next.
 * s may be NULL or unusable: the per-victimization figures are then empty,
 * with a warning. NULL with err filled.
 */
struct an_result *res_funding(const struct serious_tables *s, struct store *st,
                              const struct res_funding_opts *o, struct cscc_err *err);

#endif
