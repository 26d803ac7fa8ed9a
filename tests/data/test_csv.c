/* CSV reader and writer: the RFC 4180 dialect, positions of cells, every malformed-input message
 * with its exact file:line:column, the writer's quoting, round trips, and allocation failures.
 * Expected values are read off the hand-written fixtures tests/fixtures/data_*.csv. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/alloyscout.h"

#define FIX(name) AS_SOURCE_DIR "/tests/fixtures/" name

static void assert_msg_contains(const char *want)
{
    const char *m = as_errmsg();
    if (!strstr(m, want)) {
        print_error("message '%s'\ndoes not contain '%s'\n", m, want);
        fail();
    }
}

static void expect_parse_error(const char *path, const char *msg_tail)
{
    as_table *t = (as_table *)0x1;
    char want[1024];
    assert_int_equal(as_table_read_csv(path, &t), AS_EPARSE);
    assert_null(t);
    snprintf(want, sizeof want, "%s%s", path, msg_tail);
    assert_msg_contains(want);
}

static void expect_where(const as_table *t, size_t row, size_t col, size_t line, size_t column)
{
    size_t l = 0, c = 0;
    as_table_where(t, row, col, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, column);
}

static void reader_should_handle_bom_crlf_quotes_and_embedded_newlines(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(FIX("data_dialect.csv"), &t), AS_OK);
    assert_int_equal(as_table_rows(t), 3);
    assert_int_equal(as_table_cols(t), 3);
    assert_string_equal(as_table_name(t, 0), "name"); /* BOM stripped */
    assert_string_equal(as_table_name(t, 1), "note, with comma");
    assert_string_equal(as_table_name(t, 2), "value");
    assert_string_equal(as_table_cell(t, 0, 0), "alpha");
    assert_string_equal(as_table_cell(t, 0, 1), "say \"hi\"");
    assert_string_equal(as_table_cell(t, 0, 2), "1.5");
    assert_string_equal(as_table_cell(t, 1, 0), "b\xc3\xa9ta");
    assert_string_equal(as_table_cell(t, 1, 1), "line one\r\nline two");
    assert_string_equal(as_table_cell(t, 1, 2), "2");
    assert_string_equal(as_table_cell(t, 2, 1), "");
    assert_string_equal(as_table_cell(t, 2, 2), "-3e2");
    as_table_free(t);
}

static void reader_should_give_each_cell_its_line_and_character_column(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(FIX("data_dialect.csv"), &t), AS_OK);
    expect_where(t, (size_t)-1, 0, 1, 1); /* the BOM takes no column */
    expect_where(t, (size_t)-1, 1, 1, 6);
    expect_where(t, 0, 1, 2, 7);
    expect_where(t, 0, 2, 2, 20);
    expect_where(t, 1, 1, 3, 8);  /* "béta" is 6 characters (7 bytes) */
    expect_where(t, 1, 2, 4, 11); /* after the embedded line break */
    expect_where(t, 2, 1, 5, 7);
    expect_where(t, 2, 2, 5, 8);
    assert_string_equal(as_table_path(t), FIX("data_dialect.csv"));
    as_table_free(t);
}

static void reader_should_accept_a_last_line_without_line_break(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(FIX("data_plain.csv"), &t), AS_OK);
    assert_int_equal(as_table_rows(t), 2);
    assert_string_equal(as_table_cell(t, 1, 1), "4");
    as_table_free(t);
}

static void reader_should_treat_lone_cr_as_a_line_break(void **state)
{
    (void)state;
    as_table *t;
    const char *s = "a,b\r1,\"x\ry\"\r3,4\r";
    assert_int_equal(as_table_parse_csv(s, strlen(s), "mem.csv", &t), AS_OK);
    assert_int_equal(as_table_rows(t), 2);
    assert_string_equal(as_table_cell(t, 0, 1), "x\ry");
    expect_where(t, 1, 1, 4, 3);
    as_table_free(t);
}

static void reader_should_keep_a_quoted_empty_single_field_as_a_row(void **state)
{
    (void)state;
    as_table *t;
    const char *s = "a\n\"\"\n7\n\n";
    assert_int_equal(as_table_parse_csv(s, strlen(s), "mem.csv", &t), AS_OK);
    assert_int_equal(as_table_rows(t), 2);
    assert_string_equal(as_table_cell(t, 0, 0), "");
    assert_string_equal(as_table_cell(t, 1, 0), "7");
    as_table_free(t);
}

