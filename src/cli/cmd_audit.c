/* cmd_audit.c - `cscc audit`: the audit log, oldest first. */
#include "cli/cli.h"

#include "core/log.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <getopt.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fputs("Usage: cscc audit [--since DATE] [--actor USER] [--limit N] [--json]\n"
          "\n"
          "The audit log: every login (and failed login), refused authorization, admin\n"
          "action, import and read of sensitive records, with its time (UTC), actor,\n"
          "client address, action, object, outcome and detail. The log is append-only.\n"
          "\n"
          "  --since DATE   records from DATE (YYYY-MM-DD, UTC) on\n"
          "  --actor USER   only this actor (a user name, or cli:LOGIN)\n"
          "  --limit N      at most N records\n"
          "  --json         one JSON object a line\n",
          f);
}

struct ctx {
    int json;
    struct strbuf sb;
};

static void json_field(struct strbuf *sb, const char *k, const char *v, int first)
{
    strbuf_addf(sb, "%s\"%s\":", first ? "" : ",", k);
    strbuf_add_json_str(sb, v, strlen(v));
}

static int print_cb(void *arg, const struct store_audit *a)
{
    struct ctx *c = arg;
    char t[32];

    cli_utc(a->at, t, sizeof(t));
    strbuf_reset(&c->sb);
    if (c->json) {
        strbuf_addf(&c->sb, "{\"id\":%lld,", (long long)a->id);
        json_field(&c->sb, "at", t, 1);
        json_field(&c->sb, "actor", a->actor, 0);
        json_field(&c->sb, "address", a->address, 0);
        json_field(&c->sb, "action", a->action, 0);
        json_field(&c->sb, "object", a->object, 0);
        json_field(&c->sb, "outcome", a->outcome, 0);
        json_field(&c->sb, "detail", a->detail, 0);
        strbuf_adds(&c->sb, "}\n");
    } else {
        strbuf_addf(&c->sb, "%s  %-20s %-15s %-18s %-24s %-7s %s\n", t, a->actor, a->address,
                    a->action, a->object, a->outcome, a->detail);
    }
    return fwrite(c->sb.buf, 1, c->sb.len, stdout) == c->sb.len ? 0 : CSCC_EIO;
}

int cmd_audit(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"since", required_argument, NULL, 's'},
        {"actor", required_argument, NULL, 'a'},
        {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    const char *actor = NULL;
    unsigned long limit = 0;
    int64_t since = 0, day;
    struct store *st;
    struct cscc_err err;
    struct ctx c;
    int opt, rc;

    memset(&c, 0, sizeof(c));
    cscc_err_clear(&err);
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return CLI_OK;
        case 's':
            if (cscc_parse_day(optarg, &day))
                return cli_usage_error("audit ", "--since takes a date YYYY-MM-DD, not '%s'",
                                       optarg);
            since = day * CSCC_SECS_PER_DAY;
            break;
        case 'a': actor = optarg; break;
        case 'l':
            if (cli_parse_uint(optarg, 100000000, &limit) || !limit)
                return cli_usage_error("audit ", "--limit takes a positive number");
            break;
        case 'j': c.json = 1; break;
        default: return cli_usage_error("audit ", "bad option");
        }
    }
    if (optind < argc)
        return cli_usage_error("audit ", "unexpected argument '%s'", argv[optind]);
    if (!(st = cli_open_store(ctx, &err)))
        return cli_fail(&err);
    strbuf_init(&c.sb, 0);
    rc = store_each_audit(st, since, actor, limit, print_cb, &c, &err);
    strbuf_release(&c.sb);
    store_close(st);
    if (rc == CSCC_EIO && !err.code) {
        cscc_error("cannot write the audit log to standard output");
        return CLI_IOERR;
    }
    return rc ? cli_fail(&err) : CLI_OK;
}
