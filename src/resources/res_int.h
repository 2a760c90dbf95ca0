/* res_int.h - what the files of src/resources share. */
#ifndef CSCC_RESOURCES_RES_INT_H
#define CSCC_RESOURCES_RES_INT_H

#include "resources/resources.h"

/* Sets err->field (printf-style) and returns err->code. */
int res_err_field(struct cscc_err *err, const char *field);
/* Checks one area / every area of a list / an organization id, naming field in errors. */
int res_check_area(struct store *st, int area, const char *field, struct cscc_err *err);
int res_check_areas(struct store *st, const int *areas, size_t n, struct cscc_err *err);
int res_check_org(struct store *st, int64_t org, const char *field, struct cscc_err *err);

/* A list of integers read with one query (its first column). */
struct res_int_list {
    int64_t v[RES_MAX_AREAS];
    size_t n;
};
int res_int_list_read(struct store *st, const char *sql, int64_t id, struct res_int_list *l,
                      struct cscc_err *err);

#endif
