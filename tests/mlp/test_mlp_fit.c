/* mlp: as_mlp_fit, the training loop on explicit training and validation rows. Without
 * validation rows it must equal max_epochs calls of as_mlp_epoch (the step primitive checked
 * against PyTorch in test_torch_reference.c) bit for bit; with them the kept weights are those
 * of the epoch with the lowest validation loss, recomputed here with as_mlp_loss, and training
 * stops exactly `patience` epochs after it. Bad rows are refused naming which rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/mlp.h"

enum { N = 120, NV = 40, D = 3 };

static void make_data(as_rng *r, size_t n, double *x, int *y)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < D; j++)
            x[i * D + j] = as_rng_normal(r);
        y[i] = x[i * D] + 0.5 * x[i * D + 1] * x[i * D + 2] + 0.4 * as_rng_normal(r) > 0;
    }
    y[0] = 1;
    y[1] = 0;
}

static as_mlp_options options(void)
{
    as_mlp_options o = as_mlp_options_default();
    o.n_hidden = 1;
    o.hidden[0] = 8;
    o.max_epochs = 40;
    o.patience = 4;
    o.lr = 0.05; /* large, so the validation loss turns up and patience runs out */
    return o;
}

static void fit_without_validation_should_equal_the_epoch_loop(void **state)
{
    (void)state;
    double x[N * D];
    int y[N];
    as_rng r, ra, rb;
    as_rng_stream(&r, 5, 0);
    make_data(&r, N, x, y);
    as_mlp_options o = options();
    as_mlp *a = NULL, *b = NULL;
    as_rng_stream(&ra, 5, 1);
    as_rng_stream(&rb, 5, 1);
    assert_int_equal(as_mlp_create(D, &o, &ra, &a), AS_OK);
    assert_int_equal(as_mlp_create(D, &o, &rb, &b), AS_OK);
    as_mlp_report rep;
    assert_int_equal(as_mlp_fit(a, x, y, N, NULL, NULL, 0, &ra, &rep), AS_OK);
    assert_int_equal(rep.epochs_run, o.max_epochs);
    assert_int_equal(rep.best_epoch, o.max_epochs);
    assert_int_equal(rep.n_train, N);
    assert_int_equal(rep.n_val, 0);
    assert_null(rep.val_loss);
    assert_true(isnan(rep.best_val_loss));
    for (size_t e = 0; e < o.max_epochs; e++) {
        double tl;
        assert_int_equal(as_mlp_epoch(b, x, y, N, NULL, N, &rb, &tl), AS_OK);
        assert_true(tl == rep.train_loss[e]);
    }
    double pa[N], pb[N];
    assert_int_equal(as_mlp_predict(a, x, N, pa), AS_OK);
    assert_int_equal(as_mlp_predict(b, x, N, pb), AS_OK);
    assert_memory_equal(pa, pb, sizeof pa);
    as_mlp_report_free(&rep);
    as_mlp_free(a);
    as_mlp_free(b);
}

static void fit_should_keep_the_epoch_with_the_lowest_validation_loss(void **state)
{
    (void)state;
    double x[N * D], xv[NV * D];
    int y[N], yv[NV];
    as_rng r;
    as_rng_stream(&r, 9, 0);
    make_data(&r, N, x, y);
    make_data(&r, NV, xv, yv);
    as_mlp_options o = options();
    as_mlp *m = NULL;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    as_mlp_report rep;
    assert_int_equal(as_mlp_fit(m, x, y, N, xv, yv, NV, &r, &rep), AS_OK);
    assert_int_equal(rep.n_val, NV);
    size_t best = 0;
    for (size_t e = 1; e < rep.epochs_run; e++)
        if (rep.val_loss[e] < rep.val_loss[best])
            best = e;
    assert_int_equal(rep.best_epoch, best + 1);
    assert_true(rep.best_val_loss == rep.val_loss[best]);
    assert_true(rep.stopped_early); /* lr 0.05 overfits these 120 rows well before 40 epochs */
    assert_int_equal(rep.epochs_run, rep.best_epoch + o.patience);
    double now;
    assert_int_equal(as_mlp_loss(m, xv, yv, NV, NULL, NV, &now), AS_OK);
    assert_true(now == rep.best_val_loss); /* the best epoch's weights were restored */
    as_mlp_report_free(&rep);
    as_mlp_free(m);
}

static void fit_should_name_bad_rows(void **state)
{
    (void)state;
    double x[N * D], xv[NV * D];
    int y[N], yv[NV];
    as_rng r;
    as_rng_stream(&r, 2, 0);
    make_data(&r, N, x, y);
    make_data(&r, NV, xv, yv);
    as_mlp_options o = options();
    as_mlp *m = NULL;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    assert_int_equal(as_mlp_fit(m, x, y, 0, xv, yv, NV, &r, NULL), AS_EINVAL);
    yv[3] = 2;
    assert_int_equal(as_mlp_fit(m, x, y, N, xv, yv, NV, &r, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "validation row 3"));
    yv[3] = 1;
    x[5 * D + 1] = NAN;
    assert_int_equal(as_mlp_fit(m, x, y, N, xv, yv, NV, &r, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "training row 5 column 1"));
    assert_int_equal(as_mlp_fit(m, xv, yv, NV, NULL, NULL, 3, &r, NULL), AS_EINVAL);
    as_mlp_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_without_validation_should_equal_the_epoch_loop),
        cmocka_unit_test(fit_should_keep_the_epoch_with_the_lowest_validation_loss),
        cmocka_unit_test(fit_should_name_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
