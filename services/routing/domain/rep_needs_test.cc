#include "routing/domain/rep_needs.h"

#include <gtest/gtest.h>

#include <random>

#include "routing/domain/router.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using Ids = std::vector<std::string>;
using testutil::Mql;

class RepNeedsTest : public ::testing::Test {
 protected:
  std::shared_ptr<const RoutingPolicy> policy_ = testutil::MustPolicy(testutil::SampleRules());
  Ids Needs(const leadflow::scoring::v1::LeadScored& s) { return RepsConsulted(*policy_, s); }
  void ExpectSameDecisionsOnNeededReps(uint32_t seed);
};

leadflow::scoring::v1::LeadScored Customer(const std::string& owner, const std::string& team) {
  auto s = Mql(cv1::SMB, cv1::DEAL_BAND_SMALL);
  s.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  s.mutable_lead()->set_account_owner(owner);
  s.mutable_lead()->set_owner_team(team);
  return s;
}

TEST_F(RepNeedsTest, NurtureAndDisqualifiedProspectsNeedNoRep) {
  auto warm = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  warm.set_lifecycle_stage(cv1::LEAD);
  EXPECT_EQ(Needs(warm), Ids{});
  auto disq = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  disq.set_disqualified(true);
  EXPECT_EQ(Needs(disq), Ids{});
}

TEST_F(RepNeedsTest, AnMqlNeedsOnlyTheRepsOfItsTeam) {
  EXPECT_EQ(Needs(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE)), (Ids{"ka-a", "ka-b", "ka-c"}));
  EXPECT_EQ(Needs(Mql(cv1::MID_MARKET, cv1::DEAL_BAND_SMALL)), (Ids{"mm-a"}));
}

TEST_F(RepNeedsTest, NamedAccountsNeedTheOwnerThenAsAProspect) {
  auto named = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  named.set_named_account(true);
  named.mutable_lead()->set_account_owner("ka-b");
  EXPECT_EQ(Needs(named), (Ids{"ka-b", "ka-a", "ka-c"}));
  named.set_lifecycle_stage(cv1::LEAD);  // an absent owner falls through to nurture
  EXPECT_EQ(Needs(named), (Ids{"ka-b"}));
}

TEST_F(RepNeedsTest, CustomersNeedTheOwnerAndTheTeamTheyFallBackTo) {
  EXPECT_EQ(Needs(Customer("owner-1", "key-accounts")), (Ids{"owner-1", "ka-a", "ka-b", "ka-c"}));
  EXPECT_EQ(Needs(Customer("", "")), (Ids{"acc-msk", "acc-nsk"}));  // customer_fallback_team
  EXPECT_EQ(Needs(Customer("owner-1", "not-configured")), (Ids{"owner-1"}));
}

TEST_F(RepNeedsTest, ALargeDealNeedsTheRepsOfItsTeamWhateverItsScore) {
  auto rules = testutil::SampleRules();
  rules.mutable_large_deal()->set_min_expected_deal_rub(50'000'000);
  rules.mutable_large_deal()->set_team_id("key-accounts");
  rules.mutable_large_deal()->add_yield_to_team_rules("team.partner");
  policy_ = testutil::MustPolicy(rules);
  auto weak = Mql(cv1::SMB, cv1::DEAL_BAND_LARGE);
  weak.set_lifecycle_stage(cv1::LEAD);
  weak.mutable_lead()->set_expected_deal_rub(80'000'000);
  EXPECT_EQ(Needs(weak), (Ids{"ka-a", "ka-b", "ka-c"}));
  weak.mutable_lead()->set_sales_channel(cv1::PARTNER);
  EXPECT_EQ(Needs(weak), (Ids{"pt-a"}));
  weak.mutable_lead()->set_expected_deal_rub(49'000'000);
  EXPECT_EQ(Needs(weak), Ids{});
}

