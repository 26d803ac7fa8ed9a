/* Private declarations of the oracle area: the Zhou 2004 parameter table, setfl tables and
 * their LAMMPS-style splines, the periodic neighbour list, the EAM kernel and the backends.
 * Formulas: data/zhou2004_eam_params.md; interpolation: LAMMPS pair_eam.cpp (docs/oracle.md). */
#ifndef AS_ORACLE_INT_H
#define AS_ORACLE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "alloyscout/oracle.h"
#include "core_int.h"

/* ---- Zhou, Johnson, Wadley, PRB 69, 144113 (2004) parameters (zhou.c) ---- */
typedef struct {
    char el[AS_SYMBOL_MAX];
    double re, fe, rhoe, rhos, alpha, beta, A, B, cai, ramda;
    double Fi0, Fi1, Fi2, Fi3, Fm0, Fm1, Fm2, Fm3, fnn, Fn;
    double ielement, amass, Fm4, beta1, ramda1, rhol, rhoh;
} as_zhou_params;

/* The table (17 rows, same order and values as data/zhou2004_eam_params.tsv). */
extern const as_zhou_params as_zhou_table[];
extern const size_t as_zhou_count;
/* Row for a symbol, NULL if not covered. */
const as_zhou_params *as_zhou_find(const char *symbol);
/* The analytic functions (s = r/re), each with its derivative (NULL allowed). */
double as_zhou_phi(const as_zhou_params *p, double r, double *dphi);
double as_zhou_f(const as_zhou_params *p, double r, double *df);
double as_zhou_F(const as_zhou_params *p, double rho, double *dF);
/* Cross pair by the mixing rule (a == b gives phi_aa). */
double as_zhou_phi_ab(const as_zhou_params *a, const as_zhou_params *b, double r, double *dphi);

/* ---- setfl tables and splines (eam.c) ---- */
typedef struct {
    size_t n_el;
    char (*el)[AS_SYMBOL_MAX]; /* (n_el) */
    int *z;                    /* (n_el) atomic numbers */
    double *mass, *blat;       /* (n_el) */
    char (*lattype)[16];       /* (n_el) "fcc" ... */
    int nrho, nr;
    double drho, dr, rc;
    double *frho; /* (n_el, nrho) F at rho_k = k drho */
    double *rhor; /* (n_el, nr) f at r_k = k dr */
    double *z2r;  /* (n_el (n_el+1)/2, nr), lower triangle i >= j, row by row: r*phi */
    char comment[3][256];
} as_setfl;

void as_setfl_free(as_setfl *t);
/* Tabulate the Zhou functions for the given elements (grid rules of the .md). */
as_status as_setfl_from_zhou(const char *const *elements, size_t n_el, int nrho, int nr,
                             as_setfl **out);
as_status as_setfl_read(const char *path, as_setfl **out);
as_status as_setfl_write(const as_setfl *t, const char *path);

/* A periodic neighbour list: local atoms plus periodic images ("ghosts"), and a half list of
 * pairs (i local, k local-or-ghost), each physical pair once. */
typedef struct {
    double cutoff;   /* list radius, Å */
    size_t n, n_all; /* local atoms, local + ghost */
    size_t cap_all;
    double *x;     /* (n_all, 3) Cartesian positions */
    double *shift; /* (n_all, 3) x[k] = pos[owner[k]] + shift[k] */
    size_t *owner; /* (n_all) */
    size_t *first; /* (n + 1) CSR offsets into nb */
    uint32_t *nb;  /* pair partners (indices into x) */
    size_t cap_nb;
    double cell[9]; /* cell at build */
    double *pos0;   /* (n, 3) positions at build */
    int valid;
} as_nlist;

void as_nlist_clear(as_nlist *nl);
/* Build (or reuse when every atom moved less than skin/2 and the cell is unchanged) the list
 * for radius `cutoff` + skin. *rebuilt tells which happened (may be NULL). */
