#include "scoring/app/model_reloader.h"

#include "common/config/proto_loader.h"
#include "common/log/log.h"

namespace leadflow::scoring {

StatusOr<std::shared_ptr<const ScoringPolicy>> LoadScoringModel(const std::string& path) {
  return config::LoadRules<leadflow::config::v1::ScoringModel>(path, ScoringPolicy::Create);
}

ModelReloader::ModelReloader(std::string path, ModelHolder& holder, ScoringMetrics& metrics,
                             const Clock& clock)
    : path_(std::move(path)), holder_(holder), metrics_(metrics), clock_(clock) {
  metrics_.ModelInUse(holder_.Get()->version(), clock_.NowMillis() / 1000.0);
}

Status ModelReloader::Reload() {
  std::lock_guard<std::mutex> lock(mu_);
  auto policy = LoadScoringModel(path_);
  const std::string current = holder_.Get()->version();
  if (!policy.ok()) {
    metrics_.ModelReload("rejected");
    log::Error("scoring model refused; the current model stays in use",
               {{"file", path_}, {"error", policy.status().message()}, {"model_version", current}});
    return policy.status();
  }
  holder_.Set(*policy);
  metrics_.ModelReload("ok");
  metrics_.ModelInUse((*policy)->version(), clock_.NowMillis() / 1000.0);
  log::Info("scoring model loaded",
            {{"file", path_}, {"model_version", (*policy)->version()}, {"previous", current}});
  return Status::Ok();
}

}  // namespace leadflow::scoring
