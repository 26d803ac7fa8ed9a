/* alloyscout evaluate area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_EVALUATE_H
#define ALLOYSCOUT_EVALUATE_H

#include "alloyscout/core.h"

#endif
