/* The ordering screen of one Pt2CoM system (seed 004, Methods) on the lattice, oracle and gp
 * areas. See include/alloyscout/campaign.h for the steps and conventions.
 *
 * Streams: every random choice draws from as_rng_stream(seed, task) with task = system hash,
 * purpose, round and index packed together, so a replay after a kill makes the same choices and
 * the label store returns the finished labels instead of recomputing them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/campaign.h"
#include "alloyscout/gp.h"
#include "alloyscout/lattice.h"
#include "acquire_int.h"
#include "core_int.h"

enum {
    P_START = 1,
    P_SPLIT,
    P_CHAIN,
    P_RANDOM,
    P_VALID,
    P_PRED,
    P_GP,
    P_GPRAND,
    P_PICKSPLIT,
    P_ACQRANDOM,
    P_DECOR, /* l12 / fcc: the composition's decoration */
    P_RANGE  /* l12 / fcc: the reachable range of alpha */
};

typedef struct {
    size_t n, cap, nsite, d;
    int *config;         /* (cap, nsite) */
    double *x;           /* (cap, d) fingerprints */
    double *e;           /* (cap) relative energy, eV/atom */
    double *alpha;       /* (cap) alpha^{Pt-(Co,M)}_1 */
    unsigned char *test; /* (cap) 1: in the test split */
} label_set;

struct as_screen {
    as_screen_options opt;
    as_oracle *oracle;
    as_store *store;
    as_executor *ex; /* NULL: labels in this process (as_oracle_label_stored); issue 15 */
    size_t K, n, d;
    char sym[3][AS_SYMBOL_MAX];
    uint64_t sys_hash;
    as_lattice *lat;
    int *ordered; /* (n) the ordered Pt2CoM decoration */
    size_t counts[3];
    as_sro_pair ptx, com;
    double e_ref; /* ordered cell, eV/atom */
    as_relax_options relax;
    label_set al, rnd, val; /* active learning (train + test), random picks, validation */
    as_gp_workspace *ws;
    as_gp_options gpo;
    size_t computed;
    int setup_done;
    int collect_rmsd; /* 1 while labelling the starting structures */
    as_mc *mc;        /* for the reachable alpha values of the cell */
    size_t n_rmsd;
    /* lattice constants given for cells of this system (as_screen_set_lattice) */
    struct {
        char cell[16];
        double a, c;
    } given[3];
    size_t n_given;
    /* the alpha^{A-(rest)}_1 range sampled: alo + aspan * u (l10: -1/3 and 1, the paper's) and,
     * for l12 / fcc, the configurations at its ends (n each) */
    double alo, aspan;
    int *end_cfg;
    /* --labels: configurations (n_seed, n), total energies (eV) and provenance texts */
    size_t n_seed;
    int *seed_cfg;
    double *seed_e;
    char **seed_src;
    /* the ordered and random prediction sets, made once (round or finish phase): configurations
     * (n_ordered or n_random, n) and fingerprints (.., d) */
    int *pset_cfg[2];
    double *pset_x[2];
    as_screen_result res;
};

as_screen_options as_screen_options_default(void)
{
    as_screen_options o;
    memset(&o, 0, sizeof o);
    strcpy(o.host[0], "Pt");
    strcpy(o.host[1], "Co");
    o.size = 3;
    o.rounds = 7;
    o.chains = 20;
    o.chain_steps = 60;
    o.sigma_temp = 0.1;
    o.per_round = 10;
    o.test_fraction = 0.2;
    o.n_ordered = 300;
    o.n_random = 300;
    o.n_across = 3800;
    o.validate = 0;
    o.random_baseline = 1;
    o.pca_fraction = 0.99;
    o.gp_restarts = 50;
    o.gp_noise = 1;
    o.fmax = 0.03;
    o.rmsd_max = 0.35;
    o.unstable_share = 0.2;
    o.a_init = 3.8;
    o.scale_lo = 0.8;
    o.scale_hi = 1.25;
    o.acquire = AS_ACQUIRE_QOI;
    o.target_ci = 0.0;
    o.threads = 0;
    o.seed = 0;
    o.prototype = AS_SCREEN_L10;
    o.cell_fit = AS_CELLOPT_AUTO;
    return o;
}

static const char *const proto_names[3] = {"l10", "l12", "fcc"};

const char *as_screen_proto_name(as_screen_proto p)
{
    return (unsigned)p < 3 ? proto_names[p] : NULL;
}

as_status as_screen_proto_parse(const char *text, as_screen_proto *out)
{
    for (int i = 0; text && i < 3; i++)
        if (!strcmp(text, proto_names[i])) {
            *out = (as_screen_proto)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "screen: unknown prototype '%s' (l10, l12, fcc)",
                   text ? text : "(null)");
}

as_status as_screen_composition_parse(const char *text, const char (*host)[AS_SYMBOL_MAX],
                                      double frac[3])
{
    const char *p = text;
    int seen[3] = {0, 0, 0};
    double sum = 0;
    frac[0] = frac[1] = frac[2] = 0;
    if (!p || !*p)
        return AS_FAIL(AS_EINVAL, "screen: empty --composition");
    while (*p) {
        char sym[AS_SYMBOL_MAX] = "";
        size_t L = 0;
        if (*p < 'A' || *p > 'Z')
            return AS_FAIL(AS_EINVAL,
                           "screen: --composition '%s': expected an element symbol at "
                           "'%s'",
                           text, p);
        sym[L++] = *p++;
        while (*p >= 'a' && *p <= 'z' && L < AS_SYMBOL_MAX - 1)
            sym[L++] = *p++;
        sym[L] = '\0';
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            v = 1.0; /* a missing amount is 1, as in alloy formulas */
        if (!(v >= 0) || !isfinite(v))
            return AS_FAIL(AS_EINVAL, "screen: --composition '%s': bad amount of %s", text, sym);
        p = end;
        int k = !strcmp(sym, host[0]) ? 0 : !strcmp(sym, host[1]) ? 1 : !strcmp(sym, "M") ? 2 : -1;
        if (k < 0)
            return AS_FAIL(AS_EINVAL,
                           "screen: --composition '%s': %s is neither a host element (%s, %s) "
                           "nor M (the candidate)",
                           text, sym, host[0], host[1]);
        if (seen[k]++)
            return AS_FAIL(AS_EINVAL, "screen: --composition '%s': %s is given twice", text, sym);
        frac[k] = v;
        sum += v;
    }
    if (!(sum > 0) || frac[0] <= 0 || frac[1] <= 0)
        return AS_FAIL(AS_EINVAL,
                       "screen: --composition '%s': both host elements need a positive "
                       "amount",
                       text);
    for (int k = 0; k < 3; k++)
        frac[k] /= sum;
    return AS_OK;
}

as_status as_screen_options_check(const as_screen_options *o)
{
    if (o->size < 3 || o->size > 8) /* smaller cells lack distinct starting structures */
        return AS_FAIL(AS_EINVAL, "screen: --size %zu must lie in 3..8", o->size);
    if (o->per_round == 0 || o->chains == 0 || o->chain_steps == 0)
        return AS_FAIL(AS_EINVAL, "screen: chains, steps and labels per round must be > 0");
    if (o->per_round > 256) /* a batch's test split is drawn over at most 256 labels */
        return AS_FAIL(AS_EINVAL, "screen: --per-round %zu must be at most 256", o->per_round);
    if (!(o->test_fraction >= 0 && o->test_fraction < 0.5))
        return AS_FAIL(AS_EINVAL, "screen: test fraction %g must lie in [0, 0.5)",
                       o->test_fraction);
    if (!(o->pca_fraction > 0 && o->pca_fraction <= 1))
        return AS_FAIL(AS_EINVAL, "screen: PCA fraction %g must lie in (0, 1]", o->pca_fraction);
    if (o->n_ordered < 2 || o->n_random < 2 || o->n_across < 2)
        return AS_FAIL(AS_EINVAL, "screen: prediction sets need at least 2 configurations");
    if (!(o->scale_lo > 0 && o->scale_lo < 1 && o->scale_hi > 1))
        return AS_FAIL(AS_EINVAL, "screen: the lattice-constant bracket [%g, %g] must hold 1",
                       o->scale_lo, o->scale_hi);
    if (!(o->fmax > 0) || !(o->rmsd_max > 0) || !(o->a_init > 0))
        return AS_FAIL(AS_EINVAL, "screen: fmax, rmsd_max and a_init must be > 0");
    if (!as_acquire_name(o->acquire))
        return AS_FAIL(AS_EINVAL, "screen: acquisition rule %d is not one of sigma, random, qoi",
                       (int)o->acquire);
    if (!(o->target_ci >= 0) || !isfinite(o->target_ci))
        return AS_FAIL(AS_EINVAL, "screen: --target-ci %g must be >= 0 eV/atom (0: off)",
                       o->target_ci);
    if (o->cell_fit != AS_CELLOPT_AUTO && o->cell_fit != AS_CELLOPT_FIT &&
        o->cell_fit != AS_CELLOPT_STRESS)
        return AS_FAIL(AS_EINVAL, "screen: cell-fit route %d is not one of energy, stress, auto",
                       o->cell_fit);
    if (!as_screen_proto_name(o->prototype))
        return AS_FAIL(AS_EINVAL, "screen: prototype %d is not one of l10, l12, fcc",
                       (int)o->prototype);
    double csum = 0;
    for (int k = 0; k < 3; k++) {
        if (!(o->composition[k] >= 0) || !isfinite(o->composition[k]))
            return AS_FAIL(AS_EINVAL, "screen: composition fraction %g must be >= 0",
                           o->composition[k]);
        csum += o->composition[k];
    }
    if (csum > 0 && o->prototype == AS_SCREEN_L10)
        return AS_FAIL(AS_EINVAL, "screen: the l10 prototype has its own composition (A2BM, AB); "
                                  "--composition goes with --prototype l12 or fcc");
    if (csum > 0 && (o->composition[0] <= 0 || o->composition[1] <= 0))
        return AS_FAIL(AS_EINVAL, "screen: the composition needs both host elements");
    return AS_OK;
}

static uint64_t task_id(const as_screen *s, unsigned purpose, size_t round, size_t idx)
{
    return s->sys_hash ^ ((uint64_t)purpose << 56) ^ ((uint64_t)(round & 0xffff) << 40) ^
           (uint64_t)idx;
}

static void stream(const as_screen *s, as_rng *rng, unsigned purpose, size_t round, size_t idx)
{
    as_rng_stream(rng, s->opt.seed, task_id(s, purpose, round, idx));
}

/* ---- label sets ---- */

static void set_free(label_set *l)
{
    as_free(l->config);
    as_free(l->x);
    as_free(l->e);
    as_free(l->alpha);
    as_free(l->test);
    memset(l, 0, sizeof *l);
}

static as_status set_reserve(label_set *l, size_t nsite, size_t d, size_t cap)
{
    if (cap <= l->cap)
        return AS_OK;
    l->nsite = nsite;
    l->d = d;
    int *c = as_realloc(l->config, cap * nsite * sizeof *c);
    if (c)
        l->config = c;
    double *x = c ? as_realloc(l->x, cap * d * sizeof *x) : NULL;
    if (x)
        l->x = x;
    double *e = x ? as_realloc(l->e, cap * sizeof *e) : NULL;
    if (e)
        l->e = e;
    double *a = e ? as_realloc(l->alpha, cap * sizeof *a) : NULL;
    if (a)
        l->alpha = a;
    unsigned char *t = a ? as_realloc(l->test, cap) : NULL;
    if (!t)
        return AS_FAIL(AS_ENOMEM, "screen: cannot grow a label set to %zu", cap);
    l->test = t;
    l->cap = cap;
    return AS_OK;
}

