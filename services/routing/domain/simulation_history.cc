#include "routing/domain/simulation_history.h"

#include <utility>

#include "routing/domain/lookup_table.h"

namespace leadflow::routing {

DecisionSource SourceOf(const leadflow::routing::v1::Decision& decision) {
  if (decision.outcome() == leadflow::routing::v1::REASSIGNED) return DecisionSource::kSlaReassign;
  if (decision.outcome() == leadflow::routing::v1::ASSIGNED) {
    for (const auto& step : decision.path()) {
      if (step.rule_id().rfind("queue.", 0) == 0) return DecisionSource::kQueueDrain;
    }
  }
  return DecisionSource::kScored;
}

const char* SourceName(DecisionSource source) {
  static constexpr std::pair<DecisionSource, const char*> kNames[] = {
      {DecisionSource::kQueueDrain, "queue_drain"}, {DecisionSource::kSlaReassign, "sla_reassign"}};
  return Lookup(source, kNames, "scored");
}

}  // namespace leadflow::routing
