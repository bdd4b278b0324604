#include "routing/app/routing_metrics.h"

namespace leadflow::routing {
namespace {

constexpr metrics::ServiceMetrics::Family kRepAssignmentsTotal{
    "rep_assignments_total",
    "Leads a team's round robin gave a rep (ASSIGNED, REASSIGNED; named owners' not counted)"};
constexpr metrics::ServiceMetrics::Family kDecisionsTotal{
    "decisions_total", "Routing decisions by outcome, team and segment"};
constexpr metrics::ServiceMetrics::Family kRepAvailable{
    "rep_available",
    "1 while a rep takes leads (availability ACTIVE, outside any out-of-office window), 0 while "
    "paused or out of office"};
constexpr metrics::ServiceMetrics::Family kRepWeightShareRatio{
    "rep_weight_share_ratio",
    "A rep's share of its team's round-robin weights (routing_rules.json)"};
constexpr metrics::ServiceMetrics::Family kFairnessToleranceRatio{
    "fairness_tolerance_ratio",
    "How far a rep's share of assignments may drift from its weight share (routing_rules.json "
    "fairness.tolerance_pct / 100)"};
constexpr metrics::ServiceMetrics::Family kFairnessMinTeamAssignments{
    "fairness_min_team_assignments",
    "Assignments a team needs in the window before its fairness is judged"};
constexpr metrics::ServiceMetrics::Family kRedeliveredDecisionsTotal{
    "redelivered_decisions_total",
    "Leads seen again whose recorded decision was re-emitted unchanged"};
constexpr metrics::ServiceMetrics::Family kRepOpenLeads{"rep_open_leads",
                                                        "Open leads per rep (seller load)"};
constexpr metrics::ServiceMetrics::Family kRepTodayLeads{
    "rep_today_leads", "Leads given to a rep on the rep's local day"};
constexpr metrics::ServiceMetrics::Family kQueueDepth{"queue_depth",
                                                      "Queued (unassigned) leads per team"};
constexpr metrics::ServiceMetrics::Family kFeedbackTotal{"feedback_total",
                                                         "Sales feedback by kind and reason"};
constexpr metrics::ServiceMetrics::Family kDealStageChangesTotal{
    "deal_stage_changes_total", "Deals moved to a stage after acceptance, by stage and team"};
constexpr metrics::ServiceMetrics::Family kDealsLostTotal{
    "deals_lost_total", "Deals closed LOST, by loss reason code and team"};
constexpr metrics::ServiceMetrics::Family kPipelineValueRub{
    "pipeline_value_rub", "Open deal value in a stage (RUB) by team and segment, from Redis"};
constexpr metrics::ServiceMetrics::Family kPipelineValueWeightedRub{
    "pipeline_value_weighted_rub",
    "Open deal value weighted by stage win probability (RUB) by team and segment"};
constexpr metrics::ServiceMetrics::Family kSlaStepsTotal{
    "sla_steps_total",
    "Steps of the SLA escalation ladder taken (reminder, escalation, reassigned), by team and "
    "step"};
constexpr metrics::ServiceMetrics::Family kDealStallsTotal{
    "deal_stalls_total",
    "Deals that stayed in a stage longer than its max_time_in_stage, by stage and team"};
constexpr metrics::ServiceMetrics::Family kDealsClosedTotal{
    "deals_closed_total", "Closed deals by outcome and the routed lead's segment and deal band"};
constexpr metrics::ServiceMetrics::Family kClaimConflictsTotal{
    "claim_conflicts_total", "Capacity claims lost to a concurrent claim and decided again"};
constexpr metrics::ServiceMetrics::Family kHolidayCalendarRemainingSeconds{
    "holiday_calendar_remaining_seconds",
    "Seconds until a holiday calendar's data ends (the end of routing_rules.json "
    "holiday_calendars[].covers_to, UTC); after it, holidays are not known"};
constexpr metrics::ServiceMetrics::Family kRepCapacityLeads{
    "rep_capacity_leads", "Maximum open leads per rep (seller capacity)"};
constexpr metrics::ServiceMetrics::Family kRepDailyCapLeads{"rep_daily_cap_leads",
                                                            "Daily lead cap per rep"};
constexpr metrics::ServiceMetrics::Family kSlaBreachesTotal{
    "sla_breaches_total", "SLA expiries by team and kind (assigned, queued)"};
constexpr metrics::ServiceMetrics::Family kReassignmentsTotal{"reassignments_total",
                                                              "SLA re-assignments to another rep"};
constexpr metrics::ServiceMetrics::Family kDequeuedTotal{
    "dequeued_total", "Queued leads assigned once capacity freed"};

}  // namespace

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

void RoutingMetrics::Decision(const rv1::Decision& d, cv1::Segment segment) {
  m_.CounterOf(kDecisionsTotal, {{"outcome", rv1::RoutingOutcome_Name(d.outcome())},
                                 {"team", d.team().empty() ? "none" : d.team()},
                                 {"segment", cv1::Segment_Name(segment)}})
      .Inc();
  // Round-robin fairness counts the team's own picks, not named owners.
  if ((d.outcome() == rv1::ASSIGNED || d.outcome() == rv1::REASSIGNED) && !d.rep_id().empty()) {
    RepAssignments(d.team(), d.rep_id()).Inc();
  }
}

void RoutingMetrics::RepAvailable(const std::string& team, const std::string& rep, bool available) {
  m_.GaugeOf(kRepAvailable, {{"team", team}, {"rep", rep}}).Set(available ? 1 : 0);
}

metrics::Counter RoutingMetrics::RepAssignments(const std::string& team, const std::string& rep) {
  return m_.CounterOf(kRepAssignmentsTotal, {{"team", team.empty() ? "none" : team}, {"rep", rep}});
}

void RoutingMetrics::Fairness(const std::string& team, const std::string& rep, double weight_share,
                              double tolerance, int min_team_assignments) {
  RepAssignments(team, rep);  // a rep nobody picked shows 0, not nothing
  m_.GaugeOf(kRepWeightShareRatio, {{"team", team}, {"rep", rep}}).Set(weight_share);
  m_.GaugeOf(kFairnessToleranceRatio).Set(tolerance);
  m_.GaugeOf(kFairnessMinTeamAssignments).Set(min_team_assignments);
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

void RoutingMetrics::Redelivered() { m_.CounterOf(kRedeliveredDecisionsTotal).Inc(); }

void RoutingMetrics::RepOpenLeads(const std::string& team, const std::string& rep, double open) {
  m_.GaugeOf(kRepOpenLeads, {{"team", team.empty() ? "none" : team}, {"rep", rep}}).Set(open);
}

void RoutingMetrics::RepTodayLeads(const std::string& team, const std::string& rep, double today) {
  m_.GaugeOf(kRepTodayLeads, {{"team", team.empty() ? "none" : team}, {"rep", rep}}).Set(today);
}

void RoutingMetrics::QueueDepth(const std::string& team, double depth) {
  m_.GaugeOf(kQueueDepth, {{"team", team}}).Set(depth);
}

void RoutingMetrics::Feedback(const std::string& kind, const std::string& reason) {
  m_.CounterOf(kFeedbackTotal, {{"kind", kind}, {"reason", reason}}).Inc();
}

void RoutingMetrics::DealStageChanged(const std::string& stage, const std::string& team) {
  m_.CounterOf(kDealStageChangesTotal, {{"stage", stage}, {"team", team}}).Inc();
}

void RoutingMetrics::DealLost(const std::string& reason, const std::string& team) {
  m_.CounterOf(kDealsLostTotal, {{"reason", reason}, {"team", team}}).Inc();
}

void RoutingMetrics::PipelineValue(const std::string& team, const std::string& segment,
                                   double value_rub, double weighted_rub) {
  m_.GaugeOf(kPipelineValueRub, {{"team", team}, {"segment", segment}}).Set(value_rub);
  m_.GaugeOf(kPipelineValueWeightedRub, {{"team", team}, {"segment", segment}}).Set(weighted_rub);
}

void RoutingMetrics::SlaStep(const std::string& team, const std::string& step) {
  m_.CounterOf(kSlaStepsTotal, {{"team", team}, {"step", step}}).Inc();
}

void RoutingMetrics::DealStalled(const std::string& stage, const std::string& team) {
  m_.CounterOf(kDealStallsTotal, {{"stage", stage}, {"team", team}}).Inc();
}

void RoutingMetrics::DealClosed(const std::string& outcome, const std::string& segment,
                                const std::string& band) {
  m_.CounterOf(kDealsClosedTotal, {{"outcome", outcome}, {"segment", segment}, {"band", band}})
      .Inc();
}

void RoutingMetrics::ClaimConflict() { m_.CounterOf(kClaimConflictsTotal).Inc(); }

void RoutingMetrics::HolidayCalendarRemaining(const std::string& calendar, double seconds) {
  m_.GaugeOf(kHolidayCalendarRemainingSeconds, {{"calendar", calendar}}).Set(seconds);
}

void RoutingMetrics::RepCapacity(const std::string& team, const std::string& rep, int max_open,
                                 int daily_cap) {
  m_.GaugeOf(kRepCapacityLeads, {{"team", team}, {"rep", rep}}).Set(max_open);
  m_.GaugeOf(kRepDailyCapLeads, {{"team", team}, {"rep", rep}}).Set(daily_cap);
}

void RoutingMetrics::SlaBreach(const std::string& team, const std::string& kind) {
  m_.CounterOf(kSlaBreachesTotal, {{"team", team.empty() ? "none" : team}, {"kind", kind}}).Inc();
}

void RoutingMetrics::Reassigned(const std::string& team) {
  m_.CounterOf(kReassignmentsTotal, {{"team", team.empty() ? "none" : team}}).Inc();
}

void RoutingMetrics::Dequeued(const std::string& team) {
  m_.CounterOf(kDequeuedTotal, {{"team", team}}).Inc();
}

}  // namespace leadflow::routing
