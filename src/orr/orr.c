/* The ORR stage: Pt-shell (111) slabs on an ordered core, O* and OH* on fcc/hcp/top, relaxed
 * with an oracle, ΔE -> ΔG -> volcano (docs/orr.md). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloyscout/orr.h"
#include "core_int.h"

static const char *const site_names[AS_ORR_N_SITES] = {"fcc", "hcp", "top"};

const char *as_orr_site_name(int site)
{
    return site >= 0 && site < AS_ORR_N_SITES ? site_names[site] : NULL;
}

void as_orr_slab_options_default(as_orr_slab_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->layers = 4;
    opt->shell_layers = 1;
    opt->fixed_layers = 2;
    opt->size_a = opt->size_b = 2;
    opt->vacuum_ang = 10.0;
    snprintf(opt->shell, sizeof opt->shell, "Pt");
    opt->lattice_a = opt->lattice_c = NAN;
    opt->height_hollow_ang = 1.2;
    opt->height_top_ang = 1.8;
    opt->d_oh_ang = 0.98;
    as_relax_options_default(&opt->relax);
    opt->paper_refs = 0;
    opt->box_ang = 10.0;
    opt->zpe_ts_o_ev = 0.05;
    opt->zpe_ts_oh_ev = 0.35;
    opt->solv_o_ev = 0.0;
    opt->solv_oh_ev = -0.50;
    opt->orr = as_orr_options_default();
}

double as_orr_core_a_guess(const char *const *el, size_t n)
{
    double a0 = 0;
    for (size_t e = 0; e < n; e++) {
        const as_element *pe = as_element_by_symbol(el[e]);
        a0 += (pe && pe->radius_ang > 0 ? pe->radius_ang : 1.4) * 2 * sqrt(2.0) / (double)n;
    }
    return a0;
}

as_status as_orr_core_create(const char *const *el, size_t n, double a, double c,
                             as_structure **out)
{
    *out = NULL;
    if (n < 1 || n > 3)
        return AS_FAIL(AS_EINVAL,
                       "orr: a core has 1 (fcc), 2 (L1_0) or 3 (Pt2CoM) elements, not %zu", n);
    if (!isfinite(c))
        c = a;
    if (!(a > 0) || !(c > 0) || !isfinite(a))
        return AS_FAIL(AS_EINVAL, "orr: lattice constants a = %g, c = %g must be > 0", a, c);
    /* conventional fcc sites (fractions) and which element each holds */
    static const double f[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    const int which[3][4] = {{0, 0, 0, 0}, {0, 0, 1, 1}, {0, 0, 1, 2}};
    as_status st = AS_OK;
    as_structure *s = NULL;
    AS_TRY(as_structure_create(4, 0, &s));
    int idx[3];
    for (size_t e = 0; e < n; e++)
        AS_CHECK(as_structure_add_symbol(s, el[e], &idx[e]));
    s->cell[0] = a;
    s->cell[4] = a;
    s->cell[8] = c;
    for (size_t i = 0; i < 4; i++) {
        s->pos[3 * i] = f[i][0] * a;
        s->pos[3 * i + 1] = f[i][1] * a;
        s->pos[3 * i + 2] = f[i][2] * c;
        s->species[i] = idx[which[n - 1][i]];
    }
    *out = s;
    return AS_OK;
fail:
    as_structure_free(s);
    return st;
}

/* Species of the core at conventional fraction r (units of the core cell rows), -1 when no
 * atom sits there. */
static int core_species_at(const as_structure *core, const double r[3])
{
    double L[3] = {core->cell[0], core->cell[4], core->cell[8]};
    for (size_t i = 0; i < core->n; i++) {
        int hit = 1;
        for (int k = 0; k < 3 && hit; k++) {
            double d = r[k] - core->pos[3 * i + k] / L[k];
            d -= round(d);
            hit = fabs(d) < 1e-6;
        }
        if (hit)
            return core->species[i];
    }
    return -1;
}

static int core_orthogonal(const as_structure *c)
{
    return c->cell[1] == 0 && c->cell[2] == 0 && c->cell[3] == 0 && c->cell[5] == 0 &&
           c->cell[6] == 0 && c->cell[7] == 0 && c->cell[0] > 0 && c->cell[4] > 0 && c->cell[8] > 0;
}

