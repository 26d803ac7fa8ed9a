/* Tests of the GP diagnostics and cross-validation (src/gp/cv.c): held-out predictions and
 * metrics equal scikit-learn's StandardScaler -> PCA(0.99) -> GaussianProcessRegressor at fixed
 * hyperparameters on the same folds (tests/fixtures/gp_cv_ref.txt), folds are balanced and keep
 * groups whole, shared inputs are found with their spread, and bad arguments fail. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/gp.h"
#include "gp/gp_fixture.h"

#define PI 3.14159265358979323846

static fx_file fx;

static void cv_should_equal_scikit_learn_at_fixed_hyperparameters(void **state)
{
    (void)state;
    size_t n = (size_t)fx_get(&fx, "cv_n", NULL)[0], d = (size_t)fx_get(&fx, "cv_d", NULL)[0];
    size_t k = (size_t)fx_get(&fx, "cv_k", NULL)[0];
    const double *x = fx_get(&fx, "cv_x", NULL), *y = fx_get(&fx, "cv_y", NULL);
    const double *rm = fx_get(&fx, "cv_mean", NULL), *rs = fx_get(&fx, "cv_std", NULL);
    const double *rf = fx_get(&fx, "cv_fold_metrics", NULL), *rp = fx_get(&fx, "cv_pooled", NULL);
    size_t fold[64];
    for (size_t i = 0; i < n; i++)
        fold[i] = i % k;
    as_gp_options o = as_gp_options_default();
    o.optimize = 0;
    o.noise = 1;
    o.c2_init = 1.7;
    o.ls_init = 2.3;
    o.noise_init = 0.05;
    double mean[64], sd[64], theta[4 * 3];
    as_gp_metrics pf[4], pooled;
    assert_int_equal(
        as_gpr_model_cv(x, y, n, d, fold, k, 0.99, &o, 7, mean, sd, pf, &pooled, theta), AS_OK);
    /* both sides solve the same 28x28 system; the PCA bases differ by signs only */
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(mean[i] - rm[i]) < 1e-9);
        assert_true(fabs(sd[i] - rs[i]) < 1e-9);
    }
    for (size_t f = 0; f < k; f++) {
        const double *r = rf + 7 * f;
        assert_int_equal(pf[f].n, (size_t)r[0]);
        assert_true(fabs(pf[f].mae - r[1]) < 1e-9);
        assert_true(fabs(pf[f].rmse - r[2]) < 1e-9);
        assert_true(fabs(pf[f].r2 - r[3]) < 1e-8);
        assert_true(fabs(pf[f].cover1 - r[4]) < 1e-12);
        assert_true(fabs(pf[f].cover2 - r[5]) < 1e-12);
        assert_true(fabs(pf[f].nll - r[6]) < 1e-8);
        assert_true(fabs(theta[3 * f] - log(1.7)) < 1e-15);
        assert_true(fabs(theta[3 * f + 2] - log(0.05)) < 1e-15);
    }
    assert_int_equal(pooled.n, n);
    assert_true(fabs(pooled.mae - rp[1]) < 1e-9);
    assert_true(fabs(pooled.rmse - rp[2]) < 1e-9);
    assert_true(fabs(pooled.r2 - rp[3]) < 1e-8);
    assert_true(fabs(pooled.cover1 - rp[4]) < 1e-12);
    assert_true(fabs(pooled.nll - rp[6]) < 1e-8);
}

static void kfold_should_balance_rows_and_keep_groups_whole(void **state)
{
    (void)state;
    size_t fold[50], cnt[4] = {0};
    as_rng rng;
    as_rng_seed(&rng, 2385);
    assert_int_equal(as_gp_kfold(50, 4, NULL, 0, &rng, fold), AS_OK);
    for (size_t i = 0; i < 50; i++)
        cnt[fold[i]]++;
    for (size_t f = 0; f < 4; f++)
        assert_true(cnt[f] == 12 || cnt[f] == 13);
    /* 13 groups of sizes 1..5 (i % 13 -> group, so sizes 4 or 3) */
    size_t group[50], gf[13];
    for (size_t i = 0; i < 50; i++)
        group[i] = (i * 7) % 13;
    assert_int_equal(as_gp_kfold(50, 4, group, 13, &rng, fold), AS_OK);
    for (size_t g = 0; g < 13; g++)
        gf[g] = SIZE_MAX;
    memset(cnt, 0, sizeof cnt);
    for (size_t i = 0; i < 50; i++) {
        if (gf[group[i]] == SIZE_MAX)
            gf[group[i]] = fold[i];
        assert_int_equal(gf[group[i]], fold[i]);
        cnt[fold[i]]++;
    }
    /* greedy on sizes 4 (11 groups) and 3 (2 groups): every fold within one group of another */
    for (size_t f = 0; f < 4; f++)
        assert_true(cnt[f] >= 11 && cnt[f] <= 14);
    /* same seed, same folds */
    size_t again[50];
    as_rng_seed(&rng, 2385);
    assert_int_equal(as_gp_kfold(50, 4, NULL, 0, &rng, again), AS_OK);
    as_rng_seed(&rng, 2385);
    assert_int_equal(as_gp_kfold(50, 4, NULL, 0, &rng, fold), AS_OK);
    assert_memory_equal(fold, again, sizeof fold);
    assert_int_equal(as_gp_kfold(50, 1, NULL, 0, &rng, fold), AS_EINVAL);
    assert_int_equal(as_gp_kfold(3, 4, NULL, 0, &rng, fold), AS_EINVAL);
    assert_int_equal(as_gp_kfold(50, 14, group, 13, &rng, fold), AS_EINVAL);
}

