/* Neighbour shells of the ideal lattice: coordination 12/6/24 for every prototype and size, the
 * multiplicities in tiny cells (closed forms), symmetry of the lists, independence from c/a, and
 * agreement with a brute-force distance search over periodic images. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "lattice/lattice_test.h"

static as_lattice *make(as_proto p, size_t n1, size_t n2, size_t n3, double c_ang)
{
    as_lattice_options o = as_lattice_options_default();
    o.a_ang = 3.8;
    o.c_ang = c_ang;
    o.n_shells = 5;
    size_t size[3] = {n1, n2, n3};
    as_lattice *lat = NULL;
    assert_int_equal(as_lattice_create(p, size, &o, &lat), AS_OK);
    return lat;
}

static void shells_should_hold_12_6_24_12_24_neighbours_for_every_prototype_and_size(void **st)
{
    (void)st;
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {3, 3, 3}, {1, 2, 3}, {4, 1, 2}};
    static const size_t z[5] = {12, 6, 24, 12, 24};
    static const size_t nb[4] = {4, 2, 4, 4};
    for (int p = 0; p < 4; p++)
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            as_lattice *lat = make((as_proto)p, sizes[k][0], sizes[k][1], sizes[k][2], 0);
            assert_int_equal(as_lattice_n_sites(lat),
                             nb[p] * sizes[k][0] * sizes[k][1] * sizes[k][2]);
            for (size_t s = 0; s < 5; s++)
                assert_int_equal(as_lattice_shell_size(lat, s), z[s]);
            as_lattice_free(lat);
        }
}

static void shell_radii_should_be_those_of_fcc_in_units_of_a(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_FCC, 2, 2, 2, 0);
    for (size_t s = 0; s < 5; s++) /* r_s = a sqrt(s/2) for the first five shells */
        assert_near(as_lattice_shell_radius(lat, s), sqrt((s + 1) / 2.0), 1e-15);
    as_lattice_free(lat);
}

static size_t count_in(const uint32_t *row, size_t z, uint32_t j)
{
    size_t c = 0;
    for (size_t k = 0; k < z; k++)
        c += row[k] == j;
    return c;
}

static void a_1x1x1_fcc_cell_should_count_every_image(void **st)
{
    (void)st;
    /* 4 sites; a site's 12 first neighbours are the 3 other sites, 4 images each; its 6 second
     * neighbours (a, 0, 0) ... are all images of itself */
    as_lattice *lat = make(AS_PROTO_FCC, 1, 1, 1, 0);
    const uint32_t *n1 = as_lattice_neighbours(lat, 0), *n2 = as_lattice_neighbours(lat, 1);
    for (uint32_t i = 0; i < 4; i++) {
        for (uint32_t j = 0; j < 4; j++)
            assert_int_equal(count_in(n1 + 12 * i, 12, j), i == j ? 0 : 4);
        assert_int_equal(count_in(n2 + 6 * i, 6, i), 6);
    }
    as_lattice_free(lat);
}

static void a_1x1x1_l10_cell_should_give_pt_four_pt_images_and_eight_co(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_L10, 1, 1, 1, 3.7);
    const uint32_t *n1 = as_lattice_neighbours(lat, 0);
    assert_int_equal(count_in(n1, 12, 0), 4);
    assert_int_equal(count_in(n1, 12, 1), 8);
    assert_int_equal(count_in(n1 + 12, 12, 1), 4);
    as_lattice_free(lat);
}

static void neighbour_lists_should_be_symmetric_with_multiplicity(void **st)
{
    (void)st;
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {1, 2, 3}};
    for (int p = 0; p < 4; p++)
        for (size_t k = 0; k < 3; k++) {
            as_lattice *lat = make((as_proto)p, sizes[k][0], sizes[k][1], sizes[k][2], 0);
            size_t n = as_lattice_n_sites(lat);
            for (size_t s = 0; s < 5; s++) {
                size_t z = as_lattice_shell_size(lat, s);
                const uint32_t *t = as_lattice_neighbours(lat, s);
                for (size_t i = 0; i < n; i++)
                    for (size_t j = 0; j < n; j++)
                        assert_int_equal(count_in(t + i * z, z, (uint32_t)j),
                                         count_in(t + j * z, z, (uint32_t)i));
                /* column k + z/2 holds the reverse vector: i is in the row of its neighbour */
                for (size_t i = 0; i < n; i++)
                    for (size_t c = 0; c < z / 2; c++) {
                        uint32_t j = t[i * z + c];
                        assert_int_equal(t[j * z + c + z / 2], i);
                    }
            }
            as_lattice_free(lat);
        }
}

/* Independent check: count neighbours by distance over periodic images of the ideal cubic-metric
 * positions (c = a), the way ASE or a textbook would. */
