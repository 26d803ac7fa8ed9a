/* resample: the k-d tree against an independent reference (every candidate sorted by
 * (squared distance, index) with qsort) and against the brute-force kernel, including exact ties,
 * duplicates, tiny trees, the exclusion of one index, and error and allocation-failure paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/resample.h"

typedef struct {
    double d2;
    size_t i;
} cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->d2 != b->d2)
        return a->d2 < b->d2 ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Reference: all candidates except `exclude`, distance summed in index order, sorted by
 * (d2, index); the first k. */
static void ref_knn(const double *x, size_t n, size_t d, const double *q, size_t k, size_t exclude,
                    size_t *idx, double *d2)
{
    cand *c = malloc(n * sizeof *c);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == exclude)
            continue;
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += (q[j] - x[i * d + j]) * (q[j] - x[i * d + j]);
        c[m].d2 = s;
        c[m].i = i;
        m++;
    }
    qsort(c, m, sizeof *c, cand_cmp);
    for (size_t r = 0; r < k; r++) {
        idx[r] = c[r].i;
        d2[r] = c[r].d2;
    }
    free(c);
}

/* Compare tree, brute force and reference for every row as query (excluded) and for `extra`
 * random off-data queries (nothing excluded). */
static void check_all(const double *x, size_t n, size_t d, size_t k, size_t extra, as_rng *rng)
{
    as_kdtree *t = NULL;
    assert_int_equal(as_kdtree_build(x, n, d, &t), AS_OK);
    assert_int_equal(as_kdtree_size(t), n);
    assert_int_equal(as_kdtree_dim(t), d);
    size_t *it = malloc((k + 1) * sizeof(size_t)), *ib = malloc((k + 1) * sizeof(size_t)),
           *ir = malloc((k + 1) * sizeof(size_t));
    double *dt = malloc((k + 1) * sizeof(double)), *db = malloc((k + 1) * sizeof(double)),
           *dr = malloc((k + 1) * sizeof(double)), *q = malloc(d * sizeof(double));
    /* Every point at once (as_kdtree_knn_self) must give the same answers as one query each. */
    int self = n >= 2 && k < n;
    size_t *sa = malloc((self ? n * k : 1) * sizeof(size_t));
    double *sd = malloc((self ? n * k : 1) * sizeof(double));
    if (self)
        assert_int_equal(as_kdtree_knn_self(t, k, sa, sd), AS_OK);
    for (size_t r = 0; r < n + extra; r++) {
        size_t ex = AS_KNN_NO_EXCLUDE, kk = k;
        if (r < n) {
            memcpy(q, x + r * d, d * sizeof(double));
            ex = r;
        } else {
            for (size_t j = 0; j < d; j++)
                q[j] = x[as_rng_below(rng, n) * d + j] + as_rng_normal(rng);
            kk = k + 1 <= n ? k + 1 : n;
        }
        assert_int_equal(as_kdtree_knn(t, q, kk, ex, it, dt), AS_OK);
        assert_int_equal(as_knn_brute(x, n, d, q, kk, ex, ib, db), AS_OK);
        ref_knn(x, n, d, q, kk, ex, ir, dr);
        for (size_t j = 0; j < kk; j++) {
            assert_int_equal(it[j], ir[j]);
            assert_int_equal(ib[j], ir[j]);
            assert_true(dt[j] == dr[j] && db[j] == dr[j]); /* same summation order: bitwise */
            if (self && r < n) {
                assert_int_equal(sa[r * k + j], ir[j]);
                assert_true(sd[r * k + j] == dr[j]);
            }
        }
    }
    free(sa);
    free(sd);
    free(it), free(ib), free(ir), free(dt), free(db), free(dr), free(q);
    as_kdtree_free(t);
}

