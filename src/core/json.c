/* JSON through cJSON: the only file that includes cJSON.h. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_int.h"

#define J(x) ((cJSON *)(x))

static int as_json_hooks_set;
static void as_json_init(void)
{
    if (!as_json_hooks_set) {
        cJSON_Hooks h = {as_malloc, as_free};
        cJSON_InitHooks(&h);
        as_json_hooks_set = 1;
    }
}

/* cJSON prints numbers with %.15g and accepts an approximate read-back, which does not
 * round-trip. Print the shortest of %.15g/%.16g/%.17g that reads back bit for bit and store it
 * as raw text; NaN and infinities become null (JSON has no such numbers). */
static cJSON *as_json_number_node(double v)
{
    char buf[40];
    if (!isfinite(v))
        return cJSON_CreateNull();
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return cJSON_CreateRaw(buf);
}

as_json *as_json_object(void)
{
    as_json_init();
    return (as_json *)cJSON_CreateObject();
}
as_json *as_json_array(void)
{
    as_json_init();
    return (as_json *)cJSON_CreateArray();
}
void as_json_free(as_json *j)
{
    if (j)
        cJSON_Delete(J(j));
}

static as_status as_json_attach(as_json *obj, const char *key, cJSON *item)
{
    if (!item || !obj)
        goto nomem;
    if (cJSON_GetObjectItemCaseSensitive(J(obj), key))
        cJSON_DeleteItemFromObjectCaseSensitive(J(obj), key);
    if (!cJSON_AddItemToObject(J(obj), key, item)) {
        cJSON_Delete(item);
        goto nomem;
    }
    return AS_OK;
nomem:
    return AS_FAIL(AS_ENOMEM, "json: cannot store key '%s'", key);
}

as_status as_json_set_num(as_json *obj, const char *key, double v)
{
    /* JSON has no NaN/Inf: store them as null so the file stays valid. */
    return as_json_attach(obj, key, as_json_number_node(v));
}

as_status as_json_set_str(as_json *obj, const char *key, const char *s)
{
    return as_json_attach(obj, key, cJSON_CreateString(s ? s : ""));
}

as_status as_json_set_bool(as_json *obj, const char *key, int v)
{
    return as_json_attach(obj, key, cJSON_CreateBool(v));
}

as_status as_json_set_doubles(as_json *obj, const char *key, const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *x = as_json_number_node(v[i]);
        if (!x || !cJSON_AddItemToArray(a, x)) {
            cJSON_Delete(x);
            cJSON_Delete(a);
            a = NULL;
        }
    }
    return as_json_attach(obj, key, a);
}

as_status as_json_set_child(as_json *obj, const char *key, as_json *child)
{
    return as_json_attach(obj, key, J(child));
}

as_status as_json_push(as_json *arr, as_json *child)
{
    if (!child || !arr || !cJSON_AddItemToArray(J(arr), J(child))) {
        if (child)
            cJSON_Delete(J(child));
        return AS_FAIL(AS_ENOMEM, "json: cannot append to an array");
    }
    return AS_OK;
}

as_status as_json_push_num(as_json *arr, double v)
{
    return as_json_push(arr, (as_json *)as_json_number_node(v));
}

as_status as_json_push_str(as_json *arr, const char *s)
{
    return as_json_push(arr, (as_json *)cJSON_CreateString(s));
}

as_json *as_json_get(const as_json *obj, const char *key)
{
    return obj ? (as_json *)cJSON_GetObjectItemCaseSensitive(J(obj), key) : NULL;
}

size_t as_json_size(const as_json *arr)
{
    return arr && cJSON_IsArray(J(arr)) ? (size_t)cJSON_GetArraySize(J(arr)) : 0;
}

as_json *as_json_at(const as_json *arr, size_t i)
{
    return (as_json *)cJSON_GetArrayItem(J(arr), (int)i);
}
/* Numbers built in memory are raw text nodes (see as_json_number_node); parsed ones are numbers. */
int as_json_is_number(const as_json *j) { return j && (cJSON_IsNumber(J(j)) || cJSON_IsRaw(J(j))); }
int as_json_is_true(const as_json *j) { return j && cJSON_IsTrue(J(j)); }
double as_json_number(const as_json *j)
{
    if (j && cJSON_IsRaw(J(j)))
        return strtod(J(j)->valuestring, NULL);
    return j && cJSON_IsNumber(J(j)) ? J(j)->valuedouble : NAN;
}
const char *as_json_string(const as_json *j)
{
    return j && cJSON_IsString(J(j)) ? J(j)->valuestring : NULL;
}

