/* alloyscout synth: the synthesis-outcome classifier (workflow A) on the command line. The
 * workflow lives in the synth library area (alloyscout/synth.h); this file parses arguments
 * into its types, calls it, prints tables and assembles the HTML reports. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/report.h"
#include "alloyscout/synth.h"
#include "cli.h"
#include "opt.h"
#include "progress.h"

static const char *synth_help =
    "usage: alloyscout synth <cv|holdout|train|predict|recommend> [options]\n"
    "\n"
    "Predict whether a synthesis gives a single-phase solid-solution alloy from a table of past\n"
    "syntheses: z-score -> SMOTE + Tomek links -> MLP, evaluated by stratified k-fold CV.\n"
    "\n"
    "  cv         stratified k-fold cross-validation of the workflow on a table\n"
    "  holdout    train on every other group, test on named groups (or each group in turn)\n"
    "  train      train a model (all rows plus one member per fold) and save it\n"
    "  predict    success probability of new rows with a saved model\n"
    "  recommend  sweep a grid of parameters around a base record and rank it\n"
    "\n"
    "'alloyscout synth <subcommand> --help' lists the options of each.\n";

#define DATA_HELP                                                                                \
    "data options:\n"                                                                            \
    "  --data FILE          CSV (RFC 4180) with a header row\n"                                  \
    "  --target COL         outcome column: 1/0, true/false, yes/no, success/failure\n"          \
    "  --positive VALUE     the target value that counts as success (any other is failure)\n"    \
    "  --group COL          rows that belong together (an alloy, or an alloy system): kept\n"    \
    "                       out of the features; folds keep each group whole\n"                  \
    "  --drop COLS          comma-separated columns to ignore\n"                                 \
    "  --text COLS          comma-separated columns to one-hot encode even if numeric\n"         \
    "  --composition COL    formula column (Cu50Co50, Al0.5CoCrFeNi ...): adds dS_mix, delta,\n" \
    "                       dchi, VEC, T_m, dH_mix, Omega as features (docs/composition.md)\n"   \
    "  --temperature COL    process temperature in K: adds dG_mix(T) = dH_mix - T dS_mix\n"      \
    "  --on-bad-row strict|skip  skip: rows whose formula or numeric cell cannot be read\n"      \
    "                       are left out and counted (output and JSON); default strict\n"        \
    "  --impute none|median empty numeric cells: median of each member's training rows\n"        \
    "                       (never the test fold's); default none (an empty cell is an "         \
    "error)\n" CLI_CSV_HELP

#define MODEL_HELP                                                                                \
    "model options (defaults from the paper):\n"                                                  \
    "  --hidden 64,32       hidden layer widths      --epochs 50      at most this many epochs\n" \
    "  --batch 16           mini-batch size          --lr 0.001       Adam learning rate\n"       \
    "  --patience 10        early-stopping patience  --val-fraction 0.2  validation share\n"      \
    "  --stop auc|loss      early stopping keeps the epoch of the highest validation AUC\n"       \
    "                       (default) or of the lowest validation loss (the rule before\n"        \
    "                       0.2; its AUC was lower, docs/synth.md)\n"                             \
    "  --no-refit           keep the early-stopped network (default: retrain on every\n"          \
    "                       training row for the epoch count the validation rows chose)\n"        \
    "  --precision 32|64    arithmetic of training: 32 float (default; PyTorch's float32,\n"      \
    "                       1.3-1.5x faster than 64, the same AUC), 64 double; prediction\n"      \
    "                       stays double; docs/synth.md\n"                                        \
    "  --resample smote-tomek|smote|tomek|none      --smote-k 5\n"                                \
    "  --smote nc|plain     nc (SMOTE-NC): a synthetic row takes each text column's level\n"      \
    "                       from the vote of its k neighbours, integer columns stay whole,\n"     \
    "                       every column stays in its training range; plain: interpolate\n"       \
    "                       every encoded column (imbalanced-learn's SMOTE). Default nc\n"        \
    "  --class-weight balanced|none  weigh each class's loss by n / (2 n_class) instead of\n"     \
    "                       resampling (use with --resample none; default none)\n"                \
    "  --tomek majority|all  majority: drop the majority member of each link (paper);\n"          \
    "                        all: drop both (imbalanced-learn's SMOTETomek)\n"                    \
    "  --folds 5            stratified folds         --threshold 0.5  success cut-off\n"          \
    "  --threads N          folds trained at once (default: one per core; the results do\n"       \
    "                       not depend on it)\n"                                                  \
    "  --seed N             every random stream derives from it (default 0)\n"

static const char *cv_help =
    "usage: alloyscout synth cv --data F.csv --target COL [options]\n"
    "\n"
    "Stratified k-fold cross-validation: each fold is scored by a network trained on the other\n"
    "folds. Prints each fold's metrics, their mean and std, and the pooled out-of-fold metrics.\n"
    "\n" DATA_HELP MODEL_HELP "output:\n"
    "  --json FILE          metrics as JSON        --roc FILE  ROC curves as CSV\n"
    "  --report DIR         figures + index.html   --quiet     no progress or log "
    "lines\n" CLI_FIGURE_HELP
    "  --features FILE      the encoded features (one-hot, descriptors), target and group\n"
    "                       as CSV: what the network sees, for use with other tools\n"
    "  --repeats N          repeated CV: N runs with different folds and network seeds;\n"
    "                       mean +- sd of the AUCs over the repeats (table and JSON)\n"
    "  --compare-balancing  cross-validate again (same folds and seed) with class weights\n"
    "                       (--resample none --class-weight balanced) and with plain SMOTE,\n"
    "                       and print the three side by side\n"
    "  --no-random-check    with --group, do not cross-validate again with random folds\n"
    "                       (by default the output says whether they differ by more than\n"
    "                       the grouped result's 95 % CI)\n";

static const char *holdout_help =
    "usage: alloyscout synth holdout --data F.csv --target COL --group COL\n"
    "                                (--test-group V[,V...] | --leave-one-group-out) [options]\n"
    "\n"
    "Train on every group except the test groups and score those (--test-group), or hold out\n"
    "each group in turn (--leave-one-group-out).\n"
    "\n"
    "  --test-group V[,V...]  the group values to test on\n"
    "  --leave-one-group-out  one hold-out per group\n"
    "\n" DATA_HELP MODEL_HELP "output:\n"
    "  --json FILE          metrics as JSON        --roc FILE  ROC curves as CSV\n"
    "  --report DIR         figures + index.html   --quiet     no progress or log "
    "lines\n" CLI_FIGURE_HELP;

static const char *train_help =
    "usage: alloyscout synth train --data F.csv --target COL --model OUT.json [options]\n"
    "\n"
    "Train the model: one member on all rows plus one per cross-validation fold (the fold\n"
    "members give predict and recommend their uncertainty). Writes the model file (JSON).\n"
    "\n"
    "  --model FILE         the model file to write\n"
    "  --calibration platt|isotonic|none  fitted on the fold members' out-of-fold\n"
    "                       probabilities, applied to every prediction (default platt)\n"
    "  --quiet              no progress or log lines\n"
    "\n" DATA_HELP MODEL_HELP;

static const char *predict_help =
    "usage: alloyscout synth predict --model M.json --data NEW.csv --out P.csv\n"
    "\n"
    "Add probability, fold_mean and fold_std columns to the rows of NEW.csv (same columns as\n"
    "the training table; the target may be absent), and in_domain (1/0) and domain_reason:\n"
    "whether each row lies inside the training domain (elements and text levels seen in\n"
    "training, values inside the training range, a nearest training row no farther than the\n"
    "training rows' own 99th-percentile nearest-neighbour distance; docs/synth.md). One\n"
    "warning counts the rows outside.\n"
    "\n"
    "  --model FILE         a model written by 'synth train'\n"
    "  --data FILE          the rows to predict\n"
    "  --out FILE           the CSV to write ('-': standard output)\n"
    "  --quiet              no log lines\n" CLI_CSV_HELP;

static const char *recommend_help =
    "usage: alloyscout synth recommend --model M.json --base ROW.csv --vary SPEC [--vary SPEC "
    "...]\n"
    "                                  [--top 10] [--out R.csv] [--report DIR]\n"
    "\n"
    "Set the varied parameters of the one-row base record to every point of a grid, predict\n"
    "each point and rank them by success probability (uncertainty: std over the fold models).\n"
    "Points outside the training domain are marked, counted, and flagged in --out\n"
    "(in_domain, domain_reason; as for predict).\n"
    "\n"
    "  --model FILE         a model written by 'synth train'\n"
    "  --base FILE          CSV with exactly one data row (the training table's columns)\n"
    "  --vary NAME=LO:HI:STEP  a numeric column over a range\n"
    "  --vary NAME=a,b,c    numbers, levels of a text column, or formulas for the model's\n"
    "                       --composition column (descriptors and element columns follow)\n"
    "  --top N              rows printed (10)       --out FILE  every grid point as CSV\n"
    "  --report DIR         heat map (two axes, category values as tick labels) + "
    "table\n" CLI_FIGURE_HELP "  --quiet              no log lines\n" CLI_CSV_HELP;

/* Which subcommands take an option. */
enum { S_CV = 1, S_HOLD = 2, S_TRAIN = 4, S_PRED = 8, S_REC = 16, S_ALL = 31 };
#define S_FIT (S_CV | S_HOLD | S_TRAIN)

