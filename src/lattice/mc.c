/* Configurations: random, ordered, and Monte Carlo towards a target Warren-Cowley alpha
 * (seed 004, Methods, "Solubility Test": structures of given alpha^{Pt-(Co/M)} made by Monte Carlo
 * over the arrangement of Pt, Co and M; 22 seeds between -1/3 and 2/3).
 *
 * Swap delta. With x_i = [site i in X], y_i = [site i in Y], N = sum over ordered neighbour pairs
 * (i, j) of x_i y_j. Swapping sites a and b changes only pairs touching a or b. With F^y_c the
 * sum of y over c's (full) neighbour list, m_ab the multiplicity of b in a's list and m_0 the
 * multiplicity of a site in its own list (the same for every site: a shell vector that is a
 * supercell vector), the exchange gives
 *   dN = (x_b - x_a) [F^y_a - F^y_b + (m_ab - m_0)(y_a - y_b)]
 *      + (y_b - y_a) [F^x_a - F^x_b + (m_ab - m_0)(x_a - x_b)],
 * O(z) work whatever the cell size. Reachable N: for complementary groups (Y = not X, as in
 * Pt-(Co,M)) N = N_X z - N_XX with N_XX, the ordered X-X count, even (d and -d both count), so N
 * keeps the parity of N_X z; in the 108-atom cell alpha moves in steps of 2/324 = 1/162. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

as_status as_lattice_random_config(const as_lattice *lat, const size_t *counts, size_t n_species,
                                   as_rng *rng, int *config)
{
    size_t tot = 0;
    if (n_species < 1 || n_species > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "lattice: %zu species not in 1..%d", n_species,
                       AS_LATTICE_MAX_SPECIES);
    for (size_t p = 0; p < n_species; p++)
        tot += counts[p];
    if (tot != lat->n)
        return AS_FAIL(AS_EINVAL, "lattice: species counts add to %zu, the cell has %zu sites", tot,
                       lat->n);
    size_t i = 0;
    for (size_t p = 0; p < n_species; p++)
        for (size_t k = 0; k < counts[p]; k++)
            config[i++] = (int)p;
    for (size_t k = lat->n; k > 1; k--) {
        size_t j = as_rng_below(rng, k);
        int t = config[k - 1];
        config[k - 1] = config[j];
        config[j] = t;
    }
    return AS_OK;
}

/* Shuffle the species among the sites selected by sel (site i selected when sel[i] == key). */
as_status as_lat_shuffle_class(const as_lattice *lat, int *config, const unsigned char *sel,
                               unsigned char key, as_rng *rng)
{
    size_t m = 0;
    for (size_t i = 0; i < lat->n; i++)
        m += sel[i] == key;
    if (m < 2)
        return AS_OK;
    size_t *idx;
    AS_TRY(AS_ALLOC(idx, m, "shuffle index"));
    m = 0;
    for (size_t i = 0; i < lat->n; i++)
        if (sel[i] == key)
            idx[m++] = i;
    for (size_t k = m; k > 1; k--) {
        size_t j = as_rng_below(rng, k);
        int t = config[idx[k - 1]];
        config[idx[k - 1]] = config[idx[j]];
        config[idx[j]] = t;
    }
    as_free(idx);
    return AS_OK;
}

as_status as_lattice_ordered_config(const as_lattice *lat, size_t n_species, as_rng *rng,
                                    int *config)
{
    size_t kp = as_proto_n_species(lat->proto);
    if (n_species != kp)
        return AS_FAIL(AS_EINVAL, "lattice: the %s prototype orders %zu species, not %zu",
                       as_proto_name(lat->proto), kp, n_species);
    as_lattice_prototype_config(lat, config);
    unsigned char *sel;
    AS_TRY(AS_ALLOC(sel, lat->n, "selection"));
    for (size_t i = 0; i < lat->n; i++)
        sel[i] = config[i] != 0;
    as_status st = as_lat_shuffle_class(lat, config, sel, 1, rng);
    as_free(sel);
    return st;
}

/* ---------- Monte Carlo state ---------- */

struct as_mc {
    const as_lattice *lat;
    size_t n, K, z;
    as_sro_pair pair;
    const uint32_t *tab;
    int *config;
    unsigned char *bits; /* bit 0: in X, bit 1: in Y */
    uint32_t *xs, *os;   /* sites in X, sites not in X */
    uint32_t *where;     /* index of a site in its list */
    size_t nx, no;
    size_t ny;
    int64_t N;        /* current N_XY */
    int m0;           /* multiplicity of a site in its own list */
    uint64_t *thresh; /* acceptance thresholds for dE = 0 .. 4z at temperature t_cached */
    double t_cached;
};

