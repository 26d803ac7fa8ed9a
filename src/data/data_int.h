/* Private helpers of the data area: small string helpers. (The JSON (de)serializers of schemas
 * and scalers are public: data.h.) */
#ifndef AS_DATA_INT_H
#define AS_DATA_INT_H

#include "alloyscout/data.h"
#include "json_int.h"

/* Bounds [*b, *e) of `s` without surrounding spaces and tabs. */
void as_data_trim(const char *s, const char **b, const char **e);
/* Copy of s[0..n) as a new NUL-terminated string (as_malloc), NULL on failure. */
char *as_data_strndup(const char *s, size_t n);

#endif
