/* Private part of the composition code: the compiled element table (generated into
 * elements_table.c by elements_gen.py) shared by elements.c and composition.c. */
#ifndef AS_COMPOSITION_INT_H
#define AS_COMPOSITION_INT_H

#include "alloyscout/composition.h"
#include "core_int.h"

#define AS_ELEMENTS_N 43

/* Elements in order of atomic number. */
extern const as_element as_elements_table_[AS_ELEMENTS_N];
/* Takeuchi & Inoue (2005) ΔH_AB in kJ/mol, indexed like as_elements_table_; NAN when the pair
 * is not tabulated, 0 on the diagonal. */
extern const double as_elements_dh_[AS_ELEMENTS_N][AS_ELEMENTS_N];

/* Index of element e in as_elements_table_. */
size_t as_element_index_(const as_element *e);

#endif
