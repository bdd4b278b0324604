// ScoringHandler::HandleEngagements: engagement.events, a consumer batch at a
// time (see scoring_handler.h).
#include <google/protobuf/util/time_util.h>

#include <map>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/domain/scorer.h"

namespace leadflow::scoring {

using google::protobuf::util::TimeUtil;
using leadflow::scoring::v1::LeadScored;
namespace ev1 = leadflow::engagement::v1;

namespace {

struct DecodedEvent {
  std::string contact_id;
  std::string lead_id;  // the event's own, used when its contact is not linked
  EngagementRecord record;
  std::string type_label;
  int64_t now_ms = 0;  // the record's time: the rescore's time input
};

Status DecodeEvent(const kafka::ConsumedMessage& message, int64_t clock_now, DecodedEvent* out) {
  ev1::EngagementEvent event;
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
  if (event.type() == ev1::ENGAGEMENT_TYPE_UNSPECIFIED) {
    return Status::InvalidArgument("EngagementEvent without type",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  out->now_ms = message.timestamp_ms > 0 ? message.timestamp_ms : clock_now;
  out->record.event_id = event.event_id();
  out->record.type = event.type();
  out->record.occurred_at_ms = event.has_occurred_at()
                                   ? TimeUtil::TimestampToMilliseconds(event.occurred_at())
                                   : out->now_ms;
  if (out->record.occurred_at_ms > out->now_ms + kMaxEventSkewMillis) {
    // Would hold undecayed points until that date: not a clock skew but bad data.
    return Status::InvalidArgument("EngagementEvent occurred_at is more than a day in the future",
                                   leadflow::common::v1::INVALID_FIELD);
  }
  out->contact_id = event.contact_id();
  out->lead_id = event.lead_id();
  out->type_label = ev1::EngagementType_IsValid(event.type())
                        ? ev1::EngagementType_Name(event.type())
                        : "UNKNOWN";
  return Status::Ok();
}

std::vector<LeadScored>& Scratch(size_t n) {
  thread_local std::vector<LeadScored> scores;
  if (scores.size() < n) scores.resize(n);
  return scores;
}

}  // namespace

std::vector<kafka::HandledMessage> ScoringHandler::HandleEngagements(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<size_t> index;  // batch index of each decoded event
  std::vector<DecodedEvent> decoded;
  std::vector<EngagementStore::ContactEvent> to_record;
  const int64_t clock_now = clock_.NowMillis();
  for (size_t i = 0; i < batch.size(); ++i) {
    DecodedEvent d;
    if (Status s = DecodeEvent(batch[i], clock_now, &d); !s.ok()) {
      results[i].status = s;
      continue;
    }
    to_record.push_back({d.contact_id, d.record});
    index.push_back(i);
    decoded.push_back(std::move(d));
  }
  // 1. Record every event: one round trip, in batch order.
  auto recorded = engagement_.RecordMany(to_record);
  // 2. The latest score of every lead concerned: one round trip.
  std::vector<std::string> lead_of(decoded.size());
  std::vector<std::string> lead_ids;
  std::map<std::string, size_t> read_slot;  // lead id -> its entry in lead_ids
  for (size_t j = 0; j < decoded.size(); ++j) {
    if (!recorded[j].ok()) continue;
    lead_of[j] = !recorded[j]->lead_id.empty() ? recorded[j]->lead_id : decoded[j].lead_id;
    if (!lead_of[j].empty() && read_slot.emplace(lead_of[j], lead_ids.size()).second) {
      lead_ids.push_back(lead_of[j]);
    }
  }
  const auto latest = store_.GetMany(lead_ids);
  // 3. Rescore in batch order; a lead's later event builds on its earlier one.
  const auto policy = model_.Get();
  std::vector<LeadScored>& scores = Scratch(decoded.size());
  std::map<std::string, const LeadScored*> rescored;  // lead id -> newest score in this batch
  struct Stored {
    size_t event;  // index into decoded
    const LeadScored* score;
    bool was_mql;
  };
  std::vector<Stored> to_store;
  for (size_t j = 0; j < decoded.size(); ++j) {
    kafka::HandledMessage& r = results[index[j]];
    const DecodedEvent& d = decoded[j];
    if (!recorded[j].ok()) {
      r.status = Status::Unavailable(recorded[j].status().message());
      continue;
    }
    if (lead_of[j].empty()) {
      metrics_.Engagement(d.type_label, "unknown_contact");
      continue;
    }
    const LeadScored* previous = nullptr;
    if (auto it = rescored.find(lead_of[j]); it != rescored.end()) {
      previous = it->second;
    } else {
      const auto& read = latest[read_slot.at(lead_of[j])];
      if (!read.ok()) {
        r.status = Status::Unavailable(read.status().message());
        continue;
      }
      if (read->has_value()) previous = &**read;
    }
    if (previous == nullptr) {
      // Linked a moment ago: the lead's first score is being written right now
      // (link, then score). Retry, so this event is in a rescore, not lost.
      if (!recorded[j]->lead_id.empty() &&
          clock_.NowMillis() - recorded[j]->linked_at_ms < kLinkSettleMillis) {
        r.status = Status::Unavailable("lead " + lead_of[j] + " linked but not scored yet");
        continue;
      }
      metrics_.Engagement(d.type_label, "unknown_lead");
      continue;
    }
    const EngagementScore engagement = ScoreEngagement(recorded[j]->events, *policy, d.now_ms);
    ScoreInputs inputs;
    inputs.scored_at_ms = d.now_ms;
    inputs.revision = previous->revision() + 1;
    inputs.engagement = &engagement;
    ScoreLeadInto(previous->lead(), *policy, inputs, &scores[j]);
    to_store.push_back({j, &scores[j], previous->lifecycle_stage() == leadflow::common::v1::MQL});
    rescored[lead_of[j]] = &scores[j];
  }
  // 4. Store the rescores: one round trip.
  std::vector<const LeadScored*> puts;
  puts.reserve(to_store.size());
  for (const auto& s : to_store) puts.push_back(s.score);
  const auto stored = store_.PutMany(puts);
  for (size_t k = 0; k < to_store.size(); ++k) {
    const Stored& s = to_store[k];
    kafka::HandledMessage& r = results[index[s.event]];
    r.status = stored[k];
    if (!r.status.ok()) continue;
    r.out.push_back(ToScoredMessage(*s.score));
    metrics_.Scored(*s.score);
    metrics_.Engagement(decoded[s.event].type_label,
                        recorded[s.event]->added ? "rescored" : "duplicate_rescored");
    if (s.score->lifecycle_stage() == leadflow::common::v1::MQL && !s.was_mql) {
      metrics_.Promoted();
    }
  }
  return results;
}

}  // namespace leadflow::scoring
