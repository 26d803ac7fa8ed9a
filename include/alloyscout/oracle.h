/* alloyscout oracle area: energies (and forces) of periodic structures from one interface with
 * interchangeable backends, relaxation of atoms at fixed cell (FIRE), optimization of lattice
 * constants, RMSD of a relaxation, writing EAM setfl files, and the store (one SQLite file for
 * labels and campaign records).
 *
 * Backends, chosen by a spec string (docs/oracle.md):
 *   "eam"                 native embedded-atom method, Zhou-Johnson-Wadley 2004 analytic alloy
 *                         parameters (data/zhou2004_eam_params.tsv) for all 17 elements the table
 *                         covers, tabulated as LAMMPS's generator does and interpolated with
 *                         LAMMPS's splines (pair_style eam/alloy gives the same numbers).
 *   "eam:Pt,Co,Cu"        the same, tables for just these elements (the cutoff sqrt(5) max(re)
 *                         then depends on them only).
 *   "eam:FILE"            any LAMMPS eam/alloy (setfl) file.
 *   "eam-analytic[:EL,..]" the Zhou functions evaluated directly (no tables); same cutoff.
 *   "lammps:PAIR_STYLE;PAIR_COEFF" the LAMMPS C library, e.g.
 *                         "lammps:eam/alloy;* * CuNi.eam.alloy Cu Ni" (the elements of the
 *                         structure are mapped to LAMMPS types in the order the pair_coeff line
 *                         names them). Only when built with liblammps (else AS_EUNSUP).
 *   "meam:Pt,Co,Cu"       second-nearest-neighbour MEAM for this system, assembled from the
 *                         binary 2NN-MEAM models of openkim-models (Kim, Seol & Ji 2017 Pt-Co,
 *                         Pt-Cu, Pt-Ni, Pt-Ti, Pt-Al, Pt-Mo, Pt-V; Kim & Lee 2006 Pt-Fe; Wang, Oh
 *                         & Lee 2020 Cu-Co; Choi, Kim & Seol 2017 Co-Fe, Co-Mn, Co-Cr; Oh, Seol &
 *                         Lee 2020 Co-Ti, Co-V; Choi, Jo & Sohn 2018 Co-Ni-Cr-Fe-Mn) by the
 *                         2NN-MEAM ternary rules (docs/oracle.md), run through LAMMPS's
 *                         pair_style kim. Every pair of the elements needs a source (Pt-Co-M:
 *                         M = Cu, Ni, Ti, Fe, V); AS_EINVAL names the missing pair.
 *   "meam"                the same, the system of each structure being its declared symbols.
 *   "ase:emt"             ASE's EMT calculator (H C N O Al Ni Cu Pd Ag Pt Au) in a persistent
 *                         Python worker (Debian's python3-ase; $ALLOYSCOUT_PYTHON, else
 *                         /usr/bin/python3, else python3 on PATH).
 *   "ase:gpaw[:K=V,..]"   GPAW preset (PBE, PAW, plane waves 400 eV or LCAO, Fermi-Dirac 0.1 eV,
 *                         k-points from a density, spin polarisation with initial moments for Fe
 *                         Co Ni Mn Cr), every value overridable: "ase:gpaw:ecut=450,kdens=4".
 *   "ase:FILE.py"         a Python file whose calculator(atoms) returns any ASE calculator for a
 *                         structure (VASP, QE, CP2K, ...).
 *                         ase: energy, forces and (where the calculator has it) stress; relaxation
 *                         is alloyscout's FIRE on the worker's forces; a calculator error is a
 *                         failed label with its message; a dead worker is restarted.
 *   "cmd:PROGRAM ARG ..." an external program run once per structure, argv split on spaces
 *                         (no shell, no quoting: wrap complex commands in a script), with the
 *                         placeholders {in} {out} {fmax} {relax} {nprocs} {workdir} replaced
 *                         (also inside a word: "--in={in}"); it runs in its own fresh {workdir}
 *                         (also its current directory). The program writes {out}: energy=...
 *                         (eV) and optionally forces, stress, a relaxed cell and positions,
 *                         converged=T|F and free-form metadata (the contract: docs/oracle.md,
 *                         "The cmd: contract").
 *
 * Units: Å, eV, eV/Å. Structures: as_structure of lattice.h (cell rows = lattice vectors). */
#ifndef ALLOYSCOUT_ORACLE_H
#define ALLOYSCOUT_ORACLE_H

