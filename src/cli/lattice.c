/* alloyscout lattice build|generate|features|convert: prototypes and supercells, configurations
 * of chosen Warren-Cowley order (seed 004, Methods), and the 15-dimensional fingerprints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_int.h"

#define MAXK AS_LATTICE_MAX_SPECIES

/* src/cli/lattice_features.c: the features front end (any fcc cell, or the fingerprint below) */
int as_cli_lattice_features(int argc, char **argv, int (*legacy)(int, char **));
/* src/cli/lattice_generate.c: generate (any prototype, supercell, composition, targets) */
int as_cli_lattice_generate(int argc, char **argv);

typedef struct {
    as_proto proto;
    int have_proto;
    size_t size[3];
    int have_size;
    char symbols[MAXK][AS_SYMBOL_MAX];
    size_t K;
    int have_elements;
    as_lattice_options lopt;
    const char *out, *json, *format;
    int cartesian, quiet;
    uint64_t seed;
} common_opts;

static const char *const default_elements[] = {"Pt", "Pt,Co", "Pt,Co", "Pt,Co,Cu"};

static int opt_proto(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    common_opts *o = dest;
    if (as_proto_parse(arg, &o->proto) != AS_OK)
        return cli_usage(cmd, "%s", as_errmsg());
    o->have_proto = 1;
    return 0;
}

static int opt_elements(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    common_opts *o = dest;
    o->have_elements = 1;
    return cli_parse_elements(cmd, "--elements", arg, o->symbols, MAXK, &o->K);
}

static int opt_size(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    common_opts *o = dest;
    o->have_size = 1;
    return cli_parse_size3(cmd, "--size", arg, o->size);
}

static int opt_format(const char *cmd, const char *opt, const char *arg, void *dest)
{
    (void)opt;
    common_opts *o = dest;
    if (strcmp(arg, "extxyz") && strcmp(arg, "poscar"))
        return cli_usage(cmd, "--format: extxyz or poscar, got '%s'", arg);
    o->format = arg;
    return 0;
}

/* The options every lattice subcommand takes, into t (room for LATTICE_COMMON entries); returns
 * how many were written. The caller appends its own and the NULL entry. */
#define LATTICE_COMMON 12
static size_t common_table(common_opts *o, cli_opt *t)
{
    const cli_opt c[LATTICE_COMMON] = {
        {"proto", 0, CLI_CALL, o, 0, opt_proto, NULL},
        {"elements", 0, CLI_CALL, o, 0, opt_elements, NULL},
        {"size", 0, CLI_CALL, o, 0, opt_size, NULL},
        {"a", 0, CLI_DOUBLE, &o->lopt.a_ang, 0, NULL, NULL},
        {"c", 0, CLI_DOUBLE, &o->lopt.c_ang, 0, NULL, NULL},
        {"out", 0, CLI_STR, &o->out, 0, NULL, NULL},
        {"json", 0, CLI_STR, &o->json, 0, NULL, NULL},
        {"seed", 0, CLI_U64, &o->seed, 0, NULL, NULL},
        {"format", 0, CLI_CALL, o, 0, opt_format, NULL},
        {"shells", 0, CLI_SIZE, &o->lopt.n_shells, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &o->quiet, 0, NULL, NULL},
        {"cartesian", 0, CLI_FLAG, &o->cartesian, 0, NULL, NULL},
    };
    memcpy(t, c, sizeof c);
    return LATTICE_COMMON;
}

static const cli_opt opt_end = {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL};

static void common_init(common_opts *o)
{
    memset(o, 0, sizeof *o);
    o->proto = AS_PROTO_PT2COM;
    o->size[0] = o->size[1] = o->size[2] = 3;
    o->lopt = as_lattice_options_default();
    o->seed = 1;
}

static int finish_common(const char *cmd, common_opts *o)
{
    if (!o->have_elements) {
        int rc = cli_parse_elements(cmd, "--elements", default_elements[o->proto], o->symbols, MAXK,
                                    &o->K);
        if (rc)
            return rc;
    }
    size_t kp = as_proto_n_species(o->proto);
    if (o->proto != AS_PROTO_FCC && o->K != kp)
        return cli_usage(cmd, "the %s prototype places %zu species; --elements gave %zu",
                         as_proto_name(o->proto), kp, o->K);
    if (!(o->lopt.a_ang > 0) || !(o->lopt.c_ang >= 0))
        return cli_usage(cmd, "--a must be > 0 and --c >= 0");
    return 0;
}

/* The output description of the configurations of o on lat. */
static cli_lattice_out lattice_out(const common_opts *o, const as_lattice *lat)
{
    cli_lattice_out w = {.lat = lat,
                         .proto = o->proto,
                         .size = o->size,
                         .sym = (const char(*)[AS_SYMBOL_MAX])o->symbols,
                         .K = o->K,
                         .seed = o->seed,
                         .out = o->out,
                         .format = o->format,
                         .cartesian = o->cartesian};
    return w;
}

