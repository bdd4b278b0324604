// The scheduler lease (lf:{nurture}:scheduler-lease): the touch scheduler runs
// on one replica at a time, the holder of this lease (docs/architecture.md).
// Thread-safe as far as redis::Client is; Redis failures come back as
// kUnavailable.
#pragma once

#include <string>

#include "common/redis/client.h"

namespace leadflow::nurture {

class SchedulerLease {
 public:
  explicit SchedulerLease(redis::Client& redis) : redis_(redis) {}

  // True when `owner` holds the lease now, renewed for `ttl_ms`, or took it
  // because it was free.
  StatusOr<bool> Hold(const std::string& owner, int64_t ttl_ms);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