#include "alloyscout/core.h"
#include "alloyscout/lattice.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct as_oracle as_oracle;

/* Options of as_oracle_create. */
typedef struct {
    size_t jobs;          /* cmd: programs run at once by as_oracle_label_batch; default 1 */
    double timeout_s;     /* cmd, ase: wall-clock limit of one run (cmd) or one calculation
                           (ase) or one structure (lammps, meam workers), s; 0 (default): the
                           oracle's default (as_oracle_timeout_default: 48 h for cmd:, ase:gpaw
                           and ase:FILE.py, 1 h for ase:emt, 600 s lammps and meam); INFINITY:
                           none */
    size_t retries;       /* cmd: extra attempts after a failed run; default 1 */
    const char *workdir;  /* cmd: directory for the {in}/{out} files (NULL: $TMPDIR or /tmp);
                           copied */
    int keep_files;       /* cmd: 1 keeps every job's {workdir} (with its {in}, {out} and
                           stderr) after a success too; failed jobs' are always kept; default 0 */
    double skin_ang;      /* eam: neighbour-list skin, Å (list reused along one relaxation while
                           atoms move less than half of it; never from another call); default
                           0.3 */
    int nrho, nr;         /* eam (Zhou tables): grid points; default 2000 and 2000 */
    double e_atom_max_ev; /* every backend: a label with |E| / atoms above this is refused as a
                           failed label (docs/oracle.md, "Label validation"), eV/atom; default
                           50; INFINITY turns the check off; <= 0 or NaN means the default */
    double cell_tol_ang;  /* cmd: largest difference of any cell component between the input
                           and the program's output of an energy request (a relaxation may change
                           the cell), Å; default 1e-4; <= 0 or NaN: default */
    /* issue 19 */
    int accept_unconverged; /* cmd, and native FIRE at max_steps: 1 keeps an unconverged
                           relaxation (or converged=F) as a label with converged = -1; default
                           0: it is a failed label with the reason */
    size_t nprocs;          /* cmd: the value of {nprocs}; 0 (default): $SLURM_CPUS_PER_TASK when
                           set, else 1 */
    const char *oracle_version; /* text for what cannot be hashed (a module-loaded DFT binary);
                           part of the label key; NULL (default): none; copied */
    const char *timeouts;       /* per-oracle timeouts, "S", "none" or "KEY=S[,KEY=S..]" (KEY a spec
                           prefix: cmd, ase:gpaw, cmd:/opt/vasp.sh ...; the longest matching key
                           wins; as_oracle_timeout_for); NULL (default): timeout_s decides */
} as_oracle_options;

/* The default wall-clock limit of an oracle spec, s: 48 h for cmd:, ase:gpaw and ase:FILE.py,
 * 1 h for ase:emt, 600 s per structure for the lammps and meam workers, INFINITY for eam and
 * eam-analytic (computed in this process, no timeout). */
AS_API double as_oracle_timeout_default(const char *spec);
/* The timeout text (as_oracle_options.timeouts) resolved for one spec: *timeout_s receives the
 * seconds of the longest matching key ("S" alone matches every spec; "none" is INFINITY), or 0
 * when no key matches (the oracle's default then). AS_EINVAL with the text's fault. */
AS_API as_status as_oracle_timeout_for(const char *text, const char *spec, double *timeout_s);

/* Defaults of the label checks (as_oracle_options). */
#define AS_ORACLE_E_ATOM_MAX_EV 50.0
#define AS_ORACLE_CELL_TOL_ANG 1e-4

/* Check one label where it enters (every backend calls this on its result): the energy is
 * finite, |energy| / in->n <= opt->e_atom_max_ev and, when out (the structure a program
 * returned; may be NULL) is given, out has the same atom count, the same species atom by atom
 * and the same cell within opt->cell_tol_ang. AS_OK, or AS_EORACLE with the reason as the
 * message (the label is then a failed label, never training data). opt NULL: defaults. */
AS_API as_status as_oracle_check_label(const as_oracle_options *opt, const as_structure *in,
                                       const as_structure *out, double energy);

AS_API void as_oracle_options_default(as_oracle_options *opt);

/* Create an oracle from a spec string (grammar above). AS_EINVAL for a malformed spec or an
 * element Zhou 2004 does not cover, AS_EIO/AS_EPARSE for an unreadable setfl file, AS_EUNSUP
 * for "lammps:" in a build without liblammps. opt may be NULL (defaults). OUT: free with
 * as_oracle_free. */
