/* alloyscout label: label one structure with one oracle and write the result as extended XYZ.
 * This is what a batch job of the slurm executor runs on its node (src/executor/slurm.c), and it
 * is usable on its own. Exit codes: 0 labelled (status=ok), 3 the oracle failed on this
 * structure (OUT written with status=failed and the error), 1 no OUT (unreadable input, oracle
 * could not be created, write failed), 2 usage. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: alloyscout label [options] IN OUT.extxyz\n\n"
    "Label one structure (the first frame of IN: extended XYZ or POSCAR, told apart by\n"
    "content; '-' is standard input) with an energy oracle, optionally after\n"
    "relaxing the atoms at fixed cell, and write OUT (atomically) as extended XYZ with\n"
    "energy=E (eV), forces (when the oracle gives them) and the keys status=ok|failed,\n"
    "error=..., fmax, rmsd, rmsd_paper, steps, relaxed, attempts, oracle. Numbers are\n"
    "written with 17 significant digits: they read back exactly. This is the command the\n"
    "slurm executor runs on a node (docs/cluster.md).\n\n"
    "options:\n"
    "  --oracle SPEC    energy backend (default eam; see 'alloyscout energy --help')\n"
    "  --relax          relax the atoms first (FIRE at fixed cell)\n"
    "  --fmax F         force tolerance of the relaxation, eV/Å (default 0.03)\n"
    "  --max-steps N    relaxation steps (default 2000)\n"
    "  --timeout T      seconds before a run is killed: S, 'none' or KEY=S,.. (default\n"
    "                   the oracle's: 48 h for cmd:, ase:gpaw, ase:FILE.py)\n"
    "  --retries R      cmd: extra attempts of a failed run (default 1)\n"
    "  --e-atom-max EV  a label with |E| / atom above EV is refused (default 50 eV/atom)\n"
    "  --cell-tol ANG   cmd: largest cell difference between the input and the program's\n"
    "                   output, per component (default 1e-4 Å)\n"
    "  --accept-unconverged  keep an unconverged relaxation as a label (cmd:, and FIRE\n"
    "                   at --max-steps; default: a failed label)\n"
    "  --keep-workdirs  cmd: keep the job directory after a success too\n"
    "  --scratch DIR    cmd: where the job directory is made (default: the directory of\n"
    "                   OUT, so a failed job's directory is kept beside the result)\n"
    "  --nprocs N       cmd: the value of {nprocs} (default $SLURM_CPUS_PER_TASK, else 1)\n"
    "  --oracle-version TEXT  recorded in oracle_version (with the dependency hash)\n"
    "  --nrho N, --nr N eam (Zhou tables): grid points (default 2000, 2000)\n"
    "  --skin ANG       eam: neighbour-list skin (default 0.3)\n"
    "  --fire-dt T, --fire-dt-max T, --fire-max-step ANG, --fire-n-min N, --fire-f-inc F,\n"
    "  --fire-f-dec F, --fire-alpha A, --fire-f-alpha F  FIRE parameters of --relax (defaults\n"
    "                   0.1, 1, 0.2, 5, 1.1, 0.5, 0.1, 0.99)\n"
    "  --quiet          no messages\n\n"
    "Keys written besides: converged=T|F (when known), stress (9 values, when known),\n"
    "workdir (a kept job directory), status=timeout for a run past the timeout.\n\n"
    "exit status: 0 labelled; 3 the oracle failed (OUT has status=failed and error=...);\n"
    "1 nothing written (bad input, unknown oracle, write error); 2 usage error.\n";

/* info values hold no line break */
static as_status set_info_line(as_structure *s, const char *key, const char *v)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s", v);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return as_structure_set_info(s, key, buf);
}

static as_status set_num(as_structure *s, const char *key, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    return as_structure_set_info(s, key, buf);
}

