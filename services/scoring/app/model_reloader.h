// Hot reload of the scoring model (config/scoring_model.json) without a
// restart: Reload() reads the file, validates it fully (unknown fields,
// ScoringPolicy rules) and only then swaps it into the ModelHolder. A bad
// file is refused: Reload() returns the error naming the file and field, it is
// logged, counted as leadflow_scoring_model_reloads_total{result="rejected"},
// and the model in use stays unchanged. The version in use is exported as
// leadflow_scoring_model_info{version} and logged on every swap.
//
// Wire it to a config::FileWatcher (main.cc) so a changed file is picked up
// within the poll interval. Scores in flight keep the snapshot they started
// with. Thread-safe (Reload() calls are serialised).
#pragma once

#include <mutex>
#include <string>

#include "common/util/clock.h"
#include "common/util/status.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

// Loads and validates a model file (JSON or text format by extension).
StatusOr<std::shared_ptr<const ScoringPolicy>> LoadScoringModel(const std::string& path);

class ModelReloader {
 public:
  // `holder` already holds the model loaded at start-up; it is reported as in use.
  ModelReloader(std::string path, ModelHolder& holder, ScoringMetrics& metrics, const Clock& clock);

  // OK and the model swapped (or unchanged version re-loaded), or the refusal.
  Status Reload();

 private:
  std::string path_;
  ModelHolder& holder_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
  std::mutex mu_;
};

}  // namespace leadflow::scoring
