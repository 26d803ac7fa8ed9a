/* The library's one element table (core): symbols and atomic numbers equal ASE's
 * ase.data.chemical_symbols (tests/fixtures/core_element_symbols_ase.txt, independent of the
 * generator), the property rows are exactly those the composition area sees, and the lattice
 * area's look-ups are the same table restricted to Z <= 103. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/core.h"
#include "alloyscout/lattice.h"

static void every_symbol_should_map_to_the_atomic_number_ase_gives(void **state)
{
    (void)state;
    FILE *f = fopen(AS_SOURCE_DIR "/tests/fixtures/core_element_symbols_ase.txt", "r");
    assert_non_null(f);
    char line[256], sym[8];
    int z, n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        assert_int_equal(sscanf(line, "%d %7s", &z, sym), 2);
        assert_int_equal(as_element_z(sym), z);
        assert_string_equal(as_element_symbol(z), sym);
        assert_int_equal(as_lattice_element_z(sym), z <= AS_LATTICE_Z_MAX ? z : 0);
        if (z <= AS_LATTICE_Z_MAX)
            assert_string_equal(as_lattice_element_symbol(z), sym);
        else
            assert_null(as_lattice_element_symbol(z));
        n++;
    }
    fclose(f);
    assert_int_equal(n, AS_ELEMENT_Z_MAX);
}

static void non_symbols_should_give_zero_or_null(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "pt", "PT", "Xx", "Ptt", "P t", "Uue", "D", "T"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(as_element_z(bad[i]), 0);
    assert_int_equal(as_element_z(NULL), 0);
    assert_null(as_element_symbol(0));
    assert_null(as_element_symbol(-1));
    assert_null(as_element_symbol(AS_ELEMENT_Z_MAX + 1));
}

static void property_rows_should_be_table_entries_with_every_property(void **state)
{
    (void)state;
    size_t seen = 0;
    for (int z = 1; z <= AS_ELEMENT_Z_MAX; z++) {
        const as_element *e = as_element_by_z(z);
        if (!e) {
            assert_null(as_element_by_symbol(as_element_symbol(z)));
            continue;
        }
        assert_int_equal(e->z, z);
        assert_ptr_equal(as_element_by_symbol(as_element_symbol(z)), e);
        assert_ptr_equal(e->symbol, as_element_symbol(z)); /* one table, not a copy */
        assert_ptr_equal(as_element_at(seen), e);
        assert_non_null(e->name);
        assert_non_null(e->structure);
        assert_true(e->mass_u > 0 && e->radius_ang > 0 && e->chi_pauling > 0 && e->vec > 0 &&
                    e->tm_k > 0);
        seen++;
    }
    assert_int_equal(seen, as_element_count());
    assert_null(as_element_by_z(0));
    assert_null(as_element_by_z(AS_ELEMENT_Z_MAX + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_symbol_should_map_to_the_atomic_number_ase_gives),
        cmocka_unit_test(non_symbols_should_give_zero_or_null),
        cmocka_unit_test(property_rows_should_be_table_entries_with_every_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