typedef struct {
    const char *sub;
    const char *data, *json, *roc, *test_group, *model, *out, *base, *report, *features;
    const char *format;
    size_t dpi;
    int argc;
    char **argv;
    cli_list vary;
    size_t top, repeats;
    int logo, quiet, no_refit, no_random_check, compare_balancing;
    as_schema_options schema;
    as_synth_options opt;
} synth_args;

/* options parsed by the library's parsers */
CLI_OPT_PARSER(opt_hidden, as_mlp_parse_hidden)
CLI_OPT_PARSER(opt_resample, as_resample_method_parse)
CLI_OPT_PARSER(opt_smote, as_smote_mode_parse)
CLI_OPT_PARSER(opt_tomek, as_tomek_mode_parse)
CLI_OPT_PARSER(opt_stop, as_mlp_stop_parse)
CLI_OPT_PARSER(opt_precision, as_mlp_precision_parse)
CLI_OPT_PARSER(opt_calibration, as_calibration_parse)

/* *(int *)dest = va or vb for the word a or b given to option flag; else a usage error. */
static int two_words(const char *cmd, const char *flag, const char *arg, void *dest, const char *a,
                     int va, const char *b, int vb)
{
    if (strcmp(arg, a) == 0)
        *(int *)dest = va;
    else if (strcmp(arg, b) == 0)
        *(int *)dest = vb;
    else
        return cli_usage(cmd, "%s '%s' unknown (expected %s or %s)", flag, arg, a, b);
    return 0;
}

static int opt_class_weight(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    return two_words(cmd, "--class-weight", arg, dest, "balanced", 1, "none", 0);
}

static int opt_on_bad_row(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    return two_words(cmd, "--on-bad-row", arg, dest, "strict", 0, "skip", 1);
}

static int opt_impute(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    return two_words(cmd, "--impute", arg, dest, "median", AS_SYNTH_IMPUTE_MEDIAN, "none",
                     AS_SYNTH_IMPUTE_NONE);
}

/* Room in an option table: every option of every subcommand, plus the terminator. */
#define SYNTH_OPT_CAP 64

