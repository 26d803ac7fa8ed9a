/* The multilayer perceptron of seed 000 (section 2.4, figure 1c-d): ReLU hidden layers, one
 * sigmoid output, mean binary cross-entropy computed from the logit z in the stable form
 *     l(z, y) = max(z, 0) - z y + log1p(exp(-|z|))   (= -y log s - (1-y) log(1-s), s = sigmoid z)
 * with dl/dz = sigmoid(z) - y, backpropagation over a mini-batch (small-shape kernels, BLAS for
 * large blocks), and Adam
 * (Kingma & Ba 2015) in PyTorch 1.13's form (torch/optim/adam.py, _single_tensor_adam):
 *     g += wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *     p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Early stopping watches the loss on a stratified validation split. Derivations: docs/mlp.md.
 * The training kernels are in mlp_kern.h, instantiated for double (precision 64, the default)
 * and float (precision 32). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp_int.h"

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Binary cross-entropy of logit z against label y in {0, 1}, without overflow for any z. */
static double bce_logit(double z, double y) { return fmax(z, 0.0) - z * y + log1p(exp(-fabs(z))); }

/* ---- the kernels in double and in float (mlp_kern.h; docs/mlp.md, "Matrix products") ----
 * A mini-batch is 16 rows times layers of a few dozen units: at these shapes a dgemm call spends
 * most of its time in call overhead and packing. These loops run over the contiguous (inner)
 * dimension so the compiler vectorizes them; every clone performs the same multiplications and
 * additions in the same order (-ffp-contract=off: no FMAs), so the results are identical bit
 * for bit on every CPU. Blocks of more than AS_MLP_SMALL_ROWS rows use as_gemm (double only). */

/* __builtin_shufflevector (clang, gcc 12 and later) for the transposes' 4 x 4 tiles */
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define AS_HAVE_SHUFFLEVECTOR 1
#endif
#endif
#ifndef AS_HAVE_SHUFFLEVECTOR
#define AS_HAVE_SHUFFLEVECTOR 0
#endif

#define AS_T double
#define AS_S(name) name##_f64
#define AS_M(field) field
#define AS_SQRT sqrt
#include "mlp_kern.h"
#undef AS_T
#undef AS_S
#undef AS_M
#undef AS_SQRT

#define AS_T float
#define AS_S(name) name##_f32
#define AS_M(field) field##32
#define AS_SQRT sqrtf
#include "mlp_kern.h"
#undef AS_T
#undef AS_S
#undef AS_M
#undef AS_SQRT

void as_mlp_gemm_small_f64(size_t M, size_t N, size_t K, const double *a, size_t sai, size_t sap,
                           const double *b, size_t ldb, double *c, size_t ldc, int acc)
{
    gemm_small_f64(M, N, K, a, sai, sap, b, ldb, c, ldc, acc);
}

void as_mlp_gemm_small_f32(size_t M, size_t N, size_t K, const float *a, size_t sai, size_t sap,
                           const float *b, size_t ldb, float *c, size_t ldc, int acc)
{
    gemm_small_f32(M, N, K, a, sai, sap, b, ldb, c, ldc, acc);
}

/* ---- allocation ---- */

static size_t small_scratch(const as_mlp *m, size_t rows);

/* The rows the working memory may have to hold: a mini-batch, or a chunk of as_mlp_loss. */
static size_t ws_full_rows(const as_mlp *m) { return AS_MAX(m->opt.batch, (size_t)AS_MLP_CHUNK); }

/* Values per row of the working memory: inputs and label, then act and delta of every layer. */
static size_t ws_per_row(const as_mlp *m)
{
    size_t per_row = m->d + 1;
    for (size_t l = 1; l <= m->n_layers; l++)
        per_row += 2 * m->width[l];
    return per_row;
}

/* The working memory (and its float twin) for at least `rows` rows: opt.batch rows at first,
 * all ws_full_rows once a call needs more (as_mlp_loss, a large as_mlp_loss_grad), so training
 * touches only the memory it uses (0.5 MB per network before, most of it zeroed and never
 * read). The contents are one call's scratch: nothing is copied. */
