// Delivers one webhook (one event to one endpoint) under the endpoint's retry
// policy: sign, POST, and on a retryable failure wait the backoff (with
// jitter) and try again, until it is delivered, refused for good, out of
// attempts or past its deadline (docs/notifier.md, "Delivery").
//
//   2xx                       delivered
//   408, 429, 5xx, no answer  retried (timeouts and resets included)
//   any other status          rejected: not retried (e.g. 404, a revoked
//                             webhook; 3xx, as redirects are not followed)
//
// Every attempt carries the same event id and body, a fresh timestamp and the
// signature over both. A stop request ends a backoff wait at once and reports
// the delivery `interrupted` (the caller then leaves the event uncommitted).
// Thread-safe: Deliver() may run on many threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "notifier/app/notifier_metrics.h"
#include "notifier/app/webhook_sender.h"
#include "notifier/domain/notifier_policy.h"
#include "notifier/domain/webhook_templates.h"

namespace leadflow::notifier {

struct DeliveryOutcome {
  bool delivered = false;
  bool interrupted = false;  // stopped by shutdown before an outcome
  int attempts = 0;
  int last_status = 0;     // 0: the last attempt got no HTTP answer
  std::string last_error;  // "HTTP 500", "timeout ...", ...
  std::string reason;      // when not delivered: attempts_exhausted | deadline | rejected
  double seconds = 0;
};

// Time and randomness, injectable for tests.
struct DeliveryHooks {
  std::function<std::chrono::steady_clock::time_point()> now;
  // Waits `d` or until `stop`; false when stopped.
  std::function<bool(std::chrono::milliseconds d, const std::atomic<bool>& stop)> sleep;
  // Unix seconds for X-Leadflow-Timestamp.
  std::function<int64_t()> unix_seconds;
  // Uniform in [0, 1).
  std::function<double()> jitter;
};

// Real time, a stop-aware sleep and a thread-local random generator.
DeliveryHooks SystemDeliveryHooks();

class WebhookDelivery {
 public:
  // `metrics` may be null. The sender and metrics must outlive this object.
  WebhookDelivery(WebhookSender& sender, std::chrono::milliseconds attempt_timeout,
                  NotifierMetrics* metrics, DeliveryHooks hooks = SystemDeliveryHooks());

  DeliveryOutcome Deliver(const Endpoint& endpoint, const std::string& event_id,
                          const std::string& kind, const WebhookBody& body,
                          const std::atomic<bool>& stop) const;

 private:
  // One signed POST (attempt number `attempt`), its timeout cut to the deadline.
  HttpAttempt Attempt(const Endpoint& endpoint, const std::string& event_id,
                      const std::string& kind, const WebhookBody& body, int attempt,
                      std::chrono::steady_clock::time_point deadline) const;

  WebhookSender& sender_;
  std::chrono::milliseconds attempt_timeout_;
  NotifierMetrics* metrics_;
  DeliveryHooks hooks_;
};

}  // namespace leadflow::notifier
