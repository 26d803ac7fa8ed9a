/* A small campaign through the public headers only (include/alloyscout/): open, steps,
 * ranking, JSON; the same campaign reopened with resume computes no label and ranks the same;
 * the resume rules; and the store's refusals of an older, a newer and a foreign SQLite file
 * (made here with SQLite itself, independently of the store code).
 *
 * Independent reference for the ranking: the per-system ordering energies read back from the
 * JSON file, sorted here (largest first, ties by name), not the campaign's own sort. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/alloyscout.h"
#include "alloyscout/json.h"

#define DB AS_BUILD_DIR "/campaign_api_test.sqlite"
#define OLD AS_BUILD_DIR "/campaign_api_old.sqlite"
#define JSON1 AS_BUILD_DIR "/campaign_api_test_1.json"
#define JSON2 AS_BUILD_DIR "/campaign_api_test_2.json"

static void rm_db(const char *path)
{
    char side[512];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
}

static const char *cands[3] = {"Cu", "Ni", "Sn"}; /* Sn: not in the Zhou 2004 table, skipped */

static as_campaign_options tiny(int resume)
{
    as_campaign_options o = as_campaign_options_default();
    o.screen.rounds = 1;
    o.screen.chains = 2;
    o.screen.chain_steps = 8;
    o.screen.per_round = 3;
    o.screen.n_ordered = 4;
    o.screen.n_random = 6;
    o.screen.n_across = 8;
    o.screen.gp_restarts = 1;
    o.screen.seed = 73;
    o.db = DB;
    o.candidates = cands;
    o.n_candidates = 3;
    o.resume = resume;
    return o;
}

/* Open and run every step, checking the events; returns the open campaign. */
static as_campaign *run(int resume)
{
    as_campaign_options o = tiny(resume);
    as_campaign *c = NULL;
    if (as_campaign_open(&o, &c) != AS_OK)
        fail_msg("open: %s", as_errmsg());
    assert_int_equal(as_campaign_n_systems(c), 3); /* PtCo, Pt2CoCu, Pt2CoNi */
    assert_string_equal(as_campaign_result(c, 0)->name, "PtCo");
    assert_null(as_campaign_result(c, 3));
    size_t last = 0, n_steps = 0, n_finish = 0;
    as_campaign_event ev;
    while (!as_campaign_done(c)) {
        assert_int_equal(as_campaign_step(c, &ev), AS_OK);
        assert_true(ev.steps_done > last && ev.steps_done <= ev.steps_total);
        assert_int_equal(ev.steps_total, 4 * 3); /* (1 + 3 candidates) x (1 round + 2) */
        assert_ptr_equal(ev.result, as_campaign_result(c, ev.system));
        last = ev.steps_done;
        n_steps++;
        n_finish += ev.kind == AS_CAMPAIGN_FINISH;
    }
    assert_int_equal(last, 12);
    assert_int_equal(n_finish, 3);
    assert_int_equal(n_steps, 3 * 3); /* three stable systems: setup, round, finish each */
    assert_int_equal(as_campaign_step(c, &ev), AS_EINVAL); /* nothing left */
    return c;
}

static const char *test_names[8]; /* the candidates' names in the JSON */

static int by_energy_then_name(const void *pa, const void *pb)
{
    const double *a = pa, *b = pb; /* {energy, index into test_names} */
    if (a[0] != b[0])
        return a[0] < b[0] ? 1 : -1;
    return strcmp(test_names[(int)a[1]], test_names[(int)b[1]]);
}

/* The ranking of the JSON file against its own per-system energies sorted here; returns the
 * number ranked and copies the ranked names into out. */
static size_t check_json_ranking(const char *path, char out[][16])
{
    as_json *j;
    assert_int_equal(as_json_read_file(path, &j), AS_OK);
    as_json *sys = as_json_get(j, "systems"), *rank = as_json_get(j, "ranking");
    assert_non_null(sys);
    assert_non_null(rank);
    double key[8][2];
    size_t n = 0;
    for (size_t i = 0; i < as_json_size(sys); i++) {
        as_json *s = as_json_at(sys, i);
        const char *name, *m;
        double e;
        assert_int_equal(as_json_get_str(s, "system", "test", &name), AS_OK);
        assert_int_equal(as_json_get_str(s, "m", "test", &m), AS_OK);
        as_json *stable = as_json_get(s, "stable");
        assert_non_null(stable);
        assert_int_equal(as_json_get_num(s, "ordering_energy_ev_atom", "test", &e), AS_OK);
        if (!*m) /* the host pair is the reference, not ranked */
            continue;
        test_names[n] = name;
        key[n][0] = e;
        key[n][1] = (double)n;
        n++;
    }
    qsort(key, n, sizeof key[0], by_energy_then_name);
    assert_int_equal(as_json_size(rank), n);
    for (size_t i = 0; i < n; i++) {
        const char *r = as_json_string(as_json_at(rank, i));
        assert_non_null(r);
        assert_string_equal(r, test_names[(int)key[i][1]]);
        snprintf(out[i], 16, "%s", r);
    }
    as_json_free(j);
    return n;
}

