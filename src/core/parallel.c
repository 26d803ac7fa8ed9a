/* as_parallel_for: independent tasks on a few POSIX threads, results combined by task index. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "core_int.h"

typedef struct {
    size_t n_tasks;
    as_task_fn fn;
    void *ctx;
    pthread_mutex_t lock;
    size_t next;             /* next task to hand out */
    size_t failed_task;      /* lowest failing task, or n_tasks */
    as_status failed_status;
    char failed_msg[2048];
} pool;

static void record(pool *p, size_t task, as_status st)
{
    pthread_mutex_lock(&p->lock);
    if (task < p->failed_task) {
        p->failed_task = task;
        p->failed_status = st;
        snprintf(p->failed_msg, sizeof p->failed_msg, "%s", as_errmsg());
    }
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t task = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (task >= p->n_tasks)
            return NULL;
        as_status st = p->fn(task, p->ctx);
        if (st != AS_OK)
            record(p, task, st);
    }
}

as_status as_parallel_for(size_t n_tasks, size_t n_threads, as_task_fn fn, void *ctx)
{
    if (n_threads == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = c > 0 ? (size_t)c : 1;
    }
    if (n_threads > n_tasks)
        n_threads = n_tasks;
    if (n_threads > 64)
        n_threads = 64;
    pool p;
    memset(&p, 0, sizeof p);
    p.n_tasks = n_tasks;
    p.fn = fn;
    p.ctx = ctx;
    p.failed_task = n_tasks;
    if (n_threads <= 1) {
        for (size_t t = 0; t < n_tasks; t++) {
            as_status st = fn(t, ctx);
            if (st != AS_OK && t < p.failed_task) {
                p.failed_task = t;
                p.failed_status = st;
                snprintf(p.failed_msg, sizeof p.failed_msg, "%s", as_errmsg());
            }
        }
    } else {
        int blas_prev = as_blas_threads_set(1);
        pthread_t th[64];
        size_t started = 0;
        pthread_mutex_init(&p.lock, NULL);
        for (; started < n_threads - 1; started++)
            if (pthread_create(&th[started], NULL, worker, &p) != 0)
                break;
        worker(&p); /* the calling thread works too */
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        pthread_mutex_destroy(&p.lock);
        as_blas_threads_set(blas_prev);
    }
    if (p.failed_task < n_tasks)
        return as_error_set(p.failed_status, "%s", p.failed_msg);
    return AS_OK;
}
