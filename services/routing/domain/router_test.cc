#include "routing/domain/router.h"

#include <gtest/gtest.h>

#include <map>

#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using testutil::FridayNoonMoscow;
using testutil::Mql;

bool PathHas(const rv1::Decision& d, const std::string& rule, bool matched,
             const std::string& detail_part = "") {
  for (const auto& s : d.path()) {
    if (s.rule_id() == rule && s.matched() == matched &&
        s.detail().find(detail_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string PathString(const rv1::Decision& d) {
  std::string out;
  for (const auto& s : d.path()) {
    out += s.rule_id() + (s.matched() ? "+" : "-") + "(" + s.detail() + ") ";
  }
  return out;
}

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kFridayNoonMoscowMs = 1763715600000;  // FridayNoonMoscow()

// Out of office over the tests' instant, until 10:00 UTC.
RepState Away() { return {rv1::ACTIVE, 0, 0, {{kFridayNoonMoscowMs - kHourMs, kFridayNoonMoscowMs + kHourMs}}}; }

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(testutil::MustPolicy(testutil::SampleRules())) {}
  RoutingResult Decide(const leadflow::scoring::v1::LeadScored& s) {
    return router_.Decide(s, reps_, FridayNoonMoscow());
  }
  Router router_;
  RepStateView reps_;
};

leadflow::scoring::v1::LeadScored Customer(const std::string& owner, const std::string& team) {
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  s.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  s.mutable_lead()->set_account_owner(owner);
  s.mutable_lead()->set_owner_team(team);
  return s;
}

TEST_F(RouterTest, CustomerGoesToAccountOwner) {
  auto r = Decide(Customer("owner-1", "key-accounts"));
  EXPECT_EQ(r.decision.outcome(), rv1::CUSTOMER_INBOUND);
  EXPECT_EQ(r.decision.rep_id(), "owner-1");
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_EQ(r.account_owner, "owner-1");
  EXPECT_TRUE(PathHas(r.decision, "order.customer", true));
  EXPECT_TRUE(PathHas(r.decision, "customer.owner", true, "owner-1"));
  EXPECT_EQ(r.decision.rules_version(), "test-1");
  EXPECT_EQ(r.decision.decided_at().seconds(), 1763715600);
}

TEST_F(RouterTest, CustomerWithOwnerOnVacationGoesToOwnersTeam) {
  reps_.Set("owner-1", Away());
  auto r = Decide(Customer("owner-1", "key-accounts"));
  EXPECT_EQ(r.decision.outcome(), rv1::CUSTOMER_INBOUND);
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_NE(r.decision.rep_id(), "owner-1");
  EXPECT_EQ(r.decision.rep_id(), "ka-a");  // first WRR pick of the team
  EXPECT_EQ(r.account_owner, "owner-1");
  EXPECT_TRUE(PathHas(r.decision, "customer.owner", false, "out of office until 2025-11-21T10:00Z"));
  EXPECT_TRUE(PathHas(r.decision, "customer.owner_team", true));
}

TEST_F(RouterTest, CustomerWithUnknownOwnerAndTeamGoesToFallbackTeam) {
  auto r = Decide(Customer("", ""));
  EXPECT_EQ(r.decision.outcome(), rv1::CUSTOMER_INBOUND);
  EXPECT_EQ(r.decision.team(), "accounts");
  EXPECT_TRUE(PathHas(r.decision, "customer.owner", false, "unknown"));
  EXPECT_TRUE(PathHas(r.decision, "customer.fallback_team", true, "accounts"));
  // accounts enforces working hours: at noon Moscow (16:00 Novosibirsk) both work.
  EXPECT_FALSE(r.decision.rep_id().empty());
}

TEST_F(RouterTest, CustomerWithOwnerTeamOutsideConfigKeepsTheTeam) {
  reps_.Set("owner-9", {rv1::PAUSED, 0, 0, {}});
  auto r = Decide(Customer("owner-9", "crm-only-team"));
  EXPECT_EQ(r.decision.outcome(), rv1::CUSTOMER_INBOUND);
  EXPECT_EQ(r.decision.team(), "crm-only-team");
  EXPECT_EQ(r.decision.rep_id(), "");
}

// The wall: whatever else is true of a customer lead, it never reaches
// prospect nurture, a prospect team, or the disqualified path.
TEST_F(RouterTest, CustomerNeverYieldsNurtureOrProspectAssignment) {
  for (bool named : {false, true}) {
    for (bool disq : {false, true}) {
      for (auto stage : {cv1::LEAD, cv1::MQL, cv1::SUBSCRIBER, cv1::LIFECYCLE_STAGE_UNSPECIFIED}) {
        for (auto avail : {rv1::ACTIVE, rv1::VACATION}) {
          for (const char* owner : {"", "owner-1", "ka-a"}) {
            RepStateView reps;
            reps.Set("owner-1", {avail, 0, 0, {}});
            for (const auto& id : router_.policy().AllRepIds()) reps.Set(id, {avail, 1000, 1000, {}});
            auto s = Customer(owner, "");
            s.set_named_account(named);
            s.set_disqualified(disq);
            if (disq) s.add_disqualification_reasons(cv1::SCREENED_REGION);
            s.set_lifecycle_stage(stage);
            auto r = router_.Decide(s, reps, FridayNoonMoscow());
            EXPECT_EQ(r.decision.outcome(), rv1::CUSTOMER_INBOUND) << PathString(r.decision);
            EXPECT_NE(r.decision.outcome(), rv1::NURTURE);
            EXPECT_NE(r.decision.outcome(), rv1::ASSIGNED);
            EXPECT_NE(r.decision.outcome(), rv1::NAMED_OWNER);
            EXPECT_NE(r.decision.outcome(), rv1::QUEUED);
            EXPECT_NE(r.decision.team(), "mid-market");
            EXPECT_NE(r.decision.team(), "partners");
          }
        }
      }
    }
  }
}

TEST_F(RouterTest, NamedAccountGoesToNamedOwnerEvenBeforeQualification) {
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD);
  s.set_named_account(true);
  s.set_lifecycle_stage(cv1::LEAD);
  s.mutable_lead()->set_account_owner("ka-b");
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::NAMED_OWNER);
  EXPECT_EQ(r.decision.rep_id(), "ka-b");
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_EQ(r.sla_due_ms, 1763715600000 + 60 * 60000);
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", true, "ka-b"));
}

TEST_F(RouterTest, NamedAccountWithoutOwnerFallsThroughToTeamRouting) {
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD);
  s.set_named_account(true);
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_EQ(r.decision.team(), "mid-market");
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", false, "without a known owner"));
}

