/* The Slurm backend: one job array per batch (sbatch --array), each task running
 * `alloyscout label` on one structure in its own directory under the work directory; states
 * from squeue (then sacct, then scontrol for jobs squeue no longer lists), polled with a doubling
 * interval; failed jobs resubmitted with the reason journaled; scancel of our own jobs.
 *
 * Layout: WORKDIR/journal.tsv (file journal), WORKDIR/b-XXXXXX/ one directory per sbatch call
 * (job.sh), WORKDIR/b-XXXXXX/<task>/ in.extxyz, out.extxyz (written by label, atomically) and
 * job.log (the task's stdout and stderr). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
#include "executor_int.h"

/* snprintf that truncates silently (paths and reasons here are bounded by their buffers) */
static void sfmt(char *buf, size_t cap, const char *fmt, ...) AS_PRINTF(3, 4);
static void sfmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

/* polls without any trace of a job (or with COMPLETED but no result file, e.g. a shared
 * filesystem's attribute cache lagging behind) before it counts as failed */
#define AS_SLURM_MISSING_POLLS 3
/* consecutive failed squeue calls before giving up (with the interval capped at poll_max_s,
 * 10 polls ride out a controller restart of a few minutes) */
#define AS_SLURM_SQUEUE_TRIES 10

typedef struct {
    uint64_t key;
    size_t first; /* first structure with this key */
    int active;   /* 1 while a job is watched */
    int final;    /* 1 when the result is known */
    int from_store;
    size_t tries;   /* submissions by this call */
    size_t missing; /* consecutive polls without a state or a result */
    as_label_result res;
    as_structure *rx;
} task_t;

typedef struct {
    char id[48], state[32], reason[128], name[64];
} qline;

