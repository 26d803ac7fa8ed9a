/* alloyscout: the umbrella header. Include this, or one area header. */
#ifndef ALLOYSCOUT_H
#define ALLOYSCOUT_H

#define ALLOYSCOUT_VERSION "0.1.0"

#include "alloyscout/core.h"
#include "alloyscout/json.h"
#include "alloyscout/interrupt.h"
#include "alloyscout/data.h"
#include "alloyscout/resample.h"
#include "alloyscout/mlp.h"
#include "alloyscout/evaluate.h"
#include "alloyscout/lattice.h"
#include "alloyscout/oracle.h"
#include "alloyscout/executor.h"
#include "alloyscout/gp.h"
#include "alloyscout/campaign.h"
#include "alloyscout/report.h"
#include "alloyscout/echem.h"
#include "alloyscout/orr.h"
#include "alloyscout/composition.h"
#include "alloyscout/synth.h"

#endif
