/* The multilayer perceptron of seed 000 (section 2.4, figure 1c-d): ReLU hidden layers, one
 * sigmoid output, mean binary cross-entropy computed from the logit z in the stable form
 *     l(z, y) = max(z, 0) - z y + log1p(exp(-|z|))   (= -y log s - (1-y) log(1-s), s = sigmoid z)
 * with dl/dz = sigmoid(z) - y, backpropagation over a mini-batch (small-shape kernels, BLAS for
 * large blocks), and Adam
 * (Kingma & Ba 2015) in PyTorch 1.13's form (torch/optim/adam.py, _single_tensor_adam):
 *     g += wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *     p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Early stopping watches the loss on a stratified validation split. Derivations: docs/mlp.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp_int.h"

/* ---- allocation ---- */

static size_t small_scratch(const as_mlp *m, size_t rows);

as_status as_mlp_alloc(size_t d, const as_mlp_options *opt, as_mlp **out)
{
    as_status st = AS_OK;
    *out = NULL;
    if (d == 0 || d > ((size_t)1 << 24))
        return AS_FAIL(AS_EINVAL, "mlp: input dimension %zu must be in 1..%zu", d, (size_t)1 << 24);
    AS_TRY(as_mlp_options_check(opt));
    as_mlp *m = as_calloc(1, sizeof *m);
    if (!m)
        return AS_FAIL(AS_ENOMEM, "mlp: cannot allocate the network");
    m->opt = *opt;
    m->d = d;
    m->n_layers = opt->n_hidden + 1;
    size_t L = m->n_layers;
    m->width[0] = d;
    for (size_t l = 1; l < L; l++)
        m->width[l] = opt->hidden[l - 1];
    m->width[L] = 1;

    size_t np = 0, per_row = d + 1; /* inputs + label */
    for (size_t l = 1; l <= L; l++) {
        np += m->width[l] * (m->width[l - 1] + 1);
        per_row += 2 * m->width[l]; /* act + delta */
    }
    m->n_params = np;
    AS_CHECK(AS_ALLOC(m->block, 4 * np, "mlp: parameter block"));

    m->param = m->block;
    m->grad = m->block + np;
    m->adam_m = m->block + 2 * np;
    m->adam_v = m->block + 3 * np;
    size_t off = 0;
    for (size_t l = 1; l <= L; l++) {
        m->w[l] = m->param + off;
        m->gw[l] = m->grad + off;
        off += m->width[l] * m->width[l - 1];
        m->b[l] = m->param + off;
        m->gb[l] = m->grad + off;
        off += m->width[l];
    }

    m->ws_rows = AS_MAX(opt->batch, (size_t)AS_MLP_CHUNK);
    if (per_row > (size_t)-1 / sizeof(double) / m->ws_rows) {
        st = AS_FAIL(AS_ENOMEM, "mlp: working memory for %zu rows overflows", m->ws_rows);
        goto fail;
    }
    AS_CHECK(AS_ALLOC(m->ws, m->ws_rows * per_row, "mlp: working memory"));
    AS_CHECK(AS_ALLOC(m->wt, small_scratch(m, m->ws_rows), "mlp: working memory"));
    double *p = m->ws;
    m->act[0] = p;
    p += m->ws_rows * d;
    for (size_t l = 1; l <= L; l++) {
        m->act[l] = p;
        p += m->ws_rows * m->width[l];
        m->delta[l] = p;
        p += m->ws_rows * m->width[l];
    }
    m->ybuf = p;
    *out = m;
    return AS_OK;
fail:
    as_mlp_free(m);
    return st;
}

as_status as_mlp_create(size_t d, const as_mlp_options *opt, as_rng *rng, as_mlp **out)
{
    *out = NULL;
    if (!rng)
        return AS_FAIL(AS_EINVAL, "mlp: no random generator given");
    as_mlp *m;
    AS_TRY(as_mlp_alloc(d, opt, &m));
    /* PyTorch nn.Linear.reset_parameters: kaiming_uniform_(a = sqrt 5) gives the bound
     * gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)), i.e. 1 / sqrt(fan_in); the bias
     * uses the same bound. */
    for (size_t l = 1; l <= m->n_layers; l++) {
        size_t fan_in = m->width[l - 1], fan_out = m->width[l];
        double bound = 1.0 / sqrt((double)fan_in);
        for (size_t i = 0; i < fan_out * fan_in; i++)
            m->w[l][i] = bound * (2.0 * as_rng_uniform(rng) - 1.0);
        for (size_t i = 0; i < fan_out; i++)
            m->b[l][i] = bound * (2.0 * as_rng_uniform(rng) - 1.0);
    }
    *out = m;
    return AS_OK;
}

