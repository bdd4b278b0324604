#include "routing/domain/deal_stages.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/config/proto_loader.h"
#include "routing/domain/feedback.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/sales_state.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::routing {
namespace {

namespace cfg = leadflow::config::v1;
namespace rv1 = leadflow::routing::v1;
using Kind = FeedbackStep::Kind;

cfg::DealStage Stage(const std::string& id, int pct, const std::string& max,
                     cfg::DealStageOwner owner = cfg::REP) {
  cfg::DealStage s;
  s.set_stage_id(id);
  s.set_win_probability_pct(pct);
  s.set_max_time_in_stage(max);
  s.set_owner(owner);
  return s;
}

cfg::RoutingRules WithStages() {
  cfg::RoutingRules r = testutil::SampleRules();
  *r.add_deal_stages() = Stage("qualification", 10, "30d");
  *r.add_deal_stages() = Stage("presale", 20, "45d", cfg::PRESALE);
  *r.add_deal_stages() = Stage("contract_approval", 40, "30d", cfg::TEAM_LEAD);
  return r;
}

TEST(DealStages, DurationsTakeAWholeNumberAndAUnit) {
  EXPECT_EQ(*ParseStageDuration("5s"), 5000);
  EXPECT_EQ(*ParseStageDuration("90m"), 90 * 60 * 1000);
  EXPECT_EQ(*ParseStageDuration("12h"), 12 * 3600 * 1000);
  EXPECT_EQ(*ParseStageDuration("30d"), int64_t{30} * 86400 * 1000);
  for (const char* bad : {"", "d", "30", "0d", "-3d", "3w", "1.5d", " 3d", "99999999999d"}) {
    EXPECT_FALSE(ParseStageDuration(bad).ok()) << bad;
  }
}

TEST(DealStages, PolicyKeepsTheStagesInOrder) {
  auto p = RoutingPolicy::Create(WithStages(), testutil::FixedZones());
  ASSERT_TRUE(p.ok()) << p.status().message();
  const DealStages& st = (*p)->deal_stages();
  ASSERT_EQ(st.stages().size(), 3u);
  const DealStageInfo* presale = st.Find("presale");
  ASSERT_NE(presale, nullptr);
  EXPECT_EQ(presale->index, 1);
  EXPECT_EQ(presale->win_probability_pct, 20);
  EXPECT_EQ(presale->max_ms, int64_t{45} * 86400 * 1000);
  EXPECT_EQ(presale->owner, cfg::PRESALE);
  EXPECT_EQ(st.Find("nope"), nullptr);
  EXPECT_EQ(st.Names(), "qualification, presale, contract_approval");
}

struct BadStages {
  const char* name;
  std::function<void(cfg::RoutingRules&)> mutate;
  const char* field;  // the error must name it
};

TEST(DealStages, InvalidStagesAreRefusedNamingTheField) {
  const std::vector<BadStages> cases = {
      {"empty id", [](auto& r) { r.mutable_deal_stages(0)->set_stage_id(""); },
       "deal_stages[0].stage_id"},
      {"bad id", [](auto& r) { r.mutable_deal_stages(1)->set_stage_id("Pre Sale"); },
       "deal_stages[1].stage_id"},
      {"duplicate", [](auto& r) { r.mutable_deal_stages(2)->set_stage_id("presale"); },
       "deal_stages[2].stage_id"},
      {"pct > 100", [](auto& r) { r.mutable_deal_stages(2)->set_win_probability_pct(101); },
       "deal_stages[2].win_probability_pct"},
      {"pct < 0", [](auto& r) { r.mutable_deal_stages(0)->set_win_probability_pct(-1); },
       "deal_stages[0].win_probability_pct"},
      {"pct decreasing", [](auto& r) { r.mutable_deal_stages(2)->set_win_probability_pct(15); },
       "deal_stages[2].win_probability_pct"},
      {"no max", [](auto& r) { r.mutable_deal_stages(1)->set_max_time_in_stage(""); },
       "deal_stages[1].max_time_in_stage"},
      {"bad max", [](auto& r) { r.mutable_deal_stages(1)->set_max_time_in_stage("2 weeks"); },
       "deal_stages[1].max_time_in_stage"},
      {"no owner",
       [](auto& r) { r.mutable_deal_stages(0)->set_owner(cfg::DEAL_STAGE_OWNER_UNSPECIFIED); },
       "deal_stages[0].owner"},
      {"bad owner",
       [](auto& r) { r.mutable_deal_stages(0)->set_owner(static_cast<cfg::DealStageOwner>(9)); },
       "deal_stages[0].owner"},
  };
  for (const auto& c : cases) {
    cfg::RoutingRules r = WithStages();
    c.mutate(r);
    auto p = RoutingPolicy::Create(r, testutil::FixedZones());
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(p.status().message().find(c.field), std::string::npos)
        << c.name << ": " << p.status().message();
  }
}

// The shipped config/routing_rules.json.
cfg::RoutingRules ShippedRules() {
  cfg::RoutingRules rules;
  Status s =
      config::LoadProtoFile(leadflow::testing::SourcePath("config/routing_rules.json"), &rules);
  EXPECT_TRUE(s.ok()) << s.message();
  return rules;
}

TEST(DealStages, ATimeScaleShortensEveryStageForDemosAndTests) {
  const cfg::RoutingRules rules = ShippedRules();
  auto real = DealStages::Create(rules.deal_stages());
  auto fast = DealStages::Create(rules.deal_stages(), 259200);  // 30 days in 10 s
  ASSERT_TRUE(real.ok() && fast.ok());
  EXPECT_EQ(real->Find("contract_approval")->max_ms, 30LL * 86400 * 1000);
  EXPECT_EQ(fast->Find("contract_approval")->max_ms, 10000);
  EXPECT_EQ(fast->Find("qualification")->max_ms, 10000);
  auto tiny = DealStages::Create(rules.deal_stages(), 1e7);
  ASSERT_TRUE(tiny.ok());
  for (const auto& stage : tiny->stages()) EXPECT_GE(stage.max_ms, 1) << stage.stage_id;
}

TEST(DealStages, ShippedDefaultsFollowTheDomainRules) {
  const cfg::RoutingRules rules = ShippedRules();
  auto st = DealStages::Create(rules.deal_stages());
  ASSERT_TRUE(st.ok()) << st.status().message();
  // docs/domain-rules.md §6: a gap between what sales sold and what presale
  // promises 0 %, production 50 %, testing 70 %.
  auto pct = [&](const char* id) {
    const DealStageInfo* i = st->Find(id);
    return i == nullptr ? -1 : i->win_probability_pct;
  };
  EXPECT_EQ(pct("scope_gap"), 0);
  EXPECT_EQ(pct("production"), 50);
  EXPECT_EQ(pct("testing"), 70);
  for (const char* id : {"qualification", "presale", "proposal", "contract_approval"}) {
    EXPECT_GT(pct(id), 0) << id;
    EXPECT_LT(pct(id), 50) << id;
  }
  ASSERT_NE(st->Find("contract_approval"), nullptr);
  EXPECT_EQ(st->Find("contract_approval")->max_ms, int64_t{30} * 86400 * 1000);
}

// --- transitions (sales_state.h NextStageStep) ---

rv1::SalesFeedback Move(const std::string& stage, int64_t value = 0, const std::string& back = "",
                        int64_t expected = 0) {
  rv1::SalesFeedback f;
  f.set_lead_id("L1");
  f.set_rep_id("r1");
  f.set_kind(rv1::STAGE);
  f.set_stage(stage);
  f.set_deal_value_rub(value);
  f.set_back_reason(back);
  f.set_expected_version(expected);
  return f;
}

FeedbackTags InStage(const std::string& stage, int64_t version, int64_t value) {
  FeedbackTags t;
  t.last = "stage|r1";
  t.accepted_by = "r1";
  t.version = version;
  t.stage = stage;
  t.stage_version = version;
  t.value_rub = value;
  return t;
}

TEST(DealStageTransitions, OnlyFromAcceptedOrAStage) {
  const auto f = Move("presale", 1000000);
  EXPECT_EQ(NextStageStep({rv1::SALES_ACCEPTED, ""}, {}, -1, 1, f).kind, Kind::kApply);
  auto assigned = NextStageStep({rv1::SALES_ASSIGNED, ""}, {}, -1, 1, f);
  EXPECT_EQ(assigned.kind, Kind::kRefused);
  EXPECT_EQ(assigned.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(assigned.error.message().find("ASSIGNED"), std::string::npos);
  auto closed = NextStageStep({rv1::SALES_CLOSED, "WON"}, {}, -1, 1, f);
  EXPECT_EQ(closed.kind, Kind::kRefused);
  EXPECT_NE(closed.error.message().find("CLOSED (WON)"), std::string::npos);
  EXPECT_EQ(NextStageStep({rv1::SALES_REJECTED, "NOT_A_FIT"}, {}, -1, 1, f).kind, Kind::kRefused);
  // Not the rep's lead: not open (the caller answers with the one text).
  EXPECT_EQ(NextStageStep({rv1::SALES_STATE_UNSPECIFIED, ""}, {}, -1, 1, f).kind, Kind::kNotOpen);
}

TEST(DealStageTransitions, ForwardIsFreeBackNeedsAReason) {
  const SalesStatus in_presale{rv1::SALES_IN_STAGE, "presale"};
  const auto tags = InStage("presale", 100, 5);
  auto fwd = NextStageStep(in_presale, tags, 1, 2, Move("contract_approval"));
  EXPECT_EQ(fwd.kind, Kind::kApply);
  EXPECT_FALSE(fwd.backward);
  auto back = NextStageStep(in_presale, tags, 1, 0, Move("qualification"));
  EXPECT_EQ(back.kind, Kind::kRefused);
  EXPECT_EQ(back.error.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(back.error.message().find("back_reason"), std::string::npos);
  EXPECT_NE(back.error.message().find("IN_STAGE (presale)"), std::string::npos);
  auto back_ok = NextStageStep(in_presale, tags, 1, 0, Move("qualification", 0, "budget cut"));
  EXPECT_EQ(back_ok.kind, Kind::kApply);
  EXPECT_TRUE(back_ok.backward);
}

TEST(DealStageTransitions, SameMoveIsARetryAnotherAnswerForTheSameVersionIsRefused) {
  const SalesStatus in_presale{rv1::SALES_IN_STAGE, "presale"};
  const auto tags = InStage("presale", 200, 5000000);
  // The move to presale made from version 100, retried: same answer.
  EXPECT_EQ(NextStageStep(in_presale, tags, 1, 1, Move("presale", 5000000, "", 100)).kind,
            Kind::kRetry);
  EXPECT_EQ(NextStageStep(in_presale, tags, 1, 1, Move("presale")).kind, Kind::kRetry);
  // Another answer from version 100 (the lead is at 200 now): refused, naming the state.
  auto other = NextStageStep(in_presale, tags, 1, 2, Move("contract_approval", 0, "", 100));
  EXPECT_EQ(other.kind, Kind::kRefused);
  EXPECT_NE(other.error.message().find("IN_STAGE (presale)"), std::string::npos);
  EXPECT_NE(other.error.message().find("version 200"), std::string::npos);
  // From the current version it applies.
  EXPECT_EQ(NextStageStep(in_presale, tags, 1, 2, Move("contract_approval", 0, "", 200)).kind,
            Kind::kApply);
  // The same stage with another value: a value update (the stay goes on).
  auto value = NextStageStep(in_presale, tags, 1, 1, Move("presale", 7000000));
  EXPECT_EQ(value.kind, Kind::kApply);
  EXPECT_TRUE(value.value_update);
}

TEST(DealStageTransitions, AcceptAndCloseFromAStageRejectIsRefused) {
  const SalesStatus in_stage{rv1::SALES_IN_STAGE, "presale"};
  rv1::SalesFeedback f;
  f.set_lead_id("L1");
  f.set_rep_id("r1");
  f.set_kind(rv1::ACCEPT);
  EXPECT_EQ(NextSalesState(in_stage, "r1", f).kind, Kind::kRetry);
  f.set_kind(rv1::CLOSE);
  f.set_outcome(rv1::WON);
  EXPECT_EQ(NextSalesState(in_stage, "r1", f).kind, Kind::kApply);
  f.set_kind(rv1::REJECT);
  f.set_outcome(rv1::DEAL_OUTCOME_UNSPECIFIED);
  f.set_reject_reason(leadflow::common::v1::NOT_A_FIT);
  EXPECT_EQ(NextSalesState(in_stage, "r1", f).kind, Kind::kRefused);
}

TEST(DealStageTransitions, StateAndStreamChangeFollowTheTags) {
  rv1::LeadAssigned rec;
  rec.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L1");
  rec.mutable_decision()->set_outcome(rv1::ASSIGNED);
  rec.mutable_decision()->set_team("key-accounts");
  rec.mutable_decision()->set_rep_id("r1");
  auto tags = InStage("presale", 300, 9000000);
  tags.win_probability_pct = 20;
  EXPECT_EQ(Describe(SalesStateOf(rec.decision(), tags, "r1")), "IN_STAGE (presale)");
  auto c = LeadChangeOf(rec, tags, "r1");
  EXPECT_EQ(c.state(), rv1::SALES_IN_STAGE);
  EXPECT_EQ(c.stage(), "presale");
  EXPECT_EQ(c.win_probability_pct(), 20);
  EXPECT_EQ(c.deal_value_rub(), 9000000);
  EXPECT_EQ(c.version(), 300);
  EXPECT_FALSE(c.stalled());
  tags.stalled_version = 400;
  c = LeadChangeOf(rec, tags, "");
  EXPECT_TRUE(c.stalled());
  EXPECT_EQ(c.version(), 400);
  // Closed from a stage: CLOSED wins.
  tags.last = "close|r1";
  tags.close = "WON";
  EXPECT_EQ(SalesStateOf(rec.decision(), tags, "r1").state, rv1::SALES_CLOSED);
}

TEST(DealStageTransitions, StageFeedbackIsValidated) {
  auto f = Move("presale", 100);
  EXPECT_TRUE(ValidateFeedback(f).ok());
  f.set_stage("");
  EXPECT_EQ(ValidateFeedback(f).code(), StatusCode::kInvalidArgument);
  f = Move("presale", -1);
  auto s = ValidateFeedback(f);
  EXPECT_NE(s.message().find("deal_value_rub"), std::string::npos);
  f = Move("presale");
  f.set_outcome(rv1::WON);
  EXPECT_NE(ValidateFeedback(f).message().find("outcome"), std::string::npos);
  rv1::AdvanceStageRequest req;
  req.set_lead_id("L1");
  req.set_rep_id("r1");
  EXPECT_NE(ValidateAdvanceStage(req).message().find("stage"), std::string::npos);
  req.set_stage("presale");
  EXPECT_TRUE(ValidateAdvanceStage(req).ok());
  req.set_back_reason(std::string(kMaxBackReasonBytes + 1, 'x'));
  EXPECT_NE(ValidateAdvanceStage(req).message().find("back_reason"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::routing
