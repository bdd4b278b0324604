#include "notifier/domain/notifier_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "common/config/proto_loader.h"
#include "common/testing/paths.h"

namespace leadflow::notifier {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::map<std::string, std::string> kEnv = {
    {"HOOK_KEY", "0123456789abcdef0123"},
    {"SHORT_KEY", "short"},
    {"SLACK_URL", "https://hooks.slack.com/services/T000/B000/XXXX"},
    {"BAD_URL", "ftp://secret-token@example"},
};

EnvLookup FakeEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = kEnv.find(name);
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
}

config::v1::NotifierConfig Parse(const std::string& json) {
  config::v1::NotifierConfig c;
  Status s = config::ParseProtoJson(json, "test", &c);
  EXPECT_TRUE(s.ok()) << s.message();
  return c;
}

// A valid config with one endpoint; `endpoint` replaces its fields.
std::string WithEndpoint(const std::string& endpoint) {
  return R"({"version":"t","endpoints":[)" + endpoint + "]}";
}

Status CreateError(const std::string& json) {
  auto p = NotifierPolicy::Create(Parse(json), FakeEnv());
  return p.ok() ? Status::Ok() : p.status();
}

TEST(NotifierPolicyTest, ShippedConfigLoadsWithItsVariablesSet) {
  config::v1::NotifierConfig c;
  ASSERT_TRUE(config::LoadProtoFile(testing::SourcePath("config/notifier.json"), &c).ok());
  auto p = NotifierPolicy::Create(c, [](const std::string& name) -> std::optional<std::string> {
    if (name.find("URL") != std::string::npos) return "https://example.invalid/hook";
    return "a-test-hmac-key-of-32-bytes-----";
  });
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ((*p)->endpoints().size(), 4u);
  // Without its variables it refuses to start, naming the field.
  auto missing = NotifierPolicy::Create(c, [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("endpoints[0].url_env"));
}

TEST(NotifierPolicyTest, ResolvesUrlAndSecretFromTheEnvironment) {
  auto p =
      NotifierPolicy::Create(Parse(WithEndpoint(R"({"id":"a","team":"enterprise","template":"SLACK",
                             "url_env":"SLACK_URL","secret_env":"HOOK_KEY"})")),
                             FakeEnv());
  ASSERT_TRUE(p.ok()) << p.status().message();
  const Endpoint& e = (*p)->endpoints().at(0);
  EXPECT_EQ(e.url, "https://hooks.slack.com/services/T000/B000/XXXX");
  EXPECT_EQ(e.secret, "0123456789abcdef0123");
  EXPECT_EQ(e.Target(), "team:enterprise");
  EXPECT_EQ(e.retry.max_attempts, RetryPolicy{}.max_attempts);  // defaults apply
}

TEST(NotifierPolicyTest, UnknownFieldsAreRejectedByTheLoader) {
  config::v1::NotifierConfig c;
  Status s = config::ParseProtoJson(
      WithEndpoint(R"({"id":"a","team":"t","template":"SLACK","url":"http://x","secret":"k"})"),
      "notifier.json", &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("secret"));
}

struct BadCase {
  std::string json;
  std::string field;
};

TEST(NotifierPolicyTest, EachErrorNamesItsField) {
  const std::string ok_rest =
      R"("template":"GENERIC_JSON","url":"http://h/x","secret_env":"HOOK_KEY")";
  const std::vector<BadCase> cases = {
      {R"({"endpoints":[]})", "version"},
      {WithEndpoint(R"({"id":"A!","team":"t",)" + ok_rest + "}"), "endpoints[0].id"},
      {WithEndpoint(R"({"id":"a",)" + ok_rest + "}"), "endpoints[0].team"},
      {WithEndpoint(R"({"id":"a","team":"t","rep_id":"r",)" + ok_rest + "}"), "endpoints[0].team"},
      {WithEndpoint(R"({"id":"a","team":"t","url":"http://h/x","secret_env":"HOOK_KEY"})"),
       "endpoints[0].template"},
      {WithEndpoint(R"({"id":"a","team":"t","template":"SLACK","secret_env":"HOOK_KEY"})"),
       "endpoints[0].url"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"SLACK","url":"mailto:x","secret_env":"HOOK_KEY"})"),
       "endpoints[0].url"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"SLACK","url_env":"NOPE","secret_env":"HOOK_KEY"})"),
       "endpoints[0].url_env"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"SLACK","url_env":"BAD_URL","secret_env":"HOOK_KEY"})"),
       "endpoints[0].url_env"},
      {WithEndpoint(R"({"id":"a","team":"t","template":"SLACK","url":"http://h/x"})"),
       "endpoints[0].secret_env"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"SLACK","url":"http://h/x","secret_env":"UNSET"})"),
       "endpoints[0].secret_env"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"SLACK","url":"http://h/x","secret_env":"SHORT_KEY"})"),
       "endpoints[0].secret_env"},
      {WithEndpoint(
           R"({"id":"a","team":"t","template":"TELEGRAM","url":"http://h/x","secret_env":"HOOK_KEY"})"),
       "endpoints[0].telegram_chat_id"},
      {WithEndpoint(R"({"id":"a","team":"t","kinds":["lead_assigned","lunch"],)" + ok_rest + "}"),
       "endpoints[0].kinds[1]"},
      {WithEndpoint(R"({"id":"a","team":"t","retry":{"max_attempts":21},)" + ok_rest + "}"),
       "endpoints[0].retry.max_attempts"},
      {WithEndpoint(
           R"({"id":"a","team":"t","retry":{"initial_backoff_ms":900,"max_backoff_ms":800},)" +
           ok_rest + "}"),
       "endpoints[0].retry.max_backoff_ms"},
      {WithEndpoint(R"({"id":"a","team":"t","retry":{"deadline_ms":120001},)" + ok_rest + "}"),
       "endpoints[0].retry.deadline_ms"},
      {R"({"version":"t","default_retry":{"initial_backoff_ms":-1}})",
       "default_retry.initial_backoff_ms"},
      {R"({"version":"t","attempt_timeout_ms":60001})", "attempt_timeout_ms"},
      {R"({"version":"t","max_parallel_deliveries":1000})", "max_parallel_deliveries"},
      {R"({"version":"t","endpoints":[{"id":"a","team":"t",)" + ok_rest +
           R"(},{"id":"a","team":"u",)" + ok_rest + "}]}",
       "endpoints[1].id"},
  };
  for (const auto& c : cases) {
    Status s = CreateError(c.json);
    EXPECT_FALSE(s.ok()) << c.json;
    EXPECT_THAT(s.message(), HasSubstr(c.field + ":")) << c.json;
  }
}

