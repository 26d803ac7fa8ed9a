/* alloyscout campaign area: the ordering screen of workflow B (seed 004, Methods: "Solubility
 * Test", "Machine Learning", "Active Learning") for one host pair and one third element M.
 *
 * The host is any pair A,B (as_screen_options.host) on a prototype (l10: the paper's A2BM
 * family, l12: A3B with M on the B sublattice, fcc: a solid solution at a composition; see
 * as_screen_proto); the names below are those of the default, Pt,Co on l10.
 * One as_screen holds one system (PtCo itself when M is NULL, else Pt2CoM):
 *   as_screen_setup      lattice constants by energy, reference energies (ordered Pt2CoM, L1_0
 *                        PtCo and PtM), the paper's 22 starting structures labelled (relaxed)
 *                        with their RMSD, the stability check;
 *   as_screen_round      one active-learning round: fit z-score + PCA + GPR on the training
 *                        labels, score the test split (MAE, R^2, calibration of sigma), the
 *                        95 % interval of the ordering energy (a stop when it meets
 *                        target_ci), then label `per_round` distinct new configurations chosen
 *                        by the acquisition rule (as_acquire: qoi, sigma, random); the same
 *                        label budget spent on random configurations gives the learning curve
 *                        of random selection;
 *   as_screen_finish     final model, predictions for the ordered / random / across-alpha sets,
 *                        ordering energy with its standard error, correlations, segregation
 *                        energy, and (optionally) validation against direct oracle labels.
 * The caller loops (the CLI reports progress). Labels live in the store (as_store, oracle.h);
 * every step is deterministic given the seed, so a killed run that is started again replays the
 * same steps, takes every finished label from the store, and ends with identical results.
 *
 * A campaign (as_campaign, below) is the whole screen: the host pair and each candidate M, one
 * store file holding labels and campaign records, the campaign key and the resume rules, the
 * oracle of each system, skipping, ranking and the JSON results. The caller loops over
 * as_campaign_step (one setup, round or finish per call) and reports progress.
 *
 * Energies are eV per atom relative to the ordered Pt2CoM cell (for PtCo: the ordered L1_0
 * cell). */
#ifndef ALLOYSCOUT_CAMPAIGN_H
#define ALLOYSCOUT_CAMPAIGN_H

#include "alloyscout/core.h"
#include "alloyscout/executor.h"
#include "alloyscout/oracle.h"
#include "alloyscout/orr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The host's arrangement (docs/campaign.md, "Prototypes and compositions"). A is host[0], B is
 * host[1], M the candidate; every cell is a decoration of the fcc lattice. */
typedef enum {
    AS_SCREEN_L10 = 0, /* the paper's A2BM family: L1_0 AB doubled along a (the 4-atom Pt2CoM
                          cell), A on its own sublattice, B and M sharing the other one half and
                          half; the host pair alone is L1_0 AB. Tetragonal a, c fitted on the
                          4-atom cell; references E(AB), E(AM) for E_seg */
    AS_SCREEN_L12,     /* L1_2 A3B (A on the face centres, B on the corners) with M substituting
                          on the B sublattice (half of it by default); cubic a fitted on the
                          screen's supercell */
    AS_SCREEN_FCC      /* the fcc solid solution at opt->composition; "ordered" is the most
                          A-(rest)-ordered arrangement the Monte Carlo finds at that
                          composition; cubic a fitted on it */
} as_screen_proto;

/* "l10", "l12", "fcc" (static; NULL for an unknown value). */
AS_API const char *as_screen_proto_name(as_screen_proto p);
/* The prototype named by text. AS_EINVAL naming the text and the known prototypes. */
AS_API as_status as_screen_proto_parse(const char *text, as_screen_proto *out);
/* Parse a composition of the host and the candidate placeholder M, e.g. "Ag0.7Pd0.3" or
 * "Cu0.45Ni0.45M0.1", into frac[3] (fractions of host[0], host[1] and M, normalized to sum 1;
 * frac[2] = 0 without M). Every symbol must be a host element or M, none twice. AS_EINVAL. */