static const char build_help[] =
    "usage: alloyscout lattice build --out FILE [options]\n\n"
    "Write one supercell of a prototype (extended XYZ, or POSCAR for *.vasp/POSCAR* names).\n\n"
    "  --proto P        fcc | l10 | l12 | pt2com (default pt2com)\n"
    "  --elements A,B   species in the prototype's order (default: fcc Pt, l10 Pt,Co, l12 Pt,Co\n"
    "                   (A3B: A on the faces), pt2com Pt,Co,Cu)\n"
    "  --size N|N1,N2,N3  repetitions of the prototype cell (default 3)\n"
    "  --a A            cubic fcc lattice constant in Å (default 3.80)\n"
    "  --c C            c of the tetragonal prototypes in Å (default: a)\n"
    "  --format F       extxyz | poscar (default from the file name)\n"
    "  --cartesian      POSCAR with Cartesian coordinates (default Direct)\n"
    "  --seed N         random split for fcc with several elements (default 1)\n"
    "  --json FILE      summary (counts, alpha) as JSON\n"
    "  --quiet          no progress text\n\n"
    "Example: alloyscout lattice build --proto pt2com --elements Pt,Co,Cu --size 3 --out S.extxyz\n"
    "gives the 108-atom cell with 54 Pt, 27 Co, 27 Cu.\n";

static int cmd_build(int argc, char **argv)
{
    const char *cmd = "lattice build";
    common_opts o;
    common_init(&o);
    cli_opt t[LATTICE_COMMON + 1];
    size_t k = common_table(&o, t);
    t[k] = opt_end;
    int prc = cli_parse(cmd, build_help, argc, argv, t, NULL, 0, NULL);
    if (prc)
        return prc < 0 ? 0 : prc;
    int rc = finish_common(cmd, &o);
    if (rc)
        return rc;
    if (!o.out)
        return cli_usage(cmd, "--out FILE is required");
    const cli_file files[] = {{"--out", o.out, 1}, {"--json", o.json, 1}};
    if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
        return rc;
    cli_log_init(o.quiet);
    as_lattice *lat = NULL;
    int *config = NULL;
    as_rng rng;
    as_rng_seed(&rng, o.seed);
    as_status st = as_lattice_create(o.proto, o.size, &o.lopt, &lat);
    if (st != AS_OK)
        return cli_fail(st);
    size_t n = as_lattice_n_sites(lat);
    config = as_calloc(n, sizeof *config);
    if (!config) {
        as_lattice_free(lat);
        return cli_error("out of memory");
    }
    st = as_lattice_base_config(lat, o.K, &rng, config);
    as_sro_pair pr = as_sro_pair_host(o.K);
    cli_lattice_out w = lattice_out(&o, lat);
    if (st == AS_OK)
        st = cli_lattice_write_frames(&w, config, 1, NULL, pr, NULL);
    rc = st == AS_OK ? 0 : cli_fail(st);
    if (!rc && o.json)
        rc = cli_lattice_write_json(&w, o.json, config, 1, pr, NULL);
    if (!rc && !o.quiet) {
        size_t cnt[MAXK] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[config[i]]++;
        fprintf(stderr, "alloyscout: wrote %s: %zu atoms (", o.out, n);
        for (size_t p = 0; p < o.K; p++)
            fprintf(stderr, "%s%s %zu", p ? ", " : "", o.symbols[p], cnt[p]);
        fprintf(stderr, ")\n");
    }
    as_free(config);
    as_lattice_free(lat);
    return rc;
}

static const char features_help[] =
    "usage: alloyscout lattice features FILE [options]\n\n"
    "Print the fingerprint of every frame of FILE (extended XYZ or POSCAR) as CSV: a header, then\n"
    "one row per frame. Atoms are matched to the ideal sites of the prototype supercell by\n"
    "fractional position (relaxed or strained cells are fine); shells are those of the ideal fcc\n"
    "lattice. Columns (K species, P = K(K-1)/2 pairs p < q in element order): alpha1..3 of each\n"
    "pair, then the first-shell bond counts of each pair, then of each like pair. For Pt,Co,M:\n"
    "alpha1_Pt-Co alpha2_Pt-Co alpha3_Pt-Co alpha1_Pt-M ... alpha3_Co-M, bonds_Pt-Co bonds_Pt-M\n"
    "bonds_Co-M bonds_Pt-Pt bonds_Co-Co bonds_M-M (15 columns).\n\n"
    "  --elements A,B,C  element order (default: the file's species_order key, else by count,\n"
    "                    most first, ties by first appearance)\n"
    "  --proto P         prototype (default: the file's proto key, else pt2com)\n"
    "  --size N|N1,N2,N3 supercell (default: the file's size key, else the cube root of\n"
    "                    atoms / basis sites)\n"
    "  --tol T           largest distance of an atom from its site, in first-neighbour distances\n"
    "                    (default 0.35)\n"
    "  --out FILE        write the CSV to FILE instead of standard output\n";