void as_mlp_free(as_mlp *m)
{
    if (!m)
        return;
    as_free(m->block);
    as_free(m->wt);
    as_free(m->ws);
    as_free(m->order);
    as_free(m);
}

size_t as_mlp_input_dim(const as_mlp *m) { return m->d; }
const as_mlp_options *as_mlp_get_options(const as_mlp *m) { return &m->opt; }
size_t as_mlp_n_params(const as_mlp *m) { return m->n_params; }
double *as_mlp_param_data(as_mlp *m) { return m->param; }
double *as_mlp_grad_data(as_mlp *m) { return m->grad; }

/* ---- forward and backward over a block of rows ---- */

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Binary cross-entropy of logit z against label y in {0, 1}, without overflow for any z. */
static double bce_logit(double z, double y) { return fmax(z, 0.0) - z * y + log1p(exp(-fabs(z))); }

/* ---- the small-shape kernels (docs/mlp.md, "Matrix products") ----
 * A mini-batch is 16 rows times layers of a few dozen units: at these shapes a dgemm call spends
 * most of its time in call overhead and packing. These loops run over the contiguous (inner)
 * dimension so the compiler vectorizes them; every clone performs the same multiplications and
 * additions in the same order (C11 mode does not contract them into FMAs), so the results are
 * identical bit for bit on every CPU. Blocks of more than AS_MLP_SMALL_ROWS rows use as_gemm. */

static int small_path(const as_mlp *m, size_t rows)
{
    return m->path == AS_MLP_PATH_SMALL ||
           (m->path == AS_MLP_PATH_AUTO && rows <= AS_MLP_SMALL_ROWS);
}

/* Eight doubles, one AVX-512 register (two AVX2, four SSE2 ones in the other clones); GCC and
 * clang vector extensions, element-wise mul and add only. */
typedef double v8d __attribute__((vector_size(64)));

/* unaligned loads and stores (macros: a function returning v8d would change the ABI) */
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(v8d))
#define STORE8(p, v) memcpy((p), &(v), sizeof(v8d))

/* c (M, N; row stride ldc) = [c if acc, else 0] + A B, where A(i, p) = a[i sai + p sap] (so a
 * plain or a transposed matrix) and B(p, j) = b[p ldb + j]. Every element is summed the same way,
 * t = t + A(i, p) B(p, j) for p = 0, 1, ..., whichever block computes it: tiles of 4 rows by 16
 * (then 8) columns held in registers, then the leftover columns (4 rows at a time) and rows. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void gemm_small(
    size_t M, size_t N, size_t K, const double *restrict a, size_t sai, size_t sap,
    const double *restrict b, size_t ldb, double *restrict c, size_t ldc, int acc)
{
    const v8d zero = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t N16 = N - N % 16, N8 = N - N % 8, M4 = M - M % 4;
    for (size_t i = 0; i < M4; i += 4) {
        const double *a0 = a + i * sai, *a1 = a0 + sai, *a2 = a1 + sai, *a3 = a2 + sai;
        double *c0 = c + i * ldc, *c1 = c0 + ldc, *c2 = c1 + ldc, *c3 = c2 + ldc;
        for (size_t j = 0; j < N16; j += 16) { /* 4 x 16: eight independent sums */
            v8d t0 = zero, t1 = zero, t2 = zero, t3 = zero, u0 = zero, u1 = zero, u2 = zero,
                u3 = zero, bv, bw;
            if (acc) {
                LOAD8(t0, c0 + j);
                LOAD8(t1, c1 + j);
                LOAD8(t2, c2 + j);
                LOAD8(t3, c3 + j);
                LOAD8(u0, c0 + j + 8);
                LOAD8(u1, c1 + j + 8);
                LOAD8(u2, c2 + j + 8);
                LOAD8(u3, c3 + j + 8);
            }
            for (size_t p = 0; p < K; p++) {
                LOAD8(bv, b + p * ldb + j);
                LOAD8(bw, b + p * ldb + j + 8);
                double s0 = a0[p * sap], s1 = a1[p * sap], s2 = a2[p * sap], s3 = a3[p * sap];
                t0 = t0 + s0 * bv;
                u0 = u0 + s0 * bw;
                t1 = t1 + s1 * bv;
                u1 = u1 + s1 * bw;
                t2 = t2 + s2 * bv;
                u2 = u2 + s2 * bw;
                t3 = t3 + s3 * bv;
                u3 = u3 + s3 * bw;
            }
            STORE8(c0 + j, t0);
            STORE8(c1 + j, t1);
            STORE8(c2 + j, t2);
            STORE8(c3 + j, t3);
            STORE8(c0 + j + 8, u0);
            STORE8(c1 + j + 8, u1);
            STORE8(c2 + j + 8, u2);
            STORE8(c3 + j + 8, u3);
        }
        for (size_t j = N16; j < N8; j += 8) {
            v8d t0 = zero, t1 = zero, t2 = zero, t3 = zero, bv;
            if (acc) {
                LOAD8(t0, c0 + j);
                LOAD8(t1, c1 + j);
                LOAD8(t2, c2 + j);
                LOAD8(t3, c3 + j);
            }
            for (size_t p = 0; p < K; p++) {
                LOAD8(bv, b + p * ldb + j);
                t0 = t0 + a0[p * sap] * bv;
                t1 = t1 + a1[p * sap] * bv;
                t2 = t2 + a2[p * sap] * bv;
                t3 = t3 + a3[p * sap] * bv;
            }
            STORE8(c0 + j, t0);
            STORE8(c1 + j, t1);
            STORE8(c2 + j, t2);
            STORE8(c3 + j, t3);
        }
        for (size_t j = N8; j < N; j++) {
            double t0 = acc ? c0[j] : 0.0, t1 = acc ? c1[j] : 0.0;
            double t2 = acc ? c2[j] : 0.0, t3 = acc ? c3[j] : 0.0;
            for (size_t p = 0; p < K; p++) {
                double bv = b[p * ldb + j];
                t0 = t0 + a0[p * sap] * bv;
                t1 = t1 + a1[p * sap] * bv;
                t2 = t2 + a2[p * sap] * bv;
                t3 = t3 + a3[p * sap] * bv;
            }
            c0[j] = t0;
            c1[j] = t1;
            c2[j] = t2;
            c3[j] = t3;
        }
    }
    for (size_t i = M4; i < M; i++) {
        const double *ai = a + i * sai;
        double *ci = c + i * ldc;
        for (size_t j = 0; j < N8; j += 8) {
            v8d t = zero, bv;
            if (acc)
                LOAD8(t, ci + j);
            for (size_t p = 0; p < K; p++) {
                LOAD8(bv, b + p * ldb + j);
                t = t + ai[p * sap] * bv;
            }
            STORE8(ci + j, t);
        }
        for (size_t j = N8; j < N; j++) {
            double t = acc ? ci[j] : 0.0;
            for (size_t p = 0; p < K; p++)
                t = t + ai[p * sap] * b[p * ldb + j];
            ci[j] = t;
        }
    }
}

