// Which prospect team a lead goes to (docs/domain-rules.md §3, §5): a large
// deal by the large-deal rule whatever its score; a qualified lead by the
// first matching team rule, else default_team. Pure and thread-safe.
#pragma once

#include <optional>
#include <string>

#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

// The team of a qualified prospect. When `path` is set, every rule tried is
// recorded on it with why it did (not) match.
std::string MatchTeam(const RoutingPolicy& policy, const leadflow::scoring::v1::LeadScored& scored,
                      leadflow::routing::v1::Decision* path);

// The large-deal rule (RoutingRules.large_deal) for a prospect: when the rule
// is on and lead.expected_deal_rub >= min_expected_deal_rub, the team the
// lead goes to whatever its score: the team of the first team rule (in
// team_rules order) that is listed in yield_to_team_rules and matches the
// lead, else large_deal.team_id. std::nullopt when the rule is off or the
// deal is smaller. When `path` is set and the rule is on, records
// "order.large_deal" (with the amounts) and, on a yield, the team rule that
// took the lead.
std::optional<std::string> MatchLargeDeal(const RoutingPolicy& policy,
                                          const leadflow::scoring::v1::LeadScored& scored,
                                          leadflow::routing::v1::Decision* path);

}  // namespace leadflow::routing
