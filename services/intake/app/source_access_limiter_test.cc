// SourceAccess over any auth::KeyRateLimiter (the Redis-backed one in
// production): each configured source's limit is set on it, its decisions map
// to outcomes, and a limit that cannot be checked is refused, never allowed.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "common/auth/sha256.h"
#include "intake/app/source_access.h"
#include "intake/testing/intake_test_util.h"

namespace leadflow::intake {
namespace {

// Records the limits it is given and answers a scripted decision.
class ScriptedLimiter final : public auth::KeyRateLimiter {
 public:
  void SetLimit(const std::string& key, double rate_per_second, double burst) override {
    (*limits)[key] = {rate_per_second, burst};
  }
  auth::RateDecision Acquire(const std::string& key) override {
    ++*calls;
    return *next;
  }
  std::map<std::string, std::pair<double, double>>* limits;
  auth::RateDecision* next;
  int* calls;
};

class SourceAccessLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testutil::SmallConfig();
    c.mutable_sources(0)->set_api_key_sha256(auth::Sha256Hex("key-web"));
    c.mutable_sources(0)->set_rate_per_second(7);
    c.mutable_sources(1)->set_api_key_sha256(auth::Sha256Hex("key-partner"));
    c.mutable_sources(1)->set_rate_per_second(0.5);
    auto policy = IntakePolicy::Create(c);
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    policy_ = std::move(*policy);
    auto limiter = std::make_unique<ScriptedLimiter>();
    limiter->limits = &limits_;
    limiter->next = &next_;
    limiter->calls = &calls_;
    auto access = SourceAccess::Create(*policy_, std::move(limiter));
    ASSERT_TRUE(access.ok()) << access.status().message();
    access_ = std::move(*access);
  }
  std::map<std::string, std::pair<double, double>> limits_;
  auth::RateDecision next_ = auth::RateDecision::kAllowed;
  int calls_ = 0;
  std::shared_ptr<const IntakePolicy> policy_;
  std::unique_ptr<SourceAccess> access_;
};

TEST_F(SourceAccessLimiterTest, EverySourceGetsItsRateWithTheDefaultBurst) {
  ASSERT_EQ(limits_.count("web-form"), 1u);
  EXPECT_EQ(limits_["web-form"], std::make_pair(7.0, 0.0));
  EXPECT_EQ(limits_["partner-portal"], std::make_pair(0.5, 0.0));
}

TEST_F(SourceAccessLimiterTest, DecisionsMapToOutcomes) {
  next_ = auth::RateDecision::kAllowed;
  AccessDecision d = access_->Check(std::string("key-web"));
  EXPECT_EQ(d.outcome, AccessOutcome::kAllowed);
  EXPECT_EQ(d.source_id, "web-form");
  EXPECT_FALSE(d.limit_unavailable);
  next_ = auth::RateDecision::kLimited;
  d = access_->Check(std::string("key-web"));
  EXPECT_EQ(d.outcome, AccessOutcome::kRateLimited);
  EXPECT_FALSE(d.limit_unavailable);
}

TEST_F(SourceAccessLimiterTest, UncheckableLimitIsRefusedNeverAllowed) {
  next_ = auth::RateDecision::kUnavailable;
  for (const char* key : {"key-web", "key-partner"}) {
    const AccessDecision d = access_->Check(std::string(key));
    EXPECT_EQ(d.outcome, AccessOutcome::kRateLimited) << key;
    EXPECT_TRUE(d.limit_unavailable) << key;
    EXPECT_FALSE(d.source_id.empty());
  }
}

TEST_F(SourceAccessLimiterTest, UnauthenticatedCallsNeverReachTheLimiter) {
  EXPECT_EQ(access_->Check(std::nullopt).outcome, AccessOutcome::kUnauthenticated);
  EXPECT_EQ(access_->Check(std::string("wrong")).outcome, AccessOutcome::kUnauthenticated);
  EXPECT_EQ(calls_, 0);
}

}  // namespace
}  // namespace leadflow::intake