/* The option table of subcommand `sub` (S_*) into tab (SYNTH_OPT_CAP entries). */
static void build_options(synth_args *a, unsigned sub, cli_opt *tab)
{
    const struct {
        unsigned subs;
        cli_opt o;
    } all[] = {
        {S_FIT | S_PRED, {"data", 0, CLI_STR, &a->data, 0, NULL, NULL}},
        {S_FIT, {"target", 0, CLI_STR, &a->schema.target, 0, NULL, NULL}},
        {S_FIT, {"positive", 0, CLI_STR, &a->schema.positive, 0, NULL, NULL}},
        {S_FIT, {"group", 0, CLI_STR, &a->schema.group, 0, NULL, NULL}},
        {S_FIT, {"drop", 0, CLI_STR, &a->schema.drop, 0, NULL, NULL}},
        {S_FIT, {"text", 0, CLI_STR, &a->schema.text, 0, NULL, NULL}},
        {S_FIT, {"composition", 0, CLI_STR, &a->opt.composition, 0, NULL, NULL}},
        {S_FIT, {"temperature", 0, CLI_STR, &a->opt.temperature, 0, NULL, NULL}},
        {S_FIT, {"on-bad-row", 0, CLI_CALL, &a->opt.skip_bad_rows, 0, opt_on_bad_row, NULL}},
        {S_FIT, {"impute", 0, CLI_CALL, &a->opt.impute, 0, opt_impute, NULL}},
        {S_FIT, {"hidden", 0, CLI_CALL, &a->opt.mlp, 0, opt_hidden, NULL}},
        {S_FIT, {"epochs", 0, CLI_SIZE, &a->opt.mlp.max_epochs, 0, NULL, NULL}},
        {S_FIT, {"batch", 0, CLI_SIZE, &a->opt.mlp.batch, 0, NULL, NULL}},
        {S_FIT, {"lr", 0, CLI_DOUBLE, &a->opt.mlp.lr, 0, NULL, NULL}},
        {S_FIT, {"patience", 0, CLI_SIZE, &a->opt.mlp.patience, 0, NULL, NULL}},
        {S_FIT, {"val-fraction", 0, CLI_DOUBLE, &a->opt.mlp.val_fraction, 0, NULL, NULL}},
        {S_FIT, {"stop", 0, CLI_CALL, &a->opt.mlp.stop, 0, opt_stop, NULL}},
        {S_FIT, {"no-refit", 0, CLI_FLAG, &a->no_refit, 0, NULL, NULL}},
        {S_FIT, {"precision", 0, CLI_CALL, &a->opt.mlp.precision, 0, opt_precision, NULL}},
        {S_FIT,
         {"class-weight", 0, CLI_CALL, &a->opt.class_weight_balanced, 0, opt_class_weight, NULL}},
        {S_CV, {"features", 0, CLI_STR, &a->features, 0, NULL, NULL}},
        {S_CV, {"no-random-check", 0, CLI_FLAG, &a->no_random_check, 0, NULL, NULL}},
        {S_CV, {"compare-balancing", 0, CLI_FLAG, &a->compare_balancing, 0, NULL, NULL}},
        {S_CV, {"repeats", 0, CLI_SIZE, &a->repeats, 0, NULL, NULL}},
        {S_TRAIN, {"calibration", 0, CLI_CALL, &a->opt.calibration, 0, opt_calibration, NULL}},
        {S_FIT, {"resample", 0, CLI_CALL, &a->opt.resample.method, 0, opt_resample, NULL}},
        {S_FIT, {"smote-k", 0, CLI_SIZE, &a->opt.resample.smote_k, 0, NULL, NULL}},
        {S_FIT, {"smote", 0, CLI_CALL, &a->opt.resample.smote, 0, opt_smote, NULL}},
        {S_FIT, {"tomek", 0, CLI_CALL, &a->opt.resample.tomek, 0, opt_tomek, NULL}},
        {S_FIT, {"folds", 0, CLI_SIZE, &a->opt.folds, 0, NULL, NULL}},
        {S_FIT, {"threshold", 0, CLI_DOUBLE, &a->opt.threshold, 0, NULL, NULL}},
        {S_FIT, {"threads", 0, CLI_SIZE, &a->opt.threads, 0, NULL, NULL}},
        /* every subcommand takes --seed (predict and recommend draw nothing) so that one
         * command line pattern serves them all */
        {S_ALL, {"seed", 0, CLI_U64, &a->opt.seed, 0, NULL, NULL}},
        {S_CV | S_HOLD, {"json", 0, CLI_STR, &a->json, 0, NULL, NULL}},
        {S_CV | S_HOLD, {"roc", 0, CLI_STR, &a->roc, 0, NULL, NULL}},
        {S_CV | S_HOLD | S_REC, {"report", 0, CLI_STR, &a->report, 0, NULL, NULL}},
        {S_CV | S_HOLD | S_REC, {"format", 0, CLI_STR, &a->format, 0, NULL, NULL}},
        {S_CV | S_HOLD | S_REC, {"dpi", 0, CLI_SIZE, &a->dpi, 0, NULL, NULL}},
        {S_HOLD, {"test-group", 0, CLI_STR, &a->test_group, 0, NULL, NULL}},
        {S_HOLD, {"leave-one-group-out", 0, CLI_FLAG, &a->logo, 0, NULL, NULL}},
        {S_TRAIN | S_PRED | S_REC, {"model", 0, CLI_STR, &a->model, 0, NULL, NULL}},
        {S_PRED | S_REC, {"out", 0, CLI_STR, &a->out, 0, NULL, NULL}},
        {S_REC, {"base", 0, CLI_STR, &a->base, 0, NULL, NULL}},
        {S_REC, {"vary", 0, CLI_LIST, &a->vary, 0, NULL, NULL}},
        {S_REC, {"top", 0, CLI_SIZE, &a->top, 0, NULL, NULL}},
        {S_ALL, {"quiet", 0, CLI_FLAG, &a->quiet, 0, NULL, NULL}},
        {S_ALL, CLI_OPT_DELIMITER},
        {S_ALL, CLI_OPT_ENCODING},
    };
    _Static_assert(sizeof all / sizeof *all < SYNTH_OPT_CAP, "raise SYNTH_OPT_CAP");
    size_t n = 0;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i].subs & sub)
            tab[n++] = all[i].o;
    memset(&tab[n], 0, sizeof tab[n]);
}

/* ---- output of evaluation results ---- */

#define METRICS(X)                        \
    X(auc, "ROC AUC")                     \
    X(pr_auc, "PR AUC")                   \
    X(accuracy, "accuracy")               \
    X(balanced_accuracy, "balanced acc.") \
    X(precision, "precision") X(recall, "recall") X(f1, "F1") X(mcc, "MCC") X(brier, "Brier")

static void print_result(const as_synth_result *r, const char *what)
{
    printf("%s: %zu samples (%zu positive), %zu skipped for an empty target", what, r->n_samples,
           r->n_positive, r->n_skipped);
    if (r->n_bad)
        printf(", %zu skipped as unreadable (--on-bad-row skip)", r->n_bad);
    if (r->n_missing)
        printf(", %zu empty numeric cells imputed (training-fold median)", r->n_missing);
    printf("\n\n");
    printf("%-22s %8s %8s %8s %8s %8s %10s\n", "part", "AUC", "PR AUC", "acc", "bal.acc", "F1",
           "tn/fp/fn/tp");
    size_t shown = 0;
    for (size_t p = 0; p < r->n_parts; p++) {
        if (r->n_parts > 40 && !r->part_valid[p])
            continue;
        if (!r->part_valid[p]) {
            printf("%-22.22s %8s (a single class: AUC undefined)\n", r->part_name[p], "-");
            continue;
        }
        if (++shown > 40) {
            if (shown == 41)
                printf("... (all parts are in the JSON output)\n");
            continue;
        }
        const as_metrics *m = &r->part[p];
        printf("%-22.22s %8.4f %8.4f %8.4f %8.4f %8.4f %zu/%zu/%zu/%zu\n", r->part_name[p], m->auc,
               m->pr_auc, m->accuracy, m->balanced_accuracy, m->f1, m->tn, m->fp, m->fn, m->tp);
    }
    printf("\n%-18s %10s %10s %10s\n", "metric", "mean", "std", "pooled");
#define ROW(f, label) \
    printf("%-18s %10.4f %10.4f %10.4f\n", label, r->mean.f, r->std.f, r->pooled.f);
    METRICS(ROW)
#undef ROW
    if (!isnan(r->auc_ci_lo)) {
        if (r->ci_groups)
            printf("\npooled ROC AUC %.4f, 95 %% CI %.4f-%.4f (%d bootstrap resamples of the "
                   "%zu groups)\n",
                   r->pooled.auc, r->auc_ci_lo, r->auc_ci_hi, AS_SYNTH_BOOT, r->ci_groups);
        else
            printf("\npooled ROC AUC %.4f, 95 %% CI %.4f-%.4f (%d bootstrap resamples of the "
                   "rows)\n",
                   r->pooled.auc, r->auc_ci_lo, r->auc_ci_hi, AS_SYNTH_BOOT);
    }
    if (r->groups_defined || r->groups_single)
        printf("per-group ROC AUC (within each group): size-weighted %.4f, mean %.4f over the %zu "
               "groups with both classes; %zu groups hold one class only (AUC undefined)\n",
               r->auc_group_weighted, r->auc_group_mean, r->groups_defined, r->groups_single);
    printf("\ncalibration of the pooled out-of-fold probabilities (%d bins)\n", AS_SYNTH_CAL_BINS);
    printf("%-36s %8s %8s\n", "probabilities", "ECE", "Brier");
    static const char *cal_label[3] = {"as predicted", "Platt (cross-fitted over the parts)",
                                       "isotonic (cross-fitted)"};
    for (int k = 0; k < 3; k++) {
        if (isnan(r->cal[k].ece))
            printf("%-36s %8s %8s\n", cal_label[k], "-", "-");
        else
            printf("%-36s %8.4f %8.4f\n", cal_label[k], r->cal[k].ece, r->cal[k].brier);
    }
}

