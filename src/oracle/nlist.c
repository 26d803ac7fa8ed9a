/* Periodic neighbour list with explicit images ("ghosts") and binning in fractional
 * coordinates, O(N) for a fixed cutoff, valid for any cell shape and for cutoffs larger than
 * half the cell (a 108-atom cell with a 6.2 Å cutoff).
 *
 * Construction (docs/oracle.md, "Neighbour list"):
 *  - fractional coordinates u = r H^{-1} (H: lattice vectors as rows) are wrapped into [0, 1);
 *  - the perpendicular width of the cell along axis k is d_k = V / |a_i x a_j|, so a distance
 *    below rc changes u_k by at most w_k = rc / d_k; every image u + S with all components in
 *    [-w_k, 1 + w_k) is kept as a ghost (owner, integer shift S);
 *  - the extended box is cut into bins at least w_k wide, so neighbours lie in adjacent bins;
 *  - a pair (i, j, S) equals (j, i, -S): the half list keeps it when j > i, or j == i and S is
 *    lexicographically positive. Each physical pair appears once, forces go to the owners. */
#include <math.h>
#include <string.h>

#include "oracle_int.h"

as_status as_cell_inverse(const double *h, double *inv, double *width)
{
    /* cofactors: rows of inv^T are the cross products of the lattice vectors / V */
    double c0[3] = {h[4] * h[8] - h[5] * h[7], h[5] * h[6] - h[3] * h[8],
                    h[3] * h[7] - h[4] * h[6]};
    double c1[3] = {h[7] * h[2] - h[8] * h[1], h[8] * h[0] - h[6] * h[2],
                    h[6] * h[1] - h[7] * h[0]};
    double c2[3] = {h[1] * h[5] - h[2] * h[4], h[2] * h[3] - h[0] * h[5],
                    h[0] * h[4] - h[1] * h[3]};
    double vol = h[0] * c0[0] + h[1] * c0[1] + h[2] * c0[2];
    if (!(fabs(vol) > 1e-12) || !isfinite(vol))
        return AS_FAIL(AS_EINVAL, "cell is singular (volume %g Å^3)", vol);
    /* H^{-1}: column k is c_k / V (since a_i . c_k = V delta_ik) */
    const double *c[3] = {c0, c1, c2};
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 3; m++)
            inv[m * 3 + k] = c[k][m] / vol;
    if (width)
        for (int k = 0; k < 3; k++)
            width[k] = fabs(vol) / sqrt(c[k][0] * c[k][0] + c[k][1] * c[k][1] + c[k][2] * c[k][2]);
    return AS_OK;
}

void as_nlist_clear(as_nlist *nl)
{
    as_free(nl->x);
    as_free(nl->shift);
    as_free(nl->owner);
    as_free(nl->first);
    as_free(nl->nb);
    as_free(nl->pos0);
    memset(nl, 0, sizeof *nl);
}

static as_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return AS_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = as_realloc(*p, c * elem);
    if (!q)
        return AS_FAIL(AS_ENOMEM, "neighbour list: cannot allocate %zu entries", c);
    *p = q;
    *cap = c;
    return AS_OK;
}

static int lex_positive(const int *s)
{
    return s[0] > 0 || (s[0] == 0 && (s[1] > 0 || (s[1] == 0 && s[2] > 0)));
}

static int can_reuse(const as_nlist *nl, const double *cell, const double *pos, size_t n,
                     double cutoff, double skin)
{
    if (!nl->valid || nl->n != n || nl->cutoff != cutoff + skin || skin <= 0)
        return 0;
    if (memcmp(nl->cell, cell, sizeof nl->cell) != 0)
        return 0;
    double lim = 0.25 * skin * skin; /* (skin/2)^2 */
    for (size_t i = 0; i < 3 * n; i += 3) {
        double dx = pos[i] - nl->pos0[i], dy = pos[i + 1] - nl->pos0[i + 1];
        double dz = pos[i + 2] - nl->pos0[i + 2];
        if (dx * dx + dy * dy + dz * dz >= lim)
            return 0;
    }
    return 1;
}