static void cross(const double *a, const double *b, double *c)
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot(const double *a, const double *b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* The (111) frame of a core: the conventional lattice constant along each axis (twice the
 * smallest nonzero spacing of the fcc sites' coordinates along it, so a core of several
 * conventional cells works too), and the rotation taking b1 to x and the normal to z. */
typedef struct {
    double a[3];                /* conventional lattice constant along x, y, z */
    double e1[3], e2[3], e3[3]; /* rotation: b1 along x, normal along z */
    double d111;                /* interlayer spacing */
} frame;

static const double B1[3] = {0.5, -0.5, 0}, B2[3] = {0.5, 0, -0.5}, U3[3] = {0.5, 0, 0.5};

static void scaled(const frame *fr, const double *r, double *R)
{
    for (int k = 0; k < 3; k++)
        R[k] = r[k] * fr->a[k];
}

static void make_frame(const as_structure *core, frame *fr)
{
    /* conventional cells per axis: the core's row over the smallest site spacing times 2 */
    for (int k = 0; k < 3; k++) {
        double L = core->cell[4 * k], best = L;
        for (size_t i = 0; i < core->n; i++)
            for (size_t j = 0; j < core->n; j++) {
                double d = fabs(core->pos[3 * i + k] - core->pos[3 * j + k]);
                if (d > 1e-6 && d < best)
                    best = d;
            }
        /* fcc sites are spaced a/2 along each axis (best), unless the core holds one plane */
        fr->a[k] = best < L - 1e-9 ? 2 * best : L;
    }
    double b1[3], b2[3], u3[3], n[3];
    scaled(fr, B1, b1);
    scaled(fr, B2, b2);
    scaled(fr, U3, u3);
    cross(b1, b2, n);
    double nn = sqrt(dot(n, n));
    for (int k = 0; k < 3; k++)
        n[k] /= nn;
    if (dot(n, u3) < 0)
        for (int k = 0; k < 3; k++)
            n[k] = -n[k];
    double l1 = sqrt(dot(b1, b1));
    for (int k = 0; k < 3; k++) {
        fr->e1[k] = b1[k] / l1;
        fr->e3[k] = n[k];
    }
    cross(fr->e3, fr->e1, fr->e2);
    fr->d111 = dot(u3, n);
}

static void rotate(const frame *fr, const double *R, double *x)
{
    x[0] = dot(R, fr->e1);
    x[1] = dot(R, fr->e2);
    x[2] = dot(R, fr->e3);
}

static as_status check_opts(const as_orr_slab_options *o)
{
    if (o->layers < 1 || o->shell_layers > o->layers || o->fixed_layers >= o->layers ||
        o->size_a < 1 || o->size_b < 1 || !(o->vacuum_ang > 0))
        return AS_FAIL(AS_EINVAL,
                       "orr: slab of %zu layers with %zu shell and %zu fixed layers, size %zux%zu, "
                       "vacuum %g Å: need layers >= 1, shell <= layers, fixed < layers, size >= 1, "
                       "vacuum > 0",
                       o->layers, o->shell_layers, o->fixed_layers, o->size_a, o->size_b,
                       o->vacuum_ang);
    if (!as_lattice_element_z(o->shell))
        return AS_FAIL(AS_EINVAL, "orr: unknown shell element '%s'", o->shell);
    return AS_OK;
}

as_status as_orr_slab_build(const as_structure *core, const as_orr_slab_options *opt,
                            as_structure **slab, unsigned char **fixed)
{
    *slab = NULL;
    if (fixed)
        *fixed = NULL;
    AS_TRY(check_opts(opt));
    if (!core_orthogonal(core) || core->n == 0)
        return AS_FAIL(AS_EINVAL, "orr: the core needs an orthogonal cell (rows along x, y, z)");
    frame fr;
    make_frame(core, &fr);
    size_t na = opt->size_a, nb = opt->size_b, L = opt->layers;
    /* the in-plane cell must be a translation of the core's order */
    double t[2][3];
    for (int k = 0; k < 3; k++) {
        t[0][k] = (double)na * B1[k] * fr.a[k] / core->cell[4 * k];
        t[1][k] = (double)nb * B2[k] * fr.a[k] / core->cell[4 * k];
    }
    for (size_t i = 0; i < core->n; i++)
        for (int v = 0; v < 2; v++) {
            double r[3];
            for (int k = 0; k < 3; k++)
                r[k] = core->pos[3 * i + k] / core->cell[4 * k] + t[v][k];
            if (core_species_at(core, r) != core->species[i])
                return AS_FAIL(AS_EINVAL,
                               "orr: a %zux%zu (111) cell is not commensurate with the core's "
                               "order (try an even in-plane size, e.g. 2x2)",
                               na, nb);
        }
    as_status st = AS_OK;
    as_structure *s = NULL;
    unsigned char *fx = NULL;
    size_t n = na * nb * L;
    AS_TRY(as_structure_create(n, 0, &s));
    AS_CHECK(AS_ALLOC(fx, n, "orr fixed atoms"));
    int shell_idx;
    for (size_t e = 0; e < core->n_symbols; e++) {
        int idx;
        AS_CHECK(as_structure_add_symbol(s, core->symbols[e], &idx));
    }
    AS_CHECK(as_structure_add_symbol(s, opt->shell, &shell_idx));
    double A1[3], A2[3], tmp[3];
    scaled(&fr, B1, tmp);
    rotate(&fr, tmp, A1);
    scaled(&fr, B2, tmp);
    rotate(&fr, tmp, A2);
    for (int k = 0; k < 3; k++) {
        A1[k] *= (double)na;
        A2[k] *= (double)nb;
    }
    A1[1] = A1[2] = A2[2] = 0; /* exact zeros by construction */
    double height = (double)(L - 1) * fr.d111 + 2 * opt->vacuum_ang;
    double cell[9] = {A1[0], 0, 0, A2[0], A2[1], 0, 0, 0, height};
    memcpy(s->cell, cell, sizeof cell);
    size_t m = 0;
    for (size_t k = 0; k < L; k++)
        for (size_t j = 0; j < nb; j++)
            for (size_t i = 0; i < na; i++, m++) {
                double r[3], R[3], x[3];
                for (int c = 0; c < 3; c++)
                    r[c] = (double)i * B1[c] + (double)j * B2[c] + (double)k * U3[c];
                scaled(&fr, r, R);
                rotate(&fr, R, x);
                /* wrap in plane: fractions along A1, A2 */
                double fb = x[1] / A2[1];
                double fa = (x[0] - fb * A2[0]) / A1[0];
                fa -= floor(fa + 1e-9);
                fb -= floor(fb + 1e-9);
                s->pos[3 * m] = fa * A1[0] + fb * A2[0];
                s->pos[3 * m + 1] = fb * A2[1];
                s->pos[3 * m + 2] = (double)k * fr.d111 + opt->vacuum_ang;
                int sp;
                if (k + opt->shell_layers >= L) {
                    sp = shell_idx;
                } else {
                    double rc[3];
                    for (int c = 0; c < 3; c++)
                        rc[c] = r[c] * fr.a[c] / core->cell[4 * c];
                    sp = core_species_at(core, rc);
                    if (sp < 0) {
                        st = AS_FAIL(AS_EINVAL, "orr: the core has no atom on an fcc site (is it "
                                                "an fcc-derived cell?)");
                        goto fail;
                    }
                }
                s->species[m] = sp;
                fx[m] = k < opt->fixed_layers;
            }
    {
        double R[3], x[3];
        scaled(&fr, U3, R);
        rotate(&fr, R, x);
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g %.17g", x[0], x[1]);
        AS_CHECK(as_structure_set_info(s, "orr_u3", buf));
    }
    *slab = s;
    if (fixed)
        *fixed = fx;
    else
        as_free(fx);
    return AS_OK;
fail:
    as_structure_free(s);
    as_free(fx);
    return st;
}

/* In-plane site of the top layer (layer L-1): top above the atom of lattice point (L-1) u3,
 * hcp above layer L-2 (= the would-be layer L+1: ABC stacking), fcc above layer L-3 (= the
 * would-be layer L). Lattice point k u3 lies at k times u3's in-plane projection from the
 * first atom (stored by as_orr_slab_build as info orr_u3 = "dx dy"). */
static as_status site_xy(const as_structure *slab, const as_orr_slab_options *opt, int site,
                         double *xy)
{
    const char *u = as_structure_get_info(slab, "orr_u3");
    double dx, dy;
    if (!u || sscanf(u, "%lf %lf", &dx, &dy) != 2)
        return AS_FAIL(AS_EINVAL, "orr: the slab was not made by as_orr_slab_build (no orr_u3)");
    double k = (double)opt->layers - 1;
    if (site == AS_ORR_SITE_HCP)
        k += 2;
    else if (site == AS_ORR_SITE_FCC)
        k += 1;
    double A2y = slab->cell[4], A2x = slab->cell[3], A1x = slab->cell[0];
    double x = k * dx, y = k * dy;
    double fb = y / A2y, fa = (x - fb * A2x) / A1x;
    fa -= floor(fa);
    fb -= floor(fb);
    xy[0] = fa * A1x + fb * A2x;
    xy[1] = fb * A2y;
    return AS_OK;
}

as_status as_orr_add_adsorbate(const as_structure *slab, const as_orr_slab_options *opt,
                               as_adsorbate ads, int site, as_structure **out)
{
    *out = NULL;
    if (ads != AS_ADS_O && ads != AS_ADS_OH)
        return AS_FAIL(AS_EINVAL, "orr: adsorbate must be O or OH");
    if (site < 0 || site >= AS_ORR_N_SITES)
        return AS_FAIL(AS_EINVAL, "orr: site %d is not fcc, hcp or top", site);
    size_t per = opt->size_a * opt->size_b, L = opt->layers;
    if (slab->n != per * L)
        return AS_FAIL(AS_EINVAL, "orr: the slab has %zu atoms, not %zu x %zu x %zu", slab->n,
                       opt->size_a, opt->size_b, L);
    size_t extra = ads == AS_ADS_O ? 1 : 2;
    as_status st = AS_OK;
    as_structure *s = NULL;
    AS_TRY(as_structure_create(slab->n + extra, 0, &s));
    memcpy(s->cell, slab->cell, sizeof s->cell);
    for (size_t e = 0; e < slab->n_symbols; e++) {
        int idx;
        AS_CHECK(as_structure_add_symbol(s, slab->symbols[e], &idx));
    }
    memcpy(s->pos, slab->pos, 3 * slab->n * sizeof *s->pos);
    memcpy(s->species, slab->species, slab->n * sizeof *s->species);
    int io, ih;
    AS_CHECK(as_structure_add_symbol(s, "O", &io));
    double ztop = -INFINITY;
    for (size_t i = (L - 1) * per; i < slab->n; i++)
        ztop = AS_MAX(ztop, slab->pos[3 * i + 2]);
    double xy[2] = {0, 0};
    AS_CHECK(site_xy(slab, opt, site, xy));
    size_t m = slab->n;
    s->pos[3 * m] = xy[0];
    s->pos[3 * m + 1] = xy[1];
    s->pos[3 * m + 2] =
        ztop + (site == AS_ORR_SITE_TOP ? opt->height_top_ang : opt->height_hollow_ang);
    s->species[m] = io;
    if (ads == AS_ADS_OH) {
        AS_CHECK(as_structure_add_symbol(s, "H", &ih));
        s->pos[3 * (m + 1)] = xy[0];
        s->pos[3 * (m + 1) + 1] = xy[1];
        s->pos[3 * (m + 1) + 2] = s->pos[3 * m + 2] + opt->d_oh_ang;
        s->species[m + 1] = ih;
    }
    *out = s;
    return AS_OK;
fail:
    as_structure_free(s);
    return st;
}

static const char *const ads_names[2] = {"O", "OH"};

/* One relaxation of s through the checkpoint ck (may be NULL) under tag: taken from ck when it
 * holds the tag (the slab's positions with it when keep_pos), else relaxed and stored when the
 * oracle returned. *rs: the oracle's status (AS_OK for a record); *shift: the in-plane distance
 * atom io moved (io < s->n; 0 otherwise). The return value: an error of ck or memory. */
static as_status relax_ck(as_oracle *o, const as_orr_checkpoint *ck, const char *tag,
                          as_structure *s, const as_relax_options *ro, const unsigned char *fx,
                          int keep_pos, size_t io, as_relax_report *rep, double *shift,
                          as_status *rs)
{
    memset(rep, 0, sizeof *rep);
    *shift = 0;
    *rs = AS_OK;
    if (ck && ck->lookup) {
        as_orr_relax_record r = {0};
        int found = 0;
        as_status st = ck->lookup(ck->ctx, tag, &r, &found);
        if (st == AS_OK && found && keep_pos && (r.n != s->n || !r.pos))
            found = 0; /* a slab record without its positions: relaxed again */
        if (st == AS_OK && found) {
            if (keep_pos)
                memcpy(s->pos, r.pos, 3 * s->n * sizeof *s->pos);
            rep->e_final = r.e_final_ev;
            rep->converged = r.converged;
            rep->steps = r.steps;
            rep->fmax_final = r.fmax_final;
            *shift = r.shift_ang;
        }
        as_free(r.pos);
        if (st != AS_OK || found)
            return st;
    }
    double x0 = io < s->n ? s->pos[3 * io] : 0, y0 = io < s->n ? s->pos[3 * io + 1] : 0;
    *rs = as_oracle_relax_fixed(o, s, ro, fx, rep);
    if (*rs != AS_OK)
        return AS_OK;
    if (io < s->n)
        *shift = hypot(s->pos[3 * io] - x0, s->pos[3 * io + 1] - y0);
    if (!ck || !ck->store)
        return AS_OK;
    as_orr_relax_record r = {.e_final_ev = rep->e_final,
                             .converged = rep->converged,
                             .steps = rep->steps,
                             .fmax_final = rep->fmax_final,
                             .shift_ang = *shift,
                             .n = keep_pos ? s->n : 0,
                             .pos = keep_pos ? s->pos : NULL};
    return ck->store(ck->ctx, tag, &r);
}

/* The fitted core from the checkpoint ck (may be NULL), when it holds a record of core's size
 * (tag "core"): its positions and cell replace core's, *found 1. A record of another size or
 * without a cell is not used. The return value: an error of ck. */
static as_status core_ck(const as_orr_checkpoint *ck, as_structure *core, int *found)
{
    *found = 0;
    if (!ck || !ck->lookup)
        return AS_OK;
    as_orr_relax_record r = {0};
    int have = 0;
    as_status st = ck->lookup(ck->ctx, "core", &r, &have);
    if (st == AS_OK && have && r.n == core->n && r.pos && r.cell[0] > 0 && r.cell[4] > 0 &&
        r.cell[8] > 0) {
        memcpy(core->pos, r.pos, 3 * core->n * sizeof *core->pos);
        memcpy(core->cell, r.cell, sizeof r.cell);
        *found = 1;
    }
    as_free(r.pos);
    return st;
}

/* A molecule alone in a cube of edge box: H2 (0.74 Å) or H2O (ASE's g2 geometry), relaxed. */
static as_status molecule_energy(as_oracle *o, int water, const as_orr_slab_options *opt,
                                 const as_orr_checkpoint *ck, double *e)
{
    as_status st = AS_OK;
    as_structure *s = NULL;
    AS_TRY(as_structure_create(water ? 3 : 2, 0, &s));
    double b = opt->box_ang, c = b / 2;
    s->cell[0] = s->cell[4] = s->cell[8] = b;
    int ih, io;
    AS_CHECK(as_structure_add_symbol(s, "H", &ih));
    if (water) {
        AS_CHECK(as_structure_add_symbol(s, "O", &io));
        const double p[3][3] = {
            {0, 0, 0.119262}, {0, 0.763239, -0.477047}, {0, -0.763239, -0.477047}};
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 3; k++)
                s->pos[3 * i + k] = c + p[i][k];
        s->species[0] = io;
        s->species[1] = s->species[2] = ih;
    } else {
        s->pos[0] = c - 0.37;
        s->pos[1] = s->pos[2] = c;
        s->pos[3] = c + 0.37;
        s->pos[4] = s->pos[5] = c;
        s->species[0] = s->species[1] = ih;
    }
    as_relax_report rep;
    double shift;
    as_status rs;
    AS_CHECK(relax_ck(o, ck, water ? "H2O" : "H2", s, &opt->relax, NULL, 0, SIZE_MAX, &rep, &shift,
                      &rs));
    AS_CHECK(rs);
    if (!rep.converged) {
        st = AS_FAIL(AS_ENOCONV, "orr: the %s reference did not relax (max force %g eV/Å)",
                     water ? "H2O" : "H2", rep.fmax_final);
        goto fail;
    }
    *e = rep.e_final;
fail:
    as_structure_free(s);
    return st;
}

