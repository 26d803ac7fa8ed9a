/* resample: Tomek links against imbalanced-learn's TomekLinks (fixtures from
 * tests/fixtures/resample_ref.py) and against a naive O(n^2) implementation of the definition;
 * the tie rule, opposite-class duplicates, removal through as_resample, errors and allocation
 * failures. */
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

/* Rows removed by our links: both members (all) or the majority member (majority). */
static unsigned char *our_removed(const rs_fixture *f, int both)
{
    size_t *a = NULL, *b = NULL, nl = 0;
    assert_int_equal(as_tomek_links(f->x, f->y, f->n, f->d, &a, &b, &nl), AS_OK);
    unsigned char *rm = calloc(f->n, 1);
    for (size_t l = 0; l < nl; l++) {
        rm[a[l]] = 1;
        if (both)
            rm[b[l]] = 1;
    }
    as_free(a);
    as_free(b);
    return rm;
}

static int majority_label(const int *y, size_t n)
{
    size_t c1 = 0;
    for (size_t i = 0; i < n; i++)
        c1 += y[i] == 1;
    return c1 > n - c1 ? 1 : 0;
}

static void tomek_links_should_remove_the_rows_imblearn_removes(void **state)
{
    (void)state;
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad, count = 0;
    while (rs_fixture_next(fp, &f, &bad)) {
        count++;
        unsigned char *want_all = calloc(f.n, 1), *want_maj = calloc(f.n, 1);
        for (size_t i = 0; i < f.n_all; i++)
            want_all[f.all[i]] = 1;
        for (size_t i = 0; i < f.n_auto; i++)
            want_maj[f.autom[i]] = 1;
        /* Opposite-class twins: imblearn sees the later twin as its own neighbour and misses
         * the link; by the definition (nearest *other* sample, at distance 0) it is one. */
        int maj = majority_label(f.y, f.n);
        for (size_t p = 0; p < f.n_twins; p++) {
            size_t u = f.twins[2 * p], v = f.twins[2 * p + 1];
            want_all[u] = want_all[v] = 1;
            want_maj[f.y[u] == maj ? u : v] = 1;
        }
        unsigned char *all = our_removed(&f, 1), *mj = our_removed(&f, 0);
        for (size_t i = 0; i < f.n; i++) {
            if (all[i] != want_all[i] || mj[i] != want_maj[i])
                fail_msg("%s: row %zu removed all=%d (imblearn %d) majority=%d (imblearn %d)",
                         f.name, i, all[i], want_all[i], mj[i], want_maj[i]);
        }
        free(all), free(mj), free(want_all), free(want_maj);
        rs_fixture_free(&f);
    }
    assert_false(bad);
    assert_true(count >= 7);
    fclose(fp);
}

/* Naive definition: nearest other sample by (squared distance, index) over all pairs. */
static void naive_links(const double *x, const int *y, size_t n, size_t d, unsigned char *in_link)
{
    size_t *nn = malloc(n * sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        double best = INFINITY;
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            double s = 0.0;
            for (size_t c = 0; c < d; c++)
                s += (x[i * d + c] - x[j * d + c]) * (x[i * d + c] - x[j * d + c]);
            if (s < best) { /* strict: the lower index keeps a tie */
                best = s;
                nn[i] = j;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        in_link[i] = y[i] != y[nn[i]] && nn[nn[i]] == i;
    free(nn);
}

static void tomek_links_should_follow_the_definition_on_larger_data(void **state)
{
    (void)state;
    as_rng rng;
    as_rng_seed(&rng, 2385);
    size_t n = 1500, d = 6;
    double *x = malloc(n * d * sizeof(double));
    int *y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        y[i] = as_rng_uniform(&rng) < 0.3;
        for (size_t c = 0; c < d; c++)
            /* coarse grid: exact distance ties and some duplicates */
            x[i * d + c] = 0.5 * floor(2.0 * as_rng_normal(&rng));
    }
    unsigned char *want = malloc(n);
    naive_links(x, y, n, d, want);
    size_t *a = NULL, *b = NULL, nl = 0, nwant = 0;
    assert_int_equal(as_tomek_links(x, y, n, d, &a, &b, &nl), AS_OK);
    unsigned char *got = calloc(n, 1);
    for (size_t l = 0; l < nl; l++) {
        assert_int_equal(y[a[l]], 0); /* label 0 is the majority here */
        assert_int_equal(y[b[l]], 1);
        if (l > 0)
            assert_true(a[l] > a[l - 1]);
        got[a[l]] = got[b[l]] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        nwant += want[i];
        assert_int_equal(got[i], want[i]);
    }
    assert_int_equal(2 * nl, nwant);
    assert_true(nl > 10);
    as_free(a), as_free(b), free(got), free(want), free(x), free(y);
}

static void tomek_tie_should_go_to_the_lower_index(void **state)
{
    (void)state;
    /* Row 2 at the origin (label 0) has rows 0 and 1 (label 1) at distance 1 on either side;
     * each of those has row 2 as nearest. The tie makes (2, 0) the link, whichever side row 0
     * is on. Rows 3-5 make label 0 the majority, far away. */
    double x[] = {-1, 0, 1, 0, 0, 0, 40, 40, 40, 41.5, -40, 40};
    const int y[] = {1, 1, 0, 0, 0, 0};
    for (int mirror = 0; mirror < 2; mirror++) {
        if (mirror) {
            x[0] = 1;
            x[2] = -1;
        }
        size_t *a = NULL, *b = NULL, nl = 0;
        assert_int_equal(as_tomek_links(x, y, 6, 2, &a, &b, &nl), AS_OK);
        assert_int_equal(nl, 1);
        assert_int_equal(a[0], 2);
        assert_int_equal(b[0], 0);
        as_free(a);
        as_free(b);
    }
}

static void opposite_class_duplicates_should_form_a_link(void **state)
{
    (void)state;
    const double x[] = {2.385, -1.25, 2.385, -1.25, 9, 9, 9.5, 9, 20, 0};
    const int y[] = {0, 1, 0, 0, 0};
    size_t *a = NULL, *b = NULL, nl = 0;
    assert_int_equal(as_tomek_links(x, y, 5, 2, &a, &b, &nl), AS_OK);
    assert_int_equal(nl, 1);
    assert_int_equal(a[0], 0);
    assert_int_equal(b[0], 1);
    as_free(a);
    as_free(b);
}

static void one_class_or_one_sample_should_give_no_links(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5};
    const int y0[] = {0, 0, 0}, y1[] = {1};
    size_t *a = NULL, *b = NULL, nl = 7;
    assert_int_equal(as_tomek_links(x, y0, 3, 1, &a, &b, &nl), AS_OK);
    assert_int_equal(nl, 0);
    assert_non_null(a);
    as_free(a), as_free(b);
    assert_int_equal(as_tomek_links(x, y1, 1, 3, &a, &b, &nl), AS_OK);
    assert_int_equal(nl, 0);
    as_free(a), as_free(b);
}