static void kdtree_should_match_sorted_reference_on_random_points(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 2385);
    const size_t ns[] = {1, 2, 15, 16, 17, 33, 300, 700};
    const size_t ds[] = {1, 2, 3, 15, 20};
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof ds / sizeof *ds; b++) {
            size_t n = ns[a], d = ds[b];
            double *x = malloc(n * d * sizeof(double));
            for (size_t i = 0; i < n * d; i++)
                x[i] = 2.385 * as_rng_normal(&rng) + (double)(i % d);
            if (n >= 2) {
                check_all(x, n, d, 1, 20, &rng);
                check_all(x, n, d, n - 1 < 5 ? n - 1 : 5, 20, &rng);
                if (n <= 33)
                    check_all(x, n, d, n - 1, 0, &rng); /* k = every other point */
            } else { /* a single point: found when not excluded */
                as_kdtree *t = NULL;
                size_t idx;
                double d2;
                assert_int_equal(as_kdtree_build(x, n, d, &t), AS_OK);
                assert_int_equal(as_kdtree_knn(t, x, 1, AS_KNN_NO_EXCLUDE, &idx, &d2), AS_OK);
                assert_true(idx == 0 && d2 == 0.0);
                as_kdtree_free(t);
            }
            free(x);
        }
}

static void kdtree_should_break_distance_ties_by_lower_index(void **state)
{
    (void)state;
    /* Integer lattice points with duplicates: many exactly equal squared distances. */
    as_rng rng;
    as_rng_seed(&rng, 7);
    size_t n = 400, d = 3;
    double *x = malloc(n * d * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = (i % 7 == 3) ? x[(i - 1) * d + j] : (double)as_rng_below(&rng, 6) * 0.5;
    check_all(x, n, d, 1, 30, &rng);
    check_all(x, n, d, 8, 30, &rng);
    free(x);

    /* Closed form: q at the origin, four points at distance 1, the lowest indices win. */
    const double y[] = {0, 1, 1, 0, 0, -1, -1, 0, 0, 0};
    as_kdtree *t = NULL;
    size_t idx[3];
    double d2[3];
    assert_int_equal(as_kdtree_build(y, 5, 2, &t), AS_OK);
    assert_int_equal(as_kdtree_knn(t, y + 8, 3, 4, idx, d2), AS_OK);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    assert_true(d2[0] == 1.0 && d2[2] == 1.0);
    as_kdtree_free(t);
}

static void kdtree_should_handle_all_points_identical(void **state)
{
    (void)state;
    size_t n = 100, d = 4;
    double *x = malloc(n * d * sizeof(double));
    for (size_t i = 0; i < n * d; i++)
        x[i] = 2.385;
    as_kdtree *t = NULL;
    size_t idx[5];
    double d2[5];
    assert_int_equal(as_kdtree_build(x, n, d, &t), AS_OK);
    assert_int_equal(as_kdtree_knn(t, x, 5, 1, idx, d2), AS_OK);
    const size_t want[] = {0, 2, 3, 4, 5};
    for (int j = 0; j < 5; j++) {
        assert_int_equal(idx[j], want[j]);
        assert_true(d2[j] == 0.0);
    }
    as_kdtree_free(t);
    free(x);
}

static void kdtree_should_keep_its_own_copy_of_the_points(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 99);
    size_t n = 200, d = 5;
    double *x = malloc(n * d * sizeof(double)), *keep = malloc(n * d * sizeof(double));
    for (size_t i = 0; i < n * d; i++)
        keep[i] = x[i] = as_rng_normal(&rng);
    as_kdtree *t = NULL;
    assert_int_equal(as_kdtree_build(x, n, d, &t), AS_OK);
    for (size_t i = 0; i < n * d; i++)
        x[i] = 1e6; /* clobber the caller's array */
    size_t it[3], ib[3];
    double dt[3], db[3];
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(as_kdtree_knn(t, keep + r * d, 3, r, it, dt), AS_OK);
        assert_int_equal(as_knn_brute(keep, n, d, keep + r * d, 3, r, ib, db), AS_OK);
        assert_memory_equal(it, ib, sizeof it);
    }
    as_kdtree_free(t);
    free(x);
    free(keep);
}

