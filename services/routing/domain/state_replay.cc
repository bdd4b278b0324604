#include "routing/domain/state_replay.h"

#include <algorithm>

#include "routing/domain/feedback.h"
#include "routing/domain/queue_order.h"

namespace leadflow::routing {

namespace rv1 = leadflow::routing::v1;

namespace {

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

bool HoldsARep(rv1::RoutingOutcome o) {
  return o == rv1::ASSIGNED || o == rv1::NAMED_OWNER || o == rv1::REASSIGNED;
}

}  // namespace

void RoutingStateReplay::OnDecision(const rv1::LeadAssigned& record) {
  const std::string& lead_id = record.scored().lead().meta().lead_id();
  if (lead_id.empty()) return;
  const rv1::Decision& d = record.decision();
  const int64_t decided_ms = Millis(d.decided_at());
  if (HoldsARep(d.outcome()) && !d.rep_id().empty() &&
      counted_[lead_id].insert(d.rep_id()).second) {
    ++given_[{day_of_(d.rep_id(), decided_ms), d.rep_id()}];
  }
  Fed& fed = latest_[lead_id];
  if (fed.order != 0 && decided_ms < fed.decided_ms) return;  // an older decision
  fed.record = record;
  fed.decided_ms = decided_ms;
  fed.order = ++order_;
}

void RoutingStateReplay::OnFeedback(const rv1::SalesFeedback& feedback) {
  if (feedback.lead_id().empty()) return;
  feedback_[feedback.lead_id()].push_back(feedback);
}

void RoutingStateReplay::OnStall(const rv1::DealStalled& stall) {
  if (stall.lead_id().empty()) return;
  int64_t& v = stalls_[stall.lead_id()][stall.stage_version()];
  v = std::max(v, stall.version());
}

void RoutingStateReplay::OnAvailability(const std::string& rep_id, rv1::RepAvailability a) {
  availability_[rep_id] = a;
}

void RoutingStateReplay::OnOutOfOffice(const std::string& rep_id, OutOfOffice windows,
                                       int64_t at_ms) {
  auto [it, inserted] = out_of_office_.try_emplace(rep_id, at_ms, OutOfOffice{});
  if (!inserted && it->second.first > at_ms) return;
  it->second = {at_ms, std::move(windows)};
}

RoutingStateReplay::State RoutingStateReplay::Build(
    const std::set<std::string>& days, const leadflow::config::v1::QueueOrder& order) const {
  State state;
  state.availability = availability_;
  state.out_of_office = out_of_office_;
  for (const auto& [key, count] : given_) {
    if (days.count(key.first)) state.daily[key] = count;
  }
  for (const auto& [lead_id, fed] : latest_) {
    Lead lead;
    lead.record = fed.record;
    const rv1::Decision& d = fed.record.decision();
    const std::string& rep = d.rep_id();
    if (HoldsARep(d.outcome()) && !rep.empty()) {
      FoldHeld(lead_id, fed, lead);
      if (lead.open) state.open[rep].insert(lead_id);
    } else if (d.outcome() == rv1::QUEUED && !d.team().empty()) {
      lead.queued = true;
      state.queues[d.team()].push_back(
          QueueEntry(order, fed.record.scored(), fed.decided_ms, lead_id));
    }
    state.leads.emplace(lead_id, std::move(lead));
  }
  for (auto& [team, entries] : state.queues) {
    std::sort(entries.begin(), entries.end(), DrainsBefore);
  }
  return state;
}

void RoutingStateReplay::FoldHeld(const std::string& lead_id, const Fed& fed, Lead& lead) const {
  const std::string& rep = fed.record.decision().rep_id();
  lead.open = true;
  if (auto it = feedback_.find(lead_id); it != feedback_.end()) {
    for (const auto& f : it->second) {
      // Feedback counts only from the holder, and not from before this
      // decision (a rep may have held the lead in an earlier life of it).
      if (f.rep_id() != rep) continue;
      if (f.has_at() && Millis(f.at()) < fed.decided_ms) continue;
      ApplyFeedback(f, lead);
    }
  }
  if (!lead.stage.empty()) {
    if (auto st = stalls_.find(lead_id); st != stalls_.end()) {
      if (auto v = st->second.find(lead.stage_at_ms); v != st->second.end()) {
        lead.stalled_version = v->second;
      }
    }
  }
  if (lead.open && !lead.accepted && fed.record.has_sla_due_at()) {
    lead.sla_due_ms = Millis(fed.record.sla_due_at());
  }
}

void RoutingStateReplay::ApplyFeedback(const rv1::SalesFeedback& f, Lead& lead) {
  const std::string& rep = f.rep_id();
  lead.last_feedback = std::string(FeedbackKindLabel(f.kind())) + "|" + rep;
  lead.last_detail = f.kind() == rv1::REJECT
                         ? leadflow::common::v1::ReasonCode_Name(f.reject_reason())
                     : f.kind() == rv1::CLOSE ? CloseDetail(f.outcome(), f.loss_reason())
                                              : "";
  lead.last_at_ms = f.has_at() ? Millis(f.at()) : 0;
  if (f.kind() == rv1::ACCEPT) {
    lead.accepted = true;
    lead.accepted_at_ms = lead.last_at_ms;
  }
  if (f.kind() == rv1::STAGE && lead.accepted) {
    if (f.stage() != lead.stage) {
      const int64_t entered = lead.stage.empty() ? lead.accepted_at_ms : lead.stage_at_ms;
      lead.previous_stage = lead.stage;
      lead.ms_in_previous_stage =
          entered > 0 && lead.last_at_ms > 0 ? std::max<int64_t>(0, lead.last_at_ms - entered) : 0;
      lead.stage = f.stage();
      lead.stage_at_ms = lead.last_at_ms;
    }
    if (f.deal_value_rub() > 0) lead.value_rub = f.deal_value_rub();
  }
  if (f.kind() == rv1::REJECT || f.kind() == rv1::CLOSE) lead.open = false;
}

}  // namespace leadflow::routing