/* A table cell: a copy of the formatted text (NULL when out of memory). */
static char *cell(const char *fmt, ...) AS_PRINTF(1, 2);
static char *cell(const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    return as_strdup(b);
}

static void free_cells(char **cells, size_t n)
{
    if (cells)
        for (size_t i = 0; i < n; i++)
            as_free(cells[i]);
    as_free(cells);
}

/* The other evaluations of the same rows that --group (random folds) and --compare-balancing
 * add to a cross-validation; printed, in the report and in the JSON beside the result. */
typedef struct {
    as_synth_comparison c[3];
    as_synth_result *r[3];
    char options[96]; /* this run's balancing options */
    size_t n;
} comparisons;

/* Stop at the first failed report call: st keeps the first failure. */
#define REP(call)        \
    do {                 \
        if (st == AS_OK) \
            st = (call); \
    } while (0)

/* The reliability diagram: one line per available calibration, and the diagonal. */
static as_status reliability_figure(const char *dir, const as_synth_result *r)
{
    as_plot *p = NULL;
    as_status st = as_plot_create("Reliability (pooled out-of-fold)", "mean predicted probability",
                                  "observed share of successes", &p);
    static const char *name[3] = {"as predicted", "Platt", "isotonic"};
    REP(as_plot_set_xrange(p, 0, 1));
    REP(as_plot_set_yrange(p, 0, 1));
    REP(as_plot_diagonal(p));
    for (int k = 0; st == AS_OK && k < 3; k++) {
        const as_synth_calibration *c = &r->cal[k];
        if (isnan(c->ece) || c->n_bins == 0)
            continue;
        char label[64];
        snprintf(label, sizeof label, "%s (ECE %.3f)", name[k], c->ece);
        st = as_plot_line(p, c->prob_pred, c->prob_true, c->n_bins, label);
    }
    REP(as_plot_save(p, dir, "reliability"));
    as_plot_free(p);
    return st;
}

/* The report's table of the other evaluations, this run first. */
static as_status comparisons_report(as_report *rep, const as_synth_result *r,
                                    const comparisons *cmp)
{
    as_status st = AS_OK;
    size_t rows = cmp->n + 1;
    char **cells = as_calloc(rows * 7, sizeof *cells);
    if (!cells)
        return as_error_set(AS_ENOMEM, "report: out of memory");
    for (size_t k = 0; k < rows; k++) {
        const as_synth_result *q = k ? cmp->c[k - 1].r : r;
        cells[k * 7] = cell("%s", k ? cmp->c[k - 1].name : "this run");
        cells[k * 7 + 1] = cell("%s", k ? cmp->c[k - 1].options : cmp->options);
        cells[k * 7 + 2] = cell("%.4f", q->mean.auc);
        cells[k * 7 + 3] = cell("%.4f", q->pooled.auc);
        cells[k * 7 + 4] = cell("%.4f-%.4f", q->auc_ci_lo, q->auc_ci_hi);
        cells[k * 7 + 5] = cell("%.4f", q->cal[AS_CALIBRATION_NONE].ece);
        cells[k * 7 + 6] = cell("%.4f", q->cal[AS_CALIBRATION_NONE].brier);
        for (int c = 0; c < 7; c++)
            if (!cells[k * 7 + c])
                st = as_error_set(AS_ENOMEM, "report: out of memory");
    }
    static const char *hdr[7] = {"evaluation",       "options", "AUC mean", "pooled AUC",
                                 "95 % CI (pooled)", "ECE",     "Brier"};
    REP(as_report_table(rep, "the same rows evaluated otherwise (same seed)", hdr, 7,
                        (const char *const *)cells, rows));
    for (size_t k = 0; k < cmp->n; k++) {
        if (!cmp->c[k].random_folds)
            continue;
        char text[300];
        double diff = cmp->c[k].r->pooled.auc - r->pooled.auc;
        int v = as_synth_folds_verdict(r, cmp->c[k].r);
        if (v)
            snprintf(text, sizeof text,
                     "Random folds %s the pooled AUC by %.4f, more than the grouped 95 %% CI "
                     "allows: a new group is not like a held-out row; quote the grouped result.",
                     v > 0 ? "overstate" : "understate", fabs(diff));
        else
            snprintf(text, sizeof text,
                     "Random and grouped folds agree within the grouped 95 %% CI (difference "
                     "%.4f).",
                     diff);
        REP(v ? as_report_warning(rep, text) : as_report_paragraph(rep, text));
    }
    free_cells(cells, rows * 7);
    return st;
}

static as_status eval_report(const synth_args *a, const as_synth_result *r, const char *what,
                             const comparisons *cmp)
{
    as_report *rep = NULL;
    as_status st = as_report_create(a->report, "alloyscout: synthesis-outcome classifier", &rep);
    if (st != AS_OK)
        return st;
    size_t nc = r->n_parts + 1, ncurves = 0, rows = 0;
    as_fig_roc_curve *curves = as_calloc(nc, sizeof *curves);
    double **fpr = as_calloc(nc, sizeof *fpr), **tpr = as_calloc(nc, sizeof *tpr), *thr = NULL;
    char **cells = as_calloc((r->n_parts + 2) * 7, sizeof *cells);
    if (!curves || !fpr || !tpr || !cells)
        st = as_error_set(AS_ENOMEM, "report: out of memory");
    /* one curve per valid part (at most 10 drawn), then the pooled out-of-fold curve */
    for (size_t part = 0; st == AS_OK && part <= r->n_parts; part++) {
        int pooled = part == r->n_parts;
        if (!pooled && (!r->part_valid[part] || ncurves >= 10))
            continue;
        size_t np;
        st = as_synth_result_roc(r, part, &fpr[ncurves], &tpr[ncurves], &thr, &np);
        as_free(thr);
        thr = NULL;
        if (st == AS_OK) {
            curves[ncurves] = (as_fig_roc_curve){fpr[ncurves], tpr[ncurves], np,
                                                 pooled ? r->pooled.auc : r->part[part].auc};
            ncurves++;
        }
    }
    REP(as_report_heading(rep, what));
    REP(as_report_number(rep, "ROC AUC (mean over parts)", r->mean.auc, ""));
    REP(as_report_number(rep, "ROC AUC (std)", r->std.auc, ""));
    REP(as_report_number(rep, "ROC AUC (pooled out-of-fold)", r->pooled.auc, ""));
    REP(as_report_number(rep, "pooled ROC AUC, 95 % CI low (bootstrap)", r->auc_ci_lo, ""));
    REP(as_report_number(rep, "pooled ROC AUC, 95 % CI high (bootstrap)", r->auc_ci_hi, ""));
    REP(as_report_number(rep, "balanced accuracy (mean)", r->mean.balanced_accuracy, ""));
    REP(as_report_number(rep, "samples", (double)r->n_samples, ""));
    REP(as_report_number(rep, "positives", (double)r->n_positive, ""));
    REP(as_report_number(rep, "rows skipped (empty target)", (double)r->n_skipped, ""));
    REP(as_fig_roc(a->report, "roc", "ROC curves (out-of-fold)", curves, ncurves - 1,
                   &curves[ncurves - 1]));
    REP(as_report_figure(rep, "roc",
                         "ROC curve of each part and of all out-of-fold "
                         "predictions pooled (paper 000, fig. 1e)"));
    REP(reliability_figure(a->report, r));
    REP(as_report_figure(rep, "reliability",
                         "reliability diagram of the pooled out-of-fold "
                         "probabilities: share of successes against the "
                         "mean predicted probability per bin, as predicted "
                         "and cross-fitted Platt / isotonic"));
    for (int k = 0; k < 3; k++) {
        static const char *lab[3] = {"ECE as predicted", "ECE after Platt (cross-fitted)",
                                     "ECE after isotonic (cross-fitted)"};
        REP(as_report_number(rep, lab[k], r->cal[k].ece, ""));
    }
    for (size_t q = 0; st == AS_OK && q <= r->n_parts + 1; q++) {
        const as_metrics *mm;
        if (q < r->n_parts && !r->part_valid[q])
            continue;
        mm = q < r->n_parts ? &r->part[q] : q == r->n_parts ? &r->mean : &r->pooled;
        cells[rows * 7] = cell("%.63s", q < r->n_parts    ? r->part_name[q]
                                        : q == r->n_parts ? "mean"
                                                          : "pooled");
        double v[6] = {mm->auc, mm->pr_auc, mm->accuracy, mm->balanced_accuracy, mm->f1, mm->mcc};
        for (int k = 0; k < 6; k++)
            cells[rows * 7 + 1 + k] = cell("%.4f", v[k]);
        for (int k = 0; k < 7; k++)
            if (!cells[rows * 7 + k])
                st = as_error_set(AS_ENOMEM, "report: out of memory");
        rows++;
    }
    static const char *hdr[7] = {"part",          "ROC AUC", "PR AUC", "accuracy",
                                 "balanced acc.", "F1",      "MCC"};
    REP(as_report_table(rep, "metrics at threshold 0.5", hdr, 7, (const char *const *)cells, rows));
    if (cmp && cmp->n)
        REP(comparisons_report(rep, r, cmp));
    REP(as_report_input(rep, "data", a->data));
    REP(as_report_input(rep, "target", a->schema.target));
    if (a->schema.group)
        REP(as_report_input(rep, "group", a->schema.group));
    if (a->opt.composition)
        REP(as_report_input(rep, "composition", a->opt.composition));
    REP(cli_report_command(rep, a->argc, a->argv));
    REP(as_report_finish(rep));
    as_report_free(rep);
    for (size_t i = 0; i < ncurves; i++) {
        as_free(fpr[i]);
        as_free(tpr[i]);
    }
    as_free(fpr);
    as_free(tpr);
    as_free(curves);
    free_cells(cells, (r->n_parts + 2) * 7);
    return st;
}

