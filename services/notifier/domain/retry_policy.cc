#include "notifier/domain/retry_policy.h"

#include <algorithm>

namespace leadflow::notifier {

std::chrono::milliseconds BackoffCap(const RetryPolicy& policy, int attempt) {
  int64_t cap = policy.initial_backoff.count();
  const int64_t max = policy.max_backoff.count();
  for (int i = 1; i < attempt && cap < max; ++i) cap *= 2;
  return std::chrono::milliseconds(std::min(cap, max));
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double jitter) {
  const int64_t cap = BackoffCap(policy, attempt).count();
  jitter = std::clamp(jitter, 0.0, 1.0);
  const int64_t half = cap / 2;
  return std::chrono::milliseconds(cap - half + static_cast<int64_t>(jitter * half));
}

}  // namespace leadflow::notifier
