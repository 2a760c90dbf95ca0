/* cmd_user.c - `cscc user ...`: accounts, roles, passwords and API tokens,
 * through src/access (every change is audited as "cli:LOGIN"). */
#include "cli/cli.h"

#include "access/access.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/time.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("Usage: cscc user add NAME --role ROLE [--org ID] [--department NAME]\n"
          "                [--password-stdin | --no-password]\n"
          "       cscc user list [--json]\n"
          "       cscc user disable NAME | enable NAME\n"
          "       cscc user set-role NAME ROLE [--org ID] [--department NAME]\n"
          "       cscc user passwd NAME [--password-stdin]\n"
          "       cscc user token-add NAME LABEL [--expires DATE]\n"
          "       cscc user tokens [NAME]\n"
          "       cscc user revoke ID\n"
          "\n"
          "Accounts of the server. Roles: partner (of a community organization: --org ID),\n"
          "department (of one City department: --department NAME), analyst, coordinator,\n"
          "admin. A password has at least 15 characters and is not a common one; it is\n"
          "asked for on the terminal (twice), or read from the first line of standard\n"
          "input with --password-stdin. An account made with --no-password can hold API\n"
          "tokens only. Disabling an account ends its sessions and revokes its tokens.\n"
          "token-add prints a new API token once (only its hash is kept). Every change\n"
          "is written to the audit log ('cscc audit').\n",
          f);
}

/* Reads a password: from the terminal without echo (twice), or the first
 * line of standard input. buf holds cap bytes; *len gets the length. */
static int read_password(int from_stdin, char *buf, size_t cap, size_t *len)
{
    char again[1100];
    struct termios old, quiet;
    int tty = !from_stdin && isatty(0);
    size_t n;

    *len = 0;
    if (!tty) {
        if (!fgets(buf, (int)cap, stdin))
            return cli_usage_error("user ", "no password on standard input");
        buf[strcspn(buf, "\r\n")] = '\0';
        *len = strlen(buf);
        return 0;
    }
    if (tcgetattr(0, &old) < 0)
        return cli_usage_error("user ", "cannot read the terminal: %s", strerror(errno));
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs("Password (at least 15 characters): ", stderr);
    tcsetattr(0, TCSAFLUSH, &quiet);
    n = fgets(buf, (int)cap, stdin) ? strcspn(buf, "\r\n") : 0;
    buf[n] = '\0';
    fputs("\nAgain: ", stderr);
    if (!fgets(again, sizeof(again), stdin))
        again[0] = '\0';
    again[strcspn(again, "\r\n")] = '\0';
    tcsetattr(0, TCSAFLUSH, &old);
    fputs("\n", stderr);
    if (strcmp(buf, again) != 0) {
        memset(again, 0, sizeof(again));
        return cli_usage_error("user ", "the two passwords differ");
    }
    memset(again, 0, sizeof(again));
    *len = n;
    return 0;
}

static int list_cb(void *arg, const struct access_user *u)
{
    int json = *(int *)arg;
    char c[32], scope[128] = "";

    if (u->role == ACCESS_PARTNER)
        snprintf(scope, sizeof(scope), "org %lld", (long long)u->org_id);
    else if (u->role == ACCESS_DEPARTMENT)
        snprintf(scope, sizeof(scope), "%s", u->department);
    cli_utc(u->created_at, c, sizeof(c));
    if (json) {
        struct strbuf sb;

        strbuf_init(&sb, 0);
        strbuf_adds(&sb, "{\"name\":");
        strbuf_add_json_str(&sb, u->name, strlen(u->name));
        strbuf_addf(&sb, ",\"id\":%lld,\"role\":\"%s\",\"org_id\":%lld,\"department\":",
                    (long long)u->id, access_role_name(u->role), (long long)u->org_id);
        strbuf_add_json_str(&sb, u->department, strlen(u->department));
        strbuf_addf(&sb, ",\"disabled\":%s,\"password\":%s,\"created\":\"%s\"}\n",
                    u->disabled ? "true" : "false", u->has_password ? "true" : "false", c);
        fputs(sb.buf, stdout);
        strbuf_release(&sb);
    } else {
        printf("%-24s %-12s %-24s %-9s %-8s %s\n", u->name, access_role_name(u->role), scope,
               u->disabled ? "disabled" : "active", u->has_password ? "password" : "tokens", c);
    }
    return 0;
}

