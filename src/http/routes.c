/* routes.c - the route table (every route with the least role it needs, the
 * body it accepts and its parameters), matching a path against it, and the
 * JSON error body with the one table of statuses. */
#include "http/http_int.h"

#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Parameters of each route                                                  */
/* ------------------------------------------------------------------------ */

/* The counts parameters; analyses.c uses the same list for the counts analysis. */
const struct http_param_spec http_counts_params[] = {
    {"by", HTTP_P_LIST, 1, 0, 0,
     "area year month week day weekday hour type fbi district beat ward"},
    {"from", HTTP_P_DATE, 0, 0, 0, NULL},
    {"to", HTTP_P_DATE, 0, 0, 0, NULL},
    {"category", HTTP_P_STR, 0, 0, 0, NULL},
    {"type", HTTP_P_STR, 1, 0, 0, NULL},
    {"fbi", HTTP_P_STR, 1, 0, 0, NULL},
    {"area", HTTP_P_LIST, 1, 1, 254, NULL},
    {"priority", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"rate", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"population", HTTP_P_STR, 0, 0, 0, NULL},
    {"format", HTTP_P_ENUM, 0, 0, 0, "json csv geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec p_areas[] = {
    {"format", HTTP_P_ENUM, 0, 0, 0, "json geojson"},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec p_imports[] = {
    {"dataset", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 1000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec p_audit[] = {
    {"since", HTTP_P_DATE, 0, 0, 0, NULL},
    {"actor", HTTP_P_STR, 0, 0, 0, NULL},
    {"limit", HTTP_P_UINT, 0, 1, 10000, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const struct http_param_spec p_none[] = {
    {NULL, 0, 0, 0, 0, NULL},
};

/* ------------------------------------------------------------------------ */
/* The table                                                                 */
/* ------------------------------------------------------------------------ */

/* Bodies: the analyses' parameters and work order steps, the accounts' small JSON objects. */
#define BODY_PARAMS (64 * 1024)
#define BODY_SMALL  (4 * 1024)
/* A need: its fields, attribute answers and a description of up to 4000 characters. */
#define BODY_NEED (32 * 1024)
/* Account routes read their JSON body themselves. */
#define R_BODY HTTP_R_PARAMS_IN_HANDLER
/* Bodies of the resources' edits: one allocation or spending entry as JSON. */
#define RES_BODY (16 * 1024)

const struct http_route http_routes[] = {
    {"/api/v1", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_index, "index"},
    {"/healthz", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_healthz, "healthz"},
    {"/metrics", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_metrics, "metrics"},
    {"/api/v1/areas", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_CACHE, p_areas, http_h_areas, "areas"},
    {"/api/v1/categories", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_CACHE, p_none, http_h_categories,
     "categories"},
    {"/api/v1/dashboard", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_dashboard, "dashboard"},
    {"/api/v1/areas/{number}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_CACHE, p_none, http_h_area,
     "area"},
    {"/api/v1/counts", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_CACHE, http_counts_params,
     http_h_counts, "counts"},
    {"/api/v1/imports", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_imports, http_h_imports, "imports"},
    {"/api/v1/imports/{id}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_import, "import"},
    /* An export uploaded for import (uploads.c): analysts, who bring the City's data in, and
     * admins; the body (up to --max-upload) goes to a file, not memory. */
    {"/api/v1/imports", HTTP_POST, HTTP_ROLE_ANALYST, 0,
     HTTP_R_PARAMS_IN_HANDLER | HTTP_R_BODY_FILE, NULL, http_h_import_upload, "import_upload"},
    {"/api/v1/analyses", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_analyses, "analyses"},
    {"/api/v1/analyses/{name}", HTTP_GET | HTTP_POST, HTTP_ROLE_PUBLIC, BODY_PARAMS,
     HTTP_R_CACHE | HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_analysis, "analysis"},
    /* Accounts: log in and out, the caller's API tokens, users and the audit log. */
    {"/api/v1/session", HTTP_GET, HTTP_ROLE_PUBLIC, 0, 0, p_none, http_h_session_get, "session"},
    {"/api/v1/session", HTTP_POST, HTTP_ROLE_PUBLIC, BODY_SMALL, R_BODY | HTTP_R_NO_CSRF, NULL,
     http_h_session_post, "login"},
    {"/api/v1/session", HTTP_DELETE, HTTP_ROLE_PARTNER, 0, 0, p_none, http_h_session_delete,
     "logout"},
    {"/api/v1/tokens", HTTP_GET, HTTP_ROLE_PARTNER, 0, 0, p_none, http_h_tokens_get, "tokens"},
    {"/api/v1/tokens", HTTP_POST, HTTP_ROLE_PARTNER, BODY_SMALL, R_BODY, NULL, http_h_tokens_post,
     "token_create"},
    {"/api/v1/tokens/{id}", HTTP_DELETE, HTTP_ROLE_PARTNER, 0, 0, p_none, http_h_token_delete,
     "token_revoke"},
    {"/api/v1/users", HTTP_GET, HTTP_ROLE_ADMIN, 0, 0, p_none, http_h_users_get, "users"},
    {"/api/v1/users", HTTP_POST, HTTP_ROLE_ADMIN, BODY_SMALL, R_BODY, NULL, http_h_users_post,
     "user_add"},
    {"/api/v1/users/{name}", HTTP_GET, HTTP_ROLE_ADMIN, 0, 0, p_none, http_h_user_get, "user"},
    {"/api/v1/users/{name}", HTTP_PATCH, HTTP_ROLE_ADMIN, BODY_SMALL, R_BODY, NULL,
     http_h_user_patch, "user_update"},
    {"/api/v1/audit", HTTP_GET, HTTP_ROLE_ADMIN, 0, 0, p_audit, http_h_audit, "audit"},
    /* Open311 GeoReport v2 (open311.c): {file} is NAME.json or NAME.xml; the handlers
     * check their parameters and answer errors in Open311's shape. POST requests needs an
     * api_key (checked by the handler), not a signed-in role. */
    {"/open311/v2/discovery.{fmt}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_o311_discovery, "open311_discovery"},
    {"/open311/v2/services.{fmt}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_o311_services, "open311_services"},
    {"/open311/v2/services/{file}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_o311_service, "open311_service"},
    {"/open311/v2/requests.{fmt}", HTTP_GET | HTTP_POST, HTTP_ROLE_PUBLIC, BODY_NEED,
     HTTP_R_PARAMS_IN_HANDLER | HTTP_R_FORM, NULL, http_h_o311_requests, "open311_requests"},
    {"/open311/v2/requests/{file}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_o311_request, "open311_request"},
    {"/open311/v2/tokens/{file}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_o311_token, "open311_token"},
    /* Coordination (coord_api.c): handlers check parameters, and own-versus-another's
     * objects (a department its own work orders, a partner its organization). */
    {"/api/v1/needs", HTTP_GET | HTTP_POST, HTTP_ROLE_PUBLIC, BODY_NEED,
     HTTP_R_PARAMS_IN_HANDLER | HTTP_R_FORM, NULL, http_h_needs, "needs"},
    {"/api/v1/needs/{id}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_need, "need"},
    {"/api/v1/workorders", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_workorders, "workorders"},
    {"/api/v1/workorders/{id}", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_workorder, "workorder"},
    {"/api/v1/workorders/{id}/history", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_workorder_history, "workorder_history"},
    {"/api/v1/workorders/{id}/transitions", HTTP_POST, HTTP_ROLE_DEPARTMENT, BODY_PARAMS,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_workorder_move, "workorder_move"},
    {"/api/v1/catalog", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_catalog, "catalog"},
    {"/api/v1/catalog/{code}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_catalog_service, "catalog_service"},
    {"/api/v1/catalog/{code}", HTTP_PUT, HTTP_ROLE_COORDINATOR, BODY_PARAMS,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_catalog_service, "catalog_edit"},
    /* The departments work is routed to (for reassigning) and the routing rules (staff pages). */
    {"/api/v1/departments", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, 0, p_none, http_h_departments,
     "departments"},
    {"/api/v1/routing-rules", HTTP_GET, HTTP_ROLE_COORDINATOR, 0, 0, p_none, http_h_routing_rules,
     "routing_rules"},
    {"/api/v1/organizations", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_orgs, "organizations"},
    {"/api/v1/organizations/{id}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_org, "organization"},
    {"/api/v1/organizations/{id}", HTTP_PATCH | HTTP_PUT, HTTP_ROLE_PARTNER, BODY_PARAMS,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_org_edit, "organization_edit"},
    {"/api/v1/organizations/{id}/verification", HTTP_POST, HTTP_ROLE_COORDINATOR, BODY_SMALL,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_org_verify, "organization_verify"},
    {"/api/v1/events", HTTP_GET, HTTP_ROLE_PARTNER, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_events, "events"},
    /* A partner's own records (its organization only; staff any) and logging an event
     * (partners, departments, coordinators, admins: the handler refuses analysts). */
    {"/api/v1/organizations/{id}/needs", HTTP_GET, HTTP_ROLE_PARTNER, 0, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_org_needs, "organization_needs"},
    {"/api/v1/organizations/{id}/events", HTTP_GET, HTTP_ROLE_PARTNER, 0, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_org_events, "organization_events"},
    {"/api/v1/events", HTTP_POST, HTTP_ROLE_PARTNER, BODY_PARAMS, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_event_add, "event_add"},
    {"/api/v1/response-metrics", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_coord_metrics, "response_metrics"},
    /* The weekly coordination brief (brief_api.c): it lists every department's work orders. */
    {"/api/v1/brief", HTTP_GET, HTTP_ROLE_COORDINATOR, 0, 0, http_brief_params, http_h_brief,
     "brief"},
    /* Socrata-compatible datasets: the SoQL module checks its own parameters. */
    {"/resource/{dataset}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_resource, "resource"},
    /* Resources (resources.c): allocations for City staff; edits for coordinators and admins
     * (the handlers refuse analysts); the capacity gap and funding alignment are public
     * analyses under /api/v1/analyses/. */
    {"/api/v1/funding", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, 0, http_funding_list_params,
     http_h_funding, "funding"},
    {"/api/v1/funding", HTTP_POST, HTTP_ROLE_COORDINATOR, RES_BODY, HTTP_R_PARAMS_IN_HANDLER, NULL,
     http_h_funding_add, "funding_add"},
    {"/api/v1/funding/{id}", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, 0, p_none, http_h_funding_one,
     "funding_one"},
    {"/api/v1/funding/{id}/spending", HTTP_POST, HTTP_ROLE_COORDINATOR, RES_BODY,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_funding_spend, "funding_spend"},
    {"/api/v1/initiatives", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, 0, p_none, http_h_initiatives,
     "initiatives"},
    {"/api/v1/funding/{id}", HTTP_PATCH, HTTP_ROLE_COORDINATOR, RES_BODY, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_funding_patch, "funding_update"},
    {"/api/v1/funding/{id}", HTTP_DELETE, HTTP_ROLE_COORDINATOR, 0, 0, p_none,
     http_h_funding_delete, "funding_delete"},
    {"/api/v1/spending/{id}", HTTP_PATCH, HTTP_ROLE_COORDINATOR, RES_BODY, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_spending_patch, "spending_update"},
    {"/api/v1/spending/{id}", HTTP_DELETE, HTTP_ROLE_COORDINATOR, 0, 0, p_none,
     http_h_spending_delete, "spending_delete"},
    {"/api/v1/initiatives", HTTP_POST, HTTP_ROLE_COORDINATOR, RES_BODY, HTTP_R_PARAMS_IN_HANDLER,
     NULL, http_h_initiative_add, "initiative_add"},
    {"/api/v1/initiatives/{id}", HTTP_GET, HTTP_ROLE_DEPARTMENT, 0, 0, p_none,
     http_h_initiative_one, "initiative"},
    {"/api/v1/initiatives/{id}", HTTP_PATCH, HTTP_ROLE_COORDINATOR, RES_BODY,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_initiative_patch, "initiative_update"},
    {"/api/v1/initiatives/{id}", HTTP_DELETE, HTTP_ROLE_COORDINATOR, 0, 0, p_none,
     http_h_initiative_delete, "initiative_delete"},
    {"/api/v1/initiatives/{id}/milestones", HTTP_POST, HTTP_ROLE_COORDINATOR, RES_BODY,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_milestone_add, "milestone_add"},
    {"/api/v1/milestones/{id}", HTTP_PATCH, HTTP_ROLE_COORDINATOR, RES_BODY,
     HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_milestone_patch, "milestone_update"},
    {"/api/v1/milestones/{id}", HTTP_DELETE, HTTP_ROLE_COORDINATOR, 0, 0, p_none,
     http_h_milestone_delete, "milestone_delete"},
    /* The dashboard: static files, then pages (last, as /{page} matches any
     * one segment not taken above). A page reads its state from the query
     * string; the data it shows comes from the API, with the API's roles. */
    {"/static/*", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_static,
     "static"},
    {"/", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_page, "page"},
    {"/{page}", HTTP_GET, HTTP_ROLE_PUBLIC, 0, HTTP_R_PARAMS_IN_HANDLER, NULL, http_h_page, "page"},
};

const size_t http_nroutes = sizeof(http_routes) / sizeof(http_routes[0]);

/* metrics.c keeps one row per route and one for unmatched requests. */
_Static_assert(sizeof(http_routes) / sizeof(http_routes[0]) < HTTP_MAX_ROUTES,
               "too many routes for metrics: raise HTTP_MAX_ROUTES");

/* ------------------------------------------------------------------------ */
/* Matching                                                                  */
/* ------------------------------------------------------------------------ */

/* Matches path against pattern, filling captures; 1 on a match. */
static int match(const char *pattern, const char *path, char cap[HTTP_MAX_CAPTURES][128])
{
    const char *p = pattern, *s = path;
    int ncap = 0;

    while (*p && *s) {
        if (p[0] == '*' && p[1] == '\0')
            return 1; /* the rest of the path */
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t n = strcspn(s, "/");

            if (!pe || n == 0 || n >= 128 || ncap >= HTTP_MAX_CAPTURES)
                return 0;
            memcpy(cap[ncap], s, n);
            cap[ncap][n] = '\0';
            ncap++;
            p = pe + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

const struct http_route *http_route_find(int method, const char *path,
                                         char cap[HTTP_MAX_CAPTURES][128], unsigned *allow)
{
    size_t i;

    *allow = 0;
    for (i = 0; i < http_nroutes; i++) {
        const struct http_route *rt = &http_routes[i];
        unsigned methods = rt->methods;

        if (!match(rt->pattern, path, cap))
            continue;
        if (methods & HTTP_GET)
            methods |= HTTP_HEAD;
        if (methods & (unsigned)method)
            return rt;
        *allow |= methods;
    }
    return NULL;
}

int http_authorize(const struct http_route *rt, const struct http_identity *who)
{
    if ((unsigned)who->role >= HTTP_NROLES)
        return 403;
    if (who->role >= rt->min_role)
        return 0;
    return who->role == HTTP_ROLE_PUBLIC ? 401 : 403;
}

int http_method_parse(const char *s)
{
    static const struct {
        const char *name;
        int m;
    } methods[] = {
        {"GET", HTTP_GET},         {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
        {"PUT", HTTP_PUT},         {"DELETE", HTTP_DELETE}, {"PATCH", HTTP_PATCH},
        {"OPTIONS", HTTP_OPTIONS},
    };
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(s, methods[i].name))
            return methods[i].m;
    return HTTP_OTHER;
}

void http_methods_format(unsigned mask, char *buf, size_t cap)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(mask & (1u << i)))
            continue;
        int n = snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", names[i]);

        if (n < 0 || (size_t)n >= cap - o)
            break;
        o += (size_t)n;
    }
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

int http_error(struct http_req *r, int status, const char *code, const char *field, const char *fmt,
               ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    strbuf_reset(&r->out);
    strbuf_adds(&r->out, "{\"error\":{\"code\":");
    strbuf_add_json_str(&r->out, code, strlen(code));
    strbuf_adds(&r->out, ",\"message\":");
    strbuf_add_json_text(&r->out, msg, strlen(msg));
    strbuf_adds(&r->out, ",\"field\":");
    if (field && *field)
        strbuf_add_json_text(&r->out, field, strlen(field));
    else
        strbuf_adds(&r->out, "null");
    strbuf_adds(&r->out, "}}\n");
    r->ctype = "application/json";
    r->no_cache = 1;
    r->filename[0] = '\0';
    return status;
}

/* The one table from error codes to statuses. */
static const struct {
    int code;
    int status;
    const char *name;
} statuses[] = {
    {CSCC_EINVAL, 400, "bad_parameter"},    {CSCC_EDATA, 400, "bad_request"},
    {CSCC_ENOENT, 404, "not_found"},        {CSCC_EPERM, 403, "forbidden"},
    {CSCC_ELIMIT, 413, "too_large"},        {CSCC_EBUSY, 503, "busy"},
    {CSCC_ENOMEM, 507, "out_of_memory"},    {CSCC_EIO, 500, "internal"},
    {CSCC_ESTORE, 500, "internal"},         {CSCC_EINTERNAL, 500, "internal"},
    {CSCC_ECANCELED, 503, "shutting_down"}, {CSCC_EEXIST, 409, "conflict"},
    {CSCC_EROFS, 503, "unavailable"},
};

int http_status_of(int code)
{
    size_t i;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].code == code)
            return statuses[i].status;
    return 500;
}

int http_error_from(struct http_req *r, const struct cscc_err *err)
{
    int status = http_status_of(err->code);
    const char *name = "internal", *msg;
    size_t i;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (statuses[i].code == err->code)
            name = statuses[i].name;
    if (status < 500)
        return http_error(r, status, name, err->field, "%s", err->msg);
    /* Internals (paths, SQL messages) go to the log, not into the answer. */
    cscc_error("%s %s: %s", r->route ? r->route->name : "-", r->path, err->msg);
    if (err->code == CSCC_ENOMEM)
        msg = "the server is out of memory for this request";
    else if (err->code == CSCC_EBUSY)
        msg = "the server is busy; try again";
    else if (err->code == CSCC_ECANCELED)
        msg = "the server is shutting down";
    else if (err->code == CSCC_EROFS) {
        http_req_header(r, "Retry-After", "60");
        msg = HTTP_MSG_READONLY;
    } else
        msg = "internal error; the server log says more";
    return http_error(r, status, name, NULL, "%s", msg);
}

const char *http_role_name(enum http_role role)
{
    static const char *const names[HTTP_NROLES] = {"public",      "partner", "department",
                                                   "coordinator", "analyst", "admin"};

    return (unsigned)role < HTTP_NROLES ? names[role] : "?";
}
