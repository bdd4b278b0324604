// Client::EvalMany against a real redis-server: one pipelined round trip runs
// a script per call in order, an error reply of one call leaves the others
// alone, and a flushed script cache (as after a Redis restart) is reloaded
// transparently.
#include <gtest/gtest.h>

#include "common/redis/client.h"
#include "common/testing/redis_server.h"

namespace leadflow::redis {
namespace {

// Increments a counter and returns its new value; fails on a negative step.
Script IncrementBy() {
  return Script(R"(
    local step = tonumber(ARGV[1])
    if step < 0 then return redis.error_reply('negative step') end
    return redis.call('INCRBY', KEYS[1], step))");
}

class EvalManyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = Client::Connect({.url = "redis://127.0.0.1:" + std::to_string(server_->port())});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
  }
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<Client> client_;
};

TEST_F(EvalManyTest, RunsEveryCallInOrderAndKeepsErrorsPerCall) {
  Script script = IncrementBy();
  auto replies = client_->EvalMany(script, {{{"counter"}, {"2"}},
                                            {{"counter"}, {"-1"}},
                                            {{"counter"}, {"3"}},
                                            {{"other"}, {"7"}}});
  ASSERT_TRUE(replies.ok()) << replies.status().message();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].integer, 2);
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_NE((*replies)[1].str.find("negative step"), std::string::npos) << (*replies)[1].str;
  EXPECT_EQ((*replies)[2].integer, 5) << "calls run in order, after the failed one";
  EXPECT_EQ((*replies)[3].integer, 7);
}

TEST_F(EvalManyTest, ReloadsTheScriptAfterTheCacheIsFlushedWithoutRunningCallsTwice) {
  Script script = IncrementBy();
  ASSERT_TRUE(client_->EvalMany(script, {{{"counter"}, {"1"}}}).ok());
  ASSERT_EQ(server_->Command({"SCRIPT", "FLUSH"}), "OK");
  auto replies = client_->EvalMany(script, {{{"counter"}, {"1"}}, {{"counter"}, {"1"}}});
  ASSERT_TRUE(replies.ok()) << replies.status().message();
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0].integer, 2);
  EXPECT_EQ((*replies)[1].integer, 3);
  EXPECT_EQ(server_->Command({"GET", "counter"}), "3");
}

TEST_F(EvalManyTest, NoCallsIsNoRoundTrip) {
  Script script = IncrementBy();
  auto replies = client_->EvalMany(script, {});
  ASSERT_TRUE(replies.ok());
  EXPECT_TRUE(replies->empty());
}

}  // namespace
}  // namespace leadflow::redis
