/* synth: workflow A driven through the public headers only (include/alloyscout/), as a C
 * program using the library would: encode a table, cross-validate, train, save, load, predict a
 * table into a CSV and recommend. Checks: the out-of-fold AUCs equal scikit-learn's
 * roc_auc_score on the same probabilities (tests/fixtures/synth_auc_ref.py, run on the
 * probabilities this test produced); a loaded model predicts bit for bit like the trained one;
 * the prediction CSV holds those numbers exactly; recommend's ranking is sorted and its top
 * point's probability equals as_synth_model_predict on that point, and on the same point
 * written as a table row and encoded from scratch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloyscout/json.h"
#include "alloyscout/synth.h"

#define TOL 1e-12 /* as tests/evaluate/test_metrics.c: sklearn sums in another order */
#define assert_near(a, b, tol)                                   \
    do {                                                         \
        double a_ = (a), b_ = (b);                               \
        if (!(fabs(a_ - b_) <= (tol)))                           \
            fail_msg("%s = %.17g, reference %.17g", #a, a_, b_); \
    } while (0)

static char dir[256];

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* 80 syntheses in 5 systems: success when hot and quenched in LN2, plus a few exceptions, so
 * the model has something to learn and both classes occur in every fold. */
static void write_training(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "system,temp_c,rate,cooling,success\n");
    as_rng rng;
    as_rng_stream(&rng, 2385, 0);
    static const char *sys[5] = {"CuAu", "CuAg", "CuCr", "CuMn", "CuCo"};
    for (int i = 0; i < 80; i++) {
        double t = 600 + 500 * as_rng_uniform(&rng);
        double rate = 1 + 9 * as_rng_uniform(&rng);
        const char *cool = i % 2 ? "furnace" : "LN2";
        int ok = (t > 850 && i % 2 == 0) || i % 7 == 0;
        fprintf(f, "%s,%.3f,%.3f,%s,%s\n", sys[i % 5], t, rate, cool, ok ? "yes" : "no");
    }
    fclose(f);
}

static as_table *read_table(const char *path)
{
    as_table *t = NULL;
    if (as_table_read_csv(path, &t) != AS_OK)
        fail_msg("%s", as_errmsg());
    return t;
}

static as_synth_options small_options(void)
{
    as_synth_options opt = as_synth_options_default();
    opt.seed = 11;
    opt.mlp.max_epochs = 20;
    opt.threads = 2;
    return opt;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/as_synth_api_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[512];
    path_in(p, sizeof p, "train.csv");
    write_training(p);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *files[] = {"train.csv", "oof.csv",   "ref.json", "model.json", "pred.csv",
                                  "base.csv",  "point.csv", "cv.json",  "roc.csv",    "rec.csv"};
    char p[512];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        path_in(p, sizeof p, files[i]);
        remove(p);
    }
    rmdir(dir);
    return 0;
}

static void encode(as_table *t, as_schema **s, as_dataset **ds)
{
    as_schema_options so = as_schema_options_default();
    so.target = "success";
    so.group = "system";
    as_synth_options opt = small_options();
    if (as_synth_encode_training(t, &so, &opt, s, ds) != AS_OK)
        fail_msg("%s", as_errmsg());
}