static void print_repeats(const as_synth_result *r)
{
    if (r->n_repeats < 2)
        return;
    double m, sd;
    printf("\nrepeated cross-validation, %zu repeats (mean +- sd over the repeats; repeat 1 is "
           "the table above)\n",
           r->n_repeats);
    as_synth_mean_sd(r->repeat_auc_mean, r->n_repeats, &m, &sd);
    printf("%-36s %8.4f +- %.4f\n", "ROC AUC, mean over the folds", m, sd);
    as_synth_mean_sd(r->repeat_auc_pooled, r->n_repeats, &m, &sd);
    printf("%-36s %8.4f +- %.4f\n", "ROC AUC, pooled", m, sd);
    as_synth_mean_sd(r->repeat_auc_group, r->n_repeats, &m, &sd);
    if (!isnan(m))
        printf("%-36s %8.4f +- %.4f\n", "ROC AUC, per group size-weighted", m, sd);
}

static void balancing_line(const char *what, const as_synth_result *r)
{
    printf("  %-56s %8.4f %8.4f %8.4f %8.4f\n", what, r->mean.auc, r->pooled.auc,
           r->cal[AS_CALIBRATION_NONE].ece, r->cal[AS_CALIBRATION_NONE].brier);
}

/* Print the other evaluations after the result they belong to. */
static void print_comparisons(const synth_args *a, const as_synth_result *r, const comparisons *cmp)
{
    int header = 0;
    for (size_t k = 0; k < cmp->n; k++) {
        const as_synth_comparison *c = &cmp->c[k];
        if (c->random_folds) {
            printf("\ngrouped folds by '%s' (the result above) against random folds, pooled ROC "
                   "AUC:\n",
                   a->schema.group);
            printf("  %-52s %.4f  95 %% CI %.4f-%.4f\n", "grouped folds (each group whole)",
                   r->pooled.auc, r->auc_ci_lo, r->auc_ci_hi);
            printf("  %-52s %.4f  95 %% CI %.4f-%.4f\n",
                   "random folds (a group's rows on both sides)", c->r->pooled.auc, c->r->auc_ci_lo,
                   c->r->auc_ci_hi);
            double diff = c->r->pooled.auc - r->pooled.auc;
            int v = as_synth_folds_verdict(r, c->r);
            if (v)
                printf("random folds %s the AUC by %.4f, more than the grouped 95 %% CI allows: a "
                       "new %s is not like a held-out row; quote the grouped result\n",
                       v > 0 ? "overstate" : "understate", fabs(diff), a->schema.group);
            else
                printf("random and grouped folds agree within the grouped 95 %% CI (difference "
                       "%.4f)\n",
                       diff);
            continue;
        }
        if (!header) {
            printf("\nbalancing the classes, same folds and seed:\n");
            printf("  %-56s %8s %8s %8s %8s\n", "", "AUC mean", "pooled", "raw ECE", "Brier");
            char this_run[128];
            snprintf(this_run, sizeof this_run, "this run (%s)", cmp->options);
            balancing_line(this_run, r);
            header = 1;
        }
        char what[160];
        snprintf(what, sizeof what, "%s (%s)", c->name, c->options);
        balancing_line(what, c->r);
    }
}

static int finish_eval(const synth_args *a, as_synth_result *r, const char *what,
                       const comparisons *cmp)
{
    as_status st = AS_OK;
    as_synth_run_info info = {what, a->data, a->opt.seed};
    print_result(r, what);
    print_repeats(r);
    if (cmp)
        print_comparisons(a, r, cmp);
    if (a->report && (st = eval_report(a, r, what, cmp)) != AS_OK)
        return cli_fail(st);
    if (a->json && (st = as_synth_result_write_json_compared(r, &info, cmp ? cmp->c : NULL,
                                                             cmp ? cmp->n : 0, a->json)) != AS_OK)
        return cli_fail(st);
    if (a->roc && (st = as_synth_result_write_roc(r, a->roc)) != AS_OK)
        return cli_fail(st);
    return 0;
}

/* Progress over the folds / groups / members, which finish on several threads. */
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static size_t progress_done;

static void part_done(void *user)
{
    (void)user;
    pthread_mutex_lock(&progress_lock);
    cli_progress_update(++progress_done);
    pthread_mutex_unlock(&progress_lock);
}

/* One-hot groups of the training table's encoded columns (as_synth_column_groups), set by
 * load_training for SMOTE-NC; freed by free_training. */
static int *train_groups;

/* a->opt with the training table's column layout. */
static as_synth_options run_options(const synth_args *a)
{
    as_synth_options opt = a->opt;
    opt.resample.columns.group = train_groups;
    return opt;
}

