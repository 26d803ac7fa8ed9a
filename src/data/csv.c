/* CSV tables: an RFC 4180 reader that keeps every cell as text with the line and column where
 * it starts, a writer that quotes only when needed, and the number parser shared by the data
 * area. The dialect (BOM, CRLF/LF/CR, blank lines, positions in characters) is documented in
 * docs/data.md; the grammar is RFC 4180 section 2 (https://www.rfc-editor.org/rfc/rfc4180). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core_int.h"
#include "data_int.h"

typedef struct {
    size_t off;  /* offset of the NUL-terminated text in buf */
    size_t line; /* 1-based physical line where the field starts */
    size_t col;  /* 1-based character column where the field starts */
} as_cell;

struct as_table {
    char *path;
    char delim;     /* the field separator: ',', ';' or '\t' */
    char *buf;      /* the file, unescaped in place into NUL-terminated cell texts */
    as_cell *cells; /* (rows + 1, cols): row 0 is the header */
    size_t rows, cols;
};

/* ---- small helpers shared by the area ---- */

void as_data_trim(const char *s, const char **b, const char **e)
{
    const char *p = s, *q = s + strlen(s);
    while (p < q && (*p == ' ' || *p == '\t'))
        p++;
    while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
        q--;
    *b = p;
    *e = q;
}

char *as_data_strndup(const char *s, size_t n)
{
    char *d = as_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int as_parse_number(const char *s, double *out)
{
    const char *b, *e;
    as_data_trim(s, &b, &e);
    /* the one decimal syntax (as_parse_double): no nan/inf/hex forms */
    return as_parse_double_n(b, (size_t)(e - b), out) == AS_OK;
}

/* ---- reader ---- */

static as_status cells_push(as_table *t, size_t *n, size_t *cap, size_t off, size_t line,
                            size_t col)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        as_cell *c = as_realloc(t->cells, nc * sizeof *c);
        if (!c)
            return AS_FAIL(AS_ENOMEM, "%s: cannot allocate %zu cells", t->path, nc);
        t->cells = c;
        *cap = nc;
    }
    t->cells[*n] = (as_cell){off, line, col};
    (*n)++;
    return AS_OK;
}

static int is_blank_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* Empty and duplicate column names. Duplicates through an open-addressing hash set of the
 * names (as_hash64), so 100k columns take milliseconds, not the minutes of a pairwise scan. */
static as_status check_header(const as_table *t)
{
    as_status st = AS_OK;
    size_t cap = 16;
    while (cap < 2 * t->cols)
        cap *= 2;
    size_t *slot = NULL; /* column index + 1, 0 = empty */
    AS_TRY(AS_ALLOC(slot, cap, "header names"));
    for (size_t j = 0; j < t->cols; j++) {
        const as_cell *c = &t->cells[j];
        const char *name = t->buf + c->off;
        if (!*name) {
            st = AS_FAIL(AS_EPARSE, "%s:%zu:%zu: empty column name (field %zu of the header)",
                         t->path, c->line, c->col, j + 1);
            goto fail;
        }
        size_t h = (size_t)as_hash64_str(AS_HASH64_INIT, name) & (cap - 1);
        for (; slot[h]; h = (h + 1) & (cap - 1)) {
            size_t i = slot[h] - 1;
            if (!strcmp(name, t->buf + t->cells[i].off)) {
                st = AS_FAIL(AS_EPARSE,
                             "%s:%zu:%zu: duplicate column name '%s' (also field %zu of the "
                             "header)",
                             t->path, c->line, c->col, name, i + 1);
                goto fail;
            }
        }
        slot[h] = j + 1;
    }
fail:
    as_free(slot);
    return st;
}

