/* An oracle's answer for a structure depends on that structure only, not on what the same
 * oracle computed before (non-negotiable 6: a resumed campaign labels in another order and must
 * get the same bits). For the native eam, the lammps: backend and meam (the same LAMMPS worker): structure S alone in a fresh
 * oracle, and S after a sequence of other structures in one oracle (the same cell and atom
 * count with other species and small displacements, the same atom count in another cell,
 * another atom count), must give bit-identical energies, per-atom energies and
 * forces (memcmp), and a relaxation of S bit-identical energies and final positions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define DIR AS_BUILD_DIR "/oracle_history_scratch"

static const char *const SY[3] = {"Pt", "Co", "Cu"};

/* a disordered 2x2x2 (32 atoms) or 3x3x3 (108 atoms) fcc cell, displaced by amp */
static as_structure *make(double a, int nc, unsigned long long seed, double amp)
{
    as_structure *s = tu_fcc(a, 1.0, nc, nc, nc, SY, 3);
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.5, 0.25, 0.25};
    tu_shuffle(s, &rng, w, amp);
    return s;
}

typedef struct {
    double e, *ea, *f;
} answer;

static void ask(as_oracle *o, const as_structure *s, answer *a)
{
    a->ea = calloc(s->n, sizeof *a->ea);
    a->f = calloc(3 * s->n, sizeof *a->f);
    assert_int_equal(as_oracle_energy_atoms(o, s, &a->e, a->ea, a->f), AS_OK);
}

static void same(const answer *a, const answer *b, size_t n)
{
    assert_memory_equal(&a->e, &b->e, sizeof a->e);
    assert_memory_equal(a->ea, b->ea, n * sizeof *a->ea);
    assert_memory_equal(a->f, b->f, 3 * n * sizeof *a->f);
}

static void drop(answer *a)
{
    free(a->ea);
    free(a->f);
}

/* the history: structures that share S's cell and atom count (and a neighbour list or LAMMPS
 * instance could carry over), S's positions with other species, then another size */
static void history(as_oracle *o, const as_structure *s)
{
    as_structure *t = make(3.80, 3, 99, 0.05), *u = NULL, *small = make(3.80, 2, 5, 0.1);
    as_structure *big = make(3.86, 3, 8, 0.05); /* the same atom count, another cell */
    assert_int_equal(as_structure_copy(s, &u), AS_OK);
    for (size_t i = 0; i < u->n; i++)
        u->species[i] = (u->species[i] + 1) % 3;
    as_rng rng;
    as_rng_seed(&rng, 3);
    for (size_t k = 0; k < 3 * u->n; k++) /* |move| < 0.07 sqrt(3): within half a skin of S */
        u->pos[k] += 0.07 * (2.0 * as_rng_uniform(&rng) - 1.0);
    answer x;
    const as_structure *seq[] = {t, small, u, big, t, big, u};
    for (size_t k = 0; k < sizeof seq / sizeof *seq; k++) {
        ask(o, seq[k], &x);
        drop(&x);
    }
    as_structure_free(t);
    as_structure_free(u);
    as_structure_free(small);
    as_structure_free(big);
}

static void check_backend(const char *spec)
{
    as_structure *s = make(3.80, 3, 42, 0.1);
    as_oracle *fresh, *used;
    as_status st = as_oracle_create(spec, NULL, &fresh);
    if (st == AS_EUNSUP)
        skip(); /* built without liblammps */
    assert_int_equal(st, AS_OK);
    answer a, b;
    st = as_oracle_energy_atoms(fresh, s, &a.e, NULL, NULL);
    if (st == AS_EUNSUP)
        skip(); /* liblammps without exceptions */
    as_oracle_free(fresh);
    /* single points */
    assert_int_equal(as_oracle_create(spec, NULL, &fresh), AS_OK);
    ask(fresh, s, &a);
    assert_int_equal(as_oracle_create(spec, NULL, &used), AS_OK);
    history(used, s);
    ask(used, s, &b);
    same(&a, &b, s->n);
    drop(&b);
    /* the same structure again, right after itself */
    ask(used, s, &b);
    same(&a, &b, s->n);
    drop(&b);
    drop(&a);
    /* relaxations (FIRE; the list is reused along the run) */
    as_relax_options ro;
    as_relax_options_default(&ro);
    ro.fmax = 0.05;
    as_label_result r1, r2;
    as_structure *x1 = NULL, *x2 = NULL;
    const as_structure *one[1] = {s};
    as_oracle_free(fresh);
    assert_int_equal(as_oracle_create(spec, NULL, &fresh), AS_OK);
    assert_int_equal(as_oracle_label_batch(fresh, one, 1, 1, &ro, &r1, &x1), AS_OK);
    assert_int_equal(r1.status, AS_OK);
    history(used, s);
    assert_int_equal(as_oracle_label_batch(used, one, 1, 1, &ro, &r2, &x2), AS_OK);
    assert_int_equal(r2.status, AS_OK);
    assert_int_equal(r1.steps, r2.steps);
    assert_memory_equal(&r1.energy, &r2.energy, sizeof r1.energy);
    assert_memory_equal(&r1.fmax, &r2.fmax, sizeof r1.fmax);
    assert_memory_equal(x1->pos, x2->pos, 3 * s->n * sizeof *s->pos);
    as_structure_free(x1);
    as_structure_free(x2);
    as_oracle_free(fresh);
    as_oracle_free(used);
    as_structure_free(s);
}

static void eam_should_not_depend_on_what_it_computed_before(void **state)
{
    (void)state;
    check_backend("eam:Pt,Co,Cu");
}

static void lammps_should_not_depend_on_what_it_computed_before(void **state)
{
    (void)state;
    mkdir(DIR, 0755);
    assert_int_equal(as_eam_write_setfl((const char *const *)SY, 3, 0, 0, DIR "/PtCoCu.eam.alloy"),
                     AS_OK);
    check_backend("lammps:eam/alloy;* * " DIR "/PtCoCu.eam.alloy Pt Co Cu");
}

/* the 2NN-MEAM through the same LAMMPS worker (KIM driver), where this build has it */
static void meam_should_not_depend_on_what_it_computed_before(void **state)
{
    (void)state;
    as_oracle *o;
    if (as_oracle_create("meam", NULL, &o) != AS_OK)
        skip(); /* no LAMMPS KIM package or openkim-models */
    int ok = as_oracle_supports_system(o, SY, 3, NULL, 0);
    as_oracle_free(o);
    if (!ok)
        skip();
    check_backend("meam");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(eam_should_not_depend_on_what_it_computed_before),
        cmocka_unit_test(lammps_should_not_depend_on_what_it_computed_before),
        cmocka_unit_test(meam_should_not_depend_on_what_it_computed_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
