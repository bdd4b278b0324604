// RoutingEngine's leads.scored path: a consumer batch routed in waves (see
// routing_engine.h and domain/batch_waves.h).
#include "common/log/log.h"
#include "common/privacy/erasure.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/cohort.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/rep_needs.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr int kMaxAttempts = 8;  // decisions per message before it is retried later

bool TakesRep(const rv1::Decision& d) {
  return (d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::NAMED_OWNER) && !d.rep_id().empty();
}

}  // namespace

struct RoutingEngine::Lead {
  const kafka::ConsumedMessage* message = nullptr;
  kafka::HandledMessage* result = nullptr;
  leadflow::scoring::v1::LeadScored scored;
  std::vector<std::string> reps;           // whose state the decision can consult
  std::optional<std::string> replace;      // rescore after nurture: the record it replaces
  std::optional<StoredDecision> existing;  // redelivery: the recorded decision
  rv1::LeadAssigned rest;                  // the decision record, without the lead
  std::string raw;     // the whole record's bytes (a decision that keeps the lead)
  std::string stored;  // the slim record's bytes (one that does not)

  const std::string& id() const { return scored.lead().meta().lead_id(); }
  RecordParts parts() const { return {scored, message->payload, rest}; }
};

std::vector<kafka::HandledMessage> RoutingEngine::Route(
    const std::vector<const kafka::ConsumedMessage*>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<Lead> leads;
  leads.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Lead lead;
    lead.message = batch[i];
    lead.result = &results[i];
    if (Admit(*batch[i], lead)) leads.push_back(std::move(lead));
  }
  std::vector<std::string> ids;
  ids.reserve(leads.size());
  for (const auto& lead : leads) ids.push_back(lead.id());
  BatchWaves waves(std::move(ids), kMaxAttempts);
  const auto now = clock_.Now();
  for (auto wave = waves.NextWave(); !wave.empty(); wave = waves.NextWave()) {
    if (!RouteWave(leads, wave, waves, now)) break;
  }
  return results;
}

bool RoutingEngine::Admit(const kafka::ConsumedMessage& message, Lead& lead) {
  Status& status = lead.result->status;
  if (!lead.scored.ParseFromString(message.payload)) {
    status =
        Status::InvalidArgument("leads.scored payload is not a LeadScored", cv1::MALFORMED_PAYLOAD);
    return false;
  }
  const auto& meta = lead.scored.lead().meta();
  if (meta.lead_id().empty()) {
    status = Status::InvalidArgument("lead.meta.lead_id: required", cv1::MISSING_FIELD);
    return false;
  }
  if (meta.relationship() == cv1::RELATIONSHIP_UNSPECIFIED) {
    // Without a relationship the wall cannot be enforced: never guess.
    status = Status::InvalidArgument("lead.meta.relationship: required", cv1::MISSING_FIELD);
    return false;
  }
  lead.reps = RepsConsulted(*policy_, lead.scored);
  return true;
}

