#include "routing/domain/router.h"

#include <algorithm>
#include <optional>

#include "routing/domain/business_time.h"
#include "routing/domain/team_match.h"
#include "routing/domain/working_hours.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

void Step(rv1::Decision& d, const std::string& rule, bool matched, const std::string& detail) {
  auto* s = d.add_path();
  s->set_rule_id(rule);
  s->set_matched(matched);
  s->set_detail(detail);
}

// The rules version and the decision time every decision carries.
void Stamp(rv1::Decision& d, const std::string& rules_version,
           std::chrono::system_clock::time_point now) {
  d.set_rules_version(rules_version);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  d.mutable_decided_at()->set_seconds(ms.count() / 1000);
  d.mutable_decided_at()->set_nanos(static_cast<int32_t>(ms.count() % 1000) * 1000000);
}

bool IsCustomer(const leadflow::scoring::v1::LeadScored& scored, rv1::Decision& d) {
  const auto relationship = scored.lead().meta().relationship();
  if (relationship == cv1::CUSTOMER) {
    Step(d, "order.customer", true, "relationship CUSTOMER");
    return true;
  }
  Step(d, "order.customer", false, "relationship " + cv1::Relationship_Name(relationship));
  return false;
}

// A disqualified lead is acknowledged and recorded with its first reason.
bool Disqualify(const leadflow::scoring::v1::LeadScored& scored, RoutingResult& result) {
  auto& d = result.decision;
  if (!scored.disqualified()) {
    Step(d, "order.disqualified", false, "");
    return false;
  }
  result.reason = scored.disqualification_reasons().empty() ? cv1::REASON_UNSPECIFIED
                                                            : scored.disqualification_reasons(0);
  Step(d, "order.disqualified", true, cv1::ReasonCode_Name(result.reason));
  d.set_outcome(rv1::DISQUALIFIED);
  return true;
}

// MQL or later; below it, marketing nurture.
bool Qualifies(const leadflow::scoring::v1::LeadScored& scored, rv1::Decision& d) {
  const bool qualified = IsQualified(scored.lifecycle_stage());
  Step(d, "order.mql", qualified,
       "lifecycle " + cv1::LifecycleStage_Name(scored.lifecycle_stage()));
  return qualified;
}

// A named owner takes the lead whatever the load; the path says so.
void NoteOwnerOverCapacity(const RepPolicy& rp, const RepState& s, rv1::Decision& d) {
  if (s.open_leads < rp.rep->max_open_leads() && s.today_count < rp.rep->daily_cap()) return;
  Step(d, "capacity.owner_precedence", true,
       "named owner at capacity (open " + std::to_string(s.open_leads) + "/" +
           std::to_string(rp.rep->max_open_leads()) + ", today " + std::to_string(s.today_count) +
           "/" + std::to_string(rp.rep->daily_cap()) + "): owner takes precedence");
}

}  // namespace

bool IsLargeClientSegment(cv1::Segment segment) {
  return segment == cv1::ENTERPRISE || segment == cv1::GOVERNMENT || segment == cv1::INFRASTRUCTURE;
}

bool IsQualified(cv1::LifecycleStage stage) {
  return stage == cv1::MQL || stage == cv1::SQL || stage == cv1::OPPORTUNITY;
}

std::string Router::PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                            std::chrono::system_clock::time_point now, rv1::Decision& d,
                            const std::set<std::string>& exclude) {
  std::vector<WrrCandidate> eligible;
  for (const auto& rep : team.reps()) {
    const RepState s = reps.Get(rep.rep_id());
    const std::string rule = "rep." + rep.rep_id();
    if (exclude.count(rep.rep_id())) {
      Step(d, rule, false, "skipped: previous owner");
      continue;
    }
    if (const std::string away = RepStateView::AwayReason(s, now); !away.empty()) {
      Step(d, rule, false, "skipped: " + away);
      continue;
    }
    if (s.open_leads >= rep.max_open_leads()) {
      Step(d, rule, false,
           "skipped: open leads " + std::to_string(s.open_leads) + "/" +
               std::to_string(rep.max_open_leads()));
      continue;
    }
    if (s.today_count >= rep.daily_cap()) {
      Step(d, rule, false,
           "skipped: daily cap " + std::to_string(s.today_count) + "/" +
               std::to_string(rep.daily_cap()));
      continue;
    }
    if (team.enforce_working_hours()) {
      const RepPolicy* rp = policy_->FindRep(rep.rep_id());
      std::string when;
      if (rp != nullptr && rp->zone != nullptr &&
          !WithinWorkingHours(rep.hours(), *rp->zone, now, &when, rp->holidays)) {
        // A day off of the rep's holiday calendar reads "holiday <date> (calendar <id>)".
        Step(d, rule, false,
             "skipped: " +
                 (when.starts_with("holiday ") ? when : "outside working hours (" + when + ")"));
        continue;
      }
    }
    eligible.push_back({rep.rep_id(), rep.weight()});
  }
  const std::string chosen = wrr_.Pick(team.team_id(), eligible);
  if (!chosen.empty()) {
    Step(d, "rep." + chosen, true,
         "chosen by weighted round robin among " + std::to_string(eligible.size()) + " eligible");
  }
  return chosen;
}

