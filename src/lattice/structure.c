/* as_structure: creation, copy and release. */
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
    memcpy(c->cell, s->cell, sizeof c->cell);
    memcpy(c->pos, s->pos, 3 * s->n * sizeof *s->pos);
    memcpy(c->species, s->species, s->n * sizeof *s->species);
    memcpy(c->symbols, s->symbols, s->n_symbols * sizeof *s->symbols);
    c->energy = s->energy;
    c->has_energy = s->has_energy;
    return AS_OK;
}

void as_structure_free(as_structure *s)
{
    if (!s)
        return;
    as_free(s->pos);
    as_free(s->species);
    as_free(s->symbols);
    as_free(s);
}
