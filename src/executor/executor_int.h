/* Private helpers of the executor area (never installed). */
#ifndef AS_EXECUTOR_INT_H
#define AS_EXECUTOR_INT_H

#include <signal.h>

#include "alloyscout/executor.h"
#include "core_int.h"

struct as_executor {
    int slurm;
    as_oracle *o; /* borrowed */
    char *spec;   /* oracle spec run on the nodes */
    char *workdir, *program, *job_name, *template_text;
    char *sopts_buf, **sopts; /* --slurm-opts split (pointers into sopts_buf) */
    size_t n_sopts;
    const char *ntasks, *time; /* placeholders (pointers into sopts_buf or literals) */
    size_t retries, array_max;
    double poll_min_s, poll_max_s, label_timeout_s;
    as_job_journal_fn journal;
    void *journal_user;
    int journal_fd; /* file journal (no callback), else -1 */
    char *journal_path;
    as_job_record *recs;       /* latest record per key */
    size_t n_recs, cap, *slot; /* open addressing: slot[h] = index into recs or SIZE_MAX */
    volatile sig_atomic_t interrupted;
    as_executor_stats stats;
};

/* Latest record of key, or NULL. Valid until the next as_exec_record. */
as_job_record *as_exec_find(as_executor *ex, uint64_t key);
/* Journal a state change (callback or file, fsync'd), then keep it in the table. The _nosync
 * form leaves the file unsynced until as_exec_sync (one fsync for a whole array's records,
 * always before anything depends on them). */
as_status as_exec_record(as_executor *ex, const as_job_record *r);
as_status as_exec_record_nosync(as_executor *ex, const as_job_record *r);
as_status as_exec_sync(as_executor *ex);
/* Length of the template placeholder starting at t inside text ("{cmd}" -> 5) and its index in
 * (cmd, jobname, workdir, ntasks, time, oracle), or 0 when t does not start one. */
size_t as_exec_placeholder(const char *text, const char *t, int *which);

/* The label command every job runs, as an argument vector: the program, "label", "--quiet",
 * "--oracle", SPEC, then every option that reaches the oracle or the label key, from the
 * oracle's resolved options (as_oracle_get_options), its timeout in force (or
 * label_timeout_s) and the relaxation settings; without IN and OUT. The one place the command
 * line is built (slurm.c, write_script). NULL-terminated, one allocation (as_free); *argc (may
 * be NULL) counts the words. AS_ENOMEM. */
as_status as_exec_label_argv(const as_executor *ex, int relax, const as_relax_options *ropt,
                             char ***out, size_t *argc);

/* The Slurm backend (slurm.c). */
as_status as_slurm_label(as_executor *ex, as_store *store, const as_structure *const *s, size_t n,
                         int relax, const as_relax_options *ropt, as_label_result *results,
                         as_structure **relaxed, size_t *n_computed);
as_status as_slurm_cancel(as_executor *ex, size_t *n_cancelled);

/* Run argv[0] (searched in PATH) with argv, no shell, stdin /dev/null; capture stdout and stderr
 * (each NUL-terminated, as_free) and the exit code (128 + signal when killed). AS_EORACLE when
 * it cannot be started (the message names the program). */
as_status as_proc_run(char *const *argv, char **out, char **err, int *exit_code);

/* Sleep for s seconds (returns early on a signal). */
void as_proc_sleep(double s);

/* Append one record to an open journal file, and fsync it when sync. AS_EIO. */
as_status as_journal_append(int fd, const char *path, const as_job_record *r, int sync);

#endif