/* Parse t->buf[0..len) in place. On return t->cells holds (rows + 1) * cols cells. */
static as_status csv_parse(as_table *t, size_t len)
{
    char *b = t->buf;
    size_t r = 0, w = 0, line = 1, col = 1;
    size_t n = 0, cap = 0, blank_line = 0;
    int have_header = 0;
    char sep;
    as_status st;

    if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
        r = 3;
    while (r < len) {
        size_t first = n, row_line = line;
        int first_quoted = 0;
        for (;;) {
            AS_TRY(cells_push(t, &n, &cap, w, line, col));
            if (r < len && b[r] == '"') {
                size_t ql = line, qc = col;
                if (n - first == 1)
                    first_quoted = 1;
                r++;
                col++;
                for (;;) {
                    if (r >= len)
                        return AS_FAIL(AS_EPARSE,
                                       "%s:%zu:%zu: unterminated quoted field (no closing quote "
                                       "before the end of the file)",
                                       t->path, ql, qc);
                    char c = b[r];
                    if (c == '"') {
                        if (r + 1 < len && b[r + 1] == '"') {
                            b[w++] = '"';
                            r += 2;
                            col += 2;
                            continue;
                        }
                        r++;
                        col++;
                        break;
                    }
                    if (c == '\0')
                        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: NUL byte in the file", t->path, line,
                                       col);
                    b[w++] = c;
                    r++;
                    if (c == '\n' || c == '\r') {
                        if (c == '\r' && r < len && b[r] == '\n')
                            b[w++] = b[r++];
                        line++;
                        col = 1;
                    } else {
                        col += ((unsigned char)c & 0xC0) != 0x80;
                    }
                }
                if (r < len && b[r] != t->delim && b[r] != '\n' && b[r] != '\r')
                    return AS_FAIL(AS_EPARSE,
                                   "%s:%zu:%zu: unexpected text after the closing quote of the "
                                   "field that starts at %zu:%zu",
                                   t->path, line, col, ql, qc);
            } else {
                while (r < len && b[r] != t->delim && b[r] != '\n' && b[r] != '\r') {
                    if (b[r] == '\0')
                        return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: NUL byte in the file", t->path, line,
                                       col);
                    col += ((unsigned char)b[r] & 0xC0) != 0x80;
                    b[w++] = b[r++];
                }
            }
            /* The terminating NUL may land on the separator itself (w == r): read it first. */
            sep = r < len ? b[r] : '\0';
            b[w++] = '\0';
            if (sep == t->delim) {
                r++;
                col++;
                continue;
            }
            break;
        }
        /* End of the record: at a line break or at the end of the file. */
        size_t end_line = line, end_col = col;
        if (r < len) {
            if (sep == '\r' && r + 1 < len && b[r + 1] == '\n')
                r++;
            r++;
            line++;
            col = 1;
        }
        size_t k = n - first;
        if (k == 1 && !first_quoted && is_blank_text(b + t->cells[first].off)) {
            if (!blank_line)
                blank_line = row_line;
            n = first;
            continue;
        }
        if (blank_line)
            return AS_FAIL(AS_EPARSE,
                           "%s:%zu:1: blank line before the record at line %zu (blank lines are "
                           "allowed only at the end of the file)",
                           t->path, blank_line, row_line);
        if (!have_header) {
            t->cols = k;
            have_header = 1;
            st = check_header(t);
            if (st != AS_OK)
                return st;
        } else if (k != t->cols) {
            size_t el = end_line, ec = end_col;
            if (k > t->cols) {
                el = t->cells[first + t->cols].line;
                ec = t->cells[first + t->cols].col;
            }
            return AS_FAIL(AS_EPARSE,
                           "%s:%zu:%zu: record has %zu fields, expected %zu as in the "
                           "header",
                           t->path, el, ec, k, t->cols);
        }
    }
    if (!have_header)
        return AS_FAIL(AS_EPARSE, "%s: empty file (no header row)", t->path);
    t->rows = n / t->cols - 1;
    if (t->rows == 0)
        return AS_FAIL(AS_EPARSE, "%s: header only, no data rows", t->path);
    return AS_OK;
}

/* The separator of the first record: the most frequent of ',', ';' and tab outside quotes
 * (a tie or none: ','). */
static char detect_delimiter(const char *b, size_t len)
{
    size_t n[3] = {0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        char c = b[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted) {
            n[0] += c == ',';
            n[1] += c == ';';
            n[2] += c == '\t';
        }
    }
    if (n[1] > n[0] && n[1] >= n[2])
        return ';';
    if (n[2] > n[0] && n[2] > n[1])
        return '\t';
    return ',';
}

/* Where byte `off` of b is: 1-based line (LF, CRLF, lone CR) and character column. */
static void where_byte(const char *b, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (b[i] == '\n' || b[i] == '\r') {
            if (b[i] == '\r' && i + 1 < off && b[i + 1] == '\n')
                i++;
            l++;
            c = 1;
        } else
            c += ((unsigned char)b[i] & 0xC0) != 0x80;
    }
    *line = l;
    *col = c;
}

as_csv_options as_csv_options_default(void) { return (as_csv_options){0, NULL}; }

/* 1 for UTF-8 (NULL, "utf-8", "utf8"), 2 for Latin-1, 0 for a name not known; any case. */
static int encoding_kind(const char *e)
{
    if (!e || !strcasecmp(e, "utf-8") || !strcasecmp(e, "utf8"))
        return 1;
    if (!strcasecmp(e, "latin-1") || !strcasecmp(e, "latin1") || !strcasecmp(e, "iso-8859-1") ||
        !strcasecmp(e, "iso8859-1"))
        return 2;
    return 0;
}

