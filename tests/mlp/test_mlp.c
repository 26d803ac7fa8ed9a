/* mlp: options and hidden-spec parsing, the analytic gradient against central differences,
 * the stable loss for huge logits, prediction against a naive forward pass, learning a
 * separable problem, early stopping, determinism, the stratified split, model JSON, and
 * allocation failures. The PyTorch comparison lives in test_torch_reference.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/mlp.h"
#include "mlp/mlp_int.h"

/* ---- data helpers ---- */

/* x (n, d) ~ N(0.3, 1.7^2), y from a nonlinear rule with about 40 % positives. */
static void make_data(as_rng *r, size_t n, size_t d, double *x, int *y)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = 0.3 + 1.7 * as_rng_normal(r);
        double s = sin(1.3 * x[i * d]) + 0.7 * x[i * d + 1 % d] * x[i * d + (d - 1)];
        y[i] = s > 0.2;
    }
    y[0] = 1;
    y[1] = 0;
}

static as_mlp_options small_options(size_t h1, size_t h2)
{
    as_mlp_options o = as_mlp_options_default();
    o.n_hidden = h2 ? 2 : 1;
    o.hidden[0] = h1;
    o.hidden[1] = h2;
    return o;
}

/* ---- options ---- */

static void options_check_should_name_each_bad_option(void **state)
{
    (void)state;
    as_mlp_options d = as_mlp_options_default();
    assert_int_equal(as_mlp_options_check(&d), AS_OK);
    assert_int_equal(d.n_hidden, 2);
    assert_int_equal(d.hidden[0], 64);
    assert_int_equal(d.hidden[1], 32);
    assert_true(d.lr == 1e-3 && d.beta1 == 0.9 && d.beta2 == 0.999 && d.eps == 1e-8);
    assert_true(d.batch == 16 && d.max_epochs == 50 && d.patience == 10);
    assert_true(d.val_fraction == 0.2 && d.weight_decay == 0.0);

    as_mlp_options o;
    o = d;
    o.lr = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "lr 0 must be > 0"));
    o = d;
    o.lr = -1e-3;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    o = d;
    o.lr = NAN;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    o = d;
    o.batch = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "batch size 0"));
    o = d;
    o.n_hidden = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "empty"));
    o = d;
    o.hidden[1] = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "hidden layer 2 has width 0"));
    o = d;
    o.beta1 = 1.0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "beta1"));
    o = d;
    o.beta2 = -0.1;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "beta2"));
    o = d;
    o.eps = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "eps"));
    o = d;
    o.weight_decay = -1;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "weight_decay"));
    o = d;
    o.max_epochs = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "max_epochs"));
    o = d;
    o.val_fraction = 1.0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "val_fraction"));
    o = d;
    o.patience = 0;
    assert_int_equal(as_mlp_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "patience"));
    o.val_fraction = 0; /* no early stopping: patience is unused */
    assert_int_equal(as_mlp_options_check(&o), AS_OK);
}

