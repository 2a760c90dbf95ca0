/**
 * http.h - `cscc serve`: the HTTP server and its public data API.
 *
 * The server answers the dashboard (/ and /{page}: static pages, scripts
 * and styles from web/, and the front-end libraries from Debian's packages
 * under /static/lib/), the JSON API under /api/v1/ (areas, counts, analyses,
 * import provenance), /healthz, /metrics (Prometheus text format) and the
 * Socrata-compatible /resource/{id}.json|.csv|.geojson (answered by the
 * SoQL module, soql.h). It runs on
 * libmicrohttpd with a small pool of threads (one per core) and epoll, keeps
 * connections alive, and reads the data directory the CLI writes: a finished
 * import becomes visible to new requests at once, while requests already
 * running keep the table they started with.
 *
 * Access: every route names the least role it needs. Who a caller is comes
 * from one seam, the authenticate callback of struct http_options; without
 * one every caller is the anonymous public.
 *
 * Thread safety: http_serve() runs the server in the calling thread until
 * SIGTERM or SIGINT; everything else here is called before it.
 */
#ifndef CSCC_HTTP_HTTP_H
#define CSCC_HTTP_HTTP_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

/**
 * Roles, least to most trusted. A route open to role R is open to every role
 * after R. The access module (users, sessions, API tokens) decides a
 * caller's role; here it is only compared.
 */
enum http_role {
    HTTP_ROLE_PUBLIC = 0, /* anonymous */
    HTTP_ROLE_PARTNER,    /* a community organization */
    HTTP_ROLE_DEPARTMENT, /* one City department */
    HTTP_ROLE_COORDINATOR,
    HTTP_ROLE_ANALYST,
    HTTP_ROLE_ADMIN,
    HTTP_NROLES
};

/** "public", "partner", ...; "?" for a value out of range. */
const char *http_role_name(enum http_role role);

/** The limits of the server: each is explicit, documented and tested. */
struct http_limits {
    size_t max_body;           /* largest request body, bytes (413 past it) */
    size_t max_url;            /* longest request target (path and query), bytes (414) */
    size_t max_header;         /* memory for a request's header, bytes (431 past it) */
    size_t max_params;         /* query or body parameters per request (400) */
    int max_json_depth;        /* nesting of a JSON body (400) */
    unsigned header_timeout;   /* seconds to send a whole request header */
    unsigned body_timeout;     /* seconds to send a whole request body */
    unsigned idle_timeout;     /* seconds a connection may stay silent */
    unsigned max_conns;        /* open connections in all */
    unsigned max_conns_per_ip; /* open connections from one address */
    size_t cache_bytes;        /* response cache size */
    unsigned threads;          /* worker threads (0 = one per core, at most 16) */
    unsigned shutdown_grace;   /* seconds to let requests finish on SIGTERM */
    unsigned coord_interval;   /* seconds between runs of escalation and outbox delivery
                                  (0: never) */
    unsigned intake_per_hour;  /* anonymous need submissions per address per hour */
    unsigned audit_window;     /* seconds over which an address's anonymous refusals of one
                                  route make one audit record and a count (0: one each) */
    size_t max_upload;         /* largest export uploaded to POST /api/v1/imports, bytes (413) */
};

/** Fills l with the defaults (the README lists them). */
void http_limits_default(struct http_limits *l);

/** How a caller proved who they are. */
enum http_cred {
    HTTP_CRED_NONE = 0, /* the public */
    HTTP_CRED_COOKIE,   /* a session cookie (a browser): CSRF applies */
    HTTP_CRED_BEARER    /* Authorization: Bearer, an API token or a session token */
};

/** Who is calling, as the authenticate callback decides. */
struct http_identity {
    enum http_role role;
    char user[64];       /* a user or token name for logs and audit; "" for the public */
    int64_t user_id;     /* the access module's user id; 0 for the public */
    int64_t org_id;      /* partner: the organization the user belongs to; else 0 */
    char department[96]; /* department: its code ("DSS"); else "" */
    int64_t cred_id;     /* the session's or API token's id; 0 for the public */
    enum http_cred cred;
    int csrf_ok;        /* cookie: the request's X-CSRF-Token is the session's */
    int secure;         /* the client reached us over TLS (--secure-cookies, a trusted proxy) */
    char address[64];   /* the client's address (a trusted proxy's X-Forwarded-For) */
    char session[64];   /* the presented session token (cookie or bearer); "" otherwise */
    int64_t expires_at; /* when the credential ends (sessions: idle or absolute) */
};

