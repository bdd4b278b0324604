#include "notifier/domain/event_decoders.h"

#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/routing/v1/sla_escalation.pb.h"

namespace leadflow::notifier {
namespace {

using google::protobuf::Timestamp;

int64_t Millis(const Timestamp& t) { return t.seconds() * 1000 + t.nanos() / 1000000; }

void AddIfSet(Notification& n, const char* name, const std::string& value) {
  if (!value.empty()) n.fields.emplace_back(name, value);
}

void AddTime(Notification& n, const char* name, const Timestamp& t, bool present) {
  if (present && (t.seconds() != 0 || t.nanos() != 0)) {
    n.fields.emplace_back(name, FormatRfc3339Millis(Millis(t)));
  }
}

// The lead, team and rep fields of a routing event's notification.
void AddLeadTeamRep(Notification& n, const std::string& lead_id, const std::string& team,
                    const std::string& rep_id) {
  AddIfSet(n, "lead_id", lead_id);
  AddIfSet(n, "team", team);
  AddIfSet(n, "rep_id", rep_id);
}

// Tells the rep and the team (those set).
void TellRepAndTeam(Notification& n, const std::string& rep_id, const std::string& team) {
  if (!rep_id.empty()) n.rep_ids.push_back(rep_id);
  if (!team.empty()) n.teams.push_back(team);
}

// The name refusals give a message type: "routing.v1.DealStalled".
std::string TypeName(const google::protobuf::Message& m) {
  const std::string& full = m.GetDescriptor()->full_name();  // leadflow.routing.v1.DealStalled
  return full.substr(full.find('.') + 1);
}

// Parses a routing event that must name its lead: kInvalidArgument "not a
// routing.v1.DealStalled" or "DealStalled without lead_id" otherwise.
template <typename Event>
Status ParseLeadEvent(const std::string& payload, Event& e) {
  if (!e.ParseFromString(payload)) return Status::InvalidArgument("not a " + TypeName(e));
  if (e.lead_id().empty()) {
    return Status::InvalidArgument(e.GetDescriptor()->name() + " without lead_id");
  }
  return Status::Ok();
}

// The notification, dated when its event occurred (`t`, when present).
DecodeResult Occurred(Notification n, const Timestamp& t, bool present) {
  if (present) n.occurred_at_ms = Millis(t);
  return std::optional<Notification>(std::move(n));
}

// The rules that decided, in order: the matched steps' rule ids (e.g.
// "order.customer > team.enterprise > rep.en-orlov"). Step details are left
// out: they are free text.
std::string DecisionReason(const routing::v1::Decision& d) {
  std::string reason;
  for (const auto& step : d.path()) {
    if (!step.matched() || step.rule_id().empty()) continue;
    if (!reason.empty()) reason += " > ";
    reason += step.rule_id();
  }
  return reason;
}

}  // namespace

DecodeResult DecodeLeadAssigned(const std::string& payload) {
  routing::v1::LeadAssigned a;
  if (!a.ParseFromString(payload)) {
    return Status::InvalidArgument("not a routing.v1.LeadAssigned");
  }
  const auto& d = a.decision();
  const std::string& lead_id = a.scored().lead().meta().lead_id();
  if (lead_id.empty()) return Status::InvalidArgument("LeadAssigned without lead_id");
  Notification n;
  switch (d.outcome()) {
    case routing::v1::ASSIGNED:
    case routing::v1::NAMED_OWNER:
      n.kind = std::string(kKindLeadAssigned);
      n.title = "New lead assigned";
      break;
    case routing::v1::REASSIGNED:
      n.kind = std::string(kKindLeadReassigned);
      n.title = "Lead re-assigned (SLA expired)";
      break;
    case routing::v1::QUEUED:
      n.kind = std::string(kKindLeadQueued);
      n.title = "Lead waiting in the team queue";
      break;
    default:
      return std::optional<Notification>();
  }
  if (!d.rep_id().empty() && n.kind != kKindLeadQueued) n.rep_ids.push_back(d.rep_id());
  if (!d.team().empty()) n.teams.push_back(d.team());
  if (n.rep_ids.empty() && n.teams.empty()) return std::optional<Notification>();
  AddLeadTeamRep(n, lead_id, d.team(), d.rep_id());
  AddIfSet(n, "outcome", routing::v1::RoutingOutcome_Name(d.outcome()));
  AddIfSet(n, "reason", DecisionReason(d));
  AddTime(n, "sla_due_at", a.sla_due_at(), a.has_sla_due_at());
  AddIfSet(n, "grade", a.scored().grade());
  if (a.scored().has_lead()) {
    AddIfSet(n, "buyer_stage", common::v1::BuyerStage_Name(a.scored().lead().buyer_stage()));
  }
  if (!a.previous_reps().empty()) {
    std::string prev;
    for (const auto& r : a.previous_reps()) prev += (prev.empty() ? "" : ",") + r;
    AddIfSet(n, "previous_reps", prev);
  }
  return Occurred(std::move(n), d.decided_at(), d.has_decided_at());
}

DecodeResult DecodeDealStalled(const std::string& payload) {
  routing::v1::DealStalled s;
  if (Status st = ParseLeadEvent(payload, s); !st.ok()) return st;
  Notification n;
  n.kind = std::string(kKindDealStalled);
  n.title = "Deal stalled in stage " + s.stage();
  n.natural_id = "deal_stalled|" + s.lead_id() + "|" + std::to_string(s.version());
  TellRepAndTeam(n, s.rep_id(), s.team());
  if (n.rep_ids.empty() && n.teams.empty()) return std::optional<Notification>();
  AddLeadTeamRep(n, s.lead_id(), s.team(), s.rep_id());
  AddIfSet(n, "stage", s.stage());
  AddIfSet(n, "stage_owner", s.owner());
  n.fields.emplace_back("days_in_stage", std::to_string(s.ms_in_stage() / 86400000));
  n.fields.emplace_back("max_days_in_stage", std::to_string(s.max_ms_in_stage() / 86400000));
  if (s.deal_value_rub() > 0)
    n.fields.emplace_back("deal_value_rub", std::to_string(s.deal_value_rub()));
  AddTime(n, "stalled_at", s.stalled_at(), s.has_stalled_at());
  return Occurred(std::move(n), s.stalled_at(), s.has_stalled_at());
}

DecodeResult DecodeSlaEscalation(const std::string& payload) {
  routing::v1::SlaEscalation e;
  if (Status st = ParseLeadEvent(payload, e); !st.ok()) return st;
  Notification n;
  switch (e.step()) {
    case routing::v1::SLA_STEP_REMINDER:
      n.kind = std::string(kKindSlaReminder);
      n.title = "Reminder: accept the lead before its SLA runs out";
      if (!e.rep_id().empty()) n.rep_ids.push_back(e.rep_id());
      break;
    case routing::v1::SLA_STEP_ESCALATION:
      n.kind = std::string(kKindSlaEscalation);
      n.title = "SLA missed: the lead is not accepted";
      TellRepAndTeam(n, e.rep_id(), e.team());
      break;
    default:
      return std::optional<Notification>();
  }
  if (n.rep_ids.empty() && n.teams.empty()) return std::optional<Notification>();
  n.natural_id = n.kind + "|" + e.lead_id() + "|" + std::to_string(Millis(e.due_at()));
  AddLeadTeamRep(n, e.lead_id(), e.team(), e.rep_id());
  AddIfSet(n, "escalate_to", e.escalate_to());
  AddTime(n, "sla_due_at", e.sla_due_at(), e.has_sla_due_at());
  AddTime(n, "due_at", e.due_at(), e.has_due_at());
  return Occurred(std::move(n), e.at(), e.has_at());
}

DecodeResult DecodeAccountNotification(const std::string& payload) {
  nurture::v1::AccountNotification a;
  if (!a.ParseFromString(payload)) {
    return Status::InvalidArgument("not a nurture.v1.AccountNotification");
  }
  Notification n;
  std::string lead_id = a.lead_id();
  switch (a.kind()) {
    case nurture::v1::CUSTOMER_RESPONDED:
      n.kind = std::string(kKindCustomerResponded);
      n.title = "Customer responded";
      if (lead_id.empty()) lead_id = a.response().lead_id();
      if (!a.response().event_id().empty()) {
        n.natural_id = "customer_responded|" + a.response().event_id();
      }
      break;
    case nurture::v1::ACCOUNT_DEVELOPMENT:
      n.kind = std::string(kKindAccountDevelopment);
      n.title = "Rejected lead moved to account development";
      if (!a.enrolment_id().empty()) n.natural_id = "account_development|" + a.enrolment_id();
      break;
    case nurture::v1::SINGLE_CONTACT:
      n.kind = std::string(kKindSingleContact);
      n.title = "Customer account known through one contact only";
      break;
    default:  // TOUCH_SENT (and the unset kind written before kinds existed)
      return std::optional<Notification>();
  }
  if (a.owner_rep_id().empty()) return std::optional<Notification>();
  n.rep_ids.push_back(a.owner_rep_id());
  AddIfSet(n, "lead_id", lead_id);
  AddIfSet(n, "rep_id", a.owner_rep_id());
  if (a.kind() == nurture::v1::CUSTOMER_RESPONDED) {
    AddIfSet(n, "response", nurture::v1::ResponseKind_Name(a.response().kind()));
    AddIfSet(n, "content_id", a.response().content_id());
  }
  AddIfSet(n, "track_id", a.track_id());
  AddIfSet(n, "programme_id", a.programme_id());
  if (a.kind() == nurture::v1::ACCOUNT_DEVELOPMENT) {
    AddIfSet(n, "rejection_reason", common::v1::ReasonCode_Name(a.rejection_reason()));
    AddIfSet(n, "rejected_by_rep_id", a.rejected_by_rep_id());
  }
  AddTime(n, "at", a.at(), a.has_at());
  return Occurred(std::move(n), a.at(), a.has_at());
}

}  // namespace leadflow::notifier
