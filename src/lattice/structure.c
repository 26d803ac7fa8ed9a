/* as_structure: creation, copy and release, the info key/value store, forces, species symbols,
 * and the table of element symbols 1..103 used to validate them. */
#include <math.h>
#include <string.h>

#include "alloyscout/lattice.h"
#include "core_int.h"

as_status as_structure_create(size_t n, size_t n_symbols, as_structure **out)
{
    *out = NULL;
    as_structure *s = as_calloc(1, sizeof *s);
    if (!s)
        return AS_FAIL(AS_ENOMEM, "structure: cannot allocate");
    s->n = n;
    s->n_symbols = n_symbols;
    s->energy = NAN;
    s->pos = as_calloc(3 * (n ? n : 1), sizeof *s->pos);
    s->species = as_calloc(n ? n : 1, sizeof *s->species);
    s->symbols = as_calloc(n_symbols ? n_symbols : 1, sizeof *s->symbols);
    if (!s->pos || !s->species || !s->symbols) {
        as_structure_free(s);
        return AS_FAIL(AS_ENOMEM, "structure: cannot allocate %zu atoms", n);
    }
    *out = s;
    return AS_OK;
}

as_status as_structure_copy(const as_structure *s, as_structure **out)
{
    AS_TRY(as_structure_create(s->n, s->n_symbols, out));
    as_structure *c = *out;
    as_status st = AS_OK;
    memcpy(c->cell, s->cell, sizeof c->cell);
    memcpy(c->pos, s->pos, 3 * s->n * sizeof *s->pos);
    memcpy(c->species, s->species, s->n * sizeof *s->species);
    memcpy(c->symbols, s->symbols, s->n_symbols * sizeof *s->symbols);
    c->energy = s->energy;
    c->has_energy = s->has_energy;
    if (s->forces) {
        AS_CHECK(as_structure_alloc_forces(c));
        memcpy(c->forces, s->forces, 3 * s->n * sizeof *s->forces);
    }
    for (size_t i = 0; i < s->n_info; i++)
        AS_CHECK(as_structure_set_info(c, s->info_keys[i], s->info_values[i]));
    return AS_OK;
fail:
    as_structure_free(c);
    *out = NULL;
    return st;
}

void as_structure_free(as_structure *s)
{
    if (!s)
        return;
    as_free(s->pos);
    as_free(s->species);
    as_free(s->symbols);
    as_free(s->forces);
    for (size_t i = 0; i < s->n_info; i++) {
        as_free(s->info_keys[i]);
        as_free(s->info_values[i]);
    }
    as_free(s->info_keys);
    as_free(s->info_values);
    as_free(s);
}

void as_structures_free(as_structure **frames, size_t n)
{
    if (!frames)
        return;
    for (size_t i = 0; i < n; i++)
        as_structure_free(frames[i]);
    as_free(frames);
}

as_status as_structure_set_info(as_structure *s, const char *key, const char *value)
{
    if (!key || !*key || strpbrk(key, " \t\n\r=\""))
        return AS_FAIL(AS_EINVAL, "structure: info key '%s' is empty or holds space, '=' or '\"'",
                       key ? key : "");
    if (!value || strpbrk(value, "\n\r"))
        return AS_FAIL(AS_EINVAL, "structure: info value of '%s' holds a line break", key);
    char *v = as_strdup(value);
    if (!v)
        return AS_FAIL(AS_ENOMEM, "structure: cannot store info '%s'", key);
    for (size_t i = 0; i < s->n_info; i++)
        if (!strcmp(s->info_keys[i], key)) {
            as_free(s->info_values[i]);
            s->info_values[i] = v;
            return AS_OK;
        }
    char *k = as_strdup(key);
    char **nk = k ? as_realloc(s->info_keys, (s->n_info + 1) * sizeof *nk) : NULL;
    if (nk)
        s->info_keys = nk;
    char **nv = nk ? as_realloc(s->info_values, (s->n_info + 1) * sizeof *nv) : NULL;
    if (nv)
        s->info_values = nv;
    if (!nv) {
        as_free(k);
        as_free(v);
        return AS_FAIL(AS_ENOMEM, "structure: cannot store info '%s'", key);
    }
    s->info_keys[s->n_info] = k;
    s->info_values[s->n_info] = v;
    s->n_info++;
    return AS_OK;
}

const char *as_structure_get_info(const as_structure *s, const char *key)
{
    for (size_t i = 0; i < s->n_info; i++)
        if (!strcmp(s->info_keys[i], key))
            return s->info_values[i];
    return NULL;
}

as_status as_structure_alloc_forces(as_structure *s)
{
    if (s->forces)
        return AS_OK;
    s->forces = as_calloc(3 * (s->n ? s->n : 1), sizeof *s->forces);
    if (!s->forces)
        return AS_FAIL(AS_ENOMEM, "structure: cannot allocate forces of %zu atoms", s->n);
    return AS_OK;
}

as_status as_structure_add_symbol(as_structure *s, const char *sym, int *index)
{
    if (!as_lattice_element_z(sym))
        return AS_FAIL(AS_EINVAL, "unknown element '%s'", sym);
    for (size_t i = 0; i < s->n_symbols; i++)
        if (!strcmp(s->symbols[i], sym)) {
            *index = (int)i;
            return AS_OK;
        }
    char(*ns)[AS_SYMBOL_MAX] = as_realloc(s->symbols, (s->n_symbols + 1) * sizeof *ns);
    if (!ns)
        return AS_FAIL(AS_ENOMEM, "structure: cannot add symbol '%s'", sym);
    s->symbols = ns;
    memset(s->symbols[s->n_symbols], 0, AS_SYMBOL_MAX);
    memcpy(s->symbols[s->n_symbols], sym, strlen(sym));
    *index = (int)s->n_symbols++;
    return AS_OK;
}

/* Structures use elements 1..AS_LATTICE_Z_MAX of core's one element table. */
int as_lattice_element_z(const char *sym)
{
    int z = as_element_z(sym);
    return z <= AS_LATTICE_Z_MAX ? z : 0;
}

const char *as_lattice_element_symbol(int z)
{
    return z <= AS_LATTICE_Z_MAX ? as_element_symbol(z) : NULL;
}
