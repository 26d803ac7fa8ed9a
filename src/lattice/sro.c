/* Warren-Cowley short-range order and the 15-dimensional fingerprint of seed 004 (Methods,
 * "Short Range Order", eq. 4, and "Machine Learning").
 *
 *   alpha^{X-Y}_s = 1 - N_XY(s) / (N_X z_s c_Y),   c_Y = N_Y / n,
 *
 * N_XY(s) = number of ordered pairs (i in X, j in Y), j a shell-s neighbour of i, images counted.
 * Pair counts are accumulated over half of each shell's displacement vectors (d and -d give the
 * same unordered pair): H[p][q] counts (i, i + d) for d in the half, and N = H + H^T. With at most
 * four species the counts of one site are summed in 16-bit lanes of one 64-bit word (species q
 * adds 1 << 16q), so the inner loop is one load and one add per neighbour. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

/* Packed counts of one shell block: rows[p] gets, in 16-bit lane q, the (i, i + d) pairs with
 * species p at i and q at i + d for d in the first half of the shell and i in [i0, i1). Species
 * indices are masked to 0..3 so a bad index cannot read outside the lane table; the caller has
 * rejected such configurations. H = K = h are compile-time constants in the common shells. */
static inline void packed_block(const int *config, const uint32_t *tab, size_t z, size_t h,
                                size_t i0, size_t i1, uint64_t *rows)
{
    static const uint64_t lane[4] = {1ull, 1ull << 16, 1ull << 32, 1ull << 48};
    for (size_t i = i0; i < i1; i++) {
        const uint32_t *nb = tab + i * z;
        uint64_t acc = 0;
        for (size_t k = 0; k < h; k++)
            acc += lane[config[nb[k]] & 3];
        rows[config[i] & 3] += acc;
    }
}

as_status as_lattice_pair_counts(const as_lattice *lat, const int *config, size_t n_species,
                                 uint64_t *counts)
{
    size_t K = n_species, n = lat->n;
    if (K < 1 || K > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "sro: %zu species not in 1..%d", K, AS_LATTICE_MAX_SPECIES);
    AS_TRY(as_lat_check_config(lat, config, K));
    for (size_t s = 0; s < lat->n_shells; s++) {
        size_t z = lat->z[s], h = z / 2;
        const uint32_t *tab = lat->nbr[s];
        uint64_t H[AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES] = {0};
        if (K <= 4) {
            size_t flush = 65535 / (h ? h : 1); /* sites per flush so no lane overflows */
            for (size_t i0 = 0; i0 < n; i0 += flush) {
                size_t i1 = AS_MIN(n, i0 + flush);
                uint64_t rows[4] = {0, 0, 0, 0};
                /* constant trip counts for the fcc shells 1-3 let the compiler unroll */
                if (z == 12)
                    packed_block(config, tab, 12, 6, i0, i1, rows);
                else if (z == 6)
                    packed_block(config, tab, 6, 3, i0, i1, rows);
                else if (z == 24)
                    packed_block(config, tab, 24, 12, i0, i1, rows);
                else
                    packed_block(config, tab, z, h, i0, i1, rows);
                for (size_t p = 0; p < K; p++)
                    for (size_t q = 0; q < K; q++)
                        H[p * K + q] += (rows[p] >> (16 * q)) & 0xffffu;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                const uint32_t *nb = tab + i * z;
                uint64_t *row = H + (size_t)config[i] * K;
                for (size_t k = 0; k < h; k++)
                    row[config[nb[k]]]++;
            }
        }
        uint64_t *C = counts + s * K * K;
        for (size_t p = 0; p < K; p++)
            for (size_t q = 0; q < K; q++)
                C[p * K + q] = H[p * K + q] + H[q * K + p];
    }
    return AS_OK;
}