static as_status ws_reserve(as_mlp *m, size_t rows)
{
    if (m->ws && rows <= m->ws_rows)
        return AS_OK;
    size_t n = m->ws ? ws_full_rows(m) : rows, per_row = ws_per_row(m);
    as_status st = AS_OK;
    double *ws = NULL, *wt = NULL;
    float *ws32 = NULL, *wt32 = NULL;
    AS_CHECK(AS_ALLOC(ws, n * per_row, "mlp: working memory"));
    AS_CHECK(AS_ALLOC(wt, small_scratch(m, n), "mlp: working memory"));
    if (m->opt.precision == 32) {
        AS_CHECK(AS_ALLOC(ws32, n * per_row, "mlp: float working memory"));
        AS_CHECK(AS_ALLOC(wt32, small_scratch(m, n), "mlp: float working memory"));
    }
    as_free(m->ws);
    as_free(m->wt);
    as_free(m->ws32);
    as_free(m->wt32);
    m->ws = ws, m->wt = wt, m->ws32 = ws32, m->wt32 = wt32;
    m->ws_rows = n;
    layout_f64(m, m->block, m->ws);
    if (m->opt.precision == 32)
        layout_f32(m, m->block32, m->ws32);
    return AS_OK;
fail:
    as_free(ws);
    as_free(wt);
    as_free(ws32);
    as_free(wt32);
    return st;
}

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

    size_t np = 0;
    for (size_t l = 1; l <= L; l++)
        np += m->width[l] * (m->width[l - 1] + 1);
    m->n_params = np;
    if (ws_per_row(m) > (size_t)-1 / sizeof(double) / ws_full_rows(m)) {
        st = AS_FAIL(AS_ENOMEM, "mlp: working memory for %zu rows overflows", ws_full_rows(m));
        goto fail;
    }
    AS_CHECK(AS_ALLOC(m->block, 4 * np, "mlp: parameter block"));
    if (opt->precision == 32)
        AS_CHECK(AS_ALLOC(m->block32, 4 * np, "mlp: float parameter block"));
    AS_CHECK(ws_reserve(m, opt->batch));
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
    if (m->opt.precision == 32) /* the float network the training steps start from */
        for (size_t i = 0; i < m->n_params; i++)
            m->param[i] = (double)(float)m->param[i];
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
    as_free(m->block32);
    as_free(m->ws32);
    as_free(m->wt32);
    as_free(m);
}

size_t as_mlp_input_dim(const as_mlp *m) { return m->d; }
const as_mlp_options *as_mlp_get_options(const as_mlp *m) { return &m->opt; }
size_t as_mlp_n_params(const as_mlp *m) { return m->n_params; }
double *as_mlp_param_data(as_mlp *m) { return m->param; }
double *as_mlp_grad_data(as_mlp *m) { return m->grad; }

/* ---- forward and backward over a block of rows ---- */

