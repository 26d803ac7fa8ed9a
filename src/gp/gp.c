/* Gaussian-process regression with k(x,x') = C^2 exp(-|x-x'|^2/(2 l^2)) [+ s I], seed 004
 * Methods "Machine Learning" eq. (9)-(11); log-marginal-likelihood and its gradient as in
 * Rasmussen & Williams (2006) eq. (2.30) and (5.9), derived in docs/gp.md:
 *
 *   K = Kf + (s + jitter) I,  Kf_ij = C^2 exp(-r_ij / 2),  r_ij = sum_k (x_ik - x_jk)^2 / l_k^2
 *   LML = -1/2 y^T a - sum_i log L_ii - n/2 log(2 pi),       a = K^{-1} y,  K = L L^T
 *   dLML/dtheta_p = 1/2 sum_ij (a a^T - K^{-1})_ij dK_ij/dtheta_p,  theta = log parameters:
 *     dK/dlog C^2 = Kf,  dK/dlog l_k = Kf * (x_ik - x_jk)^2 / l_k^2,  dK/dlog s = s I.
 *
 * The kernel matrix lives in one n x n buffer: lower triangle K -> L -> K^{-1} (dpotri), strict
 * upper triangle Kf kept for the gradient. The optimiser is NLopt's bounded L-BFGS (the only
 * place nlopt.h is seen). */
#include <math.h>
#include <nlopt.h>
#include <string.h>

#include "gp_int.h"

/* Side of the square blocks in which the kernel matrix is filled and read. */
#define AS_GP_TILE 64
/* exp(-h) rounds to +0 in double for h above this (below 745.13 it is subnormal, kept as is). */
#define AS_EXP_UNDERFLOW 746.0
/* log(2 pi) */
#define AS_LOG_2PI 1.83787706640934548356065947281123527

struct as_gp_workspace {
    size_t n_max, d_max;
    double *a;      /* (n_max, n_max): K / L / K^{-1} lower, Kf strict upper */
    double *dist;   /* (n_max, n_max): squared distances, lower triangle (isotropic kernel) */
    double *alpha;  /* (n_max) */
    double *yn;     /* (n_max) normalized targets */
    size_t slots;   /* extra per-thread (a, alpha) pairs, grown on first threaded use */
    double *xa;     /* (slots, n_max, n_max) */
    double *xalpha; /* (slots, n_max) */
};

struct as_gp {
    size_t n, d, nt;
    as_gp_options opt;
    uint64_t seed;
    double *x;       /* (n, d) training inputs as given */
    double *y;       /* (n) targets as given */
    double *xs;      /* (n, d) inputs divided by the length scales */
    double *xs_norm; /* (n) |xs_i|^2 */
    double *l;       /* (n, n) Cholesky factor, lower */
    double *alpha;   /* (n) K^{-1} yn */
    double *th;      /* (nt) */
    double *ls;      /* (ard ? d : 1) */
    double c2, noise, y_mean, y_std, lml, jitter;
    size_t best_start, ok_starts, evals;
    double *work; /* predict scratch, as_gp_predict_work_len */
};

as_gp_options as_gp_options_default(void)
{
    as_gp_options o;
    memset(&o, 0, sizeof o);
    o.restarts = 50;
    o.optimize = 1;
    o.c2_init = 1.0;
    o.c2_lo = 1e-5;
    o.c2_hi = 1e3;
    o.ls_init = 1.0;
    o.ls_lo = 1e-5;
    o.ls_hi = 1e3;
    o.ard = 0;
    o.noise = 0;
    o.noise_init = 1.0;
    o.noise_lo = 1e-5;
    o.noise_hi = 1e5;
    o.normalize_y = 1;
    o.jitter = 1e-10;
    o.jitter_max = 1e-4;
    o.ftol_rel = 1e-12;
    o.xtol_rel = 1e-10;
    o.max_eval = 1000;
    o.bound_tol = 1e-5;
    o.predict_batch = 1024;
    o.threads = 0;
    return o;
}

static as_status check_bounds(const char *name, double init, double lo, double hi)
{
    if (!(lo > 0) || !(hi >= lo) || !isfinite(hi))
        return AS_FAIL(AS_EINVAL, "gp: %s bounds [%g, %g] must satisfy 0 < lo <= hi < inf", name,
                       lo, hi);
    if (!(init >= lo && init <= hi))
        return AS_FAIL(AS_EINVAL, "gp: %s initial value %g outside its bounds [%g, %g]", name, init,
                       lo, hi);
    return AS_OK;
}

as_status as_gp_options_check(const as_gp_options *o)
{
    if (!o)
        return AS_FAIL(AS_EINVAL, "gp: options are NULL");
    AS_TRY(check_bounds("C^2 (c2)", o->c2_init, o->c2_lo, o->c2_hi));
    AS_TRY(check_bounds("length scale (ls)", o->ls_init, o->ls_lo, o->ls_hi));
    if (o->noise)
        AS_TRY(check_bounds("noise", o->noise_init, o->noise_lo, o->noise_hi));
    if (!(o->jitter >= 0) || !isfinite(o->jitter))
        return AS_FAIL(AS_EINVAL, "gp: jitter %g must be >= 0", o->jitter);
    if (!(o->jitter_max >= o->jitter) || !isfinite(o->jitter_max))
        return AS_FAIL(AS_EINVAL, "gp: jitter_max %g must be >= jitter %g", o->jitter_max,
                       o->jitter);
    if (!(o->ftol_rel >= 0) || !(o->xtol_rel >= 0))
        return AS_FAIL(AS_EINVAL, "gp: ftol_rel %g and xtol_rel %g must be >= 0", o->ftol_rel,
                       o->xtol_rel);
    if (o->optimize && o->max_eval == 0)
        return AS_FAIL(AS_EINVAL, "gp: max_eval must be > 0");
    if (!(o->bound_tol >= 0))
        return AS_FAIL(AS_EINVAL, "gp: bound_tol %g must be >= 0", o->bound_tol);
    if (o->predict_batch == 0)
        return AS_FAIL(AS_EINVAL, "gp: predict_batch must be > 0");
    return AS_OK;
}

static void center(double *init, double lo, double hi)
{
    if (lo > 0 && hi >= lo && !(*init >= lo && *init <= hi))
        *init = sqrt(lo * hi);
}

