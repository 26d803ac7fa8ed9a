/* The shipped dataset data/mpea_synthesis.csv (made by scripts/convert_mpea.py from the MPEA
 * dataset, see data/MPEA_ATTRIBUTION.md) parses with our reader and encodes as documented. The
 * reference counts are those of the attribution file, computed with Python's csv module. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "alloyscout/alloyscout.h"

#define DATA AS_SOURCE_DIR "/data/mpea_synthesis.csv"
#define N_ELEMENTS 28
#define N_ROUTES 6 /* ANNEAL CAST OTHER POWDER UNKNOWN WROUGHT */

static void shipped_dataset_should_parse_with_the_documented_shape(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(DATA, &t), AS_OK);
    assert_int_equal(as_table_rows(t), 645);
    assert_int_equal(as_table_cols(t), 4 + N_ELEMENTS + 3);
    size_t j;
    const char *cols[] = {"alloy", "system",    "processing",      "formula",     "Al",
                          "Zr",    "n_sources", "label_agreement", "single_phase"};
    for (size_t k = 0; k < sizeof cols / sizeof *cols; k++)
        assert_int_equal(as_table_find(t, cols[k], &j), AS_OK);
    as_table_free(t);
}

static void element_columns_should_be_atomic_fractions_summing_to_one(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(DATA, &t), AS_OK);
    for (size_t i = 0; i < as_table_rows(t); i++) {
        double sum = 0, v;
        for (size_t j = 4; j < 4 + N_ELEMENTS; j++) {
            assert_true(as_parse_number(as_table_cell(t, i, j), &v));
            assert_true(v >= 0 && v <= 1);
            sum += v;
        }
        /* each value is the double nearest the exact fraction: |error| <= eps/2 each */
        assert_true(fabs(sum - 1.0) <= N_ELEMENTS * 2.3e-16);
    }
    /* first row: formula "Al0.667 C1 Co0.667 Cr0.667 Fe0.667 Ni0.667" -> Al = 0.667 / 4.335 */
    size_t al;
    double v;
    assert_int_equal(as_table_find(t, "Al", &al), AS_OK);
    assert_string_equal(as_table_cell(t, 0, 3), "Al0.667 C1 Co0.667 Cr0.667 Fe0.667 Ni0.667");
    assert_true(as_parse_number(as_table_cell(t, 0, al), &v));
    assert_true(fabs(v - 0.667 / 4.335) <= 1e-15);
    as_table_free(t);
}

static void shipped_dataset_should_encode_with_system_groups(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    as_schema_options o = as_schema_options_default();
    o.target = "single_phase";
    o.group = "system";
    o.drop = "alloy,formula,n_sources,label_agreement";
    assert_int_equal(as_table_read_csv(DATA, &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_features(s), N_ELEMENTS + N_ROUTES);
    assert_string_equal(as_schema_feature_name(s, 0), "processing=ANNEAL");
    assert_string_equal(as_schema_feature_name(s, 4), "processing=UNKNOWN");
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_OK);
    assert_int_equal(ds->n, 645);
    assert_int_equal(ds->n_skipped, 0);
    size_t pos = 0;
    for (size_t i = 0; i < ds->n; i++)
        pos += ds->y[i] == 1;
    assert_int_equal(pos, 256);
    assert_int_equal(ds->n_groups, 186);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_dataset_should_parse_with_the_documented_shape),
        cmocka_unit_test(element_columns_should_be_atomic_fractions_summing_to_one),
        cmocka_unit_test(shipped_dataset_should_encode_with_system_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
