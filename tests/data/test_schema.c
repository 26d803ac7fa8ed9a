/* Schema inference and encoding: typing, one-hot levels, target values, groups, the error
 * messages with file:line:column, unseen levels, JSON round trip, allocation failures.
 * Expected encodings are written out by hand from the fixtures tests/fixtures/data_schema_*.csv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alloyscout/alloyscout.h"
#include "data/data_int.h"

#define FIX(name) AS_SOURCE_DIR "/tests/fixtures/" name

static void assert_msg_contains(const char *want)
{
    const char *m = as_errmsg();
    if (!strstr(m, want)) {
        print_error("message '%s'\ndoes not contain '%s'\n", m, want);
        fail();
    }
}

static char last_warning[2048];
static int n_warnings;
static void capture(as_log_level level, const char *msg, void *user)
{
    (void)user;
    if (level == AS_LOG_WARN) {
        n_warnings++;
        snprintf(last_warning, sizeof last_warning, "%s", msg);
    }
}

static as_table *load(const char *path)
{
    as_table *t = NULL;
    assert_int_equal(as_table_read_csv(path, &t), AS_OK);
    return t;
}

static as_schema_options train_opts(void)
{
    as_schema_options o = as_schema_options_default();
    o.target = "outcome";
    o.group = "system";
    o.drop = "id, note";
    return o;
}

static void schema_should_type_columns_and_sort_levels(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    as_schema *s;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    /* 'vacuum' occurs only in the row with an empty target: not a level */
    const char *want[] = {"temp_c", "route=air", "route=furnace", "route=quench"};
    assert_int_equal(as_schema_features(s), 4);
    for (size_t j = 0; j < 4; j++)
        assert_string_equal(as_schema_feature_name(s, j), want[j]);
    assert_string_equal(as_schema_target(s), "outcome");
    assert_string_equal(as_schema_group(s), "system");
    as_schema_free(s);
    as_table_free(t);
}

static void encoding_should_one_hot_skip_empty_targets_and_index_groups(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    as_schema *s;
    as_dataset *ds;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_OK);
    const double x[5][4] = {{850.5, 0, 0, 1},
                            {700, 0, 1, 0},
                            {912.25, 0, 0, 1}, /* " quench " trimmed */
                            {650, 1, 0, 0},
                            {800, 0, 0, 1}};
    const int y[5] = {1, 0, 1, 0, 1}; /* yes, No, YES, no, success */
    const size_t row[5] = {0, 1, 2, 3, 5}, group[5] = {1, 1, 0, 0, 2};
    assert_int_equal(ds->n, 5);
    assert_int_equal(ds->d, 4);
    assert_int_equal(ds->n_skipped, 1);
    for (size_t i = 0; i < 5; i++) {
        for (size_t j = 0; j < 4; j++)
            assert_true(ds->x[i * 4 + j] == x[i][j]);
        assert_int_equal(ds->y[i], y[i]);
        assert_int_equal(ds->row[i], row[i]);
        assert_int_equal(ds->group[i], group[i]);
    }
    assert_int_equal(ds->n_groups, 3);
    assert_string_equal(as_dataset_group_name(ds, 0), "CuAg");
    assert_string_equal(as_dataset_group_name(ds, 1), "CuAu");
    assert_string_equal(as_dataset_group_name(ds, 2), "CuCo");
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void prediction_should_zero_unseen_levels_and_warn_with_position(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_table *p = load(FIX("data_schema_predict.csv"));
    as_schema_options o = train_opts();
    as_schema *s;
    as_dataset *ds;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    n_warnings = 0;
    as_set_log(capture, NULL);
    assert_int_equal(as_schema_encode(s, p, 0, &ds), AS_OK);
    as_set_log(NULL, NULL);
    assert_int_equal(n_warnings, 1);
    assert_non_null(strstr(
        last_warning, FIX("data_schema_predict.csv") ":3:1: column 'route': "
                                                     "value 'plasma' was not seen in training"));
    const double x[2][4] = {{810, 0, 0, 1}, {790, 0, 0, 0}};
    assert_int_equal(ds->n, 2);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 4; j++)
            assert_true(ds->x[i * 4 + j] == x[i][j]);
    assert_null(ds->y);
    assert_null(ds->group);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(p);
    as_table_free(t);
}

