/* Fuzz targets for alloyscout's file readers (STYLE.md: CSV, POSCAR, extended XYZ, setfl).
 *
 * Each fuzz_<name>.c defines the libFuzzer entry point below. Built two ways (CMakeLists.txt):
 *   - with fuzz/replay.c as main: runs the seed corpus in fuzz/corpus/<name>/ plus a fixed
 *     number of seeded mutations of it; this is a ctest test, so CI runs it under ASan + UBSan;
 *   - with clang's libFuzzer (-DAS_LIBFUZZER=ON, `make fuzz`): coverage-guided, open-ended.
 * A target checks what every reader promises (a failure has a message naming the input, a
 * success has a consistent object) and calls fuzz_fail, which aborts, when it does not. */
#ifndef AS_FUZZ_H
#define AS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write the input to a fresh temporary file ($TMPDIR or /tmp) and put its name in path;
 * returns 0 on success. Remove the file with fuzz_unlink. */
#define FUZZ_PATH_MAX 4096
int fuzz_tmpfile(const uint8_t *data, size_t size, char path[FUZZ_PATH_MAX]);
void fuzz_unlink(const char *path);

/* Report a broken promise and abort (a crash for the fuzzer). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A failed read must leave a message that names the input file. */
void fuzz_check_error(const char *path);

/* Structures (fuzz_structure.c): a read structure has atoms with known species and finite
 * coordinates; a written and re-read one has the same atoms, species and cell (tolerance tol
 * relative to the value, positions also to the largest cell component; 0: bit for bit). */
void fuzz_check_structure(const void *s);
void fuzz_same_structure(const void *a, const void *b, double tol);

#endif