AS_API as_status as_screen_composition_parse(const char *text, const char (*host)[AS_SYMBOL_MAX],
                                             double frac[3]);

/* How a round chooses the configurations it labels (docs/campaign.md, "Acquisition"). */
typedef enum {
    AS_ACQUIRE_SIGMA = 0, /* the paper's rule: Monte Carlo chains towards high predicted sigma,
                             the per_round most uncertain distinct visited configurations */
    AS_ACQUIRE_RANDOM,    /* baseline: configurations at random alpha levels */
    AS_ACQUIRE_QOI        /* greedy batch minimising the posterior variance of the ordering
                             energy (a linear functional of the GP), over the chains' visits and
                             the ordered and random prediction sets */
} as_acquire;

/* "sigma", "random", "qoi" (a static string; NULL for an unknown value). */
AS_API const char *as_acquire_name(as_acquire a);
/* The rule named by text. AS_EINVAL naming the text and the known rules. */
AS_API as_status as_acquire_parse(const char *text, as_acquire *out);

typedef struct {
    char host[2][AS_SYMBOL_MAX]; /* "Pt", "Co" */
    size_t size;                 /* supercell repetitions of the 4-atom Pt2CoM cell per axis; 3 */
    size_t rounds;               /* active-learning rounds; 7 */
    size_t chains;               /* Monte Carlo chains per round; 20 */
    size_t chain_steps;          /* swaps attempted per chain; 60 */
    double sigma_temp;           /* Metropolis temperature for a lower sigma, as a fraction of the
                              chain's starting sigma; 0.1 */
    size_t per_round;            /* configurations labelled per round; 10 */
    double test_fraction;        /* share of every labelled batch held out for MAE / R^2; 0.2 */
    size_t n_ordered, n_random, n_across; /* prediction sets; 300, 300, 3800 */
    size_t validate;           /* extra random configurations labelled to measure the true MAE,
                              and then the direct oracle ordering energy; 0 (off) */
    int random_baseline;       /* 1: also run random selection with the same budget; 1 */
    double pca_fraction;       /* variance kept by the PCA; 0.99 */
    size_t gp_restarts;        /* GPR optimizer restarts; 50 */
    int gp_noise;              /* 1: fit a white-noise term (relaxed energies carry the noise of the
                              force tolerance); 1 */
    double fmax;               /* relaxation force tolerance, eV/A; 0.03 (paper) */
    double rmsd_max;           /* a relaxation moving atoms by more (root mean square, A) destroyed
                              the lattice; 0.35 */
    double unstable_share;     /* a system whose starting structures lose the lattice more often
                              than this is reported unstable and not ranked; 0.2 */
    double a_init;             /* starting fcc lattice constant for the cell optimization, A; 3.8 */
    double scale_lo, scale_hi; /* bracket of the optimized a and c, as factors of a_init; a cell
                              whose optimum lies on the bracket has no stable lattice constant
                              with the oracle (not ranked); 0.8 and 1.25 */
    as_acquire acquire; /* the acquisition rule of the rounds; AS_ACQUIRE_QOI (bench/RESULTS.md:
                              fewer labels than sigma for the same interval) */
    double target_ci;   /* > 0: a system stops at the first round whose 95 % interval of the
                              ordering energy (GP posterior of the functional plus the sampling
                              error of the two means) is narrower than +-target_ci eV/atom;
                              0 (default): always run every round */
    size_t threads;     /* threads of the GP fits (0: as_gp_default_threads()); the results do
                              not depend on it */
    uint64_t seed;
    as_screen_proto prototype; /* the host's arrangement; AS_SCREEN_L10 */
    double composition[3];     /* atomic fractions of host[0], host[1], M (all 0: the
                              prototype's own: l10 A2BM / AB, l12 A3B with M on half the B
                              sublattice, fcc equal shares); the host pair alone uses the host
                              shares renormalized, and M without a share takes half of B's.
                              Not for l10 */
    int cell_fit;              /* route of the lattice constants (oracle.h): AS_CELLOPT_AUTO
                              (default: from stresses where the oracle gives them, eam and ase
                              with a stress, or a cmd: program that writes stress=; else
                              energies), AS_CELLOPT_FIT (energies) or AS_CELLOPT_STRESS */
} as_screen_options;

