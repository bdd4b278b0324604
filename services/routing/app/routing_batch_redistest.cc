// The leads.scored batch path (RoutingEngine::HandleBatch, the consumer
// loop's BatchHandler) against a real redis-server: leads of one batch
// competing for a rep's last slot, a slot another replica takes between the
// batch's read and its claims, a lead twice in one batch, a rescore inside a
// batch, and LeadClaims::ClaimMany's in-order pipeline.
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_keys.h"
#include "routing/domain/queue_order.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/redis_server.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

class RoutingBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(testutil::SampleRules());
    // Routing's state is complete, as the rebuild from empty topics leaves it.
    ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "test"}).ok());
    store_ = std::make_unique<RoutingStore>(*redis_);
    metrics_ = std::make_unique<RoutingMetrics>(service_metrics_);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
  }

  // The engine's results, without the leads.cohorts records (the lead joined
  // its submission cohort; funnel_redistest.cc looks at those).
  std::vector<kafka::HandledMessage> Batch(const std::vector<kafka::ConsumedMessage>& batch) {
    auto results = engine_->HandleBatch(batch);
    for (auto& r : results) {
      std::erase_if(r.out, [](const auto& m) { return m.topic == topics::kLeadsCohorts; });
    }
    return results;
  }

  kafka::ConsumedMessage Msg(const leadflow::scoring::v1::LeadScored& s) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsScored;
    m.key = s.lead().meta().account_key();
    s.SerializeToString(&m.payload);
    m.offset = offset_++;
    return m;
  }

  static leadflow::scoring::v1::LeadScored Large(const std::string& id) {
    auto s = testutil::Mql(cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);  // key-accounts (QUEUE)
    s.mutable_lead()->mutable_meta()->set_lead_id(id);
    return s;
  }

  // key-accounts with one slot left: ka-a at 99 of 100 open, the others away.
  void OneSlotLeft() {
    ASSERT_TRUE(store_->rep_loads.SetAvailability("ka-b", rv1::VACATION).ok());
    ASSERT_TRUE(store_->rep_loads.SetAvailability("ka-c", rv1::VACATION).ok());
    server_->Command({"SET", "lf:{routing}:open:ka-a", "99"});
  }

  static rv1::LeadAssigned Assigned(const kafka::HandledMessage& r) {
    rv1::LeadAssigned a;
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    EXPECT_EQ(r.out.size(), 1u);
    if (r.out.size() == 1) {
      EXPECT_EQ(r.out[0].topic, topics::kLeadsAssigned);
      EXPECT_TRUE(a.ParseFromString(r.out[0].payload));
    }
    return a;
  }

  std::string Get(const std::string& key) { return server_->Command({"GET", key}).value_or("?"); }
  std::string Daily(const std::string& rep) {
    return Get("lf:{routing}:daily:" + RepLoadStore::DayKey(clock_.Now()) + ":" + rep);
  }
  double Conflicts() {
    return registry_.GetCounter("leadflow_routing_claim_conflicts_total", "").Value();
  }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> redis_;
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "routing"};
  FakeClock clock_{1763715600000};  // Friday noon, Moscow
  AssignmentBroadcaster broadcaster_;
  std::shared_ptr<const RoutingPolicy> policy_;
  std::unique_ptr<RoutingStore> store_;
  std::unique_ptr<RoutingMetrics> metrics_;
  std::unique_ptr<RoutingEngine> engine_;
  int64_t offset_ = 0;
};

TEST_F(RoutingBatchTest, TwoLeadsOfOneBatchCompeteForTheLastSlot) {
  OneSlotLeft();
  auto results = Batch({Msg(Large("B1")), Msg(Large("B2"))});
  ASSERT_EQ(results.size(), 2u);
  const auto first = Assigned(results[0]);
  const auto second = Assigned(results[1]);
  EXPECT_EQ(first.decision().outcome(), rv1::ASSIGNED);
  EXPECT_EQ(first.decision().rep_id(), "ka-a");
  // The second lead saw the slot the first one took in the same snapshot.
  EXPECT_EQ(second.decision().outcome(), rv1::QUEUED);
  bool saw_full = false;
  for (const auto& step : second.decision().path()) {
    saw_full |= step.rule_id() == "rep.ka-a" && step.detail() == "skipped: open leads 100/100";
  }
  EXPECT_TRUE(saw_full) << second.decision().ShortDebugString();
  EXPECT_EQ(Get("lf:{routing}:open:ka-a"), "100");
  EXPECT_EQ(Daily("ka-a"), "1");
  auto queue = redis_->Run({"ZRANGE", "lf:{routing}:queue:key-accounts", "0", "-1"});
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->elements.size(), 1u);
  EXPECT_EQ(LeadIdOfQueueEntry(queue->elements[0].str), "B2");
  EXPECT_EQ(Conflicts(), 0);
}

