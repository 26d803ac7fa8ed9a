/* alloyscout lattice features: per-frame features as CSV. Two paths:
 *  - any fcc cell (the default for files from elsewhere): the fcc lattice and supercell matrix
 *    are found per frame (as_lattice_from_structure), the columns are intensive (as_fcc_features)
 *    and every comment-line key of the frame is passed through;
 *  - the prototype fingerprint of the screen (15 columns for Pt2CoM) when the frames carry the
 *    proto and size keys alloyscout writes, or --proto/--size/--fingerprint is given; that path
 *    is the original command in lattice.c, called with one element order for the whole file. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAXK AS_LATTICE_MAX_SPECIES

static const char features_help[] =
    "usage: alloyscout lattice features FILE [options]\n\n"
    "One CSV row of features per frame of FILE (extended XYZ or POSCAR).\n\n"
    "Any fcc cell (default unless the frames carry alloyscout's proto and size keys): the fcc\n"
    "lattice, its lattice constant and the integer supercell matrix are found for each frame, so\n"
    "primitive, conventional, non-orthogonal and relaxed cells of any supercell matrix work, and\n"
    "atoms outside the cell are fine. A frame that is not fcc is refused with the reason (the\n"
    "offending atom and its distance from the nearest site). One element order holds for the\n"
    "file: --elements, else the sorted union of all frames' species. Columns:\n"
    "  frame, n_atoms, a_ang (cubic lattice constant of the cell's volume), then every key of\n"
    "  the frames' comment lines (energy=, mixing_energy=, any other; empty where a frame lacks\n"
    "  it), then for species p, q (element order) and shells s = 1..S:\n"
    "  c_p                concentration\n"
    "  bondfrac{s}_p-q    fraction of the shell's bonds joining p and q (p <= q)\n"
    "  pcf{s}_p-q         pair correlation P_s(p,q) - c_p c_q (p < q); 0 for pure or random\n"
    "  alpha{s}_p-q       Warren-Cowley alpha = -pcf / (c_p c_q); empty when a species is absent\n"
    "  trip_p-q-r         (--triplets) fraction of nearest-neighbour triangles p,q,r\n\n"
    "  --elements A,B     element order for every frame\n"
    "  --shells S         shells 1..4 (default 3)\n"
    "  --triplets         add the nearest-neighbour triangle fractions\n"
    "  --tol T            largest distance of an atom from its site, in nearest-neighbour\n"
    "                     distances (default 0.35)\n"
    "  --max-strain E     largest principal stretch of the cell from ideal fcc (default 0.1)\n"
    "  --fcc              this path even when the frames carry proto and size keys\n"
    "  --out FILE         write the CSV to FILE (atomically) instead of standard output\n"
    "  --quiet            no notes on standard error\n\n"
    "Prototype fingerprint (the screen's 15 columns for Pt,Co,M; used when every frame has the\n"
    "proto and size keys, or with --fingerprint, --proto, --size): atoms are matched to the\n"
    "prototype supercell; columns alpha1..3 of each pair p < q, then first-shell bond counts of\n"
    "each unlike, then each like pair. Options --proto P, --size N|N1,N2,N3, --a, --c, --shells,\n"
    "--tol, --elements (default: the frames' species_order key, else by total count over the\n"
    "file, most first), --out, --quiet. Conventions: docs/lattice.md.\n";

typedef struct {
    const char *elements, *out, *proto, *size, *a, *c;
    size_t shells;
    int triplets, fcc, fingerprint, quiet, have_shells;
    double tol, max_strain;
} feat_args;

/* Species of every frame, in order of first appearance (with total counts). */
static size_t species_union(as_structure **frames, size_t nf, char (*sym)[AS_SYMBOL_MAX],
                            size_t *count, size_t cap)
{
    size_t K = 0;
    for (size_t f = 0; f < nf; f++)
        for (size_t i = 0; i < frames[f]->n; i++) {
            const char *s = frames[f]->symbols[frames[f]->species[i]];
            size_t p = 0;
            while (p < K && strcmp(sym[p], s))
                p++;
            if (p == K) {
                if (K == cap)
                    return cap + 1;
                snprintf(sym[K], AS_SYMBOL_MAX, "%s", s);
                count[K++] = 0;
            }
            count[p]++;
        }
    return K;
}

