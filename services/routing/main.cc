// leadflow-routing: composition root.
#include "common/config/proto_loader.h"
#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/runtime/service_runtime.h"
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

namespace {

const leadflow::runtime::ServiceInfo kInfo{
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

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::routing;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<RoutingStore> store;
  std::unique_ptr<AssignmentBroadcaster> broadcaster;
  std::unique_ptr<RoutingMetrics> metrics;
  std::unique_ptr<RoutingEngine> engine;
  std::unique_ptr<RoutingScheduler> scheduler;
  std::unique_ptr<SlaLadderStore> sla_ladder;
  std::unique_ptr<FeedbackProcessor> feedback;
  std::unique_ptr<RoutingGrpcService> grpc_service;
  std::unique_ptr<RuleSimulationGrpcService> simulation_service;
  std::unique_ptr<RoutingPrivacy> routing_privacy;
  std::unique_ptr<RoutingStateRebuild> state_rebuild;
  std::unique_ptr<CohortStore> cohorts;
  std::unique_ptr<FunnelReporter> funnel;
  std::unique_ptr<OutOfOfficeStore> out_of_office_store;
  std::unique_ptr<OutOfOfficeProcessor> out_of_office;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    auto stage_time_scale = TimeScaleFromEnv("LEADFLOW_ROUTING_STAGE_TIME_SCALE");
    if (!stage_time_scale.ok()) return stage_time_scale.status();
    if (*stage_time_scale != 1) {
      log::Warn("deal stages run faster than real time (demo or test only)",
                {{"LEADFLOW_ROUTING_STAGE_TIME_SCALE", std::to_string(*stage_time_scale)}});
    }
    auto sla_time_scale = TimeScaleFromEnv("LEADFLOW_ROUTING_SLA_TIME_SCALE");
    if (!sla_time_scale.ok()) return sla_time_scale.status();
    if (*sla_time_scale != 1) {
      log::Warn("SLA timers run faster than real time (demo or test only)",
                {{"LEADFLOW_ROUTING_SLA_TIME_SCALE", std::to_string(*sla_time_scale)}});
    }
    auto policy = config::LoadRules<config::v1::RoutingRules>(
        rt.ConfigPath("routing_rules.json"), [&](config::v1::RoutingRules rules) {
          return RoutingPolicy::Create(std::move(rules), SystemZoneResolver(), *stage_time_scale,
                                       *sla_time_scale);
        });
    if (!policy.ok()) return policy.status();
    store = std::make_unique<RoutingStore>(rt.redis());
    broadcaster = std::make_unique<AssignmentBroadcaster>();
    metrics = std::make_unique<RoutingMetrics>(rt.metrics());
    const FairnessSettings& fairness = (*policy)->fairness();
    for (const auto& team : (*policy)->rules().teams()) {
      const auto shares = WeightShares(team);
      for (const auto& rep : team.reps()) {
        metrics->RepCapacity(team.team_id(), rep.rep_id(), rep.max_open_leads(), rep.daily_cap());
        metrics->Fairness(team.team_id(), rep.rep_id(), shares.at(rep.rep_id()),
                          fairness.tolerance_pct / 100, fairness.min_team_assignments);
      }
    }
    engine = std::make_unique<RoutingEngine>(*policy, *store, *broadcaster, *metrics, rt.clock());
    sla_ladder = std::make_unique<SlaLadderStore>(rt.redis());
    scheduler =
        std::make_unique<RoutingScheduler>(*policy, engine->rep_picker(), *store, rt.producer(), *broadcaster,
                                           *metrics, rt.clock(), sla_ladder.get());
    feedback = std::make_unique<FeedbackProcessor>(*policy, *store, *metrics, rt.clock(),
                                                   [s = scheduler.get()] { s->Wake(); });
    grpc_service = std::make_unique<RoutingGrpcService>(*policy, *store, rt.producer(),
                                                        *broadcaster, *feedback, rt.clock());
    grpc_service->set_on_capacity_freed([s = scheduler.get()] { s->Wake(); });
    // Out-of-office windows (docs/domain-rules.md, "Calendars"): set over gRPC
    // or on reps.out-of-office; a changed window may free a rep for the queue.
    out_of_office_store = std::make_unique<OutOfOfficeStore>(rt.redis());
    out_of_office = std::make_unique<OutOfOfficeProcessor>(
        *policy, *out_of_office_store, rt.clock(), [s = scheduler.get()] { s->Wake(); });
    grpc_service->set_out_of_office(out_of_office.get());
    auto callers = CallerAuth::Create(**policy);
    if (!callers.ok()) return callers.status();
    grpc_service->set_caller_auth(*callers);
    rt.AddGrpcService(grpc_service.get());
    // Rule simulation (docs/simulation.md): callers with the rules:simulate scope only.
    simulation_service = std::make_unique<RuleSimulationGrpcService>(
        *callers,
        [infra = rt.infra()](std::chrono::milliseconds timeout) {
          HistoryReadOptions read;
          read.brokers = infra.kafka_brokers;
          read.kafka_properties = infra.kafka_properties;
          read.timeout = timeout;
          return ReadSimulationHistory(read, nullptr);
        },
        [stage = *stage_time_scale, sla = *sla_time_scale](config::v1::RoutingRules rules) {
          return RoutingPolicy::Create(std::move(rules), SystemZoneResolver(), stage, sla);
        });
    rt.AddGrpcService(simulation_service.get());
    rt.OnShutdown([svc = grpc_service.get()] { svc->Shutdown(); });
    rt.AddBackgroundTask("scheduler",
                         [s = scheduler.get()](const std::atomic<bool>& stop) { s->Run(stop); });
    // The Funnel dashboard's cohort conversion and won revenue, from Redis.
    cohorts = std::make_unique<CohortStore>(rt.redis());
    funnel = std::make_unique<FunnelReporter>(*policy, *cohorts, rt.metrics(), rt.clock());
    rt.AddBackgroundTask("funnel",
                         [f = funnel.get()](const std::atomic<bool>& stop) { f->Run(stop); });
    // Routing's Redis state is complete only with its marker; after a Redis
    // loss one replica rebuilds it from the topics while all refuse to route.
    state_rebuild = std::make_unique<RoutingStateRebuild>(
        rt.redis(), *policy,
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
    rt.readiness().Add("state:routing", [r = state_rebuild.get()] { return r->ready(); });
    rt.AddBackgroundTask("state-rebuild", [r = state_rebuild.get()](const std::atomic<bool>& stop) {
      r->Run(stop);
    });
    // sales.feedback (routing's own, skipped; anything else refused) and one
    // sales.feedback.<team> per configured team (docs/security.md).
    std::vector<std::string> feedback_topics = {topics::kSalesFeedback};
    for (const auto& team : (*policy)->rules().teams()) {
      feedback_topics.push_back(topics::kSalesFeedbackTeamPrefix + team.team_id());
    }
    if (Status s = rt.AddConsumer(
            "feedback", feedback_topics,
            [f = feedback.get()](const kafka::ConsumedMessage& m,
                                 std::vector<kafka::OutgoingMessage>& out) {
              return f->Handle(m, out);
            },
            intake::v1::ROUTING);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddConsumer(
            "out-of-office", {topics::kRepsOutOfOffice},
            [o = out_of_office.get()](const kafka::ConsumedMessage& m,
                                      std::vector<kafka::OutgoingMessage>& out) {
              return o->Handle(m, out);
            },
            intake::v1::ROUTING);
        !s.ok()) {
      return s;
    }
    // Consent and erasure (docs/privacy.md): withdrawals and privacy.erasure
    // in their own group; the gate indexes leads by contact and disqualifies
    // a withdrawn prospect's earlier lead before the engine routes it.
    routing_privacy = std::make_unique<RoutingPrivacy>(rt.redis(), rt.clock());
    if (Status s = rt.AddConsumer("privacy", {topics::kEngagementEvents, topics::kPrivacyErasure},
                                  routing_privacy->Handler(), intake::v1::ROUTING);
        !s.ok()) {
      return s;
    }
    return rt.AddConsumer("main", {topics::kLeadsScored},
                          routing_privacy->GateScored(engine->BatchHandler()), intake::v1::ROUTING);
  });
}
