#include "common/redis/reply.h"

#include <gtest/gtest.h>

namespace leadflow::redis {
namespace {

Reply Int(int64_t v) { return Reply{Reply::Type::kInteger, v, "", {}}; }
Reply Str(std::string s) { return Reply{Reply::Type::kString, 0, std::move(s), {}}; }
Reply Err(std::string s) { return Reply{Reply::Type::kError, 0, std::move(s), {}}; }
Reply Nil() { return Reply{}; }

TEST(ReplyTest, IntegerAndItsMismatchNameTheCommand) {
  ASSERT_TRUE(ExpectInteger(Int(7), "INCR x").ok());
  EXPECT_EQ(*ExpectInteger(Int(7), "INCR x"), 7);
  auto bad = ExpectInteger(Str("7"), "INCR x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(bad.status().message(), "redis INCR x: expected integer, got string");
}

TEST(ReplyTest, AnErrorReplyKeepsItsText) {
  EXPECT_EQ(ExpectOk(Err("OOM command not allowed"), "SET x").message(),
            "redis SET x: OOM command not allowed");
  EXPECT_TRUE(ExpectOk(Nil(), "DEL x").ok());
  EXPECT_EQ(ExpectString(Err("WRONGTYPE"), "GET x").status().message(), "redis GET x: WRONGTYPE");
}

TEST(ReplyTest, StringOrNil) {
  auto none = ExpectStringOrNil(Nil(), "GET x");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto some = ExpectStringOrNil(Str("v"), "GET x");
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(**some, "v");
  EXPECT_FALSE(ExpectStringOrNil(Int(1), "GET x").ok());
  EXPECT_FALSE(ExpectString(Nil(), "GET x").ok());
}

TEST(ReplyTest, ArrayOfAnExactSize) {
  Reply arr{Reply::Type::kArray, 0, "", {Int(1), Nil(), Str("a")}};
  EXPECT_TRUE(ExpectArray(arr, 3, "HMGET h").ok());
  EXPECT_TRUE(ExpectArray(arr, "HMGET h").ok());
  EXPECT_EQ(ExpectArray(arr, 2, "HMGET h").message(),
            "redis HMGET h: expected array of 2, got array of 3");
  EXPECT_FALSE(ExpectArray(Nil(), "HMGET h").ok());
}

TEST(ReplyTest, DecimalNeverReadsGarbageAsZero) {
  EXPECT_EQ(*ExpectDecimal(Str("42"), "HGET c"), 42);
  EXPECT_EQ(*ExpectDecimal(Str("-3"), "HGET c"), -3);
  EXPECT_EQ(*ExpectDecimal(Nil(), "HGET c"), 0);
  EXPECT_EQ(*ExpectDecimal(Str(""), "HGET c", 5), 5);
  EXPECT_EQ(*ExpectDecimal(Int(9), "HGET c"), 9);
  auto bad = ExpectDecimal(Str("4x"), "HGET c");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "redis HGET c: \"4x\" is not an integer");
  EXPECT_FALSE(ExpectDecimal(Str("1.5"), "HGET c").ok());
}

TEST(ReplyTest, AllOkFailsOnThePipelineOrItsFirstErrorReply) {
  using Replies = StatusOr<std::vector<Reply>>;
  EXPECT_TRUE(ExpectAllOk(Replies(std::vector<Reply>{}), "EXPIRE x").ok());
  EXPECT_TRUE(ExpectAllOk(Replies(std::vector<Reply>{Int(1), Nil(), Str("OK")}), "EXPIRE x").ok());
  EXPECT_EQ(ExpectAllOk(Replies(std::vector<Reply>{Int(1), Err("OOM"), Err("READONLY")}),
                        "EXPIRE x")
                .message(),
            "redis EXPIRE x: OOM");
  Status down = ExpectAllOk(Replies(Status::Unavailable("redis: connection lost")), "EXPIRE x");
  EXPECT_EQ(down.code(), StatusCode::kUnavailable);
  EXPECT_EQ(down.message(), "redis: connection lost");
}

}  // namespace
}  // namespace leadflow::redis
