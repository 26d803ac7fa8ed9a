/* The LAMMPS library backend ("lammps:PAIR_STYLE;PAIR_COEFF"): each structure is set up in a
 * LAMMPS instance (LAMMPS C library interface, <lammps/library.h>), `run 0` computes energy,
 * per-atom energies (compute pe/atom) and forces, gathered in atom-id order. The cell is rotated
 * into LAMMPS's restricted triclinic form (a along x, b in the xy plane); forces are rotated
 * back. Compiled in when CMake finds liblammps (AS_HAVE_LAMMPS); otherwise the spec gives
 * AS_EUNSUP. */
#define _GNU_SOURCE /* prctl */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
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
    __typeof__(lammps_open_no_mpi) *open_no_mpi;
    __typeof__(lammps_close) *close;
    __typeof__(lammps_command) *command;
    __typeof__(lammps_has_error) *has_error;
    __typeof__(lammps_get_last_error_message) *get_last_error_message;
    __typeof__(lammps_create_atoms) *create_atoms;
    __typeof__(lammps_get_thermo) *get_thermo;
    __typeof__(lammps_gather_atoms) *gather_atoms;
    __typeof__(lammps_gather) *gather;
    __typeof__(lammps_scatter_atoms) *scatter_atoms;
} lmp_api;
static as_dl_once lmp_once = AS_DL_ONCE_INIT;

#ifndef AS_LAMMPS_LIBRARY
#define AS_LAMMPS_LIBRARY "liblammps.so.0"
#endif