AS_API as_screen_options as_screen_options_default(void);
/* The name of the system host + m (m NULL: the host pair) under o's prototype: l10 "PtCo",
 * "Pt2CoCu"; l12 "Cu3Au", "Cu3Au+Pd"; fcc "CuNi", "CuNi+Pd". */
AS_API void as_screen_system_name(const as_screen_options *o, const char *m, char *buf, size_t cap);
AS_API as_status as_screen_options_check(const as_screen_options *opt);

/* Per-round learning curve entry. */
typedef struct {
    size_t n_train, n_test;
    double mae, r2;                 /* active learning, on the test split, eV/atom */
    double mae_random, r2_random;   /* random selection with the same number of labels */
    double val_mae, val_mae_random; /* on the validation set (NAN without --validate) */
    double lml;                     /* log-marginal-likelihood of the fitted GP */
    double c2, length, noise;       /* fitted hyperparameters (length: the first one) */
    size_t pca_dim;                 /* components kept */
    double max_sigma;               /* largest predicted sigma among the labelled picks, eV/atom */
    /* calibration of the predictive sigma on the test split (model of this round) */
    size_t cal_n;                  /* test labels scored */
    double cal_cover1, cal_cover2; /* share with |y - mu| <= 1 sigma, 2 sigma */
    double cal_nll;                /* mean negative log predictive density, log(eV/atom) units */
    double cal_mean_z, cal_rms_z;  /* mean and rms of z = (y - mu) / sigma */
    /* the ordering energy under this round's model and its 95 % interval (eV/atom) */
    double e_order, e_order_gp_sd, e_order_se, e_order_ci95;
    double e_order_var_scale; /* kappa = max(1, cal_rms_z^2): the GP variance is scaled by it
                                  in e_order_ci95 when the held-out labels say sigma is small */
    int target_reached;       /* 1: the interval met target_ci; nothing was labelled */
    char *picked;             /* the configurations labelled this round, one digit (species
                                  index, symbols as in the system name) per site, joined by ','
                                  (owned by the screen; NULL before the round ran) */
} as_screen_round_info;

/* What setup concluded about a system. Only AS_VERDICT_OK goes on to the rounds. */
typedef enum {
    AS_VERDICT_OK = 0,
    AS_VERDICT_UNSTABLE,     /* evidence: no lattice-constant minimum inside the bracket, or
                                 more than unstable_share of the relaxed starting structures
                                 lost the lattice */
    AS_VERDICT_NO_MINIMUM,   /* the cell fit found no minimum within its oracle calls */
    AS_VERDICT_CELL_FAILED,  /* an energy of the cell failed (after the oracle's retries) */
    AS_VERDICT_LABELS_FAILED /* more than unstable_share of the starting labels failed */
} as_screen_verdict;

/* "ok", "unstable", "no minimum", "cell failed", "labels failed" (static). */
AS_API const char *as_screen_verdict_name(as_screen_verdict v);