/* Drop the list unless it was built at exactly these positions, cell and atom count (bitwise):
 * what follows then gives the bits a fresh list gives, whatever was computed before. */
void as_nlist_forget_unless_at(as_nlist *nl, const double *cell, const double *pos, size_t n);
as_status as_nlist_update(as_nlist *nl, const double *cell, const double *pos, size_t n,
                          double cutoff, double skin, int *rebuilt);
/* Perpendicular widths of the cell (Å) and the inverse of the row matrix; AS_EINVAL if the cell
 * is singular. */
as_status as_cell_inverse(const double *cell, double *inv, double *width);

/* The EAM evaluator: splines (LAMMPS's 7-coefficient scheme) or analytic Zhou functions. */
typedef struct {
    as_setfl *tab;             /* owned */
    int analytic;              /* 1: evaluate Zhou functions directly (no tables) */
    const as_zhou_params **zp; /* (n_el) for analytic mode */
    double rc, rcsq, rdr, rdrho, rhomax;
    double *frho_spl; /* (n_el, nrho + 1, 7) */
    double *rhor_spl; /* (n_el, nr + 1, 7) */
    double *z2r_spl;  /* (n_pairs, nr + 1, 7) */
    /* workspace */
    as_nlist nl;
    double *rho, *fp;
    int *type; /* (n) element index per atom */
    size_t cap;
    double skin;
} as_eam;

/* Takes ownership of tab (also on failure). */
as_status as_eam_create_tab(as_setfl *tab, as_eam **out);
as_status as_eam_create_analytic(const char *const *elements, size_t n_el, as_eam **out);
void as_eam_free(as_eam *e);
/* Element index for a symbol, -1 if absent. */
int as_eam_element(const as_eam *e, const char *symbol);
/* Energy, per-atom energies (n), forces (n, 3) and stress (6, Voigt xx yy zz yz xz xy, eV/Å^3,
 * ASE's sign: (1/V) dE/dstrain, from the pair virial); any OUT may be NULL. */
as_status as_eam_compute(as_eam *e, const as_structure *s, double *energy, double *e_atom,
                         double *forces, double *stress);
/* LAMMPS interpolate(): f[1..n] (1-based, f[0] unused) -> spline (n + 1, 7). */
void as_eam_interpolate(int n, double delta, const double *f, double *spline);

/* ---- external-command backend (cmd.c) ---- */
typedef struct as_cmd as_cmd;
as_status as_cmd_create(const char *argv_text, const as_oracle_options *opt, as_cmd **out);
void as_cmd_free(as_cmd *c);
/* Word i of the argv template (after relative file names were made absolute), NULL past the
 * end. */
const char *as_cmd_word(const as_cmd *c, size_t i);
/* Run the program on n structures, up to opt->jobs at once, as a relaxation request (relax = 1,
 * criterion fmax eV/Å: {relax} and {fmax}) or an energy request. results[i] filled for each;
 * relaxed[i] (when relaxed is not NULL) receives the program's output structure (positions,
 * cell, forces when given, the free-form metadata as info) of each label. done (may be NULL)
 * is called as soon as each structure is finished (success or final failure) with that output
 * structure (NULL on failure); a failing status from it stops the batch.
 * Returns AS_OK even if some jobs failed (their result says so). */
typedef as_status (*as_cmd_done_fn)(void *user, size_t i, const as_label_result *r,
                                    const as_structure *relaxed);
as_status as_cmd_run_batch(as_cmd *c, const as_structure *const *s, size_t n, int relax,
                           double fmax, as_label_result *results, as_structure **relaxed,
                           as_cmd_done_fn done, void *user);

/* ---- the files an oracle depends on (oracle.c): a content hash cached by path, mtime, size ---- */
/* Fold the content hash of the file at path (when it is a regular file) into *h; returns 1 when
 * hashed, 0 when there is no such file. */