static void cv_auc_should_equal_sklearn(void **state)
{
    (void)state;
    char p[512], ref[512], cmd[2048];
    path_in(p, sizeof p, "train.csv");
    as_table *t = read_table(p);
    as_schema *s;
    as_dataset *ds;
    encode(t, &s, &ds);
    assert_int_equal(ds->n, 80);
    as_synth_options opt = small_options();
    as_synth_result *r = NULL;
    assert_int_equal(as_synth_cv(ds, &opt, &r), AS_OK);
    assert_int_equal(r->n_parts, 5);

    path_in(p, sizeof p, "oof.csv");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "part,y,prob\n");
    for (size_t i = 0; i < r->n_samples; i++) {
        assert_true(r->part_of[i] < r->n_parts); /* CV scores every row once */
        fprintf(f, "%zu,%d,%.17g\n", r->part_of[i], r->y[i], r->prob[i]);
    }
    fclose(f);
    path_in(ref, sizeof ref, "ref.json");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s/tests/fixtures/synth_auc_ref.py %s %s",
             AS_SOURCE_DIR, p, ref);
    int rc = system(cmd);
    if (rc != 0 && WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
        as_synth_result_free(r);
        as_dataset_free(ds);
        as_schema_free(s);
        as_table_free(t);
        skip(); /* no scikit-learn */
    }
    assert_int_equal(rc, 0);
    as_json *j = NULL;
    assert_int_equal(as_json_read_file(ref, &j), AS_OK);
    double v;
    assert_int_equal(as_json_get_num(j, "pooled", "ref", &v), AS_OK);
    assert_near(r->pooled.auc, v, TOL);
    as_json *parts = as_json_get(j, "parts");
    assert_int_equal(as_json_size(parts), r->n_parts);
    for (size_t k = 0; k < r->n_parts; k++) {
        assert_true(r->part_valid[k]);
        assert_near(r->part[k].auc, as_json_number(as_json_at(parts, k)), TOL);
    }
    assert_int_equal(as_json_get_num(j, "mean", "ref", &v), AS_OK);
    assert_near(r->mean.auc, v, TOL);
    assert_int_equal(as_json_get_num(j, "std", "ref", &v), AS_OK);
    assert_near(r->std.auc, v, TOL);
    as_json_free(j);

    /* the result files: the JSON holds the same numbers bit for bit, the ROC CSV ends at (1, 1)
     * for the pooled curve */
    as_synth_run_info info = {"cross-validation", "train.csv", opt.seed};
    path_in(p, sizeof p, "cv.json");
    assert_int_equal(as_synth_result_write_json(r, &info, p), AS_OK);
    assert_int_equal(as_json_read_file(p, &j), AS_OK);
    assert_int_equal(as_json_get_num(as_json_get(j, "auc"), "pooled", "cv.json", &v), AS_OK);
    assert_true(v == r->pooled.auc);
    as_json_free(j);
    path_in(p, sizeof p, "roc.csv");
    assert_int_equal(as_synth_result_write_roc(r, p), AS_OK);
    as_table *roc = read_table(p);
    size_t last = as_table_rows(roc) - 1;
    assert_string_equal(as_table_cell(roc, last, 0), "pooled");
    assert_string_equal(as_table_cell(roc, last, 2), "1");
    as_table_free(roc);

    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void bits_equal(const double *a, const double *b, size_t n)
{
    assert_memory_equal(a, b, n * sizeof *a);
}

