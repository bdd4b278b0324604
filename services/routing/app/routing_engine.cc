#include "routing/app/routing_engine.h"

#include <algorithm>

#include "routing/app/decision_record.h"

namespace leadflow::routing {

namespace {

// Every unfinished message of the batch fails with `s`; false, to end the batch.
bool FailUnfinished(std::vector<RoutedLead>& leads, BatchWaves& waves, const Status& s) {
  for (size_t i = 0; i < leads.size(); ++i) {
    if (waves.finished(i)) continue;
    leads[i].result->status = s;
    waves.Finish(i);
  }
  return false;
}

}  // namespace

RoutingEngine::RoutingEngine(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                             AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                             const Clock& clock)
    : policy_(policy),
      store_(store),
      clock_(clock),
      picker_(policy, store.snapshots),
      lead_router_(policy, picker_, broadcaster, metrics, clock) {}

kafka::MessageHandler RoutingEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

kafka::BatchHandler RoutingEngine::BatchHandler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleBatch(batch); };
}

Status RoutingEngine::Handle(const kafka::ConsumedMessage& message,
                             std::vector<kafka::OutgoingMessage>& out) {
  auto results = Route({&message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

std::vector<kafka::HandledMessage> RoutingEngine::HandleBatch(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<const kafka::ConsumedMessage*> messages;
  messages.reserve(batch.size());
  for (const auto& m : batch) messages.push_back(&m);
  return Route(messages);
}

std::vector<kafka::HandledMessage> RoutingEngine::Route(
    const std::vector<const kafka::ConsumedMessage*>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<RoutedLead> leads;
  leads.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    RoutedLead lead;
    lead.message = batch[i];
    lead.result = &results[i];
    if (lead_router_.Admit(*batch[i], lead)) leads.push_back(std::move(lead));
  }
  std::vector<std::string> ids;
  ids.reserve(leads.size());
  for (const auto& lead : leads) ids.push_back(lead.id());
  BatchWaves waves(std::move(ids), kMaxRoutingAttempts);
  const auto now = clock_.Now();
  for (auto wave = waves.NextWave(); !wave.empty(); wave = waves.NextWave()) {
    if (!RouteWave(leads, wave, waves, now)) break;
  }
  return results;
}

bool RoutingEngine::RouteWave(std::vector<RoutedLead>& leads, const std::vector<size_t>& wave,
                              BatchWaves& waves, std::chrono::system_clock::time_point now) {
  auto snapshot = ReadWave(leads, wave, waves, now);
  if (!snapshot.ok()) return FailUnfinished(leads, waves, snapshot.status());

  // Each lead's recorded decision: re-emitted, or the lead is decided.
  std::vector<size_t> to_decide, recorded;
  size_t next_decision = 0;
  for (size_t i : wave) {
    if (waves.refused(i) > 0) {  // lost a claim: decide again, as before
      to_decide.push_back(i);
      continue;
    }
    switch (lead_router_.Recall(leads[i], std::move(snapshot->decisions[next_decision++]))) {
      case ScoredLeadRouter::Next::kDone:
        waves.Finish(i);
        break;
      case ScoredLeadRouter::Next::kCheckFeedback:
        recorded.push_back(i);
        break;
      case ScoredLeadRouter::Next::kDecide:
        to_decide.push_back(i);
        break;
    }
  }
  if (!recorded.empty()) {
    if (Status s = ReemitAssignments(leads, recorded); !s.ok()) {
      return FailUnfinished(leads, waves, s);
    }
    for (size_t i : recorded) waves.Finish(i);
  }
  if (to_decide.empty()) return true;

  // Decide in batch order on the snapshot, each rep claim counted into it.
  std::vector<ClaimRequest> claims(to_decide.size());
  for (size_t j = 0; j < to_decide.size(); ++j) {
    lead_router_.Decide(leads[to_decide[j]], snapshot->reps, now, claims[j]);
  }
  if (before_claims_) before_claims_();
  if (Status s = ClaimAndSettle(leads, to_decide, claims, waves); !s.ok()) {
    return FailUnfinished(leads, waves, s);
  }
  return true;
}

StatusOr<RoutingSnapshot> RoutingEngine::ReadWave(const std::vector<RoutedLead>& leads,
                                                  const std::vector<size_t>& wave,
                                                  const BatchWaves& waves,
                                                  std::chrono::system_clock::time_point now) {
  std::vector<std::string> lead_ids, rep_ids;
  for (size_t i : wave) {
    if (waves.refused(i) == 0) lead_ids.push_back(leads[i].id());
    for (const auto& rep : leads[i].reps) {
      if (std::find(rep_ids.begin(), rep_ids.end(), rep) == rep_ids.end()) rep_ids.push_back(rep);
    }
  }
  return store_.snapshots.Read(lead_ids, rep_ids,
                               [&](const std::string& rep) { return picker_.Day(rep, now); });
}

Status RoutingEngine::ReemitAssignments(std::vector<RoutedLead>& leads,
                                        const std::vector<size_t>& recorded) {
  std::vector<std::string> ids;
  ids.reserve(recorded.size());
  for (size_t i : recorded) ids.push_back(leads[i].id());
  auto last = store_.sales_feedback.LastFeedbacks(ids);
  if (!last.ok()) return last.status();
  std::vector<std::string> owned;  // slim records of closed or rejected leads
  for (size_t j = 0; j < recorded.size(); ++j) {
    lead_router_.ReemitUnlessFinished(leads[recorded[j]], (*last)[j], owned);
  }
  return store_.decisions.RenewOwned(owned, kOwnedRecordTtl.count());
}

Status RoutingEngine::ClaimAndSettle(std::vector<RoutedLead>& leads,
                                     const std::vector<size_t>& to_decide,
                                     const std::vector<ClaimRequest>& claims, BatchWaves& waves) {
  auto claimed = store_.claims.ClaimMany(claims);
  if (!claimed.ok()) return claimed.status();
  for (size_t j = 0; j < to_decide.size(); ++j) {
    const size_t i = to_decide[j];
    if (lead_router_.Settle(leads[i], (*claimed)[j]) == ScoredLeadRouter::Settled::kDone) {
      waves.Finish(i);
    } else if (!waves.Retry(i)) {
      leads[i].result->status =
          Status::Unavailable("capacity claims kept conflicting; retrying the message");
    }
  }
  return Status::Ok();
}

}  // namespace leadflow::routing