/* t (cols, rows) = the transpose of u (rows, cols). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void transpose(
    size_t rows, size_t cols, const double *restrict u, double *restrict t)
{
    for (size_t k = 0; k < cols; k++)
        for (size_t o = 0; o < rows; o++)
            t[k * rows + o] = u[o * cols + k];
}

/* Doubles of scratch the small forward pass needs for a block of rows. */
static size_t small_scratch(const as_mlp *m, size_t rows)
{
    size_t w = 0;
    for (size_t l = 0; l <= m->n_layers; l++)
        w += m->width[l];
    return rows * w;
}

/* act[0]: (rows, d) inputs, filled by the caller. Writes act[l] (rows, width[l]) for
 * l = 1..L: a_l = relu(a_{l-1} W_l^T + b_l) for hidden layers, the logits for l = L.
 * at: small_scratch(m, rows) doubles, used on the small path: there every layer computes its
 * output transposed, a_l^T = W_l a_{l-1}^T (+ b_l), with W_l as stored and a_{l-1}^T from the
 * layer before (only the inputs and each output are transposed, ~2 100 doubles for a batch
 * of the default network against ~4 300 for the weights), then writes a_l in row order for
 * the backward pass. */
static as_status forward(const as_mlp *m, double *const *act, size_t rows, double *at)
{
    size_t L = m->n_layers;
    if (small_path(m, rows)) {
        double *prev = at;
        transpose(rows, m->d, act[0], prev);
        for (size_t l = 1; l <= L; l++) {
            size_t in = m->width[l - 1], out = m->width[l];
            double *zt = prev + in * rows;
            for (size_t o = 0; o < out; o++)
                for (size_t i = 0; i < rows; i++)
                    zt[o * rows + i] = m->b[l][o];
            gemm_small(out, rows, in, m->w[l], in, 1, prev, rows, zt, rows, 1);
            if (l < L) /* ReLU, as below */
                for (size_t i = 0; i < rows * out; i++)
                    zt[i] = zt[i] < 0.0 ? 0.0 : zt[i];
            transpose(out, rows, zt, act[l]);
            prev = zt;
        }
        return AS_OK;
    }
    for (size_t l = 1; l <= L; l++) {
        size_t in = m->width[l - 1], out = m->width[l];
        double *a = act[l];
        for (size_t i = 0; i < rows; i++)
            memcpy(a + i * out, m->b[l], out * sizeof(double));
        as_matrix A = {rows, in, in, act[l - 1]};
        as_matrix W = {out, in, in, m->w[l]};
        as_matrix Z = {rows, out, out, a};
        AS_TRY(as_gemm(0, 1, 1.0, &A, &W, 1.0, &Z));
        if (l < L) /* ReLU; a NaN stays NaN (as in PyTorch) so bad input is noticed */
            for (size_t i = 0; i < rows * out; i++)
                a[i] = a[i] < 0.0 ? 0.0 : a[i];
    }
    return AS_OK;
}

