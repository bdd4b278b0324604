#include "routing/app/routing_wiring.h"

#include "common/config/proto_loader.h"
#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/util/time_scale.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/feedback_processor.h"
#include "routing/app/funnel_reporter.h"
#include "routing/app/out_of_office_processor.h"
#include "routing/app/out_of_office_store.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_grpc_service.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_privacy.h"
#include "routing/app/routing_scheduler.h"
#include "routing/app/routing_state_rebuild.h"
#include "routing/app/routing_store.h"
#include "routing/app/rule_simulation_grpc_service.h"
#include "routing/app/simulation_history_reader.h"
#include "routing/app/zoneinfo_loader.h"

namespace leadflow::routing {

const runtime::ServiceInfo kRoutingInfo{
    "routing",
    "Routes scored leads: customers to their account owner (accounts.inbound), named accounts "
    "to the named owner, qualified prospects to a team and rep by weighted round robin within "
    "capacity (leads.assigned), everything else to nurture (leads.nurture). Disqualified leads "
    "are recorded on leads.rejected. Queued leads are assigned as capacity frees; assignments "
    "not accepted within the team SLA (business minutes, paused on holidays and out-of-office "
    "windows) are re-assigned. Sales feedback arrives on sales.feedback and over gRPC; "
    "out-of-office windows on reps.out-of-office and over gRPC.",
    "Config: routing_rules.json (leadflow.config.v1.RoutingRules: teams, reps, team rules,\n"
    "  holiday calendars, scheduler settings).\n"
    "Time zones: TZif files from $TZDIR or /usr/share/zoneinfo.\n"
    "Demos and e2e tests only:\n"
    "  LEADFLOW_ROUTING_STAGE_TIME_SCALE  deal-stage time per real time (default 1): every\n"
    "                                     max_time_in_stage is divided by it\n"
    "  LEADFLOW_ROUTING_SLA_TIME_SCALE    SLA time per real time (default 1): the SLA\n"
    "                                     business minutes and the SLA ladder's share and\n"
    "                                     grace are divided by it\n"};

namespace {

// The demo and e2e time scales (kInfo in main.cc), each warned about when it
// is not 1.
struct TimeScales {
  double stage = 1;
  double sla = 1;
};

StatusOr<double> ScaleFromEnv(const char* name, const char* warning) {
  auto scale = TimeScaleFromEnv(name);
  if (scale.ok() && *scale != 1) log::Warn(warning, {{name, std::to_string(*scale)}});
  return scale;
}

StatusOr<TimeScales> LoadTimeScales() {
  auto stage = ScaleFromEnv("LEADFLOW_ROUTING_STAGE_TIME_SCALE",
                            "deal stages run faster than real time (demo or test only)");
  if (!stage.ok()) return stage.status();
  auto sla = ScaleFromEnv("LEADFLOW_ROUTING_SLA_TIME_SCALE",
                          "SLA timers run faster than real time (demo or test only)");
  if (!sla.ok()) return sla.status();
  return TimeScales{*stage, *sla};
}

// The rep capacity and fairness gauges every configured rep is exported with.
void ExportReps(const RoutingPolicy& policy, RoutingMetrics& metrics) {
  const FairnessSettings& fairness = policy.fairness();
  for (const auto& team : policy.rules().teams()) {
    const auto shares = WeightShares(team);
    for (const auto& rep : team.reps()) {
      metrics.RepCapacity(team.team_id(), rep.rep_id(), rep.max_open_leads(), rep.daily_cap());
      metrics.Fairness(team.team_id(), rep.rep_id(), shares.at(rep.rep_id()),
                       fairness.tolerance_pct / 100, fairness.min_team_assignments);
    }
  }
}

// A consumer loop's handler: component.Handle(message, out).
template <class T>
kafka::MessageHandler HandlerOf(T& component) {
  return [&component](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return component.Handle(m, out);
  };
}

// The routing gRPC service, with out-of-office windows (docs/domain-rules.md,
// "Calendars"; a changed window may free a rep for the queue) and its callers.
Status AddRoutingService(runtime::ServiceRuntime& rt, std::shared_ptr<const RoutingPolicy> policy,
                         std::shared_ptr<const CallerAuth> callers, RoutingStore& store,
                         AssignmentBroadcaster& broadcaster, FeedbackProcessor& feedback,
                         OutOfOfficeProcessor& away, const std::function<void()>& wake) {
  auto& grpc =
      rt.Make<RoutingGrpcService>(policy, store, rt.producer(), broadcaster, feedback, rt.clock());
  grpc.set_on_capacity_freed(wake);
  grpc.set_out_of_office(&away);
  grpc.set_caller_auth(std::move(callers));
  rt.AddGrpcService(&grpc);
  rt.OnShutdown([svc = &grpc] { svc->Shutdown(); });
  return Status::Ok();
}

// Rule simulation (docs/simulation.md): callers with the rules:simulate scope only.
void AddSimulationService(runtime::ServiceRuntime& rt, std::shared_ptr<const CallerAuth> callers,
                          TimeScales scales) {
  auto& simulation = rt.Make<RuleSimulationGrpcService>(
      std::move(callers),
      [infra = rt.infra()](std::chrono::milliseconds timeout) {
        HistoryReadOptions read;
        read.brokers = infra.kafka_brokers;
        read.kafka_properties = infra.kafka_properties;
        read.timeout = timeout;
        return ReadSimulationHistory(read, nullptr);
      },
      [scales](config::v1::RoutingRules rules) {
        return RoutingPolicy::Create(std::move(rules), SystemZoneResolver(), scales.stage,
                                     scales.sla);
      });
  rt.AddGrpcService(&simulation);
}

// The Funnel dashboard's cohort conversion and won revenue, from Redis.
void AddFunnel(runtime::ServiceRuntime& rt, std::shared_ptr<const RoutingPolicy> policy) {
  auto& cohorts = rt.Make<CohortStore>(rt.redis());
  auto& funnel = rt.Make<FunnelReporter>(policy, cohorts, rt.metrics(), rt.clock());
  rt.AddBackgroundTask("funnel", [f = &funnel](const std::atomic<bool>& stop) { f->Run(stop); });
}

// Routing's Redis state is complete only with its marker; after a Redis loss
// one replica rebuilds it from the topics while all refuse to route.
void AddStateRebuild(runtime::ServiceRuntime& rt, std::shared_ptr<const RoutingPolicy> policy) {
  auto& rebuild = rt.Make<RoutingStateRebuild>(
      rt.redis(), policy,
      [infra = rt.infra()](const std::string& topic,
                           const std::function<void(const kafka::ConsumedMessage&)>& visit) {
        kafka::TopicScanOptions scan;
        scan.brokers = infra.kafka_brokers;
        scan.extra_properties = infra.kafka_properties;
        scan.topic = topic;
        scan.timeout = std::chrono::minutes(10);
        return kafka::ScanTopic(scan, visit);
      },
      rt.infra().instance_id, rt.clock(), &rt.metrics());
  rt.readiness().Add("state:routing", [r = &rebuild] { return r->ready(); });
  rt.AddBackgroundTask("state-rebuild",
                       [r = &rebuild](const std::atomic<bool>& stop) { r->Run(stop); });
}

// sales.feedback (routing's own, skipped; anything else refused) and one
// sales.feedback.<team> per configured team (docs/security.md).
std::vector<std::string> FeedbackTopics(const RoutingPolicy& policy) {
  std::vector<std::string> feedback_topics = {topics::kSalesFeedback};
  for (const auto& team : policy.rules().teams()) {
    feedback_topics.push_back(topics::kSalesFeedbackTeamPrefix + team.team_id());
  }
  return feedback_topics;
}

// The consumers: sales feedback, out-of-office windows, consent and erasure
// (docs/privacy.md: withdrawals and privacy.erasure in their own group; the
// gate indexes leads by contact and disqualifies a withdrawn prospect's
// earlier lead before the engine routes it), and leads.scored (main).
Status AddConsumers(runtime::ServiceRuntime& rt, const RoutingPolicy& policy,
                    FeedbackProcessor& feedback, OutOfOfficeProcessor& away,
                    RoutingEngine& engine) {
  if (Status s = rt.AddConsumer("feedback", FeedbackTopics(policy), HandlerOf(feedback),
                                common::v1::ROUTING);
      !s.ok()) {
    return s;
  }
  if (Status s = rt.AddConsumer("out-of-office", {topics::kRepsOutOfOffice}, HandlerOf(away),
                                common::v1::ROUTING);
      !s.ok()) {
    return s;
  }
  auto& privacy = rt.Make<RoutingPrivacy>(rt.redis(), rt.clock());
  if (Status s = rt.AddConsumer("privacy", {topics::kEngagementEvents, topics::kPrivacyErasure},
                                privacy.Handler(), common::v1::ROUTING);
      !s.ok()) {
    return s;
  }
  return rt.AddConsumer("main", {topics::kLeadsScored}, privacy.GateScored(engine.BatchHandler()),
                        common::v1::ROUTING);
}

StatusOr<std::shared_ptr<const RoutingPolicy>> LoadPolicy(runtime::ServiceRuntime& rt,
                                                          TimeScales scales) {
  return config::LoadRules<config::v1::RoutingRules>(
      rt.ConfigPath("routing_rules.json"), [&](config::v1::RoutingRules rules) {
        return RoutingPolicy::Create(std::move(rules), SystemZoneResolver(), scales.stage,
                                     scales.sla);
      });
}

}  // namespace

Status WireRouting(runtime::ServiceRuntime& rt) {
  auto scales = LoadTimeScales();
  if (!scales.ok()) return scales.status();
  auto loaded = LoadPolicy(rt, *scales);
  if (!loaded.ok()) return loaded.status();
  const std::shared_ptr<const RoutingPolicy> policy = *loaded;
  auto callers = CallerAuth::Create(*policy);
  if (!callers.ok()) return callers.status();

  auto& store = rt.Make<RoutingStore>(rt.redis());
  auto& broadcaster = rt.Make<AssignmentBroadcaster>();
  auto& metrics = rt.Make<RoutingMetrics>(rt.metrics());
  ExportReps(*policy, metrics);
  auto& engine = rt.Make<RoutingEngine>(policy, store, broadcaster, metrics, rt.clock());
  auto& ladder = rt.Make<SlaLadderStore>(rt.redis());
  auto& scheduler = rt.Make<RoutingScheduler>(policy, engine.rep_picker(), store, rt.producer(),
                                              broadcaster, metrics, rt.clock(), &ladder);
  const std::function<void()> wake = [s = &scheduler] { s->Wake(); };
  auto& feedback = rt.Make<FeedbackProcessor>(policy, store, metrics, rt.clock(), wake);
  auto& away_store = rt.Make<OutOfOfficeStore>(rt.redis());
  auto& away = rt.Make<OutOfOfficeProcessor>(policy, away_store, rt.clock(), wake);
  if (Status s = AddRoutingService(rt, policy, *callers, store, broadcaster, feedback, away, wake);
      !s.ok()) {
    return s;
  }
  AddSimulationService(rt, *callers, *scales);
  rt.AddBackgroundTask("scheduler",
                       [s = &scheduler](const std::atomic<bool>& stop) { s->Run(stop); });
  AddFunnel(rt, policy);
  AddStateRebuild(rt, policy);
  return AddConsumers(rt, *policy, feedback, away, engine);
}

}  // namespace leadflow::routing
