/* cmd_need.c - `cscc need add|show|list|gazetteer|locate`: needs reported by
 * residents, partners and staff (Open311 service requests). */
#include "cli/coord_cli.h"

#include "coord/needs.h"
#include "coord/workorders.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "core/time.h"

#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: cscc need add --service CODE (--lat LAT --long LON | --address ADDR)\n"
            "                     [--description TEXT] [--attr CODE=VALUE]... [--name NAME]\n"
            "                     [--email EMAIL] [--phone PHONE] [--media-url URL] [--source S]\n"
            "       cscc need add --from FILE      (JSON lines, '-' = standard input)\n"
            "       cscc need show ID\n"
            "       cscc need list [--service CODE] [--status S] [--open|--closed] [--area N]\n"
            "                      [--department CODE] [--org ID] [--from DATE] [--to DATE]\n"
            "                      [--newest] [--limit N] [--offset N]\n"
            "       cscc need gazetteer            (rebuild the block gazetteer)\n"
            "       cscc need locate ADDRESS | --lat LAT --long LON\n"
            "\n"
            "Takes in a need, places it (a point, or a block address such as '4300 W Madison\n"
            "St' found in the block gazetteer built from the imported crimes), links it to an\n"
            "open need of the same service nearby, scores its priority and routes it to a\n"
            "department as a work order. The id printed is stored on disk. With --from, each\n"
            "line is a JSON object (service_code, lat, long, address_string, description,\n"
            "attributes {CODE: VALUE or [VALUES]}, first_name, email, phone, media_url) and\n"
            "each acknowledgement is printed as a JSON line as soon as it is stored.\n"
            "Contact details are shown only to those who may see them (--as).\n"
            "\n"
            "Options:\n");
    ccli_help(f);
}

#define MAX_ANSWERS 64

/* The acknowledgement of an intake, as JSON. */
static json_t *ack_json(const struct coord_need_ack *a)
{
    json_t *j = json_object(), *p = json_object();
    char due[40];

    json_object_set_new(j, "service_request_id", json_sprintf("%lld", (long long)a->id));
    json_object_set_new(j, "token", json_string(a->token));
    json_object_set_new(j, "status", json_string(a->status));
    json_object_set_new(j, "duplicate_of",
                        a->duplicate_of ? json_sprintf("%lld", (long long)a->duplicate_of)
                                        : json_null());
    json_object_set_new(j, "workorder_id",
                        a->workorder_id ? json_integer(a->workorder_id) : json_null());
    json_object_set_new(j, "department", json_string(a->department));
    coord_format_time(a->due_at, due, sizeof(due));
    json_object_set_new(j, "expected_datetime", a->due_at ? json_string(due) : json_null());
    json_object_set_new(j, "area", a->area ? json_integer(a->area) : json_null());
    json_object_set_new(j, "block", json_string(a->block));
    json_object_set_new(p, "score", json_real(a->score.score));
    json_object_set_new(p, "weight", json_real(a->score.weight));
    json_object_set_new(p, "violence_factor", json_real(a->score.violence));
    json_object_set_new(p, "density_ratio", json_real(a->score.ratio));
    json_object_set_new(p, "incidents_within_bandwidth", json_integer(a->score.incidents));
    json_object_set_new(p, "area_factor", json_real(a->score.area_factor));
    json_object_set_new(j, "priority", p);
    return j;
}

/* ------------------------------------------------------------------------ */
/* need add                                                                  */
/* ------------------------------------------------------------------------ */

/* Reads one JSON line into a request; strings point into j. */
static int req_from_json(const json_t *j, struct coord_need_req *r, struct coord_answer *ans,
                         struct cscc_err *err)
{
    const char *key;
    json_t *v;

