/* The executor without a scheduler: the file journal's format (read back, a torn last line from
 * a kill, damaged lines with file:line), job-template checks (unknown placeholders with
 * file:line:col, ${VAR} left alone, {cmd} required), option errors, a journal callback that
 * replaces the file, the local backend equal to as_oracle_label_batch, and every allocation
 * failure of a slurm executor's creation giving AS_ENOMEM without a leak. The Slurm backend
 * itself is tested against a real Slurm in test_slurm.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/executor.h"
#include "executor/executor_int.h"

#define WD AS_BUILD_DIR "/executor_test_wd"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void clean(void)
{
    remove(WD "/journal.tsv");
    remove(WD "/t.sh");
    rmdir(WD);
}

/* The job's label command (as_exec_label_argv) carries every option that reaches the oracle or
 * the label key: run by the real `alloyscout label`, it labels under exactly the submit side's
 * description and dependency text (oracle=, oracle_version= of its OUT), with the submit side's
 * energy to the last bit, and with the timeout in force. */
static as_status run_argv(char **argv, const char *in, const char *out, int *code)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **v = calloc(n + 3, sizeof *v);
    assert_non_null(v);
    memcpy(v, argv, n * sizeof *v);
    v[n] = (char *)in;
    v[n + 1] = (char *)out;
    char *o = NULL, *e = NULL;
    as_status st = as_proc_run(v, &o, &e, code);
    as_free(o);
    as_free(e);
    free(v);
    return st;
}

static void the_label_command_should_carry_every_option_of_the_key(void **state)
{
    (void)state;
    clean();
    assert_int_equal(system("mkdir -p " WD), 0);
    as_oracle_options oo;
    as_oracle_options_default(&oo);
    oo.oracle_version = "vasp 6.4.2 'module'";
    oo.e_atom_max_ev = 40;
    oo.cell_tol_ang = 1e-3;
    oo.nrho = 1500;
    oo.nr = 1200;
    oo.skin_ang = 0.25;
    oo.accept_unconverged = 1;
    oo.timeouts = "eam=77,cmd=5";
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt,Co", &oo, &o), AS_OK);
    as_executor_options opt = as_executor_options_default();
    opt.backend = "slurm";
    opt.workdir = WD;
    opt.program = AS_BUILD_DIR "/alloyscout";
    as_executor *ex = NULL;
    assert_int_equal(as_executor_create("eam:Pt,Co", o, &opt, &ex), AS_OK);
    as_relax_options ro;
    as_relax_options_default(&ro);
    ro.fmax = 0.07;
    ro.max_steps = 5; /* unconverged: kept by --accept-unconverged */
    ro.dt_max = 0.5;
    char **argv = NULL;
    size_t argc = 0;
    assert_int_equal(as_exec_label_argv(ex, 1, &ro, &argv, &argc), AS_OK);
    const char *want[] = {"--timeout",
                          "77",
                          "--fmax",
                          "0.070000000000000007",
                          "--max-steps",
                          "5",
                          "--fire-dt-max",
                          "0.5",
                          "--e-atom-max",
                          "40",
                          "--cell-tol",
                          "0.001",
                          "--accept-unconverged",
                          "--oracle-version",
                          "--nrho",
                          "1500",
                          "--nr",
                          "1200",
                          "--skin",
                          "0.25"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        int found = 0;
        for (size_t i = 0; argv[i] && !found; i++)
            found = !strcmp(argv[i], want[k]);
        if (!found)
            fail_msg("the label command lacks '%s'", want[k]);
    }
    /* run it: the same method text and energy as the submit side */
    as_structure *s = NULL;
    assert_int_equal(as_structure_create(4, 2, &s), AS_OK);
    snprintf(s->symbols[0], AS_SYMBOL_MAX, "Pt");
    snprintf(s->symbols[1], AS_SYMBOL_MAX, "Co");
    s->n_symbols = 2;
    memset(s->cell, 0, sizeof s->cell);
    s->cell[0] = s->cell[4] = s->cell[8] = 3.8;
    const double p[12] = {0, 0, 0, 1.95, 1.9, 0, 1.9, 0, 1.85, 0, 1.9, 1.9};
    memcpy(s->pos, p, sizeof p);
    s->species[0] = s->species[3] = 0;
    s->species[1] = s->species[2] = 1;
    assert_int_equal(as_extxyz_write(WD "/in.extxyz", &s, 1), AS_OK);
    int code = -1;
    assert_int_equal(run_argv(argv, WD "/in.extxyz", WD "/out.extxyz", &code), AS_OK);
    assert_int_equal(code, 0);
    as_structure **fr = NULL;
    size_t nf = 0;
    assert_int_equal(as_extxyz_read(WD "/out.extxyz", &fr, &nf), AS_OK);
    assert_string_equal(as_structure_get_info(fr[0], "oracle"), as_oracle_describe(o));
    assert_string_equal(as_structure_get_info(fr[0], "oracle_version"), as_oracle_dependencies(o));
    as_label_result r;
    const as_structure *one[1] = {s};
    assert_int_equal(as_oracle_label_batch(o, one, 1, 1, &ro, &r, NULL), AS_OK);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, -1);
    assert_memory_equal(&r.energy, &fr[0]->energy, sizeof r.energy);
    as_structures_free(fr, nf);
    as_free(argv);
    /* no limit in force: 'none' */
    as_oracle *o2 = NULL;
    as_executor *ex2 = NULL;
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o2), AS_OK);
    assert_int_equal(as_executor_create("eam:Pt,Co", o2, &opt, &ex2), AS_OK);
    assert_int_equal(as_exec_label_argv(ex2, 0, NULL, &argv, &argc), AS_OK);
    int none = 0;
    for (size_t i = 0; i + 1 < argc; i++)
        none |= !strcmp(argv[i], "--timeout") && !strcmp(argv[i + 1], "none");
    assert_true(none);
    as_free(argv);
    as_executor_free(ex2);
    as_oracle_free(o2);
    as_structure_free(s);
    as_executor_free(ex);
    as_oracle_free(o);
    remove(WD "/in.extxyz");
    remove(WD "/out.extxyz");
    clean();
}

