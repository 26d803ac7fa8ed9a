/* The cmd: output contract (issue 19, docs/oracle.md "The cmd: contract") with real programs:
 * ASE's own extxyz output (forces, stress, free_energy) read exactly as ASE computed it, a
 * variable-cell relaxation by ASE returning its cell, the convergence verdict (fmax <= --fmax,
 * converged=T|F, unmoved positions, --accept-unconverged), the placeholders, one fresh
 * directory per job under -j 2 (kept on failure, removed on success unless keep_files), the
 * dependency hashes of the label key, and timeouts recorded as AS_ETIMEOUT. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>

#include "alloyscout/json.h"
#include "oracle/oracle_test_util.h"

#define SCR AS_BUILD_DIR "/oracle_contract_scratch"
#define PY "/usr/bin/python3"

static void write_file(const char *name, const char *mode, const char *body)
{
    char path[512];
    snprintf(path, sizeof path, SCR "/%s", name);
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    chmod(path, 0755);
}

static void script(const char *name, const char *body)
{
    char text[8192];
    snprintf(text, sizeof text, "#!/bin/sh\n%s\n", body);
    write_file(name, "w", text);
}

static int have_ase(void)
{
    return system(PY " -c 'import ase.calculators.emt' > /dev/null 2>&1") == 0;
}

static as_structure *cu(double a, double rattle, uint64_t seed)
{
    const char *sy[1] = {"Cu"};
    as_structure *s = tu_fcc(a, 1.0, 1, 1, 1, sy, 1);
    as_rng rng;
    as_rng_seed(&rng, seed);
    for (size_t i = 0; i < 3 * s->n; i++)
        s->pos[i] += rattle * (2 * as_rng_uniform(&rng) - 1);
    return s;
}

static as_oracle_options opts(void)
{
    as_oracle_options o;
    as_oracle_options_default(&o);
    o.retries = 0;
    o.timeout_s = 60;
    o.workdir = SCR "/base";
    return o;
}

static void setup_dirs(void)
{
    mkdir(SCR, 0755);
    system("rm -rf " SCR "/base");
    mkdir(SCR "/base", 0755);
}

/* entries of SCR/base/alloyscout-cmd-* (job directories and files left) */
static size_t leftovers(void)
{
    size_t n = 0;
    DIR *d = opendir(SCR "/base");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "alloyscout-cmd-", 15))
            continue;
        char p[1024];
        snprintf(p, sizeof p, SCR "/base/%s", e->d_name);
        DIR *d2 = opendir(p);
        struct dirent *e2;
        while (d2 && (e2 = readdir(d2)))
            n += e2->d_name[0] != '.';
        if (d2)
            closedir(d2);
    }
    if (d)
        closedir(d);
    return n;
}

static as_label_result label1(const char *spec, const as_oracle_options *o, const as_structure *s,
                              int relax, double fmax, as_structure **fin)
{
    as_oracle *orc;
    assert_int_equal(as_oracle_create(spec, o, &orc), AS_OK);
    as_relax_options ro;
    as_relax_options_default(&ro);
    ro.fmax = fmax;
    as_label_result r;
    as_structure *x[1] = {NULL};
    const as_structure *v[1] = {s};
    assert_int_equal(as_oracle_label_batch(orc, v, 1, relax, &ro, &r, x), AS_OK);
    if (fin)
        *fin = x[0];
    else
        as_structure_free(x[0]);
    as_oracle_free(orc);
    return r;
}

/* ASE writes forces, stress (its 3x3 matrix, its sign) and free_energy; alloyscout must read
 * exactly what ASE computed, which the adapter also prints with repr() into a side file */