static double alpha_from(const uint64_t *C, const size_t *Nsp, size_t K, size_t n, size_t z,
                         as_sro_pair pair)
{
    double nxy = 0, nx = 0, ny = 0;
    for (size_t p = 0; p < K; p++) {
        if (pair.x >> p & 1)
            nx += (double)Nsp[p];
        if (pair.y >> p & 1)
            ny += (double)Nsp[p];
        for (size_t q = 0; q < K; q++)
            if ((pair.x >> p & 1) && (pair.y >> q & 1))
                nxy += (double)C[p * K + q];
    }
    if (nx == 0 || ny == 0)
        return NAN;
    /* alpha = 1 - P(Y | X) / c_Y with P(Y | X) = nxy / (nx z), c_Y = ny / n, written as one
     * quotient of integers (exact in double below 2^53) so closed forms come out rounded once */
    double d = nx * ny * (double)z;
    return (d - (double)n * nxy) / d;
}

as_status as_lattice_sro(const as_lattice *lat, const int *config, size_t n_species,
                         as_sro_pair pair, size_t s, double *alpha)
{
    *alpha = NAN;
    if (s >= lat->n_shells)
        return AS_FAIL(AS_EINVAL, "sro: shell %zu not tabulated (%zu shells)", s + 1,
                       lat->n_shells);
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    AS_TRY(as_lattice_pair_counts(lat, config, n_species, C));
    size_t Nsp[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < lat->n; i++)
        Nsp[config[i]]++;
    *alpha = alpha_from(C + s * n_species * n_species, Nsp, n_species, lat->n, lat->z[s], pair);
    return AS_OK;
}

size_t as_fingerprint_dim(size_t n_species)
{
    size_t P = n_species * (n_species - 1) / 2;
    return 3 * P + P + n_species;
}

as_status as_lattice_fingerprint(const as_lattice *lat, const int *config, size_t n_species,
                                 double *out)
{
    size_t K = n_species;
    if (lat->n_shells < 3)
        return AS_FAIL(AS_EINVAL, "fingerprint: needs 3 shells, the lattice has %zu",
                       lat->n_shells);
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    AS_TRY(as_lattice_pair_counts(lat, config, K, C));
    size_t Nsp[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < lat->n; i++)
        Nsp[config[i]]++;
    size_t o = 0;
    for (size_t p = 0; p < K; p++)
        for (size_t q = p + 1; q < K; q++)
            for (size_t s = 0; s < 3; s++) {
                as_sro_pair pr = {1u << p, 1u << q};
                out[o++] = alpha_from(C + s * K * K, Nsp, K, lat->n, lat->z[s], pr);
            }
    for (size_t p = 0; p < K; p++)
        for (size_t q = p + 1; q < K; q++)
            out[o++] = (double)C[p * K + q]; /* unlike bonds: each counted once */
    for (size_t p = 0; p < K; p++)
        out[o++] = 0.5 * (double)C[p * K + p]; /* like bonds: ordered count / 2 */
    return AS_OK;
}

as_status as_fingerprint_name(const char (*symbols)[AS_SYMBOL_MAX], size_t n_species, size_t idx,
                              char *buf, size_t cap)
{
    size_t K = n_species, P = K * (K - 1) / 2;
    if (idx >= as_fingerprint_dim(K))
        return AS_FAIL(AS_EINVAL, "fingerprint: index %zu beyond %zu", idx, as_fingerprint_dim(K));
    size_t o = 0;
    for (size_t p = 0; p < K; p++)
        for (size_t q = p + 1; q < K; q++)
            for (size_t s = 0; s < 3; s++)
                if (o++ == idx) {
                    snprintf(buf, cap, "alpha%zu_%s-%s", s + 1, symbols[p], symbols[q]);
                    return AS_OK;
                }
    (void)P;
    for (size_t p = 0; p < K; p++)
        for (size_t q = p + 1; q < K; q++)
            if (o++ == idx) {
                snprintf(buf, cap, "bonds_%s-%s", symbols[p], symbols[q]);
                return AS_OK;
            }
    for (size_t p = 0; p < K; p++)
        if (o++ == idx) {
            snprintf(buf, cap, "bonds_%s-%s", symbols[p], symbols[p]);
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "fingerprint: index %zu", idx);
}