static void journal_should_read_back_records_and_ignore_a_torn_last_line(void **state)
{
    (void)state;
    clean();
    assert_int_equal(system("mkdir -p " WD), 0);
    write_text(WD "/journal.tsv",
               "# alloyscout job journal v1\n"
               "00000000000000ab\t1\tsubmitting\t-\talloyscout-b-x\tb-x/0\t-\n"
               "00000000000000ab\t1\tsubmitted\t17_0\talloyscout-b-x\tb-x/0\t-\n"
               "00000000000000ab\t2\tfailed\t17_0\talloyscout-b-x\tb-x/0\tNODE_FAIL (x)\n"
               "00000000000000cd\t1\tsubm"); /* killed mid-write */
    as_job_record *r = NULL;
    size_t n = 0;
    assert_int_equal(as_job_journal_read(WD "/journal.tsv", &r, &n), AS_OK);
    assert_int_equal(n, 3);
    assert_true(r[0].key == 0xab);
    assert_int_equal(r[0].state, AS_JOB_SUBMITTING);
    assert_string_equal(r[0].job_id, "");
    assert_string_equal(r[1].job_id, "17_0");
    assert_int_equal(r[2].attempt, 2);
    assert_int_equal(r[2].state, AS_JOB_FAILED);
    assert_string_equal(r[2].reason, "NODE_FAIL (x)");
    assert_string_equal(r[2].dir, "b-x/0");
    as_free(r);
    /* a missing journal is an empty one */
    assert_int_equal(as_job_journal_read(WD "/none.tsv", &r, &n), AS_OK);
    assert_int_equal(n, 0);
    assert_null(r);
    clean();
}

