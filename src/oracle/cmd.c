/* The external-command backend: each structure is written as extended XYZ, the user's program
 * is run with "{in}" / "{out}" substituted in its argv (fork + execvp, no shell) in its own
 * process group, under a wall-clock timeout (waitpid polling, SIGKILL of the group), up to
 * `jobs` at once. The energy (info key energy=, eV) and the final positions are read from the
 * output extended XYZ and checked (as_oracle_check_label: finite, plausible per atom, same
 * atoms, species and cell). A run that crashes, hangs, exits non-zero or writes an unreadable,
 * inconsistent or implausible file is retried `retries` times, then recorded as failed with the
 * reason and the tail of its stderr; the other structures go on.
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
    char **words; /* argv template, NULL-terminated */
    size_t n_words;
    char *text;
    char dir[4096]; /* scratch directory (created lazily) */
    as_oracle_options opt;
    int keep;
    unsigned long serial;
};

void as_cmd_free(as_cmd *c)
{
    if (!c)
        return;
    if (c->dir[0] && !c->keep) {
        rmdir(c->dir); /* empty unless files were kept */
        as_interrupt_remove_path(c->dir);
    }
    as_free(c->words);
    as_free(c->text);
    as_free(c);
}

as_status as_cmd_create(const char *argv_text, const as_oracle_options *opt, as_cmd **out)
{
    *out = NULL;
    as_cmd *c = as_calloc(1, sizeof *c);
    if (!c)
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    c->opt = *opt;
    c->keep = opt->keep_files;
    c->text = as_strdup(argv_text);
    size_t cap = strlen(argv_text) / 2 + 2;
    c->words = as_calloc(cap, sizeof *c->words);
    if (!c->text || !c->words) {
        as_cmd_free(c);
        return AS_FAIL(AS_ENOMEM, "cmd oracle: cannot allocate");
    }
    char *save = NULL;
    for (char *w = strtok_r(c->text, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        c->words[c->n_words++] = w;
    if (c->n_words == 0) {
        as_cmd_free(c);
        return AS_FAIL(AS_EINVAL, "oracle spec 'cmd:': no program given");
    }
    if (!(opt->timeout_s > 0)) {
        as_cmd_free(c);
        return AS_FAIL(AS_EINVAL, "cmd oracle: timeout %g s must be > 0", opt->timeout_s);
    }
    *out = c;
    return AS_OK;
}

static as_status ensure_dir(as_cmd *c)
{
    if (c->dir[0])
        return AS_OK;
    const char *base = c->opt.workdir;
    if (!base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(c->dir, sizeof c->dir, "%s/alloyscout-cmd-XXXXXX", base);
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

/* replace every {in} / {out} inside a word */
static char *substitute(const char *w, const char *in, const char *out)
{
    size_t cap = strlen(w) + 1, li = strlen(in), lo = strlen(out);
    for (const char *p = w; (p = strchr(p, '{')); p++)
        cap += li + lo;
    char *r = as_malloc(cap);
    if (!r)
        return NULL;
    char *q = r;
    while (*w) {
        if (!strncmp(w, "{in}", 4)) {
            memcpy(q, in, li);
            q += li;
            w += 4;
        } else if (!strncmp(w, "{out}", 5)) {
            memcpy(q, out, lo);
            q += lo;
            w += 5;
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
    char in[4200], out[4200], err[4200];
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
    snprintf(j->in, sizeof j->in, "%s/s%zu_%lu_in.extxyz", c->dir, j->idx, id);
    snprintf(j->out, sizeof j->out, "%s/s%zu_%lu_out.extxyz", c->dir, j->idx, id);
    snprintf(j->err, sizeof j->err, "%s/s%zu_%lu_stderr.txt", c->dir, j->idx, id);
    unlink(j->out);
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
        argv[w] = substitute(c->words[w], j->in, j->out);
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

/* check a finished run; on success fill r and *relaxed */
static int collect(const as_cmd *c, const job *j, int wstatus, const as_structure *s,
                   as_label_result *r, as_structure **relaxed, char *why, size_t cap)
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
    int ok = 0;
    if (!o->has_energy)
        snprintf(why, cap, "output %.300s has no energy=... in its comment line", j->out);
    else if (as_oracle_check_label(&c->opt, s, o, o->energy) != AS_OK)
        snprintf(why, cap, "%s", as_errmsg());
    else
        ok = 1;
    if (ok) {
        r->status = AS_OK;
        r->energy = o->energy;
        if (relaxed) {
            fr[nf - 1] = NULL;
            *relaxed = o;
        }
    }
    as_structures_free(fr, nf);
    return ok;
}

as_status as_cmd_run_batch(as_cmd *c, const as_structure *const *s, size_t n,
                           as_label_result *results, as_structure **relaxed, as_cmd_done_fn done,
                           void *user)
{
    as_status st = AS_OK;
    size_t nj = c->opt.jobs ? c->opt.jobs : 1, next = 0, finished = 0, running = 0;
    job *jobs = NULL;
    AS_TRY(ensure_dir(c));
    AS_TRY(AS_ALLOC(jobs, nj, "cmd jobs"));
    as_interrupt_hold(); /* a signal stops this loop, which reports what is finished */
    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].energy = NAN;
        results[i].fmax = NAN;
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
            int ended = 0, timed_out = 0;
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
                timed_out = 1;
                snprintf(why, sizeof why, "timed out after %g s", c->opt.timeout_s);
            }
            if (!ended)
                continue;
            /* the run's group (and setsid descendants) may still hold children: end them */
            kill_run(j);
            as_interrupt_remove_pid(j->pid);
            size_t i = j->idx;
            as_label_result *r = &results[i];
            r->attempts = j->attempt + 1;
            int ok = 0;
            if (!timed_out && !why[0])
                ok = collect(c, j, ws, s[i], r, relaxed ? &relaxed[i] : NULL, why, sizeof why);
            if (!ok && j->attempt < c->opt.retries) {
                if (!c->keep) {
                    unlink(j->in);
                    unlink(j->out);
                    unlink(j->err);
                }
                j->attempt++;
                size_t att = j->attempt;
                st = launch(c, j, s[i]);
                j->attempt = att;
                if (st == AS_OK)
                    continue;
                snprintf(why, sizeof why, "%s", as_errmsg());
                st = AS_OK;
            }
            if (!ok) {
                char tail[300];
                stderr_tail(j->err, tail, sizeof tail);
                r->status = AS_EORACLE;
                r->energy = NAN;
                char msg[1600];
                snprintf(msg, sizeof msg, "%.600s failed after %zu attempt%s: %s%s%s", c->words[0],
                         r->attempts, r->attempts == 1 ? "" : "s", why, tail[0] ? "; stderr: " : "",
                         tail);
                snprintf(r->error, sizeof r->error, "%.500s", msg);
            }
            if (!c->keep) {
                unlink(j->in);
                unlink(j->out);
                unlink(j->err);
            }
            j->pid = 0;
            running--;
            finished++;
            if (done)
                AS_CHECK(done(user, i, r, relaxed ? relaxed[i] : NULL));
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
            if (!c->keep) {
                unlink(jobs[q].in);
                unlink(jobs[q].out);
                unlink(jobs[q].err);
            }
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
