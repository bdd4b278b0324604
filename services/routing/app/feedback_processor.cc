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

// An event keyed by lead id, with the lead's trace id.
kafka::OutgoingMessage LeadEvent(const char* topic, const std::string& lead_id,
                                 const google::protobuf::Message& event,
                                 const std::string& trace_id) {
  kafka::OutgoingMessage m;
  m.topic = topic;
  m.key = lead_id;
  m.payload = event.SerializeAsString();
  if (!trace_id.empty()) m.headers.push_back({topics::kTraceHeader, trace_id});
  return m;
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
  SetDealStage(w, e);
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
  return LeadEvent(topics::kDealsStages, fb.lead_id(), e, trace_id);
}

// The leads.discarded event of a rejection that does not return the lead to
// nurture (keyed by lead id; ids and the decision).
kafka::OutgoingMessage DiscardedEvent(const rv1::SalesFeedback& fb, const rv1::Decision& d,
                                      int64_t version, const std::string& trace_id) {
  rv1::LeadDiscarded gone;
  gone.set_lead_id(fb.lead_id());
  gone.set_rep_id(fb.rep_id());
  gone.set_team(d.team());
  gone.set_reason(fb.reject_reason());
  *gone.mutable_decision() = d;
  SetMillis(gone.mutable_discarded_at(), version);
  gone.set_version(version);
  return LeadEvent(topics::kLeadsDiscarded, fb.lead_id(), gone, trace_id);
}

}  // namespace

FeedbackProcessor::FeedbackProcessor(std::shared_ptr<const RoutingPolicy> policy,
                                     RoutingStore& store, RoutingMetrics& metrics,
                                     const Clock& clock, std::function<void()> on_capacity_freed)
    : policy_(std::move(policy)),
      decisions_(store.decisions),
      feedback_store_(store.sales_feedback),
      metrics_(metrics),
      clock_(clock),
      on_capacity_freed_(std::move(on_capacity_freed)) {}

StatusOr<FeedbackResult> FeedbackProcessor::Apply(const rv1::SalesFeedback& fb) {
  return ApplyFrom(fb, /*team=*/"");
}

// The event itself, before any state is read: valid, a close with a loss
// reason where the rules require one, a configured stage; and from a team's
// topic, a rep of that configured team.
Status FeedbackProcessor::Admit(const rv1::SalesFeedback& fb, const std::string& team) const {
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
  if (team.empty()) return Status::Ok();
  const auto* configured = policy_->FindTeam(team);
  if (configured == nullptr) return NotPermitted("no team " + team + " in the routing rules");
  const bool rep_in_team =
      std::any_of(configured->reps().begin(), configured->reps().end(),
                  [&](const auto& rep) { return rep.rep_id() == fb.rep_id(); });
  if (!rep_in_team) return NotPermitted("rep " + fb.rep_id() + " is not in team " + team);
  return Status::Ok();
}

StatusOr<FeedbackResult> FeedbackProcessor::ApplyFrom(const rv1::SalesFeedback& fb,
                                                      const std::string& team) {
  if (Status s = Admit(fb, team); !s.ok()) return s;
  // Read the lead's record and feedback tags, decide the transition, apply it
  // only if the tags are still those (the script compares): a concurrent
  // feedback in between makes us read and decide again.
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    auto stored = decisions_.Get(fb.lead_id());
    if (!stored.ok()) return stored.status();
    if (!team.empty() && (!stored->has_value() || (*stored)->record.decision().team() != team)) {
      return NotPermitted("lead " + fb.lead_id() + " is not routed to team " + team);
    }
    if (!stored->has_value()) return NotOpen(fb);
    auto tags = feedback_store_.Tags(fb.lead_id());
    if (!tags.ok()) return tags.status();
    auto r = ApplyOnce(fb, **stored, *tags);
    if (!r.ok() || r->has_value()) {
      if (!r.ok()) return r.status();
      return std::move(**r);
    }
  }
  return Status::Unavailable("feedback on lead " + fb.lead_id() + " kept changing; retrying");
}

// A feedback event on its lead: the state read (record and tags) and the step
// the feedback makes from it.
struct FeedbackProcessor::Transition {
  const rv1::SalesFeedback& fb;
  const rv1::LeadAssigned& rec;
  const FeedbackTags& tags;  // as read: the feedback script applies only on these
  SalesStatus current;
  FeedbackStep step;
  const DealStageInfo* to_stage = nullptr;  // STAGE: the stage the deal moves to

  bool retry() const { return step.kind == FeedbackStep::Kind::kRetry; }
  // A reject or a close: the rep's hold on the lead ends.
  bool ends_hold() const { return fb.kind() == rv1::REJECT || fb.kind() == rv1::CLOSE; }
};

