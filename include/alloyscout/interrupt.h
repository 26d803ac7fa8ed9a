/* alloyscout core: stopping cleanly on SIGINT, SIGTERM and SIGHUP.
 *
 * The library never installs a signal handler by itself: a program (the CLI) calls
 * as_interrupt_install() once at start-up. The library always registers what must not outlive
 * the process (child processes and process groups it starts, scratch directories and temporary
 * files), whether or not the handler is installed; the registry costs a few atomic stores.
 *
 * On the first signal the handler
 *   - kills (SIGKILL) every registered process or process group, and every process whose
 *     environment holds this process's job marker (AS_INTERRUPT_MARKER "=<pid>." ...): children
 *     the library starts carry that variable, so descendants that left the process group with
 *     setsid() are found too (by scanning /proc/<pid>/environ; a program that clears its
 *     environment and calls setsid cannot be found);
 *   - then, inside a polling section (as_interrupt_hold ... as_interrupt_release), only records
 *     the signal: the code that holds polls as_interrupted(), stops, lets its caller commit what
 *     is finished and returns AS_EINTR; when the program exits, the registered paths are removed
 *     and the process ends by the same signal (the shell sees 130, 143 or 129);
 *   - outside a polling section it removes the registered paths and ends the process at once by
 *     the signal.
 * A second signal always ends the process at once (after the same cleanup).
 *
 * Every function here is thread-safe; the handler uses only async-signal-safe calls. Linux:
 * /proc and getdents64. */
#ifndef ALLOYSCOUT_INTERRUPT_H
#define ALLOYSCOUT_INTERRUPT_H

#include <sys/types.h>

#include "alloyscout/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Environment variable that marks the processes started by the library for one job:
 * ALLOYSCOUT_JOB=<pid of alloyscout>.<job number>. */
#define AS_INTERRUPT_MARKER "ALLOYSCOUT_JOB"
/* Registry sizes: processes and paths tracked at once. */
#define AS_INTERRUPT_MAX_PIDS 256
#define AS_INTERRUPT_MAX_PATHS 128

/* Install the handler for SIGINT, SIGTERM and SIGHUP (SA_RESTART) and an exit hook. A signal
 * that is ignored when this is called (nohup, a background job of a script) stays ignored.
 * Call once, from the program's main thread, before starting threads. AS_EIO if sigaction
 * fails. */
AS_API as_status as_interrupt_install(void);
/* The first signal received (SIGINT, SIGTERM or SIGHUP), 0 when none (or not installed). */
AS_API int as_interrupted(void);
/* AS_OK, or AS_EINTR with the message "interrupted by SIGINT" (etc.) once a signal arrived. */
AS_API as_status as_interrupt_check(void);
/* Enter / leave a polling section (they nest): while one is active the first signal does not
 * end the process, the holder polls as_interrupted() and unwinds. */
AS_API void as_interrupt_hold(void);
AS_API void as_interrupt_release(void);

/* Register a child to kill on a signal: the process pid, or with group = 1 the process group
 * pid. AS_ENOMEM when AS_INTERRUPT_MAX_PIDS are registered. */
AS_API as_status as_interrupt_add_pid(pid_t pid, int group);
/* Forget a child (after waiting for it). Unknown pids are ignored. */
AS_API void as_interrupt_remove_pid(pid_t pid);
/* Register a file or directory (removed with its contents, 16 levels deep at most) to delete on
 * a signal. The path is copied (at most 4095 bytes). AS_ENOMEM when the registry is full,
 * AS_EINVAL for a longer path. */
AS_API as_status as_interrupt_add_path(const char *path);
/* Forget a path (after removing it or renaming it into place). */
AS_API void as_interrupt_remove_path(const char *path);

/* Send sig to every other process of this user whose environment holds the entry `entry`
 * ("NAME=VALUE", exact) or, with prefix = 1, an entry starting with `entry`. Returns how many
 * were signalled. Async-signal-safe: a child between fork and exec may call it. */
AS_API size_t as_interrupt_kill_marked(const char *entry, int prefix, int sig);
/* Write this process's job marker for job number `job` ("ALLOYSCOUT_JOB=<pid>.<job>") into
 * buf (size cap). */
AS_API void as_interrupt_marker(unsigned long job, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
