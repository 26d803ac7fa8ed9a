/* alloyscout mlp area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_MLP_H
#define ALLOYSCOUT_MLP_H

#include "alloyscout/core.h"

#endif
