/* alloyscout synth: the synthesis-outcome classifier (workflow A) on the command line. */
#define _GNU_SOURCE
#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/report.h"
#include "alloyscout/synth.h"
#include "core_int.h"
#include "cli.h"
#include "progress.h"
#include "json_int.h"

static const char *synth_help =
    "usage: alloyscout synth <cv|holdout|train|predict|recommend> [options]\n"
    "\n"
    "Predict whether a synthesis gives a single-phase solid-solution alloy from a table of past\n"
    "syntheses: z-score -> SMOTE + Tomek links -> MLP, evaluated by stratified k-fold CV.\n"
    "\n"
    "  synth cv        --data F.csv --target COL [--folds 5] [--json OUT] [--roc OUT.csv]\n"
    "  synth holdout   --data F.csv --target COL --group COL (--test-group V[,V...] |\n"
    "                  --leave-one-group-out) [--json OUT] [--roc OUT.csv]\n"
    "  synth train     --data F.csv --target COL --model M.json\n"
    "  synth predict   --model M.json --data NEW.csv --out P.csv\n"
    "  synth recommend --model M.json --base ROW.csv --vary NAME=LO:HI:STEP\n"
    "                  [--vary NAME=a,b,c ...] [--top 10] [--out R.csv]\n"
    "                  (NAME may be the --composition column: a list of formulas; the\n"
    "                  descriptors and element columns follow each formula)\n"
    "\n"
    "data options:\n"
    "  --data FILE          CSV (RFC 4180) with a header row\n"
    "  --target COL         outcome column: 1/0, true/false, yes/no, success/failure\n"
    "  --positive VALUE     the target value that counts as success (any other is failure)\n"
    "  --group COL          rows that belong together (an alloy, or an alloy system): kept\n"
    "                       out of the features; cv/train folds keep each group whole;\n"
    "                       holdout tests named groups\n"
    "  --drop COLS          comma-separated columns to ignore\n"
    "  --text COLS          comma-separated columns to one-hot encode even if numeric\n"
    "  --composition COL    formula column (Cu50Co50, Al0.5CoCrFeNi ...): adds dS_mix, delta,\n"
    "                       dchi, VEC, T_m, dH_mix, Omega as features (see docs/composition.md)\n"
    "  --temperature COL    process temperature in K: adds dG_mix(T) = dH_mix - T dS_mix\n"
    "model options (defaults from the paper):\n"
    "  --hidden 64,32       hidden layer widths      --epochs 50      at most this many epochs\n"
    "  --batch 16           mini-batch size          --lr 0.001       Adam learning rate\n"
    "  --patience 10        early-stopping patience  --val-fraction 0.2  validation share\n"
    "  --resample smote-tomek|smote|tomek|none      --smote-k 5\n"
    "  --tomek majority|all  majority: drop the majority member of each link (paper);\n"
    "                        all: drop both (imbalanced-learn's SMOTETomek)\n"
    "  --folds 5            stratified folds         --threshold 0.5  success cut-off\n"
    "  --threads N          folds trained at once (default: one per core; the results do\n"
    "                       not depend on it)\n"
    "common: --seed N (0), --json FILE, --report DIR (figures + index.html; cv, holdout,\n"
    "        recommend), --quiet, --help\n";

enum {
    OPT_DATA = 256, OPT_TARGET, OPT_POSITIVE, OPT_GROUP, OPT_DROP, OPT_TEXT, OPT_HIDDEN,
    OPT_EPOCHS, OPT_BATCH, OPT_LR, OPT_PATIENCE, OPT_VALF, OPT_RESAMPLE, OPT_SMOTEK, OPT_TOMEK,
    OPT_FOLDS, OPT_THRESHOLD, OPT_SEED, OPT_JSON, OPT_ROC, OPT_QUIET, OPT_TESTGROUP, OPT_LOGO,
    OPT_MODEL, OPT_OUT, OPT_BASE, OPT_VARY, OPT_TOP, OPT_HELP, OPT_COMP, OPT_TEMP, OPT_REPORT, OPT_THREADS
};

static const struct option synth_opts[] = {
    {"data", required_argument, 0, OPT_DATA},
    {"target", required_argument, 0, OPT_TARGET},
    {"positive", required_argument, 0, OPT_POSITIVE},
    {"group", required_argument, 0, OPT_GROUP},
    {"drop", required_argument, 0, OPT_DROP},
    {"text", required_argument, 0, OPT_TEXT},
    {"hidden", required_argument, 0, OPT_HIDDEN},
    {"epochs", required_argument, 0, OPT_EPOCHS},
    {"batch", required_argument, 0, OPT_BATCH},
    {"lr", required_argument, 0, OPT_LR},
    {"patience", required_argument, 0, OPT_PATIENCE},
    {"val-fraction", required_argument, 0, OPT_VALF},
    {"resample", required_argument, 0, OPT_RESAMPLE},
    {"smote-k", required_argument, 0, OPT_SMOTEK},
    {"tomek", required_argument, 0, OPT_TOMEK},
    {"folds", required_argument, 0, OPT_FOLDS},
    {"threshold", required_argument, 0, OPT_THRESHOLD},
    {"seed", required_argument, 0, OPT_SEED},
    {"json", required_argument, 0, OPT_JSON},
    {"roc", required_argument, 0, OPT_ROC},
    {"quiet", no_argument, 0, OPT_QUIET},
    {"test-group", required_argument, 0, OPT_TESTGROUP},
    {"leave-one-group-out", no_argument, 0, OPT_LOGO},
    {"model", required_argument, 0, OPT_MODEL},
    {"out", required_argument, 0, OPT_OUT},
    {"base", required_argument, 0, OPT_BASE},
    {"vary", required_argument, 0, OPT_VARY},
    {"top", required_argument, 0, OPT_TOP},
    {"help", no_argument, 0, OPT_HELP},
    {"composition", required_argument, 0, OPT_COMP},
    {"temperature", required_argument, 0, OPT_TEMP},
    {"report", required_argument, 0, OPT_REPORT},
    {"threads", required_argument, 0, OPT_THREADS},
    {0, 0, 0, 0},
};

#define MAX_VARY 8

typedef struct {
    const char *sub;
    const char *data, *json, *roc, *test_group, *model, *out, *base, *report;
    int argc;
    char **argv;
    const char *vary[MAX_VARY];
    size_t n_vary, top;
    int logo, quiet;
    as_schema_options schema;
    as_synth_options opt;
    char drop_buf[4096];
} synth_args;

