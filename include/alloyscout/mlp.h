/* alloyscout mlp area: a multilayer perceptron for binary classification (seed 000, section 2.4
 * and 3.1): fully connected ReLU hidden layers, one sigmoid output, binary cross-entropy, Adam
 * (lr 1e-3, beta 0.9/0.999), mini-batches of 16, at most 50 epochs, early stopping on a stratified
 * validation split. Formulas and conventions: docs/mlp.md.
 *
 * Data: x is (n, d) row-major with row stride d (d = as_mlp_input_dim), y (n) holds labels 0 or 1.
 * All randomness (initial weights, validation split, shuffling) comes from the as_rng argument. */
#ifndef ALLOYSCOUT_MLP_H
#define ALLOYSCOUT_MLP_H

#include "alloyscout/core.h"
#include "alloyscout/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Maximum number of hidden layers. */
#define AS_MLP_MAX_HIDDEN 16

/* Training options. Defaults (as_mlp_options_default):
 *   n_hidden 2, hidden {64, 32}   hidden layer widths, input to output
 *   lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8   Adam (PyTorch's update, bias-corrected)
 *   weight_decay 0      L2 penalty added to the gradient (PyTorch Adam's weight_decay)
 *   batch 16            mini-batch size (the last batch of an epoch may be smaller)
 *   max_epochs 50       upper bound on epochs in as_mlp_train
 *   patience 10         epochs without a strictly lower validation loss before stopping
 *   val_fraction 0.2    share of each class held out for early stopping; 0 disables early
 *                       stopping (as_mlp_train then runs exactly max_epochs on all rows)
 *   stop AS_MLP_STOP_LOSS  what early stopping watches on the validation rows (as_mlp_stop)
 *   class_weight {1, 1}  weight of the loss of a class-0 / class-1 row in training steps: the
 *                       batch loss is the mean of w_y * BCE (PyTorch's BCEWithLogitsLoss with
 *                       per-row weight, reduction "mean"); validation losses stay unweighted
 *   precision 64        arithmetic of the training steps: 64 = double; 32 = float parameters,
 *                       Adam moments, activations and gradients (PyTorch's default float32;
 *                       about twice the throughput of the kernels, docs/mlp.md "Precision").
 *                       The API stays double either way: under 32 the double parameters hold
 *                       float values exactly between calls, and validation, as_mlp_loss and
 *                       prediction run in double on them */
typedef enum {
    /* the mean validation BCE: keep the epoch with the lowest, stop after patience epochs
     * without a strictly lower one (PyTorch / Keras users' restore-best-weights rule) */
    AS_MLP_STOP_LOSS = 0,
    /* the validation ROC AUC (ties averaged, as scikit-learn's roc_auc_score): keep the epoch
     * with the highest, a later epoch replacing it when its AUC is at least as high; stop after
     * patience epochs without a strictly higher one. A ranking criterion: the BCE minimum
     * comes many epochs before the ranking stops improving (docs/synth.md) */
    AS_MLP_STOP_AUC = 1
} as_mlp_stop;
/* "loss" / "auc" -> *out; AS_EINVAL naming the text otherwise. */
AS_API as_status as_mlp_stop_parse(const char *s, as_mlp_stop *out);
AS_API const char *as_mlp_stop_name(as_mlp_stop s);
/* "32" / "64" -> *out; AS_EINVAL naming the text otherwise. */
AS_API as_status as_mlp_precision_parse(const char *s, int *out);

typedef struct {
    size_t n_hidden;
    size_t hidden[AS_MLP_MAX_HIDDEN];
    double lr, beta1, beta2, eps, weight_decay;
    size_t batch, max_epochs, patience;
    double val_fraction;
    as_mlp_stop stop;
    double class_weight[2];
    int precision; /* 64 or 32 */
} as_mlp_options;

AS_API as_mlp_options as_mlp_options_default(void);
/* AS_OK when every option is in range, else AS_EINVAL with a message naming the option and its
 * value (as_errmsg): no hidden layer, a width of 0 or above 2^20, lr <= 0, beta outside [0, 1),
 * eps <= 0, weight_decay < 0, batch 0, max_epochs 0, val_fraction outside [0, 1), patience 0
 * with val_fraction > 0, a precision other than 32 or 64, or a non-finite value. */