static void parse_hidden_should_read_widths_and_point_at_the_bad_character(void **state)
{
    (void)state;
    as_mlp_options o = as_mlp_options_default();
    assert_int_equal(as_mlp_parse_hidden("128, 16 ,7", &o), AS_OK);
    assert_int_equal(o.n_hidden, 3);
    assert_int_equal(o.hidden[0], 128);
    assert_int_equal(o.hidden[1], 16);
    assert_int_equal(o.hidden[2], 7);
    assert_int_equal(o.hidden[3], 0);

    as_mlp_options before = o;
    assert_int_equal(as_mlp_parse_hidden("64,,32", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'64,,32': empty layer width at position 4"));
    assert_int_equal(as_mlp_parse_hidden("abc", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "'abc': 'a' at position 1 is not a positive integer"));
    assert_int_equal(as_mlp_parse_hidden("", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "is empty"));
    assert_int_equal(as_mlp_parse_hidden("64,", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "position 4"));
    assert_int_equal(as_mlp_parse_hidden("64,0", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "position 4 must be in 1.."));
    assert_int_equal(as_mlp_parse_hidden("64;32", &o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "unexpected ';' at position 3"));
    assert_int_equal(as_mlp_parse_hidden("-4", &o), AS_EINVAL);
    assert_int_equal(as_mlp_parse_hidden("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &o),
                     AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "more than 16 layers"));
    assert_memory_equal(&before, &o, sizeof o);
}

/* ---- gradient ---- */

static void gradient_should_match_central_differences(void **state)
{
    (void)state;
    enum { N = 11, D = 4 };
    double x[N * D];
    int y[N];
    as_rng r;
    as_rng_seed(&r, 2385);
    make_data(&r, N, D, x, y);
    as_mlp_options o = small_options(6, 5);
    o.n_hidden = 3;
    o.hidden[2] = 3;
    as_mlp *m;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    size_t np = as_mlp_n_params(m);
    assert_int_equal(np, 6 * 5 + 5 * 7 + 3 * 6 + 4);
    double *p = as_mlp_param_data(m), g[256], loss;
    assert_int_equal(as_mlp_loss_grad(m, x, y, N, NULL, N, &loss), AS_OK);
    memcpy(g, as_mlp_grad_data(m), np * sizeof(double));

    /* Central difference with step h: truncation error h^2/6 |L'''| (|L'''| <= ~1 here, the
     * inputs and weights being O(1)), rounding error ~ N eps L / h from the N-term loss sum.
     * h = eps^(1/3) balances the two; the tolerance is 10x their sum (~3e-9). No pre-activation
     * lies within h of a ReLU kink for this seed (checked by the max error itself). */
    double h = cbrt(DBL_EPSILON);
    double tol = 10.0 * (N * DBL_EPSILON * loss / h + h * h);
    double max_err = 0, max_g = 0;
    for (size_t i = 0; i < np; i++) {
        double p0 = p[i], lp, lm;
        p[i] = p0 + h;
        assert_int_equal(as_mlp_loss(m, x, y, N, NULL, N, &lp), AS_OK);
        p[i] = p0 - h;
        assert_int_equal(as_mlp_loss(m, x, y, N, NULL, N, &lm), AS_OK);
        p[i] = p0;
        double fd = (lp - lm) / (2 * h);
        double err = fabs(fd - g[i]);
        max_err = err > max_err ? err : max_err;
        max_g = fabs(g[i]) > max_g ? fabs(g[i]) : max_g;
        if (err > tol)
            fail_msg("parameter %zu: analytic %.12g, central difference %.12g (tol %.3g)", i, g[i],
                     fd, tol);
    }
    assert_true(max_g > 1e-3); /* the check is not vacuous */
    assert_true(max_err / max_g < 1e-6);
    as_mlp_free(m);
}

static void loss_should_stay_finite_and_exact_for_huge_logits(void **state)
{
    (void)state;
    /* All weights 0 and output bias b: every logit is b. For b = -1000 the mean loss is
     * (positives / n) * 1000 exactly (log1p(exp(-1000)) = 0); sigmoid then log would give inf. */
    double x[5 * 2] = {0.1, 2.3, -1.2, 0.5, 3.3, -0.7, 0.0, 1.1, 2.385, -4.0};
    int y[5] = {1, 0, 0, 1, 0};
    as_rng r;
    as_rng_seed(&r, 1);
    as_mlp_options o = small_options(3, 0);
    as_mlp *m;
    assert_int_equal(as_mlp_create(2, &o, &r, &m), AS_OK);
    double *p = as_mlp_param_data(m);
    size_t np = as_mlp_n_params(m);
    memset(p, 0, np * sizeof(double));
    p[np - 1] = -1000.0;
    double loss;
    assert_int_equal(as_mlp_loss(m, x, y, 5, NULL, 5, &loss), AS_OK);
    assert_true(loss == 400.0);
    p[np - 1] = 1000.0;
    assert_int_equal(as_mlp_loss(m, x, y, 5, NULL, 5, &loss), AS_OK);
    assert_true(loss == 600.0);
    double prob[5];
    assert_int_equal(as_mlp_predict(m, x, 5, prob), AS_OK);
    for (int i = 0; i < 5; i++)
        assert_true(prob[i] == 1.0);
    as_mlp_free(m);
}

/* ---- prediction ---- */

static void predict_should_equal_a_naive_forward_pass(void **state)
{
    (void)state;
    enum { N = 300, D = 5 }; /* more than one 256-row chunk */
    static double x[N * D], prob[N];
    static int y[N];
    as_rng r;
    as_rng_seed(&r, 77);
    make_data(&r, N, D, x, y);
    as_mlp_options o = small_options(9, 4);
    as_mlp *m;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    assert_int_equal(as_mlp_predict(m, x, N, prob), AS_OK);
    const double *p = as_mlp_param_data(m);
    size_t w[4] = {D, 9, 4, 1};
    for (size_t i = 0; i < N; i++) {
        double a[16], b[16];
        for (size_t j = 0; j < D; j++)
            a[j] = x[i * D + j];
        size_t off = 0;
        for (size_t l = 1; l <= 3; l++) {
            const double *W = p + off, *B = p + off + w[l] * w[l - 1];
            for (size_t u = 0; u < w[l]; u++) {
                double s = B[u];
                for (size_t v = 0; v < w[l - 1]; v++)
                    s += W[u * w[l - 1] + v] * a[v];
                b[u] = l < 3 && s < 0 ? 0 : s;
            }
            off += w[l] * (w[l - 1] + 1);
            memcpy(a, b, sizeof b);
        }
        double ref = 1.0 / (1.0 + exp(-a[0]));
        /* same sums in another order: a few ulps */
        assert_true(fabs(prob[i] - ref) <= 1e-14);
    }
    as_mlp_free(m);
}

/* ---- training ---- */

static void training_should_drive_the_loss_near_zero_on_a_separable_problem(void **state)
{
    (void)state;
    enum { N = 96, D = 3 };
    double x[N * D];
    int y[N];
    as_rng r;
    as_rng_seed(&r, 2385);
    /* labels by the side of the plane 2.385 x0 - 1.1 x1 + 0.7 x2 + 0.4 = 0, with a margin */
    for (size_t i = 0; i < N;) {
        double v[D], s = 0.4;
        const double wt[D] = {2.385, -1.1, 0.7};
        for (size_t j = 0; j < D; j++) {
            v[j] = 0.3 + 1.7 * as_rng_normal(&r);
            s += wt[j] * v[j];
        }
        if (fabs(s) < 0.8)
            continue;
        memcpy(x + i * D, v, sizeof v);
        y[i++] = s > 0;
    }
    as_mlp_options o = small_options(16, 8);
    o.lr = 1e-2;
    o.max_epochs = 150;
    o.val_fraction = 0;
    as_mlp *m;
    as_mlp_report rep;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    double loss0;
    assert_int_equal(as_mlp_loss(m, x, y, N, NULL, N, &loss0), AS_OK);
    assert_int_equal(as_mlp_train(m, x, y, N, &r, &rep), AS_OK);
    assert_int_equal(rep.epochs_run, 150);
    assert_int_equal(rep.best_epoch, 150);
    assert_true(isnan(rep.best_val_loss));
    assert_null(rep.val_loss);
    double loss;
    assert_int_equal(as_mlp_loss(m, x, y, N, NULL, N, &loss), AS_OK);
    assert_true(loss0 > 0.3);
    assert_true(loss < 0.01);
    double prob[N];
    assert_int_equal(as_mlp_predict(m, x, N, prob), AS_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(prob[i] >= 0.5, y[i]);
    as_mlp_report_free(&rep);
    as_mlp_free(m);
}

static void early_stopping_should_restore_the_weights_of_the_best_validation_epoch(void **state)
{
    (void)state;
    /* Random labels: a wide network at lr 1e-2 overfits, so the validation loss turns up. */
    enum { N = 120, D = 6 };
    double x[N * D];
    int y[N];
    as_rng r;
    as_rng_seed(&r, 99);
    for (size_t i = 0; i < N * D; i++)
        x[i] = 0.3 + 1.7 * as_rng_normal(&r);
    for (size_t i = 0; i < N; i++)
        y[i] = as_rng_uniform(&r) < 0.35;
    as_mlp_options o = small_options(64, 32);
    o.lr = 1e-2;
    o.max_epochs = 200;
    o.patience = 5;
    as_mlp *m;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    as_rng before = r;
    as_mlp_report rep;
    assert_int_equal(as_mlp_train(m, x, y, N, &r, &rep), AS_OK);
    assert_true(rep.stopped_early);
    assert_true(rep.epochs_run < 200);
    assert_int_equal(rep.epochs_run, rep.best_epoch + o.patience);
    assert_int_equal(rep.n_train + rep.n_val, N);
    double best = INFINITY;
    for (size_t e = 0; e < rep.epochs_run; e++)
        best = rep.val_loss[e] < best ? rep.val_loss[e] : best;
    assert_true(best == rep.best_val_loss);
    assert_true(rep.val_loss[rep.best_epoch - 1] == best);
    /* the split is the first use of rng in as_mlp_train: redo it and score the held-out rows */
    size_t tr[N], va[N], ntr, nva;
    assert_int_equal(as_mlp_stratified_split(y, N, o.val_fraction, &before, tr, &ntr, va, &nva),
                     AS_OK);
    assert_int_equal(nva, rep.n_val);
    double vl;
    assert_int_equal(as_mlp_loss(m, x, y, N, va, nva, &vl), AS_OK);
    assert_true(vl == rep.best_val_loss);
    as_mlp_report_free(&rep);
    as_mlp_free(m);
}

static void training_should_be_bit_identical_for_the_same_seed(void **state)
{
    (void)state;
    enum { N = 150, D = 7 };
    static double x[N * D];
    static int y[N];
    as_rng r;
    as_rng_seed(&r, 5);
    make_data(&r, N, D, x, y);
    as_mlp *m[3];
    as_mlp_report rep[3];
    as_mlp_options o = as_mlp_options_default();
    o.max_epochs = 12;
    for (int k = 0; k < 3; k++) {
        uint64_t seed = k < 2 ? 2385 : 2386;
        as_rng ri, rt;
        as_rng_stream(&ri, seed, 0);
        as_rng_stream(&rt, seed, 1);
        assert_int_equal(as_mlp_create(D, &o, &ri, &m[k]), AS_OK);
        assert_int_equal(as_mlp_train(m[k], x, y, N, &rt, &rep[k]), AS_OK);
    }
    size_t np = as_mlp_n_params(m[0]);
    assert_memory_equal(as_mlp_param_data(m[0]), as_mlp_param_data(m[1]), np * sizeof(double));
    assert_true(memcmp(as_mlp_param_data(m[0]), as_mlp_param_data(m[2]), np * sizeof(double)));
    assert_int_equal(rep[0].epochs_run, rep[1].epochs_run);
    assert_memory_equal(rep[0].train_loss, rep[1].train_loss, rep[0].epochs_run * sizeof(double));
    assert_memory_equal(rep[0].val_loss, rep[1].val_loss, rep[0].epochs_run * sizeof(double));
    for (int k = 0; k < 3; k++) {
        as_mlp_report_free(&rep[k]);
        as_mlp_free(m[k]);
    }
}

static void epoch_without_an_order_should_equal_epoch_over_all_rows_in_order(void **state)
{
    (void)state;
    enum { N = 37, D = 3 };
    double x[N * D], l1, l2;
    int y[N];
    size_t order[N];
    as_rng r;
    as_rng_seed(&r, 8);
    make_data(&r, N, D, x, y);
    as_mlp_options o = small_options(5, 0);
    as_mlp *a, *b;
    as_rng ra, rb, e1, e2;
    as_rng_seed(&ra, 3);
    rb = ra;
    assert_int_equal(as_mlp_create(D, &o, &ra, &a), AS_OK);
    assert_int_equal(as_mlp_create(D, &o, &rb, &b), AS_OK);
    as_rng_seed(&e1, 4);
    e2 = e1;
    for (int ep = 0; ep < 3; ep++) {
        for (size_t i = 0; i < N; i++)
            order[i] = i;
        assert_int_equal(as_mlp_epoch(a, x, y, N, NULL, 0, &e1, &l1), AS_OK);
        assert_int_equal(as_mlp_epoch(b, x, y, N, order, N, &e2, &l2), AS_OK);
        assert_true(l1 == l2);
    }
    assert_memory_equal(as_mlp_param_data(a), as_mlp_param_data(b),
                        as_mlp_n_params(a) * sizeof(double));
    as_mlp_free(a);
    as_mlp_free(b);
}

static void stratified_split_should_hold_out_the_rounded_share_of_each_class(void **state)
{
    (void)state;
    enum { N = 83 };
    int y[N];
    size_t tr[N], va[N], ntr, nva;
    for (size_t i = 0; i < N; i++)
        y[i] = i % 4 == 1; /* 21 positives, 62 negatives */
    as_rng r;
    as_rng_seed(&r, 12);
    assert_int_equal(as_mlp_stratified_split(y, N, 0.2, &r, tr, &ntr, va, &nva), AS_OK);
    size_t pos = 0;
    for (size_t i = 0; i < nva; i++)
        pos += (size_t)y[va[i]];
    assert_int_equal(pos, 4);        /* round(0.2 * 21) */
    assert_int_equal(nva - pos, 12); /* round(0.2 * 62) */
    assert_int_equal(ntr + nva, N);
    unsigned char seen[N] = {0};
    for (size_t i = 0; i < ntr; i++) {
        assert_true(i == 0 || tr[i] > tr[i - 1]);
        seen[tr[i]]++;
    }
    for (size_t i = 0; i < nva; i++) {
        assert_true(i == 0 || va[i] > va[i - 1]);
        seen[va[i]]++;
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    /* a class of one keeps its row for training */
    int y2[5] = {0, 0, 1, 0, 0};
    assert_int_equal(as_mlp_stratified_split(y2, 5, 0.9, &r, tr, &ntr, va, &nva), AS_OK);
    assert_int_equal(nva, 3);
    for (size_t i = 0; i < nva; i++)
        assert_int_not_equal(va[i], 2);
    int bad[3] = {0, 3, 1};
    assert_int_equal(as_mlp_stratified_split(bad, 3, 0.2, &r, tr, &ntr, va, &nva), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "row 1 is 3"));
}

static void training_should_refuse_bad_labels_and_non_finite_inputs(void **state)
{
    (void)state;
    double x[4 * 2] = {0.1, 0.2, 0.3, 0.4, 0.5, NAN, 0.7, 0.8};
    int y[4] = {0, 1, 0, 1}, ybad[4] = {0, 1, -1, 1};
    as_rng r;
    as_rng_seed(&r, 1);
    as_mlp_options o = small_options(3, 0);
    as_mlp *m;
    as_mlp_report rep;
    assert_int_equal(as_mlp_create(2, &o, &r, &m), AS_OK);
    assert_int_equal(as_mlp_train(m, x, y, 4, &r, &rep), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "row 2 column 1"));
    assert_null(rep.train_loss);
    assert_int_equal(as_mlp_train(m, x, ybad, 4, &r, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "label of row 2 is -1"));
    assert_int_equal(as_mlp_train(m, x, y, 0, &r, NULL), AS_EINVAL);
    size_t rows[2] = {0, 9};
    double l;
    assert_int_equal(as_mlp_step(m, x, y, 4, rows, 2, &l), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "row index 9"));
    /* a NaN input reaching a step gives AS_ENOCONV and leaves the weights alone */
    size_t np = as_mlp_n_params(m);
    double keep[64];
    memcpy(keep, as_mlp_param_data(m), np * sizeof(double));
    size_t nanrow[1] = {2};
    assert_int_equal(as_mlp_step(m, x, y, 4, nanrow, 1, &l), AS_ENOCONV);
    assert_memory_equal(keep, as_mlp_param_data(m), np * sizeof(double));
    /* without a loss to report the step checks the logits instead */
    assert_int_equal(as_mlp_step(m, x, y, 4, nanrow, 1, NULL), AS_ENOCONV);
    assert_non_null(strstr(as_errmsg(), "logit is nan"));
    assert_memory_equal(keep, as_mlp_param_data(m), np * sizeof(double));
    as_mlp_free(m);
    assert_int_equal(as_mlp_create(0, &o, &r, &m), AS_EINVAL);
    assert_null(m);
    o.batch = 0;
    assert_int_equal(as_mlp_create(2, &o, &r, &m), AS_EINVAL);
    assert_null(m);
}

/* ---- model JSON ---- */

static void model_json_should_round_trip_the_predictions_bit_for_bit(void **state)
{
    (void)state;
    enum { N = 40, D = 4 };
    double x[N * D], p1[N], p2[N];
    int y[N];
    as_rng r;
    as_rng_seed(&r, 31);
    make_data(&r, N, D, x, y);
    as_mlp_options o = small_options(7, 3);
    o.weight_decay = 2.385e-3;
    o.max_epochs = 3;
    as_mlp *m, *m2;
    assert_int_equal(as_mlp_create(D, &o, &r, &m), AS_OK);
    assert_int_equal(as_mlp_train(m, x, y, N, &r, NULL), AS_OK);
    as_json *j, *j2;
    assert_int_equal(as_mlp_to_json(m, &j), AS_OK);
    char *text = as_json_print(j);
    assert_non_null(text);
    assert_int_equal(as_json_parse(text, "model", &j2), AS_OK);
    assert_int_equal(as_mlp_from_json(j2, &m2), AS_OK);
    assert_int_equal(as_mlp_input_dim(m2), D);
    assert_memory_equal(as_mlp_get_options(m), as_mlp_get_options(m2), sizeof(as_mlp_options));
    assert_int_equal(as_mlp_predict(m, x, N, p1), AS_OK);
    assert_int_equal(as_mlp_predict(m2, x, N, p2), AS_OK);
    assert_memory_equal(p1, p2, sizeof p1);
    as_free(text);
    as_json_free(j);
    as_json_free(j2);
    as_mlp_free(m2);
    as_mlp_free(m);
}

static void model_json_with_wrong_sizes_should_name_the_mismatch(void **state)
{
    (void)state;
    as_rng r;
    as_rng_seed(&r, 31);
    as_mlp_options o = small_options(6, 0);
    as_mlp *m, *m2 = (as_mlp *)1;
    assert_int_equal(as_mlp_create(4, &o, &r, &m), AS_OK);
    as_json *j;
    assert_int_equal(as_mlp_to_json(m, &j), AS_OK);

    double three[3] = {0.1, 0.2, 0.3};
    as_json *lay0 = as_json_at(as_json_get(j, "layers"), 0);
    double bias[6];
    assert_int_equal(as_json_get_doubles(lay0, "bias", "t", bias, 6), AS_OK);
    assert_int_equal(as_json_set_doubles(lay0, "bias", three, 3), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &m2), AS_EPARSE);
    assert_null(m2);
    assert_non_null(strstr(as_errmsg(), "layers[0]: array 'bias' has 3 values, expected 6"));
    assert_int_equal(as_json_set_doubles(lay0, "bias", bias, 6), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &m2), AS_OK);
    as_mlp_free(m2);

    assert_int_equal(as_json_set_num(j, "input_dim", 5), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &m2), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "widths[0] is 4, expected 5"));
    assert_int_equal(as_json_set_num(j, "input_dim", 4), AS_OK);

    as_json *opt = as_json_get(j, "options");
    assert_int_equal(as_json_set_num(opt, "lr", -1), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &m2), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "lr -1"));
    assert_int_equal(as_json_set_num(opt, "lr", 1e-3), AS_OK);

    assert_int_equal(as_json_set_str(j, "format", "something-else"), AS_OK);
    assert_int_equal(as_mlp_from_json(j, &m2), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "format is 'something-else'"));
    as_json_free(j);
    as_mlp_free(m);
}

