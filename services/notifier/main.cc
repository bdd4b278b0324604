// leadflow-notifier: composition root. Why a binary of its own and not part
// of routing: docs/notifier.md, "Why its own binary".
#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include "common/runtime/service_runtime.h"
#include "notifier/app/notifier_wiring.h"

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
  // The notifier serves no gRPC API of its own, but the runtime's gRPC server
  // (grpc.health.v1 for probes) cannot start without a service: server
  // reflection is that service (it lists grpc.health.v1 and itself only).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  return leadflow::runtime::ServiceMain(kInfo, argc, argv, leadflow::notifier::WireNotifier);
}
