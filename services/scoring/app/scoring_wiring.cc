#include "scoring/app/scoring_wiring.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "common/config/file_watcher.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/model_reloader.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/app/scoring_metrics.h"
#include "scoring/app/scoring_privacy.h"

namespace leadflow::scoring {

const runtime::ServiceInfo kScoringInfo{
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

namespace {

// LEADFLOW_SCORING_MODEL_POLL_MS: a positive integer, default 2000.
StatusOr<int> ModelPollMillis() {
  const char* v = std::getenv("LEADFLOW_SCORING_MODEL_POLL_MS");
  if (v == nullptr || *v == '\0') return 2000;
  int ms = 0;
  const auto [end, ec] = std::from_chars(v, v + std::strlen(v), ms);
  if (ec != std::errc() || *end != '\0' || ms <= 0) {
    return Status::InvalidArgument(
        std::string("LEADFLOW_SCORING_MODEL_POLL_MS: expected a positive integer, got '") + v +
        "'");
  }
  return ms;
}

// The model in use, hot-reloaded when its file changes (a bad file is
// refused and the running model kept).
StatusOr<ModelHolder*> LoadModel(runtime::ServiceRuntime& rt, ScoringMetrics& metrics) {
  const std::string model_path = rt.ConfigPath("scoring_model.json");
  auto poll_ms = ModelPollMillis();
  if (!poll_ms.ok()) return poll_ms.status();
  // The watcher's baseline is taken before the load, so an edit racing the
  // start-up is reloaded rather than missed. It runs only once the service
  // does, when the reloader is there.
  ModelReloader*& reloader = rt.Make<ModelReloader*>(nullptr);
  auto& watcher = rt.Make<config::FileWatcher>(
      model_path, [&reloader] { (void)reloader->Reload(); }, std::chrono::milliseconds(*poll_ms));
  auto policy = LoadScoringModel(model_path);
  if (!policy.ok()) return policy.status();
  auto& model = rt.Make<ModelHolder>(*policy);
  reloader = &rt.Make<ModelReloader>(model_path, model, metrics, rt.clock());
  rt.AddBackgroundTask("model-watch",
                       [&watcher](const std::atomic<bool>& stop) { watcher.Run(stop); });
  return &model;
}

}  // namespace

Status WireScoring(runtime::ServiceRuntime& rt) {
  auto& metrics = rt.Make<ScoringMetrics>(rt.metrics());
  auto model = LoadModel(rt, metrics);
  if (!model.ok()) return model.status();
  auto& store = rt.Make<RedisScoreStore>(rt.redis());
  auto& engagement = rt.Make<RedisEngagementStore>(rt.redis());
  auto& handler = rt.Make<ScoringHandler>(**model, store, engagement, metrics, rt.clock());
  auto callers = rt.LoadCallers();  // Explain answers only callers with a scope
  if (!callers.ok()) return callers.status();
  rt.AddGrpcService(&rt.Make<ExplainService>(rt.Keep(std::move(*callers)), store, engagement,
                                             metrics, rt.clock()));
  // Consent and erasure (docs/privacy.md): the gates index leads by contact
  // and stop a withdrawn contact's engagement; privacy.erasure deletes.
  auto& gates = rt.Make<ScoringPrivacy>(rt.redis(), rt.clock());
  if (Status s = rt.AddConsumer("main", {topics::kLeadsAccepted},
                                gates.GateAccepted(handler.Handler()), common::v1::SCORING);
      !s.ok()) {
    return s;
  }
  if (Status s = rt.AddConsumer("privacy", {topics::kPrivacyErasure},
                                privacy::ErasureHandler(gates), common::v1::SCORING);
      !s.ok()) {
    return s;
  }
  return rt.AddConsumer("engagement", {topics::kEngagementEvents},
                        gates.GateEngagement(handler.EngagementHandler()), common::v1::SCORING);
}

}  // namespace leadflow::scoring