as_status as_orr_slab_run(as_oracle *o, const as_structure *core_in, const as_orr_slab_options *opt,
                          as_orr_slab_result *out)
{
    return as_orr_slab_run_ex(o, core_in, opt, NULL, out);
}

as_status as_orr_slab_run_ex(as_oracle *o, const as_structure *core_in,
                             const as_orr_slab_options *opt, const as_orr_checkpoint *ck,
                             as_orr_slab_result *out)
{
    as_status st = AS_OK;
    as_structure *core = NULL, *slab = NULL, *ad = NULL;
    unsigned char *fx = NULL, *fxa = NULL;
    memset(out, 0, sizeof *out);
    AS_TRY(check_opts(opt));
    if (!as_oracle_has_forces(o))
        return AS_FAIL(AS_EUNSUP, "orr: relaxing slabs needs an oracle with forces (%s has none)",
                       as_oracle_describe(o));
    const char *need[2] = {"O", "H"};
    for (int k = 0; k < 2; k++)
        if (!as_oracle_supports(o, need[k]))
            return AS_FAIL(AS_EINVAL, "orr: %s does not cover %s (it covers %s)",
                           as_oracle_describe(o), need[k], as_oracle_elements(o));
    AS_TRY(as_structure_copy(core_in, &core));
    if (!core_orthogonal(core)) {
        st = AS_FAIL(AS_EINVAL, "orr: the core needs an orthogonal cell");
        goto fail;
    }
    int one_el = 1;
    for (size_t i = 1; i < core->n; i++)
        one_el &= core->species[i] == core->species[0];
    if (isfinite(opt->lattice_a)) {
        double c = isfinite(opt->lattice_c) ? opt->lattice_c : opt->lattice_a;
        double sa = opt->lattice_a / core->cell[0], sc = c / core->cell[8];
        for (size_t i = 0; i < core->n; i++) {
            core->pos[3 * i] *= sa;
            core->pos[3 * i + 1] *= sa;
            core->pos[3 * i + 2] *= sc;
        }
        core->cell[0] *= sa;
        core->cell[4] *= sa;
        core->cell[8] *= sc;
    } else {
        int found = 0;
        AS_CHECK(core_ck(ck, core, &found));
        if (!found) {
            as_cellopt_options co;
            as_cellopt_options_default(&co);
            co.tetragonal = !one_el;
            as_cellopt_report cr;
            AS_CHECK(as_oracle_optimize_cell(o, core, &co, &cr));
            if (cr.at_bracket) {
                st = AS_FAIL(AS_ENOCONV,
                             "orr: the core's lattice constant has no minimum within 10 %% "
                             "of the start (give it: lattice_a / --lattice)");
                goto fail;
            }
            if (ck && ck->store) {
                as_orr_relax_record r = {.e_final_ev = cr.energy,
                                         .converged = 1,
                                         .steps = cr.evaluations,
                                         .n = core->n,
                                         .pos = core->pos};
                memcpy(r.cell, core->cell, sizeof r.cell);
                AS_CHECK(ck->store(ck->ctx, "core", &r));
            }
        }
    }
    out->a_ang = core->cell[0];
    out->c_ang = core->cell[8];
    AS_CHECK(as_orr_slab_build(core, opt, &slab, &fx));
    out->n_slab = slab->n;
    as_relax_report rep;
    double shift;
    as_status rs;
    AS_CHECK(relax_ck(o, ck, "slab", slab, &opt->relax, fx, 1, SIZE_MAX, &rep, &shift, &rs));
    AS_CHECK(rs);
    out->oracle_relaxations++;
    if (!rep.converged) {
        st = AS_FAIL(AS_ENOCONV, "orr: the clean slab did not relax in %zu steps (max force %g)",
                     rep.steps, rep.fmax_final);
        goto fail;
    }
    out->e_slab_ev = rep.e_final;
    if (opt->paper_refs) {
        out->e_h2o_ev = AS_E_H2O_EV;
        out->e_h2_ev = AS_E_H2_EV;
    } else {
        AS_CHECK(molecule_energy(o, 1, opt, ck, &out->e_h2o_ev));
        AS_CHECK(molecule_energy(o, 0, opt, ck, &out->e_h2_ev));
    }
    AS_CHECK(AS_ALLOC(fxa, slab->n + 2, "orr fixed atoms"));
    memcpy(fxa, fx, slab->n);
    for (int a = 0; a < 2; a++) {
        as_adsorbate ads = a == 0 ? AS_ADS_O : AS_ADS_OH;
        out->best_site[a] = -1;
        double best = INFINITY;
        for (int site = 0; site < AS_ORR_N_SITES; site++) {
            out->de_ev[a][site] = NAN;
            AS_CHECK(as_orr_add_adsorbate(slab, opt, ads, site, &ad));
            char tag[16];
            snprintf(tag, sizeof tag, "%s:%s", ads_names[a], as_orr_site_name(site));
            AS_CHECK(relax_ck(o, ck, tag, ad, &opt->relax, fxa, 0, slab->n, &rep, &shift, &rs));
            out->oracle_relaxations++;
            if (rs == AS_OK) {
                double de;
                AS_CHECK(as_echem_ads_energy(ads, rep.e_final, out->e_slab_ev, out->e_h2o_ev,
                                             out->e_h2_ev, &de));
                out->de_ev[a][site] = de;
                out->converged[a][site] = rep.converged;
                out->steps[a][site] = rep.steps;
                out->shift_ang[a][site] = shift;
                if (rep.converged && de < best) {
                    best = de;
                    out->best_site[a] = site;
                }
            }
            as_structure_free(ad);
            ad = NULL;
        }
        if (out->best_site[a] < 0) {
            char why[256];
            snprintf(why, sizeof why, "%s", as_errmsg());
            st = AS_FAIL(AS_ENOCONV, "orr: no site of %s relaxed (%s)", a ? "OH*" : "O*", why);
            goto fail;
        }
    }
    out->de_o_ev = out->de_ev[0][out->best_site[0]];
    out->de_oh_ev = out->de_ev[1][out->best_site[1]];
    AS_CHECK(as_echem_dg(out->de_o_ev, opt->zpe_ts_o_ev, 0, 0, opt->solv_o_ev, &out->dg_o_ev));
    AS_CHECK(as_echem_dg(out->de_oh_ev, opt->zpe_ts_oh_ev, 0, 0, opt->solv_oh_ev, &out->dg_oh_ev));
    AS_CHECK(as_echem_orr(out->dg_oh_ev, out->dg_o_ev, NAN, &opt->orr, &out->orr));
fail:
    as_structure_free(core);
    as_structure_free(slab);
    as_structure_free(ad);
    as_free(fx);
    as_free(fxa);
    return st;
}

