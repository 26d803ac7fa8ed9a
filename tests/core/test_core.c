/* core: RNG streams, BLAS/LAPACK wrappers against naive references, JSON round trip,
 * atomic output files and the allocation-failure hook. */
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
#include <unistd.h>

#include "alloyscout/core.h"
#include "core_int.h"
#include "json_int.h"

static void rng_should_give_identical_streams_for_the_same_seed_and_task(void **state)
{
    (void)state;
    as_rng a, b, c;
    as_rng_stream(&a, 2385, 7);
    as_rng_stream(&b, 2385, 7);
    as_rng_stream(&c, 2385, 8);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = as_rng_u64(&a), y = as_rng_u64(&b), z = as_rng_u64(&c);
        assert_true(x == y);
        differ |= (x != z);
    }
    assert_true(differ);
}

static void rng_uniform_and_normal_should_have_the_right_moments(void **state)
{
    (void)state;
    /* With N = 200000 draws the standard error of the mean is 1/sqrt(12 N) = 6.5e-4 for U(0,1)
     * and 1/sqrt(N) = 2.2e-3 for N(0,1); 5 standard errors are allowed. */
    as_rng r;
    as_rng_seed(&r, 42);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; i++) {
        double u = as_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        su += u;
        double z = as_rng_normal(&r);
        sn += z;
        sn2 += z * z;
    }
    assert_true(fabs(su / n - 0.5) < 5 * 6.5e-4);
    assert_true(fabs(sn / n) < 5 * 2.3e-3);
    assert_true(fabs(sn2 / n - 1.0) < 5 * sqrt(2.0 / n));
    size_t counts[7] = {0};
    for (int i = 0; i < 70000; i++)
        counts[as_rng_below(&r, 7)]++;
    for (int i = 0; i < 7; i++) /* expected 10000, sd ~ 93 */
        assert_true(counts[i] > 9500 && counts[i] < 10500);
}

/* as_rng_below (and as_below_next, its fixed-n loop form) against the rule written with C's
 * division: on a copy of the same stream, reject words r >= 2^64 - 1 - (2^64 - 1) % n and return
 * r % n. 20 000 draws for each n, from 1 and powers of two to n near 2^32, and n = 2^63 + 1
 * (about half the words rejected; the quotient estimate 0 and the correction taken for every
 * r >= n) and 2^64 - 3. */
static void rng_below_should_equal_rejection_and_modulo(void **state)
{
    (void)state;
    const uint64_t ns[] = {1,
                           2,
                           3,
                           7,
                           64,
                           500,
                           1000,
                           4097,
                           65537,
                           4294967295u,
                           4294967297u,
                           ((uint64_t)1 << 62) + 12345,
                           ((uint64_t)1 << 63) + 1,
                           UINT64_MAX - 2};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        uint64_t n = ns[t], limit = UINT64_MAX - UINT64_MAX % n;
        as_rng a, b, ref;
        as_rng_seed(&a, 11 + t);
        b = ref = a;
        as_below bl = as_below_init((size_t)n);
        for (int i = 0; i < 20000; i++) {
            uint64_t r;
            do
                r = as_rng_u64(&ref);
            while (r >= limit);
            assert_int_equal(as_rng_below(&a, (size_t)n), r % n);
            assert_int_equal(as_below_next(&bl, b.s), r % n);
        }
        assert_memory_equal(a.s, ref.s, sizeof a.s);
        assert_memory_equal(b.s, ref.s, sizeof b.s);
    }
}