static void a_campaign_should_rank_by_the_ordering_energies_it_writes_and_resume_without_labels(
    void **state)
{
    (void)state;
    rm_db(DB);
    as_campaign *c = run(0);
    size_t computed = as_campaign_labels_computed(c), stored;
    assert_int_equal(as_label_store_count(as_campaign_store(c), &stored), AS_OK);
    assert_int_equal(computed, stored); /* every label computed once, all in the store */
    assert_true(stored >= 3 * (22 + 1));

    const as_campaign_ranking_view *v = as_campaign_ranking(c);
    assert_non_null(v);
    assert_int_equal(v->n_systems, 3);
    assert_string_equal(v->reference->name, "PtCo");
    assert_int_equal(v->n_ranked, 2);
    assert_int_equal(v->n_unranked, 1);
    assert_string_equal(v->unranked[0].name, "Pt2CoSn");
    assert_null(v->unranked[0].result);
    assert_non_null(strstr(v->unranked[0].reason, "the eam oracle covers only"));
    char first[2][16];
    for (size_t i = 0; i < v->n_ranked; i++)
        snprintf(first[i], 16, "%s", v->ranked[i]->name);

    assert_int_equal(as_campaign_write_json(c, JSON1), AS_OK);
    char json_rank[8][16];
    assert_int_equal(check_json_ranking(JSON1, json_rank), 2);
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(json_rank[i], first[i]);
    size_t records;
    assert_int_equal(as_store_record_count(as_campaign_store(c), &records), AS_OK);
    assert_int_equal(records, 3 * (1 + 1)); /* per system: one round and the result */
    as_campaign_close(c);

    /* the same campaign without resume is refused; another seed is another campaign */
    as_campaign_options o = tiny(0);
    c = (as_campaign *)1;
    assert_int_equal(as_campaign_open(&o, &c), AS_EINVAL);
    assert_null(c);
    assert_non_null(strstr(as_errmsg(), "pass --resume"));
    o = tiny(1);
    o.screen.seed = 74;
    assert_int_equal(as_campaign_open(&o, &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "holds another campaign"));
    assert_non_null(strstr(as_errmsg(), "seed=73"));
    assert_non_null(strstr(as_errmsg(), "seed=74"));

    /* resume: a replay that takes every label from the store */
    c = run(1);
    assert_int_equal(as_campaign_labels_computed(c), 0);
    size_t stored2;
    assert_int_equal(as_label_store_count(as_campaign_store(c), &stored2), AS_OK);
    assert_int_equal(stored2, stored);
    v = as_campaign_ranking(c);
    assert_int_equal(v->n_ranked, 2);
    for (size_t i = 0; i < 2; i++)
        assert_string_equal(v->ranked[i]->name, first[i]);
    assert_int_equal(as_campaign_write_json(c, JSON2), AS_OK);
    as_campaign_close(c);
    as_campaign_close(NULL);

    /* the two JSON files are byte-identical */
    FILE *a = fopen(JSON1, "rb"), *b = fopen(JSON2, "rb");
    assert_non_null(a);
    assert_non_null(b);
    int ca, cb;
    size_t at = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        if (ca != cb)
            fail_msg("the resumed JSON differs at byte %zu", at);
        at++;
    } while (ca != EOF);
    fclose(a);
    fclose(b);
    remove(JSON1);
    remove(JSON2);
    rm_db(DB);
}

