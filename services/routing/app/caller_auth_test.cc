#include "routing/app/caller_auth.h"

#include <gtest/gtest.h>

#include "common/auth/sha256.h"
#include "common/config/proto_loader.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::routing {
namespace {

using leadflow::config::v1::RoutingRules;

RoutingRules WithCallers() {
  RoutingRules r = testutil::SampleRules();
  auto* ka = r.add_callers();
  ka->set_caller_id("tool-ka");
  ka->set_api_key_sha256(auth::Sha256Hex("key-ka"));
  ka->add_teams("key-accounts");
  auto* ops = r.add_callers();
  ops->set_caller_id("ops");
  ops->set_client_cert_cn("sales-ops.leadflow");
  ops->add_teams("key-accounts");
  ops->add_teams("mid-market");
  return r;
}

TEST(CallerAuth, KeyOrCertificateIdentifiesTheCallerAndItsTeams) {
  auto policy = testutil::MustPolicy(WithCallers());
  auto a = CallerAuth::Create(*policy);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto ka = (*a)->Authenticate(std::string("key-ka"), "");
  ASSERT_TRUE(ka);
  EXPECT_EQ(ka->id, "tool-ka");
  EXPECT_TRUE((*a)->MayActOnRep(*ka, "ka-b"));
  EXPECT_FALSE((*a)->MayActOnRep(*ka, "mm-a")) << "another team's rep";
  EXPECT_FALSE((*a)->MayActOnRep(*ka, "nobody"));
  EXPECT_TRUE((*a)->MayActOnTeam(*ka, "key-accounts"));
  EXPECT_FALSE((*a)->MayActOnTeam(*ka, "mid-market"));
  auto ops = (*a)->Authenticate(std::nullopt, "sales-ops.leadflow");
  ASSERT_TRUE(ops);
  EXPECT_TRUE((*a)->MayActOnRep(*ops, "mm-a"));
}

TEST(CallerAuth, UnknownKeyMissingKeyAndUnknownCertificateAreRefused) {
  auto policy = testutil::MustPolicy(WithCallers());
  auto a = CallerAuth::Create(*policy);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE((*a)->Authenticate(std::string("key-other"), ""));
  EXPECT_FALSE((*a)->Authenticate(std::string(""), ""));
  EXPECT_FALSE((*a)->Authenticate(std::nullopt, ""));
  EXPECT_FALSE((*a)->Authenticate(std::nullopt, "intruder"));
  EXPECT_FALSE((*a)->Authenticate(auth::Sha256Hex("key-ka"), "")) << "the digest is not the key";
}

TEST(CallerAuth, BadCallerConfigNamesTheField) {
  struct Case {
    std::function<void(RoutingRules&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](RoutingRules& r) { r.mutable_callers(0)->clear_caller_id(); }, "callers[0].caller_id"},
      {[](RoutingRules& r) { r.mutable_callers(1)->set_caller_id("tool-ka"); },
       "callers[1].caller_id"},
      {[](RoutingRules& r) { r.mutable_callers(0)->clear_api_key_sha256(); }, "callers[0]"},
      {[](RoutingRules& r) { r.mutable_callers(1)->set_teams(1, "no-such-team"); },
       "callers[1].teams[1]"},
      {[](RoutingRules& r) { r.mutable_callers(0)->clear_teams(); }, "callers[0].teams"},
      {[](RoutingRules& r) { r.mutable_callers(0)->set_api_key_sha256("abc"); }, "callers"},
      {[](RoutingRules& r) { r.mutable_callers(1)->add_scopes("rules:everything"); },
       "callers[1].scopes[0]"},
  };
  for (const auto& c : cases) {
    RoutingRules r = WithCallers();
    c.edit(r);
    auto policy = testutil::MustPolicy(r);
    auto a = CallerAuth::Create(*policy);
    ASSERT_FALSE(a.ok()) << c.field;
    EXPECT_NE(a.status().message().find(c.field), std::string::npos) << a.status().message();
  }
}

// Closed by default: no caller holds a scope unless configured with it, and a
// scope-only caller (no teams) acts on no team.
TEST(CallerAuth, ScopesAreHeldOnlyWhenConfigured) {
  RoutingRules r = WithCallers();
  auto* analyst = r.add_callers();
  analyst->set_caller_id("rules-analyst");
  analyst->set_api_key_sha256(auth::Sha256Hex("key-analyst"));
  analyst->add_scopes(std::string(kSimulateRulesScope));
  auto policy = testutil::MustPolicy(r);
  auto a = CallerAuth::Create(*policy);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto ka = (*a)->Authenticate(std::string("key-ka"), "");
  ASSERT_TRUE(ka);
  EXPECT_FALSE(CallerAuth::HasScope(*ka, kSimulateRulesScope)) << "a team caller";
  auto ops = (*a)->Authenticate(std::nullopt, "sales-ops.leadflow");
  ASSERT_TRUE(ops);
  EXPECT_FALSE(CallerAuth::HasScope(*ops, kSimulateRulesScope)) << "two teams, still no scope";
  auto an = (*a)->Authenticate(std::string("key-analyst"), "");
  ASSERT_TRUE(an);
  EXPECT_TRUE(CallerAuth::HasScope(*an, kSimulateRulesScope));
  EXPECT_FALSE((*a)->MayActOnTeam(*an, "key-accounts"));
  EXPECT_FALSE((*a)->MayActOnRep(*an, "ka-a"));
}

TEST(CallerAuth, ShippedRulesDefineACallerPerTeam) {
  RoutingRules rules;
  ASSERT_TRUE(
      config::LoadProtoFile(leadflow::testing::SourcePath("config/routing_rules.json"), &rules).ok());
  auto policy = RoutingPolicy::Create(rules, [](const std::string& n) { return TimeZone::Fixed(n, 0); });
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  auto a = CallerAuth::Create(**policy);
  ASSERT_TRUE(a.ok()) << a.status().message();
  for (const auto& team : rules.teams()) {
    auto c = (*a)->Authenticate("demo-key-" + team.team_id(), "");
    ASSERT_TRUE(c) << team.team_id();
    EXPECT_EQ(c->teams, std::set<std::string>{team.team_id()});
    EXPECT_TRUE(c->scopes.empty()) << "no shipped caller may simulate";
  }
}

}  // namespace
}  // namespace leadflow::routing
