/* alloyscout orr area: the ORR stage of workflow B (seed 004, the third criterion). A Pt-shell
 * slab on an ordered fcc-derived core (fcc X, L1_0 AB, the paper's Pt2CoM), the close-packed
 * (111) face, with O* and OH* on the fcc, hcp and top sites of the top layer, relaxed with an
 * oracle (bottom layers fixed); the lowest site of each adsorbate gives ΔE_O and ΔE_OH against
 * H2O and H2 (seed 004 eqs. 1-2), ΔG with the echem arithmetic (eq. 3) and the place on the
 * 4e- ORR volcano (as_echem_orr). Geometry, references and corrections: docs/orr.md.
 * Units: Å, eV. */
#ifndef ALLOYSCOUT_ORR_H
#define ALLOYSCOUT_ORR_H

#include "alloyscout/core.h"
#include "alloyscout/echem.h"
#include "alloyscout/json.h"
#include "alloyscout/lattice.h"
#include "alloyscout/oracle.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sites of the top layer, in this order everywhere (arrays indexed [adsorbate][site]). */
enum { AS_ORR_SITE_FCC = 0, AS_ORR_SITE_HCP, AS_ORR_SITE_TOP, AS_ORR_N_SITES };
/* "fcc", "hcp", "top"; NULL outside. */
AS_API const char *as_orr_site_name(int site);

typedef struct {
    size_t layers;             /* atomic (111) layers; default 4 */
    size_t shell_layers;       /* top layers made of the shell element; default 1 (the paper: 3) */
    size_t fixed_layers;       /* bottom layers held in place; default 2 */
    size_t size_a, size_b;     /* in-plane repeat of the 1x1 (111) cell; default 2 and 2 (p(2x2));
                            * must be commensurate with the core's order (checked) */
    double vacuum_ang;         /* vacuum below and above the slab, each side (ASE's fcc111 vacuum):
                          * cell height = (layers - 1) d111 + 2 vacuum; default 10 */
    char shell[AS_SYMBOL_MAX]; /* shell element; default "Pt" */
    double lattice_a, lattice_c; /* core conventional cell, Å; NAN (default): optimized with the
                                  * oracle (as_oracle_optimize_cell, tetragonal for an ordered
                                  * core, cubic for one element) */
    double height_hollow_ang, height_top_ang; /* O above the highest top-layer atom at the
                                               * start; default 1.2 and 1.8 */
    double d_oh_ang;        /* O-H bond at the start, H straight above O; default 0.98 */
    as_relax_options relax; /* FIRE (fmax default 0.03, the paper's) */
    int paper_refs;         /* 1: E(H2O) = -14.22, E(H2) = -6.76 eV (seed 004, VASP PBE: only for a
                          * PBE oracle); 0 (default): the oracle's own relaxed molecules in a
                          * box_ang cube */
    double box_ang;         /* molecule box edge; default 10 (the paper's) */
    /* ΔG = ΔE + ΔZPE - TΔS + ΔE_water (as_echem_dg); defaults (Nørskov et al. 2004, J. Phys.
     * Chem. B 108, 17886): ZPE - TS: O* 0.05, OH* 0.35 eV; water: O* 0, OH* -0.50 eV */
    double zpe_ts_o_ev, zpe_ts_oh_ev, solv_o_ev, solv_oh_ev;
    as_orr_options orr; /* volcano (as_orr_options_default) */
} as_orr_slab_options;

AS_API void as_orr_slab_options_default(as_orr_slab_options *opt);

/* The conventional 4-atom fcc-derived core cell of n = 1..3 elements, lattice constant a (and
 * c; NAN: a) in Å: n = 1 fcc X; n = 2 L1_0 AB (A at z = 0, B at z = c/2); n = 3 the paper's
 * Pt2CoM (the L1_0 cell with one of the two B sites replaced by C: A A B C). OUT: free with
 * as_structure_free. AS_EINVAL for an unknown element or n outside 1..3. */
AS_API as_status as_orr_core_create(const char *const *elements, size_t n, double a_ang,
                                    double c_ang, as_structure **out);

/* A starting lattice constant for the core of n elements before its cell fit: the mean over
 * the elements of 2 sqrt(2) r (r the element's radius; 1.4 Å when unknown), Å. */
AS_API double as_orr_core_a_guess(const char *const *elements, size_t n);

/* Build the slab on an orthogonal core cell (rows along x, y, z; atoms on the fcc sites of
 * its conventional cell): the (111) planes, in-plane cell size_a b1, size_b b2 (b1 =
 * a/2 [1 -1 0], b2 = a/2 [1 0 -1], 60 degrees), rotated so that b1 lies along x and the
 * surface normal along z, bottom layer at z = vacuum. Species from the core, the top
 * shell_layers the shell element. fixed (may be NULL) receives a new array (n; as_free) with 1
 * for the atoms of the bottom fixed_layers. AS_EINVAL when the in-plane cell is not a
 * translation of the core's order, or for options out of range. */
AS_API as_status as_orr_slab_build(const as_structure *core, const as_orr_slab_options *opt,
                                   as_structure **slab, unsigned char **fixed);

/* Add one adsorbate ("O" or "OH": ads AS_ADS_O / AS_ADS_OH) on a site of the top layer of a
 * slab made by as_orr_slab_build (same opt): O at the site's in-plane position, the height of
 * opt above the highest top-layer atom, H (OH) d_oh_ang above O. OUT: a new structure. */
