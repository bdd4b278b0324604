#include "routing/domain/pipeline_value.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

rv1::LeadAssigned Record(const std::string& rep, cv1::Segment segment) {
  rv1::LeadAssigned r;
  r.mutable_scored()->set_segment(segment);
  r.mutable_decision()->set_outcome(rv1::ASSIGNED);
  r.mutable_decision()->set_rep_id(rep);
  r.mutable_decision()->set_team("key-accounts");
  return r;
}

FeedbackTags InStage(const std::string& rep, int64_t value, int pct) {
  FeedbackTags t;
  t.last = "stage|" + rep;
  t.accepted_by = rep;
  t.stage = "proposal";
  t.value_rub = value;
  t.win_probability_pct = pct;
  return t;
}

TEST(PipelineValue, OnlyDealsInAStageWithTheirRepAreOpen) {
  const auto rec = Record("r1", cv1::ENTERPRISE);
  auto deal = OpenDealOf(rec, InStage("r1", 80000000, 30));
  ASSERT_TRUE(deal.has_value());
  EXPECT_EQ(deal->team, "key-accounts");
  EXPECT_EQ(deal->segment, "ENTERPRISE");
  EXPECT_EQ(deal->value_rub, 80000000);
  EXPECT_EQ(deal->win_probability_pct, 30);

  FeedbackTags accepted = InStage("r1", 0, 0);
  accepted.stage.clear();
  EXPECT_FALSE(OpenDealOf(rec, accepted).has_value()) << "accepted, no stage yet: no value";
  FeedbackTags closed = InStage("r1", 80000000, 30);
  closed.last = "close|r1";
  closed.close = "LOST:LOST_PRICE";
  EXPECT_FALSE(OpenDealOf(rec, closed).has_value()) << "a closed deal left the pipeline";
  EXPECT_FALSE(OpenDealOf(Record("r2", cv1::ENTERPRISE), InStage("r1", 1, 10)).has_value())
      << "re-assigned: the stage was another rep's";
  auto queued = Record("", cv1::ENTERPRISE);
  queued.mutable_decision()->set_outcome(rv1::QUEUED);
  EXPECT_FALSE(OpenDealOf(queued, FeedbackTags{}).has_value());
}

TEST(PipelineValue, SumsPerTeamAndSegmentWeightedByProbabilityAndZeroesTheGone) {
  std::vector<OpenDeal> deals = {{"key-accounts", "ENTERPRISE", 80000000, 30},
                                 {"key-accounts", "ENTERPRISE", 20000000, 50},
                                 {"key-accounts", "GOVERNMENT", 60000000, 0},
                                 {"enterprise", "ENTERPRISE", 10000000, 70}};
  auto t = SumPipeline(deals, {{"mid-market", "MID_MARKET"}});
  ASSERT_EQ(t.size(), 4u);
  const PipelineTotals& ka = t.at({"key-accounts", "ENTERPRISE"});
  EXPECT_DOUBLE_EQ(ka.value_rub, 100000000);
  EXPECT_DOUBLE_EQ(ka.weighted_rub, 24000000 + 10000000);
  EXPECT_DOUBLE_EQ(t.at({"key-accounts", "GOVERNMENT"}).value_rub, 60000000);
  EXPECT_DOUBLE_EQ(t.at({"key-accounts", "GOVERNMENT"}).weighted_rub, 0);  // the scope gap
  EXPECT_DOUBLE_EQ(t.at({"enterprise", "ENTERPRISE"}).weighted_rub, 7000000);
  EXPECT_DOUBLE_EQ(t.at({"mid-market", "MID_MARKET"}).value_rub, 0) << "reported before: now 0";
}

}  // namespace
}  // namespace leadflow::routing
