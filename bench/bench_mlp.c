/* Benchmark 12b: as_mlp_train (hidden 64,32, batch 16, Adam lr 1e-3, a fixed number of epochs,
 * no early stopping) on the data file written by bench/peer_mlp.py gen. Before timing, the BLAS
 * forward and backward passes are checked against naive loops on a mini-batch of the data.
 *   bench_mlp IN.bin N EPOCHS REPEATS     one JSON line on stdout
 * seconds is the median over REPEATS trainings (fresh weights from as_rng_stream(2385, r)). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "alloyscout/mlp.h"
#include "mlp/mlp_int.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int read_data(const char *path, size_t *n, size_t *d, double **x, int **y)
{
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint64_t hdr[2];
    if (!f || fread(magic, 1, 8, f) != 8 || memcmp(magic, "ASML0001", 8) != 0 ||
        fread(hdr, 8, 2, f) != 2) {
        fprintf(stderr, "bench_mlp: %s is not an ASML0001 file\n", path);
        if (f)
            fclose(f);
        return 1;
    }
    *n = (size_t)hdr[0];
    *d = (size_t)hdr[1];
    *x = malloc(*n * *d * sizeof(double));
    int32_t *yy = malloc(*n * sizeof(int32_t));
    *y = malloc(*n * sizeof(int));
    int bad = !*x || !yy || !*y || fread(*x, sizeof(double), *n * *d, f) != *n * *d ||
              fread(yy, sizeof(int32_t), *n, f) != *n;
    fclose(f);
    if (bad) {
        fprintf(stderr, "bench_mlp: %s is truncated\n", path);
        return 1;
    }
    for (size_t i = 0; i < *n; i++)
        (*y)[i] = yy[i];
    free(yy);
    return 0;
}

/* Naive reference: loss and gradient of the mean BCE over rows 0..nb-1 by plain loops. */
static double naive_loss_grad(const as_mlp *m, const double *x, const int *y, size_t nb,
                              double *grad)
{
    size_t L = m->n_layers;
    double a[AS_MLP_MAX_LAYERS + 1][128], dl[AS_MLP_MAX_LAYERS + 1][128];
    memset(grad, 0, m->n_params * sizeof(double));
    double loss = 0;
    for (size_t i = 0; i < nb; i++) {
        for (size_t j = 0; j < m->d; j++)
            a[0][j] = x[i * m->d + j];
        for (size_t l = 1; l <= L; l++)
            for (size_t u = 0; u < m->width[l]; u++) {
                double s = m->b[l][u];
                for (size_t v = 0; v < m->width[l - 1]; v++)
                    s += m->w[l][u * m->width[l - 1] + v] * a[l - 1][v];
                a[l][u] = (l < L && s < 0) ? 0 : s;
            }
        double z = a[L][0], p = 1 / (1 + exp(-z));
        loss += -(y[i] ? log(p) : log(1 - p));
        dl[L][0] = (p - y[i]) / (double)nb;
        for (size_t l = L; l >= 1; l--) {
            size_t in = m->width[l - 1], out = m->width[l];
            double *gw = grad + (m->w[l] - m->param), *gb = grad + (m->b[l] - m->param);
            for (size_t u = 0; u < out; u++) {
                gb[u] += dl[l][u];
                for (size_t v = 0; v < in; v++)
                    gw[u * in + v] += dl[l][u] * a[l - 1][v];
            }
            if (l == 1)
                break;
            for (size_t v = 0; v < in; v++) {
                double s = 0;
                for (size_t u = 0; u < out; u++)
                    s += dl[l][u] * m->w[l][u * in + v];
                dl[l - 1][v] = a[l - 1][v] > 0 ? s : 0;
            }
        }
    }
    return loss / (double)nb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_mlp IN.bin N EPOCHS REPEATS\n");
        return 2;
    }
    size_t n_all, d;
    double *x;
    int *y;
    if (read_data(argv[1], &n_all, &d, &x, &y))
        return 1;
    size_t n = strtoul(argv[2], NULL, 10), epochs = strtoul(argv[3], NULL, 10);
    size_t repeats = strtoul(argv[4], NULL, 10);
    if (n == 0 || n > n_all || epochs == 0 || repeats == 0) {
        fprintf(stderr, "bench_mlp: bad N (1..%zu), EPOCHS or REPEATS\n", n_all);
        return 2;
    }
    if (d > 128) {
        fprintf(stderr, "bench_mlp: the naive check supports d <= 128, got %zu\n", d);
        return 2;
    }
    as_mlp_options o = as_mlp_options_default(); /* hidden 64,32, batch 16, Adam 1e-3 */
    o.max_epochs = epochs;
    o.val_fraction = 0; /* fixed number of epochs, as the peer */

    /* check the BLAS passes against the naive loops on the first mini-batch */
    as_rng r;
    as_rng_stream(&r, 2385, 999);
    as_mlp *m;
    if (as_mlp_create(d, &o, &r, &m) != AS_OK) {
        fprintf(stderr, "bench_mlp: %s\n", as_errmsg());
        return 1;
    }
    size_t nb = n < 16 ? n : 16;
    double *g_ref = malloc(as_mlp_n_params(m) * sizeof(double)), loss, loss_ref;
    loss_ref = naive_loss_grad(m, x, y, nb, g_ref);
    if (as_mlp_loss_grad(m, x, y, n, NULL, nb, &loss) != AS_OK) {
        fprintf(stderr, "bench_mlp: %s\n", as_errmsg());
        return 1;
    }
    double gmax = 0, gerr = 0;
    for (size_t i = 0; i < as_mlp_n_params(m); i++) {
        gmax = fmax(gmax, fabs(g_ref[i]));
        gerr = fmax(gerr, fabs(g_ref[i] - m->grad[i]));
    }
    if (fabs(loss - loss_ref) > 1e-12 || gerr > 1e-12 * fmax(gmax, 1e-300) + 1e-15) {
        fprintf(stderr,
                "bench_mlp: BLAS passes disagree with the naive loops: loss %.17g vs "
                "%.17g, gradient error %.3g (max |g| %.3g)\n",
                loss, loss_ref, gerr, gmax);
        return 1;
    }
    fprintf(stderr, "bench_mlp: check passed (loss diff %.2g, max gradient diff %.2g of %.2g)\n",
            fabs(loss - loss_ref), gerr, gmax);
    as_mlp_free(m);
    free(g_ref);

    double *secs = malloc(repeats * sizeof(double)), final_loss = NAN, last_epoch = NAN;
    for (size_t rep = 0; rep < repeats; rep++) {
        as_rng ri, rt;
        as_rng_stream(&ri, 2385, 2 * rep);
        as_rng_stream(&rt, 2385, 2 * rep + 1);
        as_mlp_report report;
        if (as_mlp_create(d, &o, &ri, &m) != AS_OK)
            return 1;
        double t0 = now();
        as_status st = as_mlp_train(m, x, y, n, &rt, &report);
        secs[rep] = now() - t0;
        if (st != AS_OK) {
            fprintf(stderr, "bench_mlp: %s\n", as_errmsg());
            return 1;
        }
        if (rep == 0) {
            as_mlp_loss(m, x, y, n, NULL, n, &final_loss);
            last_epoch = report.train_loss[report.epochs_run - 1];
        }
        as_mlp_report_free(&report);
        as_mlp_free(m);
    }
    qsort(secs, repeats, sizeof(double), cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"seconds\": %.6f, \"final_loss\": %.17g, \"last_epoch_loss\": %.17g, "
           "\"n\": %zu, \"epochs\": %zu, \"repeats\": %zu, \"max_rss_kb\": %ld}\n",
           secs[repeats / 2], final_loss, last_epoch, n, epochs, repeats, ru.ru_maxrss);
    free(secs);
    free(x);
    free(y);
    return 0;
}