AS_API as_status as_orr_add_adsorbate(const as_structure *slab, const as_orr_slab_options *opt,
                                      as_adsorbate ads, int site, as_structure **out);

typedef struct {
    double a_ang, c_ang;             /* core cell used */
    size_t n_slab;                   /* atoms of the clean slab */
    double e_slab_ev;                /* relaxed clean slab */
    double e_h2o_ev, e_h2_ev;        /* references used */
    double de_ev[2][AS_ORR_N_SITES]; /* [O, OH][site] ΔE_ads; NAN when that relaxation failed */
    int converged[2][AS_ORR_N_SITES];
    size_t steps[2][AS_ORR_N_SITES];
    double shift_ang[2][AS_ORR_N_SITES]; /* in-plane distance O moved during relaxation */
    int best_site[2];                    /* lowest site of O and OH */
    double de_o_ev, de_oh_ev, dg_o_ev, dg_oh_ev;
    as_orr_result orr; /* limiting potential, volcano position */
    size_t oracle_relaxations;
} as_orr_slab_result;

/* The whole stage for one core (as_orr_core_create, or any orthogonal fcc-derived cell): cell
 * optimization (unless opt gives the lattice), slab, clean relaxation, O* and OH* on the three
 * sites (each from the relaxed clean slab), references, ΔE, ΔG, volcano. AS_EUNSUP for an
 * oracle without forces (cmd:), AS_EINVAL for an element the oracle does not cover; a failed
 * adsorbate relaxation leaves NAN at its site (at least one site per adsorbate must succeed). */
AS_API as_status as_orr_slab_run(as_oracle *o, const as_structure *core,
                                 const as_orr_slab_options *opt, as_orr_slab_result *out);

/* One relaxation of the stage as a checkpoint keeps it: the final energy, converged flag, FIRE
 * steps, final max force, the in-plane shift of O (adsorbates; 0 otherwise) and, for the clean
 * slab only, its relaxed positions (n atoms, pos 3n Å: every adsorbate starts from them; n 0
 * and pos NULL for the others). The fitted core (tag "core") keeps its positions and its cell
 * (cell, row-major 3 x 3 Å; zero in every other record), its energy at the optimum and the
 * fit's oracle calls (steps). */
typedef struct {
    double e_final_ev;
    int converged;
    size_t steps;
    double fmax_final;
    double shift_ang;
    size_t n;
    double *pos; /* lookup: a new array (as_malloc) the stage frees with as_free */
    double cell[9];
} as_orr_relax_record;

/* An optional per-relaxation checkpoint of as_orr_slab_run_ex. Tags: "core" (the cell fit,
 * when opt gives no lattice), "slab", "H2O", "H2", "O:fcc", "O:hcp", "O:top", "OH:fcc",
 * "OH:hcp", "OH:top". Before each relaxation (and the cell fit) the stage
 * calls lookup (*found 1: the record is used and the relaxation skipped); right after a
 * relaxation that returned (converged or not) it calls store. A relaxation that failed (the
 * oracle returned an error) is not stored. Errors of either callback end the stage. The
 * caller makes the tags unique to one core, oracle and option set (the stage does not). */
typedef struct {
    void *ctx;
    as_status (*lookup)(void *ctx, const char *tag, as_orr_relax_record *out, int *found);
    as_status (*store)(void *ctx, const char *tag, const as_orr_relax_record *rec);
} as_orr_checkpoint;

/* as_orr_slab_run with a checkpoint (ck NULL: as_orr_slab_run). The result is bit for bit
 * the one of an uninterrupted run when the records round-trip their doubles exactly;
 * oracle_relaxations counts the relaxations taken from the checkpoint too. */
AS_API as_status as_orr_slab_run_ex(as_oracle *o, const as_structure *core,
                                    const as_orr_slab_options *opt, const as_orr_checkpoint *ck,
                                    as_orr_slab_result *out);

/* The result as JSON members of obj (an object; `orr --json` and the screen's "orr" object):
 * a_ang, c_ang, n_slab, e_slab_ev, e_h2o_ev, e_h2_ev, sites {O, OH: {fcc, hcp, top: {de_ev
 * (absent when that relaxation failed), converged, steps, lateral_shift_ang}, best_site}},
 * de_o_ev, de_oh_ev, dg_o_ev, dg_oh_ev, dg_ooh_ev, u_limit_v, overpotential_v,
 * potential_determining_step, volcano_offset_ev, oracle_relaxations. Numbers round-trip. */
AS_API as_status as_orr_result_json(const as_orr_slab_result *r, as_json *obj);
/* Read back what as_orr_result_json wrote (bit for bit); the volcano fields are recomputed from
 * ΔG with opt's as_orr_options (opt NULL: the defaults). AS_EPARSE naming `where` and the key. */
AS_API as_status as_orr_result_from_json(const as_json *obj, const as_orr_slab_options *opt,
                                         const char *where, as_orr_slab_result *r);
/* Every option that changes the result, as one line of text (for a store key): layers, shell,
 * fixed, size, vacuum, shell element, heights, d_oh, every FIRE setting, references, box,
 * corrections, volcano options (numbers in %.17g). buf of cap bytes (truncated: AS_EINVAL). */
AS_API as_status as_orr_options_text(const as_orr_slab_options *opt, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
