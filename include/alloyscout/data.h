/* alloyscout data area: CSV tables (RFC 4180 reader and writer), column typing and one-hot
 * encoding of a table into a numeric dataset, and z-score standardization.
 *
 * The CSV dialect, the typing rules, the accepted target values and the derivation of the
 * shipped MPEA dataset are described in docs/data.md. */
#ifndef ALLOYSCOUT_DATA_H
#define ALLOYSCOUT_DATA_H

#include <stdio.h>

#include "alloyscout/core.h"
#include "alloyscout/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== CSV tables ==========================================================================
 * A table is a parsed CSV file: a header row of unique, non-empty column names and at least one
 * data row, every row with the header's number of fields. Every cell is kept as the exact text
 * of the field (quotes removed, doubled quotes undone, embedded newlines kept) together with
 * where the field starts in the file: its 1-based physical line and 1-based column, the column
 * counting characters (UTF-8 code points) from the start of that line. A UTF-8 byte-order mark
 * is skipped; LF, CRLF and lone CR end lines; blank lines after the last row are ignored. */
typedef struct as_table as_table;

/* Read and parse the CSV file at `path`. OUT: *out is a new table (free with as_table_free),
 * NULL on failure. Returns AS_EIO when the file cannot be read, AS_EPARSE with
 * "path:line:column: ..." for an unterminated quoted field, text after a closing quote, a NUL
 * byte, a blank line between rows, a row with the wrong number of fields (expected and found
 * counts), an empty or duplicate header name, and "path: ..." for an empty file or a file with
 * a header only; AS_ENOMEM. */
AS_API as_status as_table_read_csv(const char *path, as_table **out);
/* Parse CSV text held in memory: `len` bytes at `text` (need not be NUL-terminated). `name` is
 * used in messages and returned by as_table_path. Same rules and status codes as
 * as_table_read_csv. */
AS_API as_status as_table_parse_csv(const char *text, size_t len, const char *name, as_table **out);
/* Reading options (docs/data.md "Delimiter and encoding"):
 *   delimiter  ',', ';' or '\t'; 0 (default): detected from the first record, the most frequent
 *              of the three outside quotes (none or a tie: ',').
 *   encoding   NULL, "utf-8" (default): the file must be UTF-8 (a BOM is skipped), else AS_EPARSE
 *              with path:line:column of the first byte that is not; "latin-1" (also "latin1",
 *              "iso-8859-1"): every byte is one character, transcoded to UTF-8. Any other name is
 *              AS_EINVAL. */
typedef struct {
    char delimiter;
    const char *encoding;
} as_csv_options;
AS_API as_csv_options as_csv_options_default(void);
/* as_table_read_csv / as_table_parse_csv under `opt` (NULL: defaults, which those two use).
 * path "-" reads standard input (named "<stdin>" in messages). */
AS_API as_status as_table_read_csv_opt(const char *path, const as_csv_options *opt, as_table **out);
AS_API as_status as_table_parse_csv_opt(const char *text, size_t len, const char *name,
                                        const as_csv_options *opt, as_table **out);
/* The separator the table was read with. */
AS_API char as_table_delimiter(const as_table *t);
/* "" or, when the table has at most two columns and its first header name holds another of
 * ',', ';' and tab, "; the header holds ';': is the file ';'-separated? (--delimiter ';')" to
 * append to a message about a missing column. Static text. */
AS_API const char *as_table_delimiter_hint(const as_table *t);
/* Release a table; NULL is a no-op. */
AS_API void as_table_free(as_table *t);
/* Number of data rows (the header excluded; always >= 1) and of columns (>= 1). */
AS_API size_t as_table_rows(const as_table *t);
AS_API size_t as_table_cols(const as_table *t);
/* Header name of column `col` (< cols). Borrowed; valid while the table lives. */
AS_API const char *as_table_name(const as_table *t, size_t col);
/* Text of the cell at data row `row` (< rows, 0-based, header excluded) and column `col`.
 * Borrowed; valid while the table lives. Never NULL (an empty field is ""). */
