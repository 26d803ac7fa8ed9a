/* The campaign area through its C API: the paper's defaults, every rejected option, the
 * refusals of as_screen_create (not an element, a host element, an element the oracle lacks
 * with the supported ones named), steps out of order, the campaign tables of the SQLite file,
 * and allocation failures. None of these runs a screen (see test_screen_replay.c).
 *
 * Independent reference for the defaults: the paper's Methods (seed 004). */
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

#define DB AS_BUILD_DIR "/campaign_screen_api_test.sqlite"

static void cleanup(void)
{
    remove(DB);
    remove(DB "-wal");
    remove(DB "-shm");
}

static void defaults_should_be_the_papers_settings(void **state)
{
    (void)state;
    as_screen_options o = as_screen_options_default();
    assert_string_equal(o.host[0], "Pt");
    assert_string_equal(o.host[1], "Co");
    assert_int_equal(o.size, 3); /* 3x3x3 Pt2CoM cells: 108 atoms */
    assert_int_equal(o.rounds, 7);
    assert_int_equal(o.chains, 20);
    assert_int_equal(o.per_round, 10);
    assert_true(o.test_fraction == 0.2);
    assert_int_equal(o.n_ordered, 300);
    assert_int_equal(o.n_random, 300);
    assert_int_equal(o.n_across, 3800);
    assert_true(o.pca_fraction == 0.99);
    assert_int_equal(o.gp_restarts, 50);
    assert_true(o.fmax == 0.03); /* eV/A, the paper's force criterion */
    assert_int_equal(o.validate, 0);
    assert_int_equal(o.random_baseline, 1);
    assert_int_equal(as_screen_options_check(&o), AS_OK);
}

/* One rejected option: apply `edit` to the defaults, expect AS_EINVAL and `word` in the
 * message. */
#define REJECT(edit, word)                                                       \
    do {                                                                         \
        as_screen_options o = as_screen_options_default();                       \
        edit;                                                                    \
        assert_int_equal(as_screen_options_check(&o), AS_EINVAL);                \
        if (!strstr(as_errmsg(), word))                                          \
            fail_msg("'%s': message '%s' lacks '%s'", #edit, as_errmsg(), word); \
    } while (0)

static void options_check_should_reject_each_invalid_setting_by_name(void **state)
{
    (void)state;
    REJECT(o.size = 1, "size");
    REJECT(o.size = 9, "size");
    REJECT(o.per_round = 0, "> 0");
    REJECT(o.chains = 0, "> 0");
    REJECT(o.chain_steps = 0, "> 0");
    REJECT(o.test_fraction = 0.5, "test fraction");
    REJECT(o.test_fraction = -0.01, "test fraction");
    REJECT(o.test_fraction = NAN, "test fraction");
    REJECT(o.pca_fraction = 0, "PCA");
    REJECT(o.pca_fraction = 1.25, "PCA");
    REJECT(o.n_ordered = 1, "at least 2");
    REJECT(o.n_random = 1, "at least 2");
    REJECT(o.n_across = 0, "at least 2");
    REJECT(o.fmax = 0, "fmax");
    REJECT(o.rmsd_max = -1, "rmsd_max");
    REJECT(o.a_init = NAN, "a_init");
}

static void create_should_refuse_a_non_element_and_a_host_element(void **state)
{
    (void)state;
    as_oracle *o;
    as_store *st;
    as_screen *s = (as_screen *)1;
    as_screen_options opt = as_screen_options_default();
    cleanup();
    assert_int_equal(as_oracle_create("eam", NULL, &o), AS_OK);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    assert_int_equal(as_screen_create(&opt, "Xx", o, st, &s), AS_EINVAL);
    assert_null(s);
    assert_non_null(strstr(as_errmsg(), "'Xx' is not an element symbol"));
    assert_int_equal(as_screen_create(&opt, "", o, st, &s), AS_EINVAL);
    assert_int_equal(as_screen_create(&opt, "Copper", o, st, &s), AS_EINVAL);
    assert_int_equal(as_screen_create(&opt, "Co", o, st, &s), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "host"));
    opt.size = 1;
    assert_int_equal(as_screen_create(&opt, "Cu", o, st, &s), AS_EINVAL);
    assert_null(s);
    as_store_close(st);
    as_oracle_free(o);
    cleanup();
}

static void create_should_name_the_supported_elements_for_an_element_the_oracle_lacks(void **state)
{
    (void)state;
    as_oracle *o, *full;
    as_store *st;
    as_screen *s = (as_screen *)1;
    as_screen_options opt = as_screen_options_default();
    cleanup();
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    assert_int_equal(as_oracle_create("eam", NULL, &full), AS_OK);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    /* Cu is an element, but this oracle was tabulated for Pt and Co only */
    assert_int_equal(as_screen_create(&opt, "Cu", o, st, &s), AS_EINVAL);
    assert_null(s);
    assert_non_null(strstr(as_errmsg(), "cannot treat Cu"));
    assert_non_null(strstr(as_errmsg(), "supports: Pt Co"));
    /* Sn is not in the Zhou 2004 table: the message lists all 17 elements it has */
    assert_int_equal(as_screen_create(&opt, "Sn", full, st, &s), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "cannot treat Sn"));
    assert_non_null(strstr(as_errmsg(), "Cu Ag Au Ni Pd Pt Al Pb Fe Mo Ta W Mg Co Ti Zr Cr"));
    /* the host pair itself is checked too */
    strcpy(opt.host[1], "Xe");
    assert_int_equal(as_screen_create(&opt, NULL, full, st, &s), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "cannot treat Xe"));
    as_store_close(st);
    as_oracle_free(o);
    as_oracle_free(full);
    cleanup();
}

