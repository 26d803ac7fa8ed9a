/* alloyscout screen: workflow B end to end (seed 004), resumable through its SQLite file. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/campaign.h"
#include "alloyscout/lattice.h"
#include "alloyscout/report.h"
#include "cli.h"
#include "json_int.h"
#include "progress.h"

static const char *screen_help =
    "usage: alloyscout screen --candidates M1,M2,... --db CAMPAIGN.sqlite [options]\n"
    "\n"
    "Ordering screen of Pt2CoM intermetallics (seed 004): for the host pair and each candidate M,\n"
    "optimize the lattice constants, label the paper's 22 starting structures (relaxed), learn\n"
    "the energy from 15-dim SRO fingerprints (z-score, PCA, GPR) by uncertainty-driven Monte\n"
    "Carlo active learning, then predict ordered, random and across-alpha configurations and rank\n"
    "the candidates by ordering energy <E_random> - <E_ordered>.\n"
    "\n"
    "  --host Pt,Co          host pair (default Pt,Co)\n"
    "  --candidates LIST     third elements M, comma-separated (required)\n"
    "  --oracle SPEC         energy oracle (default eam: the Zhou 2004 EAM tabulated for the\n"
    "                        elements of each system; see 'alloyscout energy --help')\n"
    "  --db FILE             SQLite file for labels and campaign records (required)\n"
    "  --resume              continue the campaign in --db after an interruption\n"
    "  --json FILE           results as JSON\n"
    "  --report DIR          figures (SVG + PNG) and DIR/index.html: per system the predicted\n"
    "                        energies of ordered vs random configurations, energy vs SRO, the\n"
    "                        learning curve and a parity plot; the ranking with error bars\n"
    "  --seed N              random seed (default 0)\n"
    "  --rounds N (7)  --chains N (20)  --steps N (60)  --per-round N (10)\n"
    "  --size N (3: 108 atoms)  --restarts N (50)  --pca F (0.99)  --test-fraction F (0.2)\n"
    "  --n-ordered N (300)  --n-random N (300)  --n-across N (3800)\n"
    "  --validate N          label N unseen configurations for the true MAE and the direct\n"
    "                        oracle ordering energy (default 0: off)\n"
    "  --no-random-baseline  skip the random-selection learning curve\n"
    "  --no-gp-noise         no fitted white-noise term in the GP (the paper's plain kernel;\n"
    "                        the default fits one: relaxed energies carry the force tolerance)\n"
    "  --fmax F (0.03 eV/A)  --rmsd-max F (0.35 A)  -j N, --timeout S, --retries N (cmd oracle)\n"
    "  --quiet               no progress display and no info messages\n"
    "\n"
    "The default EAM oracle (Zhou 2004) is fitted to pure metals with a mixing rule for the cross\n"
    "terms: it gets the sign of the PtCo ordering energy but not the DFT trend across M. Rankings\n"
    "for decisions need DFT or an alloy-fitted potential through --oracle cmd:... or lammps:...\n";

static const char *physics_note =
    "The default EAM oracle (Zhou, Johnson & Wadley 2004) is fitted to pure metals; the cross "
    "interactions come from a mixing rule. It reproduces the sign of the PtCo ordering energy but "
    "not the DFT trend across M, and for some M the Pt2CoM cell is not even mechanically stable "
    "with it. Use these rankings to exercise the workflow; decisions need DFT or an alloy-fitted "
    "potential through the cmd: or lammps: oracle.";

enum {
    O_HOST = 256, O_CAND, O_ORACLE, O_DB, O_RESUME, O_JSON, O_SEED, O_ROUNDS, O_CHAINS, O_STEPS,
    O_PER, O_SIZE, O_RESTARTS, O_PCA, O_TESTF, O_NORD, O_NRAND, O_NACROSS, O_VALIDATE, O_NORB,
    O_NONOISE, O_FMAX, O_RMSD, O_TIMEOUT, O_RETRIES, O_QUIET, O_HELP, O_REPORT
};

static const struct option opts[] = {
    {"host", required_argument, 0, O_HOST}, {"candidates", required_argument, 0, O_CAND},
    {"oracle", required_argument, 0, O_ORACLE}, {"db", required_argument, 0, O_DB},
    {"resume", no_argument, 0, O_RESUME}, {"json", required_argument, 0, O_JSON},
    {"seed", required_argument, 0, O_SEED}, {"rounds", required_argument, 0, O_ROUNDS},
    {"chains", required_argument, 0, O_CHAINS}, {"steps", required_argument, 0, O_STEPS},
    {"per-round", required_argument, 0, O_PER}, {"size", required_argument, 0, O_SIZE},
    {"restarts", required_argument, 0, O_RESTARTS}, {"pca", required_argument, 0, O_PCA},
    {"test-fraction", required_argument, 0, O_TESTF},
    {"n-ordered", required_argument, 0, O_NORD}, {"n-random", required_argument, 0, O_NRAND},
    {"n-across", required_argument, 0, O_NACROSS}, {"validate", required_argument, 0, O_VALIDATE},
    {"no-random-baseline", no_argument, 0, O_NORB},
    {"no-gp-noise", no_argument, 0, O_NONOISE}, {"fmax", required_argument, 0, O_FMAX},
    {"rmsd-max", required_argument, 0, O_RMSD}, {"jobs", required_argument, 0, 'j'},
    {"timeout", required_argument, 0, O_TIMEOUT}, {"retries", required_argument, 0, O_RETRIES},
    {"quiet", no_argument, 0, O_QUIET}, {"help", no_argument, 0, O_HELP},
    {"report", required_argument, 0, O_REPORT}, {0, 0, 0, 0},
};

#define MAX_CAND 32

typedef struct {
    as_screen_options so;
    as_oracle_options oo;
    const char *oracle, *db, *json, *cand_text, *report;
    char cand[MAX_CAND][AS_SYMBOL_MAX];
    size_t n_cand;
    int resume, quiet;
    int argc;    /* the command line as given (argv[0] = "screen"), for the report */
    char **argv;
} screen_args;

