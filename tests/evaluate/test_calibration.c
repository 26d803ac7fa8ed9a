/* evaluate: calibration against scikit-learn 1.2 (tests/fixtures/calibration_ref.json, made by
 * tests/fixtures/calibration_ref.py): calibration_curve(n_bins=10, "uniform") bin by bin,
 * brier_score_loss (through as_metrics_binary), the expected calibration error over those bins,
 * Platt's a and b against _sigmoid_calibration (BFGS there, Newton here: equal to 1e-4, and our
 * objective no larger), the Platt- and isotonic-calibrated probabilities of a grid against
 * CalibratedClassifierCV's formula and IsotonicRegression(out_of_bounds="clip").predict, and
 * the JSON round trip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/evaluate.h"

static as_json *fixture;

static size_t get_doubles(const as_json *c, const char *key, double **v)
{
    size_t n = as_json_size(as_json_get(c, key));
    *v = calloc(n ? n : 1, sizeof **v);
    assert_non_null(*v);
    assert_int_equal(as_json_get_doubles(c, key, "fixture", *v, n), AS_OK);
    return n;
}

static double num(const as_json *c, const char *key)
{
    double v;
    assert_int_equal(as_json_get_num(c, key, "fixture", &v), AS_OK);
    return v;
}

static void curve_ece_and_brier_should_equal_sklearn(void **state)
{
    (void)state;
    const as_json *cases = as_json_get(fixture, "cases");
    for (size_t k = 0; k < as_json_size(cases); k++) {
        const as_json *c = as_json_at(cases, k);
        double *p, *yd, *pt, *pp, *cnt;
        size_t n = get_doubles(c, "p", &p);
        get_doubles(c, "y", &yd);
        size_t nb = get_doubles(c, "prob_true", &pt);
        get_doubles(c, "prob_pred", &pp);
        get_doubles(c, "count", &cnt);
        int *y = calloc(n, sizeof *y);
        for (size_t i = 0; i < n; i++)
            y[i] = (int)yd[i];
        double t[10], q[10];
        size_t cc[10], got;
        assert_int_equal(as_calibration_curve(p, y, n, 10, t, q, cc, &got), AS_OK);
        assert_int_equal(got, nb);
        for (size_t b = 0; b < nb; b++) {
            assert_true(fabs(t[b] - pt[b]) < 1e-12);
            assert_true(fabs(q[b] - pp[b]) < 1e-12);
            assert_int_equal(cc[b], (size_t)cnt[b]);
        }
        double ece;
        assert_int_equal(as_expected_calibration_error(p, y, n, 10, &ece), AS_OK);
        assert_true(fabs(ece - num(c, "ece")) < 1e-12);
        as_metrics m;
        assert_int_equal(as_metrics_binary(p, y, n, 0.5, &m), AS_OK);
        assert_true(fabs(m.brier - num(c, "brier")) < 1e-12);
        free(p), free(yd), free(pt), free(pp), free(cnt), free(y);
    }
}

static double platt_objective(const double *p, const int *y, size_t n, double a, double b)
{
    double n1 = 0, s = 0;
    for (size_t i = 0; i < n; i++)
        n1 += y[i];
    for (size_t i = 0; i < n; i++) {
        double f = log(p[i]) - log1p(-p[i]);
        f = f > 36 ? 36 : f < -36 ? -36 : f;
        double t = y[i] ? (n1 + 1) / (n1 + 2) : 1 / ((double)n - n1 + 2);
        double P = 1 / (1 + exp(a * f + b));
        s -= t * log(P) + (1 - t) * log1p(-P);
    }
    return s;
}

static void platt_and_isotonic_should_equal_sklearn(void **state)
{
    (void)state;
    const as_json *cases = as_json_get(fixture, "cases");
    for (size_t k = 0; k < as_json_size(cases); k++) {
        const as_json *c = as_json_at(cases, k);
        double *p, *yd, *t, *pl, *iso;
        size_t n = get_doubles(c, "p", &p);
        get_doubles(c, "y", &yd);
        size_t nt = get_doubles(c, "t", &t);
        get_doubles(c, "platt_t", &pl);
        get_doubles(c, "isotonic_t", &iso);
        int *y = calloc(n, sizeof *y);
        for (size_t i = 0; i < n; i++)
            y[i] = (int)yd[i];
        double *out = calloc(nt, sizeof *out);

        as_calibrator *cp = NULL, *ci = NULL, *back = NULL;
        assert_int_equal(as_calibrator_fit(AS_CALIBRATION_PLATT, p, y, n, &cp), AS_OK);
        double a, b, ra = num(c, "platt_a"), rb = num(c, "platt_b");
        as_calibrator_platt(cp, &a, &b);
        assert_true(fabs(a - ra) < 1e-4 * (1 + fabs(ra)));
        assert_true(fabs(b - rb) < 1e-4 * (1 + fabs(rb)));
        assert_true(platt_objective(p, y, n, a, b) <= platt_objective(p, y, n, ra, rb) + 1e-9);
        as_calibrator_apply(cp, t, nt, out);
        for (size_t i = 0; i < nt; i++)
            assert_true(fabs(out[i] - pl[i]) < 1e-4);

        assert_int_equal(as_calibrator_fit(AS_CALIBRATION_ISOTONIC, p, y, n, &ci), AS_OK);
        as_calibrator_apply(ci, t, nt, out);
        for (size_t i = 0; i < nt; i++)
            assert_true(fabs(out[i] - iso[i]) < 1e-12);

        /* JSON round trip: the same probabilities bit for bit */
        for (int w = 0; w < 2; w++) {
            as_calibrator *src = w ? ci : cp;
            as_json *j = NULL;
            double *o2 = calloc(nt, sizeof *o2);
            as_calibrator_apply(src, t, nt, out);
            assert_int_equal(as_calibrator_to_json(src, &j), AS_OK);
            char *text = as_json_print(j);
            as_json *j2 = NULL;
            assert_int_equal(as_json_parse(text, "calibrator", &j2), AS_OK);
            assert_int_equal(as_calibrator_from_json(j2, "calibrator", &back), AS_OK);
            assert_int_equal(as_calibrator_method(back), as_calibrator_method(src));
            as_calibrator_apply(back, t, nt, o2);
            assert_memory_equal(out, o2, nt * sizeof *out);
            as_calibrator_free(back);
            as_json_free(j);
            as_json_free(j2);
            as_free(text);
            free(o2);
        }
        as_calibrator_free(cp);
        as_calibrator_free(ci);
        free(p), free(yd), free(t), free(pl), free(iso), free(y), free(out);
    }
}