TEST(NotifierPolicyTest, ErrorsNeverShowASecretOrATokenUrl) {
  Status s = CreateError(WithEndpoint(
      R"({"id":"a","team":"t","template":"SLACK","url_env":"BAD_URL","secret_env":"SHORT_KEY"})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), Not(HasSubstr("secret-token")));
  s = CreateError(WithEndpoint(
      R"({"id":"a","team":"t","template":"SLACK","url":"http://h/x","secret_env":"SHORT_KEY"})"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), Not(HasSubstr("short\"")));
}

TEST(NotifierPolicyTest, EndpointsForMatchesRepsTeamsAndKinds) {
  auto p = NotifierPolicy::Create(Parse(R"({"version":"t","endpoints":[
        {"id":"team","team":"enterprise","template":"GENERIC_JSON","url":"http://h/1","secret_env":"HOOK_KEY"},
        {"id":"rep","rep_id":"en-orlov","template":"GENERIC_JSON","url":"http://h/2","secret_env":"HOOK_KEY"},
        {"id":"stalls-only","team":"enterprise","template":"SLACK","url":"http://h/3",
         "secret_env":"HOOK_KEY","kinds":["deal_stalled"]},
        {"id":"other","team":"partners","template":"GENERIC_JSON","url":"http://h/4","secret_env":"HOOK_KEY"}]})"),
                                  FakeEnv());
  ASSERT_TRUE(p.ok()) << p.status().message();
  Notification n;
  n.kind = "lead_assigned";
  n.rep_ids = {"en-orlov"};
  n.teams = {"enterprise"};
  std::vector<std::string> ids;
  for (const Endpoint* e : (*p)->EndpointsFor(n)) ids.push_back(e->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"team", "rep"}));
  n.kind = "deal_stalled";
  ids.clear();
  for (const Endpoint* e : (*p)->EndpointsFor(n)) ids.push_back(e->id);
  EXPECT_EQ(ids, (std::vector<std::string>{"team", "rep", "stalls-only"}));
  n.rep_ids = {"someone-else"};
  n.teams = {};
  EXPECT_TRUE((*p)->EndpointsFor(n).empty());
}

}  // namespace
}  // namespace leadflow::notifier