static void prediction_should_keep_rows_with_empty_target_as_minus_one(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    as_schema *s;
    as_dataset *ds;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 0, &ds), AS_OK);
    assert_int_equal(ds->n, 6);
    assert_int_equal(ds->n_skipped, 0);
    assert_int_equal(ds->y[4], -1);
    for (size_t j = 1; j < 4; j++) /* 'vacuum' is unseen: all zeros */
        assert_true(ds->x[4 * 4 + j] == 0.0);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void mixed_column_should_name_the_odd_cell_and_suggest_text(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_mixed.csv"));
    as_schema_options o = as_schema_options_default();
    as_schema *s = (as_schema *)0x1;
    o.target = "y";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EPARSE);
    assert_null(s);
    assert_msg_contains(FIX("data_schema_mixed.csv") ":4:1: column 'temp' mixes numbers and "
                                                     "text: 'hot' is not a number");
    assert_msg_contains("--text temp");
    as_table_free(t);
}

static void forced_text_column_should_one_hot_numbers_as_levels(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_mixed.csv"));
    as_schema_options o = as_schema_options_default();
    as_schema *s;
    o.target = "y";
    o.text = "temp";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    const char *want[] = {"temp=100", "temp=200", "temp=300", "temp=hot"};
    assert_int_equal(as_schema_features(s), 4);
    for (size_t j = 0; j < 4; j++)
        assert_string_equal(as_schema_feature_name(s, j), want[j]);
    as_schema_free(s);
    as_table_free(t);
}

static void empty_numeric_cell_should_be_an_error_with_position(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_empty_num.csv"));
    as_schema_options o = as_schema_options_default();
    as_schema *s;
    as_dataset *ds = (as_dataset *)0x1;
    o.target = "y";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_EPARSE);
    assert_null(ds);
    assert_msg_contains(FIX("data_schema_empty_num.csv") ":3:1: empty value in numeric column "
                                                         "'temp'");
    as_schema_free(s);
    as_table_free(t);
}

static void unknown_target_value_should_be_named_with_position(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_bad_target.csv"));
    as_schema_options o = as_schema_options_default();
    as_schema *s;
    o.target = "y";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EPARSE);
    assert_msg_contains(FIX("data_schema_bad_target.csv") ":3:5: target 'y' has value 'maybe'");
    as_table_free(t);
}

static void positive_value_should_make_every_other_value_negative(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    const char *csv = "x,phase\n1.5,FCC\n2.5,BCC+B2\n3.5,FCC\n4.5,Other\n";
    as_schema_options o = as_schema_options_default();
    o.target = "phase";
    o.positive = "FCC";
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "p.csv", &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_OK);
    const int y[4] = {1, 0, 1, 0};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ds->y[i], y[i]);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void numeric_targets_equal_to_one_or_zero_should_be_accepted(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    const char *csv = "x,y\n1.5,1.0\n2.5,0\n3.5, 1e0 \n4.5,FALSE\n5.5,Failure\n";
    as_schema_options o = as_schema_options_default();
    o.target = "y";
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "n.csv", &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_OK);
    const int y[5] = {1, 0, 1, 0, 0};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ds->y[i], y[i]);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void single_class_target_should_refuse_training(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    as_dataset *ds = (as_dataset *)0x1;
    const char *csv = "x,y\n1.5,yes\n2.5,yes\n3.5,\n";
    as_schema_options o = as_schema_options_default();
    o.target = "y";
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "one.csv", &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_EINVAL);
    assert_null(ds);
    assert_msg_contains("one.csv: target column 'y' has only positive values (2 rows)");
    as_schema_free(s);
    as_table_free(t);
}