void as_gp_options_center_inits(as_gp_options *o)
{
    if (!o)
        return;
    center(&o->c2_init, o->c2_lo, o->c2_hi);
    center(&o->ls_init, o->ls_lo, o->ls_hi);
    center(&o->noise_init, o->noise_lo, o->noise_hi);
}

size_t as_gp_n_theta(const as_gp_options *opt, size_t d)
{
    return 1 + (opt->ard ? d : 1) + (opt->noise ? 1 : 0);
}

/* log-space bounds and start values, in theta order */
static void theta_bounds(const as_gp_options *o, size_t d, double *lo, double *hi, double *t0);

void as_gp_theta_bounds(const as_gp_options *o, size_t d, double *lo, double *hi, double *t0)
{
    theta_bounds(o, d, lo, hi, t0);
}

static void theta_bounds(const as_gp_options *o, size_t d, double *lo, double *hi, double *t0)
{
    size_t nl = o->ard ? d : 1, p = 0;
    lo[p] = log(o->c2_lo), hi[p] = log(o->c2_hi), t0[p] = log(o->c2_init), p++;
    for (size_t k = 0; k < nl; k++, p++)
        lo[p] = log(o->ls_lo), hi[p] = log(o->ls_hi), t0[p] = log(o->ls_init);
    if (o->noise)
        lo[p] = log(o->noise_lo), hi[p] = log(o->noise_hi), t0[p] = log(o->noise_init);
}

/* ---------------------------------- workspace ---------------------------------- */

as_status as_gp_workspace_create(size_t n_max, size_t d_max, as_gp_workspace **out)
{
    as_status st = AS_OK;
    as_gp_workspace *w = NULL;
    if (!out)
        return AS_FAIL(AS_EINVAL, "gp: workspace out pointer is NULL");
    *out = NULL;
    if (n_max == 0 || d_max == 0)
        return AS_FAIL(AS_EINVAL, "gp: workspace size n_max %zu, d_max %zu must be > 0", n_max,
                       d_max);
    if (n_max > ((size_t)1 << 31) / n_max)
        return AS_FAIL(AS_EINVAL, "gp: workspace n_max %zu too large", n_max);
    AS_CHECK(AS_ALLOC(w, 1, "gp workspace"));
    w->n_max = n_max;
    w->d_max = d_max;
    AS_CHECK(AS_ALLOC(w->a, n_max * n_max, "gp kernel matrix"));
    AS_CHECK(AS_ALLOC(w->dist, n_max * n_max, "gp distance matrix"));
    AS_CHECK(AS_ALLOC(w->alpha, n_max, "gp alpha"));
    AS_CHECK(AS_ALLOC(w->yn, n_max, "gp targets"));
    *out = w;
    return AS_OK;
fail:
    as_gp_workspace_free(w);
    return st;
}

void as_gp_workspace_free(as_gp_workspace *w)
{
    if (!w)
        return;
    as_free(w->a);
    as_free(w->dist);
    as_free(w->alpha);
    as_free(w->yn);
    as_free(w->xa);
    as_free(w->xalpha);
    as_free(w);
}

/* Make room for `slots` extra threads (kept for later fits). */
static as_status ws_slots(as_gp_workspace *w, size_t slots)
{
    if (w->slots >= slots)
        return AS_OK;
    double *xa = NULL, *xal = NULL;
    as_status st = AS_ALLOC(xa, slots * w->n_max * w->n_max, "gp per-thread kernel matrices");
    if (st == AS_OK)
        st = AS_ALLOC(xal, slots * w->n_max, "gp per-thread alpha");
    if (st != AS_OK) {
        as_free(xa);
        return st;
    }
    as_free(w->xa);
    as_free(w->xalpha);
    w->xa = xa;
    w->xalpha = xal;
    w->slots = slots;
    return AS_OK;
}

/* ---------------------------------- LML core ---------------------------------- */