/* The legacy path: one element order for the whole file, passed as --elements. */
static int run_fingerprint(int argc, char **argv, const feat_args *a, as_structure **frames,
                           size_t nf, int (*legacy)(int, char **))
{
    const char *cmd = "lattice features";
    char order[MAXK * AS_SYMBOL_MAX + MAXK] = "";
    if (!a->elements) {
        const char *so = as_structure_get_info(frames[0], "species_order");
        int same = so != NULL;
        for (size_t f = 1; f < nf && same; f++) {
            const char *o = as_structure_get_info(frames[f], "species_order");
            same = o && !strcmp(o, so);
        }
        if (same) {
            snprintf(order, sizeof order, "%s", so);
        } else {
            char sym[MAXK + 1][AS_SYMBOL_MAX];
            size_t cnt[MAXK + 1], K = species_union(frames, nf, sym, cnt, MAXK);
            if (K > MAXK)
                return cli_error("more than %d species in the file", MAXK);
            /* most atoms first over the whole file; ties keep first appearance */
            size_t idx[MAXK];
            for (size_t p = 0; p < K; p++)
                idx[p] = p;
            for (size_t x = 1; x < K; x++)
                for (size_t y = x; y > 0 && cnt[idx[y]] > cnt[idx[y - 1]]; y--) {
                    size_t t = idx[y];
                    idx[y] = idx[y - 1];
                    idx[y - 1] = t;
                }
            for (size_t p = 0; p < K; p++) {
                strcat(order, p ? "," : "");
                strcat(order, sym[idx[p]]);
            }
        }
    }
    int n2 = argc + 2;
    char **av = as_calloc((size_t)n2 + 1, sizeof *av);
    if (!av)
        return cli_error("out of memory");
    for (int i = 0; i < argc; i++)
        av[i] = argv[i];
    int m = argc;
    if (!a->elements) {
        av[m++] = "--elements";
        av[m++] = order;
    }
    /* --fingerprint is this front end's own flag */
    int k = 0;
    for (int i = 0; i < m; i++)
        if (strcmp(av[i], "--fingerprint"))
            av[k++] = av[i];
    (void)cmd;
    int rc = legacy(k, av);
    as_free(av);
    return rc;
}

static int sym_cmp(const void *a, const void *b) { return strcmp(a, b); }

int as_cli_lattice_features(int argc, char **argv, int (*legacy)(int, char **));

