/* The GP's K^{-1} from its Cholesky factor (as_gp_potri: recursive triangular inverse and
 * U U^T on BLAS-3, src/gp/inverse.c) against LAPACK's own dpotri on the same factor, for
 * sizes around the recursion's base block and split points, on kernel matrices of the kind a
 * fit produces (squared-exponential plus a small diagonal). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "gp/gp_int.h"

/* SE kernel on n points in 3-d drawn from the seeded stream, ld >= n, row-major lower used */
static void kernel_matrix(size_t n, size_t ld, double l, double diag, uint64_t seed, double *a)
{
    as_rng r;
    as_rng_stream(&r, seed, n);
    double *x = malloc(3 * n * sizeof *x);
    for (size_t i = 0; i < 3 * n; i++)
        x[i] = 4 * as_rng_uniform(&r) - 2;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t k = 0; k < 3; k++)
                s += (x[3 * i + k] - x[3 * j + k]) * (x[3 * i + k] - x[3 * j + k]);
            a[i * ld + j] = a[j * ld + i] = exp(-0.5 * s / (l * l)) + (i == j ? diag : 0);
        }
    free(x);
}

static void inverse_should_equal_lapack_dpotri(void **state)
{
    (void)state;
    static const size_t sizes[] = {1,  2,  3,  7,  15, 16,  17,  24,  31,  32,  33,
                                   47, 48, 49, 64, 65, 100, 127, 129, 200, 257, 300};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int pad = 0; pad < 2; pad++) { /* ld == n and ld > n */
            size_t n = sizes[s], ld = n + (size_t)pad * 5;
            double *a = calloc(n * ld, sizeof *a), *ref = calloc(n * ld, sizeof *ref);
            kernel_matrix(n, ld, 0.9, 1e-3, 7 + (uint64_t)pad, a);
            assert_int_equal(as_gp_potrf(n, a, ld), AS_OK);
            memcpy(ref, a, n * ld * sizeof *a);
            /* row-major lower == column-major upper, as the wrappers use it */
            assert_int_equal(
                LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'U', (lapack_int)n, ref, (lapack_int)ld), 0);
            assert_int_equal(as_gp_potri(n, a, ld), AS_OK);
            double err = 0, big = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j <= i; j++) {
                    err = fmax(err, fabs(a[i * ld + j] - ref[i * ld + j]));
                    big = fmax(big, fabs(ref[i * ld + j]));
                }
            /* both are backward stable; with cond(K) <= ~1e5 here they agree far below this */
            if (!(err <= 1e-10 * big))
                fail_msg("n = %zu, ld = %zu: max |ours - dpotri| = %g (max entry %g)", n, ld, err,
                         big);
            /* and it is an inverse: K * K^{-1} = I on a few columns */
            double *k = calloc(n * ld, sizeof *k);
            kernel_matrix(n, ld, 0.9, 1e-3, 7 + (uint64_t)pad, k);
            for (size_t c = 0; c < n; c += 1 + n / 5) {
                double worst = 0;
                for (size_t i = 0; i < n; i++) {
                    double v = 0;
                    for (size_t t = 0; t < n; t++) {
                        double kit = k[i * ld + t];
                        double wtc = t >= c ? a[t * ld + c] : a[c * ld + t];
                        v += kit * wtc;
                    }
                    worst = fmax(worst, fabs(v - (i == c ? 1.0 : 0.0)));
                }
                if (!(worst <= 1e-7))
                    fail_msg("n = %zu: column %zu of K K^{-1} is off by %g", n, c, worst);
            }
            free(k);
            free(a);
            free(ref);
        }
    }
}

static void singular_factor_should_give_enotpd(void **state)
{
    (void)state;
    double l[9] = {1, 0, 0, 0.5, 0, 0, 0.2, 0.1, 1}; /* zero on the diagonal */
    assert_int_equal(as_gp_potri(3, l, 3), AS_ENOTPD);
    assert_non_null(strstr(as_errmsg(), "singular"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inverse_should_equal_lapack_dpotri),
        cmocka_unit_test(singular_factor_should_give_enotpd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
