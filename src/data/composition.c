/* Alloy formulas and composition descriptors.
 *
 * Formula grammar (docs/composition.md):
 *     formula := ws* item (ws* item)* ws*
 *     item    := symbol amount? | '(' formula ')' amount?
 *     symbol  := [A-Z][a-z]?            (must name an element of the compiled table)
 *     amount  := [0-9]+ ('.' [0-9]*)? | '.' [0-9]+
 * A group with an amount m contributes m atoms shared in proportion to its inner amounts.
 *
 * Descriptors (the solid-solution "key conditions" of seed 000 fig. 1a) follow the definitions
 * used by Zhang et al., Adv. Eng. Mater. 10 (2008) 534; Guo & Liu, Prog. Nat. Sci. 21 (2011) 433;
 * Yang & Zhang, Mater. Chem. Phys. 132 (2012) 233:
 *     ΔS_mix = -R Σ c_i ln c_i                      δ = 100 sqrt(Σ c_i (1 - r_i/r̄)^2)
 *     Δχ = sqrt(Σ c_i (χ_i - χ̄)^2)                  VEC = Σ c_i VEC_i,  T_m = Σ c_i T_m,i
 *     ΔH_mix = Σ_{i<j} 4 ΔH_ij c_i c_j (regular solution, ΔH_ij of Takeuchi & Inoue 2005)
 *     Ω = T_m ΔS_mix / |ΔH_mix|                     ΔG_mix(T) = ΔH_mix - T ΔS_mix */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "composition_int.h"

#define MAX_DEPTH 8

/* Whether s is a chemical symbol, to tell "not an element" from "no properties" in messages. */
static int is_chemical_symbol(const char *s) { return as_element_z(s) > 0; }

/* Parser state. Errors are kept as (column, reason) so that callers can place the column in
 * a file (path:line:column) or in the formula alone. */
typedef struct {
    const char *s;
    size_t pos;
    size_t err_col; /* 1-based */
    char err[160];
    size_t first_seen[AS_ELEMENTS_N]; /* order of first appearance, 0 = not seen */
    size_t n_seen;
} parser;

static int perr(parser *p, size_t pos, const char *fmt, const char *what)
{
    p->err_col = pos + 1;
    snprintf(p->err, sizeof p->err, fmt, what);
    return -1;
}

static void skip_ws(parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
        p->pos++;
}