/* Normalization of y: scikit-learn's normalize_y (mean, population std, 0 -> 1). */
static void y_normalize(const double *y, size_t n, int on, double *yn, double *mean, double *sd)
{
    double m = 0, v = 0;
    if (on) {
        for (size_t i = 0; i < n; i++)
            m += y[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (y[i] - m) * (y[i] - m);
        v = sqrt(v / (double)n);
        if (v == 0)
            v = 1;
    } else {
        v = 1;
    }
    for (size_t i = 0; i < n; i++)
        yn[i] = (y[i] - m) / v;
    *mean = m;
    *sd = v;
}

/* Squared distances, lower triangle: dist_ij = |x_i - x_j|^2, x (n, d); dist may be NULL.
 * Returns the smallest one (+inf when n < 2). */
static double sq_dist(const double *x, size_t n, size_t d, double *dist)
{
    double dmin = HUGE_VAL;
    for (size_t i = 0; i < n; i++) {
        const double *xi = x + i * d;
        for (size_t j = 0; j < i; j++) {
            const double *xj = x + j * d;
            double s = 0;
            for (size_t k = 0; k < d; k++) {
                double t = xi[k] - xj[k];
                s += t * t;
            }
            if (dist)
                dist[i * n + j] = s;
            dmin = s < dmin ? s : dmin;
        }
    }
    return dmin;
}

typedef struct {
    const double *x;    /* (n, d) */
    const double *yn;   /* (n) */
    const double *dist; /* (n, n) squared distances, lower (isotropic kernel only) */
    double dmin;        /* smallest squared distance between two inputs (sq_dist) */
    size_t n, d;
    const as_gp_options *opt;
    double *a;     /* (n, n) scratch */
    double *alpha; /* (n) scratch */
} lml_ctx;

/* Every off-diagonal Kf_ij is +0 (exp(-h) underflows, h >= AS_EXP_UNDERFLOW for all pairs):
 * true when the closest pair underflows. Exact for the isotropic kernel, where
 * h_ij = 0.5 (dist_ij / l^2) grows with dist_ij even after rounding; with per-feature length
 * scales h_ij >= 0.5 min_k(1/l_k^2) dist_ij, checked with a margin far above the rounding of
 * the d-term sum. Half the random restarts start at such a tiny length scale. */
static int kernel_is_diagonal(const lml_ctx *c, double inv_l2_min)
{
    if (!c->opt->ard)
        return 0.5 * (c->dmin * inv_l2_min) >= AS_EXP_UNDERFLOW;
    return 0.5 * (c->dmin * inv_l2_min) >= AS_EXP_UNDERFLOW * (1 + 1e-9);
}

/* lml_eval for K = kappa I, kappa = C^2 + s + jitter: the same quantities in O(n), computed as
 * the Cholesky route computes them (L = sqrt(kappa) I); dK/dlog l_k vanishes. */
static as_status lml_eval_diagonal(const lml_ctx *c, double c2, double s, double jitter,
                                   double *lml, double *grad)
{
    size_t n = c->n, nl = c->opt->ard ? c->d : 1;
    double *al = c->alpha, kappa = c2 + s + jitter;
    if (!(kappa > 0))
        return AS_FAIL(AS_ENOTPD, "gp: kernel matrix not positive definite (diagonal %g)", kappa);
    double lii = sqrt(kappa), quad = 0, tr = 0;
    for (size_t i = 0; i < n; i++) {
        al[i] = c->yn[i] / lii / lii;
        quad += c->yn[i] * al[i];
    }
    *lml = -0.5 * quad - (double)n * log(lii) - 0.5 * (double)n * AS_LOG_2PI;
    if (!grad)
        return AS_OK;
    double kinv = (1 / lii) * (1 / lii);
    for (size_t i = 0; i < n; i++)
        tr += al[i] * al[i] - kinv;
    grad[0] = 0.5 * tr * c2;
    for (size_t k = 0; k < nl; k++)
        grad[1 + k] = 0;
    if (c->opt->noise)
        grad[1 + nl] = 0.5 * tr * s;
    return AS_OK;
}

/* LML and gradient (if grad) at theta with a given jitter. AS_ENOTPD when K is not positive
 * definite. On success c->alpha holds K^{-1} yn and, unless K is diagonal, c->a holds L
 * (grad == NULL) or K^{-1} (grad != NULL) in its lower part. */
static as_status lml_eval(const lml_ctx *c, const double *theta, double jitter, double *lml,
                          double *grad)
{
    size_t n = c->n, d = c->d, nl = c->opt->ard ? d : 1;
    double *a = c->a, *al = c->alpha;
    const double *dist = c->dist, *x = c->x;
    double c2 = exp(theta[0]);
    double s = c->opt->noise ? exp(theta[1 + nl]) : 0.0;
    double inv_l2[nl > 0 ? nl : 1], inv_l2_min = HUGE_VAL;
    for (size_t k = 0; k < nl; k++) {
        double lk = exp(theta[1 + k]);
        inv_l2[k] = 1.0 / (lk * lk);
        inv_l2_min = inv_l2[k] < inv_l2_min ? inv_l2[k] : inv_l2_min;
    }
    if (kernel_is_diagonal(c, inv_l2_min))
        return lml_eval_diagonal(c, c2, s, jitter, lml, grad);
    /* K lower (with diagonal), Kf strict upper; in TILE x TILE blocks so that the transposed
     * (strided) store stays in cache */
    for (size_t ib = 0; ib < n; ib += AS_GP_TILE) {
        size_t ie = AS_MIN(n, ib + AS_GP_TILE);
        for (size_t jb = 0; jb <= ib; jb += AS_GP_TILE) {
            for (size_t i = ib; i < ie; i++) {
                const double *xi = x + i * d;
                size_t je = AS_MIN(i, jb + AS_GP_TILE);
                for (size_t j = jb; j < je; j++) {
                    double h; /* r / 2 */
                    if (c->opt->ard) {
                        const double *xj = x + j * d;
                        double r = 0;
                        for (size_t k = 0; k < d; k++) {
                            double t = xi[k] - xj[k];
                            r += t * t * inv_l2[k];
                        }
                        h = 0.5 * r;
                    } else {
                        h = 0.5 * (dist[i * n + j] * inv_l2[0]);
                    }
                    double kf = h < AS_EXP_UNDERFLOW ? c2 * exp(-h) : 0.0;
                    a[i * n + j] = kf;
                    a[j * n + i] = kf;
                }
            }
        }
        for (size_t i = ib; i < ie; i++)
            a[i * n + i] = c2 + s + jitter;
    }
    as_status st = as_gp_potrf(n, a, n);
    if (st != AS_OK)
        return st;
    double logdet = 0, quad = 0;
    for (size_t i = 0; i < n; i++) {
        logdet += log(a[i * n + i]);
        al[i] = c->yn[i];
    }
    AS_TRY(as_gp_potrs(n, a, n, al));
    for (size_t i = 0; i < n; i++)
        quad += c->yn[i] * al[i];
    *lml = -0.5 * quad - logdet - 0.5 * (double)n * AS_LOG_2PI;
    if (!grad)
        return AS_OK;
    AS_TRY(as_gp_potri(n, a, n));
    size_t nt = 1 + nl + (c->opt->noise ? 1 : 0);
    double g[nt];
    for (size_t p = 0; p < nt; p++)
        g[p] = 0;
    /* W = a a^T - K^{-1}; grad_p = 1/2 sum_ij W_ij dK_ij/dtheta_p, off-diagonal pairs twice */
    for (size_t ib = 0; ib < n; ib += AS_GP_TILE) {
        size_t ie = AS_MIN(n, ib + AS_GP_TILE);
        for (size_t jb = 0; jb <= ib; jb += AS_GP_TILE) {
            for (size_t i = ib; i < ie; i++) {
                const double *xi = x + i * d;
                size_t je = AS_MIN(i, jb + AS_GP_TILE);
                for (size_t j = jb; j < je; j++) {
                    double wk = 2.0 * (al[i] * al[j] - a[i * n + j]) * a[j * n + i];
                    g[0] += wk;
                    if (c->opt->ard) {
                        const double *xj = x + j * d;
                        for (size_t k = 0; k < d; k++) {
                            double t = xi[k] - xj[k];
                            g[1 + k] += wk * t * t * inv_l2[k];
                        }
                    } else {
                        g[1] += wk * dist[i * n + j] * inv_l2[0];
                    }
                }
            }
        }
        for (size_t i = ib; i < ie; i++) {
            double wii = al[i] * al[i] - a[i * n + i];
            g[0] += wii * c2; /* r_ii = 0: the length-scale terms vanish on the diagonal */
            if (c->opt->noise)
                g[1 + nl] += wii * s;
        }
    }
    for (size_t p = 0; p < nt; p++)
        grad[p] = 0.5 * g[p];
    return AS_OK;
}

static as_status check_data(const double *x, const double *y, size_t n, size_t d)
{
    if (!x || !y)
        return AS_FAIL(AS_EINVAL, "gp: x or y is NULL");
    if (n == 0 || d == 0)
        return AS_FAIL(AS_EINVAL, "gp: need n >= 1 samples and d >= 1 features (got %zu, %zu)", n,
                       d);
    for (size_t i = 0; i < n; i++) {
        if (!(fabs(y[i]) <= AS_GP_VALUE_MAX))
            return AS_FAIL(AS_EINVAL,
                           "gp: target %zu = %g is not finite or above %g in "
                           "magnitude (its square must be representable)",
                           i, y[i], AS_GP_VALUE_MAX);
        for (size_t k = 0; k < d; k++)
            if (!(fabs(x[i * d + k]) <= AS_GP_VALUE_MAX))
                return AS_FAIL(AS_EINVAL,
                               "gp: input (%zu, %zu) = %g is not finite or above %g "
                               "in magnitude",
                               i, k, x[i * d + k], AS_GP_VALUE_MAX);
    }
    return AS_OK;
}

static as_status ws_prepare(size_t n, size_t d, as_gp_workspace *w, as_gp_workspace **tmp,
                            as_gp_workspace **use)
{
    *tmp = NULL;
    if (w) {
        if (w->n_max < n || w->d_max < d)
            return AS_FAIL(AS_EDIM,
                           "gp: workspace for n <= %zu, d <= %zu used with n = %zu, "
                           "d = %zu",
                           w->n_max, w->d_max, n, d);
        *use = w;
        return AS_OK;
    }
    AS_TRY(as_gp_workspace_create(n, d, tmp));
    *use = *tmp;
    return AS_OK;
}

as_status as_gp_lml(const double *x, const double *y, size_t n, size_t d, const as_gp_options *opt,
                    const double *theta, as_gp_workspace *w, double *lml, double *grad)
{
    as_gp_workspace *tmp = NULL, *ws = NULL;
    double ym, ysd;
    AS_TRY(as_gp_options_check(opt));
    AS_TRY(check_data(x, y, n, d));
    if (!theta || !lml)
        return AS_FAIL(AS_EINVAL, "gp: theta or lml is NULL");
    AS_TRY(ws_prepare(n, d, w, &tmp, &ws));
    y_normalize(y, n, opt->normalize_y, ws->yn, &ym, &ysd);
    double dmin = sq_dist(x, n, d, opt->ard ? NULL : ws->dist);
    lml_ctx c = {x, ws->yn, ws->dist, dmin, n, d, opt, ws->a, ws->alpha};
    as_status st = lml_eval(&c, theta, opt->jitter, lml, grad);
    as_gp_workspace_free(tmp);
    return st;
}

/* ---------------------------------- optimisation ---------------------------------- */

typedef struct {
    const lml_ctx *c;
    double best_f;  /* best (lowest) -LML seen in this start */
    double *best_x; /* (nt) */
    size_t nt, evals;
    nlopt_opt nl;    /* the optimiser running this start (stopped on a fatal error) */
    as_status fatal; /* an error other than a kernel matrix that is not positive definite */
} start_ctx;

static double nlopt_obj(unsigned nt, const double *t, double *grad, void *data)
{
    start_ctx *s = data;
    double lml;
    s->evals++;
    as_status st = lml_eval(s->c, t, s->c->opt->jitter, &lml, grad);
    if (st != AS_OK && st != AS_ENOTPD && s->fatal == AS_OK) {
        /* not a property of this point (no memory, no LAPACK): stop, and fail the fit */
        s->fatal = st;
        nlopt_force_stop(s->nl);
    }
    if (st != AS_OK || !isfinite(lml)) {
        /* not positive definite here: a wall for the line search (scikit-learn returns -inf) */
        if (grad)
            for (unsigned p = 0; p < nt; p++)
                grad[p] = 0;
        return HUGE_VAL;
    }
    if (grad)
        for (unsigned p = 0; p < nt; p++)
            grad[p] = -grad[p];
    if (-lml < s->best_f) {
        s->best_f = -lml;
        memcpy(s->best_x, t, nt * sizeof *t);
    }
    return -lml;
}

/* Per-thread state of the restarts: the LML scratch, the start's best point, the optimiser. */
typedef struct {
    lml_ctx c;
    start_ctx sc;
    nlopt_opt nl;
} worker;

/* What every start shares (read only, except each start's own result slots). */
typedef struct {
    worker *wk; /* (n_workers) */
    const double *lo, *hi, *t0;
    uint64_t seed;
    double *fs;  /* (nstart) best -LML per start, HUGE_VAL when none was finite */
    size_t *evs; /* (nstart) LML evaluations per start */
    double *ths; /* (nstart, nt) its theta */
} starts;

/* One start r on the worker that took it (as_parallel_for_worker hands starts to whichever
 * thread is free: their costs differ tenfold, so a fixed split would leave a core idle): start 0
 * at the initial values, start r at a log-uniform point drawn from as_rng_stream(seed, r). A
 * start's result depends only on r, never on the thread. A start that never finds a positive-
 * definite kernel matrix is recorded as HUGE_VAL, not as a failure. */
static as_status start_task(size_t r, size_t w, void *arg)
{
    starts *s = arg;
    worker *k = &s->wk[w];
    size_t nt = k->sc.nt;
    double th[nt];
    if (r == 0) {
        memcpy(th, s->t0, nt * sizeof *th);
    } else {
        as_rng rng;
        as_rng_stream(&rng, s->seed, (uint64_t)r);
        for (size_t p = 0; p < nt; p++)
            th[p] = s->lo[p] + as_rng_uniform(&rng) * (s->hi[p] - s->lo[p]);
    }
    k->sc.best_f = HUGE_VAL;
    k->sc.evals = 0;
    k->sc.nl = k->nl;
    k->sc.fatal = AS_OK;
    double fmin;
    nlopt_result res = nlopt_optimize(k->nl, th, &fmin);
    (void)res; /* the best point seen is tracked by the objective */
    if (k->sc.fatal != AS_OK)
        return k->sc.fatal; /* its message is this thread's (as_parallel_for carries it) */
    s->fs[r] = k->sc.best_f;
    s->evs[r] = k->sc.evals;
    memcpy(s->ths + r * nt, k->sc.best_x, nt * sizeof *th);
    return AS_OK;
}

size_t as_gp_default_threads(void) { return as_parallel_threads(SIZE_MAX, 0); }

/* ---------------------------------- build / fit ---------------------------------- */

void as_gp_free(as_gp *gp)
{
    if (!gp)
        return;
    as_free(gp->x);
    as_free(gp->y);
    as_free(gp->xs);
    as_free(gp->xs_norm);
    as_free(gp->l);
    as_free(gp->alpha);
    as_free(gp->th);
    as_free(gp->ls);
    as_free(gp->work);
    as_free(gp);
}

size_t as_gp_predict_work_len(const as_gp *gp)
{
    size_t b = gp->opt.predict_batch;
    return b * gp->n + b * gp->d + b;
}

/* Factor K(theta) into gp->l with jitter escalation. */
static as_status gp_factor(as_gp *gp, double jitter)
{
    size_t n = gp->n, d = gp->d;
    double c2 = gp->c2, s = gp->noise, *l = gp->l;
    as_status st = AS_ENOTPD;
    double next = gp->opt.jitter_max * 1e-6, tried = jitter;
    for (int attempt = 0;; attempt++) {
        for (size_t i = 0; i < n; i++) {
            const double *xi = gp->xs + i * d;
            for (size_t j = 0; j < i; j++) {
                const double *xj = gp->xs + j * d;
                double r = 0;
                for (size_t k = 0; k < d; k++) {
                    double t = xi[k] - xj[k];
                    r += t * t;
                }
                double h = 0.5 * r;
                l[i * n + j] = h < AS_EXP_UNDERFLOW ? c2 * exp(-h) : 0.0;
            }
            l[i * n + i] = c2 + s + tried;
        }
        st = as_gp_potrf(n, l, n);
        if (st == AS_OK)
            break;
        if (st != AS_ENOTPD)
            return st;
        while (next > 0 && next <= tried && next <= gp->opt.jitter_max)
            next *= 10;
        if (!(next > tried) || next > gp->opt.jitter_max * (1 + 1e-9))
            return AS_FAIL(AS_ENOTPD,
                           "gp: kernel matrix (n = %zu) is not positive definite even with "
                           "jitter %g (jitter_max); duplicated inputs without a noise term? "
                           "enable the noise term or raise jitter_max",
                           n, tried);
        as_log(AS_LOG_WARN,
               "gp: kernel matrix not positive definite with jitter %g; retrying "
               "with jitter %g",
               tried, next);
        tried = next;
    }
    if (tried != jitter)
        as_log(AS_LOG_WARN, "gp: used jitter %g on the diagonal (requested %g)", tried, jitter);
    gp->jitter = tried;
    return AS_OK;
}

as_status as_gp_build(const double *x, const double *y, size_t n, size_t d,
                      const as_gp_options *opt, const double *theta, double jitter, uint64_t seed,
                      as_gp **out)
{
    as_status st = AS_OK;
    as_gp *gp = NULL;
    *out = NULL;
    size_t nt = as_gp_n_theta(opt, d), nl = opt->ard ? d : 1;
    AS_CHECK(AS_ALLOC(gp, 1, "gp"));
    gp->n = n;
    gp->d = d;
    gp->nt = nt;
    gp->opt = *opt;
    gp->seed = seed;
    AS_CHECK(AS_ALLOC(gp->x, n * d, "gp inputs"));
    AS_CHECK(AS_ALLOC(gp->y, n, "gp targets"));
    AS_CHECK(AS_ALLOC(gp->xs, n * d, "gp scaled inputs"));
    AS_CHECK(AS_ALLOC(gp->xs_norm, n, "gp input norms"));
    AS_CHECK(AS_ALLOC(gp->l, n * n, "gp Cholesky factor"));
    AS_CHECK(AS_ALLOC(gp->alpha, n, "gp alpha"));
    AS_CHECK(AS_ALLOC(gp->th, nt, "gp theta"));
    AS_CHECK(AS_ALLOC(gp->ls, nl, "gp length scales"));
    AS_CHECK(AS_ALLOC(gp->work, as_gp_predict_work_len(gp), "gp prediction scratch"));
    memcpy(gp->x, x, n * d * sizeof *x);
    memcpy(gp->y, y, n * sizeof *y);
    memcpy(gp->th, theta, nt * sizeof *theta);
    gp->c2 = exp(theta[0]);
    for (size_t k = 0; k < nl; k++)
        gp->ls[k] = exp(theta[1 + k]);
    gp->noise = opt->noise ? exp(theta[1 + nl]) : 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < d; k++) {
            double v = x[i * d + k] / gp->ls[opt->ard ? k : 0];
            gp->xs[i * d + k] = v;
            s += v * v;
        }
        gp->xs_norm[i] = s;
    }
    y_normalize(y, n, opt->normalize_y, gp->alpha, &gp->y_mean, &gp->y_std);
    AS_CHECK(gp_factor(gp, jitter));
    double quad = 0, logdet = 0;
    for (size_t i = 0; i < n; i++)
        logdet += log(gp->l[i * n + i]);
    double *yn = gp->work; /* scratch: the normalized targets */
    memcpy(yn, gp->alpha, n * sizeof *yn);
    AS_CHECK(as_gp_potrs(n, gp->l, n, gp->alpha));
    for (size_t i = 0; i < n; i++)
        quad += yn[i] * gp->alpha[i];
    gp->lml = -0.5 * quad - logdet - 0.5 * (double)n * AS_LOG_2PI;
    gp->best_start = 0;
    gp->ok_starts = 0;
    *out = gp;
    return AS_OK;