static void options_should_be_checked_before_any_file_is_made(void **state)
{
    (void)state;
    rm_db(DB);
    as_campaign *c = (as_campaign *)1;
    as_campaign_options o = tiny(0);
    const char *bad[2] = {"Cu", "Xx"};
    o.candidates = bad;
    o.n_candidates = 2;
    assert_int_equal(as_campaign_open(&o, &c), AS_EINVAL);
    assert_null(c);
    assert_non_null(strstr(as_errmsg(), "'Xx' is not an element symbol"));
    const char *twice[2] = {"Cu", "Cu"};
    o.candidates = twice;
    assert_int_equal(as_campaign_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "twice"));
    const char *host[1] = {"Co"};
    o.candidates = host;
    o.n_candidates = 1;
    assert_int_equal(as_campaign_options_check(&o), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "candidate Co is one of the host elements"));
    o = tiny(0);
    o.db = NULL;
    assert_int_equal(as_campaign_options_check(&o), AS_EINVAL);
    o = tiny(0);
    o.n_candidates = 0;
    assert_int_equal(as_campaign_options_check(&o), AS_EINVAL);
    o = tiny(0);
    o.screen.size = 2;
    assert_int_equal(as_campaign_open(&o, &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "size"));
    FILE *f = fopen(DB, "rb");
    assert_null(f); /* nothing was created */
}

static void a_failed_allocation_should_give_enomem_and_leave_no_campaign_in_the_store(void **state)
{
    (void)state;
    rm_db(DB);
    as_campaign_options o = tiny(0);
    o.n_candidates = 1;        /* Cu */
    o.oracle = "eam:Pt,Co,Cu"; /* one oracle for every system: fewer allocations to fail */
    int saw_ok = 0;
    size_t k;
    for (k = 1; k < 5000 && !saw_ok; k++) {
        as_campaign *c = (as_campaign *)1;
        as_alloc_fail_after(k);
        as_status rc = as_campaign_open(&o, &c);
        as_alloc_fail_after(0);
        if (rc == AS_OK) {
            saw_ok = 1;
            as_campaign_close(c);
        } else {
            if (rc != AS_ENOMEM)
                fail_msg("allocation %zu: %s: %s", k, as_strerror(rc), as_errmsg());
            assert_null(c);
        }
    }
    assert_true(saw_ok);
    assert_true(k > 3);
    print_message("open succeeded at allocation %zu\n", k - 1);
    /* only the successful open registered the campaign: without resume it is now refused */
    as_campaign *c;
    assert_int_equal(as_campaign_open(&o, &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "pass --resume"));
    rm_db(DB);
}

/* Make an SQLite file with SQL (SQLite itself, not the store). */
static void make_sqlite(const char *path, const char *sql)
{
    sqlite3 *db;
    rm_db(path);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("sqlite: %s", err);
    sqlite3_close(db);
}

static long long sqlite_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    long long v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* The tables of format 1 (alloyscout before issue 11), which had no format mark. */
#define FORMAT1_TABLES                                                                           \
    "CREATE TABLE label_result(key INTEGER PRIMARY KEY, method TEXT NOT NULL, n_atoms INTEGER "  \
    "NOT NULL, status INTEGER NOT NULL, energy REAL, energy_per_atom REAL, rmsd REAL, "          \
    "rmsd_paper REAL, fmax REAL, steps INTEGER, relaxed INTEGER, attempts INTEGER, error TEXT, " \
    "positions BLOB, created TEXT DEFAULT CURRENT_TIMESTAMP);"                                   \
    "CREATE TABLE campaign_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"                     \
    "CREATE TABLE campaign_record(system TEXT NOT NULL, round INTEGER NOT NULL, json TEXT NOT "  \
    "NULL, PRIMARY KEY(system, round));"

static void an_old_campaign_file_should_be_refused_with_the_reason(void **state)
{
    (void)state;
    make_sqlite(OLD, FORMAT1_TABLES "INSERT INTO campaign_meta VALUES('campaign', 'host=Pt,Co "
                                    "candidates=Cu seed=73');");
    as_campaign_options o = tiny(1);
    o.db = OLD;
    as_campaign *c = (as_campaign *)1;
    assert_int_equal(as_campaign_open(&o, &c), AS_EDB);
    assert_null(c);
    const char *msg = as_errmsg();
    if (!strstr(msg, OLD ": campaign format 1, this alloyscout reads format ") ||
        !strstr(msg, "re-run without --resume into a new --db"))
        fail_msg("message: %s", msg);
    /* the file is left as it was: no format mark, no new table */
    assert_int_equal(sqlite_int(OLD, "PRAGMA user_version"), 0);
    assert_int_equal(sqlite_int(OLD, "PRAGMA application_id"), 0);
    assert_int_equal(sqlite_int(OLD, "SELECT count(*) FROM sqlite_master WHERE type='table'"), 3);
    rm_db(OLD);
}

