/* alloyscout campaign area: the ordering screen of workflow B (seed 004, Methods: "Solubility
 * Test", "Machine Learning", "Active Learning") for one host pair and one third element M.
 *
 * One as_screen holds one system (PtCo itself when M is NULL, else Pt2CoM):
 *   as_screen_setup      lattice constants by energy, reference energies (ordered Pt2CoM, L1_0
 *                        PtCo and PtM), the paper's 22 starting structures labelled (relaxed)
 *                        with their RMSD, the stability check;
 *   as_screen_round      one active-learning round: fit z-score + PCA + GPR on the training
 *                        labels, score the test split (MAE, R^2), walk `chains` Monte Carlo
 *                        chains towards high predicted sigma, label the `per_round` most
 *                        uncertain distinct new configurations; the same label budget spent on
 *                        random configurations gives the learning curve of random selection;
 *   as_screen_finish     final model, predictions for the ordered / random / across-alpha sets,
 *                        ordering energy with its standard error, correlations, segregation
 *                        energy, and (optionally) validation against direct oracle labels.
 * The caller loops (the CLI reports progress). Labels live in an SQLite label store (oracle.h);
 * every step is deterministic given the seed, so a killed run that is started again replays the
 * same steps, takes every finished label from the store, and ends with identical results.
 *
 * Energies are eV per atom relative to the ordered Pt2CoM cell (for PtCo: the ordered L1_0
 * cell). */
#ifndef ALLOYSCOUT_CAMPAIGN_H
#define ALLOYSCOUT_CAMPAIGN_H

#include "alloyscout/core.h"
#include "alloyscout/oracle.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    char host[2][AS_SYMBOL_MAX]; /* "Pt", "Co" */
    size_t size;           /* supercell repetitions of the 4-atom Pt2CoM cell per axis; 3 */
    size_t rounds;         /* active-learning rounds; 7 */
    size_t chains;         /* Monte Carlo chains per round; 20 */
    size_t chain_steps;    /* swaps attempted per chain; 60 */
    double sigma_temp;     /* Metropolis temperature for a lower sigma, as a fraction of the
                              chain's starting sigma; 0.1 */
    size_t per_round;      /* configurations labelled per round; 10 */
    double test_fraction;  /* share of every labelled batch held out for MAE / R^2; 0.2 */
    size_t n_ordered, n_random, n_across; /* prediction sets; 300, 300, 3800 */
    size_t validate;       /* extra random configurations labelled to measure the true MAE,
                              and then the direct oracle ordering energy; 0 (off) */
    int random_baseline;   /* 1: also run random selection with the same budget; 1 */
    double pca_fraction;   /* variance kept by the PCA; 0.99 */
    size_t gp_restarts;    /* GPR optimizer restarts; 50 */
    int gp_noise;          /* 1: fit a white-noise term (relaxed energies carry the noise of the
                              force tolerance); 1 */
    double fmax;           /* relaxation force tolerance, eV/A; 0.03 (paper) */
    double rmsd_max;       /* a relaxation moving atoms by more (root mean square, A) destroyed
                              the lattice; 0.35 */
    double unstable_share; /* a system whose starting structures lose the lattice more often
                              than this is reported unstable and not ranked; 0.2 */
    double a_init;         /* starting fcc lattice constant for the cell optimization, A; 3.8 */
    double scale_lo, scale_hi; /* bracket of the optimized a and c, as factors of a_init; a cell
                              whose optimum lies on the bracket has no stable lattice constant
                              with the oracle (not ranked); 0.8 and 1.25 */
    uint64_t seed;
} as_screen_options;

AS_API as_screen_options as_screen_options_default(void);
AS_API as_status as_screen_options_check(const as_screen_options *opt);

/* Per-round learning curve entry. */
typedef struct {
    size_t n_train, n_test;
    double mae, r2;            /* active learning, on the test split, eV/atom */
    double mae_random, r2_random; /* random selection with the same number of labels */
    double val_mae, val_mae_random; /* on the validation set (NAN without --validate) */
    double lml;                /* log-marginal-likelihood of the fitted GP */
    double c2, length, noise;  /* fitted hyperparameters (length: the first one) */
    size_t pca_dim;            /* components kept */
    double max_sigma;          /* largest predicted sigma among the labelled picks, eV/atom */
    char *picked;              /* the configurations labelled this round, one digit (species
                                  index, symbols as in the system name) per site, joined by ','
                                  (owned by the screen; NULL before the round ran) */
} as_screen_round_info;

