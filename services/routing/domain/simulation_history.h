// The recorded history a rule simulation replays (docs/simulation.md): the
// leads as routing saw them on leads.scored, applied sales feedback
// (sales.feedback), availability changes (reps.availability), out-of-office
// windows (reps.out-of-office) and the
// decisions routing actually made (leads.assigned, leads.nurture,
// accounts.inbound, routing's disqualifications on leads.rejected), which
// the simulation diffs against and takes its timing from.
//
// Plain data: the app (leadflow-cli simulate) scans the topics and fills it;
// tests and the benchmark generate it (simulation_history_generator.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/out_of_office.h"

namespace leadflow::routing {

// One leads.scored record. `at_ms` is when it reached the topic (the record
// timestamp); the simulation decides it at the time routing actually decided
// it when the history holds that decision, else at `at_ms`. Leads of equal
// time are decided in (partition, offset) order, as a consumer batch is.
struct HistoryLead {
  int64_t at_ms = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  leadflow::scoring::v1::LeadScored scored;
};

// One applied sales feedback event (sales.feedback holds only feedback
// routing applied). `at_ms`: SalesFeedback.at, else the record timestamp.
struct HistoryFeedback {
  int64_t at_ms = 0;
  leadflow::routing::v1::SalesFeedback feedback;
};

// One reps.availability record.
struct HistoryAvailability {
  int64_t at_ms = 0;
  std::string rep_id;
  leadflow::routing::v1::RepAvailability availability =
      leadflow::routing::v1::REP_AVAILABILITY_UNSPECIFIED;
};

// One reps.out-of-office record: from `at_ms` the rep's windows are these.
struct HistoryOutOfOffice {
  int64_t at_ms = 0;
  std::string rep_id;
  OutOfOffice windows;
};

// What made an actual decision: the leads.scored path, the scheduler's queue
// drain (an ASSIGNED whose path has a "queue.<team>" step) or its SLA
// re-assignment (REASSIGNED).
enum class DecisionSource { kScored, kQueueDrain, kSlaReassign };

// One decision routing actually made. `at_ms` is decision.decided_at.
struct HistoryDecision {
  int64_t at_ms = 0;
  std::string lead_id;
  int32_t revision = 0;  // the scored lead's revision; 0 = unknown (matches any)
  DecisionSource source = DecisionSource::kScored;
  leadflow::routing::v1::Decision decision;
  std::vector<std::string> previous_reps;
  int64_t sla_due_ms = 0;
};

// The scheduler drains queues when a slot frees or a rep returns, and on its
// ticks; the ticks that can find a newly eligible rep without any event are
// those at a rep's local midnight or working-hours start, so the simulation
// (and the generator) drain at every UTC quarter hour.
inline constexpr int64_t kQueueDrainBoundaryMs = 15 * 60 * 1000;

struct SimulationHistory {
  std::vector<HistoryLead> leads;
  std::vector<HistoryFeedback> feedback;
  std::vector<HistoryAvailability> availability;
  std::vector<HistoryOutOfOffice> out_of_office;
  std::vector<HistoryDecision> decisions;
};

// The source of an actual decision record (see DecisionSource).
DecisionSource SourceOf(const leadflow::routing::v1::Decision& decision);

// "scored", "queue_drain" or "sla_reassign" (report keys and JSON).
const char* SourceName(DecisionSource source);

}  // namespace leadflow::routing