/* *buf (*len bytes, owned) as UTF-8 text under opt: validated, or transcoded from Latin-1. */
static as_status to_utf8(char **buf, size_t *len, const char *name, const as_csv_options *opt)
{
    int kind = encoding_kind(opt->encoding);
    if (!kind)
        return AS_FAIL(AS_EINVAL, "%s: unknown encoding '%s' (utf-8 or latin-1)", name,
                       opt->encoding);
    if (kind == 2) {
        size_t extra = 0;
        for (size_t i = 0; i < *len; i++)
            extra += (unsigned char)(*buf)[i] >= 0x80;
        if (!extra)
            return AS_OK;
        char *nb = as_malloc(*len + extra + 1);
        if (!nb)
            return AS_FAIL(AS_ENOMEM, "%s: cannot allocate %zu bytes", name, *len + extra + 1);
        size_t w = 0;
        for (size_t i = 0; i < *len; i++) {
            unsigned char c = (unsigned char)(*buf)[i];
            if (c < 0x80)
                nb[w++] = (char)c;
            else {
                nb[w++] = (char)(0xC0 | (c >> 6));
                nb[w++] = (char)(0x80 | (c & 0x3F));
            }
        }
        nb[w] = '\0';
        as_free(*buf);
        *buf = nb;
        *len = w;
        return AS_OK;
    }
    size_t bad = as_utf8_invalid(*buf, *len);
    if (bad < *len) {
        size_t line, col;
        where_byte(*buf, bad, &line, &col);
        return AS_FAIL(AS_EPARSE,
                       "%s:%zu:%zu: byte 0x%02X is not UTF-8 (the file must be UTF-8; a "
                       "Latin-1 file needs --encoding latin-1)",
                       name, line, col, (unsigned char)(*buf)[bad]);
    }
    return AS_OK;
}

