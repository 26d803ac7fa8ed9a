/* alloyscout energy: label the frames of an extended-XYZ file with an energy oracle (optionally
 * relaxed at fixed cell), relative to a reference frame, with the RMSD of the relaxation. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/executor.h"
#include "alloyscout/json.h"
#include "cli.h"
#include "progress.h"

/* the oracle run options (--help text) */
#define ORACLE_RUN_HELP                                                                          \
    "  --timeout T      seconds before a run is killed (cmd:, ase:): S, 'none', or per oracle\n" \
    "                   KEY=S,KEY=S.. (KEY a spec prefix: cmd=172800,ase:emt=600); default\n"    \
    "                   the oracle's: 48 h for cmd:, ase:gpaw, ase:FILE.py; 1 h ase:emt;\n"      \
    "                   600 s lammps, meam; none eam. A timeout is recorded as status timeout\n" \
    "  --retries R      cmd: extra attempts of a failed run (default 1)\n"                       \
    "  --accept-unconverged  cmd:, FIRE: keep an unconverged relaxation (fmax > --fmax w/o\n"    \
    "                   converged=T, converged=F, or unmoved) as a label (default: failed)\n"    \
    "  --keep-workdirs  cmd: keep every job's directory after a success too (a failed\n"         \
    "                   job's is always kept; its path is in the error)\n"                       \
    "  --scratch DIR    cmd: where the job directories are made (default $TMPDIR or /tmp)\n"     \
    "  --nprocs N       cmd: the value of {nprocs} (default $SLURM_CPUS_PER_TASK, else 1)\n"     \
    "  --oracle-version TEXT  part of the label key, for what cannot be hashed (a module-\n"     \
    "                   loaded DFT binary); the program, files in the spec and potential\n"      \
    "                   files are hashed into the key already\n"

static const char energy_help[] =
    "usage: alloyscout energy [options] FILE\n\n"
    "Total and per-atom energy of every frame, optionally after relaxing the atoms at\n"
    "fixed cell (FIRE), relative to a reference frame, and the RMSD of the relaxation\n"
    "(root mean square, and the paper's (1/n) sqrt(sum |dX|^2)).\n\n"
    "options:\n"
    "  --oracle SPEC    energy backend (default eam):\n"
    "                     eam              Zhou 2004 EAM, all 17 elements of the table\n"
    "                     eam:Pt,Co,Cu     Zhou 2004 EAM for these elements only\n"
    "                     eam:FILE         a LAMMPS eam/alloy (setfl) file\n"
    "                     eam-analytic[:EL,..]  Zhou functions without tables\n"
    "                     lammps:STYLE;COEFF  LAMMPS library, e.g.\n"
    "                       'lammps:eam/alloy;* * CuNi.eam.alloy Cu Ni'\n"
    "                     cmd:PROGRAM ARG..   external program; {in} {out} {workdir}\n"
    "                       {fmax} {relax} {nprocs} are replaced; no shell, words split\n"
    "                       on spaces; it runs in its own fresh {workdir} and writes\n"
    "                       energy=E (eV), optionally forces, stress, a relaxed cell,\n"
    "                       converged=T|F and metadata to {out} (docs/oracle.md)\n"
    "  --relax          relax the atoms first (cmd: the program relaxes; its positions\n"
    "                   and cell are read back; converged only on evidence: fmax <= --fmax\n"
    "                   from its forces, or converged=T)\n"
    "  --fmax F         force tolerance of the relaxation, eV/Å (default 0.03)\n"
    "  --max-steps N    relaxation steps (default 2000)\n"
    "  --reference K    frame index (0-based) whose energy per atom is the zero\n"
    "  --json FILE      machine-readable results\n"
    "  --out FILE       write the (relaxed) frames with their energies (extended XYZ)\n"
    "  FILE is extended XYZ or POSCAR/CONTCAR (told apart by content); '-' is standard\n"
    "  input, and --json - / --out - write standard output (the table then goes to stderr).\n"
    "  A failed frame fails the command: no --json / --out file is written.\n"
    "  --db FILE        SQLite label store: frames labelled before are not recomputed\n"
    "  -j N             cmd: programs run at once (default 1)\n" ORACLE_RUN_HELP
    "  --e-atom-max EV  label check: a label with |E| / atom above EV is refused, and so\n"
    "                   is a stored row read back (default 50 eV/atom)\n"
    "  --cell-tol ANG   cmd: largest cell difference between the input and the\n"
    "                   program's output, per component (default 1e-4 Å)\n"
    "  --write-setfl EL,EL,.. OUT  write the Zhou 2004 tables as a setfl file and exit\n"
    "  --executor local|slurm  where the labels run (default local: this process and\n"
    "                   -j N programs); slurm: one batch job per frame, submitted as a\n"
    "                   job array, each running 'alloyscout label' (docs/cluster.md)\n"
    "  --workdir DIR    slurm: scratch and result files, on a filesystem the nodes see;\n"
    "                   running the same command again re-attaches to its jobs (their\n"
    "                   states: DIR/journal.tsv, or with --db the store's job table,\n"
    "                   shown by 'alloyscout campaign status --db FILE')\n"
    "  --slurm-opts 'OPTS'  slurm: sbatch options (-p, --time, -A ...), split on spaces\n"
    "  --job-template FILE  slurm: job script with {cmd} (and {jobname} {workdir}\n"
    "                   {ntasks} {time} {oracle}) for module loads and environment\n"
    "  --poll-max S     slurm: longest wait between two squeue polls (default 30)\n"
    "                   (--retries R: resubmissions of a failed job, default 2;\n"
    "                   --timeout S: passed to the label command of each job)\n"
    "  --quiet          no progress messages\n";

