/* cmd_workorder.c - `cscc workorder list|show|move|assign`, `cscc route
 * list|add|remove|test`, `cscc escalate`, `cscc outbox list|deliver`,
 * `cscc metrics response` and `cscc config`: the City side of needs. */
#include "cli/coord_cli.h"

#include "coord/catalog.h"
#include "coord/needs.h"
#include "coord/workorders.h"
#include "core/log.h"
#include "core/time.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Runs a subcommand of a table by name. */
/* ------------------------------------------------------------------------ */
/* workorder                                                                 */
/* ------------------------------------------------------------------------ */

static void wo_usage(FILE *f)
{
    fprintf(f, "Usage: cscc workorder list [--department CODE] [--state S]... [--all] [--overdue]\n"
               "                           [--area N] [--service CODE] [--limit N] [--offset N]\n"
               "       cscc workorder show ID\n"
               "       cscc workorder move ID STATE [--note TEXT] [--internal TEXT]\n"
               "                           [--duplicate-of NEED_ID]\n"
               "       cscc workorder assign ID DEPARTMENT [--note TEXT] [--internal TEXT]\n"
               "\n"
               "The queue of work orders, most urgent first (open ones unless --state or --all),\n"
               "and their steps. States: new, acknowledged, in_progress, resolved, closed,\n"
               "rejected, duplicate; who may move what is in README.md (a department moves its\n"
               "own work orders; coordinators close, mark duplicates, reopen and reassign).\n"
               "--note is shown to the reporter and the public; --internal to staff only.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int wo_row(void *arg, const struct coord_workorder *w)
{
    ccli_row(arg, coord_workorder_json(w));
    return 0;
}

static int wo_list(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"department", required_argument, NULL, 'd'},
        {"state", required_argument, NULL, 's'},
        {"all", no_argument, NULL, 'A'},
        {"overdue", no_argument, NULL, 'o'},
        {"area", required_argument, NULL, 'a'},
        {"service", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'},
        {"offset", required_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    struct coord_wo_filter f;
    struct cscc_err err;
    unsigned long ul;
    int opt, rc, s;

    memset(&f, 0, sizeof(f));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': wo_usage(stdout); return CLI_OK;
        case 'd': f.department = optarg; break;
        case 's':
            if ((s = coord_state_by_name(optarg)) < 0)
                return cli_usage_error(x->cmd, "no state '%s'", optarg);
            f.states |= 1u << s;
            break;
        case 'A': f.all_states = 1; break;
        case 'o': f.overdue_only = 1; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            f.area = (int)ul;
            break;
        case 'S': f.service = optarg; break;
        case 'l':
        case 'O':
            if ((rc = ccli_page(x, opt, optarg, 100000, &f.limit, &f.offset)))
                return rc;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_workorder_each(x->c, &x->actor, &f, wo_row, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

struct wo_show {
    struct ccli *x;
    json_t *wo, *hist;
};

static int show_wo(void *arg, const struct coord_workorder *w)
{
    ((struct wo_show *)arg)->wo = coord_workorder_json(w);
    return 0;
}

static int show_hist(void *arg, const struct coord_wo_event *e)
{
    json_array_append_new(((struct wo_show *)arg)->hist, coord_wo_event_json(e, COORD_VIEW_STAFF));
    return 0;
}

static int wo_show(struct ccli *x, int argc, char **argv)
{
    struct wo_show s = {x, NULL, NULL};
    struct cscc_err err;
    int64_t id;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, wo_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "workorder show takes one work order id");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    s.hist = json_array();
    if (coord_workorder_get(x->c, &x->actor, id, show_wo, &s, &err) ||
        coord_workorder_history(x->c, id, show_hist, &s, &err)) {
        json_decref(s.wo);
        json_decref(s.hist);
        return ccli_fail(&err);
    }
    if (x->format == CCLI_TABLE) {
        size_t i;

        ccli_row(x, s.wo);
        rc = ccli_flush(x, 1);
        printf("\nhistory:\n");
        for (i = 0; i < json_array_size(s.hist); i++)
            ccli_row(x, json_incref(json_array_get(s.hist, i)));
        json_decref(s.hist);
        return rc ? rc : ccli_flush(x, 0);
    }
    json_object_set_new(s.wo, "history", s.hist);
    ccli_row(x, s.wo);
    return ccli_flush(x, 1);
}

static int wo_move_or_assign(struct ccli *x, int argc, char **argv, int assign)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"note", required_argument, NULL, 'n'},
        {"internal", required_argument, NULL, 'i'},
        {"duplicate-of", required_argument, NULL, 'U'},
        {NULL, 0, NULL, 0},
    };
    struct coord_move m;
    struct cscc_err err;
    int64_t id;
    int opt, rc, s = 0;

    memset(&m, 0, sizeof(m));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': wo_usage(stdout); return CLI_OK;
        case 'n': m.public_note = optarg; break;
        case 'i': m.internal_note = optarg; break;
        case 'U':
            if ((m.duplicate_of = ccli_id(optarg)) < 0)
                return cli_usage_error(x->cmd, "--duplicate-of takes a need id");
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind + 2 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, assign ? "workorder assign takes an id and a department"
                                              : "workorder move takes an id and a state");
    if (!assign && (s = coord_state_by_name(argv[optind + 1])) < 0)
        return cli_usage_error(x->cmd,
                               "no state '%s' (new, acknowledged, in_progress, resolved, closed, "
                               "rejected, duplicate)",
                               argv[optind + 1]);
    m.to = (enum coord_state)s;
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (assign ? coord_workorder_assign(x->c, &x->actor, id, argv[optind + 1], m.public_note,
                                        m.internal_note, &err)
               : coord_workorder_move(x->c, &x->actor, id, &m, &err))
        return ccli_fail(&err);
    if (coord_workorder_get(x->c, &x->actor, id, wo_row, x, &err)) {
        /* Moved, but this actor may no longer see it (reassigned away): say what happened. */
        json_t *j = json_object();

        json_object_set_new(j, "id", json_integer(id));
        json_object_set_new(j, assign ? "department" : "state",
                            json_string(assign ? argv[optind + 1] : coord_state_name(m.to)));
        ccli_row(x, j);
    }
    return ccli_flush(x, 1);
}

