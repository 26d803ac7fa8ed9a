/* mlp: the float training path (as_mlp_options.precision 32) against the double one and against
 * PyTorch in float32.
 *  - the float small-shape matrix kernel against the double one on random shapes (every tile
 *    and leftover case of both: 16 floats or 8 doubles per vector, plain and transposed A,
 *    accumulating or not);
 *  - the float loss and gradient against the double ones at the same (float-valued) weights;
 *  - training steps against tests/fixtures/mlp_torch_f32_ref.json (torch.optim.Adam +
 *    BCEWithLogitsLoss in float32, tests/fixtures/mlp_torch_ref.py float32);
 *  - the option's range, its JSON round trip, float values in the double parameters, and the
 *    same result on a second run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp/torch_replay.h"

static int is_float_value(double v) { return (double)(float)v == v; }

/* (1) Each element of a float product is a sum of K float products rounded K times: |error| <=
 * K u sum_p |A(i,p) B(p,j)| + u |c| with u = 2^-24 (the inputs are floats, so the double
 * kernel's result is exact to 1e-16 here). K <= 70 gives <= 4.2e-6 of the magnitude: we require
 * 1e-5 of sum |A B| + |c|. */
static void gemm_f32_should_match_gemm_f64_on_random_shapes(void **state)
{
    (void)state;
    as_rng r;
    as_rng_stream(&r, 32, 64);
    enum { MAXD = 70 };
    static float a32[MAXD * MAXD], b32[MAXD * MAXD], c32[MAXD * MAXD];
    static double a64[MAXD * MAXD], b64[MAXD * MAXD], c64[MAXD * MAXD], mag[MAXD * MAXD];
    size_t worst_case = 0;
    double worst = 0;
    for (size_t trial = 0; trial < 400; trial++) {
        size_t M = 1 + as_rng_below(&r, MAXD), N = 1 + as_rng_below(&r, MAXD),
               K = 1 + as_rng_below(&r, MAXD);
        if (trial < 6) { /* the shapes of the default network's mini-batch */
            static const size_t sh[6][3] = {{64, 16, 35}, {32, 16, 64}, {1, 16, 32},
                                            {64, 35, 16}, {16, 64, 32}, {32, 64, 16}};
            M = sh[trial][0];
            N = sh[trial][1];
            K = sh[trial][2];
        }
        int trans = (int)as_rng_below(&r, 2), acc = (int)as_rng_below(&r, 2);
        size_t sai = trans ? 1 : K, sap = trans ? M : 1; /* A(i, p) = a[i sai + p sap] */
        for (size_t i = 0; i < M * K; i++)
            a64[i] = a32[i] = (float)(2.0 * as_rng_uniform(&r) - 1.0);
        for (size_t i = 0; i < K * N; i++)
            b64[i] = b32[i] = (float)(2.0 * as_rng_uniform(&r) - 1.0);
        for (size_t i = 0; i < M * N; i++)
            c64[i] = c32[i] = (float)(2.0 * as_rng_uniform(&r) - 1.0);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double s = acc ? fabs(c64[i * N + j]) : 0.0;
                for (size_t p = 0; p < K; p++)
                    s += fabs(a64[i * sai + p * sap] * b64[p * N + j]);
                mag[i * N + j] = s;
            }
        as_mlp_gemm_small_f64(M, N, K, a64, sai, sap, b64, N, c64, N, acc);
        as_mlp_gemm_small_f32(M, N, K, a32, sai, sap, b32, N, c32, N, acc);
        for (size_t i = 0; i < M * N; i++) {
            double e = fabs((double)c32[i] - c64[i]) / fmax(mag[i], DBL_MIN);
            if (e > worst) {
                worst = e;
                worst_case = trial;
            }
            if (!(e <= 1e-5))
                fail_msg("trial %zu (%zu x %zu x %zu, trans %d, acc %d) element %zu: float %.9g, "
                         "double %.17g, |error| / sum|AB| = %.3g",
                         trial, M, N, K, trans, acc, i, (double)c32[i], c64[i], e);
        }
    }
    printf("gemm float vs double: largest |error| / sum |A B| %.3g (trial %zu)\n", worst,
           worst_case);
}

/* The float loss and gradient against the double ones at the same weights (float values):
 * the network multiplies ~3 layers of sums of <= 64 terms, so the float result carries relative
 * rounding errors of ~1e-6 of the magnitude of the terms. We require the loss within 1e-5
 * (relative) and each gradient component within 1e-4 of the largest one. */
