/* The structure files and JSON summaries the lattice subcommands write (lattice_int.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lattice_int.h"

int cli_lattice_use_poscar(const char *format, const char *out)
{
    if (format)
        return !strcmp(format, "poscar");
    const char *b = strrchr(out, '/');
    b = b ? b + 1 : out;
    size_t n = strlen(b);
    return strstr(b, "POSCAR") || strstr(b, "CONTCAR") ||
           (n > 5 && !strcasecmp(b + n - 5, ".vasp")) ||
           (n > 7 && !strcasecmp(b + n - 7, ".poscar"));
}

as_status cli_lattice_write_frames(const cli_lattice_out *w, const int *configs, size_t count,
                                   const char *const *kinds, as_sro_pair pr,
                                   const char *targets_text)
{
    size_t n = as_lattice_n_sites(w->lat);
    as_status st = AS_OK;
    as_structure **frames = as_calloc(count ? count : 1, sizeof *frames);
    if (!frames)
        return as_error_set(AS_ENOMEM, "cannot allocate frames");
    char pt[96], buf[64];
    as_sro_pair_format(pr, w->sym, w->K, pt, sizeof pt);
    for (size_t c = 0; c < count && st == AS_OK; c++) {
        st = as_lattice_to_structure(w->lat, configs + c * n, w->sym, w->K, NULL, &frames[c]);
        snprintf(buf, sizeof buf, "%zu", c);
        if (st == AS_OK)
            st = as_structure_set_info(frames[c], "config", buf);
        if (st == AS_OK && kinds)
            st = as_structure_set_info(frames[c], "kind", kinds[c]);
        if (w->K < 2)
            continue;
        double al = NAN;
        if (st == AS_OK)
            st = as_lattice_sro(w->lat, configs + c * n, w->K, pr, 0, &al);
        if (st == AS_OK)
            st = as_structure_set_info(frames[c], "sro_pair", pt);
        snprintf(buf, sizeof buf, "%.17g", al);
        if (st == AS_OK)
            st = as_structure_set_info(frames[c], "sro_alpha1", buf);
        if (st == AS_OK && targets_text)
            st = as_structure_set_info(frames[c], "sro_targets", targets_text);
    }
    if (st == AS_OK) {
        if (cli_lattice_use_poscar(w->format, w->out)) {
            if (count != 1)
                st = as_error_set(
                    AS_EINVAL, "a POSCAR holds one structure; %zu were made (use .extxyz)", count);
            else
                st = as_poscar_write(w->out, frames[0], !w->cartesian);
        } else {
            st = as_extxyz_write(w->out, frames, count);
        }
    }
    as_structures_free(frames, count);
    return st;
}

int cli_lattice_write_json(const cli_lattice_out *w, const char *path, const int *configs,
                           size_t count, as_sro_pair pr, const double *target)
{
    size_t n = as_lattice_n_sites(w->lat);
    as_outfile *of;
    as_status st = as_outfile_open(path, &of);
    if (st != AS_OK)
        return cli_fail(st);
    FILE *f = as_outfile_stream(of);
    char pt[96];
    as_sro_pair_format(pr, w->sym, w->K, pt, sizeof pt);
    fprintf(f, "{\n  \"proto\": \"%s\",\n", as_proto_name(w->proto));
    const int *M = w->supercell;
    if (M)
        fprintf(f, "  \"supercell\": [%d, %d, %d, %d, %d, %d, %d, %d, %d],\n", M[0], M[1], M[2],
                M[3], M[4], M[5], M[6], M[7], M[8]);
    else
        fprintf(f, "  \"size\": [%zu, %zu, %zu],\n", w->size[0], w->size[1], w->size[2]);
    fprintf(f, "  \"sites\": %zu,\n  \"seed\": %llu,\n  \"elements\": [", n, w->seed);
    for (size_t p = 0; p < w->K; p++)
        fprintf(f, "%s\"%s\"", p ? ", " : "", w->sym[p]);
    fprintf(f, "],\n  \"sro_pair\": \"%s\",\n", pt);
    if (target)
        fprintf(f, "  \"target_alpha\": %.17g,\n", *target);
    fprintf(f, "  \"configs\": [\n");
    for (size_t c = 0; c < count; c++) {
        const int *cf = configs + c * n;
        size_t cnt[AS_LATTICE_MAX_SPECIES] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[cf[i]]++;
        double al = NAN;
        if (w->K >= 2)
            as_lattice_sro(w->lat, cf, w->K, pr, 0, &al);
        fprintf(f, "    {\"counts\": {");
        for (size_t p = 0; p < w->K; p++)
            fprintf(f, "%s\"%s\": %zu", p ? ", " : "", w->sym[p], cnt[p]);
        if (isfinite(al))
            fprintf(f, "}, \"alpha1\": %.17g}%s\n", al, c + 1 < count ? "," : "");
        else
            fprintf(f, "}, \"alpha1\": null}%s\n", c + 1 < count ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    st = as_outfile_commit(of);
    return st == AS_OK ? 0 : cli_fail(st);
}
