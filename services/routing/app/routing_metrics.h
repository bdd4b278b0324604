// Routing's own metrics (leadflow_routing_*). Labels are bounded: outcome,
// team and segment come from enums and config; rep ids come from config.
// Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

class RoutingMetrics {
 public:
  explicit RoutingMetrics(metrics::ServiceMetrics& m) : m_(m) {}

  void Decision(const leadflow::routing::v1::Decision& d, leadflow::common::v1::Segment segment);
  void SpeedToLead(const leadflow::routing::v1::Decision& d, double seconds);
  void Redelivered();
  void RepOpenLeads(const std::string& team, const std::string& rep, double open);
  void RepTodayLeads(const std::string& team, const std::string& rep, double today);
  // 1 while the rep takes leads (availability ACTIVE), else 0.
  void RepAvailable(const std::string& team, const std::string& rep, bool available);
  void QueueDepth(const std::string& team, double depth);
  void Feedback(const std::string& kind, const std::string& reason);
  // A closed deal (sales feedback CLOSE) by outcome and the routed lead's
  // segment and deal band: won deals per MQL is conversion by segment.
  void DealClosed(const std::string& outcome, const std::string& segment,
                  const std::string& band);
  // A deal closed LOST, by loss reason code ("UNSPECIFIED" when none was
  // given; never the free-text loss_detail) and team.
  void DealLost(const std::string& reason, const std::string& team);
  // A deal moved to `stage` (bounded: configured stage ids) in `team`.
  void DealStageChanged(const std::string& stage, const std::string& team);
  // A deal stayed in `stage` longer than the stage's maximum.
  void DealStalled(const std::string& stage, const std::string& team);
  // Open pipeline value of `team` and `segment` (RUB), and the same weighted
  // by each deal's stage win probability: gauges set by the scheduler from
  // Redis (the same in every replica: read them with max, not sum).
  void PipelineValue(const std::string& team, const std::string& segment, double value_rub,
                     double weighted_rub);
  // A claim lost its rep's last slot to another replica and was decided again.
  void ClaimConflict();
  // Fairness (set once from config, fairness.h): the rep's weight share, the
  // tolerance (a ratio) and the team volume before it is judged; also makes
  // the rep's assignment counter exist at 0.
  void Fairness(const std::string& team, const std::string& rep, double weight_share,
                double tolerance, int min_team_assignments);
  // Capacity gauges (set once from config): rep load is read against these.
  // Seconds until a holiday calendar's data ends (the end of its covers_to,
  // holiday_calendar.h); past it, only the weekly pattern holds.
  void HolidayCalendarRemaining(const std::string& calendar, double seconds);
  void RepCapacity(const std::string& team, const std::string& rep, int max_open, int daily_cap);
  // An SLA ran out; kind is "assigned" or "queued".
  void SlaBreach(const std::string& team, const std::string& kind);
  void Reassigned(const std::string& team);
  // A step of the SLA escalation ladder ("reminder", "escalation",
  // "reassigned"; sla_ladder.h), counted once by the replica that took it.
  void SlaStep(const std::string& team, const std::string& step);
  // Leads taken off a team queue by the scheduler.
  void Dequeued(const std::string& team);

 private:
  metrics::Counter RepAssignments(const std::string& team, const std::string& rep);

  metrics::ServiceMetrics& m_;
};

}  // namespace leadflow::routing
