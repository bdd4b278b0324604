// RoutingStateRebuild against a real redis-server, with the topics given as
// records: without the state marker nothing is decided or claimed; a rebuild
// restores open sets, counters, SLA timers, queues, availability and decision
// records from the topics, and sets the marker last; only the lease holder
// rebuilds.
#include "routing/app/routing_state_rebuild.h"

#include <gtest/gtest.h>

#include <map>

#include "common/kafka/topics.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_store.h"
#include "routing/domain/queue_order.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/redis_server.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t ms) : ms_(ms) {}
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_));
  }

 private:
  int64_t ms_;
};

constexpr int64_t kNow = 1768381200000;  // 2026-01-14 09:00 UTC

rv1::LeadAssigned Assigned(const std::string& lead, rv1::RoutingOutcome o, const std::string& rep,
                           const std::string& team, int64_t ms, int64_t sla_ms) {
  rv1::LeadAssigned r;
  auto* lead_msg = r.mutable_scored()->mutable_lead();
  lead_msg->mutable_meta()->set_lead_id(lead);
  lead_msg->mutable_contact()->set_email(lead + "@example.ru");
  r.mutable_decision()->set_outcome(o);
  r.mutable_decision()->set_rep_id(rep);
  r.mutable_decision()->set_team(team);
  r.mutable_decision()->mutable_decided_at()->set_seconds(ms / 1000);
  if (sla_ms > 0) r.mutable_sla_due_at()->set_seconds(sla_ms / 1000);
  return r;
}

class RoutingStateRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(testutil::SampleRules());
  }
  void Put(const std::string& topic, const google::protobuf::Message& m) {
    kafka::ConsumedMessage c;
    c.topic = topic;
    c.payload = m.SerializeAsString();
    topics_[topic].push_back(std::move(c));
  }
  RoutingStateRebuild Rebuild(const std::string& instance = "replica-a") {
    return RoutingStateRebuild(
        *redis_, policy_,
        [this](const std::string& topic,
               const std::function<void(const kafka::ConsumedMessage&)>& visit) {
          ++scans_;
          for (const auto& m : topics_[topic]) visit(m);
          return Status::Ok();
        },
        instance, clock_, nullptr);
  }
  std::string Get(const std::vector<std::string>& cmd) { return server_->Command(cmd).value_or("?"); }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> redis_;
  std::shared_ptr<const RoutingPolicy> policy_;
  FixedClock clock_{kNow};
  std::map<std::string, std::vector<kafka::ConsumedMessage>> topics_;
  int scans_ = 0;
};

