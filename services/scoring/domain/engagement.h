// The behavioural half of scoring (docs/domain-rules.md §4): an engagement score built
// from a contact's activity events, with points per event type, a daily cap
// per type, and exponential decay.
//
// Nothing is pre-aggregated: the store keeps the raw (event type, occurred_at)
// pairs of a contact and the score is computed exactly at read time from them
// under the current (or a what-if candidate) model. There is no nightly decay
// job, a hot-reloaded model re-prices history consistently, and the same
// events at the same read time always give the same value. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scoring/domain/scoring_policy.h"

namespace leadflow::scoring {

// One stored engagement event of a contact.
struct EngagementRecord {
  std::string event_id;
  int type = 0;  // leadflow.engagement.v1.EngagementType value
  int64_t occurred_at_ms = 0;
};

// The per-type breakdown that becomes one "engagement.<TYPE>" contribution.
struct EngagementTypeScore {
  int type = 0;
  int events = 0;   // stored events of this type
  int counted = 0;  // within the daily cap
  double points = 0;  // decayed points of the counted events
};

struct EngagementScore {
  double points = 0;                       // sum of by_type[i].points, in order
  std::vector<EngagementTypeScore> by_type;  // types with a model rule, by first appearance in the model
};

inline constexpr int64_t kMillisPerDay = 86'400'000;

// 0.5^(age_ms / half_life): exactly 1 at age 0, 0.5 after one half-life.
// A negative age (an event stamped after the read time, e.g. clock skew)
// counts as age 0; engagement never grows.
double DecayFactor(int64_t age_ms, double half_life_days);

// The engagement score of `records` at `now_ms` under `policy`:
//  - types without a model rule earn nothing and are left out of by_type;
//  - per (type, UTC day of occurred_at) only the first daily_cap events in
//    (occurred_at, event_id) order count (daily_cap 0 = no cap);
//  - each counted event adds points(type) * DecayFactor(now - occurred_at).
// `records` may be in any order; an event id stored twice with the same time
// is counted once.
EngagementScore ScoreEngagement(const std::vector<EngagementRecord>& records,
                                const ScoringPolicy& policy, int64_t now_ms);

}  // namespace leadflow::scoring