static int set_contains(const as_screen *s, const label_set *l, const int *config)
{
    for (size_t i = 0; i < l->n; i++)
        if (as_lattice_same_up_to_translation(s->lat, l->config + i * s->n, config))
            return 1;
    return 0;
}

/* ---- energies ---- */

/* One batch of relaxed labels through the store: in this process, or handed to the executor
 * (as_screen_set_executor) as one batch (a Slurm job array). */
static as_status label_batch(as_screen *s, const as_structure *const *in, size_t count,
                             as_label_result *res, as_structure **out, size_t *computed)
{
    if (s->ex)
        return as_executor_label(s->ex, s->store, in, count, 1, &s->relax, res, out, computed);
    return as_oracle_label_stored(s->oracle, s->store, in, count, 1, &s->relax, res, out, computed);
}

/* Relax and label `count` configurations (count, n); e_rel (count) receives the energy per atom
 * relative to the ordered cell, NAN for a failed or lattice-destroying relaxation. */
static as_status label_configs(as_screen *s, const int *configs, size_t count, double *e_rel,
                               size_t *n_bad)
{
    as_status st = AS_OK;
    as_structure **in = NULL, **out = NULL;
    as_label_result *res = NULL;
    int *back = NULL;
    *n_bad = 0;
    if (count == 0)
        return AS_OK;
    AS_CHECK(AS_ALLOC(in, count, "screen: structures"));
    AS_CHECK(AS_ALLOC(out, count, "screen: structures"));
    AS_CHECK(AS_ALLOC(res, count, "screen: labels"));
    AS_CHECK(AS_ALLOC(back, s->n, "screen: match"));
    for (size_t i = 0; i < count; i++)
        AS_CHECK(as_lattice_to_structure(s->lat, configs + i * s->n,
                                         (const char(*)[AS_SYMBOL_MAX])s->sym, s->K, NULL, &in[i]));
    size_t computed = 0;
    AS_CHECK(label_batch(s, (const as_structure *const *)in, count, res, out, &computed));
    s->computed += computed;
    for (size_t i = 0; i < count; i++) {
        e_rel[i] = NAN;
        if (res[i].status != AS_OK) {
            s->res.n_failed++;
            if (!s->res.first_error[0])
                snprintf(s->res.first_error, sizeof s->res.first_error, "%.255s", res[i].error);
            if (s->collect_rmsd)
                s->res.n_start_failed++;
            as_log(AS_LOG_WARN, "%s: a label failed: %s", s->res.name, res[i].error);
            (*n_bad)++;
            continue;
        }
        if (res[i].rmsd > s->res.rmsd_max_seen)
            s->res.rmsd_max_seen = res[i].rmsd;
        if (s->collect_rmsd && isfinite(res[i].rmsd)) { /* labels from --labels: no RMSD */
            s->res.rmsd_mean += res[i].rmsd;
            s->res.rmsd_paper_mean += res[i].rmsd_paper;
            s->n_rmsd++;
        }
        int topology_lost = 0;
        if (out[i] && as_lattice_match(s->lat, out[i], (const char(*)[AS_SYMBOL_MAX])s->sym, s->K,
                                       0.35, back) != AS_OK)
            topology_lost = 1;
        if (res[i].rmsd > s->opt.rmsd_max || topology_lost) {
            if (s->collect_rmsd) {
                if (res[i].rmsd > s->opt.rmsd_max)
                    s->res.n_rmsd_lost++;
                else
                    s->res.n_topology_lost++;
            }
            (*n_bad)++;
            continue;
        }
        e_rel[i] = res[i].energy / (double)s->n - s->e_ref;
        s->res.n_labels++;
    }
fail:
    if (in)
        for (size_t i = 0; i < count; i++)
            as_structure_free(in[i]);
    if (out)
        for (size_t i = 0; i < count; i++)
            as_structure_free(out[i]);
    as_free(in);
    as_free(out);
    as_free(res);
    as_free(back);
    return st;
}

/* Add the labelled configurations with a finite energy to l; test flags from `test` (may be
 * NULL: none in test). */
static as_status set_add(as_screen *s, label_set *l, const int *configs, const double *e,
                         const unsigned char *test, size_t count)
{
    AS_TRY(set_reserve(l, s->n, s->d, l->n + count + 16));
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(e[i]))
            continue;
        const int *c = configs + i * s->n;
        memcpy(l->config + l->n * s->n, c, s->n * sizeof *c);
        AS_TRY(as_lattice_fingerprint(s->lat, c, s->K, l->x + l->n * s->d));
        AS_TRY(as_lattice_sro(s->lat, c, s->K, s->ptx, 0, &l->alpha[l->n]));
        l->e[l->n] = e[i];
        l->test[l->n] = test ? test[i] : 0;
        l->n++;
    }
    return AS_OK;
}

/* ---- lattice constants (setup) ----
 * The ordered cell and the L1_0 references are periodic in the 4-atom Pt2CoM cell: their
 * lattice constants are fitted on that cell (as_oracle_optimize_cell, method FIT: about 12
 * oracle calls from a nearby start), config[0..3] being its first cell's decoration (sites go
 * cell by cell). Every atom of these cells is a centre of inversion, so the forces vanish and
 * the energy at the fitted cell is the relaxed energy. Each result is kept in the store (meta
 * key "cell <hash of the start cell and the method>") and taken from there on a resume, and
 * constants given with as_screen_set_lattice replace the fit. */
typedef struct {
    double a, c;    /* A */
    double e_atom;  /* eV/atom (NAN when not asked for) */
    int edge;       /* the fit found its minimum on the bracket */
    as_status fail; /* AS_OK, AS_ENOCONV (no minimum within the calls), or the oracle's error */
    char why[384];
    double hess[3]; /* the stress route's final Hessian (0 for other routes): the next cell of
                       the system starts from it (kept in the store row's stress column) */
} cell_fit;

static const char *given_lattice(const as_screen *s, const char *cell, double *a, double *c)
{
    for (size_t i = 0; i < s->n_given; i++)
        if (!strcmp(s->given[i].cell, cell)) {
            *a = s->given[i].a;
            *c = s->given[i].c;
            return s->given[i].cell;
        }
    return NULL;
}

/* Constants (and, with want_e, the energy per atom) of the cell `name` decorated by config;
 * the fit starts from the scale factors (sa0, sc0) of a_init with this step. Oracle failures
 * land in out->fail (the system is then not screened); AS_ENOMEM and store errors return. */
/* After an oracle call of the cell fit: memory, store and signal errors stop the screen (*st),
 * any other failure is this system's (out->fail, with the message); 1 when either happened. */
static int cell_call_failed(as_status se, cell_fit *out, as_status *st)
{
    if (se == AS_ENOMEM || se == AS_EDB || se == AS_EINTR) {
        *st = se;
        return 1;
    }
    if (se != AS_OK) {
        out->fail = se;
        snprintf(out->why, sizeof out->why, "%s", as_errmsg());
        return 1;
    }
    return 0;
}

/* The cell-fit route in force for this screen's oracle (as_oracle_optimize_cell's method) and
 * its name in the store's method text. */
static int route_method(const as_screen *s)
{
    if (s->opt.cell_fit == AS_CELLOPT_FIT)
        return AS_CELLOPT_FIT;
    if (s->opt.cell_fit == AS_CELLOPT_STRESS || as_oracle_has_stress(s->oracle))
        return AS_CELLOPT_STRESS;
    /* auto: a cmd: program may write stress (its first stencil tells); others fit energies */
    return as_oracle_has_forces(s->oracle) ? AS_CELLOPT_FIT : AS_CELLOPT_AUTO;
}

static const char *route_name(const as_screen *s)
{
    int m = route_method(s);
    return m == AS_CELLOPT_FIT ? "fit" : m == AS_CELLOPT_AUTO ? "fit auto" : "stress-fit";
}

static as_status cell_constants(as_screen *s, const char *name, const int *config,
                                const char (*syms)[AS_SYMBOL_MAX], size_t k, double sa0, double sc0,
                                double step, int want_e, const double *hess, cell_fit *out,
                                const char **source)
{
    as_lattice_options lo = as_lattice_options_default();
    lo.a_ang = s->opt.a_init;
    lo.c_ang = s->opt.a_init;
    size_t size[3] = {1, 1, 1};
    /* l12 / fcc: one cubic a, fitted on the screen's own supercell (the decoration need not be
     * periodic in a smaller cell) */
    const int cubic = s->opt.prototype != AS_SCREEN_L10;
    as_proto proto = AS_PROTO_PT2COM;
    if (cubic) {
        proto = s->opt.prototype == AS_SCREEN_L12 ? AS_PROTO_L12 : AS_PROTO_FCC;
        size[0] = size[1] = size[2] = s->opt.size;
    }
    as_lattice *lat = NULL;
    as_structure *st_ = NULL;
    char method[1024];
    const size_t calls0 = s->res.cell_calls;
    double ga = 0, gc = 0;
    const char *given = given_lattice(s, name, &ga, &gc);
    as_status st;
    memset(out, 0, sizeof *out);
    out->e_atom = NAN;
    if (given && cubic)
        gc = ga;
    AS_TRY(as_lattice_create(proto, size, &lo, &lat));
    AS_CHECK(as_lattice_to_structure(lat, config, syms, k, NULL, &st_));
    if (given)
        snprintf(method, sizeof method, "%s cell given a=%.17g c=%.17g",
                 as_oracle_describe(s->oracle), ga, gc);
    else /* the route's name: "fit" (energies; as it always was), "fit auto" (a cmd: program
          * that may write stress) or "stress-fit" */
        snprintf(method, sizeof method, "%s cell %s %s [%.17g, %.17g]",
                 as_oracle_describe(s->oracle), route_name(s), cubic ? "cubic" : "tetragonal",
                 s->opt.scale_lo, s->opt.scale_hi);
    uint64_t key = as_label_key(st_, method);
    as_label_result lr;
    int found = 0;
    /* a stress-fit row always holds its energy (the fit's last call), so it is checked in full
     * as it is read back (atom count, energy); an energy-fit row of the ordered cell has none */
    const int by_stress = !given && route_method(s) == AS_CELLOPT_STRESS;
    AS_CHECK(as_label_store_get(s->store, key, &lr, NULL, by_stress ? st_->n : 0, &found));
    if (found && lr.status == AS_OK && (!want_e || isfinite(lr.energy))) {
        out->a = lr.rmsd;
        out->c = lr.rmsd_paper;
        out->e_atom = lr.energy / (double)st_->n;
        out->edge = lr.relaxed;
        if (lr.has_stress)
            memcpy(out->hess, lr.stress, sizeof out->hess);
        *source = "stored";
        goto fail;
    }
    if (given) {
        out->a = ga;
        out->c = gc;
        *source = "given";
        if (want_e) { /* the energy at the given cell: one call */
            for (int r = 0; r < 9; r++)
                st_->cell[r] *= (r >= 6 ? gc : ga) / s->opt.a_init;
            for (size_t i = 0; i < st_->n; i++)
                for (int d = 0; d < 3; d++)
                    st_->pos[3 * i + d] *= (d == 2 ? gc : ga) / s->opt.a_init;
            double e;
            s->res.cell_calls++;
            as_status se = as_oracle_energy(s->oracle, st_, &e, NULL);
            if (cell_call_failed(se, out, &st))
                goto fail;
            out->e_atom = e / (double)st_->n;
        }
    } else {
        as_cellopt_options co;
        as_cellopt_options_default(&co);
        co.tetragonal = !cubic;
        co.scale_lo = s->opt.scale_lo;
        co.scale_hi = s->opt.scale_hi;
        co.start_a = sa0;
        co.start_c = sc0;
        co.step = step;
        co.energy_at_result = want_e || by_stress;
        co.method = route_method(s);
        if (hess && !cubic)
            memcpy(co.hess, hess, sizeof co.hess);
        as_cellopt_report rep;
        memset(&rep, 0, sizeof rep);
        as_status se = as_oracle_optimize_cell(s->oracle, st_, &co, &rep);
        s->res.cell_calls += rep.evaluations;
        *source = "fit";
        if (cell_call_failed(se, out, &st))
            goto fail;
        out->a = s->opt.a_init * rep.scale_a;
        out->c = cubic ? out->a : s->opt.a_init * rep.scale_c;
        out->e_atom = want_e || by_stress ? rep.energy / (double)st_->n : NAN;
        out->edge = rep.at_bracket;
        if (rep.method == AS_CELLOPT_STRESS)
            memcpy(out->hess, rep.hess, sizeof out->hess);
    }
    /* kept as a row of label_result under the cell method: energy at the result (NULL when
     * not asked for), rmsd = a, rmsd_paper = c, relaxed = the edge flag, steps = calls */
    memset(&lr, 0, sizeof lr);
    lr.status = AS_OK;
    lr.energy = out->e_atom * (double)st_->n;
    lr.rmsd = out->a;
    lr.rmsd_paper = out->c;
    lr.fmax = NAN;
    lr.relaxed = out->edge;
    lr.steps = s->res.cell_calls - calls0;
    if (out->hess[0] != 0 || out->hess[2] != 0) { /* the stress route's Hessian */
        lr.has_stress = 1;
        memcpy(lr.stress, out->hess, sizeof out->hess);
    }
    AS_CHECK(as_label_store_put(s->store, key, method, st_, &lr, NULL));
    s->computed++; /* a stored row computed by this process */
fail:
    as_structure_free(st_);
    as_lattice_free(lat);
    return st;
}