static int small_path(const as_mlp *m, size_t rows)
{
    return m->path == AS_MLP_PATH_SMALL ||
           (m->path == AS_MLP_PATH_AUTO && rows <= AS_MLP_SMALL_ROWS);
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
        forward_small_f64(m, m->w, m->b, act, rows, at);
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

/* Backward pass of the mean loss over nr rows held in the working memory (after forward):
 * delta_L = (sigmoid(z) - y) / nr; dW_l += delta_l^T a_{l-1}; db_l += column sums of delta_l;
 * delta_{l-1} = (delta_l W_l) masked by a_{l-1} > 0 (the ReLU derivative). */
static as_status backward(as_mlp *m, size_t nr)
{
    size_t L = m->n_layers;
    output_delta_f64(m, nr);
    if (small_path(m, nr)) {
        backward_small_f64(m, nr);
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

/* Without the loss (nobody reads it: its log1p is a few per cent of training), a non-finite
 * logit is what a non-finite loss would have shown (the loss of finite logits is finite). */
static as_status logits_finite(size_t nr, const double *z64, const float *z32)
{
    for (size_t i = 0; i < nr; i++) {
        double z = z32 ? (double)z32[i] : z64[i];
        if (!isfinite(z))
            return AS_FAIL(AS_ENOCONV,
                           "mlp: a mini-batch logit is %g (non-finite input or diverged weights)",
                           z);
    }
    return AS_OK;
}

/* The gradient of the mean loss over rows[0..n_rows) in the working precision: into grad
 * (precision 64) or grad32 (precision 32, from param32); the mean loss into *loss unless loss
 * is NULL. */
static as_status loss_grad(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                           size_t n_rows, double *loss)
{
    if (n_rows == 0 || n_rows > ws_full_rows(m))
        return AS_FAIL(AS_EINVAL, "mlp: batch of %zu rows, must be in 1..%zu", n_rows,
                       ws_full_rows(m));
    AS_TRY(ws_reserve(m, n_rows));
    if (m->opt.precision == 32) {
        AS_TRY(gather_f32(m, x, y, n, rows, n_rows));
        forward_small_f32(m, m->w32, m->b32, m->act32, n_rows, m->wt32);
        if (loss)
            *loss = batch_loss_f32(m, n_rows) / (double)n_rows;
        else
            AS_TRY(logits_finite(n_rows, NULL, m->act32[m->n_layers]));
        output_delta_f32(m, n_rows);
        backward_small_f32(m, n_rows);
        return AS_OK;
    }
    AS_TRY(gather_f64(m, x, y, n, rows, n_rows));
    AS_TRY(forward(m, m->act, n_rows, m->wt));
    if (loss)
        *loss = batch_loss_f64(m, n_rows) / (double)n_rows;
    else
        AS_TRY(logits_finite(n_rows, m->act[m->n_layers], NULL));
    if (!small_path(m, n_rows)) /* backward_small writes the whole gradient itself */
        memset(m->grad, 0, m->n_params * sizeof(double));
    return backward(m, n_rows);
}

/* Precision 32: the double parameters (the state between calls) to the float ones, and back. */
static void load32(as_mlp *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        m->param32[i] = (float)m->param[i];
}

static void store32(as_mlp *m)
{
    for (size_t i = 0; i < m->n_params; i++)
        m->param[i] = (double)m->param32[i];
}

as_status as_mlp_loss_grad(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                           size_t n_rows, double *loss)
{
    if (m->opt.precision != 32)
        return loss_grad(m, x, y, n, rows, n_rows, loss);
    load32(m);
    AS_TRY(loss_grad(m, x, y, n, rows, n_rows, loss));
    for (size_t i = 0; i < m->n_params; i++)
        m->grad[i] = (double)m->grad32[i];
    return AS_OK;
}

static void adam_reset(as_mlp *m)
{
    memset(m->adam_m, 0, 2 * m->n_params * sizeof(double));
    if (m->adam_m32)
        memset(m->adam_m32, 0, 2 * m->n_params * sizeof(float));
    m->step = 0;
}

/* ---- steps ---- */

/* One step in the working precision (on param32 under precision 32, without syncing). */
static as_status step(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                      size_t n_rows, double *loss)
{
    double l = 0.0;
    AS_TRY(loss_grad(m, x, y, n, rows, n_rows, loss ? &l : NULL));
    if (!isfinite(l))
        return AS_FAIL(AS_ENOCONV,
                       "mlp: mini-batch loss is %g (non-finite input or diverged "
                       "weights)",
                       l);
    if (m->opt.precision == 32)
        adam_update_f32(m);
    else
        adam_update_f64(m);
    if (loss)
        *loss = l;
    return AS_OK;
}

as_status as_mlp_step(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                      size_t n_rows, double *loss)
{
    if (m->opt.precision != 32)
        return step(m, x, y, n, rows, n_rows, loss);
    load32(m);
    as_status st = step(m, x, y, n, rows, n_rows, loss);
    store32(m);
    return st;
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
    if (m->opt.precision == 32)
        load32(m);
    as_status st = AS_OK;
    double sum = 0.0;
    for (size_t s = 0; s < n_order; s += m->opt.batch) {
        size_t nb = AS_MIN(m->opt.batch, n_order - s);
        double l = 0.0;
        if ((st = step(m, x, y, n, order + s, nb, train_loss ? &l : NULL)) != AS_OK)
            break;
        sum += l * (double)nb;
    }
    if (m->opt.precision == 32) /* also after a failed step: the steps before it count */
        store32(m);
    if (st == AS_OK && train_loss)
        *train_loss = sum / (double)n_order;
    return st;
}

as_status as_mlp_loss(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                      size_t n_rows, double *loss)
{
    if (n_rows == 0)
        return AS_FAIL(AS_EINVAL, "mlp: loss over 0 rows");
    AS_TRY(ws_reserve(m, n_rows)); /* then chunks of ws_full_rows rows, as ever */
    double sum = 0.0;
    for (size_t s = 0; s < n_rows; s += m->ws_rows) {
        size_t nb = AS_MIN(m->ws_rows, n_rows - s);
        if (rows) {
            AS_TRY(gather_f64(m, x, y, n, rows + s, nb));
        } else {
            if (s + nb > n)
                return AS_FAIL(AS_EINVAL, "mlp: %zu rows requested, n = %zu", n_rows, n);
            AS_TRY(gather_f64(m, x + s * m->d, y + s, n - s, NULL, nb));
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
    if (rep) /* the training-loss history only for a report */
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
        AS_CHECK(as_mlp_epoch(m, x, y, n, order, n_order, rng, tl ? &tl[e - 1] : NULL));
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