static int tokens_cb(void *arg, const struct access_cred_info *c)
{
    char a[32], b[32], e[32], r[32];

    (void)arg;
    cli_utc(c->created_at, a, sizeof(a));
    cli_utc(c->last_used_at, b, sizeof(b));
    cli_utc(c->expires_at, e, sizeof(e));
    cli_utc(c->revoked_at, r, sizeof(r));
    printf("%-6lld %-7s %-20s %-20s %-15s created %s  used %s  expires %s  revoked %s\n",
           (long long)c->id, c->kind == ACCESS_SESSION ? "session" : "token", c->user,
           c->label[0] ? c->label : "-", c->prefix[0] ? c->prefix : "-", a, b, e, r);
    return 0;
}

static int parse_role_opts(struct cli_ctx *ctx, int argc, char **argv, int *org_out,
                           const char **dept, int *pw_stdin, int *no_pw, const char **expires,
                           int *json, const char **role)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"role", required_argument, NULL, 'r'},
        {"org", required_argument, NULL, 'g'},
        {"department", required_argument, NULL, 'd'},
        {"password-stdin", no_argument, NULL, 's'},
        {"no-password", no_argument, NULL, 'n'},
        {"expires", required_argument, NULL, 'e'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    unsigned long ul;
    int opt;

    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        switch (opt) {
        case 'h': usage(stdout); return -1;
        case 'r': *role = optarg; break;
        case 'g':
            if (cli_parse_uint(optarg, INT_MAX, &ul) || !ul)
                return cli_usage_error("user ", "--org takes an organization id, not '%s'", optarg);
            *org_out = (int)ul;
            break;
        case 'd': *dept = optarg; break;
        case 's': *pw_stdin = 1; break;
        case 'n': *no_pw = 1; break;
        case 'e': *expires = optarg; break;
        case 'j': *json = 1; break;
        default: return cli_usage_error("user ", "bad option");
        }
    }
    return 0;
}

