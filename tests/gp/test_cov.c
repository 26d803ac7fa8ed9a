/* Posterior covariance of the GP and greedy batch selection for a linear functional
 * (as_gp_predict_cov, as_gp_functional_batch) against dense numpy closed forms
 * (tests/fixtures/gp_cov_ref.py: explicit inverses of the kernel matrix augmented by each
 * candidate batch, no rank-one updates). */
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
static const double *X, *Y;
static size_t N;
enum { D = 3 };

static as_gp *fit_fixed(const char *tag)
{
    char key[64];
    snprintf(key, sizeof key, "theta_%s", tag);
    const double *th = fx_get(&fx, key, NULL);
    as_gp_options o = as_gp_options_default();
    o.optimize = 0;
    o.c2_init = th[0];
    o.ls_init = th[1];
    o.noise = th[2] > 0;
    if (o.noise)
        o.noise_init = th[2];
    as_gp *gp = NULL;
    assert_int_equal(as_gp_fit(X, Y, N, D, &o, 1, NULL, &gp), AS_OK);
    return gp;
}

static const double *rec(const char *what, const char *tag, size_t *n)
{
    char key[64];
    snprintf(key, sizeof key, "%s_%s", what, tag);
    return fx_get(&fx, key, n);
}

static const char *tags[2] = {"noise", "plain"};

/* The covariance is a difference of O(1) kernel values accumulated over n = 30 terms with a
 * kernel matrix of condition number up to ~1e10 (plain: jitter 1e-10 only): numpy and the
 * Cholesky path differ by ~cond * eps relative to the y scale, hence 1e-6 absolute. */
static void posterior_covariance_should_equal_the_dense_closed_form(void **state)
{
    (void)state;
    size_t nq;
    const double *xq = fx_get(&fx, "xq", &nq);
    nq /= D;
    for (int t = 0; t < 2; t++) {
        as_gp *gp = fit_fixed(tags[t]);
        double mean[8], cov[64];
        assert_int_equal(as_gp_predict_cov(gp, xq, nq, mean, cov), AS_OK);
        const double *rm = rec("mean", tags[t], NULL), *rc = rec("cov", tags[t], NULL);
        for (size_t i = 0; i < nq; i++)
            assert_true(fabs(mean[i] - rm[i]) < 1e-6);
        for (size_t i = 0; i < nq * nq; i++)
            assert_true(fabs(cov[i] - rc[i]) < 1e-6);
        /* the diagonal is the square of as_gp_predict's latent std: with noise s, std^2 adds
         * s times the y scale squared */
        double mu[8], sd[8];
        assert_int_equal(as_gp_predict(gp, xq, nq, mu, sd), AS_OK);
        double ys = 0, ym = 0;
        for (size_t i = 0; i < N; i++)
            ym += Y[i] / (double)N;
        for (size_t i = 0; i < N; i++)
            ys += (Y[i] - ym) * (Y[i] - ym) / (double)N;
        for (size_t i = 0; i < nq; i++)
            assert_true(fabs(sd[i] * sd[i] - (cov[i * nq + i] + as_gp_noise(gp) * ys)) < 1e-9);
        as_gp_free(gp);
    }
}

static void functional_variance_and_greedy_batch_should_equal_dense_conditioning(void **state)
{
    (void)state;
    size_t nw, nc;
    const double *xw = fx_get(&fx, "xw", &nw), *w = fx_get(&fx, "w", NULL);
    const double *xc = fx_get(&fx, "xc", &nc);
    size_t batch = (size_t)fx_get(&fx, "batch", NULL)[0];
    nw /= D;
    nc /= D;
    for (int t = 0; t < 2; t++) {
        as_gp *gp = fit_fixed(tags[t]);
        size_t picked[16], np = 0;
        double var[17], mean = 0;
        assert_int_equal(
            as_gp_functional_batch(gp, xw, w, nw, xc, nc, batch, picked, &np, var, &mean), AS_OK);
        assert_int_equal(np, batch);
        const double *rp = rec("picks", tags[t], NULL), *rv = rec("fvar", tags[t], NULL);
        assert_true(fabs(mean - rec("fmean", tags[t], NULL)[0]) < 1e-6);
        for (size_t k = 0; k < batch; k++)
            assert_int_equal(picked[k], (size_t)rp[k]);
        /* same conditioning argument as above, relative to Var F ~ 0.5 */
        for (size_t k = 0; k <= batch; k++)
            assert_true(fabs(var[k] - rv[k]) < 1e-6 * rv[0]);
        /* Var F from the covariance matrix of the functional's points: w^T Sigma w */
        double *cov = malloc(nw * nw * sizeof *cov), q = 0;
        assert_int_equal(as_gp_predict_cov(gp, xw, nw, NULL, cov), AS_OK);
        for (size_t a = 0; a < nw; a++)
            for (size_t b = 0; b < nw; b++)
                q += w[a] * cov[a * nw + b] * w[b];
        assert_true(fabs(q - var[0]) < 1e-9);
        free(cov);
        /* batch 0: only Var F; a batch larger than the candidates picks each once */
        size_t big[64];
        double vb[65];
        assert_int_equal(as_gp_functional_batch(gp, xw, w, nw, xc, 5, 9, big, &np, vb, NULL),
                         AS_OK);
        assert_int_equal(np, 5);
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < i; j++)
                assert_true(big[i] != big[j]);
        for (size_t i = 1; i <= np; i++)
            assert_true(vb[i] <= vb[i - 1] + 1e-15);
        assert_int_equal(as_gp_functional_batch(gp, xw, w, nw, xc, nc, 0, NULL, &np, vb, NULL),
                         AS_OK);
        assert_int_equal(np, 0);
        assert_true(fabs(vb[0] - var[0]) < 1e-15 * var[0] + 1e-300);
        assert_int_equal(as_gp_functional_batch(gp, xw, w, nw, xc, nc, 1, NULL, &np, vb, NULL),
                         AS_EINVAL);
        assert_int_equal(as_gp_predict_cov(gp, xw, nw, NULL, NULL), AS_EINVAL);
        as_gp_free(gp);
    }
}

int main(void)
{
    fx = fx_load_path(AS_SOURCE_DIR "/tests/fixtures/gp_cov_ref.txt");
    size_t nx;
    X = fx_get(&fx, "x", &nx);
    Y = fx_get(&fx, "y", &N);
    assert_true(nx == N * D);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(posterior_covariance_should_equal_the_dense_closed_form),
        cmocka_unit_test(functional_variance_and_greedy_batch_should_equal_dense_conditioning),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fx_free(&fx);
    return rc;
}