/* A cell that could not be computed: the system is not screened, with the reason. */
static void cell_verdict(as_screen *s, const char *cell, const cell_fit *f)
{
    as_screen_result *r = &s->res;
    r->stable = 0;
    r->verdict = f->fail == AS_ENOCONV ? AS_VERDICT_NO_MINIMUM : AS_VERDICT_CELL_FAILED;
    if (f->fail == AS_ENOCONV)
        snprintf(r->note, sizeof r->note,
                 "the lattice constants of the %s cell were not "
                 "found (%s)",
                 cell, f->why);
    else
        snprintf(r->note, sizeof r->note,
                 "not screened: the %s cell could not be computed "
                 "(oracle error after its retries: %s)",
                 cell, f->why);
    as_log(AS_LOG_WARN, "%s: %s", r->name, r->note);
    s->setup_done = 1;
}

/* ---- creation ---- */

void as_screen_free(as_screen *s)
{
    if (!s)
        return;
    as_mc_free(s->mc);
    as_lattice_free(s->lat);
    as_free(s->ordered);
    set_free(&s->al);
    set_free(&s->rnd);
    set_free(&s->val);
    as_gp_workspace_free(s->ws);
    for (int k = 0; k < 2; k++) {
        as_free(s->pset_cfg[k]);
        as_free(s->pset_x[k]);
    }
    if (s->res.round)
        for (size_t r = 0; r < s->opt.rounds; r++)
            as_free(s->res.round[r].picked);
    as_free(s->res.round);
    for (int k = 0; k < 3; k++) {
        as_free(s->res.pred_alpha[k]);
        as_free(s->res.pred_alpha_com[k]);
        as_free(s->res.pred_mean[k]);
        as_free(s->res.pred_std[k]);
    }
    as_free(s->res.test_true);
    as_free(s->res.test_pred);
    as_free(s->end_cfg);
    as_free(s->seed_cfg);
    as_free(s->seed_e);
    for (size_t i = 0; s->seed_src && i < s->n_seed; i++)
        as_free(s->seed_src[i]);
    as_free(s->seed_src);
    as_free(s);
}

as_status as_screen_create(const as_screen_options *opt, const char *m, as_oracle *oracle,
                           as_store *store, as_screen **out)
{
    *out = NULL;
    AS_TRY(as_screen_options_check(opt));
    if (m && (!*m || strlen(m) >= AS_SYMBOL_MAX || as_lattice_element_z(m) <= 0))
        return AS_FAIL(AS_EINVAL, "screen: '%s' is not an element symbol", m);
    if (m && (!strcmp(m, opt->host[0]) || !strcmp(m, opt->host[1])))
        return AS_FAIL(AS_EINVAL, "screen: candidate %s is one of the host elements", m);
    const char *need[3] = {opt->host[0], opt->host[1], m};
    for (int i = 0; i < (m ? 3 : 2); i++)
        if (!as_oracle_supports(oracle, need[i]))
            return AS_FAIL(AS_EINVAL, "screen: the oracle %s cannot treat %s; it supports: %s",
                           as_oracle_describe(oracle), need[i], as_oracle_elements(oracle));
    as_screen *s = as_calloc(1, sizeof *s);
    if (!s)
        return AS_FAIL(AS_ENOMEM, "screen: cannot allocate");
    s->opt = *opt;
    s->oracle = oracle;
    s->store = store;
    s->K = m ? 3 : 2;
    strcpy(s->sym[0], opt->host[0]);
    strcpy(s->sym[1], opt->host[1]);
    if (m) {
        strcpy(s->sym[2], m);
        strcpy(s->res.m, m);
    }
    as_screen_system_name(opt, m, s->res.name, sizeof s->res.name);
    /* the hash of the system name: the streams of different systems differ (store format 2:
     * format 1 used a wrong FNV offset basis here) */
    s->sys_hash = as_hash64_str(AS_HASH64_INIT, s->res.name) & 0x0000ffffffffffffULL;
    s->d = as_fingerprint_dim(s->K);
    as_relax_options_default(&s->relax);
    s->relax.fmax = opt->fmax;
    s->gpo = as_gp_options_default();
    s->gpo.restarts = opt->gp_restarts;
    s->gpo.noise = opt->gp_noise;
    s->gpo.threads = opt->threads;
    strcpy(s->res.stop_reason, "rounds");
    s->res.e_order_gp_sd = s->res.e_order_ci95 = s->res.e_order_var_scale = NAN;
    s->res.val_mae = s->res.e_order_direct = s->res.e_order_direct_se = NAN;
    s->res.e_order_ev_atom = s->res.e_order_se = NAN;
    s->res.corr_alpha_ptx = s->res.corr_alpha_com = NAN;
    s->res.stable = 1;
    s->alo = -1.0 / 3.0; /* the paper's range, -1/3 .. 2/3 (l12 / fcc: found in setup) */
    s->aspan = 1.0;
    s->res.alpha_lo = -1.0 / 3.0;
    s->res.alpha_hi = 2.0 / 3.0;
    s->res.a_host_ang = s->res.c_host_ang = NAN;
    as_status st = AS_ALLOC(s->res.round, opt->rounds ? opt->rounds : 1, "screen: rounds");
    if (st != AS_OK) {
        as_screen_free(s);
        return st;
    }
    *out = s;
    return AS_OK;
}

const as_screen_result *as_screen_get_result(const as_screen *s) { return &s->res; }
size_t as_screen_labels_computed(const as_screen *s) { return s->computed; }

void as_screen_set_executor(as_screen *s, as_executor *ex) { s->ex = ex; }

const char *as_screen_verdict_name(as_screen_verdict v)
{
    static const char *names[] = {"ok", "unstable", "no minimum", "cell failed", "labels failed"};
    return (unsigned)v < sizeof names / sizeof *names ? names[v] : "?";
}

as_status as_screen_set_lattice(as_screen *s, const char *cell, double a, double c)
{
    char ptco[16], ptm[16];
    snprintf(ptco, sizeof ptco, "%s%s", s->sym[0], s->sym[1]);
    snprintf(ptm, sizeof ptm, "%s%s", s->sym[0], s->K == 3 ? s->sym[2] : s->sym[1]);
    if (s->opt.prototype != AS_SCREEN_L10) { /* one cell: the system's own (cubic) */
        if (!cell || strcmp(cell, s->res.name))
            return AS_FAIL(AS_EINVAL, "screen: %s has no cell '%s' (its cell: %s)", s->res.name,
                           cell ? cell : "(null)", s->res.name);
        c = a;
    }
    if (!cell || (strcmp(cell, s->res.name) && strcmp(cell, ptco) && strcmp(cell, ptm)))
        return AS_FAIL(AS_EINVAL, "screen: %s has no cell '%s' (its cells: %s%s%s%s%s)",
                       s->res.name, cell ? cell : "(null)", s->res.name, s->K == 3 ? ", " : "",
                       s->K == 3 ? ptco : "", s->K == 3 ? ", " : "", s->K == 3 ? ptm : "");
    if (c <= 0)
        c = a;
    if (!(a > 0) || !(c > 0) || !isfinite(a) || !isfinite(c))
        return AS_FAIL(AS_EINVAL, "screen: lattice constants of %s must be > 0 (got %g, %g)", cell,
                       a, c);
    if (s->setup_done)
        return AS_FAIL(AS_EINVAL, "screen: lattice constants are given before setup");
    size_t i = 0;
    while (i < s->n_given && strcmp(s->given[i].cell, cell))
        i++;
    if (i == 3)
        return AS_FAIL(AS_EINVAL, "screen: too many given cells");
    snprintf(s->given[i].cell, sizeof s->given[i].cell, "%s", cell);
    s->given[i].a = a;
    s->given[i].c = c;
    if (i == s->n_given)
        s->n_given++;
    return AS_OK;
}

/* ---- setup ---- */

/* Split a batch of `count` labels: round(test_fraction * count) of them, chosen at random,
 * go to the test split. */
static void split_batch(as_screen *s, size_t round, size_t count, unsigned char *test)
{
    as_rng rng;
    size_t idx[256], k = (size_t)floor(s->opt.test_fraction * (double)count + 0.5);
    stream(s, &rng, P_SPLIT, round, 0);
    memset(test, 0, count);
    if (count > 256)
        return;
    for (size_t i = 0; i < count; i++)
        idx[i] = i;
    as_rng_shuffle(&rng, idx, count);
    for (size_t i = 0; i < k && i < count; i++)
        test[idx[i]] = 1;
}

/* The reachable alpha^{Pt-(Co,M)}_1 of this cell nearest to alpha. */
static double reachable(as_screen *s, double alpha)
{
    return as_mc_alpha_of(s->mc, as_mc_nearest_count(s->mc, alpha));
}

/* `count` configurations at random alpha levels in [-1/3, 2/3] (l12 / fcc: the reachable
 * range), distinct from `avoid`. */
