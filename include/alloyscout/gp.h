/* alloyscout gp area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_GP_H
#define ALLOYSCOUT_GP_H

#include "alloyscout/core.h"

#endif
