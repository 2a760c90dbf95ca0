/**
 * catalog.h - the service catalogue (Open311 GeoReport v2 "services") and
 * the City departments work is routed to.
 *
 * Each service has a code, a name, a group, a default department, a
 * deadline (in hours; written "48h" or "3d"), a weight for priority, and
 * attributes: the questions asked at intake, with Open311's datatypes
 * (string, number, datetime, text, singlevaluelist, multivaluelist) and,
 * for lists, their values. Coordinators edit it; the defaults ship in
 * data/reference/services.json and `cscc init` loads the services not
 * already stored (a coordinator's edits are kept).
 *
 * See coord.h for the conventions.
 */
#ifndef CSCC_COORD_CATALOG_H
#define CSCC_COORD_CATALOG_H

#include "coord/coord.h"

/* ------------------------------------------------------------------------ */
/* Departments                                                               */
/* ------------------------------------------------------------------------ */

struct coord_department {
    const char *code; /* "DSS": 1-32 of A-Z a-z 0-9 _ - */
    const char *name; /* "Department of Streets and Sanitation" */
    int active;
};

/** Creates or replaces a department; needs COORD_CATALOG_EDIT. Field errors: code, name. */
int coord_department_put(struct coord *c, const struct coord_actor *a,
                         const struct coord_department *d, struct cscc_err *err);
