/* alloyscout campaign status: what a campaign store holds while (or after) it runs: the campaign
 * key, the systems with their recorded rounds, and per system and step the labels handed to
 * cluster jobs (done / running / queued / failed, with job ids and reasons) from the store's job
 * table (issue 15). Reads the store only; safe beside a running campaign (SQLite WAL). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/executor.h"
#include "alloyscout/json.h"
#include "cli.h"
#include "opt.h"

static const char campaign_help[] =
    "usage: alloyscout campaign <status>\n\n"
    "Look into a campaign store (the --db file of 'alloyscout screen' or 'energy').\n\n"
    "  status   systems, rounds, and the labels run as cluster jobs (done, running,\n"
    "           queued, failed) with their job ids and reasons\n";

static const char status_help[] =
    "usage: alloyscout campaign status --db FILE.sqlite [--json] [--all]\n\n"
    "What the campaign store FILE holds, read while the campaign runs or after it: the\n"
    "campaign key, each system with the rounds recorded so far (and whether it is\n"
    "finished), and per system and step (setup, round N, finish) the labels handed to\n"
    "cluster jobs by --executor slurm: how many are done, running, queued (submitted or\n"
    "being submitted), failed (waiting for a retry, or for good) or cancelled, and how\n"
    "many of the done ones are failed labels (the oracle failed, not the job). Then every\n"
    "job that is not done or had failures, with its Slurm id, state, attempts and the\n"
    "reasons (TIMEOUT, NODE_FAIL, CANCELLED ..., as squeue/sacct/scontrol gave them).\n\n"
    "options:\n"
    "  --db FILE   the store (required; never created)\n"
    "  --json      the same as JSON on stdout (every job, with its key and directory)\n"
    "  --all       list every job, not only the unfinished and the retried ones\n";

#define AS_CHECK(expr)              \
    do {                            \
        if ((st = (expr)) != AS_OK) \
            goto fail;              \
    } while (0)

static const char *step_name(long round, char *buf, size_t cap)
{
    if (round == AS_JOB_ROUND_SETUP)
        return "setup";
    if (round == AS_JOB_ROUND_FINISH)
        return "finish";
    if (round == AS_JOB_ROUND_NONE || round < 0)
        return "-";
    snprintf(buf, cap, "round %ld", round + 1);
    return buf;
}

typedef struct {
    size_t jobs, done, label_failed, running, queued, failed, cancelled;
} counts;

static void count(counts *c, const as_store_job *j)
{
    c->jobs++;
    as_job_state state = AS_JOB_SUBMITTING;
    if (as_job_state_parse(j->state, &state) != AS_OK)
        state = AS_JOB_FAILED; /* an unknown state counts as a failure */
    switch (state) {
    case AS_JOB_DONE:
        c->done++;
        c->label_failed += j->reason[0] != 0;
        break;
    case AS_JOB_RUNNING: c->running++; break;
    case AS_JOB_SUBMITTING:
    case AS_JOB_SUBMITTED: c->queued++; break;
    case AS_JOB_FAILED: c->failed++; break;
    default: c->cancelled++;
    }
}

static as_status counts_json(as_json *o, const counts *c)
{
    as_status st = AS_OK;
    const char *k[7] = {"jobs", "done", "label_failed", "running", "queued", "failed", "cancelled"};
    const size_t v[7] = {c->jobs,   c->done,   c->label_failed, c->running,
                         c->queued, c->failed, c->cancelled};
    for (int i = 0; i < 7 && st == AS_OK; i++)
        st = as_json_set_num(o, k[i], (double)v[i]);
    return st;
}

static int interesting(const as_store_job *j)
{
    return strcmp(j->state, "done") || j->failures[0] || j->reason[0];
}

