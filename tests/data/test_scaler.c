/* Standardization against scikit-learn's StandardScaler (fixture tests/fixtures/data_scaler_ref.txt
 * made by tests/fixtures/data_scaler_ref.py), the constant-column rule, errors, JSON round trip,
 * allocation failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/alloyscout.h"
#include "data/data_int.h"

#define REF AS_SOURCE_DIR "/tests/fixtures/data_scaler_ref.txt"
#define MAXN 16
#define MAXD 8

typedef struct {
    size_t n, d, m;
    double x[MAXN * MAXD], mean[MAXD], scale[MAXD], z[MAXN * MAXD];
    double xnew[MAXN * MAXD], znew[MAXN * MAXD];
} ref_t;

static ref_t ref;

static int read_doubles(FILE *f, double *v, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (fscanf(f, "%lf", &v[i]) != 1)
            return -1;
    return 0;
}

static int load_ref(void **state)
{
    (void)state;
    FILE *f = fopen(REF, "r");
    if (!f)
        return -1;
    int c;
    while ((c = fgetc(f)) == '#') /* skip comment lines */
        while ((c = fgetc(f)) != '\n' && c != EOF)
            ;
    ungetc(c, f);
    if (fscanf(f, "%zu %zu", &ref.n, &ref.d) != 2 || ref.n > MAXN || ref.d > MAXD)
        return -1;
    int bad = read_doubles(f, ref.x, ref.n * ref.d) || read_doubles(f, ref.mean, ref.d) ||
              read_doubles(f, ref.scale, ref.d) || read_doubles(f, ref.z, ref.n * ref.d) ||
              fscanf(f, "%zu", &ref.m) != 1 || ref.m > MAXN ||
              read_doubles(f, ref.xnew, ref.m * ref.d) || read_doubles(f, ref.znew, ref.m * ref.d);
    fclose(f);
    return bad ? -1 : 0;
}

/* Summing n values in double has absolute error <= n*eps*max|x| (Higham, Accuracy and Stability,
 * 2nd ed., eq. 4.4); the mean and, through the deviations, the standard deviation inherit it.
 * Four times that bound per column covers both implementations' rounding. */
static double col_tol(size_t j)
{
    double mx = 0;
    for (size_t i = 0; i < ref.n; i++)
        mx = fmax(mx, fabs(ref.x[i * ref.d + j]));
    return 4.0 * (double)ref.n * DBL_EPSILON * mx;
}

/* |a - b| <= tol, with both values printed on failure (cmocka has no double assertion). */
#define assert_double_equal(a, b, tol) assert_close((a), (b), (tol), __LINE__)
static void assert_close(double a, double b, double tol, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("line %d: %.17g != %.17g (tolerance %.3g)\n", line, a, b, tol);
        fail();
    }
}

static char last_warning[2048];
static int n_warnings;
static void capture(as_log_level level, const char *msg, void *user)
{
    (void)user;
    if (level == AS_LOG_WARN) {
        n_warnings++;
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    }
}

static void fitted_mean_and_scale_should_match_sklearn(void **state)
{
    (void)state;
    as_scaler *s;
    n_warnings = 0;
    as_set_log(capture, NULL);
    assert_int_equal(as_scaler_fit(ref.x, ref.n, ref.d, &s), AS_OK);
    as_set_log(NULL, NULL);
    assert_int_equal(as_scaler_dim(s), ref.d);
    for (size_t j = 0; j < ref.d; j++) {
        double tol = col_tol(j);
        assert_double_equal(as_scaler_mean(s)[j], ref.mean[j], tol);
        assert_double_equal(as_scaler_scale(s)[j], ref.scale[j], tol);
    }
    /* column 2 is constant: scale exactly 1 and one warning naming it */
    assert_true(as_scaler_scale(s)[2] == 1.0);
    assert_int_equal(n_warnings, 1);
    assert_non_null(strstr(last_warning, "feature column 2 is constant"));
    as_scaler_free(s);
}

static void transform_should_match_sklearn_on_training_and_new_rows(void **state)
{
    (void)state;
    as_scaler *s;
    double x[MAXN * MAXD];
    assert_int_equal(as_scaler_fit(ref.x, ref.n, ref.d, &s), AS_OK);
    const double *src[2] = {ref.x, ref.xnew}, *want[2] = {ref.z, ref.znew};
    size_t rows[2] = {ref.n, ref.m};
    for (int k = 0; k < 2; k++) {
        memcpy(x, src[k], rows[k] * ref.d * sizeof *x);
        assert_int_equal(as_scaler_transform(s, x, rows[k], ref.d), AS_OK);
        for (size_t i = 0; i < rows[k]; i++)
            for (size_t j = 0; j < ref.d; j++) {
                /* dz <= (dmean + |z| dscale) / scale */
                double w = want[k][i * ref.d + j];
                double tol = col_tol(j) * (1.0 + fabs(w)) / ref.scale[j];
                assert_double_equal(x[i * ref.d + j], w, tol);
            }
    }
    as_scaler_free(s);
}

