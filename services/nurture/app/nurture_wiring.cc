#include "nurture/app/nurture_wiring.h"

#include "common/config/proto_loader.h"
#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "common/registry/account_registry.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/app/nurture_eraser.h"
#include "nurture/app/nurture_grpc_service.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/programme_store.h"
#include "nurture/app/scaled_clock.h"
#include "nurture/app/single_contact_flags.h"

namespace leadflow::nurture {

namespace {

// Crash recovery and the programmes read nurture.touches with it.
TouchLogScan TouchLog(const runtime::ServiceRuntime& rt) {
  kafka::TopicScanOptions scan;
  scan.brokers = rt.infra().kafka_brokers;
  scan.extra_properties = rt.infra().kafka_properties;
  scan.topic = topics::kNurtureTouches;
  return [scan](const std::function<void(const kafka::ConsumedMessage&)>& visit) {
    return kafka::ScanTopic(scan, visit);
  };
}

// The consumers: enrolments (main), exits, privacy.erasure.
Status AddConsumers(runtime::ServiceRuntime& rt, NurtureEngine& engine, NurtureEraser& eraser) {
  if (Status s = rt.AddConsumer("main", {topics::kLeadsNurture, topics::kAccountsInbound},
                                engine.EnrolmentsHandler(), intake::v1::NURTURE);
      !s.ok()) {
    return s;
  }
  if (Status s = rt.AddConsumer(
          "exits", {topics::kLeadsAssigned, topics::kEngagementEvents, topics::kSalesFeedback},
          engine.ExitsHandler(), intake::v1::NURTURE);
      !s.ok()) {
    return s;
  }
  return rt.AddConsumer("privacy", {topics::kPrivacyErasure}, privacy::ErasureHandler(eraser),
                        intake::v1::NURTURE);
}

}  // namespace

Status WireNurture(runtime::ServiceRuntime& rt) {
  auto policy = config::LoadRules<config::v1::NurtureConfig>(rt.ConfigPath("nurture.json"),
                                                             NurturePolicy::Create);
  if (!policy.ok()) return policy.status();
  auto scaled = ScaledClock::FromEnv(rt.clock());
  if (!scaled.ok()) return scaled.status();
  auto& clock = rt.Make<ScaledClock>(*scaled);
  auto& store = rt.Make<NurtureStore>(rt.redis());
  auto& accounts = rt.Make<registry::AccountRegistry>(rt.redis(), "nurture");
  auto& metrics = rt.Make<NurtureMetrics>(rt.metrics());
  auto& engine =
      rt.Make<NurtureEngine>(*policy, store, accounts, rt.producer(), metrics, clock, TouchLog(rt));
  engine.SetProgrammeStore(&rt.Make<ProgrammeStore>(rt.redis()));
  // Never one lonely channel: single-contact customer accounts to their owner.
  engine.SetSingleContactFlags(&rt.Make<SingleContactFlags>(rt.redis()));
  auto callers = rt.LoadCallers();  // every gRPC method needs a caller with a scope
  if (!callers.ok()) return callers.status();
  auto& callers_kept = rt.Keep(std::move(*callers));
  rt.AddGrpcService(&rt.Make<NurtureGrpcService>(callers_kept, *policy, store, accounts, metrics));
  if (Status s = rt.AddView(
          accounts.view_store(), topics::kAccountsChanges, engine.AccountChangesApplier(),
          [a = &accounts] { return a->Size(); }, intake::v1::NURTURE);
      !s.ok()) {
    return s;
  }
  if (Status s = AddConsumers(rt, engine, rt.Make<NurtureEraser>(store, rt.redis())); !s.ok()) {
    return s;
  }
  engine.SetSchedulerLease(rt.infra().instance_id, std::chrono::seconds(15));
  rt.AddBackgroundTask("scheduler",
                       [e = &engine](const std::atomic<bool>& stop) { e->RunScheduler(stop); });
  return Status::Ok();
}

}  // namespace leadflow::nurture
