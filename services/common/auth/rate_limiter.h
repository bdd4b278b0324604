// Token-bucket rate limits per key (e.g. per intake source): each key gets
// `rate_per_second` tokens per second and may burst up to `burst` tokens.
// Time comes from an injected Clock, so tests are deterministic. The buckets
// live in this process: with several replicas each has its own, so use
// ratelimit::RedisRateLimiter for a limit that holds across replicas.
//
// Thread-safe (one mutex; the critical section is a few arithmetic ops).
// Keys must come from a bounded set (configured principals), since each key
// keeps a bucket for the life of the limiter.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "common/auth/key_rate_limiter.h"
#include "common/util/clock.h"

namespace leadflow::auth {

class RateLimiter final : public KeyRateLimiter {
 public:
  // The clock must outlive the limiter.
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}

  // Sets (or replaces) the limit of `key`. rate_per_second <= 0 means
  // unlimited. burst <= 0 means max(1, rate_per_second). Buckets start full.
  void SetLimit(const std::string& key, double rate_per_second, double burst) override;
  void SetLimit(const std::string& key, double rate_per_second) {
    SetLimit(key, rate_per_second, 0);
  }

  // Takes one token from `key`'s bucket; false when it is empty (the caller
  // answers RESOURCE_EXHAUSTED / 429). Keys without a limit always pass.
  bool TryAcquire(const std::string& key);
  // TryAcquire as a RateDecision (never kUnavailable).
  RateDecision Acquire(const std::string& key) override {
    return TryAcquire(key) ? RateDecision::kAllowed : RateDecision::kLimited;
  }

 private:
  struct Bucket {
    double rate = 0;
    double burst = 0;
    double tokens = 0;
    int64_t last_ms = 0;
  };
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace leadflow::auth
