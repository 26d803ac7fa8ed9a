/* mlp: the small-shape matrix kernels (src/mlp/mlp.c, gemm_small) against OpenBLAS (the
 * as_gemm path): the loss, every gradient and the logits agree within 1e-12 (relative to the
 * magnitude, absolute below 1) on random shapes, including one row, one input, widths of one
 * and odd widths that leave partial register tiles in every dimension. The two paths sum in a
 * different order, so they differ by a few ulps, not more. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/mlp.h"
#include "mlp/mlp_int.h"

#define TOL 1e-12

static void assert_close(double a, double b, const char *what, size_t i)
{
    double scale = fmax(1.0, fabs(b));
    if (!(fabs(a - b) <= TOL * scale))
        fail_msg("%s[%zu]: small kernel %.17g, BLAS %.17g", what, i, a, b);
}

typedef struct {
    size_t d, n_hidden, hidden[3];
} shape;

static const shape shapes[] = {
    {1, 1, {1, 0, 0}},   {3, 1, {5, 0, 0}},   {7, 2, {5, 3, 0}},   {35, 2, {64, 32, 0}},
    {35, 2, {17, 9, 0}}, {2, 3, {9, 16, 33}}, {13, 1, {24, 0, 0}}, {40, 2, {8, 1, 0}},
};

static const size_t batch_rows[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 33, 64};

static void run_shape(const shape *s, uint64_t task)
{
    as_rng r;
    as_rng_stream(&r, 20261202, task);
    as_mlp_options o = as_mlp_options_default();
    o.n_hidden = s->n_hidden;
    for (size_t l = 0; l < s->n_hidden; l++)
        o.hidden[l] = s->hidden[l];
    as_mlp *m = NULL;
    assert_int_equal(as_mlp_create(s->d, &o, &r, &m), AS_OK);
    size_t np = as_mlp_n_params(m), nmax = 300;
    double *x = malloc(nmax * s->d * sizeof *x), *g = malloc(np * sizeof *g);
    double *z1 = malloc(nmax * sizeof *z1), *z2 = malloc(nmax * sizeof *z2);
    int *y = malloc(nmax * sizeof *y);
    assert_non_null(x);
    assert_non_null(g);
    assert_non_null(z1);
    assert_non_null(z2);
    assert_non_null(y);
    /* larger weights than the initialisation so that ReLUs both fire and stay off */
    double *p = as_mlp_param_data(m);
    for (size_t i = 0; i < np; i++)
        p[i] *= 3.0;
    for (size_t i = 0; i < nmax * s->d; i++)
        x[i] = 2.0 * as_rng_normal(&r);
    for (size_t i = 0; i < nmax; i++)
        y[i] = as_rng_uniform(&r) < 0.4;
    for (size_t b = 0; b < sizeof batch_rows / sizeof batch_rows[0]; b++) {
        size_t rows = batch_rows[b];
        double l1, l2;
        as_mlp_set_path(m, AS_MLP_PATH_SMALL);
        assert_int_equal(as_mlp_loss_grad(m, x, y, nmax, NULL, rows, &l1), AS_OK);
        memcpy(g, as_mlp_grad_data(m), np * sizeof *g);
        as_mlp_set_path(m, AS_MLP_PATH_BLAS);
        assert_int_equal(as_mlp_loss_grad(m, x, y, nmax, NULL, rows, &l2), AS_OK);
        assert_close(l1, l2, "loss", rows);
        const double *g2 = as_mlp_grad_data(m);
        for (size_t i = 0; i < np; i++)
            assert_close(g[i], g2[i], "gradient", i);
    }
    /* predictions over more rows than a chunk: several chunks and a partial one */
    size_t pred_rows[] = {1, 3, 100, 257, 300};
    for (size_t q = 0; q < 5; q++) {
        as_mlp_set_path(m, AS_MLP_PATH_SMALL);
        assert_int_equal(as_mlp_logits(m, x, pred_rows[q], z1), AS_OK);
        as_mlp_set_path(m, AS_MLP_PATH_BLAS);
        assert_int_equal(as_mlp_logits(m, x, pred_rows[q], z2), AS_OK);
        for (size_t i = 0; i < pred_rows[q]; i++)
            assert_close(z1[i], z2[i], "logit", i);
    }
    free(x);
    free(g);
    free(z1);
    free(z2);
    free(y);
    as_mlp_free(m);
}

static void small_kernel_should_match_blas_on_random_shapes(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
        run_shape(&shapes[k], k);
}

/* The default path choice: blocks up to AS_MLP_SMALL_ROWS rows take the small kernel, so a
 * training step is bit-identical to the forced small path. */
static void default_path_should_use_the_small_kernel_for_mini_batches(void **state)
{
    (void)state;
    as_rng r;
    as_rng_stream(&r, 7, 0);
    as_mlp_options o = as_mlp_options_default();
    as_mlp *m = NULL;
    assert_int_equal(as_mlp_create(11, &o, &r, &m), AS_OK);
    double x[16 * 11], ga[4096], la, lb;
    int y[16];
    for (size_t i = 0; i < 16 * 11; i++)
        x[i] = as_rng_normal(&r);
    for (size_t i = 0; i < 16; i++)
        y[i] = (int)(i % 3 == 0);
    size_t np = as_mlp_n_params(m);
    assert_true(np <= 4096);
    assert_int_equal(as_mlp_loss_grad(m, x, y, 16, NULL, 16, &la), AS_OK);
    memcpy(ga, as_mlp_grad_data(m), np * sizeof(double));
    as_mlp_set_path(m, AS_MLP_PATH_SMALL);
    assert_int_equal(as_mlp_loss_grad(m, x, y, 16, NULL, 16, &lb), AS_OK);
    assert_memory_equal(&la, &lb, sizeof la);
    assert_memory_equal(ga, as_mlp_grad_data(m), np * sizeof(double));
    as_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_kernel_should_match_blas_on_random_shapes),
        cmocka_unit_test(default_path_should_use_the_small_kernel_for_mini_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