fail:
    as_gp_free(gp);
    return st;
}

static void report_bounds(const as_gp *gp)
{
    int flags[gp->nt];
    static const char *const side[] = {"lower", "", "upper"};
    if (as_gp_at_bound(gp, flags) == 0)
        return;
    size_t nl = gp->opt.ard ? gp->d : 1;
    for (size_t p = 0; p < gp->nt; p++) {
        if (!flags[p])
            continue;
        const char *what = p == 0 ? "C^2" : p <= nl ? "length scale" : "noise";
        as_log(AS_LOG_WARN,
               "gp: hyperparameter %zu (%s%s) = %g is at its %s bound; consider "
               "widening the bounds",
               p, what, (p >= 1 && p <= nl && nl > 1) ? " of one feature" : "", exp(gp->th[p]),
               side[flags[p] + 1]);
    }
}

as_status as_gp_fit(const double *x, const double *y, size_t n, size_t d, const as_gp_options *opt,
                    uint64_t seed, as_gp_workspace *w, as_gp **out)
{
    as_status st = AS_OK;
    as_gp_workspace *tmp = NULL, *ws = NULL;
    worker *wk = NULL;
    size_t nwk = 0;
    double *lo = NULL, *hi = NULL, *t0 = NULL, *best = NULL, *sbest = NULL;
    double *fs = NULL, *ths = NULL;
    size_t *evs = NULL;
    if (!out)
        return AS_FAIL(AS_EINVAL, "gp: out pointer is NULL");
    *out = NULL;
    AS_TRY(as_gp_options_check(opt));
    AS_TRY(check_data(x, y, n, d));
    size_t nt = as_gp_n_theta(opt, d);
    AS_CHECK(AS_ALLOC(lo, nt, "gp bounds"));
    AS_CHECK(AS_ALLOC(hi, nt, "gp bounds"));
    AS_CHECK(AS_ALLOC(t0, nt, "gp theta"));
    AS_CHECK(AS_ALLOC(best, nt, "gp theta"));
    theta_bounds(opt, d, lo, hi, t0);
    memcpy(best, t0, nt * sizeof *t0);
    size_t best_start = 0, ok_starts = 0, evals = 0;
    if (opt->optimize) {
        double ym, ysd;
        size_t nstart = opt->restarts + 1;
        size_t nthr = as_parallel_threads(nstart, opt->threads);
        AS_CHECK(ws_prepare(n, d, w, &tmp, &ws));
        if (nthr > 1)
            AS_CHECK(ws_slots(ws, nthr - 1));
        AS_CHECK(AS_ALLOC(fs, nstart, "gp start results"));
        AS_CHECK(AS_ALLOC(evs, nstart, "gp start results"));
        AS_CHECK(AS_ALLOC(ths, nstart * nt, "gp start results"));
        AS_CHECK(AS_ALLOC(wk, nthr, "gp workers"));
        nwk = nthr;
        AS_CHECK(AS_ALLOC(sbest, nthr * nt, "gp theta"));
        y_normalize(y, n, opt->normalize_y, ws->yn, &ym, &ysd);
        double dmin = sq_dist(x, n, d, opt->ard ? NULL : ws->dist);
        for (size_t t = 0; t < nthr; t++) {
            worker *k = &wk[t];
            k->c = (lml_ctx){x,
                             ws->yn,
                             ws->dist,
                             dmin,
                             n,
                             d,
                             opt,
                             t == 0 ? ws->a : ws->xa + (t - 1) * ws->n_max * ws->n_max,
                             t == 0 ? ws->alpha : ws->xalpha + (t - 1) * ws->n_max};
            k->sc = (start_ctx){&k->c, HUGE_VAL, sbest + t * nt, nt, 0, NULL, AS_OK};
            k->nl = nlopt_create(NLOPT_LD_LBFGS, (unsigned)nt);
            if (!k->nl) {
                st = AS_FAIL(AS_ENOMEM, "gp: cannot create the NLopt optimiser");
                goto fail;
            }
            if (nlopt_set_lower_bounds(k->nl, lo) < 0 || nlopt_set_upper_bounds(k->nl, hi) < 0 ||
                nlopt_set_min_objective(k->nl, nlopt_obj, &k->sc) < 0 ||
                nlopt_set_ftol_rel(k->nl, opt->ftol_rel) < 0 ||
                nlopt_set_xtol_rel(k->nl, opt->xtol_rel) < 0 ||
                nlopt_set_maxeval(k->nl, (int)AS_MIN(opt->max_eval, (size_t)1 << 30)) < 0) {
                st = AS_FAIL(AS_ENOMEM, "gp: cannot configure the NLopt optimiser");
                goto fail;
            }
        }
        starts sh = {wk, lo, hi, t0, seed, fs, evs, ths};
        /* every start runs with single-threaded BLAS (also on one thread, where the pool leaves
         * BLAS alone), so its arithmetic and the result do not depend on the thread count */
        int blas_prev = as_blas_threads_set(1);
        st = as_parallel_for_worker(nstart, nthr, start_task, &sh);
        as_blas_threads_set(blas_prev);
        AS_CHECK(st);
        /* combine in start order: the best LML wins, ties go to the lower index */
        double best_f = HUGE_VAL;
        for (size_t r = 0; r < nstart; r++) {
            evals += evs[r];
            if (!(fs[r] < HUGE_VAL))
                continue;
            ok_starts++;
            if (fs[r] < best_f) {
                best_f = fs[r];
                best_start = r;
                memcpy(best, ths + r * nt, nt * sizeof *best);
            }
        }
        if (ok_starts == 0)
            as_log(AS_LOG_WARN, "gp: no start gave a positive-definite kernel matrix; using the "
                                "initial hyperparameters");
    }
    AS_CHECK(as_gp_build(x, y, n, d, opt, best, opt->jitter, seed, out));
    (*out)->best_start = best_start;
    (*out)->ok_starts = ok_starts;
    (*out)->evals = evals;
    report_bounds(*out);
fail:
    for (size_t t = 0; t < nwk; t++)
        if (wk[t].nl)
            nlopt_destroy(wk[t].nl);
    as_free(wk);
    as_free(fs);
    as_free(evs);
    as_free(ths);
    as_gp_workspace_free(tmp);
    as_free(lo);
    as_free(hi);
    as_free(t0);
    as_free(best);
    as_free(sbest);
    return st;
}

