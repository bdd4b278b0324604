#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {
namespace {

using Family = metrics::ServiceMetrics::Family;

constexpr Family kScored{"leads_scored_total", "Scored leads by outcome and segment"};
constexpr Family kDealBands{"deal_bands_total", "Scored leads by expected deal-size band"};
constexpr Family kDisqualifications{"disqualifications_total",
                                    "Disqualified leads by screening reason"};
constexpr Family kExplains{"explain_requests_total", "Explain calls by kind and result"};
constexpr Family kEngagement{"engagement_events_total", "Engagement events by type and outcome"};
constexpr Family kPromotions{"mql_promotions_total", "Rescores that turned a lead into an MQL"};
constexpr Family kModelInfo{"model_info", "The scoring model in use (1) by version"};
constexpr Family kModelLoaded{"model_loaded_timestamp_seconds", "When the model in use was loaded"};
constexpr Family kModelReloads{"model_reloads_total", "Scoring model reload attempts by result"};

}  // namespace

std::string OutcomeLabel(const leadflow::scoring::v1::LeadScored& s) {
  if (s.disqualified()) return "disqualified";
  return s.lifecycle_stage() == leadflow::common::v1::MQL ? "mql" : "lead";
}

void ScoringMetrics::Scored(const leadflow::scoring::v1::LeadScored& s) {
  m_.CounterOf(kScored, {{"outcome", OutcomeLabel(s)},
                         {"segment", leadflow::common::v1::Segment_Name(s.segment())}})
      .Inc();
  m_.CounterOf(kDealBands, {{"band", leadflow::common::v1::DealBand_Name(s.deal_band())}}).Inc();
  for (int r : s.disqualification_reasons()) {
    m_.CounterOf(kDisqualifications, {{"reason", leadflow::common::v1::ReasonCode_Name(r)}}).Inc();
  }
}

void ScoringMetrics::Explain(const std::string& kind, const std::string& result) {
  m_.CounterOf(kExplains, {{"kind", kind}, {"result", result}}).Inc();
}

void ScoringMetrics::Engagement(const std::string& type, const std::string& outcome) {
  m_.CounterOf(kEngagement, {{"type", type}, {"outcome", outcome}}).Inc();
}

void ScoringMetrics::Promoted() { m_.CounterOf(kPromotions).Inc(); }

void ScoringMetrics::ModelInUse(const std::string& version, double loaded_at_seconds) {
  std::lock_guard<std::mutex> lock(model_mu_);
  if (!model_version_.empty() && model_version_ != version) {
    m_.GaugeOf(kModelInfo, {{"version", model_version_}}).Set(0);
  }
  m_.GaugeOf(kModelInfo, {{"version", version}}).Set(1);
  m_.GaugeOf(kModelLoaded).Set(loaded_at_seconds);
  model_version_ = version;
}

void ScoringMetrics::ModelReload(const std::string& result) {
  m_.CounterOf(kModelReloads, {{"result", result}}).Inc();
}

double ScoringMetrics::EngagementCount(const std::string& type, const std::string& outcome) {
  return m_.CounterOf(kEngagement, {{"type", type}, {"outcome", outcome}}).Value();
}

double ScoringMetrics::PromotedCount() { return m_.CounterOf(kPromotions).Value(); }

double ScoringMetrics::ModelInfo(const std::string& version) {
  return m_.GaugeOf(kModelInfo, {{"version", version}}).Value();
}

double ScoringMetrics::ModelReloadCount(const std::string& result) {
  return m_.CounterOf(kModelReloads, {{"result", result}}).Value();
}

double ScoringMetrics::ScoredCount(const std::string& outcome, const std::string& segment) {
  return m_.CounterOf(kScored, {{"outcome", outcome}, {"segment", segment}}).Value();
}

double ScoringMetrics::DisqualifiedCount(const std::string& reason) {
  return m_.CounterOf(kDisqualifications, {{"reason", reason}}).Value();
}

}  // namespace leadflow::scoring