typedef int (*coord_department_fn)(void *arg, const struct coord_department *d);
int coord_department_each(struct coord *c, coord_department_fn fn, void *arg, struct cscc_err *err);
/** 1 when code is a stored, active department, 0 when not, or a negative code on error. */
int coord_department_exists(struct coord *c, const char *code, struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Services                                                                  */
/* ------------------------------------------------------------------------ */

/** Open311 attribute datatypes. */
enum coord_datatype {
    COORD_DT_STRING = 0, /* one line, up to 255 characters */
    COORD_DT_NUMBER,     /* a finite decimal number */
    COORD_DT_DATETIME,   /* ISO 8601 */
    COORD_DT_TEXT,       /* up to 4000 characters */
    COORD_DT_SINGLEVALUELIST,
    COORD_DT_MULTIVALUELIST,
    COORD_NDATATYPES
};
/** "string", "number", ... */
const char *coord_datatype_name(enum coord_datatype t);
/** The datatype named s, or -1. */
int coord_datatype_by_name(const char *s);

struct coord_attr_value {
    const char *key;  /* what is stored and sent: "YES" */
    const char *name; /* what people read: "Yes" */
};

/** One question of a service (an Open311 attribute). */
struct coord_attr {
    const char *code; /* 1-64 of A-Z a-z 0-9 _ - */
    enum coord_datatype datatype;
    int required;
    int variable;                     /* 1: the reporter answers it; 0: information only */
    const char *description;          /* the question */
    const char *datatype_description; /* a hint, may be "" */
    const struct coord_attr_value *values;
    size_t nvalues; /* list types: at least 1 */
};

#define COORD_MAX_ATTRS  32
#define COORD_MAX_VALUES 64

/** A service of the catalogue. */
struct coord_service {
    const char *code;        /* 1-64 of A-Z a-z 0-9 _ - . */
    const char *name;        /* 1-200 */
    const char *group;       /* "Streets and lights", may be "" */
    const char *description; /* may be "" */
    const char *keywords;    /* comma-separated, may be "" */
    const char *department;  /* default department's code */
    int deadline_hours;      /* > 0 */
    double weight;           /* priority weight, 0-10; 1 is ordinary */
    int active;              /* 0: retired, refused at intake */
    const struct coord_attr *attrs;
    size_t nattrs;
    int64_t updated_at; /* output only */
    int is_private;     /* 1: its needs are a person's record (a victim services referral):
                           never in a public view, whoever reported them */
};

/**
 * Creates or replaces the service with s->code (its attributes replaced
 * whole); needs COORD_CATALOG_EDIT. Field errors: service_code, service_name,
 * group, department (none such), deadline, weight, attributes[i].code,
 * attributes[i].datatype, attributes[i].values, ... Needs already reported
 * keep their answers.
 */
int coord_service_put(struct coord *c, const struct coord_actor *a, const struct coord_service *s,
                      struct cscc_err *err);
/** Retires (active 0) or restores a service; needs COORD_CATALOG_EDIT. */
int coord_service_set_active(struct coord *c, const struct coord_actor *a, const char *code,
                             int active, struct cscc_err *err);

typedef int (*coord_service_fn)(void *arg, const struct coord_service *s);
/** One service with its attributes, or CSCC_ENOENT (field service_code). */
int coord_service_get(struct coord *c, const char *code, coord_service_fn fn, void *arg,
                      struct cscc_err *err);
/** Services by group then code; retired ones too when with_inactive. */
int coord_service_each(struct coord *c, int with_inactive, coord_service_fn fn, void *arg,
                       struct cscc_err *err);
/**
 * s as JSON: the Open311 service fields (service_code, service_name,
 * description, metadata, type, keywords, group) plus department,
 * deadline_hours, weight, active and, when with_attrs, "attributes" as
 * Open311's service definition writes them (variable, code, datatype,
 * required, datatype_description, order, description, values).
 */
json_t *coord_service_json(const struct coord_service *s, int with_attrs);

/** Writes hours as "3d" when whole days, else "36h", into buf. */
void coord_format_deadline(int hours, char *buf, size_t cap);
/** Parses "48h", "3d", "48" (hours) into hours: 1 h to 365 d. 0 or CSCC_EINVAL. */
int coord_parse_deadline(const char *s, int *hours);

/* ------------------------------------------------------------------------ */
/* Answers to a service's questions                                          */
/* ------------------------------------------------------------------------ */

/** One answer: a multivaluelist takes several answers with the same attr. */
struct coord_answer {
    const char *attr;
    const char *value;
};

/**
 * Checks answers against service s: each names a variable attribute of s,
 * values fit the datatype (numbers parse whole and are finite, datetimes are
 * ISO 8601, list values are keys of the list, a singlevaluelist or a
 * non-list attribute has one answer, no list value twice), every required
 * attribute is answered, and nothing is longer than its datatype allows. A
 * pure function. CSCC_EINVAL with err->field "attribute[CODE]".
 */
int coord_answers_check(const struct coord_service *s, const struct coord_answer *ans, size_t n,
                        struct cscc_err *err);

/* ------------------------------------------------------------------------ */
/* Loading a catalogue                                                       */
/* ------------------------------------------------------------------------ */

/**
 * A service read from JSON: {"service_code", "service_name", "group",
 * "description", "keywords", "department", "deadline" ("48h", "3d" or hours),
 * "weight", "active", "attributes": [{"code", "datatype", "required",
 * "variable", "description", "datatype_description", "values": [{"key",
 * "name"}]}]}. Unknown keys are refused (field named). Strings point into
 * the JSON document, which must outlive the result; free with
 * coord_service_parsed_free.
 */
struct coord_service_parsed;
struct coord_service_parsed *coord_service_from_json(const json_t *j, struct cscc_err *err);
const struct coord_service *coord_service_parsed_get(const struct coord_service_parsed *p);
void coord_service_parsed_free(struct coord_service_parsed *p);

/** What loading a catalogue did. */
struct coord_catalog_load {
    size_t departments; /* stored (new or replaced) */
    size_t services;    /* stored */
    size_t kept;        /* already stored and left as they were (replace 0) */
};

/**
 * Loads a catalogue document {"departments": [{"code", "name"}], "services":
 * [...]} in one transaction. Departments are always stored (created or
 * renamed); a service already stored is replaced only when replace is 1.
 * Needs COORD_CATALOG_EDIT. Errors name the element: "services[3].deadline".
 */
int coord_catalog_load_json(struct coord *c, const struct coord_actor *a, const json_t *doc,
                            int replace, struct coord_catalog_load *out, struct cscc_err *err);
/** The same from a file (at most 4 MiB); the error carries the file name. */
int coord_catalog_load_file(struct coord *c, const struct coord_actor *a, const char *path,
                            int replace, struct coord_catalog_load *out, struct cscc_err *err);

#endif