/* ---- JSON and option text ---- */

as_status as_orr_result_json(const as_orr_slab_result *r, as_json *sj)
{
    as_status st = AS_OK;
    as_json *sites = NULL;
#define N(k, v) AS_CHECK(as_json_set_num(sj, k, v))
    N("a_ang", r->a_ang);
    N("c_ang", r->c_ang);
    N("n_slab", (double)r->n_slab);
    N("e_slab_ev", r->e_slab_ev);
    N("e_h2o_ev", r->e_h2o_ev);
    N("e_h2_ev", r->e_h2_ev);
    if (!(sites = as_json_object()))
        return AS_FAIL(AS_ENOMEM, "orr: json");
    for (int a = 0; a < 2; a++) {
        as_json *aj = as_json_object();
        if (!aj || as_json_set_child(sites, ads_names[a], aj) != AS_OK) {
            as_json_free(aj);
            st = AS_FAIL(AS_ENOMEM, "orr: json");
            goto fail;
        }
        for (int k = 0; k < AS_ORR_N_SITES; k++) {
            as_json *xj = as_json_object();
            if (!xj || as_json_set_child(aj, site_names[k], xj) != AS_OK) {
                as_json_free(xj);
                st = AS_FAIL(AS_ENOMEM, "orr: json");
                goto fail;
            }
            if (isfinite(r->de_ev[a][k]))
                AS_CHECK(as_json_set_num(xj, "de_ev", r->de_ev[a][k]));
            AS_CHECK(as_json_set_bool(xj, "converged", r->converged[a][k]));
            AS_CHECK(as_json_set_num(xj, "steps", (double)r->steps[a][k]));
            AS_CHECK(as_json_set_num(xj, "lateral_shift_ang", r->shift_ang[a][k]));
        }
        AS_CHECK(as_json_set_str(aj, "best_site", as_orr_site_name(r->best_site[a])));
    }
    st = as_json_set_child(sj, "sites", sites);
    sites = NULL;
    AS_CHECK(st);
    N("de_o_ev", r->de_o_ev);
    N("de_oh_ev", r->de_oh_ev);
    N("dg_o_ev", r->dg_o_ev);
    N("dg_oh_ev", r->dg_oh_ev);
    N("dg_ooh_ev", r->orr.dg_ooh_ev);
    N("u_limit_v", r->orr.u_limit_v);
    N("overpotential_v", r->orr.overpotential_v);
    N("potential_determining_step", (double)r->orr.pds);
    N("volcano_offset_ev", r->orr.volcano_offset_ev);
    N("oracle_relaxations", (double)r->oracle_relaxations);
#undef N
fail:
    as_json_free(sites);
    return st;
}