static void unterminated_quote_should_name_where_the_quote_opens(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_unterminated.csv"), ":3:3: unterminated quoted field");
}

static void text_after_a_closing_quote_should_name_its_position(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_after_quote.csv"),
                       ":2:8: unexpected text after the closing quote of the field that starts "
                       "at 2:3");
}

static void short_record_should_name_line_end_and_both_counts(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_ragged_less.csv"),
                       ":3:4: record has 2 fields, expected 3 as in the header");
}

static void long_record_should_name_the_first_extra_field(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_ragged_more.csv"),
                       ":3:7: record has 3 fields, expected 2 as in the header");
}

static void empty_file_should_be_named(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_empty.csv"), ": empty file (no header row)");
}

static void header_only_file_should_be_named(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_header_only.csv"), ": header only, no data rows");
}

static void duplicate_header_name_should_name_both_fields(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_dup_header.csv"),
                       ":1:5: duplicate column name 'x' (also field 1 of the header)");
}

static void empty_header_name_should_be_rejected(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_empty_name.csv"),
                       ":1:1: empty column name (field 1 of the header)");
}

static void blank_line_between_records_should_be_rejected(void **state)
{
    (void)state;
    expect_parse_error(FIX("data_bad_blank_middle.csv"),
                       ":3:1: blank line before the record at line 4");
}

static void nul_byte_should_be_rejected_with_its_position(void **state)
{
    (void)state;
    as_table *t;
    const char s[] = "a,b\n1,x\0y\n";
    assert_int_equal(as_table_parse_csv(s, sizeof s - 1, "mem.csv", &t), AS_EPARSE);
    assert_msg_contains("mem.csv:2:4: NUL byte");
}

static void file_with_only_blank_lines_should_be_empty(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_parse_csv("\n\r\n\n", 4, "blank.csv", &t), AS_EPARSE);
    assert_msg_contains("blank.csv: empty file");
}

static void missing_file_should_give_eio_naming_it(void **state)
{
    (void)state;
    as_table *t;
    assert_int_equal(as_table_read_csv(FIX("data_no_such_file.csv"), &t), AS_EIO);
    assert_null(t);
    assert_msg_contains("cannot open " FIX("data_no_such_file.csv"));
}

static void find_should_list_the_available_columns(void **state)
{
    (void)state;
    as_table *t;
    size_t j = 99;
    assert_int_equal(as_table_read_csv(FIX("data_plain.csv"), &t), AS_OK);
    assert_int_equal(as_table_find(t, "b", &j), AS_OK);
    assert_int_equal(j, 1);
    assert_int_equal(as_table_find(t, "c", &j), AS_EINVAL);
    assert_msg_contains("no column named 'c' (columns: a, b)");
    as_table_free(t);
}

static void number_parser_should_accept_decimal_forms_only(void **state)
{
    (void)state;
    double v;
    assert_true(as_parse_number(" 2.385 ", &v));
    assert_true(v == 2.385);
    assert_true(as_parse_number("-3e2", &v) && v == -300.0);
    assert_true(as_parse_number("+.5", &v) && v == 0.5);
    assert_true(as_parse_number("5.", &v) && v == 5.0);
    assert_true(as_parse_number("1E-3", &v) && v == 1e-3);
    assert_true(as_parse_number("\t7\t", &v) && v == 7.0);
    const char *bad[] = {"nan", "NaN",   "inf", "-Infinity", "0x10", "1e", "",   "  ",
                         "1,5", "1e999", "abc", "1.2.3",     ".",    "-",  "e5", "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (as_parse_number(bad[i], &v)) {
            print_error("'%s' was accepted as a number\n", bad[i]);
            fail();
        }
}