/** What the authenticate callback is given about a request. */
struct http_auth_request {
    const char *method;          /* "GET", "POST", ... */
    const char *path;            /* decoded path */
    const char *authorization;   /* the Authorization header, or NULL */
    const char *cookie;          /* the Cookie header, or NULL */
    const char *csrf;            /* the X-CSRF-Token header, or NULL */
    const char *forwarded_for;   /* X-Forwarded-For, or NULL */
    const char *forwarded_proto; /* X-Forwarded-Proto, or NULL */
    const char *address;         /* the peer's address, "127.0.0.1" */
};

/**
 * Decides the caller of a request: fills id and returns 0; or returns
 * CSCC_EPERM when credentials were given but are not valid (the request is
 * answered 401). Called from worker threads, concurrently: must be
 * thread-safe. Without credentials it should answer the public role.
 */
typedef int (*http_auth_fn)(void *arg, const struct http_auth_request *rq,
                            struct http_identity *id);

/* ------------------------------------------------------------------------ */
/* Accounts over HTTP (auth.c): src/access behind the authenticate seam      */
/* ------------------------------------------------------------------------ */

struct access_blocklist;
struct http_access;

/** How the server treats cookies and proxies. */
struct http_access_options {
    int secure_cookies;        /* the server is reached over TLS: Secure, __Host- cookies */
    const char *trusted_proxy; /* the address of a reverse proxy whose X-Forwarded-For and
                                  X-Forwarded-Proto are believed; NULL: none */
    const struct access_blocklist *blocklist; /* common passwords (borrowed); NULL: none */
    int64_t session_idle, session_absolute;   /* seconds; 0: the access module's defaults */
};

/**
 * The accounts of the data directory's database for the server: sessions,
 * API tokens, users and the audit log, with a pool of connections. NULL
 * with err filled when the database cannot be opened. Give it to
 * http_serve in http_options.access: it then authenticates every request
 * (http_access_authenticate) and serves /api/v1/session, /tokens, /users
 * and /audit.
 */
struct http_access *http_access_new(const char *data_dir, const struct http_access_options *o,
                                    struct cscc_err *err);
void http_access_free(struct http_access *a);

/**
 * The authenticate callback over src/access (arg: a struct http_access):
 * a session cookie ("cscc_session", or "__Host-cscc_session" with secure
 * cookies) or "Authorization: Bearer TOKEN" (an API token or a session
 * token). An unknown, ended or expired cookie is the public (browsers keep
 * stale cookies); a bad bearer token is CSCC_EPERM.
 */
int http_access_authenticate(void *arg, const struct http_auth_request *rq,
                             struct http_identity *id);

/** Options of http_serve(). */
struct http_options {
    const char *listen;   /* "127.0.0.1:8080", "[::1]:8080", ":8080"; port 0 = any free port */
    const char *data_dir; /* the data directory (cscc.db, tables/) */
    struct http_limits limits;
    /* TLS: PEM certificate chain and private key (NULL: plain HTTP) */
    const char *tls_cert_pem, *tls_key_pem;
    /* Open311 api_key values accepted for POST requests, one a line (NULL: none; API
       tokens are accepted through accounts too) */
    const char *open311_keys;
    http_auth_fn authenticate; /* NULL: every caller is the public (or access's, below) */
    void *auth_arg;
    struct http_access *access; /* accounts (borrowed); NULL: no accounts, every caller is
                                   the public and the account endpoints answer 501 */
    /* The dashboard (static.c): its pages, scripts, styles and message
     * catalogues (the repository's web/), and the folder of Debian's
     * front-end libraries (/usr/share/javascript: leaflet/, chart.js/).
     * NULL web_dir: no dashboard (pages answer 404). */
    const char *web_dir;
    const char *js_dir;
    /* Optional map tiles for the dashboard ("https://host/{z}/{x}/{y}.png")
     * and their attribution; NULL: area boundaries on a plain background. */
    const char *tile_url;
    const char *tile_attribution;
    /* Called once the server listens, with its URL ("http://127.0.0.1:8080/"). */
    void (*ready)(void *arg, const char *url);
    void *ready_arg;
};

/**
 * Serves until SIGTERM or SIGINT, then stops accepting, lets requests in
 * flight finish (at most limits.shutdown_grace seconds), closes the stores
 * and returns 0. Refuses to start (CSCC_ENOENT) without an initialised data
 * directory, and with CSCC_EIO when it cannot listen. Holds a shared lock on
 * the data directory while it runs (cscc restore refuses to overwrite it).
 */
int http_serve(const struct http_options *o, struct cscc_err *err);

#endif