static as_status random_alpha_configs(as_screen *s, unsigned purpose, size_t round, size_t count,
                                      const label_set *avoid, int *configs)
{
    as_mc_options mo = as_mc_options_default();
    as_status st = AS_OK;
    for (size_t i = 0; st == AS_OK && i < count; i++) {
        as_rng rng;
        stream(s, &rng, purpose, round, i);
        /* a reachable alpha drawn uniformly over [-1/3, 2/3]; near the ends few distinct
         * arrangements exist, so a level that cannot give a new one is drawn again */
        for (int tries = 0; tries < 20; tries++) {
            double target = reachable(s, s->alo + s->aspan * as_rng_uniform(&rng));
            st = as_lattice_generate(s->lat, s->K, s->ordered, s->ptx, target, 1,
                                     avoid ? avoid->config : NULL, avoid ? avoid->n : 0, &mo, &rng,
                                     configs + i * s->n, NULL);
            if (st != AS_ENOCONV)
                break;
        }
    }
    return st;
}

void as_screen_system_name(const as_screen_options *o, const char *m, char *buf, size_t cap)
{
    if (o->prototype == AS_SCREEN_L12)
        snprintf(buf, cap, "%s3%s%s%s", o->host[0], o->host[1], m ? "+" : "", m ? m : "");
    else if (o->prototype == AS_SCREEN_FCC)
        snprintf(buf, cap, "%s%s%s%s", o->host[0], o->host[1], m ? "+" : "", m ? m : "");
    else if (m)
        snprintf(buf, cap, "%s2%s%s", o->host[0], o->host[1], m);
    else
        snprintf(buf, cap, "%s%s", o->host[0], o->host[1]);
}

/* The site counts of an l12 / fcc system: the given composition (the host pair alone: the
 * host shares renormalized; with M but a composition without it: M takes half of B's share)
 * or the prototype's own (l12: A3B, M on half the B sublattice; fcc: equal shares), by largest
 * remainder. */
static as_status generic_counts(as_screen *s, size_t *cnt)
{
    double f[3];
    const double *c = s->opt.composition;
    if (c[0] + c[1] + c[2] > 0)
        memcpy(f, c, sizeof f);
    else if (s->opt.prototype == AS_SCREEN_L12)
        f[0] = 0.75, f[1] = 0.125, f[2] = 0.125;
    else
        f[0] = f[1] = f[2] = 1.0;
    if (s->K == 2) { /* the host pair alone */
        if (s->opt.prototype == AS_SCREEN_L12 && !(c[0] + c[1] + c[2] > 0))
            f[1] = 0.25;
        f[2] = 0;
    } else if (!(f[2] > 0)) { /* a host composition: M takes half of B's share */
        f[2] = f[1] / 2;
        f[1] -= f[2];
    }
    return as_lattice_counts_for_fractions(s->n, f, s->K, cnt, NULL);
}

/* l12 / fcc: the lattice at a_init, the decoration (l12: the prototype's with the composition's
 * changes; fcc: the most A-(rest)-ordered arrangement found at the composition), the reachable
 * range of alpha^{A-(rest)}_1 with the configurations at its ends, then one cubic a fitted on
 * the supercell. Returns with s->lat at the fitted a, or a verdict (s->setup_done). */
static as_status setup_generic(as_screen *s)
{
    as_screen_result *r = &s->res;
    const char(*syms)[AS_SYMBOL_MAX] = (const char(*)[AS_SYMBOL_MAX])s->sym;
    as_lattice_options lo = as_lattice_options_default();
    size_t size[3] = {s->opt.size, s->opt.size, s->opt.size}, cnt[3] = {0, 0, 0};
    as_proto proto = s->opt.prototype == AS_SCREEN_L12 ? AS_PROTO_L12 : AS_PROTO_FCC;
    lo.a_ang = lo.c_ang = s->opt.a_init;
    AS_TRY(as_lattice_create(proto, size, &lo, &s->lat));
    s->n = as_lattice_n_sites(s->lat);
    AS_TRY(AS_ALLOC(s->ordered, s->n, "screen: ordered cell"));
    AS_TRY(AS_ALLOC(s->end_cfg, 2 * s->n, "screen: range ends"));
    AS_TRY(generic_counts(s, cnt));
    as_rng rng;
    stream(s, &rng, P_DECOR, 0, 0);
    AS_TRY(as_lattice_config_with_counts(s->lat, cnt, s->K, &rng, s->ordered));
    s->ptx.x = 1u;
    s->ptx.y = s->K == 3 ? 6u : 2u;
    as_mc_options mo = as_mc_options_default();
    double lo_a, hi_a;
    stream(s, &rng, P_RANGE, 0, 0);
    AS_TRY(as_lattice_sro_range(s->lat, s->K, s->ordered, s->ptx, 0, &mo, &rng, &lo_a, &hi_a,
                                s->end_cfg, s->end_cfg + s->n));
    if (proto == AS_PROTO_FCC) /* the most ordered arrangement found is the ordered cell */
        memcpy(s->ordered, s->end_cfg, s->n * sizeof *s->ordered);
    s->alo = r->alpha_lo = lo_a;
    r->alpha_hi = hi_a;
    s->aspan = hi_a - lo_a;
    if (!(s->aspan > 1e-9)) {
        r->stable = 0;
        r->verdict = AS_VERDICT_UNSTABLE;
        snprintf(r->note, sizeof r->note,
                 "not screened: alpha^{%s-(rest)}_1 takes one value only (%.4f) at this "
                 "composition in this cell",
                 s->sym[0], lo_a);
        s->setup_done = 1;
        return AS_OK;
    }
    const char *src = "fit";
    cell_fit f;
    AS_TRY(cell_constants(s, r->name, s->ordered, syms, s->K, 1, 1, 0.02, 0, NULL, &f, &src));
    snprintf(r->lattice_source, sizeof r->lattice_source, "%s", src);
    if (f.fail) {
        cell_verdict(s, r->name, &f);
        return AS_OK;
    }
    r->a_ang = r->c_ang = f.a;
    r->e_ordered_ev_atom = NAN;
    if (f.edge) {
        r->stable = 0;
        r->verdict = AS_VERDICT_UNSTABLE;
        snprintf(r->note, sizeof r->note,
                 "unstable: the lattice-constant fit of the ordered %s cell found no minimum "
                 "within [%.2f, %.2f] a0 (a = %.3f A): no stable cell with this oracle, so it is "
                 "not ranked",
                 r->name, s->opt.scale_lo, s->opt.scale_hi, r->a_ang);
        as_log(AS_LOG_WARN, "%s", r->note);
        s->setup_done = 1;
        return AS_OK;
    }
    as_lattice_free(s->lat);
    s->lat = NULL;
    lo.a_ang = lo.c_ang = f.a;
    AS_TRY(as_lattice_create(proto, size, &lo, &s->lat));
    if (s->K == 2) {
        r->a_host_ang = r->c_host_ang = f.a;
        r->e_seg_ev_atom = 0.0;
    } else {
        r->e_seg_ev_atom = NAN; /* the L1_0 references of E_seg belong to l10 */
    }
    return AS_OK;
}

/* The seeded labels into the store under the label keys of the screen's own ideal structures
 * (the oracle's method), with their provenance. */
static as_status put_seeds(as_screen *s)
{
    char method[2048];
    as_label_method(s->oracle, 1, &s->relax, method, sizeof method);
    for (size_t i = 0; i < s->n_seed; i++) {
        as_structure *st_ = NULL;
        AS_TRY(as_lattice_to_structure(s->lat, s->seed_cfg + i * s->n,
                                       (const char(*)[AS_SYMBOL_MAX])s->sym, s->K, NULL, &st_));
        uint64_t key = as_label_key(st_, method);
        as_label_result lr;
        memset(&lr, 0, sizeof lr);
        lr.status = AS_OK;
        lr.energy = s->seed_e[i];
        lr.rmsd = lr.rmsd_paper = lr.fmax = NAN;
        as_status st = as_label_store_put(s->store, key, method, st_, &lr, NULL);
        if (st == AS_OK)
            st = as_label_store_set_source(s->store, key, s->seed_src[i]);
        as_structure_free(st_);
        AS_TRY(st);
    }
    return AS_OK;
}

as_status as_screen_seed(as_screen *s, as_structure *const *frames, const size_t *index, size_t n,
                         const char *source)
{
    if (s->setup_done)
        return AS_FAIL(AS_EINVAL, "screen: labels are seeded before setup");
    if (n == 0)
        return AS_OK;
    as_lattice_options lo = as_lattice_options_default();
    size_t size[3] = {s->opt.size, s->opt.size, s->opt.size};
    as_proto proto = s->opt.prototype == AS_SCREEN_L12   ? AS_PROTO_L12
                     : s->opt.prototype == AS_SCREEN_FCC ? AS_PROTO_FCC
                                                         : AS_PROTO_PT2COM;
    lo.a_ang = lo.c_ang = s->opt.a_init;
    as_lattice *lat = NULL, *found = NULL;
    as_status st = AS_OK;
    int *cfg = NULL, *tmp = NULL;
    size_t want[3] = {0, 0, 0};
    AS_TRY(as_lattice_create(proto, size, &lo, &lat));
    size_t ns = as_lattice_n_sites(lat), base = s->n_seed;
    /* the system's composition: the counts of its ordered decoration */
    AS_CHECK(AS_ALLOC(tmp, ns, "screen: seeds"));
    if (proto == AS_PROTO_PT2COM) {
        as_lattice_prototype_config(lat, tmp);
        for (size_t i = 0; i < ns; i++)
            want[tmp[i] < (int)s->K ? tmp[i] : 1]++;
    } else {
        s->n = ns;
        AS_CHECK(generic_counts(s, want));
    }
    {
        int *c2 = as_realloc(s->seed_cfg, (base + n) * ns * sizeof *c2);
        if (c2)
            s->seed_cfg = c2;
        double *e2 = c2 ? as_realloc(s->seed_e, (base + n) * sizeof *e2) : NULL;
        if (e2)
            s->seed_e = e2;
        char **s2 = e2 ? as_realloc(s->seed_src, (base + n) * sizeof *s2) : NULL;
        if (!s2) {
            st = AS_FAIL(AS_ENOMEM, "screen: seeds");
            goto fail;
        }
        s->seed_src = s2;
    }
    for (size_t f = 0; f < n; f++) {
        const as_structure *fr = frames[f];
        size_t at = index ? index[f] + 1 : f + 1;
        cfg = s->seed_cfg + (base + f) * ns;
        s->seed_src[base + f] = NULL;
        if (!fr->has_energy || !isfinite(fr->energy)) {
            st = AS_FAIL(AS_EINVAL, "%s:frame %zu: no energy= in the comment line", source, at);
            goto fail;
        }
        if (fr->n != ns) {
            st = AS_FAIL(AS_EINVAL,
                         "%s:frame %zu: %zu atoms; the %s lattice of %s (--size %zu) has "
                         "%zu sites",
                         source, at, fr->n, as_screen_proto_name(s->opt.prototype), s->res.name,
                         s->opt.size, ns);
            goto fail;
        }
        /* on the screen's own supercell (each atom within AS_LATTICE_SITE_TOL_FRAC
         * nearest-neighbour distances of its own site, as the screen's check of relaxed labels);
         * when not, the lattice features' fcc detection says why */
        as_status se = as_lattice_match(lat, fr, (const char(*)[AS_SYMBOL_MAX])s->sym, s->K,
                                        AS_LATTICE_SITE_TOL_FRAC, cfg);
        if (se == AS_ENOMEM) {
            st = se;
            goto fail;
        }
        if (se != AS_OK) {
            char why[512];
            snprintf(why, sizeof why, "%s", as_errmsg());
            se = as_lattice_from_structure(fr, (const char(*)[AS_SYMBOL_MAX])s->sym, s->K, NULL, 1,
                                           &found, tmp, NULL);
            as_lattice_free(found);
            found = NULL;
            if (se == AS_ENOMEM) {
                st = se;
                goto fail;
            }
            if (se != AS_OK) {
                snprintf(why, sizeof why, "%s", as_errmsg());
                st = AS_FAIL(AS_EINVAL, "%s:frame %zu: not on an fcc lattice: %s", source, at, why);
            } else {
                st = AS_FAIL(AS_EINVAL,
                             "%s:frame %zu: an fcc arrangement, but not the supercell of %s "
                             "(%s, %zu x %zu x %zu cells): %s",
                             source, at, s->res.name, as_screen_proto_name(s->opt.prototype),
                             s->opt.size, s->opt.size, s->opt.size, why);
            }
            goto fail;
        }
        size_t have[3] = {0, 0, 0};
        for (size_t i = 0; i < ns; i++)
            have[cfg[i]]++;
        for (size_t k = 0; k < s->K; k++)
            if (have[k] != want[k]) {
                st = AS_FAIL(AS_EINVAL,
                             "%s:frame %zu: %zu %s atoms; %s has %zu of %zu sites (its "
                             "composition is fixed)",
                             source, at, have[k], s->sym[k], s->res.name, want[k], ns);
                goto fail;
            }
        for (size_t j = 0; j < base + f; j++)
            if (as_lattice_same_up_to_translation(lat, s->seed_cfg + j * ns, cfg)) {
                st = AS_FAIL(AS_EINVAL,
                             "%s:frame %zu: the same configuration as %s (up to a "
                             "translation)",
                             source, at, s->seed_src[j]);
                goto fail;
            }
        char buf[1100];
        snprintf(buf, sizeof buf, "%.1000s:frame %zu", source, at);
        if (!(s->seed_src[base + f] = as_strdup(buf))) {
            st = AS_FAIL(AS_ENOMEM, "screen: seeds");
            goto fail;
        }
        s->seed_e[base + f] = fr->energy;
        s->n_seed = base + f + 1;
    }
fail:
    as_free(tmp);
    as_lattice_free(lat);
    return st;
}

