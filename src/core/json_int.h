/* Internal JSON helpers: the public builder/reader is include/alloyscout/json.h. */
#ifndef AS_JSON_INT_H
#define AS_JSON_INT_H

#include "alloyscout/json.h"
#include "core_int.h"

#endif