typedef struct {
    char m[AS_SYMBOL_MAX];       /* "" for the host pair itself */
    char name[16];               /* "PtCo" or "Pt2CoCu" */
    double a_ang, c_ang;         /* optimized lattice constants of the ordered cell */
    double e_ordered_ev_atom;    /* absolute energy of the ordered cell, eV/atom */
    double e_seg_ev_atom;        /* E(Pt2CoM) - 1/2 [E(PtCo) + E(PtM)], eV/atom (0 for PtCo) */
    double a_ptco_ang, a_ptm_ang;/* lattice constants of the L1_0 references */
    int stable;                  /* 0: the oracle destroys the lattice (not ranked) */
    size_t n_unstable, n_start;  /* starting structures that lost the lattice / all */
    double rmsd_max_seen;        /* largest relaxation RMSD among the labels, A */
    double rmsd_mean, rmsd_paper_mean; /* mean RMSD of the starting structures (both formulas) */
    size_t n_labels, n_failed;   /* labels used / oracle failures */
    size_t rounds_done;
    as_screen_round_info *round; /* (rounds) */
    double e_order_ev_atom;      /* <E_random> - <E_ordered> (surrogate) */
    double e_order_se;           /* its standard error over the configurations */
    double mean_ordered, mean_random;
    double corr_alpha_ptx;       /* Pearson r of E with alpha^{Pt-(Co,M)}_1 over the 3800 set */
    double corr_alpha_com;       /* ... with alpha^{Co-M}_1 (NAN for the binary) */
    double final_mae, final_r2;  /* final model on the test split, eV/atom */
    double val_mae;              /* true MAE on the validation set (NAN when off) */
    double e_order_direct, e_order_direct_se; /* direct oracle ordering energy (NAN when off) */
    /* prediction sets (owned): alpha^{Pt-(Co,M)}_1, alpha^{Co-M}_1, predicted mean and sigma */
    size_t n_pred[3];            /* ordered, random, across */
    double *pred_alpha[3], *pred_alpha_com[3], *pred_mean[3], *pred_std[3];
    /* labels (owned): alpha and oracle energy of every label used, and the model's prediction
     * for the test split (for a parity plot) */
    size_t n_test_final;
    double *test_true, *test_pred;
    char note[512];              /* why a system is unstable or skipped */
} as_screen_result;

typedef struct as_screen as_screen;

/* A screen of the system host + m (m NULL: the host pair alone). The oracle and the store are
 * borrowed and must outlive the screen. AS_EINVAL when the oracle does not support an element
 * (the message names the elements it supports). */
AS_API as_status as_screen_create(const as_screen_options *opt, const char *m, as_oracle *oracle,
                                  as_label_store *store, as_screen **out);
AS_API void as_screen_free(as_screen *s);
AS_API as_status as_screen_setup(as_screen *s);
/* Round r (0-based, in order). */
AS_API as_status as_screen_round(as_screen *s, size_t r);
AS_API as_status as_screen_finish(as_screen *s);
/* Borrowed; valid while s lives. */
AS_API const as_screen_result *as_screen_get_result(const as_screen *s);
/* Labels computed by this process (not taken from the store). */
AS_API size_t as_screen_labels_computed(const as_screen *s);

#ifdef __cplusplus
}
#endif
#endif

#ifndef ALLOYSCOUT_CAMPAIGN_DB_H
#define ALLOYSCOUT_CAMPAIGN_DB_H
#ifdef __cplusplus
extern "C" {
#endif
/* The campaign's own records in the same SQLite file as the label store (tables prefixed
 * campaign_): the options it was started with, each round's metrics and model summary, and each
 * finished system's result, every write committed at once. */
typedef struct as_campaign_db as_campaign_db;
AS_API as_status as_campaign_db_open(const char *path, as_campaign_db **out);
AS_API void as_campaign_db_close(as_campaign_db *db);
/* *value: a new string (as_free) or NULL when the key is absent. */
AS_API as_status as_campaign_db_get(as_campaign_db *db, const char *key, char **value);
AS_API as_status as_campaign_db_set(as_campaign_db *db, const char *key, const char *value);
/* Record a round (system, 0-based round) or a system result (round = (size_t)-1) as JSON text. */
AS_API as_status as_campaign_db_put(as_campaign_db *db, const char *system, size_t round,
                                    const char *json);
/* Number of records put. */
AS_API as_status as_campaign_db_count(as_campaign_db *db, size_t *count);
#ifdef __cplusplus
}
#endif
#endif