as_status as_screen_setup(as_screen *s)
{
    as_status st = AS_OK;
    int *cfg = NULL;
    double *e = NULL;
    unsigned char *test = NULL;
    as_screen_result *r = &s->res;
    const char(*syms)[AS_SYMBOL_MAX] = (const char(*)[AS_SYMBOL_MAX])s->sym;

    /* lattice constants: for M the L1_0 PtCo reference first (the host's own cell, so with
     * one oracle for all systems it comes from the store), the ordered cell from there, the
     * L1_0 PtM reference from the ordered cell; then the lattice the screen works on */
    if (s->opt.prototype != AS_SCREEN_L10) {
        AS_TRY(setup_generic(s));
        if (s->setup_done)
            return AS_OK;
        /* the zero of energy: the ordered cell's own label (relaxed; a seed of --labels when
         * the file holds the ordered cell) */
        if (s->n_seed)
            AS_TRY(put_seeds(s));
        as_structure *in = NULL, *outs = NULL;
        as_label_result lr;
        size_t computed = 0;
        AS_TRY(as_lattice_to_structure(s->lat, s->ordered, syms, s->K, NULL, &in));
        st = as_oracle_label_stored(s->oracle, s->store, (const as_structure *const *)&in, 1, 1,
                                    &s->relax, &lr, &outs, &computed);
        as_structure_free(in);
        as_structure_free(outs);
        AS_TRY(st);
        s->computed += computed;
        if (lr.status != AS_OK) {
            cell_fit f;
            memset(&f, 0, sizeof f);
            f.fail = lr.status;
            snprintf(f.why, sizeof f.why, "%.383s", lr.error);
            cell_verdict(s, r->name, &f);
            return AS_OK;
        }
        s->e_ref = lr.energy / (double)s->n;
        r->e_ordered_ev_atom = s->e_ref;
    } else {
        as_lattice_options lo = as_lattice_options_default();
        size_t size[3] = {s->opt.size, s->opt.size, s->opt.size};
        lo.a_ang = lo.c_ang = s->opt.a_init;
        AS_TRY(as_lattice_create(AS_PROTO_PT2COM, size, &lo, &s->lat));
        s->n = as_lattice_n_sites(s->lat);
        AS_TRY(AS_ALLOC(s->ordered, s->n, "screen: ordered cell"));
        as_lattice_prototype_config(s->lat, s->ordered);
        if (s->K == 2) /* binary: the M sites of the Pt2CoM cell are Co */
            for (size_t i = 0; i < s->n; i++)
                if (s->ordered[i] == 2)
                    s->ordered[i] = 1;
        char ptco[2][AS_SYMBOL_MAX], ptm[2][AS_SYMBOL_MAX], nm[2][16];
        strcpy(ptco[0], s->sym[0]);
        strcpy(ptco[1], s->sym[1]);
        strcpy(ptm[0], s->sym[0]);
        strcpy(ptm[1], s->sym[2]);
        snprintf(nm[0], sizeof nm[0], "%s%s", s->sym[0], s->sym[1]);
        snprintf(nm[1], sizeof nm[1], "%s%s", s->sym[0], s->sym[2]);
        int l10[4];
        for (int i = 0; i < 4; i++)
            l10[i] = s->ordered[i] == 0 ? 0 : 1;
        const char *src = "fit", *src_ord = "fit";
        double a0 = s->opt.a_init;
        cell_fit f_co, f_ord, f_m;
        if (s->K == 3) {
            AS_TRY(cell_constants(s, nm[0], l10, (const char(*)[AS_SYMBOL_MAX])ptco, 2, 1, 1, 0.02,
                                  1, NULL, &f_co, &src));
            if (f_co.fail) {
                cell_verdict(s, nm[0], &f_co);
                return AS_OK;
            }
            AS_TRY(cell_constants(s, r->name, s->ordered, syms, 3, f_co.a / a0, f_co.c / a0, 0.01,
                                  0, f_co.hess, &f_ord, &src_ord));
        } else {
            AS_TRY(cell_constants(s, r->name, s->ordered, syms, 2, 1, 1, 0.02, 1, NULL, &f_ord,
                                  &src_ord));
        }
        snprintf(r->lattice_source, sizeof r->lattice_source, "%s", src_ord);
        if (f_ord.fail) {
            cell_verdict(s, r->name, &f_ord);
            return AS_OK;
        }
        r->a_ang = f_ord.a;
        r->c_ang = f_ord.c;
        r->e_ordered_ev_atom = NAN;
        if (f_ord.edge) {
            r->stable = 0;
            r->verdict = AS_VERDICT_UNSTABLE;
            snprintf(r->note, sizeof r->note,
                     "unstable: the lattice-constant fit of the ordered "
                     "%s cell found no minimum within [%.2f, %.2f] a0 (a = %.3f, c = %.3f A): "
                     "no stable cell with this oracle, so it is not ranked",
                     r->name, s->opt.scale_lo, s->opt.scale_hi, r->a_ang, r->c_ang);
            as_log(AS_LOG_WARN, "%s", r->note);
            s->setup_done = 1;
            return AS_OK;
        }
        as_lattice_free(s->lat);
        s->lat = NULL;
        lo.a_ang = r->a_ang;
        lo.c_ang = r->c_ang;
        AS_TRY(as_lattice_create(AS_PROTO_PT2COM, size, &lo, &s->lat));
        /* the zero of energy: the ordered cell's own label (relaxed; its forces vanish; a seed
         * of --labels when the file holds the ordered cell) */
        if (s->n_seed)
            AS_TRY(put_seeds(s));
        {
            as_structure *in = NULL, *outs = NULL;
            as_label_result lr;
            size_t computed = 0;
            AS_TRY(as_lattice_to_structure(s->lat, s->ordered, syms, s->K, NULL, &in));
            st = label_batch(s, (const as_structure *const *)&in, 1, &lr, &outs, &computed);
            as_structure_free(in);
            as_structure_free(outs);
            AS_TRY(st);
            s->computed += computed;
            if (lr.status != AS_OK) {
                f_ord.fail = lr.status;
                snprintf(f_ord.why, sizeof f_ord.why, "%.383s", lr.error);
                cell_verdict(s, r->name, &f_ord);
                return AS_OK;
            }
            s->e_ref = lr.energy / (double)s->n;
            r->e_ordered_ev_atom = s->e_ref;
        }
        if (s->K == 3) {
            AS_TRY(cell_constants(s, nm[1], l10, (const char(*)[AS_SYMBOL_MAX])ptm, 2, f_ord.a / a0,
                                  f_ord.c / a0, 0.01, 1, f_ord.hess, &f_m, &src));
            if (f_m.fail) {
                cell_verdict(s, nm[1], &f_m);
                return AS_OK;
            }
            r->a_host_ang = f_co.a;
            r->c_host_ang = f_co.c;
            r->a_am_ang = f_m.a;
            /* segregation: E(Pt2CoM) - 1/2 [E(PtCo) + E(PtM)], L1_0 with their own constants */
            r->e_seg_ev_atom = s->e_ref - 0.5 * (f_co.e_atom + f_m.e_atom);
            if (f_co.edge || f_m.edge) {
                r->e_seg_ev_atom = NAN;
                size_t len = strlen(r->note);
                snprintf(r->note + len, sizeof r->note - len,
                         "%sE_seg undefined: the L1_0 %s "
                         "reference has no lattice-constant minimum within [%.2f, %.2f] a0",
                         len ? "; " : "", f_co.edge ? nm[0] : nm[1], s->opt.scale_lo,
                         s->opt.scale_hi);
            }
        } else {
            r->a_host_ang = r->a_ang;
            r->c_host_ang = r->c_ang;
            r->e_seg_ev_atom = 0.0;
        }
    }
    for (size_t i = 0; i < s->n; i++)
        s->counts[s->ordered[i]]++;
    /* pairs: Pt-(Co,M) and Co-M */
    s->ptx.x = 1u;
    s->ptx.y = s->K == 3 ? 6u : 2u;
    s->com.x = 2u;
    s->com.y = 4u;
    AS_TRY(as_mc_create(s->lat, s->K, s->ptx, 0, s->ordered, &s->mc));

    /* the paper's 22 starting structures (or the structures of --labels) */
    static const double levels[7] = {-2.0 / 6, -1.0 / 6, 0.0, 1.0 / 6, 2.0 / 6, 3.0 / 6, 4.0 / 6};
    static const size_t per_level[7] = {1, 4, 4, 4, 4, 4, 1};
    size_t n_start = 0;
    for (int k = 0; k < 7; k++)
        n_start += per_level[k];
    if (s->n_seed)
        n_start = s->n_seed;
    AS_CHECK(AS_ALLOC(cfg, n_start * s->n, "screen: starting structures"));
    AS_CHECK(AS_ALLOC(e, n_start, "screen: starting energies"));
    AS_CHECK(AS_ALLOC(test, n_start, "screen: split"));
    as_mc_options mo = as_mc_options_default();
    size_t at = 0;
    if (s->n_seed) { /* in the store since the lattice constants were known */
        memcpy(cfg, s->seed_cfg, n_start * s->n * sizeof *cfg);
        r->n_seeded = s->n_seed;
    }
    /* l12 / fcc: the paper's levels when the cell reaches them, else 7 levels spread over the
     * reachable range, the ends started from the configurations found there (as lattice
     * generate --paper-set) */
    int spread = s->opt.prototype != AS_SCREEN_L10 &&
                 !(levels[0] >= s->res.alpha_lo - 1e-9 && levels[6] <= s->res.alpha_hi + 1e-9);
    for (int k = 0; k < 7 && !s->n_seed; k++) {
        as_rng rng;
        stream(s, &rng, P_START, 0, (size_t)k);
        double target = levels[k];
        const int *start = s->ordered;
        if (spread) {
            target = s->alo + s->aspan * (double)k / 6.0;
            start = k == 0 ? s->end_cfg : k == 6 ? s->end_cfg + s->n : s->ordered;
        }
        AS_CHECK(as_lattice_generate(s->lat, s->K, start, s->ptx, reachable(s, target),
                                     per_level[k], cfg, at, &mo, &rng, cfg + at * s->n, NULL));
        at += per_level[k];
    }
    size_t n_bad;
    s->collect_rmsd = 1;
    st = label_configs(s, cfg, n_start, e, &n_bad);
    s->collect_rmsd = 0;
    if (st != AS_OK)
        goto fail;
    if (s->n_rmsd) {
        r->rmsd_mean /= (double)s->n_rmsd;
        r->rmsd_paper_mean /= (double)s->n_rmsd;
    }
    r->n_start = n_start;
    /* failed labels are failures, not instability; instability needs relaxed structures that
     * lost the lattice, counted over the structures that were labelled */
    r->n_unstable = r->n_rmsd_lost + r->n_topology_lost;
    (void)n_bad;
    size_t n_ok = n_start - r->n_start_failed;
    if (r->stable && s->n_rmsd && r->rmsd_mean > 0.5 * s->opt.rmsd_max) {
        size_t len = strlen(r->note);
        snprintf(r->note + len, sizeof r->note - len,
                 "%slarge relaxations: mean RMSD %.3f A of "
                 "the starting structures (over half the %.2f A limit)",
                 len ? "; " : "", r->rmsd_mean, s->opt.rmsd_max);
    }
    if (r->stable && (double)r->n_start_failed > s->opt.unstable_share * (double)n_start) {
        r->stable = 0;
        r->verdict = AS_VERDICT_LABELS_FAILED;
        snprintf(r->note, sizeof r->note, "%zu of %zu labels failed (oracle errors: %s)",
                 r->n_start_failed, n_start, r->first_error);
        as_log(AS_LOG_WARN, "%s: %s", r->name, r->note);
    } else if (r->stable && n_ok > 0 &&
               (double)r->n_unstable > s->opt.unstable_share * (double)n_ok) {
        r->stable = 0;
        r->verdict = AS_VERDICT_UNSTABLE;
        snprintf(r->note, sizeof r->note,
                 "unstable: %zu of %zu relaxed starting structures lost the fcc lattice (RMSD "
                 "above %.2f A: %zu, atoms off their sites: %zu; largest RMSD %.3f A): the %s "
                 "cell is not mechanically stable with this oracle, so it is not ranked",
                 r->n_unstable, n_ok, s->opt.rmsd_max, r->n_rmsd_lost, r->n_topology_lost,
                 r->rmsd_max_seen, r->name);
        as_log(AS_LOG_WARN, "%s", r->note);
    }
    if (!r->stable) {
        s->setup_done = 1;
        goto fail;
    }
    split_batch(s, 0, n_start, test);
    AS_CHECK(set_add(s, &s->al, cfg, e, test, n_start));
    AS_CHECK(set_add(s, &s->rnd, cfg, e, test, n_start));
    /* the ordered cell itself is the energy reference and a training label (without it the
     * model extrapolates to the most ordered arrangement) */
    {
        double e0;
        unsigned char t0 = 0;
        AS_CHECK(label_configs(s, s->ordered, 1, &e0, &n_bad));
        AS_CHECK(set_add(s, &s->al, s->ordered, &e0, &t0, 1));
        AS_CHECK(set_add(s, &s->rnd, s->ordered, &e0, &t0, 1));
    }
    if (s->opt.validate > 0 && r->stable) {
        int *vc = NULL;
        double *ve = NULL;
        AS_CHECK(AS_ALLOC(vc, s->opt.validate * s->n, "screen: validation"));
        st = AS_ALLOC(ve, s->opt.validate, "screen: validation");
        if (st == AS_OK)
            st = random_alpha_configs(s, P_VALID, 0, s->opt.validate, &s->al, vc);
        if (st == AS_OK)
            st = label_configs(s, vc, s->opt.validate, ve, &n_bad);
        if (st == AS_OK)
            st = set_add(s, &s->val, vc, ve, NULL, s->opt.validate);
        as_free(vc);
        as_free(ve);
        if (st != AS_OK)
            goto fail;
    }
    s->setup_done = 1;
fail:
    as_free(cfg);
    as_free(e);
    as_free(test);
    return st;
}

