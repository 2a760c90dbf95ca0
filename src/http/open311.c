/* open311.c - Open311 GeoReport v2 at /open311/v2/: discovery, services,
 * service definitions, POST and GET requests, one request, tokens; each in
 * JSON and XML (the format is the path's extension). Every answer is built
 * as JSON first and written as XML by one converter, so both formats carry
 * the same fields. Residents' personal details (name, email, phone,
 * device_id) are never returned, whoever asks: requests are shown in the
 * public view (block-level positions). */
#include "http/http_int.h"

#include "coord/catalog.h"
#include "coord/coord.h"
#include "coord/needs.h"
#include "coord/workorders.h"
#include "core/json.h"
#include "core/log.h"
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define O311_SPEC      "http://wiki.open311.org/GeoReport_v2"
#define O311_PAGE_SIZE 50  /* Chicago's default page_size */
#define O311_PAGE_MAX  500 /* and its largest */
#define O311_DAYS      90  /* GET requests without start_date: the last 90 days */
#define O311_MAX_IDS   100 /* service_request_id values in one GET */

enum fmt { FMT_JSON, FMT_XML };

/* The format of "name.json" / "name.xml"; cuts the extension off into base. */
static int split_fmt(const char *seg, char *base, size_t cap, enum fmt *f)
{
    const char *dot = strrchr(seg, '.');
    size_t n;

    if (!dot) { /* "discovery.{fmt}": the capture is the format alone */
        base[0] = '\0';
        if (!strcmp(seg, "json"))
            *f = FMT_JSON;
        else if (!strcmp(seg, "xml"))
            *f = FMT_XML;
        else
            return -1;
        return 0;
    }
    if (!strcmp(dot, ".json"))
        *f = FMT_JSON;
    else if (!strcmp(dot, ".xml"))
        *f = FMT_XML;
    else
        return -1;
    n = (size_t)(dot - seg);
    if (n >= cap)
        return -1;
    memcpy(base, seg, n);
    base[n] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* XML from JSON                                                             */
/* ------------------------------------------------------------------------ */

/* The element name of an array's items. */
static const char *item_name(const char *array)
{
    static const struct {
        const char *array, *item;
    } names[] = {
        {"services", "service"},         {"attributes", "attribute"}, {"values", "value"},
        {"service_requests", "request"}, {"errors", "error"},         {"endpoints", "endpoint"},
        {"formats", "format"},           {"notes", "note"},           {"keywords", "keyword"},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(array, names[i].array))
            return names[i].item;
    return "item";
}

/* Appends s as XML character data: markup escaped, characters XML 1.0
 * does not allow dropped. */
static void xml_text(struct strbuf *sb, const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        switch (ch) {
        case '<': strbuf_adds(sb, "&lt;"); break;
        case '>': strbuf_adds(sb, "&gt;"); break;
        case '&': strbuf_adds(sb, "&amp;"); break;
        case '"': strbuf_adds(sb, "&quot;"); break;
        case '\'': strbuf_adds(sb, "&apos;"); break;
        default:
            if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                break;
            strbuf_addc(sb, (char)ch);
        }
    }
}

static void xml_value(struct strbuf *sb, const char *name, json_t *v);

