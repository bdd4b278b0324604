// The scoring handler and Explain against a real redis-server score store.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "common/auth/scopes.h"
#include "common/testing/fixed_caller.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/testing/scoring_test_util.h"
#include "common/testing/redis_server.h"

namespace leadflow::scoring {
namespace {

class ScoringRedisTest : public ::testing::Test {
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
    explain_ = std::make_unique<ExplainService>(caller_, *store_, *engagement_, metrics_, clock_);
  }
  kafka::ConsumedMessage Record(const leadflow::intake::v1::LeadAccepted& lead) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsAccepted;
    m.payload = lead.SerializeAsString();
    m.timestamp_ms = 1'795'000'000'000;
    return m;
  }

  FakeClock clock_{1'796'000'000'000};
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "scoring"};
  ScoringMetrics metrics_{service_metrics_};
  ModelHolder model_{testutil::SmallPolicy()};
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisScoreStore> store_;
  std::unique_ptr<RedisEngagementStore> engagement_;
  std::unique_ptr<ScoringHandler> handler_;
  testing::FixedCaller caller_ = testing::FixedCaller::With({auth::scopes::kExplainLeads});
  std::unique_ptr<ExplainService> explain_;
};

TEST_F(ScoringRedisTest, StoresLatestScoreWithTtlAndExplainsIt) {
  const auto lead = testutil::EnterpriseLead();
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(handler_->Handle(Record(lead), out).ok());
  ASSERT_EQ(out.size(), 1u);
  const std::string key = RedisScoreStore::Key(lead.meta().lead_id());
  const int ttl = std::stoi(server_->Command({"TTL", key}).value_or("-9"));
  EXPECT_GT(ttl, 547 * 86400);  // a whole sales cycle (docs/domain-rules.md §6)
  EXPECT_LE(ttl, 548 * 86400);

  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  leadflow::scoring::v1::ExplainResponse resp;
  ASSERT_TRUE(explain_->Explain(&ctx, &req, &resp).ok());
  EXPECT_EQ(resp.score().SerializeAsString().size(), out[0].payload.size());
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::MQL);

  // What-if against a stricter candidate: LEAD, nothing stored.
  *req.mutable_candidate_model() = testutil::SmallModel();
  req.mutable_candidate_model()->set_mql_threshold(500);
  ASSERT_TRUE(explain_->Explain(&ctx, &req, &resp).ok());
  EXPECT_TRUE(resp.what_if());
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::LEAD);
  req.clear_candidate_model();
  ASSERT_TRUE(explain_->Explain(&ctx, &req, &resp).ok());
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::MQL);
}

TEST_F(ScoringRedisTest, RevisionGuardAndRedelivery) {
  const auto lead = testutil::EnterpriseLead();
  std::vector<kafka::OutgoingMessage> first, again;
  ASSERT_TRUE(handler_->Handle(Record(lead), first).ok());
  auto stored = store_->Get(lead.meta().lead_id());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto rescored = **stored;
  rescored.set_revision(2);
  ASSERT_TRUE(store_->Put(rescored).ok());
  ASSERT_TRUE(handler_->Handle(Record(lead), again).ok());
  EXPECT_EQ(first[0].payload, again[0].payload);                    // same content re-produced
  EXPECT_EQ((*store_->Get(lead.meta().lead_id()))->revision(), 2);  // not overwritten
}

TEST_F(ScoringRedisTest, KeysUseHashTagsSoEachScriptStaysInOneClusterSlot) {
  const auto lead = testutil::EnterpriseLead();
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(handler_->Handle(Record(lead), out).ok());
  const std::string& contact = lead.contact().contact_id();
  const std::string tag = "{c:" + contact + "}";
  EXPECT_NE(RedisEngagementStore::EventsKey(contact).find(tag), std::string::npos);
  EXPECT_NE(RedisEngagementStore::LeadKey(contact).find(tag), std::string::npos);
  EXPECT_NE(RedisScoreStore::Key(lead.meta().lead_id()).find("{l:" + lead.meta().lead_id() + "}"),
            std::string::npos);
  EXPECT_EQ(server_->Command({"GET", RedisEngagementStore::LeadKey(contact)}).value_or(""),
            lead.meta().lead_id() + "|" + std::to_string(clock_.NowMillis()));
  const int ttl = std::stoi(
      server_->Command({"TTL", RedisEngagementStore::LeadKey(contact)}).value_or("-9"));
  EXPECT_GT(ttl, 547 * 86400);
}

