#include "routing/app/feedback_processor.h"

#include <algorithm>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/deal_stages.h"
#include "routing/domain/feedback.h"
#include "routing/domain/sales_state.h"
#include "routing/domain/won_deal.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr int kRecordAttempts = 5;

// The record a lead keeps once its rep closed or rejected it
// (decision_record.h): slim for a sales cycle; after a protected rejection
// (`nurture` set: its decision) the NURTURE record with the lead for the
// redelivery window, so a redelivered rejection re-emits its NurtureRequested.
FeedbackRecord TerminalRecord(const rv1::LeadAssigned& rec, const rv1::Decision* nurture) {
  FeedbackRecord w;
  if (nurture != nullptr) {
    rv1::LeadAssigned updated = rec;
    *updated.mutable_decision() = *nurture;
    updated.clear_sla_due_at();
    updated.SerializeToString(&w.new_record);
    w.new_record_ttl_seconds = w.feedback_ttl_seconds = kRedeliveryWindow.count();
  } else {
    Slim(rec).SerializeToString(&w.new_record);
    w.new_record_ttl_seconds = w.feedback_ttl_seconds = kOwnedRecordTtl.count();
  }
  return w;
}

// A close WON: the deal goes in the won ledger of this month and the lead
// into its cohort's won deals (cohort.h, won_deal.h), with the close itself.
void AddWonDeal(const rv1::LeadAssigned& rec, const FeedbackTags& tags, int64_t won_at_ms,
                FeedbackRecord* w) {
  const WonRecord won = WonRecordOf(rec.scored(), tags.value_rub, won_at_ms);
  w->won_entry = won.entry;
  w->won_month = won.month;
  w->won_expires_at = won.ledger_expires_at;
  if (!won.cohort.empty()) {
    w->won_cohort = won.cohort;
    w->won_at_ms = won.won_at_ms;
    w->cohort_expires_at = won.cohort_expires_at;
  }
}

// One answer for an unknown lead, another rep's lead and a closed one, so the
// text tells a caller nothing about leads outside its reps.
Status NotOpen(const rv1::SalesFeedback& fb) {
  return Status::FailedPrecondition("lead " + fb.lead_id() + " is not open with rep " + fb.rep_id());
}

Status NotPermitted(std::string what) {
  return Status::InvalidArgument(std::move(what), cv1::NOT_PERMITTED);
}

// Whether `rec` already is what this feedback leaves behind (or is no longer
// the rep's to change: re-routed meanwhile).
bool Settled(const rv1::LeadAssigned& rec, const rv1::SalesFeedback& fb, bool to_nurture) {
  if (rec.decision().rep_id() != fb.rep_id()) return true;
  return to_nurture ? rec.decision().outcome() == rv1::NURTURE : IsSlim(rec);
}

// What a stage move writes to the lead's tags (FeedbackRecord's stage part).
FeedbackRecord StageWrite(const rv1::SalesFeedback& fb, const FeedbackTags& tags,
                          const FeedbackStep& step, const DealStageInfo& to, int64_t version) {
  FeedbackRecord w;
  w.stage = fb.stage();
  w.value_rub = fb.deal_value_rub() > 0 ? fb.deal_value_rub() : tags.value_rub;
  if (step.value_update) {  // same stage: its entry, history and timer stay
    w.win_probability_pct = tags.win_probability_pct;
    w.previous_stage = tags.previous_stage;
    w.ms_in_previous_stage = tags.ms_in_previous_stage;
    w.stage_version = tags.stage_version;
    return w;
  }
  w.win_probability_pct = to.win_probability_pct;
  w.previous_stage = tags.stage;
  const int64_t entered = tags.stage.empty() ? tags.accepted_version : tags.stage_version;
  w.ms_in_previous_stage = entered > 0 ? std::max<int64_t>(0, version - entered) : 0;
  w.stage_version = version;
  w.stall_due_ms = version + to.max_ms;
  return w;
}

// The stage part of the tags, as StageWrite wrote it.
FeedbackRecord StageWriteOf(const FeedbackTags& tags) {
  FeedbackRecord w;
  w.stage = tags.stage;
  w.value_rub = tags.value_rub;
  w.win_probability_pct = tags.win_probability_pct;
  w.previous_stage = tags.previous_stage;
  w.ms_in_previous_stage = tags.ms_in_previous_stage;
  w.stage_version = tags.stage_version;
  return w;
}