static void an_old_label_store_should_be_taken_over_with_its_labels(void **state)
{
    (void)state;
    make_sqlite(OLD, "CREATE TABLE label_result(key INTEGER PRIMARY KEY, method TEXT NOT NULL, "
                     "n_atoms INTEGER NOT NULL, status INTEGER NOT NULL, energy REAL, "
                     "energy_per_atom REAL, rmsd REAL, rmsd_paper REAL, fmax REAL, steps "
                     "INTEGER, relaxed INTEGER, attempts INTEGER, error TEXT, positions BLOB, "
                     "created TEXT DEFAULT CURRENT_TIMESTAMP);"
                     "INSERT INTO label_result(key, method, n_atoms, status, energy) "
                     "VALUES(12345, 'eam', 4, 0, -17.25);");
    as_store *st;
    size_t n;
    assert_int_equal(as_store_open(OLD, &st), AS_OK);
    assert_int_equal(as_label_store_count(st, &n), AS_OK);
    assert_int_equal(n, 1);
    as_label_result r;
    int found;
    assert_int_equal(as_label_store_get(st, 12345, &r, NULL, 4, &found), AS_OK);
    assert_int_equal(found, 1);
    assert_true(r.energy == -17.25);
    assert_int_equal(as_store_record_count(st, &n), AS_OK); /* the campaign tables exist now */
    assert_int_equal(n, 0);
    as_store_close(st);
    assert_int_equal(sqlite_int(OLD, "PRAGMA user_version"), AS_STORE_FORMAT);
    /* a format-2 store (the same tables, marked 2) is upgraded in place with its label */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(OLD, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=2;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(sqlite_int(OLD, "PRAGMA user_version"), 2);
    assert_int_equal(as_store_open(OLD, &st), AS_OK);
    assert_int_equal(as_label_store_get(st, 12345, &r, NULL, 4, &found), AS_OK);
    assert_int_equal(found, 1);
    assert_true(r.energy == -17.25);
    as_store_close(st);
    assert_int_equal(sqlite_int(OLD, "PRAGMA user_version"), AS_STORE_FORMAT);
    rm_db(OLD);
}

static void a_foreign_or_newer_sqlite_file_should_be_refused_and_left_unchanged(void **state)
{
    (void)state;
    as_store *st = (as_store *)1;
    make_sqlite(OLD, "CREATE TABLE people(name TEXT); INSERT INTO people VALUES('Ada');");
    assert_int_equal(as_store_open(OLD, &st), AS_EDB);
    assert_null(st);
    if (!strstr(as_errmsg(), OLD ": an SQLite file but not an alloyscout store"))
        fail_msg("message: %s", as_errmsg());
    assert_int_equal(sqlite_int(OLD, "SELECT count(*) FROM sqlite_master WHERE type='table'"), 1);
    assert_int_equal(sqlite_int(OLD, "SELECT count(*) FROM pragma_journal_mode WHERE "
                                     "journal_mode = 'wal'"),
                     0);
    /* a store of a later format (same application id, user_version 3) */
    as_store *ok;
    rm_db(OLD);
    assert_int_equal(as_store_open(OLD, &ok), AS_OK);
    as_store_close(ok);
    long long app = sqlite_int(OLD, "PRAGMA application_id");
    assert_true(app != 0);
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%lld; PRAGMA user_version=%d;", app,
             AS_STORE_FORMAT + 1);
    make_sqlite(OLD, sql);
    assert_int_equal(as_store_open(OLD, &st), AS_EDB);
    char want[160];
    snprintf(want, sizeof want,
             "store format %d, written by a newer alloyscout; this alloyscout reads format %d",
             AS_STORE_FORMAT + 1, AS_STORE_FORMAT);
    if (!strstr(as_errmsg(), want))
        fail_msg("message: %s", as_errmsg());
    snprintf(sql, sizeof sql, "PRAGMA application_id=%lld; PRAGMA user_version=1;", app);
    make_sqlite(OLD, sql);
    assert_int_equal(as_store_open(OLD, &st), AS_EDB);
    snprintf(want, sizeof want, "store format 1, this alloyscout reads format %d", AS_STORE_FORMAT);
    assert_non_null(strstr(as_errmsg(), want));
    rm_db(OLD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_campaign_should_rank_by_the_ordering_energies_it_writes_and_resume_without_labels),
        cmocka_unit_test(options_should_be_checked_before_any_file_is_made),
        cmocka_unit_test(a_failed_allocation_should_give_enomem_and_leave_no_campaign_in_the_store),
        cmocka_unit_test(an_old_campaign_file_should_be_refused_with_the_reason),
        cmocka_unit_test(an_old_label_store_should_be_taken_over_with_its_labels),
        cmocka_unit_test(a_foreign_or_newer_sqlite_file_should_be_refused_and_left_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
