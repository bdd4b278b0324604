// HMAC-SHA-256 (RFC 4231 vectors) and the CSPRNG id helper.
#include <gtest/gtest.h>

#include <set>

#include "common/auth/secure_random.h"
#include "common/auth/sha256.h"

namespace leadflow::auth {
namespace {

TEST(HmacSha256Test, Rfc4231Vectors) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(SecureRandomHexTest, FreshHexOfTheAskedLength) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = SecureRandomHex(16);
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace leadflow::auth
