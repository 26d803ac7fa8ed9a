/* alloyscout JSON documents: a small builder and reader over cJSON for model files and results
 * (cJSON itself is seen only in src/core/json.c). Doubles are printed so that they read back
 * bit for bit. Every document and node is an opaque as_json. */
#ifndef ALLOYSCOUT_JSON_H
#define ALLOYSCOUT_JSON_H

#include <stddef.h>

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct as_json as_json; /* a cJSON node */

AS_API as_json *as_json_object(void);
AS_API as_json *as_json_array(void);
AS_API void as_json_free(as_json *j);
/* Setters return AS_ENOMEM on failure. set_child and push take ownership of child (also on
 * failure). */
AS_API as_status as_json_set_num(as_json *obj, const char *key, double v);
AS_API as_status as_json_set_str(as_json *obj, const char *key, const char *s);
AS_API as_status as_json_set_bool(as_json *obj, const char *key, int v);
AS_API as_status as_json_set_doubles(as_json *obj, const char *key, const double *v, size_t n);
AS_API as_status as_json_set_child(as_json *obj, const char *key, as_json *child);
AS_API as_status as_json_push(as_json *arr, as_json *child);
AS_API as_status as_json_push_num(as_json *arr, double v);
AS_API as_status as_json_push_str(as_json *arr, const char *s);

/* Getters: borrowed pointers valid while the root lives. Missing keys or wrong types give
 * AS_EPARSE with a message naming `where` and the key. */
AS_API as_json *as_json_get(const as_json *obj, const char *key); /* NULL when absent */
AS_API size_t as_json_size(const as_json *arr);                   /* 0 for a non-array */
AS_API as_json *as_json_at(const as_json *arr, size_t i);
AS_API int as_json_is_number(const as_json *j);
AS_API int as_json_is_true(const as_json *j);        /* 1 for the boolean true only */
AS_API double as_json_number(const as_json *j);      /* NAN for a non-number */
AS_API const char *as_json_string(const as_json *j); /* NULL for a non-string */
AS_API as_status as_json_get_num(const as_json *obj, const char *key, const char *where,
                                 double *out);
AS_API as_status as_json_get_str(const as_json *obj, const char *key, const char *where,
                                 const char **out);
/* Read an array of exactly n numbers. */
AS_API as_status as_json_get_doubles(const as_json *obj, const char *key, const char *where,
                                     double *v, size_t n);

/* Write the document (pretty-printed) to path atomically. */
AS_API as_status as_json_write_file(const as_json *j, const char *path);
/* Print to a new string (free with as_free). */
AS_API char *as_json_print(const as_json *j);
/* Parse a file. A syntax error names the file, line and column. */
AS_API as_status as_json_read_file(const char *path, as_json **out);
AS_API as_status as_json_parse(const char *text, const char *name, as_json **out);

#ifdef __cplusplus
}
#endif
#endif