static void ase_output_should_be_read_as_ase_computed_it(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    setup_dirs();
    write_file("ase_emt_full.py", "w",
               "import sys\n"
               "from ase.io import read, write\n"
               "from ase.calculators.emt import EMT\n"
               "a = read(sys.argv[1], format='extxyz')\n"
               "a.calc = EMT()\n"
               "e = a.get_potential_energy(); f = a.get_forces(); s = a.get_stress()\n"
               "write(sys.argv[2], a, format='extxyz')\n"
               "with open(sys.argv[3], 'w') as r:\n"
               "    r.write(repr(e) + '\\n')\n"
               "    for v in list(s) + list(f.ravel()): r.write(repr(float(v)) + '\\n')\n");
    as_structure *s = cu(3.6, 0.05, 1);
    as_oracle_options o = opts();
    as_structure *fin = NULL;
    as_label_result r = label1("cmd:" PY " " SCR "/ase_emt_full.py {in} {out} " SCR "/ase_ref.txt",
                               &o, s, 0, 0.03, &fin);
    assert_int_equal(r.status, AS_OK);
    FILE *f = fopen(SCR "/ase_ref.txt", "r");
    assert_non_null(f);
    double e, st[6], fr[12];
    assert_int_equal(fscanf(f, "%lf", &e), 1);
    for (int k = 0; k < 6; k++)
        assert_int_equal(fscanf(f, "%lf", &st[k]), 1);
    for (int k = 0; k < 12; k++)
        assert_int_equal(fscanf(f, "%lf", &fr[k]), 1);
    fclose(f);
    /* ASE's extxyz prints with 17 digits (energy, stress) and 8 decimals (forces) */
    assert_true(fabs(r.energy - e) <= 1e-15 * fabs(e) + 1e-15);
    assert_int_equal(r.has_stress, 1);
    for (int k = 0; k < 6; k++) /* Voigt xx yy zz yz xz xy, ASE's sign */
        assert_true(fabs(r.stress[k] - st[k]) < 1e-14);
    assert_non_null(fin);
    assert_non_null(fin->forces);
    double fm = 0;
    for (int i = 0; i < 4; i++) {
        double v = 0;
        for (int k = 0; k < 3; k++) {
            assert_true(fabs(fin->forces[3 * i + k] - fr[3 * i + k]) < 1e-8);
            v += fr[3 * i + k] * fr[3 * i + k];
        }
        fm = fm > sqrt(v) ? fm : sqrt(v);
    }
    assert_true(fabs(r.fmax - fm) < 1e-7);
    assert_int_equal(r.converged, 0); /* an energy request: no verdict asked */
    /* free_energy is free-form metadata */
    assert_non_null(as_structure_get_info(fin, "free_energy"));
    assert_null(as_structure_get_info(fin, "stress"));
    assert_int_equal(leftovers(), 0);
    as_structure_free(fin);
    as_structure_free(s);
}

/* a variable-cell relaxation by ASE (UnitCellFilter + FIRE): the cell comes back and is stored;
 * positions are Cartesian in it */
