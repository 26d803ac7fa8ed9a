/* alloyscout echem: measurement arithmetic from flags or from a CSV file whose headers carry
 * the units (docs/echem.md lists every accepted header). Row-wise subcommands (fe, yield,
 * loading, rhe, scherrer, dg, orr) give one result row per input row; series subcommands (calib,
 * cdl) fit one line through all rows. All arithmetic lives in src/echem (echem.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/json.h"
#include "cli.h"

/* Propagate a failing status. */
#define TRY(expr)                   \
    do {                            \
        as_status try_st_ = (expr); \
        if (try_st_ != AS_OK)       \
            return try_st_;         \
    } while (0)

#define MAXQ 12
#define MAXOUT 14
#define NOVAL NAN

/* ---- quantities: one physical input, accepted under several unit-carrying names ---- */
enum { U_PLAIN = 0, U_DIV_M, U_MUL_M }; /* factor, factor / molar mass, factor x molar mass */
typedef struct {
    const char *name;
    double factor;
    int kind;
} unit_name;
typedef struct {
    const char *canon;  /* name in the output, with the canonical unit */
    unit_name names[7]; /* accepted headers / flags (flag: --name with '_' or '-') */
    double def;         /* default when absent; NAN: absent */
    int required;
} qspec;

typedef struct {
    const char *name;
    const char *summary;
    const qspec *q;
    size_t nq;
    const char *const *outs;
    size_t nout;
    /* in: values in canonical units (NAN when absent), opt: string options; out: nout values */
    as_status (*fn)(const double *in, const char *const *sopt, double *out);
    const char *const *sopts; /* string option names (without --) */
    const char *help;
} rowcmd;

/* ---- fe ---- */
static const qspec fe_q[] = {
    {"n", {{"n", 1, 0}, {"electrons", 1, 0}}, NOVAL, 0},
    {"molar_mass_g_per_mol", {{"molar_mass_g_per_mol", 1, 0}}, NOVAL, 0},
    {"conc_mol_per_L",
     {{"conc_mol_per_L", 1, 0},
      {"conc_mmol_per_L", 1e-3, 0},
      {"conc_umol_per_L", 1e-6, 0},
      {"conc_mg_per_L", 1e-3, U_DIV_M},
      {"conc_ug_per_mL", 1e-3, U_DIV_M}},
     NOVAL,
     1},
    {"volume_L", {{"volume_L", 1, 0}, {"volume_mL", 1e-3, 0}}, NOVAL, 1},
    {"charge_C", {{"charge_C", 1, 0}, {"charge_mC", 1e-3, 0}}, NOVAL, 1},
};
static const char *const fe_out[] = {"FE", "FE_pct"};
/* --species: n and the molar mass from as_echem_species_parse */
static const char *const species_opt[] = {"species", NULL};

static as_status fe_fn(const double *in, const char *const *so, double *out)
{
    (void)so;
    TRY(as_echem_fe(in[0], in[2], in[3], in[4], &out[0]));
    out[1] = 100 * out[0];
    return AS_OK;
}

/* ---- yield ---- */
static const qspec yield_q[] = {
    {"molar_mass_g_per_mol", {{"molar_mass_g_per_mol", 1, 0}}, NOVAL, 0},
    {"conc_mg_per_L",
     {{"conc_mg_per_L", 1, 0},
      {"conc_ug_per_mL", 1, 0},
      {"conc_mol_per_L", 1e3, U_MUL_M},
      {"conc_mmol_per_L", 1, U_MUL_M},
      {"conc_umol_per_L", 1e-3, U_MUL_M}},
     NOVAL,
     1},
    {"volume_L", {{"volume_L", 1, 0}, {"volume_mL", 1e-3, 0}}, NOVAL, 1},
    {"time_h", {{"time_h", 1, 0}, {"time_min", 1.0 / 60, 0}, {"time_s", 1.0 / 3600, 0}}, NOVAL, 1},
    {"mass_mg", {{"mass_mg", 1, 0}, {"mass_ug", 1e-3, 0}, {"mass_g", 1e3, 0}}, NOVAL, 0},
    {"area_cm2", {{"area_cm2", 1, 0}, {"area_mm2", 1e-2, 0}}, NOVAL, 0},
};
static const char *const yield_out[] = {"rate_mg_per_h", "yield_mg_per_h_per_mg",
                                        "yield_mg_per_h_per_cm2", "rate_umol_per_h",
                                        "yield_umol_per_h_per_cm2"};
static as_status yield_fn(const double *in, const char *const *so, double *out)
{
    (void)so;
    as_echem_yield_result y;
    TRY(as_echem_yield(in[1], in[2], in[3], in[4], in[5], in[0], &y));
    out[0] = y.rate_mg_h, out[1] = y.per_mass_mg_h_mg, out[2] = y.per_area_mg_h_cm2;
    out[3] = y.rate_umol_h, out[4] = y.per_area_umol_h_cm2;
    return AS_OK;
}

/* ---- loading ---- */
static const qspec loading_q[] = {
    {"ink_mg_per_mL",
     {{"ink_mg_per_mL", 1, 0}, {"ink_ug_per_uL", 1, 0}, {"ink_g_per_L", 1, 0}},
     NOVAL,
     1},
    {"drop_uL", {{"drop_uL", 1, 0}, {"drop_mL", 1e3, 0}}, NOVAL, 1},
    {"area_cm2", {{"area_cm2", 1, 0}, {"area_mm2", 1e-2, 0}}, NOVAL, 0},
    {"diameter_mm", {{"diameter_mm", 1, 0}, {"diameter_cm", 10, 0}}, NOVAL, 0},
};
static const char *const loading_out[] = {"electrode_area_cm2", "mass_mg", "loading_mg_per_cm2"};
static as_status loading_fn(const double *in, const char *const *so, double *out)
{
    (void)so;
    double area = in[2];
    if (isnan(area) && !isnan(in[3]))
        area = as_echem_disk_area_cm2(in[3]);
    if (isnan(area))
        return as_error_set(AS_EINVAL, "loading: give area_cm2 or diameter_mm");
    out[0] = area;
    return as_echem_loading(in[0], in[1], area, &out[1], &out[2]);
}

/* ---- rhe ---- */
static const qspec rhe_q[] = {
    {"E_V", {{"E_V", 1, 0}, {"E_mV", 1e-3, 0}}, NOVAL, 1},
    {"pH", {{"pH", 1, 0}}, NOVAL, 1},
    {"e0_V", {{"e0_V", 1, 0}, {"e0", 1, 0}, {"e0_mV", 1e-3, 0}}, NOVAL, 0},
    {"slope_V_per_pH", {{"slope_V_per_pH", 1, 0}, {"slope", 1, 0}}, NOVAL, 0},
    {"temperature_K", {{"temperature_K", 1, 0}, {"T_K", 1, 0}}, 298.15, 0},
};
static const char *const rhe_out[] = {"E0_ref_used_V", "slope_used_V_per_pH", "E_RHE_V"};
static const char *const rhe_opt[] = {"ref", NULL};
static as_status rhe_fn(const double *in, const char *const *so, double *out)
{
    double e0 = in[2];
    if (isnan(e0)) {
        as_ref_electrode r = AS_REF_HGHGO_1M_KOH;
        if (so[0])
            TRY(as_echem_ref_parse(so[0], &r));
        e0 = as_echem_ref_e0(r);
    }
    double slope = isnan(in[3]) ? as_echem_nernst_slope(in[4]) : in[3];
    out[0] = e0, out[1] = slope;
    return as_echem_to_rhe(in[0], e0, in[1], slope, &out[2]);
}

