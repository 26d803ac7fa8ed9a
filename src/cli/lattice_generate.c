/* alloyscout lattice generate: Monte Carlo configurations of chosen Warren-Cowley order (seed 004,
 * Methods, "Solubility Test") on any prototype, any fcc supercell matrix and any composition,
 * towards one target or several (pairs and shells at once), with the reachable range checked
 * first; the paper's 22-seed set on a grid adapted to that range. The science is in
 * src/lattice/mc.c and src/lattice/targets.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

#define MAXK AS_LATTICE_MAX_SPECIES
#define MAXT 16
#define RANGE_TASK UINT64_C(0x72616e6765) /* "range": the stream of the reachable-range search */

int as_cli_lattice_generate(int argc, char **argv);

static const char generate_help[] =
    "usage: alloyscout lattice generate --out FILE (--target T | --paper-set | --ordered K |\n"
    "                                   --random K) [options]\n\n"
    "Monte Carlo configurations of chosen Warren-Cowley order, written as frames of one extended\n"
    "XYZ file (info: config, kind, sro_pair, sro_alpha1, and sro_targets for several targets).\n"
    "Configurations are distinct up to a lattice translation.\n\n"
    "  --target T       one or more targets 'X-Y[@S]=A' separated by commas: pair of species or\n"
    "                   groups, shell S (1..8, default 1), alpha A. Examples:\n"
    "                     'Pt-(Co,Cu)=0.1667'              one pair, first shell\n"
    "                     'Ag-Pd@1=-0.1,Ag-Pd@2=0.05'      one pair, shells 1 and 2\n"
    "                     'Cu-Ni@1=-0.1,Cu-Pd@1=0.1'       two pairs at once\n"
    "                   alpha is rounded to the nearest value the cell allows (a warning says\n"
    "                   when that misses by > 1e-3). A target outside the range this cell and\n"
    "                   composition can reach is refused with the nearest reachable value\n"
    "  --count K        configurations at the target (default 1)\n"
    "  --paper-set      the paper's 22 starting structures: four each at alpha^{host-(rest)}\n"
    "                   = -1/6, 0, 1/6, 2/6, 3/6 and one each at -2/6, 4/6 (host = first\n"
    "                   element); when the cell cannot reach that grid, 7 values spread over\n"
    "                   the reachable range instead (a note says so)\n"
    "  --ordered K      K ordered configurations: host on its prototype sublattice (alpha = -1/3\n"
    "                   for l10/pt2com), the other species shuffled (not for fcc)\n"
    "  --random K       K random arrangements at the composition (alpha ~ 0)\n"
    "  --composition F  atomic fractions, e.g. Ag0.7Pd0.3 (rounded to whole sites; the\n"
    "                   elements follow the formula unless --elements names them); on an\n"
    "                   ordered prototype the surplus of a species moves to random sites\n"
    "  --supercell M    fcc supercell matrix over the primitive fcc cell (0,1/2,1/2)a,\n"
    "                   (1/2,0,1/2)a, (1/2,1/2,0)a: 9 integers by rows, e.g. '-1 1 1 1 -1 1 1 1 "
    "-1'\n"
    "                   is the conventional cube (implies --proto fcc)\n"
    "  --temperature T  Monte Carlo temperature on |N - N*| in pair counts (default 2)\n"
    "  --proto P        fcc | l10 | l12 | pt2com (default pt2com)\n"
    "  --elements A,B   species (default: the formula's, else fcc Pt, l10/l12 Pt,Co, pt2com\n"
    "                   Pt,Co,Cu)\n"
    "  --size N|N1,N2,N3  repetitions of the prototype cell (default 3)\n"
    "  --a A, --c C     lattice constants in Å (default 3.80; c = a)\n"
    "  --format F       extxyz | poscar (default from the file name); --cartesian for POSCAR\n"
    "  --seed N         (default 1); --json FILE summary; --quiet\n";

