#include "routing/domain/rep_day_cache.h"

#include <gtest/gtest.h>

#include "routing/domain/business_time.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

using std::chrono::seconds;

TEST(RepDayCache, AgreesWithRepLocalDayAcrossLocalMidnights) {
  auto policy = testutil::MustPolicy(testutil::SampleRules());
  RepDayCache cache(policy);
  // 2025-11-21 16:59:58 UTC is 23:59:58 in Novosibirsk (+7) and 19:59:58 in Moscow.
  const auto base = std::chrono::system_clock::time_point(seconds(1763744398));
  for (int step = 0; step < 5; ++step) {
    const auto now = base + seconds(step);
    for (const char* rep : {"acc-nsk", "acc-msk", "ka-a", "unknown-rep"}) {
      EXPECT_EQ(cache.Day(rep, now), RepLocalDay(*policy, rep, now)) << rep << " +" << step;
      EXPECT_EQ(cache.Day(rep, now), RepLocalDay(*policy, rep, now)) << rep << " again";
    }
  }
  EXPECT_EQ(cache.Day("acc-nsk", base), "2025-11-21");
  EXPECT_EQ(cache.Day("acc-nsk", base + seconds(2)), "2025-11-22");
  // A clock that goes back (tests, NTP) is not served a stale day.
  EXPECT_EQ(cache.Day("acc-nsk", base), "2025-11-21");
  // Reps without hours count on the UTC day.
  EXPECT_EQ(cache.Day("unknown-rep", base + seconds(2)), "2025-11-21");
}

}  // namespace
}  // namespace leadflow::routing
