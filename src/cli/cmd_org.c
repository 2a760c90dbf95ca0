/* cmd_org.c - `cscc org ...`, `cscc event ...` and `cscc catalog ...`:
 * partner organizations, engagement events with the coverage report, and
 * the service catalogue with its departments. */
#include "cli/coord_cli.h"

#include "coord/catalog.h"
#include "coord/partners.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"

#include <string.h>

#define MAX_ITEMS 100

/* ------------------------------------------------------------------------ */
/* org                                                                       */
/* ------------------------------------------------------------------------ */

static void org_usage(FILE *f)
{
    fprintf(f, "Usage: cscc org add --name NAME --sector S... [--area N]... [--service TEXT]...\n"
               "                    [--capacity N] [--unit people|slots] [--description TEXT]\n"
               "                    [--website URL] [--contact-name NAME] [--contact-email EMAIL]\n"
               "                    [--contact-phone PHONE]\n"
               "       cscc org edit ID [the same options; lists given replace the old ones;\n"
               "                    --citywide clears the areas]\n"
               "       cscc org verify ID [--undo]\n"
               "       cscc org list [--sector S] [--area N] [--verified] [--name TEXT]\n"
               "                     [--limit N] [--offset N]\n"
               "       cscc org show ID\n"
               "\n"
               "Community partner organizations: the sectors they work in (healthcare,\n"
               "mental_health, violence_reduction, youth_services, victim_services, education,\n"
               "faith, business, elected_officials, city_services), the areas they serve (none =\n"
               "citywide), services, weekly capacity and private contacts. A coordinator verifies\n"
               "them. The public directory (--as public) leaves the contacts out.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

struct org_form {
    struct coord_org o;
    const char *sectors[MAX_ITEMS], *services[MAX_ITEMS];
    int areas[MAX_ITEMS];
    unsigned fields;
};

static int org_opts(struct ccli *x, int argc, char **argv, struct org_form *fm, int *undo)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"name", required_argument, NULL, 'n'},
        {"description", required_argument, NULL, 'd'},
        {"website", required_argument, NULL, 'w'},
        {"sector", required_argument, NULL, 's'},
        {"area", required_argument, NULL, 'a'},
        {"citywide", no_argument, NULL, 'C'},
        {"service", required_argument, NULL, 'v'},
        {"capacity", required_argument, NULL, 'c'},
        {"unit", required_argument, NULL, 'u'},
        {"contact-name", required_argument, NULL, 'N'},
        {"contact-email", required_argument, NULL, 'E'},
        {"contact-phone", required_argument, NULL, 'P'},
        {"undo", no_argument, NULL, 'U'},
        {NULL, 0, NULL, 0},
    };
    unsigned long ul;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': org_usage(stdout); return -1;
        case 'n':
            fm->o.name = optarg;
            fm->fields |= COORD_ORG_NAME;
            break;
        case 'd':
            fm->o.description = optarg;
            fm->fields |= COORD_ORG_DESCRIPTION;
            break;
        case 'w':
            fm->o.website = optarg;
            fm->fields |= COORD_ORG_WEBSITE;
            break;
        case 's':
            if (fm->o.nsectors == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --sector");
            fm->sectors[fm->o.nsectors++] = optarg;
            fm->fields |= COORD_ORG_SECTORS;
            break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            if (fm->o.nareas == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --area");
            fm->areas[fm->o.nareas++] = (int)ul;
            fm->fields |= COORD_ORG_AREAS;
            break;
        case 'C': fm->fields |= COORD_ORG_AREAS; break;
        case 'v':
            if (fm->o.nservices == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --service");
            fm->services[fm->o.nservices++] = optarg;
            fm->fields |= COORD_ORG_SERVICES;
            break;
        case 'c':
            if (cli_parse_uint(optarg, 1000000, &ul))
                return cli_usage_error(x->cmd, "--capacity takes a number");
            fm->o.capacity_per_week = (int64_t)ul;
            fm->fields |= COORD_ORG_CAPACITY;
            break;
        case 'u':
            fm->o.capacity_unit = optarg;
            fm->fields |= COORD_ORG_CAPACITY;
            break;
        case 'N':
            fm->o.contact_name = optarg;
            fm->fields |= COORD_ORG_CONTACTS;
            break;
        case 'E':
            fm->o.contact_email = optarg;
            fm->fields |= COORD_ORG_CONTACTS;
            break;
        case 'P':
            fm->o.contact_phone = optarg;
            fm->fields |= COORD_ORG_CONTACTS;
            break;
        case 'U':
            if (!undo)
                return cli_usage_error(x->cmd, "--undo goes with org verify");
            *undo = 1;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    fm->o.sectors = fm->sectors;
    fm->o.services = fm->services;
    fm->o.areas = fm->areas;
    return 0;
}

static int org_out(void *arg, const struct coord_org *o)
{
    struct ccli *x = arg;

    ccli_row(x, coord_org_json(o, coord_org_view(&x->actor, o)));
    return 0;
}

static int org_add(struct ccli *x, int argc, char **argv)
{
    struct org_form fm;
    struct cscc_err err;
    int64_t id = 0;
    int rc;

    memset(&fm, 0, sizeof(fm));
    if ((rc = org_opts(x, argc, argv, &fm, NULL)))
        return rc < 0 ? CLI_OK : rc;
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_org_create(x->c, &x->actor, &fm.o, &id, &err) ||
        coord_org_get(x->c, id, org_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

static int org_edit(struct ccli *x, int argc, char **argv)
{
    struct org_form fm;
    struct cscc_err err;
    int64_t id;
    int rc;

    memset(&fm, 0, sizeof(fm));
    if ((rc = org_opts(x, argc, argv, &fm, NULL)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "org edit takes one organization id");
    if (!fm.fields)
        return cli_usage_error(x->cmd, "nothing to change: give the fields to change");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_org_update(x->c, &x->actor, id, &fm.o, fm.fields, &err) ||
        coord_org_get(x->c, id, org_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

static int org_verify(struct ccli *x, int argc, char **argv)
{
    struct org_form fm;
    struct cscc_err err;
    int64_t id;
    int rc, undo = 0;

    memset(&fm, 0, sizeof(fm));
    if ((rc = org_opts(x, argc, argv, &fm, &undo)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "org verify takes one organization id");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_org_verify(x->c, &x->actor, id, !undo, &err) ||
        coord_org_get(x->c, id, org_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

static int org_list(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"sector", required_argument, NULL, 's'},
        {"area", required_argument, NULL, 'a'},
        {"verified", no_argument, NULL, 'V'},
        {"name", required_argument, NULL, 'n'},
        {"limit", required_argument, NULL, 'l'},
        {"offset", required_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    struct coord_org_filter f;
    struct cscc_err err;
    unsigned long ul;
    int opt, rc;

    memset(&f, 0, sizeof(f));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': org_usage(stdout); return CLI_OK;
        case 's': f.sector = optarg; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            f.area = (int)ul;
            break;
        case 'V': f.verified_only = 1; break;
        case 'n': f.name = optarg; break;
        case 'l':
        case 'O':
            if ((rc = ccli_page(x, opt, optarg, 1000000, &f.limit, &f.offset)))
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
    if (coord_org_each(x->c, &f, org_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static int org_show(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int64_t id;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, org_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "org show takes one organization id");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_org_get(x->c, id, org_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

int cmd_org(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"add", "org add ", org_add},          {"edit", "org edit ", org_edit},
        {"verify", "org verify ", org_verify}, {"list", "org list ", org_list},
        {"show", "org show ", org_show},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "org ", org_usage);
}

/* ------------------------------------------------------------------------ */
/* event                                                                     */
/* ------------------------------------------------------------------------ */

static void event_usage(FILE *f)
{
    fprintf(f, "Usage: cscc event add --type TYPE --date YYYY-MM-DD [--area N] [--title TEXT]\n"
               "                      [--attendance N] [--org ID]... [--department CODE]...\n"
               "                      [--sector S]... [--commitment 'TEXT[|PARTY[|DUE]]']...\n"
               "                      [--notes TEXT]\n"
               "       cscc event list [--from DATE] [--to DATE] [--area N] [--type TYPE]\n"
               "       cscc event show ID\n"
               "       cscc event coverage [--from DATE] [--to DATE] [--all-areas]\n"
               "\n"
               "Engagement events: community meetings, peace walks, resource fairs, launch\n"
               "committee and coordination meetings, trainings. Types: community_meeting,\n"
               "peace_walk, resource_fair, launch_committee, coordination_meeting, training,\n"
               "other. The coverage report shows, for each priority area (every area with\n"
               "--all-areas) and the period (default: the last 90 days), how many events\n"
               "represented each of the ten sectors: listed on the event, worked in by an\n"
               "organization present, or city_services when a department was there.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int event_out(void *arg, const struct coord_event *e)
{
    struct ccli *x = arg;
    enum coord_view v =
        x->actor.role >= COORD_ROLE_DEPARTMENT ? COORD_VIEW_STAFF : COORD_VIEW_PUBLIC;

    ccli_row(x, coord_event_json(e, v));
    return 0;
}

static int event_add(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"type", required_argument, NULL, 't'},
        {"date", required_argument, NULL, 'Y'},
        {"area", required_argument, NULL, 'a'},
        {"title", required_argument, NULL, 'T'},
        {"attendance", required_argument, NULL, 'n'},
        {"org", required_argument, NULL, 'o'},
        {"department", required_argument, NULL, 'd'},
        {"sector", required_argument, NULL, 's'},
        {"commitment", required_argument, NULL, 'c'},
        {"notes", required_argument, NULL, 'N'},
        {NULL, 0, NULL, 0},
    };
    struct coord_event e;
    int64_t orgs[MAX_ITEMS];
    const char *depts[MAX_ITEMS], *secs[MAX_ITEMS];
    struct coord_commitment cms[MAX_ITEMS];
    struct cscc_err err;
    unsigned long ul;
    int64_t id = 0;
    int opt, rc, has_day = 0;

    memset(&e, 0, sizeof(e));
    e.orgs = orgs;
    e.departments = depts;
    e.sectors = secs;
    e.commitments = cms;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': event_usage(stdout); return CLI_OK;
        case 't': e.type = optarg; break;
        case 'Y':
            if (ccli_day(optarg, &e.day))
                return cli_usage_error(x->cmd, "--date takes YYYY-MM-DD");
            has_day = 1;
            break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            e.area = (int)ul;
            break;
        case 'T': e.title = optarg; break;
        case 'n':
            if (cli_parse_uint(optarg, 1000000, &ul))
                return cli_usage_error(x->cmd, "--attendance takes a number");
            e.attendance = (int64_t)ul;
            break;
        case 'o':
            if (e.norgs == MAX_ITEMS || (orgs[e.norgs] = ccli_id(optarg)) < 0)
                return cli_usage_error(x->cmd, "--org takes an organization id");
            e.norgs++;
            break;
        case 'd':
            if (e.ndepartments == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --department");
            depts[e.ndepartments++] = optarg;
            break;
        case 's':
            if (e.nsectors == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --sector");
            secs[e.nsectors++] = optarg;
            break;
        case 'c': {
            struct coord_commitment *cm;
            char *bar;

            if (e.ncommitments == MAX_ITEMS)
                return cli_usage_error(x->cmd, "too many --commitment");
            cm = &cms[e.ncommitments++];
            memset(cm, 0, sizeof(*cm));
            cm->text = optarg;
            if ((bar = strchr(optarg, '|'))) {
                *bar = '\0';
                cm->party = bar + 1;
                if ((bar = strchr(bar + 1, '|'))) {
                    *bar = '\0';
                    if (ccli_day(bar + 1, &cm->due_day))
                        return cli_usage_error(x->cmd, "a commitment's due date is YYYY-MM-DD");
                    cm->has_due = 1;
                }
            }
            break;
        }
        case 'N': e.notes = optarg; break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if (!e.type || !has_day)
        return cli_usage_error(x->cmd, "--type and --date are required");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_event_create(x->c, &x->actor, &e, &id, &err) ||
        coord_event_get(x->c, id, event_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

/* The local day of now. */
static int64_t today(struct ccli *x)
{
    char buf[40];
    int64_t day = 0;

    coord_format_time(coord_now(x->c), buf, sizeof(buf));
    buf[10] = '\0';
    cscc_parse_day(buf, &day);
    return day;
}

/* A coverage row: nested in JSON (as the API gives it), one column per sector otherwise. */
static int coverage_out(void *arg, const struct coord_coverage_row *r)
{
    struct ccli *x = arg;
    json_t *j = coord_coverage_json(r), *flat;
    int s;

    if (x->format == CCLI_JSON) {
        ccli_row(x, j);
        return 0;
    }
    flat = json_object();
    json_object_set(flat, "area", json_object_get(j, "area"));
    json_object_set(flat, "name", json_object_get(j, "name"));
    json_object_set(flat, "priority", json_object_get(j, "priority"));
    json_object_set(flat, "events", json_object_get(j, "events"));
    json_object_set(flat, "attendance", json_object_get(j, "attendance"));
    for (s = 0; s < COORD_NSECTORS; s++)
        json_object_set_new(flat, coord_sectors[s], json_integer(r->sector_events[s]));
    json_object_set(flat, "sectors_covered", json_object_get(j, "sectors_covered"));
    json_object_set(flat, "orgs_serving", json_object_get(j, "orgs_serving"));
    json_decref(j);
    ccli_row(x, flat);
    return 0;
}

static int event_list_or_coverage(struct ccli *x, int argc, char **argv, int coverage)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"area", required_argument, NULL, 'a'},
        {"type", required_argument, NULL, 't'},
        {"all-areas", no_argument, NULL, 'A'},
        {"limit", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    struct coord_event_filter f;
    struct cscc_err err;
    unsigned long ul;
    int opt, rc, all = 0;

    memset(&f, 0, sizeof(f));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': event_usage(stdout); return CLI_OK;
        case 'F':
            if (ccli_day(optarg, &f.from_day))
                return cli_usage_error(x->cmd, "--from takes YYYY-MM-DD");
            f.has_from = 1;
            break;
        case 'T':
            if (ccli_day(optarg, &f.to_day))
                return cli_usage_error(x->cmd, "--to takes YYYY-MM-DD");
            f.has_to = 1;
            break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            f.area = (int)ul;
            break;
        case 't': f.type = optarg; break;
        case 'A': all = 1; break;
        case 'l':
            if (cli_parse_uint(optarg, 1000000, &ul))
                return cli_usage_error(x->cmd, "--limit takes a number");
            f.limit = ul;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coverage) {
        int64_t to = f.has_to ? f.to_day : today(x), from = f.has_from ? f.from_day : to - 89;

        if (coord_coverage(x->c, &x->actor, from, to, all, coverage_out, x, &err))
            return ccli_fail(&err);
    } else if (coord_require(&x->actor, COORD_EVENT_VIEW, NULL, &err) ||
               coord_event_each(x->c, &f, event_out, x, &err)) {
        return ccli_fail(&err);
    }
    return ccli_flush(x, 0);
}

static int event_list(struct ccli *x, int argc, char **argv)
{
    return event_list_or_coverage(x, argc, argv, 0);
}

static int event_coverage(struct ccli *x, int argc, char **argv)
{
    return event_list_or_coverage(x, argc, argv, 1);
}

static int event_show(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int64_t id;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, event_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "event show takes one event id");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_require(&x->actor, COORD_EVENT_VIEW, NULL, &err) ||
        coord_event_get(x->c, id, event_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

int cmd_event(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"add", "event add ", event_add},
        {"list", "event list ", event_list},
        {"show", "event show ", event_show},
        {"coverage", "event coverage ", event_coverage},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "event ",
                         event_usage);
}

/* ------------------------------------------------------------------------ */
/* catalog                                                                   */
/* ------------------------------------------------------------------------ */

static void catalog_usage(FILE *f)
{
    fprintf(f, "Usage: cscc catalog list [--all]\n"
               "       cscc catalog show CODE\n"
               "       cscc catalog put FILE        (a service as JSON, or an array of them)\n"
               "       cscc catalog load FILE [--replace]\n"
               "       cscc catalog retire CODE | restore CODE\n"
               "       cscc catalog departments\n"
               "       cscc catalog department CODE NAME\n"
               "\n"
               "The service catalogue (Open311 services): code, name, group, default department,\n"
               "deadline, priority weight, and the questions asked at intake (attributes with\n"
               "Open311 datatypes). 'put' creates or replaces services; 'load' reads a whole\n"
               "catalogue ({\"departments\": [...], \"services\": [...]}) and keeps services\n"
               "already stored unless --replace. 'cscc init' loads data/reference/services.json\n"
               "that way. Retired services take no new needs.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

static int svc_out(void *arg, const struct coord_service *s)
{
    struct ccli *x = arg;

    ccli_row(x, coord_service_json(s, x->format != CCLI_TABLE));
    return 0;
}

static int catalog_list(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS, {"all", no_argument, NULL, 'A'}, {NULL, 0, NULL, 0}};
    struct cscc_err err;
    int opt, rc, all = 0;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (opt == 'h') {
            catalog_usage(stdout);
            return CLI_OK;
        }
        if (opt == 'A') {
            all = 1;
            continue;
        }
        return cli_usage_error(x->cmd, "bad option");
    }
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_service_each(x->c, all, svc_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static int svc_show(void *arg, const struct coord_service *s)
{
    ccli_row(arg, coord_service_json(s, 1));
    return 0;
}

static int catalog_show(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, catalog_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc)
        return cli_usage_error(x->cmd, "catalog show takes one service code");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_service_get(x->c, argv[optind], svc_show, x, &err))
        return ccli_fail(&err);
    if (x->format == CCLI_TABLE) {
        /* The questions as a table of their own. */
        json_t *svc = json_incref(json_array_get(x->rows, 0)), *attrs;
        size_t i;

        attrs = json_incref(json_object_get(svc, "attributes"));
        json_object_del(svc, "attributes");
        json_array_clear(x->rows);
        ccli_row(x, svc);
        rc = ccli_flush(x, 1);
        if (!rc && json_array_size(attrs)) {
            printf("\nattributes:\n");
            for (i = 0; i < json_array_size(attrs); i++) {
                json_t *a = json_deep_copy(json_array_get(attrs, i)), *vals, *keys = json_array();
                size_t k;

                vals = json_object_get(a, "values");
                for (k = 0; k < json_array_size(vals); k++)
                    json_array_append(keys, json_object_get(json_array_get(vals, k), "key"));
                json_object_set_new(a, "values", keys);
                ccli_row(x, a);
            }
            rc = ccli_flush(x, 0);
        }
        json_decref(attrs);
        return rc;
    }
    return ccli_flush(x, 1);
}

static int catalog_put(struct ccli *x, int argc, char **argv, int whole)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS, {"replace", no_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    struct coord_catalog_load res;
    struct cscc_err err;
    json_t *doc, *wrapped = NULL;
    int opt, rc, replace = !whole;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (opt == 'h') {
            catalog_usage(stdout);
            return CLI_OK;
        }
        if (opt == 'r' && whole) {
            replace = 1;
            continue;
        }
        return cli_usage_error(x->cmd, "bad option");
    }
    if (optind + 1 != argc)
        return cli_usage_error(x->cmd, "give one JSON file");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (!(doc = cscc_json_load_file(argv[optind], 4u << 20, 32, &err)))
        return ccli_fail(&err);
    if (!whole) {
        /* One service, or an array of them: a catalogue of services only. */
        wrapped = json_object();
        json_object_set_new(wrapped, "services",
                            json_is_array(doc) ? json_incref(doc) : json_pack("[O]", doc));
    }
    rc = coord_catalog_load_json(x->c, &x->actor, wrapped ? wrapped : doc, replace, &res, &err);
    json_decref(wrapped);
    json_decref(doc);
    if (rc) {
        cscc_err_at(&err, argv[optind], 0, 0, NULL);
        cscc_error("%s: %s%s%s%s", argv[optind], err.msg, err.field[0] ? " (field '" : "",
                   err.field, err.field[0] ? "')" : "");
        return cscc_exit_status(err.code);
    }
    {
        json_t *j = json_object();

        json_object_set_new(j, "departments", json_integer((json_int_t)res.departments));
        json_object_set_new(j, "services_stored", json_integer((json_int_t)res.services));
        json_object_set_new(j, "services_kept", json_integer((json_int_t)res.kept));
        ccli_row(x, j);
    }
    return ccli_flush(x, 1);
}

static int catalog_put1(struct ccli *x, int argc, char **argv)
{
    return catalog_put(x, argc, argv, 0);
}

static int catalog_load(struct ccli *x, int argc, char **argv)
{
    return catalog_put(x, argc, argv, 1);
}

static int catalog_active(struct ccli *x, int argc, char **argv, int active)
{
    struct cscc_err err;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, catalog_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc)
        return cli_usage_error(x->cmd, "give one service code");
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_service_set_active(x->c, &x->actor, argv[optind], active, &err))
        return ccli_fail(&err);
    return CLI_OK;
}

static int catalog_retire(struct ccli *x, int argc, char **argv)
{
    return catalog_active(x, argc, argv, 0);
}

static int catalog_restore(struct ccli *x, int argc, char **argv)
{
    return catalog_active(x, argc, argv, 1);
}

static int dept_out(void *arg, const struct coord_department *d)
{
    json_t *j = json_object();

    json_object_set_new(j, "code", json_string(d->code));
    json_object_set_new(j, "name", json_string(d->name));
    json_object_set_new(j, "active", json_boolean(d->active));
    ccli_row(arg, j);
    return 0;
}

static int catalog_departments(struct ccli *x, int argc, char **argv)
{
    struct cscc_err err;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, catalog_usage)))
        return rc < 0 ? CLI_OK : rc;
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_department_each(x->c, dept_out, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static int catalog_department(struct ccli *x, int argc, char **argv)
{
    struct coord_department d = {NULL, NULL, 1};
    struct cscc_err err;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, catalog_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 2 != argc)
        return cli_usage_error(x->cmd, "catalog department takes a code and a name");
    d.code = argv[optind];
    d.name = argv[optind + 1];
    if ((rc = ccli_open(x)))
        return rc;
    cscc_err_clear(&err);
    if (coord_department_put(x->c, &x->actor, &d, &err))
        return ccli_fail(&err);
    return CLI_OK;
}

int cmd_catalog(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"list", "catalog list ", catalog_list},
        {"show", "catalog show ", catalog_show},
        {"put", "catalog put ", catalog_put1},
        {"load", "catalog load ", catalog_load},
        {"retire", "catalog retire ", catalog_retire},
        {"restore", "catalog restore ", catalog_restore},
        {"departments", "catalog departments ", catalog_departments},
        {"department", "catalog department ", catalog_department},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "catalog ",
                         catalog_usage);
}
