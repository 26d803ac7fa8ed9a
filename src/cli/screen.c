/* alloyscout screen: workflow B end to end (seed 004), resumable through its store file. The
 * campaign (include/alloyscout/campaign.h) decides everything; this file parses the arguments,
 * loops over the campaign's steps for the progress display, and prints the table and report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/campaign.h"
#include "alloyscout/interrupt.h"
#include "alloyscout/report.h"
#include "cli.h"
#include "opt.h"
#include "progress.h"

static const char *screen_help =
    "usage: alloyscout screen --candidates M1,M2,... --db CAMPAIGN.sqlite [options]\n"
    "\n"
    "Ordering screen of A2BM intermetallics (seed 004's Pt2CoM screen, for any host pair A,B):\n"
    "for the host pair and each candidate M, optimize the lattice constants, label the paper's 22\n"
    "starting structures (relaxed), learn the energy from SRO fingerprints (z-score, PCA, GPR) by\n"
    "active learning aimed at the ordering energy, then predict ordered, random and across-alpha\n"
    "configurations and rank the candidates by ordering energy <E_random> - <E_ordered>.\n"
    "\n"
    "  --host A,B            host pair, any two elements (default Pt,Co)\n"
    "  --prototype P         the host's arrangement (docs/campaign.md):\n"
    "                        l10 (default): L1_0 AB; with M the A2BM cell, M on half the B\n"
    "                          sublattice (the paper's Pt2CoM)\n"
    "                        l12: L1_2 A3B (B on the cube corners); M substitutes on the B\n"
    "                          sublattice (half of it unless --composition says otherwise)\n"
    "                        fcc: the fcc solid solution at --composition; 'ordered' is the\n"
    "                          most A-(rest)-ordered arrangement Monte Carlo finds there\n"
    "  --composition F       atomic fractions for l12 / fcc, M standing for the candidate:\n"
    "                        Ag0.7Pd0.3, Cu0.45Ni0.45M0.1 (the host pair alone uses the host\n"
    "                        shares renormalized; default: the prototype's own, fcc equal)\n"
    "  --labels FILE.extxyz  labelled structures (energy= in eV in each comment line, from any\n"
    "                        source, e.g. DFT) that replace the starting structures of the\n"
    "                        systems they match by species; they must lie on that system's\n"
    "                        lattice and composition; the store records FILE:frame N as each\n"
    "                        one's source, and the oracle labels only the ordered reference and\n"
    "                        what active learning asks for\n"
    "  --candidates LIST     third elements M, comma-separated, or 'paper' for the paper's 16\n"
    "                        (Na Mg Sc Ti Mn Fe Ni Cu Ga Ge In Sn Sb Te Pb Bi) (required)\n"
    "  --oracle LIST         energy oracle, or a comma-separated list (e.g. meam,eam): each\n"
    "                        system gets the first that covers its elements, later ones are\n"
    "                        flagged fallbacks (default meam,eam: the alloy-fitted 2NN-MEAM\n"
    "                        where it covers the system, else the Zhou 2004 EAM tabulated for\n"
    "                        its elements; plain eam when meam is unavailable (no LAMMPS or\n"
    "                        openkim-models); see 'alloyscout energy --help')\n"
    "  --lattice [CELL=]A[,C] lattice constants given instead of fitted (repeatable): CELL is a\n"
    "                        system's ordered cell (PtCo, Pt2CoCu; l12 Cu3Au, Cu3Au+Pd; fcc\n"
    "                        CuNi, CuNi+Pd) or, for l10, an L1_0 reference AM (PtCu); without\n"
    "                        CELL=, the host pair's cell\n"
    "  --cell-fit R          how the lattice constants are fitted: auto (default: from the\n"
    "                        stress where the oracle gives it -- eam, ase:emt, ase:gpaw in PW\n"
    "                        mode, a cmd: program that writes stress= -- in 5-12 oracle calls\n"
    "                        per cell, else from energies), energy (quadratic fits of E: 7-25\n"
    "                        calls per cell) or stress (energies only as a fallback); at most\n"
    "                        25 calls per cell (docs/oracle.md, \"Lattice constants\")\n"
    "  --db FILE             SQLite file for labels and campaign records (required)\n"
    "  --resume              continue the campaign in --db after an interruption, or grow it:\n"
    "                        more candidates or other --rounds (and other options that do not\n"
    "                        change the labels) reuse every finished label; another --host,\n"
    "                        --oracle, --lattice, --seed, --size, --fmax or --rmsd-max is\n"
    "                        refused, naming the option and both values\n"
    "  --json FILE           results as JSON\n"
    "  --report DIR          figures (SVG + PNG) and DIR/index.html: per system the predicted\n"
    "                        energies of ordered vs random configurations, energy vs SRO, the\n"
    "                        learning curve and a parity plot; the ranking with error "
    "bars\n" CLI_FIGURE_HELP "  --seed N              random seed (default 0)\n"
    "  --rounds N (7)  --chains N (20)  --steps N (60)  --per-round N (10)\n"
    "  --size N (3: 108 atoms)  --restarts N (50)  --pca F (0.99)  --test-fraction F (0.2)\n"
    "  --n-ordered N (300)  --n-random N (300)  --n-across N (3800)\n"
    "  --validate N          label N unseen configurations for the true MAE and the direct\n"
    "                        oracle ordering energy (default 0: off)\n"
    "  --no-random-baseline  skip the random-selection learning curve\n"
    "  --acquire RULE        how a round picks its labels: qoi (default: a greedy batch\n"
    "                        minimising the GP variance of the ordering energy), sigma (the\n"
    "                        paper: Monte Carlo towards high predicted sigma), random (random\n"
    "                        alpha levels)\n"
    "  --target-ci E         stop a system once the 95 % interval of its ordering energy is\n"
    "                        within +-E eV/atom (default 0: run every round)\n"
    "  --threads N           threads of the GP fits (default: all cores; same results)\n"
    "  --no-gp-noise         no fitted white-noise term in the GP (the paper's plain kernel;\n"
    "                        the default fits one: relaxed energies carry the force tolerance)\n"
    "  --fmax F (0.03 eV/A)  --rmsd-max F (0.35 A)  -j N, --retries N (cmd oracle)\n"
    "  --timeout T           S, none, or per oracle of the list KEY=S,.. (KEY a spec prefix:\n"
    "                        cmd=172800,ase:gpaw=86400; default the oracle's, 48 h for cmd:)\n"
    "  --accept-unconverged  --keep-workdirs  --scratch DIR  --nprocs N  --oracle-version T\n"
    "                        cmd: oracle runs as in 'alloyscout energy --help'\n"
    "  --executor local|slurm  where the relaxed labels run (default local: this process,\n"
    "                        -j N cmd: programs); slurm: each labelling batch (the starting\n"
    "                        structures, every round's picks, its random-baseline picks) is one\n"
    "                        Slurm job array of 'alloyscout label' jobs (docs/cluster.md); the\n"
    "                        job ids and states go to the --db store ('alloyscout campaign\n"
    "                        status'); --resume re-attaches to jobs still queued or running.\n"
    "                        Lattice-constant fits stay in this process. Same results\n"
    "  --workdir DIR         slurm: scratch and result files, on a filesystem the nodes see\n"
    "                        (default: DB.jobs next to the --db file)\n"
    "  --slurm-opts 'OPTS'   slurm: sbatch options (-p, --time, -A ...), split on spaces\n"
    "  --job-template FILE   slurm: job script with {cmd} (and {jobname} {workdir} {ntasks}\n"
    "                        {time} {oracle}) for module loads and environment\n"
    "  --retries N           with slurm also: resubmissions of a failed, timed-out,\n"
    "                        preempted or node-failed job (default 2; the reasons are stored)\n"
    "  --poll-max S          slurm: longest wait between two squeue polls (default 30)\n"
    "  --e-atom-max EV (50)  label check: |E| / atom above EV is a failed label, and a stored\n"
    "                        row above it is computed again; --cell-tol ANG (1e-4): cmd output\n"
    "                        cell within ANG of the input's\n"
    "  --orr                 after the ranking, the ORR stage (docs/orr.md) for the host pair and\n"
    "                        every ranked candidate on the lattice constants the screen found\n"
    "                        (no new cell fit): a Pt-shell (111) slab on the L1_0 AB / A2BM\n"
    "                        core, O* and OH* on fcc/hcp/top, dG_OH, dG_O and the limiting\n"
    "                        potential U_L (a second table, \"orr\" per system in --json, the\n"
    "                        volcano in --report); l10 only. Finished slabs are kept in --db:\n"
    "                        --resume with the same ORR settings relaxes nothing again\n"
    "  --orr-oracle SPEC     its oracle, with forces and covering O and H (ase:emt, ase:gpaw,\n"
    "                        ase:FILE.py; default the screen's --oracle when it does; eam and\n"
    "                        meam do not); a system it does not cover gets the reason\n"
    "  --orr-reference       also the shell element's own (111) face (Pt(111); its lattice\n"
    "                        constant fitted with the ORR oracle): the volcano's reference\n"
    "  --orr-layers N (4)  --orr-shell-layers N (1)  --orr-fixed N (2)  --orr-size AxB (2x2)\n"
    "  --orr-vacuum A (10)  --orr-fmax F (0.03)  --orr-paper-refs: as 'alloyscout orr' --layers\n"
    "                        ... --paper-refs (any of them implies --orr)\n"
    "  --quiet               no progress display and no info messages\n"
    "  --strict              exit 3 when a requested candidate is not ranked or skipped\n"
    "\n"
    "Every requested candidate has a row in the table and an entry in the JSON \"candidates\"\n"
    "(status ranked, flagged, not ranked or skipped, with the reason); the last line counts\n"
    "them. Exit status: 0 when the screen ran (even if candidates were skipped; a warning says\n"
    "so), 1 on an error, 2 on a usage error, 3 with --strict when a candidate was not ranked.\n"
    "\n"
    "The EAM oracle (Zhou 2004) is fitted to pure metals with a mixing rule for the cross terms:\n"
    "it gets the sign of the PtCo ordering energy but not the DFT trend across M; the 2NN-MEAM\n"
    "(meam) is fitted to the Pt-M and Co-M alloys it covers; ase:gpaw is DFT-PBE. Every report\n"
    "names the oracle of each system and what it is good for.\n";

#define MAX_CAND CLI_LIST_MAX
#define DEFAULT_ORACLE "meam,eam"
#define TRY(expr)                \
    do {                         \
        as_status try_ = (expr); \
        if (try_ != AS_OK)       \
            return try_;         \
    } while (0)

typedef struct {
    as_campaign_options co;
    as_executor_options eo; /* --executor (issue 15) */
    const char *json, *report, *format;
    size_t dpi;
    char cand[MAX_CAND][AS_SYMBOL_MAX];
    const char *cand_ptr[MAX_CAND];
    const char *cand_text;
    size_t n_cand;
    as_campaign_lattice lat[MAX_CAND];
    size_t n_lat;
    const char *composition;
    int quiet, strict;
    /* --orr: the ORR stage after the ranking */
    int orr, orr_ref;
    const char *orr_oracle, *orr_size;
    as_orr_slab_options orr_opt;
    int argc; /* the command line as given (argv[0] = "screen"), for the report */
    char **argv;
} screen_args;