static void missing_feature_column_should_be_named(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_table *p;
    as_schema_options o = train_opts();
    as_schema *s;
    as_dataset *ds;
    const char *csv = "temp_c,system\n800,CuAu\n";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "new.csv", &p), AS_OK);
    assert_int_equal(as_schema_encode(s, p, 0, &ds), AS_EINVAL);
    assert_msg_contains("new.csv: no column named 'route' (columns: temp_c, system)");
    assert_int_equal(as_schema_encode(s, p, 1, &ds), AS_EINVAL);
    as_schema_free(s);
    as_table_free(p);
    as_table_free(t);
}

static void unknown_option_columns_should_be_named(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema *s;
    as_schema_options o = train_opts();
    o.target = "outcom";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EINVAL);
    assert_msg_contains("target: ");
    assert_msg_contains("no column named 'outcom' (columns: id, temp_c, route, system, outcome, "
                        "note)");
    o = train_opts();
    o.drop = "id,nope";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EINVAL);
    assert_msg_contains("drop: ");
    assert_msg_contains("no column named 'nope'");
    o = train_opts();
    o.group = "outcome";
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EINVAL);
    assert_msg_contains("cannot be both the target and the group");
    as_table_free(t);
}

static void empty_group_value_should_be_named_with_position(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    const char *csv = "x,g,y\n1.5,A,1\n2.5,,0\n";
    as_schema_options o = as_schema_options_default();
    o.target = "y";
    o.group = "g";
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "g.csv", &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_encode(s, t, 1, &ds), AS_EPARSE);
    assert_msg_contains("g.csv:3:5: empty value in group column 'g'");
    as_schema_free(s);
    as_table_free(t);
}

static void column_without_values_should_be_named(void **state)
{
    (void)state;
    as_table *t;
    as_schema *s;
    const char *csv = "x,empty,y\n1.5,,1\n2.5,,0\n";
    as_schema_options o = as_schema_options_default();
    o.target = "y";
    assert_int_equal(as_table_parse_csv(csv, strlen(csv), "e.csv", &t), AS_OK);
    assert_int_equal(as_schema_infer(t, &o, &s), AS_EPARSE);
    assert_msg_contains("e.csv:1:3: column 'empty' has no values; drop it with --drop empty");
    as_table_free(t);
}

static void schema_should_survive_a_json_round_trip(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    as_schema *s, *s2;
    as_json *j, *j2;
    as_dataset *a, *b;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_to_json(s, &j), AS_OK);
    char *text = as_json_print(j);
    assert_non_null(text);
    assert_int_equal(as_json_parse(text, "schema.json", &j2), AS_OK);
    assert_int_equal(as_schema_from_json(j2, &s2), AS_OK);
    assert_int_equal(as_schema_features(s2), as_schema_features(s));
    for (size_t k = 0; k < as_schema_features(s); k++)
        assert_string_equal(as_schema_feature_name(s2, k), as_schema_feature_name(s, k));
    assert_string_equal(as_schema_target(s2), "outcome");
    assert_string_equal(as_schema_group(s2), "system");
    assert_int_equal(as_schema_encode(s, t, 1, &a), AS_OK);
    assert_int_equal(as_schema_encode(s2, t, 1, &b), AS_OK);
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->x, b->x, a->n * a->d * sizeof(double));
    assert_memory_equal(a->y, b->y, a->n * sizeof(int));
    as_dataset_free(a);
    as_dataset_free(b);
    as_free(text);
    as_json_free(j);
    as_json_free(j2);
    as_schema_free(s);
    as_schema_free(s2);
    as_table_free(t);
}

