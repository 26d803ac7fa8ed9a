/* The campaign of workflow B (seed 004): the host pair and each candidate M screened in order in
 * one store, with the campaign key and resume rules, the oracle of each system, skipping,
 * ranking by ordering energy and the JSON results. See include/alloyscout/campaign.h and
 * docs/campaign.md. The per-system work is as_screen_* (screen.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/campaign.h"
#include "alloyscout/interrupt.h"
#include "alloyscout/json.h"
#include "alloyscout/lattice.h"
#include "core_int.h"

static const char *physics_note =
    "The EAM oracle (Zhou, Johnson & Wadley 2004) is fitted to pure metals; the cross "
    "interactions come from a mixing rule. It reproduces the sign of the PtCo ordering energy but "
    "not the DFT trend across M, and for some M the Pt2CoM cell is not even mechanically stable "
    "with it. Use these rankings to exercise the workflow; decisions need DFT or an alloy-fitted "
    "potential (--oracle meam, ase:gpaw, cmd: or lammps:).";

#define EAM_NAME "eam (Zhou 2004, tabulated for each system's elements)"
#define MAX_ORACLES 8

static const char *const paper_pool[16] = {"Na", "Mg", "Sc", "Ti", "Mn", "Fe", "Ni", "Cu",
                                           "Ga", "Ge", "In", "Sn", "Sb", "Te", "Pb", "Bi"};

const char *const *as_campaign_paper_candidates(size_t *n)
{
    *n = sizeof paper_pool / sizeof *paper_pool;
    return paper_pool;
}

/* One system of the campaign: screened (screen != NULL) or skipped with a reason. */
typedef struct {
    char name[16];
    char m[AS_SYMBOL_MAX];
    as_screen *screen;
    as_oracle *oracle;    /* owned: the per-system Zhou tables of plain "eam"; else NULL */
    size_t ox;            /* index of its oracle in the list */
    char *why;            /* skipped: the reason */
    char not_ranked[640]; /* finished but not ranked (or flagged): the reason */
    int finished;
    as_orr_slab_result *orr; /* the ORR stage's result (as_campaign_orr_run), or NULL */
    char *orr_err;           /* why the ORR stage failed, or NULL */
    int orr_reused;          /* 1: taken from the store */
} campaign_system;

struct as_campaign {
    as_screen_options so;
    char *db;
    int plain_eam;     /* the list's first spec is plain "eam" (as_campaign_oracle_name) */
    as_oracle *oracle; /* the first of the list */
    size_t n_oracles;
    char *spec[MAX_ORACLES];
    as_oracle *oracles[MAX_ORACLES];
    int plain[MAX_ORACLES];
    char *name;  /* as_campaign_oracle_name */
    char *notes; /* as_campaign_notes */
    as_store *store;
    char *key;
    campaign_system *sys; /* (1 + n_candidates): host pair first */
    size_t n_all, n_screened;
    size_t cur, phase; /* next step: system cur, phase 0 setup, 1..rounds, rounds + 1 finish */
    int failed;        /* a step failed: the state of that system is unknown */
    /* --labels: the file's frames, their hash (in the key) and which system each one seeds */
    as_structure **frames;
    size_t n_frames;
    uint64_t labels_hash;
    char *labels_path;
    /* the ranking view */
    as_campaign_ranking_view view;
    const as_screen_result **v_systems, **v_ranked;
    as_campaign_unranked *v_unranked;
    /* the executor (issue 15): one per screened system (NULL: labels in this process), the
     * store's job table as their journal, the context (system, round) of its records */
    as_executor **ex;
    as_store_journal jctx;
    /* the ORR stage: the oracle's description and the options of the last run */
    char *orr_oracle;
    as_orr_slab_options orr_opt;
    campaign_system orr_ref; /* the shell's own (111) face (name, orr, orr_err, orr_reused) */
};

as_campaign_options as_campaign_options_default(void)
{
    as_campaign_options o;
    memset(&o, 0, sizeof o);
    o.screen = as_screen_options_default();
    o.oracle = "eam";
    as_oracle_options_default(&o.oracle_options);
    return o;
}

as_status as_campaign_options_check(const as_campaign_options *o)
{
    if (!o->db || !*o->db)
        return AS_FAIL(AS_EINVAL, "campaign: a store file (--db) is required: it keeps every "
                                  "label");
    if (o->n_candidates == 0 || !o->candidates)
        return AS_FAIL(AS_EINVAL, "campaign: at least one candidate (--candidates) is required");
    if (!o->oracle || !*o->oracle)
        return AS_FAIL(AS_EINVAL, "campaign: no oracle spec");
    for (size_t i = 0; i < 2; i++)
        if (as_lattice_element_z(o->screen.host[i]) <= 0)
            return AS_FAIL(AS_EINVAL, "campaign: host '%s' is not an element symbol",
                           o->screen.host[i]);
    for (size_t i = 0; i < o->n_candidates; i++) {
        const char *m = o->candidates[i];
        if (!m || strlen(m) >= AS_SYMBOL_MAX || as_lattice_element_z(m) <= 0)
            return AS_FAIL(AS_EINVAL, "campaign: candidate '%s' is not an element symbol",
                           m ? m : "(null)");
        if (!strcmp(m, o->screen.host[0]) || !strcmp(m, o->screen.host[1]))
            return AS_FAIL(AS_EINVAL, "campaign: candidate %s is one of the host elements", m);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(o->candidates[j], m))
                return AS_FAIL(AS_EINVAL, "campaign: candidate %s is given twice", m);
    }
    for (size_t q = 0; q < o->n_lattice; q++) {
        const as_campaign_lattice *L = &o->lattice[q];
        char nm[32];
        int ok = 0;
        const int l10 = o->screen.prototype == AS_SCREEN_L10;
        as_screen_system_name(&o->screen, NULL, nm, sizeof nm);
        ok = !strcmp(L->cell, nm);
        for (size_t i = 0; !ok && i < o->n_candidates; i++) {
            as_screen_system_name(&o->screen, o->candidates[i], nm, sizeof nm);
            ok = !strcmp(L->cell, nm);
            snprintf(nm, sizeof nm, "%s%s", o->screen.host[0], o->candidates[i]);
            ok = ok || (l10 && !strcmp(L->cell, nm));
        }
        if (!ok)
            return AS_FAIL(AS_EINVAL,
                           "campaign: --lattice %s: no such cell in this campaign "
                           "(%s)",
                           L->cell,
                           l10 ? "the host pair AB, an A2BM system or an L1_0 AM reference"
                               : "the host pair or a system of the campaign");
        if (!(L->a > 0) || L->c < 0 || !isfinite(L->a) || !isfinite(L->c))
            return AS_FAIL(AS_EINVAL, "campaign: --lattice %s: constants must be > 0", L->cell);
    }
    return as_screen_options_check(&o->screen);
}

void as_campaign_close(as_campaign *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->sys && i < c->n_all; i++) {
        as_screen_free(c->sys[i].screen);
        as_oracle_free(c->sys[i].oracle);
        as_free(c->sys[i].why);
        as_free(c->sys[i].orr);
        as_free(c->sys[i].orr_err);
    }
    as_free(c->orr_oracle);
    as_free(c->orr_ref.orr);
    as_free(c->orr_ref.orr_err);
    for (size_t i = 0; c->ex && i < c->n_all; i++)
        as_executor_free(c->ex[i]);
    as_free(c->ex);
    as_free(c->sys);
    as_structures_free(c->frames, c->n_frames);
    as_free(c->labels_path);
    as_free(c->v_systems);
    as_free(c->v_ranked);
    as_free(c->v_unranked);
    as_store_close(c->store);
    for (size_t k = 0; k < c->n_oracles; k++) {
        as_oracle_free(c->oracles[k]);
        as_free(c->spec[k]);
    }
    as_free(c->name);
    as_free(c->notes);
    as_free(c->key);
    as_free(c->db);
    as_free(c);
}

