/* mlp: the validation-AUC early-stopping rule (AS_MLP_STOP_AUC). The loop is re-run here by
 * hand from the step primitives (as_mlp_epoch on a twin network with the same stream), the AUC
 * of each epoch recomputed with the evaluate area's as_roc_auc (checked against scikit-learn's
 * roc_auc_score in tests/evaluate), and the rule applied independently: the kept epoch is the
 * last one reaching the highest AUC, training stops `patience` epochs after the last strict
 * improvement, and the network ends with the kept epoch's weights (same predictions bit for
 * bit). Also: the option round-trips through the model file, an older file without "stop"
 * reads as the loss rule, and a one-class validation set falls back to the loss. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/evaluate.h"
#include "alloyscout/mlp.h"

enum { N = 160, NV = 48, D = 4, EPOCHS = 60 };

static void make_data(as_rng *r, size_t n, double *x, int *y)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < D; j++)
            x[i * D + j] = as_rng_normal(r);
        y[i] = x[i * D] - 0.7 * x[i * D + 1] * x[i * D + 2] + 0.8 * as_rng_normal(r) > 0;
    }
    y[0] = 1;
    y[1] = 0;
}

static as_mlp_options options(void)
{
    as_mlp_options o = as_mlp_options_default();
    o.n_hidden = 1;
    o.hidden[0] = 16;
    o.max_epochs = EPOCHS;
    o.patience = 6;
    o.lr = 0.02;
    o.stop = AS_MLP_STOP_AUC;
    return o;
}

static void auc_rule_should_match_a_hand_run_loop(void **state)
{
    (void)state;
    static double x[N * D], xv[NV * D], snap[EPOCHS][NV];
    static int y[N], yv[NV];
    as_rng r, ra, rb;
    as_rng_stream(&r, 21, 0);
    make_data(&r, N, x, y);
    make_data(&r, NV, xv, yv);
    as_mlp_options o = options();
    as_mlp *a = NULL, *b = NULL;
    as_rng_stream(&ra, 21, 1);
    as_rng_stream(&rb, 21, 1);
    assert_int_equal(as_mlp_create(D, &o, &ra, &a), AS_OK);
    assert_int_equal(as_mlp_create(D, &o, &rb, &b), AS_OK);
    as_mlp_report rep;
    assert_int_equal(as_mlp_fit(a, x, y, N, xv, yv, NV, &ra, &rep), AS_OK);
    assert_non_null(rep.val_auc);

    /* the same epochs by hand (as_mlp_fit resets Adam, a fresh network starts reset) */
    double auc[EPOCHS], best = -1;
    size_t kept = 0, last_up = 0, stop_at = EPOCHS;
    for (size_t e = 1; e <= EPOCHS; e++) {
        assert_int_equal(as_mlp_epoch(b, x, y, N, NULL, N, &rb, NULL), AS_OK);
        assert_int_equal(as_mlp_predict(b, xv, NV, snap[e - 1]), AS_OK);
        assert_int_equal(as_roc_auc(snap[e - 1], yv, NV, &auc[e - 1]), AS_OK);
        if (auc[e - 1] > best)
            last_up = e;
        if (auc[e - 1] >= best) {
            best = auc[e - 1];
            kept = e;
        }
        if (e - last_up >= o.patience) {
            stop_at = e;
            break;
        }
    }
    assert_int_equal(rep.epochs_run, stop_at);
    for (size_t e = 0; e < rep.epochs_run; e++)
        assert_true(fabs(rep.val_auc[e] - auc[e]) < 1e-12);
    assert_int_equal(rep.best_epoch, kept);
    assert_true(fabs(rep.best_val_auc - best) < 1e-12);
    assert_true(rep.stopped_early == (stop_at < EPOCHS));
    double now[NV];
    assert_int_equal(as_mlp_predict(a, xv, NV, now), AS_OK);
    assert_memory_equal(now, snap[kept - 1], sizeof now); /* the kept epoch's weights */
    as_mlp_report_free(&rep);
    as_mlp_free(a);
    as_mlp_free(b);
}