static void writer_should_quote_only_when_needed(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    const char *row[] = {"a", "b,c", "say \"x\"", "", "l1\nl2", NULL, "cr\r"};
    assert_int_equal(as_csv_write_row(f, row, 7), AS_OK);
    const char *one[] = {""};
    assert_int_equal(as_csv_write_row(f, one, 1), AS_OK);
    /* found by fuzz/fuzz_csv.c: a lone field of tabs would read back as a blank line, a
     * leading byte-order mark would be dropped at the start of a file */
    const char *tab[] = {" \t"}, *bom[] = {"\xEF\xBB\xBFid", "x"};
    assert_int_equal(as_csv_write_row(f, tab, 1), AS_OK);
    assert_int_equal(as_csv_write_row(f, bom, 2), AS_OK);
    /* field by field: the same rule, but a lone empty field is not a record of its own */
    as_csv_write_field(f, "p,q");
    as_csv_write_field(f, "");
    as_csv_write_field(f, NULL);
    as_csv_write_field(f, "\xEF\xBB\xBFid");
    as_csv_write_field(f, "plain");
    fclose(f);
    assert_string_equal(buf, "a,\"b,c\",\"say \"\"x\"\"\",,\"l1\nl2\",,\"cr\r\"\n\"\"\n"
                             "\" \t\"\n\"\xEF\xBB\xBFid\",x\n"
                             "\"p,q\"\"\xEF\xBB\xBFid\"plain");
    free(buf);
}

static void written_rows_should_read_back_unchanged(void **state)
{
    (void)state;
    const char *path = AS_BUILD_DIR "/data_test_csv_roundtrip.csv";
    const char *rows[3][4] = {{"name", "quote\"d", "multi", "x"},
                              {"a,b", "\"\"", "one\r\ntwo\nthree", ""},
                              {"\xc3\xa9", " padded ", "", "1e-3"}};
    as_outfile *o;
    assert_int_equal(as_outfile_open(path, &o), AS_OK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(as_csv_write_row(as_outfile_stream(o), rows[i], 4), AS_OK);
    assert_int_equal(as_outfile_commit(o), AS_OK);
    as_table *t;
    assert_int_equal(as_table_read_csv(path, &t), AS_OK);
    assert_int_equal(as_table_rows(t), 2);
    for (size_t j = 0; j < 4; j++) {
        assert_string_equal(as_table_name(t, j), rows[0][j]);
        for (size_t i = 1; i < 3; i++)
            assert_string_equal(as_table_cell(t, i - 1, j), rows[i][j]);
    }
    as_table_free(t);
    remove(path);
}

static void table_writer_should_reproduce_every_cell(void **state)
{
    (void)state;
    const char *path = AS_BUILD_DIR "/data_test_csv_table.csv";
    as_table *a, *b;
    assert_int_equal(as_table_read_csv(FIX("data_dialect.csv"), &a), AS_OK);
    assert_int_equal(as_table_write_csv(a, path), AS_OK);
    assert_int_equal(as_table_read_csv(path, &b), AS_OK);
    assert_int_equal(as_table_rows(a), as_table_rows(b));
    assert_int_equal(as_table_cols(a), as_table_cols(b));
    for (size_t j = 0; j < as_table_cols(a); j++) {
        assert_string_equal(as_table_name(a, j), as_table_name(b, j));
        for (size_t i = 0; i < as_table_rows(a); i++)
            assert_string_equal(as_table_cell(a, i, j), as_table_cell(b, i, j));
    }
    as_table_free(a);
    as_table_free(b);
    remove(path);
}

static void table_writer_should_leave_no_file_when_the_directory_is_missing(void **state)
{
    (void)state;
    as_table *a;
    assert_int_equal(as_table_read_csv(FIX("data_plain.csv"), &a), AS_OK);
    assert_int_equal(as_table_write_csv(a, AS_BUILD_DIR "/no/such/dir/x.csv"), AS_EIO);
    as_table_free(a);
}

static void reader_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t k;
    for (k = 1; k < 1000; k++) {
        as_table *t = (as_table *)0x1;
        as_alloc_fail_after(k);
        as_status st = as_table_read_csv(FIX("data_dialect.csv"), &t);
        as_alloc_fail_after(0);
        if (st == AS_OK) {
            as_table_free(t);
            break;
        }
        assert_int_equal(st, AS_ENOMEM);
        assert_null(t);
    }
    assert_true(k > 1 && k < 1000);
}

static void table_writer_should_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    const char *path = AS_BUILD_DIR "/data_test_csv_alloc.csv";
    as_table *t;
    size_t k;
    assert_int_equal(as_table_read_csv(FIX("data_plain.csv"), &t), AS_OK);
    for (k = 1; k < 100; k++) {
        as_alloc_fail_after(k);
        as_status st = as_table_write_csv(t, path);
        as_alloc_fail_after(0);
        if (st == AS_OK)
            break;
        assert_int_equal(st, AS_ENOMEM);
        FILE *f = fopen(path, "rb");
        assert_null(f);
    }
    assert_true(k > 1 && k < 100);
    remove(path);
    as_table_free(t);
}

