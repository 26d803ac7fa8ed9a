/* Tests of the GP regressor against scikit-learn 1.2 (tests/fixtures/gp_ref.txt, made by
 * tests/fixtures/gp_ref.py), central differences and closed-form invariants. */
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

static fx_file fx;
static const double *X, *Y, *XQ;
static size_t N, D, M;

static const char *const tags[] = {"iso", "isonoise", "ardnoise_raw", "ard"};
/* theta records per configuration: two ordinary ones, one where every off-diagonal kernel entry
 * underflows to 0 (the diagonal-K path) and one just inside that boundary (gp_ref.py) */
#define N_THETA 4

static as_gp_options cfg_options(const char *tag)
{
    char key[64];
    snprintf(key, sizeof key, "cfg_%s", tag);
    const double *c = fx_get(&fx, key, NULL);
    as_gp_options o = as_gp_options_default();
    o.ard = (int)c[0];
    o.noise = (int)c[1];
    o.normalize_y = (int)c[2];
    return o;
}

static const double *rec2(const char *what, const char *tag, int i, size_t *n)
{
    char key[64];
    if (i >= 0)
        snprintf(key, sizeof key, "%s_%s_%d", what, tag, i);
    else
        snprintf(key, sizeof key, "%s_%s", what, tag);
    return fx_get(&fx, key, n);
}

/* fixed isotropic hyperparameters from theta (log values) as *_init with optimize = 0 */
static void set_fixed(as_gp_options *o, const double *th)
{
    o->optimize = 0;
    o->c2_init = exp(th[0]);
    o->ls_init = exp(th[1]);
    if (o->noise)
        o->noise_init = exp(th[2]);
}

static char last_warning[512];
static int n_warnings;
static void warn_sink(as_log_level lv, const char *msg, void *user)
{
    (void)user;
    if (lv == AS_LOG_WARN) {
        n_warnings++;
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    }
}

static void lml_and_gradient_should_equal_scikit_learn_at_given_hyperparameters(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        as_gp_options o = cfg_options(tags[c]);
        for (int i = 0; i < N_THETA; i++) {
            size_t nt;
            const double *th = rec2("theta", tags[c], i, &nt);
            const double *ref_lml = rec2("lml", tags[c], i, NULL);
            const double *ref_g = rec2("grad", tags[c], i, NULL);
            assert_int_equal(nt, as_gp_n_theta(&o, D));
            double lml, g[8];
            assert_int_equal(as_gp_lml(X, Y, N, D, &o, th, NULL, &lml, g), AS_OK);
            /* 1e-8 relative: both sides are O(n^3 eps cond) accurate, far below this */
            assert_true(fabs(lml - ref_lml[0]) <= 1e-8 * fabs(ref_lml[0]));
            for (size_t p = 0; p < nt; p++)
                assert_true(fabs(g[p] - ref_g[p]) <= 1e-8 * fabs(ref_g[p]));
        }
    }
}

static void lml_gradient_should_match_central_differences(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        as_gp_options o = cfg_options(tags[c]);
        size_t nt;
        const double *th0 = rec2("theta", tags[c], 0, &nt);
        double th[8], g[8], lp, lm, l0, gnorm = 0;
        memcpy(th, th0, nt * sizeof *th);
        assert_int_equal(as_gp_lml(X, Y, N, D, &o, th, NULL, &l0, g), AS_OK);
        for (size_t p = 0; p < nt; p++)
            gnorm += g[p] * g[p];
        gnorm = sqrt(gnorm);
        for (size_t p = 0; p < nt; p++) {
            /* h = 1e-5 in log space: truncation O(h^2 |LML'''|) ~ 1e-8, rounding
             * O(eps |LML| / h) ~ 1e-9; both far below 1e-6 |grad| */
            const double h = 1e-5;
            th[p] = th0[p] + h;
            assert_int_equal(as_gp_lml(X, Y, N, D, &o, th, NULL, &lp, NULL), AS_OK);
            th[p] = th0[p] - h;
            assert_int_equal(as_gp_lml(X, Y, N, D, &o, th, NULL, &lm, NULL), AS_OK);
            th[p] = th0[p];
            double fd = (lp - lm) / (2 * h);
            assert_true(fabs(fd - g[p]) <= 1e-6 * gnorm);
        }
    }
}