TEST_F(RoutingBatchTest, ASlotTakenBetweenReadAndClaimIsDecidedAgainOnFreshState) {
  OneSlotLeft();
  int hooks = 0;
  engine_->SetBeforeClaimsForTesting([&] {
    // Another replica takes ka-a's last slot after this batch read it.
    if (hooks++ == 0) server_->Command({"SET", "lf:{routing}:open:ka-a", "100"});
  });
  auto results = Batch({Msg(Large("B1")), Msg(testutil::Mql(cv1::SMB, cv1::DEAL_BAND_SMALL))});
  ASSERT_EQ(results.size(), 2u);
  const auto first = Assigned(results[0]);
  EXPECT_EQ(first.decision().outcome(), rv1::QUEUED);  // refused, then queued on fresh state
  EXPECT_EQ(hooks, 2);                                 // a second wave for the loser only
  EXPECT_EQ(Conflicts(), 1);
  EXPECT_EQ(Get("lf:{routing}:open:ka-a"), "100");  // never 101
  EXPECT_EQ(Daily("ka-a"), "(nil)");                // no claim counted
  // The other lead of the batch was settled in the first wave.
  ASSERT_TRUE(results[1].status.ok());
  ASSERT_EQ(results[1].out.size(), 1u);
  EXPECT_EQ(results[1].out[0].topic, topics::kLeadsAssigned);
  EXPECT_EQ(Get("lf:{routing}:open:mm-a"), "1");
}

TEST_F(RoutingBatchTest, ALeadTwiceInOneBatchIsClaimedOnceAndEmitsOneDecision) {
  auto results = Batch({Msg(Large("D1")), Msg(Large("D1")), Msg(Large("D2")), Msg(Large("D1"))});
  ASSERT_EQ(results.size(), 4u);
  const auto d1 = Assigned(results[0]);
  const auto d2 = Assigned(results[2]);
  EXPECT_EQ(d1.decision().rep_id(), "ka-a");
  EXPECT_EQ(d2.decision().rep_id(), "ka-b");  // round robin moved on once, not three times
  for (size_t i : {1, 3}) {
    ASSERT_TRUE(results[i].status.ok());
    ASSERT_EQ(results[i].out.size(), 1u);
    EXPECT_EQ(results[i].out[0].payload, results[0].out[0].payload);
  }
  EXPECT_EQ(Get("lf:{routing}:open:ka-a"), "1");
  EXPECT_EQ(Daily("ka-a"), "1");
  EXPECT_EQ(Get("lf:{routing}:open:ka-b"), "1");
  EXPECT_EQ(registry_.GetCounter("leadflow_routing_redelivered_decisions_total", "").Value(), 2);
}

TEST_F(RoutingBatchTest, ARescoreInTheSameBatchIsRoutedAgainAfterNurture) {
  auto warm = Large("R1");
  warm.set_lifecycle_stage(cv1::LEAD);
  auto hot = Large("R1");
  hot.set_revision(2);
  auto results = Batch({Msg(warm), Msg(hot)});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].status.ok());
  ASSERT_EQ(results[0].out.size(), 1u);
  EXPECT_EQ(results[0].out[0].topic, topics::kLeadsNurture);
  const auto routed = Assigned(results[1]);
  EXPECT_EQ(routed.decision().outcome(), rv1::ASSIGNED);
  EXPECT_EQ(routed.scored().revision(), 2);
  EXPECT_EQ(routed.decision().path(routed.decision().path_size() - 1).rule_id(), "order.rescore");
  EXPECT_EQ(Get("lf:{routing}:open:" + routed.decision().rep_id()), "1");
}