    memset(r, 0, sizeof(*r));
    r->source = "cli";
    if (!json_is_object(j))
        return cscc_err_set(err, CSCC_EINVAL, "a request must be a JSON object");
    json_object_foreach((json_t *)j, key, v)
    {
        const char **dst = NULL;

        if (!strcmp(key, "service_code"))
            dst = &r->service_code;
        else if (!strcmp(key, "description"))
            dst = &r->description;
        else if (!strcmp(key, "address_string"))
            dst = &r->address;
        else if (!strcmp(key, "first_name"))
            dst = &r->contact_name;
        else if (!strcmp(key, "email"))
            dst = &r->contact_email;
        else if (!strcmp(key, "phone"))
            dst = &r->contact_phone;
        else if (!strcmp(key, "media_url"))
            dst = &r->media_url;
        else if (!strcmp(key, "source"))
            dst = &r->source;
        if (dst) {
            if (!json_is_string(v)) {
                cscc_err_set(err, CSCC_EINVAL, "%s must be a string", key);
                return coord_err_field(err, "%s", key);
            }
            *dst = json_string_value(v);
        } else if (!strcmp(key, "lat") || !strcmp(key, "long")) {
            if (!json_is_number(v)) {
                cscc_err_set(err, CSCC_EINVAL, "%s must be a number", key);
                return coord_err_field(err, "%s", key);
            }
            if (key[1] == 'a')
                r->lat = json_number_value(v);
            else
                r->lon = json_number_value(v);
            r->has_point = 1;
        } else if (!strcmp(key, "attributes") && json_is_object(v)) {
            const char *code;
            json_t *val;

            json_object_foreach(v, code, val)
            {
                size_t i, n = json_is_array(val) ? json_array_size(val) : 1;

                for (i = 0; i < n; i++) {
                    const json_t *one = json_is_array(val) ? json_array_get(val, i) : val;

                    if (r->nanswers == MAX_ANSWERS || !json_is_string(one)) {
                        cscc_err_set(err, CSCC_EINVAL,
                                     "attribute %s must be a string or an array of strings (at "
                                     "most %d answers)",
                                     code, MAX_ANSWERS);
                        return coord_err_field(err, "attribute[%s]", code);
                    }
                    ans[r->nanswers].attr = code;
                    ans[r->nanswers++].value = json_string_value(one);
                }
            }
        } else {
            cscc_err_set(err, CSCC_EINVAL, "unknown field '%s'", key);
            return coord_err_field(err, "%s", key);
        }
    }
    r->answers = ans;
    return 0;
}

static int add_from(struct ccli *x, const char *file)
{
    struct coord_answer ans[MAX_ANSWERS];
    struct cscc_err err;
    char *buf = NULL, *p, *nl;
    size_t len = 0, line = 0, ok = 0, bad = 0;
    int rc;

    cscc_err_clear(&err);
    if (cscc_read_file(!strcmp(file, "-") ? "/dev/stdin" : file, 256u << 20, &buf, &len, &err))
        return cli_fail(&err);
    for (p = buf; p < buf + len; p = nl + 1) {
        struct coord_need_req r;
        struct coord_need_ack ack;
        json_t *j, *out;
        char *text;

        nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (!nl)
            nl = buf + len;
        line++;
        if (nl == p || (nl - p == 1 && *p == '\r'))
            continue;
        cscc_err_clear(&err);
        if (!(j = cscc_json_loadb(p, (size_t)(nl - p), 16, &err)) ||
            req_from_json(j, &r, ans, &err) || coord_need_add(x->c, &x->actor, &r, &ack, &err)) {
            cscc_error("%s:%zu: %s%s%s%s", file, line, err.msg, err.field[0] ? " (field '" : "",
                       err.field, err.field[0] ? "')" : "");
            json_decref(j);
            bad++;
            if (err.code == CSCC_EIO || err.code == CSCC_EROFS || err.code == CSCC_ESTORE)
                break; /* the store cannot take more: stop */
            continue;
        }
        json_decref(j);
        out = ack_json(&ack);
        json_object_set_new(out, "line", json_integer((json_int_t)line));
        text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(10));
        json_decref(out);
        /* Printed only once stored, and flushed at once: what is printed was kept. */
        rc = text && printf("%s\n", text) > 0 && fflush(stdout) == 0;
        free(text); /* allocated by jansson */
        if (!rc) {
            cscc_free(buf);
            return CLI_IOERR;
        }
        ok++;
    }
    cscc_free(buf);
    cscc_info("%zu needs stored, %zu refused", ok, bad);
    return bad ? CLI_DATAERR : CLI_OK;
}