static int wo_move(struct ccli *x, int argc, char **argv)
{
    return wo_move_or_assign(x, argc, argv, 0);
}

static int wo_assign(struct ccli *x, int argc, char **argv)
{
    return wo_move_or_assign(x, argc, argv, 1);
}

int cmd_workorder(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"list", "workorder list ", wo_list},
        {"show", "workorder show ", wo_show},
        {"move", "workorder move ", wo_move},
        {"assign", "workorder assign ", wo_assign},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "workorder ",
                         wo_usage);
}

/* ------------------------------------------------------------------------ */
/* route                                                                     */
/* ------------------------------------------------------------------------ */

static void route_usage(FILE *f)
{
    fprintf(f, "Usage: cscc route list\n"
               "       cscc route add --department CODE [--service CODE] [--area N]\n"
               "                      [--priority-areas] [--days DAYS] [--hours HH:MM-HH:MM]\n"
               "                      [--deadline 48h|3d] [--position N] [--name TEXT]\n"
               "       cscc route remove ID\n"
               "       cscc route test --service CODE (--area N | --lat LAT --long LON)\n"
               "                      [--at TIME]\n"
               "\n"
               "Routing rules send needs to departments. Rules are tried by position; the first\n"
               "that matches the need's service, area and local time decides the department and\n"
               "(if it sets one) the deadline; with none, the service's defaults apply. DAYS is\n"
               "like mon-fri, sat,sun, weekdays, weekends or all; hours may wrap midnight\n"
               "(22:00-06:00).\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int route_row(void *arg, const struct coord_route *r)
{
    ccli_row(arg, coord_route_json(r));
    return 0;
}

static int route_list(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, route_usage)))
        return rc < 0 ? CLI_OK : rc;
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_require(&x->actor, COORD_ROUTE_VIEW, NULL, &err) ||
        coord_route_each(x->c, route_row, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static int route_add(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"department", required_argument, NULL, 'd'},
        {"service", required_argument, NULL, 's'},
        {"area", required_argument, NULL, 'a'},
        {"priority-areas", no_argument, NULL, 'p'},
        {"days", required_argument, NULL, 'W'},
        {"hours", required_argument, NULL, 'H'},
        {"deadline", required_argument, NULL, 'l'},
        {"position", required_argument, NULL, 'P'},
        {"name", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    struct coord_route r;
    struct cscc_err err;
    unsigned long ul;
    int64_t id = 0;
    int opt, rc;

    memset(&r, 0, sizeof(r));
    r.days = 0x7f;
    r.minute_to = 1440;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': route_usage(stdout); return CLI_OK;
        case 'd': r.department = optarg; break;
        case 's': r.service = optarg; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            r.area = (int)ul;
            break;
        case 'p': r.priority_only = 1; break;
        case 'W':
            if (coord_parse_days(optarg, &r.days))
                return cli_usage_error(x->cmd, "--days takes days like mon-fri or sat,sun");
            break;
        case 'H':
            if (coord_parse_hours(optarg, &r.minute_from, &r.minute_to))
                return cli_usage_error(x->cmd, "--hours takes HH:MM-HH:MM, like 08:00-17:00");
            break;
        case 'l':
            if (coord_parse_deadline(optarg, &r.deadline_hours))
                return cli_usage_error(x->cmd, "--deadline takes hours (48h) or days (3d)");
            break;
        case 'P':
            if (cli_parse_uint(optarg, 1000000, &ul) || !ul)
                return cli_usage_error(x->cmd, "--position takes a number from 1");
            r.position = (int)ul;
            break;
        case 'n': r.name = optarg; break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if (!r.department)
        return cli_usage_error(x->cmd, "--department is required");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_route_add(x->c, &x->actor, &r, &id, &err))
        return ccli_fail(&err);
    r.id = id;
    {
        json_t *j = json_object();

        json_object_set_new(j, "id", json_integer(id));
        ccli_row(x, j);
    }
    return ccli_flush(x, 1);
}

