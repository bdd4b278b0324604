#include "notifier/app/webhook_delivery.h"

#include <algorithm>
#include <random>
#include <thread>

#include "leadflow_version.h"
#include "notifier/domain/retry_policy.h"
#include "notifier/domain/webhook_signature.h"

namespace leadflow::notifier {
namespace {

enum class AttemptClass { kOk, kRetryable, kRejected };

AttemptClass Classify(const HttpAttempt& a) {
  if (a.status >= 200 && a.status < 300) return AttemptClass::kOk;
  if (a.status == 0 || a.status == 408 || a.status == 429 || a.status >= 500) {
    return AttemptClass::kRetryable;
  }
  return AttemptClass::kRejected;
}

// The attempts_total result label.
const char* ClassName(AttemptClass c) {
  return c == AttemptClass::kOk ? "ok" : c == AttemptClass::kRetryable ? "retryable" : "rejected";
}

}  // namespace

DeliveryHooks SystemDeliveryHooks() {
  DeliveryHooks h;
  h.now = [] { return std::chrono::steady_clock::now(); };
  h.sleep = [](std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop.load()) {
      const auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return true;
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
    }
    return false;
  };
  h.unix_seconds = [] {
    return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  };
  h.jitter = [] {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  };
  return h;
}

WebhookDelivery::WebhookDelivery(WebhookSender& sender, std::chrono::milliseconds attempt_timeout,
                                 NotifierMetrics* metrics, DeliveryHooks hooks)
    : sender_(sender),
      attempt_timeout_(attempt_timeout),
      metrics_(metrics),
      hooks_(std::move(hooks)) {}

HttpAttempt WebhookDelivery::Attempt(const Endpoint& endpoint, const std::string& event_id,
                                     const std::string& kind, const WebhookBody& body, int attempt,
                                     std::chrono::steady_clock::time_point deadline) const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - hooks_.now());
  const std::string timestamp = std::to_string(hooks_.unix_seconds());
  auto headers = WebhookHeaders(endpoint.secret, event_id, timestamp, attempt, kind, body.body);
  headers.emplace_back("User-Agent", std::string("leadflow-notifier/") + LEADFLOW_VERSION);
  const auto timeout = std::clamp(left, std::chrono::milliseconds(1), attempt_timeout_);
  return sender_.Post(endpoint.url, headers, body.content_type, body.body, timeout);
}

DeliveryOutcome WebhookDelivery::Deliver(const Endpoint& endpoint, const std::string& event_id,
                                         const std::string& kind, const WebhookBody& body,
                                         const std::atomic<bool>& stop) const {
  DeliveryOutcome out;
  const std::string tmpl = TemplateName(endpoint.template_kind);
  const auto start = hooks_.now();
  const auto deadline = start + endpoint.retry.deadline;
  auto finish = [&](DeliveryOutcome o) {
    o.seconds = std::chrono::duration<double>(hooks_.now() - start).count();
    return o;
  };
  while (true) {
    if (stop.load()) {
      out.interrupted = true;
      return finish(out);
    }
    const HttpAttempt a = Attempt(endpoint, event_id, kind, body, ++out.attempts, deadline);
    out.last_status = a.status;
    out.last_error = a.status != 0 ? "HTTP " + std::to_string(a.status) : a.error;
    const AttemptClass c = Classify(a);
    if (metrics_ != nullptr) metrics_->Attempt(tmpl, ClassName(c));
    if (c == AttemptClass::kOk) {
      out.delivered = true;
      out.reason.clear();
      return finish(out);
    }
    if (c == AttemptClass::kRejected) {
      out.reason = "rejected";
      return finish(out);
    }
    if (out.attempts >= endpoint.retry.max_attempts) {
      out.reason = "attempts_exhausted";
      return finish(out);
    }
    const auto wait = BackoffDelay(endpoint.retry, out.attempts, hooks_.jitter());
    if (hooks_.now() + wait >= deadline) {
      out.reason = "deadline";
      return finish(out);
    }
    if (!hooks_.sleep(wait, stop)) {
      out.interrupted = true;
      return finish(out);
    }
  }
}

}  // namespace leadflow::notifier