/* ---- scherrer ---- */
static const qspec scherrer_q[] = {
    {"two_theta_deg", {{"two_theta_deg", 1, 0}, {"2theta_deg", 1, 0}}, NOVAL, 1},
    {"fwhm_deg", {{"fwhm_deg", 1, 0}, {"fwhm_rad", 180 / 3.14159265358979323846, 0}}, NOVAL, 1},
    {"instr_fwhm_deg",
     {{"instr_fwhm_deg", 1, 0}, {"instr_fwhm_rad", 180 / 3.14159265358979323846, 0}},
     0.0,
     0},
    {"K", {{"K", 1, 0}}, 0.9, 0},
    {"lambda_A", {{"lambda_A", 1, 0}, {"lambda_nm", 10, 0}}, 1.5406, 0},
};
static const char *const scherrer_out[] = {"size_nm"};
static const char *const scherrer_opt[] = {"profile", NULL};
static as_status scherrer_fn(const double *in, const char *const *so, double *out)
{
    as_scherrer_options o = as_scherrer_options_default();
    o.instr_fwhm_deg = in[2], o.k = in[3], o.lambda_ang = in[4];
    if (so[0] && !strcmp(so[0], "lorentzian"))
        o.lorentzian = 1;
    else if (so[0] && strcmp(so[0], "gaussian"))
        return as_error_set(AS_EINVAL,
                            "scherrer: --profile must be gaussian or lorentzian, got '%s'", so[0]);
    return as_echem_scherrer(in[0], in[1], &o, &out[0]);
}

/* ---- dg ---- */
static const qspec dg_q[] = {
    {"dE_eV", {{"dE_eV", 1, 0}}, NOVAL, 0},
    {"E_ads_eV", {{"E_ads_eV", 1, 0}}, NOVAL, 0},
    {"E_slab_eV", {{"E_slab_eV", 1, 0}}, NOVAL, 0},
    {"E_H2O_eV", {{"E_H2O_eV", 1, 0}}, AS_E_H2O_EV, 0},
    {"E_H2_eV", {{"E_H2_eV", 1, 0}}, AS_E_H2_EV, 0},
    {"dZPE_eV", {{"dZPE_eV", 1, 0}}, 0.0, 0},
    {"T_K", {{"T_K", 1, 0}, {"temperature_K", 1, 0}}, 298.15, 0},
    {"dS_eV_per_K", {{"dS_eV_per_K", 1, 0}, {"dS_meV_per_K", 1e-3, 0}}, NOVAL, 0},
    {"TdS_eV", {{"TdS_eV", 1, 0}}, NOVAL, 0},
    {"solv_eV", {{"solv_eV", 1, 0}, {"dE_water_eV", 1, 0}}, 0.0, 0},
};
static const char *const dg_out[] = {"dE_used_eV", "dG_eV"};
static const char *const dg_opt[] = {"adsorbate", NULL};
static as_status dg_fn(const double *in, const char *const *so, double *out)
{
    double de = in[0];
    if (isnan(de)) {
        if (isnan(in[1]) || isnan(in[2]) || !so[0])
            return as_error_set(AS_EINVAL,
                                "dg: give dE_eV, or E_ads_eV, E_slab_eV and --adsorbate");
        as_adsorbate a;
        if (as_echem_adsorbate_parse(so[0], &a) != AS_OK)
            return as_error_set(AS_EINVAL, "dg: --adsorbate must be o, oh or ooh, got '%s'", so[0]);
        TRY(as_echem_ads_energy(a, in[1], in[2], in[3], in[4], &de));
    }
    if (!isnan(in[7]) && !isnan(in[8]))
        return as_error_set(AS_EINVAL, "dg: give dS_eV_per_K or TdS_eV, not both");
    double ds = !isnan(in[7]) ? in[7] : (!isnan(in[8]) && in[6] > 0 ? in[8] / in[6] : 0.0);
    if (!isnan(in[8]) && !(in[6] > 0))
        return as_error_set(AS_EINVAL, "dg: TdS_eV needs T_K > 0");
    out[0] = de;
    return as_echem_dg(de, in[5], in[6], ds, in[9], &out[1]);
}

/* ---- orr ---- */
static const qspec orr_q[] = {
    {"dG_OH_eV", {{"dG_OH_eV", 1, 0}}, NOVAL, 1},   {"dG_O_eV", {{"dG_O_eV", 1, 0}}, NOVAL, 1},
    {"dG_OOH_eV", {{"dG_OOH_eV", 1, 0}}, NOVAL, 0}, {"offset_eV", {{"offset_eV", 1, 0}}, 3.2, 0},
    {"E_eq_V", {{"E_eq_V", 1, 0}}, 1.23, 0},
};
static const char *const orr_out[] = {
    "dG_OOH_used_eV",    "dG1_eV",       "dG2_eV", "dG3_eV", "dG4_eV", "U_L_V", "eta_V", "pds_step",
    "volcano_offset_eV", "U_L_volcano_V"};
static as_status orr_fn(const double *in, const char *const *so, double *out)
{
    (void)so;
    as_orr_options o = as_orr_options_default();
    o.ooh_oh_offset_ev = in[3], o.e_eq_v = in[4];
    as_orr_result r;
    TRY(as_echem_orr(in[0], in[1], in[2], &o, &r));
    out[0] = r.dg_ooh_ev;
    for (int i = 0; i < 4; i++)
        out[1 + i] = r.dg_step_ev[i];
    out[5] = r.u_limit_v, out[6] = r.overpotential_v, out[7] = r.pds + 1;
    out[8] = r.volcano_offset_ev, out[9] = r.u_limit_volcano_v;
    return AS_OK;
}

