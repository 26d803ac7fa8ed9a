/* Stopping cleanly on SIGINT, SIGTERM and SIGHUP (alloyscout/interrupt.h): a registry of child
 * processes and paths, readable from a signal handler, and the handler itself. Everything the
 * handler calls is async-signal-safe (POSIX.1-2008 2.4.3): atomics, kill, open/read/close,
 * unlinkat, sigaction, sigprocmask, raise, _exit, and the raw getdents64 system call for
 * directory listings (opendir/readdir may allocate). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "alloyscout/interrupt.h"
#include "core_int.h"

static atomic_int pid_slot[AS_INTERRUPT_MAX_PIDS];    /* kill() targets: pid, or -pgid; 0 free */
static atomic_int path_state[AS_INTERRUPT_MAX_PATHS]; /* 0 free, 1 being written, 2 ready */
static char path_text[AS_INTERRUPT_MAX_PATHS][4096];
static atomic_int got_signal; /* first signal, 0 none */
static atomic_int n_signals;
static atomic_int holders;
static atomic_int installed;
static char own_prefix[64]; /* "ALLOYSCOUT_JOB=<pid>." set at install */

/* ---- small async-signal-safe helpers ---- */
static size_t put_ulong(char *buf, unsigned long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

struct dirent64_raw {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

void as_interrupt_marker(unsigned long job, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s=%lu.%lu", AS_INTERRUPT_MARKER, (unsigned long)getpid(), job);
}

/* 1 when /proc/<pid>/environ holds the entry (exact) or an entry starting with it (prefix) */
static int environ_has(const char *pidname, const char *entry, size_t len, int prefix)
{
    char path[64] = "/proc/";
    size_t p = 6, k = slen(pidname);
    if (k > 40)
        return 0;
    memcpy(path + p, pidname, k);
    p += k;
    memcpy(path + p, "/environ", 9);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[4096];
    size_t m = 0, need = prefix ? len : len + 1; /* exact: the NUL after the entry too */
    int alive = 1, found = 0;
    ssize_t got;
    while (!found && (got = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < got && !found; i++) {
            char c = buf[i];
            if (alive) {
                char want = m < len ? entry[m] : '\0';
                if (c == want) {
                    if (++m == need)
                        found = 1;
                } else {
                    alive = 0;
                }
            }
            if (c == '\0') {
                m = 0;
                alive = 1;
            }
        }
    }
    close(fd);
    return found;
}

size_t as_interrupt_kill_marked(const char *entry, int prefix, int sig)
{
    size_t killed = 0, len = slen(entry);
    pid_t self = getpid();
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[8192];
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < got;) {
            struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
            off += d->d_reclen;
            const char *nm = d->d_name;
            long pid = 0;
            int ok = nm[0] != '\0';
            for (const char *q = nm; *q && ok; q++) {
                if (*q < '0' || *q > '9')
                    ok = 0;
                else
                    pid = pid * 10 + (*q - '0');
            }
            if (!ok || pid <= 1 || pid == (long)self || pid > 0x7fffffffL)
                continue;
            if (environ_has(nm, entry, len, prefix) && kill((pid_t)pid, sig) == 0)
                killed++;
        }
    }
    close(fd);
    return killed;
}

/* remove name (file, or directory with its contents) relative to dfd */
static void remove_at(int dfd, const char *name, int depth)
{
    if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
        return;
    if (errno != EISDIR && errno != EPERM)
        return;
    if (depth < 16) {
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            char buf[4096];
            for (int pass = 0; pass < 4;
                 pass++) { /* entries removed during a listing may hide others */
                long got;
                int removed = 0;
                lseek(fd, 0, SEEK_SET);
                while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
                    for (long off = 0; off < got;) {
                        struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
                        off += d->d_reclen;
                        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                            continue;
                        remove_at(fd, d->d_name, depth + 1);
                        removed = 1;
                    }
                if (!removed)
                    break;
            }
            close(fd);
        }
    }
    unlinkat(dfd, name, AT_REMOVEDIR);
}

static void kill_children(void)
{
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PIDS; i++) {
        int t = atomic_load(&pid_slot[i]);
        if (t)
            kill((pid_t)t, SIGKILL);
    }
    /* descendants that left the group (setsid) but kept the job marker; twice, in case one
     * forked while the first scan ran */
    if (own_prefix[0])
        for (int r = 0; r < 2; r++)
            as_interrupt_kill_marked(own_prefix, 1, SIGKILL);
}

