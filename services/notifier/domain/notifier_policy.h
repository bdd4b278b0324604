// The notifier's validated configuration (config/notifier.json,
// leadflow.config.v1.NotifierConfig): its endpoints with their URLs and HMAC
// keys resolved from the environment, and which endpoints an event goes to.
// Threading: immutable after Create(); share freely.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/notifier_config.pb.h"
#include "notifier/domain/notification.h"
#include "notifier/domain/retry_policy.h"

namespace leadflow::notifier {

using config::v1::WebhookTemplate;

// "SLACK", "TELEGRAM" or "GENERIC_JSON" (bounded: a metric label).
std::string TemplateName(WebhookTemplate t);

struct Endpoint {
  std::string id;
  std::string team;  // exactly one of team and rep_id is set
  std::string rep_id;
  WebhookTemplate template_kind = config::v1::GENERIC_JSON;
  std::string url;     // resolved (from url or url_env)
  std::string secret;  // the HMAC key, from secret_env; never logged
  std::string telegram_chat_id;
  std::set<std::string> kinds;  // empty: every kind
  RetryPolicy retry;

  // "team:<id>" or "rep:<id>".
  std::string Target() const;
};

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

class NotifierPolicy {
 public:
  // Validates `config` once; an error names the field, e.g.
  // "endpoints[1].secret_env: LEADFLOW_X is not set". Secrets are resolved
  // through `env` and never appear in an error.
  static StatusOr<std::shared_ptr<const NotifierPolicy>> Create(
      const config::v1::NotifierConfig& config, const EnvLookup& env);

  const std::string& version() const { return version_; }
  const std::vector<Endpoint>& endpoints() const { return endpoints_; }
  std::chrono::milliseconds attempt_timeout() const { return attempt_timeout_; }
  int max_parallel_deliveries() const { return max_parallel_; }

  // Every endpoint for one of the notification's reps or teams that wants its
  // kind, each once, in configuration order.
  std::vector<const Endpoint*> EndpointsFor(const Notification& n) const;

 private:
  NotifierPolicy() = default;
  std::string version_;
  std::vector<Endpoint> endpoints_;
  std::chrono::milliseconds attempt_timeout_{5000};
  int max_parallel_ = 16;
};

}  // namespace leadflow::notifier
