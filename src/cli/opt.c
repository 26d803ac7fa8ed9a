/* The command line's one option parser (opt.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opt.h"

/* Decimal number syntax only: digits, sign, point, exponent. strtod would also take hex floats,
 * "inf", "nan" and leading blanks, none of which a user means in an option. */
static int decimal_syntax(const char *s, int allow_point)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            continue;
        if (allow_point && strchr("+-.eE", *p))
            continue;
        return 0;
    }
    return (s[0] >= '0' && s[0] <= '9') || (allow_point && strchr("+-.", s[0]));
}

int cli_parse_u64(const char *cmd, const char *opt, const char *s, unsigned long long *out)
{
    if (!s || !decimal_syntax(s, 0))
        return cli_usage(cmd, "%s expects a non-negative integer, got '%s'", opt, s ? s : "");
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return cli_usage(cmd, "%s expects a non-negative integer, got '%s'", opt, s);
    *out = v;
    return 0;
}

int cli_parse_size(const char *cmd, const char *opt, const char *s, size_t *out)
{
    unsigned long long v = 0;
    int rc = cli_parse_u64(cmd, opt, s, &v);
    if (rc == 0 && v > (unsigned long long)SIZE_MAX)
        return cli_usage(cmd, "%s: %s is too large", opt, s);
    if (rc == 0)
        *out = (size_t)v;
    return rc;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
    if (!s || !decimal_syntax(s, 1))
        return cli_usage(cmd, "%s expects a decimal number, got '%s'", opt, s ? s : "");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
        return cli_usage(cmd, "%s expects a finite decimal number, got '%s'", opt, s);
    *out = v;
    return 0;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (const cli_opt *o = opts; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (const cli_opt *o = opts; o->name; o++)
        if (o->short_name && o->short_name == c)
            return o;
    return NULL;
}

static int takes_value(const cli_opt *o)
{
    return !(o->kind == CLI_FLAG || (o->kind == CLI_CALL && o->value));
}

static int apply(const char *cmd, const char *shown, const cli_opt *o, const char *arg)
{
    int rc = 0;
    unsigned long long u;
    switch (o->kind) {
    case CLI_FLAG: *(int *)o->dest = o->value ? o->value : 1; break;
    case CLI_STR: *(const char **)o->dest = arg; break;
    case CLI_LIST: {
        cli_list *l = o->dest;
        if (l->n == CLI_LIST_MAX)
            return cli_usage(cmd, "%s given more than %d times", shown, CLI_LIST_MAX);
        l->v[l->n++] = arg;
        break;
    }
    case CLI_SIZE: rc = cli_parse_size(cmd, shown, arg, o->dest); break;
    case CLI_U64:
        rc = cli_parse_u64(cmd, shown, arg, &u);
        if (!rc)
            *(uint64_t *)o->dest = (uint64_t)u;
        break;
    case CLI_DOUBLE: rc = cli_parse_double(cmd, shown, arg, o->dest); break;
    case CLI_CALL: rc = o->call(cmd, shown, arg, o->dest); break;
    }
    if (!rc && o->seen)
        *o->seen = 1;
    return rc;
}

int cli_parse(const char *cmd, const char *help, int argc, char **argv, const cli_opt *opts,
              const char **pos, size_t max_pos, size_t *n_pos)
{
    size_t np = 0;
    int only_pos = 0;
    if (n_pos)
        *n_pos = 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) /* help wins, up to a "--" */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return -1;
        }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && !strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (only_pos || a[0] != '-' || !a[1]) {
            if (np == max_pos || !pos)
                return cli_usage(cmd,
                                 max_pos ? "unexpected argument '%s' (at most %zu)"
                                         : "unexpected argument '%s'",
                                 a, max_pos);
            pos[np++] = a;
            continue;
        }
        const cli_opt *o;
        const char *arg = NULL;
        char shown[64];
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            o = find_long(opts, a + 2, len);
            snprintf(shown, sizeof shown, "--%.*s", (int)len, a + 2);
            if (!o)
                return cli_usage(cmd, "unknown option '%s'", shown);
            if (eq) {
                if (!takes_value(o))
                    return cli_usage(cmd, "%s takes no value", shown);
                arg = eq + 1;
            }
        } else {
            o = find_short(opts, a[1]);
            snprintf(shown, sizeof shown, "-%c", a[1]);
            if (!o)
                return cli_usage(cmd, "unknown option '%s'", a);
            if (a[2]) {
                if (!takes_value(o))
                    return cli_usage(cmd, "%s takes no value", shown);
                arg = a + 2;
            }
        }
        if (takes_value(o) && !arg) {
            if (i + 1 >= argc)
                return cli_usage(cmd, "%s needs a value", shown);
            arg = argv[++i];
        }
        int rc = apply(cmd, shown, o, arg);
        if (rc)
            return rc;
    }
    if (n_pos)
        *n_pos = np;
    return 0;
}

int cli_parse_elements(const char *cmd, const char *opt, const char *s, char (*sym)[AS_SYMBOL_MAX],
                       size_t cap, size_t *n)
{
    *n = 0;
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (*n == cap)
            return cli_usage(cmd, "%s: at most %zu species", opt, cap);
        if (len == 0 || len >= AS_SYMBOL_MAX)
            return cli_usage(cmd, "%s: bad symbol in '%s'", opt, s);
        memcpy(sym[*n], p, len);
        sym[*n][len] = 0;
        if (!as_lattice_element_z(sym[*n]))
            return cli_usage(cmd, "%s: unknown element '%s'", opt, sym[*n]);
        for (size_t q = 0; q < *n; q++)
            if (!strcmp(sym[q], sym[*n]))
                return cli_usage(cmd, "%s: '%s' appears twice", opt, sym[q]);
        (*n)++;
        p += len;
        if (*p == ',')
            p++;
    }
    if (*n == 0)
        return cli_usage(cmd, "%s: no element given", opt);
    return 0;
}

int cli_parse_size3(const char *cmd, const char *opt, const char *s, size_t size[3])
{
    unsigned long v[3];
    char extra;
    int k = sscanf(s, "%lu,%lu,%lu%c", &v[0], &v[1], &v[2], &extra);
    if (k == 1 && strchr(s, ',') == NULL)
        v[1] = v[2] = v[0];
    else if (k != 3)
        return cli_usage(cmd, "%s expects N or N1,N2,N3, got '%s'", opt, s);
    for (int i = 0; i < 3; i++) {
        if (v[i] < 1 || v[i] > 1024)
            return cli_usage(cmd, "%s: %lu not in 1..1024", opt, v[i]);
        size[i] = v[i];
    }
    return 0;
}
