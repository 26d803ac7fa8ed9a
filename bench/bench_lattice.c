/* Benchmark of the lattice kernels (issue 3, item 7):
 *   - SRO-targeted Monte Carlo swaps per second (as_mc_sweep: random Pt <-> Co/M proposal, O(z)
 *     delta of N_Pt,(Co,M), Metropolis on |N - N*|) on the 108-atom Pt2CoCu cell and on a
 *     32x32x32 fcc supercell (131 072 atoms, Pt/Co 50/50);
 *   - 15-dimensional fingerprints per second on the 108-atom cell.
 * Before timing, each kernel is checked against a naive reference (full recount of the pair
 * numbers from the neighbour tables). Prints "key value" lines that bench/run_lattice.sh reads.
 * usage: bench_lattice [seconds per measurement, default 1] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloyscout/lattice.h"

/* CPU time of this process: the machine is shared, and wall time counts the waits for a core.
 * Wall time is printed too (keys ending in _wall). */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int die(const char *what)
{
    fprintf(stderr, "bench_lattice: %s: %s\n", what, as_errmsg());
    exit(1);
}

/* naive reference: N_XY over the full shell table */
static long long recount(const as_lattice *lat, const int *cfg, as_sro_pair pr, size_t s)
{
    size_t n = as_lattice_n_sites(lat), z = as_lattice_shell_size(lat, s);
    const uint32_t *t = as_lattice_neighbours(lat, s);
    long long N = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < z; k++)
            N += (pr.x >> cfg[i] & 1) && (pr.y >> cfg[t[i * z + k]] & 1);
    return N;
}

static double naive_alpha(const as_lattice *lat, const int *cfg, size_t K, as_sro_pair pr, size_t s)
{
    size_t n = as_lattice_n_sites(lat), nx = 0, ny = 0;
    for (size_t i = 0; i < n; i++) {
        nx += pr.x >> cfg[i] & 1;
        ny += pr.y >> cfg[i] & 1;
    }
    (void)K;
    double z = (double)as_lattice_shell_size(lat, s);
    return 1.0 - (double)recount(lat, cfg, pr, s) / ((double)nx * z * (double)ny / (double)n);
}

static void bench_swaps(const char *key, as_proto proto, size_t m, size_t K, const size_t *cnt,
                        double alpha_target, double secs)
{
    size_t size[3] = {m, m, m};
    as_lattice *lat;
    if (as_lattice_create(proto, size, NULL, &lat) != AS_OK)
        die("lattice");
    size_t n = as_lattice_n_sites(lat);
    int *cfg = malloc(n * sizeof *cfg);
    as_rng rng;
    as_rng_seed(&rng, 2385);
    if (as_lattice_random_config(lat, cnt, K, &rng, cfg) != AS_OK)
        die("random config");
    as_sro_pair pr = {1u, ((1u << K) - 1) & ~1u};
    as_mc *mc;
    if (as_mc_create(lat, K, pr, 0, cfg, &mc) != AS_OK)
        die("mc");
    int64_t target = as_mc_nearest_count(mc, alpha_target);
    /* check: after sweeps the tracked N equals a full recount */
    size_t acc = 0;
    as_mc_sweep(mc, target, 2.0, 20 * n < 2000000 ? 20 * n : 2000000, 0, &rng, &acc);
    if (as_mc_pair_count(mc) != recount(lat, as_mc_config(mc), pr, 0)) {
        fprintf(stderr, "bench_lattice: %s: incremental N differs from the recount\n", key);
        exit(1);
    }
    /* time: batches of attempts until secs elapsed */
    size_t batch = 1000000, total = 0;
    acc = 0;
    double t0 = now(), w0 = wall(), t;
    do {
        as_mc_sweep(mc, target, 2.0, batch, 0, &rng, &acc);
        total += batch;
        t = now() - t0;
    } while (t < secs);
    double w = wall() - w0;
    if (as_mc_pair_count(mc) != recount(lat, as_mc_config(mc), pr, 0)) {
        fprintf(stderr, "bench_lattice: %s: incremental N differs after timing\n", key);
        exit(1);
    }
    printf("%s_sites %zu\n%s_swaps_per_s %.6g\n%s_swaps_per_s_wall %.6g\n%s_accept_ratio %.4f\n"
           "%s_alpha %.6f\n",
           key, n, key, (double)total / t, key, (double)total / w, key, (double)acc / (double)total,
           key, as_mc_alpha(mc));
    as_mc_free(mc);
    free(cfg);
    as_lattice_free(lat);
}

static void bench_fingerprint(double secs)
{
    size_t size[3] = {3, 3, 3};
    as_lattice *lat;
    if (as_lattice_create(AS_PROTO_PT2COM, size, NULL, &lat) != AS_OK)
        die("lattice");
    enum { NC = 64 };
    static int cfg[NC][108];
    size_t cnt[3] = {54, 27, 27};
    as_rng rng;
    as_rng_seed(&rng, 7);
    for (int c = 0; c < NC; c++)
        if (as_lattice_random_config(lat, cnt, 3, &rng, cfg[c]) != AS_OK)
            die("random config");
    /* check against the naive alphas */
    double fp[15];
    static const as_sro_pair pr[3] = {{1, 2}, {1, 4}, {2, 4}};
    for (int c = 0; c < NC; c++) {
        if (as_lattice_fingerprint(lat, cfg[c], 3, fp) != AS_OK)
            die("fingerprint");
        for (int p = 0; p < 3; p++)
            for (size_t s = 0; s < 3; s++)
                if (fabs(fp[3 * p + s] - naive_alpha(lat, cfg[c], 3, pr[p], s)) > 1e-12) {
                    fprintf(stderr, "bench_lattice: fingerprint differs from the naive alpha\n");
                    exit(1);
                }
    }
    size_t total = 0;
    double sink = 0, t0 = now(), w0 = wall(), t;
    do {
        for (int r = 0; r < 1000; r++)
            for (int c = 0; c < NC; c++) {
                as_lattice_fingerprint(lat, cfg[c], 3, fp);
                sink += fp[0];
            }
        total += 1000 * NC;
        t = now() - t0;
    } while (t < secs);
    double w = wall() - w0;
    printf("fp108_per_s %.6g\nfp108_us %.4f\nfp108_us_wall %.4f\n", (double)total / t,
           1e6 * t / (double)total, 1e6 * w / (double)total);
    if (sink == 12345.678)
        printf("#\n");
    as_lattice_free(lat);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    if (!(secs > 0))
        secs = 1.0;
    size_t c108[3] = {54, 27, 27};
    bench_swaps("swap108", AS_PROTO_PT2COM, 3, 3, c108, 1.0 / 6, secs);
    size_t cbig[2] = {65536, 65536};
    bench_swaps("swap131072", AS_PROTO_FCC, 32, 2, cbig, 0.1, secs);
    bench_fingerprint(secs);
    return 0;
}
