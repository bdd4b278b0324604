// IntakeProcessor and its inputs against a real redis-server (dedupe claims,
// registry view). Kafka is the in-memory producer fake.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <tuple>

#include "common/kafka/topics.h"
#include "common/registry/account_registry.h"
#include "intake/app/contact_index.h"
#include "intake/app/redis_contact_index.h"
#include "intake/app/redis_idempotency_store.h"
#include "intake/app/registry_account_directory.h"
#include "intake/app/registry_feed.h"
#include "intake/app/submitted_handler.h"
#include "intake/testing/app_test_util.h"
#include "common/testing/redis_server.h"
#include "common/testing/registry_seeder.h"

namespace leadflow::intake {
namespace {

using testutil::GoodSubmission;

class IntakeRedisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error).release();
    ASSERT_NE(server_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->Command({"FLUSHALL"}).has_value());
    redis::ClientOptions o;
    o.url = server_->url();
    auto c = redis::Client::Connect(o);
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    store_ = std::make_unique<RedisIdempotencyStore>(*client_);
    registry_ = std::make_unique<registry::AccountRegistry>(*client_, "intake");
    seeder_ = std::make_unique<testing::RegistrySeeder>(*client_, "intake");
    ASSERT_TRUE(seeder_->MarkReady().ok());  // caught up with an empty accounts.changes
    directory_ = std::make_unique<RegistryAccountDirectory>(*registry_);
    fixture_ = std::make_unique<testutil::ProcessorFixture>(store_.get(), directory_.get());
  }
  IntakeProcessor& processor() { return fixture_->processor; }

  static testing::RedisServer* server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisIdempotencyStore> store_;
  std::unique_ptr<registry::AccountRegistry> registry_;
  std::unique_ptr<testing::RegistrySeeder> seeder_;
  std::unique_ptr<RegistryAccountDirectory> directory_;
  std::unique_ptr<testutil::ProcessorFixture> fixture_;
};

testing::RedisServer* IntakeRedisTest::server_ = nullptr;

TEST_F(IntakeRedisTest, AcceptedLeadClaimsTheKeyWithTheWindowTtl) {
  testutil::LockedProducer producer;
  auto r = processor().SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, IntakeOutcome::kAccepted);
  ASSERT_EQ(producer.SentTo(topics::kLeadsAccepted).size(), 1u);
  const std::string redis_key = RedisIdempotencyStore::RedisKey(r->claim_key);
  EXPECT_EQ(server_->Command({"GET", redis_key}).value_or(""), r->lead_id + "|");
  const int ttl = std::stoi(server_->Command({"TTL", redis_key}).value_or("-9"));
  EXPECT_GT(ttl, 3500);
  EXPECT_LE(ttl, 3600);
}

TEST_F(IntakeRedisTest, CustomerFromTheRegistryView) {
  const auto account = testutil::CustomerAccount();
  ASSERT_TRUE(seeder_->Apply(account.account_key(), account.SerializeAsString()).ok());
  auto s = GoodSubmission();
  s.clear_inn();
  auto r = processor().Process(s, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->relationship, leadflow::common::v1::CUSTOMER);
  const auto lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_EQ(lead.account_owner(), "rep-ivanova");
  EXPECT_EQ(r->messages[0].key, "example.ru");
  // The account leaves the CRM: the next lead of that domain is a prospect.
  ASSERT_TRUE(seeder_->Apply(account.account_key(), "").ok());
  s.set_email("other.person@example.ru");
  auto r2 = processor().Process(s, {});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->relationship, leadflow::common::v1::PROSPECT);
}

