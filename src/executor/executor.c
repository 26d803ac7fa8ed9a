/* The executor: options, creation (job template, journal read-back), the record table, the file
 * journal, and the dispatch of as_executor_label to the local path or the Slurm backend
 * (slurm.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "executor_int.h"

static const char *const state_names[] = {"submitting", "submitted", "running",
                                          "done",       "failed",    "cancelled"};

const char *as_job_state_name(as_job_state s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

as_status as_job_state_parse(const char *name, as_job_state *out)
{
    for (size_t i = 0; i < sizeof state_names / sizeof *state_names; i++)
        if (!strcmp(name, state_names[i])) {
            *out = (as_job_state)i;
            return AS_OK;
        }
    return AS_FAIL(AS_EINVAL, "executor: unknown job state '%s'", name);
}

as_executor_options as_executor_options_default(void)
{
    as_executor_options o;
    memset(&o, 0, sizeof o);
    o.backend = "local";
    o.job_name = "alloyscout";
    o.retries = 2;
    o.poll_min_s = 1;
    o.poll_max_s = 30;
    o.array_max = 1000;
    return o;
}

const char *as_executor_backend(const as_executor *ex) { return ex->slurm ? "slurm" : "local"; }

as_executor_stats as_executor_get_stats(const as_executor *ex) { return ex->stats; }

void as_executor_interrupt(as_executor *ex)
{
    if (ex)
        ex->interrupted = 1;
}

/* ---- the record table: latest record per key, open addressing on the key ---- */
static size_t slot_of(uint64_t key, size_t cap) /* cap: a power of two */
{
    return (size_t)(key * 0x9E3779B97F4A7C15ULL) & (cap - 1); /* keys are FNV-1a: mixed already */
}

as_job_record *as_exec_find(as_executor *ex, uint64_t key)
{
    if (!ex->cap)
        return NULL;
    for (size_t h = slot_of(key, ex->cap);; h = (h + 1) & (ex->cap - 1)) {
        size_t i = ex->slot[h];
        if (i == SIZE_MAX)
            return NULL;
        if (ex->recs[i].key == key)
            return &ex->recs[i];
    }
}

static as_status table_put(as_executor *ex, const as_job_record *r)
{
    as_job_record *old = as_exec_find(ex, r->key);
    if (old) {
        *old = *r;
        return AS_OK;
    }
    if (2 * (ex->n_recs + 1) > ex->cap) { /* grow and rehash */
        size_t cap = ex->cap ? 2 * ex->cap : 64;
        size_t *slot = as_malloc(cap * sizeof *slot);
        as_job_record *recs = as_realloc(ex->recs, cap * sizeof *recs);
        if (!slot || !recs) {
            as_free(slot);
            if (recs)
                ex->recs = recs;
            return AS_FAIL(AS_ENOMEM, "executor: job table of %zu entries", cap);
        }
        ex->recs = recs;
        for (size_t h = 0; h < cap; h++)
            slot[h] = SIZE_MAX;
        for (size_t i = 0; i < ex->n_recs; i++) {
            size_t h = slot_of(ex->recs[i].key, cap);
            while (slot[h] != SIZE_MAX)
                h = (h + 1) & (cap - 1);
            slot[h] = i;
        }
        as_free(ex->slot);
        ex->slot = slot;
        ex->cap = cap;
    }
    size_t h = slot_of(r->key, ex->cap);
    while (ex->slot[h] != SIZE_MAX)
        h = (h + 1) & (ex->cap - 1);
    ex->slot[h] = ex->n_recs;
    ex->recs[ex->n_recs++] = *r;
    return AS_OK;
}

/* Record a state change: journal first (callback or file), then the table. */
as_status as_exec_record_nosync(as_executor *ex, const as_job_record *r)
{
    if (ex->journal)
        AS_TRY(ex->journal(r, ex->journal_user));
    else if (ex->journal_fd >= 0)
        AS_TRY(as_journal_append(ex->journal_fd, ex->journal_path, r, 0));
    return table_put(ex, r);
}

as_status as_exec_sync(as_executor *ex)
{
    if (!ex->journal && ex->journal_fd >= 0 && fsync(ex->journal_fd) != 0)
        return AS_FAIL(AS_EIO, "cannot fsync %s: %s", ex->journal_path, strerror(errno));
    return AS_OK;
}

