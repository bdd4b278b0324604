#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "scoring/app/explain_service.h"
#include "common/auth/scopes.h"
#include "common/testing/fixed_caller.h"
#include "scoring/app/scoring_handler.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/testing/in_memory_engagement_store.h"
#include "scoring/testing/in_memory_score_store.h"
#include "scoring/testing/scoring_test_util.h"

namespace leadflow::scoring {
namespace {

using leadflow::scoring::v1::LeadScored;

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
  static constexpr int64_t kAcceptedAt = 1'795'000'000'000;
  static leadflow::engagement::v1::EngagementEvent Event(
      const std::string& id, leadflow::engagement::v1::EngagementType type, int64_t at_ms,
      const leadflow::intake::v1::LeadAccepted& lead) {
    leadflow::engagement::v1::EngagementEvent e;
    e.set_event_id(id);
    e.set_contact_id(lead.contact().contact_id());
    e.set_lead_id(lead.meta().lead_id());
    e.set_type(type);
    *e.mutable_occurred_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(at_ms);
    return e;
  }
  kafka::ConsumedMessage EngagementRecordOf(const leadflow::engagement::v1::EngagementEvent& e) {
    kafka::ConsumedMessage m;
    m.topic = topics::kEngagementEvents;
    m.key = e.contact_id();
    m.payload = e.SerializeAsString();
    m.timestamp_ms = e.has_occurred_at()
                         ? google::protobuf::util::TimeUtil::TimestampToMilliseconds(e.occurred_at())
                         : kAcceptedAt;
    return m;
  }
  std::vector<kafka::OutgoingMessage> Handle(const kafka::ConsumedMessage& m,
                                             StatusCode want = StatusCode::kOk) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = m.topic == topics::kEngagementEvents ? handler_.HandleEngagement(m, out)
                                                    : handler_.Handle(m, out);
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
  InMemoryEngagementStore engagement_;
  ScoringHandler handler_{model_, store_, engagement_, metrics_, clock_};
  testing::FixedCaller caller_ = testing::FixedCaller::With({auth::scopes::kExplainLeads});
  ExplainService explain_{caller_, store_, engagement_, metrics_, clock_};
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

TEST_F(ScoringAppTest, EngagementBeforeTheLeadCountsInItsFirstScore) {
  auto lead = testutil::EnterpriseLead();
  (*lead.mutable_answers())["budget"] = "none";  // 90.5 without engagement
  // The contact attended a webinar before submitting the form: stored, nothing published.
  auto before = Event("e-1", leadflow::engagement::v1::WEBINAR_ATTENDED, kAcceptedAt - 1000, lead);
  before.clear_lead_id();  // web tools know the contact, not the lead
  auto early = Handle(EngagementRecordOf(before));
  EXPECT_TRUE(early.empty());
  EXPECT_EQ(metrics_.EngagementCount("WEBINAR_ATTENDED", "unknown_contact"), 1);
  const auto s = Decode(Handle(Record(lead, 3))[0]);
  EXPECT_GT(s.engagement_score(), 14.99);
  EXPECT_EQ(s.revision(), 1);
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);
}

TEST_F(ScoringAppTest, EachEngagementEventRescoresWithTheNextRevisionAndCanPromote) {
  auto lead = testutil::EnterpriseLead();
  (*lead.mutable_answers())["budget"] = "none";  // 90.5: LEAD, stays with nurture
  const auto first = Decode(Handle(Record(lead, 1))[0]);
  ASSERT_EQ(first.lifecycle_stage(), leadflow::common::v1::LEAD);

  // An event type the small model gives no points: still a new revision.
  auto out = Handle(EngagementRecordOf(
      Event("e-0", leadflow::engagement::v1::EMAIL_OPENED, kAcceptedAt + 1000, lead)));
  ASSERT_EQ(out.size(), 1u);
  auto s = Decode(out[0]);
  EXPECT_EQ(s.revision(), 2);
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_EQ(out[0].topic, topics::kLeadsScored);
  EXPECT_EQ(out[0].key, "example.ru");

  out = Handle(EngagementRecordOf(
      Event("e-1", leadflow::engagement::v1::WEBINAR_ATTENDED, kAcceptedAt + 2000, lead)));
  ASSERT_EQ(out.size(), 1u);
  s = Decode(out[0]);
  EXPECT_EQ(s.revision(), 3);
  EXPECT_EQ(s.lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_EQ(s.lead().meta().lead_id(), lead.meta().lead_id());
  EXPECT_NE(s.contributions().size(), 0);
  double sum = 0;
  for (const auto& c : s.contributions()) sum += c.points();
  EXPECT_EQ(sum, s.total_score());
  EXPECT_EQ(metrics_.PromotedCount(), 1);
  EXPECT_EQ((*store_.Get(lead.meta().lead_id()))->revision(), 3);

  // A redelivered event is not counted twice (same engagement), but is a new revision.
  out = Handle(EngagementRecordOf(
      Event("e-1", leadflow::engagement::v1::WEBINAR_ATTENDED, kAcceptedAt + 2000, lead)));
  const auto again = Decode(out[0]);
  EXPECT_EQ(again.revision(), 4);
  EXPECT_EQ(again.engagement_score(), s.engagement_score());
  EXPECT_EQ(metrics_.EngagementCount("WEBINAR_ATTENDED", "duplicate_rescored"), 1);
  EXPECT_EQ(metrics_.PromotedCount(), 1);
}

TEST_F(ScoringAppTest, EngagementForTheLeadIdOfAnUnlinkedContactRescoresThatLead) {
  const auto lead = testutil::EnterpriseLead();
  Handle(Record(lead, 1));
  auto e = Event("dup-1", leadflow::engagement::v1::FORM_RESUBMITTED, kAcceptedAt, lead);
  e.set_contact_id("c-other");  // intake's resubmission event names the original lead
  auto out = Handle(EngagementRecordOf(e));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Decode(out[0]).revision(), 2);
}

TEST_F(ScoringAppTest, EngagementRacingTheFirstScoreIsRetriedNotLost) {
  const auto lead = testutil::EnterpriseLead();
  // The leads.accepted consumer has linked the contact but not stored the score yet.
  ASSERT_TRUE(engagement_.LinkLead(lead.contact().contact_id(), lead.meta().lead_id(),
                                   clock_.NowMillis())
                  .ok());
  auto e = Event("race-1", leadflow::engagement::v1::REPLIED, kAcceptedAt, lead);
  e.clear_lead_id();
  EXPECT_TRUE(Handle(EngagementRecordOf(e), StatusCode::kUnavailable).empty());
  // Much later the score is gone (expired): skipped, not retried forever.
  clock_.Advance(std::chrono::milliseconds(kLinkSettleMillis + 1));
  EXPECT_TRUE(Handle(EngagementRecordOf(e)).empty());
  EXPECT_EQ(metrics_.EngagementCount("REPLIED", "unknown_lead"), 1);
}

TEST_F(ScoringAppTest, BadEngagementEventsAreInvalidArgument) {
  std::vector<kafka::OutgoingMessage> out;
  kafka::ConsumedMessage garbage;
  garbage.topic = topics::kEngagementEvents;
  garbage.payload = "\xFF\xFF";
  EXPECT_EQ(handler_.HandleEngagement(garbage, out).reason(),
            leadflow::common::v1::MALFORMED_PAYLOAD);
  const auto lead = testutil::EnterpriseLead();
  auto e = Event("e", leadflow::engagement::v1::REPLIED, kAcceptedAt, lead);
  e.clear_contact_id();
  EXPECT_EQ(handler_.HandleEngagement(EngagementRecordOf(e), out).reason(),
            leadflow::common::v1::MISSING_FIELD);
  e = Event("", leadflow::engagement::v1::REPLIED, kAcceptedAt, lead);
  EXPECT_EQ(handler_.HandleEngagement(EngagementRecordOf(e), out).code(),
            StatusCode::kInvalidArgument);
  e = Event("e", leadflow::engagement::v1::ENGAGEMENT_TYPE_UNSPECIFIED, kAcceptedAt, lead);
  EXPECT_EQ(handler_.HandleEngagement(EngagementRecordOf(e), out).code(),
            StatusCode::kInvalidArgument);
  e = Event("e", leadflow::engagement::v1::REPLIED, kAcceptedAt, lead);
  auto future = EngagementRecordOf(e);
  future.timestamp_ms = kAcceptedAt - 2 * kMaxEventSkewMillis;  // dated two days ahead
  EXPECT_EQ(handler_.HandleEngagement(future, out).reason(), leadflow::common::v1::INVALID_FIELD);
  EXPECT_TRUE(out.empty());
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
  engagement_.SetUnavailable(true);
  EXPECT_TRUE(Handle(Record(testutil::EnterpriseLead(), 5), StatusCode::kUnavailable).empty());
  const auto e = Event("e", leadflow::engagement::v1::REPLIED, kAcceptedAt,
                       testutil::EnterpriseLead());
  EXPECT_TRUE(Handle(EngagementRecordOf(e), StatusCode::kUnavailable).empty());
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

TEST_F(ScoringAppTest, ExplainWhatIfRepricesStoredEngagementUnderTheCandidate) {
  const auto lead = testutil::EnterpriseLead();
  Handle(Record(lead, 1));
  Handle(EngagementRecordOf(
      Event("w-1", leadflow::engagement::v1::WEBINAR_ATTENDED, kAcceptedAt + 5000, lead)));
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  leadflow::scoring::v1::ExplainResponse stored;
  ASSERT_TRUE(explain_.Explain(&ctx, &req, &stored).ok());
  EXPECT_EQ(stored.score().revision(), 2);
  EXPECT_DOUBLE_EQ(stored.score().engagement_score(), 15);  // scored when it happened

  *req.mutable_candidate_model() = testutil::SmallModel();
  req.mutable_candidate_model()->mutable_engagement(0)->set_points(30);
  leadflow::scoring::v1::ExplainResponse what_if;
  ASSERT_TRUE(explain_.Explain(&ctx, &req, &what_if).ok());
  // Re-priced and decayed to the clock's now.
  EXPECT_NEAR(what_if.score().engagement_score(),
              30 * DecayFactor(clock_.NowMillis() - (kAcceptedAt + 5000), 14), 1e-9);
  EXPECT_EQ((*store_.Get(lead.meta().lead_id()))->revision(), 2);  // nothing stored
}

}  // namespace
}  // namespace leadflow::scoring
