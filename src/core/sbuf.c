/* The library's growable string (core_int.h): appends never fail loudly; after an allocation
 * failure `oom` is set and later appends are ignored, so a builder checks once at the end. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

void as_sbuf_free(as_sbuf *b)
{
    as_free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

void as_sbuf_reset(as_sbuf *b)
{
    b->n = 0;
    if (b->s)
        b->s[0] = '\0';
}

static int sbuf_reserve(as_sbuf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->n + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + extra + 1)
        cap *= 2;
    char *s = as_realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return 0;
    }
    b->s = s;
    b->cap = cap;
    return 1;
}

void as_sbuf_putn(as_sbuf *b, const char *s, size_t n)
{
    if (!sbuf_reserve(b, n))
        return;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void as_sbuf_puts(as_sbuf *b, const char *s)
{
    if (s)
        as_sbuf_putn(b, s, strlen(s));
}

void as_sbuf_printf(as_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || !sbuf_reserve(b, (size_t)k))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

as_status as_sbuf_status(const as_sbuf *b, const char *what)
{
    if (b->oom)
        return AS_FAIL(AS_ENOMEM, "out of memory building %s", what);
    return AS_OK;
}
