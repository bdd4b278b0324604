#include "routing/app/routing_engine.h"

#include "common/log/log.h"
#include "routing/app/routing_outputs.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

RoutingEngine::RoutingEngine(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                             AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                             const Clock& clock)
    : policy_(policy),
      store_(store),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock),
      router_(policy) {}

kafka::MessageHandler RoutingEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

Status RoutingEngine::Handle(const kafka::ConsumedMessage& message,
                             std::vector<kafka::OutgoingMessage>& out) {
  leadflow::scoring::v1::LeadScored scored;
  if (!scored.ParseFromString(message.payload)) {
    return Status::InvalidArgument("leads.scored payload is not a LeadScored",
                                   cv1::MALFORMED_PAYLOAD);
  }
  const auto& meta = scored.lead().meta();
  if (meta.lead_id().empty()) {
    return Status::InvalidArgument("lead.meta.lead_id: required", cv1::MISSING_FIELD);
  }
  if (meta.relationship() == cv1::RELATIONSHIP_UNSPECIFIED) {
    // Without a relationship the wall cannot be enforced: never guess.
    return Status::InvalidArgument("lead.meta.relationship: required", cv1::MISSING_FIELD);
  }
  const auto now = clock_.Now();

  auto existing = store_.GetDecision(meta.lead_id());
  if (!existing.ok()) return existing.status();
  std::optional<std::string> replace;
  if (existing->has_value()) {
    const auto& rec = (*existing)->record;
    const bool upgrade =
        scored.revision() > rec.scored().revision() && rec.decision().outcome() == rv1::NURTURE;
    if (!upgrade) {
      metrics_.Redelivered();
      return BuildOutputs(rec, message, clock_.NowMillis(), out);
    }
    replace = (*existing)->raw;
  }

  std::vector<std::string> rep_ids = policy_->AllRepIds();
  if (!scored.lead().account_owner().empty()) rep_ids.push_back(scored.lead().account_owner());
  auto reps = store_.LoadRepStates(rep_ids, now);
  if (!reps.ok()) return reps.status();

  RoutingResult result;
  {
    std::lock_guard lock(router_mu_);
    result = router_.Decide(scored, *reps, now);
  }
  rv1::LeadAssigned record;
  *record.mutable_scored() = scored;
  *record.mutable_decision() = result.decision;
  if (result.sla_due_ms > 0) {
    record.mutable_sla_due_at()->set_seconds(result.sla_due_ms / 1000);
    record.mutable_sla_due_at()->set_nanos(static_cast<int32_t>(result.sla_due_ms % 1000) *
                                           1000000);
  }
  ClaimEffect effect = ClaimEffect::kNone;
  const auto outcome = result.decision.outcome();
  if ((outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER) &&
      !result.decision.rep_id().empty()) {
    effect = ClaimEffect::kRep;
  } else if (outcome == rv1::QUEUED) {
    effect = ClaimEffect::kQueue;
  }

  auto claim = store_.Claim(record, effect, now, replace);
  if (!claim.ok()) return claim.status();
  if (!claim->claimed) {
    // Another delivery recorded a decision first: emit that one.
    metrics_.Redelivered();
    return BuildOutputs(claim->existing.record, message, clock_.NowMillis(), out);
  }

  Status s = BuildOutputs(record, message, clock_.NowMillis(), out);
  if (!s.ok()) return s;
  metrics_.Decision(result.decision, scored.segment());
  if (meta.has_first_submitted_at()) {
    const double first = static_cast<double>(meta.first_submitted_at().seconds()) +
                         meta.first_submitted_at().nanos() / 1e9;
    metrics_.SpeedToLead(result.decision, clock_.NowMillis() / 1000.0 - first);
  }
  if (effect == ClaimEffect::kRep) {
    metrics_.RepOpenLeads(result.decision.team(), result.decision.rep_id(),
                          static_cast<double>(claim->rep_open_leads));
  } else if (effect == ClaimEffect::kQueue) {
    metrics_.QueueDepth(result.decision.team(), static_cast<double>(claim->queue_depth));
  }
  if (outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER || outcome == rv1::QUEUED) {
    broadcaster_.Publish(record);
  }
  log::Info("lead routed", {{"lead_id", meta.lead_id()},
                            {"outcome", rv1::RoutingOutcome_Name(outcome)},
                            {"team", result.decision.team()},
                            {"rep", result.decision.rep_id()}});
  return Status::Ok();
}

}  // namespace leadflow::routing
