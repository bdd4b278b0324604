// The webhook signature (docs/notifier.md, "Verifying a webhook"):
//   X-Leadflow-Timestamp: unix seconds of the attempt
//   X-Leadflow-Signature: "v1=" + hex HMAC-SHA256(key, timestamp + "." + body)
// A receiver recomputes it over the raw body, compares in constant time and
// refuses timestamps too far from its clock (replays). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadflow::notifier {

// "v1=<64 hex>".
std::string SignWebhook(std::string_view key, std::string_view timestamp, std::string_view body);

// True when `signature` is SignWebhook(key, timestamp, body) (constant time).
bool VerifyWebhook(std::string_view key, std::string_view timestamp, std::string_view body,
                   std::string_view signature);

// The headers every webhook carries: its stable event id, the attempt's time
// and signature, the attempt number and the event's kind.
inline constexpr char kEventIdHeader[] = "X-Leadflow-Event-Id";
inline constexpr char kTimestampHeader[] = "X-Leadflow-Timestamp";
inline constexpr char kSignatureHeader[] = "X-Leadflow-Signature";
inline constexpr char kAttemptHeader[] = "X-Leadflow-Attempt";
inline constexpr char kKindHeader[] = "X-Leadflow-Kind";

}  // namespace leadflow::notifier
