#include "scoring/domain/engagement.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

namespace leadflow::scoring {

double DecayFactor(int64_t age_ms, double half_life_days) {
  if (age_ms <= 0) return 1.0;
  const double half_life_ms = half_life_days * static_cast<double>(kMillisPerDay);
  return std::exp2(-static_cast<double>(age_ms) / half_life_ms);
}

EngagementScore ScoreEngagement(std::vector<EngagementRecord> records, const ScoringPolicy& policy,
                                int64_t now_ms) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.occurred_at_ms, a.event_id) < std::tie(b.occurred_at_ms, b.event_id);
  });
  const auto& model = policy.model();
  EngagementScore out;
  std::vector<int> slot(model.engagement_size(), -1);  // rule index -> by_type index
  std::map<std::pair<int, int64_t>, int> per_day;      // (type, day) -> counted so far
  const EngagementRecord* previous = nullptr;
  for (const auto& r : records) {
    if (previous != nullptr && previous->event_id == r.event_id && !r.event_id.empty() &&
        previous->occurred_at_ms == r.occurred_at_ms) {
      continue;
    }
    previous = &r;
    const int rule_index = policy.EngagementRuleIndex(r.type);
    if (rule_index < 0) continue;
    const auto* rule = &model.engagement(rule_index);
    if (slot[rule_index] < 0) {
      slot[rule_index] = static_cast<int>(out.by_type.size());
      out.by_type.push_back({r.type, 0, 0, 0});
    }
    auto& t = out.by_type[slot[rule_index]];
    ++t.events;
    const int64_t day = r.occurred_at_ms >= 0 ? r.occurred_at_ms / kMillisPerDay
                                              : (r.occurred_at_ms + 1) / kMillisPerDay - 1;
    int& counted_today = per_day[{r.type, day}];
    if (rule->daily_cap() > 0 && counted_today >= rule->daily_cap()) continue;
    ++counted_today;
    ++t.counted;
    t.points += rule->points() * DecayFactor(now_ms - r.occurred_at_ms,
                                             model.engagement_half_life_days());
  }
  // Stable order for explanations: the model's rule order.
  std::sort(out.by_type.begin(), out.by_type.end(), [&](const auto& a, const auto& b) {
    return policy.EngagementRuleIndex(a.type) < policy.EngagementRuleIndex(b.type);
  });
  for (const auto& t : out.by_type) out.points += t.points;
  return out;
}

}  // namespace leadflow::scoring
