#include "nurture/app/scheduler_lease.h"

#include "common/redis/embedded_script.h"
#include "nurture/app/nurture_keys.h"
#include "nurture/app/nurture_replies.h"
#include "scheduler_lease.lua.h"

namespace leadflow::nurture {

StatusOr<bool> SchedulerLease::Hold(const std::string& owner, int64_t ttl_ms) {
  redis::Script& script = redis::EmbeddedScript<lua::kSchedulerLease>();
  return IntegerIsOne(redis_.Eval(script, {std::string(kNurtureKeyPrefix) + "scheduler-lease"},
                                  {owner, std::to_string(ttl_ms)}),
                      "scheduler lease");
}

}  // namespace leadflow::nurture
