#include "routing/domain/weighted_round_robin.h"

namespace leadflow::routing {

std::string SmoothWeightedRoundRobin::Pick(const std::string& pool,
                                           const std::vector<WrrCandidate>& candidates) {
  if (candidates.empty()) return "";
  auto& current = current_[pool];
  long long total = 0;
  const WrrCandidate* best = nullptr;
  long long best_value = 0;
  for (const auto& c : candidates) {
    const long long w = c.weight > 0 ? c.weight : 1;
    long long& cur = current[c.id];
    cur += w;
    total += w;
    if (best == nullptr || cur > best_value) {
      best = &c;
      best_value = cur;
    }
  }
  current[best->id] -= total;
  return best->id;
}

}  // namespace leadflow::routing
