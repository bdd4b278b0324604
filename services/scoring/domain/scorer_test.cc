#include "scoring/domain/scorer.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/testing/scoring_test_util.h"

namespace leadflow::scoring {
namespace {

using leadflow::scoring::v1::LeadScored;

double SumOfContributions(const LeadScored& s) {
  double sum = 0;
  for (const auto& c : s.contributions()) sum += c.points();
  return sum;
}

const leadflow::scoring::v1::RuleContribution* Find(const LeadScored& s, const std::string& id) {
  for (const auto& c : s.contributions()) {
    if (c.rule_id() == id) return &c;
  }
  return nullptr;
}

class ScorerTest : public ::testing::Test {
 protected:
  LeadScored Score(const leadflow::intake::v1::LeadAccepted& l, double engagement = 0) {
    return ScoreLead(
        l, *policy_,
        {.engagement_points = engagement, .scored_at_ms = 1'795'000'000'000, .revision = 1});
  }
  std::shared_ptr<const ScoringPolicy> policy_ = testutil::SmallPolicy();
};

TEST_F(ScorerTest, EnterpriseMqlWithFullExplanation) {
  const auto l = testutil::EnterpriseLead();
  const auto s = Score(l);
  EXPECT_EQ(s.model_version(), "test-1");
  EXPECT_EQ(s.segment(), leadflow::common::v1::ENTERPRISE);
  EXPECT_EQ(s.deal_band(), leadflow::common::v1::DEAL_BAND_STANDARD);
  EXPECT_FALSE(s.named_account());
  EXPECT_EQ(s.bant().budget(), 4);
  EXPECT_EQ(s.bant().account(), 5);
  EXPECT_EQ(s.bant().need(), 5);
  EXPECT_EQ(s.bant().time(), 5);
  EXPECT_EQ(s.bant().product(), 500);
  EXPECT_TRUE(s.bant().defaulted().empty());
  EXPECT_DOUBLE_EQ(s.fit_score(), 40 + 15 + 10.5);
  // 500 * 0.2 + 65.5 + 0
  EXPECT_DOUBLE_EQ(s.total_score(), 165.5);
  EXPECT_EQ(s.grade(), "A");
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_FALSE(s.disqualified());
  EXPECT_EQ(s.buyer_stage(), leadflow::common::v1::VENDOR_EVALUATION);
  EXPECT_EQ(s.revision(), 1);
  EXPECT_EQ(s.lead().meta().lead_id(), l.meta().lead_id());
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(s.scored_at()),
            1'795'000'000'000);
  ASSERT_NE(Find(s, "bant.product"), nullptr);
  EXPECT_DOUBLE_EQ(Find(s, "bant.product")->points(), 100);
  ASSERT_NE(Find(s, "fit.class.economic"), nullptr);
  EXPECT_EQ(Find(s, "fit.segment.smb"), nullptr);
  EXPECT_EQ(Find(s, "bant.account")->inputs().at("answer"), "DECISION_MAKER");
  EXPECT_EQ(s.total_score(), SumOfContributions(s));
}

TEST_F(ScorerTest, ContributionsSumToTotalAcrossManyLeads) {
  auto l = testutil::EnterpriseLead();
  for (int i = 0; i < 200; ++i) {
    l.mutable_company()->set_annual_revenue_rub(int64_t{1'000'000} * (i * 997 % 60'000));
    (*l.mutable_answers())["budget"] = (i % 3 == 0) ? "none" : "over_50m";
    l.mutable_contact()->set_decision_role(i % 2 ? leadflow::common::v1::INFLUENCER
                                                 : leadflow::common::v1::DECISION_MAKER);
    l.mutable_company()->set_region(i % 7 == 0 ? "US-CA" : "RU-SPE");
    const auto s = Score(l, 0.1 * i);
    EXPECT_EQ(s.total_score(), SumOfContributions(s)) << i;
    EXPECT_DOUBLE_EQ(s.total_score(),
                     s.bant().product() * 0.2 + s.fit_score() + s.engagement_score())
        << i;
  }
}

TEST_F(ScorerTest, BantMaximumAndMinimum) {
  auto l = testutil::EnterpriseLead();
  (*l.mutable_answers())["budget"] = "over_50m";
  EXPECT_EQ(Score(l).bant().product(), 625);

  (*l.mutable_answers())["budget"] = "none";
  (*l.mutable_answers())["need"] = "just_studying";
  (*l.mutable_answers())["timeline"] = "over_12m";
  l.mutable_contact()->clear_decision_role();  // default 1 in the small model
  const auto s = Score(l);
  EXPECT_EQ(s.bant().product(), 1);
  ASSERT_EQ(s.bant().defaulted_size(), 1);
  EXPECT_EQ(s.bant().defaulted(0), leadflow::common::v1::ACCOUNT);
}

TEST_F(ScorerTest, UnknownFactorsAreDefaultedAndExplained) {
  auto l = testutil::EnterpriseLead();
  l.clear_answers();
  (*l.mutable_answers())["budget"] = "a lot";  // not in the table
  const auto s = Score(l);
  EXPECT_EQ(s.bant().budget(), 2);
  EXPECT_EQ(s.bant().need(), 2);
  EXPECT_EQ(s.bant().time(), 3);
  EXPECT_EQ(s.bant().account(), 5);
  ASSERT_EQ(s.bant().defaulted_size(), 3);
  EXPECT_EQ(s.bant().defaulted(0), leadflow::common::v1::BUDGET);
  EXPECT_EQ(s.bant().defaulted(1), leadflow::common::v1::NEED);
  EXPECT_EQ(s.bant().defaulted(2), leadflow::common::v1::TIME);
  EXPECT_EQ(s.bant().product(), 2 * 5 * 2 * 3);
  EXPECT_NE(Find(s, "bant.budget")->note().find("default 2"), std::string::npos);
  EXPECT_TRUE(Find(s, "bant.account")->note().empty());
}

TEST_F(ScorerTest, AnswersMatchCaseInsensitively) {
  auto l = testutil::EnterpriseLead();
  (*l.mutable_answers())["budget"] = " OVER_50M ";
  EXPECT_EQ(Score(l).bant().budget(), 5);
}

TEST_F(ScorerTest, ScreeningDisqualifiesButStillScores) {
  auto l = testutil::EnterpriseLead();
  l.mutable_company()->set_industry("GAMBLING");
  l.mutable_company()->set_region("US-CA");
  const auto s = Score(l);
  EXPECT_TRUE(s.disqualified());
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::DISQUALIFIED);
  ASSERT_EQ(s.disqualification_reasons_size(), 2);
  EXPECT_EQ(s.disqualification_reasons(0), leadflow::common::v1::SCREENED_INDUSTRY);
  EXPECT_EQ(s.disqualification_reasons(1), leadflow::common::v1::SCREENED_REGION);
  EXPECT_NE(Find(s, "screening.SCREENED_INDUSTRY"), nullptr);
  EXPECT_GT(s.total_score(), 100);  // would be an MQL, but screened out
  EXPECT_EQ(s.total_score(), SumOfContributions(s));
}

TEST_F(ScorerTest, MqlThresholdIsInclusive) {
  auto l = testutil::EnterpriseLead();
  auto model = testutil::SmallModel();
  model.set_mql_threshold(165.5);
  auto at = ScoringPolicy::Create(model);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(ScoreLead(l, **at, {}).lifecycle_stage(), leadflow::common::v1::MQL);
  model.set_mql_threshold(165.6);
  auto above = ScoringPolicy::Create(model);
  ASSERT_TRUE(above.ok());
  EXPECT_EQ(ScoreLead(l, **above, {}).lifecycle_stage(), leadflow::common::v1::LEAD);
}

TEST_F(ScorerTest, EngagementAddsToTotal) {
  auto l = testutil::EnterpriseLead();
  (*l.mutable_answers())["budget"] = "none";  // product 125 -> 25 points
  const auto cold = Score(l);
  EXPECT_DOUBLE_EQ(cold.total_score(), 25 + 65.5);
  EXPECT_EQ(cold.lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_EQ(cold.grade(), "C");
  const auto warm = Score(l, 10);
  EXPECT_DOUBLE_EQ(warm.total_score(), 100.5);
  EXPECT_DOUBLE_EQ(warm.engagement_score(), 10);
  EXPECT_EQ(warm.lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_EQ(warm.grade(), "B");
}

TEST_F(ScorerTest, EngagementBreakdownBecomesOneContributionPerType) {
  auto l = testutil::EnterpriseLead();
  (*l.mutable_answers())["budget"] = "none";  // 90.5 without engagement
  constexpr int64_t kNow = 1'795'000'000'000;
  const EngagementScore engagement = ScoreEngagement(
      {{"w1", leadflow::engagement::v1::WEBINAR_ATTENDED, kNow - 14 * kMillisPerDay},
       {"w2", leadflow::engagement::v1::WEBINAR_ATTENDED, kNow},
       {"u1", leadflow::engagement::v1::UNSUBSCRIBED, kNow}},
      *policy_, kNow);
  ScoreInputs in;
  in.scored_at_ms = kNow;
  in.engagement = &engagement;
  const auto s = ScoreLead(l, *policy_, in);
  const auto* c = Find(s, "engagement.WEBINAR_ATTENDED");
  ASSERT_NE(c, nullptr);
  EXPECT_NEAR(c->points(), 15 + 7.5, 1e-9);
  EXPECT_EQ(c->inputs().at("events"), "2");
  EXPECT_EQ(c->inputs().at("counted"), "2");
  EXPECT_EQ(c->inputs().at("half_life_days"), "14");
  EXPECT_EQ(c->inputs().at("points_per_event"), "15");
  EXPECT_EQ(Find(s, "engagement"), nullptr);
  EXPECT_EQ(Find(s, "engagement.UNSUBSCRIBED"), nullptr);
  EXPECT_NEAR(s.engagement_score(), 22.5, 1e-9);
  EXPECT_EQ(s.total_score(), SumOfContributions(s));
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);  // 90.5 + 22.5 >= 100

  const EngagementScore none;
  in.engagement = &none;
  const auto cold = ScoreLead(l, *policy_, in);
  ASSERT_NE(Find(cold, "engagement"), nullptr);
  EXPECT_EQ(Find(cold, "engagement")->points(), 0);
  EXPECT_EQ(cold.lifecycle_stage(), leadflow::common::v1::LEAD);
}

TEST_F(ScorerTest, CappedEngagementIsExplained) {
  constexpr int64_t kNow = 1'795'046'400'000 + 3'600'000;
  std::vector<EngagementRecord> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back({"w" + std::to_string(i), leadflow::engagement::v1::WEBINAR_ATTENDED, kNow});
  }
  const EngagementScore engagement = ScoreEngagement(events, *policy_, kNow);
  ScoreInputs in;
  in.scored_at_ms = kNow;
  in.engagement = &engagement;
  const auto s = ScoreLead(testutil::EnterpriseLead(), *policy_, in);
  const auto* c = Find(s, "engagement.WEBINAR_ATTENDED");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->points(), 30);  // cap 2 per day
  EXPECT_EQ(c->inputs().at("counted"), "2");
  EXPECT_EQ(c->inputs().at("daily_cap"), "2");
  EXPECT_NE(c->note().find("daily cap"), std::string::npos);
  EXPECT_EQ(s.total_score(), SumOfContributions(s));
}

TEST_F(ScorerTest, FirmographicFitRulesMatchIndustryAndRegion) {
  auto model = testutil::SmallModel();
  auto* r = model.add_fit_rules();
  r->set_rule_id("fit.industry.finance_moscow");
  r->add_industries("Banking");
  r->add_industries("insurance");
  r->add_region_prefixes("RU-MOW");
  r->set_points(7);
  auto p = ScoringPolicy::Create(model);
  ASSERT_TRUE(p.ok()) << p.status().message();
  auto l = testutil::EnterpriseLead();  // banking, RU-MOW
  auto s = ScoreLead(l, **p, {});
  const auto* c = Find(s, "fit.industry.finance_moscow");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->points(), 7);
  EXPECT_EQ(c->inputs().at("industry"), "banking");
  EXPECT_DOUBLE_EQ(s.fit_score(), 65.5 + 7);
  EXPECT_EQ(s.total_score(), SumOfContributions(s));
  l.mutable_company()->set_region("RU-SPE");
  EXPECT_EQ(Find(ScoreLead(l, **p, {}), "fit.industry.finance_moscow"), nullptr);
  l.mutable_company()->set_region("ru-mow");
  l.mutable_company()->set_industry("retail");
  EXPECT_EQ(Find(ScoreLead(l, **p, {}), "fit.industry.finance_moscow"), nullptr);
  l.mutable_company()->set_industry(" INSURANCE ");
  EXPECT_NE(Find(ScoreLead(l, **p, {}), "fit.industry.finance_moscow"), nullptr);
}