AS_API const char *as_table_cell(const as_table *t, size_t row, size_t col);
/* Where that cell starts in the file: 1-based physical line and column. `row` may be
 * (size_t)-1 for the header cell. Either pointer may be NULL. */
AS_API void as_table_where(const as_table *t, size_t row, size_t col, size_t *line, size_t *column);
/* The path (or name) the table was read from. Borrowed; valid while the table lives. */
AS_API const char *as_table_path(const as_table *t);
/* Index of the column named exactly `name`. AS_EINVAL naming the column, the file and the
 * available columns when there is none (*col is then left unchanged); when the header holds
 * another of ',', ';' and tab, the message suggests that delimiter. */
AS_API as_status as_table_find(const as_table *t, const char *name, size_t *col);

/* Write one CSV record of `n` fields followed by "\n" to `f`. A field is quoted (with inner
 * quotes doubled) when it contains a comma, a quote, CR or LF, when it starts with a UTF-8
 * byte-order mark, or when it is the only field and is empty or all spaces and tabs (so that
 * the record is not a blank line). A NULL field is written as empty.
 * Returns AS_EIO when the stream reports an error. Intended for the stream of an as_outfile. */
AS_API as_status as_csv_write_row(FILE *f, const char *const *fields, size_t n);
/* Write one field of a record built piece by piece (no separator, no newline), quoted by the
 * rule of as_csv_write_row for a record of several fields. NULL is written as empty. The
 * caller checks ferror(f). */
AS_API void as_csv_write_field(FILE *f, const char *s);
/* Write a whole table (header and rows) to `path` through as_outfile: the file appears
 * complete or not at all. AS_EIO, AS_ENOMEM. */
AS_API as_status as_table_write_csv(const as_table *t, const char *path);

/* Parse a number the way every reader in alloyscout does: surrounding spaces and tabs are
 * ignored, the rest must be a decimal number in the C locale ([+-]digits[.digits][e[+-]digits],
 * at least one digit before the exponent) with a finite value. "nan", "inf", hexadecimal and
 * overflowing values are not numbers. Returns 1 and stores the value in *out (may be NULL) when
 * `s` is a number, 0 otherwise. */
AS_API int as_parse_number(const char *s, double *out);
/* The cell at (row, col) as a number (as_parse_number); AS_EPARSE naming file:line:column, the
 * column and the text otherwise. */
AS_API as_status as_table_number(const as_table *t, size_t row, size_t col, double *out);

/* ==== schema: which columns are features, target and group, and how they are encoded =======
 * Typing (docs/data.md): every column that is not the target, the group or dropped is a
 * feature. It is numeric when every non-empty cell is a number (as_parse_number), text when
 * none is or when it is listed in `text`; a column mixing both is an error naming the first cell
 * of the minority kind. Text columns are one-hot encoded, one feature per level, levels sorted
 * bytewise; an empty text cell encodes as all zeros. Values are compared with surrounding spaces
 * and tabs removed. Only rows with a non-empty target (all rows when there is no target) are
 * looked at by as_schema_infer. */
typedef struct {
    const char *target;   /* target column name, or NULL for a schema without target */
    const char *positive; /* target value counted as positive (every other non-empty value is
                           * negative); NULL: accept 1/0, true/false, yes/no, success/failure in
                           * any case, or a number equal to 1 or 0 */
    const char *group;    /* group (alloy-system) column kept out of the features, or NULL */
    const char *drop;     /* comma-separated columns to ignore, or NULL */
    const char *text;     /* comma-separated columns forced to be text (one-hot), or NULL */
    /* 1: a column whose values are numbers except for fewer text cells is numeric (those
     * cells make their rows bad, for as_schema_encode_ex to skip) instead of an error. */
    int skip_bad_rows;
} as_schema_options;

