// leadflow-nurture: composition root.
#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/registry/account_registry.h"
#include "common/runtime/service_runtime.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/app/nurture_grpc_service.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "nurture",
    "Enrols prospects from leads.nurture in audience-specific tracks and sends their touches on "
    "nurture.touches, re-checking before every touch that the contact is still a prospect in its "
    "registry view (accounts.changes). Customers never get prospect touches.",
    "Config: nurture.json (leadflow.config.v1.NurtureConfig: catalogue, tracks, caps).\n"};

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::nurture;
  std::unique_ptr<NurtureStore> store;
  std::unique_ptr<registry::AccountRegistry> accounts;
  std::unique_ptr<NurtureMetrics> metrics;
  std::unique_ptr<NurtureEngine> engine;
  std::unique_ptr<NurtureGrpcService> grpc_service;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    config::v1::NurtureConfig cfg;
    if (Status s = config::LoadProtoFile(rt.ConfigPath("nurture.json"), &cfg); !s.ok()) return s;
    auto policy = NurturePolicy::Create(std::move(cfg));
    if (!policy.ok()) return policy.status();
    store = std::make_unique<NurtureStore>(rt.redis());
    accounts = std::make_unique<registry::AccountRegistry>(rt.redis(), "nurture");
    metrics = std::make_unique<NurtureMetrics>(rt.metrics());
    engine = std::make_unique<NurtureEngine>(*policy, *store, *accounts, rt.producer(), *metrics,
                                             rt.clock());
    grpc_service = std::make_unique<NurtureGrpcService>(*policy, *store, *metrics);
    rt.AddGrpcService(grpc_service.get());
    if (Status s = rt.AddConsumer("registry", {topics::kAccountsChanges}, accounts->Handler(),
                                  intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    if (Status s =
            rt.AddConsumer("main", {topics::kLeadsNurture}, engine->Handler(), intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    rt.AddBackgroundTask(
        "scheduler", [e = engine.get()](const std::atomic<bool>& stop) { e->RunScheduler(stop); });
    return Status::Ok();
  });
}
