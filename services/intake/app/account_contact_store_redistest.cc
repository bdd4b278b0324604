// The coverage store (account_contact_store.h) and the processor over a real
// redis-server: recording refuses while the view is not known complete, a
// lead sees its account's earlier contacts, the view rebuilds the contacts
// and the partial-coverage index from accounts.contacts after a Redis loss
// (also from records older than leads.accepted keeps), an erasure's
// tombstone, and the bytes per account and contact (docs/state.md).
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "common/kafka/topics.h"
#include "common/registry/account_registry.h"
#include "intake/app/contact_index.h"
#include "intake/app/intake_eraser.h"
#include "intake/app/redis_account_contact_store.h"
#include "intake/app/redis_contact_index.h"
#include "intake/app/redis_idempotency_store.h"
#include "intake/app/registry_account_directory.h"
#include "intake/testing/app_test_util.h"
#include "common/testing/redis_server.h"
#include "common/testing/registry_seeder.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::DECISION_MAKER;
using leadflow::common::v1::ECONOMIC;
using leadflow::common::v1::END_USER;
using leadflow::common::v1::INFLUENCER;
using leadflow::common::v1::TECHNICAL;
using testutil::GoodSubmission;

constexpr int64_t kNowMs = 1'795'000'000'000;  // the fixture's clock

class AccountContactStoreTest : public ::testing::Test {
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
    store_ = std::make_unique<RedisAccountContactStore>(*client_);
    idem_ = std::make_unique<RedisIdempotencyStore>(*client_);
    registry_ = std::make_unique<registry::AccountRegistry>(*client_, "intake");
    seeder_ = std::make_unique<testing::RegistrySeeder>(*client_, "intake");
    ASSERT_TRUE(seeder_->MarkReady().ok());
    directory_ = std::make_unique<RegistryAccountDirectory>(*registry_);
    fixture_ = std::make_unique<testutil::ProcessorFixture>(idem_.get(), directory_.get());
    fixture_->processor.set_contact_store(store_.get());
  }
  // Opens the coverage view (a new epoch after a FLUSHALL) and marks it ready.
  std::string OpenReady() {
    auto opened = store_->view_store().Open("epoch-" + std::to_string(++epochs_));
    EXPECT_TRUE(opened.ok());
    EXPECT_TRUE(store_->view_store().MarkReady(opened->epoch).ok());
    return opened->epoch;
  }
  StatusOr<IntakeResult> Submit(const std::string& email, const std::string& title) {
    auto s = GoodSubmission();
    s.set_email(email);
    s.set_job_title(title);
    return fixture_->processor.Process(s, {});
  }
  // The accepted lead's accounts.contacts record (its second message) at
  // `offset`, seen at `seen_ms` (its payload's seen_at and its timestamp).
  static kafka::ConsumedMessage Record(const IntakeResult& r, int64_t offset,
                                       int64_t seen_ms = kNowMs) {
    EXPECT_EQ(r.messages.size(), 2u);
    const kafka::OutgoingMessage& out = r.messages.back();
    EXPECT_EQ(out.topic, topics::kAccountsContacts);
    leadflow::intake::v1::AccountContactSeen seen;
    EXPECT_TRUE(seen.ParseFromString(out.payload));
    *seen.mutable_seen_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(seen_ms);
    kafka::ConsumedMessage m;
    m.topic = topics::kAccountsContacts;
    m.partition = 0;
    m.offset = offset;
    m.key = out.key;
    m.payload = seen.SerializeAsString();
    m.timestamp_ms = seen_ms;
    return m;
  }
  std::string Hget(const std::string& account, const std::string& field) {
    return server_->Command({"HGET", RedisAccountContactStore::Key(account), field}).value_or("?");
  }
  int64_t MemoryUsage(const std::string& key) {
    return std::stoll(server_->Command({"MEMORY", "USAGE", key, "SAMPLES", "0"}).value_or("-1"));
  }

  static testing::RedisServer* server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisAccountContactStore> store_;
  std::unique_ptr<RedisIdempotencyStore> idem_;
  std::unique_ptr<registry::AccountRegistry> registry_;
  std::unique_ptr<testing::RegistrySeeder> seeder_;
  std::unique_ptr<RegistryAccountDirectory> directory_;
  std::unique_ptr<testutil::ProcessorFixture> fixture_;
  int epochs_ = 0;
};

