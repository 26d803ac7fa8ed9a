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
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 4000, 0.95, &r, &lo, &hi, &skipped),
                     AS_OK);
    assert_int_equal(skipped, 0);
    assert_true(fabs(lo - rci[0]) < 0.01 && fabs(hi - rci[1]) < 0.01);
    assert_true(lo < auc && auc < hi);
    as_rng_stream(&r, 1, 0);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 4000, 0.95, &r, &lo2, &hi2, NULL),
                     AS_OK);
    assert_true(lo == lo2 && hi == hi2);
    as_rng_stream(&r, 2, 0);
    assert_int_equal(as_bootstrap_auc_ci(s, y, g, n, (size_t)ng, 4000, 0.95, &r, &glo, &ghi, NULL),
                     AS_OK);
    assert_true(fabs(glo - gci[0]) < 0.01 && fabs(ghi - gci[1]) < 0.01);
    assert_true(ghi - glo > hi - lo);

    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 0, 0.95, &r, &lo, &hi, NULL), AS_EINVAL);
    assert_int_equal(as_bootstrap_auc_ci(s, y, NULL, n, 0, 10, 1.0, &r, &lo, &hi, NULL), AS_EINVAL);
    g[3] = 99;
    assert_int_equal(as_bootstrap_auc_ci(s, y, g, n, (size_t)ng, 10, 0.95, &r, &lo, &hi, NULL),
                     AS_EINVAL);
    free(s), free(yd), free(gd), free(y), free(g);
    as_json_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bootstrap_should_match_numpy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
