/* One tiny screen of the host pair PtCo through the library, run twice on one label store: the
 * second run (what --resume does after a kill) computes no label and ends with bit-identical
 * results. The first run is also checked against closed-form facts that hold whatever the
 * model learns: the ordered L1_0 cell is the zero of energy and a training label, every
 * "Pt-ordered" configuration of the binary is that cell, L1_0 PtCo has c < a, and every label
 * computed is one row of the store.
 * Under AddressSanitizer (~8x slower) the replay is left out and one run is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/alloyscout.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define DB AS_BUILD_DIR "/campaign_screen_replay_test.sqlite"

static void cleanup(void)
{
    remove(DB);
    remove(DB "-wal");
    remove(DB "-shm");
}

static as_screen_options tiny(void)
{
    as_screen_options o = as_screen_options_default();
    o.rounds = 1;
    o.chains = 2;
    o.chain_steps = 8;
    o.per_round = 3;
    o.n_ordered = 4;
    o.n_random = 6;
    o.n_across = 8;
    o.gp_restarts = 1;
    o.validate = 3;
    o.seed = 20240611;
    return o;
}

static as_screen *run_tiny(as_oracle *o, as_store *st)
{
    as_screen_options opt = tiny();
    as_screen *s;
    assert_int_equal(as_screen_create(&opt, NULL, o, st, &s), AS_OK);
    assert_int_equal(as_screen_setup(s), AS_OK);
    for (size_t r = 0; r < opt.rounds; r++)
        assert_int_equal(as_screen_round(s, r), AS_OK);
    assert_int_equal(as_screen_round(s, opt.rounds), AS_EINVAL); /* past the last round */
    assert_int_equal(as_screen_finish(s), AS_OK);
    return s;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void a_replayed_screen_should_compute_no_label_and_end_with_identical_results(void **state)
{
    (void)state;
    as_oracle *o;
    as_store *st;
    size_t stored;
    cleanup();
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    as_screen *a = run_tiny(o, st);
    const as_screen_result *ra = as_screen_get_result(a);
    assert_int_equal(as_label_store_count(st, &stored), AS_OK);
    /* every computed label is one row: no structure was labelled twice in the first run */
    assert_int_equal(as_screen_labels_computed(a), stored);
    assert_true(stored >= 22 + 1 + 3); /* the 22 starting structures, the ordered cell, picks */

    /* closed-form facts of the binary: the ordered L1_0 cell is the zero of energy and a
     * training label, and every "ordered" configuration of PtCo is that cell; a GP without
     * noise reproduces a training label to its jitter, far below 1e-4 eV/atom */
    assert_string_equal(ra->name, "PtCo");
    assert_int_equal(ra->stable, 1);
    assert_int_equal(ra->n_start, 22);
    assert_true(fabs(ra->mean_ordered) < 1e-4);
    for (size_t i = 0; i < ra->n_pred[0]; i++) {
        assert_true(ra->pred_alpha[0][i] == -1.0 / 3.0 ||
                    fabs(ra->pred_alpha[0][i] + 1.0 / 3.0) < 1e-12);
        assert_true(isnan(ra->pred_alpha_com[0][i]));
    }
    assert_true(ra->e_seg_ev_atom == 0.0);
    assert_true(isnan(ra->corr_alpha_com));
    assert_true(ra->e_order_ev_atom > 0); /* random PtCo lies above the ordered cell */
    assert_true(ra->e_order_se > 0 && ra->e_order_se < ra->e_order_ev_atom);
    /* validation: the direct ordering energy is an oracle average, the true MAE finite */
    assert_true(isfinite(ra->val_mae) && ra->val_mae >= 0);
    assert_true(isfinite(ra->e_order_direct) && ra->e_order_direct > 0);
    assert_true(isfinite(ra->e_order_direct_se) && ra->e_order_direct_se >= 0);
    assert_int_equal(ra->rounds_done, 1);
    assert_true(isfinite(ra->round[0].mae) && isfinite(ra->round[0].mae_random));
    assert_true(ra->c_ang < ra->a_ang); /* L1_0 PtCo is tetragonal with c < a */

    /* the replay: same options, same store, nothing computed, identical numbers */
    if (UNDER_ASAN) {
        as_screen_free(a);
        as_store_close(st);
        as_oracle_free(o);
        cleanup();
        return;
    }
    as_screen *b = run_tiny(o, st);
    const as_screen_result *rb = as_screen_get_result(b);
    assert_int_equal(as_screen_labels_computed(b), 0);
    size_t stored2;
    assert_int_equal(as_label_store_count(st, &stored2), AS_OK);
    assert_int_equal(stored2, stored);
    assert_true(same(ra->a_ang, rb->a_ang) && same(ra->c_ang, rb->c_ang));
    assert_true(same(ra->e_order_ev_atom, rb->e_order_ev_atom));
    assert_true(same(ra->e_order_se, rb->e_order_se));
    assert_true(same(ra->e_order_direct, rb->e_order_direct));
    assert_true(same(ra->val_mae, rb->val_mae));
    assert_true(same(ra->final_mae, rb->final_mae) && same(ra->final_r2, rb->final_r2));
    assert_true(same(ra->corr_alpha_ptx, rb->corr_alpha_ptx));
    assert_true(same(ra->rmsd_mean, rb->rmsd_mean));
    assert_int_equal(ra->n_labels, rb->n_labels);
    assert_true(same(ra->round[0].mae, rb->round[0].mae));
    assert_true(same(ra->round[0].lml, rb->round[0].lml));
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ra->n_pred[k], rb->n_pred[k]);
        assert_memory_equal(ra->pred_mean[k], rb->pred_mean[k], ra->n_pred[k] * sizeof(double));
        assert_memory_equal(ra->pred_std[k], rb->pred_std[k], ra->n_pred[k] * sizeof(double));
    }
    as_screen_free(a);
    as_screen_free(b);
    as_store_close(st);
    as_oracle_free(o);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_replayed_screen_should_compute_no_label_and_end_with_identical_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