static int need_add(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"service", required_argument, NULL, 's'},
        {"lat", required_argument, NULL, 'y'},
        {"long", required_argument, NULL, 'x'},
        {"lon", required_argument, NULL, 'x'},
        {"address", required_argument, NULL, 'a'},
        {"description", required_argument, NULL, 'd'},
        {"attr", required_argument, NULL, 't'},
        {"name", required_argument, NULL, 'n'},
        {"email", required_argument, NULL, 'e'},
        {"phone", required_argument, NULL, 'p'},
        {"media-url", required_argument, NULL, 'm'},
        {"source", required_argument, NULL, 'S'},
        {"from", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct coord_answer ans[MAX_ANSWERS];
    struct coord_need_req r;
    struct coord_need_ack ack;
    struct cscc_err err;
    const char *from = NULL;
    int opt, rc, has_lat = 0, has_lon = 0;

    memset(&r, 0, sizeof(r));
    r.source = "cli";
    r.answers = ans;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 's': r.service_code = optarg; break;
        case 'y':
            if (ccli_double(optarg, &r.lat))
                return cli_usage_error(x->cmd, "--lat takes a number, not '%s'", optarg);
            has_lat = 1;
            break;
        case 'x':
            if (ccli_double(optarg, &r.lon))
                return cli_usage_error(x->cmd, "--long takes a number, not '%s'", optarg);
            has_lon = 1;
            break;
        case 'a': r.address = optarg; break;
        case 'd': r.description = optarg; break;
        case 't': {
            char *eq = strchr(optarg, '=');

            if (!eq || eq == optarg)
                return cli_usage_error(x->cmd, "--attr takes CODE=VALUE, not '%s'", optarg);
            if (r.nanswers == MAX_ANSWERS)
                return cli_usage_error(x->cmd, "at most %d --attr", MAX_ANSWERS);
            *eq = '\0';
            ans[r.nanswers].attr = optarg;
            ans[r.nanswers++].value = eq + 1;
            break;
        }
        case 'n': r.contact_name = optarg; break;
        case 'e': r.contact_email = optarg; break;
        case 'p': r.contact_phone = optarg; break;
        case 'm': r.media_url = optarg; break;
        case 'S': r.source = optarg; break;
        case 'f': from = optarg; break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if (has_lat != has_lon)
        return cli_usage_error(x->cmd, "--lat and --long go together");
    r.has_point = has_lat;
    if (!from && !r.service_code)
        return cli_usage_error(x->cmd, "--service CODE is required (see 'cscc catalog list')");
    if ((rc = ccli_open(x)))
        return ccli_close(x, rc);
    if (from)
        return ccli_close(x, add_from(x, from));
    cscc_err_clear(&err);
    if (coord_need_add(x->c, &x->actor, &r, &ack, &err))
        return ccli_close(x, ccli_fail(&err));
    ccli_row(x, ack_json(&ack));
    return ccli_close(x, ccli_flush(x, 1));
}

/* ------------------------------------------------------------------------ */
/* need show, need list                                                      */
/* ------------------------------------------------------------------------ */

struct show {
    struct ccli *x;
    json_t *need;
    json_t *history;
    enum coord_view view;
    int64_t wo;
    struct cscc_err *err;
};

static int hist_cb(void *arg, const struct coord_wo_event *e)
{
    struct show *s = arg;

    json_array_append_new(s->history, coord_wo_event_json(e, s->view));
    return 0;
}

static int show_cb(void *arg, const struct coord_need *n)
{
    struct show *s = arg;

    if (coord_need_hidden(&s->x->actor, n)) /* as for a need that does not exist */
        return cscc_err_set(s->err, CSCC_ENOENT, "no request %lld", (long long)n->id);
    s->view = coord_need_view(&s->x->actor, n);
    s->need = coord_need_json(n, s->view);
    s->wo = n->workorder_id;
    return 0;
}

static int need_show(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {CCLI_LONGOPTS, {NULL, 0, NULL, 0}};
    struct cscc_err err;
    struct show s = {x, NULL, NULL, COORD_VIEW_PUBLIC, 0, &err};
    int64_t id;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        return cli_usage_error(x->cmd, "bad option");
    }
    if (optind + 1 != argc || (id = ccli_id(argv[optind])) < 0)
        return cli_usage_error(x->cmd, "need show takes one need id");
    if ((rc = ccli_open(x)))
        return ccli_close(x, rc);
    cscc_err_clear(&err);
    s.history = json_array();
    if (coord_need_get(x->c, id, show_cb, &s, &err) ||
        (s.wo && coord_workorder_history(x->c, s.wo, hist_cb, &s, &err))) {
        json_decref(s.need);
        json_decref(s.history);
        return ccli_close(x, ccli_fail(&err));
    }
    if (x->format == CCLI_TABLE) {
        ccli_row(x, s.need);
        rc = ccli_flush(x, 1);
        if (!rc && json_array_size(s.history)) {
            size_t i;

            printf("\nhistory:\n");
            for (i = 0; i < json_array_size(s.history); i++)
                ccli_row(x, json_incref(json_array_get(s.history, i)));
            rc = ccli_flush(x, 0);
        }
        json_decref(s.history);
    } else {
        json_object_set_new(s.need, "history", s.history);
        ccli_row(x, s.need);
        rc = ccli_flush(x, 1);
    }
    return ccli_close(x, rc);
}

