// RoutingRules validated once at load into an immutable RoutingPolicy
// (Envoy style): every later decision can trust ids, weights, caps and time
// zones, and that the large-deal rule (when on) names teams that queue. Errors name the offending
// field, e.g. "teams[1].reps[0].weight: must be > 0 (rep \"ka-belova\")".
//
// Threading: a RoutingPolicy is immutable after Create(); share it freely
// (std::shared_ptr<const RoutingPolicy>) across threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "routing/domain/deal_stages.h"
#include "routing/domain/fairness.h"
#include "routing/domain/funnel_bands.h"
#include "routing/domain/holiday_calendar.h"
#include "routing/domain/time_zone.h"

namespace leadflow::routing {

struct RepPolicy {
  const leadflow::config::v1::Rep* rep = nullptr;  // points into RoutingPolicy::rules()
  std::string team_id;
  std::shared_ptr<const TimeZone> zone;  // null when the rep has no working hours
  // The rep's holiday calendar (its own, else its team's, else the default);
  // null for none. Points into the RoutingPolicy.
  const HolidayCalendar* holidays = nullptr;
};

class RoutingPolicy {
 public:
  // Validates `rules`; `resolve_zone` turns each rep's hours.time_zone into a
  // TimeZone (unknown names are errors naming the field).
  // `stage_time_scale` (demos and e2e tests only) speeds up the deal stages'
  // maximum times (DealStages::Create); `sla_time_scale` (the same) divides
  // the SLA business minutes and the SLA ladder's times (business_time.h).
  static StatusOr<std::shared_ptr<const RoutingPolicy>> Create(
      leadflow::config::v1::RoutingRules rules, const ZoneResolver& resolve_zone,
      double stage_time_scale = 1, double sla_time_scale = 1);

  const leadflow::config::v1::RoutingRules& rules() const { return rules_; }
  const std::string& version() const { return rules_.version(); }
  // nullptr when unknown.
  const leadflow::config::v1::Team* FindTeam(const std::string& team_id) const;
  const RepPolicy* FindRep(const std::string& rep_id) const;
  // True when `reason` is in protected_reject_reasons.
  bool IsProtectedRejectReason(leadflow::common::v1::ReasonCode reason) const;
  // Every rep id of every team, in config order.
  std::vector<std::string> AllRepIds() const;
  // The zone of a team's business_hours; nullptr when the team has none.
  const TimeZone* TeamZone(const std::string& team_id) const;
  // A team's holiday calendar (its own, else the default); nullptr for none.
  const HolidayCalendar* TeamHolidays(const std::string& team_id) const;
  // Every configured holiday calendar, by id.
  const std::map<std::string, HolidayCalendar>& holiday_calendars() const {
    return holiday_calendars_;
  }

  // Scheduler settings with defaults applied.
  int scheduler_tick_ms() const;
  int sla_retry_seconds() const;
  int outbox_resend_ms() const;
  // The team queue order: queue_order when set (an empty `by` is first in,
  // first out), else DefaultQueueOrder() (queue_order.h).
  const leadflow::config::v1::QueueOrder& queue_order() const;
  // The deal stages (deal_stages.h), validated.
  const DealStages& deal_stages() const { return deal_stages_; }
  // The funnel's bands and yardstick (funnel_bands.h), defaults applied.
  const FunnelBands& funnel() const { return funnel_; }
  // Round-robin fairness settings (fairness.h), defaults applied.
  const FairnessSettings& fairness() const { return fairness_; }
  // SLA time per real time (1 in production; demos and e2e tests only).
  double sla_time_scale() const { return sla_time_scale_; }

 private:
  RoutingPolicy() = default;
  // The steps of Create(), in order; each fills its part of the policy.
  Status AddHolidayCalendars();
  // The calendar `id` names (`fallback` when empty); an unknown id names `field`.
  StatusOr<const HolidayCalendar*> FindCalendar(const std::string& id, const std::string& field,
                                                const HolidayCalendar* fallback) const;
  Status AddTeams(const ZoneResolver& resolve_zone);
  Status AddTeam(int t, const ZoneResolver& resolve_zone, const HolidayCalendar* default_calendar);
  Status AddRep(const leadflow::config::v1::Team& team, const leadflow::config::v1::Rep& rep,
                const std::string& rf, const ZoneResolver& resolve_zone,
                const HolidayCalendar* team_calendar);
  // Deal stages, funnel bands and fairness, defaults applied.
  Status ResolveFunnelSettings(double stage_time_scale);

  leadflow::config::v1::RoutingRules rules_;
  std::map<std::string, int> team_index_;
  std::map<std::string, RepPolicy> reps_;
  std::map<std::string, std::shared_ptr<const TimeZone>> team_zones_;
  std::map<std::string, HolidayCalendar> holiday_calendars_;
  std::map<std::string, const HolidayCalendar*> team_holidays_;
  DealStages deal_stages_;
  FunnelBands funnel_;
  FairnessSettings fairness_;
  double sla_time_scale_ = 1;
};

}  // namespace leadflow::routing
