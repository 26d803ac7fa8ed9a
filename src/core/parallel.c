/* as_parallel_for: independent tasks on a few POSIX threads, handed out one at a time to
 * whichever thread is free (tasks may differ tenfold in cost), results combined by task index.
 * This is the library's one thread pool: the k-fold tasks, the k-d tree chunks and the GP
 * restarts all run here. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "core_int.h"

/* Most threads one call starts (beyond this the workers only contend for the next task). */
#define AS_PARALLEL_MAX 64

typedef struct {
    size_t n_tasks;
    as_worker_task_fn fn;
    void *ctx;
    atomic_size_t next;   /* next task to hand out */
    pthread_mutex_t lock; /* guards the failure record */
    size_t failed_task;   /* lowest failing task, or n_tasks */
    as_status failed_status;
    char failed_msg[2048];
} pool;

typedef struct {
    pool *p;
    size_t worker;
} worker_arg;

static void record(pool *p, int threaded, size_t task, as_status st)
{
    if (threaded)
        pthread_mutex_lock(&p->lock);
    if (task < p->failed_task) {
        p->failed_task = task;
        p->failed_status = st;
        snprintf(p->failed_msg, sizeof p->failed_msg, "%s", as_errmsg());
    }
    if (threaded)
        pthread_mutex_unlock(&p->lock);
}

static void run(pool *p, size_t worker, int threaded)
{
    for (size_t task; (task = atomic_fetch_add(&p->next, 1)) < p->n_tasks;) {
        as_status st = p->fn(task, worker, p->ctx);
        if (st != AS_OK)
            record(p, threaded, task, st);
    }
}

static void *thread_main(void *arg)
{
    worker_arg *w = arg;
    run(w->p, w->worker, 1);
    return NULL;
}

size_t as_parallel_threads(size_t n_tasks, size_t n_threads)
{
    if (n_threads == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = c > 0 ? (size_t)c : 1;
    }
    if (n_threads > n_tasks)
        n_threads = n_tasks;
    if (n_threads > AS_PARALLEL_MAX)
        n_threads = AS_PARALLEL_MAX;
    return n_threads ? n_threads : 1;
}

as_status as_parallel_for_worker(size_t n_tasks, size_t n_threads, as_worker_task_fn fn, void *ctx)
{
    size_t nw = as_parallel_threads(n_tasks, n_threads);
    pool p;
    memset(&p, 0, sizeof p);
    p.n_tasks = n_tasks;
    p.fn = fn;
    p.ctx = ctx;
    p.failed_task = n_tasks;
    atomic_init(&p.next, 0);
    if (nw <= 1) {
        run(&p, 0, 0);
    } else {
        /* tasks run with one BLAS thread each: OpenBLAS's pool would compete with ours */
        int blas_prev = as_blas_threads_set(1);
        pthread_t th[AS_PARALLEL_MAX];
        worker_arg wa[AS_PARALLEL_MAX];
        size_t started = 0;
        pthread_mutex_init(&p.lock, NULL);
        for (; started < nw - 1; started++) {
            wa[started] = (worker_arg){&p, started + 1};
            if (pthread_create(&th[started], NULL, thread_main, &wa[started]) != 0)
                break;
        }
        run(&p, 0, 1); /* the calling thread is worker 0 and works too */
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        pthread_mutex_destroy(&p.lock);
        as_blas_threads_set(blas_prev);
    }
    if (p.failed_task < n_tasks)
        return as_error_set(p.failed_status, "%s", p.failed_msg);
    return AS_OK;
}

typedef struct {
    as_task_fn fn;
    void *ctx;
} plain_ctx;

static as_status plain_task(size_t task, size_t worker, void *arg)
{
    (void)worker;
    const plain_ctx *c = arg;
    return c->fn(task, c->ctx);
}

as_status as_parallel_for(size_t n_tasks, size_t n_threads, as_task_fn fn, void *ctx)
{
    plain_ctx c = {fn, ctx};
    return as_parallel_for_worker(n_tasks, n_threads, plain_task, &c);
}
