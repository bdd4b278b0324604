#include "common/ratelimit/redis_rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/log/log.h"
#include "redis_token_bucket.lua.h"

namespace leadflow::ratelimit {
namespace {

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(redis::Client& redis, const std::string& ns)
    : redis_(redis),
      prefix_("lf:{" + ns + "}:rate:"),
      script_(std::string(lua::kRedisTokenBucket)) {}

void RedisRateLimiter::SetLimit(const std::string& key, double rate_per_second, double burst) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!(rate_per_second > 0)) {
    limits_.erase(key);  // unlimited
    return;
  }
  const double b = burst > 0 ? burst : std::max(1.0, rate_per_second);
  const auto refill_ms = static_cast<int64_t>(std::ceil(b / rate_per_second * 1000.0));
  limits_[key] = Limit{Number(rate_per_second), Number(b), std::to_string(refill_ms + kTtlSlackMs)};
}

auth::RateDecision RedisRateLimiter::Acquire(const std::string& key) {
  Limit limit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = limits_.find(key);
    if (it == limits_.end()) return auth::RateDecision::kAllowed;
    limit = it->second;
  }
  auto reply = redis_.Eval(script_, {BucketKey(key)}, {limit.rate, limit.burst, limit.ttl_ms});
  std::string error;
  if (!reply.ok()) {
    error = reply.status().message();
  } else if (reply->type != redis::Reply::Type::kInteger) {
    error = reply->is_error() ? reply->str : "unexpected reply";
  }
  if (!error.empty()) {
    if (!failing_.exchange(true)) {
      log::Warn("rate limit unavailable: refusing until Redis answers",
                {{"key", key}, {"error", error}});
    }
    return auth::RateDecision::kUnavailable;
  }
  if (failing_.exchange(false)) log::Info("rate limit available again", {{"key", key}});
  return reply->integer == 1 ? auth::RateDecision::kAllowed : auth::RateDecision::kLimited;
}

}  // namespace leadflow::ratelimit
