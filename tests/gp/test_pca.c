/* Tests of z-score + PCA against scikit-learn's StandardScaler + PCA(n_components=0.99)
 * (tests/fixtures/gp_ref.txt, made by tests/fixtures/gp_ref.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "alloyscout/gp.h"
#include "gp/gp_fixture.h"

static fx_file fx;
static const double *X;
static size_t N, D;

static void kept_components_and_explained_variance_should_equal_scikit_learn(void **state)
{
    (void)state;
    as_pca *p = NULL;
    assert_int_equal(as_pca_fit(X, N, D, 0.99, 1, &p), AS_OK);
    size_t k;
    const double *ev = fx_get(&fx, "pca_explained_variance", &k);
    const double *evr = fx_get(&fx, "pca_explained_variance_ratio", NULL);
    assert_int_equal(as_pca_dim_out(p), k);
    assert_int_equal((size_t)fx_get(&fx, "pca_k", NULL)[0], k);
    assert_int_equal(as_pca_dim_in(p), D);
    /* eigenvalues of the covariance vs squared singular values: both accurate to
     * O(d eps lambda_max); 1e-10 lambda_max leaves a wide margin */
    for (size_t r = 0; r < k; r++) {
        assert_true(fabs(as_pca_explained_variance(p)[r] - ev[r]) <= 1e-10 * ev[0]);
        assert_true(fabs(as_pca_explained_variance_ratio(p)[r] - evr[r]) <= 1e-10);
    }
    as_pca_free(p);
}

static void projections_should_equal_scikit_learn_up_to_sign(void **state)
{
    (void)state;
    as_pca *p = NULL;
    assert_int_equal(as_pca_fit(X, N, D, 0.99, 1, &p), AS_OK);
    size_t k = as_pca_dim_out(p), nq;
    const double *ref = fx_get(&fx, "pca_proj_train", NULL);
    const double *xq = fx_get(&fx, "pca_xq", &nq);
    const double *refq = fx_get(&fx, "pca_proj_query", NULL);
    nq /= D;
    double z[60 * 15], zq[16 * 15];
    assert_int_equal(as_pca_transform(p, X, N, z), AS_OK);
    assert_int_equal(as_pca_transform(p, xq, nq, zq), AS_OK);
    for (size_t r = 0; r < k; r++) {
        /* the sign of each component is a convention: take it from the first large entry */
        double sgn = (z[r] * ref[r] >= 0) ? 1.0 : -1.0;
        /* projection error ~ |z| * (eigenvector error ~ eps lambda_max / gap) */
        for (size_t i = 0; i < N; i++)
            assert_true(fabs(sgn * z[i * k + r] - ref[i * k + r]) <= 1e-8);
        for (size_t i = 0; i < nq; i++)
            assert_true(fabs(sgn * zq[i * k + r] - refq[i * k + r]) <= 1e-8);
    }
    /* components are unit vectors, largest entry positive */
    const double *c = as_pca_components(p);
    for (size_t r = 0; r < k; r++) {
        double s = 0, mx = 0;
        for (size_t j = 0; j < D; j++) {
            s += c[r * D + j] * c[r * D + j];
            if (fabs(c[r * D + j]) > fabs(mx))
                mx = c[r * D + j];
        }
        assert_true(fabs(s - 1) <= 1e-12);
        assert_true(mx > 0);
    }
    as_pca_free(p);
}

static void fraction_zero_should_only_z_score(void **state)
{
    (void)state;
    as_pca *p = NULL;
    assert_int_equal(as_pca_fit(X, N, D, 0.0, 1, &p), AS_OK);
    assert_int_equal(as_pca_dim_out(p), D);
    assert_null(as_pca_components(p));
    double z[60 * 15];
    assert_int_equal(as_pca_transform(p, X, N, z), AS_OK);
    for (size_t j = 0; j < D; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < N; i++)
            m += z[i * D + j] / (double)N;
        for (size_t i = 0; i < N; i++)
            v += (z[i * D + j] - m) * (z[i * D + j] - m) / (double)N;
        assert_true(fabs(m) <= 1e-12);
        assert_true(fabs(v - 1) <= 1e-12);
    }
    as_pca_free(p);
    /* a fraction of 1 keeps every direction */
    assert_int_equal(as_pca_fit(X, N, D, 1.0, 1, &p), AS_OK);
    assert_int_equal(as_pca_dim_out(p), D);
    as_pca_free(p);
}

static void bad_input_should_give_einval(void **state)
{
    (void)state;
    as_pca *p = (as_pca *)&fx;
    assert_int_equal(as_pca_fit(X, 1, D, 0.99, 1, &p), AS_EINVAL);
    assert_null(p);
    assert_int_equal(as_pca_fit(X, N, D, -0.5, 1, &p), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "fraction"));
    double bad[4] = {1, 2, INFINITY, 4};
    assert_int_equal(as_pca_fit(bad, 2, 2, 0.9, 1, &p), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "(1, 0)"));
}

static void failed_allocations_should_give_enomem(void **state)
{
    (void)state;
    for (size_t k = 1; k < 50; k++) {
        as_pca *p = (as_pca *)&fx;
        as_alloc_fail_after(k);
        as_status st = as_pca_fit(X, N, D, 0.99, 1, &p);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            as_pca_free(p);
            return;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(p);
    }
    fail_msg("as_pca_fit kept failing");
}

static int setup(void **state)
{
    (void)state;
    fx = fx_load();
    if (!fx.n)
        return -1;
    size_t nx;
    X = fx_get(&fx, "pca_x", &nx);
    N = (size_t)fx_get(&fx, "pca_n", NULL)[0];
    D = (size_t)fx_get(&fx, "pca_d", NULL)[0];
    return nx == N * D ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fx_free(&fx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kept_components_and_explained_variance_should_equal_scikit_learn),
        cmocka_unit_test(projections_should_equal_scikit_learn_up_to_sign),
        cmocka_unit_test(fraction_zero_should_only_z_score),
        cmocka_unit_test(bad_input_should_give_einval),
        cmocka_unit_test(failed_allocations_should_give_enomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
