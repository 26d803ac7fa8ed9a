/* resample: options and their parsers, and as_resample's methods composed as documented
 * (SMOTE-Tomek = SMOTE, then Tomek removal checked with a naive O(n^2) Tomek reference), errors
 * and allocation failures. */
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

static void options_should_default_to_smote_tomek_k5_majority(void **state)
{
    (void)state;
    as_resample_options o = as_resample_options_default();
    assert_int_equal(o.method, AS_RESAMPLE_SMOTE_TOMEK);
    assert_int_equal(o.smote_k, 5);
    assert_int_equal(o.tomek, AS_TOMEK_MAJORITY);
}

static void parsers_should_accept_every_name_and_list_the_valid_ones(void **state)
{
    (void)state;
    const char *names[] = {"none", "smote", "tomek", "smote-tomek"};
    for (int i = 0; i < 4; i++) {
        as_resample_method m;
        assert_int_equal(as_resample_method_parse(names[i], &m), AS_OK);
        assert_int_equal(m, i);
        assert_string_equal(as_resample_method_name(m), names[i]);
    }
    as_resample_method m;
    assert_int_equal(as_resample_method_parse("smotetomek", &m), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'smotetomek'"));
    assert_non_null(strstr(as_errmsg(), "none, smote, tomek, smote-tomek"));
    assert_int_equal(as_resample_method_parse(NULL, &m), AS_EINVAL);
    assert_string_equal(as_resample_method_name((as_resample_method)9), "?");
    as_tomek_mode t;
    assert_int_equal(as_tomek_mode_parse("all", &t), AS_OK);
    assert_int_equal(t, AS_TOMEK_ALL);
    assert_int_equal(as_tomek_mode_parse("majority", &t), AS_OK);
    assert_int_equal(t, AS_TOMEK_MAJORITY);
    assert_string_equal(as_tomek_mode_name(AS_TOMEK_ALL), "all");
    assert_int_equal(as_tomek_mode_parse("both", &t), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "majority, all"));
    assert_string_equal(as_tomek_mode_name((as_tomek_mode)5), "?");
}

/* Naive Tomek removal: nearest other sample by (distance, index) over all pairs. */
static size_t naive_tomek_keep(const double *x, const int *y, size_t n, size_t d, int majority,
                               int both, unsigned char *keep)
{
    size_t *nn = malloc(n * sizeof(size_t)), kept = 0;
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double s = 0.0;
            for (size_t c = 0; c < d; c++)
                s += (x[i * d + c] - x[j * d + c]) * (x[i * d + c] - x[j * d + c]);
            if (s < best) {
                best = s;
                nn[i] = j;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        int link = y[i] != y[nn[i]] && nn[nn[i]] == i;
        keep[i] = !(link && (both || y[i] == majority));
        kept += keep[i];
    }
    free(nn);
    return kept;
}

static void smote_tomek_should_be_smote_then_tomek_removal(void **state)
{
    (void)state;
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad;
    for (int i = 0; i < 3; i++) { /* clf15d: 400 x 15, label 0 majority */
        assert_true(rs_fixture_next(fp, &f, &bad));
        if (i < 2)
            rs_fixture_free(&f);
    }
    fclose(fp);
    for (int both = 0; both < 2; both++) {
        as_resample_options opt = as_resample_options_default();
        opt.tomek = both ? AS_TOMEK_ALL : AS_TOMEK_MAJORITY;
        as_rng r1, r2;
        as_rng_seed(&r1, 2385);
        as_rng_seed(&r2, 2385);
        double *xs = NULL, *xo = NULL;
        int *ys = NULL, *yo = NULL;
        size_t ns = 0, no = 0;
        assert_int_equal(as_smote(f.x, f.y, f.n, f.d, 5, &r1, &xs, &ys, &ns), AS_OK);
        assert_int_equal(as_resample(&opt, f.x, f.y, f.n, f.d, &r2, &xo, &yo, &no), AS_OK);
        unsigned char *keep = malloc(ns);
        size_t kept = naive_tomek_keep(xs, ys, ns, f.d, 0, both, keep);
        assert_int_equal(no, kept);
        assert_true(kept < ns); /* some links exist */
        size_t r = 0, c1 = 0;
        for (size_t i = 0; i < ns; i++) {
            if (!keep[i])
                continue;
            assert_memory_equal(xo + r * f.d, xs + i * f.d, f.d * sizeof(double));
            assert_int_equal(yo[r], ys[i]);
            c1 += yo[r] == 1;
            r++;
        }
        if (!both) /* majority mode keeps every (original and synthetic) minority sample */
            assert_int_equal(c1, ns / 2);
        free(keep);
        as_free(xs), as_free(ys), as_free(xo), as_free(yo);
    }
    rs_fixture_free(&f);
}

