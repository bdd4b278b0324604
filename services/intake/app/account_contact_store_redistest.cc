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
#include "common/testing/redis_server.h"
#include "common/testing/registry_seeder.h"
#include "intake/app/contact_index.h"
#include "intake/app/intake_eraser.h"
#include "intake/app/redis_account_contact_store.h"
#include "intake/app/redis_contact_index.h"
#include "intake/app/redis_idempotency_store.h"
#include "intake/app/registry_account_directory.h"
#include "intake/testing/app_test_util.h"

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
  std::string Hlen(const std::string& account) {
    return server_->Command({"HLEN", RedisAccountContactStore::Key(account)}).value_or("?");
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

// The coverage summary (coverage_summary.lua) against the whole hash: after
// every write, by either writer, a tombstone, an erasure or an older lead,
// on a hash written before the summary existed too, the coverage a lead gets
// (record_lead_contact.lua's summary) is CoverageOf the hash's contacts.
class CoverageSummaryTest : public AccountContactStoreTest {
 protected:
  void SetUp() override {
    AccountContactStoreTest::SetUp();
    epoch_ = OpenReady();
  }
  // Records `contact` at `account` and checks the coverage from the summary
  // against the O(n) one from HGETALL, with the CRM contacts `crm`.
  void RecordAndCheck(const std::string& account, const KnownContact& contact,
                      const std::vector<KnownContact>& crm, const std::string& step) {
    AccountContactStore::Sighting sighting{account, contact, {}};
    for (const KnownContact& c : crm) sighting.crm_contact_ids.push_back(c.contact_id);
    auto recorded = store_->RecordMany({sighting});
    ASSERT_EQ(recorded.size(), 1u);
    ASSERT_TRUE(recorded[0].ok()) << step << ": " << recorded[0].status().message();
    const auto contacts = HashContacts(account);
    EXPECT_EQ(recorded[0]->contacts, static_cast<int64_t>(contacts.size())) << step;
    EXPECT_EQ(CoverageOfSummary(*recorded[0], crm).DebugString(),
              CoverageOf(contacts, crm).DebugString())
        << step;
    EXPECT_EQ(CoverageOfSummary(*recorded[0], {}).DebugString(),
              CoverageOf(contacts, {}).DebugString())
        << step << " without the CRM";
  }
  // The contacts in the hash, as the store read them before the summary.
  std::vector<KnownContact> HashContacts(const std::string& account) {
    auto all = client_->Run({"HGETALL", RedisAccountContactStore::Key(account)});
    EXPECT_TRUE(all.ok());
    std::vector<KnownContact> out;
    if (!all.ok()) return out;
    for (size_t i = 0; i + 1 < all->elements.size(); i += 2) {
      KnownContact c;
      c.contact_id = all->elements[i].str;
      if (!IsStoredContactId(c.contact_id)) continue;
      if (DecodeContactValue(all->elements[i + 1].str, &c)) out.push_back(std::move(c));
    }
    return out;
  }
  // Applies an accounts.contacts record of `contact` at `account` seen at
  // `seen_s` (unix seconds), or its tombstone when `tombstone`.
  void Apply(const std::string& account, const KnownContact& contact, int64_t seen_s,
             bool tombstone = false) {
    kafka::ConsumedMessage m;
    m.topic = topics::kAccountsContacts;
    m.partition = 0;
    m.offset = offset_++;
    m.key = ContactSeenKey(account, contact.contact_id);
    m.timestamp_ms = seen_s * 1000;
    if (!tombstone) {
      leadflow::intake::v1::AccountContactSeen seen;
      seen.set_account_key(account);
      seen.set_contact_id(contact.contact_id);
      seen.set_buyer_class(contact.buyer_class);
      seen.set_decision_role(contact.decision_role);
      *seen.mutable_seen_at() = google::protobuf::util::TimeUtil::SecondsToTimestamp(seen_s);
      seen.set_relationship(leadflow::common::v1::PROSPECT);
      m.payload = seen.SerializeAsString();
    }
    ASSERT_TRUE(store_->Apply(epoch_, m, kNowMs).ok());
  }

  std::string epoch_;
  int64_t offset_ = 0;
};

TEST_F(CoverageSummaryTest, EveryWriterKeepsTheSummaryOfTheWholeHash) {
  const std::string acct = "acme.ru";
  const std::string key = RedisAccountContactStore::Key(acct);
  // A hash of the previous version: 40 contacts, a value no contact has, no
  // summary; and the "_t" of the view.
  std::vector<std::string> old = {"HSET", key, "_t", std::to_string(kNowMs / 1000 - 100)};
  for (int i = 0; i < 40; ++i) {
    old.push_back("c-" + std::to_string(i));
    old.push_back(std::to_string(i % 4) + std::to_string((i / 4) % 3));
  }
  old.insert(old.end(), {"c-bad", "97"});
  ASSERT_TRUE(client_->Run(old).ok());
  const int64_t now_s = kNowMs / 1000;
  const KnownContact unstated{"c-5", leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
                              leadflow::common::v1::DECISION_ROLE_UNSPECIFIED};
  // The CRM: c-1 (seen as ECONOMIC, INFLUENCER) is the CFO and decision
  // maker; c-2 says nothing; c-crm was never seen on a lead; c-bad's value
  // is not one.
  const std::vector<KnownContact> crm = {
      {"c-1", ECONOMIC, DECISION_MAKER},
      {"c-2", leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
       leadflow::common::v1::DECISION_ROLE_UNSPECIFIED},
      {"c-crm", END_USER, INFLUENCER},
      {"c-bad", TECHNICAL, INFLUENCER},
      {"c-1", END_USER, leadflow::common::v1::DECISION_ROLE_UNSPECIFIED}};
  RecordAndCheck(acct, {"c-new", TECHNICAL, INFLUENCER}, crm, "first record, old hash");
  EXPECT_EQ(Hget(acct, "_s"), Hlen(acct)) << "summarised, with the field count it was kept at";
  RecordAndCheck(acct, {"c-new", END_USER, DECISION_MAKER}, crm, "a contact changes class");
  RecordAndCheck(acct, {"c-new", END_USER, DECISION_MAKER}, crm, "the same again");
  RecordAndCheck(acct, unstated, crm, "a contact's class and role unstated");
  Apply(acct, {"c-view", ECONOMIC, DECISION_MAKER}, now_s);
  RecordAndCheck(acct, {"c-41", END_USER, INFLUENCER}, crm, "the view adds a contact");
  Apply(acct, {"c-3", TECHNICAL, DECISION_MAKER}, now_s + 1);
  RecordAndCheck(acct, {"c-41", END_USER, INFLUENCER}, crm, "the view changes a class");
  Apply(acct, {"c-3", ECONOMIC, INFLUENCER}, now_s - 1000);
  Apply(acct, {"c-older", ECONOMIC, INFLUENCER}, now_s - 1000);
  EXPECT_EQ(Hget(acct, "c-3"), "21") << "an older lead changes no class";
  EXPECT_EQ(Hget(acct, "c-older"), "12") << "but adds its contact";
  RecordAndCheck(acct, {"c-41", END_USER, INFLUENCER}, crm, "older leads");
  Apply(acct, {"c-1"}, now_s, /*tombstone=*/true);
  Apply(acct, {"c-absent"}, now_s, /*tombstone=*/true);
  RecordAndCheck(acct, {"c-41", END_USER, INFLUENCER}, crm, "tombstones");
  ASSERT_TRUE(store_->EraseContact("c-view").ok());
  ASSERT_TRUE(store_->EraseContact("c-view").ok());
  RecordAndCheck(acct, {"c-41", END_USER, INFLUENCER}, crm, "an erasure");
  EXPECT_EQ(Hget(acct, "c-view"), "(nil)");
}

TEST_F(CoverageSummaryTest, AnOldHashIsSummarisedByWhicheverWriterComesFirst) {
  const int64_t now_s = kNowMs / 1000;
  const std::vector<KnownContact> crm = {{"c-2", END_USER, DECISION_MAKER}};
  int n = 0;
  for (const char* first : {"tombstone", "view", "older", "erasure"}) {
    const std::string acct = std::string(first) + ".ru";
    ASSERT_TRUE(client_
                    ->Run({"HSET", RedisAccountContactStore::Key(acct), "_t", std::to_string(now_s),
                           "c-1", "11", "c-2", "22", "c-3", "30"})
                    .ok());
    if (n == 0) Apply(acct, {"c-1"}, now_s, /*tombstone=*/true);
    if (n == 1) Apply(acct, {"c-2", ECONOMIC, INFLUENCER}, now_s + 1);
    if (n == 2) Apply(acct, {"c-4", TECHNICAL, DECISION_MAKER}, now_s - 10);
    if (n == 3) {
      ASSERT_TRUE(store_->EraseContact("c-3").ok());
    }
    EXPECT_EQ(Hget(acct, "_s"), Hlen(acct)) << first;
    RecordAndCheck(acct, {"c-9", TECHNICAL, INFLUENCER}, crm, first);
    ++n;
  }
  // A new account: summarised from nothing; a tombstone of an unknown
  // account writes nothing.
  RecordAndCheck("new.ru", {"c-1", ECONOMIC, DECISION_MAKER}, crm, "new account");
  Apply("gone.ru", {"c-1"}, now_s, /*tombstone=*/true);
  EXPECT_EQ(server_->Command({"EXISTS", RedisAccountContactStore::Key("gone.ru")}), "0");
}

// During a rolling upgrade an intake replica of the previous version writes
// the hash with plain HSET and HDEL, without the summary: the next writer
// sees the field count move and summarises the hash again.
TEST_F(CoverageSummaryTest, ContactsAddedOrRemovedByAnOlderReplicaAreCountedAgain) {
  const std::vector<KnownContact> crm = {{"c-2", END_USER, DECISION_MAKER}};
  const std::string acct = "rolling.ru";
  const std::string key = RedisAccountContactStore::Key(acct);
  RecordAndCheck(acct, {"c-1", ECONOMIC, DECISION_MAKER}, crm, "first");
  RecordAndCheck(acct, {"c-2", TECHNICAL, INFLUENCER}, crm, "second");
  ASSERT_TRUE(client_->Run({"HSET", key, "c-3", "30", "c-4", "21"}).ok());  // an older replica adds
  RecordAndCheck(acct, {"c-5", TECHNICAL, INFLUENCER}, crm, "after an older replica added two");
  ASSERT_TRUE(client_->Run({"HDEL", key, "c-1"}).ok());  // an older replica's erasure
  RecordAndCheck(acct, {"c-6", END_USER, INFLUENCER}, crm, "after an older replica removed one");
  EXPECT_EQ(Hget(acct, "_s"), Hlen(acct));
}

}  // namespace
}  // namespace leadflow::intake