TEST_F(RouterTest, NamedAccountWithAbsentOwnerFallsThrough) {
  reps_.Set("ka-b", Away());
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  s.set_named_account(true);
  s.mutable_lead()->set_account_owner("ka-b");
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_NE(r.decision.rep_id(), "ka-b");
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", false, "out of office until 2025-11-21T10:00Z"));
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-b", false, "out of office until 2025-11-21T10:00Z"));
}

TEST_F(RouterTest, DisqualifiedIsRecordedWithFirstReason) {
  auto s = Mql(cv1::SMB, cv1::DEAL_BAND_SMALL);
  s.set_disqualified(true);
  s.set_lifecycle_stage(cv1::DISQUALIFIED);
  s.add_disqualification_reasons(cv1::SCREENED_INDUSTRY);
  s.add_disqualification_reasons(cv1::SCREENED_HEADCOUNT);
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::DISQUALIFIED);
  EXPECT_EQ(r.reason, cv1::SCREENED_INDUSTRY);
  EXPECT_EQ(r.decision.rep_id(), "");
  EXPECT_TRUE(PathHas(r.decision, "order.disqualified", true, "SCREENED_INDUSTRY"));
}

TEST_F(RouterTest, NotYetQualifiedGoesToNurture) {
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  s.set_lifecycle_stage(cv1::LEAD);
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::NURTURE);
  EXPECT_EQ(r.decision.rep_id(), "");
  EXPECT_TRUE(PathHas(r.decision, "order.mql", false, "LEAD"));
}

TEST_F(RouterTest, SqlCountsAsQualified) {
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD);
  s.set_lifecycle_stage(cv1::SQL);
  EXPECT_EQ(Decide(s).decision.outcome(), rv1::ASSIGNED);
}

