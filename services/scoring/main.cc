// leadflow-scoring: composition root.
#include <memory>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/runtime/service_runtime.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/app/scoring_metrics.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "scoring",
    "Scores accepted leads (leads.accepted): screening, segment, deal band, named accounts, "
    "BANT (1..625), fit and engagement, grade and lifecycle (MQL / LEAD / DISQUALIFIED), with "
    "per-rule contributions and the model version; publishes LeadScored on leads.scored. "
    "ScoringService.Explain answers \"why is this (not) an MQL\", also against a candidate model.",
    "Config: scoring_model.json (leadflow.config.v1.ScoringModel).\n"};

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::scoring;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<ModelHolder> model;
  std::unique_ptr<ScoringMetrics> metrics;
  std::unique_ptr<RedisScoreStore> store;
  std::unique_ptr<NoEngagement> engagement;
  std::unique_ptr<ScoringHandler> handler;
  std::unique_ptr<ExplainService> explain;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    config::v1::ScoringModel config;
    if (Status s = config::LoadProtoFile(rt.ConfigPath("scoring_model.json"), &config); !s.ok()) {
      return s;
    }
    auto policy = ScoringPolicy::Create(std::move(config));
    if (!policy.ok()) return policy.status();

    model = std::make_unique<ModelHolder>(*policy);
    metrics = std::make_unique<ScoringMetrics>(rt.metrics());
    store = std::make_unique<RedisScoreStore>(rt.redis());
    engagement = std::make_unique<NoEngagement>();
    handler = std::make_unique<ScoringHandler>(*model, *store, *engagement, *metrics, rt.clock());
    explain = std::make_unique<ExplainService>(*store, *metrics, rt.clock());
    rt.AddGrpcService(explain.get());
    return rt.AddConsumer("main", {topics::kLeadsAccepted}, handler->Handler(),
                          intake::v1::SCORING);
  });
}
