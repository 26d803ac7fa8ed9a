/* alloyscout executor area: where oracle jobs run.
 *
 * An executor labels a batch of structures with one oracle, like as_oracle_label_batch, on one
 * of two backends:
 *   "local"  in this process (and the local processes of a cmd: oracle, -j N): the existing
 *            as_oracle_label_batch / as_oracle_label_stored path, unchanged.
 *   "slurm"  one batch job per structure, submitted as Slurm job arrays (one sbatch per batch of
 *            up to array_max structures); each array task runs
 *                alloyscout label --oracle SPEC --timeout S [--relax --fmax F ...] IN OUT
 *            (every option that reaches the oracle or the label key: --oracle-version, the label
 *            checks, the cmd: run options; docs/cluster.md)
 *            on the allocated node. IN and OUT live under opt.workdir, which both the submit
 *            host and the nodes must see (a shared filesystem). Jobs are watched with squeue
 *            (falling back to sacct, then scontrol), polled with exponential back-off between
 *            poll_min_s and poll_max_s; jobs that end FAILED, TIMEOUT, PREEMPTED, NODE_FAIL,
 *            CANCELLED (by anyone else), OUT_OF_MEMORY, BOOT_FAIL or DEADLINE, or that end without
 *            a result file, are submitted again up to opt.retries times, and the reason of every
 *            failure is kept. A structure whose oracle itself fails (OUT says status=failed) is
 *            a failed label, not a failed job: it is not resubmitted.
 *
 * Persistence: every state change of a job (submitting, submitted with its job id, running,
 * done, failed with the reason, cancelled) is handed to the journal BEFORE anything depends on
 * it. Without a journal callback the executor keeps its own: an append-only, fsync'd text file
 * opt.workdir/journal.tsv, read back by as_executor_create. Re-created on the same records (the
 * file, or opt.known), the executor re-attaches: a structure whose job is queued or running is
 * watched again without a second submission, one whose job finished meanwhile is collected from
 * its result file, and only structures with no job (or whose job failed and has retries left)
 * are submitted. A record in state SUBMITTING (the process died between writing the intent and
 * reading sbatch's answer) is resolved by the job name, which is unique per array.
 *
 * With a store (as_store_journal_write below) the records go to the store's job table instead, and
 * the caller passes them back as opt.known.
 *
 * Structures are identified by as_label_key(s, as_label_method(o, relax, ropt)), so the same
 * structure labelled with the same method is one job, whatever batch it comes in. */
#ifndef ALLOYSCOUT_EXECUTOR_H
#define ALLOYSCOUT_EXECUTOR_H

#include "alloyscout/core.h"
#include "alloyscout/lattice.h"
#include "alloyscout/oracle.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AS_JOB_SUBMITTING = 0, /* intent written; sbatch not yet answered (job_id may be empty) */
    AS_JOB_SUBMITTED,      /* queued: job_id known */
    AS_JOB_RUNNING,
    AS_JOB_DONE,     /* result file collected (the label itself may have failed) */
    AS_JOB_FAILED,   /* the job failed (reason); retried while attempts remain */
    AS_JOB_CANCELLED /* cancelled by this executor (as_executor_cancel); submitted again
                              by a later run */
} as_job_state;

/* Name of a state ("submitting", "submitted", "running", "done", "failed", "cancelled"). */
AS_API const char *as_job_state_name(as_job_state s);
/* Parse a state name. AS_EINVAL. */
AS_API as_status as_job_state_parse(const char *name, as_job_state *out);

/* One journal record: the state of one structure's job after one change. */
typedef struct {
    uint64_t key;   /* as_label_key of the structure and method */
    size_t attempt; /* 1 for the first submission, 2 for the first retry ... */
    as_job_state state;
    char job_id[48];   /* Slurm id of the array task, "ARRAY_TASK" ("123_4"); "" if unknown */
    char job_name[64]; /* the array's job name (unique per sbatch call) */
    char dir[128];     /* the structure's directory, relative to workdir ("b-Xa1Fq2/4") */
    char reason[256];  /* why it failed ("TIMEOUT", "NODE_FAIL", "exit 1: ..."), else "" */
} as_job_record;

/* A journal: called for every record, in order, before the executor acts on the change.
 * A non-AS_OK return stops the executor with that status (and its message). */
typedef as_status (*as_job_journal_fn)(const as_job_record *rec, void *user);

