/* synth: rows that cannot be read and cells that are missing (issue 12 item 2), and warnings
 * that name columns once (issue 16 item 8).
 *  - strict (default): an unreadable formula or a text cell in a numeric column fails with
 *    file:line:column and the text;
 *  - --on-bad-row skip: those rows are left out and counted (dataset, result, JSON);
 *  - --impute median: an empty numeric cell is filled with the median of each member's own
 *    training rows (numpy.nanmedian's definition, here a closed form: the training values are
 *    500, 510, ... with one gap), and a prediction of a row with an empty cell equals the
 *    prediction of the same row with that median typed in;
 *  - a text column unique per row, or one of alloy formulas, is warned about by name; a
 *    constant column is warned about once, by name, however many members are trained. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/json.h"
#include "alloyscout/synth.h"

#define N_ROWS 60

static char logbuf[16384];
static size_t n_warn;
static void capture(as_log_level level, const char *msg, void *user)
{
    (void)user;
    if (level != AS_LOG_WARN)
        return;
    n_warn++;
    size_t len = strlen(logbuf);
    snprintf(logbuf + len, sizeof logbuf - len, "%s\n", msg);
}
static void log_reset(void)
{
    logbuf[0] = '\0';
    n_warn = 0;
    as_set_log(capture, NULL);
}
static size_t count(const char *needle)
{
    size_t k = 0;
    for (const char *p = logbuf; (p = strstr(p, needle)); p++)
        k++;
    return k;
}

static const char *const syms[6] = {"Cu", "Co", "Ni", "Fe", "Cr", "Mn"};

/* formula,temp,route,id,alloy,const,y; temp = 500 + 10 i. bad: 1 puts an unknown element in
 * row 3, text "n/a" in row 5's temp; empty: row 7's temp is empty. */
static as_table *table(int bad, int empty, int extra)
{
    static char text[N_ROWS * 160 + 200];
    size_t len = 0;
    len += (size_t)snprintf(text + len, sizeof text - len, "formula,temp,route%s,y\n",
                            extra ? ",id,alloy,const" : "");
    for (int i = 0; i < N_ROWS; i++) {
        const char *a = syms[i % 6], *b = syms[(i / 6 + 1 + i % 6) % 6];
        if (a == b)
            b = "Al";
        char f[64], t[32];
        snprintf(f, sizeof f, "%s%d%s%d", a, 20 + i % 7 * 5, b, 80 - i % 7 * 5);
        if (bad && i == 3)
            snprintf(f, sizeof f, "Cu50Xx50");
        snprintf(t, sizeof t, "%d", 500 + 10 * i);
        if (bad && i == 5)
            snprintf(t, sizeof t, "n/a");
        if (empty && i == 7)
            t[0] = '\0';
        int y = (i % 6 < 3) ^ (i % 5 == 0);
        len += (size_t)snprintf(text + len, sizeof text - len, "%s,%s,%s", f, t,
                                i % 4 ? "arc" : "cast");
        if (extra)
            len += (size_t)snprintf(text + len, sizeof text - len, ",s%03d,%s%d%s%d,7", i, a, i + 1,
                                    b, 100 - i);
        len += (size_t)snprintf(text + len, sizeof text - len, ",%d\n", y);
    }
    as_table *tab = NULL;
    if (as_table_parse_csv(text, len, "t.csv", &tab) != AS_OK)
        fail_msg("%s", as_errmsg());
    return tab;
}

static as_synth_options options(void)
{
    as_synth_options o = as_synth_options_default();
    o.seed = 3;
    o.mlp.max_epochs = 4;
    o.folds = 3;
    o.threads = 2;
    o.composition = "formula";
    return o;
}

static as_schema_options schema_options(void)
{
    as_schema_options so = as_schema_options_default();
    so.target = "y";
    return so;
}

static void strict_should_name_file_line_column_and_text(void **state)
{
    (void)state;
    as_table *t = table(1, 0, 0);
    as_schema_options so = schema_options();
    as_synth_options o = options();
    as_schema *s = NULL;
    as_dataset *ds = NULL;
    /* temp mixes numbers and one text cell: a typing error by default */
    assert_int_equal(as_synth_encode_training(t, &so, &o, &s, &ds), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "t.csv:7:"));
    assert_non_null(strstr(as_errmsg(), "'n/a'"));
    /* with temp dropped, the formula of row 3 (line 5) is the error */
    so.drop = "temp";
    assert_int_equal(as_synth_encode_training(t, &so, &o, &s, &ds), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "t.csv:5:5: unknown element 'Xx'"));
    assert_non_null(strstr(as_errmsg(), "Cu50Xx50"));
    assert_null(s);
    assert_null(ds);
    as_table_free(t);
}

