// What a rule simulation reports (docs/simulation.md): the leads whose
// routing decision changes, with both decision paths; per-rep load; queue
// depth over time; SLA misses; and fairness (each rep's share of its team's
// assignments against its share of the team's weights). Plain data: the CLI
// prints it, RuleSimulationService maps it onto SimulateRulesResponse
// (proto/leadflow/routing/v1/simulation.proto).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/simulation_history.h"

namespace leadflow::routing {

// A lead decided differently by history and by the candidate rules (outcome,
// team or rep). `source` says which decision: the leads.scored path, or the
// scheduler's work on the lead (the k-th queue drain, or the k-th SLA
// re-assignment, of that lead in the window, paired with the k-th of the other
// side). A side that made no such decision has outcome
// ROUTING_OUTCOME_UNSPECIFIED and an empty path (e.g. history re-routed a
// rescored lead the candidate still holds, or drained a lead the candidate
// had assigned at once).
struct DecisionChange {
  std::string lead_id;
  int32_t revision = 0;
  int64_t at_ms = 0;  // the simulated decision's time, else the actual one's
  DecisionSource source = DecisionSource::kScored;
  leadflow::routing::v1::Decision actual;
  leadflow::routing::v1::Decision simulated;
};

// One rep under the candidate rules (and in history, for comparison).
struct RepLoad {
  std::string rep_id;
  std::string team;
  int weight = 1;
  double weight_share = 0;  // weight / the team's total weight
  int64_t assigned = 0;     // simulated: leads the rep received (any path)
  int64_t actual_assigned = 0;
  int peak_open = 0;  // simulated: most open leads at once
  int open_at_end = 0;
  double share = 0;  // simulated: assigned / the team's assignments
  double actual_share = 0;
  bool off_weight = false;  // |share - weight_share| > tolerance, team big enough
};

// The deepest a team's queue got within one bucket of time.
struct QueueSample {
  int64_t bucket_start_ms = 0;
  std::string team;
  int max_depth = 0;
};

struct SimulationReport {
  std::string rules_version;
  int64_t from_ms = 0, to_ms = 0;  // the reported window
  int64_t leads_in_window = 0;     // scored leads decided in the window
  int64_t leads_replayed = 0;      // including the warm-up before `from`
  int64_t unmatched = 0;           // decided by the simulation, no decision in history
  std::map<std::string, int64_t> actual_outcomes;  // outcome name -> count (leads.scored path)
  std::map<std::string, int64_t> simulated_outcomes;
  std::vector<DecisionChange> changes;
  std::map<std::string, int64_t> changes_by_kind;    // "outcome", "team", "rep"
  std::map<std::string, int64_t> changes_by_source;  // SourceName(): "scored", ...
  std::vector<RepLoad> reps;                       // config order
  std::vector<QueueSample> queue_depth;            // non-empty buckets, time order
  int64_t queue_drains = 0, actual_queue_drains = 0;
  int64_t sla_reassigned = 0, actual_sla_reassigned = 0;
  int64_t sla_missed_assigned = 0;  // simulated: not accepted by the SLA due time
  int64_t sla_missed_queued = 0;    // simulated: still queued at the SLA due time
  // History: assignments with a due time in the window that saw no accept,
  // reject or close by then (accepted late, re-assigned, or never answered),
  // judged as the simulation judges its own (timers due after the history's
  // end are not counted).
  int64_t actual_sla_missed_assigned = 0;
  double fairness_tolerance_pct = 10;
  // --lead: every simulated decision of that lead (scored path, drain,
  // re-assignment) and its actual ones, in time order.
  std::vector<leadflow::routing::v1::Decision> lead_simulated;
  std::vector<leadflow::routing::v1::Decision> lead_actual;
};

}  // namespace leadflow::routing
