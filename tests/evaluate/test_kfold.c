/* evaluate: stratified k-fold assignment. Claims: class counts per fold differ by at most one
 * (and so do fold sizes), the same seed gives the same folds, errors name their cause. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "alloyscout/evaluate.h"

#define NMAX 500

/* Check that for every class in y, and for all rows together, the fold counts differ by <= 1. */
static void assert_balanced(const int *y, size_t n, size_t k, const size_t *fold)
{
    size_t cnt[8][16], tot[16];
    memset(cnt, 0, sizeof cnt);
    memset(tot, 0, sizeof tot);
    for (size_t i = 0; i < n; i++) {
        assert_true(fold[i] < k);
        assert_true(y[i] >= 0 && y[i] < 8);
        cnt[y[i]][fold[i]]++;
        tot[fold[i]]++;
    }
    for (int c = 0; c < 8; c++) {
        size_t lo = (size_t)-1, hi = 0;
        for (size_t f = 0; f < k; f++) {
            lo = cnt[c][f] < lo ? cnt[c][f] : lo;
            hi = cnt[c][f] > hi ? cnt[c][f] : hi;
        }
        assert_true(hi - lo <= 1);
    }
    size_t lo = (size_t)-1, hi = 0;
    for (size_t f = 0; f < k; f++) {
        lo = tot[f] < lo ? tot[f] : lo;
        hi = tot[f] > hi ? tot[f] : hi;
    }
    assert_true(hi - lo <= 1);
}

static void kfold_class_counts_should_differ_by_at_most_one_between_folds(void **state)
{
    (void)state;
    static int y[NMAX];
    static size_t fold[NMAX];
    as_rng r;
    as_rng_seed(&r, 2385);
    /* many sizes, imbalances and k, including three classes */
    for (size_t trial = 0; trial < 200; trial++) {
        size_t k = 2 + as_rng_below(&r, 9);
        size_t n_cls = 2 + as_rng_below(&r, 2);
        size_t n = k * n_cls + as_rng_below(&r, NMAX - k * n_cls);
        /* k members of every class first, then imbalanced: 17 % class 1, the rest class 0
         * (two classes) or class 2 (three classes) */
        int rest = n_cls == 3 ? 2 : 0;
        for (size_t i = 0; i < n; i++) {
            if (i < k * n_cls)
                y[i] = (int)(i % n_cls);
            else
                y[i] = as_rng_uniform(&r) < 0.17 ? 1 : rest;
        }
        as_rng fr;
        as_rng_stream(&fr, 7, trial);
        assert_int_equal(as_stratified_kfold(y, n, k, &fr, fold), AS_OK);
        assert_balanced(y, n, k, fold);
    }
}

static void kfold_should_give_identical_folds_for_the_same_seed(void **state)
{
    (void)state;
    int y[103];
    size_t f1[103], f2[103], f3[103];
    for (size_t i = 0; i < 103; i++)
        y[i] = (i * 7) % 5 == 0;
    as_rng a, b, c;
    as_rng_stream(&a, 11, 0);
    as_rng_stream(&b, 11, 0);
    as_rng_stream(&c, 12, 0);
    assert_int_equal(as_stratified_kfold(y, 103, 5, &a, f1), AS_OK);
    assert_int_equal(as_stratified_kfold(y, 103, 5, &b, f2), AS_OK);
    assert_int_equal(as_stratified_kfold(y, 103, 5, &c, f3), AS_OK);
    assert_memory_equal(f1, f2, sizeof f1);
    assert_true(memcmp(f1, f3, sizeof f1) != 0);
}

static void kfold_should_refuse_fewer_than_two_folds_or_a_class_smaller_than_k(void **state)
{
    (void)state;
    int y[10] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
    size_t fold[10];
    as_rng r;
    as_rng_seed(&r, 1);
    assert_int_equal(as_stratified_kfold(y, 10, 1, &r, fold), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "at least 2"));
    assert_int_equal(as_stratified_kfold(y, 10, 4, &r, fold), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "class 1 has 3 members, fewer than k = 4"));
    assert_int_equal(as_stratified_kfold(y, 10, 3, &r, fold), AS_OK);
    assert_balanced(y, 10, 3, fold);
}

static void kfold_should_fail_cleanly_when_any_allocation_fails(void **state)
{
    (void)state;
    int y[12] = {0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0};
    size_t fold[12];
    for (size_t k = 1; k <= 3; k++) {
        as_rng r;
        as_rng_seed(&r, 3);
        as_alloc_fail_after(k);
        as_status st = as_stratified_kfold(y, 12, 3, &r, fold);
        as_alloc_fail_after(0);
        assert_int_equal(st, k <= 2 ? AS_ENOMEM : AS_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kfold_class_counts_should_differ_by_at_most_one_between_folds),
        cmocka_unit_test(kfold_should_give_identical_folds_for_the_same_seed),
        cmocka_unit_test(kfold_should_refuse_fewer_than_two_folds_or_a_class_smaller_than_k),
        cmocka_unit_test(kfold_should_fail_cleanly_when_any_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
