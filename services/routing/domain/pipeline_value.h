// Open pipeline value (issue 17.5; docs/domain-rules.md §6, "Pipeline
// value"): the deal value of every open deal in a stage, and that value
// weighted by the stage's win probability, per team and segment. Computed
// from routing's shared Redis state (the decision record and the fb:<lead>
// tags of each open lead) by the scheduler, so every replica reports the same
// totals and a restart or a state rebuild loses nothing.
//
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/sales_state.h"

namespace leadflow::routing {

// One open deal: in a deal stage with the rep that holds the lead.
struct OpenDeal {
  std::string team;
  std::string segment;  // common.v1 Segment name
  int64_t value_rub = 0;
  int win_probability_pct = 0;  // the stage's, as recorded when the deal entered it
};

// The open deal of a lead from its record and feedback tags, or nullopt when
// the lead is not in a deal stage with its record's rep (queued, assigned,
// accepted without a stage, closed, rejected, re-assigned).
std::optional<OpenDeal> OpenDealOf(const leadflow::routing::v1::LeadAssigned& record,
                                   const FeedbackTags& tags);

using PipelineKey = std::pair<std::string, std::string>;  // team, segment
struct PipelineTotals {
  double value_rub = 0;
  double weighted_rub = 0;  // sum of value_rub × win_probability_pct / 100
};

// The totals per (team, segment) of `deals`, plus a zero entry for every key
// of `reported_before` that has no open deal any more (so a gauge set before
// falls to 0 instead of keeping its last value).
std::map<PipelineKey, PipelineTotals> SumPipeline(const std::vector<OpenDeal>& deals,
                                                  const std::set<PipelineKey>& reported_before);

}  // namespace leadflow::routing