as_status as_json_get_num(const as_json *obj, const char *key, const char *where, double *out)
{
    as_json *j = as_json_get(obj, key);
    if (!j)
        return AS_FAIL(AS_EPARSE, "%s: missing key '%s'", where, key);
    if (cJSON_IsNull(J(j))) {
        *out = NAN;
        return AS_OK;
    }
    if (!as_json_is_number(j))
        return AS_FAIL(AS_EPARSE, "%s: key '%s' is not a number", where, key);
    *out = as_json_number(j);
    return AS_OK;
}

as_status as_json_get_str(const as_json *obj, const char *key, const char *where, const char **out)
{
    as_json *j = as_json_get(obj, key);
    if (!j)
        return AS_FAIL(AS_EPARSE, "%s: missing key '%s'", where, key);
    if (!as_json_string(j))
        return AS_FAIL(AS_EPARSE, "%s: key '%s' is not a string", where, key);
    *out = as_json_string(j);
    return AS_OK;
}

as_status as_json_get_doubles(const as_json *obj, const char *key, const char *where, double *v,
                              size_t n)
{
    as_json *a = as_json_get(obj, key);
    if (!a || !cJSON_IsArray(J(a)))
        return AS_FAIL(AS_EPARSE, "%s: missing array '%s'", where, key);
    if (as_json_size(a) != n)
        return AS_FAIL(AS_EPARSE, "%s: array '%s' has %zu values, expected %zu", where, key,
                       as_json_size(a), n);
    size_t i = 0;
    cJSON *x;
    cJSON_ArrayForEach(x, J(a))
    {
        if (cJSON_IsNull(x))
            v[i++] = NAN;
        else if (as_json_is_number((as_json *)x))
            v[i++] = as_json_number((as_json *)x);
        else
            return AS_FAIL(AS_EPARSE, "%s: array '%s' element %zu is not a number", where, key, i);
    }
    return AS_OK;
}

char *as_json_print(const as_json *j)
{
    as_json_init();
    return cJSON_Print(J(j));
}

as_status as_json_write_file(const as_json *j, const char *path)
{
    char *text = as_json_print(j);
    if (!text)
        return AS_FAIL(AS_ENOMEM, "json: cannot print the document for %s", path);
    size_t len = strlen(text), bad = as_utf8_invalid(text, len);
    if (bad < len) { /* every file alloyscout writes is UTF-8 (cJSON passes bytes >= 0x80) */
        unsigned byte = (unsigned char)text[bad];
        as_free(text);
        return AS_FAIL(AS_EINVAL, "json: %s would hold a byte 0x%02X that is not UTF-8", path,
                       byte);
    }
    as_outfile *o;
    as_status st = as_outfile_open(path, &o);
    if (st == AS_OK) {
        fputs(text, as_outfile_stream(o));
        fputc('\n', as_outfile_stream(o));
        st = as_outfile_commit(o);
    }
    as_free(text);
    return st;
}

as_status as_json_parse(const char *text, const char *name, as_json **out)
{
    as_json_init();
    const char *end = NULL;
    *out = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
    if (!root) {
        size_t line = 1, col = 1;
        const char *p = text, *stop = end ? end : text;
        for (; *p && p < stop; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (end && !*end)
            return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: truncated JSON document", name, line, col);
        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: invalid JSON", name, line, col);
    }
    *out = (as_json *)root;
    return AS_OK;
}

as_status as_read_file(const char *path, const char *what, char **text, size_t *len)
{
    *text = NULL;
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f)
        return AS_FAIL(AS_EIO, "cannot open %s%s%s: %s", what ? what : "", what ? " " : "", path,
                       strerror(errno));
    size_t cap = 1 << 12, n = 0;
    char *buf = as_malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *nb = as_realloc(buf, cap * 2);
        if (!nb) {
            as_free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    if (!is_stdin)
        fclose(f);
    if (!buf)
        return AS_FAIL(AS_ENOMEM, "cannot read %s%s%s: out of memory", what ? what : "",
                       what ? " " : "", path);
    if (bad) {
        as_free(buf);
        return AS_FAIL(AS_EIO, "cannot read %s%s%s", what ? what : "", what ? " " : "", path);
    }
    buf[n] = '\0';
    *text = buf;
    if (len)
        *len = n;
    return AS_OK;
}

as_status as_json_read_file(const char *path, as_json **out)
{
    *out = NULL;
    char *buf;
    AS_TRY(as_read_file(path, NULL, &buf, NULL));
    as_status st = as_json_parse(buf, path, out);
    as_free(buf);
    return st;
}
