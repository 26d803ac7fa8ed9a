/* alloyscout report area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_REPORT_H
#define ALLOYSCOUT_REPORT_H

#include "alloyscout/core.h"

#endif