static void damaged_journal_lines_should_name_file_and_line(void **state)
{
    (void)state;
    clean();
    assert_int_equal(system("mkdir -p " WD), 0);
    const char *bad[] = {"00000000000000ab\t1\tsubmitted\t-\n",          /* 4 fields */
                         "0000000000000zab\t1\tsubmitted\t-\t-\t-\t-\n", /* key */
                         "00000000000000ab\t0\tsubmitted\t-\t-\t-\t-\n", /* attempt */
                         "00000000000000ab\t1\tlost\t-\t-\t-\t-\n"};     /* state */
    for (size_t i = 0; i < 4; i++) {
        char text[256];
        snprintf(text, sizeof text, "# head\n%s", bad[i]);
        write_text(WD "/journal.tsv", text);
        as_job_record *r = NULL;
        size_t n = 0;
        assert_int_equal(as_job_journal_read(WD "/journal.tsv", &r, &n), AS_EPARSE);
        assert_non_null(strstr(as_errmsg(), "journal.tsv:2"));
        assert_null(r);
    }
    /* and the executor refuses to start on it */
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    as_executor_options opt = as_executor_options_default();
    opt.backend = "slurm";
    opt.workdir = WD;
    as_executor *ex = NULL;
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EPARSE);
    assert_null(ex);
    as_oracle_free(o);
    clean();
}

static void templates_should_check_placeholders(void **state)
{
    (void)state;
    clean();
    assert_int_equal(system("mkdir -p " WD), 0);
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    as_executor_options opt = as_executor_options_default();
    opt.backend = "slurm";
    opt.workdir = WD;
    opt.job_template = WD "/t.sh";
    as_executor *ex = NULL;
    write_text(WD "/t.sh", "#!/bin/bash\nmodule load vasp\n  {cmd} --x={workdir}\n"
                           "echo ${SLURM_JOB_ID} {a,b} {jobname} {ntasks} {time} {oracle}\n");
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_OK);
    assert_string_equal(as_executor_backend(ex), "slurm");
    as_executor_free(ex);
    write_text(WD "/t.sh", "#!/bin/bash\n{cmd}\nsrun {ntask}\n");
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "t.sh:3:6: unknown placeholder {ntask}"));
    write_text(WD "/t.sh", "#!/bin/bash\nsrun vasp_std\n");
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "no {cmd}"));
    opt.job_template = WD "/missing.sh";
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EIO);
    as_oracle_free(o);
    clean();
}

static void bad_options_should_be_refused_with_the_reason(void **state)
{
    (void)state;
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    as_executor_options opt = as_executor_options_default();
    as_executor *ex = NULL;
    opt.backend = "pbs";
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "pbs"));
    opt.backend = "slurm";
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "--workdir"));
    opt.workdir = WD;
    opt.poll_min_s = 0;
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    opt.poll_min_s = 1;
    opt.slurm_opts = "-p short --time";
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "--time needs a value"));
    assert_null(ex);
    as_job_state s;
    for (int k = AS_JOB_SUBMITTING; k <= AS_JOB_CANCELLED; k++) {
        assert_int_equal(as_job_state_parse(as_job_state_name((as_job_state)k), &s), AS_OK);
        assert_int_equal(s, k);
    }
    assert_int_equal(as_job_state_parse("lost", &s), AS_EINVAL);
    as_oracle_free(o);
    clean();
}

static as_status count_records(const as_job_record *r, void *user)
{
    (void)r;
    (*(size_t *)user)++;
    return AS_OK;
}

static void a_journal_callback_should_replace_the_file(void **state)
{
    (void)state;
    clean();
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    size_t calls = 0;
    as_job_record known = {.key = 7, .attempt = 1, .state = AS_JOB_DONE};
    as_executor_options opt = as_executor_options_default();
    opt.backend = "slurm";
    opt.workdir = WD;
    opt.journal = count_records;
    opt.journal_user = &calls;
    opt.known = &known;
    opt.n_known = 1;
    as_executor *ex = NULL;
    assert_int_equal(as_executor_create("eam:Pt", o, &opt, &ex), AS_OK);
    assert_int_equal(access(WD "/journal.tsv", F_OK), -1);
    size_t nc = 99;
    assert_int_equal(as_executor_cancel(ex, &nc), AS_OK); /* nothing queued: no scancel */
    assert_int_equal(nc, 0);
    assert_int_equal(calls, 0);
    as_executor_free(ex);
    as_oracle_free(o);
    clean();
}

