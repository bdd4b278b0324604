// WebhookSender over cpp-httplib: one connection per attempt (http or https,
// with the system's CA store and certificate verification on), redirects not
// followed (a 3xx is an answer, and a permanent one), at most 64 KiB of the
// answer read. Thread-safe: attempts share nothing.
#pragma once

#include "notifier/app/webhook_sender.h"

namespace leadflow::notifier {

class HttpWebhookSender final : public WebhookSender {
 public:
  HttpAttempt Post(const std::string& url,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& content_type, const std::string& body,
                   std::chrono::milliseconds timeout) override;
};

}  // namespace leadflow::notifier
