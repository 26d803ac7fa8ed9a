/* Acquisition, stopping and calibration of the screen (issue 14): the calibration numbers
 * against their closed forms; the candidate de-duplication against lattice translations; qoi
 * batches that never label a configuration equivalent (up to a translation) to another label;
 * --target-ci stopping recorded in the results and the JSON; the same seed giving a
 * byte-identical JSON, with one or two GP threads. */
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
#include "alloyscout/json.h"
#include "campaign/acquire_int.h"

#define DB AS_BUILD_DIR "/campaign_acquire_test"

static void cleanup(const char *db)
{
    char p[512];
    remove(db);
    snprintf(p, sizeof p, "%s-wal", db);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", db);
    remove(p);
}

static void calibration_should_equal_its_closed_form(void **state)
{
    (void)state;
    /* z = (y - mu) / sd = 0.5, -1.5, 2.5, 0.9 (and one row without a positive sd, skipped) */
    const double mu[5] = {1.0, 2.0, -0.5, 0.25, 7.0};
    const double sd[5] = {0.2, 0.4, 0.1, 2.0, 0.0};
    const double y[5] = {1.1, 1.4, -0.25, 2.05, 7.0};
    as_acq_calib c;
    as_acq_calibration(y, mu, sd, 5, &c);
    assert_int_equal(c.n, 4);
    assert_true(fabs(c.cover1 - 0.5) < 1e-15);
    assert_true(fabs(c.cover2 - 0.75) < 1e-15);
    assert_true(fabs(c.mean_z - 0.6) < 1e-12);
    assert_true(fabs(c.rms_z - sqrt((0.25 + 2.25 + 6.25 + 0.81) / 4)) < 1e-12);
    double nll = 0;
    const double z[4] = {0.5, -1.5, 2.5, 0.9};
    for (int i = 0; i < 4; i++)
        nll += 0.5 * log(2 * 3.14159265358979323846 * sd[i] * sd[i]) + 0.5 * z[i] * z[i];
    assert_true(fabs(c.nll - nll / 4) < 1e-12);
    /* kappa: the GP variance is scaled up only when the held-out z are too wide */
    assert_true(as_acq_var_scale(0.7, 4) == 1.0);
    assert_true(fabs(as_acq_var_scale(1.5, 4) - 2.25) < 1e-15);
    assert_true(as_acq_var_scale(3.0, 0) == 1.0);
    as_acq_calibration(y, mu, sd, 0, &c);
    assert_int_equal(c.n, 0);
    assert_true(isnan(c.cover1));
}

static void unique_should_drop_translated_copies_and_avoided_classes(void **state)
{
    (void)state;
    size_t size[3] = {3, 3, 3};
    as_lattice_options lo = as_lattice_options_default();
    as_lattice *lat;
    assert_int_equal(as_lattice_create(AS_PROTO_PT2COM, size, &lo, &lat), AS_OK);
    size_t n = as_lattice_n_sites(lat), counts[3] = {n / 2, n / 4, n / 4};
    int *cfg = malloc(5 * n * sizeof *cfg), *avoid = malloc(n * sizeof *avoid);
    as_rng rng;
    as_rng_seed(&rng, 2385);
    for (int k = 0; k < 3; k++)
        assert_int_equal(as_lattice_random_config(lat, counts, 3, &rng, cfg + k * n), AS_OK);
    /* a translated copy of config 0: sites go cell by cell, so a shift of the site index by a
     * whole plane of cells is a lattice translation (checked) */
    size_t shift = n / 3;
    for (size_t i = 0; i < n; i++)
        cfg[3 * n + i] = cfg[(i + shift) % n];
    assert_true(as_lattice_same_up_to_translation(lat, cfg, cfg + 3 * n));
    assert_true(memcmp(cfg, cfg + 3 * n, n * sizeof *cfg) != 0);
    memcpy(cfg + 4 * n, cfg + 2 * n, n * sizeof *cfg); /* an exact copy of config 2 */
    for (size_t i = 0; i < n; i++)                     /* avoid: config 1, translated */
        avoid[i] = cfg[n + (i + 2 * shift) % n];
    size_t keep[5], nk;
    assert_int_equal(as_acq_unique(lat, 3, cfg, 5, avoid, 1, keep, &nk), AS_OK);
    assert_int_equal(nk, 2);
    assert_int_equal(keep[0], 0);
    assert_int_equal(keep[1], 2);
    assert_int_equal(as_acq_unique(lat, 3, cfg, 5, NULL, 0, keep, &nk), AS_OK);
    assert_int_equal(nk, 3);
    free(cfg);
    free(avoid);
    as_lattice_free(lat);
}