static void a_relaxed_cell_should_be_returned_and_stored(void **state)
{
    (void)state;
    if (!have_ase())
        skip();
    setup_dirs();
    write_file("ase_vc.py", "w",
               "import sys\n"
               "from ase.io import read, write\n"
               "from ase.calculators.emt import EMT\n"
               "from ase.constraints import UnitCellFilter\n"
               "from ase.optimize import FIRE\n"
               "a = read(sys.argv[1], format='extxyz')\n"
               "a.calc = EMT()\n"
               "FIRE(UnitCellFilter(a), logfile=None).run(fmax=float(sys.argv[3]) / 2, "
               "steps=3000)\n"
               "write(sys.argv[2], a, format='extxyz')\n"
               "with open(sys.argv[4], 'w') as r:\n"
               "    for v in list(a.cell.array.ravel()) + list(a.positions.ravel()):\n"
               "        r.write(repr(float(v)) + '\\n')\n");
    as_structure *s = cu(3.45, 0.03, 2);
    as_oracle_options o = opts();
    as_oracle *orc;
    assert_int_equal(as_oracle_create("cmd:" PY " " SCR "/ase_vc.py {in} {out} {fmax} " SCR
                                      "/vc_ref.txt",
                                      &o, &orc),
                     AS_OK);
    remove(SCR "/vc.sqlite");
    as_store *st;
    assert_int_equal(as_store_open(SCR "/vc.sqlite", &st), AS_OK);
    as_label_result r;
    as_structure *x[1] = {NULL};
    const as_structure *v[1] = {s};
    size_t nc = 0;
    assert_int_equal(as_oracle_label_stored(orc, st, v, 1, 1, NULL, &r, x, &nc), AS_OK);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, 1);
    assert_int_equal(r.relaxed, 1);
    double ref[9 + 12];
    FILE *f = fopen(SCR "/vc_ref.txt", "r");
    assert_non_null(f);
    for (int k = 0; k < 21; k++)
        assert_int_equal(fscanf(f, "%lf", &ref[k]), 1);
    fclose(f);
    assert_non_null(x[0]);
    for (int k = 0; k < 9; k++)
        assert_true(fabs(x[0]->cell[k] - ref[k]) < 1e-12);
    for (int k = 0; k < 12; k++)
        assert_true(fabs(x[0]->pos[k] - ref[9 + k]) < 1e-8); /* ASE prints 8 decimals */
    assert_true(x[0]->cell[0] > 3.5); /* EMT's Cu is near 3.59 Å: the cell grew */
    as_structure_free(x[0]);
    /* again: from the store, the same cell and positions, nothing computed */
    x[0] = NULL;
    assert_int_equal(as_oracle_label_stored(orc, st, v, 1, 1, NULL, &r, x, &nc), AS_OK);
    assert_int_equal(nc, 0);
    assert_int_equal(r.converged, 1); /* read back from the store */
    assert_non_null(x[0]);
    for (int k = 0; k < 9; k++)
        assert_true(fabs(x[0]->cell[k] - ref[k]) < 1e-12);
    assert_non_null(x[0]->forces);
    as_structure_free(x[0]);
    /* as_oracle_relax applies the cell too */
    as_structure *c;
    assert_int_equal(as_structure_copy(s, &c), AS_OK);
    as_relax_report rep;
    assert_int_equal(as_oracle_relax(orc, c, NULL, &rep), AS_OK);
    assert_true(fabs(c->cell[0] - ref[0]) < 1e-12);
    assert_true(rep.converged);
    as_structure_free(c);
    as_store_close(st);
    as_oracle_free(orc);
    as_structure_free(s);
}

/* append to line 2 (the comment line) of the input, optionally moving atom 1 in x */
#define ADD(extra) "sed '2s/$/ " extra "/' \"$1\" > \"$2\""