typedef struct {
    char m[AS_SYMBOL_MAX];    /* "" for the host pair itself */
    char name[16];            /* as_screen_system_name: "PtCo", "Pt2CoCu", "Cu3Au+Pd" */
    double a_ang, c_ang;      /* optimized lattice constants of the ordered cell */
    double e_ordered_ev_atom; /* absolute energy of the ordered cell, eV/atom */
    double e_seg_ev_atom;     /* l10: E(A2BM) - [E(AB) + E(AM)] / 2, eV/atom; 0: host pair */
    /* lattice constants of the host pair's own cell (l10: the L1_0 AB reference; l12/fcc: the
     * host system's cell, NAN for a system with M) and, l10, a of the L1_0 AM reference (0 for
     * the host pair) */
    double a_host_ang, c_host_ang, a_am_ang;
    int stable;                        /* 0: the oracle destroys the lattice (not ranked) */
    size_t n_unstable, n_start;        /* starting structures that lost the lattice / all */
    double rmsd_max_seen;              /* largest relaxation RMSD among the labels, A */
    double rmsd_mean, rmsd_paper_mean; /* mean RMSD of the starting structures (both formulas) */
    size_t n_labels, n_failed;         /* labels used / oracle failures */
    size_t rounds_done;
    as_screen_round_info *round; /* (rounds) */
    char stop_reason[16];        /* "target_ci" (the interval met target_ci before the last
                                    round) or "rounds" (every round ran) */
    size_t labels_used;          /* labels of the active-learning set (training + test split),
                                    the cost of the answer; excludes baseline and validation */
    double e_order_gp_sd, e_order_ci95; /* final model: posterior sd of the ordering-energy
                                    functional, and the 95 % half-width
                                    1.96 sqrt(kappa gp_sd^2 + e_order_se^2) */
    double e_order_var_scale;           /* kappa of the final model's held-out calibration */
    double e_order_ev_atom;             /* <E_random> - <E_ordered> (surrogate) */
    double e_order_se;                  /* its standard error over the configurations */
    double mean_ordered, mean_random;
    double corr_alpha_ptx;      /* Pearson r of E with alpha^{A-(B,M)}_1 over the across set */
    double corr_alpha_com;      /* ... with alpha^{B-M}_1 (NAN for the binary) */
    double final_mae, final_r2; /* final model on the test split, eV/atom */
    double val_mae;             /* true MAE on the validation set (NAN when off) */
    double e_order_direct, e_order_direct_se; /* direct oracle ordering energy (NAN when off) */
    /* prediction sets (owned): alpha^{Pt-(Co,M)}_1, alpha^{Co-M}_1, predicted mean and sigma */
    size_t n_pred[3]; /* ordered, random, across */
    double *pred_alpha[3], *pred_alpha_com[3], *pred_mean[3], *pred_std[3];
    /* labels (owned): alpha and oracle energy of every label used, and the model's prediction
     * for the test split (for a parity plot) */
    size_t n_test_final;
    double *test_true, *test_pred;
    char note[512]; /* why a system is unstable or skipped */
    /* setup's accounting (issue 18): failures are failures, instability needs evidence */
    as_screen_verdict verdict; /* AS_VERDICT_OK for a system that goes on to the rounds */
    size_t n_start_failed;     /* starting structures whose label failed (oracle error) */
    size_t n_rmsd_lost;        /* ... relaxed by more than rmsd_max */
    size_t n_topology_lost;    /* ... whose atoms left their fcc sites (as_lattice_match) */
    char first_error[256];     /* the first oracle error of a failed label ("" when none) */
    size_t cell_calls;         /* oracle calls spent on lattice constants in this process */
    char lattice_source[16];   /* "fit", "given" or "stored" (the ordered cell's constants) */
    /* labelled structures of --labels used as the starting set (as_screen_seed), and the range
     * of alpha^{A-(rest)}_1 the screen samples (l10: the paper's -1/3 .. 2/3; l12/fcc: the
     * reachable range found) */
    size_t n_seeded;
    double alpha_lo, alpha_hi;
} as_screen_result;

typedef struct as_screen as_screen;

/* A screen of the system host + m (m NULL: the host pair alone). The oracle and the store are
 * borrowed and must outlive the screen. AS_EINVAL when the oracle does not support an element
 * (the message names the elements it supports). */