// What the step writes and answers: the result, the tags' detail (reason,
// outcome or stage), the record and stage it leaves, and after a protected
// rejection the lead's NurtureRequested.
struct FeedbackProcessor::Change {
  FeedbackResult result;
  std::string detail;
  FeedbackRecord write;
  rv1::NurtureRequested nurture;
};

// One feedback event on its lead (docs/domain-rules.md §5 "one explicit
// handoff", §6 deal stages): decide the step on the state read; a refused step
// or a lead not open with the rep is an error; an identical retry writes
// nothing and answers as the first time did; any other step is applied only on
// the state it was decided on (else: read again). Then the outputs, the
// stream's event, and the metrics of an applied step.
StatusOr<std::optional<FeedbackResult>> FeedbackProcessor::ApplyOnce(const rv1::SalesFeedback& fb,
                                                                     const StoredDecision& stored,
                                                                     const FeedbackTags& tags) {
  const Transition t = Decide(fb, stored.record, tags);
  if (t.step.kind == FeedbackStep::Kind::kNotOpen) return NotOpen(fb);
  if (t.step.kind == FeedbackStep::Kind::kRefused) return t.step.error;
  Change c = Describe(t);
  int64_t open_after = 0;
  if (!t.retry()) {
    auto applied = Write(t, c, stored.raw);
    if (!applied.ok()) return applied.status();
    if (applied->outcome == FeedbackApply::kChanged) return std::optional<FeedbackResult>();
    if (applied->outcome == FeedbackApply::kNotOpen) return NotOpen(fb);
    open_after = applied->open_after;
    if (t.ends_hold() && !applied->replaced) {
      // The record changed between our read and the script (an erasure's
      // scrub): it still has to lose the lead's body.
      if (Status s = SettleRecord(fb, c.result.to_nurture); !s.ok()) return s;
    }
  } else if (t.ends_hold() && !Settled(t.rec, fb, c.result.to_nurture)) {
    // A first attempt stopped between the feedback and the record.
    if (Status s = SettleRecord(fb, c.result.to_nurture); !s.ok()) return s;
  }
  AddOutputs(t, c);
  SetWatchEvent(t, c);
  if (!t.retry()) Record(t, c, open_after);
  return std::optional<FeedbackResult>(std::move(c.result));
}

// The step the feedback makes from the lead's sales state with its rep
// (domain/sales_state.h): NextSalesState, or NextStageStep for a stage move.
FeedbackProcessor::Transition FeedbackProcessor::Decide(const rv1::SalesFeedback& fb,
                                                        const rv1::LeadAssigned& rec,
                                                        const FeedbackTags& tags) const {
  Transition t{fb, rec, tags, SalesStateOf(rec.decision(), tags, fb.rep_id()), {}};
  if (fb.kind() != rv1::STAGE) {
    t.step = NextSalesState(t.current, tags.accepted_by, fb);
    return t;
  }
  const DealStages& stages = policy_->deal_stages();
  t.to_stage = stages.Find(fb.stage());
  const DealStageInfo* from_stage = tags.stage.empty() ? nullptr : stages.Find(tags.stage);
  // A stage no longer configured counts as the start: every move from it is forward.
  t.step =
      NextStageStep(t.current, tags, from_stage ? from_stage->index : -1, t.to_stage->index, fb);
  return t;
}

// The version of the change: a retry answers with the first attempt's; a new
// change comes strictly after the lead's last one (a stage move after a stall
// too: its version is not the tags' `ver`), at the feedback's own time when it
// has one (the gRPC API sets it: the state rebuild reads the same time back
// from sales.feedback).
int64_t FeedbackProcessor::VersionOf(const Transition& t) const {
  const rv1::SalesFeedback& fb = t.fb;
  if (t.retry()) {
    return fb.kind() == rv1::ACCEPT && t.tags.accepted_version > 0 ? t.tags.accepted_version
                                                                   : t.tags.version;
  }
  const int64_t at = fb.has_at() ? ToMillis(fb.at()) : clock_.NowMillis();
  const int64_t last =
      fb.kind() == rv1::STAGE ? std::max(t.tags.version, t.tags.stalled_version) : t.tags.version;
  return NextVersion(at, last, ToMillis(t.rec.decision().decided_at()));
}

FeedbackProcessor::Change FeedbackProcessor::Describe(const Transition& t) const {
  Change c;
  c.result.redelivered = t.retry();
  c.result.state = t.step.to;
  c.result.republish = !t.retry() || t.current.state == t.step.to;
  c.result.version = VersionOf(t);
  switch (t.fb.kind()) {
    case rv1::ACCEPT:
      c.result.status = "accepted";
      c.result.outcome = rv1::FEEDBACK_ACCEPTED;
      break;
    case rv1::STAGE:
      DescribeStageMove(t, c);
      break;
    case rv1::CLOSE:
      DescribeClose(t, c);
      break;
    default:
      DescribeRejection(t, c);
      break;
  }
  return c;
}

