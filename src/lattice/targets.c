/* Compositions, several short-range-order targets at once (pairs and shells), and the reachable
 * range of alpha in a given cell and composition.
 *
 * Several targets: E = sum_t |N_t - N_t*| over the ordered pair counts N_t of target t's pair in
 * its shell. A swap of sites a, b changes each N_t by the exchange formula of mc.c (one as_mc per
 * target, kept on the same configuration), so a proposal costs O(T z). Reachable range: alpha
 * falls as the pair count N rises (alpha = 1 - n N / (N_X N_Y z)), so Monte Carlo on |N - N_max|
 * and |N - 0| from the base, random and slab starts, annealed to 0, gives the two ends. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

as_status as_lattice_counts_for_fractions(size_t n_sites, const double *frac, size_t K,
                                          size_t *counts, double *max_dev)
{
    if (K < 1 || K > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "composition: %zu species not in 1..%d", K,
                       AS_LATTICE_MAX_SPECIES);
    double sum = 0;
    for (size_t p = 0; p < K; p++) {
        if (!(frac[p] >= 0) || !isfinite(frac[p]))
            return AS_FAIL(AS_EINVAL, "composition: fraction %g of species %zu", frac[p], p + 1);
        sum += frac[p];
    }
    if (!(sum > 0))
        return AS_FAIL(AS_EINVAL, "composition: the fractions add to 0");
    double rem[AS_LATTICE_MAX_SPECIES];
    size_t tot = 0;
    for (size_t p = 0; p < K; p++) {
        double want = frac[p] / sum * (double)n_sites;
        counts[p] = (size_t)floor(want);
        rem[p] = want - (double)counts[p];
        tot += counts[p];
    }
    while (tot < n_sites) {
        size_t best = 0;
        for (size_t p = 1; p < K; p++)
            if (rem[p] > rem[best])
                best = p;
        counts[best]++;
        rem[best] = -1;
        tot++;
    }
    if (max_dev) {
        *max_dev = 0;
        for (size_t p = 0; p < K; p++)
            *max_dev = AS_MAX(*max_dev, fabs((double)counts[p] / (double)n_sites - frac[p] / sum));
    }
    return AS_OK;
}

as_status as_lattice_config_with_counts(const as_lattice *lat, const size_t *counts, size_t K,
                                        as_rng *rng, int *config)
{
    if (K < 1 || K > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "lattice: %zu species not in 1..%d", K, AS_LATTICE_MAX_SPECIES);
    size_t n = lat->n, tot = 0, have[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t p = 0; p < K; p++)
        tot += counts[p];
    if (tot != n)
        return AS_FAIL(AS_EINVAL, "lattice: species counts add to %zu, the cell has %zu sites", tot,
                       n);
    if (as_proto_n_species(lat->proto) == 1 || lat->general)
        return as_lattice_random_config(lat, counts, K, rng, config);
    as_lattice_prototype_config(lat, config);
    for (size_t i = 0; i < n; i++) {
        if ((size_t)config[i] >= K)
            config[i] = (int)(K - 1);
        have[config[i]]++;
    }
    /* random order of the sites; walk it and move sites of species in excess to the first
     * species in deficit */
    size_t *perm;
    AS_TRY(AS_ALLOC(perm, n, "site order"));
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    as_rng_shuffle(rng, perm, n);
    for (size_t k = 0; k < n; k++) {
        size_t i = perm[k];
        int p = config[i];
        if (have[p] <= counts[p])
            continue;
        size_t q = 0;
        while (q < K && have[q] >= counts[q])
            q++;
        if (q == K)
            break;
        config[i] = (int)q;
        have[p]--;
        have[q]++;
    }
    as_free(perm);
    return AS_OK;
}

