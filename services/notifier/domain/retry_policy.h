// One delivery's retry policy (NotifierRetryPolicy, validated) and its
// backoff schedule. Pure; thread-safe.
#pragma once

#include <chrono>

namespace leadflow::notifier {

struct RetryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  // The whole delivery: no attempt starts later than this after the first.
  std::chrono::milliseconds deadline{120000};
};

// The wait after failed attempt `attempt` (1-based): the cap
// min(max_backoff, initial_backoff * 2^(attempt-1)), half of it fixed and half
// scaled by `jitter` in [0, 1) ("equal jitter"), so retries of many events
// spread out but never come sooner than half the cap.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double jitter);

// The cap above, without jitter.
std::chrono::milliseconds BackoffCap(const RetryPolicy& policy, int attempt);

}  // namespace leadflow::notifier