static int route_remove(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int64_t id;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, route_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "route remove takes one rule id");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_route_remove(x->c, &x->actor, id, &err))
        return ccli_fail(&err);
    return CLI_OK;
}

static int route_test(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"service", required_argument, NULL, 's'},
        {"area", required_argument, NULL, 'a'},
        {"lat", required_argument, NULL, 'y'},
        {"long", required_argument, NULL, 'x'},
        {"lon", required_argument, NULL, 'x'},
        {"at", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    struct coord_routing out;
    struct coord_place p;
    struct cscc_err err;
    const char *service = NULL;
    unsigned long ul;
    double lat = 0, lon = 0;
    int64_t at = 0;
    int opt, rc, area = 0, has_lat = 0, has_lon = 0;
    char due[40];
    json_t *j;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': route_usage(stdout); return CLI_OK;
        case 's': service = optarg; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            area = (int)ul;
            break;
        case 'y':
            if (ccli_double(optarg, &lat))
                return cli_usage_error(x->cmd, "--lat takes a number");
            has_lat = 1;
            break;
        case 'x':
            if (ccli_double(optarg, &lon))
                return cli_usage_error(x->cmd, "--long takes a number");
            has_lon = 1;
            break;
        case 't':
            if (coord_parse_time(optarg, &at))
                return cli_usage_error(x->cmd, "--at takes an ISO 8601 time");
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (!service || (!area && !(has_lat && has_lon)))
        return cli_usage_error(x->cmd, "route test needs --service and --area or --lat/--long");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (!area) {
        if (coord_locate_point(x->c, lat, lon, &p, &err))
            return ccli_fail(&err);
        area = p.area;
    }
    if (!at)
        at = coord_now(x->c);
    if (coord_route_decide(x->c, service, area, at, &out, &err))
        return ccli_fail(&err);
    j = json_object();
    json_object_set_new(j, "service_code", json_string(service));
    json_object_set_new(j, "area", area ? json_integer(area) : json_null());
    json_object_set_new(j, "priority_area", json_boolean(coord_is_priority_area(x->c, area)));
    coord_format_time(at, due, sizeof(due));
    json_object_set_new(j, "at", json_string(due));
    json_object_set_new(j, "department", json_string(out.department));
    json_object_set_new(j, "deadline_hours", json_integer(out.deadline_hours));
    coord_format_time(out.due_at, due, sizeof(due));
    json_object_set_new(j, "due_at", json_string(due));
    json_object_set_new(j, "rule", out.route_id ? json_integer(out.route_id) : json_null());
    ccli_row(x, j);
    return ccli_flush(x, 1);
}

