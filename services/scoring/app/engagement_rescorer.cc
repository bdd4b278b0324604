#include "scoring/app/engagement_rescorer.h"

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

// Reusable scores per consumer thread: cleared sub-messages and strings keep
// their memory, which roughly halves the allocations of a score.
std::vector<LeadScored>& Scratch(size_t n) {
  thread_local std::vector<LeadScored> scores;
  if (scores.size() < n) scores.resize(n);
  return scores;
}

}  // namespace

// One decoded event on its way: recorded, then maybe rescored.
struct EngagementRescorer::Event {
  size_t index = 0;  // in the batch and its results
  DecodedEvent decoded;
  StatusOr<EngagementStore::Recorded> recorded = Status::Internal("not recorded");
  std::string lead_id;  // the lead it rescores: its contact's linked lead, else its own
  const LeadScored* rescore = nullptr;  // set when rescored, until stored
  bool was_mql = false;                 // the score it builds on was an MQL
};

// The latest score of each lead of the batch: read in one round trip, then
// replaced by the batch's own rescores, so that a lead's later event builds on
// its earlier one.
class EngagementRescorer::LatestScores {
 public:
  LatestScores(ScoreStore& store, const std::vector<Event>& events) {
    std::vector<std::string> lead_ids;
    for (const Event& e : events) {
      if (!e.lead_id.empty() && slot_.emplace(e.lead_id, lead_ids.size()).second) {
        lead_ids.push_back(e.lead_id);
      }
    }
    read_ = store.GetMany(lead_ids);
  }
  // nullptr: no score (never scored, or expired).
  StatusOr<const LeadScored*> Of(const std::string& lead_id) const {
    if (auto it = rescored_.find(lead_id); it != rescored_.end()) return it->second;
    const auto& read = read_[slot_.at(lead_id)];
    if (!read.ok()) return Status::Unavailable(read.status().message());
    return read->has_value() ? &**read : nullptr;
  }
  void Rescored(const std::string& lead_id, const LeadScored* score) { rescored_[lead_id] = score; }

 private:
  std::map<std::string, size_t> slot_;  // lead id -> its entry in read_
  std::vector<StatusOr<std::optional<LeadScored>>> read_;
  std::map<std::string, const LeadScored*> rescored_;
};

// The batching layer: the events recorded in one round trip (in batch order),
// their leads' latest scores read in one, each event rescored in order, the
// rescores stored in one.
std::vector<kafka::HandledMessage> EngagementRescorer::HandleEngagements(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<Event> events;
  std::vector<EngagementStore::ContactEvent> to_record;
  const int64_t clock_now = clock_.NowMillis();
  for (size_t i = 0; i < batch.size(); ++i) {
    Event e;
    e.index = i;
    results[i].status = DecodeEvent(batch[i], clock_now, &e.decoded);
    if (!results[i].status.ok()) continue;  // dead-lettered
    to_record.push_back({e.decoded.contact_id, e.decoded.record});
    events.push_back(std::move(e));
  }
  auto recorded = engagement_.RecordMany(to_record);
  for (size_t j = 0; j < events.size(); ++j) {
    Event& e = events[j];
    e.recorded = std::move(recorded[j]);
    if (e.recorded.ok())
      e.lead_id = !e.recorded->lead_id.empty() ? e.recorded->lead_id : e.decoded.lead_id;
  }
  LatestScores latest(store_, events);
  const auto policy = model_.Get();
  std::vector<LeadScored>& scores = Scratch(events.size());
  for (size_t j = 0; j < events.size(); ++j) {
    results[events[j].index].status = Rescore(events[j], latest, *policy, &scores[j]);
  }
  StoreAndPublish(events, results);
  return results;
}

// The rule for one recorded event: its lead's latest score, rescored with the
// contact's decayed engagement at the record's time, one revision later.
Status EngagementRescorer::Rescore(Event& e, LatestScores& latest, const ScoringPolicy& policy,
                                   LeadScored* out) {
  if (!e.recorded.ok()) return Status::Unavailable(e.recorded.status().message());
  if (e.lead_id.empty()) {
    metrics_.Engagement(e.decoded.type_label, "unknown_contact");
    return Status::Ok();
  }
  const auto previous = latest.Of(e.lead_id);
  if (!previous.ok()) return previous.status();
  if (*previous == nullptr) return NotScoredYet(e);
  const EngagementScore engagement = ScoreEngagement(e.recorded->events, policy, e.decoded.now_ms);
  ScoreInputs inputs;
  inputs.scored_at_ms = e.decoded.now_ms;
  inputs.revision = (*previous)->revision() + 1;
  inputs.engagement = &engagement;
  ScoreLeadInto((*previous)->lead(), policy, inputs, out);
  e.rescore = out;
  e.was_mql = (*previous)->lifecycle_stage() == leadflow::common::v1::MQL;
  latest.Rescored(e.lead_id, out);
  return Status::Ok();
}

// A lead without a score: linked a moment ago, its first score is being
// written right now (link, then score), so the event is retried to be in a
// rescore, not lost; else its score has expired.
Status EngagementRescorer::NotScoredYet(const Event& e) {
  if (!e.recorded->lead_id.empty() &&
      clock_.NowMillis() - e.recorded->linked_at_ms < kLinkSettleMillis) {
    return Status::Unavailable("lead " + e.lead_id + " linked but not scored yet");
  }
  metrics_.Engagement(e.decoded.type_label, "unknown_lead");
  return Status::Ok();
}

// The batch's rescores stored in one round trip; each stored one is published.
void EngagementRescorer::StoreAndPublish(std::vector<Event>& events,
                                         std::vector<kafka::HandledMessage>& results) {
  std::vector<const Event*> rescored;
  std::vector<const LeadScored*> puts;
  for (const Event& e : events) {
    if (e.rescore == nullptr) continue;
    rescored.push_back(&e);
    puts.push_back(e.rescore);
  }
  const auto stored = store_.PutMany(puts);
  for (size_t k = 0; k < rescored.size(); ++k) {
    const Event& e = *rescored[k];
    kafka::HandledMessage& r = results[e.index];
    r.status = stored[k];
    if (!r.status.ok()) continue;
    r.out.push_back(ToScoredMessage(*e.rescore));
    metrics_.Scored(*e.rescore);
    metrics_.Engagement(e.decoded.type_label,
                        e.recorded->added ? "rescored" : "duplicate_rescored");
    if (e.rescore->lifecycle_stage() == leadflow::common::v1::MQL && !e.was_mql) {
      metrics_.Promoted();
    }
  }
}

}  // namespace leadflow::scoring
