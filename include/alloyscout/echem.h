/* alloyscout echem area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_ECHEM_H
#define ALLOYSCOUT_ECHEM_H

#include "alloyscout/core.h"

#endif
