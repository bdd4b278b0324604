// The deal-stage stall timers (lf:{routing}:stalls, lead_timers.h), and the
// stall they fire: recorded in the lead's feedback hash (lf:{routing}:fb).
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <string>

#include "routing/app/lead_timers.h"

namespace leadflow::routing {

class StallTimers : public LeadTimers {
 public:
  explicit StallTimers(redis::Client& redis);

  // Records the stall of the lead's stage, atomically: only while its stall
  // timer is still due at `due_ms` and the stage is still the one entered at
  // `stage_version`; stops the timer and sets the tags' stalled version.
  // False when either changed meanwhile (another replica fired it, or the
  // deal moved or closed).
  StatusOr<bool> MarkStalled(const std::string& lead_id, int64_t due_ms, int64_t stage_version,
                             int64_t stall_version);
};

}  // namespace leadflow::routing
