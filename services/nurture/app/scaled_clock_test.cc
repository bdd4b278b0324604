#include "nurture/app/scaled_clock.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace leadflow::nurture {
namespace {

TEST(ScaledClock, MapsRealTimeFromTheOriginToScheduleTimeFromTheStart) {
  FakeClock real(1'000'000);
  ScaledClock c(real, 3600, 1'000'000, 5'000'000);
  EXPECT_EQ(c.NowMillis(), 5'000'000);
  real.Advance(std::chrono::seconds(1));
  EXPECT_EQ(c.NowMillis(), 5'000'000 + 3600 * 1000);  // one schedule hour per real second
  ScaledClock same(real, 1, 1'000'000, 1'000'000);
  EXPECT_EQ(same.NowMillis(), real.NowMillis());
}

TEST(ScaledClock, FromEnvValidatesEveryVariable) {
  FakeClock real(42'000);
  ::unsetenv("LEADFLOW_NURTURE_TIME_SCALE");
  ::unsetenv("LEADFLOW_NURTURE_TIME_ORIGIN_MS");
  ::unsetenv("LEADFLOW_NURTURE_TIME_START_MS");
  auto plain = ScaledClock::FromEnv(real);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->NowMillis(), 42'000);  // default: real time
  ::setenv("LEADFLOW_NURTURE_TIME_SCALE", "fast", 1);
  auto bad = ScaledClock::FromEnv(real);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("LEADFLOW_NURTURE_TIME_SCALE"), std::string::npos);
  ::setenv("LEADFLOW_NURTURE_TIME_SCALE", "0.5", 1);  // schedule never runs slower
  EXPECT_FALSE(ScaledClock::FromEnv(real).ok());
  ::setenv("LEADFLOW_NURTURE_TIME_SCALE", "60", 1);
  ::setenv("LEADFLOW_NURTURE_TIME_ORIGIN_MS", "40000", 1);
  ::setenv("LEADFLOW_NURTURE_TIME_START_MS", "x", 1);
  EXPECT_FALSE(ScaledClock::FromEnv(real).ok());
  ::setenv("LEADFLOW_NURTURE_TIME_START_MS", "1000000", 1);
  auto scaled = ScaledClock::FromEnv(real);
  ASSERT_TRUE(scaled.ok()) << scaled.status().message();
  EXPECT_EQ(scaled->NowMillis(), 1'000'000 + 2'000 * 60);
  ::unsetenv("LEADFLOW_NURTURE_TIME_SCALE");
  ::unsetenv("LEADFLOW_NURTURE_TIME_ORIGIN_MS");
  ::unsetenv("LEADFLOW_NURTURE_TIME_START_MS");
}

}  // namespace
}  // namespace leadflow::nurture