static void remove_paths(void)
{
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PATHS; i++)
        if (atomic_load(&path_state[i]) == 2)
            remove_at(AT_FDCWD, path_text[i], 0);
}

/* end the process by sig, as if no handler had been installed */
static void die_by(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int saved = errno;
    int expected = 0;
    atomic_compare_exchange_strong(&got_signal, &expected, sig);
    int n = atomic_fetch_add(&n_signals, 1) + 1;
    kill_children();
    if (n >= 2 || atomic_load(&holders) == 0) {
        remove_paths();
        die_by(atomic_load(&got_signal));
    }
    errno = saved;
}

static void at_exit_hook(void)
{
    int sig = atomic_load(&got_signal);
    if (!sig)
        return;
    kill_children();
    remove_paths();
    fflush(NULL);
    die_by(sig);
}

as_status as_interrupt_install(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1))
        return AS_OK;
    size_t p = 0;
    const char *name = AS_INTERRUPT_MARKER "=";
    memcpy(own_prefix, name, slen(name));
    p = slen(name);
    p += put_ulong(own_prefix + p, (unsigned long)getpid());
    own_prefix[p++] = '.';
    own_prefix[p] = '\0';
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaddset(&sa.sa_mask, sigs[i]); /* one handler at a time; the second waits for the first */
    for (int i = 0; i < 3; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* ignored on purpose (nohup, a background job): stays ignored */
        if (sigaction(sigs[i], &sa, NULL) != 0)
            return AS_FAIL(AS_EIO, "cannot install a handler for signal %d: %s", sigs[i],
                           strerror(errno));
    }
    if (atexit(at_exit_hook) != 0)
        return AS_FAIL(AS_EIO, "cannot register the exit hook of the interrupt handler");
    return AS_OK;
}

int as_interrupted(void) { return atomic_load(&got_signal); }

as_status as_interrupt_check(void)
{
    int sig = atomic_load(&got_signal);
    if (!sig)
        return AS_OK;
    const char *nm = sig == SIGINT    ? "SIGINT"
                     : sig == SIGTERM ? "SIGTERM"
                     : sig == SIGHUP  ? "SIGHUP"
                                      : "a signal";
    return AS_FAIL(AS_EINTR, "interrupted by %s", nm);
}

void as_interrupt_hold(void) { atomic_fetch_add(&holders, 1); }
void as_interrupt_release(void) { atomic_fetch_sub(&holders, 1); }

as_status as_interrupt_add_pid(pid_t pid, int group)
{
    int t = group ? -(int)pid : (int)pid;
    if (pid <= 0)
        return AS_FAIL(AS_EINVAL, "interrupt: cannot register pid %ld", (long)pid);
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PIDS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&pid_slot[i], &expected, t))
            return AS_OK;
    }
    return AS_FAIL(AS_ENOMEM, "interrupt: more than %d child processes registered",
                   AS_INTERRUPT_MAX_PIDS);
}

void as_interrupt_remove_pid(pid_t pid)
{
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PIDS; i++) {
        int expected = (int)pid;
        if (atomic_compare_exchange_strong(&pid_slot[i], &expected, 0))
            return;
        expected = -(int)pid;
        if (atomic_compare_exchange_strong(&pid_slot[i], &expected, 0))
            return;
    }
}

as_status as_interrupt_add_path(const char *path)
{
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof path_text[0])
        return AS_FAIL(AS_EINVAL, "interrupt: path of %zu bytes cannot be registered", n);
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PATHS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&path_state[i], &expected, 1)) {
            memcpy(path_text[i], path, n + 1);
            atomic_store(&path_state[i], 2);
            return AS_OK;
        }
    }
    return AS_FAIL(AS_ENOMEM, "interrupt: more than %d paths registered", AS_INTERRUPT_MAX_PATHS);
}

void as_interrupt_remove_path(const char *path)
{
    for (size_t i = 0; i < AS_INTERRUPT_MAX_PATHS; i++) {
        int expected = 2;
        if (atomic_load(&path_state[i]) == 2 && !strcmp(path_text[i], path) &&
            atomic_compare_exchange_strong(&path_state[i], &expected, 1)) {
            path_text[i][0] = '\0';
            atomic_store(&path_state[i], 0);
            return;
        }
    }
}