/* Mutation smoke test (a fixed-seed stand-in for a fuzzer; run under ASan in CI): random byte
 * edits of a valid file either parse or fail with AS_EPARSE and a message naming the input. */
static void mutated_inputs_should_parse_or_fail_with_a_named_parse_error(void **state)
{
    (void)state;
    static const char base[] = "\xef\xbb\xbf"
                               "a,\"b c\",d\r\n1,\"x,\"\"y\"\"\nz\",3\r\n"
                               "\xc3\xa9,,\"\"\n4,5,6\n\n";
    static const char alphabet[] = {',', '"', '\r', '\n', 'a', ' ', '\0', '\xc3'};
    char buf[sizeof base + 8];
    as_rng rng;
    as_rng_seed(&rng, 2385);
    for (int it = 0; it < 3000; it++) {
        size_t len = sizeof base - 1;
        memcpy(buf, base, len);
        size_t edits = 1 + as_rng_below(&rng, 4);
        for (size_t e = 0; e < edits; e++) {
            size_t pos = as_rng_below(&rng, len);
            switch (as_rng_below(&rng, 3)) {
            case 0: /* replace */ buf[pos] = alphabet[as_rng_below(&rng, sizeof alphabet)]; break;
            case 1: /* delete */
                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                len--;
                break;
            default: /* insert */
                if (len < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = alphabet[as_rng_below(&rng, sizeof alphabet)];
                    len++;
                }
            }
        }
        as_table *t;
        as_status st = as_table_parse_csv(buf, len, "fuzz.csv", &t);
        if (st == AS_OK) {
            for (size_t i = 0; i < as_table_rows(t); i++)
                for (size_t j = 0; j < as_table_cols(t); j++) {
                    size_t l, c;
                    as_table_where(t, i, j, &l, &c);
                    assert_true(l >= 2 && c >= 1);
                    assert_non_null(as_table_cell(t, i, j));
                }
            as_table_free(t);
        } else {
            assert_int_equal(st, AS_EPARSE);
            assert_null(t);
            assert_true(strncmp(as_errmsg(), "fuzz.csv:", 9) == 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reader_should_handle_bom_crlf_quotes_and_embedded_newlines),
        cmocka_unit_test(reader_should_give_each_cell_its_line_and_character_column),
        cmocka_unit_test(reader_should_accept_a_last_line_without_line_break),
        cmocka_unit_test(reader_should_treat_lone_cr_as_a_line_break),
        cmocka_unit_test(reader_should_keep_a_quoted_empty_single_field_as_a_row),
        cmocka_unit_test(unterminated_quote_should_name_where_the_quote_opens),
        cmocka_unit_test(text_after_a_closing_quote_should_name_its_position),
        cmocka_unit_test(short_record_should_name_line_end_and_both_counts),
        cmocka_unit_test(long_record_should_name_the_first_extra_field),
        cmocka_unit_test(empty_file_should_be_named),
        cmocka_unit_test(header_only_file_should_be_named),
        cmocka_unit_test(duplicate_header_name_should_name_both_fields),
        cmocka_unit_test(empty_header_name_should_be_rejected),
        cmocka_unit_test(blank_line_between_records_should_be_rejected),
        cmocka_unit_test(nul_byte_should_be_rejected_with_its_position),
        cmocka_unit_test(file_with_only_blank_lines_should_be_empty),
        cmocka_unit_test(missing_file_should_give_eio_naming_it),
        cmocka_unit_test(find_should_list_the_available_columns),
        cmocka_unit_test(number_parser_should_accept_decimal_forms_only),
        cmocka_unit_test(writer_should_quote_only_when_needed),
        cmocka_unit_test(written_rows_should_read_back_unchanged),
        cmocka_unit_test(table_writer_should_reproduce_every_cell),
        cmocka_unit_test(table_writer_should_leave_no_file_when_the_directory_is_missing),
        cmocka_unit_test(mutated_inputs_should_parse_or_fail_with_a_named_parse_error),
        cmocka_unit_test(reader_should_fail_cleanly_at_every_allocation),
        cmocka_unit_test(table_writer_should_fail_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
