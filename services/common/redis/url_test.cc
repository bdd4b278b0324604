#include <gtest/gtest.h>

#include "common/redis/client.h"

namespace leadflow::redis {
namespace {

TEST(RedisUrlTest, ParsesHostPortUserPasswordDb) {
  auto u = ParseRedisUrl("redis://svc:s3cret@cache.local:6380/2");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->host, "cache.local");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->user, "svc");
  EXPECT_EQ(u->password, "s3cret");
  EXPECT_EQ(u->db, 2);
}

TEST(RedisUrlTest, DefaultsPortAndAcceptsPasswordOnly) {
  auto u = ParseRedisUrl("redis://:pw@localhost");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->password, "pw");
  auto v = ParseRedisUrl("redis://pw@localhost");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->password, "pw");
}

TEST(RedisUrlTest, RejectsBadInput) {
  EXPECT_FALSE(ParseRedisUrl("http://x:1").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://x:notaport").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://:1").ok());
}

}  // namespace
}  // namespace leadflow::redis