static unsigned char site_bits(const as_mc *mc, int sp)
{
    return (unsigned char)((mc->pair.x >> sp & 1u) | ((mc->pair.y >> sp & 1u) << 1));
}

static int64_t count_pairs(const as_mc *mc)
{
    int64_t N = 0;
    for (size_t i = 0; i < mc->n; i++) {
        if (!(mc->bits[i] & 1))
            continue;
        const uint32_t *nb = mc->tab + i * mc->z;
        for (size_t k = 0; k < mc->z; k++)
            N += mc->bits[nb[k]] >> 1;
    }
    return N;
}

as_status as_mc_set_config(as_mc *mc, const int *config)
{
    AS_TRY(as_lat_check_config(mc->lat, config, mc->K));
    memcpy(mc->config, config, mc->n * sizeof *config);
    mc->nx = mc->no = mc->ny = 0;
    for (size_t i = 0; i < mc->n; i++) {
        mc->bits[i] = site_bits(mc, config[i]);
        mc->ny += mc->bits[i] >> 1;
        if (mc->bits[i] & 1) {
            mc->where[i] = (uint32_t)mc->nx;
            mc->xs[mc->nx++] = (uint32_t)i;
        } else {
            mc->where[i] = (uint32_t)mc->no;
            mc->os[mc->no++] = (uint32_t)i;
        }
    }
    mc->N = count_pairs(mc);
    return AS_OK;
}

as_status as_mc_create(const as_lattice *lat, size_t n_species, as_sro_pair pair, size_t shell,
                       const int *config, as_mc **out)
{
    *out = NULL;
    if (n_species < 1 || n_species > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "mc: %zu species not in 1..%d", n_species,
                       AS_LATTICE_MAX_SPECIES);
    if (shell >= lat->n_shells)
        return AS_FAIL(AS_EINVAL, "mc: shell %zu not tabulated", shell + 1);
    uint32_t all = (1u << n_species) - 1;
    if (!(pair.x & all) || !(pair.y & all) || (pair.x & ~all) || (pair.y & ~all))
        return AS_FAIL(AS_EINVAL, "mc: the pair's groups must be non-empty sets of the %zu species",
                       n_species);
    as_status st = AS_OK;
    as_mc *mc = as_calloc(1, sizeof *mc);
    if (!mc)
        return AS_FAIL(AS_ENOMEM, "mc: cannot allocate");
    mc->lat = lat;
    mc->n = lat->n;
    mc->K = n_species;
    mc->z = lat->z[shell];
    mc->tab = lat->nbr[shell];
    mc->pair = pair;
    mc->t_cached = -1;
    AS_CHECK(AS_ALLOC(mc->config, mc->n, "mc configuration"));
    AS_CHECK(AS_ALLOC(mc->bits, mc->n, "mc flags"));
    AS_CHECK(AS_ALLOC(mc->xs, mc->n, "mc site list"));
    AS_CHECK(AS_ALLOC(mc->os, mc->n, "mc site list"));
    AS_CHECK(AS_ALLOC(mc->where, mc->n, "mc site list"));
    AS_CHECK(AS_ALLOC(mc->thresh, 4 * mc->z + 1, "mc thresholds"));
    for (size_t k = 0; k < mc->z; k++)
        mc->m0 += mc->tab[k] == 0;
    AS_CHECK(as_mc_set_config(mc, config));
    *out = mc;
    return AS_OK;
fail:
    as_mc_free(mc);
    return st;
}

void as_mc_free(as_mc *mc)
{
    if (!mc)
        return;
    as_free(mc->config);
    as_free(mc->bits);
    as_free(mc->xs);
    as_free(mc->os);
    as_free(mc->where);
    as_free(mc->thresh);
    as_free(mc);
}

const int *as_mc_config(const as_mc *mc) { return mc->config; }
int64_t as_mc_pair_count(const as_mc *mc) { return mc->N; }

double as_mc_alpha_of(const as_mc *mc, int64_t count)
{
    if (mc->nx == 0 || mc->ny == 0)
        return NAN;
    /* alpha = 1 - N / (N_X z c_Y) = (N_X N_Y z - n N) / (N_X N_Y z) */
    double d = (double)mc->nx * (double)mc->ny * (double)mc->z;
    return (d - (double)mc->n * (double)count) / d;
}

double as_mc_alpha(const as_mc *mc) { return as_mc_alpha_of(mc, mc->N); }