void as_mlp_set_path(as_mlp *m, as_mlp_path path) { m->path = path; }

/* Copy rows rows[0..nr) of x into act[0] and their labels into ybuf, checking both. */
static as_status gather(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                        size_t nr)
{
    size_t d = m->d;
    for (size_t i = 0; i < nr; i++) {
        size_t r = rows ? rows[i] : i;
        if (r >= n)
            return AS_FAIL(AS_EINVAL, "mlp: row index %zu out of range (n = %zu)", r, n);
        if (y[r] != 0 && y[r] != 1)
            return AS_FAIL(AS_EINVAL, "mlp: label of row %zu is %d, expected 0 or 1", r, y[r]);
        memcpy(m->act[0] + i * d, x + r * d, d * sizeof(double));
        m->ybuf[i] = (double)y[r];
    }
    return AS_OK;
}

/* Backward pass of the mean loss over nr rows held in the working memory (after forward):
 * delta_L = (sigmoid(z) - y) / nr; dW_l += delta_l^T a_{l-1}; db_l += column sums of delta_l;
 * delta_{l-1} = (delta_l W_l) masked by a_{l-1} > 0 (the ReLU derivative). */
static as_status backward(as_mlp *m, size_t nr)
{
    size_t L = m->n_layers;
    double *z = m->act[L], *dz = m->delta[L];
    const double *cw = m->opt.class_weight;
    for (size_t i = 0; i < nr; i++) {
        dz[i] = (sigmoid(z[i]) - m->ybuf[i]) / (double)nr;
        double w = cw[m->ybuf[i] != 0.0];
        if (w != 1.0)
            dz[i] *= w;
    }
    if (small_path(m, nr)) {
        for (size_t l = L; l >= 1; l--) {
            size_t in = m->width[l - 1], out = m->width[l];
            const double *d = m->delta[l];
            /* dW_l += delta_l^T a_{l-1}: A(o, i) = delta_l[i out + o] */
            gemm_small(out, in, nr, d, 1, out, m->act[l - 1], in, m->gw[l], in, 1);
            double *gb = m->gb[l];
            for (size_t i = 0; i < nr; i++)
                for (size_t j = 0; j < out; j++)
                    gb[j] += d[i * out + j];
            if (l == 1)
                break;
            const double *a = m->act[l - 1];
            double *dp = m->delta[l - 1];
            gemm_small(nr, in, out, d, out, 1, m->w[l], in, dp, in, 0);
            for (size_t i = 0; i < nr * in; i++)
                dp[i] = a[i] > 0.0 ? dp[i] : 0.0;
        }
        return AS_OK;
    }
    for (size_t l = L; l >= 1; l--) {
        size_t in = m->width[l - 1], out = m->width[l];
        as_matrix D = {nr, out, out, m->delta[l]};
        as_matrix A = {nr, in, in, m->act[l - 1]};
        as_matrix GW = {out, in, in, m->gw[l]};
        AS_TRY(as_gemm(1, 0, 1.0, &D, &A, 1.0, &GW));
        double *gb = m->gb[l];
        for (size_t i = 0; i < nr; i++)
            for (size_t j = 0; j < out; j++)
                gb[j] += m->delta[l][i * out + j];
        if (l == 1)
            break;
        as_matrix W = {out, in, in, m->w[l]};
        as_matrix DP = {nr, in, in, m->delta[l - 1]};
        AS_TRY(as_gemm(0, 0, 1.0, &D, &W, 0.0, &DP));
        const double *a = m->act[l - 1];
        double *dp = m->delta[l - 1];
        for (size_t i = 0; i < nr * in; i++)
            if (!(a[i] > 0.0))
                dp[i] = 0.0;
    }
    return AS_OK;
}