static void transformed_training_columns_should_have_zero_mean_and_unit_variance(void **state)
{
    (void)state;
    as_scaler *s;
    double x[MAXN * MAXD];
    memcpy(x, ref.x, ref.n * ref.d * sizeof *x);
    assert_int_equal(as_scaler_fit(x, ref.n, ref.d, &s), AS_OK);
    assert_int_equal(as_scaler_transform(s, x, ref.n, ref.d), AS_OK);
    for (size_t j = 0; j < ref.d; j++) {
        if (j == 2)
            continue; /* constant */
        double m = 0, v = 0;
        for (size_t i = 0; i < ref.n; i++)
            m += x[i * ref.d + j];
        m /= (double)ref.n;
        for (size_t i = 0; i < ref.n; i++)
            v += (x[i * ref.d + j] - m) * (x[i * ref.d + j] - m);
        v /= (double)ref.n;
        double tol = col_tol(j) / ref.scale[j] * 4.0;
        assert_double_equal(m, 0.0, tol);
        assert_double_equal(v, 1.0, 2 * tol + 1e-14);
    }
    as_scaler_free(s);
}

static void bad_inputs_should_be_rejected(void **state)
{
    (void)state;
    as_scaler *s = (as_scaler *)0x1;
    double x[4] = {1.5, 2.5, NAN, 3.5};
    assert_int_equal(as_scaler_fit(x, 0, 2, &s), AS_EINVAL);
    assert_null(s);
    assert_int_equal(as_scaler_fit(x, 2, 0, &s), AS_EINVAL);
    assert_int_equal(as_scaler_fit(x, 2, 2, &s), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "row 1, column 0 is not finite"));
    x[2] = 4.25;
    assert_int_equal(as_scaler_fit(x, 2, 2, &s), AS_OK);
    assert_int_equal(as_scaler_transform(s, x, 1, 4), AS_EDIM);
    assert_non_null(strstr(as_errmsg(), "fitted on 2 columns, given 4"));
    as_scaler_free(s);
    as_scaler_free(NULL);
}

static void scaler_should_survive_a_json_round_trip_exactly(void **state)
{
    (void)state;
    as_scaler *s, *s2;
    as_json *j, *j2;
    assert_int_equal(as_scaler_fit(ref.x, ref.n, ref.d, &s), AS_OK);
    assert_int_equal(as_scaler_to_json(s, &j), AS_OK);
    char *text = as_json_print(j);
    assert_non_null(text);
    assert_int_equal(as_json_parse(text, "scaler.json", &j2), AS_OK);
    assert_int_equal(as_scaler_from_json(j2, &s2), AS_OK);
    assert_int_equal(as_scaler_dim(s2), ref.d);
    assert_memory_equal(as_scaler_mean(s2), as_scaler_mean(s), ref.d * sizeof(double));
    assert_memory_equal(as_scaler_scale(s2), as_scaler_scale(s), ref.d * sizeof(double));
    as_free(text);
    as_json_free(j);
    as_json_free(j2);
    as_scaler_free(s);
    as_scaler_free(s2);
}

static void malformed_scaler_json_should_be_rejected_with_reason(void **state)
{
    (void)state;
    const struct {
        const char *json, *msg;
    } cases[] = {
        {"{}", "'mean' must be a non-empty array"},
        {"{\"mean\": [1, 2]}", "missing array 'scale'"},
        {"{\"mean\": [1, 2], \"scale\": [1]}", "array 'scale' has 1 values, expected 2"},
        {"{\"mean\": [1, 2], \"scale\": [1, 0]}", "scale[1] must be a finite number > 0"},
        {"{\"mean\": [1, null], \"scale\": [1, 2]}", "mean[1] is not a finite number"},
        {"{\"mean\": [1, \"a\"], \"scale\": [1, 2]}", "element 1 is not a number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_json *j;
        as_scaler *s = (as_scaler *)0x1;
        assert_int_equal(as_json_parse(cases[i].json, "bad.json", &j), AS_OK);
        assert_int_equal(as_scaler_from_json(j, &s), AS_EPARSE);
        assert_null(s);
        if (!strstr(as_errmsg(), cases[i].msg)) {
            print_error("'%s' lacks '%s'\n", as_errmsg(), cases[i].msg);
            fail();
        }
        as_json_free(j);
    }
}

static void fit_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t k;
    for (k = 1; k < 100; k++) {
        as_scaler *s = (as_scaler *)0x1;
        as_alloc_fail_after(k);
        as_status st = as_scaler_fit(ref.x, ref.n, ref.d, &s);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            as_scaler_free(s);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(s);
    }
    assert_true(k > 1 && k < 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fitted_mean_and_scale_should_match_sklearn),
        cmocka_unit_test(transform_should_match_sklearn_on_training_and_new_rows),
        cmocka_unit_test(transformed_training_columns_should_have_zero_mean_and_unit_variance),
        cmocka_unit_test(bad_inputs_should_be_rejected),
        cmocka_unit_test(scaler_should_survive_a_json_round_trip_exactly),
        cmocka_unit_test(malformed_scaler_json_should_be_rejected_with_reason),
        cmocka_unit_test(fit_should_fail_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, load_ref, NULL);
}