int64_t as_mc_nearest_count(const as_mc *mc, double alpha)
{
    double denom = (double)mc->nx * (double)mc->z * (double)mc->ny / (double)mc->n;
    double want = (1.0 - alpha) * denom;
    int64_t maxN = (int64_t)(mc->nx * mc->z);
    /* parity: for disjoint complementary groups N = N_X z - 2 (X-X bonds) has the parity of
     * N_X z; otherwise every integer is allowed */
    uint32_t all = (1u << mc->K) - 1;
    int step = (!(mc->pair.x & mc->pair.y) && (mc->pair.x | mc->pair.y) == all) ? 2 : 1;
    int64_t base = step == 2 ? (maxN & 1) : 0;
    double k = floor((want - (double)base) / step + 0.5);
    int64_t N = base + (int64_t)k * step;
    if (N < base)
        N = base;
    if (N > maxN)
        N = maxN;
    return N;
}

/* Full-list sums of the flags over the neighbours of a and b and the multiplicity of b in a's
 * list; then the exchange formula of the file comment. */
static inline int64_t delta_z(const unsigned char *bits, const uint32_t *na, const uint32_t *nb,
                              size_t z, size_t a, size_t b, int m0)
{
    int fxa = 0, fya = 0, fxb = 0, fyb = 0, mab = 0;
    for (size_t k = 0; k < z; k++) {
        unsigned u = bits[na[k]], v = bits[nb[k]];
        fxa += (int)(u & 1);
        fya += (int)(u >> 1);
        fxb += (int)(v & 1);
        fyb += (int)(v >> 1);
        mab += na[k] == (uint32_t)b;
    }
    int xa = bits[a] & 1, ya = bits[a] >> 1, xb = bits[b] & 1, yb = bits[b] >> 1;
    int m = mab - m0;
    return (int64_t)(xb - xa) * (fya - fyb + m * (ya - yb)) +
           (int64_t)(yb - ya) * (fxa - fxb + m * (xa - xb));
}

static inline int64_t swap_delta(const as_mc *mc, size_t a, size_t b)
{
    const uint32_t *na = mc->tab + a * mc->z, *nb = mc->tab + b * mc->z;
    if (mc->z == 12) /* the first fcc shell: constant trip count */
        return delta_z(mc->bits, na, nb, 12, a, b, mc->m0);
    return delta_z(mc->bits, na, nb, mc->z, a, b, mc->m0);
}

int64_t as_mc_swap_delta(const as_mc *mc, size_t a, size_t b)
{
    if (a == b || mc->config[a] == mc->config[b])
        return 0;
    return swap_delta(mc, a, b);
}

static inline void do_swap(as_mc *mc, size_t a, size_t b, int64_t delta)
{
    int t = mc->config[a];
    mc->config[a] = mc->config[b];
    mc->config[b] = t;
    unsigned char ba = mc->bits[a], bb = mc->bits[b];
    mc->bits[a] = bb;
    mc->bits[b] = ba;
    if ((ba & 1) != (bb & 1)) {
        /* one of them was in X: exchange their places in the two lists */
        uint32_t wa = mc->where[a], wb = mc->where[b];
        if (ba & 1) {
            mc->xs[wa] = (uint32_t)b;
            mc->os[wb] = (uint32_t)a;
        } else {
            mc->os[wa] = (uint32_t)b;
            mc->xs[wb] = (uint32_t)a;
        }
        mc->where[a] = wb;
        mc->where[b] = wa;
    }
    mc->N += delta;
}

void as_mc_swap(as_mc *mc, size_t a, size_t b)
{
    if (a == b || mc->config[a] == mc->config[b])
        return;
    do_swap(mc, a, b, swap_delta(mc, a, b));
}

/* The sweep draws with as_xoshiro_next (core_int.h) on a local copy of the caller's as_rng
 * state: the same sequence as as_rng_u64, inlined for the hot loop; the state is written back
 * after the sweep. */

/* Uniform integer in [0, range) from 32 random bits (Lemire's multiply-shift with rejection). */
static inline uint32_t below32(uint64_t *s, uint32_t range, uint64_t *pool, int *left)
{
    for (;;) {
        if (!*left) {
            *pool = as_xoshiro_next(s);
            *left = 2;
        }
        uint32_t x = (uint32_t)*pool;
        *pool >>= 32;
        (*left)--;
        uint64_t m = (uint64_t)x * range;
        uint32_t l = (uint32_t)m;
        if (l >= range || l >= (uint32_t)(-range) % range)
            return (uint32_t)(m >> 32);
    }
}

