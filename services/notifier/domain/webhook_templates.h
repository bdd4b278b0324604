// Webhook bodies for the three templates (docs/notifier.md, "Templates"):
//   SLACK         Slack incoming webhook:  {"text": "*<title>*\n• lead_id: ..."}
//   TELEGRAM      Bot API sendMessage:     {"chat_id": ..., "text": ...,
//                                            "disable_web_page_preview": true}
//   GENERIC_JSON  {"event_id", "kind", "title", "target", "occurred_at", <fields>}
// The body depends only on the event and the endpoint, never on the attempt,
// so every retry sends the same bytes. Pure; thread-safe.
#pragma once

#include <string>

#include "notifier/domain/notification.h"
#include "notifier/domain/notifier_policy.h"

namespace leadflow::notifier {

struct WebhookBody {
  std::string content_type;  // "application/json"
  std::string body;
};

WebhookBody RenderWebhook(const Notification& n, const Endpoint& endpoint,
                          const std::string& event_id);

}  // namespace leadflow::notifier