AS_API as_status as_screen_create(const as_screen_options *opt, const char *m, as_oracle *oracle,
                                  as_store *store, as_screen **out);
AS_API void as_screen_free(as_screen *s);
/* Lattice constants of one cell of the system, given instead of fitted (before setup): cell =
 * the system's name for its ordered cell ("PtCo", "Pt2CoCu") or "PtCo" / "PtM" for the L1_0
 * references of E_seg; c <= 0 means c = a. The given cell costs no fit (a reference still costs
 * one energy). AS_EINVAL for a cell the system does not have or a value <= 0. */
AS_API as_status as_screen_set_lattice(as_screen *s, const char *cell, double a, double c);
AS_API as_status as_screen_setup(as_screen *s);
/* Round r (0-based, in order). A round whose interval meets opt->target_ci labels nothing and
 * sets round[r].target_reached and stop_reason "target_ci": the next step is as_screen_finish
 * (a further round returns AS_EINVAL). */
AS_API as_status as_screen_round(as_screen *s, size_t r);
AS_API as_status as_screen_finish(as_screen *s);
/* Seed the screen with labelled structures (before setup): frames (n; copied) with total
 * energies in eV from any source, `source` naming the file and index (n) each frame's 0-based
 * position in it (for the provenance and the messages). Every frame must
 * hold exactly the system's species at the system's composition, on the system's lattice (an
 * fcc arrangement, as_lattice_from_structure, in the screen's supercell: as_lattice_match).
 * The frames replace the paper's 22 starting structures: setup puts each one's energy in the
 * store under the label key of the screen's own ideal structure of that configuration, with
 * provenance "FILE:FRAME" (as_label_store_set_source), so the oracle labels only the ordered
 * reference and what the rounds ask for. AS_EINVAL "FILE:FRAME: reason" for a frame that does
 * not fit (frames are numbered from 1 in messages and provenance, as `frame N`). */
AS_API as_status as_screen_seed(as_screen *s, as_structure *const *frames, const size_t *index,
                                size_t n, const char *source);
/* Borrowed; valid while s lives. */
AS_API const as_screen_result *as_screen_get_result(const as_screen *s);
/* Labels computed by this process (not taken from the store). */
AS_API size_t as_screen_labels_computed(const as_screen *s);
/* Hand the screen's relaxed labels (the starting structures, the ordered cell, each round's
 * picks and random-baseline picks, validation) to ex, one batch per call (for slurm: one job
 * array), instead of labelling them in this process; NULL: in this process. ex is borrowed, made
 * for the screen's oracle, and must outlive the screen. Lattice-constant fits stay in this
 * process. The results do not depend on it. */
AS_API void as_screen_set_executor(as_screen *s, as_executor *ex);

/* ---- the campaign: the host pair and every candidate in one store ---- */

/* Lattice constants given for one cell (as_screen_set_lattice): the ordered cell of a system
 * ("PtCo", "Pt2CoCu") or an L1_0 reference ("PtCu"); c <= 0 means c = a. */
typedef struct {
    char cell[16];
    double a, c;
} as_campaign_lattice;

