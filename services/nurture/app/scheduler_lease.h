// The scheduler lease (lf:{nurture}:scheduler-lease): the touch scheduler runs
// on one replica at a time, the holder of this lease (docs/architecture.md).
// A holder renews it in Redis only once a third of its TTL has passed since
// the last renewal (Hold() asks Redis again then): in between the key still
// has at least two thirds of its TTL to run, so no other replica can take it,
// and an idle scheduler polling every 100 ms costs one renewal every TTL/3
// instead of one per poll. A poll that has work to do confirms the lease in
// Redis first (Confirm()), so the scheduler never acts on the cached word
// alone, even when Redis lost the key (FLUSHALL, a restart without
// persistence) and another replica took it. Thread-safe as far as redis::Client is; Redis
// failures come back as kUnavailable.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "common/redis/client.h"

namespace leadflow::nurture {

class SchedulerLease {
 public:
  explicit SchedulerLease(redis::Client& redis) : redis_(redis) {}

  // True when `owner` holds the lease now, renewed for `ttl_ms` (at most a
  // third of it ago), or took it because it was free.
  StatusOr<bool> Hold(const std::string& owner, int64_t ttl_ms);
  // Renews the lease in Redis now for the owner the last Hold() held it for,
  // whatever the cache says: false when it was lost meanwhile. True, with no
  // Redis call, when no Hold() holds it (no lease in use: one process).
  StatusOr<bool> Confirm();

 private:
  redis::Client& redis_;
  std::mutex mu_;
  // Who renewed the lease in Redis last through this object, and when (the
  // time before the renewal was sent); empty when the last call did not hold.
  std::string renewed_by_;
  std::chrono::steady_clock::time_point renewed_at_;
  int64_t ttl_ms_ = 0;

  // Hold()'s renewal in Redis (mu_ held).
  StatusOr<bool> Renew(const std::string& owner, int64_t ttl_ms,
                       std::chrono::steady_clock::time_point now);
};

}  // namespace leadflow::nurture