/* ---------------------------------- prediction ---------------------------------- */

as_status as_gp_predict_r(const as_gp *gp, const double *xq, size_t m, double *mean, double *std,
                          double *work)
{
    if (!gp || (m > 0 && (!xq || !mean || !work)))
        return AS_FAIL(AS_EINVAL, "gp: predict with a NULL model, input, output or scratch");
    size_t n = gp->n, d = gp->d, bmax = gp->opt.predict_batch;
    double c2 = gp->c2, prior = c2 + gp->noise;
    for (size_t q0 = 0; q0 < m; q0 += bmax) {
        size_t b = AS_MIN(bmax, m - q0);
        /* ks (b, n) = C^2 exp(-|q - x|^2 / 2) on length-scaled inputs; the cross term via gemm */
        double *ks = work, *qs = work + bmax * n, *qn = qs + bmax * d;
        for (size_t q = 0; q < b; q++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) {
                double v = xq[(q0 + q) * d + k] / gp->ls[gp->opt.ard ? k : 0];
                qs[q * d + k] = v;
                s += v * v;
            }
            qn[q] = s;
        }
        as_matrix A = {b, d, d, qs}, B = {n, d, d, gp->xs}, C = {b, n, n, ks};
        AS_TRY(as_gemm(0, 1, -2.0, &A, &B, 0.0, &C));
        for (size_t q = 0; q < b; q++) {
            double mu = 0;
            for (size_t i = 0; i < n; i++) {
                double r = ks[q * n + i] + qn[q] + gp->xs_norm[i];
                double h = 0.5 * (r > 0 ? r : 0);
                double kv = h < AS_EXP_UNDERFLOW ? c2 * exp(-h) : 0.0;
                ks[q * n + i] = kv;
                mu += kv * gp->alpha[i];
            }
            mean[q0 + q] = gp->y_std * mu + gp->y_mean;
        }
        if (!std)
            continue;
        /* v = L^{-1} k*, var = k(x,x) - |v|^2, clipped at 0 */
        AS_TRY(as_gp_trsm_rows(n, gp->l, n, ks, b, n));
        for (size_t q = 0; q < b; q++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += ks[q * n + i] * ks[q * n + i];
            double var = prior - s;
            std[q0 + q] = var > 0 ? sqrt(var) * gp->y_std : 0.0;
        }
    }
    return AS_OK;
}

