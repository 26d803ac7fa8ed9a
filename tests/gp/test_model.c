/* Tests of the z-score + PCA + GP model and its JSON file: predictions equal a scikit-learn
 * StandardScaler -> PCA(0.99) -> GaussianProcessRegressor pipeline at fixed hyperparameters
 * (tests/fixtures/gp_ref.txt), a saved model predicts what it predicted before saving, and
 * malformed files fail with the file named. */
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

static as_gpr_model *fit_fixed(void)
{
    as_gp_options o = as_gp_options_default();
    o.optimize = 0;
    o.c2_init = 1.7;
    o.ls_init = 2.3;
    as_gpr_model *m = NULL;
    assert_int_equal(as_gpr_model_fit(X, Y, N, D, 0.99, &o, 42, NULL, &m), AS_OK);
    return m;
}

static void pipeline_predictions_should_equal_scikit_learn(void **state)
{
    (void)state;
    as_gpr_model *m = fit_fixed();
    assert_int_equal(as_pca_dim_out(as_gpr_model_pca(m)), 5);
    const double *rm = fx_get(&fx, "pipe_mean", NULL), *rs = fx_get(&fx, "pipe_std", NULL);
    double mean[16], sd[16];
    assert_int_equal(as_gpr_model_predict(m, XQ, M, mean, sd), AS_OK);
    for (size_t q = 0; q < M; q++) {
        /* 1e-6: the acceptance tolerance; PCA signs do not change an isotropic kernel */
        assert_true(fabs(mean[q] - rm[q]) <= 1e-6);
        assert_true(fabs(sd[q] - rs[q]) <= 1e-6);
    }
    as_gpr_model_free(m);
}

static void saved_model_should_predict_what_it_predicted_before(void **state)
{
    (void)state;
    as_gp_options o = as_gp_options_default();
    o.restarts = 3;
    o.noise = 1;
    as_gpr_model *m = NULL, *l = NULL;
    assert_int_equal(as_gpr_model_fit(X, Y, N, D, 0.99, &o, 9, NULL, &m), AS_OK);
    const char *names[15] = {"a", "b", "c", "d", "e", "f", "g", "h",
                             "i", "j", "k", "l", "m", "n", "o"};
    assert_int_equal(as_gpr_model_set_features(m, names), AS_OK);
    assert_int_equal(as_gpr_model_set_target(m, "e_ev_atom"), AS_OK);
    const char *path = AS_BUILD_DIR "/gp_test_model.json";
    assert_int_equal(as_gpr_model_save(m, path), AS_OK);
    assert_int_equal(as_gpr_model_load(path, &l), AS_OK);
    double m1[16], s1[16], m2[16], s2[16];
    assert_int_equal(as_gpr_model_predict(m, XQ, M, m1, s1), AS_OK);
    assert_int_equal(as_gpr_model_predict(l, XQ, M, m2, s2), AS_OK);
    /* the loader refactors the same matrix with the same arithmetic */
    assert_memory_equal(m1, m2, M * sizeof *m1);
    assert_memory_equal(s1, s2, M * sizeof *s1);
    assert_string_equal(as_gpr_model_target(l), "e_ev_atom");
    assert_string_equal(as_gpr_model_feature_name(l, 14), "o");
    as_gp *g1 = as_gpr_model_gp(m), *g2 = as_gpr_model_gp(l);
    assert_true(as_gp_lml_value(g1) == as_gp_lml_value(g2));
    assert_true(as_gp_seed(g2) == 9);
    assert_int_equal(as_gp_best_start(g1), as_gp_best_start(g2));
    as_gpr_model_free(m);
    as_gpr_model_free(l);
    remove(path);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void wrong_version_truncation_and_format_should_fail_naming_the_file(void **state)
{
    (void)state;
    as_gpr_model *m = fit_fixed(), *l = (as_gpr_model *)&fx;
    const char *path = AS_BUILD_DIR "/gp_test_bad.json";
    assert_int_equal(as_gpr_model_save(m, path), AS_OK);
    char *text = read_text(path);
    /* wrong version */
    char *v = strstr(text, "\"version\":");
    assert_non_null(v);
    char *digit = v + strlen("\"version\":");
    while (*digit == ' ' || *digit == '\t')
        digit++;
    *digit = '7';
    write_text(path, text);
    assert_int_equal(as_gpr_model_load(path, &l), AS_EPARSE);
    assert_null(l);
    assert_non_null(strstr(as_errmsg(), "version 7"));
    assert_non_null(strstr(as_errmsg(), path));
    *digit = '1';
    /* truncated */
    char saved = text[strlen(text) / 2];
    text[strlen(text) / 2] = 0;
    write_text(path, text);
    assert_int_equal(as_gpr_model_load(path, &l), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), path));
    text[strlen(text)] = saved;
    /* another format */
    char *f = strstr(text, "alloyscout-gpr");
    assert_non_null(f);
    memcpy(f, "alloyscout-mlp", 14);
    write_text(path, text);
    assert_int_equal(as_gpr_model_load(path, &l), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "not an alloyscout GPR model"));
    /* a missing file */
    assert_int_equal(as_gpr_model_load(AS_BUILD_DIR "/no/such/model.json", &l), AS_EIO);
    free(text);
    remove(path);
    as_gpr_model_free(m);
}

static void failed_allocations_in_save_and_load_should_give_enomem(void **state)
{
    (void)state;
    as_gpr_model *m = fit_fixed(), *l = NULL;
    const char *path = AS_BUILD_DIR "/gp_test_alloc.json";
    assert_int_equal(as_gpr_model_save(m, path), AS_OK);
    for (size_t k = 1; k < 2000; k++) {
        as_alloc_fail_after(k);
        as_status st = as_gpr_model_load(path, &l);
        as_alloc_fail_after(0);
        if (st == AS_OK)
            break;
        /* cJSON cannot tell a failed allocation from bad text, so core's parser reports
         * those as AS_EPARSE; every later allocation failure is AS_ENOMEM */
        assert_true(st == AS_ENOMEM || st == AS_EPARSE);
        assert_null(l);
    }
    assert_non_null(l);
    as_gpr_model_free(l);
    l = NULL;
    for (size_t k = 1; k < 2000; k++) {
        as_alloc_fail_after(k);
        as_status st = as_gpr_model_save(m, path);
        as_alloc_fail_after(0);
        if (st == AS_OK)
            break;
        assert_int_equal(st, AS_ENOMEM);
    }
    assert_int_equal(as_gpr_model_load(path, &l), AS_OK);
    as_gpr_model_free(l);
    remove(path);
    as_gpr_model_free(m);
}

static int setup(void **state)
{
    (void)state;
    fx = fx_load();
    if (!fx.n)
        return -1;
    size_t nx, nq;
    X = fx_get(&fx, "pca_x", &nx);
    N = (size_t)fx_get(&fx, "pca_n", NULL)[0];
    D = (size_t)fx_get(&fx, "pca_d", NULL)[0];
    Y = fx_get(&fx, "pipe_y", NULL);
    XQ = fx_get(&fx, "pipe_xq", &nq);
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
        cmocka_unit_test(pipeline_predictions_should_equal_scikit_learn),
        cmocka_unit_test(saved_model_should_predict_what_it_predicted_before),
        cmocka_unit_test(wrong_version_truncation_and_format_should_fail_naming_the_file),
        cmocka_unit_test(failed_allocations_in_save_and_load_should_give_enomem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