TEST_F(RoutingBatchTest, AnInvalidMessageIsRejectedAloneAndNeverTouchesRedis) {
  kafka::ConsumedMessage bad;
  bad.topic = topics::kLeadsScored;
  bad.payload = "not a protobuf \xff\xff";
  auto results = Batch({bad, Msg(Large("V1"))});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[0].out.empty());
  EXPECT_EQ(Assigned(results[1]).decision().rep_id(), "ka-a");
}

TEST_F(RoutingBatchTest, ClaimManyAppliesClaimsInOrderEachReCheckingTheCaps) {
  server_->Command({"SET", "lf:{routing}:open:ka-a", "99"});
  std::vector<std::string> raws(2);
  std::vector<ClaimRequest> claims(2);
  for (int i = 0; i < 2; ++i) {
    rv1::LeadAssigned record;
    record.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("C" + std::to_string(i));
    record.mutable_decision()->set_outcome(rv1::ASSIGNED);
    record.mutable_decision()->set_rep_id("ka-a");
    record.mutable_decision()->set_team("key-accounts");
    raws[i] = record.SerializeAsString();
    claims[i].raw = &raws[i];
    claims[i].lead_id = "C" + std::to_string(i);
    claims[i].rep_id = "ka-a";
    claims[i].team = "key-accounts";
    claims[i].effect = ClaimEffect::kRep;
    claims[i].day = RepLoadStore::DayKey(clock_.Now());
    claims[i].max_open = 100;
    claims[i].daily_cap = 1000;
  }
  auto got = store_->claims.ClaimMany(claims);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  ASSERT_TRUE((*got)[0].ok());
  ASSERT_TRUE((*got)[1].ok());
  EXPECT_EQ((*got)[0]->kind, ClaimResult::Kind::kClaimed);
  EXPECT_EQ((*got)[0]->rep_open_leads, 100);
  EXPECT_EQ((*got)[1]->kind, ClaimResult::Kind::kNoCapacity);
  EXPECT_EQ(Get("lf:{routing}:decision:C0"), raws[0]);
  EXPECT_EQ(Get("lf:{routing}:decision:C1"), "(nil)");
  EXPECT_EQ(Get("lf:{routing}:open:ka-a"), "100");
}

// The batch is one script call; a claim that fails in Redis (here its
// decision key holds a hash) fails alone, and the claims around it are made.
TEST_F(RoutingBatchTest, AClaimThatFailsInRedisFailsAloneInItsBatch) {
  server_->Command({"HSET", "lf:{routing}:decision:D1", "f", "v"});
  std::vector<std::string> raws(3);
  std::vector<ClaimRequest> claims(3);
  for (int i = 0; i < 3; ++i) {
    const std::string id = "D" + std::to_string(i);
    rv1::LeadAssigned record;
    record.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id(id);
    record.mutable_decision()->set_outcome(rv1::NURTURE);
    raws[i] = record.SerializeAsString();
    claims[i].raw = &raws[i];
    claims[i].lead_id = id;
    claims[i].effect = ClaimEffect::kNone;
  }
  auto got = store_->claims.ClaimMany(claims);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), 3u);
  ASSERT_TRUE((*got)[0].ok());
  EXPECT_EQ((*got)[0]->kind, ClaimResult::Kind::kClaimed);
  ASSERT_FALSE((*got)[1].ok());
  EXPECT_EQ((*got)[1].status().code(), StatusCode::kUnavailable);
  EXPECT_NE((*got)[1].status().message().find("WRONGTYPE"), std::string::npos)
      << (*got)[1].status().message();
  ASSERT_TRUE((*got)[2].ok());
  EXPECT_EQ((*got)[2]->kind, ClaimResult::Kind::kClaimed);
  EXPECT_EQ(Get("lf:{routing}:decision:D0"), raws[0]);
  EXPECT_EQ(Get("lf:{routing}:decision:D2"), raws[2]);
  // Redelivered: both recorded decisions are found, nothing is claimed twice.
  auto again = store_->claims.ClaimMany({claims[0], claims[2]});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0]->kind, ClaimResult::Kind::kExists);
  EXPECT_EQ((*again)[0]->existing.raw, raws[0]);
  EXPECT_EQ((*again)[1]->kind, ClaimResult::Kind::kExists);
}

}  // namespace
}  // namespace leadflow::routing