static void the_local_backend_should_give_the_oracle_batch_results(void **state)
{
    (void)state;
    as_structure *s = NULL;
    assert_int_equal(as_structure_create(4, 1, &s), AS_OK);
    const double a = 3.9234;
    const double frac[12] = {0, 0, 0, .5, .5, 0, .5, 0, .5, 0, .5, .5};
    for (int k = 0; k < 9; k++)
        s->cell[k] = k % 4 == 0 ? a : 0;
    for (int k = 0; k < 12; k++)
        s->pos[k] = frac[k] * a + (k == 4 ? 0.0371 : 0);
    strcpy(s->symbols[0], "Pt");
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    as_executor *ex = NULL;
    assert_int_equal(as_executor_create("eam:Pt", o, NULL, &ex), AS_OK);
    assert_string_equal(as_executor_backend(ex), "local");
    as_label_result r1, r2;
    as_structure *x1 = NULL, *x2 = NULL;
    const as_structure *const v[1] = {s};
    size_t nc = 0;
    assert_int_equal(as_executor_label(ex, NULL, v, 1, 1, NULL, &r1, &x1, &nc), AS_OK);
    assert_int_equal(nc, 1);
    as_oracle *o2 = NULL; /* a fresh oracle: no neighbour list carried over */
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o2), AS_OK);
    assert_int_equal(as_oracle_label_batch(o2, v, 1, 1, NULL, &r2, &x2), AS_OK);
    assert_int_equal(r1.status, AS_OK);
    assert_memory_equal(&r1.energy, &r2.energy, sizeof r1.energy);
    assert_memory_equal(x1->pos, x2->pos, 12 * sizeof *x1->pos);
    assert_true(r1.relaxed && r1.rmsd > 0);
    as_structure_free(x1);
    as_structure_free(x2);
    as_executor_free(ex);
    as_oracle_free(o);
    as_oracle_free(o2);
    as_structure_free(s);
}

static void every_allocation_failure_should_give_enomem(void **state)
{
    (void)state;
    clean();
    assert_int_equal(system("mkdir -p " WD), 0);
    write_text(WD "/t.sh", "#!/bin/sh\n{cmd}\n");
    write_text(WD "/journal.tsv",
               "# j\n00000000000000ab\t1\tsubmitted\t17_0\talloyscout-b-x\tb-x/0\t-\n");
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt", NULL, &o), AS_OK);
    as_executor_options opt = as_executor_options_default();
    opt.backend = "slurm";
    opt.workdir = WD;
    opt.job_template = WD "/t.sh";
    opt.slurm_opts = "-p short -n 4";
    int ok = 0;
    for (size_t k = 1; k < 200 && !ok; k++) {
        as_executor *ex = NULL;
        as_alloc_fail_after(k);
        as_status st = as_executor_create("eam:Pt", o, &opt, &ex);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            ok = 1;
            as_executor_free(ex);
        } else {
            assert_int_equal(st, AS_ENOMEM);
            assert_null(ex);
        }
    }
    assert_true(ok);
    as_oracle_free(o);
    clean();
}

/* The store's job table (through the executor's store journal): the latest record per key with its system and round, the failures
 * accumulated line by line, read back in order, and a re-opened store keeping everything. */
