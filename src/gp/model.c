/* The workflow-B regression model of seed 004 (Methods, "Machine Learning"): z-score, PCA
 * keeping a variance fraction, GPR; and its JSON model file (format described in docs/gp.md). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp_int.h"

#define AS_GPR_FORMAT "alloyscout-gpr"
#define AS_GPR_VERSION 1

struct as_gpr_model {
    size_t d;
    as_pca *pca;
    as_gp *gp;
    char **features; /* d names or NULL */
    char *target;
    double *zbuf; /* scratch for projected queries, predict_batch * k */
    size_t zrows;
};

static void free_names(char **names, size_t d)
{
    if (!names)
        return;
    for (size_t j = 0; j < d; j++)
        as_free(names[j]);
    as_free(names);
}

void as_gpr_model_free(as_gpr_model *m)
{
    if (!m)
        return;
    as_pca_free(m->pca);
    as_gp_free(m->gp);
    free_names(m->features, m->d);
    as_free(m->target);
    as_free(m->zbuf);
    as_free(m);
}

/* every value of a (n, d) block finite and within AS_GP_VALUE_MAX (squares representable);
 * the message names the row and column (1-based) */
static as_status check_values(const char *what, const double *v, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if (!(fabs(v[i * d + j]) <= AS_GP_VALUE_MAX))
                return AS_FAIL(AS_EINVAL,
                               "gpr: %s row %zu, column %zu is %g: values must be "
                               "finite with |x| <= %g (their squares must be "
                               "representable)",
                               what, i + 1, j + 1, v[i * d + j], AS_GP_VALUE_MAX);
    return AS_OK;
}

static as_status model_finish(as_gpr_model *m)
{
    m->zrows = as_gp_options_of(m->gp)->predict_batch;
    return AS_ALLOC(m->zbuf, m->zrows * as_pca_dim_out(m->pca), "gpr projected queries");
}

as_status as_gpr_model_fit(const double *x, const double *y, size_t n, size_t d,
                           double pca_fraction, const as_gp_options *opt, uint64_t seed,
                           as_gp_workspace *w, as_gpr_model **out)
{
    as_status st = AS_OK;
    as_gpr_model *m = NULL;
    double *z = NULL;
    if (!out)
        return AS_FAIL(AS_EINVAL, "gpr: out pointer is NULL");
    *out = NULL;
    AS_TRY(as_gp_options_check(opt));
    if (x && n && d)
        AS_TRY(check_values("feature", x, n, d));
    if (y && n)
        AS_TRY(check_values("target", y, n, 1));
    AS_CHECK(AS_ALLOC(m, 1, "gpr model"));
    m->d = d;
    AS_CHECK(as_pca_fit(x, n, d, pca_fraction, 1, &m->pca));
    size_t k = as_pca_dim_out(m->pca);
    AS_CHECK(AS_ALLOC(z, n * k, "gpr projected inputs"));
    AS_CHECK(as_pca_transform(m->pca, x, n, z));
    AS_CHECK(as_gp_fit(z, y, n, k, opt, seed, w, &m->gp));
    AS_CHECK(model_finish(m));
    *out = m;
    goto done;
fail:
    as_gpr_model_free(m);
done:
    as_free(z);
    return st;
}

as_status as_gpr_model_predict(as_gpr_model *m, const double *xq, size_t nq, double *mean,
                               double *std)
{
    if (!m || (nq > 0 && (!xq || !mean)))
        return AS_FAIL(AS_EINVAL, "gpr: predict with a NULL model, input or output");
    size_t d = m->d;
    AS_TRY(check_values("query", xq, nq, d));
    for (size_t q0 = 0; q0 < nq; q0 += m->zrows) {
        size_t b = AS_MIN(m->zrows, nq - q0);
        AS_TRY(as_pca_transform(m->pca, xq + q0 * d, b, m->zbuf));
        AS_TRY(as_gp_predict(m->gp, m->zbuf, b, mean + q0, std ? std + q0 : NULL));
    }
    for (size_t q = 0; q < nq; q++) /* never hand back NaN or inf as a prediction */
        if (!isfinite(mean[q]) || (std && !(std[q] >= 0 && isfinite(std[q]))))
            return AS_FAIL(AS_ENOCONV,
                           "gpr: the prediction for query row %zu is not finite "
                           "(mean %g, std %g)",
                           q + 1, mean[q], std ? std[q] : 0.0);
    return AS_OK;
}

