/* The round and finish phases' acquisition helpers of the ordering screen (issue 14): the
 * ordering energy as a linear functional of the GP, E_order = w.f with w = +1/n_r on the random
 * and -1/n_o on the ordered prediction configurations; its 95 % interval (GP posterior variance
 * of w.f, Rasmussen & Williams 2006 eq. 2.24, plus the sampling error of the two means); the qoi
 * batch, greedy in the posterior variance of w.f (as_gp_functional_batch); the calibration of
 * sigma on the held-out split; de-duplication of candidates up to lattice translations.
 * docs/campaign.md, "Acquisition and stopping". */
#include <math.h>
#include <string.h>

#include "acquire_int.h"
#include "core_int.h"

#define LOG_2PI 1.83787706640934548356065947281123527 /* log(2 pi) */

void as_acq_order_weights(size_t n_o, size_t n_r, double *w)
{
    for (size_t i = 0; i < n_o; i++)
        w[i] = -1.0 / (double)n_o;
    for (size_t i = 0; i < n_r; i++)
        w[n_o + i] = 1.0 / (double)n_r;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
    double m = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        m += v[i];
    m /= (double)(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *var = n > 1 ? q / (double)(n - 1) : 0;
}

as_status as_acq_order(as_gpr_model *m, const double *x_o, size_t n_o, const double *x_r,
                       size_t n_r, size_t d, const double *xc, size_t nc, size_t batch,
                       double scale, size_t *picked, size_t *n_picked, as_acq_interval *out,
                       double *var_after)
{
    const as_pca *pca = as_gpr_model_pca(m);
    as_gp *gp = as_gpr_model_gp(m);
    size_t k = as_pca_dim_out(pca), nw = n_o + n_r, np = 0;
    double *zw = NULL, *zc = NULL, *w = NULL, *mu = NULL, *var = NULL;
    as_status st = AS_OK;
    if (as_gpr_model_d(m) != d)
        return AS_FAIL(AS_EDIM, "screen: fingerprints of %zu features for a model of %zu", d,
                       as_gpr_model_d(m));
    AS_CHECK(AS_ALLOC(zw, nw * k + 1, "screen: functional"));
    AS_CHECK(AS_ALLOC(zc, nc * k + 1, "screen: functional"));
    AS_CHECK(AS_ALLOC(w, nw + 1, "screen: functional"));
    AS_CHECK(AS_ALLOC(mu, nw + 1, "screen: functional"));
    AS_CHECK(AS_ALLOC(var, batch + 1, "screen: functional"));
    AS_CHECK(as_pca_transform(pca, x_o, n_o, zw));
    AS_CHECK(as_pca_transform(pca, x_r, n_r, zw + n_o * k));
    if (nc)
        AS_CHECK(as_pca_transform(pca, xc, nc, zc));
    as_acq_order_weights(n_o, n_r, w);
    AS_CHECK(as_gp_functional_batch(gp, zw, w, nw, zc, nc, batch, picked, &np, var, NULL));
    /* the means from the model's predictions, as the finish step computes them */
    AS_CHECK(as_gpr_model_predict(m, x_o, n_o, mu, NULL));
    AS_CHECK(as_gpr_model_predict(m, x_r, n_r, mu + n_o, NULL));
    double mo, vo, mr, vr;
    mean_var(mu, n_o, &mo, &vo);
    mean_var(mu + n_o, n_r, &mr, &vr);
    out->mean = mr - mo;
    out->gp_sd = sqrt(var[0]);
    out->se = sqrt(vo / (double)n_o + vr / (double)n_r);
    out->scale = scale;
    out->ci95 = AS_ACQ_Z95 * sqrt(scale * var[0] + out->se * out->se);
    if (n_picked)
        *n_picked = np;
    if (var_after)
        *var_after = var[np];
fail:
    as_free(zw);
    as_free(zc);
    as_free(w);
    as_free(mu);
    as_free(var);
    return st;
}

double as_acq_var_scale(double rms_z, size_t n) { return n > 0 && rms_z > 1 ? rms_z * rms_z : 1.0; }

void as_acq_calibration(const double *y, const double *mu, const double *sd, size_t n,
                        as_acq_calib *out)
{
    memset(out, 0, sizeof *out);
    size_t k = 0;
    double c1 = 0, c2 = 0, nll = 0, sz = 0, szz = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(sd[i] > 0) || !isfinite(y[i]) || !isfinite(mu[i]))
            continue;
        double z = (y[i] - mu[i]) / sd[i];
        c1 += fabs(z) <= 1.0;
        c2 += fabs(z) <= 2.0;
        nll += 0.5 * LOG_2PI + log(sd[i]) + 0.5 * z * z;
        sz += z;
        szz += z * z;
        k++;
    }
    out->n = k;
    if (k == 0) {
        out->cover1 = out->cover2 = out->nll = out->mean_z = out->rms_z = NAN;
        return;
    }
    out->cover1 = c1 / (double)k;
    out->cover2 = c2 / (double)k;
    out->nll = nll / (double)k;
    out->mean_z = sz / (double)k;
    out->rms_z = sqrt(szz / (double)k);
}

static uint64_t class_hash(const as_lattice *lat, const int *config, size_t K)
{
    uint64_t C[AS_LATTICE_MAX_SHELLS * AS_LATTICE_MAX_SPECIES * AS_LATTICE_MAX_SPECIES];
    memset(C, 0, sizeof C);
    if (as_lattice_pair_counts(lat, config, K, C) != AS_OK)
        return 0;
    return as_hash64(AS_HASH64_INIT, C, sizeof C);
}

as_status as_acq_unique(const as_lattice *lat, size_t K, const int *cfg, size_t n_cfg,
                        const int *avoid, size_t n_avoid, size_t *keep, size_t *n_keep)
{
    size_t n = as_lattice_n_sites(lat), kept = 0;
    uint64_t *hc = NULL, *ha = NULL;
    as_status st = AS_OK;
    *n_keep = 0;
    AS_CHECK(AS_ALLOC(hc, n_cfg + 1, "screen: candidate hashes"));
    AS_CHECK(AS_ALLOC(ha, n_avoid + 1, "screen: candidate hashes"));
    for (size_t j = 0; j < n_avoid; j++)
        ha[j] = class_hash(lat, avoid + j * n, K);
    for (size_t i = 0; i < n_cfg; i++) {
        const int *c = cfg + i * n;
        uint64_t h = hc[i] = class_hash(lat, c, K);
        int dup = 0;
        for (size_t j = 0; j < n_avoid && !dup; j++)
            dup = ha[j] == h && as_lattice_same_up_to_translation(lat, avoid + j * n, c);
        for (size_t j = 0; j < kept && !dup; j++)
            dup = hc[keep[j]] == h && as_lattice_same_up_to_translation(lat, cfg + keep[j] * n, c);
        if (!dup)
            keep[kept++] = i;
    }
    *n_keep = kept;
fail:
    as_free(hc);
    as_free(ha);
    return st;
}

static const char *const acquire_names[] = {"sigma", "random", "qoi"};

const char *as_acquire_name(as_acquire a)
{
    return (unsigned)a < sizeof acquire_names / sizeof *acquire_names ? acquire_names[a] : NULL;
}

as_status as_acquire_parse(const char *text, as_acquire *out)
{
    for (unsigned i = 0; i < sizeof acquire_names / sizeof *acquire_names; i++)
        if (text && !strcmp(text, acquire_names[i])) {
            *out = (as_acquire)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "screen: acquisition rule '%s' is not one of sigma, random, qoi",
                   text ? text : "(null)");
}