static void xml_children(struct strbuf *sb, const char *name, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *m;

        json_object_foreach(v, k, m)
        {
            if (json_is_array(m)) {
                size_t i;
                json_t *x;

                strbuf_addf(sb, "<%s>", k);
                json_array_foreach(m, i, x) xml_value(sb, item_name(k), x);
                strbuf_addf(sb, "</%s>", k);
            } else {
                xml_value(sb, k, m);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;

        json_array_foreach(v, i, x) xml_value(sb, item_name(name), x);
    }
}

static void xml_value(struct strbuf *sb, const char *name, json_t *v)
{
    if (json_is_null(v)) {
        strbuf_addf(sb, "<%s/>", name);
        return;
    }
    strbuf_addf(sb, "<%s>", name);
    if (json_is_string(v)) {
        xml_text(sb, json_string_value(v), json_string_length(v));
    } else if (json_is_true(v)) {
        strbuf_adds(sb, "true");
    } else if (json_is_false(v)) {
        strbuf_adds(sb, "false");
    } else if (json_is_integer(v)) {
        strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        strbuf_addf(sb, "%.17g", json_real_value(v));
    } else {
        xml_children(sb, name, v);
    }
    strbuf_addf(sb, "</%s>", name);
}

/* Answers j (taken) in format f; root names the XML document element (its
 * array items are named by item_name). */
static int answer(struct http_req *r, int status, enum fmt f, const char *root, json_t *j)
{
    strbuf_reset(&r->out);
    r->no_cache = 1;
    if (!j)
        return http_error(r, 507, "out_of_memory", NULL, "out of memory");
    if (f == FMT_JSON) {
        char *s = json_dumps(j, JSON_COMPACT);

        json_decref(j);
        if (!s)
            return http_error(r, 507, "out_of_memory", NULL, "out of memory");
        strbuf_adds(&r->out, s);
        strbuf_addc(&r->out, '\n');
        free(s);
        r->ctype = "application/json; charset=utf-8";
        return status;
    }
    strbuf_adds(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    strbuf_addf(&r->out, "<%s>", root);
    xml_children(&r->out, root, j);
    strbuf_addf(&r->out, "</%s>\n", root);
    json_decref(j);
    r->ctype = "text/xml; charset=utf-8";
    return status;
}

/* An Open311 error: [{"code": status, "description": "..."}]. */
static int o311_error(struct http_req *r, enum fmt f, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int o311_error(struct http_req *r, enum fmt f, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return answer(r, status, f, "errors",
                  json_pack("[{s:i,s:s}]", "code", status, "description", msg));
}

/* The Open311 error of a coordination error. */
static int o311_fail(struct http_req *r, enum fmt f, const struct cscc_err *err)
{
    int status = http_status_of(err->code);

    if (err->code == CSCC_EIO || err->code == CSCC_ESTORE || err->code == CSCC_EBUSY ||
        err->code == CSCC_EROFS) {
        cscc_error("%s %s: %s", r->route ? r->route->name : "-", r->path, err->msg);
        http_req_header(r, "Retry-After", "60");
        if (err->code == CSCC_EROFS)
            return o311_error(r, f, 503, "%s", HTTP_MSG_READONLY);
        return o311_error(r, f, 503,
                          "the service cannot take requests now; nothing was stored; try again "
                          "later");
    }
    if (err->code == CSCC_ELIMIT)
        return o311_error(r, f, 429, "%s", err->msg);
    if (status >= 500) {
        cscc_error("%s %s: %s", r->route ? r->route->name : "-", r->path, err->msg);
        return o311_error(r, f, status, "internal error; the server log says more");
    }
    if (err->field[0])
        return o311_error(r, f, status, "%s: %s", err->field, err->msg);
    return o311_error(r, f, status, "%s", err->msg);
}

/* ------------------------------------------------------------------------ */
/* Discovery and services                                                    */
/* ------------------------------------------------------------------------ */

int http_h_o311_discovery(struct http_req *r)
{
    enum fmt f;
    char base[32];

    if (split_fmt(r->cap[0], base, sizeof(base), &f))
        return http_error(r, 404, "not_found", NULL, "use discovery.json or discovery.xml");
    return answer(r, 200, f, "discovery",
                  json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:[s,s]}]}", "changeset",
                            "2026-01-01T00:00:00Z", "contact",
                            "Community Safety Coordination Center", "key_service",
                            "API keys are issued by the CSCC's administrators", "endpoints",
                            "specification", O311_SPEC, "url", "/open311/v2", "changeset",
                            "2026-01-01T00:00:00Z", "type", "production", "formats", "text/xml",
                            "application/json"));
}

/* A service as Open311's services list writes it. */
static json_t *service_json(const struct coord_service *s)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:s,s:s,s:s}", "service_code", s->code, "service_name",
                     s->name, "description", s->description ? s->description : "", "metadata",
                     s->nattrs > 0, "type", "realtime", "keywords", s->keywords ? s->keywords : "",
                     "group", s->group ? s->group : "");
}

