#include "notifier/domain/webhook_signature.h"

#include "common/auth/sha256.h"

namespace leadflow::notifier {

std::string SignWebhook(std::string_view key, std::string_view timestamp, std::string_view body) {
  std::string base;
  base.reserve(timestamp.size() + 1 + body.size());
  base.append(timestamp).append(".").append(body);
  return "v1=" + auth::HmacSha256Hex(key, base);
}

bool VerifyWebhook(std::string_view key, std::string_view timestamp, std::string_view body,
                   std::string_view signature) {
  const std::string want = SignWebhook(key, timestamp, body);
  if (want.size() != signature.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff |= static_cast<unsigned char>(want[i] ^ signature[i]);
  }
  return diff == 0;
}

std::vector<std::pair<std::string, std::string>> WebhookHeaders(
    std::string_view key, const std::string& event_id, const std::string& timestamp, int attempt,
    const std::string& kind, std::string_view body) {
  return {{"X-Leadflow-Event-Id", event_id},
          {"X-Leadflow-Timestamp", timestamp},
          {"X-Leadflow-Signature", SignWebhook(key, timestamp, body)},
          {"X-Leadflow-Attempt", std::to_string(attempt)},
          {"X-Leadflow-Kind", kind}};
}

}  // namespace leadflow::notifier
