#include "notifier/app/notifier_wiring.h"

#include <cstdlib>
#include <optional>
#include <string>

#include "common/config/proto_loader.h"
#include "common/lifecycle/shutdown.h"
#include "common/log/log.h"
#include "notifier/app/http_webhook_sender.h"
#include "notifier/app/notifier_handler.h"
#include "notifier/app/notifier_metrics.h"
#include "notifier/app/webhook_delivery.h"
#include "notifier/domain/event_table.h"
#include "notifier/domain/notifier_policy.h"

namespace leadflow::notifier {

const runtime::ServiceInfo kNotifierInfo{
    "notifier",
    "Turns events into signed outbound webhooks: leads.assigned (tell the rep and the team), "
    "deals.stalls (tell the owner and the team lead), sla.escalations (an SLA reminder to the "
    "rep, an escalation to the team lead) and accounts.notifications (a customer "
    "responded: tell the account owner), in Slack, Telegram or generic JSON form, per team or "
    "rep. Each webhook carries a stable X-Leadflow-Event-Id and an HMAC-SHA256 signature over "
    "its timestamp and body, and is retried with exponential backoff and jitter; one that still "
    "fails is dead-lettered on notifications.dead, never dropped. Offsets are committed only "
    "after delivery or dead-lettering (docs/notifier.md).",
    "Config: notifier.json (leadflow.config.v1.NotifierConfig): endpoints, templates, retry\n"
    "  policies. Secrets are not in the file: each endpoint names the environment variable\n"
    "  holding its HMAC key (secret_env) and, for URLs that carry a token, its URL (url_env).\n"
    "  A missing variable stops the start-up, naming the endpoint's field.\n"};

namespace {

// The process environment, for the secrets and URLs the config names.
std::optional<std::string> Getenv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

Status WireNotifier(runtime::ServiceRuntime& rt) {
  auto policy = config::LoadRules<config::v1::NotifierConfig>(
      rt.ConfigPath("notifier.json"),
      [](const config::v1::NotifierConfig& c) { return NotifierPolicy::Create(c, Getenv); });
  if (!policy.ok()) return policy.status();
  log::Info("notifier config loaded",
            {{"version", (*policy)->version()},
             {"endpoints", std::to_string((*policy)->endpoints().size())}});
  auto& metrics = rt.Make<NotifierMetrics>(rt.metrics());
  auto& sender = rt.Make<HttpWebhookSender>();
  auto& delivery = rt.Make<WebhookDelivery>(sender, (*policy)->attempt_timeout(), &metrics);
  const EventTable& table = DefaultEventTable();
  auto& handler = rt.Make<NotifierHandler>(table, *policy, delivery, metrics, rt.clock(),
                                           lifecycle::Shutdown::Requested());
  // No Stage value names the notifier yet: undecodable events reach
  // leads.rejected with STAGE_UNSPECIFIED and the notifier's group in the log.
  return rt.AddConsumer("main", table.Topics(), handler.Handler(), common::v1::STAGE_UNSPECIFIED);
}

}  // namespace leadflow::notifier