void as_mc_sweep(as_mc *mc, int64_t target, double temp, size_t n_attempts, int stop_at_target,
                 as_rng *rng, size_t *accepted)
{
    if (mc->nx == 0 || mc->no == 0)
        return;
    size_t nmax = 4 * mc->z;
    if (temp != mc->t_cached) {
        /* P(accept | dE) = exp(-dE / T) as a threshold on 64 random bits */
        for (size_t d = 0; d <= nmax; d++) {
            double p = temp > 0 ? exp(-(double)d / temp) : (d == 0);
            mc->thresh[d] = p >= 1 ? UINT64_MAX : (uint64_t)(p * 18446744073709551616.0);
        }
        mc->t_cached = temp;
    }
    uint64_t pool = 0, st[4];
    memcpy(st, rng->s, sizeof st);
    int left = 0;
    size_t acc = 0;
    uint32_t nx = (uint32_t)mc->nx, no = (uint32_t)mc->no;
    for (size_t it = 0; it < n_attempts; it++) {
        if (stop_at_target && mc->N == target)
            break;
        size_t a = mc->xs[below32(st, nx, &pool, &left)];
        size_t b = mc->os[below32(st, no, &pool, &left)];
        if (mc->config[a] == mc->config[b])
            continue;
        int64_t d = swap_delta(mc, a, b);
        int64_t e0 = mc->N - target, e1 = mc->N + d - target;
        int64_t dE = (e1 < 0 ? -e1 : e1) - (e0 < 0 ? -e0 : e0);
        if (dE > 0) {
            if ((size_t)dE > nmax || as_xoshiro_next(st) >= mc->thresh[dE])
                continue;
        }
        do_swap(mc, a, b, d);
        acc++;
    }
    memcpy(rng->s, st, sizeof st);
    if (accepted)
        *accepted += acc;
}

/* ---------- generation ---------- */

static uint64_t config_hash(const as_lattice *lat, const int *config, size_t K)
{
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    if (as_lattice_pair_counts(lat, config, K, C) != AS_OK)
        return 0;
    /* over the translation-invariant counts */
    return as_hash64(AS_HASH64_INIT, C, lat->n_shells * K * K * sizeof *C);
}

as_mc_options as_mc_options_default(void)
{
    return (as_mc_options){.temperature = 2.0,
                           .walk_sweeps = 20,
                           .max_sweeps = 500,
                           .max_tries = 50,
                           .warn_tol = 1e-3};
}

/* Slab start: sort sites by their coordinate along the longest cell vector and give the first
 * ones the X species, the rest the others (counts of base). */
typedef struct {
    double key;
    size_t i;
} keyed;