// A stage move (§6): the stage with its win probability and the deal value,
// and the stall timer its entry arms.
void FeedbackProcessor::DescribeStageMove(const Transition& t, Change& c) {
  c.detail = t.fb.stage();
  c.result.outcome = rv1::FEEDBACK_STAGE_CHANGED;
  c.write = StageWrite(t.fb, t.tags, t.step, *t.to_stage, c.result.version);
  c.result.status =
      "stage: " + c.detail + " (" + std::to_string(c.write.win_probability_pct) + " %)";
}

// A close: the outcome (with its loss reason), the record turned slim, and a
// WON deal counted in the funnel.
void FeedbackProcessor::DescribeClose(const Transition& t, Change& c) {
  const rv1::SalesFeedback& fb = t.fb;
  c.detail = CloseDetail(fb.outcome(), fb.loss_reason());
  c.result.status = "closed: " + rv1::DealOutcome_Name(fb.outcome());
  if (fb.loss_reason() != cv1::REASON_UNSPECIFIED) {
    c.result.status += " (" + cv1::ReasonCode_Name(fb.loss_reason()) + ")";
  }
  c.result.outcome = rv1::FEEDBACK_CLOSED;
  c.write = TerminalRecord(t.rec, nullptr);
  if (fb.outcome() == rv1::WON) AddWonDeal(t.rec, t.tags, c.result.version, &c.write);
}

// A rejection (§5 "protected rejection reasons"): a large client's prospect
// lead rejected for a protected reason goes back to nurture with the coded
// reason, never discarded; any other rejection is discarded, visibly.
void FeedbackProcessor::DescribeRejection(const Transition& t, Change& c) const {
  const rv1::SalesFeedback& fb = t.fb;
  const rv1::LeadAssigned& rec = t.rec;
  c.detail = cv1::ReasonCode_Name(fb.reject_reason());
  // A retry finds the record the first attempt left: NURTURE after a
  // return to nurture (with the lead, for the redelivery window).
  c.result.to_nurture =
      t.retry() ? rec.decision().outcome() == rv1::NURTURE
                : RejectionReturnsToNurture(*policy_, rec.scored().segment(), fb.reject_reason()) &&
                      rec.scored().lead().meta().relationship() == cv1::PROSPECT;
  c.result.status = (c.result.to_nurture ? "returned to nurture: " : "rejected: ") + c.detail;
  c.result.outcome =
      c.result.to_nurture ? rv1::FEEDBACK_RETURNED_TO_NURTURE : rv1::FEEDBACK_DISCARDED;
  if (c.result.to_nurture) c.nurture = BackToNurture(t, c.detail);
  c.write = TerminalRecord(rec, c.result.to_nurture ? &c.nurture.decision() : nullptr);
}

// Back to nurture with the coded reason, and the record says so, so that a
// later rescore routes the lead again. The first attempt dates the decision
// and says why in its path; a retry re-emits the decision it left.
rv1::NurtureRequested FeedbackProcessor::BackToNurture(const Transition& t,
                                                       const std::string& detail) const {
  rv1::NurtureRequested nurture;
  *nurture.mutable_scored() = t.rec.scored();
  *nurture.mutable_decision() = t.rec.decision();
  auto* nd = nurture.mutable_decision();
  nd->set_outcome(rv1::NURTURE);
  if (!t.retry()) {
    SetMillis(nd->mutable_decided_at(), clock_.NowMillis());
    auto* step_path = nd->add_path();
    step_path->set_rule_id("feedback.protected_reject");
    step_path->set_matched(true);
    step_path->set_detail(detail + " on a " + cv1::Segment_Name(t.rec.scored().segment()) +
                          " lead rejected by " + t.fb.rep_id() + ": back to nurture");
  }
  nurture.set_reason(t.fb.reject_reason());
  return nurture;
}

// Applies the step atomically in Redis, only on the state it was decided on.
StatusOr<FeedbackApplied> FeedbackProcessor::Write(const Transition& t, const Change& c,
                                                   const std::string& expected_raw) {
  FeedbackChange change;
  change.lead_id = t.fb.lead_id();
  change.rep_id = t.fb.rep_id();
  change.kind = FeedbackKindLabel(t.fb.kind());
  change.detail = c.detail;
  change.version = c.result.version;
  change.expected_raw = expected_raw;
  change.expected_tags = t.tags;
  change.write = c.write;
  return feedback_store_.Apply(change);
}

