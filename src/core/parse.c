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

/* Offset of the first byte of s[0..len) that does not belong to a well-formed UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or len when all is. */
size_t as_utf8_invalid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return i;
        for (size_t q = 1; q <= k; q++) {
            if (i + q >= len)
                return i;
            unsigned d = s[i + q];
            if (d < (q == 1 ? lo : 0x80) || d > (q == 1 ? hi : 0xBF))
                return i;
        }
        i += k + 1;
    }
    return len;
}
