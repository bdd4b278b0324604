#include "nurture/app/scheduler_lease.h"

#include "nurture/app/nurture_keys.h"
#include "scheduler_lease.lua.h"

namespace leadflow::nurture {

StatusOr<bool> SchedulerLease::Hold(const std::string& owner, int64_t ttl_ms) {
  static redis::Script script{std::string(lua::kSchedulerLease)};
  auto r = redis_.Eval(script, {std::string(kNurtureKeyPrefix) + "scheduler-lease"},
                       {owner, std::to_string(ttl_ms)});
  if (!r.ok()) return r.status();
  auto held = redis::ExpectInteger(*r, "scheduler lease");
  if (!held.ok()) return held.status();
  return *held == 1;
}

}  // namespace leadflow::nurture
