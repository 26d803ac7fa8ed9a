/* evaluate: bootstrap confidence intervals of the AUC against numpy + scikit-learn
 * (tests/fixtures/bootstrap_ref.json, made by tests/fixtures/bootstrap_ref.py with 20000
 * resamples of roc_auc_score): the row and the group (cluster) interval agree within 0.01
 * (Monte-Carlo accuracy: the generators differ); the group interval is the wider on these
 * correlated rows; a fixed seed gives the same interval; bad input is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/evaluate.h"

static void bootstrap_should_match_numpy(void **state)
{
    (void)state;
    as_json *j = NULL;
    assert_int_equal(as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/bootstrap_ref.json", &j),
                     AS_OK);
    size_t n = as_json_size(as_json_get(j, "score"));
    double *s = calloc(n, sizeof *s), *yd = calloc(n, sizeof *yd), *gd = calloc(n, sizeof *gd);
    int *y = calloc(n, sizeof *y);
    size_t *g = calloc(n, sizeof *g);
    assert_int_equal(as_json_get_doubles(j, "score", "fixture", s, n), AS_OK);
    assert_int_equal(as_json_get_doubles(j, "y", "fixture", yd, n), AS_OK);
    assert_int_equal(as_json_get_doubles(j, "group", "fixture", gd, n), AS_OK);
    for (size_t i = 0; i < n; i++) {
        y[i] = (int)yd[i];
        g[i] = (size_t)gd[i];
    }
    double ng, rci[2], gci[2], auc;
    assert_int_equal(as_json_get_num(j, "n_groups", "fixture", &ng), AS_OK);
    assert_int_equal(as_json_get_doubles(j, "rows_ci", "fixture", rci, 2), AS_OK);
    assert_int_equal(as_json_get_doubles(j, "groups_ci", "fixture", gci, 2), AS_OK);
    assert_int_equal(as_json_get_num(j, "auc", "fixture", &auc), AS_OK);

    as_rng r;
    double lo, hi, lo2, hi2, glo, ghi;
    size_t skipped;
    as_rng_stream(&r, 1, 0);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 4000, 0.95, &r, 1, &lo, &hi, &skipped),
                     AS_OK);
    assert_int_equal(skipped, 0);
    assert_true(fabs(lo - rci[0]) < 0.01 && fabs(hi - rci[1]) < 0.01);
    assert_true(lo < auc && auc < hi);
    as_rng_stream(&r, 1, 0);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 4000, 0.95, &r, 1, &lo2, &hi2, NULL),
                     AS_OK);
    assert_true(lo == lo2 && hi == hi2);
    as_rng_stream(&r, 2, 0);
    assert_int_equal(
        as_bootstrap_auc_ci(s, y, g, n, (size_t)ng, 4000, 0.95, &r, 1, &glo, &ghi, NULL), AS_OK);
    assert_true(fabs(glo - gci[0]) < 0.01 && fabs(ghi - gci[1]) < 0.01);
    assert_true(ghi - glo > hi - lo);
    /* split over two threads: numpy's interval all the same */
    as_rng_stream(&r, 1, 0);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 4000, 0.95, &r, 2, &lo2, &hi2, NULL),
                     AS_OK);
    assert_true(fabs(lo2 - rci[0]) < 0.01 && fabs(hi2 - rci[1]) < 0.01);
    as_rng_stream(&r, 2, 0);
    assert_int_equal(
        as_bootstrap_auc_ci(s, y, g, n, (size_t)ng, 4000, 0.95, &r, 2, &lo2, &hi2, NULL), AS_OK);
    assert_true(fabs(lo2 - gci[0]) < 0.01 && fabs(hi2 - gci[1]) < 0.01);

    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 0, 0.95, &r, 1, &lo, &hi, NULL),
                     AS_EINVAL);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 10, 1.0, &r, 1, &lo, &hi, NULL),
                     AS_EINVAL);
    g[3] = 99;
    assert_int_equal(as_bootstrap_auc_ci(s, y, g, n, (size_t)ng, 10, 0.95, &r, 1, &lo, &hi, NULL),
                     AS_EINVAL);
    free(s), free(yd), free(gd), free(y), free(g);
    as_json_free(j);
}

/* The resamples split over threads give the serial loop's interval bit for bit, the same
 * count of one-class resamples, and leave the stream where it leaves it: rows and groups, a
 * count of resamples no thread count divides, and few positives so some resamples are skipped. */