static int key_cmp(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b; /* pairs (key, index) */
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/* ---- shell quoting and the job script ---- */
static void sb_quote(as_sbuf *b, const char *s) /* 'it'\''s' */
{
    as_sbuf_puts(b, "'");
    for (; *s; s++)
        if (*s == '\'')
            as_sbuf_puts(b, "'\\''");
        else
            as_sbuf_putn(b, s, 1);
    as_sbuf_puts(b, "'");
}

/* ---- the label command: one argument vector for every submission ---- */
#define LABEL_ARGS_MAX 48

typedef struct {
    const char *w[LABEL_ARGS_MAX];
    char num[LABEL_ARGS_MAX][40];
    size_t n;
} label_args;

static void la_word(label_args *a, const char *w)
{
    if (a->n < LABEL_ARGS_MAX)
        a->w[a->n++] = w;
}

static void la_num(label_args *a, const char *opt, const char *fmt, double v)
{
    if (a->n + 1 >= LABEL_ARGS_MAX)
        return;
    la_word(a, opt);
    sfmt(a->num[a->n], sizeof a->num[a->n], fmt, v);
    la_word(a, a->num[a->n]);
}

/* A double option only when it differs from label's default (so the common script stays
 * short); %.17g reads back exactly. */
static void la_dbl(label_args *a, const char *opt, double v, double dflt)
{
    if (v != dflt)
        la_num(a, opt, "%.17g", v);
}

as_status as_exec_label_argv(const as_executor *ex, int relax, const as_relax_options *ropt,
                             char ***out, size_t *argc)
{
    label_args a;
    a.n = 0;
    *out = NULL;
    const as_oracle_options *oo = as_oracle_get_options(ex->o);
    as_oracle_options od;
    as_oracle_options_default(&od);
    as_relax_options rd;
    as_relax_options_default(&rd);
    if (!ropt)
        ropt = &rd;
    la_word(&a, ex->program);
    la_word(&a, "label");
    la_word(&a, "--quiet");
    la_word(&a, "--oracle");
    la_word(&a, ex->spec);
    /* the limit in force on this side (the option's KEY=S list resolved for this spec, or the
     * oracle's default), unless the caller set the jobs' own */
    double t = ex->label_timeout_s > 0 ? ex->label_timeout_s : as_oracle_timeout(ex->o);
    if (isinf(t))
        la_word(&a, "--timeout"), la_word(&a, "none");
    else
        la_num(&a, "--timeout", "%.17g", t);
    if (relax) {
        la_word(&a, "--relax");
        la_num(&a, "--fmax", "%.17g", ropt->fmax);
        la_num(&a, "--max-steps", "%.0f", (double)ropt->max_steps);
        la_dbl(&a, "--fire-dt", ropt->dt, rd.dt);
        la_dbl(&a, "--fire-dt-max", ropt->dt_max, rd.dt_max);
        la_dbl(&a, "--fire-max-step", ropt->max_step, rd.max_step);
        if (ropt->n_min != rd.n_min)
            la_num(&a, "--fire-n-min", "%.0f", (double)ropt->n_min);
        la_dbl(&a, "--fire-f-inc", ropt->f_inc, rd.f_inc);
        la_dbl(&a, "--fire-f-dec", ropt->f_dec, rd.f_dec);
        la_dbl(&a, "--fire-alpha", ropt->alpha_start, rd.alpha_start);
        la_dbl(&a, "--fire-f-alpha", ropt->f_alpha, rd.f_alpha);
    }
    /* the label checks: an infinite window (the check off) as the largest finite number */
    if (oo->e_atom_max_ev != od.e_atom_max_ev)
        la_num(&a, "--e-atom-max", "%.17g", isinf(oo->e_atom_max_ev) ? DBL_MAX : oo->e_atom_max_ev);
    la_dbl(&a, "--cell-tol", oo->cell_tol_ang, od.cell_tol_ang);
    /* the cmd: run options (issue 19) */
    if (oo->accept_unconverged)
        la_word(&a, "--accept-unconverged");
    if (oo->keep_files)
        la_word(&a, "--keep-workdirs");
    if (oo->workdir)
        la_word(&a, "--scratch"), la_word(&a, oo->workdir);
    if (oo->nprocs)
        la_num(&a, "--nprocs", "%.0f", (double)oo->nprocs);
    /* part of the label key */
    if (oo->oracle_version)
        la_word(&a, "--oracle-version"), la_word(&a, oo->oracle_version);
    /* eam tables and neighbour list (part of the description: nrho, nr) */
    if (oo->nrho != od.nrho)
        la_num(&a, "--nrho", "%.0f", (double)oo->nrho);
    if (oo->nr != od.nr)
        la_num(&a, "--nr", "%.0f", (double)oo->nr);
    la_dbl(&a, "--skin", oo->skin_ang, od.skin_ang);
    if (a.n >= LABEL_ARGS_MAX - 1)
        return AS_FAIL(AS_EINVAL, "executor: too many label options");
    size_t bytes = (a.n + 1) * sizeof(char *);
    for (size_t i = 0; i < a.n; i++)
        bytes += strlen(a.w[i]) + 1;
    char **v = as_malloc(bytes);
    if (!v)
        return AS_FAIL(AS_ENOMEM, "executor: label command");
    char *p = (char *)(v + a.n + 1);
    for (size_t i = 0; i < a.n; i++) {
        size_t L = strlen(a.w[i]) + 1;
        memcpy(p, a.w[i], L);
        v[i] = p;
        p += L;
    }
    v[a.n] = NULL;
    *out = v;
    if (argc)
        *argc = a.n;
    return AS_OK;
}

static as_status write_script(as_executor *ex, const char *batch, const char *jobname, int relax,
                              const as_relax_options *ropt, const char *path)
{
    as_sbuf c = {0}, out = {0};
    char **argv = NULL;
    AS_TRY(as_exec_label_argv(ex, relax, ropt, &argv, NULL));
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            as_sbuf_puts(&c, " ");
        sb_quote(&c, argv[i]);
    }
    as_free(argv);
    for (int k = 0; k < 2; k++) {
        as_sbuf_puts(&c, " ");
        sb_quote(&c, batch);
        as_sbuf_puts(&c, k ? "/\"${SLURM_ARRAY_TASK_ID:-0}\"/out.extxyz"
                           : "/\"${SLURM_ARRAY_TASK_ID:-0}\"/in.extxyz");
    }
    const char *val[6] = {c.s, jobname, batch, ex->ntasks, ex->time, ex->spec};
    const char *t = ex->template_text;
    for (const char *q = t; *q;) {
        int which;
        size_t len = as_exec_placeholder(t, q, &which);
        if (len && which >= 0) {
            as_sbuf_puts(&out, val[which] ? val[which] : "");
            q += len;
        } else
            as_sbuf_putn(&out, q++, 1);
    }
    as_status st = AS_OK;
    if (c.oom || out.oom)
        st = AS_FAIL(AS_ENOMEM, "executor: job script");
    else {
        FILE *f = fopen(path, "w");
        if (!f)
            st = AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(errno));
        else {
            fputs(out.s, f);
            if (fclose(f) != 0)
                st = AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(errno));
            else
                chmod(path, 0755);
        }
    }
    as_free(c.s);
    as_free(out.s);
    return st;
}

/* ---- result files ---- */
static void join(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
    sfmt(buf, cap, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
}

/* The last non-empty line of the task's log (for failure reasons), "" if none. */
static void log_tail(as_executor *ex, const char *dir, char *buf, size_t cap)
{
    char path[4096];
    join(path, sizeof path, ex->workdir, dir, "job.log");
    buf[0] = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char tmp[1024];
    long off = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (off = ftell(f)) > (long)sizeof tmp - 1)
        fseek(f, off - (long)sizeof tmp + 1, SEEK_SET);
    else
        fseek(f, 0, SEEK_SET);
    size_t n = fread(tmp, 1, sizeof tmp - 1, f);
    fclose(f);
    tmp[n] = 0;
    while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == '\r' || tmp[n - 1] == ' '))
        tmp[--n] = 0;
    char *nl = strrchr(tmp, '\n');
    sfmt(buf, cap, "%s", nl ? nl + 1 : tmp);
}

