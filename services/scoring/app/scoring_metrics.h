// Scoring's own metrics (leadflow_scoring_*). Labels are bounded: outcome
// (mql | lead | disqualified), segment and reason come from enums. Scoring
// latency is the common leadflow_scoring_processing_seconds recorded by the
// consumer loop. Thread-safe.
#pragma once

#include <mutex>
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
  // leadflow_scoring_engagement_events_total{type, outcome}: type is an
  // EngagementType name (or UNKNOWN), outcome rescored | duplicate_rescored |
  // unknown_contact | unknown_lead.
  void Engagement(const std::string& type, const std::string& outcome);
  // leadflow_scoring_mql_promotions_total: a rescore turned a lead into an MQL.
  void Promoted();
  // leadflow_scoring_model_info{version} = 1 for the model in use (0 for the
  // versions it replaced), leadflow_scoring_model_loaded_timestamp_seconds.
  void ModelInUse(const std::string& version, double loaded_at_seconds);
  // leadflow_scoring_model_reloads_total{result=ok|rejected}
  void ModelReload(const std::string& result);

  double EngagementCount(const std::string& type, const std::string& outcome);
  double PromotedCount();
  double ModelInfo(const std::string& version);
  double ModelReloadCount(const std::string& result);

  double ScoredCount(const std::string& outcome, const std::string& segment);
  double DisqualifiedCount(const std::string& reason);

 private:
  metrics::ServiceMetrics& m_;
  std::mutex model_mu_;
  std::string model_version_;  // guarded by model_mu_
};

// "mql", "lead" or "disqualified".
std::string OutcomeLabel(const leadflow::scoring::v1::LeadScored& score);

}  // namespace leadflow::scoring