static void interval_should_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    enum { N = 57, NG = 9 };
    double s[N];
    int y[N];
    size_t g[N];
    as_rng r;
    as_rng_stream(&r, 11, 0);
    for (size_t i = 0; i < N; i++) {
        s[i] = (double)(as_rng_u64(&r) % 20); /* ties */
        y[i] = i % 14 == 3;                   /* 5 positives */
        g[i] = i % NG;
    }
    for (int grouped = 0; grouped < 2; grouped++) {
        double lo1 = 0, hi1 = 0;
        size_t sk1 = 0;
        uint64_t end1[4] = {0};
        const size_t threads[] = {1, 2, 3, 8};
        for (size_t t = 0; t < 4; t++) {
            double lo, hi;
            size_t sk;
            as_rng_stream(&r, 7, 0);
            assert_int_equal(as_bootstrap_auc_ci(s, y, grouped ? g : NULL, N, grouped ? NG : 0,
                                                 1001, 0.9, &r, threads[t], &lo, &hi, &sk),
                             AS_OK);
            if (t == 0) {
                lo1 = lo, hi1 = hi, sk1 = sk;
                memcpy(end1, r.s, sizeof end1);
                assert_true(sk1 > 0 && lo1 < hi1);
                continue;
            }
            if (!(lo == lo1 && hi == hi1 && sk == sk1))
                fail_msg("grouped %d, %zu threads: [%.17g, %.17g] (%zu skipped) against "
                         "[%.17g, %.17g] (%zu) on one",
                         grouped, threads[t], lo, hi, sk, lo1, hi1, sk1);
            assert_memory_equal(r.s, end1, sizeof end1);
        }
    }
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, z = *(const double *)b;
    return (x > z) - (x < z);
}

/* Each resample's AUC is as_roc_auc's (checked against roc_auc_score) on the rows drawn by
 * as_rng_below from the same stream, with distinct scores (the sweep's no-tie path) and with
 * ties; the interval is then numpy's linear percentile of those AUCs, to the last bit. */
static void interval_should_be_the_percentiles_of_the_resampled_aucs(void **state)
{
    (void)state;
    enum { N = 80, B = 301 };
    double s[N], rs[N], auc[B], lo, hi;
    int y[N], ry[N];
    for (int tied = 0; tied < 2; tied++) {
        as_rng r;
        as_rng_stream(&r, 5, 0);
        for (size_t i = 0; i < N; i++) {
            y[i] = as_rng_u64(&r) % 3 == 0;
            s[i] = tied ? (double)(as_rng_u64(&r) % 7) + y[i] : as_rng_uniform(&r) + 0.3 * y[i];
        }
        as_rng_stream(&r, 9, 0);
        size_t m = 0;
        for (size_t b = 0; b < B; b++) {
            for (size_t k = 0; k < N; k++) {
                size_t i = as_rng_below(&r, N);
                rs[k] = s[i], ry[k] = y[i];
            }
            double a;
            assert_int_equal(as_roc_auc(rs, ry, N, &a), AS_OK);
            if (!isnan(a))
                auc[m++] = a;
        }
        qsort(auc, m, sizeof *auc, cmp_dbl);
        double h_lo = 0.025 * (double)(m - 1), h_hi = 0.975 * (double)(m - 1);
        size_t k_lo = (size_t)h_lo, k_hi = (size_t)h_hi;
        double want_lo = auc[k_lo] + (h_lo - (double)k_lo) * (auc[k_lo + 1] - auc[k_lo]);
        double want_hi = auc[k_hi] + (h_hi - (double)k_hi) * (auc[k_hi + 1] - auc[k_hi]);
        as_rng_stream(&r, 9, 0);
        assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, N, 0, B, 0.95, &r, 2, &lo, &hi, NULL),
                         AS_OK);
        if (fabs(lo - want_lo) > 1e-12 || fabs(hi - want_hi) > 1e-12)
            fail_msg("tied %d: [%.17g, %.17g] against [%.17g, %.17g] from as_roc_auc", tied, lo, hi,
                     want_lo, want_hi);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interval_should_not_depend_on_the_thread_count),
        cmocka_unit_test(bootstrap_should_match_numpy),
        cmocka_unit_test(interval_should_be_the_percentiles_of_the_resampled_aucs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
