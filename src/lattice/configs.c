/* Choices about configurations that every caller (the CLI, the campaign) makes the same way:
 * the base arrangement of a prototype, the host-(rest) pair, the paper's 22 starting structures
 * (seed 004 Methods), and what a structure file leaves unsaid (species order, supercell). */
#include <math.h>
#include <string.h>

#include "lattice_int.h"

as_sro_pair as_sro_pair_host(size_t n_species)
{
    uint32_t all = n_species >= 32 ? 0xffffffffu : (1u << n_species) - 1;
    return (as_sro_pair){1u, all & ~1u};
}

as_status as_lattice_base_config(const as_lattice *lat, size_t n_species, as_rng *rng, int *config)
{
    if (!lat || !config || n_species == 0 || n_species > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "lattice: base configuration of %zu species", n_species);
    if (as_lattice_proto(lat) != AS_PROTO_FCC || n_species == 1) {
        as_lattice_prototype_config(lat, config);
        return AS_OK;
    }
    /* fcc with several elements: a random equal split, the remainder to the first ones */
    size_t n = as_lattice_n_sites(lat), cnt[AS_LATTICE_MAX_SPECIES];
    for (size_t p = 0; p < n_species; p++)
        cnt[p] = n / n_species + (p < n % n_species);
    return as_lattice_random_config(lat, cnt, n_species, rng, config);
}

/* alpha of the host-(rest) pair at the seven levels, and configurations per level */
static const double paper_alpha[AS_LATTICE_PAPER_LEVELS] = {-2.0 / 6, -1.0 / 6, 0.0,    1.0 / 6,
                                                            2.0 / 6,  3.0 / 6,  4.0 / 6};
static const size_t paper_count[AS_LATTICE_PAPER_LEVELS] = {1, 4, 4, 4, 4, 4, 1};

double as_lattice_paper_alpha(size_t level)
{
    return level < AS_LATTICE_PAPER_LEVELS ? paper_alpha[level] : NAN;
}

size_t as_lattice_paper_count(size_t level)
{
    return level < AS_LATTICE_PAPER_LEVELS ? paper_count[level] : 0;
}

as_status as_structure_species_order(const as_structure *s, char (*symbols)[AS_SYMBOL_MAX],
                                     size_t *n_species)
{
    if (!s || !symbols || !n_species)
        return AS_FAIL(AS_EINVAL, "structure: species order with a NULL argument");
    /* by count, most first; ties by first appearance */
    size_t cnt[64] = {0}, first[64], order[64], m = s->n_symbols < 64 ? s->n_symbols : 64;
    for (size_t p = 0; p < m; p++)
        first[p] = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++) {
        int p = s->species[i];
        if (p >= 0 && p < 64) {
            cnt[p]++;
            if (first[p] == SIZE_MAX)
                first[p] = i;
        }
    }
    size_t k = 0;
    for (size_t p = 0; p < m; p++)
        if (cnt[p])
            order[k++] = p;
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0; b--) {
            size_t x = order[b - 1], y = order[b];
            if (cnt[y] > cnt[x] || (cnt[y] == cnt[x] && first[y] < first[x])) {
                order[b - 1] = y;
                order[b] = x;
            }
        }
    if (k > AS_LATTICE_MAX_SPECIES)
        return AS_FAIL(AS_EINVAL, "%zu species; at most %d", k, AS_LATTICE_MAX_SPECIES);
    for (size_t p = 0; p < k; p++)
        memcpy(symbols[p], s->symbols[order[p]], AS_SYMBOL_MAX);
    *n_species = k;
    return AS_OK;
}

as_status as_proto_cube_size(as_proto proto, size_t n_atoms, size_t size[3])
{
    size_t nb = proto == AS_PROTO_L10 ? 2 : 4; /* sites of the prototype cell */
    size_t m = n_atoms / nb, k = (size_t)llround(cbrt((double)m));
    if (n_atoms % nb || k * k * k != m)
        return AS_FAIL(AS_EINVAL, "%zu atoms is not a cube of %s cells; give --size", n_atoms,
                       as_proto_name(proto));
    size[0] = size[1] = size[2] = k;
    return AS_OK;
}