static void lists_should_match_a_brute_force_distance_search_over_images(void **st)
{
    (void)st;
    static const size_t sizes[][3] = {{1, 1, 1}, {2, 2, 2}, {2, 1, 3}, {3, 3, 3}};
    for (int p = 0; p < 4; p++)
        for (size_t k = 0; k < 4; k++) {
            as_lattice *lat = make((as_proto)p, sizes[k][0], sizes[k][1], sizes[k][2], 0);
            size_t n = as_lattice_n_sites(lat);
            const double *x = as_lattice_positions(lat), *cell = as_lattice_cell(lat);
            for (size_t s = 0; s < 3; s++) {
                double r = 3.8 * as_lattice_shell_radius(lat, s);
                size_t z = as_lattice_shell_size(lat, s);
                const uint32_t *t = as_lattice_neighbours(lat, s);
                for (size_t i = 0; i < n; i += 1 + n / 20)
                    for (size_t j = 0; j < n; j++) {
                        size_t found = 0;
                        for (int a = -3; a <= 3; a++)
                            for (int b = -3; b <= 3; b++)
                                for (int c = -3; c <= 3; c++) {
                                    double d2 = 0;
                                    for (int q = 0; q < 3; q++) {
                                        double v = x[3 * j + q] - x[3 * i + q] + a * cell[q] +
                                                   b * cell[3 + q] + c * cell[6 + q];
                                        d2 += v * v;
                                    }
                                    /* shells are >= 0.6 Å apart in radius at a = 3.8 */
                                    found += fabs(sqrt(d2) - r) < 1e-6;
                                }
                        assert_int_equal(found, count_in(t + i * z, z, (uint32_t)j));
                    }
            }
            as_lattice_free(lat);
        }
}

static void tetragonal_c_over_a_should_not_change_the_shells(void **st)
{
    (void)st;
    for (int p = 1; p < 4; p += 2) { /* L1_0 and Pt2CoM carry c */
        as_lattice *cubic = make((as_proto)p, 2, 2, 2, 0), *tet = make((as_proto)p, 2, 2, 2, 3.3);
        size_t n = as_lattice_n_sites(cubic);
        for (size_t s = 0; s < 5; s++)
            assert_memory_equal(as_lattice_neighbours(cubic, s), as_lattice_neighbours(tet, s),
                                n * as_lattice_shell_size(cubic, s) * sizeof(uint32_t));
        assert_near(as_lattice_cell(tet)[8], 2 * 3.3, 1e-12);
        as_lattice_free(cubic);
        as_lattice_free(tet);
    }
}

static void pt2com_3x3x3_should_hold_108_sites_54_pt_27_co_27_m(void **st)
{
    (void)st;
    as_lattice *lat = make(AS_PROTO_PT2COM, 3, 3, 3, 0);
    size_t n = as_lattice_n_sites(lat), cnt[3] = {0};
    int cfg[108];
    assert_int_equal(n, 108);
    as_lattice_prototype_config(lat, cfg);
    for (size_t i = 0; i < n; i++)
        cnt[cfg[i]]++;
    assert_int_equal(cnt[0], 54);
    assert_int_equal(cnt[1], 27);
    assert_int_equal(cnt[2], 27);
    /* cell 6 a/sqrt2 x 3 a/sqrt2 x 3 c */
    const double *cell = as_lattice_cell(lat);
    assert_near(cell[0], 6 * 3.8 / sqrt(2.0), 1e-12);
    assert_near(cell[4], 3 * 3.8 / sqrt(2.0), 1e-12);
    assert_near(cell[8], 3 * 3.8, 1e-12);
    as_lattice_free(lat);
}

static void bad_sizes_and_options_should_be_rejected(void **st)
{
    (void)st;
    as_lattice *lat = (as_lattice *)1;
    size_t zero[3] = {3, 0, 3}, ok[3] = {1, 1, 1};
    assert_int_equal(as_lattice_create(AS_PROTO_FCC, zero, NULL, &lat), AS_EINVAL);
    assert_null(lat);
    as_lattice_options o = as_lattice_options_default();
    o.a_ang = -1;
    assert_int_equal(as_lattice_create(AS_PROTO_FCC, ok, &o, &lat), AS_EINVAL);
    o = as_lattice_options_default();
    o.n_shells = 0;
    assert_int_equal(as_lattice_create(AS_PROTO_FCC, ok, &o, &lat), AS_EINVAL);
    as_proto p;
    assert_int_equal(as_proto_parse("bcc", &p), AS_EINVAL);
    assert_int_equal(as_proto_parse("PT2COM", &p), AS_OK);
    assert_int_equal(p, AS_PROTO_PT2COM);
}

static void failing_allocations_should_give_enomem_without_leaks(void **st)
{
    (void)st;
    size_t size[3] = {2, 2, 2};
    for (size_t k = 1; k < 50; k++) {
        as_lattice *lat = NULL;
        as_alloc_fail_after(k);
        as_status s = as_lattice_create(AS_PROTO_PT2COM, size, NULL, &lat);
        as_alloc_fail_after(0);
        if (s == AS_OK) {
            as_lattice_free(lat);
            break;
        }
        assert_int_equal(s, AS_ENOMEM);
        assert_null(lat);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shells_should_hold_12_6_24_12_24_neighbours_for_every_prototype_and_size),
        cmocka_unit_test(shell_radii_should_be_those_of_fcc_in_units_of_a),
        cmocka_unit_test(a_1x1x1_fcc_cell_should_count_every_image),
        cmocka_unit_test(a_1x1x1_l10_cell_should_give_pt_four_pt_images_and_eight_co),
        cmocka_unit_test(neighbour_lists_should_be_symmetric_with_multiplicity),
        cmocka_unit_test(lists_should_match_a_brute_force_distance_search_over_images),
        cmocka_unit_test(tetragonal_c_over_a_should_not_change_the_shells),
        cmocka_unit_test(pt2com_3x3x3_should_hold_108_sites_54_pt_27_co_27_m),
        cmocka_unit_test(bad_sizes_and_options_should_be_rejected),
        cmocka_unit_test(failing_allocations_should_give_enomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