static void gemm_should_equal_the_naive_triple_loop(void **state)
{
    (void)state;
    enum { M = 7, K = 5, N = 3 };
    double a[K * M], b[N * K], c[M * N], ref[M * N];
    as_rng r;
    as_rng_seed(&r, 3);
    for (int i = 0; i < K * M; i++)
        a[i] = as_rng_normal(&r) * 2.385;
    for (int i = 0; i < N * K; i++)
        b[i] = as_rng_normal(&r);
    /* C = A^T B^T with A stored (K, M) and B stored (N, K) */
    as_matrix A = {K, M, M, a}, B = {N, K, K, b}, C = {M, N, N, c};
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++)
                s += a[k * M + i] * b[j * K + k];
            ref[i * N + j] = s;
        }
    assert_int_equal(as_gemm(1, 1, 1.0, &A, &B, 0.0, &C), AS_OK);
    for (int i = 0; i < M * N; i++) /* K products of O(1) terms: error ~ K eps |s| */
        assert_true(fabs(c[i] - ref[i]) <= 8 * K * DBL_EPSILON * (1 + fabs(ref[i])));
    as_matrix bad = {M, N + 1, N + 1, c};
    assert_int_equal(as_gemm(1, 1, 1.0, &A, &B, 0.0, &bad), AS_EDIM);
    assert_non_null(strstr(as_errmsg(), "gemm"));
}

static void cholesky_should_reproduce_the_matrix_and_solve_it(void **state)
{
    (void)state;
    enum { N = 6 };
    double g[N * N], a[N * N], l[N * N], x[N], b[N];
    as_rng r;
    as_rng_seed(&r, 11);
    for (int i = 0; i < N * N; i++)
        g[i] = as_rng_normal(&r);
    for (int i = 0; i < N; i++) /* A = G G^T + N I is symmetric positive definite */
        for (int j = 0; j < N; j++) {
            double s = (i == j) ? N : 0.0;
            for (int k = 0; k < N; k++)
                s += g[i * N + k] * g[j * N + k];
            a[i * N + j] = s;
        }
    memcpy(l, a, sizeof a);
    as_matrix L = {N, N, N, l};
    assert_int_equal(as_cholesky(&L), AS_OK);
    double amax = 0;
    for (int i = 0; i < N * N; i++)
        amax = fmax(amax, fabs(a[i]));
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = 0; k <= j; k++)
                s += l[i * N + k] * l[j * N + k];
            assert_true(fabs(s - a[i * N + j]) <= 4.0 * N * DBL_EPSILON * amax); /* c n eps |A| */
        }
    for (int i = 0; i < N; i++)
        x[i] = 1.0 + 0.5 * i;
    for (int i = 0; i < N; i++) {
        b[i] = 0;
        for (int j = 0; j < N; j++)
            b[i] += a[i * N + j] * x[j];
    }
    as_matrix B = {N, 1, 1, b};
    assert_int_equal(as_cholesky_solve(&L, &B), AS_OK);
    for (int i = 0; i < N; i++)
        assert_true(fabs(b[i] - x[i]) < 1e-10);
    double npd[4] = {1, 2, 2, 1}; /* eigenvalues 3 and -1 */
    as_matrix P = {2, 2, 2, npd};
    assert_int_equal(as_cholesky(&P), AS_ENOTPD);
    assert_non_null(strstr(as_errmsg(), "not positive definite"));
}

static void eigh_should_find_the_eigenvalues_of_a_known_matrix(void **state)
{
    (void)state;
    /* [[2,1],[1,2]] has eigenvalues 1 and 3 */
    double a[4] = {2, 1, 1, 2}, w[2];
    as_matrix A = {2, 2, 2, a};
    assert_int_equal(as_eigh(&A, w), AS_OK);
    assert_true(fabs(w[0] - 1) < 1e-14 && fabs(w[1] - 3) < 1e-14);
}

static void json_should_round_trip_doubles_bit_for_bit(void **state)
{
    (void)state;
    double v[5] = {0.1, 1.0 / 3.0, 2.385e-300, -6.02214076e23, 0.30000000000000004};
    as_json *j = as_json_object();
    assert_int_equal(as_json_set_doubles(j, "v", v, 5), AS_OK);
    assert_int_equal(as_json_set_str(j, "name", "a \"quoted\" name"), AS_OK);
    char path[] = "core_json_test.json";
    assert_int_equal(as_json_write_file(j, path), AS_OK);
    as_json_free(j);
    as_json *k;
    assert_int_equal(as_json_read_file(path, &k), AS_OK);
    double w[5];
    assert_int_equal(as_json_get_doubles(k, "v", "test", w, 5), AS_OK);
    for (int i = 0; i < 5; i++)
        assert_memory_equal(&v[i], &w[i], sizeof(double));
    const char *s;
    assert_int_equal(as_json_get_str(k, "name", "test", &s), AS_OK);
    assert_string_equal(s, "a \"quoted\" name");
    assert_int_equal(as_json_get_doubles(k, "v", "test", w, 4), AS_EPARSE);
    as_json_free(k);
    remove(path);
}