AS_API as_status as_oracle_create(const char *spec, const as_oracle_options *opt, as_oracle **out);
AS_API void as_oracle_free(as_oracle *o);

/* Stable text naming the backend and its parameters (part of the label key), e.g.
 * "eam:zhou2004[Pt,Co,Cu] nr=2000 nrho=2000" or "eam:setfl:<path>#<fnv64 of the file>".
 * Borrowed; lives as long as o. */
AS_API const char *as_oracle_describe(const as_oracle *o);
/* 1 if the backend can treat this element (cmd and lammps: every symbol is accepted, the
 * program decides). */
AS_API int as_oracle_supports(const as_oracle *o, const char *symbol);
/* Space-separated supported elements ("Cu Ag Au ..."), or "any" for cmd/lammps. Borrowed. */
AS_API const char *as_oracle_elements(const as_oracle *o);
/* The options the oracle was created with, as resolved (timeout_s in force, timeouts NULL;
 * oracle_version a copy, NULL when empty; it is also in as_oracle_dependencies). Borrowed. */
AS_API const as_oracle_options *as_oracle_get_options(const as_oracle *o);
/* The timeout in force (s; INFINITY: none) after the options and the oracle's default. */
AS_API double as_oracle_timeout(const as_oracle *o);
/* The label-key text of the files the oracle depends on, "deps=<fnv64>[ version=TEXT]" (the
 * program or script of cmd:, files named in the spec, setfl, KIM model libraries and their
 * parameter files, the meam module; the builtin Zhou parameters for eam), "" when none.
 * Borrowed; lives as long as o. Part of as_label_method. */
AS_API const char *as_oracle_dependencies(const as_oracle *o);
/* 1 if the backend returns forces (eam, lammps, ase); 0 for cmd. */
AS_API int as_oracle_has_forces(const as_oracle *o);
/* 1 if the backend can treat structures holding all these elements at once (meam needs a
 * source for every pair; the others: as_oracle_supports for each). On 0, why (may be NULL)
 * receives the reason, e.g. "meam: no 2NN-MEAM model for the Co-Mn pair ...". */
AS_API int as_oracle_supports_system(const as_oracle *o, const char *const *elements, size_t n,
                                     char *why, size_t cap);
/* 1 if the backend can return the stress (eam and eam-analytic: the pair virial; ase: with emt,
 * gpaw in plane-wave mode, and user files, whose calculator decides). cmd: 0 (a program may
 * still write stress=, as_label_result.has_stress tells). */
AS_API int as_oracle_has_stress(const as_oracle *o);

/* Total energy (eV) of s; forces (n, 3) in eV/Å when not NULL (AS_EUNSUP for a backend
 * without forces). AS_EINVAL when s holds an element the backend does not cover (message names
 * the supported ones), AS_EORACLE when an external program fails. */
AS_API as_status as_oracle_energy(as_oracle *o, const as_structure *s, double *energy,
                                  double *forces);
/* Energy, forces (n, 3; may be NULL) and stress (6, Voigt order xx yy zz yz xz xy, eV/Å^3, ASE's
 * sign: (1/V) dE/dstrain, positive when the cell would shrink). eam and ase; AS_EUNSUP for a
 * backend or calculator without stress. */
AS_API as_status as_oracle_energy_stress(as_oracle *o, const as_structure *s, double *energy,
                                         double *forces, double *stress);
/* Per-atom energies (n), eV, summing to the total (eam and lammps; ase when the calculator has
 * them, e.g. emt; AS_EUNSUP for cmd). */
AS_API as_status as_oracle_energy_atoms(as_oracle *o, const as_structure *s, double *energy,
                                        double *e_atom, double *forces);

/* FIRE relaxation of the atoms at fixed cell (Bitzek et al., PRL 97, 170201 (2006)), in the
 * mass-free form of ASE's FIRE. */
typedef struct {
    double fmax;        /* converged when every atom's |F| < fmax, eV/Å; default 0.03 (paper) */
    size_t max_steps;   /* default 2000 */
    double dt;          /* initial time step; default 0.1 */
    double dt_max;      /* default 1.0 */
    double max_step;    /* largest move per step (norm over all atoms), Å; default 0.2 */
    size_t n_min;       /* steps before dt may grow; default 5 */
    double f_inc;       /* default 1.1 */
    double f_dec;       /* default 0.5 */
    double alpha_start; /* default 0.1 */
    double f_alpha;     /* default 0.99 */
} as_relax_options;

