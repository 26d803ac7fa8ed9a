/* Private helpers of the mlp area: the model layout (shared by mlp.c and mlp_json.c) and raw
 * access to parameters and gradients for tests. The JSON (de)serializers are public (mlp.h). */
#ifndef AS_MLP_INT_H
#define AS_MLP_INT_H

#include "alloyscout/mlp.h"
#include "json_int.h"

#define AS_MLP_MAX_LAYERS (AS_MLP_MAX_HIDDEN + 1)

/* Rows of the working memory used for loss evaluation and prediction chunks. */
#define AS_MLP_CHUNK 256

/* Blocks of at most this many rows go through the small-shape kernels of mlp.c (mini-batches);
 * larger blocks (validation sets, predictions) through as_gemm (OpenBLAS). docs/mlp.md. */
#define AS_MLP_SMALL_ROWS 128

/* Which matrix-product path forward/backward take: by row count (the default), or one of the
 * two forced, for the test that compares them. */
typedef enum { AS_MLP_PATH_AUTO = 0, AS_MLP_PATH_SMALL, AS_MLP_PATH_BLAS } as_mlp_path;

struct as_mlp {
    as_mlp_options opt;
    size_t d;                            /* inputs */
    size_t n_layers;                     /* linear layers = n_hidden + 1 */
    size_t width[AS_MLP_MAX_LAYERS + 1]; /* width[0] = d, width[n_layers] = 1 */
    size_t n_params;
    /* One block of 4 * n_params doubles: parameters | gradients | Adam m | Adam v. Layer l
     * (1-based) holds W_l (width[l] x width[l-1], row-major, PyTorch's out x in) then b_l. */
    double *block;
    double *param, *grad, *adam_m, *adam_v;
    double *w[AS_MLP_MAX_LAYERS + 1], *b[AS_MLP_MAX_LAYERS + 1];   /* into param */
    double *gw[AS_MLP_MAX_LAYERS + 1], *gb[AS_MLP_MAX_LAYERS + 1]; /* into grad */
    size_t step; /* Adam steps taken (PyTorch's state 'step') */
    /* Working memory (one block) for ws_rows rows (opt.batch at first, max(opt.batch,
     * AS_MLP_CHUNK) once a call needs more: ws_reserve in mlp.c): act[0] inputs, act[l] layer
     * outputs (post-ReLU for hidden layers, logits for the last), delta[l] dLoss/d(pre-act.). */
    size_t ws_rows;
    double *ws;
    double *act[AS_MLP_MAX_LAYERS + 1], *delta[AS_MLP_MAX_LAYERS + 1];
    double *ybuf;  /* (ws_rows) labels of the batch */
    size_t *order; /* as_mlp_epoch's index array when order == NULL */
    size_t order_cap;
    /* the small-path forward pass's transposed activations, ws_rows rows (mlp.c, forward) */
    double *wt;
    as_mlp_path path;
    /* Precision 32 (opt.precision): float copies of the parameters and the working memory, in
     * the same layout, used by the training steps (as_mlp_step, as_mlp_epoch). Between those
     * calls the double parameters above hold the float values exactly and are the state every
     * other function reads; the Adam moments live only here. All NULL under precision 64. */
    float *block32, *ws32, *wt32;
    float *param32, *grad32, *adam_m32, *adam_v32;
    float *w32[AS_MLP_MAX_LAYERS + 1], *b32[AS_MLP_MAX_LAYERS + 1];
    float *gw32[AS_MLP_MAX_LAYERS + 1], *gb32[AS_MLP_MAX_LAYERS + 1];
    float *act32[AS_MLP_MAX_LAYERS + 1], *delta32[AS_MLP_MAX_LAYERS + 1];
    float *ybuf32;
};

/* Allocate a network with zero weights (no rng draws). */
as_status as_mlp_alloc(size_t d, const as_mlp_options *opt, as_mlp **out);

/* Parameters (n_params doubles, layout above); borrowed, writable. */
double *as_mlp_param_data(as_mlp *m);
/* Gradient block, same layout. */
double *as_mlp_grad_data(as_mlp *m);
/* Zero the gradients, then accumulate (+=) the gradient of the mean loss over rows[0..n_rows)
 * (NULL: 0..n_rows-1, n_rows <= max(opt.batch, AS_MLP_CHUNK)) into them; *loss receives the
 * mean loss. Under precision 32 the computation runs in float on the parameters rounded to
 * float, and the float gradient is then copied to the double gradient block. */
as_status as_mlp_loss_grad(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                           size_t n_rows, double *loss);

/* Force the matrix-product path (tests); AS_MLP_PATH_AUTO restores the default. Precision 32
 * always takes the small-shape kernels. */
void as_mlp_set_path(as_mlp *m, as_mlp_path path);

/* The small-shape matrix kernel of mlp.c in double and in float, for the test that compares
 * them: c (M, N; ldc) = [c if acc] + A B with A(i, p) = a[i sai + p sap], B(p, j) = b[p ldb + j]. */
void as_mlp_gemm_small_f64(size_t M, size_t N, size_t K, const double *a, size_t sai, size_t sap,
                           const double *b, size_t ldb, double *c, size_t ldc, int acc);
void as_mlp_gemm_small_f32(size_t M, size_t N, size_t K, const float *a, size_t sai, size_t sap,
                           const float *b, size_t ldb, float *c, size_t ldc, int acc);

#endif