/* v made +0 when it prints as zero with d decimals, so that no table shows "-0.00000". */
static double nz(double v, int d)
{
    char b[512];
    if (!isfinite(v))
        return v;
    snprintf(b, sizeof b, "%.*f", d, v);
    return b[0] == '-' && strspn(b + 1, "0.") == strlen(b + 1) ? 0.0 : v + 0.0;
}

/* Split "A,B,..." into at most cap symbols of out; a usage error for an empty item. */
static int split_symbols(const char *text, char (*out)[AS_SYMBOL_MAX], size_t cap, size_t *n,
                         const char *opt)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || len >= AS_SYMBOL_MAX || *n == cap)
            return cli_usage("screen", "%s: '%s' is not a comma-separated list of symbols", opt,
                             text);
        memcpy(out[*n], p, len);
        out[*n][len] = '\0';
        (*n)++;
        p = e ? e + 1 : p + len;
    }
    return *n ? 0 : cli_usage("screen", "%s is empty", opt);
}

static int parse_host(const char *cmd, const char *opt, const char *arg, void *dest)
{
    as_screen_options *so = dest;
    char h[4][AS_SYMBOL_MAX];
    size_t n;
    (void)cmd;
    int rc = split_symbols(arg, h, 4, &n, opt);
    if (rc)
        return rc;
    if (n != 2)
        return cli_usage("screen", "--host needs two elements, e.g. Pt,Co");
    memcpy(so->host, h, sizeof so->host);
    return 0;
}

static int parse_candidates(const char *cmd, const char *opt, const char *arg, void *dest)
{
    screen_args *a = dest;
    (void)cmd;
    a->cand_text = arg;
    if (!strcmp(arg, "paper")) {
        size_t n;
        const char *const *pool = as_campaign_paper_candidates(&n);
        for (a->n_cand = 0; a->n_cand < n && a->n_cand < MAX_CAND; a->n_cand++)
            snprintf(a->cand[a->n_cand], AS_SYMBOL_MAX, "%s", pool[a->n_cand]);
        return 0;
    }
    return split_symbols(arg, a->cand, MAX_CAND, &a->n_cand, opt);
}

/* --lattice [CELL=]A[,C] */
static int parse_lattice(const char *cmd, const char *opt, const char *arg, void *dest)
{
    screen_args *a = dest;
    (void)cmd;
    if (a->n_lat == MAX_CAND)
        return cli_usage("screen", "%s: at most %d cells", opt, MAX_CAND);
    as_campaign_lattice *L = &a->lat[a->n_lat];
    memset(L, 0, sizeof *L);
    const char *eq = strchr(arg, '='), *num = eq ? eq + 1 : arg;
    if (eq) {
        size_t len = (size_t)(eq - arg);
        if (len == 0 || len >= sizeof L->cell)
            return cli_usage("screen", "%s: '%s': expected CELL=A[,C]", opt, arg);
        memcpy(L->cell, arg, len);
    } /* else the host pair's cell, named once --host is known */
    char *end;
    L->a = strtod(num, &end);
    if (end != num && *end == ',') {
        const char *cs = end + 1;
        L->c = strtod(cs, &end);
        if (end == cs)
            end = (char *)cs - 1;
    }
    if (end == num || *end || !(L->a > 0) || L->c < 0)
        return cli_usage("screen", "%s: '%s': expected [CELL=]A[,C] with A, C > 0 (A)", opt, arg);
    a->n_lat++;
    return 0;
}

CLI_OPT_PARSER(parse_prototype, as_screen_proto_parse)
CLI_OPT_PARSER(parse_acquire, as_acquire_parse)

/* --cell-fit energy|stress|auto */
static int parse_cell_fit(const char *cmd, const char *opt, const char *arg, void *dest)
{
    int *m = dest;
    if (!strcmp(arg, "energy"))
        *m = AS_CELLOPT_FIT;
    else if (!strcmp(arg, "stress"))
        *m = AS_CELLOPT_STRESS;
    else if (!strcmp(arg, "auto"))
        *m = AS_CELLOPT_AUTO;
    else
        return cli_usage(cmd, "%s: '%s' is not one of energy, stress, auto", opt, arg);
    return 0;
}

