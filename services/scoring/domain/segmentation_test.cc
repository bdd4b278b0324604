#include "scoring/domain/segmentation.h"

#include <gtest/gtest.h>

#include "scoring/testing/scoring_test_util.h"
#include "scoring/domain/screening.h"

namespace leadflow::scoring {
namespace {

using leadflow::common::v1::Company;

class SegmentTest : public ::testing::Test {
 protected:
  leadflow::common::v1::Segment Seg(const Company& c) {
    return ClassifySegment(c, model_.segments());
  }
  leadflow::config::v1::ScoringModel model_ = testutil::SmallModel();
};

TEST_F(SegmentTest, EnterpriseExactlyAtBothThresholdsAndOneBelow) {
  Company c;
  c.set_annual_revenue_rub(40'000'000'000);
  c.set_it_budget_rub(2'500'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::ENTERPRISE);
  c.set_annual_revenue_rub(39'999'999'999);
  EXPECT_EQ(Seg(c), leadflow::common::v1::MID_MARKET);
  c.set_annual_revenue_rub(40'000'000'000);
  c.set_it_budget_rub(2'499'999'999);
  EXPECT_EQ(Seg(c), leadflow::common::v1::MID_MARKET);  // both conditions are required
}

TEST_F(SegmentTest, GovernmentAtThresholdAndOneBelow) {
  Company c;
  c.set_state_body(true);
  c.set_digitalisation_budget_rub(500'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::GOVERNMENT);
  c.set_digitalisation_budget_rub(499'999'999);
  EXPECT_EQ(Seg(c), leadflow::common::v1::SMB);
  c.set_state_body(false);
  c.set_digitalisation_budget_rub(900'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::SMB);  // budget without a state body
}

TEST_F(SegmentTest, InfrastructureAtThresholdAndOneBelow) {
  Company c;
  c.set_infrastructure_project(true);
  c.set_ict_budget_rub(1'000'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::INFRASTRUCTURE);
  c.set_ict_budget_rub(999'999'999);
  EXPECT_EQ(Seg(c), leadflow::common::v1::SMB);
}

TEST_F(SegmentTest, MidMarketAtThresholdAndOneBelow) {
  Company c;
  c.set_annual_revenue_rub(2'000'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::MID_MARKET);
  c.set_annual_revenue_rub(1'999'999'999);
  EXPECT_EQ(Seg(c), leadflow::common::v1::SMB);
}

TEST_F(SegmentTest, EnterpriseWinsOverGovernment) {
  Company c;
  c.set_annual_revenue_rub(50'000'000'000);
  c.set_it_budget_rub(3'000'000'000);
  c.set_state_body(true);
  c.set_digitalisation_budget_rub(900'000'000);
  EXPECT_EQ(Seg(c), leadflow::common::v1::ENTERPRISE);
}

TEST_F(SegmentTest, ZeroThresholdNeedsAPositiveAmount) {
  model_.mutable_segments()->set_government_min_digitalisation_budget_rub(0);
  Company c;
  c.set_state_body(true);
  EXPECT_EQ(Seg(c), leadflow::common::v1::SMB);
  c.set_digitalisation_budget_rub(1);
  EXPECT_EQ(Seg(c), leadflow::common::v1::GOVERNMENT);
}

TEST(DealBandTest, Edges) {
  const auto bands = testutil::SmallModel().deal_bands();
  auto band = [&](int64_t v) { return ClassifyDealBand(v, leadflow::common::v1::SMB, bands).band; };
  EXPECT_EQ(band(1), leadflow::common::v1::DEAL_BAND_SMALL);
  EXPECT_EQ(band(19'999'999), leadflow::common::v1::DEAL_BAND_SMALL);
  EXPECT_EQ(band(20'000'000), leadflow::common::v1::DEAL_BAND_STANDARD);
  EXPECT_EQ(band(49'999'999), leadflow::common::v1::DEAL_BAND_STANDARD);
  EXPECT_EQ(band(50'000'000), leadflow::common::v1::DEAL_BAND_LARGE);
  EXPECT_FALSE(ClassifyDealBand(50'000'000, leadflow::common::v1::SMB, bands).derived_from_segment);
}

TEST(DealBandTest, UnknownSizeDerivedFromSegment) {
  const auto bands = testutil::SmallModel().deal_bands();
  auto derived = [&](leadflow::common::v1::Segment s) {
    const auto r = ClassifyDealBand(0, s, bands);
    EXPECT_TRUE(r.derived_from_segment);
    return r.band;
  };
  EXPECT_EQ(derived(leadflow::common::v1::ENTERPRISE), leadflow::common::v1::DEAL_BAND_LARGE);
  EXPECT_EQ(derived(leadflow::common::v1::GOVERNMENT), leadflow::common::v1::DEAL_BAND_LARGE);
  EXPECT_EQ(derived(leadflow::common::v1::INFRASTRUCTURE), leadflow::common::v1::DEAL_BAND_LARGE);
  EXPECT_EQ(derived(leadflow::common::v1::MID_MARKET), leadflow::common::v1::DEAL_BAND_STANDARD);
  EXPECT_EQ(derived(leadflow::common::v1::SMB), leadflow::common::v1::DEAL_BAND_SMALL);
}

class ScreeningTest : public ::testing::Test {
 protected:
  Company Passing() {
    Company c;
    c.set_industry("banking");
    c.set_headcount(10);
    c.set_annual_revenue_rub(1'000'000);
    c.set_region("RU-MOW");
    return c;
  }
  std::vector<leadflow::common::v1::ReasonCode> Reasons(const Company& c) {
    return Screen(c, rules_);
  }
  leadflow::config::v1::ScreeningRules rules_ = testutil::SmallModel().screening();
};

TEST_F(ScreeningTest, PassesAtEveryBoundary) { EXPECT_TRUE(Reasons(Passing()).empty()); }

TEST_F(ScreeningTest, EachReason) {
  using V = std::vector<leadflow::common::v1::ReasonCode>;
  auto c = Passing();
  c.set_industry(" gambling ");
  EXPECT_EQ(Reasons(c), V{leadflow::common::v1::SCREENED_INDUSTRY});
  c = Passing();
  c.set_headcount(9);
  EXPECT_EQ(Reasons(c), V{leadflow::common::v1::SCREENED_HEADCOUNT});
  c = Passing();
  c.set_annual_revenue_rub(999'999);
  EXPECT_EQ(Reasons(c), V{leadflow::common::v1::SCREENED_REVENUE});
  c = Passing();
  c.set_region("US-CA");
  EXPECT_EQ(Reasons(c), V{leadflow::common::v1::SCREENED_REGION});
  c.set_region("kz-ast");  // prefix, case-insensitive
  EXPECT_TRUE(Reasons(c).empty());
  c = Passing();
  c.set_has_revenue_growth(true);
  c.set_revenue_growth_pct(-30.5);
  EXPECT_EQ(Reasons(c), V{leadflow::common::v1::SCREENED_GROWTH});
  c.set_revenue_growth_pct(-30);
  EXPECT_TRUE(Reasons(c).empty());
}

TEST_F(ScreeningTest, GrowthOnlyWhenPresentAndEnabled) {
  auto c = Passing();
  c.set_revenue_growth_pct(-90);  // has_revenue_growth=false: not known
  EXPECT_TRUE(Reasons(c).empty());
  c.set_has_revenue_growth(true);
  rules_.set_screen_growth(false);
  EXPECT_TRUE(Reasons(c).empty());
}

TEST_F(ScreeningTest, UnknownValuesPass) {
  Company c;  // nothing known
  EXPECT_TRUE(Reasons(c).empty());
}

TEST_F(ScreeningTest, AllReasonsAtOnceInOrder) {
  Company c;
  c.set_industry("Gambling");
  c.set_headcount(1);
  c.set_annual_revenue_rub(1);
  c.set_region("DE-BE");
  c.set_has_revenue_growth(true);
  c.set_revenue_growth_pct(-50);
  EXPECT_EQ(Reasons(c),
            (std::vector<leadflow::common::v1::ReasonCode>{
                leadflow::common::v1::SCREENED_INDUSTRY, leadflow::common::v1::SCREENED_HEADCOUNT,
                leadflow::common::v1::SCREENED_REVENUE, leadflow::common::v1::SCREENED_REGION,
                leadflow::common::v1::SCREENED_GROWTH}));
}

TEST_F(ScreeningTest, EmptyRegionListServesAll) {
  rules_.clear_serviceable_regions();
  auto c = Passing();
  c.set_region("US-CA");
  EXPECT_TRUE(Reasons(c).empty());
}

}  // namespace
}  // namespace leadflow::scoring