int cmd_user(struct cli_ctx *ctx, int argc, char **argv)
{
    const char *sub, *role_name = NULL, *dept = NULL, *expires = NULL;
    struct access_blocklist *bl = NULL;
    struct access *a = NULL;
    struct store *st = NULL;
    struct access_actor who;
    struct cscc_err err;
    enum access_role role = ACCESS_PUBLIC;
    char pw[1100], token[ACCESS_TOKEN_SIZE];
    int org = 0, pw_stdin = 0, no_pw = 0, json = 0, rc;
    size_t pwlen = 0;
    int64_t id = 0, exp_at = 0;
    char **pos;
    int npos;

    cscc_err_clear(&err);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    sub = argv[1];
    argc--;
    argv++;
    rc = parse_role_opts(ctx, argc, argv, &org, &dept, &pw_stdin, &no_pw, &expires, &json,
                         &role_name);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    pos = argv + optind;
    npos = argc - optind;
    if (role_name && access_role_parse(role_name, &role))
        return cli_usage_error("user ",
                               "unknown role '%s' (partner, department, analyst, "
                               "coordinator, admin)",
                               role_name);
#define NEED_ARGS(n, what)                                                                         \
    if (npos != (n))                                                                               \
        return cli_usage_error("user ", "'user %s' takes %s", sub, what);
    if (!strcmp(sub, "add")) {
        NEED_ARGS(1, "a NAME (and --role)");
        if (!role_name)
            return cli_usage_error("user ", "give the account's --role");
    } else if (!strcmp(sub, "set-role")) {
        NEED_ARGS(2, "NAME ROLE");
        if (access_role_parse(pos[1], &role))
            return cli_usage_error("user ",
                                   "unknown role '%s' (partner, department, analyst, "
                                   "coordinator, admin)",
                                   pos[1]);
    } else if (!strcmp(sub, "disable") || !strcmp(sub, "enable") || !strcmp(sub, "passwd")) {
        NEED_ARGS(1, "a NAME");
        if (no_pw && !strcmp(sub, "passwd"))
            return cli_usage_error("user ", "--no-password goes with 'user add'");
    } else if (!strcmp(sub, "token-add")) {
        NEED_ARGS(2, "NAME LABEL");
        if (expires) {
            int64_t day;

            if (cscc_parse_day(expires, &day))
                return cli_usage_error("user ", "--expires takes a date YYYY-MM-DD");
            exp_at = day * CSCC_SECS_PER_DAY;
        }
    } else if (!strcmp(sub, "tokens")) {
        if (npos > 1)
            return cli_usage_error("user ", "'user tokens' takes at most a NAME");
    } else if (!strcmp(sub, "revoke")) {
        unsigned long ul;

        NEED_ARGS(1, "a session or token ID");
        if (cli_parse_uint(pos[0], (unsigned long)INT64_MAX, &ul) || !ul)
            return cli_usage_error("user ", "'user revoke' takes a number");
        id = (int64_t)ul;
    } else if (strcmp(sub, "list") != 0) {
        return cli_usage_error("user ", "unknown 'user' command '%s'", sub);
    }
#undef NEED_ARGS
    if (access_init(&err))
        return cli_fail(&err);
    if (!strcmp(sub, "add") || !strcmp(sub, "passwd")) {
        if (!(bl = cli_load_blocklist(&rc)))
            return rc;
        if (!no_pw && (rc = read_password(pw_stdin, pw, sizeof(pw), &pwlen))) {
            access_blocklist_free(bl);
            return rc;
        }
    }
    if (!(st = cli_open_store(ctx, &err))) {
        access_blocklist_free(bl);
        return cli_fail(&err);
    }
    a = access_new(st, NULL, bl);
    access_actor_cli(&who);
    if (!strcmp(sub, "add")) {
        rc = access_user_add(a, pos[0], role, org, dept, no_pw ? NULL : pw, pwlen, &who,
                             access_now(), &id, &err);
        if (!rc)
            cscc_info("user '%s' added (id %lld, role %s)", pos[0], (long long)id,
                      access_role_name(role));
    } else if (!strcmp(sub, "list")) {
        rc = access_each_user(a, list_cb, &json, &err);
    } else if (!strcmp(sub, "disable") || !strcmp(sub, "enable")) {
        rc = access_user_set_disabled(a, pos[0], !strcmp(sub, "disable"), &who, access_now(), &err);
        if (!rc)
            cscc_info("user '%s' %sd", pos[0], sub);
    } else if (!strcmp(sub, "set-role")) {
        rc = access_user_set_role(a, pos[0], role, org, dept, &who, access_now(), &err);
        if (!rc)
            cscc_info("user '%s' is now %s", pos[0], access_role_name(role));
    } else if (!strcmp(sub, "passwd")) {
        rc = access_user_set_password(a, pos[0], pw, pwlen, &who, access_now(), &err);
        if (!rc)
            cscc_info("password of '%s' changed; its sessions were ended", pos[0]);
    } else if (!strcmp(sub, "token-add")) {
        rc = access_token_create(a, pos[0], pos[1], exp_at, &who, access_now(), token, &id, &err);
        if (!rc) {
            printf("%s\n", token);
            cscc_info("API token %lld for '%s' made; it is shown only this once", (long long)id,
                      pos[0]);
        }
        memset(token, 0, sizeof(token));
    } else if (!strcmp(sub, "tokens")) {
        rc = access_each_cred(a, npos ? pos[0] : NULL, 0, tokens_cb, NULL, &err);
    } else {
        rc = access_revoke(a, id, &who, access_now(), &err);
        if (!rc)
            cscc_info("session or token %lld revoked", (long long)id);
    }
    memset(pw, 0, sizeof(pw));
    access_free(a);
    access_blocklist_free(bl);
    store_close(st);
    return rc ? cli_fail(&err) : CLI_OK;
}