static int parse_args(int argc, char **argv, synth_args *a)
{
    memset(a, 0, sizeof *a);
    a->schema = as_schema_options_default();
    a->opt = as_synth_options_default();
    a->top = 10;
    a->sub = argv[1];
    a->argc = argc;
    a->argv = argv;
    optind = 2;
    opterr = 0;
    int c;
    as_status st;
    while ((c = getopt_long(argc, argv, "", synth_opts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_DATA: a->data = optarg; break;
        case OPT_TARGET: a->schema.target = optarg; break;
        case OPT_POSITIVE: a->schema.positive = optarg; break;
        case OPT_GROUP: a->schema.group = optarg; break;
        case OPT_DROP: a->schema.drop = optarg; break;
        case OPT_TEXT: a->schema.text = optarg; break;
        case OPT_HIDDEN:
            if ((st = as_mlp_parse_hidden(optarg, &a->opt.mlp)) != AS_OK)
                return cli_usage("synth", "%s", as_errmsg());
            break;
        case OPT_EPOCHS: rc = cli_parse_size("synth", "--epochs", optarg, &a->opt.mlp.max_epochs); break;
        case OPT_BATCH: rc = cli_parse_size("synth", "--batch", optarg, &a->opt.mlp.batch); break;
        case OPT_LR: rc = cli_parse_double("synth", "--lr", optarg, &a->opt.mlp.lr); break;
        case OPT_PATIENCE: rc = cli_parse_size("synth", "--patience", optarg, &a->opt.mlp.patience); break;
        case OPT_VALF: rc = cli_parse_double("synth", "--val-fraction", optarg, &a->opt.mlp.val_fraction); break;
        case OPT_RESAMPLE:
            if (as_resample_method_parse(optarg, &a->opt.resample.method) != AS_OK)
                return cli_usage("synth", "%s", as_errmsg());
            break;
        case OPT_SMOTEK: rc = cli_parse_size("synth", "--smote-k", optarg, &a->opt.resample.smote_k); break;
        case OPT_TOMEK:
            if (as_tomek_mode_parse(optarg, &a->opt.resample.tomek) != AS_OK)
                return cli_usage("synth", "%s", as_errmsg());
            break;
        case OPT_FOLDS: rc = cli_parse_size("synth", "--folds", optarg, &a->opt.folds); break;
        case OPT_THRESHOLD: rc = cli_parse_double("synth", "--threshold", optarg, &a->opt.threshold); break;
        case OPT_SEED: {
            unsigned long long s;
            rc = cli_parse_u64("synth", "--seed", optarg, &s);
            a->opt.seed = s;
            break;
        }
        case OPT_JSON: a->json = optarg; break;
        case OPT_ROC: a->roc = optarg; break;
        case OPT_QUIET: a->quiet = 1; break;
        case OPT_TESTGROUP: a->test_group = optarg; break;
        case OPT_LOGO: a->logo = 1; break;
        case OPT_MODEL: a->model = optarg; break;
        case OPT_OUT: a->out = optarg; break;
        case OPT_BASE: a->base = optarg; break;
        case OPT_VARY:
            if (a->n_vary == MAX_VARY)
                return cli_usage("synth", "at most %d --vary options", MAX_VARY);
            a->vary[a->n_vary++] = optarg;
            break;
        case OPT_TOP: rc = cli_parse_size("synth", "--top", optarg, &a->top); break;
        case OPT_COMP: a->opt.composition = optarg; break;
        case OPT_TEMP: a->opt.temperature = optarg; break;
        case OPT_REPORT: a->report = optarg; break;
        case OPT_THREADS: rc = cli_parse_size("synth", "--threads", optarg, &a->opt.threads); break;
        case OPT_HELP: fputs(synth_help, stdout); return -1;
        default:
            return cli_usage("synth", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return cli_usage("synth", "unexpected argument '%s'", argv[optind]);
    if (a->opt.temperature && !a->opt.composition)
        return cli_usage("synth", "--temperature needs --composition COL");
    if (a->opt.composition) {
        /* the formula column feeds the descriptors, not the one-hot encoder */
        size_t n = strlen(a->opt.composition) + (a->schema.drop ? strlen(a->schema.drop) : 0);
        if (n + 2 > sizeof a->drop_buf)
            return cli_usage("synth", "--drop list too long");
        snprintf(a->drop_buf, sizeof a->drop_buf, "%s%s%s", a->schema.drop ? a->schema.drop : "",
                 a->schema.drop ? "," : "", a->opt.composition);
        a->schema.drop = a->drop_buf;
    }
    if (as_synth_options_check(&a->opt) != AS_OK)
        return cli_usage("synth", "%s", as_errmsg());
    return 0;
}

/* Read and encode the training table. */
static int load_training(const synth_args *a, as_table **t, as_schema **s, as_dataset **ds)
{
    as_status st;
    *t = NULL;
    *s = NULL;
    *ds = NULL;
    if (!a->data)
        return cli_usage("synth", "%s needs --data FILE", a->sub);
    if (!a->schema.target)
        return cli_usage("synth", "%s needs --target COL", a->sub);
    if ((st = as_table_read_csv(a->data, t)) != AS_OK)
        return cli_fail(st);
    if ((st = as_schema_infer(*t, &a->schema, s)) != AS_OK ||
        (st = as_schema_encode(*s, *t, 1, ds)) != AS_OK ||
        (a->opt.composition && (st = as_synth_add_descriptors(*ds, *t, a->opt.composition,
                                                              a->opt.temperature)) != AS_OK)) {
        as_dataset_free(*ds);
        *ds = NULL;
        as_schema_free(*s);
        as_table_free(*t);
        *s = NULL;
        *t = NULL;
        return cli_fail(st);
    }
    if ((*ds)->n_skipped)
        as_log(AS_LOG_WARN, "%zu row(s) with an empty '%s' were skipped", (*ds)->n_skipped,
               a->schema.target);
    size_t pos = 0;
    for (size_t i = 0; i < (*ds)->n; i++)
        pos += (*ds)->y[i] == 1;
    as_log(AS_LOG_INFO, "%s: %zu rows (%zu positive, %zu negative), %zu features", a->data,
           (*ds)->n, pos, (*ds)->n - pos, (*ds)->d);
    return 0;
}

/* ---- output of evaluation results ---- */

#define METRICS(X) X(auc, "ROC AUC") X(pr_auc, "PR AUC") X(accuracy, "accuracy") \
    X(balanced_accuracy, "balanced acc.") X(precision, "precision") X(recall, "recall") \
    X(f1, "F1") X(mcc, "MCC") X(brier, "Brier")

static void print_result(const as_synth_result *r, const char *what)
{
    printf("%s: %zu samples (%zu positive), %zu skipped for an empty target\n\n", what,
           r->n_samples, r->n_positive, r->n_skipped);
    printf("%-22s %8s %8s %8s %8s %8s %10s\n", "part", "AUC", "PR AUC", "acc", "bal.acc",
           "F1", "tn/fp/fn/tp");
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
        printf("%-22.22s %8.4f %8.4f %8.4f %8.4f %8.4f %zu/%zu/%zu/%zu\n", r->part_name[p],
               m->auc, m->pr_auc, m->accuracy, m->balanced_accuracy, m->f1, m->tn, m->fp, m->fn,
               m->tp);
    }
    printf("\n%-18s %10s %10s %10s\n", "metric", "mean", "std", "pooled");
#define ROW(f, label) printf("%-18s %10.4f %10.4f %10.4f\n", label, r->mean.f, r->std.f, r->pooled.f);
    METRICS(ROW)
#undef ROW
}

static as_status metrics_json(const as_metrics *m, as_json **out)
{
    as_json *j = as_json_object();
    as_status st = AS_OK;
    *out = j;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
#define PUT(f, label) if (st == AS_OK) st = as_json_set_num(j, #f, m->f);
    METRICS(PUT)
#undef PUT
    double cm[4] = {(double)m->tn, (double)m->fp, (double)m->fn, (double)m->tp};
    if (st == AS_OK)
        st = as_json_set_doubles(j, "confusion_tn_fp_fn_tp", cm, 4);
    return st;
}

static as_status result_json(const as_synth_result *r, const synth_args *a, const char *what,
                             const char *path)
{
    as_status st = AS_OK;
    as_json *j = as_json_object(), *c = NULL;
    double *v = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
    AS_CHECK(as_json_set_str(j, "command", what));
    AS_CHECK(as_json_set_str(j, "data", a->data));
    AS_CHECK(as_json_set_num(j, "seed", (double)a->opt.seed));
    AS_CHECK(as_json_set_num(j, "n_samples", (double)r->n_samples));
    AS_CHECK(as_json_set_num(j, "n_positive", (double)r->n_positive));
    AS_CHECK(as_json_set_num(j, "n_skipped", (double)r->n_skipped));
    AS_CHECK(AS_ALLOC(v, r->n_parts ? r->n_parts : 1, "json"));
    /* per metric: {"mean", "std", "folds": [...]} (null for parts with one class) */
#define PUTM(f, label)                                                   \
    c = as_json_object();                                                \
    if (!c) { st = AS_FAIL(AS_ENOMEM, "json"); goto fail; }             \
    for (size_t p = 0; p < r->n_parts; p++)                              \
        v[p] = r->part_valid[p] ? r->part[p].f : NAN;                    \
    AS_CHECK(as_json_set_num(c, "mean", r->mean.f));                     \
    AS_CHECK(as_json_set_num(c, "std", r->std.f));                       \
    AS_CHECK(as_json_set_num(c, "pooled", r->pooled.f));                 \
    AS_CHECK(as_json_set_doubles(c, "folds", v, r->n_parts));            \
    AS_CHECK(as_json_set_child(j, #f, c));
    METRICS(PUTM)
#undef PUTM
    c = as_json_array();
    if (!c) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_child(j, "parts", c));
    for (size_t p = 0; p < r->n_parts; p++) {
        as_json *pj = NULL;
        if (r->part_valid[p]) {
            AS_CHECK(metrics_json(&r->part[p], &pj));
        } else {
            pj = as_json_object();
            if (!pj) {
                st = AS_FAIL(AS_ENOMEM, "json");
                goto fail;
            }
        }
        AS_CHECK(as_json_set_str(pj, "name", r->part_name[p]));
        AS_CHECK(as_json_set_bool(pj, "auc_defined", r->part_valid[p]));
        AS_CHECK(as_json_push(c, pj));
    }
    st = as_json_write_file(j, path);
fail:
    as_free(v);
    as_json_free(j);
    return st;
}

/* The ROC curves (pooled out-of-fold, then each part) as CSV: curve,fpr,tpr,threshold. */
static as_status write_roc(const as_synth_result *r, const char *path)
{
    as_outfile *o;
    as_status st = AS_OK;
    double *p = NULL, *fpr = NULL, *tpr = NULL, *thr = NULL;
    int *y = NULL;
    AS_TRY(as_outfile_open(path, &o));
    FILE *f = as_outfile_stream(o);
    fputs("curve,fpr,tpr,threshold\n", f);
    AS_CHECK(AS_ALLOC(p, r->n_samples ? r->n_samples : 1, "roc"));
    AS_CHECK(AS_ALLOC(y, r->n_samples ? r->n_samples : 1, "roc"));
    for (size_t part = 0; part <= r->n_parts; part++) {
        /* part == n_parts: pooled */
        size_t m = 0;
        for (size_t i = 0; i < r->n_samples; i++)
            if (r->part_of[i] != SIZE_MAX && (part == r->n_parts || r->part_of[i] == part)) {
                p[m] = r->prob[i];
                y[m++] = r->y[i];
            }
        if (part < r->n_parts && !r->part_valid[part])
            continue;
        size_t np;
        AS_CHECK(as_roc_curve(p, y, m, &fpr, &tpr, &thr, &np));
        const char *name = part == r->n_parts ? "pooled" : r->part_name[part];
        for (size_t i = 0; i < np; i++) {
            char a[32], b[32], c[32];
            snprintf(a, sizeof a, "%.17g", fpr[i]);
            snprintf(b, sizeof b, "%.17g", tpr[i]);
            snprintf(c, sizeof c, "%.17g", thr[i]);
            const char *fields[4] = {name, a, b, c};
            AS_CHECK(as_csv_write_row(f, fields, 4));
        }
        as_free(fpr);
        as_free(tpr);
        as_free(thr);
        fpr = tpr = thr = NULL;
    }
    as_free(p);
    as_free(y);
    return as_outfile_commit(o);
fail:
    as_free(p);
    as_free(y);
    as_free(fpr);
    as_free(tpr);
    as_free(thr);
    as_outfile_abort(o);
    return st;
}

static as_status eval_report(const synth_args *a, const as_synth_result *r, const char *what)
{
    as_report *rep = NULL;
    as_status st;
    as_fig_roc_curve *curves = NULL;
    double *p = NULL, **fpr = NULL, **tpr = NULL, *thr = NULL;
    int *y = NULL;
    char **cells = NULL;
    size_t nc = r->n_parts + 1, ncurves = 0;
    AS_TRY(as_report_create(a->report, "alloyscout: synthesis-outcome classifier", &rep));
    AS_CHECK(AS_ALLOC(curves, nc, "report"));
    AS_CHECK(AS_ALLOC(fpr, nc, "report"));
    AS_CHECK(AS_ALLOC(tpr, nc, "report"));
    AS_CHECK(AS_ALLOC(p, r->n_samples + 1, "report"));
    AS_CHECK(AS_ALLOC(y, r->n_samples + 1, "report"));
    /* one curve per valid part (at most 10 drawn), then the pooled out-of-fold curve */
    for (size_t part = 0; part <= r->n_parts; part++) {
        int pooled = part == r->n_parts;
        if (!pooled && (!r->part_valid[part] || ncurves >= 10))
            continue;
        size_t m = 0;
        for (size_t i = 0; i < r->n_samples; i++)
            if (r->part_of[i] != SIZE_MAX && (pooled || r->part_of[i] == part)) {
                p[m] = r->prob[i];
                y[m++] = r->y[i];
            }
        size_t np;
        AS_CHECK(as_roc_curve(p, y, m, &fpr[ncurves], &tpr[ncurves], &thr, &np));
        as_free(thr);
        thr = NULL;
        curves[ncurves] = (as_fig_roc_curve){fpr[ncurves], tpr[ncurves], np,
                                             pooled ? r->pooled.auc : r->part[part].auc};
        ncurves++;
    }
    AS_CHECK(as_report_heading(rep, what));
    AS_CHECK(as_report_number(rep, "ROC AUC (mean over parts)", r->mean.auc, ""));
    AS_CHECK(as_report_number(rep, "ROC AUC (std)", r->std.auc, ""));
    AS_CHECK(as_report_number(rep, "ROC AUC (pooled out-of-fold)", r->pooled.auc, ""));
    AS_CHECK(as_report_number(rep, "balanced accuracy (mean)", r->mean.balanced_accuracy, ""));
    AS_CHECK(as_report_number(rep, "samples", (double)r->n_samples, ""));
    AS_CHECK(as_report_number(rep, "positives", (double)r->n_positive, ""));
    AS_CHECK(as_report_number(rep, "rows skipped (empty target)", (double)r->n_skipped, ""));
    AS_CHECK(as_fig_roc(a->report, "roc", "ROC curves (out-of-fold)", curves, ncurves - 1,
                        &curves[ncurves - 1]));
    AS_CHECK(as_report_figure(rep, "roc", "ROC curve of each part and of all out-of-fold "
                                          "predictions pooled (paper 000, fig. 1e)"));
    {
        static const char *hdr[7] = {"part", "ROC AUC", "PR AUC", "accuracy", "balanced acc.",
                                     "F1", "MCC"};
        size_t rows = 0;
        AS_CHECK(AS_ALLOC(cells, (r->n_parts + 2) * 7, "report"));
        for (size_t q = 0; q <= r->n_parts + 1; q++) {
            const as_metrics *mm;
            char name[64];
            if (q < r->n_parts) {
                if (!r->part_valid[q])
                    continue;
                mm = &r->part[q];
                snprintf(name, sizeof name, "%s", r->part_name[q]);
            } else if (q == r->n_parts) {
                mm = &r->mean;
                snprintf(name, sizeof name, "mean");
            } else {
                mm = &r->pooled;
                snprintf(name, sizeof name, "pooled");
            }
            double v[6] = {mm->auc, mm->pr_auc, mm->accuracy, mm->balanced_accuracy, mm->f1,
                           mm->mcc};
            cells[rows * 7] = as_strdup(name);
            for (int k = 0; k < 6; k++) {
                char b[32];
                snprintf(b, sizeof b, "%.4f", v[k]);
                cells[rows * 7 + 1 + k] = as_strdup(b);
            }
            for (int k = 0; k < 7; k++)
                if (!cells[rows * 7 + k]) {
                    st = AS_FAIL(AS_ENOMEM, "report");
                    goto fail;
                }
            rows++;
        }
        AS_CHECK(as_report_table(rep, "metrics at threshold 0.5", hdr, 7,
                                 (const char *const *)cells, rows));
        for (size_t i = 0; i < rows * 7; i++)
            as_free(cells[i]);
        as_free(cells);
        cells = NULL;
    }
    AS_CHECK(as_report_input(rep, "data", a->data));
    AS_CHECK(as_report_input(rep, "target", a->schema.target));
    if (a->schema.group)
        AS_CHECK(as_report_input(rep, "group", a->schema.group));
    if (a->opt.composition)
        AS_CHECK(as_report_input(rep, "composition", a->opt.composition));
    AS_CHECK(cli_report_command(rep, a->argc, a->argv));
    st = as_report_finish(rep);
fail:
    as_report_free(rep);
    for (size_t i = 0; i < ncurves; i++) {
        as_free(fpr[i]);
        as_free(tpr[i]);
    }
    as_free(fpr);
    as_free(tpr);
    as_free(curves);
    as_free(p);
    as_free(y);
    as_free(cells);
    return st;
}

static int finish_eval(const synth_args *a, as_synth_result *r, const char *what)
{
    as_status st = AS_OK;
    print_result(r, what);
    if (a->report && (st = eval_report(a, r, what)) != AS_OK)
        return cli_fail(st);
    if (a->json && (st = result_json(r, a, what, a->json)) != AS_OK)
        return cli_fail(st);
    if (a->roc && (st = write_roc(r, a->roc)) != AS_OK)
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

/* The options of a run with progress over `total` parts. */
static as_synth_options progress_begin(const synth_args *a, const char *what, size_t total)
{
    as_synth_options opt = a->opt;
    progress_done = 0;
    cli_progress_start(what, total, a->quiet);
    opt.on_part_done = part_done;
    return opt;
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
    as_synth_options opt = progress_begin(a, "cross-validation", a->opt.folds);
    as_status st = as_synth_cv(ds, &opt, &r);
    cli_progress_end();
    if (st != AS_OK)
        rc = cli_fail(st);
    else
        rc = finish_eval(a, r, "cross-validation");
    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
    return rc;
}

static int cmd_holdout(const synth_args *a)
{
    if (!a->schema.group)
        return cli_usage("synth", "holdout needs --group COL");
    if (!a->test_group == !a->logo)
        return cli_usage("synth", "holdout needs exactly one of --test-group V[,V...] and "
                                  "--leave-one-group-out");
    as_table *t;
    as_schema *s;
    as_dataset *ds;
    int rc = load_training(a, &t, &s, &ds);
    if (rc)
        return rc;
    as_synth_result *r = NULL;
    as_status st = AS_OK;
    size_t *groups = NULL, n_groups = 0;
    if (a->logo) {
        as_synth_options opt = progress_begin(a, "leave-one-group-out", ds->n_groups);
        st = as_synth_leave_one_group_out(ds, &opt, &r);
        cli_progress_end();
    } else {
        char *list = as_strdup(a->test_group);
        groups = as_calloc(ds->n_groups + 1, sizeof *groups);
        if (!list || !groups) {
            st = as_error_set(AS_ENOMEM, "out of memory");
        } else {
            for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok && st == AS_OK;
                 tok = strtok_r(NULL, ",", &save)) {
                size_t g = 0;
                while (g < ds->n_groups && strcmp(ds->group_names[g], tok) != 0)
                    g++;
                if (g == ds->n_groups)
                    st = as_error_set(AS_EINVAL, "test group '%s' does not occur in column '%s' "
                                      "of %s", tok, a->schema.group, a->data);
                else if (n_groups < ds->n_groups)
                    groups[n_groups++] = g;
            }
        }
        as_free(list);
        if (st == AS_OK)
            st = as_synth_holdout(ds, groups, n_groups, &a->opt, &r);
    }
    if (st != AS_OK)
        rc = cli_fail(st);
    else
        rc = finish_eval(a, r, a->logo ? "leave-one-group-out" : "group hold-out");
    as_free(groups);
    as_synth_result_free(r);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
    return rc;
}

static int cmd_train(const synth_args *a)
{
    if (!a->model)
        return cli_usage("synth", "train needs --model OUT.json");
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
        st = as_synth_model_save(m, a->model);
    if (st != AS_OK)
        rc = cli_fail(st);
    else
        printf("trained on %zu rows (%zu features, %zu fold members); model written to %s\n",
               ds->n, ds->d, a->opt.folds, a->model);
    as_synth_model_free(m);
    as_dataset_free(ds);
    as_schema_free(s);
    as_table_free(t);
    return rc;
}

/* The probability, fold mean and fold std as round-trip text into b, pointed to by fields. */
static void put_probabilities(char (*b)[32], double p, double mean, double std,
                              const char **fields)
{
    double v[3] = {p, mean, std};
    for (int k = 0; k < 3; k++) {
        snprintf(b[k], sizeof b[k], "%.17g", v[k]);
        fields[k] = b[k];
    }
}

static int cmd_predict(const synth_args *a)
{
    if (!a->model || !a->data || !a->out)
        return cli_usage("synth", "predict needs --model M.json --data NEW.csv --out P.csv");
    as_synth_model *m = NULL;
    as_table *t = NULL;
    as_dataset *ds = NULL;
    double *p = NULL, *fm = NULL, *fs = NULL;
    as_outfile *o = NULL;
    const char **fields = NULL;
    int rc = 0;
    as_status st;
    if ((st = as_synth_model_load(a->model, &m)) != AS_OK ||
        (st = as_table_read_csv(a->data, &t)) != AS_OK ||
        (st = as_synth_model_encode(m, t, 0, &ds)) != AS_OK)
        goto fail;
    size_t n = ds->n, cols = as_table_cols(t);
    p = as_calloc(n + 1, sizeof *p);
    fm = as_calloc(n + 1, sizeof *fm);
    fs = as_calloc(n + 1, sizeof *fs);
    fields = as_calloc(cols + 3, sizeof *fields);
    if (!p || !fm || !fs || !fields) {
        st = as_error_set(AS_ENOMEM, "out of memory");
        goto fail;
    }
    if ((st = as_synth_model_predict(m, ds->x, n, p, fm, fs)) != AS_OK)
        goto fail;
    if ((st = as_outfile_open(a->out, &o)) != AS_OK)
        goto fail;
    FILE *f = as_outfile_stream(o);
    for (size_t c = 0; c < cols; c++)
        fields[c] = as_table_name(t, c);
    fields[cols] = "probability";
    fields[cols + 1] = "fold_mean";
    fields[cols + 2] = "fold_std";
    if ((st = as_csv_write_row(f, fields, cols + 3)) != AS_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        char b[3][32];
        for (size_t c = 0; c < cols; c++)
            fields[c] = as_table_cell(t, ds->row[i], c);
        put_probabilities(b, p[i], fm[i], fs[i], fields + cols);
        if ((st = as_csv_write_row(f, fields, cols + 3)) != AS_OK)
            goto fail;
    }
    st = as_outfile_commit(o);
    o = NULL;
    if (st == AS_OK)
        printf("%zu predictions written to %s\n", n, a->out);
fail:
    if (st != AS_OK)
        rc = cli_fail(st);
    as_outfile_abort(o);
    as_free(fields);
    as_free(p);
    as_free(fm);
    as_free(fs);
    as_dataset_free(ds);
    as_table_free(t);
    as_synth_model_free(m);
    return rc;
}


/* ---- recommend: sweep a grid around a base record ---- */

typedef struct {
    const char *name;
    int text;            /* 1: one-hot column (values are levels) */
    size_t n_values;
    double *num;         /* numeric values */
    char **level;        /* text levels */
    size_t *feat;        /* numeric: feat[0] is the feature; text: feature of each level */
    size_t n_feat_all;   /* text: every feature of the column, to clear */
    size_t *feat_all;
    int formula;         /* 1: the model's composition column; values are formulas */
    size_t n_fx;         /* formula: features set per value (descriptors, element columns) */
    size_t *fx_feat;     /* (n_fx) */
    double *fx;          /* (n_values, n_fx) */
} vary_axis;

static void axis_free(vary_axis *v)
{
    if (v->level)
        for (size_t i = 0; i < v->n_values; i++)
            as_free(v->level[i]);
    as_free(v->level);
    as_free(v->num);
    as_free(v->feat);
    as_free(v->feat_all);
    as_free(v->fx_feat);
    as_free(v->fx);
}

/* A formula axis (the model's composition column): each value sets the composition descriptors
 * and keeps the element columns named by symbol consistent with it, as fractions or percent
 * like the base record's own element columns. */
static as_status formula_axis(const as_synth_model *m, const double *base, vary_axis *v)
{
    const as_synth_options *o = as_synth_model_options(m);
    size_t ds = as_schema_features(as_synth_model_schema(m)), d = as_synth_model_features(m);
    size_t nd = d - ds;
    if (o->temperature)
        return as_error_set(AS_EINVAL, "--vary %s: a model with --temperature needs the "
                            "temperature of each formula; vary the formula without it", v->name);
    AS_TRY(AS_ALLOC(v->fx_feat, d, "vary"));
    for (size_t k = 0; k < nd; k++)
        v->fx_feat[v->n_fx++] = ds + k;
    double sum = 0;
    size_t first_el = v->n_fx;
    for (size_t j = 0; j < ds; j++) {
        const char *fn = as_schema_feature_name(as_synth_model_schema(m), j);
        if (as_element_by_symbol(fn)) {
            v->fx_feat[v->n_fx++] = j;
            sum += base[j];
        }
    }
    double scale = fabs(sum - 1) < 1e-3 ? 1.0 : fabs(sum - 100) < 0.1 ? 100.0 : 0.0;
    if (scale == 0.0 && v->n_fx > first_el) {
        as_log(AS_LOG_WARN, "--vary %s: the base record's element columns sum to %g, neither 1 "
               "nor 100; they are left as they are", v->name, sum);
        v->n_fx = first_el;
    }
    AS_TRY(AS_ALLOC(v->fx, v->n_values * v->n_fx + 1, "vary"));
    as_descriptor_options dopt = as_descriptor_options_default();
    for (size_t i = 0; i < v->n_values; i++) {
        as_composition c;
        as_descriptors dd;
        as_status st = as_composition_parse(v->level[i], &c);
        if (st == AS_OK)
            st = as_composition_descriptors(&c, NAN, &dopt, &dd);
        if (st != AS_OK)
            return as_error_prefix(st, "--vary %s: '%s'", v->name, v->level[i]);
        double *row = v->fx + i * v->n_fx;
        for (size_t k = 0; k < nd; k++)
            row[k] = as_descriptors_get(&dd, k);
        for (size_t k = first_el; k < v->n_fx; k++) {
            const char *fn = as_schema_feature_name(as_synth_model_schema(m), v->fx_feat[k]);
            row[k] = 0;
            for (size_t e = 0; e < c.n; e++)
                if (!strcmp(c.el[e]->symbol, fn))
                    row[k] = scale * c.frac[e];
        }
    }
    return AS_OK;
}

/* Parse NAME=LO:HI:STEP or NAME=a,b,c against the model's features. */
static as_status axis_parse(const char *spec, const as_synth_model *m, const double *base,
                            vary_axis *v, char **name_buf)
{
    const as_schema *s = as_synth_model_schema(m);
    memset(v, 0, sizeof *v);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1])
        return as_error_set(AS_EINVAL, "--vary '%s': expected NAME=LO:HI:STEP or NAME=a,b,c",
                            spec);
    size_t nl = (size_t)(eq - spec);
    char *name = as_malloc(nl + 1);
    if (!name)
        return as_error_set(AS_ENOMEM, "out of memory");
    memcpy(name, spec, nl);
    name[nl] = '\0';
    *name_buf = name;
    v->name = name;
    const char *vals = eq + 1;
    size_t d = as_schema_features(s), num_feat = SIZE_MAX;
    AS_TRY(AS_ALLOC(v->feat_all, d, "vary"));
    for (size_t j = 0; j < d; j++) {
        const char *fn = as_schema_feature_name(s, j);
        if (!strcmp(fn, name))
            num_feat = j;
        else if (!strncmp(fn, name, nl) && fn[nl] == '=')
            v->feat_all[v->n_feat_all++] = j;
    }
    const char *comp = as_synth_model_options(m)->composition;
    v->formula = comp && !strcmp(comp, name);
    if (num_feat == SIZE_MAX && v->n_feat_all == 0 && !v->formula)
        return as_error_set(AS_EINVAL, "--vary: '%s' is not a feature column of the model", name);
    v->text = num_feat == SIZE_MAX;
    /* numeric range LO:HI:STEP */
    if (!v->text && strchr(vals, ':')) {
        double lo, hi, step;
        char tail;
        if (sscanf(vals, "%lf:%lf:%lf%c", &lo, &hi, &step, &tail) != 3 || !(step > 0) ||
            hi < lo)
            return as_error_set(AS_EINVAL, "--vary %s: '%s' is not LO:HI:STEP with LO <= HI "
                                "and STEP > 0", name, vals);
        size_t n = (size_t)floor((hi - lo) / step + 1e-9) + 1;
        if (n > 100000)
            return as_error_set(AS_EINVAL, "--vary %s: %zu values is too many", name, n);
        AS_TRY(AS_ALLOC(v->num, n, "vary"));
        for (size_t i = 0; i < n; i++)
            v->num[i] = lo + (double)i * step;
        v->n_values = n;
    } else {
        size_t n = 1;
        for (const char *p = vals; *p; p++)
            n += *p == ',';
        AS_TRY(AS_ALLOC(v->num, n, "vary"));
        AS_TRY(AS_ALLOC(v->level, n, "vary"));
        AS_TRY(AS_ALLOC(v->feat, n, "vary"));
        const char *p = vals;
        for (size_t i = 0; i < n; i++) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            v->level[i] = as_malloc(len + 1);
            if (!v->level[i])
                return as_error_set(AS_ENOMEM, "out of memory");
            memcpy(v->level[i], p, len);
            v->level[i][len] = '\0';
            v->n_values = i + 1;
            if (v->formula) {
                /* set below, once every value is known */
            } else if (v->text) {
                size_t j = 0;
                for (; j < v->n_feat_all; j++)
                    if (!strcmp(as_schema_feature_name(s, v->feat_all[j]) + nl + 1, v->level[i]))
                        break;
                if (j == v->n_feat_all)
                    return as_error_set(AS_EINVAL, "--vary %s: '%s' is not a level the model "
                                        "knows (see the model's schema)", name, v->level[i]);
                v->feat[i] = v->feat_all[j];
            } else if (!as_parse_number(v->level[i], &v->num[i])) {
                return as_error_set(AS_EINVAL, "--vary %s: '%s' is not a number", name,
                                    v->level[i]);
            }
            p = e ? e + 1 : p + len;
        }
    }
    if (v->formula)
        return formula_axis(m, base, v);
    if (!v->text) {
        AS_TRY(AS_ALLOC(v->feat, 1, "vary"));
        v->feat[0] = num_feat;
    }
    return AS_OK;
}

typedef struct {
    double prob, mean, std;
    size_t id;
} rec_row;

static int rec_cmp(const void *pa, const void *pb)
{
    const rec_row *a = pa, *b = pb;
    if (a->prob != b->prob)
        return a->prob < b->prob ? 1 : -1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Set x (d) to the grid point `id` (mixed-radix over the axes). */
static void grid_point(const vary_axis *ax, size_t n_ax, size_t id, double *x, size_t *pick)
{
    for (size_t k = n_ax; k-- > 0;) {
        size_t i = id % ax[k].n_values;
        id /= ax[k].n_values;
        pick[k] = i;
        if (ax[k].formula) {
            for (size_t j = 0; j < ax[k].n_fx; j++)
                x[ax[k].fx_feat[j]] = ax[k].fx[i * ax[k].n_fx + j];
        } else if (ax[k].text) {
            for (size_t j = 0; j < ax[k].n_feat_all; j++)
                x[ax[k].feat_all[j]] = 0.0;
            x[ax[k].feat[i]] = 1.0;
        } else {
            x[ax[k].feat[0]] = ax[k].num[i];
        }
    }
}

static void axis_value(const vary_axis *v, size_t i, char *buf, size_t cap)
{
    if (v->text || v->level)
        snprintf(buf, cap, "%s", v->level[i]);
    else
        snprintf(buf, cap, "%.10g", v->num[i]);
}

/* Axis label and numeric positions (text levels: 0, 1, ... with the levels in the label). */
static as_status axis_numbers(const vary_axis *v, char *label, size_t cap, double **pos)
{
    AS_TRY(AS_ALLOC(*pos, v->n_values, "report"));
    size_t used = (size_t)snprintf(label, cap, "%s", v->name);
    for (size_t i = 0; i < v->n_values; i++) {
        (*pos)[i] = v->text ? (double)i : v->num[i];
        if (v->text && used < cap)
            used += (size_t)snprintf(label + used, cap - used, "%s%zu=%s", i ? ", " : " (",
                                     i, v->level[i]);
    }
    if (v->text && used < cap)
        snprintf(label + used, cap - used, ")");
    return AS_OK;
}

static as_status recommend_report(const synth_args *a, const vary_axis *ax, size_t n_ax,
                                  const double *p, const rec_row *rows, size_t top, double *x,
                                  size_t d, size_t total, size_t folds)
{
    as_report *rep = NULL;
    as_status st;
    double *xs = NULL, *ys = NULL;
    char **cells = NULL;
    size_t pick[MAX_VARY], ncol = n_ax + 4;
    (void)d;
    (void)total;
    AS_TRY(as_report_create(a->report, "alloyscout: recommended synthesis parameters", &rep));
    AS_CHECK(as_report_heading(rep, "recommendation sweep"));
    AS_CHECK(as_report_number(rep, "grid points", (double)total, ""));
    AS_CHECK(as_report_number(rep, "best predicted success probability", rows[0].prob, ""));
    AS_CHECK(as_report_number(rep, "its fold-model std", rows[0].std, ""));
    if (n_ax == 2) {
        char xl[512], yl[512];
        AS_CHECK(axis_numbers(&ax[1], xl, sizeof xl, &xs));
        AS_CHECK(axis_numbers(&ax[0], yl, sizeof yl, &ys));
        /* a list of levels too long for an axis goes into the text instead */
        char *lab[2] = {xl, yl};
        for (int k = 0; k < 2; k++)
            if (strlen(lab[k]) > 56) {
                const vary_axis *v = &ax[1 - k];
                AS_CHECK(as_report_paragraph(rep, lab[k]));
                snprintf(lab[k], sizeof xl, "%s (index of the value, listed above)", v->name);
            }
        /* grid id = i0 * n1 + i1, so p in id order is z (ny = n0, nx = n1) */
        AS_CHECK(as_fig_recommend_map(a->report, "recommend_map",
                                      "Predicted success probability", xl, xs, ax[1].n_values,
                                      yl, ys, ax[0].n_values, p));
        AS_CHECK(as_report_figure(rep, "recommend_map", "Success probability of the model "
                                  "trained on all rows over the two varied parameters"));
    } else {
        AS_CHECK(as_report_paragraph(rep, "A heat map is drawn when exactly two parameters "
                                          "are varied."));
    }
    AS_CHECK(AS_ALLOC(cells, top * ncol + 1, "report"));
    const char **hdr = NULL;
    AS_CHECK(AS_ALLOC(hdr, ncol, "report"));
    hdr[0] = "rank";
    for (size_t k = 0; k < n_ax; k++)
        hdr[k + 1] = ax[k].name;
    hdr[n_ax + 1] = "probability";
    hdr[n_ax + 2] = "fold mean";
    hdr[n_ax + 3] = "fold std";
    for (size_t r = 0; r < top; r++) {
        char b[64];
        grid_point(ax, n_ax, rows[r].id, x, pick);
        snprintf(b, sizeof b, "%zu", r + 1);
        cells[r * ncol] = as_strdup(b);
        for (size_t k = 0; k < n_ax; k++) {
            axis_value(&ax[k], pick[k], b, sizeof b);
            cells[r * ncol + k + 1] = as_strdup(b);
        }
        double v[3] = {rows[r].prob, rows[r].mean, rows[r].std};
        for (int k = 0; k < 3; k++) {
            snprintf(b, sizeof b, "%.4f", v[k]);
            cells[r * ncol + n_ax + 1 + (size_t)k] = as_strdup(b);
        }
        for (size_t k = 0; k < ncol; k++)
            if (!cells[r * ncol + k]) {
                as_free(hdr);
                st = AS_FAIL(AS_ENOMEM, "report");
                goto fail;
            }
    }
    char cap[128];
    snprintf(cap, sizeof cap, "top %zu grid points (uncertainty: std over %zu fold models)", top,
             folds);
    st = as_report_table(rep, cap, hdr, ncol, (const char *const *)cells, top);
    as_free(hdr);
    if (st != AS_OK)
        goto fail;
    AS_CHECK(as_report_input(rep, "model", a->model));
    AS_CHECK(as_report_input(rep, "base record", a->base));
    AS_CHECK(cli_report_command(rep, a->argc, a->argv));
    st = as_report_finish(rep);
fail:
    as_report_free(rep);
    as_free(xs);
    as_free(ys);
    if (cells)
        for (size_t i = 0; i < top * ncol; i++)
            as_free(cells[i]);
    as_free(cells);
    return st;
}

static int cmd_recommend(const synth_args *a)
{
    if (!a->model || !a->base || a->n_vary == 0)
        return cli_usage("synth", "recommend needs --model M.json --base ROW.csv and at least "
                                  "one --vary NAME=LO:HI:STEP or NAME=a,b,c");
    as_synth_model *m = NULL;
    as_table *t = NULL;
    as_dataset *ds = NULL;
    vary_axis ax[MAX_VARY];
    char *names[MAX_VARY] = {0};
    size_t n_ax = 0, pick[MAX_VARY];
    double *x = NULL, *p = NULL, *fm = NULL, *fs = NULL;
    rec_row *rows = NULL;
    as_outfile *o = NULL;
    as_status st;
    int rc = 0;
    memset(ax, 0, sizeof ax);
    if ((st = as_synth_model_load(a->model, &m)) != AS_OK ||
        (st = as_table_read_csv(a->base, &t)) != AS_OK ||
        (st = as_synth_model_encode(m, t, 0, &ds)) != AS_OK)
        goto fail;
    if (ds->n != 1) {
        st = as_error_set(AS_EINVAL, "%s: the base record file must hold exactly one data row, "
                          "it holds %zu", a->base, ds->n);
        goto fail;
    }
    size_t total = 1, d = ds->d;
    for (n_ax = 0; n_ax < a->n_vary; n_ax++) {
        if ((st = axis_parse(a->vary[n_ax], m, ds->x, &ax[n_ax], &names[n_ax])) != AS_OK) {
            n_ax++;
            goto fail;
        }
        total *= ax[n_ax].n_values;
        if (total > 2000000) {
            n_ax++;
            st = as_error_set(AS_EINVAL, "--vary: the grid has more than 2000000 points");
            goto fail;
        }
    }
    x = as_calloc(total * d + 1, sizeof *x);
    p = as_calloc(total + 1, sizeof *p);
    fm = as_calloc(total + 1, sizeof *fm);
    fs = as_calloc(total + 1, sizeof *fs);
    rows = as_calloc(total + 1, sizeof *rows);
    if (!x || !p || !fm || !fs || !rows) {
        st = as_error_set(AS_ENOMEM, "out of memory for %zu grid points", total);
        goto fail;
    }
    for (size_t g = 0; g < total; g++) {
        memcpy(x + g * d, ds->x, d * sizeof *x);
        grid_point(ax, n_ax, g, x + g * d, pick);
    }
    if ((st = as_synth_model_predict(m, x, total, p, fm, fs)) != AS_OK)
        goto fail;
    for (size_t g = 0; g < total; g++)
        rows[g] = (rec_row){p[g], fm[g], fs[g], g};
    qsort(rows, total, sizeof *rows, rec_cmp);
    size_t top = a->top < total ? a->top : total;
    printf("%zu grid points; top %zu by predicted success probability "
           "(uncertainty: std over %zu fold models)\n\n", total, top,
           as_synth_model_options(m)->folds);
    printf("%4s", "rank");
    for (size_t k = 0; k < n_ax; k++)
        printf(" %14.14s", ax[k].name);
    printf(" %11s %11s %9s\n", "probability", "fold_mean", "fold_std");
    for (size_t r = 0; r < top; r++) {
        double *xr = x + rows[r].id * d;
        grid_point(ax, n_ax, rows[r].id, xr, pick);
        printf("%4zu", r + 1);
        for (size_t k = 0; k < n_ax; k++) {
            char buf[64];
            axis_value(&ax[k], pick[k], buf, sizeof buf);
            printf(" %14.14s", buf);
        }
        printf(" %11.4f %11.4f %9.4f\n", rows[r].prob, rows[r].mean, rows[r].std);
    }
    if (a->report && (st = recommend_report(a, ax, n_ax, p, rows, top, x, d, total,
                                            as_synth_model_options(m)->folds)) != AS_OK)
        goto fail;
    if (a->out) {
        if ((st = as_outfile_open(a->out, &o)) != AS_OK)
            goto fail;
        FILE *f = as_outfile_stream(o);
        const char *fields[MAX_VARY + 4];
        char vb[MAX_VARY][64], b[4][32];
        fields[0] = "rank";
        for (size_t k = 0; k < n_ax; k++)
            fields[k + 1] = ax[k].name;
        fields[n_ax + 1] = "probability";
        fields[n_ax + 2] = "fold_mean";
        fields[n_ax + 3] = "fold_std";
        if ((st = as_csv_write_row(f, fields, n_ax + 4)) != AS_OK)
            goto fail;
        for (size_t r = 0; r < total; r++) {
            grid_point(ax, n_ax, rows[r].id, x, pick);
            snprintf(b[0], sizeof b[0], "%zu", r + 1);
            fields[0] = b[0];
            for (size_t k = 0; k < n_ax; k++) {
                axis_value(&ax[k], pick[k], vb[k], sizeof vb[k]);
                fields[k + 1] = vb[k];
            }
            put_probabilities(b + 1, rows[r].prob, rows[r].mean, rows[r].std, fields + n_ax + 1);
            if ((st = as_csv_write_row(f, fields, n_ax + 4)) != AS_OK)
                goto fail;
        }
        st = as_outfile_commit(o);
        o = NULL;
        if (st == AS_OK)
            printf("\nall %zu grid points written to %s\n", total, a->out);
    }
fail:
    if (st != AS_OK)
        rc = cli_fail(st);
    as_outfile_abort(o);
    for (size_t k = 0; k < n_ax; k++)
        axis_free(&ax[k]);
    for (size_t k = 0; k < MAX_VARY; k++)
        as_free(names[k]);
    as_free(x);
    as_free(p);
    as_free(fm);
    as_free(fs);
    as_free(rows);
    as_dataset_free(ds);
    as_table_free(t);
    as_synth_model_free(m);
    return rc;
}

int as_cli_synth(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(synth_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    synth_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_log_init(a.quiet);
    if (!strcmp(a.sub, "cv"))
        return cmd_cv(&a);
    if (!strcmp(a.sub, "holdout"))
        return cmd_holdout(&a);
    if (!strcmp(a.sub, "train"))
        return cmd_train(&a);
    if (!strcmp(a.sub, "predict"))
        return cmd_predict(&a);
    if (!strcmp(a.sub, "recommend"))
        return cmd_recommend(&a);
    return cli_usage("synth", "unknown subcommand '%s' (cv, holdout, train, predict, recommend)",
                     a.sub);
}