testing::RedisServer* AccountContactStoreTest::server_ = nullptr;

TEST_F(AccountContactStoreTest, RecordingRefusesWhileTheViewIsNotKnownCompleteAndWritesNothing) {
  // No view built (a fresh or emptied Redis): the lead waits.
  auto r = Submit("engineer@example.ru", "Product owner");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("coverage view not ready"), std::string::npos);
  EXPECT_EQ(server_->Command({"EXISTS", RedisAccountContactStore::Key("7707083893")}), "0");
  // Opened but not caught up: still refused.
  ASSERT_TRUE(store_->view_store().Open("e-1").ok());
  EXPECT_FALSE(Submit("engineer@example.ru", "Product owner").ok());
}

TEST_F(AccountContactStoreTest, ALeadSeesItsAccountsEarlierContactsWithTheWindowTtl) {
  OpenReady();
  auto first = Submit("engineer@example.ru", "Product owner");
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = Submit("ceo@example.ru", "CEO");
  ASSERT_TRUE(second.ok()) << second.status().message();
  const auto lead = testutil::DecodeAccepted(second->messages[0]);
  const auto& c = lead.company().coverage();
  EXPECT_TRUE(c.known());
  EXPECT_EQ(c.account_key(), "7707083893");
  EXPECT_EQ(c.known_contacts(), 2);
  EXPECT_EQ(std::vector<int>(c.engaged_classes().begin(), c.engaged_classes().end()),
            (std::vector<int>{ECONOMIC, TECHNICAL}));
  EXPECT_TRUE(c.decision_maker_known());
  EXPECT_EQ(Hget("7707083893", lead.contact().contact_id()), "11");
  const int64_t ttl = std::stoll(
      server_->Command({"TTL", RedisAccountContactStore::Key("7707083893")}).value_or("-9"));
  EXPECT_GT(ttl, kCoverageWindowSeconds - 60);
  EXPECT_LE(ttl, kCoverageWindowSeconds);
}

TEST_F(AccountContactStoreTest, TheViewRebuildsContactsAndThePartialIndexFromAccountsContacts) {
  OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  auto ceo = Submit("ceo@example.ru", "CEO");
  ASSERT_TRUE(engineer.ok() && ceo.ok());
  // Redis loses everything; the view rebuilds from intake's own output.
  ASSERT_TRUE(server_->Command({"FLUSHALL"}).has_value());
  ASSERT_TRUE(seeder_->MarkReady().ok());  // the registry view, rebuilt too
  auto opened = store_->view_store().Open("epoch-rebuild");
  ASSERT_TRUE(opened.ok());
  ASSERT_TRUE(opened->created);
  ASSERT_TRUE(store_->Apply(opened->epoch, Record(*engineer, 0), kNowMs).ok());
  ASSERT_TRUE(store_->Apply(opened->epoch, Record(*ceo, 1), kNowMs).ok());
  const auto eng = testutil::DecodeAccepted(engineer->messages[0]);
  const auto boss = testutil::DecodeAccepted(ceo->messages[0]);
  EXPECT_EQ(Hget("7707083893", eng.contact().contact_id()), "22");
  EXPECT_EQ(Hget("7707083893", boss.contact().contact_id()), "11");
  auto counts = store_->PartialCounts(kNowMs);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["PROSPECT"], 1) << "two classes of three: partial";
  EXPECT_EQ((*counts)["CUSTOMER"], 0);
  // Until the view is marked ready the processor still refuses.
  EXPECT_FALSE(Submit("manager@example.ru", "Manager").ok());
  ASSERT_TRUE(store_->view_store().MarkReady(opened->epoch).ok());
  auto manager = Submit("manager@example.ru", "Manager");
  ASSERT_TRUE(manager.ok()) << manager.status().message();
  const auto m = testutil::DecodeAccepted(manager->messages[0]);
  EXPECT_EQ(m.company().coverage().known_contacts(), 3) << "the rebuilt contacts are seen";
  EXPECT_TRUE(m.company().coverage().complete());
  // Applying the complete lead takes the account out of the partial index.
  ASSERT_TRUE(store_->Apply(opened->epoch, Record(*manager, 2, kNowMs + 1000), kNowMs).ok());
  EXPECT_EQ((*store_->PartialCounts(kNowMs))["PROSPECT"], 0);
}

