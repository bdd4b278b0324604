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

const runtime::ServiceInfo kNurtureInfo{
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
    "  sends touches; keep it stable per replica (e.g. the pod name) so a restart resumes at "
    "once.\n"};

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
                                engine.EnrolmentsHandler(), common::v1::NURTURE);
      !s.ok()) {
    return s;
  }
  if (Status s = rt.AddConsumer(
          "exits", {topics::kLeadsAssigned, topics::kEngagementEvents, topics::kSalesFeedback},
          engine.ExitsHandler(), common::v1::NURTURE);
      !s.ok()) {
    return s;
  }
  return rt.AddConsumer("privacy", {topics::kPrivacyErasure}, privacy::ErasureHandler(eraser),
                        common::v1::NURTURE);
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
          [a = &accounts] { return a->Size(); }, common::v1::NURTURE);
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
