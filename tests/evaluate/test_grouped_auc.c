/* as_grouped_auc against scikit-learn: roc_auc_score within each group with both classes, the
 * size-weighted and the plain mean, and the number of single-class groups, on the fixture
 * tests/fixtures/grouped_auc_ref.txt (made by grouped_auc_ref.py; scores with ties). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloyscout/evaluate.h"

static void grouped_auc_should_match_sklearn(void **state)
{
    (void)state;
    FILE *f = fopen(AS_SOURCE_DIR "/tests/fixtures/grouped_auc_ref.txt", "r");
    assert_non_null(f);
    size_t n, ng;
    assert_int_equal(fscanf(f, "%zu %zu", &n, &ng), 2);
    double *s = calloc(n, sizeof *s);
    int *y = calloc(n, sizeof *y);
    size_t *g = calloc(n, sizeof *g);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%lf %d %zu", &s[i], &y[i], &g[i]), 3);
    double rw, rm;
    size_t rd, rs;
    assert_int_equal(fscanf(f, "%lf %lf %zu %zu", &rw, &rm, &rd, &rs), 4);
    fclose(f);
    double w, m;
    size_t d, sg;
    assert_int_equal(as_grouped_auc(s, y, g, n, ng, &w, &m, &d, &sg), AS_OK);
    assert_int_equal(d, rd);
    assert_int_equal(sg, rs);
    assert_true(fabs(w - rw) <= 1e-12);
    assert_true(fabs(m - rm) <= 1e-12);
    /* a group index out of range is refused */
    g[0] = ng;
    assert_int_equal(as_grouped_auc(s, y, g, n, ng, &w, &m, &d, &sg), AS_EINVAL);
    /* no group with both classes: NAN, every group single */
    for (size_t i = 0; i < n; i++)
        g[i] = i;
    assert_int_equal(as_grouped_auc(s, y, g, n, n, &w, &m, &d, &sg), AS_OK);
    assert_true(isnan(w) && isnan(m));
    assert_int_equal(d, 0);
    assert_int_equal(sg, n);
    free(s);
    free(y);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(grouped_auc_should_match_sklearn)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