static void the_store_job_table_should_keep_the_latest_state_and_every_failure(void **state)
{
    (void)state;
    const char *db = AS_BUILD_DIR "/executor_test_jobs.sqlite";
    remove(db);
    as_store *st = NULL;
    assert_int_equal(as_store_open(db, &st), AS_OK);
    as_store_journal sj = {st, "Pt2CoCu", 0};
    as_job_record r;
    memset(&r, 0, sizeof r);
    r.key = 0xfedcba9876543210ULL; /* above INT64_MAX: stored as a signed integer */
    r.attempt = 1;
    r.state = AS_JOB_SUBMITTING;
    strcpy(r.job_name, "alloyscout-b-abc");
    strcpy(r.dir, "b-abc/0");
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    r.state = AS_JOB_SUBMITTED;
    strcpy(r.job_id, "7_0");
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    r.state = AS_JOB_FAILED;
    strcpy(r.reason, "NODE_FAIL");
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    r.attempt = 2;
    r.state = AS_JOB_SUBMITTED;
    strcpy(r.job_id, "9_0");
    r.reason[0] = 0;
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    r.state = AS_JOB_FAILED;
    strcpy(r.reason, "TIMEOUT");
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    r.attempt = 3;
    r.state = AS_JOB_DONE;
    strcpy(r.job_id, "11_0");
    r.reason[0] = 0;
    assert_int_equal(as_store_journal_write(&r, &sj), AS_OK);
    /* a second key, of the setup of another system */
    as_store_journal s2 = {st, "PtCo", AS_JOB_ROUND_SETUP};
    as_job_record q = r;
    q.key = 42;
    q.attempt = 1;
    q.state = AS_JOB_RUNNING;
    strcpy(q.job_id, "3_5");
    assert_int_equal(as_store_journal_write(&q, &s2), AS_OK);
    as_store_close(st);

    assert_int_equal(as_store_open(db, &st), AS_OK);
    as_store_job *v = NULL;
    size_t n = 0;
    assert_int_equal(as_store_jobs(st, &v, &n), AS_OK);
    assert_int_equal(n, 2);
    /* ordered by system: "Pt2CoCu" < "PtCo" */
    assert_string_equal(v[0].system, "Pt2CoCu");
    assert_int_equal(v[0].round, 0);
    assert_true(v[0].key == 0xfedcba9876543210ULL);
    assert_string_equal(v[0].state, "done");
    assert_int_equal(v[0].attempts, 3);
    assert_string_equal(v[0].job_id, "11_0");
    assert_string_equal(v[0].job_name, "alloyscout-b-abc");
    assert_string_equal(v[0].dir, "b-abc/0");
    assert_string_equal(v[0].reason, "");
    assert_string_equal(v[0].failures, "attempt 1: NODE_FAIL\nattempt 2: TIMEOUT");
    assert_int_equal(strlen(v[0].submitted), 19);
    assert_string_equal(v[1].system, "PtCo");
    assert_int_equal(v[1].round, AS_JOB_ROUND_SETUP);
    assert_string_equal(v[1].state, "running");
    assert_string_equal(v[1].failures, "");
    as_free(v);
    as_job_record *k = NULL;
    assert_int_equal(as_store_job_records(st, &k, &n), AS_OK);
    assert_int_equal(n, 2);
    assert_true(k[1].key == 42 && k[1].state == AS_JOB_RUNNING);
    as_free(k);
    /* the records re-attach an executor (opt.known) */
    as_oracle *o = NULL;
    assert_int_equal(as_oracle_create("eam:Pt,Co", NULL, &o), AS_OK);
    as_executor_options eo = as_executor_options_default();
    eo.backend = "slurm";
    eo.workdir = WD;
    eo.program = "/bin/true";
    eo.journal = as_store_journal_write;
    eo.journal_user = &sj;
    assert_int_equal(as_store_job_records(st, &k, &n), AS_OK);
    eo.known = k;
    eo.n_known = n;
    as_executor *ex = NULL;
    assert_int_equal(as_executor_create("eam:Pt,Co", o, &eo, &ex), AS_OK);
    as_free(k);
    as_executor_free(ex);
    as_oracle_free(o);
    as_store_close(st);
    remove(db);
    clean();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(journal_should_read_back_records_and_ignore_a_torn_last_line),
        cmocka_unit_test(damaged_journal_lines_should_name_file_and_line),
        cmocka_unit_test(templates_should_check_placeholders),
        cmocka_unit_test(the_label_command_should_carry_every_option_of_the_key),
        cmocka_unit_test(bad_options_should_be_refused_with_the_reason),
        cmocka_unit_test(a_journal_callback_should_replace_the_file),
        cmocka_unit_test(the_local_backend_should_give_the_oracle_batch_results),
        cmocka_unit_test(every_allocation_failure_should_give_enomem),
        cmocka_unit_test(the_store_job_table_should_keep_the_latest_state_and_every_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