TEST_F(RouterTest, TeamRulesFirstMatchWins) {
  struct Case {
    cv1::Segment seg;
    cv1::DealBand band;
    const char* region;
    cv1::SalesChannel channel;
    const char* team;
    const char* rule;
  };
  for (const Case& c : {
           Case{cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE, "RU-SPE", cv1::DIRECT, "key-accounts",
                "team.large"},
           Case{cv1::GOVERNMENT, cv1::DEAL_BAND_LARGE, "RU-MOW", cv1::DIRECT, "key-accounts",
                "team.large"},
           Case{cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE, "RU-MOW", cv1::PARTNER, "partners",
                "team.partner"},
           Case{cv1::ENTERPRISE, cv1::DEAL_BAND_STANDARD, "RU-MOW", cv1::DIRECT, "moscow",
                "team.moscow"},
           Case{cv1::SMB, cv1::DEAL_BAND_SMALL, "RU-MOS", cv1::DIRECT, "moscow", "team.moscow"},
           Case{cv1::MID_MARKET, cv1::DEAL_BAND_SMALL, "RU-SPE", cv1::DIRECT, "mid-market",
                "team.mid"},
           Case{cv1::INFRASTRUCTURE, cv1::DEAL_BAND_STANDARD, "RU-SPE",
                cv1::SALES_CHANNEL_UNSPECIFIED, "mid-market", "team.default"},
       }) {
    Router router(testutil::MustPolicy(testutil::SampleRules()));
    auto s = Mql(c.seg, c.band);
    s.mutable_lead()->mutable_company()->set_region(c.region);
    s.mutable_lead()->set_sales_channel(c.channel);
    auto r = router.Decide(s, reps_, FridayNoonMoscow());
    EXPECT_EQ(r.decision.team(), c.team) << PathString(r.decision);
    EXPECT_TRUE(PathHas(r.decision, c.rule, true)) << PathString(r.decision);
    EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  }
}

TEST_F(RouterTest, PathExplainsWhyRulesDidNotMatch) {
  auto s = Mql(cv1::SMB, cv1::DEAL_BAND_STANDARD);
  auto r = Decide(s);
  EXPECT_TRUE(PathHas(r.decision, "team.partner", false, "channel DIRECT is not PARTNER"));
  EXPECT_TRUE(PathHas(r.decision, "team.large", false, "segment SMB not listed"));
  EXPECT_TRUE(PathHas(r.decision, "team.moscow", false, "region \"RU-SPE\" matches no prefix"));
  EXPECT_TRUE(PathHas(r.decision, "team.mid", false, "segment SMB"));
  EXPECT_TRUE(PathHas(r.decision, "team.default", true, "mid-market"));
}

TEST_F(RouterTest, SkipsRepsAtCapacityAndExplainsWhy) {
  reps_.Set("ka-a", {rv1::ACTIVE, 100, 0, {}});     // max open 100
  reps_.Set("ka-b", {rv1::ACTIVE, 0, 100000, {}});  // daily cap
  auto r = Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_EQ(r.decision.rep_id(), "ka-c");
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "open leads 100/100"));
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-b", false, "daily cap 100000/100000"));
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-c", true));
  EXPECT_EQ(r.sla_due_ms, 1763715600000 + 60 * 60000);
}

TEST_F(RouterTest, NoCapacityQueuesWhenTeamOverflowIsQueue) {
  reps_.Set("ka-a", Away());
  reps_.Set("ka-b", {rv1::PAUSED, 0, 0, {}});
  reps_.Set("ka-c", {rv1::ACTIVE, 100, 0, {}});
  auto r = Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  EXPECT_EQ(r.decision.outcome(), rv1::QUEUED);
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_EQ(r.decision.rep_id(), "");
  EXPECT_GT(r.sla_due_ms, 0);
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "out of office until 2025-11-21T10:00Z"));
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-b", false, "paused"));
  EXPECT_TRUE(PathHas(r.decision, "overflow.key-accounts", true, "queued"));
}

TEST_F(RouterTest, NoCapacityGoesToNurtureWhenTeamOverflowIsToNurture) {
  reps_.Set("mm-a", {rv1::ACTIVE, 0, 100000, {}});
  auto r = Decide(Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD));
  EXPECT_EQ(r.decision.outcome(), rv1::NURTURE);
  EXPECT_EQ(r.decision.team(), "mid-market");
  EXPECT_TRUE(PathHas(r.decision, "overflow.mid-market", true, "nurture"));
}

