/* The compiled element table (generated into elements_table.c by elements_gen.py), shared by
 * elements.c and the generated file only. */
#ifndef AS_ELEMENTS_INT_H
#define AS_ELEMENTS_INT_H

#include "core_int.h"

/* Index z = 0..AS_ELEMENT_Z_MAX (entry 0 is no element); name NULL without properties. */
extern const as_element as_elements_[AS_ELEMENT_Z_MAX + 1];
/* Atomic numbers of the AS_ELEMENTS_N elements with properties, ascending. */
extern const unsigned char as_elements_tab_[AS_ELEMENTS_N];

#endif
