#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/domain/scoring_test_util.h"

namespace leadflow::scoring {
namespace {

using leadflow::scoring::v1::LeadScored;

class FixedEngagement final : public EngagementSource {
 public:
  StatusOr<double> PointsFor(const std::string&, int64_t) override {
    if (down) return Status::Unavailable("down");
    return points;
  }
  double points = 0;
  bool down = false;
};

class ScoringAppTest : public ::testing::Test {
 protected:
  kafka::ConsumedMessage Record(const leadflow::intake::v1::LeadAccepted& lead, int64_t offset) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsAccepted;
    m.offset = offset;
    m.payload = lead.SerializeAsString();
    m.timestamp_ms = 1'795'000'000'000;
    m.headers.push_back({topics::kTraceHeader, lead.meta().trace_id()});
    return m;
  }
  std::vector<kafka::OutgoingMessage> Handle(const kafka::ConsumedMessage& m,
                                             StatusCode want = StatusCode::kOk) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = handler_.Handle(m, out);
    EXPECT_EQ(s.code(), want) << s.message();
    return out;
  }
  LeadScored Decode(const kafka::OutgoingMessage& m) {
    LeadScored s;
    EXPECT_TRUE(s.ParseFromString(m.payload));
    return s;
  }

  FakeClock clock_{1'796'000'000'000};
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "scoring"};
  ScoringMetrics metrics_{service_metrics_};
  ModelHolder model_{testutil::SmallPolicy()};
  InMemoryScoreStore store_;
  FixedEngagement engagement_;
  ScoringHandler handler_{model_, store_, engagement_, metrics_, clock_};
  ExplainService explain_{store_, metrics_, clock_};
};

TEST_F(ScoringAppTest, ScoresStoresAndPublishes) {
  const auto lead = testutil::EnterpriseLead();
  auto out = Handle(Record(lead, 1));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsScored);
  EXPECT_EQ(out[0].key, "example.ru");
  ASSERT_EQ(out[0].headers.size(), 1u);
  EXPECT_EQ(out[0].headers[0].key, topics::kTraceHeader);
  EXPECT_EQ(out[0].headers[0].value, "t-1");
  const auto s = Decode(out[0]);
  EXPECT_EQ(s.revision(), 1);
  EXPECT_EQ(s.model_version(), "test-1");
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(s.scored_at()),
            1'795'000'000'000);
  auto stored = store_.Get(lead.meta().lead_id());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->total_score(), s.total_score());
  EXPECT_EQ(metrics_.ScoredCount("mql", "ENTERPRISE"), 1);
}

TEST_F(ScoringAppTest, RedeliveryReproducesIdenticalBytes) {
  const auto lead = testutil::EnterpriseLead();
  auto first = Handle(Record(lead, 1));
  clock_.Advance(std::chrono::hours(1));
  auto again = Handle(Record(lead, 1));
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0].payload, again[0].payload);
}

TEST_F(ScoringAppTest, DisqualifiedIsStillScoredAndCounted) {
  auto lead = testutil::EnterpriseLead();
  lead.mutable_company()->set_industry("gambling");
  auto out = Handle(Record(lead, 2));
  ASSERT_EQ(out.size(), 1u);
  const auto s = Decode(out[0]);
  EXPECT_TRUE(s.disqualified());
  EXPECT_EQ(metrics_.ScoredCount("disqualified", "ENTERPRISE"), 1);
  EXPECT_EQ(metrics_.DisqualifiedCount("SCREENED_INDUSTRY"), 1);
}

TEST_F(ScoringAppTest, EngagementInputIsUsed) {
  auto lead = testutil::EnterpriseLead();
  (*lead.mutable_answers())["budget"] = "none";
  engagement_.points = 10;
  const auto s = Decode(Handle(Record(lead, 3))[0]);
  EXPECT_DOUBLE_EQ(s.engagement_score(), 10);
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);
}