#define N(a) (sizeof a / sizeof *a)
static const rowcmd rowcmds[] = {
    {"fe", "Faradaic efficiency FE = n F c V / Q", fe_q, N(fe_q), fe_out, N(fe_out), fe_fn,
     species_opt,
     "  --species nh3|no2       sets n (8 or 2) and the molar mass (17.031, 46.005 g/mol);\n"
     "                          default nh3\n"},
    {"yield", "yield c V / t per catalyst mass and per electrode area", yield_q, N(yield_q),
     yield_out, N(yield_out), yield_fn, species_opt,
     "  --species nh3|no2       molar mass for the µmol outputs (default nh3)\n"},
    {"loading", "catalyst mass and loading of a drop-cast electrode", loading_q, N(loading_q),
     loading_out, N(loading_out), loading_fn, NULL, ""},
    {"rhe", "potential against the reversible hydrogen electrode", rhe_q, N(rhe_q), rhe_out,
     N(rhe_out), rhe_fn, rhe_opt,
     "  --ref NAME              she, agagcl-sat (0.197 V), agagcl-3m (0.210), sce (0.241),\n"
     "                          hghgo (1 M KOH, 0.098; default), hghg2so4 (0.640)\n"
     "  seed 000 prints E_RHE = E_Hg/HgO + 0.197 V + 0.0591 pH: --e0 0.197 --slope 0.0591\n"},
    {"scherrer", "Scherrer crystallite size D = K lambda / (beta cos theta)", scherrer_q,
     N(scherrer_q), scherrer_out, N(scherrer_out), scherrer_fn, scherrer_opt,
     "  --profile gaussian|lorentzian  removal of the instrumental FWHM: sqrt(B^2-b^2) or B-b\n"},
    {"dg", "adsorption free energy dG = dE + dZPE - T dS + solvation", dg_q, N(dg_q), dg_out,
     N(dg_out), dg_fn, dg_opt,
     "  --adsorbate o|oh|ooh    with E_ads_eV and E_slab_eV: dE against H2O and H2\n"
     "                          (seed 004 eqs. 1-2; E_H2O -14.22 eV, E_H2 -6.76 eV)\n"},
    {"orr", "4e- ORR limiting potential and volcano position from dG_OH and dG_O", orr_q, N(orr_q),
     orr_out, N(orr_out), orr_fn, NULL,
     "  dG_OOH_eV defaults to dG_OH_eV + offset_eV (scaling relation, 3.2 eV)\n"},
};

/* ---- argument handling shared by all subcommands ---- */
typedef struct {
    const char *key; /* normalized: '-' -> '_' */
    const char *val;
    char buf[64];
} kv;

typedef struct {
    const char *csv, *json;
    kv flags[32];
    size_t nflags;
    int quiet;
} args;

/* A quantity or string option given as a flag: kept as key (with '_') and value. */
static int record_flag(const char *cmd, const char *opt, const char *arg, void *dest)
{
    args *a = dest;
    if (a->nflags >= N(a->flags))
        return cli_usage(cmd, "too many options");
    kv *f = &a->flags[a->nflags++];
    snprintf(f->buf, sizeof f->buf, "%s", opt + 2);
    for (char *p = f->buf; *p; p++)
        if (*p == '-')
            *p = '_';
    f->key = f->buf;
    f->val = arg;
    return 0;
}

/* The option table of one subcommand: --csv, --json, --seed, --quiet and every name of its
 * quantities and string options, each as written (charge_C) and with '-' for '_' (charge-C). */
#define MAXOPT 160
typedef struct {
    cli_opt opt[MAXOPT + 1];
    char names[MAXOPT][48];
    size_t n;
    unsigned long long seed; /* accepted for uniformity; nothing here is random */
} opt_table;

static void add_name(opt_table *t, args *a, const char *name)
{
    for (int dash = 0; dash < 2 && t->n < MAXOPT; dash++) {
        char *nm = t->names[t->n];
        snprintf(nm, sizeof t->names[0], "%s", name);
        if (dash) {
            if (!strchr(nm, '_'))
                break;
            for (char *p = nm; *p; p++)
                if (*p == '_')
                    *p = '-';
        }
        int dup = 0;
        for (size_t i = 0; i < t->n && !dup; i++)
            dup = !strcmp(t->opt[i].name, nm);
        if (!dup)
            t->opt[t->n++] = (cli_opt){nm, 0, CLI_CALL, a, 0, record_flag, NULL};
    }
}

static void build_table(opt_table *t, args *a, const qspec *q, size_t nq, const char *const *sopts,
                        const char *const *extra)
{
    memset(t, 0, sizeof *t);
    memset(a, 0, sizeof *a);
    static const char *const fixed[] = {"csv", "json", "seed", "quiet"};
    for (size_t i = 0; i < N(fixed); i++)
        snprintf(t->names[i], sizeof t->names[0], "%s", fixed[i]);
    t->opt[0] = (cli_opt){t->names[0], 0, CLI_STR, &a->csv, 0, NULL, NULL};
    t->opt[1] = (cli_opt){t->names[1], 0, CLI_STR, &a->json, 0, NULL, NULL};
    t->opt[2] = (cli_opt){t->names[2], 0, CLI_U64, &t->seed, 0, NULL, NULL};
    t->opt[3] = (cli_opt){t->names[3], 0, CLI_FLAG, &a->quiet, 0, NULL, NULL};
    t->opt[4] = (cli_opt)CLI_OPT_DELIMITER;
    t->opt[5] = (cli_opt)CLI_OPT_ENCODING;
    t->n = 6;
    for (size_t j = 0; j < nq; j++)
        for (size_t u = 0; u < N(q[j].names) && q[j].names[u].name; u++)
            add_name(t, a, q[j].names[u].name);
    for (size_t j = 0; sopts && sopts[j]; j++)
        add_name(t, a, sopts[j]);
    for (size_t j = 0; extra && extra[j]; j++)
        add_name(t, a, extra[j]);
    t->opt[t->n] = (cli_opt){NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL};
}

static const kv *find_flag(const args *a, const char *key)
{
    for (size_t i = 0; i < a->nflags; i++)
        if (!strcmp(a->flags[i].key, key))
            return &a->flags[i];
    return NULL;
}

/* Which name of quantity q is present in the table (column) or the flags. */
typedef struct {
    const unit_name *u;
    size_t col;     /* table column, or (size_t)-1 */
    double flagval; /* flag value (already parsed), NAN when from the table */
} qsrc;

static int resolve(const char *cmd, const qspec *q, const args *a, const as_table *t, qsrc *s)
{
    s->u = NULL;
    s->col = (size_t)-1;
    s->flagval = NAN;
    for (size_t k = 0; k < N(q->names) && q->names[k].name; k++) {
        const kv *f = find_flag(a, q->names[k].name);
        if (f) {
            if (s->u)
                return cli_usage(cmd, "%s is given twice (as %s and %s)", q->canon, s->u->name,
                                 q->names[k].name);
            char opt[80];
            snprintf(opt, sizeof opt, "--%s", q->names[k].name);
            if (cli_parse_double(cmd, opt, f->val, &s->flagval))
                return 2;
            s->u = &q->names[k];
        }
        size_t c;
        if (t && !s->u) {
            for (c = 0; c < as_table_cols(t); c++)
                if (!strcmp(as_table_name(t, c), q->names[k].name)) {
                    s->u = &q->names[k];
                    s->col = c;
                    break;
                }
        }
    }
    return 0;
}

/* Value of a table cell as a number, or an error with file:line:column. */
static as_status cell_number(const as_table *t, size_t r, size_t c, int allow_empty, double *v)
{
    const char *s = as_table_cell(t, r, c);
    const char *p = s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p && allow_empty) {
        *v = NAN;
        return AS_OK;
    }
    if (as_parse_number(s, v))
        return AS_OK;
    size_t line = 0, col = 0;
    as_table_where(t, r, c, &line, &col);
    return as_error_set(AS_EPARSE, "%s:%zu:%zu: column '%s': '%s' is not a number",
                        as_table_path(t), line, col, as_table_name(t, c), s);
}

