/* The replay of a PyTorch training fixture (the layout tests/fixtures/mlp_torch_ref.py writes),
 * shared by test_torch_reference.c and test_mlp_class_weight.c. Include after cmocka.h. */
#ifndef AS_TEST_TORCH_REPLAY_H
#define AS_TEST_TORCH_REPLAY_H

#include <math.h>

#include "alloyscout/json.h"
#include "alloyscout/mlp.h"
#include "mlp/mlp_int.h"

/* The two computations differ only in rounding: the summation order inside BLAS, and PyTorch's
 * vectorised kernels using fused multiply-adds in Adam. Relative differences of ~1e-16 in a
 * gradient change an Adam step (bounded by lr |m / sqrt(v)| ~ lr) by about lr * 1e-16 and the
 * loss by the same order; over <= 30 steps with lr <= 1e-2 that is < 1e-15. We allow 1e-12 for
 * weights (O(1)) and losses: 1000x margin, yet far below any real error (a wrong bias
 * correction or eps placement changes the weights by > 1e-6 after the first steps). */
#define TOL 1e-12

static size_t load_doubles(const as_json *arr, double *v, size_t cap)
{
    size_t n = as_json_size(arr);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++)
        v[i] = as_json_number(as_json_at(arr, i));
    return n;
}

/* Case c (cj) of a fixture: the network "initial" takes one as_mlp_step per mini-batch of
 * "batches" on the data "x" (n x d), "y"; every step's loss must equal "losses", the weights
 * after all steps "final" (layer by layer in the model-file layout) and as_mlp_loss over all
 * rows "final_loss", each within tol (absolute). *worst (may be NULL) receives the largest
 * difference seen. Returns the trained network (free with as_mlp_free). */
static as_mlp *torch_replay_case_tol(const as_json *cj, size_t c, double tol, double *worst)
{
    double seen = 0;
    static double x[4096], buf[4096];
    static int y[1024];
    double nd, dd;
    assert_int_equal(as_json_get_num(cj, "n", "case", &nd), AS_OK);
    assert_int_equal(as_json_get_num(cj, "d", "case", &dd), AS_OK);
    size_t n = (size_t)nd, d = (size_t)dd;
    assert_int_equal(load_doubles(as_json_get(cj, "x"), x, 4096), n * d);
    assert_int_equal(load_doubles(as_json_get(cj, "y"), buf, 4096), n);
    for (size_t i = 0; i < n; i++)
        y[i] = (int)buf[i];
    as_mlp *m;
    assert_int_equal(as_mlp_from_json(as_json_get(cj, "initial"), &m), AS_OK);
    const as_json *batches = as_json_get(cj, "batches"), *losses = as_json_get(cj, "losses");
    assert_true(as_json_size(batches) >= 12);
    for (size_t b = 0; b < as_json_size(batches); b++) {
        const as_json *bj = as_json_at(batches, b);
        size_t rows[64], nr = as_json_size(bj);
        assert_true(nr > 0 && nr <= 64);
        for (size_t i = 0; i < nr; i++)
            rows[i] = (size_t)as_json_number(as_json_at(bj, i));
        double loss, ref = as_json_number(as_json_at(losses, b));
        assert_int_equal(as_mlp_step(m, x, y, n, rows, nr, &loss), AS_OK);
        seen = fmax(seen, fabs(loss - ref));
        if (fabs(loss - ref) > tol)
            fail_msg("case %zu batch %zu: loss %.17g, PyTorch %.17g", c, b, loss, ref);
    }
    const as_json *fin = as_json_get(cj, "final");
    const double *p = as_mlp_param_data(m);
    size_t off = 0;
    double max_diff = 0;
    for (size_t l = 0; l < as_json_size(fin); l++) {
        const as_json *lj = as_json_at(fin, l);
        size_t nw = load_doubles(as_json_get(lj, "weight"), buf, 4096);
        for (size_t i = 0; i < nw; i++)
            max_diff = fmax(max_diff, fabs(p[off + i] - buf[i]));
        off += nw;
        size_t nb = load_doubles(as_json_get(lj, "bias"), buf, 4096);
        for (size_t i = 0; i < nb; i++)
            max_diff = fmax(max_diff, fabs(p[off + i] - buf[i]));
        off += nb;
    }
    assert_int_equal(off, as_mlp_n_params(m));
    seen = fmax(seen, max_diff);
    if (max_diff > tol)
        fail_msg("case %zu: weights differ from PyTorch by %.3g", c, max_diff);
    double loss, ref;
    assert_int_equal(as_json_get_num(cj, "final_loss", "case", &ref), AS_OK);
    assert_int_equal(as_mlp_loss(m, x, y, n, NULL, n, &loss), AS_OK);
    seen = fmax(seen, fabs(loss - ref));
    assert_true(fabs(loss - ref) <= tol);
    if (worst)
        *worst = seen;
    return m;
}

static inline as_mlp *torch_replay_case(const as_json *cj, size_t c)
{
    return torch_replay_case_tol(cj, c, TOL, NULL);
}

#endif