static void malformed_schema_json_should_be_rejected_with_reason(void **state)
{
    (void)state;
    const struct {
        const char *json, *msg;
    } cases[] = {
        {"{}", "missing array 'columns'"},
        {"{\"columns\": []}", "'columns' must be a non-empty array"},
        {"{\"columns\": [{\"type\": \"number\"}]}", "schema column 0: missing key 'name'"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"date\"}]}", "unknown type 'date'"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"text\"}]}", "'levels' must be a non-empty"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"text\", \"levels\": [\"b\", \"a\"]}]}",
         "levels are not unique and sorted at level 1"},
        {"{\"columns\": [{\"name\": \"a\", \"type\": \"number\"}, {\"name\": \"a\", \"type\": "
         "\"number\"}]}",
         "duplicate column name 'a'"},
        {"{\"target\": 3, \"columns\": [{\"name\": \"a\", \"type\": \"number\"}]}",
         "key 'target' is not a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_json *j;
        as_schema *s = (as_schema *)0x1;
        assert_int_equal(as_json_parse(cases[i].json, "bad.json", &j), AS_OK);
        assert_int_equal(as_schema_from_json(j, &s), AS_EPARSE);
        assert_null(s);
        assert_msg_contains(cases[i].msg);
        as_json_free(j);
    }
}

static void infer_and_encode_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    size_t k;
    for (k = 1; k < 1000; k++) {
        as_schema *s = NULL;
        as_dataset *ds = NULL;
        as_alloc_fail_after(k);
        as_status st = as_schema_infer(t, &o, &s);
        if (st == AS_OK)
            st = as_schema_encode(s, t, 1, &ds);
        as_alloc_fail_after(0);
        as_schema_free(s);
        if (st == AS_OK) {
            as_dataset_free(ds);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(ds);
    }
    assert_true(k > 1 && k < 1000);
    as_table_free(t);
}

static void schema_json_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    as_table *t = load(FIX("data_schema_train.csv"));
    as_schema_options o = train_opts();
    as_schema *s;
    as_json *j;
    assert_int_equal(as_schema_infer(t, &o, &s), AS_OK);
    assert_int_equal(as_schema_to_json(s, &j), AS_OK); /* also installs the cJSON hooks */
    size_t k;
    for (k = 1; k < 1000; k++) {
        as_json *j2 = NULL;
        as_schema *s2 = NULL;
        as_alloc_fail_after(k);
        as_status st = as_schema_to_json(s, &j2);
        if (st == AS_OK)
            st = as_schema_from_json(j2, &s2);
        as_alloc_fail_after(0);
        as_json_free(j2);
        if (st == AS_OK) {
            as_schema_free(s2);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(s2);
    }
    assert_true(k > 1 && k < 1000);
    as_json_free(j);
    as_schema_free(s);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema_should_type_columns_and_sort_levels),
        cmocka_unit_test(encoding_should_one_hot_skip_empty_targets_and_index_groups),
        cmocka_unit_test(prediction_should_zero_unseen_levels_and_warn_with_position),
        cmocka_unit_test(prediction_should_keep_rows_with_empty_target_as_minus_one),
        cmocka_unit_test(mixed_column_should_name_the_odd_cell_and_suggest_text),
        cmocka_unit_test(forced_text_column_should_one_hot_numbers_as_levels),
        cmocka_unit_test(empty_numeric_cell_should_be_an_error_with_position),
        cmocka_unit_test(unknown_target_value_should_be_named_with_position),
        cmocka_unit_test(positive_value_should_make_every_other_value_negative),
        cmocka_unit_test(numeric_targets_equal_to_one_or_zero_should_be_accepted),
        cmocka_unit_test(single_class_target_should_refuse_training),
        cmocka_unit_test(missing_feature_column_should_be_named),
        cmocka_unit_test(unknown_option_columns_should_be_named),
        cmocka_unit_test(empty_group_value_should_be_named_with_position),
        cmocka_unit_test(column_without_values_should_be_named),
        cmocka_unit_test(schema_should_survive_a_json_round_trip),
        cmocka_unit_test(malformed_schema_json_should_be_rejected_with_reason),
        cmocka_unit_test(infer_and_encode_should_fail_cleanly_at_every_allocation),
        cmocka_unit_test(schema_json_should_fail_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
