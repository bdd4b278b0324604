// The batch handlers against a real redis-server: a consumer batch gives
// exactly what handling its messages one at a time, in order, gives.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/testing/scoring_test_util.h"
#include "common/testing/redis_server.h"

namespace leadflow::scoring {
namespace {

namespace ev1 = leadflow::engagement::v1;
using leadflow::scoring::v1::LeadScored;
using Batch = std::vector<kafka::ConsumedMessage>;

constexpr int64_t kAt = 1'795'000'000'000;

// What a batch yielded: per message, its status code and its outputs' bytes.
struct Result {
  StatusCode code;
  std::vector<std::string> payloads;
  bool operator==(const Result& o) const { return code == o.code && payloads == o.payloads; }
};

class ScoringBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    redis::ClientOptions o;
    o.url = server_->url();
    auto c = redis::Client::Connect(o);
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    store_ = std::make_unique<RedisScoreStore>(*client_);
    engagement_ = std::make_unique<RedisEngagementStore>(*client_);
    handler_ = std::make_unique<ScoringHandler>(model_, *store_, *engagement_, metrics_, clock_);
  }

  static kafka::ConsumedMessage Accepted(const leadflow::intake::v1::LeadAccepted& lead) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsAccepted;
    m.payload = lead.SerializeAsString();
    m.timestamp_ms = kAt;
    return m;
  }
  static kafka::ConsumedMessage Event(const std::string& id, const std::string& contact,
                                      int64_t at_ms) {
    ev1::EngagementEvent e;
    e.set_event_id(id);
    e.set_contact_id(contact);
    e.set_type(ev1::WEBINAR_ATTENDED);
    *e.mutable_occurred_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(at_ms);
    kafka::ConsumedMessage m;
    m.topic = topics::kEngagementEvents;
    m.key = contact;
    m.payload = e.SerializeAsString();
    m.timestamp_ms = at_ms;
    return m;
  }
  static kafka::ConsumedMessage Garbage(const std::string& topic) {
    kafka::ConsumedMessage m;
    m.topic = topic;
    m.payload = "\xff\xff not a protobuf";
    return m;
  }
  static leadflow::intake::v1::LeadAccepted Lead(const std::string& id,
                                                 const std::string& contact) {
    auto lead = testutil::EnterpriseLead();
    lead.mutable_meta()->set_lead_id(id);
    lead.mutable_contact()->set_contact_id(contact);
    return lead;
  }

  std::vector<Result> Collect(const std::vector<kafka::HandledMessage>& handled) {
    std::vector<Result> out;
    for (const auto& h : handled) {
      Result r{h.status.code(), {}};
      for (const auto& m : h.out) r.payloads.push_back(m.payload);
      out.push_back(r);
    }
    return out;
  }
  std::vector<Result> AsBatch(const Batch& batch) {
    return Collect(batch.front().topic == topics::kLeadsAccepted
                       ? handler_->HandleAccepted(batch)
                       : handler_->HandleEngagements(batch));
  }
  std::vector<Result> OneByOne(const Batch& batch) {
    std::vector<Result> out;
    for (const auto& m : batch) {
      std::vector<kafka::OutgoingMessage> produced;
      Status s = m.topic == topics::kLeadsAccepted ? handler_->Handle(m, produced)
                                                   : handler_->HandleEngagement(m, produced);
      Result r{s.code(), {}};
      for (const auto& p : produced) r.payloads.push_back(p.payload);
      out.push_back(r);
    }
    return out;
  }
  // Runs the batches through the batch handlers, then, from an empty Redis,
  // one message at a time; both must give the same results.
  std::vector<std::vector<Result>> RunBothWays(const std::vector<Batch>& batches) {
    std::vector<std::vector<Result>> batched, single;
    for (const auto& b : batches) batched.push_back(AsBatch(b));
    server_->Command({"FLUSHALL"});
    for (const auto& b : batches) single.push_back(OneByOne(b));
    EXPECT_EQ(batched.size(), single.size());
    for (size_t i = 0; i < batched.size(); ++i) {
      EXPECT_TRUE(batched[i] == single[i]) << "batch " << i << " differs from one at a time";
    }
    return batched;
  }
  static LeadScored Decode(const std::string& payload) {
    LeadScored s;
    EXPECT_TRUE(s.ParseFromString(payload));
    return s;
  }
  FakeClock clock_{kAt + 60'000};
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "scoring"};
  ScoringMetrics metrics_{service_metrics_};
  ModelHolder model_{testutil::SmallPolicy()};
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisScoreStore> store_;
  std::unique_ptr<RedisEngagementStore> engagement_;
  std::unique_ptr<ScoringHandler> handler_;
};