void Router::RouteCustomer(const leadflow::scoring::v1::LeadScored& scored,
                           const RepStateView& reps, std::chrono::system_clock::time_point now,
                           RoutingResult& result) {
  auto& d = result.decision;
  const auto& lead = scored.lead();
  d.set_outcome(rv1::CUSTOMER_INBOUND);
  result.account_owner = lead.account_owner();
  if (!lead.account_owner().empty()) {
    const RepState s = reps.Get(lead.account_owner());
    const std::string away = RepStateView::AwayReason(s, now);
    if (away.empty()) {
      Step(d, "customer.owner", true, "account owner " + lead.account_owner());
      d.set_rep_id(lead.account_owner());
      d.set_team(lead.owner_team().empty() ? policy_->rules().customer_fallback_team()
                                           : lead.owner_team());
      return;
    }
    Step(d, "customer.owner", false, "account owner " + lead.account_owner() + " " + away);
  } else {
    Step(d, "customer.owner", false, "account owner unknown");
  }
  std::string team_id = lead.owner_team();
  if (!team_id.empty()) {
    Step(d, "customer.owner_team", true, "team " + team_id);
  } else {
    team_id = policy_->rules().customer_fallback_team();
    Step(d, "customer.fallback_team", !team_id.empty(),
         team_id.empty() ? "no fallback team configured" : "team " + team_id);
  }
  d.set_team(team_id);
  // Within a configured account team, pick a colleague of the owner; otherwise
  // the team's own queue picks it up. Either way it stays on accounts.inbound.
  if (const auto* team = policy_->FindTeam(team_id); team != nullptr) {
    d.set_rep_id(PickRep(*team, reps, now, d));
  }
}

void Router::SetSla(const std::string& team_id, const std::string& rep_id, const RepStateView& reps,
                    std::chrono::system_clock::time_point now, RoutingResult& result) const {
  // The rep's out-of-office windows pause the SLA too (business_time.h).
  const RepState s = reps.Get(rep_id);
  result.sla_due_ms = SlaDueMillis(*policy_, team_id, rep_id, now, &s.out_of_office);
}

// Named accounts go to the named owner (intake puts the registry's
// named_owner_rep_id in account_owner). An owner routing has no rep for
// would get a lead no team can see, so such a lead routes on as a prospect.
bool Router::RouteToNamedOwner(const leadflow::scoring::v1::LeadScored& scored,
                               const RepStateView& reps, std::chrono::system_clock::time_point now,
                               RoutingResult& result) const {
  auto& d = result.decision;
  if (!scored.named_account()) {
    Step(d, "order.named_account", false, "not a named account");
    return false;
  }
  const std::string& owner = scored.lead().account_owner();
  if (owner.empty()) {
    Step(d, "order.named_account", false, "named account without a known owner");
    return false;
  }
  const RepPolicy* rp = policy_->FindRep(owner);
  if (rp == nullptr) {
    Step(d, "order.named_account", false,
         "named owner " + owner + " is not a rep in the routing rules");
    return false;
  }
  const RepState s = reps.Get(owner);
  if (!RepStateView::IsAvailable(s, now)) {
    Step(d, "order.named_account", false,
         "named owner " + owner + " " + RepStateView::AwayReason(s, now));
    return false;
  }
  Step(d, "order.named_account", true, "named owner " + owner);
  d.set_outcome(rv1::NAMED_OWNER);
  d.set_rep_id(owner);
  d.set_team(rp->team_id);
  NoteOwnerOverCapacity(*rp, s, d);
  SetSla(d.team(), owner, reps, now, result);
  return true;
}

void Router::AssignInTeam(const std::string& team_id, const RepStateView& reps,
                          std::chrono::system_clock::time_point now, RoutingResult& result) {
  auto& d = result.decision;
  d.set_team(team_id);
  const auto* team = policy_->FindTeam(team_id);  // validated to exist
  const std::string rep = PickRep(*team, reps, now, d);
  if (!rep.empty()) {
    d.set_outcome(rv1::ASSIGNED);
    d.set_rep_id(rep);
    SetSla(team_id, rep, reps, now, result);
    return;
  }
  if (team->overflow() == leadflow::config::v1::TO_NURTURE) {
    Step(d, "overflow." + team_id, true, "no eligible rep: back to nurture");
    d.set_outcome(rv1::NURTURE);
    return;
  }
  Step(d, "overflow." + team_id, true, "no eligible rep: queued");
  d.set_outcome(rv1::QUEUED);
  SetSla(team_id, "", reps, now, result);
}

RoutingResult Router::Decide(const leadflow::scoring::v1::LeadScored& scored,
                             const RepStateView& reps, std::chrono::system_clock::time_point now) {
  RoutingResult result;
  auto& d = result.decision;
  Stamp(d, policy_->version(), now);

  // 1. Customers: only ever to the account owner (accounts.inbound).
  if (IsCustomer(scored, d)) {
    RouteCustomer(scored, reps, now, result);
    return result;
  }
  // 2. Named accounts go to the named owner.
  if (RouteToNamedOwner(scored, reps, now, result)) return result;
  // 3. Disqualified: acknowledged and recorded, not sent to sales.
  if (Disqualify(scored, result)) return result;
  // 4. A large deal goes to its key-account team whatever its score.
  std::optional<std::string> team_id = MatchLargeDeal(*policy_, scored, &d);
  if (!team_id) {
    // 5. Not yet qualified: marketing nurture.
    if (!Qualifies(scored, d)) {
      d.set_outcome(rv1::NURTURE);
      return result;
    }
    // 6. Qualified prospect: the first matching team rule.
    team_id = MatchTeam(*policy_, scored, &d);
  }
  // Then a rep of the team, else the team's overflow (queue or nurture).
  AssignInTeam(*team_id, reps, now, result);
  return result;
}

}  // namespace leadflow::routing
