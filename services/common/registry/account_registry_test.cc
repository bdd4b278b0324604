// AccountRegistry against a real redis-server: upsert, lookup, removal, and
// refusal of records that are not registry entries.
#include "common/registry/account_registry.h"

#include <gtest/gtest.h>

#include "services/common/testing/redis_server.h"

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
};

TEST_F(AccountRegistryTest, UpsertFindRemove) {
  ASSERT_TRUE(registry_->Apply("acme.ru", Customer("acme.ru")).ok());
  auto got = registry_->Get("acme.ru");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->relationship(), cv1::CUSTOMER);
  ASSERT_TRUE(registry_->Apply("acme.ru", "").ok());  // tombstone
  got = registry_->Get("acme.ru");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(AccountRegistryTest, RefusesMalformedAndSchemaLessRecordsWithoutChangingState) {
  ASSERT_TRUE(registry_->Apply("acme.ru", Customer("acme.ru")).ok());
  Status s = registry_->Apply("acme.ru", std::string("\x0a\xff\xff\xff\xff\x0f", 6));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Only a field this schema does not know (a future version): no relationship.
  s = registry_->Apply("acme.ru", std::string("\xba\x3e\x02v2", 5));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("relationship"), std::string::npos) << s.message();
  s = registry_->Apply("other.ru", std::string("\xba\x3e\x02v2", 5));
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
  ASSERT_TRUE(registry_->Apply("acme.ru", a.SerializeAsString()).ok());
  ASSERT_TRUE(registry_->Apply("beta.ru", Customer("beta.ru")).ok());
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
  ASSERT_TRUE(registry_->Apply("acme.ru", Customer("acme.ru")).ok());
  ASSERT_TRUE(registry_->Apply("beta.ru", Customer("beta.ru")).ok());
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