TEST_F(RoutingStateRebuildTest, WithoutTheMarkerNothingIsClaimedOrRead) {
  RoutingStore store(*redis_);
  const auto record = Assigned("L1", rv1::ASSIGNED, "ka-a", "key-accounts", kNow, kNow + 3600000);
  ClaimRequest q;
  q.record = &record;
  q.effect = ClaimEffect::kRep;
  q.day = "2026-01-14";
  q.max_open = 3;
  q.daily_cap = 4;
  auto claimed = store.claims.Claim(q);
  ASSERT_FALSE(claimed.ok());
  EXPECT_EQ(claimed.status().code(), StatusCode::kUnavailable) << claimed.status().message();
  EXPECT_EQ(store.decisions.Get("L1").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(store.rep_loads.SetAvailability("ka-a", rv1::VACATION).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(Get({"DBSIZE"}), "0");  // nothing was written into the empty Redis
}

// Team queues ranked by score (docs/domain-rules.md) survive a Redis loss:
// leads queued live (the claim the engine makes), their records replayed from
// leads.assigned in another order, come back in the same drain order.
TEST_F(RoutingStateRebuildTest, TheRebuiltQueueDrainsInTheLiveOrder) {
  ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "live"}).ok());
  RoutingStore store(*redis_);
  struct Q {
    const char* id;
    int product;
    double total;
    int64_t age_s;
  };
  const std::vector<Q> queued = {{"Q-low", 20, 95, 50},
                                 {"Q-mid-old", 120, 60, 40},
                                 {"Q-top", 400, 30, 30},
                                 {"Q-mid-new", 120, 60, 20},
                                 {"Q-mid-hi", 120, 75.5, 10}};
  std::vector<rv1::LeadAssigned> records;
  for (const auto& q : queued) {
    auto r = Assigned(q.id, rv1::QUEUED, "", "key-accounts", kNow - q.age_s * 1000, 0);
    r.mutable_scored()->mutable_bant()->set_product(q.product);
    r.mutable_scored()->set_total_score(q.total);
    ClaimRequest c;
    c.record = &r;
    c.effect = ClaimEffect::kQueue;
    c.queue_entry = QueueEntry(policy_->queue_order(), r.scored(), kNow - q.age_s * 1000, q.id);
    auto claimed = store.claims.Claim(c);
    ASSERT_TRUE(claimed.ok()) << claimed.status().message();
    ASSERT_TRUE(claimed->claimed());
    records.push_back(r);
  }
  auto live = store.queues.Leads("key-accounts", 100);
  ASSERT_TRUE(live.ok());
  std::vector<std::string> live_ids, live_entries;
  for (const auto& q : *live) {
    live_ids.push_back(q.lead_id);
    live_entries.push_back(q.entry);
  }
  EXPECT_EQ(live_ids,
            (std::vector<std::string>{"Q-top", "Q-mid-hi", "Q-mid-old", "Q-mid-new", "Q-low"}));

  // Redis loses everything; the topics hold the records (newest first here).
  ASSERT_TRUE(redis_->Run({"FLUSHALL"}).ok());
  for (auto it = records.rbegin(); it != records.rend(); ++it) Put(topics::kLeadsAssigned, *it);
  auto rebuild = Rebuild();
  ASSERT_TRUE(rebuild.Check().ok());
  ASSERT_TRUE(rebuild.ready());
  auto rebuilt = store.queues.Leads("key-accounts", 100);
  ASSERT_TRUE(rebuilt.ok());
  std::vector<std::string> rebuilt_entries;
  for (const auto& q : *rebuilt) rebuilt_entries.push_back(q.entry);
  EXPECT_EQ(rebuilt_entries, live_entries);
}

// A Redis written by a routing from before ranked queues holds a team queue
// as a FIFO list: the first check rebuilds the state, ranked.
TEST_F(RoutingStateRebuildTest, AQueueInTheOldListLayoutIsRebuiltRanked) {
  ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "old"}).ok());
  ASSERT_TRUE(redis_->Run({"RPUSH", "lf:{routing}:queue:key-accounts", "Q-weak", "Q-strong"}).ok());
  auto weak = Assigned("Q-weak", rv1::QUEUED, "", "key-accounts", kNow - 2000, 0);
  weak.mutable_scored()->mutable_bant()->set_product(16);
  auto strong = Assigned("Q-strong", rv1::QUEUED, "", "key-accounts", kNow - 1000, 0);
  strong.mutable_scored()->mutable_bant()->set_product(400);
  Put(topics::kLeadsAssigned, weak);
  Put(topics::kLeadsAssigned, strong);
  auto rebuild = Rebuild();
  ASSERT_TRUE(rebuild.Check().ok());
  EXPECT_TRUE(rebuild.ready());
  EXPECT_EQ(Get({"TYPE", "lf:{routing}:queue:key-accounts"}), "zset");
  RoutingStore store(*redis_);
  auto q = store.queues.Leads("key-accounts", 10);
  ASSERT_TRUE(q.ok()) << q.status().message();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].lead_id, "Q-strong");
  EXPECT_EQ((*q)[1].lead_id, "Q-weak");
  // Checked once: a later check with the marker present does not rebuild again.
  const int scans = scans_;
  ASSERT_TRUE(rebuild.Check().ok());
  EXPECT_EQ(scans_, scans);
}