static void print_help_q(FILE *f, const qspec *q, size_t nq)
{
    for (size_t i = 0; i < nq; i++) {
        fprintf(f, "  %-22s", q[i].canon);
        for (size_t k = 0; k < N(q[i].names) && q[i].names[k].name; k++)
            fprintf(f, "%s%s", k ? " | " : "", q[i].names[k].name);
        if (q[i].required)
            fprintf(f, "  (required)");
        else if (!isnan(q[i].def))
            fprintf(f, "  (default %g)", q[i].def);
        fputc('\n', f);
    }
}

/* One CSV field after sep, quoted when it needs it (as_csv_write_row's rule). */
static void csv_field(FILE *f, const char *sep, const char *s)
{
    fputs(sep, f);
    as_csv_write_field(f, s);
}

/* Whether row `in` (canonical inputs) used an assumption: fe/yield the species' n or molar
 * mass (no column or flag gave it), rhe the reference electrode's E0 (no e0 given). */
static int assumed_row(const rowcmd *rc, const double *in, const qsrc *src)
{
    (void)in;
    for (size_t i = 0; i < rc->nq; i++) {
        const char *c = rc->q[i].canon;
        int mine = rc->sopts == species_opt
                       ? (!strcmp(c, "n") || !strcmp(c, "molar_mass_g_per_mol"))
                       : (!strcmp(rc->name, "rhe") && !strcmp(c, "e0_V"));
        if (!mine)
            continue;
        if (!src[i].u)
            return 1; /* neither a flag nor a column */
    }
    return 0;
}

/* "a, b, c": every accepted name of q, into buf. */
static void accepted_names(const qspec *q, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 0; k < N(q->names) && q->names[k].name && len < cap; k++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", k ? ", " : "", q->names[k].name);
}

/* "a, b, c": the table's column names, into buf (cut with "..." when long). */
static void table_columns(const as_table *t, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t c = 0; c < as_table_cols(t); c++) {
        int k = snprintf(buf + len, cap - len, "%s%s", c ? ", " : "", as_table_name(t, c));
        if (k < 0 || (size_t)k >= cap - len) {
            snprintf(buf + (cap > 5 ? cap - 5 : 0), 5, "...");
            return;
        }
        len += (size_t)k;
    }
}

/* Implausible values (issue 16): warned once per column with the number of rows, never
 * changed. The names are the canonical ones of the inputs and outputs. */
static const struct {
    const char *name;
    double lo, hi; /* plausible range */
    const char *what;
} plausible[] = {
    {"FE", -INFINITY, 1.0, "Faradaic efficiency above 100 %"},
    {"temperature_K", 200, INFINITY, "temperature below 200 K (a value in degrees Celsius?)"},
    {"T_K", 200, INFINITY, "temperature below 200 K (a value in degrees Celsius?)"},
    {"E_V", -5, 5, "potential beyond +-5 V (a value in mV?)"},
    {"E_RHE_V", -5, 5, "potential beyond +-5 V"},
    {"Cdl_mF_per_cm2", 0, INFINITY, "negative double-layer capacitance"},
};

static void warn_implausible(const char *cmd, const char *col, const char *shown, const double *v,
                             size_t n, size_t stride)
{
    for (size_t k = 0; k < N(plausible); k++) {
        if (strcmp(plausible[k].name, col))
            continue;
        size_t bad = 0, first = 0;
        for (size_t r = 0; r < n; r++) {
            double x = v[r * stride];
            if (!isnan(x) && (x < plausible[k].lo || x > plausible[k].hi) && !bad++)
                first = r;
        }
        if (bad)
            as_log(AS_LOG_WARN,
                   "%s: column %s: %zu of %zu row%s with a %s (first: row %zu, %g); "
                   "kept as given",
                   cmd, shown, bad, n, n == 1 ? "" : "s", plausible[k].what, first + 1,
                   v[first * stride]);
    }
}

