#include "routing/domain/pipeline_value.h"

namespace leadflow::routing {

namespace rv1 = leadflow::routing::v1;

std::optional<OpenDeal> OpenDealOf(const rv1::LeadAssigned& record, const FeedbackTags& tags) {
  const rv1::Decision& d = record.decision();
  if (d.rep_id().empty()) return std::nullopt;
  if (SalesStateOf(d, tags, d.rep_id()).state != rv1::SALES_IN_STAGE) return std::nullopt;
  OpenDeal deal;
  deal.team = d.team();
  deal.segment = leadflow::common::v1::Segment_Name(record.scored().segment());
  if (deal.segment.empty()) deal.segment = "SEGMENT_UNSPECIFIED";
  deal.value_rub = tags.value_rub;
  deal.win_probability_pct = tags.win_probability_pct;
  return deal;
}

std::map<PipelineKey, PipelineTotals> SumPipeline(const std::vector<OpenDeal>& deals,
                                                  const std::set<PipelineKey>& reported_before) {
  std::map<PipelineKey, PipelineTotals> out;
  for (const PipelineKey& k : reported_before) out[k];
  for (const OpenDeal& deal : deals) {
    PipelineTotals& t = out[{deal.team, deal.segment}];
    const double value = static_cast<double>(deal.value_rub);
    t.value_rub += value;
    t.weighted_rub += value * deal.win_probability_pct / 100.0;
  }
  return out;
}

}  // namespace leadflow::routing