TEST_F(RouterTest, WorkingHoursAreEnforcedPerRepTimeZone) {
  auto rules = testutil::SampleRules();
  rules.mutable_teams(0)->set_enforce_working_hours(true);
  // ka-a in Novosibirsk (+7), ka-b and ka-c in Moscow (+3); all 9..18 Mon-Fri.
  rules.mutable_teams(0)->mutable_reps(0)->mutable_hours()->set_time_zone("Asia/Novosibirsk");
  Router router(testutil::MustPolicy(rules));
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  using std::chrono::seconds;
  using std::chrono::system_clock;
  // Fri 2025-11-21 05:59 UTC: Moscow 08:59 (closed), Novosibirsk 12:59 (open).
  auto r = router.Decide(s, reps_, system_clock::time_point(seconds(1763704740)));
  EXPECT_EQ(r.decision.rep_id(), "ka-a");
  EXPECT_TRUE(
      PathHas(r.decision, "rep.ka-b", false, "outside working hours (Europe/Moscow Fri 08:59)"));
  // 06:00 UTC: Moscow opens at 09:00 exactly (inclusive).
  r = router.Decide(s, reps_, system_clock::time_point(seconds(1763704800)));
  EXPECT_FALSE(PathHas(r.decision, "rep.ka-b", false, "outside"));
  // 11:00 UTC: Novosibirsk 18:00 is closed (exclusive end), Moscow 14:00 open.
  r = router.Decide(s, reps_, system_clock::time_point(seconds(1763722800)));
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "Asia/Novosibirsk Fri 18:00"));
  EXPECT_NE(r.decision.rep_id(), "ka-a");
  // Sat 2025-11-22 06:00 UTC: nobody works on Saturday -> queued.
  r = router.Decide(s, reps_, system_clock::time_point(seconds(1763791200)));
  EXPECT_EQ(r.decision.outcome(), rv1::QUEUED);
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-c", false, "Sat"));
}

TEST_F(RouterTest, WorkingHoursIgnoredWhenTeamDoesNotEnforceThem) {
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  auto r = router_.Decide(s, reps_,
                          std::chrono::system_clock::time_point(std::chrono::seconds(1763791200)));
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
}

TEST_F(RouterTest, PickRepNeverPicksAnExcludedPreviousOwner) {
  const auto* team = router_.policy().FindTeam("key-accounts");
  ASSERT_NE(team, nullptr);
  for (int i = 0; i < 50; ++i) {
    rv1::Decision d;
    const std::string rep = router_.PickRep(*team, reps_, FridayNoonMoscow(), d, {"ka-a", "ka-c"});
    EXPECT_EQ(rep, "ka-b");
    EXPECT_TRUE(PathHas(d, "rep.ka-a", false, "skipped: previous owner"));
    EXPECT_TRUE(PathHas(d, "rep.ka-c", false, "skipped: previous owner"));
  }
  rv1::Decision d;
  EXPECT_EQ(router_.PickRep(*team, reps_, FridayNoonMoscow(), d, {"ka-a", "ka-b", "ka-c"}), "");
}

TEST_F(RouterTest, NamedOwnerTakesPrecedenceOverCapacityAndSaysSo) {
  reps_.Set("ka-b", {rv1::ACTIVE, 100, 3, {}});  // at max_open 100
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  s.set_named_account(true);
  s.mutable_lead()->set_account_owner("ka-b");
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::NAMED_OWNER);
  EXPECT_EQ(r.decision.rep_id(), "ka-b");
  EXPECT_TRUE(PathHas(r.decision, "capacity.owner_precedence", true, "open 100/100"));
}

