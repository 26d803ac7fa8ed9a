/* Allocation with a failure-injection hook for tests, and the log sink. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static _Thread_local size_t as_alloc_count;
static _Thread_local size_t as_alloc_fail_at; /* 0: never fail */

size_t as_alloc_fail_after(size_t k)
{
    size_t n = as_alloc_count;
    as_alloc_count = 0;
    as_alloc_fail_at = k;
    return n;
}

static int as_alloc_should_fail(void)
{
    as_alloc_count++;
    return as_alloc_fail_at != 0 && as_alloc_count >= as_alloc_fail_at;
}

void *as_malloc(size_t size)
{
    if (as_alloc_should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *as_calloc(size_t n, size_t size)
{
    if (as_alloc_should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *as_realloc(void *p, size_t size)
{
    if (as_alloc_should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void as_free(void *p) { free(p); }

char *as_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = as_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

as_status as_alloc_array(void **out, size_t n, size_t size, const char *what)
{
    *out = NULL;
    if (size && n > (size_t)-1 / size)
        return AS_FAIL(AS_ENOMEM, "%s: %zu elements of %zu bytes overflow", what, n, size);
    *out = as_calloc(n, size);
    if (!*out)
        return AS_FAIL(AS_ENOMEM, "%s: cannot allocate %zu bytes", what, n * size);
    return AS_OK;
}

static as_log_fn as_log_sink;
static void *as_log_user;

void as_set_log(as_log_fn fn, void *user)
{
    as_log_sink = fn;
    as_log_user = user;
}

void as_log(as_log_level level, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    if (!as_log_sink)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    as_log_sink(level, buf, as_log_user);
}