as_status as_mlp_loss_grad(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                           size_t n_rows, double *loss)
{
    if (n_rows == 0 || n_rows > m->ws_rows)
        return AS_FAIL(AS_EINVAL, "mlp: batch of %zu rows, must be in 1..%zu", n_rows, m->ws_rows);
    AS_TRY(gather(m, x, y, n, rows, n_rows));
    AS_TRY(forward(m, m->act, n_rows, m->wt));
    const double *z = m->act[m->n_layers];
    double sum = 0.0;
    const double *cw = m->opt.class_weight;
    for (size_t i = 0; i < n_rows; i++) {
        double w = cw[m->ybuf[i] != 0.0];
        sum += w == 1.0 ? bce_logit(z[i], m->ybuf[i]) : w * bce_logit(z[i], m->ybuf[i]);
    }
    *loss = sum / (double)n_rows;
    memset(m->grad, 0, m->n_params * sizeof(double));
    return backward(m, n_rows);
}

/* ---- Adam (PyTorch 1.13 _single_tensor_adam, amsgrad off, coupled L2 weight decay) ---- */

/* The update of every parameter is independent: written as plain loops over restrict arrays so
 * the compiler vectorizes them (AVX2 where the CPU has it; the operations and their order are
 * the same in every version, and C11 mode does not contract a*b+c into FMAs, so the result is
 * identical bit for bit). PyTorch's step m / (sqrt(v) / c + eps) (c = sqrt(1 - b2^t)) is taken
 * in the equal form c m / (sqrt(v) + c eps): one division per parameter instead of two (the
 * divider is the bottleneck of the whole loop); the two forms differ in the last bit only. */
__attribute__((target_clones("avx2", "default"))) static void adam_kernel(
    size_t n, double *restrict p, const double *restrict g, double *restrict mm,
    double *restrict vv, double beta1, double beta2, double one_b1, double one_b2, double step_size,
    double bc2_sqrt, double eps)
{
    double neg_step = -(step_size * bc2_sqrt), eps_c = eps * bc2_sqrt;
    for (size_t i = 0; i < n; i++) {
        mm[i] = mm[i] * beta1 + one_b1 * g[i];
        vv[i] = vv[i] * beta2 + one_b2 * g[i] * g[i];
        p[i] = p[i] + (neg_step * mm[i]) / (sqrt(vv[i]) + eps_c);
    }
}

static void adam_update(as_mlp *m)
{
    const as_mlp_options *o = &m->opt;
    m->step++;
    double t = (double)m->step;
    double bc1 = 1.0 - pow(o->beta1, t);
    double bc2 = 1.0 - pow(o->beta2, t);
    double step_size = o->lr / bc1;
    double bc2_sqrt = sqrt(bc2);
    double wd = o->weight_decay;
    /* coupled L2 weight decay: the gradient becomes g + wd p (PyTorch's grad.add(p, alpha=wd)) */
    if (wd != 0.0)
        for (size_t i = 0; i < m->n_params; i++)
            m->grad[i] = m->grad[i] + wd * m->param[i];
    adam_kernel(m->n_params, m->param, m->grad, m->adam_m, m->adam_v, o->beta1, o->beta2,
                1.0 - o->beta1, 1.0 - o->beta2, step_size, bc2_sqrt, o->eps);
}

static void adam_reset(as_mlp *m)
{
    memset(m->adam_m, 0, 2 * m->n_params * sizeof(double));
    m->step = 0;
}

/* ---- steps ---- */

as_status as_mlp_step(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                      size_t n_rows, double *loss)
{
    double l = 0.0;
    AS_TRY(as_mlp_loss_grad(m, x, y, n, rows, n_rows, &l));
    if (!isfinite(l))
        return AS_FAIL(AS_ENOCONV,
                       "mlp: mini-batch loss is %g (non-finite input or diverged "
                       "weights)",
                       l);
    adam_update(m);
    if (loss)
        *loss = l;
    return AS_OK;
}

as_status as_mlp_epoch(as_mlp *m, const double *x, const int *y, size_t n, size_t *order,
                       size_t n_order, as_rng *rng, double *train_loss)
{
    if (!order) {
        if (n > m->order_cap) {
            size_t *o;
            AS_TRY(AS_ALLOC(o, n, "mlp: epoch index array"));
            as_free(m->order);
            m->order = o;
            m->order_cap = n;
        }
        order = m->order;
        n_order = n;
        for (size_t i = 0; i < n; i++)
            order[i] = i;
    }
    if (n_order == 0)
        return AS_FAIL(AS_EINVAL, "mlp: epoch over 0 rows");
    as_rng_shuffle(rng, order, n_order);
    double sum = 0.0;
    for (size_t s = 0; s < n_order; s += m->opt.batch) {
        size_t nb = AS_MIN(m->opt.batch, n_order - s);
        double l = 0.0;
        AS_TRY(as_mlp_step(m, x, y, n, order + s, nb, &l));
        sum += l * (double)nb;
    }
    if (train_loss)
        *train_loss = sum / (double)n_order;
    return AS_OK;
}

