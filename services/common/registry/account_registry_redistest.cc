// AccountRegistry against a real redis-server: upsert, lookup, removal,
// refusal of records that are not registry entries, and the view rules: a
// view not known complete refuses lookups (never "no account"), applies move
// the position with the data, and a refused write is an error, not a loss.
#include "common/registry/account_registry.h"

#include <gtest/gtest.h>

#include "common/testing/redis_server.h"
#include "common/testing/registry_seeder.h"

namespace leadflow::registry {
namespace {

namespace cv1 = leadflow::common::v1;
using leadflow::accounts::v1::AccountState;

class AccountRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    registry_ = std::make_unique<AccountRegistry>(*client_, "test");
    seeder_ = std::make_unique<testing::RegistrySeeder>(*client_, "test");
  }
  // Applies a record at `offset` of partition 0 in the view's current build.
  Status ApplyAt(int64_t offset, const std::string& key, const std::string& payload) {
    auto opened = registry_->view_store().Open("e1");
    if (!opened.ok()) return opened.status();
    kafka::ConsumedMessage m;
    m.topic = "accounts.changes";
    m.offset = offset;
    m.key = key;
    m.payload = payload;
    return registry_->Apply(opened->epoch, m);
  }
  static std::string Customer(const std::string& domain) {
    AccountState a;
    a.set_account_key(domain);
    a.set_relationship(cv1::CUSTOMER);
    a.add_domains(domain);
    return a.SerializeAsString();
  }
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<AccountRegistry> registry_;
  std::unique_ptr<testing::RegistrySeeder> seeder_;
};

TEST_F(AccountRegistryTest, UpsertFindRemove) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", Customer("acme.ru")).ok());
  auto got = registry_->Get("acme.ru");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->relationship(), cv1::CUSTOMER);
  ASSERT_TRUE(seeder_->Apply("acme.ru", "").ok());  // tombstone
  got = registry_->Get("acme.ru");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(AccountRegistryTest, RefusesMalformedAndSchemaLessRecordsWithoutChangingState) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", Customer("acme.ru")).ok());
  Status s = seeder_->Apply("acme.ru", std::string("\x0a\xff\xff\xff\xff\x0f", 6));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Only a field this schema does not know (a future version): no relationship.
  s = seeder_->Apply("acme.ru", std::string("\xba\x3e\x02v2", 5));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("relationship"), std::string::npos) << s.message();
  s = seeder_->Apply("other.ru", std::string("\xba\x3e\x02v2", 5));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  auto got = registry_->Get("acme.ru");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->relationship(), cv1::CUSTOMER);
  got = registry_->Get("other.ru");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(AccountRegistryTest, LookupManyAnswersEachContactLikeLookup) {
  AccountState a;
  a.set_account_key("acme.ru");
  a.set_relationship(cv1::CUSTOMER);
  a.add_domains("acme.ru");
  a.add_contact_emails("boss@gmail.com");
  a.set_inn("7701234567");
  ASSERT_TRUE(seeder_->Apply("acme.ru", a.SerializeAsString()).ok());
  ASSERT_TRUE(seeder_->Apply("beta.ru", Customer("beta.ru")).ok());
  // An index entry whose account is gone: no account, and no fallback to the
  // contact's next key (as Lookup).
  server_->Command({"SET", "lf:{test}:acct-email:stale@x.ru", "gone.ru"});
  const std::vector<AccountRegistry::ContactKeys> contacts = {
      {"boss@gmail.com", "", ""},         // by email
      {"nobody@x.ru", "beta.ru", ""},     // by domain
      {"", "unknown.ru", "7701234567"},   // by INN
      {"", "", ""},                       // nothing to look up
      {"stale@x.ru", "beta.ru", ""},      // the stale email wins
      {"nobody@x.ru", "unknown.ru", ""},  // not in the registry
  };
  const auto many = registry_->LookupMany(contacts);
  ASSERT_EQ(many.size(), contacts.size());
  const std::vector<std::string> want = {"acme.ru", "beta.ru", "acme.ru", "", "", ""};
  for (size_t i = 0; i < contacts.size(); ++i) {
    ASSERT_TRUE(many[i].ok()) << i;
    EXPECT_EQ(many[i]->has_value() ? (*many[i])->account_key() : "", want[i]) << i;
    const auto one = registry_->Lookup(contacts[i].email, contacts[i].domain, contacts[i].inn);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->has_value(), many[i]->has_value()) << i;
  }
  ASSERT_EQ(server_->Stop(), 0);
  for (const auto& r : registry_->LookupMany({{"boss@gmail.com", "", ""}, {"", "", ""}})) {
    EXPECT_FALSE(r.ok() && r->has_value());
  }
  EXPECT_EQ(registry_->LookupMany({{"boss@gmail.com", "", ""}}).front().status().code(),
            StatusCode::kUnavailable);
}