/* ---- models ---- */

/* Fit on the training rows of a (and, when b is not NULL, b's non-test rows too). */
static as_status fit_model(as_screen *s, const label_set *a, uint64_t seed, as_gpr_model **out)
{
    double *x = NULL, *y = NULL;
    size_t m = 0;
    as_status st = AS_OK;
    *out = NULL;
    AS_TRY(AS_ALLOC(x, a->n * s->d + 1, "screen: training rows"));
    AS_CHECK(AS_ALLOC(y, a->n + 1, "screen: training rows"));
    for (size_t i = 0; i < a->n; i++) {
        if (a->test[i])
            continue;
        memcpy(x + m * s->d, a->x + i * s->d, s->d * sizeof *x);
        y[m++] = a->e[i];
    }
    if (m < 3) {
        st = AS_FAIL(AS_EINVAL, "screen: %s has only %zu training labels", s->res.name, m);
        goto fail;
    }
    if (!s->ws)
        AS_CHECK(as_gp_workspace_create(m + s->opt.rounds * s->opt.per_round + 64, s->d, &s->ws));
    AS_CHECK(as_gpr_model_fit(x, y, m, s->d, s->opt.pca_fraction, &s->gpo, seed, s->ws, out));
fail:
    as_free(x);
    as_free(y);
    return st;
}

/* MAE and R^2 of model on the rows of l with flag test == want (all rows when want < 0). */
static as_status score(as_gpr_model *model, const label_set *l, int want, double *mae, double *r2,
                       double *pred_out, size_t *n_out)
{
    size_t m = 0;
    double *mean;
    *mae = *r2 = NAN;
    AS_TRY(AS_ALLOC(mean, l->n + 1, "screen: scores"));
    as_status st = as_gpr_model_predict(model, l->x, l->n, mean, NULL);
    if (st != AS_OK) {
        as_free(mean);
        return st;
    }
    double sa = 0, sy = 0, syy = 0, sr = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (want >= 0 && l->test[i] != want)
            continue;
        double r = mean[i] - l->e[i];
        if (pred_out)
            pred_out[m] = mean[i];
        sa += fabs(r);
        sr += r * r;
        sy += l->e[i];
        syy += l->e[i] * l->e[i];
        m++;
    }
    if (m > 0)
        *mae = sa / (double)m;
    double ss_tot = syy - sy * sy / (double)(m ? m : 1);
    if (m > 1 && ss_tot > 0)
        *r2 = 1.0 - sr / ss_tot;
    if (n_out)
        *n_out = m;
    as_free(mean);
    return AS_OK;
}

/* ---- prediction sets (used by the rounds' interval and acquisition, and by finish) ---- */

/* The configurations of prediction set k (0: Pt-ordered, 1: random, 2: across alpha) into cfg
 * (n, sites), each from its own stream. */
/* cnt configurations at alpha target from start into cfg: distinct ones while they exist, then
 * the last one repeated. */
static as_status level_set(as_screen *s, as_rng *rng, const int *start, double target, size_t cnt,
                           int *cfg)
{
    as_mc_options mo = as_mc_options_default();
    as_status st =
        as_lattice_generate(s->lat, s->K, start, s->ptx, target, cnt, NULL, 0, &mo, rng, cfg, NULL);
    if (st != AS_ENOCONV)
        return st;
    size_t got = 0;
    for (; got < cnt; got++) {
        st = as_lattice_generate(s->lat, s->K, start, s->ptx, target, 1, cfg, got, &mo, rng,
                                 cfg + got * s->n, NULL);
        if (st != AS_OK)
            break;
    }
    if (st != AS_OK && st != AS_ENOCONV)
        return st;
    if (got == 0)
        memcpy(cfg, start, s->n * sizeof *cfg), got = 1;
    for (size_t j = got; j < cnt; j++)
        memcpy(cfg + j * s->n, cfg + (got - 1) * s->n, s->n * sizeof *cfg);
    return AS_OK;
}

/* An ordered configuration of an l12 system: the decoration with the species of the non-A
 * sites (B, M) shuffled among themselves. */
static as_status shuffled_ordered(as_screen *s, as_rng *rng, int *cfg)
{
    size_t *idx = NULL, m = 0;
    memcpy(cfg, s->ordered, s->n * sizeof *cfg);
    AS_TRY(AS_ALLOC(idx, s->n, "screen: ordered set"));
    for (size_t i = 0; i < s->n; i++)
        if (s->ordered[i] != 0)
            idx[m++] = i;
    for (size_t k = m; k > 1; k--) {
        size_t j = as_rng_below(rng, k);
        int t = cfg[idx[k - 1]];
        cfg[idx[k - 1]] = cfg[idx[j]];
        cfg[idx[j]] = t;
    }
    as_free(idx);
    return AS_OK;
}

static as_status make_set(as_screen *s, int k, size_t n, int *cfg)
{
    as_status st = AS_OK;
    if (k == 0 && s->opt.prototype == AS_SCREEN_FCC) {
        /* fcc: configurations at the ordering end of the reachable range */
        as_rng rng;
        stream(s, &rng, P_PRED, 0, 0);
        return level_set(s, &rng, s->ordered, reachable(s, s->alo), n, cfg);
    }
    if (k == 2) {
        /* across alpha: equal shares at evenly spaced levels from -1/3 to 2/3 (l12 / fcc: over
         * the reachable range) */
        size_t levels = 38, done = 0;
        as_mc_options mo = as_mc_options_default();
        for (size_t l = 0; l < levels && done < n; l++) {
            size_t cnt = (n - done) / (levels - l);
            as_rng rng;
            stream(s, &rng, P_PRED, 2, l);
            double target = reachable(s, s->alo + s->aspan * (double)l / (double)(levels - 1));
            st = as_lattice_generate(s->lat, s->K, s->ordered, s->ptx, target, cnt, NULL, 0, &mo,
                                     &rng, cfg + done * s->n, NULL);
            if (st == AS_ENOCONV) {
                /* near the ends of the alpha range a cell has few distinct arrangements:
                 * take what exists, one at a time, and repeat the last one */
                size_t got = 0;
                for (; got < cnt; got++) {
                    st = as_lattice_generate(s->lat, s->K, s->ordered, s->ptx, target, 1,
                                             cfg + done * s->n, got, &mo, &rng,
                                             cfg + (done + got) * s->n, NULL);
                    if (st != AS_OK)
                        break;
                }
                if (st != AS_OK && st != AS_ENOCONV)
                    return st;
                if (got == 0)
                    memcpy(cfg + done * s->n, s->ordered, s->n * sizeof *cfg), got = 1;
                for (size_t j = got; j < cnt; j++)
                    memcpy(cfg + (done + j) * s->n, cfg + (done + got - 1) * s->n,
                           s->n * sizeof *cfg);
                st = AS_OK;
            } else if (st != AS_OK) {
                return st;
            }
            done += cnt;
        }
        return AS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        as_rng rng;
        stream(s, &rng, P_PRED, (size_t)k, i);
        if (k == 0 && s->K == 2) /* the binary has one ordered arrangement */
            memcpy(cfg + i * s->n, s->ordered, s->n * sizeof *cfg);
        else if (k == 0 && s->opt.prototype == AS_SCREEN_L12)
            AS_TRY(shuffled_ordered(s, &rng, cfg + i * s->n));
        else if (k == 0)
            AS_TRY(as_lattice_ordered_config(s->lat, s->K, &rng, cfg + i * s->n));
        else
            AS_TRY(as_lattice_random_config(s->lat, s->counts, s->K, &rng, cfg + i * s->n));
    }
    return AS_OK;
}