as_status as_gp_predict(as_gp *gp, const double *xq, size_t m, double *mean, double *std)
{
    if (!gp)
        return AS_FAIL(AS_EINVAL, "gp: predict with a NULL model");
    return as_gp_predict_r(gp, xq, m, mean, std, gp->work);
}

/* ---------------------------------- getters ---------------------------------- */

size_t as_gp_n(const as_gp *gp) { return gp->n; }
size_t as_gp_d(const as_gp *gp) { return gp->d; }
size_t as_gp_n_theta_of(const as_gp *gp) { return gp->nt; }
const double *as_gp_theta(const as_gp *gp) { return gp->th; }
double as_gp_c2(const as_gp *gp) { return gp->c2; }
const double *as_gp_length_scales(const as_gp *gp) { return gp->ls; }
double as_gp_noise(const as_gp *gp) { return gp->noise; }
double as_gp_lml_value(const as_gp *gp) { return gp->lml; }
double as_gp_jitter_used(const as_gp *gp) { return gp->jitter; }
uint64_t as_gp_seed(const as_gp *gp) { return gp->seed; }
const as_gp_options *as_gp_options_of(const as_gp *gp) { return &gp->opt; }
size_t as_gp_best_start(const as_gp *gp) { return gp->best_start; }
size_t as_gp_ok_starts(const as_gp *gp) { return gp->ok_starts; }
size_t as_gp_evaluations(const as_gp *gp) { return gp->evals; }
const double *as_gp_x_train(const as_gp *gp) { return gp->x; }
const double *as_gp_y_train(const as_gp *gp) { return gp->y; }