TEST_F(AccountRegistryTest, LookupManyOfABatchIsTwoMgetsAndARefusedOneIsAnError) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", Customer("acme.ru")).ok());
  ASSERT_TRUE(seeder_->Apply("beta.ru", Customer("beta.ru")).ok());
  std::vector<AccountRegistry::ContactKeys> contacts;
  for (int i = 0; i < 50; ++i) {
    contacts.push_back({"c" + std::to_string(i) + "@x.ru", i % 2 ? "acme.ru" : "beta.ru",
                        i % 3 ? "" : "7700000000"});
  }
  contacts.push_back({"nobody@x.ru", "unknown.ru", ""});
  server_->Command({"CONFIG", "RESETSTAT"});
  const auto many = registry_->LookupMany(contacts);
  ASSERT_EQ(many.size(), contacts.size());
  for (size_t i = 0; i < 50; ++i) {
    ASSERT_TRUE(many[i].ok() && many[i]->has_value()) << i;
    EXPECT_EQ((*many[i])->account_key(), i % 2 ? "acme.ru" : "beta.ru") << i;
  }
  ASSERT_TRUE(many[50].ok());
  EXPECT_FALSE(many[50]->has_value());
  const std::string stats = server_->Command({"INFO", "commandstats"}).value_or("");
  EXPECT_NE(stats.find("cmdstat_mget:calls=2,"), std::string::npos) << stats;
  EXPECT_EQ(stats.find("cmdstat_get:"), std::string::npos) << stats;

  // A refused read (here an ACL without MGET) must not make a customer look
  // like a prospect: it is an error the caller retries, not "not found".
  server_->Command({"ACL", "SETUSER", "default", "-mget"});
  const auto refused = registry_->LookupMany({{"", "acme.ru", ""}});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.front().status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.front().status().message().find("NOPERM"), std::string::npos)
      << refused.front().status().message();
  server_->Command({"ACL", "SETUSER", "default", "-get"});
  EXPECT_EQ(registry_->Get("acme.ru").status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace leadflow::registry

namespace leadflow::registry {
namespace {

TEST_F(AccountRegistryTest, AViewNeverBuiltRefusesLookupsInsteadOfAnsweringNoAccount) {
  // An empty Redis: the view has no ready marker, so even a contact that is
  // in no account is not "no account" (PROSPECT) yet.
  for (const auto& r : registry_->LookupMany({{"a.smirnov@vtb.ru", "vtb.ru", ""}, {"", "", ""}})) {
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  }
  EXPECT_EQ(registry_->Get("vtb.ru").status().code(), StatusCode::kUnavailable);
  // Applied but not yet caught up: still refused.
  ASSERT_TRUE(ApplyAt(0, "vtb.ru", Customer("vtb.ru")).ok());
  EXPECT_EQ(registry_->Lookup("", "vtb.ru", "").status().code(), StatusCode::kUnavailable);
  // Caught up: answers.
  auto marked = registry_->view_store().MarkReady("e1");
  ASSERT_TRUE(marked.ok() && *marked);
  auto found = registry_->Lookup("", "vtb.ru", "");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->relationship(), cv1::CUSTOMER);
  // The same lookups as applied (for the view's own change hooks) answer
  // before the view is ready.
  server_->Command({"DEL", "lf:{test}:view:accounts:ready"});
  EXPECT_TRUE(registry_->LookupManyAsApplied({{"", "vtb.ru", ""}}).front().ok());
  EXPECT_FALSE(registry_->LookupMany({{"", "vtb.ru", ""}}).front().ok());
}

TEST_F(AccountRegistryTest, AFlushedRedisRefusesLookupsAndOldBuildsCannotWriteIntoIt) {
  ASSERT_TRUE(seeder_->Apply("vtb.ru", Customer("vtb.ru")).ok());
  ASSERT_TRUE(registry_->Lookup("", "vtb.ru", "").ok());
  server_->Command({"FLUSHALL"});
  EXPECT_EQ(registry_->Lookup("", "vtb.ru", "").status().code(), StatusCode::kUnavailable);
  // A build of the lost epoch learns that Redis was reset, and writes nothing.
  kafka::ConsumedMessage m;
  m.offset = 7;
  m.key = "vtb.ru";
  m.payload = Customer("vtb.ru");
  EXPECT_EQ(registry_->Apply("test-epoch", m).code(), StatusCode::kAborted);
  EXPECT_EQ(server_->Command({"DBSIZE"}).value_or(""), "0");
}

TEST_F(AccountRegistryTest, PositionsNeverMoveBackSoAReplayOrASecondReplicaChangesNothing) {
  AccountState prospect;
  prospect.set_account_key("vtb.ru");
  prospect.set_relationship(cv1::PROSPECT);
  prospect.add_domains("vtb.ru");
  ASSERT_TRUE(ApplyAt(3, "vtb.ru", prospect.SerializeAsString()).ok());
  ASSERT_TRUE(ApplyAt(5, "vtb.ru", Customer("vtb.ru")).ok());
  // The older record again (a replay, or a replica behind): a no-op.
  ASSERT_TRUE(ApplyAt(3, "vtb.ru", prospect.SerializeAsString()).ok());
  ASSERT_TRUE(registry_->view_store().MarkReady("e1").ok());
  auto found = registry_->Lookup("", "vtb.ru", "");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->relationship(), cv1::CUSTOMER);
  auto snap = registry_->view_store().Read();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->next.at(0), 6);
}

