#include "routing/domain/routing_policy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "common/config/proto_loader.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/router.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::routing {
namespace {

using leadflow::config::v1::RoutingRules;

TEST(RoutingPolicy, SampleRulesValidate) {
  auto p = RoutingPolicy::Create(testutil::SampleRules(), testutil::FixedZones());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ((*p)->version(), "test-1");
  ASSERT_NE((*p)->FindTeam("partners"), nullptr);
  EXPECT_EQ((*p)->FindTeam("nope"), nullptr);
  ASSERT_NE((*p)->FindRep("acc-nsk"), nullptr);
  EXPECT_EQ((*p)->FindRep("acc-nsk")->team_id, "accounts");
  EXPECT_EQ((*p)->FindRep("acc-nsk")->zone->name(), "Asia/Novosibirsk");
  EXPECT_TRUE((*p)->IsProtectedRejectReason(leadflow::common::v1::RIGID_SPEC));
  EXPECT_FALSE((*p)->IsProtectedRejectReason(leadflow::common::v1::NOT_A_FIT));
  EXPECT_EQ((*p)->AllRepIds().size(), 8u);
  // Scheduler defaults apply to zero values.
  EXPECT_EQ((*p)->scheduler_tick_ms(), 1000);
  EXPECT_EQ((*p)->sla_retry_seconds(), 60);
  EXPECT_EQ((*p)->outbox_resend_ms(), 5000);
  EXPECT_EQ((*p)->TeamZone("key-accounts"), nullptr);
}

struct BadCase {
  const char* name;
  std::function<void(RoutingRules&)> mutate;
  const char* expected;  // substring of the error
};

class RoutingPolicyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(RoutingPolicyErrors, NamesTheField) {
  RoutingRules r = testutil::SampleRules();
  GetParam().mutate(r);
  auto p = RoutingPolicy::Create(r, testutil::FixedZones());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(GetParam().expected), std::string::npos)
      << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, RoutingPolicyErrors,
    ::testing::Values(
        BadCase{"NoVersion", [](RoutingRules& r) { r.clear_version(); }, "version"},
        BadCase{"NoTeams", [](RoutingRules& r) { r.clear_teams(); }, "teams: at least one"},
        BadCase{"DuplicateTeam",
                [](RoutingRules& r) { r.mutable_teams(1)->set_team_id("key-accounts"); },
                "teams[1].team_id: duplicate team \"key-accounts\""},
        BadCase{"EmptyTeam", [](RoutingRules& r) { r.mutable_teams(2)->clear_reps(); },
                "teams[2].reps"},
        BadCase{"DuplicateRep",
                [](RoutingRules& r) { r.mutable_teams(1)->mutable_reps(0)->set_rep_id("ka-a"); },
                "teams[1].reps[0].rep_id: duplicate rep \"ka-a\""},
        BadCase{"ZeroWeight",
                [](RoutingRules& r) { r.mutable_teams(0)->mutable_reps(1)->set_weight(0); },
                "teams[0].reps[1].weight: must be > 0 (rep \"ka-b\")"},
        BadCase{"ZeroMaxOpen",
                [](RoutingRules& r) { r.mutable_teams(0)->mutable_reps(0)->set_max_open_leads(0); },
                "teams[0].reps[0].max_open_leads"},
        BadCase{"NegativeDailyCap",
                [](RoutingRules& r) { r.mutable_teams(0)->mutable_reps(0)->set_daily_cap(-1); },
                "teams[0].reps[0].daily_cap"},
        BadCase{"NoSla", [](RoutingRules& r) { r.mutable_teams(0)->set_sla_business_minutes(0); },
                "teams[0].sla_business_minutes"},
        BadCase{"NoOverflow",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->set_overflow(
                      leadflow::config::v1::OVERFLOW_POLICY_UNSPECIFIED);
                },
                "teams[0].overflow"},
        BadCase{"Hour25",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->mutable_reps(2)->mutable_hours()->set_end_hour(25);
                },
                "teams[0].reps[2].hours.end_hour: must be in 0..24"},
        BadCase{"NegativeHour",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->mutable_reps(2)->mutable_hours()->set_start_hour(-1);
                },
                "hours.start_hour"},
        BadCase{"EmptyShift",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->mutable_reps(2)->mutable_hours()->set_end_hour(9);
                },
                "start_hour equals end_hour"},
        BadCase{"BadWeekday",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->mutable_reps(0)->mutable_hours()->add_weekdays(8);
                },
                "teams[0].reps[0].hours.weekdays[5]"},
        BadCase{"UnknownZone",
                [](RoutingRules& r) {
                  r.mutable_teams(0)->mutable_reps(0)->mutable_hours()->set_time_zone(
                      "Mars/Olympus");
                },
                "teams[0].reps[0].hours.time_zone: unknown time zone \"Mars/Olympus\""},
        BadCase{"HoursRequiredWhenEnforced",
                [](RoutingRules& r) { r.mutable_teams(4)->mutable_reps(0)->clear_hours(); },
                "teams[4].reps[0].hours: required"},
        BadCase{"RuleUnknownTeam",
                [](RoutingRules& r) { r.mutable_team_rules(1)->set_team_id("ghosts"); },
                "team_rules[1].team_id: unknown team \"ghosts\""},
        BadCase{"DuplicateRuleId",
                [](RoutingRules& r) { r.mutable_team_rules(2)->set_rule_id("team.partner"); },
                "team_rules[2].rule_id: duplicate"},
        BadCase{"RuleUnspecifiedSegment",
                [](RoutingRules& r) {
                  r.mutable_team_rules(1)->add_segments(leadflow::common::v1::SEGMENT_UNSPECIFIED);
                },
                "team_rules[1].segments[2]"},
        BadCase{"NoDefaultTeam", [](RoutingRules& r) { r.clear_default_team(); }, "default_team"},
        BadCase{"UnknownDefaultTeam", [](RoutingRules& r) { r.set_default_team("x"); },
                "default_team: unknown team \"x\""},
        BadCase{"UnknownFallbackTeam", [](RoutingRules& r) { r.set_customer_fallback_team("y"); },
                "customer_fallback_team: unknown team \"y\""},
        BadCase{"UnspecifiedProtectedReason",
                [](RoutingRules& r) {
                  r.add_protected_reject_reasons(leadflow::common::v1::REASON_UNSPECIFIED);
                },
                "protected_reject_reasons[3]"},
        BadCase{"TeamBusinessHoursUnknownZone",
                [](RoutingRules& r) {
                  auto* h = r.mutable_teams(0)->mutable_business_hours();
                  h->set_start_hour(9);
                  h->set_end_hour(18);
                  h->set_time_zone("Nowhere/City");
                },
                "teams[0].business_hours.time_zone: unknown time zone"},
        BadCase{"NegativeSchedulerTick",
                [](RoutingRules& r) { r.mutable_scheduler()->set_tick_ms(-5); },
                "scheduler.tick_ms"},
        BadCase{"NegativeSlaRetry",
                [](RoutingRules& r) { r.mutable_scheduler()->set_sla_retry_seconds(-1); },
                "scheduler.sla_retry_seconds"},
        BadCase{"QueueOrderUnsetKey",
                [](RoutingRules& r) {
                  r.mutable_queue_order()->add_by(leadflow::config::v1::QUEUE_RANK_BANT_PRODUCT);
                  r.mutable_queue_order()->add_by(leadflow::config::v1::QUEUE_RANK_KEY_UNSPECIFIED);
                },
                "queue_order.by[1]: must be a rank key"},
        BadCase{"QueueOrderDuplicateKey",
                [](RoutingRules& r) {
                  r.mutable_queue_order()->add_by(leadflow::config::v1::QUEUE_RANK_TOTAL_SCORE);
                  r.mutable_queue_order()->add_by(leadflow::config::v1::QUEUE_RANK_BANT_PRODUCT);
                  r.mutable_queue_order()->add_by(leadflow::config::v1::QUEUE_RANK_TOTAL_SCORE);
                },
                "queue_order.by[2]: duplicate key QUEUE_RANK_TOTAL_SCORE"},
        BadCase{"NegativeLargeDeal",
                [](RoutingRules& r) { r.mutable_large_deal()->set_min_expected_deal_rub(-1); },
                "large_deal.min_expected_deal_rub: must be >= 0"},
        BadCase{"LargeDealWithoutTeam",
                [](RoutingRules& r) { r.mutable_large_deal()->set_min_expected_deal_rub(1); },
                "large_deal.team_id: must be set"},
        BadCase{"LargeDealUnknownTeam",
                [](RoutingRules& r) {
                  r.mutable_large_deal()->set_min_expected_deal_rub(1);
                  r.mutable_large_deal()->set_team_id("ghosts");
                },
                "large_deal.team_id: unknown team \"ghosts\""},
        BadCase{"LargeDealTeamBackToNurture",
                [](RoutingRules& r) {
                  r.mutable_large_deal()->set_min_expected_deal_rub(1);
                  r.mutable_large_deal()->set_team_id("mid-market");  // TO_NURTURE
                },
                "large_deal.team_id: team \"mid-market\" must have overflow QUEUE"},
        BadCase{"LargeDealYieldsToUnknownRule",
                [](RoutingRules& r) {
                  r.mutable_large_deal()->set_min_expected_deal_rub(1);
                  r.mutable_large_deal()->set_team_id("key-accounts");
                  r.mutable_large_deal()->add_yield_to_team_rules("team.partner");
                  r.mutable_large_deal()->add_yield_to_team_rules("team.nope");
                },
                "large_deal.yield_to_team_rules[1]: unknown team rule \"team.nope\""},
        BadCase{"LargeDealYieldsToANurturingTeam",
                [](RoutingRules& r) {
                  r.mutable_large_deal()->set_min_expected_deal_rub(1);
                  r.mutable_large_deal()->set_team_id("key-accounts");
                  r.mutable_large_deal()->add_yield_to_team_rules("team.mid");
                },
                "large_deal.yield_to_team_rules[0]: team \"mid-market\" must have overflow "
                "QUEUE"},
        BadCase{"LargeDealYieldsTwice",
                [](RoutingRules& r) {
                  r.mutable_large_deal()->set_min_expected_deal_rub(1);
                  r.mutable_large_deal()->set_team_id("key-accounts");
                  r.mutable_large_deal()->add_yield_to_team_rules("team.partner");
                  r.mutable_large_deal()->add_yield_to_team_rules("team.partner");
                },
                "large_deal.yield_to_team_rules[1]: duplicate"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(RoutingPolicy, QueueOrderDefaultsWhenUnsetAndIsFifoWhenEmpty) {
  auto unset = RoutingPolicy::Create(testutil::SampleRules(), testutil::FixedZones());
  ASSERT_TRUE(unset.ok()) << unset.status().message();
  EXPECT_EQ((*unset)->queue_order().SerializeAsString(), DefaultQueueOrder().SerializeAsString());
  RoutingRules r = testutil::SampleRules();
  r.mutable_queue_order();  // set, no keys
  auto fifo = RoutingPolicy::Create(r, testutil::FixedZones());
  ASSERT_TRUE(fifo.ok()) << fifo.status().message();
  EXPECT_EQ((*fifo)->queue_order().by_size(), 0);
}

TEST(RoutingPolicy, ShippedDefaultRulesLoadAndValidate) {
  // The checkout is compiled in, so the shipped file is always checked.
  RoutingRules rules;
  Status s = config::LoadProtoFile(leadflow::testing::SourcePath("config/routing_rules.json"), &rules);
  ASSERT_TRUE(s.ok()) << s.message();
  // Every zone the shipped file names must exist; fixed offsets are enough here.
  ZoneResolver any = [](const std::string& name) -> StatusOr<std::shared_ptr<const TimeZone>> {
    return TimeZone::Fixed(name, 0);
  };
  auto p = RoutingPolicy::Create(rules, any);
  ASSERT_TRUE(p.ok()) << p.status().message();

  // The shipped defaults embody docs/domain-rules.md §3/§5.
  namespace cv1 = leadflow::common::v1;
  Router router(*p);
  const RepStateView reps;
  auto team_of = [&](cv1::Segment seg, cv1::DealBand band, cv1::SalesChannel channel) {
    auto lead = testutil::Mql(seg, band);
    lead.mutable_lead()->set_sales_channel(channel);
    return router.Decide(lead, reps, testutil::FridayNoonMoscow()).decision.team();
  };
  EXPECT_EQ(team_of(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE, cv1::DIRECT), "key-accounts");
  EXPECT_EQ(team_of(cv1::MID_MARKET, cv1::DEAL_BAND_LARGE, cv1::DIRECT), "key-accounts");
  EXPECT_EQ(team_of(cv1::SMB, cv1::DEAL_BAND_SMALL, cv1::DIRECT), "small-deals");
  EXPECT_EQ(team_of(cv1::ENTERPRISE, cv1::DEAL_BAND_SMALL, cv1::DIRECT), "small-deals");
  EXPECT_EQ(team_of(cv1::GOVERNMENT, cv1::DEAL_BAND_STANDARD, cv1::DIRECT), "enterprise");
  EXPECT_EQ(team_of(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD, cv1::DIRECT), "mid-market");
  EXPECT_EQ(team_of(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE, cv1::PARTNER), "partners");
  // Team queues: BANT product, then total score (ties to the oldest).
  EXPECT_EQ((*p)->queue_order().SerializeAsString(), DefaultQueueOrder().SerializeAsString());
  EXPECT_EQ((*p)->queue_order().by_size(), 2);
  // The large-deal rule: 50 mln and up to key-accounts whatever the score,
  // the partner channel first; below 50 mln the MQL threshold still holds.
  const auto& large = (*p)->rules().large_deal();
  EXPECT_EQ(large.min_expected_deal_rub(), 50'000'000);
  EXPECT_EQ(large.team_id(), "key-accounts");
  auto weak = [&](int64_t deal_rub, cv1::SalesChannel channel) {
    auto lead = testutil::Mql(cv1::MID_MARKET, cv1::DEAL_BAND_LARGE);
    lead.set_lifecycle_stage(cv1::LEAD);
    lead.mutable_lead()->set_expected_deal_rub(deal_rub);
    lead.mutable_lead()->set_sales_channel(channel);
    return router.Decide(lead, reps, testutil::FridayNoonMoscow()).decision;
  };
  EXPECT_EQ(weak(80'000'000, cv1::DIRECT).team(), "key-accounts");
  EXPECT_EQ(weak(80'000'000, cv1::PARTNER).team(), "partners");
  EXPECT_EQ(weak(50'000'000, cv1::DIRECT).team(), "key-accounts");
  EXPECT_EQ(weak(49'999'999, cv1::DIRECT).outcome(), leadflow::routing::v1::NURTURE);
  EXPECT_EQ((*p)->rules().customer_fallback_team(), "customer-success");
  EXPECT_TRUE((*p)->IsProtectedRejectReason(cv1::BUDGET_TOO_SMALL));
  EXPECT_TRUE((*p)->IsProtectedRejectReason(cv1::RIGID_SPEC));
  EXPECT_TRUE((*p)->IsProtectedRejectReason(cv1::TAILORED_FOR_COMPETITOR));
  // A LOST close carries a coded loss reason (docs/domain-rules.md §6, "Why
  // deals are lost"): without one it is refused, never counted UNSPECIFIED.
  EXPECT_TRUE((*p)->rules().require_loss_reason());
  // The funnel's numbers (docs/domain-rules.md §6): conversion bands 3/4/5 %,
  // marketing's yardstick 20 % of new clients and 2 % of revenue.
  const FunnelBands& f = (*p)->funnel();
  EXPECT_EQ(f.weak_pct, 3);
  EXPECT_EQ(f.average_pct, 4);
  EXPECT_EQ(f.excellent_pct, 5);
  EXPECT_EQ(f.marketing_new_clients_pct, 20);
  EXPECT_EQ(f.marketing_revenue_pct, 2);
  EXPECT_EQ(f.compare_at_age_months, 6);
}

}  // namespace
}  // namespace leadflow::routing
