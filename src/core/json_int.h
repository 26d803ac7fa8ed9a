/* Internal JSON helpers over cJSON (the only place cJSON is seen is json.c). Used by every area
 * for model files and results. Doubles are printed so that they round-trip. */
#ifndef AS_JSON_INT_H
#define AS_JSON_INT_H

#include "core_int.h"

typedef struct as_json as_json; /* a cJSON node */

as_json *as_json_object(void);
as_json *as_json_array(void);
void as_json_free(as_json *j);
/* Setters return AS_ENOMEM on failure. set_child and push take ownership of child (also on
 * failure). */
as_status as_json_set_num(as_json *obj, const char *key, double v);
as_status as_json_set_str(as_json *obj, const char *key, const char *s);
as_status as_json_set_bool(as_json *obj, const char *key, int v);
as_status as_json_set_doubles(as_json *obj, const char *key, const double *v, size_t n);
as_status as_json_set_child(as_json *obj, const char *key, as_json *child);
as_status as_json_push(as_json *arr, as_json *child);
as_status as_json_push_num(as_json *arr, double v);
as_status as_json_push_str(as_json *arr, const char *s);

/* Getters: borrowed pointers valid while the root lives. Missing keys or wrong types give
 * AS_EPARSE with a message naming `where` and the key. */
as_json *as_json_get(const as_json *obj, const char *key); /* NULL when absent */
size_t as_json_size(const as_json *arr);                    /* 0 for a non-array */
as_json *as_json_at(const as_json *arr, size_t i);
int as_json_is_number(const as_json *j);
double as_json_number(const as_json *j);       /* NAN for a non-number */
const char *as_json_string(const as_json *j);  /* NULL for a non-string */
as_status as_json_get_num(const as_json *obj, const char *key, const char *where, double *out);
as_status as_json_get_str(const as_json *obj, const char *key, const char *where,
                          const char **out);
/* Read an array of exactly n numbers. */
as_status as_json_get_doubles(const as_json *obj, const char *key, const char *where, double *v,
                              size_t n);

/* Write the document (pretty-printed) to path atomically. */
as_status as_json_write_file(const as_json *j, const char *path);
/* Print to a new string (free with as_free). */
char *as_json_print(const as_json *j);
/* Parse a file. A syntax error names the file, line and column. */
as_status as_json_read_file(const char *path, as_json **out);
as_status as_json_parse(const char *text, const char *name, as_json **out);

#endif