static void auc_rule_should_survive_the_model_file(void **state)
{
    (void)state;
    as_rng r;
    as_rng_stream(&r, 3, 0);
    as_mlp_options o = options();
    as_mlp *m = NULL, *back = NULL;
    as_json *j = NULL;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    assert_int_equal(as_mlp_to_json(m, &j), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &back), AS_OK);
    assert_int_equal(as_mlp_get_options(back)->stop, AS_MLP_STOP_AUC);
    as_mlp_free(back);
    /* a file from before the option: no "stop" key, read as the loss rule */
    char *text = as_json_print(j), *k;
    assert_non_null(text);
    assert_non_null(k = strstr(text, "\"stop\""));
    char *end = strchr(strstr(k, "auc"), '"') + 1; /* past "auc" */
    while (*end == ',' || *end == ' ' || *end == '\t' || *end == '\n')
        end++;
    memmove(k, end, strlen(end) + 1);
    if (*k == '}') /* "stop" was last: drop the comma before it */
        for (char *c = k - 1; *c == ' ' || *c == '\t' || *c == '\n' || *c == ','; c--)
            if (*c == ',') {
                *c = ' ';
                break;
            }
    as_json *old = NULL;
    assert_int_equal(as_json_parse(text, "old model", &old), AS_OK);
    as_free(text);
    assert_null(as_json_get(as_json_get(old, "options"), "stop"));
    assert_int_equal(as_mlp_from_json(old, &back), AS_OK);
    as_json_free(old);
    assert_int_equal(as_mlp_get_options(back)->stop, AS_MLP_STOP_LOSS);
    as_mlp_free(back);
    as_json_free(j);
    as_mlp_free(m);

    as_mlp_stop s;
    assert_int_equal(as_mlp_stop_parse("auc", &s), AS_OK);
    assert_int_equal(s, AS_MLP_STOP_AUC);
    assert_int_equal(as_mlp_stop_parse("loss", &s), AS_OK);
    assert_int_equal(s, AS_MLP_STOP_LOSS);
    assert_int_equal(as_mlp_stop_parse("accuracy", &s), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'accuracy'"));
}

static void one_class_validation_should_fall_back_to_the_loss(void **state)
{
    (void)state;
    static double x[N * D], xv[NV * D];
    static int y[N], yv[NV];
    as_rng r, ra, rb;
    as_rng_stream(&r, 8, 0);
    make_data(&r, N, x, y);
    make_data(&r, NV, xv, yv);
    for (size_t i = 0; i < NV; i++)
        yv[i] = 0;
    as_mlp_options o = options(), ol = options();
    ol.stop = AS_MLP_STOP_LOSS;
    as_mlp *a = NULL, *b = NULL;
    as_rng_stream(&ra, 8, 1);
    as_rng_stream(&rb, 8, 1);
    assert_int_equal(as_mlp_create(D, &o, &ra, &a), AS_OK);
    assert_int_equal(as_mlp_create(D, &ol, &rb, &b), AS_OK);
    as_mlp_report ra_rep, rb_rep;
    assert_int_equal(as_mlp_fit(a, x, y, N, xv, yv, NV, &ra, &ra_rep), AS_OK);
    assert_int_equal(as_mlp_fit(b, x, y, N, xv, yv, NV, &rb, &rb_rep), AS_OK);
    assert_null(ra_rep.val_auc);
    assert_true(isnan(ra_rep.best_val_auc));
    assert_int_equal(ra_rep.best_epoch, rb_rep.best_epoch);
    assert_int_equal(ra_rep.epochs_run, rb_rep.epochs_run);
    as_mlp_report_free(&ra_rep);
    as_mlp_report_free(&rb_rep);
    as_mlp_free(a);
    as_mlp_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(auc_rule_should_match_a_hand_run_loop),
        cmocka_unit_test(auc_rule_should_survive_the_model_file),
        cmocka_unit_test(one_class_validation_should_fall_back_to_the_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
