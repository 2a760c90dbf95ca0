/* cmd_serve.c - `cscc serve`: the HTTP server over the data directory. */
#include "cli/cli.h"

#include "access/access.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/log.h"
#include "http/http.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    struct http_limits l;

    http_limits_default(&l);
    fprintf(f,
            "Usage: cscc serve [--listen HOST:PORT] [--data DIR] [--web DIR] [LIMITS]\n"
            "\n"
            "Serves the data directory over HTTP: the dashboard at / (pages from web/,\n"
            "map and chart libraries from Debian's libjs-leaflet and libjs-chart.js),\n"
            "the JSON API under /api/v1/ (areas,\n"
            "counts, analyses, import provenance), /healthz, /metrics (Prometheus) and\n"
            "/resource/ID.json|csv|geojson (Socrata). Prints the URL on standard output\n"
            "once it listens. A finished import is served without a restart. SIGTERM or\n"
            "SIGINT stops it gracefully: no new connections, requests in flight finish.\n"
            "\n"
            "Options:\n"
            "  --listen ADDR        HOST:PORT, [IPV6]:PORT or :PORT (all interfaces);\n"
            "                       port 0 picks a free port (default 127.0.0.1:8080)\n"
            "  --threads N          worker threads (default: one per core)\n"
            "  --web DIR            the dashboard's files (default: web/ beside the binary,\n"
            "                       ../share/cscc/web, or the source tree's web/)\n"
            "  --js-dir DIR         the front-end libraries' folder, holding leaflet/ and\n"
            "                       chart.js/ (default /usr/share/javascript)\n"
            "  --tile-url URL       map tiles for the dashboard, {z}/{x}/{y} in the URL\n"
            "                       (default: none, area boundaries on a plain background)\n"
            "  --tile-attribution T the tiles' credit line, shown on the map\n"
            "  --tls-cert FILE      serve HTTPS with this PEM certificate (chain)\n"
            "  --tls-key FILE       and this PEM private key (both or neither)\n"
            "  --open311-keys FILE  Open311 api_key values accepted for POST requests, one a\n"
            "                       line (API tokens of users are accepted too)\n"
            "Accounts (sessions, API tokens, users, audit; see the README):\n"
            "  --secure-cookies     the server is reached over TLS (a proxy in front): session\n"
            "                       cookies are Secure and named __Host-cscc_session\n"
            "  --trusted-proxy ADDR the address of a reverse proxy whose X-Forwarded-For (the\n"
            "                       client's address) and X-Forwarded-Proto: https are believed\n"
            "  --session-idle S     seconds without use that end a session [1800]\n"
            "  --session-max S      seconds after login that end a session [43200]\n"
            "Limits (defaults in brackets):\n"
            "  --max-body BYTES       largest request body [%zu]\n"
            "  --max-url BYTES        longest request target [%zu]\n"
            "  --max-header BYTES     memory for one request's header [%zu]\n"
            "  --header-timeout S     seconds to send a request header [%u]\n"
            "  --body-timeout S       seconds to send a request body [%u]\n"
            "  --idle-timeout S       seconds a connection may stay silent [%u]\n"
            "  --max-conns N          open connections in all [%u]\n"
            "  --max-conns-per-ip N   open connections from one address [%u]\n"
            "  --cache-mb N           response cache, MiB (0 = none) [%zu]\n"
            "  --shutdown-grace S     seconds requests may take to finish on stop [%u]\n"
            "  --escalate-interval S  seconds between escalation and outbox delivery runs\n"
            "                         (0 = none) [%u]\n"
            "  --intake-per-hour N    anonymous need submissions per address per hour [%u]\n"
            "  --audit-window S       seconds over which an address's refusals of one route\n"
            "                         when not signed in are audited as one record and a\n"
            "                         count (0 = a record each) [%u]\n"
            "  --max-upload MB        largest export uploaded to POST /api/v1/imports, MiB [%zu]\n",
            l.max_body, l.max_url, l.max_header, l.header_timeout, l.body_timeout, l.idle_timeout,
            l.max_conns, l.max_conns_per_ip, l.cache_bytes >> 20, l.shutdown_grace,
            l.coord_interval, l.intake_per_hour, l.audit_window, l.max_upload >> 20);
}

static void ready(void *arg, const char *url)
{
    (void)arg;
    printf("cscc: listening on %s\n", url);
    fflush(stdout);
}

/* Imports killed (kill -9) while the server was down show as interrupted
 * (or ok) in GET /api/v1/imports, not as running until the next import. */