static int run_rowcmd(const rowcmd *rc, int argc, char **argv)
{
    char cmd[32];
    snprintf(cmd, sizeof cmd, "echem %s", rc->name);
    char *help = NULL;
    size_t help_len = 0;
    FILE *hf = open_memstream(&help, &help_len);
    if (!hf)
        return cli_error("out of memory");
    fprintf(hf,
            "usage: alloyscout echem %s [--csv FILE] [--NAME VALUE ...] [--json OUT]\n\n%s.\n"
            "Each input is read from the CSV column or the flag of one of its names (the\n"
            "unit is part of the name; a flag may use '-' for '_', e.g. --charge-C 12.5);\n"
            "a flag applies to every CSV row. Inputs:\n",
            rc->name, rc->summary);
    print_help_q(hf, rc->q, rc->nq);
    fprintf(hf,
            "%s  --csv FILE              one result per row ('-': standard input); every\n"
            "                          column of FILE passes through to the output\n"
            "  --delimiter D           , ; or tab (default: detected)\n"
            "  --encoding E            utf-8 (default) or latin-1\n"
            "  --json OUT              results as JSON ('-': standard output)\n"
            "  --quiet                 no note on the assumed species / reference electrode\n"
            "Implausible values (FE > 100 %%, T < 200 K, |E| > 5 V) are warned about, not\n"
            "changed. Outputs (CSV on stdout):",
            rc->help);
    for (size_t i = 0; i < rc->nout; i++)
        fprintf(hf, " %s", rc->outs[i]);
    fprintf(hf, "\nDetails and units: docs/echem.md\n");
    fclose(hf);
    args a;
    opt_table tab;
    build_table(&tab, &a, rc->q, rc->nq, rc->sopts, NULL);
    int u = cli_parse(cmd, help ? help : "", argc, argv, tab.opt, NULL, 0, NULL);
    free(help);
    if (u)
        return u < 0 ? 0 : u;
    const char *sopt[4] = {NULL, NULL, NULL, NULL};
    for (size_t j = 0; rc->sopts && rc->sopts[j]; j++) {
        const kv *f = find_flag(&a, rc->sopts[j]);
        sopt[j] = f ? f->val : NULL;
    }
    as_table *t = NULL;
    as_status st;
    int rcode = 1;
    as_json *root = NULL, *rows = NULL;
    double *vals = NULL;
    as_outfile *of_pending = NULL;
    const cli_file files[] = {{"--csv", a.csv, 0}, {"--json", a.json, 1}};
    if ((u = cli_check_files(cmd, files, CLI_NFILES(files))))
        return u;
    if (a.csv && (st = cli_read_csv(a.csv, &t)) != AS_OK)
        return cli_fail(st);
    qsrc src[MAXQ];
    for (size_t i = 0; i < rc->nq; i++) {
        if ((u = resolve(cmd, &rc->q[i], &a, t, &src[i])) != 0) {
            rcode = u;
            goto done;
        }
        if (!src[i].u && rc->q[i].required) {
            char flag[64];
            snprintf(flag, sizeof flag, "%s", rc->q[i].names[0].name);
            for (char *p = flag; *p; p++)
                if (*p == '_')
                    *p = '-';
            char names[512], have[1024];
            accepted_names(&rc->q[i], names, sizeof names);
            if (t)
                table_columns(t, have, sizeof have);
            rcode = cli_usage(cmd, "missing input %s (give --%s%s); accepted names: %s%s%s%s",
                              rc->q[i].canon, flag, t ? " or a CSV column" : "", names,
                              t ? "; the CSV has: " : "", t ? have : "",
                              t ? as_table_delimiter_hint(t) : "");
            goto done;
        }
    }
    /* species defaults for n and molar mass */
    double sp_n = NAN, sp_m = NAN;
    if (rc->sopts == species_opt &&
        as_echem_species_parse(sopt[0] ? sopt[0] : "nh3", &sp_n, &sp_m) != AS_OK) {
        rcode = cli_usage(cmd, "--species must be nh3 or no2, got '%s'", sopt[0]);
        goto done;
    }
    root = as_json_object();
    rows = as_json_array();
    if (!root || !rows) {
        as_json_free(rows);
        rows = NULL;
        rcode = cli_fail(AS_ENOMEM);
        goto done;
    }
    size_t nrows = t ? as_table_rows(t) : 1;
    size_t w = rc->nq + rc->nout;
    /* compute every row first so that a bad row prints nothing */
    vals = as_malloc(nrows * w * sizeof *vals);
    if (!vals) {
        rcode = cli_fail(AS_ENOMEM);
        goto done;
    }
    for (size_t r = 0; r < nrows; r++) {
        double *in = vals + r * w, *out = in + rc->nq;
        for (size_t i = 0; i < rc->nq; i++) {
            const qspec *q = &rc->q[i];
            double v = NAN;
            if (src[i].u && src[i].col != (size_t)-1) {
                if ((st = cell_number(t, r, src[i].col, !q->required, &v)) != AS_OK) {
                    rcode = cli_fail(st);
                    goto done;
                }
            } else if (src[i].u)
                v = src[i].flagval;
            if (!isnan(v)) {
                double f = src[i].u->factor;
                int kind = src[i].u->kind;
                if (kind != U_PLAIN) {
                    /* the molar mass is evaluated before the concentration (fe: 1, yield: 0) */
                    double m = !strcmp(rc->name, "fe") ? in[1] : in[0];
                    v = kind == U_DIV_M ? v * f / m : v * f * m;
                } else
                    v *= f;
            } else
                v = q->def;
            if (isnan(v) && !strcmp(q->canon, "n"))
                v = sp_n;
            if (isnan(v) && !strcmp(q->canon, "molar_mass_g_per_mol"))
                v = sp_m;
            in[i] = v;
        }
        st = rc->fn(in, sopt, out);
        if (st != AS_OK) {
            if (t) {
                size_t line = 0;
                as_table_where(t, r, 0, &line, NULL);
                as_error_prefix(st, "%s:%zu: ", as_table_path(t), line);
            }
            rcode = cli_fail(st);
            goto done;
        }
    }
    /* Output columns: every input column in its place (sample ids and notes pass through),
     * a computed column whose name is an input column's replaces that column (a re-run on
     * its own output), the other computed columns after them, then the assumption column. */
    size_t nin = t ? as_table_cols(t) : 0;
    size_t *slot = NULL; /* input column -> computed column + 1, 0 = passed through */
    int *placed = NULL;  /* computed column already written in an input column's place */
    if (!(slot = as_calloc(nin + 1, sizeof *slot)) || !(placed = as_calloc(w, sizeof *placed))) {
        as_free(slot);
        rcode = cli_fail(AS_ENOMEM);
        goto done;
    }
    for (size_t c = 0; c < nin; c++)
        for (size_t j = 0; j < w; j++)
            if (!strcmp(as_table_name(t, c), j < rc->nq ? rc->q[j].canon : rc->outs[j - rc->nq])) {
                slot[c] = j + 1;
                placed[j] = 1;
            }
    const char *assume_col = rc->sopts == species_opt   ? "species"
                             : !strcmp(rc->name, "rhe") ? "reference_electrode"
                                                        : NULL;
    int assume_in_place = 0;
    for (size_t c = 0; assume_col && c < nin; c++)
        if (!strcmp(as_table_name(t, c), assume_col))
            assume_in_place = 1, slot[c] = (size_t)-1;
    /* what was assumed, per row: the species whose n or molar mass was used, the reference
     * electrode whose E0 was used (empty when the row gave its own values) */
    const char *assumed_name = NULL;
    if (rc->sopts == species_opt)
        assumed_name = sopt[0] ? sopt[0] : "nh3";
    else if (assume_col) {
        as_ref_electrode re = AS_REF_HGHGO_1M_KOH;
        if (sopt[0])
            as_echem_ref_parse(sopt[0], &re);
        assumed_name = as_echem_ref_name(re);
    }
    size_t n_assumed = 0;
    for (size_t r = 0; r < nrows; r++)
        n_assumed += assumed_row(rc, vals + r * w, src) != 0;
    for (size_t j = 0; j < w; j++) {
        const double *v = vals + j;
        const char *name = j < rc->nq ? rc->q[j].canon : rc->outs[j - rc->nq];
        const char *shown = j < rc->nq && src[j].u ? src[j].u->name : name;
        warn_implausible(cmd, name, shown, v, nrows, w);
    }
    as_outfile *of = NULL;
    if ((st = as_outfile_open("-", &of)) != AS_OK) {
        as_free(slot);
        as_free(placed);
        rcode = cli_fail(st);
        goto done;
    }
    FILE *f = as_outfile_stream(of);
    {
        const char *sep = "";
        for (size_t c = 0; c < nin; c++, sep = ",")
            csv_field(f, sep, as_table_name(t, c));
        for (size_t j = 0; j < w; j++, sep = ",")
            if (!placed[j])
                csv_field(f, sep, j < rc->nq ? rc->q[j].canon : rc->outs[j - rc->nq]);
        if (assume_col && !assume_in_place)
            csv_field(f, sep, assume_col);
        fputc('\n', f);
    }
    for (size_t r = 0; r < nrows; r++) {
        const double *v = vals + r * w;
        const char *assumed = assumed_row(rc, v, src) ? assumed_name : "";
        as_json *row = as_json_object();
        if (!row) {
            as_outfile_abort(of);
            as_free(slot);
            as_free(placed);
            rcode = cli_fail(AS_ENOMEM);
            goto done;
        }
        st = AS_OK;
        char num[32];
        const char *sep = "";
        for (size_t c = 0; c < nin; c++, sep = ",") {
            if (slot[c] == (size_t)-1 && *assumed) {
                csv_field(f, sep, assumed);
                continue;
            }
            if (slot[c] == (size_t)-1) { /* the row's own values: its note passes through */
                csv_field(f, sep, as_table_cell(t, r, c));
                continue;
            }
            if (slot[c]) {
                double x = v[slot[c] - 1];
                fprintf(f, "%s", sep);
                if (!isnan(x))
                    fprintf(f, "%.6g", x);
                continue;
            }
            const char *cell = as_table_cell(t, r, c);
            csv_field(f, sep, cell);
            double x;
            if (st == AS_OK)
                st = as_parse_number(cell, &x) ? as_json_set_num(row, as_table_name(t, c), x)
                                               : as_json_set_str(row, as_table_name(t, c), cell);
        }
        for (size_t j = 0; j < w; j++) {
            const char *name = j < rc->nq ? rc->q[j].canon : rc->outs[j - rc->nq];
            if (!placed[j]) {
                fprintf(f, "%s", sep);
                sep = ",";
                if (!isnan(v[j])) {
                    snprintf(num, sizeof num, "%.6g", v[j]);
                    fputs(num, f);
                }
            }
            if (st == AS_OK && !isnan(v[j]))
                st = as_json_set_num(row, name, v[j]);
        }
        if (assume_col && !assume_in_place)
            csv_field(f, sep, assumed);
        if (st == AS_OK && assume_col && (*assumed || !assume_in_place))
            st = as_json_set_str(row, assume_col, assumed);
        fputc('\n', f);
        if (st == AS_OK)
            st = as_json_push(rows, row);
        else
            as_json_free(row);
        if (st != AS_OK) {
            as_outfile_abort(of);
            as_free(slot);
            as_free(placed);
            rcode = cli_fail(st);
            goto done;
        }
    }
    as_free(slot);
    as_free(placed);
    /* the assumptions, once, in the JSON and on standard error */
    if (assume_col && n_assumed) {
        as_json *as = as_json_object();
        st = as ? AS_OK : AS_ENOMEM;
        if (st == AS_OK && rc->sopts == species_opt) {
            double sn = NAN, sm = NAN;
            as_echem_species_parse(assumed_name, &sn, &sm);
            st = as_json_set_str(as, "species", assumed_name);
            if (st == AS_OK && !strcmp(rc->name, "fe"))
                st = as_json_set_num(as, "n", sn);
            if (st == AS_OK)
                st = as_json_set_num(as, "molar_mass_g_per_mol", sm);
            if (!a.quiet)
                fprintf(stderr,
                        "alloyscout: %s: %zu of %zu row%s use%s %s: %s%smolar mass %g g/mol "
                        "(--species to change; column 'species')\n",
                        cmd, n_assumed, nrows, nrows == 1 ? "" : "s", n_assumed == 1 ? "s" : "",
                        assumed_name, !strcmp(rc->name, "fe") ? "n = " : "",
                        !strcmp(rc->name, "fe") ? (sn == 8 ? "8, " : "2, ") : "", sm);
        } else if (st == AS_OK) {
            as_ref_electrode re = AS_REF_HGHGO_1M_KOH;
            as_echem_ref_parse(assumed_name, &re);
            st = as_json_set_str(as, "reference_electrode", assumed_name);
            if (st == AS_OK)
                st = as_json_set_num(as, "E0_ref_V", as_echem_ref_e0(re));
            if (!a.quiet)
                fprintf(stderr,
                        "alloyscout: %s: %zu of %zu row%s use%s the reference electrode %s, "
                        "E0 = %g V against SHE (--ref or --e0 to change; column "
                        "'reference_electrode')\n",
                        cmd, n_assumed, nrows, nrows == 1 ? "" : "s", n_assumed == 1 ? "s" : "",
                        assumed_name, as_echem_ref_e0(re));
        }
        if (st == AS_OK)
            st = as_json_set_child(root, "assumptions", as);
        else
            as_json_free(as);
    }
    if (st != AS_OK) {
        as_outfile_abort(of);
        rcode = cli_fail(st);
        goto done;
    }
    of_pending = of;
    st = as_json_set_str(root, "command", cmd);
    if (st == AS_OK)
        st = as_json_set_child(root, "rows", rows);
    else
        as_json_free(rows);
    rows = NULL;
    if (st == AS_OK && a.json)
        st = as_json_write_file(root, a.json);
    /* the CSV reaches standard output only once the JSON is written */
    if (st == AS_OK) {
        st = as_outfile_commit(of_pending);
        of_pending = NULL;
    }
    rcode = st == AS_OK ? 0 : cli_fail(st);
done:
    as_outfile_abort(of_pending);
    as_free(vals);
    as_json_free(rows);
    as_json_free(root);
    as_table_free(t);
    return rcode;
}

