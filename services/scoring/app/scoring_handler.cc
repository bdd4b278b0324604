#include "scoring/app/scoring_handler.h"

#include "common/kafka/topics.h"
#include "scoring/domain/scorer.h"

namespace leadflow::scoring {

kafka::OutgoingMessage ToScoredMessage(const leadflow::scoring::v1::LeadScored& score) {
  kafka::OutgoingMessage m;
  m.topic = topics::kLeadsScored;
  m.key = score.lead().meta().account_key();
  m.payload = SerializeDeterministic(score);
  m.headers.push_back({topics::kTraceHeader, score.lead().meta().trace_id()});
  return m;
}

Status ScoringHandler::Handle(const kafka::ConsumedMessage& message,
                              std::vector<kafka::OutgoingMessage>& out) {
  leadflow::intake::v1::LeadAccepted lead;
  if (!lead.ParseFromString(message.payload)) {
    return Status::InvalidArgument("not a leadflow.intake.v1.LeadAccepted",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  if (lead.meta().lead_id().empty()) {
    return Status::InvalidArgument("LeadAccepted without meta.lead_id",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  if (lead.meta().trace_id().empty()) {
    if (auto t = message.FindHeader(topics::kTraceHeader)) {
      lead.mutable_meta()->set_trace_id(std::string(*t));
    }
  }
  const int64_t scored_at = message.timestamp_ms > 0 ? message.timestamp_ms : clock_.NowMillis();
  auto engagement = engagement_.PointsFor(lead.contact().contact_id(), scored_at);
  if (!engagement.ok()) return Status::Unavailable(engagement.status().message());
  const auto policy = model_.Get();
  const auto score = ScoreLead(lead, *policy, {*engagement, scored_at, 1});
  if (Status s = store_.Put(score); !s.ok()) return s;
  out.push_back(ToScoredMessage(score));
  metrics_.Scored(score);
  return Status::Ok();
}

kafka::MessageHandler ScoringHandler::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

}  // namespace leadflow::scoring