/* The options of a run with progress over `total` parts. */
static as_synth_options progress_begin(const synth_args *a, const char *what, size_t total)
{
    as_synth_options opt = run_options(a);
    progress_done = 0;
    cli_progress_start(what, total, a->quiet);
    opt.on_part_done = part_done;
    return opt;
}

/* Read and encode the training table. */
static int load_training(const synth_args *a, as_table **t, as_schema **s, as_dataset **ds)
{
    as_status st;
    *t = NULL;
    if (!a->data)
        return cli_usage(a->sub, "%s needs --data FILE", a->sub);
    if (!a->schema.target)
        return cli_usage(a->sub, "%s needs --target COL", a->sub);
    if ((st = cli_read_csv(a->data, t)) != AS_OK)
        return cli_fail(st);
    if ((st = as_synth_encode_training(*t, &a->schema, &a->opt, s, ds)) != AS_OK) {
        as_table_free(*t);
        *t = NULL;
        return cli_fail(st);
    }
    train_groups = malloc(((*ds)->d ? (*ds)->d : 1) * sizeof *train_groups);
    if (!train_groups)
        st = as_error_set(AS_ENOMEM, "synth: column groups");
    else
        st = as_synth_column_groups(*s, (*ds)->d, train_groups);
    if (st != AS_OK) {
        free(train_groups);
        train_groups = NULL;
        as_dataset_free(*ds);
        as_schema_free(*s);
        as_table_free(*t);
        *t = NULL;
        return cli_fail(st);
    }
    return 0;
}

static void free_training(as_table *t, as_schema *s, as_dataset *ds)
{
    free(train_groups);
    train_groups = NULL;
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
}

/* With --group, cross-validate again with random (row-wise stratified) folds, to say plainly
 * whether they differ from the grouped result by more than its 95 % interval. */
static int run_random_folds(const synth_args *a, const as_dataset *ds, comparisons *cmp)
{
    as_dataset rows = *ds; /* the same rows, no group: as_stratified_kfold */
    rows.group = NULL;
    as_synth_options opt = progress_begin(a, "random-fold cross-validation", a->opt.folds);
    as_status st = as_synth_cv(&rows, &opt, &cmp->r[cmp->n]);
    cli_progress_end();
    if (st != AS_OK)
        return cli_fail(st);
    cmp->c[cmp->n] = (as_synth_comparison){"random folds", "--no-group", cmp->r[cmp->n], 1};
    cmp->n++;
    return 0;
}

/* This run's balancing, as options. */
static void balancing_options(const synth_args *a, char *buf, size_t size)
{
    int smote = a->opt.resample.method == AS_RESAMPLE_SMOTE ||
                a->opt.resample.method == AS_RESAMPLE_SMOTE_TOMEK;
    snprintf(buf, size, "--resample %s%s%s%s", as_resample_method_name(a->opt.resample.method),
             smote ? " --smote " : "", smote ? as_smote_mode_name(a->opt.resample.smote) : "",
             a->opt.class_weight_balanced ? " --class-weight balanced" : "");
}

/* --compare-balancing: the same cross-validation (same folds: they depend on the seed only)
 * with class weights instead of resampling, and with plain SMOTE, beside the run above. */
static int run_balancing(const synth_args *a, const as_dataset *ds, comparisons *cmp)
{
    as_synth_options o = progress_begin(a, "class-weight cross-validation", a->opt.folds);
    o.resample.method = AS_RESAMPLE_NONE;
    o.class_weight_balanced = 1;
    as_status st = as_synth_cv(ds, &o, &cmp->r[cmp->n]);
    cli_progress_end();
    if (st != AS_OK)
        return cli_fail(st);
    cmp->c[cmp->n] = (as_synth_comparison){
        "class weights", "--resample none --class-weight balanced", cmp->r[cmp->n], 0};
    cmp->n++;
    int smote = a->opt.resample.method == AS_RESAMPLE_SMOTE ||
                a->opt.resample.method == AS_RESAMPLE_SMOTE_TOMEK;
    if (smote && a->opt.resample.smote == AS_SMOTE_NC) {
        o = progress_begin(a, "plain-SMOTE cross-validation", a->opt.folds);
        o.resample.smote = AS_SMOTE_PLAIN;
        st = as_synth_cv(ds, &o, &cmp->r[cmp->n]);
        cli_progress_end();
        if (st != AS_OK)
            return cli_fail(st);
        cmp->c[cmp->n] = (as_synth_comparison){"plain SMOTE", "--smote plain", cmp->r[cmp->n], 0};
        cmp->n++;
    }
    return 0;
}

static int cmd_cv(const synth_args *a)
{
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    int rc = load_training(a, &t, &s, &ds);
    if (rc)
        return rc;
    as_synth_result *r = NULL;
    as_status st;
    if (a->features && (st = as_synth_dataset_write_csv(s, ds, a->features)) != AS_OK) {
        free_training(t, s, ds);
        return cli_fail(st);
    }
    size_t reps = a->repeats ? a->repeats : 1;
    as_synth_options opt = progress_begin(a, "cross-validation", a->opt.folds * reps);
    st = reps > 1 ? as_synth_cv_repeated(ds, &opt, reps, &r) : as_synth_cv(ds, &opt, &r);
    cli_progress_end();
    rc = st != AS_OK ? cli_fail(st) : 0;
    comparisons cmp = {0};
    balancing_options(a, cmp.options, sizeof cmp.options);
    if (rc == 0 && ds->group && !a->no_random_check)
        rc = run_random_folds(a, ds, &cmp);
    if (rc == 0 && a->compare_balancing)
        rc = run_balancing(a, ds, &cmp);
    if (rc == 0)
        rc = finish_eval(a, r, "cross-validation", &cmp);
    for (size_t k = 0; k < cmp.n; k++)
        as_synth_result_free(cmp.r[k]);
    as_synth_result_free(r);
    free_training(t, s, ds);
    return rc;
}

static int cmd_holdout(const synth_args *a)
{
    if (!a->schema.group)
        return cli_usage(a->sub, "%s needs --group COL", a->sub);
    if (!a->test_group == !a->logo)
        return cli_usage(a->sub,
                         "%s needs exactly one of --test-group V[,V...] and "
                         "--leave-one-group-out",
                         a->sub);
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    int rc = load_training(a, &t, &s, &ds);
    if (rc)
        return rc;
    as_synth_result *r = NULL;
    as_status st;
    size_t *groups = NULL, n_groups = 0;
    if (a->logo) {
        as_synth_options opt = progress_begin(a, "leave-one-group-out", ds->n_groups);
        st = as_synth_leave_one_group_out(ds, &opt, &r);
        cli_progress_end();
    } else if ((st = as_synth_find_groups(ds, a->test_group, &groups, &n_groups)) == AS_OK) {
        as_synth_options opt = run_options(a);
        st = as_synth_holdout(ds, groups, n_groups, &opt, &r);
    } else {
        as_error_prefix(st, "%s (column '%s')", a->data, a->schema.group);
    }
    if (st != AS_OK)
        rc = cli_fail(st);
    else
        rc = finish_eval(a, r, a->logo ? "leave-one-group-out" : "group hold-out", NULL);
    as_free(groups);
    as_synth_result_free(r);
    free_training(t, s, ds);
    return rc;
}