static as_screen_options tiny(as_acquire rule)
{
    as_screen_options o = as_screen_options_default();
    o.rounds = 3;
    o.chains = 2;
    o.chain_steps = 10;
    o.per_round = 6;
    o.n_ordered = 5;
    o.n_random = 30;
    o.n_across = 8;
    o.gp_restarts = 1;
    o.random_baseline = 0;
    o.acquire = rule;
    o.seed = 1414;
    return o;
}

static void qoi_picks_should_never_repeat_a_translation_equivalent_configuration(void **state)
{
    (void)state;
    as_oracle *o;
    as_store *st;
    const char *db = DB "_qoi.sqlite";
    cleanup(db);
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    assert_int_equal(as_store_open(db, &st), AS_OK);
    as_screen_options opt = tiny(AS_ACQUIRE_QOI);
    as_screen *s;
    assert_int_equal(as_screen_create(&opt, NULL, o, st, &s), AS_OK);
    assert_int_equal(as_screen_setup(s), AS_OK);
    for (size_t r = 0; r < opt.rounds; r++)
        assert_int_equal(as_screen_round(s, r), AS_OK);
    assert_int_equal(as_screen_finish(s), AS_OK);
    const as_screen_result *res = as_screen_get_result(s);
    /* the picks of every round, plus the ordered L1_0 cell (a label since setup; the binary's
     * "ordered" prediction set is five copies of it, so every one must be left out) */
    size_t size[3] = {3, 3, 3};
    as_lattice_options lo = as_lattice_options_default();
    as_lattice *lat;
    assert_int_equal(as_lattice_create(AS_PROTO_PT2COM, size, &lo, &lat), AS_OK);
    size_t n = as_lattice_n_sites(lat), m = 1;
    int *all = malloc((1 + opt.rounds * opt.per_round) * n * sizeof *all);
    as_lattice_prototype_config(lat, all);
    for (size_t i = 0; i < n; i++)
        if (all[i] == 2)
            all[i] = 1;
    for (size_t r = 0; r < opt.rounds; r++) {
        const char *p = res->round[r].picked;
        assert_non_null(p);
        size_t got = 0;
        while (*p) {
            for (size_t i = 0; i < n; i++)
                all[m * n + i] = p[i] - '0';
            p += n;
            m++;
            got++;
            if (*p == ',')
                p++;
        }
        assert_int_equal(got, opt.per_round); /* plenty of candidates: full batches */
    }
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < a; b++)
            assert_false(as_lattice_same_up_to_translation(lat, all + a * n, all + b * n));
    /* every round scored the calibration on its test split and the interval */
    for (size_t r = 0; r < opt.rounds; r++) {
        const as_screen_round_info *ri = &res->round[r];
        assert_int_equal(ri->cal_n, ri->n_test);
        assert_true(ri->cal_cover1 >= 0 && ri->cal_cover1 <= ri->cal_cover2 && ri->cal_cover2 <= 1);
        assert_true(ri->e_order_ci95 > 0 && ri->e_order_gp_sd > 0);
        assert_true(ri->e_order_var_scale >= 1);
    }
    assert_string_equal(res->stop_reason, "rounds");
    as_lattice_free(lat);
    free(all);
    as_screen_free(s);
    as_store_close(st);
    as_oracle_free(o);
    cleanup(db);
}

/* A campaign of the host pair alone (Sn is skipped: the eam tables lack it). */
static void run_campaign(const char *db, const char *json, as_acquire rule, double target,
                         size_t threads, as_campaign_step_kind *kinds, size_t *n_events)
{
    as_campaign_options co = as_campaign_options_default();
    const char *cand[1] = {"Sn"};
    co.screen = tiny(rule);
    co.screen.target_ci = target;
    co.screen.threads = threads;
    co.db = db;
    co.candidates = cand;
    co.n_candidates = 1;
    cleanup(db);
    as_campaign *c;
    assert_int_equal(as_campaign_open(&co, &c), AS_OK);
    size_t k = 0;
    while (!as_campaign_done(c)) {
        as_campaign_event ev;
        assert_int_equal(as_campaign_step(c, &ev), AS_OK);
        if (kinds)
            kinds[k] = ev.kind;
        k++;
    }
    if (n_events)
        *n_events = k;
    assert_int_equal(as_campaign_write_json(c, json), AS_OK);
    as_campaign_close(c);
    cleanup(db);
}