static void convergence_should_need_evidence(void **state)
{
    (void)state;
    setup_dirs();
    /* forces: F eV/Å along x on atom 1, 0 elsewhere; atom 1 moved by 0.01 Å */
#define FORCES(F, X)                                                                       \
    "exec awk 'NR==2{sub(/pos:R:3/, \"pos:R:3:forces:R:3\"); print $0 \" energy=-12 " X    \
    "\"; next} "                                                                           \
    "NR==3{print $1, $2 + 0.01, $3, $4, " F ", 0, 0; next} NR>3{print $0, 0, 0, 0; next} " \
    "{print}' \"$1\" > \"$2\""
    script("big2.sh", FORCES("0.5", ""));
    script("small2.sh", FORCES("0.02", ""));
    script("convT.sh", FORCES("0.5", "converged=T"));
    script("convF.sh", ADD("energy=-12 converged=F"));
    script("still.sh", ADD("energy=-12"));
    script("bad_stress.sh", ADD("energy=-12 stress=\\\"1 2 3\\\""));
    script("voigt.sh", ADD("energy=-12 stress=\\\"1 2 3 4 5 6\\\""));
    as_structure *s = cu(3.6, 0.0, 3);
    as_oracle_options o = opts();
    as_label_result r;
    /* relax, fmax 0.5 > 0.03: a failed label with the reason, its directory kept */
    r = label1("cmd:" SCR "/big2.sh {in} {out}", &o, s, 1, 0.03, NULL);
    assert_int_equal(r.status, AS_EORACLE);
    assert_non_null(strstr(r.error, "not converged: fmax 0.5 eV/Å > 0.03 eV/Å"));
    assert_int_equal(r.converged, -1);
    assert_true(fabs(r.fmax - 0.5) < 1e-12);
    assert_true(r.workdir[0] != '\0');
    assert_non_null(strstr(r.error, r.workdir));
    assert_int_equal(r.attempts, 1); /* not retried: another run would say the same */
    /* accepted: a label with converged = -1 */
    o.accept_unconverged = 1;
    r = label1("cmd:" SCR "/big2.sh {in} {out}", &o, s, 1, 0.03, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, -1);
    assert_true(r.energy == -12);
    o.accept_unconverged = 0;
    /* a looser --fmax converges the same output */
    r = label1("cmd:" SCR "/big2.sh {in} {out}", &o, s, 1, 0.5, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, 1);
    r = label1("cmd:" SCR "/small2.sh {in} {out}", &o, s, 1, 0.03, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, 1);
    assert_int_equal(r.relaxed, 1);
    assert_true(r.rmsd > 0);
    /* the program's own verdict: converged=T counts, converged=F fails even an energy */
    r = label1("cmd:" SCR "/convT.sh {in} {out}", &o, s, 1, 0.03, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, 1);
    r = label1("cmd:" SCR "/convF.sh {in} {out}", &o, s, 0, 0.03, NULL);
    assert_int_equal(r.status, AS_EORACLE);
    assert_non_null(strstr(r.error, "converged=F"));
    /* relax requested, positions and cell unmoved, no forces: not relaxing */
    r = label1("cmd:" SCR "/still.sh {in} {out}", &o, s, 1, 0.03, NULL);
    assert_int_equal(r.status, AS_EORACLE);
    assert_non_null(strstr(r.error, "program did not relax"));
    /* the same program for an energy: fine, no verdict */
    r = label1("cmd:" SCR "/still.sh {in} {out}", &o, s, 0, 0.03, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.converged, 0);
    assert_true(isnan(r.fmax));
    /* stress: 3 numbers are refused, 6 are Voigt */
    r = label1("cmd:" SCR "/bad_stress.sh {in} {out}", &o, s, 0, 0.03, NULL);
    assert_int_equal(r.status, AS_EORACLE);
    assert_non_null(strstr(r.error, "stress"));
    r = label1("cmd:" SCR "/voigt.sh {in} {out}", &o, s, 0, 0.03, NULL);
    assert_int_equal(r.status, AS_OK);
    assert_int_equal(r.has_stress, 1);
    for (int k = 0; k < 6; k++)
        assert_true(r.stress[k] == k + 1);
    as_structure_free(s);
}

/* {fmax} {relax} {nprocs} {workdir} reach the program; the program runs in {workdir}; other
 * key=value pairs are stored as metadata */