static int split_symbols(const char *text, char (*out)[AS_SYMBOL_MAX], size_t cap, size_t *n,
                         const char *opt)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || len >= AS_SYMBOL_MAX || *n == cap)
            return cli_usage("screen", "%s: '%s' is not a comma-separated list of symbols", opt,
                             text);
        memcpy(out[*n], p, len);
        out[*n][len] = '\0';
        (*n)++;
        p = e ? e + 1 : p + len;
    }
    return *n ? 0 : cli_usage("screen", "%s is empty", opt);
}

static int parse(int argc, char **argv, screen_args *a)
{
    memset(a, 0, sizeof *a);
    a->so = as_screen_options_default();
    as_oracle_options_default(&a->oo);
    a->oracle = "eam";
    a->argc = argc;
    a->argv = argv;
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    unsigned long long u;
    while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1 && rc == 0) {
        switch (c) {
        case O_HOST: {
            char h[4][AS_SYMBOL_MAX];
            size_t n;
            if ((rc = split_symbols(optarg, h, 4, &n, "--host")) != 0)
                break;
            if (n != 2)
                return cli_usage("screen", "--host needs two elements, e.g. Pt,Co");
            memcpy(a->so.host, h, sizeof a->so.host);
            break;
        }
        case O_CAND:
            a->cand_text = optarg;
            rc = split_symbols(optarg, a->cand, MAX_CAND, &a->n_cand, "--candidates");
            break;
        case O_ORACLE: a->oracle = optarg; break;
        case O_DB: a->db = optarg; break;
        case O_RESUME: a->resume = 1; break;
        case O_JSON: a->json = optarg; break;
        case O_REPORT: a->report = optarg; break;
        case O_SEED: rc = cli_parse_u64("screen", "--seed", optarg, &u); a->so.seed = u; break;
        case O_ROUNDS: rc = cli_parse_size("screen", "--rounds", optarg, &a->so.rounds); break;
        case O_CHAINS: rc = cli_parse_size("screen", "--chains", optarg, &a->so.chains); break;
        case O_STEPS: rc = cli_parse_size("screen", "--steps", optarg, &a->so.chain_steps); break;
        case O_PER: rc = cli_parse_size("screen", "--per-round", optarg, &a->so.per_round); break;
        case O_SIZE: rc = cli_parse_size("screen", "--size", optarg, &a->so.size); break;
        case O_RESTARTS: rc = cli_parse_size("screen", "--restarts", optarg, &a->so.gp_restarts); break;
        case O_PCA: rc = cli_parse_double("screen", "--pca", optarg, &a->so.pca_fraction); break;
        case O_TESTF: rc = cli_parse_double("screen", "--test-fraction", optarg, &a->so.test_fraction); break;
        case O_NORD: rc = cli_parse_size("screen", "--n-ordered", optarg, &a->so.n_ordered); break;
        case O_NRAND: rc = cli_parse_size("screen", "--n-random", optarg, &a->so.n_random); break;
        case O_NACROSS: rc = cli_parse_size("screen", "--n-across", optarg, &a->so.n_across); break;
        case O_VALIDATE: rc = cli_parse_size("screen", "--validate", optarg, &a->so.validate); break;
        case O_NORB: a->so.random_baseline = 0; break;
        case O_NONOISE: a->so.gp_noise = 0; break;
        case O_FMAX: rc = cli_parse_double("screen", "--fmax", optarg, &a->so.fmax); break;
        case O_RMSD: rc = cli_parse_double("screen", "--rmsd-max", optarg, &a->so.rmsd_max); break;
        case 'j': rc = cli_parse_size("screen", "-j", optarg, &a->oo.jobs); break;
        case O_TIMEOUT: rc = cli_parse_double("screen", "--timeout", optarg, &a->oo.timeout_s); break;
        case O_RETRIES: rc = cli_parse_size("screen", "--retries", optarg, &a->oo.retries); break;
        case O_QUIET: a->quiet = 1; break;
        case O_HELP: fputs(screen_help, stdout); return -1;
        default: return cli_usage("screen", "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return cli_usage("screen", "unexpected argument '%s'", argv[optind]);
    if (!a->n_cand)
        return cli_usage("screen", "--candidates M1,M2,... is required");
    if (!a->db)
        return cli_usage("screen", "--db FILE is required (it keeps every label)");
    for (size_t i = 0; i < a->n_cand + 2; i++) {
        const char *el = i < 2 ? a->so.host[i] : a->cand[i - 2];
        if (as_lattice_element_z(el) <= 0)
            return cli_usage("screen", "%s: '%s' is not an element symbol",
                             i < 2 ? "--host" : "--candidates", el);
    }
    if (as_screen_options_check(&a->so) != AS_OK)
        return cli_usage("screen", "%s", as_errmsg());
    return 0;
}

/* How the oracle is named to the user: plain "eam" runs per-system Zhou tables. */
static const char *oracle_name(const screen_args *a, const as_oracle *o)
{
    return strcmp(a->oracle, "eam") ? as_oracle_describe(o)
                                    : "eam (Zhou 2004, tabulated for each system's elements)";
}

/* The text that identifies a campaign: a resumed run must match it. */
static void campaign_key(const screen_args *a, const as_oracle *o, char *buf, size_t cap)
{
    const as_screen_options *s = &a->so;
    snprintf(buf, cap,
             "host=%s,%s candidates=%s oracle=%s seed=%llu size=%zu rounds=%zu chains=%zu "
             "steps=%zu per_round=%zu test=%.17g sets=%zu/%zu/%zu validate=%zu random=%d "
             "pca=%.17g restarts=%zu noise=%d fmax=%.17g rmsd_max=%.17g",
             s->host[0], s->host[1], a->cand_text, as_oracle_describe(o),
             (unsigned long long)s->seed, s->size, s->rounds, s->chains, s->chain_steps,
             s->per_round, s->test_fraction, s->n_ordered, s->n_random, s->n_across, s->validate,
             s->random_baseline, s->pca_fraction, s->gp_restarts, s->gp_noise, s->fmax, s->rmsd_max);
}

static as_status round_json(const as_screen_round_info *ri, as_json **out)
{
    as_json *j = as_json_object();
    as_status st = AS_OK;
    *out = j;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
#define N(k, v) if (st == AS_OK) st = as_json_set_num(j, k, v);
    N("n_train", (double)ri->n_train) N("n_test", (double)ri->n_test) N("mae", ri->mae)
    N("r2", ri->r2) N("mae_random", ri->mae_random) N("r2_random", ri->r2_random)
    N("val_mae", ri->val_mae) N("val_mae_random", ri->val_mae_random) N("lml", ri->lml)
    N("c2", ri->c2) N("length_scale", ri->length) N("noise", ri->noise)
    N("pca_components", (double)ri->pca_dim) N("max_sigma_picked", ri->max_sigma)
#undef N
    if (st == AS_OK && ri->picked)
        st = as_json_set_str(j, "picked", ri->picked);
    return st;
}

static as_status system_json(const as_screen_result *r, size_t rounds, int with_sets,
                             as_json **out)
{
    as_json *j = as_json_object(), *arr = NULL;
    as_status st = AS_OK;
    *out = NULL;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
    AS_CHECK(as_json_set_str(j, "system", r->name));
    AS_CHECK(as_json_set_str(j, "m", r->m));
    AS_CHECK(as_json_set_bool(j, "stable", r->stable));
    if (r->note[0])
        AS_CHECK(as_json_set_str(j, "note", r->note));
#define N(k, v) AS_CHECK(as_json_set_num(j, k, v));
    N("a_ang", r->a_ang) N("c_ang", r->c_ang) N("e_ordered_ev_atom", r->e_ordered_ev_atom)
    N("segregation_ev_atom", r->e_seg_ev_atom) N("a_ptco_ang", r->a_ptco_ang)
    N("a_ptm_ang", r->a_ptm_ang) N("n_start", (double)r->n_start)
    N("n_unstable", (double)r->n_unstable) N("rmsd_max_ang", r->rmsd_max_seen)
    N("rmsd_mean_ang", r->rmsd_mean) N("rmsd_paper_mean_ang", r->rmsd_paper_mean)
    N("n_labels", (double)r->n_labels) N("n_failed", (double)r->n_failed)
    N("ordering_energy_ev_atom", r->e_order_ev_atom) N("ordering_energy_se", r->e_order_se)
    N("mean_ordered_ev_atom", r->mean_ordered) N("mean_random_ev_atom", r->mean_random)
    N("corr_energy_alpha_pt_x", r->corr_alpha_ptx) N("corr_energy_alpha_co_m", r->corr_alpha_com)
    N("final_mae_ev_atom", r->final_mae) N("final_r2", r->final_r2)
    N("validation_mae_ev_atom", r->val_mae)
    N("ordering_energy_direct_ev_atom", r->e_order_direct)
    N("ordering_energy_direct_se", r->e_order_direct_se)
#undef N
    arr = as_json_array();
    if (!arr) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_child(j, "rounds", arr));
    for (size_t i = 0; i < rounds && i < r->rounds_done; i++) {
        as_json *rj;
        AS_CHECK(round_json(&r->round[i], &rj));
        AS_CHECK(as_json_push(arr, rj));
    }
    if (with_sets && r->stable) {
        static const char *names[3] = {"ordered", "random", "across"};
        as_json *sets = as_json_object();
        if (!sets) {
            st = AS_FAIL(AS_ENOMEM, "json");
            goto fail;
        }
        AS_CHECK(as_json_set_child(j, "predictions", sets));
        for (int k = 0; k < 3; k++) {
            as_json *sj = as_json_object();
            if (!sj) {
                st = AS_FAIL(AS_ENOMEM, "json");
                goto fail;
            }
            AS_CHECK(as_json_set_child(sets, names[k], sj));
            AS_CHECK(as_json_set_doubles(sj, "alpha_pt_x", r->pred_alpha[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "alpha_co_m", r->pred_alpha_com[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "mean_ev_atom", r->pred_mean[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "std_ev_atom", r->pred_std[k], r->n_pred[k]));
        }
        as_json *par = as_json_object();
        if (!par) {
            st = AS_FAIL(AS_ENOMEM, "json");
            goto fail;
        }
        AS_CHECK(as_json_set_child(j, "parity_test", par));
        AS_CHECK(as_json_set_doubles(par, "oracle_ev_atom", r->test_true, r->n_test_final));
        AS_CHECK(as_json_set_doubles(par, "predicted_ev_atom", r->test_pred, r->n_test_final));
    }
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

static as_status put_json(as_campaign_db *db, const char *system, size_t round, as_json *j)
{
    char *text = as_json_print(j);
    if (!text)
        return AS_FAIL(AS_ENOMEM, "json");
    as_status st = as_campaign_db_put(db, system, round, text);
    as_free(text);
    return st;
}

static int order_cmp(const void *pa, const void *pb)
{
    const as_screen_result *a = *(const as_screen_result *const *)pa;
    const as_screen_result *b = *(const as_screen_result *const *)pb;
    if (a->e_order_ev_atom != b->e_order_ev_atom)
        return a->e_order_ev_atom < b->e_order_ev_atom ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* Candidates skipped before a screen existed (the oracle cannot treat M), with the reason. */
typedef struct {
    size_t n;
    char name[MAX_CAND][16];
    char why[MAX_CAND][256];
} skip_list;

/* Skip candidate m: warn, and keep the reason for the report. */
static void skip_system(skip_list *l, const screen_args *a, const char *m, const char *fmt, ...)
    AS_PRINTF(4, 5);
static void skip_system(skip_list *l, const screen_args *a, const char *m, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    as_log(AS_LOG_WARN, "skipping %s: %s", m, why);
    if (l->n == MAX_CAND)
        return;
    snprintf(l->name[l->n], sizeof l->name[l->n], "%s2%s%s", a->so.host[0], a->so.host[1], m);
    snprintf(l->why[l->n], sizeof l->why[l->n], "%s", why);
    l->n++;
}

/* ---------------------------------- --report DIR ---------------------------------- */

/* The page follows paper 004: figures 2a-c per system and for the ranking, plus the learning
 * curve and a parity plot. Table cells are formatted into fixed buffers of REPORT_CELL bytes. */
#define REPORT_CELL 48
#define RANK_COLS 10
#define MAE_TARGET_MEV 10.0 /* the paper's accuracy target, drawn on the learning curve */

/* One row of the ranking table, the same columns as the printed table. */
static void rank_row(char (*cell)[REPORT_CELL], const char *rank, const as_screen_result *r)
{
    const double v[8] = {r->a_ang, r->c_ang, r->e_order_ev_atom, r->e_order_se,
                         r->e_seg_ev_atom, r->final_mae, r->corr_alpha_ptx, r->rmsd_mean};
    static const char *fmt[8] = {"%.4f", "%.4f", "%.5f", "%.5f", "%.5f", "%.5f", "%.3f", "%.4f"};
    snprintf(cell[0], REPORT_CELL, "%s", rank);
    snprintf(cell[1], REPORT_CELL, "%s%s", r->name, r->note[0] ? " (!)" : "");
    for (int k = 0; k < 8; k++)
        snprintf(cell[2 + k], REPORT_CELL, fmt[k], v[k]);
}

/* The ranking as a table (PtCo reference first) and as bars with the PtCo reference line. */
static as_status report_ranking(as_report *rep, const as_screen_result *ref,
                                const as_screen_result *const *ranked, size_t n_ranked)
{
    static const char *hdr[RANK_COLS] = {"rank", "system", "a (Å)", "c (Å)",
                                         "E_order (eV/atom)", "±", "E_seg (eV/atom)",
                                         "MAE (eV/atom)", "r(α)", "RMSD (Å)"};
    char cell[(MAX_CAND + 1) * RANK_COLS][REPORT_CELL];
    const char *cp[(MAX_CAND + 1) * RANK_COLS];
    const char *names[MAX_CAND];
    double e[MAX_CAND], se[MAX_CAND];
    size_t rows = 0;
    if (ref->stable)
        rank_row(&cell[rows++ * RANK_COLS], "ref", ref);
    for (size_t i = 0; i < n_ranked; i++) {
        char rank[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        rank_row(&cell[rows++ * RANK_COLS], rank, ranked[i]);
        names[i] = ranked[i]->name;
        e[i] = ranked[i]->e_order_ev_atom;
        se[i] = ranked[i]->e_order_se;
    }
    for (size_t i = 0; i < rows * RANK_COLS; i++)
        cp[i] = cell[i];
    AS_TRY(as_report_heading(rep, "Ranking by ordering energy"));
    AS_TRY(as_report_table(rep, "E_order = <E_random> − <E_ordered> (GPR predictions, ± its "
                                "standard error); E_seg = E(Pt2CoM) − [E(PtCo) + E(PtM)]/2; MAE "
                                "on the test split; r(α): correlation of E with α(Pt-(Co,M)); "
                                "(!): see the notes below",
                           hdr, RANK_COLS, cp, rows));
    if (n_ranked == 0)
        return as_report_paragraph(rep, "No candidate could be ranked.");
    const char *dir = as_report_dir(rep);
    AS_TRY(as_fig_ordering_bars(dir, "ordering_energy", names, e, se, n_ranked,
                                ref->stable ? ref->e_order_ev_atom : NAN));
    return as_report_figure(rep, "ordering_energy", "Ordering energy of each ranked candidate "
                            "with its standard error; dashed line: PtCo (paper 004, fig. 2c).");
}

/* Systems that were not ranked, and notes on ranked ones, each with its reason. */
static as_status report_notes(as_report *rep, const as_screen_result *const *res, size_t n_sys,
                               const skip_list *skipped)
{
    static const char *hdr[3] = {"system", "ranked", "reason / note"};
    const char *cell[(2 * MAX_CAND + 1) * 3];
    size_t rows = 0, unranked = skipped->n;
    for (size_t i = 0; i < skipped->n; i++) {
        cell[rows * 3] = skipped->name[i];
        cell[rows * 3 + 1] = "not ranked";
        cell[rows * 3 + 2] = skipped->why[i];
        rows++;
    }
    for (size_t i = 0; i < n_sys; i++) {
        if (res[i]->stable && !res[i]->note[0])
            continue;
        cell[rows * 3] = res[i]->name;
        cell[rows * 3 + 1] = res[i]->stable ? "yes" : "not ranked";
        cell[rows * 3 + 2] = res[i]->note;
        unranked += !res[i]->stable;
        rows++;
    }
    if (rows == 0)
        return AS_OK;
    AS_TRY(as_report_heading(rep, unranked ? "Systems not ranked, and notes" : "Notes"));
    return as_report_table(rep, NULL, hdr, 3, cell, rows);
}

/* The learning curve of one system: MAE and R² per round against the training-set size. */
static as_status report_learning_curve(const char *dir, const char *base,
                                       const as_screen_result *r, int random_baseline)
{
    size_t n = r->rounds_done;
    double *v = NULL;
    as_status st;
    AS_TRY(AS_ALLOC(v, 5 * n + 1, "report: learning curve"));
    double *x = v, *mae = v + n, *r2 = v + 2 * n, *mae_r = v + 3 * n, *r2_r = v + 4 * n;
    for (size_t k = 0; k < n; k++) {
        x[k] = (double)r->round[k].n_train;
        mae[k] = r->round[k].mae;
        r2[k] = r->round[k].r2;
        mae_r[k] = r->round[k].mae_random;
        r2_r[k] = r->round[k].r2_random;
    }
    st = as_fig_learning_curve(dir, base, r->name, x, mae, r2, random_baseline ? mae_r : NULL,
                               random_baseline ? r2_r : NULL, n, MAE_TARGET_MEV);
    as_free(v);
    return st;
}

/* The key numbers of one system as a two-column table. */
static as_status report_system_numbers(as_report *rep, const as_screen_result *r)
{
    enum { NK = 10 };
    static const char *keys[NK] = {
        "ordering energy <E_random> − <E_ordered> (eV/atom)",
        "mean predicted energy, ordered / random (eV/atom)",
        "segregation energy E_seg (eV/atom)",
        "lattice constants a, c (Å)",
        "final test MAE (eV/atom), R²",
        "correlation of E with α(Pt-(Co,M)), α(Co-M)",
        "labels used / oracle failures",
        "starting structures that lost the lattice",
        "validation MAE (eV/atom; --validate)",
        "direct oracle ordering energy (eV/atom; --validate)",
    };
    char val[NK][96];
    const char *vp[NK];
    snprintf(val[0], sizeof val[0], "%.5f ± %.5f", r->e_order_ev_atom, r->e_order_se);
    snprintf(val[1], sizeof val[1], "%.5f / %.5f", r->mean_ordered, r->mean_random);
    snprintf(val[2], sizeof val[2], "%.5f", r->e_seg_ev_atom);
    snprintf(val[3], sizeof val[3], "%.4f, %.4f", r->a_ang, r->c_ang);
    snprintf(val[4], sizeof val[4], "%.5f, %.3f", r->final_mae, r->final_r2);
    if (isfinite(r->corr_alpha_com))
        snprintf(val[5], sizeof val[5], "%.3f, %.3f", r->corr_alpha_ptx, r->corr_alpha_com);
    else /* the binary has no M */
        snprintf(val[5], sizeof val[5], "%.3f", r->corr_alpha_ptx);
    snprintf(val[6], sizeof val[6], "%zu / %zu", r->n_labels, r->n_failed);
    snprintf(val[7], sizeof val[7], "%zu of %zu", r->n_unstable, r->n_start);
    snprintf(val[8], sizeof val[8], "%.5f", r->val_mae);
    snprintf(val[9], sizeof val[9], "%.5f ± %.5f", r->e_order_direct, r->e_order_direct_se);
    for (int k = 0; k < NK; k++)
        vp[k] = val[k];
    /* the validation rows only when --validate gave them */
    return as_report_keyvalues(rep, NULL, keys, vp, isfinite(r->val_mae) ? NK : NK - 2);
}

/* One stable system: its numbers and four figures, files named <system>_<figure>. */
static as_status report_system(as_report *rep, const as_screen_result *r, int random_baseline)
{
    const char *dir = as_report_dir(rep);
    const char *m = r->m[0] ? r->m : NULL;
    char base[4][64], cap[4][256];
    snprintf(base[0], sizeof base[0], "%s_ordering_hist", r->name);
    snprintf(base[1], sizeof base[1], "%s_energy_vs_sro", r->name);
    snprintf(base[2], sizeof base[2], "%s_learning_curve", r->name);
    snprintf(base[3], sizeof base[3], "%s_parity", r->name);
    snprintf(cap[0], sizeof cap[0], "%s: predicted energies of %zu ordered (α = −1/3) and %zu "
             "random (α = 0) configurations (paper 004, fig. 2a).", r->name, r->n_pred[0],
             r->n_pred[1]);
    snprintf(cap[1], sizeof cap[1], "%s: predicted relative energy of %zu configurations across "
             "%s (paper 004, fig. 2b).", r->name, r->n_pred[2],
             m ? "α(Pt-(Co,M)), coloured by α(Co-M)" : "α(Pt-Co)");
    snprintf(cap[2], sizeof cap[2], "%s: test MAE and R² after each active-learning round%s; "
             "dashed: the paper's %.0f meV/atom target.", r->name,
             random_baseline ? ", against random selection with the same labels" : "",
             MAE_TARGET_MEV);
    snprintf(cap[3], sizeof cap[3], "%s: final model on the %zu test configurations against "
             "the oracle.", r->name, r->n_test_final);
    AS_TRY(as_report_heading(rep, r->name));
    AS_TRY(report_system_numbers(rep, r));
    AS_TRY(as_fig_ordering_hist(dir, base[0], r->name, r->pred_mean[0], r->n_pred[0],
                                r->pred_mean[1], r->n_pred[1], 0));
    AS_TRY(as_fig_energy_vs_sro(dir, base[1], m, r->pred_alpha[2], m ? r->pred_alpha_com[2] : NULL,
                                r->pred_mean[2], r->n_pred[2], NULL, NULL, NULL, 0));
    int curve = r->rounds_done > 0, parity = r->n_test_final > 0;
    if (curve)
        AS_TRY(report_learning_curve(dir, base[2], r, random_baseline));
    if (parity)
        AS_TRY(as_fig_parity(dir, base[3], r->name, r->test_true, r->test_pred, NULL,
                             r->n_test_final));
    for (int k = 0; k < 4; k++)
        if ((k != 2 || curve) && (k != 3 || parity))
            AS_TRY(as_report_figure(rep, base[k], cap[k]));
    return AS_OK;
}

/* The inputs and the exact command line ("alloyscout" + the argv the command got). */
static as_status report_inputs(as_report *rep, const screen_args *a, const as_oracle *oracle,
                               const char *key)
{
    char seed[32], host[2 * AS_SYMBOL_MAX + 2];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)a->so.seed);
    snprintf(host, sizeof host, "%s,%s", a->so.host[0], a->so.host[1]);
    AS_TRY(as_report_input(rep, "host", host));
    AS_TRY(as_report_input(rep, "candidates", a->cand_text));
    AS_TRY(as_report_input(rep, "oracle", oracle_name(a, oracle)));
    AS_TRY(as_report_input(rep, "seed", seed));
    AS_TRY(as_report_input(rep, "campaign database", a->db));
    AS_TRY(as_report_input(rep, "campaign (all options)", key));
    return cli_report_command(rep, a->argc, a->argv);
}

/* The whole page: warning, key numbers, ranking, notes, each system, inputs. */
static as_status screen_report(as_report *rep, const screen_args *a, const as_oracle *oracle,
                               const char *key, const as_screen_result *const *res, size_t n_sys,
                               const as_screen_result *const *ranked, size_t n_ranked,
                               const skip_list *skipped, size_t computed)
{
    size_t labels = 0;
    for (size_t i = 0; i < n_sys; i++)
        labels += res[i]->n_labels;
    AS_TRY(as_report_warning(rep, physics_note));
    if (res[0]->stable)
        AS_TRY(as_report_number(rep, "PtCo ordering energy (reference)", res[0]->e_order_ev_atom,
                                "eV/atom"));
    if (n_ranked) {
        AS_TRY(as_report_keyvalue(rep, "highest ordering energy", ranked[0]->name));
        AS_TRY(as_report_number(rep, "its ordering energy", ranked[0]->e_order_ev_atom,
                                "eV/atom"));
    }
    AS_TRY(as_report_number(rep, "candidates ranked", (double)n_ranked, NULL));
    AS_TRY(as_report_number(rep, "systems not ranked", (double)(a->n_cand - n_ranked), NULL));
    AS_TRY(as_report_number(rep, "oracle labels used by the models", (double)labels, NULL));
    AS_TRY(as_report_number(rep, "labels computed in this run", (double)computed, NULL));
    AS_TRY(report_ranking(rep, res[0], ranked, n_ranked));
    AS_TRY(report_notes(rep, res, n_sys, skipped));
    for (size_t i = 0; i < n_sys; i++)
        if (res[i]->stable)
            AS_TRY(report_system(rep, res[i], a->so.random_baseline));
    AS_TRY(report_inputs(rep, a, oracle, key));
    return as_report_finish(rep);
}

int as_cli_screen(int argc, char **argv)
{
    screen_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_log_init(a.quiet);
    as_oracle *oracle = NULL;
    as_report *rep = NULL;
    skip_list skipped = {0};
    as_label_store *store = NULL;
    as_campaign_db *db = NULL;
    as_screen *sys[MAX_CAND + 1] = {0};
    as_oracle *sys_oracle[MAX_CAND + 1] = {0};
    const as_screen_result *res[MAX_CAND + 1];
    size_t n_sys = 0;
    char *old = NULL;
    as_json *root = NULL;
    as_status st;
    char key[2048];

    int existed = access(a.db, F_OK) == 0;
    if ((st = as_oracle_create(a.oracle, &a.oo, &oracle)) != AS_OK)
        goto fail;
    campaign_key(&a, oracle, key, sizeof key);
    if ((st = as_label_store_open(a.db, &store)) != AS_OK ||
        (st = as_campaign_db_open(a.db, &db)) != AS_OK ||
        (st = as_campaign_db_get(db, "campaign", &old)) != AS_OK)
        goto fail;
    if (old && strcmp(old, key) != 0) {
        st = as_error_set(AS_EINVAL, "%s holds another campaign (%s); this one is (%s): use "
                          "another --db", a.db, old, key);
        goto fail;
    }
    if (old && !a.resume) {
        st = as_error_set(AS_EINVAL, "%s already holds this campaign: pass --resume to continue "
                          "it, or choose another --db", a.db);
        goto fail;
    }
    if (!old && a.resume && existed)
        as_log(AS_LOG_INFO, "%s holds no campaign yet; starting one", a.db);
    if (!old && (st = as_campaign_db_set(db, "campaign", key)) != AS_OK)
        goto fail;
    /* the report directory is made before the long part, so that a bad path fails at once */
    if (a.report && (st = as_report_create(a.report, "alloyscout: ordering screen of Pt2CoM "
                                           "candidates", &rep)) != AS_OK)
        goto fail;
    const size_t steps = a.so.rounds + 2; /* per system: setup, rounds, finish */
    cli_progress_start("screen", (a.n_cand + 1) * steps, a.quiet);

    /* the host pair first, then each candidate; a candidate the oracle cannot treat is skipped.
     * With the plain "eam" oracle each system gets the Zhou tables of its own elements
     * ("eam:Pt,Co,M"), the setfl file LAMMPS's generator would write for it. */
    for (size_t i = 0; i <= a.n_cand; i++) {
        const char *m = i == 0 ? NULL : a.cand[i - 1];
        as_screen *s = NULL;
        as_oracle *use = oracle;
        cli_progress_update(i * steps);
        if (!strcmp(a.oracle, "eam")) {
            char spec[64];
            snprintf(spec, sizeof spec, "eam:%s,%s%s%s", a.so.host[0], a.so.host[1], m ? "," : "",
                     m ? m : "");
            if (m && !as_oracle_supports(oracle, m)) {
                skip_system(&skipped, &a, m, "the eam oracle covers only %s",
                            as_oracle_elements(oracle));
                continue;
            }
            if ((st = as_oracle_create(spec, &a.oo, &sys_oracle[n_sys])) != AS_OK)
                goto fail;
            use = sys_oracle[n_sys];
        }
        st = as_screen_create(&a.so, m, use, store, &s);
        if (st == AS_EINVAL && m) {
            skip_system(&skipped, &a, m, "%s", as_errmsg());
            st = AS_OK;
            as_oracle_free(sys_oracle[n_sys]);
            sys_oracle[n_sys] = NULL;
            continue;
        }
        if (st != AS_OK)
            goto fail;
        sys[n_sys++] = s;
        const as_screen_result *r = as_screen_get_result(s);
        as_log(AS_LOG_INFO, "%s: lattice constants, references and the 22 starting structures",
               r->name);
        if ((st = as_screen_setup(s)) != AS_OK)
            goto fail;
        cli_progress_update(i * steps + 1);
        for (size_t k = 0; k < a.so.rounds && r->stable; k++) {
            if ((st = as_screen_round(s, k)) != AS_OK)
                goto fail;
            as_json *rj;
            if ((st = round_json(&r->round[k], &rj)) != AS_OK)
                goto fail;
            st = put_json(db, r->name, k, rj);
            as_json_free(rj);
            if (st != AS_OK)
                goto fail;
            as_log(AS_LOG_INFO, "%s: round %zu/%zu: %zu training labels, test MAE %.4f eV/atom "
                   "(random selection %.4f), R^2 %.3f", r->name, k + 1, a.so.rounds,
                   r->round[k].n_train, r->round[k].mae, r->round[k].mae_random, r->round[k].r2);
            cli_progress_update(i * steps + 2 + k);
        }
        if ((st = as_screen_finish(s)) != AS_OK)
            goto fail;
        as_json *sj;
        if ((st = system_json(r, a.so.rounds, 0, &sj)) != AS_OK)
            goto fail;
        st = put_json(db, r->name, (size_t)-1, sj);
        as_json_free(sj);
        if (st != AS_OK)
            goto fail;
    }
    cli_progress_update((a.n_cand + 1) * steps);
    cli_progress_end();
    for (size_t i = 0; i < n_sys; i++)
        res[i] = as_screen_get_result(sys[i]);

    /* the table */
    const as_screen_result *ranked[MAX_CAND + 1];
    size_t n_ranked = 0;
    for (size_t i = 1; i < n_sys; i++)
        if (res[i]->stable)
            ranked[n_ranked++] = res[i];
    qsort(ranked, n_ranked, sizeof *ranked, order_cmp);
    printf("ordering screen: host %s%s, oracle %s, seed %llu\n\n", a.so.host[0], a.so.host[1],
           oracle_name(&a, oracle), (unsigned long long)a.so.seed);
    printf("%-4s %-9s %8s %8s %12s %9s %11s %9s %9s %8s\n", "rank", "system", "a (A)", "c (A)",
           "E_order", "+-", "E_seg", "MAE", "r(alpha)", "RMSD");
    printf("%-4s %-9s %8s %8s %12s %9s %11s %9s %9s %8s\n", "", "", "", "", "(eV/atom)", "",
           "(eV/atom)", "(eV/atom)", "", "(A)");
    if (n_sys && res[0]->stable)
        printf("%-4s %-9s %8.4f %8.4f %12.5f %9.5f %11.5f %9.5f %9.3f %8.4f\n", "ref", res[0]->name,
               res[0]->a_ang, res[0]->c_ang, res[0]->e_order_ev_atom, res[0]->e_order_se,
               res[0]->e_seg_ev_atom, res[0]->final_mae, res[0]->corr_alpha_ptx,
               res[0]->rmsd_mean);
    for (size_t i = 0; i < n_ranked; i++)
        printf("%-3zu%c %-9s %8.4f %8.4f %12.5f %9.5f %11.5f %9.5f %9.3f %8.4f\n", i + 1,
               ranked[i]->note[0] ? '!' : ' ', ranked[i]->name, ranked[i]->a_ang, ranked[i]->c_ang, ranked[i]->e_order_ev_atom,
               ranked[i]->e_order_se, ranked[i]->e_seg_ev_atom, ranked[i]->final_mae,
               ranked[i]->corr_alpha_ptx, ranked[i]->rmsd_mean);
    for (size_t i = 0; i < n_sys; i++)
        if (!res[i]->stable)
            printf("not ranked: %s: %s\n", res[i]->name, res[i]->note);
    for (size_t i = 0; i < n_sys; i++)
        if (res[i]->stable && res[i]->note[0])
            printf("! %s: %s\n", res[i]->name, res[i]->note);
    printf("\nE_order = <E_random> - <E_ordered> over %zu random and %zu Pt-ordered "
           "configurations (GPR predictions);\nE_seg = E(Pt2CoM) - [E(PtCo) + E(PtM)]/2; "
           "MAE on the %.0f %% test split; r(alpha): correlation of E with alpha^{Pt-(Co,M)}.\n",
           a.so.n_random, a.so.n_ordered, 100 * a.so.test_fraction);
    printf("\nNote: %s\n", physics_note);

    if (a.json) {
        root = as_json_object();
        as_json *arr = as_json_array(), *rank = as_json_array();
        if (!root || !arr || !rank) {
            as_json_free(arr);
            as_json_free(rank);
            st = as_error_set(AS_ENOMEM, "json");
            goto fail;
        }
        if ((st = as_json_set_str(root, "command", "screen")) != AS_OK ||
            (st = as_json_set_str(root, "campaign", key)) != AS_OK ||
            (st = as_json_set_str(root, "oracle", oracle_name(&a, oracle))) != AS_OK ||
            (st = as_json_set_num(root, "seed", (double)a.so.seed)) != AS_OK ||
            (st = as_json_set_str(root, "physics_note", physics_note)) != AS_OK ||
            (st = as_json_set_child(root, "systems", arr)) != AS_OK) {
            as_json_free(rank);
            goto fail;
        }
        if ((st = as_json_set_child(root, "ranking", rank)) != AS_OK)
            goto fail;
        for (size_t i = 0; i < n_ranked; i++)
            if ((st = as_json_push_str(rank, ranked[i]->name)) != AS_OK)
                goto fail;
        for (size_t i = 0; i < n_sys; i++) {
            as_json *sj;
            if ((st = system_json(res[i], a.so.rounds, 1, &sj)) != AS_OK ||
                (st = as_json_push(arr, sj)) != AS_OK)
                goto fail;
        }
        if ((st = as_json_write_file(root, a.json)) != AS_OK)
            goto fail;
    }
    size_t computed = 0;
    for (size_t i = 0; i < n_sys; i++)
        computed += as_screen_labels_computed(sys[i]);
    if (rep && (st = screen_report(rep, &a, oracle, key, res, n_sys, ranked, n_ranked, &skipped,
                                   computed)) != AS_OK)
        goto fail;
    as_log(AS_LOG_INFO, "%zu labels computed in this run (the others came from %s)", computed,
           a.db);
fail:
    cli_progress_end();
    rc = st == AS_OK ? 0 : cli_fail(st);
    as_report_free(rep);
    as_json_free(root);
    as_free(old);
    for (size_t i = 0; i < n_sys; i++)
        as_screen_free(sys[i]);
    for (size_t i = 0; i <= MAX_CAND; i++)
        as_oracle_free(sys_oracle[i]);
    as_campaign_db_close(db);
    as_label_store_close(store);
    as_oracle_free(oracle);
    return rc;
}
