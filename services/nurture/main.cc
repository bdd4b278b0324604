// leadflow-nurture: composition root.
#include "common/config/proto_loader.h"
#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "common/registry/account_registry.h"
#include "common/runtime/service_runtime.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/app/nurture_eraser.h"
#include "nurture/app/nurture_grpc_service.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/programme_store.h"
#include "nurture/app/scaled_clock.h"
#include "nurture/app/single_contact_flags.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "nurture",
    "Runs audience-specific nurture tracks: prospects from leads.nurture, customers from "
    "accounts.inbound. Before every touch it re-checks the contact's current relationship in its "
    "registry view (accounts.changes): a prospect who became a customer moves to a customer "
    "track, and customers never get prospect touches. Touches go to nurture.touches (exactly once "
    "per touch id); customer touches also notify the account owner on accounts.notifications. "
    "Exits on leads.assigned, engagement.events (reply, meeting, unsubscribe, consent withdrawn) "
    "and sales.feedback (accept); a customer's reply, meeting or questionnaire answer is told to "
    "the owner on accounts.notifications, and so is a customer account known as a single contact "
    "(at most once in 90 days). Proactive programmes enrol the registry's CUSTOMER "
    "accounts on a yearly schedule (the satisfaction audit, personal updates).",
    "Config: nurture.json (leadflow.config.v1.NurtureConfig: catalogue, campaigns, tracks, caps,\n"
    "  quiet hours, max event share, customer opt-in topics, programmes).\n"
    "  LEADFLOW_NURTURE_TIME_SCALE      schedule time per real time (default 1; demos and tests)\n"
    "  LEADFLOW_NURTURE_TIME_ORIGIN_MS  real epoch ms from which schedule time is scaled\n"
    "  LEADFLOW_NURTURE_TIME_START_MS   schedule epoch ms at that origin (default: the origin)\n"
    "  LEADFLOW_INSTANCE_ID also names the holder of the scheduler lease: one replica at a time\n"
    "  sends touches; keep it stable per replica (e.g. the pod name) so a restart resumes at once.\n"};

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::nurture;
  std::unique_ptr<NurtureStore> store;
  std::unique_ptr<ProgrammeStore> programmes;
  std::unique_ptr<registry::AccountRegistry> accounts;
  std::unique_ptr<NurtureMetrics> metrics;
  std::unique_ptr<ScaledClock> clock;
  std::unique_ptr<NurtureEngine> engine;
  std::unique_ptr<auth::RegistryCallerIdentifier> callers;
  std::unique_ptr<NurtureGrpcService> grpc_service;
  std::unique_ptr<NurtureEraser> eraser;
  std::unique_ptr<SingleContactFlags> single_contact;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    auto policy = config::LoadRules<config::v1::NurtureConfig>(rt.ConfigPath("nurture.json"),
                                                               NurturePolicy::Create);
    if (!policy.ok()) return policy.status();
    auto scaled = ScaledClock::FromEnv(rt.clock());
    if (!scaled.ok()) return scaled.status();
    clock = std::make_unique<ScaledClock>(*scaled);
    store = std::make_unique<NurtureStore>(rt.redis());
    accounts = std::make_unique<registry::AccountRegistry>(rt.redis(), "nurture");
    metrics = std::make_unique<NurtureMetrics>(rt.metrics());
    kafka::TopicScanOptions scan;
    scan.brokers = rt.infra().kafka_brokers;
    scan.extra_properties = rt.infra().kafka_properties;
    scan.topic = topics::kNurtureTouches;
    engine = std::make_unique<NurtureEngine>(
        *policy, *store, *accounts, rt.producer(), *metrics, *clock,
        [scan](const std::function<void(const kafka::ConsumedMessage&)>& visit) {
          return kafka::ScanTopic(scan, visit);
        });
    programmes = std::make_unique<ProgrammeStore>(rt.redis());
    engine->SetProgrammeStore(programmes.get());
    // Never one lonely channel: single-contact customer accounts to their owner.
    single_contact = std::make_unique<SingleContactFlags>(rt.redis());
    engine->SetSingleContactFlags(single_contact.get());
    auto loaded_callers = rt.LoadCallers();  // every gRPC method needs a caller with a scope
    if (!loaded_callers.ok()) return loaded_callers.status();
    callers = std::move(*loaded_callers);
    grpc_service =
        std::make_unique<NurtureGrpcService>(*callers, *policy, *store, *accounts, *metrics);
    rt.AddGrpcService(grpc_service.get());
    if (Status s = rt.AddView(accounts->view_store(), topics::kAccountsChanges,
                              engine->AccountChangesApplier(),
                              [a = accounts.get()] { return a->Size(); }, intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddConsumer("main", {topics::kLeadsNurture, topics::kAccountsInbound},
                                  engine->EnrolmentsHandler(), intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddConsumer(
            "exits", {topics::kLeadsAssigned, topics::kEngagementEvents, topics::kSalesFeedback},
            engine->ExitsHandler(), intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    eraser = std::make_unique<NurtureEraser>(*store, rt.redis());
    if (Status s = rt.AddConsumer("privacy", {topics::kPrivacyErasure},
                                  privacy::ErasureHandler(*eraser), intake::v1::NURTURE);
        !s.ok()) {
      return s;
    }
    engine->SetSchedulerLease(rt.infra().instance_id, std::chrono::seconds(15));
    rt.AddBackgroundTask(
        "scheduler", [e = engine.get()](const std::atomic<bool>& stop) { e->RunScheduler(stop); });
    return Status::Ok();
  });
}
