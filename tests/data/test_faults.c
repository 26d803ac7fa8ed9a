/* data under hostile input (issue 17): one 1e308 value no longer makes a column "constant"
 * (the variance overflowed), compositions formatted with tiny amounts read back, hex and other
 * forms outside the decimal syntax are not numbers in CSV cells, and duplicate headers are found
 * by a hash set (100k columns). */
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

/* column 0: {M, 0, 0, 0} with M = 1e308: mean M/4 and population std M sqrt(3)/4 (closed
 * form: deviations 3M/4 and three times -M/4, variance (9 + 3) M^2 / 64 = 3 M^2 / 16);
 * column 1 an ordinary column, scaled exactly as before */
static void a_huge_value_should_not_make_a_column_constant(void **state)
{
    (void)state;
    const double M = 1e308;
    double x[8] = {M, 2.385, 0, 1.25, 0, -0.5, 0, 4.125};
    as_scaler *s;
    assert_int_equal(as_scaler_fit(x, 4, 2, &s), AS_OK);
    const double *mean = as_scaler_mean(s), *scale = as_scaler_scale(s);
    assert_true(fabs(mean[0] - M / 4) <= 4 * DBL_EPSILON * (M / 4));
    double sd = M / 4 * sqrt(3.0);
    assert_true(fabs(scale[0] - sd) <= 8 * DBL_EPSILON * sd);
    /* column 1: two-pass mean and variance of {2.385, 1.25, -0.5, 4.125} */
    double m1 = (2.385 + 1.25 + -0.5 + 4.125) / 4, v1 = 0;
    double c1[4] = {2.385, 1.25, -0.5, 4.125};
    for (int i = 0; i < 4; i++)
        v1 += (c1[i] - m1) * (c1[i] - m1);
    assert_true(mean[1] == m1);
    assert_true(scale[1] == sqrt(v1 / 4));
    /* the transform is finite: z = (x - mean) / std */
    assert_int_equal(as_scaler_transform(s, x, 4, 2), AS_OK);
    assert_true(fabs(x[0] - 3 / sqrt(3.0)) < 1e-12);
    assert_true(fabs(x[2] + 1 / sqrt(3.0)) < 1e-12);
    as_scaler_free(s);
    /* a constant column of huge values is still constant */
    double y[3] = {-1e300, -1e300, -1e300};
    assert_int_equal(as_scaler_fit(y, 3, 1, &s), AS_OK);
    assert_true(as_scaler_scale(s)[0] == 1.0);
    assert_true(as_scaler_mean(s)[0] == -1e300);
    as_scaler_free(s);
}

/* issue 17 item 7: as_composition_format wrote Co1.5e-07, which the grammar cannot read */
static void a_formatted_formula_with_a_tiny_amount_should_read_back(void **state)
{
    (void)state;
    const char *in[] = {"Pt1Co0.00000015", "Cu1Ni0.0000000000001", "Pt2Co1Ni1"};
    for (size_t t = 0; t < 3; t++) {
        as_composition c, d;
        assert_int_equal(as_composition_parse(in[t], &c), AS_OK);
        char buf[512];
        as_composition_format(&c, buf, sizeof buf);
        assert_null(strchr(buf, 'e'));
        if (as_composition_parse(buf, &d) != AS_OK)
            fail_msg("'%s' formatted as '%s' does not read back: %s", in[t], buf, as_errmsg());
        assert_int_equal(c.n, d.n);
        for (size_t i = 0; i < c.n; i++)
            assert_true(fabs(d.frac[i] - c.frac[i]) <= 1e-5 * c.frac[i]); /* 6 digits */
    }
    as_composition c;
    assert_int_equal(as_composition_parse("Pt1Co0.00000015", &c), AS_OK);
    char buf[64];
    as_composition_format(&c, buf, sizeof buf);
    assert_string_equal(buf, "Pt1Co0.00000015");
}

static void numbers_outside_the_decimal_syntax_should_not_be_numbers(void **state)
{
    (void)state;
    double v;
    assert_true(as_parse_number(" 2.385 ", &v) && v == 2.385); /* cells are trimmed */
    const char *bad[] = {"0x10", "0x1p3", "inf", "nan", "1e999", "1e", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (as_parse_number(bad[i], &v))
            fail_msg("'%s' was taken as a number", bad[i]);
    /* a column holding a hex cell is not numeric: its rows are not silently 16 */
    const char *csv = "a,b\n1,0x10\n2,3\n";
    as_table *t;
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "hex.csv", &t), AS_OK);
    assert_false(as_parse_number(as_table_cell(t, 0, 1), NULL));
    as_table_free(t);
}

static void duplicate_headers_should_be_found_among_100k_columns(void **state)
{
    (void)state;
    size_t d = 100000, cap = d * 10 + 64, k = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t j = 0; j < d; j++)
        k += (size_t)snprintf(text + k, cap - k, "%sc%zu", j ? "," : "", j);
    k += (size_t)snprintf(text + k, cap - k, "\n");
    for (size_t j = 0; j < d; j++)
        k += (size_t)snprintf(text + k, cap - k, "%s1", j ? "," : "");
    k += (size_t)snprintf(text + k, cap - k, "\n");
    as_table *t;
    assert_int_equal(as_table_parse_csv(text, k, "wide.csv", &t), AS_OK);
    assert_int_equal(as_table_cols(t), d);
    as_table_free(t);
    /* the last name repeats column 77778's (c77777): both fields are named */
    char *last = strrchr(text, '\n');
    *last = '\0';
    last = strrchr(text, '\n');
    size_t hl = (size_t)(last - text);
    char *p = text + hl;
    while (p[-1] != ',')
        p--;
    char head[2 * 8 * 100000];
    snprintf(head, sizeof head, "%.*sc77777\n1\n", (int)(p - text), text);
    assert_int_equal(as_table_parse_csv(head, strlen(head), "dup.csv", &t), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "duplicate column name 'c77777' (also field 77778"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_huge_value_should_not_make_a_column_constant),
        cmocka_unit_test(a_formatted_formula_with_a_tiny_amount_should_read_back),
        cmocka_unit_test(numbers_outside_the_decimal_syntax_should_not_be_numbers),
        cmocka_unit_test(duplicate_headers_should_be_found_among_100k_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