AS_API void as_relax_options_default(as_relax_options *opt);

typedef struct {
    double e_initial, e_final; /* eV */
    double fmax_final;         /* largest |F| at the end, eV/Å */
    size_t steps;              /* force evaluations minus one */
    int converged;             /* 1 when fmax_final < fmax */
    double rmsd;               /* sqrt(sum |dX|^2 / n), Å, minimum image */
    double rmsd_paper;         /* (1/n) sqrt(sum |dX|^2), the paper's formula, Å */
} as_relax_report;

/* Relax s in place (positions only). For cmd the program relaxes (if it does) and the positions
 * of its output replace those of s. AS_ENOCONV is NOT returned for a relaxation that reached
 * max_steps: report->converged says so. rep may be NULL. */
AS_API as_status as_oracle_relax(as_oracle *o, as_structure *s, const as_relax_options *opt,
                                 as_relax_report *rep);
/* The same with some atoms held in place: fixed (n; may be NULL = none) nonzero marks an atom
 * whose force is set to zero before every FIRE step (ASE's FixAtoms), so it does not move and
 * does not count in fmax_final / converged. AS_EUNSUP for cmd (its program relaxes). */
AS_API as_status as_oracle_relax_fixed(as_oracle *o, as_structure *s, const as_relax_options *opt,
                                       const unsigned char *fixed, as_relax_report *rep);

/* Lattice-constant optimization at fixed fractional coordinates: the cell rows are scaled by
 * (sa, sa, sc); cubic mode ties sc = sa (1-D), tetragonal mode optimizes both.
 * Methods (docs/oracle.md, "Lattice constants"):
 *   AS_CELLOPT_FIT (default): quadratic models of E fitted on stencils of energies with a Newton
 *     step each, and one energy at the result: 7 oracle calls (cubic) or 12-13 (tetragonal) from
 *     a start within about 1 % of the minimum, each stencil one batch (cmd: run at once); at
 *     most max_evals calls (AS_ENOCONV beyond). Agrees with the golden-section optimum to about
 *     2e-4 A (tests/oracle/test_cellfit.c).
 *   AS_CELLOPT_GOLDEN: golden-section searches to tolerance tol (tetragonal: alternating), a
 *     reference for the fit; thousands of calls.
 *   AS_CELLOPT_STRESS: Newton on dE/ds = 0 from the stress of each call (energy and stress in
 *     one call; the Hessian from a forward stencil of dim + 1 points, then Powell-symmetric-
 *     Broyden updates): 4-6 calls (cubic), 5-8 (tetragonal), converged to about 1e-6 in the
 *     scale factor; the last call is the result (its energy is the energy at the result). When
 *     a call brings no stress (a cmd: program that writes none) or the stresses disagree with
 *     the energies (dE against the trapezoid of the gradients, 10 % + 1e-6 eV per atom), the
 *     energy fit takes over from the start with the calls that remain (report->method FIT,
 *     report->fallback the reason).
 *   AS_CELLOPT_AUTO: STRESS when as_oracle_has_stress (eam, ase with a stress); for cmd: the
 *     energy fit's first stencil, continued on stresses when every point of it brought one
 *     (else the energy fit goes on unchanged); otherwise FIT. */
enum { AS_CELLOPT_FIT = 0, AS_CELLOPT_GOLDEN = 1, AS_CELLOPT_STRESS = 2, AS_CELLOPT_AUTO = 3 };

typedef struct {
    int tetragonal; /* 0: one scale for all rows; 1: a (rows 0, 1) and c (row 2); default 0 */
    double scale_lo, scale_hi; /* bracket of each scale factor; default 0.9 and 1.1 */
    double tol;                /* golden: bracket width at which a search stops (relative); 1e-8 */
    size_t max_rounds;         /* golden: alternations in tetragonal mode; default 30 */
    int method;                /* AS_CELLOPT_FIT (default), _GOLDEN, _STRESS or _AUTO */
    double start_a, start_c;   /* fit: starting scale factors; default 1 and 1 */
    double step;               /* fit: first stencil step (scale factor); default 0.02 (stress:
                                  the forward stencil's step in u = 1/s^2) */
    size_t max_evals;          /* fit: oracle calls allowed; default 25 */
    int energy_at_result;      /* fit: 1 (default) ends with the energy at the result (one call);
                             0 leaves it to the caller (report energy NAN) */
    double hess[3];            /* stress: a starting Hessian of E in u = 1/s^2 (d2/du2, cross,
                             d2/dv2; cubic: hess[0]) in eV, e.g. a similar cell's
                             report->hess: no stencil, one call fewer per coordinate; all 0
                             (default): from the stencil */
} as_cellopt_options;

