// Token-bucket rate limits shared by every replica of a service: one bucket
// per key in Redis (`lf:{<ns>}:rate:<key>`, docs/state.md), refilled and taken
// from atomically by one Lua script (redis_token_bucket.lua) on the Redis
// server's clock, so N replicas together admit the configured rate, not N
// times it, whatever their own clocks say (docs/security.md, "Rate limits").
//
// Never fails open: when Redis cannot be reached, or answers with an error
// (e.g. an ACL or out-of-memory refusal), Acquire returns kUnavailable, never
// kAllowed, and the caller refuses with UNAVAILABLE / 503 (retryable). There
// is no local fallback: a replica does not know how many replicas share the
// limit (KEDA scales them), and intake cannot accept a lead without Redis
// anyway (its dedupe claim lives there).
//
// Retries: none of its own; redis::Client reconnects and retries a failed
// call once (docs/reliability.md). One round trip per Acquire.
//
// Thread-safe. Holds a reference to the client, which must outlive it.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/auth/key_rate_limiter.h"
#include "common/redis/client.h"

namespace leadflow::ratelimit {

class RedisRateLimiter final : public auth::KeyRateLimiter {
 public:
  // Buckets are the keys `lf:{<ns>}:rate:<key>` (e.g. ns "intake").
  RedisRateLimiter(redis::Client& redis, const std::string& ns);

  void SetLimit(const std::string& key, double rate_per_second, double burst) override;
  auth::RateDecision Acquire(const std::string& key) override;

  // The Redis key of `key`'s bucket.
  std::string BucketKey(const std::string& key) const { return prefix_ + key; }

  // The bucket's TTL: the time a full refill takes plus this slack.
  static constexpr int64_t kTtlSlackMs = 5000;

 private:
  struct Limit {
    std::string rate;    // ARGV[1], formatted once
    std::string burst;   // ARGV[2]
    std::string ttl_ms;  // ARGV[3]
  };

  redis::Client& redis_;
  const std::string prefix_;
  redis::Script script_;
  std::mutex mu_;  // guards limits_
  std::unordered_map<std::string, Limit> limits_;
  std::atomic<bool> failing_{false};  // logs once per outage, not per call
};

}  // namespace leadflow::ratelimit