static void float_gradient_should_match_double_gradient(void **state)
{
    (void)state;
    as_rng r;
    as_rng_stream(&r, 32, 1);
    size_t d = 35, n = 16;
    as_mlp_options o64 = as_mlp_options_default(), o32 = o64;
    o32.precision = 32;
    as_mlp *m64, *m32;
    assert_int_equal(as_mlp_create(d, &o32, &r, &m32), AS_OK);
    assert_int_equal(as_mlp_create(d, &o64, &r, &m64), AS_OK);
    size_t np = as_mlp_n_params(m32);
    const double *p32 = as_mlp_param_data(m32);
    for (size_t i = 0; i < np; i++)
        assert_true(is_float_value(p32[i])); /* created as a float network */
    /* larger weights than the initialisation so that ReLUs both fire and stay off */
    double *p = as_mlp_param_data(m32);
    for (size_t i = 0; i < np; i++)
        p[i] = (float)(p[i] * 3.0);
    memcpy(as_mlp_param_data(m64), p, np * sizeof(double));
    static double x[16 * 35];
    int y[16];
    for (size_t i = 0; i < n * d; i++)
        x[i] = as_rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)(i % 3 == 0);
    double l32, l64;
    assert_int_equal(as_mlp_loss_grad(m32, x, y, n, NULL, n, &l32), AS_OK);
    assert_int_equal(as_mlp_loss_grad(m64, x, y, n, NULL, n, &l64), AS_OK);
    const double *g32 = as_mlp_grad_data(m32), *g64 = as_mlp_grad_data(m64);
    double gmax = 0, emax = 0;
    for (size_t i = 0; i < np; i++)
        gmax = fmax(gmax, fabs(g64[i]));
    for (size_t i = 0; i < np; i++)
        emax = fmax(emax, fabs(g32[i] - g64[i]));
    printf("float vs double: loss %.9g / %.17g, largest gradient error %.3g of %.3g\n", l32, l64,
           emax, gmax);
    assert_true(fabs(l32 - l64) <= 1e-5 * fabs(l64));
    assert_true(gmax > 0 && emax <= 1e-4 * gmax);
    as_mlp_free(m32);
    as_mlp_free(m64);
}

/* (2) Against PyTorch in float32. Both compute in float but sum in different orders (PyTorch's
 * kernels against ours) and PyTorch's Adam divides twice (m / (sqrt(v)/c + eps)) where we divide
 * once, so each step's weights may differ by a float rounding or two. Measured: at most 1.2e-7
 * over the three cases (12-20 steps, weights and losses O(0.1-1)), i.e. about one float ulp at
 * |w| ~ 1 (2^-23 = 1.2e-7); nothing grows over the steps. We allow 1e-6 absolute (8 ulps) on
 * every loss and weight. Small errors in the update rule show far above that: replaying these
 * cases with lr 1 % high, eps 1e-6 or beta2 0.99 moves the final weights by at least 3.6e-4,
 * 2.6e-4 and 1.0e-4. Our float path uses no BLAS and the same operations in every clone, so
 * the margin does not depend on which kernels the CPU picks. */
#define TOL32 1e-6