static void shared_inputs_should_be_counted_with_their_spread(void **state)
{
    (void)state;
    /* rows 0, 3, 5 share (1.5, 2.385) with targets 0.1, 0.4, 0.25; rows 1, 4 share (0, 1) with
     * equal targets (not a conflict); row 2 is alone */
    double x[12] = {1.5, 2.385, 0, 1, 7, 7, 1.5, 2.385, 0, 1, 1.5, 2.385};
    double y[6] = {0.1, 3, 2, 0.4, 3, 0.25};
    as_gp_duplicates dup;
    assert_int_equal(as_gp_find_duplicates(x, y, 6, 2, &dup), AS_OK);
    assert_int_equal(dup.n_shared, 1);
    assert_int_equal(dup.n_rows, 3);
    assert_true(fabs(dup.max_diff - 0.3) < 1e-15);
    assert_int_equal(dup.example_row, 0);
}

static void lml_null_should_be_the_iid_gaussian_likelihood(void **state)
{
    (void)state;
    double y[4] = {1.0, 2.0, 4.0, 5.0};
    /* normalized: -n/2 (1 + log 2 pi); raw: variance = mean square = 46/4 */
    assert_true(fabs(as_gp_lml_null(y, 4, 1) - (-2.0 * (1 + log(2 * PI)))) < 1e-12);
    assert_true(fabs(as_gp_lml_null(y, 4, 0) - (-2.0 * (1 + log(2 * PI * 11.5)))) < 1e-12);
}

static void metrics_should_follow_their_definitions(void **state)
{
    (void)state;
    double y[3] = {1, 2, 3}, m[3] = {1.5, 2, 2}, s[3] = {0.25, 1, 2};
    as_gp_metrics r;
    assert_int_equal(as_gp_metrics_compute(y, m, s, 3, &r), AS_OK);
    assert_true(fabs(r.mae - 0.5) < 1e-15);
    assert_true(fabs(r.rmse - sqrt(1.25 / 3)) < 1e-15);
    assert_true(fabs(r.r2 - (1 - 1.25 / 2)) < 1e-15);
    assert_true(fabs(r.cover1 - 2.0 / 3) < 1e-15);
    assert_true(fabs(r.cover2 - 1.0) < 1e-15);
    double nll = 0;
    for (int i = 0; i < 3; i++)
        nll += 0.5 * log(2 * PI * s[i] * s[i]) + (y[i] - m[i]) * (y[i] - m[i]) / (2 * s[i] * s[i]);
    assert_true(fabs(r.nll - nll / 3) < 1e-14);
    assert_int_equal(as_gp_metrics_compute(y, m, s, 0, &r), AS_EINVAL);
}

static void cv_should_refuse_empty_folds(void **state)
{
    (void)state;
    double x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[4] = {1, 2, 3, 4}, mean[4], sd[4];
    size_t fold[4] = {0, 0, 0, 0};
    as_gp_options o = as_gp_options_default();
    assert_int_equal(as_gpr_model_cv(x, y, 4, 2, fold, 2, 0, &o, 1, mean, sd, NULL, NULL, NULL),
                     AS_EINVAL);
    fold[3] = 5;
    assert_int_equal(as_gpr_model_cv(x, y, 4, 2, fold, 2, 0, &o, 1, mean, sd, NULL, NULL, NULL),
                     AS_EINVAL);
}

int main(void)
{
    fx = fx_load_path(AS_SOURCE_DIR "/tests/fixtures/gp_cv_ref.txt");
    if (fx.n == 0) {
        fprintf(stderr, "missing tests/fixtures/gp_cv_ref.txt\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cv_should_equal_scikit_learn_at_fixed_hyperparameters),
        cmocka_unit_test(kfold_should_balance_rows_and_keep_groups_whole),
        cmocka_unit_test(shared_inputs_should_be_counted_with_their_spread),
        cmocka_unit_test(lml_null_should_be_the_iid_gaussian_likelihood),
        cmocka_unit_test(metrics_should_follow_their_definitions),
        cmocka_unit_test(cv_should_refuse_empty_folds),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_free(&fx);
    return rc;
}
