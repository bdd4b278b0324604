// Which prospect team a qualified lead goes to (DOMAIN.md §5): the first
// matching team rule, else default_team. Pure and thread-safe.
#pragma once

#include <string>

#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

// The team of a qualified prospect. When `path` is set, every rule tried is
// recorded on it with why it did (not) match.
std::string MatchTeam(const RoutingPolicy& policy, const leadflow::scoring::v1::LeadScored& scored,
                      leadflow::routing::v1::Decision* path);

}  // namespace leadflow::routing