/* Defaults: every field NULL. */
AS_API as_schema_options as_schema_options_default(void);

typedef struct as_schema as_schema; /* opaque; stored in model files */

/* Decide the feature columns of table `t` under `opt` (NULL: defaults). OUT: *out is a new
 * schema (free with as_schema_free), NULL on failure. Returns AS_EINVAL when a named column
 * (target, group, drop, text) is absent (the message lists the available columns) or when no
 * feature column remains or no row has a target value; AS_EPARSE with path:line:column for a
 * column mixing numbers and text (suggesting --text COL), a target value that is not recognized,
 * or a feature column without any value; AS_ENOMEM. Column names in `drop` and `text` are
 * trimmed of surrounding spaces. */
AS_API as_status as_schema_infer(const as_table *t, const as_schema_options *opt, as_schema **out);
AS_API void as_schema_free(as_schema *s);
/* Number of encoded features d, and the name of feature j (< d): the column name for a numeric
 * column, "column=level" for a one-hot feature. Borrowed; valid while the schema lives. */
AS_API size_t as_schema_features(const as_schema *s);
AS_API const char *as_schema_feature_name(const as_schema *s, size_t j);
/* The table column feature j (< d) encodes, and for a one-hot feature the level it stands for
 * (NULL for a numeric feature, and for j >= d). Borrowed. */
AS_API const char *as_schema_feature_column(const as_schema *s, size_t j);
AS_API const char *as_schema_feature_level(const as_schema *s, size_t j);
/* Target and group column names, NULL when the schema has none. Borrowed. */
AS_API const char *as_schema_target(const as_schema *s);
AS_API const char *as_schema_group(const as_schema *s);

/* An encoded dataset; free with as_dataset_free. All arrays are owned by the dataset. */
typedef struct {
    size_t n, d;        /* rows kept, feature count */
    double *x;          /* (n, d) row-major, ld = d */
    int *y;             /* (n) 1 positive, 0 negative (-1: empty target, only when
                          * need_target = 0), or NULL when the table has no target column */
    size_t *group;      /* (n) index into group_names, or NULL (no group column) */
    size_t n_groups;    /* number of distinct group values */
    char **group_names; /* (n_groups) sorted bytewise */
    size_t *row;        /* (n) 0-based data row of the table each row came from */
    size_t n_skipped;   /* rows skipped because their target was empty (need_target = 1) */
    size_t n_bad;       /* rows skipped as unreadable (as_encode_options.skip_bad_rows) */
    size_t n_missing;   /* empty numeric cells encoded as NaN (allow_missing) */
} as_dataset;

/* Encode table `t` with schema `s`. Columns of `t` that the schema does not use are ignored.
 * need_target = 1 (training, evaluation): the target column (and the group column when the
 * schema has one) must be present, rows with an empty target are skipped and counted in
 * n_skipped, and both classes must occur. need_target = 0 (prediction): every row is kept; y
 * and group are filled when their columns are present (y = -1 for an empty target).
 * A text value not seen by as_schema_infer encodes as all zeros and is reported once per column
 * through as_log(AS_LOG_WARN) with its file:line:column.
 * OUT: *out is a new dataset, NULL on failure. Returns AS_EINVAL naming a missing column or
 * reporting a single-class target; AS_EPARSE with path:line:column for an empty or non-numeric
 * cell in a numeric column, an unrecognized target value or an empty group value; AS_ENOMEM. */
AS_API as_status as_schema_encode(const as_schema *s, const as_table *t, int need_target,
                                  as_dataset **out);
/* How as_schema_encode_ex treats cells it cannot encode. Defaults (all 0): strict, as
 * as_schema_encode. */