typedef struct {
    as_screen_options screen; /* the settings of every system (host pair, seed, sizes ...) */
    const char *oracle;       /* oracle spec (oracle.h) or a comma-separated list of specs
                                  ("meam,eam"): each system gets the first oracle of the list
                                  that covers its elements (a later one is a fallback, flagged);
                                  a new item starts at a backend name (eam, eam-analytic, meam,
                                  lammps:, cmd:, ase:), so "eam:Pt,Co,Cu" stays one spec.
                                  Default "eam": each system gets the Zhou 2004 tables of its
                                  own elements ("eam:Pt,Co,M"); a candidate no oracle of the
                                  list covers is skipped with the reason */
    const as_campaign_lattice *lattice; /* (n_lattice) constants given instead of fitted; a
                                  cell of the host pair applies to every system that has it */
    size_t n_lattice;
    as_oracle_options oracle_options; /* as_oracle_options_default */
    const char *db;                   /* the store's SQLite file (required) */
    const char *const *candidates;    /* (n_candidates) third elements M, e.g. "Cu" */
    size_t n_candidates;              /* at least 1 */
    int resume;                       /* 1: continue the campaign the store holds; 0 (default): the
                                  store must hold no campaign yet */
    const as_executor_options *executor; /* where labels run (issue 15); NULL or backend "local":
                                  in this process. "slurm": one job array per labelling batch;
                                  workdir NULL: "<db>.jobs"; the journal is the store's job table
                                  (journal, known and journal_user are set by the campaign); not
                                  part of the campaign key (the results do not depend on it) */
    const char *labels; /* extended XYZ file of labelled structures (energy= in each comment
                                  line) seeding the systems they match by species (as_screen_seed);
                                  a frame that matches no system is refused; NULL: none */
} as_campaign_options;

AS_API as_campaign_options as_campaign_options_default(void);
/* AS_EINVAL with the reason: no db, no candidates, a host or candidate that is not an element
 * symbol, a candidate that is a host element or given twice, or a rejected screen option
 * (as_screen_options_check). */
AS_API as_status as_campaign_options_check(const as_campaign_options *opt);

typedef struct as_campaign as_campaign;

/* Open the campaign: check the options, create the oracle, open (or create) the store, and
 * register the campaign key there: the text of every option that changes results. A store
 * holding another campaign is refused (both keys in the message), and so is one holding this
 * campaign without opt->resume; with resume the campaign is replayed (labels in the store are
 * not computed again). Then each system is prepared: a candidate the oracle cannot treat is
 * skipped (logged as a warning, listed by as_campaign_ranking with the reason). The key is
 * written to the store last, so a failed open leaves the store without it. Everything in opt
 * is copied. AS_EINVAL for options or a campaign mismatch, AS_EDB for the store (its
 * message says why an old or foreign file is refused), AS_EORACLE/AS_EIO from the oracle.
 * OUT: close with as_campaign_close. */
AS_API as_status as_campaign_open(const as_campaign_options *opt, as_campaign **out);
AS_API void as_campaign_close(as_campaign *c);

/* Systems screened (the host pair and the candidates that were not skipped). */
AS_API size_t as_campaign_n_systems(const as_campaign *c);
/* The result of screened system i (0: the host pair), complete once its finish step ran.
 * Borrowed; valid until as_campaign_close. NULL when i is out of range. */
AS_API const as_screen_result *as_campaign_result(const as_campaign *c, size_t i);

typedef enum {
    AS_CAMPAIGN_SETUP = 1, /* lattice constants, references, the 22 starting structures */
    AS_CAMPAIGN_ROUND,     /* one active-learning round */
    AS_CAMPAIGN_FINISH     /* final model, predictions, the system's record */
} as_campaign_step_kind;

/* What one step did. */
typedef struct {
    as_campaign_step_kind kind;
    size_t system;                  /* index of the system (as_campaign_result) */
    size_t round;                   /* AS_CAMPAIGN_ROUND: 0-based */
    const as_screen_result *result; /* that system's result (borrowed, as as_campaign_result) */
    size_t steps_done, steps_total; /* progress over (1 + n_candidates) x (rounds + 2) steps; a
                                       skipped candidate and the rounds of an unstable system
                                       count as done */
} as_campaign_event;

/* 1 when every system is finished. */
AS_API int as_campaign_done(const as_campaign *c);
/* Run the next step (setup of the next system, its next round, or its finish) and describe it
 * in *ev. Each round's metrics and each finished system's result are written to the store as
 * soon as they are known. After the last step, as_campaign_done gives 1 and a further call
 * returns AS_EINVAL. Errors of the screen, oracle and store are returned as they come; after
 * one, further steps return AS_EINVAL (close, and open again with resume to continue: the
 * finished labels are in the store). */
