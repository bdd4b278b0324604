// Scoring's own metrics (leadflow_scoring_*). Labels are bounded: outcome
// (mql | lead | disqualified), segment and reason come from enums. Scoring
// latency is the common leadflow_scoring_processing_seconds recorded by the
// consumer loop. Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::scoring {

class ScoringMetrics {
 public:
  explicit ScoringMetrics(metrics::ServiceMetrics& m) : m_(m) {}

  // leadflow_scoring_leads_scored_total{outcome, segment} and, per reason,
  // leadflow_scoring_disqualifications_total{reason}.
  void Scored(const leadflow::scoring::v1::LeadScored& score);
  // leadflow_scoring_explain_requests_total{kind=stored|what_if, result}
  void Explain(const std::string& kind, const std::string& result);

  double ScoredCount(const std::string& outcome, const std::string& segment);
  double DisqualifiedCount(const std::string& reason);

 private:
  metrics::ServiceMetrics& m_;
};

// "mql", "lead" or "disqualified".
std::string OutcomeLabel(const leadflow::scoring::v1::LeadScored& score);

}  // namespace leadflow::scoring