static double info_num(const as_structure *f, const char *key, double dflt)
{
    const char *v = as_structure_get_info(f, key);
    if (!v)
        return dflt;
    char *end;
    double x = strtod(v, &end);
    return *end ? dflt : x;
}

/* text as label writes an info value (one line, at most cap - 1 bytes; src/cli/label.c) */
static void info_text(char *buf, size_t cap, const char *v)
{
    sfmt(buf, cap, "%s", v);
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Read the task's out.extxyz into t (1), or 0 when it is absent. An unreadable file counts as
 * absent (the job is then judged by its state). */
static int collect(as_executor *ex, const char *dir, const as_structure *s, task_t *t)
{
    char path[4096];
    join(path, sizeof path, ex->workdir, dir, "out.extxyz");
    if (access(path, R_OK) != 0)
        return 0;
    as_structure **fr = NULL;
    size_t nf = 0;
    if (as_extxyz_read(path, &fr, &nf) != AS_OK)
        return 0;
    if (nf != 1 || fr[0]->n != s->n) {
        as_structures_free(fr, nf);
        return 0;
    }
    as_structure *f = fr[0];
    as_label_result *r = &t->res;
    memset(r, 0, sizeof *r);
    const char *status = as_structure_get_info(f, "status");
    const char *err = as_structure_get_info(f, "error");
    int ok = status && !strcmp(status, "ok") && f->has_energy;
    r->status = ok ? AS_OK : AS_EORACLE;
    r->energy = ok ? f->energy : NAN;
    r->fmax = info_num(f, "fmax", NAN);
    r->rmsd = info_num(f, "rmsd", 0);
    r->rmsd_paper = info_num(f, "rmsd_paper", 0);
    r->steps = (size_t)info_num(f, "steps", 0);
    r->relaxed = (int)info_num(f, "relaxed", 0);
    r->attempts = (size_t)info_num(f, "attempts", 1);
    const char *conv = as_structure_get_info(f, "converged"); /* issue 19 */
    r->converged = !conv ? 0 : !strcmp(conv, "T") ? 1 : -1;
    const char *wd = as_structure_get_info(f, "workdir");
    if (wd)
        sfmt(r->workdir, sizeof r->workdir, "%s", wd);
    if (status && !strcmp(status, "timeout"))
        r->status = AS_ETIMEOUT;
    if (!ok)
        sfmt(r->error, sizeof r->error, "%s", err ? err : "the label job reported failure");
    /* the job's oracle must be this one: a label computed under another method (another
     * description, dependency hash or --oracle-version) is not the label of this key */
    const char *desc = as_structure_get_info(f, "oracle");
    const char *ver = as_structure_get_info(f, "oracle_version");
    char want_d[600], want_v[600];
    info_text(want_d, sizeof want_d, as_oracle_describe(ex->o));
    info_text(want_v, sizeof want_v, as_oracle_dependencies(ex->o));
    if (desc && (strcmp(desc, want_d) || strcmp(ver ? ver : "", want_v))) {
        ok = 0;
        r->status = AS_EORACLE;
        r->energy = NAN;
        sfmt(r->error, sizeof r->error,
             "the job labelled with oracle '%.100s' version '%.100s', not '%.100s' '%.100s'", desc,
             ver ? ver : "", want_d, want_v);
    }
    as_structure_free(t->rx);
    t->rx = NULL;
    if (ok && as_structure_copy(s, &t->rx) == AS_OK)
        memcpy(t->rx->pos, f->pos, 3 * s->n * sizeof *s->pos);
    as_structures_free(fr, nf);
    return 1;
}

/* ---- records ---- */
static as_status record(as_executor *ex, uint64_t key, size_t attempt, as_job_state state,
                        const char *job_id, const char *job_name, const char *dir,
                        const char *reason)
{
    as_job_record r;
    memset(&r, 0, sizeof r);
    r.key = key;
    r.attempt = attempt;
    r.state = state;
    sfmt(r.job_id, sizeof r.job_id, "%s", job_id ? job_id : "");
    sfmt(r.job_name, sizeof r.job_name, "%s", job_name ? job_name : "");
    sfmt(r.dir, sizeof r.dir, "%s", dir ? dir : "");
    sfmt(r.reason, sizeof r.reason, "%s", reason ? reason : "");
    return as_exec_record_nosync(ex, &r); /* submit() syncs the array's intents at once */
}

/* A record changed only in its state (and reason). */
static as_status restate(as_executor *ex, const as_job_record *old, as_job_state state,
                         const char *reason)
{
    as_job_record r = *old;
    r.state = state;
    sfmt(r.reason, sizeof r.reason, "%s", reason ? reason : "");
    return as_exec_record(ex, &r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- submission: one sbatch --array per chunk of at most array_max tasks ---- */
static as_status submit_arrays(as_executor *ex, task_t *tasks, const size_t *idx, size_t m,
                               const as_structure *const *s, int relax,
                               const as_relax_options *ropt)
{
    for (size_t c0 = 0; c0 < m; c0 += ex->array_max) {
        size_t mc = AS_MIN(ex->array_max, m - c0);
        char batch[4096], path[4096], jobname[64], dir[128], arr[64];
        sfmt(batch, sizeof batch, "%s/b-XXXXXX", ex->workdir);
        if (!mkdtemp(batch))
            return AS_FAIL(AS_EIO, "cannot create a batch directory in %s: %s", ex->workdir,
                           strerror(errno));
        const char *bname = strrchr(batch, '/') + 1;
        sfmt(jobname, sizeof jobname, "%.40s-%s", ex->job_name, bname);
        for (size_t q = 0; q < mc; q++) {
            task_t *t = &tasks[idx[c0 + q]];
            sfmt(path, sizeof path, "%s/%zu", batch, q);
            if (mkdir(path, 0777) != 0)
                return AS_FAIL(AS_EIO, "cannot create %s: %s", path, strerror(errno));
            sfmt(path, sizeof path, "%s/%zu/in.extxyz", batch, q);
            as_structure *const one[1] = {(as_structure *)s[t->first]};
            AS_TRY(as_extxyz_write(path, one, 1));
        }
        sfmt(path, sizeof path, "%s/job.sh", batch);
        AS_TRY(write_script(ex, batch, jobname, relax, ropt, path));
        /* the intent first: a run killed before sbatch answers finds the array by its name */
        for (size_t q = 0; q < mc; q++) {
            task_t *t = &tasks[idx[c0 + q]];
            const as_job_record *old = as_exec_find(ex, t->key);
            size_t attempt = old ? old->attempt + (old->state != AS_JOB_CANCELLED) : 1;
            sfmt(dir, sizeof dir, "%s/%zu", bname, q);
            AS_TRY(record(ex, t->key, attempt, AS_JOB_SUBMITTING, "", jobname, dir, ""));
        }
        AS_TRY(as_exec_sync(ex));
        char a_name[96], a_arr[64], a_out[4200], a_dir[4200];
        sfmt(a_name, sizeof a_name, "--job-name=%s", jobname);
        sfmt(a_arr, sizeof a_arr, "--array=0-%zu", mc - 1);
        sfmt(a_out, sizeof a_out, "--output=%s/%%a/job.log", batch);
        sfmt(a_dir, sizeof a_dir, "--chdir=%s", batch);
        char **argv = as_calloc(ex->n_sopts + 8, sizeof *argv);
        if (!argv)
            return AS_FAIL(AS_ENOMEM, "executor: sbatch arguments");
        size_t k = 0;
        argv[k++] = "sbatch";
        argv[k++] = "--parsable";
        argv[k++] = a_name;
        argv[k++] = a_arr;
        argv[k++] = a_out;
        argv[k++] = a_dir;
        for (size_t i = 0; i < ex->n_sopts; i++)
            argv[k++] = ex->sopts[i];
        argv[k++] = path;
        char *o = NULL, *e = NULL;
        int code;
        as_status st = as_proc_run(argv, &o, &e, &code);
        as_free(argv);
        if (st != AS_OK)
            return st;
        ex->stats.sbatch_calls++;
        char *end = NULL;
        unsigned long long id = strtoull(o, &end, 10);
        if (code != 0 || end == o || (*end && *end != ';' && *end != '\n')) {
            size_t el = strlen(e);
            while (el && (e[el - 1] == '\n' || e[el - 1] == ' '))
                e[--el] = 0;
            st = AS_FAIL(AS_EORACLE, "sbatch failed (exit %d): %s", code, *e ? e : o);
            as_free(o);
            as_free(e);
            return st;
        }
        as_free(o);
        as_free(e);
        for (size_t q = 0; q < mc; q++) {
            task_t *t = &tasks[idx[c0 + q]];
            const as_job_record *old = as_exec_find(ex, t->key);
            sfmt(arr, sizeof arr, "%llu_%zu", id, q);
            as_job_record r = *old;
            r.state = AS_JOB_SUBMITTED;
            sfmt(r.job_id, sizeof r.job_id, "%s", arr);
            AS_TRY(as_exec_record_nosync(ex, &r));
            t->active = 1;
            t->tries++;
            t->missing = 0;
            ex->stats.submitted++;
        }
        AS_TRY(as_exec_sync(ex));
    }
    return AS_OK;
}

static as_status submit(as_executor *ex, task_t *tasks, const size_t *idx, size_t m,
                        const as_structure *const *s, int relax, const as_relax_options *ropt)
{
    double t0 = now_s();
    as_status st = m ? submit_arrays(ex, tasks, idx, m, s, relax, ropt) : AS_OK;
    ex->stats.submit_s += now_s() - t0;
    return st;
}

/* ---- queue queries ---- */
static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = 0;
}

/* squeue -h -r -t all --name=N1,N2.. -o '%i|%T|%r|%j'. *ok = 0 when squeue failed. */
static as_status squeue_names(as_executor *ex, const char *names, qline **out, size_t *n, int *ok)
{
    *out = NULL;
    *n = 0;
    *ok = 0;
    size_t len = strlen(names) + 16;
    char *arg = as_malloc(len);
    if (!arg)
        return AS_FAIL(AS_ENOMEM, "executor: squeue arguments");
    sfmt(arg, len, "--name=%s", names);
    char *argv[] = {"squeue", "-h", "-r", "-t", "all", arg, "-o", "%i|%T|%r|%j", NULL};
    char *o = NULL, *e = NULL;
    int code;
    as_status st = as_proc_run(argv, &o, &e, &code);
    as_free(arg);
    ex->stats.polls++;
    if (st != AS_OK || code != 0) {
        if (st == AS_OK)
            as_error_set(AS_EORACLE, "squeue failed (exit %d): %s", code, e);
        as_free(o);
        as_free(e);
        return AS_OK;
    }
    size_t lines = 0;
    for (char *p = o; *p; p++)
        lines += *p == '\n';
    qline *v = as_calloc(lines + 1, sizeof *v);
    if (!v) {
        as_free(o);
        as_free(e);
        return AS_FAIL(AS_ENOMEM, "executor: squeue output");
    }
    char *save = NULL;
    for (char *l = strtok_r(o, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *f[4] = {0}, *s2 = NULL;
        size_t k = 0;
        for (char *t = strtok_r(l, "|", &s2); t && k < 4; t = strtok_r(NULL, "|", &s2))
            f[k++] = t;
        if (k < 3)
            continue;
        qline *q = &v[(*n)++];
        sfmt(q->id, sizeof q->id, "%s", f[0]);
        sfmt(q->state, sizeof q->state, "%s", f[1]);
        sfmt(q->reason, sizeof q->reason, "%s", f[2]);
        sfmt(q->name, sizeof q->name, "%s", k > 3 ? f[3] : "");
    }
    as_free(o);
    as_free(e);
    *out = v;
    *ok = 1;
    return AS_OK;
}

/* The final state of one job squeue no longer lists: sacct, else scontrol. 0 if unknown. */
static int final_state(const char *job_id, char *state, size_t cap, char *reason, size_t rcap)
{
    state[0] = reason[0] = 0;
    char *o = NULL, *e = NULL;
    int code;
    char *sa[] = {"sacct", "-n", "-X", "-P", "-j", (char *)job_id, "-o", "State,ExitCode", NULL};
    if (as_proc_run(sa, &o, &e, &code) == AS_OK && code == 0 && o[0]) {
        char *bar = strchr(o, '|');
        if (bar)
            *bar = 0;
        trim(o);
        char *sp = strchr(o, ' '); /* "CANCELLED by 0" */
        if (sp)
            *sp = 0;
        sfmt(state, cap, "%s", o);
        if (bar) {
            trim(bar + 1);
            sfmt(reason, rcap, "exit code %s", bar + 1);
        }
    }
    as_free(o);
    as_free(e);
    o = e = NULL;
    if (state[0])
        return 1;
    char *sc[] = {"scontrol", "-o", "show", "job", (char *)job_id, NULL};
    if (as_proc_run(sc, &o, &e, &code) == AS_OK && code == 0) {
        char *js = strstr(o, "JobState="), *rs = strstr(o, " Reason=");
        if (js) {
            js += 9;
            size_t l = strcspn(js, " \n");
            sfmt(state, cap, "%.*s", (int)l, js);
        }
        if (rs) {
            rs += 8;
            size_t l = strcspn(rs, " \n");
            sfmt(reason, rcap, "%.*s", (int)l, rs);
        }
    }
    as_free(o);
    as_free(e);
    return state[0] != 0;
}

static int is_failure(const char *state)
{
    static const char *const bad[] = {"FAILED",       "TIMEOUT",       "PREEMPTED", "NODE_FAIL",
                                      "CANCELLED",    "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
                                      "SPECIAL_EXIT", "REVOKED"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (!strcmp(state, bad[i]))
            return 1;
    return 0;
}

static const qline *find_line(const qline *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].id, id))
            return &v[i];
    return NULL;
}

/* Names of the arrays of the active tasks, comma-separated (deduplicated). */
static char *active_names(as_executor *ex, const task_t *tasks, size_t nt)
{
    as_sbuf b = {0};
    const char *last = "";
    for (size_t i = 0; i < nt; i++) {
        if (!tasks[i].active)
            continue;
        const as_job_record *r = as_exec_find(ex, tasks[i].key);
        if (!r || !strcmp(r->job_name, last))
            continue;
        if (b.n && strstr(b.s, r->job_name)) {
            last = r->job_name;
            continue;
        }
        if (b.n)
            as_sbuf_puts(&b, ",");
        as_sbuf_puts(&b, r->job_name);
        last = r->job_name;
    }
    if (!b.s && !b.oom)
        as_sbuf_puts(&b, "");
    return b.oom ? NULL : b.s;
}

/* The job of a SUBMITTING record, looked up by its array's name: its id or "". */
static void resolve_submitting(const qline *v, size_t nq, const as_job_record *r, char *id,
                               size_t cap)
{
    id[0] = 0;
    const char *slash = strrchr(r->dir, '/');
    if (!slash)
        return;
    for (size_t i = 0; i < nq; i++) {
        const char *us = strrchr(v[i].id, '_');
        if (strcmp(v[i].name, r->job_name) || !us || strcmp(us + 1, slash + 1))
            continue;
        sfmt(id, cap, "%s", v[i].id);
        return;
    }
}

static as_status cancel_ids(as_executor *ex, int only_active, const task_t *tasks, size_t nt,
                            size_t *n_cancelled)
{
    size_t cap = ex->n_recs + 2, k = 0;
    char **argv = as_calloc(cap + 1, sizeof *argv);
    as_job_record **which = as_calloc(cap, sizeof *which);
    if (!argv || !which) {
        as_free(argv);
        as_free(which);
        return AS_FAIL(AS_ENOMEM, "executor: scancel arguments");
    }
    argv[k++] = "scancel";
    for (size_t i = 0; i < ex->n_recs; i++) {
        as_job_record *r = &ex->recs[i];
        if ((r->state != AS_JOB_SUBMITTED && r->state != AS_JOB_RUNNING) || !r->job_id[0])
            continue;
        if (only_active) {
            int act = 0;
            for (size_t t = 0; t < nt && !act; t++)
                act = tasks[t].active && tasks[t].key == r->key;
            if (!act)
                continue;
        }
        which[k - 1] = r;
        argv[k++] = r->job_id;
    }
    as_status st = AS_OK;
    if (k > 1) {
        char *o = NULL, *e = NULL;
        int code;
        st = as_proc_run(argv, &o, &e, &code);
        if (st == AS_OK && code != 0) {
            trim(e);
            st = AS_FAIL(AS_EORACLE, "scancel failed (exit %d): %s", code, e);
        }
        as_free(o);
        as_free(e);
        for (size_t i = 0; i + 1 < k && st == AS_OK; i++)
            st = restate(ex, which[i], AS_JOB_CANCELLED, "cancelled by alloyscout");
    }
    if (n_cancelled)
        *n_cancelled = k - 1;
    as_free(argv);
    as_free(which);
    return st;
}

as_status as_slurm_cancel(as_executor *ex, size_t *n_cancelled)
{
    return cancel_ids(ex, 0, NULL, 0, n_cancelled);
}

/* ---- one batch ---- */
static as_status slurm_label(as_executor *ex, as_store *store, const as_structure *const *s,
                             size_t n, int relax, const as_relax_options *ropt,
                             as_label_result *results, as_structure **relaxed, size_t *n_computed)
{
    as_status st = AS_OK;
    as_relax_options rdef;
    if (!ropt) {
        as_relax_options_default(&rdef);
        ropt = &rdef;
    }
    if (relaxed)
        for (size_t i = 0; i < n; i++)
            relaxed[i] = NULL;
    char method[2048];
    as_label_method(ex->o, relax, ropt, method, sizeof method);
    uint64_t *pairs = NULL;
    size_t *owner = NULL, *todo = NULL, nt = 0, ntodo = 0;
    task_t *tasks = NULL;
    double *buf = NULL;
    qline *ql = NULL;
    size_t nq = 0;
    char *names = NULL;
    AS_CHECK(AS_ALLOC(pairs, 2 * n + 2, "executor: keys"));
    AS_CHECK(AS_ALLOC(owner, n + 1, "executor: keys"));
    AS_CHECK(AS_ALLOC(tasks, n + 1, "executor: tasks"));
    AS_CHECK(AS_ALLOC(todo, n + 1, "executor: tasks"));
    for (size_t i = 0; i < n; i++) {
        pairs[2 * i] = as_label_key(s[i], method);
        pairs[2 * i + 1] = i;
    }
    /* one task per distinct key, in order of first appearance */
    qsort(pairs, n, 2 * sizeof *pairs, key_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || pairs[2 * i] != pairs[2 * i - 2]) {
            tasks[nt].key = pairs[2 * i];
            tasks[nt].first = (size_t)pairs[2 * i + 1];
            tasks[nt].res.energy = NAN;
            nt++;
        }
        owner[pairs[2 * i + 1]] = nt - 1;
    }
    /* what is known already: the store, then the journal */
    for (size_t t = 0; t < nt; t++) {
        task_t *tk = &tasks[t];
        const as_structure *si = s[tk->first];
        if (store) {
            int found = 0;
            as_free(buf);
            buf = NULL;
            AS_CHECK(AS_ALLOC(buf, 3 * si->n + 1, "executor: positions"));
            AS_CHECK(as_label_store_get(store, tk->key, &tk->res, buf, si->n, &found));
            if (found && tk->res.status == AS_OK) { /* stored failures are tried again */
                tk->final = tk->from_store = 1;
                if (tk->res.relaxed) {
                    AS_CHECK(as_structure_copy(si, &tk->rx));
                    memcpy(tk->rx->pos, buf, 3 * si->n * sizeof *buf);
                }
                continue;
            }
        }
        const as_job_record *r = as_exec_find(ex, tk->key);
        if (!r) {
            todo[ntodo++] = t;
            continue;
        }
        switch (r->state) {
        case AS_JOB_SUBMITTED:
        case AS_JOB_RUNNING:
        case AS_JOB_SUBMITTING: /* resolved at the first poll */
            tk->active = 1;
            ex->stats.reattached++;
            break;
        case AS_JOB_DONE:
            if (collect(ex, r->dir, si, tk) && tk->res.status == AS_OK) {
                tk->final = 1;
                ex->stats.reattached++;
            } else
                todo[ntodo++] = t;
            break;
        default: /* failed for good in an earlier run, or cancelled: submitted again */
            todo[ntodo++] = t;
        }
    }
    AS_CHECK(submit(ex, tasks, todo, ntodo, s, relax, ropt));

    double wait = ex->poll_min_s, t_wait = now_s(), t_sub0 = ex->stats.submit_s;
    size_t squeue_fail = 0;
    for (;;) {
        size_t n_active = 0;
        for (size_t t = 0; t < nt; t++)
            n_active += tasks[t].active;
        if (!n_active)
            break;
        /* the executor's own flag (as_executor_interrupt) or the process's (interrupt.h) */
        if (!ex->interrupted && !as_interrupted())
            as_proc_sleep(wait);
        if (ex->interrupted || as_interrupted()) {
            size_t nc = 0;
            st = cancel_ids(ex, 1, tasks, nt, &nc);
            if (st == AS_OK)
                st = AS_FAIL(ex->interrupted ? AS_EORACLE : AS_EINTR,
                             "interrupted: cancelled %zu queued or running job%s "
                             "of this run",
                             nc, nc == 1 ? "" : "s");
            goto fail;
        }
        as_free(names);
        as_free(ql);
        ql = NULL;
        names = active_names(ex, tasks, nt);
        if (!names) {
            st = AS_FAIL(AS_ENOMEM, "executor: job names");
            goto fail;
        }
        int ok;
        AS_CHECK(squeue_names(ex, names, &ql, &nq, &ok));
        if (!ok) {
            if (++squeue_fail >= AS_SLURM_SQUEUE_TRIES) {
                st = AS_EORACLE;
                as_error_prefix(st, "cannot watch the jobs (squeue failed %d times in a row): ",
                                AS_SLURM_SQUEUE_TRIES);
                goto fail;
            }
            wait = AS_MIN(2 * wait, ex->poll_max_s);
            continue;
        }
        squeue_fail = 0;
        int changed = 0;
        ntodo = 0;
        for (size_t t = 0; t < nt; t++) {
            task_t *tk = &tasks[t];
            if (!tk->active)
                continue;
            const as_structure *si = s[tk->first];
            as_job_record r = *as_exec_find(ex, tk->key);
            if (r.state == AS_JOB_SUBMITTING) {
                char id[48];
                resolve_submitting(ql, nq, &r, id, sizeof id);
                if (id[0]) {
                    sfmt(r.job_id, sizeof r.job_id, "%s", id);
                    r.state = AS_JOB_SUBMITTED;
                    AS_CHECK(as_exec_record(ex, &r));
                } else if (!collect(ex, r.dir, si, tk)) {
                    /* sbatch never took it: submit it (again) */
                    tk->active = 0;
                    todo[ntodo++] = t;
                    changed = 1;
                    continue;
                }
            }
            /* a result file decides, whatever the queue says */
            if (collect(ex, r.dir, si, tk)) {
                const char *why_failed = tk->res.status == AS_OK ? "" : tk->res.error;
                AS_CHECK(restate(ex, &r, AS_JOB_DONE, why_failed));
                tk->active = 0;
                tk->final = 1;
                changed = 1;
                if (store) {
                    AS_CHECK(as_label_store_put(store, tk->key, method, si, &tk->res,
                                                tk->rx && tk->res.relaxed ? tk->rx->pos : NULL));
                }
                continue;
            }
            const qline *q = find_line(ql, nq, r.job_id);
            char state[32] = "", why[128] = "";
            if (q) {
                sfmt(state, sizeof state, "%s", q->state);
                sfmt(why, sizeof why, "%s", strcmp(q->reason, "None") ? q->reason : "");
            } else
                final_state(r.job_id, state, sizeof state, why, sizeof why);
            if (!strcmp(state, "RUNNING") || !strcmp(state, "COMPLETING")) {
                if (r.state != AS_JOB_RUNNING) {
                    AS_CHECK(restate(ex, &r, AS_JOB_RUNNING, ""));
                    changed = 1;
                }
                tk->missing = 0;
                continue;
            }
            int failed = is_failure(state);
            if (!failed && (!state[0] || !strcmp(state, "COMPLETED"))) {
                /* gone, or completed without a result file (yet): wait a few polls */
                if (++tk->missing < AS_SLURM_MISSING_POLLS)
                    continue;
                failed = 1;
                if (!state[0])
                    sfmt(state, sizeof state, "VANISHED");
            }
            if (!failed) { /* PENDING, CONFIGURING, SUSPENDED, REQUEUED ... */
                tk->missing = 0;
                continue;
            }
            char reason[256], tail[160];
            log_tail(ex, r.dir, tail, sizeof tail);
            sfmt(reason, sizeof reason, "%s%s%s%s%s", state, why[0] ? " (" : "", why,
                 why[0] ? ")" : "", "");
            if (!strcmp(state, "COMPLETED") || !strcmp(state, "VANISHED"))
                sfmt(reason + strlen(reason), sizeof reason - strlen(reason),
                     " without a result file");
            if (tail[0])
                sfmt(reason + strlen(reason), sizeof reason - strlen(reason), ": %s", tail);
            AS_CHECK(restate(ex, &r, AS_JOB_FAILED, reason));
            as_log(AS_LOG_WARN, "job %s (%s) failed: %s%s", r.job_id, r.dir, reason,
                   tk->tries <= ex->retries ? "; submitting it again" : "");
            tk->active = 0;
            changed = 1;
            if (tk->tries <= ex->retries) {
                todo[ntodo++] = t;
                ex->stats.retried++;
            } else {
                tk->final = 1;
                memset(&tk->res, 0, sizeof tk->res);
                tk->res.status = AS_EORACLE;
                tk->res.energy = NAN;
                tk->res.fmax = NAN;
                tk->res.attempts = r.attempt;
                sfmt(tk->res.error, sizeof tk->res.error, "job %s failed %zu time%s, last: %s",
                     r.job_id, tk->tries, tk->tries == 1 ? "" : "s", reason);
            }
        }
        AS_CHECK(submit(ex, tasks, todo, ntodo, s, relax, ropt));
        wait = changed ? ex->poll_min_s : AS_MIN(2 * wait, ex->poll_max_s);
    }
    ex->stats.wait_s += now_s() - t_wait - (ex->stats.submit_s - t_sub0); /* resubmissions */
    for (size_t i = 0; i < n; i++) {
        task_t *tk = &tasks[owner[i]];
        results[i] = tk->res;
        if (n_computed && !tk->from_store)
            (*n_computed)++;
        if (relaxed && tk->rx && results[i].status == AS_OK) {
            if (!tk->from_store || tk->res.relaxed)
                AS_CHECK(as_structure_copy(tk->rx, &relaxed[i]));
            if (relaxed[i] && tk->from_store) {
                relaxed[i]->energy = results[i].energy;
                relaxed[i]->has_energy = 1;
            }
        }
    }
fail:
    if (tasks)
        for (size_t t = 0; t < nt; t++)
            as_structure_free(tasks[t].rx);
    if (st != AS_OK && relaxed)
        for (size_t i = 0; i < n; i++) {
            as_structure_free(relaxed[i]);
            relaxed[i] = NULL;
        }
    as_free(pairs);
    as_free(owner);
    as_free(tasks);
    as_free(todo);
    as_free(buf);
    as_free(ql);
    as_free(names);
    return st;
}

as_status as_slurm_label(as_executor *ex, as_store *store, const as_structure *const *s, size_t n,
                         int relax, const as_relax_options *ropt, as_label_result *results,
                         as_structure **relaxed, size_t *n_computed)
{
    /* a SIGINT/SIGTERM caught by the process's handler (as_interrupt_install) is only recorded
     * while jobs are watched: the loop cancels this run's jobs, says so, and returns */
    as_interrupt_hold();
    as_status st = slurm_label(ex, store, s, n, relax, ropt, results, relaxed, n_computed);
    as_interrupt_release();
    return st;
}