/* The text that identifies a campaign: a resumed run must match it. */
static as_status campaign_key(const as_campaign_options *o, const as_campaign *c, char **out)
{
    const as_screen_options *s = &o->screen;
    size_t len = 1;
    for (size_t i = 0; i < o->n_candidates; i++)
        len += strlen(o->candidates[i]) + 1;
    /* the oracles (one: its description, as before lists existed) and the given lattices */
    size_t olen = 1;
    for (size_t k = 0; k < c->n_oracles; k++)
        olen += strlen(as_oracle_describe(c->oracles[k])) + 3;
    olen += o->n_lattice * 80;
    char *odesc = NULL;
    AS_TRY(AS_ALLOC(odesc, olen, "campaign: key"));
    for (size_t k = 0; k < c->n_oracles; k++) {
        if (k)
            strcat(odesc, " | ");
        strcat(odesc, as_oracle_describe(c->oracles[k]));
    }
    for (size_t i = 0; i < o->n_lattice; i++) {
        size_t L = strlen(odesc);
        snprintf(odesc + L, olen - L, "%slattice %s=%.17g,%.17g", i ? " " : " ", o->lattice[i].cell,
                 o->lattice[i].a, o->lattice[i].c > 0 ? o->lattice[i].c : o->lattice[i].a);
    }
    char *cand = NULL;
    as_status st0 = AS_ALLOC(cand, len, "campaign: key");
    if (st0 != AS_OK) {
        as_free(odesc);
        return st0;
    }
    for (size_t i = 0; i < o->n_candidates; i++) {
        if (i)
            strcat(cand, ",");
        strcat(cand, o->candidates[i]);
    }
    const char *fmt = "host=%s,%s candidates=%s oracle=%s seed=%llu size=%zu rounds=%zu "
                      "chains=%zu steps=%zu per_round=%zu test=%.17g sets=%zu/%zu/%zu "
                      "validate=%zu random=%d pca=%.17g restarts=%zu noise=%d fmax=%.17g "
                      "rmsd_max=%.17g acquire=%s target_ci=%.17g";
#define KEY_ARGS                                                                              \
    s->host[0], s->host[1], cand, odesc, (unsigned long long)s->seed, s->size, s->rounds,     \
        s->chains, s->chain_steps, s->per_round, s->test_fraction, s->n_ordered, s->n_random, \
        s->n_across, s->validate, s->random_baseline, s->pca_fraction, s->gp_restarts,        \
        s->gp_noise, s->fmax, s->rmsd_max, as_acquire_name(s->acquire), s->target_ci
    /* the prototype, composition and --labels: only when not the defaults, so that the key of
     * an l10 campaign without labels is what it always was */
    char extra[1400] = "";
    if (s->prototype != AS_SCREEN_L10 || s->composition[0] + s->composition[1] > 0)
        snprintf(extra, sizeof extra, " prototype=%s composition=%.17g,%.17g,%.17g",
                 as_screen_proto_name(s->prototype), s->composition[0], s->composition[1],
                 s->composition[2]);
    if (o->labels) {
        size_t L = strlen(extra);
        snprintf(extra + L, sizeof extra - L, " labels=%.1000s#%016llx", o->labels,
                 (unsigned long long)c->labels_hash);
    }
    int n = snprintf(NULL, 0, fmt, KEY_ARGS);
    as_status st = n < 0 ? AS_FAIL(AS_EINVAL, "campaign: key")
                         : AS_ALLOC(*out, (size_t)n + strlen(extra) + 1, "campaign: key");
    if (st == AS_OK) {
        snprintf(*out, (size_t)n + 1, fmt, KEY_ARGS);
        strcat(*out, extra);
    }
#undef KEY_ARGS
    as_free(cand);
    as_free(odesc);
    return st;
}

/* ---- campaign growth: which differences from the stored campaign are allowed ----
 * The key is "name=value" fields in a fixed order (campaign_key); a value may hold spaces and
 * "=" (the oracle description), so a field ends where the next known field starts. Fields marked
 * `keep` decide the labels themselves or which structures are labels (the host, the oracle and
 * given lattices, the seed, the cell size, the relaxation and its RMSD limit): a change is
 * refused. The candidates may grow (the stored ones must all be kept); every other field (rounds,
 * chains, ... ) may change: each system replays its streams from the same seed and the label
 * store returns every finished label. */
static const struct {
    const char *field, *option;
    int keep;
} key_fields[] = {
    {"host", "--host", 1},
    {"candidates", "--candidates", 0},
    {"oracle", "--oracle (or --lattice)", 1},
    {"seed", "--seed", 1},
    {"size", "--size", 1},
    {"rounds", "--rounds", 0},
    {"chains", "--chains", 0},
    {"steps", "--steps", 0},
    {"per_round", "--per-round", 0},
    {"test", "--test-fraction", 0},
    {"sets", "--n-ordered/--n-random/--n-across", 0},
    {"validate", "--validate", 0},
    {"random", "--no-random-baseline", 0},
    {"pca", "--pca", 0},
    {"restarts", "--restarts", 0},
    {"noise", "--no-gp-noise", 0},
    {"fmax", "--fmax", 1},
    {"rmsd_max", "--rmsd-max", 1},
    {"acquire", "--acquire", 0},
    {"target_ci", "--target-ci", 0},
    /* present only when not the defaults (an l10 campaign without --labels has none) */
    {"prototype", "--prototype", 1},
    {"composition", "--composition", 1},
    {"labels", "--labels", 1},
};
#define N_KEY_FIELDS (sizeof key_fields / sizeof *key_fields)

/* Split a key into the values of key_fields (start and length; length 0 and start NULL when the
 * field is absent). */
static void key_split(const char *key, const char *val[N_KEY_FIELDS], size_t len[N_KEY_FIELDS])
{
    const char *at[N_KEY_FIELDS];
    const char *from = key;
    for (size_t i = 0; i < N_KEY_FIELDS; i++) {
        char pat[40];
        snprintf(pat, sizeof pat, "%s%s=", i ? " " : "", key_fields[i].field);
        const char *q = i ? strstr(from, pat) : (!strncmp(key, pat, strlen(pat)) ? key : NULL);
        at[i] = q;
        val[i] = q ? q + strlen(pat) : NULL;
        if (q)
            from = val[i];
    }
    for (size_t i = 0; i < N_KEY_FIELDS; i++) {
        len[i] = 0;
        if (!val[i])
            continue;
        const char *end = val[i] + strlen(val[i]);
        for (size_t j = i + 1; j < N_KEY_FIELDS; j++)
            if (at[j]) {
                end = at[j];
                break;
            }
        len[i] = (size_t)(end - val[i]);
    }
}

/* A key value for a message: numbers with %g, text as it is (cut at 300 bytes). */
static void key_value_text(const char *v, size_t n, char *out, size_t cap)
{
    char buf[320];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 300 ? n : 300), v ? v : "");
    char *end;
    double d = strtod(buf, &end);
    if (end != buf && *end == '\0' && strchr(buf, '.'))
        snprintf(out, cap, "%g", d);
    else
        snprintf(out, cap, "%s", buf);
}

/* Is every candidate of the stored list (a,b,c) in the new one? On 0, *missing names one. */
static int candidates_kept(const char *old, size_t n_old, const char *now, size_t n_now,
                           char *missing, size_t cap)
{
    const char *p = old, *end = old + n_old;
    while (p < end) {
        const char *e = memchr(p, ',', (size_t)(end - p));
        size_t L = e ? (size_t)(e - p) : (size_t)(end - p);
        int found = 0;
        for (const char *q = now, *qe = now + n_now; q < qe && !found;) {
            const char *f = memchr(q, ',', (size_t)(qe - q));
            size_t M = f ? (size_t)(f - q) : (size_t)(qe - q);
            found = M == L && !strncmp(p, q, L);
            q = f ? f + 1 : qe;
        }
        if (!found) {
            snprintf(missing, cap, "%.*s", (int)L, p);
            return 0;
        }
        p = e ? e + 1 : end;
    }
    return 1;
}

/* The store must hold no campaign, or this one (or one it grows) with resume (*registered = 1
 * when the stored key is this one's). */
static as_status check_store(as_campaign *c, int resume, int existed, int *registered)
{
    char *old = NULL;
    as_status st = AS_OK;
    *registered = 0;
    AS_TRY(as_store_meta_get(c->store, "campaign", &old));
    if (old && strcmp(old, c->key) != 0) {
        const char *ov[N_KEY_FIELDS], *nv[N_KEY_FIELDS];
        size_t ol[N_KEY_FIELDS], nl[N_KEY_FIELDS];
        key_split(old, ov, ol);
        key_split(c->key, nv, nl);
        char grown[1024] = "", a[320], b[320];
        for (size_t i = 0; i < N_KEY_FIELDS && st == AS_OK; i++) {
            if (ol[i] == nl[i] && (!ol[i] || !strncmp(ov[i], nv[i], ol[i])))
                continue;
            key_value_text(ov[i], ol[i], a, sizeof a);
            key_value_text(nv[i], nl[i], b, sizeof b);
            char missing[AS_SYMBOL_MAX + 8];
            if (key_fields[i].keep || !ov[i] || !nv[i])
                st = AS_FAIL(AS_EINVAL,
                             "%s holds another campaign: %s differs (stored %s=%s, this run "
                             "%s=%s); its labels are not labels of this campaign: use another "
                             "--db, or the same %s",
                             c->db, key_fields[i].option, key_fields[i].field, a,
                             key_fields[i].field, b, key_fields[i].option);
            else if (i == 1 &&
                     !candidates_kept(ov[i], ol[i], nv[i], nl[i], missing, sizeof missing))
                st = AS_FAIL(AS_EINVAL,
                             "%s holds another campaign: --candidates %s leaves out %s of the "
                             "stored candidates=%s; a campaign grows (more candidates, more "
                             "rounds) but does not shrink: keep %s, or use another --db",
                             c->db, b, missing, a, missing);
            else {
                size_t L = strlen(grown);
                snprintf(grown + L, sizeof grown - L, "%s%s %s -> %s", L ? "; " : "",
                         key_fields[i].option, a, b);
            }
        }
        if (st == AS_OK && !resume)
            st = AS_FAIL(AS_EINVAL,
                         "%s holds a campaign this run extends (%s): pass --resume to grow it "
                         "(every finished label is reused), or choose another --db",
                         c->db, grown);
        else if (st == AS_OK)
            as_log(AS_LOG_INFO, "%s: growing the campaign (%s); every finished label is reused",
                   c->db, grown);
    } else if (old && !resume)
        st = AS_FAIL(AS_EINVAL,
                     "%s already holds this campaign: pass --resume to continue it, "
                     "or choose another --db",
                     c->db);
    else if (old)
        *registered = 1;
    else if (resume && existed)
        as_log(AS_LOG_INFO, "%s holds no campaign yet; starting one", c->db);
    as_free(old);
    return st;
}