/* Under lmp_once.lock (as_dl_once_need). */
static int lmp_open(char *err, size_t cap)
{
    void *h = dlopen(AS_LAMMPS_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        h = dlopen("liblammps.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, cap, "cannot load the LAMMPS library (%s): %s", AS_LAMMPS_LIBRARY,
                 e ? e : "dlopen gave no reason");
        return 2;
    }
#define LOAD(name)                                                                      \
    if (as_dl_sym(h, AS_LAMMPS_LIBRARY, "lammps_" #name, &lmp_api.name, err, cap) != 0) \
        return 2;
    LOAD(open_no_mpi)
    LOAD(close)
    LOAD(command)
    LOAD(has_error)
    LOAD(get_last_error_message)
    LOAD(create_atoms)
    LOAD(get_thermo)
    LOAD(gather_atoms)
    LOAD(gather)
    LOAD(scatter_atoms)
#undef LOAD
    return 1;
}

static as_status lmp_load(void) { return as_dl_once_need(&lmp_once, lmp_open, "lammps"); }

struct as_lmp {
    char *style, *coeff;
    char (*types)[AS_SYMBOL_MAX]; /* element names of the LAMMPS types, from pair_coeff */
    size_t n_types;
    /* the worker process (see "Worker" below); pid 0 when none runs */
    pthread_mutex_t lock;
    pid_t pid;
    int sock;
    char logpath[64];
    char *env[8]; /* "NAME=VALUE" set in the worker before LAMMPS starts (as_lmp_setenv) */
    size_t n_env;
    char *cwd;        /* the worker's working directory (as_lmp_set_cwd), NULL: unchanged */
    double timeout_s; /* one structure's limit (as_lmp_set_timeout); 0: none */
};

static void worker_stop(as_lmp *l, int kill_it);

void as_lmp_free(as_lmp *l)
{
    if (!l)
        return;
    worker_stop(l, 0);
    pthread_mutex_destroy(&l->lock);
    as_free(l->style);
    as_free(l->coeff);
    as_free(l->types);
    for (size_t k = 0; k < l->n_env; k++)
        as_free(l->env[k]);
    as_free(l->cwd);
    as_free(l);
}

void as_lmp_set_timeout(as_lmp *l, double timeout_s) { l->timeout_s = timeout_s; }

as_status as_lmp_set_cwd(as_lmp *l, const char *dir)
{
    as_free(l->cwd);
    l->cwd = as_strdup(dir);
    return l->cwd ? AS_OK : AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
}

as_status as_lmp_setenv(as_lmp *l, const char *name, const char *value)
{
    if (l->n_env == sizeof l->env / sizeof *l->env)
        return AS_FAIL(AS_EINVAL, "lammps: too many worker environment variables");
    size_t cap = strlen(name) + strlen(value) + 2;
    char *e = as_malloc(cap);
    if (!e)
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    snprintf(e, cap, "%s=%s", name, value);
    l->env[l->n_env++] = e;
    return AS_OK;
}

as_status as_lmp_create(const char *spec, as_lmp **out)
{
    *out = NULL;
    AS_TRY(lmp_load());
    const char *semi = strchr(spec, ';');
    if (!semi || semi == spec || !semi[1])
        return AS_FAIL(AS_EINVAL,
                       "oracle spec 'lammps:%s': expected 'lammps:PAIR_STYLE;PAIR_COEFF'"
                       " (e.g. lammps:eam/alloy;* * CuNi.eam.alloy Cu Ni)",
                       spec);
    as_lmp *l = as_calloc(1, sizeof *l);
    if (!l)
        return AS_FAIL(AS_ENOMEM, "lammps: cannot allocate");
    pthread_mutex_init(&l->lock, NULL);
    l->sock = -1;
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

/* ---------------------------------------------------------------------------------------
 * Worker. The Debian liblammps is built without C++ exceptions, so a LAMMPS error ends the
 * process that made it. LAMMPS therefore runs in a child process that lives as long as the
 * oracle and computes structure after structure, talking over a socket pair: the parent sends
 * the atoms already mapped to LAMMPS types, wrapped into the cell and rotated into LAMMPS's
 * restricted triclinic frame, and receives energy, per-atom energies and forces. While the atom
 * count stays the same (every step of a relaxation, every configuration of one supercell, every
 * trial cell of a cell optimization) the worker only changes the box if it differs
 * (change_box), scatters the new types and positions into its LAMMPS instance and runs `run 0`
 * again; a new atom count gets a new instance (pair_coeff reads the potential file again). When the worker dies (a LAMMPS error), the parent reports the end of
 * the LAMMPS log and starts a new worker for the next structure.
 * --------------------------------------------------------------------------------------- */

typedef struct {
    uint64_t n;
    double box[6];
} req_head;

/* the LAMMPS type of every atom, and positions wrapped into the cell and rotated (3n) */
static as_status lmp_prepare(const as_lmp *l, const as_structure *s, double *box, double *rot,
                             int *type, double *x)
{
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
    for (size_t i = 0; i < s->n; i++) {
        int sp = s->species[i];
        if (sp < 0 || (size_t)sp >= s->n_symbols || sp >= 256 || !tmap[sp])
            return AS_FAIL(AS_EINVAL, "lammps: element '%s' is not named in pair_coeff '%s'",
                           (sp >= 0 && (size_t)sp < s->n_symbols) ? s->symbols[sp] : "?", l->coeff);
        type[i] = tmap[sp];
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
    return AS_OK;
}

/* Worker side: a fresh LAMMPS instance for n atoms of these types in this box. */
static void *worker_setup(const as_lmp *l, const char *logpath, const req_head *h, const int *type,
                          const double *x)
{
    char line[4096];
    char *args[] = {"alloyscout", "-log", (char *)logpath, "-screen", "none", "-nocite", NULL};
    void *lmp = lmp_api.open_no_mpi(6, args, NULL);
    if (!lmp)
        return NULL;
    int *id = malloc((h->n + 1) * sizeof *id);
    if (!id)
        _exit(5);
    for (uint64_t i = 0; i < h->n; i++)
        id[i] = (int)i + 1;
    snprintf(line, sizeof line,
             "region cell prism 0 %.17g 0 %.17g 0 %.17g %.17g %.17g %.17g "
             "units box",
             h->box[0], h->box[1], h->box[2], h->box[3], h->box[4], h->box[5]);
    const char *pre[] = {"units metal", "atom_style atomic", "atom_modify map array sort 0 0",
                         "boundary p p p", line};
    for (size_t k = 0; k < sizeof pre / sizeof *pre; k++)
        lmp_api.command(lmp, pre[k]);
    snprintf(line, sizeof line, "create_box %zu cell", l->n_types);
    lmp_api.command(lmp, line);
    lmp_api.command(lmp, "mass * 1.0");
    lmp_api.create_atoms(lmp, (int)h->n, id, (int *)type, (double *)x, NULL, NULL, 1);
    free(id);
    snprintf(line, sizeof line, "pair_style %s", l->style);
    lmp_api.command(lmp, line);
    snprintf(line, sizeof line, "pair_coeff %s", l->coeff);
    lmp_api.command(lmp, line);
    lmp_api.command(lmp, "compute peatom all pe/atom");
    lmp_api.command(lmp, "thermo_style custom step pe");
    return lmp;
}

/* Worker main loop: one request, one answer, until the parent closes the socket. Answer:
 * int32 status (0 ok), then energy, per-atom energies (n) and forces (3n, LAMMPS frame). */
static void worker_main(const as_lmp *l, int fd, const char *logpath)
{
    void *lmp = NULL;
    req_head cur = {0, {0}};
    int *type = NULL;
    double *x = NULL, *out = NULL;
    char line[512];
    for (;;) {
        req_head h;
        if (as_worker_recv_all(fd, &h, sizeof h, INFINITY))
            break; /* the parent is done */
        size_t n = (size_t)h.n;
        int *t2 = realloc(type, (n + 1) * sizeof *type);
        double *x2 = realloc(x, (3 * n + 1) * sizeof *x);
        double *o2 = realloc(out, (1 + 4 * n) * sizeof *out);
        if (!t2 || !x2 || !o2)
            _exit(5);
        type = t2, x = x2, out = o2;
        if (as_worker_recv_all(fd, type, n * sizeof *type, INFINITY) ||
            as_worker_recv_all(fd, x, 3 * n * sizeof *x, INFINITY))
            break;
        if (lmp && h.n == cur.n) {
            snprintf(line, sizeof line, "log %s", logpath); /* keep the log short */
            lmp_api.command(lmp, line);
            if (memcmp(h.box, cur.box, sizeof h.box)) { /* tilts to 0 first: always valid */
                snprintf(line, sizeof line,
                         "change_box all xy final 0 xz final 0 yz final 0 x final 0 %.17g "
                         "y final 0 %.17g z final 0 %.17g xy final %.17g xz final %.17g "
                         "yz final %.17g units box",
                         h.box[0], h.box[1], h.box[2], h.box[3], h.box[4], h.box[5]);
                lmp_api.command(lmp, line);
                cur = h;
            }
            lmp_api.scatter_atoms(lmp, "type", 0, 1, type);
            lmp_api.scatter_atoms(lmp, "x", 1, 3, x);
        } else {
            if (lmp)
                lmp_api.close(lmp);
            lmp = worker_setup(l, logpath, &h, type, x);
            if (!lmp)
                _exit(5);
            cur = h;
        }
        lmp_api.command(lmp, "run 0 post no");
        int32_t status = lmp_api.has_error(lmp) ? 1 : 0;
        if (status) { /* a library with exceptions gets here instead of exiting */
            char msg[512] = "";
            lmp_api.get_last_error_message(lmp, msg, sizeof msg);
            FILE *lf = fopen(logpath, "a");
            if (lf) {
                fprintf(lf, "\nERROR: %s\n", msg);
                fclose(lf);
            }
            lmp_api.close(lmp);
            lmp = NULL;
        } else {
            out[0] = lmp_api.get_thermo(lmp, "pe");
            lmp_api.gather(lmp, "c_peatom", 1, 1, out + 1);
            lmp_api.gather_atoms(lmp, "f", 1, 3, out + 1 + n);
        }
        if (as_worker_send_all(fd, &status, sizeof status) ||
            (!status && as_worker_send_all(fd, out, (1 + 4 * n) * sizeof *out)))
            break;
    }
    if (lmp)
        lmp_api.close(lmp);
    _exit(0);
}

static void worker_stop(as_lmp *l, int kill_it)
{
    if (l->sock >= 0)
        close(l->sock); /* the worker sees end of file and exits */
    l->sock = -1;
    if (l->pid > 0) {
        if (kill_it)
            kill(l->pid, SIGKILL);
        int ws;
        while (waitpid(l->pid, &ws, 0) < 0 && errno == EINTR)
            ;
        as_interrupt_remove_pid(l->pid);
    }
    l->pid = 0;
    if (l->logpath[0]) {
        unlink(l->logpath);
        as_interrupt_remove_path(l->logpath);
    }
    l->logpath[0] = '\0';
}

static as_status worker_start(as_lmp *l)
{
    int sv[2];
    snprintf(l->logpath, sizeof l->logpath, "/tmp/alloyscout-lammps-XXXXXX");
    int lfd = mkstemp(l->logpath);
    if (lfd < 0) {
        l->logpath[0] = '\0';
        return AS_FAIL(AS_EIO, "lammps: cannot create a log file in /tmp: %s", strerror(errno));
    }
    close(lfd);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        unlink(l->logpath);
        l->logpath[0] = '\0';
        return AS_FAIL(AS_EORACLE, "lammps: socketpair failed: %s", strerror(errno));
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        unlink(l->logpath);
        l->logpath[0] = '\0';
        return AS_FAIL(AS_EORACLE, "lammps: fork failed: %s", strerror(errno));
    }
    if (pid == 0) {
        /* the worker dies with alloyscout (even by kill -9) and leaves signals to it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        close(sv[0]);
        /* keep no other descriptor: a socket of another worker held here would keep that
         * worker from seeing its end of file when its oracle is freed */
        long open_max = sysconf(_SC_OPEN_MAX);
        if (open_max < 0 || open_max > 65536)
            open_max = 65536;
        for (int fd = 3; fd < (int)open_max; fd++)
            if (fd != sv[1])
                close(fd);
        for (size_t k = 0; k < l->n_env; k++) {
            char *eq = strchr(l->env[k], '=');
            *eq = '\0';
            setenv(l->env[k], eq + 1, 1);
            *eq = '=';
        }
        if (l->cwd && chdir(l->cwd) != 0)
            _exit(5);
        /* LAMMPS's screen output and MPI's abort banner go to the log, where log_error finds
         * the one line that matters, not to alloyscout's terminal */
        int dn = open("/dev/null", O_WRONLY | O_CLOEXEC);
        int lg = open(l->logpath, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (dn >= 0)
            dup2(dn, STDOUT_FILENO);
        if (lg >= 0)
            dup2(lg, STDERR_FILENO);
        worker_main(l, sv[1], l->logpath);
    }
    close(sv[1]);
    l->pid = pid;
    l->sock = sv[0];
    /* a stopped run kills the worker and removes its log (best effort when the registry is
     * full: the worker still dies with alloyscout) */
    (void)as_interrupt_add_pid(pid, 0);
    (void)as_interrupt_add_path(l->logpath);
    return AS_OK;
}

/* The error of the worker's LAMMPS log on one line: the last "ERROR..." line without its
 * source position ("(src/pair.cpp:59)"), with the "Last command:" that raised it; else the end
 * of the log without MPI's abort banner. */
static void log_error(const char *path, char *msg, size_t size)
{
    msg[0] = '\0';
    FILE *lf = fopen(path, "rb");
    if (!lf)
        return;
    char line[1024], err[600] = "", last[400] = "", tail[400] = "";
    while (fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!strncmp(line, "ERROR", 5)) {
            const char *m = strchr(line, ':');
            m = m ? m + 1 : line + 5;
            while (*m == ' ')
                m++;
            snprintf(err, sizeof err, "%.590s", m);
            char *src = strstr(err, " (src/");
            if (!src)
                src = strstr(err, " (/");
            if (src && strchr(src, ')'))
                *src = '\0';
            last[0] = '\0';
        } else if (!strncmp(line, "Last command:", 13)) {
            const char *m = line + 13;
            while (*m == ' ')
                m++;
            snprintf(last, sizeof last, "%.390s", m);
        } else if (line[0] && strncmp(line, "----", 4) && !strstr(line, "MPI_ABORT") &&
                   !strstr(line, "MPI processes") && !strstr(line, "Open MPI") &&
                   !strstr(line, "errorcode") && !strstr(line, "other processes")) {
            size_t tl = strlen(tail), ll = strlen(line);
            if (ll + 2 >= sizeof tail)
                snprintf(tail, sizeof tail, "%s", line + ll - (sizeof tail - 2));
            else {
                if (tl + ll + 2 >= sizeof tail) { /* keep the end */
                    size_t drop = tl + ll + 2 - sizeof tail;
                    memmove(tail, tail + drop, tl - drop + 1);
                    tl -= drop;
                }
                snprintf(tail + tl, sizeof tail - tl, "%s%s", tl ? " " : "", line);
            }
        }
    }
    fclose(lf);
    if (err[0] && last[0])
        snprintf(msg, size, "%s (LAMMPS command: %s)", err, last);
    else if (err[0])
        snprintf(msg, size, "%s", err);
    else
        snprintf(msg, size, "%s", tail[0] ? tail : "the worker stopped without a message");
}

as_status as_lmp_compute(as_lmp *l, const as_structure *s, double *energy, double *e_atom,
                         double *forces)
{
    as_status st = AS_OK;
    size_t n = s->n;
    int *type = NULL;
    double *x = NULL, *res = NULL;
    double rot[9];
    req_head h = {(uint64_t)n, {0}};
    AS_CHECK(AS_ALLOC(type, n + 1, "lammps atoms"));
    AS_CHECK(AS_ALLOC(x, 3 * n + 1, "lammps atoms"));
    AS_CHECK(AS_ALLOC(res, 1 + 4 * n, "lammps results"));
    AS_CHECK(lmp_prepare(l, s, h.box, rot, type, x));
    pthread_mutex_lock(&l->lock);
    st = l->pid ? AS_OK : worker_start(l);
    int32_t status = -1;
    double deadline =
        l->timeout_s > 0 && isfinite(l->timeout_s) ? as_worker_now_s() + l->timeout_s : INFINITY;
    int rc = 0;
    if (st == AS_OK &&
        (as_worker_send_all(l->sock, &h, sizeof h) ||
         as_worker_send_all(l->sock, type, n * sizeof *type) ||
         as_worker_send_all(l->sock, x, 3 * n * sizeof *x) ||
         (rc = as_worker_recv_all(l->sock, &status, sizeof status, deadline)) || status != 0 ||
         (rc = as_worker_recv_all(l->sock, res, (1 + 4 * n) * sizeof *res, deadline)))) {
        char msg[1024];
        log_error(l->logpath, msg, sizeof msg);
        if (rc == -2)
            st = AS_FAIL(AS_ETIMEOUT,
                         "lammps timed out after %g s (the timeout; worker killed; pair_style "
                         "%s)",
                         l->timeout_s, l->style);
        else
            st = AS_FAIL(AS_EORACLE, "lammps failed (pair_style %s): %s", l->style, msg);
        worker_stop(l, 1); /* the next structure gets a new worker */
    }
    pthread_mutex_unlock(&l->lock);
    if (st != AS_OK)
        goto fail;
    if (energy)
        *energy = res[0];
    if (e_atom)
        memcpy(e_atom, res + 1, n * sizeof *res);
    if (forces)
        for (size_t i = 0; i < n; i++) /* rotate back: f = R^T f_lammps */
            for (int k = 0; k < 3; k++) {
                const double *f = res + 1 + n + 3 * i;
                forces[3 * i + k] = rot[k] * f[0] + rot[3 + k] * f[1] + rot[6 + k] * f[2];
            }
fail:
    as_free(type);
    as_free(x);
    as_free(res);
    return st;
}

#else

struct as_lmp {
    int unused;
};

void as_lmp_free(as_lmp *l) { as_free(l); }

as_status as_lmp_setenv(as_lmp *l, const char *name, const char *value)
{
    (void)l;
    (void)name;
    (void)value;
    return AS_FAIL(AS_EUNSUP, "this build has no LAMMPS library");
}

void as_lmp_set_timeout(as_lmp *l, double timeout_s)
{
    (void)l;
    (void)timeout_s;
}

as_status as_lmp_set_cwd(as_lmp *l, const char *dir)
{
    (void)l;
    (void)dir;
    return AS_FAIL(AS_EUNSUP, "this build has no LAMMPS library");
}

as_status as_lmp_create(const char *spec, as_lmp **out)
{
    *out = NULL;
    return AS_FAIL(AS_EUNSUP,
                   "oracle spec 'lammps:%s': this build has no LAMMPS library "
                   "(install liblammps-dev and rebuild)",
                   spec);
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
