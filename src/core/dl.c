/* Libraries opened on first use (OpenBLAS and LAPACKE in linalg.c, cairo in report/render.c):
 * their functions are looked up by name into typed function pointers. */
#include <dlfcn.h>
#include <string.h>

#include "core_int.h"

int as_dl_sym(void *handle, const char *name, void *slot)
{
    void *p = dlsym(handle, name);
    if (!p)
        return -1;
    memcpy(slot, &p, sizeof p); /* ISO C has no cast from an object to a function pointer */
    return 0;
}
