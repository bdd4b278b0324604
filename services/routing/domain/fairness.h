// Round-robin fairness (routing_rules.json `fairness`, docs/domain-rules.md
// §5): a rep's share of its team's assignments against the rep's share of
// the team's weights. Routing exports both (leadflow_routing_rep_assignments
// _total, leadflow_routing_rep_weight_share_ratio) and the settings; the
// alert LeadflowRepShareOffWeight compares them over a day.
//
// Pure; resolved once when the rules load.
#pragma once

#include <map>
#include <string>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"

namespace leadflow::routing {

struct FairnessSettings {
  double tolerance_pct = 10;      // percentage points either way
  int min_team_assignments = 20;  // a team with fewer in the window is not judged
};

// `rules.fairness()` with those defaults for fields left at zero;
// kInvalidArgument naming the field ("fairness.tolerance_pct: ...").
StatusOr<FairnessSettings> ResolveFairness(const leadflow::config::v1::RoutingRules& rules);

// Each rep's share of its team's weights (rep id -> weight / the team's
// total), counting a weight of 0 or less as 1, as the round robin does
// (weighted_round_robin.h).
std::map<std::string, double> WeightShares(const leadflow::config::v1::Team& team);

}  // namespace leadflow::routing