TEST_F(RouterTest, DefaultsSendLargeDealsToKeyAccountsAndSmallDealsToTheirQueue) {
  // The shipped shape: ENTERPRISE >= 50 mln -> key accounts; < 20 mln -> small-deals.
  auto rules = testutil::SampleRules();
  auto* small = rules.add_teams();
  small->set_team_id("small-deals");
  small->set_sla_business_minutes(480);
  small->set_overflow(leadflow::config::v1::QUEUE);
  testutil::AddRep(small, "sd-a", 1);
  auto* rule = rules.add_team_rules();
  rule->set_rule_id("team.small_deals");
  rule->add_deal_bands(cv1::DEAL_BAND_SMALL);
  rule->set_team_id("small-deals");
  // Put the small-deals rule before the region and segment rules.
  auto* list = rules.mutable_team_rules();
  list->SwapElements(2, list->size() - 1);
  Router router(testutil::MustPolicy(rules));
  auto large = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  EXPECT_EQ(router.Decide(large, reps_, FridayNoonMoscow()).decision.team(), "key-accounts");
  auto tiny = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_SMALL);
  auto r = router.Decide(tiny, reps_, FridayNoonMoscow());
  EXPECT_EQ(r.decision.team(), "small-deals");
  EXPECT_EQ(r.decision.rep_id(), "sd-a");
  EXPECT_TRUE(PathHas(r.decision, "team.small_deals", true));
}

TEST_F(RouterTest, SlaOfAnAssignmentCountsInTheRepsBusinessHours) {
  // Friday 17:30 Moscow: 30 minutes today, 30 more on Monday from 09:00.
  auto r = router_.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps_,
                          std::chrono::system_clock::time_point(std::chrono::seconds(1763735400)));
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_EQ(r.sla_due_ms, (1763964000LL + 1800) * 1000);
}

TEST_F(RouterTest, NamedOwnerWhoIsNoConfiguredRepFallsThroughInsteadOfWedging) {
  // A LeadAssigned to a rep no team has could never be watched or accepted.
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD);
  s.set_named_account(true);
  s.mutable_lead()->set_account_owner("crm-only-rep");
  auto r = Decide(s);
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_EQ(r.decision.team(), "mid-market");
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", false, "crm-only-rep is not a rep"));
}

TEST_F(RouterTest, NamedOwnerOfADisqualifiedOrWeakLeadStillGetsIt) {
  // Named before disqualification and before the MQL threshold: the owner
  // decides what to do with the account's leads.
  for (bool disq : {false, true}) {
    auto s = Mql(cv1::SMB, cv1::DEAL_BAND_SMALL);
    s.set_named_account(true);
    s.set_lifecycle_stage(disq ? cv1::DISQUALIFIED : cv1::SUBSCRIBER);
    s.set_disqualified(disq);
    s.mutable_lead()->set_account_owner("ka-c");
    auto r = Decide(s);
    EXPECT_EQ(r.decision.outcome(), rv1::NAMED_OWNER) << PathString(r.decision);
    EXPECT_EQ(r.decision.rep_id(), "ka-c");
  }
}

// The large-deal rule as shipped: 50 mln to key-accounts, the partner rule first.
leadflow::config::v1::RoutingRules LargeDealRules(int64_t min_rub = 50'000'000) {
  auto rules = testutil::SampleRules();
  auto* large = rules.mutable_large_deal();
  large->set_min_expected_deal_rub(min_rub);
  large->set_team_id("key-accounts");
  large->add_yield_to_team_rules("team.partner");
  return rules;
}

leadflow::scoring::v1::LeadScored WeakLead(int64_t deal_rub) {
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_LARGE);
  s.set_lifecycle_stage(cv1::LEAD);  // below the MQL threshold
  s.mutable_lead()->set_expected_deal_rub(deal_rub);
  return s;
}

TEST_F(RouterTest, LargeDealBelowMqlGoesToKeyAccountsWithItsOwnStep) {
  Router router(testutil::MustPolicy(LargeDealRules()));
  auto r = router.Decide(WeakLead(80'000'000), reps_, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED) << PathString(r.decision);
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_EQ(r.decision.rep_id(), "ka-a");
  EXPECT_EQ(r.sla_due_ms, 1763715600000 + 60 * 60000);
  EXPECT_TRUE(PathHas(r.decision, "order.large_deal", true, "80000000 RUB >= 50000000 RUB"));
  // The score is not asked, and no team rule is tried.
  for (const auto& step : r.decision.path()) {
    EXPECT_NE(step.rule_id(), "order.mql");
    EXPECT_NE(step.rule_id().rfind("team.", 0), 0u) << step.rule_id();
  }
}