static as_status table_from_buffer(char *buf, size_t len, const char *name,
                                   const as_csv_options *opt, as_table **out)
{
    as_status st;
    as_csv_options def = as_csv_options_default();
    if (!opt)
        opt = &def;
    if (opt->delimiter && opt->delimiter != ',' && opt->delimiter != ';' &&
        opt->delimiter != '\t') {
        as_free(buf);
        return AS_FAIL(AS_EINVAL, "%s: the delimiter must be ',', ';' or a tab", name);
    }
    as_table *t = as_calloc(1, sizeof *t);
    if (!t) {
        as_free(buf);
        return AS_FAIL(AS_ENOMEM, "%s: cannot allocate a table", name);
    }
    t->buf = buf;
    t->path = as_strdup(name);
    if (!t->path) {
        st = AS_FAIL(AS_ENOMEM, "%s: cannot allocate a table", name);
        goto fail;
    }
    AS_CHECK(to_utf8(&t->buf, &len, name, opt));
    size_t skip = len >= 3 && !memcmp(t->buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    t->delim = opt->delimiter ? opt->delimiter : detect_delimiter(t->buf + skip, len - skip);
    AS_CHECK(csv_parse(t, len));
    *out = t;
    return AS_OK;
fail:
    as_table_free(t);
    return st;
}

as_status as_table_parse_csv_opt(const char *text, size_t len, const char *name,
                                 const as_csv_options *opt, as_table **out)
{
    *out = NULL;
    if (!name)
        name = "<csv>";
    if (!text && len)
        return AS_FAIL(AS_EINVAL, "%s: NULL text", name);
    char *buf = as_malloc(len + 1);
    if (!buf)
        return AS_FAIL(AS_ENOMEM, "%s: cannot allocate %zu bytes", name, len + 1);
    if (len)
        memcpy(buf, text, len);
    buf[len] = '\0';
    return table_from_buffer(buf, len, name, opt, out);
}

as_status as_table_parse_csv(const char *text, size_t len, const char *name, as_table **out)
{
    return as_table_parse_csv_opt(text, len, name, NULL, out);
}

as_status as_table_read_csv_opt(const char *path, const as_csv_options *opt, as_table **out)
{
    *out = NULL;
    char *buf;
    size_t len;
    AS_TRY(as_read_file(path, NULL, &buf, &len));
    return table_from_buffer(buf, len, strcmp(path, "-") ? path : "<stdin>", opt, out);
}

as_status as_table_read_csv(const char *path, as_table **out)
{
    return as_table_read_csv_opt(path, NULL, out);
}

char as_table_delimiter(const as_table *t) { return t->delim; }

void as_table_free(as_table *t)
{
    if (!t)
        return;
    as_free(t->path);
    as_free(t->buf);
    as_free(t->cells);
    as_free(t);
}

size_t as_table_rows(const as_table *t) { return t->rows; }
size_t as_table_cols(const as_table *t) { return t->cols; }
const char *as_table_path(const as_table *t) { return t->path; }
const char *as_table_name(const as_table *t, size_t col) { return t->buf + t->cells[col].off; }

const char *as_table_cell(const as_table *t, size_t row, size_t col)
{
    return t->buf + t->cells[(row + 1) * t->cols + col].off;
}

void as_table_where(const as_table *t, size_t row, size_t col, size_t *line, size_t *column)
{
    const as_cell *c = &t->cells[(row + 1) * t->cols + col]; /* row (size_t)-1 wraps to 0 */
    if (line)
        *line = c->line;
    if (column)
        *column = c->col;
}

as_status as_table_number(const as_table *t, size_t row, size_t col, double *out)
{
    const char *s = as_table_cell(t, row, col);
    if (as_parse_number(s, out))
        return AS_OK;
    size_t line, column;
    as_table_where(t, row, col, &line, &column);
    return AS_FAIL(AS_EPARSE, "%s:%zu:%zu: column '%s' must be numeric, got '%s'", as_table_path(t),
                   line, column, as_table_name(t, col), s);
}

as_status as_table_find(const as_table *t, const char *name, size_t *col)
{
    for (size_t j = 0; j < t->cols; j++)
        if (!strcmp(as_table_name(t, j), name)) {
            *col = j;
            return AS_OK;
        }
    char list[1024];
    size_t used = 0;
    list[0] = '\0';
    for (size_t j = 0; j < t->cols && used < sizeof list; j++) {
        int k =
            snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", as_table_name(t, j));
        if (k < 0 || (size_t)k >= sizeof list - used) {
            snprintf(list + (sizeof list - 5), 5, "...");
            break;
        }
        used += (size_t)k;
    }
    const char *hint = as_table_delimiter_hint(t);
    return AS_FAIL(AS_EINVAL, "%s: no column named '%s' (columns: %s)%s", t->path, name, list,
                   hint);
}

const char *as_table_delimiter_hint(const as_table *t)
{
    if (t->cols > 2)
        return "";
    const char *h = as_table_name(t, 0);
    if (t->delim != ';' && strchr(h, ';'))
        return "; the header holds ';': is the file ';'-separated? (--delimiter ';')";
    if (t->delim != '\t' && strchr(h, '\t'))
        return "; the header holds tabs: is the file tab-separated? (--delimiter tab)";
    if (t->delim != ',' && strchr(h, ','))
        return "; the header holds ',': is the file comma-separated? (--delimiter ,)";
    return "";
}

/* ---- writer ---- */

/* A field is quoted when it holds a separator, a quote or a line break, and when it starts with
 * the UTF-8 byte-order mark (which the reader drops at the start of a file). */
static int needs_quotes(const char *s)
{
    return strpbrk(s, ",\"\r\n") != NULL || !strncmp(s, "\xEF\xBB\xBF", 3);
}

/* s as one field: quoted (inner quotes doubled) when it needs it or when `force`. */
static void write_field(FILE *f, const char *s, int force)
{
    if (!force && !needs_quotes(s)) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void as_csv_write_field(FILE *f, const char *s) { write_field(f, s ? s : "", 0); }

as_status as_csv_write_row(FILE *f, const char *const *fields, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        const char *s = fields[j] ? fields[j] : "";
        if (j)
            fputc(',', f);
        write_field(f, s, n == 1 && is_blank_text(s)); /* else read as a blank line */
    }
    fputc('\n', f);
    if (ferror(f))
        return AS_FAIL(AS_EIO, "cannot write a CSV record: %s", strerror(errno));
    return AS_OK;
}

as_status as_table_write_csv(const as_table *t, const char *path)
{
    as_status st;
    as_outfile *o = NULL;
    const char **row = NULL;
    AS_CHECK(AS_ALLOC(row, t->cols, "CSV writer row"));
    AS_CHECK(as_outfile_open(path, &o));
    for (size_t i = 0; i <= t->rows; i++) {
        for (size_t j = 0; j < t->cols; j++)
            row[j] = t->buf + t->cells[i * t->cols + j].off;
        st = as_csv_write_row(as_outfile_stream(o), row, t->cols);
        if (st != AS_OK) {
            as_error_prefix(st, "%s", path);
            goto fail;
        }
    }
    as_free(row);
    return as_outfile_commit(o);
fail:
    as_outfile_abort(o);
    as_free(row);
    return st;
}