/* The JSON document (see status_help). */
static as_status status_json(const char *db, const char *key, size_t n_labels,
                             const as_store_record_id *rec, size_t nr, const as_store_job *jobs,
                             size_t nj, as_json **out)
{
    as_status st = AS_OK;
    as_json *root = as_json_object(), *sys = as_json_array(), *ja = as_json_array();
    *out = root;
    if (!root || !sys || !ja) {
        as_json_free(sys);
        as_json_free(ja);
        return as_error_set(AS_ENOMEM, "campaign status: json");
    }
    AS_CHECK(as_json_set_child(root, "systems", sys));
    AS_CHECK(as_json_set_child(root, "jobs", ja));
    AS_CHECK(as_json_set_str(root, "store", db));
    if (key)
        AS_CHECK(as_json_set_str(root, "campaign", key));
    AS_CHECK(as_json_set_num(root, "labels_stored", (double)n_labels));
    counts all = {0};
    for (size_t i = 0; i < nj; i++)
        count(&all, &jobs[i]);
    as_json *tot = as_json_object();
    if (!tot || as_json_set_child(root, "totals", tot) != AS_OK) {
        as_json_free(tot);
        return as_error_set(AS_ENOMEM, "campaign status: json");
    }
    AS_CHECK(counts_json(tot, &all));
    /* systems: those with records or jobs, in name order */
    size_t a = 0, b = 0;
    while (a < nr || b < nj) {
        const char *name = a < nr && (b >= nj || strcmp(rec[a].system, jobs[b].system) <= 0)
                               ? rec[a].system
                               : jobs[b].system;
        as_json *so = as_json_object(), *rounds = as_json_array(), *steps = as_json_array();
        if (!so || !rounds || !steps || as_json_push(sys, so) != AS_OK) {
            as_json_free(so);
            as_json_free(rounds);
            as_json_free(steps);
            return as_error_set(AS_ENOMEM, "campaign status: json");
        }
        AS_CHECK(as_json_set_child(so, "rounds_recorded", rounds));
        AS_CHECK(as_json_set_child(so, "steps", steps));
        AS_CHECK(as_json_set_str(so, "system", name));
        int finished = 0;
        for (; a < nr && !strcmp(rec[a].system, name); a++) {
            if (rec[a].round < 0)
                finished = 1;
            else
                AS_CHECK(as_json_push_num(rounds, (double)(rec[a].round + 1)));
        }
        AS_CHECK(as_json_set_bool(so, "finished", finished));
        while (b < nj && !strcmp(jobs[b].system, name)) {
            long r = jobs[b].round;
            counts c = {0};
            for (; b < nj && !strcmp(jobs[b].system, name) && jobs[b].round == r; b++)
                count(&c, &jobs[b]);
            char buf[32];
            as_json *o = as_json_object();
            if (!o || as_json_push(steps, o) != AS_OK) {
                as_json_free(o);
                return as_error_set(AS_ENOMEM, "campaign status: json");
            }
            AS_CHECK(as_json_set_str(o, "step", step_name(r, buf, sizeof buf)));
            AS_CHECK(as_json_set_num(o, "round", (double)r));
            AS_CHECK(counts_json(o, &c));
        }
    }
    for (size_t i = 0; i < nj; i++) {
        const as_store_job *j = &jobs[i];
        char k[24], buf[32];
        snprintf(k, sizeof k, "%016llx", (unsigned long long)j->key);
        as_json *o = as_json_object();
        if (!o || as_json_push(ja, o) != AS_OK) {
            as_json_free(o);
            return as_error_set(AS_ENOMEM, "campaign status: json");
        }
        AS_CHECK(as_json_set_str(o, "key", k));
        AS_CHECK(as_json_set_str(o, "system", j->system));
        AS_CHECK(as_json_set_str(o, "step", step_name(j->round, buf, sizeof buf)));
        AS_CHECK(as_json_set_num(o, "round", (double)j->round));
        AS_CHECK(as_json_set_str(o, "job_id", j->job_id));
        AS_CHECK(as_json_set_str(o, "job_name", j->job_name));
        AS_CHECK(as_json_set_str(o, "dir", j->dir));
        AS_CHECK(as_json_set_str(o, "state", j->state));
        AS_CHECK(as_json_set_num(o, "attempts", (double)j->attempts));
        AS_CHECK(as_json_set_str(o, "reason", j->reason));
        AS_CHECK(as_json_set_str(o, "failures", j->failures));
        AS_CHECK(as_json_set_str(o, "submitted", j->submitted));
        AS_CHECK(as_json_set_str(o, "updated", j->updated));
    }
fail:
    return st;
}

static void print_counts(const char *sys, const char *step, const counts *c)
{
    printf("%-12s %-9s %6zu %6zu %8zu %7zu %7zu %7zu %10zu\n", sys, step, c->jobs, c->done,
           c->running, c->queued, c->failed, c->cancelled, c->label_failed);
}