const as_pca *as_gpr_model_pca(const as_gpr_model *m) { return m->pca; }
as_gp *as_gpr_model_gp(const as_gpr_model *m) { return m->gp; }
size_t as_gpr_model_d(const as_gpr_model *m) { return m->d; }
const char *as_gpr_model_target(const as_gpr_model *m) { return m->target; }

const char *as_gpr_model_feature_name(const as_gpr_model *m, size_t j)
{
    return (m->features && j < m->d) ? m->features[j] : NULL;
}

as_status as_gpr_model_set_features(as_gpr_model *m, const char *const *names)
{
    char **nn = NULL;
    if (!m)
        return AS_FAIL(AS_EINVAL, "gpr: model is NULL");
    if (names) {
        AS_TRY(AS_ALLOC(nn, m->d, "gpr feature names"));
        for (size_t j = 0; j < m->d; j++) {
            nn[j] = as_strdup(names[j] ? names[j] : "");
            if (!nn[j]) {
                free_names(nn, m->d);
                return AS_FAIL(AS_ENOMEM, "gpr: cannot copy feature name %zu", j);
            }
        }
    }
    free_names(m->features, m->d);
    m->features = nn;
    return AS_OK;
}

as_status as_gpr_model_set_target(as_gpr_model *m, const char *name)
{
    char *t = NULL;
    if (!m)
        return AS_FAIL(AS_EINVAL, "gpr: model is NULL");
    if (name && !(t = as_strdup(name)))
        return AS_FAIL(AS_ENOMEM, "gpr: cannot copy the target name");
    as_free(m->target);
    m->target = t;
    return AS_OK;
}

/* ---------------------------------- JSON ---------------------------------- */

/* clang-format off */
#define OPT_NUMS(X) X(c2_init) X(c2_lo) X(c2_hi) X(ls_init) X(ls_lo) X(ls_hi) X(noise_init) \
    X(noise_lo) X(noise_hi) X(jitter) X(jitter_max) X(ftol_rel) X(xtol_rel) X(bound_tol)
/* clang-format on */
#define OPT_INTS(X) X(optimize) X(ard) X(noise) X(normalize_y)
#define OPT_SIZES(X) X(restarts) X(max_eval) X(predict_batch) X(threads)

static as_status options_to_json(const as_gp_options *o, as_json *j)
{
#define PUT(f) AS_TRY(as_json_set_num(j, #f, (double)o->f));
    OPT_NUMS(PUT)
    OPT_INTS(PUT)
    OPT_SIZES(PUT)
#undef PUT
    return AS_OK;
}