TEST_F(ScoringRedisTest, EngagementIsStoredAsPairsDedupedAndTrimmed) {
  RedisEngagementStore small(*client_, {std::chrono::seconds(60), 3});
  for (int i = 0; i < 5; ++i) {
    auto r = small.Record("c-1", {"e" + std::to_string(i), 5, 1'795'000'000'000 + i});
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->added);
    EXPECT_EQ(r->lead_id, "");
  }
  auto again = small.Record("c-1", {"e4", 5, 1'795'000'000'004});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->added);
  ASSERT_EQ(again->events.size(), 3u);  // the newest three
  EXPECT_EQ(again->events[0].event_id, "e2");
  EXPECT_EQ(again->events[2].occurred_at_ms, 1'795'000'000'004);
  EXPECT_EQ(again->events[2].type, 5);
  auto linked = small.LinkLead("c-1", "L-9", 1'795'000'000'100);
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->size(), 3u);
  const auto linked_record = small.Record("c-1", {"e5", 1, 1'795'000'000'005});
  ASSERT_TRUE(linked_record.ok());
  EXPECT_EQ(linked_record->lead_id, "L-9");
  EXPECT_EQ(linked_record->linked_at_ms, 1'795'000'000'100);
  // The reply of a trimming write is the kept events, oldest first.
  ASSERT_EQ(linked_record->events.size(), 3u);
  EXPECT_EQ(linked_record->events[0].event_id, "e3");
  EXPECT_EQ(linked_record->events[2].event_id, "e5");
  EXPECT_EQ(linked_record->events[2].type, 1);
  EXPECT_EQ((*small.Events("c-1")).size(), 3u);
  EXPECT_TRUE((*small.Events("c-unknown")).empty());
  // Linking refreshes the TTL of stored events and creates none.
  server_->Command({"EXPIRE", RedisEngagementStore::EventsKey("c-1"), "5"});
  ASSERT_TRUE(small.LinkLead("c-1", "L-9", 1'795'000'000'200).ok());
  EXPECT_GT(std::stoi(server_->Command({"TTL", RedisEngagementStore::EventsKey("c-1")})
                          .value_or("-9")),
            5);
  ASSERT_TRUE(small.LinkLead("c-2", "L-10", 1'795'000'000'200).ok());
  EXPECT_EQ(server_->Command({"EXISTS", RedisEngagementStore::EventsKey("c-2")}).value_or(""),
            "0");
}

TEST_F(ScoringRedisTest, RedisDownIsUnavailable) {
  ASSERT_EQ(server_->Stop(), 0);
  std::vector<kafka::OutgoingMessage> out;
  EXPECT_EQ(handler_->Handle(Record(testutil::EnterpriseLead()), out).code(),
            StatusCode::kUnavailable);
  leadflow::engagement::v1::EngagementEvent e;
  e.set_event_id("e-1");
  e.set_contact_id("c-1");
  e.set_type(leadflow::engagement::v1::REPLIED);
  kafka::ConsumedMessage m;
  m.topic = topics::kEngagementEvents;
  m.payload = e.SerializeAsString();
  EXPECT_EQ(handler_->HandleEngagement(m, out).code(), StatusCode::kUnavailable);
  EXPECT_TRUE(out.empty());
  grpc::ServerContext ctx;
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id("L-x");
  leadflow::scoring::v1::ExplainResponse resp;
  EXPECT_EQ(explain_->Explain(&ctx, &req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace leadflow::scoring
