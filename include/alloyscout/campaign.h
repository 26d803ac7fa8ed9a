/* alloyscout campaign area (being written; see docs/architecture.md). */
#ifndef ALLOYSCOUT_CAMPAIGN_H
#define ALLOYSCOUT_CAMPAIGN_H

#include "alloyscout/core.h"

#endif