AS_API as_status as_campaign_step(as_campaign *c, as_campaign_event *ev);

/* A system that is not ranked, and why. */
typedef struct {
    const char *name;               /* "Pt2CoSn" */
    const char *reason;             /* why it was skipped, or its note (not stable) */
    const as_screen_result *result; /* NULL when skipped before a screen existed */
} as_campaign_unranked;

typedef struct {
    size_t n_systems; /* finished systems, host pair first */
    const as_screen_result *const *systems;
    const as_screen_result *reference; /* the host pair (NULL before it finished) */
    size_t n_ranked;                   /* stable candidates by ordering energy, largest
                                              first, ties by name */
    const as_screen_result *const *ranked;
    size_t n_unranked; /* skipped candidates in the given order, then the
                                              finished systems found unstable */
    const as_campaign_unranked *unranked;
} as_campaign_ranking_view;

/* The ranking of the systems finished so far (all of them once as_campaign_done). Borrowed;
 * valid until the next as_campaign_step or as_campaign_close. NULL only when out of memory. */
AS_API const as_campaign_ranking_view *as_campaign_ranking(as_campaign *c);

/* Write the results (docs/campaign.md: command, campaign key, oracle, seed, physics note, every
 * system with its rounds and prediction sets, the ranking) to path as JSON, through a temporary
 * file renamed when complete. AS_EINVAL before as_campaign_done; AS_EIO. */
AS_API as_status as_campaign_write_json(as_campaign *c, const char *path);

/* The campaign key registered in the store. Borrowed; valid until as_campaign_close. */
AS_API const char *as_campaign_key(const as_campaign *c);
/* The oracle as named to a reader (plain "eam": "eam (Zhou 2004, tabulated for each system's
 * elements)"). Borrowed; valid until as_campaign_close. */
AS_API const char *as_campaign_oracle_name(const as_campaign *c);
/* Labels computed by this process over all systems (not taken from the store). */
AS_API size_t as_campaign_labels_computed(const as_campaign *c);
/* The executor of screened system i (as_campaign_result's index): NULL when labels run in
 * this process (no executor option, or "local"). Borrowed; valid until as_campaign_close. For
 * as_executor_interrupt, as_executor_cancel and as_executor_get_stats. */
AS_API as_executor *as_campaign_executor(as_campaign *c, size_t i);
/* The store the campaign writes to (borrowed; valid until as_campaign_close). */
AS_API as_store *as_campaign_store(as_campaign *c);
/* What the default oracle can and cannot tell (a static string: the EAM note). */
AS_API const char *as_campaign_physics_note(void);
/* The notes of the oracles this campaign uses ("" when none of them has one: the EAM note only
 * when a system is labelled by EAM). Borrowed; valid until as_campaign_close. */
AS_API const char *as_campaign_notes(const as_campaign *c);

/* The paper's pool of third elements (seed 004): Na Mg Sc Ti Mn Fe Ni Cu Ga Ge In Sn Sb Te Pb
 * Bi. *n receives 16. Static. */
AS_API const char *const *as_campaign_paper_candidates(size_t *n);

/* What an oracle is good for, one line (static): eam (Zhou 2004): the sign of the PtCo ordering,
 * not the trend across M; meam: alloy-fitted 2NN-MEAM; ase:gpaw: DFT-PBE; cmd:, lammps:,
 * ase:FILE.py and setfl files: the user's own model, unknown. */
AS_API const char *as_campaign_oracle_good_for(const char *spec);

/* Every requested system (host pair first, then the candidates in the given order), screened
 * or skipped. */
