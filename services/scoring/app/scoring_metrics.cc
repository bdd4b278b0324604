#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

std::string OutcomeLabel(const leadflow::scoring::v1::LeadScored& s) {
  if (s.disqualified()) return "disqualified";
  return s.lifecycle_stage() == leadflow::common::v1::MQL ? "mql" : "lead";
}

void ScoringMetrics::Scored(const leadflow::scoring::v1::LeadScored& s) {
  m_.registry()
      .GetCounter(m_.Name("leads_scored_total"), "Scored leads by outcome and segment",
                  {{"outcome", OutcomeLabel(s)},
                   {"segment", leadflow::common::v1::Segment_Name(s.segment())}})
      .Inc();
  m_.registry()
      .GetCounter(m_.Name("deal_bands_total"), "Scored leads by expected deal-size band",
                  {{"band", leadflow::common::v1::DealBand_Name(s.deal_band())}})
      .Inc();
  for (int r : s.disqualification_reasons()) {
    m_.registry()
        .GetCounter(m_.Name("disqualifications_total"), "Disqualified leads by screening reason",
                    {{"reason", leadflow::common::v1::ReasonCode_Name(r)}})
        .Inc();
  }
}

void ScoringMetrics::Explain(const std::string& kind, const std::string& result) {
  m_.registry()
      .GetCounter(m_.Name("explain_requests_total"), "Explain calls by kind and result",
                  {{"kind", kind}, {"result", result}})
      .Inc();
}

void ScoringMetrics::Engagement(const std::string& type, const std::string& outcome) {
  m_.registry()
      .GetCounter(m_.Name("engagement_events_total"), "Engagement events by type and outcome",
                  {{"type", type}, {"outcome", outcome}})
      .Inc();
}

void ScoringMetrics::Promoted() {
  m_.registry()
      .GetCounter(m_.Name("mql_promotions_total"), "Rescores that turned a lead into an MQL")
      .Inc();
}

void ScoringMetrics::ModelInUse(const std::string& version, double loaded_at_seconds) {
  std::lock_guard<std::mutex> lock(model_mu_);
  const char* help = "The scoring model in use (1) by version";
  if (!model_version_.empty() && model_version_ != version) {
    m_.registry().GetGauge(m_.Name("model_info"), help, {{"version", model_version_}}).Set(0);
  }
  m_.registry().GetGauge(m_.Name("model_info"), help, {{"version", version}}).Set(1);
  m_.registry()
      .GetGauge(m_.Name("model_loaded_timestamp_seconds"), "When the model in use was loaded")
      .Set(loaded_at_seconds);
  model_version_ = version;
}

void ScoringMetrics::ModelReload(const std::string& result) {
  m_.registry()
      .GetCounter(m_.Name("model_reloads_total"), "Scoring model reload attempts by result",
                  {{"result", result}})
      .Inc();
}

double ScoringMetrics::EngagementCount(const std::string& type, const std::string& outcome) {
  return m_.registry()
      .GetCounter(m_.Name("engagement_events_total"), "Engagement events by type and outcome",
                  {{"type", type}, {"outcome", outcome}})
      .Value();
}

double ScoringMetrics::PromotedCount() {
  return m_.registry()
      .GetCounter(m_.Name("mql_promotions_total"), "Rescores that turned a lead into an MQL")
      .Value();
}

double ScoringMetrics::ModelInfo(const std::string& version) {
  return m_.registry()
      .GetGauge(m_.Name("model_info"), "The scoring model in use (1) by version",
                {{"version", version}})
      .Value();
}

double ScoringMetrics::ModelReloadCount(const std::string& result) {
  return m_.registry()
      .GetCounter(m_.Name("model_reloads_total"), "Scoring model reload attempts by result",
                  {{"result", result}})
      .Value();
}

double ScoringMetrics::ScoredCount(const std::string& outcome, const std::string& segment) {
  return m_.registry()
      .GetCounter(m_.Name("leads_scored_total"), "Scored leads by outcome and segment",
                  {{"outcome", outcome}, {"segment", segment}})
      .Value();
}

double ScoringMetrics::DisqualifiedCount(const std::string& reason) {
  return m_.registry()
      .GetCounter(m_.Name("disqualifications_total"), "Disqualified leads by screening reason",
                  {{"reason", reason}})
      .Value();
}

}  // namespace leadflow::scoring