static int services_cb(void *arg, const struct coord_service *s)
{
    json_t *j = service_json(s);

    if (!j || json_array_append_new(arg, j))
        return CSCC_ENOMEM;
    return 0;
}

int http_h_o311_services(struct http_req *r)
{
    struct http_coord_ent *e;
    struct cscc_err err;
    enum fmt f;
    char base[32];
    json_t *arr;
    int rc;

    if (split_fmt(r->cap[0], base, sizeof(base), &f))
        return http_error(r, 404, "not_found", NULL, "use services.json or services.xml");
    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    arr = json_array();
    rc = coord_service_each(http_coord_of(e), 0, services_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        return o311_fail(r, f, &err);
    }
    return answer(r, 200, f, "services", arr);
}

/* A service definition: {service_code, attributes: [...]}. */
static int definition_cb(void *arg, const struct coord_service *s)
{
    json_t **out = arg, *attrs = json_array();
    size_t i, k;

    for (i = 0; i < s->nattrs; i++) {
        const struct coord_attr *a = &s->attrs[i];
        json_t *vals = json_array(), *j;

        for (k = 0; k < a->nvalues; k++)
            json_array_append_new(
                vals, json_pack("{s:s,s:s}", "key", a->values[k].key, "name", a->values[k].name));
        j = json_pack("{s:b,s:s,s:s,s:b,s:s,s:i,s:s,s:o}", "variable", a->variable, "code", a->code,
                      "datatype", coord_datatype_name(a->datatype), "required", a->required,
                      "datatype_description",
                      a->datatype_description ? a->datatype_description : "", "order", (int)i + 1,
                      "description", a->description ? a->description : "", "values", vals);
        if (!j || json_array_append_new(attrs, j)) {
            json_decref(attrs);
            return CSCC_ENOMEM;
        }
    }
    *out = json_pack("{s:s,s:o}", "service_code", s->code, "attributes", attrs);
    return *out ? 0 : CSCC_ENOMEM;
}

