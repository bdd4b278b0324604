#include "routing/domain/sales_state.h"

#include <algorithm>

#include "routing/domain/feedback.h"
#include "routing/domain/lookup_table.h"

namespace leadflow::routing {

namespace rv1 = leadflow::routing::v1;

namespace {

bool HoldsARep(rv1::RoutingOutcome o) {
  return o == rv1::ASSIGNED || o == rv1::NAMED_OWNER || o == rv1::REASSIGNED;
}

// The detail a feedback records: its reason or outcome name.
std::string DetailOf(const rv1::SalesFeedback& f) {
  switch (f.kind()) {
    case rv1::REJECT:
      return leadflow::common::v1::ReasonCode_Name(f.reject_reason());
    case rv1::CLOSE:
      return CloseDetail(f.outcome(), f.loss_reason());
    default:
      return "";
  }
}

// A refused feedback step: the error names the lead's state and the rep.
FeedbackStep Refusal(FeedbackStep step, const SalesStatus& cur, const rv1::SalesFeedback& f,
                     const std::string& why) {
  step.kind = FeedbackStep::Kind::kRefused;
  step.error = Status::FailedPrecondition("lead " + f.lead_id() + " is " + Describe(cur) +
                                          " with rep " + f.rep_id() + ": " + why);
  return step;
}

}  // namespace

SalesStatus SalesStateOf(const rv1::Decision& d, const FeedbackTags& tags, const std::string& rep) {
  SalesStatus s;
  if (rep.empty()) return s;
  // A rejection or close by `rep` ends its hold, whatever the record became
  // (slim, or NURTURE after a protected rejection), as long as the record is
  // still that rep's.
  if (d.rep_id() == rep) {
    if (tags.last == "close|" + rep) return {rv1::SALES_CLOSED, tags.close};
    if (tags.last == "reject|" + rep) return {rv1::SALES_REJECTED, tags.reject};
  }
  if (d.rep_id() != rep || !HoldsARep(d.outcome())) return s;
  if (tags.accepted_by != rep) {
    s.state = rv1::SALES_ASSIGNED;
  } else if (!tags.stage.empty()) {
    s = {rv1::SALES_IN_STAGE, tags.stage};
  } else {
    s.state = rv1::SALES_ACCEPTED;
  }
  return s;
}

std::string Describe(const SalesStatus& s) {
  std::string name = rv1::SalesState_Name(s.state);
  if (name.rfind("SALES_", 0) == 0) name = name.substr(6);
  if (!s.detail.empty()) name += " (" + s.detail + ")";
  return name;
}

rv1::SalesState StateAfter(rv1::FeedbackKind kind) {
  static constexpr std::pair<rv1::FeedbackKind, rv1::SalesState> kStates[] = {
      {rv1::ACCEPT, rv1::SALES_ACCEPTED},
      {rv1::REJECT, rv1::SALES_REJECTED},
      {rv1::CLOSE, rv1::SALES_CLOSED},
      {rv1::STAGE, rv1::SALES_IN_STAGE}};
  return Lookup(kind, kStates, rv1::SALES_STATE_UNSPECIFIED);
}

FeedbackStep NextSalesState(const SalesStatus& cur, const std::string& accepted_by,
                            const rv1::SalesFeedback& f) {
  FeedbackStep step;
  step.to = StateAfter(f.kind());
  auto refuse = [&](const std::string& why) { return Refusal(step, cur, f, why); };
  switch (cur.state) {
    case rv1::SALES_ASSIGNED:
      step.kind = FeedbackStep::Kind::kApply;  // accept, reject or close
      return step;
    case rv1::SALES_ACCEPTED:
    case rv1::SALES_IN_STAGE:
      if (f.kind() == rv1::ACCEPT) {
        step.kind = FeedbackStep::Kind::kRetry;  // the accept, redelivered
        return step;
      }
      if (f.kind() == rv1::CLOSE) {
        step.kind = FeedbackStep::Kind::kApply;
        return step;
      }
      return refuse("an accepted lead is closed (LOST or OUTCOME_DISQUALIFIED), not rejected");
    case rv1::SALES_REJECTED:
    case rv1::SALES_CLOSED: {
      const bool same_kind = step.to == cur.state;
      if (same_kind && !cur.detail.empty() && cur.detail == DetailOf(f)) {
        step.kind = FeedbackStep::Kind::kRetry;
        return step;
      }
      if (f.kind() == rv1::ACCEPT && cur.state == rv1::SALES_CLOSED && accepted_by == f.rep_id()) {
        step.kind = FeedbackStep::Kind::kRetry;  // the accept before the close, redelivered
        return step;
      }
      if (same_kind && cur.detail.empty()) {
        return refuse("its " + std::string(FeedbackKindLabel(f.kind())) +
                      " detail is not known (state rebuilt from the topics); nothing changed");
      }
      return refuse("a second, different answer is refused");
    }
    default:
      step.kind = FeedbackStep::Kind::kNotOpen;
      return step;
  }
}

FeedbackStep NextStageStep(const SalesStatus& cur, const FeedbackTags& tags, int from_index,
                           int to_index, const rv1::SalesFeedback& f) {
  FeedbackStep step;
  step.to = rv1::SALES_IN_STAGE;
  auto refuse = [&](const std::string& why) { return Refusal(step, cur, f, why); };
  switch (cur.state) {
    case rv1::SALES_ASSIGNED:
      return refuse("a lead is accepted before it moves to a deal stage");
    case rv1::SALES_REJECTED:
    case rv1::SALES_CLOSED:
      return refuse("a " + std::string(cur.state == rv1::SALES_CLOSED ? "closed" : "rejected") +
                    " lead moves no more");
    case rv1::SALES_ACCEPTED:
    case rv1::SALES_IN_STAGE:
      break;
    default:
      step.kind = FeedbackStep::Kind::kNotOpen;
      return step;
  }
  const bool same_stage = cur.state == rv1::SALES_IN_STAGE && tags.stage == f.stage();
  const bool same_value = f.deal_value_rub() == 0 || f.deal_value_rub() == tags.value_rub;
  if (same_stage && same_value) {
    step.kind = FeedbackStep::Kind::kRetry;  // this move (or value) was applied: same answer
    return step;
  }
  const int64_t at_version = std::max(tags.version, tags.stalled_version);
  if (f.expected_version() != 0 && f.expected_version() != at_version) {
    return refuse("the move was made from version " + std::to_string(f.expected_version()) +
                  ", the lead is at version " + std::to_string(at_version) +
                  "; a second, different answer is refused");
  }
  if (same_stage) {
    step.kind = FeedbackStep::Kind::kApply;
    step.value_update = true;
    return step;
  }
  step.backward = to_index < from_index;
  if (step.backward && f.back_reason().empty()) {
    return refuse("going back to stage " + f.stage() + " needs back_reason");
  }
  step.kind = FeedbackStep::Kind::kApply;
  return step;
}

namespace {

void SetInStage(const FeedbackTags& tags, int64_t fed, rv1::LeadChange& c) {
  c.set_version(std::max(fed, tags.stalled_version));
  c.set_feedback(rv1::FEEDBACK_STAGE_CHANGED);
  c.set_stage(tags.stage);
  c.set_win_probability_pct(tags.win_probability_pct);
  c.set_deal_value_rub(tags.value_rub);
  c.set_stalled(tags.stalled_version > 0);
}

void SetRejected(const rv1::Decision& d, const SalesStatus& s, int64_t fed, rv1::LeadChange& c) {
  c.set_version(fed);
  leadflow::common::v1::ReasonCode r{};
  if (leadflow::common::v1::ReasonCode_Parse(s.detail, &r)) c.set_reject_reason(r);
  c.set_feedback(d.outcome() == rv1::NURTURE ? rv1::FEEDBACK_RETURNED_TO_NURTURE
                                             : rv1::FEEDBACK_DISCARDED);
}

void SetClosed(const SalesStatus& s, int64_t fed, rv1::LeadChange& c) {
  c.set_version(fed);
  rv1::DealOutcome o{};
  leadflow::common::v1::ReasonCode loss{};
  if (ParseCloseDetail(s.detail, &o, &loss)) {
    c.set_deal_outcome(o);
    c.set_loss_reason(loss);
  }
  c.set_feedback(rv1::FEEDBACK_CLOSED);
}

// `rep` held the lead before and it was re-assigned from them.
bool ReassignedAwayFrom(const rv1::LeadAssigned& record, const std::string& rep) {
  const auto& previous = record.previous_reps();
  return !rep.empty() && record.decision().rep_id() != rep &&
         std::find(previous.begin(), previous.end(), rep) != previous.end();
}

}  // namespace

rv1::LeadChange LeadChangeOf(const rv1::LeadAssigned& record, const FeedbackTags& tags,
                             const std::string& rep) {
  const rv1::Decision& d = record.decision();
  const int64_t decided_ms = d.decided_at().seconds() * 1000 + d.decided_at().nanos() / 1000000;
  rv1::LeadChange c;
  c.set_lead_id(record.scored().lead().meta().lead_id());
  c.set_team(d.team());
  const std::string& who = rep.empty() ? d.rep_id() : rep;
  c.set_rep_id(who);
  c.set_version(decided_ms);
  if (d.outcome() == rv1::QUEUED && rep.empty()) {
    c.set_state(rv1::SALES_QUEUED);
    return c;
  }
  const SalesStatus s = SalesStateOf(d, tags, who);
  c.set_state(s.state);
  const int64_t fed = tags.version > 0 ? tags.version : decided_ms + 1;
  switch (s.state) {
    case rv1::SALES_ACCEPTED:
      c.set_version(tags.accepted_version > 0 ? tags.accepted_version : fed);
      c.set_feedback(rv1::FEEDBACK_ACCEPTED);
      break;
    case rv1::SALES_IN_STAGE:
      SetInStage(tags, fed, c);
      break;
    case rv1::SALES_REJECTED:
      SetRejected(d, s, fed, c);
      break;
    case rv1::SALES_CLOSED:
      SetClosed(s, fed, c);
      break;
    case rv1::SALES_STATE_UNSPECIFIED:
      if (ReassignedAwayFrom(record, rep)) c.set_state(rv1::SALES_REASSIGNED_AWAY);
      break;
    default:
      break;
  }
  return c;
}

int64_t NextVersion(int64_t now_ms, int64_t last_version, int64_t decided_ms) {
  return std::max({now_ms, last_version + 1, decided_ms + 1});
}

}  // namespace leadflow::routing
