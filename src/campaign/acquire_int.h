/* Private helpers of the campaign area for the round and finish phases of a screen
 * (src/campaign/acquire.c): the ordering-energy functional of a model and its interval, the
 * qoi batch, calibration of sigma on held-out labels, and translation-aware de-duplication of
 * candidate configurations. Never installed. */
#ifndef AS_CAMPAIGN_ACQUIRE_INT_H
#define AS_CAMPAIGN_ACQUIRE_INT_H

#include "alloyscout/campaign.h"
#include "alloyscout/gp.h"
#include "alloyscout/lattice.h"

/* z of the two-sided 95 % normal interval */
#define AS_ACQ_Z95 1.959963984540054

/* The ordering energy E_order = mean f(random) - mean f(ordered) under a model. */
typedef struct {
    double mean;  /* <mu_random> - <mu_ordered>, eV/atom */
    double gp_sd; /* posterior sd of the functional w.f (latent f), eV/atom */
    double se;    /* sampling error of the two means, sqrt(var_o/n_o + var_r/n_r) of mu */
    double scale; /* kappa = max(1, mean z^2 on the held-out split): the factor on the GP
                      variance when the held-out labels say sigma is too small */
    double ci95;  /* half-width 1.96 sqrt(kappa gp_sd^2 + se^2) */
} as_acq_interval;

/* Weights w (n_o + n_r): -1/n_o on the ordered rows, +1/n_r on the random rows. */
void as_acq_order_weights(size_t n_o, size_t n_r, double *w);

/* The interval of E_order under model m over the fingerprints x_o (n_o, d) and x_r (n_r, d),
 * and optionally a qoi batch: of the candidates xc (nc, d), the `batch` that lower Var[w.f]
 * most, chosen greedily (as_gp_functional_batch), scale = kappa; picked (batch) indices, *n_picked, var_after
 * (Var after the batch, eV^2/atom^2; may be NULL). nc = batch = 0: the interval only. */
as_status as_acq_order(as_gpr_model *m, const double *x_o, size_t n_o, const double *x_r,
                       size_t n_r, size_t d, const double *xc, size_t nc, size_t batch,
                       double scale, size_t *picked, size_t *n_picked, as_acq_interval *out,
                       double *var_after);
/* kappa of a calibration: max(1, rms_z^2); 1 without held-out labels. */
double as_acq_var_scale(double rms_z, size_t n);

/* Calibration of the predictive sigma on held-out labels: y (n) oracle, mu and sd (n)
 * predicted (sd including the noise term). z = (y - mu) / sd. */
typedef struct {
    size_t n;
    double cover1, cover2; /* share with |z| <= 1, <= 2 (ideal 0.683, 0.954) */
    double nll;            /* mean of log(2 pi sd^2)/2 + z^2/2 */
    double mean_z, rms_z;  /* ideal 0 and 1 */
} as_acq_calib;
void as_acq_calibration(const double *y, const double *mu, const double *sd, size_t n,
                        as_acq_calib *out);

/* Of cfg (n_cfg configurations of n sites), keep the first of every class of configurations
 * equal up to a lattice translation, leaving out every class of avoid (n_avoid, may be NULL).
 * keep (n_cfg): indices kept, in order; *n_keep. Classes are found through the hash of the
 * translation-invariant pair counts (as in src/lattice/mc.c) and confirmed with
 * as_lattice_same_up_to_translation. AS_ENOMEM, AS_EINVAL. */
as_status as_acq_unique(const as_lattice *lat, size_t K, const int *cfg, size_t n_cfg,
                        const int *avoid, size_t n_avoid, size_t *keep, size_t *n_keep);

#endif