/* ---- series subcommands: calib and cdl ---- */
/* Parse "1,2.5,3" into a new array. */
static int parse_list(const char *cmd, const char *opt, const char *s, double **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    double *x = as_malloc(cap * sizeof *x);
    if (!x)
        return cli_fail(AS_ENOMEM);
    const char *p = s;
    for (size_t i = 0; i < cap; i++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char tok[64];
        if (len >= sizeof tok ||
            (tok[len] = 0, memcpy(tok, p, len), !as_parse_number(tok, &x[i]))) {
            as_free(x);
            return cli_usage(cmd, "%s: item %zu '%.*s' is not a number", opt, i + 1, (int)len, p);
        }
        p = e ? e + 1 : p + len;
    }
    *v = x;
    *n = cap;
    return 0;
}

/* The lists of flags --fa and --fb (both needed without --csv, of equal length) into new arrays
 * *va, *vb of *n values: 0, or the printed usage error's exit code. */
static int paired_lists(const char *cmd, const args *a, const char *fa, const char *fb, double **va,
                        double **vb, size_t *n)
{
    const kv *ka = find_flag(a, fa), *kb = find_flag(a, fb);
    if (!ka || !kb)
        return cli_usage(cmd, "give --csv FILE or both --%s and --%s", fa, fb);
    char oa[32], ob[32];
    snprintf(oa, sizeof oa, "--%s", fa);
    snprintf(ob, sizeof ob, "--%s", fb);
    size_t nb;
    int rc;
    if ((rc = parse_list(cmd, oa, ka->val, va, n)) || (rc = parse_list(cmd, ob, kb->val, vb, &nb)))
        return rc;
    if (*n != nb)
        return cli_usage(cmd, "%s has %zu values but %s has %zu", oa, *n, ob, nb);
    return 0;
}

/* Read column `names` (first present, scaled by factor) of t into a new array. */
static int read_col(const char *cmd, const as_table *t, const unit_name *names, size_t nn,
                    double **v, const char **used)
{
    *v = NULL;
    for (size_t k = 0; k < nn && names[k].name; k++) {
        size_t c;
        int found = 0;
        for (c = 0; c < as_table_cols(t); c++)
            if (!strcmp(as_table_name(t, c), names[k].name)) {
                found = 1;
                break;
            }
        if (!found)
            continue;
        size_t n = as_table_rows(t);
        double *x = as_malloc(n * sizeof *x);
        if (!x)
            return cli_fail(AS_ENOMEM);
        for (size_t r = 0; r < n; r++) {
            as_status st = cell_number(t, r, c, 0, &x[r]);
            if (st != AS_OK) {
                as_free(x);
                return cli_fail(st);
            }
            x[r] *= names[k].factor;
        }
        *v = x;
        if (used)
            *used = names[k].name;
        return 0;
    }
    (void)cmd;
    return -1; /* absent */
}

static int write_json_or_ok(as_json *root, const char *path)
{
    as_status st = path ? as_json_write_file(root, path) : AS_OK;
    as_json_free(root);
    return st == AS_OK ? 0 : cli_fail(st);
}

