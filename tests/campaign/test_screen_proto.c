/* The generic screen's options through the C API (issue 13, item 4): prototype names, the
 * composition parser with the candidate placeholder M (fractions normalized by hand below),
 * the option refusals, the system names of each prototype, and the label store's provenance
 * column. No screen runs here (see test_screen_generic.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/alloyscout.h"

static const char host[2][AS_SYMBOL_MAX] = {"Cu", "Ni"};

static void prototypes_should_parse_and_name_l10_l12_fcc(void **state)
{
    (void)state;
    as_screen_proto p;
    const char *names[] = {"l10", "l12", "fcc"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(as_screen_proto_parse(names[i], &p), AS_OK);
        assert_int_equal(p, i);
        assert_string_equal(as_screen_proto_name(p), names[i]);
    }
    assert_int_equal(as_screen_proto_parse("bcc", &p), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "l10, l12, fcc"));
    assert_null(as_screen_proto_name((as_screen_proto)7));
    assert_int_equal(as_screen_options_default().prototype, AS_SCREEN_L10);
}

static void composition_should_give_fractions_of_a_b_and_m(void **state)
{
    (void)state;
    double f[3];
    assert_int_equal(as_screen_composition_parse("Cu0.45Ni0.45M0.1", host, f), AS_OK);
    assert_true(fabs(f[0] - 0.45) < 1e-15 && fabs(f[1] - 0.45) < 1e-15 && fabs(f[2] - 0.1) < 1e-15);
    assert_int_equal(as_screen_composition_parse("Ni1Cu3", host, f), AS_OK); /* 3/4, 1/4 */
    assert_true(f[0] == 0.75 && f[1] == 0.25 && f[2] == 0);
    assert_int_equal(as_screen_composition_parse("CuNiM2", host, f), AS_OK); /* 1:1:2 */
    assert_true(f[0] == 0.25 && f[1] == 0.25 && f[2] == 0.5);
    /* Mn is an element, not the placeholder */
    assert_int_equal(as_screen_composition_parse("Cu0.5Mn0.5", host, f), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "Mn is neither"));
    assert_int_equal(as_screen_composition_parse("Cu0.5Cu0.5", host, f), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "twice"));
    assert_int_equal(as_screen_composition_parse("Cu1M1", host, f), AS_EINVAL);
    assert_int_equal(as_screen_composition_parse("cu1", host, f), AS_EINVAL);
    assert_int_equal(as_screen_composition_parse("", host, f), AS_EINVAL);
}

static void options_should_refuse_a_composition_for_l10_and_a_bad_prototype(void **state)
{
    (void)state;
    as_screen_options o = as_screen_options_default();
    o.composition[0] = o.composition[1] = 0.5;
    assert_int_equal(as_screen_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "l10"));
    o.prototype = AS_SCREEN_FCC;
    assert_int_equal(as_screen_options_check(&o), AS_OK);
    o.composition[1] = 0;
    assert_int_equal(as_screen_options_check(&o), AS_EINVAL);
    o.composition[1] = -0.1;
    assert_int_equal(as_screen_options_check(&o), AS_EINVAL);
    o = as_screen_options_default();
    o.prototype = (as_screen_proto)5;
    assert_int_equal(as_screen_options_check(&o), AS_EINVAL);
}

static void system_names_should_follow_the_prototype(void **state)
{
    (void)state;
    as_screen_options o = as_screen_options_default();
    char b[32];
    as_screen_system_name(&o, NULL, b, sizeof b);
    assert_string_equal(b, "PtCo");
    as_screen_system_name(&o, "Cu", b, sizeof b);
    assert_string_equal(b, "Pt2CoCu");
    strcpy(o.host[0], "Cu");
    strcpy(o.host[1], "Au");
    o.prototype = AS_SCREEN_L12;
    as_screen_system_name(&o, NULL, b, sizeof b);
    assert_string_equal(b, "Cu3Au");
    as_screen_system_name(&o, "Pd", b, sizeof b);
    assert_string_equal(b, "Cu3Au+Pd");
    o.prototype = AS_SCREEN_FCC;
    as_screen_system_name(&o, "Pd", b, sizeof b);
    assert_string_equal(b, "CuAu+Pd");
}

/* The provenance column of a label: set on an existing row, read back; absent row refused. */
static void label_source_should_be_set_and_read_back(void **state)
{
    (void)state;
    const char *db = AS_BUILD_DIR "/campaign_screen_proto_test.sqlite";
    remove(db);
    as_store *st = NULL;
    as_structure *x = NULL;
    assert_int_equal(as_store_open(db, &st), AS_OK);
    assert_int_equal(as_structure_create(1, 1, &x), AS_OK);
    int sp;
    assert_int_equal(as_structure_add_symbol(x, "Cu", &sp), AS_OK);
    x->species[0] = sp;
    x->cell[0] = x->cell[4] = x->cell[8] = 2.5;
    as_label_result lr;
    memset(&lr, 0, sizeof lr);
    lr.energy = -3.5;
    uint64_t key = as_label_key(x, "m");
    assert_int_equal(as_label_store_set_source(st, key, "f.extxyz:frame 1"), AS_EINVAL);
    assert_int_equal(as_label_store_put(st, key, "m", x, &lr, NULL), AS_OK);
    char *src = NULL;
    assert_int_equal(as_label_store_get_source(st, key, &src), AS_OK);
    assert_null(src); /* computed labels have none */
    assert_int_equal(as_label_store_set_source(st, key, "f.extxyz:frame 1"), AS_OK);
    assert_int_equal(as_label_store_get_source(st, key, &src), AS_OK);
    assert_string_equal(src, "f.extxyz:frame 1");
    as_free(src);
    assert_int_equal(as_label_store_get_source(st, key + 1, &src), AS_OK);
    assert_null(src);
    as_structure_free(x);
    as_store_close(st);
    remove(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prototypes_should_parse_and_name_l10_l12_fcc),
        cmocka_unit_test(composition_should_give_fractions_of_a_b_and_m),
        cmocka_unit_test(options_should_refuse_a_composition_for_l10_and_a_bad_prototype),
        cmocka_unit_test(system_names_should_follow_the_prototype),
        cmocka_unit_test(label_source_should_be_set_and_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
