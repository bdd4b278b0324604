#include "routing/domain/fairness.h"

namespace leadflow::routing {
namespace {

Status Err(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("routing rules: fairness." + field + ": " + what);
}

double WeightOf(const leadflow::config::v1::Rep& rep) { return rep.weight() > 0 ? rep.weight() : 1; }

}  // namespace

StatusOr<FairnessSettings> ResolveFairness(const leadflow::config::v1::RoutingRules& rules) {
  const auto& f = rules.fairness();
  FairnessSettings out;
  if (f.tolerance_pct() != 0) out.tolerance_pct = f.tolerance_pct();
  if (f.min_team_assignments() != 0) out.min_team_assignments = f.min_team_assignments();
  if (!(out.tolerance_pct >= 1 && out.tolerance_pct <= 100)) {
    return Err("tolerance_pct", "must be 1..100 percentage points");
  }
  if (out.min_team_assignments < 1) return Err("min_team_assignments", "must be >= 1");
  return out;
}

std::map<std::string, double> WeightShares(const leadflow::config::v1::Team& team) {
  double total = 0;
  for (const auto& rep : team.reps()) total += WeightOf(rep);
  std::map<std::string, double> out;
  for (const auto& rep : team.reps()) out[rep.rep_id()] = WeightOf(rep) / total;
  return out;
}

}  // namespace leadflow::routing
