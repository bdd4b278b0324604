#include "nurture/domain/touch_plan.h"

#include <gtest/gtest.h>

#include "nurture/domain/audience_guard.h"
#include "nurture/testing/nurture_test_util.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;

TEST(TouchPlan, IdsAndCumulativeDueTimes) {
  auto p = testutil::MustPolicy(testutil::SampleConfig());
  const auto* track = p->FindTrack("p-general");
  const std::string eid = EnrolmentId("lead-7", "p-general");
  EXPECT_EQ(eid, "lead-7:p-general");
  auto plan = PlanTouches(*p, *track, eid, 1000);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0].touch_id, "lead-7:p-general:0");
  EXPECT_EQ(plan[0].due_ms, 1000);  // delay 0: due at enrolment
  EXPECT_EQ(plan[0].topic, "analytics");
  EXPECT_EQ(plan[0].channel, cv1::EMAIL);
  EXPECT_EQ(plan[1].touch_id, "lead-7:p-general:1");
  EXPECT_EQ(plan[1].due_ms, 1000 + 24 * 3600 * 1000LL);
  EXPECT_EQ(plan[1].content_id, "p-results");
  EXPECT_EQ(plan[2].due_ms, 1000 + 48 * 3600 * 1000LL);
  EXPECT_EQ(plan[2].step, 2);
}

TEST(TouchPlan, ParseTouchIdSplitsAtTheLastColon) {
  auto t = ParseTouchId("lead:with:colons:track-a:12");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->enrolment_id, "lead:with:colons:track-a");
  EXPECT_EQ(t->step, 12);
  EXPECT_EQ(ParseTouchId(TouchId("l:t", 3))->step, 3);
  EXPECT_FALSE(ParseTouchId("no-colon").has_value());
  EXPECT_FALSE(ParseTouchId("a:b:").has_value());
  EXPECT_FALSE(ParseTouchId("a:b:x1").has_value());
  EXPECT_FALSE(ParseTouchId(":3").has_value());
}

TEST(TouchPlan, NextAfterKeepsThePlanOrShiftsBehindALateTouch) {
  auto p = testutil::MustPolicy(testutil::SampleConfig());
  const auto* track = p->FindTrack("p-general");
  const std::string eid = EnrolmentId("lead-7", "p-general");
  const int64_t day = 24 * 3600 * 1000LL;
  // On time: the planned due time of step 1.
  NextTouch n = NextAfter(*p, *track, eid, 1000, 0, 1000);
  EXPECT_EQ(n.touch_id, "lead-7:p-general:1");
  EXPECT_EQ(n.due_ms, 1000 + day);
  // Step 0 deferred by 30 hours: step 1 keeps its own delay after it.
  n = NextAfter(*p, *track, eid, 1000, 0, 1000 + 30 * 3600 * 1000LL);
  EXPECT_EQ(n.due_ms, 1000 + 30 * 3600 * 1000LL + day);
  // After the last step: none.
  EXPECT_TRUE(NextAfter(*p, *track, eid, 1000, 2, 5000).touch_id.empty());
  EXPECT_TRUE(NextAfter(*p, *track, eid, 1000, 7, 5000).touch_id.empty());
}

TEST(AudienceGuard, AllowsOnlyTheTracksOwnAudience) {
  EXPECT_TRUE(AudienceGuard::Check(cv1::PROSPECT, cv1::PROSPECT).allowed);
  EXPECT_TRUE(AudienceGuard::Check(cv1::CUSTOMER, cv1::CUSTOMER).allowed);
  auto v = AudienceGuard::Check(cv1::PROSPECT, cv1::CUSTOMER);
  EXPECT_FALSE(v.allowed);
  EXPECT_NE(v.detail.find("now CUSTOMER"), std::string::npos);
  EXPECT_FALSE(AudienceGuard::Check(cv1::CUSTOMER, cv1::PROSPECT).allowed);
  EXPECT_FALSE(AudienceGuard::Check(cv1::PROSPECT, cv1::RELATIONSHIP_UNSPECIFIED).allowed);
  EXPECT_FALSE(AudienceGuard::Check(cv1::RELATIONSHIP_UNSPECIFIED, cv1::PROSPECT).allowed);
}

}  // namespace
}  // namespace leadflow::nurture