void as_gp_set_starts(as_gp *gp, size_t best_start, size_t ok_starts)
{
    gp->best_start = best_start;
    gp->ok_starts = ok_starts;
}

size_t as_gp_at_bound(const as_gp *gp, int *flags)
{
    size_t nt = gp->nt, count = 0;
    double lo[nt], hi[nt], t0[nt];
    theta_bounds(&gp->opt, gp->d, lo, hi, t0);
    for (size_t p = 0; p < nt; p++) {
        int f = 0;
        if (gp->opt.optimize) {
            if (gp->th[p] - lo[p] <= gp->opt.bound_tol)
                f = -1;
            else if (hi[p] - gp->th[p] <= gp->opt.bound_tol)
                f = 1;
        }
        if (f)
            count++;
        if (flags)
            flags[p] = f;
    }
    return count;
}

/* ------------------------- posterior covariance and linear functionals -------------------------
 * Latent posterior (Rasmussen & Williams 2006, eq. 2.24), in normalized units:
 *   Sigma(a, b) = k(a, b) - v_a . v_b,   v_q = L^{-1} k(X, q),   k without the noise term.
 * A linear functional F = w . f over points x_w has Var F = w^T Sigma_ww w. Observing a new
 * point c with noise sn2 = s + jitter (the training diagonal) lowers it by
 *   (Sigma_{w c})^2 / (Sigma_cc + sn2),   Sigma_{w c} = sum_j w_j Sigma(x_wj, c),
 * and conditions every Sigma(a, b) on c by the rank-one update
 *   Sigma'(a, b) = Sigma(a, b) - Sigma(a, c) Sigma(c, b) / (Sigma_cc + sn2)
 * (docs/gp.md, "Posterior covariance and batch selection"). */

/* Normalized kernel value c2 exp(-|a - b|^2 / 2) of two length-scaled points (d). */
static double kern_scaled(double c2, const double *a, const double *b, size_t d)
{
    double r = 0;
    for (size_t k = 0; k < d; k++) {
        double t = a[k] - b[k];
        r += t * t;
    }
    double h = 0.5 * r;
    return h < AS_EXP_UNDERFLOW ? c2 * exp(-h) : 0.0;
}

