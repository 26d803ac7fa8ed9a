/* The LAMMPS library backend ("lammps:PAIR_STYLE;PAIR_COEFF"): each structure is set up in a
 * LAMMPS instance (LAMMPS C library interface, <lammps/library.h>), `run 0` computes energy,
 * per-atom energies (compute pe/atom) and forces, gathered in atom-id order. The cell is rotated
 * into LAMMPS's restricted triclinic form (a along x, b in the xy plane); forces are rotated
 * back. Compiled in when CMake finds liblammps (AS_HAVE_LAMMPS); otherwise the spec gives
 * AS_EUNSUP. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oracle_int.h"

as_status as_lmp_box(const double *h, double *box, double *rot)
{
    /* QR of H^T: new axes e1 = a/|a|, e2 = (b - (b.e1) e1)/|..|, e3 = e1 x e2 */
    const double *a = h, *b = h + 3, *c = h + 6;
    double la = sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
    if (!(la > 0))
        return AS_FAIL(AS_EINVAL, "lammps: zero lattice vector");
    double e1[3] = {a[0] / la, a[1] / la, a[2] / la};
    double bx = b[0] * e1[0] + b[1] * e1[1] + b[2] * e1[2];
    double t[3] = {b[0] - bx * e1[0], b[1] - bx * e1[1], b[2] - bx * e1[2]};
    double by = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
    if (!(by > 0))
        return AS_FAIL(AS_EINVAL, "lammps: collinear lattice vectors");
    double e2[3] = {t[0] / by, t[1] / by, t[2] / by};
    double e3[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                    e1[0] * e2[1] - e1[1] * e2[0]};
    double cx = c[0] * e1[0] + c[1] * e1[1] + c[2] * e1[2];
    double cy = c[0] * e2[0] + c[1] * e2[1] + c[2] * e2[2];
    double cz = c[0] * e3[0] + c[1] * e3[1] + c[2] * e3[2];
    if (!(cz > 0))
        return AS_FAIL(AS_EINVAL, "lammps: the cell is left-handed or flat (c.z = %g)", cz);
    box[0] = la;
    box[1] = by;
    box[2] = cz;
    box[3] = bx; /* xy */
    box[4] = cx; /* xz */
    box[5] = cy; /* yz */
    for (int k = 0; k < 3; k++) {
        rot[k] = e1[k];
        rot[3 + k] = e2[k];
        rot[6 + k] = e3[k];
    }
    return AS_OK;
}

#ifdef AS_HAVE_LAMMPS
#include <dlfcn.h>
#include <lammps/library.h>

/* liblammps is large (it pulls in MPI and dozens of libraries): it is loaded with dlopen when a
 * lammps: oracle is first used, so no other command pays for loading it. The header only
 * supplies the prototypes (as __typeof__), nothing is linked. */
static struct {
    int tried;
    void *lib;
    __typeof__(lammps_open_no_mpi) *open_no_mpi;
    __typeof__(lammps_close) *close;
    __typeof__(lammps_command) *command;
    __typeof__(lammps_has_error) *has_error;
    __typeof__(lammps_get_last_error_message) *get_last_error_message;
    __typeof__(lammps_create_atoms) *create_atoms;
    __typeof__(lammps_get_thermo) *get_thermo;
    __typeof__(lammps_gather_atoms) *gather_atoms;
    __typeof__(lammps_gather) *gather;
} lmp_api;

#ifndef AS_LAMMPS_LIBRARY
#define AS_LAMMPS_LIBRARY "liblammps.so.0"
#endif

