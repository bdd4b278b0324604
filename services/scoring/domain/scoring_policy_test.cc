#include "scoring/domain/scoring_policy.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "scoring/testing/scoring_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::scoring {
namespace {

using leadflow::config::v1::ScoringModel;

struct BadModelCase {
  const char* name;
  std::function<void(ScoringModel&)> mutate;
  const char* field;
};

class BadScoringModelTest : public ::testing::TestWithParam<BadModelCase> {};

TEST_P(BadScoringModelTest, RejectedNamingTheField) {
  ScoringModel m = testutil::SmallModel();
  GetParam().mutate(m);
  auto p = ScoringPolicy::Create(m);
  ASSERT_FALSE(p.ok()) << GetParam().name;
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(GetParam().field), std::string::npos) << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadScoringModelTest,
    ::testing::Values(
        BadModelCase{"version", [](ScoringModel& m) { m.clear_version(); }, "version"},
        BadModelCase{"half_life0", [](ScoringModel& m) { m.set_engagement_half_life_days(0); },
                     "engagement_half_life_days"},
        BadModelCase{"half_life_neg", [](ScoringModel& m) { m.set_engagement_half_life_days(-1); },
                     "engagement_half_life_days"},
        BadModelCase{"rating_high",
                     [](ScoringModel& m) { (*m.mutable_bant(0)->mutable_ratings())["x"] = 6; },
                     "bant[0].ratings[\"x\"]"},
        BadModelCase{"rating_zero",
                     [](ScoringModel& m) { (*m.mutable_bant(2)->mutable_ratings())["y"] = 0; },
                     "bant[2].ratings[\"y\"]"},
        BadModelCase{"default_rating",
                     [](ScoringModel& m) { m.mutable_bant(1)->set_default_rating(0); },
                     "bant[1].default_rating"},
        BadModelCase{"missing_factor", [](ScoringModel& m) { m.mutable_bant()->RemoveLast(); },
                     "TIME"},
        BadModelCase{
            "dup_factor",
            [](ScoringModel& m) { m.mutable_bant(3)->set_factor(leadflow::common::v1::BUDGET); },
            "bant[3].factor"},
        BadModelCase{"unspecified_factor",
                     [](ScoringModel& m) { m.mutable_bant(0)->clear_factor(); }, "bant[0].factor"},
        BadModelCase{"answer_key", [](ScoringModel& m) { m.mutable_bant(0)->clear_answer_key(); },
                     "bant[0].answer_key"},
        BadModelCase{"at_key",
                     [](ScoringModel& m) { m.mutable_bant(1)->set_answer_key("@salary"); },
                     "bant[1].answer_key"},
        BadModelCase{"bant_weight", [](ScoringModel& m) { m.set_bant_weight(-0.1); },
                     "bant_weight"},
        BadModelCase{"mql", [](ScoringModel& m) { m.set_mql_threshold(-1); }, "mql_threshold"},
        BadModelCase{"grades_empty", [](ScoringModel& m) { m.clear_grades(); }, "grades"},
        BadModelCase{"grades_order",
                     [](ScoringModel& m) { m.mutable_grades(2)->set_min_total(120); },
                     "grades[2].min_total"},
        BadModelCase{"grades_equal",
                     [](ScoringModel& m) { m.mutable_grades(1)->set_min_total(150); },
                     "grades[1].min_total"},
        BadModelCase{"grade_name", [](ScoringModel& m) { m.mutable_grades(0)->clear_grade(); },
                     "grades[0].grade"},
        BadModelCase{"headcount",
                     [](ScoringModel& m) { m.mutable_screening()->set_min_headcount(-1); },
                     "screening.min_headcount"},
        BadModelCase{"revenue",
                     [](ScoringModel& m) { m.mutable_screening()->set_min_annual_revenue_rub(-1); },
                     "screening.min_annual_revenue_rub"},
        BadModelCase{"region",
                     [](ScoringModel& m) { m.mutable_screening()->add_serviceable_regions(" "); },
                     "screening.serviceable_regions[2]"},
        BadModelCase{
            "segment_threshold",
            [](ScoringModel& m) { m.mutable_segments()->set_mid_market_min_revenue_rub(-5); },
            "segments.mid_market_min_revenue_rub"},
        BadModelCase{"bands_order",
                     [](ScoringModel& m) { m.mutable_deal_bands()->set_large_min_rub(1); },
                     "deal_bands.large_min_rub"},
        BadModelCase{"fit_id", [](ScoringModel& m) { m.mutable_fit_rules(1)->clear_rule_id(); },
                     "fit_rules[1].rule_id"},
        BadModelCase{
            "fit_dup",
            [](ScoringModel& m) { m.mutable_fit_rules(1)->set_rule_id("fit.segment.enterprise"); },
            "fit_rules[1].rule_id"},
        BadModelCase{"fit_industry",
                     [](ScoringModel& m) { m.mutable_fit_rules(0)->add_industries(" "); },
                     "fit_rules[0].industries[0]"},
        BadModelCase{"fit_region",
                     [](ScoringModel& m) { m.mutable_fit_rules(2)->add_region_prefixes(""); },
                     "fit_rules[2].region_prefixes[0]"},
        BadModelCase{"engagement_type",
                     [](ScoringModel& m) { m.mutable_engagement(0)->set_event_type("TELEPATHY"); },
                     "engagement[0].event_type"},
        BadModelCase{"engagement_cap",
                     [](ScoringModel& m) { m.mutable_engagement(0)->set_daily_cap(-1); },
                     "engagement[0].daily_cap"},
        BadModelCase{"named", [](ScoringModel& m) { m.add_named_accounts(""); },
                     "named_accounts[1]"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ScoringPolicyTest, SmallModelIsValidAndIndexed) {
  auto p = testutil::SmallPolicy();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version(), "test-1");
  EXPECT_EQ(p->Mapping(leadflow::common::v1::NEED).answer_key(), "need");
  EXPECT_EQ(p->Rating(leadflow::common::v1::BUDGET, "Over_50M"), 5);
  EXPECT_EQ(p->Rating(leadflow::common::v1::BUDGET, "unknown"), 0);
  EXPECT_EQ(p->Rating(leadflow::common::v1::ACCOUNT, "decision_maker"), 5);
  EXPECT_TRUE(p->IsNamedAccount("named.example.ru"));
  EXPECT_FALSE(p->IsNamedAccount("example.ru"));
}

ScoringModel ShippedModel() {
  const std::string path = leadflow::testing::SourcePath("config/scoring_model.json");
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path << " not found";
  std::stringstream buf;
  buf << in.rdbuf();
  ScoringModel m;
  google::protobuf::util::JsonParseOptions opts;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(buf.str(), &m, opts).ok());
  return m;
}