static void status_text(const char *db, const char *key, size_t n_labels,
                        const as_store_record_id *rec, size_t nr, const as_store_job *jobs,
                        size_t nj, int all)
{
    printf("store: %s (%zu labels stored)\n", db, n_labels);
    printf("campaign: %s\n", key ? key : "(none: a label store)");
    /* systems and their recorded rounds */
    if (nr)
        printf("\n%-12s %-9s %s\n", "system", "finished", "rounds recorded");
    for (size_t a = 0; a < nr;) {
        const char *name = rec[a].system;
        int finished = 0;
        char rounds[512] = "";
        for (; a < nr && !strcmp(rec[a].system, name); a++) {
            if (rec[a].round < 0)
                finished = 1;
            else {
                size_t L = strlen(rounds);
                snprintf(rounds + L, sizeof rounds - L, "%s%ld", L ? " " : "", rec[a].round + 1);
            }
        }
        printf("%-12s %-9s %s\n", name, finished ? "yes" : "no", rounds[0] ? rounds : "-");
    }
    if (!nj) {
        printf("\nno cluster jobs (labels computed in the campaign's process: --executor "
               "local)\n");
        return;
    }
    printf("\n%-12s %-9s %6s %6s %8s %7s %7s %7s %10s\n", "system", "step", "jobs", "done",
           "running", "queued", "failed", "cancel", "label-fail");
    counts tot = {0};
    for (size_t b = 0; b < nj;) {
        const char *name = jobs[b].system;
        long r = jobs[b].round;
        counts c = {0};
        for (; b < nj && !strcmp(jobs[b].system, name) && jobs[b].round == r; b++) {
            count(&c, &jobs[b]);
            count(&tot, &jobs[b]);
        }
        char buf[32];
        print_counts(name, step_name(r, buf, sizeof buf), &c);
    }
    print_counts("total", "", &tot);
    size_t shown = 0;
    for (size_t i = 0; i < nj; i++) {
        const as_store_job *j = &jobs[i];
        if (!all && !interesting(j))
            continue;
        if (!shown++)
            printf("\n%-12s %-9s %-14s %-10s %8s  %s\n", "system", "step", "job", "state",
                   "attempts", "reason");
        char buf[32];
        printf("%-12s %-9s %-14s %-10s %8zu  %s\n", j->system, step_name(j->round, buf, sizeof buf),
               j->job_id[0] ? j->job_id : "-", j->state, j->attempts,
               j->reason[0] ? j->reason : "-");
        for (const char *f = j->failures; *f;) {
            const char *nl = strchr(f, '\n');
            int len = nl ? (int)(nl - f) : (int)strlen(f);
            printf("%-12s %-9s %-14s %-10s %8s    earlier: %.*s\n", "", "", "", "", "", len, f);
            f += len + (nl != NULL);
        }
    }
}

static int campaign_status(int argc, char **argv)
{
    const char *cmd = "campaign status", *db = NULL;
    int json = 0, all = 0;
    const cli_opt opts[] = {
        {"db", 0, CLI_STR, &db, 0, NULL, NULL},
        {"json", 0, CLI_FLAG, &json, 0, NULL, NULL},
        {"all", 0, CLI_FLAG, &all, 0, NULL, NULL},
        {NULL, 0, CLI_FLAG, NULL, 0, NULL, NULL},
    };
    int prc = cli_parse(cmd, status_help, argc, argv, opts, NULL, 0, NULL);
    if (prc)
        return prc < 0 ? 0 : prc;
    if (!db)
        return cli_usage(cmd, "--db FILE is required");
    if (access(db, F_OK) != 0) /* as_store_open would create it */
        return cli_error("%s: no such file", db);
    as_store *store = NULL;
    as_store_job *jobs = NULL;
    as_store_record_id *rec = NULL;
    size_t nj = 0, nr = 0, n_labels = 0;
    char *key = NULL;
    as_json *root = NULL;
    int rc = 1;
    as_status st;
    if ((st = as_store_open(db, &store)) != AS_OK ||
        (st = as_store_jobs(store, &jobs, &nj)) != AS_OK ||
        (st = as_store_record_ids(store, &rec, &nr)) != AS_OK ||
        (st = as_store_meta_get(store, "campaign", &key)) != AS_OK ||
        (st = as_label_store_count(store, &n_labels)) != AS_OK) {
        rc = cli_fail(st);
        goto done;
    }
    if (json) {
        if ((st = status_json(db, key, n_labels, rec, nr, jobs, nj, &root)) != AS_OK) {
            rc = cli_fail(st);
            goto done;
        }
        char *text = as_json_print(root);
        if (!text) {
            rc = cli_error("out of memory");
            goto done;
        }
        fputs(text, stdout);
        fputc('\n', stdout);
        as_free(text);
    } else
        status_text(db, key, n_labels, rec, nr, jobs, nj, all);
    rc = 0;
done:
    as_json_free(root);
    as_free(key);
    as_free(jobs);
    as_free(rec);
    as_store_close(store);
    return rc;
}

int as_cli_campaign(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "status"))
        return campaign_status(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(campaign_help, stdout);
        return 0;
    }
    if (argc < 2)
        return cli_usage("campaign", "a subcommand is required (status)");
    return cli_usage("campaign", "unknown subcommand '%s' (status)", argv[1]);
}
