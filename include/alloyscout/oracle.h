/* alloyscout oracle area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_ORACLE_H
#define ALLOYSCOUT_ORACLE_H

#include "alloyscout/core.h"

#endif
