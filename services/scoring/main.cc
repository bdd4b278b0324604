// leadflow-scoring: composition root.
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/config/file_watcher.h"
#include "common/kafka/topics.h"
#include "common/runtime/service_runtime.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/model_reloader.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/app/scoring_privacy.h"
#include "scoring/app/scoring_metrics.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "scoring",
    "Scores accepted leads (leads.accepted): screening, segment, deal band, named accounts, "
    "BANT (1..625), fit and decaying engagement, grade and lifecycle (MQL / LEAD / "
    "DISQUALIFIED), with per-rule contributions and the model version; publishes LeadScored on "
    "leads.scored. Rescores a contact's lead on every engagement.events record (revision + 1), "
    "which can promote it to MQL. ScoringService.Explain answers \"why is this (not) an MQL\", "
    "also against a candidate model. The model file is hot-reloaded when it changes.",
    "Config: scoring_model.json (leadflow.config.v1.ScoringModel); re-read on change, a bad\n"
    "  file is refused and the running model kept.\n"
    "  LEADFLOW_SCORING_MODEL_POLL_MS   model file poll interval (default 2000)\n"};

// LEADFLOW_SCORING_MODEL_POLL_MS: a positive integer, default 2000.
leadflow::StatusOr<int> ModelPollMillis() {
  const char* v = std::getenv("LEADFLOW_SCORING_MODEL_POLL_MS");
  if (v == nullptr || *v == '\0') return 2000;
  int ms = 0;
  const auto [end, ec] = std::from_chars(v, v + std::strlen(v), ms);
  if (ec != std::errc() || *end != '\0' || ms <= 0) {
    return leadflow::Status::InvalidArgument(
        std::string("LEADFLOW_SCORING_MODEL_POLL_MS: expected a positive integer, got '") + v +
        "'");
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::scoring;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<ModelHolder> model;
  std::unique_ptr<ScoringMetrics> metrics;
  std::unique_ptr<ModelReloader> reloader;
  std::unique_ptr<config::FileWatcher> watcher;
  std::unique_ptr<RedisScoreStore> store;
  std::unique_ptr<RedisEngagementStore> engagement;
  std::unique_ptr<ScoringHandler> handler;
  std::unique_ptr<auth::RegistryCallerIdentifier> callers;
  std::unique_ptr<ExplainService> explain;
  std::unique_ptr<ScoringPrivacy> scoring_privacy;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    const std::string model_path = rt.ConfigPath("scoring_model.json");
    auto poll_ms = ModelPollMillis();
    if (!poll_ms.ok()) return poll_ms.status();
    // The watcher's baseline is taken before the load, so an edit racing the
    // start-up is reloaded rather than missed.
    watcher = std::make_unique<config::FileWatcher>(
        model_path, [&] { (void)reloader->Reload(); }, std::chrono::milliseconds(*poll_ms));
    auto policy = LoadScoringModel(model_path);
    if (!policy.ok()) return policy.status();

    model = std::make_unique<ModelHolder>(*policy);
    metrics = std::make_unique<ScoringMetrics>(rt.metrics());
    reloader = std::make_unique<ModelReloader>(model_path, *model, *metrics, rt.clock());
    rt.AddBackgroundTask("model-watch", [&](const std::atomic<bool>& stop) { watcher->Run(stop); });

    store = std::make_unique<RedisScoreStore>(rt.redis());
    engagement = std::make_unique<RedisEngagementStore>(rt.redis());
    handler = std::make_unique<ScoringHandler>(*model, *store, *engagement, *metrics, rt.clock());
    auto loaded_callers = rt.LoadCallers();  // Explain answers only callers with a scope
    if (!loaded_callers.ok()) return loaded_callers.status();
    callers = std::move(*loaded_callers);
    explain = std::make_unique<ExplainService>(*callers, *store, *engagement, *metrics, rt.clock());
    rt.AddGrpcService(explain.get());
    // Consent and erasure (docs/privacy.md): the gates index leads by contact
    // and stop a withdrawn contact's engagement; privacy.erasure deletes.
    scoring_privacy = std::make_unique<ScoringPrivacy>(rt.redis(), rt.clock());
    if (Status s = rt.AddConsumer("main", {topics::kLeadsAccepted},
                                  scoring_privacy->GateAccepted(handler->Handler()),
                                  intake::v1::SCORING);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddConsumer("privacy", {topics::kPrivacyErasure},
                                  privacy::ErasureHandler(*scoring_privacy), intake::v1::SCORING);
        !s.ok()) {
      return s;
    }
    return rt.AddConsumer("engagement", {topics::kEngagementEvents},
                          scoring_privacy->GateEngagement(handler->EngagementHandler()),
                          intake::v1::SCORING);
  });
}