AS_API void as_cellopt_options_default(as_cellopt_options *opt);

typedef struct {
    double scale_a, scale_c; /* factors applied */
    double a_ang, c_ang;     /* |row 0| and |row 2| after optimization */
    double energy;           /* eV at the optimum */
    size_t evaluations;      /* oracle calls */
    int at_bracket;          /* 1: no minimum inside the bracket (the result lies on its edge) */
    int method;              /* the route used: AS_CELLOPT_FIT, AS_CELLOPT_GOLDEN or
                                AS_CELLOPT_STRESS */
    char fallback[256];      /* STRESS / AUTO: why the energies took over ("" when they did not) */
    double hess[3];          /* STRESS: the final Hessian of E in u (as options.hess); 0 else */
} as_cellopt_report;

/* Optimize s's cell in place (positions follow the cell). rep may be NULL. */
AS_API as_status as_oracle_optimize_cell(as_oracle *o, as_structure *s,
                                         const as_cellopt_options *opt, as_cellopt_report *rep);

/* RMSD between two structures with the same atoms, minimum image in a's cell: rms =
 * sqrt(sum |dX|^2 / n) and paper = (1/n) sqrt(sum |dX|^2) (seed 004, Methods). Either OUT may
 * be NULL. AS_EDIM when the atom counts differ. */
AS_API as_status as_rmsd(const as_structure *a, const as_structure *b, double *rms, double *paper);

/* One label (the result for one structure). */
typedef struct {
    as_status status;        /* AS_OK, or why it failed */
    double energy;           /* eV, NAN on failure */
    double rmsd, rmsd_paper; /* relaxation RMSD, Å; 0 when not relaxed */
    double fmax;             /* largest |F| at the end (NAN when unknown) */
    size_t steps;            /* relaxation steps (0 when not relaxed or unknown) */
    int relaxed;             /* 1 when positions were relaxed */
    size_t attempts;         /* runs used (cmd) */
    char error[512];         /* failure message (for cmd: the reason and the tail of stderr) */
    /* issue 19 */
    int converged;     /* 1 converged on evidence (cmd: fmax <= --fmax or converged=T; native
                          FIRE: fmax < fmax); -1 not converged (cmd: a failed label unless
                          accept_unconverged); 0 no verdict (an energy request without
                          converged=T|F; also what a zeroed struct says) */
    int has_stress;    /* 1 when stress holds the program's stress */
    double stress[6];  /* Voigt xx yy zz yz xz xy, eV/Å^3, ASE's sign */
    char workdir[512]; /* cmd: the job's {workdir} when kept (failure, keep_files), else "" */
} as_label_result;

/* Status of a label whose run exceeded the timeout: AS_ETIMEOUT (core.h); the reason names the
 * limit. */

/* Label n structures: energy (relax = 0) or relaxation then energy (relax = 1, relax options
 * opt, NULL = defaults). For cmd, up to options.jobs programs run at once; a run that crashes,
 * hangs past the timeout, exits non-zero or writes an unreadable output is retried
 * options.retries times, then recorded as failed in results[i] while the others go on.
 * relaxed[i] (array may be NULL; entries may be NULL) receives a new structure with the final
 * positions (free with as_structure_free). Returns AS_OK when the batch ran, even if some
 * structures failed; results (n) tell each outcome. */
AS_API as_status as_oracle_label_batch(as_oracle *o, const as_structure *const *s, size_t n,
                                       int relax, const as_relax_options *opt,
                                       as_label_result *results, as_structure **relaxed);

/* Write the assembled 2NN-MEAM model of these elements (the meam oracle's files) into dir:
 * library.meam, param.meam and elems.meam (the element order of the parameter file). pair_coeff
 * (may be NULL) receives the arguments for LAMMPS's pair_style meam, "* * DIR/library.meam
 * E1 E2 .. DIR/param.meam El1 El2 ..", the last list in the order given (type 1 = elements[0]).
 * AS_EINVAL names a pair without a source; AS_EIO when openkim-models is missing. */