as_status as_mlp_loss(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                      size_t n_rows, double *loss)
{
    if (n_rows == 0)
        return AS_FAIL(AS_EINVAL, "mlp: loss over 0 rows");
    double sum = 0.0;
    for (size_t s = 0; s < n_rows; s += m->ws_rows) {
        size_t nb = AS_MIN(m->ws_rows, n_rows - s);
        if (rows) {
            AS_TRY(gather(m, x, y, n, rows + s, nb));
        } else {
            if (s + nb > n)
                return AS_FAIL(AS_EINVAL, "mlp: %zu rows requested, n = %zu", n_rows, n);
            AS_TRY(gather(m, x + s * m->d, y + s, n - s, NULL, nb));
        }
        AS_TRY(forward(m, m->act, nb, m->wt));
        const double *z = m->act[m->n_layers];
        for (size_t i = 0; i < nb; i++)
            sum += bce_logit(z[i], m->ybuf[i]);
    }
    *loss = sum / (double)n_rows;
    return AS_OK;
}

/* ---- stratified validation split ---- */

as_status as_mlp_stratified_split(const int *y, size_t n, double val_fraction, as_rng *rng,
                                  size_t *train_idx, size_t *n_train, size_t *val_idx,
                                  size_t *n_val)
{
    *n_train = *n_val = 0;
    if (!(val_fraction >= 0.0 && val_fraction < 1.0))
        return AS_FAIL(AS_EINVAL, "mlp: val_fraction %g must be in [0, 1)", val_fraction);
    size_t count[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "mlp: label of row %zu is %d, expected 0 or 1", i, y[i]);
        count[y[i]]++;
    }
    /* mark[i] = 1 for validation rows: per class, shuffle the members and take the first
     * round(val_fraction * n_c), keeping at least one member for training. */
    unsigned char *mark = NULL;
    size_t *members = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(mark, n, "mlp: split marks"));
    AS_CHECK(AS_ALLOC(members, n, "mlp: split members"));
    for (int c = 0; c < 2; c++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (y[i] == c)
                members[k++] = i;
        size_t nv = (size_t)floor(val_fraction * (double)k + 0.5);
        if (k > 0 && nv > k - 1)
            nv = k - 1;
        as_rng_shuffle(rng, members, k);
        for (size_t i = 0; i < nv; i++)
            mark[members[i]] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (mark[i])
            val_idx[(*n_val)++] = i;
        else
            train_idx[(*n_train)++] = i;
    }
fail:
    as_free(mark);
    as_free(members);
    return st;
}

/* ---- the training loop ---- */

void as_mlp_report_free(as_mlp_report *rep)
{
    if (!rep)
        return;
    as_free(rep->train_loss);
    as_free(rep->val_loss);
    as_free(rep->val_auc);
    rep->train_loss = rep->val_loss = rep->val_auc = NULL;
}

typedef struct {
    double v;
    int y;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->v, y = ((const scored *)b)->v;
    return (x > y) - (x < y);
}

/* ROC AUC of scores s (n) for labels y by the Mann-Whitney statistic with tied scores sharing
 * their mean rank (equal to scikit-learn's roc_auc_score). tmp holds n entries. NAN for one
 * class. */
static double rank_auc(const double *s, const int *y, size_t n, scored *tmp)
{
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        tmp[i].v = s[i];
        tmp[i].y = y[i];
        npos += y[i] == 1;
    }
    if (npos == 0 || npos == n)
        return NAN;
    qsort(tmp, n, sizeof *tmp, cmp_scored);
    double rank_sum = 0.0; /* sum of the (1-based, tie-averaged) ranks of the positives */
    for (size_t i = 0; i < n;) {
        size_t j = i, p = 0;
        while (j < n && tmp[j].v == tmp[i].v)
            p += tmp[j++].y == 1;
        rank_sum += (double)p * 0.5 * (double)(i + 1 + j);
        i = j;
    }
    double nneg = (double)(n - npos);
    return (rank_sum - 0.5 * (double)npos * (double)(npos + 1)) / ((double)npos * nneg);
}

/* Every row of x (n, d) finite and every label 0/1; `what` ("" or "training ") names the
 * rows in the message. */
static as_status check_rows(const as_mlp *m, const double *x, const int *y, size_t n,
                            const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0 && y[i] != 1)
            return AS_FAIL(AS_EINVAL, "mlp: label of %srow %zu is %d, expected 0 or 1", what, i,
                           y[i]);
        for (size_t j = 0; j < m->d; j++)
            if (!isfinite(x[i * m->d + j]))
                return AS_FAIL(AS_EINVAL, "mlp: %srow %zu column %zu is %g",
                               *what ? what : "input ", i, j, x[i * m->d + j]);
    }
    return AS_OK;
}