TEST_F(ScoringBatchTest, EventsBeforeTheLeadAndTheSameLeadTwiceInOneBatch) {
  const auto a = Lead("L-a", "c-a");
  const auto b = Lead("L-b", "c-b");
  const auto results = RunBothWays({
      // Engagement of c-a before its lead exists, one event redelivered.
      {Event("e1", "c-a", kAt - 3000), Event("e2", "c-a", kAt - 2000),
       Event("e1", "c-a", kAt - 3000)},
      // The same lead twice (a redelivery within the batch), another, a bad record.
      {Accepted(a), Accepted(b), Garbage(topics::kLeadsAccepted), Accepted(a)},
  });
  for (const auto& r : results[0]) {
    EXPECT_EQ(r.code, StatusCode::kOk);
    EXPECT_TRUE(r.payloads.empty());  // no lead yet: kept, nothing published
  }
  const auto& scored = results[1];
  ASSERT_EQ(scored.size(), 4u);
  EXPECT_EQ(scored[2].code, StatusCode::kInvalidArgument);
  EXPECT_TRUE(scored[2].payloads.empty());
  ASSERT_EQ(scored[0].payloads.size(), 1u);
  ASSERT_EQ(scored[3].payloads.size(), 1u);
  EXPECT_EQ(scored[0].payloads[0], scored[3].payloads[0]);  // same lead, same bytes
  const LeadScored sa = Decode(scored[0].payloads[0]);
  const LeadScored sb = Decode(scored[1].payloads[0]);
  EXPECT_EQ(sa.revision(), 1);
  // Both earlier events of c-a count in its first score (the duplicate once); c-b has none.
  EXPECT_NEAR(sa.total_score() - sb.total_score(), 30, 1.0);
}

TEST_F(ScoringBatchTest, EventsOfOneLeadInOneBatchChainTheirRevisions) {
  const auto a = Lead("L-a", "c-a");
  const auto results = RunBothWays({
      {Accepted(a)},
      {Event("e1", "c-a", kAt + 1000), Garbage(topics::kEngagementEvents),
       Event("e1", "c-a", kAt + 1000), Event("e-x", "c-unknown", kAt + 1500),
       Event("e2", "c-a", kAt + 2000)},
  });
  const auto& events = results[1];
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[1].code, StatusCode::kInvalidArgument);
  EXPECT_TRUE(events[3].payloads.empty());  // a contact without a lead
  std::vector<int> revisions;
  for (size_t i : {0u, 2u, 4u}) {
    EXPECT_EQ(events[i].code, StatusCode::kOk);
    ASSERT_EQ(events[i].payloads.size(), 1u);
    revisions.push_back(Decode(events[i].payloads[0]).revision());
  }
  EXPECT_EQ(revisions, (std::vector<int>{2, 3, 4}));
  // The redelivered e1 does not count twice: its rescore equals the first one's total.
  EXPECT_DOUBLE_EQ(Decode(events[2].payloads[0]).total_score(),
                   Decode(events[0].payloads[0]).total_score());
  auto stored = store_->Get("L-a");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->revision(), 4);
}

TEST_F(ScoringBatchTest, AnEventRacingTheFirstScoreIsRetriedAloneInItsBatch) {
  // c-a was linked a moment ago but its lead's score is not stored yet.
  ASSERT_TRUE(engagement_->LinkLead("c-a", "L-a", clock_.NowMillis()).ok());
  const auto b = Lead("L-b", "c-b");
  ASSERT_TRUE(handler_->HandleAccepted({Accepted(b)}).front().status.ok());
  const auto handled =
      handler_->HandleEngagements({Event("e1", "c-a", kAt + 1000), Event("e2", "c-b", kAt + 1000)});
  ASSERT_EQ(handled.size(), 2u);
  EXPECT_EQ(handled[0].status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(handled[0].out.empty());
  EXPECT_TRUE(handled[1].status.ok());
  ASSERT_EQ(handled[1].out.size(), 1u);
  EXPECT_EQ(Decode(handled[1].out[0].payload).revision(), 2);
}

TEST_F(ScoringBatchTest, RedisDownMakesTheWholeBatchUnavailable) {
  ASSERT_EQ(server_->Stop(), 0);
  const auto a = Lead("L-a", "c-a");
  for (const auto& h : handler_->HandleAccepted({Accepted(a), Garbage(topics::kLeadsAccepted)})) {
    EXPECT_TRUE(h.out.empty());
  }
  const auto accepted = handler_->HandleAccepted({Accepted(a), Garbage(topics::kLeadsAccepted)});
  EXPECT_EQ(accepted[0].status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(accepted[1].status.code(), StatusCode::kInvalidArgument);
  const auto events = handler_->HandleEngagements({Event("e1", "c-a", kAt)});
  EXPECT_EQ(events[0].status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(events[0].out.empty());
}

}  // namespace
}  // namespace leadflow::scoring
