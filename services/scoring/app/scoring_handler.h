// The leads.accepted consumer: LeadAccepted -> ScoreLead (revision 1) ->
// store the latest score (for Explain) -> LeadScored on leads.scored, keyed by
// account key, with the trace-id header.
//
// Every accepted lead yields a LeadScored, disqualified ones included. An
// undecodable record or one without a lead id is returned as kInvalidArgument
// (the consumer loop dead-letters it with the original bytes). A store
// failure is kUnavailable (the loop retries). Redelivery is idempotent: the
// score's only time input is the record's timestamp, so the same record under
// the same model re-produces identical bytes.
// Thread-safe.
#pragma once

#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

class ScoringHandler {
 public:
  ScoringHandler(ModelHolder& model, ScoreStore& store, EngagementSource& engagement,
                 ScoringMetrics& metrics, const Clock& clock)
      : model_(model), store_(store), engagement_(engagement), metrics_(metrics), clock_(clock) {}

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::MessageHandler Handler();

 private:
  ModelHolder& model_;
  ScoreStore& store_;
  EngagementSource& engagement_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
};

// The leads.scored message for a score (key: account key; trace-id header).
kafka::OutgoingMessage ToScoredMessage(const leadflow::scoring::v1::LeadScored& score);

}  // namespace leadflow::scoring
