/* Benchmark 12a: SMOTE + Tomek links (Tomek mode 'all', k = 5) on a dataset written by
 * bench/peer_resample.py gen (same bytes the imbalanced-learn peer reads).
 *
 *   bench_resample DATA.bin [--check-tomek REMOVED.txt] [--seed S]
 *
 * Before timing: the k-d tree (single queries and the all-points kernel) is checked against the
 * brute-force reference (k = 1 and k = 5, excluding the query point, on up to 500 rows), and with --check-tomek our Tomek links on
 * the original data must remove exactly the rows imblearn removed. Prints one JSON line. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "alloyscout/resample.h"
#include "core_int.h"

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int read_data(const char *path, double **x, int **y, size_t *n, size_t *d)
{
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint64_t hdr[2];
    if (!f || fread(magic, 1, 8, f) != 8 || memcmp(magic, "ASRS0001", 8) != 0 ||
        fread(hdr, 8, 2, f) != 2) {
        fprintf(stderr, "bench_resample: %s: not an ASRS0001 file\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    *n = (size_t)hdr[0];
    *d = (size_t)hdr[1];
    *x = malloc(*n * *d * sizeof(double));
    int32_t *y32 = malloc(*n * sizeof(int32_t));
    *y = malloc(*n * sizeof(int));
    if (!*x || !y32 || !*y || fread(*x, sizeof(double), *n * *d, f) != *n * *d ||
        fread(y32, sizeof(int32_t), *n, f) != *n) {
        fprintf(stderr, "bench_resample: %s: short file\n", path);
        fclose(f);
        return 1;
    }
    for (size_t i = 0; i < *n; i++)
        (*y)[i] = (int)y32[i];
    free(y32);
    fclose(f);
    return 0;
}

/* kd tree vs brute force on up to 500 rows; returns the number of mismatches. */
static size_t check_tree(const double *x, size_t n, size_t d)
{
    as_kdtree *t = NULL;
    size_t bad = 0;
    if (as_kdtree_build(x, n, d, &t) != AS_OK) {
        fprintf(stderr, "bench_resample: %s\n", as_errmsg());
        return 1;
    }
    /* The all-points kernel (used by SMOTE and Tomek) and single queries, k = 1 and 5. */
    size_t *sa = malloc(n * 5 * sizeof(size_t));
    double *sd = malloc(n * 5 * sizeof(double));
    if (!sa || !sd || as_kdtree_knn_self(t, 5, sa, sd) != AS_OK)
        bad++;
    size_t step = n > 500 ? n / 500 : 1;
    for (size_t q = 0; q < n && !bad; q += step)
        for (size_t k = 1; k <= 5; k += 4) {
            size_t ia[5], ib[5];
            double da[5], db[5];
            if (as_kdtree_knn(t, x + q * d, k, q, ia, da) != AS_OK ||
                as_knn_brute(x, n, d, x + q * d, k, q, ib, db) != AS_OK) {
                bad++;
                continue;
            }
            for (size_t j = 0; j < k; j++)
                bad += (ia[j] != ib[j] || da[j] != db[j] || sa[q * 5 + j] != ib[j] ||
                        sd[q * 5 + j] != db[j]);
        }
    free(sa);
    free(sd);
    as_kdtree_free(t);
    return bad;
}

/* Our Tomek 'all' removal set vs imblearn's (sorted row numbers on one line). */
static int check_tomek(const char *path, const double *x, const int *y, size_t n, size_t d)
{
    size_t *a = NULL, *b = NULL, nl = 0;
    if (as_tomek_links(x, y, n, d, &a, &b, &nl) != AS_OK) {
        fprintf(stderr, "bench_resample: %s\n", as_errmsg());
        return 1;
    }
    unsigned char *ours = calloc(n, 1), *peer = calloc(n, 1);
    for (size_t l = 0; l < nl; l++)
        ours[a[l]] = ours[b[l]] = 1;
    FILE *f = fopen(path, "r");
    size_t i, n_peer = 0;
    int ok = f != NULL;
    while (ok && fscanf(f, "%zu", &i) == 1) {
        if (i >= n) {
            ok = 0;
            break;
        }
        peer[i] = 1;
        n_peer++;
    }
    if (f)
        fclose(f);
    size_t diff = 0;
    for (i = 0; i < n; i++)
        diff += ours[i] != peer[i];
    fprintf(stderr,
            "bench_resample: Tomek check: %zu links (%zu rows) ours, %zu rows imblearn, "
            "%zu differ\n",
            nl, 2 * nl, n_peer, diff);
    free(ours);
    free(peer);
    as_free(a);
    as_free(b);
    return !ok || diff != 0;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *tomek_ref = NULL;
    uint64_t seed = 2385;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check-tomek") == 0 && i + 1 < argc)
            tomek_ref = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!data)
            data = argv[i];
        else {
            fprintf(stderr, "usage: bench_resample DATA.bin [--check-tomek FILE] [--seed S]\n");
            return 2;
        }
    }
    if (!data) {
        fprintf(stderr, "usage: bench_resample DATA.bin [--check-tomek FILE] [--seed S]\n");
        return 2;
    }
    double *x;
    int *y;
    size_t n, d;
    if (read_data(data, &x, &y, &n, &d))
        return 1;
    size_t bad = check_tree(x, n, d);
    if (bad) {
        fprintf(stderr, "bench_resample: k-d tree disagrees with brute force (%zu)\n", bad);
        return 1;
    }
    if (tomek_ref && check_tomek(tomek_ref, x, y, n, d)) {
        fprintf(stderr, "bench_resample: Tomek links differ from imblearn\n");
        return 1;
    }
    as_resample_options opt = as_resample_options_default();
    opt.method = AS_RESAMPLE_SMOTE_TOMEK;
    opt.tomek = AS_TOMEK_ALL;
    opt.smote_k = 5;
    as_rng rng;
    as_rng_seed(&rng, seed);
    double *xo;
    int *yo;
    size_t no;
    double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    as_status st = as_resample(&opt, x, y, n, d, &rng, &xo, &yo, &no);
    double sec = now_s(CLOCK_MONOTONIC) - t0, cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (st != AS_OK) {
        fprintf(stderr, "bench_resample: %s\n", as_errmsg());
        return 1;
    }
    size_t c1 = 0;
    for (size_t i = 0; i < no; i++)
        c1 += yo[i] == 1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"who\": \"alloyscout\", \"n\": %zu, \"d\": %zu, \"seconds\": %.6f, "
           "\"cpu_seconds\": %.6f, \"n_out\": %zu, \"n_out_class\": [%zu, %zu], "
           "\"maxrss_kb\": %ld}\n",
           n, d, sec, cpu, no, no - c1, c1, ru.ru_maxrss);
    as_free(xo);
    as_free(yo);
    free(x);
    free(y);
    return 0;
}
