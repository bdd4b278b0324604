// How much faster than real time a demo or an e2e test runs a slow business
// clock (nurture's schedule, routing's deal stages): a factor from an
// environment variable, never set in production.
#pragma once

#include "common/util/status.h"

namespace leadflow {

// The factor in `variable`: 1 when unset or empty; kInvalidArgument naming
// the variable and its value unless it is a number in 1..10,000,000.
StatusOr<double> TimeScaleFromEnv(const char* variable);

}  // namespace leadflow