/* Amount at p->pos: returns 1 and stores it when one is there, 0 when none, -1 on error. */
static int parse_amount(parser *p, double *out)
{
    size_t start = p->pos;
    const char *s = p->s;
    size_t i = start, digits = 0;
    while (isdigit((unsigned char)s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (i == start)
        return 0;
    if (digits == 0 || s[i] == '.' || isdigit((unsigned char)s[i])) {
        size_t j = i;
        while (s[j] == '.' || isdigit((unsigned char)s[j]))
            j++;
        char tok[40];
        size_t len = AS_MIN(j - start, sizeof tok - 1);
        memcpy(tok, s + start, len);
        tok[len] = 0;
        return perr(p, start, "malformed amount '%s'", tok);
    }
    char tok[64];
    size_t len = i - start;
    if (len >= sizeof tok)
        return perr(p, start, "amount too long '%s'", "...");
    memcpy(tok, s + start, len);
    tok[len] = 0;
    /* strtod in the C locale: the library never calls setlocale (STYLE.md). */
    double v = strtod(tok, NULL);
    if (!isfinite(v))
        return perr(p, start, "malformed amount '%s'", tok);
    *out = v;
    p->pos = i;
    return 1;
}

/* formula or group body into amt[] (indexed like the element table); stops at ')' or end. */
static int parse_seq(parser *p, double *amt, int depth)
{
    size_t items = 0;
    for (;;) {
        skip_ws(p);
        char ch = p->s[p->pos];
        if (ch == 0 || ch == ')')
            break;
        /* '-' or an en-dash (U+2013) between two parts ("Cu50-Co50", "Al0.5–CoCrFeNi"), as
         * spaces are */
        const unsigned char *u = (const unsigned char *)p->s + p->pos;
        size_t sep = u[0] == '-' ? 1 : (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x93) ? 3 : 0;
        if (sep) {
            const char *name = sep == 1 ? "-" : "\xe2\x80\x93";
            size_t at = p->pos;
            if (items == 0)
                return perr(p, at, "separator '%s' before the first part", name);
            p->pos += sep;
            skip_ws(p);
            u = (const unsigned char *)p->s + p->pos;
            if (u[0] == 0 || u[0] == ')' || u[0] == '-' || (u[0] == 0xE2 && u[1] == 0x80))
                return perr(p, at, "separator '%s' without a part after it", name);
            continue;
        }
        if (ch == '(') {
            size_t open = p->pos;
            if (depth + 1 > MAX_DEPTH)
                return perr(p, open, "groups nested deeper than 8 at '%s'", "(");
            p->pos++;
            skip_ws(p);
            if (p->s[p->pos] == ')')
                return perr(p, open, "empty group '%s'", "()");
            double inner[AS_ELEMENTS_N] = {0};
            if (parse_seq(p, inner, depth + 1) < 0)
                return -1;
            if (p->s[p->pos] != ')')
                return perr(p, open, "unmatched '%s'", "(");
            p->pos++;
            double m = 0;
            int has = parse_amount(p, &m);
            if (has < 0)
                return -1;
            double sum = 0;
            for (size_t i = 0; i < AS_ELEMENTS_N; i++)
                sum += inner[i];
            if (sum == 0 && !(has && m == 0))
                return perr(p, open, "group amounts are all zero in '%s'", "(...)");
            double scale = has ? (sum > 0 ? m / sum : 0) : 1;
            for (size_t i = 0; i < AS_ELEMENTS_N; i++)
                amt[i] += inner[i] * scale;
            items++;
            continue;
        }
        if (!isupper((unsigned char)ch)) {
            char tok[8];
            snprintf(tok, sizeof tok, "%c", ch);
            if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
                snprintf(tok, sizeof tok, "\\x%02x", (unsigned char)ch);
            return perr(p, p->pos, "expected an element symbol or '(', got '%s'", tok);
        }
        size_t start = p->pos;
        char sym[3] = {ch, 0, 0};
        if (islower((unsigned char)p->s[start + 1]))
            sym[1] = p->s[start + 1];
        p->pos += sym[1] ? 2 : 1;
        const as_element *e = as_element_by_symbol(sym);
        if (!e) {
            if (islower((unsigned char)p->s[p->pos])) {
                /* three letters or more: not a symbol at all */
                char tok[16];
                size_t j = start, k = 0;
                while (isalpha((unsigned char)p->s[j]) && k < sizeof tok - 1 &&
                       (j == start || islower((unsigned char)p->s[j])))
                    tok[k++] = p->s[j++];
                tok[k] = 0;
                return perr(p, start, "unknown element '%s'", tok);
            }
            if (is_chemical_symbol(sym))
                return perr(p, start,
                            "element '%s' is not in the element table (data/elements.csv)", sym);
            return perr(p, start, "unknown element '%s'", sym);
        }
        double a = 1;
        int has = parse_amount(p, &a);
        if (has < 0)
            return -1;
        size_t idx = as_element_index_(e);
        if (!p->first_seen[idx])
            p->first_seen[idx] = ++p->n_seen;
        amt[idx] += a;
        items++;
    }
    if (items == 0)
        return perr(p, p->pos, "empty formula%s", "");
    return 0;
}

/* Parse into *out; on failure fill *col (1-based) and reason (cap bytes). */
static as_status parse_internal(const char *text, as_composition *out, size_t *col, char *reason,
                                size_t cap)
{
    memset(out, 0, sizeof *out);
    parser p;
    memset(&p, 0, sizeof p);
    p.s = text ? text : "";
    double amt[AS_ELEMENTS_N] = {0};
    int rc = parse_seq(&p, amt, 0);
    if (rc == 0 && p.s[p.pos] == ')')
        rc = perr(&p, p.pos, "unmatched '%s'", ")");
    if (rc == 0) {
        double sum = 0;
        size_t n = 0;
        for (size_t i = 0; i < AS_ELEMENTS_N; i++) {
            sum += amt[i];
            n += amt[i] > 0;
        }
        if (sum <= 0)
            rc = perr(&p, 0, "all amounts are zero in '%s'", p.s);
        else if (n > AS_COMPOSITION_MAX)
            rc = perr(&p, 0, "more than 16 elements in '%s'", p.s);
        else {
            /* order of first appearance */
            for (size_t rank = 1; rank <= p.n_seen; rank++)
                for (size_t i = 0; i < AS_ELEMENTS_N; i++)
                    if (p.first_seen[i] == rank && amt[i] > 0) {
                        out->el[out->n] = as_element_at(i);
                        out->frac[out->n] = amt[i] / sum;
                        out->n++;
                    }
            return AS_OK;
        }
    }
    memset(out, 0, sizeof *out);
    *col = p.err_col;
    snprintf(reason, cap, "%s", p.err);
    return AS_EPARSE;
}

as_status as_composition_parse(const char *text, as_composition *out)
{
    if (!out)
        return AS_FAIL(AS_EINVAL, "composition: NULL output");
    size_t col = 0;
    char reason[200];
    if (parse_internal(text, out, &col, reason, sizeof reason) != AS_OK)
        return AS_FAIL(AS_EPARSE, "column %zu: %s", col, reason);
    return AS_OK;
}

/* x with 6 significant digits like "%.6g", but always positional ("0.00000015", never
 * "1.5e-07"): the formula grammar has no exponents, so what is written reads back. */
static void format_amount(double x, char *out, size_t cap)
{
    char g[64];
    snprintf(g, sizeof g, "%.6g", x);
    char *e = strchr(g, 'e');
    if (!e) {
        snprintf(out, cap, "%s", g);
        return;
    }
    int ex = atoi(e + 1);
    *e = '\0';
    char dig[32];
    size_t nd = 0;
    for (const char *p = g; *p; p++) /* the mantissa's digits, without sign and point */
        if (*p >= '0' && *p <= '9' && nd + 1 < sizeof dig)
            dig[nd++] = *p;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    size_t k = 0;
    if (g[0] == '-' && k + 1 < cap)
        out[k++] = '-';
    if (ex < 0) { /* 0.000ddd */
        for (int z = 0; z < 1 - ex && k + 1 < cap; z++)
            out[k++] = z == 1 ? '.' : '0';
        for (size_t d = 0; d < nd && k + 1 < cap; d++)
            out[k++] = dig[d];
    } else { /* ddd000 or ddd.ddd */
        for (size_t d = 0; d < nd || (int)d <= ex; d++) {
            if ((int)d == ex + 1 && d < nd && k + 1 < cap)
                out[k++] = '.';
            if (k + 1 < cap)
                out[k++] = d < nd ? dig[d] : '0';
        }
    }
    out[k] = '\0';
}

size_t as_composition_format(const as_composition *c, char *buf, size_t cap)
{
    size_t need = 0;
    if (cap)
        buf[0] = 0;
    for (size_t i = 0; c && i < c->n; i++) {
        char tmp[400], amt[360];
        format_amount(c->frac[i], amt, sizeof amt);
        int k = snprintf(tmp, sizeof tmp, "%s%s", c->el[i]->symbol, amt);
        if (k < 0)
            continue;
        if (cap && need + (size_t)k < cap)
            memcpy(buf + need, tmp, (size_t)k + 1);
        else if (cap && need < cap) {
            memcpy(buf + need, tmp, cap - 1 - need);
            buf[cap - 1] = 0;
        }
        need += (size_t)k;
    }
    return need;
}

/* ---- descriptors ---- */
as_descriptor_options as_descriptor_options_default(void)
{
    as_descriptor_options o;
    o.missing_dh_nan = 0;
    o.omega_cap = 1000.0;
    return o;
}

static void set_nan(as_descriptors *d)
{
    d->ds_mix_j_mol_k = d->delta_pct = d->dchi = d->vec = d->tm_k = NAN;
    d->dh_mix_kj_mol = d->omega = d->dg_mix_kj_mol = NAN;
    d->n_pairs_miedema = 0;
}

/* Pair without ΔH: index pair returned through *bad (i, j) when the policy is to fail. */
static int descriptors_core(const as_composition *c, double temp_k, const as_descriptor_options *o,
                            as_descriptors *d, size_t *bi, size_t *bj)
{
    double ds = 0, rbar = 0, chibar = 0, vec = 0, tm = 0;
    d->n_pairs_miedema = 0;
    for (size_t i = 0; i < c->n; i++) {
        double ci = c->frac[i];
        ds -= ci * log(ci);
        rbar += ci * c->el[i]->radius_ang;
        chibar += ci * c->el[i]->chi_pauling;
        vec += ci * c->el[i]->vec;
        tm += ci * c->el[i]->tm_k;
    }
    ds *= AS_GAS_CONSTANT;
    double s_delta = 0, s_chi = 0;
    for (size_t i = 0; i < c->n; i++) {
        double u = 1.0 - c->el[i]->radius_ang / rbar;
        double v = c->el[i]->chi_pauling - chibar;
        s_delta += c->frac[i] * u * u;
        s_chi += c->frac[i] * v * v;
    }
    double dh = 0;
    int missing = 0;
    for (size_t i = 0; i < c->n && !missing; i++)
        for (size_t j = i + 1; j < c->n; j++) {
            int mied = 0;
            double hij = as_pair_dh_(c->el[i], c->el[j], &mied);
            d->n_pairs_miedema += (size_t)mied;
            if (isnan(hij)) {
                missing = 1;
                *bi = i;
                *bj = j;
                break;
            }
            dh += 4.0 * hij * c->frac[i] * c->frac[j];
        }
    d->ds_mix_j_mol_k = ds;
    d->delta_pct = 100.0 * sqrt(s_delta);
    d->dchi = sqrt(s_chi);
    d->vec = vec;
    d->tm_k = tm;
    if (missing) {
        d->dh_mix_kj_mol = d->omega = d->dg_mix_kj_mol = NAN;
        return o->missing_dh_nan ? 0 : -1;
    }
    d->dh_mix_kj_mol = dh;
    double omega;
    if (ds == 0)
        omega = 0; /* a single element: no entropic stabilization */
    else if (dh == 0)
        omega = o->omega_cap;
    else
        omega = AS_MIN(tm * ds / fabs(dh * 1000.0), o->omega_cap);
    d->omega = omega;
    d->dg_mix_kj_mol = isnan(temp_k) ? NAN : dh - temp_k * ds / 1000.0;
    return 0;
}

static as_status check_opt(const as_descriptor_options *o)
{
    if (!(o->omega_cap > 0))
        return AS_FAIL(AS_EINVAL, "descriptors: omega_cap %g must be > 0", o->omega_cap);
    return AS_OK;
}

as_status as_composition_descriptors(const as_composition *c, double temp_k,
                                     const as_descriptor_options *opt, as_descriptors *out)
{
    if (!out)
        return AS_FAIL(AS_EINVAL, "descriptors: NULL output");
    set_nan(out);
    as_descriptor_options o = opt ? *opt : as_descriptor_options_default();
    AS_TRY(check_opt(&o));
    if (!c || c->n == 0)
        return AS_FAIL(AS_EINVAL, "descriptors: empty composition");
    if (!isnan(temp_k) && !(temp_k > 0 && isfinite(temp_k)))
        return AS_FAIL(AS_EINVAL, "descriptors: temperature %g K must be > 0", temp_k);
    size_t bi = 0, bj = 0;
    if (descriptors_core(c, temp_k, &o, out, &bi, &bj) < 0) {
        set_nan(out);
        char why[200];
        return AS_FAIL(AS_EINVAL,
                       "no mixing enthalpy for the pair %s-%s (not among the shipped Takeuchi & "
                       "Inoue 2005 pairs; %s)",
                       c->el[bi]->symbol, c->el[bj]->symbol,
                       as_mixing_gap_(c->el[bi], c->el[bj], why, sizeof why));
    }
    return AS_OK;
}

double as_descriptors_get(const as_descriptors *d, size_t i)
{
    switch (i) {
    case AS_DESC_DS_MIX: return d->ds_mix_j_mol_k;
    case AS_DESC_DELTA: return d->delta_pct;
    case AS_DESC_DCHI: return d->dchi;
    case AS_DESC_VEC: return d->vec;
    case AS_DESC_TM: return d->tm_k;
    case AS_DESC_DH_MIX: return d->dh_mix_kj_mol;
    case AS_DESC_OMEGA: return d->omega;
    case AS_DESC_DG_MIX: return d->dg_mix_kj_mol;
    default: return NAN;
    }
}

const char *as_descriptor_name(size_t i)
{
    static const char *const names[AS_DESC_COUNT] = {
        "dS_mix_J_per_mol_K", "delta_pct", "dchi_pauling",     "VEC", "Tm_K",
        "dH_mix_kJ_per_mol",  "Omega",     "dG_mix_kJ_per_mol"};
    return i < AS_DESC_COUNT ? names[i] : NULL;
}

/* Descriptors of row r into x (d values); 0 on success, else -1 with the status and the message
 * ("path:line:column: reason") in msg. */
static int row_descriptors(const as_table *t, size_t r, size_t fcol, const char *temp_col,
                           size_t tcol, const as_descriptor_options *o, double *x, size_t d,
                           as_status *st, char *msg, size_t cap, size_t *n_miedema,
                           const char **pair, char *pair_buf)
{
    *n_miedema = 0;
    const char *path = as_table_path(t);
    const char *text = as_table_cell(t, r, fcol);
    size_t line = 0, column = 0;
    as_table_where(t, r, fcol, &line, &column);
    as_composition c;
    size_t ecol = 0;
    char reason[200];
    if (parse_internal(text, &c, &ecol, reason, sizeof reason) != AS_OK) {
        *st = AS_EPARSE;
        snprintf(msg, cap, "%s:%zu:%zu: %s (formula '%s')", path, line, column + ecol - 1, reason,
                 text);
        return -1;
    }
    double temp = NAN;
    if (temp_col) {
        const char *tc = as_table_cell(t, r, tcol);
        const char *q = tc;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q) {
            if (!as_parse_number(tc, &temp) || !(temp > 0)) {
                size_t tl = 0, tcc = 0;
                as_table_where(t, r, tcol, &tl, &tcc);
                *st = AS_EPARSE;
                snprintf(msg, cap,
                         "%s:%zu:%zu: temperature '%s' in column '%s' is not a positive number "
                         "of kelvin",
                         path, tl, tcc, tc, temp_col);
                return -1;
            }
        }
    }
    as_descriptors ds;
    size_t bi = 0, bj = 0;
    if (descriptors_core(&c, temp, o, &ds, &bi, &bj) < 0) {
        *st = AS_EINVAL;
        char why[200];
        snprintf(msg, cap,
                 "%s:%zu:%zu: no mixing enthalpy for the pair %s-%s in '%s' (not among the "
                 "shipped Takeuchi & Inoue 2005 pairs; %s)",
                 path, line, column, c.el[bi]->symbol, c.el[bj]->symbol, text,
                 as_mixing_gap_(c.el[bi], c.el[bj], why, sizeof why));
        return -1;
    }
    for (size_t j = 0; j < d; j++)
        x[j] = as_descriptors_get(&ds, j);
    if (ds.n_pairs_miedema && pair && !*pair)
        for (size_t i = 0; i < c.n && !*pair; i++)
            for (size_t j = i + 1; j < c.n && !*pair; j++) {
                int m;
                (void)as_pair_dh_(c.el[i], c.el[j], &m);
                if (m) {
                    snprintf(pair_buf, 64, "%s-%s (%s:%zu)", c.el[i]->symbol, c.el[j]->symbol, path,
                             line);
                    *pair = pair_buf;
                }
            }
    *n_miedema = ds.n_pairs_miedema;
    return 0;
}

static as_status table_descriptors(const as_table *t, const char *formula_col, const char *temp_col,
                                   const as_descriptor_options *opt, double **out, size_t *d_out,
                                   unsigned char *bad, size_t *n_bad, char *first_err, size_t cap)
{
    if (out)
        *out = NULL;
    if (!t || !formula_col || !out || !d_out)
        return AS_FAIL(AS_EINVAL, "composition descriptors: NULL argument");
    as_descriptor_options o = opt ? *opt : as_descriptor_options_default();
    AS_TRY(check_opt(&o));
    size_t fcol = 0, tcol = 0;
    AS_TRY(as_table_find(t, formula_col, &fcol));
    if (temp_col)
        AS_TRY(as_table_find(t, temp_col, &tcol));
    size_t n = as_table_rows(t);
    size_t d = temp_col ? AS_DESC_COUNT : AS_DESC_COUNT - 1;
    double *x = NULL;
    AS_TRY(AS_ALLOC(x, n * d, "composition descriptor matrix"));
    if (n_bad)
        *n_bad = 0;
    char msg[600], pair_buf[64];
    const char *pair = NULL;
    size_t rows_miedema = 0;
    for (size_t r = 0; r < n; r++) {
        as_status st = AS_OK;
        size_t nm = 0;
        if (row_descriptors(t, r, fcol, temp_col, tcol, &o, x + r * d, d, &st, msg, sizeof msg, &nm,
                            &pair, pair_buf) == 0) {
            if (bad)
                bad[r] = 0;
            rows_miedema += nm > 0;
            continue;
        }
        if (!bad) {
            as_free(x);
            return AS_FAIL(st, "%s", msg);
        }
        if (*n_bad == 0 && first_err && cap)
            snprintf(first_err, cap, "%s", msg);
        bad[r] = 1;
        ++*n_bad;
        for (size_t j = 0; j < d; j++)
            x[r * d + j] = NAN;
    }
    if (rows_miedema)
        as_log(AS_LOG_WARN,
               "%s: dH_mix of %zu row(s) uses pair enthalpies from Miedema's model (pairs "
               "Takeuchi & Inoue 2005 do not tabulate, computed from Miedema's parameters; "
               "docs/composition.md), the first: %s",
               as_table_path(t), rows_miedema, pair ? pair : "?");
    *out = x;
    *d_out = d;
    return AS_OK;
}

as_status as_composition_table_descriptors(const as_table *t, const char *formula_col,
                                           const char *temp_col, const as_descriptor_options *opt,
                                           double **out, size_t *d_out)
{
    return table_descriptors(t, formula_col, temp_col, opt, out, d_out, NULL, NULL, NULL, 0);
}

as_status as_composition_table_descriptors_lenient(const as_table *t, const char *formula_col,
                                                   const char *temp_col,
                                                   const as_descriptor_options *opt, double **out,
                                                   size_t *d_out, unsigned char *bad, size_t *n_bad,
                                                   char *first_err, size_t cap)
{
    if (!bad || !n_bad)
        return AS_FAIL(AS_EINVAL, "composition descriptors: NULL argument");
    if (first_err && cap)
        first_err[0] = '\0';
    return table_descriptors(t, formula_col, temp_col, opt, out, d_out, bad, n_bad, first_err, cap);
}
