/* Running the scheduler's commands (sbatch, squeue, sacct, scontrol, scancel) as child
 * processes without a shell, with their output captured through pipes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "executor_int.h"

extern char **environ;

as_status as_proc_run(char *const *argv, char **out, char **err, int *exit_code)
{
    *out = *err = NULL;
    *exit_code = -1;
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    as_status st = AS_OK;
    as_sbuf bo = {0}, be = {0};
    posix_spawn_file_actions_t fa;
    int have_fa = 0;
    if (pipe(po) || pipe(pe)) {
        st = AS_FAIL(AS_EORACLE, "%s: cannot create a pipe: %s", argv[0], strerror(errno));
        goto done;
    }
    if (posix_spawn_file_actions_init(&fa)) {
        st = AS_FAIL(AS_ENOMEM, "%s: cannot prepare the process", argv[0]);
        goto done;
    }
    have_fa = 1;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    posix_spawn_file_actions_addclose(&fa, po[0]);
    posix_spawn_file_actions_addclose(&fa, pe[0]);
    posix_spawn_file_actions_addclose(&fa, po[1]);
    posix_spawn_file_actions_addclose(&fa, pe[1]);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    if (rc) {
        st = AS_FAIL(AS_EORACLE, "cannot run %s: %s", argv[0], strerror(rc));
        goto done;
    }
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int k = 0; k < 2; k++) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char tmp[4096];
            ssize_t r = read(fds[k].fd, tmp, sizeof tmp);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                close(fds[k].fd);
                fds[k].fd = -1;
                open_fds--;
                continue;
            }
            as_sbuf_putn(k ? &be : &bo, tmp, (size_t)r);
        }
    }
    po[0] = pe[0] = -1;
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) {
            if (st == AS_OK)
                st = AS_FAIL(AS_EORACLE, "%s: waitpid: %s", argv[0], strerror(errno));
            goto done;
        }
    *exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    as_sbuf_putn(&bo, "", 0); /* never NULL, even for no output */
    as_sbuf_putn(&be, "", 0);
    if (st == AS_OK && (bo.oom || be.oom))
        st = AS_FAIL(AS_ENOMEM, "%s: output buffer", argv[0]);
done:
    if (have_fa)
        posix_spawn_file_actions_destroy(&fa);
    for (int k = 0; k < 2; k++) {
        if (po[k] >= 0)
            close(po[k]);
        if (pe[k] >= 0)
            close(pe[k]);
    }
    if (st != AS_OK) {
        as_sbuf_free(&bo);
        as_sbuf_free(&be);
        return st;
    }
    *out = bo.s;
    *err = be.s;
    return AS_OK;
}

void as_proc_sleep(double s)
{
    if (!(s > 0))
        return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}
