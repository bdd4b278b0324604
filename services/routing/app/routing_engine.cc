#include "routing/app/routing_engine.h"

#include "common/log/log.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/business_time.h"

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

StatusOr<RepStateView> RoutingEngine::LoadReps(std::chrono::system_clock::time_point now,
                                               const std::string& extra_rep) {
  std::vector<std::string> rep_ids = policy_->AllRepIds();
  if (!extra_rep.empty()) rep_ids.push_back(extra_rep);
  return store_.LoadRepStates(
      rep_ids, [&](const std::string& rep) { return RepLocalDay(*policy_, rep, now); });
}

std::string RoutingEngine::PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                                   std::chrono::system_clock::time_point now, rv1::Decision& d,
                                   const std::set<std::string>& exclude) {
  std::lock_guard lock(router_mu_);
  return router_.PickRep(team, reps, now, d, exclude);
}

void RoutingEngine::FillLimits(const std::string& rep_id, std::chrono::system_clock::time_point now,
                               std::string* day, int* max_open, int* daily_cap) const {
  *day = RepLocalDay(*policy_, rep_id, now);
  const RepPolicy* rp = policy_->FindRep(rep_id);
  *max_open = rp != nullptr ? rp->rep->max_open_leads() : 0;
  *daily_cap = rp != nullptr ? rp->rep->daily_cap() : 0;
}

void RoutingEngine::Observe(const rv1::LeadAssigned& record, const ClaimResult& claim) {
  const auto& d = record.decision();
  const auto& meta = record.scored().lead().meta();
  metrics_.Decision(d, record.scored().segment());
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
    // For a queue claim the script reports the queue length after RPUSH.
    metrics_.QueueDepth(d.team(), static_cast<double>(claim.rep_open_leads));
  }
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
    // A lead that went to nurture (not yet qualified, overflow, or a protected
    // rejection) and comes back with a newer score is routed again.
    const bool upgrade =
        scored.revision() > rec.scored().revision() && rec.decision().outcome() == rv1::NURTURE;
    if (!upgrade) {
      metrics_.Redelivered();
      // Sales already closed or rejected this assignment: re-announcing it
      // would hand a finished lead back to the rep. Acknowledge only.
      if (!rec.decision().rep_id().empty()) {
        auto last = store_.LastFeedback(meta.lead_id());
        if (!last.ok()) return last.status();
        const std::string& rep = rec.decision().rep_id();
        if (*last == "close|" + rep || *last == "reject|" + rep) return Status::Ok();
      }
      return BuildOutputs(rec, message, clock_.NowMillis(), out);
    }
    replace = (*existing)->raw;
  }

  constexpr int kMaxAttempts = 8;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto reps = LoadReps(now, scored.lead().account_owner());
    if (!reps.ok()) return reps.status();

    RoutingResult result;
    {
      std::lock_guard lock(router_mu_);
      result = router_.Decide(scored, *reps, now);
    }
    if (replace) {
      auto* step = result.decision.add_path();
      step->set_rule_id("order.rescore");
      step->set_matched(true);
      step->set_detail("revision " + std::to_string(scored.revision()) +
                       " re-routed after nurture");
    }
    rv1::LeadAssigned record;
    *record.mutable_scored() = scored;
    *record.mutable_decision() = result.decision;
    if (result.sla_due_ms > 0) SetMillis(record.mutable_sla_due_at(), result.sla_due_ms);

    ClaimRequest req;
    req.record = &record;
    req.replace_raw = replace;
    const auto outcome = result.decision.outcome();
    if ((outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER) &&
        !result.decision.rep_id().empty()) {
      req.effect = ClaimEffect::kRep;
      FillLimits(result.decision.rep_id(), now, &req.day, &req.max_open, &req.daily_cap);
      // Owners take precedence over capacity; team picks never exceed it.
      if (outcome == rv1::NAMED_OWNER) req.max_open = req.daily_cap = 0;
      req.sla_due_ms = result.sla_due_ms;
    } else if (outcome == rv1::QUEUED) {
      req.effect = ClaimEffect::kQueue;
      req.sla_due_ms = result.sla_due_ms;
    }

    auto claim = store_.Claim(req);
    if (!claim.ok()) return claim.status();
    if (claim->kind == ClaimResult::Kind::kNoCapacity) {
      metrics_.ClaimConflict();
      continue;  // another replica took the last slot: decide again on fresh state
    }
    if (claim->kind == ClaimResult::Kind::kExists) {
      // Another delivery recorded a decision first: emit that one.
      metrics_.Redelivered();
      if (claim->existing.raw.empty()) {
        return Status::Unavailable("decision for lead changed concurrently; retrying");
      }
      return BuildOutputs(claim->existing.record, message, clock_.NowMillis(), out);
    }

    Status s = BuildOutputs(record, message, clock_.NowMillis(), out);
    if (!s.ok()) return s;
    Observe(record, *claim);
    if (outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER || outcome == rv1::QUEUED) {
      broadcaster_.Publish(record);
    }
    log::Info("lead routed", {{"trace_id", meta.trace_id()},
                              {"outcome", rv1::RoutingOutcome_Name(outcome)},
                              {"team", result.decision.team()},
                              {"rep", result.decision.rep_id()}});
    return Status::Ok();
  }
  return Status::Unavailable("capacity claims kept conflicting; retrying the message");
}

}  // namespace leadflow::routing
