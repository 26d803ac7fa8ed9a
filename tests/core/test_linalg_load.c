/* OpenBLAS and LAPACKE are opened by the first call that needs them (src/core/linalg.c): a
 * thread count set before that is kept and applied by the load, which OpenBLAS's own
 * openblas_get_num_threads confirms, and the products and factorizations after the load give
 * the closed-form results. One process, one test: the load happens once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <cblas.h>
#include <math.h>

#include "alloyscout/core.h"

static void thread_count_set_before_the_load_should_be_applied_by_it(void **state)
{
    (void)state;
    /* nothing loaded yet: the count is kept, the previous one is OpenBLAS's default (0) */
    assert_int_equal(as_blas_threads_set(2), 0);
    assert_int_equal(as_blas_threads_set(1), 2);
    /* the first product loads the libraries: [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50] */
    double a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {0};
    as_matrix A = {2, 2, 2, a}, B = {2, 2, 2, b}, C = {2, 2, 2, c};
    assert_int_equal(as_gemm(0, 0, 1.0, &A, &B, 0.0, &C), AS_OK);
    assert_true(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
    assert_int_equal(openblas_get_num_threads(), 1); /* not OpenBLAS's default of one per core */
    /* loaded: the count goes to OpenBLAS at once */
    assert_int_equal(as_blas_threads_set(2), 1);
    assert_int_equal(openblas_get_num_threads(), 2);
    assert_int_equal(as_blas_threads_set(0), 2); /* n <= 0 leaves it */
    assert_int_equal(openblas_get_num_threads(), 2);
    as_blas_single_threaded();
    assert_int_equal(openblas_get_num_threads(), 1);
    /* LAPACKE after the load: the Cholesky factor of [4 2; 2 5] is [2 0; 1 2] */
    double s[4] = {4, 2, 2, 5};
    as_matrix S = {2, 2, 2, s};
    assert_int_equal(as_cholesky(&S), AS_OK);
    assert_true(s[0] == 2 && s[2] == 1 && s[3] == 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thread_count_set_before_the_load_should_be_applied_by_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