AS_API as_status as_meam_write(const char *const *elements, size_t n, const char *dir,
                               char *pair_coeff, size_t cap);

/* Write a LAMMPS eam/alloy (setfl) file tabulating the Zhou 2004 functions for these elements
 * with LAMMPS's generator conventions (nrho = nr = 2000 when 0 is given). AS_EINVAL for an
 * element not in the table. */
AS_API as_status as_eam_write_setfl(const char *const *elements, size_t n_el, int nrho, int nr,
                                    const char *path);

/* ---- the store: one SQLite file, one connection, one format version ----
 * The labels of this area (table label_result) and the records of a campaign (campaign_meta,
 * campaign_record; see campaign.h) live in one file. The file carries its format (SQLite's
 * application_id marks an alloyscout store, user_version = AS_STORE_FORMAT); docs/campaign.md
 * lists the tables. Format 2 changed the screen's random streams (issue 11), not the labels;
 * format 3 and later only add tables and columns, and a format-2 file is upgraded on open. */
#define AS_STORE_FORMAT 3

typedef struct as_store as_store;
/* The store's former name; src/oracle/oracle.c still spells it so (issue 11). */
typedef as_store as_label_store;

/* Open (creating if needed) the store in an SQLite file: WAL journal, synchronous=NORMAL, every
 * write its own committed transaction. A new or empty file gets the tables of the current
 * format; a format-1 file holding only labels is stamped with the current format (labels kept).
 * AS_EDB when the file cannot be opened or is not SQLite, and when it is another program's
 * SQLite file, a store of another format, or a format-1 campaign: the message says which and
 * what to do. OUT: close with as_store_close. */
AS_API as_status as_store_open(const char *path, as_store **out);
AS_API void as_store_close(as_store *st);
/* The path given to as_store_open. Borrowed; lives as long as st. */
AS_API const char *as_store_path(const as_store *st);

/* The file's key/value settings (table campaign_meta). *value: a new string (as_free) or NULL
 * when the key is absent. */
AS_API as_status as_store_meta_get(as_store *st, const char *key, char **value);
AS_API as_status as_store_meta_set(as_store *st, const char *key, const char *value);
/* Insert or replace a record (table campaign_record): JSON text of a system's round (0-based)
 * or of its result (round = (size_t)-1). */
AS_API as_status as_store_record_put(as_store *st, const char *system, size_t round,
                                     const char *json);
/* Number of records put. */
AS_API as_status as_store_record_count(as_store *st, size_t *count);
/* The (system, round) of every record, ordered by system then round (-1, the result, first): a
 * new array (as_free). For `alloyscout campaign status`. */
typedef struct {
    char system[64];
    long round;
} as_store_record_id;
AS_API as_status as_store_record_ids(as_store *st, as_store_record_id **out, size_t *n);

/* ---- cluster jobs in the store (table job; issue 15) ----
 * The latest state of each label key's batch job, written by the executor area's store journal
 * (executor.h: as_store_journal_write) and read by `alloyscout campaign status`. */
#define AS_JOB_ROUND_SETUP (-1L)  /* a campaign's setup (starting structures, ordered cell) */
#define AS_JOB_ROUND_FINISH (-2L) /* a campaign's finish (--validate labels) */
#define AS_JOB_ROUND_NONE (-3L)   /* not part of a campaign (`energy`) */
typedef struct {
    uint64_t key;                    /* as_label_key */
    char system[64];                 /* "Pt2CoCu", or the input file of `energy` */
    long round;                      /* 0-based round, or AS_JOB_ROUND_* */
    char job_id[48], job_name[64];   /* Slurm "ARRAY_TASK" id ("" unknown) and array name */
    char dir[128];                   /* the task's directory under the work directory */
    char state[16];                  /* as_job_state_name (executor.h) */
    size_t attempts;                 /* 1 for the first submission */
    char reason[256];                /* why the current state ("" when none) */
    char failures[1024];             /* read only: "attempt N: REASON" lines, every failure */
    char submitted[24], updated[24]; /* read only: UTC "YYYY-MM-DD HH:MM:SS" */
} as_store_job;
/* Insert or replace the row of j->key (key, system, round, job_id, job_name, dir, state,
 * attempts, reason; a state "failed" appends "attempt N: reason" to failures) in its own
 * committed transaction. AS_EDB. */
AS_API as_status as_store_job_put(as_store *st, const as_store_job *j);
/* Every row, ordered by system, round, submission time and job id: a new array (as_free).
 * AS_EDB, AS_ENOMEM. */
