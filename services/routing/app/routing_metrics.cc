#include "routing/app/routing_metrics.h"

#include <string_view>

namespace leadflow::routing {
namespace {

// Routing's families (leadflow_routing_<what>, docs/metrics.md), one row each;
// the code that counts one names it through Named().
constexpr metrics::ServiceMetrics::Family kFamilies[] = {
    {"rep_assignments_total",
     "Leads a team's round robin gave a rep (ASSIGNED, REASSIGNED; named owners' not counted)"},
    {"decisions_total", "Routing decisions by outcome, team and segment"},
    {"rep_available",
     "1 while a rep takes leads (availability ACTIVE, outside any out-of-office window), 0 while "
     "paused or out of office"},
    {"rep_weight_share_ratio",
     "A rep's share of its team's round-robin weights (routing_rules.json)"},
    {"fairness_tolerance_ratio",
     "How far a rep's share of assignments may drift from its weight share (routing_rules.json "
     "fairness.tolerance_pct / 100)"},
    {"fairness_min_team_assignments",
     "Assignments a team needs in the window before its fairness is judged"},
    {"redelivered_decisions_total",
     "Leads seen again whose recorded decision was re-emitted unchanged"},
    {"rep_open_leads", "Open leads per rep (seller load)"},
    {"rep_today_leads", "Leads given to a rep on the rep's local day"},
    {"queue_depth", "Queued (unassigned) leads per team"},
    {"feedback_total", "Sales feedback by kind and reason"},
    {"deal_stage_changes_total", "Deals moved to a stage after acceptance, by stage and team"},
    {"deals_lost_total", "Deals closed LOST, by loss reason code and team"},
    {"pipeline_value_rub", "Open deal value in a stage (RUB) by team and segment, from Redis"},
    {"pipeline_value_weighted_rub",
     "Open deal value weighted by stage win probability (RUB) by team and segment"},
    {"sla_steps_total",
     "Steps of the SLA escalation ladder taken (reminder, escalation, reassigned), by team and "
     "step"},
    {"deal_stalls_total",
     "Deals that stayed in a stage longer than its max_time_in_stage, by stage and team"},
    {"deals_closed_total", "Closed deals by outcome and the routed lead's segment and deal band"},
    {"claim_conflicts_total", "Capacity claims lost to a concurrent claim and decided again"},
    {"holiday_calendar_remaining_seconds",
     "Seconds until a holiday calendar's data ends (the end of routing_rules.json "
     "holiday_calendars[].covers_to, UTC); after it, holidays are not known"},
    {"rep_capacity_leads", "Maximum open leads per rep (seller capacity)"},
    {"rep_daily_cap_leads", "Daily lead cap per rep"},
    {"sla_breaches_total", "SLA expiries by team and kind (assigned, queued)"},
    {"reassignments_total", "SLA re-assignments to another rep"},
    {"dequeued_total", "Queued leads assigned once capacity freed"},
};

// The row of `what`, found at compile time: a name not in kFamilies does not
// compile.
consteval const metrics::ServiceMetrics::Family& Named(std::string_view what) {
  for (const auto& f : kFamilies) {
    if (std::string_view(f.what) == what) return f;
  }
  throw "not a routing metric family";
}

}  // namespace

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

void RoutingMetrics::Decision(const rv1::Decision& d, cv1::Segment segment) {
  m_.CounterOf(Named("decisions_total"), {{"outcome", rv1::RoutingOutcome_Name(d.outcome())},
                                          {"team", d.team().empty() ? "none" : d.team()},
                                          {"segment", cv1::Segment_Name(segment)}})
      .Inc();
  // Round-robin fairness counts the team's own picks, not named owners.
  if ((d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::REASSIGNED) && !d.rep_id().empty()) {
    RepAssignments(d.team(), d.rep_id()).Inc();
  }
}

void RoutingMetrics::RepAvailable(const std::string& team, const std::string& rep, bool available) {
  m_.GaugeOf(Named("rep_available"), {{"team", team}, {"rep", rep}}).Set(available ? 1 : 0);
}

metrics::Counter RoutingMetrics::RepAssignments(const std::string& team, const std::string& rep) {
  return m_.CounterOf(Named("rep_assignments_total"),
                      {{"team", team.empty() ? "none" : team}, {"rep", rep}});
}

void RoutingMetrics::Fairness(const std::string& team, const std::string& rep, double weight_share,
                              double tolerance, int min_team_assignments) {
  RepAssignments(team, rep);  // a rep nobody picked shows 0, not nothing
  m_.GaugeOf(Named("rep_weight_share_ratio"), {{"team", team}, {"rep", rep}}).Set(weight_share);
  m_.GaugeOf(Named("fairness_tolerance_ratio")).Set(tolerance);
  m_.GaugeOf(Named("fairness_min_team_assignments")).Set(min_team_assignments);
}

void RoutingMetrics::SpeedToLead(const rv1::Decision& d, double seconds) {
  static const std::vector<double> kBuckets = {1,   5,    15,   30,    60,    300,
                                               900, 1800, 3600, 14400, 86400, 604800};
  m_.registry()
      .GetHistogram("leadflow_routing_speed_to_lead_seconds",
                    "Time from first submission to the routing decision",
                    {{"outcome", rv1::RoutingOutcome_Name(d.outcome())}}, kBuckets)
      .Observe(seconds < 0 ? 0 : seconds);
}

void RoutingMetrics::Redelivered() { m_.CounterOf(Named("redelivered_decisions_total")).Inc(); }

void RoutingMetrics::RepOpenLeads(const std::string& team, const std::string& rep, double open) {
  m_.GaugeOf(Named("rep_open_leads"), {{"team", team.empty() ? "none" : team}, {"rep", rep}})
      .Set(open);
}

void RoutingMetrics::RepTodayLeads(const std::string& team, const std::string& rep, double today) {
  m_.GaugeOf(Named("rep_today_leads"), {{"team", team.empty() ? "none" : team}, {"rep", rep}})
      .Set(today);
}

void RoutingMetrics::QueueDepth(const std::string& team, double depth) {
  m_.GaugeOf(Named("queue_depth"), {{"team", team}}).Set(depth);
}

void RoutingMetrics::Feedback(const std::string& kind, const std::string& reason) {
  m_.CounterOf(Named("feedback_total"), {{"kind", kind}, {"reason", reason}}).Inc();
}

void RoutingMetrics::DealStageChanged(const std::string& stage, const std::string& team) {
  m_.CounterOf(Named("deal_stage_changes_total"), {{"stage", stage}, {"team", team}}).Inc();
}

void RoutingMetrics::DealLost(const std::string& reason, const std::string& team) {
  m_.CounterOf(Named("deals_lost_total"), {{"reason", reason}, {"team", team}}).Inc();
}

void RoutingMetrics::PipelineValue(const std::string& team, const std::string& segment,
                                   double value_rub, double weighted_rub) {
  m_.GaugeOf(Named("pipeline_value_rub"), {{"team", team}, {"segment", segment}}).Set(value_rub);
  m_.GaugeOf(Named("pipeline_value_weighted_rub"), {{"team", team}, {"segment", segment}})
      .Set(weighted_rub);
}

void RoutingMetrics::SlaStep(const std::string& team, const std::string& step) {
  m_.CounterOf(Named("sla_steps_total"), {{"team", team}, {"step", step}}).Inc();
}

void RoutingMetrics::DealStalled(const std::string& stage, const std::string& team) {
  m_.CounterOf(Named("deal_stalls_total"), {{"stage", stage}, {"team", team}}).Inc();
}

void RoutingMetrics::DealClosed(const std::string& outcome, const std::string& segment,
                                const std::string& band) {
  m_.CounterOf(Named("deals_closed_total"),
               {{"outcome", outcome}, {"segment", segment}, {"band", band}})
      .Inc();
}

void RoutingMetrics::ClaimConflict() { m_.CounterOf(Named("claim_conflicts_total")).Inc(); }

void RoutingMetrics::HolidayCalendarRemaining(const std::string& calendar, double seconds) {
  m_.GaugeOf(Named("holiday_calendar_remaining_seconds"), {{"calendar", calendar}}).Set(seconds);
}

void RoutingMetrics::RepCapacity(const std::string& team, const std::string& rep, int max_open,
                                 int daily_cap) {
  m_.GaugeOf(Named("rep_capacity_leads"), {{"team", team}, {"rep", rep}}).Set(max_open);
  m_.GaugeOf(Named("rep_daily_cap_leads"), {{"team", team}, {"rep", rep}}).Set(daily_cap);
}

void RoutingMetrics::SlaBreach(const std::string& team, const std::string& kind) {
  m_.CounterOf(Named("sla_breaches_total"),
               {{"team", team.empty() ? "none" : team}, {"kind", kind}})
      .Inc();
}

void RoutingMetrics::Reassigned(const std::string& team) {
  m_.CounterOf(Named("reassignments_total"), {{"team", team.empty() ? "none" : team}}).Inc();
}

void RoutingMetrics::Dequeued(const std::string& team) {
  m_.CounterOf(Named("dequeued_total"), {{"team", team}}).Inc();
}

}  // namespace leadflow::routing
