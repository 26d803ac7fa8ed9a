/* Output files written whole or not at all: a new temporary file in the target's directory
 * (unique name, O_CREAT | O_EXCL | O_NOFOLLOW: never a planted file or symlink, never shared
 * with another writer), fsync, rename over the target, fsync of the directory. The temporary
 * name is registered with the interrupt facility so a stopped run leaves nothing behind.
 * Also as_path_same (an output path that names an input file). */
#define _XOPEN_SOURCE 700 /* realpath, open_memstream */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
#include "core_int.h"

struct as_outfile {
    FILE *f;
    char *path, *tmp;
    int registered;
    int to_stdout; /* path "-": the text is held in memory and goes to stdout on commit */
    char *mem;
    size_t mem_len;
};

static atomic_uint_fast64_t tmp_counter;

/* directory part of path ("." when none), into buf */
static void dir_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, cap, ".");
    else if (slash == path)
        snprintf(buf, cap, "/");
    else
        snprintf(buf, cap, "%.*s", (int)(slash - path), path);
}

static void release(as_outfile *o)
{
    if (o->registered)
        as_interrupt_remove_path(o->tmp);
    as_free(o->tmp);
    as_free(o->path);
    free(o->mem); /* open_memstream's buffer */
    as_free(o);
}

as_status as_outfile_open(const char *path, as_outfile **out)
{
    *out = NULL;
    if (!path || !*path)
        return AS_FAIL(AS_EINVAL, "output file: empty path");
    as_outfile *o = as_calloc(1, sizeof *o);
    if (!o)
        return AS_FAIL(AS_ENOMEM, "cannot allocate an output file handle");
    if (!strcmp(path, "-")) { /* standard output, whole or not at all as a file is */
        o->to_stdout = 1;
        o->f = open_memstream(&o->mem, &o->mem_len);
        if (!o->f) {
            release(o);
            return AS_FAIL(AS_ENOMEM, "cannot buffer the standard output");
        }
        *out = o;
        return AS_OK;
    }
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0; /* with the slash */
    o->path = as_strdup(path);
    o->tmp = as_malloc(n + 64);
    if (!o->path || !o->tmp) {
        release(o);
        return AS_FAIL(AS_ENOMEM, "cannot allocate an output path");
    }
    /* <dir>/.<name>.<pid>-<counter>-<clock>.tmp, created exclusively; retry on a collision */
    int fd = -1, e = 0;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long c = (unsigned long long)atomic_fetch_add(&tmp_counter, 1);
        unsigned long long r = ((unsigned long long)ts.tv_nsec * 2654435761ULL) ^ (c << 20);
        snprintf(o->tmp, n + 64, "%.*s.%s.%ld-%llx.tmp", (int)dlen, path, path + dlen,
                 (long)getpid(), r & 0xffffffffffULL);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        e = errno;
        if (fd < 0 && e != EEXIST)
            break;
    }
    if (fd < 0) {
        char dir[PATH_MAX];
        dir_of(path, dir, sizeof dir);
        release(o);
        return AS_FAIL(AS_EIO, "cannot write %s (temporary file in %s): %s", path, dir,
                       strerror(e));
    }
    /* best effort: with AS_INTERRUPT_MAX_PATHS in use a stopped run may leave this one */
    o->registered = as_interrupt_add_path(o->tmp) == AS_OK;
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        e = errno;
        close(fd);
        unlink(o->tmp);
        release(o);
        return AS_FAIL(AS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    *out = o;
    return AS_OK;
}

FILE *as_outfile_stream(as_outfile *f) { return f->f; }

static as_status commit_stdout(as_outfile *o)
{
    int bad = ferror(o->f);
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    as_status st = AS_OK;
    if (bad)
        st = AS_FAIL(AS_ENOMEM, "cannot buffer the standard output");
    else if (fwrite(o->mem, 1, o->mem_len, stdout) != o->mem_len || fflush(stdout) != 0)
        st = AS_FAIL(AS_EIO, "cannot write the standard output: %s", strerror(errno));
    release(o);
    return st;
}

as_status as_outfile_commit(as_outfile *o)
{
    if (o->to_stdout)
        return commit_stdout(o);
    as_status st = AS_OK;
    int bad = ferror(o->f), e = 0;
    if (fflush(o->f) != 0 || bad)
        e = errno ? errno : EIO;
    else if (fsync(fileno(o->f)) != 0 && errno != EINVAL && errno != EROFS)
        e = errno; /* EINVAL: a file system without fsync (a pipe, some FUSE) */
    if (fclose(o->f) != 0 && !e)
        e = errno;
    o->f = NULL;
    if (e)
        st = AS_FAIL(AS_EIO, "cannot write %s: %s", o->path, strerror(e));
    if (st == AS_OK && rename(o->tmp, o->path) != 0)
        st = AS_FAIL(AS_EIO, "cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
    if (st != AS_OK) {
        unlink(o->tmp);
    } else {
        char dir[PATH_MAX];
        dir_of(o->path, dir, sizeof dir);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) { /* the rename itself is durable only once the directory is */
            fsync(dfd);
            close(dfd);
        }
    }
    release(o);
    return st;
}

void as_outfile_abort(as_outfile *o)
{
    if (!o)
        return;
    if (o->f) {
        fclose(o->f);
        if (!o->to_stdout)
            unlink(o->tmp);
    }
    release(o);
}

/* absolute, symlink-free form of a path whose last component may not exist */
static int normalize(const char *p, char *out)
{
    char buf[PATH_MAX];
    if (realpath(p, out))
        return 1;
    if (errno != ENOENT)
        return 0;
    const char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return 0;
    if (!slash)
        snprintf(buf, sizeof buf, ".");
    else if (slash == p)
        snprintf(buf, sizeof buf, "/");
    else
        snprintf(buf, sizeof buf, "%.*s", (int)(slash - p), p);
    char dir[PATH_MAX];
    if (!normalize(buf, dir))
        return 0;
    size_t L = strlen(dir), lb = strlen(base);
    int sep = !(L && dir[L - 1] == '/');
    if (L + (size_t)sep + lb >= PATH_MAX)
        return 0;
    memcpy(out, dir, L);
    if (sep)
        out[L++] = '/';
    memcpy(out + L, base, lb + 1);
    return 1;
}

int as_path_same(const char *a, const char *b)
{
    if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-"))
        return 0; /* standard input and output are not files */
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char na[PATH_MAX], nb[PATH_MAX];
    if (!normalize(a, na) || !normalize(b, nb))
        return !strcmp(a, b);
    return !strcmp(na, nb);
}