as_status as_sro_targets_parse(const char *text, const char (*symbols)[AS_SYMBOL_MAX], size_t K,
                               as_sro_target *out, size_t cap, size_t *n)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        /* one item: up to a comma at parenthesis depth 0 */
        const char *e = p;
        int depth = 0;
        while (*e && !(*e == ',' && depth == 0)) {
            depth += *e == '(';
            depth -= *e == ')';
            e++;
        }
        char item[128], pair_txt[128];
        size_t len = (size_t)(e - p);
        if (len == 0 || len >= sizeof item)
            return AS_FAIL(AS_EINVAL, "target '%s': empty or too long item", text);
        memcpy(item, p, len);
        item[len] = 0;
        if (*n == cap)
            return AS_FAIL(AS_EINVAL, "target '%s': more than %zu items", text, cap);
        char *eq = strchr(item, '=');
        if (!eq)
            return AS_FAIL(AS_EINVAL, "target '%s': needs '=ALPHA', e.g. 'Ag-Pd@1=-0.1'", item);
        char *at = strchr(item, '@');
        size_t shell = 1;
        if (at && at < eq) {
            char *end;
            long s = strtol(at + 1, &end, 10);
            if (end != eq || s < 1 || s > AS_LATTICE_MAX_SHELLS)
                return AS_FAIL(AS_EINVAL, "target '%s': shell after '@' must be 1..%d", item,
                               AS_LATTICE_MAX_SHELLS);
            shell = (size_t)s;
        }
        size_t plen = (size_t)((at && at < eq ? at : eq) - item);
        memcpy(pair_txt, item, plen);
        pair_txt[plen] = 0;
        as_sro_target *t = &out[*n];
        AS_TRY(as_sro_pair_parse(pair_txt, symbols, K, &t->pair, NULL, NULL));
        char *end;
        t->alpha = strtod(eq + 1, &end);
        if (end == eq + 1 || *end || !isfinite(t->alpha))
            return AS_FAIL(AS_EINVAL, "target '%s': bad value after '='", item);
        t->shell = shell - 1;
        (*n)++;
        p = *e ? e + 1 : e;
    }
    if (*n == 0)
        return AS_FAIL(AS_EINVAL, "target: none given");
    return AS_OK;
}

/* ---- reachable range ---- */

/* Anneal mc towards count target from its current state, keeping the best state in best (n). */
static int64_t anneal(as_mc *mc, int64_t target, const as_mc_options *o, as_rng *rng, size_t n,
                      int *best, int64_t best_e)
{
    static const double scale[] = {1.0, 0.5, 0.25, 0.1, 0.0};
    for (size_t k = 0; k < sizeof scale / sizeof scale[0]; k++) {
        double t = o->temperature * scale[k];
        size_t steps = (t > 0 ? o->walk_sweeps : o->max_sweeps) * n;
        as_mc_sweep(mc, target, t, steps, 1, rng, NULL);
        int64_t e = llabs(as_mc_pair_count(mc) - target);
        if (e < best_e) {
            best_e = e;
            memcpy(best, as_mc_config(mc), n * sizeof *best);
        }
        if (e == 0)
            break;
    }
    return best_e;
}

as_status as_lattice_sro_range(const as_lattice *lat, size_t K, const int *base, as_sro_pair pair,
                               size_t shell, const as_mc_options *opt, as_rng *rng, double *lo,
                               double *hi, int *lo_config, int *hi_config)
{
    as_mc_options o = opt ? *opt : as_mc_options_default();
    size_t n = lat->n;
    *lo = *hi = NAN;
    as_status st = AS_OK;
    as_mc *mc = NULL;
    int *start[3] = {NULL, NULL, NULL}, *ext[2] = {NULL, NULL};
    AS_TRY(as_mc_create(lat, K, pair, shell, base, &mc));
    if (as_mc_alpha(mc) != as_mc_alpha(mc)) {
        st = AS_FAIL(AS_EINVAL, "sro range: alpha is undefined (a group is empty)");
        goto fail;
    }
    size_t cnt[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[base[i]]++;
    for (int k = 0; k < 3; k++)
        AS_CHECK(AS_ALLOC(start[k], n, "range start"));
    for (int k = 0; k < 2; k++)
        AS_CHECK(AS_ALLOC(ext[k], n, "range end"));
    memcpy(start[0], base, n * sizeof *base);
    AS_CHECK(as_lattice_random_config(lat, cnt, K, rng, start[1]));
    AS_CHECK(as_lat_slab_config(lat, K, base, pair.x, start[2]));
    int64_t nmax = as_mc_nearest_count(mc, -1e6), nmin = as_mc_nearest_count(mc, 1e6);
    int64_t goal[2] = {nmax, nmin}; /* lowest alpha: most pairs */
    for (int side = 0; side < 2; side++) {
        int64_t best_e = INT64_MAX;
        for (int k = 0; k < 3; k++) {
            AS_CHECK(as_mc_set_config(mc, start[k]));
            int64_t e = llabs(as_mc_pair_count(mc) - goal[side]);
            if (e < best_e) {
                best_e = e;
                memcpy(ext[side], start[k], n * sizeof *base);
            }
            best_e = anneal(mc, goal[side], &o, rng, n, ext[side], best_e);
        }
        AS_CHECK(as_mc_set_config(mc, ext[side]));
        if (side == 0)
            *lo = as_mc_alpha(mc);
        else
            *hi = as_mc_alpha(mc);
    }
    if (lo_config)
        memcpy(lo_config, ext[0], n * sizeof *base);
    if (hi_config)
        memcpy(hi_config, ext[1], n * sizeof *base);
fail:
    for (int k = 0; k < 3; k++)
        as_free(start[k]);
    for (int k = 0; k < 2; k++)
        as_free(ext[k]);
    as_mc_free(mc);
    return st;
}

/* ---- several targets ---- */

static uint64_t counts_hash(const as_lattice *lat, const int *config, size_t K)
{
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    if (as_lattice_pair_counts(lat, config, K, C) != AS_OK)
        return 0;
    return as_hash64(AS_HASH64_INIT, C, lat->n_shells * K * K * sizeof *C);
}

static void format_targets(const char (*sym)[AS_SYMBOL_MAX], size_t K, const as_sro_target *t,
                           size_t nt, const double *alpha, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 0; k < nt && len < cap; k++) {
        if (k)
            len += (size_t)snprintf(buf + len, cap - len, ",");
        if (len < cap)
            len += as_sro_pair_format(t[k].pair, sym, K, buf + len, cap - len);
        if (len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "@%zu=%.6g", t[k].shell + 1, alpha[k]);
    }
}

