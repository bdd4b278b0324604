#include "notifier/domain/webhook_templates.h"

#include <nlohmann/json.hpp>

namespace leadflow::notifier {
namespace {

// Slack's mrkdwn needs &, < and > escaped (its "control characters").
std::string SlackEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string PlainText(const Notification& n, const std::string& event_id) {
  std::string text = n.title;
  for (const auto& [k, v] : n.fields) text += "\n" + k + ": " + v;
  text += "\nevent: " + event_id;
  return text;
}

std::string SlackText(const Notification& n, const std::string& event_id) {
  std::string text = "*" + SlackEscape(n.title) + "*";
  for (const auto& [k, v] : n.fields)
    text += "\n• " + SlackEscape(k) + ": `" + SlackEscape(v) + "`";
  text += "\nevent: `" + event_id + "`";
  return text;
}

}  // namespace

WebhookBody RenderWebhook(const Notification& n, const Endpoint& endpoint,
                          const std::string& event_id) {
  nlohmann::ordered_json j;
  switch (endpoint.template_kind) {
    case config::v1::SLACK:
      j["text"] = SlackText(n, event_id);
      break;
    case config::v1::TELEGRAM:
      j["chat_id"] = endpoint.telegram_chat_id;
      j["text"] = PlainText(n, event_id);
      j["disable_web_page_preview"] = true;
      break;
    default:
      j["event_id"] = event_id;
      j["kind"] = n.kind;
      j["title"] = n.title;
      j["target"] = endpoint.Target();
      if (n.occurred_at_ms > 0) j["occurred_at"] = FormatRfc3339Millis(n.occurred_at_ms);
      for (const auto& [k, v] : n.fields) j[k] = v;
      break;
  }
  // Invalid UTF-8 (never expected in ids) is replaced rather than thrown on.
  return {"application/json", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace leadflow::notifier
