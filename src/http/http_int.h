/**
 * http_int.h - internals shared by the files of src/http: requests,
 * parameters, the route table, handlers, tables by generation, the response
 * cache and the metrics. Nothing here includes <microhttpd.h>: routing,
 * parameters and handlers are plain C over struct http_req, so the unit
 * tests and fuzzers drive them without a socket; server.c is the one file
 * that speaks libmicrohttpd.
 */
#ifndef CSCC_HTTP_HTTP_INT_H
#define CSCC_HTTP_HTTP_INT_H

#include "core/err.h"
#include "core/strbuf.h"
#include "http/http.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------ */
/* Methods                                                                  */
/* ------------------------------------------------------------------------ */

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_DELETE = 1 << 4,
    HTTP_PATCH = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
    HTTP_OTHER = 1 << 7
};

/** The method named s (case-sensitive, as HTTP says), HTTP_OTHER if unknown. */
int http_method_parse(const char *s);
/** "GET, HEAD" for a mask, into buf. */
void http_methods_format(unsigned mask, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Parameters: the query string or a JSON body, as one list                 */
/* ------------------------------------------------------------------------ */

struct http_param {
    char *name;  /* decoded, NUL-terminated */
    char *value; /* decoded, NUL-terminated; "" for "a=" and "a" */
};

struct http_params {
    struct http_param *v;
    size_t n, cap;
    size_t max; /* most parameters accepted */
};

void http_params_init(struct http_params *p, size_t max);
void http_params_release(struct http_params *p);
/** Adds a copy of name/value. CSCC_ELIMIT past max. */
int http_params_add(struct http_params *p, const char *name, size_t nlen, const char *value,
                    size_t vlen);
/** The first value of name, or NULL. */
const char *http_params_get(const struct http_params *p, const char *name);
/** How many times name is given. */
size_t http_params_count(const struct http_params *p, const char *name);

/**
 * Decodes a percent-encoded component (a path, a query name or value;
 * '+' is a space only when plus_space). Refuses invalid escapes and raw
 * control bytes (CSCC_EDATA); escaped ones (%00, %0A) are decoded, for the
 * caller to judge with http_control_char(). out must hold len + 1 bytes;
 * *olen gets the decoded length.
 */
int http_unescape(const char *s, size_t len, int plus_space, char *out, size_t *olen);

/**
 * The first control character (0x00-0x1F, 0x7F) of s[0, len), or -1 when
 * there is none; with multiline, tab, CR and LF are not counted.
 */
int http_control_char(const char *s, size_t len, int multiline);

/**
 * Splits a request target ("/a/b?x=1&y=2") into its decoded path (into
 * path, cap bytes) and its parameters. Errors (CSCC_EDATA, CSCC_ELIMIT)
 * fill err with a message for people and err->field with the parameter at
 * fault when there is one.
 */
int http_parse_target(const char *target, size_t len, char *path, size_t cap,
                      struct http_params *params, struct cscc_err *err);

/**
 * Adds the parameters of an application/x-www-form-urlencoded body
 * ("a=1&b=x+y"), decoded as a query string is. Errors as http_parse_target.
 */
int http_parse_form(const char *body, size_t len, struct http_params *params, struct cscc_err *err);

/**
 * Reads a JSON body of parameters: one object whose members are strings,
 * numbers, booleans, or arrays of those (a repeated parameter). Anything
 * else (nested objects, null, an array in an array, a body nested deeper
 * than max_depth, invalid JSON) is CSCC_EDATA with err->field set to the
 * member at fault when there is one, CSCC_ELIMIT past the parameter limit.
 */
int http_parse_json_body(const char *body, size_t len, int max_depth, struct http_params *params,
                         struct cscc_err *err);

/** What a parameter holds; checked before the handler runs. */
enum http_ptype {
    HTTP_P_STR,   /* any text, at most 200 bytes */
    HTTP_P_DATE,  /* YYYY-MM-DD */
    HTTP_P_BOOL,  /* true/false (also 1/0) */
    HTTP_P_UINT,  /* a decimal number from min to max */
    HTTP_P_ENUM,  /* one of the words of `choices` (space-separated) */
    HTTP_P_LIST,  /* comma-separated words of `choices` (any text when choices is NULL) */
    HTTP_P_SECRET /* a password: any text of 1 to 1,024 bytes, never echoed in errors */
};

/** One parameter a route accepts. */
struct http_param_spec {
    const char *name;
    enum http_ptype type;
    int repeat; /* may be given more than once */
    unsigned long min, max;
    const char *choices;
};

/**
 * Checks params against spec (terminated by a NULL name): unknown names,
 * repeats of a single parameter and values of the wrong type are
 * CSCC_EINVAL with err->field naming the parameter.
 */
int http_params_check(const struct http_params *p, const struct http_param_spec *spec,
                      struct cscc_err *err);

/** Parses a boolean as http_params_check accepts it: 1, 0, or -1. */
int http_parse_bool(const char *s);

/**
 * Refuses a period that ends before it starts, for every route that takes
 * from and to (days of core/time.h): CSCC_EINVAL with the message "from
 * 2017-02-01 is after to 2017-01-01: ..." and the field "from" when from is
 * after to; else 0. Call it when both are given.
 */
int http_period_check(int64_t from, int64_t to, struct cscc_err *err);

/**
 * Appends a normalised form of params to sb (sorted by name, values in
 * order, each length-prefixed), so that equal queries written differently
 * share a cache entry.
 */
int http_params_canonical(const struct http_params *p, struct strbuf *sb);

/* ------------------------------------------------------------------------ */
/* Requests and handlers                                                    */
/* ------------------------------------------------------------------------ */

struct http_server;
struct http_route;

#define HTTP_MAX_CAPTURES 2
#define HTTP_PATH_MAX     2048

/** One request, as handlers see it. */
struct http_req {
    /* in */
    int method; /* enum http_method */
    char path[HTTP_PATH_MAX];
    struct http_params params;
    const char *query; /* raw query string (after '?'), "" when none */
    const char *body;  /* the whole body (NULL when none) */
    size_t body_len;   /* its length (HTTP_R_BODY_FILE: the file's) */
    int body_form;     /* the body was a form, its fields already in params (HTTP_R_FORM) */
    /* HTTP_R_BODY_FILE: the file holding the body ("" when none). The handler may
     * rename it and clear this; otherwise it is removed when the request ends. */
    char body_file[1100];
    struct http_identity who;
    struct http_server *srv;  /* NULL in unit tests of routing */
    struct http_tref *crimes; /* the crimes table, once a handler asked (http_req_crimes) */
    const struct http_route *route;
    char cap[HTTP_MAX_CAPTURES][128]; /* {captures} of the route pattern, decoded */
    /* out */
    struct strbuf out;
    const char *ctype;     /* content type of out */
    int no_cache;          /* set by a handler: do not keep this response */
    uint64_t generation;   /* data generation the response was made from, 0 if none */
    char filename[64];     /* Content-Disposition filename for downloads, "" when none */
    struct strbuf headers; /* more response headers: "name\0value\0" pairs (http_req_header) */
    char set_cookie[256];  /* a Set-Cookie header for the answer, "" when none */
    unsigned retry_after;  /* seconds for a Retry-After header (429), 0 when none */
    /* A file's validator (static.c): the answer carries it with
     * "Cache-Control: public, no-cache", and a matching If-None-Match gets
     * 304. "" when none. */
    char etag[64];
};

typedef int (*http_handler_fn)(struct http_req *r);

/** Adds a response header (copied) to r's answer. 0 or CSCC_ENOMEM. */
int http_req_header(struct http_req *r, const char *name, const char *value);

/** Route flags. */
enum {
    HTTP_R_CACHE = 1 << 0, /* a public aggregate: kept in the response cache, with an ETag */
    HTTP_R_PARAMS_IN_HANDLER = 1 << 1, /* the handler checks its own parameters */
    HTTP_R_NO_CSRF = 1 << 2,           /* a cookie-authenticated POST needs no CSRF token (login) */
    HTTP_R_FORM = 1 << 3,     /* also takes an application/x-www-form-urlencoded body, whose
                                parameters join the query's before they are checked */
    HTTP_R_BODY_FILE = 1 << 4 /* an upload (text/csv or application/gzip, up to
                                 limits.max_upload): the body is written as it arrives to a
                                 file under DATA/uploads/, named in r->body_file */
};

/** One route: data, in one table (routes.c). */
struct http_route {
    /* "/api/v1/areas/{number}": {x} matches one path segment; a final '*'
     * matches the rest of the path, any number of segments ("/static/x"). */
    const char *pattern;
    unsigned methods; /* enum http_method mask; GET implies HEAD */
    enum http_role min_role;
    size_t max_body; /* 0: no body accepted */
    unsigned flags;
    const struct http_param_spec *params; /* accepted parameters; NULL = none */
    http_handler_fn handler;
    const char *name; /* for metrics: "counts" */
};

/** The parameters of /api/v1/counts (routes.c), shared with the counts analysis. */
extern const struct http_param_spec http_counts_params[];

/** The route table and its size. */
/** Room for the route table in the metrics (one more row for unmatched requests). */
#define HTTP_MAX_ROUTES 128
extern const struct http_route http_routes[];
extern const size_t http_nroutes;

/**
 * Finds the route of (method, path). Returns the route and fills the
 * request's captures; NULL when nothing matches, with *allow set to the
 * methods of a route whose pattern matches (0: no such path, answer 404;
 * else 405 with Allow).
 */
const struct http_route *http_route_find(int method, const char *path,
                                         char cap[HTTP_MAX_CAPTURES][128], unsigned *allow);

/**
 * May caller `who` use route rt? 0 when yes; else the status to answer:
 * 401 for the public (sign in first), 403 for a signed-in role too low.
 */
int http_authorize(const struct http_route *rt, const struct http_identity *who);

/**
 * Writes the error body {"error":{"code","message","field"}} into r->out
 * (replacing what was there) and returns status, so a handler can write
 * `return http_error(r, 400, "bad_parameter", "from", "...")`.
 */
int http_error(struct http_req *r, int status, const char *code, const char *field, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/** The HTTP status of a CSCC_E* code (one table, as STYLE.md asks). */
int http_status_of(int cscc_code);
/**
 * The message of a 503 for a database that cannot be written (CSCC_EROFS):
 * what failed and what to do. The details (path, SQLite's words) go to the log.
 */
#define HTTP_MSG_READONLY                                                                          \
    "the database is read-only now, so this change cannot be stored; nothing was stored; "         \
    "reading still works; try again later (the server's administrator must make the database "     \
    "writable again, see the server log)"

/**
 * http_error from an error record: status from its code, field from err->field.
 * CSCC_EROFS is a 503 with Retry-After and HTTP_MSG_READONLY.
 */
int http_error_from(struct http_req *r, const struct cscc_err *err);

/* The handlers (api.c). */
int http_h_index(struct http_req *r);
int http_h_healthz(struct http_req *r);
int http_h_metrics(struct http_req *r);
int http_h_areas(struct http_req *r);
int http_h_area(struct http_req *r);
int http_h_counts(struct http_req *r);
int http_h_imports(struct http_req *r);
int http_h_import(struct http_req *r);
int http_h_analyses(struct http_req *r);
int http_h_analysis(struct http_req *r);
int http_h_resource(struct http_req *r);
/**
 * Writes an error of the /resource/ endpoint in Socrata's shape,
 * {"code":...,"error":true,"message":...,"data":{"parameter":...}} (param
 * may be NULL), into r->out, and returns status: what the server refuses
 * before the handler runs (414, bad percent-encoding) is answered there in
 * the shape Socrata clients read.
 */
int http_resource_error(struct http_req *r, int status, const char *code, const char *param,
                        const char *msg);
/* Accounts (account.c). */
int http_h_session_get(struct http_req *r);
int http_h_session_post(struct http_req *r);
int http_h_session_delete(struct http_req *r);
int http_h_tokens_get(struct http_req *r);
int http_h_tokens_post(struct http_req *r);
int http_h_token_delete(struct http_req *r);
int http_h_users_get(struct http_req *r);
int http_h_users_post(struct http_req *r);
int http_h_user_get(struct http_req *r);
int http_h_user_patch(struct http_req *r);
int http_h_audit(struct http_req *r);

/**
 * Staff roles (coordinator, analyst, admin) see exact aggregates; the
 * public, partners and departments see them with small cells withheld
 * (suppress.c).
 */
int http_staff(const struct http_identity *who);

/**
 * 1 when a request by who with method needs a CSRF token it lacks: a
 * session cookie on anything but GET, HEAD and OPTIONS, on a route without
 * HTTP_R_NO_CSRF, without a matching X-CSRF-Token. Bearer tokens are exempt.
 */
int http_csrf_missing(const struct http_route *rt, int method, const struct http_identity *who);

/* ------------------------------------------------------------------------ */
/* Public aggregates (suppress.c)                                            */
/* ------------------------------------------------------------------------ */

/** The largest table (cells with margins) published with small cells withheld;
 * a larger public answer is refused (400 naming "by"). */
#define HTTP_PUBLIC_MAX_CELLS 200000

struct an_result;

/**
 * Withhold small cells of a result for a caller who is not staff: counts
 * (keys x count), trends (areas in groups x three periods) and priority
 * (areas x years). Counts from 1 to 9, and complements so that none can be
 * worked out from the rest, are withheld with every figure derived from
 * them. 0, or CSCC_EINVAL (too many groups: err->field "by"), CSCC_ENOMEM.
 */
int http_protect_counts(struct an_result *res, struct cscc_err *err);
int http_protect_trends(struct an_result *res, struct cscc_err *err);
int http_protect_priority(struct an_result *res, struct cscc_err *err);
int http_protect_kde(struct an_result *res, struct cscc_err *err);
int http_protect_gistar(struct an_result *res, struct cscc_err *err);
int http_protect_moran(struct an_result *res, struct cscc_err *err);
int http_protect_knox(struct an_result *res, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Accounts (auth.c)                                                         */
/* ------------------------------------------------------------------------ */

struct access;
struct access_actor;

/** A store connection with its access context, from the accounts' pool. */
struct http_acc {
    struct store *st;
    struct access *a;
};
/** Takes one from the pool (or opens one): 0, or the store's error. */
int http_acc_get(struct http_access *ha, struct http_acc *out, struct cscc_err *err);
/** Gives it back (rolled back first; closed when the pool is full). */
void http_acc_put(struct http_access *ha, struct http_acc *x);
/** Session timeouts in force (seconds). */
int64_t http_access_idle(const struct http_access *ha);
int64_t http_access_absolute(const struct http_access *ha);

/**
 * The value of cookie name in a Cookie header, into out (cap bytes): 1
 * found, 0 not there, -1 too long. Quotes around the value are dropped.
 */
int http_cookie_get(const char *header, const char *name, char *out, size_t cap);
/** The session cookie's name: "__Host-cscc_session" when secure, else "cscc_session". */
const char *http_cookie_name(int secure);
/** A Set-Cookie value for the session token (max_age 0 and token "" end it). */
void http_cookie_set(char *buf, size_t cap, int secure, const char *token, int64_t max_age);
/** The audit actor of an identity. */
void http_actor(const struct http_identity *who, struct access_actor *a);
/** Appends an ISO 8601 UTC time as a JSON string ("null" for 0). */
void http_json_utc(struct strbuf *sb, int64_t t);

/**
 * Appends a record to the audit log as who (the public: "anonymous"), from
 * who->address. Does nothing without accounts (srv->opts->access NULL). A
 * record that cannot be written is logged as a warning.
 */
void http_audit(struct http_server *srv, const struct http_identity *who, const char *action,
                const char *object, const char *outcome, const char *detail);

/**
 * Audits a refused request (outcome "denied"). A signed-in caller's refusal
 * is written at once; an anonymous one is coalesced per address, action and
 * object over limits.audit_window seconds (see struct http_refusals).
 */
void http_audit_refusal(struct http_server *srv, const struct http_identity *who,
                        const char *action, const char *object, const char *detail);

/** Writes the "N more" records of windows that have ended (all of them: force). */
void http_refusals_flush(struct http_server *srv, int force);
int http_h_categories(struct http_req *r);
/* The dashboard (static.c). */
int http_h_page(struct http_req *r);
int http_h_static(struct http_req *r);
int http_h_dashboard(struct http_req *r);

/**
 * 1 when rel is a path the static files may serve: segments of letters,
 * digits, '.', '_' and '-', none empty and none beginning with '.' (so no
 * "..", no hidden files, no absolute path, no backslash); else 0.
 */
int http_static_path_ok(const char *rel);
/** The content type of a file by its name's extension ("application/octet-stream" if unknown). */
const char *http_static_ctype(const char *name);
/**
 * The Content-Security-Policy of the dashboard's pages, into buf: scripts,
 * styles and data from this server only; images also from the origin of
 * tile_url (NULL: none).
 */
void http_static_csp(const char *tile_url, char *buf, size_t cap);

/* Resources (resources.c): allocations, spending, initiatives; the capacity
 * gap and funding analyses with their parameters. */
int http_h_funding(struct http_req *r);
int http_h_funding_one(struct http_req *r);
int http_h_funding_add(struct http_req *r);
int http_h_funding_spend(struct http_req *r);
int http_h_initiatives(struct http_req *r);
int http_h_funding_patch(struct http_req *r);
int http_h_funding_delete(struct http_req *r);
int http_h_spending_patch(struct http_req *r);
int http_h_spending_delete(struct http_req *r);
int http_h_initiative_add(struct http_req *r);
int http_h_initiative_one(struct http_req *r);
int http_h_initiative_patch(struct http_req *r);
int http_h_initiative_delete(struct http_req *r);
int http_h_milestone_add(struct http_req *r);
int http_h_milestone_patch(struct http_req *r);
int http_h_milestone_delete(struct http_req *r);
extern const struct http_param_spec http_funding_list_params[];
extern const struct http_param_spec http_gap_params[];
extern const struct http_param_spec http_funding_params[];
struct an_result *http_run_capacity_gap(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_funding(struct http_req *r, int geometry, struct cscc_err *err);
/** Withholds small counts of serious victimizations (and what derives from them) from the
 * capacity gap and funding answers for a caller who is not staff. */
int http_protect_resources(struct an_result *res, struct cscc_err *err);

/* Open311 GeoReport v2 (open311.c): {fmt} is "json" or "xml" after the last dot. */
int http_h_o311_discovery(struct http_req *r);
int http_h_o311_services(struct http_req *r);
int http_h_o311_service(struct http_req *r);
int http_h_o311_requests(struct http_req *r);
int http_h_o311_request(struct http_req *r);
int http_h_o311_token(struct http_req *r);

/* The coordination API (coord_api.c). */
int http_h_needs(struct http_req *r);
int http_h_need(struct http_req *r);
int http_h_workorders(struct http_req *r);
int http_h_workorder(struct http_req *r);
int http_h_workorder_move(struct http_req *r);
int http_h_workorder_history(struct http_req *r);
int http_h_catalog(struct http_req *r);
int http_h_departments(struct http_req *r);
int http_h_routing_rules(struct http_req *r);
int http_h_catalog_service(struct http_req *r);
int http_h_orgs(struct http_req *r);
int http_h_org(struct http_req *r);
int http_h_org_edit(struct http_req *r);
int http_h_org_verify(struct http_req *r);
int http_h_events(struct http_req *r);
int http_h_coord_metrics(struct http_req *r);

struct counts_query;
struct counts_result;
struct store;
/**
 * The crimes table of this request: the current generation at the first
 * call, the same one after (released when the request ends). Sets
 * r->generation. NULL with err filled (CSCC_ENOENT: nothing imported yet).
 */
struct http_tref *http_req_crimes(struct http_req *r, struct cscc_err *err);
/** The counts query of the request's parameters (checked against the counts spec). */
int http_counts_query(struct http_req *r, struct counts_query *q, struct cscc_err *err);
/**
 * Runs the request's counts query: *stp gets the store connection used
 * (give it back with http_store_put, also on failure when not NULL).
 */
struct counts_result *http_run_counts(struct http_req *r, struct counts_query *q,
                                      struct store **stp, struct cscc_err *err);

/** An analysis the API runs (analyses.c): adding one is one entry there. */
struct an_result;
struct http_analysis {
    const char *name;
    const char *summary;
    const struct http_param_spec *params; /* its parameters, "format" included */
    int spatial;                          /* rows may carry geometries: GeoJSON is offered */
    /* Runs it: a result, or NULL with err filled (err->field names a bad parameter). */
    struct an_result *(*run)(struct http_req *r, int geometry, struct cscc_err *err);
    /* Withholds small cells of res for a caller who is not staff (suppress.c). NULL: the
     * analysis is for staff only (others get 403). 0, or an error with err filled. */
    int (*protect)(struct an_result *res, struct cscc_err *err);
};
extern const struct http_analysis http_analyses[];
/* The spatial analyses (analyses_spatial.c): parameters and runs. */
extern const struct http_param_spec http_kde_params[], http_gistar_params[], http_moran_params[],
    http_knox_params[], http_rtm_params[], http_pai_params[];
struct an_result *http_run_kde(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_gistar(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_moran(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_knox(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_rtm(struct http_req *r, int geometry, struct cscc_err *err);
struct an_result *http_run_pai(struct http_req *r, int geometry, struct cscc_err *err);
extern const size_t http_nanalyses;

/* ------------------------------------------------------------------------ */
/* Tables by generation (tables.c)                                          */
/* ------------------------------------------------------------------------ */

/**
 * One open table, shared by the requests that use it and unmapped when the
 * last of them lets go. The newest generation is found by comparing the
 * file's identity (device, inode) with the one open, per request: a
 * stat(2), no read.
 */
struct http_tref {
    struct colstore_table *t;
    atomic_uint refs;
    uint64_t dev, ino;
};

struct http_tables {
    pthread_mutex_t lock;
    char dir[4096]; /* the tables/ directory */
    struct {
        char name[64];
        struct http_tref *cur; /* NULL: no table file (yet) */
    } v[16];
    size_t n;
    atomic_ulong swaps; /* generations taken up since start */
};

void http_tables_init(struct http_tables *ts, const char *data_dir);
void http_tables_release(struct http_tables *ts);
/**
 * The current generation of table name ("crimes"), held until
 * http_tref_put. NULL when the table has no file yet (err->code
 * CSCC_ENOENT) or cannot be opened (the message says why).
 */
struct http_tref *http_tables_get(struct http_tables *ts, const char *name, struct cscc_err *err);
void http_tref_put(struct http_tref *r);

/* ------------------------------------------------------------------------ */
/* Metrics (metrics.c)                                                       */
/* ------------------------------------------------------------------------ */

#define HTTP_NSTATUS  20
#define HTTP_NBUCKETS 14

struct http_metrics {
    /* [route][status slot]: route http_nroutes is "none" (404 and the like) */
    atomic_ulong requests[HTTP_MAX_ROUTES][HTTP_NSTATUS];
    atomic_ulong latency[HTTP_MAX_ROUTES][HTTP_NBUCKETS + 1]; /* cumulative at output; +Inf last */
    atomic_ulong latency_sum_us[HTTP_MAX_ROUTES];
    atomic_long in_flight;
    atomic_ulong cache_hits, cache_misses, bytes_out, conns_cut;
};

void http_metrics_observe(struct http_metrics *m, int route, int status, double seconds,
                          size_t bytes);
/** Appends the Prometheus text exposition of m (and of tables) to sb. */
int http_metrics_write(struct http_metrics *m, struct http_tables *ts, struct strbuf *sb);

/* ------------------------------------------------------------------------ */
/* The server's state, as handlers see it                                    */
/* ------------------------------------------------------------------------ */

struct store;

/** A small pool of store connections (a struct store is one thread's at a time). */
struct http_store_pool {
    pthread_mutex_t lock;
    char path[4096];
    struct store *free[32];
    size_t nfree;
};

/* ------------------------------------------------------------------------ */
/* Coordination handles (coord_api.c)                                        */
/* ------------------------------------------------------------------------ */

struct coord;
struct coord_ratelimit;
struct http_coord_ent; /* a coordination handle with its own store connection */

struct http_coord_pool {
    pthread_mutex_t lock;
    struct http_coord_ent *free[32];
    size_t nfree;
    struct coord_ratelimit *limit; /* anonymous intake */
    pthread_t timer;               /* escalation and outbox delivery */
    int timer_running;
    pthread_mutex_t timer_lock;
    pthread_cond_t timer_cond;
    int timer_stop;
};

/** Sets up the pool and starts the timer thread (interval from the options). */
int http_coord_start(struct http_server *s, struct cscc_err *err);
/** Stops the timer thread and closes the pool's handles. */
void http_coord_stop(struct http_server *s);
/**
 * A coordination handle for this request, over the current crimes table
 * (NULL with err filled). Give it back with http_coord_put.
 */
struct http_coord_ent *http_coord_get(struct http_req *r, struct cscc_err *err);
struct coord *http_coord_of(struct http_coord_ent *e);
/** The entry's store connection and the crimes table it was opened over (NULL: none yet). */
struct store *http_coord_store(struct http_coord_ent *e);
struct colstore_table;
const struct colstore_table *http_coord_crimes(struct http_coord_ent *e);
void http_coord_put(struct http_server *s, struct http_coord_ent *e);
/** The coordination actor of the caller (strings point into r->who). */
struct coord_actor;
void http_coord_actor(const struct http_req *r, struct coord_actor *a);
struct coord_need_req;
struct coord_answer;
/**
 * Reads the Open311 fields of a need (service_code, description, lat, long,
 * address_string, attribute[CODE], first_name, last_name, email, phone,
 * media_url) from r's parameters into q; attribute answers go into ans (at
 * most nmax), their codes into codes. Strings point into r. CSCC_EINVAL with
 * err->field.
 */
int http_need_req_from_params(const struct http_req *r, struct coord_need_req *q,
                              struct coord_answer *ans, char (*codes)[72], size_t nmax,
                              const char *source, struct cscc_err *err);

/**
 * Rate limit of anonymous intake: 0, or CSCC_ELIMIT with a Retry-After
 * header added to r.
 */
int http_coord_ratelimit(struct http_req *r, struct cscc_err *err);

/*
 * Refusals of anonymous callers, written to the audit log once per window
 * (limits.audit_window) per address, action and route: the first at once, the
 * rest as one record "N more" when the window ends. Without this, anyone could
 * make the server write (and fsync) one audit record per request.
 */
#define HTTP_REFUSAL_SLOTS 256
struct http_refusal {
    uint64_t key; /* 0: empty */
    int64_t first, last;
    unsigned long more; /* refusals after the first, not written yet */
    char address[64];
    char action[24];
    char object[160];
    char detail[200];
};

struct http_refusals {
    pthread_mutex_t lock;
    size_t sweep; /* the next slot to look at for an ended window */
    struct http_refusal slot[HTTP_REFUSAL_SLOTS];
};

/* ------------------------------------------------------------------------ */
/* The weekly brief (brief_api.c)                                            */
/* ------------------------------------------------------------------------ */

/** Briefs kept at most (a week, an area, a format each). */
#define HTTP_BRIEF_CACHED 16

/**
 * Briefs of weeks that have ended, kept while the crimes table's generation
 * and the store's data version (on st, a connection that never writes) are
 * those they were built from. One lock for all.
 */
struct http_brief_cache {
    pthread_mutex_t lock;
    int enabled;
    struct store *st; /* opened at the first brief */
    uint64_t clock;
    struct {
        char key[64]; /* "2018-W10|25|json" */
        uint64_t generation;
        int64_t version;
        char *body;
        size_t len;
        uint64_t used;
    } v[HTTP_BRIEF_CACHED];
};

void http_brief_cache_init(struct http_brief_cache *bc, int enabled);
void http_brief_cache_release(struct http_brief_cache *bc);
extern const struct http_param_spec http_brief_params[];
int http_h_brief(struct http_req *r);

/* Uploaded exports waiting for, or being, imported (uploads.c): one worker
 * thread imports them in order, as `cscc import` would. */
struct http_upload_job;
struct http_uploads {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct http_upload_job *head, *tail;
    pthread_t worker;
    int inited, running, stop;
};

/** Starts the upload worker (0, or CSCC_EIO when the thread cannot start). */
int http_uploads_start(struct http_server *s, struct cscc_err *err);
/** Lets the worker finish the import it is running, then stops it; queued uploads are marked
 * failed (not imported). */
void http_uploads_stop(struct http_server *s);
/**
 * Appends the first max rows of an import's rejects file (path) as a JSON array
 * of {"row", "line", "reason", "column" (its name), "detail"} (the record is left
 * out); "[]" when the file cannot be read.
 */
void http_rejects_json(struct strbuf *sb, const char *path, size_t max);
/* A partner's own needs and events, and logging an event (coord_api.c). */
int http_h_org_needs(struct http_req *r);
int http_h_org_events(struct http_req *r);
int http_h_event_add(struct http_req *r);
/* POST /api/v1/imports: an export uploaded for import. */
int http_h_import_upload(struct http_req *r);

struct http_server {
    const struct http_options *opts;
    struct http_refusals refusals;
    struct http_brief_cache briefs;
    struct http_uploads uploads;
    struct http_coord_pool coords;
    struct http_tables tables;
    struct http_metrics metrics;
    struct http_store_pool stores;
    int64_t started; /* Unix seconds */
};

/** A store connection for this request (NULL with err filled). */
struct store *http_store_get(struct http_server *s, struct cscc_err *err);
void http_store_put(struct http_server *s, struct store *st);

#endif
