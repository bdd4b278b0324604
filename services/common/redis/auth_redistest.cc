// Redis AUTH and ACL users against a real redis-server: the client
// authenticates from the URL (redis://[user:]password@host:port), refuses to
// start with wrong or missing credentials, and a least-privilege ACL user is
// confined to its service's key namespace.
#include <gtest/gtest.h>

#include "common/redis/client.h"
#include "common/testing/redis_server.h"

namespace leadflow::redis {
namespace {

class RedisAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    // A service user limited to lf:{routing}:* (Lua scripts included), then
    // no anonymous access at all: the default user needs a password.
    ASSERT_EQ(server_->Command({"ACL", "SETUSER", "leadflow-routing", "on", ">r0uting-secret",
                                "~lf:{routing}:*", "+@all", "-@admin", "-@dangerous"}),
              "OK");
    ASSERT_EQ(server_->Command({"ACL", "SETUSER", "default", "on", ">default-secret"}), "OK");
  }
  std::string Url(const std::string& creds) const {
    return "redis://" + creds + "@127.0.0.1:" + std::to_string(server_->port());
  }
  std::unique_ptr<testing::RedisServer> server_;
};

TEST_F(RedisAuthTest, AclUserWorksInItsNamespaceOnly) {
  auto c = Client::Connect({.url = Url("leadflow-routing:r0uting-secret")});
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto ok = (*c)->Run({"SET", "lf:{routing}:open:rep-1", "1"});
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->is_error()) << ok->str;
  auto denied = (*c)->Run({"GET", "lf:{intake}:idem:x"});
  ASSERT_TRUE(denied.ok());
  EXPECT_TRUE(denied->is_error());
  EXPECT_NE(denied->str.find("NOPERM"), std::string::npos) << denied->str;
  auto admin = (*c)->Run({"FLUSHALL"});
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(admin->is_error()) << "FLUSHALL must be refused";
}

TEST_F(RedisAuthTest, PasswordOnlyUrlAuthenticatesTheDefaultUser) {
  auto c = Client::Connect({.url = Url(":default-secret")});
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto r = (*c)->Run({"PING"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->str, "PONG");
}

TEST_F(RedisAuthTest, WrongOrMissingCredentialsAreRefusedAtConnect) {
  auto wrong = Client::Connect({.url = Url("leadflow-routing:nope")});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("AUTH"), std::string::npos) << wrong.status().message();
  EXPECT_EQ(wrong.status().message().find("nope"), std::string::npos) << "password in the error";
  auto anonymous =
      Client::Connect({.url = "redis://127.0.0.1:" + std::to_string(server_->port())});
  if (anonymous.ok()) {
    auto r = (*anonymous)->Run({"GET", "lf:{routing}:open:rep-1"});
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->is_error());
    EXPECT_NE(r->str.find("NOAUTH"), std::string::npos) << r->str;
  }
}

// A refused AUTH on a reconnect (a rotated password, a replica promoted
// before its ACLs were set) is transient: kUnavailable, so the consumer loop
// retries the message instead of dead-lettering a valid lead; and once the
// credentials work again the same client recovers.
TEST_F(RedisAuthTest, RefusedAuthOnReconnectIsUnavailableAndRecovers) {
  auto admin = Client::Connect({.url = Url(":default-secret")});
  ASSERT_TRUE(admin.ok()) << admin.status().message();
  auto acl = [&](const Command& command) {
    auto r = (*admin)->Run(command);
    return r.ok() && !r->is_error();
  };
  auto c = Client::Connect({.url = Url("leadflow-routing:r0uting-secret")});
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE((*c)->Run({"SET", "lf:{routing}:k", "1"}).ok());
  ASSERT_TRUE(acl({"ACL", "SETUSER", "leadflow-routing", "resetpass", ">rotated"}));
  ASSERT_TRUE(acl({"CLIENT", "KILL", "USER", "leadflow-routing"}));
  for (int attempt = 0; attempt < 2; ++attempt) {  // the reconnect, then a fresh connect
    auto r = (*c)->Run({"GET", "lf:{routing}:k"});
    ASSERT_FALSE(r.ok()) << "attempt " << attempt << ": " << r->str;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable)
        << StatusCodeName(r.status().code()) << ": " << r.status().message();
    EXPECT_NE(r.status().message().find("AUTH"), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("r0uting-secret"), std::string::npos);
  }
  ASSERT_TRUE(acl({"ACL", "SETUSER", "leadflow-routing", "resetpass", ">r0uting-secret"}));
  auto back = (*c)->Run({"GET", "lf:{routing}:k"});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->str, "1");
}

}  // namespace
}  // namespace leadflow::redis