AS_API as_status as_mlp_options_check(const as_mlp_options *opt);
/* Parse a comma-separated list of hidden widths ("64,32"; blanks around numbers allowed) into
 * opt->n_hidden and opt->hidden. AS_EINVAL naming the spec and the 1-based character position
 * for an empty spec, an empty entry ("64,,32"), a non-number ("abc"), 0, or more than
 * AS_MLP_MAX_HIDDEN layers; opt is unchanged on failure. */
AS_API as_status as_mlp_parse_hidden(const char *spec, as_mlp_options *opt);

typedef struct as_mlp as_mlp;

/* A new network for d inputs with the widths and optimizer settings of opt (copied). Weights
 * and biases of each layer are drawn like PyTorch's nn.Linear, U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)), layer by layer, weights (row-major, out x in) then biases, from rng.
 * The working memory for training is allocated here once.
 * OUT: *out, free with as_mlp_free; NULL on failure. Status: AS_EINVAL (d == 0 or bad options),
 * AS_ENOMEM. */
AS_API as_status as_mlp_create(size_t d, const as_mlp_options *opt, as_rng *rng, as_mlp **out);
AS_API void as_mlp_free(as_mlp *m);
/* Number of inputs d. */
AS_API size_t as_mlp_input_dim(const as_mlp *m);
/* The options the network was created with (borrowed; valid while m lives). */
AS_API const as_mlp_options *as_mlp_get_options(const as_mlp *m);
/* Total number of weights and biases. */
AS_API size_t as_mlp_n_params(const as_mlp *m);

/* ---- steps (the caller owns the loop) ---- */

/* One Adam step on the mini-batch of rows rows[0..n_rows) of x (n, d) / y (n): zero the
 * gradients, forward, backward of the mean binary cross-entropy, Adam update.
 * rows may be NULL to mean rows 0..n_rows-1. n_rows must be in 1..max(opt.batch, 256) (the
 * rows of the working memory).
 * OUT: *loss (may be NULL: it is then not computed) the mean loss of the batch before the update.
 * Status: AS_EINVAL (a label not 0/1, a row index >= n, n_rows out of range), AS_ENOCONV when
 * the loss (or, with loss NULL, a logit) is not finite (the weights are then left unchanged). */
AS_API as_status as_mlp_step(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                             size_t n_rows, double *loss);
/* One epoch: shuffle order[0..n_order) in place with rng (Fisher-Yates), then one as_mlp_step per
 * consecutive block of opt.batch entries (the last block may be smaller). order lists row
 * indices of x; NULL means all n rows (an internal index array is used, grown at most once).
 * OUT: *train_loss (may be NULL: not computed) = sum over batches of (batch loss x batch size) / n_order, the
 * running training loss PyTorch users usually log. Status as as_mlp_step. */
AS_API as_status as_mlp_epoch(as_mlp *m, const double *x, const int *y, size_t n, size_t *order,
                              size_t n_order, as_rng *rng, double *train_loss);
/* Mean binary cross-entropy over rows[0..n_rows) (NULL: rows 0..n_rows-1) at the current
 * weights, without changing them (uses m's working memory, hence non-const).
 * Status: AS_EINVAL (bad label or row, n_rows == 0). */
AS_API as_status as_mlp_loss(as_mlp *m, const double *x, const int *y, size_t n, const size_t *rows,
                             size_t n_rows, double *loss);

/* Stratified split of the rows of y (n) for early stopping: each class's rows are shuffled with
 * rng and round(val_fraction * n_c) of them (at most n_c - 1, so every class keeps a training
 * row) go to validation. train_idx and val_idx (caller-allocated, n each) receive ascending row
 * indices; *n_train + *n_val = n. Labels must be 0/1 (AS_EINVAL otherwise). AS_ENOMEM. */
AS_API as_status as_mlp_stratified_split(const int *y, size_t n, double val_fraction, as_rng *rng,
                                         size_t *train_idx, size_t *n_train, size_t *val_idx,
                                         size_t *n_val);

/* ---- the training loop with early stopping ---- */

/* What as_mlp_train did. train_loss and val_loss are owned by the report (free with
 * as_mlp_report_free). Epoch numbers are 1-based. */