typedef struct {
    const char *name;               /* "Pt2CoCu" */
    const char *m;                  /* "Cu" ("" for the host pair) */
    const char *status;             /* "reference", "ranked", "flagged" (ranked, with a note or
                                       on a fallback oracle), "not ranked", "skipped" */
    const char *reason;             /* why not ranked / skipped, or the flag ("" when none) */
    const char *oracle;             /* the spec of the oracle that labels it ("" if skipped) */
    const char *good_for;           /* as_campaign_oracle_good_for of that oracle ("" if skipped) */
    int fallback;                   /* 1: not the first oracle of the list */
    const as_screen_result *result; /* NULL when skipped */
} as_campaign_system_info;

/* Number of requested systems (1 + candidates). */
AS_API size_t as_campaign_n_requested(const as_campaign *c);
/* System i of the requested ones (0: the host pair); the strings are borrowed until the next
 * step or close. AS_EINVAL when i is out of range. */
AS_API as_status as_campaign_system_info_get(as_campaign *c, size_t i,
                                             as_campaign_system_info *out);
/* 1 when every finished system that could be ranked has finite results (ordering energy and
 * its error); a run that breaks this ranks nothing non-finite and must not report success. */
AS_API int as_campaign_results_finite(const as_campaign *c);

/* ---- the ORR stage after the ranking (screen --orr; docs/orr.md, docs/campaign.md) ---- */

/* 1 when requested system i (0: the host pair) can go through the ORR stage: prototype l10,
 * finished, status reference, ranked or flagged, finite lattice constants. */
AS_API int as_campaign_orr_eligible(as_campaign *c, size_t i);
/* The ORR stage (as_orr_slab_run) of eligible system i on the lattice constants the screen
 * found (a, c of its ordered cell: no new cell fit): the core host A, B (L1_0; the host pair)
 * or A, B, M (the paper's Pt2CoM cell), the shell and slab of opt (its lattice_a / lattice_c
 * are replaced), relaxed with o (borrowed: forces, covering O and H). The result is kept
 * (as_campaign_orr_result; the system's "orr" object in as_campaign_write_json) and put in the
 * store (campaign_meta "orr:SYSTEM") with a key made of the oracle, the options, the core and
 * a, c: a later run with the same key takes it from there without relaxing again (*reused = 1;
 * reused may be NULL). Each relaxation of the stage is stored as it ends ("orr:SYSTEM:TAG",
 * as_orr_slab_run_ex's checkpoint, same key): a run stopped inside the stage relaxes only the
 * rest next time, to the same result bit for bit. A system the stage cannot treat (an element o does not cover, a slab
 * that does not relax) keeps the reason (as_campaign_orr_error) and gives AS_OK. AS_EINVAL for
 * a system that is not eligible; AS_EINTR after a signal; AS_EDB, AS_ENOMEM as they come. */
AS_API as_status as_campaign_orr_run(as_campaign *c, size_t i, as_oracle *o,
                                     const as_orr_slab_options *opt, int *reused);
/* The volcano's reference: the shell element's own (111) face (Pt(111)): the same stage on
 * the fcc core of opt->shell, its lattice constant fitted with o (cubic, as `orr --host Pt`),
 * kept, written (the root's "orr"."reference") and stored ("orr:reference") as above. */
AS_API as_status as_campaign_orr_reference(as_campaign *c, as_oracle *o,
                                           const as_orr_slab_options *opt, int *reused);
/* Its result (NULL when not run or failed) and why it failed ("" when it did not). */
AS_API const as_orr_slab_result *as_campaign_orr_reference_result(const as_campaign *c);
AS_API const char *as_campaign_orr_reference_error(const as_campaign *c);
/* The ORR result of requested system i: NULL when the stage did not run or failed. */
AS_API const as_orr_slab_result *as_campaign_orr_result(const as_campaign *c, size_t i);
/* The description of the oracle of the last as_campaign_orr_run ("" before). Borrowed. */
AS_API const char *as_campaign_orr_oracle(const as_campaign *c);
/* Why the stage failed for system i ("" when it did not fail). Borrowed. */
AS_API const char *as_campaign_orr_error(const as_campaign *c, size_t i);

#ifdef __cplusplus
}
#endif
#endif