static int cmd_train(const synth_args *a)
{
    if (!a->model)
        return cli_usage(a->sub, "%s needs --model OUT.json", a->sub);
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    int rc = load_training(a, &t, &s, &ds);
    if (rc)
        return rc;
    as_synth_model *m = NULL;
    as_synth_options opt = progress_begin(a, "training", a->opt.folds + 1);
    as_status st = as_synth_train(s, ds, &opt, &m);
    cli_progress_end();
    if (st == AS_OK)
        st = as_synth_model_set_training_elements(m, t);
    if (st == AS_OK)
        st = as_synth_model_save(m, a->model);
    if (st != AS_OK)
        rc = cli_fail(st);
    else
        fprintf(strcmp(a->model, "-") ? stdout : stderr,
                "trained on %zu rows (%zu features, %zu fold members, %s calibration); model "
                "written to %s\n",
                ds->n, ds->d, a->opt.folds,
                as_calibration_name(as_synth_model_calibration(m, NULL)), a->model);
    as_synth_model_free(m);
    free_training(t, s, ds);
    return rc;
}

static int cmd_predict(const synth_args *a)
{
    if (!a->model || !a->data || !a->out)
        return cli_usage(a->sub, "%s needs --model M.json --data NEW.csv --out P.csv", a->sub);
    as_synth_model *m = NULL;
    as_table *t = NULL;
    size_t n = 0;
    as_status st;
    if ((st = as_synth_model_load(a->model, &m)) == AS_OK &&
        (st = cli_read_csv(a->data, &t)) == AS_OK &&
        (st = as_synth_predict_table(m, t, a->out, &n)) == AS_OK) {
        size_t n_fit;
        as_calibration_method cm = as_synth_model_calibration(m, &n_fit);
        FILE *msg = strcmp(a->out, "-") ? stdout : stderr; /* stdout may be the CSV */
        fprintf(msg, "%zu predictions written to %s\n", n, a->out);
        if (cm == AS_CALIBRATION_NONE)
            fprintf(msg, "probabilities are not calibrated (the model carries no calibration)\n");
        else
            fprintf(msg,
                    "probabilities calibrated by %s scaling, fitted on %zu out-of-fold "
                    "predictions\n",
                    as_calibration_name(cm), n_fit);
    }
    as_table_free(t);
    as_synth_model_free(m);
    return st == AS_OK ? 0 : cli_fail(st);
}

/* ---- recommend ---- */

/* Category values of an axis as drawn under its ticks (NULL for a numeric axis). Formulas get
 * subscript digits. OUT: n strings to free with names_free, or NULL. */
static char **axis_names(const as_synth_axis_values *v)
{
    if (v->kind == AS_SYNTH_AXIS_NUMBER)
        return NULL;
    char **out = as_calloc(v->n_values + 1, sizeof *out);
    for (size_t i = 0; out && i < v->n_values; i++) {
        const char *s = v->value[i];
        size_t L = strlen(s), k = 0;
        char *m = as_malloc(4 * L + 1);
        if (!m)
            break;
        for (size_t j = 0; j < L; j++) { /* "Al0.5CoCrFeNi" -> "Al_{0.5}CoCrFeNi" */
            int num = (s[j] >= '0' && s[j] <= '9') ||
                      (s[j] == '.' && j + 1 < L && s[j + 1] >= '0' && s[j + 1] <= '9');
            int after_letter = j > 0 && ((s[j - 1] >= 'A' && s[j - 1] <= 'Z') ||
                                         (s[j - 1] >= 'a' && s[j - 1] <= 'z'));
            if (v->kind == AS_SYNTH_AXIS_FORMULA && num && after_letter) {
                m[k++] = '_';
                m[k++] = '{';
                while (j < L && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
                    m[k++] = s[j++];
                m[k++] = '}';
                j--;
            } else if (s[j] == '^' || s[j] == '_') { /* not markup in a value */
                m[k++] = s[j];
                m[k++] = ' ';
            } else {
                m[k++] = s[j];
            }
        }
        m[k] = '\0';
        out[i] = m;
    }
    return out;
}

static void names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        as_free(names[i]);
    as_free(names);
}

static as_status recommend_report(const synth_args *a, const as_synth_recommendation *rec,
                                  size_t top)
{
    as_report *rep = NULL;
    size_t n_ax = rec->n_axes, ncol = n_ax + 4;
    const size_t best = rec->rank[0];
    as_status st =
        as_report_create(a->report, "alloyscout: recommended synthesis parameters", &rep);
    if (st != AS_OK)
        return st;
    char **cells = as_calloc(top * ncol + 1, sizeof *cells);
    const char **hdr = as_calloc(ncol, sizeof *hdr);
    if (!cells || !hdr)
        st = as_error_set(AS_ENOMEM, "report: out of memory");
    REP(as_report_heading(rep, "recommendation sweep"));
    REP(as_report_number(rep, "grid points", (double)rec->n_points, ""));
    REP(as_report_number(rep, "best predicted success probability", rec->prob[best], ""));
    REP(as_report_number(rep, "its fold-model std", rec->fold_std[best], ""));
    if (n_ax == 2) {
        /* the category values are the tick labels of their axis */
        char **xn = axis_names(&rec->axis[1]), **yn = axis_names(&rec->axis[0]);
        if ((rec->axis[1].kind != AS_SYNTH_AXIS_NUMBER && !xn) ||
            (rec->axis[0].kind != AS_SYNTH_AXIS_NUMBER && !yn))
            st = as_error_set(AS_ENOMEM, "report: out of memory");
        for (size_t i = 0; st == AS_OK && xn && i < rec->axis[1].n_values; i++)
            if (!xn[i])
                st = as_error_set(AS_ENOMEM, "report: out of memory");
        for (size_t i = 0; st == AS_OK && yn && i < rec->axis[0].n_values; i++)
            if (!yn[i])
                st = as_error_set(AS_ENOMEM, "report: out of memory");
        /* point id = i0 * n1 + i1, so prob in id order is z (ny = n0, nx = n1) */
        REP(as_fig_recommend_map_named(a->report, "recommend_map", "Predicted success probability",
                                       rec->axis[1].name, rec->axis[1].position,
                                       (const char *const *)xn, rec->axis[1].n_values,
                                       rec->axis[0].name, rec->axis[0].position,
                                       (const char *const *)yn, rec->axis[0].n_values, rec->prob));
        names_free(xn, rec->axis[1].n_values);
        names_free(yn, rec->axis[0].n_values);
        REP(as_report_figure(rep, "recommend_map",
                             "Success probability of the model trained "
                             "on all rows over the two varied parameters"));
    } else {
        REP(as_report_paragraph(rep, "A heat map is drawn when exactly two parameters are "
                                     "varied."));
    }
    if (st == AS_OK) {
        hdr[0] = "rank";
        for (size_t k = 0; k < n_ax; k++)
            hdr[k + 1] = rec->axis[k].name;
        hdr[n_ax + 1] = "probability";
        hdr[n_ax + 2] = "fold mean";
        hdr[n_ax + 3] = "fold std";
    }
    for (size_t r = 0; st == AS_OK && r < top; r++) {
        size_t g = rec->rank[r];
        char **row = cells + r * ncol;
        row[0] = cell("%zu", r + 1);
        for (size_t k = 0; k < n_ax; k++)
            row[k + 1] =
                cell("%.63s", rec->axis[k].value[as_synth_recommendation_value(rec, g, k)]);
        row[n_ax + 1] = cell("%.4f", rec->prob[g]);
        row[n_ax + 2] = cell("%.4f", rec->fold_mean[g]);
        row[n_ax + 3] = cell("%.4f", rec->fold_std[g]);
        for (size_t k = 0; k < ncol; k++)
            if (!row[k])
                st = as_error_set(AS_ENOMEM, "report: out of memory");
    }
    char cap[128];
    snprintf(cap, sizeof cap, "top %zu grid points (uncertainty: std over %zu fold models)", top,
             rec->n_folds);
    REP(as_report_table(rep, cap, hdr, ncol, (const char *const *)cells, top));
    REP(as_report_input(rep, "model", a->model));
    REP(as_report_input(rep, "base record", a->base));
    REP(cli_report_command(rep, a->argc, a->argv));
    REP(as_report_finish(rep));
    as_report_free(rep);
    as_free(hdr);
    free_cells(cells, top * ncol);
    return st;
}

