// Maps a rule simulation's report (routing/domain/simulation_report.h) onto
// RuleSimulationService's response (proto/leadflow/routing/v1/simulation.proto),
// field for field. Pure.
#pragma once

#include <cstddef>

#include "leadflow/routing/v1/simulation.pb.h"
#include "routing/domain/simulation_report.h"

namespace leadflow::routing {

// Fills `out` from `report`, listing at most `max_changes` changes (the first
// ones in time order; changes_total and changes_truncated say how many there
// were). An unbounded end of the window (the int64 limits) is left unset.
void SimulationReportToProto(const SimulationReport& report, size_t max_changes,
                             leadflow::routing::v1::SimulateRulesResponse* out);

}  // namespace leadflow::routing