static int parse(int argc, char **argv, screen_args *a)
{
    memset(a, 0, sizeof *a);
    a->co = as_campaign_options_default();
    a->co.oracle = NULL; /* the CLI's default is decided below */
    a->argc = argc;
    a->argv = argv;
    as_screen_options *so = &a->co.screen;
    as_oracle_options *oo = &a->co.oracle_options;
    int no_random = 0, no_noise = 0, retries_seen = 0, orr_seen = 0;
    as_orr_slab_options_default(&a->orr_opt);
    as_orr_slab_options *ro = &a->orr_opt;
    const cli_opt opts[] = {
        {"host", 0, CLI_CALL, so, 0, parse_host, NULL},
        {"prototype", 0, CLI_CALL, &so->prototype, 0, parse_prototype, NULL},
        {"composition", 0, CLI_STR, &a->composition, 0, NULL, NULL},
        {"labels", 0, CLI_STR, &a->co.labels, 0, NULL, NULL},
        {"candidates", 0, CLI_CALL, a, 0, parse_candidates, NULL},
        {"lattice", 0, CLI_CALL, a, 0, parse_lattice, NULL},
        {"cell-fit", 0, CLI_CALL, &so->cell_fit, 0, parse_cell_fit, NULL},
        {"oracle", 0, CLI_STR, &a->co.oracle, 0, NULL, NULL},
        {"db", 0, CLI_STR, &a->co.db, 0, NULL, NULL},
        {"resume", 0, CLI_FLAG, &a->co.resume, 0, NULL, NULL},
        {"json", 0, CLI_STR, &a->json, 0, NULL, NULL},
        {"report", 0, CLI_STR, &a->report, 0, NULL, NULL},
        {"format", 0, CLI_STR, &a->format, 0, NULL, NULL},
        {"dpi", 0, CLI_SIZE, &a->dpi, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &so->seed, 0, NULL, NULL},
        {"rounds", 0, CLI_SIZE, &so->rounds, 0, NULL, NULL},
        {"chains", 0, CLI_SIZE, &so->chains, 0, NULL, NULL},
        {"steps", 0, CLI_SIZE, &so->chain_steps, 0, NULL, NULL},
        {"per-round", 0, CLI_SIZE, &so->per_round, 0, NULL, NULL},
        {"size", 0, CLI_SIZE, &so->size, 0, NULL, NULL},
        {"restarts", 0, CLI_SIZE, &so->gp_restarts, 0, NULL, NULL},
        {"pca", 0, CLI_DOUBLE, &so->pca_fraction, 0, NULL, NULL},
        {"test-fraction", 0, CLI_DOUBLE, &so->test_fraction, 0, NULL, NULL},
        {"n-ordered", 0, CLI_SIZE, &so->n_ordered, 0, NULL, NULL},
        {"n-random", 0, CLI_SIZE, &so->n_random, 0, NULL, NULL},
        {"n-across", 0, CLI_SIZE, &so->n_across, 0, NULL, NULL},
        {"validate", 0, CLI_SIZE, &so->validate, 0, NULL, NULL},
        {"no-random-baseline", 0, CLI_FLAG, &no_random, 0, NULL, NULL},
        {"no-gp-noise", 0, CLI_FLAG, &no_noise, 0, NULL, NULL},
        {"acquire", 0, CLI_CALL, &so->acquire, 0, parse_acquire, NULL},
        {"target-ci", 0, CLI_DOUBLE, &so->target_ci, 0, NULL, NULL},
        {"threads", 0, CLI_SIZE, &so->threads, 0, NULL, NULL},
        {"fmax", 0, CLI_DOUBLE, &so->fmax, 0, NULL, NULL},
        {"rmsd-max", 0, CLI_DOUBLE, &so->rmsd_max, 0, NULL, NULL},
        {"jobs", 'j', CLI_SIZE, &oo->jobs, 0, NULL, NULL},
        {"timeout", 0, CLI_STR, &oo->timeouts, 0, NULL, NULL},
        {"retries", 0, CLI_SIZE, &oo->retries, 0, NULL, &retries_seen},
        CLI_ORACLE_RUN_OPTS(oo),
        {"quiet", 0, CLI_FLAG, &a->quiet, 0, NULL, NULL},
        /* executor (issue 15) */
        {"executor", 0, CLI_STR, &a->eo.backend, 0, NULL, NULL},
        {"workdir", 0, CLI_STR, &a->eo.workdir, 0, NULL, NULL},
        {"slurm-opts", 0, CLI_STR, &a->eo.slurm_opts, 0, NULL, NULL},
        {"job-template", 0, CLI_STR, &a->eo.job_template, 0, NULL, NULL},
        {"poll-max", 0, CLI_DOUBLE, &a->eo.poll_max_s, 0, NULL, NULL},
        {"strict", 0, CLI_FLAG, &a->strict, 0, NULL, NULL},
        /* the ORR stage */
        {"orr", 0, CLI_FLAG, &a->orr, 0, NULL, NULL},
        {"orr-oracle", 0, CLI_STR, &a->orr_oracle, 0, NULL, &orr_seen},
        {"orr-reference", 0, CLI_FLAG, &a->orr_ref, 0, NULL, &orr_seen},
        {"orr-layers", 0, CLI_SIZE, &ro->layers, 0, NULL, &orr_seen},
        {"orr-shell-layers", 0, CLI_SIZE, &ro->shell_layers, 0, NULL, &orr_seen},
        {"orr-fixed", 0, CLI_SIZE, &ro->fixed_layers, 0, NULL, &orr_seen},
        {"orr-size", 0, CLI_STR, &a->orr_size, 0, NULL, &orr_seen},
        {"orr-vacuum", 0, CLI_DOUBLE, &ro->vacuum_ang, 0, NULL, &orr_seen},
        {"orr-fmax", 0, CLI_DOUBLE, &ro->relax.fmax, 0, NULL, &orr_seen},
        {"orr-paper-refs", 0, CLI_FLAG, &ro->paper_refs, 0, NULL, &orr_seen},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    a->eo = as_executor_options_default();
    int rc = cli_parse("screen", screen_help, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    if (!(oo->e_atom_max_ev > 0) || !(oo->cell_tol_ang > 0))
        return cli_usage("screen", "--e-atom-max and --cell-tol must be > 0");
    a->orr |= orr_seen;
    if (a->orr_size &&
        (rc = cli_parse_orr_size("screen", "--orr-size", a->orr_size, &ro->size_a, &ro->size_b)))
        return rc;
    if (a->orr && !(ro->relax.fmax > 0))
        return cli_usage("screen", "--orr-fmax must be > 0");
    if (a->orr && so->prototype != AS_SCREEN_L10)
        return cli_usage("screen",
                         "--orr needs --prototype l10 (the Pt-shell slab on the L1_0 / "
                         "A2BM core), not %s",
                         as_screen_proto_name(so->prototype));
    if (strcmp(a->eo.backend, "local") && strcmp(a->eo.backend, "slurm"))
        return cli_usage("screen", "--executor must be local or slurm, not '%s'", a->eo.backend);
    if (!(a->eo.poll_max_s > 0))
        return cli_usage("screen", "--poll-max must be > 0");
    if (a->eo.poll_min_s > a->eo.poll_max_s)
        a->eo.poll_min_s = a->eo.poll_max_s;
    if (retries_seen) /* as in energy: --retries also counts the jobs' resubmissions */
        a->eo.retries = oo->retries;
    a->co.executor = &a->eo;
    if ((rc = cli_figure_output("screen", a->format, a->dpi, a->report)) != 0)
        return rc;
    if (!a->co.oracle || !strcmp(a->co.oracle, DEFAULT_ORACLE)) {
        /* the default: meam where it covers a system, when this build can run it */
        as_oracle *t = NULL;
        if (as_oracle_create("meam", NULL, &t) == AS_OK)
            a->co.oracle = DEFAULT_ORACLE;
        else
            a->co.oracle = "eam";
        as_oracle_free(t);
    }
    if (a->composition &&
        as_screen_composition_parse(a->composition, (const char(*)[AS_SYMBOL_MAX])so->host,
                                    so->composition) != AS_OK)
        return cli_usage("screen", "%s", as_errmsg());
    if (no_random)
        so->random_baseline = 0;
    if (no_noise)
        so->gp_noise = 0;
    if (!a->n_cand)
        return cli_usage("screen", "--candidates M1,M2,... is required");
    if (!a->co.db)
        return cli_usage("screen", "--db FILE is required (it keeps every label)");
    for (size_t i = 0; i < a->n_cand; i++)
        a->cand_ptr[i] = a->cand[i];
    a->co.candidates = a->cand_ptr;
    a->co.n_candidates = a->n_cand;
    for (size_t i = 0; i < a->n_lat; i++)
        if (!a->lat[i].cell[0])
            as_screen_system_name(so, NULL, a->lat[i].cell, sizeof a->lat[i].cell);
    a->co.lattice = a->lat;
    a->co.n_lattice = a->n_lat;
    double tcheck;
    if (as_oracle_timeout_for(oo->timeouts, a->co.oracle, &tcheck) != AS_OK)
        return cli_usage("screen", "%s", as_errmsg());
    if (as_campaign_options_check(&a->co) != AS_OK)
        return cli_usage("screen", "%s", as_errmsg());
    return 0;
}

/* ---------------------------------- --report DIR ---------------------------------- */

/* The page follows paper 004: figures 2a-c per system and for the ranking, plus the learning
 * curve and a parity plot. Table cells are formatted into fixed buffers of REPORT_CELL bytes. */
#define REPORT_CELL 48
#define RANK_COLS 10
#define MAE_TARGET_MEV 10.0 /* the paper's accuracy target, drawn on the learning curve */

/* One row of the ranking table, the same columns as the printed table. */
static void rank_row(char (*cell)[REPORT_CELL], const char *rank, const as_screen_result *r)
{
    const double v[8] = {r->a_ang,         r->c_ang,     r->e_order_ev_atom, r->e_order_se,
                         r->e_seg_ev_atom, r->final_mae, r->corr_alpha_ptx,  r->rmsd_mean};
    static const char *fmt[8] = {"%.4f", "%.4f", "%.5f", "%.5f", "%.5f", "%.5f", "%.3f", "%.4f"};
    snprintf(cell[0], REPORT_CELL, "%s", rank);
    snprintf(cell[1], REPORT_CELL, "%s%s", r->name, r->note[0] ? " (!)" : "");
    static const int dec[8] = {4, 4, 5, 5, 5, 5, 3, 4};
    for (int k = 0; k < 8; k++)
        snprintf(cell[2 + k], REPORT_CELL, fmt[k], nz(v[k], dec[k]));
}

/* The ranking as a table (PtCo reference first) and as bars with the PtCo reference line. */
static as_status report_ranking(as_report *rep, as_campaign *c, const as_screen_options *so,
                                const as_screen_result *ref, const as_screen_result *const *ranked,
                                size_t n_ranked)
{
    static const char *hdr[RANK_COLS] = {
        "rank", "system",          "a (Å)",         "c (Å)", "E_order (eV/atom)",
        "±",    "E_seg (eV/atom)", "MAE (eV/atom)", "r(α)",  "RMSD (Å)"};
    char cell[(MAX_CAND + 1) * RANK_COLS][REPORT_CELL];
    const char *cp[(MAX_CAND + 1) * RANK_COLS];
    const char *names[MAX_CAND];
    double e[MAX_CAND], se[MAX_CAND];
    size_t rows = 0;
    if (ref->stable)
        rank_row(&cell[rows++ * RANK_COLS], "ref", ref);
    for (size_t i = 0; i < n_ranked; i++) {
        char rank[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        rank_row(&cell[rows++ * RANK_COLS], rank, ranked[i]);
        names[i] = ranked[i]->name;
        e[i] = ranked[i]->e_order_ev_atom;
        se[i] = ranked[i]->e_order_se;
    }
    for (size_t i = 0; i < rows * RANK_COLS; i++)
        cp[i] = cell[i];
    char caption[512];
    snprintf(caption, sizeof caption,
             "E_order = <E_random> − <E_ordered> (GPR predictions, ± its standard error); "
             "E_seg = E(A₂BM) − [E(AB) + E(AM)]/2 with A, B = %s, %s (l10 only); MAE on the "
             "test split; r(α): correlation of E with α(%s-(%s,M)); (!): see the notes below",
             so->host[0], so->host[1], so->host[0], so->host[1]);
    TRY(as_report_heading(rep, "Ranking by ordering energy"));
    TRY(as_report_table(rep, caption, hdr, RANK_COLS, cp, rows));
    if (n_ranked == 0)
        return as_report_paragraph(rep, "No candidate could be ranked.");
    /* every requested candidate: the ranked ones in order (flagged marked), then those not
     * ranked (grey, when their value is finite) and the skipped ones (a name, no bar) */
    as_fig_bar_status status[MAX_CAND];
    size_t nb = n_ranked;
    for (size_t i = 0; i < n_ranked; i++) {
        status[i] = AS_FIG_RANKED;
        for (size_t j = 0; j < as_campaign_n_requested(c); j++) {
            as_campaign_system_info info;
            if (as_campaign_system_info_get(c, j, &info) == AS_OK && info.result == ranked[i] &&
                !strcmp(info.status, "flagged"))
                status[i] = AS_FIG_FLAGGED;
        }
    }
    for (size_t j = 1; j < as_campaign_n_requested(c) && nb < MAX_CAND; j++) {
        as_campaign_system_info info;
        if (as_campaign_system_info_get(c, j, &info) != AS_OK)
            continue;
        int skipped = !strcmp(info.status, "skipped");
        if (!skipped && strcmp(info.status, "not ranked"))
            continue;
        names[nb] = info.name;
        e[nb] = skipped || !info.result ? NAN : info.result->e_order_ev_atom;
        se[nb] = skipped || !info.result ? NAN : info.result->e_order_se;
        status[nb++] = skipped ? AS_FIG_SKIPPED : AS_FIG_NOT_RANKED;
    }
    const char *dir = as_report_dir(rep);
    TRY(as_fig_ordering_bars_marked(dir, "ordering_energy", names, e, se, status, nb,
                                    ref->stable ? ref->e_order_ev_atom : NAN, ref->name));
    char fig_cap[384];
    snprintf(fig_cap, sizeof fig_cap,
             "Ordering energy of each candidate with its standard error; dashed line: %s "
             "(paper 004, fig. 2c). Orange, (!): ranked with a note; grey: not ranked or skipped "
             "(the reasons are in the notes below).",
             ref->name);
    return as_report_figure(rep, "ordering_energy", fig_cap);
}

/* Systems that were not ranked, and notes on ranked ones, each with its reason. */
static as_status report_notes(as_report *rep, const as_campaign_ranking_view *v)
{
    static const char *hdr[3] = {"system", "ranked", "reason / note"};
    const char *cell[(2 * MAX_CAND + 2) * 3];
    size_t rows = 0;
    for (size_t i = 0; i < v->n_unranked; i++) {
        if (v->unranked[i].result)
            continue;
        cell[rows * 3] = v->unranked[i].name;
        cell[rows * 3 + 1] = "not ranked";
        cell[rows * 3 + 2] = v->unranked[i].reason;
        rows++;
    }
    for (size_t i = 0; i < v->n_systems; i++) {
        const as_screen_result *r = v->systems[i];
        if (r->stable && !r->note[0])
            continue;
        cell[rows * 3] = r->name;
        cell[rows * 3 + 1] = r->stable ? "yes" : "not ranked";
        cell[rows * 3 + 2] = r->note;
        rows++;
    }
    if (rows == 0)
        return AS_OK;
    TRY(as_report_heading(rep, v->n_unranked ? "Systems not ranked, and notes" : "Notes"));
    return as_report_table(rep, NULL, hdr, 3, cell, rows);
}

/* The learning curve of one system: MAE and R² per round against the training-set size. */
static as_status report_learning_curve(const char *dir, const char *base, const as_screen_result *r,
                                       int random_baseline)
{
    size_t n = r->rounds_done;
    double *v = NULL;
    as_status st;
    v = as_malloc((5 * n + 1) * sizeof *v);
    if (!v)
        return as_error_set(AS_ENOMEM, "report: learning curve");
    double *x = v, *mae = v + n, *r2 = v + 2 * n, *mae_r = v + 3 * n, *r2_r = v + 4 * n;
    for (size_t k = 0; k < n; k++) {
        x[k] = (double)r->round[k].n_train;
        mae[k] = r->round[k].mae;
        r2[k] = r->round[k].r2;
        mae_r[k] = r->round[k].mae_random;
        r2_r[k] = r->round[k].r2_random;
    }
    /* the final model, fitted on every training label after the last round */
    double final_x = n ? (double)r->round[n - 1].n_train : NAN;
    if (r->labels_used >= r->n_test_final)
        final_x = (double)(r->labels_used - r->n_test_final);
    st = as_fig_learning_curve_final(dir, base, r->name, x, mae, r2, random_baseline ? mae_r : NULL,
                                     random_baseline ? r2_r : NULL, n, MAE_TARGET_MEV, final_x,
                                     r->final_mae, r->final_r2);
    as_free(v);
    return st;
}

/* The calibration of one system per round (labels on x): coverage of the 1 sigma and 2 sigma
 * intervals on the test split against their nominal 68.3 % and 95.4 %, the mean and rms z-score
 * against 0 and 1, and the 95 % half-width of the ordering energy against --target-ci. */
static as_status report_calibration(const char *dir, const char *base, const as_screen_result *r,
                                    double target_ci)
{
    size_t n = r->rounds_done;
    as_plot *p[3] = {NULL, NULL, NULL};
    double *v = as_malloc((6 * n + 1) * sizeof *v);
    as_status st = AS_OK;
    if (!v)
        return as_error_set(AS_ENOMEM, "report: calibration");
    double *x = v, *c1 = v + n, *c2 = v + 2 * n, *mz = v + 3 * n, *rz = v + 4 * n, *ci = v + 5 * n;
    for (size_t k = 0; k < n; k++) {
        const as_screen_round_info *ri = &r->round[k];
        x[k] = (double)(ri->n_train + ri->n_test);
        c1[k] = ri->cal_cover1;
        c2[k] = ri->cal_cover2;
        mz[k] = ri->cal_mean_z;
        rz[k] = ri->cal_rms_z;
        ci[k] = 1000.0 * ri->e_order_ci95;
    }
    char title[3][96];
    snprintf(title[0], sizeof title[0], "%s: coverage on the test split", r->name);
    snprintf(title[1], sizeof title[1], "%s: z = (E − μ)/σ on the test split", r->name);
    snprintf(title[2], sizeof title[2], "%s: 95 %% interval of E_{order}", r->name);
#define P(expr)          \
    do {                 \
        if (st == AS_OK) \
            st = (expr); \
    } while (0)
    P(as_plot_create(title[0], "labels", "share of test labels inside", &p[0]));
    P(as_plot_create(title[1], "labels", "z-score", &p[1]));
    P(as_plot_create(title[2], "labels", "half-width (meV/atom)", &p[2]));
    P(as_plot_line(p[0], x, c1, n, "within 1σ"));
    if (st == AS_OK)
        as_plot_last_style(p[0])->marker = AS_MARKER_CIRCLE;
    P(as_plot_line(p[0], x, c2, n, "within 2σ"));
    if (st == AS_OK)
        as_plot_last_style(p[0])->marker = AS_MARKER_SQUARE;
    P(as_plot_hline(p[0], 0.6827, "nominal 68.3 %"));
    P(as_plot_hline(p[0], 0.9545, "nominal 95.4 %"));
    P(as_plot_set_yrange(p[0], 0.0, 1.05));
    P(as_plot_line(p[1], x, mz, n, "mean z"));
    if (st == AS_OK)
        as_plot_last_style(p[1])->marker = AS_MARKER_CIRCLE;
    P(as_plot_line(p[1], x, rz, n, "rms z"));
    if (st == AS_OK)
        as_plot_last_style(p[1])->marker = AS_MARKER_SQUARE;
    P(as_plot_hline(p[1], 0.0, NULL));
    P(as_plot_hline(p[1], 1.0, "ideal rms 1"));
    P(as_plot_line(p[2], x, ci, n, "±1.96 sd (GP × κ + sampling)"));
    if (st == AS_OK)
        as_plot_last_style(p[2])->marker = AS_MARKER_CIRCLE;
    if (target_ci > 0)
        P(as_plot_hline(p[2], 1000.0 * target_ci, "--target-ci"));
#undef P
    for (int k = 0; k < 3 && st == AS_OK; k++)
        as_plot_set_integer_ticks(p[k], 1, 0);
    if (st == AS_OK)
        st = as_plot_save_grid((const as_plot *const *)p, 3, 3, dir, base);
    for (int k = 0; k < 3; k++)
        as_plot_free(p[k]);
    as_free(v);
    return st;
}

/* The key numbers of one system as a two-column table. */
static as_status report_system_numbers(as_report *rep, const as_screen_options *so,
                                       const as_screen_result *r)
{
    enum { NK = 11 };
    char corr_key[128];
    snprintf(corr_key, sizeof corr_key, "correlation of E with α(%s-(%s,M)), α(%s-M)", so->host[0],
             so->host[1], so->host[1]);
    const char *keys[NK] = {
        "ordering energy <E_random> − <E_ordered> (eV/atom)",
        "its 95 % interval (eV/atom), stop reason, labels used",
        "mean predicted energy, ordered / random (eV/atom)",
        "segregation energy E_seg (eV/atom)",
        "lattice constants a, c (Å)",
        "final test MAE (eV/atom), R²",
        corr_key,
        "labels used / oracle failures",
        "starting structures that lost the lattice",
        "validation MAE (eV/atom; --validate)",
        "direct oracle ordering energy (eV/atom; --validate)",
    };
    char val[NK][96];
    const char *vp[NK];
    snprintf(val[0], sizeof val[0], "%.5f ± %.5f", nz(r->e_order_ev_atom, 5), nz(r->e_order_se, 5));
    snprintf(val[1], sizeof val[1], "± %.5f, %s, %zu", nz(r->e_order_ci95, 5), r->stop_reason,
             r->labels_used);
    snprintf(val[2], sizeof val[2], "%.5f / %.5f", nz(r->mean_ordered, 5), nz(r->mean_random, 5));
    snprintf(val[3], sizeof val[3], "%.5f", nz(r->e_seg_ev_atom, 5));
    snprintf(val[4], sizeof val[4], "%.4f, %.4f", r->a_ang, r->c_ang);
    snprintf(val[5], sizeof val[5], "%.5f, %.3f", nz(r->final_mae, 5), nz(r->final_r2, 3));
    if (isfinite(r->corr_alpha_com))
        snprintf(val[6], sizeof val[6], "%.3f, %.3f", nz(r->corr_alpha_ptx, 3),
                 nz(r->corr_alpha_com, 3));
    else /* the binary has no M */
        snprintf(val[6], sizeof val[6], "%.3f", nz(r->corr_alpha_ptx, 3));
    snprintf(val[7], sizeof val[7], "%zu / %zu", r->n_labels, r->n_failed);
    snprintf(val[8], sizeof val[8], "%zu of %zu", r->n_unstable, r->n_start);
    snprintf(val[9], sizeof val[9], "%.5f", nz(r->val_mae, 5));
    snprintf(val[10], sizeof val[10], "%.5f ± %.5f", nz(r->e_order_direct, 5),
             nz(r->e_order_direct_se, 5));
    for (int k = 0; k < NK; k++)
        vp[k] = val[k];
    /* the validation rows only when --validate gave them */
    return as_report_keyvalues(rep, NULL, keys, vp, isfinite(r->val_mae) ? NK : NK - 2);
}

/* One stable system: its numbers and five figures, files named <system>_<figure>. */
static as_status report_system(as_report *rep, const as_screen_options *so,
                               const as_screen_result *r, int random_baseline, double target_ci)
{
    const char *dir = as_report_dir(rep);
    const char *m = r->m[0] ? r->m : NULL;
    char base[5][64], cap[5][320];
    snprintf(base[0], sizeof base[0], "%s_ordering_hist", r->name);
    snprintf(base[1], sizeof base[1], "%s_energy_vs_sro", r->name);
    snprintf(base[2], sizeof base[2], "%s_learning_curve", r->name);
    snprintf(base[3], sizeof base[3], "%s_parity", r->name);
    snprintf(base[4], sizeof base[4], "%s_calibration", r->name);
    snprintf(cap[0], sizeof cap[0],
             "%s: predicted energies of %zu ordered (α = %.3g) and %zu "
             "random (α = 0) configurations (paper 004, fig. 2a).",
             r->name, r->n_pred[0], r->alpha_lo, r->n_pred[1]);
    char across[96];
    if (m)
        snprintf(across, sizeof across, "α(%s-(%s,%s)), coloured by α(%s-%s)", so->host[0],
                 so->host[1], m, so->host[1], m);
    else
        snprintf(across, sizeof across, "α(%s-%s)", so->host[0], so->host[1]);
    snprintf(cap[1], sizeof cap[1],
             "%s: predicted relative energy of %zu configurations across "
             "%s (paper 004, fig. 2b).",
             r->name, r->n_pred[2], across);
    snprintf(cap[2], sizeof cap[2],
             "%s: test MAE and R² after each active-learning round%s, and of the final model "
             "on every label (black diamond); dashed: the paper's %.0f meV/atom target.",
             r->name, random_baseline ? ", against random selection with the same labels" : "",
             MAE_TARGET_MEV);
    snprintf(cap[3], sizeof cap[3],
             "%s: final model on the %zu test configurations against "
             "the oracle.",
             r->name, r->n_test_final);
    snprintf(cap[4], sizeof cap[4],
             "%s: calibration of σ on the held-out test split after each "
             "round (coverage of ±1σ and ±2σ against the nominal 68.3 %% and 95.4 %%; mean and "
             "rms z-score against 0 and 1) and the 95 %% half-width of the ordering energy "
             "(GP variance × κ = max(1, rms z²) plus the sampling error of the two means).",
             r->name);
    TRY(as_report_heading(rep, r->name));
    TRY(report_system_numbers(rep, so, r));
    TRY(as_fig_ordering_hist(dir, base[0], r->name, r->pred_mean[0], r->n_pred[0], r->pred_mean[1],
                             r->n_pred[1], 0));
    TRY(as_fig_energy_vs_sro_named(dir, base[1], r->name, so->host[0], so->host[1], m,
                                   r->pred_alpha[2], m ? r->pred_alpha_com[2] : NULL,
                                   r->pred_mean[2], r->n_pred[2], NULL, NULL, NULL, 0));
    int curve = r->rounds_done > 0, parity = r->n_test_final > 0;
    if (curve)
        TRY(report_learning_curve(dir, base[2], r, random_baseline));
    if (parity)
        TRY(as_fig_parity(dir, base[3], r->name, r->test_true, r->test_pred, NULL,
                          r->n_test_final));
    if (curve)
        TRY(report_calibration(dir, base[4], r, target_ci));
    for (int k = 0; k < 5; k++)
        if ((k != 2 || curve) && (k != 3 || parity) && (k != 4 || curve))
            TRY(as_report_figure(rep, base[k], cap[k]));
    return AS_OK;
}

/* The ORR stage: its table and the volcano (every system with a result a labelled point). */
static as_status report_orr(as_report *rep, const screen_args *a, as_campaign *c)
{
    static const char *hdr[9] = {"system",           "a (Å)",     "c (Å)",      "ΔE_O (eV), site",
                                 "ΔE_OH (eV), site", "ΔG_O (eV)", "ΔG_OH (eV)", "U_L (V)",
                                 "ΔG_OH − top (eV)"};
    size_t n_req = as_campaign_n_requested(c), rows = 0, np = 0;
    char(*cell)[REPORT_CELL] = as_calloc(9 * (n_req + 2), REPORT_CELL);
    const char **cp = as_calloc(9 * (n_req + 2), sizeof *cp);
    const char **names = as_calloc(n_req + 2, sizeof *names);
    double *dg = as_calloc(2 * (n_req + 2), sizeof *dg), *ul = dg ? dg + n_req + 2 : NULL;
    as_status st = AS_OK;
    if (!cell || !cp || !names || !dg) {
        st = as_error_set(AS_ENOMEM, "report: ORR table");
        goto done;
    }
    char ref_name[32];
    long ref = -1;
    snprintf(ref_name, sizeof ref_name, "%s(111)", a->orr_opt.shell);
    for (size_t i = 0; i <= n_req; i++) {
        /* the reference (i = 0 here) first, then the requested systems */
        const as_orr_slab_result *r =
            i == 0 ? as_campaign_orr_reference_result(c) : as_campaign_orr_result(c, i - 1);
        as_campaign_system_info info;
        if (!r || (i > 0 && as_campaign_system_info_get(c, i - 1, &info) != AS_OK))
            continue;
        if (i == 0) {
            info.name = ref_name;
            ref = !strcmp(a->orr_opt.shell, "Pt") ? (long)np : -1;
        }
        char(*row)[REPORT_CELL] = &cell[9 * rows++];
        if (i == 0)
            snprintf(row[0], REPORT_CELL, "%s", ref_name);
        else
            snprintf(row[0], REPORT_CELL, "%s@%s", a->orr_opt.shell, info.name);
        snprintf(row[1], REPORT_CELL, "%.4f", r->a_ang);
        snprintf(row[2], REPORT_CELL, "%.4f", r->c_ang);
        snprintf(row[3], REPORT_CELL, "%.4f, %s", nz(r->de_o_ev, 4),
                 as_orr_site_name(r->best_site[0]));
        snprintf(row[4], REPORT_CELL, "%.4f, %s", nz(r->de_oh_ev, 4),
                 as_orr_site_name(r->best_site[1]));
        snprintf(row[5], REPORT_CELL, "%.4f", nz(r->dg_o_ev, 4));
        snprintf(row[6], REPORT_CELL, "%.4f", nz(r->dg_oh_ev, 4));
        snprintf(row[7], REPORT_CELL, "%.3f", nz(r->orr.u_limit_v, 3));
        snprintf(row[8], REPORT_CELL, "%.3f", nz(r->orr.volcano_offset_ev, 3));
        names[np] = info.name;
        dg[np] = r->dg_oh_ev;
        ul[np++] = r->orr.u_limit_v;
    }
    for (size_t i = 0; i < 9 * rows; i++)
        cp[i] = cell[i];
    char caption[640];
    const as_orr_slab_options *o = &a->orr_opt;
    snprintf(caption, sizeof caption,
             "ORR stage (docs/orr.md) on the screened lattice constants: a %s shell (%zu of %zu "
             "(111) layers, %zu fixed, p(%zu×%zu)), O* and OH* on fcc/hcp/top, the lowest site; "
             "ΔG = ΔE + ZPE − TS (O %.2f, OH %.2f) + water (O %.2f, OH %.2f) eV; U_L = "
             "min(−ΔG_i); ΔG_OH − top > 0: OH bound too weakly.",
             o->shell, o->shell_layers, o->layers, o->fixed_layers, o->size_a, o->size_b,
             o->zpe_ts_o_ev, o->zpe_ts_oh_ev, o->solv_o_ev, o->solv_oh_ev);
    if ((st = as_report_heading(rep, "ORR activity")) != AS_OK ||
        (st = as_report_table(rep, caption, hdr, 9, cp, rows)) != AS_OK)
        goto done;
    if (as_campaign_orr_reference_error(c)[0] &&
        (st = as_report_keyvalue(rep, ref_name, as_campaign_orr_reference_error(c))) != AS_OK)
        goto done;
    for (size_t i = 0; i < n_req; i++) {
        as_campaign_system_info info;
        const char *why = as_campaign_orr_error(c, i);
        if (why[0] && as_campaign_system_info_get(c, i, &info) == AS_OK &&
            (st = as_report_keyvalue(rep, info.name, why)) != AS_OK)
            goto done;
    }
    if (np) {
        as_orr_result top;
        if ((st = as_echem_orr(0.0, 0.0, NAN, &o->orr, &top)) != AS_OK ||
            (st = cli_orr_volcano(as_report_dir(rep), names, dg, ul, np, ref, &o->orr)) != AS_OK)
            goto done;
        snprintf(caption, sizeof caption,
                 "The 4e⁻ ORR volcano: limiting potential U_L against ΔG_OH of each system "
                 "(a %s shell; ORR oracle %s); grey: the scaling volcano (ΔG_OOH = ΔG_OH + "
                 "%.2f eV), its top at ΔG_OH = %.2f eV; a point below the curve is limited by an "
                 "O* step.",
                 o->shell, as_campaign_orr_oracle(c), o->orr.ooh_oh_offset_ev,
                 top.volcano_top_dg_oh_ev);
        st = as_report_figure(rep, "orr_volcano", caption);
    }
done:
    as_free(cell);
    as_free(cp);
    as_free(names);
    as_free(dg);
    return st;
}

/* The inputs and the exact command line ("alloyscout" + the argv the command got). */
static as_status report_inputs(as_report *rep, const screen_args *a, const as_campaign *c)
{
    char seed[32], host[2 * AS_SYMBOL_MAX + 2];
    const as_screen_options *so = &a->co.screen;
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)so->seed);
    snprintf(host, sizeof host, "%s,%s", so->host[0], so->host[1]);
    TRY(as_report_input(rep, "host", host));
    TRY(as_report_input(rep, "prototype", as_screen_proto_name(so->prototype)));
    if (a->composition)
        TRY(as_report_input(rep, "composition", a->composition));
    if (a->co.labels)
        TRY(as_report_input(rep, "labels", a->co.labels));
    TRY(as_report_input(rep, "candidates", a->cand_text));
    TRY(as_report_input(rep, "oracle", as_campaign_oracle_name(c)));
    TRY(as_report_input(rep, "seed", seed));
    TRY(as_report_input(rep, "campaign database", a->co.db));
    TRY(as_report_input(rep, "campaign (all options)", as_campaign_key(c)));
    return cli_report_command(rep, a->argc, a->argv);
}

/* The whole page: warning, key numbers, ranking, notes, each system, inputs. */
static as_status screen_report(as_report *rep, const screen_args *a, const as_campaign *c,
                               const as_campaign_ranking_view *v, size_t computed)
{
    size_t labels = 0;
    const as_screen_result *ref = v->reference;
    for (size_t i = 0; i < v->n_systems; i++)
        labels += v->systems[i]->n_labels;
    if (as_campaign_notes(c)[0])
        TRY(as_report_warning(rep, as_campaign_notes(c)));
    for (size_t i = 0; i < as_campaign_n_requested((as_campaign *)c); i++) {
        as_campaign_system_info info;
        if (as_campaign_system_info_get((as_campaign *)c, i, &info) != AS_OK || !info.result)
            continue;
        char line[600];
        snprintf(line, sizeof line, "%s%s — good for: %s", info.oracle,
                 info.fallback ? " (fallback)" : "", info.good_for);
        TRY(as_report_keyvalue(rep, info.name, line));
    }
    if (ref && ref->stable) {
        char what[64];
        snprintf(what, sizeof what, "%s ordering energy (reference)", ref->name);
        TRY(as_report_number(rep, what, ref->e_order_ev_atom, "eV/atom"));
    }
    if (v->n_ranked) {
        TRY(as_report_keyvalue(rep, "highest ordering energy", v->ranked[0]->name));
        TRY(as_report_number(rep, "its ordering energy", v->ranked[0]->e_order_ev_atom, "eV/atom"));
    }
    TRY(as_report_number(rep, "candidates ranked", (double)v->n_ranked, NULL));
    TRY(as_report_number(rep, "systems not ranked", (double)(a->n_cand - v->n_ranked), NULL));
    TRY(as_report_number(rep, "oracle labels used by the models", (double)labels, NULL));
    TRY(as_report_number(rep, "labels computed in this run", (double)computed, NULL));
    TRY(report_ranking(rep, (as_campaign *)c, &a->co.screen, ref, v->ranked, v->n_ranked));
    TRY(report_notes(rep, v));
    for (size_t i = 0; i < v->n_systems; i++)
        if (v->systems[i]->stable)
            TRY(report_system(rep, &a->co.screen, v->systems[i], a->co.screen.random_baseline,
                              a->co.screen.target_ci));
    if (a->orr)
        TRY(report_orr(rep, a, (as_campaign *)c));
    TRY(report_inputs(rep, a, c));
    return as_report_finish(rep);
}

/* 1 when system r is labelled by a fallback oracle of the list. */
static int on_fallback(as_campaign *c, const as_screen_result *r)
{
    for (size_t i = 0; i < as_campaign_n_requested(c); i++) {
        as_campaign_system_info info;
        if (as_campaign_system_info_get(c, i, &info) == AS_OK && info.result == r)
            return info.fallback;
    }
    return 0;
}

/* The table of the ranking, the systems not ranked and the notes. */
static void print_table(const screen_args *a, as_campaign *c, const as_campaign_ranking_view *v)
{
    const as_screen_options *so = &a->co.screen;
    const as_screen_result *ref = v->reference;
    printf("ordering screen: host %s%s%s%s, oracle %s, seed %llu\n\n", so->host[0], so->host[1],
           so->prototype != AS_SCREEN_L10 ? ", prototype " : "",
           so->prototype != AS_SCREEN_L10 ? as_screen_proto_name(so->prototype) : "",
           as_campaign_oracle_name(c), (unsigned long long)so->seed);
    printf("%-4s %-9s %8s %8s %12s %9s %11s %9s %9s %8s\n", "rank", "system", "a (A)", "c (A)",
           "E_order", "+-", "E_seg", "MAE", "r(alpha)", "RMSD");
    printf("%-4s %-9s %8s %8s %12s %9s %11s %9s %9s %8s\n", "", "", "", "", "(eV/atom)", "",
           "(eV/atom)", "(eV/atom)", "", "(A)");
    if (ref && ref->stable)
        printf("%-4s %-9s %8.4f %8.4f %12.5f %9.5f %11.5f %9.5f %9.3f %8.4f\n", "ref", ref->name,
               nz(ref->a_ang, 4), nz(ref->c_ang, 4), nz(ref->e_order_ev_atom, 5),
               nz(ref->e_order_se, 5), nz(ref->e_seg_ev_atom, 5), nz(ref->final_mae, 5),
               nz(ref->corr_alpha_ptx, 3), nz(ref->rmsd_mean, 4));
    for (size_t i = 0; i < v->n_ranked; i++) {
        const as_screen_result *r = v->ranked[i];
        printf("%-3zu%c %-9s %8.4f %8.4f %12.5f %9.5f %11.5f %9.5f %9.3f %8.4f\n", i + 1,
               r->note[0] || on_fallback(c, r) ? '!' : ' ', r->name, nz(r->a_ang, 4),
               nz(r->c_ang, 4), nz(r->e_order_ev_atom, 5), nz(r->e_order_se, 5),
               nz(r->e_seg_ev_atom, 5), nz(r->final_mae, 5), nz(r->corr_alpha_ptx, 3),
               nz(r->rmsd_mean, 4));
    }
    /* every requested candidate has a row: the ones without a rank say why below */
    for (size_t j = 1; j < as_campaign_n_requested(c); j++) {
        as_campaign_system_info info;
        if (as_campaign_system_info_get(c, j, &info) == AS_OK &&
            (!strcmp(info.status, "skipped") || !strcmp(info.status, "not ranked")))
            printf("%-4s %-9s %s (see below)\n", "-", info.name, info.status);
    }
    for (size_t i = 0; i < v->n_unranked; i++)
        if (v->unranked[i].result)
            printf("not ranked: %s: %s\n", v->unranked[i].name, v->unranked[i].reason);
    for (size_t i = 0; i < v->n_unranked; i++)
        if (!v->unranked[i].result)
            printf("skipped: %s: %s\n", v->unranked[i].name, v->unranked[i].reason);
    for (size_t i = 0; i < v->n_systems; i++)
        if (v->systems[i]->stable && v->systems[i]->note[0])
            printf("! %s: %s\n", v->systems[i]->name, v->systems[i]->note);
    /* the oracle of each system and what it is good for, one line per oracle */
    size_t n_req = as_campaign_n_requested(c);
    printf("\n");
    for (size_t i = 0; i < n_req; i++) {
        as_campaign_system_info info, other;
        if (as_campaign_system_info_get(c, i, &info) != AS_OK || !info.result)
            continue;
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = as_campaign_system_info_get(c, j, &other) == AS_OK && other.result &&
                   !strcmp(other.oracle, info.oracle);
        if (seen)
            continue;
        printf("oracle %s%s for", info.oracle, info.fallback ? " (fallback, !)" : "");
        for (size_t j = i, k = 0; j < n_req; j++)
            if (as_campaign_system_info_get(c, j, &other) == AS_OK && other.result &&
                !strcmp(other.oracle, info.oracle))
                printf("%s %s", k++ ? "," : "", other.name);
        printf(": %s\n", info.good_for);
    }
    printf("\nE_order = <E_random> - <E_ordered> over %zu random and %zu %s-ordered "
           "configurations (GPR predictions);\nE_seg = E(A2BM) - [E(AB) + E(AM)]/2 with A, B = "
           "%s, %s (l10 only); MAE on the %.0f %% test split; r(alpha): correlation of E with "
           "alpha^{%s-(%s,M)}.\n",
           so->n_random, so->n_ordered, so->host[0], so->host[0], so->host[1],
           100 * so->test_fraction, so->host[0], so->host[1]);
    if (as_campaign_notes(c)[0])
        printf("\nNote: %s\n", as_campaign_notes(c));
}

/* The count of each status over the requested candidates (the host pair left out), printed as
 * one line; returns how many were not ranked or skipped. */
static size_t print_summary(as_campaign *c)
{
    size_t n[4] = {0, 0, 0, 0}, req = as_campaign_n_requested(c);
    static const char *const names[4] = {"ranked", "flagged", "not ranked", "skipped"};
    char skipped[1024] = "";
    for (size_t j = 1; j < req; j++) {
        as_campaign_system_info info;
        if (as_campaign_system_info_get(c, j, &info) != AS_OK)
            continue;
        for (int k = 0; k < 4; k++)
            if (!strcmp(info.status, names[k]))
                n[k]++;
        if (!strcmp(info.status, "skipped")) {
            size_t L = strlen(skipped);
            snprintf(skipped + L, sizeof skipped - L, "%s%s", L ? ", " : "", info.name);
        }
    }
    printf(
        "\ncandidates: %zu requested, %zu ranked, %zu flagged, %zu not ranked, %zu skipped%s%s%s\n",
        req - 1, n[0], n[1], n[2], n[3], n[3] ? " (" : "", skipped, n[3] ? ")" : "");
    if (n[0] + n[1] == 0)
        as_log(AS_LOG_WARN,
               "none of the %zu requested candidates was ranked: see 'skipped' and "
               "'not ranked' above (and \"candidates\" in --json)",
               req - 1);
    else if (n[2] + n[3])
        as_log(AS_LOG_WARN, "%zu of the %zu requested candidates not ranked or skipped: see above",
               n[2] + n[3], req - 1);
    return n[2] + n[3];
}

/* --orr: the stage for the host pair and every ranked candidate, then its table under the
 * screen's. A signal between two systems stops here (no --json). */
static as_status orr_stage(const screen_args *a, as_campaign *c, as_oracle *o)
{
    size_t n_req = as_campaign_n_requested(c), n_run = 0, n_reused = 0;
    if (a->orr_ref) {
        int reused = 0;
        as_log(AS_LOG_INFO, "ORR stage: %s(111), its lattice constant fitted with %s",
               a->orr_opt.shell, as_oracle_describe(o));
        TRY(as_campaign_orr_reference(c, o, &a->orr_opt, &reused));
        TRY(as_interrupt_check());
        n_run++;
        n_reused += reused;
        if (as_campaign_orr_reference_error(c)[0])
            as_log(AS_LOG_WARN, "ORR stage: %s(111): %s", a->orr_opt.shell,
                   as_campaign_orr_reference_error(c));
    }
    for (size_t i = 0; i < n_req; i++) {
        if (!as_campaign_orr_eligible(c, i))
            continue;
        as_campaign_system_info info;
        TRY(as_campaign_system_info_get(c, i, &info));
        as_log(AS_LOG_INFO, "ORR stage: %s@%s on a = %.4f, c = %.4f A", a->orr_opt.shell, info.name,
               info.result->a_ang, info.result->c_ang);
        int reused = 0;
        TRY(as_campaign_orr_run(c, i, o, &a->orr_opt, &reused));
        TRY(as_interrupt_check());
        n_run++;
        n_reused += reused;
        const char *why = as_campaign_orr_error(c, i);
        if (why[0])
            as_log(AS_LOG_WARN, "ORR stage: %s: %s", info.name, why);
    }
    printf("\n");
    cli_orr_header(as_oracle_describe(o), &a->orr_opt);
    if (a->orr_ref) {
        char name[64];
        snprintf(name, sizeof name, "%s(111)", a->orr_opt.shell);
        if (as_campaign_orr_reference_result(c))
            cli_orr_row(name, as_campaign_orr_reference_result(c));
        else
            printf("%-10s failed: %s\n", name, as_campaign_orr_reference_error(c));
    }
    for (size_t i = 0; i < n_req; i++) {
        as_campaign_system_info info;
        const as_orr_slab_result *r = as_campaign_orr_result(c, i);
        if (as_campaign_system_info_get(c, i, &info) != AS_OK)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s@%s", a->orr_opt.shell, info.name);
        if (r)
            cli_orr_row(name, r);
        else if (as_campaign_orr_error(c, i)[0])
            printf("%-10s failed: %s\n", name, as_campaign_orr_error(c, i));
        else
            printf("%-10s - (%s: no ORR stage)\n", name, info.status);
    }
    cli_orr_footer(&a->orr_opt);
    if (n_reused)
        as_log(AS_LOG_INFO,
               "ORR stage: %zu of %zu systems taken from %s (same oracle, options "
               "and lattice constants)",
               n_reused, n_run, a->co.db);
    return AS_OK;
}

int as_cli_screen(int argc, char **argv)
{
    screen_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    const cli_file files[] = {
        {"--db", a.co.db, 0}, {"--json", a.json, 1}, {"--report", a.report, 1}};
    if ((rc = cli_check_files("screen", files, CLI_NFILES(files))))
        return rc;
    cli_log_init(a.quiet);
    as_campaign *c = NULL;
    as_report *rep = NULL;
    as_lock *lock = NULL;
    as_status st;

    as_oracle *orr_o = NULL;
    if (a.orr) { /* refused before the screen starts */
        const char *spec = a.orr_oracle ? a.orr_oracle : a.co.oracle;
        st = as_oracle_create(spec, &a.co.oracle_options, &orr_o);
        if (st == AS_OK && (!as_oracle_has_forces(orr_o) || !as_oracle_supports(orr_o, "O") ||
                            !as_oracle_supports(orr_o, "H"))) {
            rc = cli_error("--orr: the ORR stage relaxes O* and OH* and needs an oracle with "
                           "forces covering O and H; %s '%s' %s (it covers %s): give one with "
                           "--orr-oracle (e.g. ase:emt for tests, ase:gpaw)",
                           a.orr_oracle ? "--orr-oracle" : "the screen's --oracle", spec,
                           as_oracle_has_forces(orr_o) ? "does not cover O and H" : "has no forces",
                           as_oracle_elements(orr_o));
            as_oracle_free(orr_o);
            return rc;
        }
        /* the host pair and the shell are in every slab: an oracle without one of them would
         * fail every system of the stage after the whole screen */
        const char *core[3] = {a.co.screen.host[0], a.co.screen.host[1], a.orr_opt.shell};
        for (int k = 0; st == AS_OK && k < 3; k++)
            if (core[k] && core[k][0] && !as_oracle_supports(orr_o, core[k])) {
                rc = cli_error("--orr: the ORR oracle '%s' does not cover %s (it covers %s), "
                               "which every slab of this screen holds: give one that does with "
                               "--orr-oracle",
                               spec, core[k], as_oracle_elements(orr_o));
                as_oracle_free(orr_o);
                return rc;
            }
        for (size_t k = 0; st == AS_OK && k < a.n_cand; k++)
            if (!as_oracle_supports(orr_o, a.cand[k]))
                as_log(AS_LOG_WARN,
                       "--orr: the ORR oracle '%s' does not cover %s: the ORR stage of "
                       "%s2%s%s will be reported as failed",
                       spec, a.cand[k], a.co.screen.host[0], a.co.screen.host[1], a.cand[k]);
        if (st != AS_OK) {
            rc = a.orr_oracle ? cli_fail(st)
                              : cli_error("--orr: the screen's --oracle %s is not one oracle with "
                                          "forces covering O and H (%s): give the ORR stage one "
                                          "with --orr-oracle (e.g. ase:emt for tests, ase:gpaw)",
                                          spec, as_errmsg());
            return rc;
        }
    }
    int report_existed = a.report && access(a.report, F_OK) == 0;
    /* one writer per campaign file: a second screen on it is refused, naming the first */
    if ((st = cli_lock(a.co.db, argc, argv, &lock)) != AS_OK)
        goto fail;
    if ((st = as_campaign_open(&a.co, &c)) != AS_OK)
        goto fail;
    /* the report directory is made before the long part, so that a bad path fails at once */
    char title[128], hostname[32];
    as_screen_system_name(&a.co.screen, NULL, hostname, sizeof hostname);
    if (a.co.screen.prototype == AS_SCREEN_L10)
        snprintf(title, sizeof title, "alloyscout: ordering screen of %s2%sM candidates",
                 a.co.screen.host[0], a.co.screen.host[1]);
    else
        snprintf(title, sizeof title, "alloyscout: ordering screen of %s (%s) + M candidates",
                 hostname, as_screen_proto_name(a.co.screen.prototype));
    if (a.report && (st = as_report_create(a.report, title, &rep)) != AS_OK)
        goto fail;
    cli_progress_start("screen", (a.n_cand + 1) * (a.co.screen.rounds + 2), a.quiet);
    while (!as_campaign_done(c)) {
        as_campaign_event ev;
        if ((st = as_campaign_step(c, &ev)) != AS_OK)
            goto fail;
        if ((st = as_interrupt_check()) != AS_OK) /* a signal between two oracle calls */
            goto fail;
        cli_progress_update(ev.steps_done);
    }
    cli_progress_end();
    const as_campaign_ranking_view *v = as_campaign_ranking(c);
    if (!v) {
        st = AS_ENOMEM;
        goto fail;
    }
    print_table(&a, c, v);
    size_t missing = print_summary(c);
    if (a.orr && (st = orr_stage(&a, c, orr_o)) != AS_OK)
        goto fail;
    size_t computed = as_campaign_labels_computed(c);
    /* the report first: a failed one leaves no --json behind */
    if (rep && (st = screen_report(rep, &a, c, v, computed)) != AS_OK)
        goto fail;
    if (a.json && (st = as_campaign_write_json(c, a.json)) != AS_OK)
        goto fail;
    as_log(AS_LOG_INFO, "%zu labels computed in this run (the others came from %s)", computed,
           a.co.db);
    if (!strcmp(a.eo.backend, "slurm")) { /* issue 15: what the cluster did */
        as_executor_stats es = {0};
        for (size_t i = 0; i < as_campaign_n_systems(c); i++) {
            as_executor *ex = as_campaign_executor(c, i);
            as_executor_stats e1 = ex ? as_executor_get_stats(ex) : es;
            if (!ex)
                continue;
            es.submitted += e1.submitted;
            es.sbatch_calls += e1.sbatch_calls;
            es.reattached += e1.reattached;
            es.retried += e1.retried;
            es.submit_s += e1.submit_s;
            es.wait_s += e1.wait_s;
        }
        as_log(AS_LOG_INFO,
               "slurm: %zu jobs submitted in %zu arrays, %zu re-attached, %zu resubmitted after "
               "a failure (submitting %.3f s, waiting and collecting %.3f s)",
               es.submitted, es.sbatch_calls, es.reattached, es.retried, es.submit_s, es.wait_s);
    }
    if (!as_campaign_results_finite(c)) {
        cli_progress_end();
        rc = cli_error("the results of a system are not finite (see 'not ranked' above): "
                       "nothing of it is ranked");
        as_report_free(rep);
        as_campaign_close(c);
        as_lock_release(lock);
        as_oracle_free(orr_o);
        return rc;
    }
    if (a.strict && missing) {
        rc = cli_error("--strict: %zu requested candidates were not ranked (exit 3)", missing);
        as_report_free(rep);
        as_campaign_close(c);
        as_lock_release(lock);
        as_oracle_free(orr_o);
        return 3;
    }
fail:
    cli_progress_end();
    rc = st == AS_OK ? 0 : cli_fail(st);
    if (st != AS_OK && rep && !report_existed)
        rmdir(a.report); /* the folder made at the start, when nothing went into it */
    as_report_free(rep);
    as_campaign_close(c);
    as_lock_release(lock);
    as_oracle_free(orr_o);
    return rc;
}