// The deals.stages event of a stage move (keyed by lead id; ids only). A
// value update in the same stage (`before` holds the stage's tags) reports the
// stage as its own previous one, with the time in it so far.
kafka::OutgoingMessage StageEvent(const rv1::SalesFeedback& fb, const std::string& team,
                                  cv1::Segment segment, const FeedbackRecord& w,
                                  const FeedbackTags& before, bool backward, int64_t version,
                                  const std::string& trace_id) {
  rv1::DealStageChanged e;
  e.set_lead_id(fb.lead_id());
  e.set_rep_id(fb.rep_id());
  e.set_team(team);
  e.set_stage(w.stage);
  e.set_win_probability_pct(w.win_probability_pct);
  e.set_deal_value_rub(w.value_rub);
  if (!before.stage.empty()) {
    e.set_previous_stage(before.stage);
    e.set_ms_in_previous_stage(std::max<int64_t>(0, version - before.stage_version));
  } else {
    e.set_previous_stage(w.previous_stage);
    e.set_ms_in_previous_stage(w.ms_in_previous_stage);
  }
  e.set_backward(backward);
  SetMillis(e.mutable_changed_at(), version);
  e.set_version(version);
  e.set_segment(segment);
  kafka::OutgoingMessage m;
  m.topic = topics::kDealsStages;
  m.key = fb.lead_id();
  m.payload = e.SerializeAsString();
  if (!trace_id.empty()) m.headers.push_back({topics::kTraceHeader, trace_id});
  return m;
}

}  // namespace

FeedbackProcessor::FeedbackProcessor(std::shared_ptr<const RoutingPolicy> policy,
                                     RoutingStore& store, RoutingMetrics& metrics,
                                     const Clock& clock, std::function<void()> on_capacity_freed)
    : policy_(std::move(policy)),
      store_(store),
      metrics_(metrics),
      clock_(clock),
      on_capacity_freed_(std::move(on_capacity_freed)) {}

StatusOr<FeedbackResult> FeedbackProcessor::Apply(const rv1::SalesFeedback& fb) {
  return ApplyFrom(fb, /*team=*/"");
}

StatusOr<FeedbackResult> FeedbackProcessor::ApplyFrom(const rv1::SalesFeedback& fb,
                                                      const std::string& team) {
  if (Status s = ValidateFeedback(fb); !s.ok()) return s;
  if (fb.kind() == rv1::CLOSE && policy_->rules().require_loss_reason()) {
    if (Status s = RequireLossReason(fb.outcome(), fb.loss_reason()); !s.ok()) return s;
  }
  if (fb.kind() == rv1::STAGE && policy_->deal_stages().Find(fb.stage()) == nullptr) {
    const std::string names = policy_->deal_stages().Names();
    return Status::InvalidArgument("stage: unknown stage \"" + fb.stage() + "\" (" +
                                       (names.empty() ? "none configured" : names) + ")",
                                   cv1::INVALID_FIELD);
  }
  if (!team.empty()) {
    const auto* configured = policy_->FindTeam(team);
    if (configured == nullptr) return NotPermitted("no team " + team + " in the routing rules");
    const bool rep_in_team =
        std::any_of(configured->reps().begin(), configured->reps().end(),
                    [&](const auto& rep) { return rep.rep_id() == fb.rep_id(); });
    if (!rep_in_team) return NotPermitted("rep " + fb.rep_id() + " is not in team " + team);
  }
  // Read the lead's record and feedback tags, decide the transition, apply it
  // only if the tags are still those (the script compares): a concurrent
  // feedback in between makes us read and decide again.
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    auto stored = store_.GetDecision(fb.lead_id());
    if (!stored.ok()) return stored.status();
    if (!team.empty() && (!stored->has_value() || (*stored)->record.decision().team() != team)) {
      return NotPermitted("lead " + fb.lead_id() + " is not routed to team " + team);
    }
    if (!stored->has_value()) return NotOpen(fb);
    auto tags = store_.GetFeedbackTags(fb.lead_id());
    if (!tags.ok()) return tags.status();
    auto r = ApplyOnce(fb, **stored, *tags);
    if (!r.ok() || r->has_value()) {
      if (!r.ok()) return r.status();
      return std::move(**r);
    }
  }
  return Status::Unavailable("feedback on lead " + fb.lead_id() + " kept changing; retrying");
}

