// SingleContactFlags over a real redis-server: a manager hears of a
// single-contact account once per period; the lead that raised the flag may
// repeat its notice (a redelivery), another lead may not; the flag's TTL and
// size (docs/state.md).
#include <gtest/gtest.h>

#include <cstdio>

#include "nurture/app/single_contact_flags.h"
#include "nurture/domain/single_contact.h"
#include "common/testing/redis_server.h"

namespace leadflow::nurture {
namespace {

TEST(SingleContactFlags, OncePerAccountPerPeriodAndARedeliveryRepeats) {
  std::string error;
  auto server = testing::RedisServer::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  redis::ClientOptions o;
  o.url = server->url();
  auto client = redis::Client::Connect(o);
  ASSERT_TRUE(client.ok()) << client.status().message();
  SingleContactFlags flags(**client);

  auto first = flags.ClaimMany({{"7701234567", "L-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
                                {"7701234567", "L-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
                                {"7707083893", "L-cccccccccccccccccccccccccccccccc"}});
  ASSERT_EQ(first.size(), 3u);
  for (const auto& c : first) ASSERT_TRUE(c.status.ok()) << c.status.message();
  EXPECT_TRUE(first[0].tell);
  EXPECT_FALSE(first[1].tell) << "the same account, another lead: told already";
  EXPECT_TRUE(first[2].tell) << "another account";
  auto again = flags.ClaimMany({{"7701234567", "L-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}});
  EXPECT_TRUE(again[0].tell) << "the lead that raised the flag, redelivered";

  const std::string key = SingleContactFlags::Key("7701234567");
  const int64_t ttl = std::stoll(server->Command({"TTL", key}).value_or("-9"));
  EXPECT_GT(ttl, kSingleContactFlagSeconds - 60);
  EXPECT_LE(ttl, kSingleContactFlagSeconds);
  const int64_t bytes =
      std::stoll(server->Command({"MEMORY", "USAGE", key, "SAMPLES", "0"}).value_or("-1"));
  std::printf("single-contact flag: %lld bytes\n", static_cast<long long>(bytes));
  EXPECT_GT(bytes, 0);
  EXPECT_LT(bytes, 160);

  server->Stop();
  auto down = flags.ClaimMany({{"7701234567", "L-x"}});
  EXPECT_EQ(down[0].status.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(down[0].tell);
}

}  // namespace
}  // namespace leadflow::nurture