TEST_F(ScorerTest, GradeFallsBackToLowestBand) {
  auto model = testutil::SmallModel();
  model.mutable_grades(3)->set_min_total(10);
  model.set_bant_weight(0);
  model.clear_fit_rules();
  auto p = ScoringPolicy::Create(model);
  ASSERT_TRUE(p.ok());
  const auto s = ScoreLead(testutil::EnterpriseLead(), **p, {});
  EXPECT_EQ(s.total_score(), 0);
  EXPECT_EQ(s.grade(), "D");
}

TEST_F(ScorerTest, NamedAccountByKeyCaseInsensitive) {
  auto l = testutil::EnterpriseLead();
  l.mutable_meta()->set_account_key("named.example.ru");
  const auto s = Score(l);
  EXPECT_TRUE(s.named_account());
  EXPECT_NE(Find(s, "named_account"), nullptr);
}

TEST_F(ScorerTest, ReusedOutputEqualsAFreshScore) {
  constexpr int64_t kNow = 1'795'000'000'000;
  const EngagementScore engagement = ScoreEngagement(
      {{"w1", leadflow::engagement::v1::WEBINAR_ATTENDED, kNow},
       {"w2", leadflow::engagement::v1::WEBINAR_ATTENDED, kNow},
       {"w3", leadflow::engagement::v1::WEBINAR_ATTENDED, kNow}},
      *policy_, kNow);
  std::vector<std::pair<leadflow::intake::v1::LeadAccepted, const EngagementScore*>> cases;
  auto l = testutil::EnterpriseLead();
  cases.push_back({l, &engagement});
  l.mutable_company()->set_industry("gambling");  // more contributions (screening)
  l.mutable_meta()->set_account_key("named.example.ru");
  l.set_expected_deal_rub(0);
  cases.push_back({l, nullptr});
  l = testutil::EnterpriseLead();
  l.clear_answers();  // defaulted factors, different inputs
  l.mutable_contact()->clear_decision_role();
  cases.push_back({l, &engagement});
  cases.push_back({testutil::EnterpriseLead(), nullptr});  // fewer contributions than before
  LeadScored reused;
  for (size_t i = 0; i < cases.size(); ++i) {
    ScoreInputs in;
    in.scored_at_ms = kNow;
    in.revision = static_cast<int>(i) + 1;
    in.engagement = cases[i].second;
    ScoreLeadInto(cases[i].first, *policy_, in, &reused);
    const auto fresh = ScoreLead(cases[i].first, *policy_, in);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(reused, fresh))
        << i << "\nreused: " << reused.ShortDebugString() << "\nfresh: " << fresh.ShortDebugString();
  }
}

TEST_F(ScorerTest, Deterministic) {
  const auto l = testutil::EnterpriseLead();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(Score(l), Score(l)));
}

}  // namespace
}  // namespace leadflow::scoring
