// One leads.scored message while routing decides on it (scored_lead_router.h;
// RoutingEngine batches them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/app/decision_log.h"
#include "routing/app/routing_outputs.h"

namespace leadflow::routing {

struct RoutedLead {
  const kafka::ConsumedMessage* message = nullptr;
  kafka::HandledMessage* result = nullptr;  // the message's status and outputs
  leadflow::scoring::v1::LeadScored scored;
  std::vector<std::string> reps;             // whose state the decision can consult
  std::optional<std::string> replace;        // rescore after nurture: the record it replaces
  std::optional<StoredDecision> existing;    // redelivery: the recorded decision
  leadflow::routing::v1::LeadAssigned rest;  // the decision record, without the lead
  std::string raw;     // the whole record's bytes (a decision that keeps the lead)
  std::string stored;  // the slim record's bytes (one that does not)

  const std::string& id() const { return scored.lead().meta().lead_id(); }
  RecordParts parts() const { return {scored, message->payload, rest}; }
};

}  // namespace leadflow::routing
