/* alloyscout resample area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_RESAMPLE_H
#define ALLOYSCOUT_RESAMPLE_H

#include "alloyscout/core.h"

#endif
