// RescoreHistory / CheckSameEngagement (scoring_what_if.h): a few recorded
// leads.scored records re-scored with candidate models. Hermetic: the small
// test model of scoring's domain tests, no topics.
#include "scoring_what_if.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/domain/engagement.h"
#include "scoring/domain/scorer.h"
#include "scoring/testing/scoring_test_util.h"

namespace leadflow::cli {
namespace {

namespace tu = scoring::testutil;
using leadflow::config::v1::ScoringModel;

constexpr int64_t kT0 = 1'796'000'000'000;  // 2026-11-30

// A record as scoring published it under the live (small) model.
routing::HistoryLead Record(const std::string& id, const char* budget, int64_t at_ms,
                            int webinars = 0) {
  auto lead = tu::EnterpriseLead();
  lead.mutable_meta()->set_lead_id(id);
  (*lead.mutable_answers())["budget"] = budget;
  auto policy = tu::SmallPolicy();
  std::vector<scoring::EngagementRecord> events;
  for (int i = 0; i < webinars; ++i) {
    events.push_back({"e" + std::to_string(i), leadflow::engagement::v1::WEBINAR_ATTENDED, at_ms});
  }
  const auto engagement = scoring::ScoreEngagement(events, *policy, at_ms);
  scoring::ScoreInputs in;
  in.scored_at_ms = at_ms;
  in.revision = 1;
  in.engagement = &engagement;
  routing::HistoryLead h;
  h.at_ms = at_ms;
  h.scored = scoring::ScoreLead(lead, *policy, in);
  return h;
}

// A: 165.5 (MQL), B: 115.5 (MQL), C: 90.5 (LEAD), D: 90.5 + 15 engagement (MQL).
std::vector<routing::HistoryLead> History() {
  return {Record("L-A", "20_50m", kT0), Record("L-B", "under_5m", kT0 + 1000),
          Record("L-C", "none", kT0 + 2000), Record("L-D", "none", kT0 + 3000, 1)};
}

ScoringModel Candidate(double threshold) {
  ScoringModel m = tu::SmallModel();
  m.set_version("candidate");
  m.set_mql_threshold(threshold);
  return m;
}

TEST(ScoringWhatIfTest, HigherThresholdDropsMqls) {
  auto history = History();
  ASSERT_EQ(history[3].scored.engagement_score(), 15);
  ASSERT_EQ(history[3].scored.lifecycle_stage(), leadflow::common::v1::MQL);
  auto live = tu::SmallPolicy();
  auto candidate = tu::SmallPolicy(Candidate(120));
  auto r = RescoreHistory(*live, *candidate, history);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 4);
  EXPECT_EQ(r->records_in_window, 4);
  EXPECT_EQ(r->mql_before, 3);
  EXPECT_EQ(r->mql_after, 1);
  EXPECT_TRUE(r->added.empty());
  ASSERT_EQ(r->dropped.size(), 2u);
  EXPECT_EQ(r->dropped[0].lead_id, "L-B");
  EXPECT_DOUBLE_EQ(r->dropped[0].old_total, 115.5);
  EXPECT_DOUBLE_EQ(r->dropped[0].new_total, 115.5);
  EXPECT_EQ(r->dropped[0].old_stage, "MQL");
  EXPECT_EQ(r->dropped[0].new_stage, "LEAD");
  EXPECT_EQ(r->dropped[1].lead_id, "L-D");  // the recorded engagement points reused
  EXPECT_DOUBLE_EQ(r->dropped[1].new_total, 105.5);
  EXPECT_EQ(r->live_mismatches, 0);
  EXPECT_EQ(r->other_model_version, 0);
  // The history now holds the candidate's records, for the routing replay.
  EXPECT_EQ(history[1].scored.model_version(), "candidate");
  EXPECT_EQ(history[1].scored.lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_EQ(history[3].scored.engagement_score(), 15);
  EXPECT_EQ(history[0].scored.lifecycle_stage(), leadflow::common::v1::MQL);
}

TEST(ScoringWhatIfTest, LowerThresholdAddsMqlsWithinTheWindow) {
  auto history = History();
  auto live = tu::SmallPolicy();
  auto candidate = tu::SmallPolicy(Candidate(90));
  auto r = RescoreHistory(*live, *candidate, history, kT0 + 1000, kT0 + 3000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 4);
  EXPECT_EQ(r->records_in_window, 2);  // L-B and L-C
  ASSERT_EQ(r->added.size(), 1u);
  EXPECT_EQ(r->added[0].lead_id, "L-C");
  EXPECT_EQ(r->added[0].old_stage, "LEAD");
  EXPECT_EQ(r->added[0].new_stage, "MQL");
  EXPECT_TRUE(r->dropped.empty());
  EXPECT_EQ(r->mql_before, 1);
  EXPECT_EQ(r->mql_after, 2);
}

TEST(ScoringWhatIfTest, SelfCheckCountsRecordsTheLiveModelDoesNotReproduce) {
  auto history = History();
  history[2].scored.set_total_score(99);  // as if scored by an older model
  history[2].scored.set_model_version("old");
  auto live = tu::SmallPolicy();
  auto r = RescoreHistory(*live, *tu::SmallPolicy(Candidate(100)), history);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->live_mismatches, 1);
  EXPECT_EQ(r->live_mismatch_leads, std::vector<std::string>{"L-C"});
  EXPECT_EQ(r->other_model_version, 1);
}

TEST(ScoringWhatIfTest, EngagementChangeIsRefusedNamingTheField) {
  auto live = tu::SmallPolicy();
  auto history = History();
  const auto before = history[1].scored.SerializeAsString();

  ScoringModel half_life = Candidate(100);
  half_life.set_engagement_half_life_days(7);
  auto r = RescoreHistory(*live, *tu::SmallPolicy(half_life), history);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("engagement_half_life_days"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(history[1].scored.SerializeAsString(), before);  // nothing re-scored

  ScoringModel points = Candidate(100);
  points.mutable_engagement(0)->set_points(20);
  EXPECT_NE(CheckSameEngagement(tu::SmallModel(), points)
                .message()
                .find("engagement[\"WEBINAR_ATTENDED\"].points"),
            std::string::npos);
  ScoringModel cap = Candidate(100);
  cap.mutable_engagement(0)->set_daily_cap(5);
  EXPECT_NE(CheckSameEngagement(tu::SmallModel(), cap).message().find(".daily_cap"),
            std::string::npos);
  ScoringModel added = Candidate(100);
  auto* e = added.add_engagement();
  e->set_event_type("EMAIL_CLICKED");
  e->set_points(1);
  EXPECT_NE(CheckSameEngagement(tu::SmallModel(), added).message().find("EMAIL_CLICKED"),
            std::string::npos);
  ScoringModel removed = Candidate(100);
  removed.clear_engagement();
  EXPECT_NE(CheckSameEngagement(tu::SmallModel(), removed).message().find("WEBINAR_ATTENDED"),
            std::string::npos);
  EXPECT_TRUE(CheckSameEngagement(tu::SmallModel(), Candidate(150)).ok());
}

}  // namespace
}  // namespace leadflow::cli
