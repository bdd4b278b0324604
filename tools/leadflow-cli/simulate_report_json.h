// The JSON form of a rule simulation report (`leadflow-cli simulate --json`;
// fields in docs/simulation.md). Decisions are the protobuf JSON mapping of
// leadflow.routing.v1.Decision, paths included.
#pragma once

#include <string>

#include "routing/domain/simulation_report.h"
#include "scoring_what_if.h"

namespace leadflow::cli {

// Pretty-printed JSON (two-space indent). With `scoring` (--scoring-model),
// its MQL changes are under "scoring_model"; the routing fields are then the
// replay of the candidate-scored records.
std::string SimulationReportJson(const routing::SimulationReport& report,
                                 const ScoringWhatIfReport* scoring = nullptr);

// "2026-11-02T09:00:00.000Z" (UTC); "" for the open ends of a window.
std::string Rfc3339(int64_t unix_ms);

}  // namespace leadflow::cli
