// The scoring consumers. Each is a kafka::BatchHandler: a consumer batch does
// its Redis work in two pipelined round trips, not two or three per message,
// with the same results as handling its messages one by one in order.
//
// leads.accepted (ScoringHandler::HandleAccepted): LeadAccepted -> link the
// contact to this lead and load the contact's engagement (which may precede
// the lead; one EvalMany for the batch) -> ScoreLead (revision 1) -> store the
// latest score (for Explain and rescoring; one EvalMany) -> LeadScored on
// leads.scored, keyed by account key, with the trace-id header. Every accepted
// lead yields a LeadScored, disqualified ones included.
//
// engagement.events (ScoringHandler::HandleEngagements): the
// EngagementRescorer (engagement_rescorer.h) rescores the contact's lead.
//
// Errors: an undecodable record or one without its lead id is
// kInvalidArgument with a reason code (the consumer loop dead-letters it with
// the original bytes); a store failure is kUnavailable for the messages it
// concerns (the loop retries from there).
// Redelivery: the score's time input is the record's timestamp, so a
// redelivered leads.accepted record re-produces the same score when the
// contact's engagement did not change meanwhile; the score store never lets
// an older revision overwrite a newer one. A redelivered engagement event is
// not counted twice but does publish another revision.
// Thread-safe.
#pragma once

#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "scoring/app/engagement_rescorer.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

class ScoringHandler {
 public:
  ScoringHandler(ModelHolder& model, ScoreStore& store, EngagementStore& engagement,
                 ScoringMetrics& metrics, const Clock& clock)
      : model_(model),
        store_(store),
        engagement_(engagement),
        metrics_(metrics),
        clock_(clock),
        rescorer_(model, store, engagement, metrics, clock) {}

  // leads.accepted: one result per message of the batch, in order.
  std::vector<kafka::HandledMessage> HandleAccepted(
      const std::vector<kafka::ConsumedMessage>& batch);
  // One leads.accepted record (a batch of one).
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::BatchHandler Handler();

  // engagement.events: one result per message of the batch, in order.
  std::vector<kafka::HandledMessage> HandleEngagements(
      const std::vector<kafka::ConsumedMessage>& batch) {
    return rescorer_.HandleEngagements(batch);
  }
  // One engagement.events record (a batch of one).
  Status HandleEngagement(const kafka::ConsumedMessage& message,
                          std::vector<kafka::OutgoingMessage>& out);
  kafka::BatchHandler EngagementHandler();

 private:
  struct Accepted;  // one decoded lead on its way (scoring_handler.cc)
  Status Score(const Accepted& lead,
               const std::vector<StatusOr<std::vector<EngagementRecord>>>& linked,
               const ScoringPolicy& policy, leadflow::scoring::v1::LeadScored* out);

  ModelHolder& model_;
  ScoreStore& store_;
  EngagementStore& engagement_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
  EngagementRescorer rescorer_;
};

// The leads.scored message for a score (key: account key; trace-id header).
kafka::OutgoingMessage ToScoredMessage(const leadflow::scoring::v1::LeadScored& score);

}  // namespace leadflow::scoring
