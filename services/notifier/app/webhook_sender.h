// Sends one HTTP POST of a webhook. The interface lets the delivery logic be
// tested without a network; HttpWebhookSender is the real one.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace leadflow::notifier {

struct HttpAttempt {
  int status = 0;     // the HTTP status; 0 when no answer came (see error)
  std::string error;  // "timeout", "connection", ... when status is 0
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // One attempt, bounded by `timeout` per connect / write / read. Must be
  // safe to call from several threads at once. Never throws.
  virtual HttpAttempt Post(const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& content_type, const std::string& body,
                           std::chrono::milliseconds timeout) = 0;
};

}  // namespace leadflow::notifier