bool RoutingEngine::RouteWave(std::vector<Lead>& leads, const std::vector<size_t>& wave,
                              BatchWaves& waves, std::chrono::system_clock::time_point now) {
  auto fail = [&](const Status& s) {
    for (size_t i = 0; i < leads.size(); ++i) {
      if (waves.finished(i)) continue;
      leads[i].result->status = s;
      waves.Finish(i);
    }
    return false;
  };

  // 1. One read: the recorded decisions of the leads decided for the first
  // time, and the state of every rep one of them can need.
  std::vector<std::string> lead_ids, rep_ids;
  for (size_t i : wave) {
    if (waves.refused(i) == 0) lead_ids.push_back(leads[i].id());
    for (const auto& rep : leads[i].reps) {
      if (std::find(rep_ids.begin(), rep_ids.end(), rep) == rep_ids.end()) rep_ids.push_back(rep);
    }
  }
  auto snapshot = store_.ReadForRouting(
      lead_ids, rep_ids, [&](const std::string& rep) { return days_.Day(rep, now); });
  if (!snapshot.ok()) return fail(snapshot.status());

  // 2. A recorded decision is re-emitted, unless it sent the lead to nurture
  // and this is a newer score: then the lead is routed again.
  std::vector<size_t> to_decide, need_feedback;
  std::vector<std::string> feedback_ids;
  size_t next_decision = 0;
  for (size_t i : wave) {
    Lead& lead = leads[i];
    if (waves.refused(i) > 0) {  // lost a claim: decide again, as before
      to_decide.push_back(i);
      continue;
    }
    auto& raw = snapshot->decisions[next_decision++];
    if (!raw) {
      to_decide.push_back(i);
      continue;
    }
    auto existing = RoutingStore::ParseDecision(lead.id(), std::move(*raw));
    if (!existing.ok()) {
      lead.result->status = existing.status();
      waves.Finish(i);
      continue;
    }
    const auto& rec = existing->record;
    if (lead.scored.revision() > rec.scored().revision() &&
        rec.decision().outcome() == rv1::NURTURE) {
      lead.replace = std::move(existing->raw);
      to_decide.push_back(i);
      continue;
    }
    metrics_.Redelivered();
    lead.existing = std::move(*existing);
    if (!lead.existing->record.decision().rep_id().empty()) {
      need_feedback.push_back(i);
      feedback_ids.push_back(lead.id());
      continue;
    }
    lead.result->status = Reemit(*lead.existing, lead, lead.result->out);
    waves.Finish(i);
  }
  if (!need_feedback.empty()) {
    auto last = store_.LastFeedbacks(feedback_ids);
    if (!last.ok()) return fail(last.status());
    std::vector<std::string> owned;  // slim records of closed or rejected leads
    for (size_t j = 0; j < need_feedback.size(); ++j) {
      Lead& lead = leads[need_feedback[j]];
      // Sales already closed or rejected this assignment: re-announcing it
      // would hand a finished lead back to the rep. Acknowledge only, and
      // keep the record (no second owner) for another sales cycle.
      const std::string& rep = lead.existing->record.decision().rep_id();
      if ((*last)[j] == "close|" + rep || (*last)[j] == "reject|" + rep) {
        if (IsSlim(lead.existing->record)) owned.push_back(lead.id());
        continue;
      }
      lead.result->status = Reemit(*lead.existing, lead, lead.result->out);
    }
    if (Status s = store_.RenewOwned(owned, kOwnedRecordTtl.count()); !s.ok()) return fail(s);
    for (size_t i : need_feedback) waves.Finish(i);
  }
  if (to_decide.empty()) return true;

  // 3. Decide in batch order on the snapshot; each planned rep claim is
  // counted into it, so the next lead sees the rep's load as it will be.
  std::vector<ClaimRequest> claims(to_decide.size());
  {
    std::lock_guard lock(router_mu_);
    for (size_t j = 0; j < to_decide.size(); ++j) {
      Decide(leads[to_decide[j]], snapshot->reps, now, claims[j]);
    }
  }

  // 4. Every claim in one round trip; Redis applies them in this order, each
  // re-checking the rep's caps atomically.
  if (before_claims_) before_claims_();
  auto claimed = store_.ClaimMany(claims);
  if (!claimed.ok()) return fail(claimed.status());
  for (size_t j = 0; j < to_decide.size(); ++j) {
    Settle(leads[to_decide[j]], to_decide[j], (*claimed)[j], waves);
  }
  return true;
}

void RoutingEngine::Decide(Lead& lead, RepStateView& reps,
                           std::chrono::system_clock::time_point now, ClaimRequest& req) {
  RoutingResult result = router_.Decide(lead.scored, reps, now);
  if (lead.replace) {
    auto* step = result.decision.add_path();
    step->set_rule_id("order.rescore");
    step->set_matched(true);
    step->set_detail("revision " + std::to_string(lead.scored.revision()) +
                     " re-routed after nurture");
  }
  lead.rest.Clear();
  *lead.rest.mutable_decision() = std::move(result.decision);
  if (result.sla_due_ms > 0) SetMillis(lead.rest.mutable_sla_due_at(), result.sla_due_ms);

  const auto& d = lead.rest.decision();
  if (KeepsLead(d.outcome())) {
    // Routing acts on the lead again (queue drain, SLA, feedback): the whole
    // record, until sales feedback ends it (decision_record.h).
    lead.raw = EncodeRecord(lead.parts());
    lead.stored.clear();
    req.raw = &lead.raw;
  } else {
    // Handed on for good: ids and the decision, for the redelivery window.
    lead.raw.clear();
    lead.stored = SlimRecordBytes(lead.id(), lead.scored.revision(), lead.rest);
    req.raw = &lead.stored;
    req.ttl_seconds = kRedeliveryWindow.count();
  }
  req.lead_id = lead.id();
  req.rep_id = d.rep_id();
  req.team = d.team();
  req.replace_raw = lead.replace;
  // The lead joins its submission cohort with the claim (cohort.h).
  if (const auto cohort = CohortOf(lead.scored); cohort && d.outcome() != rv1::DISQUALIFIED) {
    req.cohort = cohort->Name();
    req.cohort_expires_at = CohortExpiresAtSeconds(cohort->month);
  }
  if (TakesRep(d)) {
    req.effect = ClaimEffect::kRep;
    FillLimits(d.rep_id(), now, &req.day, &req.max_open, &req.daily_cap);
    // Owners take precedence over capacity; team picks never exceed it.
    if (d.outcome() == rv1::NAMED_OWNER) req.max_open = req.daily_cap = 0;
    req.sla_due_ms = result.sla_due_ms;
    reps.CountClaim(d.rep_id());
  } else if (d.outcome() == rv1::QUEUED) {
    req.effect = ClaimEffect::kQueue;
    req.sla_due_ms = result.sla_due_ms;
    // Ranked in the team queue by the configured order (queue_order.h).
    const auto& at = d.decided_at();
    req.queue_entry = QueueEntry(policy_->queue_order(), lead.scored,
                                 at.seconds() * 1000 + at.nanos() / 1000000, lead.id());
  }
}

