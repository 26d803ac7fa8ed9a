/* resample: SMOTE. New points must lie on segments between a minority sample and one of its k
 * nearest minority neighbours as imbalanced-learn finds them (fixture), classes come out
 * balanced with the originals unchanged in front, the mean of the new points matches its closed
 * form, the stated errors, determinism, and allocation failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/resample.h"
#include "resample/fixture.h"

/* Distance from s to the segment [a, b] (d), and the segment parameter in *u. */
static double seg_residual(const double *s, const double *a, const double *b, size_t d, double *u)
{
    double num = 0.0, den = 0.0;
    for (size_t c = 0; c < d; c++) {
        num += (s[c] - a[c]) * (b[c] - a[c]);
        den += (b[c] - a[c]) * (b[c] - a[c]);
    }
    double t = den > 0.0 ? num / den : 0.0;
    double r = 0.0;
    for (size_t c = 0; c < d; c++) {
        double e = a[c] + t * (b[c] - a[c]) - s[c];
        r += e * e;
    }
    *u = t;
    return sqrt(r);
}

static double row_norm(const double *a, size_t d)
{
    double s = 0.0;
    for (size_t c = 0; c < d; c++)
        s += a[c] * a[c];
    return sqrt(s);
}

static void smote_should_place_new_points_on_segments_between_minority_neighbours(void **state)
{
    (void)state;
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad, used = 0;
    while (rs_fixture_next(fp, &f, &bad)) {
        if (f.nn_m == 0) {
            rs_fixture_free(&f);
            continue;
        }
        used++;
        as_rng rng;
        as_rng_stream(&rng, 2385, (uint64_t)used);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_smote(f.x, f.y, f.n, f.d, 5, &rng, &xo, &yo, &no), AS_OK);
        int minority = f.y[f.nn_row[0]];
        size_t c_min = 0;
        for (size_t i = 0; i < f.n; i++)
            c_min += f.y[i] == minority;
        assert_int_equal(c_min, f.nn_m);
        assert_int_equal(no, 2 * (f.n - c_min)); /* balanced: majority count twice */
        /* originals unchanged, in front */
        assert_memory_equal(xo, f.x, f.n * f.d * sizeof(double));
        assert_memory_equal(yo, f.y, f.n * sizeof(int));
        for (size_t s = f.n; s < no; s++) {
            assert_int_equal(yo[s], minority);
            /* Find (i, j) with j among imblearn's 5 neighbours of i and s on [x_i, x_j]. The
             * point is x_i + u (x_j - x_i) rounded once per coordinate (|error| <= eps |x|), and
             * the residual is recomputed in double: allow 1e-12 times the coordinate scale. */
            const double *xs = xo + s * f.d;
            int found = 0;
            for (size_t r = 0; r < f.nn_m && !found; r++) {
                const double *xi = f.x + f.nn_row[r] * f.d;
                for (size_t q = 0; q < f.nn_k && !found; q++) {
                    const double *xj = f.x + f.nn[r * f.nn_k + q] * f.d;
                    double u;
                    double res = seg_residual(xs, xi, xj, f.d, &u);
                    double tol = 1e-12 * (1.0 + row_norm(xi, f.d) + row_norm(xj, f.d));
                    if (res <= tol && u >= -1e-12 && u <= 1.0 + 1e-12)
                        found = 1;
                }
            }
            if (!found)
                fail_msg("%s: synthetic row %zu is on no minority-neighbour segment", f.name, s);
        }
        as_free(xo);
        as_free(yo);
        rs_fixture_free(&f);
    }
    assert_false(bad);
    assert_true(used >= 4);
    fclose(fp);
}

static void smote_mean_should_match_its_closed_form(void **state)
{
    (void)state;
    /* E[new] = 1/(m k) sum_i sum_{j in N(i)} (x_i + x_j)/2 per feature, with N(i) imblearn's
     * neighbour sets. Over N new points the sample mean has standard error
     * sigma_c/sqrt(N) with sigma_c <= half the feature's range; 5 standard errors allowed. */
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad;
    assert_true(rs_fixture_next(fp, &f, &bad)); /* overlap2d */
    rs_fixture_free(&f);
    assert_true(rs_fixture_next(fp, &f, &bad)); /* imb5d */
    fclose(fp);
    size_t d = f.d, m = f.nn_m, k = f.nn_k;
    double *expect = calloc(d, sizeof(double)), *sum = calloc(d, sizeof(double));
    double *lo = malloc(d * sizeof(double)), *hi = malloc(d * sizeof(double));
    for (size_t c = 0; c < d; c++)
        lo[c] = INFINITY, hi[c] = -INFINITY;
    for (size_t r = 0; r < m; r++)
        for (size_t q = 0; q < k; q++)
            for (size_t c = 0; c < d; c++) {
                double a = f.x[f.nn_row[r] * d + c], b = f.x[f.nn[r * k + q] * d + c];
                expect[c] += 0.5 * (a + b) / (double)(m * k);
                lo[c] = fmin(lo[c], fmin(a, b));
                hi[c] = fmax(hi[c], fmax(a, b));
            }
    size_t total = 0;
    for (uint64_t rep = 0; rep < 40; rep++) {
        as_rng rng;
        as_rng_stream(&rng, 11, rep);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_smote(f.x, f.y, f.n, d, 5, &rng, &xo, &yo, &no), AS_OK);
        for (size_t s = f.n; s < no; s++, total++)
            for (size_t c = 0; c < d; c++)
                sum[c] += xo[s * d + c];
        as_free(xo);
        as_free(yo);
    }
    for (size_t c = 0; c < d; c++) {
        double se = 0.5 * (hi[c] - lo[c]) / sqrt((double)total);
        assert_true(fabs(sum[c] / (double)total - expect[c]) < 5.0 * se);
    }
    free(expect), free(sum), free(lo), free(hi);
    rs_fixture_free(&f);
}

