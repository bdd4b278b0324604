// Redis AUTH and ACL users against a real redis-server: the client
// authenticates from the URL (redis://[user:]password@host:port), refuses to
// start with wrong or missing credentials, and a least-privilege ACL user is
// confined to its service's key namespace.
#include <gtest/gtest.h>

#include "common/redis/client.h"
#include "services/common/testing/redis_server.h"

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

}  // namespace
}  // namespace leadflow::redis
