#include "nurture/domain/touch_eligibility.h"

#include <gtest/gtest.h>

#include "nurture/testing/nurture_test_util.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;

// 2025-11-21 12:00 Moscow (09:00 UTC): outside quiet hours.
constexpr int64_t kNoon = 1763715600000;
constexpr int64_t kHourMs = 3600 * 1000;

class TouchEligibilityTest : public ::testing::Test {
 protected:
  // A prospect touch of p-general at step 0, everything read, nothing in the way.
  TouchFacts Facts(const char* track_id = "p-general") {
    TouchFacts f;
    f.track = policy_->FindTrack(track_id);
    f.enrolment_audience = f.track->audience();
    f.content = policy_->FindContent(f.track->steps(0).content_id());
    f.request_found = true;
    f.account_read = true;
    f.account_found = f.track->audience() == cv1::CUSTOMER;
    f.current = f.track->audience();
    f.contact = &contact_;
    return f;
  }
  TouchVerdict Decide(const TouchFacts& f, int64_t now_ms = kNoon) {
    return DecideTouch(f, policy_->config(), now_ms);
  }

  std::shared_ptr<const NurturePolicy> policy_ = testutil::MustPolicy(testutil::SampleConfig());
  ContactFacts contact_;
};

TEST_F(TouchEligibilityTest, SendsWhenNothingIsInTheWay) {
  EXPECT_EQ(Decide(Facts()).outcome, TouchOutcome::kSend);
  EXPECT_EQ(Decide(Facts("c-general")).outcome, TouchOutcome::kSend);
}

TEST_F(TouchEligibilityTest, ARemovedTrackOrStepOrMissingRequestExits) {
  TouchFacts f = Facts();
  f.track = nullptr;
  EXPECT_EQ(Decide(f).exit_reason, "track_removed");
  f = Facts();
  f.step = f.track->steps_size();
  EXPECT_EQ(Decide(f).exit_reason, "track_removed");
  f = Facts();
  f.request_found = false;
  const TouchVerdict v = Decide(f);
  EXPECT_EQ(v.outcome, TouchOutcome::kExit);
  EXPECT_EQ(v.exit_reason, "request_missing");
  EXPECT_EQ(v.suppressed, cv1::REASON_UNSPECIFIED);
}

TEST_F(TouchEligibilityTest, AProspectWhoBecameACustomerMovesBeforeAnythingIsSent) {
  TouchFacts f = Facts();
  f.account_found = true;
  f.current = cv1::CUSTOMER;
  const TouchVerdict v = Decide(f);
  EXPECT_EQ(v.outcome, TouchOutcome::kMigrate);
  EXPECT_EQ(v.move_to, cv1::CUSTOMER);
  EXPECT_EQ(v.suppressed, cv1::AUDIENCE_MISMATCH);
}

TEST_F(TouchEligibilityTest, ACustomerWhoseAccountLeftTheCrmExits) {
  TouchFacts f = Facts("c-general");
  f.account_found = false;
  f.current = cv1::PROSPECT;
  const TouchVerdict v = Decide(f);
  EXPECT_EQ(v.outcome, TouchOutcome::kExit);
  EXPECT_EQ(v.exit_reason, "account_removed");
  EXPECT_EQ(v.suppressed, cv1::AUDIENCE_MISMATCH);
}

TEST_F(TouchEligibilityTest, TheWallBlocksContentOfAnotherAudience) {
  TouchFacts f = Facts();
  f.content = policy_->FindContent(policy_->FindTrack("c-general")->steps(0).content_id());
  const TouchVerdict v = Decide(f);
  EXPECT_EQ(v.outcome, TouchOutcome::kExit);
  EXPECT_TRUE(v.violation);
  EXPECT_EQ(v.exit_reason, "audience_violation");
  EXPECT_EQ(v.detail, "content audience differs from the track's");
}

TEST_F(TouchEligibilityTest, UnreadFactsAreAskedForOnlyWhenTheRuleGetsThatFar) {
  TouchFacts f = Facts();
  f.account_read = false;
  EXPECT_EQ(Decide(f).outcome, TouchOutcome::kNeedsAccount);
  f = Facts();
  f.contact = nullptr;
  EXPECT_EQ(Decide(f).outcome, TouchOutcome::kNeedsContact);
  f.track = nullptr;  // exits before it needs the contact
  EXPECT_EQ(Decide(f).outcome, TouchOutcome::kExit);
}

TEST_F(TouchEligibilityTest, UnsubscribedExitsAndSuppressedSkips) {
  contact_.unsubscribed = true;
  contact_.suppressed = true;
  EXPECT_EQ(Decide(Facts()).exit_reason, "unsubscribed");
  EXPECT_EQ(Decide(Facts()).suppressed, cv1::UNSUBSCRIBED);
  contact_.unsubscribed = false;
  const TouchVerdict v = Decide(Facts());
  EXPECT_EQ(v.outcome, TouchOutcome::kSkip);
  EXPECT_EQ(v.suppressed, cv1::TOPIC_SUPPRESSED);
}

TEST_F(TouchEligibilityTest, AlreadySentIsFinishedNotResent) {
  TouchFacts f = Facts();
  f.already_sent = true;
  contact_.sends_ms = {kNoon - kHourMs};  // over the daily cap: still not deferred
  EXPECT_EQ(Decide(f).outcome, TouchOutcome::kAlreadySent);
}

TEST_F(TouchEligibilityTest, CapsAndQuietHoursDefer) {
  contact_.sends_ms = {kNoon - kHourMs};  // per_day 1
  TouchVerdict v = Decide(Facts());
  EXPECT_EQ(v.outcome, TouchOutcome::kDefer);
  EXPECT_EQ(v.suppressed, cv1::FREQUENCY_CAP);
  EXPECT_EQ(v.defer_to_ms, kNoon + 23 * kHourMs);
  contact_.sends_ms.clear();
  v = Decide(Facts(), kNoon + 10 * kHourMs);  // 22:00 Moscow
  EXPECT_EQ(v.outcome, TouchOutcome::kDefer);
  EXPECT_EQ(v.suppressed, cv1::QUIET_HOURS);
  EXPECT_EQ(v.defer_to_ms, kNoon + 21 * kHourMs);  // 09:00 Moscow
}

}  // namespace
}  // namespace leadflow::nurture
