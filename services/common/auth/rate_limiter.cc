#include "common/auth/rate_limiter.h"

#include <algorithm>

namespace leadflow::auth {

void RateLimiter::SetLimit(const std::string& key, double rate_per_second, double burst) {
  std::lock_guard<std::mutex> lock(mu_);
  Bucket b;
  b.rate = rate_per_second;
  b.burst = burst > 0 ? burst : std::max(1.0, rate_per_second);
  b.tokens = b.burst;
  b.last_ms = clock_.NowMillis();
  buckets_[key] = b;
}

bool RateLimiter::TryAcquire(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end() || it->second.rate <= 0) return true;
  Bucket& b = it->second;
  const int64_t now = clock_.NowMillis();
  // A clock that steps back must not mint tokens or stall the bucket.
  if (now > b.last_ms) {
    b.tokens = std::min(b.burst, b.tokens + b.rate * static_cast<double>(now - b.last_ms) / 1000.0);
    b.last_ms = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace leadflow::auth
