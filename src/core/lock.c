/* One writer per file: a lock file "<path>.lock" held with fcntl (the whole file) and holding
 * the owner's pid, start time (field 22 of /proc/<pid>/stat) and command line. The lock is an
 * open-file-description lock (F_OFD_SETLK, F_SETLK where the kernel lacks it), so a second open
 * in the same process conflicts too. The kernel drops the lock when its process ends in any way
 * (kill -9 included), so a lock that can be taken is never held by a running process; what the
 * file still says is then reported as a stale lock taken over. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
#include "core_int.h"

struct as_lock {
    int fd;
    char *path;
};

unsigned long long as_proc_start_time(long pid)
{
    char p[64], buf[1024];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *s = strrchr(buf, ')'); /* the command name may hold blanks and parentheses */
    if (!s)
        return 0;
    s++;
    for (int field = 3; field <= 22; field++) { /* s points before field `field` */
        while (*s == ' ')
            s++;
        if (field == 22)
            return strtoull(s, NULL, 10);
        while (*s && *s != ' ')
            s++;
    }
    return 0;
}

/* pid, start time and command from the text of a lock file */
static void parse_owner(const char *text, long *pid, unsigned long long *start, char *cmd,
                        size_t cap)
{
    *pid = 0;
    *start = 0;
    snprintf(cmd, cap, "?");
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!strncmp(l, "pid ", 4))
            *pid = strtol(l + 4, NULL, 10);
        else if (!strncmp(l, "start ", 6))
            *start = strtoull(l + 6, NULL, 10);
        else if (!strncmp(l, "command ", 8)) {
            const char *e = strchr(l, '\n');
            size_t len = e ? (size_t)(e - l - 8) : strlen(l + 8);
            snprintf(cmd, cap, "%.*s", (int)(len < cap ? len : cap - 1), l + 8);
        }
    }
}

static void read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = pread(fd, buf + n, cap - 1 - n, (off_t)n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
}

as_status as_lock_acquire(const char *path, const char *command, as_lock **out)
{
    *out = NULL;
    as_lock *lk = as_calloc(1, sizeof *lk);
    size_t L = strlen(path) + 6;
    if (!lk || !(lk->path = as_malloc(L))) {
        as_free(lk);
        return AS_FAIL(AS_ENOMEM, "lock: out of memory");
    }
    snprintf(lk->path, L, "%s.lock", path);
    lk->fd = -1;
    char text[1536];
    as_status s = AS_OK;
    for (int attempt = 0;; attempt++) {
        lk->fd = open(lk->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (lk->fd < 0) {
            s = AS_FAIL(AS_EIO, "%s: cannot create the lock file: %s", lk->path, strerror(errno));
            goto fail;
        }
        struct flock fl;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        int rc = fcntl(lk->fd, F_OFD_SETLK, &fl);
        if (rc != 0 && errno == EINVAL)
            rc = fcntl(lk->fd, F_SETLK, &fl);
        if (rc != 0) {
            int e = errno;
            if (e != EAGAIN && e != EACCES) {
                s = AS_FAIL(AS_EIO, "%s: cannot lock: %s", lk->path, strerror(e));
                goto fail;
            }
            long pid;
            unsigned long long start;
            char cmd[1024];
            read_all(lk->fd, text, sizeof text);
            parse_owner(text, &pid, &start, cmd, sizeof cmd);
            if (pid == (long)getpid())
                s = AS_FAIL(AS_EIO, "%s is in use by this process already (lock file %s)", path,
                            lk->path);
            else
                s = AS_FAIL(AS_EIO,
                            "%s is in use by another alloyscout process (pid %ld: %s); one "
                            "writer at a time: wait for it to finish or stop it (lock file %s)",
                            path, pid, cmd, lk->path);
            goto fail;
        }
        /* the file locked must still be the one at the path (an owner that finished removes
         * it after we opened it) */
        struct stat a, b;
        if (fstat(lk->fd, &a) == 0 && stat(lk->path, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            break;
        close(lk->fd);
        lk->fd = -1;
        if (attempt >= 100) {
            s = AS_FAIL(AS_EIO, "%s: the lock file keeps changing", lk->path);
            goto fail;
        }
    }
    read_all(lk->fd, text, sizeof text);
    if (text[0]) { /* left by a process that ended without removing it (kill -9, a crash) */
        long pid;
        unsigned long long start;
        char cmd[1024];
        parse_owner(text, &pid, &start, cmd, sizeof cmd);
        unsigned long long now = pid > 0 ? as_proc_start_time(pid) : 0;
        as_log(AS_LOG_WARN, "%s: taking over the stale lock of pid %ld (%s; %s)", path, pid,
               now == 0       ? "no longer running"
               : now != start ? "that pid is now another process"
                              : "it holds no lock",
               cmd);
    }
    long me = (long)getpid();
    int n = snprintf(text, sizeof text, "pid %ld\nstart %llu\ncommand %s\n", me,
                     as_proc_start_time(me), command ? command : "?");
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof text ? sizeof text - 1 : (size_t)n;
    if (ftruncate(lk->fd, 0) != 0 || pwrite(lk->fd, text, len, 0) != (ssize_t)len) {
        s = AS_FAIL(AS_EIO, "%s: cannot write the lock file: %s", lk->path, strerror(errno));
        goto fail;
    }
    (void)as_interrupt_add_path(lk->path); /* a stopped run removes it */
    *out = lk;
    return AS_OK;
fail:
    if (lk->fd >= 0)
        close(lk->fd);
    as_free(lk->path);
    as_free(lk);
    return s;
}

void as_lock_release(as_lock *lk)
{
    if (!lk)
        return;
    as_interrupt_remove_path(lk->path);
    unlink(lk->path); /* while still locked: a waiting opener then sees another inode */
    close(lk->fd);
    as_free(lk->path);
    as_free(lk);
}