/* The ordered and random sets with their fingerprints, made on first use and kept. */
static as_status ensure_psets(as_screen *s)
{
    size_t sizes[2] = {s->opt.n_ordered, s->opt.n_random};
    for (int k = 0; k < 2; k++) {
        if (s->pset_cfg[k])
            continue;
        int *cfg = NULL;
        double *x = NULL;
        as_status st = AS_ALLOC(cfg, sizes[k] * s->n, "screen: prediction sets");
        if (st == AS_OK)
            st = AS_ALLOC(x, sizes[k] * s->d, "screen: prediction sets");
        if (st == AS_OK)
            st = make_set(s, k, sizes[k], cfg);
        for (size_t i = 0; st == AS_OK && i < sizes[k]; i++)
            st = as_lattice_fingerprint(s->lat, cfg + i * s->n, s->K, x + i * s->d);
        if (st != AS_OK) {
            as_free(cfg);
            as_free(x);
            return st;
        }
        s->pset_cfg[k] = cfg;
        s->pset_x[k] = x;
    }
    return AS_OK;
}

/* The interval of E_order under model, and optionally a qoi batch (as_acq_order). */
static as_status order_interval(as_screen *s, as_gpr_model *model, const double *xc, size_t nc,
                                size_t batch, double scale, size_t *picked, size_t *n_picked,
                                as_acq_interval *iv)
{
    AS_TRY(ensure_psets(s));
    return as_acq_order(model, s->pset_x[0], s->opt.n_ordered, s->pset_x[1], s->opt.n_random, s->d,
                        xc, nc, batch, scale, picked, n_picked, iv, NULL);
}

/* ---- one round ---- */

typedef struct {
    double sigma;
    size_t idx;
} cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->sigma != b->sigma)
        return a->sigma < b->sigma ? 1 : -1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Calibration of the model's predictive sigma on the test split of the labels. */
static as_status calib_of(as_screen *s, as_gpr_model *model, as_acq_calib *c)
{
    double *mu = NULL, *sd = NULL, *y = NULL;
    as_status st = AS_OK;
    size_t m = 0;
    AS_CHECK(AS_ALLOC(mu, s->al.n + 1, "screen: calibration"));
    AS_CHECK(AS_ALLOC(sd, s->al.n + 1, "screen: calibration"));
    AS_CHECK(AS_ALLOC(y, s->al.n + 1, "screen: calibration"));
    AS_CHECK(as_gpr_model_predict(model, s->al.x, s->al.n, mu, sd));
    for (size_t i = 0; i < s->al.n; i++)
        if (s->al.test[i]) {
            mu[m] = mu[i];
            sd[m] = sd[i];
            y[m++] = s->al.e[i];
        }
    as_acq_calibration(y, mu, sd, m, c);
fail:
    as_free(mu);
    as_free(sd);
    as_free(y);
    return st;
}

static as_status calibrate(as_screen *s, as_gpr_model *model, as_screen_round_info *ri)
{
    as_acq_calib c;
    AS_TRY(calib_of(s, model, &c));
    ri->cal_n = c.n;
    ri->cal_cover1 = c.cover1;
    ri->cal_cover2 = c.cover2;
    ri->cal_nll = c.nll;
    ri->cal_mean_z = c.mean_z;
    ri->cal_rms_z = c.rms_z;
    return AS_OK;
}

/* Walk the chains of round r towards high predicted sigma: visit (chains * chain_steps, n) and
 * cands (the same count) receive every visited configuration and its sigma, cands sorted by
 * sigma, largest first. */
static as_status walk_chains(as_screen *s, size_t r, as_gpr_model *model, int *visit, cand *cands)
{
    size_t n_visit = s->opt.chains * s->opt.chain_steps;
    int *cur = NULL;
    double *x = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(cur, s->n, "screen: chains"));
    AS_CHECK(AS_ALLOC(x, s->d, "screen: chains"));
    for (size_t c = 0; c < s->opt.chains; c++) {
        as_rng rng;
        stream(s, &rng, P_CHAIN, r, c);
        /* start: a labelled configuration chosen at random */
        size_t start = as_rng_below(&rng, s->al.n);
        memcpy(cur, s->al.config + start * s->n, s->n * sizeof *cur);
        double sig, mu;
        AS_CHECK(as_lattice_fingerprint(s->lat, cur, s->K, x));
        AS_CHECK(as_gpr_model_predict(model, x, 1, &mu, &sig));
        double temp = s->opt.sigma_temp * (sig > 1e-12 ? sig : 1e-12);
        for (size_t t = 0; t < s->opt.chain_steps; t++) {
            size_t a = as_rng_below(&rng, s->n), b;
            do
                b = as_rng_below(&rng, s->n);
            while (cur[b] == cur[a]);
            int tmp = cur[a];
            cur[a] = cur[b];
            cur[b] = tmp;
            double sig2;
            AS_CHECK(as_lattice_fingerprint(s->lat, cur, s->K, x));
            AS_CHECK(as_gpr_model_predict(model, x, 1, &mu, &sig2));
            /* a higher sigma is always accepted, a lower one with a Metropolis probability */
            if (sig2 >= sig || as_rng_uniform(&rng) < exp((sig2 - sig) / temp)) {
                sig = sig2;
            } else {
                cur[b] = cur[a];
                cur[a] = tmp;
            }
            size_t v = c * s->opt.chain_steps + t;
            memcpy(visit + v * s->n, cur, s->n * sizeof *cur);
            cands[v].sigma = sig;
            cands[v].idx = v;
        }
    }
    qsort(cands, n_visit, sizeof *cands, cand_cmp);
fail:
    as_free(cur);
    as_free(x);
    return st;
}

/* sigma (the paper): the per_round highest-sigma visited configurations distinct (up to a
 * translation) from each other and from every label. */
static as_status pick_sigma(as_screen *s, size_t r, as_gpr_model *model, int *picks,
                            size_t *got_out, double *max_sigma)
{
    size_t n_visit = s->opt.chains * s->opt.chain_steps, want = s->opt.per_round, got = 0;
    int *visit = NULL;
    cand *cands = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(visit, n_visit * s->n, "screen: chains"));
    AS_CHECK(AS_ALLOC(cands, n_visit, "screen: chains"));
    AS_CHECK(walk_chains(s, r, model, visit, cands));
    for (size_t i = 0; i < n_visit && got < want; i++) {
        const int *c = visit + cands[i].idx * s->n;
        if (set_contains(s, &s->al, c))
            continue;
        int dup = 0;
        for (size_t j = 0; j < got && !dup; j++)
            dup = as_lattice_same_up_to_translation(s->lat, picks + j * s->n, c);
        if (dup)
            continue;
        if (got == 0)
            *max_sigma = cands[i].sigma;
        memcpy(picks + got * s->n, c, s->n * sizeof *c);
        got++;
    }
fail:
    *got_out = got;
    as_free(visit);
    as_free(cands);
    return st;
}

/* The largest predicted sigma among the picks (n of them). */
static as_status picks_max_sigma(as_screen *s, as_gpr_model *model, const int *picks, size_t n,
                                 double *max_sigma)
{
    double *x = NULL, *mu = NULL, *sd = NULL;
    as_status st = AS_OK;
    *max_sigma = 0;
    AS_CHECK(AS_ALLOC(x, n * s->d + 1, "screen: picks"));
    AS_CHECK(AS_ALLOC(mu, n + 1, "screen: picks"));
    AS_CHECK(AS_ALLOC(sd, n + 1, "screen: picks"));
    for (size_t i = 0; i < n; i++)
        AS_CHECK(as_lattice_fingerprint(s->lat, picks + i * s->n, s->K, x + i * s->d));
    AS_CHECK(as_gpr_model_predict(model, x, n, mu, sd));
    for (size_t i = 0; i < n; i++)
        if (sd[i] > *max_sigma)
            *max_sigma = sd[i];
fail:
    as_free(x);
    as_free(mu);
    as_free(sd);
    return st;
}

/* random (baseline): configurations at random alpha levels, distinct from every label and from
 * each other. */
static as_status pick_random(as_screen *s, size_t r, int *picks, size_t *got_out)
{
    size_t want = s->opt.per_round, got = 0, *keep = NULL;
    int *tmp = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(tmp, want * s->n, "screen: picks"));
    AS_CHECK(AS_ALLOC(keep, want, "screen: picks"));
    AS_CHECK(random_alpha_configs(s, P_ACQRANDOM, r, want, &s->al, tmp));
    AS_CHECK(as_acq_unique(s->lat, s->K, tmp, want, s->al.config, s->al.n, keep, &got));
    for (size_t i = 0; i < got; i++)
        memcpy(picks + i * s->n, tmp + keep[i] * s->n, s->n * sizeof *picks);
fail:
    *got_out = st == AS_OK ? got : 0;
    as_free(tmp);
    as_free(keep);
    return st;
}

/* qoi: of the chains' visits and the ordered and random prediction sets, the distinct
 * configurations not yet labelled are the candidates; the batch is chosen greedily to minimise
 * the posterior variance of E_order given the labels and the batch so far. */
static as_status pick_qoi(as_screen *s, size_t r, as_gpr_model *model, int *picks, size_t *got_out)
{
    size_t n_visit = s->opt.chains * s->opt.chain_steps, want = s->opt.per_round, got = 0;
    size_t n_all = n_visit + s->opt.n_ordered + s->opt.n_random, n_keep = 0;
    int *all = NULL;
    cand *cands = NULL;
    size_t *keep = NULL, *picked = NULL;
    double *xc = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(all, n_all * s->n, "screen: candidates"));
    AS_CHECK(AS_ALLOC(cands, n_visit, "screen: candidates"));
    AS_CHECK(AS_ALLOC(keep, n_all, "screen: candidates"));
    AS_CHECK(AS_ALLOC(picked, want, "screen: candidates"));
    AS_CHECK(AS_ALLOC(xc, n_all * s->d, "screen: candidates"));
    AS_CHECK(walk_chains(s, r, model, all, cands));
    AS_CHECK(ensure_psets(s));
    memcpy(all + n_visit * s->n, s->pset_cfg[0], s->opt.n_ordered * s->n * sizeof *all);
    memcpy(all + (n_visit + s->opt.n_ordered) * s->n, s->pset_cfg[1],
           s->opt.n_random * s->n * sizeof *all);
    AS_CHECK(as_acq_unique(s->lat, s->K, all, n_all, s->al.config, s->al.n, keep, &n_keep));
    for (size_t i = 0; i < n_keep; i++)
        AS_CHECK(as_lattice_fingerprint(s->lat, all + keep[i] * s->n, s->K, xc + i * s->d));
    as_acq_interval iv;
    AS_CHECK(order_interval(s, model, xc, n_keep, want, 1.0, picked, &got, &iv));
    for (size_t i = 0; i < got; i++)
        memcpy(picks + i * s->n, all + keep[picked[i]] * s->n, s->n * sizeof *picks);