static const char calib_help[] =
    "usage: alloyscout echem calib (--csv FILE | --x LIST --y LIST) [options]\n\n"
    "Linear calibration curve y = slope x + intercept of absorbance against concentration\n"
    "(indophenol blue at 655 nm for NH3, Griess at 540 nm for NO2-), with R^2, standard\n"
    "errors, LOD = k_lod sigma / slope and LOQ = k_loq sigma / slope (ICH Q2(R1)), and the\n"
    "inverse prediction of unknown readings with their standard error.\n"
    "  --csv FILE          standards: x from --x-col (default: the first column whose name\n"
    "                      starts with 'conc'), y from --y-col (default 'absorbance')\n"
    "  --x LIST, --y LIST  comma-separated standards instead of a file\n"
    "  --predict LIST      absorbance readings to convert into concentrations\n"
    "  --replicates M      readings averaged per unknown (default 1)\n"
    "  --k-lod K (3.3)  --k-loq K (10)  --blank-sd S (y units; default: residual SD)\n"
    "  --method indophenol|griess   label only (655 / 540 nm)\n"
    "  --json OUT          fit and predictions as JSON\n";

/* keys[i] = vals[i] in obj, stopping at the first failure */
static as_status json_set_nums(as_json *obj, const char *const *keys, const double *vals, size_t n)
{
    as_status st = AS_OK;
    for (size_t i = 0; i < n && st == AS_OK; i++)
        st = as_json_set_num(obj, keys[i], vals[i]);
    return st;
}