StatusOr<std::optional<FeedbackResult>> FeedbackProcessor::ApplyOnce(const rv1::SalesFeedback& fb,
                                                                     const StoredDecision& stored,
                                                                     const FeedbackTags& tags) {
  const rv1::LeadAssigned& rec = stored.record;
  const auto& d = rec.decision();
  const SalesStatus current = SalesStateOf(d, tags, fb.rep_id());
  const DealStageInfo* to_stage = nullptr;
  FeedbackStep step;
  if (fb.kind() == rv1::STAGE) {
    to_stage = policy_->deal_stages().Find(fb.stage());
    const DealStageInfo* from_stage =
        tags.stage.empty() ? nullptr : policy_->deal_stages().Find(tags.stage);
    // A stage no longer configured counts as the start: every move from it is forward.
    step = NextStageStep(current, tags, from_stage ? from_stage->index : -1, to_stage->index, fb);
  } else {
    step = NextSalesState(current, tags.accepted_by, fb);
  }
  switch (step.kind) {
    case FeedbackStep::Kind::kNotOpen:
      return NotOpen(fb);
    case FeedbackStep::Kind::kRefused:
      return step.error;
    default:
      break;
  }
  const bool retry = step.kind == FeedbackStep::Kind::kRetry;
  const std::string kind = FeedbackKindLabel(fb.kind());

  FeedbackResult result;
  result.redelivered = retry;
  result.state = step.to;
  result.republish = !retry || current.state == step.to;
  if (retry) {
    result.version = fb.kind() == rv1::ACCEPT && tags.accepted_version > 0 ? tags.accepted_version
                                                                           : tags.version;
  } else if (fb.kind() == rv1::STAGE) {
    // After a stall too (its version is not the tags' `ver`).
    const int64_t at = fb.has_at() ? ToMillis(fb.at()) : clock_.NowMillis();
    result.version =
        NextVersion(at, std::max(tags.version, tags.stalled_version), ToMillis(d.decided_at()));
  } else {
    // The feedback's own time when it has one (the gRPC API sets it): the
    // state rebuild reads the same time back from sales.feedback.
    const int64_t at = fb.has_at() ? ToMillis(fb.at()) : clock_.NowMillis();
    result.version = NextVersion(at, tags.version, ToMillis(d.decided_at()));
  }
  std::string detail;
  FeedbackRecord write;
  rv1::NurtureRequested nurture;
  switch (fb.kind()) {
    case rv1::ACCEPT:
      result.status = "accepted";
      result.outcome = rv1::FEEDBACK_ACCEPTED;
      break;
    case rv1::STAGE:
      detail = fb.stage();
      result.outcome = rv1::FEEDBACK_STAGE_CHANGED;
      write = StageWrite(fb, tags, step, *to_stage, result.version);
      result.status = "stage: " + detail + " (" + std::to_string(write.win_probability_pct) + " %)";
      break;
    case rv1::CLOSE:
      detail = CloseDetail(fb.outcome(), fb.loss_reason());
      result.status = "closed: " + rv1::DealOutcome_Name(fb.outcome());
      if (fb.loss_reason() != cv1::REASON_UNSPECIFIED) {
        result.status += " (" + cv1::ReasonCode_Name(fb.loss_reason()) + ")";
      }
      result.outcome = rv1::FEEDBACK_CLOSED;
      write = TerminalRecord(rec, nullptr);
      if (fb.outcome() == rv1::WON) AddWonDeal(rec, tags, result.version, &write);
      break;
    default: {
      detail = cv1::ReasonCode_Name(fb.reject_reason());
      // A retry finds the record the first attempt left: NURTURE after a
      // return to nurture (with the lead, for the redelivery window).
      result.to_nurture =
          retry ? d.outcome() == rv1::NURTURE
                : RejectionReturnsToNurture(*policy_, rec.scored().segment(), fb.reject_reason()) &&
                      rec.scored().lead().meta().relationship() == cv1::PROSPECT;
      result.status = (result.to_nurture ? "returned to nurture: " : "rejected: ") + detail;
      result.outcome =
          result.to_nurture ? rv1::FEEDBACK_RETURNED_TO_NURTURE : rv1::FEEDBACK_DISCARDED;
      if (result.to_nurture) {
        // Never discarded: back to nurture with the coded reason, and the
        // record says so, so that a later rescore routes the lead again.
        *nurture.mutable_scored() = rec.scored();
        *nurture.mutable_decision() = d;
        auto* nd = nurture.mutable_decision();
        nd->set_outcome(rv1::NURTURE);
        if (!retry) {
          SetMillis(nd->mutable_decided_at(), clock_.NowMillis());
          auto* step_path = nd->add_path();
          step_path->set_rule_id("feedback.protected_reject");
          step_path->set_matched(true);
          step_path->set_detail(detail + " on a " + cv1::Segment_Name(rec.scored().segment()) +
                                " lead rejected by " + fb.rep_id() + ": back to nurture");
        }
        nurture.set_reason(fb.reject_reason());
      }
      write = TerminalRecord(rec, result.to_nurture ? &nurture.decision() : nullptr);
      break;
    }
  }

  int64_t open_after = 0;
  if (!retry) {
    bool replaced = false;
    auto applied = store_.ApplyFeedback(fb.lead_id(), fb.rep_id(), kind, detail, stored.raw, tags,
                                        result.version, write, &open_after, &replaced);
    if (!applied.ok()) return applied.status();
    if (*applied == FeedbackApply::kChanged) return std::optional<FeedbackResult>();
    if (*applied == FeedbackApply::kNotOpen) return NotOpen(fb);
    if ((fb.kind() == rv1::REJECT || fb.kind() == rv1::CLOSE) && !replaced) {
      // The record changed between our read and the script (an erasure's
      // scrub): it still has to lose the lead's body.
      if (Status s = SettleRecord(fb, result.to_nurture); !s.ok()) return s;
    }
  } else if ((fb.kind() == rv1::REJECT || fb.kind() == rv1::CLOSE) &&
             !Settled(rec, fb, result.to_nurture)) {
    // A first attempt stopped between the feedback and the record.
    if (Status s = SettleRecord(fb, result.to_nurture); !s.ok()) return s;
  }
  const auto& meta = rec.scored().lead().meta();
  if (fb.kind() == rv1::STAGE) {
    // On deals.stages, re-emitted alike by a retry (from what the tags kept).
    const FeedbackRecord& kept = retry ? StageWriteOf(tags) : write;
    const DealStageInfo* prev = policy_->deal_stages().Find(kept.previous_stage);
    const bool backward =
        retry ? (prev != nullptr && prev->index > to_stage->index) : step.backward;
    result.outputs.push_back(StageEvent(fb, d.team(), rec.scored().segment(), kept,
                                        step.value_update ? tags : FeedbackTags{}, backward,
                                        retry ? tags.version : result.version, meta.trace_id()));
  } else if (result.to_nurture) {
    result.outputs.push_back(MakeEvent(topics::kLeadsNurture, meta, meta.lead_id(), nurture));
  } else if (fb.kind() == rv1::REJECT) {
    // Not back to nurture: discarded, visibly (docs/architecture.md).
    rv1::LeadDiscarded gone;
    gone.set_lead_id(fb.lead_id());
    gone.set_rep_id(fb.rep_id());
    gone.set_team(d.team());
    gone.set_reason(fb.reject_reason());
    *gone.mutable_decision() = d;
    SetMillis(gone.mutable_discarded_at(), result.version);
    gone.set_version(result.version);
    kafka::OutgoingMessage m;
    m.topic = topics::kLeadsDiscarded;
    m.key = fb.lead_id();
    m.payload = gone.SerializeAsString();
    if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
    result.outputs.push_back(std::move(m));
  }
  // What a WatchAssignments stream reports: the record as it is left (ids
  // and the decision once rejected or closed) with the change.
  result.event = fb.kind() == rv1::ACCEPT || fb.kind() == rv1::STAGE ? rec : Slim(rec);
  auto* c = result.event.mutable_change();
  c->set_lead_id(fb.lead_id());
  c->set_state(result.state);
  c->set_version(result.version);
  c->set_rep_id(fb.rep_id());
  c->set_team(d.team());
  c->set_feedback(result.outcome);
  if (fb.kind() == rv1::STAGE) {
    const FeedbackRecord& kept = retry ? StageWriteOf(tags) : write;
    c->set_stage(kept.stage);
    c->set_win_probability_pct(kept.win_probability_pct);
    c->set_deal_value_rub(kept.value_rub);
    result.stage = kept.stage;
    result.win_probability_pct = kept.win_probability_pct;
  }
  if (fb.kind() == rv1::REJECT) c->set_reject_reason(fb.reject_reason());
  if (fb.kind() == rv1::CLOSE) {
    c->set_deal_outcome(fb.outcome());
    c->set_loss_reason(fb.loss_reason());
  }
  if (!retry) {
    // Labels: the outcome and loss reason codes only, never loss_detail.
    const std::string label = fb.kind() == rv1::ACCEPT  ? "none"
                              : fb.kind() == rv1::CLOSE ? rv1::DealOutcome_Name(fb.outcome())
                                                        : detail;
    metrics_.Feedback(kind, label);
    if (fb.kind() == rv1::STAGE && !step.value_update) metrics_.DealStageChanged(detail, d.team());
    if (fb.kind() == rv1::CLOSE) {
      metrics_.DealClosed(label, cv1::Segment_Name(rec.scored().segment()),
                          cv1::DealBand_Name(rec.scored().deal_band()));
      if (fb.outcome() == rv1::LOST) {
        metrics_.DealLost(fb.loss_reason() == cv1::REASON_UNSPECIFIED
                              ? "UNSPECIFIED"
                              : cv1::ReasonCode_Name(fb.loss_reason()),
                          d.team());
      }
    }
    if (fb.kind() == rv1::REJECT || fb.kind() == rv1::CLOSE) {
      metrics_.RepOpenLeads(d.team(), fb.rep_id(), static_cast<double>(open_after));
      if (on_capacity_freed_) on_capacity_freed_();
    }
    log::Info("sales feedback applied", {{"trace_id", meta.trace_id()},
                                         {"kind", kind},
                                         {"rep", fb.rep_id()},
                                         {"status", result.status}});
  }
  return std::optional<FeedbackResult>(std::move(result));
}