int cmd_route(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"list", "route list ", route_list},
        {"add", "route add ", route_add},
        {"remove", "route remove ", route_remove},
        {"test", "route test ", route_test},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "route ",
                         route_usage);
}

/* ------------------------------------------------------------------------ */
/* escalate                                                                  */
/* ------------------------------------------------------------------------ */

static void esc_usage(FILE *f)
{
    fprintf(f, "Usage: cscc escalate\n"
               "\n"
               "Escalates every open work order past its due time to the coordinators (once\n"
               "each): records the step and writes a workorder.overdue notification. For cron;\n"
               "the server does the same on a timer. Prints how many were escalated.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

int cmd_escalate(struct cli_ctx *ctx, int argc, char **argv)
{
    struct cscc_err err;
    struct ccli x;
    size_t n = 0;
    int rc;

    ccli_init(&x, ctx, "escalate ");
    if ((rc = ccli_plain_opts(&x, argc, argv, esc_usage)))
        return ccli_close(&x, rc < 0 ? CLI_OK : rc);
    if (optind < argc)
        return ccli_close(&x,
                          cli_usage_error("escalate ", "unexpected argument '%s'", argv[optind]));
    if ((rc = ccli_open(&x)))
        return ccli_close(&x, rc);
    cscc_err_clear(&err);
    if (coord_escalate(x.c, &x.actor, &n, &err))
        return ccli_close(&x, ccli_fail(&err));
    {
        json_t *j = json_object();

        json_object_set_new(j, "escalated", json_integer((json_int_t)n));
        ccli_row(&x, j);
    }
    return ccli_close(&x, ccli_flush(&x, 1));
}

/* ------------------------------------------------------------------------ */
/* outbox                                                                    */
/* ------------------------------------------------------------------------ */

static void outbox_usage(FILE *f)
{
    fprintf(f, "Usage: cscc outbox list [--pending] [--limit N]\n"
               "       cscc outbox deliver [--url URL] [--max N] [--until-empty] [--max-time S]\n"
               "\n"
               "Notifications are written with the change they announce and delivered to the\n"
               "webhook (--url, else the setting coord.webhook_url) as HTTP POSTs of JSON, oldest\n"
               "first, at least once. A failed post is retried after coord.outbox_backoff_s,\n"
               "doubling up to coord.outbox_backoff_max_s. --until-empty keeps delivering (and\n"
               "waiting for retries) until none is pending or --max-time seconds have passed.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int outbox_row(void *arg, const struct coord_outbox_msg *m)
{
    ccli_row(arg, coord_outbox_json(m));
    return 0;
}

static int outbox_list(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"pending", no_argument, NULL, 'p'},
        {"limit", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    struct cscc_err err;
    unsigned long limit = 0;
    int opt, rc, pending = 0;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': outbox_usage(stdout); return CLI_OK;
        case 'p': pending = 1; break;
        case 'l':
            if (cli_parse_uint(optarg, 1000000, &limit))
                return cli_usage_error(x->cmd, "--limit takes a number");
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_outbox_each(x->c, &x->actor, pending, limit, outbox_row, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int outbox_deliver(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"url", required_argument, NULL, 'u'},
        {"max", required_argument, NULL, 'm'},
        {"until-empty", no_argument, NULL, 'e'},
        {"max-time", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    struct coord_delivery d, total = {0, 0, 0, 0};
    struct cscc_err err;
    const char *url = NULL;
    unsigned long max = 0;
    double max_time = 600, start;
    int opt, rc, until_empty = 0;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': outbox_usage(stdout); return CLI_OK;
        case 'u': url = optarg; break;
        case 'm':
            if (cli_parse_uint(optarg, 100000000, &max))
                return cli_usage_error(x->cmd, "--max takes a number");
            break;
        case 'e': until_empty = 1; break;
        case 'T':
            if (ccli_double(optarg, &max_time) || max_time < 0)
                return cli_usage_error(x->cmd, "--max-time takes seconds");
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return rc;
    start = mono();
    for (;;) {
        cscc_err_clear(&err);
        if (coord_outbox_deliver(x->c, &x->actor, url, max ? max - total.delivered : 0, NULL, NULL,
                                 &d, &err))
            return ccli_fail(&err);
        total.delivered += d.delivered;
        total.failed += d.failed;
        total.pending = d.pending;
        total.next_at = d.next_at;
        if (d.failed)
            cscc_warn("delivery failed; %zu pending, next attempt in %llds", d.pending,
                      (long long)(d.next_at - coord_now(x->c)));
        if (!until_empty || !d.pending || (max && total.delivered >= max))
            break;
        {
            double wait = d.next_at ? (double)(d.next_at - coord_now(x->c)) : 0;

            if (x->now) /* a fixed clock never reaches the next attempt */
                break;
            if (wait < 0.2)
                wait = 0.2;
            if (mono() - start + wait > max_time)
                break;
            usleep((useconds_t)(wait * 1e6));
        }
    }
    {
        json_t *j = json_object();
        char next[40];

        json_object_set_new(j, "delivered", json_integer((json_int_t)total.delivered));
        json_object_set_new(j, "failed_attempts", json_integer((json_int_t)total.failed));
        json_object_set_new(j, "pending", json_integer((json_int_t)total.pending));
        coord_format_time(total.next_at, next, sizeof(next));
        json_object_set_new(j, "next_attempt_at", total.next_at ? json_string(next) : json_null());
        ccli_row(x, j);
    }
    rc = ccli_flush(x, 1);
    /* Something left undelivered is worth a non-zero status for cron. */
    return rc ? rc : total.pending ? 75 /* EX_TEMPFAIL */ : CLI_OK;
}

int cmd_outbox(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"list", "outbox list ", outbox_list},
        {"deliver", "outbox deliver ", outbox_deliver},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "outbox ",
                         outbox_usage);
}

/* ------------------------------------------------------------------------ */
/* metrics                                                                   */
/* ------------------------------------------------------------------------ */

static void metrics_usage(FILE *f)
{
    fprintf(f, "Usage: cscc metrics response [--by department|service|area|priority|none]\n"
               "                             [--from DATE] [--to DATE]\n"
               "\n"
               "Time to acknowledge and to resolve work orders, in hours: median and 90th\n"
               "percentile, by department (default), service, area, or priority areas against\n"
               "the rest, for work orders created from --from to --to (inclusive days).\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int metrics_row(void *arg, const struct coord_metrics_row *r)
{
    ccli_row(arg, coord_metrics_json(r));
    return 0;
}

static int metrics_response(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"by", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    struct cscc_err err;
    int64_t from = 0, to = 0, day;
    int opt, rc, by = COORD_BY_DEPARTMENT;
    char next[16];

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': metrics_usage(stdout); return CLI_OK;
        case 'b':
            if ((by = coord_metrics_by_name(optarg)) < 0)
                return cli_usage_error(x->cmd, "--by takes department, service, area, priority "
                                               "or none");
            break;
        case 'F':
        case 'T':
            if (ccli_day(optarg, &day))
                return cli_usage_error(x->cmd, "--from and --to take a date YYYY-MM-DD");
            if (opt == 'F') {
                coord_parse_time(optarg, &from);
            } else {
                cscc_format_day(day + 1, next);
                coord_parse_time(next, &to);
                to -= 1;
            }
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_metrics_response(x->c, &x->actor, (enum coord_metrics_by)by, from, to, metrics_row, x,
                               &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

int cmd_metrics(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"response", "metrics response ", metrics_response},
    };

    return ccli_dispatch(ctx, argc, argv, subs, 1, "metrics ", metrics_usage);
}

/* ------------------------------------------------------------------------ */
/* config                                                                    */
/* ------------------------------------------------------------------------ */

static void config_usage(FILE *f)
{
    fprintf(f, "Usage: cscc config [KEY [VALUE]] [--unset KEY]\n"
               "\n"
               "Shows or changes the coordination settings (coord.*): the duplicate radius,\n"
               "the violence intensity window and bandwidth, the priority factor, escalation\n"
               "batches, the webhook and its retries. Without arguments, lists them.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int config_row(void *arg, const char *key, const char *value, const char *help)
{
    json_t *j = json_object();

    json_object_set_new(j, "key", json_sprintf("coord.%s", key));
    json_object_set_new(j, "value", json_string(value));
    json_object_set_new(j, "meaning", json_string(help));
    ccli_row(arg, j);
    return 0;
}

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"unset", required_argument, NULL, 'u'},
        {NULL, 0, NULL, 0},
    };
    struct cscc_err err;
    struct ccli x;
    const char *unset = NULL;
    int opt, rc;

    ccli_init(&x, ctx, "config ");
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(&x, opt, optarg, &rc)) {
            if (rc)
                return ccli_close(&x, rc);
            continue;
        }
        switch (opt) {
        case 'h': config_usage(stdout); return ccli_close(&x, CLI_OK);
        case 'u': unset = optarg; break;
        default: return ccli_close(&x, cli_usage_error("config ", "bad option"));
        }
    }
    if (argc - optind > 2 || (unset && argc > optind))
        return ccli_close(&x, cli_usage_error("config ", "too many arguments"));
    if ((rc = ccli_open(&x)))
        return ccli_close(&x, rc);
    cscc_err_clear(&err);
    if (unset || argc - optind == 2) {
        if (coord_config_set(x.st, &x.actor, unset ? unset : argv[optind],
                             unset ? NULL : argv[optind + 1], &err))
            return ccli_close(&x, ccli_fail(&err));
        if ((rc = coord_reload(x.c, &err)))
            return ccli_close(&x, ccli_fail(&err));
    }
    coord_config_each(coord_config(x.c), config_row, &x);
    if (argc - optind >= 1 && !unset) {
        /* One key: show only it. */
        json_t *keep = json_array();
        size_t i;
        const char *want = argv[optind];
        char full[96];

        snprintf(full, sizeof(full), "%s%s", strncmp(want, "coord.", 6) ? "coord." : "", want);
        for (i = 0; i < json_array_size(x.rows); i++) {
            json_t *r = json_array_get(x.rows, i);

            if (!strcmp(json_string_value(json_object_get(r, "key")), full))
                json_array_append(keep, r);
        }
        json_decref(x.rows);
        x.rows = keep;
        if (!json_array_size(keep)) {
            cscc_error("no coordination setting '%s' (see 'cscc config')", want);
            return ccli_close(&x, CLI_USAGE);
        }
    }
    return ccli_close(&x, ccli_flush(&x, 0));
}
