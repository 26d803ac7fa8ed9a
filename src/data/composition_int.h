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
    int have;            /* 0: the element has no Miedema parameters */
    double phi, nws, vm; /* phi* in V, n_ws in density units, molar volume in cm^3/mol */
    int valence;         /* 3..11: transition metal in the model's sense */
    double a, r;         /* volume-contraction constant a; hybridization constant r */
} as_miedema_param;
extern const as_miedema_param as_miedema_[AS_ELEMENTS_N];

/* ΔH of the pair: Takeuchi & Inoue's value, else Miedema's model (*miedema = 1), else NAN. */
double as_pair_dh_(const as_element *a, const as_element *b, int *miedema);
/* Miedema's model for the equiatomic liquid (mixing.c), NAN without parameters. */
double as_miedema_dh_(const as_element *a, const as_element *b);

/* Row of element e (one with properties) in as_elements_dh_, = its index for as_element_at. */
size_t as_element_index_(const as_element *e);

#endif