static void smote_should_work_when_label_zero_is_the_minority(void **state)
{
    (void)state;
    const double x[] = {0.1, 0.2, 0.4, 1.5, 1.6, 1.7, 1.8, 1.9};
    const int y[] = {0, 0, 0, 1, 1, 1, 1, 1};
    as_rng rng;
    as_rng_seed(&rng, 3);
    double *xo = NULL;
    int *yo = NULL;
    size_t no = 0;
    assert_int_equal(as_smote(x, y, 8, 1, 2, &rng, &xo, &yo, &no), AS_OK);
    assert_int_equal(no, 10);
    for (size_t s = 8; s < 10; s++) {
        assert_int_equal(yo[s], 0);
        assert_true(xo[s] >= 0.1 && xo[s] <= 0.4);
    }
    as_free(xo);
    as_free(yo);
}

static void smote_should_copy_balanced_data(void **state)
{
    (void)state;
    const double x[] = {0.1, 0.2, 0.4, 1.5};
    const int y[] = {0, 1, 1, 0};
    double *xo = NULL;
    int *yo = NULL;
    size_t no = 0;
    /* k = 5 >= minority count would fail, but nothing is generated (imblearn skips too) */
    assert_int_equal(as_smote(x, y, 4, 1, 5, NULL, &xo, &yo, &no), AS_OK);
    assert_int_equal(no, 4);
    assert_memory_equal(xo, x, sizeof x);
    assert_memory_equal(yo, y, sizeof y);
    as_free(xo);
    as_free(yo);
}

static void smote_should_be_deterministic_for_a_seed(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 1);
    size_t n = 300, d = 4;
    double *x = malloc(n * d * sizeof(double));
    int *y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        y[i] = i % 9 == 0;
        for (size_t c = 0; c < d; c++)
            x[i * d + c] = as_rng_normal(&rng) + y[i];
    }
    double *a = NULL, *b = NULL, *c2 = NULL;
    int *ya = NULL, *yb = NULL, *yc = NULL;
    size_t na, nb, nc;
    as_rng r1, r2, r3;
    as_rng_seed(&r1, 42);
    as_rng_seed(&r2, 42);
    as_rng_seed(&r3, 43);
    assert_int_equal(as_smote(x, y, n, d, 5, &r1, &a, &ya, &na), AS_OK);
    assert_int_equal(as_smote(x, y, n, d, 5, &r2, &b, &yb, &nb), AS_OK);
    assert_int_equal(as_smote(x, y, n, d, 5, &r3, &c2, &yc, &nc), AS_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * d * sizeof(double));
    assert_true(memcmp(a + n * d, c2 + n * d, (na - n) * d * sizeof(double)) != 0);
    as_free(a), as_free(b), as_free(c2), as_free(ya), as_free(yb), as_free(yc);
    free(x), free(y);
}

static void smote_should_reject_k_not_below_the_minority_count(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5};
    const int y3[] = {1, 1, 1, 0, 0, 0, 0, 0}, y1[] = {0, 0, 0, 1, 0, 0, 0, 0},
              y0[] = {0, 0, 0, 0, 0, 0, 0, 0}, ybad[] = {0, 0, -1, 1, 0, 0, 0, 0};
    as_rng rng;
    as_rng_seed(&rng, 1);
    double *xo = (double *)x;
    int *yo = (int *)y3;
    size_t no = 9;
    assert_int_equal(as_smote(x, y3, 8, 1, 5, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_string_equal(as_errmsg(), "SMOTE needs k=5 < number of minority samples (3)");
    assert_null(xo);
    assert_null(yo);
    assert_int_equal(no, 0);
    assert_int_equal(as_smote(x, y3, 8, 1, 3, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_int_equal(as_smote(x, y3, 8, 1, 2, &rng, &xo, &yo, &no), AS_OK); /* k = m - 1 */
    as_free(xo), as_free(yo);
    assert_int_equal(as_smote(x, y1, 8, 1, 1, &rng, &xo, &yo, &no), AS_EINVAL); /* one sample */
    assert_string_equal(as_errmsg(), "SMOTE needs k=1 < number of minority samples (1)");
    assert_int_equal(as_smote(x, y3, 8, 1, 0, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "k=0"));
    assert_int_equal(as_smote(x, y0, 8, 1, 5, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "both classes"));
    assert_int_equal(as_smote(x, ybad, 8, 1, 1, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "y[2] = -1"));
    assert_int_equal(as_smote(x, y3, 8, 1, 2, NULL, &xo, &yo, &no), AS_EINVAL);
    assert_int_equal(as_smote(x, y3, 0, 1, 2, &rng, &xo, &yo, &no), AS_EINVAL);
    assert_null(xo);
}

static void smote_should_fail_cleanly_on_every_allocation(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5};
    const int y[] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    for (size_t k = 1;; k++) {
        as_rng rng;
        as_rng_seed(&rng, 1);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        as_alloc_fail_after(k);
        as_status st = as_smote(x, y, 10, 1, 2, &rng, &xo, &yo, &no);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            assert_true(k > 5);
            as_free(xo);
            as_free(yo);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(xo);
        assert_null(yo);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smote_should_place_new_points_on_segments_between_minority_neighbours),
        cmocka_unit_test(smote_mean_should_match_its_closed_form),
        cmocka_unit_test(smote_should_work_when_label_zero_is_the_minority),
        cmocka_unit_test(smote_should_copy_balanced_data),
        cmocka_unit_test(smote_should_be_deterministic_for_a_seed),
        cmocka_unit_test(smote_should_reject_k_not_below_the_minority_count),
        cmocka_unit_test(smote_should_fail_cleanly_on_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