static void placeholders_and_metadata_should_reach_the_program_and_the_store(void **state)
{
    (void)state;
    setup_dirs();
    script("ph.sh", "sed \"2s|$| energy=-12 got_fmax=$3 got_relax=$4 got_np=$5 got_wd=$6 "
                    "cwd=$(pwd) empty=$(ls -A | wc -l)|\" \"$1\" > \"$2\"");
    as_structure *s = cu(3.6, 0.0, 4);
    as_oracle_options o = opts();
    o.nprocs = 7;
    as_oracle *orc;
    assert_int_equal(as_oracle_create("cmd:" SCR "/ph.sh {in} {out} {fmax} {relax} {nprocs} "
                                      "{workdir}",
                                      &o, &orc),
                     AS_OK);
    remove(SCR "/ph.sqlite");
    as_store *st;
    assert_int_equal(as_store_open(SCR "/ph.sqlite", &st), AS_OK);
    as_label_result r;
    const as_structure *v[1] = {s};
    as_relax_options ro;
    as_relax_options_default(&ro);
    ro.fmax = 0.05;
    assert_int_equal(as_oracle_label_stored(orc, st, v, 1, 0, &ro, &r, NULL, NULL), AS_OK);
    assert_int_equal(r.status, AS_OK);
    char method[2048];
    as_label_method(orc, 0, &ro, method, sizeof method);
    as_structure *fin;
    assert_int_equal(as_structure_copy(s, &fin), AS_OK);
    char *meta = NULL;
    int found = 0;
    assert_int_equal(as_label_store_get_final(st, as_label_key(s, method), fin, &meta, &found),
                     AS_OK);
    assert_int_equal(found, 1);
    assert_non_null(meta);
    as_json *j;
    assert_int_equal(as_json_parse(meta, "metadata", &j), AS_OK);
    assert_string_equal(as_json_string(as_json_get(j, "got_fmax")), "0.05"); /* the criterion */
    assert_string_equal(as_json_string(as_json_get(j, "got_relax")), "0");
    assert_string_equal(as_json_string(as_json_get(j, "got_np")), "7");
    const char *wd = as_json_string(as_json_get(j, "got_wd"));
    assert_non_null(wd);
    assert_true(wd[0] == '/');
    assert_non_null(strstr(wd, SCR "/base/alloyscout-cmd-"));
    assert_string_equal(as_json_string(as_json_get(j, "cwd")), wd);
    assert_string_equal(as_json_string(as_json_get(j, "empty")), "0"); /* a fresh, empty dir */
    as_json_free(j);
    as_free(meta);
    as_structure_free(fin);
    /* a relaxation request: {relax} 1 and the given {fmax} */
    assert_int_equal(as_oracle_label_stored(orc, st, v, 1, 1, &ro, &r, NULL, NULL), AS_OK);
    assert_int_equal(r.status, AS_EORACLE); /* unmoved, no forces */
    assert_non_null(strstr(r.error, "program did not relax"));
    as_store_close(st);
    as_oracle_free(orc);
    as_structure_free(s);
}

/* a program writing the fixed name OUTCAR in its current directory, 6 structures with -j 2:
 * every run finds an empty directory; failures keep theirs, successes do not (keep_files:
 * they do) */
static void each_job_should_run_in_its_own_directory(void **state)
{
    (void)state;
    setup_dirs();
    /* refuses to run when OUTCAR exists (a shared directory); energy = -(atoms + x of atom 1) */
    script("outcar.sh", "[ -e OUTCAR ] && { echo 'OUTCAR exists: shared directory' >&2; exit 5; }\n"
                        "awk 'NR==3{print $2}' \"$1\" > OUTCAR; sleep 0.2\n"
                        "x=$(cat OUTCAR); n=$(head -1 \"$1\")\n"
                        "e=$(awk -v n=$n -v x=$x 'BEGIN{printf \"%.17g\", -(n + x)}')\n"
                        "case \"$x\" in 0.2*) echo 'refusing this one' >&2; exit 4;; esac\n"
                        "sed \"2s/$/ energy=$e/\" \"$1\" > \"$2\"");
    as_structure *s[6];
    const as_structure *v[6];
    for (int i = 0; i < 6; i++) {
        s[i] = cu(3.6, 0.0, 10 + i);
        s[i]->pos[0] = 0.1 * i + 0.01; /* atom 1's x: 0.01 .. 0.51; 0.21 fails */
        v[i] = s[i];
    }
    as_oracle_options o = opts();
    o.jobs = 2;
    as_oracle *orc;
    assert_int_equal(as_oracle_create("cmd:" SCR "/outcar.sh {in} {out}", &o, &orc), AS_OK);
    as_label_result r[6];
    assert_int_equal(as_oracle_label_batch(orc, v, 6, 0, NULL, r, NULL), AS_OK);
    for (int i = 0; i < 6; i++) {
        if (i == 2) {
            assert_int_equal(r[i].status, AS_EORACLE);
            assert_non_null(strstr(r[i].error, "refusing this one"));
            assert_non_null(strstr(r[i].error, r[i].workdir));
            char p[4096];
            struct stat sb;
            snprintf(p, sizeof p, "%.1000s/OUTCAR", r[i].workdir);
            assert_int_equal(stat(p, &sb), 0);
            snprintf(p, sizeof p, "%.1000s/alloyscout.in.extxyz", r[i].workdir);
            assert_int_equal(stat(p, &sb), 0);
            snprintf(p, sizeof p, "%.1000s/alloyscout.stderr", r[i].workdir);
            assert_int_equal(stat(p, &sb), 0);
            continue;
        }
        assert_int_equal(r[i].status, AS_OK);
        assert_true(fabs(r[i].energy + (4 + 0.1 * i + 0.01)) < 1e-9);
        assert_string_equal(r[i].workdir, "");
    }
    assert_int_equal(leftovers(), 1); /* the failed job's directory only */
    as_oracle_free(orc);
    /* keep_files: the successful jobs' directories stay too */
    setup_dirs();
    o.keep_files = 1;
    assert_int_equal(as_oracle_create("cmd:" SCR "/outcar.sh {in} {out}", &o, &orc), AS_OK);
    assert_int_equal(as_oracle_label_batch(orc, v, 6, 0, NULL, r, NULL), AS_OK);
    for (int i = 0; i < 6; i++) {
        assert_true(r[i].workdir[0] != '\0');
        char p[4096];
        struct stat sb;
        snprintf(p, sizeof p, "%.1000s/OUTCAR", r[i].workdir);
        assert_int_equal(stat(p, &sb), 0);
    }
    assert_int_equal(leftovers(), 6);
    as_oracle_free(orc);
    for (int i = 0; i < 6; i++)
        as_structure_free(s[i]);
}