TEST_F(RouterTest, LargeDealThresholdIsInclusiveAndSmallerDealsKeepTheMqlGate) {
  Router router(testutil::MustPolicy(LargeDealRules()));
  auto at = router.Decide(WeakLead(50'000'000), reps_, FridayNoonMoscow());
  EXPECT_EQ(at.decision.team(), "key-accounts") << PathString(at.decision);
  auto below = router.Decide(WeakLead(49'999'999), reps_, FridayNoonMoscow());
  EXPECT_EQ(below.decision.outcome(), rv1::NURTURE) << PathString(below.decision);
  EXPECT_TRUE(PathHas(below.decision, "order.large_deal", false, "49999999 RUB < 50000000 RUB"));
  EXPECT_TRUE(PathHas(below.decision, "order.mql", false));
  auto unknown = router.Decide(WeakLead(0), reps_, FridayNoonMoscow());  // not given
  EXPECT_EQ(unknown.decision.outcome(), rv1::NURTURE);
}

TEST_F(RouterTest, LargeDealRuleOffLeavesTodaysOrder) {
  // The sample rules have no large_deal: a weak 80 mln lead is nurtured and
  // the path has no large-deal step.
  auto r = Decide(WeakLead(80'000'000));
  EXPECT_EQ(r.decision.outcome(), rv1::NURTURE);
  for (const auto& step : r.decision.path()) EXPECT_NE(step.rule_id(), "order.large_deal");
}

TEST_F(RouterTest, LargeDealQueuesWhenEveryKeyAccountManagerIsFull) {
  Router router(testutil::MustPolicy(LargeDealRules()));
  for (const char* id : {"ka-a", "ka-b", "ka-c"}) reps_.Set(id, {rv1::ACTIVE, 100, 0, {}});
  auto r = router.Decide(WeakLead(120'000'000), reps_, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), rv1::QUEUED) << PathString(r.decision);
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_GT(r.sla_due_ms, 0);
}

TEST_F(RouterTest, PartnerRuleTakesPrecedenceOverTheLargeDealRuleWhateverTheScore) {
  Router router(testutil::MustPolicy(LargeDealRules()));
  for (auto stage : {cv1::LEAD, cv1::MQL}) {
    auto s = WeakLead(80'000'000);
    s.set_lifecycle_stage(stage);
    s.mutable_lead()->set_sales_channel(cv1::PARTNER);
    auto r = router.Decide(s, reps_, FridayNoonMoscow());
    EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED) << PathString(r.decision);
    EXPECT_EQ(r.decision.team(), "partners");
    EXPECT_TRUE(PathHas(r.decision, "order.large_deal", true, "team.partner takes precedence"));
    EXPECT_TRUE(PathHas(r.decision, "team.partner", true, "team partners"));
  }
  // Without the yield, the key-account team takes a partner's large deal too.
  auto rules = LargeDealRules();
  rules.mutable_large_deal()->clear_yield_to_team_rules();
  Router no_yield(testutil::MustPolicy(rules));
  auto s = WeakLead(80'000'000);
  s.mutable_lead()->set_sales_channel(cv1::PARTNER);
  EXPECT_EQ(no_yield.Decide(s, reps_, FridayNoonMoscow()).decision.team(), "key-accounts");
}

TEST_F(RouterTest, CustomerNamedAndDisqualifiedComeBeforeTheLargeDealRule) {
  Router router(testutil::MustPolicy(LargeDealRules()));
  auto customer = WeakLead(80'000'000);
  customer.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  customer.mutable_lead()->set_account_owner("owner-1");
  EXPECT_EQ(router.Decide(customer, reps_, FridayNoonMoscow()).decision.outcome(),
            rv1::CUSTOMER_INBOUND);

  auto named = WeakLead(80'000'000);
  named.set_named_account(true);
  named.mutable_lead()->set_account_owner("ka-c");
  auto r = router.Decide(named, reps_, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), rv1::NAMED_OWNER);
  EXPECT_EQ(r.decision.rep_id(), "ka-c");  // the named owner, not round robin
  // The named owner away: the large-deal rule still keeps it out of nurture.
  reps_.Set("ka-c", Away());
  r = router.Decide(named, reps_, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED) << PathString(r.decision);
  EXPECT_EQ(r.decision.team(), "key-accounts");
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", false, "out of office until 2025-11-21T10:00Z"));
  EXPECT_TRUE(PathHas(r.decision, "order.large_deal", true));

  auto disq = WeakLead(80'000'000);
  disq.set_disqualified(true);
  disq.add_disqualification_reasons(cv1::SCREENED_INDUSTRY);
  EXPECT_EQ(router.Decide(disq, reps_, FridayNoonMoscow()).decision.outcome(), rv1::DISQUALIFIED);
}

