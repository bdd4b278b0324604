// Reads the history a rule simulation replays (docs/simulation.md) from the
// topics, with kafka::ScanTopic: outside any consumer group, no commits,
// nothing written anywhere. Shared by `leadflow-cli simulate` and routing's
// RuleSimulationService. Blocking; one thread per call; no state between calls.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/status.h"
#include "routing/domain/simulation_history.h"

namespace leadflow::routing {

// The topics read, in the order they are scanned.
const std::vector<std::string>& SimulationTopics();

// Folds one record of one of SimulationTopics() into `history`:
//   leads.scored       -> a lead (a record without lead id or relationship is
//                         skipped, as routing refuses it);
//   sales.feedback     -> applied feedback (routing is its only writer; a
//                         record marked with another leadflow-origin is skipped);
//   reps.availability  -> an availability change;
//   reps.out-of-office -> a rep's out-of-office windows from then on (a
//                         record routing refused is skipped);
//   leads.assigned, leads.nurture, accounts.inbound, and routing's
//   disqualifications on leads.rejected -> an actual decision (a nurture
//   request with a reason is a protected sales rejection, not a decision;
//   a re-emitted duplicate is dropped by the caller via `seen`).
// Returns false for a record it could not parse (counted by the caller).
bool AddRecord(const kafka::ConsumedMessage& m, SimulationHistory& history,
               std::set<std::string>& seen);

struct HistoryReadOptions {
  std::string brokers;
  std::map<std::string, std::string> kafka_properties;  // security pass-through
  // The whole read (every topic) ends by then: past it, kUnavailable naming
  // the topic being scanned. Each topic's scan gets what is left of it.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

// Scans every topic; `progress` (may be empty) gets (topic, records read)
// after each topic.
StatusOr<SimulationHistory> ReadSimulationHistory(
    const HistoryReadOptions& options,
    const std::function<void(const std::string&, size_t)>& progress);

}  // namespace leadflow::routing