static void skip_should_leave_out_and_count_bad_rows(void **state)
{
    (void)state;
    as_table *t = table(1, 0, 0);
    as_schema_options so = schema_options();
    as_synth_options o = options();
    o.skip_bad_rows = 1;
    as_schema *s = NULL;
    as_dataset *ds = NULL;
    log_reset();
    if (as_synth_encode_training(t, &so, &o, &s, &ds) != AS_OK)
        fail_msg("%s", as_errmsg());
    assert_int_equal(ds->n, N_ROWS - 2);
    assert_int_equal(ds->n_bad, 2);
    for (size_t r = 0; r < ds->n; r++)
        assert_true(ds->row[r] != 3 && ds->row[r] != 5);
    /* one line per kind, each with the first cell's place */
    assert_int_equal(count("t.csv:7:"), 1);
    assert_int_equal(count("t.csv:5:5: unknown element 'Xx'"), 1);
    as_synth_result *r = NULL;
    if (as_synth_cv(ds, &o, &r) != AS_OK)
        fail_msg("%s", as_errmsg());
    assert_int_equal(r->n_bad, 2);
    assert_int_equal(r->n_samples, N_ROWS - 2);
    char path[] = "/tmp/as_rows_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    as_synth_run_info info = {"cross-validation", "t.csv", 3};
    assert_int_equal(as_synth_result_write_json(r, &info, path), AS_OK);
    as_json *j = NULL;
    assert_int_equal(as_json_read_file(path, &j), AS_OK);
    assert_true(as_json_number(as_json_get(j, "n_bad_rows")) == 2.0);
    as_json_free(j);
    remove(path);
    as_set_log(NULL, NULL);
    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void impute_should_use_the_training_rows_median(void **state)
{
    (void)state;
    as_table *t = table(0, 1, 0);
    as_schema_options so = schema_options();
    as_synth_options o = options();
    as_schema *s = NULL;
    as_dataset *ds = NULL;
    /* strict: the empty cell is an error naming --impute */
    assert_int_equal(as_synth_encode_training(t, &so, &o, &s, &ds), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "t.csv:9:"));
    assert_non_null(strstr(as_errmsg(), "--impute median"));
    o.impute = AS_SYNTH_IMPUTE_MEDIAN;
    if (as_synth_encode_training(t, &so, &o, &s, &ds) != AS_OK)
        fail_msg("%s", as_errmsg());
    assert_int_equal(ds->n_missing, 1);
    assert_true(isnan(ds->x[7 * ds->d + 0]));
    as_synth_model *m = NULL;
    if (as_synth_train(s, ds, &o, &m) != AS_OK)
        fail_msg("%s", as_errmsg());
    char path[] = "/tmp/as_rows_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(as_synth_model_save(m, path), AS_OK);
    as_json *j = NULL;
    assert_int_equal(as_json_read_file(path, &j), AS_OK);
    /* 59 values 500 + 10 i (i != 7): the 30th smallest is i = 30, 800 */
    const as_json *med = as_json_get(as_json_get(j, "model"), "impute_median");
    assert_non_null(med);
    assert_true(as_json_number(as_json_at(med, 0)) == 800.0);
    /* each fold member's median comes from its own training rows (40 of 60): never all */
    const as_json *folds = as_json_get(j, "fold_models");
    size_t differ = 0;
    for (size_t f = 0; f < as_json_size(folds); f++) {
        double v =
            as_json_number(as_json_at(as_json_get(as_json_at(folds, f), "impute_median"), 0));
        assert_true(v >= 500 && v <= 1090);
        differ += v != 800.0;
    }
    assert_true(differ >= 1);
    as_json_free(j);
    /* the saved model reads back with its imputer */
    as_synth_model *m2 = NULL;
    if (as_synth_model_load(path, &m2) != AS_OK)
        fail_msg("%s", as_errmsg());
    remove(path);
    /* a row with an empty temp predicts as the same row with the median typed in */
    as_dataset *pd = NULL;
    assert_int_equal(as_synth_model_encode(m2, t, 0, &pd), AS_OK);
    double *row = malloc(2 * pd->d * sizeof *row);
    memcpy(row, pd->x + 7 * pd->d, pd->d * sizeof *row);
    memcpy(row + pd->d, row, pd->d * sizeof *row);
    row[pd->d] = 800.0;
    double p[2];
    assert_int_equal(as_synth_model_predict(m2, row, 2, p, NULL, NULL), AS_OK);
    assert_true(isfinite(p[0]));
    assert_true(p[0] == p[1]);
    free(row);
    as_dataset_free(pd);
    as_synth_model_free(m2);
    as_synth_model_free(m);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void warnings_should_name_columns_once(void **state)
{
    (void)state;
    as_table *t = table(0, 0, 1);
    as_schema_options so = schema_options();
    as_synth_options o = options();
    as_schema *s = NULL;
    as_dataset *ds = NULL;
    log_reset();
    if (as_synth_encode_training(t, &so, &o, &s, &ds) != AS_OK)
        fail_msg("%s", as_errmsg());
    as_synth_result *r = NULL;
    if (as_synth_cv(ds, &o, &r) != AS_OK)
        fail_msg("%s", as_errmsg());
    as_set_log(NULL, NULL);
    /* id: unique per row; alloy: formulas; const: the same value everywhere */
    assert_int_equal(count("column 'id' has a different text value in each of its 60 rows"), 1);
    assert_int_equal(count("column 'alloy' looks like alloy formulas"), 1);
    assert_int_equal(count("pass --composition alloy"), 1);
    assert_int_equal(count("'const'"), 1);
    assert_int_equal(count("scaler"), 0); /* no warning by index, none per member */
    assert_int_equal(count("feature column"), 1);
    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void lenient_descriptors_should_mark_bad_rows(void **state)
{
    (void)state;
    as_table *t = table(1, 0, 0);
    double *x = NULL;
    size_t d = 0, n_bad = 0;
    unsigned char bad[N_ROWS];
    char msg[300];
    assert_int_equal(as_composition_table_descriptors_lenient(t, "formula", NULL, NULL, &x, &d, bad,
                                                              &n_bad, msg, sizeof msg),
                     AS_OK);
    assert_int_equal(n_bad, 1);
    for (size_t i = 0; i < N_ROWS; i++) {
        assert_int_equal(bad[i], i == 3);
        assert_int_equal(isnan(x[i * d]) != 0, i == 3);
    }
    assert_string_equal(msg, "t.csv:5:5: unknown element 'Xx' (formula 'Cu50Xx50')");
    as_free(x);
    as_table_free(t);
}

/* --repeats: repeat 0 is the plain CV bit for bit; the other repeats differ; with a group
 * column the per-group AUC is as_grouped_auc (checked against scikit-learn in
 * tests/evaluate/test_grouped_auc.c) of the out-of-fold probabilities. */
static void repeats_should_start_with_the_plain_cv(void **state)
{
    (void)state;
    as_table *t = table(0, 0, 1);
    as_schema_options so = schema_options();
    so.group = "route"; /* two groups, both with both classes */
    so.drop = "id,alloy";
    as_synth_options o = options();
    o.folds = 2;
    o.resample.method = AS_RESAMPLE_NONE; /* 30 training rows per fold */
    as_schema *s = NULL;
    as_dataset *ds = NULL;
    if (as_synth_encode_training(t, &so, &o, &s, &ds) != AS_OK)
        fail_msg("%s", as_errmsg());
    as_synth_result *r1 = NULL, *r3 = NULL;
    if (as_synth_cv(ds, &o, &r1) != AS_OK)
        fail_msg("%s", as_errmsg());
    assert_int_equal(as_synth_cv_repeated(ds, &o, 3, &r3), AS_OK);
    assert_int_equal(r3->n_repeats, 3);
    assert_true(r3->repeat_auc_pooled[0] == r1->pooled.auc);
    assert_true(r3->repeat_auc_mean[0] == r1->mean.auc);
    assert_true(r3->pooled.auc == r1->pooled.auc);
    assert_true(r3->repeat_auc_pooled[1] != r3->repeat_auc_pooled[0] ||
                r3->repeat_auc_pooled[2] != r3->repeat_auc_pooled[0]);
    double w, m;
    size_t d, sg;
    assert_int_equal(
        as_grouped_auc(r1->prob, r1->y, ds->group, ds->n, ds->n_groups, &w, &m, &d, &sg), AS_OK);
    assert_true(d + sg == ds->n_groups);
    assert_int_equal(r1->groups_defined, d);
    assert_int_equal(r1->groups_single, sg);
    assert_true((isnan(w) && isnan(r1->auc_group_weighted)) || w == r1->auc_group_weighted);
    assert_true((isnan(w) && isnan(r3->repeat_auc_group[0])) || w == r3->repeat_auc_group[0]);
    assert_int_equal(d, 2);
    as_synth_result *r0 = NULL;
    assert_int_equal(as_synth_cv_repeated(ds, &o, 0, &r0), AS_EINVAL);
    assert_null(r0);
    as_synth_result_free(r1);
    as_synth_result_free(r3);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strict_should_name_file_line_column_and_text),
        cmocka_unit_test(skip_should_leave_out_and_count_bad_rows),
        cmocka_unit_test(impute_should_use_the_training_rows_median),
        cmocka_unit_test(warnings_should_name_columns_once),
        cmocka_unit_test(lenient_descriptors_should_mark_bad_rows),
        cmocka_unit_test(repeats_should_start_with_the_plain_cv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
