#include "routing/app/lead_timers.h"

#include "common/redis/reply.h"
#include "lead_timers_compare_and_set.lua.h"
#include "common/redis/embedded_script.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

StatusOr<std::vector<std::pair<std::string, int64_t>>> LeadTimers::Due(int64_t now_ms, int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", key_, "-inf", std::to_string(now_ms), "WITHSCORES", "LIMIT",
                       "0", std::to_string(limit)});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "ZRANGEBYSCORE " + key_); !s.ok()) return s;
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    int64_t due = 0;
    try {
      due = static_cast<int64_t>(std::stod(r->elements[i + 1].str));
    } catch (...) {
    }
    out.emplace_back(r->elements[i].str, due);
  }
  return out;
}

Status LeadTimers::Stop(const std::string& lead_id, int64_t due_ms) {
  if (due_ms != 0) return CompareAndSet(lead_id, due_ms, 0);
  auto r = redis_.Run({"ZREM", key_, lead_id});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "ZREM " + name_);
}

Status LeadTimers::CompareAndSet(const std::string& lead_id, int64_t expected_due_ms,
                                 int64_t new_due_ms) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kLeadTimersCompareAndSet>(),
                       {key_, RoutingStateKey()},
                       {lead_id, std::to_string(expected_due_ms), std::to_string(new_due_ms)});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, name_ + " timer script");
}

}  // namespace leadflow::routing
