/* The external-command backend: each structure is written as extended XYZ, the user's program
 * is run with "{in}" / "{out}" substituted in its argv (fork + execvp, no shell) in its own
 * process group, under a wall-clock timeout (waitpid polling, SIGKILL of the group), up to
 * `jobs` at once. The energy (info key energy=, eV) and the final positions are read from the
 * output extended XYZ and checked (as_oracle_check_label: finite, plausible per atom, same
 * atoms, species and cell). A run that crashes, hangs, exits non-zero or writes an unreadable,
 * inconsistent or implausible file is retried `retries` times, then recorded as failed with the
 * reason and the tail of its stderr; the other structures go on.
 *
 * Each run (each attempt) gets a fresh, empty directory, its {workdir} and current directory;
 * {in}, {out} and its stderr lie beside it in the batch's scratch directory. A job that fails
 * for good keeps its directory (with those three files moved in as alloyscout.in.extxyz,
 * alloyscout.out.extxyz and alloyscout.stderr), and the failure record names it; a success
 * removes it unless keep_files. The output contract (forces, stress, cell, converged=T|F,
 * metadata; the convergence verdict) is docs/oracle.md, "The cmd: contract".
 *
 * Nothing outlives the batch (docs/oracle.md, "Stopping"): each run is a small guard process
 * (the process-group leader, registered with the interrupt facility) that forks the program and
 * waits for it. The program gets PR_SET_PDEATHSIG(SIGKILL) towards the guard and the guard
 * PR_SET_PDEATHSIG(SIGUSR1) towards alloyscout: when alloyscout dies, even by kill -9, the
 * guard kills the whole group and every process carrying the run's job marker
 * (ALLOYSCOUT_JOB=<pid>.<n> in the environment, so descendants that called setsid are found).
 * After every run (success, failure, timeout) the same group + marker kill removes leftovers.
 * On SIGINT/SIGTERM/SIGHUP the batch stops, reports the finished structures and returns
 * AS_EINTR; the scratch directory is registered for removal. */
#define _GNU_SOURCE /* prctl */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
#include "oracle_int.h"

extern char **environ;
static atomic_ulong job_counter; /* job markers are unique in the process */

struct as_cmd {
    char **words; /* argv template (owned strings), NULL-terminated */
    size_t n_words;
    char base[4096]; /* absolute directory the scratch directory is made in */
    char dir[4096];  /* scratch directory (created lazily) */
    as_oracle_options opt;
    int keep;
    unsigned long serial;
    int relax;       /* of the batch being run */
    char fmax[40];   /* {fmax} */
    char nprocs[32]; /* {nprocs} */
};

void as_cmd_free(as_cmd *c)
{
    if (!c)
        return;
    if (c->dir[0]) {
        rmdir(c->dir); /* empty unless job directories were kept */
        as_interrupt_remove_path(c->dir);
    }
    if (c->words)
        for (size_t i = 0; i < c->n_words; i++)
            as_free(c->words[i]);
    as_free(c->words);
    as_free(c);
}

