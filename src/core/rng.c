/* xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64, all state explicit; and the
 * one hash function (as_hash64). */
#include <math.h>

#include <string.h>

#include "core_int.h"

/* FNV-1a, 64 bit: offset basis 14695981039346656037, prime 1099511628211 (Fowler, Noll, Vo). */
uint64_t as_hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

uint64_t as_hash64_str(uint64_t h, const char *s) { return as_hash64(h, s, strlen(s)); }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void as_rng_seed(as_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

void as_rng_stream(as_rng *rng, uint64_t seed, uint64_t task)
{
    /* Mix the task number through splitmix64 before combining, so neighbouring tasks and
     * seeds give unrelated streams. */
    uint64_t t = task ^ 0x6a09e667f3bcc909ULL;
    uint64_t h = splitmix64(&t);
    as_rng_seed(rng, seed ^ h);
}

uint64_t as_rng_u64(as_rng *rng) { return as_xoshiro_next(rng->s); }

double as_rng_uniform(as_rng *rng) { return (double)(as_rng_u64(rng) >> 11) * 0x1.0p-53; }

/* the one rule (core_int.h); loops with a fixed n keep the as_below and skip its set-up */
size_t as_rng_below(as_rng *rng, size_t n)
{
    as_below b = as_below_init(n);
    return as_below_next(&b, rng->s);
}

double as_rng_normal(as_rng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * as_rng_uniform(rng) - 1.0;
        v = 2.0 * as_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

void as_rng_shuffle(as_rng *rng, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = as_rng_below(rng, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
