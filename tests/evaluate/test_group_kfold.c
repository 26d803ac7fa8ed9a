/* as_stratified_group_kfold: groups stay whole, classes spread over the folds, the assignment
 * depends only on the seed, and impossible requests are refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "alloyscout/evaluate.h"

enum { N = 600, G = 150, K = 5 };

static void make(int *y, size_t *group)
{
    as_rng r;
    as_rng_seed(&r, 2385);
    for (size_t i = 0; i < N; i++) {
        group[i] = as_rng_below(&r, G);
        /* a group's rows lean to one class, as records of one alloy do */
        y[i] = as_rng_uniform(&r) < (group[i] % 3 == 0 ? 0.8 : 0.2);
    }
}

static void groups_should_never_be_split_and_classes_should_spread(void **state)
{
    (void)state;
    int y[N];
    size_t group[N], fold[N], gf[G];
    make(y, group);
    as_rng r;
    as_rng_seed(&r, 7);
    assert_int_equal(as_stratified_group_kfold(y, group, N, G, K, &r, fold), AS_OK);
    for (size_t g = 0; g < G; g++)
        gf[g] = SIZE_MAX;
    size_t pos[K] = {0}, all[K] = {0}, tot_pos = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true(fold[i] < K);
        if (gf[group[i]] == SIZE_MAX)
            gf[group[i]] = fold[i];
        assert_int_equal(gf[group[i]], fold[i]); /* one fold per group */
        pos[fold[i]] += y[i] == 1;
        all[fold[i]]++;
        tot_pos += y[i] == 1;
    }
    /* each fold holds a fifth of each class to within the largest group (<= 12 rows here) */
    for (size_t f = 0; f < K; f++) {
        double want_pos = tot_pos / (double)K, want_neg = (N - tot_pos) / (double)K;
        assert_true(pos[f] > want_pos - 12 && pos[f] < want_pos + 12);
        assert_true(all[f] - pos[f] > want_neg - 12 && all[f] - pos[f] < want_neg + 12);
    }
}

static void the_same_seed_should_give_the_same_folds(void **state)
{
    (void)state;
    int y[N];
    size_t group[N], f1[N], f2[N], f3[N];
    make(y, group);
    as_rng a, b, c;
    as_rng_seed(&a, 5);
    as_rng_seed(&b, 5);
    as_rng_seed(&c, 6);
    assert_int_equal(as_stratified_group_kfold(y, group, N, G, K, &a, f1), AS_OK);
    assert_int_equal(as_stratified_group_kfold(y, group, N, G, K, &b, f2), AS_OK);
    assert_int_equal(as_stratified_group_kfold(y, group, N, G, K, &c, f3), AS_OK);
    assert_memory_equal(f1, f2, sizeof f1);
    assert_true(memcmp(f1, f3, sizeof f1) != 0);
}

static void too_few_groups_should_be_refused(void **state)
{
    (void)state;
    int y[6] = {0, 1, 0, 1, 0, 1};
    size_t group[6] = {0, 0, 1, 1, 2, 2}, fold[6];
    as_rng r;
    as_rng_seed(&r, 1);
    assert_int_equal(as_stratified_group_kfold(y, group, 6, 3, 4, &r, fold), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "3 groups cannot fill 4 folds"));
    int y2[6] = {1, 1, 0, 0, 0, 0}; /* all positives in one group: a fold lacks them */
    assert_int_equal(as_stratified_group_kfold(y2, group, 6, 3, 3, &r, fold), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "no positive row"));
    assert_int_equal(as_stratified_group_kfold(y, group, 6, 3, 1, &r, fold), AS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(groups_should_never_be_split_and_classes_should_spread),
        cmocka_unit_test(the_same_seed_should_give_the_same_folds),
        cmocka_unit_test(too_few_groups_should_be_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