TEST_F(AccountRegistryTest, AnIndexKeyNowOwnedByAnotherAccountSurvivesTheOldOnesUpdate) {
  AccountState a;
  a.set_account_key("a.ru");
  a.set_relationship(cv1::CUSTOMER);
  a.add_contact_emails("moved@gmail.com");
  ASSERT_TRUE(seeder_->Apply("a.ru", a.SerializeAsString()).ok());
  AccountState b;
  b.set_account_key("b.ru");
  b.set_relationship(cv1::CUSTOMER);
  b.add_contact_emails("moved@gmail.com");
  ASSERT_TRUE(seeder_->Apply("b.ru", b.SerializeAsString()).ok());
  a.clear_contact_emails();
  ASSERT_TRUE(seeder_->Apply("a.ru", a.SerializeAsString()).ok());
  auto found = registry_->Lookup("moved@gmail.com", "", "");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->account_key(), "b.ru");
}

TEST_F(AccountRegistryTest, ARefusedWriteIsAnErrorAndTheRecordIsNotCountedApplied) {
  // Redis full with noeviction (READONLY after a failover and NOPERM fail the
  // same way): the change is not lost silently; it is retried.
  ASSERT_TRUE(registry_->view_store().Open("e1").ok());
  server_->Command({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  server_->Command({"CONFIG", "SET", "maxmemory", "1"});
  Status s = ApplyAt(0, "vtb.ru", Customer("vtb.ru"));
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.message();
  server_->Command({"CONFIG", "SET", "maxmemory", "0"});
  auto snap = registry_->view_store().Read();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->next.count(0), 0u);
  ASSERT_TRUE(ApplyAt(0, "vtb.ru", Customer("vtb.ru")).ok());
  ASSERT_TRUE(registry_->view_store().MarkReady("e1").ok());
  auto found = registry_->Lookup("", "vtb.ru", "");
  ASSERT_TRUE(found.ok() && found->has_value());
}

}  // namespace
}  // namespace leadflow::registry
