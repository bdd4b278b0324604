#include "scoring/app/scoring_handler.h"

#include "common/kafka/topics.h"
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

}  // namespace

kafka::OutgoingMessage ToScoredMessage(const leadflow::scoring::v1::LeadScored& score) {
  kafka::OutgoingMessage m;
  m.topic = topics::kLeadsScored;
  m.key = score.lead().meta().account_key();
  m.payload = SerializeDeterministic(score);
  m.headers.push_back({topics::kTraceHeader, score.lead().meta().trace_id()});
  return m;
}

std::vector<kafka::HandledMessage> ScoringHandler::HandleAccepted(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  struct Pending {
    size_t index = 0;
    leadflow::intake::v1::LeadAccepted lead;
    int64_t scored_at = 0;
    size_t link = SIZE_MAX;  // its entry in `links`, if it has a contact
  };
  std::vector<Pending> pending;
  pending.reserve(batch.size());
  std::vector<EngagementStore::Link> links;
  const int64_t now = clock_.NowMillis();
  for (size_t i = 0; i < batch.size(); ++i) {
    Pending p;
    p.index = i;
    if (Status s = DecodeAccepted(batch[i], &p.lead); !s.ok()) {
      results[i].status = s;
      continue;
    }
    p.scored_at = batch[i].timestamp_ms > 0 ? batch[i].timestamp_ms : now;
    if (!p.lead.contact().contact_id().empty()) {
      p.link = links.size();
      links.push_back({p.lead.contact().contact_id(), p.lead.meta().lead_id(), now});
    }
    pending.push_back(std::move(p));
  }
  // 1. Link each contact to its lead and load its engagement: one round trip.
  const auto linked = engagement_.LinkMany(links);
  // 2. Score.
  const auto policy = model_.Get();
  std::vector<LeadScored>& scores = Scratch(pending.size());
  std::vector<const LeadScored*> to_store;
  std::vector<size_t> stored_index;  // batch index of each entry of to_store
  const std::vector<EngagementRecord> no_events;
  for (size_t j = 0; j < pending.size(); ++j) {
    const Pending& p = pending[j];
    const std::vector<EngagementRecord>* events = &no_events;
    if (p.link != SIZE_MAX) {
      const auto& l = linked[p.link];
      if (!l.ok()) {
        results[p.index].status = Status::Unavailable(l.status().message());
        continue;
      }
      events = &*l;
    }
    const EngagementScore engagement = ScoreEngagement(*events, *policy, p.scored_at);
    ScoreInputs inputs;
    inputs.scored_at_ms = p.scored_at;
    inputs.revision = 1;
    inputs.engagement = &engagement;
    ScoreLeadInto(p.lead, *policy, inputs, &scores[j]);
    to_store.push_back(&scores[j]);
    stored_index.push_back(p.index);
  }
  // 3. Store the scores: one round trip.
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

Status ScoringHandler::Handle(const kafka::ConsumedMessage& message,
                              std::vector<kafka::OutgoingMessage>& out) {
  auto results = HandleAccepted({message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

Status ScoringHandler::HandleEngagement(const kafka::ConsumedMessage& message,
                                        std::vector<kafka::OutgoingMessage>& out) {
  auto results = HandleEngagements({message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

kafka::BatchHandler ScoringHandler::Handler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleAccepted(batch); };
}

kafka::BatchHandler ScoringHandler::EngagementHandler() {
  return
      [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleEngagements(batch); };
}

}  // namespace leadflow::scoring