typedef struct {
    const char *out, *json, *format, *proto_txt, *elements, *size_txt, *target, *composition,
        *supercell;
    double a, c, temperature;
    size_t count, n_ordered, n_random;
    int paper, cartesian, quiet, have_count, have_ordered, have_random, have_c;
    unsigned long long seed;
} gen_args;

typedef struct {
    as_proto proto;
    size_t size[3];
    int general, M[9];
    char sym[MAXK][AS_SYMBOL_MAX];
    size_t K;
    as_lattice_options lopt;
} gen_cell;

static int parse_matrix(const char *cmd, const char *s, int *M)
{
    const char *p = s;
    for (int k = 0; k < 9; k++) {
        while (*p == ' ' || *p == ',' || *p == ';')
            p++;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < -4096 || v > 4096)
            return cli_usage(cmd, "--supercell expects 9 integers by rows, got '%s'", s);
        M[k] = (int)v;
        p = end;
    }
    while (*p == ' ' || *p == ',' || *p == ';')
        p++;
    if (*p)
        return cli_usage(cmd, "--supercell expects 9 integers by rows, got '%s'", s);
    return 0;
}

static void pair_text(const gen_cell *g, as_sro_pair pr, char *buf, size_t cap)
{
    as_sro_pair_format(pr, (const char(*)[AS_SYMBOL_MAX])g->sym, g->K, buf, cap);
}

/* The output description of the configurations of a, g on lat. */
static cli_lattice_out lattice_out(const gen_args *a, const gen_cell *g, const as_lattice *lat)
{
    cli_lattice_out w = {.lat = lat,
                         .proto = g->proto,
                         .size = g->size,
                         .supercell = g->general ? g->M : NULL,
                         .sym = (const char(*)[AS_SYMBOL_MAX])g->sym,
                         .K = g->K,
                         .seed = a->seed,
                         .out = a->out,
                         .format = a->format,
                         .cartesian = a->cartesian};
    return w;
}

/* Target t against the reachable range of its pair and shell: AS_EINVAL naming the nearest
 * reachable value when it lies outside (beyond the cell's alpha step). */
static as_status check_range(const as_lattice *lat, const gen_cell *g, const int *base,
                             const as_sro_target *t, const as_mc_options *mopt, uint64_t seed,
                             size_t idx)
{
    as_rng rr;
    as_rng_stream(&rr, seed, RANGE_TASK + idx);
    double lo, hi;
    as_status st =
        as_lattice_sro_range(lat, g->K, base, t->pair, t->shell, mopt, &rr, &lo, &hi, NULL, NULL);
    if (st != AS_OK)
        return st;
    /* compare the value the cell's grid of pair counts makes of the target */
    as_mc *mc = NULL;
    if ((st = as_mc_create(lat, g->K, t->pair, t->shell, base, &mc)) != AS_OK)
        return st;
    double snapped = as_mc_alpha_of(mc, as_mc_nearest_count(mc, t->alpha)), tol = 1e-9;
    as_mc_free(mc);
    if (snapped >= lo - tol && snapped <= hi + tol)
        return AS_OK;
    char pt[96];
    pair_text(g, t->pair, pt, sizeof pt);
    double near = t->alpha < lo ? lo : hi;
    return as_error_set(AS_EINVAL,
                        "target alpha %.6g of %s (shell %zu) is outside what this "
                        "cell and composition reach, about [%.6g, %.6g]; the nearest "
                        "reachable target is '%s@%zu=%.6g'",
                        t->alpha, pt, t->shell + 1, lo, hi, pt, t->shell + 1, near);
}