typedef struct {
    const char *backend;       /* "local" (default) or "slurm" */
    const char *workdir;       /* slurm: scratch and result directory on a shared filesystem
                                 (created if missing; required); copied */
    const char *slurm_opts;    /* slurm: extra sbatch options split on spaces ("-p short
                                 --time=02:00:00 -A chem"), no quoting; may be NULL; copied.
                                 --ntasks=N/-n N and --time=T/-t T also fill {ntasks}/{time} */
    const char *job_template;  /* slurm: path of a job script template, NULL: "#!/bin/sh\n{cmd}".
                                 Placeholders: {cmd} (the label command, one line, required),
                                 {jobname}, {workdir} (the batch directory), {ntasks}, {time},
                                 {oracle}; any other {lowercase_name} is an error, while ${VAR}
                                 and {a,b} are left to the shell */
    const char *program;       /* slurm: alloyscout binary the nodes run; NULL: this process's
                                 executable (/proc/self/exe); copied */
    const char *job_name;      /* slurm: job name prefix; default "alloyscout" */
    size_t retries;            /* slurm: resubmissions of a failed job; default 2 */
    double poll_min_s;         /* slurm: first poll interval, s; default 1 */
    double poll_max_s;         /* slurm: cap of the doubling poll interval, s; default 30 */
    size_t array_max;          /* slurm: largest job array per sbatch call; default 1000 */
    double label_timeout_s;    /* slurm: --timeout S of the label command, i.e. the wall-clock
                                 limit of a cmd: oracle's program on the node; 0: the oracle's
                                 timeout in force (as_oracle_timeout). Set it below the job's
                                 --time */
    as_job_journal_fn journal; /* NULL: the file journal workdir/journal.tsv */
    void *journal_user;
    const as_job_record *known; /* with a journal callback: the records it holds, in the order
                                   they were written (later ones win), to re-attach; borrowed
                                   during as_executor_create only */
    size_t n_known;
} as_executor_options;

AS_API as_executor_options as_executor_options_default(void);

typedef struct as_executor as_executor;

/* An executor for the oracle o (borrowed: it must outlive the executor), created from the spec
 * string oracle_spec (what the nodes pass to as_oracle_create; the local backend uses o). For
 * slurm, creates workdir and reads its journal (or opt->known). AS_EINVAL (unknown backend, no
 * workdir, bad template: file:line:col), AS_EIO, AS_EPARSE (a damaged journal line: file:line),
 * AS_ENOMEM. */
AS_API as_status as_executor_create(const char *oracle_spec, as_oracle *o,
                                    const as_executor_options *opt, as_executor **out);
AS_API void as_executor_free(as_executor *ex);
/* "local" or "slurm". */
AS_API const char *as_executor_backend(const as_executor *ex);

/* Label n structures: the contract of as_oracle_label_batch (results (n), relaxed (n) or NULL),
 * and of as_oracle_label_stored when store is not NULL (labels found there are not computed;
 * each new one is stored as soon as it is collected). n_computed (may be NULL): structures
 * labelled by this call (for slurm: collected from a job, whether submitted now or earlier).
 * slurm: blocks until every job of the batch is done or failed for good; AS_EORACLE when
 * sbatch fails (message with its stderr), when interrupted (as_executor_interrupt: the
 * executor's queued and running jobs are cancelled first and the message says how many), or
 * when squeue fails 10 times in a row. */
AS_API as_status as_executor_label(as_executor *ex, as_store *store, const as_structure *const *s,
                                   size_t n, int relax, const as_relax_options *ropt,
                                   as_label_result *results, as_structure **relaxed,
                                   size_t *n_computed);

/* Ask a running as_executor_label to stop: it cancels its own jobs and returns. Only sets a
 * flag, so it may be called from a signal handler. */
AS_API void as_executor_interrupt(as_executor *ex);
/* scancel every queued or running job this executor knows (submitted now or re-attached) and
 * record them CANCELLED. *n_cancelled (may be NULL) counts them. AS_EORACLE when scancel fails.
 * A no-op for the local backend. */
AS_API as_status as_executor_cancel(as_executor *ex, size_t *n_cancelled);

/* Counters since create: jobs submitted (array tasks), re-attached (found queued, running or
 * finished from an earlier run), resubmitted after a failure, sbatch calls and squeue polls;
 * wall-clock seconds spent submitting (writing inputs and scripts, sbatch) and waiting for and
 * collecting results. */
typedef struct {
    size_t submitted, reattached, retried, sbatch_calls, polls;
    double submit_s, wait_s;
} as_executor_stats;
AS_API as_executor_stats as_executor_get_stats(const as_executor *ex);

/* Read a file journal (workdir/journal.tsv format) into a new array of records (free with
 * as_free); a missing file gives 0 records. AS_EPARSE with file:line, AS_EIO, AS_ENOMEM. */
AS_API as_status as_job_journal_read(const char *path, as_job_record **out, size_t *n);

/* ---- jobs in the campaign store (table job, oracle.h as_store_job; issue 15) ----
 * A journal that writes every record into the store (one committed SQLite transaction per
 * record: it survives kill -9 of the process) instead of workdir/journal.tsv: the latest state of
 * each label key's job, with the system and round it was labelled for, the attempts, the reason
 * of the current state and every failure so far. `energy --db` and `screen --executor slurm` use
 * it; `alloyscout campaign status` reads it. */
typedef struct {
    as_store *store;
    const char *system; /* "Pt2CoCu", or the input file of `energy`; borrowed */
    long round;         /* 0-based round; AS_JOB_ROUND_SETUP, _FINISH or _NONE (oracle.h) */
} as_store_journal;

/* An as_job_journal_fn: user is an as_store_journal; the record goes to the store's job table
 * (as_store_job_put) under its system and round. */
AS_API as_status as_store_journal_write(const as_job_record *rec, void *user);
/* The rows of the job table as records, for opt.known of as_executor_create (a new array,
 * as_free). AS_EDB (also for a row with an unknown state), AS_ENOMEM. */
AS_API as_status as_store_job_records(as_store *st, as_job_record **out, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