as_status as_exec_record(as_executor *ex, const as_job_record *r)
{
    AS_TRY(as_exec_record_nosync(ex, r));
    return as_exec_sync(ex);
}

/* ---- the file journal: one tab-separated line per record, fsync'd ---- */
static void field(char *dst, size_t cap, const char *src)
{
    size_t k = 0;
    for (; src && *src && k + 1 < cap; src++)
        dst[k++] = (*src == '\t' || *src == '\n' || *src == '\r') ? ' ' : *src;
    dst[k] = 0;
    if (!k)
        snprintf(dst, cap, "-");
}

as_status as_journal_append(int fd, const char *path, const as_job_record *r, int sync)
{
    char id[64], name[80], dir[144], why[272], line[700];
    field(id, sizeof id, r->job_id);
    field(name, sizeof name, r->job_name);
    field(dir, sizeof dir, r->dir);
    field(why, sizeof why, r->reason);
    int len = snprintf(line, sizeof line, "%016llx\t%zu\t%s\t%s\t%s\t%s\t%s\n",
                       (unsigned long long)r->key, r->attempt, as_job_state_name(r->state), id,
                       name, dir, why);
    if (len < 0 || (size_t)len >= sizeof line)
        return AS_FAIL(AS_EINVAL, "executor: journal record too long");
    for (size_t off = 0; off < (size_t)len;) {
        ssize_t w = write(fd, line + off, (size_t)len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(errno));
        off += (size_t)w;
    }
    if (sync && fsync(fd) != 0)
        return AS_FAIL(AS_EIO, "cannot fsync %s: %s", path, strerror(errno));
    return AS_OK;
}

static void unfield(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", strcmp(src, "-") ? src : "");
}

as_status as_job_journal_read(const char *path, as_job_record **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return AS_OK;
        return AS_FAIL(AS_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    as_status st = AS_OK;
    as_job_record *v = NULL;
    size_t nv = 0, cap = 0, lineno = 0;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (!len || line[len - 1] != '\n') {
            if (feof(f))
                break; /* a torn last line (killed mid-write): the change never happened */
            st = AS_FAIL(AS_EPARSE, "%s:%zu: line too long", path, lineno);
            goto fail;
        }
        line[--len] = 0;
        if (line[0] == '#' || !line[0])
            continue;
        char *fld[7], *save = NULL;
        size_t k = 0;
        for (char *t = strtok_r(line, "\t", &save); t && k < 7; t = strtok_r(NULL, "\t", &save))
            fld[k++] = t;
        as_job_record r;
        memset(&r, 0, sizeof r);
        char *end;
        if (k != 7) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: expected 7 tab-separated fields, got %zu", path,
                         lineno, k);
            goto fail;
        }
        errno = 0;
        r.key = strtoull(fld[0], &end, 16);
        if (*end || errno || strlen(fld[0]) != 16) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:1: bad key '%s'", path, lineno, fld[0]);
            goto fail;
        }
        unsigned long long a = strtoull(fld[1], &end, 10);
        if (*end || !a) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:18: bad attempt '%s'", path, lineno, fld[1]);
            goto fail;
        }
        r.attempt = (size_t)a;
        if (as_job_state_parse(fld[2], &r.state) != AS_OK) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu: unknown state '%s'", path, lineno, fld[2]);
            goto fail;
        }
        unfield(r.job_id, sizeof r.job_id, fld[3]);
        unfield(r.job_name, sizeof r.job_name, fld[4]);
        unfield(r.dir, sizeof r.dir, fld[5]);
        unfield(r.reason, sizeof r.reason, fld[6]);
        if (nv == cap) {
            cap = cap ? 2 * cap : 64;
            as_job_record *nvp = as_realloc(v, cap * sizeof *v);
            if (!nvp) {
                st = AS_FAIL(AS_ENOMEM, "%s: %zu records", path, cap);
                goto fail;
            }
            v = nvp;
        }
        v[nv++] = r;
    }
    if (ferror(f)) {
        st = AS_FAIL(AS_EIO, "cannot read %s", path);
        goto fail;
    }
    fclose(f);
    *out = v;
    *n = nv;
    return AS_OK;
fail:
    fclose(f);
    as_free(v);
    return st;
}

/* ---- the job template ---- */
static const char *const placeholders[] = {"cmd", "jobname", "workdir", "ntasks", "time", "oracle"};

/* Length of the placeholder at t ("{name}") and its index, or 0 when t is not one. A '{' after
 * '$' (shell ${VAR}) or not followed by [a-z_]+ '}' is text. */