static void train_save_load_predict_recommend(void **state)
{
    (void)state;
    char p[512], mp[512];
    path_in(p, sizeof p, "train.csv");
    as_table *t = read_table(p);
    as_schema *s;
    as_dataset *ds;
    encode(t, &s, &ds);
    as_synth_options opt = small_options();
    as_synth_model *m = NULL, *m2 = NULL;
    assert_int_equal(as_synth_train(s, ds, &opt, &m), AS_OK);
    path_in(mp, sizeof mp, "model.json");
    assert_int_equal(as_synth_model_save(m, mp), AS_OK);
    assert_int_equal(as_synth_model_load(mp, &m2), AS_OK);
    assert_int_equal(as_synth_model_features(m2), as_synth_model_features(m));
    assert_int_equal(as_synth_model_options(m2)->folds, opt.folds);

    /* the loaded model predicts bit for bit like the trained one */
    size_t n = ds->n;
    double *pa = calloc(n, sizeof *pa), *ma = calloc(n, sizeof *ma), *sa = calloc(n, sizeof *sa);
    double *pb = calloc(n, sizeof *pb), *mb = calloc(n, sizeof *mb), *sb = calloc(n, sizeof *sb);
    assert_true(pa && ma && sa && pb && mb && sb);
    as_dataset *enc = NULL;
    assert_int_equal(as_synth_model_encode(m2, t, 0, &enc), AS_OK);
    bits_equal(enc->x, ds->x, n * ds->d);
    assert_int_equal(as_synth_model_predict(m, ds->x, n, pa, ma, sa), AS_OK);
    assert_int_equal(as_synth_model_predict(m2, enc->x, n, pb, mb, sb), AS_OK);
    bits_equal(pa, pb, n);
    bits_equal(ma, mb, n);
    bits_equal(sa, sb, n);
    for (size_t i = 0; i < n; i++)
        assert_true(pa[i] >= 0 && pa[i] <= 1 && sa[i] >= 0);

    /* the prediction CSV: the table's columns then the three numbers, exactly, then the
     * training-domain flag and reason */
    size_t written = 0;
    path_in(p, sizeof p, "pred.csv");
    assert_int_equal(as_synth_predict_table(m2, t, p, &written), AS_OK);
    assert_int_equal(written, n);
    as_table *pt = read_table(p);
    size_t cols = as_table_cols(t);
    assert_int_equal(as_table_cols(pt), cols + 5);
    assert_string_equal(as_table_name(pt, cols), "probability");
    assert_string_equal(as_table_name(pt, cols + 3), "in_domain");
    assert_string_equal(as_table_name(pt, cols + 4), "domain_reason");
    for (size_t i = 0; i < n; i++) {
        assert_true(strtod(as_table_cell(pt, i, cols), NULL) == pa[i]);
        assert_true(strtod(as_table_cell(pt, i, cols + 1), NULL) == ma[i]);
        assert_true(strtod(as_table_cell(pt, i, cols + 2), NULL) == sa[i]);
        assert_string_equal(as_table_cell(pt, i, 1), as_table_cell(t, i, 1));
    }
    as_table_free(pt);

    /* recommend around the first record */
    path_in(p, sizeof p, "base.csv");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "system,temp_c,rate,cooling\n%s,%s,%s,%s\n", as_table_cell(t, 0, 0),
            as_table_cell(t, 0, 1), as_table_cell(t, 0, 2), as_table_cell(t, 0, 3));
    fclose(f);
    as_table *base = read_table(p);
    as_synth_axis *ax[2] = {NULL, NULL};
    assert_int_equal(as_synth_axis_parse("temp_c=600:1100:100", &ax[0]), AS_OK);
    assert_int_equal(as_synth_axis_parse("cooling=LN2,furnace", &ax[1]), AS_OK);
    as_synth_recommendation *rec = NULL;
    assert_int_equal(as_synth_recommend(m2, base, (const as_synth_axis *const *)ax, 2, NULL, &rec),
                     AS_OK);
    assert_int_equal(rec->n_points, 12);
    assert_int_equal(rec->axis[0].kind, AS_SYNTH_AXIS_NUMBER);
    assert_int_equal(rec->axis[1].kind, AS_SYNTH_AXIS_LEVEL);
    assert_string_equal(rec->axis[0].value[5], "1100");
    assert_string_equal(rec->axis[1].value[1], "furnace");
    /* the ranking is a permutation, sorted by descending probability, ties by point id */
    unsigned char seen[12] = {0};
    for (size_t q = 0; q < rec->n_points; q++) {
        size_t g = rec->rank[q];
        assert_true(g < 12 && !seen[g]);
        seen[g] = 1;
        if (q > 0) {
            size_t h = rec->rank[q - 1];
            assert_true(rec->prob[h] > rec->prob[g] || (rec->prob[h] == rec->prob[g] && h < g));
        }
    }
    /* the top point: the model on its features, and on the same point as a table row */
    size_t top = rec->rank[0], d = rec->d;
    double p1, m1, s1;
    assert_int_equal(as_synth_model_predict(m2, rec->x + top * d, 1, &p1, &m1, &s1), AS_OK);
    assert_true(p1 == rec->prob[top] && m1 == rec->fold_mean[top] && s1 == rec->fold_std[top]);
    size_t i0 = as_synth_recommendation_value(rec, top, 0);
    size_t i1 = as_synth_recommendation_value(rec, top, 1);
    assert_int_equal(top, i0 * 2 + i1);
    path_in(p, sizeof p, "point.csv");
    f = fopen(p, "w");
    assert_non_null(f);
    fprintf(f, "system,temp_c,rate,cooling\n%s,%s,%s,%s\n", as_table_cell(t, 0, 0),
            rec->axis[0].value[i0], as_table_cell(t, 0, 2), rec->axis[1].value[i1]);
    fclose(f);
    as_table *pt1 = read_table(p);
    as_dataset *pe = NULL;
    assert_int_equal(as_synth_model_encode(m2, pt1, 0, &pe), AS_OK);
    bits_equal(pe->x, rec->x + top * d, d);
    double p2;
    assert_int_equal(as_synth_model_predict(m2, pe->x, 1, &p2, NULL, NULL), AS_OK);
    assert_true(p2 == rec->prob[top]);
    as_dataset_free(pe);
    as_table_free(pt1);

    /* the grid CSV in rank order */
    path_in(p, sizeof p, "rec.csv");
    assert_int_equal(as_synth_recommendation_write_csv(rec, p), AS_OK);
    as_table *rt = read_table(p);
    assert_int_equal(as_table_rows(rt), 12);
    assert_string_equal(as_table_cell(rt, 0, 1), rec->axis[0].value[i0]);
    assert_true(strtod(as_table_cell(rt, 0, 3), NULL) == rec->prob[top]);
    as_table_free(rt);
    as_synth_recommendation_free(rec);

    /* errors name the axis */
    as_synth_axis *bad = NULL;
    assert_int_equal(as_synth_axis_parse("pressure", &bad), AS_EINVAL);
    assert_null(bad);
    assert_int_equal(as_synth_axis_parse("pressure=1:2:1", &bad), AS_OK);
    assert_int_equal(
        as_synth_recommend(m2, base, (const as_synth_axis *const *)&bad, 1, NULL, &rec), AS_EINVAL);
    assert_null(rec);
    assert_non_null(strstr(as_errmsg(), "'pressure' is not a feature column"));
    as_synth_axis_free(bad);
    assert_int_equal(as_synth_axis_parse("cooling=air", &bad), AS_OK);
    assert_int_equal(
        as_synth_recommend(m2, base, (const as_synth_axis *const *)&bad, 1, NULL, &rec), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'air' is not a level"));
    as_synth_axis_free(bad);

    for (int k = 0; k < 2; k++)
        as_synth_axis_free(ax[k]);
    as_table_free(base);
    free(pa);
    free(ma);
    free(sa);
    free(pb);
    free(mb);
    free(sb);
    as_dataset_free(enc);
    as_synth_model_free(m);
    as_synth_model_free(m2);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

/* Closed forms: {1, NaN, 2, 4} has mean 7/3 and sample variance ((4/3)^2 + (1/3)^2 +
 * (5/3)^2) / 2 = 7/3; one value has no sd; no values, no mean. */
static void mean_sd_should_skip_nan_and_use_ddof_1(void **state)
{
    (void)state;
    const double v[] = {1, NAN, 2, 4}, one = 5, none = NAN;
    double m, sd;
    as_synth_mean_sd(v, 4, &m, &sd);
    assert_near(m, 7.0 / 3, 1e-15);
    assert_near(sd, sqrt(7.0 / 3), 1e-15);
    as_synth_mean_sd(&one, 1, &m, &sd);
    assert_true(m == 5 && isnan(sd));
    as_synth_mean_sd(&none, 1, &m, &sd);
    assert_true(isnan(m) && isnan(sd));
}

static void find_groups_should_name_an_unknown_group(void **state)
{
    (void)state;
    char p[512];
    path_in(p, sizeof p, "train.csv");
    as_table *t = read_table(p);
    as_schema *s;
    as_dataset *ds;
    encode(t, &s, &ds);
    size_t *g = NULL, n = 0;
    assert_int_equal(as_synth_find_groups(ds, "CuCo,CuAu", &g, &n), AS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(ds->group_names[g[0]], "CuCo");
    assert_string_equal(ds->group_names[g[1]], "CuAu");
    as_free(g);
    assert_int_equal(as_synth_find_groups(ds, "CuCo,CuXx", &g, &n), AS_EINVAL);
    assert_null(g);
    assert_non_null(strstr(as_errmsg(), "'CuXx'"));
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

/* Every allocation failure in loading, predicting, recommending and writing a result gives
 * AS_ENOMEM (loading: or AS_EPARSE, see below), NULL outputs and no output file (leaks show
 * under `make asan`). */
static void allocation_failures_should_give_enomem_and_no_file(void **state)
{
    (void)state;
    char p[512], mp[512], bp[512], out[512];
    path_in(p, sizeof p, "train.csv");
    as_table *t = read_table(p);
    as_schema *s;
    as_dataset *ds;
    encode(t, &s, &ds);
    as_synth_options opt = small_options();
    opt.mlp.max_epochs = 2;
    opt.folds = 2;
    opt.threads = 1;
    opt.mlp.n_hidden = 1; /* a small network: loading allocates one JSON node per weight */
    opt.mlp.hidden[0] = 3;
    as_synth_model *m = NULL;
    as_synth_result *r = NULL;
    assert_int_equal(as_synth_train(s, ds, &opt, &m), AS_OK);
    assert_int_equal(as_synth_cv(ds, &opt, &r), AS_OK);
    path_in(mp, sizeof mp, "model.json");
    assert_int_equal(as_synth_model_save(m, mp), AS_OK);
    path_in(bp, sizeof bp, "base.csv");
    FILE *f = fopen(bp, "w");
    assert_non_null(f);
    fprintf(f, "system,temp_c,rate,cooling\nCuAu,700,2,LN2\n");
    fclose(f);
    as_table *base = read_table(bp);
    as_synth_axis *ax[2] = {NULL, NULL};
    assert_int_equal(as_synth_axis_parse("temp_c=600:1100:100", &ax[0]), AS_OK);
    assert_int_equal(as_synth_axis_parse("cooling=LN2,furnace", &ax[1]), AS_OK);
    path_in(out, sizeof out, "pred.csv");
    remove(out);
    path_in(p, sizeof p, "cv.json"); /* left by the first test */
    remove(p);
    path_in(p, sizeof p, "roc.csv");
    remove(p);
    int done[5] = {0};
    for (size_t k = 1; k < 2000 && !(done[0] && done[1] && done[2] && done[3] && done[4]); k++) {
        as_status st;
        if (!done[0]) {
            as_synth_model *m2 = NULL;
            as_alloc_fail_after(k);
            st = as_synth_model_load(mp, &m2);
            as_alloc_fail_after(0);
            if (st == AS_OK)
                done[0] = 1;
            else {
                /* cJSON reports a failed allocation while parsing as a syntax error */
                assert_true(st == AS_ENOMEM || st == AS_EPARSE);
                assert_null(m2);
            }
            as_synth_model_free(m2);
        }
        if (!done[1]) {
            size_t n = 99;
            as_alloc_fail_after(k);
            st = as_synth_predict_table(m, t, out, &n);
            as_alloc_fail_after(0);
            if (st == AS_OK) {
                done[1] = 1;
                remove(out);
            } else {
                assert_int_equal(st, AS_ENOMEM);
                assert_int_equal(n, 0);
                f = fopen(out, "r");
                if (f)
                    fclose(f);
                assert_null(f);
            }
        }
        if (!done[2]) {
            as_synth_recommendation *rec = NULL;
            as_alloc_fail_after(k);
            st = as_synth_recommend(m, base, (const as_synth_axis *const *)ax, 2, NULL, &rec);
            as_alloc_fail_after(0);
            if (st == AS_OK)
                done[2] = 1;
            else {
                assert_int_equal(st, AS_ENOMEM);
                assert_null(rec);
            }
            as_synth_recommendation_free(rec);
        }
        if (!done[3]) {
            as_synth_axis *a = NULL;
            as_alloc_fail_after(k);
            st = as_synth_axis_parse("cooling=LN2", &a);
            as_alloc_fail_after(0);
            if (st == AS_OK)
                done[3] = 1;
            else {
                assert_int_equal(st, AS_ENOMEM);
                assert_null(a);
            }
            as_synth_axis_free(a);
        }
        if (!done[4]) {
            as_synth_run_info info = {"cross-validation", "train.csv", opt.seed};
            char jp[512], rp[512];
            path_in(jp, sizeof jp, "cv.json");
            path_in(rp, sizeof rp, "roc.csv");
            as_alloc_fail_after(k);
            as_status sr = as_synth_result_write_roc(r, rp);
            as_status sj = as_synth_result_write_json(r, &info, jp);
            as_alloc_fail_after(0);
            if (sr == AS_OK && sj == AS_OK) {
                done[4] = 1;
            } else {
                assert_true(sr == AS_OK || sr == AS_ENOMEM);
                assert_true(sj == AS_OK || sj == AS_ENOMEM);
                f = fopen(sr == AS_OK ? jp : rp, "r"); /* the failed one left no file */
                if (f)
                    fclose(f);
                assert_null(f);
            }
            remove(jp);
            remove(rp);
        }
    }
    for (int i = 0; i < 5; i++)
        assert_true(done[i]);
    for (int k = 0; k < 2; k++)
        as_synth_axis_free(ax[k]);
    as_table_free(base);
    as_synth_result_free(r);
    as_synth_model_free(m);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cv_auc_should_equal_sklearn),
        cmocka_unit_test(train_save_load_predict_recommend),
        cmocka_unit_test(find_groups_should_name_an_unknown_group),
        cmocka_unit_test(mean_sd_should_skip_nan_and_use_ddof_1),
        cmocka_unit_test(allocation_failures_should_give_enomem_and_no_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
