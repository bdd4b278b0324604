// leadflow-routing: composition root.
#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/runtime/service_runtime.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_grpc_service.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/app/zoneinfo_loader.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "routing",
    "Routes scored leads: customers to their account owner (accounts.inbound), named accounts "
    "to the named owner, qualified prospects to a team and rep by weighted round robin within "
    "capacity (leads.assigned), everything else to nurture (leads.nurture). Disqualified leads "
    "are recorded on leads.rejected.",
    "Config: routing_rules.json (leadflow.config.v1.RoutingRules: teams, reps, team rules).\n"
    "Time zones: TZif files from $TZDIR or /usr/share/zoneinfo.\n"};

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::routing;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<RoutingStore> store;
  std::unique_ptr<AssignmentBroadcaster> broadcaster;
  std::unique_ptr<RoutingMetrics> metrics;
  std::unique_ptr<RoutingEngine> engine;
  std::unique_ptr<RoutingGrpcService> grpc_service;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    config::v1::RoutingRules rules;
    if (Status s = config::LoadProtoFile(rt.ConfigPath("routing_rules.json"), &rules); !s.ok()) {
      return s;
    }
    auto policy = RoutingPolicy::Create(std::move(rules), SystemZoneResolver());
    if (!policy.ok()) return policy.status();
    store = std::make_unique<RoutingStore>(rt.redis());
    broadcaster = std::make_unique<AssignmentBroadcaster>();
    metrics = std::make_unique<RoutingMetrics>(rt.metrics());
    engine = std::make_unique<RoutingEngine>(*policy, *store, *broadcaster, *metrics, rt.clock());
    grpc_service = std::make_unique<RoutingGrpcService>(*policy, *store, rt.producer(),
                                                        *broadcaster, *metrics, rt.clock());
    rt.AddGrpcService(grpc_service.get());
    rt.OnShutdown([svc = grpc_service.get()] { svc->Shutdown(); });
    return rt.AddConsumer("main", {topics::kLeadsScored}, engine->Handler(), intake::v1::ROUTING);
  });
}