AS_API as_status as_store_jobs(as_store *st, as_store_job **out, size_t *n);

/* ---- labels in the store ---- */
/* as_hash64 (FNV-1a) over the canonical text of a structure (cell, species symbols, positions,
 * each rounded to 1e-6 Å) followed by the method text. Stable across runs and machines. */
AS_API uint64_t as_label_key(const as_structure *s, const char *method);
/* Method text for a label: as_oracle_describe(o), then " " and as_oracle_dependencies(o) when
 * not empty, plus " relax fmax=F" when relaxing. Written into buf (size cap, truncated). */
AS_API void as_label_method(const as_oracle *o, int relax, const as_relax_options *opt, char *buf,
                            size_t cap);
/* Look up a label. *found = 1 and *out filled when present (failed labels are stored too,
 * with out->status != AS_OK). relaxed (may be NULL) receives the stored final positions
 * (n, 3) when present. Every row is checked as it is read back (docs/oracle.md, "Rows read
 * back from the store"): a value of the wrong type (an energy stored as text), a non-finite
 * number, an ok label without an energy (n > 0) or outside the energy window
 * (as_store_set_e_atom_max), an atom count other than n (n > 0), or a relaxed label whose
 * positions blob is missing, of the wrong length or not finite (relaxed != NULL) is logged
 * (AS_LOG_WARN, naming the file, key, method and what is wrong) and reported as not found, so
 * the caller computes it again and replaces the row. */
AS_API as_status as_label_store_get(as_store *st, uint64_t key, as_label_result *out,
                                    double *relaxed_pos, size_t n, int *found);
/* Insert or replace a label in its own committed transaction. relaxed_pos (n, 3) may be NULL. */
AS_API as_status as_label_store_put(as_store *st, uint64_t key, const char *method,
                                    const as_structure *s, const as_label_result *r,
                                    const double *relaxed_pos);
/* The same with the final structure of the label (may be NULL): its positions (stored when
 * r->relaxed), cell, forces (when present) and info pairs (stored as the JSON object "metadata"),
 * plus r's converged, stress and workdir. as_label_store_put is this with a structure holding
 * relaxed_pos. */
AS_API as_status as_label_store_put_final(as_store *st, uint64_t key, const char *method,
                                          const as_structure *s, const as_label_result *r,
                                          const as_structure *final);
/* Read back what as_label_store_put_final stored: into final (n atoms, as s of the label) the
 * positions (when stored), the cell (when stored) and the forces (allocated when stored);
 * *metadata (may be NULL) a new JSON string (as_free) or NULL. *found = 0 when the key is
 * absent. */
AS_API as_status as_label_store_get_final(as_store *st, uint64_t key, as_structure *final,
                                          char **metadata, int *found);
/* Number of labels stored. */
AS_API as_status as_label_store_count(as_store *st, size_t *count);
/* Where a stored label came from when no oracle computed it (column label_result.source, e.g.
 * "dft.extxyz:frame 3" for screen --labels): set on the row of key (AS_EINVAL when there is
 * none), and read (*source: a new string (as_free), NULL when the row has none or is absent). */
AS_API as_status as_label_store_set_source(as_store *st, uint64_t key, const char *source);
AS_API as_status as_label_store_get_source(as_store *st, uint64_t key, char **source);
/* The window of the read-back check: an ok row with |E| / atoms above e_atom_max_ev is
 * unusable (default AS_ORACLE_E_ATOM_MAX_EV; <= 0 or NaN: the default; INFINITY: off). Use the
 * oracle's as_oracle_options.e_atom_max_ev, so what the oracle accepts is read back. */
AS_API void as_store_set_e_atom_max(as_store *st, double e_atom_max_ev);
/* Rows found unusable by as_label_store_get on this connection so far. */
AS_API size_t as_store_corrupt_count(const as_store *st);

/* Label with a store: structures whose key is already stored are not computed again; each
 * new label is committed as soon as it is known, so a run killed at any point keeps every
 * finished label. *n_computed (may be NULL) counts the structures that were computed. */
AS_API as_status as_oracle_label_stored(as_oracle *o, as_store *st, const as_structure *const *s,
                                        size_t n, int relax, const as_relax_options *opt,
                                        as_label_result *results, as_structure **relaxed,
                                        size_t *n_computed);

#ifdef __cplusplus
}
#endif
#endif
