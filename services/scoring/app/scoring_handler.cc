#include "scoring/app/scoring_handler.h"

#include "common/kafka/topics.h"
#include "common/util/deterministic_bytes.h"
#include "scoring/domain/scorer.h"

namespace leadflow::scoring {

using leadflow::scoring::v1::LeadScored;

namespace {

// Reusable scores per consumer thread: cleared sub-messages and strings keep
// their memory, which roughly halves the allocations of a score.
std::vector<LeadScored>& Scratch(size_t n) {
  thread_local std::vector<LeadScored> scores;
  if (scores.size() < n) scores.resize(n);
  return scores;
}

Status DecodeAccepted(const kafka::ConsumedMessage& message,
                      leadflow::intake::v1::LeadAccepted* lead) {
  if (!lead->ParseFromString(message.payload)) {
    return Status::InvalidArgument("not a leadflow.intake.v1.LeadAccepted",
                                   leadflow::common::v1::MALFORMED_PAYLOAD);
  }
  if (lead->meta().lead_id().empty()) {
    return Status::InvalidArgument("LeadAccepted without meta.lead_id",
                                   leadflow::common::v1::MISSING_FIELD);
  }
  if (lead->meta().trace_id().empty()) {
    if (auto t = message.FindHeader(topics::kTraceHeader)) {
      lead->mutable_meta()->set_trace_id(std::string(*t));
    }
  }
  return Status::Ok();
}

// A batch handler's work on one message (a batch of one).
Status HandleOne(const kafka::BatchHandler& handle, const kafka::ConsumedMessage& message,
                 std::vector<kafka::OutgoingMessage>& out) {
  auto results = handle({message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
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

// One decoded leads.accepted record on its way.
struct ScoringHandler::Accepted {
  size_t index = 0;  // in the batch and its results
  leadflow::intake::v1::LeadAccepted lead;
  int64_t scored_at = 0;   // the record's time: the score's time input
  size_t link = SIZE_MAX;  // its entry in the batch's links, if it has a contact
};

// The batching layer: every contact linked to its lead (and its engagement
// loaded) in one round trip, each lead scored, the scores stored in one.
std::vector<kafka::HandledMessage> ScoringHandler::HandleAccepted(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<Accepted> leads;
  leads.reserve(batch.size());
  std::vector<EngagementStore::Link> links;
  const int64_t now = clock_.NowMillis();
  for (size_t i = 0; i < batch.size(); ++i) {
    Accepted a;
    a.index = i;
    results[i].status = DecodeAccepted(batch[i], &a.lead);
    if (!results[i].status.ok()) continue;  // dead-lettered
    a.scored_at = batch[i].timestamp_ms > 0 ? batch[i].timestamp_ms : now;
    if (!a.lead.contact().contact_id().empty()) {
      a.link = links.size();
      links.push_back({a.lead.contact().contact_id(), a.lead.meta().lead_id(), now});
    }
    leads.push_back(std::move(a));
  }
  const auto linked = engagement_.LinkMany(links);
  const auto policy = model_.Get();
  std::vector<LeadScored>& scores = Scratch(leads.size());
  std::vector<const LeadScored*> to_store;
  std::vector<size_t> stored_index;  // batch index of each entry of to_store
  for (size_t j = 0; j < leads.size(); ++j) {
    results[leads[j].index].status = Score(leads[j], linked, *policy, &scores[j]);
    if (!results[leads[j].index].status.ok()) continue;
    to_store.push_back(&scores[j]);
    stored_index.push_back(leads[j].index);
  }
  const auto stored = store_.PutMany(to_store);
  for (size_t k = 0; k < to_store.size(); ++k) {
    kafka::HandledMessage& r = results[stored_index[k]];
    r.status = stored[k];
    if (!r.status.ok()) continue;
    r.out.push_back(ToScoredMessage(*to_store[k]));
    metrics_.Scored(*to_store[k]);
  }
  return results;
}

// The rule for one accepted lead (docs/domain-rules.md §4): scored at revision
// 1 with its contact's engagement so far (which may precede the lead).
Status ScoringHandler::Score(const Accepted& a,
                             const std::vector<StatusOr<std::vector<EngagementRecord>>>& linked,
                             const ScoringPolicy& policy, LeadScored* out) {
  static const std::vector<EngagementRecord> kNoEvents;
  const std::vector<EngagementRecord>* events = &kNoEvents;
  if (a.link != SIZE_MAX) {
    const auto& l = linked[a.link];
    if (!l.ok()) return Status::Unavailable(l.status().message());
    events = &*l;
  }
  const EngagementScore engagement = ScoreEngagement(*events, policy, a.scored_at);
  ScoreInputs inputs;
  inputs.scored_at_ms = a.scored_at;
  inputs.revision = 1;
  inputs.engagement = &engagement;
  ScoreLeadInto(a.lead, policy, inputs, out);
  return Status::Ok();
}

Status ScoringHandler::Handle(const kafka::ConsumedMessage& message,
                              std::vector<kafka::OutgoingMessage>& out) {
  return HandleOne(Handler(), message, out);
}

Status ScoringHandler::HandleEngagement(const kafka::ConsumedMessage& message,
                                        std::vector<kafka::OutgoingMessage>& out) {
  return HandleOne(EngagementHandler(), message, out);
}

kafka::BatchHandler ScoringHandler::Handler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleAccepted(batch); };
}

kafka::BatchHandler ScoringHandler::EngagementHandler() {
  return
      [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleEngagements(batch); };
}

}  // namespace leadflow::scoring