static void predictions_at_fixed_hyperparameters_should_equal_scikit_learn(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        as_gp_options o = cfg_options(tags[c]);
        if (o.ard)
            continue;
        for (int i = 0; i < N_THETA; i++) {
            const double *th = rec2("theta", tags[c], i, NULL);
            const double *rm = rec2("mean", tags[c], i, NULL);
            const double *rs = rec2("std", tags[c], i, NULL);
            set_fixed(&o, th);
            as_gp *gp = NULL;
            assert_int_equal(as_gp_fit(X, Y, N, D, &o, 1, NULL, &gp), AS_OK);
            assert_true(as_gp_evaluations(gp) == 0); /* fixed hyperparameters: no search */
            double mean[64], sd[64];
            assert_int_equal(as_gp_predict(gp, XQ, M, mean, sd), AS_OK);
            for (size_t q = 0; q < M; q++) {
                /* 1e-6 absolute on O(1) targets: the acceptance tolerance */
                assert_true(fabs(mean[q] - rm[q]) <= 1e-6);
                assert_true(fabs(sd[q] - rs[q]) <= 1e-6);
            }
            as_gp_free(gp);
        }
    }
}

static void ard_predictions_at_fixed_hyperparameters_should_equal_scikit_learn(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        as_gp_options o = cfg_options(tags[c]);
        if (!o.ard)
            continue;
        for (int i = 0; i < N_THETA; i++) {
            size_t nt;
            const double *th = rec2("theta", tags[c], i, &nt);
            const double *rm = rec2("mean", tags[c], i, NULL);
            const double *rs = rec2("std", tags[c], i, NULL);
            /* one ls_init cannot hold per-feature values, but the ARD kernel with l_k on x
             * is the isotropic kernel with l = 1 on x_k / l_k */
            double xs[40 * 3], xq[64 * 3];
            for (size_t r = 0; r < N; r++)
                for (size_t k = 0; k < D; k++)
                    xs[r * D + k] = X[r * D + k] / exp(th[1 + k]);
            for (size_t r = 0; r < M; r++)
                for (size_t k = 0; k < D; k++)
                    xq[r * D + k] = XQ[r * D + k] / exp(th[1 + k]);
            o.optimize = 0;
            o.c2_init = exp(th[0]);
            o.ls_init = 1.0;
            if (o.noise)
                o.noise_init = exp(th[nt - 1]);
            as_gp *gp = NULL;
            assert_int_equal(as_gp_fit(xs, Y, N, D, &o, 1, NULL, &gp), AS_OK);
            double mean[64], sd[64];
            assert_int_equal(as_gp_predict(gp, xq, M, mean, sd), AS_OK);
            for (size_t q = 0; q < M; q++) {
                assert_true(fabs(mean[q] - rm[q]) <= 1e-6);
                assert_true(fabs(sd[q] - rs[q]) <= 1e-6);
            }
            as_gp_free(gp);
        }
    }
}

static void fitted_lml_should_be_at_least_scikit_learns_best(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        as_gp_options o = cfg_options(tags[c]);
        o.restarts = 10; /* as many starts as the scikit-learn reference */
        as_gp *gp = NULL;
        assert_int_equal(as_gp_fit(X, Y, N, D, &o, 2385, NULL, &gp), AS_OK);
        const double *ref = rec2("fit_lml", tags[c], -1, NULL);
        double ours = as_gp_lml_value(gp);
        assert_true(ours >= ref[0] - 1e-6);
        /* and it is the LML at the reported theta */
        double l;
        assert_int_equal(as_gp_lml(X, Y, N, D, &o, as_gp_theta(gp), NULL, &l, NULL), AS_OK);
        assert_true(fabs(l - ours) <= 1e-10 * fabs(ours) + 1e-12);
        as_gp_free(gp);
    }
}

