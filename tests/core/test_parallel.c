/* The library's one thread pool (src/core/parallel.c): every task runs once, on a worker number
 * below as_parallel_threads, results land by task index whatever the thread count, and a failure
 * reports the lowest failing task with its message. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <string.h>

#include "alloyscout/core.h"

#define NT 97

typedef struct {
    size_t n_workers;
    atomic_int runs[NT];
    size_t worker_of[NT];
    uint64_t out[NT];
    int bad_worker;
} ctx;

static as_status task(size_t t, size_t w, void *arg)
{
    ctx *c = arg;
    atomic_fetch_add(&c->runs[t], 1);
    c->worker_of[t] = w;
    if (w >= c->n_workers)
        c->bad_worker = 1;
    as_rng rng;
    as_rng_stream(&rng, 2385, t); /* the result depends on t only */
    uint64_t h = 0;
    for (size_t k = 0; k < 1000 * (t % 7 + 1); k++) /* uneven costs */
        h ^= as_rng_u64(&rng);
    c->out[t] = h;
    return AS_OK;
}

static void every_task_should_run_once_with_results_by_index(void **state)
{
    (void)state;
    static ctx ref, c;
    memset(&ref, 0, sizeof ref);
    ref.n_workers = as_parallel_threads(NT, 1);
    assert_int_equal(ref.n_workers, 1);
    assert_int_equal(as_parallel_for_worker(NT, 1, task, &ref), AS_OK);
    for (size_t threads = 2; threads <= 4; threads++) {
        memset(&c, 0, sizeof c);
        c.n_workers = as_parallel_threads(NT, threads);
        assert_int_equal(c.n_workers, threads);
        assert_int_equal(as_parallel_for_worker(NT, threads, task, &c), AS_OK);
        for (size_t t = 0; t < NT; t++)
            assert_int_equal(atomic_load(&c.runs[t]), 1);
        assert_false(c.bad_worker);
        assert_memory_equal(c.out, ref.out, sizeof ref.out);
    }
}

static void thread_count_should_be_bounded_by_tasks_and_64(void **state)
{
    (void)state;
    assert_int_equal(as_parallel_threads(3, 8), 3);
    assert_int_equal(as_parallel_threads(0, 8), 1);
    assert_int_equal(as_parallel_threads(1000, 500), 64);
    assert_true(as_parallel_threads(1000, 0) >= 1);
}

static as_status fail_some(size_t t, void *arg)
{
    (void)arg;
    if (t == 11 || t == 5 || t == 40)
        return as_error_set(t == 5 ? AS_EDIM : AS_EINVAL, "task %zu failed", t);
    return AS_OK;
}

static void the_lowest_failing_task_should_give_status_and_message(void **state)
{
    (void)state;
    for (size_t threads = 1; threads <= 3; threads++) {
        as_error_set(AS_OK, "%s", "");
        assert_int_equal(as_parallel_for(NT, threads, fail_some, NULL), AS_EDIM);
        assert_string_equal(as_errmsg(), "task 5 failed");
    }
    assert_int_equal(as_parallel_for(0, 2, fail_some, NULL), AS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_task_should_run_once_with_results_by_index),
        cmocka_unit_test(thread_count_should_be_bounded_by_tasks_and_64),
        cmocka_unit_test(the_lowest_failing_task_should_give_status_and_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