/* the label key holds the content of the script, of files named in the spec and the
 * --oracle-version text: a change starts new labels, the old ones stay */
static void a_changed_dependency_should_start_new_labels(void **state)
{
    (void)state;
    setup_dirs();
    script("keyed.sh", "sed \"2s/$/ energy=$(cat $3)/\" \"$1\" > \"$2\"");
    write_file("param.txt", "w", "-12.5\n");
    as_structure *s = cu(3.6, 0.0, 5);
    const as_structure *v[1] = {s};
    remove(SCR "/key.sqlite");
    as_store *st;
    assert_int_equal(as_store_open(SCR "/key.sqlite", &st), AS_OK);
    as_oracle_options o = opts();
    const char *spec = "cmd:" SCR "/keyed.sh {in} {out} " SCR "/param.txt";
    as_label_result r;
    size_t nc = 0, count = 0;
    as_oracle *orc;
#define RUN()                                                                                   \
    do {                                                                                        \
        assert_int_equal(as_oracle_create(spec, &o, &orc), AS_OK);                              \
        assert_int_equal(as_oracle_label_stored(orc, st, v, 1, 0, NULL, &r, NULL, &nc), AS_OK); \
        assert_int_equal(r.status, AS_OK);                                                      \
        as_oracle_free(orc);                                                                    \
        assert_int_equal(as_label_store_count(st, &count), AS_OK);                              \
    } while (0)
    RUN();
    assert_int_equal(nc, 1);
    assert_true(r.energy == -12.5);
    RUN(); /* unchanged: reused */
    assert_int_equal(nc, 0);
    assert_int_equal(count, 1);
    /* the parameter file changes (same name): recomputed, the old label kept */
    write_file("param.txt", "w", "-13.25\n");
    RUN();
    assert_int_equal(nc, 1);
    assert_true(r.energy == -13.25);
    assert_int_equal(count, 2);
    /* the script changes (a comment): recomputed */
    write_file("keyed.sh", "a", "# changed\n");
    RUN();
    assert_int_equal(nc, 1);
    assert_int_equal(count, 3);
    RUN();
    assert_int_equal(nc, 0);
    /* --oracle-version */
    o.oracle_version = "vasp 6.4.2 module";
    RUN();
    assert_int_equal(nc, 1);
    assert_int_equal(count, 4);
    RUN();
    assert_int_equal(nc, 0);
    o.oracle_version = "vasp 6.4.3 module";
    RUN();
    assert_int_equal(nc, 1);
    assert_int_equal(count, 5);
#undef RUN
    /* the description is unchanged, the dependencies are their own text */
    assert_int_equal(as_oracle_create(spec, &o, &orc), AS_OK);
    assert_string_equal(as_oracle_describe(orc), spec);
    assert_non_null(strstr(as_oracle_dependencies(orc), "deps="));
    assert_non_null(strstr(as_oracle_dependencies(orc), "version=vasp 6.4.3 module"));
    as_oracle_free(orc);
    /* builtin EAM: a version of its parameters; a setfl file: its hash is in the description */
    assert_int_equal(as_oracle_create("eam:Cu", NULL, &orc), AS_OK);
    assert_non_null(strstr(as_oracle_dependencies(orc), "deps="));
    char method[1024];
    as_label_method(orc, 1, NULL, method, sizeof method);
    assert_non_null(strstr(method, "deps="));
    assert_non_null(strstr(method, " relax fmax="));
    as_oracle_free(orc);
    as_store_close(st);
    as_structure_free(s);
}

