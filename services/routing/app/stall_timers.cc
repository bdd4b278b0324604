#include "routing/app/stall_timers.h"

#include "common/redis/reply.h"
#include "common/redis/embedded_script.h"
#include "routing/app/routing_keys.h"
#include "stall_timers_mark_stalled.lua.h"

namespace leadflow::routing {

StallTimers::StallTimers(redis::Client& redis) : LeadTimers(redis, StallTimersKey(), "stalls") {}

StatusOr<bool> StallTimers::MarkStalled(const std::string& lead_id, int64_t due_ms,
                                        int64_t stage_version, int64_t stall_version) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kStallTimersMarkStalled>(),
                       {key_, FeedbackKey(lead_id), RoutingStateKey()},
                       {lead_id, std::to_string(due_ms), std::to_string(stage_version),
                        std::to_string(stall_version)});
  if (!r.ok()) return r.status();
  auto marked = redis::ExpectInteger(*r, "stall script");
  if (!marked.ok()) return marked.status();
  return *marked == 1;
}

}  // namespace leadflow::routing