/* qs (m, d) = xq / l, and v (m, n) = L^{-1} k(X, q) for every query row. */
static as_status cov_prepare(const as_gp *gp, const double *xq, size_t m, double *qs, double *v)
{
    size_t n = gp->n, d = gp->d;
    for (size_t q = 0; q < m; q++)
        for (size_t k = 0; k < d; k++)
            qs[q * d + k] = xq[q * d + k] / gp->ls[gp->opt.ard ? k : 0];
    for (size_t q = 0; q < m; q++)
        for (size_t i = 0; i < n; i++)
            v[q * n + i] = kern_scaled(gp->c2, qs + q * d, gp->xs + i * d, d);
    if (m == 0)
        return AS_OK;
    return as_gp_trsm_rows(n, gp->l, n, v, m, n);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

as_status as_gp_predict_cov(const as_gp *gp, const double *xq, size_t m, double *mean, double *cov)
{
    if (!gp || (m > 0 && (!xq || !cov)))
        return AS_FAIL(AS_EINVAL, "gp: covariance with a NULL model, input or output");
    if (m == 0)
        return AS_OK;
    size_t n = gp->n, d = gp->d;
    double *qs = NULL, *v = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(qs, m * d, "gp covariance"));
    AS_CHECK(AS_ALLOC(v, m * n, "gp covariance"));
    if (mean)
        AS_CHECK(as_gp_predict_r(gp, xq, m, mean, NULL, gp->work));
    AS_CHECK(cov_prepare(gp, xq, m, qs, v));
    double y2 = gp->y_std * gp->y_std;
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b <= a; b++) {
            double c =
                kern_scaled(gp->c2, qs + a * d, qs + b * d, d) - dot(v + a * n, v + b * n, n);
            if (a == b && c < 0)
                c = 0;
            cov[a * m + b] = cov[b * m + a] = c * y2;
        }
fail:
    as_free(qs);
    as_free(v);
    return st;
}

as_status as_gp_functional_batch(const as_gp *gp, const double *xw, const double *w, size_t nw,
                                 const double *xc, size_t nc, size_t batch, size_t *picked,
                                 size_t *n_picked, double *var, double *mean)
{
    if (!gp || (nw > 0 && (!xw || !w)) || (nc > 0 && !xc) || !var || (batch > 0 && !picked) ||
        !n_picked)
        return AS_FAIL(AS_EINVAL, "gp: functional with a NULL model, input or output");
    *n_picked = 0;
    size_t n = gp->n, d = gp->d;
    double *qw = NULL, *vw = NULL, *qc = NULL, *vc = NULL, *s = NULL, *cw = NULL, *dg = NULL;
    double *u = NULL, *mu = NULL;
    unsigned char *used = NULL;
    as_status st = AS_OK;
    size_t nb = AS_MIN(batch, nc);
    AS_CHECK(AS_ALLOC(qw, nw * d + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(vw, nw * n + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(qc, nc * d + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(vc, nc * n + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(s, n, "gp functional"));
    AS_CHECK(AS_ALLOC(cw, nc + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(dg, nc + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(u, nb * nc + 1, "gp functional"));
    AS_CHECK(AS_ALLOC(used, nc + 1, "gp functional"));
    AS_CHECK(cov_prepare(gp, xw, nw, qw, vw));
    AS_CHECK(cov_prepare(gp, xc, nc, qc, vc));
    if (mean) {
        AS_CHECK(AS_ALLOC(mu, nw + 1, "gp functional"));
        AS_CHECK(as_gp_predict_r(gp, xw, nw, mu, NULL, gp->work));
        *mean = dot(w, mu, nw);
    }
    /* s = sum_j w_j v_j; Var F = w^T K_ww w - |s|^2 */
    memset(s, 0, n * sizeof *s);
    for (size_t j = 0; j < nw; j++)
        for (size_t i = 0; i < n; i++)
            s[i] += w[j] * vw[j * n + i];
    double vf = 0;
    for (size_t a = 0; a < nw; a++) {
        double row = 0.5 * w[a] * gp->c2; /* the diagonal, halved: the loop below doubles it */
        for (size_t b = 0; b < a; b++)
            row += w[b] * kern_scaled(gp->c2, qw + a * d, qw + b * d, d);
        vf += 2.0 * w[a] * row;
    }
    vf -= dot(s, s, n);
    /* Sigma_{w c} and Sigma_cc of every candidate */
    for (size_t c = 0; c < nc; c++) {
        double k = 0;
        for (size_t j = 0; j < nw; j++)
            k += w[j] * kern_scaled(gp->c2, qw + j * d, qc + c * d, d);
        cw[c] = k - dot(s, vc + c * n, n);
        dg[c] = gp->c2 - dot(vc + c * n, vc + c * n, n);
    }
    double sn2 = gp->noise + gp->jitter, y2 = gp->y_std * gp->y_std;
    var[0] = (vf > 0 ? vf : 0) * y2;
    for (size_t k = 0; k < nb; k++) {
        /* the candidate whose label lowers Var F most; ties: the lowest index */
        size_t best = nc;
        double gain = -1;
        for (size_t c = 0; c < nc; c++) {
            double den = dg[c] + sn2;
            if (used[c] || !(den > 0))
                continue;
            double g = cw[c] * cw[c] / den;
            if (g > gain) {
                gain = g;
                best = c;
            }
        }
        if (best == nc)
            break;
        used[best] = 1;
        picked[k] = best;
        *n_picked = k + 1;
        vf -= gain;
        var[k + 1] = (vf > 0 ? vf : 0) * y2;
        /* u_k(c) = Sigma_k(best, c) / sqrt(Sigma_k(best, best) + sn2); condition on best */
        double *uk = u + k * nc, r = sqrt(dg[best] + sn2), cwb = cw[best];
        for (size_t c = 0; c < nc; c++) {
            double sig = kern_scaled(gp->c2, qc + best * d, qc + c * d, d) -
                         dot(vc + best * n, vc + c * n, n);
            for (size_t j = 0; j < k; j++)
                sig -= u[j * nc + best] * u[j * nc + c];
            uk[c] = sig / r;
        }
        for (size_t c = 0; c < nc; c++) {
            cw[c] -= cwb / r * uk[c];
            dg[c] -= uk[c] * uk[c];
        }
    }
fail:
    as_free(qw);
    as_free(vw);
    as_free(qc);
    as_free(vc);
    as_free(s);
    as_free(cw);
    as_free(dg);
    as_free(u);
    as_free(used);
    as_free(mu);
    return st;
}