TEST(RouterShares, WeightedRoundRobinSharesMatchWeightsWithin2Percent) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));
  RepStateView reps;
  std::map<std::string, int> picks;
  const int kN = 10000;
  for (int i = 0; i < kN; ++i) {
    auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow());
    ASSERT_EQ(r.decision.outcome(), rv1::ASSIGNED);
    ++picks[r.decision.rep_id()];
  }
  EXPECT_NEAR(picks["ka-a"] / double(kN), 3.0 / 6, 0.02);
  EXPECT_NEAR(picks["ka-b"] / double(kN), 2.0 / 6, 0.02);
  EXPECT_NEAR(picks["ka-c"] / double(kN), 1.0 / 6, 0.02);
}

TEST(RouterShares, SharesRenormaliseAmongEligibleReps) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));
  RepStateView reps;
  reps.Set("ka-a", Away());
  std::map<std::string, int> picks;
  for (int i = 0; i < 9000; ++i) {
    ++picks[router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow())
                .decision.rep_id()];
  }
  EXPECT_EQ(picks["ka-a"], 0);
  EXPECT_NEAR(picks["ka-b"] / 9000.0, 2.0 / 3, 0.02);
  EXPECT_NEAR(picks["ka-c"] / 9000.0, 1.0 / 3, 0.02);
}

TEST(RoutingHelpers, SegmentsAndStages) {
  EXPECT_TRUE(IsLargeClientSegment(cv1::ENTERPRISE));
  EXPECT_TRUE(IsLargeClientSegment(cv1::GOVERNMENT));
  EXPECT_TRUE(IsLargeClientSegment(cv1::INFRASTRUCTURE));
  EXPECT_FALSE(IsLargeClientSegment(cv1::MID_MARKET));
  EXPECT_FALSE(IsLargeClientSegment(cv1::SMB));
  EXPECT_TRUE(IsQualified(cv1::MQL));
  EXPECT_TRUE(IsQualified(cv1::OPPORTUNITY));
  EXPECT_FALSE(IsQualified(cv1::LEAD));
  EXPECT_FALSE(IsQualified(cv1::DISQUALIFIED));
}

// Calendars (docs/domain-rules.md, "Calendars").

leadflow::config::v1::HolidayCalendar OneDayOff(const std::string& id, const std::string& day) {
  leadflow::config::v1::HolidayCalendar c;
  c.set_calendar_id(id);
  c.set_covers_from("2025-01-01");
  c.set_covers_to("2025-12-31");
  c.add_days_off(day);
  return c;
}

TEST(RouterCalendars, ARepOnAHolidayOfTheirCalendarIsSkipped) {
  auto rules = testutil::SampleRules();
  rules.mutable_teams(0)->set_enforce_working_hours(true);
  *rules.add_holiday_calendars() = OneDayOff("RU-TA", "2025-11-21");  // the tests' Friday
  rules.mutable_teams(0)->mutable_reps(0)->set_holiday_calendar("RU-TA");  // ka-a
  Router router(testutil::MustPolicy(rules));
  RepStateView reps;
  for (int i = 0; i < 6; ++i) {
    auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow());
    EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
    EXPECT_NE(r.decision.rep_id(), "ka-a") << PathString(r.decision);
    EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "skipped: holiday 2025-11-21 (calendar RU-TA)"))
        << PathString(r.decision);
  }
}