static void timeouts_should_default_from_the_oracle_and_be_recorded(void **state)
{
    (void)state;
    setup_dirs();
    double t = -1;
    assert_true(as_oracle_timeout_default("cmd:/x") == 48 * 3600.0);
    assert_true(as_oracle_timeout_default("ase:gpaw") == 48 * 3600.0);
    assert_true(as_oracle_timeout_default("ase:emt") == 3600.0);
    assert_true(isinf(as_oracle_timeout_default("eam")));
    assert_int_equal(as_oracle_timeout_for("cmd=7200,ase:gpaw=100,ase=50", "cmd:/opt/vasp.sh", &t),
                     AS_OK);
    assert_true(t == 7200);
    assert_int_equal(as_oracle_timeout_for("cmd=7200,ase:gpaw=100,ase=50", "ase:gpaw:ecut=400", &t),
                     AS_OK);
    assert_true(t == 100); /* the longest key */
    assert_int_equal(as_oracle_timeout_for("cmd=7200", "eam", &t), AS_OK);
    assert_true(t == 0); /* no key: the default */
    assert_int_equal(as_oracle_timeout_for("none", "cmd:x", &t), AS_OK);
    assert_true(isinf(t));
    assert_int_equal(as_oracle_timeout_for("90", "cmd:x", &t), AS_OK);
    assert_true(t == 90);
    assert_int_equal(as_oracle_timeout_for("cmd=abc", "cmd:x", &t), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "cmd=abc"));
    assert_int_equal(as_oracle_timeout_for("-3", "cmd:x", &t), AS_EINVAL);
    /* the oracle's default, and the text resolved for this oracle */
    as_oracle *orc;
    as_oracle_options o;
    as_oracle_options_default(&o);
    assert_int_equal(as_oracle_create("cmd:/bin/true", &o, &orc), AS_OK);
    assert_true(as_oracle_timeout(orc) == 48 * 3600.0);
    as_oracle_free(orc);
    o.timeouts = "eam=5,cmd=0.4";
    script("hang.sh", "sleep 30");
    assert_int_equal(as_oracle_create("cmd:" SCR "/hang.sh {in} {out}", &o, &orc), AS_OK);
    assert_true(as_oracle_timeout(orc) == 0.4);
    as_oracle_free(orc);
    o.retries = 0;
    o.workdir = SCR "/base";
    as_structure *s = cu(3.6, 0.0, 6);
    as_label_result r = label1("cmd:" SCR "/hang.sh {in} {out}", &o, s, 0, 0.03, NULL);
    assert_int_equal(r.status, AS_ETIMEOUT);
    assert_non_null(strstr(r.error, "timed out after 0.4 s"));
    assert_true(r.workdir[0] != '\0'); /* kept like any failure */
    as_structure_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ase_output_should_be_read_as_ase_computed_it),
        cmocka_unit_test(a_relaxed_cell_should_be_returned_and_stored),
        cmocka_unit_test(convergence_should_need_evidence),
        cmocka_unit_test(placeholders_and_metadata_should_reach_the_program_and_the_store),
        cmocka_unit_test(each_job_should_run_in_its_own_directory),
        cmocka_unit_test(a_changed_dependency_should_start_new_labels),
        cmocka_unit_test(timeouts_should_default_from_the_oracle_and_be_recorded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
