/* The structure readers under hostile input (issue 17, items 3 and 5): degenerate cells
 * (1e-9 .. 1e-12 Å thick, or flat) are refused with the file and line before any arithmetic
 * uses them, and numbers outside the decimal syntax (hex, inf, nan) are refused in Lattice,
 * energy= and positions of extended XYZ and in POSCAR. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/lattice.h"

#define F AS_BUILD_DIR "/lattice_faults.tmp.txt"

static void put(const char *text)
{
    FILE *f = fopen(F, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void xyz_fails(const char *text, const char *want)
{
    put(text);
    as_structure **fr = NULL;
    size_t n = 0;
    as_status st = as_extxyz_read(F, &fr, &n);
    if (st == AS_OK || !strstr(as_errmsg(), want))
        fail_msg("status %d, message '%s', expected '%s'", st, st ? as_errmsg() : "", want);
    assert_null(fr);
}

static void poscar_fails(const char *text, const char *want)
{
    put(text);
    as_structure *s = NULL;
    as_status st = as_poscar_read(F, &s);
    if (st == AS_OK || !strstr(as_errmsg(), want))
        fail_msg("status %d, message '%s', expected '%s'", st, st ? as_errmsg() : "", want);
    assert_null(s);
}

static void thin_cells_should_be_refused_by_the_readers(void **state)
{
    (void)state;
    const char *thick[] = {"1e-9", "1e-10", "1e-11", "1e-12", "0.0009"};
    for (int t = 0; t < 5; t++) {
        char text[512];
        snprintf(text, sizeof text,
                 "1\nLattice=\"10 0 0 0 10 0 0 0 %s\" Properties=species:S:1:pos:R:3\n"
                 "Pt 0 0 0\n",
                 thick[t]);
        xyz_fails(text, ":2: Lattice: degenerate cell: its thickness along lattice vector 3");
        snprintf(text, sizeof text,
                 "thin\n1.0\n10 0 0\n0 10 0\n0 0 %s\nPt\n1\nDirect\n"
                 "0 0 0\n",
                 thick[t]);
        poscar_fails(text, "degenerate cell: its thickness along lattice vector 3");
    }
    /* flat: the third vector lies 1e-10 Å out of the plane of the others */
    xyz_fails("1\nLattice=\"10 0 0 0 10 0 5 5 1e-10\" Properties=species:S:1:pos:R:3\n"
              "Pt 0 0 0\n",
              "degenerate cell");
    /* the minimum itself is accepted */
    put("1\nLattice=\"10 0 0 0 10 0 0 0 0.001\" Properties=species:S:1:pos:R:3\nPt 0 0 0\n");
    as_structure **fr = NULL;
    size_t n = 0;
    assert_int_equal(as_extxyz_read(F, &fr, &n), AS_OK);
    as_structures_free(fr, n);
    assert_int_equal(as_cell_check((const double[9]){3.9, 0, 0, 0, 3.9, 0, 0, 0, 3.9}), AS_OK);
    assert_int_equal(as_cell_check((const double[9]){3.9, 0, 0, 0, 3.9, 0, 0, 0, NAN}), AS_EINVAL);
}

static void hex_and_other_forms_should_be_refused(void **state)
{
    (void)state;
    xyz_fails("1\nLattice=\"3.9 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3 "
              "energy=0x1p3\nPt 0 0 0\n",
              ":2: bad energy '0x1p3'");
    xyz_fails("1\nLattice=\"3.9 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3 "
              "energy=inf\nPt 0 0 0\n",
              "bad energy 'inf'");
    xyz_fails("1\nLattice=\"0x1.f3333p+1 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3\n"
              "Pt 0 0 0\n",
              "bad number '0x1.f3333p+1' in Lattice");
    xyz_fails("1\nLattice=\"3.9 0 0 0 3.9 0 0 0 3.9\" Properties=species:S:1:pos:R:3\n"
              "Pt 0x0 0 0\n",
              "0x0");
    poscar_fails("hex\n0x1p0\n3.9 0 0\n0 3.9 0\n0 0 3.9\nPt\n1\nDirect\n0 0 0\n",
                 "expected a nonzero scale factor");
    poscar_fails("hex\n1.0\n3.9 0 0\n0 0x3.9 0\n0 0 3.9\nPt\n1\nDirect\n0 0 0\n",
                 "bad number '0x3.9'");
    /* plain decimals with exponents are fine */
    put("1\nLattice=\"3.9e0 0 0 0 39E-1 0 0 0 3.9\" Properties=species:S:1:pos:R:3 "
        "energy=-5.77e+0\nPt 0 0 0\n");
    as_structure **fr = NULL;
    size_t n = 0;
    assert_int_equal(as_extxyz_read(F, &fr, &n), AS_OK);
    assert_true(fr[0]->energy == -5.77 && fr[0]->cell[4] == 3.9);
    as_structures_free(fr, n);
}

static void sro_target_values_should_be_decimal(void **state)
{
    (void)state;
    const char sy[2][AS_SYMBOL_MAX] = {"Pt", "Co"};
    as_sro_pair pair;
    double v = 0;
    int has = 0;
    assert_int_equal(as_sro_pair_parse("Pt-Co=-0.125", sy, 2, &pair, &v, &has), AS_OK);
    assert_true(has && v == -0.125);
    const char *bad[] = {"Pt-Co=0x1p-3", "Pt-Co=-inf", "Pt-Co=nan", "Pt-Co= 0.1", "Pt-Co=1e999"};
    for (int i = 0; i < 5; i++)
        if (as_sro_pair_parse(bad[i], sy, 2, &pair, &v, &has) != AS_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thin_cells_should_be_refused_by_the_readers),
        cmocka_unit_test(hex_and_other_forms_should_be_refused),
        cmocka_unit_test(sro_target_values_should_be_decimal),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove(F);
    return rc;
}
