// leadflow-notifier: composition root. Why a binary of its own and not part
// of routing: docs/notifier.md, "Why its own binary".
#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include <cstdlib>
#include <memory>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/lifecycle/shutdown.h"
#include "common/log/log.h"
#include "common/runtime/service_runtime.h"
#include "notifier/app/http_webhook_sender.h"
#include "notifier/app/notifier_handler.h"
#include "notifier/app/notifier_metrics.h"
#include "notifier/app/webhook_delivery.h"
#include "notifier/domain/event_table.h"
#include "notifier/domain/notifier_policy.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
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

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::notifier;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<NotifierMetrics> metrics;
  std::unique_ptr<HttpWebhookSender> sender;
  std::unique_ptr<WebhookDelivery> delivery;
  std::unique_ptr<NotifierHandler> handler;
  // The notifier serves no gRPC API of its own, but the runtime's gRPC server
  // (grpc.health.v1 for probes) cannot start without a service: server
  // reflection is that service (it lists grpc.health.v1 and itself only).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    auto policy = config::LoadRules<config::v1::NotifierConfig>(
        rt.ConfigPath("notifier.json"), [](const config::v1::NotifierConfig& c) {
          return NotifierPolicy::Create(c,
                                        [](const std::string& name) -> std::optional<std::string> {
                                          const char* v = std::getenv(name.c_str());
                                          if (v == nullptr) return std::nullopt;
                                          return std::string(v);
                                        });
        });
    if (!policy.ok()) return policy.status();
    log::Info("notifier config loaded",
              {{"version", (*policy)->version()},
               {"endpoints", std::to_string((*policy)->endpoints().size())}});
    metrics = std::make_unique<NotifierMetrics>(rt.metrics());
    sender = std::make_unique<HttpWebhookSender>();
    delivery =
        std::make_unique<WebhookDelivery>(*sender, (*policy)->attempt_timeout(), metrics.get());
    const EventTable& table = DefaultEventTable();
    handler = std::make_unique<NotifierHandler>(table, *policy, *delivery, *metrics, rt.clock(),
                                                lifecycle::Shutdown::Requested());
    // No Stage value names the notifier yet: undecodable events reach
    // leads.rejected with STAGE_UNSPECIFIED and the notifier's group in the log.
    return rt.AddConsumer("main", table.Topics(), handler->Handler(),
                          intake::v1::STAGE_UNSPECIFIED);
  });
}