/* ---- executor: SIGINT/SIGTERM stop the wait and cancel this run's jobs (issue 15) ---- */
static as_executor *energy_ex;
static struct sigaction energy_old_int, energy_old_term;
static int energy_installed;
static void energy_on_signal(int sig)
{
    (void)sig;
    as_executor_interrupt(energy_ex);
}
/* ex: install the handlers; NULL: put back the ones found before */
static void energy_interrupt_install(as_executor *ex)
{
    if (!ex) {
        if (energy_installed) {
            sigaction(SIGINT, &energy_old_int, NULL);
            sigaction(SIGTERM, &energy_old_term, NULL);
            energy_installed = 0;
        }
        energy_ex = NULL;
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = energy_on_signal; /* no SA_RESTART: the executor's sleep ends at once */
    sigemptyset(&sa.sa_mask);
    energy_ex = ex;
    sigaction(SIGINT, &sa, &energy_old_int);
    sigaction(SIGTERM, &sa, &energy_old_term);
    energy_installed = 1;
}

static int write_setfl(const char *els, const char *path)
{
    char buf[256], *names[32];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", els);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && n < 32; t = strtok_r(NULL, ",", &save))
        names[n++] = t;
    as_status st = as_eam_write_setfl((const char *const *)names, n, 0, 0, path);
    if (st != AS_OK)
        return cli_fail(st);
    printf("wrote %s\n", path);
    return 0;
}

int as_cli_energy(int argc, char **argv)
{
    const char *cmd = "energy";
    const char *spec = "eam", *json = NULL, *out = NULL, *db = NULL, *file = NULL;
    const char *setfl = NULL;
    int relax = 0, quiet = 0, have_ref = 0;
    size_t ref = 0;
    uint64_t seed = 0; /* accepted for uniformity; nothing here is random */
    as_oracle_options oopt;
    as_oracle_options_default(&oopt);
    as_relax_options ropt;
    as_relax_options_default(&ropt);
    as_executor_options eopt = as_executor_options_default(); /* issue 15 */
    int timeout_seen = 0, retries_seen = 0;
    const cli_opt opts[] = {
        {"oracle", 0, CLI_STR, &spec, 0, NULL, NULL},
        {"relax", 0, CLI_FLAG, &relax, 0, NULL, NULL},
        {"fmax", 0, CLI_DOUBLE, &ropt.fmax, 0, NULL, NULL},
        {"max-steps", 0, CLI_SIZE, &ropt.max_steps, 0, NULL, NULL},
        {"reference", 0, CLI_SIZE, &ref, 0, NULL, &have_ref},
        {"json", 0, CLI_STR, &json, 0, NULL, NULL},
        {"out", 0, CLI_STR, &out, 0, NULL, NULL},
        {"db", 0, CLI_STR, &db, 0, NULL, NULL},
        {"jobs", 'j', CLI_SIZE, &oopt.jobs, 0, NULL, NULL},
        {"timeout", 0, CLI_STR, &oopt.timeouts, 0, NULL, &timeout_seen},
        {"retries", 0, CLI_SIZE, &oopt.retries, 0, NULL, &retries_seen},
        CLI_ORACLE_RUN_OPTS(&oopt),
        {"write-setfl", 0, CLI_STR, &setfl, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &quiet, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &seed, 0, NULL, NULL},
        /* executor (issue 15) */
        {"executor", 0, CLI_STR, &eopt.backend, 0, NULL, NULL},
        {"workdir", 0, CLI_STR, &eopt.workdir, 0, NULL, NULL},
        {"slurm-opts", 0, CLI_STR, &eopt.slurm_opts, 0, NULL, NULL},
        {"job-template", 0, CLI_STR, &eopt.job_template, 0, NULL, NULL},
        {"poll-max", 0, CLI_DOUBLE, &eopt.poll_max_s, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    const char *pos[2];
    size_t npos = 0;
    int prc = cli_parse(cmd, energy_help, argc, argv, opts, pos, 2, &npos);
    if (prc)
        return prc < 0 ? 0 : prc;
    if (setfl) {
        if (npos != 1)
            return cli_usage(cmd, "--write-setfl needs ELEMENTS and an output path");
        return write_setfl(setfl, pos[0]);
    }
    if (!(ropt.fmax > 0))
        return cli_usage(cmd, "--fmax must be > 0");
    if (oopt.jobs == 0)
        return cli_usage(cmd, "-j must be >= 1");
    double tcheck;
    if (as_oracle_timeout_for(oopt.timeouts, spec, &tcheck) != AS_OK)
        return cli_usage(cmd, "%s", as_errmsg());
    if (!(oopt.e_atom_max_ev > 0) || !(oopt.cell_tol_ang > 0))
        return cli_usage(cmd, "--e-atom-max and --cell-tol must be > 0");
    /* executor (issue 15): --retries and --timeout also mean the jobs' */
    if (strcmp(eopt.backend, "local") && strcmp(eopt.backend, "slurm"))
        return cli_usage(cmd, "--executor must be local or slurm, not '%s'", eopt.backend);
    if (!(eopt.poll_max_s > 0))
        return cli_usage(cmd, "--poll-max must be > 0");
    if (eopt.poll_min_s > eopt.poll_max_s)
        eopt.poll_min_s = eopt.poll_max_s;
    if (retries_seen)
        eopt.retries = oopt.retries;
    if (npos == 2)
        return cli_usage(cmd, "more than one input file ('%s' and '%s')", pos[0], pos[1]);
    file = npos ? pos[0] : NULL;
    if (!file)
        return cli_usage(cmd, "no input file (FILE.extxyz)");
    {
        const cli_file files[] = {{"FILE", file, 0},
                                  {"--db", db, 0},
                                  {"--job-template", eopt.job_template, 0},
                                  {"--json", json, 1},
                                  {"--out", out, 1}};
        int frc = cli_check_files(cmd, files, CLI_NFILES(files));
        if (frc)
            return frc;
    }
    cli_log_init(quiet);

    int rc = 1;
    as_status st;
    as_structure **fr = NULL, **rx = NULL;
    size_t nf = 0;
    as_oracle *o = NULL;
    as_store *store = NULL;
    as_lock *lock = NULL, *wlock = NULL;
    as_executor *ex = NULL;
    as_job_record *known = NULL;
    size_t n_known = 0;
    as_label_result *res = NULL;
    as_json *root = NULL;
    /* one writer per store: a second run on it is refused before anything starts */
    if (db && (st = cli_lock(db, argc, argv, &lock)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if ((st = as_structure_read_any(file, &fr, &nf)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (have_ref && ref >= nf) {
        rc = cli_usage(cmd, "--reference %zu: the file has %zu frames (0..%zu)", ref, nf, nf - 1);
        goto done;
    }
    if ((st = as_oracle_create(spec, &oopt, &o)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (timeout_seen) /* the jobs' label command gets the limit in force */
        eopt.label_timeout_s = as_oracle_timeout(o);
    for (size_t i = 0; i < nf; i++)
        for (size_t k = 0; k < fr[i]->n_symbols; k++)
            if (!as_oracle_supports(o, fr[i]->symbols[k])) {
                rc = cli_error("frame %zu: oracle %s has no parameters for %s (it covers: %s)", i,
                               as_oracle_describe(o), fr[i]->symbols[k], as_oracle_elements(o));
                goto done;
            }
    res = calloc(nf, sizeof *res);
    rx = calloc(nf, sizeof *rx);
    if (!res || !rx) {
        rc = cli_error("out of memory");
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "alloyscout: labelling %zu frame%s with %s%s\n", nf, nf == 1 ? "" : "s",
                as_oracle_describe(o), relax ? " (relaxed)" : "");
    /* frames in chunks of 4 x jobs, so progress shows and cmd: programs still run -j at once;
     * each frame's label does not depend on the chunking. slurm: all frames in one batch (one
     * job array) */
    size_t ncomp = 0, chunk = 4 * (oopt.jobs ? oopt.jobs : 1);
    if (db && (st = as_store_open(db, &store)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (store) /* a stored row is read back under the window the oracle applies */
        as_store_set_e_atom_max(store, oopt.e_atom_max_ev);
    /* slurm with --db: the store's job table is the journal (no workdir/journal.tsv), so
     * 'alloyscout campaign status --db' shows the jobs and a rerun re-attaches from it */
    as_store_journal sj = {store, file, AS_JOB_ROUND_NONE};
    if (store && !strcmp(eopt.backend, "slurm")) {
        if ((st = as_store_job_records(store, &known, &n_known)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        eopt.journal = as_store_journal_write;
        eopt.journal_user = &sj;
        eopt.known = known;
        eopt.n_known = n_known;
    }
    if ((st = as_executor_create(spec, o, &eopt, &ex)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    int slurm = !strcmp(as_executor_backend(ex), "slurm");
    if (slurm && eopt.workdir && !eopt.journal) {
        /* one writer per job journal: a second run on the workdir would submit the same
         * structures again while the first one's jobs run */
        char jp[4096];
        snprintf(jp, sizeof jp, "%s/journal.tsv", eopt.workdir);
        if ((st = cli_lock(jp, argc, argv, &wlock)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    if (slurm) {
        chunk = nf;
        energy_interrupt_install(ex);
    }
    cli_progress_start("energy", nf, quiet);
    for (size_t i0 = 0; i0 < nf; i0 += chunk) {
        size_t m = nf - i0 < chunk ? nf - i0 : chunk, nc = 0;
        const as_structure *const *part = (const as_structure *const *)fr + i0;
        st = as_executor_label(ex, store, part, m, relax, &ropt, res + i0, rx + i0, &nc);
        if (st != AS_OK) {
            cli_progress_end();
            rc = cli_fail(st);
            goto done;
        }
        ncomp += nc;
        cli_progress_update(i0 + m);
    }
    cli_progress_end();
    if (db && !quiet)
        fprintf(stderr, "alloyscout: %zu computed, %zu from %s\n", ncomp, nf - ncomp, db);
    if (slurm && !quiet) {
        as_executor_stats es = as_executor_get_stats(ex);
        fprintf(stderr,
                "alloyscout: slurm: %zu job%s submitted in %zu array%s, %zu re-attached, "
                "%zu resubmitted after a failure (submitting %.3f s, waiting and "
                "collecting %.3f s)\n",
                es.submitted, es.submitted == 1 ? "" : "s", es.sbatch_calls,
                es.sbatch_calls == 1 ? "" : "s", es.reattached, es.retried, es.submit_s, es.wait_s);
    }
    double eref = NAN;
    if (have_ref) {
        if (res[ref].status != AS_OK) {
            rc = cli_error("reference frame %zu failed: %s", ref, res[ref].error);
            goto done;
        }
        eref = res[ref].energy / (double)fr[ref]->n;
    }
    /* --json - or --out -: standard output holds that file alone, not the table */
    FILE *tf = (json && !strcmp(json, "-")) || (out && !strcmp(out, "-")) ? stderr : stdout;
    fprintf(tf, "# oracle: %s%s\n", as_oracle_describe(o),
            relax ? "  (relaxed at fixed cell)" : "");
    fprintf(tf, "%5s %6s %20s %16s %16s %10s %10s %s\n", "frame", "atoms", "E_total/eV",
            "E/atom/eV", have_ref ? "dE/atom/eV" : "-", "rmsd/Å", "rmsd_pap/Å", "status");
    size_t n_fail = 0;
    root = as_json_object();
    as_json *arr = as_json_array();
    if (!root || !arr) {
        as_json_free(arr);
        rc = cli_error("out of memory");
        goto done;
    }
    for (size_t i = 0; i < nf; i++) {
        as_label_result *r = &res[i];
        double n = (double)fr[i]->n, epa = r->energy / n, rel = epa - eref;
        if (r->status == AS_OK)
            fprintf(tf, "%5zu %6zu %20.8f %16.8f %16.8f %10.5f %10.6f ok\n", i, fr[i]->n, r->energy,
                    epa, have_ref ? rel : NAN, r->rmsd, r->rmsd_paper);
        else {
            n_fail++;
            fprintf(tf, "%5zu %6zu %20s %16s %16s %10s %10s %s: %s\n", i, fr[i]->n, "-", "-", "-",
                    "-", "-", r->status == AS_ETIMEOUT ? "timeout" : "failed", r->error);
        }
        as_json *fj = as_json_object();
        if (!fj || as_json_push(arr, fj) != AS_OK) {
            rc = cli_error("out of memory");
            as_json_free(arr);
            goto done;
        }
        as_json_set_num(fj, "frame", (double)i);
        as_json_set_num(fj, "n_atoms", n);
        as_json_set_str(fj, "status",
                        r->status == AS_OK         ? "ok"
                        : r->status == AS_ETIMEOUT ? "timeout"
                                                   : "failed");
        if (r->converged) /* issue 19: the verdict, the stress, a kept job directory */
            as_json_set_bool(fj, "converged", r->converged > 0);
        if (r->has_stress)
            as_json_set_doubles(fj, "stress_ev_ang3", r->stress, 6);
        if (r->workdir[0])
            as_json_set_str(fj, "workdir", r->workdir);
        if (r->status == AS_OK) {
            as_json_set_num(fj, "energy_ev", r->energy);
            as_json_set_num(fj, "energy_per_atom_ev", epa);
            if (have_ref)
                as_json_set_num(fj, "relative_energy_per_atom_ev", rel);
            as_json_set_num(fj, "rmsd_ang", r->rmsd);
            as_json_set_num(fj, "rmsd_paper_ang", r->rmsd_paper);
            if (relax) {
                if (isfinite(r->fmax))
                    as_json_set_num(fj, "fmax_ev_ang", r->fmax);
                as_json_set_num(fj, "steps", (double)r->steps);
            }
        } else
            as_json_set_str(fj, "error", r->error);
        if (rx[i]) {
            rx[i]->energy = r->energy;
            rx[i]->has_energy = r->status == AS_OK;
        }
    }
    as_json_set_str(root, "oracle", as_oracle_describe(o));
    as_json_set_str(root, "input", file);
    as_json_set_bool(root, "relax", relax);
    if (relax)
        as_json_set_num(root, "fmax_ev_ang", ropt.fmax);
    if (have_ref)
        as_json_set_num(root, "reference_frame", (double)ref);
    as_json_set_num(root, "failed", (double)n_fail);
    as_json_set_child(root, "frames", arr);
    if (n_fail) { /* a failed command leaves no output file (issue 16) */
        rc = cli_error("%zu of %zu frames failed%s%s", n_fail, nf,
                       json || out ? "; nothing written to --json / --out" : "",
                       db ? " (the frames that succeeded are stored in --db)" : "");
        goto done;
    }
    if (json && (st = as_json_write_file(root, json)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (out) {
        for (size_t i = 0; i < nf; i++)
            if (!rx[i]) { /* failed frames are written as given, without energy */
                if ((st = as_structure_copy(fr[i], &rx[i])) != AS_OK) {
                    rc = cli_fail(st);
                    goto done;
                }
                rx[i]->has_energy = res[i].status == AS_OK;
                rx[i]->energy = res[i].energy;
            }
        if ((st = as_extxyz_write(out, rx, nf)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    rc = 0;
done:
    as_json_free(root);
    if (rx)
        for (size_t i = 0; i < nf; i++)
            as_structure_free(rx[i]);
    free(rx);
    free(res);
    as_structures_free(fr, nf);
    energy_interrupt_install(NULL);
    as_executor_free(ex);
    as_free(known);
    as_store_close(store);
    as_lock_release(wlock);
    as_lock_release(lock);
    as_oracle_free(o);
    return rc;
}