void as_nlist_forget_unless_at(as_nlist *nl, const double *cell, const double *pos, size_t n)
{
    /* the list is a function of the positions it was built at (pos0), the cell and n only: at
     * exactly those, a new build would give the same list, so keeping it changes no bit */
    if (nl->valid && (nl->n != n || memcmp(nl->cell, cell, sizeof nl->cell) != 0 ||
                      memcmp(nl->pos0, pos, 3 * n * sizeof *pos) != 0))
        nl->valid = 0;
}

as_status as_nlist_update(as_nlist *nl, const double *cell, const double *pos, size_t n,
                          double cutoff, double skin, int *rebuilt)
{
    as_status st = AS_OK;
    double inv[9], width[3];
    int *img = NULL;    /* (n_all, 3) integer shifts */
    double *u = NULL;   /* (n_all, 3) fractional coordinates */
    size_t *bin = NULL; /* (n_all) bin of each atom */
    size_t *order = NULL, *bstart = NULL, *cursor = NULL;
    if (rebuilt)
        *rebuilt = 0;
    if (can_reuse(nl, cell, pos, n, cutoff, skin)) {
        for (size_t k = 0; k < nl->n_all; k++) {
            const double *p = pos + 3 * nl->owner[k];
            for (int d = 0; d < 3; d++)
                nl->x[3 * k + d] = p[d] + nl->shift[3 * k + d];
        }
        return AS_OK;
    }
    if (rebuilt)
        *rebuilt = 1;
    nl->valid = 0;
    /* a degenerate cell (thinner than AS_CELL_MIN_WIDTH_ANG) is refused before its widths are
     * turned into image counts: 1e-9 Å would need 1e10 images (beyond int) */
    if (as_cell_check(cell) != AS_OK)
        return as_error_prefix(AS_EINVAL, "neighbour list");
    AS_TRY(as_cell_inverse(cell, inv, width));
    double rl = cutoff + skin;
    if (!(rl >= 0) || !isfinite(rl))
        return AS_FAIL(AS_EINVAL, "neighbour list: cutoff %g Å is not a finite distance", rl);
    double w[3];
    int nimg[3];
    for (int k = 0; k < 3; k++) {
        w[k] = rl / width[k] * (1.0 + 1e-12) + 1e-12;
        if (!(w[k] <= 199.0)) /* compared as a double, before the conversion to int */
            return AS_FAIL(AS_EINVAL,
                           "neighbour list: cell width %g Å is too small for cutoff "
                           "%g Å",
                           width[k], rl);
        nimg[k] = (int)ceil(w[k]) + 1;
    }
    /* local atoms: wrap into the cell; count the ghosts first, then allocate at once */
    size_t cap_img = 0, cap_u = 0, cap_bin = 0;
    AS_CHECK(grow((void **)&u, &cap_u, n + 1, 3 * sizeof(double)));
    AS_CHECK(grow((void **)&img, &cap_img, n + 1, 3 * sizeof(int)));
    for (size_t i = 0; i < n; i++) {
        const double *r = pos + 3 * i;
        for (int k = 0; k < 3; k++) {
            double v = r[0] * inv[k] + r[1] * inv[3 + k] + r[2] * inv[6 + k];
            if (!isfinite(v) || !(fabs(v) < 1e9)) { /* the wrap shift below is an int */
                st = AS_FAIL(AS_EINVAL,
                             "atom %zu has a non-finite position or lies more than "
                             "1e9 cells away (fractional coordinate %g)",
                             i, v);
                goto fail;
            }
            double f = floor(v);
            v -= f;
            if (v >= 1.0) {
                v -= 1.0;
                f += 1.0;
            }
            u[3 * i + k] = v;
            img[3 * i + k] = -(int)f; /* wrap shift in lattice units (for x only) */
        }
    }
    size_t n_all = n;
    for (int s0 = -nimg[0]; s0 <= nimg[0]; s0++)
        for (int s1 = -nimg[1]; s1 <= nimg[1]; s1++)
            for (int s2 = -nimg[2]; s2 <= nimg[2]; s2++) {
                if (!s0 && !s1 && !s2)
                    continue;
                int S[3] = {s0, s1, s2};
                for (size_t i = 0; i < n; i++) {
                    int in = 1;
                    for (int k = 0; k < 3 && in; k++) {
                        double v = u[3 * i + k] + S[k];
                        in = v >= -w[k] && v < 1.0 + w[k];
                    }
                    if (in)
                        n_all++;
                }
            }
    if (n_all >= UINT32_MAX) {
        st = AS_FAIL(AS_EINVAL, "neighbour list: %zu atoms with images is too many", n_all);
        goto fail;
    }
    size_t cap = nl->cap_all;
    if (n_all > cap) {
        size_t c = n_all + n_all / 4 + 16;
        as_free(nl->x);
        as_free(nl->shift);
        as_free(nl->owner);
        nl->x = as_malloc(3 * c * sizeof(double));
        nl->shift = as_malloc(3 * c * sizeof(double));
        nl->owner = as_malloc(c * sizeof(size_t));
        nl->cap_all = c;
        if (!nl->x || !nl->shift || !nl->owner) {
            nl->cap_all = 0;
            st = AS_FAIL(AS_ENOMEM, "neighbour list: cannot allocate %zu images", c);
            goto fail;
        }
    }
    AS_CHECK(grow((void **)&u, &cap_u, n_all, 3 * sizeof(double)));
    AS_CHECK(grow((void **)&img, &cap_img, n_all, 3 * sizeof(int)));
    for (size_t i = 0; i < n; i++) {
        int *S = img + 3 * i;
        for (int d = 0; d < 3; d++) {
            double sh = S[0] * cell[d] + S[1] * cell[3 + d] + S[2] * cell[6 + d];
            nl->shift[3 * i + d] = sh;
            nl->x[3 * i + d] = pos[3 * i + d] + sh;
        }
        nl->owner[i] = i;
        S[0] = S[1] = S[2] = 0;
    }
    size_t g = n;
    for (int s0 = -nimg[0]; s0 <= nimg[0]; s0++)
        for (int s1 = -nimg[1]; s1 <= nimg[1]; s1++)
            for (int s2 = -nimg[2]; s2 <= nimg[2]; s2++) {
                if (!s0 && !s1 && !s2)
                    continue;
                int S[3] = {s0, s1, s2};
                double sv[3];
                for (int d = 0; d < 3; d++)
                    sv[d] = s0 * cell[d] + s1 * cell[3 + d] + s2 * cell[6 + d];
                for (size_t i = 0; i < n; i++) {
                    int in = 1;
                    for (int k = 0; k < 3 && in; k++) {
                        double v = u[3 * i + k] + S[k];
                        in = v >= -w[k] && v < 1.0 + w[k];
                    }
                    if (!in)
                        continue;
                    nl->owner[g] = i;
                    for (int d = 0; d < 3; d++) {
                        u[3 * g + d] = u[3 * i + d] + S[d];
                        img[3 * g + d] = S[d];
                        nl->shift[3 * g + d] = nl->shift[3 * i + d] + sv[d];
                        nl->x[3 * g + d] = pos[3 * i + d] + nl->shift[3 * g + d];
                    }
                    g++;
                }
            }
    nl->n = n;
    nl->n_all = n_all;
    /* bins over [-w, 1 + w) in each fractional direction */
    size_t nb[3], nbins = 1;
    double bw[3];
    for (int k = 0; k < 3; k++) {
        double span = 1.0 + 2.0 * w[k];
        double m = floor(span / w[k]);
        if (m < 1)
            m = 1;
        if (m > 512)
            m = 512;
        nb[k] = (size_t)m;
        bw[k] = span / m;
        nbins *= nb[k];
    }
    AS_CHECK(grow((void **)&bin, &cap_bin, n_all, sizeof(size_t)));
    AS_CHECK(AS_ALLOC(bstart, nbins + 1, "neighbour bins"));
    AS_CHECK(AS_ALLOC(order, n_all, "neighbour bins"));
    for (size_t k = 0; k < n_all; k++) {
        size_t b3[3];
        for (int d = 0; d < 3; d++) {
            double t = floor((u[3 * k + d] + w[d]) / bw[d]);
            b3[d] = t < 0 ? 0 : (t >= (double)nb[d] ? nb[d] - 1 : (size_t)t);
        }
        bin[k] = (b3[0] * nb[1] + b3[1]) * nb[2] + b3[2];
        bstart[bin[k] + 1]++;
    }
    for (size_t b = 0; b < nbins; b++)
        bstart[b + 1] += bstart[b];
    /* counting sort of the atoms by bin (cursor: a copy of the bin starts) */
    AS_CHECK(AS_ALLOC(cursor, nbins + 1, "neighbour bins"));
    memcpy(cursor, bstart, (nbins + 1) * sizeof(size_t));
    for (size_t k = 0; k < n_all; k++)
        order[cursor[bin[k]]++] = k;
    /* half list */
    as_free(nl->first);
    nl->first = NULL;
    AS_CHECK(AS_ALLOC(nl->first, n + 1, "neighbour list offsets"));
    double rl2 = rl * rl;
    size_t np = 0;
    nl->first[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t bi = bin[i];
        size_t b2 = bi % nb[2], b1 = (bi / nb[2]) % nb[1], b0 = bi / (nb[1] * nb[2]);
        const double *xi = nl->x + 3 * i;
        size_t lo0 = b0 ? b0 - 1 : 0, hi0 = b0 + 1 < nb[0] ? b0 + 1 : b0;
        size_t lo1 = b1 ? b1 - 1 : 0, hi1 = b1 + 1 < nb[1] ? b1 + 1 : b1;
        size_t lo2 = b2 ? b2 - 1 : 0, hi2 = b2 + 1 < nb[2] ? b2 + 1 : b2;
        for (size_t c0 = lo0; c0 <= hi0; c0++)
            for (size_t c1 = lo1; c1 <= hi1; c1++)
                for (size_t c2 = lo2; c2 <= hi2; c2++) {
                    size_t b = (c0 * nb[1] + c1) * nb[2] + c2;
                    for (size_t t = bstart[b]; t < bstart[b + 1]; t++) {
                        size_t k = order[t];
                        size_t o = nl->owner[k];
                        if (o < i)
                            continue;
                        if (o == i && (k == i || !lex_positive(img + 3 * k)))
                            continue;
                        double dx = nl->x[3 * k] - xi[0], dy = nl->x[3 * k + 1] - xi[1];
                        double dz = nl->x[3 * k + 2] - xi[2];
                        if (dx * dx + dy * dy + dz * dz >= rl2)
                            continue;
                        if (np == nl->cap_nb)
                            AS_CHECK(grow((void **)&nl->nb, &nl->cap_nb, np + 1, sizeof(uint32_t)));
                        nl->nb[np++] = (uint32_t)k;
                    }
                }
        nl->first[i + 1] = np;
    }
    {
        double *p0 = as_realloc(nl->pos0, (3 * n + 1) * sizeof(double));
        if (!p0) {
            st = AS_FAIL(AS_ENOMEM, "neighbour list positions");
            goto fail;
        }
        nl->pos0 = p0;
        memcpy(nl->pos0, pos, 3 * n * sizeof(double));
    }
    memcpy(nl->cell, cell, sizeof nl->cell);
    nl->cutoff = rl;
    nl->valid = 1;
fail:
    as_free(img);
    as_free(u);
    as_free(bin);
    as_free(order);
    as_free(bstart);
    as_free(cursor);
    return st;
}
