#include "scoring/domain/engagement.h"

#include <algorithm>
#include <cmath>

namespace leadflow::scoring {

double DecayFactor(int64_t age_ms, double half_life_days) {
  if (age_ms <= 0) return 1.0;
  const double half_life_ms = half_life_days * static_cast<double>(kMillisPerDay);
  return std::exp2(-static_cast<double>(age_ms) / half_life_ms);
}

EngagementScore ScoreEngagement(const std::vector<EngagementRecord>& records,
                                const ScoringPolicy& policy, int64_t now_ms) {
  std::vector<const EngagementRecord*> sorted;
  sorted.reserve(records.size());
  for (const auto& r : records) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    if (a->occurred_at_ms != b->occurred_at_ms) return a->occurred_at_ms < b->occurred_at_ms;
    return a->event_id < b->event_id;
  });
  const auto& model = policy.model();
  const double half_life = model.engagement_half_life_days();
  EngagementScore out;
  std::vector<int> slot(model.engagement_size(), -1);  // rule index -> by_type index
  struct DayCount {
    int type;
    int64_t day;
    int counted;
  };
  std::vector<DayCount> per_day;  // few distinct (type, day) pairs: a flat list
  const EngagementRecord* previous = nullptr;
  for (const auto* r : sorted) {
    if (previous != nullptr && !r->event_id.empty() && previous->event_id == r->event_id &&
        previous->occurred_at_ms == r->occurred_at_ms) {
      continue;
    }
    previous = r;
    const int rule_index = policy.EngagementRuleIndex(r->type);
    if (rule_index < 0) continue;
    const auto& rule = model.engagement(rule_index);
    if (slot[rule_index] < 0) {
      slot[rule_index] = static_cast<int>(out.by_type.size());
      out.by_type.push_back({r->type, 0, 0, 0});
    }
    auto& t = out.by_type[slot[rule_index]];
    ++t.events;
    const int64_t day = r->occurred_at_ms >= 0 ? r->occurred_at_ms / kMillisPerDay
                                               : (r->occurred_at_ms + 1) / kMillisPerDay - 1;
    auto it = std::find_if(per_day.begin(), per_day.end(), [&](const DayCount& d) {
      return d.type == r->type && d.day == day;
    });
    if (it == per_day.end()) it = per_day.insert(per_day.end(), {r->type, day, 0});
    if (rule.daily_cap() > 0 && it->counted >= rule.daily_cap()) continue;
    ++it->counted;
    ++t.counted;
    t.points += rule.points() * DecayFactor(now_ms - r->occurred_at_ms, half_life);
  }
  // Stable order for explanations: the model's rule order.
  std::sort(out.by_type.begin(), out.by_type.end(), [&](const auto& a, const auto& b) {
    return policy.EngagementRuleIndex(a.type) < policy.EngagementRuleIndex(b.type);
  });
  for (const auto& t : out.by_type) out.points += t.points;
  return out;
}

}  // namespace leadflow::scoring