TEST_F(AccountContactStoreTest, ApplyIsIdempotentFencedByEpochAndSkipsLeadsPastTheWindow) {
  const std::string epoch = OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  ASSERT_TRUE(engineer.ok());
  ASSERT_TRUE(server_->Command({"DEL", RedisAccountContactStore::Key("7707083893")}).has_value());
  ASSERT_TRUE(store_->Apply(epoch, Record(*engineer, 5), kNowMs).ok());
  ASSERT_TRUE(server_->Command({"DEL", RedisAccountContactStore::Key("7707083893")}).has_value());
  ASSERT_TRUE(store_->Apply(epoch, Record(*engineer, 5), kNowMs).ok());
  EXPECT_EQ(server_->Command({"EXISTS", RedisAccountContactStore::Key("7707083893")}), "0")
      << "an offset already applied changes nothing";
  EXPECT_EQ(store_->Apply("another-epoch", Record(*engineer, 6), kNowMs).code(),
            StatusCode::kAborted);
  // A lead older than the window only moves the position.
  const int64_t old_ms = kNowMs - (kCoverageWindowSeconds + 10) * 1000;
  ASSERT_TRUE(store_->Apply(epoch, Record(*engineer, 7, old_ms), kNowMs).ok());
  EXPECT_EQ(server_->Command({"EXISTS", RedisAccountContactStore::Key("7707083893")}), "0");
  EXPECT_EQ(server_->Command({"HGET", "lf:{intake}:view:coverage:pos", "p0"}), "8");
  // Garbage is refused for the dead-letter path.
  kafka::ConsumedMessage bad = Record(*engineer, 8);
  bad.payload = "\xff\xff not a proto";
  EXPECT_EQ(store_->Apply(epoch, bad, kNowMs).code(), StatusCode::kInvalidArgument);
}

TEST_F(AccountContactStoreTest, AnOlderLeadAppliedLaterChangesNeitherAClassNorTheIndex) {
  const std::string epoch = OpenReady();
  auto as_engineer = Submit("same@example.ru", "Product owner");
  ASSERT_TRUE(as_engineer.ok());
  auto a = GoodSubmission();
  a.set_email("same@example.ru");
  a.set_job_title("CEO");
  a.set_source_id("partner-portal");  // another form: not a duplicate
  auto as_ceo = fixture_->processor.Process(a, {});
  ASSERT_TRUE(as_ceo.ok()) << as_ceo.status().message();
  ASSERT_TRUE(server_->Command({"FLUSHALL"}).has_value());
  auto opened = store_->view_store().Open("epoch-x");
  // The newer lead (the person is now the CEO) first, then the older one.
  ASSERT_TRUE(store_->Apply(opened->epoch, Record(*as_ceo, 0, kNowMs), kNowMs).ok());
  kafka::ConsumedMessage older = Record(*as_engineer, 0, kNowMs - 60'000);
  older.partition = 1;
  ASSERT_TRUE(store_->Apply(opened->epoch, older, kNowMs).ok());
  const auto lead = testutil::DecodeAccepted(as_ceo->messages[0]);
  EXPECT_EQ(Hget("7707083893", lead.contact().contact_id()), "11");
  (void)epoch;
}

TEST_F(AccountContactStoreTest, BytesPerAccountAndContact) {
  OpenReady();
  const std::string key = RedisAccountContactStore::Key("7707083893");
  std::vector<IntakeResult> leads;
  int64_t one = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = Submit("person" + std::to_string(i) + "@example.ru", i % 2 ? "CEO" : "Product owner");
    ASSERT_TRUE(r.ok());
    leads.push_back(*r);
    if (i == 0) one = MemoryUsage(key);
  }
  const int64_t ten = MemoryUsage(key);
  const std::string epoch = OpenReady();
  for (size_t i = 0; i < leads.size(); ++i) {
    ASSERT_TRUE(store_->Apply(epoch, Record(leads[i], static_cast<int64_t>(i)), kNowMs).ok());
  }
  const int64_t with_t = MemoryUsage(key);
  const int64_t index = MemoryUsage(RedisAccountContactStore::PartialKey("PROSPECT"));
  std::printf(
      "coverage bytes: cov 1 contact %lld, 10 contacts %lld (%lld with _t); "
      "partial index, 1 account %lld\n",
      static_cast<long long>(one), static_cast<long long>(ten), static_cast<long long>(with_t),
      static_cast<long long>(index));
  EXPECT_GT(one, 0);
  EXPECT_LT(one, 200);
  EXPECT_LT((ten - one) / 9, 40) << "bytes per further contact";
  EXPECT_LT(index, 200);
}