/* One group: "Pt" or "(Co,Cu)" starting at *s; advances *s. */
static as_status parse_group(const char *text, const char **s, const char (*symbols)[AS_SYMBOL_MAX],
                             size_t K, uint32_t *mask)
{
    *mask = 0;
    int paren = **s == '(';
    if (paren)
        (*s)++;
    for (;;) {
        char sym[8];
        size_t len = 0;
        while ((**s >= 'A' && **s <= 'Z') || (**s >= 'a' && **s <= 'z')) {
            if (len < sizeof sym - 1)
                sym[len++] = **s;
            (*s)++;
        }
        sym[len] = 0;
        size_t p = 0;
        while (p < K && strcmp(symbols[p], sym))
            p++;
        if (!len || p == K)
            return AS_FAIL(AS_EINVAL, "sro pair '%s': '%s' is not one of the species", text, sym);
        *mask |= 1u << p;
        if (!paren)
            return AS_OK;
        if (**s == ',' || **s == '/') {
            (*s)++;
            continue;
        }
        if (**s == ')') {
            (*s)++;
            return AS_OK;
        }
        return AS_FAIL(AS_EINVAL, "sro pair '%s': expected ',' or ')'", text);
    }
}

size_t as_sro_pair_format(as_sro_pair pair, const char (*symbols)[AS_SYMBOL_MAX], size_t n_species,
                          char *buf, size_t cap)
{
    /* the longest text: two groups of every species, in parentheses, and the dash */
    char t[2 * (AS_LATTICE_MAX_SPECIES * AS_SYMBOL_MAX + 2) + 2];
    size_t len = 0, K = n_species < AS_LATTICE_MAX_SPECIES ? n_species : AS_LATTICE_MAX_SPECIES;
    for (int g = 0; g < 2; g++) {
        uint32_t m = (g ? pair.y : pair.x) & ((1u << K) - 1);
        int many = (m & (m - 1)) != 0, first = 1; /* more than one bit set */
        len += (size_t)snprintf(t + len, sizeof t - len, "%s%s", g ? "-" : "", many ? "(" : "");
        for (size_t p = 0; p < K; p++)
            if (m >> p & 1) {
                len +=
                    (size_t)snprintf(t + len, sizeof t - len, "%s%s", first ? "" : ",", symbols[p]);
                first = 0;
            }
        if (many)
            len += (size_t)snprintf(t + len, sizeof t - len, ")");
    }
    snprintf(buf, cap, "%s", t);
    return len;
}

as_status as_sro_pair_parse(const char *text, const char (*symbols)[AS_SYMBOL_MAX],
                            size_t n_species, as_sro_pair *pair, double *value, int *has_value)
{
    const char *s = text;
    if (has_value)
        *has_value = 0;
    AS_TRY(parse_group(text, &s, symbols, n_species, &pair->x));
    if (*s != '-')
        return AS_FAIL(AS_EINVAL, "sro pair '%s': expected X-Y, e.g. Pt-(Co,Cu)", text);
    s++;
    AS_TRY(parse_group(text, &s, symbols, n_species, &pair->y));
    if (*s == '=') {
        if (!value)
            return AS_FAIL(AS_EINVAL, "sro pair '%s': no value expected", text);
        if (as_parse_double(s + 1, value) != AS_OK) /* decimal syntax: no hex, inf, nan */
            return AS_FAIL(AS_EINVAL, "sro pair '%s': bad value after '='", text);
        if (has_value)
            *has_value = 1;
        return AS_OK;
    }
    if (*s)
        return AS_FAIL(AS_EINVAL, "sro pair '%s': unexpected '%s'", text, s);
    return AS_OK;
}
