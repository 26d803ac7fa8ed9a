/* The one decimal number syntax of every input file and option (docs/conventions.md):
 *   [+-]? ( D+ ( "." D* )? | "." D+ ) ( [eE] [+-]? D+ )?
 * checked before strtod sees the text, so strtod's other forms (hex floats, "inf", "nan",
 * "infinity", leading blanks) never reach a value. strtod runs in the C locale (nothing calls
 * setlocale), so the point is always '.'. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
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

/* Clinger's fast path: a number in the syntax whose digits, without leading zeros, make an
 * integer m <= 2^53 and whose decimal exponent e is within 22 is m * 10^e or m / 10^-e, both
 * exact doubles, so the one rounding of that multiplication or division is the correctly rounded
 * value strtod returns, bit for bit (tests/core/test_faults.c compares the two on a million
 * strings). 0 when it does not apply. Most cells of a lab's table (0.215, 1200, 2.5e-3) take
 * it: a few per cent of a synth run went to strtod. */
static int fast_decimal(const char *s, size_t len, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t p = 0;
    int neg = 0;
    uint64_t m = 0;
    if (s[p] == '+' || s[p] == '-')
        neg = s[p++] == '-';
    long e = 0;
    for (int seen_point = 0; p < len; p++) {
        if (s[p] == '.') {
            seen_point = 1;
            continue;
        }
        if (!digit(s[p]))
            break;
        if (m > ((uint64_t)1 << 53) / 10)
            return 0; /* more than 15-16 digits */
        m = m * 10 + (uint64_t)(s[p] - '0');
        e -= seen_point;
    }
    if (p < len) { /* [eE][+-]?D+, as decimal_prefix checked */
        p++;
        int eneg = s[p] == '-';
        p += s[p] == '+' || s[p] == '-';
        long x = 0;
        for (; p < len; p++) {
            if (x > 1000)
                return 0;
            x = x * 10 + (s[p] - '0');
        }
        e += eneg ? -x : x;
    }
    if (m > ((uint64_t)1 << 53) || e < -22 || e > 22)
        return 0;
    double v = (double)m;
    v = e >= 0 ? v * p10[e] : v / p10[-e];
    *out = neg ? -v : v;
    return 1;
}

/* s[len] == '\0' */
static as_status parse_terminated(const char *s, size_t len, double *out)
{
    if (len == 0 || decimal_prefix(s, len) != len)
        return AS_EPARSE;
    double fast;
    if (fast_decimal(s, len, &fast)) {
        if (out)
            *out = fast;
        return AS_OK;
    }
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
