#include "routing/domain/simulation_history.h"

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
  switch (source) {
    case DecisionSource::kQueueDrain:
      return "queue_drain";
    case DecisionSource::kSlaReassign:
      return "sla_reassign";
    case DecisionSource::kScored:
      break;
  }
  return "scored";
}

}  // namespace leadflow::routing