void RoutingEngine::Settle(Lead& lead, size_t index, StatusOr<ClaimResult>& claim,
                           BatchWaves& waves) {
  kafka::HandledMessage& result = *lead.result;
  if (!claim.ok()) {
    result.status = claim.status();
    waves.Finish(index);
    return;
  }
  if (claim->kind == ClaimResult::Kind::kNoCapacity) {
    metrics_.ClaimConflict();  // another replica took the last slot: decide again on fresh state
    if (!waves.Retry(index)) {
      result.status = Status::Unavailable("capacity claims kept conflicting; retrying the message");
    }
    return;
  }
  waves.Finish(index);
  if (claim->kind == ClaimResult::Kind::kExists) {
    // Another delivery recorded a decision first: emit that one.
    metrics_.Redelivered();
    if (claim->existing.raw.empty()) {
      result.status = Status::Unavailable("decision for lead changed concurrently; retrying");
      return;
    }
    result.status = Reemit(claim->existing, lead, result.out);
    return;
  }

  result.status =
      BuildOutputs(lead.parts(), lead.raw, *lead.message, clock_.NowMillis(), result.out);
  if (!result.status.ok()) return;
  const auto& d = lead.rest.decision();
  Observe(lead.scored, d, *claim);
  log::Info("lead routed", {{"trace_id", lead.scored.lead().meta().trace_id()},
                            {"outcome", rv1::RoutingOutcome_Name(d.outcome())},
                            {"team", d.team()},
                            {"rep", d.rep_id()}});
  if (d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::NAMED_OWNER ||
      d.outcome() == rv1::QUEUED) {
    rv1::LeadAssigned record = std::move(lead.rest);  // the lead is done with
    *record.mutable_scored() = std::move(lead.scored);
    broadcaster_.Publish(record);
  }
}

Status RoutingEngine::Reemit(const StoredDecision& existing, const Lead& lead,
                             std::vector<kafka::OutgoingMessage>& out) {
  const int64_t now_ms = clock_.NowMillis();
  if (!IsSlim(existing.record)) return BuildOutputs(existing.record, *lead.message, now_ms, out);
  // A slim record: its decision, with the lead this message carries (for a
  // redelivery, the very bytes the first emission embedded).
  rv1::LeadAssigned rest = existing.record;
  rest.clear_scored();
  auto build = [&](const leadflow::scoring::v1::LeadScored& scored, std::string_view bytes) {
    const RecordParts parts{scored, bytes, rest};
    const std::string raw = KeepsLead(rest.decision().outcome()) ? EncodeRecord(parts) : "";
    return BuildOutputs(parts, raw, *lead.message, now_ms, out);
  };
  if (!IsErased(existing.record)) return build(lead.scored, lead.message->payload);
  // The contact was erased after the decision: what routing re-emits names
  // nobody, as the scrubbed full record would not have.
  leadflow::scoring::v1::LeadScored scrubbed = lead.scored;
  privacy::ScrubLead(scrubbed.mutable_lead());
  return build(scrubbed, scrubbed.SerializeAsString());
}

}  // namespace leadflow::routing
