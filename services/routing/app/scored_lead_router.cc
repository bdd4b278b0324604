#include "routing/app/scored_lead_router.h"

#include "common/log/log.h"
#include "common/privacy/erasure.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/cohort.h"
#include "routing/domain/queue_order.h"
#include "routing/domain/rep_needs.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

bool TakesRep(const rv1::Decision& d) {
  return (d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::NAMED_OWNER) && !d.rep_id().empty();
}

}  // namespace

ScoredLeadRouter::ScoredLeadRouter(std::shared_ptr<const RoutingPolicy> policy, RepPicker& picker,
                                   AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                                   const Clock& clock)
    : policy_(std::move(policy)),
      picker_(picker),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock) {}

bool ScoredLeadRouter::Admit(const kafka::ConsumedMessage& message, RoutedLead& lead) {
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

ScoredLeadRouter::Next ScoredLeadRouter::Recall(RoutedLead& lead,
                                                std::optional<std::string> recorded) {
  if (!recorded) return Next::kDecide;
  auto existing = DecisionLog::Parse(lead.id(), std::move(*recorded));
  if (!existing.ok()) {
    lead.result->status = existing.status();
    return Next::kDone;
  }
  // A recorded decision is re-emitted, unless it sent the lead to nurture and
  // this is a newer score: then the lead is routed again.
  const auto& rec = existing->record;
  if (lead.scored.revision() > rec.scored().revision() &&
      rec.decision().outcome() == rv1::NURTURE) {
    lead.replace = std::move(existing->raw);
    return Next::kDecide;
  }
  metrics_.Redelivered();
  lead.existing = std::move(*existing);
  if (!lead.existing->record.decision().rep_id().empty()) return Next::kCheckFeedback;
  lead.result->status = Reemit(*lead.existing, lead, lead.result->out);
  return Next::kDone;
}

void ScoredLeadRouter::ReemitUnlessFinished(RoutedLead& lead, const std::string& last_feedback,
                                            std::vector<std::string>& owned) {
  // Sales already closed or rejected this assignment: re-announcing it would
  // hand a finished lead back to the rep. Acknowledge only, and keep the
  // record (no second owner) for another sales cycle.
  const std::string& rep = lead.existing->record.decision().rep_id();
  if (last_feedback == "close|" + rep || last_feedback == "reject|" + rep) {
    if (IsSlim(lead.existing->record)) owned.push_back(lead.id());
    return;
  }
  lead.result->status = Reemit(*lead.existing, lead, lead.result->out);
}

void ScoredLeadRouter::Decide(RoutedLead& lead, RepStateView& reps,
                              std::chrono::system_clock::time_point now, ClaimRequest& req) {
  RoutingResult result = picker_.Decide(lead.scored, reps, now);
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
  FillEffect(lead, result.sla_due_ms, reps, now, req);
}

void ScoredLeadRouter::FillEffect(const RoutedLead& lead, int64_t sla_due_ms, RepStateView& reps,
                                  std::chrono::system_clock::time_point now, ClaimRequest& req) {
  const auto& d = lead.rest.decision();
  if (TakesRep(d)) {
    req.effect = ClaimEffect::kRep;
    picker_.FillLimits(d.rep_id(), now, &req.day, &req.max_open, &req.daily_cap);
    // Owners take precedence over capacity; team picks never exceed it.
    if (d.outcome() == rv1::NAMED_OWNER) req.max_open = req.daily_cap = 0;
    req.sla_due_ms = sla_due_ms;
    reps.CountClaim(d.rep_id());
  } else if (d.outcome() == rv1::QUEUED) {
    req.effect = ClaimEffect::kQueue;
    req.sla_due_ms = sla_due_ms;
    // Ranked in the team queue by the configured order (queue_order.h).
    const auto& at = d.decided_at();
    req.queue_entry = QueueEntry(policy_->queue_order(), lead.scored,
                                 at.seconds() * 1000 + at.nanos() / 1000000, lead.id());
  }
}

ScoredLeadRouter::Settled ScoredLeadRouter::Settle(RoutedLead& lead, StatusOr<ClaimResult>& claim) {
  kafka::HandledMessage& result = *lead.result;
  if (!claim.ok()) {
    result.status = claim.status();
    return Settled::kDone;
  }
  if (claim->kind == ClaimResult::Kind::kNoCapacity) {
    metrics_.ClaimConflict();  // another replica took the last slot: decide again on fresh state
    return Settled::kLostSlot;
  }
  if (claim->kind == ClaimResult::Kind::kExists) {
    // Another delivery recorded a decision first: emit that one.
    metrics_.Redelivered();
    if (claim->existing.raw.empty()) {
      result.status = Status::Unavailable("decision for lead changed concurrently; retrying");
      return Settled::kDone;
    }
    result.status = Reemit(claim->existing, lead, result.out);
    return Settled::kDone;
  }
  Emit(lead, *claim);
  return Settled::kDone;
}

void ScoredLeadRouter::Emit(RoutedLead& lead, const ClaimResult& claim) {
  kafka::HandledMessage& result = *lead.result;
  result.status =
      BuildOutputs(lead.parts(), lead.raw, *lead.message, clock_.NowMillis(), result.out);
  if (!result.status.ok()) return;
  const auto& d = lead.rest.decision();
  Observe(lead.scored, d, claim);
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

Status ScoredLeadRouter::Reemit(const StoredDecision& existing, const RoutedLead& lead,
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

void ScoredLeadRouter::Observe(const leadflow::scoring::v1::LeadScored& scored,
                               const rv1::Decision& d, const ClaimResult& claim) {
  const auto& meta = scored.lead().meta();
  metrics_.Decision(d, scored.segment());
  const auto outcome = d.outcome();
  const bool handed_over =
      outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER || outcome == rv1::CUSTOMER_INBOUND;
  if (handed_over && meta.has_first_submitted_at()) {
    const double first = static_cast<double>(meta.first_submitted_at().seconds()) +
                         meta.first_submitted_at().nanos() / 1e9;
    metrics_.SpeedToLead(d, clock_.NowMillis() / 1000.0 - first);
  }
  if ((outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER) && !d.rep_id().empty()) {
    metrics_.RepOpenLeads(d.team(), d.rep_id(), static_cast<double>(claim.rep_open_leads));
  } else if (outcome == rv1::QUEUED) {
    // For a queue claim the script reports the queue length after the ZADD.
    metrics_.QueueDepth(d.team(), static_cast<double>(claim.rep_open_leads));
  }
}

}  // namespace leadflow::routing
