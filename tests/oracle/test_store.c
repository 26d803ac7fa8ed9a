/* The label store (as_store): keys, insert/reopen/lookup, no structure labelled twice, and a child
 * process killed with SIGKILL in the middle of a batch loses no committed label. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <time.h>

#include "oracle/oracle_test_util.h"

#define DB AS_BUILD_DIR "/oracle_store_test.sqlite"

static as_structure **make(size_t n, uint64_t seed)
{
    const char *sy[3] = {"Pt", "Co", "Cu"};
    as_structure **v = calloc(n, sizeof *v);
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.5, 0.25, 0.25};
    for (size_t i = 0; i < n; i++) {
        v[i] = tu_fcc(3.8, 1.0, 3, 3, 3, sy, 3);
        tu_shuffle(v[i], &rng, w, 0.05);
    }
    return v;
}

static void cleanup(void)
{
    remove(DB);
    remove(DB "-wal");
    remove(DB "-shm");
}

static void keys_should_ignore_sub_micrometre_noise_and_see_species_and_method(void **state)
{
    (void)state;
    as_structure **v = make(1, 1);
    as_structure *s = v[0], *c;
    assert_int_equal(as_structure_copy(s, &c), AS_OK);
    uint64_t k = as_label_key(s, "eam");
    c->pos[5] += 1e-9; /* below the 1e-6 Å rounding */
    assert_true(as_label_key(c, "eam") == k);
    c->pos[5] += 1e-5;
    assert_true(as_label_key(c, "eam") != k);
    c->pos[5] = s->pos[5];
    c->species[0] = (c->species[0] + 1) % 3;
    assert_true(as_label_key(c, "eam") != k);
    assert_true(as_label_key(s, "eam relax fmax=0.03") != k);
    as_structure_free(c);
    as_structure_free(s);
    free(v);
}

/* The key's value is part of every store on disk: it must not change when the code does.
 * Reference: Python's FNV-1a 64 of the canonical text, computed independently:
 *   t = 'n=4\ncell 3812500 0 0 0 3812500 0 0 0 3812500\nPt 0 0 0\nPt 1906250 1906250 0\n'
 *       'Co 1906250 0 1906250\nCo 0 1906250 1906250\nmethod eam relax fmax=0.03'
 *   h = 14695981039346656037
 *   for b in t.encode(): h = ((h ^ b) * 1099511628211) % 2**64   ->  0x1429345e350d42bf */
static void keys_should_keep_the_fnv1a_value_of_the_canonical_text(void **state)
{
    (void)state;
    const char *sy[2] = {"Pt", "Co"};
    as_structure *s = tu_fcc(3.8125, 1.0, 1, 1, 1, sy, 2); /* L1_0: Co on the z = 1/2 plane */
    assert_non_null(s);
    assert_true(as_label_key(s, "eam relax fmax=0.03") == 0x1429345e350d42bfULL);
    as_structure_free(s);
}

static void labels_should_survive_reopening_and_not_be_computed_twice(void **state)
{
    (void)state;
    cleanup();
    as_oracle *o;
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    as_structure **v = make(4, 2);
    as_label_result r[4];
    as_store *st;
    size_t nc, cnt;
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    assert_int_equal(
        as_oracle_label_stored(o, st, (const as_structure *const *)v, 3, 1, NULL, r, NULL, &nc),
        AS_OK);
    assert_int_equal(nc, 3);
    as_store_close(st);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    assert_int_equal(as_label_store_count(st, &cnt), AS_OK);
    assert_int_equal(cnt, 3);
    as_label_result r2[4];
    as_structure *rx[4];
    assert_int_equal(
        as_oracle_label_stored(o, st, (const as_structure *const *)v, 4, 1, NULL, r2, rx, &nc),
        AS_OK);
    assert_int_equal(nc, 1); /* only the new one */
    for (int i = 0; i < 3; i++) {
        assert_true(r2[i].energy == r[i].energy);
        assert_true(r2[i].rmsd == r[i].rmsd);
        assert_true(r2[i].relaxed == 1);
        /* the stored relaxed positions give the stored energy */
        double e;
        assert_int_equal(as_oracle_energy(o, rx[i], &e, NULL), AS_OK);
        assert_true(fabs(e - r[i].energy) < 1e-9);
    }
    for (int i = 0; i < 4; i++)
        as_structure_free(rx[i]);
    as_store_close(st);
    assert_int_equal(as_store_open(AS_BUILD_DIR "/no/such/dir/x.sqlite", &st), AS_EDB);
    for (int i = 0; i < 4; i++)
        as_structure_free(v[i]);
    free(v);
    as_oracle_free(o);
    cleanup();
}

static void a_killed_run_should_lose_no_committed_label(void **state)
{
    (void)state;
    cleanup();
    const size_t n = 60;
    as_structure **v = make(n, 3);
    /* the child opens the store first and says so through a pipe, so the two processes never
     * race to create the file and set its journal mode */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        as_oracle *o;
        as_store *st;
        as_label_result *r = calloc(n, sizeof *r);
        close(fds[0]);
        if (as_oracle_create("eam:Pt,Co,Cu", NULL, &o) || as_store_open(DB, &st))
            _exit(2);
        if (write(fds[1], "k", 1) != 1)
            _exit(3);
        close(fds[1]);
        as_oracle_label_stored(o, st, (const as_structure *const *)v, n, 1, NULL, r, NULL, NULL);
        _exit(0);
    }
    close(fds[1]);
    char ready;
    assert_int_equal(read(fds[0], &ready, 1), 1);
    close(fds[0]);
    /* wait until some labels are committed, then kill -9 in the middle of the batch */
    size_t seen = 0;
    as_store *watch;
    assert_int_equal(as_store_open(DB, &watch), AS_OK);
    for (int t = 0; t < 20000 && seen < 5; t++) {
        as_label_store_count(watch, &seen);
        struct timespec ts = {0, 500000};
        nanosleep(&ts, NULL);
    }
    as_store_close(watch);
    kill(pid, SIGKILL);
    int ws;
    waitpid(pid, &ws, 0);
    assert_true(seen >= 5);
    as_store *st;
    as_oracle *o;
    size_t cnt, nc;
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    assert_int_equal(as_label_store_count(st, &cnt), AS_OK);
    assert_true(cnt >= seen);
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    as_label_result *r = calloc(n, sizeof *r);
    assert_int_equal(
        as_oracle_label_stored(o, st, (const as_structure *const *)v, n, 1, NULL, r, NULL, &nc),
        AS_OK);
    assert_int_equal(nc, n - cnt); /* the finished ones were kept and not redone */
    assert_int_equal(as_label_store_count(st, &cnt), AS_OK);
    assert_int_equal(cnt, n);
    /* every label equals a fresh computation */
    for (size_t i = 0; i < n; i += 7) {
        as_structure *c;
        as_relax_report rep;
        assert_int_equal(as_structure_copy(v[i], &c), AS_OK);
        assert_int_equal(as_oracle_relax(o, c, NULL, &rep), AS_OK);
        assert_true(fabs(rep.e_final - r[i].energy) < 1e-9);
        as_structure_free(c);
    }
    free(r);
    as_store_close(st);
    as_oracle_free(o);
    for (size_t i = 0; i < n; i++)
        as_structure_free(v[i]);
    free(v);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_should_ignore_sub_micrometre_noise_and_see_species_and_method),
        cmocka_unit_test(keys_should_keep_the_fnv1a_value_of_the_canonical_text),
        cmocka_unit_test(labels_should_survive_reopening_and_not_be_computed_twice),
        cmocka_unit_test(a_killed_run_should_lose_no_committed_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
