// Which reps' state Router::Decide can consult for a lead, so the app reads
// only those from Redis (and nothing at all for most leads: prospects below
// MQL and disqualified ones never look at a rep). Mirrors Router::Decide:
//   customer:       the account owner, and the reps of the team it falls back
//                   to (owner_team, else customer_fallback_team) when that
//                   team is configured;
//   named account:  the named owner; then as a prospect;
//   prospect:       nothing when disqualified; the reps of the team
//                   MatchLargeDeal picks for a large deal; nothing below MQL;
//                   else the reps of the team MatchTeam picks.
// Deciding on a view that holds only these reps gives the same decision as on
// a view of every rep (rep_needs_test checks it). Pure and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

// Rep ids, without duplicates, in the order named above.
std::vector<std::string> RepsConsulted(const RoutingPolicy& policy,
                                       const leadflow::scoring::v1::LeadScored& scored);

}  // namespace leadflow::routing
