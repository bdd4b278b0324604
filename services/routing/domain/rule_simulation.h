// Replays recorded history through a candidate rule set with the live
// Router (router.h: the very code leadflow-routing decides with) and evolving
// capacity in memory, and diffs the outcome against what routing actually
// decided (docs/simulation.md).
//
// Replay, in time order:
//   - a scored lead is decided at the time routing actually decided it (its
//     recorded decided_at; else the record's time). Leads of equal time were
//     one consumer batch: each partition's in offset order, the partitions in
//     the order whose decisions match history best (history does not record
//     it; see OnBatch in the .cc); a rescore is re-routed only when the lead's
//     simulated record is NURTURE, as RoutingEngine (routing_engine.cc) does;
//   - ASSIGNED / NAMED_OWNER take a slot (open leads +1, the rep's local day
//     +1); QUEUED enters the team queue in the configured queue order;
//   - applied REJECT / CLOSE feedback frees the slot of whoever holds the lead
//     in the simulation, then the queues drain; ACCEPT stops the SLA timer; a
//     protected rejection of a large-client lead makes it NURTURE again;
//   - availability changes apply at their time, then the queues drain;
//   - the scheduler's work: queues also drain when history shows a drain, and
//     at every UTC quarter hour (a rep's new day or working hours; see
//     kQueueDrainBoundaryMs); an assignment's SLA re-assignment fires at its
//     due time (a team with an SLA ladder: at the grace end, sla_ladder.h),
//     or, when history re-assigned that lead away from that same rep at or
//     after then, at that recorded time (the scheduler's real lag); nobody
//     eligible retries after sla_retry_seconds. An accept after the due time
//     counts as an SLA miss.
// Diffed: every decision on the leads.scored path (per lead revision), and
// the window's queue drains and SLA re-assignments per lead (the k-th drain
// of a lead against history's k-th; a drain or re-assignment on one side only
// is a change too). History's SLA misses are counted beside the simulation's.
// The round robin starts empty at the first replayed event, as a freshly
// started single routing replica does (limits: docs/simulation.md).
//
// Pure (no I/O, no clock); not thread-safe; one Run() per instance.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "routing/domain/routing_policy.h"
#include "routing/domain/simulation_history.h"
#include "routing/domain/simulation_report.h"

namespace leadflow::routing {

struct SimulationOptions {
  // The reported window [from_ms, to_ms); events before `from_ms` are
  // replayed to warm capacity and the round robin, events from `to_ms` on
  // are not replayed.
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();
  int64_t queue_bucket_ms = 3600 * 1000;  // queue depth resolution
  double fairness_tolerance_pct = 10;     // percentage points
  int fairness_min_team_assignments = 20;
  std::string trace_lead;  // fills lead_simulated / lead_actual
  // Called every `progress_every` events with (done, total); may be empty.
  std::function<void(size_t, size_t)> progress;
  size_t progress_every = 50000;
};

class RuleSimulation {
 public:
  explicit RuleSimulation(std::shared_ptr<const RoutingPolicy> candidate)
      : policy_(std::move(candidate)) {}

  // Replays `history` (any order; sorted here) under the candidate rules.
  SimulationReport Run(const SimulationHistory& history, const SimulationOptions& options) const;

 private:
  std::shared_ptr<const RoutingPolicy> policy_;
};

}  // namespace leadflow::routing