/* The columns a table of needs shows (the other formats give every field). */
static json_t *need_brief(const json_t *n)
{
    static const char *const keys[] = {
        "service_request_id", "service_code",       "detailed_status",   "area",         "block",
        "agency_responsible", "requested_datetime", "expected_datetime", "duplicate_of", NULL};
    json_t *b = json_object();
    size_t i;

    for (i = 0; keys[i]; i++)
        json_object_set(b, keys[i],
                        json_object_get(n, keys[i]) ? json_object_get(n, keys[i]) : json_null());
    json_object_set(b, "priority",
                    json_object_get(json_object_get(n, "priority"), "score")
                        ? json_object_get(json_object_get(n, "priority"), "score")
                        : json_null());
    return b;
}

static int list_cb(void *arg, const struct coord_need *n)
{
    struct ccli *x = arg;
    json_t *j;

    if (coord_need_hidden(&x->actor, n))
        return 0;
    j = coord_need_json(n, coord_need_view(&x->actor, n));

    if (x->format == CCLI_TABLE) {
        ccli_row(x, need_brief(j));
        json_decref(j);
    } else {
        ccli_row(x, j);
    }
    return 0;
}

static int need_list(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"service", required_argument, NULL, 's'},
        {"status", required_argument, NULL, 'S'},
        {"open", no_argument, NULL, 'o'},
        {"closed", no_argument, NULL, 'c'},
        {"area", required_argument, NULL, 'a'},
        {"department", required_argument, NULL, 'd'},
        {"org", required_argument, NULL, 'g'},
        {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},
        {"newest", no_argument, NULL, 'N'},
        {"limit", required_argument, NULL, 'l'},
        {"offset", required_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    struct coord_need_filter f;
    struct cscc_err err;
    unsigned long ul;
    int64_t day;
    int opt, rc;

    memset(&f, 0, sizeof(f));
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 's': f.service = optarg; break;
        case 'S':
            if (coord_state_by_name(optarg) < 0)
                return cli_usage_error(x->cmd, "--status takes a state (new, acknowledged, "
                                               "in_progress, resolved, closed, rejected, "
                                               "duplicate)");
            f.status = coord_state_name((enum coord_state)coord_state_by_name(optarg));
            break;
        case 'o': f.open = 1; break;
        case 'c': f.open = 2; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(x->cmd, "--area takes an area number");
            f.area = (int)ul;
            break;
        case 'd': f.department = optarg; break;
        case 'g':
            if ((f.reporter_org = ccli_id(optarg)) < 0)
                return cli_usage_error(x->cmd, "--org takes an organization id");
            break;
        case 'F':
        case 'T':
            if (ccli_day(optarg, &day))
                return cli_usage_error(x->cmd, "--from and --to take a date YYYY-MM-DD");
            if (opt == 'F') {
                f.has_from = 1;
                coord_parse_time(optarg, &f.from);
            } else {
                char next[16];

                /* The whole day: up to the next local midnight. */
                f.has_to = 1;
                cscc_format_day(day + 1, next);
                coord_parse_time(next, &f.to);
                f.to -= 1;
            }
            break;
        case 'N': f.newest_first = 1; break;
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
        return ccli_close(x, rc);
    cscc_err_clear(&err);
    coord_need_filter_for(&f, &x->actor);
    if ((rc = coord_require(&x->actor, COORD_NEED_LIST, NULL, &err)) ||
        (rc = coord_need_each(x->c, &f, list_cb, x, &err)))
        return ccli_close(x, ccli_fail(&err));
    return ccli_close(x, ccli_flush(x, 0));
}

/* ------------------------------------------------------------------------ */
/* need gazetteer, need locate                                               */
/* ------------------------------------------------------------------------ */

static int simple_opts(struct ccli *x, int argc, char **argv, const struct option *longopts,
                       int *lat_set, double *lat, int *lon_set, double *lon)
{
    int opt, rc;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return -1;
        case 'y':
            if (ccli_double(optarg, lat))
                return cli_usage_error(x->cmd, "--lat takes a number");
            *lat_set = 1;
            break;
        case 'x':
            if (ccli_double(optarg, lon))
                return cli_usage_error(x->cmd, "--long takes a number");
            *lon_set = 1;
            break;
        default: return cli_usage_error(x->cmd, "bad option");
        }
    }
    return 0;
}

