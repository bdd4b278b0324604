// The engagement.events consumer (a kafka::BatchHandler; docs/domain-rules.md
// §4 "Fit plus behaviour", §6): EngagementEvent -> record it for its contact
// (idempotent by event id; one EvalMany, so each event sees the batch's
// earlier events of its contact) -> if the contact is linked to a scored lead
// (one pipelined read of the batch's leads), rescore that lead from its stored
// LeadAccepted with the decayed engagement at the record's time -> revision +
// 1 (a later event of the same lead in the batch builds on this rescore: + 2,
// ...), stored (one EvalMany) and published on leads.scored. This is how
// nurtured leads become MQLs. An event of a contact without a lead is kept (it
// counts once the lead arrives) and produces nothing. An event that finds its
// contact linked less than kLinkSettleMillis ago but the lead not yet scored
// (the leads.accepted consumer links first, then stores the score) is retried
// (kUnavailable); a lead whose score has expired is counted as unknown_lead
// and skipped.
//
// Errors: an undecodable record, one without its ids or type, or an event
// dated more than a day after its record, is kInvalidArgument with a reason
// code (the consumer loop dead-letters it with the original bytes); a store
// failure is kUnavailable for the events it concerns (the loop retries from
// there). A redelivered engagement event is not counted twice but does
// publish another revision. Thread-safe.
#pragma once

#include <string>
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

class EngagementRescorer {
 public:
  EngagementRescorer(ModelHolder& model, ScoreStore& store, EngagementStore& engagement,
                     ScoringMetrics& metrics, const Clock& clock)
      : model_(model), store_(store), engagement_(engagement), metrics_(metrics), clock_(clock) {}

  // One result per message of the batch, in order.
  std::vector<kafka::HandledMessage> HandleEngagements(
      const std::vector<kafka::ConsumedMessage>& batch);

 private:
  struct Event;        // one decoded event on its way (engagement_rescorer.cc)
  class LatestScores;  // the batch's leads' latest scores, rescores included

  Status Rescore(Event& event, LatestScores& latest, const ScoringPolicy& policy,
                 leadflow::scoring::v1::LeadScored* out);
  Status NotScoredYet(const Event& event);
  void StoreAndPublish(std::vector<Event>& events, std::vector<kafka::HandledMessage>& results);

  ModelHolder& model_;
  ScoreStore& store_;
  EngagementStore& engagement_;
  ScoringMetrics& metrics_;
  const Clock& clock_;
};

}  // namespace leadflow::scoring
