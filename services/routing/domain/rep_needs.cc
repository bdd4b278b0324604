#include "routing/domain/rep_needs.h"

#include <algorithm>

#include "routing/domain/router.h"
#include "routing/domain/team_match.h"

namespace leadflow::routing {
namespace {

void Add(std::vector<std::string>& ids, const std::string& id) {
  if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

void AddTeam(std::vector<std::string>& ids, const RoutingPolicy& policy,
             const std::string& team_id) {
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return;
  for (const auto& rep : team->reps()) Add(ids, rep.rep_id());
}

}  // namespace

std::vector<std::string> RepsConsulted(const RoutingPolicy& policy,
                                       const leadflow::scoring::v1::LeadScored& scored) {
  std::vector<std::string> ids;
  const auto& lead = scored.lead();
  if (lead.meta().relationship() == leadflow::common::v1::CUSTOMER) {
    Add(ids, lead.account_owner());
    AddTeam(
        ids, policy,
        lead.owner_team().empty() ? policy.rules().customer_fallback_team() : lead.owner_team());
    return ids;
  }
  if (scored.named_account()) Add(ids, lead.account_owner());
  if (scored.disqualified()) return ids;
  if (auto large = MatchLargeDeal(policy, scored, nullptr)) {
    AddTeam(ids, policy, *large);
    return ids;
  }
  if (!IsQualified(scored.lifecycle_stage())) return ids;
  AddTeam(ids, policy, MatchTeam(policy, scored, nullptr));
  return ids;
}

}  // namespace leadflow::routing