static void rounds_and_finish_should_refuse_to_run_before_setup(void **state)
{
    (void)state;
    as_oracle *o;
    as_store *st;
    as_screen *s;
    as_screen_options opt = as_screen_options_default();
    cleanup();
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    assert_int_equal(as_screen_create(&opt, "Cu", o, st, &s), AS_OK);
    assert_string_equal(as_screen_get_result(s)->name, "Pt2CoCu");
    assert_string_equal(as_screen_get_result(s)->m, "Cu");
    assert_int_equal(as_screen_round(s, 0), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "before setup"));
    assert_int_equal(as_screen_finish(s), AS_EINVAL);
    assert_int_equal(as_screen_labels_computed(s), 0);
    as_screen_free(s);
    as_screen_free(NULL);
    as_store_close(st);
    as_oracle_free(o);
    cleanup();
}

static void campaign_tables_should_keep_settings_and_one_record_per_system_and_round(void **state)
{
    (void)state;
    as_store *db;
    char *v;
    size_t n;
    cleanup();
    assert_int_equal(as_store_open(DB, &db), AS_OK);
    assert_int_equal(as_store_meta_get(db, "campaign", &v), AS_OK);
    assert_null(v);
    assert_int_equal(as_store_meta_set(db, "campaign", "host=Pt,Co seed=7"), AS_OK);
    assert_int_equal(as_store_meta_set(db, "campaign", "host=Pt,Co seed=8"), AS_OK);
    assert_int_equal(as_store_record_put(db, "PtCo", 0, "{\"mae\":0.01}"), AS_OK);
    assert_int_equal(as_store_record_put(db, "PtCo", 1, "{\"mae\":0.02}"), AS_OK);
    assert_int_equal(as_store_record_put(db, "PtCo", 1, "{\"mae\":0.03}"), AS_OK); /* replayed */
    assert_int_equal(as_store_record_put(db, "PtCo", (size_t)-1, "{}"), AS_OK);
    assert_int_equal(as_store_record_count(db, &n), AS_OK);
    assert_int_equal(n, 3);
    as_store_close(db);
    as_store_close(NULL);
    /* committed at once: a new connection sees everything */
    assert_int_equal(as_store_open(DB, &db), AS_OK);
    assert_int_equal(as_store_meta_get(db, "campaign", &v), AS_OK);
    assert_string_equal(v, "host=Pt,Co seed=8");
    as_free(v);
    assert_int_equal(as_store_record_count(db, &n), AS_OK);
    assert_int_equal(n, 3);
    as_store_close(db);
    cleanup();
}

static void campaign_open_should_refuse_a_file_that_is_not_sqlite(void **state)
{
    (void)state;
    const char *path = AS_BUILD_DIR "/campaign_not_sqlite.txt";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is a text file, not an SQLite database\n", f);
    fclose(f);
    as_store *db = (as_store *)1;
    assert_int_equal(as_store_open(path, &db), AS_EDB);
    assert_null(db);
    assert_non_null(strstr(as_errmsg(), path));
    remove(path);
    assert_int_equal(as_store_open(AS_BUILD_DIR "/no/such/dir/c.sqlite", &db), AS_EDB);
    assert_null(db);
}

static void allocation_failures_should_give_enomem_without_leaks(void **state)
{
    (void)state;
    as_oracle *o;
    as_store *st;
    cleanup();
    assert_int_equal(as_oracle_create("eam:Pt,Co,Cu", NULL, &o), AS_OK);
    assert_int_equal(as_store_open(DB, &st), AS_OK);
    as_screen_options opt = as_screen_options_default();
    int saw_ok = 0;
    for (size_t k = 1; k < 20 && !saw_ok; k++) {
        as_screen *s = (as_screen *)1;
        as_alloc_fail_after(k);
        as_status rc = as_screen_create(&opt, "Cu", o, st, &s);
        as_alloc_fail_after(0);
        if (rc == AS_OK) {
            saw_ok = 1;
            as_screen_free(s);
        } else {
            assert_int_equal(rc, AS_ENOMEM);
            assert_null(s);
        }
    }
    assert_true(saw_ok);
    saw_ok = 0;
    for (size_t k = 1; k < 20 && !saw_ok; k++) {
        as_store *db = (as_store *)1;
        as_alloc_fail_after(k);
        as_status rc = as_store_open(DB, &db);
        as_alloc_fail_after(0);
        if (rc == AS_OK) {
            saw_ok = 1;
            as_store_close(db);
        } else {
            assert_int_equal(rc, AS_ENOMEM);
            assert_null(db);
        }
    }
    assert_true(saw_ok);
    as_store_close(st);
    as_oracle_free(o);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_should_be_the_papers_settings),
        cmocka_unit_test(options_check_should_reject_each_invalid_setting_by_name),
        cmocka_unit_test(create_should_refuse_a_non_element_and_a_host_element),
        cmocka_unit_test(create_should_name_the_supported_elements_for_an_element_the_oracle_lacks),
        cmocka_unit_test(rounds_and_finish_should_refuse_to_run_before_setup),
        cmocka_unit_test(campaign_tables_should_keep_settings_and_one_record_per_system_and_round),
        cmocka_unit_test(campaign_open_should_refuse_a_file_that_is_not_sqlite),
        cmocka_unit_test(allocation_failures_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
