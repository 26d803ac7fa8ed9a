/* CSV reading options (issue 16): delimiter detection and --delimiter, UTF-8 validation with the
 * position of the first bad byte (RFC 3629 cases written out by hand), Latin-1 transcoding
 * (each byte b >= 0x80 is U+00bb: two bytes 0xC0|b>>6, 0x80|b&0x3F), and the delimiter hint of a
 * failed column lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "alloyscout/alloyscout.h"
#include "core_int.h"

static as_table *parse(const char *text, char delim, const char *enc)
{
    as_csv_options o = as_csv_options_default();
    o.delimiter = delim;
    o.encoding = enc;
    as_table *t = NULL;
    as_status st = as_table_parse_csv_opt(text, strlen(text), "t.csv", &o, &t);
    if (st != AS_OK)
        print_error("%s\n", as_errmsg());
    assert_int_equal(st, AS_OK);
    return t;
}

static void delimiter_should_be_detected_from_the_header(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        char delim;
        size_t cols;
    } cases[] = {
        {"a,b,c\n1,2,3\n", ',', 3},
        {"a;b;c\n1;2,5;3\n", ';', 3}, /* decimal commas in the data do not count */
        {"a\tb\n1\t2\n", '\t', 2},
        {"\"x;y\",b\n1,2\n", ',', 2},        /* inside quotes: not a separator */
        {"a;b,c\n1;2,3\n", ',', 2},          /* a tie: comma */
        {"only\n1\n", ',', 1},               /* none: comma */
        {"\xEF\xBB\xBFid;x\nA;1\n", ';', 2}, /* after a BOM */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_table *t = parse(cases[i].text, 0, NULL);
        assert_int_equal(as_table_delimiter(t), cases[i].delim);
        assert_int_equal(as_table_cols(t), cases[i].cols);
        as_table_free(t);
    }
    as_table *t = parse("a;b;c\n1;2,5;3\n", 0, NULL);
    assert_string_equal(as_table_cell(t, 0, 1), "2,5");
    as_table_free(t);
    t = parse("a,b;c\n1,2;3\n", ';', NULL); /* given: wins over the count */
    assert_int_equal(as_table_cols(t), 2);
    assert_string_equal(as_table_name(t, 0), "a,b");
    as_table_free(t);
}

static void failed_lookup_should_suggest_the_delimiter(void **state)
{
    (void)state;
    as_table *t = parse("id;formula;route\nA;CuNi;x\n", ',', NULL);
    size_t c;
    assert_int_equal(as_table_find(t, "id", &c), AS_EINVAL);
    assert_non_null(strstr(as_errmsg(), "no column named 'id'"));
    assert_non_null(strstr(as_errmsg(), "--delimiter ';'"));
    as_table_free(t);
    t = parse("id,formula\nA,CuNi\n", 0, NULL);
    assert_int_equal(as_table_find(t, "route", &c), AS_EINVAL);
    assert_null(strstr(as_errmsg(), "--delimiter"));
    as_table_free(t);
}

static void invalid_utf8_should_name_line_and_column(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *where;
    } cases[] = {
        {"a,b\n1,x\xB0y\n", "t.csv:2:4: byte 0xB0"},                  /* lone continuation byte */
        {"a,b\n\xC3\xA9\xC3\xA9,\xC0\xAF\n", "t.csv:2:4: byte 0xC0"}, /* overlong '/' */
        {"a,b\n1,\xED\xA0\x80\n", "t.csv:2:3: byte 0xED"},            /* surrogate U+D800 */
        {"a,b\n1,\xF4\x90\x80\x80\n", "t.csv:2:3: byte 0xF4"},        /* above U+10FFFF */
        {"a,b\r\n1,2\r\n3,\xE2\x82\n", "t.csv:3:3: byte 0xE2"},       /* truncated, CRLF lines */
        {"a,\"b\nc\xFF\"\n1,2\n", "t.csv:2:2: byte 0xFF"},            /* inside a quoted field */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        as_table *t = (as_table *)0x1;
        assert_int_equal(as_table_parse_csv(cases[i].text, strlen(cases[i].text), "t.csv", &t),
                         AS_EPARSE);
        assert_null(t);
        if (!strstr(as_errmsg(), cases[i].where)) {
            print_error("case %zu: '%s' lacks '%s'\n", i, as_errmsg(), cases[i].where);
            fail();
        }
    }
    /* valid: 2-, 3- and 4-byte forms at their limits */
    const char ok[] =
        "a\n\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\n";
    assert_int_equal(as_utf8_invalid(ok, sizeof ok - 1), sizeof ok - 1);
}

static void latin1_should_be_transcoded_and_positions_count_characters(void **state)
{
    (void)state;
    as_table *t = parse("T_\xB0"
                        "C;note\n25;caf\xE9 \xB5L\n",
                        0, "latin-1");
    assert_string_equal(as_table_name(t, 0), "T_\xC2\xB0"
                                             "C");
    assert_string_equal(as_table_cell(t, 0, 1), "caf\xC3\xA9 \xC2\xB5L");
    size_t line, col;
    as_table_where(t, (size_t)-1, 1, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 6); /* T _ ° C ; -> column 6 */
    as_table_free(t);
    as_csv_options o = as_csv_options_default();
    o.encoding = "cp1252";
    assert_int_equal(as_table_parse_csv_opt("a\n1\n", 4, "t.csv", &o, &t), AS_EINVAL);
    o.encoding = NULL;
    o.delimiter = '|';
    assert_int_equal(as_table_parse_csv_opt("a\n1\n", 4, "t.csv", &o, &t), AS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delimiter_should_be_detected_from_the_header),
        cmocka_unit_test(failed_lookup_should_suggest_the_delimiter),
        cmocka_unit_test(invalid_utf8_should_name_line_and_column),
        cmocka_unit_test(latin1_should_be_transcoded_and_positions_count_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