int http_h_o311_service(struct http_req *r)
{
    struct http_coord_ent *e;
    struct cscc_err err;
    enum fmt f;
    char code[128];
    json_t *j = NULL;
    int rc;

    if (split_fmt(r->cap[0], code, sizeof(code), &f))
        return http_error(r, 404, "not_found", NULL, "use services/CODE.json or services/CODE.xml");
    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    rc = coord_service_get(http_coord_of(e), code, definition_cb, &j, &err);
    http_coord_put(r->srv, e);
    if (rc == CSCC_ENOENT)
        return o311_error(r, f, 404, "service_code: there is no service '%.64s'", code);
    if (rc)
        return o311_fail(r, f, &err);
    return answer(r, 200, f, "service_definition", j);
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                  */
/* ------------------------------------------------------------------------ */

static void set_time(json_t *o, const char *key, int64_t t)
{
    char buf[40];

    if (!t) {
        json_object_set_new(o, key, json_null());
        return;
    }
    coord_format_time(t, buf, sizeof(buf));
    json_object_set_new(o, key, json_string(buf));
}

struct req_list {
    struct coord *c;
    json_t *arr;
    int extensions;
    int err;
};

struct notes {
    json_t *arr;
};

static int note_cb(void *arg, const struct coord_wo_event *ev)
{
    struct notes *n = arg;
    char buf[40];

    coord_format_time(ev->at, buf, sizeof(buf));
    json_array_append_new(n->arr, json_pack("{s:s,s:s,s:s,s:s}", "datetime", buf, "type",
                                            "activity", "summary", ev->to_state, "description",
                                            ev->public_note ? ev->public_note : ""));
    return 0;
}

/* A need as an Open311 service request: public fields only, whoever asks. */
static int request_cb(void *arg, const struct coord_need *n)
{
    struct req_list *l = arg;
    json_t *o;
    char id[24];

    if (coord_need_hidden(NULL, n))
        return 0; /* a person's record: not in Open311's public answers */
    o = json_object();
    snprintf(id, sizeof(id), "%lld", (long long)n->id);
    json_object_set_new(o, "service_request_id", json_string(id));
    json_object_set_new(o, "status", json_string(n->open ? "open" : "closed"));
    json_object_set_new(o, "status_notes", json_string(n->status_note ? n->status_note : ""));
    json_object_set_new(o, "service_name", json_string(n->service_name ? n->service_name : ""));
    json_object_set_new(o, "service_code", json_string(n->service));
    json_object_set_new(o, "description", json_string(n->description ? n->description : ""));
    json_object_set_new(o, "agency_responsible",
                        json_string(n->department_name ? n->department_name : ""));
    json_object_set_new(o, "service_notice", json_string(""));
    set_time(o, "requested_datetime", n->created_at);
    set_time(o, "updated_datetime", n->updated_at);
    set_time(o, "expected_datetime", n->due_at);
    json_object_set_new(o, "address", json_string(n->block && *n->block ? n->block : ""));
    json_object_set_new(o, "address_id", json_string(""));
    json_object_set_new(o, "zipcode", json_string(""));
    json_object_set_new(o, "lat", json_real(n->public_lat));
    json_object_set_new(o, "long", json_real(n->public_lon));
    json_object_set_new(o, "media_url", json_string(n->media_url ? n->media_url : ""));
    if (l->extensions) {
        struct notes nt = {json_array()};
        struct cscc_err err;
        json_t *x;

        cscc_err_clear(&err);
        if (n->workorder_id)
            coord_workorder_history(l->c, n->workorder_id, note_cb, &nt, &err);
        x = json_pack("{s:s,s:i,s:o,s:f,s:o}", "detailed_status", n->status ? n->status : "",
                      "community_area", n->area, "duplicate_of",
                      n->duplicate_of ? json_sprintf("%lld", (long long)n->duplicate_of)
                                      : json_null(),
                      "priority", n->score.score, "notes", nt.arr);
        json_object_set_new(o, "extended_attributes", x ? x : json_null());
    }
    if (json_array_append_new(l->arr, o))
        return CSCC_ENOMEM;
    return 0;
}

static const struct http_param_spec p_get_requests[] = {
    {"service_request_id", HTTP_P_STR, 0, 0, 0, NULL},
    {"service_code", HTTP_P_STR, 0, 0, 0, NULL},
    {"start_date", HTTP_P_STR, 0, 0, 0, NULL},
    {"end_date", HTTP_P_STR, 0, 0, 0, NULL},
    {"status", HTTP_P_LIST, 0, 0, 0, "open closed"},
    {"page", HTTP_P_UINT, 0, 1, 1000000, NULL},
    {"page_size", HTTP_P_UINT, 0, 1, O311_PAGE_MAX, NULL},
    {"extensions", HTTP_P_BOOL, 0, 0, 0, NULL},
    {"jurisdiction_id", HTTP_P_STR, 0, 0, 0, NULL},
    {"api_key", HTTP_P_STR, 0, 0, 0, NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static int get_requests(struct http_req *r, enum fmt f)
{
    int64_t ids[O311_MAX_IDS];
    struct coord_need_filter nf;
    struct http_coord_ent *e;
    struct req_list l;
    struct cscc_err err;
    const char *v;
    size_t page = 1, page_size = O311_PAGE_SIZE;
    int rc;

    cscc_err_clear(&err);
    if (http_params_check(&r->params, p_get_requests, &err))
        return o311_error(r, f, 400, "%s: %s", err.field, err.msg);
    memset(&nf, 0, sizeof(nf));
    if ((v = http_params_get(&r->params, "service_request_id"))) {
        const char *p = v;

        while (*p) {
            char *end;
            long long id;

            errno = 0;
            id = strtoll(p, &end, 10);
            if (end == p || errno || id < 1 || (*end && *end != ','))
                return o311_error(r, f, 400,
                                  "service_request_id: give request ids separated by commas");
            if (nf.nids >= O311_MAX_IDS)
                return o311_error(r, f, 400, "service_request_id: at most %d ids", O311_MAX_IDS);
            ids[nf.nids++] = id;
            p = *end ? end + 1 : end;
        }
        nf.ids = ids;
    }
    nf.service = http_params_get(&r->params, "service_code");
    if ((v = http_params_get(&r->params, "start_date"))) {
        if (coord_parse_time(v, &nf.from))
            return o311_error(r, f, 400, "start_date: not an ISO 8601 time (%.40s)", v);
        nf.has_from = 1;
    }
    if ((v = http_params_get(&r->params, "end_date"))) {
        if (coord_parse_time(v, &nf.to))
            return o311_error(r, f, 400, "end_date: not an ISO 8601 time (%.40s)", v);
        nf.has_to = 1;
    }
    if (!nf.nids && !nf.has_from) {
        /* The spec's default window: the last 90 days (before end_date when given). */
        nf.from = (nf.has_to ? nf.to : (int64_t)time(NULL)) - (int64_t)O311_DAYS * 86400;
        nf.has_from = 1;
    }
    if ((v = http_params_get(&r->params, "status"))) {
        int o = strstr(v, "open") != NULL, c = strstr(v, "closed") != NULL;

        nf.open = o && c ? 0 : o ? 1 : 2;
    }
    if ((v = http_params_get(&r->params, "page")))
        page = strtoul(v, NULL, 10);
    if ((v = http_params_get(&r->params, "page_size")))
        page_size = strtoul(v, NULL, 10);
    nf.limit = page_size;
    nf.offset = (page - 1) * page_size;
    nf.newest_first = 1;
    nf.by_time = 1;                   /* newest first by the time requested */
    coord_need_filter_for(&nf, NULL); /* Open311 answers everyone with the public view */
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    l.c = http_coord_of(e);
    l.arr = json_array();
    l.extensions = (v = http_params_get(&r->params, "extensions")) && http_parse_bool(v) == 1;
    rc = coord_need_each(l.c, &nf, request_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(l.arr);
        return o311_fail(r, f, &err);
    }
    return answer(r, 200, f, "service_requests", l.arr);
}

/*
 * The api_key of a POST: an API token of the access module (checked by the
 * server's authenticate callback, as if sent as "Authorization: Bearer"),
 * or one of the keys of `cscc serve --open311-keys FILE` (one a line), for
 * Open311 clients that are not users. 0 when valid.
 */
static int check_api_key(struct http_req *r, const char *key)
{
    const struct http_options *o = r->srv->opts;
    size_t klen = strlen(key);
    int ok = 0;

    if (!*key || klen > 200)
        return -1;
    if (o->authenticate || o->access) {
        struct http_auth_request ar;
        struct http_identity id;
        char auth[240];
        int rc;

        snprintf(auth, sizeof(auth), "Bearer %s", key);
        memset(&ar, 0, sizeof(ar));
        memset(&id, 0, sizeof(id));
        ar.method = "POST";
        ar.path = r->path;
        ar.authorization = auth;
        ar.address = r->who.address;
        rc = o->authenticate ? o->authenticate(o->auth_arg, &ar, &id)
                             : http_access_authenticate(o->access, &ar, &id);
        if (!rc && id.user[0]) {
            if (id.role > r->who.role)
                r->who = id;
            return 0;
        }
    }
    if (o->open311_keys) {
        const char *p = o->open311_keys;

        while (*p && !ok) {
            size_t n = strcspn(p, "\r\n");

            if (n == klen && !memcmp(p, key, n))
                ok = 1;
            p += n;
            p += strspn(p, "\r\n");
        }
    }
    if (ok && !r->who.user[0])
        snprintf(r->who.user, sizeof(r->who.user), "open311-client");
    return ok ? 0 : -1;
}

static int post_request(struct http_req *r, enum fmt f)
{
    struct coord_answer ans[COORD_MAX_ATTRS * 2];
    char codes[COORD_MAX_ATTRS * 2][72];
    struct coord_need_req q;
    struct coord_need_ack ack;
    struct coord_actor a;
    struct http_coord_ent *e;
    struct cscc_err err;
    const char *key = http_params_get(&r->params, "api_key");
    char id[24];
    int rc;

    cscc_err_clear(&err);
    if (r->body && !r->body_form && http_parse_json_body(r->body, r->body_len, 4, &r->params, &err))
        return o311_error(r, f, 400, "%s", err.msg);
    key = http_params_get(&r->params, "api_key");
    if (!key || !*key)
        return o311_error(r, f, 400, "api_key: an API key is required to submit a request");
    if (check_api_key(r, key))
        return o311_error(r, f, 403, "api_key: this API key is not valid");
    if (http_need_req_from_params(r, &q, ans, codes, COORD_MAX_ATTRS * 2, "open311", &err))
        return o311_fail(r, f, &err);
    if (http_coord_ratelimit(r, &err))
        return o311_fail(r, f, &err);
    http_coord_actor(r, &a);
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    rc = coord_need_add(http_coord_of(e), &a, &q, &ack, &err);
    http_coord_put(r->srv, e);
    if (rc)
        return o311_fail(r, f, &err);
    snprintf(id, sizeof(id), "%lld", (long long)ack.id);
    return answer(r, 201, f, "service_requests",
                  json_pack("[{s:s,s:s,s:s,s:n}]", "service_request_id", id, "token", ack.token,
                            "service_notice",
                            ack.duplicate_of ? "reported already: this request follows an "
                                               "earlier one nearby"
                                             : "",
                            "account_id"));
}

int http_h_o311_requests(struct http_req *r)
{
    enum fmt f;
    char base[32];

    if (split_fmt(r->cap[0], base, sizeof(base), &f))
        return http_error(r, 404, "not_found", NULL, "use requests.json or requests.xml");
    if (r->method == HTTP_POST)
        return post_request(r, f);
    return get_requests(r, f);
}

int http_h_o311_request(struct http_req *r)
{
    struct http_coord_ent *e;
    struct req_list l;
    struct cscc_err err;
    enum fmt f;
    char idtxt[32], *end;
    long long id;
    int rc;

    if (split_fmt(r->cap[0], idtxt, sizeof(idtxt), &f))
        return http_error(r, 404, "not_found", NULL, "use requests/ID.json or requests/ID.xml");
    errno = 0;
    id = strtoll(idtxt, &end, 10);
    if (!idtxt[0] || *end || errno || id < 1)
        return o311_error(r, f, 404, "service_request_id: there is no request '%.20s'", idtxt);
    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    l.c = http_coord_of(e);
    l.arr = json_array();
    l.extensions = 1;
    {
        const char *v = http_params_get(&r->params, "extensions");

        l.extensions = v && http_parse_bool(v) == 1;
    }
    rc = coord_need_get(l.c, id, request_cb, &l, &err);
    http_coord_put(r->srv, e);
    if (!rc && !json_array_size(l.arr)) { /* hidden: as for a request that does not exist */
        rc = CSCC_ENOENT;
    }
    if (rc) {
        json_decref(l.arr);
        if (rc == CSCC_ENOENT)
            return o311_error(r, f, 404, "service_request_id: there is no request %lld", id);
        return o311_fail(r, f, &err);
    }
    return answer(r, 200, f, "service_requests", l.arr);
}

static int token_cb(void *arg, const struct coord_need *n)
{
    char id[24];

    snprintf(id, sizeof(id), "%lld", (long long)n->id);
    return json_array_append_new(
               arg, json_pack("{s:s,s:s}", "service_request_id", id, "token", n->token))
               ? CSCC_ENOMEM
               : 0;
}

int http_h_o311_token(struct http_req *r)
{
    struct http_coord_ent *e;
    struct cscc_err err;
    enum fmt f;
    char token[64];
    json_t *arr;
    int rc;

    if (split_fmt(r->cap[0], token, sizeof(token), &f))
        return http_error(r, 404, "not_found", NULL, "use tokens/TOKEN.json or tokens/TOKEN.xml");
    cscc_err_clear(&err);
    if (!(e = http_coord_get(r, &err)))
        return o311_fail(r, f, &err);
    arr = json_array();
    rc = coord_need_get_by_token(http_coord_of(e), token, token_cb, arr, &err);
    http_coord_put(r->srv, e);
    if (rc) {
        json_decref(arr);
        if (rc == CSCC_ENOENT)
            return o311_error(r, f, 404, "token: there is no request with this token");
        return o311_fail(r, f, &err);
    }
    return answer(r, 200, f, "service_requests", arr);
}
