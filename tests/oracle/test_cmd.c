/* The cmd: backend: argv substitution without a shell, parallel jobs, retries, timeouts and
 * failure records (crash, hang, non-zero exit, garbage output), and the shipped ASE EMT adapter
 * (examples/ase_emt.py) against ASE run directly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_cmd_scratch"

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

static as_structure *cell(uint64_t seed)
{
    const char *sy[3] = {"Pt", "Cu", "Ni"};
    as_structure *s = tu_fcc(3.75, 1.0, 2, 2, 2, sy, 3);
    as_rng rng;
    as_rng_seed(&rng, seed);
    double w[3] = {0.4, 0.3, 0.3};
    tu_shuffle(s, &rng, w, 0.05);
    return s;
}

static void setup_scripts(void)
{
    mkdir(SCR, 0755);
    /* good: copies the input and adds an energy (the atom count times -1.25) */
    script("good.sh", "n=$(head -1 \"$1\"); e=$(awk -v n=$n 'BEGIN{print n * -1.25}'); "
                      "sed \"2s/\\$/ energy=$e/\" \"$1\" > \"$2\"");
    script("crash.sh", "echo 'segfault coming' >&2; kill -SEGV $$");
    script("hang.sh", "sleep 30");
    script("fail.sh", "echo 'SCF did not converge' >&2; exit 3");
    script("garbage.sh", "echo 'this is not xyz' > \"$2\"");
    /* flaky: fails on the first attempt for a given input, succeeds on the next */
    script("flaky.sh", "m=" SCR "/flaky.mark; if [ -e $m ]; then sed '2s/$/ energy=-7/' \"$1\" "
                       "> \"$2\"; else touch $m; exit 1; fi");
    remove(SCR "/flaky.mark");
}

static void failures_should_be_recorded_while_the_others_go_on(void **state)
{
    (void)state;
    setup_scripts();
    const char *progs[6] = {"good.sh", "crash.sh", "hang.sh", "fail.sh", "garbage.sh", "flaky.sh"};
    as_oracle_options opt;
    as_oracle_options_default(&opt);
    opt.jobs = 2;
    opt.retries = 1;
    opt.timeout_s = 0.5;
    as_structure *s = cell(1);
    for (int p = 0; p < 6; p++) {
        char spec[512];
        snprintf(spec, sizeof spec, "cmd:" SCR "/%s {in} {out}", progs[p]);
        as_oracle *o;
        assert_int_equal(as_oracle_create(spec, &opt, &o), AS_OK);
        assert_false(as_oracle_has_forces(o));
        assert_true(as_oracle_supports(o, "Ga"));
        const as_structure *v[3] = {s, s, s};
        as_label_result r[3];
        size_t nv = p == 5 ? 1 : 3;
        assert_int_equal(as_oracle_label_batch(o, v, nv, 0, NULL, r, NULL), AS_OK);
        for (size_t i = 0; i < nv; i++) {
            if (p == 0 || p == 5) {
                assert_int_equal(r[i].status, AS_OK);
                assert_true(r[i].energy == (p == 0 ? -1.25 * 32 : -7));
                assert_int_equal(r[i].attempts, p == 0 ? 1 : 2);
                continue;
            }
            /* a run past the timeout is recorded as such (issue 19), the others as failures */
            assert_int_equal(r[i].status, p == 2 ? AS_ETIMEOUT : AS_EORACLE);
            assert_int_equal(r[i].attempts, 2);
            assert_true(isnan(r[i].energy));
            const char *want[5] = {"", "signal 11", "timed out", "status 3", "unreadable output"};
            assert_non_null(strstr(r[i].error, want[p]));
            if (p == 1)
                assert_non_null(strstr(r[i].error, "segfault coming"));
            if (p == 3)
                assert_non_null(strstr(r[i].error, "SCF did not converge"));
        }
        as_oracle_free(o);
    }
    as_oracle *o;
    assert_int_equal(as_oracle_create("cmd:", &opt, &o), AS_EINVAL);
    assert_int_equal(as_oracle_create("cmd:" SCR "/no-such-program {in} {out}", &opt, &o), AS_OK);
    double e;
    assert_int_equal(as_oracle_energy(o, s, &e, NULL), AS_EORACLE);
    assert_non_null(strstr(as_errmsg(), "status 127"));
    as_oracle_free(o);
    as_structure_free(s);
}

static int have_ase(void)
{
    return system("/usr/bin/python3 -c 'import ase.calculators.emt' > /dev/null 2>&1") == 0;
}

static void ase_emt_adapter_should_return_ase_energies_and_relaxed_positions(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    mkdir(SCR, 0755);
    as_structure *s = cell(9);
    as_oracle_options opt;
    as_oracle_options_default(&opt);
    opt.jobs = 2;
    as_oracle *o;
    assert_int_equal(as_oracle_create("cmd:/usr/bin/python3 " AS_SOURCE_DIR
                                      "/examples/ase_emt.py {in} {out}",
                                      &opt, &o),
                     AS_OK);
    double e;
    assert_int_equal(as_oracle_energy(o, s, &e, NULL), AS_OK);
    /* independent: ASE directly on the same structure */
    assert_int_equal(as_extxyz_write(SCR "/ref_in.extxyz", &s, 1), AS_OK);
    FILE *p = popen("/usr/bin/python3 -c \"from ase.io import read; from ase.calculators.emt "
                    "import EMT; a = read('" SCR "/ref_in.extxyz'); a.calc = EMT(); "
                    "print(repr(a.get_potential_energy()))\"",
                    "r");
    double ref = NAN;
    assert_int_equal(fscanf(p, "%lf", &ref), 1);
    pclose(p);
    assert_true(fabs(e - ref) < 1e-9 * fabs(ref) + 1e-12);
    as_oracle_free(o);
    /* relaxing inside the adapter to alloyscout's criterion ({fmax}, issue 19): positions come
     * back, RMSD > 0, and the forces ASE writes show convergence */
    assert_int_equal(as_oracle_create("cmd:/usr/bin/python3 " AS_SOURCE_DIR
                                      "/examples/ase_emt.py {in} {out} {fmax}",
                                      &opt, &o),
                     AS_OK);
    as_relax_report rep;
    as_structure *c;
    assert_int_equal(as_structure_copy(s, &c), AS_OK);
    assert_int_equal(as_oracle_relax(o, c, NULL, &rep), AS_OK);
    assert_true(rep.rmsd > 0 && rep.rmsd < 0.3);
    assert_true(rep.e_final < e);
    assert_true(rep.converged && rep.fmax_final <= 0.03);
    as_structure_free(c);
    as_oracle_free(o);
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failures_should_be_recorded_while_the_others_go_on),
        cmocka_unit_test(ase_emt_adapter_should_return_ase_energies_and_relaxed_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