static int need_gazetteer(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {CCLI_LONGOPTS, {NULL, 0, NULL, 0}};
    struct coord_gazetteer_info gi;
    struct cscc_err err;
    json_t *j;
    int rc, a = 0, b = 0;
    double u, v;

    if ((rc = simple_opts(x, argc, argv, longopts, &a, &u, &b, &v)))
        return rc < 0 ? CLI_OK : rc;
    if (optind < argc)
        return cli_usage_error(x->cmd, "unexpected argument '%s'", argv[optind]);
    if ((rc = ccli_open(x)))
        return ccli_close(x, rc);
    cscc_err_clear(&err);
    if (!x->crimes) {
        cscc_error("no crimes have been imported into %s yet; run 'cscc import crimes FILE'",
                   x->ctx->data_dir);
        return ccli_close(x, CLI_NOINPUT);
    }
    if ((rc = coord_require(&x->actor, COORD_CATALOG_EDIT, NULL, &err)) ||
        (rc = coord_gazetteer_build(x->c, &gi, &err)))
        return ccli_close(x, ccli_fail(&err));
    j = json_object();
    json_object_set_new(j, "blocks", json_integer((json_int_t)gi.blocks));
    json_object_set_new(j, "incidents", json_integer((json_int_t)gi.incidents));
    json_object_set_new(j, "table_generation", json_integer((json_int_t)gi.generation));
    ccli_row(x, j);
    return ccli_close(x, ccli_flush(x, 1));
}

static int need_locate(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"lat", required_argument, NULL, 'y'},
        {"long", required_argument, NULL, 'x'},
        {"lon", required_argument, NULL, 'x'},
        {NULL, 0, NULL, 0},
    };
    struct coord_place p;
    struct cscc_err err;
    double lat = 0, lon = 0;
    int rc, has_lat = 0, has_lon = 0;
    json_t *j;

    if ((rc = simple_opts(x, argc, argv, longopts, &has_lat, &lat, &has_lon, &lon)))
        return rc < 0 ? CLI_OK : rc;
    if (has_lat != has_lon || (has_lat && optind < argc) || (!has_lat && optind + 1 != argc))
        return cli_usage_error(x->cmd, "need locate takes one ADDRESS, or --lat and --long");
    if ((rc = ccli_open(x)))
        return ccli_close(x, rc);
    cscc_err_clear(&err);
    if (coord_gazetteer_ensure(x->c, NULL, &err) ||
        (has_lat ? coord_locate_point(x->c, lat, lon, &p, &err)
                 : coord_locate_address(x->c, argv[optind], &p, &err)))
        return ccli_close(x, ccli_fail(&err));
    j = json_object();
    json_object_set_new(j, "block", json_string(p.block));
    json_object_set_new(j, "located_by", json_string(p.located_by));
    json_object_set_new(j, "lat", json_real(p.lat));
    json_object_set_new(j, "long", json_real(p.lon));
    json_object_set_new(j, "public_lat", json_real(p.public_lat));
    json_object_set_new(j, "public_long", json_real(p.public_lon));
    json_object_set_new(j, "area", p.area ? json_integer(p.area) : json_null());
    json_object_set_new(j, "area_name", json_string(coord_area_name(x->c, p.area)));
    json_object_set_new(j, "priority_area", json_boolean(coord_is_priority_area(x->c, p.area)));
    ccli_row(x, j);
    return ccli_close(x, ccli_flush(x, 1));
}

int cmd_need(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct {
        const char *name, *cmd;
        int (*fn)(struct ccli *x, int argc, char **argv);
    } subs[] = {
        {"add", "need add ", need_add},          {"show", "need show ", need_show},
        {"list", "need list ", need_list},       {"gazetteer", "need gazetteer ", need_gazetteer},
        {"locate", "need locate ", need_locate},
    };
    struct ccli x;
    size_t i;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        if (!strcmp(argv[1], subs[i].name)) {
            ccli_init(&x, ctx, subs[i].cmd);
            optind = 0;
            return ccli_close(&x, subs[i].fn(&x, argc - 1, argv + 1));
        }
    return cli_usage_error("need ", "unknown subcommand '%s' (add, show, list, gazetteer, locate)",
                           argv[1]);
}