static int keyed_cmp(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

as_status as_lat_slab_config(const as_lattice *lat, size_t K, const int *base, uint32_t xmask,
                             int *out)
{
    size_t n = lat->n, axis = 0;
    double best = 0;
    for (size_t i = 0; i < 3; i++) {
        double l =
            sqrt(lat->cell[3 * i] * lat->cell[3 * i] + lat->cell[3 * i + 1] * lat->cell[3 * i + 1] +
                 lat->cell[3 * i + 2] * lat->cell[3 * i + 2]);
        if (l > best + 1e-9) {
            best = l;
            axis = i;
        }
    }
    keyed *ks;
    AS_TRY(AS_ALLOC(ks, n, "slab order"));
    size_t per[3] = {lat->size[1] * lat->size[2] * lat->nb, lat->size[2] * lat->nb, lat->nb};
    for (size_t i = 0; i < n; i++) {
        if (lat->general) {
            ks[i] = (keyed){as_lat_site_frac(lat, i, (int)axis), i};
            continue;
        }
        size_t c = (i / per[axis]) % lat->size[axis];
        ks[i] = (keyed){(double)c + lat->fb[i % lat->nb][axis], i};
    }
    qsort(ks, n, sizeof *ks, keyed_cmp);
    size_t cnt[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[base[i]]++;
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t p = 0; p < K; p++)
            if (((xmask >> p) & 1u) == (pass == 0))
                for (size_t c = 0; c < cnt[p]; c++)
                    out[ks[k++].i] = (int)p;
    as_free(ks);
    return AS_OK;
}

/* Shuffle species within each class of equal (x, y) flags: alpha of the pair is unchanged. */
static as_status shuffle_free(const as_lattice *lat, as_sro_pair pair, int *config, as_rng *rng)
{
    unsigned char *sel;
    AS_TRY(AS_ALLOC(sel, lat->n, "selection"));
    for (size_t i = 0; i < lat->n; i++)
        sel[i] = (unsigned char)((pair.x >> config[i] & 1u) | ((pair.y >> config[i] & 1u) << 1));
    as_status st = AS_OK;
    for (unsigned char key = 0; key < 4 && st == AS_OK; key++)
        st = as_lat_shuffle_class(lat, config, sel, key, rng);
    as_free(sel);
    return st;
}

as_status as_lattice_generate(const as_lattice *lat, size_t n_species, const int *base,
                              as_sro_pair pair, double target_alpha, size_t count, const int *prev,
                              size_t n_prev, const as_mc_options *opt, as_rng *rng, int *configs,
                              double *achieved)
{
    as_mc_options o = opt ? *opt : as_mc_options_default();
    size_t n = lat->n, K = n_species;
    as_status st = AS_OK;
    as_mc *mc = NULL;
    int *start[3] = {NULL, NULL, NULL};
    uint64_t *hashes = NULL;
    if (achieved)
        *achieved = NAN;
    if (!(o.temperature >= 0) || o.max_tries < 1)
        return AS_FAIL(AS_EINVAL, "mc: temperature %g must be >= 0 and max_tries >= 1",
                       o.temperature);
    AS_TRY(as_mc_create(lat, K, pair, 0, base, &mc));
    if (mc->nx == 0 || mc->ny == 0 || mc->no == 0) {
        st = AS_FAIL(AS_EINVAL, "mc: alpha is undefined or cannot change (a group is empty)");
        goto fail;
    }
    int64_t target = as_mc_nearest_count(mc, target_alpha);
    double reached = as_mc_alpha_of(mc, target);
    if (fabs(reached - target_alpha) > o.warn_tol)
        as_log(AS_LOG_WARN,
               "target alpha %.6g is not reachable in this cell; using the nearest "
               "reachable value %.17g",
               target_alpha, reached);
    else if (fabs(reached - target_alpha) > 1e-12)
        as_log(AS_LOG_INFO, "target alpha %.6g -> nearest reachable %.17g", target_alpha, reached);
    /* the three candidate starts */
    size_t cnt[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[base[i]]++;
    for (int k = 0; k < 3; k++)
        AS_CHECK(AS_ALLOC(start[k], n, "mc start"));
    memcpy(start[0], base, n * sizeof *base);
    AS_CHECK(as_lattice_random_config(lat, cnt, K, rng, start[1]));
    AS_CHECK(as_lat_slab_config(lat, K, base, pair.x, start[2]));
    int best = 0;
    int64_t bestE = INT64_MAX;
    for (int k = 0; k < 3; k++) {
        AS_CHECK(as_mc_set_config(mc, start[k]));
        int64_t e = llabs(mc->N - target);
        if (e < bestE || (e == bestE && k == 2)) {
            bestE = e;
            best = k;
        }
    }
    AS_CHECK(AS_ALLOC(hashes, n_prev + count + 1, "config hashes"));
    for (size_t j = 0; j < n_prev; j++)
        hashes[j] = config_hash(lat, prev + j * n, K);
    for (size_t c = 0; c < count; c++) {
        int *dst = configs + c * n;
        size_t tries = 0;
        for (;;) {
            if (++tries > o.max_tries) {
                st = AS_FAIL(AS_ENOCONV,
                             "mc: could not make configuration %zu of %zu at alpha "
                             "%.6g distinct and on target in %zu tries",
                             c + 1, count, reached, o.max_tries);
                goto fail;
            }
            if (best == 1)
                AS_CHECK(as_lattice_random_config(lat, cnt, K, rng, start[1]));
            AS_CHECK(as_mc_set_config(mc, start[best]));
            int at_start = mc->N == target;
            as_mc_sweep(mc, target, o.temperature, o.walk_sweeps * n, 0, rng, NULL);
            as_mc_sweep(mc, target, 0.0, o.max_sweeps * n, 1, rng, NULL);
            if (mc->N != target) {
                /* an end of the range (ordered, slab) may not be found again: keep the start */
                if (!at_start)
                    continue;
                AS_CHECK(as_mc_set_config(mc, start[best]));
            }
            memcpy(dst, mc->config, n * sizeof *dst);
            AS_CHECK(shuffle_free(lat, pair, dst, rng));
            uint64_t h = config_hash(lat, dst, K);
            int dup = 0;
            for (size_t j = 0; j < n_prev + c && !dup; j++) {
                const int *other = j < n_prev ? prev + j * n : configs + (j - n_prev) * n;
                dup = hashes[j] == h && as_lattice_same_up_to_translation(lat, other, dst);
            }
            if (!dup) {
                hashes[n_prev + c] = h;
                break;
            }
        }
    }
    if (achieved)
        *achieved = reached;
fail:
    for (int k = 0; k < 3; k++)
        as_free(start[k]);
    as_free(hashes);
    as_mc_free(mc);
    return st;
}