int as_cli_lattice_generate(int argc, char **argv)
{
    const char *cmd = "lattice generate";
    gen_args a = {.a = 3.80, .temperature = 2.0, .count = 1, .seed = 1};
    const cli_opt opts[] = {
        {"out", 0, CLI_STR, &a.out, 0, NULL, NULL},
        {"json", 0, CLI_STR, &a.json, 0, NULL, NULL},
        {"format", 0, CLI_STR, &a.format, 0, NULL, NULL},
        {"proto", 0, CLI_STR, &a.proto_txt, 0, NULL, NULL},
        {"elements", 0, CLI_STR, &a.elements, 0, NULL, NULL},
        {"size", 0, CLI_STR, &a.size_txt, 0, NULL, NULL},
        {"supercell", 0, CLI_STR, &a.supercell, 0, NULL, NULL},
        {"composition", 0, CLI_STR, &a.composition, 0, NULL, NULL},
        {"target", 0, CLI_STR, &a.target, 0, NULL, NULL},
        {"count", 0, CLI_SIZE, &a.count, 0, NULL, &a.have_count},
        {"paper-set", 0, CLI_FLAG, &a.paper, 0, NULL, NULL},
        {"ordered", 0, CLI_SIZE, &a.n_ordered, 0, NULL, &a.have_ordered},
        {"random", 0, CLI_SIZE, &a.n_random, 0, NULL, &a.have_random},
        {"temperature", 0, CLI_DOUBLE, &a.temperature, 0, NULL, NULL},
        {"a", 0, CLI_DOUBLE, &a.a, 0, NULL, NULL},
        {"c", 0, CLI_DOUBLE, &a.c, 0, NULL, &a.have_c},
        {"cartesian", 0, CLI_FLAG, &a.cartesian, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &a.seed, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &a.quiet, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int rc = cli_parse(cmd, generate_help, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    gen_cell g;
    memset(&g, 0, sizeof g);
    g.proto = AS_PROTO_PT2COM;
    g.size[0] = g.size[1] = g.size[2] = 3;
    g.lopt = as_lattice_options_default();
    g.lopt.a_ang = a.a;
    g.lopt.c_ang = a.have_c ? a.c : 0;
    if (a.proto_txt && as_proto_parse(a.proto_txt, &g.proto) != AS_OK)
        return cli_usage(cmd, "%s", as_errmsg());
    if (a.supercell) {
        if (a.proto_txt && g.proto != AS_PROTO_FCC)
            return cli_usage(cmd, "--supercell goes with --proto fcc");
        if (a.size_txt)
            return cli_usage(cmd, "give --supercell or --size, not both");
        g.proto = AS_PROTO_FCC;
        g.general = 1;
        if ((rc = parse_matrix(cmd, a.supercell, g.M)))
            return rc;
    }
    if (a.size_txt && (rc = cli_parse_size3(cmd, "--size", a.size_txt, g.size)))
        return rc;
    if (a.format && strcmp(a.format, "extxyz") && strcmp(a.format, "poscar"))
        return cli_usage(cmd, "--format: extxyz or poscar, got '%s'", a.format);
    if (!(a.a > 0) || !(g.lopt.c_ang >= 0))
        return cli_usage(cmd, "--a must be > 0 and --c >= 0");
    if (!(a.temperature >= 0))
        return cli_usage(cmd, "--temperature must be >= 0");
    const cli_file files[] = {{"--out", a.out, 1}, {"--json", a.json, 1}};
    if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
        return rc;
    /* elements and composition */
    double frac[MAXK] = {0};
    int have_frac = 0;
    if (a.composition) {
        as_composition comp;
        if (as_composition_parse(a.composition, &comp) != AS_OK)
            return cli_usage(cmd, "--composition '%s': %s", a.composition, as_errmsg());
        if (comp.n > MAXK)
            return cli_usage(cmd, "--composition: at most %d elements", MAXK);
        if (a.elements) {
            if ((rc = cli_parse_elements(cmd, "--elements", a.elements, g.sym, MAXK, &g.K)))
                return rc;
        } else {
            g.K = comp.n;
            for (size_t p = 0; p < comp.n; p++)
                snprintf(g.sym[p], AS_SYMBOL_MAX, "%s", comp.el[p]->symbol);
        }
        for (size_t q = 0; q < comp.n; q++) {
            size_t p = 0;
            while (p < g.K && strcmp(g.sym[p], comp.el[q]->symbol))
                p++;
            if (p == g.K)
                return cli_usage(cmd, "--composition names %s, which --elements does not",
                                 comp.el[q]->symbol);
            frac[p] = comp.frac[q];
        }
        have_frac = 1;
    } else {
        static const char *const defaults[] = {"Pt", "Pt,Co", "Pt,Co", "Pt,Co,Cu"};
        if ((rc = cli_parse_elements(cmd, "--elements", a.elements ? a.elements : defaults[g.proto],
                                     g.sym, MAXK, &g.K)))
            return rc;
        size_t kp = as_proto_n_species(g.proto);
        if (g.proto != AS_PROTO_FCC && g.K != kp)
            return cli_usage(cmd,
                             "the %s prototype places %zu species; --elements gave %zu "
                             "(--composition allows others)",
                             as_proto_name(g.proto), kp, g.K);
    }
    if (!a.out)
        return cli_usage(cmd, "--out FILE is required");
    int modes = !!a.target + a.paper + a.have_ordered + a.have_random;
    if (modes != 1)
        return cli_usage(cmd, "give exactly one of --target, --paper-set, --ordered, --random");
    if (a.have_count && !a.target)
        return cli_usage(cmd, "--count goes with --target");
    if ((a.target && a.count < 1) || (a.have_ordered && a.n_ordered < 1) ||
        (a.have_random && a.n_random < 1))
        return cli_usage(cmd, "the number of configurations must be >= 1");
    if (g.K < 2)
        return cli_usage(cmd, "generate needs at least two elements");
    if (a.have_ordered && (g.proto == AS_PROTO_FCC || have_frac))
        return cli_usage(cmd, "--ordered needs an ordered prototype (l10, l12, pt2com) at its own "
                              "composition; on fcc use --target at the low end of the range "
                              "(the error of an unreachable --target names it)");
    as_sro_target tg[MAXT];
    size_t nt = 0;
    if (a.target) {
        if (as_sro_targets_parse(a.target, (const char(*)[AS_SYMBOL_MAX])g.sym, g.K, tg, MAXT,
                                 &nt) != AS_OK)
            return cli_usage(cmd, "--target: %s", as_errmsg());
    }
    cli_log_init(a.quiet);
    as_mc_options mopt = as_mc_options_default();
    mopt.temperature = a.temperature;
    as_rng rng;
    as_rng_seed(&rng, a.seed);
    as_lattice *lat = NULL;
    as_status st = g.general ? as_lattice_create_fcc(g.M, &g.lopt, &lat)
                             : as_lattice_create(g.proto, g.size, &g.lopt, &lat);
    if (st != AS_OK)
        return cli_fail(st);
    for (size_t t = 0; t < nt && st == AS_OK; t++)
        if (tg[t].shell >= as_lattice_n_shells(lat)) {
            as_lattice_free(lat);
            g.lopt.n_shells = tg[t].shell + 1 > g.lopt.n_shells ? tg[t].shell + 1 : g.lopt.n_shells;
            for (size_t u = 0; u < nt; u++)
                if (tg[u].shell + 1 > g.lopt.n_shells)
                    g.lopt.n_shells = tg[u].shell + 1;
            st = g.general ? as_lattice_create_fcc(g.M, &g.lopt, &lat)
                           : as_lattice_create(g.proto, g.size, &g.lopt, &lat);
            if (st != AS_OK)
                return cli_fail(st);
        }
    size_t n = as_lattice_n_sites(lat);
    const cli_lattice_out w = lattice_out(&a, &g, lat);
    enum { L = AS_LATTICE_PAPER_LEVELS };
    double paper_alpha[L];
    size_t paper_count[L], paper_total = 0;
    for (size_t k = 0; k < L; k++) {
        paper_alpha[k] = as_lattice_paper_alpha(k);
        paper_count[k] = as_lattice_paper_count(k);
        paper_total += paper_count[k];
    }
    size_t total = a.paper          ? paper_total
                   : a.target       ? a.count
                   : a.have_ordered ? a.n_ordered
                                    : a.n_random;
    int *base = as_calloc(n, sizeof *base), *configs = as_calloc(total * n, sizeof *configs);
    int *ends = as_calloc(2 * n, sizeof *ends);
    const char **kinds = as_calloc(total, sizeof *kinds);
    char targets_text[512] = "";
    as_sro_pair host = as_sro_pair_host(g.K);
    as_sro_pair pr = nt ? tg[0].pair : host;
    double tval = nt ? tg[0].alpha : NAN;
    if (!base || !configs || !ends || !kinds) {
        st = as_error_set(AS_ENOMEM, "out of memory for %zu configurations", total);
        goto done;
    }
    /* the base arrangement: the prototype's decoration, or the composition */
    size_t cnt[MAXK] = {0};
    if (have_frac) {
        double dev;
        if ((st = as_lattice_counts_for_fractions(n, frac, g.K, cnt, &dev)) != AS_OK)
            goto done;
        if (dev > 1e-9 && !a.quiet)
            fprintf(stderr,
                    "alloyscout: note: %s on %zu sites is rounded to whole sites "
                    "(largest deviation %.3g)\n",
                    a.composition, n, dev);
        st = as_lattice_config_with_counts(lat, cnt, g.K, &rng, base);
    } else {
        st = as_lattice_base_config(lat, g.K, &rng, base);
    }
    if (st != AS_OK)
        goto done;
    if (nt == 1 && tg[0].shell == 0) {
        /* one first-shell target: the original generator, after the range check */
        if ((st = check_range(lat, &g, base, &tg[0], &mopt, a.seed, 0)) != AS_OK)
            goto done;
        double got;
        st = as_lattice_generate(lat, g.K, base, pr, tval, a.count, NULL, 0, &mopt, &rng, configs,
                                 &got);
        if (st == AS_ENOCONV) {
            /* the walk from the usual starts missed: start again from the end of the reachable
             * range nearer the target (found by the range search) */
            as_rng rr;
            as_rng_stream(&rr, a.seed, RANGE_TASK);
            double lo, hi;
            st = as_lattice_sro_range(lat, g.K, base, pr, 0, &mopt, &rr, &lo, &hi, ends, ends + n);
            if (st == AS_OK)
                st = as_lattice_generate(lat, g.K,
                                         fabs(tval - lo) < fabs(tval - hi) ? ends : ends + n, pr,
                                         tval, a.count, NULL, 0, &mopt, &rng, configs, &got);
            if (st != AS_OK)
                as_error_prefix(st,
                                "reachable alpha1 here is about [%.6g, %.6g] (a small cell may "
                                "not reach every value in between)",
                                lo, hi);
        }
        for (size_t c = 0; c < a.count; c++)
            kinds[c] = "target";
        if (st == AS_OK && !a.quiet)
            fprintf(stderr, "alloyscout: %zu configuration%s at alpha %.6g\n", a.count,
                    a.count == 1 ? "" : "s", got);
    } else if (nt) {
        for (size_t t = 0; t < nt && st == AS_OK; t++)
            st = check_range(lat, &g, base, &tg[t], &mopt, a.seed, t);
        if (st != AS_OK)
            goto done;
        double *ach = as_calloc(a.count * nt, sizeof *ach);
        if (!ach) {
            st = as_error_set(AS_ENOMEM, "out of memory");
            goto done;
        }
        st = as_lattice_generate_targets(lat, g.K, (const char(*)[AS_SYMBOL_MAX])g.sym, base, tg,
                                         nt, a.count, NULL, 0, &mopt, &rng, configs, ach);
        if (st == AS_OK) {
            size_t len = 0;
            for (size_t t = 0; t < nt; t++) {
                char pt[96];
                pair_text(&g, tg[t].pair, pt, sizeof pt);
                len +=
                    (size_t)snprintf(targets_text + len, sizeof targets_text - len,
                                     "%s%s@%zu=%.17g", t ? "," : "", pt, tg[t].shell + 1, ach[t]);
                if (len >= sizeof targets_text)
                    break;
            }
            if (!a.quiet)
                fprintf(stderr, "alloyscout: %zu configuration%s at %s\n", a.count,
                        a.count == 1 ? "" : "s", targets_text);
        }
        as_free(ach);
        for (size_t c = 0; c < a.count; c++)
            kinds[c] = "target";
    } else if (a.paper) {
        /* the paper's grid, or 7 values over the reachable range when the cell cannot reach it */
        as_rng rr;
        as_rng_stream(&rr, a.seed, RANGE_TASK);
        double lo, hi, grid[L];
        const int *start[L];
        if ((st = as_lattice_sro_range(lat, g.K, base, host, 0, &mopt, &rr, &lo, &hi, ends,
                                       ends + n)) != AS_OK)
            goto done;
        int fits = paper_alpha[0] >= lo - 1e-9 && paper_alpha[L - 1] <= hi + 1e-9;
        as_mc *mc = NULL;
        if ((st = as_mc_create(lat, g.K, host, 0, base, &mc)) != AS_OK)
            goto done;
        for (size_t k = 0; k < L; k++) {
            start[k] = base;
            grid[k] = paper_alpha[k];
            if (!fits) {
                /* ends on the configurations the range search found; inner points on the grid
                 * of reachable pair counts */
                double al = lo + (hi - lo) * (double)k / (double)(L - 1);
                grid[k] = k == 0       ? lo
                          : k == L - 1 ? hi
                                       : as_mc_alpha_of(mc, as_mc_nearest_count(mc, al));
                start[k] = k == 0 ? ends : k == L - 1 ? ends + n : base;
            }
        }
        as_mc_free(mc);
        if (!fits && !a.quiet)
            fprintf(stderr,
                    "alloyscout: note: this cell and composition reach alpha1 of the host "
                    "pair only in about [%.4g, %.4g], not the paper's -1/3 .. 2/3; the "
                    "%zu configurations use %d values spread over that range\n",
                    lo, hi, paper_total, (int)L);
        size_t made = 0;
        for (size_t k = 0; k < L && st == AS_OK; k++) {
            double got;
            st = as_lattice_generate(lat, g.K, start[k], host, grid[k], paper_count[k], configs,
                                     made, &mopt, &rng, configs + made * n, &got);
            for (size_t c = 0; c < paper_count[k]; c++)
                kinds[made + c] = "paper";
            if (st == AS_OK && !a.quiet)
                fprintf(stderr, "alloyscout: %zu configuration%s at alpha %.6g\n", paper_count[k],
                        paper_count[k] == 1 ? "" : "s", got);
            made += paper_count[k];
        }
    } else {
        size_t cn[MAXK] = {0};
        for (size_t i = 0; i < n; i++)
            cn[base[i]]++;
        for (size_t c = 0; c < total && st == AS_OK; c++) {
            int *cf = configs + c * n;
            st = a.have_ordered ? as_lattice_ordered_config(lat, g.K, &rng, cf)
                                : as_lattice_random_config(lat, cn, g.K, &rng, cf);
            kinds[c] = a.have_ordered ? "ordered" : "random";
        }
    }
    if (st == AS_OK)
        st = cli_lattice_write_frames(&w, configs, total, kinds, pr,
                                      nt > 1 || (nt && tg[0].shell) ? targets_text : NULL);
    if (st == AS_OK && !a.quiet)
        fprintf(stderr, "alloyscout: wrote %zu configuration%s of %zu atoms to %s\n", total,
                total == 1 ? "" : "s", n, a.out);
done:
    rc = st == AS_OK ? 0 : cli_fail(st);
    if (!rc && a.json)
        rc = cli_lattice_write_json(&w, a.json, configs, total, pr, nt ? &tval : NULL);
    as_free(base);
    as_free(configs);
    as_free(ends);
    as_free(kinds);
    as_lattice_free(lat);
    return rc;
}
