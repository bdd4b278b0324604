// The webhook signature (docs/notifier.md, "Verifying a webhook"):
//   X-Leadflow-Timestamp: unix seconds of the attempt
//   X-Leadflow-Signature: "v1=" + hex HMAC-SHA256(key, timestamp + "." + body)
// A receiver recomputes it over the raw body, compares in constant time and
// refuses timestamps too far from its clock (replays). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadflow::notifier {

// "v1=<64 hex>".
std::string SignWebhook(std::string_view key, std::string_view timestamp, std::string_view body);

// True when `signature` is SignWebhook(key, timestamp, body) (constant time).
bool VerifyWebhook(std::string_view key, std::string_view timestamp, std::string_view body,
                   std::string_view signature);

// The headers of one attempt (docs/notifier.md), in this order:
//   X-Leadflow-Event-Id   the event's stable id, the same on every attempt
//   X-Leadflow-Timestamp  unix seconds of the attempt
//   X-Leadflow-Signature  SignWebhook(key, timestamp, body)
//   X-Leadflow-Attempt    1, 2, ...
//   X-Leadflow-Kind       the event's kind
// Tests read them by these literal names: they are the receivers' contract.
std::vector<std::pair<std::string, std::string>> WebhookHeaders(
    std::string_view key, const std::string& event_id, const std::string& timestamp, int attempt,
    const std::string& kind, std::string_view body);

}  // namespace leadflow::notifier
