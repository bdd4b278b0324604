#include "notifier/domain/webhook_templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace leadflow::notifier {
namespace {

using ::testing::HasSubstr;

Notification Assigned() {
  Notification n;
  n.kind = "lead_assigned";
  n.title = "New lead assigned";
  n.rep_ids = {"en-orlov"};
  n.teams = {"enterprise"};
  n.fields = {{"lead_id", "L-42"},
              {"team", "enterprise"},
              {"rep_id", "en-orlov"},
              {"reason", "order.score > team.enterprise <top>"},
              {"sla_due_at", "2026-01-14T10:00:00.000Z"}};
  n.occurred_at_ms = 1768381200000;
  return n;
}

Endpoint Make(WebhookTemplate t) {
  Endpoint e;
  e.id = "x";
  e.rep_id = "en-orlov";
  e.template_kind = t;
  e.telegram_chat_id = "-100777";
  return e;
}

TEST(WebhookTemplatesTest, GenericJsonIsFlatWithEventIdKindAndFields) {
  const WebhookBody b = RenderWebhook(Assigned(), Make(config::v1::GENERIC_JSON), "evt_1");
  EXPECT_EQ(b.content_type, "application/json");
  const auto j = nlohmann::json::parse(b.body);
  EXPECT_EQ(j["event_id"], "evt_1");
  EXPECT_EQ(j["kind"], "lead_assigned");
  EXPECT_EQ(j["target"], "rep:en-orlov");
  EXPECT_EQ(j["occurred_at"], "2026-01-14T09:00:00.000Z");
  EXPECT_EQ(j["lead_id"], "L-42");
  EXPECT_EQ(j["sla_due_at"], "2026-01-14T10:00:00.000Z");
  EXPECT_EQ(j["reason"], "order.score > team.enterprise <top>");
  // Stable bytes: the same event renders the same body (every retry sends it).
  EXPECT_EQ(b.body, RenderWebhook(Assigned(), Make(config::v1::GENERIC_JSON), "evt_1").body);
  EXPECT_EQ(b.body.find('\n'), std::string::npos);
}

TEST(WebhookTemplatesTest, SlackIsOneEscapedMrkdwnText) {
  const WebhookBody b = RenderWebhook(Assigned(), Make(config::v1::SLACK), "evt_1");
  const auto j = nlohmann::json::parse(b.body);
  ASSERT_EQ(j.size(), 1u);
  const std::string text = j["text"];
  EXPECT_THAT(text, HasSubstr("*New lead assigned*"));
  EXPECT_THAT(text, HasSubstr("• lead_id: `L-42`"));
  EXPECT_THAT(text, HasSubstr("team.enterprise &lt;top&gt;"));  // Slack's control characters
  EXPECT_THAT(text, HasSubstr("evt_1"));
}

TEST(WebhookTemplatesTest, TelegramIsSendMessageWithChatIdAndPlainText) {
  const WebhookBody b = RenderWebhook(Assigned(), Make(config::v1::TELEGRAM), "evt_1");
  const auto j = nlohmann::json::parse(b.body);
  EXPECT_EQ(j["chat_id"], "-100777");
  EXPECT_EQ(j["disable_web_page_preview"], true);
  const std::string text = j["text"];
  EXPECT_THAT(text, HasSubstr("New lead assigned\nlead_id: L-42"));
  EXPECT_THAT(text, HasSubstr("<top>"));  // no parse_mode: nothing to escape
  EXPECT_FALSE(j.contains("parse_mode"));
}

TEST(WebhookTemplatesTest, JsonSpecialCharactersAreEscaped) {
  Notification n = Assigned();
  n.fields.push_back({"stage", "a\"b\\c\n"});
  for (auto t : {config::v1::SLACK, config::v1::TELEGRAM, config::v1::GENERIC_JSON}) {
    const auto j = nlohmann::json::parse(RenderWebhook(n, Make(t), "evt_1").body);
    EXPECT_FALSE(j.empty());
  }
}

}  // namespace
}  // namespace leadflow::notifier