static int frame_lattice(const char *cmd, const common_opts *o, const as_structure *s,
                         as_lattice **lat, common_opts *fo)
{
    *fo = *o;
    const char *v;
    if (!o->have_proto && (v = as_structure_get_info(s, "proto")) != NULL) {
        if (as_proto_parse(v, &fo->proto) != AS_OK)
            return cli_fail(AS_EINVAL);
    }
    if (!o->have_size) {
        v = as_structure_get_info(s, "size");
        unsigned long a, b, c;
        if (v && sscanf(v, "%lu %lu %lu", &a, &b, &c) == 3) {
            fo->size[0] = a;
            fo->size[1] = b;
            fo->size[2] = c;
        } else {
            as_status st = as_proto_cube_size(fo->proto, s->n, fo->size);
            if (st != AS_OK)
                return cli_fail(st);
        }
    }
    if (!o->have_elements) {
        v = as_structure_get_info(s, "species_order");
        if (v) {
            int rc = cli_parse_elements(cmd, "--elements", v, fo->symbols, MAXK, &fo->K);
            if (rc)
                return rc;
        } else {
            as_status st = as_structure_species_order(s, fo->symbols, &fo->K);
            if (st != AS_OK)
                return cli_fail(st);
        }
    }
    static size_t cached_size[3];
    if (*lat && as_lattice_proto(*lat) == fo->proto &&
        !memcmp(cached_size, fo->size, sizeof fo->size))
        return 0;
    memcpy(cached_size, fo->size, sizeof fo->size);
    as_lattice_free(*lat);
    *lat = NULL;
    as_status st = as_lattice_create(fo->proto, fo->size, &fo->lopt, lat);
    return st == AS_OK ? 0 : cli_fail(st);
}

static int cmd_features(int argc, char **argv)
{
    const char *cmd = "lattice features";
    common_opts o;
    common_init(&o);
    double tol = 0.35;
    cli_opt t[LATTICE_COMMON + 2];
    size_t k = common_table(&o, t);
    t[k++] = (cli_opt){"tol", 0, CLI_DOUBLE, &tol, 0, NULL, NULL};
    t[k] = opt_end;
    const char *pos[2];
    size_t npos = 0;
    int prc = cli_parse(cmd, features_help, argc, argv, t, pos, 2, &npos);
    if (prc)
        return prc < 0 ? 0 : prc;
    if (!(tol > 0 && tol < 0.5))
        return cli_usage(cmd, "--tol must be in (0, 0.5)");
    if (npos == 2)
        return cli_usage(cmd, "one input file, got '%s' and '%s'", pos[0], pos[1]);
    const char *file = npos ? pos[0] : NULL;
    if (!file)
        return cli_usage(cmd, "give a structure file");
    if (o.lopt.n_shells < 3)
        return cli_usage(cmd, "--shells must be >= 3 for the fingerprint");
    const cli_file files[] = {{"FILE", file, 0}, {"--out", o.out, 1}, {"--json", o.json, 1}};
    int frc = cli_check_files(cmd, files, CLI_NFILES(files));
    if (frc)
        return frc;
    cli_log_init(o.quiet);
    as_structure **frames = NULL;
    size_t nf = 0;
    as_status st = as_structure_read_any(file, &frames, &nf);
    if (st != AS_OK)
        return cli_fail(st);
    as_outfile *of = NULL; /* standard output ("-") too is written only on success */
    st = as_outfile_open(o.out ? o.out : "-", &of);
    if (st != AS_OK) {
        as_structures_free(frames, nf);
        return cli_fail(st);
    }
    FILE *f = as_outfile_stream(of);
    as_lattice *lat = NULL;
    int *config = NULL;
    int rc = 0;
    size_t dim0 = 0;
    for (size_t k = 0; k < nf && !rc; k++) {
        common_opts fo;
        rc = frame_lattice(cmd, &o, frames[k], &lat, &fo);
        if (rc)
            break;
        size_t dim = as_fingerprint_dim(fo.K);
        if (k == 0) {
            dim0 = dim;
            fprintf(f, "frame");
            for (size_t j = 0; j < dim; j++) {
                char name[64];
                as_fingerprint_name((const char(*)[AS_SYMBOL_MAX])fo.symbols, fo.K, j, name,
                                    sizeof name);
                fprintf(f, ",%s", name);
            }
            fputc('\n', f);
        } else if (dim != dim0) {
            rc = cli_error("%s: frame %zu has %zu species, frame 1 had a different set", file,
                           k + 1, fo.K);
            break;
        }
        as_free(config);
        config = as_calloc(frames[k]->n ? frames[k]->n : 1, sizeof *config);
        double fp[64];
        if (!config) {
            rc = cli_error("out of memory");
            break;
        }
        st = as_lattice_match(lat, frames[k], (const char(*)[AS_SYMBOL_MAX])fo.symbols, fo.K, tol,
                              config);
        if (st == AS_OK)
            st = as_lattice_fingerprint(lat, config, fo.K, fp);
        if (st != AS_OK) {
            as_error_prefix(st, "%s frame %zu", file, k + 1);
            rc = cli_fail(st);
            if (frames[k]->n != as_lattice_n_sites(lat))
                fprintf(stderr, "alloyscout: note: --proto/--size/--fingerprint match the frames "
                                "to a prototype supercell; without them any fcc cell (a "
                                "primitive one too) gives the fcc features\n");
            break;
        }
        fprintf(f, "%zu", k);
        for (size_t j = 0; j < dim; j++)
            fprintf(f, ",%.17g", fp[j]);
        fputc('\n', f);
    }
    if (of) {
        if (rc)
            as_outfile_abort(of);
        else if ((st = as_outfile_commit(of)) != AS_OK)
            rc = cli_fail(st);
    }
    as_free(config);
    as_lattice_free(lat);
    as_structures_free(frames, nf);
    return rc;
}