static void bad_input_should_be_refused(void **state)
{
    (void)state;
    double p[4] = {0.1, 0.2, 1.5, 0.3};
    int y[4] = {0, 1, 0, 1}, y1[4] = {1, 1, 1, 1};
    as_calibrator *c = NULL;
    assert_int_equal(as_calibrator_fit(AS_CALIBRATION_PLATT, p, y, 4, &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "probability 2"));
    p[2] = 0.4;
    assert_int_equal(as_calibrator_fit(AS_CALIBRATION_ISOTONIC, p, y1, 4, &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "both classes"));
    as_calibration_method m;
    assert_int_equal(as_calibration_parse("beta", &m), AS_EINVAL);
    assert_int_equal(as_calibration_parse("isotonic", &m), AS_OK);
    assert_int_equal(m, AS_CALIBRATION_ISOTONIC);
    double t[10], q[10];
    size_t cc[10], got;
    assert_int_equal(as_calibration_curve(p, y, 4, 0, t, q, cc, &got), AS_EINVAL);
}

static int setup(void **state)
{
    (void)state;
    return as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/calibration_ref.json", &fixture) ==
                   AS_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    as_json_free(fixture);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(curve_ece_and_brier_should_equal_sklearn),
        cmocka_unit_test(platt_and_isotonic_should_equal_sklearn),
        cmocka_unit_test(bad_input_should_be_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