TEST(ScoringPolicyTest, ShippedDefaultModelValidates) {
  auto p = ScoringPolicy::Create(ShippedModel());
  EXPECT_TRUE(p.ok()) << p.status().message();
}

// The numbers docs/domain-rules.md gives are the shipped defaults.
TEST(ScoringPolicyTest, ShippedDefaultsEmbodyTheDomainRules) {
  const ScoringModel m = ShippedModel();
  EXPECT_EQ(m.segments().enterprise_min_revenue_rub(), 40'000'000'000);   // 40 bn RUB
  EXPECT_EQ(m.segments().enterprise_min_it_budget_rub(), 2'500'000'000);  // 2.5 bn RUB
  EXPECT_GT(m.segments().mid_market_min_revenue_rub(), 0);
  EXPECT_EQ(m.deal_bands().standard_min_rub(), 20'000'000);  // 20 mln
  EXPECT_EQ(m.deal_bands().large_min_rub(), 50'000'000);     // 50 mln
  ASSERT_EQ(m.bant_size(), 4);
  for (const auto& b : m.bant()) {
    int lo = 5, hi = 1;
    for (const auto& [answer, rating] : b.ratings()) {
      lo = std::min(lo, rating);
      hi = std::max(hi, rating);
    }
    EXPECT_GE(lo, 1) << b.answer_key();
    EXPECT_EQ(hi, 5) << b.answer_key();  // every factor can reach 5: 625 is reachable
  }
  EXPECT_FALSE(m.screening().excluded_industries().empty());
  EXPECT_FALSE(m.screening().serviceable_regions().empty());
  EXPECT_GT(m.engagement_half_life_days(), 0);
  EXPECT_GT(m.mql_threshold(), 0);
  EXPECT_FALSE(m.named_accounts().empty());
}

}  // namespace
}  // namespace leadflow::scoring