static const char convert_help[] =
    "usage: alloyscout lattice convert IN OUT [--format extxyz|poscar] [--cartesian]\n\n"
    "Read a structure file (extended XYZ: all frames; POSCAR/CONTCAR, any species-block order;\n"
    "told apart by content) and write it again (extended XYZ with every frame, or a POSCAR of\n"
    "a single frame, Direct unless --cartesian; the format from OUT's name or --format).\n"
    "IN '-' is standard input, OUT '-' standard output (extended XYZ unless --format poscar).\n";

static int cmd_convert(int argc, char **argv)
{
    const char *cmd = "lattice convert";
    common_opts o;
    common_init(&o);
    cli_opt t[LATTICE_COMMON + 1];
    size_t k = common_table(&o, t);
    t[k] = opt_end;
    const char *files[3];
    size_t nfile = 0;
    int prc = cli_parse(cmd, convert_help, argc, argv, t, files, 3, &nfile);
    if (prc)
        return prc < 0 ? 0 : prc;
    if (nfile != 2)
        return cli_usage(cmd, "two files: IN OUT");
    o.out = files[1];
    const cli_file cf[] = {{"IN", files[0], 0}, {"OUT", files[1], 1}, {"--json", o.json, 1}};
    int frc = cli_check_files(cmd, cf, CLI_NFILES(cf));
    if (frc)
        return frc;
    as_structure **frames = NULL;
    size_t nf = 0;
    as_status st = as_structure_read_any(files[0], &frames, &nf);
    if (st == AS_OK) {
        if (cli_lattice_use_poscar(o.format, o.out)) {
            if (nf == 1)
                st = as_poscar_write(o.out, frames[0], !o.cartesian);
            else
                st = as_error_set(AS_EINVAL, "%s holds %zu frames; a POSCAR holds one", files[0],
                                  nf);
        } else {
            st = as_extxyz_write(o.out, frames, nf);
        }
    }
    as_structures_free(frames, nf);
    return st == AS_OK ? 0 : cli_fail(st);
}

static const char lattice_help[] =
    "usage: alloyscout lattice <build|generate|features|convert> [options]\n\n"
    "  build     one supercell of a prototype (fcc, l10, l12, pt2com)\n"
    "  generate  Monte Carlo configurations of chosen Warren-Cowley order, the paper's 22-seed\n"
    "            set, ordered or random configurations\n"
    "  features  CSV of per-frame features: any fcc cell (concentrations, bond fractions, pair\n"
    "            correlations, alpha per shell) or the screen's 15-dimensional fingerprint\n"
    "  convert   read a structure file and write it as extended XYZ or POSCAR\n\n"
    "'alloyscout lattice <sub> --help' for the options of each. Conventions: docs/lattice.md.\n";

int as_cli_lattice(int argc, char **argv)
{
    if (argc < 2) {
        fputs(lattice_help, stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        fputs(lattice_help, stdout);
        return 0;
    }
    if (!strcmp(sub, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(sub, "generate"))
        return as_cli_lattice_generate(argc - 1, argv + 1);
    if (!strcmp(sub, "features"))
        return as_cli_lattice_features(argc - 1, argv + 1, cmd_features);
    if (!strcmp(sub, "convert"))
        return cmd_convert(argc - 1, argv + 1);
    return cli_usage("lattice", "unknown subcommand '%s' (build, generate, features, convert)",
                     sub);
}