const char *as_cmd_word(const as_cmd *c, size_t i) { return i < c->n_words ? c->words[i] : NULL; }

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* rm -r path (no error when it is gone) */
static void remove_tree(const char *path)
{
    if (path[0])
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

as_status as_cmd_create(const char *argv_text, const as_oracle_options *opt, as_cmd **out)
{
    *out = NULL;
    as_cmd *c = as_calloc(1, sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    c->opt = *opt;
    c->opt.workdir = NULL; /* resolved into c->dir */
    c->keep = opt->keep_files;
    char *text = as_strdup(argv_text);
    size_t cap = strlen(argv_text) / 2 + 2;
    c->words = as_calloc(cap, sizeof *c->words);
    if (!text || !c->words) {
        as_free(text);
        as_cmd_free(c);
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    }
    /* the program runs in its {workdir}: a word naming an existing file relative to the
     * current directory (a script, an input deck) is made absolute here */
    char *save = NULL;
    for (char *w = strtok_r(text, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char abs[PATH_MAX];
        struct stat sb;
        int rel = w[0] != '/' && !strchr(w, '{') && (c->n_words > 0 || strchr(w, '/')) &&
                  stat(w, &sb) == 0 && S_ISREG(sb.st_mode) && realpath(w, abs);
        c->words[c->n_words] = as_strdup(rel ? abs : w);
        if (!c->words[c->n_words]) {
            as_free(text);
            as_cmd_free(c);
            return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
        }
        c->n_words++;
    }
    as_free(text);
    if (c->n_words == 0) {
        as_cmd_free(c);
        return AS_FAIL(AS_EINVAL, "oracle spec 'cmd:': no program given");
    }
    if (!(opt->timeout_s > 0)) {
        as_cmd_free(c);
        return AS_FAIL(AS_EINVAL, "cmd oracle: timeout %g s must be > 0", opt->timeout_s);
    }
    size_t np = opt->nprocs;
    if (np == 0) {
        const char *e = getenv("SLURM_CPUS_PER_TASK");
        char *end = NULL;
        unsigned long v = e ? strtoul(e, &end, 10) : 0;
        np = (e && end != e && *end == '\0' && v > 0) ? (size_t)v : 1;
    }
    snprintf(c->nprocs, sizeof c->nprocs, "%zu", np);
    snprintf(c->fmax, sizeof c->fmax, "0.03");
    /* the scratch base, absolute (the program's current directory is its {workdir}) */
    const char *base = opt->workdir;
    if (!base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char abs[PATH_MAX];
    snprintf(c->base, sizeof c->base, "%.3900s", realpath(base, abs) ? abs : base);
    c->words[c->n_words] = NULL;
    *out = c;
    return AS_OK;
}

static as_status ensure_dir(as_cmd *c)
{
    if (c->dir[0])
        return AS_OK;
    snprintf(c->dir, sizeof c->dir, "%.3900s/alloyscout-cmd-XXXXXX", c->base);
    if (!mkdtemp(c->dir)) {
        int e = errno;
        char tried[4096];
        snprintf(tried, sizeof tried, "%s", c->dir);
        c->dir[0] = '\0';
        return AS_FAIL(AS_EIO, "cmd oracle: cannot create a scratch directory %s: %s", tried,
                       strerror(e));
    }
    if (!c->keep) /* a stopped run removes it with its files */
        AS_TRY(as_interrupt_add_path(c->dir));
    return AS_OK;
}

/* replace every placeholder inside a word: {in} {out} {workdir} {fmax} {relax} {nprocs} */
static char *substitute(const char *w, const char *const *val)
{
    static const char *const name[6] = {"{in}",   "{out}",   "{workdir}",
                                        "{fmax}", "{relax}", "{nprocs}"};
    size_t cap = strlen(w) + 1, longest = 0;
    for (int k = 0; k < 6; k++)
        longest = AS_MAX(longest, strlen(val[k]));
    for (const char *p = w; (p = strchr(p, '{')); p++)
        cap += longest;
    char *r = as_malloc(cap);
    if (!r)
        return NULL;
    char *q = r;
    while (*w) {
        int hit = -1;
        for (int k = 0; k < 6 && hit < 0; k++)
            if (!strncmp(w, name[k], strlen(name[k])))
                hit = k;
        if (hit >= 0) {
            size_t L = strlen(val[hit]);
            memcpy(q, val[hit], L);
            q += L;
            w += strlen(name[hit]);
        } else
            *q++ = *w++;
    }
    *q = '\0';
    return r;
}

typedef struct {
    size_t idx; /* structure index */
    pid_t pid;
    double t0;
    size_t attempt;
    int timed_out; /* the last attempt hit the timeout */
    char in[4200], out[4200], err[4200], wdir[4200];
    char marker[64]; /* ALLOYSCOUT_JOB=<pid>.<n> */
} job;

/* ---- the guard (runs in the forked child; async-signal-safe calls only) ---- */
static const char *guard_marker;
static pid_t guard_parent;

static void guard_kill_all(void)
{
    for (int r = 0; r < 2; r++)
        as_interrupt_kill_marked(guard_marker, 0, SIGKILL);
    kill(0, SIGKILL); /* the whole process group, the guard included */
    _exit(137);
}

static void guard_on_parent_death(int sig)
{
    (void)sig;
    if (getppid() != guard_parent) /* a SIGUSR1 sent by someone else is ignored */
        guard_kill_all();
}

static void set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void guard_main(const job *j, char **argv, char **envp, pid_t parent)
{
    setpgid(0, 0);
    prctl(PR_SET_DUMPABLE, 0); /* re-raising the program's SIGSEGV must not dump the guard */
    set_handler(SIGINT, SIG_DFL);
    set_handler(SIGTERM, SIG_DFL);
    set_handler(SIGHUP, SIG_DFL);
    guard_marker = j->marker;
    guard_parent = parent;
    set_handler(SIGUSR1, guard_on_parent_death);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (getppid() != parent) /* alloyscout died before prctl */
        guard_kill_all();
    int fe = open(j->err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int fn = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t self = getpid();
    pid_t prog = fork();
    if (prog < 0)
        _exit(126);
    if (prog == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != self)
            _exit(127);
        set_handler(SIGUSR1, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (fn >= 0) {
            dup2(fn, 0);
            dup2(fn, 1);
        }
        if (fe >= 0)
            dup2(fe, 2);
        if (chdir(j->wdir) != 0) {
            dprintf(2, "cannot enter the job directory %s: %s\n", j->wdir, strerror(errno));
            _exit(126);
        }
        environ = envp;
        execvp(argv[0], argv);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int ws = 0;
    while (waitpid(prog, &ws, 0) < 0)
        if (errno != EINTR)
            _exit(127);
    if (WIFEXITED(ws))
        _exit(WEXITSTATUS(ws));
    int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : SIGKILL;
    set_handler(sig, SIG_DFL); /* end as the program ended, so the parent sees the signal */
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig);
}

/* the environment of the program: ours without any inherited job marker, plus the run's */
static char **job_environ(const char *marker)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **e = as_calloc(n + 2, sizeof *e);
    if (!e)
        return NULL;
    size_t k = 0, ml = strlen(AS_INTERRUPT_MARKER);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], AS_INTERRUPT_MARKER, ml) != 0 || environ[i][ml] != '=')
            e[k++] = environ[i];
    e[k++] = (char *)marker;
    e[k] = NULL;
    return e;
}

/* kill what is left of a run: its process group and every process with its marker */
static void kill_run(job *j)
{
    kill(-j->pid, SIGKILL);
    as_interrupt_kill_marked(j->marker, 0, SIGKILL);
}

static void stderr_tail(const char *path, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long L = ftell(f);
    long want = (long)cap - 1;
    fseek(f, L > want ? L - want : 0, SEEK_SET);
    size_t k = fread(buf, 1, cap - 1, f);
    buf[k] = '\0';
    fclose(f);
    for (size_t i = 0; i < k; i++)
        if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')
            buf[i] = ' ';
}

static as_status launch(as_cmd *c, job *j, const as_structure *s)
{
    unsigned long id = c->serial++;
    snprintf(j->wdir, sizeof j->wdir, "%s/job%zu_%lu", c->dir, j->idx, id);
    snprintf(j->in, sizeof j->in, "%s/job%zu_%lu.in.extxyz", c->dir, j->idx, id);
    snprintf(j->out, sizeof j->out, "%s/job%zu_%lu.out.extxyz", c->dir, j->idx, id);
    snprintf(j->err, sizeof j->err, "%s/job%zu_%lu.stderr", c->dir, j->idx, id);
    j->timed_out = 0;
    unlink(j->out);
    remove_tree(j->wdir);
    if (mkdir(j->wdir, 0755) != 0)
        return AS_FAIL(AS_EIO, "cmd oracle: cannot create the job directory %s: %s", j->wdir,
                       strerror(errno));
    as_structure bare = *s; /* no energy, forces or info in the program's input */
    bare.has_energy = 0;
    bare.energy = NAN;
    bare.forces = NULL;
    bare.n_info = 0;
    as_structure *one = &bare;
    AS_TRY(as_extxyz_write(j->in, &one, 1));
    char **argv = as_calloc(c->n_words + 1, sizeof *argv);
    if (!argv)
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    as_status st = AS_OK;
    as_interrupt_marker((unsigned long)atomic_fetch_add(&job_counter, 1), j->marker,
                        sizeof j->marker);
    char **envp = job_environ(j->marker);
    if (!envp) {
        as_free(argv);
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    }
    for (size_t w = 0; w < c->n_words; w++) {
        const char *val[6] = {j->in, j->out, j->wdir, c->fmax, c->relax ? "1" : "0", c->nprocs};
        argv[w] = substitute(c->words[w], val);
        if (!argv[w]) {
            st = AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
            goto done;
        }
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        st = AS_FAIL(AS_EORACLE, "cmd oracle: fork failed: %s", strerror(errno));
        goto done;
    }
    if (pid == 0)
        guard_main(j, argv, envp, parent);
    setpgid(pid, pid);
    j->pid = pid;
    j->t0 = as_worker_now_s();
    if (as_interrupt_add_pid(pid, 1) != AS_OK) { /* registry full: do not run unwatched */
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        j->pid = 0;
        st = AS_FAIL(AS_EORACLE, "cmd oracle: %s", as_errmsg());
    }
done:
    for (size_t w = 0; w < c->n_words; w++)
        as_free(argv[w]);
    as_free(argv);
    as_free(envp);
    return st;
}

/* the info keys of the contract (not metadata) */
static int contract_key(const char *k)
{
    return !strcmp(k, "stress") || !strcmp(k, "converged") || !strcmp(k, "pbc") ||
           !strcmp(k, "comment");
}

/* drop the contract's keys from o's info: what is left is the free-form metadata */
static void keep_metadata(as_structure *o)
{
    size_t k = 0;
    for (size_t i = 0; i < o->n_info; i++) {
        if (contract_key(o->info_keys[i])) {
            as_free(o->info_keys[i]);
            as_free(o->info_values[i]);
            continue;
        }
        o->info_keys[k] = o->info_keys[i];
        o->info_values[k] = o->info_values[i];
        k++;
    }
    o->n_info = k;
}

/* stress="9 values" (ASE's extxyz: the 3x3 matrix row by row) or 6 Voigt values
 * (xx yy zz yz xz xy) -> Voigt. 0 on success. */
static int parse_stress(const char *v, double *voigt)
{
    double x[10];
    int n = 0;
    const char *p = v;
    while (*p && n < 10) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        char *end = NULL;
        x[n] = strtod(p, &end);
        if (end == p || !isfinite(x[n]) || (*end && *end != ' ' && *end != '\t'))
            return -1;
        n++;
        p = end;
    }
    if (n == 9) {
        const double v9[6] = {
            x[0], x[4], x[8], 0.5 * (x[5] + x[7]), 0.5 * (x[2] + x[6]), 0.5 * (x[1] + x[3])};
        memcpy(voigt, v9, sizeof v9);
        return 0;
    }
    if (n == 6) {
        memcpy(voigt, x, 6 * sizeof *x);
        return 0;
    }
    return -1;
}