TEST_F(AccountContactStoreTest, AnErasureRemovesTheContactFromEveryAccount) {
  OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  auto ceo = Submit("ceo@example.ru", "CEO");
  ASSERT_TRUE(engineer.ok() && ceo.ok());
  const auto eng = testutil::DecodeAccepted(engineer->messages[0]);
  const auto boss = testutil::DecodeAccepted(ceo->messages[0]);
  // The same person also seen at another account.
  ASSERT_TRUE(client_
                  ->Run({"HSET", RedisAccountContactStore::Key("other.ru"),
                         eng.contact().contact_id(), "22"})
                  .ok());
  ASSERT_TRUE(store_->EraseContact(eng.contact().contact_id()).ok());
  EXPECT_EQ(Hget("7707083893", eng.contact().contact_id()), "(nil)");
  EXPECT_EQ(Hget("other.ru", eng.contact().contact_id()), "(nil)");
  EXPECT_EQ(Hget("7707083893", boss.contact().contact_id()), "11") << "only that contact";
  ASSERT_TRUE(store_->EraseContact(eng.contact().contact_id()).ok()) << "idempotent";
}

TEST_F(AccountContactStoreTest, AcceptedLeadsWriteTheirContactWithoutPersonalData) {
  OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  ASSERT_TRUE(engineer.ok()) << engineer.status().message();
  ASSERT_EQ(engineer->messages.size(), 2u);
  EXPECT_EQ(engineer->messages[0].topic, topics::kLeadsAccepted);
  const auto lead = testutil::DecodeAccepted(engineer->messages[0]);
  const kafka::OutgoingMessage& out = engineer->messages[1];
  EXPECT_EQ(out.topic, topics::kAccountsContacts);
  EXPECT_EQ(out.key, "7707083893|" + lead.contact().contact_id());
  leadflow::intake::v1::AccountContactSeen seen;
  ASSERT_TRUE(seen.ParseFromString(out.payload));
  EXPECT_EQ(seen.account_key(), "7707083893");
  EXPECT_EQ(seen.contact_id(), lead.contact().contact_id());
  EXPECT_EQ(seen.buyer_class(), TECHNICAL);
  EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToMilliseconds(seen.seen_at()), kNowMs);
  EXPECT_FALSE(seen.coverage_complete());
  EXPECT_EQ(out.payload.find("engineer"), std::string::npos) << "no email in the record";
}

TEST_F(AccountContactStoreTest, ARecordOlderThanLeadsAcceptedKeepsStillRebuilds) {
  OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  ASSERT_TRUE(engineer.ok());
  ASSERT_TRUE(server_->Command({"FLUSHALL"}).has_value());
  auto opened = store_->view_store().Open("epoch-old");
  ASSERT_TRUE(opened.ok());
  // Seen 400 days ago: long gone from leads.accepted (7 days), still in the
  // coverage window (548 days), so the rebuild keeps it for what is left.
  const int64_t days_ago = 400;
  const int64_t old_ms = kNowMs - days_ago * 24 * 3600 * 1000;
  ASSERT_TRUE(store_->Apply(opened->epoch, Record(*engineer, 0, old_ms), kNowMs).ok());
  const auto eng = testutil::DecodeAccepted(engineer->messages[0]);
  EXPECT_EQ(Hget("7707083893", eng.contact().contact_id()), "22");
  const int64_t ttl = std::stoll(
      server_->Command({"TTL", RedisAccountContactStore::Key("7707083893")}).value_or("-9"));
  EXPECT_GT(ttl, kCoverageWindowSeconds - days_ago * 24 * 3600 - 60);
  EXPECT_LE(ttl, kCoverageWindowSeconds - days_ago * 24 * 3600);
}