// The wall fails closed: with the registry view not known complete (an empty
// or reset Redis, before the view has caught up), a lead is refused as
// unavailable, never accepted as a PROSPECT.
TEST_F(IntakeRedisTest, ALeadIsRefusedNotTakenForAProspectWhileTheViewIsUnknown) {
  ASSERT_TRUE(server_->Command({"FLUSHALL"}).has_value());
  auto r = processor().Process(GoodSubmission(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().message();
}

TEST_F(IntakeRedisTest, RegistryFeedAppliesChangesAndReportsSizeAndLag) {
  auto feed = RegistryFeed(*registry_, fixture_->metrics, fixture_->clock);
  auto opened = registry_->view_store().Open("e1");
  ASSERT_TRUE(opened.ok());
  const auto account = testutil::CustomerAccount();
  kafka::ConsumedMessage m;
  m.topic = topics::kAccountsChanges;
  m.key = account.account_key();
  m.payload = account.SerializeAsString();
  m.timestamp_ms = fixture_->clock.NowMillis() - 1500;
  ASSERT_TRUE(feed(opened->epoch, m).ok());
  auto& reg = *fixture_->registry;
  EXPECT_EQ(reg.GetGauge("leadflow_intake_registry_accounts", "").Value(), 1);
  EXPECT_DOUBLE_EQ(reg.GetGauge("leadflow_intake_registry_lag_seconds", "").Value(), 1.5);
  // Takes effect on the next lead.
  auto r = processor().Process(GoodSubmission(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->relationship, leadflow::common::v1::CUSTOMER);
}

TEST_F(IntakeRedisTest, TopicRejectionCarriesFieldErrorsAndOriginalBytes) {
  SubmittedHandler handler(processor(), fixture_->clock);
  auto s = GoodSubmission();
  s.set_consent(false);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(s, &json).ok());
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsSubmitted;
  m.offset = 11;
  m.payload = json;
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(handler.Handle(m, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsRejected);
  leadflow::common::v1::LeadRejected r;
  ASSERT_TRUE(r.ParseFromString(out[0].payload));
  EXPECT_EQ(r.original(), json);
  ASSERT_EQ(r.errors_size(), 1);
  EXPECT_EQ(r.errors(0).field_path(), "consent");
  EXPECT_EQ(r.errors(0).reason(), leadflow::common::v1::CONSENT_MISSING);
  // Nothing claimed: the only keys are the registry view's position and marker.
  EXPECT_EQ(server_->Command({"DBSIZE"}).value_or(""), "2");
}

TEST_F(IntakeRedisTest, DuplicateAnswersOriginalAndRecordsEngagement) {
  testutil::LockedProducer producer;
  auto first = processor().SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_TRUE(first.ok());
  auto second = processor().SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(second->duplicate_of, first->lead_id);
  const auto events = producer.SentTo(topics::kEngagementEvents);
  ASSERT_EQ(events.size(), 1u);
  leadflow::engagement::v1::EngagementEvent e;
  ASSERT_TRUE(e.ParseFromString(events[0].payload));
  EXPECT_EQ(e.type(), leadflow::engagement::v1::FORM_RESUBMITTED);
  EXPECT_EQ(e.lead_id(), first->lead_id);
  EXPECT_EQ(events[0].key, e.contact_id());
  EXPECT_EQ(producer.SentTo(topics::kLeadsAccepted).size(), 1u);
}

TEST_F(IntakeRedisTest, FiftyConcurrentIdenticalSubmissionsYieldExactlyOneLead) {
  testutil::LockedProducer producer;
  constexpr int kThreads = 50;
  std::atomic<bool> go{false};
  std::atomic<int> accepted{0}, duplicates{0}, failures{0};
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      auto r = processor().SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(2));
      if (!r.ok()) {
        ++failures;
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (r->outcome == IntakeOutcome::kAccepted) {
        ++accepted;
        ids.insert(r->lead_id);
      } else if (r->outcome == IntakeOutcome::kDuplicate) {
        ++duplicates;
        ids.insert(r->duplicate_of);
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(duplicates.load(), kThreads - 1);
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(producer.SentTo(topics::kLeadsAccepted).size(), 1u);
}

// A consumer batch in one pipelined request per step: Redis runs the claims in
// order, so the copies of a lead in one batch are its duplicates; the
// customer is found; every accepted lead's claim and contact index are set.
TEST_F(IntakeRedisTest, TopicBatchClaimsInOrderAndLooksUpTheRegistry) {
  const auto account = testutil::CustomerAccount();
  ASSERT_TRUE(seeder_->Apply(account.account_key(), account.SerializeAsString()).ok());
  RedisContactIndex index(*client_);
  processor().set_contact_index(&index);
  SubmittedHandler handler(processor(), fixture_->clock);
  auto prospect = GoodSubmission();
  prospect.set_email("olga@prospect-firm.ru");
  prospect.clear_inn();
  std::string lead, other;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(GoodSubmission(), &lead).ok());
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(prospect, &other).ok());
  std::vector<kafka::ConsumedMessage> batch;
  for (const auto& [payload, partition, offset] :
       std::vector<std::tuple<std::string, int, int64_t>>{
           {lead, 0, 1}, {lead, 1, 1}, {other, 0, 2}, {lead, 0, 3}}) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsSubmitted;
    m.partition = partition;
    m.offset = offset;
    m.payload = payload;
    batch.push_back(m);
  }
  const auto handled = handler.HandleBatch(batch);
  ASSERT_EQ(handled.size(), batch.size());
  for (const auto& h : handled) {
    ASSERT_TRUE(h.status.ok()) << h.status.message();
    ASSERT_EQ(h.out.size(), 1u);
  }
  ASSERT_EQ(handled[0].out[0].topic, topics::kLeadsAccepted);
  const auto first = testutil::DecodeAccepted(handled[0].out[0]);
  EXPECT_EQ(first.meta().relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(first.account_owner(), "rep-ivanova");
  for (size_t i : {1u, 3u}) {
    ASSERT_EQ(handled[i].out[0].topic, topics::kEngagementEvents);
    leadflow::engagement::v1::EngagementEvent e;
    ASSERT_TRUE(e.ParseFromString(handled[i].out[0].payload));
    EXPECT_EQ(e.lead_id(), first.meta().lead_id());
  }
  ASSERT_EQ(handled[2].out[0].topic, topics::kLeadsAccepted);
  EXPECT_EQ(testutil::DecodeAccepted(handled[2].out[0]).meta().relationship(),
            leadflow::common::v1::PROSPECT);
  // Two claims, two contact index entries (+ the registry's keys).
  EXPECT_EQ(
      server_->Command({"EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "lf:{intake}:idem:*"})
          .value_or(""),
      "2");
  EXPECT_EQ(
      server_
          ->Command({"EVAL", "return #redis.call('KEYS', ARGV[1])", "0", "lf:{intake}:contact:*"})
          .value_or(""),
      "2");
  // The redelivered batch publishes the same bytes.
  const auto again = handler.HandleBatch(batch);
  for (size_t i = 0; i < batch.size(); ++i) {
    ASSERT_EQ(again[i].out.size(), 1u);
    EXPECT_EQ(again[i].out[0].payload, handled[i].out[0].payload) << i;
  }
}

// One script call claims a batch in order and lists each won claim that
// names a contact in that contact's index, with the claim's TTL.
TEST_F(IntakeRedisTest, ClaimManyIndexesEachWonClaimUnderItsContactInTheSameStep) {
  auto r = store_->ClaimMany({{"k-1", "L-1|t", 600, "c-a"},
                              {"k-1", "L-2|t", 600, "c-a"},  // the same key: held by L-1
                              {"k-2", "L-3|t", 600, "c-b"},
                              {"k-3", "L-4|t", 600, ""}});   // no contact: not indexed
  ASSERT_EQ(r.size(), 4u);
  for (const auto& c : r) ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(r[0]->claimed);
  EXPECT_FALSE(r[1]->claimed);
  EXPECT_EQ(r[1]->holder, "L-1|t");
  EXPECT_TRUE(r[2]->claimed);
  EXPECT_TRUE(r[3]->claimed);
  EXPECT_EQ(server_->Command({"SMEMBERS", RedisContactIndex::Key("c-a")}).value_or(""), "*1");
  EXPECT_EQ(server_->Command({"SISMEMBER", RedisContactIndex::Key("c-a"), "k-1"}).value_or(""),
            "1");
  EXPECT_EQ(server_->Command({"SISMEMBER", RedisContactIndex::Key("c-b"), "k-2"}).value_or(""),
            "1");
  EXPECT_EQ(server_->Command({"EXISTS", RedisContactIndex::Key("")}).value_or(""), "0");
  const int ttl = std::stoi(server_->Command({"TTL", RedisContactIndex::Key("c-a")}).value_or("-9"));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 600);
}

// A claim whose index cannot be written fails alone and is given up again,
// so no claim exists that an erasure could not find; the others go through.
TEST_F(IntakeRedisTest, AClaimThatCannotBeIndexedFailsAloneAndIsNotHeld) {
  ASSERT_TRUE(server_->Command({"SET", RedisContactIndex::Key("c-bad"), "x"}).has_value());
  auto r = store_->ClaimMany({{"k-1", "L-1|", 600, "c-a"},
                              {"k-2", "L-2|", 600, "c-bad"},
                              {"k-3", "L-3|", 600, "c-a"}});
  ASSERT_EQ(r.size(), 3u);
  ASSERT_TRUE(r[0].ok());
  EXPECT_TRUE(r[0]->claimed);
  ASSERT_FALSE(r[1].ok());
  EXPECT_EQ(r[1].status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r[1].status().message().find("WRONGTYPE"), std::string::npos)
      << r[1].status().message();
  EXPECT_EQ(server_->Command({"EXISTS", RedisIdempotencyStore::RedisKey("k-2")}).value_or(""),
            "0");
  ASSERT_TRUE(r[2].ok());
  EXPECT_TRUE(r[2]->claimed);
  EXPECT_EQ(server_->Command({"SCARD", RedisContactIndex::Key("c-a")}).value_or(""), "2");
}

TEST_F(IntakeRedisTest, RedisDownIsUnavailableThenRecovers) {
  ASSERT_EQ(server_->Stop(), 0);
  auto r = processor().Process(GoodSubmission(), {});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  std::string error;
  ASSERT_TRUE(server_->Restart(&error)) << error;
  // Restarted without persistence: the registry view is gone, so leads are
  // still refused (never taken for prospects) until it is rebuilt.
  auto refused = processor().Process(GoodSubmission(), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(seeder_->MarkReady().ok());  // the view caught up again
  auto again = processor().Process(GoodSubmission(), {});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->outcome, IntakeOutcome::kAccepted);
}

}  // namespace
}  // namespace leadflow::intake
