/* synth: calibrated probabilities. A trained model's calibrator is Platt (or isotonic) fitted
 * on exactly the out-of-fold probabilities of as_synth_cv with the same seed (the fold members
 * are the networks CV scored), so its predictions equal that calibrator (as_calibrator_fit,
 * checked against scikit-learn in tests/evaluate/test_calibration.c) applied to the
 * uncalibrated predictions of the same model read as a version-1 file (which loads
 * uncalibrated). The result's cross-fitted ECE and Brier are recomputed here part by part,
 * and its AUC interval from as_bootstrap_auc_ci (checked against numpy in tests/evaluate). */
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

static char dir[256], train_csv[300], model_json[300], v1_json[300];

static void write_training(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "system,temp_c,rate,cooling,success\n");
    as_rng rng;
    as_rng_stream(&rng, 77, 0);
    static const char *sys[6] = {"CuAu", "CuAg", "CuCr", "CuMn", "CuCo", "CuNi"};
    for (int i = 0; i < 120; i++) {
        double t = 600 + 500 * as_rng_uniform(&rng);
        double rate = 1 + 9 * as_rng_uniform(&rng);
        const char *cool = i % 3 ? "furnace" : "LN2";
        int ok = (t > 800 && rate > 4) || (i % 3 == 0 && t > 700) || i % 11 == 0;
        fprintf(f, "%s,%.3f,%.3f,%s,%s\n", sys[i % 6], t, rate, cool, ok ? "yes" : "no");
    }
    fclose(f);
}

static void encode(as_schema **s, as_dataset **ds, as_table **t)
{
    as_schema_options so = as_schema_options_default();
    so.target = "success";
    as_synth_options opt = as_synth_options_default();
    assert_int_equal(as_table_read_csv(train_csv, t), AS_OK);
    if (as_synth_encode_training(*t, &so, &opt, s, ds) != AS_OK)
        fail_msg("%s", as_errmsg());
}

static as_synth_options options(as_calibration_method m)
{
    as_synth_options o = as_synth_options_default();
    o.seed = 5;
    o.mlp.max_epochs = 15;
    o.threads = 2;
    o.calibration = m;
    return o;
}

/* model_json with its version number set to 1 (byte for byte otherwise) into v1_json */
static void write_v1(void)
{
    FILE *in = fopen(model_json, "rb");
    assert_non_null(in);
    static char text[1 << 22];
    size_t len = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    assert_true(len < sizeof text - 1);
    text[len] = 0;
    char *v = strstr(text, "\"version\"");
    assert_non_null(v);
    char *d = strchr(v, '3'); /* the file is version 3 (with the training domain) */
    assert_non_null(d);
    *d = '1';
    FILE *f = fopen(v1_json, "w");
    assert_non_null(f);
    fwrite(text, 1, len, f);
    fclose(f);
}