static void std_should_be_nonnegative_and_vanish_at_training_points_without_noise(void **state)
{
    (void)state;
    as_gp_options o = cfg_options("iso");
    o.restarts = 3;
    as_gp *gp = NULL;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 7, NULL, &gp), AS_OK);
    double mean[64], sd[64];
    assert_int_equal(as_gp_predict(gp, X, N, mean, sd), AS_OK);
    /* var <= jitter + rounding (c2 * n * eps * cond-ish); scaled by the y std */
    double ystd = 0, ym = 0;
    for (size_t i = 0; i < N; i++)
        ym += Y[i] / (double)N;
    for (size_t i = 0; i < N; i++)
        ystd += (Y[i] - ym) * (Y[i] - ym) / (double)N;
    ystd = sqrt(ystd);
    double bound = ystd * sqrt(o.jitter + 1e4 * (double)N * 2.2e-16 * as_gp_c2(gp));
    for (size_t i = 0; i < N; i++) {
        assert_true(sd[i] >= 0);
        assert_true(sd[i] <= bound);
        assert_true(fabs(mean[i] - Y[i]) <= 1e-3 * ystd);
    }
    assert_int_equal(as_gp_predict(gp, XQ, M, mean, sd), AS_OK);
    for (size_t q = 0; q < M; q++)
        assert_true(sd[q] >= 0);
    as_gp_free(gp);
}

static void same_seed_should_give_identical_fits_for_one_two_or_three_threads(void **state)
{
    (void)state;
    as_gp_options o = cfg_options("isonoise");
    o.restarts = 4;
    as_gp *a = NULL, *b = NULL, *c = NULL;
    as_gp_workspace *w = NULL;
    assert_int_equal(as_gp_workspace_create(N + 5, D + 1, &w), AS_OK);
    o.threads = 1;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 11, NULL, &a), AS_OK);
    o.threads = 2;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 11, w, &b), AS_OK);
    /* a second fit through the same workspace, with a third thread */
    o.threads = 3;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 11, w, &c), AS_OK);
    assert_true(as_gp_lml_value(a) == as_gp_lml_value(c));
    assert_memory_equal(as_gp_theta(a), as_gp_theta(b), 3 * sizeof(double));
    assert_memory_equal(as_gp_theta(a), as_gp_theta(c), 3 * sizeof(double));
    assert_true(as_gp_ok_starts(a) == 5);
    /* starts are taken by whichever thread is free, yet each start does the same work */
    assert_true(as_gp_evaluations(a) >= 5);
    assert_true(as_gp_evaluations(b) == as_gp_evaluations(a));
    assert_true(as_gp_evaluations(c) == as_gp_evaluations(a));
    as_gp_free(a);
    as_gp_free(b);
    as_gp_free(c);
    as_gp_workspace_free(w);
}

static void too_small_workspace_should_give_edim(void **state)
{
    (void)state;
    as_gp_options o = as_gp_options_default();
    as_gp_workspace *w = NULL;
    as_gp *gp = (as_gp *)&o;
    assert_int_equal(as_gp_workspace_create(N - 1, D, &w), AS_OK);
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 1, w, &gp), AS_EDIM);
    assert_null(gp);
    assert_non_null(strstr(as_errmsg(), "workspace"));
    as_gp_workspace_free(w);
}

static void duplicated_inputs_without_jitter_should_escalate_jitter_with_a_warning(void **state)
{
    (void)state;
    double x[12 * 2], y[12];
    for (size_t i = 0; i < 12; i++) {
        x[2 * i] = 0.37 * (double)(i % 4); /* three copies of four points */
        x[2 * i + 1] = -0.21 * (double)(i % 4);
        y[i] = sin(x[2 * i]) + 0.001 * (double)i;
    }
    as_gp_options o = as_gp_options_default();
    o.optimize = 0;
    o.jitter = 0;
    as_set_log(warn_sink, NULL);
    n_warnings = 0;
    as_gp *gp = NULL;
    assert_int_equal(as_gp_fit(x, y, 12, 2, &o, 1, NULL, &gp), AS_OK);
    double j = as_gp_jitter_used(gp);
    assert_true(j > 0 && j <= o.jitter_max);
    assert_true(n_warnings >= 1);
    char want[64];
    snprintf(want, sizeof want, "jitter %g", j);
    assert_non_null(strstr(last_warning, want));
    double sd[12], mean[12];
    assert_int_equal(as_gp_predict(gp, x, 12, mean, sd), AS_OK);
    for (size_t i = 0; i < 12; i++)
        assert_true(sd[i] >= 0);
    as_gp_free(gp);
    /* and an error once jitter_max is reached */
    o.jitter_max = 0;
    gp = (as_gp *)&o;
    assert_int_equal(as_gp_fit(x, y, 12, 2, &o, 1, NULL, &gp), AS_ENOTPD);
    assert_null(gp);
    assert_non_null(strstr(as_errmsg(), "not positive definite"));
    assert_non_null(strstr(as_errmsg(), "jitter_max"));
    as_set_log(NULL, NULL);
}

