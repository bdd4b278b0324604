// Per-key rate limits (e.g. per intake source) behind one interface, so a
// caller can take the in-process bucket (auth::RateLimiter, one replica) or
// the bucket shared by every replica in Redis (ratelimit::RedisRateLimiter).
// How the limits hold across replicas: docs/security.md, "Rate limits".
//
// Implementations are thread-safe. Keys must come from a bounded set
// (configured principals).
#pragma once

#include <string>

namespace leadflow::auth {

enum class RateDecision {
  kAllowed,      // a token was taken
  kLimited,      // the bucket is empty: RESOURCE_EXHAUSTED / 429
  kUnavailable,  // the limit could not be checked (e.g. Redis unreachable or
                 // refusing): never "allowed"; UNAVAILABLE / 503, retryable
};

class KeyRateLimiter {
 public:
  virtual ~KeyRateLimiter() = default;

  // Sets (or replaces) the limit of `key`: `rate_per_second` tokens a second
  // up to `burst` tokens. rate_per_second <= 0 means unlimited; burst <= 0
  // means max(1, rate_per_second). Call before the first Acquire of the key.
  virtual void SetLimit(const std::string& key, double rate_per_second, double burst) = 0;

  // Takes one token from `key`'s bucket. Keys without a limit are kAllowed.
  virtual RateDecision Acquire(const std::string& key) = 0;
};

}  // namespace leadflow::auth