typedef struct {
    size_t epochs_run;    /* epochs completed */
    size_t best_epoch;    /* epoch whose weights the network holds at the end */
    double best_val_loss; /* validation loss of best_epoch; NAN without a validation split */
    int stopped_early;    /* 1 when patience ran out before max_epochs */
    size_t n_train, n_val;
    double *train_loss;  /* (epochs_run) running training loss of each epoch (as_mlp_epoch) */
    double *val_loss;    /* (epochs_run) validation loss after each epoch; NULL when n_val 0 */
    double *val_auc;     /* (epochs_run) validation AUC after each epoch under AS_MLP_STOP_AUC
                           * (NULL otherwise, or when the validation rows hold one class) */
    double best_val_auc; /* val_auc of best_epoch; NAN when val_auc is NULL */
} as_mlp_report;
AS_API void as_mlp_report_free(as_mlp_report *rep); /* frees the arrays; rep NULL is fine */

/* Train on x (n, d) / y (n) with the options of m: reset the Adam state, split off a stratified
 * validation set (opt.val_fraction; none when 0, or when the split leaves it empty, which is
 * logged as a warning), then run epochs (as_mlp_epoch) until opt.max_epochs or until the
 * validation criterion (opt.stop: loss or AUC) has not improved on its best for opt.patience
 * epochs; the weights of the best epoch are restored. With AS_MLP_STOP_AUC, a validation set
 * holding one class has no AUC and the loss rule is used instead. Without validation the
 * final weights are kept (best_epoch = epochs_run).
 * rep may be NULL; on failure its arrays are NULL. Status: AS_EINVAL (n == 0, a label not 0/1,
 * a non-finite input, naming row and column), AS_ENOCONV (the loss became NaN or infinite),
 * AS_ENOMEM. */
AS_API as_status as_mlp_train(as_mlp *m, const double *x, const int *y, size_t n, as_rng *rng,
                              as_mlp_report *rep);

/* Train on explicit rows: x (n, d) / y (n) are the training rows (all of them, e.g. after
 * resampling), x_val (n_val, d) / y_val (n_val) the validation rows that early stopping watches
 * (n_val 0: no early stopping; exactly opt.max_epochs epochs, final weights kept). The loop is
 * as_mlp_train's (the same function): reset Adam, then each epoch shuffles 0..n-1 afresh with rng
 * (as_mlp_epoch with order NULL) and takes one step per mini-batch; the weights of the best
 * epoch under opt.stop (lowest validation loss, or highest validation AUC) are restored. No
 * rows are split off here; rng is used only for shuffling. rep as in as_mlp_train (n_train = n). Status: AS_EINVAL (n == 0, a label not 0/1,
 * a non-finite input, naming the row and column), AS_ENOCONV, AS_ENOMEM. */
AS_API as_status as_mlp_fit(as_mlp *m, const double *x, const int *y, size_t n, const double *x_val,
                            const int *y_val, size_t n_val, as_rng *rng, as_mlp_report *rep);

/* ---- model files ---- */

/* The network as a JSON object (json.h): {"format": "alloyscout-mlp", "version": 1,
 * "input_dim", "widths", "options": {...}, "layers": [{"in", "out", "weight": [...],
 * "bias": [...]}, ...]}, weights in PyTorch's nn.Linear layout (out x in, row-major). The Adam
 * state is not stored. Doubles read back bit for bit. OUT: *out new object, free with
 * as_json_free. AS_ENOMEM. */
AS_API as_status as_mlp_to_json(const as_mlp *m, as_json **out);
/* Rebuild a network from as_mlp_to_json's object (it predicts exactly as the original; training
 * it again starts a fresh optimizer). AS_EPARSE naming the key and sizes when a field is
 * missing, mistyped or has the wrong length or a parameter is not finite; AS_EINVAL for options
 * out of range; AS_ENOMEM. */
AS_API as_status as_mlp_from_json(const as_json *j, as_mlp **out);

/* Success probabilities sigmoid(f(x)) for x (n, d); prob (n) must not alias x. Allocates a small
 * scratch per call, so it may run on one model from several threads at once. AS_ENOMEM. */
AS_API as_status as_mlp_predict(const as_mlp *m, const double *x, size_t n, double *prob);
/* As as_mlp_predict but the logits f(x) (n) before the sigmoid. */
AS_API as_status as_mlp_logits(const as_mlp *m, const double *x, size_t n, double *logit);

#ifdef __cplusplus
}
#endif
#endif
