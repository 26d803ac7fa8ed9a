/* Status codes and the per-thread failure message. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

static _Thread_local char as_msg[2048];

const char *as_errmsg(void) { return as_msg; }

const char *as_strerror(as_status st)
{
    switch (st) {
    case AS_OK: return "success";
    case AS_ENOMEM: return "out of memory";
    case AS_EINVAL: return "invalid argument";
    case AS_EDIM: return "dimension mismatch";
    case AS_EIO: return "input/output error";
    case AS_EPARSE: return "parse error";
    case AS_ENOTPD: return "matrix not positive definite";
    case AS_ENOCONV: return "no convergence";
    case AS_EDB: return "database error";
    case AS_EORACLE: return "energy oracle failed";
    case AS_EUNSUP: return "not supported";
    case AS_EINTR: return "interrupted by a signal";
    case AS_ETIMEOUT: return "timed out";
    }
    return "unknown status";
}

as_status as_error_set(as_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(as_msg, sizeof as_msg, fmt, ap);
    va_end(ap);
    return st;
}

as_status as_error_prefix(as_status st, const char *fmt, ...)
{
    char head[1024], old[sizeof as_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, as_msg, sizeof old);
    size_t n = strlen(head);
    if (n > sizeof as_msg - 3)
        n = sizeof as_msg - 3;
    memcpy(as_msg, head, n);
    memcpy(as_msg + n, ": ", 2);
    size_t room = sizeof as_msg - n - 3, m = strlen(old);
    if (m > room)
        m = room;
    memcpy(as_msg + n + 2, old, m);
    as_msg[n + 2 + m] = '\0';
    return st;
}

const char *as_version(void) { return "0.1.0"; }