static int cmd_recommend(const synth_args *a)
{
    if (!a->model || !a->base || a->vary.n == 0)
        return cli_usage(a->sub,
                         "%s needs --model M.json --base ROW.csv and at least one "
                         "--vary NAME=LO:HI:STEP or NAME=a,b,c",
                         a->sub);
    as_synth_model *m = NULL;
    as_table *t = NULL;
    as_synth_axis *ax[CLI_LIST_MAX] = {0};
    as_synth_recommendation *rec = NULL;
    as_status st = AS_OK;
    for (size_t k = 0; k < a->vary.n && st == AS_OK; k++)
        st = as_synth_axis_parse(a->vary.v[k], &ax[k]);
    if (st == AS_OK && (st = as_synth_model_load(a->model, &m)) == AS_OK &&
        (st = cli_read_csv(a->base, &t)) == AS_OK)
        st = as_synth_recommend(m, t, (const as_synth_axis *const *)ax, a->vary.n, NULL, &rec);
    FILE *tf = a->out && !strcmp(a->out, "-") ? stderr : stdout; /* stdout may be the CSV */
    if (st == AS_OK) {
        size_t n_ax = rec->n_axes, top = a->top < rec->n_points ? a->top : rec->n_points;
        fprintf(tf,
                "%zu grid points; top %zu by predicted success probability "
                "(uncertainty: std over %zu fold models)\n\n",
                rec->n_points, top, rec->n_folds);
        fprintf(tf, "%4s", "rank");
        for (size_t k = 0; k < n_ax; k++)
            fprintf(tf, " %14.14s", rec->axis[k].name);
        fprintf(tf, " %11s %11s %9s\n", "probability", "fold_mean", "fold_std");
        for (size_t r = 0; r < top; r++) {
            size_t g = rec->rank[r];
            fprintf(tf, "%4zu", r + 1);
            for (size_t k = 0; k < n_ax; k++)
                fprintf(tf, " %14.14s",
                        rec->axis[k].value[as_synth_recommendation_value(rec, g, k)]);
            fprintf(tf, " %11.4f %11.4f %9.4f%s\n", rec->prob[g], rec->fold_mean[g],
                    rec->fold_std[g],
                    rec->domain[g] && !(rec->domain[g] & AS_SYNTH_DOMAIN_UNCHECKED)
                        ? "  (outside the training domain)"
                        : "");
        }
        if (a->report)
            st = recommend_report(a, rec, top);
    }
    if (st == AS_OK && rec->n_outside && !(rec->domain[0] & AS_SYNTH_DOMAIN_UNCHECKED)) {
        size_t first = 0;
        while (rec->domain[first] == 0)
            first++;
        fprintf(tf,
                "\nwarning: %zu of %zu grid points outside the training domain (first: %s; see "
                "in_domain and domain_reason in --out)\n",
                rec->n_outside, rec->n_points, rec->domain_reason[first]);
    } else if (st == AS_OK && rec->n_points && (rec->domain[0] & AS_SYNTH_DOMAIN_UNCHECKED))
        fprintf(tf,
                "\ngrid points not checked against the training domain: the model file has none "
                "(retrain)\n");
    if (st == AS_OK && a->out && (st = as_synth_recommendation_write_csv(rec, a->out)) == AS_OK)
        fprintf(tf, "\nall %zu grid points written to %s\n", rec->n_points, a->out);
    for (size_t k = 0; k < a->vary.n; k++)
        as_synth_axis_free(ax[k]);
    as_synth_recommendation_free(rec);
    as_table_free(t);
    as_synth_model_free(m);
    return st == AS_OK ? 0 : cli_fail(st);
}

int as_cli_synth(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(synth_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    static const struct {
        const char *name, *cmd;
        unsigned sub;
        const char **help;
        int (*run)(const synth_args *);
    } subs[] = {
        {"cv", "synth cv", S_CV, &cv_help, cmd_cv},
        {"holdout", "synth holdout", S_HOLD, &holdout_help, cmd_holdout},
        {"train", "synth train", S_TRAIN, &train_help, cmd_train},
        {"predict", "synth predict", S_PRED, &predict_help, cmd_predict},
        {"recommend", "synth recommend", S_REC, &recommend_help, cmd_recommend},
    };
    size_t k = 0;
    while (k < sizeof subs / sizeof *subs && strcmp(subs[k].name, argv[1]) != 0)
        k++;
    if (k == sizeof subs / sizeof *subs)
        return cli_usage("synth",
                         "unknown subcommand '%s' (cv, holdout, train, predict, "
                         "recommend)",
                         argv[1]);
    synth_args a;
    memset(&a, 0, sizeof a);
    a.schema = as_schema_options_default();
    a.opt = as_synth_options_default();
    a.top = 10;
    a.sub = subs[k].cmd;
    a.argc = argc;
    a.argv = argv;
    cli_opt tab[SYNTH_OPT_CAP];
    build_options(&a, subs[k].sub, tab);
    int rc = cli_parse(subs[k].cmd, *subs[k].help, argc - 1, argv + 1, tab, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_figure_output(a.sub, a.format, a.dpi, a.report)) != 0)
        return rc;
    if (a.no_refit)
        a.opt.refit = 0;
    if (a.opt.temperature && !a.opt.composition)
        return cli_usage(a.sub, "--temperature needs --composition COL");
    if (as_synth_options_check(&a.opt) != AS_OK)
        return cli_usage(a.sub, "%s", as_errmsg());
    const cli_file files[] = {
        {"--data", a.data, 0}, {"--base", a.base, 0}, {"--model", a.model, subs[k].sub == S_TRAIN},
        {"--json", a.json, 1}, {"--roc", a.roc, 1},   {"--report", a.report, 1},
        {"--out", a.out, 1}};
    if ((rc = cli_check_files(a.sub, files, CLI_NFILES(files))))
        return rc;
    cli_log_init(a.quiet);
    return subs[k].run(&a);
}
