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