static void float_training_steps_should_match_pytorch_float32(void **state)
{
    (void)state;
    as_json *doc;
    assert_int_equal(
        as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/mlp_torch_f32_ref.json", &doc), AS_OK);
    const as_json *cases = as_json_get(doc, "cases");
    assert_int_equal(as_json_size(cases), 3);
    for (size_t c = 0; c < as_json_size(cases); c++) {
        double worst = 0;
        as_mlp *m = torch_replay_case_tol(as_json_at(cases, c), c, TOL32, &worst);
        printf("PyTorch float32 case %zu: largest difference %.3g\n", c, worst);
        assert_int_equal(as_mlp_get_options(m)->precision, 32);
        const double *p = as_mlp_param_data(m);
        for (size_t i = 0; i < as_mlp_n_params(m); i++)
            assert_true(is_float_value(p[i]));
        as_mlp_free(m);
    }
    as_json_free(doc);
}

static void precision_option_should_be_checked_parsed_and_stored(void **state)
{
    (void)state;
    as_mlp_options o = as_mlp_options_default();
    assert_int_equal(o.precision, 64);
    int v = 0;
    assert_int_equal(as_mlp_precision_parse("32", &v), AS_OK);
    assert_int_equal(v, 32);
    assert_int_equal(as_mlp_precision_parse("64", &v), AS_OK);
    assert_int_equal(v, 64);
    assert_int_equal(as_mlp_precision_parse("16", &v), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'16'"));
    assert_int_equal(as_mlp_precision_parse("32.0", &v), AS_EINVAL);
    assert_int_equal(as_mlp_precision_parse(NULL, &v), AS_EINVAL);
    for (int bad = 0; bad < 3; bad++) {
        o.precision = bad == 0 ? 16 : bad == 1 ? 0 : 128;
        assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
        assert_non_null(strstr(as_errmsg(), "precision"));
    }
    o.precision = 32;
    assert_int_equal(as_mlp_options_check(&o), AS_OK);

    /* the model file records it; a file without the key was trained in double */
    as_rng r;
    as_rng_stream(&r, 32, 2);
    as_mlp *m, *back;
    assert_int_equal(as_mlp_create(4, &o, &r, &m), AS_OK);
    as_json *j;
    assert_int_equal(as_mlp_to_json(m, &j), AS_OK);
    double pv;
    assert_int_equal(as_json_get_num(as_json_get(j, "options"), "precision", "t", &pv), AS_OK);
    assert_true(pv == 32.0);
    assert_int_equal(as_mlp_from_json(j, &back), AS_OK);
    assert_int_equal(as_mlp_get_options(back)->precision, 32);
    assert_memory_equal(as_mlp_param_data(back), as_mlp_param_data(m),
                        as_mlp_n_params(m) * sizeof(double));
    as_mlp_free(back);
    as_json_set_num(as_json_get(j, "options"), "precision", 16);
    assert_int_equal(as_mlp_from_json(j, &back), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "precision"));
    as_json_free(j);
    as_mlp_free(m);
}

/* as_mlp_train in float: float values in the double parameters afterwards, the same result on a
 * second run from the same seed, and about the double network's validation loss. */
static void float_training_should_be_repeatable_and_close_to_double(void **state)
{
    (void)state;
    size_t n = 300, d = 6;
    double *x = malloc(n * d * sizeof *x);
    int *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    as_rng r;
    as_rng_stream(&r, 32, 3);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d; k++)
            x[i * d + k] = as_rng_normal(&r);
        y[i] = sin(2.0 * x[i * d]) + x[i * d + 1] * x[i * d + 2] > 0.1;
    }
    double *keep = NULL, vloss[3];
    size_t np = 0;
    for (int run = 0; run < 3; run++) {
        as_mlp_options o = as_mlp_options_default();
        o.precision = run < 2 ? 32 : 64;
        o.max_epochs = 20;
        as_rng_stream(&r, 32, 4);
        as_mlp *m;
        assert_int_equal(as_mlp_create(d, &o, &r, &m), AS_OK);
        as_mlp_report rep;
        assert_int_equal(as_mlp_train(m, x, y, n, &r, &rep), AS_OK);
        vloss[run] = rep.best_val_loss;
        as_mlp_report_free(&rep);
        np = as_mlp_n_params(m);
        const double *p = as_mlp_param_data(m);
        if (run == 0) {
            keep = malloc(np * sizeof *keep);
            assert_non_null(keep);
            memcpy(keep, p, np * sizeof *keep);
            for (size_t i = 0; i < np; i++)
                assert_true(is_float_value(p[i]));
        } else if (run == 1)
            assert_memory_equal(keep, p, np * sizeof *keep);
        else
            assert_true(memcmp(keep, p, np * sizeof *keep) != 0);
        as_mlp_free(m);
    }
    printf("validation loss: float %.9g, double %.9g\n", vloss[0], vloss[2]);
    assert_true(vloss[0] == vloss[1]);
    assert_true(fabs(vloss[0] - vloss[2]) < 1e-3 * vloss[2]);
    free(keep);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gemm_f32_should_match_gemm_f64_on_random_shapes),
        cmocka_unit_test(float_gradient_should_match_double_gradient),
        cmocka_unit_test(float_training_steps_should_match_pytorch_float32),
        cmocka_unit_test(precision_option_should_be_checked_parsed_and_stored),
        cmocka_unit_test(float_training_should_be_repeatable_and_close_to_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