/* The training loop, the only one: reset Adam, run epochs over the training rows (order[0..
 * n_order) of x / y, shuffled in place and kept from epoch to epoch; order NULL: all n rows,
 * starting from 0..n-1 every epoch, as_mlp_epoch's convention) until max_epochs or until the
 * loss on the validation rows (val_rows[0..n_val) of xv / yv; NULL: rows 0..n_val-1) has not
 * fallen below its best for patience epochs; restore the best epoch's weights. */
static as_status fit_loop(as_mlp *m, const double *x, const int *y, size_t n, size_t *order,
                          size_t n_order, const double *xv, const int *yv, size_t nv_rows,
                          const size_t *val_rows, size_t n_val, as_rng *rng, as_mlp_report *rep)
{
    as_status st = AS_OK;
    double *best = NULL, *tl = NULL, *vl = NULL, *va = NULL, *vx = NULL, *vlog = NULL;
    int *vy = NULL;
    scored *tmp = NULL;
    size_t epochs = 0, best_epoch = 0, bad = 0;
    double best_loss = INFINITY, best_auc = -INFINITY;
    int stopped = 0, by_auc = 0;
    const as_mlp_options *o = &m->opt;
    AS_CHECK(AS_ALLOC(tl, o->max_epochs, "mlp: training-loss history"));
    if (n_val > 0) {
        AS_CHECK(AS_ALLOC(vl, o->max_epochs, "mlp: validation-loss history"));
        AS_CHECK(AS_ALLOC(best, m->n_params, "mlp: best weights"));
    }
    if (n_val > 0 && o->stop == AS_MLP_STOP_AUC) {
        /* the validation rows, contiguous, for their logits after each epoch */
        size_t npos = 0;
        AS_CHECK(AS_ALLOC(vx, n_val * m->d, "mlp: validation rows"));
        AS_CHECK(AS_ALLOC(vy, n_val, "mlp: validation labels"));
        for (size_t i = 0; i < n_val; i++) {
            size_t r = val_rows ? val_rows[i] : i;
            if (r >= nv_rows) {
                st = AS_FAIL(AS_EINVAL, "mlp: validation row %zu out of range (n = %zu)", r,
                             nv_rows);
                goto fail;
            }
            memcpy(vx + i * m->d, xv + r * m->d, m->d * sizeof *vx);
            vy[i] = yv[r];
            npos += yv[r] == 1;
        }
        by_auc = npos > 0 && npos < n_val;
        if (!by_auc)
            as_log(AS_LOG_WARN,
                   "mlp: the %zu validation rows hold one class, so they have no "
                   "AUC; early stopping watches the validation loss",
                   n_val);
        else {
            AS_CHECK(AS_ALLOC(va, o->max_epochs, "mlp: validation-AUC history"));
            AS_CHECK(AS_ALLOC(vlog, n_val, "mlp: validation logits"));
            AS_CHECK(AS_ALLOC(tmp, n_val, "mlp: validation ranks"));
        }
    }
    adam_reset(m);
    for (size_t e = 1; e <= o->max_epochs; e++) {
        AS_CHECK(as_mlp_epoch(m, x, y, n, order, n_order, rng, &tl[e - 1]));
        epochs = e;
        if (n_val == 0)
            continue;
        if (by_auc) {
            /* one forward pass over the validation rows gives both the loss and the AUC */
            AS_CHECK(as_mlp_logits(m, vx, n_val, vlog));
            double sum = 0.0;
            for (size_t i = 0; i < n_val; i++)
                sum += bce_logit(vlog[i], (double)vy[i]);
            vl[e - 1] = sum / (double)n_val;
        } else
            AS_CHECK(as_mlp_loss(m, xv, yv, nv_rows, val_rows, n_val, &vl[e - 1]));
        if (!isfinite(vl[e - 1])) {
            st = AS_FAIL(AS_ENOCONV, "mlp: validation loss is %g at epoch %zu", vl[e - 1], e);
            goto fail;
        }
        if (by_auc) {
            va[e - 1] = rank_auc(vlog, vy, n_val, tmp);
            /* an equal AUC moves the restore point on (the ranking has not got worse and
             * training has gone further) but does not reset the patience */
            if (va[e - 1] >= best_auc) {
                if (va[e - 1] > best_auc)
                    bad = 0;
                else
                    bad++;
                best_auc = va[e - 1];
                best_loss = vl[e - 1];
                best_epoch = e;
                memcpy(best, m->param, m->n_params * sizeof(double));
            } else
                bad++;
            if (bad >= o->patience) {
                stopped = e < o->max_epochs;
                break;
            }
            continue;
        }
        if (vl[e - 1] < best_loss) {
            best_loss = vl[e - 1];
            best_epoch = e;
            bad = 0;
            memcpy(best, m->param, m->n_params * sizeof(double));
        } else if (++bad >= o->patience) {
            stopped = e < o->max_epochs;
            break;
        }
    }
    if (n_val > 0)
        memcpy(m->param, best, m->n_params * sizeof(double));
    else
        best_epoch = epochs;
    if (rep) {
        rep->epochs_run = epochs;
        rep->best_epoch = best_epoch;
        rep->best_val_loss = n_val > 0 ? best_loss : NAN;
        rep->best_val_auc = by_auc ? best_auc : NAN;
        rep->stopped_early = stopped;
        rep->n_train = order ? n_order : n;
        rep->n_val = n_val;
        rep->train_loss = tl;
        rep->val_loss = vl;
        rep->val_auc = va;
        tl = vl = va = NULL;
    }
fail:
    as_free(best);
    as_free(tl);
    as_free(vl);
    as_free(va);
    as_free(vx);
    as_free(vy);
    as_free(vlog);
    as_free(tmp);
    return st;
}

