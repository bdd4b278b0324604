#include "scoring/domain/engagement.h"

#include <gtest/gtest.h>

#include <cmath>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/testing/scoring_test_util.h"

namespace leadflow::scoring {
namespace {

using leadflow::engagement::v1::EMAIL_CLICKED;
using leadflow::engagement::v1::UNSUBSCRIBED;
using leadflow::engagement::v1::WEBINAR_ATTENDED;

constexpr int64_t kDay = kMillisPerDay;
constexpr int64_t kT0 = 1'795'046'400'000;  // 2026-11-19T00:00:00Z, a UTC midnight

EngagementRecord Ev(const std::string& id, int type, int64_t at) { return {id, type, at}; }

class EngagementTest : public ::testing::Test {
 protected:
  EngagementTest() {
    auto m = testutil::SmallModel();  // WEBINAR_ATTENDED 15 points, cap 2/day, half-life 14 d
    auto* e = m.add_engagement();
    e->set_event_type("EMAIL_CLICKED");
    e->set_points(3);
    e->set_daily_cap(0);  // uncapped
    policy_ = testutil::SmallPolicy(m);
  }
  std::shared_ptr<const ScoringPolicy> policy_;
};

TEST(DecayTest, OneHalfLifeIsExactlyHalf) {
  for (const double half_life_days : {14.0, 1.0, 0.5, 30.0, 3.7}) {
    const auto half_life_ms = static_cast<int64_t>(std::llround(half_life_days * kDay));
    EXPECT_NEAR(DecayFactor(half_life_ms, half_life_days), 0.5, 1e-9) << half_life_days;
    EXPECT_NEAR(DecayFactor(2 * half_life_ms, half_life_days), 0.25, 1e-9) << half_life_days;
  }
  EXPECT_EQ(DecayFactor(0, 14), 1.0);
  EXPECT_EQ(DecayFactor(-5 * kDay, 14), 1.0);  // from the future: never grows
  EXPECT_LT(DecayFactor(kDay, 14), 1.0);
  EXPECT_GT(DecayFactor(kDay, 14), 0.5);
}

TEST_F(EngagementTest, DecayedValueAfterOneHalfLifeIsHalfWithinTolerance) {
  const auto s = ScoreEngagement({Ev("e1", WEBINAR_ATTENDED, kT0)}, *policy_, kT0 + 14 * kDay);
  EXPECT_NEAR(s.points, 7.5, 1e-9);
  const auto fresh = ScoreEngagement({Ev("e1", WEBINAR_ATTENDED, kT0)}, *policy_, kT0);
  EXPECT_EQ(fresh.points, 15.0);
  // Computed at read time: the same stored pair read later is worth less.
  const auto later = ScoreEngagement({Ev("e1", WEBINAR_ATTENDED, kT0)}, *policy_, kT0 + 28 * kDay);
  EXPECT_NEAR(later.points, 3.75, 1e-9);
}

TEST_F(EngagementTest, HalfLifeIsConfigurable) {
  auto m = policy_->model();
  m.set_engagement_half_life_days(7);
  auto p = testutil::SmallPolicy(m);
  EXPECT_NEAR(ScoreEngagement({Ev("e", WEBINAR_ATTENDED, kT0)}, *p, kT0 + 7 * kDay).points, 7.5,
              1e-9);
}

TEST_F(EngagementTest, DailyCapCountsTheFirstEventsOfEachUtcDay) {
  // Four webinars on day 0 (cap 2), one on day 1; read at the time of the last.
  std::vector<EngagementRecord> events = {
      Ev("w4", WEBINAR_ATTENDED, kT0 + 20 * 3'600'000),
      Ev("w1", WEBINAR_ATTENDED, kT0 + 1'000),
      Ev("w3", WEBINAR_ATTENDED, kT0 + 3'000),
      Ev("w2", WEBINAR_ATTENDED, kT0 + 2'000),
      Ev("w5", WEBINAR_ATTENDED, kT0 + kDay),  // next UTC day: counts again
  };
  const int64_t now = kT0 + kDay;
  const auto s = ScoreEngagement(events, *policy_, now);
  ASSERT_EQ(s.by_type.size(), 1u);
  EXPECT_EQ(s.by_type[0].type, WEBINAR_ATTENDED);
  EXPECT_EQ(s.by_type[0].events, 5);
  EXPECT_EQ(s.by_type[0].counted, 3);
  const double expected = 15 * DecayFactor(now - (kT0 + 1'000), 14) +
                          15 * DecayFactor(now - (kT0 + 2'000), 14) + 15.0;
  EXPECT_NEAR(s.points, expected, 1e-12);
}

TEST_F(EngagementTest, CapBoundaryIsMidnightUtc) {
  const auto s = ScoreEngagement({Ev("a", WEBINAR_ATTENDED, kT0 - 1), Ev("b", WEBINAR_ATTENDED, kT0 - 2),
                                  Ev("c", WEBINAR_ATTENDED, kT0 - 3), Ev("d", WEBINAR_ATTENDED, kT0)},
                                 *policy_, kT0);
  EXPECT_EQ(s.by_type[0].counted, 3);  // two of the three before midnight, one after
}

TEST_F(EngagementTest, ZeroCapMeansUncapped) {
  std::vector<EngagementRecord> events;
  for (int i = 0; i < 50; ++i) events.push_back(Ev("c" + std::to_string(i), EMAIL_CLICKED, kT0));
  const auto s = ScoreEngagement(events, *policy_, kT0);
  EXPECT_EQ(s.by_type[0].counted, 50);
  EXPECT_DOUBLE_EQ(s.points, 150);
}

TEST_F(EngagementTest, TypesWithoutARuleEarnNothingAndSumIsInModelOrder) {
  const auto s = ScoreEngagement({Ev("u", UNSUBSCRIBED, kT0), Ev("c", EMAIL_CLICKED, kT0),
                                  Ev("w", WEBINAR_ATTENDED, kT0), Ev("x", 999, kT0)},
                                 *policy_, kT0);
  ASSERT_EQ(s.by_type.size(), 2u);
  EXPECT_EQ(s.by_type[0].type, WEBINAR_ATTENDED);  // model order, not arrival order
  EXPECT_EQ(s.by_type[1].type, EMAIL_CLICKED);
  EXPECT_DOUBLE_EQ(s.points, s.by_type[0].points + s.by_type[1].points);
  EXPECT_DOUBLE_EQ(s.points, 18);
}

TEST_F(EngagementTest, DuplicateStoredEventCountsOnce) {
  const auto s = ScoreEngagement({Ev("w", WEBINAR_ATTENDED, kT0), Ev("w", WEBINAR_ATTENDED, kT0)},
                                 *policy_, kT0);
  EXPECT_EQ(s.by_type[0].events, 1);
  EXPECT_DOUBLE_EQ(s.points, 15);
}

TEST_F(EngagementTest, NoEventsIsZero) {
  const auto s = ScoreEngagement({}, *policy_, kT0);
  EXPECT_EQ(s.points, 0);
  EXPECT_TRUE(s.by_type.empty());
}

}  // namespace
}  // namespace leadflow::scoring
