/* alloyscout data area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_DATA_H
#define ALLOYSCOUT_DATA_H

#include "alloyscout/core.h"

#endif
