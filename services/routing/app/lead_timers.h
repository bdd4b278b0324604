// Running timers of leads, a zset lead_id -> due (unix ms) that survives
// restarts: the SLA timers (lf:{routing}:sla, started by claims:
// lead_claims.h) and the deal-stage stall timers (lf:{routing}:stalls, armed
// by stage feedback; stall_timers.h).
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"

namespace leadflow::routing {

class LeadTimers {
 public:
  // `key`: the timers' zset; `name` names them in errors ("sla", "stalls").
  LeadTimers(redis::Client& redis, std::string key, std::string name)
      : redis_(redis), key_(std::move(key)), name_(std::move(name)) {}

  // Timers due at or before `now_ms`, earliest first: (lead_id, due_ms).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> Due(int64_t now_ms, int limit);
  // Stops a timer; with `due_ms` (> 0) only while it is still due then.
  Status Stop(const std::string& lead_id, int64_t due_ms = 0);
  // Only while the timer is still due at `expected_due_ms` (nobody re-armed
  // it meanwhile): re-arm it at `new_due_ms`, or stop it when that is 0.
  Status CompareAndSet(const std::string& lead_id, int64_t expected_due_ms, int64_t new_due_ms);

 protected:
  redis::Client& redis_;
  const std::string key_;
  const std::string name_;
};

}  // namespace leadflow::routing