static void hyperparameter_stuck_at_a_bound_should_be_reported(void **state)
{
    (void)state;
    as_gp_options o = cfg_options("iso");
    o.restarts = 2;
    o.ls_init = 6.0;
    o.ls_lo = 5.0; /* the likelihood wants l ~ 1.9: the fit ends on the lower bound */
    as_set_log(warn_sink, NULL);
    n_warnings = 0;
    as_gp *gp = NULL;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 3, NULL, &gp), AS_OK);
    int flags[2];
    /* a long length scale also drives C^2 to its upper bound: both are reported */
    assert_int_equal(as_gp_at_bound(gp, flags), 2);
    assert_int_equal(flags[0], 1);
    assert_int_equal(flags[1], -1);
    assert_int_equal(n_warnings, 2);
    assert_non_null(strstr(last_warning, "length scale"));
    assert_non_null(strstr(last_warning, "lower bound"));
    as_set_log(NULL, NULL);
    as_gp_free(gp);
}

static void invalid_options_and_data_should_give_einval(void **state)
{
    (void)state;
    as_gp_options o = as_gp_options_default();
    as_gp *gp = NULL;
    o.c2_lo = 0;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 1, NULL, &gp), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "C^2"));
    o = as_gp_options_default();
    o.ls_init = 5e3;
    assert_int_equal(as_gp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "length scale"));
    o = as_gp_options_default();
    o.jitter = -1;
    assert_int_equal(as_gp_options_check(&o), AS_EINVAL);
    o = as_gp_options_default();
    double bad[2] = {1.0, NAN}, yb[1] = {0.0};
    assert_int_equal(as_gp_fit(bad, yb, 1, 2, &o, 1, NULL, &gp), AS_EINVAL);
    assert_null(gp);
    assert_int_equal(as_gp_fit(X, Y, 0, D, &o, 1, NULL, &gp), AS_EINVAL);
}

static void failed_allocations_should_give_enomem(void **state)
{
    (void)state;
    as_gp_options o = cfg_options("isonoise");
    o.restarts = 1;
    for (size_t k = 1; k < 200; k++) {
        as_gp *gp = (as_gp *)&o;
        as_alloc_fail_after(k);
        as_status st = as_gp_fit(X, Y, N, D, &o, 5, NULL, &gp);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            as_gp_free(gp);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(gp);
    }
}

static int setup(void **state)
{
    (void)state;
    fx = fx_load();
    if (!fx.n)
        return -1;
    size_t nx, nq;
    X = fx_get(&fx, "gp_x", &nx);
    Y = fx_get(&fx, "gp_y", &N);
    D = (size_t)fx_get(&fx, "gp_d", NULL)[0];
    XQ = fx_get(&fx, "gp_xq", &nq);
    M = nq / D;
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
        cmocka_unit_test(lml_and_gradient_should_equal_scikit_learn_at_given_hyperparameters),
        cmocka_unit_test(lml_gradient_should_match_central_differences),
        cmocka_unit_test(predictions_at_fixed_hyperparameters_should_equal_scikit_learn),
        cmocka_unit_test(ard_predictions_at_fixed_hyperparameters_should_equal_scikit_learn),
        cmocka_unit_test(fitted_lml_should_be_at_least_scikit_learns_best),
        cmocka_unit_test(std_should_be_nonnegative_and_vanish_at_training_points_without_noise),
        cmocka_unit_test(same_seed_should_give_identical_fits_for_one_two_or_three_threads),
        cmocka_unit_test(too_small_workspace_should_give_edim),
        cmocka_unit_test(duplicated_inputs_without_jitter_should_escalate_jitter_with_a_warning),
        cmocka_unit_test(hyperparameter_stuck_at_a_bound_should_be_reported),
        cmocka_unit_test(invalid_options_and_data_should_give_einval),
        cmocka_unit_test(failed_allocations_should_give_enomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
