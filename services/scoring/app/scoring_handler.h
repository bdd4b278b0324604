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
// engagement.events (ScoringHandler::HandleEngagements): EngagementEvent ->
// record it for its contact (idempotent by event id; one EvalMany, so each
// event sees the batch's earlier events of its contact) -> if the contact is
// linked to a scored lead (one pipelined read of the batch's leads), rescore
// that lead from its stored LeadAccepted with the decayed engagement at the
// record's time -> revision + 1 (a later event of the same lead in the batch
// builds on this rescore: + 2, ...), stored (one EvalMany) and published on
// leads.scored. This is how nurtured leads become MQLs. An event of a contact
// without a lead is kept (it counts once the lead arrives) and produces
// nothing. An event that finds its contact linked less than kLinkSettleMillis
// ago but the lead not yet scored (the leads.accepted consumer links first,
// then stores the score) is retried (kUnavailable); a lead whose score has
// expired is counted as unknown_lead and skipped.
//
// Errors: an undecodable record, one without its ids or type, or an
// engagement event dated more than a day after its record, is kInvalidArgument
// with a reason code (the consumer loop dead-letters it with the original
// bytes); a store failure is kUnavailable for the messages it concerns (the
// loop retries from there).
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
#include "scoring/app/engagement_store.h"
#include "scoring/app/model_holder.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_metrics.h"

namespace leadflow::scoring {

inline constexpr int64_t kLinkSettleMillis = 30'000;
// An engagement event stamped later than this after its record is rejected.
inline constexpr int64_t kMaxEventSkewMillis = 86'400'000;

class ScoringHandler {
 public:
  ScoringHandler(ModelHolder& model, ScoreStore& store, EngagementStore& engagement,
                 ScoringMetrics& metrics, const Clock& clock)
      : model_(model), store_(store), engagement_(engagement), metrics_(metrics), clock_(clock) {}

  // leads.accepted: one result per message of the batch, in order.
  std::vector<kafka::HandledMessage> HandleAccepted(
      const std::vector<kafka::ConsumedMessage>& batch);
  // One leads.accepted record (a batch of one).
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::BatchHandler Handler();

  // engagement.events: one result per message of the batch, in order.
  std::vector<kafka::HandledMessage> HandleEngagements(
      const std::vector<kafka::ConsumedMessage>& batch);
  // One engagement.events record (a batch of one).
  Status HandleEngagement(const kafka::ConsumedMessage& message,
                          std::vector<kafka::OutgoingMessage>& out);
  kafka::BatchHandler EngagementHandler();

 private:
  ModelHolder& model_;
  ScoreStore& store_;
  EngagementStore& engagement_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
};

// The leads.scored message for a score (key: account key; trace-id header).
kafka::OutgoingMessage ToScoredMessage(const leadflow::scoring::v1::LeadScored& score);

}  // namespace leadflow::scoring
