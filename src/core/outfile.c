/* Output files written to path.tmp and renamed into place when complete. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core_int.h"

struct as_outfile {
    FILE *f;
    char *path, *tmp;
};

as_status as_outfile_open(const char *path, as_outfile **out)
{
    *out = NULL;
    as_outfile *o = as_calloc(1, sizeof *o);
    if (!o)
        return AS_FAIL(AS_ENOMEM, "cannot allocate an output file handle");
    size_t n = strlen(path);
    o->path = as_strdup(path);
    o->tmp = as_malloc(n + 5);
    if (!o->path || !o->tmp) {
        as_outfile_abort(o);
        return AS_FAIL(AS_ENOMEM, "cannot allocate an output path");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".tmp", 5);
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        int e = errno;
        as_outfile_abort(o);
        return AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    *out = o;
    return AS_OK;
}

FILE *as_outfile_stream(as_outfile *f) { return f->f; }

as_status as_outfile_commit(as_outfile *o)
{
    as_status st = AS_OK;
    int bad = ferror(o->f);
    if (fclose(o->f) != 0 || bad)
        st = AS_FAIL(AS_EIO, "cannot write %s: %s", o->path, strerror(errno));
    o->f = NULL;
    if (st == AS_OK && rename(o->tmp, o->path) != 0)
        st = AS_FAIL(AS_EIO, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
    if (st != AS_OK)
        remove(o->tmp);
    as_free(o->tmp);
    as_free(o->path);
    as_free(o);
    return st;
}

void as_outfile_abort(as_outfile *o)
{
    if (!o)
        return;
    if (o->f) {
        fclose(o->f);
        remove(o->tmp);
    }
    as_free(o->tmp);
    as_free(o->path);
    as_free(o);
}