static void target_ci_should_stop_a_system_and_be_recorded_in_the_json(void **state)
{
    (void)state;
    const char *json = DB "_target.json";
    as_campaign_step_kind kinds[8];
    size_t ne;
    /* +-1 eV/atom: met by the first model, so round 0 labels nothing and finish follows */
    run_campaign(DB "_target.sqlite", json, AS_ACQUIRE_QOI, 1.0, 0, kinds, &ne);
    assert_int_equal(ne, 3);
    assert_int_equal(kinds[0], AS_CAMPAIGN_SETUP);
    assert_int_equal(kinds[1], AS_CAMPAIGN_ROUND);
    assert_int_equal(kinds[2], AS_CAMPAIGN_FINISH);
    as_json *j;
    const char *reason, *acq;
    double used, n_train, n_test, ci, target, rounds_done;
    assert_int_equal(as_json_read_file(json, &j), AS_OK);
    as_json *sys = as_json_at(as_json_get(j, "systems"), 0);
    assert_non_null(sys);
    assert_int_equal(as_json_get_str(sys, "stop_reason", "t", &reason), AS_OK);
    assert_string_equal(reason, "target_ci");
    assert_int_equal(as_json_get_str(sys, "acquire", "t", &acq), AS_OK);
    assert_string_equal(acq, "qoi");
    assert_int_equal(as_json_get_num(sys, "labels_used", "t", &used), AS_OK);
    assert_int_equal(as_json_get_num(sys, "target_ci_ev_atom", "t", &target), AS_OK);
    assert_int_equal(as_json_get_num(sys, "rounds_done", "t", &rounds_done), AS_OK);
    assert_true(target == 1.0 && rounds_done == 1);
    as_json *rounds = as_json_get(sys, "rounds");
    assert_int_equal(as_json_size(rounds), 1);
    as_json *r0 = as_json_at(rounds, 0);
    assert_int_equal(as_json_get_num(r0, "n_train", "t", &n_train), AS_OK);
    assert_int_equal(as_json_get_num(r0, "n_test", "t", &n_test), AS_OK);
    assert_int_equal(as_json_get_num(r0, "ordering_energy_ci95", "t", &ci), AS_OK);
    assert_true(used == n_train + n_test); /* nothing labelled after the stop */
    assert_true(ci > 0 && ci < 1.0);
    as_json_free(j);
    /* a target no model meets: every round runs */
    run_campaign(DB "_target.sqlite", json, AS_ACQUIRE_QOI, 1e-9, 0, NULL, &ne);
    assert_int_equal(ne, 2 + 3);
    assert_int_equal(as_json_read_file(json, &j), AS_OK);
    sys = as_json_at(as_json_get(j, "systems"), 0);
    assert_int_equal(as_json_get_str(sys, "stop_reason", "t", &reason), AS_OK);
    assert_string_equal(reason, "rounds");
    assert_int_equal(as_json_size(as_json_get(sys, "rounds")), 3);
    as_json_free(j);
    remove(json);
    /* a negative target and an unknown rule are refused */
    as_screen_options o = tiny(AS_ACQUIRE_QOI);
    o.target_ci = -0.1;
    assert_int_equal(as_screen_options_check(&o), AS_EINVAL);
    as_acquire a;
    assert_int_equal(as_acquire_parse("variance", &a), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "variance"));
    assert_int_equal(as_acquire_parse("random", &a), AS_OK);
    assert_int_equal(a, AS_ACQUIRE_RANDOM);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

static void same_seed_should_give_an_identical_json_with_one_or_two_threads(void **state)
{
    (void)state;
    static const as_acquire rules[2] = {AS_ACQUIRE_QOI, AS_ACQUIRE_RANDOM};
    for (int k = 0; k < 2; k++) {
        run_campaign(DB "_det.sqlite", DB "_det1.json", rules[k], 0.0, 1, NULL, NULL);
        run_campaign(DB "_det.sqlite", DB "_det2.json", rules[k], 0.0, 2, NULL, NULL);
        char *a = slurp(DB "_det1.json"), *b = slurp(DB "_det2.json");
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    remove(DB "_det1.json");
    remove(DB "_det2.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calibration_should_equal_its_closed_form),
        cmocka_unit_test(unique_should_drop_translated_copies_and_avoided_classes),
        cmocka_unit_test(qoi_picks_should_never_repeat_a_translation_equivalent_configuration),
        cmocka_unit_test(target_ci_should_stop_a_system_and_be_recorded_in_the_json),
        cmocka_unit_test(same_seed_should_give_an_identical_json_with_one_or_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
