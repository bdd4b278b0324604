#include "notifier/domain/retry_policy.h"

#include <gtest/gtest.h>

namespace leadflow::notifier {
namespace {

using std::chrono::milliseconds;

RetryPolicy Policy() {
  RetryPolicy p;
  p.max_attempts = 8;
  p.initial_backoff = milliseconds(100);
  p.max_backoff = milliseconds(1000);
  p.deadline = milliseconds(10000);
  return p;
}

TEST(RetryPolicyTest, CapDoublesFromInitialUpToMax) {
  const RetryPolicy p = Policy();
  EXPECT_EQ(BackoffCap(p, 1), milliseconds(100));
  EXPECT_EQ(BackoffCap(p, 2), milliseconds(200));
  EXPECT_EQ(BackoffCap(p, 3), milliseconds(400));
  EXPECT_EQ(BackoffCap(p, 4), milliseconds(800));
  EXPECT_EQ(BackoffCap(p, 5), milliseconds(1000));
  EXPECT_EQ(BackoffCap(p, 60), milliseconds(1000));  // no overflow
}

TEST(RetryPolicyTest, EqualJitterKeepsHalfTheCapFixed) {
  const RetryPolicy p = Policy();
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), milliseconds(50));
  EXPECT_EQ(BackoffDelay(p, 1, 0.5), milliseconds(75));
  EXPECT_EQ(BackoffDelay(p, 1, 0.999), milliseconds(99));
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), milliseconds(200));
  EXPECT_EQ(BackoffDelay(p, 6, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(p, 6, 1.0), milliseconds(1000));
  // Out-of-range jitter is clamped, never beyond the cap.
  EXPECT_EQ(BackoffDelay(p, 6, 7.0), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 6, -1.0), milliseconds(500));
}

TEST(RetryPolicyTest, ScheduleIsMonotonicWithoutJitter) {
  const RetryPolicy p = Policy();
  for (int n = 1; n < 10; ++n) EXPECT_LE(BackoffDelay(p, n, 0.0), BackoffDelay(p, n + 1, 0.0));
}

}  // namespace
}  // namespace leadflow::notifier
