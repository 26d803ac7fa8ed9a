/* The byte pipes to the oracle's worker processes (lammps.c, ase.c): whole-buffer send and
 * receive over a socket, with an optional deadline, and the monotonic clock they use. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "oracle_int.h"

double as_worker_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int as_worker_send_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t k = send(fd, c, len, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        len -= (size_t)k;
    }
    return 0;
}

int as_worker_recv_all(int fd, void *p, size_t len, double deadline)
{
    char *c = p;
    while (len) {
        if (isfinite(deadline)) {
            double left = deadline - as_worker_now_s();
            if (left <= 0)
                return -2;
            struct pollfd pf = {fd, POLLIN, 0};
            int ms = left > 2e6 ? 2000000000 : (int)(left * 1000.0) + 1;
            int r = poll(&pf, 1, ms);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return -1;
            if (r == 0)
                continue;
        }
        ssize_t k = recv(fd, c, len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        len -= (size_t)k;
    }
    return 0;
}
