// CallerRegistry: callers by API key or certificate CN, their scopes, and
// configuration errors that name the field.
#include "common/auth/caller_registry.h"

#include <gtest/gtest.h>

#include "common/auth/scopes.h"
#include "common/auth/sha256.h"

namespace leadflow::auth {
namespace {

const std::vector<std::string_view> kKnown(scopes::kAll.begin(), scopes::kAll.end());

CallerRegistry::Entry Ops() {
  return {"marketing-ops", Sha256Hex("ops-key"), "", {"topics:suppress", "contacts:unsubscribe"}, ""};
}

TEST(CallerRegistryTest, IdentifiesByKeyThenByCertificateCn) {
  CallerRegistry::Entry manager{"am-console", "", "am.example", {"topics:suppress-own"}, "rep-7"};
  auto r = CallerRegistry::Create({Ops(), manager}, kKnown);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto by_key = r->Identify(std::string("ops-key"), "");
  ASSERT_TRUE(by_key.has_value());
  EXPECT_EQ(by_key->id, "marketing-ops");
  EXPECT_TRUE(by_key->Has("topics:suppress"));
  EXPECT_FALSE(by_key->Has("leads:explain"));
  auto by_cn = r->Identify(std::nullopt, "am.example");
  ASSERT_TRUE(by_cn.has_value());
  EXPECT_EQ(by_cn->id, "am-console");
  EXPECT_EQ(by_cn->rep_id, "rep-7");
  // A wrong key does not fall back to nothing-checked: the CN still decides.
  EXPECT_EQ(r->Identify(std::string("wrong"), "am.example")->id, "am-console");
  EXPECT_FALSE(r->Identify(std::string("wrong"), "").has_value());
  EXPECT_FALSE(r->Identify(std::nullopt, "").has_value());
  EXPECT_FALSE(r->Identify(std::nullopt, "someone.else").has_value());
}

TEST(CallerRegistryTest, AnEmptyRegistryIdentifiesNobody) {
  auto r = CallerRegistry::Create({}, kKnown);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 0u);
  EXPECT_FALSE(r->Identify(std::string("ops-key"), "cn").has_value());
}

TEST(CallerRegistryTest, ConfigurationErrorsNameTheField) {
  auto error = [](std::vector<CallerRegistry::Entry> entries) {
    auto r = CallerRegistry::Create(entries, kKnown);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  auto no_id = Ops();
  no_id.caller_id.clear();
  EXPECT_EQ(error({no_id}), "callers[0].caller_id: required");
  EXPECT_EQ(error({Ops(), Ops()}), "callers[1].caller_id: repeated");
  auto no_credential = Ops();
  no_credential.api_key_sha256.clear();
  EXPECT_EQ(error({no_credential}), "callers[0]: needs api_key_sha256 or client_cert_cn");
  auto no_scope = Ops();
  no_scope.scopes.clear();
  EXPECT_EQ(error({no_scope}), "callers[0].scopes: at least one scope is required");
  auto unknown = Ops();
  unknown.scopes = {"contacts:unsubscribe", "everything"};
  EXPECT_EQ(error({unknown}), "callers[0].scopes[1]: unknown scope everything");
  auto own_without_rep = Ops();
  own_without_rep.scopes = {"topics:suppress-own"};
  EXPECT_NE(error({own_without_rep}).find("callers[0].scopes[0]: topics:suppress-own"),
            std::string::npos);
  auto bad_digest = Ops();
  bad_digest.api_key_sha256 = "abc";
  EXPECT_NE(error({bad_digest}).find("must be 64 hex digits"), std::string::npos);
  auto cn1 = Ops();
  cn1.client_cert_cn = "same";
  auto cn2 = cn1;
  cn2.caller_id = "other";
  cn2.api_key_sha256 = Sha256Hex("other-key");
  EXPECT_EQ(error({cn1, cn2}), "callers[1].client_cert_cn: used by two callers");
}

}  // namespace
}  // namespace leadflow::auth