/* ---- allocation failures ---- */

static void every_allocation_failure_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    enum { N = 30, D = 3 };
    double x[N * D];
    int y[N];
    as_rng r;
    as_rng_seed(&r, 4);
    make_data(&r, N, D, x, y);
    as_mlp_options o = small_options(5, 4);
    o.max_epochs = 2;
    int ok_create = 0, ok_train = 0, ok_json = 0;
    for (size_t k = 1; k < 400 && !(ok_create && ok_train && ok_json); k++) {
        as_mlp *m = NULL, *m2 = NULL;
        as_alloc_fail_after(k);
        as_status st = as_mlp_create(D, &o, &r, &m);
        as_alloc_fail_after(0);
        if (st != AS_OK) {
            assert_int_equal(st, AS_ENOMEM);
            assert_null(m);
            continue;
        }
        ok_create = 1;
        as_mlp_report rep;
        as_alloc_fail_after(k);
        st = as_mlp_train(m, x, y, N, &r, &rep);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            ok_train = 1;
            as_mlp_report_free(&rep);
        } else {
            assert_int_equal(st, AS_ENOMEM);
            assert_null(rep.train_loss);
        }
        as_json *j = NULL;
        as_alloc_fail_after(k);
        st = as_mlp_to_json(m, &j);
        if (st == AS_OK)
            st = as_mlp_from_json(j, &m2);
        as_alloc_fail_after(0);
        if (st == AS_OK)
            ok_json = 1;
        else
            assert_int_equal(st, AS_ENOMEM);
        double prob[N];
        as_alloc_fail_after(1);
        assert_int_equal(as_mlp_predict(m, x, N, prob), AS_ENOMEM);
        as_alloc_fail_after(0);
        as_json_free(j);
        as_mlp_free(m2);
        as_mlp_free(m);
    }
    assert_true(ok_create && ok_train && ok_json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_check_should_name_each_bad_option),
        cmocka_unit_test(parse_hidden_should_read_widths_and_point_at_the_bad_character),
        cmocka_unit_test(gradient_should_match_central_differences),
        cmocka_unit_test(loss_should_stay_finite_and_exact_for_huge_logits),
        cmocka_unit_test(predict_should_equal_a_naive_forward_pass),
        cmocka_unit_test(training_should_drive_the_loss_near_zero_on_a_separable_problem),
        cmocka_unit_test(early_stopping_should_restore_the_weights_of_the_best_validation_epoch),
        cmocka_unit_test(training_should_be_bit_identical_for_the_same_seed),
        cmocka_unit_test(epoch_without_an_order_should_equal_epoch_over_all_rows_in_order),
        cmocka_unit_test(stratified_split_should_hold_out_the_rounded_share_of_each_class),
        cmocka_unit_test(training_should_refuse_bad_labels_and_non_finite_inputs),
        cmocka_unit_test(model_json_should_round_trip_the_predictions_bit_for_bit),
        cmocka_unit_test(model_json_with_wrong_sizes_should_name_the_mismatch),
        cmocka_unit_test(every_allocation_failure_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
