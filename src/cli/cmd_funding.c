/* cmd_funding.c - `cscc funding ...` (allocations, spending, CSV import) and
 * `cscc initiative ...` (Launch Committee initiatives and milestones), over
 * src/resources. Writes need --as coordinator or admin (the default); every
 * write is audited with the actor. */
#include "cli/coord_cli.h"

#include "access/audit.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"
#include "resources/resources.h"

#include <string.h>

/* The audit actor of the CLI, named by --user when given. */
static void res_actor(const struct ccli *x, struct access_actor *who)
{
    access_actor_cli(who);
    if (x->actor.name && *x->actor.name)
        snprintf(who->name, sizeof(who->name), "%s", x->actor.name);
}

/* 0 when the actor may change resources (coordinator, admin), else an error's exit status. */
static int res_may_edit(const struct ccli *x)
{
    if (x->actor.role == COORD_ROLE_COORDINATOR || x->actor.role == COORD_ROLE_ADMIN)
        return 0;
    cscc_error("only a coordinator or an admin may change funding and initiatives");
    return cscc_exit_status(CSCC_EPERM);
}

/* 0 when the actor may see allocations (staff: department, coordinator, analyst, admin). */
static int res_may_view(const struct ccli *x)
{
    if (x->actor.role >= COORD_ROLE_DEPARTMENT)
        return 0;
    cscc_error("funding records are for City staff; the public sees 'cscc analyze funding'");
    return cscc_exit_status(CSCC_EPERM);
}