int as_cli_label(int argc, char **argv)
{
    const char *cmd = "label", *spec = "eam", *pos[2];
    int relax = 0, quiet = 0;
    as_oracle_options oopt;
    as_oracle_options_default(&oopt);
    as_relax_options ropt;
    as_relax_options_default(&ropt);
    unsigned long long seed = 0;
    size_t nrho = (size_t)oopt.nrho, nr = (size_t)oopt.nr;
    const cli_opt opts[] = {
        {"oracle", 0, CLI_STR, &spec, 0, NULL, NULL},
        {"relax", 0, CLI_FLAG, &relax, 0, NULL, NULL},
        {"fmax", 0, CLI_DOUBLE, &ropt.fmax, 0, NULL, NULL},
        {"max-steps", 0, CLI_SIZE, &ropt.max_steps, 0, NULL, NULL},
        {"timeout", 0, CLI_STR, &oopt.timeouts, 0, NULL, NULL},
        {"retries", 0, CLI_SIZE, &oopt.retries, 0, NULL, NULL},
        CLI_ORACLE_RUN_OPTS(&oopt),
        /* what the slurm executor passes on besides (src/executor/slurm.c, label_argv) */
        {"nrho", 0, CLI_SIZE, &nrho, 0, NULL, NULL},
        {"nr", 0, CLI_SIZE, &nr, 0, NULL, NULL},
        {"skin", 0, CLI_DOUBLE, &oopt.skin_ang, 0, NULL, NULL},
        {"fire-dt", 0, CLI_DOUBLE, &ropt.dt, 0, NULL, NULL},
        {"fire-dt-max", 0, CLI_DOUBLE, &ropt.dt_max, 0, NULL, NULL},
        {"fire-max-step", 0, CLI_DOUBLE, &ropt.max_step, 0, NULL, NULL},
        {"fire-n-min", 0, CLI_SIZE, &ropt.n_min, 0, NULL, NULL},
        {"fire-f-inc", 0, CLI_DOUBLE, &ropt.f_inc, 0, NULL, NULL},
        {"fire-f-dec", 0, CLI_DOUBLE, &ropt.f_dec, 0, NULL, NULL},
        {"fire-alpha", 0, CLI_DOUBLE, &ropt.alpha_start, 0, NULL, NULL},
        {"fire-f-alpha", 0, CLI_DOUBLE, &ropt.f_alpha, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &quiet, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &seed, 0, NULL, NULL}, /* accepted; nothing here is random */
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    size_t np = 0;
    int rc = cli_parse(cmd, help, argc, argv, opts, pos, 2, &np);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (np != 2)
        return cli_usage(cmd, "needs IN.extxyz and OUT.extxyz");
    if (!(ropt.fmax > 0))
        return cli_usage(cmd, "--fmax must be > 0");
    if (!(oopt.e_atom_max_ev > 0) || !(oopt.cell_tol_ang > 0))
        return cli_usage(cmd, "--e-atom-max and --cell-tol must be > 0");
    if (nrho < 5 || nr < 5 || nrho > 1000000 || nr > 1000000)
        return cli_usage(cmd, "--nrho and --nr must be 5 .. 1000000");
    oopt.nrho = (int)nrho;
    oopt.nr = (int)nr;
    if (!(oopt.skin_ang >= 0))
        return cli_usage(cmd, "--skin must be >= 0");
    const cli_file files[] = {{"IN", pos[0], 0}, {"OUT", pos[1], 1}};
    if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
        return rc;
    double tcheck;
    if (as_oracle_timeout_for(oopt.timeouts, spec, &tcheck) != AS_OK)
        return cli_usage(cmd, "%s", as_errmsg());
    char outdir[4096];
    if (!oopt.workdir) { /* the job directory beside OUT (a shared filesystem under slurm) */
        snprintf(outdir, sizeof outdir, "%s", pos[1]);
        char *slash = strrchr(outdir, '/');
        if (slash && slash != outdir)
            *slash = '\0';
        else
            snprintf(outdir, sizeof outdir, slash ? "/" : ".");
        oopt.workdir = outdir;
    }
    cli_log_init(quiet);

    as_structure **fr = NULL, *outs = NULL;
    size_t nf = 0;
    as_oracle *o = NULL;
    as_label_result res;
    as_status st;
    rc = 1;
    memset(&res, 0, sizeof res);
    if ((st = as_structure_read_any(pos[0], &fr, &nf)) != AS_OK ||
        (st = as_oracle_create(spec, &oopt, &o)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    const as_structure *s = fr[0];
    const char *missing = NULL;
    for (size_t k = 0; k < s->n_symbols && !missing; k++)
        if (!as_oracle_supports(o, s->symbols[k]))
            missing = s->symbols[k];
    if (missing) {
        res.status = AS_EINVAL;
        res.energy = NAN;
        snprintf(res.error, sizeof res.error, "oracle %s has no parameters for %s",
                 as_oracle_describe(o), missing);
    } else {
        /* the path of 'alloyscout energy', so the numbers are the same to the last bit */
        if ((st = as_oracle_label_batch(o, (const as_structure *const *)fr, 1, relax, &ropt, &res,
                                        &outs)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    int ok = res.status == AS_OK;
    if (!outs && (st = as_structure_copy(s, &outs)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    outs->has_energy = ok;
    outs->energy = ok ? res.energy : NAN;
    if (ok && as_oracle_has_forces(o)) { /* forces at the final positions */
        double e2;
        if ((st = as_structure_alloc_forces(outs)) != AS_OK ||
            (st = as_oracle_energy(o, outs, &e2, outs->forces)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    char stress9[400] = "";
    if (res.has_stress) {             /* as ASE writes it: the 3x3 matrix row by row */
        const double *v = res.stress; /* xx yy zz yz xz xy */
        snprintf(stress9, sizeof stress9, "%.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g %.17g",
                 v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2]);
    }
    const char *vers = as_oracle_dependencies(o);
    if ((st = as_structure_set_info(outs, "status",
                                    ok                          ? "ok"
                                    : res.status == AS_ETIMEOUT ? "timeout"
                                                                : "failed")) != AS_OK ||
        (res.converged &&
         (st = as_structure_set_info(outs, "converged", res.converged > 0 ? "T" : "F")) != AS_OK) ||
        (stress9[0] && (st = as_structure_set_info(outs, "stress", stress9)) != AS_OK) ||
        (res.workdir[0] && (st = set_info_line(outs, "workdir", res.workdir)) != AS_OK) ||
        (vers[0] && (st = set_info_line(outs, "oracle_version", vers)) != AS_OK) ||
        (st = set_info_line(outs, "oracle", as_oracle_describe(o))) != AS_OK ||
        (!ok && (st = set_info_line(outs, "error", res.error)) != AS_OK) ||
        (isfinite(res.fmax) && (st = set_num(outs, "fmax", res.fmax)) != AS_OK) ||
        (st = set_num(outs, "rmsd", res.rmsd)) != AS_OK ||
        (st = set_num(outs, "rmsd_paper", res.rmsd_paper)) != AS_OK ||
        (st = set_num(outs, "steps", (double)res.steps)) != AS_OK ||
        (st = set_num(outs, "relaxed", res.relaxed)) != AS_OK ||
        (st = set_num(outs, "attempts", (double)res.attempts)) != AS_OK ||
        (st = as_extxyz_write(pos[1], &outs, 1)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (ok) {
        if (!quiet)
            fprintf(stderr, "alloyscout: %s: E = %.17g eV\n", pos[0], res.energy);
        rc = 0;
    } else {
        cli_error("%s: %s", pos[0], res.error);
        rc = 3;
    }
done:
    as_structure_free(outs);
    as_structures_free(fr, nf);
    as_oracle_free(o);
    return rc;
}
