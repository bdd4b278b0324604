#include "intake/domain/identity.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

TEST(IdentityTest, Fnv1aKnownVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(IdentityTest, Hex16) {
  EXPECT_EQ(Hex16(0), "0000000000000000");
  EXPECT_EQ(Hex16(0xdeadbeefULL), "00000000deadbeef");
}

TEST(IdentityTest, DerivedKeyWindowBuckets) {
  const int64_t w = 3600;
  const auto k0 = DerivedIdempotencyKey("ivan@example.ru", "web-form", 7200, w);
  EXPECT_EQ(k0.size(), 34u);
  EXPECT_EQ(k0, DerivedIdempotencyKey("ivan@example.ru", "web-form", 7200 + 3599, w));
  EXPECT_NE(k0, DerivedIdempotencyKey("ivan@example.ru", "web-form", 7200 + 3600, w));
  EXPECT_NE(k0, DerivedIdempotencyKey("ivan@example.ru", "web-form", 7199, w));
  EXPECT_NE(k0, DerivedIdempotencyKey("ivan@example.ru", "other-form", 7200, w));
  EXPECT_NE(k0, DerivedIdempotencyKey("petr@example.ru", "web-form", 7200, w));
  EXPECT_EQ(DerivedIdempotencyKey("x", "s", -1, w), DerivedIdempotencyKey("x", "s", -3600, w));
  EXPECT_NE(DerivedIdempotencyKey("x", "s", -1, w), DerivedIdempotencyKey("x", "s", 0, w));
}

TEST(IdentityTest, ClientKeyIsScopedBySource) {
  EXPECT_EQ(ClientIdempotencyKey("a", "k1"), ClientIdempotencyKey("a", "k1"));
  EXPECT_NE(ClientIdempotencyKey("a", "k1"), ClientIdempotencyKey("b", "k1"));
  EXPECT_NE(ClientIdempotencyKey("a", "k1"), ClientIdempotencyKey("a", "k2"));
  // The separator keeps ("ab","c") and ("a","bc") apart.
  EXPECT_NE(ClientIdempotencyKey("ab", "c"), ClientIdempotencyKey("a", "bc"));
  EXPECT_EQ(ClientIdempotencyKey("a", "k").substr(0, 2), "k-");
}

}  // namespace
}  // namespace leadflow::intake
