/* as_data_path: where the shipped data files are (docs/install.md). Nothing of the build tree is
 * compiled in: the places are relative to the running program and to the library itself. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_int.h"

#ifndef AS_BIN_TO_DATA
#define AS_BIN_TO_DATA "../share/alloyscout"
#endif
#ifndef AS_LIB_TO_DATA
#define AS_LIB_TO_DATA "../share/alloyscout"
#endif

#define AS_DATA_PLACES 4

/* The directory part of an absolute file path, in buf (cap >= PATH_MAX); 0 on success. */
static int dir_of(const char *file, char *buf, size_t cap)
{
    size_t n = strlen(file);
    if (n == 0 || n >= cap || file[0] != '/')
        return 1;
    memcpy(buf, file, n + 1);
    char *slash = strrchr(buf, '/');
    if (slash == buf)
        slash[1] = '\0';
    else
        *slash = '\0';
    return 0;
}

as_status as_data_path(const char *name, char **out)
{
    if (!out)
        return AS_FAIL(AS_EINVAL, "as_data_path: out is NULL");
    *out = NULL;
    if (!name || !*name || name[0] == '/' || strstr(name, ".."))
        return AS_FAIL(AS_EINVAL, "as_data_path: '%s' is not the name of a shipped data file",
                       name ? name : "(null)");
    /* candidate directories, in order; NULL = not available */
    char dirs[AS_DATA_PLACES][PATH_MAX + 32];
    const char *label[AS_DATA_PLACES] = {"$ALLOYSCOUT_DATA", "program prefix", "program build tree",
                                         "library prefix"};
    int have[AS_DATA_PLACES] = {0};
    const char *env = getenv("ALLOYSCOUT_DATA");
    if (env && *env && strlen(env) < PATH_MAX) {
        snprintf(dirs[0], sizeof dirs[0], "%s", env);
        have[0] = 1;
    }
    char exe[PATH_MAX], dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        if (!dir_of(exe, dir, sizeof dir)) {
            snprintf(dirs[1], sizeof dirs[1], "%s/%s", dir, AS_BIN_TO_DATA);
            snprintf(dirs[2], sizeof dirs[2], "%s/share/alloyscout", dir);
            have[1] = have[2] = 1;
        }
    }
    Dl_info info;
    if (dladdr((void *)&as_data_path, &info) && info.dli_fname) {
        char lib[PATH_MAX];
        if (realpath(info.dli_fname, lib) && !dir_of(lib, dir, sizeof dir)) {
            snprintf(dirs[3], sizeof dirs[3], "%s/%s", dir, AS_LIB_TO_DATA);
            have[3] = 1;
        }
    }
    char tried[4 * (PATH_MAX + 64)];
    size_t used = 0;
    tried[0] = '\0';
    for (int i = 0; i < AS_DATA_PLACES; i++) {
        char canon[PATH_MAX];
        if (have[i] && realpath(dirs[i], canon)) /* "/p/bin/../share/x" -> "/p/share/x" */
            snprintf(dirs[i], sizeof dirs[i], "%s", canon);
        for (int k = 0; k < i && have[i]; k++) /* the program and the library in one prefix */
            if (have[k] && strcmp(dirs[k], dirs[i]) == 0)
                have[i] = 0;
        if (!have[i])
            continue;
        size_t len = strlen(dirs[i]) + strlen(name) + 2;
        char *p = as_malloc(len);
        if (!p)
            return AS_FAIL(AS_ENOMEM, "as_data_path: %s", name);
        snprintf(p, len, "%s/%s", dirs[i], name);
        if (access(p, R_OK) == 0) {
            *out = p;
            return AS_OK;
        }
        int w = snprintf(tried + used, sizeof tried - used, "\n  %s (%s)", p, label[i]);
        if (w > 0 && (size_t)w < sizeof tried - used)
            used += (size_t)w;
        as_free(p);
    }
    return AS_FAIL(AS_EIO,
                   "data file '%s' not found; tried:%s\n(set ALLOYSCOUT_DATA to the directory "
                   "that holds it)",
                   name, used ? tried : " nowhere (no ALLOYSCOUT_DATA, no /proc/self/exe)");
}
