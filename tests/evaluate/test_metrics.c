/* evaluate: ROC AUC, ROC curve, average precision and the threshold metrics against
 * scikit-learn 1.2 (tests/fixtures/eval_ref.json, made by tests/fixtures/eval_ref.py; scores
 * rounded to one decimal so that many tie), plus error paths and allocation failures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/evaluate.h"
#include "json_int.h"

/* sklearn computes the same quantities from the same integer counts in a different order
 * (np.trapz over normalised rates, np.sum of products); the results differ by a few ulps of
 * values <= 1, far below 1e-12. */
#define TOL 1e-12

static as_json *load_fixture(void)
{
    as_json *j = NULL;
    as_status st = as_json_read_file(AS_SOURCE_DIR "/tests/fixtures/eval_ref.json", &j);
    if (st != AS_OK)
        fail_msg("cannot read the fixture: %s", as_errmsg());
    return j;
}

typedef struct {
    size_t n;
    int y[512];
    double s[512];
} as_case;

static void read_case(const as_json *c, as_case *k)
{
    const as_json *y = as_json_get(c, "y"), *s = as_json_get(c, "score");
    k->n = as_json_size(y);
    assert_true(k->n > 0 && k->n <= 512);
    assert_int_equal(as_json_size(s), k->n);
    for (size_t i = 0; i < k->n; i++) {
        k->y[i] = (int)as_json_number(as_json_at(y, i));
        k->s[i] = as_json_number(as_json_at(s, i));
    }
}

static int is_null(const as_json *c, const char *key)
{
    const as_json *v = as_json_get(c, key);
    return v && !as_json_is_number(v) && as_json_size(v) == 0;
}

static double num(const as_json *c, const char *key)
{
    double v;
    assert_int_equal(as_json_get_num(c, key, "fixture", &v), AS_OK);
    return v;
}

static void roc_auc_should_equal_sklearn_roc_auc_score_with_tied_scores(void **state)
{
    (void)state;
    as_json *j = load_fixture();
    const as_json *cases = as_json_get(j, "cases");
    size_t checked = 0;
    for (size_t c = 0; c < as_json_size(cases); c++) {
        const as_json *cj = as_json_at(cases, c);
        if (is_null(cj, "auc"))
            continue;
        as_case k;
        read_case(cj, &k);
        double auc = -1;
        assert_int_equal(as_roc_auc(k.s, k.y, k.n, &auc), AS_OK);
        assert_true(fabs(auc - num(cj, "auc")) <= TOL);
        checked++;
    }
    assert_true(checked >= 8);
    as_json_free(j);
}

static void roc_curve_should_equal_sklearn_roc_curve_without_dropping_points(void **state)
{
    (void)state;
    as_json *j = load_fixture();
    const as_json *cases = as_json_get(j, "cases");
    for (size_t c = 0; c < as_json_size(cases); c++) {
        const as_json *cj = as_json_at(cases, c);
        if (is_null(cj, "fpr"))
            continue;
        as_case k;
        read_case(cj, &k);
        double *fpr, *tpr, *thr;
        size_t np;
        assert_int_equal(as_roc_curve(k.s, k.y, k.n, &fpr, &tpr, &thr, &np), AS_OK);
        const as_json *F = as_json_get(cj, "fpr"), *T = as_json_get(cj, "tpr"),
                      *H = as_json_get(cj, "thr");
        assert_int_equal(np, as_json_size(F));
        for (size_t i = 0; i < np; i++) {
            assert_true(fabs(fpr[i] - as_json_number(as_json_at(F, i))) <= TOL);
            assert_true(fabs(tpr[i] - as_json_number(as_json_at(T, i))) <= TOL);
            assert_true(thr[i] == as_json_number(as_json_at(H, i)));
        }
        as_free(fpr);
        as_free(tpr);
        as_free(thr);
    }
    as_json_free(j);
}

static void average_precision_should_equal_sklearn_average_precision_score(void **state)
{
    (void)state;
    as_json *j = load_fixture();
    const as_json *cases = as_json_get(j, "cases");
    for (size_t c = 0; c < as_json_size(cases); c++) {
        const as_json *cj = as_json_at(cases, c);
        if (is_null(cj, "ap"))
            continue;
        as_case k;
        read_case(cj, &k);
        double ap = -1;
        assert_int_equal(as_average_precision(k.s, k.y, k.n, &ap), AS_OK);
        assert_true(fabs(ap - num(cj, "ap")) <= TOL);
    }
    as_json_free(j);
}

