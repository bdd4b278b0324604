#include "scoring/app/scoring_handler.h"

#include <google/protobuf/util/time_util.h>

#include "common/kafka/topics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/domain/scorer.h"

namespace leadflow::scoring {

using google::protobuf::util::TimeUtil;
using leadflow::scoring::v1::LeadScored;

namespace {

// One reusable score per consumer thread: cleared sub-messages and strings
// keep their memory, which roughly halves the allocations of a score.
LeadScored& Scratch() {
  thread_local LeadScored score;
  return score;
}

}  // namespace

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
  std::vector<EngagementRecord> events;
  if (!lead.contact().contact_id().empty()) {
    auto linked = engagement_.LinkLead(lead.contact().contact_id(), lead.meta().lead_id(),
                                       clock_.NowMillis());
    if (!linked.ok()) return Status::Unavailable(linked.status().message());
    events = std::move(*linked);
  }
  const auto policy = model_.Get();
  const EngagementScore engagement = ScoreEngagement(events, *policy, scored_at);
  ScoreInputs inputs;
  inputs.scored_at_ms = scored_at;
  inputs.revision = 1;
  inputs.engagement = &engagement;
  LeadScored& score = Scratch();
  ScoreLeadInto(lead, *policy, inputs, &score);
  if (Status s = store_.Put(score); !s.ok()) return s;
  out.push_back(ToScoredMessage(score));
  metrics_.Scored(score);
  return Status::Ok();
}

Status ScoringHandler::HandleEngagement(const kafka::ConsumedMessage& message,
                                        std::vector<kafka::OutgoingMessage>& out) {
  leadflow::engagement::v1::EngagementEvent event;
  if (!event.ParseFromString(message.payload)) {
    return Status::InvalidArgument("not a leadflow.engagement.v1.EngagementEvent",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  if (event.contact_id().empty()) {
    return Status::InvalidArgument("EngagementEvent without contact_id",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  if (event.event_id().empty()) {
    return Status::InvalidArgument("EngagementEvent without event_id",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  if (event.type() == leadflow::engagement::v1::ENGAGEMENT_TYPE_UNSPECIFIED) {
    return Status::InvalidArgument("EngagementEvent without type",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  const int64_t now = message.timestamp_ms > 0 ? message.timestamp_ms : clock_.NowMillis();
  EngagementRecord record;
  record.event_id = event.event_id();
  record.type = event.type();
  record.occurred_at_ms =
      event.has_occurred_at() ? TimeUtil::TimestampToMilliseconds(event.occurred_at()) : now;

  if (record.occurred_at_ms > now + kMaxEventSkewMillis) {
    // Would hold undecayed points until that date: not a clock skew but bad data.
    return Status::InvalidArgument("EngagementEvent occurred_at is more than a day in the future",
                                   leadflow::common::v1::INVALID_FIELD);
  }
  auto recorded = engagement_.Record(event.contact_id(), record);
  if (!recorded.ok()) return Status::Unavailable(recorded.status().message());
  const std::string type_label = leadflow::engagement::v1::EngagementType_IsValid(event.type())
                                     ? leadflow::engagement::v1::EngagementType_Name(event.type())
                                     : "UNKNOWN";
  const std::string& lead_id = !recorded->lead_id.empty() ? recorded->lead_id : event.lead_id();
  if (lead_id.empty()) {
    metrics_.Engagement(type_label, "unknown_contact");
    return Status::Ok();
  }
  auto latest = store_.Get(lead_id);
  if (!latest.ok()) return Status::Unavailable(latest.status().message());
  if (!latest->has_value()) {
    // Linked a moment ago: the lead's first score is being written right now
    // (link, then score). Retry, so this event is in a rescore, not lost.
    if (!recorded->lead_id.empty() &&
        clock_.NowMillis() - recorded->linked_at_ms < kLinkSettleMillis) {
      return Status::Unavailable("lead " + lead_id + " linked but not scored yet");
    }
    metrics_.Engagement(type_label, "unknown_lead");
    return Status::Ok();
  }
  const auto& previous = **latest;
  const auto policy = model_.Get();
  const EngagementScore engagement = ScoreEngagement(recorded->events, *policy, now);
  ScoreInputs inputs;
  inputs.scored_at_ms = now;
  inputs.revision = previous.revision() + 1;
  inputs.engagement = &engagement;
  LeadScored& score = Scratch();
  ScoreLeadInto(previous.lead(), *policy, inputs, &score);
  if (Status s = store_.Put(score); !s.ok()) return s;
  out.push_back(ToScoredMessage(score));
  metrics_.Scored(score);
  metrics_.Engagement(type_label, recorded->added ? "rescored" : "duplicate_rescored");
  if (score.lifecycle_stage() == leadflow::common::v1::MQL &&
      previous.lifecycle_stage() != leadflow::common::v1::MQL) {
    metrics_.Promoted();
  }
  return Status::Ok();
}

kafka::MessageHandler ScoringHandler::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

kafka::MessageHandler ScoringHandler::EngagementHandler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return HandleEngagement(m, out);
  };
}

}  // namespace leadflow::scoring