static void json_parse_errors_should_name_line_and_column(void **state)
{
    (void)state;
    as_json *j;
    assert_int_equal(as_json_parse("{\n  \"a\": 1,\n  \"b\": x\n}", "m.json", &j), AS_EPARSE);
    assert_null(j);
    assert_non_null(strstr(as_errmsg(), "m.json:3:"));
    assert_int_equal(as_json_parse("{\"a\": [1, 2", "t.json", &j), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "truncated"));
}

static void aborted_output_file_should_leave_nothing_behind(void **state)
{
    (void)state;
    const char *path = "core_outfile_test.txt";
    remove(path);
    as_outfile *o;
    assert_int_equal(as_outfile_open(path, &o), AS_OK);
    fputs("half", as_outfile_stream(o));
    as_outfile_abort(o);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_not_equal(access("core_outfile_test.txt.tmp", F_OK), 0);
    assert_int_equal(as_outfile_open(path, &o), AS_OK);
    fputs("whole", as_outfile_stream(o));
    assert_int_equal(as_outfile_commit(o), AS_OK);
    assert_int_equal(access(path, F_OK), 0);
    remove(path);
    assert_int_equal(as_outfile_open("/nonexistent-dir/x.txt", &o), AS_EIO);
    assert_non_null(strstr(as_errmsg(), "/nonexistent-dir/x.txt"));
}

static void failing_allocations_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    /* Every k-th allocation of a JSON build-and-write fails in turn; each must fail cleanly. */
    for (size_t k = 1; k < 40; k++) {
        as_alloc_fail_after(k);
        as_json *j = as_json_object();
        as_status st = j ? AS_OK : AS_ENOMEM;
        double v[3] = {1, 2, 3};
        if (st == AS_OK)
            st = as_json_set_doubles(j, "v", v, 3);
        if (st == AS_OK)
            st = as_json_set_str(j, "s", "x");
        as_json_free(j);
        as_alloc_fail_after(0);
        assert_true(st == AS_OK || st == AS_ENOMEM);
    }
    void *p;
    as_alloc_fail_after(1);
    assert_int_equal(as_alloc_array(&p, 10, 8, "test buffer"), AS_ENOMEM);
    as_alloc_fail_after(0);
    assert_null(p);
    assert_non_null(strstr(as_errmsg(), "test buffer"));
}

static void every_status_should_have_a_message(void **state)
{
    (void)state;
    for (int s = AS_OK; s <= AS_EUNSUP; s++)
        assert_true(strlen(as_strerror((as_status)s)) > 3);
    as_error_set(AS_EIO, "inner %d", 7);
    as_error_prefix(AS_EIO, "outer");
    assert_string_equal(as_errmsg(), "outer: inner 7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_should_give_identical_streams_for_the_same_seed_and_task),
        cmocka_unit_test(rng_uniform_and_normal_should_have_the_right_moments),
        cmocka_unit_test(rng_below_should_equal_rejection_and_modulo),
        cmocka_unit_test(gemm_should_equal_the_naive_triple_loop),
        cmocka_unit_test(cholesky_should_reproduce_the_matrix_and_solve_it),
        cmocka_unit_test(eigh_should_find_the_eigenvalues_of_a_known_matrix),
        cmocka_unit_test(json_should_round_trip_doubles_bit_for_bit),
        cmocka_unit_test(json_parse_errors_should_name_line_and_column),
        cmocka_unit_test(aborted_output_file_should_leave_nothing_behind),
        cmocka_unit_test(failing_allocations_should_give_enomem_without_leaks),
        cmocka_unit_test(every_status_should_have_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
