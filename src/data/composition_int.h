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

/* Row of element e (one with properties) in as_elements_dh_, = its index for as_element_at. */
size_t as_element_index_(const as_element *e);

#endif