TEST_F(ScoringAppTest, BadRecordsAreInvalidArgumentWithReason) {
  kafka::ConsumedMessage garbage;
  garbage.topic = topics::kLeadsAccepted;
  garbage.payload = "\xFF\xFF\xFF\xFF";
  std::vector<kafka::OutgoingMessage> out;
  Status s = handler_.Handle(garbage, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), leadflow::common::v1::MALFORMED_PAYLOAD);
  auto no_id = testutil::EnterpriseLead();
  no_id.mutable_meta()->clear_lead_id();
  s = handler_.Handle(Record(no_id, 4), out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), leadflow::common::v1::MISSING_FIELD);
  EXPECT_TRUE(out.empty());
}

TEST_F(ScoringAppTest, TransientFailuresAreUnavailable) {
  store_.SetUnavailable(true);
  EXPECT_TRUE(Handle(Record(testutil::EnterpriseLead(), 5), StatusCode::kUnavailable).empty());
  store_.SetUnavailable(false);
  engagement_.down = true;
  EXPECT_TRUE(Handle(Record(testutil::EnterpriseLead(), 5), StatusCode::kUnavailable).empty());
}

TEST_F(ScoringAppTest, StoreKeepsTheLatestRevision) {
  const auto lead = testutil::EnterpriseLead();
  Handle(Record(lead, 1));
  auto rescored = *(*store_.Get(lead.meta().lead_id()));
  rescored.set_revision(3);
  rescored.set_engagement_score(77);
  ASSERT_TRUE(store_.Put(rescored).ok());
  Handle(Record(lead, 1));  // a redelivered revision 1 must not overwrite revision 3
  EXPECT_EQ((*store_.Get(lead.meta().lead_id()))->revision(), 3);
}

TEST_F(ScoringAppTest, ExplainStored) {
  const auto lead = testutil::EnterpriseLead();
  Handle(Record(lead, 1));
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  leadflow::scoring::v1::ExplainResponse resp;
  ASSERT_TRUE(explain_.Explain(&ctx, &req, &resp).ok());
  EXPECT_FALSE(resp.what_if());
  EXPECT_EQ(resp.score().model_version(), "test-1");
  EXPECT_GT(resp.score().contributions_size(), 5);
}

TEST_F(ScoringAppTest, ExplainNotFoundAndMissingId) {
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  leadflow::scoring::v1::ExplainResponse resp;
  EXPECT_EQ(explain_.Explain(&ctx, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_lead_id("L-unknown");
  EXPECT_EQ(explain_.Explain(&ctx, &req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  store_.SetUnavailable(true);
  EXPECT_EQ(explain_.Explain(&ctx, &req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ScoringAppTest, ExplainWhatIfRescoresWithoutStoringOrPublishing) {
  const auto lead = testutil::EnterpriseLead();
  auto out = Handle(Record(lead, 1));
  const auto original = Decode(out[0]);
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  *req.mutable_candidate_model() = testutil::SmallModel();
  req.mutable_candidate_model()->set_version("candidate-2");
  req.mutable_candidate_model()->set_mql_threshold(1000);
  leadflow::scoring::v1::ExplainResponse resp;
  ASSERT_TRUE(explain_.Explain(&ctx, &req, &resp).ok());
  EXPECT_TRUE(resp.what_if());
  EXPECT_EQ(resp.score().model_version(), "candidate-2");
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_DOUBLE_EQ(resp.score().total_score(), original.total_score());
  // Nothing changed in the store.
  EXPECT_EQ((*store_.Get(lead.meta().lead_id()))->model_version(), "test-1");
}

TEST_F(ScoringAppTest, ExplainWhatIfRejectsBadCandidateNamingTheField) {
  const auto lead = testutil::EnterpriseLead();
  Handle(Record(lead, 1));
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  *req.mutable_candidate_model() = testutil::SmallModel();
  req.mutable_candidate_model()->set_engagement_half_life_days(0);
  leadflow::scoring::v1::ExplainResponse resp;
  const auto st = explain_.Explain(&ctx, &req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("engagement_half_life_days"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::scoring