static as_status get_size(const as_json *o, const char *key, const char *where, size_t *v)
{
    double d;
    AS_TRY(as_json_get_num(o, key, where, &d));
    if (!(d >= 0) || d != floor(d))
        return AS_FAIL(AS_EPARSE, "%s: %s is not a count", where, key);
    *v = (size_t)d;
    return AS_OK;
}

as_status as_orr_result_from_json(const as_json *sj, const as_orr_slab_options *opt,
                                  const char *where, as_orr_slab_result *r)
{
    memset(r, 0, sizeof *r);
    AS_TRY(as_json_get_num(sj, "a_ang", where, &r->a_ang));
    AS_TRY(as_json_get_num(sj, "c_ang", where, &r->c_ang));
    AS_TRY(get_size(sj, "n_slab", where, &r->n_slab));
    AS_TRY(as_json_get_num(sj, "e_slab_ev", where, &r->e_slab_ev));
    AS_TRY(as_json_get_num(sj, "e_h2o_ev", where, &r->e_h2o_ev));
    AS_TRY(as_json_get_num(sj, "e_h2_ev", where, &r->e_h2_ev));
    const as_json *sites = as_json_get(sj, "sites");
    if (!sites)
        return AS_FAIL(AS_EPARSE, "%s: no sites", where);
    for (int a = 0; a < 2; a++) {
        const as_json *aj = as_json_get(sites, ads_names[a]);
        const char *best;
        if (!aj)
            return AS_FAIL(AS_EPARSE, "%s: no sites.%s", where, ads_names[a]);
        AS_TRY(as_json_get_str(aj, "best_site", where, &best));
        r->best_site[a] = -1;
        for (int k = 0; k < AS_ORR_N_SITES; k++) {
            const as_json *xj = as_json_get(aj, site_names[k]);
            if (!xj)
                return AS_FAIL(AS_EPARSE, "%s: no sites.%s.%s", where, ads_names[a], site_names[k]);
            const as_json *de = as_json_get(xj, "de_ev");
            r->de_ev[a][k] = de ? as_json_number(de) : NAN;
            r->converged[a][k] = as_json_is_true(as_json_get(xj, "converged"));
            AS_TRY(get_size(xj, "steps", where, &r->steps[a][k]));
            AS_TRY(as_json_get_num(xj, "lateral_shift_ang", where, &r->shift_ang[a][k]));
            if (!strcmp(best, site_names[k]))
                r->best_site[a] = k;
        }
        if (r->best_site[a] < 0)
            return AS_FAIL(AS_EPARSE, "%s: sites.%s.best_site '%s'", where, ads_names[a], best);
    }
    AS_TRY(as_json_get_num(sj, "de_o_ev", where, &r->de_o_ev));
    AS_TRY(as_json_get_num(sj, "de_oh_ev", where, &r->de_oh_ev));
    AS_TRY(as_json_get_num(sj, "dg_o_ev", where, &r->dg_o_ev));
    AS_TRY(as_json_get_num(sj, "dg_oh_ev", where, &r->dg_oh_ev));
    AS_TRY(get_size(sj, "oracle_relaxations", where, &r->oracle_relaxations));
    as_orr_options oo = opt ? opt->orr : as_orr_options_default();
    return as_echem_orr(r->dg_oh_ev, r->dg_o_ev, NAN, &oo, &r->orr);
}