static int run_calib(int argc, char **argv)
{
    const char *cmd = "echem calib";
    args a;
    opt_table tab;
    static const char *const extra[] = {"x",        "y",          "x_col", "y_col",
                                        "predict",  "replicates", "k_lod", "k_loq",
                                        "blank_sd", "method",     NULL};
    build_table(&tab, &a, NULL, 0, NULL, extra);
    int u = cli_parse(cmd, calib_help, argc, argv, tab.opt, NULL, 0, NULL);
    if (u)
        return u < 0 ? 0 : u;
    double *x = NULL, *y = NULL, *pred = NULL;
    size_t n = 0, np = 0;
    int rc = 1;
    as_table *t = NULL;
    const char *xname = "x", *yname = "y";
    const kv *f;
    as_echem_calib_options o = as_echem_calib_options_default();
    size_t m = 1;
    if ((f = find_flag(&a, "k_lod")) && (rc = cli_parse_double(cmd, "--k-lod", f->val, &o.k_lod)))
        goto done;
    if ((f = find_flag(&a, "k_loq")) && (rc = cli_parse_double(cmd, "--k-loq", f->val, &o.k_loq)))
        goto done;
    if ((f = find_flag(&a, "blank_sd")) &&
        (rc = cli_parse_double(cmd, "--blank-sd", f->val, &o.blank_sd)))
        goto done;
    if ((f = find_flag(&a, "replicates")) && (rc = cli_parse_size(cmd, "--replicates", f->val, &m)))
        goto done;
    const char *method = (f = find_flag(&a, "method")) ? f->val : NULL;
    if (method && strcmp(method, "indophenol") && strcmp(method, "griess")) {
        rc = cli_usage(cmd, "--method must be indophenol or griess, got '%s'", method);
        goto done;
    }
    {
        const cli_file files[] = {{"--csv", a.csv, 0}, {"--json", a.json, 1}};
        if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
            goto done;
    }
    rc = 1;
    if (a.csv) {
        as_status st = cli_read_csv(a.csv, &t);
        if (st != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        const kv *fx = find_flag(&a, "x_col"), *fy = find_flag(&a, "y_col");
        unit_name xn[2] = {{NULL, 1, 0}, {NULL, 0, 0}},
                  yn[2] = {{"absorbance", 1, 0}, {NULL, 0, 0}};
        if (fx)
            xn[0].name = fx->val;
        else
            for (size_t c = 0; c < as_table_cols(t); c++)
                if (!strncmp(as_table_name(t, c), "conc", 4)) {
                    xn[0].name = as_table_name(t, c);
                    break;
                }
        if (fy)
            yn[0].name = fy->val;
        if (!xn[0].name) {
            rc = cli_usage(cmd, "%s has no column starting with 'conc' (use --x-col)", a.csv);
            goto done;
        }
        if ((u = read_col(cmd, t, xn, 1, &x, &xname)) != 0) {
            rc = u > 0 ? u : cli_usage(cmd, "%s has no column '%s'", a.csv, xn[0].name);
            goto done;
        }
        if ((u = read_col(cmd, t, yn, 1, &y, &yname)) != 0) {
            rc = u > 0 ? u
                       : cli_usage(cmd, "%s has no column '%s' (use --y-col)", a.csv, yn[0].name);
            goto done;
        }
        n = as_table_rows(t);
    } else if ((rc = paired_lists(cmd, &a, "x", "y", &x, &y, &n)) != 0) {
        goto done;
    }
    if ((f = find_flag(&a, "predict")) && (rc = parse_list(cmd, "--predict", f->val, &pred, &np)))
        goto done;
    rc = 1;
    as_echem_calib c;
    as_status st = as_echem_calib_fit(x, y, n, &o, &c);
    if (st != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    printf("method,%s\nx,%s\ny,%s\nn,%zu\nslope,%.10g\nintercept,%.10g\nr2,%.10g\n"
           "slope_se,%.6g\nintercept_se,%.6g\ns_yx,%.6g\nlod,%.6g\nloq,%.6g\n",
           method ? (strcmp(method, "griess") ? "indophenol blue (655 nm)" : "Griess (540 nm)")
                  : "linear",
           xname, yname, n, c.slope, c.intercept, c.r2, c.slope_se, c.intercept_se, c.s_yx, c.lod,
           c.loq);
    as_json *root = as_json_object(), *preds = as_json_array();
    st = root && preds ? AS_OK : AS_ENOMEM;
    if (st == AS_OK)
        st = as_json_set_str(root, "command", cmd);
    if (st == AS_OK)
        st = as_json_set_str(root, "x", xname);
    if (st == AS_OK)
        st = as_json_set_str(root, "y", yname);
    if (st == AS_OK) {
        static const char *const keys[] = {
            "n", "slope", "intercept", "r2", "slope_se", "intercept_se", "s_yx", "lod", "loq"};
        const double vals[] = {(double)n,      c.slope, c.intercept, c.r2, c.slope_se,
                               c.intercept_se, c.s_yx,  c.lod,       c.loq};
        st = json_set_nums(root, keys, vals, sizeof vals / sizeof vals[0]);
    }
    if (np)
        printf("reading,%s_predicted,%s_se\n", xname, xname);
    for (size_t i = 0; i < np && st == AS_OK; i++) {
        double x0, se;
        st = as_echem_calib_predict(&c, pred[i], m, &x0, &se);
        if (st != AS_OK)
            break;
        printf("%.6g,%.6g,%.3g\n", pred[i], x0, se);
        as_json *p = as_json_object();
        st = p ? AS_OK : AS_ENOMEM;
        if (st == AS_OK)
            st = as_json_set_num(p, "reading", pred[i]);
        if (st == AS_OK)
            st = as_json_set_num(p, "x", x0);
        if (st == AS_OK)
            st = as_json_set_num(p, "x_se", se);
        if (st == AS_OK)
            st = as_json_push(preds, p);
        else
            as_json_free(p);
    }
    if (st == AS_OK) {
        st = as_json_set_child(root, "predictions", preds);
        preds = NULL;
    }
    as_json_free(preds);
    if (st != AS_OK) {
        as_json_free(root);
        rc = cli_fail(st);
        goto done;
    }
    rc = write_json_or_ok(root, a.json);
done:
    as_free(x);
    as_free(y);
    as_free(pred);
    as_table_free(t);
    return rc;
}

static const char cdl_help[] =
    "usage: alloyscout echem cdl (--csv FILE | --scan LIST --dj LIST) [options]\n\n"
    "Double-layer capacitance from CVs at several scan rates in a non-Faradaic window:\n"
    "C_dl = slope / 2 of dj = j_a - j_c against the scan rate.\n"
    "  --csv FILE   columns scan_mV_per_s | scan_V_per_s and dj_mA_per_cm2 |\n"
    "               dj_uA_per_cm2, or ja_mA_per_cm2 and jc_mA_per_cm2\n"
    "  --scan LIST  scan rates in mV/s;  --dj LIST  j_a - j_c in mA/cm^2\n"
    "  --cs-mF-per-cm2 CS   specific capacitance for the roughness factor C_dl / CS\n"
    "                       (e.g. 0.040 in 1 M KOH, McCrory et al. 2013)\n"
    "  --json OUT\n";

static int run_cdl(int argc, char **argv)
{
    const char *cmd = "echem cdl";
    args a;
    opt_table tab;
    static const char *const extra[] = {"scan", "dj", "cs_mF_per_cm2", NULL};
    build_table(&tab, &a, NULL, 0, NULL, extra);
    int u = cli_parse(cmd, cdl_help, argc, argv, tab.opt, NULL, 0, NULL);
    if (u)
        return u < 0 ? 0 : u;
    double *nu = NULL, *dj = NULL, *jc = NULL, cs = NAN;
    size_t n = 0;
    int rc = 1;
    as_table *t = NULL;
    const kv *f;
    if ((f = find_flag(&a, "cs_mF_per_cm2")) &&
        (rc = cli_parse_double(cmd, "--cs-mF-per-cm2", f->val, &cs)))
        goto done;
    {
        const cli_file files[] = {{"--csv", a.csv, 0}, {"--json", a.json, 1}};
        if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
            goto done;
    }
    rc = 1;
    if (a.csv) {
        as_status st = cli_read_csv(a.csv, &t);
        if (st != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        static const unit_name sn[] = {{"scan_mV_per_s", 1, 0}, {"scan_V_per_s", 1e3, 0}};
        static const unit_name dn[] = {{"dj_mA_per_cm2", 1, 0}, {"dj_uA_per_cm2", 1e-3, 0}};
        static const unit_name ja[] = {{"ja_mA_per_cm2", 1, 0}};
        static const unit_name jcn[] = {{"jc_mA_per_cm2", 1, 0}};
        if ((u = read_col(cmd, t, sn, 2, &nu, NULL)) != 0) {
            rc =
                u > 0 ? u : cli_usage(cmd, "%s has no column scan_mV_per_s or scan_V_per_s", a.csv);
            goto done;
        }
        u = read_col(cmd, t, dn, 2, &dj, NULL);
        if (u > 0) {
            rc = u;
            goto done;
        }
        if (u < 0) {
            if ((u = read_col(cmd, t, ja, 1, &dj, NULL)) != 0 ||
                (u = read_col(cmd, t, jcn, 1, &jc, NULL)) != 0) {
                rc = u > 0 ? u
                           : cli_usage(cmd,
                                       "%s needs dj_mA_per_cm2, dj_uA_per_cm2 or both "
                                       "ja_mA_per_cm2 and jc_mA_per_cm2",
                                       a.csv);
                goto done;
            }
            for (size_t i = 0; i < as_table_rows(t); i++)
                dj[i] -= jc[i];
        }
        n = as_table_rows(t);
    } else if ((rc = paired_lists(cmd, &a, "scan", "dj", &nu, &dj, &n)) != 0) {
        goto done;
    }
    rc = 1;
    as_echem_cdl_result r;
    as_status st = as_echem_cdl(nu, dj, n, &r);
    if (st != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    warn_implausible(cmd, "Cdl_mF_per_cm2", "Cdl_mF_per_cm2", &r.cdl_mf_cm2, 1, 1);
    double rf = r.cdl_mf_cm2 / cs;
    printf("n,%zu\nCdl_mF_per_cm2,%.6g\nr2,%.6g\nintercept_mA_per_cm2,%.6g\n", n, r.cdl_mf_cm2,
           r.r2, r.intercept_ma_cm2);
    if (!isnan(cs))
        printf("roughness_factor,%.6g\n", rf);
    as_json *root = as_json_object();
    st = root ? AS_OK : AS_ENOMEM;
    if (st == AS_OK)
        st = as_json_set_str(root, "command", cmd);
    if (st == AS_OK) {
        static const char *const keys[] = {"n", "Cdl_mF_per_cm2", "r2", "intercept_mA_per_cm2"};
        const double vals[] = {(double)n, r.cdl_mf_cm2, r.r2, r.intercept_ma_cm2};
        st = json_set_nums(root, keys, vals, sizeof vals / sizeof vals[0]);
    }
    if (st == AS_OK && !isnan(cs))
        st = as_json_set_num(root, "roughness_factor", rf);
    if (st != AS_OK) {
        as_json_free(root);
        rc = cli_fail(st);
        goto done;
    }
    rc = write_json_or_ok(root, a.json);
done:
    as_free(nu);
    as_free(dj);
    as_free(jc);
    as_table_free(t);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: alloyscout echem <subcommand> [options]\n\n"
               "Measurement arithmetic of the two papers (docs/echem.md). Subcommands:\n");
    for (size_t i = 0; i < N(rowcmds); i++)
        fprintf(f, "  %-9s %s\n", rowcmds[i].name, rowcmds[i].summary);
    fprintf(f, "  %-9s %s\n", "calib", "linear calibration curve, R^2, LOD, inverse prediction");
    fprintf(f, "  %-9s %s\n", "cdl", "double-layer capacitance from a scan-rate series");
    fprintf(f,
            "\nEach takes its inputs from flags or --csv FILE (units in the headers), --json OUT,\n"
            "and --help.\n");
}

int as_cli_echem(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    cli_log_init(0);
    for (size_t i = 0; i < N(rowcmds); i++)
        if (!strcmp(sub, rowcmds[i].name))
            return run_rowcmd(&rowcmds[i], argc - 1, argv + 1);
    if (!strcmp(sub, "calib"))
        return run_calib(argc - 1, argv + 1);
    if (!strcmp(sub, "cdl"))
        return run_cdl(argc - 1, argv + 1);
    fprintf(stderr, "alloyscout: error: unknown echem subcommand '%s'\n", sub);
    usage(stderr);
    return 2;
}