static void settle_imports(const struct cli_ctx *ctx)
{
    struct cscc_err err;
    struct store *st;

    cscc_err_clear(&err);
    if (!(st = cli_open_store(ctx, &err)) || ingest_recover_running(ctx->data_dir, st, &err))
        cscc_info("could not settle interrupted imports: %s", err.msg);
    store_close(st);
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 1},
        {"max-body", required_argument, NULL, 2},
        {"max-url", required_argument, NULL, 3},
        {"max-header", required_argument, NULL, 4},
        {"header-timeout", required_argument, NULL, 5},
        {"body-timeout", required_argument, NULL, 6},
        {"idle-timeout", required_argument, NULL, 7},
        {"max-conns", required_argument, NULL, 8},
        {"max-conns-per-ip", required_argument, NULL, 9},
        {"cache-mb", required_argument, NULL, 10},
        {"shutdown-grace", required_argument, NULL, 11},
        {"web", required_argument, NULL, 20},
        {"js-dir", required_argument, NULL, 21},
        {"tile-url", required_argument, NULL, 22},
        {"tile-attribution", required_argument, NULL, 23},
        {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'},
        {"open311-keys", required_argument, NULL, 'O'},
        {"escalate-interval", required_argument, NULL, 30},
        {"intake-per-hour", required_argument, NULL, 31},
        {"audit-window", required_argument, NULL, 32},
        {"max-upload", required_argument, NULL, 33},
        {"session-idle", required_argument, NULL, 12},
        {"session-max", required_argument, NULL, 13},
        {"secure-cookies", no_argument, NULL, 24},
        {"trusted-proxy", required_argument, NULL, 25},
        {NULL, 0, NULL, 0},
    };
    /* Each limit: its option code, its range, where it goes. */
    struct lim {
        int opt;
        unsigned long min, max;
        const char *name;
    };
    static const struct lim lims[] = {
        {1, 1, 16, "--threads"},
        {2, 1024, 64ul << 20, "--max-body"},
        {3, 256, 64 * 1024, "--max-url"},
        {4, 4096, 1 << 20, "--max-header"},
        {5, 1, 3600, "--header-timeout"},
        {6, 1, 3600, "--body-timeout"},
        {7, 1, 3600, "--idle-timeout"},
        {8, 1, 100000, "--max-conns"},
        {9, 1, 100000, "--max-conns-per-ip"},
        {10, 0, 65536, "--cache-mb"},
        {11, 0, 3600, "--shutdown-grace"},
        {30, 0, 86400, "--escalate-interval"},
        {31, 1, 1000000, "--intake-per-hour"},
        {32, 0, 3600, "--audit-window"},
        {33, 1, 65536, "--max-upload"},
        {12, 60, 7 * 86400, "--session-idle"},
        {13, 60, 30 * 86400, "--session-max"},
    };
    /* web/ beside the binary (installed together), a build tree's source, an installed share/ */
    static const char *const beside[] = {"web", "../web", "../share/cscc/web", NULL};
    struct http_options o;
    struct http_access_options ao;
    struct access_blocklist *bl = NULL;
    struct cscc_err err;
    char web[4096];
    const char *web_opt = NULL;
    const char *cert = NULL, *key = NULL, *keys = NULL;
    char *cert_pem = NULL, *key_pem = NULL, *keys_text = NULL;
    unsigned long v;
    int opt, rc = CLI_OK;
    size_t i, len = 0;

    memset(&o, 0, sizeof(o));
    memset(&ao, 0, sizeof(ao));
    cscc_err_clear(&err);
    o.listen = "127.0.0.1:8080";
    http_limits_default(&o.limits);
    o.ready = ready;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
        if (cli_common_option(ctx, opt, optarg))
            continue;
        if (opt == 'h') {
            usage(stdout);
            return CLI_OK;
        }
        if (opt == 'l' || opt == 'C' || opt == 'K' || opt == 'O') {
            *(opt == 'l' ? &o.listen : opt == 'C' ? &cert : opt == 'K' ? &key : &keys) = optarg;
            continue;
        }
        if (opt == 24) {
            ao.secure_cookies = 1;
            continue;
        }
        if (opt == 25) {
            unsigned char a[16];

            if (inet_pton(AF_INET, optarg, a) != 1 && inet_pton(AF_INET6, optarg, a) != 1)
                return cli_usage_error("serve ",
                                       "--trusted-proxy takes a numeric address, not "
                                       "'%s'",
                                       optarg);
            ao.trusted_proxy = optarg;
            continue;
        }
        if (opt >= 20 && opt <= 23) {
            if (opt == 20)
                web_opt = optarg;
            else if (opt == 21)
                o.js_dir = optarg;
            else if (opt == 22)
                o.tile_url = optarg;
            else
                o.tile_attribution = optarg;
            continue;
        }
        for (i = 0; i < sizeof(lims) / sizeof(lims[0]); i++)
            if (lims[i].opt == opt)
                break;
        if (i == sizeof(lims) / sizeof(lims[0]))
            return cli_usage_error("serve ", "bad option");
        if (cli_parse_uint(optarg, lims[i].max, &v) || v < lims[i].min)
            return cli_usage_error("serve ", "%s takes a number from %lu to %lu, not '%s'",
                                   lims[i].name, lims[i].min, lims[i].max, optarg);
        switch (opt) {
        case 1: o.limits.threads = (unsigned)v; break;
        case 2: o.limits.max_body = v; break;
        case 3: o.limits.max_url = v; break;
        case 4: o.limits.max_header = v; break;
        case 5: o.limits.header_timeout = (unsigned)v; break;
        case 6: o.limits.body_timeout = (unsigned)v; break;
        case 7: o.limits.idle_timeout = (unsigned)v; break;
        case 8: o.limits.max_conns = (unsigned)v; break;
        case 9: o.limits.max_conns_per_ip = (unsigned)v; break;
        case 10: o.limits.cache_bytes = (size_t)v << 20; break;
        case 11: o.limits.shutdown_grace = (unsigned)v; break;
        case 30: o.limits.coord_interval = (unsigned)v; break;
        case 31: o.limits.intake_per_hour = (unsigned)v; break;
        case 32: o.limits.audit_window = (unsigned)v; break;
        case 33: o.limits.max_upload = (size_t)v << 20; break;
        case 12: ao.session_idle = (int64_t)v; break;
        case 13: ao.session_absolute = (int64_t)v; break;
        }
    }
    if (optind < argc)
        return cli_usage_error("serve ", "unexpected argument '%s'", argv[optind]);
    if (o.limits.max_url + 1024 > o.limits.max_header)
        return cli_usage_error("serve ", "--max-header must be at least --max-url + 1024");
    if (o.tile_url && strncmp(o.tile_url, "https://", 8) && strncmp(o.tile_url, "http://", 7))
        return cli_usage_error("serve ", "--tile-url takes an http:// or https:// URL, not '%s'",
                               o.tile_url);
    /* The dashboard: --web DIR must hold it; without the option, the first
     * place that does (and no dashboard, with a warning, when none does). */
    if (web_opt) {
        snprintf(web, sizeof(web), "%s/index.html", web_opt);
        if (access(web, R_OK))
            return cli_usage_error("serve ",
                                   "--web %s: no index.html there (the dashboard's files "
                                   "are the repository's web/ folder)",
                                   web_opt);
        snprintf(web, sizeof(web), "%s", web_opt);
        o.web_dir = web;
    } else if (!cli_asset_dir("CSCC_WEB", beside, "web", "web", "index.html", web, sizeof(web))) {
        o.web_dir = web;
    } else {
        cscc_warn("no dashboard files found (web/ beside the binary or in %s); serving the API "
                  "only; pass --web DIR",
                  "../share/cscc");
    }
    if (!o.js_dir)
        o.js_dir = "/usr/share/javascript";
    if (o.web_dir)
        cscc_info("dashboard from %s, libraries from %s", o.web_dir, o.js_dir);
    if (!cert != !key)
        return cli_usage_error("serve ", "--tls-cert and --tls-key go together");
    if (cert && (cscc_read_file(cert, 1 << 20, &cert_pem, &len, &err) ||
                 cscc_read_file(key, 1 << 20, &key_pem, &len, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (keys && cscc_read_file(keys, 1 << 20, &keys_text, &len, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    o.open311_keys = keys_text;
    o.tls_cert_pem = cert_pem;
    o.tls_key_pem = key_pem;
    o.data_dir = ctx->data_dir;
    if (cert)
        ao.secure_cookies = 1;
    /* Accounts: the blocklist of common passwords checks passwords set by
     * admins over HTTP, as `cscc user add` does. */
    if (!(bl = cli_load_blocklist(&rc)))
        goto out;
    ao.blocklist = bl;
    if (!(o.access = http_access_new(o.data_dir, &ao, &err))) {
        /* no database: http_serve says what to do, with its exit status */
        if (err.code != CSCC_ENOENT) {
            rc = cli_fail(&err);
            goto out;
        }
        cscc_err_clear(&err);
    } else {
        settle_imports(ctx);
    }
    if (http_serve(&o, &err))
        rc = cli_fail(&err);
out:
    cscc_free(keys_text);
    http_access_free(o.access);
    access_blocklist_free(bl);
    cscc_free(key_pem);
    cscc_free(cert_pem);
    return rc;
}