// The step's events: deals.stages for a stage move (re-emitted alike by a
// retry, from what the tags kept), leads.nurture after a protected rejection,
// leads.discarded after any other.
void FeedbackProcessor::AddOutputs(const Transition& t, Change& c) const {
  const auto& meta = t.rec.scored().lead().meta();
  if (t.fb.kind() == rv1::STAGE) {
    const FeedbackRecord kept = t.retry() ? StageWriteOf(t.tags) : c.write;
    const DealStageInfo* prev = policy_->deal_stages().Find(kept.previous_stage);
    const bool backward =
        t.retry() ? (prev != nullptr && prev->index > t.to_stage->index) : t.step.backward;
    c.result.outputs.push_back(StageEvent(t.fb, t.rec.decision().team(), t.rec.scored().segment(),
                                          kept, t.step.value_update ? t.tags : FeedbackTags{},
                                          backward, t.retry() ? t.tags.version : c.result.version,
                                          meta.trace_id()));
  } else if (c.result.to_nurture) {
    c.result.outputs.push_back(MakeEvent(topics::kLeadsNurture, meta, meta.lead_id(), c.nurture));
  } else if (t.fb.kind() == rv1::REJECT) {
    // Not back to nurture: discarded, visibly (docs/architecture.md).
    c.result.outputs.push_back(
        DiscardedEvent(t.fb, t.rec.decision(), c.result.version, meta.trace_id()));
  }
}

// What a WatchAssignments stream reports: the record as it is left (ids and
// the decision once rejected or closed) with the change.
void FeedbackProcessor::SetWatchEvent(const Transition& t, Change& c) {
  const rv1::SalesFeedback& fb = t.fb;
  FeedbackResult& result = c.result;
  result.event = fb.kind() == rv1::ACCEPT || fb.kind() == rv1::STAGE ? t.rec : Slim(t.rec);
  auto* change = result.event.mutable_change();
  change->set_lead_id(fb.lead_id());
  change->set_state(result.state);
  change->set_version(result.version);
  change->set_rep_id(fb.rep_id());
  change->set_team(t.rec.decision().team());
  change->set_feedback(result.outcome);
  if (fb.kind() == rv1::STAGE) {
    const FeedbackRecord kept = t.retry() ? StageWriteOf(t.tags) : c.write;
    SetDealStage(kept, *change);
    result.stage = kept.stage;
    result.win_probability_pct = kept.win_probability_pct;
  }
  if (fb.kind() == rv1::REJECT) change->set_reject_reason(fb.reject_reason());
  if (fb.kind() == rv1::CLOSE) {
    change->set_deal_outcome(fb.outcome());
    change->set_loss_reason(fb.loss_reason());
  }
}

// The metrics and the log line of an applied step (a retry changes nothing).
void FeedbackProcessor::Record(const Transition& t, const Change& c, int64_t open_after) {
  const rv1::SalesFeedback& fb = t.fb;
  const rv1::LeadAssigned& rec = t.rec;
  const std::string kind = FeedbackKindLabel(fb.kind());
  // Labels: the outcome and loss reason codes only, never loss_detail.
  const std::string label = fb.kind() == rv1::ACCEPT  ? "none"
                            : fb.kind() == rv1::CLOSE ? rv1::DealOutcome_Name(fb.outcome())
                                                      : c.detail;
  metrics_.Feedback(kind, label);
  if (fb.kind() == rv1::STAGE && !t.step.value_update) {
    metrics_.DealStageChanged(c.detail, rec.decision().team());
  }
  if (fb.kind() == rv1::CLOSE) {
    metrics_.DealClosed(label, cv1::Segment_Name(rec.scored().segment()),
                        cv1::DealBand_Name(rec.scored().deal_band()));
    if (fb.outcome() == rv1::LOST) {
      metrics_.DealLost(fb.loss_reason() == cv1::REASON_UNSPECIFIED
                            ? "UNSPECIFIED"
                            : cv1::ReasonCode_Name(fb.loss_reason()),
                        rec.decision().team());
    }
  }
  if (t.ends_hold()) {
    metrics_.RepOpenLeads(rec.decision().team(), fb.rep_id(), static_cast<double>(open_after));
    if (on_capacity_freed_) on_capacity_freed_();
  }
  log::Info("sales feedback applied", {{"trace_id", rec.scored().lead().meta().trace_id()},
                                       {"kind", kind},
                                       {"rep", fb.rep_id()},
                                       {"status", c.result.status}});
}

Status FeedbackProcessor::SettleRecord(const rv1::SalesFeedback& fb, bool to_nurture) {
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    auto cur = decisions_.Get(fb.lead_id());
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
        decisions_.Replace(fb.lead_id(), (*cur)->raw, w.new_record, w.new_record_ttl_seconds);
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