static void sys_name(const as_screen_options *so, const char *m, char *buf, size_t cap)
{
    as_screen_system_name(so, m, buf, cap);
}

/* Skip system y: warn, and keep the reason for the ranking. */
static as_status skip(campaign_system *y, const char *m, const char *fmt, ...) AS_PRINTF(3, 4);
static as_status skip(campaign_system *y, const char *m, const char *fmt, ...)
{
    char why[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    as_log(AS_LOG_WARN, "skipping %s: %s", m, why);
    y->why = as_strdup(why);
    return y->why ? AS_OK : AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
}

/* Does oracle k cover these elements (all at once: meam needs every pair)? On 0, why gets the
 * reason. */
static int covers(const as_campaign *c, size_t k, const char *const *el, size_t n, char *why,
                  size_t cap)
{
    for (size_t i = 0; i < n; i++)
        if (!as_oracle_supports(c->oracles[k], el[i])) {
            if (c->plain[k])
                snprintf(why, cap, "the eam oracle covers only %s (Zhou 2004)",
                         as_oracle_elements(c->oracles[k]));
            else
                snprintf(why, cap, "the oracle %s cannot treat %s; it supports: %s", c->spec[k],
                         el[i], as_oracle_elements(c->oracles[k]));
            return 0;
        }
    return as_oracle_supports_system(c->oracles[k], el, n, why, cap);
}

/* Prepare system i (0: the host pair): its oracle (the first of the list that covers its
 * elements) and screen, or a skip with the reason. With the plain "eam" oracle each system gets
 * the Zhou tables of its own elements ("eam:Pt,Co,M"), the setfl file LAMMPS's generator would
 * write for it. */
static as_status prepare(as_campaign *c, const as_campaign_options *o, size_t i)
{
    campaign_system *y = &c->sys[i];
    const char *m = i == 0 ? NULL : o->candidates[i - 1];
    sys_name(&c->so, m, y->name, sizeof y->name);
    snprintf(y->m, sizeof y->m, "%s", m ? m : "");
    const char *el[3] = {c->so.host[0], c->so.host[1], m};
    size_t nel = m ? 3 : 2, k;
    char why[MAX_ORACLES][400];
    for (k = 0; k < c->n_oracles; k++)
        if (covers(c, k, el, nel, why[k], sizeof why[k]))
            break;
    if (k == c->n_oracles) {
        char all[1600] = "";
        for (size_t q = 0; q < c->n_oracles; q++) {
            size_t L = strlen(all);
            snprintf(all + L, sizeof all - L, "%s%.399s", q ? "; " : "", why[q]);
        }
        return skip(y, m ? m : y->name,
                    "not covered by %s: %s; try --oracle ase:gpaw (DFT-PBE, "
                    "every element with a PAW setup)",
                    o->oracle, all);
    }
    y->ox = k;
    as_oracle *use = c->oracles[k];
    if (c->plain[k]) {
        char spec[64];
        snprintf(spec, sizeof spec, "eam:%s,%s%s%s", c->so.host[0], c->so.host[1], m ? "," : "",
                 m ? m : "");
        AS_TRY(as_oracle_create(spec, &o->oracle_options, &y->oracle));
        use = y->oracle;
    }
    as_status st = as_screen_create(&c->so, m, use, c->store, &y->screen);
    if (st == AS_EINVAL && m) {
        as_oracle_free(y->oracle);
        y->oracle = NULL;
        return skip(y, m, "%s", as_errmsg());
    }
    if (st != AS_OK)
        return st;
    /* given lattice constants: those naming one of this system's cells */
    char ptco[16], ptm[16];
    snprintf(ptco, sizeof ptco, "%s%s", c->so.host[0], c->so.host[1]);
    snprintf(ptm, sizeof ptm, "%s%s", c->so.host[0], m ? m : c->so.host[1]);
    const int l10 = c->so.prototype == AS_SCREEN_L10;
    for (size_t q = 0; q < o->n_lattice; q++) {
        const as_campaign_lattice *L = &o->lattice[q];
        if (!strcmp(L->cell, y->name) ||
            (l10 && (!strcmp(L->cell, ptco) || (m && !strcmp(L->cell, ptm)))))
            AS_TRY(as_screen_set_lattice(y->screen, L->cell, L->a, L->c));
    }
    c->n_screened++;
    return AS_OK;
}

/* With a slurm executor: one executor per screened system, on its oracle (the spec the nodes
 * run; plain "eam" is the system's own Zhou tables), all journaling into the store's job table
 * and re-attaching to the jobs it holds. */
static as_status attach_executors(as_campaign *c, const as_campaign_options *o)
{
    if (!o->executor || !o->executor->backend || !strcmp(o->executor->backend, "local"))
        return AS_OK;
    as_executor_options eo = *o->executor;
    char *wd = NULL;
    as_job_record *known = NULL;
    size_t n_known = 0;
    as_status st = AS_OK;
    if (!eo.workdir || !*eo.workdir) {
        size_t L = strlen(c->db) + 8;
        AS_TRY(AS_ALLOC(wd, L, "campaign: work directory"));
        snprintf(wd, L, "%s.jobs", c->db);
        eo.workdir = wd;
    }
    AS_CHECK(as_store_job_records(c->store, &known, &n_known));
    c->jctx.store = c->store;
    c->jctx.system = "";
    c->jctx.round = AS_JOB_ROUND_SETUP;
    eo.journal = as_store_journal_write;
    eo.journal_user = &c->jctx;
    eo.known = known;
    eo.n_known = n_known;
    AS_CHECK(AS_ALLOC(c->ex, c->n_all, "campaign: executors"));
    for (size_t i = 0; i < c->n_all; i++) {
        campaign_system *y = &c->sys[i];
        if (!y->screen)
            continue;
        char spec[64];
        const char *sp = c->spec[y->ox];
        as_oracle *use = y->oracle ? y->oracle : c->oracles[y->ox];
        if (y->oracle) { /* plain eam: the tables of this system's elements (prepare) */
            snprintf(spec, sizeof spec, "eam:%s,%s%s%s", c->so.host[0], c->so.host[1],
                     y->m[0] ? "," : "", y->m);
            sp = spec;
        }
        AS_CHECK(as_executor_create(sp, use, &eo, &c->ex[i]));
        as_screen_set_executor(y->screen, c->ex[i]);
    }
fail:
    as_free(known);
    as_free(wd);
    return st;
}

as_executor *as_campaign_executor(as_campaign *c, size_t i)
{
    for (size_t slot = 0, k = 0; c->ex && slot < c->n_all; slot++)
        if (c->sys[slot].screen && k++ == i)
            return c->ex[slot];
    return NULL;
}

/* Does t start a new oracle spec of a list? */
static int starts_spec(const char *t)
{
    static const char *const heads[] = {"eam-analytic", "eam", "meam"};
    for (size_t i = 0; i < 3; i++) {
        size_t L = strlen(heads[i]);
        if (!strncmp(t, heads[i], L) && (t[L] == '\0' || t[L] == ',' || t[L] == ':'))
            return 1;
    }
    return !strncmp(t, "lammps:", 7) || !strncmp(t, "cmd:", 4) || !strncmp(t, "ase:", 4);
}

/* Split the oracle list and create each oracle once. */
static as_status make_oracles(as_campaign *c, const as_campaign_options *o)
{
    const char *p = o->oracle;
    while (*p) {
        const char *e = p;
        for (;;) {
            e = strchr(e, ',');
            if (!e || starts_spec(e + 1))
                break;
            e++;
        }
        size_t L = e ? (size_t)(e - p) : strlen(p);
        if (L == 0)
            return AS_FAIL(AS_EINVAL, "campaign: empty item in the oracle list '%s'", o->oracle);
        if (c->n_oracles == MAX_ORACLES)
            return AS_FAIL(AS_EINVAL, "campaign: at most %d oracles in a list", MAX_ORACLES);
        char *spec = as_malloc(L + 1);
        if (!spec)
            return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
        memcpy(spec, p, L);
        spec[L] = '\0';
        size_t k = c->n_oracles++;
        c->spec[k] = spec;
        c->plain[k] = !strcmp(spec, "eam");
        AS_TRY(as_oracle_create(spec, &o->oracle_options, &c->oracles[k]));
        p = e ? e + 1 : p + L;
    }
    if (c->n_oracles == 0)
        return AS_FAIL(AS_EINVAL, "campaign: no oracle spec");
    c->oracle = c->oracles[0];
    return AS_OK;
}

/* The reader's name of the oracle(s) and the notes of those in use. */
static as_status make_names(as_campaign *c)
{
    size_t cap = 256;
    for (size_t k = 0; k < c->n_oracles; k++)
        cap += strlen(as_oracle_describe(c->oracles[k])) + strlen(c->spec[k]) + 64;
    c->name = as_malloc(cap);
    c->notes = as_malloc(strlen(physics_note) + 8);
    if (!c->name || !c->notes)
        return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
    c->name[0] = c->notes[0] = '\0';
    for (size_t k = 0; k < c->n_oracles; k++) {
        size_t L = strlen(c->name);
        snprintf(c->name + L, cap - L, "%s%s", k ? ", else " : "",
                 c->plain[k] ? EAM_NAME : as_oracle_describe(c->oracles[k]));
    }
    int eam_used = 0;
    for (size_t i = 0; i < c->n_all; i++)
        if (c->sys[i].screen && !strncmp(c->spec[c->sys[i].ox], "eam", 3) &&
            strncmp(as_oracle_describe(c->oracles[c->sys[i].ox]), "eam:setfl", 9))
            eam_used = 1;
    if (eam_used)
        strcpy(c->notes, physics_note);
    return AS_OK;
}

/* --labels: read the file and hash what it holds (cells, species, positions, energies). */
static as_status read_labels(as_campaign *c, const char *path)
{
    AS_TRY(as_extxyz_read(path, &c->frames, &c->n_frames));
    uint64_t h = AS_HASH64_INIT;
    for (size_t f = 0; f < c->n_frames; f++) {
        uint64_t k = as_label_key(c->frames[f], "labels");
        double e = c->frames[f]->has_energy ? c->frames[f]->energy : NAN;
        h = as_hash64(h, &k, sizeof k);
        h = as_hash64(h, &e, sizeof e);
    }
    c->labels_hash = h;
    return AS_OK;
}

/* Give each frame of --labels to the system of its species (the host pair, or the host pair
 * and one candidate); a frame of no system, or of a skipped one, is refused. */
static as_status seed_systems(as_campaign *c, const char *path)
{
    size_t *idx = NULL, *owner = NULL;
    as_structure **sub = NULL;
    as_status st = AS_OK;
    AS_CHECK(AS_ALLOC(idx, c->n_frames, "campaign: labels"));
    AS_CHECK(AS_ALLOC(owner, c->n_frames, "campaign: labels"));
    AS_CHECK(AS_ALLOC(sub, c->n_frames, "campaign: labels"));
    for (size_t f = 0; f < c->n_frames; f++) {
        const as_structure *fr = c->frames[f];
        char list[256] = "";
        int has_a = 0, has_b = 0;
        size_t n_other = 0, other = 0;
        for (size_t p = 0; p < fr->n_symbols; p++) {
            size_t cnt = 0;
            for (size_t i = 0; i < fr->n; i++)
                cnt += fr->species[i] == (int)p;
            if (!cnt)
                continue;
            size_t L = strlen(list);
            snprintf(list + L, sizeof list - L, "%s%s", L ? "," : "", fr->symbols[p]);
            if (!strcmp(fr->symbols[p], c->so.host[0]))
                has_a = 1;
            else if (!strcmp(fr->symbols[p], c->so.host[1]))
                has_b = 1;
            else
                n_other++, other = p;
        }
        size_t sys = c->n_all;
        if (has_a && has_b && n_other == 0)
            sys = 0;
        for (size_t i = 1; has_a && has_b && n_other == 1 && i < c->n_all; i++)
            if (!strcmp(c->sys[i].m, fr->symbols[other]))
                sys = i;
        if (sys == c->n_all) {
            st = AS_FAIL(AS_EINVAL,
                         "%s:frame %zu: species %s match no system of this campaign (the "
                         "host %s,%s alone or with one candidate)",
                         path, f + 1, list, c->so.host[0], c->so.host[1]);
            goto fail;
        }
        if (!c->sys[sys].screen) {
            st = AS_FAIL(AS_EINVAL, "%s:frame %zu: its system %s is skipped (%s)", path, f + 1,
                         c->sys[sys].name, c->sys[sys].why ? c->sys[sys].why : "");
            goto fail;
        }
        owner[f] = sys;
    }
    for (size_t i = 0; i < c->n_all; i++) {
        size_t n = 0;
        for (size_t f = 0; f < c->n_frames; f++)
            if (owner[f] == i) {
                idx[n] = f;
                sub[n++] = c->frames[f];
            }
        if (n)
            AS_CHECK(as_screen_seed(c->sys[i].screen, sub, idx, n, path));
    }
fail:
    as_free(idx);
    as_free(owner);
    as_free(sub);
    return st;
}

as_status as_campaign_open(const as_campaign_options *opt, as_campaign **out)
{
    *out = NULL;
    AS_TRY(as_campaign_options_check(opt));
    as_campaign *c = as_calloc(1, sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
    as_status st;
    c->so = opt->screen;
    c->n_all = 1 + opt->n_candidates;
    c->db = as_strdup(opt->db);
    if (!c->db) {
        st = AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
        goto fail;
    }
    AS_CHECK(AS_ALLOC(c->sys, c->n_all, "campaign: systems"));
    AS_CHECK(make_oracles(c, opt));
    c->plain_eam = c->plain[0];
    if (opt->labels) {
        AS_CHECK(read_labels(c, opt->labels));
        if (!(c->labels_path = as_strdup(opt->labels))) {
            st = AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
            goto fail;
        }
    }
    AS_CHECK(campaign_key(opt, c, &c->key));
    int existed = access(opt->db, F_OK) == 0;
    AS_CHECK(as_store_open(opt->db, &c->store));
    as_store_set_e_atom_max(c->store, opt->oracle_options.e_atom_max_ev);
    int registered;
    AS_CHECK(check_store(c, opt->resume, existed, &registered));
    for (size_t i = 0; i < c->n_all; i++)
        AS_CHECK(prepare(c, opt, i));
    if (opt->labels && (st = seed_systems(c, opt->labels)) != AS_OK) {
        /* a refused --labels file leaves no new store behind */
        if (!existed) {
            char *db = as_strdup(opt->db), side[4096];
            as_store_close(c->store);
            c->store = NULL;
            for (int k = 0; db && k < 3; k++) {
                snprintf(side, sizeof side, "%s%s", db, k == 0 ? "" : k == 1 ? "-wal" : "-shm");
                unlink(side);
            }
            as_free(db);
        }
        goto fail;
    }
    AS_CHECK(make_names(c));
    AS_CHECK(attach_executors(c, opt));
    /* registered once every system is prepared, so a failed open leaves the store as it was */
    if (!registered)
        AS_CHECK(as_store_meta_set(c->store, "campaign", c->key));
    while (c->cur < c->n_all && !c->sys[c->cur].screen)
        c->cur++;
    *out = c;
    return AS_OK;
fail:
    as_campaign_close(c);
    return st;
}

size_t as_campaign_n_systems(const as_campaign *c) { return c->n_screened; }

/* The k-th screened system (skipped ones left out). */
static campaign_system *screened(const as_campaign *c, size_t k, size_t *slot)
{
    for (size_t i = 0; i < c->n_all; i++)
        if (c->sys[i].screen && k-- == 0) {
            if (slot)
                *slot = i;
            return &c->sys[i];
        }
    return NULL;
}

const as_screen_result *as_campaign_result(const as_campaign *c, size_t i)
{
    campaign_system *y = screened(c, i, NULL);
    return y ? as_screen_get_result(y->screen) : NULL;
}

int as_campaign_done(const as_campaign *c) { return c->cur >= c->n_all; }

/* ---- records and JSON ---- */

static as_status round_json(const as_screen_round_info *ri, as_json **out)
{
    as_json *j = as_json_object();
    as_status st = AS_OK;
    *out = j;
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
/* clang-format off */
#define N(k, v) if (st == AS_OK) st = as_json_set_num(j, k, v);
    N("n_train", (double)ri->n_train) N("n_test", (double)ri->n_test) N("mae", ri->mae)
    N("r2", ri->r2) N("mae_random", ri->mae_random) N("r2_random", ri->r2_random)
    N("val_mae", ri->val_mae) N("val_mae_random", ri->val_mae_random) N("lml", ri->lml)
    N("c2", ri->c2) N("length_scale", ri->length) N("noise", ri->noise)
    N("pca_components", (double)ri->pca_dim) N("max_sigma_picked", ri->max_sigma)
    N("cal_n", (double)ri->cal_n) N("cal_cover_1sigma", ri->cal_cover1)
    N("cal_cover_2sigma", ri->cal_cover2) N("cal_nll", ri->cal_nll)
    N("cal_mean_z", ri->cal_mean_z) N("cal_rms_z", ri->cal_rms_z)
    N("ordering_energy_ev_atom", ri->e_order) N("ordering_energy_gp_sd", ri->e_order_gp_sd)
    N("ordering_energy_se", ri->e_order_se) N("ordering_energy_ci95", ri->e_order_ci95)
    N("ordering_energy_var_scale", ri->e_order_var_scale)
#undef N
        /* clang-format on */
        if (st == AS_OK) st = as_json_set_bool(j, "target_reached", ri->target_reached);
    if (st == AS_OK && ri->picked)
        st = as_json_set_str(j, "picked", ri->picked);
    return st;
}

/* A new empty object set as obj[key]. */
static as_status child(as_json *obj, const char *key, as_json **out)
{
    *out = as_json_object();
    if (!*out)
        return AS_FAIL(AS_ENOMEM, "json");
    return as_json_set_child(obj, key, *out);
}

static as_status system_json(const as_screen_result *r, const as_screen_options *so, int with_sets,
                             const as_campaign_system_info *info, as_json **out)
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
    AS_CHECK(as_json_set_str(j, "verdict", as_screen_verdict_name(r->verdict)));
    if (info) {
        AS_CHECK(as_json_set_str(j, "status", info->status));
        if (info->reason[0])
            AS_CHECK(as_json_set_str(j, "reason", info->reason));
        AS_CHECK(as_json_set_str(j, "oracle", info->oracle));
        AS_CHECK(as_json_set_str(j, "oracle_good_for", info->good_for));
        AS_CHECK(as_json_set_bool(j, "fallback", info->fallback));
    }
    if (r->first_error[0])
        AS_CHECK(as_json_set_str(j, "first_error", r->first_error));
/* clang-format off */
#define N(k, v) AS_CHECK(as_json_set_num(j, k, v));
    N("n_start_failed", (double)r->n_start_failed) N("n_rmsd_lost", (double)r->n_rmsd_lost)
    N("n_topology_lost", (double)r->n_topology_lost)
    N("a_ang", r->a_ang) N("c_ang", r->c_ang) N("e_ordered_ev_atom", r->e_ordered_ev_atom)
    N("segregation_ev_atom", r->e_seg_ev_atom) N("a_host_ang", r->a_host_ang)
    N("c_host_ang", r->c_host_ang) N("a_am_ang", r->a_am_ang) N("n_start", (double)r->n_start)
    N("n_seeded", (double)r->n_seeded) N("alpha_lo", r->alpha_lo) N("alpha_hi", r->alpha_hi)
    N("n_unstable", (double)r->n_unstable) N("rmsd_max_ang", r->rmsd_max_seen)
    N("rmsd_mean_ang", r->rmsd_mean) N("rmsd_paper_mean_ang", r->rmsd_paper_mean)
    N("n_labels", (double)r->n_labels) N("n_failed", (double)r->n_failed)
    N("ordering_energy_ev_atom", r->e_order_ev_atom) N("ordering_energy_se", r->e_order_se)
    N("mean_ordered_ev_atom", r->mean_ordered) N("mean_random_ev_atom", r->mean_random)
    N("corr_energy_alpha_a_x", r->corr_alpha_ptx) N("corr_energy_alpha_b_m", r->corr_alpha_com)
    N("final_mae_ev_atom", r->final_mae) N("final_r2", r->final_r2)
    N("validation_mae_ev_atom", r->val_mae)
    N("ordering_energy_direct_ev_atom", r->e_order_direct)
    N("ordering_energy_direct_se", r->e_order_direct_se)
    N("ordering_energy_gp_sd", r->e_order_gp_sd) N("ordering_energy_ci95", r->e_order_ci95)
    N("ordering_energy_var_scale", r->e_order_var_scale)
    N("labels_used", (double)r->labels_used) N("target_ci_ev_atom", so->target_ci)
    N("rounds_done", (double)r->rounds_done)
#undef N
        /* clang-format on */
        AS_CHECK(as_json_set_str(j, "acquire", as_acquire_name(so->acquire)));
    if (r->stable)
        AS_CHECK(as_json_set_str(j, "stop_reason", r->stop_reason));
    arr = as_json_array();
    if (!arr) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_child(j, "rounds", arr));
    for (size_t i = 0; i < so->rounds && i < r->rounds_done; i++) {
        as_json *rj;
        AS_CHECK(round_json(&r->round[i], &rj));
        AS_CHECK(as_json_push(arr, rj));
    }
    if (with_sets && r->stable) {
        static const char *names[3] = {"ordered", "random", "across"};
        as_json *sets, *par;
        AS_CHECK(child(j, "predictions", &sets));
        for (int k = 0; k < 3; k++) {
            as_json *sj;
            AS_CHECK(child(sets, names[k], &sj));
            AS_CHECK(as_json_set_doubles(sj, "alpha_a_x", r->pred_alpha[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "alpha_b_m", r->pred_alpha_com[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "mean_ev_atom", r->pred_mean[k], r->n_pred[k]));
            AS_CHECK(as_json_set_doubles(sj, "std_ev_atom", r->pred_std[k], r->n_pred[k]));
        }
        AS_CHECK(child(j, "parity_test", &par));
        AS_CHECK(as_json_set_doubles(par, "oracle_ev_atom", r->test_true, r->n_test_final));
        AS_CHECK(as_json_set_doubles(par, "predicted_ev_atom", r->test_pred, r->n_test_final));
    }
    *out = j;
    return AS_OK;
fail:
    as_json_free(j);
    return st;
}

/* Write j (freed here) as the record (system, round) of the store. */
static as_status put_json(as_store *store, const char *system, size_t round, as_json *j)
{
    char *text = as_json_print(j);
    as_json_free(j);
    if (!text)
        return AS_FAIL(AS_ENOMEM, "json");
    as_status st = as_store_record_put(store, system, round, text);
    as_free(text);
    return st;
}

/* ---- steps ---- */

static as_status step(as_campaign *c, as_campaign_event *ev)
{
    campaign_system *y = &c->sys[c->cur];
    as_screen *s = y->screen;
    const as_screen_result *r = as_screen_get_result(s);
    const size_t rounds = c->so.rounds, per_sys = rounds + 2;
    as_json *j;
    ev->system = 0;
    for (size_t i = 0; i < c->cur; i++)
        ev->system += c->sys[i].screen != NULL;
    ev->result = r;
    ev->steps_total = c->n_all * per_sys;
    c->jctx.system = r->name; /* the records of this step's cluster jobs */
    c->jctx.round = c->phase == 0        ? AS_JOB_ROUND_SETUP
                    : c->phase <= rounds ? (long)(c->phase - 1)
                                         : AS_JOB_ROUND_FINISH;
    if (c->phase == 0) {
        as_log(AS_LOG_INFO, "%s: lattice constants, references and the 22 starting structures",
               r->name);
        AS_TRY(as_screen_setup(s));
        if (r->verdict == AS_VERDICT_OK || r->verdict == AS_VERDICT_UNSTABLE)
            as_log(AS_LOG_INFO,
                   "%s: a = %.4f, c = %.4f A (%s; %zu oracle calls for lattice "
                   "constants in this run); %s",
                   r->name, r->a_ang, r->c_ang, r->lattice_source[0] ? r->lattice_source : "-",
                   r->cell_calls, as_screen_verdict_name(r->verdict));
        ev->kind = AS_CAMPAIGN_SETUP;
        c->phase = r->stable && rounds ? 1 : rounds + 1;
        ev->steps_done = c->cur * per_sys + 1;
    } else if (c->phase <= rounds) {
        size_t k = c->phase - 1;
        AS_TRY(as_screen_round(s, k));
        AS_TRY(round_json(&r->round[k], &j));
        AS_TRY(put_json(c->store, r->name, k, j));
        as_log(AS_LOG_INFO,
               "%s: round %zu/%zu: %zu training labels, test MAE %.4f eV/atom "
               "(random selection %.4f), R^2 %.3f",
               r->name, k + 1, rounds, r->round[k].n_train, r->round[k].mae, r->round[k].mae_random,
               r->round[k].r2);
        if (r->round[k].target_reached)
            as_log(AS_LOG_INFO,
                   "%s: the ordering energy %.5f +- %.5f eV/atom (95 %%) meets the "
                   "target +-%g with %zu labels: no more rounds",
                   r->name, r->round[k].e_order, r->round[k].e_order_ci95, c->so.target_ci,
                   r->round[k].n_train + r->round[k].n_test);
        ev->kind = AS_CAMPAIGN_ROUND;
        ev->round = k;
        c->phase =
            r->stable && k + 1 < rounds && !r->round[k].target_reached ? c->phase + 1 : rounds + 1;
        ev->steps_done = c->cur * per_sys + 2 + k;
    } else {
        AS_TRY(as_screen_finish(s));
        AS_TRY(system_json(r, &c->so, 0, NULL, &j));
        AS_TRY(put_json(c->store, r->name, (size_t)-1, j));
        ev->kind = AS_CAMPAIGN_FINISH;
        y->finished = 1;
        c->phase = 0;
        do
            c->cur++;
        while (c->cur < c->n_all && !c->sys[c->cur].screen);
        ev->steps_done = as_campaign_done(c) ? ev->steps_total : c->cur * per_sys;
    }
    return AS_OK;
}

as_status as_campaign_step(as_campaign *c, as_campaign_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (c->failed)
        return AS_FAIL(AS_EINVAL, "campaign: a step failed before; close the campaign and open "
                                  "it again with resume");
    if (as_campaign_done(c))
        return AS_FAIL(AS_EINVAL, "campaign: every system is finished");
    as_status st = step(c, ev);
    c->failed = st != AS_OK;
    return st;
}

/* ---- ranking ---- */

static int order_cmp(const void *pa, const void *pb)
{
    const as_screen_result *a = *(const as_screen_result *const *)pa;
    const as_screen_result *b = *(const as_screen_result *const *)pb;
    if (a->e_order_ev_atom != b->e_order_ev_atom)
        return a->e_order_ev_atom < b->e_order_ev_atom ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* Why finished system i is not ranked (NULL: ranked). */
static const char *unranked_reason(as_campaign *c, size_t i)
{
    campaign_system *y = &c->sys[i];
    const as_screen_result *r = as_screen_get_result(y->screen);
    size_t all = r->n_labels + r->n_failed;
    if (!r->stable)
        return r->note;
    if (!isfinite(r->e_order_ev_atom) || !isfinite(r->e_order_se)) {
        snprintf(y->not_ranked, sizeof y->not_ranked,
                 "the results are not finite (E_order = "
                 "%g +- %g)",
                 r->e_order_ev_atom, r->e_order_se);
        return y->not_ranked;
    }
    if (all && (double)r->n_failed > c->so.unstable_share * (double)all) {
        snprintf(y->not_ranked, sizeof y->not_ranked,
                 "%zu of %zu labels failed (oracle "
                 "errors: %.400s)",
                 r->n_failed, all, r->first_error);
        return y->not_ranked;
    }
    return NULL;
}

int as_campaign_results_finite(const as_campaign *c)
{
    for (size_t i = 0; i < c->n_all; i++) {
        const campaign_system *y = &c->sys[i];
        if (!y->finished)
            continue;
        const as_screen_result *r = as_screen_get_result(y->screen);
        if (r->stable && (!isfinite(r->e_order_ev_atom) || !isfinite(r->e_order_se)))
            return 0;
    }
    return 1;
}

const char *as_campaign_oracle_good_for(const char *spec)
{
    if (!spec)
        return "";
    if (!strcmp(spec, "eam") || !strncmp(spec, "eam-analytic", 12) ||
        (!strncmp(spec, "eam:", 4) && !strchr(spec, '/') && !strchr(spec, '.')))
        return "Zhou 2004 EAM (pure-metal fits, mixing-rule cross terms): the sign of the PtCo "
               "ordering energy, not the trend across M";
    if (!strncmp(spec, "meam", 4))
        return "alloy-fitted 2NN-MEAM (Pt-M and Co-M binaries of one group's 2NN-MEAM work): "
               "ordering energies near DFT where the pairs were fitted";
    if (!strncmp(spec, "ase:gpaw", 8))
        return "DFT-PBE (GPAW, PAW setups): first-principles energies, as in the paper";
    if (!strncmp(spec, "ase:emt", 7))
        return "ASE's EMT: a fast model potential for tests, not for decisions";
    return "the user's own model: unknown";
}

size_t as_campaign_n_requested(const as_campaign *c) { return c->n_all; }

as_status as_campaign_system_info_get(as_campaign *c, size_t i, as_campaign_system_info *out)
{
    if (i >= c->n_all)
        return AS_FAIL(AS_EINVAL, "campaign: system %zu of %zu", i, c->n_all);
    campaign_system *y = &c->sys[i];
    memset(out, 0, sizeof *out);
    out->name = y->name;
    out->m = y->m;
    out->reason = "";
    out->oracle = out->good_for = "";
    if (!y->screen) {
        out->status = "skipped";
        out->reason = y->why ? y->why : "";
        return AS_OK;
    }
    out->oracle = c->spec[y->ox];
    out->good_for = as_campaign_oracle_good_for(c->spec[y->ox]);
    out->fallback = y->ox > 0;
    out->result = as_screen_get_result(y->screen);
    if (!y->finished) {
        out->status = "not finished";
        return AS_OK;
    }
    const char *why = unranked_reason(c, i);
    if (why) {
        out->status = "not ranked";
        out->reason = why;
    } else if (i == 0) {
        out->status = "reference";
        out->reason = out->result->note;
    } else if (y->ox > 0 || out->result->note[0]) {
        out->status = "flagged";
        if (y->ox > 0)
            snprintf(y->not_ranked, sizeof y->not_ranked,
                     "labelled by the fallback oracle %s "
                     "(%s does not cover it)%s%.400s",
                     c->spec[y->ox], c->spec[0], out->result->note[0] ? "; " : "",
                     out->result->note);
        else
            snprintf(y->not_ranked, sizeof y->not_ranked, "%.500s", out->result->note);
        out->reason = y->not_ranked;
    } else {
        out->status = "ranked";
    }
    return AS_OK;
}

const as_campaign_ranking_view *as_campaign_ranking(as_campaign *c)
{
    as_campaign_ranking_view *v = &c->view;
    if (!c->v_systems) {
        c->v_systems = as_calloc(c->n_all, sizeof *c->v_systems);
        c->v_ranked = as_calloc(c->n_all, sizeof *c->v_ranked);
        c->v_unranked = as_calloc(c->n_all, sizeof *c->v_unranked);
        if (!c->v_systems || !c->v_ranked || !c->v_unranked) {
            as_free(c->v_systems);
            as_free(c->v_ranked);
            as_free(c->v_unranked);
            c->v_systems = c->v_ranked = NULL;
            c->v_unranked = NULL;
            AS_FAIL(AS_ENOMEM, "campaign: ranking");
            return NULL;
        }
    }
    memset(v, 0, sizeof *v);
    for (size_t i = 0; i < c->n_all; i++)
        if (c->sys[i].why)
            c->v_unranked[v->n_unranked++] =
                (as_campaign_unranked){c->sys[i].name, c->sys[i].why, NULL};
    for (size_t i = 0; i < c->n_all; i++) {
        if (!c->sys[i].finished)
            continue;
        const as_screen_result *r = as_screen_get_result(c->sys[i].screen);
        c->v_systems[v->n_systems++] = r;
        if (i == 0)
            v->reference = r;
        const char *why = unranked_reason(c, i);
        if (why)
            c->v_unranked[v->n_unranked++] = (as_campaign_unranked){r->name, why, r};
        else if (i > 0)
            c->v_ranked[v->n_ranked++] = r;
    }
    qsort(c->v_ranked, v->n_ranked, sizeof *c->v_ranked, order_cmp);
    v->systems = c->v_systems;
    v->ranked = c->v_ranked;
    v->unranked = c->v_unranked;
    return v;
}

/* ---- the ORR stage (screen --orr) ---- */

int as_campaign_orr_eligible(as_campaign *c, size_t i)
{
    as_campaign_system_info info;
    if (c->so.prototype != AS_SCREEN_L10 || as_campaign_system_info_get(c, i, &info) != AS_OK ||
        !info.result)
        return 0;
    if (strcmp(info.status, "reference") && strcmp(info.status, "ranked") &&
        strcmp(info.status, "flagged"))
        return 0;
    return isfinite(info.result->a_ang) && isfinite(info.result->c_ang) && info.result->a_ang > 0 &&
           info.result->c_ang > 0;
}

const as_orr_slab_result *as_campaign_orr_result(const as_campaign *c, size_t i)
{
    return i < c->n_all ? c->sys[i].orr : NULL;
}

const char *as_campaign_orr_oracle(const as_campaign *c)
{
    return c->orr_oracle ? c->orr_oracle : "";
}

const char *as_campaign_orr_error(const as_campaign *c, size_t i)
{
    return i < c->n_all && c->sys[i].orr_err ? c->sys[i].orr_err : "";
}

/* The store's key of one system's ORR result: everything that changes it. */
static as_status orr_key(const as_oracle *o, const as_orr_slab_options *opt, const char *const *el,
                         size_t ne, double a, double cc, char *buf, size_t cap)
{
    char otext[1024], core[3 * AS_SYMBOL_MAX + 3] = "";
    AS_TRY(as_orr_options_text(opt, otext, sizeof otext));
    for (size_t e = 0; e < ne && e < 3; e++) {
        size_t L = strlen(core);
        snprintf(core + L, sizeof core - L, "%s%s", e ? "," : "", el[e]);
    }
    int k = snprintf(buf, cap, "oracle=%s core=%s a=%.17g c=%.17g %s", as_oracle_describe(o), core,
                     a, cc, otext);
    if (k < 0 || (size_t)k >= cap)
        return AS_FAIL(AS_EINVAL, "campaign: the ORR key needs more than %zu bytes", cap);
    return AS_OK;
}

/* The stored result of key (1 in *found), or nothing. A damaged record is computed again. */
static as_status orr_stored(as_campaign *c, const char *meta, const char *key,
                            const as_orr_slab_options *opt, as_orr_slab_result *r, int *found)
{
    char *text = NULL;
    *found = 0;
    AS_TRY(as_store_meta_get(c->store, meta, &text));
    if (!text)
        return AS_OK;
    as_json *j = NULL;
    if (as_json_parse(text, meta, &j) == AS_OK) {
        const as_json *kj = as_json_get(j, "key"), *rj = as_json_get(j, "result");
        const char *ks = as_json_string(kj);
        if (ks && rj && !strcmp(ks, key) && as_orr_result_from_json(rj, opt, meta, r) == AS_OK)
            *found = 1;
    }
    as_json_free(j);
    as_free(text);
    return AS_OK;
}

static as_status orr_store(as_campaign *c, const char *meta, const char *key,
                           const as_orr_slab_result *r)
{
    as_json *j = as_json_object(), *rj = as_json_object();
    as_status st = AS_OK;
    char *text = NULL;
    if (!j || !rj) {
        as_json_free(rj);
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_str(j, "key", key));
    st = as_json_set_child(j, "result", rj);
    if (st != AS_OK) {
        as_json_free(rj);
        goto fail;
    }
    AS_CHECK(as_orr_result_json(r, rj));
    if (!(text = as_json_print(j))) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    st = as_store_meta_set(c->store, meta, text);
fail:
    as_free(text);
    as_json_free(j);
    return st;
}

/* The per-relaxation checkpoint of one system's stage: campaign_meta "orr:SYSTEM:TAG" holds
 * {"key": the system's orr_key, the record}; a record under another key (another oracle,
 * options or lattice) or a damaged one is not used. The records stay after the system's
 * result is stored (its "orr:SYSTEM" entry is read first on resume). */
typedef struct {
    as_campaign *c;
    const char *meta; /* "orr:SYSTEM" */
    const char *key;
} orr_ck_ctx;

static as_status orr_ck_lookup(void *vctx, const char *tag, as_orr_relax_record *r, int *found)
{
    orr_ck_ctx *x = vctx;
    char meta[128], *text = NULL;
    *found = 0;
    snprintf(meta, sizeof meta, "%s:%s", x->meta, tag);
    AS_TRY(as_store_meta_get(x->c->store, meta, &text));
    if (!text)
        return AS_OK;
    as_status st = AS_OK;
    as_json *j = NULL;
    if (as_json_parse(text, meta, &j) == AS_OK) {
        const char *ks = as_json_string(as_json_get(j, "key"));
        double e, fm, sh, steps, n;
        if (ks && !strcmp(ks, x->key) && as_json_get_num(j, "e_final_ev", meta, &e) == AS_OK &&
            as_json_get_num(j, "fmax_final", meta, &fm) == AS_OK &&
            as_json_get_num(j, "shift_ang", meta, &sh) == AS_OK &&
            as_json_get_num(j, "steps", meta, &steps) == AS_OK &&
            as_json_get_num(j, "n", meta, &n) == AS_OK && steps >= 0 && n >= 0 && n < 1e7) {
            r->e_final_ev = e;
            r->fmax_final = fm;
            r->shift_ang = sh;
            r->steps = (size_t)steps;
            r->converged = as_json_is_true(as_json_get(j, "converged"));
            r->n = (size_t)n;
            r->pos = NULL;
            /* the fitted core's cell; a damaged one: the record is not used */
            int cell_ok = !as_json_get(j, "cell") ||
                          as_json_get_doubles(j, "cell", meta, r->cell, 9) == AS_OK;
            if (!cell_ok)
                memset(r->cell, 0, sizeof r->cell);
            else if (r->n == 0)
                *found = 1;
            else if (!(r->pos = as_malloc(3 * r->n * sizeof *r->pos)))
                st = AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
            else if (as_json_get_doubles(j, "pos", meta, r->pos, 3 * r->n) == AS_OK)
                *found = 1;
            else {
                as_free(r->pos);
                r->pos = NULL;
            }
        }
    }
    as_json_free(j);
    as_free(text);
    return st;
}

static as_status orr_ck_store(void *vctx, const char *tag, const as_orr_relax_record *r)
{
    orr_ck_ctx *x = vctx;
    char meta[128], *text = NULL;
    snprintf(meta, sizeof meta, "%s:%s", x->meta, tag);
    as_json *j = as_json_object();
    if (!j)
        return AS_FAIL(AS_ENOMEM, "json");
    as_status st = AS_OK;
    AS_CHECK(as_json_set_str(j, "key", x->key));
    AS_CHECK(as_json_set_num(j, "e_final_ev", r->e_final_ev));
    AS_CHECK(as_json_set_bool(j, "converged", r->converged));
    AS_CHECK(as_json_set_num(j, "steps", (double)r->steps));
    AS_CHECK(as_json_set_num(j, "fmax_final", r->fmax_final));
    AS_CHECK(as_json_set_num(j, "shift_ang", r->shift_ang));
    AS_CHECK(as_json_set_num(j, "n", (double)r->n));
    if (r->n)
        AS_CHECK(as_json_set_doubles(j, "pos", r->pos, 3 * r->n));
    if (r->cell[0] != 0 || r->cell[4] != 0 || r->cell[8] != 0) /* the fitted core */
        AS_CHECK(as_json_set_doubles(j, "cell", r->cell, 9));
    if (!(text = as_json_print(j))) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    st = as_store_meta_set(x->c->store, meta, text);
fail:
    as_free(text);
    as_json_free(j);
    return st;
}

static as_status orr_fail(campaign_system *y, const char *fmt, const char *arg)
{
    char buf[640];
    snprintf(buf, sizeof buf, fmt, arg);
    as_free(y->orr_err);
    if (!(y->orr_err = as_strdup(buf)))
        return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
    return AS_OK;
}

/* The stage for y on the core el (ne) at a, cc (NAN: fitted with o), through the store. */
static as_status orr_system(as_campaign *c, campaign_system *y, as_oracle *o,
                            const as_orr_slab_options *opt_in, const char *const *el, size_t ne,
                            double a, double cc, int *reused)
{
    if (reused)
        *reused = 0;
    as_free(y->orr);
    as_free(y->orr_err);
    y->orr = NULL;
    y->orr_err = NULL;
    y->orr_reused = 0;
    as_orr_slab_options opt = *opt_in;
    opt.lattice_a = a;
    opt.lattice_c = cc;
    as_free(c->orr_oracle);
    if (!(c->orr_oracle = as_strdup(as_oracle_describe(o))))
        return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
    c->orr_opt = opt;
    for (size_t e = 0; e < ne; e++)
        if (!as_oracle_supports(o, el[e])) {
            char why[256];
            snprintf(why, sizeof why, "%s does not cover %s", as_oracle_describe(o), el[e]);
            return orr_fail(y, "%s", why);
        }
    char key[2048], meta[64];
    snprintf(meta, sizeof meta, "orr:%s", y->name);
    double a0 = isfinite(a) ? a : as_orr_core_a_guess(el, ne);
    AS_TRY(orr_key(o, &opt, el, ne, a0, isfinite(a) ? cc : NAN, key, sizeof key));
    as_orr_slab_result res;
    int found;
    AS_TRY(orr_stored(c, meta, key, &opt, &res, &found));
    if (!found) {
        as_structure *core = NULL;
        as_status st = as_orr_core_create(el, ne, a0, isfinite(a) ? cc : NAN, &core);
        orr_ck_ctx x = {c, meta, key};
        as_orr_checkpoint ck = {&x, orr_ck_lookup, orr_ck_store};
        if (st == AS_OK)
            st = as_orr_slab_run_ex(o, core, &opt, &ck, &res);
        as_structure_free(core);
        if (as_interrupted())
            return as_interrupt_check();
        if (st == AS_ENOMEM || st == AS_EINTR || st == AS_EDB || st == AS_EIO)
            return st;
        if (st != AS_OK)
            return orr_fail(y, "%s", as_errmsg());
        AS_TRY(orr_store(c, meta, key, &res));
    }
    if (!(y->orr = as_malloc(sizeof *y->orr)))
        return AS_FAIL(AS_ENOMEM, "campaign: cannot allocate");
    *y->orr = res;
    y->orr_reused = found;
    if (reused)
        *reused = found;
    return AS_OK;
}

as_status as_campaign_orr_run(as_campaign *c, size_t i, as_oracle *o,
                              const as_orr_slab_options *opt, int *reused)
{
    if (reused)
        *reused = 0;
    if (!as_campaign_orr_eligible(c, i))
        return AS_FAIL(AS_EINVAL,
                       "campaign: system %zu cannot go through the ORR stage (l10 "
                       "only, a finished system that is ranked or the reference)",
                       i);
    campaign_system *y = &c->sys[i];
    const as_screen_result *r = as_screen_get_result(y->screen);
    const char *el[3] = {c->so.host[0], c->so.host[1], y->m[0] ? y->m : NULL};
    return orr_system(c, y, o, opt, el, y->m[0] ? 3 : 2, r->a_ang, r->c_ang, reused);
}

as_status as_campaign_orr_reference(as_campaign *c, as_oracle *o, const as_orr_slab_options *opt,
                                    int *reused)
{
    campaign_system *y = &c->orr_ref;
    snprintf(y->name, sizeof y->name, "%s(111)", opt->shell);
    const char *el[1] = {opt->shell};
    return orr_system(c, y, o, opt, el, 1, NAN, NAN, reused);
}

const as_orr_slab_result *as_campaign_orr_reference_result(const as_campaign *c)
{
    return c->orr_ref.orr;
}

const char *as_campaign_orr_reference_error(const as_campaign *c)
{
    return c->orr_ref.orr_err ? c->orr_ref.orr_err : "";
}

/* The system's "orr" object: the result (as `orr --json`), or the error. */
static as_status orr_object_json(const as_campaign *c, const campaign_system *y, int shell_prefix,
                                 as_json *sj, const char *key)
{
    if (!y->orr && !y->orr_err)
        return AS_OK;
    as_json *oj = as_json_object();
    if (!oj)
        return AS_FAIL(AS_ENOMEM, "json");
    as_status st = as_json_set_child(sj, key, oj);
    if (st != AS_OK) {
        as_json_free(oj);
        return st;
    }
    char name[64];
    snprintf(name, sizeof name, "%s%s%s", shell_prefix ? c->orr_opt.shell : "",
             shell_prefix ? "@" : "", y->name);
    AS_TRY(as_json_set_str(oj, "system", name));
    if (y->orr_err)
        return as_json_set_str(oj, "error", y->orr_err);
    AS_TRY(as_json_set_bool(oj, "from_store", y->orr_reused));
    return as_orr_result_json(y->orr, oj);
}

static as_status orr_system_json(const as_campaign *c, size_t i, as_json *sj)
{
    return orr_object_json(c, &c->sys[i], 1, sj, "orr");
}

/* The root's "orr" object: the stage's oracle and slab options (as `orr --json`'s root). */
static as_status orr_root_json(const as_campaign *c, as_json *root)
{
    if (!c->orr_oracle)
        return AS_OK;
    const as_orr_slab_options *o = &c->orr_opt;
    as_json *oj = as_json_object();
    if (!oj)
        return AS_FAIL(AS_ENOMEM, "json");
    as_status st = as_json_set_child(root, "orr", oj);
    if (st != AS_OK) {
        as_json_free(oj);
        return st;
    }
    AS_TRY(as_json_set_str(oj, "oracle", c->orr_oracle));
    AS_TRY(as_json_set_str(oj, "shell", o->shell));
    AS_TRY(orr_object_json(c, &c->orr_ref, 0, oj, "reference"));
#define N(k, v) AS_TRY(as_json_set_num(oj, k, v))
    N("layers", (double)o->layers);
    N("shell_layers", (double)o->shell_layers);
    N("fixed_layers", (double)o->fixed_layers);
    N("size_a", (double)o->size_a);
    N("size_b", (double)o->size_b);
    N("vacuum_ang", o->vacuum_ang);
    N("fmax_ev_ang", o->relax.fmax);
    N("height_hollow_ang", o->height_hollow_ang);
    N("height_top_ang", o->height_top_ang);
    N("d_oh_ang", o->d_oh_ang);
    N("ooh_oh_offset_ev", o->orr.ooh_oh_offset_ev);
    N("e_eq_v", o->orr.e_eq_v);
#undef N
    return as_json_set_bool(oj, "paper_refs", o->paper_refs);
}

as_status as_campaign_write_json(as_campaign *c, const char *path)
{
    if (!as_campaign_done(c))
        return AS_FAIL(AS_EINVAL, "campaign: %s: the results are written after the last step",
                       path);
    const as_campaign_ranking_view *v = as_campaign_ranking(c);
    if (!v)
        return AS_ENOMEM;
    as_json *root = as_json_object(), *arr = as_json_array(), *rank = as_json_array();
    as_status st = AS_OK;
    if (!root || !arr || !rank) {
        as_json_free(root);
        as_json_free(arr);
        as_json_free(rank);
        return AS_FAIL(AS_ENOMEM, "json");
    }
    if ((st = as_json_set_str(root, "command", "screen")) != AS_OK ||
        (st = as_json_set_str(root, "campaign", c->key)) != AS_OK ||
        (st = as_json_set_str(root, "oracle", as_campaign_oracle_name(c))) != AS_OK ||
        (st = as_json_set_num(root, "seed", (double)c->so.seed)) != AS_OK ||
        (st = as_json_set_str(root, "host_a", c->so.host[0])) != AS_OK ||
        (st = as_json_set_str(root, "host_b", c->so.host[1])) != AS_OK ||
        (st = as_json_set_str(root, "prototype", as_screen_proto_name(c->so.prototype))) != AS_OK ||
        (st = as_json_set_doubles(root, "composition", c->so.composition, 3)) != AS_OK ||
        (st = as_json_set_str(root, "labels", c->labels_path ? c->labels_path : "")) != AS_OK ||
        (st = as_json_set_str(root, "physics_note", c->notes)) != AS_OK ||
        (st = as_json_set_child(root, "systems", arr)) != AS_OK) {
        as_json_free(rank);
        goto fail;
    }
    AS_CHECK(as_json_set_child(root, "ranking", rank));
    AS_CHECK(orr_root_json(c, root));
    for (size_t i = 0; i < v->n_ranked; i++)
        AS_CHECK(as_json_push_str(rank, v->ranked[i]->name));
    for (size_t i = 0; i < c->n_all; i++) {
        as_campaign_system_info info;
        AS_CHECK(as_campaign_system_info_get(c, i, &info));
        if (!info.result)
            continue;
        as_json *sj;
        AS_CHECK(system_json(info.result, &c->so, 1, &info, &sj));
        AS_CHECK(as_json_push(arr, sj));
        AS_CHECK(orr_system_json(c, i, sj));
    }
    /* every requested system: ranked, flagged, not ranked or skipped, with its oracle */
    as_json *cand = as_json_array(), *ors = NULL;
    if (!cand) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_child(root, "candidates", cand));
    for (size_t i = 0; i < c->n_all; i++) {
        as_campaign_system_info info;
        AS_CHECK(as_campaign_system_info_get(c, i, &info));
        as_json *e = as_json_object();
        if (!e) {
            st = AS_FAIL(AS_ENOMEM, "json");
            goto fail;
        }
        AS_CHECK(as_json_push(cand, e));
        AS_CHECK(as_json_set_str(e, "system", info.name));
        AS_CHECK(as_json_set_str(e, "m", info.m));
        AS_CHECK(as_json_set_str(e, "status", info.status));
        AS_CHECK(as_json_set_str(e, "reason", info.reason));
        AS_CHECK(as_json_set_str(e, "oracle", info.oracle));
        AS_CHECK(as_json_set_str(e, "oracle_good_for", info.good_for));
        AS_CHECK(as_json_set_bool(e, "fallback", info.fallback));
    }
    ors = as_json_array();
    if (!ors) {
        st = AS_FAIL(AS_ENOMEM, "json");
        goto fail;
    }
    AS_CHECK(as_json_set_child(root, "oracles", ors));
    for (size_t k = 0; k < c->n_oracles; k++) {
        as_json *e = as_json_object(), *names;
        if (!e) {
            st = AS_FAIL(AS_ENOMEM, "json");
            goto fail;
        }
        AS_CHECK(as_json_push(ors, e));
        AS_CHECK(as_json_set_str(e, "spec", c->spec[k]));
        AS_CHECK(as_json_set_str(e, "description",
                                 c->plain[k] ? EAM_NAME : as_oracle_describe(c->oracles[k])));
        AS_CHECK(as_json_set_str(e, "good_for", as_campaign_oracle_good_for(c->spec[k])));
        names = as_json_array();
        if (!names) {
            st = AS_FAIL(AS_ENOMEM, "json");
            goto fail;
        }
        AS_CHECK(as_json_set_child(e, "systems", names));
        for (size_t i = 0; i < c->n_all; i++)
            if (c->sys[i].screen && c->sys[i].ox == k)
                AS_CHECK(as_json_push_str(names, c->sys[i].name));
    }
    st = as_json_write_file(root, path);
fail:
    as_json_free(root);
    return st;
}

const char *as_campaign_key(const as_campaign *c) { return c->key; }

const char *as_campaign_oracle_name(const as_campaign *c) { return c->name; }
const char *as_campaign_notes(const as_campaign *c) { return c->notes; }

size_t as_campaign_labels_computed(const as_campaign *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_all; i++)
        if (c->sys[i].screen)
            n += as_screen_labels_computed(c->sys[i].screen);
    return n;
}

as_store *as_campaign_store(as_campaign *c) { return c->store; }

const char *as_campaign_physics_note(void) { return physics_note; }
