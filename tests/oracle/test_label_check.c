/* Labels are checked where they enter (as_oracle_check_label, every backend): cmd: outputs with
 * an absurd energy (1e308), nan, a hex number, another species, another cell or another atom
 * count are failed labels with the reason; the per-atom window is configurable and applies to
 * the native backends too; degenerate (1e-9 .. 1e-12 Å thick) cells are refused by the
 * neighbour list instead of giving an energy (issue 17, items 2, 3, 5 and 7). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_label_check_scratch"

static void script(const char *name, const char *body)
{
    char path[512];
    snprintf(path, sizeof path, SCR "/%s", name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(path, 0755);
}

/* 32-atom L1_0 PtCu cell, 7.5 x 7.5 x 7.5 Å; atom 1 is Pt */
static as_structure *ptcu(void)
{
    const char *sy[2] = {"Pt", "Cu"};
    return tu_fcc(3.75, 1.0, 2, 2, 2, sy, 2);
}

/* label one structure with a cmd: script; returns the result */
static as_label_result run(const char *prog, const as_oracle_options *opt)
{
    char spec[512];
    snprintf(spec, sizeof spec, "cmd:" SCR "/%s {in} {out}", prog);
    as_oracle *o;
    assert_int_equal(as_oracle_create(spec, opt, &o), AS_OK);
    as_structure *s = ptcu();
    const as_structure *v[1] = {s};
    as_label_result r;
    assert_int_equal(as_oracle_label_batch(o, v, 1, 0, NULL, &r, NULL), AS_OK);
    as_structure_free(s);
    as_oracle_free(o);
    return r;
}

static void setup(void)
{
    mkdir(SCR, 0755);
    script("good.sh", "sed '2s/$/ energy=-40.5/' \"$1\" > \"$2\"");
    script("huge.sh", "sed '2s/$/ energy=1e308/' \"$1\" > \"$2\"");
    script("window.sh", "sed '2s/$/ energy=-10000/' \"$1\" > \"$2\"");
    script("nan.sh", "sed '2s/$/ energy=nan/' \"$1\" > \"$2\"");
    script("hex.sh", "sed '2s/$/ energy=-0x1.4p5/' \"$1\" > \"$2\"");
    script("species.sh", "sed -e '2s/$/ energy=-40.5/' -e '3s/^Pt/Au/' \"$1\" > \"$2\"");
    script("cell.sh", "sed -e '2s/$/ energy=-40.5/' -e '2s/Lattice=\"[^ ]*/Lattice=\"7.6/' "
                      "\"$1\" > \"$2\"");
    script("count.sh", "n=$(head -1 \"$1\"); sed -e \"1s/.*/$((n - 1))/\" -e '$d' "
                       "-e '2s/$/ energy=-40.5/' \"$1\" > \"$2\"");
}

static as_oracle_options opts(void)
{
    as_oracle_options o;
    as_oracle_options_default(&o);
    o.retries = 0;
    o.timeout_s = 30;
    return o;
}

static void a_good_label_should_pass_the_checks(void **state)
{
    (void)state;
    setup();
    as_oracle_options o = opts();
    as_label_result r = run("good.sh", &o);
    assert_int_equal(r.status, AS_OK);
    assert_true(r.energy == -40.5);
}

static void failed(const char *prog, const as_oracle_options *o, const char *why)
{
    as_label_result r = run(prog, o);
    if (r.status == AS_OK || !strstr(r.error, why))
        fail_msg("%s: status %d, energy %g, error '%s' (expected '%s')", prog, r.status, r.energy,
                 r.error, why);
    assert_true(isnan(r.energy));
}

static void an_absurd_energy_should_be_a_failed_label(void **state)
{
    (void)state;
    setup();
    as_oracle_options o = opts();
    failed("huge.sh", &o, "plausible window of 50 eV/atom");
    failed("window.sh", &o, "|E| / atom = 312.5 eV");
}

static void the_energy_window_should_be_configurable(void **state)
{
    (void)state;
    setup();
    as_oracle_options o = opts();
    o.e_atom_max_ev = 400;
    as_label_result r = run("window.sh", &o);
    assert_int_equal(r.status, AS_OK);
    assert_true(r.energy == -10000);
    o.e_atom_max_ev = INFINITY; /* off: 1e308 is then taken as it is */
    r = run("huge.sh", &o);
    assert_int_equal(r.status, AS_OK);
}

static void nan_and_hex_energies_should_be_refused(void **state)
{
    (void)state;
    setup();
    as_oracle_options o = opts();
    failed("nan.sh", &o, "bad energy 'nan'");
    failed("hex.sh", &o, "bad energy '-0x1.4p5'");
}

static void another_species_cell_or_atom_count_should_be_a_failed_label(void **state)
{
    (void)state;
    setup();
    as_oracle_options o = opts();
    failed("species.sh", &o, "atom 1 is Au in the output, Pt in the input");
    failed("cell.sh", &o,
           "the output cell differs from the input (lattice vector 1, "
           "component 1: 7.5999999999999996 vs 7.5 Å");
    failed("count.sh", &o, "the output has 31 atoms, the input 32");
}

