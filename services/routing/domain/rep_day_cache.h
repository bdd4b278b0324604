// RepLocalDay (business_time.h) remembered per time zone for the current
// minute: every rep-state read and every claim needs the daily-count key of
// its reps, and a zone conversion plus formatting per rep per lead was a
// measurable share of routing's CPU. Zone offsets and their transitions fall
// on whole minutes, so a local day never changes inside a UTC minute.
//
// Threading: thread-safe (one short mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

class RepDayCache {
 public:
  explicit RepDayCache(std::shared_ptr<const RoutingPolicy> policy) : policy_(std::move(policy)) {}

  // Same as RepLocalDay(policy, rep_id, now).
  std::string Day(const std::string& rep_id, std::chrono::system_clock::time_point now);

 private:
  struct Entry {
    int64_t minute = INT64_MIN;
    std::string day;
  };
  std::shared_ptr<const RoutingPolicy> policy_;
  std::mutex mu_;
  std::map<const TimeZone*, Entry> by_zone_;  // nullptr: reps without hours (UTC)
};

}  // namespace leadflow::routing
