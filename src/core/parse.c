/* The one decimal number syntax of every input file and option (docs/conventions.md):
 *   [+-]? ( D+ ( "." D* )? | "." D+ ) ( [eE] [+-]? D+ )?
 * checked before strtod sees the text, so strtod's other forms (hex floats, "inf", "nan",
 * "infinity", leading blanks) never reach a value. strtod runs in the C locale (nothing calls
 * setlocale), so the point is always '.'. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static int digit(char c) { return c >= '0' && c <= '9'; }

/* length of the longest prefix of s[0..len) in the syntax, 0 if none */
static size_t decimal_prefix(const char *s, size_t len)
{
    size_t p = 0, digits = 0;
    if (p < len && (s[p] == '+' || s[p] == '-'))
        p++;
    while (p < len && digit(s[p]))
        p++, digits++;
    if (p < len && s[p] == '.') {
        p++;
        while (p < len && digit(s[p]))
            p++, digits++;
    }
    if (digits == 0)
        return 0;
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        size_t q = p + 1, ed = 0;
        if (q < len && (s[q] == '+' || s[q] == '-'))
            q++;
        while (q < len && digit(s[q]))
            q++, ed++;
        if (ed == 0)
            return 0; /* "1e" or "1e+": not a number (rather than the number 1 and junk) */
        p = q;
    }
    return p;
}

/* s[len] == '\0' */
static as_status parse_terminated(const char *s, size_t len, double *out)
{
    if (len == 0 || decimal_prefix(s, len) != len)
        return AS_EPARSE;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if ((size_t)(end - s) != len)
        return AS_EPARSE;
    if ((errno == ERANGE && fabs(v) > 1.0) || !isfinite(v)) /* overflow; underflow is kept */
        return AS_EINVAL;
    if (out)
        *out = v;
    return AS_OK;
}

as_status as_parse_double_n(const char *text, size_t len, double *out)
{
    if (!text || len == 0)
        return AS_EPARSE;
    char small[128], *buf = small;
    if (len >= sizeof small && !(buf = as_malloc(len + 1)))
        return AS_ENOMEM;
    memcpy(buf, text, len);
    buf[len] = '\0';
    as_status st = parse_terminated(buf, len, out);
    if (buf != small)
        as_free(buf);
    return st;
}

as_status as_parse_double(const char *text, double *out)
{
    if (!text)
        return AS_EPARSE;
    return parse_terminated(text, strlen(text), out);
}
