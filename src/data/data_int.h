/* Private helpers of the data area: JSON (de)serialization of schemas and scalers for model
 * files (used by the mlp/evaluate areas as "data/data_int.h"), and small string helpers. */
#ifndef AS_DATA_INT_H
#define AS_DATA_INT_H

#include "alloyscout/data.h"
#include "json_int.h"

/* Schema <-> JSON object:
 *   {"target": "y", "positive": "ok", "group": "system",
 *    "columns": [{"name": "T", "type": "number"},
 *                {"name": "route", "type": "text", "levels": ["a", "b"]}]}
 * "target", "positive" and "group" are omitted when absent. OUT: *out new object / schema, NULL
 * on failure. from_json: AS_EPARSE naming the key for a missing or mistyped member, an unknown
 * type, duplicate column names, or levels that are not unique and sorted; AS_ENOMEM. */
as_status as_schema_to_json(const as_schema *s, as_json **out);
as_status as_schema_from_json(const as_json *j, as_schema **out);

/* Scaler <-> JSON object {"mean": [...], "scale": [...]} (equal lengths >= 1, finite, scale > 0).
 * from_json: AS_EPARSE naming the problem; AS_ENOMEM. */
as_status as_scaler_to_json(const as_scaler *s, as_json **out);
as_status as_scaler_from_json(const as_json *j, as_scaler **out);

/* Bounds [*b, *e) of `s` without surrounding spaces and tabs. */
void as_data_trim(const char *s, const char **b, const char **e);
/* Copy of s[0..n) as a new NUL-terminated string (as_malloc), NULL on failure. */
char *as_data_strndup(const char *s, size_t n);

#endif
