/* Helpers shared by the fuzz targets (fuzz/fuzz.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloyscout/core.h"
#include "fuzz.h"

int fuzz_tmpfile(const uint8_t *data, size_t size, char path[FUZZ_PATH_MAX])
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int n = snprintf(path, FUZZ_PATH_MAX, "%s/alloyscout-fuzz-XXXXXX", dir);
    if (n < 0 || n >= FUZZ_PATH_MAX)
        return -1;
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)w;
    }
    close(fd);
    return 0;
}

void fuzz_unlink(const char *path)
{
    if (path)
        unlink(path);
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: broken promise: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fuzz_check_error(const char *path)
{
    const char *m = as_errmsg();
    if (!m || !*m)
        fuzz_fail("a failed read of %s left no message", path);
    if (!strstr(m, path))
        fuzz_fail("the message \"%s\" does not name the input %s", m, path);
}