static as_status options_from_json(const as_json *j, const char *where, as_gp_options *o)
{
    double v;
    *o = as_gp_options_default();
#define GETD(f) AS_TRY(as_json_get_num(j, #f, where, &o->f));
#define GETI(f)                                \
    AS_TRY(as_json_get_num(j, #f, where, &v)); \
    o->f = v != 0;
#define GETS(f)                                                                         \
    AS_TRY(as_json_get_num(j, #f, where, &v));                                          \
    if (!(v >= 0 && v < 1e15) || v != floor(v))                                         \
        return AS_FAIL(AS_EPARSE, "%s: option '%s' = %g is not a count", where, #f, v); \
    o->f = (size_t)v;
    OPT_NUMS(GETD)
    OPT_INTS(GETI)
    OPT_SIZES(GETS)
#undef GETD
#undef GETI
#undef GETS
    as_status st = as_gp_options_check(o);
    if (st != AS_OK)
        return as_error_prefix(AS_EPARSE, "%s: ", where);
    return AS_OK;
}

as_status as_gpr_model_save(const as_gpr_model *m, const char *path)
{
    as_status st = AS_OK;
    as_json *root = NULL, *pj = NULL, *gj = NULL, *oj = NULL, *fj = NULL;
    if (!m || !path)
        return AS_FAIL(AS_EINVAL, "gpr: save with a NULL model or path");
    const as_gp *gp = m->gp;
    size_t n = as_gp_n(gp), k = as_gp_d(gp);
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, as_gp_seed(gp));
    root = as_json_object();
    pj = as_json_object();
    gj = as_json_object();
    oj = as_json_object();
    if (!root || !pj || !gj || !oj) {
        st = AS_FAIL(AS_ENOMEM, "gpr: cannot build the model document");
        goto fail;
    }
    AS_CHECK(as_json_set_str(root, "format", AS_GPR_FORMAT));
    AS_CHECK(as_json_set_num(root, "version", AS_GPR_VERSION));
    AS_CHECK(as_json_set_str(root, "alloyscout", as_version()));
    AS_CHECK(as_json_set_str(root, "seed", seed));
    AS_CHECK(as_json_set_num(root, "d", (double)m->d));
    if (m->target)
        AS_CHECK(as_json_set_str(root, "target", m->target));
    if (m->features) {
        fj = as_json_array();
        if (!fj) {
            st = AS_FAIL(AS_ENOMEM, "gpr: cannot build the feature list");
            goto fail;
        }
        for (size_t j = 0; j < m->d; j++)
            AS_CHECK(as_json_push_str(fj, m->features[j]));
        st = as_json_set_child(root, "features", fj);
        fj = NULL;
        AS_CHECK(st);
    }
    AS_CHECK(as_pca_to_json(m->pca, pj));
    st = as_json_set_child(root, "pca", pj);
    pj = NULL;
    AS_CHECK(st);
    AS_CHECK(options_to_json(as_gp_options_of(gp), oj));
    st = as_json_set_child(gj, "options", oj);
    oj = NULL;
    AS_CHECK(st);
    AS_CHECK(as_json_set_num(gj, "n", (double)n));
    AS_CHECK(as_json_set_num(gj, "d", (double)k));
    AS_CHECK(as_json_set_doubles(gj, "theta", as_gp_theta(gp), as_gp_n_theta_of(gp)));
    AS_CHECK(as_json_set_num(gj, "c2", as_gp_c2(gp)));
    AS_CHECK(as_json_set_doubles(gj, "length_scales", as_gp_length_scales(gp),
                                 as_gp_options_of(gp)->ard ? k : 1));
    AS_CHECK(as_json_set_num(gj, "noise", as_gp_noise(gp)));
    AS_CHECK(as_json_set_num(gj, "jitter", as_gp_jitter_used(gp)));
    AS_CHECK(as_json_set_num(gj, "lml", as_gp_lml_value(gp)));
    AS_CHECK(as_json_set_num(gj, "best_start", (double)as_gp_best_start(gp)));
    AS_CHECK(as_json_set_num(gj, "ok_starts", (double)as_gp_ok_starts(gp)));
    AS_CHECK(as_json_set_doubles(gj, "x", as_gp_x_train(gp), n * k));
    AS_CHECK(as_json_set_doubles(gj, "y", as_gp_y_train(gp), n));
    st = as_json_set_child(root, "gp", gj);
    gj = NULL;
    AS_CHECK(st);
    AS_CHECK(as_json_write_file(root, path));
fail:
    as_json_free(root);
    as_json_free(pj);
    as_json_free(gj);
    as_json_free(oj);
    as_json_free(fj);
    return st;
}

static as_status get_count(const as_json *o, const char *key, const char *where, double hi,
                           size_t *out)
{
    double v;
    AS_TRY(as_json_get_num(o, key, where, &v));
    if (!(v >= 0 && v <= hi) || v != floor(v))
        return AS_FAIL(AS_EPARSE, "%s: '%s' = %g is not a count <= %g", where, key, v, hi);
    *out = (size_t)v;
    return AS_OK;
}

/* A loaded model is used only when every number is usable: finite PCA parameters, training
 * inputs and targets within AS_GP_VALUE_MAX, theta finite and (for a fitted model) inside its
 * bounds, so a hand-edited or corrupted file cannot predict NaN or sigma = 0. */
static as_status check_loaded(const char *path, const char *where, const as_pca *pca,
                              const as_gp_options *opt, size_t k, const double *theta,
                              const double *x, const double *y, size_t n)
{
    size_t d = as_pca_dim_in(pca);
    const double *mean = as_pca_mean(pca), *scale = as_pca_scale(pca);
    for (size_t j = 0; j < d; j++) {
        if (!(fabs(mean[j]) <= AS_GP_VALUE_MAX))
            return AS_FAIL(AS_EPARSE,
                           "%s: pca: 'mean' element %zu is %g (not finite or out of "
                           "range)",
                           path, j, mean[j]);
        if (!(scale[j] > 0 && scale[j] <= AS_GP_VALUE_MAX))
            return AS_FAIL(AS_EPARSE,
                           "%s: pca: 'scale' element %zu is %g (must be finite and "
                           "> 0)",
                           path, j, scale[j]);
    }
    const double *comp = as_pca_components(pca), *ev = as_pca_explained_variance(pca);
    if (comp)
        for (size_t q = 0; q < as_pca_dim_out(pca) * d; q++)
            if (!(fabs(comp[q]) <= 1.0 + 1e-6)) /* rows are unit vectors */
                return AS_FAIL(AS_EPARSE,
                               "%s: pca: 'components' element %zu is %g (components "
                               "are unit vectors)",
                               path, q, comp[q]);
    if (ev)
        for (size_t r = 0; r < as_pca_rank(pca); r++)
            if (!(ev[r] >= 0 && isfinite(ev[r])))
                return AS_FAIL(AS_EPARSE, "%s: pca: 'explained_variance' element %zu is %g", path,
                               r, ev[r]);
    for (size_t q = 0; q < n * k; q++)
        if (!(fabs(x[q]) <= AS_GP_VALUE_MAX))
            return AS_FAIL(AS_EPARSE, "%s: 'x' element %zu is %g (not finite or out of range)",
                           where, q, x[q]);
    for (size_t i = 0; i < n; i++)
        if (!(fabs(y[i]) <= AS_GP_VALUE_MAX))
            return AS_FAIL(AS_EPARSE, "%s: 'y' element %zu is %g (not finite or out of range)",
                           where, i, y[i]);
    size_t nt = as_gp_n_theta(opt, k);
    double lo[nt], hi[nt], t0[nt];
    as_gp_theta_bounds(opt, k, lo, hi, t0);
    for (size_t p = 0; p < nt; p++) {
        /* exp(theta) must be a positive finite double; a fitted theta lies in its bounds */
        int bad = !(fabs(theta[p]) <= 700);
        if (!bad && opt->optimize)
            bad = !(theta[p] >= lo[p] - 1e-9 && theta[p] <= hi[p] + 1e-9);
        if (bad)
            return AS_FAIL(AS_EPARSE,
                           "%s: 'theta' element %zu is %g, outside its bounds [%g, "
                           "%g] (log of the options' *_lo and *_hi)",
                           where, p, theta[p], lo[p], hi[p]);
    }
    return AS_OK;
}

as_status as_gpr_model_load(const char *path, as_gpr_model **out)
{
    as_status st = AS_OK;
    as_json *root = NULL;
    as_gpr_model *m = NULL;
    double *x = NULL, *y = NULL, *theta = NULL;
    if (!out)
        return AS_FAIL(AS_EINVAL, "gpr: out pointer is NULL");
    *out = NULL;
    if (!path)
        return AS_FAIL(AS_EINVAL, "gpr: model path is NULL");
    AS_CHECK(as_json_read_file(path, &root));
    const char *fmt;
    double ver, v;
    AS_CHECK(as_json_get_str(root, "format", path, &fmt));
    if (strcmp(fmt, AS_GPR_FORMAT) != 0) {
        st = AS_FAIL(AS_EPARSE, "%s: format '%s' is not an alloyscout GPR model ('%s')", path, fmt,
                     AS_GPR_FORMAT);
        goto fail;
    }
    AS_CHECK(as_json_get_num(root, "version", path, &ver));
    if (ver != AS_GPR_VERSION) {
        st = AS_FAIL(AS_EPARSE,
                     "%s: model format version %g is not supported (this build "
                     "reads version %d)",
                     path, ver, AS_GPR_VERSION);
        goto fail;
    }
    AS_CHECK(AS_ALLOC(m, 1, "gpr model"));
    const char *seed_s;
    AS_CHECK(as_json_get_str(root, "seed", path, &seed_s));
    char *end;
    uint64_t seed = strtoull(seed_s, &end, 10);
    if (!*seed_s || *end) {
        st = AS_FAIL(AS_EPARSE, "%s: seed '%s' is not an unsigned integer", path, seed_s);
        goto fail;
    }
    AS_CHECK(get_count(root, "d", path, 1 << 20, &m->d));
    const as_json *pj = as_json_get(root, "pca"), *gj = as_json_get(root, "gp");
    if (!pj || !gj) {
        st = AS_FAIL(AS_EPARSE, "%s: missing key '%s'", path, pj ? "gp" : "pca");
        goto fail;
    }
    char where[512];
    snprintf(where, sizeof where, "%s: pca", path);
    AS_CHECK(as_pca_from_json(pj, where, &m->pca));
    if (as_pca_dim_in(m->pca) != m->d) {
        st = AS_FAIL(AS_EPARSE, "%s: PCA input dimension %zu differs from d = %zu", path,
                     as_pca_dim_in(m->pca), m->d);
        goto fail;
    }
    snprintf(where, sizeof where, "%s: gp", path);
    const as_json *oj = as_json_get(gj, "options");
    if (!oj) {
        st = AS_FAIL(AS_EPARSE, "%s: missing key 'options'", where);
        goto fail;
    }
    as_gp_options opt;
    AS_CHECK(options_from_json(oj, where, &opt));
    size_t n, k, best_start, ok_starts;
    AS_CHECK(get_count(gj, "n", where, 1e8, &n));
    AS_CHECK(get_count(gj, "d", where, 1 << 20, &k));
    if (n == 0 || k != as_pca_dim_out(m->pca)) {
        st = AS_FAIL(AS_EPARSE, "%s: n = %zu, d = %zu do not match the PCA output %zu", where, n, k,
                     as_pca_dim_out(m->pca));
        goto fail;
    }
    AS_CHECK(get_count(gj, "best_start", where, 1e15, &best_start));
    AS_CHECK(get_count(gj, "ok_starts", where, 1e15, &ok_starts));
    size_t nt = as_gp_n_theta(&opt, k);
    AS_CHECK(AS_ALLOC(theta, nt, "gpr theta"));
    AS_CHECK(AS_ALLOC(x, n * k, "gpr training inputs"));
    AS_CHECK(AS_ALLOC(y, n, "gpr training targets"));
    AS_CHECK(as_json_get_doubles(gj, "theta", where, theta, nt));
    AS_CHECK(as_json_get_doubles(gj, "x", where, x, n * k));
    AS_CHECK(as_json_get_doubles(gj, "y", where, y, n));
    AS_CHECK(as_json_get_num(gj, "jitter", where, &v));
    if (!(v >= 0) || !isfinite(v)) {
        st = AS_FAIL(AS_EPARSE, "%s: jitter %g must be >= 0", where, v);
        goto fail;
    }
    AS_CHECK(check_loaded(path, where, m->pca, &opt, k, theta, x, y, n));
    /* refactor at the saved hyperparameters and jitter: same arithmetic as the fit */
    opt.jitter_max = AS_MAX(opt.jitter_max, v);
    AS_CHECK(as_gp_build(x, y, n, k, &opt, theta, v, seed, &m->gp));
    as_gp_set_starts(m->gp, best_start, ok_starts);
    const char *target;
    if (as_json_get(root, "target")) {
        AS_CHECK(as_json_get_str(root, "target", path, &target));
        AS_CHECK(as_gpr_model_set_target(m, target));
    }
    const as_json *fj = as_json_get(root, "features");
    if (fj) {
        if (as_json_size(fj) != m->d) {
            st = AS_FAIL(AS_EPARSE, "%s: 'features' has %zu names, expected %zu", path,
                         as_json_size(fj), m->d);
            goto fail;
        }
        AS_CHECK(AS_ALLOC(m->features, m->d, "gpr feature names"));
        for (size_t j = 0; j < m->d; j++) {
            const char *s = as_json_string(as_json_at(fj, j));
            if (!s) {
                st = AS_FAIL(AS_EPARSE, "%s: feature name %zu is not a string", path, j);
                goto fail;
            }
            if (!(m->features[j] = as_strdup(s))) {
                st = AS_FAIL(AS_ENOMEM, "gpr: cannot copy feature name %zu", j);
                goto fail;
            }
        }
    }
    AS_CHECK(model_finish(m));
    *out = m;
    goto done;
fail:
    if (!strstr(as_errmsg(), path)) /* every failure of a load names the file */
        st = as_error_prefix(st, "%s", path);
    as_gpr_model_free(m);
done:
    as_json_free(root);
    as_free(x);
    as_free(y);
    as_free(theta);
    return st;
}
