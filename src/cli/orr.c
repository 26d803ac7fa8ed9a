/* alloyscout orr: the ORR stage (Pt-shell slabs, O* and OH* on fcc/hcp/top, ΔG, volcano). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/json.h"
#include "alloyscout/orr.h"
#include "alloyscout/report.h"
#include "cli.h"
#include "opt.h"

static const char *help =
    "usage: alloyscout orr [options]\n"
    "\n"
    "The ORR stage (seed 004, docs/orr.md): for each system, a Pt-shell slab on an ordered core,\n"
    "the close-packed (111) face; O* and OH* on the fcc, hcp and top sites of the top layer, one\n"
    "adsorbate per cell, relaxed with the oracle's forces (FIRE, bottom layers fixed); the lowest\n"
    "site gives dE_O and dE_OH against H2O and H2, dG = dE + dZPE - TdS + dE_water, and the\n"
    "limiting potential on the 4e- volcano (dG_OOH = dG_OH + 3.2 eV).\n"
    "\n"
    "Systems: --host alone is the core (one element: fcc X, e.g. Pt or Cu; two: L1_0 AB, e.g.\n"
    "Pt,Co); each --candidates M adds the paper's Pt2CoM core (the L1_0 cell with one of its two\n"
    "B sites replaced by M). The core's lattice constants are optimized with the oracle (cubic\n"
    "for one element, tetragonal a, c otherwise) unless --lattice gives them.\n"
    "\n"
    "options:\n"
    "  --oracle SPEC      energy backend with forces covering O and H (default ase:emt)\n"
    "  --host LIST        core elements (default Pt,Co)\n"
    "  --candidates LIST  third elements M: one Pt2CoM system each (host of two elements)\n"
    "  --layers N         (111) layers (default 4)\n"
    "  --shell-layers N   top layers of the shell element (default 1; the paper: 3)\n"
    "  --fixed N          bottom layers held in place (default 2)\n"
    "  --size AxB         in-plane repeat of the 1x1 cell (default 2x2: p(2x2), 1/4 ML)\n"
    "  --vacuum A         vacuum below and above the slab, each side, Å (default 10)\n"
    "  --shell EL         shell element (default Pt)\n"
    "  --lattice A[,C]    core lattice constants, Å (skips their optimization)\n"
    "  --fmax F           relaxation threshold, eV/Å (default 0.03, the paper's)\n"
    "  --paper-refs       E(H2O) = -14.22, E(H2) = -6.76 eV (the paper's VASP-PBE values: only\n"
    "                     for a PBE oracle); default: the oracle's relaxed molecules, 10 Å box\n"
    "  --json FILE        write the results (every site's energy) as JSON\n"
    "  --report DIR       DIR/index.html with the 4e- ORR volcano (U_L against dG_OH, each system\n"
    "                     a labelled point; Pt(111) a black diamond when --host Pt is "
    "given)\n" CLI_FIGURE_HELP "  --quiet            no progress lines\n"
    "\n"
    "Example: alloyscout orr --oracle ase:emt --host Pt        (pure Pt(111), EMT)\n"
    "         alloyscout orr --oracle ase:gpaw --host Pt,Co --candidates Cu,Ni\n";

int cli_parse_orr_size(const char *cmd, const char *opt, const char *s, size_t *a, size_t *b)
{
    char *end;
    long x = strtol(s, &end, 10);
    long y = 0;
    int ok = end != s && (*end == 'x' || *end == 'X') && x >= 1 && x <= 64;
    if (ok) {
        const char *q = end + 1;
        y = strtol(q, &end, 10);
        ok = end != q && !*end && y >= 1 && y <= 64;
    }
    if (!ok)
        return cli_usage(cmd, "%s '%s': expected AxB, e.g. 2x2 (1..64 each)", opt, s);
    *a = (size_t)x;
    *b = (size_t)y;
    return 0;
}

void cli_orr_header(const char *oracle, const as_orr_slab_options *opt)
{
    printf("# ORR stage: oracle %s; %zu layers (%zu shell %s, %zu fixed), p(%zux%zu), vacuum %g Å "
           "each side, fmax %g eV/Å\n",
           oracle, opt->layers, opt->shell_layers, opt->shell, opt->fixed_layers, opt->size_a,
           opt->size_b, opt->vacuum_ang, opt->relax.fmax);
    printf("%-10s %7s %7s %8s %4s %8s %4s %7s %7s %6s %7s\n", "system", "a_Å", "c_Å", "dE_O",
           "site", "dE_OH", "site", "dG_O", "dG_OH", "U_L_V", "dG_OH-top");
}

void cli_orr_row(const char *name, const as_orr_slab_result *r)
{
    printf("%-10s %7.4f %7.4f %8.4f %4s %8.4f %4s %7.4f %7.4f %6.3f %7.3f\n", name, r->a_ang,
           r->c_ang, r->de_o_ev, as_orr_site_name(r->best_site[0]), r->de_oh_ev,
           as_orr_site_name(r->best_site[1]), r->dg_o_ev, r->dg_oh_ev, r->orr.u_limit_v,
           r->orr.volcano_offset_ev);
}

as_status cli_orr_volcano(const char *dir, const char *const *names, const double *dg_oh,
                          const double *u_l, size_t n, long ref, const as_orr_options *o)
{
    enum { NGRID = 241 };
    double x[NGRID + 1], y[NGRID + 1];
    size_t m;
    as_status st = as_echem_orr_volcano_curve(dg_oh, n, o, NGRID, x, y, &m);
    if (st != AS_OK)
        return st;
    as_fig_volcano_curve cv = {x, y, m, o->ooh_oh_offset_ev, o->e_eq_v};
    return as_fig_orr_volcano(dir, "orr_volcano", NULL, names, dg_oh, u_l, n, ref, &cv);
}

void cli_orr_footer(const as_orr_slab_options *opt)
{
    printf("# dE against H2O/H2 (seed 004 eqs. 1-2); dG = dE + ZPE-TS (O %.2f, OH %.2f) + water "
           "(O %.2f, OH %.2f) eV; U_L = min(-dG_i); dG_OH-top > 0: OH bound too weakly\n",
           opt->zpe_ts_o_ev, opt->zpe_ts_oh_ev, opt->solv_o_ev, opt->solv_oh_ev);
}

int as_cli_orr(int argc, char **argv)
{
    const char *spec = "ase:emt", *host = "Pt,Co", *cands = NULL, *size = NULL, *lattice = NULL;
    const char *json = NULL, *shell = NULL, *report = NULL, *format = NULL;
    size_t dpi = 0;
    char pt_name[CLI_LIST_MAX + 1][64];
    const char *pt_ptr[CLI_LIST_MAX + 1];
    double pt_dg[CLI_LIST_MAX + 1], pt_ul[CLI_LIST_MAX + 1];
    size_t n_pts = 0;
    long ref = -1;
    int paper = 0, quiet = 0;
    as_orr_slab_options opt;
    as_orr_slab_options_default(&opt);
    cli_opt opts[] = {
        {"oracle", 0, CLI_STR, &spec, 0, NULL, NULL},
        {"host", 0, CLI_STR, &host, 0, NULL, NULL},
        {"candidates", 0, CLI_STR, &cands, 0, NULL, NULL},
        {"layers", 0, CLI_SIZE, &opt.layers, 0, NULL, NULL},
        {"shell-layers", 0, CLI_SIZE, &opt.shell_layers, 0, NULL, NULL},
        {"fixed", 0, CLI_SIZE, &opt.fixed_layers, 0, NULL, NULL},
        {"size", 0, CLI_STR, &size, 0, NULL, NULL},
        {"vacuum", 0, CLI_DOUBLE, &opt.vacuum_ang, 0, NULL, NULL},
        {"shell", 0, CLI_STR, &shell, 0, NULL, NULL},
        {"lattice", 0, CLI_STR, &lattice, 0, NULL, NULL},
        {"fmax", 0, CLI_DOUBLE, &opt.relax.fmax, 0, NULL, NULL},
        {"paper-refs", 0, CLI_FLAG, &paper, 0, NULL, NULL},
        {"json", 0, CLI_STR, &json, 0, NULL, NULL},
        {"report", 0, CLI_STR, &report, 0, NULL, NULL},
        {"format", 0, CLI_STR, &format, 0, NULL, NULL},
        {"dpi", 0, CLI_SIZE, &dpi, 0, NULL, NULL},
        {"quiet", 'q', CLI_FLAG, &quiet, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int rc = cli_parse("orr", help, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    cli_log_init(quiet);
    opt.paper_refs = paper;
    if (size && (rc = cli_parse_orr_size("orr", "--size", size, &opt.size_a, &opt.size_b)))
        return rc;
    if (shell) {
        if (strlen(shell) >= sizeof opt.shell || !as_element_z(shell))
            return cli_usage("orr", "--shell '%s' is not an element", shell);
        snprintf(opt.shell, sizeof opt.shell, "%s", shell);
    }
    if (lattice) {
        char *end;
        opt.lattice_a = strtod(lattice, &end);
        if (*end == ',')
            opt.lattice_c = strtod(end + 1, &end);
        if (*end || !(opt.lattice_a > 0) || !isfinite(opt.lattice_a) ||
            (isfinite(opt.lattice_c) && !(opt.lattice_c > 0)))
            return cli_usage("orr", "--lattice '%s': expected A or A,C in Å (> 0)", lattice);
    }
    if (!(opt.relax.fmax > 0))
        return cli_usage("orr", "--fmax must be > 0");
    char hs[3][AS_SYMBOL_MAX], cs[CLI_LIST_MAX][AS_SYMBOL_MAX];
    size_t nh = 0, nc = 0;
    if ((rc = cli_parse_elements("orr", "--host", host, hs, 2, &nh)))
        return rc;
    if (cands && (rc = cli_parse_elements("orr", "--candidates", cands, cs, CLI_LIST_MAX, &nc)))
        return rc;
    if (nc && nh != 2)
        return cli_usage("orr", "--candidates needs a host of two elements (Pt,Co)");
    if ((rc = cli_figure_output("orr", format, dpi, report)) != 0)
        return rc;
    if (json || report) {
        cli_file files[] = {{"--json", json, 1}, {"--report", report, 1}};
        if ((rc = cli_check_files("orr", files, CLI_NFILES(files))))
            return rc;
    }
    as_oracle *o = NULL;
    as_json *root = as_json_object(), *arr = as_json_array();
    as_status st = as_oracle_create(spec, NULL, &o);
    if (st != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    cli_orr_header(as_oracle_describe(o), &opt);
    size_t n_sys = 1 + nc, n_fail = 0;
    for (size_t k = 0; k < n_sys; k++) {
        const char *el[3] = {hs[0], nh > 1 ? hs[1] : NULL, k ? cs[k - 1] : NULL};
        size_t ne = k ? 3 : nh;
        char name[64];
        if (ne == 1)
            snprintf(name, sizeof name, "%s@%s", opt.shell, el[0]);
        else if (ne == 2)
            snprintf(name, sizeof name, "%s@%s%s", opt.shell, el[0], el[1]);
        else
            snprintf(name, sizeof name, "%s@%s2%s%s", opt.shell, el[0], el[1], el[2]);
        as_json *sj = as_json_object();
        as_json_set_str(sj, "system", name);
        as_json_push(arr, sj);
        int ok = 1;
        for (size_t e = 0; e < ne; e++)
            if (!as_oracle_supports(o, el[e])) {
                printf("%-10s skipped: %s does not cover %s\n", name, as_oracle_describe(o), el[e]);
                as_json_set_str(sj, "error", "element not covered by the oracle");
                ok = 0;
            }
        if (!ok) {
            n_fail++;
            continue;
        }
        double a0 = as_orr_core_a_guess(el, ne);
        as_structure *core = NULL;
        as_orr_slab_result r;
        /* a given lattice builds the core at it (the same positions as screen --orr) */
        if (isfinite(opt.lattice_a))
            st = as_orr_core_create(el, ne, opt.lattice_a, opt.lattice_c, &core);
        else
            st = as_orr_core_create(el, ne, a0, NAN, &core);
        if (st == AS_OK)
            st = as_orr_slab_run(o, core, &opt, &r);
        as_structure_free(core);
        if (st != AS_OK) {
            printf("%-10s failed: %s\n", name, as_errmsg());
            as_json_set_str(sj, "error", as_errmsg());
            n_fail++;
            continue;
        }
        cli_orr_row(name, &r);
        if ((st = as_orr_result_json(&r, sj)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        if (n_pts < CLI_LIST_MAX + 1) { /* the volcano of --report */
            snprintf(pt_name[n_pts], sizeof pt_name[n_pts], "%s",
                     ne == 1 && !strcmp(el[0], opt.shell) ? "Pt(111)" : name);
            if (ne == 1 && !strcmp(el[0], opt.shell) && !strcmp(opt.shell, "Pt"))
                ref = (long)n_pts;
            pt_dg[n_pts] = r.dg_oh_ev;
            pt_ul[n_pts++] = r.orr.u_limit_v;
        }
    }
    cli_orr_footer(&opt);
    as_json_set_str(root, "oracle", as_oracle_describe(o));
    as_json_set_num(root, "layers", (double)opt.layers);
    as_json_set_num(root, "shell_layers", (double)opt.shell_layers);
    as_json_set_num(root, "fixed_layers", (double)opt.fixed_layers);
    as_json_set_num(root, "size_a", (double)opt.size_a);
    as_json_set_num(root, "size_b", (double)opt.size_b);
    as_json_set_num(root, "vacuum_ang", opt.vacuum_ang);
    as_json_set_num(root, "fmax_ev_ang", opt.relax.fmax);
    as_json_set_num(root, "height_hollow_ang", opt.height_hollow_ang);
    as_json_set_num(root, "height_top_ang", opt.height_top_ang);
    as_json_set_num(root, "d_oh_ang", opt.d_oh_ang);
    as_json_set_bool(root, "paper_refs", opt.paper_refs);
    as_json_set_child(root, "systems", arr);
    arr = NULL;
    /* no file when nothing was computed (the error says why); the report first, so that a
     * failed one leaves no --json behind */
    if (report && n_fail < n_sys) {
        for (size_t i = 0; i < n_pts; i++)
            pt_ptr[i] = pt_name[i];
        as_report *rep = NULL;
        char caption[512];
        as_orr_result top;
        as_echem_orr(0.0, 0.0, NAN, &opt.orr, &top); /* the volcano's top, from echem */
        snprintf(caption, sizeof caption,
                 "Limiting potential U_L against ΔG_OH of each system (oracle %s; %zu layers, "
                 "p(%zux%zu)); grey: the scaling volcano (ΔG_OOH = ΔG_OH + %.2f eV), its top at "
                 "ΔG_OH = %.2f eV; a point below the curve is limited by an O* step.",
                 as_oracle_describe(o), opt.layers, opt.size_a, opt.size_b,
                 opt.orr.ooh_oh_offset_ev, top.volcano_top_dg_oh_ev);
        if ((st = as_report_create(report, "alloyscout: ORR stage", &rep)) == AS_OK &&
            (st = cli_orr_volcano(as_report_dir(rep), pt_ptr, pt_dg, pt_ul, n_pts, ref,
                                  &opt.orr)) == AS_OK &&
            (st = as_report_heading(rep, "ORR volcano")) == AS_OK &&
            (st = as_report_figure(rep, "orr_volcano", caption)) == AS_OK &&
            (st = cli_report_command(rep, argc, argv)) == AS_OK)
            st = as_report_finish(rep);
        as_report_free(rep);
        if (st != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    if (json && n_fail < n_sys && (st = as_json_write_file(root, json)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    rc = n_fail ? cli_error("%zu of %zu systems failed or were skipped", n_fail, n_sys) : 0;
done:
    as_json_free(arr);
    as_json_free(root);
    as_oracle_free(o);
    return rc;
}