TEST(RouterCalendars, ATeamOnAHolidayQueuesAndItsSlaStartsOnTheNextWorkingDay) {
  auto rules = testutil::SampleRules();
  rules.mutable_teams(0)->set_enforce_working_hours(true);
  *rules.add_holiday_calendars() = OneDayOff("RU", "2025-11-24");  // Monday
  rules.set_default_holiday_calendar("RU");
  Router router(testutil::MustPolicy(rules));
  RepStateView reps;
  // Mon 2025-11-24 12:00 Moscow.
  const auto monday_noon = FridayNoonMoscow() + std::chrono::hours(72);
  auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, monday_noon);
  EXPECT_EQ(r.decision.outcome(), rv1::QUEUED) << PathString(r.decision);
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-c", false, "holiday 2025-11-24 (calendar RU)"));
  // The 60 business minutes run on Tuesday from 09:00 Moscow (06:00 UTC).
  EXPECT_EQ(r.sla_due_ms, kFridayNoonMoscowMs + 94 * kHourMs);  // Tue 10:00 Moscow
}

TEST(RouterCalendars, ARepOutOfOfficeIsSkippedWhateverTheTeamEnforces) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));  // hours not enforced
  RepStateView reps;
  reps.Set("ka-a", Away());
  reps.Set("ka-b", Away());
  auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow());
  EXPECT_EQ(r.decision.rep_id(), "ka-c");
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "skipped: out of office until 2025-11-21T10:00Z"));
  // Back after the window.
  r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps,
                    FridayNoonMoscow() + std::chrono::hours(1));
  EXPECT_FALSE(PathHas(r.decision, "rep.ka-a", false, "out of office"));
}

TEST(RouterCalendars, TheSlaPausesWhileTheRepIsOutOfOffice) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));
  RepStateView reps;
  // ka-b and ka-c away now; ka-a away from 12:30 to 14:30 Moscow.
  reps.Set("ka-b", Away());
  reps.Set("ka-c", Away());
  reps.Set("ka-a", {rv1::ACTIVE, 0, 0,
                    {{kFridayNoonMoscowMs + kHourMs / 2, kFridayNoonMoscowMs + 5 * kHourMs / 2}}});
  auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow());
  ASSERT_EQ(r.decision.rep_id(), "ka-a");
  // 30 minutes before the window, 30 after it: due 15:00 Moscow, not 13:00.
  EXPECT_EQ(r.sla_due_ms, kFridayNoonMoscowMs + 3 * kHourMs);
}

TEST(RouterCalendars, ANamedOwnerOutOfOfficeLetsTheLeadRouteOn) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));
  RepStateView reps;
  reps.Set("ka-c", Away());
  auto s = Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  s.set_named_account(true);
  s.mutable_lead()->set_account_owner("ka-c");
  auto r = router.Decide(s, reps, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), rv1::ASSIGNED);
  EXPECT_NE(r.decision.rep_id(), "ka-c");
  EXPECT_TRUE(PathHas(r.decision, "order.named_account", false, "named owner ka-c out of office"));
}

TEST(RouterCalendars, ALegacyVacationRecordStillKeepsTheRepAway) {
  Router router(testutil::MustPolicy(testutil::SampleRules()));
  RepStateView reps;
  reps.Set("ka-a", {rv1::VACATION, 0, 0, {}});
  auto r = router.Decide(Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE), reps, FridayNoonMoscow());
  EXPECT_NE(r.decision.rep_id(), "ka-a");
  EXPECT_TRUE(PathHas(r.decision, "rep.ka-a", false, "skipped: vacation"));
}

TEST(RouterCalendars, UnknownCalendarNamesAreConfigErrors) {
  auto rules = testutil::SampleRules();
  rules.mutable_teams(1)->mutable_reps(0)->set_holiday_calendar("XX");
  auto p = RoutingPolicy::Create(rules, testutil::FixedZones());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "routing rules: teams[1].reps[0].holiday_calendar: unknown holiday calendar \"XX\" "
            "(not in holiday_calendars)");
  rules = testutil::SampleRules();
  rules.set_default_holiday_calendar("RU");
  p = RoutingPolicy::Create(rules, testutil::FixedZones());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("default_holiday_calendar: unknown"), std::string::npos);
  rules = testutil::SampleRules();
  *rules.add_holiday_calendars() = OneDayOff("RU", "2025-01-01");
  *rules.add_holiday_calendars() = OneDayOff("RU", "2025-01-02");
  p = RoutingPolicy::Create(rules, testutil::FixedZones());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "routing rules: holiday_calendars[1].calendar_id: duplicate calendar \"RU\"");
}

}  // namespace
}  // namespace leadflow::routing
