/* Libraries opened on first use (OpenBLAS and LAPACKE in linalg.c, cairo in report/render.c):
 * their functions are looked up by name into typed function pointers. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

int as_dl_sym(void *handle, const char *lib, const char *name, void *slot, char *err, size_t cap)
{
    void *p = dlsym(handle, name);
    if (!p) {
        if (err && cap)
            snprintf(err, cap, "%s has no %s", lib, name);
        return -1;
    }
    memcpy(slot, &p, sizeof p); /* ISO C has no cast from an object to a function pointer */
    return 0;
}

as_status as_dl_once_need(as_dl_once *o, int (*open_fn)(char *err, size_t cap), const char *what)
{
    if (atomic_load_explicit(&o->state, memory_order_acquire) != 1) {
        pthread_mutex_lock(&o->lock);
        if (atomic_load_explicit(&o->state, memory_order_relaxed) == 0)
            atomic_store_explicit(&o->state, open_fn(o->err, sizeof o->err), memory_order_release);
        pthread_mutex_unlock(&o->lock);
        if (atomic_load_explicit(&o->state, memory_order_acquire) != 1)
            return AS_FAIL(AS_EUNSUP, "%s: %s", what, o->err);
    }
    return AS_OK;
}