fail:
    *got_out = st == AS_OK ? got : 0;
    as_free(all);
    as_free(cands);
    as_free(keep);
    as_free(picked);
    as_free(xc);
    return st;
}

as_status as_screen_round(as_screen *s, size_t r)
{
    if (!s->setup_done)
        return AS_FAIL(AS_EINVAL, "screen: round before setup");
    if (r >= s->opt.rounds)
        return AS_FAIL(AS_EINVAL, "screen: round %zu of %zu", r + 1, s->opt.rounds);
    if (!s->res.stable)
        return AS_OK;
    if (r > 0 && s->res.round[r - 1].target_reached)
        return AS_FAIL(AS_EINVAL, "screen: %s reached its target interval in round %zu",
                       s->res.name, r);
    as_status st = AS_OK;
    as_gpr_model *model = NULL, *mrand = NULL;
    int *picks = NULL;
    double *e = NULL;
    unsigned char *test = NULL;
    size_t want = s->opt.per_round, got = 0;
    as_screen_round_info *ri = &s->res.round[r];
    memset(ri, 0, sizeof *ri);
    ri->val_mae = ri->val_mae_random = ri->mae_random = ri->r2_random = NAN;

    AS_CHECK(fit_model(s, &s->al, s->opt.seed ^ task_id(s, P_GP, r, 0), &model));
    AS_CHECK(score(model, &s->al, 1, &ri->mae, &ri->r2, NULL, &ri->n_test));
    ri->n_train = s->al.n - ri->n_test;
    as_gp *gp = as_gpr_model_gp(model);
    ri->lml = as_gp_lml_value(gp);
    ri->c2 = as_gp_c2(gp);
    ri->length = as_gp_length_scales(gp)[0];
    ri->noise = as_gp_noise(gp);
    ri->pca_dim = as_pca_dim_out(as_gpr_model_pca(model));
    if (s->val.n > 0) {
        double r2;
        AS_CHECK(score(model, &s->val, -1, &ri->val_mae, &r2, NULL, NULL));
    }
    /* random selection with the same label budget: the starting labels plus random
     * configurations, scored on the same test split */
    if (s->opt.random_baseline) {
        double r2;
        AS_CHECK(fit_model(s, &s->rnd, s->opt.seed ^ task_id(s, P_GPRAND, r, 0), &mrand));
        AS_CHECK(score(mrand, &s->al, 1, &ri->mae_random, &ri->r2_random, NULL, NULL));
        if (s->val.n > 0)
            AS_CHECK(score(mrand, &s->val, -1, &ri->val_mae_random, &r2, NULL, NULL));
    }
    AS_CHECK(calibrate(s, model, ri));
    as_acq_interval iv;
    ri->e_order_var_scale = as_acq_var_scale(ri->cal_rms_z, ri->cal_n);
    AS_CHECK(order_interval(s, model, NULL, 0, 0, ri->e_order_var_scale, NULL, NULL, &iv));
    ri->e_order = iv.mean;
    ri->e_order_gp_sd = iv.gp_sd;
    ri->e_order_se = iv.se;
    ri->e_order_ci95 = iv.ci95;
    AS_CHECK(AS_ALLOC(picks, want * s->n, "screen: picks"));
    if (s->opt.target_ci > 0 && iv.ci95 < s->opt.target_ci) {
        /* the interval is narrow enough: this system labels nothing more */
        ri->target_reached = 1;
        strcpy(s->res.stop_reason, "target_ci");
    } else if (s->opt.acquire == AS_ACQUIRE_SIGMA) {
        AS_CHECK(pick_sigma(s, r, model, picks, &got, &ri->max_sigma));
    } else {
        if (s->opt.acquire == AS_ACQUIRE_RANDOM)
            AS_CHECK(pick_random(s, r, picks, &got));
        else
            AS_CHECK(pick_qoi(s, r, model, picks, &got));
        AS_CHECK(picks_max_sigma(s, model, picks, got, &ri->max_sigma));
    }
    /* the picks as text for the campaign records */
    as_free(ri->picked);
    AS_CHECK(AS_ALLOC(ri->picked, got * (s->n + 1) + 1, "screen: picks"));
    for (size_t i = 0; i < got; i++) {
        for (size_t j = 0; j < s->n; j++)
            ri->picked[i * (s->n + 1) + j] = (char)('0' + picks[i * s->n + j]);
        ri->picked[i * (s->n + 1) + s->n] = i + 1 < got ? ',' : '\0';
    }
    AS_CHECK(AS_ALLOC(e, want, "screen: picks"));
    AS_CHECK(AS_ALLOC(test, want, "screen: picks"));
    size_t n_bad;
    AS_CHECK(label_configs(s, picks, got, e, &n_bad));
    split_batch(s, r + 1, got, test);
    AS_CHECK(set_add(s, &s->al, picks, e, test, got));

    if (s->opt.random_baseline && !ri->target_reached) {
        AS_CHECK(random_alpha_configs(s, P_RANDOM, r, want, &s->rnd, picks));
        AS_CHECK(label_configs(s, picks, want, e, &n_bad));
        memset(test, 0, want);
        AS_CHECK(set_add(s, &s->rnd, picks, e, test, want));
    }
    s->res.rounds_done = r + 1;
fail:
    as_gpr_model_free(model);
    as_gpr_model_free(mrand);
    as_free(picks);
    as_free(e);
    as_free(test);
    return st;
}

/* ---- the end ---- */

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
    double m = 0, q = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            m += v[i];
            k++;
        }
    m /= (double)(k ? k : 1);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *var = k > 1 ? q / (double)(k - 1) : 0;
}

as_status as_screen_finish(as_screen *s)
{
    if (!s->setup_done)
        return AS_FAIL(AS_EINVAL, "screen: finish before setup");
    as_screen_result *r = &s->res;
    if (!r->stable)
        return AS_OK;
    as_status st = AS_OK;
    as_gpr_model *model = NULL;
    int *cfg = NULL;
    double *x = NULL, *direct = NULL;
    size_t sizes[3] = {s->opt.n_ordered, s->opt.n_random, s->opt.n_across};
    AS_CHECK(fit_model(s, &s->al, s->opt.seed ^ task_id(s, P_GP, s->opt.rounds, 0), &model));
    /* parity data: the test split */
    size_t nt = 0;
    for (size_t i = 0; i < s->al.n; i++)
        nt += s->al.test[i];
    AS_CHECK(AS_ALLOC(r->test_true, nt + 1, "screen: parity"));
    AS_CHECK(AS_ALLOC(r->test_pred, nt + 1, "screen: parity"));
    for (size_t i = 0, k = 0; i < s->al.n; i++)
        if (s->al.test[i])
            r->test_true[k++] = s->al.e[i];
    double r2;
    AS_CHECK(score(model, &s->al, 1, &r->final_mae, &r->final_r2, r->test_pred, &r->n_test_final));
    if (s->val.n > 0)
        AS_CHECK(score(model, &s->val, -1, &r->val_mae, &r2, NULL, NULL));

    AS_CHECK(AS_ALLOC(cfg, sizes[2] * s->n, "screen: prediction sets"));
    AS_CHECK(AS_ALLOC(x, sizes[2] * s->d, "screen: prediction sets"));
    AS_CHECK(ensure_psets(s));
    for (int k = 0; k < 3; k++) {
        size_t n = sizes[k];
        r->n_pred[k] = n;
        AS_CHECK(AS_ALLOC(r->pred_alpha[k], n, "screen: predictions"));
        AS_CHECK(AS_ALLOC(r->pred_alpha_com[k], n, "screen: predictions"));
        AS_CHECK(AS_ALLOC(r->pred_mean[k], n, "screen: predictions"));
        AS_CHECK(AS_ALLOC(r->pred_std[k], n, "screen: predictions"));
        /* the ordered and random sets are the ones the rounds used; across alpha is made here */
        const int *kc = k < 2 ? s->pset_cfg[k] : cfg;
        const double *kx = k < 2 ? s->pset_x[k] : x;
        if (k == 2) {
            AS_CHECK(make_set(s, 2, n, cfg));
            for (size_t i = 0; i < n; i++)
                AS_CHECK(as_lattice_fingerprint(s->lat, cfg + i * s->n, s->K, x + i * s->d));
        }
        for (size_t i = 0; i < n; i++) {
            const int *c = kc + i * s->n;
            AS_CHECK(as_lattice_sro(s->lat, c, s->K, s->ptx, 0, &r->pred_alpha[k][i]));
            if (s->K == 3)
                AS_CHECK(as_lattice_sro(s->lat, c, s->K, s->com, 0, &r->pred_alpha_com[k][i]));
            else
                r->pred_alpha_com[k][i] = NAN;
        }
        AS_CHECK(as_gpr_model_predict(model, kx, n, r->pred_mean[k], r->pred_std[k]));
        /* validation: the direct oracle average over the same ordered and random sets */
        if (s->opt.validate > 0 && k < 2) {
            size_t bad;
            double mean, var;
            AS_CHECK(AS_ALLOC(direct, n, "screen: direct"));
            AS_CHECK(label_configs(s, kc, n, direct, &bad));
            mean_var(direct, n, &mean, &var);
            if (k == 0) {
                r->e_order_direct = -mean;
                r->e_order_direct_se = var / (double)n;
            } else {
                r->e_order_direct += mean;
                r->e_order_direct_se = sqrt(r->e_order_direct_se + var / (double)n);
            }
            as_free(direct);
            direct = NULL;
        }
    }
    double vo, vr;
    mean_var(r->pred_mean[0], sizes[0], &r->mean_ordered, &vo);
    mean_var(r->pred_mean[1], sizes[1], &r->mean_random, &vr);
    r->e_order_ev_atom = r->mean_random - r->mean_ordered;
    r->e_order_se = sqrt(vo / (double)sizes[0] + vr / (double)sizes[1]);
    r->corr_alpha_ptx = pearson(r->pred_mean[2], r->pred_alpha[2], sizes[2]);
    r->corr_alpha_com = s->K == 3 ? pearson(r->pred_mean[2], r->pred_alpha_com[2], sizes[2]) : NAN;
    as_acq_interval iv;
    as_acq_calib cal;
    AS_CHECK(calib_of(s, model, &cal));
    r->e_order_var_scale = as_acq_var_scale(cal.rms_z, cal.n);
    AS_CHECK(order_interval(s, model, NULL, 0, 0, r->e_order_var_scale, NULL, NULL, &iv));
    r->e_order_gp_sd = iv.gp_sd;
    r->e_order_ci95 = AS_ACQ_Z95 * sqrt(r->e_order_var_scale * iv.gp_sd * iv.gp_sd +
                                        r->e_order_se * r->e_order_se);
    r->labels_used = s->al.n;
fail:
    as_gpr_model_free(model);
    as_free(cfg);
    as_free(x);
    as_free(direct);
    return st;
}