int as_cli_lattice_features(int argc, char **argv, int (*legacy)(int, char **))
{
    const char *cmd = "lattice features";
    feat_args a = {.shells = 3, .tol = AS_LATTICE_SITE_TOL_FRAC, .max_strain = 0.1};
    const cli_opt opts[] = {
        {"elements", 0, CLI_STR, &a.elements, 0, NULL, NULL},
        {"shells", 0, CLI_SIZE, &a.shells, 0, NULL, &a.have_shells},
        {"triplets", 0, CLI_FLAG, &a.triplets, 0, NULL, NULL},
        {"tol", 0, CLI_DOUBLE, &a.tol, 0, NULL, NULL},
        {"max-strain", 0, CLI_DOUBLE, &a.max_strain, 0, NULL, NULL},
        {"fcc", 0, CLI_FLAG, &a.fcc, 0, NULL, NULL},
        {"fingerprint", 0, CLI_FLAG, &a.fingerprint, 0, NULL, NULL},
        {"proto", 0, CLI_STR, &a.proto, 0, NULL, NULL},
        {"size", 0, CLI_STR, &a.size, 0, NULL, NULL},
        {"a", 0, CLI_STR, &a.a, 0, NULL, NULL},
        {"c", 0, CLI_STR, &a.c, 0, NULL, NULL},
        {"out", 0, CLI_STR, &a.out, 0, NULL, NULL},
        {"quiet", 0, CLI_FLAG, &a.quiet, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    const char *pos[1];
    size_t npos = 0;
    int rc = cli_parse(cmd, features_help, argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (npos != 1)
        return cli_usage(cmd, "give one structure file");
    if (!(a.tol > 0 && a.tol < 0.5))
        return cli_usage(cmd, "--tol must be in (0, 0.5)");
    if (!(a.max_strain > 0 && a.max_strain < 0.5))
        return cli_usage(cmd, "--max-strain must be in (0, 0.5)");
    if (a.fcc && (a.fingerprint || a.proto || a.size || a.a || a.c))
        return cli_usage(cmd, "--fcc does not go with --fingerprint, --proto, --size, --a, --c");
    if (a.triplets && (a.fingerprint || a.proto || a.size))
        return cli_usage(cmd, "--triplets needs the fcc path (not --fingerprint/--proto/--size)");
    const char *file = pos[0];
    const cli_file files[] = {{"FILE", file, 0}, {"--out", a.out, 1}};
    if ((rc = cli_check_files(cmd, files, CLI_NFILES(files))))
        return rc;
    as_structure **frames = NULL;
    size_t nf = 0;
    as_status st = as_structure_read_any(file, &frames, &nf);
    if (st != AS_OK)
        return cli_fail(st);
    int proto_path = a.fingerprint || a.proto || a.size || a.a || a.c;
    if (!a.fcc && !proto_path) {
        proto_path = 1;
        for (size_t f = 0; f < nf && proto_path; f++)
            proto_path = as_structure_get_info(frames[f], "proto") &&
                         as_structure_get_info(frames[f], "size");
    }
    if (proto_path) {
        rc = run_fingerprint(argc, argv, &a, frames, nf, legacy);
        as_structures_free(frames, nf);
        return rc;
    }
    if (a.shells < 1 || a.shells > 4) {
        as_structures_free(frames, nf);
        return cli_usage(cmd, "--shells must be in 1..4");
    }
    cli_log_init(a.quiet);
    /* element order */
    char sym[MAXK + 1][AS_SYMBOL_MAX];
    size_t K, cnt[MAXK + 1];
    int by_union = !a.elements;
    if (a.elements) {
        rc = cli_parse_elements(cmd, "--elements", a.elements, sym, MAXK, &K);
        if (rc) {
            as_structures_free(frames, nf);
            return rc;
        }
    } else {
        K = species_union(frames, nf, sym, cnt, MAXK);
        if (K > MAXK) {
            as_structures_free(frames, nf);
            return cli_error("%s: more than %d species", file, MAXK);
        }
        qsort(sym, K, sizeof sym[0], sym_cmp);
    }
    /* pass-through columns: energy, then every info key in order of first appearance */
    size_t nkeys = 0, capk = 16;
    const char **keys = as_calloc(capk, sizeof *keys);
    int any_energy = 0;
    for (size_t f = 0; f < nf; f++)
        any_energy |= frames[f]->has_energy;
    size_t dim = as_fcc_features_dim(K, a.shells, a.triplets);
    char(*names)[48] = as_calloc(dim, sizeof *names);
    const char **fields = NULL;
    char(*numbuf)[32] = NULL;
    double *feat = as_calloc(dim, sizeof *feat);
    int *config = NULL;
    as_outfile *of = NULL;
    FILE *out = stdout;
    char *mem = NULL;
    size_t mem_len = 0;
    size_t undefined = 0;
    if (!keys || !names || !feat) {
        rc = cli_error("out of memory");
        goto done;
    }
    for (size_t j = 0; j < dim; j++)
        as_fcc_features_name((const char(*)[AS_SYMBOL_MAX])sym, K, a.shells, a.triplets, j,
                             names[j], sizeof names[j]);
    for (size_t f = 0; f < nf; f++)
        for (size_t i = 0; i < frames[f]->n_info; i++) {
            const char *k = frames[f]->info_keys[i];
            size_t j = 0;
            while (j < nkeys && strcmp(keys[j], k))
                j++;
            if (j < nkeys)
                continue;
            if (nkeys == capk) {
                const char **nk = as_realloc(keys, 2 * capk * sizeof *keys);
                if (!nk) {
                    rc = cli_error("out of memory");
                    goto done;
                }
                keys = nk;
                capk *= 2;
            }
            keys[nkeys++] = k;
        }
    size_t ncol = 3 + (size_t)any_energy + nkeys + dim;
    fields = as_calloc(ncol, sizeof *fields);
    numbuf = as_calloc(ncol, sizeof *numbuf);
    if (!fields || !numbuf) {
        rc = cli_error("out of memory");
        goto done;
    }
    /* standard output gets the table only when every frame worked: it is built in memory */
    if (a.out) {
        if ((st = as_outfile_open(a.out, &of)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        out = as_outfile_stream(of);
    } else if (!(out = open_memstream(&mem, &mem_len))) {
        rc = cli_error("cannot buffer the output");
        goto done;
    }
    /* header; a passed-through key that collides with a feature column gets "info_" */
    char(*hdr)[64] = as_calloc(ncol, sizeof *hdr);
    if (!hdr) {
        rc = cli_error("out of memory");
        goto done;
    }
    {
        size_t c = 0;
        snprintf(hdr[c++], 64, "frame");
        snprintf(hdr[c++], 64, "n_atoms");
        snprintf(hdr[c++], 64, "a_ang");
        if (any_energy)
            snprintf(hdr[c++], 64, "energy");
        for (size_t j = 0; j < nkeys; j++) {
            int clash = !strcmp(keys[j], "frame") || !strcmp(keys[j], "n_atoms") ||
                        !strcmp(keys[j], "a_ang") || (any_energy && !strcmp(keys[j], "energy"));
            for (size_t q = 0; q < dim && !clash; q++)
                clash = !strcmp(keys[j], names[q]);
            snprintf(hdr[c++], 64, "%s%s", clash ? "info_" : "", keys[j]);
        }
        for (size_t j = 0; j < dim; j++)
            snprintf(hdr[c++], 64, "%s", names[j]);
        for (size_t j = 0; j < ncol; j++)
            fields[j] = hdr[j];
        if ((st = as_csv_write_row(out, fields, ncol)) != AS_OK) {
            as_free(hdr);
            rc = cli_fail(st);
            goto done;
        }
    }
    as_free(hdr);
    as_fcc_options fopt = as_fcc_options_default();
    fopt.site_tol_frac = a.tol;
    fopt.max_strain = a.max_strain;
    for (size_t f = 0; f < nf; f++) {
        const as_structure *s = frames[f];
        as_free(config);
        config = as_calloc(s->n ? s->n : 1, sizeof *config);
        if (!config) {
            rc = cli_error("out of memory");
            goto done;
        }
        as_lattice *lat = NULL;
        as_fcc_cell cell;
        st = as_lattice_from_structure(s, (const char(*)[AS_SYMBOL_MAX])sym, K, &fopt, a.shells,
                                       &lat, config, &cell);
        if (st == AS_OK)
            st = as_fcc_features(lat, config, K, a.shells, a.triplets, feat);
        as_lattice_free(lat);
        if (st != AS_OK) {
            as_error_prefix(st, "%s frame %zu", file, f + 1);
            rc = cli_fail(st);
            goto done;
        }
        size_t c = 0;
        snprintf(numbuf[c], 32, "%zu", f);
        fields[c] = numbuf[c];
        c++;
        snprintf(numbuf[c], 32, "%zu", s->n);
        fields[c] = numbuf[c];
        c++;
        snprintf(numbuf[c], 32, "%.17g", cell.a_ang);
        fields[c] = numbuf[c];
        c++;
        if (any_energy) {
            if (s->has_energy)
                snprintf(numbuf[c], 32, "%.17g", s->energy);
            else
                numbuf[c][0] = 0;
            fields[c] = numbuf[c];
            c++;
        }
        for (size_t j = 0; j < nkeys; j++) {
            const char *v = as_structure_get_info(s, keys[j]);
            fields[c++] = v ? v : "";
        }
        int undef = 0;
        for (size_t j = 0; j < dim; j++) {
            if (isnan(feat[j])) {
                numbuf[c][0] = 0;
                undef = 1;
            } else {
                snprintf(numbuf[c], 32, "%.17g", feat[j]);
            }
            fields[c] = numbuf[c];
            c++;
        }
        undefined += (size_t)undef;
        if ((st = as_csv_write_row(out, fields, ncol)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    }
    if (of) {
        st = as_outfile_commit(of);
        of = NULL;
        out = NULL;
        if (st != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
    } else {
        fclose(out);
        out = NULL;
        if (fwrite(mem, 1, mem_len, stdout) != mem_len || fflush(stdout)) {
            rc = cli_error("cannot write to standard output");
            goto done;
        }
    }
    if (!a.quiet) {
        fprintf(stderr, "alloyscout: lattice features: %zu frame%s, elements ", nf,
                nf == 1 ? "" : "s");
        for (size_t p = 0; p < K; p++)
            fprintf(stderr, "%s%s", p ? "," : "", sym[p]);
        fprintf(stderr, " (%s), %zu shell%s%s\n",
                by_union ? "sorted union of the file's species" : "--elements", a.shells,
                a.shells == 1 ? "" : "s", a.triplets ? ", triplets" : "");
        if (undefined)
            fprintf(stderr,
                    "alloyscout: note: %zu of %zu frames lack one of the elements (pure "
                    "frames, for instance): Warren-Cowley alpha is undefined there and "
                    "its cells are empty; the pcf columns are defined for every frame\n",
                    undefined, nf);
    }
done:
    if (of)
        as_outfile_abort(of);
    else if (out && out != stdout)
        fclose(out);
    free(mem);
    as_free(keys);
    as_free(names);
    as_free(fields);
    as_free(numbuf);
    as_free(feat);
    as_free(config);
    as_structures_free(frames, nf);
    return rc;
}