typedef struct {
    /* 1: a row with a non-numeric cell in a numeric column (or an empty one without
     * allow_missing) is left out and counted in n_bad instead of failing; one AS_LOG_WARN line
     * gives the count and the first such cell (file:line:column, column, text). */
    int skip_bad_rows;
    /* 1: an empty numeric cell encodes as NaN (for an imputer fitted later on the training
     * part), counted in n_missing; 0: it is an error (or a bad row). */
    int allow_missing;
} as_encode_options;

/* as_schema_encode with options (NULL: as as_schema_encode). */
AS_API as_status as_schema_encode_ex(const as_schema *s, const as_table *t, int need_target,
                                     const as_encode_options *eo, as_dataset **out);
/* Keep only the rows r with keep[r] != 0 (in order), renumbering the groups so that every
 * group name still has a row; counts n_bad += rows removed. AS_ENOMEM. */
AS_API as_status as_dataset_keep_rows(as_dataset *ds, const unsigned char *keep);
AS_API void as_dataset_free(as_dataset *ds);
/* Name of group index g (< n_groups). Borrowed; valid while the dataset lives. */
AS_API const char *as_dataset_group_name(const as_dataset *ds, size_t g);

/* Schema <-> JSON object (json.h), as stored in model files:
 *   {"target": "y", "positive": "ok", "group": "system",
 *    "columns": [{"name": "T", "type": "number"},
 *                {"name": "route", "type": "text", "levels": ["a", "b"]}]}
 * "target", "positive" and "group" are omitted when absent. OUT: *out new object (free with
 * as_json_free) / schema, NULL on failure. from_json: AS_EPARSE naming the key for a missing or
 * mistyped member, an unknown type, duplicate column names, or levels that are not unique and
 * sorted; AS_ENOMEM. A schema read back encodes every table exactly as the original. */
AS_API as_status as_schema_to_json(const as_schema *s, as_json **out);
AS_API as_status as_schema_from_json(const as_json *j, as_schema **out);

/* ==== standardization =====================================================================
 * z = (x - mean) / scale with mean and population standard deviation (ddof = 0) of each column,
 * as scikit-learn's StandardScaler. A column is constant when its variance is at most
 * n*eps*var + (n*mean*eps)^2 (scikit-learn's test); its scale is then 1. */
typedef struct as_scaler as_scaler;

/* Fit on x (n, d) row-major (ld = d). OUT: *out new scaler, NULL on failure. A constant column
 * gets scale 1; one as_log(AS_LOG_WARN) line reports them all (naming the index of one, the
 * count of several). AS_EINVAL for n = 0, d = 0 or a non-finite value (naming row and column);
 * AS_ENOMEM. */
AS_API as_status as_scaler_fit(const double *x, size_t n, size_t d, as_scaler **out);
/* as_scaler_fit; warn = 0 logs the constant columns at AS_LOG_DEBUG only (for a caller that
 * knows the column names and warns about them itself, once: the synth workflow). */
AS_API as_status as_scaler_fit_ex(const double *x, size_t n, size_t d, int warn, as_scaler **out);
/* Standardize x (n, d) in place. AS_EDIM when d differs from the fitted dimension. */
AS_API as_status as_scaler_transform(const as_scaler *s, double *x, size_t n, size_t d);
AS_API void as_scaler_free(as_scaler *s);
/* Fitted dimension, and the per-column mean and scale (d values each). Borrowed; valid while
 * the scaler lives. */
AS_API size_t as_scaler_dim(const as_scaler *s);
AS_API const double *as_scaler_mean(const as_scaler *s);
AS_API const double *as_scaler_scale(const as_scaler *s);

/* Scaler <-> JSON object {"mean": [...], "scale": [...]} (equal lengths >= 1, finite,
 * scale > 0; doubles read back bit for bit). from_json: AS_EPARSE naming the problem;
 * AS_ENOMEM. */
AS_API as_status as_scaler_to_json(const as_scaler *s, as_json **out);
AS_API as_status as_scaler_from_json(const as_json *j, as_scaler **out);

#ifdef __cplusplus
}
#endif
#endif
