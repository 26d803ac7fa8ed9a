/* Intensive features of an fcc configuration for regression on data from any source:
 * concentrations, bond fractions and pair correlations per shell, Warren-Cowley alpha (seed 004,
 * Methods, eq. 4) and nearest-neighbour triangle fractions. Definitions in lattice.h and
 * docs/lattice.md. Every value is one quotient of integers, rounded once:
 *   c_p = N_p / n,  bondfrac_pq = (p == q ? C_pp : 2 C_pq) / (n z),
 *   pcf_pq = (n C_pq - N_p N_q z) / (n^2 z),  alpha_pq = (N_p N_q z - n C_pq) / (N_p N_q z),
 * with C_pq the ordered shell-s pair counts of as_lattice_pair_counts (images counted). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lattice_int.h"

static size_t n_pairs_le(size_t K) { return K * (K + 1) / 2; }
static size_t n_pairs_lt(size_t K) { return K * (K - 1) / 2; }
static size_t n_triples(size_t K) { return K * (K + 1) * (K + 2) / 6; }

size_t as_fcc_features_dim(size_t K, size_t S, int triplets)
{
    return K + S * (n_pairs_le(K) + 2 * n_pairs_lt(K)) + (triplets ? n_triples(K) : 0);
}

static as_status check_args(const as_lattice *lat, size_t K, size_t S)
{
    if (K < 1 || K > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "features: %zu species not in 1..%d", K, AS_LATTICE_MAX_SPECIES);
    if (S < 1 || (lat && S > lat->n_shells))
        return AS_FAIL(AS_EINVAL, "features: %zu shells, the lattice has %zu", S,
                       lat ? lat->n_shells : 0);
    return AS_OK;
}

/* Index of the sorted triple p <= q <= r among all such triples in lexicographic order. */
static size_t triple_index(size_t K, int a, int b, int c)
{
    int t[3] = {a, b, c};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (t[j] > t[j + 1]) {
                int x = t[j];
                t[j] = t[j + 1];
                t[j + 1] = x;
            }
    size_t idx = 0;
    for (size_t p = 0; p < K; p++)
        for (size_t q = p; q < K; q++)
            for (size_t r = q; r < K; r++, idx++)
                if ((int)p == t[0] && (int)q == t[1] && (int)r == t[2])
                    return idx;
    return 0;
}

as_status as_fcc_features(const as_lattice *lat, const int *config, size_t K, size_t S,
                          int triplets, double *out)
{
    AS_TRY(check_args(lat, K, S));
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    AS_TRY(as_lattice_pair_counts(lat, config, K, C));
    size_t n = lat->n, Np[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < n; i++)
        Np[config[i]]++;
    double dn = (double)n;
    size_t o = 0;
    for (size_t p = 0; p < K; p++)
        out[o++] = (double)Np[p] / dn;
    for (size_t s = 0; s < S; s++) {
        const uint64_t *Cs = C + s * K * K;
        double nz = dn * (double)lat->z[s];
        for (size_t p = 0; p < K; p++)
            for (size_t q = p; q < K; q++)
                out[o++] = (double)(p == q ? Cs[p * K + p] : 2 * Cs[p * K + q]) / nz;
    }
    for (size_t s = 0; s < S; s++) {
        const uint64_t *Cs = C + s * K * K;
        double z = (double)lat->z[s];
        for (size_t p = 0; p < K; p++)
            for (size_t q = p + 1; q < K; q++)
                out[o++] = (dn * (double)Cs[p * K + q] - (double)Np[p] * (double)Np[q] * z) /
                           (dn * dn * z);
    }
    for (size_t s = 0; s < S; s++) {
        const uint64_t *Cs = C + s * K * K;
        double z = (double)lat->z[s];
        for (size_t p = 0; p < K; p++)
            for (size_t q = p + 1; q < K; q++) {
                double d = (double)Np[p] * (double)Np[q] * z;
                out[o++] = d > 0 ? (d - dn * (double)Cs[p * K + q]) / d : NAN;
            }
    }
    if (triplets) {
        /* triangles (i, i + d1, i + d2) with d1, d2 and d2 - d1 first-shell vectors: 24 per
         * site, each triangle seen from its three corners */
        int vec[AS_LATTICE_MAX_SHELLS][64][3];
        size_t zz[AS_LATTICE_MAX_SHELLS];
        int norm2[AS_LATTICE_MAX_SHELLS];
        AS_TRY(as_lat_shell_vectors(1, zz, norm2, vec));
        size_t z = zz[0], npair = 0;
        unsigned char pk[64][2];
        for (size_t a = 0; a < z; a++)
            for (size_t b = a + 1; b < z; b++) {
                int e0 = vec[0][b][0] - vec[0][a][0], e1 = vec[0][b][1] - vec[0][a][1],
                    e2 = vec[0][b][2] - vec[0][a][2];
                if (e0 * e0 + e1 * e1 + e2 * e2 == norm2[0]) {
                    pk[npair][0] = (unsigned char)a;
                    pk[npair][1] = (unsigned char)b;
                    npair++;
                }
            }
        size_t T = n_triples(K);
        uint64_t cnt[120] = {0};
        const uint32_t *tab = lat->nbr[0];
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < npair; k++)
                cnt[triple_index(K, config[i], config[tab[i * z + pk[k][0]]],
                                 config[tab[i * z + pk[k][1]]])]++;
        double tot = dn * (double)npair;
        for (size_t t = 0; t < T; t++)
            out[o++] = (double)cnt[t] / tot;
    }
    return AS_OK;
}

as_status as_fcc_features_name(const char (*sym)[AS_SYMBOL_MAX], size_t K, size_t S, int triplets,
                               size_t idx, char *buf, size_t cap)
{
    AS_TRY(check_args(NULL, K, S));
    size_t o = 0;
    for (size_t p = 0; p < K; p++)
        if (o++ == idx) {
            snprintf(buf, cap, "c_%s", sym[p]);
            return AS_OK;
        }
    static const char *const kind[] = {"bondfrac", "pcf", "alpha"};
    for (int k = 0; k < 3; k++)
        for (size_t s = 0; s < S; s++)
            for (size_t p = 0; p < K; p++)
                for (size_t q = k == 0 ? p : p + 1; q < K; q++)
                    if (o++ == idx) {
                        snprintf(buf, cap, "%s%zu_%s-%s", kind[k], s + 1, sym[p], sym[q]);
                        return AS_OK;
                    }
    if (triplets)
        for (size_t p = 0; p < K; p++)
            for (size_t q = p; q < K; q++)
                for (size_t r = q; r < K; r++)
                    if (o++ == idx) {
                        snprintf(buf, cap, "trip_%s-%s-%s", sym[p], sym[q], sym[r]);
                        return AS_OK;
                    }
    return AS_FAIL(AS_EINVAL, "features: index %zu beyond %zu", idx,
                   as_fcc_features_dim(K, S, triplets));
}