#define MAX_TARGETS 16

as_status as_lattice_generate_targets(const as_lattice *lat, size_t K,
                                      const char (*symbols)[AS_SYMBOL_MAX], const int *base,
                                      const as_sro_target *tg, size_t nt, size_t count,
                                      const int *prev, size_t n_prev, const as_mc_options *opt,
                                      as_rng *rng, int *configs, double *achieved)
{
    as_mc_options o = opt ? *opt : as_mc_options_default();
    size_t n = lat->n;
    if (nt < 1 || nt > MAX_TARGETS)
        return AS_FAIL(AS_EINVAL, "mc: %zu targets not in 1..%d", nt, MAX_TARGETS);
    if (!(o.temperature >= 0) || o.max_tries < 1)
        return AS_FAIL(AS_EINVAL, "mc: temperature %g must be >= 0 and max_tries >= 1",
                       o.temperature);
    as_status st = AS_OK;
    as_mc *mc[MAX_TARGETS] = {NULL};
    int64_t goal[MAX_TARGETS];
    double reach[MAX_TARGETS], best_alpha[MAX_TARGETS];
    int *cur = NULL, *rnd = NULL;
    uint64_t *hashes = NULL;
    unsigned char *sel = NULL;
    for (size_t t = 0; t < nt; t++) {
        AS_CHECK(as_mc_create(lat, K, tg[t].pair, tg[t].shell, base, &mc[t]));
        if (as_mc_alpha(mc[t]) != as_mc_alpha(mc[t])) {
            st = AS_FAIL(AS_EINVAL, "mc: target %zu: alpha is undefined (a group is empty)", t + 1);
            goto fail;
        }
        goal[t] = as_mc_nearest_count(mc[t], tg[t].alpha);
        reach[t] = as_mc_alpha_of(mc[t], goal[t]);
        if (fabs(reach[t] - tg[t].alpha) > o.warn_tol)
            as_log(AS_LOG_WARN,
                   "target %zu: alpha %.6g is not on this cell's grid; using the "
                   "nearest value %.17g",
                   t + 1, tg[t].alpha, reach[t]);
    }
    /* species that every target treats alike can be exchanged freely */
    uint32_t sig[AS_LATTICE_MAX_SPECIES];
    for (size_t p = 0; p < K; p++) {
        sig[p] = 0;
        for (size_t t = 0; t < nt; t++)
            sig[p] |= ((tg[t].pair.x >> p & 1u) | (tg[t].pair.y >> p & 1u) << 1) << (2 * t);
    }
    size_t cnt[AS_LATTICE_MAX_SPECIES] = {0};
    for (size_t i = 0; i < n; i++)
        cnt[base[i]]++;
    AS_CHECK(AS_ALLOC(cur, n, "mc state"));
    AS_CHECK(AS_ALLOC(rnd, n, "mc start"));
    AS_CHECK(AS_ALLOC(sel, n, "selection"));
    AS_CHECK(AS_ALLOC(hashes, n_prev + count + 1, "config hashes"));
    for (size_t j = 0; j < n_prev; j++)
        hashes[j] = counts_hash(lat, prev + j * n, K);
    int64_t best_e = INT64_MAX;
    for (size_t c = 0; c < count; c++) {
        int *dst = configs + c * n;
        size_t tries = 0;
        for (;;) {
            if (++tries > o.max_tries) {
                char want[512], got[512];
                double al[MAX_TARGETS];
                for (size_t t = 0; t < nt; t++)
                    al[t] = tg[t].alpha;
                format_targets(symbols, K, tg, nt, al, want, sizeof want);
                format_targets(symbols, K, tg, nt, best_alpha, got, sizeof got);
                if (best_e > 0)
                    st = AS_FAIL(AS_ENOCONV,
                                 "mc: the targets %s are not reachable together in "
                                 "this cell (%zu tries); the nearest combination "
                                 "reached is %s",
                                 want, o.max_tries, got);
                else
                    st = AS_FAIL(AS_ENOCONV,
                                 "mc: could not make configuration %zu of %zu at %s "
                                 "distinct from the others in %zu tries",
                                 c + 1, count, want, o.max_tries);
                goto fail;
            }
            /* start: the base or a random arrangement, whichever is nearer the targets */
            AS_CHECK(as_lattice_random_config(lat, cnt, K, rng, rnd));
            int64_t eb = 0, er = 0;
            for (size_t t = 0; t < nt; t++) {
                AS_CHECK(as_mc_set_config(mc[t], base));
                eb += llabs(as_mc_pair_count(mc[t]) - goal[t]);
                AS_CHECK(as_mc_set_config(mc[t], rnd));
                er += llabs(as_mc_pair_count(mc[t]) - goal[t]);
            }
            const int *st0 = eb < er ? base : rnd;
            memcpy(cur, st0, n * sizeof *cur);
            int64_t E = 0;
            for (size_t t = 0; t < nt; t++) {
                AS_CHECK(as_mc_set_config(mc[t], cur));
                E += llabs(as_mc_pair_count(mc[t]) - goal[t]);
            }
            size_t steps[2] = {o.walk_sweeps * n, o.max_sweeps * n};
            double temp[2] = {o.temperature, 0.0};
            for (int phase = 0; phase < 2 && !(phase == 1 && E == 0); phase++)
                for (size_t it = 0; it < steps[phase]; it++) {
                    if (phase == 1 && E == 0)
                        break;
                    size_t a = as_rng_below(rng, n), b = as_rng_below(rng, n);
                    if (cur[a] == cur[b])
                        continue;
                    int64_t dE = 0, d[MAX_TARGETS];
                    for (size_t t = 0; t < nt; t++) {
                        d[t] = as_mc_swap_delta(mc[t], a, b);
                        int64_t e0 = as_mc_pair_count(mc[t]) - goal[t], e1 = e0 + d[t];
                        dE += llabs(e1) - llabs(e0);
                    }
                    if (dE > 0 &&
                        !(temp[phase] > 0 && as_rng_uniform(rng) < exp(-(double)dE / temp[phase])))
                        continue;
                    for (size_t t = 0; t < nt; t++)
                        as_mc_swap(mc[t], a, b);
                    int x = cur[a];
                    cur[a] = cur[b];
                    cur[b] = x;
                    E += dE;
                }
            if (E < best_e) {
                best_e = E;
                for (size_t t = 0; t < nt; t++)
                    best_alpha[t] = as_mc_alpha(mc[t]);
            }
            if (E != 0)
                continue;
            memcpy(dst, cur, n * sizeof *dst);
            for (size_t i = 0; i < n; i++)
                sel[i] = 0;
            /* shuffle within each class of species with one signature */
            for (size_t p = 0; p < K && st == AS_OK; p++) {
                int first = 1;
                for (size_t q = 0; q < p; q++)
                    first &= sig[q] != sig[p];
                if (!first)
                    continue;
                for (size_t i = 0; i < n; i++)
                    sel[i] = sig[dst[i]] == sig[p];
                AS_CHECK(as_lat_shuffle_class(lat, dst, sel, 1, rng));
            }
            uint64_t h = counts_hash(lat, dst, K);
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
        if (achieved)
            for (size_t t = 0; t < nt; t++)
                achieved[c * nt + t] = reach[t];
    }
fail:
    for (size_t t = 0; t < nt; t++)
        as_mc_free(mc[t]);
    as_free(cur);
    as_free(rnd);
    as_free(sel);
    as_free(hashes);
    return st;
}