TEST_F(AccountContactStoreTest, ATombstoneRemovesTheContactFromItsAccount) {
  const std::string epoch = OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  auto ceo = Submit("ceo@example.ru", "CEO");
  ASSERT_TRUE(engineer.ok() && ceo.ok());
  ASSERT_TRUE(store_->Apply(epoch, Record(*engineer, 0), kNowMs).ok());
  ASSERT_TRUE(store_->Apply(epoch, Record(*ceo, 1), kNowMs).ok());
  kafka::ConsumedMessage tombstone = Record(*engineer, 2);
  tombstone.payload.clear();
  ASSERT_TRUE(store_->Apply(epoch, tombstone, kNowMs).ok());
  const auto eng = testutil::DecodeAccepted(engineer->messages[0]);
  const auto boss = testutil::DecodeAccepted(ceo->messages[0]);
  EXPECT_EQ(Hget("7707083893", eng.contact().contact_id()), "(nil)");
  EXPECT_EQ(Hget("7707083893", boss.contact().contact_id()), "11") << "only that contact";
  EXPECT_EQ(server_->Command({"HGET", "lf:{intake}:view:coverage:pos", "p0"}), "3");
  // A tombstone whose key names no account only moves the position.
  tombstone.key = "no-bar";
  tombstone.offset = 3;
  EXPECT_TRUE(store_->Apply(epoch, tombstone, kNowMs).ok());
  EXPECT_EQ(server_->Command({"HGET", "lf:{intake}:view:coverage:pos", "p0"}), "4");
}

TEST_F(AccountContactStoreTest, AnErasureTombstonesTheContactAtEachAccountBeforeRemovingIt) {
  OpenReady();
  auto engineer = Submit("engineer@example.ru", "Product owner");
  auto ceo = Submit("ceo@example.ru", "CEO");
  ASSERT_TRUE(engineer.ok() && ceo.ok());
  const auto eng = testutil::DecodeAccepted(engineer->messages[0]);
  ASSERT_TRUE(client_
                  ->Run({"HSET", RedisAccountContactStore::Key("other.ru"),
                         eng.contact().contact_id(), "22"})
                  .ok());
  RedisContactIndex claims(*client_);
  testing::FakeProducer producer;
  IntakeEraser eraser(claims, *store_, producer);
  leadflow::privacy::v1::ContactErasure erasure;
  erasure.set_contact_id(eng.contact().contact_id());
  // A failed tombstone leaves the coverage as it was: the erasure is retried.
  producer.fail_produce = true;
  EXPECT_EQ(eraser.Erase(erasure).code(), StatusCode::kUnavailable);
  EXPECT_EQ(Hget("other.ru", eng.contact().contact_id()), "22");
  producer.fail_produce = false;
  ASSERT_TRUE(eraser.Erase(erasure).ok());
  std::vector<std::string> keys;
  for (const auto& m : producer.SentTo(topics::kAccountsContacts)) {
    EXPECT_TRUE(m.payload.empty()) << "a tombstone";
    keys.push_back(m.key);
  }
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"7707083893|" + eng.contact().contact_id(),
                                            "other.ru|" + eng.contact().contact_id()}));
  EXPECT_EQ(Hget("7707083893", eng.contact().contact_id()), "(nil)");
  EXPECT_EQ(Hget("other.ru", eng.contact().contact_id()), "(nil)");
  // The view not known complete: the erasure waits (it could miss accounts).
  ASSERT_TRUE(server_->Command({"DEL", "lf:{intake}:view:coverage:ready"}).has_value());
  EXPECT_EQ(eraser.Erase(erasure).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace leadflow::intake
