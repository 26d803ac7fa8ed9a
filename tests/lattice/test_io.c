/* Structure files: extended XYZ and POSCAR read back what was written (exactly for extended XYZ
 * and Cartesian POSCAR; Direct to 1e-12 Å after the fractional round trip), hand-written files in
 * the formats of ASE and VASP parse to known values, and malformed files fail with file:line. */
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
#include "lattice/lattice_test.h"

static char path_buf[512];
static const char *tmp_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/lattice_io_%s", AS_BUILD_DIR, name);
    return path_buf;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A 5-atom triclinic structure with high-entropy numbers. */
static as_structure *sample(int forces)
{
    as_structure *s;
    assert_int_equal(as_structure_create(5, 0, &s), AS_OK);
    static const double cell[9] = {5.385,  0.1234, -0.021, 0.35,   4.9187,
                                   0.0071, -0.113, 0.27,   6.02913};
    memcpy(s->cell, cell, sizeof cell);
    static const char *sym[5] = {"Pt", "Co", "Pt", "Cu", "Co"};
    for (int i = 0; i < 5; i++) {
        int idx;
        assert_int_equal(as_structure_add_symbol(s, sym[i], &idx), AS_OK);
        s->species[i] = idx;
        for (int k = 0; k < 3; k++)
            s->pos[3 * i + k] = 0.1 * (i + 1) * (k + 2.385) + 1.0 / 3.0 * k;
    }
    s->energy = -31.415926535897931;
    s->has_energy = 1;
    if (forces) {
        assert_int_equal(as_structure_alloc_forces(s), AS_OK);
        for (int i = 0; i < 15; i++)
            s->forces[i] = sin(i + 0.385) * 1e-3;
    }
    assert_int_equal(as_structure_set_info(s, "config", "7"), AS_OK);
    assert_int_equal(as_structure_set_info(s, "sro_pair", "Pt-(Co,Cu)"), AS_OK);
    assert_int_equal(as_structure_set_info(s, "note", "two words"), AS_OK);
    assert_int_equal(as_structure_set_info(s, "quoted", "say \"hi\", a\\b"), AS_OK);
    return s;
}

static void assert_same_atoms(const as_structure *a, const as_structure *b, double tol)
{
    assert_int_equal(a->n, b->n);
    for (int q = 0; q < 9; q++)
        assert_near(a->cell[q], b->cell[q], tol);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->symbols[a->species[i]], b->symbols[b->species[i]]);
        for (int k = 0; k < 3; k++)
            assert_near(a->pos[3 * i + k], b->pos[3 * i + k], tol);
    }
}

static void extxyz_should_read_back_exactly_what_it_wrote(void **st)
{
    (void)st;
    as_structure *fr[2] = {sample(1), sample(0)};
    fr[1]->pos[4] = 2.385;
    const char *p = tmp_path("rt.extxyz");
    assert_int_equal(as_extxyz_write(p, fr, 2), AS_OK);
    as_structure **back;
    size_t n;
    assert_int_equal(as_extxyz_read(p, &back, &n), AS_OK);
    assert_int_equal(n, 2);
    for (int k = 0; k < 2; k++) {
        assert_same_atoms(fr[k], back[k], 0);
        assert_int_equal(back[k]->has_energy, 1);
        assert_near(back[k]->energy, fr[k]->energy, 0);
        assert_string_equal(as_structure_get_info(back[k], "sro_pair"), "Pt-(Co,Cu)");
        assert_string_equal(as_structure_get_info(back[k], "note"), "two words");
        assert_string_equal(as_structure_get_info(back[k], "config"), "7");
        assert_string_equal(as_structure_get_info(back[k], "quoted"), "say \"hi\", a\\b");
    }
    assert_non_null(back[0]->forces);
    assert_memory_equal(back[0]->forces, fr[0]->forces, 15 * sizeof(double));
    assert_null(back[1]->forces);
    as_structures_free(back, n);
    as_structure_free(fr[0]);
    as_structure_free(fr[1]);
}