Status FeedbackProcessor::SettleRecord(const rv1::SalesFeedback& fb, bool to_nurture) {
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    auto cur = store_.GetDecision(fb.lead_id());
    if (!cur.ok()) return cur.status();
    if (!cur->has_value() || Settled((*cur)->record, fb, to_nurture)) return Status::Ok();
    const rv1::LeadAssigned& rec = (*cur)->record;
    rv1::Decision nd;
    if (to_nurture) {
      nd = rec.decision();
      nd.set_outcome(rv1::NURTURE);
      SetMillis(nd.mutable_decided_at(), clock_.NowMillis());
    }
    const FeedbackRecord w = TerminalRecord(rec, to_nurture ? &nd : nullptr);
    auto done =
        store_.ReplaceDecision(fb.lead_id(), (*cur)->raw, w.new_record, w.new_record_ttl_seconds);
    if (!done.ok()) return done.status();
    if (*done) return Status::Ok();
  }
  return Status::Unavailable("decision of lead " + fb.lead_id() + " kept changing; retrying");
}

Status FeedbackProcessor::Handle(const kafka::ConsumedMessage& message,
                                 std::vector<kafka::OutgoingMessage>& out) {
  const auto origin = message.FindHeader(kFeedbackOriginHeader);
  const bool from_routing = origin && *origin == "routing";
  if (message.topic == topics::kSalesFeedback) {
    if (from_routing) return Status::Ok();  // published by routing after applying it
    return NotPermitted("sales.feedback is written by routing only; a sales tool writes " +
                        std::string(topics::kSalesFeedbackTeamPrefix) + "<team>");
  }
  rv1::SalesFeedback fb;
  if (!fb.ParseFromString(message.payload)) {
    return Status::InvalidArgument(message.topic + " payload is not a SalesFeedback",
                                   cv1::MALFORMED_PAYLOAD);
  }
  const std::string prefix = topics::kSalesFeedbackTeamPrefix;
  if (message.topic.rfind(prefix, 0) != 0) {
    return NotPermitted("feedback is read from " + prefix + "<team> only, not " + message.topic);
  }
  auto r = ApplyFrom(fb, message.topic.substr(prefix.size()));
  if (!r.ok()) return r.status();
  for (auto& m : r->outputs) out.push_back(std::move(m));
  if (!r->republish) return Status::Ok();
  // On sales.feedback for nurture, the state rebuild and other tools.
  kafka::OutgoingMessage applied;
  applied.topic = topics::kSalesFeedback;
  applied.key = fb.lead_id();
  applied.payload = message.payload;
  if (fb.kind() == rv1::STAGE && (!fb.has_at() || ToMillis(fb.at()) != r->version)) {
    // The state rebuild reads a stage's entry time from the record: the
    // move's version, as the live state and deals.stalls know it.
    SetMillis(fb.mutable_at(), r->version);
    applied.payload = fb.SerializeAsString();
  }
  applied.headers.push_back({kFeedbackOriginHeader, "routing"});
  out.push_back(std::move(applied));
  return Status::Ok();
}

}  // namespace leadflow::routing