// A changed queue_order re-ranks the queues already there: the first check of
// a routing with the new order rebuilds them from the topics.
TEST_F(RoutingStateRebuildTest, AChangedQueueOrderReRanksTheQueuesAlreadyThere) {
  auto weak_old = Assigned("Q-weak-old", rv1::QUEUED, "", "key-accounts", kNow - 2000, 0);
  weak_old.mutable_scored()->mutable_bant()->set_product(16);
  auto strong_new = Assigned("Q-strong-new", rv1::QUEUED, "", "key-accounts", kNow - 1000, 0);
  strong_new.mutable_scored()->mutable_bant()->set_product(400);
  Put(topics::kLeadsAssigned, weak_old);
  Put(topics::kLeadsAssigned, strong_new);
  auto ranked = Rebuild();
  ASSERT_TRUE(ranked.Check().ok());
  EXPECT_EQ(Get({"GET", "lf:{routing}:queue-order"}),
            "QUEUE_RANK_BANT_PRODUCT,QUEUE_RANK_TOTAL_SCORE");
  RoutingStore store(*redis_);
  auto q = store.queues.Leads("key-accounts", 10);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].lead_id, "Q-strong-new");

  auto rules = testutil::SampleRules();
  rules.mutable_queue_order();  // first in, first out
  policy_ = testutil::MustPolicy(rules);
  const int scans = scans_;
  auto fifo = Rebuild("replica-b");
  ASSERT_TRUE(fifo.Check().ok());
  EXPECT_TRUE(fifo.ready());
  EXPECT_GT(scans_, scans);
  EXPECT_EQ(Get({"GET", "lf:{routing}:queue-order"}), "fifo");
  q = store.queues.Leads("key-accounts", 10);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].lead_id, "Q-weak-old");
}

TEST_F(RoutingStateRebuildTest, RestoresTheStateFromTheTopicsAndSetsTheMarkerLast) {
  const int64_t hour = 3600000;
  Put(topics::kLeadsAssigned, Assigned("L1", rv1::ASSIGNED, "ka-a", "key-accounts", kNow - hour, kNow + hour));
  Put(topics::kLeadsAssigned, Assigned("L2", rv1::ASSIGNED, "ka-a", "key-accounts", kNow - hour, kNow + hour));
  Put(topics::kLeadsAssigned, Assigned("L3", rv1::ASSIGNED, "ka-b", "key-accounts", kNow - hour, kNow + hour));
  Put(topics::kLeadsAssigned, Assigned("Q1", rv1::QUEUED, "", "key-accounts", kNow - hour, 0));
  rv1::SalesFeedback accept;
  accept.set_lead_id("L2");
  accept.set_rep_id("ka-a");
  accept.set_kind(rv1::ACCEPT);
  accept.mutable_at()->set_seconds(kNow / 1000);
  Put(topics::kSalesFeedback, accept);
  rv1::SalesFeedback close;
  close.set_lead_id("L3");
  close.set_rep_id("ka-b");
  close.set_kind(rv1::CLOSE);
  close.set_outcome(rv1::WON);
  close.mutable_at()->set_seconds(kNow / 1000);
  Put(topics::kSalesFeedback, close);
  rv1::NurtureRequested n;
  *n.mutable_scored() = Assigned("N1", rv1::NURTURE, "", "", kNow - hour, 0).scored();
  n.mutable_decision()->set_outcome(rv1::NURTURE);
  n.mutable_decision()->mutable_decided_at()->set_seconds((kNow - hour) / 1000);
  Put(topics::kLeadsNurture, n);
  rv1::RepAvailabilityChanged vacation;
  vacation.set_rep_id("ka-c");
  vacation.set_availability(rv1::VACATION);
  Put(topics::kRepsAvailability, vacation);

  auto rebuild = Rebuild();
  ASSERT_TRUE(rebuild.Check().ok());
  EXPECT_TRUE(rebuild.ready());
  EXPECT_EQ(Get({"GET", "lf:{routing}:open:ka-a"}), "2");
  EXPECT_EQ(Get({"SCARD", "lf:{routing}:open-set:ka-a"}), "2");
  EXPECT_EQ(Get({"EXISTS", "lf:{routing}:open:ka-b"}), "0");  // closed
  EXPECT_EQ(Get({"GET", "lf:{routing}:daily:2026-01-14:ka-a"}), "2");
  EXPECT_EQ(Get({"GET", "lf:{routing}:daily:2026-01-14:ka-b"}), "1");
  EXPECT_EQ(Get({"ZSCORE", "lf:{routing}:sla", "L1"}), std::to_string(kNow / 1000 * 1000 + hour));
  EXPECT_EQ(Get({"ZSCORE", "lf:{routing}:sla", "L2"}), "(nil)");  // accepted: no timer
  EXPECT_EQ(Get({"ZCARD", "lf:{routing}:queue:key-accounts"}), "1");
  auto head = redis_->Run({"ZRANGE", "lf:{routing}:queue:key-accounts", "0", "0"});
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head->elements.size(), 1u);
  EXPECT_EQ(LeadIdOfQueueEntry(head->elements[0].str), "Q1");
  EXPECT_EQ(Get({"HGET", "lf:{routing}:availability", "ka-c"}),
            std::to_string(static_cast<int>(rv1::VACATION)));
  EXPECT_EQ(Get({"HGET", "lf:{routing}:fb:L3", "last"}), "close|ka-b");
  // The sales state comes back with its detail and versions, so a retried
  // close is recognised as the same answer (sales_state.h).
  {
    RoutingStore tags_store(*redis_);
    auto closed = tags_store.sales_feedback.Tags("L3");
    ASSERT_TRUE(closed.ok()) << closed.status().message();
    EXPECT_EQ(closed->close, "WON");
    EXPECT_EQ(closed->version, kNow / 1000 * 1000);
    auto accepted = tags_store.sales_feedback.Tags("L2");
    ASSERT_TRUE(accepted.ok()) << accepted.status().message();
    EXPECT_EQ(accepted->accepted_by, "ka-a");
    EXPECT_EQ(accepted->accepted_version, kNow / 1000 * 1000);
  }
  // Open: the whole record; closed or handed on: slim, with a TTL.
  rv1::LeadAssigned stored;
  ASSERT_TRUE(stored.ParseFromString(Get({"GET", "lf:{routing}:decision:L1"})));
  EXPECT_FALSE(IsSlim(stored));
  ASSERT_TRUE(stored.ParseFromString(Get({"GET", "lf:{routing}:decision:L3"})));
  EXPECT_TRUE(IsSlim(stored));
  EXPECT_GT(std::stoll(Get({"TTL", "lf:{routing}:decision:L3"})), 0);
  ASSERT_TRUE(stored.ParseFromString(Get({"GET", "lf:{routing}:decision:N1"})));
  EXPECT_EQ(stored.decision().outcome(), rv1::NURTURE);
  EXPECT_EQ(Get({"EXISTS", RoutingStateKey()}), "1");

  // Routing acts again: a redelivered decision meets its record (no second
  // claim), and ka-a's third lead fits under max_open 3 but a fourth does not.
  RoutingStore store(*redis_);
  const auto again = Assigned("L1", rv1::ASSIGNED, "ka-a", "key-accounts", kNow, kNow + hour);
  ClaimRequest q;
  q.record = &again;
  q.effect = ClaimEffect::kRep;
  q.day = "2026-01-14";
  q.max_open = 3;
  q.daily_cap = 10;
  auto r = store.claims.Claim(q);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, ClaimResult::Kind::kExists);
  for (const std::string lead : {"L4", "L5"}) {
    const auto rec = Assigned(lead, rv1::ASSIGNED, "ka-a", "key-accounts", kNow, kNow + hour);
    q.record = &rec;
    r = store.claims.Claim(q);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->kind, lead == "L4" ? ClaimResult::Kind::kClaimed : ClaimResult::Kind::kNoCapacity)
        << lead;
  }
}