/* converged=T|F -> 1 | 0; -1 when absent, -2 when malformed */
static int parse_bool(const char *v)
{
    if (!v)
        return -1;
    if (!strcmp(v, "T") || !strcmp(v, "True") || !strcmp(v, "true") || !strcmp(v, "1"))
        return 1;
    if (!strcmp(v, "F") || !strcmp(v, "False") || !strcmp(v, "false") || !strcmp(v, "0"))
        return 0;
    return -2;
}

/* Check a finished run. Returns 1 on a label (r filled, *final = the output structure), 0 on a
 * failure worth another attempt, -1 on a failure another attempt would not change (an
 * unconverged or unrelaxed result); why receives the reason. */
static int collect(const as_cmd *c, const job *j, int wstatus, const as_structure *s,
                   as_label_result *r, as_structure **final, char *why, size_t cap)
{
    if (WIFSIGNALED(wstatus)) {
        snprintf(why, cap, "killed by signal %d", WTERMSIG(wstatus));
        return 0;
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        snprintf(why, cap, "exited with status %d", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
        return 0;
    }
    as_structure **fr = NULL;
    size_t nf = 0;
    if (as_extxyz_read(j->out, &fr, &nf) != AS_OK) {
        snprintf(why, cap, "unreadable output: %s", as_errmsg());
        return 0;
    }
    as_structure *o = fr[nf - 1];
    int ok = 0, conv = 0, has_stress = 0;
    double stress[6] = {0}, fmax = NAN;
    as_structure chk = *o; /* a relaxation may change the cell: checked as moved atoms are */
    if (c->relax)
        memcpy(chk.cell, s->cell, sizeof chk.cell);
    const char *sv = as_structure_get_info(o, "stress");
    int cv = parse_bool(as_structure_get_info(o, "converged"));
    if (!o->has_energy)
        snprintf(why, cap, "output %.300s has no energy=... in its comment line", j->out);
    else if (as_oracle_check_label(&c->opt, s, &chk, o->energy) != AS_OK)
        snprintf(why, cap, "%s", as_errmsg());
    else if (sv && parse_stress(sv, stress) != 0)
        snprintf(why, cap, "output stress=\"%.200s\" is not 9 (or 6 Voigt) finite numbers", sv);
    else if (cv == -2)
        snprintf(why, cap, "output converged=%.100s is not T or F",
                 as_structure_get_info(o, "converged"));
    else
        ok = 1;
    if (ok && o->forces) {
        double m = 0;
        for (size_t i = 0; i < o->n && ok; i++) {
            const double *f = o->forces + 3 * i;
            double v = f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
            if (!isfinite(v)) {
                snprintf(why, cap, "output force on atom %zu is not finite", i + 1);
                ok = 0;
            }
            m = AS_MAX(m, v);
        }
        fmax = sqrt(m);
    }
    has_stress = sv != NULL;
    int verdict = ok; /* 1 label, 0 retry, -1 final */
    if (ok) {
        double crit = strtod(c->fmax, NULL), moved = 0, dcell = 0;
        for (size_t i = 0; i < 3 * s->n; i++)
            moved = AS_MAX(moved, fabs(o->pos[i] - s->pos[i]));
        for (int k = 0; k < 9; k++)
            dcell = AS_MAX(dcell, fabs(o->cell[k] - s->cell[k]));
        const char *bad = NULL;
        char reason[300] = "";
        if (cv == 0) {
            conv = -1;
            bad = "the program reported converged=F";
        } else if (!c->relax) {
            conv = cv == 1; /* 1 or 0 (no verdict): an energy request needs no force criterion */
        } else if (cv == 1 || (isfinite(fmax) && fmax <= crit)) {
            conv = 1;
        } else {
            conv = -1;
            if (isfinite(fmax))
                snprintf(reason, sizeof reason, "not converged: fmax %.6g eV/Å > %s eV/Å", fmax,
                         c->fmax);
            else
                snprintf(reason, sizeof reason,
                         "convergence unknown: the output has neither forces nor converged=T");
            bad = reason;
            if (moved <= 1e-6 && dcell <= 1e-6)
                bad = "program did not relax (positions and cell returned unmoved, and the "
                      "output shows no convergence)";
        }
        if (bad && !c->opt.accept_unconverged) {
            snprintf(why, cap, "%s (--accept-unconverged keeps such labels)", bad);
            verdict = -1;
        } else if (bad)
            as_log(AS_LOG_WARN, "structure %zu: %s; kept (--accept-unconverged)", j->idx, bad);
    }
    if (verdict == 1) {
        r->status = AS_OK;
        r->energy = o->energy;
        r->fmax = fmax;
        r->converged = conv;
        r->has_stress = has_stress;
        memcpy(r->stress, stress, sizeof stress);
        keep_metadata(o);
        fr[nf - 1] = NULL;
        *final = o;
    } else {
        r->fmax = fmax;
        r->converged = conv;
    }
    as_structures_free(fr, nf);
    return verdict;
}

/* the end of a job's files: kept (moved into its directory) or removed */
static void settle_files(const as_cmd *c, job *j, int keep, as_label_result *r)
{
    if (keep) {
        char to[4300];
        snprintf(to, sizeof to, "%s/alloyscout.in.extxyz", j->wdir);
        rename(j->in, to);
        snprintf(to, sizeof to, "%s/alloyscout.out.extxyz", j->wdir);
        rename(j->out, to);
        snprintf(to, sizeof to, "%s/alloyscout.stderr", j->wdir);
        rename(j->err, to);
        if (r)
            snprintf(r->workdir, sizeof r->workdir, "%.500s", j->wdir);
    } else {
        unlink(j->in);
        unlink(j->out);
        unlink(j->err);
        remove_tree(j->wdir);
    }
    (void)c;
}

as_status as_cmd_run_batch(as_cmd *c, const as_structure *const *s, size_t n, int relax,
                           double fmax, as_label_result *results, as_structure **relaxed,
                           as_cmd_done_fn done, void *user)
{
    as_status st = AS_OK;
    size_t nj = c->opt.jobs ? c->opt.jobs : 1, next = 0, finished = 0, running = 0;
    job *jobs = NULL;
    c->relax = relax;
    snprintf(c->fmax, sizeof c->fmax, "%.15g", fmax > 0 ? fmax : 0.03);
    AS_TRY(ensure_dir(c));
    AS_TRY(AS_ALLOC(jobs, nj, "cmd jobs"));
    as_interrupt_hold(); /* a signal stops this loop, which reports what is finished */
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].energy = NAN;
        results[i].fmax = NAN;
        results[i].converged = 0;
        if (relaxed)
            relaxed[i] = NULL;
    }
    while (finished < n) {
        if (as_interrupted()) {
            st = as_interrupt_check();
            goto fail;
        }
        /* fill free slots */
        for (size_t q = 0; q < nj && next < n; q++) {
            if (jobs[q].pid)
                continue;
            jobs[q].idx = next;
            jobs[q].attempt = 0;
            st = launch(c, &jobs[q], s[next]);
            if (st != AS_OK) {
                results[next].status = st;
                snprintf(results[next].error, sizeof results[next].error, "%s", as_errmsg());
                jobs[q].pid = 0;
                settle_files(c, &jobs[q], 0, NULL);
                if (done)
                    AS_CHECK(done(user, next, &results[next], NULL));
                finished++;
                st = AS_OK;
            } else
                running++;
            next++;
        }
        if (!running)
            continue;
        struct timespec pause = {0, 2000000}; /* 2 ms */
        nanosleep(&pause, NULL);
        for (size_t q = 0; q < nj; q++) {
            job *j = &jobs[q];
            if (!j->pid)
                continue;
            int ws = 0;
            pid_t w = waitpid(j->pid, &ws, WNOHANG);
            char why[400] = "";
            int ended = 0;
            if (w == j->pid)
                ended = 1;
            else if (w < 0) {
                ended = 1;
                ws = 0x7f00; /* treat as failure */
                snprintf(why, sizeof why, "lost the process: %s", strerror(errno));
            } else if (as_worker_now_s() - j->t0 > c->opt.timeout_s) {
                kill_run(j);
                kill(j->pid, SIGKILL);
                waitpid(j->pid, &ws, 0);
                ended = 1;
                j->timed_out = 1;
                snprintf(why, sizeof why, "timed out after %g s (the timeout)", c->opt.timeout_s);
            }
            if (!ended)
                continue;
            /* the run's group (and setsid descendants) may still hold children: end them */
            kill_run(j);
            as_interrupt_remove_pid(j->pid);
            size_t i = j->idx;
            as_label_result *r = &results[i];
            as_structure *fin = NULL;
            r->attempts = j->attempt + 1;
            int ok = 0;
            if (!j->timed_out && !why[0])
                ok = collect(c, j, ws, s[i], r, &fin, why, sizeof why);
            if (ok == 0 && j->attempt < c->opt.retries) {
                settle_files(c, j, c->keep, NULL);
                j->attempt++;
                size_t att = j->attempt;
                st = launch(c, j, s[i]);
                j->attempt = att;
                if (st == AS_OK)
                    continue;
                snprintf(why, sizeof why, "%s", as_errmsg());
                j->timed_out = 0;
                st = AS_OK;
            }
            if (ok != 1) {
                char tail[300];
                stderr_tail(j->err, tail, sizeof tail);
                r->status = j->timed_out ? AS_ETIMEOUT : AS_EORACLE;
                r->energy = NAN;
                settle_files(c, j, 1, r); /* kept for inspection */
                char msg[2400];
                snprintf(msg, sizeof msg,
                         "%.300s failed after %zu attempt%s: %s [job directory %s]%s%s",
                         c->words[0], r->attempts, r->attempts == 1 ? "" : "s", why, r->workdir,
                         tail[0] ? "; stderr: " : "", tail);
                snprintf(r->error, sizeof r->error, "%.500s", msg);
            } else
                settle_files(c, j, c->keep, r);
            j->pid = 0;
            running--;
            finished++;
            if (done)
                st = done(user, i, r, fin);
            if (relaxed)
                relaxed[i] = fin;
            else
                as_structure_free(fin);
            if (st != AS_OK)
                goto fail;
        }
    }
fail:
    for (size_t q = 0; q < nj; q++)
        if (jobs[q].pid) {
            size_t i = jobs[q].idx;
            kill_run(&jobs[q]);
            kill(jobs[q].pid, SIGKILL);
            waitpid(jobs[q].pid, NULL, 0);
            as_interrupt_remove_pid(jobs[q].pid);
            if (st != AS_OK) {
                results[i].status = st;
                snprintf(results[i].error, sizeof results[i].error, "%s", as_errmsg());
            }
            settle_files(c, &jobs[q], c->keep, NULL);
        }
    if (st != AS_OK) /* structures never started are not labels either */
        for (size_t i = next; i < n; i++) {
            results[i].status = st;
            snprintf(results[i].error, sizeof results[i].error, "%s", as_errmsg());
        }
    as_interrupt_release();
    as_free(jobs);
    return st;
}
