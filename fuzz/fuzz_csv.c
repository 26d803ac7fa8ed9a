/* Fuzz target: the CSV reader (as_table_parse_csv), and the writer on what it read.
 * Promises checked: a failure names the input; a table has >= 1 row and >= 1 column, unique
 * non-empty header names, no NULL cell, and positions inside the input; writing it and reading
 * it back gives the same names and cells. */
#include <stdlib.h>
#include <string.h>

#include "alloyscout/data.h"
#include "fuzz.h"

static void same_tables(const as_table *a, const as_table *b)
{
    size_t rows = as_table_rows(a), cols = as_table_cols(a);
    if (as_table_rows(b) != rows || as_table_cols(b) != cols)
        fuzz_fail("round trip changed the shape: %zu x %zu -> %zu x %zu", rows, cols,
                  as_table_rows(b), as_table_cols(b));
    for (size_t c = 0; c < cols; c++)
        if (strcmp(as_table_name(a, c), as_table_name(b, c)))
            fuzz_fail("round trip changed header %zu", c);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            if (strcmp(as_table_cell(a, r, c), as_table_cell(b, r, c)))
                fuzz_fail("round trip changed cell (%zu, %zu): '%s' -> '%s'", r, c,
                          as_table_cell(a, r, c), as_table_cell(b, r, c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char name[] = "fuzz-input.csv";
    as_table *t = NULL;
    if (as_table_parse_csv((const char *)data, size, name, &t) != AS_OK) {
        if (t)
            fuzz_fail("failed parse returned a table");
        fuzz_check_error(name);
        return 0;
    }
    size_t rows = as_table_rows(t), cols = as_table_cols(t);
    if (rows < 1 || cols < 1)
        fuzz_fail("table of %zu x %zu", rows, cols);
    for (size_t c = 0; c < cols; c++) {
        const char *h = as_table_name(t, c);
        if (!h || !*h)
            fuzz_fail("empty header name %zu", c);
        for (size_t k = 0; k < c; k++)
            if (!strcmp(h, as_table_name(t, k)))
                fuzz_fail("duplicate header '%s'", h);
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            size_t line = 0, col = 0;
            if (!as_table_cell(t, r, c))
                fuzz_fail("NULL cell (%zu, %zu)", r, c);
            as_table_where(t, r, c, &line, &col);
            if (line < 2 || line > size + 1 || col < 1 || col > size + 1)
                fuzz_fail("cell (%zu, %zu) placed at %zu:%zu in %zu bytes", r, c, line, col, size);
        }
    char path[FUZZ_PATH_MAX];
    if (!fuzz_tmpfile((const uint8_t *)"", 0, path)) {
        as_table *back = NULL;
        if (as_table_write_csv(t, path) != AS_OK)
            fuzz_fail("cannot write the table back: %s", as_errmsg());
        if (as_table_read_csv(path, &back) != AS_OK)
            fuzz_fail("cannot read back what was written: %s", as_errmsg());
        same_tables(t, back);
        as_table_free(back);
        fuzz_unlink(path);
    }
    as_table_free(t);
    return 0;
}
