// Picks reps for both halves of routing: the leads.scored path
// (RoutingEngine) and the time-driven one (RoutingScheduler: queue drain, SLA
// re-assignment). It holds what they share: the domain Router with its
// round-robin state (under one lock), each rep's local day and caps, and the
// reps' load as Redis holds it.
//
// Threading: thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/routing_snapshot_reader.h"
#include "routing/domain/rep_day_cache.h"
#include "routing/domain/router.h"

namespace leadflow::routing {

class RepPicker {
 public:
  RepPicker(std::shared_ptr<const RoutingPolicy> policy, RoutingSnapshotReader& reads);

  // Every configured rep's state (availability, open, today on the rep's
  // local day) from Redis.
  StatusOr<RepStateView> LoadReps(std::chrono::system_clock::time_point now);
  // Router::Decide for one lead on `reps`, under the lock.
  RoutingResult Decide(const leadflow::scoring::v1::LeadScored& lead, const RepStateView& reps,
                       std::chrono::system_clock::time_point now);
  // Router::PickRep under the lock.
  std::string PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                      std::chrono::system_clock::time_point now,
                      leadflow::routing::v1::Decision& decision,
                      const std::set<std::string>& exclude = {});
  // Claim limits of a team assignment to `rep_id` (lead_claims.h): the rep's
  // local day, whose count the daily cap checks, and the caps (0 = none for
  // unknown reps).
  void FillLimits(const std::string& rep_id, std::chrono::system_clock::time_point now,
                  std::string* day, int* max_open, int* daily_cap) const;
  // The rep's local day, whose count the daily cap checks.
  std::string Day(const std::string& rep_id, std::chrono::system_clock::time_point now) const;

 private:
  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingSnapshotReader& reads_;
  mutable RepDayCache days_;  // thread-safe
  std::mutex router_mu_;
  Router router_;
};

}  // namespace leadflow::routing