static void native_backends_should_apply_the_window_too(void **state)
{
    (void)state;
    as_oracle_options o;
    as_oracle_options_default(&o);
    o.e_atom_max_ev = 1.0; /* Pt-Cu binds by 4-6 eV per atom */
    as_oracle *eam;
    assert_int_equal(as_oracle_create("eam:Pt,Cu", &o, &eam), AS_OK);
    as_structure *s = ptcu();
    double e = 0;
    assert_int_equal(as_oracle_energy(eam, s, &e, NULL), AS_EORACLE);
    assert_non_null(strstr(as_errmsg(), "plausible window of 1 eV/atom"));
    const as_structure *v[1] = {s};
    as_label_result r;
    assert_int_equal(as_oracle_label_batch(eam, v, 1, 0, NULL, &r, NULL), AS_OK);
    assert_int_equal(r.status, AS_EORACLE);
    assert_true(isnan(r.energy));
    as_oracle_free(eam);
    assert_int_equal(as_oracle_create("eam:Pt,Cu", NULL, &eam), AS_OK); /* default 50 eV */
    assert_int_equal(as_oracle_energy(eam, s, &e, NULL), AS_OK);
    assert_true(e < 0 && e / 32 > -7);
    as_oracle_free(eam);
    as_structure_free(s);
}

/* issue 17 item 3: thickness 1e-9 .. 1e-12 Å overflowed an int in the neighbour list and
 * returned an energy with status ok */
static void degenerate_cells_should_be_refused_by_the_neighbour_list(void **state)
{
    (void)state;
    as_oracle *eam;
    assert_int_equal(as_oracle_create("eam:Pt,Cu", NULL, &eam), AS_OK);
    const double thick[4] = {1e-9, 1e-10, 1e-11, 1e-12};
    for (int t = 0; t < 4; t++) {
        as_structure *s = NULL;
        assert_int_equal(as_structure_create(1, 1, &s), AS_OK);
        snprintf(s->symbols[0], AS_SYMBOL_MAX, "Pt");
        s->n_symbols = 1;
        memset(s->cell, 0, sizeof s->cell);
        s->cell[0] = 10;
        s->cell[4] = 10;
        s->cell[8] = thick[t];
        double e = 0;
        assert_int_equal(as_oracle_energy(eam, s, &e, NULL), AS_EINVAL);
        assert_non_null(strstr(as_errmsg(), "degenerate cell: its thickness along lattice "
                                            "vector 3"));
        s->cell[8] = 0;
        s->cell[6] = 10; /* flat: the third vector in the plane of the others */
        s->cell[7] = 10 * thick[t];
        assert_int_equal(as_oracle_energy(eam, s, &e, NULL), AS_EINVAL);
        as_structure_free(s);
    }
    /* just above the minimum thickness the list refuses the image count, not the cell */
    as_structure *s = NULL;
    assert_int_equal(as_structure_create(1, 1, &s), AS_OK);
    snprintf(s->symbols[0], AS_SYMBOL_MAX, "Pt");
    s->n_symbols = 1;
    memset(s->cell, 0, sizeof s->cell);
    s->cell[0] = s->cell[4] = 10;
    s->cell[8] = 2 * AS_CELL_MIN_WIDTH_ANG;
    double e = 0;
    assert_int_equal(as_oracle_energy(eam, s, &e, NULL), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "too small for cutoff"));
    as_structure_free(s);
    as_oracle_free(eam);
}

/* setfl numbers follow the decimal syntax too: a hex value is refused with file:line:column */
static void setfl_numbers_should_be_decimal(void **state)
{
    (void)state;
    FILE *in = fopen(AS_SOURCE_DIR "/fuzz/corpus/setfl/cu.eam.alloy", "r");
    assert_non_null(in);
    char text[1 << 16];
    size_t k = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[k] = 0;
    char *p = strstr(text, "63.546");
    assert_non_null(p);
    char bad[1 << 16];
    snprintf(bad, sizeof bad, "%.*s0x3fp0%s", (int)(p - text), text, p + 6);
    FILE *out = fopen(SCR "/hex.eam.alloy", "w");
    assert_non_null(out);
    fputs(bad, out);
    fclose(out);
    mkdir(SCR, 0755);
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:" SCR "/hex.eam.alloy", NULL, &o), AS_EPARSE);
    assert_non_null(strstr(as_errmsg(), "hex.eam.alloy:6:1: expected 'Z mass a lattice'"));
    assert_null(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_label_should_pass_the_checks),
        cmocka_unit_test(an_absurd_energy_should_be_a_failed_label),
        cmocka_unit_test(the_energy_window_should_be_configurable),
        cmocka_unit_test(nan_and_hex_energies_should_be_refused),
        cmocka_unit_test(another_species_cell_or_atom_count_should_be_a_failed_label),
        cmocka_unit_test(native_backends_should_apply_the_window_too),
        cmocka_unit_test(degenerate_cells_should_be_refused_by_the_neighbour_list),
        cmocka_unit_test(setfl_numbers_should_be_decimal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
