/* as_knn_self: its pairwise path (small n) gives exactly the k-d tree's neighbours and distances,
 * ties included, and its tree path (large n) agrees with the brute-force reference. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/resample.h"

static double *points(size_t n, size_t d, uint64_t seed)
{
    as_rng r;
    as_rng_seed(&r, seed);
    double *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n * d; i++)
        x[i] = as_rng_normal(&r) * 2.385;
    /* exact duplicates and a lattice of ties */
    for (size_t i = 0; i + 1 < n; i += 37)
        memcpy(x + (i + 1) * d, x + i * d, d * sizeof *x);
    for (size_t i = 5; i < n; i += 53)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = (double)(int)(x[i * d + j]);
    return x;
}

static void pairwise_path_should_equal_the_tree_exactly(void **state)
{
    (void)state;
    const size_t n = 300, d = 29;
    double *x = points(n, d, 11);
    as_kdtree *t;
    assert_int_equal(as_kdtree_build(x, n, d, &t), AS_OK);
    for (size_t k = 1; k <= 5; k += 4) { /* k = 1 (Tomek links) has a path of its own */
        size_t *i1 = malloc(n * k * sizeof *i1), *i2 = malloc(n * k * sizeof *i2);
        double *d1 = malloc(n * k * sizeof *d1), *d2 = malloc(n * k * sizeof *d2);
        assert_int_equal(as_kdtree_knn_self(t, k, i1, d1), AS_OK);
        assert_true(n <= AS_KNN_BRUTE_MAX);
        assert_int_equal(as_knn_self(x, n, d, k, i2, d2), AS_OK);
        assert_memory_equal(i1, i2, n * k * sizeof *i1);
        assert_memory_equal(d1, d2, n * k * sizeof *d1);
        free(i1), free(i2), free(d1), free(d2);
    }
    as_kdtree_free(t);
    free(x);
}

static void tree_path_should_agree_with_brute_force(void **state)
{
    (void)state;
    const size_t n = AS_KNN_BRUTE_MAX + 300, d = 6, k = 3;
    double *x = points(n, d, 12);
    size_t *idx = malloc(n * k * sizeof *idx), ref[3];
    double *dist = malloc(n * k * sizeof *dist), rd[3];
    assert_int_equal(as_knn_self(x, n, d, k, idx, dist), AS_OK);
    for (size_t i = 0; i < n; i += 97) {
        assert_int_equal(as_knn_brute(x, n, d, x + i * d, k, i, ref, rd), AS_OK);
        assert_memory_equal(ref, idx + i * k, k * sizeof *ref);
        assert_memory_equal(rd, dist + i * k, k * sizeof *rd);
    }
    free(x), free(idx), free(dist);
}

static void bad_arguments_should_be_refused(void **state)
{
    (void)state;
    double x[6] = {0, 1, 2, 3, 4, 5};
    size_t idx[6];
    double dist[6];
    assert_int_equal(as_knn_self(x, 3, 2, 3, idx, dist), AS_EINVAL);
    assert_int_equal(as_knn_self(x, 3, 2, 0, idx, dist), AS_EINVAL);
    x[3] = NAN;
    assert_int_equal(as_knn_self(x, 3, 2, 1, idx, dist), AS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pairwise_path_should_equal_the_tree_exactly),
        cmocka_unit_test(tree_path_should_agree_with_brute_force),
        cmocka_unit_test(bad_arguments_should_be_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