size_t as_exec_placeholder(const char *text, const char *t, int *which)
{
    *which = -1;
    if (*t != '{' || (t > text && t[-1] == '$'))
        return 0;
    size_t k = 1;
    while (t[k] == '_' || (t[k] >= 'a' && t[k] <= 'z'))
        k++;
    if (k == 1 || t[k] != '}')
        return 0;
    for (size_t i = 0; i < sizeof placeholders / sizeof *placeholders; i++)
        if (strlen(placeholders[i]) == k - 1 && !strncmp(t + 1, placeholders[i], k - 1))
            *which = (int)i;
    return k + 1;
}

static as_status template_load(as_executor *ex, const char *path)
{
    char *buf;
    as_status st = as_read_file(path, "job template", &buf, NULL);
    if (st != AS_OK)
        return st;
    int have_cmd = 0;
    size_t line = 1, col = 1;
    for (const char *t = buf; *t; t++, col++) {
        if (*t == '\n') {
            line++;
            col = 0;
            continue;
        }
        int which;
        size_t len = as_exec_placeholder(buf, t, &which);
        if (!len)
            continue;
        if (which < 0) {
            st = AS_FAIL(AS_EINVAL,
                         "%s:%zu:%zu: unknown placeholder %.*s (known: {cmd} {jobname} "
                         "{workdir} {ntasks} {time} {oracle})",
                         path, line, col, (int)len, t);
            break;
        }
        have_cmd |= which == 0;
        t += len - 1;
        col += len - 1;
    }
    if (st == AS_OK && !have_cmd)
        st = AS_FAIL(AS_EINVAL, "%s: the job template has no {cmd}", path);
    if (st != AS_OK) {
        as_free(buf);
        return st;
    }
    ex->template_text = buf;
    return AS_OK;
}