// The property the app relies on: a decision on a view of only these reps is
// the decision on a view of every rep, whatever their load and availability.
// Once with the sample rules, once with a large-deal rule on top.
TEST_F(RepNeedsTest, DecidingOnTheNeededRepsGivesTheSameDecisions) {
  ExpectSameDecisionsOnNeededReps(20261123);
}

TEST_F(RepNeedsTest, DecidingOnTheNeededRepsGivesTheSameDecisionsWithTheLargeDealRule) {
  auto rules = testutil::SampleRules();
  rules.mutable_large_deal()->set_min_expected_deal_rub(50'000'000);
  rules.mutable_large_deal()->set_team_id("key-accounts");
  rules.mutable_large_deal()->add_yield_to_team_rules("team.partner");
  policy_ = testutil::MustPolicy(rules);
  ExpectSameDecisionsOnNeededReps(20261206);
}

void RepNeedsTest::ExpectSameDecisionsOnNeededReps(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const Ids owners = {"", "ka-a", "mm-a", "acc-nsk", "owner-x"};
  const Ids owner_teams = {"", "key-accounts", "accounts", "elsewhere"};
  const cv1::Segment segments[] = {cv1::ENTERPRISE, cv1::GOVERNMENT, cv1::MID_MARKET, cv1::SMB};
  const cv1::DealBand bands[] = {cv1::DEAL_BAND_SMALL, cv1::DEAL_BAND_LARGE};
  const cv1::LifecycleStage stages[] = {cv1::LEAD, cv1::MQL, cv1::SQL};
  const char* regions[] = {"RU-SPE", "RU-MOW"};
  const rv1::RepAvailability avail[] = {rv1::REP_AVAILABILITY_UNSPECIFIED, rv1::ACTIVE,
                                        rv1::VACATION, rv1::PAUSED};
  Ids everyone = policy_->AllRepIds();
  everyone.push_back("owner-x");
  // Two routers fed the same leads keep the same round-robin state.
  Router full_router(policy_), needed_router(policy_);
  const auto friday = testutil::FridayNoonMoscow();
  int routed_to_reps = 0;
  for (int n = 0; n < 3000; ++n) {
    auto s = Mql(segments[pick(4)], bands[pick(2)]);
    s.mutable_lead()->mutable_meta()->set_relationship(pick(3) == 0 ? cv1::CUSTOMER
                                                                    : cv1::PROSPECT);
    s.mutable_lead()->set_account_owner(owners[pick(5)]);
    s.mutable_lead()->set_owner_team(owner_teams[pick(4)]);
    s.mutable_lead()->mutable_company()->set_region(regions[pick(2)]);
    s.mutable_lead()->set_sales_channel(pick(5) == 0 ? cv1::PARTNER : cv1::DIRECT);
    s.set_lifecycle_stage(stages[pick(3)]);
    s.set_named_account(pick(3) == 0);
    s.set_disqualified(pick(8) == 0);
    const int64_t deals[] = {0, 10'000'000, 50'000'000, 90'000'000};
    s.mutable_lead()->set_expected_deal_rub(deals[pick(4)]);
    RepStateView all;
    for (const auto& id : everyone) all.Set(id, {avail[pick(4)], pick(120), pick(50), {}});
    RepStateView needed;
    for (const auto& id : Needs(s)) needed.Set(id, all.Get(id));
    // Nights and weekends too (working hours of the accounts team).
    const auto now = friday + std::chrono::hours(pick(72));
    const auto a = full_router.Decide(s, all, now);
    const auto b = needed_router.Decide(s, needed, now);
    ASSERT_EQ(a.decision.SerializeAsString(), b.decision.SerializeAsString())
        << "lead " << n << ": " << s.ShortDebugString();
    ASSERT_EQ(a.sla_due_ms, b.sla_due_ms);
    if (!a.decision.rep_id().empty()) ++routed_to_reps;
  }
  EXPECT_GT(routed_to_reps, 300);  // the mix does reach the reps
}

}  // namespace
}  // namespace leadflow::routing
