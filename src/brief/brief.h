/**
 * brief.h - the weekly coordination brief: for each priority area (or one
 * area) and citywide, violence in an ISO week against the four weeks before
 * and the same ISO week a year earlier, the hot spots of the last four weeks,
 * new needs and overdue work orders by department, engagement events and
 * sector coverage; funding only when the store has funding data.
 *
 * It composes the analyses (analysis/counts.h, analysis/gistar.h) and
 * coordination (coord/needs.h, workorders.h, partners.h); it runs no SQL of its own. Every number
 * says where it comes from, and the brief states the crimes data's last day (a week past it is
 * flagged).
 *
 * Weeks are ISO 8601 weeks (Monday to Sunday) in the process's time zone:
 * callers set TZ from the store's "timezone" setting, as for coord.
 */
#ifndef CSCC_BRIEF_BRIEF_H
#define CSCC_BRIEF_BRIEF_H

#include "colstore/colstore.h"
#include "coord/coord.h"
#include "core/err.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <stdint.h>

/** Most hot spots listed per area and citywide. */
#define BRIEF_TOP_HOTSPOTS 5

/**
 * Parses "YYYY-Www" (ISO year, week 01-53; "2018-W1" too) into the ISO
 * year, week and the day number of its Monday. CSCC_EINVAL (field "week")
 * for anything else or a week 53 the year does not have.
 */
int brief_parse_week(const char *s, int *iso_year, int *week, int64_t *monday,
                     struct cscc_err *err);

/** The day number of the Monday of ISO week (iso_year, week); week may be 53. */
int64_t brief_week_monday(int iso_year, int week);

struct brief_opts {
    int iso_year, week; /* the ISO week */
    int area;           /* 0: every priority area; else only this area */
    int64_t now;        /* Unix seconds: work orders count as overdue as of the week's end
                           or now, whichever is earlier; 0 = coord_now(c) */
};

/**
 * Builds the brief as JSON (see README "Weekly coordination brief" for its
 * fields). crimes is the crimes table (required; CSCC_ENOENT when NULL);
 * actor needs to see work orders and events (COORD_WO_VIEW, COORD_EVENT_VIEW:
 * and be a coordinator, analyst or admin), else CSCC_EPERM. CSCC_EINVAL (field
 * "area") for an area the store does not know.
 */
json_t *brief_build(struct store *st, const struct colstore_table *crimes, struct coord *c,
                    const struct coord_actor *actor, const struct brief_opts *o,
                    struct cscc_err *err);

/**
 * The brief as JSON text (indented by one space, reals to 10 digits, a final
 * newline): what `cscc brief --format json` writes and GET /api/v1/brief
 * answers, byte for byte. 0 or CSCC_ENOMEM.
 */
int brief_write_json(const json_t *b, struct strbuf *sb);
/** The brief as Markdown. 0 or CSCC_ENOMEM. */
int brief_write_md(const json_t *b, struct strbuf *sb);
/** The brief as a standalone printable HTML page (one section per page). 0 or CSCC_ENOMEM. */
int brief_write_html(const json_t *b, struct strbuf *sb);

#endif
