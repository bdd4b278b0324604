#include "nurture/app/scheduler_lease.h"

#include "common/redis/embedded_script.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"
#include "scheduler_lease.lua.h"

namespace leadflow::nurture {

StatusOr<bool> SchedulerLease::Hold(const std::string& owner, int64_t ttl_ms) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!owner.empty() && owner == renewed_by_ &&
      now - renewed_at_ < std::chrono::milliseconds(ttl_ms / 3)) {
    return true;  // renewed less than a third of the TTL ago: still ours
  }
  return Renew(owner, ttl_ms, now);
}

StatusOr<bool> SchedulerLease::Confirm() {
  std::lock_guard lock(mu_);
  if (renewed_by_.empty()) return true;
  return Renew(renewed_by_, ttl_ms_, std::chrono::steady_clock::now());
}

StatusOr<bool> SchedulerLease::Renew(const std::string& owner, int64_t ttl_ms,
                                     std::chrono::steady_clock::time_point now) {
  redis::Script& script = redis::EmbeddedScript<lua::kSchedulerLease>();
  auto held = IntegerIsOne(redis_.Eval(script, {std::string(kNurtureKeyPrefix) + "scheduler-lease"},
                                       {owner, std::to_string(ttl_ms)}),
                           "scheduler lease");
  renewed_by_ = held.ok() && *held ? owner : std::string();
  renewed_at_ = now;
  ttl_ms_ = ttl_ms;
  return held;
}

}  // namespace leadflow::nurture