TEST_F(RoutingStateRebuildTest, OnlyTheLeaseHolderRebuildsAndAPresentMarkerMeansReady) {
  ASSERT_TRUE(redis_->Run({"SET", "lf:{routing}:rebuild-lease", "replica-b", "PX", "60000"}).ok());
  auto waiting = Rebuild("replica-a");
  ASSERT_TRUE(waiting.Check().ok());
  EXPECT_FALSE(waiting.ready());
  EXPECT_EQ(scans_, 0);
  EXPECT_EQ(Get({"EXISTS", RoutingStateKey()}), "0");
  // replica-b finished (empty topics: a fresh deployment).
  ASSERT_TRUE(redis_->Run({"DEL", "lf:{routing}:rebuild-lease"}).ok());
  auto b = Rebuild("replica-b");
  ASSERT_TRUE(b.Check().ok());
  EXPECT_TRUE(b.ready());
  const int scans = scans_;
  ASSERT_TRUE(waiting.Check().ok());
  EXPECT_TRUE(waiting.ready());
  EXPECT_EQ(scans_, scans);  // no second rebuild
  // Redis emptied: not ready at the next check, which rebuilds.
  server_->Command({"FLUSHALL"});
  ASSERT_TRUE(waiting.Check().ok());
  EXPECT_TRUE(waiting.ready());
  EXPECT_GT(scans_, scans);
}

}  // namespace
}  // namespace leadflow::routing