static void threshold_metrics_should_equal_sklearn_with_zero_division_zero(void **state)
{
    (void)state;
    as_json *j = load_fixture();
    const as_json *cases = as_json_get(j, "cases");
    for (size_t c = 0; c < as_json_size(cases); c++) {
        const as_json *cj = as_json_at(cases, c);
        as_case k;
        read_case(cj, &k);
        as_metrics m;
        assert_int_equal(as_metrics_binary(k.s, k.y, k.n, 0.5, &m), AS_OK);
        assert_int_equal(m.tn, (size_t)num(cj, "tn"));
        assert_int_equal(m.fp, (size_t)num(cj, "fp"));
        assert_int_equal(m.fn, (size_t)num(cj, "fn"));
        assert_int_equal(m.tp, (size_t)num(cj, "tp"));
        assert_true(fabs(m.accuracy - num(cj, "accuracy")) <= TOL);
        assert_true(fabs(m.balanced_accuracy - num(cj, "balanced_accuracy")) <= TOL);
        assert_true(fabs(m.precision - num(cj, "precision")) <= TOL);
        assert_true(fabs(m.recall - num(cj, "recall")) <= TOL);
        assert_true(fabs(m.f1 - num(cj, "f1")) <= TOL);
        assert_true(fabs(m.mcc - num(cj, "mcc")) <= TOL);
        assert_true(fabs(m.brier - num(cj, "brier")) <= TOL);
        if (is_null(cj, "auc"))
            assert_true(isnan(m.auc));
        else
            assert_true(fabs(m.auc - num(cj, "auc")) <= TOL);
        if (is_null(cj, "ap"))
            assert_true(isnan(m.pr_auc));
        else
            assert_true(fabs(m.pr_auc - num(cj, "ap")) <= TOL);
    }
    as_json_free(j);
}

static void roc_auc_should_equal_the_mann_whitney_pair_count(void **state)
{
    (void)state;
    /* AUC = P(s+ > s-) + P(s+ = s-)/2 over all positive-negative pairs (closed form). */
    const double s[] = {2.385, -0.71, 2.385, 0.33, 1.9, 0.33, -0.71, 5.02, 0.33};
    const int y[] = {1, 0, 0, 1, 1, 0, 1, 0, 1};
    double num_pairs = 0, wins = 0;
    for (size_t i = 0; i < 9; i++)
        for (size_t k = 0; k < 9; k++)
            if (y[i] == 1 && y[k] == 0) {
                num_pairs += 1;
                wins += s[i] > s[k] ? 1.0 : s[i] == s[k] ? 0.5 : 0.0;
            }
    double auc;
    assert_int_equal(as_roc_auc(s, y, 9, &auc), AS_OK);
    assert_true(fabs(auc - wins / num_pairs) <= 4 * 2.3e-16);
}

static void ranking_metrics_should_refuse_a_single_class_or_bad_input(void **state)
{
    (void)state;
    const double s[] = {0.2, 0.7, 0.4};
    const int pos[] = {1, 1, 1}, neg[] = {0, 0, 0}, bad[] = {0, 2, 1};
    double v, *f = (double *)1, *t = (double *)1, *h = (double *)1;
    size_t np = 7;
    assert_int_equal(as_roc_auc(s, pos, 3, &v), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "only one class"));
    assert_int_equal(as_roc_auc(s, neg, 3, &v), AS_EINVAL);
    assert_int_equal(as_roc_curve(s, neg, 3, &f, &t, &h, &np), AS_EINVAL);
    assert_null(f);
    assert_null(t);
    assert_null(h);
    assert_int_equal(np, 0);
    assert_int_equal(as_average_precision(s, neg, 3, &v), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "no positive"));
    assert_int_equal(as_roc_auc(s, bad, 3, &v), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "row 1 is 2"));
    const double snan[] = {0.2, NAN, 0.4};
    const int mixed[] = {0, 1, 1};
    assert_int_equal(as_roc_auc(snan, mixed, 3, &v), AS_EINVAL);
    assert_int_equal(as_roc_auc(s, mixed, 0, &v), AS_EINVAL);
    as_metrics m;
    const double p_out[] = {0.2, 1.5, 0.4};
    assert_int_equal(as_metrics_binary(p_out, mixed, 3, 0.5, &m), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "outside [0, 1]"));
    assert_int_equal(as_metrics_binary(s, mixed, 3, NAN, &m), AS_EINVAL);
}

static void metrics_should_fail_cleanly_when_any_allocation_fails(void **state)
{
    (void)state;
    const double s[] = {0.2, 0.7, 0.4, 0.7, 0.1};
    const int y[] = {0, 1, 0, 1, 1};
    for (size_t k = 1; k < 10; k++) {
        double *f, *t, *h, v;
        size_t np;
        as_metrics m;
        as_alloc_fail_after(k);
        as_status st = as_roc_curve(s, y, 5, &f, &t, &h, &np);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            as_free(f);
            as_free(t);
            as_free(h);
        } else {
            assert_int_equal(st, AS_ENOMEM);
            assert_null(f);
        }
        as_alloc_fail_after(k);
        st = as_metrics_binary(s, y, 5, 0.5, &m);
        as_alloc_fail_after(0);
        assert_true(st == AS_OK || st == AS_ENOMEM);
        as_alloc_fail_after(k);
        st = as_average_precision(s, y, 5, &v);
        as_alloc_fail_after(0);
        assert_true(st == AS_OK || st == AS_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roc_auc_should_equal_sklearn_roc_auc_score_with_tied_scores),
        cmocka_unit_test(roc_curve_should_equal_sklearn_roc_curve_without_dropping_points),
        cmocka_unit_test(average_precision_should_equal_sklearn_average_precision_score),
        cmocka_unit_test(threshold_metrics_should_equal_sklearn_with_zero_division_zero),
        cmocka_unit_test(roc_auc_should_equal_the_mann_whitney_pair_count),
        cmocka_unit_test(ranking_metrics_should_refuse_a_single_class_or_bad_input),
        cmocka_unit_test(metrics_should_fail_cleanly_when_any_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