/* --slurm-opts: split on spaces; pick --ntasks/-n and --time/-t for the placeholders */
static as_status sopts_parse(as_executor *ex, const char *s)
{
    size_t len = strlen(s);
    ex->sopts_buf = as_malloc(len + 1);
    ex->sopts = as_calloc(len / 2 + 2, sizeof *ex->sopts);
    if (!ex->sopts_buf || !ex->sopts)
        return AS_FAIL(AS_ENOMEM, "executor: slurm options");
    memcpy(ex->sopts_buf, s, len + 1);
    char *save = NULL;
    for (char *t = strtok_r(ex->sopts_buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        ex->sopts[ex->n_sopts++] = t;
    for (size_t i = 0; i < ex->n_sopts; i++) {
        const char *a = ex->sopts[i], *next = i + 1 < ex->n_sopts ? ex->sopts[i + 1] : NULL;
        const char **dst = NULL, *val = NULL;
        if (!strncmp(a, "--ntasks=", 9))
            dst = &ex->ntasks, val = a + 9;
        else if (!strncmp(a, "--time=", 7))
            dst = &ex->time, val = a + 7;
        else if (!strcmp(a, "-n") || !strcmp(a, "--ntasks"))
            dst = &ex->ntasks, val = next;
        else if (!strcmp(a, "-t") || !strcmp(a, "--time"))
            dst = &ex->time, val = next;
        else if (!strncmp(a, "-n", 2))
            dst = &ex->ntasks, val = a + 2;
        else if (!strncmp(a, "-t", 2))
            dst = &ex->time, val = a + 2;
        if (dst && !val)
            return AS_FAIL(AS_EINVAL, "slurm options: %s needs a value", a);
        if (dst)
            *dst = val;
    }
    return AS_OK;
}

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return as_strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    size_t a = strlen(cwd), b = strlen(path);
    char *p = as_malloc(a + b + 2);
    if (p)
        snprintf(p, a + b + 2, "%s/%s", cwd, path);
    return p;
}

as_status as_executor_create(const char *oracle_spec, as_oracle *o, const as_executor_options *opt,
                             as_executor **out)
{
    *out = NULL;
    as_executor_options d = as_executor_options_default();
    if (!opt)
        opt = &d;
    const char *backend = opt->backend ? opt->backend : "local";
    int slurm = !strcmp(backend, "slurm");
    if (!slurm && strcmp(backend, "local"))
        return AS_FAIL(AS_EINVAL, "executor: unknown backend '%s' (local or slurm)", backend);
    if (!o || !oracle_spec)
        return AS_FAIL(AS_EINVAL, "executor: no oracle");
    if (slurm && (!opt->workdir || !*opt->workdir))
        return AS_FAIL(AS_EINVAL, "executor slurm: a work directory on a shared filesystem is "
                                  "required (--workdir DIR)");
    if (slurm && !(opt->poll_min_s > 0 && opt->poll_max_s >= opt->poll_min_s))
        return AS_FAIL(AS_EINVAL, "executor: poll interval %g..%g s must be > 0 and increasing",
                       opt->poll_min_s, opt->poll_max_s);
    if (slurm && !(opt->label_timeout_s >= 0))
        return AS_FAIL(AS_EINVAL, "executor: label timeout %g s must be >= 0",
                       opt->label_timeout_s);
    if (slurm && (opt->array_max < 1 || opt->array_max > 100000))
        return AS_FAIL(AS_EINVAL, "executor: array_max %zu must be 1..100000", opt->array_max);
    as_executor *ex = as_calloc(1, sizeof *ex);
    if (!ex)
        return AS_FAIL(AS_ENOMEM, "executor");
    as_status st = AS_OK;
    ex->journal_fd = -1;
    ex->slurm = slurm;
    ex->o = o;
    ex->retries = opt->retries;
    ex->poll_min_s = opt->poll_min_s;
    ex->poll_max_s = opt->poll_max_s;
    ex->label_timeout_s = opt->label_timeout_s;
    ex->array_max = opt->array_max;
    ex->journal = opt->journal;
    ex->journal_user = opt->journal_user;
    ex->ntasks = "1";
    ex->time = "";
    ex->spec = as_strdup(oracle_spec);
    if (!ex->spec) {
        st = AS_FAIL(AS_ENOMEM, "executor");
        goto fail;
    }
    if (!slurm) {
        *out = ex;
        return AS_OK;
    }
    ex->workdir = absolute(opt->workdir);
    ex->job_name = as_strdup(opt->job_name && *opt->job_name ? opt->job_name : "alloyscout");
    if (!ex->workdir || !ex->job_name) {
        st = AS_FAIL(AS_ENOMEM, "executor: paths");
        goto fail;
    }
    if (opt->program)
        ex->program = absolute(opt->program);
    else {
        char self[PATH_MAX];
        ssize_t r = readlink("/proc/self/exe", self, sizeof self - 1);
        if (r <= 0) {
            st = AS_FAIL(AS_EINVAL,
                         "executor: cannot find this program (/proc/self/exe: %s); "
                         "give options.program",
                         strerror(errno));
            goto fail;
        }
        self[r] = 0;
        ex->program = as_strdup(self);
    }
    if (!ex->program) {
        st = AS_FAIL(AS_ENOMEM, "executor: paths");
        goto fail;
    }
    if (opt->slurm_opts)
        AS_CHECK(sopts_parse(ex, opt->slurm_opts));
    if (opt->job_template)
        AS_CHECK(template_load(ex, opt->job_template));
    else if (!(ex->template_text = as_strdup("#!/bin/sh\n{cmd}\n"))) {
        st = AS_FAIL(AS_ENOMEM, "executor: template");
        goto fail;
    }
    if (mkdir(ex->workdir, 0777) != 0 && errno != EEXIST) {
        st = AS_FAIL(AS_EIO, "cannot create the work directory %s: %s", ex->workdir,
                     strerror(errno));
        goto fail;
    }
    /* re-attach: the records known so far (the file journal, or the caller's) */
    if (!ex->journal) {
        size_t len = strlen(ex->workdir) + 16;
        if (!(ex->journal_path = as_malloc(len))) {
            st = AS_FAIL(AS_ENOMEM, "executor: paths");
            goto fail;
        }
        snprintf(ex->journal_path, len, "%s/journal.tsv", ex->workdir);
        as_job_record *v = NULL;
        size_t nv = 0;
        AS_CHECK(as_job_journal_read(ex->journal_path, &v, &nv));
        for (size_t i = 0; i < nv && st == AS_OK; i++)
            st = table_put(ex, &v[i]);
        as_free(v);
        if (st != AS_OK)
            goto fail;
        ex->journal_fd = open(ex->journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
        if (ex->journal_fd < 0) {
            st = AS_FAIL(AS_EIO, "cannot open %s: %s", ex->journal_path, strerror(errno));
            goto fail;
        }
        if (!nv) {
            static const char head[] = "# alloyscout job journal v1: key attempt state job_id "
                                       "job_name dir reason\n";
            if (write(ex->journal_fd, head, sizeof head - 1) != (ssize_t)(sizeof head - 1)) {
                st = AS_FAIL(AS_EIO, "cannot write %s: %s", ex->journal_path, strerror(errno));
                goto fail;
            }
        }
    } else
        for (size_t i = 0; i < opt->n_known; i++)
            AS_CHECK(table_put(ex, &opt->known[i]));
    *out = ex;
    return AS_OK;
fail:
    as_executor_free(ex);
    return st;
}

void as_executor_free(as_executor *ex)
{
    if (!ex)
        return;
    if (ex->journal_fd >= 0)
        close(ex->journal_fd);
    as_free(ex->journal_path);
    as_free(ex->recs);
    as_free(ex->slot);
    as_free(ex->spec);
    as_free(ex->workdir);
    as_free(ex->program);
    as_free(ex->job_name);
    as_free(ex->template_text);
    as_free(ex->sopts_buf);
    as_free(ex->sopts);
    as_free(ex);
}

as_status as_executor_label(as_executor *ex, as_store *store, const as_structure *const *s,
                            size_t n, int relax, const as_relax_options *ropt,
                            as_label_result *results, as_structure **relaxed, size_t *n_computed)
{
    if (n_computed)
        *n_computed = 0;
    if (!ex->slurm) {
        if (store)
            return as_oracle_label_stored(ex->o, store, s, n, relax, ropt, results, relaxed,
                                          n_computed);
        as_status st = as_oracle_label_batch(ex->o, s, n, relax, ropt, results, relaxed);
        if (st == AS_OK && n_computed)
            *n_computed = n;
        return st;
    }
    return as_slurm_label(ex, store, s, n, relax, ropt, results, relaxed, n_computed);
}

as_status as_executor_cancel(as_executor *ex, size_t *n_cancelled)
{
    if (n_cancelled)
        *n_cancelled = 0;
    if (!ex->slurm)
        return AS_OK;
    return as_slurm_cancel(ex, n_cancelled);
}

/* ---- the store as the journal (the job table, src/oracle/store.c) ---- */
as_status as_store_journal_write(const as_job_record *rec, void *user)
{
    const as_store_journal *jn = user;
    as_store_job j;
    memset(&j, 0, sizeof j);
    j.key = rec->key;
    snprintf(j.system, sizeof j.system, "%s", jn->system ? jn->system : "");
    j.round = jn->round;
    snprintf(j.job_id, sizeof j.job_id, "%s", rec->job_id);
    snprintf(j.job_name, sizeof j.job_name, "%s", rec->job_name);
    snprintf(j.dir, sizeof j.dir, "%s", rec->dir);
    snprintf(j.state, sizeof j.state, "%s", as_job_state_name(rec->state));
    j.attempts = rec->attempt;
    snprintf(j.reason, sizeof j.reason, "%s", rec->reason);
    return as_store_job_put(jn->store, &j);
}

as_status as_store_job_records(as_store *st, as_job_record **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    as_store_job *v = NULL;
    size_t nv = 0;
    AS_TRY(as_store_jobs(st, &v, &nv));
    as_job_record *r = as_calloc(nv ? nv : 1, sizeof *r);
    if (!r) {
        as_free(v);
        return AS_FAIL(AS_ENOMEM, "executor: %zu job records", nv);
    }
    for (size_t i = 0; i < nv; i++) {
        if (as_job_state_parse(v[i].state, &r[i].state) != AS_OK) {
            as_status st2 = AS_FAIL(AS_EDB, "store %s: job %016llx has an unknown state '%s'",
                                    as_store_path(st), (unsigned long long)v[i].key, v[i].state);
            as_free(v);
            as_free(r);
            return st2;
        }
        r[i].key = v[i].key;
        r[i].attempt = v[i].attempts;
        snprintf(r[i].job_id, sizeof r[i].job_id, "%s", v[i].job_id);
        snprintf(r[i].job_name, sizeof r[i].job_name, "%s", v[i].job_name);
        snprintf(r[i].dir, sizeof r[i].dir, "%s", v[i].dir);
        snprintf(r[i].reason, sizeof r[i].reason, "%s", v[i].reason);
    }
    as_free(v);
    *out = r;
    *n = nv;
    return AS_OK;
}
