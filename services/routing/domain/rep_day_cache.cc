#include "routing/domain/rep_day_cache.h"

#include "routing/domain/business_time.h"

namespace leadflow::routing {

std::string RepDayCache::Day(const std::string& rep_id, std::chrono::system_clock::time_point now) {
  const RepPolicy* rp = policy_->FindRep(rep_id);
  const TimeZone* zone = rp != nullptr ? rp->zone.get() : nullptr;
  const int64_t minute = std::chrono::floor<std::chrono::minutes>(now).time_since_epoch().count();
  std::lock_guard lock(mu_);
  Entry& e = by_zone_[zone];
  if (e.minute != minute) {
    e.day = RepLocalDay(*policy_, rep_id, now);
    e.minute = minute;
  }
  return e.day;
}

}  // namespace leadflow::routing