static int open_store(struct ccli *x)
{
    struct cscc_err err;

    cscc_err_clear(&err);
    if (!(x->st = cli_open_store(x->ctx, &err)))
        return cli_fail(&err);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* funding                                                                   */
/* ------------------------------------------------------------------------ */

static void funding_usage(FILE *f)
{
    fprintf(f, "Usage: cscc funding import ALLOCATIONS.csv [--spending SPENDING.csv]\n"
               "       cscc funding add --ref REF --source S --department D --program P\n"
               "                        --strategy S --amount DOLLARS --start DATE --end DATE\n"
               "                        [--area N]... [--organization ID] [--recipient NAME]\n"
               "                        [--notes TEXT]\n"
               "       cscc funding edit ID [the options of add but --ref; --citywide clears\n"
               "                        the areas]\n"
               "       cscc funding spend ID --amount DOLLARS --day DATE [--note TEXT]\n"
               "       cscc funding list [--strategy S] [--department D] [--area N]\n"
               "                         [--from DATE] [--to DATE]\n"
               "       cscc funding show ID\n"
               "\n"
               "Funding allocations of the City's resources for violence reduction: source,\n"
               "department, program, strategy area (employment, community_revitalization,\n"
               "violence_diversion, violence_interruption, social_services_navigation,\n"
               "health_wellness, education_youth), recipient, community areas (none =\n"
               "citywide), amount, period, and the spending against them. Every change is\n"
               "recorded in the audit log. The import is one transaction: on any error\n"
               "nothing is stored.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

struct alloc_form {
    struct res_alloc a;
    int areas[RES_MAX_AREAS];
    unsigned fields;
    const char *spending;
    int64_t day;
    int has_day;
    const char *note;
    struct res_alloc_filter filter;
};

static int alloc_opts(struct ccli *x, int argc, char **argv, struct alloc_form *fm)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"ref", required_argument, NULL, 'r'},
        {"source", required_argument, NULL, 's'},
        {"department", required_argument, NULL, 'd'},
        {"program", required_argument, NULL, 'p'},
        {"strategy", required_argument, NULL, 'g'},
        {"amount", required_argument, NULL, 'm'},
        {"start", required_argument, NULL, 'S'},
        {"end", required_argument, NULL, 'E'},
        {"area", required_argument, NULL, 'a'},
        {"citywide", no_argument, NULL, 'C'},
        {"organization", required_argument, NULL, 'o'},
        {"recipient", required_argument, NULL, 'R'},
        {"notes", required_argument, NULL, 'n'},
        {"spending", required_argument, NULL, 'P'},
        {"day", required_argument, NULL, 'y'},
        {"note", required_argument, NULL, 'N'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    unsigned long ul;
    int opt, rc;

    fm->a.areas = fm->areas;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': funding_usage(stdout); return -1;
        case 'r': fm->a.ref = optarg; break;
        case 's':
            fm->a.source = optarg;
            fm->fields |= RES_A_SOURCE;
            break;
        case 'd':
            fm->a.department = fm->filter.department = optarg;
            fm->fields |= RES_A_DEPARTMENT;
            break;
        case 'p':
            fm->a.program = optarg;
            fm->fields |= RES_A_PROGRAM;
            break;
        case 'g':
            if (res_strategy_index(optarg) < 0)
                return cli_usage_error(x->cmd,
                                       "--strategy takes employment, community_revitalization, "
                                       "violence_diversion, violence_interruption, "
                                       "social_services_navigation, health_wellness or "
                                       "education_youth, not '%s'",
                                       optarg);
            fm->a.strategy = fm->filter.strategy = res_strategies[res_strategy_index(optarg)];
            fm->fields |= RES_A_STRATEGY;
            break;
        case 'm':
            if (res_parse_amount(optarg, &fm->a.amount_cents))
                return cli_usage_error(x->cmd, "--amount takes dollars like 1234.56, not '%s'",
                                       optarg);
            fm->fields |= RES_A_AMOUNT;
            break;
        case 'S':
        case 'E':
            if (ccli_day(optarg, opt == 'S' ? &fm->a.start_day : &fm->a.end_day))
                return cli_usage_error(x->cmd, "--%s takes a date YYYY-MM-DD, not '%s'",
                                       opt == 'S' ? "start" : "end", optarg);
            fm->fields |= RES_A_PERIOD | (opt == 'S' ? 1u << 30 : 1u << 29);
            break;
        case 'a':
            if (cli_parse_uint(optarg, 254, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes a community area number, not '%s'",
                                       optarg);
            if (fm->a.nareas == RES_MAX_AREAS)
                return cli_usage_error(x->cmd, "at most %d areas", RES_MAX_AREAS);
            fm->areas[fm->a.nareas++] = (int)ul;
            fm->filter.area = (int)ul;
            fm->fields |= RES_A_AREAS;
            break;
        case 'C':
            fm->a.nareas = 0;
            fm->fields |= RES_A_AREAS;
            break;
        case 'o':
            if ((fm->a.org_id = ccli_id(optarg)) < 0)
                return cli_usage_error(x->cmd, "--organization takes an organization id");
            fm->fields |= RES_A_RECIPIENT;
            break;
        case 'R':
            fm->a.recipient = optarg;
            fm->fields |= RES_A_RECIPIENT;
            break;
        case 'n':
            fm->a.notes = optarg;
            fm->fields |= RES_A_NOTES;
            break;
        case 'P': fm->spending = optarg; break;
        case 'y':
            if (ccli_day(optarg, &fm->day))
                return cli_usage_error(x->cmd, "--day takes a date YYYY-MM-DD, not '%s'", optarg);
            fm->has_day = 1;
            break;
        case 'N': fm->note = optarg; break;
        case 'F':
        case 'T':
            if (ccli_day(optarg, opt == 'F' ? &fm->filter.from_day : &fm->filter.to_day))
                return cli_usage_error(x->cmd, "--%s takes a date YYYY-MM-DD, not '%s'",
                                       opt == 'F' ? "from" : "to", optarg);
            if (opt == 'F')
                fm->filter.has_from = 1;
            else
                fm->filter.has_to = 1;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    return 0;
}

/* Parses the options and the one ID argument (want_id) of a funding subcommand. */
static int alloc_args(struct ccli *x, int argc, char **argv, struct alloc_form *fm, int want_id,
                      int64_t *id)
{
    int rc;

    memset(fm, 0, sizeof(*fm));
    if ((rc = alloc_opts(x, argc, argv, fm)))
        return rc;
    if (want_id) {
        if (optind + 1 != argc || (*id = ccli_id(argv[optind])) < 0)
            return cli_usage_error(x->cmd, "give one allocation ID");
    } else if (optind < argc) {
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

static int show_alloc(void *arg, const struct res_alloc *a)
{
    ccli_row(arg, res_alloc_json(a));
    return 0;
}

static int funding_add(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id = 0;
    int rc;

    if ((rc = alloc_args(x, argc, argv, &fm, 0, NULL)))
        return rc < 0 ? CLI_OK : rc;
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    if (!(fm.fields & (1u << 30)) || !(fm.fields & (1u << 29)))
        return cli_usage_error(x->cmd, "give the period: --start DATE --end DATE");
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_alloc_add(x->st, &who, &fm.a, &id, &err) ||
        res_alloc_get(x->st, id, show_alloc, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

/* An edit of the period needs both ends: the missing one is read from the store. */
static int keep_period(void *arg, const struct res_alloc *a)
{
    struct alloc_form *fm = arg;

    if (!(fm->fields & (1u << 30)))
        fm->a.start_day = a->start_day;
    if (!(fm->fields & (1u << 29)))
        fm->a.end_day = a->end_day;
    if ((fm->fields & RES_A_RECIPIENT) && !fm->a.recipient)
        fm->a.recipient = "";
    return 0;
}

static int funding_edit(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id = 0;
    int rc;

    if ((rc = alloc_args(x, argc, argv, &fm, 1, &id)))
        return rc < 0 ? CLI_OK : rc;
    if (fm.a.ref)
        return cli_usage_error(x->cmd, "the ref of an allocation cannot change");
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_alloc_get(x->st, id, keep_period, &fm, &err) ||
        res_alloc_update(x->st, &who, id, &fm.a, fm.fields & ((1u << 29) - 1), &err) ||
        res_alloc_get(x->st, id, show_alloc, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 1);
}

static int funding_spend(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id = 0, sid = 0;
    json_t *o;
    int rc;

    if ((rc = alloc_args(x, argc, argv, &fm, 1, &id)))
        return rc < 0 ? CLI_OK : rc;
    if (!(fm.fields & RES_A_AMOUNT) || !fm.has_day)
        return cli_usage_error(x->cmd, "give --amount DOLLARS and --day DATE");
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_spend(x->st, &who, id, fm.day, fm.a.amount_cents, fm.note, &sid, &err))
        return ccli_fail(&err);
    o = json_object();
    json_object_set_new(o, "spending", json_integer(sid));
    json_object_set_new(o, "allocation", json_integer(id));
    json_object_set_new(o, "amount", json_real((double)fm.a.amount_cents / 100.0));
    ccli_row(x, o);
    return ccli_flush(x, 1);
}

static int funding_import(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct access_actor who;
    struct cscc_err err;
    size_t na = 0, ns = 0;
    int rc;

    memset(&fm, 0, sizeof(fm));
    if ((rc = alloc_opts(x, argc, argv, &fm)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc)
        return cli_usage_error(x->cmd, "give one CSV file of allocations");
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_import(x->st, &who, argv[optind], fm.spending, &na, &ns, &err))
        return cli_fail(&err);
    cscc_info("imported %zu allocations and %zu spending entries", na, ns);
    return CLI_OK;
}

static int funding_list(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct cscc_err err;
    int rc;

    if ((rc = alloc_args(x, argc, argv, &fm, 0, NULL)))
        return rc < 0 ? CLI_OK : rc;
    if ((rc = res_may_view(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    if (res_alloc_each(x->st, &fm.filter, show_alloc, x, &err))
        return ccli_fail(&err);
    return ccli_flush(x, 0);
}

static int funding_show(struct ccli *x, int argc, char **argv)
{
    struct alloc_form fm;
    struct cscc_err err;
    json_t *spend;
    int64_t id = 0;
    int rc;

    if ((rc = alloc_args(x, argc, argv, &fm, 1, &id)))
        return rc < 0 ? CLI_OK : rc;
    if ((rc = res_may_view(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    if (res_alloc_get(x->st, id, show_alloc, x, &err))
        return ccli_fail(&err);
    spend = json_array();
    if (res_spending_json(x->st, id, spend, &err)) {
        json_decref(spend);
        return ccli_fail(&err);
    }
    json_object_set_new(json_array_get(x->rows, 0), "spending", spend);
    return ccli_flush(x, 1);
}

int cmd_funding(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"import", "funding import ", funding_import}, {"add", "funding add ", funding_add},
        {"edit", "funding edit ", funding_edit},       {"spend", "funding spend ", funding_spend},
        {"list", "funding list ", funding_list},       {"show", "funding show ", funding_show},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "funding ",
                         funding_usage);
}

/* ------------------------------------------------------------------------ */
/* initiative                                                                */
/* ------------------------------------------------------------------------ */

static void initiative_usage(FILE *f)
{
    fprintf(f, "Usage: cscc initiative add --name NAME [--status S] [--lead ORG_ID]\n"
               "                           [--area N]... [--partner ORG_ID]...\n"
               "                           [--funding ALLOCATION_ID]... [--description TEXT]\n"
               "       cscc initiative status ID STATUS\n"
               "       cscc initiative milestone ID --title TEXT --due DATE\n"
               "       cscc initiative milestone-status MILESTONE_ID STATUS [--day DATE]\n"
               "       cscc initiative list\n"
               "       cscc initiative show ID\n"
               "\n"
               "Launch Committee initiatives: areas, lead and partner organizations, status\n"
               "(proposed, planning, active, paused, completed, cancelled), milestones with\n"
               "due dates and status (planned, in_progress, done, missed), linked funding\n"
               "allocations. Every change is recorded in the audit log.\n"
               "\n"
               "Options:\n");
    ccli_help(f);
}

struct init_form {
    struct res_initiative in;
    int areas[RES_MAX_AREAS];
    int64_t partners[RES_MAX_AREAS], funding[RES_MAX_AREAS];
    const char *title;
    int64_t day;
    int has_day;
};

static int init_opts(struct ccli *x, int argc, char **argv, struct init_form *fm)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"name", required_argument, NULL, 'n'},
        {"status", required_argument, NULL, 's'},
        {"lead", required_argument, NULL, 'l'},
        {"area", required_argument, NULL, 'a'},
        {"partner", required_argument, NULL, 'p'},
        {"funding", required_argument, NULL, 'f'},
        {"description", required_argument, NULL, 'd'},
        {"title", required_argument, NULL, 't'},
        {"due", required_argument, NULL, 'u'},
        {"day", required_argument, NULL, 'y'},
        {NULL, 0, NULL, 0},
    };
    unsigned long ul;
    int64_t id;
    int opt, rc;

    memset(fm, 0, sizeof(*fm));
    fm->in.status = "proposed";
    fm->in.areas = fm->areas;
    fm->in.partners = fm->partners;
    fm->in.funding = fm->funding;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': initiative_usage(stdout); return -1;
        case 'n': fm->in.name = optarg; break;
        case 's': fm->in.status = optarg; break;
        case 'd': fm->in.description = optarg; break;
        case 't': fm->title = optarg; break;
        case 'a':
            if (cli_parse_uint(optarg, 254, &ul) || !ul || fm->in.nareas == RES_MAX_AREAS)
                return cli_usage_error(x->cmd, "--area takes a community area number, not '%s'",
                                       optarg);
            fm->areas[fm->in.nareas++] = (int)ul;
            break;
        case 'l':
        case 'p':
        case 'f':
            if ((id = ccli_id(optarg)) < 0)
                return cli_usage_error(x->cmd, "--%s takes an id, not '%s'",
                                       opt == 'l'   ? "lead"
                                       : opt == 'p' ? "partner"
                                                    : "funding",
                                       optarg);
            if (opt == 'l')
                fm->in.lead_org_id = id;
            else if (opt == 'p' && fm->in.npartners < RES_MAX_AREAS)
                fm->partners[fm->in.npartners++] = id;
            else if (opt == 'f' && fm->in.nfunding < RES_MAX_AREAS)
                fm->funding[fm->in.nfunding++] = id;
            else
                return cli_usage_error(x->cmd, "at most %d of each", RES_MAX_AREAS);
            break;
        case 'u':
        case 'y':
            if (ccli_day(optarg, &fm->day))
                return cli_usage_error(x->cmd, "--%s takes a date YYYY-MM-DD, not '%s'",
                                       opt == 'u' ? "due" : "day", optarg);
            fm->has_day = 1;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    return 0;
}

/* Prints initiative id (0: all). */
static int print_initiatives(struct ccli *x, int64_t id)
{
    struct cscc_err err;
    json_t *arr = json_array();
    size_t i;

    cscc_err_clear(&err);
    if (res_initiatives_json(x->st, id, arr, &err)) {
        json_decref(arr);
        return ccli_fail(&err);
    }
    for (i = 0; i < json_array_size(arr); i++)
        ccli_row(x, json_incref(json_array_get(arr, i)));
    json_decref(arr);
    return ccli_flush(x, id != 0);
}

static int initiative_add(struct ccli *x, int argc, char **argv)
{
    struct init_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id = 0;
    int rc;

    if ((rc = init_opts(x, argc, argv, &fm)))
        return rc < 0 ? CLI_OK : rc;
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_initiative_add(x->st, &who, &fm.in, &id, &err))
        return ccli_fail(&err);
    return print_initiatives(x, id);
}

/* `status ID STATUS` and `milestone-status ID STATUS`. */
static int initiative_set(struct ccli *x, int argc, char **argv, int milestone)
{
    struct init_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id, init = 0;
    int rc;

    if ((rc = init_opts(x, argc, argv, &fm)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 2 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "give an ID and a STATUS");
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (!milestone) {
        rc = res_initiative_set_status(x->st, &who, id, argv[optind + 1], &err);
        init = id;
    } else {
        int64_t day = fm.has_day ? fm.day : cscc_day_of(access_now());

        rc = res_milestone_set(x->st, &who, id, argv[optind + 1], day, &init, &err);
    }
    if (rc)
        return ccli_fail(&err);
    return print_initiatives(x, init);
}

static int initiative_status(struct ccli *x, int argc, char **argv)
{
    return initiative_set(x, argc, argv, 0);
}

static int initiative_milestone_status(struct ccli *x, int argc, char **argv)
{
    return initiative_set(x, argc, argv, 1);
}

static int initiative_milestone(struct ccli *x, int argc, char **argv)
{
    struct init_form fm;
    struct access_actor who;
    struct cscc_err err;
    int64_t id;
    int rc;

    if ((rc = init_opts(x, argc, argv, &fm)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "give one initiative ID");
    if (!fm.title || !fm.has_day)
        return cli_usage_error(x->cmd, "give --title TEXT and --due DATE");
    if ((rc = res_may_edit(x)) || (rc = open_store(x)))
        return rc;
    cscc_err_clear(&err);
    res_actor(x, &who);
    if (res_milestone_add(x->st, &who, id, fm.title, fm.day, NULL, &err))
        return ccli_fail(&err);
    return print_initiatives(x, id);
}

static int initiative_list(struct ccli *x, int argc, char **argv)
{
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, initiative_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = open_store(x)))
        return rc;
    return print_initiatives(x, 0);
}

static int initiative_show(struct ccli *x, int argc, char **argv)
{
    int64_t id;
    int rc;

    if ((rc = ccli_plain_opts(x, argc, argv, initiative_usage)))
        return rc < 0 ? CLI_OK : rc;
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "give one initiative ID");
    if ((rc = open_store(x)))
        return rc;
    return print_initiatives(x, id);
}

int cmd_initiative(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct ccli_sub subs[] = {
        {"add", "initiative add ", initiative_add},
        {"status", "initiative status ", initiative_status},
        {"milestone", "initiative milestone ", initiative_milestone},
        {"milestone-status", "initiative milestone-status ", initiative_milestone_status},
        {"list", "initiative list ", initiative_list},
        {"show", "initiative show ", initiative_show},
    };

    return ccli_dispatch(ctx, argc, argv, subs, sizeof(subs) / sizeof(subs[0]), "initiative ",
                         initiative_usage);
}