static void kdtree_should_reject_bad_arguments(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5};
    as_kdtree *t = (as_kdtree *)x; /* must be reset to NULL on failure */
    size_t idx[4];
    double d2[4];
    assert_int_equal(as_kdtree_build(x, 0, 2, &t), AS_EINVAL);
    assert_null(t);
    assert_int_equal(as_kdtree_build(x, 3, 0, &t), AS_EINVAL);
    double bad[] = {0.5, NAN, 2.5, 3.5};
    assert_int_equal(as_kdtree_build(bad, 2, 2, &t), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "point 0 coordinate 1"));
    assert_null(t);
    assert_int_equal(as_kdtree_build(x, 3, 2, &t), AS_OK);
    assert_int_equal(as_kdtree_knn(t, x, 0, AS_KNN_NO_EXCLUDE, idx, d2), AS_EINVAL);
    assert_int_equal(as_kdtree_knn(t, x, 3, 0, idx, d2), AS_EINVAL); /* only 2 eligible */
    assert_non_null(strstr(as_errmsg(), "k=3"));
    assert_int_equal(as_kdtree_knn(t, x, 3, AS_KNN_NO_EXCLUDE, idx, d2), AS_OK);
    assert_int_equal(as_kdtree_knn(t, bad, 1, AS_KNN_NO_EXCLUDE, idx, d2), AS_EINVAL);
    assert_int_equal(as_kdtree_knn(t, x, 1, AS_KNN_NO_EXCLUDE, idx, NULL), AS_EINVAL);
    assert_int_equal(as_kdtree_knn(NULL, x, 1, AS_KNN_NO_EXCLUDE, idx, d2), AS_EINVAL);
    assert_int_equal(as_knn_brute(x, 3, 2, x, 4, AS_KNN_NO_EXCLUDE, idx, d2), AS_EINVAL);
    assert_int_equal(as_knn_brute(x, 0, 2, x, 1, AS_KNN_NO_EXCLUDE, idx, d2), AS_EINVAL);
    assert_int_equal(as_kdtree_knn_self(t, 3, idx, d2), AS_EINVAL); /* k must be < n */
    assert_int_equal(as_kdtree_knn_self(t, 0, idx, d2), AS_EINVAL);
    assert_int_equal(as_kdtree_knn_self(t, 2, idx, NULL), AS_EINVAL);
    as_kdtree_free(t);
    as_kdtree_free(NULL);
}

static void kdtree_should_fail_cleanly_on_every_allocation(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 5);
    size_t n = 100, d = 3;
    double *x = malloc(n * d * sizeof(double));
    for (size_t i = 0; i < n * d; i++)
        x[i] = as_rng_normal(&rng);
    for (size_t k = 1;; k++) {
        as_kdtree *t = NULL;
        as_alloc_fail_after(k);
        as_status st = as_kdtree_build(x, n, d, &t);
        size_t idx[200];
        double d2[200];
        if (st != AS_OK) {
            as_alloc_fail_after(0);
            assert_int_equal(st, AS_ENOMEM);
            assert_null(t);
            continue;
        }
        st = as_kdtree_knn_self(t, 2, idx, d2);
        as_alloc_fail_after(0);
        as_kdtree_free(t);
        if (st == AS_OK) {
            assert_true(k > 8);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
    }
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kdtree_should_match_sorted_reference_on_random_points),
        cmocka_unit_test(kdtree_should_break_distance_ties_by_lower_index),
        cmocka_unit_test(kdtree_should_handle_all_points_identical),
        cmocka_unit_test(kdtree_should_keep_its_own_copy_of_the_points),
        cmocka_unit_test(kdtree_should_reject_bad_arguments),
        cmocka_unit_test(kdtree_should_fail_cleanly_on_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
