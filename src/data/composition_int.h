/* Private part of the composition code: the compiled mixing-enthalpy pairs (generated into
 * mixing_table.c by src/core/elements_gen.py) shared by mixing.c and composition.c. */
#ifndef AS_COMPOSITION_INT_H
#define AS_COMPOSITION_INT_H

#include "alloyscout/composition.h"
#include "core_int.h"

/* Row of each element (index z, 0..AS_ELEMENT_Z_MAX) in as_elements_dh_; -1 for elements
 * without properties. */
extern const signed char as_mixing_row_[AS_ELEMENT_Z_MAX + 1];
/* Takeuchi & Inoue (2005) ΔH_AB in kJ/mol, rows in the order of as_element_at; NAN when the
 * pair is not tabulated, 0 on the diagonal. */
extern const double as_elements_dh_[AS_ELEMENTS_N][AS_ELEMENTS_N];

/* Miedema's parameters of one element (data/miedema_parameters.csv: de Boer et al., Cohesion
 * in Metals, 1988, as tabulated in matminer's Miedema.csv). */
typedef struct {
    int have;            /* 1: the model uses them; 0: none, or shipped but not used (note) */
    int shipped;         /* 1: the element has a row in data/miedema_parameters.csv */
    double phi, nws, vm; /* phi* in V, n_ws in density units, molar volume in cm^3/mol */
    int valence;         /* valence electrons of Miedema's table */
    int transition;      /* Miedema's classification: 1 transition metal (valence 3..11) */
    double a, r;         /* volume-contraction constant a; hybridization constant r (R/P) */
    const char *note;    /* shipped but not used: why (not_used_because), else NULL */
} as_miedema_param;
extern const as_miedema_param as_miedema_[AS_ELEMENTS_N];

/* ΔH of the pair: Takeuchi & Inoue's value, else Miedema's model (*miedema = 1), else NAN. */
double as_pair_dh_(const as_element *a, const as_element *b, int *miedema);
/* Miedema's model for the equiatomic liquid (mixing.c), NAN without parameters. */
double as_miedema_dh_(const as_element *a, const as_element *b);
/* Why the pair a-b has no ΔH (neither Takeuchi & Inoue's value nor Miedema's parameters of
 * both): "no Miedema parameters for Te", "no Miedema parameters for Ne and Ar", or the shipped
 * element's note ("Miedema's parameters of H are not used: ..."), into buf; returns buf. */
const char *as_mixing_gap_(const as_element *a, const as_element *b, char *buf, size_t cap);

/* Row of element e (one with properties) in as_elements_dh_, = its index for as_element_at. */
size_t as_element_index_(const as_element *e);

#endif