int as_dep_hash_file(const char *path, uint64_t *h);
/* Fold every regular file of a directory (sorted by name; one level) into *h; 1 when hashed. */
int as_dep_hash_dir(const char *dir, uint64_t *h);

/* ---- LAMMPS library backend (lammps.c) ---- */
typedef struct as_lmp as_lmp;
as_status as_lmp_create(const char *spec, as_lmp **out);
void as_lmp_free(as_lmp *l);
as_status as_lmp_compute(as_lmp *l, const as_structure *s, double *energy, double *e_atom,
                         double *forces);
/* Set NAME=VALUE in the worker process's environment (before its LAMMPS starts; at most 8). */
as_status as_lmp_setenv(as_lmp *l, const char *name, const char *value);
/* Limit of one structure's computation, s (0 or INFINITY: none); past it the worker is killed
 * and the structure fails with AS_ETIMEOUT. */
void as_lmp_set_timeout(as_lmp *l, double timeout_s);
/* Run the worker in this directory (relative paths of pair_coeff then resolve there). */
as_status as_lmp_set_cwd(as_lmp *l, const char *dir);
/* Rotate a cell into LAMMPS's restricted triclinic form: lo = (xx, yy, zz, xy, xz, yz) and the
 * rotation R (rows) so that r_lammps = R r. */
as_status as_lmp_box(const double *cell, double *box6, double *rot);

/* ---- ASE backend (ase.c): a persistent Python worker holding one ASE calculator ---- */
typedef struct as_ase as_ase;
/* spec is the text after "ase:"; *desc and *elements are new strings (as_free). */
as_status as_ase_create(const char *spec, const as_oracle_options *opt, as_ase **out, char **desc,
                        char **elements);
void as_ase_free(as_ase *a);
/* Any OUT may be NULL; stress (6, Voigt xx yy zz yz xz xy, eV/Å^3, ASE's sign). AS_EORACLE for
 * a calculator error or a dead / timed-out worker (the message says which), AS_EUNSUP when
 * stress or per-atom energies were asked of a calculator without them. cont = 1: s is the next
 * step of the relaxation the previous call belonged to (same atoms and cell), so the worker
 * keeps its calculator and a DFT code starts from the previous step's density and wave
 * functions; the first step of a relaxation and every single point pass 0 (a fresh calculator,
 * no history). */
as_status as_ase_compute(as_ase *a, const as_structure *s, int cont, double *energy, double *e_atom,
                         double *forces, double *stress);
int as_ase_has_stress(const as_ase *a);

/* ---- assembled 2NN-MEAM backend (meam.c), run by the LAMMPS worker through pair_style kim ---- */
typedef struct as_meam as_meam;
/* list: "Pt,Co,Cu" (one fixed system) or NULL (the system of each structure: its symbols). */
as_status as_meam_create(const char *list, as_meam **out, char **desc, char **elements);
void as_meam_free(as_meam *m);
as_status as_meam_compute(as_meam *m, const as_structure *s, double *energy, double *e_atom,
                          double *forces);
int as_meam_fixed_supports(const as_meam *m, const char *el);
/* The LAMMPS workers' limit per structure (as_lmp_set_timeout), for models made from now on. */
void as_meam_set_timeout(as_meam *m, double timeout_s);
/* 1 if every pair of these elements has a source; else 0 and the reason in why (may be NULL) */
int as_meam_covers(const char *const *el, size_t n, char *why, size_t cap);
const char *as_meam_elements_text(void);
/* meam: fold the KIM model module and the KIM portable models it reads into *h. */
void as_meam_dep_hash(const as_meam *m, uint64_t *h);

/* worker_io.c: the pipes to worker processes. send: 0, or -1 when the peer is gone. recv: 0,
 * -1 at end of file or on error, -2 when the deadline (as_worker_now_s() time; INFINITY: none)
 * passed. */
double as_worker_now_s(void);
int as_worker_send_all(int fd, const void *p, size_t len);
int as_worker_recv_all(int fd, void *p, size_t len, double deadline);

#endif
