/* cmd_brief.c - `cscc brief`: the weekly coordination brief (brief/brief.h). */
#include "brief/brief.h"
#include "cli/coord_cli.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "brief ";

static void usage(FILE *f)
{
    fputs("Usage: cscc brief --week YYYY-Www [--area N] [--format md|json|html] [--output FILE]\n"
          "\n"
          "The weekly coordination brief, for each priority area (or area N) and citywide:\n"
          "violence (homicide, shootings when the store defines that category, violent) in\n"
          "the ISO week against the mean of the four weeks before and the same ISO week a\n"
          "year earlier; Gi* hot cells of violent incidents in the last four weeks; new\n"
          "needs and overdue work orders by department; engagement events and sector\n"
          "coverage. Weeks are ISO 8601 in the store's time zone. The brief says which\n"
          "data each number comes from and the crimes data's last day.\n"
          "\n"
          "Options:\n"
          "  --week YYYY-Www   the ISO week (required), e.g. 2018-W10\n"
          "  --area N          only community area N (default: every priority area)\n"
          "  --format F        md (default), json (hot spots as GeoJSON) or html (printable)\n"
          "  --output FILE     write to FILE instead of standard output\n"
          "  --as ROLE         act as coordinator, analyst or admin (default admin); others\n"
          "                    may not see work orders and are refused\n"
          "  --now TIME        a fixed clock, ISO 8601 (overdue is judged at the week's end or\n"
          "                    now, whichever is earlier)\n",
          f);
}

static int run(struct ccli *x, int argc, char **argv)
{
    static const struct option longopts[] = {
        CCLI_LONGOPTS,
        {"week", required_argument, NULL, 'w'},
        {"area", required_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    struct brief_opts o;
    struct cscc_err err;
    struct strbuf sb;
    const char *week = NULL, *format = "md", *out = NULL;
    unsigned long ul;
    int64_t monday;
    json_t *b;
    int opt, rc;
    FILE *f;

    memset(&o, 0, sizeof(o));
    cscc_err_clear(&err);
    optind = 1;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (opt == 0x103) { /* --format: this command's own formats */
            if (strcmp(optarg, "md") && strcmp(optarg, "json") && strcmp(optarg, "html"))
                return cli_usage_error(CMD, "--format is md, json or html, not '%s'", optarg);
            format = optarg;
            continue;
        }
        if (ccli_option(x, opt, optarg, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 'w': week = optarg; break;
        case 'a':
            if (cli_parse_uint(optarg, 255, &ul) || !ul)
                return cli_usage_error(CMD, "--area takes a community area number (1-255)");
            o.area = (int)ul;
            break;
        case 'o': out = optarg; break;
        default: return cli_usage_error(CMD, "unknown option; see 'cscc brief --help'");
        }
    }
    if (optind < argc)
        return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (!week)
        return cli_usage_error(CMD, "--week YYYY-Www is required");
    if (brief_parse_week(week, &o.iso_year, &o.week, &monday, &err))
        return cli_usage_error(CMD, "%s", err.msg);
    if ((rc = ccli_open(x)))
        return rc;
    o.now = x->now;
    if (!(b = brief_build(x->st, x->crimes, x->c, &x->actor, &o, &err)))
        return ccli_fail(&err);
    strbuf_init(&sb, (size_t)1 << 28);
    if (!strcmp(format, "json")) {
        brief_write_json(b, &sb);
    } else if (!strcmp(format, "html")) {
        brief_write_html(b, &sb);
    } else {
        brief_write_md(b, &sb);
    }
    json_decref(b);
    f = out ? fopen(out, "w") : stdout;
    rc = CLI_OK;
    if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len || (out ? fclose(f) : fflush(f))) {
        cscc_error("cannot write the brief to %s", out ? out : "standard output");
        rc = CLI_IOERR;
    }
    strbuf_release(&sb);
    return rc;
}

int cmd_brief(struct cli_ctx *ctx, int argc, char **argv)
{
    struct ccli x;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return CLI_OK;
    }
    ccli_init(&x, ctx, CMD);
    return ccli_close(&x, run(&x, argc, argv));
}
