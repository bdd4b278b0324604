// Contact ids are keyed (HMAC-SHA-256): stable per key, different under
// another key, shaped c-<16 hex>, and not the unkeyed FNV-1a hash that anyone
// could compute from an email before.
#include "intake/domain/contact_id_key.h"

#include <gtest/gtest.h>

#include "intake/domain/identity.h"

namespace leadflow::intake {
namespace {

TEST(ContactIdKeyTest, StableShapedAndKeyed) {
  auto key = ContactIdKey::Create(std::string(32, 'k'));
  auto other = ContactIdKey::Create(std::string(32, 'o'));
  ASSERT_TRUE(key.ok() && other.ok());
  const std::string id = key->ContactIdFor("ivan@example.ru");
  EXPECT_EQ(id, key->ContactIdFor("ivan@example.ru"));
  EXPECT_NE(id, key->ContactIdFor("petr@example.ru"));
  EXPECT_NE(id, other->ContactIdFor("ivan@example.ru"));
  ASSERT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 2), "c-");
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 2), std::string::npos) << id;
  // The old id, computable by anyone from the email alone.
  EXPECT_NE(id, "c-" + Hex16(Fnv1a64("ivan@example.ru")));
}

TEST(ContactIdKeyTest, AShortOrMissingKeyIsRefusedNamingTheVariable) {
  for (const std::string& secret : {std::string(), std::string(31, 'k')}) {
    auto key = ContactIdKey::Create(secret);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().message().rfind("LEADFLOW_CONTACT_ID_KEY:", 0), 0u)
        << key.status().message();
  }
}

}  // namespace
}  // namespace leadflow::intake