static void method_none_should_copy_and_smote_should_match_as_smote(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5};
    const int y[] = {1, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    as_resample_options opt = as_resample_options_default();
    opt.method = AS_RESAMPLE_NONE;
    double *xo = NULL, *xs = NULL;
    int *yo = NULL, *ys = NULL;
    size_t no = 0, ns = 0;
    assert_int_equal(as_resample(&opt, x, y, 5, 2, NULL, &xo, &yo, &no), AS_OK);
    assert_int_equal(no, 5);
    assert_memory_equal(xo, x, sizeof x);
    assert_memory_equal(yo, y, 5 * sizeof(int));
    as_free(xo), as_free(yo);
    opt.method = AS_RESAMPLE_SMOTE;
    opt.smote_k = 2;
    as_rng r1, r2;
    as_rng_seed(&r1, 8);
    as_rng_seed(&r2, 8);
    assert_int_equal(as_resample(&opt, x, y, 10, 1, &r1, &xo, &yo, &no), AS_OK);
    assert_int_equal(as_smote(x, y, 10, 1, 2, &r2, &xs, &ys, &ns), AS_OK);
    assert_int_equal(no, 14);
    assert_int_equal(ns, no);
    assert_memory_equal(xo, xs, no * sizeof(double));
    as_free(xo), as_free(yo), as_free(xs), as_free(ys);
}

static void resample_should_reject_bad_options_and_input(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5};
    const int y[] = {0, 1, 7, 0};
    as_resample_options opt = as_resample_options_default();
    double *xo = (double *)x;
    int *yo = (int *)y;
    size_t no = 3;
    assert_int_equal(as_resample(NULL, x, y, 4, 1, NULL, &xo, &yo, &no), AS_EINVAL);
    assert_null(xo);
    assert_null(yo);
    assert_int_equal(no, 0);
    opt.method = (as_resample_method)17;
    assert_int_equal(as_resample(&opt, x, y, 4, 1, NULL, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "method 17"));
    opt = as_resample_options_default();
    opt.tomek = (as_tomek_mode)4;
    assert_int_equal(as_resample(&opt, x, y, 4, 1, NULL, &xo, &yo, &no), AS_EINVAL);
    opt = as_resample_options_default();
    assert_int_equal(as_resample(&opt, x, y, 4, 1, NULL, &xo, &yo, &no), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "y[2] = 7"));
    assert_int_equal(as_resample(&opt, x, y, 0, 1, NULL, &xo, &yo, &no), AS_EINVAL);
    assert_null(xo);
}

static void smote_tomek_should_fail_cleanly_on_every_allocation(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 2.0, 3.0};
    const int y[] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    as_resample_options opt = as_resample_options_default();
    opt.smote_k = 2;
    for (size_t k = 1;; k++) {
        as_rng rng;
        as_rng_seed(&rng, 1);
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        as_alloc_fail_after(k);
        as_status st = as_resample(&opt, x, y, 12, 1, &rng, &xo, &yo, &no);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            assert_true(k > 10);
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
        cmocka_unit_test(options_should_default_to_smote_tomek_k5_majority),
        cmocka_unit_test(parsers_should_accept_every_name_and_list_the_valid_ones),
        cmocka_unit_test(smote_tomek_should_be_smote_then_tomek_removal),
        cmocka_unit_test(method_none_should_copy_and_smote_should_match_as_smote),
        cmocka_unit_test(resample_should_reject_bad_options_and_input),
        cmocka_unit_test(smote_tomek_should_fail_cleanly_on_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