static void ase_style_extxyz_should_parse_with_extra_columns_and_keys(void **st)
{
    (void)st;
    /* as ase.io.write(..., format='extxyz') writes it, with a tags column and a calculator */
    const char *p = tmp_path("ase.extxyz");
    write_text(p, "2\n"
                  "Lattice=\"3.0 0.0 0.0 0.0 3.5 0.0 0.0 0.0 4.0\" "
                  "Properties=species:S:1:pos:R:3:tags:I:1:forces:R:3 energy=-1.25 "
                  "free_energy=-1.5 stress=\"1 2 3 4 5 6\" flag pbc=\"T T T\"\n"
                  "Pt 0.0 0.0 0.0 3 0.1 0.2 0.3\n"
                  "Ni 1.5 1.75 2.0 0 -0.1 -0.2 -0.3\n");
    as_structure **f;
    size_t n;
    assert_int_equal(as_extxyz_read(p, &f, &n), AS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(f[0]->n, 2);
    assert_near(f[0]->cell[4], 3.5, 0);
    assert_string_equal(f[0]->symbols[f[0]->species[1]], "Ni");
    assert_near(f[0]->pos[5], 2.0, 0);
    assert_near(f[0]->forces[4], -0.2, 0);
    assert_near(f[0]->energy, -1.25, 0);
    assert_string_equal(as_structure_get_info(f[0], "stress"), "1 2 3 4 5 6");
    assert_string_equal(as_structure_get_info(f[0], "flag"), "T");
    as_structures_free(f, n);
}

static void expect_parse_error(const char *name, const char *text, const char *where,
                               const char *what)
{
    const char *p = tmp_path(name);
    write_text(p, text);
    as_structure **f = (as_structure **)1;
    size_t n = 9;
    as_status s = as_extxyz_read(p, &f, &n);
    assert_int_equal(s, AS_EPARSE);
    assert_null(f);
    assert_int_equal(n, 0);
    char want[600];
    snprintf(want, sizeof want, "%s:%s", p, where);
    if (!strstr(as_errmsg(), want) || !strstr(as_errmsg(), what))
        fail_msg("message '%s' lacks '%s' or '%s'", as_errmsg(), want, what);
}

static void malformed_extxyz_should_fail_with_file_and_line(void **st)
{
    (void)st;
    const char *lat = "Lattice=\"3 0 0 0 3 0 0 0 3\" Properties=species:S:1:pos:R:3";
    char buf[512];
    snprintf(buf, sizeof buf, "2\n%s\nPt 0 0 0\n", lat);
    expect_parse_error("short.xyz", buf, "4:", "file ends after 1 of 2 atoms");
    snprintf(buf, sizeof buf, "1\n%s\nPt 0 0.5x 0\n", lat);
    expect_parse_error("num.xyz", buf, "3:6:", "bad number '0.5x'");
    expect_parse_error("nolat.xyz", "1\nProperties=species:S:1:pos:R:3\nPt 0 0 0\n",
                       "2:", "missing Lattice");
    snprintf(buf, sizeof buf, "1\n%s\nXx 0 0 0\n", lat);
    expect_parse_error("elem.xyz", buf, "3:1:", "unknown element 'Xx'");
    snprintf(buf, sizeof buf, "1\n%s\nPt 0 0 0\n1\n%s\nPt 0 0\n", lat, lat);
    expect_parse_error("cols.xyz", buf, "6:", "expected 4 columns, got 3");
    snprintf(buf, sizeof buf, "two\n%s\nPt 0 0 0\n", lat);
    expect_parse_error("count.xyz", buf, "1:", "number of atoms");
    expect_parse_error("empty.xyz", "\n\n", "3:", "no frame");
    expect_parse_error("lat8.xyz", "1\nLattice=\"3 0 0 0 3 0 0 0\"\nPt 0 0 0\n",
                       "2:", "Lattice needs 9");
    /* found by fuzz/fuzz_extxyz.c: a quote inside a key; a count far beyond the file */
    snprintf(buf, sizeof buf, "1\n%s k\"ey=1\nPt 0 0 0\n", lat);
    expect_parse_error("keyquote.xyz", buf, "2:", "quote inside the key");
    snprintf(buf, sizeof buf, "99999999\n%s\nPt 0 0 0\n", lat);
    expect_parse_error("huge.xyz", buf, "1:", "99999999 atoms declared");
    as_structure **f;
    size_t n;
    assert_int_equal(as_extxyz_read(tmp_path("does-not-exist.xyz"), &f, &n), AS_EIO);
}

static void poscar_should_read_back_cartesian_exactly_and_direct_to_1e_12(void **st)
{
    (void)st;
    as_structure *s = sample(0);
    as_structure *b;
    const char *p = tmp_path("POSCAR_cart");
    assert_int_equal(as_poscar_write(p, s, 0), AS_OK);
    assert_int_equal(as_poscar_read(p, &b), AS_OK);
    assert_same_atoms(s, b, 0);
    as_structure_free(b);
    p = tmp_path("POSCAR_direct");
    assert_int_equal(as_poscar_write(p, s, 1), AS_OK);
    assert_int_equal(as_poscar_read(p, &b), AS_OK);
    /* fractional = Cramer's rule, back by one product: a few ulps of 10 Å */
    assert_same_atoms(s, b, 1e-12);
    as_structure_free(b);
    as_structure_free(s);
}

static void vasp_style_poscar_should_parse_scale_selective_dynamics_and_potcar_names(void **st)
{
    (void)st;
    const char *p = tmp_path("POSCAR_vasp");
    write_text(p, "PtCo L10 \"relaxed\"\n" /* quotes: anything goes on the comment line */
                  "  2.0\n"
                  "  1.35 0 0\n  0 1.35 0\n  0 0 1.85\n"
                  "  Pt_pv Co\n  1 1\n"
                  "Selective dynamics\n"
                  "Direct\n"
                  "  0 0 0 T T T\n"
                  "  0.5 0.5 0.5 F F F\n");
    as_structure *s;
    assert_int_equal(as_poscar_read(p, &s), AS_OK);
    assert_int_equal(s->n, 2);
    assert_near(s->cell[0], 2.7, 1e-15);
    assert_near(s->cell[8], 3.7, 1e-15);
    assert_string_equal(s->symbols[s->species[0]], "Pt");
    assert_string_equal(s->symbols[s->species[1]], "Co");
    assert_near(s->pos[5], 1.85, 1e-15);
    assert_string_equal(as_structure_get_info(s, "comment"), "PtCo L10 \"relaxed\"");
    as_structure_free(s);
    /* negative scale: the cell volume in Å^3 */
    write_text(p, "vol\n-64\n1 0 0\n0 1 0\n0 0 1\nCu\n1\nCartesian\n0.25 0.5 0.75\n");
    assert_int_equal(as_poscar_read(p, &s), AS_OK);
    assert_near(s->cell[0], 4.0, 1e-14);
    assert_near(s->pos[2], 3.0, 1e-14);
    as_structure_free(s);
}

static void malformed_poscar_should_fail_with_file_and_line(void **st)
{
    (void)st;
    static const struct {
        const char *text, *where, *what;
    } cases[] = {
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\n2\nDirect\n0 0 0\n0.5 0.5 0.5\n", ":6:", "VASP 4"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nQq\n1\nDirect\n0 0 0\n", ":6:1:", "unknown element 'Qq'"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt\n2\nDirect\n0 0 0\n", ":10:", "file ends after 1 of 2"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt\n1\nDirect\n0 zero 0\n", ":9:3:", "bad number 'zero'"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt Co\n1\nDirect\n0 0 0\n", ":7:", "expected 2 counts"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt\n1\nWhat\n0 0 0\n", ":8:", "Direct or Cartesian"},
        {"c\nx\n", ":2:", "scale"},
        {"c\n1\n1 0 0\n2 0 0\n0 0 1\nPt\n1\nDirect\n0 0 0\n", ":5:", "linearly dependent"},
        /* found by fuzz/fuzz_poscar.c */
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt\n0\nDirect\n", ":7:", "no atom"},
        {"c\n1\n1 0 0\n0 1 0\n0 0 1\nPt Co\n50000000 50000000\nDirect\n0 0 0\n",
         ":7:", "100000000 atoms declared"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char name[32];
        snprintf(name, sizeof name, "POSCAR_bad%zu", k);
        const char *p = tmp_path(name);
        write_text(p, cases[k].text);
        as_structure *s = (as_structure *)1;
        assert_int_equal(as_poscar_read(p, &s), AS_EPARSE);
        assert_null(s);
        if (!strstr(as_errmsg(), cases[k].where) || !strstr(as_errmsg(), cases[k].what) ||
            !strstr(as_errmsg(), p))
            fail_msg("case %zu: message '%s' lacks '%s' / '%s'", k, as_errmsg(), cases[k].where,
                     cases[k].what);
    }
}

static void lattice_structures_should_keep_fractional_positions_under_strain(void **st)
{
    (void)st;
    size_t size[3] = {3, 3, 3};
    as_lattice *lat;
    as_lattice_options o = as_lattice_options_default();
    o.a_ang = 3.85;
    o.c_ang = 3.71;
    assert_int_equal(as_lattice_create(AS_PROTO_PT2COM, size, &o, &lat), AS_OK);
    int cfg[108];
    as_lattice_prototype_config(lat, cfg);
    static const char sym[3][AS_SYMBOL_MAX] = {"Pt", "Co", "Ni"};
    double eps[9] = {0.01, 0, 0, 0, -0.02, 0.005, 0, 0.005, 0.03};
    as_structure *s;
    assert_int_equal(as_lattice_to_structure(lat, cfg, sym, 3, eps, &s), AS_OK);
    assert_near(s->cell[0], 6 * 3.85 / sqrt(2.0) * 1.01, 1e-12);
    assert_near(s->cell[8], 3 * 3.71 * 1.03, 1e-12);
    /* the strained structure still matches the ideal sites one to one */
    int back[108];
    assert_int_equal(as_lattice_match(lat, s, sym, 3, 0.35, back), AS_OK);
    assert_memory_equal(back, cfg, sizeof cfg);
    assert_string_equal(as_structure_get_info(s, "species_order"), "Pt,Co,Ni");
    assert_string_equal(as_structure_get_info(s, "size"), "3 3 3");
    /* an atom pushed half-way to its neighbour no longer matches */
    s->pos[0] += 0.5 * 3.85 / sqrt(2.0) / sqrt(2.0);
    s->pos[1] += 0.5 * 3.85 / sqrt(2.0) / sqrt(2.0);
    assert_int_equal(as_lattice_match(lat, s, sym, 3, 0.35, back), AS_EINVAL);
    as_structure_free(s);
    as_lattice_free(lat);
}

static void failing_allocations_while_reading_should_give_enomem(void **st)
{
    (void)st;
    as_structure *fr[1] = {sample(1)};
    const char *p = tmp_path("alloc.extxyz");
    assert_int_equal(as_extxyz_write(p, fr, 1), AS_OK);
    for (size_t k = 1; k < 200; k++) {
        as_structure **f = NULL;
        size_t n;
        as_alloc_fail_after(k);
        as_status s = as_extxyz_read(p, &f, &n);
        as_alloc_fail_after(0);
        if (s == AS_OK) {
            as_structures_free(f, n);
            break;
        }
        assert_int_equal(s, AS_ENOMEM);
        assert_null(f);
    }
    as_structure_free(fr[0]);
}

static void element_table_should_know_1_to_103(void **st)
{
    (void)st;
    assert_int_equal(as_lattice_element_z("Pt"), 78);
    assert_int_equal(as_lattice_element_z("Lr"), 103);
    assert_int_equal(as_lattice_element_z("H"), 1);
    assert_int_equal(as_lattice_element_z("pt"), 0);
    assert_int_equal(as_lattice_element_z("Rf"), 0);
    assert_string_equal(as_lattice_element_symbol(29), "Cu");
    assert_null(as_lattice_element_symbol(104));
    as_structure *s;
    int idx;
    assert_int_equal(as_structure_create(1, 0, &s), AS_OK);
    assert_int_equal(as_structure_add_symbol(s, "Zz", &idx), AS_EINVAL);
    assert_int_equal(as_structure_set_info(s, "bad key", "v"), AS_EINVAL);
    assert_int_equal(as_structure_set_info(s, "k", "a\nb"), AS_EINVAL);
    assert_int_equal(as_structure_set_info(s, "k", "a\rb"), AS_EINVAL);
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extxyz_should_read_back_exactly_what_it_wrote),
        cmocka_unit_test(ase_style_extxyz_should_parse_with_extra_columns_and_keys),
        cmocka_unit_test(malformed_extxyz_should_fail_with_file_and_line),
        cmocka_unit_test(poscar_should_read_back_cartesian_exactly_and_direct_to_1e_12),
        cmocka_unit_test(vasp_style_poscar_should_parse_scale_selective_dynamics_and_potcar_names),
        cmocka_unit_test(malformed_poscar_should_fail_with_file_and_line),
        cmocka_unit_test(lattice_structures_should_keep_fractional_positions_under_strain),
        cmocka_unit_test(failing_allocations_while_reading_should_give_enomem),
        cmocka_unit_test(element_table_should_know_1_to_103),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