static as_status lmp_load(void)
{
    if (lmp_api.lib)
        return AS_OK;
    if (!lmp_api.tried) {
        lmp_api.tried = 1;
        lmp_api.lib = dlopen(AS_LAMMPS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!lmp_api.lib)
            lmp_api.lib = dlopen("liblammps.so.0", RTLD_NOW | RTLD_LOCAL);
    }
    if (!lmp_api.lib)
        return AS_FAIL(AS_EUNSUP, "lammps: cannot load the LAMMPS library (%s): %s",
                       AS_LAMMPS_LIBRARY, dlerror());
#define LOAD(name)                                                                    \
    *(void **)&lmp_api.name = dlsym(lmp_api.lib, "lammps_" #name);                  \
    if (!lmp_api.name)                                                                \
        return AS_FAIL(AS_EUNSUP, "lammps: the library lacks lammps_%s", #name);
    LOAD(open_no_mpi)
    LOAD(close)
    LOAD(command)
    LOAD(has_error)
    LOAD(get_last_error_message)
    LOAD(create_atoms)
    LOAD(get_thermo)
    LOAD(gather_atoms)
    LOAD(gather)
#undef LOAD
    return AS_OK;
}

struct as_lmp {
    char *style, *coeff;
    char (*types)[AS_SYMBOL_MAX]; /* element names of the LAMMPS types, from pair_coeff */
    size_t n_types;
};

void as_lmp_free(as_lmp *l)
{
    if (!l)
        return;
    as_free(l->style);
    as_free(l->coeff);
    as_free(l->types);
    as_free(l);
}

as_status as_lmp_create(const char *spec, as_lmp **out)
{
    *out = NULL;
    AS_TRY(lmp_load());
    const char *semi = strchr(spec, ';');
    if (!semi || semi == spec || !semi[1])
        return AS_FAIL(AS_EINVAL, "oracle spec 'lammps:%s': expected 'lammps:PAIR_STYLE;PAIR_COEFF'"
                                  " (e.g. lammps:eam/alloy;* * CuNi.eam.alloy Cu Ni)", spec);
    as_lmp *l = as_calloc(1, sizeof *l);
    if (!l)
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    l->style = as_malloc((size_t)(semi - spec) + 1);
    l->coeff = as_strdup(semi + 1);
    size_t nw = strlen(semi + 1) / 2 + 2;
    l->types = as_calloc(nw, sizeof *l->types);
    if (!l->style || !l->coeff || !l->types) {
        as_lmp_free(l);
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    }
    memcpy(l->style, spec, (size_t)(semi - spec));
    l->style[semi - spec] = '\0';
    /* the trailing element symbols of pair_coeff name the types, in order */
    char *tmp = as_strdup(l->coeff);
    if (!tmp) {
        as_lmp_free(l);
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    }
    char *words[256];
    size_t n = 0;
    char *save = NULL;
    for (char *w = strtok_r(tmp, " \t", &save); w && n < 256; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    size_t first = n;
    while (first > 0 && as_lattice_element_z(words[first - 1]) > 0)
        first--;
    for (size_t k = first; k < n; k++)
        snprintf(l->types[l->n_types++], AS_SYMBOL_MAX, "%s", words[k]);
    as_free(tmp);
    if (l->n_types == 0) {
        as_lmp_free(l);
        return AS_FAIL(AS_EINVAL, "lammps: pair_coeff '%s' must end with the element of each type",
                       semi + 1);
    }
    *out = l;
    return AS_OK;
}

static as_status lmp_cmd(void *h, const char *cmd)
{
    lmp_api.command(h, cmd);
    if (lmp_api.has_error(h)) {
        char buf[512] = "";
        lmp_api.get_last_error_message(h, buf, sizeof buf);
        return AS_FAIL(AS_EORACLE, "lammps: '%s' failed: %s", cmd, buf);
    }
    return AS_OK;
}

/* Runs in a forked child: the Debian liblammps is built without exceptions, so a LAMMPS error
 * ends the process that made it; the parent survives and reports it. */
static as_status lmp_run(as_lmp *l, const as_structure *s, const char *logpath, double *energy,
                         double *e_atom, double *forces)
{
    as_status st = AS_OK;
    void *h = NULL;
    int *type = NULL, *id = NULL;
    double *x = NULL, *buf = NULL;
    double box[6], rot[9];
    char line[4096];
    double inv[9];
    AS_TRY(as_lmp_box(s->cell, box, rot));
    AS_TRY(as_cell_inverse(s->cell, inv, NULL));
    int tmap[256];
    for (size_t k = 0; k < s->n_symbols && k < 256; k++) {
        tmap[k] = 0;
        for (size_t t = 0; t < l->n_types; t++)
            if (!strcmp(l->types[t], s->symbols[k])) {
                tmap[k] = (int)t + 1;
                break;
            }
    }
    AS_CHECK(AS_ALLOC(type, s->n + 1, "lammps atoms"));
    AS_CHECK(AS_ALLOC(id, s->n + 1, "lammps atoms"));
    AS_CHECK(AS_ALLOC(x, 3 * s->n + 1, "lammps atoms"));
    AS_CHECK(AS_ALLOC(buf, 3 * s->n + 1, "lammps atoms"));
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        if (sp < 0 || (size_t)sp >= s->n_symbols || sp >= 256 || !tmap[sp]) {
            st = AS_FAIL(AS_EINVAL, "lammps: element '%s' is not named in pair_coeff '%s'",
                         (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?", l->coeff);
            goto fail;
        }
        type[i] = tmap[sp];
        id[i] = (int)i + 1;
        /* wrap into the cell (create_atoms drops atoms outside the box), then rotate */
        double u[3], r[3];
        for (int k = 0; k < 3; k++) {
            const double *p = s->pos + 3 * i;
            u[k] = p[0] * inv[k] + p[1] * inv[3 + k] + p[2] * inv[6 + k];
            u[k] -= floor(u[k]);
            if (u[k] >= 1.0)
                u[k] = 0.0;
        }
        for (int k = 0; k < 3; k++)
            r[k] = u[0] * s->cell[k] + u[1] * s->cell[3 + k] + u[2] * s->cell[6 + k];
        for (int k = 0; k < 3; k++)
            x[3 * i + k] = rot[3 * k] * r[0] + rot[3 * k + 1] * r[1] + rot[3 * k + 2] * r[2];
    }
    char *args[] = {"alloyscout", "-log", (char *)logpath, "-screen", "none", "-nocite", NULL};
    h = lmp_api.open_no_mpi(6, args, NULL);
    if (!h) {
        st = AS_FAIL(AS_EORACLE, "lammps: cannot create an instance");
        goto fail;
    }
    AS_CHECK(lmp_cmd(h, "units metal"));
    AS_CHECK(lmp_cmd(h, "atom_style atomic"));
    AS_CHECK(lmp_cmd(h, "atom_modify map array sort 0 0"));
    AS_CHECK(lmp_cmd(h, "boundary p p p"));
    snprintf(line, sizeof line, "region cell prism 0 %.17g 0 %.17g 0 %.17g %.17g %.17g %.17g "
                                "units box", box[0], box[1], box[2], box[3], box[4], box[5]);
    AS_CHECK(lmp_cmd(h, line));
    snprintf(line, sizeof line, "create_box %zu cell", l->n_types);
    AS_CHECK(lmp_cmd(h, line));
    AS_CHECK(lmp_cmd(h, "mass * 1.0"));
    if (lmp_api.create_atoms(h, (int)s->n, id, type, x, NULL, NULL, 1) != (int)s->n ||
        lmp_api.has_error(h)) {
        st = AS_FAIL(AS_EORACLE, "lammps: could not create %zu atoms", s->n);
        goto fail;
    }
    snprintf(line, sizeof line, "pair_style %s", l->style);
    AS_CHECK(lmp_cmd(h, line));
    snprintf(line, sizeof line, "pair_coeff %s", l->coeff);
    AS_CHECK(lmp_cmd(h, line));
    AS_CHECK(lmp_cmd(h, "compute peatom all pe/atom"));
    AS_CHECK(lmp_cmd(h, "thermo_style custom step pe"));
    AS_CHECK(lmp_cmd(h, "run 0 post no"));
    if (energy)
        *energy = lmp_api.get_thermo(h, "pe");
    if (forces) {
        lmp_api.gather_atoms(h, "f", 1, 3, buf);
        for (size_t i = 0; i < s->n; i++) /* rotate back: f = R^T f_lammps */
            for (int k = 0; k < 3; k++)
                forces[3 * i + k] = rot[k] * buf[3 * i] + rot[3 + k] * buf[3 * i + 1] +
                                    rot[6 + k] * buf[3 * i + 2];
    }
    if (e_atom) {
        lmp_api.gather(h, "c_peatom", 1, 1, buf);
        memcpy(e_atom, buf, s->n * sizeof *buf);
    }
    if (lmp_api.has_error(h)) {
        char msg[512] = "";
        lmp_api.get_last_error_message(h, msg, sizeof msg);
        st = AS_FAIL(AS_EORACLE, "lammps: %s", msg);
    }
fail:
    if (h)
        lmp_api.close(h);
    as_free(type);
    as_free(id);
    as_free(x);
    as_free(buf);
    return st;
}

static int write_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t k = write(fd, c, len);
        if (k <= 0)
            return -1;
        c += k;
        len -= (size_t)k;
    }
    return 0;
}

as_status as_lmp_compute(as_lmp *l, const as_structure *s, double *energy, double *e_atom,
                         double *forces)
{
    as_status st = AS_OK;
    char logpath[] = "/tmp/alloyscout-lammps-XXXXXX";
    int lfd = mkstemp(logpath);
    if (lfd < 0)
        return AS_FAIL(AS_EIO, "lammps: cannot create a log file in /tmp: %s", strerror(errno));
    close(lfd);
    size_t n = s->n, len = (1 + 4 * n) * sizeof(double);
    double *res = as_malloc(len);
    int fd[2] = {-1, -1};
    if (!res) {
        unlink(logpath);
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    }
    if (pipe(fd) != 0) {
        st = AS_FAIL(AS_EORACLE, "lammps: pipe failed: %s", strerror(errno));
        goto done;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        st = AS_FAIL(AS_EORACLE, "lammps: fork failed: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        close(fd[0]);
        as_status cs = lmp_run(l, s, logpath, &res[0], res + 1, res + 1 + n);
        if (cs != AS_OK) {
            FILE *lf = fopen(logpath, "a");
            if (lf) {
                fprintf(lf, "\nERROR: %s\n", as_errmsg());
                fclose(lf);
            }
            _exit(3);
        }
        _exit(write_all(fd[1], res, len) ? 4 : 0);
    }
    close(fd[1]);
    fd[1] = -1;
    size_t got = 0;
    while (got < len) {
        ssize_t k = read(fd[0], (char *)res + got, len - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    if (got != len || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char tail[400] = "";
        FILE *lf = fopen(logpath, "rb");
        if (lf) {
            fseek(lf, 0, SEEK_END);
            long L = ftell(lf);
            fseek(lf, L > 399 ? L - 399 : 0, SEEK_SET);
            size_t k = fread(tail, 1, sizeof tail - 1, lf);
            tail[k] = '\0';
            fclose(lf);
            for (size_t i = 0; i < k; i++)
                if (tail[i] == '\n')
                    tail[i] = ' ';
        }
        st = AS_FAIL(AS_EORACLE, "lammps failed (pair_style %s, pair_coeff %s): %s", l->style,
                     l->coeff, tail);
        goto done;
    }
    if (energy)
        *energy = res[0];
    if (e_atom)
        memcpy(e_atom, res + 1, n * sizeof *res);
    if (forces)
        memcpy(forces, res + 1 + n, 3 * n * sizeof *res);
done:
    if (fd[0] >= 0)
        close(fd[0]);
    if (fd[1] >= 0)
        close(fd[1]);
    as_free(res);
    unlink(logpath);
    return st;
}

#else

struct as_lmp {
    int unused;
};

void as_lmp_free(as_lmp *l) { as_free(l); }

as_status as_lmp_create(const char *spec, as_lmp **out)
{
    *out = NULL;
    return AS_FAIL(AS_EUNSUP, "oracle spec 'lammps:%s': this build has no LAMMPS library "
                              "(install liblammps-dev and rebuild)", spec);
}

as_status as_lmp_compute(as_lmp *l, const as_structure *s, double *energy, double *e_atom,
                         double *forces)
{
    (void)l;
    (void)s;
    (void)energy;
    (void)e_atom;
    (void)forces;
    return AS_FAIL(AS_EUNSUP, "this build has no LAMMPS library");
}
#endif
