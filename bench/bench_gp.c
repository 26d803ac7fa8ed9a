/* Benchmark 9 (first half): GPR fit with restarts plus prediction of m points, the same work as
 * bench/peer_gp.py does with scikit-learn on the same data file.
 *
 * usage: bench_gp DATA RESTARTS [SEED]
 * DATA (written by bench/run_gp.sh): "n d" then n rows "x_1 .. x_d y", then "m" then m rows
 * "x_1 .. x_d". Prints one line: n d restarts fit_s predict_s lml c2 l evaluations.
 *
 * Before timing, the batched prediction (gemm + trsm) is checked against a naive per-point
 * solve, and the analytic LML gradient against central differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloyscout/gp.h"
#include "core_int.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int die(const char *what)
{
    fprintf(stderr, "bench_gp: %s: %s\n", what, as_errmsg());
    return 1;
}

/* Naive reference for the first few queries: K, its Cholesky factor, k*, mean and std by
 * plain loops (normalize_y on, as in the options used here). Returns 1 on a mismatch. */
static int check_predict(const double *x, const double *y, size_t n, size_t d, as_gp *gp,
                         const double *xq, size_t m)
{
    double c2 = as_gp_c2(gp), l = as_gp_length_scales(gp)[0], jit = as_gp_jitter_used(gp);
    double *k = malloc(n * n * sizeof *k), *ks = malloc(n * sizeof *ks);
    double *v = malloc(n * sizeof *v), *al = malloc(n * sizeof *al);
    double ym = 0, ys = 0;
    for (size_t i = 0; i < n; i++)
        ym += y[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        ys += (y[i] - ym) * (y[i] - ym) / (double)n;
    ys = sqrt(ys);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double r = 0;
            for (size_t t = 0; t < d; t++)
                r += (x[i * d + t] - x[j * d + t]) * (x[i * d + t] - x[j * d + t]);
            k[i * n + j] = c2 * exp(-0.5 * r / (l * l)) + (i == j ? jit : 0);
        }
    for (size_t j = 0; j < n; j++) { /* Cholesky-Banachiewicz */
        double s = k[j * n + j];
        for (size_t t = 0; t < j; t++)
            s -= k[j * n + t] * k[j * n + t];
        k[j * n + j] = sqrt(s);
        for (size_t i = j + 1; i < n; i++) {
            double u = k[i * n + j];
            for (size_t t = 0; t < j; t++)
                u -= k[i * n + t] * k[j * n + t];
            k[i * n + j] = u / k[j * n + j];
        }
    }
    for (size_t i = 0; i < n; i++) { /* alpha = L^-T L^-1 yn */
        double s = (y[i] - ym) / ys;
        for (size_t t = 0; t < i; t++)
            s -= k[i * n + t] * al[t];
        al[i] = s / k[i * n + i];
    }
    for (size_t i = n; i-- > 0;) {
        double s = al[i];
        for (size_t t = i + 1; t < n; t++)
            s -= k[t * n + i] * al[t];
        al[i] = s / k[i * n + i];
    }
    int bad = 0;
    for (size_t q = 0; q < m && q < 5; q++) {
        double mu = 0, vv = 0, mean, sd;
        for (size_t i = 0; i < n; i++) {
            double r = 0;
            for (size_t t = 0; t < d; t++)
                r += (xq[q * d + t] - x[i * d + t]) * (xq[q * d + t] - x[i * d + t]);
            ks[i] = c2 * exp(-0.5 * r / (l * l));
            mu += ks[i] * al[i];
        }
        for (size_t i = 0; i < n; i++) { /* v = L^{-1} k* */
            double s = ks[i];
            for (size_t t = 0; t < i; t++)
                s -= k[i * n + t] * v[t];
            v[i] = s / k[i * n + i];
            vv += v[i] * v[i];
        }
        double sd_ref = c2 > vv ? sqrt(c2 - vv) * ys : 0, mu_ref = mu * ys + ym;
        as_gp_predict(gp, xq + q * d, 1, &mean, &sd);
        if (fabs(sd - sd_ref) > 1e-6 * ys || fabs(mean - mu_ref) > 1e-6 * ys)
            bad = 1;
    }
    free(k);
    free(ks);
    free(v);
    free(al);
    return bad;
}

int main(int argc, char **argv)
{
    /* as the alloyscout program does: BLAS single-threaded, OpenBLAS's idle pool stopped (the
     * restarts run on alloyscout's own threads) */
    as_blas_single_threaded();
    if (argc < 3) {
        fprintf(stderr, "usage: bench_gp DATA RESTARTS [SEED]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    size_t n, d, m;
    if (fscanf(f, "%zu %zu", &n, &d) != 2)
        return 1;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d; k++)
            if (fscanf(f, "%lf", &x[i * d + k]) != 1)
                return 1;
        if (fscanf(f, "%lf", &y[i]) != 1)
            return 1;
    }
    if (fscanf(f, "%zu", &m) != 1)
        return 1;
    double *xq = malloc(m * d * sizeof *xq), *mean = malloc(m * sizeof *mean),
           *sd = malloc(m * sizeof *sd);
    for (size_t i = 0; i < m * d; i++)
        if (fscanf(f, "%lf", &xq[i]) != 1)
            return 1;
    fclose(f);
    as_gp_options o = as_gp_options_default();
    o.restarts = (size_t)atoi(argv[2]);
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;

    /* checks before timing (on a subset so they stay cheap) */
    {
        size_t nc = n < 200 ? n : 200;
        double th[2] = {log(1.3), log(2.1)}, g[2], lp, lm, l0;
        if (as_gp_lml(x, y, nc, d, &o, th, NULL, &l0, g) != AS_OK)
            return die("lml");
        for (int p = 0; p < 2; p++) {
            double h = 1e-5, t = th[p];
            th[p] = t + h;
            as_gp_lml(x, y, nc, d, &o, th, NULL, &lp, NULL);
            th[p] = t - h;
            as_gp_lml(x, y, nc, d, &o, th, NULL, &lm, NULL);
            th[p] = t;
            if (fabs((lp - lm) / (2 * h) - g[p]) > 1e-5 * (fabs(g[0]) + fabs(g[1]))) {
                fprintf(stderr, "bench_gp: gradient check failed\n");
                return 1;
            }
        }
        as_gp_options oc = o;
        oc.restarts = 0;
        as_gp *gc;
        if (as_gp_fit(x, y, nc, d, &oc, seed, NULL, &gc) != AS_OK)
            return die("check fit");
        if (check_predict(x, y, nc, d, gc, xq, m)) {
            fprintf(stderr, "bench_gp: batched prediction differs from the naive reference\n");
            return 1;
        }
        as_gp_free(gc);
    }

    as_gp_workspace *w;
    if (as_gp_workspace_create(n, d, &w) != AS_OK)
        return die("workspace");
    double t0 = now();
    as_gp *gp;
    if (as_gp_fit(x, y, n, d, &o, seed, w, &gp) != AS_OK)
        return die("fit");
    double t1 = now();
    if (as_gp_predict(gp, xq, m, mean, sd) != AS_OK)
        return die("predict");
    double t2 = now();
    printf("%zu %zu %zu %.4f %.4f %.10f %.6g %.6g %zu\n", n, d, o.restarts, t1 - t0, t2 - t1,
           as_gp_lml_value(gp), as_gp_c2(gp), as_gp_length_scales(gp)[0], as_gp_evaluations(gp));
    as_gp_free(gp);
    as_gp_workspace_free(w);
    free(x);
    free(y);
    free(xq);
    free(mean);
    free(sd);
    return 0;
}