static void tomek_resample_should_drop_exactly_the_linked_rows_in_order(void **state)
{
    (void)state;
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad;
    assert_true(rs_fixture_next(fp, &f, &bad)); /* overlap2d */
    fclose(fp);
    for (int mode = 0; mode < 2; mode++) {
        as_resample_options opt = as_resample_options_default();
        opt.method = AS_RESAMPLE_TOMEK;
        opt.tomek = mode ? AS_TOMEK_ALL : AS_TOMEK_MAJORITY;
        double *xo = NULL;
        int *yo = NULL;
        size_t no = 0;
        assert_int_equal(as_resample(&opt, f.x, f.y, f.n, f.d, NULL, &xo, &yo, &no), AS_OK);
        unsigned char *rm = calloc(f.n, 1);
        size_t nrm = mode ? f.n_all : f.n_auto;
        for (size_t i = 0; i < nrm; i++)
            rm[mode ? f.all[i] : f.autom[i]] = 1;
        assert_int_equal(no, f.n - nrm);
        size_t r = 0;
        for (size_t i = 0; i < f.n; i++) {
            if (rm[i])
                continue;
            assert_memory_equal(xo + r * f.d, f.x + i * f.d, f.d * sizeof(double));
            assert_int_equal(yo[r], f.y[i]);
            r++;
        }
        free(rm);
        as_free(xo);
        as_free(yo);
    }
    rs_fixture_free(&f);
}

static void tomek_should_reject_bad_labels_and_shapes(void **state)
{
    (void)state;
    const double x[] = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5};
    const int y[] = {0, 1, 0, 2};
    const double xn[] = {0.5, NAN};
    const int yn[] = {0, 1};
    size_t *a = (size_t *)x, *b = (size_t *)x, nl = 3;
    assert_int_equal(as_tomek_links(x, y, 4, 2, &a, &b, &nl), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "y[3] = 2"));
    assert_null(a);
    assert_null(b);
    assert_int_equal(nl, 0);
    assert_int_equal(as_tomek_links(x, y, 0, 2, &a, &b, &nl), AS_EINVAL);
    assert_int_equal(as_tomek_links(x, y, 3, 0, &a, &b, &nl), AS_EINVAL);
    assert_int_equal(as_tomek_links(xn, yn, 2, 1, &a, &b, &nl), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "finite"));
    assert_null(a);
}

static void tomek_should_fail_cleanly_on_every_allocation(void **state)
{
    (void)state;
    FILE *fp = rs_fixture_open();
    assert_non_null(fp);
    rs_fixture f;
    int bad;
    assert_true(rs_fixture_next(fp, &f, &bad));
    fclose(fp);
    for (size_t k = 1;; k++) {
        size_t *a = NULL, *b = NULL, nl = 0;
        as_alloc_fail_after(k);
        as_status st = as_tomek_links(f.x, f.y, f.n, f.d, &a, &b, &nl);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            assert_true(k > 5);
            as_free(a);
            as_free(b);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(a);
        assert_null(b);
    }
    rs_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tomek_links_should_remove_the_rows_imblearn_removes),
        cmocka_unit_test(tomek_links_should_follow_the_definition_on_larger_data),
        cmocka_unit_test(tomek_tie_should_go_to_the_lower_index),
        cmocka_unit_test(opposite_class_duplicates_should_form_a_link),
        cmocka_unit_test(one_class_or_one_sample_should_give_no_links),
        cmocka_unit_test(tomek_resample_should_drop_exactly_the_linked_rows_in_order),
        cmocka_unit_test(tomek_should_reject_bad_labels_and_shapes),
        cmocka_unit_test(tomek_should_fail_cleanly_on_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