static void model_should_carry_the_calibrator_of_the_cv_probabilities(void **state)
{
    (void)state;
    as_schema *s;
    as_dataset *ds;
    as_table *t;
    encode(&s, &ds, &t);
    for (int k = AS_CALIBRATION_NONE; k <= AS_CALIBRATION_ISOTONIC; k++) {
        as_synth_options o = options((as_calibration_method)k);
        as_synth_result *r = NULL;
        as_synth_model *m = NULL, *u = NULL;
        assert_int_equal(as_synth_cv(ds, &o, &r), AS_OK);
        assert_int_equal(as_synth_train(s, ds, &o, &m), AS_OK);
        size_t n_fit;
        assert_int_equal(as_synth_model_calibration(m, &n_fit), k);
        assert_int_equal(n_fit, k == AS_CALIBRATION_NONE ? 0 : ds->n);
        assert_int_equal(as_synth_model_save(m, model_json), AS_OK);
        write_v1();
        assert_int_equal(as_synth_model_load(v1_json, &u), AS_OK);
        assert_int_equal(as_synth_model_calibration(u, NULL), AS_CALIBRATION_NONE);

        double *pc = calloc(ds->n, sizeof *pc), *pu = calloc(ds->n, sizeof *pu);
        double *ref = calloc(ds->n, sizeof *ref);
        assert_int_equal(as_synth_model_predict(m, ds->x, ds->n, pc, NULL, NULL), AS_OK);
        assert_int_equal(as_synth_model_predict(u, ds->x, ds->n, pu, NULL, NULL), AS_OK);
        as_calibrator *c = NULL;
        assert_int_equal(as_calibrator_fit((as_calibration_method)k, r->prob, r->y, ds->n, &c),
                         AS_OK);
        as_calibrator_apply(c, pu, ds->n, ref);
        assert_memory_equal(pc, ref, ds->n * sizeof *pc);
        /* the saved and reloaded calibrated model predicts the same bits */
        as_synth_model *back = NULL;
        assert_int_equal(as_synth_model_load(model_json, &back), AS_OK);
        assert_int_equal(as_synth_model_calibration(back, NULL), k);
        assert_int_equal(as_synth_model_predict(back, ds->x, ds->n, pu, NULL, NULL), AS_OK);
        assert_memory_equal(pc, pu, ds->n * sizeof *pc);
        as_synth_model_free(back);
        as_calibrator_free(c);
        free(pc), free(pu), free(ref);
        as_synth_model_free(m);
        as_synth_model_free(u);
        as_synth_result_free(r);
    }
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static void cross_fitted_calibration_should_hold_out_each_part(void **state)
{
    (void)state;
    as_schema *s;
    as_dataset *ds;
    as_table *t;
    encode(&s, &ds, &t);
    as_synth_options o = options(AS_CALIBRATION_PLATT);
    as_synth_result *r = NULL;
    assert_int_equal(as_synth_cv(ds, &o, &r), AS_OK);
    size_t n = r->n_samples;
    double *q = calloc(n, sizeof *q), *fp = calloc(n, sizeof *fp);
    int *fy = calloc(n, sizeof *fy);
    double e;
    assert_int_equal(as_expected_calibration_error(r->prob, r->y, n, AS_SYNTH_CAL_BINS, &e), AS_OK);
    assert_true(e == r->cal[AS_CALIBRATION_NONE].ece);
    for (int k = AS_CALIBRATION_PLATT; k <= AS_CALIBRATION_ISOTONIC; k++) {
        for (size_t p = 0; p < r->n_parts; p++) {
            size_t nf = 0;
            for (size_t i = 0; i < n; i++)
                if (r->part_of[i] != p) {
                    fp[nf] = r->prob[i];
                    fy[nf++] = r->y[i];
                }
            as_calibrator *c = NULL;
            assert_int_equal(as_calibrator_fit((as_calibration_method)k, fp, fy, nf, &c), AS_OK);
            for (size_t i = 0; i < n; i++)
                if (r->part_of[i] == p)
                    as_calibrator_apply(c, &r->prob[i], 1, &q[i]);
            as_calibrator_free(c);
        }
        as_metrics mm;
        assert_int_equal(as_expected_calibration_error(q, r->y, n, AS_SYNTH_CAL_BINS, &e), AS_OK);
        assert_int_equal(as_metrics_binary(q, r->y, n, 0.5, &mm), AS_OK);
        assert_true(e == r->cal[k].ece);
        assert_true(mm.brier == r->cal[k].brier);
        double pt[AS_SYNTH_CAL_BINS], pp[AS_SYNTH_CAL_BINS];
        size_t cc[AS_SYNTH_CAL_BINS], nb;
        assert_int_equal(as_calibration_curve(q, r->y, n, AS_SYNTH_CAL_BINS, pt, pp, cc, &nb),
                         AS_OK);
        assert_int_equal(nb, r->cal[k].n_bins);
        assert_memory_equal(pt, r->cal[k].prob_true, nb * sizeof *pt);
    }
    /* the AUC interval: the rows bootstrap of the pooled probabilities, stream (seed, 2) */
    as_rng rng;
    double lo, hi;
    as_rng_stream(&rng, o.seed, 2);
    assert_int_equal(as_bootstrap_auc_ci(r->prob, r->y, NULL, n, 0, AS_SYNTH_BOOT, 0.95, &rng, 1,
                                         &lo, &hi, NULL),
                     AS_OK);
    assert_true(lo == r->auc_ci_lo && hi == r->auc_ci_hi && r->ci_groups == 0);
    assert_true(lo < r->pooled.auc && r->pooled.auc < hi);
    free(q), free(fp), free(fy);
    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/as_synth_cal_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(train_csv, sizeof train_csv, "%s/train.csv", dir);
    snprintf(model_json, sizeof model_json, "%s/m.json", dir);
    snprintf(v1_json, sizeof v1_json, "%s/v1.json", dir);
    write_training(train_csv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(train_csv);
    remove(model_json);
    remove(v1_json);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_should_carry_the_calibrator_of_the_cv_probabilities),
        cmocka_unit_test(cross_fitted_calibration_should_hold_out_each_part),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