as_status as_mlp_train(as_mlp *m, const double *x, const int *y, size_t n, as_rng *rng,
                       as_mlp_report *rep)
{
    as_status st = AS_OK;
    size_t *tr = NULL, *va = NULL;
    size_t n_train = 0, n_val = 0;
    const as_mlp_options *o = &m->opt;
    if (rep)
        memset(rep, 0, sizeof *rep);
    if (n == 0)
        return AS_FAIL(AS_EINVAL, "mlp: no training rows");
    AS_TRY(check_rows(m, x, y, n, ""));
    AS_CHECK(AS_ALLOC(tr, n, "mlp: training rows"));
    AS_CHECK(AS_ALLOC(va, n, "mlp: validation rows"));
    if (o->val_fraction > 0.0) {
        AS_CHECK(as_mlp_stratified_split(y, n, o->val_fraction, rng, tr, &n_train, va, &n_val));
        if (n_val == 0)
            as_log(AS_LOG_WARN,
                   "mlp: %zu rows leave no validation rows at val_fraction %g; "
                   "training %zu epochs without early stopping",
                   n, o->val_fraction, o->max_epochs);
    } else {
        for (size_t i = 0; i < n; i++)
            tr[i] = i;
        n_train = n;
    }
    st = fit_loop(m, x, y, n, tr, n_train, x, y, n, va, n_val, rng, rep);
fail:
    as_free(tr);
    as_free(va);
    return st;
}

as_status as_mlp_fit(as_mlp *m, const double *x, const int *y, size_t n, const double *x_val,
                     const int *y_val, size_t n_val, as_rng *rng, as_mlp_report *rep)
{
    if (rep)
        memset(rep, 0, sizeof *rep);
    if (n == 0)
        return AS_FAIL(AS_EINVAL, "mlp: no training rows");
    if (n_val > 0 && (!x_val || !y_val))
        return AS_FAIL(AS_EINVAL, "mlp: %zu validation rows given without data", n_val);
    AS_TRY(check_rows(m, x, y, n, "training "));
    if (n_val > 0)
        AS_TRY(check_rows(m, x_val, y_val, n_val, "validation "));
    return fit_loop(m, x, y, n, NULL, n, x_val, y_val, n_val, NULL, n_val, rng, rep);
}

/* ---- prediction ---- */

as_status as_mlp_logits(const as_mlp *m, const double *x, size_t n, double *logit)
{
    if (n == 0)
        return AS_OK;
    size_t rows = AS_MIN(n, (size_t)AS_MLP_CHUNK), L = m->n_layers, per_row = 0;
    for (size_t l = 1; l <= L; l++)
        per_row += m->width[l];
    double *scratch;
    AS_TRY(AS_ALLOC(scratch, rows * per_row + small_scratch(m, rows), "mlp: prediction scratch"));
    double *act[AS_MLP_MAX_LAYERS + 1];
    double *p = scratch;
    for (size_t l = 1; l <= L; l++) {
        act[l] = p;
        p += rows * m->width[l];
    }
    as_status st = AS_OK;
    for (size_t s = 0; s < n; s += rows) {
        size_t nb = AS_MIN(rows, n - s);
        act[0] = (double *)(x + s * m->d); /* read only */
        AS_CHECK(forward(m, act, nb, scratch + rows * per_row));
        memcpy(logit + s, act[L], nb * sizeof(double));
    }
fail:
    as_free(scratch);
    return st;
}

as_status as_mlp_predict(const as_mlp *m, const double *x, size_t n, double *prob)
{
    AS_TRY(as_mlp_logits(m, x, n, prob));
    for (size_t i = 0; i < n; i++)
        prob[i] = sigmoid(prob[i]);
    return AS_OK;
}