as_status as_orr_options_text(const as_orr_slab_options *o, char *buf, size_t cap)
{
    const as_relax_options *x = &o->relax;
    int k = snprintf(buf, cap,
                     "layers=%zu shell_layers=%zu fixed=%zu size=%zux%zu vacuum=%.17g shell=%s "
                     "h_hollow=%.17g h_top=%.17g d_oh=%.17g fmax=%.17g max_steps=%zu dt=%.17g "
                     "dt_max=%.17g max_step=%.17g n_min=%zu f_inc=%.17g f_dec=%.17g "
                     "alpha=%.17g f_alpha=%.17g paper_refs=%d box=%.17g zpe_ts_o=%.17g "
                     "zpe_ts_oh=%.17g solv_o=%.17g solv_oh=%.17g e_eq=%.17g ooh_oh=%.17g",
                     o->layers, o->shell_layers, o->fixed_layers, o->size_a, o->size_b,
                     o->vacuum_ang, o->shell, o->height_hollow_ang, o->height_top_ang, o->d_oh_ang,
                     x->fmax, x->max_steps, x->dt, x->dt_max, x->max_step, x->n_min, x->f_inc,
                     x->f_dec, x->alpha_start, x->f_alpha, o->paper_refs, o->box_ang,
                     o->zpe_ts_o_ev, o->zpe_ts_oh_ev, o->solv_o_ev, o->solv_oh_ev, o->orr.e_eq_v,
                     o->orr.ooh_oh_offset_ev);
    if (k < 0 || (size_t)k >= cap)
        return AS_FAIL(AS_EINVAL, "orr: the option text needs more than %zu bytes", cap);
    return AS_OK;
}
